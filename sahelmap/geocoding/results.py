"""The shape of a geocoding result: one named row per input, never a dropped one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sahelmap.vocab import GEOCODE_COLUMNS

__all__ = ["RESULT_COLUMNS", "GeocodeResult", "unmatched", "missing"]

#: The columns of :func:`sahelmap.geocode_frame`'s result, in order.
RESULT_COLUMNS = list(GEOCODE_COLUMNS)


@dataclass(frozen=True)
class GeocodeResult:
    """Where one reported place lies.

    Attributes
    ----------
    query : str
        The name as given (or ``""``).
    matched_name : str or None
        Gazetteer name matched, or the unit that contains the coordinates.
    lon, lat : float
        Coordinates of the match (NaN where the match has none, e.g. an admin unit name).
    adm0_pcode, adm1_pcode, adm1_name, adm2_pcode, adm2_name : str or None
        The admin units (ADM2 only where known).
    method : str or None
        ``"coordinates"``, ``"exact"``, ``"alias"``, ``"fuzzy"`` or ``"admin-name"``.
    confidence : float
        In [0, 1]; 0 when unmatched.
    status : str
        ``"matched"``, ``"ambiguous"`` or ``"unmatched"``.
    candidates : str
        For ambiguous names: the units it may be in, ``"; "``-separated.
    flags : str
        ``,``-separated notes such as ``relative``, ``swapped_latlon``, ``null_island``.
    reason : str
        Why a row is unmatched or ambiguous, or what was assumed.
    """

    query: str
    matched_name: str | None
    lon: float
    lat: float
    adm0_pcode: str | None
    adm1_pcode: str | None
    adm1_name: str | None
    adm2_pcode: str | None
    adm2_name: str | None
    method: str | None
    confidence: float
    status: str
    candidates: str
    flags: str
    reason: str

    @classmethod
    def from_row(cls, query: object, row: pd.Series) -> GeocodeResult:
        """Build a result from one row of :func:`sahelmap.geocode_frame`'s output."""
        return cls(
            query="" if query is None else str(query),
            matched_name=missing(row["matched_name"]), lon=float(row["match_lon"]),
            lat=float(row["match_lat"]),
            **{c: missing(row[c]) for c in ("adm0_pcode", "adm1_pcode", "adm1_name",
                                            "adm2_pcode", "adm2_name", "method")},
            confidence=float(row["confidence"]), status=str(row["status"]),
            candidates=str(row["candidates"]), flags=str(row["flags"]),
            reason=str(row["reason"]),
        )


def missing(value: Any) -> Any:
    """``None`` for missing values (None, NaN, pd.NA), else the value."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def unmatched(reason: str) -> dict[str, Any]:
    """A result row for a place that could not be placed, saying why."""
    return {"matched_name": None, "match_lon": np.nan, "match_lat": np.nan,
            "adm0_pcode": None, "adm1_pcode": None, "adm1_name": None, "adm2_pcode": None,
            "adm2_name": None, "method": None, "confidence": 0.0, "status": "unmatched",
            "candidates": "", "flags": "", "reason": reason}


def add_note(row: dict[str, Any], *, flag: str = "", reason: str = "") -> None:
    """Append a flag and a reason to a result row, in place."""
    if flag:
        row["flags"] = ",".join(filter(None, [row["flags"], flag]))
    if reason:
        row["reason"] = "; ".join(filter(None, [row["reason"], reason]))


def stack_results(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Tables of results stacked; a column of text in any of them is text in the stack.

    pandas stacks a text column with an all-empty (object) one as object: the memories of
    results would then give dtypes that depend on which rows they met first (a chunk, a
    worker process), not on the rows asked for.
    """
    out = pd.concat(frames, ignore_index=True)
    text = {name for frame in frames for name, dtype in frame.dtypes.items()
            if isinstance(dtype, pd.StringDtype)}
    return out.astype({name: "str" for name in text
                       if not isinstance(out[name].dtype, pd.StringDtype)})
