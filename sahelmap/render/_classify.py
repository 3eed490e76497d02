"""Classification of a choropleth value column, shared by the web map and static images.

Zero (nothing reported) is a class of its own when every value is non-negative; the positive
values are split by a mapclassify scheme into at most ``k`` classes; missing values get a
"No data" class. The result carries the class of each row, the bins, the legend labels and
the colours, so the HTML legend and the PNG legend cannot disagree.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from sahelmap.i18n import fmt
from sahelmap.render._validate import RenderError
from sahelmap.vocab import SCHEMES as SCHEME_NAMES

__all__ = ["Classes", "classify", "SCHEMES", "ZERO_COLOR", "NODATA_COLOR"]

ZERO_COLOR = "#f1efe9"
NODATA_COLOR = "#c9c9c9"

# Accepted scheme names (after lower-casing and dropping "_", "-", " ") -> mapclassify class.
# Natural breaks are computed with the exact Fisher-Jenks algorithm: deterministic, unlike
# mapclassify's k-means based ``NaturalBreaks``.
SCHEMES = {
    "quantiles": mapclassify.Quantiles,
    "naturalbreaks": mapclassify.FisherJenks,
    "fisherjenks": mapclassify.FisherJenks,
    "jenks": mapclassify.FisherJenks,
    "equalinterval": mapclassify.EqualInterval,
    "headtailbreaks": mapclassify.HeadTailBreaks,
    "maximumbreaks": mapclassify.MaximumBreaks,
}
# Fisher-Jenks is quadratic (and slow without numba): above this many values it runs on evenly
# spaced order statistics, which keeps the result deterministic.
_JENKS_SAMPLE = 1000


@dataclass(frozen=True)
class Classes:
    """Legend classes of a value column.

    Attributes
    ----------
    index : numpy.ndarray
        Class of each row, an index into ``labels`` and ``colors``.
    labels, colors : tuple of str
        One per class, in legend order: zero class first (if any), then the classes of
        increasing value, then "No data" (if any value is missing).
    counts : tuple of int
        Rows in each class.
    bins : tuple of float
        Upper bounds of the classes of non-zero values.
    scheme : str
        Name of the scheme, as shown in the legend.
    """

    index: np.ndarray
    labels: tuple[str, ...]
    colors: tuple[str, ...]
    counts: tuple[int, ...]
    bins: tuple[float, ...]
    scheme: str


def _scheme_key(scheme: str) -> str:
    key = "".join(ch for ch in str(scheme).lower() if ch.isalnum())
    if key not in SCHEMES:
        raise RenderError(
            f"Unknown classification scheme {scheme!r}: choose one of "
            f"{', '.join(SCHEME_NAMES)}, or pass a list of class upper bounds."
        )
    return key


def _bins(values: np.ndarray, scheme: str | Sequence[float],
          k: int) -> tuple[np.ndarray, str, bool]:
    """Upper bounds of the classes, the scheme's name, and whether each class is one value.

    ``values`` are non-empty and finite.
    """
    if not isinstance(scheme, str):
        bounds = np.unique(np.asarray(list(scheme), dtype=float))
        if bounds.size == 0 or not np.all(np.isfinite(bounds)):
            raise RenderError("User-defined class bounds must be a non-empty list of numbers.")
        bounds = bounds[bounds < values.max()]
        return np.append(bounds, values.max()), "user-defined", False
    key = _scheme_key(scheme)
    name = scheme.replace("_", " ").lower()
    unique = np.unique(values)
    if unique.size <= k:  # as many classes as values: no scheme needed, none can fail
        return unique, name, True
    klass = SCHEMES[key]
    sample = values
    if klass is mapclassify.FisherJenks and values.size > _JENKS_SAMPLE:
        sample = np.sort(values)[np.linspace(0, values.size - 1, _JENKS_SAMPLE).astype(int)]
    with warnings.catch_warnings():
        # "Not enough unique values" (ties are merged below) and "Numba not installed".
        warnings.simplefilter("ignore", UserWarning)
        result = klass(sample) if key == "headtailbreaks" else klass(sample, k=k)
    bins = np.unique(np.asarray(result.bins, dtype=float))
    bins[-1] = max(bins[-1], values.max())
    return bins, name, False


def _palette(cmap: str, n: int) -> list[str]:
    try:
        colormap = colormaps[cmap]
    except KeyError:
        raise RenderError(
            f"Unknown colour map {cmap!r}: use a matplotlib name such as 'YlOrRd' or 'Blues'."
        ) from None
    stops = [0.55] if n == 1 else np.linspace(0.15, 0.95, n)
    return [to_hex(colormap(float(s))) for s in stops]


def _range_labels(bins: np.ndarray, low: float, integer: bool, lang: str) -> list[str]:
    def fmt_number(value: float) -> str:
        return fmt(value, lang)

    labels, lower = [], low
    for upper in bins:
        if integer:
            lo, hi = int(np.ceil(lower)), int(np.floor(upper))
            labels.append(fmt_number(hi) if lo >= hi else
                          f"{fmt_number(lo)} \u2013 {fmt_number(hi)}")
            lower = hi + 1
        else:
            same = np.isclose(lower, upper)
            labels.append(fmt_number(upper) if same else
                          f"{fmt_number(lower)} \u2013 {fmt_number(upper)}")
            lower = upper
    return labels


def classify(values: pd.Series | np.ndarray, *, scheme: str | Sequence[float] = "quantiles",
             k: int = 5, cmap: str = "YlOrRd", lang: str = "en") -> Classes:
    """Classify a value column for a choropleth.

    Parameters
    ----------
    values : pandas.Series or numpy.ndarray
        Numbers; missing values (NaN, None) form the "No data" class.
    scheme : str or sequence of float
        ``"quantiles"``, ``"natural_breaks"`` (= ``"fisher_jenks"``), ``"equal_interval"``,
        ``"head_tail_breaks"``, ``"maximum_breaks"``; or the upper bounds of the classes.
    k : int
        Number of classes of non-zero values (fewer when there are fewer distinct values).
    cmap : str
        Matplotlib colour map sampled for the non-zero classes.
    lang : {"en", "fr"}
        Language of the numbers in the labels ("1,000" or "1 000").

    Returns
    -------
    Classes

    Raises
    ------
    RenderError
        For an unknown scheme or colour map, ``k < 1``, or non-numeric values.

    Examples
    --------
    >>> c = classify([0, 0, 1, 2, 3, 10, 50], k=3)
    >>> c.labels
    ('0', '1 – 2', '3 – 7', '8 – 50')
    >>> c.index.tolist()
    [0, 0, 1, 1, 2, 3, 3]
    >>> classify([0, 0, 0]).labels
    ('0',)
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise RenderError(f"k must be a whole number of classes >= 1, not {k!r}.")
    try:
        data = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="raise")
    except (TypeError, ValueError):
        raise RenderError("The value column must hold numbers.") from None
    data = data.astype(float).to_numpy()
    finite = np.isfinite(data)
    zero_class = bool(finite.any() and (data[finite] >= 0).all() and (data[finite] == 0).any())
    ranked = finite & ~(zero_class & (data == 0))

    labels: list[str] = []
    colors: list[str] = []
    index = np.full(data.shape, -1, dtype=int)
    if zero_class:
        labels.append("0")
        colors.append(ZERO_COLOR)
        index[finite & (data == 0)] = 0
    bins = np.array([], dtype=float)
    name = scheme.replace("_", " ") if isinstance(scheme, str) else "user-defined"
    if ranked.any():
        if isinstance(scheme, str):
            _scheme_key(scheme)
        ranked_values = data[ranked]
        bins, name, single = _bins(ranked_values, scheme, int(k))
        integer = bool(np.all(ranked_values == np.round(ranked_values)))
        if integer:
            bins = np.unique(np.floor(bins))
        offset = len(labels)
        labels += ([fmt(b, lang) for b in bins] if single else
                   _range_labels(bins, ranked_values.min(), integer, lang))
        colors += _palette(cmap, len(bins))
        index[ranked] = offset + np.searchsorted(bins, ranked_values, side="left")
    elif isinstance(scheme, str):
        _scheme_key(scheme)  # an unknown name fails even on all-zero data
    return _finish(index, finite, labels, colors, bins, name)


