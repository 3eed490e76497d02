"""The ``sahelmap`` command line: a thin layer over the public API.

Every error becomes one line on stderr, never a traceback: exit code 2 for bad input or
usage (a missing file, a malformed week, a file sahelmap cannot read), 1 for a failure
(:attr:`sahelmap.SahelmapError.exit_code` says which). Choices such as ``--value`` come from
:mod:`sahelmap.vocab`. Progress goes to stderr.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from tqdm import tqdm

from sahelmap.datasets import example_path
from sahelmap.errors import SahelmapError
from sahelmap.render.map_size import MAX_MAP_POINTS
from sahelmap.vocab import DEFAULT_STRUCTURE, SCHEMES, STRUCTURES, VALUES

EXAMPLE_HELP = "Use the bundled example data (the 2022 Gao/Ménaka offensive)."


class _Failure(click.ClickException):
    """A one-line message on stderr and the given exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(" ".join(str(message).split()) or "failed")
        self.exit_code = exit_code


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every error into a message a person can act on (``SAHELMAP_DEBUG=1``: raise)."""
    try:
        yield
    except (click.ClickException, click.Abort, click.exceptions.Exit):
        raise
    except SahelmapError as exc:
        raise _Failure(str(exc), exc.exit_code) from None
    except FileNotFoundError as exc:
        raise _Failure(f"{exc.filename}: no such file", 2) from None
    except OSError as exc:  # permissions, a folder where a file is expected, a full disk...
        where = f"{exc.filename}: " if exc.filename else ""
        raise _Failure(f"{where}{exc.strerror or exc}", 2) from None
    except Exception as exc:
        if os.environ.get("SAHELMAP_DEBUG"):
            raise
        raise _Failure(f"internal error ({type(exc).__name__}: {exc}); please report it with "
                       "the command you ran (SAHELMAP_DEBUG=1 shows the traceback)", 1) from None


class _Group(click.Group):
    """The command group; every subcommand runs inside :func:`_errors`."""

    def invoke(self, ctx: click.Context) -> Any:
        with _errors(), warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return super().invoke(ctx)


def _show_warning(message: Warning | str, category: type[Warning], *args: Any,
                  **kwargs: Any) -> None:
    """A warning as one line on stderr ("warning: ..."), without Python's source line."""
    tqdm.write(f"warning: {message}", file=sys.stderr)


