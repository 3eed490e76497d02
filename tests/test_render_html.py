"""The folium crisis map and its standalone HTML: layers, legend, escaping, assets, size."""

import base64
import gzip
import json
import re
import warnings
from html import unescape

import folium
import folium.plugins
import numpy as np
import pandas as pd
import pytest

from sahelmap.boundaries import admin_units
from sahelmap.render import RenderError, crisis_map, save_html, to_html
from sahelmap.render._classify import classify
from sahelmap.render._synthetic import synthetic_choropleth, synthetic_events

PAYLOAD = '<script>window.__pwn_{0}=1</script><img src=x onerror="window.__pwn_{0}=2">'
TEXT_FIELDS = ("notes", "place", "actor1", "actor2", "source", "adm1_name", "event_type")
REMOTE_ASSET = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["\']?(?:https?:)?//',
                          re.IGNORECASE)


@pytest.fixture(scope="module")
def communes():
    return synthetic_choropleth(seed=3)


@pytest.fixture(scope="module")
def events():
    return synthetic_events(300, seed=3)


def injected(communes, events):
    chor = communes.copy()
    chor.loc[chor.index[0], "unit_name"] = PAYLOAD.format("unit")
    chor.loc[chor.index[1], "adm1_name"] = PAYLOAD.format("region")
    ev = events.copy()
    for i, field in enumerate(TEXT_FIELDS):
        ev.loc[ev.index[i], field] = PAYLOAD.format(field)
    return chor, ev


def control_html(html, css_class):
    """The HTML of a title or legend box (a JSON string argument of sahelmap.control)."""
    match = re.search(r'sahelmap\.control\(map_\w+, ("(?:[^"\\]|\\.)*"), "\w+", '
                      + re.escape(json.dumps(css_class)), html)
    assert match, f"no {css_class} box in the page"
    return json.loads(match.group(1))


def packed_events(html):
    """The event layer's columns, inflated as the page does (see _pack.py)."""
    match = re.search(r'sahelmap\.events\(map_\w+, (\{.*?\}), (\{"types".*?\})\);', html, re.S)
    assert match, "no event layer in the page"
    payload, options = json.loads(match.group(1)), json.loads(match.group(2))
    buffer = gzip.decompress(base64.b64decode(payload["blob"]))
    columns = {name: np.frombuffer(buffer, dtype="<" + kind, count=n, offset=offset)
               for name, kind, offset, n in payload["cols"]}
    columns["S"] = json.loads(columns["S"].tobytes().decode("utf-8"))
    columns["lon"] = np.cumsum(columns["x"]) / payload["scale"]
    columns["lat"] = columns["y"] / payload["scale"]
    return payload, options, columns


def layer_names(html):
    match = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S)
    assert match, "no LayerControl overlays in the page"
    names = [json.loads(f'"{n}"') for n in re.findall(r'"([^"]+)"\s*:', match.group(1))]
    return [re.sub(r"<[^>]+>", "", n) for n in names]  # as the control shows them


def test_layers_legend_and_title(communes, events):
    m = crisis_map(communes, events, value="idps", scheme="natural_breaks", k=4,
                   title="IDPs, week 37", sources=["IOM DTM", "ACLED"], lang="en")
    assert isinstance(m, folium.Map)
    html = to_html(m)
    assert layer_names(html) == ["IDPs (2022-W37)", "Country and region borders",
                                 "Region names", "Security events (300)"]
    for function in ("choropleth", "borders", "labels", "events", "land", "background"):
        assert f"sahelmap.{function}(" in html
    classes = classify(communes["idps"], scheme="natural_breaks", k=4)
    assert len(classes.labels) == 5  # zero + 4
    box = control_html(html, "sm-legend")
    legend = re.findall(r'sm-class"><span class="sm-swatch" style="background:(#\w+)"></span>'
                        r'<span>([^<]+)</span><span class="sm-count">([\d,]+)', box)
    assert [color for color, _, _ in legend] == list(classes.colors)
    assert [label for _, label, _ in legend] == ["0 (none reported)", *classes.labels[1:]]
    assert [int(n.replace(",", "")) for _, _, n in legend] == list(classes.counts)
    counts = events["event_type"].value_counts()
    for kind in events["event_type"].unique():
        assert f'<span>{kind}</span><span class="sm-count">{counts[kind]:,}</span>' in box
    assert "Fatalities per event" in box and "<circle" in box
    title = control_html(html, "sm-title")
    assert title == ('<h1>IDPs, week 37</h1><div class="sm-period">2022-W37</div>'
                     '<div class="sm-sources">Sources: IOM DTM; ACLED</div>')
    assert "geoBoundaries" in html and "GeoNames" in html and "HDX/OCHA" in html
    assert html.count("L.control.layers(") == 1


