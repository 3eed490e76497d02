"""Event reports (attacks, clashes, massacres) to records: :func:`read_events`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sahelmap.loaders.checks import map_terms, parse_counts
from sahelmap.loaders.dates import parse_dates
from sahelmap.loaders.duplicates import place_key
from sahelmap.loaders.records import Records, points
from sahelmap.loaders.result import LoadResult
from sahelmap.loaders.tables import OnUnmatched, Options, PathOrPaths
from sahelmap.vocab import EVENT_RECORD_COLUMNS, vocabulary

__all__ = ["read_events"]


def read_events(paths: PathOrPaths, *, columns: Mapping[str, str | None] | None = None,
                event_types: Mapping[str, str] | None = None, dayfirst: bool = True,
                today: Any = None, gazetteer: Any = None, fuzzy_threshold: float = 85.0,
                on_unmatched: OnUnmatched = "reject", merge_duplicates: bool = False,
                sheet: str | int | None = None, layer: str | int | None = None,
                encoding: str | None = None) -> LoadResult:
    r"""Read event reports (attacks, clashes, massacres) from one or more files.

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
                      merge_duplicates, sheet, layer, encoding)
    return _Events.load(paths, options, vocabulary("events", event_types))



class _Events(Records):
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
        good = self.accept(x, y)
        rows, acc = good.rows, good.frame
        records = good.common.assign(
            event_date=dates.start.iloc[rows].astype("datetime64[ns]"),
            admin2=acc["admin2"], event_type=event_type.iloc[rows].astype("str"),
            sub_event_type=acc["sub_event_type"], actor1=acc["actor1"], actor2=acc["actor2"],
            fatalities=fatalities["value"].iloc[rows].fillna(0).astype("int64"),
            source=acc["source"], notes=acc["notes"], is_synthetic=good.synthetic,
        )[list(EVENT_RECORD_COLUMNS)]
        records = pd.concat([records, good.geocoded], axis=1)
        records["geometry"] = points(records["match_lon"], records["match_lat"])
        records["_row"] = rows
        keys = pd.DataFrame({
            "date": records["event_date"].to_numpy(),
            "place": place_key(f, x, y, rows).to_numpy(),
            "type": records["event_type"].to_numpy(),
            "fatalities": records["fatalities"].to_numpy(),
        })
        return self.finish(good.ok, keys, records)


