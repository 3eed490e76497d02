"""Input frames made ready to draw, and what both renderers infer from them.

Shared by the web map and the static image so both show the same classes, event types,
title and period.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.ops import polylabel

from sahelmap.boundaries import admin_units
from sahelmap.i18n import mapped_name, messages
from sahelmap.render._validate import RenderError, as_wgs84, drop_empty
from sahelmap.vocab import DEFAULT_STRUCTURE, EVENT_TYPES, VALUES

__all__ = [
    "prepare_choropleth",
    "prepare_events",
    "event_type_order",
    "infer_period",
    "default_title",
    "sources_text",
    "region_labels",
    "data_bounds",
    "synthetic_flags",
    "FIGURE_COLUMNS",
    "map_structure",
]

# Numeric columns of the choropleth contract, shown in tooltips when present.
FIGURE_COLUMNS = VALUES


def prepare_choropleth(frame: object, value: str, *,
                       periods: bool = False) -> gpd.GeoDataFrame:
    """Check a choropleth frame and return it in EPSG:4326 without empty geometries.

    With ``periods``, a unit may have one row per ``period``; else one row in all.
    """
    frame = as_wgs84(frame, "choropleth")
    if value not in frame.columns:
        numeric = [c for c in frame.columns
                   if c != frame.geometry.name and pd.api.types.is_numeric_dtype(frame[c])]
        raise RenderError(
            f"The choropleth frame has no column {value!r} to map; pass value= one of "
            f"{', '.join(map(repr, numeric)) or '(no numeric column)'}."
        )
    if not pd.api.types.is_numeric_dtype(frame[value]):
        converted = pd.to_numeric(frame[value], errors="coerce")
        bad = converted.isna() & frame[value].notna()
        if bad.any():
            raise RenderError(
                f"Column {value!r} of the choropleth frame holds non-numbers such as "
                f"{frame.loc[bad, value].iloc[0]!r}."
            )
        frame = frame.assign(**{value: converted})
    periods_allowed = periods
    keys = ["unit_pcode", "period"] if periods and "period" in frame.columns else ["unit_pcode"]
    if "unit_pcode" in frame.columns and frame.duplicated(keys).any():
        periods = frame["period"].nunique() if "period" in frame.columns else 1
        hint = (f" It spans {periods} periods: keep one, e.g. frame[frame['period'] == ...]."
                if periods > 1 else "")
        if periods_allowed:
            raise RenderError("The choropleth frame has several rows for the same unit_pcode "
                              "and period; a choropleth needs one row per unit and period.")
        raise RenderError("The choropleth frame has several rows for the same unit_pcode; "
                          "a choropleth needs one row per unit." + hint)
    return drop_empty(frame, "choropleth")


def prepare_events(frame: object) -> gpd.GeoDataFrame:
    """Check an events frame; return points in EPSG:4326, largest fatalities first.

    ``event_type`` is filled (``"Other"`` where missing) and ``fatalities`` made a
    non-negative int, so the renderers can rely on both.
    """
    frame = as_wgs84(frame, "events")
    frame = drop_empty(frame, "events")
    kinds = frame.geom_type.unique()
    if len(frame) and set(kinds) - {"Point"}:
        raise RenderError(
            f"The events frame must hold points, not {', '.join(sorted(set(kinds) - {'Point'}))}; "
            "use frame.representative_point() to map other shapes as points."
        )
    frame = frame.copy()
    if "event_type" in frame.columns:
        kinds = frame["event_type"].astype("object").where(frame["event_type"].notna(), "")
        kinds = kinds.astype(str).str.strip()
        frame["event_type"] = kinds.where(kinds != "", "Other")
    else:
        frame["event_type"] = "Event"
    if "fatalities" in frame.columns:
        deaths = pd.to_numeric(frame["fatalities"], errors="coerce").fillna(0).clip(lower=0)
        frame["fatalities"] = deaths.round().astype(int)
    else:
        frame["fatalities"] = 0
    order = np.argsort(-frame["fatalities"].to_numpy(), kind="stable")
    return frame.iloc[order]


def synthetic_flags(events: gpd.GeoDataFrame | None) -> pd.Series:
    """``True`` for events flagged ``is_synthetic`` (missing or other values count as real)."""
    if events is None:
        return pd.Series([], dtype=bool)
    if "is_synthetic" not in events.columns:
        return pd.Series(False, index=events.index)
    return events["is_synthetic"].eq(True)


def event_type_order(events: gpd.GeoDataFrame) -> list[str]:
    """ACLED's types in their usual order first, then other types by frequency."""
    counts = events["event_type"].value_counts()
    known = [t for t in EVENT_TYPES if t in counts.index]
    return known + [t for t in counts.index if t not in known]


