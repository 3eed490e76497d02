"""Benchmark of the map context (neighbours, towns, scale bar): what it costs each map.

Builds the same maps with the context and without it (the baseline, measured in the same run:
the context hooks replaced by no-ops) and prints the HTML size, the web map's build time and
the PNG's drawing time of each, with their ratio. Data: the 120 bundled ADM2 units (cercles
and departments) with synthetic figures and 2,000 synthetic events (fixed seed).

Run: ``python benchmarks/bench_context.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import folium

from sahelmap.boundaries import admin_units
from sahelmap.render import crisis_map, save_static, to_html
from sahelmap.render._synthetic import synthetic_events


@contextmanager
def without_context():
    """The baseline: the two hooks of the context do nothing."""
    empty = folium.map.FeatureGroup(name="no context", control=False)
    with mock.patch("sahelmap.render.webmap.context_layer", lambda **_: empty), \
            mock.patch("sahelmap.render.static.draw_context", lambda ax, **_: None):
        yield


def web(units, events) -> tuple[float, int]:
    start = time.perf_counter()
    page = to_html(crisis_map(units, events, value="arrivals"))
    return time.perf_counter() - start, len(page.encode("utf-8"))


def png(units, events, folder: Path) -> tuple[float, int]:
    start = time.perf_counter()
    path = save_static(units, events, path=folder / "map.png", value="arrivals", dpi=150)
    return time.perf_counter() - start, path.stat().st_size


def best(function, *args, repeat: int) -> tuple[float, int]:
    runs = [function(*args) for _ in range(repeat)]
    return min(r[0] for r in runs), runs[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (best is kept)")
    args = parser.parse_args()
    units = admin_units("adm2", simplified=True)
    units = units.assign(unit_name=units["adm2_name"],
                         arrivals=[(i * 7919) % 5000 for i in range(len(units))])
    events = synthetic_events(2_000, seed=0)
    web(units, events)  # warm the caches (bundled layers, fonts) for both cases
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        png(units, events, folder)
        rows = {
            "with context": (best(web, units, events, repeat=args.repeat),
                             best(png, units, events, folder, repeat=args.repeat)),
        }
        with without_context():
            rows["baseline (none)"] = (best(web, units, events, repeat=args.repeat),
                                       best(png, units, events, folder, repeat=args.repeat))
    print(f"{len(units)} ADM2 units, {len(events):,} events; best of {args.repeat} runs")
    header = f"{'':>16} | {'HTML KB':>8} {'web s':>6} | {'PNG s':>6} {'PNG KB':>7}"
    print(header)
    print("-" * len(header))
    for name, ((web_s, html_b), (png_s, png_b)) in rows.items():
        print(f"{name:>16} | {html_b / 1e3:>8.0f} {web_s:>6.3f} | {png_s:>6.3f} "
              f"{png_b / 1e3:>7.0f}")
    (web_s, html_b), (png_s, _) = rows["with context"]
    (web_0, html_0), (png_0, _) = rows["baseline (none)"]
    print(f"{'ratio':>16} | {html_b / html_0:>8.3f} {web_s / web_0:>6.3f} | {png_s / png_0:>6.3f}"
          "         (with context / baseline)")


if __name__ == "__main__":
    main()
