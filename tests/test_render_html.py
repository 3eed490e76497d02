"""The folium crisis map and its standalone HTML: layers, legend, escaping, assets, size."""

import json
import re
import warnings

import folium
import folium.plugins
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


def layer_names(html):
    match = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S)
    assert match, "no LayerControl overlays in the page"
    return re.findall(r'"([^"]+)"\s*:', match.group(1))


def test_layers_legend_and_title(communes, events):
    m = crisis_map(communes, events, value="idps", scheme="natural_breaks", k=4,
                   title="IDPs, week 37", sources=["IOM DTM", "ACLED"])
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
    for name in (*TEXT_FIELDS, "unit", "region", "title", "sources", "period"):
        assert f"&lt;script&gt;window.__pwn_{name}=1&lt;/script&gt;" in html, name
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
    assert "L.markerClusterGroup" in html  # markercluster is inlined, not linked
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
    assert len(html.encode("utf-8")) < 3_000_000
    assert "L.markerClusterGroup(" in html and '"cluster":true' in html


def test_long_notes_are_clipped(events):
    ev = events.copy()
    ev["notes"] = "x" * 5000
    html = to_html(crisis_map(events=ev))
    from sahelmap.render._encode import NOTES_MAX

    assert "x" * NOTES_MAX not in html and "x" * (NOTES_MAX - 10) + "\u2026" in html


def test_events_blob_round_trips(events):
    html = to_html(crisis_map(events=events, cluster=False))
    blob = re.search(r"sahelmap\.events\(map_\w+, (\{.*?\}), \{\"types\"", html, re.S).group(1)
    data = json.loads(blob)
    assert len(data["lat"]) == len(events) == len(data["t"]) == len(data["f"])
    assert sorted(data["f"], reverse=True) == data["f"]  # big circles drawn first
    assert data["y"] == 1  # all synthetic: stored once
    assert "L.markerClusterGroup(" not in html.split("</head>")[1]
    assert '"cluster":false' in html


def test_cluster_threshold(events):
    assert '"cluster":false' in to_html(crisis_map(events=events.iloc[:500]))
    assert '"cluster":true' in to_html(crisis_map(events=events.iloc[:500], cluster=True))


def test_add_to_existing_map(communes, events):
    m = crisis_map(communes, value="arrivals")
    folium.LayerControl().add_to(m)  # the user's own control: kept single, moved last
    same = crisis_map(events=events, m=m)
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
    html = to_html(crisis_map(zero))
    assert "0 (none reported)" in html
    gaps = communes.assign(arrivals=communes["arrivals"].where(communes.index % 3 > 0))
    assert "No data" in to_html(crisis_map(gaps))


def test_bad_input_fails_with_a_useful_message(communes, events):
    with pytest.raises(RenderError, match="no column 'refugees'.*'arrivals'"):
        crisis_map(communes, value="refugees")
    with pytest.raises(RenderError, match="GeoDataFrame"):
        crisis_map(communes.drop(columns="geometry").to_dict())
    with pytest.raises(RenderError, match="must hold points"):
        crisis_map(events=communes)
    both = pd.concat([communes.assign(period="2022-W36"), communes])
    with pytest.raises(RenderError, match="one row per unit.*2 periods"):
        crisis_map(both)
    with pytest.raises(RenderError, match="Unknown colour map"):
        crisis_map(communes, cmap="NotAColormap")


def test_rows_without_geometry_warn(events):
    ev = events.copy()
    ev.loc[ev.index[:3], "geometry"] = None
    with pytest.warns(UserWarning, match="3 row\\(s\\) of the events frame have no geometry"):
        m = crisis_map(events=ev)
    assert "Security events (297)" in to_html(m)


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
        html = to_html(crisis_map(regions, value="returns"))
    assert "Returns" in html and html.count('"type":"Feature"') >= len(regions)
