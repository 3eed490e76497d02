"""Benchmark of the web map: HTML size, Python build time, and first draw in headless Chromium.

Two comparisons, each against a baseline measured in the same run:

1. **Weeks** (issue 12): 12 weeks x the 120 ADM2 units (cercles and departments) x 5,000
   events, as one ``crisis_map`` with a week selector, beside one geopandas ``explore()`` map
   per week (12 files) on the same data. Targets: <= 2 MB and <= 2 s.
2. **Events at scale** (issue 13): 100,000 and 500,000 synthetic events (``--sizes``).
   Beside them, folium's ``FastMarkerCluster`` on the same points, twice: the page as folium
   writes it (Leaflet, the cluster plugin and Awesome Markers linked from CDNs: offline,
   does it draw at all?), and with Leaflet's plain markers, made standalone by sahelmap's
   ``to_html`` (Leaflet and the cluster plugin inlined, so it draws offline: a fair peer).
   Up to 200,000 events, also folium's GeoJSON circle markers on the canvas renderer
   (``prefer_canvas``), geopandas ``explore()`` and folium's ``MarkerCluster`` (one
   ``folium.Marker`` per event), each made standalone by ``to_html``.
   Each page is built in its own process (peak = that process's high-water RSS, see
   ``_measure.py``). First draw: the time in the page from navigation start to the events
   drawn (sahelmap signals it; folium pages when their script has run, the load event),
   and the wall time of headless Chromium opening the file minus a blank page's, best of
   ``--repeat``; with the JS heap in use then (``performance.memory``). Chromium resolves
   no host (``--host-resolver-rules``), as offline. Targets, offline: 100k <= 3 MB and
   first draw <= 1.5 s; 1M <= 20 MB and <= 3 s.

Run: ``python benchmarks/bench_render.py [--repeat N] [--sizes 100000 500000] [--no-browser]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
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
# Written into the page: reports once the events are drawn (sahelmap sets __smFirstDraw;
# folium's pages draw during their own script, so their load event is their first draw):
# the time since navigation start, what is drawn (marker and cluster icons, canvases, SVG
# shapes), and
# the JS heap in use.
PROBE = """<script>
window.addEventListener("load", function () { window.__loaded = performance.now(); });
(function wait() {
  var done = window.__smFirstDraw || (window.__baseline && window.__loaded);
  if (done) {
    var drawn = document.querySelectorAll(".leaflet-marker-icon, .marker-cluster, " +
      ".leaflet-pane canvas, .leaflet-overlay-pane path.leaflet-interactive").length;
    var heap = performance.memory ? performance.memory.usedJSHeapSize / 1048576 : -1;
    var pre = document.createElement("pre");
    pre.id = "probe-report";
    pre.textContent = [done, drawn, heap].join("|");
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
    page = to_html(m)
    return time.perf_counter() - start, page


def events_fast_cluster(events, standalone: bool) -> tuple[float, str]:
    """folium's ``FastMarkerCluster`` of the points: as folium writes it, or inlined.

    As folium writes it, its markers are Awesome Markers icons (plugin from a CDN). Made
    standalone, they are Leaflet's own markers: the Awesome Markers plugin is not inlined,
    and a page that needs it draws nothing offline.
    """
    from folium.plugins import FastMarkerCluster

    start = time.perf_counter()
    # without tiles, the map needs a max zoom, or the cluster plugin stops ("Map has no
    # maxZoom specified") and nothing is drawn (folium's max_zoom= goes to the tiles only)
    m = folium.Map(location=[16, 2], zoom_start=5, tiles=None, maxZoom=18)
    plain = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"
    FastMarkerCluster(list(zip(events.geometry.y.round(5), events.geometry.x.round(5))),
                      callback=plain if standalone else None).add_to(m)
    page = to_html(m) if standalone else m.get_root().render()
    return time.perf_counter() - start, page


def events_marker_cluster(events) -> tuple[float, str]:
    """folium's ``MarkerCluster``: one ``folium.Marker`` per event, made standalone."""
    from folium.plugins import MarkerCluster

    start = time.perf_counter()
    m = folium.Map(location=[16, 2], zoom_start=5, tiles=None, maxZoom=18)
    MarkerCluster(locations=list(zip(events.geometry.y.round(5), events.geometry.x.round(5)))
                  ).add_to(m)
    return time.perf_counter() - start, to_html(m)


def events_explore(events) -> tuple[float, str]:
    """geopandas ``explore()`` of the events (no tiles), made standalone."""
    start = time.perf_counter()
    columns = ["event_date", "event_type", "fatalities", "place", "notes", "geometry"]
    data = events[columns].assign(event_date=events["event_date"].dt.strftime("%Y-%m-%d"))
    m = data.explore(column="event_type", tiles=None, marker_kwds={"radius": 3})
    return time.perf_counter() - start, to_html(m)


PAGES = {
    "sahelmap": lambda ev: events_ours(ev),
    "canvas": lambda ev: events_baseline(ev),
    "fast-cdn": lambda ev: events_fast_cluster(ev, standalone=False),
    "fast-inlined": lambda ev: events_fast_cluster(ev, standalone=True),
    "marker-cluster": events_marker_cluster,
    "explore": events_explore,
}
SMALL_ONLY = {"canvas", "marker-cluster", "explore"}  # pages of ~300+ bytes an event


def build(kind: str, n: int, path: str) -> dict:
    """Build one page of ``n`` events in this (child) process and write it to ``path``."""
    import folium.plugins  # noqa: F401  (imported before the clock starts)

    warnings.simplefilter("ignore")
    points = synthetic_events(n, seed=0)
    wall, cpu = time.perf_counter(), time.process_time()
    _, page = PAGES[kind](points)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if kind != "sahelmap":
        page = page.replace("<head>", "<head><script>window.__baseline = 1;</script>", 1)
    Path(path).write_text(page, encoding="utf-8")
    return {"wall_s": wall, "cpu_s": cpu, "mb": len(page.encode("utf-8")) / 1e6}


def open_in_chromium(path: Path, repeat: int) -> dict | None:
    """First draw of the page at ``path``: in-page ms and wall time minus a blank page's.

    Best of ``repeat`` runs; ``drawn`` counts marker and cluster icons and canvases (0: the
    page drew nothing).
    """
    if CHROMIUM is None:
        return None
    folder = path.parent

    def run(text: str, name: str) -> tuple[float, list[str]]:
        page = folder / f"{name}.probed.html"
        page.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
        command = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", f"--user-data-dir={folder / 'profile'}",
                   "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1400,900",
                   "--enable-precise-memory-info", "--virtual-time-budget=60000",
                   "--dump-dom", page.as_uri()]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        took = time.perf_counter() - start
        found = re.search(r'<pre id="probe-report">([^<]*)</pre>', done.stdout)
        if not found:
            raise RuntimeError(f"{name}: no report; chromium said {done.stderr[-500:]}")
        return took, found.group(1).split("|")

    text = path.read_text(encoding="utf-8")
    blank = "<!DOCTYPE html><html><head></head><body></body></html>".replace(
        "<head>", "<head><script>window.__baseline = 1;</script>")
    runs = []
    for _ in range(repeat):
        took, (in_page, drawn, heap) = run(text, path.stem)
        runs.append({"draw_wall_s": max(took - run(blank, "blank")[0], 0.0),
                     "page_s": float(in_page) / 1e3, "drawn": int(drawn),
                     "heap_mb": float(heap)})
    return min(runs, key=lambda r: r["page_s"])


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _measure import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best is kept)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    parser.add_argument("--pages", nargs="+", choices=sorted(PAGES), default=sorted(PAGES),
                        help="event-map pages to measure (sahelmap's is always measured)")
    parser.add_argument("--no-weeks", action="store_true", help="skip the weekly comparison")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"before: {load()}")
    if not args.no_weeks:
        weeks(args.repeat)
    events_at_scale(args)
    print(f"after: {load()}")


