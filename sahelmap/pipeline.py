"""The weekly product, end to end: report files in, map and tables out.

This is the only module that chains reading, geocoding, aggregating, rendering and writing;
each step lives in its own module and can be used alone from a notebook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from sahelmap.aggregate import iso_week_bounds
from sahelmap.errors import EmptyMapError, OptionError, PeriodError
from sahelmap.i18n import DEFAULT_LANG, check_lang, mapped_name, period_text, value_name
from sahelmap.outputs import WEEKLY_FILES, OutputFolder
from sahelmap.render.map_size import MAX_MAP_POINTS, check_map_size
from sahelmap.vocab import DEFAULT_STRUCTURE, VALUES

__all__ = ["Reports", "load_reports", "weekly", "aggregate_files"]

Step = Callable[[str, Callable[[], Any]], Any]
PathLikeStr = str | PathLike
#: Weeks the weekly map holds by default: the requested week and the 11 before it.
WEEKS_SHOWN = 12
#: Rows of an event file read at a time by the weekly job and ``aggregate``.
CHUNK_ROWS = 50_000


def whole_records(result: Any, window: tuple[Any, Any] | None = None
                  ) -> pd.DataFrame | None:
    """The accepted rows of a load with every column, None without a load.

    A load read in chunks keeps only the columns the aggregation reads for every row; with a
    date window (:func:`sahelmap.loaders.streaming.stream_events`), the rows of the window
    keep every column, in its ``detail``: those are the rows returned. ``window`` keeps the
    events dated within it (both ends included) of a load read whole too.
    """
    if result is None:
        return None
    detail = getattr(result, "detail", None)
    records = result.accepted if detail is None else detail
    if window is not None and "event_date" in records:
        inside = records["event_date"].between(*window)
        if not inside.all():  # a streamed load's detail is the window already: no copy
            records = records[inside]
    return records


@dataclass
class Reports:
    """What was read: the loaders' results for events and displacement (either may be None)."""

    events: Any = None
    displacement: Any = None
    event_counts: Any = None

    def _results(self) -> list[tuple[str, Any]]:
        return [(kind, result) for kind, result in (("events", self.events),
                                                    ("event_counts", self.event_counts),
                                                    ("displacement", self.displacement))
                if result is not None]

    def rejected(self) -> pd.DataFrame:
        """All rejected or unmatched rows, with a ``report`` column (events/displacement)."""
        parts = [result.rejected.assign(report=kind) for kind, result in self._results()]
        if not parts:
            return pd.DataFrame(columns=["report", "source_file", "source_row", "field",
                                         "value", "reason"])
        frame = pd.concat(parts, ignore_index=True)
        return frame[["report", *[c for c in frame.columns if c != "report"]]]

    def rejected_heads(self) -> pd.DataFrame:
        """:meth:`rejected` without the rows' cells: ``report, source_file`` to ``reason``.

        What counts per reason or field read; a streamed load's rows are not read back.
        """
        from sahelmap.vocab import REJECTED_COLUMNS

        parts = []
        for kind, result in self._results():
            head = result.rejected_head
            parts.append(head[[c for c in REJECTED_COLUMNS if c in head.columns]].assign(
                report=kind))
        if not parts:
            return pd.DataFrame(columns=["report", "source_file", "source_row", "field",
                                         "value", "reason"])
        frame = pd.concat(parts, ignore_index=True)
        return frame[["report", *[c for c in frame.columns if c != "report"]]]

    def write_rejected(self, path: PathLikeStr) -> Path:
        """Write :meth:`rejected` to ``path`` (CSV), a chunk at a time for streamed loads."""
        from sahelmap.io import write_csv, write_csv_parts

        results = self._results()
        if not any(hasattr(result, "rejected_parts") for _, result in results):
            return write_csv(self.rejected(), path)
        # the columns pandas.concat gives the frames, known before any row is read back
        names = [result.rejected_columns() if hasattr(result, "rejected_columns")
                 else list(result.rejected.columns) for _, result in results]
        union = pd.concat([pd.DataFrame(columns=n) for n in names]).columns
        columns = ["report", *[c for c in union if c != "report"]]

        def parts() -> Any:
            for kind, result in results:
                chunks = (result.rejected_parts() if hasattr(result, "rejected_parts")
                          else [result.rejected])
                for chunk in chunks:
                    yield chunk.assign(report=kind)

        return write_csv_parts(parts(), columns, path)

    def flagged(self, window: tuple[Any, Any] | None = None) -> pd.DataFrame:
        """Accepted rows placed with a caveat: by admin hint, against their point, snapped...

        One row per accepted report whose geocoding carries a flag (``point-admin-mismatch``,
        ``admin-hint``, ``fuzzy``, ``relative``, ``snapped``, ``swapped_latlon``...), with the
        reason. With a ``window`` (start, end), the events dated within it (those a weekly
        map shows; see :func:`whole_records`).
        """
        columns = ["report", "source_file", "source_row", "place", "flags", "reason", "method",
                   "confidence", "adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name"]
        parts = []
        for kind, result in (("events", self.events), ("displacement", self.displacement)):
            accepted = whole_records(result, window)
            if accepted is None or "flags" not in accepted:
                continue
            flagged = accepted[accepted["flags"].fillna("").astype(str) != ""]
            flagged = flagged.drop_duplicates(["source_file", "source_row"])
            parts.append(pd.DataFrame(flagged).assign(report=kind)[columns])
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True)

    def sources(self, window: tuple[Any, Any] | None = None) -> list[str]:
        """The distinct ``source`` values of the accepted reports (for the map's credits).

        With a ``window`` (start, end), of the events dated within it (and every
        displacement report).
        """
        found: dict[str, None] = {}
        for result in (self.events, self.displacement):
            accepted = whole_records(result, window)
            if accepted is not None and "source" in accepted:
                found.update(dict.fromkeys(accepted["source"].dropna().astype(str)))
        return [s for s in found if s.strip()]

    def summary(self) -> str:
        """One line per report kind: rows read, accepted, rejected."""
        return "\n".join(result.summary() for _, result in self._results())


