"""Report files in, validated and geocoded frames out, every rejected row with its reasons.

Two readers, one result shape:

- :func:`read_events`: attacks, clashes, massacres (ACLED exports, HXL-tagged sheets,
  analysts' own tables);
- :func:`read_displacement`: arrivals, IDPs present, returns, departures (IOM-DTM-style
  tables, long or wide).

Both read CSV, XLSX, GeoJSON and GeoPackage, recognise columns by ACLED/DTM names, HXL
hashtags or English/French synonyms (or an explicit ``columns=`` mapping), parse mixed date
formats, check every row, geocode it with :func:`sahelmap.geocode.geocode_frame`, flag
duplicate reports and return a :class:`LoadResult` in which every input row is either
accepted or rejected with a reason: ``result.check()`` proves it.

Row numbers (``source_row``) are the ones a person sees: the line of a CSV file (header =
line 1, an HXL hashtag row = line 2, so the first report is on line 2 or 3), the spreadsheet
row of an XLSX sheet, the 0-based feature index of a GeoJSON file and the ``fid`` of a
GeoPackage feature.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sahelmap._columns import ColumnMap, recognise_columns
from sahelmap._dates import parse_dates, parse_periods, to_timestamp
from sahelmap._readers import OVERFLOW, RawTable, read_table
from sahelmap._validate import (
    FIGURE_TYPES,
    Problems,
    map_terms,
    parse_coordinates,
    parse_counts,
    parse_flags,
    vocabulary,
)
from sahelmap.errors import AccountingError, InputFileError
from sahelmap.gazetteer import normalize_name
from sahelmap.geocode import RESULT_COLUMNS, geocode_frame

__all__ = ["LoadResult", "read_events", "read_displacement"]

logger = logging.getLogger(__name__)

PathOrPaths = str | PathLike | Sequence[str | PathLike]
OnUnmatched = Literal["reject", "keep"]

EVENT_COLUMNS = [
    "source_file", "source_row", "event_date", "place", "lon", "lat", "country", "admin1",
    "admin2", "event_type", "sub_event_type", "actor1", "actor2", "fatalities", "source",
    "notes", "is_synthetic",
]
DISPLACEMENT_COLUMNS = [
    "source_file", "source_row", "date", "period_end", "place", "lon", "lat", "country",
    "admin1", "figure_type", "count", "source", "notes", "is_synthetic",
]
REJECTED_COLUMNS = ["source_file", "source_row", "field", "column", "value", "reason"]
_GEOCODER_FLOATS = {"match_lon", "match_lat", "confidence"}
# Fields stripped here (empty becomes NA); the others are parsed by checks that strip them
# themselves, or are free text kept as written (a million distinct notes cost seconds).
_STRIPPED = {"place", "country", "admin1", "admin2", "event_type", "figure_type", "source"}


@dataclass
class LoadResult:
    """What a loader returns: accepted records, rejected rows, and the count of input rows.

    Attributes
    ----------
    accepted : geopandas.GeoDataFrame
        Valid, geocoded records (EPSG:4326 points at the matched place), with
        ``duplicate_group`` (Int64, NA when not a duplicate) and ``is_duplicate`` (True for
        every member of a group but the first).
    rejected : pandas.DataFrame
        One row per rejected input row: ``source_file, source_row, field`` (sahelmap's name),
        ``column`` (the column of the user's file), ``value, reason``
        (several problems joined by ``"; "``), then the row's original cells as text. A raw
        column whose name clashes with one of those five is suffixed ``" (raw)"``.
    n_input : int
        Input rows read (blank rows excepted, see ``n_blank``).
    duplicates : pandas.DataFrame
        Every member of every flagged duplicate group (before any merge).
    n_blank : int
        Rows skipped because every cell was empty.
    kind : str
        ``"events"`` or ``"displacement"``.

    Notes
    -----
    For events and long displacement tables one input row is one record, and
    ``len(accepted) + len(rejected) == n_input``. A row of a *wide* displacement table
    (one column per figure type) becomes one record per figure it gives, so there the
    identity is counted in input rows: ``n_accepted + len(rejected) == n_input``, where
    :attr:`n_accepted` is the number of distinct input rows in ``accepted``. :meth:`check`
    verifies the identity in that form, which covers both.
    """

    accepted: gpd.GeoDataFrame
    rejected: pd.DataFrame
    n_input: int
    duplicates: pd.DataFrame
    n_blank: int = 0
    kind: str = "events"

    @property
    def n_records(self) -> int:
        """Accepted records (more than accepted rows for wide displacement tables)."""
        return len(self.accepted)

    @property
    def n_accepted(self) -> int:
        """Input rows with at least one accepted record."""
        if not len(self.accepted):
            return 0
        return len(pd.unique(_row_keys(self.accepted)))

    def check(self) -> None:
        """Raise :class:`~sahelmap.errors.AccountingError` if an input row is lost or doubled.

        Examples
        --------
        >>> empty = LoadResult(gpd.GeoDataFrame(), pd.DataFrame(), 0, pd.DataFrame())
        >>> empty.check()
        """
        if self.n_accepted + len(self.rejected) != self.n_input:
            raise AccountingError(
                f"{self.n_accepted} accepted + {len(self.rejected)} rejected rows != "
                f"{self.n_input} input rows")
        if len(self.rejected):
            files = pd.concat([self.accepted.get("source_file", pd.Series(dtype="str")),
                               self.rejected["source_file"]]).unique()
            rejected = _row_keys(self.rejected, files)
            if pd.Series(rejected).duplicated().any():
                raise AccountingError("a row is rejected twice")
            if len(self.accepted):
                both = np.isin(rejected, _row_keys(self.accepted, files))
                if both.any():
                    row = self.rejected.iloc[int(np.flatnonzero(both)[0])]
                    raise AccountingError(
                        f"{int(both.sum())} rows are both accepted and rejected, e.g. row "
                        f"{row['source_row']} of {row['source_file']}")

    def summary(self) -> str:
        """A few lines saying what was read, kept, rejected and flagged.

        Examples
        --------
        >>> empty = LoadResult(gpd.GeoDataFrame(), pd.DataFrame(), 0, pd.DataFrame())
        >>> print(empty.summary())
        events: 0 rows read: 0 accepted, 0 rejected
        """
        records = (f" ({self.n_records:,} records)" if self.n_records != self.n_accepted
                   else "")
        lines = [f"{self.kind}: {self.n_input:,} rows read: {self.n_accepted:,} accepted"
                 f"{records}, {len(self.rejected):,} rejected"]
        if len(self.rejected):
            fields = self.rejected["field"].astype(str).str.split("; ").explode()
            counts = fields.value_counts()
            lines.append("  rejected for: " + ", ".join(f"{name} {n:,}"
                                                        for name, n in counts.items()))
        if len(self.duplicates):
            groups = self.duplicates["duplicate_group"].nunique()
            extra = len(self.duplicates.loc[self.duplicates["is_duplicate"],
                                            ["source_file", "source_row"]].drop_duplicates())
            merged = (self.rejected["field"] == "duplicate").any() if len(
                self.rejected) else False
            lines.append(f"  duplicates: {groups:,} group(s), {extra:,} repeated report(s) "
                         f"({'merged' if merged else 'flagged, not merged'})")
        if self.n_blank:
            lines.append(f"  blank rows skipped: {self.n_blank:,}")
        return "\n".join(lines)


def _row_keys(frame: pd.DataFrame, files: Any = None) -> np.ndarray:
    """One int64 per input row: file number and row number packed together."""
    if files is None:
        files = frame["source_file"].unique()
    file_code = pd.Index(files).get_indexer(frame["source_file"]).astype("int64")
    return (file_code << 40) + frame["source_row"].to_numpy(dtype="int64")


# ---------------------------------------------------------------------------------------
# public readers


def read_events(paths: PathOrPaths, *, columns: Mapping[str, str | None] | None = None,
                event_types: Mapping[str, str] | None = None, dayfirst: bool = True,
                today: Any = None, gazetteer: Any = None, fuzzy_threshold: float = 85.0,
                on_unmatched: OnUnmatched = "reject", merge_duplicates: bool = False,
                sheet: str | int | None = None, layer: str | int | None = None,
                encoding: str | None = None) -> LoadResult:
    """Read event reports (attacks, clashes, massacres) from one or more files.

    Parameters
    ----------
    paths : path-like or sequence of path-likes
        CSV (``,``/``;``/tab separated, UTF-8 or Windows-1252), XLSX, GeoJSON or
        GeoPackage files; several files are concatenated (``source_file`` tells them apart).
    columns : mapping, optional
        ``{file column or HXL hashtag: field}`` for layouts not recognised on their own
        (``None`` as field ignores a column). Fields: ``date, place, lon, lat, country,
        admin1, admin2, admin3, event_type, sub_event_type, actor1, actor2, fatalities,
        source, notes, is_synthetic``. Every key must exist in every file.
    event_types : mapping, optional
        Extra ``{term: ACLED event type}`` synonyms, e.g. ``{"ambush": "Battles"}``.
    dayfirst : bool
        Read ambiguous numeric dates (``03/04/2022``) day first (default) or month first.
    today : date-like, optional
        Dates after this day are rejected as in the future (default: today).
    gazetteer : optional
        Passed to :func:`~sahelmap.geocode.geocode_frame`: a user gazetteer (path or
        DataFrame ``name, lon, lat[, aliases]``) added to the bundled one, or a Geocoder.
    fuzzy_threshold : float
        Passed to the geocoder.
    on_unmatched : {"reject", "keep"}
        Reject rows whose place is unmatched or ambiguous (default), or keep them with NA
        admin codes and geometry.
    merge_duplicates : bool
        Keep only the first report of each duplicate group; the others move to ``rejected``
        with reason ``"duplicate of row N (merged)"`` and the kept row's ``source`` lists
        every source of the group.
    sheet : str or int, optional
        XLSX sheet (default: the first).
    layer : str or int, optional
        GeoPackage layer (default: the first).
    encoding : str, optional
        CSV encoding (default: UTF-8, then Windows-1252).

    Returns
    -------
    LoadResult
        ``accepted`` columns: ``source_file, source_row, event_date, place, lon, lat,
        country, admin1, admin2, event_type, sub_event_type, actor1, actor2, fatalities,
        source, notes, is_synthetic``, the geocoder's columns, ``geometry``,
        ``duplicate_group, is_duplicate``.

    Raises
    ------
    InputFileError
        A file is missing, unreadable, or has no date, place (nor coordinates) or event type
        column.

    Notes
    -----
    Rows are rejected, naming the field, for: a missing, unparseable, month-only or future
    date; no place and no coordinates; non-numeric coordinates; a missing or unknown event
    type; a negative, non-numeric or fractional fatality count; an ``is_synthetic`` value that
    is not yes/no; an unmatched or ambiguous place (unless ``on_unmatched="keep"``).

    With no place column, the finest admin column (admin3, then admin2, then admin1) is
    geocoded as the place. In GeoJSON and GeoPackage files, point geometries give ``lon`` and
    ``lat`` unless the attributes hold coordinates; other geometries are not used (with a
    warning).

    An empty fatalities cell (or no fatalities column) counts as 0 fatalities: many
    field-report tables only fill it when people were killed. ``event_date`` is the day of
    the event; times are dropped.

    Duplicates are accepted reports with the same day, place (folded name, or coordinates
    when there is no name), event type and fatalities, coming from different sources (the
    ``source`` column, or the file when it is empty).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("event_date,location,event_type,fatalities\\n"
    ...                     "2022-09-12,Gao,attack,11\\n"
    ...                     "13/09/2022,Nowhere-ville,clash,2\\n", encoding="utf-8")
    >>> result = read_events(path, today="2024-01-01")
    >>> result.accepted[["source_row", "event_date", "event_type", "adm1_pcode"]]
       source_row event_date                  event_type adm1_pcode
    0           2 2022-09-12  Violence against civilians       ML07
    >>> result.rejected[["source_row", "field"]].values.tolist()
    [[3, 'place']]
    """
    terms = vocabulary("events", event_types)
    options = _Options(columns, dayfirst, to_timestamp(today), gazetteer, fuzzy_threshold,
                       _check_on_unmatched(on_unmatched), bool(merge_duplicates), sheet, layer,
                       encoding)
    tables = _read_all(paths, "events", options)
    return _Events(tables, options, terms).run()


def read_displacement(paths: PathOrPaths, *, columns: Mapping[str, str | None] | None = None,
                      figure_types: Mapping[str, str] | None = None, dayfirst: bool = True,
                      today: Any = None, gazetteer: Any = None, fuzzy_threshold: float = 85.0,
                      on_unmatched: OnUnmatched = "reject", merge_duplicates: bool = False,
                      sheet: str | int | None = None, layer: str | int | None = None,
                      encoding: str | None = None) -> LoadResult:
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
    sheet, layer, encoding
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
    terms = vocabulary("figures", figure_types)
    options = _Options(columns, dayfirst, to_timestamp(today), gazetteer, fuzzy_threshold,
                       _check_on_unmatched(on_unmatched), bool(merge_duplicates), sheet, layer,
                       encoding)
    tables = _read_all(paths, "displacement", options)
    return _Displacement(tables, options, terms).run()


# ---------------------------------------------------------------------------------------
# reading and column recognition


@dataclass(frozen=True)
class _Options:
    columns: Mapping[str, str | None] | None
    dayfirst: bool
    today: pd.Timestamp
    gazetteer: Any
    fuzzy_threshold: float
    on_unmatched: str
    merge_duplicates: bool
    sheet: str | int | None
    layer: str | int | None
    encoding: str | None


def _check_on_unmatched(value: str) -> str:
    if value not in ("reject", "keep"):
        raise ValueError(f"on_unmatched must be 'reject' or 'keep', not {value!r}")
    return value


def _as_paths(paths: PathOrPaths) -> list[Path]:
    if isinstance(paths, (str, PathLike)):
        return [Path(paths)]
    out = [Path(p) for p in paths]
    if not out:
        raise ValueError("no file given")
    return out


@dataclass
class _Table:
    raw: RawTable
    cmap: ColumnMap
    place_from: str | None


def _read_all(paths: PathOrPaths, kind: str, options: _Options) -> list[_Table]:
    def header_hint(cells: list[object]) -> bool:
        found = recognise_columns([c for c in cells if c is not None], kind=kind).fields
        return bool({"date", "place", "period"} & set(found))

    tables = []
    for path in _as_paths(paths):
        raw = read_table(path, sheet=options.sheet, layer=options.layer,
                         encoding=options.encoding, header_hint=header_hint)
        tables.append(_recognise(raw, kind, options.columns))
    return tables


def _recognise(raw: RawTable, kind: str, mapping: Mapping[str, str | None] | None) -> _Table:
    headers = list(raw.frame.columns)
    try:
        cmap = recognise_columns(headers, kind=kind, hxl_tags=raw.hxl_tags, mapping=mapping)
    except KeyError as exc:
        key = exc.args[0]
        raise InputFileError(
            f"column {key!r} named in columns= is not in the file; its columns are: "
            f"{', '.join(headers)}", path=raw.path, field=str(mapping.get(key))) from None
    fields = cmap.fields
    place_from = None
    if "place" not in fields:
        for fallback in ("admin3", "admin2", "admin1"):
            if fallback in fields:
                place_from = fallback
                logger.info("%s: no place column; the %s column %r is used as the place",
                            raw.path, fallback, fields[fallback])
                break
    has_points = raw.point_lon is not None and bool(np.isfinite(raw.point_lon).any())
    listed = ", ".join(headers) or "(none)"
    hint = "map one with columns={'<column>': '%s'}"

    def missing(field: str, what: str) -> InputFileError:
        return InputFileError(f"no {what} column found; the columns are: {listed}; "
                              + hint % field, path=raw.path, field=field)

    if "date" not in fields and not (kind == "displacement" and "period" in fields):
        raise missing("date", "date")
    if ("place" not in fields and place_from is None and has_points is False
            and not ("lon" in fields and "lat" in fields)):
        raise missing("place", "place (nor longitude/latitude)")
    if kind == "events" and "event_type" not in fields:
        raise missing("event_type", "event type")
    if kind == "displacement":
        wide = [f for f in FIGURE_TYPES if f in fields]
        if not wide and not ("figure_type" in fields and "count" in fields):
            if "households" in fields and "count" not in fields:
                raise InputFileError(
                    f"only household counts (column {fields['households']!r}) found; "
                    "households are not people: add a column of people, or map a column "
                    "of people with columns={'<column>': 'idps'} (or another figure type)",
                    path=raw.path, field="count")
            if "count" in fields:
                raise InputFileError(
                    f"a count column ({fields['count']!r}) but no figure type column; map "
                    "the count to a figure type with columns={'%s': 'idps'} (or arrivals, "
                    "returns, departures), or add a figure type column" % fields["count"],
                    path=raw.path, field="figure_type")
            if "figure_type" in fields:
                raise missing("count", "count")
            raise InputFileError(
                "no figures found: neither figure type + count columns nor columns named "
                f"after figure types ({', '.join(FIGURE_TYPES)}); the columns are: {listed}",
                path=raw.path, field="count")
    return _Table(raw, cmap, place_from)


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip every distinct value; empty becomes NA. Returns the ``str`` dtype."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    stripped = pd.Series(np.asarray(uniques, dtype=object), dtype="str").str.strip()
    stripped = stripped.where(stripped != "")
    if not len(stripped):
        return pd.Series(pd.NA, index=values.index, dtype="str")
    out = stripped.to_numpy(dtype=object)[np.where(codes < 0, 0, codes)]
    out[codes < 0] = None
    return pd.Series(out, index=values.index, dtype="str")


def _canonical(tables: list[_Table], fields: Sequence[str]) -> pd.DataFrame:
    """One frame of all files' rows: ``_file``, ``_pos``, source columns and field texts."""
    parts = []
    for number, table in enumerate(tables):
        raw, cmap = table.raw, table.cmap
        n = len(raw.frame)
        part = {
            "_file": np.full(n, number, dtype="int64"),
            "_pos": np.arange(n, dtype="int64"),
            "source_file": pd.Series([raw.path] * n, dtype="str"),
            "source_row": raw.rows,
            "_plon": raw.point_lon if raw.point_lon is not None else np.full(n, np.nan),
            "_plat": raw.point_lat if raw.point_lat is not None else np.full(n, np.nan),
        }
        for name in fields:
            column = cmap.get(name)
            if name == "place" and column is None and table.place_from:
                column = cmap.get(table.place_from)
            if column is None:
                part[name] = pd.Series(pd.NA, index=range(n), dtype="str")
            else:
                part[name] = raw.frame[column].reset_index(drop=True)
        parts.append(pd.DataFrame(part))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    for name in fields:
        if name in _STRIPPED:
            frame[name] = _clean_text(frame[name].astype("str"))
        else:
            frame[name] = frame[name].astype("str")
    return frame


# ---------------------------------------------------------------------------------------
# the pipeline shared by both readers


class _Pipeline:
    kind = ""
    fields: tuple[str, ...] = ()
    columns: list[str] = []

    def __init__(self, tables: list[_Table], options: _Options, terms: dict[str, str]):
        self.tables = tables
        self.options = options
        self.terms = terms
        self.frame = _canonical(tables, self.fields)
        self.problems = Problems(len(self.frame))
        self.n_swapped = 0
        self.check_overflow()

    # -- checks shared by both kinds ---------------------------------------------------
    def check_overflow(self) -> None:
        """Reject CSV rows with more cells than the header (they may be shifted)."""
        f = self.frame
        for number, table in enumerate(self.tables):
            if OVERFLOW not in table.raw.frame.columns:
                continue
            extra = table.raw.frame[OVERFLOW].notna().to_numpy()
            mask = np.zeros(len(f), dtype=bool)
            mine = np.flatnonzero(f["_file"].to_numpy() == number)
            mask[mine] = extra[f["_pos"].to_numpy()[mine]]
            values = np.full(len(f), None, dtype=object)
            values[mine] = table.raw.frame[OVERFLOW].to_numpy(dtype=object)[
                f["_pos"].to_numpy()[mine]]
            self.problems.add("row", mask, values,
                              "more cells than the header has (a separator inside an "
                              "unquoted cell?)")

    def check_future(self, start: pd.Series, values: pd.Series, name: str) -> None:
        today = self.options.today
        self.problems.add(name, (start > today).to_numpy(), values,
                          f"date in the future (after {today:%Y-%m-%d})")

    def check_place(self) -> tuple[np.ndarray, np.ndarray]:
        f, add = self.frame, self.problems.add
        lon = parse_coordinates(f["lon"], what="longitude")
        lat = parse_coordinates(f["lat"], what="latitude")
        add("lon", lon["problem"].notna().to_numpy(), f["lon"], lon["problem"].to_numpy())
        add("lat", lat["problem"].notna().to_numpy(), f["lat"], lat["problem"].to_numpy())
        x, y = lon["value"].to_numpy(), lat["value"].to_numpy()
        from_points = np.isnan(x) & np.isnan(y) & f["lon"].isna().to_numpy() & f[
            "lat"].isna().to_numpy()
        x = np.where(from_points, f["_plon"].to_numpy(), x)
        y = np.where(from_points, f["_plat"].to_numpy(), y)
        has_xy = ~np.isnan(x) & ~np.isnan(y)
        no_place = f["place"].isna().to_numpy()
        half = no_place & (np.isnan(x) != np.isnan(y))
        add("place", no_place & ~has_xy & ~half, f["place"], "missing place and coordinates")
        add("place", half, f["place"],
            "missing place and incomplete coordinates (longitude and latitude both needed)")
        return x, y

    def check_flags(self) -> np.ndarray:
        flags = parse_flags(self.frame["is_synthetic"])
        self.problems.add("is_synthetic", flags["bad"].to_numpy(), self.frame["is_synthetic"],
                          "not a yes/no value")
        return flags["value"].to_numpy()

    def geocode(self, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
        f = self.frame
        todo = ~f["place"].isna().to_numpy() | (~np.isnan(x) & ~np.isnan(y))
        query = pd.DataFrame({"place": f["place"], "lon": x, "lat": y,
                              "country": f["country"], "admin1": f["admin1"]})
        if not todo.all():
            query = query[todo]
        if len(query):
            found = geocode_frame(query, gazetteer=self.options.gazetteer,
                                  fuzzy_threshold=self.options.fuzzy_threshold)
        else:
            found = pd.DataFrame({name: pd.Series(dtype="float64" if name in
                                                  _GEOCODER_FLOATS else "str")
                                  for name in RESULT_COLUMNS})
        if not todo.all():
            found = found.reindex(f.index)
        out = found.set_axis(f.index)
        for name in out.columns:
            if name in _GEOCODER_FLOATS and not pd.api.types.is_float_dtype(out[name]):
                out[name] = pd.to_numeric(out[name], errors="coerce").astype("float64")
        if "status" in out and self.options.on_unmatched == "reject":
            bad = todo & out["status"].ne("matched").fillna(True).to_numpy()
            where = np.flatnonzero(bad)
            sub = out.iloc[where]
            reason = (sub["reason"] if "reason" in sub else pd.Series("", index=sub.index)
                      ).fillna("").astype(str)
            reason = reason.where(reason.str.strip() != "",
                                  "place " + sub["status"].fillna("not geocoded").astype(str))
            place = f["place"].iloc[where]
            coords = (pd.Series(x[where], index=place.index).round(5).astype(str) + ", "
                      + pd.Series(y[where], index=place.index).round(5).astype(str))
            shown = np.full(len(f), None, dtype=object)
            shown[where] = place.astype(object).where(place.notna(), coords).to_numpy()
            why = np.full(len(f), None, dtype=object)
            why[where] = reason.to_numpy(dtype=object)
            self.problems.add("place", bad, shown, why)
        return out

    def warn_swapped(self) -> None:
        if self.n_swapped:
            order = "month first" if self.options.dayfirst else "day first"
            other = "day first" if self.options.dayfirst else "month first"
            flag = "dayfirst=False" if self.options.dayfirst else "dayfirst=True"
            warnings.warn(
                f"{self.n_swapped} dates could only be read {order} (e.g. a 13th month); "
                f"the other numeric dates were read {other}. If the file writes dates "
                f"{order}, pass {flag}.", UserWarning, stacklevel=4)

    # -- assembling the result ----------------------------------------------------------
    def rejected_table(self, table: pd.DataFrame) -> pd.DataFrame:
        """Rejected rows: the five fixed columns, then the original cells."""
        f = self.frame
        rows = table["row"].to_numpy(dtype="int64")
        head = pd.DataFrame({
            "source_file": f["source_file"].to_numpy()[rows],
            "source_row": f["source_row"].to_numpy()[rows].astype("int64"),
            "field": table["field"].to_numpy(), "value": table["value"].to_numpy(),
            "reason": table["reason"].to_numpy(),
        })
        for name in ("source_file", "field", "value", "reason"):
            head[name] = head[name].astype("str")
        files = f["_file"].to_numpy()[rows]
        head.insert(3, "column", self._column_names(files, head["field"].to_numpy()))
        positions = f["_pos"].to_numpy()[rows]
        raws = []
        for number, t in enumerate(self.tables):
            mine = files == number
            part = t.raw.frame.iloc[positions[mine]]
            part = part.set_axis(np.flatnonzero(mine), axis=0)
            raws.append(part)
        raw = pd.concat(raws) if raws else pd.DataFrame()
        raw = raw.reindex(range(len(head)))
        raw = raw.rename(columns={c: f"{c} (raw)" for c in raw.columns
                                  if c in REJECTED_COLUMNS})
        raw = raw.astype("str")
        return pd.concat([head, raw], axis=1)

    def _column_names(self, files: np.ndarray, fields: np.ndarray) -> np.ndarray:
        """Name each rejected field as the column of the user's file it came from."""
        out = np.asarray(fields, dtype=object).copy()
        pairs = pd.DataFrame({"file": files, "field": out}).drop_duplicates()
        for number, text in pairs.itertuples(index=False):
            columns = self.tables[number].cmap.fields
            named = "; ".join(columns.get(part, part) for part in str(text).split("; "))
            out[(files == number) & (out == text)] = named
        return out

    def flag_duplicates(self, keys: pd.DataFrame, source: pd.Series) -> pd.DataFrame:
        """``duplicate_group`` (Int64), ``is_duplicate`` and ``first`` (row of the first)."""
        n = len(keys)
        out = pd.DataFrame({
            "duplicate_group": pd.arrays.IntegerArray(np.zeros(n, dtype="int64"),
                                                      np.ones(n, dtype=bool)),
            "is_duplicate": np.zeros(n, dtype=bool),
            "first": np.full(n, -1, dtype="int64")}, index=keys.index)
        if n < 2:
            return out
        group = np.zeros(n, dtype="int64")
        for name in keys.columns:  # combine the keys' codes two at a time, kept compact
            codes, uniques = pd.factorize(keys[name], use_na_sentinel=False)
            group = pd.factorize(group * (len(uniques) + 1) + codes)[0].astype("int64")
        size = np.bincount(group)[group]
        src_codes = pd.factorize(source.fillna("").to_numpy(dtype=object))[0]
        pairs = pd.DataFrame({"g": group, "s": src_codes})
        n_sources = pairs.groupby("g")["s"].transform("nunique").to_numpy()
        flagged = (size > 1) & (n_sources > 1)
        if not flagged.any():
            return out
        renumbered = pd.factorize(group[flagged])[0] + 1
        dup_group = np.zeros(n, dtype="int64")
        dup_group[flagged] = renumbered
        order = pd.Series(np.arange(n))[flagged]
        first_of = order.groupby(renumbered).transform("min").to_numpy()
        out.loc[out.index[flagged], "duplicate_group"] = renumbered
        is_dup = np.zeros(n, dtype=bool)
        is_dup[np.flatnonzero(flagged)] = first_of != order.to_numpy()
        out["is_duplicate"] = is_dup
        first = np.full(n, -1, dtype="int64")
        first[flagged] = first_of
        out["first"] = first
        return out

    def place_key(self, x: np.ndarray, y: np.ndarray, rows: np.ndarray) -> pd.Series:
        place = self.frame["place"].iloc[rows]
        codes, uniques = pd.factorize(place, use_na_sentinel=True)
        folded = np.array([normalize_name(u) for u in uniques] + [""], dtype=object)
        key = folded[codes]
        unnamed = np.flatnonzero(codes < 0)
        if len(unnamed):
            at = rows[unnamed]
            key[unnamed] = ("@" + pd.Series(x[at]).round(4).astype(str) + ","
                            + pd.Series(y[at]).round(4).astype(str)).to_numpy(dtype=object)
        return pd.Series(key, index=place.index)

    def source_key(self, rows: np.ndarray) -> pd.Series:
        f = self.frame[["source", "source_file"]].iloc[rows]
        codes, uniques = pd.factorize(f["source"], use_na_sentinel=True)
        folded = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.lower(
            ).str.replace(r"\s+", " ", regex=True).to_numpy(dtype=object)
        key = np.append(folded, None)[codes]
        unnamed = codes < 0
        if unnamed.any():
            key[unnamed] = "file:" + f["source_file"].to_numpy(dtype=object)[unnamed]
        return pd.Series(key, index=f.index)

    def finish(self, ok: np.ndarray, keys: pd.DataFrame, records: pd.DataFrame
               ) -> LoadResult:
        """Flag duplicates on accepted rows, merge if asked, build the LoadResult.

        ``keys`` has one row per accepted input row (in frame order) and ``records`` the
        accepted records with a ``_row`` column holding their input row's frame position.
        """
        accepted_rows = np.flatnonzero(ok)
        flags = self.flag_duplicates(keys, self.source_key(accepted_rows))
        flags.index = accepted_rows
        table = self.problems.table()
        merged_rows = pd.DataFrame(columns=["row", "field", "value", "reason"])
        if self.options.merge_duplicates and flags["is_duplicate"].any():
            dup = flags[flags["is_duplicate"]]
            first = accepted_rows[dup["first"].to_numpy()]
            f = self.frame
            same_file = f["_file"].to_numpy()[first] == f["_file"].to_numpy()[dup.index]
            first_row = f["source_row"].to_numpy()[first].astype(str)
            where = np.where(same_file, "", " of " + f["source_file"].to_numpy(
                dtype=object)[first])
            merged_rows = pd.DataFrame({
                "row": dup.index.to_numpy(), "field": "duplicate",
                "value": "group " + dup["duplicate_group"].astype(str).to_numpy(dtype=object),
                "reason": "duplicate of row " + first_row.astype(object) + where +
                          " (merged)"})
        rejected = pd.concat([table, merged_rows], ignore_index=True).sort_values(
            "row", kind="stable")
        rejected_frame = self.rejected_table(rejected.reset_index(drop=True))

        at = np.searchsorted(accepted_rows, records["_row"].to_numpy())
        records["duplicate_group"] = flags["duplicate_group"].array.take(at)
        records["is_duplicate"] = flags["is_duplicate"].to_numpy().take(at)
        duplicates = pd.DataFrame(
            records[records["duplicate_group"].notna()].drop(columns=["geometry", "_row"]))
        if self.options.merge_duplicates and len(merged_rows):
            gone = set(merged_rows["row"].tolist())
            records = self.merge_sources(records, gone)
        records = records.drop(columns="_row").reset_index(drop=True)
        accepted = gpd.GeoDataFrame(records, geometry="geometry", copy=False)
        n_blank = sum(t.raw.n_blank for t in self.tables)
        result = LoadResult(accepted, rejected_frame, len(self.frame),
                            duplicates.reset_index(drop=True), n_blank, self.kind)
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s", result.summary())
        return result

    def merge_sources(self, records: pd.DataFrame, gone: set[int]) -> pd.DataFrame:
        keep = ~records["_row"].isin(gone)
        group = records["duplicate_group"]
        sources = records.loc[group.notna(), ["duplicate_group", "source"]].dropna()
        joined = sources.drop_duplicates().groupby("duplicate_group")["source"].agg(
            "; ".join)
        records = records[keep].copy()
        has = records["duplicate_group"].notna() & records["duplicate_group"].isin(
            joined.index)
        records.loc[has, "source"] = records.loc[has, "duplicate_group"].map(joined)
        return records


def _geometry(lon: pd.Series, lat: pd.Series) -> gpd.array.GeometryArray:
    """Points (None where a coordinate is NaN), built once per distinct location."""
    x, y = lon.to_numpy(dtype="float64"), lat.to_numpy(dtype="float64")
    out = np.full(len(x), None, dtype=object)
    valid = ~np.isnan(x) & ~np.isnan(y)
    codes, uniques = pd.factorize(x[valid] + 1j * y[valid])
    out[valid] = shapely.points(uniques.real, uniques.imag)[codes]
    return gpd.array.from_shapely(out, crs="EPSG:4326")


class _Events(_Pipeline):
    kind = "events"
    fields = ("date", "place", "lon", "lat", "country", "admin1", "admin2", "event_type",
              "sub_event_type", "actor1", "actor2", "fatalities", "source", "notes",
              "is_synthetic")

    def run(self) -> LoadResult:
        f, add = self.frame, self.problems.add
        dates = parse_dates(f["date"], dayfirst=self.options.dayfirst)
        self.n_swapped = dates.n_swapped
        add("date", dates.missing, f["date"], "missing date")
        add("date", dates.unparsed, f["date"], "unparseable date")
        add("date", (dates.precision == "month").to_numpy(), f["date"],
            "date gives a month, not a day")
        self.check_future(dates.start, f["date"], "date")
        x, y = self.check_place()
        event_type = map_terms(f["event_type"], self.terms)
        given = f["event_type"].notna().to_numpy()
        add("event_type", ~given, f["event_type"], "missing event type")
        add("event_type", given & event_type.isna().to_numpy(), f["event_type"],
            "unknown event type (map it with event_types={...})")
        fatalities = parse_counts(f["fatalities"], what="fatalities")
        add("fatalities", fatalities["problem"].notna().to_numpy(), f["fatalities"],
            fatalities["problem"].to_numpy(dtype=object))
        synthetic = self.check_flags()
        geo = self.geocode(x, y)
        self.warn_swapped()

        ok = ~self.problems.bad
        rows = np.flatnonzero(ok)
        acc = f.iloc[rows]
        records = pd.DataFrame({
            "source_file": acc["source_file"].astype("str"),
            "source_row": acc["source_row"].astype("int64"),
            "event_date": dates.start.iloc[rows].astype("datetime64[ns]"),
            "place": acc["place"], "lon": x[rows], "lat": y[rows],
            "country": acc["country"], "admin1": acc["admin1"], "admin2": acc["admin2"],
            "event_type": event_type.iloc[rows].astype("str"),
            "sub_event_type": acc["sub_event_type"], "actor1": acc["actor1"],
            "actor2": acc["actor2"],
            "fatalities": fatalities["value"].iloc[rows].fillna(0).astype("int64"),
            "source": acc["source"], "notes": acc["notes"],
            "is_synthetic": synthetic[rows],
        }, index=acc.index)
        records = pd.concat([records, geo.iloc[rows]], axis=1)
        records["geometry"] = _geometry(records["match_lon"], records["match_lat"])
        records["_row"] = rows
        keys = pd.DataFrame({
            "date": records["event_date"].to_numpy(),
            "place": self.place_key(x, y, rows).to_numpy(),
            "type": records["event_type"].to_numpy(),
            "fatalities": records["fatalities"].to_numpy(),
        })
        return self.finish(ok, keys, records)


class _Displacement(_Pipeline):
    kind = "displacement"
    fields = ("date", "period_end", "period", "place", "lon", "lat", "country", "admin1",
              "figure_type", "count", "source", "notes", "is_synthetic") + FIGURE_TYPES

    def dates(self) -> tuple[pd.Series, pd.Series]:
        f, add, dayfirst = self.frame, self.problems.add, self.options.dayfirst
        has_date = any("date" in t.cmap.fields for t in self.tables)
        column = f["date"] if has_date else f["period"]
        if has_date and any("period" in t.cmap.fields for t in self.tables):
            column = column.fillna(f["period"])
        periods = parse_periods(column, dayfirst=dayfirst)
        self.n_swapped += periods.n_swapped
        add("date", periods.missing, column, "missing date")
        add("date", periods.unparsed, column, "unparseable date")
        self.check_future(periods.start, column, "date")
        start = periods.start
        end = periods.end.where(periods.precision.isin(["month", "range"]).to_numpy())
        given = parse_dates(f["period_end"], dayfirst=dayfirst)
        self.n_swapped += given.n_swapped
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
        synthetic = self.check_flags()
        geo = self.geocode(x, y)
        self.warn_swapped()

        ok = ~self.problems.bad
        rows = np.flatnonzero(ok)
        acc = f.iloc[rows]
        base = pd.DataFrame({
            "source_file": acc["source_file"].astype("str"),
            "source_row": acc["source_row"].astype("int64"),
            "date": start.iloc[rows], "period_end": end.iloc[rows],
            "place": acc["place"], "lon": x[rows], "lat": y[rows],
            "country": acc["country"], "admin1": acc["admin1"],
        }, index=acc.index)
        tail = pd.DataFrame({"source": acc["source"], "notes": acc["notes"],
                             "is_synthetic": synthetic[rows]}, index=acc.index)
        tail = pd.concat([tail, geo.iloc[rows]], axis=1)
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
        records = records[DISPLACEMENT_COLUMNS + list(geo.columns) + ["_row"]]
        records["count"] = records["count"].astype("int64")
        records["geometry"] = _geometry(records["match_lon"], records["match_lat"])
        records = records.reset_index(drop=True)
        keys = pd.DataFrame({
            "date": start.iloc[rows].to_numpy(), "end": end.iloc[rows].to_numpy(),
            "place": self.place_key(x, y, rows).to_numpy(),
            "figures": signature.iloc[rows].to_numpy(),
        })
        return self.finish(ok, keys, records)
