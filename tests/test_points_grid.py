"""The lookup grid gives the exact point-in-polygon answer, flags included, everywhere.

The reference is :class:`PointLocator` without its grid (the exact path: regions, units,
spatial index, nearest-unit snap, swapped test), which the rest of tests/ pins.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from sahelmap.boundaries import admin_units, read_boundaries
from sahelmap.geocoding.grid import SNAP_NONE
from sahelmap.geocoding.points import COORD_FLAGS, SNAP_DISTANCE, PointLocator


def exact_and_grid(units: gpd.GeoDataFrame) -> tuple[PointLocator, PointLocator]:
    exact, grid = PointLocator(units), PointLocator(units)
    exact._grid_min_points = 10**12  # never builds the grid
    grid._grid_min_points = 0        # builds it on the first call
    return exact, grid


def probe_points(units: gpd.GeoDataFrame, rng: np.random.Generator, n: int = 4_000
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Points of every kind: inside, around, on and near borders, swapped, damaged."""
    geoms = units.geometry.to_numpy()
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    inside = units.sample_points(max(n // len(units), 2), rng=rng).explode()
    inside = inside.get_coordinates().to_numpy()
    around = np.column_stack([rng.uniform(x0 - 3, x1 + 3, n), rng.uniform(y0 - 3, y1 + 3, n)])
    rings = shapely.boundary(geoms)
    vertices = shapely.get_coordinates(rings)
    vertices = vertices[rng.choice(len(vertices), min(n, len(vertices)), replace=False)]
    along = shapely.get_coordinates(shapely.line_interpolate_point(
        rings[rng.integers(len(rings), size=n)], rng.random(n), normalized=True))
    on_border = np.concatenate([vertices, along])
    jitter = [np.column_stack([rng.uniform(-d, d, len(on_border))] * 2) for d in
              (1e-9, 1e-4, 0.01, SNAP_DISTANCE * 0.99, SNAP_DISTANCE * 1.01, 0.2)]
    near_border = np.concatenate([on_border + j * rng.choice([-1, 1], (len(on_border), 2))
                                  for j in jitter])
    swapped = inside[: n // 2, ::-1]
    damaged = np.array([[np.nan, 15.0], [1.0, np.nan], [np.inf, 14.0], [0.0, 0.0],
                        [200.0, 15.0], [2.0, -95.0], [-np.inf, -np.inf]])
    xy = np.concatenate([inside, around, on_border, near_border, swapped, damaged])
    return xy[:, 0], xy[:, 1]


def assert_same(exact: PointLocator, grid: PointLocator, x: np.ndarray, y: np.ndarray) -> None:
    unit_e, flag_e = exact.locate_codes(x, y)
    unit_g, flag_g = grid.locate_codes(x, y)
    assert grid._grid is not None and exact._grid is None
    differ = np.flatnonzero((unit_e != unit_g) | (flag_e != flag_g))
    assert not len(differ), [(x[i], y[i], unit_e[i], unit_g[i], COORD_FLAGS[flag_e[i]],
                              COORD_FLAGS[flag_g[i]]) for i in differ[:5]]


@pytest.fixture(scope="module")
def communes() -> tuple[PointLocator, PointLocator]:
    return exact_and_grid(admin_units("adm3"))


def test_grid_gives_the_exact_answer_in_and_around_both_countries(communes):
    exact, grid = communes
    x, y = probe_points(exact.units, np.random.default_rng(13))
    assert_same(exact, grid, x, y)
    # every kind of answer was exercised
    unit, flag = grid.locate_codes(x, y)
    assert {COORD_FLAGS[f] for f in np.unique(flag)} == set(COORD_FLAGS)
    assert (unit >= 0).mean() > 0.3


def test_most_points_are_settled_by_their_cell(communes):
    exact, grid = communes
    grid.locate_codes([1.0], [15.0])
    rng = np.random.default_rng(5)
    xy = exact.units.sample_points(20, rng=rng).explode().get_coordinates().to_numpy()
    codes = grid._grid.codes[grid._grid._flat(xy[:, 0], xy[:, 1])]
    assert (codes >= 0).mean() > 0.6  # the rest: border cells, tested against 2-3 units
    far = grid._grid.codes[grid._grid._flat(np.array([5.0]), np.array([25.0]))]
    assert far.tolist() == [-1]  # north of Niger's border: no snap, no test


def test_grid_exact_at_adm2_on_official_boundaries(shared_boundaries):
    cercles = read_boundaries(shared_boundaries / "cod-ab" / "mli_admbnda_adm2_1m_gov_20211220.shp")
    exact, grid = exact_and_grid(cercles)
    assert grid.has_adm2
    x, y = probe_points(cercles, np.random.default_rng(7), n=2_000)
    assert_same(exact, grid, x, y)


def test_grid_exact_with_overlapping_and_nested_units():
    """User boundaries that overlap: the exact test's first-unit order is kept."""
    shapes = [shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3), shapely.box(0.5, 0.5, 0.7, 0.7),
              shapely.Polygon([(4, 0), (6, 0), (5, 2), (4.2, 0.1)]), shapely.box(2.9, 0, 4, 1)]
    units = gpd.GeoDataFrame({"adm0_pcode": "ML", "adm1_pcode": ["ML01", "ML02", "ML01", "ML03",
                                                                 "ML02"],
                              "adm1_name": ["a", "b", "a", "c", "b"]},
                             geometry=shapes, crs=4326)
    exact, grid = exact_and_grid(units)
    rng = np.random.default_rng(3)
    x, y = probe_points(units, rng, n=3_000)
    grid_x, grid_y = np.meshgrid(np.arange(-0.2, 6.2, 0.05), np.arange(-0.2, 3.2, 0.05))
    assert_same(exact, grid, np.concatenate([x, grid_x.ravel()]),
                np.concatenate([y, grid_y.ravel()]))


def test_snapping_by_border_pieces_matches_the_units_index(communes):
    """Outside points near a border: the nearest unit, ties settled as the index does."""
    exact, grid = communes
    grid.locate_codes([1.0], [15.0])  # builds the grid, so snapping uses border pieces
    rng = np.random.default_rng(11)
    rings = shapely.boundary(exact.units.geometry.to_numpy())
    vertices = shapely.get_coordinates(rings)  # shared by neighbours: nearest-unit ties
    xy = np.concatenate([vertices[rng.choice(len(vertices), 3_000, replace=False)]
                         + rng.normal(0, 0.05, (3_000, 2)), vertices[:500] + [0.0, 0.05]])
    outside = exact._contains_exact(xy[:, 0], xy[:, 1]) < 0
    x, y = xy[outside, 0], xy[outside, 1]
    snapped = exact._nearest(x, y)
    assert (grid._nearest(x, y) == snapped).all()
    assert (snapped >= 0).sum() > 100 and (snapped < 0).sum() > 50


def test_snapping_ties_between_neighbours_are_left_to_the_units_index():
    units = gpd.GeoDataFrame({"adm0_pcode": "NE", "adm1_pcode": ["NE001", "NE002"],
                              "adm1_name": ["a", "b"]},
                             geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
                             crs=4326)
    exact, grid = exact_and_grid(units)
    grid.locate_codes(np.full(5, 0.5), np.full(5, 0.5))
    x = np.array([1.0, 1.0, 0.5, 1.5, 1.0])
    y = np.array([1.02, -0.03, 1.04, -0.01, 1.2])  # shared corner, shared corner, a, b, far
    result = np.full(len(x), -1)
    doubt = grid._nearest_piece(shapely.points(x, y), result)
    assert doubt.tolist() == [0, 1]  # equally near both: the units' index decides
    assert result[2:].tolist() == [0, 1, -1]
    assert (grid._nearest(x, y) == exact._nearest(x, y)).all()
    assert_same(exact, grid, x, y)


def test_the_grid_is_built_once_enough_points_were_located():
    """Small one-off calls use the exact test; a stream of chunks builds the grid once."""
    locator = PointLocator(admin_units("adm3"))
    locator._grid_min_points = 1_000
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-5, 5, 600), rng.uniform(12, 18, 600)
    first = locator.locate_codes(x, y)
    assert locator._grid is None
    second = locator.locate_codes(x, y)
    grid = locator._grid
    assert grid is not None
    locator.locate_codes(x, y)
    assert locator._grid is grid
    assert all((a == b).all() for a, b in zip(first, second))


def test_outside_cells_settle_their_snap_as_the_search_would(communes):
    """Cells near a border snap all their points to one unit, or none, without a search."""
    exact, grid = communes
    grid.locate_codes([1.0], [15.0])
    rng = np.random.default_rng(17)
    rings = shapely.boundary(exact.units.geometry.to_numpy())
    vertices = shapely.get_coordinates(rings)
    xy = vertices[rng.choice(len(vertices), 20_000)] + rng.uniform(-0.08, 0.08, (20_000, 2))
    code, snap = grid._grid.locate(xy[:, 0], xy[:, 1])
    outside = code < 0
    settled = outside & (snap >= 0)
    none = outside & (snap == SNAP_NONE)
    assert settled.sum() > 200 and none.sum() > 200  # both shortcuts are taken
    searched = exact._nearest(xy[settled | none, 0], xy[settled | none, 1])
    assert (searched == np.where(snap[settled | none] >= 0, snap[settled | none], -1)).all()
    assert_same(exact, grid, xy[:, 0], xy[:, 1])
