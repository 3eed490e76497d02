"""Context around the data, offline: neighbouring countries, their names, capitals and towns.

A reader from outside the region finds their bearings by what surrounds Mali and Niger. The
countries around them are drawn in light grey with their names, the capitals and main towns
as small dots (capitals named), under the data; a static map also gets a scale bar (true at
its latitude, measured on the WGS84 ellipsoid with :class:`pyproj.Geod`) and a north arrow.

The data ships in ``sahelmap/data/context/`` (``SOURCES.md`` there: Natural Earth outlines and
country names, GeoNames towns), with English and French names in ``name_en`` / ``name_fr``:
the one place a translated label comes from.
"""

from __future__ import annotations

import math
from functools import cache

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from branca.element import Element
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.patches import FancyArrow, Rectangle
from pyproj import Geod
from shapely.ops import polylabel
from shapely.plotting import patch_from_polygon

from sahelmap.datasets import bundled
from sahelmap.i18n import messages
from sahelmap.render._encode import feature_collection, web_geometry
from sahelmap.render._layers import JsLayer, assets_html
from sahelmap.render._text import esc
from sahelmap.render._validate import RenderError

__all__ = ["neighbours", "near_labels", "towns", "context_layer", "draw_context",
           "draw_neighbours", "draw_scale_bar", "draw_north_arrow", "LANGUAGES"]

LANGUAGES = ("en", "fr")
FILL = "#e9e8e4"      # neighbouring countries: quieter than the land of Mali and Niger
EDGE = "#b8b6ae"
TEXT = "#8e8b82"      # their names
TOWN = "#4a4a4a"
NEAR_ZOOM = 6.5  # web map zoom from which the neighbours are named at their near points
_GEOD = Geod(ellps="WGS84")
_NICE = (1, 2, 2.5, 5)
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
# Admin-1 units in every structure that are the city itself: while region labels are on, the
# region label marks Bamako and Niamey, and no dot or second label is drawn there.
_REGION_NAMED = frozenset({"ML20", "NE008"})


def neighbours() -> gpd.GeoDataFrame:
    """Return the countries around Mali and Niger, clipped to a box around the two.

    Returns
    -------
    geopandas.GeoDataFrame
        ``iso_a2, iso_a3, name_en, name_fr, label_lon, label_lat`` (where the name goes on a
        web map; empty for countries far from the two) and the geometry, in EPSG:4326.

    Examples
    --------
    >>> frame = neighbours()
    >>> frame.set_index("iso_a2").loc["DZ", ["name_en", "name_fr"]].tolist()
    ['Algeria', 'Algérie']
    """
    return _read("neighbours.geojson").copy()


def near_labels() -> pd.DataFrame:
    """Return more points for the neighbours' names on zoomed-in web maps.

    Returns
    -------
    pandas.DataFrame
        ``iso_a2, lon, lat``: one point per 2.5-degree cell that a neighbour fills enough
        near Mali and Niger, so a map zoomed in on a border still names the country.

    Examples
    --------
    >>> sorted(near_labels().query("iso_a2 == 'BF'")[["lon", "lat"]].round().values.tolist())[:2]
    [[-5.0, 12.0], [-3.0, 13.0]]
    """
    return _read("near_labels.csv").copy()


def towns() -> pd.DataFrame:
    """Return the capitals, region seats of Mali and Niger, and large towns near them.

    Returns
    -------
    pandas.DataFrame
        ``name_en, name_fr, iso_a2, kind`` (``"capital"``, ``"regional capital"``,
        ``"town"``), ``seat_of`` (P-codes of the regions whose seat it is, ``|``-separated),
        ``population, lon, lat, geonameid``; capitals first, then by population.

    Examples
    --------
    >>> towns().query("kind == 'capital' and iso_a2 in ['ML', 'NE']")["name_en"].tolist()
    ['Bamako', 'Niamey']
    """
    return _read("towns.csv").copy()


@cache
def _read(name: str) -> pd.DataFrame:
    """A shipped context file, read once (the public functions hand out copies)."""
    path = bundled("context", name)
    if name.endswith(".geojson"):
        return pyogrio.read_dataframe(path).set_crs("EPSG:4326", allow_override=True)
    return pd.read_csv(path, keep_default_na=False, dtype={"seat_of": str})


