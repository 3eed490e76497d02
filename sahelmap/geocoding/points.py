"""Coordinates to admin units: vectorised point-in-polygon over prepared geometries.

:class:`PointLocator` answers "which unit contains each point" for arrays of coordinates,
without building a point geometry per row. Points just outside every unit (the borders are
simplified) are snapped to the nearest one; null-island, out-of-range, swapped and outside
points are flagged with one of :data:`COORD_FLAGS`. Large calls read a lookup grid
(:class:`~sahelmap.geocoding.grid.CellGrid`, built once) and test exactly only the points near
a border, so points far outside the two countries cost no more than points inside.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sahelmap.errors import BoundaryError
from sahelmap.geocoding.grid import SNAP_SEARCH, CellGrid

__all__ = ["COORD_FLAGS", "COORD_NOTES", "SNAP_DISTANCE", "UNIT_COLUMNS", "PointLocator"]

# Points this far outside every unit (degrees, ~5 km) are snapped to the nearest one: the
# bundled borders are simplified and a town on the border may fall just outside.
SNAP_DISTANCE = 0.05

#: What can be said of a point's coordinates; index 0 means "nothing to say".
COORD_FLAGS = ("", "snapped", "null_island", "invalid_coordinates", "swapped_latlon",
               "outside_area")
COORD_NOTES = {
    "snapped": f"point just outside every unit, snapped to the nearest (< {SNAP_DISTANCE}°)",
    "null_island": "coordinates are (0, 0), taken as missing",
    "invalid_coordinates": "coordinates out of range",
    "swapped_latlon": "coordinates look swapped (lat/lon): swapped they fall in Mali/Niger",
    "outside_area": "coordinates fall outside Mali and Niger",
}
# Once this many points have been located, the lookup grid is built (once: ~0.5-1 s, 4 bytes
# a cell); below it, the exact test alone is faster. Chunks of a stream add up.
GRID_MIN_POINTS = 200_000
GRID_MAX_CELLS = 8_000_000

#: The admin columns a located point gets.
UNIT_COLUMNS = ("adm0_pcode", "adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name")


class PointLocator:
    """Find the admin unit containing each point.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Polygons with ``adm0_pcode, adm1_pcode, adm1_name`` and optionally ``adm2_pcode,
        adm2_name`` (any CRS; used in EPSG:4326).

    Raises
    ------
    BoundaryError
        If ``units`` lacks the ADM0/ADM1 columns.
    """

    def __init__(self, units: gpd.GeoDataFrame) -> None:
        units = units.to_crs("EPSG:4326") if units.crs is not None else units
        missing = {"adm0_pcode", "adm1_pcode", "adm1_name"} - set(units.columns)
        if missing:
            raise BoundaryError(f"boundaries lack column(s) {sorted(missing)}: read them with "
                                "sahelmap.read_boundaries(), which recognises COD-AB and "
                                "geoBoundaries columns.")
        units = units.reset_index(drop=True)
        #: Whether the units carry ADM2 codes (so located points get them).
        self.has_adm2 = "adm2_pcode" in units.columns
        for column in ("adm2_pcode", "adm2_name"):
            if column not in units:
                units[column] = None
        name_col = next(c for c in ("adm3_name", "adm2_name", "adm1_name")
                        if c in units and units[c].notna().any())
        self.columns = {c: units[c].astype(object).where(units[c].notna(), None).to_numpy()
                        for c in UNIT_COLUMNS}
        self.columns["unit_name"] = units[name_col].astype(object).to_numpy()
        geoms = units.geometry.to_numpy()
        shapely.prepare(geoms)
        self._geoms = geoms
        self._bounds = shapely.bounds(geoms)
        self._total_bounds = shapely.total_bounds(geoms)
        self._tree = shapely.STRtree(geoms)
        groups = units.groupby("adm1_pcode", sort=True).indices
        self._region_members = list(groups.values())
        self._regions = [shapely.union_all(geoms[m]) for m in self._region_members]
        shapely.prepare(self._regions)
        self.units = units
        self._grid: CellGrid | None = None
        self._grid_min_points = GRID_MIN_POINTS
        self._located = 0  # points located so far

    def __len__(self) -> int:
        return len(self._geoms)

    def locate(self, lon: Any, lat: Any) -> pd.DataFrame:
        """Return the unit containing each point (vectorised).

        Parameters
        ----------
        lon, lat : array-like of float
            Decimal degrees, NaN where unknown.

        Returns
        -------
        pandas.DataFrame
            ``adm0_pcode, adm1_pcode, adm1_name, adm2_pcode, adm2_name, unit_name``,
            ``inside`` (bool) and ``flags`` (one of :data:`COORD_FLAGS`).
        """
        unit, flag = self.locate_codes(lon, lat)
        inside = unit >= 0
        out = {c: np.full(len(unit), None, dtype=object) for c in self.columns}
        for column, values in self.columns.items():
            out[column][inside] = values[unit[inside]]
        out["inside"] = inside
        out["flags"] = np.asarray(COORD_FLAGS, dtype=object)[flag]
        return pd.DataFrame(out)

    def locate_codes(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Unit index (-1 if none) and :data:`COORD_FLAGS` index of each point."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = len(lon)
        flag = np.zeros(n, dtype=np.int8)
        finite = np.isfinite(lon) & np.isfinite(lat)
        valid = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        usable = valid & ~((lon == 0) & (lat == 0))
        if usable.all():  # the usual case: no copies of the coordinates
            unit, snap = self._contains(lon, lat)
        else:
            flag[finite & ~valid] = COORD_FLAGS.index("invalid_coordinates")
            flag[valid & ~usable] = COORD_FLAGS.index("null_island")
            todo = np.flatnonzero(usable)
            unit, snap = np.full(n, -1, dtype=np.int64), np.full(n, SNAP_SEARCH, dtype=np.int64)
            unit[todo], snap[todo] = self._contains(lon[todo], lat[todo])
        lost = usable & (unit < 0)
        if lost.any():
            # the grid settles most outside points from their cell (snapped to a unit, or too
            # far from all); the others go to the nearest-unit search
            near = np.flatnonzero(lost & (snap == SNAP_SEARCH))
            unit[near] = self._nearest(lon[near], lat[near])
            settled = np.flatnonzero(lost & (snap >= 0))
            unit[settled] = snap[settled]
            flag[np.flatnonzero(lost & (unit >= 0))] = COORD_FLAGS.index("snapped")
            lost &= unit < 0
            # lost points have no flag yet: adding is a branch-free flag[lost] = outside
            flag += lost.view(np.int8) * np.int8(COORD_FLAGS.index("outside_area"))
            # swapped back, only the points that then fall in the units' bounds can be in one
            x0, y0, x1, y1 = self._total_bounds
            maybe = np.flatnonzero(lost & (lat >= x0) & (lat <= x1) & (lon >= y0)
                                   & (lon <= y1))
            swapped = maybe[self._contains(lat[maybe], lon[maybe])[0] >= 0]
            flag[swapped] = COORD_FLAGS.index("swapped_latlon")
        return unit, flag

    def _contains(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit of each point (-1 if none) and what is known of its snap.

        The snap (of points outside every unit) is known only from the grid, built once
        :data:`GRID_MIN_POINTS` points have been located, then read, testing exactly only the
        points near a border: the unit a point snaps to, ``SNAP_NONE`` (too far from every
        unit) or ``SNAP_SEARCH`` (the nearest-unit search must tell).
        """
        snap = np.full(len(x), SNAP_SEARCH, dtype=np.int64)
        if not len(x):
            return np.full(0, -1, dtype=np.int64), snap
        self._located += len(x)
        if self._grid is None and self._located < self._grid_min_points:
            return self._contains_exact(x, y), snap
        if self._grid is None:
            self._grid = CellGrid(self._geoms, self._contains_exact,
                                  snap_distance=SNAP_DISTANCE, max_cells=GRID_MAX_CELLS)
        return self._grid.locate(x, y)

    def _contains_exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the first unit containing each point, -1 if none.

        Two levels, without building point geometries: the region first (a few large
        prepared polygons), then the units of that region, each tested only on the points
        inside its bounding box (points sorted by x, sliced with ``searchsorted``).
        """
        result = np.full(len(x), -1, dtype=np.int64)
        for region, members in zip(self._regions, self._region_members):
            bx0, by0, bx1, by1 = region.bounds
            near = np.flatnonzero((x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1)
                                  & (result < 0))
            if not len(near):
                continue
            near = near[shapely.contains_xy(region, x[near], y[near])]
            if not len(near):
                continue
            near = near[np.argsort(x[near], kind="stable")]
            xs, ys = x[near], y[near]
            for unit in members:
                ux0, uy0, ux1, uy1 = self._bounds[unit]
                lo, hi = np.searchsorted(xs, [ux0, ux1], side="left")[0], \
                    np.searchsorted(xs, ux1, side="right")
                if lo >= hi:
                    continue
                window = np.arange(lo, hi)
                window = window[(ys[window] >= uy0) & (ys[window] <= uy1)]
                window = window[result[near[window]] < 0]
                if not len(window):
                    continue
                inside = shapely.intersects_xy(self._geoms[unit], xs[window], ys[window])
                result[near[window[inside]]] = unit
        # points on the outer edge of a region polygon, or in units whose region union
        # misses them (invalid user boundaries): the spatial index settles them
        rest = np.flatnonzero(result < 0)
        if len(rest):
            hit, tree_idx = self._tree.query(shapely.points(x[rest], y[rest]),
                                             predicate="intersects")
            order = np.lexsort((tree_idx, hit))
            hit, tree_idx = hit[order], tree_idx[order]
            first = np.ones(len(hit), dtype=bool)
            first[1:] = hit[1:] != hit[:-1]
            result[rest[hit[first]]] = tree_idx[first]
        return result

    def _nearest(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The unit within :data:`SNAP_DISTANCE` of each (outside) point, -1 if none.

        Once the grid is built (large calls), distances are measured to short pieces of the
        borders, not to whole polygons; points whose nearest units tie, or whose distance is
        about the snap distance, are settled by the spatial index of the units as before.
        """
        result = np.full(len(x), -1, dtype=np.int64)
        if not len(x):
            return result
        points = shapely.points(x, y)
        rest = np.arange(len(x))
        if self._grid is not None:
            rest = self._nearest_piece(points, result)
        if len(rest):
            hit, tree_idx = self._tree.query_nearest(points[rest], max_distance=SNAP_DISTANCE,
                                                     all_matches=False)
            result[rest[hit]] = tree_idx
        return result

    def _nearest_piece(self, points: np.ndarray, result: np.ndarray) -> np.ndarray:
        """Fill ``result`` from the border pieces; return the points left in doubt."""
        tree, owner = self._grid.pieces
        tol = 1e-9  # degrees: distances this close are a tie, or the snap distance itself
        hit, piece = tree.query(points, predicate="dwithin", distance=SNAP_DISTANCE + tol)
        if not len(hit):
            return hit
        distance = shapely.distance(points[hit], tree.geometries[piece])
        unit = owner[piece]
        order = np.lexsort((distance, hit))
        hit, unit, distance = hit[order], unit[order], distance[order]
        starts = np.flatnonzero(np.concatenate([[True], hit[1:] != hit[:-1]]))
        sizes = np.diff(np.append(starts, len(hit)))
        rival = ((distance <= np.repeat(distance[starts], sizes) + tol)
                 & (unit != np.repeat(unit[starts], sizes)))
        doubt = np.zeros(len(points), dtype=bool)
        doubt[hit[rival]] = True
        nearest, least, unit = hit[starts], distance[starts], unit[starts]
        doubt[nearest[np.abs(least - SNAP_DISTANCE) <= tol]] = True
        sure = ~doubt[nearest] & (least <= SNAP_DISTANCE)
        result[nearest[sure]] = unit[sure]
        return np.flatnonzero(doubt)
