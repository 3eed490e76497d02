"""Several weeks in one offline map: the week selector in headless Chromium, and French."""

import re

import numpy as np
import pandas as pd
import pytest

from sahelmap.i18n import messages
from sahelmap.render import crisis_map, to_html
from sahelmap.render._classify import classify
from sahelmap.render._synthetic import synthetic_choropleth, synthetic_events
from sahelmap.render._weeks import event_periods, period_grid
from tests.test_render_browser import CHROMIUM, make_probe, run_in_chromium

WEEKS = [f"2022-W{w}" for w in range(34, 38)]

WEEK_PROBE = make_probe(r"""
    report.snaps = [];
    function snap(how) {
      var fills = {};
      map.eachLayer(function (l) {
        if (l.feature && l.feature.properties.u !== undefined) {
          fills[l.feature.properties.u] = l._path.getAttribute("fill");
        }
      });
      var points = events._drawn.filter(function (d) { return d.i !== undefined; })
        .map(function (d) {
          var p = events.latLng(d.i);
          return [+p.lat.toFixed(4), +p.lng.toFixed(4)];
        });
      report.snaps.push({how: how, week: sahelmap.week(map), fills: fills, points: points,
        label: document.querySelector(".sm-weeks-label").textContent,
        synthetic: document.querySelector(".sm-legend .sm-synthetic-n").textContent,
        period: document.querySelector(".sm-title .sm-period").textContent,
        layer: document.querySelector(".leaflet-control-layers .sm-layer-n").textContent,
        total: document.querySelector(".sm-legend .sm-events-total").textContent,
        counts: Array.prototype.map.call(
          document.querySelectorAll(".sm-legend .sm-class .sm-count"),
          function (el) { return el.textContent; })});
    }
    snap("initial");
    document.body.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowLeft", bubbles: true}));
    snap("ArrowLeft");
    document.querySelector(".sm-prev").click();
    snap("previous button");
    document.querySelector(".sm-next").click();
    snap("next button");
    var slider = document.querySelector(".sm-slider");
    slider.value = "0";
    slider.dispatchEvent(new Event("input", {bubbles: true}));
    snap("slider");
    document.body.dispatchEvent(new KeyboardEvent("keydown", {key: "End", bubbles: true}));
    snap("End");
""")


@pytest.fixture(scope="module")
def weekly_frames():
    """Four weeks of region figures that differ every week, and events in each week."""
    regions = pd.concat([synthetic_choropleth(level="adm1", seed=i, period=w)
                         for i, w in enumerate(WEEKS)], ignore_index=True)
    events = synthetic_events(400, seed=2, start="2022-08-22", days=28)
    return regions, events


def test_the_grid_and_the_fixed_classes(weekly_frames):
    regions, events = weekly_frames
    grid = period_grid(regions, ["idps"])
    assert grid.labels == tuple(WEEKS) and grid.initial == 3
    assert grid.values["idps"].shape == (4, regions["unit_pcode"].nunique())
    w35 = regions[regions["period"] == "2022-W35"].set_index("unit_pcode")["idps"]
    units = grid.units["unit_pcode"].tolist()
    assert grid.values["idps"][1].tolist() == w35.loc[units].astype(float).tolist()
    index = event_periods(events["event_date"], grid.labels)
    iso = events["event_date"].dt.isocalendar()["week"].to_numpy()
    assert (index == iso - 34).all()


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found")
def test_week_selector_redraws_fill_events_and_legend(tmp_path, weekly_frames):
    regions, events = weekly_frames
    page = to_html(crisis_map(regions, events, value="idps", lang="en"))
    context = page[page.index("sahelmap.context("):]
    context = context[:context.index("\n")]  # neighbouring countries: drawn once, not per week
    features = page.count('"type":"Feature"') - context.count('"type":"Feature"')
    assert features < 60  # one polygon per unit, not one per week
    report = run_in_chromium(page, tmp_path, "weeks", probe=WEEK_PROBE)
    assert report["errors"] == [] and report["remote"] == []

    grid = period_grid(regions, ["idps"])
    classes = classify(grid.values["idps"].ravel(), k=5)  # the same for every week
    codes = classes.index.reshape(len(WEEKS), -1)
    week_of = event_periods(events["event_date"], grid.labels)
    xy = np.round(np.column_stack([events.geometry.y, events.geometry.x]), 4)
    expected_weeks = {"initial": 3, "ArrowLeft": 2, "previous button": 1,
                      "next button": 2, "slider": 0, "End": 3}
    fills_seen = set()
    for snap in report["snaps"]:
        w = expected_weeks[snap["how"]]
        assert snap["week"] == w, snap["how"]
        want = {str(u): classes.colors[c] for u, c in enumerate(codes[w])}
        assert snap["fills"] == want, snap["how"]
        fills_seen.add(tuple(sorted(snap["fills"].items())))
        assert sorted(map(tuple, snap["points"])) == sorted(map(tuple, xy[week_of == w]))
        assert snap["label"] == WEEKS[w] and WEEKS[w] in snap["period"]
        assert snap["synthetic"] == f"{(week_of == w).sum():,}"  # the week's, all synthetic
        # the layer control names the week's events, as the legend does (not every week's)
        assert snap["layer"] == snap["total"] == f"{(week_of == w).sum():,}", snap["how"]
        counts = np.bincount(codes[w], minlength=len(classes.labels))
        assert [int(c) for c in snap["counts"]] == counts.tolist()
    assert len(fills_seen) == 4  # the colours did change with the week


