"""Events and displacement figures per admin unit and period, ready for a choropleth.

Pure pandas/numpy: accepted frames from :mod:`sahelmap.loaders` in, one GeoDataFrame out with
a row for every unit x period of a continuous grid (zero where nothing was reported). Rows are
assigned with integer arithmetic and summed with :func:`numpy.bincount`, so a million rows take
well under a second.

The accounting identity holds by construction and is checked by :func:`check_totals`: summed
over the output, ``events`` is the number of input event rows in range, ``fatalities`` their
fatalities, and each figure column (``arrivals, idps, returns, departures``) the sum of
``count`` of the displacement rows of that type in range. Nothing in range is dropped:

- a row whose ``adm2_pcode`` is missing, or not a unit of the grid, is counted in its region's
  explicit "ADM2 unknown" unit (``ML07-UNK``, "Gao (ADM2 unknown)"), which has no geometry;
- a row whose ``adm1_pcode`` is not a map region, even through the ADM1 crosswalk, is counted
  in its country's "region unknown" unit (``ML-UNK``), or in ``UNK`` (with a warning);
- rows flagged ``is_duplicate`` and rows flagged ``is_synthetic`` are counted like the others:
  remove them first if they should not be (the loaders merge what they are sure of).

Rows outside ``[start, end]``, and rows without a date, are not counted; how many is reported
in ``frame.attrs["excluded_rows"]`` (with a breakdown in ``frame.attrs["excluded"]``) and
logged; rows without a date also raise a warning.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.boundaries import admin_units, check_structure
from sahelmap.errors import AggregateError, PeriodError, warn
from sahelmap.pcodes import map_adm1_pcode, map_adm2_pcode
from sahelmap.vocab import (
    COUNTRIES,
    DEFAULT_STRUCTURE,
    EVENT_VALUES,
    FIGURE_NATURE,
    FIGURE_RULES,
    FIGURE_TYPES,
    STOCK_FIGURES,
)

__all__ = [
    "AggregateError",
    "iso_week_bounds",
    "FIGURE_TYPES",
    "EVENT_COLUMNS",
    "UNIT_COLUMNS",
    "aggregate_events",
    "aggregate_displacement",
    "summarize",
    "check_totals",
]

logger = logging.getLogger(__name__)

EVENT_COLUMNS = EVENT_VALUES
UNIT_COLUMNS = ("unit_pcode", "unit_name", "adm0_pcode", "adm1_pcode", "adm1_name")
PERIOD_COLUMNS = ("period", "period_start", "period_end")

_WEEK_LABEL = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH_LABEL = re.compile(r"^(\d{4})-(\d{1,2})$")
_EPOCH = np.datetime64("1970-01-01", "D")
# What names the place a displacement row reports on (stocks: one snapshot per place).
_PLACE_COLUMNS = ("place", "adm1_pcode", "adm2_pcode")



# --------------------------------------------------------------------------------------------
# Public API


def aggregate_events(events: pd.DataFrame, *, level: str = "adm1", period: str | None = "week",
                     start: object = None, end: object = None,
                     boundaries: gpd.GeoDataFrame | None = None,
                     structure: str = DEFAULT_STRUCTURE,
                     pcode_version: str | None = None) -> gpd.GeoDataFrame:
    """Count events and fatalities per admin unit and period.

    Parameters
    ----------
    events : pandas.DataFrame
        Accepted events, with ``event_date``, ``adm1_pcode``, ``fatalities`` and, for
        ``level="adm2"``, ``adm2_pcode`` (missing values allowed). Rows flagged
        ``is_duplicate`` are counted: drop them first if they should not be.
    level, period, start, end, boundaries, structure, pcode_version
        As for :func:`summarize`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``unit_pcode, unit_name, adm0_pcode, adm1_pcode, adm1_name, period, period_start,
        period_end, events, fatalities, pcode_version, geometry``; see :func:`summarize`.

    Examples
    --------
    >>> events = pd.DataFrame({
    ...     "event_date": pd.to_datetime(["2022-09-12", "2022-09-14", "2022-09-20"]),
    ...     "adm1_pcode": ["ML07", "ML10", "ML10"], "fatalities": [3, 0, 12]})
    >>> out = aggregate_events(events, period="week")
    >>> out.shape[0], int(out["events"].sum()), int(out["fatalities"].sum())
    (54, 3, 15)
    >>> out.loc[out["unit_pcode"] == "ML10", ["period", "events", "fatalities"]].values.tolist()
    [['2022-W37', 1, 0], ['2022-W38', 1, 12]]
    """
    return _aggregate(events, None, level=level, period=period, start=start, end=end,
                      boundaries=boundaries, values=EVENT_COLUMNS, structure=structure,
                      pcode_version=pcode_version)


def aggregate_displacement(displacement: pd.DataFrame, *, level: str = "adm1",
                           period: str | None = "week", start: object = None, end: object = None,
                           boundaries: gpd.GeoDataFrame | None = None,
                           structure: str = DEFAULT_STRUCTURE,
                           pcode_version: str | None = None) -> gpd.GeoDataFrame:
    """Sum displacement figures by type per admin unit and period.

    A figure is counted whole in the period holding its ``date`` (the start of its reporting
    period, the snapshot date of a DTM round), however long its reporting period is. How
    reports combine depends on the figure (:data:`sahelmap.vocab.FIGURE_NATURE`):

    - flows (``arrivals, returns, departures``: movements) are summed;
    - stocks (``idps``: people present at a date) are not: per place (``place``,
      ``adm1_pcode``, ``adm2_pcode`` as given) and period, only the latest snapshot counts,
      and the unit's figure is the sum of its places' latest snapshots. Two rounds in one
      month give the later round's figure, not their sum.

    ``attrs["rules"]`` says which rule each column followed.

    Parameters
    ----------
    displacement : pandas.DataFrame
        Accepted displacement rows, with ``date``, ``adm1_pcode``, ``figure_type`` (one of
        ``arrivals, idps, returns, departures``), ``count`` and, for ``level="adm2"``,
        ``adm2_pcode``.
    level, period, start, end, boundaries, structure, pcode_version
        As for :func:`summarize`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``unit_pcode, unit_name, adm0_pcode, adm1_pcode, adm1_name, period, period_start,
        period_end, arrivals, idps, returns, departures, pcode_version, geometry``.

    Examples
    --------
    >>> figures = pd.DataFrame({
    ...     "date": pd.to_datetime(["2022-09-01", "2022-09-15", "2022-10-03"]),
    ...     "adm1_pcode": ["ML10", "ML10", "NE006"], "figure_type": ["arrivals", "idps", "idps"],
    ...     "count": [120, 4000, 250]})
    >>> out = aggregate_displacement(figures, period="month")
    >>> sorted(out["period"].unique())
    ['2022-09', '2022-10']
    >>> row = out[(out["unit_pcode"] == "ML10") & (out["period"] == "2022-09")].iloc[0]
    >>> int(row["arrivals"]), int(row["idps"]), int(row["returns"])
    (120, 4000, 0)
    >>> print(out.attrs["rules"]["idps"])
    stock: latest snapshot per place in the period, summed over the unit's places
    """
    return _aggregate(None, displacement, level=level, period=period, start=start, end=end,
                      boundaries=boundaries, values=FIGURE_TYPES, structure=structure,
                      pcode_version=pcode_version)


def summarize(events: pd.DataFrame | None = None, displacement: pd.DataFrame | None = None, *,
              level: str = "adm1", period: str | None = "week", start: object = None,
              end: object = None, boundaries: gpd.GeoDataFrame | None = None,
              structure: str = DEFAULT_STRUCTURE, pcode_version: str | None = None,
              event_counts: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Events, fatalities and displacement figures on one unit x period grid.

    Parameters
    ----------
    events, displacement : pandas.DataFrame, optional
        Accepted frames from the loaders (at least one). A missing one gives zero columns.
    level : {"adm1", "adm2"}
        ``"adm1"``: the regions of ``structure`` (27 with Mali's 2023 regions, 18 with those
        of 2016), simplified geometry. ``"adm2"``: the bundled cercles (Mali, 53, as in the
        2021 COD) and departments (Niger, 67), or the ADM2 units of ``boundaries``. Rows whose
        ADM2 is missing or not among those units go to their region's "ADM2 unknown" unit
        (``"ML07-UNK"``), present only when some row needs it.
    structure : {"2023", "2016"}
        Mali's regions (see :func:`sahelmap.admin_units`). With ``"2023"``, a row of a 2016
        region that was split (Kayes, Koulikoro, Sikasso, Ségou, Mopti) goes to the 2023
        region of its cercle (``adm2_pcode``); without one, to an explicit unit
        ``"ML01-2016"``, "Kayes (2016 region; 2023 region unknown)": counted, never dropped.
    event_counts : pandas.DataFrame, optional
        Aggregated event counts per unit and period (HDX HAPI conflict-event tables, from
        :func:`sahelmap.loaders.counts.read_event_counts`), added to ``events`` and
        ``fatalities``. A count is never split across periods (monthly counts need
        ``period="month"`` or ``"all"``), and counts and event rows of the same country and
        dates are refused: they would count the same events twice. ``attrs["sources"]`` says
        which kinds of input the table holds.
    pcode_version : str, optional
        The version of the rows' P-codes when they are not the map codes the geocoder gives
        (``"cod-2021"``: ML09 = Bamako; ``"v03"``: ML09 = Taoudénit, ADM1 codes of 2023 regions,
        v03 ADM2 codes); see :mod:`sahelmap.pcodes`. Inferred where the codes allow, refused
        where they do not.
    period : {"week", "month", "all"}, None, or a label such as ``"2022-W37"``, ``"2022-09"``
        ISO weeks (Monday to Sunday, labelled with the ISO year: 2021-01-01 is in
        ``"2020-W53"``), calendar months, or one period from ``start`` to ``end`` (``"all"``
        or None; without them, from the first to the last date in the data). A week or month
        label is shorthand for that one period (``start`` and ``end`` then must be None).
    start, end : date-like, optional
        First and last day counted (inclusive). Rows dated outside are left out and counted
        in ``attrs["excluded_rows"]``. The grid runs from the period of ``start`` (else of the
        first date counted) to that of ``end`` (else the last), with no gaps; the first and
        last periods are cut to ``start`` and ``end`` in ``period_start``/``period_end``.
    boundaries : geopandas.GeoDataFrame, optional
        Official ADM2 boundaries from :func:`sahelmap.read_boundaries`, with ``adm2_pcode``
        and polygons; used for ``level="adm2"`` only (ADM1 figures use the map regions, which
        the reports are coded to).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, sorted by period then unit, columns ``unit_pcode, unit_name, adm0_pcode,
        adm1_pcode, adm1_name, period, period_start, period_end, events, fatalities,
        arrivals, idps, returns, departures, pcode_version, geometry``: int64 values, zero
        where nothing was reported; ``pcode_version`` says which version ``unit_pcode`` is
        in (``v03``, ``cod-2021``, ``v02``; empty for "unknown" units). ``attrs`` holds
        ``level``, ``structure``, ``period``, ``start``, ``end``,
        ``excluded_rows`` (rows not counted), ``excluded`` (per input: ``before_start``,
        ``after_end``, ``no_date``) and ``unknown_unit_rows`` (rows counted in an "unknown"
        unit).

    Raises
    ------
    AggregateError
        For an unknown level or period, ``start`` after ``end``, or inputs lacking columns or
        holding unknown figure types.

    Examples
    --------
    >>> events = pd.DataFrame({"event_date": pd.to_datetime(["2021-01-01", "2021-01-04"]),
    ...                        "adm1_pcode": ["ML07", "ML07"], "fatalities": [2, 5]})
    >>> figures = pd.DataFrame({"date": pd.to_datetime(["2021-01-05"]), "adm1_pcode": ["ML10"],
    ...                         "figure_type": ["arrivals"], "count": [300]})
    >>> out = summarize(events, figures, period="2021-W01")
    >>> out.attrs["excluded_rows"], out.attrs["start"], out.attrs["end"]
    (1, '2021-01-04', '2021-01-10')
    >>> columns = ["unit_name", "period", "events", "fatalities", "arrivals"]
    >>> for row in out[out["unit_pcode"].isin(["ML07", "ML10", "NE006"])][columns].values:
    ...     print(*row)
    Gao 2021-W01 1 5 0
    Ménaka 2021-W01 0 0 300
    Tillabéri 2021-W01 0 0 0
    """
    if events is None and displacement is None and event_counts is None:
        raise AggregateError("Nothing to summarize: pass events=, displacement= or "
                             "event_counts=.")
    return _aggregate(events, displacement, level=level, period=period, start=start, end=end,
                      boundaries=boundaries, values=EVENT_COLUMNS + FIGURE_TYPES,
                      structure=structure, pcode_version=pcode_version,
                      event_counts=event_counts)


