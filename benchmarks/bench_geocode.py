"""Geocoding throughput: 1,000,000 name rows and 1,000,000 coordinate rows.

Run: ``python benchmarks/bench_geocode.py [--rows N]``. Prints rows/s for the vectorised
geocoder beside a naive per-row baseline measured in the same run (on a sample, since a
million naive rows would take minutes), and their ratio.
Targets on a 2-core machine: >= 500k rows/s for coordinates, >= 200k rows/s for names.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import shapely

from sahelmap.boundaries import admin_units
from sahelmap.geocoding import Geocoder, geocode


def distinct_names(coder: Geocoder, n: int, rng: np.random.Generator) -> np.ndarray:
    """~n distinct reported names: real ones, misspelt ones, relative phrases, unknowns."""
    real = coder.gazetteer.entries["name"].dropna().unique()
    names = set(real)
    while len(names) < n:
        word = str(rng.choice(real))
        roll = rng.random()
        if roll < 0.5 and len(word) > 4:  # drop, double or swap a letter
            i = int(rng.integers(1, len(word) - 1))
            word = [word[:i] + word[i + 1:], word[:i] + word[i] + word[i:],
                    word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]][int(rng.integers(3))]
        elif roll < 0.7:
            word = f"{rng.choice(['near', 'outside', 'près de', '20 km north of'])} {word}"
        elif roll < 0.8:
            word = word.upper()
        else:
            word = f"Hameau-{int(rng.integers(1_000_000))}"  # no gazetteer has it
        names.add(word)
    return np.array(sorted(names), dtype=object)


def naive_names(names: np.ndarray) -> None:
    for name in names:  # one call per row, no deduplication
        geocode(name)


def naive_points(x: np.ndarray, y: np.ndarray, units) -> None:
    geoms = list(units.geometry)
    for px, py in zip(x, y):
        point = shapely.Point(px, py)
        for geom in geoms:
            if geom.contains(point):
                break


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f} rows/s ({rows:,} rows in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=2_000)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    coder = Geocoder()
    geocode("Gao")  # build the default geocoder outside the timings

    names = distinct_names(coder, 5_000, rng)
    frame = pd.DataFrame({"place": rng.choice(names, args.rows)})
    start = time.perf_counter()
    result = coder.geocode_frame(frame)
    fast = time.perf_counter() - start
    sample = frame["place"].to_numpy()[: args.naive_rows]
    start = time.perf_counter()
    naive_names(sample)
    slow = time.perf_counter() - start
    print(f"names  ({len(names):,} distinct):")
    print(f"  vectorised  {rate(args.rows, fast)}")
    print(f"  naive       {rate(len(sample), slow)}")
    print(f"  ratio       {(args.rows / fast) / (len(sample) / slow):,.0f}x  "
          f"(target >= 200,000 rows/s: {'met' if args.rows / fast >= 2e5 else 'NOT met'})")
    print(f"  status      {result['status'].value_counts().to_dict()}")

    units = admin_units("adm3")
    points = units.sample_points(args.rows // len(units) + 1, rng=rng).explode()
    xy = rng.permutation(points.get_coordinates().to_numpy())[: args.rows]
    bad = rng.random(len(xy)) < 0.02  # 2% of rows with swapped or (0, 0) coordinates
    xy[bad] = np.where(rng.random((bad.sum(), 1)) < 0.5, xy[bad][:, ::-1], 0.0)
    frame = pd.DataFrame({"lon": xy[:, 0], "lat": xy[:, 1]})
    start = time.perf_counter()
    result = coder.geocode_frame(frame)
    fast = time.perf_counter() - start
    start = time.perf_counter()
    naive_points(xy[: args.naive_rows, 0], xy[: args.naive_rows, 1], units)
    slow = time.perf_counter() - start
    print("coordinates (2% swapped or null):")
    print(f"  vectorised  {rate(len(xy), fast)}")
    print(f"  naive       {rate(args.naive_rows, slow)}")
    print(f"  ratio       {(len(xy) / fast) / (args.naive_rows / slow):,.0f}x  "
          f"(target >= 500,000 rows/s: {'met' if len(xy) / fast >= 5e5 else 'NOT met'})")
    print(f"  status      {result['status'].value_counts().to_dict()}")
    located = result["status"] == "matched"
    print(f"  ADM2        {result.loc[located, 'adm2_pcode'].notna().mean():.1%} of matched rows "
          f"get their cercle/department ({admin_units('adm2')['adm2_pcode'].nunique()} units, "
          f"points tested in {len(units)} communes)")


if __name__ == "__main__":
    main()
