"""Rows to records: the checks both readers share, geocoding, and assembling the result.

:class:`Records` holds the canonical frame of one load and a :class:`Problems` register;
:mod:`~sahelmap.loaders.events` and :mod:`~sahelmap.loaders.displacement` subclass it with
their own checks and record columns. Every row ends up accepted or rejected, naming the file,
row, field (and the user's column) and the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sahelmap.errors import warn
from sahelmap.geocoding import RESULT_COLUMNS
from sahelmap.geocoding.geocoder import _geocoder
from sahelmap.loaders.checks import Problems, parse_coordinates, parse_flags
from sahelmap.loaders.dates import DateParse
from sahelmap.loaders.duplicates import flag_duplicates, merge_sources, source_key
from sahelmap.loaders.files import DAMAGED, FORMULA, OVERFLOW
from sahelmap.loaders.result import LoadResult
from sahelmap.loaders.tables import (
    Options,
    PathOrPaths,
    Table,
    canonical,
    read_all,
    table_notes,
)
from sahelmap.vocab import EARLIEST_DATE, REJECTED_COLUMNS

__all__ = ["Records", "merged_duplicates", "points"]

logger = logging.getLogger("sahelmap.loaders")

_GEOCODER_FLOATS = {"match_lon", "match_lat", "confidence"}


@dataclass
class Accepted:
    """The rows that passed every check, and what both readers make of them."""

    ok: np.ndarray          #: bool per input row
    rows: np.ndarray        #: frame positions of the accepted rows
    frame: pd.DataFrame     #: their field texts (those kept, see Records.kept_fields)
    common: pd.DataFrame    #: source_file, source_row, place, lon, lat, country, admin1
    synthetic: np.ndarray   #: is_synthetic
    geocoded: pd.DataFrame  #: the geocoder's columns (those kept, see Records.kept_geocoded)


# Why a row naming only its country is not counted, per kind of file.
NATIONAL_ROW = {
    "displacement": "a national total (the row names its country only, as HAPI's "
                    "admin_level 0 rows and DTM's country totals do): sahelmap counts per "
                    "admin unit (HAPI and DTM exports give the same people per region or "
                    "cercle in their other rows)",
    "events": "placed by its country only: sahelmap counts per admin unit; give the event's "
              "place, admin1 or coordinates",
}


class Records:
    """The rows of one load on their way to a :class:`LoadResult`.

    Subclasses set :attr:`kind` and :attr:`fields` and implement ``run()``.
    """

    kind = ""
    fields: tuple[str, ...] = ()
    #: The fields and the geocoder's columns the accepted rows keep (None: all of them); a
    #: streamed chunk keeps a few, and copies no others.
    kept_fields: tuple[str, ...] | None = None
    kept_geocoded: tuple[str, ...] | None = None

    @classmethod
    def load(cls, paths: PathOrPaths, options: Options, terms: dict[str, str]) -> LoadResult:
        """Read ``paths`` with ``options`` and return their :class:`LoadResult`."""
        return cls(read_all(paths, cls.kind, options), options, terms).run()

    def __init__(self, tables: list[Table], options: Options, terms: dict[str, str]):
        self.tables = tables
        self.options = options
        self.terms = terms
        self.frame = canonical(tables, self.fields)
        # rows whose file names a country: one with no place nor unit is a national figure
        self.file_country = self.frame["country"].notna().to_numpy()
        if options.country is not None:  # the country of rows whose file does not say it
            self.frame["country"] = self.frame["country"].fillna(options.country)
        self.problems = Problems(len(self.frame))
        self.check_overflow()

    # -- checks shared by both kinds ---------------------------------------------------
    def check_overflow(self) -> None:
        """Reject damaged rows: extra cells, unclosed quotes, formulas without a value.

        The rows after an unclosed quote are read on their own, not swallowed.
        """
        for column, reason in (
                (OVERFLOW, "more cells than the header has (a separator inside an unquoted "
                           "cell?)"),
                (DAMAGED, "a quote opens a cell and never closes (the line is read alone; "
                          "the rows after it are read as written): fix the quote"),
                (FORMULA, "formula without a computed value (the file was saved by a "
                          "program that does not calculate): open and save the file in "
                          "Excel or LibreOffice")):
            self._reject_marked(column, "row", reason)

    def _reject_marked(self, column: str, field: str, reason: str) -> None:
        f = self.frame
        for number, table in enumerate(self.tables):
            if column not in table.raw.frame.columns:
                continue
            marked = table.raw.frame[column]
            mask = np.zeros(len(f), dtype=bool)
            mine = np.flatnonzero(f["_file"].to_numpy() == number)
            positions = f["_pos"].to_numpy()[mine]
            mask[mine] = marked.notna().to_numpy()[positions]
            values = np.full(len(f), None, dtype=object)
            values[mine] = marked.to_numpy(dtype=object)[positions]
            self.problems.add(field, mask, values, reason)

    def check_date_range(self, start: pd.Series, values: pd.Series, name: str) -> None:
        """Reject dates after ``today`` or before :data:`~sahelmap.vocab.EARLIEST_DATE`."""
        today, earliest = self.options.today, pd.Timestamp(EARLIEST_DATE)
        self.problems.add(name, (start > today).to_numpy(), values,
                          f"date in the future (after {today:%Y-%m-%d})")
        self.problems.add(name, (start < earliest).to_numpy(), values,
                          f"date before {earliest:%Y} (no report of the region's conflict "
                          "data is older): a typo, or a spreadsheet's empty date?")

    def check_bound(self, name: str, values: pd.Series | np.ndarray, given: pd.Series,
                    figure: str) -> None:
        """Reject figures above the plausible bound of ``figure`` (``max_counts``)."""
        limit = self.options.max_counts[figure]
        over = np.asarray(values, dtype="float64") > limit
        self.problems.add(name, over, given,
                          f"{figure} above the plausible maximum of {limit:,.0f} for one "
                          f"report (a typo, or a running total?); if it is right, raise the "
                          f"bound: max_counts={{'{figure}': N}} or --max-count {figure}=N")

    def check_place(self) -> tuple[np.ndarray, np.ndarray]:
        """Check coordinates and that a place is given; return the x, y to geocode."""
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
        no_place = f["place"].isna().to_numpy() & ~self.named_units()
        half = no_place & (np.isnan(x) != np.isnan(y))
        missing = no_place & ~has_xy & ~half
        national = missing & self.file_country
        add("place", national, f["country"], NATIONAL_ROW[self.kind])
        add("place", missing & ~national, f["place"], "missing place and coordinates")
        add("place", half, f["place"],
            "missing place and incomplete coordinates (longitude and latitude both needed)")
        return x, y

    def named_units(self) -> np.ndarray:
        """Whether each row names an admin unit (admin1, admin2 or admin3)."""
        named = np.zeros(len(self.frame), dtype=bool)
        for column in ("admin1", "admin2", "admin3"):
            if column in self.frame:
                named |= self.frame[column].notna().to_numpy()
        return named

    def check_flags(self) -> np.ndarray:
        """Check the ``is_synthetic`` yes/no values; return them as booleans."""
        flags = parse_flags(self.frame["is_synthetic"])
        self.problems.add("is_synthetic", flags["bad"].to_numpy(), self.frame["is_synthetic"],
                          "not a yes/no value")
        return flags["value"].to_numpy()

    def geocode(self, x: np.ndarray, y: np.ndarray, skip: np.ndarray | None = None
                ) -> pd.DataFrame:
        """Geocode every row (but ``skip``); reject unmatched and ambiguous places unless kept.

        Rows in ``skip`` (placed otherwise, e.g. by their P-codes) get empty results.
        """
        f = self.frame
        todo = (~f["place"].isna().to_numpy() | (~np.isnan(x) & ~np.isnan(y))
                | self.named_units())
        if skip is not None:
            todo &= ~skip
        query = pd.DataFrame({"place": f["place"], "lon": x, "lat": y,
                              "country": f["country"], "admin1": f["admin1"]})
        for column in ("admin2", "admin3"):
            if column in f:
                query[column] = f[column]
        if not todo.all():
            query = query[todo]
        if len(query):
            # only the columns the records keep, and those read below
            keep = None if self.kept_geocoded is None else [*self.kept_geocoded, "status",
                                                             "reason"]
            found = _geocoder(self.options.gazetteer, self.options.fuzzy_threshold)._geocode(
                query, prefer=self.options.prefer, keep=keep)
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

    def check_unparsed(self, field: str, unparsed: np.ndarray, values: pd.Series) -> None:
        """Reject dates that could not be read, saying when the year is the reason."""
        unparsed = np.asarray(unparsed, dtype=bool)
        far = np.zeros(len(values), dtype=bool)
        years = values[unparsed].astype("str").str.findall(r"(?<!\d)\d{4,}(?!\d)")
        far[unparsed] = years.map(  # beyond the dates a timestamp holds (1678 to 2261)
            lambda found: any(not 1678 <= int(y) <= 2261 for y in found)).to_numpy(dtype=bool)
        reason = np.where(far, "date with an impossible year (a typo?)", "unparseable date")
        self.problems.add(field, unparsed, values, reason)

    def check_dates(self, field: str, parsed: DateParse, values: pd.Series) -> None:
        """Reject the dates of a column read in no single order; say the order chosen.

        The day/month order of numeric dates is decided per column (see
        :mod:`sahelmap.loaders.dates`): when the data decides against the ``dayfirst``
        option, a warning says so; when nothing decides, the option is said in the log.
        """
        self.problems.add(field, parsed.mixed, values,
                          "day and month order differ within the column (dates such as "
                          "13/09/2022 and 09/13/2022 both appear): write the dates one way")
        self.say_order(field, parsed.order)

    def say_order(self, field: str, order: str) -> None:
        """Warn when the day/month order a column's dates tell overrides ``dayfirst``."""
        if not order or order == "mixed":
            return
        wanted = "day first" if self.options.dayfirst else "month first"
        column = self.tables[0].cmap.fields.get(field, field) if self.tables else field
        if "assumed" in order:
            logger.info("%s: numeric dates of column %r read %s", self.kind, column, order)
        elif not order.startswith(wanted):
            warn(f"numeric dates of column {column!r} read {order}, for the whole "
                 "column (not date by date)")

    def check_repeats(self, x: np.ndarray, y: np.ndarray) -> None:
        """Reject rows that repeat another row's report (subclasses; after every other check).

        Called once every row-level check has run, so that the row kept of a repeated
        report is one that passes them when there is one.
        """

    def accept(self, x: np.ndarray, y: np.ndarray) -> Accepted:
        """Run the last checks both readers share (flags, geocoding); take the good rows."""
        synthetic = self.check_flags()
        geo = self.geocode(x, y)
        self.check_repeats(x, y)
        ok = ~self.problems.bad
        rows = np.flatnonzero(ok)
        common_fields = ["source_file", "source_row", "place", "country", "admin1"]
        acc = self.frame if self.kept_fields is None else self.frame[list(dict.fromkeys(
            [*common_fields, *self.kept_fields]))]
        acc = acc.iloc[rows]
        common = pd.DataFrame({
            "source_file": acc["source_file"].astype("str"),
            "source_row": acc["source_row"].astype("int64"),
            "place": acc["place"], "lon": x[rows], "lat": y[rows],
            "country": acc["country"], "admin1": acc["admin1"],
        }, index=acc.index)
        if self.kept_geocoded is not None:
            geo = geo[[c for c in self.kept_geocoded if c in geo]]
        return Accepted(ok, rows, acc, common, synthetic[rows], geo.iloc[rows])

    # -- assembling the result ----------------------------------------------------------
    def rejected_table(self, table: pd.DataFrame) -> pd.DataFrame:
        """Rejected rows: the five fixed columns, then the original cells."""
        f = self.frame
        rows = table["row"].to_numpy(dtype="int64")
        head = pd.DataFrame({
            "source_file": f["source_file"].iloc[rows].to_numpy(),  # not every row's text
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

    def finish(self, ok: np.ndarray, keys: pd.DataFrame, records: pd.DataFrame
               ) -> LoadResult:
        """Flag duplicates on accepted rows, merge if asked, build the LoadResult.

        ``keys`` has one row per accepted input row (in frame order) and ``records`` the
        accepted records with a ``_row`` column holding their input row's frame position.
        """
        accepted_rows = np.flatnonzero(ok)
        flags = flag_duplicates(keys, source_key(self.frame, accepted_rows),
                                self.frame["_file"].to_numpy()[accepted_rows])
        flags.index = accepted_rows
        table = self.problems.table()
        merged_rows = merged_duplicates(flags, accepted_rows, self.frame) if (
            self.options.merge_duplicates) else merged_duplicates(flags.iloc[:0], [], None)
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
            records = merge_sources(records, gone)
        records = records.drop(columns="_row").reset_index(drop=True)
        accepted = gpd.GeoDataFrame(records, geometry="geometry", copy=False)
        n_blank = sum(t.raw.n_blank for t in self.tables)
        notes = [note for table in self.tables for note in table_notes(table)]
        result = LoadResult(accepted, rejected_frame, len(self.frame),
                            duplicates.reset_index(drop=True), n_blank, self.kind, notes)
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s", result.summary())
        return result



def merged_duplicates(flags: pd.DataFrame, accepted_rows: np.ndarray,
                      frame: pd.DataFrame | None) -> pd.DataFrame:
    """The rejected-row entries (``row, field, value, reason``) of merged duplicates.

    ``flags`` comes from :func:`~sahelmap.loaders.duplicates.flag_duplicates` over the rows
    ``accepted_rows`` of ``frame`` (which has ``_file``, ``source_row`` and ``source_file``).
    """
    dup = flags[flags["is_duplicate"]]
    if not len(dup):
        return pd.DataFrame(columns=["row", "field", "value", "reason"])
    first = np.asarray(accepted_rows)[dup["first"].to_numpy()]
    files = frame["_file"].to_numpy()
    same_file = files[first] == files[dup.index]
    first_row = frame["source_row"].to_numpy()[first].astype(str)
    where = np.where(same_file, "", " of " + frame["source_file"].to_numpy(dtype=object)[first])
    return pd.DataFrame({
        "row": dup.index.to_numpy(), "field": "duplicate",
        "value": "group " + dup["duplicate_group"].astype(str).to_numpy(dtype=object),
        "reason": "duplicate of row " + first_row.astype(object) + where + " (merged)"})


def points(lon: pd.Series, lat: pd.Series) -> gpd.array.GeometryArray:
    """Points (None where a coordinate is NaN), built once per distinct location."""
    x, y = lon.to_numpy(dtype="float64"), lat.to_numpy(dtype="float64")
    out = np.full(len(x), None, dtype=object)
    valid = ~np.isnan(x) & ~np.isnan(y)
    codes, uniques = pd.factorize(x[valid] + 1j * y[valid])
    out[valid] = shapely.points(uniques.real, uniques.imag)[codes]
    return gpd.array.from_shapely(out, crs="EPSG:4326")