def _name_column(lang: str) -> str:
    if lang not in LANGUAGES:
        raise RenderError(f"No place names in language {lang!r}; use one of "
                          f"{', '.join(LANGUAGES)}.")
    return f"name_{lang}"


def _labelled(frame: pd.DataFrame, region_labels: bool) -> pd.Series:
    """Which towns are named: capitals and large towns, not the seats of regions.

    A region's seat shares the region's name, which the region labels show; without region
    labels, seats are named too.
    """
    if not region_labels:
        return pd.Series(True, index=frame.index)
    return frame["kind"].isin(["capital", "town"]) & ~_region_cities(frame)


def _region_cities(frame: pd.DataFrame) -> pd.Series:
    """Bamako and Niamey: regions so small that their label marks the city itself."""
    return frame["seat_of"].str.split("|").map(lambda codes: bool(_REGION_NAMED & set(codes)))


def _drawn(region_labels: bool) -> pd.DataFrame:
    """The towns drawn: all, less Bamako and Niamey while the region labels mark them."""
    places = towns()
    return places[~_region_cities(places)] if region_labels else places


# --- web map -----------------------------------------------------------------------------
class _ContextLayer(JsLayer):
    """The context layer; puts ``context.js`` in the page after sahelmap's own helpers."""

    def render(self, **kwargs):  # noqa: D102 - folium hook
        super().render(**kwargs)  # adds sahelmap.js first (the header keeps that order)
        self.get_root().header.add_child(Element(assets_html("context")),
                                         name="sahelmap_context")


def context_layer(*, lang: str = "en", region_labels: bool = True) -> folium.map.Layer:
    """Return the background layer of a web map: neighbours, their names, towns.

    Non-interactive and listed in no layer control. The countries lie under the land of
    Mali and Niger and the choropleth; the town dots above the choropleth, below the events.

    Parameters
    ----------
    lang : {"en", "fr"}
        Language of the country and town names.
    region_labels : bool
        Whether the map names its regions; if so the seats of regions are not named again,
        and Bamako and Niamey (regions too, marked by their label) get no dot.

    Returns
    -------
    folium.map.Layer
        Add it to the map with ``.add_to(m)``.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> _ = context_layer(lang="fr").add_to(m)
    >>> "Algérie" in m.get_root().render()
    True
    """
    column = _name_column(lang)
    countries = neighbours()
    named = countries.dropna(subset=["label_lon", "label_lat"])
    labels = [[float(lat), float(lon), esc(name), "sm-country", "far"]
              for lon, lat, name in zip(named["label_lon"], named["label_lat"], named[column])]
    names = dict(zip(countries["iso_a2"], countries[column]))
    near = near_labels()
    labels += [[lat, lon, esc(names[code]), "sm-country", "near"]
               for code, lon, lat in zip(near["iso_a2"], near["lon"], near["lat"])]
    places = _drawn(region_labels)
    labelled = _labelled(places, region_labels)
    labels += [[lat, lon, esc(name), "sm-town", ""] for lat, lon, name in
               zip(places.loc[labelled, "lat"], places.loc[labelled, "lon"],
                   places.loc[labelled, column])]
    dots = [[lat, lon, int(kind == "capital")]
            for lat, lon, kind in zip(places["lat"], places["lon"], places["kind"])]
    options = {"fill": FILL, "edge": EDGE, "town": TOWN, "nearZoom": NEAR_ZOOM}
    return _ContextLayer("context", [_outlines_json(), dots, labels, options], raw=(0,),
                         name="Neighbouring countries and towns", control=False)


@cache
def _outlines_json() -> str:
    """The neighbours' outlines as packed GeoJSON for the page (the same for every map)."""
    geometry = _read("neighbours.geojson").geometry
    return feature_collection(web_geometry(geometry, decimals=3), [{}] * len(geometry),
                              decimals=3)


# --- static map --------------------------------------------------------------------------
def draw_neighbours(ax: Axes) -> gpd.GeoDataFrame:
    """Fill the neighbouring countries in grey under a static map's data; return them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes in longitude/latitude degrees.
    """
    countries = neighbours()
    # A collection of its own: GeoDataFrame.plot would reset the map's aspect and axis
    # labels and draw the whole figure once more.
    outlines = PatchCollection([patch_from_polygon(g) for g in countries.geometry],
                               facecolor=FILL, edgecolor=EDGE, linewidth=0.5, zorder=0.5)
    ax.add_collection(outlines, autolim=False)
    return countries


