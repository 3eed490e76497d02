"""Benchmark of the web map: HTML size and Python-side build + serialise time.

Compares ``sahelmap.render.crisis_map`` + ``to_html`` with geopandas' ``explore()`` on the
same data, in the same run: a choropleth of the 917 bundled communes (a stand-in for an ADM2
map, with more polygons) plus 10,000 and 100,000 synthetic events (random points inside Mali
and Niger communes, fixed seed).

Run: ``python benchmarks/bench_render.py [--repeat N] [--sizes 10000 100000]``
"""

from __future__ import annotations

import argparse
import time
import warnings

from sahelmap.render import crisis_map, to_html
from sahelmap.render._synthetic import synthetic_choropleth, synthetic_events


def ours(communes, events) -> tuple[float, int]:
    start = time.perf_counter()
    page = to_html(crisis_map(communes, events, value="arrivals", scheme="quantiles", k=5))
    return time.perf_counter() - start, len(page.encode("utf-8"))


def explore(communes, events) -> tuple[float, int]:
    start = time.perf_counter()
    m = communes.explore(column="arrivals", scheme="quantiles", k=5, tiles=None)
    events.explore(m=m, column="event_type", marker_kwds={"radius": 3})
    page = m.get_root().render()
    return time.perf_counter() - start, len(page.encode("utf-8"))


def best(function, *args, repeat: int) -> tuple[float, int]:
    runs = [function(*args) for _ in range(repeat)]
    return min(r[0] for r in runs), runs[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best is kept)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()

    communes = synthetic_choropleth(seed=0)
    print(f"choropleth: {len(communes)} communes (simplified geometry)")
    header = (f"{'events':>8} | {'sahelmap MB':>11} {'s':>6} | {'explore MB':>10} {'s':>6} | "
              f"{'size ratio':>10} {'time ratio':>10}")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        events = synthetic_events(n, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            our_time, our_size = best(ours, communes, events, repeat=args.repeat)
            base_time, base_size = best(explore, communes, events,
                                        repeat=1 if n > 20_000 else args.repeat)
        print(f"{n:>8,} | {our_size / 1e6:>11.2f} {our_time:>6.2f} | {base_size / 1e6:>10.2f} "
              f"{base_time:>6.2f} | {our_size / base_size:>10.3f} {our_time / base_time:>10.3f}")
    print("ratio = sahelmap / explore (lower is better). sahelmap's page is standalone "
          "(Leaflet inlined, ~0.2 MB); explore's links its scripts from CDNs.")


if __name__ == "__main__":
    main()
