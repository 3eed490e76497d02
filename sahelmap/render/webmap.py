"""The interactive crisis map: choropleth, event points, borders, labels, legend."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.boundaries import admin_units
from sahelmap.errors import warn
from sahelmap.i18n import (
    DEFAULT_LANG,
    check_lang,
    colon,
    event_type_name,
    fmt,
    mapped_name,
    messages,
    period_text,
    value_name,
)
from sahelmap.render._classify import Classes, classify, classify_change
from sahelmap.render._context import context_layer
from sahelmap.render._encode import feature_collection, web_geometry
from sahelmap.render._layers import JsCall, JsControl, JsLayer
from sahelmap.render._legend import legend_html, title_html
from sahelmap.render._pack import pack_events
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
from sahelmap.render._style import CLUSTER_THRESHOLD, R0, RK, RMAX, event_colors
from sahelmap.render._text import esc
from sahelmap.render._weeks import (
    PeriodGrid,
    change_grid,
    class_codes,
    classes_of_period,
    event_periods,
    period_grid,
)

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
               week: str | None = None,
               mode: str = "level",
               lang: str = DEFAULT_LANG,
               m: folium.Map | None = None) -> folium.Map:
    """Draw a crisis map: a choropleth of one figure per admin unit and security events.

    With several periods (a ``period`` column, e.g. the weeks of
    ``sahelmap.summarize(period="week", start=..., end=...)``), the map holds them all: a
    week selector (slider, previous/next buttons, arrow keys) redraws the choropleth, the
    events and the legend's counts in place, with the same classes for every week.

    Parameters
    ----------
    choropleth : geopandas.GeoDataFrame, optional
        One polygon per admin unit (or per unit and ``period``, then with ``unit_pcode``)
        with ``unit_name``, ``adm1_name`` and numeric columns (``events``, ``fatalities``,
        ``arrivals``, ``idps``, ``returns``, ``departures``).
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
        Group nearby events (per zoom, in the browser, when many are in view); by default
        when a period holds more than 500 events.
    cmap : str
        Matplotlib colour map of the choropleth classes.
    week : str, optional
        The period shown first (e.g. ``"2022-W37"``); by default the last.
    mode : {"level", "change", "change_4w"}
        Map the figure itself, its change from the previous period, or its change from the
        mean of the four periods before, on a diverging palette centred on zero. Tooltips
        show a trend line of the periods shown and the unit's share of its country's total.
    lang : {"fr", "en"}
        Language of every text of the map and of its numbers ("60 000" or "60,000").
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
    OptionError
        For a language other than ``"fr"`` or ``"en"``.

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
    text = messages(check_lang(lang))
    title_default = default_title(value, choropleth, events, lang, mode=mode)
    frame = (prepare_choropleth(choropleth, value, periods=True) if choropleth is not None
             else None)
    points = prepare_events(events) if events is not None else None
    grid = classes = None
    if frame is not None:
        figures = [value] + [c for c in FIGURE_COLUMNS if c in frame.columns and c != value]
        grid = period_grid(frame, figures, initial=week)
        mapped = change_grid(grid.values[value], mode)
        classes = (classify(mapped.ravel(), scheme=scheme, k=k, cmap=cmap, lang=lang)
                   if mode == "level" else classify_change(mapped.ravel(), k=k, lang=lang))
    labels_ = grid.labels if grid is not None else ("",)
    initial = grid.initial if grid is not None else 0
    several = len(labels_) > 1
    if period is None:
        period = (period_text(labels_[initial], lang) if several
                  else infer_period(frame, points))

    new = m is None
    if new:
        minx, miny, maxx, maxy = data_bounds(frame, points)
        m = OfflineMap(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=5,
                       tiles=None, control_scale=False, zoom_snap=0.25, zoom_delta=0.5,
                       min_zoom=3, max_zoom=18)
        JsCall("locale", [lang, {key: esc(text[key])
                                 for key in ("zoom_in", "zoom_out", "layers", "close")}]
               ).add_to(m)
    if tiles is not None:
        folium.TileLayer(tiles).add_to(m)
    elif new:  # offline: a plain background, the two countries filled (never over tiles)
        JsCall("background", [BACKGROUND]).add_to(m)
        countries = admin_units("adm0", simplified=True)
        land = feature_collection(web_geometry(countries.geometry), [{}] * len(countries))
        JsLayer("land", [land, {"fill": LAND}], raw=(0,), name=esc(text["land"]),
                control=False).add_to(m)
        context_layer(lang=lang, region_labels=labels).add_to(m)  # under the data
    class_counts: list[list[int]] = []
    if grid is not None and classes is not None:
        codes = classes.index.reshape(len(labels_), -1)
        class_counts = [np.bincount(row, minlength=len(classes.labels)).tolist()
                        for row in codes]
        _choropleth_layer(grid, codes, classes, value, lang, mapped, mode).add_to(m)
        classes = classes_of_period(classes, codes[initial])
    structure = map_structure(choropleth)
    if not _has(m, "borders"):
        _borders_layer(structure, lang).add_to(m)
    if labels and not _has(m, "labels"):
        names = region_labels(structure)
        JsLayer("labels", [[[lat, lon, esc(name), ""] for lon, lat, name, _ in names]],
                name=esc(text["region_names"])).add_to(m)

    type_counts: dict[str, int] = {}
    colors: dict[str, str] = {}
    per_period: list[list[int]] = []
    synthetic: list[int] = [0] * len(labels_)
    grouped = False
    if points is not None:
        points, period_index = _events_in_periods(points, labels_)
        types = event_type_order(points)
        colors = event_colors(types)
        kinds = pd.Index(types).get_indexer(points["event_type"])
        table = np.zeros((len(labels_), len(types)), dtype=int)
        np.add.at(table, (period_index, kinds), 1)
        per_period = table.tolist()
        synthetic = np.bincount(period_index[synthetic_flags(points).to_numpy()],
                                minlength=len(labels_)).tolist()
        type_counts = dict(zip(types, per_period[initial]))
        grouped = bool(table.sum(axis=1).max(initial=0) > CLUSTER_THRESHOLD
                       if cluster is None else cluster)
        _events_layer(points, types, colors, period_index, len(labels_), initial,
                      lang).add_to(m)

    shown_title = title if title is not None else title_default
    if new:
        m.get_root().title = esc(shown_title + (f" \u2013 {period}" if period else ""))
    JsControl(title_html(shown_title, period, sources_text(sources), lang),
              position="topleft", css_class="sm-title", first=True).add_to(m)
    JsControl(legend_html(classes=classes, value_label=mapped_name(value, mode, lang),
                          type_counts=type_counts, type_colors=colors,
                          max_fatalities=int(points["fatalities"].max()) if type_counts else 0,
                          clustered=grouped, synthetic=synthetic[initial],
                          lang=lang, periods=len(labels_)),
              position="bottomright", css_class="sm-legend").add_to(m)
    if several:
        JsCall("weeks", [{
            "labels": [esc(p) for p in labels_],
            "titles": [esc(period_text(p, lang)) for p in labels_],
            "week": initial, "classCounts": class_counts, "typeCounts": per_period,
            "synthetic": synthetic,
            "text": {key: esc(text[key]) for key in ("previous", "next", "period", "keys")},
        }]).add_to(m)
    JsCall("attribution", [text["attribution"]]).add_to(m)
    _layer_control_last(m)
    if new:
        minx, miny, maxx, maxy = data_bounds(frame, points)
        # Leave the legend's width free on the right so it covers no data (on wide screens).
        JsCall("fit", [[[miny, minx], [maxy, maxx]], LEGEND_WIDTH]).add_to(m)
    return m


