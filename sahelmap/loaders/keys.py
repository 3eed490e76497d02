"""Arrays of 64-bit row keys (hashes, positions): distinct, repeated, looked up.

What a streamed load keeps across chunks is such arrays, so these work without hash tables
(sorted arrays and bisection): at millions of rows, a ``set`` or ``np.isin`` of every key
would cost a copy or a table per call.
"""

from __future__ import annotations

import numpy as np

__all__ = ["distinct", "repeated", "in_sorted"]


def distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (a merge sort: runs already sorted merge in linear time).

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2], dtype="uint64")).tolist()
    [1, 2, 3]
    """
    keys = np.sort(keys, kind="stable")
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def repeated(parts: list[np.ndarray]) -> np.ndarray:
    """The keys found more than once over ``parts`` (sorted).

    Examples
    --------
    >>> repeated([np.array([5, 1], dtype="uint64"), np.array([5, 2, 2], dtype="uint64")]).tolist()
    [2, 5]
    """
    keys = np.concatenate(parts) if parts else np.empty(0, "uint64")
    keys.sort()  # in place: one copy of the keys
    again = keys[1:][keys[1:] == keys[:-1]]
    return again[np.r_[True, again[1:] != again[:-1]]] if len(again) else again


def in_sorted(ordered: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in ``ordered`` (sorted), by bisection: no copy of either.

    Examples
    --------
    >>> in_sorted(np.array([2, 5, 9]), np.array([5, 1, 9, 10])).tolist()
    [True, False, True, False]
    """
    if not len(ordered):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
    return ordered[at] == keys