def check_totals(result: pd.DataFrame, events: pd.DataFrame | None = None,
                 displacement: pd.DataFrame | None = None,
                 event_counts: pd.DataFrame | None = None) -> dict[str, int]:
    """Check that an aggregate adds up to its inputs; raise if it does not.

    The rows in range are those dated from the first ``period_start`` to the last
    ``period_end`` of ``result`` (all dated rows when ``result`` is empty). Flows and events
    must add up to the input's sums; stocks (``idps``) to the sum, over the result's periods,
    of each place's latest snapshot in the period, computed here apart from the aggregation.

    Parameters
    ----------
    result : pandas.DataFrame
        Output of :func:`summarize`, :func:`aggregate_events` or
        :func:`aggregate_displacement` (or a file of it read back).
    events, displacement, event_counts : pandas.DataFrame, optional
        The frames it was made from.

    Returns
    -------
    dict
        The totals checked, e.g. ``{"events": 2, "fatalities": 7}``.

    Raises
    ------
    AggregateError
        Naming each total that differs, or a value column ``result`` lacks.

    Examples
    --------
    >>> events = pd.DataFrame({"event_date": pd.to_datetime(["2022-09-12", "2022-09-13"]),
    ...                        "adm1_pcode": ["ML07", "ML05"], "fatalities": [2, 5]})
    >>> out = aggregate_events(events)
    >>> check_totals(out, events)
    {'events': 2, 'fatalities': 7}
    >>> check_totals(out[out["unit_pcode"] != "ML07"], events)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sahelmap.errors.AggregateError: Totals do not add up from 2022-09-12 to 2022-09-18: \
events 1 in the result but 2 in the input; ...
    """
    inputs = _inputs(events, displacement, event_counts)
    if len(result):
        starts = _days_of(pd.Series(result["period_start"]), "period_start", "result")[0]
        ends = _days_of(pd.Series(result["period_end"]), "period_end", "result")[0]
        lo, hi = int(starts.min()), int(ends.max())
        where = f" from {_iso(lo)} to {_iso(hi)}"
    else:
        lo = hi = None
        where = ""
    expected: dict[str, int] = {}
    for source in inputs:
        counted = source.in_range(lo, hi)
        totals = source.totals(counted)
        if source.kind == "displacement" and len(result):
            totals.update(_stock_totals(source, counted, result))
        for name, total in totals.items():
            expected[name] = expected.get(name, 0) + total
    missing = [c for c in expected if c not in result.columns]
    if missing:
        raise AggregateError(f"The result has no column(s) {', '.join(map(repr, missing))} to "
                             "check against the input.")
    got = {c: int(pd.to_numeric(result[c]).sum()) for c in expected}
    wrong = [f"{c} {got[c]:,} in the result but {expected[c]:,} in the input"
             for c in expected if got[c] != expected[c]]
    if wrong:
        raise AggregateError(f"Totals do not add up{where}: {'; '.join(wrong)}.")
    return got