FRENCH_PROBE = make_probe(r"""
    report.texts = [];
    events.openPopup(events.weekRange()[0]);
    report.texts.push(document.querySelector(".leaflet-popup-content").innerText);
    map.closePopup();
    var polygon = null;
    map.eachLayer(function (l) {
      if (!polygon && l.feature && l.feature.properties.u === 0) { polygon = l; }
    });
    polygon.openTooltip(polygon.getBounds().getCenter());
    report.texts.push(polygon.getTooltip().getElement().innerText);
    report.texts.push(document.body.innerText, document.title);
    document.querySelectorAll("[title], [aria-label]").forEach(function (el) {
      report.texts.push(el.getAttribute("title") || "", el.getAttribute("aria-label") || "");
    });
""")

# Data (place and actor names, sources, notes) may be in any language; the interface may not.
ENGLISH = ("Week", "Legend", "Security events", "Fatalities", "Actors", "no data",
           "none reported", "admin units", "Layers", "Close", "library", "Previous", "Next",
           "Keys", "Zoom in", "Zoom out", "Synthetic record", "synthetic events",
           "Violence against civilians", "Battles", "Remote violence", "Strategic developments",
           "Protests", "Riots", "Region names", "borders", "Boundaries:", "Places:", "Sep ",
           "IDPs", " mi")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found")
def test_the_french_map_has_no_english_interface_text(tmp_path, weekly_frames):
    regions, events = weekly_frames
    events = events.assign(notes="", actor1="JNIM", actor2=None, source="RFI")
    page = to_html(crisis_map(regions, events, value="idps", lang="fr"))
    report = run_in_chromium(page, tmp_path, "french", probe=FRENCH_PROBE)
    assert report["errors"] == []
    text = "\n".join(report["texts"])
    assert "Victimes" in text and "Semaine" in text and "PDI" in text
    leaks = [word for word in ENGLISH if word in text]
    assert leaks == [], [line for line in text.splitlines() if any(w in line for w in leaks)]
    # every English catalogue entry that differs from its French one is absent
    english, french = messages("en"), messages("fr")
    for key, value in english.items():
        if value != french[key] and "{" not in value and "<" not in value:
            assert not re.search(rf"\b{re.escape(value)}\b", text), key


def test_french_numbers_use_a_narrow_no_break_space(weekly_frames):
    regions, _ = weekly_frames
    big = regions.assign(idps=regions["idps"] * 100)
    page = to_html(crisis_map(big, value="idps", lang="fr"))
    assert "\u202f" in page and "Semaine 2022-W37 (du 12 sept. au 18 sept. 2022)" in page


def test_change_modes_map_differences_on_a_palette_centred_on_zero(weekly_frames):
    from sahelmap.render._classify import classify_change
    from sahelmap.render._weeks import change_grid

    regions, _ = weekly_frames
    level = period_grid(regions, ["idps"]).values["idps"]
    change = change_grid(level, "change")
    assert np.isnan(change[0]).all()
    assert np.array_equal(change[1:], level[1:] - level[:-1])
    classes = classify_change(change.ravel(), k=5)
    middle = classes.labels.index("0")
    bins = len(classes.bins)
    assert middle == bins and classes.colors[middle] == "#f1efe9"  # neutral, in the middle
    flat = change.ravel()
    assert (classes.index[flat > 0] > middle).all() and (classes.index[flat < 0] < middle).all()
    # same bounds either side: a fall and a rise of the same size get mirrored classes
    mirrored = classify_change(np.array([-30.0, 30.0, -5.0, 5.0, 0.0]), k=5)
    low, high = mirrored.index[[0, 2]], mirrored.index[[1, 3]]
    assert ((low + high) == 2 * mirrored.labels.index("0")).all()
    page = to_html(crisis_map(regions, value="idps", mode="change_4w", lang="en"))
    assert "IDPs: Change from the mean of the 4 weeks before" in page
    assert "0 (no change)" in page
    # the title says the map shows a change, not the figure itself
    assert "<title>IDPs: Change from the mean of the 4 weeks before \u2013" in page
    assert "<title>IDPs \u2013" in to_html(crisis_map(regions, value="idps", lang="en"))
    from tests.test_render_html import layer_names

    assert layer_names(page)[0] == "IDPs: change"  # the layer control says it too
    french = to_html(crisis_map(regions, value="idps", mode="change", lang="fr"))
    assert layer_names(french)[0] == "PDI\u00a0: variation"