def classify_change(values: pd.Series | np.ndarray, *, k: int = 5, cmap: str = "RdBu_r",
                    lang: str = "en") -> Classes:
    """Classify changes (positive and negative) on a diverging palette centred on zero.

    Decreases and increases get the same bounds (quantiles of the absolute non-zero
    changes, ``k // 2 + 1`` classes a side at most), so equal colours mean equal sizes of
    change either way; no change is a neutral class of its own, and missing values (a first
    week has no previous one) are "No data".

    Examples
    --------
    >>> c = classify_change([-40, -3, 0, 0, 2, 10, 35], k=4)
    >>> c.labels
    ('-40 – -11', '-10 – -2', '0', '2 – 10', '11 – 40')
    >>> c.index.tolist()
    [0, 1, 2, 2, 3, 3, 4]
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise RenderError(f"k must be a whole number of classes >= 1, not {k!r}.")
    data = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)),
                         errors="coerce").astype(float).to_numpy()
    finite = np.isfinite(data)
    size = np.abs(data[finite & (data != 0)])
    side = max(1, (k + 1) // 2)
    if size.size:
        bounds = np.unique(np.quantile(size, np.linspace(0, 1, side + 1)[1:]))
        if np.all(size == np.round(size)):
            bounds = np.unique(np.ceil(bounds))
    else:
        bounds = np.array([], dtype=float)
    integer = bool(np.all(size == np.round(size)))
    ups = _range_labels(bounds, size.min() if size.size else 0, integer, lang)
    labels = [("-" + text.replace(" \u2013 ", " \u2013 -")) for text in ups][::-1]
    labels = [_reverse_range(text) for text in labels] + [fmt(0, lang)] + ups
    palette = _palette(cmap, 2 * len(bounds) + 1)
    # the middle of the palette is the neutral colour of no change
    palette[len(bounds)] = ZERO_COLOR
    index = np.full(data.shape, -1, dtype=int)
    zero = len(bounds)
    index[finite & (data == 0)] = zero
    rank = np.searchsorted(bounds, np.abs(data), side="left")
    index[finite & (data > 0)] = zero + 1 + rank[finite & (data > 0)]
    index[finite & (data < 0)] = zero - 1 - rank[finite & (data < 0)]
    return _finish(index, finite, labels, list(palette), bounds, "symmetric quantiles")


def _finish(index: np.ndarray, finite: np.ndarray, labels: list[str], colors: list[str],
            bins: np.ndarray, scheme: str) -> Classes:
    """Add the "No data" class for missing values and count the rows of each class."""
    if (~finite).any():
        index[~finite] = len(labels)
        labels.append("No data")
        colors.append(NODATA_COLOR)
    counts = tuple(int(n) for n in np.bincount(index, minlength=len(labels)))
    return Classes(index=index, labels=tuple(labels), colors=tuple(colors), counts=counts,
                   bins=tuple(float(b) for b in bins), scheme=scheme)


def _reverse_range(text: str) -> str:
    """``"-3 – -10"`` -> ``"-10 – -3"`` (lowest first, as the legend reads)."""
    parts = text.split(" \u2013 ")
    return " \u2013 ".join(parts[::-1])
