"""Scaling: ``sahelmap aggregate`` on 100k, 1M and 5M ACLED-style rows beside the floor.

Run: ``python benchmarks/bench_streaming.py [--rows 100000 1000000 5000000] [--workers 1 2]``.
The files have a distinct ``notes`` text per row (~150 characters), as real exports do.
Each measurement runs in its own child process, so its peak memory is its own. For each
size, in the same run, one line each:

- floor: pyarrow's CSV reader reading the file, every column as text;
- workers=N (``--workers``, by default 1 and 2): :func:`sahelmap.pipeline.aggregate_files`
  (what ``sahelmap aggregate --workers N`` runs: events read in chunks, validated,
  geocoded in N processes, merged, aggregated per ADM2 and ISO week);
- whole (``--whole``, off by default above 1M rows): ``read_events`` + ``summarize``, the
  file in memory at once (the notebook API).

Each time is printed with the CPU time of the same call, the worker processes' included
(the floor's read is multithreaded: its CPU time can exceed its wall time), and its ratio
to the floor's time. Memory: ``peak MB`` is the measuring process's max RSS (from
``resource.getrusage``); ``sum MB`` the peak of the RSS of that process and its worker
processes added up, sampled every 50 ms (VmRSS, from ``/proc``; pages the workers share
with their parent after the fork count in each). Each line ends with the machine's
1-minute load average when it was printed: on a shared machine, wall times vary with the
load.

Targets (issue 13): the streamed aggregate within 2x the floor's time, peak under 1.5 GB
whatever the size, time linear in rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
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


def streamed(path: str, workers: int = 1) -> dict:
    from sahelmap.pipeline import aggregate_files

    folder = Path(tempfile.mkdtemp())  # not beside the input: runs do not clobber each other
    try:
        start, cpu = time.perf_counter(), _cpu()
        summary = aggregate_files(events=[path], out=folder / "out.csv", level="adm2",
                                  period="week", rejected=folder / "rejected.csv",
                                  workers=workers)
        return {"s": time.perf_counter() - start, "cpu_s": _cpu() - cpu,
                "summary": summary.splitlines()[0]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class _SummedPeak:
    """The peak of this process's RSS plus its child processes', sampled in a thread."""

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.peak_kb = every, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _SummedPeak:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while not self.done.wait(self.every):
            total = sum(_rss_kb(pid) for pid in [me, *_children(me)])
            self.peak_kb = max(self.peak_kb, total)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:  # ended between the listing and the reading
        pass
    return 0


def whole(path: str) -> dict:
    from sahelmap import read_events, summarize

    start, cpu = time.perf_counter(), time.process_time()
    events = read_events(path, merge_duplicates=True)
    summarize(events=events.accepted, level="adm2", period="week")
    return {"s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
            "summary": events.summary().splitlines()[0]}


def child(kind: str, path: str, workers: int = 1) -> dict:
    with _SummedPeak() as summed:
        if kind == "streamed":
            result = streamed(path, workers)
        else:
            result = {"floor": floor, "whole": whole}[kind](path)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["sum_mb"] = max(summed.peak_kb / 1024, result["peak_mb"])
    return result


def run_child(kind: str, path: Path, workers: int = 1) -> dict:
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import bench_streaming "
            f"as b; print(json.dumps(b.child({kind!r}, {str(path)!r}, {workers})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        return {"s": float("nan"), "cpu_s": float("nan"), "peak_mb": float("nan"),
                "sum_mb": float("nan"), "error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="the worker processes of each streamed run (default: 1 and 2)")
    parser.add_argument("--whole", type=int, default=1_000_000,
                        help="also time the in-memory load up to this many rows")
    parser.add_argument("--dir", default=None, help="keep the generated files here")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>10} {'MB':>6} {'what':<10} | {'s':>6} {'cpu s':>6} {'peak MB':>8}"
          f" {'sum MB':>7} {'x floor':>7} {'us/row':>6} | {'load':>4}")
    from bench_pipeline import events_file_in_child  # here: the children measure imports

    for rows in args.rows:
        path = events_file_in_child(folder, rows)
        size = path.stat().st_size / 1e6
        base = run_child("floor", path)
        runs = [("floor", base)]
        runs += [(f"workers={n}", run_child("streamed", path, n)) for n in args.workers]
        if rows <= args.whole:
            runs.append(("whole", run_child("whole", path)))
        for what, result in runs:
            print(f"{rows:>10,} {size:>6,.0f} {what:<10} | {result['s']:>6.1f} "
                  f"{result['cpu_s']:>6.1f} {result['peak_mb']:>8,.0f} {result['sum_mb']:>7,.0f}"
                  f" {result['s'] / base['s']:>7.1f} {result['s'] / rows * 1e6:>6.1f} | "
                  f"{os.getloadavg()[0]:>4.1f}", flush=True)
            if "error" in result:
                print(f"  failed: {result['error']}")
            elif "summary" in result:
                print(f"  {result['summary']}", flush=True)


if __name__ == "__main__":
    main()