class _Steps:
    """A progress bar over the named steps of a long command (stderr, off with --quiet)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self._bar = tqdm(total=total, disable=quiet, file=sys.stderr, unit="step",
                         bar_format="{desc:<28}{bar:20} {n_fmt}/{total_fmt} [{elapsed}]")

    def run(self, label: str, work: Callable[[], Any]) -> Any:
        self._bar.set_description_str(label)
        result = work()
        self._bar.update(1)
        return result

    def close(self) -> None:
        self._bar.set_description_str("done")
        self._bar.close()

    def __enter__(self) -> _Steps:
        return self

    def __exit__(self, kind: type[BaseException] | None, *args: Any) -> None:
        if kind is not None:  # the error line follows on a clean line, without the bar
            self._bar.leave = False
            self._bar.close()


def _inputs(example: bool, events: tuple[str, ...], displacement: tuple[str, ...],
            gazetteer: str | None) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """The report files to read: the user's, or the bundled example's with --example."""
    if example:
        events = events or (str(example_path("events.csv")),)
        displacement = displacement or (str(example_path("displacement.csv")),)
        gazetteer = gazetteer or str(example_path("places.csv"))
    if not events and not displacement:
        raise click.UsageError("Give --events and/or --displacement files (or --example).")
    return events, displacement, gazetteer


def _reading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that say how to read the files (shared by weekly and aggregate)."""
    options = [
        click.option("--schema", type=click.Path(dir_okay=False),
                     help="A TOML job file with the options below for each report kind "
                          "(see 'sahelmap.schema'); options given here win."),
        click.option("--columns", help="Columns of the event files: 'File column=field,...' "
                                       "(field '-' ignores a column)."),
        click.option("--displacement-columns",
                     help="Columns of the displacement files, as --columns."),
        click.option("--event-types", type=click.Path(dir_okay=False),
                     help="CSV of your event terms: 'term,event_type' (an ACLED type)."),
        click.option("--prefer", type=click.Choice(["point", "admin"]), default=None,
                     help="When a row's point lies outside the admin unit it names: keep the "
                          "point (default) or the unit; flagged either way."),
        click.option("--country", help="Country of rows that give none (Mali or Niger)."),
        click.option("--max-count", "max_count", multiple=True, metavar="FIGURE=N",
                     help="Reject reports giving more than N of a figure as implausible "
                          "(defaults: fatalities=5000 per event; arrivals, idps, returns, "
                          "departures=5000000; households=1000000). Repeatable."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _job(ctx: click.Context, params: dict[str, Any]) -> tuple[dict, dict, dict]:
    """Reading options per kind, and the command's options with the schema's defaults."""
    from sahelmap.schema import Schema, parse_bounds, parse_columns, read_schema

    schema = read_schema(params["schema"]) if params.get("schema") else Schema()
    chosen = dict(params)
    for key, value in schema.job.items():  # the schema fills what the command line left
        name = {"classes": "k"}.get(key, key)
        if name == "dayfirst":
            name, value = "monthfirst", not value
        if name in chosen and ctx.get_parameter_source(name) == ParameterSource.DEFAULT:
            chosen[name] = value
    events = dict(schema.events)
    displacement = dict(schema.displacement)
    for options in (events, displacement):
        for key in ("prefer", "country"):
            if params.get(key) is not None:
                options[key] = params[key]
    columns = parse_columns(params.get("columns"), "--columns")
    if columns:
        events["columns"] = columns
    columns = parse_columns(params.get("displacement_columns"), "--displacement-columns")
    if columns:
        displacement["columns"] = columns
    if params.get("event_types"):
        events["event_types"] = _terms(params["event_types"])
    for key, bound in parse_bounds(params.get("max_count") or ()).items():
        options = events if key == "fatalities" else displacement
        options["max_counts"] = {**options.get("max_counts", {}), key: bound}
    return events, displacement, chosen


def _terms(path: str) -> dict[str, str]:
    """``{term: type}`` from a two-column CSV (header first)."""
    from sahelmap.errors import OptionError
    from sahelmap.loaders.files import read_table

    frame = read_table(path).frame
    if frame.shape[1] < 2:
        raise OptionError(f"--event-types {path}: needs two columns, 'term,event_type'; "
                          f"it has {list(frame.columns)}")
    pairs = frame.iloc[:, :2].dropna()
    return dict(zip(pairs.iloc[:, 0].str.strip(), pairs.iloc[:, 1].str.strip()))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sahelmap")
def main() -> None:
    """Map attacks and displacement in Mali and Niger from field reports, offline."""


@main.command()
@click.option("--events", "events_files", multiple=True, type=click.Path(dir_okay=False),
              help="Event reports (CSV, XLSX, GeoJSON, GPKG; ACLED and HXL layouts "
                   "recognised). Repeat for several files.")
@click.option("--displacement", "displacement_files", multiple=True,
              type=click.Path(dir_okay=False),
              help="Displacement reports (IOM-DTM-style tables). Repeat for several files.")
@click.option("--week", required=True, metavar="YYYY-Www",
              help="ISO week to map, e.g. 2022-W37.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for map.html, map.png, regions.csv, rejected.csv, flagged.csv and "
                   "manifest.json; replaced whole at the end of the run, so it may hold only "
                   "these files.")
@click.option("--gazetteer", type=click.Path(dir_okay=False),
              help="Your own places (CSV: name, lon, lat[, aliases]) for camps and villages "
                   "no public list has.")
@click.option("--boundaries", type=click.Path(dir_okay=False),
              help="Official boundaries (COD-AB or geoBoundaries file) to use instead of the "
                   "bundled ones for --level adm2.")
@click.option("--level", type=click.Choice(["adm1", "adm2"]), default="adm1",
              show_default=True, help="Admin level of the figures: regions, or cercles "
                                      "(Mali) and departments (Niger).")
@click.option("--structure", type=click.Choice(STRUCTURES), default=DEFAULT_STRUCTURE,
              show_default=True, help="Mali's regions: the 19 + Bamako in force since 2023, "
                                      "or the 10 of 2016-2023.")
@click.option("--value", default=None, type=click.Choice(VALUES),
              help="Figure shown by the choropleth (default: the first with data in the "
                   "week: arrivals, idps, returns, departures with displacement files, else "
                   "fatalities, then events).")
@click.option("--allow-zero", is_flag=True,
              help="Write the map even when the figure is zero in every unit (refused by "
                   "default: usually a misread column or the wrong --value).")
@click.option("--scheme", default="quantiles", show_default=True,
              type=click.Choice(SCHEMES),
              help="Classification of the choropleth.")
@click.option("--classes", "k", default=5, show_default=True, type=click.IntRange(2, 9),
              help="Number of classes.")
@click.option("--title", default=None, help="Map title (default: names the figure and week).")
@click.option("--merge-duplicates/--keep-duplicates", default=True, show_default=True,
              help="Merge reports of the same event/figure from several sources or files "
                   "(the others are listed in rejected.csv).")
@click.option("--monthfirst", is_flag=True,
              help="Read ambiguous dates like 09/12/2022 month first (default: day first).")
@click.option("--png/--no-png", default=True, show_default=True,
              help="Also write the 300 dpi PNG for reports.")
@click.option("--max-points", default=MAX_MAP_POINTS, show_default=True,
              type=click.IntRange(0), help="Refuse to draw a map of more event points than "
                                           "this (browsers struggle with larger maps).")
@click.option("--weeks", "weeks", default=12, show_default=True, type=click.IntRange(1, 104),
              help="Weeks in the HTML map: --week and those before it, with a week selector "
                   "(not before the first report).")
@click.option("--mode", type=click.Choice(["level", "change", "change-4w"]), default="level",
              show_default=True,
              help="Map the figure, its change from the previous week, or its change from the "
                   "mean of the 4 weeks before (diverging colours centred on zero).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              envvar="SAHELMAP_LANG", show_envvar=True,
              help="Language of the map and report: French or English.")
@click.option("--example", is_flag=True, help=EXAMPLE_HELP)
@_reading_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def weekly(ctx: click.Context, **params: Any) -> None:
    """Write the weekly map (HTML and PNG), the per-region CSV and the rejected rows.

    \b
    Example:
      sahelmap weekly --example --week 2022-W37 --out weekly/
      sahelmap weekly --events acled.csv --displacement dtm.xlsx \\
          --gazetteer camps.csv --week 2022-W37 --out weekly/
    """  # noqa: D301 (click's \b marker must be a real backspace)
    import sahelmap

    event_options, displacement_options, p = _job(ctx, params)
    events_files, displacement_files, gazetteer = _inputs(
        p["example"], p["events_files"], p["displacement_files"], p["gazetteer"])
    # the rows of the event files, read in chunks, under the bar of the steps
    rows = tqdm(disable=p["quiet"], file=sys.stderr, unit=" rows", unit_scale=True,
                desc="  rows", leave=False, mininterval=1.0, position=1)
    with _errors(), _Steps(total=7 + 2 * p["png"], quiet=p["quiet"]) as steps, rows:
        written = sahelmap.weekly(
            events=list(events_files), displacement=list(displacement_files), week=p["week"],
            out_dir=Path(p["out_dir"]), gazetteer=gazetteer, boundaries=p["boundaries"],
            level=p["level"], structure=p["structure"], value=p["value"], scheme=p["scheme"],
            k=p["k"], title=p["title"], merge_duplicates=p["merge_duplicates"],
            dayfirst=not p["monthfirst"], png=p["png"], allow_zero=p["allow_zero"],
            max_points=p["max_points"], step=steps.run, weeks=p["weeks"],
            lang=p["lang"], mode=p["mode"].replace("-", "_"), event_options=event_options,
            displacement_options=displacement_options, progress=rows,
        )
    steps.close()
    _print_run(written["manifest"])
    for label, path in written.items():
        click.echo(f"{label:<12} {path}")


def _print_run(manifest: Path) -> None:
    """The run's counts, from its manifest, on stderr."""
    import json

    run = json.loads(manifest.read_text(encoding="utf-8"))
    counts = run["counts"]
    for note in counts.get("notes", ()):
        click.echo(f"note: {note}", err=True)
    for kind, c in counts["inputs"].items():
        reasons = ", ".join(f"{k} {v:,}" for k, v in c["rejected_by_field"].items())
        click.echo(f"{kind}: {c['read']:,} rows read, {c['accepted']:,} accepted, "
                   f"{c['rejected']:,} rejected{f' ({reasons})' if reasons else ''}, "
                   f"{c['merged']:,} duplicates merged", err=True)
    click.echo(f"{counts['outside_period']:,} accepted rows outside the week; "
               f"{counts['units_with_data']:,} of {counts['units']:,} units with data; "
               f"the map shows {run['options']['value']}", err=True)


@main.command("geocode")
@click.argument("table", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Output CSV: the input columns plus the geocoder's.")
@click.option("--name-column", default="place", show_default=True,
              help="Column with the place name.")
@click.option("--lon-column", default="lon", show_default=True)
@click.option("--lat-column", default="lat", show_default=True)
@click.option("--country-column", default="country", show_default=True)
@click.option("--admin1-column", default="admin1", show_default=True)
@click.option("--gazetteer", type=click.Path(dir_okay=False),
              help="Your own places (CSV: name, lon, lat[, aliases]).")
@click.option("--threshold", default=85.0, show_default=True, type=click.FloatRange(0, 100),
              help="Minimum similarity (0-100) for a misspelt name to match.")
def geocode_command(table: str, out: str, name_column: str, lon_column: str,
                    lat_column: str, country_column: str, admin1_column: str,
                    gazetteer: str | None, threshold: float) -> None:
    """Geocode the places of a CSV table into admin units with P-codes.

    Every row is written, matched or not; a summary of statuses goes to stderr.
    """
    from sahelmap import geocode_frame
    from sahelmap.io import write_csv
    from sahelmap.loaders.files import read_table

    with _errors():
        # the loaders' reader: encodings, separators, title rows, XLSX and GeoJSON too
        frame = read_table(table).frame
        if name_column not in frame and lon_column not in frame:
            raise click.UsageError(
                f"{table} has neither a {name_column!r} column nor a {lon_column!r} column; "
                f"it has {list(frame.columns)}. Use --name-column.")
        result = geocode_frame(frame, name=name_column, lon=lon_column, lat=lat_column,
                               country=country_column, admin1=admin1_column,
                               gazetteer=gazetteer, fuzzy_threshold=threshold)
        clash = {c: f"{c}_geocoded" for c in result.columns if c in frame.columns}
        write_csv(frame.join(result.rename(columns=clash)), out)
    counts = result["status"].value_counts().to_dict()
    click.echo(", ".join(f"{n} {s}" for s, n in counts.items()), err=True)


@main.command()
@click.option("--events", "events_files", multiple=True, type=click.Path(dir_okay=False))
@click.option("--displacement", "displacement_files", multiple=True,
              type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .csv, .geojson or .gpkg.")
@click.option("--rejected", type=click.Path(dir_okay=False),
              help="CSV for the rows that were rejected or not matched.")
@click.option("--level", type=click.Choice(["adm1", "adm2"]), default="adm1",
              show_default=True)
@click.option("--structure", type=click.Choice(STRUCTURES), default=DEFAULT_STRUCTURE,
              show_default=True, help="Mali's regions: since 2023, or of 2016-2023.")
@click.option("--period", default="week", show_default=True,
              help="week, month, all, or one ISO week such as 2022-W37.")
@click.option("--start", default=None, help="First day counted (YYYY-MM-DD).")
@click.option("--end", default=None, help="Last day counted (YYYY-MM-DD).")
@click.option("--gazetteer", type=click.Path(dir_okay=False))
@click.option("--boundaries", type=click.Path(dir_okay=False))
@click.option("--merge-duplicates/--keep-duplicates", default=True, show_default=True,
              help="Merge reports of the same event/figure from several sources or files "
                   "(the others are listed in rejected.csv).")
@click.option("--monthfirst", is_flag=True,
              help="Read ambiguous dates like 09/12/2022 month first (default: day first).")
@click.option("--example", is_flag=True, help=EXAMPLE_HELP)
@_reading_options
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes that check and geocode the event rows while this one reads "
                   "and merges (same output). 2 on two cores: about 1.25x faster; more "
                   "than the cores is slower. Each worker takes about 200 MB (its copy of "
                   "the geocoder's memory and a few chunks): +330 MB in all for 2 workers "
                   "on a 1M-row file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def aggregate(ctx: click.Context, **params: Any) -> None:
    """Count events, fatalities and displacement per admin unit and period."""
    from sahelmap import pipeline

    event_options, displacement_options, p = _job(ctx, params)
    events_files, displacement_files, gazetteer = _inputs(
        p["example"], p["events_files"], p["displacement_files"], p["gazetteer"])
    bar = tqdm(disable=p.get("quiet", False), file=sys.stderr, unit=" rows", unit_scale=True,
               desc="reading events", leave=False, mininterval=1.0)
    with _errors(), bar:
        summary = pipeline.aggregate_files(
            events=list(events_files), displacement=list(displacement_files),
            out=Path(p["out"]), rejected=Path(p["rejected"]) if p["rejected"] else None,
            level=p["level"], structure=p["structure"], period=p["period"], start=p["start"],
            end=p["end"], gazetteer=gazetteer, boundaries=p["boundaries"],
            dayfirst=not p["monthfirst"], merge_duplicates=p["merge_duplicates"],
            event_options=event_options, displacement_options=displacement_options,
            progress=bar, workers=p["workers"])
    click.echo(summary, err=True)


@main.command("inspect")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--columns", help="Columns of the files: 'File column=field,...' (field '-' "
                                "ignores a column), as a load would take them.")
@click.option("--kind", type=click.Choice(["events", "displacement"]), default=None,
              help="Read the files as events or displacement (default: ACLED files as "
                   "events, the others as displacement).")
@click.option("--sheet", default=None, help="Workbook sheet to read (default: the data sheet).")
@click.option("--gazetteer", type=click.Path(dir_okay=False))
@click.option("--country", help="Country of rows that give none (Mali or Niger).")
@click.option("--monthfirst", is_flag=True,
              help="Read ambiguous dates like 09/12/2022 month first (default: day first).")
@click.option("--no-load", is_flag=True, help="Only the columns and dates; skip the load.")
def inspect_command(files: tuple[str, ...], columns: str | None, kind: str | None,
                    sheet: str | None, gazetteer: str | None, country: str | None,
                    monthfirst: bool, no_load: bool) -> None:
    """Say how sahelmap reads FILES: layout, each column's meaning, dates, rejections.

    \b
    Example:
      sahelmap inspect dtm_mali_round22.xlsx hapi_idps.csv
    """  # noqa: D301 (click's \b marker must be a real backspace)
    from sahelmap.inspection import inspect
    from sahelmap.schema import parse_columns

    with _errors():
        report = inspect(list(files), columns=parse_columns(columns, "--columns"), kind=kind,
                         sheet=sheet, gazetteer=gazetteer, country=country,
                         dayfirst=not monthfirst, load=not no_load)
    click.echo(str(report))


@main.group()
def gazetteer() -> None:
    """Your own places: learn them from past reports that carry names and coordinates."""


@gazetteer.command("learn")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The user gazetteer to write (CSV: name, lon, lat, aliases, ...).")
@click.option("--min-distance", "min_distance_km", default=25.0, show_default=True,
              type=click.FloatRange(0, min_open=True),
              help="Same-name places farther apart (km) stay separate, so never averaged.")
@click.option("--check", "check_files", multiple=True, type=click.Path(dir_okay=False),
              help="Report files with place names only: say how many of their names the "
                   "learnt gazetteer knows. Repeat for several files.")
def gazetteer_learn(files: tuple[str, ...], out: str, min_distance_km: float,
                    check_files: tuple[str, ...]) -> None:
    """Collect (name, position) from FILES (e.g. past ACLED exports) into a user gazetteer.

    \b
    Example:
      sahelmap gazetteer learn acled_2023.csv acled_2024.csv --out places.csv \\
          --check field_reports.xlsx
      sahelmap weekly --events field_reports.xlsx --gazetteer places.csv ...
    """  # noqa: D301 (click's \b marker must be a real backspace)
    from sahelmap.gazetteer import coverage, learn_gazetteer
    from sahelmap.io import write_csv
    from sahelmap.loaders.columns import recognise_columns
    from sahelmap.loaders.files import read_table

    with _errors():
        learned = learn_gazetteer(list(files), min_distance_km=min_distance_km)
        write_csv(learned, out)
        click.echo(f"{len(learned):,} places learnt from {len(files)} file(s) into {out}",
                   err=True)
        for path in check_files:
            table = read_table(path).frame
            column = recognise_columns(list(table.columns), kind="events").get("place")
            if column is None:
                raise click.UsageError(f"--check {path}: no place column found")
            found = coverage(table[column], learned)
            click.echo(f"{path}: {found.n_rows_known:,} of {found.n_rows:,} rows "
                       f"({found.n_known:,} of {found.n_names:,} names) are known", err=True)


@main.group()
def boundaries() -> None:
    """Official boundary files (with ADM2): list the pinned ones, download one."""


@boundaries.command("list")
def boundaries_list() -> None:
    """List the pinned boundary files that can be downloaded."""
    from sahelmap.download import CATALOGUE, cached_path

    for name, source in CATALOGUE.items():
        state = "cached" if cached_path(name) else "not downloaded"
        pin = "sha256 pinned" if source.sha256 else "sha256 NOT pinned (use --sha256)"
        click.echo(f"{name:<26} {state:<15} {pin}\n    {source.description}\n    {source.url}")


@boundaries.command("download")
@click.argument("name", required=False)
@click.option("--url", help="Download this URL instead (a mirror, or another file).")
@click.option("--sha256", help="Expected SHA-256 of the file (required where none is pinned).")
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Cache folder (default: the per-user cache, or $SAHELMAP_CACHE_DIR).")
def boundaries_download(name: str | None, url: str | None, sha256: str | None,
                        directory: str | None) -> None:
    """Download a boundary file, check its SHA-256 and cache it; print its path."""
    from sahelmap.download import download_boundaries

    if not name and not url:
        raise click.UsageError("Name a file (see 'sahelmap boundaries list') or give --url.")
    with _errors():
        path = download_boundaries(name, url=url, sha256=sha256, directory=directory,
                                   progress=sys.stderr.isatty())
    click.echo(str(path))


if __name__ == "__main__":  # pragma: no cover
    main()
