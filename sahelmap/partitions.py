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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.errors import AggregateError
from sahelmap.vocab import DEFAULT_STRUCTURE

__all__ = ["Partition", "aggregate_partition", "combine_partitions"]

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


def combine_partitions(parts: Sequence[Partition]) -> gpd.GeoDataFrame:
    """Add up the grids of partitions that share no event, into one run's grid.

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