def _boundary_layer(boundaries: Any) -> gpd.GeoDataFrame | None:
    """The user's boundaries as a frame (read from a file when given a path)."""
    from sahelmap.boundaries import read_boundaries

    if boundaries is None or isinstance(boundaries, gpd.GeoDataFrame):
        return boundaries
    return read_boundaries(boundaries)


def _geocoder(gazetteer: Any, boundaries: Any) -> tuple[Any, gpd.GeoDataFrame | None]:
    from sahelmap.geocoding import Geocoder

    layer = _boundary_layer(boundaries)
    if gazetteer is None and layer is None:
        return None, None
    return Geocoder(gazetteer, boundaries=layer), layer


def load_reports(events: Sequence[PathLikeStr] | PathLikeStr | None = None,
                 displacement: Sequence[PathLikeStr] | PathLikeStr | None = None, *,
                 gazetteer: Any = None, boundaries: Any = None, dayfirst: bool = True,
                 merge_duplicates: bool = True, step: Step | None = None,
                 event_options: Mapping[str, Any] | None = None,
                 displacement_options: Mapping[str, Any] | None = None,
                 chunk_rows: int | None = None, progress: Any = None,
                 window: tuple[Any, Any] | None = None, workers: int = 1) -> Reports:
    """Read, validate and geocode event and displacement report files.

    Parameters
    ----------
    events, displacement : path-like or list of path-likes, optional
        Report files (see :func:`sahelmap.loaders.read_events`).
    gazetteer : path-like, pandas.DataFrame or Geocoder, optional
        The user's own places, added to the bundled gazetteer.
    boundaries : path-like or geopandas.GeoDataFrame, optional
        Official boundaries (with ADM2) to locate points in.
    dayfirst : bool
        Read ambiguous dates such as 09/12/2022 day first.
    merge_duplicates : bool
        Keep one row of each group of duplicate reports (the others are listed as rejected):
        the same report from several sources, or in several files. On by default here: a
        weekly job that counts an event twice because two exports overlap is wrong.
    step : callable, optional
        ``step(label, work)`` runs ``work()``; the CLI passes a progress bar.
    event_options, displacement_options : mapping, optional
        More keyword arguments for :func:`sahelmap.read_events` and
        :func:`sahelmap.read_displacement` (``columns``, ``event_types``, ``prefer``,
        ``country``...; see :mod:`sahelmap.schema`).
    chunk_rows : int, optional
        Read event files this many rows at a time, in bounded memory
        (:func:`sahelmap.loaders.streaming.stream_events`): the accepted events then hold
        only the columns the aggregation reads. Default: each file read whole.
    progress : tqdm-like, optional
        A progress bar over the event rows read in chunks (see ``chunk_rows``).
    window : (start, end), optional
        With ``chunk_rows``: the events dated within keep every column (see
        :func:`whole_records`), for a map of those dates.
    workers : int
        With ``chunk_rows``: processes that check and geocode the chunks (see
        :func:`~sahelmap.loaders.streaming.stream_events`); the result is the same.

    Returns
    -------
    Reports
    """
    from sahelmap.loaders import read_displacement, read_event_counts, read_events
    from sahelmap.loaders.counts import is_event_counts, table_header

    step = step or (lambda label, work: work())
    event_files = [events] if isinstance(events, (str, PathLike)) else list(events or ())
    # HAPI conflict-event tables given as events are counts per unit, not event reports
    counts = [p for p in event_files if is_event_counts(table_header(Path(p)))]
    events = [p for p in event_files if p not in counts]
    coder, _ = step("indexing places", lambda: _geocoder(gazetteer, boundaries))
    options = dict(gazetteer=coder, dayfirst=dayfirst, merge_duplicates=merge_duplicates)
    reports = Reports()
    if events and chunk_rows:
        from sahelmap.loaders.streaming import stream_events

        reports.events = step("reading events", lambda: stream_events(
            events, chunk_rows=chunk_rows, progress=progress, window=window,
            workers=workers, **options, **dict(event_options or {})))
    elif events:
        reports.events = step("reading events", lambda: read_events(
            events, **options, **dict(event_options or {})))
    if counts:
        reports.event_counts = step("reading event counts", lambda: read_event_counts(
            counts, pcode_version=(event_options or {}).get("pcode_version")))
    if displacement:
        reports.displacement = step("reading displacement", lambda: read_displacement(
            displacement, **options, **dict(displacement_options or {})))
    for _, result in reports._results():
        result.check()  # every row accepted or rejected, once: else a bug, said loudly
    return reports


