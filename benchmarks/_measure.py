"""Shared measuring for the benchmarks: wall and CPU time, peak memory, machine load.

Two ways to get a measurement's peak memory, each benchmark says which it uses:

- :func:`in_child`: the measurement runs in its own Python process, and its peak is that
  process's high-water resident size (``VmHWM`` in ``/proc/self/status``): everything it
  held, inputs included, and nothing of the measurements before it. (Not ``ru_maxrss``:
  a process started with ``subprocess`` inherits its parent's ``ru_maxrss``, since exec
  records the memory it replaces, so a child's peak would read as at least its parent's.)
- :class:`Sampled`: in this process, a thread reads the resident size (``/proc/self/statm``)
  every 5 ms while the measurement runs; it gives the peak and the rise above the start
  (a peak shorter than 5 ms can be missed).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_PAGE = os.sysconf("SC_PAGE_SIZE")


def load() -> str:
    """The machine's load, to print beside wall times (they swing with it; CPU times less)."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * _PAGE / 2**20  # MiB, as ru_maxrss / 1024


class Sampled:
    """Context manager: wall and CPU seconds and the peak resident size of this process."""

    def __init__(self, every: float = 0.005):
        self.every = every

    def __enter__(self) -> Sampled:
        self.start_mb = self.peak_mb = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_mb = max(self.peak_mb, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())

    @property
    def rise_mb(self) -> float:
        return self.peak_mb - self.start_mb


def best(work, repeat: int) -> dict:
    """Run ``work`` ``repeat`` times, sampled: best and median wall, best CPU, peak memory."""
    runs = []
    for _ in range(repeat):
        with Sampled() as run:
            value = work()
        runs.append(run)
    walls = [r.wall for r in runs]
    return {"s": min(walls), "median_s": statistics.median(walls),
            "cpu_s": min(r.cpu for r in runs), "peak_mb": max(r.peak_mb for r in runs),
            "rise_mb": max(r.rise_mb for r in runs), "value": value}


def in_child(module: str, function: str, *args: object) -> dict:
    """``module.function(*args)`` in a new Python process (``module`` from this folder).

    ``module.warm(function)``, where the module has one, runs first, untimed (imports).
    The function returns a JSON-able dict; added to it (unless it gave them): ``wall_s``
    and ``cpu_s`` of the call and ``peak_mb`` (the process's high-water RSS). A failure
    gives ``error`` and NaN figures.
    """
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import _measure; "
            f"print(json.dumps(_measure._child({module!r}, {function!r}, {list(args)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        lines = done.stderr.strip().splitlines() or ["(no message)"]
        return {"wall_s": float("nan"), "cpu_s": float("nan"), "peak_mb": float("nan"),
                "error": lines[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(module: str, function: str, args: list) -> dict:
    import importlib

    loaded = importlib.import_module(module)
    if hasattr(loaded, "warm"):  # imports the measurement needs, left out of its time
        loaded.warm(function)
    work = getattr(loaded, function)
    wall, cpu = time.perf_counter(), time.process_time()
    result = dict(work(*args))
    result.setdefault("wall_s", time.perf_counter() - wall)
    result.setdefault("cpu_s", time.process_time() - cpu)
    result["peak_mb"] = peak_mb()
    return result


def peak_mb() -> float:
    """This process's high-water resident size since it started (``VmHWM``), in MiB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def ratio(ours: float, theirs: float) -> str:
    """``ours / theirs`` as text ('-' when either is missing)."""
    if not (ours == ours and theirs == theirs) or not theirs:  # NaN or zero
        return "-"
    return f"{ours / theirs:.2f}x"
