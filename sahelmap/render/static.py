"""Static crisis maps (PNG, SVG, PDF) drawn with matplotlib, classed like the web map."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from os import PathLike
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sahelmap.boundaries import admin_units
from sahelmap.i18n import event_type_name, fmt, mapped_name, messages, period_text, scheme_name
from sahelmap.render._classify import (
    NODATA_COLOR,
    ZERO_COLOR,
    Classes,
    classify,
    classify_change,
)
from sahelmap.render._context import draw_context
from sahelmap.render._prepare import (
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
from sahelmap.render._style import event_colors, radius, size_steps
from sahelmap.render._validate import RenderError
from sahelmap.render._weeks import change_grid, classes_of_period, period_grid

__all__ = ["save_static"]

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
BACKGROUND = "#e4e9ed"
LAND = "#f7f5f0"
_TEXT = "#222222"
_HALO = [patheffects.withStroke(linewidth=2.6, foreground="white")]
# Web radius (px) -> static radius (pt): a 1100 px wide screen map shown ~8.5 in wide.
_PT_PER_PX = 0.55
_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "sahelmap", "font.size": 9,
          "font.family": "DejaVu Sans"}


def save_static(choropleth: gpd.GeoDataFrame | None = None,
                events: gpd.GeoDataFrame | None = None, *,
                path: str | PathLike,
                value: str = "arrivals",
                scheme: str | Sequence[float] = "quantiles",
                k: int = 5,
                title: str | None = None,
                period: str | None = None,
                sources: str | Sequence[str] | None = None,
                dpi: int = 300,
                labels: bool = True,
                cmap: str = "YlOrRd",
                lang: str = "en",
                mode: str = "level",
                week: str | None = None) -> Path:
    """Draw the crisis map as a static image for reports: PNG, SVG or PDF by suffix.

    Classes, colours, marker sizes, title and period are those of
    :func:`sahelmap.render.crisis_map` for the same arguments.

    Parameters
    ----------
    choropleth, events : geopandas.GeoDataFrame, optional
        As for :func:`sahelmap.render.crisis_map`.
    path : str or path-like
        The file to write; its suffix (``.png``, ``.svg``, ``.pdf``) picks the format.
    value, scheme, k, title, period, sources, labels, cmap
        As for :func:`sahelmap.render.crisis_map`.
    dpi : int
        Resolution of a PNG (recorded in the file).
    lang : {"en", "fr"}
        Language of the texts and numbers of the image.
    mode : {"level", "change", "change_4w"}
        As for :func:`sahelmap.render.crisis_map`: a change needs the weeks before, so
        ``choropleth`` then has one row per unit and ``period``, and ``week`` (by default
        the last) is drawn, in the classes of every week given, as on the web map. So is a
        level given for several periods.
    week : str, optional
        The period drawn when ``choropleth`` holds several.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    RenderError
        For an unknown suffix, and as :func:`sahelmap.render.crisis_map` does.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sahelmap.boundaries import admin_units
    >>> regions = admin_units("adm1", simplified=True).assign(
    ...     unit_name=lambda f: f["adm1_name"], idps=lambda f: range(0, 100 * len(f), 100))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "idps.svg"
    >>> save_static(regions, path=out, value="idps", title="IDPs").suffix
    '.svg'
    """
    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise RenderError(f"Cannot write {target.name!r}: use a .png, .svg or .pdf file name.")
    title_default = default_title(value, choropleth, events, lang, mode=mode)
    points = prepare_events(events) if events is not None else None
    if choropleth is not None and (mode != "level" or _several_periods(choropleth)):
        frame, classes, label = _one_week(choropleth, value, mode, week, scheme=scheme, k=k,
                                          cmap=cmap, lang=lang)
        period = period if period is not None else period_text(label, lang)
    else:
        frame = prepare_choropleth(choropleth, value) if choropleth is not None else None
        classes = (classify(frame[value], scheme=scheme, k=k, cmap=cmap, lang=lang)
                   if frame is not None else None)
    period = period if period is not None else infer_period(frame, points)

    with matplotlib.rc_context(_STYLE):
        fig = _draw(frame, points, classes, value=value, mode=mode,
                    title=title if title is not None else title_default, period=period,
                    sources=sources_text(sources), labels=labels,
                    structure=map_structure(choropleth), lang=lang)
        metadata = {"Date": None} if fmt in ("svg", "pdf") else None
        fig.savefig(target, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    return target


def _several_periods(choropleth: gpd.GeoDataFrame) -> bool:
    """Whether the table holds several periods (one of them is drawn)."""
    return "period" in choropleth.columns and choropleth["period"].nunique() > 1


def _one_week(choropleth: gpd.GeoDataFrame, value: str, mode: str, week: str | None, *,
              scheme: str | Sequence[float], k: int, cmap: str, lang: str
              ) -> tuple[gpd.GeoDataFrame, Classes, str]:
    """One week's figure (or change) per unit, in the classes of every week.

    As the web map classes them: the same value has the same colour in map.png and map.html.
    """
    weeks = prepare_choropleth(choropleth, value, periods=True)
    grid = period_grid(weeks, [value], initial=week)
    mapped = change_grid(grid.values[value], mode)
    classes = (classify(mapped.ravel(), scheme=scheme, k=k, cmap=cmap, lang=lang)
               if mode == "level" else classify_change(mapped.ravel(), k=k, lang=lang))
    codes = classes.index.reshape(len(grid.labels), -1)[grid.initial]
    frame = grid.units.assign(**{value: mapped[grid.initial]})
    return (frame, replace(classes_of_period(classes, codes), index=codes),
            grid.labels[grid.initial])


def _draw(frame: gpd.GeoDataFrame | None, points: gpd.GeoDataFrame | None,
          classes: Classes | None, *, value: str, mode: str, title: str, period: str | None,
          sources: str | None, labels: bool, structure: str, lang: str = "en") -> Figure:
    minx, miny, maxx, maxy = data_bounds(frame, points)
    pad_x, pad_y = (maxx - minx) * 0.02, (maxy - miny) * 0.03
    minx, maxx, miny, maxy = minx - pad_x, maxx + pad_x, miny - pad_y, maxy + pad_y
    # Map box in inches from the extent, keeping the geographic aspect 1 / cos(latitude).
    aspect = 1 / np.cos(np.radians((miny + maxy) / 2))
    ratio = (maxx - minx) / ((maxy - miny) * aspect)
    map_w = 8.6 if ratio >= 1.35 else 6.4 * ratio
    map_h = map_w / ratio
    legend_w, top, bottom, margin = 3.0, 0.95, 0.62, 0.25
    fig_w, fig_h = margin + map_w + 0.2 + legend_w + margin, top + map_h + bottom

    fig = Figure(figsize=(fig_w, fig_h))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((margin / fig_w, bottom / fig_h, map_w / fig_w, map_h / fig_h))
    ax.set_facecolor(BACKGROUND)
    for spine in ax.spines.values():
        spine.set_edgecolor("#9aa4ad")
        spine.set_linewidth(0.6)
    ax.set_xticks([])
    ax.set_yticks([])

    countries = admin_units("adm0")
    countries.plot(ax=ax, color=LAND, linewidth=0, zorder=1)
    if frame is not None and classes is not None:
        _choropleth(ax, frame, classes)
    admin_units("adm1", structure=structure).boundary.plot(ax=ax, color="#6b6b6b",
                                                           linewidth=0.55, zorder=3)
    countries.boundary.plot(ax=ax, color="#2f2f2f", linewidth=1.1, zorder=3)
    types, colors = [], {}
    if points is not None and len(points):
        types = event_type_order(points)
        colors = event_colors(types)
        _events(ax, points, colors)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_aspect(aspect)
    if labels:
        _region_labels(ax, fig, structure)
    draw_context(ax, lang=lang, region_labels=labels)  # neighbours, towns, scale bar, north arrow

    lax = fig.add_axes(((margin + map_w + 0.2) / fig_w, bottom / fig_h, legend_w / fig_w,
                        map_h / fig_h))
    lax.set_axis_off()
    _legend(lax, fig, classes, mapped_name(value, mode, lang), points, types, colors, lang,
            change=mode != "level")
    _texts(fig, fig_w, fig_h, margin, title=title, period=period, sources=sources,
           synthetic=int(synthetic_flags(points).sum()), lang=lang)
    return fig


def _choropleth(ax, frame: gpd.GeoDataFrame, classes: Classes) -> None:
    colors = np.asarray(classes.colors, dtype=object)[classes.index]
    many = len(frame) > 200
    edge = dict(edgecolor="white", linewidth=0.12 if many else 0.35)
    nodata = np.asarray([c == NODATA_COLOR for c in colors])
    if (~nodata).any():
        frame.loc[~nodata].plot(ax=ax, color=list(colors[~nodata]), zorder=2, **edge)
    if nodata.any():
        frame.loc[nodata].plot(ax=ax, facecolor=NODATA_COLOR, hatch="////", zorder=2, **edge)


def _events(ax, points: gpd.GeoDataFrame, colors: dict[str, str]) -> None:
    # Largest first (prepare_events sorted them), so small events stay visible on top.
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    sizes = (2 * radius(points["fatalities"].to_numpy()) * _PT_PER_PX) ** 2
    face = [colors[t] for t in points["event_type"]]
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=face, edgecolors="white", linewidths=0.3,
               alpha=0.85, zorder=5)


def _region_labels(ax, fig: Figure, structure: str, fontsize: float = 7.5) -> None:
    renderer = fig.canvas.get_renderer()
    placed = []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for lon, lat, name, _area in region_labels(structure):  # largest region first
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        style = dict(ha="center", va="center", fontsize=fontsize, fontweight="bold",
                     parse_math=False)
        text = ax.text(lon, lat, name, color="#2b2b2b", zorder=7, **style)
        box = text.get_window_extent(renderer).expanded(1.08, 1.15)
        if any(box.overlaps(other) for other in placed):
            text.remove()
            continue
        placed.append(box)
        # The white halo is a second text below: the label itself stays text in an SVG.
        ax.text(lon, lat, name, color="white", zorder=6, path_effects=_HALO, **style)


def _section(lax, fig: Figure, top: float, title: str, handles: list, labels: list[str],
             **options) -> float:
    """Add one legend block whose top is at ``top`` (axes fraction); return its bottom."""
    settings = {"handletextpad": 0.6, "labelspacing": 0.45, **options}
    legend = Legend(lax, handles, labels, loc="upper left", bbox_to_anchor=(0, top),
                    frameon=False, title=textwrap.fill(title, 42), alignment="left", fontsize=8,
                    title_fontproperties={"weight": "bold", "size": 8.5},
                    borderaxespad=0, **settings)
    for text in legend.get_texts():
        text.set_parse_math(False)
    legend.get_title().set_parse_math(False)
    lax.add_artist(legend)
    box = legend.get_window_extent(fig.canvas.get_renderer())
    bottom = lax.transAxes.inverted().transform((box.x0, box.y0))[1]
    return bottom - 0.035


def _legend(lax, fig: Figure, classes: Classes | None, value_label: str,
            points: gpd.GeoDataFrame | None, types: list[str], colors: dict[str, str],
            lang: str = "en", change: bool = False) -> None:
    text = messages(lang)
    top = 1.0
    if classes is not None:
        handles = [Patch(facecolor=c, edgecolor="#9e9e9e", linewidth=0.4,
                         hatch="////" if c == NODATA_COLOR else None) for c in classes.colors]
        # zero is "none reported" on a map of figures, "no change" on a map of changes
        zero = text["none_reported" if change is False else "no_change"]
        texts = [f"{zero if c == ZERO_COLOR else text['no_data'] if c == NODATA_COLOR else label}"
                 f"  ({fmt(n, lang)})"
                 for label, c, n in zip(classes.labels, classes.colors, classes.counts)]
        top = _section(lax, fig, top,
                       f"{value_label} ({scheme_name(classes.scheme, lang)})",
                       handles,
                       texts, handlelength=1.6, handleheight=1.0)
    if points is not None and len(points):
        counts = points["event_type"].value_counts()
        handles = [Line2D([], [], linestyle="none", marker="o", markersize=6.5,
                          markerfacecolor=colors[t], markeredgecolor="white",
                          markeredgewidth=0.5) for t in types]
        texts = [f"{textwrap.shorten(event_type_name(t, lang), 34, placeholder='…')}  "
                 f"({fmt(counts[t], lang)})" for t in types]
        top = _section(lax, fig, top, f"{text['security_events']} ({fmt(len(points), lang)})",
                       handles, texts,
                       handlelength=1.0)
        steps = size_steps(int(points["fatalities"].max()))
        sizes = [2 * float(radius(s)) * _PT_PER_PX for s in steps]  # diameters, points
        handles = [Line2D([], [], linestyle="none", marker="o", markersize=size,
                          markerfacecolor="#9e9e9e", markeredgecolor="white",
                          markeredgewidth=0.5) for size in sizes]
        room = max(sizes) / 8 + 0.3  # the largest circle, in font sizes
        _section(lax, fig, top, text["fatalities_per_event"], handles,
                 [fmt(s, lang) for s in steps],
                 handlelength=room, handleheight=room, labelspacing=0.3)


def _texts(fig: Figure, fig_w: float, fig_h: float, margin: float, *, title: str,
           period: str | None, sources: str | None, synthetic: int, lang: str = "en") -> None:
    text = messages(lang)
    left = margin / fig_w
    fig.text(left, 1 - 0.2 / fig_h, title, ha="left", va="top", fontsize=15,
             fontweight="bold", color=_TEXT, parse_math=False)
    if period:
        fig.text(left, 1 - 0.58 / fig_h, period, ha="left", va="top", fontsize=10.5,
                 color="#444444", parse_math=False)
    lines = []
    if sources:
        lines.append(f"{text['sources']} {sources}")
    lines.append(re.sub(r"<[^>]+>", "", html.unescape(text["attribution"])))
    if synthetic:
        lines.append(text["synthetic_events"].format(n=fmt(synthetic, lang)))
    wrapped = "\n".join(textwrap.fill(line, width=int(fig_w * 17)) for line in lines)
    fig.text(left, 0.5 / fig_h, wrapped, ha="left", va="top", fontsize=7.5, color="#555555",
             linespacing=1.35, parse_math=False)
