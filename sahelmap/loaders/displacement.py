"""Displacement figures (arrivals, IDPs, returns, departures): :func:`read_displacement`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from sahelmap.errors import InputFileError, PcodeVersionError
from sahelmap.geocoding import RESULT_COLUMNS
from sahelmap.loaders.checks import map_terms, parse_counts
from sahelmap.loaders.dates import parse_dates, parse_periods
from sahelmap.loaders.duplicates import place_key
from sahelmap.loaders.records import Records, points
from sahelmap.loaders.result import LoadResult
from sahelmap.loaders.tables import OnUnmatched, Options, PathOrPaths
from sahelmap.pcodes import (
    adm1_crosswalk,
    infer_pcode_version,
    map_adm1_pcode,
    map_adm2_pcode,
    pcode_versions,
)
from sahelmap.vocab import (
    DISPLACEMENT_EXTRA_COLUMNS,
    DISPLACEMENT_RECORD_COLUMNS,
    FIGURE_TYPES,
    vocabulary,
)

__all__ = ["place_by_pcodes", "read_displacement"]

_PCODES = ("adm1_pcode", "adm2_pcode", "adm3_pcode")
_LEVELS = ("admin5", "admin4", "admin3", "admin2", "admin1")


def read_displacement(paths: PathOrPaths, *, columns: Mapping[str, str | None] | None = None,
                      figure_types: Mapping[str, str] | None = None, dayfirst: bool = True,
                      today: Any = None, gazetteer: Any = None, fuzzy_threshold: float = 85.0,
                      on_unmatched: OnUnmatched = "reject", merge_duplicates: bool = False,
                      sheet: str | int | None = None, layer: str | int | None = None,
                      encoding: str | None = None, prefer: str = "point",
                      country: str | None = None,
                      max_counts: Mapping[str, float | None] | None = None) -> LoadResult:
    """Read displacement figures (IOM DTM, HDX HAPI, field tables) from one or more files.

    IOM DTM baseline assessments (``Snapshot Date``, ``Admin 1 pcode``..., ``Total No. of
    IDPs Ind.``, also exported as ``Total No# of IDPs Ind#``), site assessments (French
    headers included: ``Date de l'évaluation``, ``Nombre de PDI (individus)``), flow
    monitoring (``Incoming``/``Outgoing``), HDX HAPI ``idps`` tables and CONASUR-style
    tables are read as follows:

    - the snapshot date is the date; individuals are people; household columns are kept
      as ``households``, never read as people; 0/1 columns named after a reason for
      displacement (``Conflict``, ``Returns``...) are flags, never figures;
    - the file's ADM1/ADM2 P-codes place each row directly (method ``pcode``, the code
      version told from the codes and names, see :mod:`sahelmap.pcodes`); names are the
      fallback, the place being the lowest admin name the row gives;
    - in a workbook of several sheets the data sheet is read (not ``VERIFICATION``,
      ``README``...), and ``LoadResult.notes`` says which, with the layout recognised and
      the columns deliberately left out (returnees present: a stock, not returns);
    - a figure column that is entirely zero or empty while the file has other numeric
      columns is refused: the figure was most likely taken from the wrong column.

    :func:`sahelmap.inspect` shows all of this for a file without loading it for use.
    Two table shapes are recognised:

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
    max_counts : mapping, optional
        ``{figure type or "households": N}``: a figure above its bound rejects the row as
        implausible (default :data:`sahelmap.vocab.MAX_COUNTS`: 5,000,000 people,
        1,000,000 households; ``None``: no bound).

    Returns
    -------
    LoadResult
        ``accepted`` columns: ``source_file, source_row, date, period_end, place, lon, lat,
        country, admin1, figure_type, count, source, notes, is_synthetic, households``
        (Int64, NA where none), the geocoder's columns, ``geometry``,
        ``duplicate_group, is_duplicate``.

    Raises
    ------
    InputFileError
        A file is missing or unreadable, lacks a date (or period), a place (or
        coordinates), or figures; gives household counts only (or refugees only); has a
        figure column that is all zero or empty beside other numeric columns; or has
        P-codes whose version cannot be told.

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
                      merge_duplicates, sheet, layer, encoding, prefer, country, max_counts)
    return _Displacement.load(paths, options, vocabulary("figures", figure_types))



