"""End to end: ACLED-style event rows from a CSV on disk to a table per ADM2 and ISO week,
beside a hand-written pandas/geopandas pipeline and pyarrow's read of the same file.

Run: ``python benchmarks/bench_pipeline.py [--rows 1000000 5000000] [--repeat 1]``.
The file is ACLED-like (``write_events``): every row has coordinates (the position of its
place; ACLED always gives them), a ~150-character note of its own, ~5,000 place spellings,
admin columns, dyadic repeats, mixed date formats (``--xy-share 0.1`` gives the file of
earlier runs, with coordinates on 10% of rows). For each size, in the same run, each
measurement in its own process (peak = that process's max RSS, input included):

- floor: pyarrow's CSV reader reading the file, every column as text;
- peer: a competent hand-written pipeline, ``pd.read_csv`` (pyarrow engine, the five
  columns it needs) + dyadic rows dropped by ``event_id_cnty`` + dates parsed in two
  formats + geopandas ``sjoin`` (points within the bundled ADM2 units) + ``groupby`` unit
  and ISO week. It checks nothing, rejects nothing silently reported, and places no row
  by name;
- sahelmap aggregate: :func:`sahelmap.pipeline.aggregate_files` (what ``sahelmap
  aggregate`` runs: read in chunks, validated, geocoded, merged, aggregated, every row
  accepted or in the rejected file);
- sahelmap whole (up to ``--whole`` rows): ``read_events`` + ``summarize`` in memory;
- naive: row by row (csv module, one date parse and one ``geocode`` call per row) on a
  ``--naive-rows`` sample.

Targets (issue 13, 2-core machine): 1M rows under 15 s and 3 GB (whole load); the
streamed aggregate within 2x the floor is not met (see the ratio printed).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent


def write_events(path: Path, rows: int, seed: int = 7, distinct_notes: bool = False,
                 xy_share: float | None = None) -> None:
    """An ACLED-style CSV: ~5,000 distinct place spellings, admin columns, mixed date formats,
    10% points.

    Every row has an ``event_id_cnty``; 5% of the rows repeat the row before with another
    ``actor2``, as ACLED's dyadic export writes an event once per actor pair (they are merged,
    so the file holds fewer events than rows).

    ``xy_share``: the share of rows given the coordinates of their place (the gazetteer's
    position of a known name, a point of the commune of the admin columns otherwise), as
    ACLED exports have; None keeps the file of earlier runs (10% random points).
    """
    sys.path.insert(0, str(HERE))
    from bench_geocode import distinct_names

    from sahelmap.boundaries import admin_units
    from sahelmap.geocoding import Geocoder

    rng = np.random.default_rng(seed)
    names = distinct_names(Geocoder(), 5_000, rng)
    days = pd.Timestamp("2022-01-03") + pd.to_timedelta(rng.integers(0, 364, rows), unit="D")
    iso = days.strftime("%Y-%m-%d").to_numpy(dtype=object)
    slash = days.strftime("%d/%m/%Y").to_numpy(dtype=object)
    style = rng.random(rows)
    dates = np.where(style < 0.8, iso, slash)
    lon = np.full(rows, "", dtype=object)
    lat = np.full(rows, "", dtype=object)
    with_xy = rng.random(rows) < 0.1
    lon[with_xy] = np.round(rng.uniform(-4.0, 4.0, with_xy.sum()), 4).astype(str)
    lat[with_xy] = np.round(rng.uniform(13.0, 17.0, with_xy.sum()), 4).astype(str)
    types = np.array(["Battles", "Violence against civilians", "Explosions/Remote violence",
                      "Riots", "Protests", "Strategic developments", "attack", "clash"])
    frame = pd.DataFrame({
        "event_date": dates,
        "event_type": types[rng.integers(0, len(types), rows)],
        "actor1": "Unidentified armed group",
        "actor2": "",
        "country": np.where(rng.random(rows) < 0.5, "Mali", ""),
        "location": rng.choice(names, rows),
        "latitude": lat, "longitude": lon,
        "fatalities": rng.negative_binomial(1, 0.3, rows),
        "source": rng.choice(["Source A", "Source B", "Source C"], rows),
        "notes": _notes(rng, rows) if distinct_notes else "benchmark row",
    })
    # ACLED's admin columns, consistent with the place as in real exports: the region and
    # cercle of the names the gazetteer knows; for the others (villages it lacks), those of
    # a random commune, which the rows then land in by admin hint.
    coder = Geocoder()
    known = coder.geocode_frame(pd.DataFrame({"place": names}))
    communes = admin_units("adm3", structure="2016")
    communes = communes[communes["adm3_pcode"].notna()].reset_index(drop=True)
    pick = rng.integers(0, len(communes), len(names))
    matched = (known["status"] == "matched").to_numpy()
    admin = {
        "admin1": np.where(matched, known["adm1_name"].to_numpy(dtype=object),
                           communes["adm1_name"].to_numpy(dtype=object)[pick]),
        "admin2": np.where(matched, known["adm2_name"].fillna("").to_numpy(dtype=object),
                           communes["adm2_name"].to_numpy(dtype=object)[pick]),
        "admin3": np.where(matched, "", communes["adm3_name"].to_numpy(dtype=object)[pick]),
    }
    index = pd.Index(names).get_indexer(frame["location"])
    for column, values in admin.items():
        frame.insert(frame.columns.get_loc("location"), column, values[index])
    if xy_share is not None:  # each name's own position (a separate stream: same file else)
        spot = communes.geometry.representative_point().to_numpy()[pick]
        x = np.where(matched, known["match_lon"].to_numpy(float), shapely.get_x(spot))
        y = np.where(matched, known["match_lat"].to_numpy(float), shapely.get_y(spot))
        given = np.random.default_rng(seed + 1).random(rows) < xy_share
        frame["longitude"] = np.where(given, np.round(x[index], 4).astype(str), "")
        frame["latitude"] = np.where(given, np.round(y[index], 4).astype(str), "")
    frame.insert(0, "event_id_cnty", [f"MLI{n}" for n in range(1, rows + 1)])
    dyadic = np.flatnonzero(rng.random(rows) < 0.05)
    dyadic = dyadic[dyadic > 0]
    frame.iloc[dyadic] = frame.iloc[dyadic - 1].to_numpy()
    frame.loc[frame.index[dyadic], "actor2"] = "Civilians (Mali)"
    frame.to_csv(path, index=False)


def events_file(folder: str | None, rows: int, xy_share: float = 1.0) -> Path:
    """The ACLED-like file of ``rows`` rows in ``folder`` (a new temporary one if None),
    written unless it is there from an earlier run."""
    where = Path(folder or tempfile.mkdtemp())
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"events_{rows}_xy{xy_share:g}.csv"
    if not path.exists():
        write_events(path, rows, distinct_notes=True, xy_share=xy_share)
    return path


def events_file_in_child(folder: Path, rows: int) -> Path:
    """``folder/events_{rows}.csv`` (the earlier runs' file: 10% random points), written
    unless it is there, by a child process: a child's peak RSS starts at its parent's, so a
    benchmark that measures in children must not have built the file itself."""
    path = folder / f"events_{rows}.csv"
    if not path.exists():
        code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import bench_pipeline; "
                f"bench_pipeline.write_events(__import__('pathlib').Path({str(path)!r}), "
                f"{rows}, distinct_notes=True)")
        subprocess.run([sys.executable, "-c", code], check=True)
    return path


def _notes(rng: np.random.Generator, rows: int) -> np.ndarray:
    """A distinct note per row, of the length of ACLED's (~150 characters), as real exports
    have: a constant note would hide the memory the text takes."""
    words = np.array(["On", "around", "date", "suspected", "JNIM", "ISGS", "militants",
                      "attacked", "a", "village", "near", "the", "army", "post", "killing",
                      "civilians", "and", "burning", "houses", "looting", "cattle", "(coded",
                      "as", "unidentified)", "reported", "by", "local", "sources", "."])
    picks = words[rng.integers(0, len(words), (rows, 22))]
    text = pd.Series([" ".join(p) for p in picks])
    return (text + " [" + pd.Series(np.arange(rows)).astype(str) + "]").to_numpy(dtype=object)


def warm(kind: str) -> None:
    """Import what ``kind`` uses before it is timed (its peak memory keeps them)."""
    import pyarrow.csv  # noqa: F401

    if kind != "floor":
        import geopandas  # noqa: F401

        import sahelmap.boundaries  # noqa: F401
    if kind in ("streamed", "whole", "naive"):
        import sahelmap.pipeline  # noqa: F401


def floor(path: str) -> dict:
    """pyarrow's CSV reader, every column as text."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    with open(path, encoding="utf-8") as handle:
        names = handle.readline().strip().split(",")
    table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in names}))
    return {"rows": table.num_rows}


