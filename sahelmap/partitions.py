"""Event files aggregated a partition at a time (on several cores or machines), then added up.

Each partition (one file or a few, e.g. one ACLED export per country and year) is read in
chunks and aggregated on its own by :func:`aggregate_partition`, anywhere: the function and
its result pickle, so ``concurrent.futures``, ``dask.delayed`` or a batch queue can run it.
:func:`combine_partitions` adds the partial grids up. That equals one run over every file
only when nothing spans partitions, which it checks and refuses loudly otherwise:

- an event identifier (``event_id_cnty``) or a duplicate report (same day, place, event
  type and fatalities) found in two partitions: one run would count it once, the sum twice;
- numeric dates read in another day/month order in two partitions (one run decides the
  order over every file);
- grids over other periods, units or options (give every partition the same ``start``,
  ``end``, ``level``, ``period`` and ``structure``).

On several cores (``dask.delayed`` or a batch queue alike)::

    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    run = partial(aggregate_partition, start="1997-01-01", end="2024-12-31", period="month")
    with ProcessPoolExecutor() as pool:
        table = combine_partitions(pool.map(run, ["mali.csv", "niger.csv"]))

Under Dask (``pip install 'sahelmap[dask]'``), :func:`aggregate_partitions` does the same
in one call, and :func:`geocode_partitions` places the points of a
``dask_geopandas.GeoDataFrame`` a partition at a time::

    table = aggregate_partitions([["mali_2021.csv", "mali_2022.csv"], "niger.csv"],
                                 start="2021-01-01", end="2022-12-31", level="adm2")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.errors import AggregateError, OptionError
from sahelmap.vocab import DEFAULT_STRUCTURE

__all__ = ["Partition", "aggregate_partition", "aggregate_partitions", "combine_partitions",
           "geocode_partitions"]

_FLOWS = ("events", "fatalities")
_KEY = ["unit_pcode", "period"]


@dataclass
class Partition:
    """One partition's grid, with what is needed to prove partitions do not overlap.

    Attributes
    ----------
    table : geopandas.GeoDataFrame
        The partition's grid, as :func:`sahelmap.summarize` gives it.
    counts : dict
        The partition's :meth:`~sahelmap.LoadResult.counts`.
    ids, keys : numpy.ndarray
        Sorted 64-bit hashes of its event identifiers and duplicate keys.
    order : str
        The day/month order its dates were read in ("" when no date told it).
    files : list of str
    """

    table: gpd.GeoDataFrame
    counts: dict[str, Any]
    ids: np.ndarray
    keys: np.ndarray
    order: str
    files: list[str] = field(default_factory=list)


def aggregate_partition(paths: Any, *, level: str = "adm1", period: str = "week",
                        start: Any = None, end: Any = None,
                        structure: str = DEFAULT_STRUCTURE, boundaries: Any = None,
                        chunk_rows: int = 50_000, **options: Any) -> Partition:
    """Read and aggregate one partition of event files (see the module docstring).

    Parameters
    ----------
    paths : path-like or sequence of path-likes
    level, period, start, end, structure, boundaries
        As :func:`sahelmap.summarize`: the same for every partition.
    chunk_rows : int
        Rows read at a time.
    **options
        As :func:`sahelmap.read_events` (``merge_duplicates`` defaults to True, as in
        ``sahelmap aggregate``).

    Returns
    -------
    Partition
    """
    from sahelmap.aggregate import check_totals, summarize
    from sahelmap.loaders.streaming import _streamed

    options.setdefault("merge_duplicates", True)
    result, load = _streamed(paths, chunk_rows, None, options)
    order = (load.order or load.told or (None, ""))[1]
    table = summarize(events=result.accepted, level=level, period=period, start=start,
                      end=end, boundaries=boundaries, structure=structure)
    check_totals(table, events=result.accepted)
    files = sorted(set(result.accepted["source_file"].astype(str))
                   | set(result.rejected_head["source_file"].astype(str)))
    return Partition(table, result.counts(), load.seen_ids.keys, load.seen_keys.keys, order,
                     files)


def aggregate_partitions(partitions: Sequence[Any], *, start: Any, end: Any,
                         level: str = "adm1", period: str = "week",
                         structure: str = DEFAULT_STRUCTURE, boundaries: Any = None,
                         chunk_rows: int = 50_000, scheduler: Any = "processes",
                         num_workers: int | None = None, **options: Any) -> gpd.GeoDataFrame:
    """Aggregate partitions of event files under Dask, then add them up.

    Each partition runs :func:`aggregate_partition` as one ``dask.delayed`` task; the
    partial grids come back to this process and :func:`combine_partitions` adds them up
    (or refuses, when partitions overlap). The result is the table of one run over every
    file.

    Parameters
    ----------
    partitions : sequence
        One item per partition: a path, or a sequence of paths read together. A file may be
        in one partition only.
    start, end : date-like
        The grid's first and last day, the same for every partition (required: each
        partition's own dates would give grids that do not add up).
    level, period, structure, boundaries, chunk_rows, **options
        As :func:`aggregate_partition`.
    scheduler : str or dask.distributed.Client
        Where the tasks run: ``"processes"`` (the cores of this machine), ``"synchronous"``
        (one after the other, here: for debugging), ``"threads"`` (threads of this process:
        each load remembers its names on its own copy of the geocoder; pandas and the
        checks hold Python's lock much of the time, so processes are usually faster), or a
        ``dask.distributed`` client.
    num_workers : int, optional
        Processes for ``scheduler="processes"`` (default: one per core).

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`combine_partitions`.

    Raises
    ------
    AggregateError
        A file given in two partitions, or partitions that overlap (see
        :func:`combine_partitions`).
    OptionError
        ``start`` or ``end`` missing, no partition, or an unknown scheduler.
    ImportError
        Dask is not installed.
    """
    dask = _dask()
    groups = _partition_paths(partitions)
    if start is None or end is None:
        raise OptionError("aggregate_partitions needs start= and end= (the same grid for "
                          "every partition), e.g. start='1997-01-01', end='2024-12-31'")
    _check_scheduler(scheduler)
    run = dask.delayed(aggregate_partition, pure=False)
    tasks = [run(group, level=level, period=period, start=start, end=end,
                 structure=structure, boundaries=boundaries, chunk_rows=chunk_rows,
                 **options) for group in groups]
    if isinstance(scheduler, str):
        extra = {} if num_workers is None else {"num_workers": num_workers}
        parts = dask.compute(*tasks, scheduler=scheduler, **extra)
    else:  # a dask.distributed client: its workers are set when the cluster starts
        parts = dask.compute(*tasks, scheduler=scheduler.get)
    return combine_partitions(parts)


def combine_partitions(parts: Sequence[Partition]) -> gpd.GeoDataFrame:
    """Add up the grids of partitions that share no event, into one run's grid.

    The table's ``attrs`` say, beside the grid's settings, the partitions' files
    (``partitions``) and their :meth:`~sahelmap.LoadResult.counts` added up (``counts``:
    rows read, accepted, rejected per field, merged), to check against one run.

    Raises
    ------
    AggregateError
        Partitions that share an event identifier or a duplicate report, read dates in
        other orders, or have grids over other periods, units or options.
    """
    parts = list(parts)
    if not parts:
        raise AggregateError("no partition to combine")
    _refuse_overlap(parts)
    first = parts[0].table
    frames = [p.table for p in parts]
    for other, part in zip(frames[1:], parts[1:]):
        settings = ("level", "period", "structure", "start", "end")
        if any(str(other.attrs.get(s)) != str(first.attrs.get(s)) for s in settings):
            raise AggregateError(
                f"the grid of {', '.join(part.files)} differs from that of "
                f"{', '.join(parts[0].files)} ({', '.join(settings)}); give every partition "
                "the same level, period, structure, start= and end=")
    stacked = pd.concat(frames, ignore_index=True)
    sums = stacked.groupby(_KEY, sort=False)[list(_FLOWS)].sum()
    table = stacked.drop_duplicates(_KEY).set_index(_KEY)
    table[list(_FLOWS)] = sums.loc[table.index]
    table = gpd.GeoDataFrame(table.reset_index()[list(first.columns)], geometry="geometry",
                             crs=first.crs)
    table = table.sort_values(_KEY, kind="stable").reset_index(drop=True)
    table.attrs = {key: first.attrs[key] for key in ("level", "period", "structure",
                                                     "start", "end") if key in first.attrs}
    table.attrs["excluded_rows"] = sum(int(p.table.attrs.get("excluded_rows", 0))
                                       for p in parts)
    table.attrs["counts"] = _summed_counts([p.counts for p in parts])
    table.attrs["partitions"] = [list(p.files) for p in parts]
    return table


def _refuse_overlap(parts: list[Partition]) -> None:
    for what, name in (("ids", "event identifier"), ("keys", "duplicate report")):
        for i, a in enumerate(parts):
            for b in parts[i + 1:]:
                shared = np.intersect1d(getattr(a, what), getattr(b, what))
                if len(shared):
                    raise AggregateError(
                        f"{len(shared):,} {name}(s) appear both in {', '.join(a.files)} and "
                        f"in {', '.join(b.files)}: added up, they would be counted twice; "
                        "put these files in one partition")
    told = {p.order.split(" (")[0] for p in parts if p.order and "assumed" not in p.order}
    if len(told) > 1 or "mixed" in told:
        raise AggregateError(
            "numeric dates are read day first in some partitions and month first in others "
            f"({'; '.join(p.order for p in parts if p.order)}); one run would read them in "
            "one order: write the dates one way, or read these files together")


def geocode_partitions(points: Any, *, gazetteer: Any = None, boundaries: Any = None,
                       fuzzy_threshold: float = 85.0) -> Any:
    """Place the points of a ``dask_geopandas.GeoDataFrame``, a partition at a time.

    Each partition's points go through :func:`sahelmap.geocode_frame` (coordinates only) in
    the process that holds the partition; nothing is gathered here. The result is lazy:
    ``.compute()`` it, or write it with ``.to_parquet()``.

    Parameters
    ----------
    points : dask_geopandas.GeoDataFrame
        Point geometries in longitude/latitude (EPSG:4326). Missing or empty geometries
        come back ``unmatched``, in their row, never dropped.
    gazetteer, boundaries, fuzzy_threshold
        As :func:`sahelmap.geocode_frame`.

    Returns
    -------
    dask.dataframe.DataFrame
        One row per point, on the points' index, with the columns of
        :func:`sahelmap.geocode_frame`.

    Raises
    ------
    OptionError
        Points in another coordinate system, or not a dask-geopandas frame.
    """
    _dask()
    from sahelmap.geocoding import geocode_frame

    if not hasattr(points, "map_partitions") or not hasattr(points, "crs"):
        raise OptionError("geocode_partitions takes a dask_geopandas.GeoDataFrame of points "
                          f"(dask_geopandas.from_geopandas(frame, npartitions=...)), not "
                          f"{type(points).__name__}; for a pandas frame use "
                          "sahelmap.geocode_frame")
    if points.crs is None or not points.crs.equals("EPSG:4326"):
        raise OptionError(f"the points are in {points.crs or 'no declared CRS'}, not "
                          "longitude/latitude (EPSG:4326): use `to_crs(4326)` first (or "
                          "`set_crs(4326)` if they are lon/lat without a declared CRS)")
    empty = pd.DataFrame({"lon": pd.Series(dtype=float), "lat": pd.Series(dtype=float)})
    meta = geocode_frame(empty, gazetteer=gazetteer, boundaries=boundaries,
                         fuzzy_threshold=fuzzy_threshold).iloc[:0]
    return points.map_partitions(_geocode_points, gazetteer=gazetteer, boundaries=boundaries,
                                 fuzzy_threshold=fuzzy_threshold, meta=meta)


def _geocode_points(part: gpd.GeoDataFrame, **options: Any) -> pd.DataFrame:
    from sahelmap.geocoding import geocode_frame

    geometry = part.geometry
    kinds = geometry.geom_type
    other = kinds.notna() & (kinds != "Point")
    if other.any():
        raise OptionError(f"geocode_partitions places points; row {part.index[other][0]!r} "
                          f"is a {kinds[other].iloc[0]}: use `.representative_point()` "
                          "first to place each shape by a point inside it")
    usable = kinds.eq("Point") & ~geometry.is_empty
    lon = np.full(len(part), np.nan)
    lat = np.full(len(part), np.nan)
    lon[usable.to_numpy()] = geometry[usable].x.to_numpy()
    lat[usable.to_numpy()] = geometry[usable].y.to_numpy()
    return geocode_frame(pd.DataFrame({"lon": lon, "lat": lat}, index=part.index), **options)


def _dask() -> Any:
    try:
        import dask
    except ImportError:
        raise ImportError("this needs Dask: pip install 'sahelmap[dask]'") from None
    return dask


def _partition_paths(partitions: Sequence[Any]) -> list[list[str]]:
    """Each partition's files; a file named in two partitions is refused."""
    from sahelmap.loaders.tables import as_paths

    if isinstance(partitions, (str, PathLike)) or not len(partitions):
        raise OptionError("give a list of partitions (each a path or a list of paths), "
                          f"not {partitions!r}")
    groups = [[str(p) for p in as_paths(group)] for group in partitions]
    owner: dict[Path, int] = {}
    for i, group in enumerate(groups):
        for path in group:
            where = Path(path).resolve()
            if where in owner and owner[where] != i:
                raise AggregateError(f"{path} is in partitions {owner[where] + 1} and {i + 1}: "
                                     "its rows would be counted twice; give each file once")
            owner[where] = i
    return groups


#: The schedulers Dask knows by name (its own aliases included).
_SCHEDULERS = ("processes", "threads", "synchronous", "multiprocessing", "threading", "sync",
               "single-threaded")


def _check_scheduler(scheduler: Any) -> None:
    """Refuse an unknown scheduler, named as sahelmap names its options, before any task."""
    if scheduler in _SCHEDULERS or callable(getattr(scheduler, "get", None)):
        return
    raise OptionError(f"scheduler must be 'processes', 'threads', 'synchronous' or a "
                      f"dask.distributed client, not {scheduler!r}")


def _summed_counts(counts: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for one in counts:
        for key, value in one.items():
            if isinstance(value, dict):
                inner = total.setdefault(key, {})
                for name, n in value.items():
                    inner[name] = inner.get(name, 0) + n
            else:
                total[key] = total.get(key, 0) + value
    return total
