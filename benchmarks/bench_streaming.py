"""Scaling: ``sahelmap aggregate`` on 100k, 1M and 5M ACLED-style rows beside the floor.

Run: ``python benchmarks/bench_streaming.py [--rows 100000 1000000 5000000]``. The files
have a distinct ``notes`` text per row (~150 characters), as real exports do. Each
measurement runs in its own child process, so its peak memory (max RSS, from
``resource.getrusage``) is its own. For each size, in the same run:

- floor: pyarrow's CSV reader reading the file, every column as text;
- streamed: :func:`sahelmap.pipeline.aggregate_files` (what ``sahelmap aggregate`` runs:
  events read in chunks, validated, geocoded, merged, aggregated per ADM2 and ISO week);
- whole (``--whole``, off by default above 1M rows): ``read_events`` + ``summarize``, the
  file in memory at once (the notebook API).

Each time is printed with the CPU time of the same call (the floor's read is multithreaded:
its CPU time can exceed its wall time), and each row with the machine's 1-minute load average
when it was printed: on a shared machine, wall times vary with the load.

Targets (issue 13): the streamed aggregate within 2x the floor's time, peak under 1.5 GB
whatever the size, time linear in rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def floor(path: str) -> dict:
    from pyarrow import csv

    start, cpu = time.perf_counter(), time.process_time()
    with open(path, encoding="utf-8") as handle:
        width = len(handle.readline().split(","))
    import pyarrow as pa

    table = csv.read_csv(path, read_options=csv.ReadOptions(autogenerate_column_names=True),
                         convert_options=csv.ConvertOptions(
                             column_types={f"f{i}": pa.string() for i in range(width)}))
    return {"s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
            "rows": table.num_rows - 1}


def streamed(path: str) -> dict:
    from sahelmap.pipeline import aggregate_files

    out = Path(path).with_suffix(".out.csv")
    start, cpu = time.perf_counter(), time.process_time()
    summary = aggregate_files(events=[path], out=out, level="adm2", period="week",
                              rejected=Path(path).with_suffix(".rejected.csv"))
    return {"s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
            "summary": summary.splitlines()[0]}


def whole(path: str) -> dict:
    from sahelmap import read_events, summarize

    start, cpu = time.perf_counter(), time.process_time()
    events = read_events(path, merge_duplicates=True)
    summarize(events=events.accepted, level="adm2", period="week")
    return {"s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
            "summary": events.summary().splitlines()[0]}


def child(kind: str, path: str) -> dict:
    result = {"floor": floor, "streamed": streamed, "whole": whole}[kind](path)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def run_child(kind: str, path: Path) -> dict:
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); "
            f"import bench_streaming as b; print(json.dumps(b.child({kind!r}, {str(path)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        return {"s": float("nan"), "cpu_s": float("nan"), "peak_mb": float("nan"),
                "error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--whole", type=int, default=1_000_000,
                        help="also time the in-memory load up to this many rows")
    parser.add_argument("--dir", default=None, help="keep the generated files here")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>10} {'MB':>6} | {'floor s':>8} {'cpu s':>6} {'MB':>6} | {'streamed s':>10}"
          f" {'cpu s':>6} {'peak MB':>8} {'x floor':>7} {'us/row':>6} | {'whole s':>8}"
          f" {'cpu s':>6} {'peak MB':>8} | {'load':>4}")
    from bench_pipeline import events_file_in_child  # here: the children measure imports

    for rows in args.rows:
        path = events_file_in_child(folder, rows)
        size = path.stat().st_size / 1e6
        base = run_child("floor", path)
        ours = run_child("streamed", path)
        old = run_child("whole", path) if rows <= args.whole else None
        old_text = (f"{old['s']:>8.1f} {old['cpu_s']:>6.1f} {old['peak_mb']:>8,.0f}" if old
                    else f"{'-':>8} {'-':>6} {'-':>8}")
        print(f"{rows:>10,} {size:>6,.0f} | {base['s']:>8.1f} {base['cpu_s']:>6.1f} "
              f"{base['peak_mb']:>6,.0f} | {ours['s']:>10.1f} {ours['cpu_s']:>6.1f} "
              f"{ours['peak_mb']:>8,.0f} {ours['s'] / base['s']:>7.1f} "
              f"{ours['s'] / rows * 1e6:>6.1f} | {old_text} | {os.getloadavg()[0]:>4.1f}",
              flush=True)
        for result in (ours, old):
            if result and "error" in result:
                print(f"  failed: {result['error']}")
        print(f"  {ours.get('summary', '')}", flush=True)


if __name__ == "__main__":
    main()