def peer(path: str) -> dict:
    """A hand-written pandas + geopandas pipeline: read, dedupe, sjoin, group by week."""
    import geopandas as gpd

    from sahelmap.boundaries import admin_units

    units = admin_units("adm2")[["adm2_pcode", "geometry"]]
    frame = pd.read_csv(path, engine="pyarrow", dtype={"event_date": str},
                        usecols=["event_id_cnty", "event_date", "latitude", "longitude",
                                 "fatalities"])
    frame = frame.drop_duplicates("event_id_cnty")  # ACLED's dyadic rows: one event
    text = frame.pop("event_date")
    day = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    frame["day"] = day.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))
    points = gpd.GeoDataFrame(frame, crs=4326, geometry=gpd.points_from_xy(
        frame.pop("longitude"), frame.pop("latitude")))
    joined = gpd.sjoin(points, units, how="inner", predicate="within")
    iso = joined["day"].dt.isocalendar()
    week = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    table = joined.groupby(["adm2_pcode", week.rename("period")]).agg(
        events=("fatalities", "size"), fatalities=("fatalities", "sum"))
    return {"events_out": int(table["events"].sum()), "rows_out": len(table)}


def streamed(path: str) -> dict:
    """``sahelmap aggregate``: read in chunks, checked, geocoded, aggregated, written."""
    from sahelmap.pipeline import aggregate_files

    out = Path(path).with_suffix(".out.csv")
    summary = aggregate_files(events=[path], out=out, level="adm2", period="week",
                              rejected=Path(path).with_suffix(".rejected.csv"))
    table = pd.read_csv(out, usecols=["events"])
    return {"events_out": int(table["events"].sum()), "summary": summary.splitlines()[0]}


