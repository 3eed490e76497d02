"""P-codes and their versions: which COD a code belongs to, and what it means in the maps.

A code alone does not say which common operational dataset it comes from. For Mali, the 2021
COD (still used by HDX HAPI) has **ML09 = Bamako** and 53 cercles ``ML0101-ML1004``; HDX v03
(2025) has **ML09 = Taoudénit**, **ML20 = Bamako**, 20 regions and 160 ADM2 units, and 34 of
the 53 old cercles kept their name but not their code. Niger's 2023 COD and HDX v02 share
their codes. The shipped tables (``data/admin_boundaries/pcode_versions.csv`` and
``pcode_crosswalk.csv``, see ``SOURCES.md``) hold every version and the links between them.

The bundled map units are coded as follows (the *map codes*):

- ADM1, 2016-2023 structure: HDX v03 codes of the units that kept their code (ML01-ML08,
  ML10 Ménaka, ML20 Bamako) and Niger v02;
- ADM1, 2023 structure: HDX v03 codes (Taoudénit, ML09, has no published geometry and is drawn
  inside Tombouctou);
- ADM2: the 2021 COD cercle codes for Mali (the cercles drawn), v02 departments for Niger.

:func:`infer_pcode_version` tells a file's version from the codes present and, where given,
their names; :func:`map_adm1_pcode` and :func:`map_adm2_pcode` translate codes of any version
to map codes. Where the version cannot be told and it matters, they refuse and name the
``pcode_version`` option.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from sahelmap.datasets import bundled
from sahelmap.errors import BoundaryError, PcodeVersionError
from sahelmap.vocab import fold

__all__ = [
    "VERSIONS",
    "adm1_crosswalk",
    "infer_pcode_version",
    "map_adm1_pcode",
    "map_adm2_pcode",
    "name_disagreements",
    "pcode_crosswalk",
    "pcode_table",
    "pcode_versions",
    "resolve_version",
]

# Two names of one unit in two tables differ by at most this much (rapidfuzz ratio).
_SPELLING = 80
#: The P-code versions known, per country, oldest first.
VERSIONS = {"ML": ("cod-2021", "v03"), "NE": ("v02",)}
_ALIASES = {"cod2021": "cod-2021", "2021": "cod-2021", "cod-ab-2021": "cod-2021",
            "hapi": "cod-2021", "v03": "v03", "hdx-v03": "v03", "2025": "v03",
            "v02": "v02", "cod-2023": "v02", "2023": "v02"}


# -- tables -------------------------------------------------------------------------------

@cache
def _pcodes() -> pd.DataFrame:
    return pd.read_csv(bundled("admin_boundaries", "pcodes.csv"), dtype=str)


def pcode_table(level: int | None = None) -> pd.DataFrame:
    """Return the current HDX P-code table of Mali (v03) and Niger (v02).

    Parameters
    ----------
    level : {1, 2}, optional
        Keep only ADM1 or ADM2 rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``adm0_pcode, iso3, admin_level, pcode, name, parent_pcode, valid_from, version``.

    Examples
    --------
    >>> table = pcode_table(1)
    >>> int((table["adm0_pcode"] == "ML").sum()), int((table["adm0_pcode"] == "NE").sum())
    (20, 8)
    """
    table = _pcodes()
    if level is not None:
        table = table[table["admin_level"] == str(level)]
    return table.reset_index(drop=True)


@cache
def _versions() -> pd.DataFrame:
    return pd.read_csv(bundled("admin_boundaries", "pcode_versions.csv"), dtype=str)


def pcode_versions(level: int | None = None) -> pd.DataFrame:
    """Return every known P-code of every version: Mali cod-2021 and v03, Niger v02.

    Returns
    -------
    pandas.DataFrame
        ``adm0_pcode, admin_level, version, pcode, name, parent_pcode``.

    Examples
    --------
    >>> table = pcode_versions(1).set_index(["version", "pcode"])
    >>> table.loc[("cod-2021", "ML09"), "name"], table.loc[("v03", "ML09"), "name"]
    ('Bamako', 'Taoudenni')
    """
    table = _versions()
    if level is not None:
        table = table[table["admin_level"] == str(level)]
    return table.reset_index(drop=True)


@cache
def _links() -> pd.DataFrame:
    return pd.read_csv(bundled("admin_boundaries", "pcode_crosswalk.csv"), dtype=str,
                       keep_default_na=False)


def pcode_crosswalk() -> pd.DataFrame:
    """Return the links between versions (Mali cod-2021 -> v03, ADM1 and ADM2).

    Columns ``adm0_pcode, admin_level, from_version, from_pcode, from_name, to_version,
    to_pcode, to_name, relation, note``; ``relation`` is ``same_unit`` (one unit, two codes),
    ``namesake`` (a 2021 cercle and the v03 ADM2 unit of its name), ``in_region_2023`` (the
    2023 region a 2021 cercle lies in) or ``part_of`` (a unit without geometry, counted in
    the one named).
    """
    return _links().copy()


@cache
def _map_units() -> pd.DataFrame:
    return pd.read_csv(bundled("admin_boundaries", "crosswalk_adm1.csv"), dtype=str)


def adm1_crosswalk() -> pd.DataFrame:
    """Return the table relating current ADM1 codes to the bundled map units (2016 structure).

    Columns: ``adm0_pcode, code, code_system, name, map_adm1_pcode, relation`` where
    ``code_system`` is ``hdx_v03``/``hdx_v02`` (P-codes) or ``iso_3166_2`` and ``relation`` is
    ``same`` or ``part_of`` (a 2023 region counted inside its former parent).
    """
    return _map_units().copy()


# -- versions ----------------------------------------------------------------------------

def _version_name(version: str) -> str:
    key = fold(version, sep="-")
    if key in VERSIONS["ML"] or key in VERSIONS["NE"]:
        return key
    if key.replace("-", "") in _ALIASES:
        return _ALIASES[key.replace("-", "")]
    if key in _ALIASES:
        return _ALIASES[key]
    raise BoundaryError(f"Unknown pcode_version {version!r}: choose one of "
                        f"{', '.join(VERSIONS['ML'] + VERSIONS['NE'])}.")


@cache
def _known(level: int) -> dict[str, dict[str, set[str]]]:
    """``{version: {code: {folded names}}}``, names gathered from every table."""
    names: dict[str, dict[str, set[str]]] = {}
    for row in pcode_versions(level).itertuples():
        names.setdefault(row.version, {}).setdefault(row.pcode, set()).add(fold(row.name))
    links = _links()
    links = links[links["admin_level"] == str(level)]
    for row in links[links["relation"].isin(["same_unit", "namesake"])].itertuples():
        for version, code, name in ((row.from_version, row.from_pcode, row.to_name),
                                    (row.to_version, row.to_pcode, row.from_name)):
            names.setdefault(version, {}).setdefault(code, set()).add(fold(name))
    if level == 1:
        from sahelmap.boundaries import admin_units

        for path_structure in ("2016", "2023"):
            units = admin_units("adm1", structure=path_structure)
            for row in units.itertuples():
                aliases = {fold(n) for n in [row.adm1_name, row.adm1_name_fr,
                                             *str(row.alt_names).split("|")] if n}
                for version in VERSIONS.get(row.adm0_pcode, ()):
                    if row.adm1_pcode in names.get(version, {}) and _same_code_meaning(
                            version, row.adm1_pcode):
                        names[version][row.adm1_pcode] |= aliases
    return names


def _same_code_meaning(version: str, code: str) -> bool:
    """Whether ``code`` of ``version`` is the map unit of the same code (not ML09/ML20)."""
    return not (version == "cod-2021" and code == "ML09")


def _name_agrees(name: str, known: set[str]) -> bool:
    """Whether a published name is one of a unit's names.

    Spelling variants (Taoudénit, Taoudenni) and added words (District de Bamako) agree.
    """
    folded = fold(name)
    if not folded or folded in known:
        return True
    words = set(folded.split())
    return any(k and (set(k.split()) <= words or words <= set(k.split())
                      or fuzz.ratio(folded, k) >= _SPELLING) for k in known)


def _country(code: str) -> str | None:
    match = re.match(r"^(ML|NE)", code)
    return match.group(1) if match else None


def infer_pcode_version(codes: Iterable[object], names: Iterable[object] | None = None, *,
                        level: int = 1) -> str:
    """Tell which version a set of Mali or Niger P-codes follows.

    Parameters
    ----------
    codes : iterable of str
        The P-codes of a file (any order, repeats allowed, missing values ignored).
    names : iterable of str, optional
        The name given beside each code (same length as ``codes``). Names settle codes
        that exist in several versions with other meanings.
    level : {1, 2}
        Admin level of the codes.

    Returns
    -------
    str
        ``"cod-2021"``, ``"v03"`` or ``"v02"``; or several joined by ``"|"`` (``"cod-2021|v03"``)
        when the codes present mean the same units in each of them.

    Raises
    ------
    PcodeVersionError
        If the codes fit several versions in which they mean different units and no name
        settles it (e.g. ``ML09`` alone: Bamako in 2021, Taoudénit in v03), or fit none.

    Examples
    --------
    >>> infer_pcode_version(["ML07", "ML12"])
    'v03'
    >>> infer_pcode_version(["ML07", "ML09"], ["Gao", "Bamako"])
    'cod-2021'
    >>> infer_pcode_version(["ML07", "ML10"])
    'cod-2021|v03'
    """
    codes = [str(c).strip().upper() for c in codes]
    pairs = list(zip(codes, names)) if names is not None else [(c, None) for c in codes]
    pairs = [(c, n) for c, n in pairs if c and c not in ("NAN", "NONE", "<NA>")]
    present = sorted({c for c, _ in pairs})
    countries = {_country(c) for c in present} - {None}
    if not present:
        raise PcodeVersionError("no P-codes to tell the version from")
    if len(countries) != 1:
        versions = [infer_pcode_version([c for c, _ in pairs if _country(c) == k],
                                        [n for c, n in pairs if _country(c) == k]
                                        if names is not None else None, level=level)
                    for k in sorted(countries)]
        return "|".join(dict.fromkeys(v for v in versions))
    country = countries.pop()
    known = _known(level)
    candidates = [v for v in VERSIONS[country] if set(present) <= set(known.get(v, {}))]
    if not candidates:
        best = max(VERSIONS[country], key=lambda v: len(set(present) & set(known.get(v, {}))))
        strangers = sorted(set(present) - set(known.get(best, {})))
        raise PcodeVersionError(
            f"ADM{level} P-code(s) {', '.join(strangers[:8])} are in no known version "
            f"({', '.join(VERSIONS[country])})")
    if len(candidates) > 1 and names is not None:
        wrong = {v: sum(not _name_agrees(str(n), known[v].get(c, set()))
                        for c, n in pairs if n is not None and n == n) for v in candidates}
        fewest = min(wrong.values())
        candidates = [v for v in candidates if wrong[v] == fewest]
    if len(candidates) > 1:
        differing = [c for c in present if len({_meaning(v, c, level) for v in candidates}) > 1]
        if differing:
            shown = ", ".join(f"{c} ({' / '.join(_describe(v, c, level) for v in candidates)})"
                              for c in differing[:4])
            raise PcodeVersionError(
                f"cannot tell which P-code version these ADM{level} codes follow: {shown}. "
                f"Give the names beside the codes, or pass pcode_version="
                f"{' or '.join(repr(v) for v in candidates)}.")
    return "|".join(candidates)


def _meaning(version: str, code: str, level: int) -> str | None:
    """The map unit a code of a version stands for (what must agree across versions)."""
    if level == 1:
        return _map_adm1(version).get(code)
    return _map_adm2(version).get(code)


def _describe(version: str, code: str, level: int) -> str:
    name = next(iter(sorted(_known(level).get(version, {}).get(code, {"?"}))), "?")
    return f"{name} in {version}"


@cache
def _map_adm1(version: str) -> dict[str, str]:
    """``{code of version: map ADM1 code (2016 structure)}``."""
    current = dict(zip(_map_units()["code"].str.upper(), _map_units()["map_adm1_pcode"]))
    if version in ("v03", "v02"):
        return current
    links = _links()
    same = links[(links["admin_level"] == "1") & (links["from_version"] == version)
                 & (links["relation"] == "same_unit")]
    return {row.from_pcode: current.get(row.to_pcode, row.to_pcode)
            for row in same.itertuples()}


@cache
def _version_countries(version: str) -> frozenset[str]:
    """The ISO alpha-2 prefixes of the codes a version holds (``v02``: Niger only)."""
    table = pcode_versions(1)
    return frozenset(table.loc[table["version"] == version, "adm0_pcode"].str[:2])


@cache
def _map_adm2(version: str) -> dict[str, str]:
    """``{ADM2 code of version: bundled cercle/department code}``."""
    table = pcode_versions(2)
    if version in ("cod-2021", "v02"):
        mine = table[table["version"] == version]["pcode"]
        return dict(zip(mine, mine))
    links = _links()
    namesakes = links[(links["admin_level"] == "2") & (links["relation"] == "namesake")
                      & (links["to_version"] == version)]
    return dict(zip(namesakes["to_pcode"], namesakes["from_pcode"]))


def _resolve_version(codes: pd.Series, names: Sequence[object] | None, version: str | None,
                     level: int) -> list[str]:
    if version is not None:
        return [_version_name(v) for v in str(version).split("|")]
    every = set().union(*(set(codes) for codes in _known(level).values()))
    known = codes.isin(every).to_numpy()  # unknown codes give NA, they do not decide
    codes = codes[known]
    names = names[known] if names is not None else None
    mali = codes[codes.str.startswith("ML")]
    found: list[str] = []
    if len(mali):
        picked = (np.asarray(names, dtype=object)[codes.str.startswith("ML").to_numpy()]
                  if names is not None else None)
        found += infer_pcode_version(mali, picked, level=level).split("|")
    if codes.str.startswith("NE").any():
        found.append("v02")
    return found


def resolve_version(codes: Iterable[object], names: Iterable[object] | None = None, *,
                    version: str | None = None, level: int = 1) -> str:
    """The version of ``codes``: ``version`` checked, else told from the known codes and names.

    Unknown codes do not decide. Returns ``""`` when no code is known.

    Examples
    --------
    >>> resolve_version(["ML09", "ML07", "XX"], ["Bamako", "Gao", "?"])
    'cod-2021'
    """
    text = pd.Series(list(codes), dtype=object).astype(str).str.strip().str.upper()
    array = np.asarray(list(names), dtype=object) if names is not None else None
    return "|".join(_resolve_version(text, array, version, level))


def map_adm1_pcode(codes: Iterable[object], *, version: str | None = None,
                   names: Iterable[object] | None = None) -> pd.Series:
    """Translate ADM1 P-codes (any version) or ISO 3166-2 codes to bundled map units.

    Parameters
    ----------
    codes : iterable of str
    version : str, optional
        ``"cod-2021"`` (HDX HAPI, Mali COD 2021: ML09 = Bamako) or ``"v03"`` (ML09 =
        Taoudénit, ML20 = Bamako); inferred from the codes (and ``names``) when not given.
    names : iterable of str, optional
        The names beside the codes, to infer the version.

    Returns
    -------
    pandas.Series
        Map ADM1 codes (2016-2023 structure); ``<NA>`` for unknown codes.

    Raises
    ------
    PcodeVersionError
        If the version is needed (``ML09`` present) and cannot be told.

    Examples
    --------
    >>> map_adm1_pcode(["ML10", "ML-9", "ML12", "NE006", "XX01"]).tolist()
    ['ML10', 'ML10', 'ML01', 'NE006', nan]
    >>> map_adm1_pcode(["ML09"], version="cod-2021").tolist()
    ['ML20']
    >>> map_adm1_pcode(["ML09", "ML07"], names=["Bamako", "Gao"]).tolist()
    ['ML20', 'ML07']
    >>> map_adm1_pcode(["ML09", "NE001"], names=["Bamako", "Agadez"]).tolist()
    ['ML20', 'NE001']
    """
    series = pd.Series(list(codes), dtype=object)
    text = series.astype(str).str.strip().str.upper()
    names_array = np.asarray(list(names), dtype=object) if names is not None else None
    pcodes = text[text.str.match(r"^(ML|NE)\d")]
    versions = (_resolve_version(pcodes, names_array[pcodes.index] if names_array is not None
                                 else None, version, 1) if len(pcodes) else ["v03"])
    lookup = dict(_map_units().set_index(_map_units()["code"].str.upper())["map_adm1_pcode"])
    for v in versions:  # codes mean the same in each version found, within its country
        countries = _version_countries(v)
        lookup.update({code: unit for code, unit in _map_adm1(v).items()
                       if code[:2] in countries})
    out = text.map(lookup)
    out.index = series.index
    return out


def map_adm2_pcode(codes: Iterable[object], *, version: str | None = None,
                   names: Iterable[object] | None = None) -> pd.Series:
    """Translate ADM2 P-codes (any version) to bundled cercle/department codes.

    A v03 ADM2 unit created in 2023 (no 2021 cercle of its name) gives ``<NA>``: count it
    in its region instead.

    Examples
    --------
    >>> map_adm2_pcode(["ML0701"], version="v03").tolist()   # v03 Gao is the 2021 ML0703
    ['ML0703']
    >>> map_adm2_pcode(["ML0701"], version="cod-2021").tolist()   # 2021 Ansongo
    ['ML0701']
    """
    series = pd.Series(list(codes), dtype=object)
    text = series.astype(str).str.strip().str.upper()
    names_array = np.asarray(list(names), dtype=object) if names is not None else None
    pcodes = text[text.str.match(r"^(ML|NE)\d")]
    versions = _resolve_version(pcodes, names_array[pcodes.index] if names_array is not None
                                else None, version, 2) if len(pcodes) else []
    lookup: dict[str, str] = {}
    for v in versions:
        lookup.update(_map_adm2(v))
    out = text.map(lookup)
    out.index = series.index
    return out


def name_disagreements(codes: Sequence[object], names: Sequence[object], *, version: str,
                       level: int = 1) -> pd.Series:
    """Say, for each (code, name), whether the name is not the code's in ``version``.

    Returns
    -------
    pandas.Series of str
        ``""`` where they agree (or either is missing); else a note such as
        ``"'Mopti' is not the name of ML07 (Gao) in cod-2021"``.

    Examples
    --------
    >>> name_disagreements(["ML07", "ML07"], ["Gao", "Mopti"], version="v03").tolist()
    ['', "'Mopti' is not the name of ML07 (gao) in v03"]
    """
    known = _known(level)
    versions = [_version_name(v) for v in version.split("|")]
    notes = []
    for code, name in zip(codes, names):
        code = str(code).strip().upper()
        if name is None or name != name or not str(name).strip() or code in ("", "NAN"):
            notes.append("")
            continue
        sets = [known.get(v, {}).get(code) for v in versions]
        sets = [s for s in sets if s]
        if not sets or any(_name_agrees(str(name), s) for s in sets):
            notes.append("")
            continue
        usual = sorted(sets[0])[0]
        notes.append(f"'{name}' is not the name of {code} ({usual}) in {version}")
    return pd.Series(notes, dtype=object)
