"""Run every benchmark at its quick size, one after the other (not part of CI).

Run: ``python benchmarks/run_all.py [--only NAME ...] [--full]``. Each benchmark runs in its
own process with the arguments below (``--full``: their default sizes, which take long and
need several GB: run them one at a time on a quiet machine). A failure is reported and the
next benchmark runs; the exit code says whether any failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {
    "bench_geocode": ["--rows", "100000", "--repeat", "1"],
    "bench_pipeline": ["--rows", "100000", "--naive-rows", "500"],
    "bench_streaming": ["--rows", "100000"],
    "bench_weekly": ["--rows", "100000"],
    "bench_partitions": ["--rows", "100000"],
    "bench_render": ["--sizes", "20000", "--repeat", "1"],
    "bench_inspect": ["--rows", "20000", "--repeat", "1"],
    "bench_hostile": ["--rows", "20000"],
    "bench_context": ["--repeat", "1"],
    "typos": [],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(QUICK), help="run only these")
    parser.add_argument("--full", action="store_true", help="default sizes, not quick ones")
    args = parser.parse_args()
    failed = []
    for name, quick in QUICK.items():
        if args.only and name not in args.only:
            continue
        command = [sys.executable, str(HERE / f"{name}.py"), *([] if args.full else quick)]
        print(f"\n=== {name} {' '.join(command[2:])} (load {os.getloadavg()[0]:.1f})",
              flush=True)
        start = time.perf_counter()
        if subprocess.run(command).returncode:
            failed.append(name)
        print(f"=== {name}: {time.perf_counter() - start:.0f} s", flush=True)
    print(f"\nfailed: {', '.join(failed)}" if failed else "\nall ran")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
