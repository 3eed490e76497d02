"""Event reports (attacks, clashes, massacres) to records: :func:`read_events`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sahelmap.loaders.acled import pre2019_types
from sahelmap.loaders.checks import map_terms, parse_counts
from sahelmap.loaders.dates import DateMemo, parse_dates
from sahelmap.loaders.duplicates import place_key, repeated_ids
from sahelmap.loaders.records import Accepted, Records, points
from sahelmap.loaders.result import LoadResult
from sahelmap.loaders.tables import OnUnmatched, Options, PathOrPaths
from sahelmap.vocab import EVENT_RECORD_COLUMNS, vocabulary

__all__ = ["read_events"]


#: How the reason for a repeated row merged into the row kept for its identifier begins.
MERGED_REPEAT = "same event as "

def read_events(paths: PathOrPaths, *, columns: Mapping[str, str | None] | None = None,
                event_types: Mapping[str, str] | None = None, dayfirst: bool = True,
                today: Any = None, gazetteer: Any = None, fuzzy_threshold: float = 85.0,
                on_unmatched: OnUnmatched = "reject", merge_duplicates: bool = False,
                sheet: str | int | None = None, layer: str | int | None = None,
                encoding: str | None = None, prefer: str = "point",
                country: str | None = None,
                max_counts: Mapping[str, float | None] | None = None) -> LoadResult:
    r"""Read event reports (attacks, clashes, massacres) from one or more files.

    Parameters
    ----------
    paths : path-like or sequence of path-likes
        CSV (``,``/``;``/tab separated, UTF-8 or Windows-1252), XLSX, GeoJSON or
        GeoPackage files, or ACLED API responses saved as ``.json``; several files are
        concatenated (``source_file`` tells them apart).
    columns : mapping, optional
        ``{file column or HXL hashtag: field}`` for layouts not recognised on their own
        (``None`` as field ignores a column). Fields: ``date, place, lon, lat, country,
        admin1, admin2, admin3, event_type, sub_event_type, actor1, actor2, fatalities,
        source, notes, is_synthetic, event_id, inter1``. Every key must exist in every
        file.
    event_types : mapping, optional
        Extra ``{term: ACLED event type}`` synonyms, e.g. ``{"ambush": "Battles"}``.
    dayfirst : bool
        Read ambiguous numeric dates (``03/04/2022``) day first (default) or month first.
    today : date-like, optional
        Dates after this day are rejected as in the future (default: today).
    gazetteer : optional
        Passed to :func:`~sahelmap.geocode_frame`: a user gazetteer (path or
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
    prefer : {"point", "admin"}
        When a row's coordinates lie outside the admin unit (admin1/admin2/admin3) it
        names: keep the point (default) or the named unit. Either way the row is flagged
        ``point-admin-mismatch`` (``flags`` column) with both units in ``reason``.
    country : str, optional
        The country of rows that give none (``"Mali"``, ``"NE"``...): a binding hint for
        files of one country without a country column.
    max_counts : mapping, optional
        ``{"fatalities": N}``: rows giving more fatalities than this are rejected as
        implausible (default :data:`sahelmap.vocab.MAX_COUNTS`, 5,000; ``None``: no bound).

    Returns
    -------
    LoadResult
        ``accepted`` columns: ``source_file, source_row, event_id, event_date, place, lon,
        lat, country, admin1, admin2, event_type, sub_event_type, actor1, actor2, fatalities,
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
    date, or one before 1997; no place, coordinates nor admin unit; non-numeric
    coordinates; a missing or unknown event type; a negative, non-numeric or fractional
    fatality count, or one above ``max_counts``; an ``is_synthetic`` value that is not
    yes/no; an unmatched or ambiguous place (unless ``on_unmatched="keep"``).

    A place that no gazetteer knows lands in the lowest admin unit the row names (``admin3``
    commune, ``admin2`` cercle/department, ``admin1`` region) with method ``admin-hint`` and a
    lower confidence, instead of being rejected.

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

    **One record per event identifier.** When the files have an event identifier
    (``event_id_cnty``, ``EVENT_ID_CNTY``, HXL ``#event+code`` or ``#event+id``), each
    identifier is counted once, whatever ``merge_duplicates`` says. ACLED's dyadic exports
    write an event once per actor pair: such rows (same identifier, day, place, coordinates
    and fatalities) are merged into the first row that passes every check, whose ``actor1``
    and ``actor2`` then list every distinct actor joined by ``"; "``; the others are rejected
    with field ``event_id`` and reason ``"same event as row N (dyadic export; merged)"``.
    A row whose identifier repeats with a different day, place, coordinates or fatalities is
    rejected naming both values: the event counts once, as the kept row gives it, never
    summed.

    **Pre-2019 ACLED event types** (``Battle-No change of territory``, ``Riots/Protests``,
    ``Remote violence``...) become the 2019 types with the table
    ``sahelmap/data/acled/event_types_pre2019.csv`` (see :mod:`sahelmap.loaders.acled`),
    which also gives ``sub_event_type`` where the row has none. ``Riots/Protests`` is split
    by ``inter1`` (5 Rioters: Riots; 6 Protesters: Protests) and, without either code, by
    fatalities (Riots when people were killed, Protests when not).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("event_date,location,event_type,fatalities\n"
    ...                     "2022-09-12,Gao,attack,11\n"
    ...                     "13/09/2022,Nowhere-ville,clash,2\n", encoding="utf-8")
    >>> result = read_events(path, today="2024-01-01")
    >>> result.accepted[["source_row", "event_date", "event_type", "adm1_pcode"]]
       source_row event_date                  event_type adm1_pcode
    0           2 2022-09-12  Violence against civilians       ML07
    >>> result.rejected[["source_row", "field"]].values.tolist()
    [[3, 'place']]
    """
    options = Options(columns, dayfirst, today, gazetteer, fuzzy_threshold, on_unmatched,
                      merge_duplicates, sheet, layer, encoding, prefer, country, max_counts)
    return _Events.load(paths, options, vocabulary("events", event_types))



class _Events(Records):
    kind = "events"
    fields = ("date", "place", "lon", "lat", "country", "admin1", "admin2", "admin3",
              "event_type",
              "sub_event_type", "actor1", "actor2", "fatalities", "source", "notes",
              "is_synthetic", "event_id", "inter1")
    #: Merged actors of rows kept for dyadic repeats (``actor1, actor2`` by frame position).
    actors: pd.DataFrame | None = None
    day: pd.Series       #: each row's event day (set by ``run`` before ``accept``)
    killed: np.ndarray   #: each row's fatalities (NaN where missing or invalid)
    #: The day/month order of the date column when decided over more rows than the frame's
    #: (a file read in chunks); None: decided over the frame.
    date_order: tuple[bool | None, str] | None = None
    #: Date texts parsed by earlier chunks of the load (None: parse every distinct text).
    date_memo: DateMemo | None = None

    def check_repeats(self, x: np.ndarray, y: np.ndarray) -> None:
        """One record per event identifier: merge dyadic rows, reject conflicting repeats.

        A row whose identifier was seen on the row kept (see
        :func:`~sahelmap.loaders.duplicates.repeated_ids`) with the same date, place and
        fatalities is the same event written once per actor pair (ACLED's dyadic export):
        it is rejected as merged and its actors join the kept row's. With a different date,
        place or fatalities it is rejected naming both values: the event counts once, as the
        kept row says, never summed.
        """
        f = self.frame
        if f["event_id"].isna().all():
            self.actors = None
            return
        kept = repeated_ids(f["event_id"], self.problems.bad)
        repeat = (kept >= 0) & (kept != np.arange(len(f), dtype="int64"))
        rows, first = np.flatnonzero(repeat), kept[repeat]
        self.actors = None
        if not len(rows):
            return
        day = self.day.to_numpy(dtype="datetime64[ns]").view("int64")
        killed = np.nan_to_num(self.killed, nan=0.0)
        both = np.concatenate([rows, first])
        name = place_key(f, x, y, both).to_numpy(dtype=object)
        name = np.where(f["place"].isna().to_numpy()[both], "", name)  # coordinates apart
        xy = np.round(np.nan_to_num(x, nan=999.0), 4) + 1j * np.round(
            np.nan_to_num(y, nan=999.0), 4)
        differs = {
            "date": day[rows] != day[first],
            "place": name[:len(rows)] != name[len(rows):],
            "coordinates": xy[rows] != xy[first],
            "fatalities": killed[rows] != killed[first],
        }
        conflict = np.zeros(len(rows), dtype=bool)
        for mask in differs.values():
            conflict |= mask
        same_file = f["_file"].to_numpy()[rows] == f["_file"].to_numpy()[first]
        where = ("row " + f["source_row"].to_numpy()[first].astype(str).astype(object)
                 + np.where(same_file, "", " of " + f["source_file"].to_numpy(
                     dtype=object)[first]))
        reason = np.where(same_file, " (dyadic export; merged)",
                          " (same event identifier; merged)").astype(object)
        reason = MERGED_REPEAT + where + reason
        if conflict.any():
            shown = {
                "date": f["date"].to_numpy(dtype=object),
                "place": f["place"].to_numpy(dtype=object),
                "coordinates": (pd.Series(x).round(5).astype(str) + ", "
                                + pd.Series(y).round(5).astype(str)).to_numpy(dtype=object),
                "fatalities": killed.astype("int64").astype(str).astype(object),
            }
            detail = np.full(len(rows), "", dtype=object)
            for what, mask in differs.items():
                values = shown[what]
                piece = (what + " " + pd.Series(values[rows]).fillna("(none)").astype(str)
                         .to_numpy(dtype=object) + " here, " + pd.Series(values[first])
                         .fillna("(none)").astype(str).to_numpy(dtype=object) + " there")
                sep = np.where(detail == "", "", " and ").astype(object)
                detail = np.where(mask, detail + sep + piece, detail)
            reason = np.where(conflict, "event identifier repeats " + where
                              + " with different figures (" + detail
                              + "); the event is counted once, as " + where
                              + " gives it", reason)
        why = np.full(len(f), None, dtype=object)
        why[rows] = reason
        self.problems.add("event_id", repeat, f["event_id"], why)
        merged = rows[~conflict]
        if len(merged):
            group = np.concatenate([kept[merged], np.unique(kept[merged])])
            members = np.concatenate([merged, np.unique(kept[merged])])
            order = np.lexsort((members, group))
            self.actors = pd.DataFrame({
                name: _join_distinct(group[order], f[name].to_numpy(dtype=object)[
                    members[order]]) for name in ("actor1", "actor2")})

    def run(self) -> LoadResult:
        f, add = self.frame, self.problems.add
        dates = parse_dates(f["date"], dayfirst=self.options.dayfirst, order=self.date_order,
                            memo=self.date_memo)
        self.check_dates("date", dates, f["date"])
        add("date", dates.missing, f["date"], "missing date")
        self.check_unparsed("date", dates.unparsed, f["date"])
        add("date", (dates.precision == "month").to_numpy(), f["date"],
            "date gives a month, not a day")
        self.check_date_range(dates.start, f["date"], "date")
        x, y = self.check_place()
        fatalities = parse_counts(f["fatalities"], what="fatalities")
        old = pre2019_types(f["event_type"], f["inter1"], fatalities["value"].to_numpy())
        is_old = old["event_type"].notna()
        event_type = map_terms(f["event_type"], self.terms).where(~is_old,
                                                                  old["event_type"])
        sub_event_type = f["sub_event_type"].where(f["sub_event_type"].notna(),
                                                   old["sub_event_type"])
        given = f["event_type"].notna().to_numpy()
        add("event_type", ~given, f["event_type"], "missing event type")
        add("event_type", given & event_type.isna().to_numpy(), f["event_type"],
            "unknown event type (map it with event_types={...})")
        add("fatalities", fatalities["problem"].notna().to_numpy(), f["fatalities"],
            fatalities["problem"].to_numpy(dtype=object))
        self.check_bound("fatalities", fatalities["value"], f["fatalities"], "fatalities")
        self.day, self.killed = dates.start, fatalities["value"].to_numpy()
        good = self.accept(x, y)
        rows = good.rows
        day = dates.start.iloc[rows].astype("datetime64[ns]")
        kind = event_type.iloc[rows].astype("str")
        killed = fatalities["value"].iloc[rows].fillna(0).astype("int64")
        records = self.records(good, day, kind, sub_event_type.iloc[rows].astype("str"),
                               killed)
        keys = pd.DataFrame({
            "date": day.to_numpy(),
            "place": place_key(f, x, y, rows).to_numpy(),
            "type": kind.to_numpy(),
            "fatalities": killed.to_numpy(),
        })
        del day, kind, killed  # the records hold them: not a second copy during finish
        return self.finish(good.ok, keys, records)

    def records(self, good: Accepted, day: pd.Series, kind: pd.Series, sub_kind: pd.Series,
                killed: pd.Series) -> pd.DataFrame:
        """The accepted records, one per row of ``good``.

        Columns :data:`~sahelmap.vocab.EVENT_RECORD_COLUMNS`, the geocoder's, ``geometry``
        and ``_row`` (each record's frame position).
        """
        rows, acc = good.rows, good.frame
        actor1, actor2 = acc["actor1"], acc["actor2"]
        if self.actors is not None:
            actor1 = pd.Series(self.actors["actor1"].reindex(rows).to_numpy(dtype=object),
                               index=acc.index, dtype="str").fillna(actor1)
            actor2 = pd.Series(self.actors["actor2"].reindex(rows).to_numpy(dtype=object),
                               index=acc.index, dtype="str").fillna(actor2)
        records = good.common.assign(
            event_id=acc["event_id"], event_date=day, admin2=acc["admin2"], event_type=kind,
            sub_event_type=sub_kind, actor1=actor1, actor2=actor2, fatalities=killed,
            source=acc["source"], notes=acc["notes"], is_synthetic=good.synthetic,
        )[list(EVENT_RECORD_COLUMNS)]
        records = pd.concat([records, good.geocoded], axis=1)
        records["geometry"] = points(records["match_lon"], records["match_lat"])
        records["_row"] = rows
        return records




def _join_distinct(groups: np.ndarray, values: np.ndarray) -> pd.Series:
    """``"; "``-join the distinct non-NA values of each group (groups sorted), in order."""
    table = pd.DataFrame({"g": groups, "v": values}).dropna().drop_duplicates()
    g, v = table["g"].to_numpy(), table["v"].to_numpy(dtype=object)
    if not len(g):
        return pd.Series(dtype=object)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)]
    joined = v[starts].copy()
    for i in np.flatnonzero(ends - starts > 1):  # only events with several actors
        joined[i] = "; ".join(v[starts[i]:ends[i]])
    return pd.Series(joined, index=g[starts], dtype=object)
