"""The standalone HTML in real headless Chromium, with no network.

A probe script is put in front of a copy of the page: it records every error (script errors,
failed resource loads, console.error), then after load counts what Leaflet drew, opens the
popups and tooltips that hold injected text, and writes a JSON report into the DOM, which
``chromium --dump-dom`` prints.
"""

import html as htmlmod
import json
import os
import re
import shutil
import subprocess
import time

import pytest

from sahelmap.render import crisis_map, to_html
from sahelmap.render._synthetic import synthetic_choropleth, synthetic_events

CHROMIUM = ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium")
            else shutil.which("chromium"))
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found at /usr/bin/chromium (apt-get install chromium)",
)

PAYLOAD = '<script>window.__pwn_{0}=1</script><img src=x onerror="window.__pwn_{0}=2">'
FIELDS = ("notes", "place", "actor1", "actor2", "source", "adm1_name", "event_type")

ERRORS = r"""<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  if (t && t !== window && (t.src || t.href)) { __errors.push("resource " + (t.src || t.href)); }
  else { __errors.push("error " + e.message + " line " + e.lineno); }
}, true);
window.addEventListener("unhandledrejection", function (e) {
  __errors.push("rejection " + e.reason);
});
(function () {
  var original = console.error;
  console.error = function () {
    __errors.push("console " + Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
}());
"""
# After load: ``map`` (the Leaflet map) and ``events`` (the event layer, or null) are found,
# the test's body fills ``report``, which is written into the DOM for --dump-dom.
LOAD_HEAD = r"""
window.addEventListener("load", function () { setTimeout(function () {
  var report = {errors: __errors};
  try {
"""
FIND_MAP = r"""
    var map = null, events = null;
    for (var key in window) {
      try { if (key.indexOf("map_") === 0 && window[key] instanceof L.Map) { map = window[key]; } }
      catch (err) {}
    }
    map.eachLayer(function (layer) {
      if (layer instanceof sahelmap.EventLayer) { events = layer; }
    });
"""
LOAD_TAIL = r"""
    report.remote = performance.getEntriesByType("resource").map(function (r) { return r.name; })
      .filter(function (n) { return !/^(data|file|blob|about):/.test(n); });
  } catch (err) { report.errors.push("probe " + err + " " + err.stack); }
  var pre = document.createElement("pre");
  pre.id = "probe-report";
  pre.textContent = JSON.stringify(report);
  document.body.appendChild(pre);
}, 1500); });
</script>"""


def make_probe(body, find_map=True):
    """A probe script that runs ``body`` (JavaScript) 1.5 s after the page has loaded."""
    return ERRORS + LOAD_HEAD + (FIND_MAP if find_map else "") + body + LOAD_TAIL


PROBE = make_probe(r"""
    var q = function (sel) { return document.querySelectorAll(sel).length; };
    report.choropleth = q(".leaflet-overlay-pane path.leaflet-interactive");
    report.borders = q(".leaflet-smBorders-pane path");
    var drawn = events ? events._drawn : [];
    report.points = drawn.filter(function (d) { return d.i !== undefined; }).length;
    report.clusters = drawn.filter(function (d) { return d.group; }).length;
    report.clustered = 0;
    drawn.forEach(function (d) { if (d.group) { report.clustered += d.group.n; } });
    report.labels = q(".sm-label");
    report.labels_shown = Array.prototype.filter.call(document.querySelectorAll(".sm-label"),
      function (el) { return el.style.visibility !== "hidden"; }).length;
    report.legend_rows = q(".sm-legend .sm-row");
    report.title = (document.querySelector(".sm-title h1") || {}).textContent || null;
    report.layer_control = q(".leaflet-control-layers-overlays label");
    report.popups = [];
    report.tooltips = [];
    if (events) {
      var range = events.weekRange();
      for (var i = range[0]; i < range[1]; i++) {
        if (events.popupHtml(i).indexOf("__pwn") < 0) { continue; }
        var box = events.openPopup(i).getElement().querySelector(".leaflet-popup-content");
        report.popups.push({text: box.textContent,
                            elements: box.querySelectorAll("script, img").length});
        map.closePopup();
      }
    }
    map.eachLayer(function (layer) {
      var props = layer.feature ? JSON.stringify(layer.feature.properties) : "";
      if (layer.getTooltip && layer.getTooltip() && props.indexOf("__pwn") >= 0) {
        layer.openTooltip(layer.getBounds().getCenter());
        var tip = layer.getTooltip().getElement();
        report.tooltips.push({text: tip.textContent,
                              elements: tip.querySelectorAll("script, img").length});
        layer.closeTooltip();
      }
    });
    report.legend_text = document.querySelector(".sm-legend").textContent;
    report.document_title = document.title;
    report.pwned = Object.keys(window).filter(function (k) { return k.indexOf("__pwn") === 0; });
""")