class _Displacement(Records):
    kind = "displacement"
    fields = ("date", "period_end", "period", "place", "lon", "lat", "country", "admin1",
              "admin2", "admin3", "figure_type", "count", "households", "source", "notes",
              "is_synthetic") + FIGURE_TYPES + _PCODES + ("admin4", "admin5")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        f = self.frame
        for number, table in enumerate(self.tables):
            if table.place_from is None:
                continue
            # the place is the lowest admin name each row gives
            mine = f["_file"].to_numpy() == number
            place = f["place"]
            for level in _LEVELS[_LEVELS.index(table.place_from) + 1:]:
                place = place.fillna(f[level])
            f.loc[mine, "place"] = place[mine]

    def households(self) -> pd.Series:
        """Households of each row (NaN where none); a bad cell rejects the row."""
        f = self.frame
        counts = parse_counts(f["households"], what="household count")
        self.problems.add("households", counts["problem"].notna().to_numpy(), f["households"],
                          counts["problem"].to_numpy(dtype=object))
        self.check_bound("households", counts["value"], f["households"], "households")
        return counts["value"]

    def geocode(self, x: np.ndarray, y: np.ndarray, skip: np.ndarray | None = None
                ) -> pd.DataFrame:
        """Place rows by their P-codes (method ``pcode``), the others by name or point."""
        placed = self.pcode_places(x, y)
        out = super().geocode(x, y, skip=placed["method"].notna().to_numpy())
        rows = np.flatnonzero(placed["method"].notna().to_numpy())
        if len(rows):
            for name in placed.columns:
                if name in ("match_lon", "match_lat", "confidence"):
                    column = out[name].to_numpy(dtype="float64").copy()
                    column[rows] = placed[name].iloc[rows].to_numpy(dtype="float64")
                    out[name] = column
                else:
                    column = out[name].to_numpy(dtype=object).copy()
                    column[rows] = placed[name].iloc[rows].to_numpy(dtype=object)
                    out[name] = pd.Series(column, index=out.index, dtype="str")
        return out

    def pcode_places(self, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
        """The geocoder's columns for rows the file's P-codes place (NA elsewhere)."""
        f = self.frame
        n = len(f)
        out = pd.DataFrame({name: pd.Series([None] * n, dtype=object)
                            for name in RESULT_COLUMNS})
        if f["adm1_pcode"].isna().all() and f["adm2_pcode"].isna().all():
            return out
        adm1 = np.full(n, None, dtype=object)
        adm2 = np.full(n, None, dtype=object)
        versions = np.full(n, "", dtype=object)
        for number, table in enumerate(self.tables):
            mine = np.flatnonzero(f["_file"].to_numpy() == number)
            try:
                a1, a2, version = place_by_pcodes(f["adm1_pcode"].iloc[mine],
                                                  f["admin1"].iloc[mine],
                                                  f["adm2_pcode"].iloc[mine],
                                                  f["admin2"].iloc[mine])
            except PcodeVersionError as exc:
                columns = [table.cmap.fields[c] for c in ("adm1_pcode", "adm2_pcode")
                           if c in table.cmap.fields]
                raise InputFileError(
                    f"{exc}; or place the rows by their names instead with columns="
                    f"{ {c: None for c in columns} }", path=table.raw.path,
                    field="adm1_pcode") from None
            adm1[mine], adm2[mine], versions[mine] = a1, a2, version
        placed = pd.notna(adm1)
        if not placed.any():
            return out
        where = np.flatnonzero(placed)
        a1 = pd.Series(adm1[where], dtype=object)
        a2 = pd.Series(adm2[where], dtype=object)
        label = f["place"].to_numpy(dtype=object)[where]
        code_label = np.where(a2.notna(), a2, a1)
        out.loc[where, "matched_name"] = np.where(pd.notna(label), label, code_label)
        out.loc[where, "match_lon"] = np.where(np.isnan(y[where]), np.nan, x[where])
        out.loc[where, "match_lat"] = np.where(np.isnan(x[where]), np.nan, y[where])
        out.loc[where, "adm0_pcode"] = a1.str[:2].to_numpy(dtype=object)
        out.loc[where, "adm1_pcode"] = a1.to_numpy()
        out.loc[where, "adm1_name"] = a1.map(_adm1_names()).to_numpy(dtype=object)
        out.loc[where, "adm2_pcode"] = a2.to_numpy()
        out.loc[where, "adm2_name"] = a2.map(_adm2_names()).to_numpy(dtype=object)
        out.loc[where, "method"] = "pcode"
        out.loc[where, "confidence"] = 1.0
        out.loc[where, "status"] = "matched"
        out.loc[where, "candidates"] = ""
        out.loc[where, "flags"] = ""
        out.loc[where, "reason"] = ("placed by the file's P-codes (" + versions[where]
                                    + ")").astype(object)
        return out

    def dates(self) -> tuple[pd.Series, pd.Series]:
        f, add, dayfirst = self.frame, self.problems.add, self.options.dayfirst
        has_date = any("date" in t.cmap.fields for t in self.tables)
        column = f["date"] if has_date else f["period"]
        if has_date and any("period" in t.cmap.fields for t in self.tables):
            column = column.fillna(f["period"])
        periods = parse_periods(column, dayfirst=dayfirst)
        self.check_dates("date", periods, column)
        add("date", periods.missing, column, "missing date")
        self.check_unparsed("date", periods.unparsed, column)
        self.check_date_range(periods.start, column, "date")
        start = periods.start
        end = periods.end.where(periods.precision.isin(["month", "range"]).to_numpy())
        given = parse_dates(f["period_end"], dayfirst=dayfirst)
        self.check_dates("period_end", given, f["period_end"])
        self.check_unparsed("period_end", given.unparsed, f["period_end"])
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
                self.check_bound("count", value, f["count"], name)
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
            self.check_bound(name, counts["value"], f[name], name)
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

    def reject_totals_beside_parts(self, start: pd.Series) -> None:
        """Reject an admin1 total given beside rows for its admin2 units (counted twice else).

        HDX HAPI and some DTM exports hold, for one date, rows at several admin levels: a
        region's total and its cercles' figures. Summed, the region would count twice; the
        finer rows are kept and the total is rejected with the reason.
        """
        f = self.frame
        if f["adm1_pcode"].isna().all() or f["adm2_pcode"].isna().all():
            return
        adm1 = f["adm1_pcode"].astype("string").str.strip().str.upper()
        has_adm2 = f["adm2_pcode"].notna() & f["adm2_pcode"].astype("string").str.strip().ne("")
        key = pd.MultiIndex.from_arrays([f["_file"], adm1, start], names=["f", "a1", "d"])
        with_parts = key.isin(key[has_adm2.to_numpy()])
        total = (adm1.notna() & ~has_adm2).to_numpy() & with_parts
        self.problems.add("adm1_pcode", total, f["adm1_pcode"],
                          "a total for the whole admin1 unit beside rows for its admin2 units "
                          "(same file and date): those rows are counted, the total is not "
                          "counted twice")

    def run(self) -> LoadResult:
        f = self.frame
        start, end = self.dates()
        x, y = self.check_place()
        figures, signature = self.figures()
        households = self.households()
        self.reject_totals_beside_parts(start)
        good = self.accept(x, y)
        rows, acc = good.rows, good.frame
        base = good.common.assign(date=start.iloc[rows], period_end=end.iloc[rows])
        tail = pd.DataFrame({"source": acc["source"], "notes": acc["notes"],
                             "is_synthetic": good.synthetic}, index=acc.index)
        tail = pd.concat([tail, good.geocoded], axis=1)
        parts = [base.iloc[:0].assign(figure_type=pd.Series(dtype="str"),
                                      count=pd.Series(dtype="int64"),
                                      households=pd.Series(dtype="float64"),
                                      _row=pd.Series(dtype="int64"), _order=0)]
        held = households.iloc[rows]
        # a wide row's households go with its IDPs (DTM's "IDPs HH"), a long row's with its
        # one figure
        with_households = {name for name, _ in figures if name == "idps"} or {
            name for name, _ in figures}
        for order, (name, value) in enumerate(figures):
            value = value.iloc[rows]
            present = value.notna().to_numpy()
            part = base[present].copy()
            part["figure_type"] = pd.Series(name, index=part.index, dtype="str")
            part["count"] = value[present].astype("int64")
            part["households"] = (held[present] if name in with_households
                                  else np.nan)
            part["_row"] = rows[present]
            part["_order"] = order
            parts.append(part)
        records = pd.concat(parts)
        records = records.sort_values(["_row", "_order"], kind="stable")
        records = records.join(tail, how="left")
        records = records.drop(columns="_order")
        records = records[list(DISPLACEMENT_RECORD_COLUMNS) + list(DISPLACEMENT_EXTRA_COLUMNS)
                          + list(good.geocoded.columns) + ["_row"]]
        records["count"] = records["count"].astype("int64")
        records["households"] = records["households"].astype("Int64")
        records["geometry"] = points(records["match_lon"], records["match_lat"])
        records = records.reset_index(drop=True)
        keys = pd.DataFrame({
            "date": start.iloc[rows].to_numpy(), "end": end.iloc[rows].to_numpy(),
            "place": place_key(f, x, y, rows).to_numpy(),
            "figures": signature.iloc[rows].to_numpy(),
        })
        return self.finish(good.ok, keys, records)


def place_by_pcodes(adm1: pd.Series, names1: pd.Series, adm2: pd.Series, names2: pd.Series
                    ) -> tuple[np.ndarray, np.ndarray, str]:
    """Map units of one file's rows from their ADM1 and ADM2 P-codes (any version).

    The version is told from the codes and the names beside them
    (:func:`sahelmap.pcodes.infer_pcode_version`); each distinct code is translated once.

    Returns
    -------
    adm1, adm2 : numpy.ndarray
        Map ADM1 codes and bundled cercle/department codes (None where a code is missing or
        unknown; an ADM1 from the ADM2 code's region where only that is given).
    version : str
        The version of the ADM1 codes (of the ADM2 codes without them), or ``""``.

    Raises
    ------
    PcodeVersionError
        If the codes fit several versions with other meanings and no name settles it.

    Examples
    --------
    >>> a1, a2, version = place_by_pcodes(pd.Series(["ML07", "ML09"]),
    ...     pd.Series(["Gao", "Bamako"]), pd.Series(["ML0703", None]), pd.Series(["Gao", None]))
    >>> a1.tolist(), a2.tolist(), version
    (['ML07', 'ML20'], ['ML0703', None], 'cod-2021')
    """
    n = len(adm1)
    out1 = np.full(n, None, dtype=object)
    out2 = np.full(n, None, dtype=object)
    version = ""
    for codes, names, level, out in ((adm1, names1, 1, out1), (adm2, names2, 2, out2)):
        # every step below runs once per distinct code (or code and name)
        pair, uniques = pd.MultiIndex.from_arrays(
            [codes.to_numpy(dtype=object), names.to_numpy(dtype=object)]).factorize()
        distinct = pd.DataFrame({"code": uniques.get_level_values(0).astype(object),
                                 "name": uniques.get_level_values(1).astype(object)})
        distinct = distinct[distinct["code"].notna()]
        if not len(distinct):
            continue
        distinct["code"] = distinct["code"].astype(str).str.strip().str.upper()
        known = distinct[distinct["code"].str.match(r"^(ML|NE)\d")]
        if not len(known):
            continue
        mapper = map_adm1_pcode if level == 1 else map_adm2_pcode
        lookup: dict[str, object] = {}
        found = []
        # one country at a time: map_adm1_pcode given Mali and Niger codes together lets
        # Niger's version override Mali's (ML09 of cod-2021 would become Taoudénit)
        for _, mine in known.groupby(known["code"].str[:2]):
            lookup.update(zip(mine["code"], mapper(mine["code"], names=mine["name"])))
            found.append(infer_pcode_version(mine["code"], mine["name"], level=level))
        per_pair = np.full(len(uniques) + 1, None, dtype=object)  # the last: missing pairs
        mapped = distinct["code"].map(lookup)
        per_pair[distinct.index.to_numpy()] = mapped.where(mapped.notna(), None).to_numpy(
            dtype=object)
        out[:] = per_pair[np.where(pair < 0, len(uniques), pair)]
        version = version or " and ".join(found)
    missing = pd.isna(out1) & pd.notna(out2)
    if missing.any():
        codes, uniques = pd.factorize(out2[missing])
        regions = _cercle_regions()
        out1[missing] = np.asarray([regions.get(c) for c in uniques], dtype=object)[codes]
    return out1, out2, version


@cache
def _adm1_names() -> dict[str, str]:
    table = adm1_crosswalk()
    table = table[(table["relation"] == "same") & table["code_system"].str.startswith("hdx")]
    return dict(zip(table["map_adm1_pcode"], table["name"]))


@cache
def _adm2_names() -> dict[str, str]:
    table = pcode_versions(2)
    table = table[table["version"].isin(["cod-2021", "v02"])]
    return dict(zip(table["pcode"], table["name"]))


@cache
def _cercle_regions() -> dict[str, str]:
    table = pcode_versions(2)
    out: dict[str, str] = {}
    for version in ("cod-2021", "v02"):
        mine = table[table["version"] == version]
        mapped = map_adm1_pcode(mine["parent_pcode"], version=version)
        out.update({c: m for c, m in zip(mine["pcode"], mapped) if isinstance(m, str)})
    return out
