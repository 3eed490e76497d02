"""A lookup grid over boundary polygons: most points are located by one array index.

:class:`CellGrid` cuts the area of the units into square cells and settles, once, every cell
that no unit border crosses: the whole cell lies in one unit, or outside every unit and
farther than the snap distance from all of them. A point in such a cell is located by
reading its cell; only points in cells along a border (or just outside one) need the exact
point-in-polygon test. The answer is the exact test's, by construction:

- every border is sampled at half a cell or less, and every cell within one cell of a sample
  is a *border cell*; so a cell that is not one stays at least half a cell away from every
  border, and the units containing a point do not change across a connected run of such
  cells (:func:`scipy.ndimage.label`), which is settled by the exact test of one point;
- an outside cell is *far* only if every cell within ``floor(snap / cell) + 1`` cells is an
  outside cell too, so no unit lies within the snap distance of any point in it (every
  border lies in border cells, whose points are then at least that many cells away);
- an outside cell nearer a unit is settled from the distances of its centre to the borders
  (which change by at most half the cell's diagonal ``h`` across it): no border within the
  snap distance + ``h`` makes it far; one unit within the snap distance - ``h``, and no other
  within the snap distance + ``h``, makes every point of it snapped to that unit, the
  nearest-unit search's answer; any other cell is left to that search;
- a point of a border cell is tested against the units that may meet the cell: those with a
  border sample within two cells of it, and the units overlapping one of them (a unit that
  covers the cell without a border sample that near would overlap the unit whose border
  made it a border cell). A point in exactly one of them is in that unit; a point in none
  is outside; a point in several (on a shared border) gets the exact test, whose order of
  preference between units the grid does not repeat.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely
from scipy import ndimage

__all__ = ["SNAP_NONE", "SNAP_SEARCH", "CellGrid", "border_pieces"]

# Cell codes besides unit indices: outside every unit and farther than the snap distance
# from all (FAR); a border cell, numbered BORDER, BORDER - 1, ... (its units are tested);
# below the border cells, an outside cell whose points all snap to one unit.
FAR = -1
BORDER = -2
#: What :meth:`CellGrid.locate` says of a point outside every unit: the nearest-unit search
#: must settle it (SNAP_SEARCH), no unit is within the snap distance (SNAP_NONE), or the index
#: of the unit it snaps to.
SNAP_SEARCH = -1
SNAP_NONE = -2


class CellGrid:
    """Cell codes over the bounding box of ``geoms``: unit index, :data:`FAR`, or a border cell.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        The units, in the order their indices refer to (prepared, for speed).
    contains : callable
        ``contains(x, y) -> unit index or -1``: the exact test, used on one point per
        connected run of cells, and on the border points that touch several units.
    snap_distance : float
        Outside points this close to a unit are in border cells (they may be snapped).
    max_cells : int
        Upper bound on the number of cells (4 bytes a cell).

    Examples
    --------
    >>> square = np.array([shapely.box(0, 0, 1, 1)])
    >>> exact = lambda x, y: np.where(shapely.intersects_xy(square[0], x, y), 0, -1)
    >>> grid = CellGrid(square, exact, snap_distance=0.05, max_cells=10_000)
    >>> x, y = np.array([0.5, 3.0, 1.0, 1.01, 1.03]), np.array([0.5, 3.0, 0.5, 0.5, 0.5])
    >>> code, snap = grid.locate(x, y)
    >>> code.tolist(), snap.tolist()  # inside, far, on the border, near it, nearer it
    ([0, -1, 0, -1, -1], [-1, -2, -1, -1, 0])
    """

    def __init__(self, geoms: np.ndarray, contains: Callable[[np.ndarray, np.ndarray],
                                                                np.ndarray], *,
                 snap_distance: float, max_cells: int) -> None:
        self._geoms = geoms
        self._contains = contains
        x0, y0, x1, y1 = shapely.total_bounds(geoms)
        pad = 2 * snap_distance  # the margin the cells cover (thin or tiny units too)
        cell = np.sqrt((x1 - x0 + pad) * (y1 - y0 + pad) / max_cells)
        # outside cells farther than this (in cells, either axis) from every unit or border
        # cell are FAR: a border lies in border cells, so a point of such a cell is at least
        # reach * cell > snap_distance from it
        reach = int(np.floor(snap_distance / cell)) + 1
        margin = (reach + 3) * cell
        self.cell = float(cell)
        self.x0, self.y0 = x0 - margin, y0 - margin
        self.nx = int(np.ceil((x1 + margin - self.x0) / cell)) + 1
        self.ny = int(np.ceil((y1 + margin - self.y0) / cell)) + 1
        # every border, sampled at half a cell or less
        samples, owner = shapely.get_coordinates(
            shapely.segmentize(shapely.boundary(geoms), cell / 2), return_index=True)
        sample_cell = _distinct(self._flat(samples[:, 0], samples[:, 1]) * len(geoms) + owner)
        owner, sample_cell = sample_cell % len(geoms), sample_cell // len(geoms)
        border = np.zeros(self.ny * self.nx, dtype=bool)
        border[sample_cell] = True
        border = ndimage.binary_dilation(border.reshape(self.ny, self.nx),
                                         structure=np.ones((3, 3), dtype=bool))
        # each run of cells no border crosses lies in one unit, or outside all of them
        runs, count = ndimage.label(~border)
        flat = runs.ravel()
        some = np.zeros(count + 1, dtype=np.int64)
        some[flat] = np.arange(len(flat))
        cy, cx = np.divmod(some[1:], self.nx)
        unit = np.asarray(contains((cx + 0.5) * cell + self.x0, (cy + 0.5) * cell + self.y0),
                          dtype=np.int64)
        codes = np.concatenate([[BORDER], np.where(unit >= 0, unit, FAR)]).astype(np.int32)[runs]
        del runs, flat
        # outside cells within reach of a unit or a border may be snapped: settled from their
        # centre's distances to the borders where those tell, by the exact search otherwise
        occupied = codes != FAR
        near = ndimage.maximum_filter(occupied.view(np.uint8), size=2 * reach + 1) > 0
        self.codes = codes.ravel()
        lines, piece_owner = border_pieces(geoms)
        #: The borders in short pieces (a spatial index, and each piece's unit).
        self.pieces = shapely.STRtree(lines), piece_owner
        ring = np.flatnonzero((near & ~occupied).ravel())
        snap = self._snap_of_cells(ring, snap_distance)
        self.codes[ring[snap == SNAP_SEARCH]] = BORDER
        self._candidates(sample_cell, owner, self._overlapping(geoms))
        self._snap_base = BORDER - (len(self._start) - 1)  # below every border cell's code
        sure = snap >= 0
        self.codes[ring[sure]] = self._snap_base - snap[sure]

    def _snap_of_cells(self, cells: np.ndarray, snap_distance: float) -> np.ndarray:
        """For outside cells: the unit all their points snap to, SNAP_NONE or SNAP_SEARCH.

        From the distances of each cell's centre to the border pieces, which change by at
        most half the cell's diagonal across the cell (see the module notes). A margin of
        ``1e-9`` degrees leaves near-ties and the snap distance itself to the exact search.
        """
        tree, owner = self.pieces
        cy, cx = np.divmod(cells, self.nx)
        centres = shapely.points((cx + 0.5) * self.cell + self.x0,
                                 (cy + 0.5) * self.cell + self.y0)
        half = self.cell * np.sqrt(0.5) + 1e-9
        hit, piece = tree.query(centres, predicate="dwithin", distance=snap_distance + half)
        result = np.full(len(cells), SNAP_NONE, dtype=np.int64)
        if not len(hit):
            return result
        unit = owner[piece]
        distance = shapely.distance(centres[hit], tree.geometries[piece])
        order = np.lexsort((distance, hit))  # per cell, nearest piece first
        hit, unit, distance = hit[order], unit[order], distance[order]
        starts = np.flatnonzero(np.concatenate([[True], hit[1:] != hit[:-1]]))
        one_unit = np.minimum.reduceat(unit, starts) == np.maximum.reduceat(unit, starts)
        sure = one_unit & (distance[starts] <= snap_distance - half)
        result[hit[starts]] = np.where(sure, unit[starts], SNAP_SEARCH)
        return result

    def _overlapping(self, geoms: np.ndarray) -> dict[int, np.ndarray]:
        """``{unit: units whose interior meets its own}`` (empty for a clean partition)."""
        tree = shapely.STRtree(geoms)
        pairs = [tree.query(geoms, predicate=p) for p in ("overlaps", "contains")]
        a = np.concatenate([p[i] for p in pairs for i in (0, 1)])
        b = np.concatenate([p[i] for p in pairs for i in (1, 0)])
        keep = a != b
        a, b = a[keep], b[keep]
        return {int(u): np.unique(b[a == u]) for u in np.unique(a)}

    def _candidates(self, sample_cell: np.ndarray, owner: np.ndarray,
                    partners: dict[int, np.ndarray]) -> None:
        """The units a point of each border cell may lie in.

        A unit meets a border cell only if one of its border samples lies within two cells
        of it, or it overlaps such a unit (see the module notes); border cells are numbered
        and their codes become ``BORDER - number``.
        """
        n = len(self._geoms)
        iy, ix = np.divmod(sample_cell, self.nx)
        keys = []
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                keys.append(((iy + dy) * self.nx + ix + dx) * n + owner)
        keys = _distinct(np.concatenate(keys))
        cells, units = keys // n, keys % n
        on_border = self.codes[cells] == BORDER
        cells, units = cells[on_border], units[on_border]
        if partners:  # overlapping units: a cell of one may lie in the other
            keys = [cells * n + units]
            for unit, others in partners.items():
                at = cells[units == unit]
                keys += [at * n + other for other in others]
            keys = _distinct(np.concatenate(keys))
            cells, units = keys // n, keys % n
        border_cells = np.flatnonzero(self.codes == BORDER)
        number = np.searchsorted(border_cells, cells)
        self.codes[border_cells] = BORDER - np.arange(len(border_cells), dtype=np.int32)
        self._start = np.searchsorted(number, np.arange(len(border_cells) + 1))
        self._units = units.astype(np.int16 if n < 2**15 else np.int32)  # radix sort

    def _flat(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ix = np.floor((x - self.x0) / self.cell).astype(np.int64)
        iy = np.floor((y - self.y0) / self.cell).astype(np.int64)
        return iy * self.nx + ix

    def locate(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit index of each point (-1 if none), and what is known of its snap.

        The exact test's answer: points in border cells are tested against the units of
        their cell, and those touching several (on a shared border) go to the exact test.
        The snap of a point outside every unit is the unit it snaps to, :data:`SNAP_NONE`
        or :data:`SNAP_SEARCH` (for points inside a unit it means nothing).
        """
        ix = (x - self.x0) / self.cell
        iy = (y - self.y0) / self.cell
        on = np.flatnonzero((ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny))
        code = np.full(len(x), FAR, dtype=np.int64)
        code[on] = self.codes[iy[on].astype(np.int64) * self.nx + ix[on].astype(np.int64)]
        snap = np.where(code == FAR, SNAP_NONE, SNAP_SEARCH)
        settled = np.flatnonzero(code <= self._snap_base)
        snap[settled] = self._snap_base - code[settled]
        code[settled] = -1
        border = np.flatnonzero(code <= BORDER)
        if len(border):
            code[border] = self._in_border_cells(x[border], y[border], BORDER - code[border])
        return code, snap

    def _in_border_cells(self, x: np.ndarray, y: np.ndarray, number: np.ndarray) -> np.ndarray:
        start, stop = self._start[number], self._start[number + 1]
        count = stop - start
        point = np.repeat(np.arange(len(x)), count)
        pair = np.arange(len(point)) - np.repeat(np.cumsum(count) - count, count) \
            + np.repeat(start, count)
        unit = self._units[pair]
        order = np.argsort(unit, kind="stable")
        point, unit = point[order], unit[order]
        bounds = np.flatnonzero(np.diff(unit)) + 1
        hit = np.zeros(len(point), dtype=bool)
        for lo, hi in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(unit)]])):
            if lo < hi:
                at = point[lo:hi]
                hit[lo:hi] = shapely.intersects_xy(self._geoms[unit[lo]], x[at], y[at])
        hits = np.bincount(point[hit], minlength=len(x))
        result = np.full(len(x), -1, dtype=np.int64)
        result[point[hit]] = unit[hit]
        several = np.flatnonzero(hits > 1)  # on a shared border: the exact test's order
        if len(several):
            result[several] = self._contains(x[several], y[several])
        return result


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` without its hash table: faster here)."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])]


def border_pieces(geoms: np.ndarray, size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """The borders of ``geoms`` cut into lines of at most ``size`` segments, and their unit.

    The distance from a point outside a polygon to the polygon is its distance to the nearest
    piece of its border, and short pieces make the nearest-unit search cheap (the distance to
    a large polygon is computed over all of its vertices).

    Examples
    --------
    >>> lines, owner = border_pieces(np.array([shapely.box(0, 0, 1, 1)]), size=3)
    >>> shapely.get_num_coordinates(lines).tolist(), owner.tolist()
    ([4, 2], [0, 0])
    """
    rings, owner = shapely.get_parts(shapely.boundary(geoms), return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    first = np.concatenate([[0], np.flatnonzero(np.diff(ring)) + 1])
    position = np.arange(len(coords)) - np.repeat(first, np.diff(np.append(first, len(coords))))
    piece = np.cumsum((position == 0) | (position % size == 0)) - 1
    # a piece ends where the next begins: that vertex is written twice
    shared = np.flatnonzero((position % size == 0) & (position > 0))
    coords = np.concatenate([coords, coords[shared]])
    ring = np.concatenate([ring, ring[shared]])
    piece = np.concatenate([piece, piece[shared] - 1])
    order = np.argsort(piece, kind="stable")
    coords, ring, piece = coords[order], ring[order], piece[order]
    keep = np.bincount(piece)[piece] >= 2  # a closing vertex alone ends the piece before
    coords, ring = coords[keep], ring[keep]
    _, piece = np.unique(piece[keep], return_inverse=True)
    lines = shapely.linestrings(coords, indices=piece)
    ring_of_piece = np.zeros(len(lines), dtype=np.int64)
    ring_of_piece[piece] = ring
    return lines, owner[ring_of_piece]