def _stock_totals(source: _Input, counted: np.ndarray, result: pd.DataFrame
                  ) -> dict[str, int]:
    """Stock totals as the aggregate should give them, computed apart from it (pandas).

    Each counted row is put in the result's period holding its date; per period, figure and
    place, only the rows of the latest date count.
    """
    bounds = pd.DataFrame({"start": pd.to_datetime(result["period_start"]),
                           "end": pd.to_datetime(result["period_end"])}).drop_duplicates()
    bounds = bounds.sort_values("start").reset_index(drop=True)
    frame = source.frame[counted]
    dates = pd.to_datetime(frame["date"]).dt.tz_localize(None) if isinstance(
        frame["date"].dtype, pd.DatetimeTZDtype) else pd.to_datetime(frame["date"])
    dates = dates.dt.normalize()
    at = bounds["start"].searchsorted(dates, side="right") - 1
    table = pd.DataFrame({
        "period": at,
        "figure": frame["figure_type"].astype(str).str.strip().str.lower().to_numpy(),
        "date": dates.to_numpy(),
        "count": pd.to_numeric(frame["count"]).fillna(0).to_numpy(),
    })
    for column in _PLACE_COLUMNS:
        if column in frame.columns:
            table[column] = frame[column].astype(object).fillna("\0").to_numpy()
    table = table[table["figure"].isin(STOCK_FIGURES)]
    keys = ["period", "figure"] + [c for c in _PLACE_COLUMNS if c in table.columns]
    latest = table.groupby(keys, sort=False)["date"].transform("max")
    kept = table[table["date"] == latest]
    return {name: int(kept.loc[kept["figure"] == name, "count"].sum())
            for name in STOCK_FIGURES}


# --------------------------------------------------------------------------------------------
# Inputs: dates as day numbers, admin codes, values


@dataclass
class _Input:
    kind: str                     # "events", "displacement" or "event_counts"
    frame: pd.DataFrame
    days: np.ndarray              # int64 days since 1970-01-01 (0 where no date)
    no_date: np.ndarray           # bool
    weights: np.ndarray           # int64: fatalities of events and counts, count of displacement
    figure: np.ndarray | None = None  # displacement: index into FIGURE_TYPES
    events: np.ndarray | None = None  # event_counts: events per row (0 where not counted)
    end_days: np.ndarray | None = None  # event_counts: last day of each row's period

    def in_range(self, lo: int | None, hi: int | None) -> np.ndarray:
        counted = ~self.no_date
        if lo is not None:
            counted &= self.days >= lo
        if hi is not None:
            counted &= self.days <= hi
        return counted

    def excluded(self, lo: int | None, hi: int | None) -> dict[str, int]:
        dated = ~self.no_date
        return {
            "before_start": int((dated & (self.days < lo)).sum()) if lo is not None else 0,
            "after_end": int((dated & (self.days > hi)).sum()) if hi is not None else 0,
            "no_date": int(self.no_date.sum()),
        }

    def totals(self, counted: np.ndarray) -> dict[str, int]:
        if self.kind == "events":
            return {"events": int(counted.sum()),
                    "fatalities": int(self.weights[counted].sum())}
        if self.kind == "event_counts":
            return {"events": int(self.events[counted].sum()),
                    "fatalities": int(self.weights[counted].sum())}
        count = self.weights[counted]
        figure = self.figure[counted]
        return {name: int(count[figure == i].sum()) for i, name in enumerate(FIGURE_TYPES)}