def _events_in_periods(points: gpd.GeoDataFrame,
                       labels: tuple[str, ...]) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The events of the periods shown, and the period of each; the others are said."""
    dates = points["event_date"] if "event_date" in points else pd.Series(
        pd.NaT, index=points.index)
    index = event_periods(dates, labels)
    outside = index < 0
    if outside.any():
        warn(f"{int(outside.sum()):,} event(s) are dated outside the periods of the map "
             f"({labels[0]} to {labels[-1]}) or not dated, and are not drawn.")
    return points.loc[~outside], index[~outside]


def _has(m: folium.Map, function: str) -> bool:
    return any(getattr(child, "function", None) == function for child in m._children.values())



def _numbers(grid: np.ndarray) -> list[list[float | int | None]]:
    """A float grid as JSON numbers: ints where whole, None where missing."""
    return [[None if np.isnan(x) else (int(x) if x == round(x) else round(float(x), 2))
             for x in row] for row in grid]


def _choropleth_layer(grid: PeriodGrid, codes: np.ndarray, classes: Classes, value: str,
                      lang: str, mapped: np.ndarray, mode: str) -> JsLayer:
    frame = grid.units
    name_column = next((c for c in ("unit_name", "unit_pcode") if c in frame.columns), None)
    names = frame[name_column] if name_column else frame.index.to_series().astype(str)
    regions = frame["adm1_name"] if "adm1_name" in frame.columns else [None] * len(frame)
    properties = []
    for i, (name, region) in enumerate(zip(names, regions)):
        properties.append({"u": i, "n": esc(name),
                           "r": "" if esc(region) == esc(name) else esc(region)})
    data = feature_collection(web_geometry(frame.geometry), properties)
    figures = list(grid.values)
    values = {c: _numbers(grid.values[c]) for c in figures}
    countries = (frame["adm0_pcode"] if "adm0_pcode" in frame.columns
                 else frame.get("unit_pcode", pd.Series("", index=frame.index)).str[:2])
    country_codes, country_names = pd.factorize(countries.fillna("").astype(str))
    text = messages(lang)
    options = {
        "mode": mode,
        "mapped": _numbers(mapped) if mode != "level" else None,
        "mappedLabel": esc(mapped_name(value, mode, lang)),
        "country": country_codes.tolist(),
        "colors": list(classes.colors),
        "figures": figures,
        "fields": [esc(value_name(c, lang)) for c in figures],
        "values": values,
        "cls": class_codes(codes),
        "week": grid.initial,
        "periods": [esc(period_text(p, lang)) for p in grid.labels],
        "text": {key: esc(text[key]) for key in ("no_data", "share", "trend")},
        "opacity": 0.82,
        "stroke": "#ffffff",
        "weight": 0.6 if len(frame) > 200 else 1.0,
    }
    name = esc(value_name(value, lang))
    if mode != "level":  # short: the legend says from what
        name += colon(lang) + esc(text["change"])
    if len(grid.labels) == 1 and grid.labels[0]:
        name += f" ({esc(grid.labels[0])})"
    return JsLayer("choropleth", [data, options], raw=(0,), name=name)


def _borders_layer(structure: str, lang: str) -> JsLayer:
    regions = admin_units("adm1", structure=structure, simplified=True)
    countries = admin_units("adm0", simplified=True)
    region_json = feature_collection(web_geometry(regions.boundary), [{}] * len(regions))
    country_json = feature_collection(web_geometry(countries.boundary), [{}] * len(countries))
    return JsLayer("borders", [region_json, country_json, {"region": "#6b6b6b",
                                                           "country": "#2f2f2f"}],
                   raw=(0, 1), name=esc(messages(lang)["borders"]))


def _events_layer(points: gpd.GeoDataFrame, types: list[str], colors: dict[str, str],
                  period_index: np.ndarray, n_periods: int, initial: int,
                  lang: str) -> JsLayer:
    packed = pack_events(points, types, period_index, n_periods)
    text = messages(lang)
    options = {"types": [esc(event_type_name(t, lang)) for t in types],
               "colors": [colors[t] for t in types], "r0": R0, "rk": RK, "rmax": RMAX,
               "week": initial,
               "text": {key: esc(text[key]) for key in ("fatalities", "actors", "source",
                                                        "notes_left_out", "synthetic", "more")}}
    # the week's count, as the legend has it; the week selector updates both
    shown = int(np.count_nonzero(period_index == initial))
    name = (f"{esc(text['security_events'])} "
            f"(<span class='sm-layer-n'>{fmt(shown, lang)}</span>)")
    return JsLayer("events", [packed.payload, options], name=name)


def _layer_control_last(m: folium.Map) -> None:
    """One LayerControl, after every layer (its script refers to them)."""
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            del m._children[key]
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
