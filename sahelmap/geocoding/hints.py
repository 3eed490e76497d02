"""The admin units a report names beside its place: a fallback and a check.

ACLED rows and many field tables carry ``admin1``, ``admin2``, ``admin3`` (region, cercle or
department, commune) beside ``location``. :func:`resolve_admin_hints` places each distinct
combination in the lowest unit it names: the commune (matched among communes only), else the
cercle/department, else the region. The geocoder then uses it

- as a **fallback**, when the place itself is in no gazetteer: the row lands in that unit
  with method ``admin-hint`` and a lower confidence (:data:`HINT_CONFIDENCE`);
- as a **check**, when the row's point lies in another unit: the row is flagged
  ``point-admin-mismatch`` and the caller chooses which wins (``prefer="point"|"admin"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sahelmap.geocoding.names import NameMatcher
from sahelmap.geocoding.results import missing

__all__ = ["HINT_CONFIDENCE", "HINT_COLUMNS", "resolve_admin_hints"]

#: Confidence of a row placed by the admin unit it names, by the level of that unit.
HINT_CONFIDENCE = {"adm3": 0.7, "adm2": 0.6, "adm1": 0.5}
HINT_COLUMNS = ("hint_level", "hint_name", "hint_adm0", "hint_adm1", "hint_adm1_name",
                "hint_adm2", "hint_adm2_name", "hint_note")
_WORDS = {"adm3": "commune", "adm2": "cercle/department", "adm1": "region"}


def resolve_admin_hints(matcher: NameMatcher, countries: list[Any], admin1s: list[Any],
                        admin2s: list[Any], admin3s: list[Any]) -> pd.DataFrame:
    """Resolve distinct ``(country, admin1, admin2, admin3)`` tuples to a unit.

    Parameters
    ----------
    matcher : NameMatcher
        The geocoder's name matcher (its gazetteer holds communes, cercles and regions).
    countries, admin1s, admin2s, admin3s : list
        One value per distinct tuple (``None`` where not given).

    Returns
    -------
    pandas.DataFrame
        One row per tuple, :data:`HINT_COLUMNS`: the level of the unit found (``"adm3"``,
        ``"adm2"``, ``"adm1"`` or None), its name and codes (``hint_adm1`` is the map region of
        2016-2023, ``hint_adm2`` the cercle/department where known) and a note on what was not
        recognised.
    """
    n = len(countries)
    out = {c: np.full(n, None, dtype=object) for c in HINT_COLUMNS}
    todo = np.arange(n)
    for level, values, kinds in (("adm3", admin3s, ["commune"]),
                                 ("adm2", admin2s, ["adm2"])):
        given = np.array([missing(values[i]) is not None for i in todo], dtype=bool)
        ask = todo[given]
        if not len(ask):
            continue
        found = matcher.match([values[i] for i in ask], [countries[i] for i in ask],
                              [admin1s[i] for i in ask], kinds=kinds)
        ok = (found["status"] == "matched").to_numpy()
        for i, row in zip(ask[ok], found[ok].itertuples()):
            out["hint_level"][i] = level
            out["hint_name"][i] = row.matched_name
            out["hint_adm0"][i] = row.adm0_pcode
            out["hint_adm1"][i], out["hint_adm1_name"][i] = row.adm1_pcode, row.adm1_name
            out["hint_adm2"][i], out["hint_adm2_name"][i] = row.adm2_pcode, row.adm2_name
        for i in ask[~ok]:
            out["hint_note"][i] = f"{_WORDS[level]} '{values[i]}' not recognised"
        todo = todo[np.isin(todo, ask[ok], invert=True)]
    _cercle_of_homonym_communes(matcher, out, countries, admin1s, admin2s)
    for i in todo:
        if missing(admin1s[i]) is None:
            continue
        country, region, _ = matcher.hint(countries[i], admin1s[i])
        if region is None:
            continue
        out["hint_level"][i] = "adm1"
        out["hint_name"][i] = matcher.adm1_names.get(region, region)
        out["hint_adm0"][i] = country or region[:2]
        out["hint_adm1"][i] = region
        out["hint_adm1_name"][i] = matcher.adm1_names.get(region, region)
    return pd.DataFrame(out)


def _cercle_of_homonym_communes(matcher: NameMatcher, out: dict[str, np.ndarray],
                                countries: list[Any], admin1s: list[Any],
                                admin2s: list[Any]) -> None:
    """Give a commune found in its region alone the cercle its row names.

    Communes of one name in two cercles of a region (Benkadi in Dioïla and Kangaba) are
    found in the region alone; the row's admin2 tells which, if it is in that region.
    """
    ask = np.array([i for i in range(len(admin2s)) if out["hint_level"][i] == "adm3"
                    and missing(out["hint_adm2"][i]) is None and missing(admin2s[i]) is not None],
                   dtype=np.int64)
    if not len(ask):
        return
    found = matcher.match([admin2s[i] for i in ask], [countries[i] for i in ask],
                          [admin1s[i] for i in ask], kinds=["adm2"])
    for i, row in zip(ask, found.itertuples()):
        if row.status == "matched" and row.adm1_pcode == out["hint_adm1"][i]:
            out["hint_adm2"][i], out["hint_adm2_name"][i] = row.adm2_pcode, row.adm2_name