def _summarize(reports: Reports, *, level: str, period: str, start: Any, end: Any,
               boundaries: Any, structure: str) -> gpd.GeoDataFrame:
    from sahelmap.aggregate import check_totals, summarize

    events = reports.events.accepted if reports.events is not None else None
    displacement = reports.displacement.accepted if reports.displacement is not None else None
    counts = reports.event_counts.accepted if reports.event_counts is not None else None
    table = summarize(events=events, displacement=displacement, level=level, period=period,
                      start=start, end=end, boundaries=boundaries, structure=structure,
                      event_counts=counts)
    check_totals(table, events=events, displacement=displacement, event_counts=counts)
    return table


def weekly(*, events: Sequence[PathLikeStr] = (), displacement: Sequence[PathLikeStr] = (),
           week: str, out_dir: PathLikeStr, gazetteer: Any = None, boundaries: Any = None,
           level: str = "adm1", structure: str = DEFAULT_STRUCTURE, value: str | None = None,
           scheme: str = "quantiles", k: int = 5,
           title: str | None = None, merge_duplicates: bool = True, dayfirst: bool = True,
           png: bool = True, allow_zero: bool = False,
           max_points: int | None = MAX_MAP_POINTS, step: Step | None = None,
           weeks: int = WEEKS_SHOWN, lang: str = DEFAULT_LANG, mode: str = "level",
           event_options: Mapping[str, Any] | None = None,
           displacement_options: Mapping[str, Any] | None = None,
           chunk_rows: int | None = CHUNK_ROWS, progress: Any = None) -> dict[str, Path]:
    """Write the weekly map (HTML, PNG), the report page, the per-unit figures and the rejects.

    The HTML map holds ``weeks`` weeks, the requested one and those before it (from the
    first week with an accepted report, if later), with a week selector; the PNG and
    ``regions.csv`` are the requested week; ``weeks.csv`` has every week shown (one row per
    unit and week, ``period`` column); ``report.html`` is a page for reports.

    The files are written into a temporary folder beside ``out_dir`` and swapped into place
    together (:class:`sahelmap.outputs.OutputFolder`): ``out_dir`` holds the previous run's
    complete set or this run's, never a mix, and a second run into the same folder is
    refused while one is writing. ``out_dir`` may hold only the files listed in
    :data:`sahelmap.outputs.WEEKLY_FILES` (anything else is refused, not deleted).

    Parameters
    ----------
    value : str, optional
        Figure of the choropleth (:data:`sahelmap.vocab.VALUES`). By default the first
        figure with data in the week: arrivals, idps, returns, departures when displacement
        files are given, else fatalities, then events (the manifest records the choice).
    allow_zero : bool
        Write the map even when ``value`` is zero in every unit of the week. Off by default:
        a map of zeros drawn from accepted reports is nearly always a misread column or the
        wrong ``value``, so it is refused (:class:`~sahelmap.errors.EmptyMapError`) with the
        figures the week does hold.
    max_points : int or None
        Refuse to draw more event points than this; ``None``: no limit. Above
        :data:`sahelmap.render.map_size.SLOW_MAP_POINTS` a warning says the map will be slow.
    weeks : int
        Weeks in the HTML map (with a week selector).
    lang : {"fr", "en"}
        Language of the map, the PNG and the report.
    mode : {"level", "change", "change_4w"}
        What the colours show (see :func:`sahelmap.crisis_map`).
    chunk_rows : int or None
        Event files are read this many rows at a time, in bounded memory whatever their
        size; only the events of the weeks shown keep every column (for the map,
        ``flagged.csv`` and the credits). ``None`` reads each file whole.
    progress : tqdm-like, optional
        A progress bar over the event rows read in chunks (rows per second, time left).

    Other parameters are those of :func:`load_reports` and :func:`sahelmap.summarize`.

    Returns
    -------
    dict
        ``{"map": map.html, "image": map.png, "weeks_image": weeks.png, "regions":
        regions.csv, "weeks": weeks.csv, "report": report.html, "rejected": rejected.csv,
        "flagged": flagged.csv, "manifest": manifest.json}`` (no images when ``png=False``).
        ``flagged.csv`` lists accepted rows placed with a caveat (see
        :meth:`Reports.flagged`).
    """
    from sahelmap.io import export, write_csv
    from sahelmap.render import crisis_map, save_html
    from sahelmap.render.report import save_report

    step = step or (lambda label, work: work())
    start, end = iso_week_bounds(week)
    label = f"{start:%G}-W{start:%V}"
    check_lang(lang)
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise OptionError(f"weeks must be a whole number of weeks >= 1, not {weeks!r}.")
    OutputFolder(out_dir, names=WEEKLY_FILES).check()  # refuse a bad --out before reading
    layer = _boundary_layer(boundaries)
    # event files are read in chunks, in bounded memory: every row for the tables, every
    # column only for the rows of the weeks the map may show
    window = (start - pd.Timedelta(weeks=weeks - 1), end + pd.Timedelta(hours=23, minutes=59))
    reports = load_reports(events, displacement, gazetteer=gazetteer, boundaries=layer,
                           dayfirst=dayfirst, merge_duplicates=merge_duplicates, step=step,
                           event_options=event_options,
                           displacement_options=displacement_options, chunk_rows=chunk_rows,
                           window=window, progress=progress)
    _refuse_empty_period(reports, start, end, label)
    table = step("aggregating", lambda: _summarize(reports, level=level, period=label,
                                                   start=None, end=None, boundaries=layer,
                                                   structure=structure))
    value = _map_value(table, value, reports, label, allow_zero)
    first = _first_week_shown(reports, start, weeks)
    shown = table if first == start else step("aggregating the weeks shown", lambda: _summarize(
        reports, level=level, period="week", start=first, end=end, boundaries=layer,
        structure=structure))
    reported = _reported_weeks(reports)
    drawn_weeks = _unreported_stocks(shown, reported)
    points = None
    if reports.events is not None:
        accepted = whole_records(reports.events)
        in_weeks = accepted["event_date"].between(first,
                                                  end + pd.Timedelta(hours=23, minutes=59))
        # events placed by the admin unit they name have no point: counted, not drawn
        points = accepted[in_weeks & accepted.geometry.notna()]
    heading = title or value_name(value, lang, title=True)
    period = period_text(label, lang)
    sources = reports.sources(window)
    off_map = _off_map(table, value)
    if off_map:  # figures of units without geometry: said on the map, listed in regions.csv
        sources = [*sources, off_map]
    check_map_size(0 if points is None else len(points), max_points)
    written = {}
    # every file goes into a temporary folder swapped with out_dir at the end: a stopped
    # run leaves the previous run's complete set (see sahelmap.outputs)
    with OutputFolder(out_dir, names=WEEKLY_FILES) as out:
        m = step("drawing the map", lambda: crisis_map(
            drawn_weeks[drawn_weeks.geometry.notna()], points, value=value, scheme=scheme,
            k=k, title=title or mapped_name(value, mode, lang, title=True), sources=sources,
            week=label, lang=lang, mode=mode))
        written["map"] = save_html(m, out / "map.html")
        if png:
            from sahelmap.render import save_static

            week_points = None if points is None else points[points["event_date"].between(
                start, end + pd.Timedelta(hours=23, minutes=59))]
            # the weeks shown, for the web map's classes (and the weeks before a change)
            written["image"] = step("drawing the PNG", lambda: save_static(
                drawn_weeks[drawn_weeks.geometry.notna()], week_points, path=out / "map.png",
                value=value, scheme=scheme, k=k,
                title=title or mapped_name(value, mode, lang, title=True), period=period,
                sources=sources, lang=lang, mode=mode, week=label))
        if png and shown["period"].nunique() > 1:
            from sahelmap.render.multiples import save_multiples

            written["weeks_image"] = step("drawing the last weeks", lambda: save_multiples(
                drawn_weeks[drawn_weeks.geometry.notna()], path=out / "weeks.png",
                value=value, scheme=scheme, k=k, title=heading, sources=sources, lang=lang))
        written["regions"] = export(table, out / "regions.csv")
        written["weeks"] = export(shown, out / "weeks.csv")
        written["report"] = step("writing the report", lambda: save_report(
            out / "report.html", drawn_weeks, week=label, value=value, title=heading,
            map_page=written["map"].read_text(encoding="utf-8"), image=written.get("image"),
            rejected=reports.rejected_heads(), counts=run_counts(reports, table),
            sources=sources,
            synthetic=_any_synthetic(reports, window), lang=lang))
        written["rejected"] = reports.write_rejected(out / "rejected.csv")
        written["flagged"] = write_csv(reports.flagged(window), out / "flagged.csv")
        written["manifest"] = _write_manifest(out / "manifest.json", reports, table, written, {
            "week": label, "level": level, "structure": structure, "value": value,
            "weeks": weeks, "weeks_shown": f"{first:%G}-W{first:%V} to {label}", "lang": lang,
            "mode": mode, "scheme": scheme, "classes": k, "allow_zero": allow_zero,
            "max_points": max_points, "merge_duplicates": merge_duplicates,
            "dayfirst": dayfirst, "gazetteer": str(gazetteer) if gazetteer else None,
            "boundaries": str(boundaries) if isinstance(boundaries, (str, PathLike)) else None,
            "events": dict(event_options or {}),
            "displacement": dict(displacement_options or {}),
        }, [*events, *displacement])
    final = Path(out_dir).expanduser().absolute()
    return {key: final / path.name for key, path in written.items()}


