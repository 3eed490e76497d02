"""``sahelmap.inspect`` on a 100,000-row IOM DTM baseline-assessment table (CSV on disk).

Run: ``python benchmarks/bench_inspect.py [--rows N]``. Prints the best of three times beside
the time pandas takes to read the same file (``pd.read_csv``, the floor: inspection reads the
file, recognises its layout and checks every row), measured in the same run. Target: under
1 s for 100,000 rows on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import sahelmap
    from tests.test_loaders_dtm import BASELINE_COLUMNS, baseline_rows

    rows = []
    r = 0
    while len(rows) < args.rows:
        day = (pd.Timestamp("2014-01-31") + pd.Timedelta(days=r % 2000)).strftime("%Y-%m-%d")
        rows += baseline_rows(snapshot=day, survey=day, round_no=r % 60, factor=1 + r % 7)
        r += 1
    rows = rows[:args.rows]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "baseline.csv"
        pd.DataFrame(rows, columns=BASELINE_COLUMNS).to_csv(path, index=False)
        sahelmap.inspect(path, today="2024-01-01")  # the gazetteer is indexed once
        floor = best_of(3, lambda: pd.read_csv(path))
        took = best_of(3, lambda: sahelmap.inspect(path, today="2024-01-01"))
    print(f"inspect, {len(rows):,} rows: {took:.2f} s ({len(rows) / took:,.0f} rows/s); "
          f"pd.read_csv of the same file: {floor:.2f} s; ratio {took / floor:.1f}x "
          f"(target: under 1 s)")


if __name__ == "__main__":
    main()