TREND_PROBE = make_probe(r"""
    var polygon = null;
    map.eachLayer(function (l) {
      if (!polygon && l.feature && l.feature.properties.u === 2) { polygon = l; }
    });
    polygon.openTooltip(polygon.getBounds().getCenter());
    var tip = polygon.getTooltip().getElement();
    report.path = tip.querySelector("svg.sm-spark path").getAttribute("d");
    report.label = tip.querySelector("svg.sm-spark").getAttribute("aria-label");
    report.rows = Array.prototype.map.call(tip.querySelectorAll("tr"), function (tr) {
      return [tr.cells[0].textContent, tr.cells[1].textContent];
    });
""")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found")
def test_tooltip_has_a_trend_line_the_change_and_the_share_of_the_country(tmp_path,
                                                                            weekly_frames):
    regions, _ = weekly_frames
    page = to_html(crisis_map(regions, value="idps", mode="change", lang="en"))
    report = run_in_chromium(page, tmp_path, "trend", probe=TREND_PROBE)
    assert report["errors"] == []
    grid = period_grid(regions, ["idps"])
    series = grid.values["idps"][:, 2]
    assert report["label"] == ", ".join(f"{int(x):,}" for x in series)
    assert report["path"].count("L") == len(WEEKS) - 1  # one line through the 4 weeks
    rows = dict(report["rows"])
    change = int(series[3] - series[2])
    assert rows["IDPs: Change from the previous week"] == (f"{change:+,}" if change else "0")
    unit = grid.units.iloc[2]
    same_country = grid.units["unit_pcode"].str[:2] == unit["unit_pcode"][:2]
    share = 100 * series[3] / grid.values["idps"][3][same_country.to_numpy()].sum()
    assert rows["Share of country total"] == f"{round(share, 1):g}\u00a0%"


def test_the_static_map_of_a_change_is_that_of_the_web_map(tmp_path, weekly_frames):
    """`--mode change` draws the PNG/SVG as the web map: the week's change, its classes."""
    from sahelmap.render import save_static
    from sahelmap.render._classify import classify_change
    from sahelmap.render._weeks import change_grid

    regions, _ = weekly_frames
    svg = save_static(regions, path=tmp_path / "change.svg", value="idps", mode="change",
                      week="2022-W36", lang="en").read_text(encoding="utf-8")
    grid = period_grid(regions, ["idps"], initial="2022-W36")
    mapped = change_grid(grid.values["idps"], "change")
    classes = classify_change(mapped.ravel(), k=5)
    week = classes.index.reshape(len(WEEKS), -1)[grid.initial]
    counts = np.bincount(week, minlength=len(classes.labels))
    zero = classes.labels.index("0")
    assert f"0 (no change)  ({counts[zero]})" in svg  # the week's units, per class
    assert f"no data  ({counts[-1]})" in svg and "No data" not in svg
    assert "Change from the previous" in svg and "Week 2022-W36" in svg
    level = save_static(regions[regions["period"] == "2022-W36"], path=tmp_path / "level.svg",
                        value="idps", lang="en").read_text(encoding="utf-8")
    assert "Change from" not in level and "no change" not in level


def test_the_static_map_of_one_of_several_weeks_has_the_web_maps_classes(tmp_path,
                                                                        weekly_frames):
    """map.png and map.html class the same weeks: one value, one colour in both."""
    from sahelmap.render import save_static
    from sahelmap.render._classify import classify

    regions, _ = weekly_frames
    svg = save_static(regions, path=tmp_path / "week.svg", value="idps", week="2022-W36",
                      lang="en").read_text(encoding="utf-8")
    grid = period_grid(regions, ["idps"], initial="2022-W36")
    every_week = classify(grid.values["idps"].ravel(), k=5)
    week = every_week.index.reshape(len(WEEKS), -1)[grid.initial]
    counts = np.bincount(week, minlength=len(every_week.labels))
    ranges = [(label, n) for label, n in zip(every_week.labels, counts) if "\u2013" in label]
    assert len(ranges) >= 4
    for label, count in ranges:  # the bounds of every week, the counts of the one drawn
        assert f"{label}  ({count})" in svg, label
    assert "Week 2022-W36" in svg
    # classed alone, the week's bounds differ: the check above could fail
    alone = classify(regions.loc[regions["period"] == "2022-W36", "idps"], k=5)
    assert alone.labels != every_week.labels
