"""Small multiples: the last weeks side by side in one PNG, for slide decks.

The same classes for every panel (computed over the weeks drawn), one legend, each panel
titled with its week; the choropleth of :func:`sahelmap.render.crisis_map` without events,
over the neighbouring countries in grey, with the region names on the first panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sahelmap.boundaries import admin_units
from sahelmap.i18n import messages, period_text, scheme_name, value_name
from sahelmap.render._classify import NODATA_COLOR, ZERO_COLOR, classify
from sahelmap.render._context import draw_neighbours
from sahelmap.render._prepare import map_structure, prepare_choropleth, sources_text
from sahelmap.render._validate import RenderError
from sahelmap.render.static import _STYLE, BACKGROUND, LAND, _choropleth, _region_labels

__all__ = ["save_multiples"]


def save_multiples(table: gpd.GeoDataFrame, *, path: str | PathLike, value: str = "arrivals",
                   weeks: int = 4, scheme: str | Sequence[float] = "quantiles", k: int = 5,
                   title: str | None = None, sources: str | Sequence[str] | None = None,
                   cmap: str = "YlOrRd", lang: str = "en", dpi: int = 200) -> Path:
    """Draw the last ``weeks`` periods of a unit x period table side by side (PNG).

    Parameters
    ----------
    table : geopandas.GeoDataFrame
        One row per unit and ``period`` (``sahelmap.summarize(period="week", ...)``).
    path : path-like
        The PNG to write.
    value, scheme, k, cmap, title, sources, lang
        As for :func:`sahelmap.render.crisis_map`; the classes are computed over the
        periods drawn, so a colour means the same in every panel.
    weeks : int
        How many of the last periods to draw (2 x 2 panels for 4).
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path
    """
    frame = prepare_choropleth(table, value, periods=True)
    if "period" not in frame.columns:
        raise RenderError("Small multiples need a 'period' column (one row per unit and week).")
    labels = sorted(frame["period"].astype(str).unique())[-weeks:]
    frame = frame[frame["period"].astype(str).isin(labels)]
    classes = classify(frame[value], scheme=scheme, k=k, cmap=cmap, lang=lang)
    text = messages(lang)
    columns = 2 if len(labels) > 1 else 1
    rows = int(np.ceil(len(labels) / columns))
    minx, miny, maxx, maxy = admin_units("adm0", simplified=True).total_bounds
    aspect = 1 / np.cos(np.radians((miny + maxy) / 2))
    panel_w = 4.6
    panel_h = panel_w * (maxy - miny) * aspect / (maxx - minx)
    head, foot_h = 1.0, 0.75  # inches above the panels (title) and below (credits)
    fig_w, fig_h = columns * panel_w + 2.6, head + rows * (panel_h + 0.35) + foot_h
    countries = admin_units("adm0", simplified=True)
    regions = admin_units("adm1", structure=map_structure(table), simplified=True)
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(fig_w, fig_h))
        FigureCanvasAgg(fig)
        for n, label in enumerate(labels):
            row, col = divmod(n, columns)
            left = (0.15 + col * panel_w) / fig_w
            bottom = 1 - (head + (row + 1) * (panel_h + 0.35) - 0.35) / fig_h
            ax = fig.add_axes((left, bottom, (panel_w - 0.1) / fig_w, panel_h / fig_h))
            ax.set_facecolor(BACKGROUND)
            ax.set_xticks([])
            ax.set_yticks([])
            countries.plot(ax=ax, color=LAND, linewidth=0, zorder=1)
            week = frame["period"].astype(str) == label
            _choropleth(ax, frame.loc[week], _subset(classes, week.to_numpy()))
            regions.boundary.plot(ax=ax, color="#6b6b6b", linewidth=0.35, zorder=3)
            countries.boundary.plot(ax=ax, color="#2f2f2f", linewidth=0.8, zorder=3)
            ax.set_xlim(minx, maxx)
            ax.set_ylim(miny, maxy)
            ax.set_aspect(aspect)
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.set_title(period_text(label, lang), fontsize=9, loc="left", parse_math=False)
            draw_neighbours(ax)
            if n == 0:  # region names once, on the first panel: the others have the same
                _region_labels(ax, fig, map_structure(table), fontsize=6)
        handles = [Patch(facecolor=c, edgecolor="#9e9e9e", linewidth=0.4,
                         hatch="////" if c == NODATA_COLOR else None) for c in classes.colors]
        names = [text["none_reported"] if c == ZERO_COLOR else
                 text["no_data"] if c == NODATA_COLOR else label
                 for label, c in zip(classes.labels, classes.colors)]
        legend = fig.legend(handles, names, loc="upper left", frameon=False, fontsize=8,
                            bbox_to_anchor=((columns * panel_w + 0.25) / fig_w, 1 - head / fig_h),
                            title=f"{value_name(value, lang)}\n"
                                  f"({scheme_name(classes.scheme, lang)})",
                            title_fontproperties={"weight": "bold", "size": 8.5},
                            alignment="left")
        for item in [*legend.get_texts(), legend.get_title()]:
            item.set_parse_math(False)
        fixed = text["fixed_note"].format(n=len(labels))
        fig.text(0.15 / fig_w, 1 - 0.2 / fig_h, title or value_name(value, lang, title=True),
                 ha="left", va="top", fontsize=14, fontweight="bold", parse_math=False)
        fig.text(0.15 / fig_w, 1 - 0.55 / fig_h, fixed, ha="left", va="top", fontsize=9,
                 color="#444444", parse_math=False)
        credits = sources_text(sources)
        foot = (f"{text['sources']} {credits}\n" if credits else "") + fmt_attribution(lang)
        fig.text(0.15 / fig_w, (foot_h - 0.2) / fig_h, foot, ha="left", va="top", fontsize=7,
                 color="#555555", parse_math=False)
        target = Path(path)
        fig.savefig(target, format="png", dpi=dpi, facecolor="white")
    return target


def _subset(classes, mask: np.ndarray):
    from dataclasses import replace

    return replace(classes, index=classes.index[mask])


def fmt_attribution(lang: str) -> str:
    """The boundary and place-name credits as plain text."""
    import html
    import re

    return re.sub(r"<[^>]+>", "", html.unescape(messages(lang)["attribution"]))

