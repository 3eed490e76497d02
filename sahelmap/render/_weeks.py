"""Several periods in one map: the unit x period grid, fixed classes, events per period.

A choropleth frame with a ``period`` column (one row per unit and period, as
:func:`sahelmap.summarize` returns) becomes one polygon per unit and, per figure, a
``periods x units`` array. The classes are computed once over every period shown, so a colour
means the same figure in every week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.render._classify import Classes
from sahelmap.render._validate import RenderError

__all__ = ["PeriodGrid", "period_grid", "event_periods", "classes_of_period", "class_codes",
           "change_grid", "MODES"]

_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class PeriodGrid:
    """A choropleth frame split by period.

    Attributes
    ----------
    labels : tuple of str
        Period labels in time order (``("",)`` for a frame without periods).
    units : geopandas.GeoDataFrame
        One row per unit (its first row), in the frame's order.
    values : dict of str to numpy.ndarray
        Per figure column, a ``(periods, units)`` float array; NaN where a unit has no row
        for a period or no figure.
    initial : int
        The period shown first.
    """

    labels: tuple[str, ...]
    units: gpd.GeoDataFrame
    values: dict[str, np.ndarray]
    initial: int


def period_grid(frame: gpd.GeoDataFrame, figures: list[str],
                initial: str | None = None) -> PeriodGrid:
    """Split a prepared choropleth frame into a unit x period grid.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        One row per unit, or per unit and ``period`` (then it needs ``unit_pcode``).
    figures : list of str
        Numeric columns to carry.
    initial : str, optional
        The period shown first; by default the last.

    Raises
    ------
    RenderError
        If ``initial`` is not one of the periods, or a unit has two rows for one period.
    """
    periods = (frame["period"].astype(str) if "period" in frame.columns
               else pd.Series("", index=frame.index))
    labels = tuple(sorted(periods.unique()))
    if len(labels) > 1 and "unit_pcode" not in frame.columns:
        raise RenderError("A choropleth frame with several periods needs a 'unit_pcode' "
                          "column to tell which rows are the same unit.")
    key = frame["unit_pcode"] if "unit_pcode" in frame.columns else pd.Series(
        np.arange(len(frame)), index=frame.index)
    if pd.MultiIndex.from_arrays([key, periods]).duplicated().any():
        raise RenderError("The choropleth frame has several rows for the same unit_pcode "
                          "and period; a choropleth needs one row per unit and period.")
    first = ~key.duplicated().to_numpy()
    units = frame.loc[first]
    unit_keys = pd.Index(key[first])
    rows = unit_keys.get_indexer(key)
    cols = pd.Index(labels).get_indexer(periods)
    values = {}
    for column in figures:
        grid = np.full((len(labels), len(units)), np.nan)
        grid[cols, rows] = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        values[column] = grid
    if initial is None:
        start = len(labels) - 1
    elif str(initial) in labels:
        start = labels.index(str(initial))
    else:
        raise RenderError(f"Period {initial!r} is not in the choropleth frame; it holds "
                          f"{labels[0]} to {labels[-1]}.")
    return PeriodGrid(labels=labels, units=units, values=values, initial=start)


def event_periods(dates: pd.Series, labels: tuple[str, ...]) -> np.ndarray:
    """Index of each event's period among ``labels``; -1 when it falls in none.

    With one period (or none named), every event belongs to it. ISO week labels
    (``2022-W37``) and month labels (``2022-09``) are recognised.

    Examples
    --------
    >>> event_periods(pd.Series(pd.to_datetime(["2022-09-12", "2022-09-05", "2022-01-01"])),
    ...               ("2022-W36", "2022-W37")).tolist()
    [1, 0, -1]
    """
    if len(labels) <= 1:
        return np.zeros(len(dates), dtype=np.int64)
    when = pd.to_datetime(dates, errors="coerce")
    if all(_WEEK.match(label) for label in labels):
        iso = when.dt.isocalendar()
        keys = (iso["year"].astype("string") + "-W"
                + iso["week"].astype("string").str.zfill(2))
    elif all(_MONTH.match(label) for label in labels):
        keys = when.dt.strftime("%Y-%m")
    else:
        raise RenderError(f"Events can be put in ISO weeks (2022-W37) or months (2022-09), "
                          f"not in periods such as {labels[0]!r}.")
    return pd.Index(labels).get_indexer(keys.astype(object).where(keys.notna(), None))


def classes_of_period(classes: Classes, codes: np.ndarray) -> Classes:
    """The same classes with the counts of one period (for the legend)."""
    counts = np.bincount(codes, minlength=len(classes.labels))
    return replace(classes, counts=tuple(int(n) for n in counts))


def class_codes(index: np.ndarray) -> list[str]:
    """Each period's class indices as one string, a base-36 character per unit.

    Examples
    --------
    >>> class_codes(np.array([[0, 1, 11], [2, 2, 0]]))
    ['01b', '220']
    """
    digits = np.array(list("0123456789abcdefghijklmnopqrstuvwxyz"))
    if index.size and index.max() >= len(digits):
        raise RenderError("Too many classes for the map: use fewer classes (k).")
    return ["".join(digits[row]) for row in index]


#: Value modes of the choropleth: the figure itself, or its change.
MODES = ("level", "change", "change_4w")


def change_grid(level: np.ndarray, mode: str) -> np.ndarray:
    """The ``(periods, units)`` values mapped in a mode.

    ``"change"``: minus the previous period (the first has none: NaN). ``"change_4w"``: minus
    the mean of the four periods before (NaN for the first four).

    Examples
    --------
    >>> level = np.array([[1.0], [3.0], [2.0], [6.0], [4.0], [9.0]])
    >>> change_grid(level, "change").ravel().tolist()
    [nan, 2.0, -1.0, 4.0, -2.0, 5.0]
    >>> change_grid(level, "change_4w").ravel().tolist()
    [nan, nan, nan, nan, 1.0, 5.25]
    """
    if mode not in MODES:
        raise RenderError(f"Unknown mode {mode!r}: use one of {', '.join(MODES)}.")
    if mode == "level":
        return level
    out = np.full(level.shape, np.nan)
    if mode == "change":
        out[1:] = level[1:] - level[:-1]
    else:
        for p in range(4, len(level)):
            out[p] = level[p] - level[p - 4:p].mean(axis=0)
    return out
