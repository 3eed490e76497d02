"""Benchmark of the map context (neighbours, towns, scale bar): what it costs each map.

Builds the same maps with the context and without it (the baseline, measured in the same run:
the context hooks replaced by no-ops) and prints the HTML size, the web map's build time and
the PNG's drawing time of each (best of ``--repeat``, wall and CPU), with their ratio and the
peak memory of this process during each (sampled every 5 ms, see ``_measure.py``). Data: the
120 bundled ADM2 units (cercles and departments) with synthetic figures and 2,000 synthetic
events (fixed seed).

Run: ``python benchmarks/bench_context.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import folium

from sahelmap.boundaries import admin_units
from sahelmap.render import crisis_map, save_static, to_html
from sahelmap.render._synthetic import synthetic_events

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import best, load  # noqa: E402


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


def measured(function, *args, repeat: int) -> dict:
    r = best(lambda: function(*args), repeat)
    return {**r, "bytes": r["value"][1]}


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
            "with context": (measured(web, units, events, repeat=args.repeat),
                             measured(png, units, events, folder, repeat=args.repeat)),
        }
        with without_context():
            rows["baseline (none)"] = (measured(web, units, events, repeat=args.repeat),
                                       measured(png, units, events, folder,
                                                repeat=args.repeat))
    print(f"{len(units)} ADM2 units, {len(events):,} events; best of {args.repeat} runs; "
          f"{load()}")
    header = (f"{'':>16} | {'HTML KB':>8} {'web s':>6} {'CPU s':>6} {'peak MB':>7} | "
              f"{'PNG s':>6} {'CPU s':>6} {'peak MB':>7} {'PNG KB':>7}")
    print(header)
    print("-" * len(header))
    for name, (w, g) in rows.items():
        print(f"{name:>16} | {w['bytes'] / 1e3:>8.0f} {w['s']:>6.3f} {w['cpu_s']:>6.3f} "
              f"{w['peak_mb']:>7,.0f} | {g['s']:>6.3f} {g['cpu_s']:>6.3f} {g['peak_mb']:>7,.0f} "
              f"{g['bytes'] / 1e3:>7.0f}")
    (w, g), (w0, g0) = rows["with context"], rows["baseline (none)"]
    print(f"{'ratio':>16} | {w['bytes'] / w0['bytes']:>8.3f} {w['s'] / w0['s']:>6.3f} "
          f"{w['cpu_s'] / w0['cpu_s']:>6.3f} {'':>7} | {g['s'] / g0['s']:>6.3f} "
          f"{g['cpu_s'] / g0['cpu_s']:>6.3f}   (with context / baseline)")


if __name__ == "__main__":
    main()
