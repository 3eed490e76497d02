"""Compact JSON for the web map: rounded geometry, choropleth features, columnar events.

Every string that comes from input data is HTML-escaped here, once, before it is embedded;
the browser side only concatenates these strings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sahelmap.render._text import clip, esc, script_json

__all__ = ["web_geometry", "feature_collection", "event_table", "NOTES_MAX"]

log = logging.getLogger(__name__)

# Above this many vertices, polygons are coverage-simplified before they are embedded.
MAX_COORDS = 200_000
SIMPLIFY_TOLERANCES = (0.002, 0.005, 0.01)  # degrees, tried in turn
NOTES_MAX = 150  # characters of notes in a popup (a preview; the full text stays in the tables)


def web_geometry(geometry: gpd.GeoSeries, *, decimals: int = 4,
                 max_coords: int = MAX_COORDS) -> np.ndarray:
    """Return shapely geometries fit for a web page: simplified if heavy, rounded.

    Heavy layers (more than ``max_coords`` vertices) are simplified with
    :func:`shapely.coverage_simplify`, which keeps borders shared by neighbours shared.
    Coordinates are rounded to ``decimals`` (4 decimals of a degree are ~11 m).
    """
    geoms = np.asarray(geometry.values, dtype=object)
    for tolerance in SIMPLIFY_TOLERANCES:
        if shapely.get_num_coordinates(geoms).sum() <= max_coords:
            break
        polygonal = shapely.get_type_id(geoms) >= 3
        simplified = geoms.copy()
        simplified[polygonal] = shapely.coverage_simplify(geoms[polygonal], tolerance)
        log.info("Simplified %d polygons with tolerance %s degrees for the web map",
                 int(polygonal.sum()), tolerance)
        geoms = simplified
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    return shapely.remove_repeated_points(rounded)


_DEPTH = {"LineString": 0, "MultiPoint": 0, "Polygon": 1, "MultiLineString": 1,
          "MultiPolygon": 2}


def _delta(coords: object, scale: int) -> list[int]:
    """A coordinate sequence as flat integers: first point scaled, then differences."""
    ints = np.round(np.asarray(coords, dtype=float)[:, :2] * scale).astype(np.int64)
    ints[1:] -= ints[:-1].copy()
    return ints.ravel().tolist()


def _packed(geom: shapely.Geometry, scale: int) -> dict:
    mapping = geom.__geo_interface__
    kind = mapping["type"]
    if kind == "Point":
        return {"type": kind, "coordinates": _delta([mapping["coordinates"]], scale)}
    if kind not in _DEPTH:
        raise TypeError(f"Cannot pack a {kind} for the web map.")

    def walk(part: object, depth: int) -> list:
        return _delta(part, scale) if depth == 0 else [walk(p, depth - 1) for p in part]

    return {"type": kind, "coordinates": walk(mapping["coordinates"], _DEPTH[kind])}


def feature_collection(geoms: np.ndarray, properties: Sequence[dict], *,
                       decimals: int = 4) -> str:
    """Serialise geometries and properties as packed, script-safe GeoJSON.

    Each coordinate sequence is stored as integers (degrees times ``10**decimals``), the
    first point absolute and the others as differences: about half the size of GeoJSON
    text. ``sahelmap.decode`` in the page restores plain GeoJSON.
    """
    scale = 10 ** decimals
    features = [{"type": "Feature", "geometry": _packed(geom, scale), "properties": props}
                for geom, props in zip(geoms, properties) if not shapely.is_empty(geom)]
    return script_json({"type": "FeatureCollection", "scale": scale, "features": features})


def _text_column(values: pd.Series, table: dict[str, int], *,
                 limit: int | None = None) -> list[int]:
    """Index of each escaped value in the shared string table (-1 for missing/empty)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = []
    for value in uniques:
        text = esc(clip(value, limit) if limit else value)
        lookup.append(table.setdefault(text, len(table)) if text else -1)
    lookup.append(-1)  # code -1 (missing) -> -1
    return np.asarray(lookup)[codes].tolist()


def event_table(events: gpd.GeoDataFrame, types: list[str], *, decimals: int = 4) -> dict:
    """Return the events as columns (compact JSON) with one shared table of escaped strings.

    ``events`` comes from :func:`sahelmap.render._prepare.prepare_events` (``event_type``
    and ``fatalities`` filled).

    Keys: ``lat, lon`` (rounded), ``f`` fatalities, ``t`` index into ``types``, ``y`` synthetic
    flag (0/1), and for text fields an index into ``S``: ``d`` date, ``p`` place, ``r`` region,
    ``a1``/``a2`` actors, ``s`` source, ``n`` notes (clipped to :data:`NOTES_MAX`).
    A column with one value for every event (``y`` often) is stored as that value.
    """
    table: dict[str, int] = {}
    xy = shapely.get_coordinates(np.asarray(events.geometry.values, dtype=object))
    type_index = {name: i for i, name in enumerate(types)}
    out: dict[str, list] = {
        "lat": np.round(xy[:, 1], decimals).tolist(),
        "lon": np.round(xy[:, 0], decimals).tolist(),
        "f": events["fatalities"].astype(int).tolist(),
        "t": [type_index[name] for name in events["event_type"]],
    }
    if "event_date" in events:
        dates = pd.to_datetime(events["event_date"], errors="coerce")
        out["d"] = _text_column(dates.dt.strftime("%Y-%m-%d"), table)
    for key, column, limit in (("p", "place", None), ("r", "adm1_name", None),
                               ("a1", "actor1", None), ("a2", "actor2", None),
                               ("s", "source", None), ("n", "notes", NOTES_MAX)):
        if column in events:
            out[key] = _text_column(events[column].astype("object"), table, limit=limit)
    if "is_synthetic" in events:
        flags = events["is_synthetic"].eq(True).astype(int)
        out["y"] = int(flags.iloc[0]) if flags.nunique() == 1 else flags.tolist()
    out["S"] = list(table)
    return out