_REQUIRED = {"events": ("event_date", "adm1_pcode", "fatalities"),
             "displacement": ("date", "adm1_pcode", "figure_type", "count"),
             "event_counts": ("period_start", "period_end", "adm1_pcode", "events",
                              "fatalities")}


def _inputs(events: pd.DataFrame | None, displacement: pd.DataFrame | None,
            event_counts: pd.DataFrame | None = None) -> list[_Input]:
    inputs = [_read_input(kind, frame) for kind, frame in
              (("events", events), ("displacement", displacement),
               ("event_counts", event_counts)) if frame is not None]
    _refuse_overlap(inputs)
    return inputs


def _refuse_overlap(inputs: list[_Input]) -> None:
    """Event rows and counts of the same country and dates would count events twice."""
    kinds = {source.kind: source for source in inputs}
    if "events" not in kinds or "event_counts" not in kinds:
        return
    rows, counts = kinds["events"], kinds["event_counts"]
    for country in sorted(set(_countries(rows.frame)) & set(_countries(counts.frame))):
        mine = _countries(rows.frame) == country
        theirs = _countries(counts.frame) == country
        lo = max(rows.days[mine & ~rows.no_date].min(initial=2**40),
                 counts.days[theirs & ~counts.no_date].min(initial=2**40))
        hi = min(rows.days[mine & ~rows.no_date].max(initial=-1),
                 counts.end_days[theirs & ~counts.no_date].max(initial=-1))
        if lo <= hi:
            raise AggregateError(
                f"Event rows and aggregated event counts (HAPI) both cover "
                f"{COUNTRIES.get(country, country)} from {_iso(lo)} to {_iso(hi)}: they most "
                "likely describe the same events, which would be counted twice. Summarize "
                "them separately, or give only one of them for that period.")


def _countries(frame: pd.DataFrame) -> np.ndarray:
    codes = frame["adm1_pcode"].astype(object).to_numpy()
    return np.asarray([str(c)[:2] if isinstance(c, str) else "" for c in codes], dtype=object)


def _read_input(kind: str, frame: pd.DataFrame) -> _Input:
    if not isinstance(frame, pd.DataFrame):
        raise AggregateError(f"The {kind} must be a pandas DataFrame, not "
                             f"{type(frame).__name__}.")
    required = _REQUIRED[kind]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise AggregateError(
            f"The {kind} frame lacks column(s) {', '.join(map(repr, missing))}; it needs "
            f"{', '.join(required)} (frames from sahelmap's loaders have them)."
        )
    date_column, weight_column = required[0], required[-1]
    days, no_date = _days_of(frame[date_column], date_column, kind)
    weights = _integers(frame[weight_column], weight_column, kind)
    figure = _figure_index(frame["figure_type"]) if kind == "displacement" else None
    if kind != "event_counts":
        return _Input(kind, frame, days, no_date, weights, figure)
    counted = (frame["counted"].to_numpy(dtype=bool) if "counted" in frame
               else np.ones(len(frame), dtype=bool))
    events = np.where(counted, _integers(frame["events"], "events", kind), 0)
    ends, no_end = _days_of(frame["period_end"], "period_end", kind)
    return _Input(kind, frame, days, no_date, np.where(counted, weights, 0), events=events,
                  end_days=np.where(no_end, days, ends))


