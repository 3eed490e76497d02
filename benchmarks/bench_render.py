"""Benchmark of the web map: HTML size, Python build time, and first draw in headless Chromium.

Two comparisons, each against a baseline measured in the same run:

1. **Weeks** (issue 12): 12 weeks x the 120 ADM2 units (cercles and departments) x 5,000
   events, as one ``crisis_map`` with a week selector, beside one geopandas ``explore()`` map
   per week (12 files) on the same data. Targets: <= 2 MB and <= 2 s.
2. **Events at scale** (issue 13): 100,000 and 1,000,000 synthetic events. Beside them,
   folium's own offline option: a ``folium.GeoJson`` of ``CircleMarker``s on Leaflet's canvas
   renderer (``prefer_canvas``), inlined the same way (``explore()`` and folium's cluster
   plugins draw nothing offline). Targets, offline: 100k <= 3 MB and first draw <= 1.5 s;
   1M <= 20 MB and <= 3 s. First draw is the wall time of headless Chromium opening the file
   until the events are drawn, minus the wall time of a blank page (browser start-up), best
   of ``--repeat`` runs.

Run: ``python benchmarks/bench_render.py [--repeat N] [--sizes 100000 1000000] [--no-browser]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import folium
import pandas as pd

from sahelmap.boundaries import admin_units
from sahelmap.render import crisis_map, to_html
from sahelmap.render._synthetic import synthetic_choropleth, synthetic_events

WEEKS = [f"2022-W{w:02d}" for w in range(26, 38)]
CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which(
    "chromium")
# Written into the page: reports once the events are drawn (sahelmap sets __smFirstDraw; the
# baseline draws during the page's own script, so its load event is its first draw).
PROBE = """<script>
window.addEventListener("load", function () { window.__loaded = performance.now(); });
(function wait() {
  var done = window.__smFirstDraw || (window.__baseline && window.__loaded);
  if (done) {
    var pre = document.createElement("pre");
    pre.id = "probe-report";
    pre.textContent = String(done);
    document.body.appendChild(pre);
    return;
  }
  setTimeout(wait, 10);
}());
</script>"""


def adm2_weeks() -> pd.DataFrame:
    """12 weeks of figures for the 120 ADM2 units (synthetic, skewed, many zeros)."""
    units = admin_units("adm2", simplified=True).rename(
        columns={"adm2_pcode": "unit_pcode", "adm2_name": "unit_name"})
    frames = []
    for i, week in enumerate(WEEKS):
        figures = synthetic_choropleth(level="adm1", seed=i)  # reuse its skewed generator
        values = figures[["events", "fatalities", "arrivals", "idps", "returns",
                          "departures"]].sample(len(units), replace=True, random_state=i)
        frames.append(units.assign(period=week, **{c: values[c].to_numpy()
                                                   for c in values.columns}))
    return pd.concat(frames, ignore_index=True)


def weekly_ours(table, events) -> tuple[float, int]:
    start = time.perf_counter()
    page = to_html(crisis_map(table, events, value="idps", lang="en"))
    return time.perf_counter() - start, len(page.encode("utf-8"))


def weekly_explore(table, events) -> tuple[float, int]:
    """One ``explore()`` map per week, the way one would make 12 weekly maps today."""
    start = time.perf_counter()
    week = events["event_date"].dt.isocalendar()
    labels = week["year"].astype(str) + "-W" + week["week"].astype(str).str.zfill(2)
    size = 0
    for label in WEEKS:
        m = table[table["period"] == label].explore(column="idps", scheme="quantiles", k=5,
                                                    tiles=None)
        shown = events[labels == label]
        if len(shown):
            shown.explore(m=m, column="event_type", marker_kwds={"radius": 3})
        size += len(m.get_root().render().encode("utf-8"))
    return time.perf_counter() - start, size


def events_ours(events) -> tuple[float, str]:
    start = time.perf_counter()
    page = to_html(crisis_map(events=events, lang="en"))
    return time.perf_counter() - start, page


def events_baseline(events) -> tuple[float, str]:
    """folium's offline best: GeoJSON circle markers on Leaflet's canvas renderer."""
    start = time.perf_counter()
    m = folium.Map(location=[16, 2], zoom_start=5, tiles=None, prefer_canvas=True)
    columns = ["event_date", "event_type", "fatalities", "place", "notes", "geometry"]
    data = events[columns].assign(event_date=events["event_date"].dt.strftime("%Y-%m-%d"))
    folium.GeoJson(data, marker=folium.CircleMarker(radius=4, fill=True),
                   popup=folium.GeoJsonPopup(["event_type", "event_date", "place", "notes"])
                   ).add_to(m)
    page = to_html(m).replace("<head>", "<head><script>window.__baseline = 1;</script>", 1)
    return time.perf_counter() - start, page


def open_in_chromium(page: str, folder: Path, repeat: int) -> float | None:
    """Seconds from opening the file to the first draw, start-up subtracted (best of runs)."""
    if CHROMIUM is None:
        return None

    def wall(text: str, name: str) -> float:
        path = folder / f"{name}.html"
        path.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
        command = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", f"--user-data-dir={folder / 'profile'}",
                   "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1400,900",
                   "--virtual-time-budget=60000", "--dump-dom", path.as_uri()]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        took = time.perf_counter() - start
        if not re.search(r'<pre id="probe-report">', done.stdout):
            raise RuntimeError(f"{name}: nothing drawn; chromium said {done.stderr[-500:]}")
        return took

    blank = "<!DOCTYPE html><html><head></head><body></body></html>".replace(
        "<head>", "<head><script>window.__baseline = 1;</script>")
    best = min(wall(page, "page") - wall(blank, "blank") for _ in range(repeat))
    return max(best, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best is kept)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    table = adm2_weeks()
    events = synthetic_events(5_000, seed=0, start="2022-06-27", days=84)
    ours = min((weekly_ours(table, events) for _ in range(args.repeat)), key=lambda r: r[0])
    base = min((weekly_explore(table, events) for _ in range(args.repeat)),
               key=lambda r: r[0])
    print("1. 12 weeks x 120 ADM2 units x 5,000 events")
    print(f"   sahelmap, one file with a week selector: {ours[1] / 1e6:6.2f} MB {ours[0]:6.2f} s")
    print(f"   explore(), one map per week (12 files):  {base[1] / 1e6:6.2f} MB {base[0]:6.2f} s")
    print(f"   ratio sahelmap / explore: size {ours[1] / base[1]:.3f}, time "
          f"{ours[0] / base[0]:.3f} (explore's pages link Leaflet from CDNs; ours inline it)")

    print("\n2. events at scale (offline, headless Chromium; first draw = wall time minus a "
          "blank page's)")
    header = (f"{'events':>9} | {'sahelmap MB':>11} {'build s':>7} {'draw s':>6} | "
              f"{'GeoJSON canvas MB':>17} {'build s':>7} {'draw s':>6} | {'size ratio':>10} "
              f"{'draw ratio':>10}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            points = synthetic_events(n, seed=0)
            build, page = events_ours(points)
            draw = None if args.no_browser else open_in_chromium(page, folder, args.repeat)
            size = len(page.encode("utf-8"))
            row = f"{n:>9,} | {size / 1e6:>11.2f} {build:>7.2f} {_s(draw):>6} | "
            if n <= 200_000:  # the baseline's page grows ~300 bytes per event
                b_build, b_page = events_baseline(points)
                b_draw = None if args.no_browser else open_in_chromium(b_page, folder,
                                                                        args.repeat)
                b_size = len(b_page.encode("utf-8"))
                ratio = f"{draw / b_draw:>10.3f}" if draw and b_draw else f"{'-':>10}"
                row += (f"{b_size / 1e6:>17.2f} {b_build:>7.2f} {_s(b_draw):>6} | "
                        f"{size / b_size:>10.3f} {ratio}")
            else:
                row += f"{'not run':>17} {'':>7} {'':>6} | {'-':>10} {'-':>10}"
            print(row)
    print("ratio = sahelmap / baseline (lower is better).")


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"


if __name__ == "__main__":
    main()
