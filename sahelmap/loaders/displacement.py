"""Displacement figures (arrivals, IDPs, returns, departures): :func:`read_displacement`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sahelmap.loaders.checks import map_terms, parse_counts
from sahelmap.loaders.dates import parse_dates, parse_periods
from sahelmap.loaders.duplicates import place_key
from sahelmap.loaders.records import Records, points
from sahelmap.loaders.result import LoadResult
from sahelmap.loaders.tables import OnUnmatched, Options, PathOrPaths
from sahelmap.vocab import DISPLACEMENT_RECORD_COLUMNS, FIGURE_TYPES, vocabulary

__all__ = ["read_displacement"]


def read_displacement(paths: PathOrPaths, *, columns: Mapping[str, str | None] | None = None,
                      figure_types: Mapping[str, str] | None = None, dayfirst: bool = True,
                      today: Any = None, gazetteer: Any = None, fuzzy_threshold: float = 85.0,
                      on_unmatched: OnUnmatched = "reject", merge_duplicates: bool = False,
                      sheet: str | int | None = None, layer: str | int | None = None,
                      encoding: str | None = None, prefer: str = "point",
                      country: str | None = None) -> LoadResult:
    """Read displacement figures (IOM-DTM-style tables) from one or more files.

    Two layouts are recognised:

    - *long*: one figure per row, with a figure type column ("arrivals", "IDPs present",
      "PDI", "retours"...) and a count column;
    - *wide*: one column per figure type (``arrivals``, ``idps``, ``returns``,
      ``departures``, their French names, or ``#affected+idps``-style hashtags). Each row
      becomes one record per figure it gives (empty cells give none).

    Parameters
    ----------
    paths : path-like or sequence of path-likes
        CSV, XLSX, GeoJSON or GeoPackage files.
    columns : mapping, optional
        ``{file column or HXL hashtag: field}``; fields are ``date, period_end, period,
        place, lon, lat, country, admin1, admin2, admin3, figure_type, count, households,
        source, notes, is_synthetic`` and the figure types, so ``{"personnes": "idps"}``
        reads a column of people as IDPs present.
    figure_types : mapping, optional
        Extra ``{term: figure type}`` synonyms, e.g. ``{"nouveaux déplacés": "arrivals"}``.
    dayfirst, today, gazetteer, fuzzy_threshold, on_unmatched, merge_duplicates
        As for :func:`read_events`.
    sheet, layer, encoding, prefer, country
        As for :func:`read_events`.

    Returns
    -------
    LoadResult
        ``accepted`` columns: ``source_file, source_row, date, period_end, place, lon, lat,
        country, admin1, figure_type, count, source, notes, is_synthetic``, the geocoder's
        columns, ``geometry``, ``duplicate_group, is_duplicate``.

    Raises
    ------
    InputFileError
        A file is missing or unreadable, lacks a date (or period), a place (or
        coordinates), or figures; or gives household counts only.

    Notes
    -----
    Accounting is in input rows: a wide row is accepted whole (as several records) or
    rejected whole, with every problem of every figure in its reason. So
    ``result.n_accepted + len(result.rejected) == result.n_input`` always, and
    ``len(result.accepted)`` (= ``n_records``) can exceed ``n_accepted``.

    ``date`` is the start of the reporting period. A date column may hold a day, a month
    (``"Sept 2022"``, ``"2022-09"``: the whole month) or a range (``"01/09/2022 -
    15/09/2022"``); ``period_end`` is the period's last day, NaT for a single day. A missing
    count is rejected (unlike a missing fatality count of an event). Household counts
    (``ménages``) are never read as people: a file with households only is refused.

    Duplicates are input rows with the same period, place and the same figures (type and
    count, all of them for a wide row) from different sources.
    """
    options = Options(columns, dayfirst, today, gazetteer, fuzzy_threshold, on_unmatched,
                      merge_duplicates, sheet, layer, encoding, prefer, country)
    return _Displacement.load(paths, options, vocabulary("figures", figure_types))



class _Displacement(Records):
    kind = "displacement"
    fields = ("date", "period_end", "period", "place", "lon", "lat", "country", "admin1",
              "admin2", "admin3", "figure_type", "count", "source", "notes",
              "is_synthetic") + FIGURE_TYPES

    def dates(self) -> tuple[pd.Series, pd.Series]:
        f, add, dayfirst = self.frame, self.problems.add, self.options.dayfirst
        has_date = any("date" in t.cmap.fields for t in self.tables)
        column = f["date"] if has_date else f["period"]
        if has_date and any("period" in t.cmap.fields for t in self.tables):
            column = column.fillna(f["period"])
        periods = parse_periods(column, dayfirst=dayfirst)
        self.check_dates("date", periods, column)
        add("date", periods.missing, column, "missing date")
        add("date", periods.unparsed, column, "unparseable date")
        self.check_future(periods.start, column, "date")
        start = periods.start
        end = periods.end.where(periods.precision.isin(["month", "range"]).to_numpy())
        given = parse_dates(f["period_end"], dayfirst=dayfirst)
        self.check_dates("period_end", given, f["period_end"])
        add("period_end", given.unparsed, f["period_end"], "unparseable date")
        has_end = given.start.notna()
        end = end.where(~has_end.to_numpy(), given.end)
        add("period_end", (has_end & (end < start)).to_numpy(), f["period_end"],
            "period ends before it starts")
        return start.astype("datetime64[ns]"), end.astype("datetime64[ns]")

    def figures(self) -> tuple[list[tuple[str, pd.Series]], pd.Series]:
        """``[(figure type, counts per row)]`` and each row's figure signature."""
        f, add = self.frame, self.problems.add
        long = any("figure_type" in t.cmap.fields and "count" in t.cmap.fields
                   for t in self.tables)
        wide = [name for name in FIGURE_TYPES if any(name in t.cmap.fields
                                                     for t in self.tables)]
        out: list[tuple[str, pd.Series]] = []
        before = len(self.problems.entries)
        signature = pd.Series("", index=f.index, dtype=object)
        n_given = np.zeros(len(f), dtype="int64")
        if long:
            kind = map_terms(f["figure_type"], self.terms)
            counts = parse_counts(f["count"])
            is_long = f["figure_type"].notna() | f["count"].notna()
            given = f["figure_type"].notna().to_numpy()
            long_rows = is_long.to_numpy()
            add("figure_type", long_rows & ~given & ~self._wide_given(wide), f["figure_type"],
                "missing figure type")
            add("figure_type", given & kind.isna().to_numpy(), f["figure_type"],
                "unknown figure type (map it with figure_types={...})")
            add("count", (given & counts["missing"].to_numpy()), f["count"], "missing count")
            add("count", counts["problem"].notna().to_numpy(), f["count"],
                counts["problem"].to_numpy(dtype=object))
            for name in FIGURE_TYPES:
                value = counts["value"].where((kind == name).to_numpy())
                if value.notna().any():
                    out.append((name, value))
            valid = kind.notna() & counts["value"].notna()
            n_given += valid.to_numpy()
            signature = signature + np.where(
                valid, kind.fillna("").astype(object) + "=" + counts["value"].fillna(0)
                .astype("int64").astype(str).astype(object) + "|", "")
        for name in wide:
            counts = parse_counts(f[name])
            add(name, counts["problem"].notna().to_numpy(), f[name],
                counts["problem"].to_numpy(dtype=object))
            value = counts["value"]
            valid = value.notna().to_numpy()
            n_given += valid
            out.append((name, value))
            signature = signature + np.where(
                valid, name + "=" + value.fillna(0).astype("int64").astype(str).astype(object)
                + "|", "")
        figure_bad = np.zeros(len(f), dtype=bool)
        for _, mask, _, _ in self.problems.entries[before:]:
            figure_bad |= mask
        no_figure = (n_given == 0) & ~figure_bad
        add("count", no_figure, f["count"] if long else f[wide[0]],
            "no figure in the row" if wide else "missing count")
        return out, signature

    def _wide_given(self, wide: list[str]) -> np.ndarray:
        given = np.zeros(len(self.frame), dtype=bool)
        for name in wide:
            given |= self.frame[name].notna().to_numpy()
        return given

    def run(self) -> LoadResult:
        f = self.frame
        start, end = self.dates()
        x, y = self.check_place()
        figures, signature = self.figures()
        good = self.accept(x, y)
        rows, acc = good.rows, good.frame
        base = good.common.assign(date=start.iloc[rows], period_end=end.iloc[rows])
        tail = pd.DataFrame({"source": acc["source"], "notes": acc["notes"],
                             "is_synthetic": good.synthetic}, index=acc.index)
        tail = pd.concat([tail, good.geocoded], axis=1)
        parts = [base.iloc[:0].assign(figure_type=pd.Series(dtype="str"),
                                      count=pd.Series(dtype="int64"),
                                      _row=pd.Series(dtype="int64"), _order=0)]
        for order, (name, value) in enumerate(figures):
            value = value.iloc[rows]
            present = value.notna().to_numpy()
            part = base[present].copy()
            part["figure_type"] = pd.Series(name, index=part.index, dtype="str")
            part["count"] = value[present].astype("int64")
            part["_row"] = rows[present]
            part["_order"] = order
            parts.append(part)
        records = pd.concat(parts)
        records = records.sort_values(["_row", "_order"], kind="stable")
        records = records.join(tail, how="left")
        records = records.drop(columns="_order")
        records = records[list(DISPLACEMENT_RECORD_COLUMNS) + list(good.geocoded.columns)
                          + ["_row"]]
        records["count"] = records["count"].astype("int64")
        records["geometry"] = points(records["match_lon"], records["match_lat"])
        records = records.reset_index(drop=True)
        keys = pd.DataFrame({
            "date": start.iloc[rows].to_numpy(), "end": end.iloc[rows].to_numpy(),
            "place": place_key(f, x, y, rows).to_numpy(),
            "figures": signature.iloc[rows].to_numpy(),
        })
        return self.finish(good.ok, keys, records)
