"""Compact JSON for the web map: rounded, delta-encoded geometry of the polygons and lines.

Every string that comes from input data is HTML-escaped here, once, before it is embedded;
the browser side only concatenates these strings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from sahelmap.render._text import script_json

__all__ = ["web_geometry", "feature_collection"]

log = logging.getLogger(__name__)

# Above this many vertices, polygons are coverage-simplified before they are embedded.
MAX_COORDS = 200_000
SIMPLIFY_TOLERANCES = (0.002, 0.005, 0.01)  # degrees, tried in turn


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
