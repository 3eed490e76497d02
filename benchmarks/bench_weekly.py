"""The weekly job on large event files: read in chunks, beside the same job read whole.

Run: ``python benchmarks/bench_weekly.py [--rows 100000 1000000] [--dir FOLDER]``. The files
are ``bench_pipeline.write_events(..., distinct_notes=True)`` (ACLED-style rows over a year,
a distinct 150-character note each, about 17% rejected). Each measurement runs in its own
process (:func:`_measure.in_child`: wall and CPU time, peak RSS); for each size, in the same
run:

- floor: pyarrow's CSV reader reading the file, every column as text;
- whole: ``sahelmap.weekly(..., chunk_rows=None)``, every file read at once (before);
- chunks: ``sahelmap.weekly(...)`` as ``sahelmap weekly`` runs it (50,000 rows at a time,
  every column kept only for the events of the 12 weeks shown).

The map, tables and report are written (no PNG). Target (issue 13): bounded memory whatever
the file's size; what grows is the events of the weeks shown, which the map draws.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import in_child, load, ratio  # noqa: E402

WEEK = "2022-W37"


def floor(path: str) -> dict:
    from bench_streaming import floor as read

    return {"rows": read(path)["rows"]}


def job(path: str, chunked: bool) -> dict:
    from sahelmap.pipeline import weekly

    out = Path(tempfile.mkdtemp())
    written = weekly(events=[path], week=WEEK, out_dir=out / "weekly", png=False,
                     chunk_rows=50_000 if chunked else None)
    return {"map_mb": written["map"].stat().st_size / 1e6}


def whole(path: str) -> dict:
    return job(path, chunked=False)


def chunks(path: str) -> dict:
    return job(path, chunked=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--whole", type=int, default=1_000_000,
                        help="also run the whole read up to this many rows")
    parser.add_argument("--dir", default=None, help="keep the generated files here")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    print(f"sahelmap weekly --week {WEEK} (12 weeks shown, no PNG); {load()}")
    print(f"{'rows':>10} | {'floor s':>7} {'MB':>6} | {'whole s':>7} {'cpu s':>6} {'peak MB':>8}"
          f" | {'chunks s':>8} {'cpu s':>6} {'peak MB':>8} {'x floor':>7} {'peak/whole':>10}"
          f" | {'map MB':>6}")
    from bench_pipeline import events_file_in_child  # here: the children measure imports

    for rows in args.rows:
        path = events_file_in_child(folder, rows)
        base = in_child("bench_weekly", "floor", str(path))
        old = in_child("bench_weekly", "whole", str(path)) if rows <= args.whole else None
        new = in_child("bench_weekly", "chunks", str(path))
        old_text = (f"{old['wall_s']:>7.1f} {old['cpu_s']:>6.1f} {old['peak_mb']:>8,.0f}"
                    if old else f"{'-':>7} {'-':>6} {'-':>8}")
        print(f"{rows:>10,} | {base['wall_s']:>7.1f} {base['peak_mb']:>6,.0f} | {old_text} | "
              f"{new['wall_s']:>8.1f} {new['cpu_s']:>6.1f} {new['peak_mb']:>8,.0f} "
              f"{ratio(new['wall_s'], base['wall_s']):>7} "
              f"{ratio(new['peak_mb'], old['peak_mb']) if old else '-':>10} | "
              f"{new.get('map_mb', float('nan')):>6.1f}", flush=True)
        for result in (old, new):
            if result and "error" in result:
                print(f"  failed: {result['error']}")


if __name__ == "__main__":
    main()