def test_every_text_field_is_escaped(communes, events):
    chor, ev = injected(communes, events)
    html = to_html(crisis_map(chor, ev, title=PAYLOAD.format("title"),
                              sources=PAYLOAD.format("sources"), period=PAYLOAD.format("period"),
                              cluster=False))
    assert "<script>window.__pwn" not in html
    assert "<img src=x" not in html
    strings = "\n".join(packed_events(html)[2]["S"])  # the popups' texts travel compressed
    for name in (*TEXT_FIELDS, "unit", "region", "title", "sources", "period"):
        text = f"&lt;script&gt;window.__pwn_{name}=1&lt;/script&gt;"
        assert text in html or text in strings, name
    # The payloads changed no element structure: same script and img tags as clean data.
    clean = to_html(crisis_map(communes, events, title="t", sources="s", period="p",
                               cluster=False))
    for tag in ("<script", "</script", "<img", "<style"):
        assert html.count(tag) == clean.count(tag), tag


def test_no_remote_scripts_or_stylesheets(communes, events):
    html = to_html(crisis_map(communes, events))
    assert not REMOTE_ASSET.search(html)
    for gone in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "font-awesome"):
        assert gone not in html.lower()
    assert "L.markerClusterGroup" not in html  # events are drawn on a canvas: no plugin
    assert "images/layers.png" not in html and "data:image/png;base64," in html
    assert "sourceMappingURL" not in html
    assert html.startswith("<!DOCTYPE html>")


def test_folium_extras_are_inlined_or_reported(communes):
    m = crisis_map(communes)
    folium.Marker([15, 0], tooltip="plain marker").add_to(m)  # default Leaflet icon
    html = to_html(m)
    assert not REMOTE_ASSET.search(html)
    assert 'L.Icon.Default.imagePath = ""' in html
    folium.plugins.Fullscreen().add_to(m)  # a plugin whose script cannot be inlined
    with pytest.warns(UserWarning, match="could not be inlined.*fullscreen"):
        html = to_html(m)
    assert REMOTE_ASSET.search(html)


def test_size_all_communes_and_10000_events():
    communes = synthetic_choropleth(seed=0)
    events = synthetic_events(10_000, seed=0)
    # worst case: every event with its own long, ACLED-length note (popups show a preview)
    events["notes"] = [f"Event {i}: " + "armed men on motorbikes attacked the village. " * 9
                       for i in range(len(events))]
    html = to_html(crisis_map(communes, events))
    assert len(communes) > 800  # the bundled communes, a stand-in for ADM2
    assert len(html.encode("utf-8")) < 1_500_000
    payload, options, columns = packed_events(html)
    assert payload["notes"] is True and options["week"] == 0


def test_long_notes_are_clipped(events):
    ev = events.copy()
    ev["notes"] = "x" * 5000
    from sahelmap.render._pack import NOTES_MAX

    strings = packed_events(to_html(crisis_map(events=ev)))[2]["S"]
    assert "x" * (NOTES_MAX - 1) + "\u2026" in strings
    assert max(len(s) for s in strings) == NOTES_MAX


def test_notes_over_the_budget_are_left_out_and_said(monkeypatch, events):
    import sahelmap.render._pack as pack

    monkeypatch.setattr(pack, "NOTES_BUDGET", 1000)
    payload, _, columns = packed_events(to_html(crisis_map(events=events, lang="en")))
    assert payload["notes"] is False and "n" not in columns
    assert not any("synthetic, for testing" in s for s in columns["S"])
    assert "Notes left out of this map" in to_html(crisis_map(events=events, lang="en"))