#: Bytes of HTML per event point of the canvas event layer (measured: 8.8 MB for 1M events).

def _reported_weeks(reports: Reports) -> dict[str, set[str]]:
    """Per stock figure (IDPs present), the ISO weeks (``2022-W37``) holding a count."""
    from sahelmap.vocab import STOCK_FIGURES

    result = reports.displacement
    weeks: dict[str, set[str]] = {figure: set() for figure in STOCK_FIGURES}
    if result is None or not len(result.accepted):
        return weeks
    acc = result.accepted
    for figure in STOCK_FIGURES:
        dates = pd.to_datetime(acc.loc[acc["figure_type"] == figure, "date"]).dropna()
        iso = dates.dt.isocalendar()
        weeks[figure] = set(iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2))
    return weeks


def _unreported_stocks(table: gpd.GeoDataFrame, reported: dict[str, set[str]]
                       ) -> gpd.GeoDataFrame:
    """The table with stock figures (IDPs present) missing in weeks no report counted them.

    A stock is a snapshot: a week without one (between two DTM rounds, or with no
    displacement file at all) does not mean nobody is displaced, so the map says "no data"
    rather than 0. The tables written keep the aggregation's zeros. ``reported`` is
    :func:`_reported_weeks`.
    """
    out = table.copy()
    for figure, weeks in reported.items():
        if figure in out.columns:
            out[figure] = out[figure].astype(float).where(out["period"].astype(str).isin(weeks))
    return out


