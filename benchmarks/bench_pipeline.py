"""End to end: 1,000,000 event rows from a CSV on disk, loaded, validated, geocoded and
aggregated per ADM2 and ISO week.

Run: ``python benchmarks/bench_pipeline.py [--rows N]``. Each run happens in a child process
so that its peak memory (max RSS) is its own. Prints rows/s, wall time and peak memory beside
a naive row-by-row baseline (csv module, one date parse and one geocode call per row, dict
counters) measured in the same run on a sample. Target on a 2-core machine: under 15 s and
under 3 GB for 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def write_events(path: Path, rows: int, seed: int = 7, distinct_notes: bool = False) -> None:
    """An ACLED-style CSV: ~5,000 distinct place spellings, admin columns, mixed date formats,
    10% points.

    Every row has an ``event_id_cnty``; 5% of the rows repeat the row before with another
    ``actor2``, as ACLED's dyadic export writes an event once per actor pair (they are merged,
    so the file holds fewer events than rows).
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
    frame.insert(0, "event_id_cnty", [f"MLI{n}" for n in range(1, rows + 1)])
    dyadic = np.flatnonzero(rng.random(rows) < 0.05)
    dyadic = dyadic[dyadic > 0]
    frame.iloc[dyadic] = frame.iloc[dyadic - 1].to_numpy()
    frame.loc[frame.index[dyadic], "actor2"] = "Civilians (Mali)"
    frame.to_csv(path, index=False)


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


def fast(path: str) -> dict:
    from sahelmap import read_events, summarize

    start = time.perf_counter()
    events = read_events(path, today="2023-01-01")
    loaded = time.perf_counter()
    table = summarize(events=events.accepted, level="adm2", period="week")
    done = time.perf_counter()
    return {"load_s": loaded - start, "aggregate_s": done - loaded, "total_s": done - start,
            "accepted": int(events.n_accepted), "rejected": int(len(events.rejected)),
            "rows_out": int(len(table)), "events_out": int(table["events"].sum())}


def naive(path: str, limit: int) -> dict:
    """Row by row, as a first script would: no vectorisation, no deduplication."""
    from datetime import datetime

    from sahelmap.geocoding import geocode

    start = time.perf_counter()
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
    return {"total_s": time.perf_counter() - start, "rows": limit}


def child(kind: str, path: str, limit: int) -> dict:
    result = fast(path) if kind == "fast" else naive(path, limit)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def run_child(kind: str, path: Path, limit: int) -> dict:
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import bench_pipeline as b; "
            f"print(json.dumps(b.child({kind!r}, {str(path)!r}, {limit})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        write_events(path, args.rows)
        size = path.stat().st_size / 1e6
        quick = run_child("fast", path, args.rows)
        slow = run_child("naive", path, args.naive_rows)
    rate = args.rows / quick["total_s"]
    naive_rate = slow["rows"] / slow["total_s"]
    print(f"input: {args.rows:,} event rows, CSV {size:.0f} MB on disk")
    print(f"  sahelmap   {rate:>10,.0f} rows/s  {quick['total_s']:.2f} s "
          f"(load+validate+geocode {quick['load_s']:.2f} s, aggregate ADM2 x week "
          f"{quick['aggregate_s']:.2f} s), peak {quick['peak_mb']:,.0f} MB")
    print(f"  naive      {naive_rate:>10,.0f} rows/s  ({slow['rows']:,} rows in "
          f"{slow['total_s']:.2f} s), peak {slow['peak_mb']:,.0f} MB")
    print(f"  ratio      {rate / naive_rate:,.0f}x")
    print(f"  accepted {quick['accepted']:,}, rejected {quick['rejected']:,} "
          f"(= {quick['accepted'] + quick['rejected']:,} rows); {quick['rows_out']:,} "
          f"unit-week rows, {quick['events_out']:,} events counted")
    ok = quick["total_s"] < 15 and quick["peak_mb"] < 3 * 1024
    print(f"  target < 15 s and < 3 GB: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
