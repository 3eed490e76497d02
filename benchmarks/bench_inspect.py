"""``sahelmap.inspect`` on a 100,000-row IOM DTM baseline-assessment table (CSV on disk).

Run: ``python benchmarks/bench_inspect.py [--rows N] [--repeat 3]``. Prints the best of
``--repeat`` times (wall and CPU) beside the time pandas takes to read the same file
(``pd.read_csv``, the floor: inspection reads the file, recognises its layout and checks every
row), measured in the same run, with their ratio and the peak memory of this process during
each (sampled every 5 ms, see ``_measure.py``; the rise is above the RSS at its start).
Target: under 1 s for 100,000 rows on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _measure import best, load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
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
        floor = best(lambda: pd.read_csv(path), args.repeat)
        took = best(lambda: sahelmap.inspect(path, today="2024-01-01"), args.repeat)
    print(f"{load()}; best of {args.repeat}")
    for label, r in ((f"inspect, {len(rows):,} rows", took), ("floor: pd.read_csv", floor)):
        print(f"  {label:<22} {r['s']:6.2f} s (CPU {r['cpu_s']:5.2f} s, median wall "
              f"{r['median_s']:5.2f} s)  {len(rows) / r['s']:>10,.0f} rows/s  peak "
              f"{r['peak_mb']:5,.0f} MB (+{r['rise_mb']:,.0f})")
    print(f"  ratio inspect / read_csv: {took['s'] / floor['s']:.1f}x wall, "
          f"{took['cpu_s'] / floor['cpu_s']:.1f}x CPU; target under 1 s: "
          f"{'met' if took['s'] < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