def draw_context(ax: Axes, *, lang: str = "en", region_labels: bool = True) -> None:
    """Draw neighbours, their names, towns, a scale bar and a north arrow on a static map.

    Call it once the axes have their final extent and aspect (the names are placed in
    what is visible) and after the region labels (the names avoid them).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes in longitude/latitude degrees.
    lang : {"en", "fr"}
        Language of the country and town names.
    region_labels : bool
        As for :func:`context_layer`.
    """
    column = _name_column(lang)
    renderer = ax.figure.canvas.get_renderer()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    countries = draw_neighbours(ax)
    corners = [draw_scale_bar(ax, lang=lang), draw_north_arrow(ax)]
    placed = [a.get_window_extent(renderer) for a in [*corners, *ax.texts] if a.get_visible()]

    def place(x: float, y: float, text: str, **style) -> bool:
        label = ax.text(x, y, text, parse_math=False, clip_on=True, **style)
        box = label.get_window_extent(renderer).expanded(1.06, 1.15)
        inside = ax.get_window_extent(renderer)
        if (any(box.overlaps(other) for other in placed) or box.x0 < inside.x0
                or box.x1 > inside.x1 or box.y0 < inside.y0 or box.y1 > inside.y1):
            label.remove()
            return False
        placed.append(box)
        _halo(ax, label)
        return True

    view = shapely.box(x0, y0, x1, y1)
    min_area = 0.02 * view.area
    for name, geom in zip(countries[column], countries.geometry):
        part = shapely.intersection(geom, view)
        pieces = [p for p in getattr(part, "geoms", [part]) if p.geom_type == "Polygon"]
        if not pieces or max(p.area for p in pieces) < min_area:
            continue
        point = polylabel(max(pieces, key=lambda p: p.area), tolerance=0.05)
        place(point.x, point.y, _spaced(name), ha="center", va="center", fontsize=7,
              fontstyle="italic", color=TEXT, zorder=4)

    places = _drawn(region_labels)
    shown = places[places["lon"].between(x0, x1) & places["lat"].between(y0, y1)]
    capital = shown["kind"].eq("capital").to_numpy()
    # Above the choropleth and borders (3), below the events (5).
    ax.scatter(shown["lon"], shown["lat"], s=np.where(capital, 14, 6), c="white",
               edgecolors=TOWN, linewidths=np.where(capital, 1.0, 0.8), zorder=4.5)
    ax.scatter(shown.loc[capital, "lon"], shown.loc[capital, "lat"], s=2.5, c=TOWN, zorder=4.5)
    labelled = _labelled(shown, region_labels)
    dx = 0.012 * (x1 - x0)
    for lon, lat, name in zip(shown.loc[labelled, "lon"], shown.loc[labelled, "lat"],
                              shown.loc[labelled, column]):
        for x, ha in ((lon + dx, "left"), (lon - dx, "right")):  # right of the dot, or left
            if place(x, lat, name, ha=ha, va="center", fontsize=6.5, color="#444444",
                     zorder=4.6):
                break


def _halo(ax: Axes, label) -> None:
    """A white halo as a second text just below ``label``: the label stays text in an SVG."""
    ax.text(*label.get_position(), label.get_text(), parse_math=False, clip_on=True,
            color="white", path_effects=_HALO, zorder=label.get_zorder() - 0.01,
            ha=label.get_ha(), va=label.get_va(), fontsize=label.get_fontsize(),
            fontstyle=label.get_fontstyle(), fontweight=label.get_fontweight())


def _spaced(name: str) -> str:
    """Country names in spaced capitals, the usual style of a background country."""
    return " ".join(name.upper())


