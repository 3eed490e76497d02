"""The interactive crisis map: choropleth, event points, borders, labels, legend."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

from sahelmap.boundaries import admin_units
from sahelmap.render._classify import Classes, classify
from sahelmap.render._context import context_layer
from sahelmap.render._encode import event_table, feature_collection, web_geometry
from sahelmap.render._layers import ClusteredJsLayer, JsCall, JsControl, JsLayer
from sahelmap.render._legend import legend_html, title_html
from sahelmap.render._prepare import (
    FIGURE_COLUMNS,
    data_bounds,
    default_title,
    event_type_order,
    infer_period,
    map_structure,
    prepare_choropleth,
    prepare_events,
    region_labels,
    sources_text,
    synthetic_flags,
)
from sahelmap.render._style import (
    ATTRIBUTION_HTML,
    CLUSTER_THRESHOLD,
    R0,
    RK,
    RMAX,
    event_colors,
)
from sahelmap.render._text import esc, fmt_number, value_label

__all__ = ["crisis_map"]

BACKGROUND = "#dfe5ea"  # outside the two countries, when there are no tiles
LAND = "#f7f5f0"
LEGEND_WIDTH = 270  # pixels, the legend box and its margin


class OfflineMap(folium.Map):
    """A ``folium.Map`` that also displays in Jupyter without a network connection.

    folium's own notebook display links Leaflet from a CDN; this one embeds the same
    standalone page as :func:`sahelmap.render.to_html`.
    """

    def _repr_html_(self, **kwargs: object) -> str:
        from html import escape

        from sahelmap.render.standalone import to_html

        page = escape(to_html(self))
        return ('<div style="width:100%;"><div style="position:relative;width:100%;height:0;'
                'padding-bottom:60%;"><iframe srcdoc="' + page + '" style="position:absolute;'
                'width:100%;height:100%;left:0;top:0;border:none !important;" '
                'allowfullscreen></iframe></div></div>')


def crisis_map(choropleth: gpd.GeoDataFrame | None = None,
               events: gpd.GeoDataFrame | None = None, *,
               value: str = "arrivals",
               scheme: str | Sequence[float] = "quantiles",
               k: int = 5,
               title: str | None = None,
               period: str | None = None,
               sources: str | Sequence[str] | None = None,
               tiles: str | None = None,
               labels: bool = True,
               cluster: bool | None = None,
               cmap: str = "YlOrRd",
               m: folium.Map | None = None) -> folium.Map:
    """Draw a crisis map: a choropleth of one figure per admin unit and security events.

    Parameters
    ----------
    choropleth : geopandas.GeoDataFrame, optional
        One polygon per admin unit with ``unit_name``, ``adm1_name`` and numeric columns
        (``events``, ``fatalities``, ``arrivals``, ``idps``, ``returns``, ``departures``),
        optionally ``unit_pcode`` and ``period``.
    events : geopandas.GeoDataFrame, optional
        Points with ``event_date``, ``event_type``, ``fatalities``, ``place``, ``actor1``,
        ``actor2``, ``source``, ``notes``, ``adm1_name``, ``is_synthetic`` (all optional but
        the geometry). Drawn as circles coloured by type, area proportional to fatalities.
    value : str
        The choropleth column to map.
    scheme : str or sequence of float
        Classification: ``"quantiles"``, ``"natural_breaks"`` (``"fisher_jenks"``),
        ``"equal_interval"``, ``"head_tail_breaks"``, ``"maximum_breaks"``, or class upper
        bounds. Zero gets a class of its own.
    k : int
        Number of classes of non-zero values.
    title, period : str, optional
        Shown in the title box. By default the title names what is mapped and the period
        comes from the ``period`` column or the span of the event dates.
    sources : str or list of str, optional
        Data sources, shown under the title. Boundary and place-name attributions are always
        shown in the map's attribution line.
    tiles : str, optional
        A folium tile name (``"OpenStreetMap"``, ``"CartoDB positron"``...). The default,
        ``None``, draws no tiles: the map works offline on a plain background.
    labels : bool
        Label the regions (labels that would overlap are hidden at each zoom).
    cluster : bool, optional
        Group nearby events into clusters; by default when there are more than 500.
    cmap : str
        Matplotlib colour map of the choropleth classes.
    m : folium.Map, optional
        Add the layers to this map instead of a new one.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; write it to one offline file with
        :func:`sahelmap.render.save_html`.

    Raises
    ------
    RenderError
        If a frame lacks the geometry or the ``value`` column, or an option is unknown.

    Examples
    --------
    >>> from sahelmap.boundaries import admin_units
    >>> regions = admin_units("adm1", simplified=True).rename(
    ...     columns={"adm1_pcode": "unit_pcode"}).assign(unit_name=lambda f: f["adm1_name"],
    ...     arrivals=lambda f: range(len(f)))
    >>> m = crisis_map(regions, value="arrivals", title="Arrivals")
    >>> isinstance(m, folium.Map)
    True
    """
    title_default = default_title(value, choropleth, events)
    frame = prepare_choropleth(choropleth, value) if choropleth is not None else None
    points = prepare_events(events) if events is not None else None
    classes = classify(frame[value], scheme=scheme, k=k, cmap=cmap) if frame is not None else None
    period = period if period is not None else infer_period(frame, points)

    new = m is None
    if new:
        minx, miny, maxx, maxy = data_bounds(frame, points)
        m = OfflineMap(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=5,
                       tiles=None, control_scale=True, zoom_snap=0.25, zoom_delta=0.5,
                       min_zoom=3, max_zoom=18)
    if tiles is not None:
        folium.TileLayer(tiles).add_to(m)
    elif new:  # offline: a plain background, the two countries filled (never over tiles)
        JsCall("background", [BACKGROUND]).add_to(m)
        countries = admin_units("adm0", simplified=True)
        land = feature_collection(web_geometry(countries.geometry), [{}] * len(countries))
        JsLayer("land", [land, {"fill": LAND}], raw=(0,), name="Land",
                control=False).add_to(m)
        context_layer(region_labels=labels).add_to(m)  # neighbours, towns: under the data
    if frame is not None and classes is not None:
        _choropleth_layer(frame, classes, value, period).add_to(m)
    structure = map_structure(choropleth)
    if not _has(m, "borders"):
        _borders_layer(structure).add_to(m)
    if labels and not _has(m, "labels"):
        names = region_labels(structure)
        JsLayer("labels", [[[lat, lon, esc(name), ""] for lon, lat, name, _ in names]],
                name="Region names").add_to(m)

    type_counts: dict[str, int] = {}
    colors: dict[str, str] = {}
    clustered = False
    if points is not None:
        types = event_type_order(points)
        colors = event_colors(types)
        counts = points["event_type"].value_counts()
        type_counts = {name: int(counts[name]) for name in types}
        clustered = len(points) > CLUSTER_THRESHOLD if cluster is None else bool(cluster)
        _events_layer(points, types, colors, clustered).add_to(m)

    shown_title = title if title is not None else title_default
    if new:
        m.get_root().title = esc(shown_title + (f" \u2013 {period}" if period else ""))
    JsControl(title_html(shown_title, period,
                         sources_text(sources)),
              position="topleft", css_class="sm-title", first=True).add_to(m)
    JsControl(legend_html(classes=classes, value_label=value_label(value),
                          type_counts=type_counts, type_colors=colors,
                          max_fatalities=int(points["fatalities"].max()) if type_counts else 0,
                          clustered=clustered, synthetic=int(synthetic_flags(points).sum())),
              position="bottomright", css_class="sm-legend").add_to(m)
    JsCall("attribution", [ATTRIBUTION_HTML]).add_to(m)
    _layer_control_last(m)
    if new:
        minx, miny, maxx, maxy = data_bounds(frame, points)
        # Leave the legend's width free on the right so it covers no data.
        m.fit_bounds([[miny, minx], [maxy, maxx]], padding_bottom_right=(LEGEND_WIDTH, 0))
    return m


def _has(m: folium.Map, function: str) -> bool:
    return any(getattr(child, "function", None) == function for child in m._children.values())


def _choropleth_layer(frame: gpd.GeoDataFrame, classes: Classes, value: str,
                      period: str | None) -> JsLayer:
    figures = [value] + [c for c in FIGURE_COLUMNS if c in frame.columns and c != value]
    name_column = next((c for c in ("unit_name", "unit_pcode") if c in frame.columns), None)
    names = frame[name_column] if name_column else frame.index.to_series().astype(str)
    regions = frame["adm1_name"] if "adm1_name" in frame.columns else [None] * len(frame)
    values = {c: frame[c].to_numpy() for c in figures}
    properties = []
    for i, (name, region) in enumerate(zip(names, regions)):
        shown = [esc(name), "" if esc(region) == esc(name) else esc(region)]
        for column in figures:
            number = values[column][i]
            shown.append("no data" if pd.isna(number) else fmt_number(number))
        properties.append({"c": int(classes.index[i]), "v": shown})
    data = feature_collection(web_geometry(frame.geometry), properties)
    options = {
        "colors": list(classes.colors),
        "fields": ["", ""] + [esc(value_label(c)) for c in figures],
        "opacity": 0.82,
        "stroke": "#ffffff",
        "weight": 0.6 if len(frame) > 200 else 1.0,
    }
    name = esc(value_label(value)) + (f" ({esc(period)})" if period else "")
    return JsLayer("choropleth", [data, options], raw=(0,), name=name)


def _borders_layer(structure: str) -> JsLayer:
    regions = admin_units("adm1", structure=structure, simplified=True)
    countries = admin_units("adm0", simplified=True)
    region_json = feature_collection(web_geometry(regions.boundary), [{}] * len(regions))
    country_json = feature_collection(web_geometry(countries.boundary), [{}] * len(countries))
    return JsLayer("borders", [region_json, country_json, {"region": "#6b6b6b",
                                                           "country": "#2f2f2f"}],
                   raw=(0, 1), name="Country and region borders")


def _events_layer(points: gpd.GeoDataFrame, types: list[str], colors: dict[str, str],
                  clustered: bool) -> JsLayer | ClusteredJsLayer:
    data = event_table(points, types)
    options = {"types": [esc(t) for t in types], "colors": [colors[t] for t in types],
               "r0": R0, "rk": RK, "rmax": RMAX, "cluster": clustered}
    name = f"Security events ({len(points):,})"
    if clustered:
        return ClusteredJsLayer("events", [data, options], name=name)
    return JsLayer("events", [data, options], name=name)


def _layer_control_last(m: folium.Map) -> None:
    """One LayerControl, after every layer (its script refers to them)."""
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            del m._children[key]
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
