"""Partitions under Dask beside one run over the same files, in the same run.

Run: ``python benchmarks/bench_partitions.py [--rows 1000000] [--partitions 4]
[--workers 2]``. An ACLED-like file of ``--rows`` rows (``bench_pipeline.write_events``,
coordinates on every row) is cut into ``--partitions`` files by place (an event's
dyadic rows and alike reports stay together). Each measurement runs in its own process:

- one run: :func:`sahelmap.partitions.aggregate_partition` over all the files at once (what
  ``sahelmap aggregate`` does with them);
- Dask, synchronous: :func:`sahelmap.partitions.aggregate_partitions`, the partitions one
  after the other in that process (the cost of partitioning and adding up alone);
- Dask, processes: the same with ``--workers`` worker processes.

Printed: wall and CPU seconds of the measuring process, the ratio to the one run, the peak
memory of the measuring process (VmHWM) and of the largest worker (``ru_maxrss`` of the
children, which starts at the measuring process's peak when it starts them: an upper
bound), and the workers' CPU seconds. The tables are checked equal.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
GRID = dict(level="adm2", period="week", start="2022-01-03", end="2023-01-01")


def split(path: str, parts: int) -> dict:
    """Cut ``path`` into ``parts`` files by place (as regions or countries would cut it).

    Rows of one place stay together, so the rows of one event (dyadic) and the reports a
    one run would take as duplicates (same day, place, type and toll) share a partition.
    """
    from sahelmap.vocab import fold

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    places = frame["location"].map(fold)
    bucket = pd.util.hash_pandas_object(places, index=False).to_numpy() % parts
    out = []
    for i in range(parts):
        target = Path(path).with_name(f"{Path(path).stem}_part{i}.csv")
        frame[bucket == i].to_csv(target, index=False)
        out.append(str(target))
    return {"paths": out}


def one_run(paths: list[str], table: str) -> dict:
    from sahelmap.partitions import aggregate_partition

    part = aggregate_partition(paths, **GRID)
    part.table.drop(columns="geometry").to_csv(table, index=False)
    return {"accepted": part.counts["accepted"], "rejected": part.counts["rejected"]}


def under_dask(paths: list[str], table: str, scheduler: str, workers: int) -> dict:
    from sahelmap.partitions import aggregate_partitions

    combined = aggregate_partitions([[p] for p in paths], scheduler=scheduler,
                                    num_workers=workers, **GRID)
    combined.drop(columns="geometry").to_csv(table, index=False)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, once shut down
    return {"accepted": combined.attrs["counts"]["accepted"],
            "rejected": combined.attrs["counts"]["rejected"],
            "workers_peak_mb": children.ru_maxrss / 1024 if scheduler == "processes" else None,
            "workers_cpu_s": children.ru_utime + children.ru_stime}


def warm(function: str) -> None:
    import sahelmap.partitions  # noqa: F401

    if function == "under_dask":
        import dask  # noqa: F401


def main() -> None:
    sys.path.insert(0, str(HERE))
    from _measure import in_child, load, ratio
    from bench_pipeline import events_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", help="keep the generated files here (reused if present)")
    args = parser.parse_args()
    path = events_file(args.dir, args.rows)
    folder = path.parent
    paths = in_child("bench_partitions", "split", str(path), args.partitions)["paths"]
    print(f"before: {load()}")
    print(f"{args.rows:,} rows in {args.partitions} partitions "
          f"({path.stat().st_size / 1e6:,.0f} MB); ADM2 x ISO week")
    runs = {
        "one run over every file": in_child("bench_partitions", "one_run", paths,
                                            str(folder / "one.csv")),
        "Dask, synchronous": in_child("bench_partitions", "under_dask", paths,
                                      str(folder / "sync.csv"), "synchronous", 1),
        f"Dask, {args.workers} processes": in_child(
            "bench_partitions", "under_dask", paths, str(folder / "processes.csv"),
            "processes", args.workers),
    }
    base = runs["one run over every file"]
    print(f"  {'':<26} {'wall s':>7} {'CPU s':>7} {'/ one run':>9} {'peak MB':>8} "
          f"{'worker MB':>9} {'workers CPU s':>13}  accepted / rejected")
    for label, r in runs.items():
        if "error" in r:
            print(f"  {label:<26} failed: {r['error']}")
            continue
        worker = r.get("workers_peak_mb")
        print(f"  {label:<26} {r['wall_s']:>7.1f} {r['cpu_s']:>7.1f} "
              f"{ratio(r['wall_s'], base['wall_s']):>9} {r['peak_mb']:>8,.0f} "
              f"{worker or 0:>9,.0f} {r.get('workers_cpu_s', 0):>13.1f}  "
              f"{r['accepted']:,} / {r['rejected']:,}")
    key = ["unit_pcode", "period"]
    one = pd.read_csv(folder / "one.csv").sort_values(key).reset_index(drop=True)
    for name in ("sync.csv", "processes.csv"):
        if (folder / name).exists():
            pd.testing.assert_frame_equal(pd.read_csv(folder / name), one)
    print("  tables: identical (checked)")
    print(f"  (CPU s is the measuring process's own: under 'processes' the work is in the "
          f"workers)\nafter: {load()}")


if __name__ == "__main__":
    main()