def _any_synthetic(reports: Reports, window: tuple[Any, Any] | None = None) -> bool:
    """Whether any accepted row is flagged ``is_synthetic`` (test data, said in the report)."""
    return any("is_synthetic" in records and records["is_synthetic"].eq(True).any()
               for records in (whole_records(result, window)
                               for _, result in reports._results()))


def _first_week_shown(reports: Reports, start: pd.Timestamp, weeks: int) -> pd.Timestamp:
    """Monday of the first week the map shows.

    ``weeks - 1`` weeks before ``start``, or later if no report is that old: weeks before
    every report would be a map of zeros.
    """
    first = start - pd.Timedelta(weeks=weeks - 1)
    dates = _dates(reports)
    if len(dates):
        oldest = dates.min().normalize()
        first = max(first, oldest - pd.Timedelta(days=oldest.weekday()))
    return min(first, start)


def run_counts(reports: Reports, table: gpd.GeoDataFrame) -> dict[str, Any]:
    """What a run read, accepted, rejected, merged and left outside the period."""
    values = [c for c in ("events", "fatalities", "arrivals", "idps", "returns", "departures")
              if c in table.columns]
    return {
        "inputs": {kind: result.counts() for kind, result in reports._results()},
        "notes": [note for _, result in reports._results() for note in result.notes],
        "outside_period": int(table.attrs.get("excluded_rows", 0)),
        "units_with_data": int((table[values].sum(axis=1) > 0).sum()) if values else 0,
        "units": int(len(table)),
    }