def scale_length_km(ax: Axes, fraction: float = 0.2) -> tuple[float, float]:
    """A round distance about ``fraction`` of the map's width, and the latitude it is true at.

    Returns ``(km, latitude)``: the map's x scale varies with latitude (degrees of longitude
    shrink with its cosine), so the bar is measured where it is drawn, near the bottom.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lat = y0 + 0.06 * (y1 - y0)
    km_per_degree = _km_along_parallel(lat, 1.0)
    target = fraction * (x1 - x0) * km_per_degree
    power = 10 ** math.floor(math.log10(target))
    km = max(n * power for n in _NICE if n * power <= target)
    return km, lat


def _km_along_parallel(lat: float, degrees: float) -> float:
    """Length in km of ``degrees`` of longitude along the parallel ``lat`` (WGS84)."""
    lons = np.linspace(0.0, degrees, 65)
    return _GEOD.line_length(lons, np.full_like(lons, lat)) / 1000


def draw_scale_bar(ax: Axes, fraction: float = 0.2, *, lang: str = "en"):
    """Draw a scale bar in the bottom corner that covers less of Mali and Niger.

    The bar is two black and white blocks whose total length in degrees of longitude is the
    labelled distance along the parallel it stands on (:func:`pyproj.Geod.line_length`);
    the label says that latitude, since the scale of a longitude/latitude map varies with it.
    The blocks carry ``gid="sm-scalebar"``.

    Returns
    -------
    matplotlib.patches.Rectangle
        The white frame behind the bar (to keep labels off it).
    """
    km, lat = scale_length_km(ax, fraction)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = km / _km_along_parallel(lat, 1.0)
    height = 0.012 * (y1 - y0)
    pad = 0.01 * (x1 - x0)
    frames = {}
    for corner, left in (("left", x0 + 0.03 * (x1 - x0)), ("right", x1 - 0.03 * (x1 - x0) - width)):
        frames[corner] = (left, (left - pad, lat - 2.2 * height, width + 2 * pad, 6.6 * height))
    left, (fx, fy, fw, fh) = frames[_quiet_corner({k: v[1] for k, v in frames.items()})]
    frame = Rectangle((fx, fy), fw, fh, facecolor="white", alpha=0.75, edgecolor="none",
                      zorder=8, gid="sm-scalebar-frame")
    ax.add_patch(frame)
    for i, color in enumerate(("#222222", "white")):
        ax.add_patch(Rectangle((left + i * width / 2, lat), width / 2, height,
                               facecolor=color, edgecolor="#222222", linewidth=0.6,
                               zorder=9, gid="sm-scalebar"))
    degree = f"{abs(lat):.0f}\u00b0{'N' if lat >= 0 else 'S'}"
    ax.text(left + width / 2, lat + 1.6 * height, f"{km:g} km", ha="center", va="bottom",
            fontsize=7, color="#222222", zorder=9, gid="sm-scalebar-label")
    true_at = messages(lang)["scale_true_at"].format(latitude=degree)
    ax.text(left + width / 2, lat - 0.6 * height, true_at, ha="center",
            va="top", fontsize=5.5, color="#555555", zorder=9)
    return frame


def _quiet_corner(boxes: dict[str, tuple[float, float, float, float]]) -> str:
    """The key of the box ``(x, y, width, height)`` that covers least of Mali and Niger."""
    land = _land()
    return min(boxes, key=lambda k: shapely.intersection(
        land, shapely.box(boxes[k][0], boxes[k][1], boxes[k][0] + boxes[k][2],
                          boxes[k][1] + boxes[k][3])).area)


@cache
def _land() -> shapely.Geometry:
    from sahelmap.boundaries import admin_units

    return shapely.union_all(admin_units("adm0", simplified=True).geometry.to_numpy())


def draw_north_arrow(ax: Axes):
    """Draw a north arrow in the top corner that covers less of Mali and Niger; return it.

    On a longitude/latitude map north is up everywhere.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    base, length = y1 - 0.16 * (y1 - y0), 0.085 * (y1 - y0)
    half = 0.02 * (x1 - x0)
    spots = {"right": x1 - 0.035 * (x1 - x0), "left": x0 + 0.035 * (x1 - x0)}
    x = spots[_quiet_corner({k: (v - half, base, 2 * half, y1 - base) for k, v in spots.items()})]
    arrow = FancyArrow(x, base, 0, length, width=0.008 * (x1 - x0), length_includes_head=True,
                       head_width=0.028 * (x1 - x0), head_length=0.045 * (y1 - y0),
                       facecolor="#222222", edgecolor="white", linewidth=0.6, zorder=9,
                       gid="sm-north-arrow")
    ax.add_patch(arrow)
    _halo(ax, ax.text(x, base + length + 0.008 * (y1 - y0), "N", ha="center", va="bottom",
                      fontsize=8, fontweight="bold", color="#222222", zorder=9))
    return arrow