def weeks(repeat: int) -> None:
    from _measure import best


    table = adm2_weeks()
    events = synthetic_events(5_000, seed=0, start="2022-06-27", days=84)
    ours = best(lambda: weekly_ours(table, events), repeat)
    base = best(lambda: weekly_explore(table, events), repeat)
    print("1. 12 weeks x 120 ADM2 units x 5,000 events (built in this process; peak RSS "
          "sampled every 5 ms, and its rise during the build)")
    for label, r in (("sahelmap, one file with a week selector", ours),
                     ("explore(), one map per week (12 files) ", base)):
        print(f"   {label}: {r['value'][1] / 1e6:6.2f} MB {r['s']:6.2f} s (CPU {r['cpu_s']:.2f}"
              f" s), peak {r['peak_mb']:,.0f} MB (+{r['rise_mb']:,.0f})")
    print(f"   ratio sahelmap / explore: size {ours['value'][1] / base['value'][1]:.3f}, time "
          f"{ours['s'] / base['s']:.3f}, CPU {ours['cpu_s'] / base['cpu_s']:.3f} (explore's "
          "pages link Leaflet from CDNs; ours inline it)")


def events_at_scale(args: argparse.Namespace) -> None:
    from _measure import in_child, ratio

    print("\n2. events at scale, offline in headless Chromium (each page built in its own "
          "process; draw = in-page time to first draw, and wall time minus a blank page's)")
    header = (f"{'events':>9} {'page':<32} | {'MB':>6} {'build s':>7} {'CPU s':>6} "
              f"{'peak MB':>7} | {'draw s':>6} {'wall s':>6} {'drawn':>6} {'heap MB':>7} | "
              f"{'size / ours':>11} {'draw / ours':>11}")
    print(header)
    print("-" * len(header))
    labels = {"sahelmap": "sahelmap", "canvas": "folium GeoJSON canvas (inlined)",
              "fast-cdn": "folium FastMarkerCluster (CDN)",
              "fast-inlined": "FastMarkerCluster, plain, to_html",
              "marker-cluster": "folium MarkerCluster, to_html",
              "explore": "GeoDataFrame.explore(), to_html"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            kinds = ["sahelmap"] + [k for k in PAGES if k != "sahelmap" and k in args.pages
                                    and (k not in SMALL_ONLY or n <= 200_000)]
            mine = None
            for kind in kinds:
                path = folder / f"{kind}_{n}.html"
                built = in_child("bench_render", "build", kind, n, str(path))
                if "error" in built:
                    print(f"{n:>9,} {labels[kind]:<32} | failed: {built['error']}")
                    continue
                drew = None if args.no_browser else open_in_chromium(path, args.repeat)
                path.unlink()
                row = {**built, **(drew or {})}
                mine = mine or row
                draw = (f"{row['page_s']:>6.2f} {row['draw_wall_s']:>6.2f} {row['drawn']:>6,} "
                        f"{row['heap_mb']:>7.0f}" if drew else f"{'-':>6} {'-':>6} {'-':>6} "
                        f"{'-':>7}")
                drawn_ratio = ratio(row["page_s"], mine["page_s"]) if drew and row[
                    "drawn"] else "not drawn" if drew else "-"
                print(f"{n:>9,} {labels[kind]:<32} | {row['mb']:>6.2f} {row['wall_s']:>7.2f} "
                      f"{row['cpu_s']:>6.2f} {row['peak_mb']:>7,.0f} | {draw} | "
                      f"{ratio(row['mb'], mine['mb']):>11} {drawn_ratio:>11}", flush=True)
    print("ratios: the peer's figure / sahelmap's (above 1: sahelmap smaller or faster).")


if __name__ == "__main__":
    main()
