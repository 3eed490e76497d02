"""ACLED's layouts: the event types of files written before ACLED's 2019 revision.

Files published before 2019 (the All-Africa files, old exports) use nine event types that the
2019 codebook renamed, merged or split. :func:`pre2019_types` turns them into the 2019 event
type and sub-event type with the table ``sahelmap/data/acled/event_types_pre2019.csv``
(written by the project from ACLED's codebooks; its ``README.md`` names each source), so old
and new layouts of the same events count alike.

``Riots/Protests`` is split by actor1's type (``inter1``: 5 = Rioters gives Riots,
6 = Protesters gives Protests, as codes or, in exports since 2023, as labels); a row without
either code is a Riot when people were killed and a Protest when not, with no sub-event type.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from sahelmap.datasets import bundled
from sahelmap.vocab import fold

__all__ = ["PRE2019_TABLE", "pre2019_table", "pre2019_types"]

#: The bundled table, relative to ``sahelmap/data``.
PRE2019_TABLE = ("acled", "event_types_pre2019.csv")
_SPLIT = "riots protests"
_RIOTERS = re.compile(r"^(5( 0+)?|rioters?)$")
_PROTESTERS = re.compile(r"^(6( 0+)?|protesters?)$")


@lru_cache(maxsize=1)
def pre2019_table() -> pd.DataFrame:
    """The pre-2019 event type table: ``published_type, event_type, sub_event_type, note``.

    Returns
    -------
    pandas.DataFrame
        One row per old type (two for ``Riots/Protests``), empty sub-event types as NA.

    Examples
    --------
    >>> table = pre2019_table()
    >>> table.set_index("published_type").loc["Remote violence", "event_type"]
    'Explosions/Remote violence'
    >>> sorted(table.loc[table.published_type == "Riots/Protests", "event_type"])
    ['Protests', 'Riots']
    """
    return pd.read_csv(bundled(*PRE2019_TABLE), dtype=str, skiprows=_comment_lines(),
                       keep_default_na=False, na_values=[""])


def _comment_lines() -> int:
    """How many ``#`` lines head the table (its provenance note)."""
    with open(bundled(*PRE2019_TABLE), encoding="utf-8") as handle:
        n = 0
        for line in handle:
            if not line.startswith("#"):
                break
            n += 1
    return n


def _actor_kind(inter1: pd.Series) -> np.ndarray:
    """5 for rioters, 6 for protesters, 0 otherwise; once per distinct value."""
    codes, uniques = pd.factorize(inter1, use_na_sentinel=True)
    kinds = np.array([5 if _RIOTERS.match(fold(u)) else 6 if _PROTESTERS.match(fold(u))
                      else 0 for u in uniques] + [0], dtype="int64")
    return kinds[codes]


def pre2019_types(event_type: pd.Series, inter1: pd.Series, fatalities: np.ndarray
                  ) -> pd.DataFrame:
    """The 2019 event type and sub-event type of rows written with a pre-2019 event type.

    Parameters
    ----------
    event_type : pandas.Series
        Event type texts as in the file.
    inter1 : pandas.Series
        ACLED's actor-type code of actor1 (text; NA where the file has none).
    fatalities : numpy.ndarray
        Fatalities per row (NaN where missing or invalid: read as 0).

    Returns
    -------
    pandas.DataFrame
        ``event_type`` and ``sub_event_type`` (text, NA where the row's type is not a
        pre-2019 type, or where the table leaves the sub-event type empty), aligned with the
        input.

    Examples
    --------
    >>> types = pd.Series(["Battle-No change of territory", "Riots/Protests",
    ...                    "Riots/Protests", "Riots/Protests", "Battles"])
    >>> inter1 = pd.Series([None, "5", "Protesters", None, None])
    >>> out = pre2019_types(types, inter1, np.array([2, 1, 0, 3, 0.0]))
    >>> out.fillna("-").values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['Battles', 'Armed clash'], ['Riots', 'Violent demonstration'],
     ['Protests', 'Peaceful protest'], ['Riots', '-'], ['-', '-']]
    """
    table = pre2019_table()
    keys = table["published_type"].map(fold)
    subs = [None if pd.isna(s) else s for s in table["sub_event_type"]]
    simple = {k: (t, s) for k, t, s in zip(keys, table["event_type"], subs) if k != _SPLIT}
    split = {t: s for k, t, s in zip(keys, table["event_type"], subs) if k == _SPLIT}
    n = len(event_type)
    out_type = np.full(n, None, dtype=object)
    out_sub = np.full(n, None, dtype=object)
    codes, uniques = pd.factorize(event_type, use_na_sentinel=True)
    folded = [fold(u) for u in uniques]
    for code, key in enumerate(folded):
        if key in simple:
            rows = codes == code
            out_type[rows], out_sub[rows] = simple[key]
    if _SPLIT in folded:
        rows = np.flatnonzero(codes == folded.index(_SPLIT))
        kind = _actor_kind(inter1.iloc[rows])
        killed = np.nan_to_num(np.asarray(fatalities, dtype="float64")[rows]) > 0
        riots = (kind == 5) | ((kind == 0) & killed)
        out_type[rows] = np.where(riots, "Riots", "Protests")
        out_sub[rows] = np.where(kind == 5, split["Riots"],
                                 np.where(kind == 6, split["Protests"], None))
    return pd.DataFrame({"event_type": out_type, "sub_event_type": out_sub},
                        index=event_type.index)
