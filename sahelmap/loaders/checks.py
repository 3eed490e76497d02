"""Value checks for report files, vectorised: terms, counts, coordinates, flags, problems.

Every check looks at the distinct values of a column once and spreads the answer back to
the rows, so a million rows with a few thousand distinct values cost little.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sahelmap.vocab import fold

__all__ = ["Problems", "map_terms", "parse_counts", "parse_coordinates", "parse_flags"]

def _per_unique(values: pd.Series, func: Callable[[pd.Series], pd.DataFrame]
                ) -> pd.DataFrame:
    """Apply ``func`` to the distinct non-NA values and spread its columns to the rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    answers = func(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    take = np.where(codes < 0, 0, codes)
    out = {}
    for name in answers.columns:
        column = answers[name].to_numpy()
        if len(column) == 0:
            column = np.array([np.nan], dtype=object)
        spread = column[take]
        if spread.dtype.kind in "OUb":
            spread = spread.astype(object, copy=False)  # a new array already (the take)
            # NA looked for among the distinct answers, not among the rows
            spread[(codes < 0) | pd.isna(column)[take]] = None
        else:
            spread = spread.astype("float64")
            spread[codes < 0] = np.nan
        out[name] = spread
    return pd.DataFrame(out, index=values.index)


def map_terms(values: pd.Series, terms: Mapping[str, str]) -> pd.Series:
    """Map free-text terms to canonical values; NA where unknown or missing.

    Examples
    --------
    >>> from sahelmap.vocab import vocabulary
    >>> map_terms(pd.Series(["Raid", "ARMED CLASH", "Attaque", "picnic", None]),
    ...           vocabulary("events")).tolist()
    ['Violence against civilians', 'Battles', 'Violence against civilians', nan, nan]
    """
    def look(uniques: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"v": [terms.get(fold(u)) for u in uniques]}, dtype=object)
    return _per_unique(values, look)["v"]


_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']+")
_COMMA_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _numbers(uniques: pd.Series) -> pd.Series:
    text = uniques.astype(str).str.strip()
    compact = text.str.replace(_SPACES, "", regex=True)
    grouped = compact.str.match(_COMMA_GROUPS)
    compact = compact.where(~grouped, compact.str.replace(",", "", regex=False))
    return pd.to_numeric(compact, errors="coerce")


def parse_counts(values: pd.Series, *, what: str = "count") -> pd.DataFrame:
    """Read whole non-negative numbers (``"1 200"``, ``"1,200"``, ``"12.0"`` included).

    Returns
    -------
    pandas.DataFrame
        ``value`` (float, NaN where missing or invalid), ``missing`` (bool) and ``problem``
        (reason text, NA when fine).

    Examples
    --------
    >>> parse_counts(pd.Series(["12", "60 000", "-3", "many", "2.5", None])).problem.tolist()
    [nan, nan, 'negative count', 'non-numeric count', 'count is not a whole number', nan]
    """
    def check(uniques: pd.Series) -> pd.DataFrame:
        text = uniques.astype(str).str.strip()
        number = _numbers(uniques)
        blank = text == ""
        problem = pd.Series(None, index=uniques.index, dtype=object)
        problem[~blank & number.isna()] = f"non-numeric {what}"
        problem[number < 0] = f"negative {what}"
        whole = number == np.floor(number)
        problem[(number >= 0) & ~whole & number.notna()] = f"{what} is not a whole number"
        problem[number > 1e12] = f"{what} is implausibly large"
        number = number.where(problem.isna())
        return pd.DataFrame({"value": number.astype("float64"), "missing": blank,
                             "problem": problem})
    out = _per_unique(values, check)
    out["missing"] = out["missing"].fillna(True).astype(bool)
    out["value"] = out["value"].astype("float64")
    return out