def _days_of(values: pd.Series, column: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (days since 1970-01-01) and the mask of missing dates."""
    if not isinstance(values.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_dtype(
            values.dtype):
        try:
            values = pd.to_datetime(values)
        except (ValueError, TypeError) as exc:
            raise AggregateError(f"Column {column!r} of the {kind} frame does not hold dates: "
                                 f"{exc}") from None
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # the local calendar day is what was reported
    stamps = values.to_numpy().astype("datetime64[D]")
    no_date = np.isnat(stamps)
    days = np.where(no_date, 0, (stamps - _EPOCH).astype(np.int64))
    return days, no_date


def _integers(values: pd.Series, column: str, kind: str) -> np.ndarray:
    """Whole numbers as int64; missing values count as 0 (as pandas' sum does)."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        raise AggregateError(f"Column {column!r} of the {kind} frame holds non-numbers such as "
                             f"{values[bad].iloc[0]!r}.")
    numbers = numbers.fillna(0)
    if numbers.dtype.kind == "f" and (numbers % 1 != 0).any():
        raise AggregateError(f"Column {column!r} of the {kind} frame holds fractions; "
                             "figures must be whole numbers.")
    return numbers.to_numpy(dtype=np.int64)


def _figure_index(values: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    names = [str(u).strip().lower() for u in uniques]
    unknown = sorted({str(u) for u, n in zip(uniques, names) if n not in FIGURE_TYPES})
    if unknown or (codes < 0).any():
        shown = ", ".join(map(repr, unknown[:5])) if unknown else "missing values"
        raise AggregateError(f"Column 'figure_type' of the displacement frame holds {shown}; "
                             f"each figure must be one of {', '.join(FIGURE_TYPES)}.")
    lookup = np.array([FIGURE_TYPES.index(n) for n in names], dtype=np.int64)
    return lookup[codes] if len(codes) else np.zeros(0, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class _Periods:
    kind: str                     # "week", "month" or "all"
    first: int                    # key of the first period (days for week/all, months else)
    labels: list[str]
    starts: np.ndarray            # datetime64[D]
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def index(self, days: np.ndarray) -> np.ndarray:
        """Position in the grid of each day number (which must lie in the grid)."""
        if self.kind == "week":
            return (days - (days + 3) % 7 - self.first) // 7  # 1970-01-01 was a Thursday
        if self.kind == "month":
            months = (_EPOCH + days).astype("datetime64[M]").astype(np.int64)
            return months - self.first
        return np.zeros(len(days), dtype=np.int64)


def iso_week_bounds(week: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the Monday and Sunday of an ISO week such as ``"2022-W37"``.

    Examples
    --------
    >>> [d.date().isoformat() for d in iso_week_bounds("2022-W37")]
    ['2022-09-12', '2022-09-18']
    >>> iso_week_bounds("2020-W53")[0].date().isoformat()
    '2020-12-28'
    """
    found = _WEEK_LABEL.match(str(week).strip())
    if not found:
        raise PeriodError(f"Week {week!r} is not an ISO week: write it like 2022-W37.")
    year, number = int(found.group(1)), int(found.group(2))
    try:
        monday = pd.Timestamp.fromisocalendar(year, number, 1)
    except ValueError:
        raise PeriodError(f"Week {week!r} does not exist: {year} has no week {number}.") from None
    return monday, monday + pd.Timedelta(days=6)


def _resolve_period(period: str | None, start: object, end: object
                    ) -> tuple[str, int | None, int | None]:
    """The kind of period and the first and last day counted (day numbers or None)."""
    text = "all" if period is None else str(period).strip()
    lo, hi = _day(start, "start"), _day(end, "end")
    if text.lower() in ("week", "month", "all"):
        return _checked(text.lower(), lo, hi)
    week, month = _WEEK_LABEL.match(text), _MONTH_LABEL.match(text)
    if not (week or month):
        raise AggregateError(f"Unknown period {period!r}: use 'week', 'month', 'all' (or None), "
                             "or a label such as '2022-W37' or '2022-09'.")
    if start is not None or end is not None:
        raise AggregateError(f"period={period!r} already sets the dates: leave start and end "
                             "out, or pass period='week' with start= and end=.")
    year, number = int((week or month).group(1)), int((week or month).group(2))
    try:
        if week:
            first, last = (d.date() for d in iso_week_bounds(text))
        else:
            first = dt.date(year, number, 1)
            last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    except (ValueError, PeriodError):
        raise AggregateError(f"period={period!r} is not a real "
                             f"{'ISO week' if week else 'month'}.") from None
    return _checked("week" if week else "month", _day(first, "start"), _day(last, "end"))


def _checked(kind: str, lo: int | None, hi: int | None) -> tuple[str, int | None, int | None]:
    if lo is not None and hi is not None and lo > hi:
        raise AggregateError(f"start {_iso(lo)} is after end {_iso(hi)}.")
    return kind, lo, hi


def _day(value: object, name: str) -> int | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise AggregateError(f"{name}={value!r} is not a date; use e.g. '2022-09-12'.") from None
    if pd.isna(stamp):
        return None
    return int((np.datetime64(stamp.date(), "D") - _EPOCH).astype(np.int64))


def _iso(day: int) -> str:
    return str(_EPOCH + np.timedelta64(int(day), "D"))


def _build_periods(kind: str, lo: int | None, hi: int | None,
                   counted_days: Sequence[np.ndarray]) -> _Periods:
    dated = [d for d in counted_days if len(d)]
    first = lo if lo is not None else (min(int(d.min()) for d in dated) if dated else hi)
    last = hi if hi is not None else (max(int(d.max()) for d in dated) if dated else lo)
    empty = np.zeros(0, dtype="datetime64[D]")
    if first is None:  # no data and no dates given: no periods
        return _Periods(kind, 0, [], empty, empty)
    if kind == "all":
        starts = np.array([_EPOCH + first])
        ends = np.array([_EPOCH + last])
        return _Periods(kind, first, [f"{_iso(first)}/{_iso(last)}"], starts, ends)
    if kind == "week":
        key0, key1 = first - (first + 3) % 7, last - (last + 3) % 7
        starts = _EPOCH + np.arange(key0, key1 + 1, 7)
        ends = starts + 6
        iso = pd.DatetimeIndex(starts).isocalendar()
        labels = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
    else:
        key0 = int((_EPOCH + first).astype("datetime64[M]").astype(np.int64))
        key1 = int((_EPOCH + last).astype("datetime64[M]").astype(np.int64))
        months = np.arange(key0, key1 + 1).astype("datetime64[M]")
        starts = months.astype("datetime64[D]")
        ends = (months + 1).astype("datetime64[D]") - 1
        labels = [str(m) for m in months]
    # The first and last periods are cut to the dates asked for.
    if lo is not None:
        starts[0] = max(starts[0], _EPOCH + lo)
    if hi is not None:
        ends[-1] = min(ends[-1], _EPOCH + hi)
    return _Periods(kind, key0, labels, starts, ends)


# --------------------------------------------------------------------------------------------
# Units


class _Units:
    """The units of the grid; "unknown" units are added as rows need them.

    Rows are placed by their ADM1 code (map codes as the geocoder gives them, or any code
    :func:`sahelmap.pcodes.map_adm1_pcode` translates) and, at ADM2 or where a 2016 region
    was split in 2023, by their ADM2 code (the bundled cercle/department codes).
    """

    def __init__(self, level: str, boundaries: gpd.GeoDataFrame | None, structure: str,
                 pcode_version: str | None) -> None:
        self.level, self.structure, self.pcode_version = level, structure, pcode_version
        regions = admin_units("adm1", structure=structure, simplified=True)
        self.regions = {code: (adm0, name) for code, adm0, name in zip(
            regions["adm1_pcode"], regions["adm0_pcode"], regions["adm1_name"])}
        old = admin_units("adm1", structure="2016", simplified=True)
        self.regions_2016 = {code: (adm0, name) for code, adm0, name in zip(
            old["adm1_pcode"], old["adm0_pcode"], old["adm1_name"])}
        cercles = admin_units("adm2", structure=structure, simplified=True)
        self.cercle_region = dict(zip(cercles["adm2_pcode"], cercles["adm1_pcode"]))
        parent_2016 = (cercles["adm1_pcode_2016"] if structure == "2023"
                       else cercles["adm1_pcode"])
        self.cercle_region_2016 = dict(zip(cercles["adm2_pcode"], parent_2016))
        # 2016 regions whose cercles lie in several regions of the structure (split in 2023)
        spans = pd.Series(cercles["adm1_pcode"].to_numpy()).groupby(parent_2016.to_numpy())
        self.split = {code for code, n in spans.nunique().items() if n > 1}
        if level == "adm1":
            table = pd.DataFrame({
                "unit_pcode": regions["adm1_pcode"], "unit_name": regions["adm1_name"],
                "adm0_pcode": regions["adm0_pcode"], "adm1_pcode": regions["adm1_pcode"],
                "adm1_name": regions["adm1_name"]})
            geometry = list(regions.geometry)
            versions = np.where(regions["adm0_pcode"] == "ML", "v03", "v02")
        elif boundaries is not None:
            table, geometry = self._from_boundaries(boundaries)
            given = (boundaries["pcode_version"].dropna().astype(str).unique()
                     if "pcode_version" in boundaries else [])
            versions = np.full(len(table), "|".join(given))
        else:
            table = pd.DataFrame({
                "unit_pcode": cercles["adm2_pcode"], "unit_name": cercles["adm2_name_fr"],
                "adm0_pcode": cercles["adm0_pcode"], "adm1_pcode": cercles["adm1_pcode"],
                "adm1_name": cercles["adm1_name"]})
            geometry = list(cercles.geometry)
            versions = cercles["pcode_version"].to_numpy()
        self.rows: list[tuple] = list(table[list(UNIT_COLUMNS)].itertuples(index=False, name=None))
        self.geometry: list[object] = geometry
        self.versions: list[str] = [str(v) for v in versions]
        self.unknown: list[bool] = [False] * len(self.rows)
        self.position = {code: i for i, code in enumerate(table["unit_pcode"])}

    def _from_boundaries(self, boundaries: gpd.GeoDataFrame) -> tuple[pd.DataFrame, list[object]]:
        if not isinstance(boundaries, gpd.GeoDataFrame) or "adm2_pcode" not in boundaries:
            raise AggregateError("boundaries must be an ADM2 GeoDataFrame with an 'adm2_pcode' "
                                 "column, as sahelmap.read_boundaries returns for an ADM2 file.")
        units = boundaries[boundaries["adm2_pcode"].notna()]
        if units.crs is not None and not units.crs.equals("EPSG:4326"):
            units = units.to_crs("EPSG:4326")
        if units["adm2_pcode"].duplicated().any():  # several features per unit: one shape each
            units = units.dissolve(by="adm2_pcode", as_index=False, aggfunc="first")
        units = units.reset_index(drop=True)
        pcode = units["adm2_pcode"].astype(str).str.strip()
        parents = units["adm1_pcode"] if "adm1_pcode" in units else pd.Series(
            [None] * len(units), dtype=object)
        code = pd.Series(self._targets(np.asarray(parents, dtype=object)), dtype=object)
        code = code.where(code.notna(), parents.astype(object).reset_index(drop=True))
        name = code.map(lambda c: self.regions.get(c, (None, None))[1])
        adm0 = code.map(lambda c: self.regions.get(c, (None, None))[0])
        if "adm1_name" in units:
            name = name.where(name.notna(), units["adm1_name"].astype(object))
        if "adm0_pcode" in units:
            adm0 = adm0.where(adm0.notna(), units["adm0_pcode"].astype(object))
        unit_name = units["adm2_name"].astype(object) if "adm2_name" in units else pcode
        frame = pd.DataFrame({"unit_pcode": pcode, "unit_name": unit_name.where(
            unit_name.notna(), pcode), "adm0_pcode": adm0, "adm1_pcode": code, "adm1_name": name})
        return frame, list(units.geometry)

    def _add_unknown(self, code: str, name: str, adm0: object, adm1: object,
                     adm1_name: object) -> int:
        if code not in self.position:
            self.position[code] = len(self.rows)
            self.rows.append((code, name, adm0, adm1, adm1_name))
            self.geometry.append(None)
            self.versions.append("")
            self.unknown.append(True)
        return self.position[code]

    def _targets(self, codes: np.ndarray) -> list[str | None]:
        """Region of the structure for each distinct ADM1 code (None when there is none).

        ``"<2016 code>-2016"`` stands for a 2016 region split in 2023: the cercle must tell.
        """
        text = pd.Series(codes, dtype=object).map(
            lambda c: str(c).strip().upper() if isinstance(c, str) else "")
        out: list[str | None] = [None] * len(text)
        given = self.pcode_version
        if self.structure == "2023" and given is not None and "v03" in str(given):
            direct = [t if t in self.regions else None for t in text]
        else:
            direct = [None] * len(text)
        mapped = map_adm1_pcode(text, version=given)
        for i, (t, d, m) in enumerate(zip(text, direct, mapped)):
            if d is not None:
                out[i] = d
                continue
            if t in self.regions and (t not in self.regions_2016 or t not in self.split):
                out[i] = t  # a 2023-only code (ML11-ML19), or a region not split in 2023
                continue
            unit = m if isinstance(m, str) else (t if t in self.regions_2016 else None)
            if unit is None:
                continue
            if unit in self.split:
                out[i] = f"{unit}-2016"
            elif unit in self.regions:
                out[i] = unit
        return out

    def _split_unit(self, code: str) -> int:
        old = code[: -len("-2016")]
        adm0, name = self.regions_2016[old]
        return self._add_unknown(code, f"{name} (2016 region; 2023 region unknown)", adm0,
                                 None, None)

    def _country_bucket(self, adm0: object) -> int:
        adm0 = str(adm0).strip().upper() if isinstance(adm0, str) and adm0.strip() else None
        if adm0 is None:
            return self._add_unknown("UNK", "Unknown location", None, None, None)
        country = COUNTRIES.get(adm0, adm0)
        return self._add_unknown(f"{adm0}-UNK", f"{country} (region unknown)", adm0, None, None)

    def _adm2_codes(self, frame: pd.DataFrame, rows: np.ndarray
                    ) -> tuple[np.ndarray, list[str]] | None:
        if "adm2_pcode" not in frame.columns:
            return None
        codes, uniques = pd.factorize(frame["adm2_pcode"])
        text = [str(u).strip() for u in uniques]
        if self.pcode_version is not None and "v03" in str(self.pcode_version):
            translated = map_adm2_pcode(text, version="v03")
            text = [t if isinstance(t, str) else o for t, o in zip(translated, text)]
        return codes[rows], text

    def locate(self, frame: pd.DataFrame, rows: np.ndarray, kind: str) -> tuple[np.ndarray, int]:
        """Unit position of each selected row, and how many landed in an unknown unit."""
        unit = np.full(len(rows), -1, dtype=np.int64)
        adm1_codes, adm1_uniques = pd.factorize(frame["adm1_pcode"])
        adm1_codes = adm1_codes[rows]
        target = self._targets(np.asarray(adm1_uniques, dtype=object))
        adm2 = self._adm2_codes(frame, rows)
        not_in_units: list[str] = []
        if self.level == "adm1":
            lookup = np.array([self._position_of(t) for t in target] + [-1], dtype=np.int64)
            unit = lookup[adm1_codes]
            if adm2 is not None and self.split:
                # a row of a split 2016 region: its cercle gives the 2023 region
                adm2_codes, text = adm2
                old = [self.cercle_region_2016.get(t) for t in text]
                new = [self.cercle_region.get(t) for t in text]
                for i in np.flatnonzero(np.isin(adm1_codes, [j for j, t in enumerate(target)
                                                             if t and t.endswith("-2016")])):
                    k = adm2_codes[i]
                    if k >= 0 and new[k] and f"{old[k]}-2016" == target[adm1_codes[i]]:
                        unit[i] = self.position[new[k]]
        else:
            if adm2 is not None:
                adm2_codes, text = adm2
                lookup = np.array([self.position.get(t, -1) for t in text] + [-1],
                                  dtype=np.int64)
                unit = lookup[adm2_codes]
                strays = np.unique(adm2_codes[(unit < 0) & (adm2_codes >= 0)])
                not_in_units = [text[i] for i in strays if text[i]]
            missing = unit < 0
            if missing.any():  # only the regions that need one get an "unknown" unit
                needed = set(np.unique(adm1_codes[missing]).tolist())
                bucket = np.array([self._bucket(t) if i in needed else -1
                                   for i, t in enumerate(target)] + [-1], dtype=np.int64)
                unit[missing] = bucket[adm1_codes[missing]]
        stray_rows = unit < 0
        if stray_rows.any():
            where = rows[stray_rows]
            adm1 = frame["adm1_pcode"].iloc[where].to_numpy(dtype=object)
            adm0 = (frame["adm0_pcode"].iloc[where].to_numpy(dtype=object)
                    if "adm0_pcode" in frame else [None] * len(where))
            # Without a country, the first letters of an ADM1 P-code give it (ML07 -> ML).
            adm0 = [a if isinstance(a, str) and a.strip() else _country_prefix(c)
                    for a, c in zip(adm0, adm1)]
            codes, uniques = pd.factorize(pd.Series(adm0, dtype=object))
            lookup = np.array([self._country_bucket(u) for u in uniques]
                              + [self._country_bucket(None)], dtype=np.int64)
            unit[stray_rows] = lookup[codes]
            shown = sorted({str(c) for c in adm1 if isinstance(c, str)})[:5]
            warn(
                f"{int(stray_rows.sum()):,} {kind} row(s) have an adm1_pcode that is no map "
                f"region ({', '.join(shown) or 'missing'}); they are counted in a 'region "
                "unknown' unit. Geocode them again or fix their adm1_pcode.")
        if not_in_units:
            warn(
                f"{kind}: ADM2 code(s) {', '.join(not_in_units[:5])}"
                f"{' ...' if len(not_in_units) > 5 else ''} are not units of the ADM2 layer; "
                "their rows are counted in their region's 'ADM2 unknown' unit. Geocode with "
                "the same boundaries you aggregate with.")
        in_unknown = int(np.asarray(self.unknown)[unit].sum()) if len(unit) else 0
        return unit, in_unknown

    def _position_of(self, target: str | None) -> int:
        if target is None:
            return -1
        if target.endswith("-2016"):
            return self._split_unit(target)
        return self.position[target]

    def _bucket(self, target: str | None) -> int:
        """The "ADM2 unknown" unit of a region (at ADM2), or the split 2016 region's."""
        if target is None:
            return -1
        if target.endswith("-2016"):
            return self._split_unit(target)
        adm0, name = self.regions[target]
        return self._add_unknown(f"{target}-UNK", f"{name} (ADM2 unknown)", adm0, target, name)

    def order(self) -> np.ndarray:
        """Rank of each unit in the output: by region, its ADM2 unknown unit last, then code."""
        def key(i: int) -> tuple:
            code, _, adm0, adm1, _ = self.rows[i]
            return (not isinstance(adm1, str), str(adm0 or "~"), str(adm1 or ""),
                    self.unknown[i], code)
        sequence = sorted(range(len(self.rows)), key=key)
        rank = np.empty(len(sequence), dtype=np.int64)
        rank[sequence] = np.arange(len(sequence))
        return rank


def _country_prefix(code: object) -> str | None:
    if isinstance(code, str):
        prefix = code.strip()[:2].upper()
        return prefix if prefix in COUNTRIES else None
    return None


def _level(level: object) -> str:
    text = str(level).strip().lower()
    text = {"1": "adm1", "2": "adm2"}.get(text, text)
    if text not in ("adm1", "adm2"):
        raise AggregateError(f"Unknown level {level!r}: use 'adm1' (regions) or 'adm2'.")
    return text


# --------------------------------------------------------------------------------------------
# The grid


def _aggregate(events: pd.DataFrame | None, displacement: pd.DataFrame | None, *, level: str,
               period: str | None, start: object, end: object,
               boundaries: gpd.GeoDataFrame | None, values: tuple[str, ...],
               structure: str, pcode_version: str | None,
               event_counts: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    level = _level(level)
    kind, lo, hi = _resolve_period(period, start, end)
    inputs = _inputs(events, displacement, event_counts)
    for source in inputs:
        if source.kind == "event_counts":
            _refuse_cut(source, lo, hi)
    counted = [source.in_range(lo, hi) for source in inputs]
    periods = _build_periods(kind, lo, hi, [s.days[c] for s, c in zip(inputs, counted)])
    structure = check_structure(structure)
    units = _Units(level, boundaries, structure, pcode_version)
    located = []
    unknown_rows = 0
    for source, mask in zip(inputs, counted):
        rows = np.flatnonzero(mask)
        unit, in_unknown = units.locate(source.frame, rows, source.kind)
        located.append((rows, unit))
        unknown_rows += in_unknown
    rank = units.order()
    n_units, n_cells = len(units.rows), len(units.rows) * len(periods)
    sums = {column: np.zeros(n_cells, dtype=np.int64) for column in values}
    for source, (rows, unit) in zip(inputs, located):
        at = periods.index(source.days[rows])
        cell = at * n_units + rank[unit]
        if source.kind == "events":
            sums["events"] += np.bincount(cell, minlength=n_cells).astype(np.int64)
            sums["fatalities"] += _bincount(cell, source.weights[rows], n_cells)
        elif source.kind == "event_counts":
            _refuse_split(source, rows, at, periods)
            sums["events"] += _bincount(cell, source.events[rows], n_cells)
            sums["fatalities"] += _bincount(cell, source.weights[rows], n_cells)
        else:
            count, figure = source.weights[rows], source.figure[rows]
            latest = _latest_snapshots(source, rows, periods.index(source.days[rows]))
            count = np.where(latest, count, 0)
            both = _bincount(cell * len(FIGURE_TYPES) + figure, count,
                             n_cells * len(FIGURE_TYPES)).reshape(n_cells, len(FIGURE_TYPES))
            for i, name in enumerate(FIGURE_TYPES):
                sums[name] = both[:, i].copy()
    frame = _frame(units, rank, periods, sums)
    excluded = {source.kind: source.excluded(lo, hi) for source in inputs}
    _report_excluded(excluded, lo, hi)
    frame.attrs.update({
        "level": level, "period": kind, "structure": structure,
        "start": _iso(lo) if lo is not None else None,
        "end": _iso(hi) if hi is not None else None,
        "excluded_rows": sum(sum(e.values()) for e in excluded.values()),
        "excluded": excluded,
        "unknown_unit_rows": unknown_rows,
        "sources": {source.kind: _SOURCE_KINDS[source.kind] for source in inputs},
        **({"rules": _rules()} if displacement is not None else {}),
    })
    return frame


_SOURCE_KINDS = {"events": "event rows (one per event)",
                 "displacement": "displacement figures (one per report)",
                 "event_counts": "aggregated event counts (HDX HAPI, per unit and month)"}


def _refuse_cut(source: _Input, lo: int | None, hi: int | None) -> None:
    """A count whose period straddles the first or last day asked for cannot be cut."""
    dated = ~source.no_date
    cut = np.zeros(len(source.days), dtype=bool)
    if lo is not None:
        cut |= dated & (source.days < lo) & (source.end_days >= lo)
    if hi is not None:
        cut |= dated & (source.days <= hi) & (source.end_days > hi)
    if cut.any():
        first = int(np.flatnonzero(cut)[0])
        raise AggregateError(
            f"Aggregated counts cover whole periods ({_iso(int(source.days[first]))} to "
            f"{_iso(int(source.end_days[first]))}) that straddle the range asked for "
            f"({_iso(lo) if lo is not None else '...'} to {_iso(hi) if hi is not None else '...'}"
            "): they cannot be split. Summarize them with period='month' (or 'all').")


def _refuse_split(source: _Input, rows: np.ndarray, at: np.ndarray, periods: _Periods) -> None:
    """A count for a month cannot be cut into weeks: refuse rather than guess."""
    across = periods.index(source.end_days[rows]) != at
    if across.any():
        first = rows[int(np.flatnonzero(across)[0])]
        raise AggregateError(
            f"Aggregated counts cover whole periods ({_iso(int(source.days[first]))} to "
            f"{_iso(int(source.end_days[first]))}) that do not fit in one "
            f"{periods.kind} of the table: they cannot be split. Summarize them with "
            "period='month' (or 'all').")


def _rules() -> dict[str, str]:
    """How each figure column was combined (``frame.attrs["rules"]``)."""
    return {name: FIGURE_RULES[FIGURE_NATURE[name]] for name in FIGURE_TYPES}


def _place_codes(frame: pd.DataFrame) -> np.ndarray:
    """One int64 per row naming the place it reports on: its place and P-codes as given."""
    code = np.zeros(len(frame), dtype=np.int64)
    for column in _PLACE_COLUMNS:
        if column in frame.columns:
            c, u = pd.factorize(frame[column], use_na_sentinel=False)
            code = code * (len(u) + 1) + c
    return code


def _latest_snapshots(source: _Input, rows: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Which of ``rows`` count: every flow; for a stock, the latest snapshot of its place.

    A stock (people present, :data:`~sahelmap.vocab.STOCK_FIGURES`) is counted once per
    place and period: the rows of the latest date of that place (and figure) in the period.
    Earlier rounds in the same period are replaced, not added.
    """
    figure = source.figure[rows]
    stock = np.isin(figure, [FIGURE_TYPES.index(n) for n in STOCK_FIGURES])
    keep = np.ones(len(rows), dtype=bool)
    if not stock.any():
        return keep
    where = np.flatnonzero(stock)
    place = _place_codes(source.frame)[rows[where]]
    group = pd.MultiIndex.from_arrays([period[where], figure[where], place]).factorize()[0]
    days = source.days[rows[where]]
    latest = np.full(group.max() + 1, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, group, days)
    keep[where] = days == latest[group]
    return keep


def _bincount(cell: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Integer sums per cell (float64 sums are exact below 2**53)."""
    if not len(cell):
        return np.zeros(size, dtype=np.int64)
    return np.rint(np.bincount(cell, weights=weights, minlength=size)).astype(np.int64)


def _frame(units: _Units, rank: np.ndarray, periods: _Periods,
           sums: dict[str, np.ndarray]) -> gpd.GeoDataFrame:
    sequence = np.argsort(rank)
    n_units, n_periods = len(sequence), len(periods)
    table = list(zip(*[units.rows[i] for i in sequence])) or [()] * len(UNIT_COLUMNS)
    data: dict[str, object] = {}
    for name, column in zip(UNIT_COLUMNS, table):
        data[name] = pd.array(np.tile(np.asarray(column, dtype=object), n_periods), dtype="str")
    data["period"] = pd.array(np.repeat(np.asarray(periods.labels, dtype=object), n_units),
                              dtype="str")
    for name, days in (("period_start", periods.starts), ("period_end", periods.ends)):
        data[name] = pd.Series(np.repeat(days, n_units).astype("datetime64[s]"))
    data.update(sums)
    data["pcode_version"] = pd.array(np.tile(np.asarray([units.versions[i] for i in sequence],
                                                        dtype=object), n_periods), dtype="str")
    geometry = gpd.GeoSeries(np.tile(np.asarray([units.geometry[i] for i in sequence],
                                                dtype=object), n_periods), crs="EPSG:4326")
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")


def _report_excluded(excluded: dict[str, dict[str, int]], lo: int | None,
                     hi: int | None) -> None:
    for kind, parts in excluded.items():
        outside = parts["before_start"] + parts["after_end"]
        if outside:
            logger.info("%s %s row(s) dated outside %s..%s are not counted.", f"{outside:,}",
                        kind, _iso(lo) if lo is not None else "", _iso(hi) if hi is not None
                        else "")
        if parts["no_date"]:
            warn(f"{parts['no_date']:,} {kind} row(s) have no date and are not "
                 "counted; give them a date or remove them.")