def whole(path: str) -> dict:
    """``read_events`` + ``summarize``, the file in memory at once (the notebook API)."""
    from sahelmap import read_events, summarize

    start = time.perf_counter()
    events = read_events(path, today="2023-01-01", merge_duplicates=True)
    loaded = time.perf_counter()
    table = summarize(events=events.accepted, level="adm2", period="week")
    return {"load_s": loaded - start, "aggregate_s": time.perf_counter() - loaded,
            "accepted": int(events.n_accepted), "rejected": int(len(events.rejected)),
            "events_out": int(table["events"].sum())}


def naive(path: str, limit: int) -> dict:
    """Row by row, as a first script would: no vectorisation, no deduplication."""
    from datetime import datetime

    from sahelmap.geocoding import geocode

    geocode("Gao")  # the gazetteer is indexed once, outside the timed loop
    start, start_cpu = time.perf_counter(), time.process_time()
    counts: dict[tuple, list[int]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            if i >= limit:
                break
            text = row["event_date"]
            try:
                day = datetime.strptime(text, "%Y-%m-%d")
            except ValueError:
                day = datetime.strptime(text, "%d/%m/%Y")
            lon = float(row["longitude"]) if row["longitude"] else None
            lat = float(row["latitude"]) if row["latitude"] else None
            place = geocode(row["location"], lon=lon, lat=lat, country=row["country"] or None)
            if place.status != "matched":
                continue
            year, week, _ = day.isocalendar()
            key = (place.adm2_pcode or f"{place.adm1_pcode}-UNK", f"{year}-W{week:02d}")
            total = counts.setdefault(key, [0, 0])
            total[0] += 1
            total[1] += int(row["fatalities"])
    return {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - start_cpu,
            "rows": limit}


def main() -> None:
    sys.path.insert(0, str(HERE))
    from _measure import in_child, load, ratio

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (best kept)")
    parser.add_argument("--whole", type=int, default=1_000_000,
                        help="also time read_events + summarize up to this many rows")
    parser.add_argument("--naive-rows", type=int, default=2_000)
    parser.add_argument("--xy-share", type=float, default=1.0)
    parser.add_argument("--dir", help="keep the generated files here (reused if present)")
    args = parser.parse_args()
    folder = args.dir or tempfile.mkdtemp()
    print(f"before: {load()}; each measurement in its own process, best of {args.repeat}")
    for rows in args.rows:
        path = events_file(folder, rows, args.xy_share)
        kinds = ["floor", "peer", "streamed"] + (["whole"] if rows <= args.whole else [])
        got = {kind: min((in_child("bench_pipeline", kind, str(path))
                          for _ in range(args.repeat)), key=lambda r: r["wall_s"])
               for kind in kinds}
        slow = in_child("bench_pipeline", "naive", str(path), args.naive_rows)
        print(f"\n{rows:,} rows, CSV {path.stat().st_size / 1e6:,.0f} MB "
              f"({args.xy_share:.0%} with coordinates)")
        print(f"  {'':<30} {'wall s':>8} {'CPU s':>8} {'rows/s':>11} {'peak MB':>8} "
              f"{'/ floor':>8} {'/ peer':>8}  events counted")
        labels = {"floor": "floor: pyarrow read", "peer": "peer: pandas + sjoin + groupby",
                  "streamed": "sahelmap aggregate (streamed)",
                  "whole": "read_events + summarize"}
        for kind in kinds:
            r = got[kind]
            print(f"  {labels[kind]:<30} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} "
                  f"{rows / r['wall_s']:>11,.0f} {r['peak_mb']:>8,.0f} "
                  f"{ratio(r['wall_s'], got['floor']['wall_s']):>8} "
                  f"{ratio(r['wall_s'], got['peer']['wall_s']):>8}  "
                  f"{r.get('events_out', '')}{'  ' + r['error'] if 'error' in r else ''}")
        print(f"  {'naive, per row':<30} {slow['wall_s'] / slow['rows'] * rows:>8.1f} "
              f"{slow['cpu_s'] / slow['rows'] * rows:>8.1f} "
              f"{slow['rows'] / slow['wall_s']:>11,.0f} {slow['peak_mb']:>8,.0f} "
              f"{ratio(slow['wall_s'] / slow['rows'] * rows, got['floor']['wall_s']):>8} "
              f"{ratio(slow['wall_s'] / slow['rows'] * rows, got['peer']['wall_s']):>8}  "
              f"(extrapolated from {slow['rows']:,} rows)")
        print(f"  {got['streamed'].get('summary', '')}")
        if "whole" in got:
            w = got["whole"]
            ok = w["wall_s"] < 15 and w["peak_mb"] < 3 * 1024
            target = (f"; target for 1M rows < 15 s and < 3 GB: {'met' if ok else 'NOT met'}"
                      if rows == 1_000_000 else "")
            print(f"  whole: load+validate+geocode {w['load_s']:.2f} s, aggregate "
                  f"{w['aggregate_s']:.2f} s; accepted {w['accepted']:,}, rejected "
                  f"{w['rejected']:,}{target}")
    print(f"\nafter: {load()}")


if __name__ == "__main__":
    main()