def infer_period(choropleth: gpd.GeoDataFrame | None,
                 events: gpd.GeoDataFrame | None) -> str | None:
    """The choropleth's ``period`` values, else the span of the event dates."""
    if choropleth is not None and "period" in choropleth.columns:
        periods = sorted(str(p) for p in choropleth["period"].dropna().unique())
        if periods:
            return periods[0] if len(periods) == 1 else f"{periods[0]} \u2013 {periods[-1]}"
    if events is not None and "event_date" in events.columns and len(events):
        dates = pd.to_datetime(events["event_date"], errors="coerce").dropna()
        if len(dates):
            first, last = dates.min().strftime("%Y-%m-%d"), dates.max().strftime("%Y-%m-%d")
            return first if first == last else f"{first} \u2013 {last}"
    return None


def default_title(value: str, choropleth: object, events: object, lang: str = "en", *,
                  mode: str = "level") -> str:
    """A title for a map that was given none (it says so when the map shows a change)."""
    text = messages(lang)
    name = mapped_name(value, mode, lang)
    if choropleth is not None and events is not None:
        return text["and_events"].format(value=name)
    if choropleth is not None:
        return name
    if events is not None:
        return text["security_events"]
    return text["mali_niger"]


def sources_text(sources: str | Sequence[str] | None) -> str | None:
    """Join the user's data sources into one line (``None`` when there are none)."""
    if sources is None:
        return None
    if isinstance(sources, str):
        return sources.strip() or None
    parts = [str(s).strip() for s in sources if str(s).strip()]
    return "; ".join(parts) or None


def map_structure(choropleth: object) -> str:
    """Mali's structure to draw region borders and names in: the table's, else the default."""
    attrs = getattr(choropleth, "attrs", None) or {}
    return str(attrs.get("structure") or DEFAULT_STRUCTURE)


@lru_cache(maxsize=2)
def _region_labels(structure: str) -> tuple[tuple[float, float, str, float], ...]:
    regions = admin_units("adm1", structure=structure, simplified=True)
    rows = []
    for name, geom in zip(regions["adm1_name_fr"], regions.geometry):
        parts = list(getattr(geom, "geoms", [geom]))
        largest = max(parts, key=lambda p: p.area)
        point = polylabel(largest, tolerance=0.01)
        rows.append((round(point.x, 4), round(point.y, 4), str(name), float(geom.area)))
    return tuple(sorted(rows, key=lambda r: -r[3]))


def region_labels(structure: str = DEFAULT_STRUCTURE) -> list[tuple[float, float, str, float]]:
    """``(lon, lat, name, area)`` of each bundled region, largest first (label priority)."""
    return list(_region_labels(structure))


def data_bounds(choropleth: gpd.GeoDataFrame | None,
                events: gpd.GeoDataFrame | None) -> tuple[float, float, float, float]:
    """``(minx, miny, maxx, maxy)`` of what is drawn, the two countries if nothing is."""
    boxes = [f.total_bounds for f in (choropleth, events) if f is not None and len(f)]
    if not boxes:
        boxes = [admin_units("adm0", simplified=True).total_bounds]
    stacked = np.vstack(boxes)
    minx, miny = stacked[:, 0].min(), stacked[:, 1].min()
    maxx, maxy = stacked[:, 2].max(), stacked[:, 3].max()
    if maxx - minx < 0.5:  # a single point or a tiny area: show some surroundings
        minx, maxx = minx - 0.5, maxx + 0.5
    if maxy - miny < 0.5:
        miny, maxy = miny - 0.5, maxy + 0.5
    return float(minx), float(miny), float(maxx), float(maxy)


