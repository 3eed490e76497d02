"""Duplicate reports: the same event or figure from different sources, flagged or merged.

Keys are built per distinct value (folded place names, coordinates rounded to ~10 m for
unnamed places, folded sources); groups are found by combining factorized keys, never by
comparing rows pairwise.

Rows that carry the same event identifier (ACLED's ``event_id_cnty``) are one event whatever
else they say: :func:`repeated_ids` picks the row that stands for each identifier.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from sahelmap.vocab import fold

__all__ = ["flag_duplicates", "merge_sources", "place_key", "repeated_ids", "source_key"]


def flag_duplicates(keys: pd.DataFrame, source: pd.Series,
                    files: np.ndarray | None = None) -> pd.DataFrame:
    """``duplicate_group`` (Int64), ``is_duplicate`` and ``first`` (row of the first).

    Rows with the same keys are one report given twice when they come from different
    sources, or from different files (the same export given twice, overlapping exports).
    Within one file and one source, alike rows are taken as distinct events.
    """
    n = len(keys)
    out = pd.DataFrame({
        "duplicate_group": pd.arrays.IntegerArray(np.zeros(n, dtype="int64"),
                                                  np.ones(n, dtype=bool)),
        "is_duplicate": np.zeros(n, dtype=bool),
        "first": np.full(n, -1, dtype="int64")}, index=keys.index)
    if n < 2:
        return out
    group = np.zeros(n, dtype="int64")
    for name in keys.columns:  # combine the keys' codes two at a time, kept compact
        codes, uniques = pd.factorize(keys[name], use_na_sentinel=False)
        group = pd.factorize(group * (len(uniques) + 1) + codes)[0].astype("int64")
    size = np.bincount(group)[group]
    src_codes = pd.factorize(source.fillna("").to_numpy(dtype=object))[0]
    pairs = pd.DataFrame({"g": group, "s": src_codes})
    n_sources = pairs.groupby("g")["s"].transform("nunique").to_numpy()
    flagged = (size > 1) & (n_sources > 1)
    if files is not None:
        pairs["f"] = np.asarray(files)
        flagged |= (size > 1) & (pairs.groupby("g")["f"].transform("nunique").to_numpy() > 1)
    if not flagged.any():
        return out
    renumbered = pd.factorize(group[flagged])[0] + 1
    dup_group = np.zeros(n, dtype="int64")
    dup_group[flagged] = renumbered
    order = pd.Series(np.arange(n))[flagged]
    first_of = order.groupby(renumbered).transform("min").to_numpy()
    out.loc[out.index[flagged], "duplicate_group"] = renumbered
    is_dup = np.zeros(n, dtype=bool)
    is_dup[np.flatnonzero(flagged)] = first_of != order.to_numpy()
    out["is_duplicate"] = is_dup
    first = np.full(n, -1, dtype="int64")
    first[flagged] = first_of
    out["first"] = first
    return out


def repeated_ids(ids: pd.Series, bad: np.ndarray) -> np.ndarray:
    """For each row, the position of the row kept for its identifier; -1 without one.

    Identifiers are compared as given (the loaders strip their spaces; ACLED writes them
    upper-case). The row kept is the first row of the identifier that has no other problem
    (``bad`` False), or the first row when all have.

    Examples
    --------
    >>> repeated_ids(pd.Series(["MLI1", "MLI1", None, "MLI2", "MLI2"]),
    ...              np.array([True, False, False, False, False])).tolist()
    [1, 1, -1, 3, 3]
    """
    n = len(ids)
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    if not len(uniques):
        return np.full(n, -1, dtype="int64")
    position = np.arange(n, dtype="int64")
    order = np.lexsort((position, np.asarray(bad, dtype=bool), codes))
    sorted_codes = codes[order]
    first = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    kept = np.full(int(codes.max()) + 1, -1, dtype="int64")
    valid = first & (sorted_codes >= 0)
    kept[sorted_codes[valid]] = order[valid]
    return np.where(codes < 0, -1, kept[np.where(codes < 0, 0, codes)])


def place_key(frame: pd.DataFrame, x: np.ndarray, y: np.ndarray, rows: np.ndarray
              ) -> pd.Series:
    """Each accepted row's place: its folded name, or ``@lon,lat`` when it has none."""
    place = frame["place"].iloc[rows]
    codes, uniques = pd.factorize(place, use_na_sentinel=True)
    folded = np.array([_fold_place(u) for u in uniques] + [""], dtype=object)
    key = folded[codes]
    unnamed = np.flatnonzero(codes < 0)
    if len(unnamed):
        at = rows[unnamed]
        key[unnamed] = ("@" + pd.Series(x[at]).round(4).astype(str) + ","
                        + pd.Series(y[at]).round(4).astype(str)).to_numpy(dtype=object)
    return pd.Series(key, index=place.index, dtype=object)  # not made arrow text and back


#: :func:`~sahelmap.vocab.fold` (a pure function) remembered for the place names of recent
#: chunks: a streamed load meets the same few thousand names in every chunk.
_fold_place = lru_cache(maxsize=1 << 16)(fold)


def source_key(frame: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """Each row's source, folded; the file where the row names none."""
    f = frame[["source", "source_file"]].iloc[rows]
    codes, uniques = pd.factorize(f["source"], use_na_sentinel=True)
    folded = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.lower(
        ).str.replace(r"\s+", " ", regex=True).to_numpy(dtype=object)
    key = np.append(folded, None)[codes]
    unnamed = codes < 0
    if unnamed.any():
        key[unnamed] = "file:" + f["source_file"].to_numpy(dtype=object)[unnamed]
    return pd.Series(key, index=f.index, dtype=object)


def merge_sources(records: pd.DataFrame, gone: set[int]) -> pd.DataFrame:
    """Drop the merged rows ``gone``; the kept row of a group lists every source."""
    keep = ~records["_row"].isin(gone)
    group = records["duplicate_group"]
    sources = records.loc[group.notna(), ["duplicate_group", "source"]].dropna()
    joined = sources.drop_duplicates().groupby("duplicate_group")["source"].agg(
        "; ".join)
    records = records[keep].copy()
    has = records["duplicate_group"].notna() & records["duplicate_group"].isin(
        joined.index)
    records.loc[has, "source"] = records.loc[has, "duplicate_group"].map(joined)
    return records