def parse_coordinates(values: pd.Series, *, what: str) -> pd.DataFrame:
    """Read decimal degrees (a decimal comma is accepted); ``value`` NaN where absent.

    Examples
    --------
    >>> parse_coordinates(pd.Series(["16,27", "-0.04", "north", None]), what="latitude"
    ...                   ).problem.tolist()
    [nan, nan, 'non-numeric latitude', nan]
    """
    def check(uniques: pd.Series) -> pd.DataFrame:
        text = uniques.astype(str).str.strip()
        decimal_comma = text.str.fullmatch(r"[+-]?\d+,\d+")
        text = text.where(~decimal_comma, text.str.replace(",", ".", regex=False))
        number = pd.to_numeric(text, errors="coerce").astype("float64")
        problem = pd.Series(None, index=uniques.index, dtype=object)
        problem[(text != "") & (number.isna() | ~np.isfinite(number))] = f"non-numeric {what}"
        number = number.where(problem.isna())
        return pd.DataFrame({"value": number, "problem": problem})
    out = _per_unique(values, check)
    out["value"] = out["value"].astype("float64")
    return out


_TRUE = {"true", "t", "yes", "y", "1", "oui", "o", "vrai", "x"}
_FALSE = {"false", "f", "no", "n", "0", "non", "faux", ""}


def parse_flags(values: pd.Series) -> pd.DataFrame:
    """Read yes/no values (English or French); empty is False.

    Examples
    --------
    >>> parse_flags(pd.Series(["yes", "Non", "TRUE", "perhaps", None])).value.tolist()
    [True, False, True, False, False]
    """
    def check(uniques: pd.Series) -> pd.DataFrame:
        folded = uniques.astype(str).str.strip().str.lower().str.replace(r"\.0$", "",
                                                                          regex=True)
        return pd.DataFrame({"value": folded.isin(_TRUE),
                             "bad": ~folded.isin(_TRUE | _FALSE)})
    out = _per_unique(values, check)
    return pd.DataFrame({"value": out["value"].fillna(False).astype(bool),
                         "bad": out["bad"].fillna(False).astype(bool)}, index=values.index)


@dataclass
class Problems:
    """The problems found in a frame of rows, one entry per check.

    Examples
    --------
    >>> p = Problems(3)
    >>> p.add("date", np.array([True, False, True]), pd.Series(["x", "", "y"]), "bad date")
    >>> p.add("place", np.array([True, False, False]), pd.Series(["", "", ""]),
    ...       "missing place and coordinates")
    >>> first = p.table().iloc[0]
    >>> first["row"], first["field"], first["value"]
    (np.int64(0), 'date; place', 'x; ')
    >>> first["reason"]
    'bad date; missing place and coordinates'

    """

    n: int
    entries: list[tuple[str, np.ndarray, pd.Series, object]] = field(default_factory=list)

    def add(self, name: str, mask: np.ndarray | pd.Series, values: pd.Series | np.ndarray,
            reason: str | pd.Series | np.ndarray) -> None:
        """Record that rows ``mask`` fail on field ``name`` for ``reason``."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.entries.append((name, mask, values, reason))

    @property
    def bad(self) -> np.ndarray:
        """True for every row with at least one problem."""
        out = np.zeros(self.n, dtype=bool)
        for _, mask, _, _ in self.entries:
            out |= mask
        return out

    def table(self) -> pd.DataFrame:
        """One row per bad row: position, fields, values and reasons joined by ``"; "``."""
        rows = np.flatnonzero(self.bad)
        fields = np.full(len(rows), "", dtype=object)
        values = fields.copy()
        reasons = fields.copy()
        for name, mask, given, reason in self.entries:
            hit = mask[rows]
            where = rows[hit]
            sep = np.where(fields[hit] == "", "", "; ").astype(object)
            # the rows' values only (not a Python copy of the whole column); text shown as
            # it is, other values (None, NaN, numbers) one by one
            shown = (given.iloc[where].to_numpy(dtype=object) if isinstance(given, pd.Series)
                     else np.asarray(given, dtype=object)[where])
            if pd.api.types.infer_dtype(shown, skipna=False) != "string":
                shown = pd.Series(shown, dtype=object).map(
                    lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                    else str(v)).to_numpy(dtype=object)
            if isinstance(reason, str):
                why = np.full(len(where), reason, dtype=object)
            else:
                why = np.asarray(reason, dtype=object)[where]
            fields[hit] = fields[hit] + sep + name
            values[hit] = values[hit] + sep + shown
            reasons[hit] = reasons[hit] + sep + why
        return pd.DataFrame({"row": rows, "field": fields, "value": values,
                             "reason": reasons})