def run_in_chromium(page, tmp_path, name, probe=PROBE):
    """Open ``page`` (with the probe) from disk in headless Chromium; return the report."""
    dom = dump_dom(page.replace("<head>", "<head>" + probe, 1), tmp_path, name)
    match = re.search(r'<pre id="probe-report">(.*?)</pre>', dom, re.S)
    assert match, f"no probe report; chromium printed: {dom[-1500:]}"
    return json.loads(htmlmod.unescape(match.group(1)))


def dump_dom(page, tmp_path, name):
    """Open ``page`` from disk in headless Chromium with no network; return the final DOM."""
    path = tmp_path / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    command = [
        CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
        "--window-size=1400,900", "--virtual-time-budget=15000", "--dump-dom", path.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert "</html>" in done.stdout, f"chromium said: {done.stderr[-1500:]}"
    return done.stdout


@pytest.mark.slow
def test_all_communes_and_10000_events_draw_without_errors(tmp_path):
    communes = synthetic_choropleth(seed=5)
    events = synthetic_events(10_000, seed=5)
    started = time.perf_counter()
    report = run_in_chromium(to_html(crisis_map(communes, events, lang="en")), tmp_path, "big")
    assert report["errors"] == []
    assert report["remote"] == []
    assert report["choropleth"] == len(communes) > 800  # every commune polygon
    assert report["borders"] >= 2
    # Every event is drawn: as a circle, or counted in a cluster.
    assert report["clusters"] > 10
    assert report["clustered"] + report["points"] == 10_000
    assert report["labels"] == 27 and 8 <= report["labels_shown"] <= 27  # 2023 regions
    assert report["legend_rows"] >= 6 + 6
    assert report["layer_control"] == 4
    assert report["title"] == "Arrivals and security events"
    assert time.perf_counter() - started < 30


def test_injected_markup_shows_as_text_and_never_runs(tmp_path):
    communes = synthetic_choropleth(seed=6)
    communes.loc[communes.index[0], "unit_name"] = PAYLOAD.format("unit")
    events = synthetic_events(40, seed=6)
    for i, field in enumerate(FIELDS):
        events.loc[events.index[i], field] = PAYLOAD.format(field)
    page = to_html(crisis_map(communes, events, title=PAYLOAD.format("title"),
                              sources=PAYLOAD.format("sources"), cluster=False, lang="en"))
    report = run_in_chromium(page, tmp_path, "inject")
    assert report["pwned"] == []
    assert report["errors"] == []  # not even the <img src=x> was requested
    assert report["document_title"].startswith("<script>window.__pwn_title=1</script>")
    assert report["title"] == PAYLOAD.format("title")
    assert report["points"] == 40
    assert len(report["popups"]) == len(FIELDS)
    for popup in report["popups"]:
        assert popup["elements"] == 0
        assert "<script>window.__pwn_" in popup["text"]
    assert [tip["elements"] for tip in report["tooltips"]] == [0]
    assert PAYLOAD.format("unit") in report["tooltips"][0]["text"]
    assert PAYLOAD.format("event_type") in report["legend_text"]


@pytest.mark.parametrize(("level", "structure", "units", "labels"), [
    ("adm2", "2023", 53 + 67, 27),   # cercles and departments, 2023 regions named
    ("adm1", "2023", 19 + 8, 27),    # 19 regions + Bamako, Taoudénit inside Tombouctou
    ("adm1", "2016", 10 + 8, 18),
])
def test_the_weekly_example_at_each_level_and_structure(tmp_path, level, structure, units,
                                                        labels):
    from click.testing import CliRunner

    from sahelmap.cli import main

    out = tmp_path / "weekly"
    result = CliRunner().invoke(main, ["weekly", "--example", "--week", "2022-W37", "--out",
                                       str(out), "--level", level, "--structure", structure,
                                       "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "map.png").stat().st_size > 50_000
    page = (out / "map.html").read_text(encoding="utf-8")
    report = run_in_chromium(page, tmp_path, f"{level}_{structure}")
    assert report["errors"] == [] and report["remote"] == []
    assert report["choropleth"] == units  # every unit drawn, offline
    assert report["labels"] == labels
    assert report["points"] + report["clustered"] == 6


CLICK_PROBE = make_probe(r"""
    var box = map.getContainer().getBoundingClientRect();
    function click(x, y) {
      var at = {clientX: box.left + x, clientY: box.top + y, bubbles: true, cancelable: true,
                view: window, button: 0};
      var target = document.elementFromPoint(at.clientX, at.clientY);
      ["mousedown", "mouseup", "click"].forEach(function (type) {
        target.dispatchEvent(new MouseEvent(type, at));
      });
    }
    report.drawn = events._drawn.length;
    report.grouped = events._grouped;
    var single = events._drawn.filter(function (d) { return d.i !== undefined; })[0];
    var hit = events._hit(L.point(single.x, single.y));  /* the circle on top there */
    click(single.x, single.y);
    var popup = document.querySelector(".leaflet-popup-content");
    report.popup = popup ? popup.innerHTML : null;
    var expected = document.createElement("div");
    expected.innerHTML = events.popupHtml(hit.i);
    report.expected = expected.innerHTML;
    report.date = events._d.S[events._d.d[hit.i] - 1];
    map.closePopup();
    var group = events._drawn.filter(function (d) { return d.group; })[0];
    report.group_n = group.group.n;
    report.zoom_before = map.getZoom();
    click(group.x, group.y);
    report.zoom_after = map.getZoom();
""")


@pytest.mark.slow
def test_100k_events_open_offline_and_a_click_opens_the_popup(tmp_path):
    events = synthetic_events(100_000, seed=7)
    page = to_html(crisis_map(events=events, lang="en"))
    assert len(page.encode("utf-8")) < 3_000_000
    report = run_in_chromium(page, tmp_path, "click100k", probe=CLICK_PROBE)
    assert report["errors"] == [] and report["remote"] == []
    assert report["grouped"] is True  # 100k in view: nearby events grouped, said in legend
    assert "sm-grouped" in page
    assert report["popup"] == report["expected"]  # the clicked event's popup, built on click
    assert report["date"][:7] == "2022-09" and report["date"] in report["popup"]
    assert "Fatalities" in report["popup"]
    assert report["group_n"] > 1 and report["zoom_after"] > report["zoom_before"]


STACK_PROBE = make_probe(r"""
    var box = map.getContainer().getBoundingClientRect();
    var top = events._drawn[events._drawn.length - 1];
    var at = {clientX: box.left + top.x, clientY: box.top + top.y, bubbles: true, view: window};
    var target = document.elementFromPoint(at.clientX, at.clientY);
    ["mousedown", "mouseup", "click"].forEach(function (type) {
      target.dispatchEvent(new MouseEvent(type, at));
    });
    var popup = document.querySelector(".leaflet-popup-content");
    report.listed = popup.querySelectorAll(".sm-pop").length;
    report.places = Array.prototype.map.call(popup.querySelectorAll(".sm-pop-when"),
      function (el) { return el.textContent; });
""")


def test_events_at_one_spot_are_all_listed_on_click(tmp_path):
    """Many reports from one village share its coordinates: a click lists them all."""
    events = synthetic_events(5, seed=8)
    events["geometry"] = events.geometry.iloc[0]
    events["place"] = [f"Village {i}" for i in range(5)]
    report = run_in_chromium(to_html(crisis_map(events=events, lang="en")), tmp_path,
                             "stack", probe=STACK_PROBE)
    assert report["errors"] == []
    assert report["listed"] == 5
    assert sorted(p.split(" \u00b7 ")[1].split(",")[0] for p in report["places"]) == [
        f"Village {i}" for i in range(5)]