def _write_manifest(path: Path, reports: Reports, table: gpd.GeoDataFrame,
                    written: dict[str, Path], options: dict[str, Any],
                    inputs: Sequence[PathLikeStr]) -> Path:
    """``manifest.json``: inputs and their SHA-256, options, counts, version, files written."""
    import hashlib
    import json
    from importlib.metadata import PackageNotFoundError, version

    def sha256(file: PathLikeStr) -> str:
        digest = hashlib.sha256()
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    try:
        release = version("sahelmap")
    except PackageNotFoundError:  # a checkout never installed
        release = "0+unknown"
    manifest = {
        "sahelmap": release,
        "inputs": [{"path": str(p), "sha256": sha256(p)} for p in inputs],
        "options": options,
        "counts": run_counts(reports, table),
        "files": sorted([p.name for p in written.values()] + [path.name]),
        # each file's checksum: a reader can tell a complete file from a damaged one
        "sha256": {p.name: sha256(p) for p in sorted(written.values())},
    }
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path


def _dates(reports: Reports) -> pd.Series:
    """Every accepted row's date (events, counts and displacement)."""
    parts = []
    for kind, result in reports._results():
        column = {"events": "event_date", "event_counts": "period_start"}.get(kind, "date")
        if len(result.accepted) and column in result.accepted:
            parts.append(pd.to_datetime(result.accepted[column]))
    return pd.concat(parts, ignore_index=True).dropna() if parts else pd.Series(
        dtype="datetime64[ns]")


def _refuse_empty_period(reports: Reports, start: pd.Timestamp, end: pd.Timestamp,
                         label: str) -> None:
    """A week with no report is an error naming the dates the reports do cover."""
    dates = _dates(reports)
    inside = dates.between(start, end + pd.Timedelta(hours=23, minutes=59))
    counts = reports.event_counts.accepted if reports.event_counts is not None else None
    overlap = counts is not None and bool(((counts["period_start"] <= end)
                                           & (counts["period_end"] >= start)).any())
    if inside.any() or overlap:  # counts that straddle the week are refused when summed
        return
    if not len(dates):
        raise PeriodError(f"no report was accepted, so there is nothing to map for {label}; "
                          f"see rejected rows with 'sahelmap aggregate --rejected'.\n"
                          f"{reports.summary()}")
    first, last = dates.min(), dates.max()
    weeks = f"{first:%G}-W{first:%V} to {last:%G}-W{last:%V}"
    raise PeriodError(f"no accepted report falls in {label} ({start:%d %b %Y} to "
                      f"{end:%d %b %Y}); the reports cover {first:%d %b %Y} to "
                      f"{last:%d %b %Y} ({weeks}): choose a --week in that range")