def test_events_blob_round_trips(events):
    payload, _, data = packed_events(to_html(crisis_map(events=events, cluster=False)))
    assert payload["n"] == len(events) == len(data["t"]) == len(data["f"])
    assert payload["starts"] == [0, len(events)]  # one period: one slice
    assert sorted(data["f"], reverse=True) == data["f"].tolist()  # big circles drawn first
    assert payload["synthetic"] is True and "sy" not in data  # all synthetic: said once
    # every event is there, at its place (1e-4 degree), with its type and fatalities
    got = pd.DataFrame({"lon": data["lon"], "lat": data["lat"], "f": data["f"],
                        "p": [unescape(data["S"][i - 1]) for i in data["p"]]})
    want = pd.DataFrame({"lon": events.geometry.x.round(4), "lat": events.geometry.y.round(4),
                         "f": events["fatalities"], "p": events["place"]})
    key = ["lon", "lat", "f", "p"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  want.sort_values(key).reset_index(drop=True),
                                  check_dtype=False, atol=1e-9)


def test_events_are_grouped_only_when_many(events):
    assert "sm-grouped" not in to_html(crisis_map(events=events.iloc[:500]))
    assert "sm-grouped" in to_html(crisis_map(events=events.iloc[:500], cluster=True))


def test_add_to_existing_map(communes, events):
    m = crisis_map(communes, value="arrivals")
    folium.LayerControl().add_to(m)  # the user's own control: kept single, moved last
    same = crisis_map(events=events, m=m, lang="en")
    assert same is m
    html = to_html(m)
    assert html.count("L.control.layers(") == 1
    assert html.count("sahelmap.borders(") == 1 and html.count("sahelmap.labels(") == 1
    assert layer_names(html)[-1] == "Security events (300)"
    assert html.index("L.control.layers(") > html.index("sahelmap.events(")


def test_tiles_are_optional(communes):
    offline = to_html(crisis_map(communes))
    assert "L.tileLayer(" not in offline
    online = to_html(crisis_map(communes, tiles="OpenStreetMap"))
    assert "tile.openstreetmap.org" in online and "L.tileLayer(" in online
    assert not REMOTE_ASSET.search(online)


def test_all_zero_and_missing_values(communes):
    zero = communes.assign(arrivals=0)
    html = to_html(crisis_map(zero, lang="en"))
    assert "0 (none reported)" in html
    gaps = communes.assign(arrivals=communes["arrivals"].where(communes.index % 3 > 0))
    assert "no data" in control_html(to_html(crisis_map(gaps, lang="en")), "sm-legend")


def test_bad_input_fails_with_a_useful_message(communes, events):
    with pytest.raises(RenderError, match="no column 'refugees'.*'arrivals'"):
        crisis_map(communes, value="refugees")
    with pytest.raises(RenderError, match="GeoDataFrame"):
        crisis_map(communes.drop(columns="geometry").to_dict())
    with pytest.raises(RenderError, match="must hold points"):
        crisis_map(events=communes)
    twice = pd.concat([communes, communes])
    with pytest.raises(RenderError, match="one row per unit and period"):
        crisis_map(twice)
    both = pd.concat([communes.assign(period="2022-W36"), communes])
    with pytest.raises(RenderError, match="Period '2022-W30' is not in.*2022-W36 to 2022-W37"):
        crisis_map(both, week="2022-W30")
    with pytest.raises(RenderError, match="Unknown colour map"):
        crisis_map(communes, cmap="NotAColormap")


def test_rows_without_geometry_warn(events):
    ev = events.copy()
    ev.loc[ev.index[:3], "geometry"] = None
    with pytest.warns(UserWarning, match="3 row\\(s\\) of the events frame have no geometry"):
        m = crisis_map(events=ev, lang="en")
    assert layer_names(to_html(m))[-1] == "Security events (297)"


def test_other_crs_is_reprojected(communes):
    projected = communes.to_crs("EPSG:32631")
    html = to_html(crisis_map(projected))
    assert html.count('"type":"Feature"') >= len(communes)


def test_save_html_and_notebook_repr(tmp_path, communes):
    m = crisis_map(communes)
    path = save_html(m, tmp_path / "map.html")
    assert path.exists() and path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "<iframe" in m._repr_html_()


def test_regions_frame_with_adm1_units():
    regions = admin_units("adm1", simplified=True).assign(
        unit_pcode=lambda f: f["adm1_pcode"], unit_name=lambda f: f["adm1_name"],
        returns=lambda f: range(len(f)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = to_html(crisis_map(regions, value="returns", lang="en"))
    assert "Returns" in html and html.count('"type":"Feature"') >= len(regions)