def _map_value(table: gpd.GeoDataFrame, value: str | None, reports: Reports, label: str,
               allow_zero: bool) -> str:
    """The figure to draw: ``value``, or the first with data; refuse a map of zeros."""
    from sahelmap.render._text import fmt_number

    order = ("arrivals", "idps", "returns", "departures") \
        if reports.displacement is not None else ("fatalities", "events")
    totals = {c: int(pd.to_numeric(table[c]).sum()) for c in VALUES if c in table.columns}
    if value is None:
        value = next((c for c in order if totals.get(c)), order[0])
    if totals.get(value) or allow_zero:
        return value
    ranked = [*order, *(c for c in totals if c not in order)]
    held = [f"{c} {fmt_number(totals[c])}" for c in ranked if totals.get(c)]
    files = " ".join(str(f) for _, r in reports._results()
                     for f in dict.fromkeys(r.accepted.get("source_file", pd.Series(
                         dtype=object)).astype(str)))
    hint = (f"the week holds {', '.join(held)}: choose --value "
            f"{held[0].split()[0]}" if held else "every figure of the week is zero")
    hint += _stock_rounds(reports, value)
    raise EmptyMapError(
        f"the map of {value} for {label} would be zero in every unit although reports were "
        f"accepted; {hint}. If a column was misread, see how each column is understood with "
        f"'sahelmap inspect {files or 'FILE'}' and map it with --columns/--displacement-columns;"
        " to publish a map of zeros on purpose, pass --allow-zero")


def _stock_rounds(reports: Reports, value: str) -> str:
    """For a stock (IDPs present), the weeks that do hold a count, as a hint."""
    weeks = sorted(_reported_weeks(reports).get(value, ()))
    if not weeks:
        return ""
    shown = ", ".join(weeks[-4:])
    return (f"; {value} is a count of people present, reported by rounds: the weeks with a "
            f"count are {shown}{' (latest 4)' if len(weeks) > 4 else ''} (choose one with "
            f"--week, or pass --allow-zero to map the weeks shown with 'no data' in between)")


def _off_map(table: gpd.GeoDataFrame, value: str) -> str | None:
    """One line naming the units without geometry that hold figures, or None."""
    from sahelmap.render._text import fmt_number

    values = [c for c in (value, "events", "fatalities") if c in table.columns]
    hidden = table[table.geometry.isna() & (table[values].sum(axis=1) > 0)]
    if not len(hidden):
        return None
    parts = []
    for _, row in hidden.iterrows():
        figures = ", ".join(f"{c} {fmt_number(row[c])}" for c in values if row[c])
        parts.append(f"{row['unit_name']} ({figures})")
    return "Not on the map (no geometry; in regions.csv): " + "; ".join(parts)


def aggregate_files(*, events: Sequence[PathLikeStr] = (),
                    displacement: Sequence[PathLikeStr] = (), out: PathLikeStr,
                    rejected: PathLikeStr | None = None, level: str = "adm1",
                    structure: str = DEFAULT_STRUCTURE, period: str = "week",
                    start: Any = None, end: Any = None, gazetteer: Any = None,
                    boundaries: Any = None, dayfirst: bool = True,
                    merge_duplicates: bool = True,
                    event_options: Mapping[str, Any] | None = None,
                    displacement_options: Mapping[str, Any] | None = None,
                    chunk_rows: int = CHUNK_ROWS, progress: Any = None,
                    workers: int = 1) -> str:
    """Aggregate report files per unit and period into ``out`` (.csv, .geojson, .gpkg).

    Event files are read ``chunk_rows`` rows at a time, so memory stays bounded whatever
    their size (see :func:`sahelmap.loaders.streaming.stream_events`), their chunks checked
    by ``workers`` processes; ``progress`` is a tqdm-like bar over their rows. Returns a
    short summary of what was read, accepted and rejected.
    """
    from sahelmap.io import export

    layer = _boundary_layer(boundaries)
    reports = load_reports(events, displacement, gazetteer=gazetteer, boundaries=layer,
                           dayfirst=dayfirst, merge_duplicates=merge_duplicates,
                           event_options=event_options,
                           displacement_options=displacement_options,
                           chunk_rows=chunk_rows, progress=progress, workers=workers)
    table = _summarize(reports, level=level, period=period, start=start, end=end,
                       boundaries=layer, structure=structure)
    export(table, out)
    if rejected is not None:
        reports.write_rejected(rejected)
    left_out = table.attrs.get("excluded_rows")
    note = f"\n{left_out} accepted rows fall outside the period and are not counted" \
        if left_out else ""
    return f"{reports.summary()}\nwrote {len(table)} rows to {out}{note}"
