"""The geocoder: coordinates first, then the place name; one result row per input row.

:class:`Geocoder` composes a :class:`~sahelmap.geocoding.points.PointLocator` (boundary
polygons) and a :class:`~sahelmap.geocoding.names.NameMatcher` (the gazetteer, whose entries
the locator completes with their admin units). :func:`geocode` and :func:`geocode_frame` keep a
default geocoder for the bundled data.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.boundaries import admin_units
from sahelmap.errors import OptionError
from sahelmap.gazetteer import Gazetteer, load_gazetteer
from sahelmap.geocoding.hints import HINT_CONFIDENCE, resolve_admin_hints
from sahelmap.geocoding.names import NameMatcher
from sahelmap.geocoding.points import COORD_FLAGS, COORD_NOTES, UNIT_COLUMNS, PointLocator
from sahelmap.geocoding.results import RESULT_COLUMNS, GeocodeResult, stack_results, unmatched
from sahelmap.pcodes import adm1_crosswalk, pcode_table
from sahelmap.vocab import fold

__all__ = ["Geocoder", "geocode", "geocode_frame"]

SNAPPED_CONFIDENCE = 0.85
#: Distinct keys a remembering matcher's ``results`` memo holds at most (see
#: :meth:`Geocoder._remembered`).
MEMO_LIMIT = 50_000


class Geocoder:
    """Match names and locate coordinates in Mali and Niger admin units.

    Building one indexes the gazetteer and the boundary polygons; reuse it across calls
    (:func:`geocode` and :func:`geocode_frame` keep a default one).

    Parameters
    ----------
    gazetteer : Gazetteer, path-like or pandas.DataFrame, optional
        A gazetteer, or a user gazetteer file to add to the bundled one.
    boundaries : geopandas.GeoDataFrame, optional
        Polygons to locate points in, with ``adm0_pcode, adm1_pcode, adm1_name`` and
        optionally ``adm2_pcode, adm2_name`` (e.g. from :func:`sahelmap.read_boundaries`).
        Defaults to the bundled communes (ADM1 known, ADM2 only by name).
    fuzzy_threshold : float
        Minimum similarity (0-100) for a misspelt name to match: the better of the rapidfuzz
        ``ratio`` and a near-miss score that forgives spelling variants (ou/u, dj/j, w/ou,
        doubled letters...) and counts a swap of two letters as one edit.

    Examples
    --------
    >>> coder = Geocoder()
    >>> coder.geocode_frame(pd.DataFrame({"place": ["Ansongo"]}))["adm1_pcode"].tolist()
    ['ML07']
    """

    def __init__(self, gazetteer: Gazetteer | str | PathLike | pd.DataFrame | None = None, *,
                 boundaries: gpd.GeoDataFrame | None = None,
                 fuzzy_threshold: float = 85.0) -> None:
        if not 0 <= fuzzy_threshold <= 100:
            raise OptionError(f"fuzzy_threshold must be within 0-100, got {fuzzy_threshold}")
        self.fuzzy_threshold = float(fuzzy_threshold)
        # The geocoder works in the 2016-2023 regions, which contain those of 2023: a hint of
        # either structure can be checked against them; the cercle (adm2) tells the 2023 one.
        self.points = PointLocator(admin_units("adm3", structure="2016") if boundaries is None
                                   else boundaries)
        regions = admin_units("adm1", structure="2016")
        adm1_names = dict(zip(regions["adm1_pcode"], regions["adm1_name"]))
        if boundaries is not None:
            units = self.points.units
            adm1_names.update(zip(units["adm1_pcode"], units["adm1_name"]))
        if not isinstance(gazetteer, Gazetteer):
            gazetteer = load_gazetteer(gazetteer)
        self.names = NameMatcher(self._complete(gazetteer), adm1_names=adm1_names,
                                 adm1_hints=_adm1_hints(regions, adm1_names),
                                 fuzzy_threshold=self.fuzzy_threshold)
        self._unit_results = self._unit_table()
        self._bundled_units = boundaries is None

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer names are matched against (entries completed with their units)."""
        return self.names.gazetteer

    @property
    def adm1_names(self) -> dict[str, str]:
        """``{adm1_pcode: name}`` of the units results are given in."""
        return self.names.adm1_names

    def locate(self, lon: Any, lat: Any) -> pd.DataFrame:
        """See :meth:`sahelmap.geocoding.points.PointLocator.locate`."""
        return self.points.locate(lon, lat)

    def match_names(self, names: Any, countries: Any = None, admin1s: Any = None
                    ) -> pd.DataFrame:
        """See :meth:`sahelmap.geocoding.names.NameMatcher.match`."""
        return self.names.match(names, countries, admin1s)

    def _complete(self, gazetteer: Gazetteer) -> Gazetteer:
        """Locate entries whose units are not known (user entries; ADM2 from boundaries)."""
        entries = gazetteer.entries.copy()
        has_xy = entries["lon"].notna() & entries["lat"].notna()
        todo = has_xy & (entries["adm1_pcode"].isna() | (entries["kind"] == "user"))
        if self.points.has_adm2:
            todo |= has_xy & entries["kind"].isin(["place", "commune", "user"])
        if not todo.any():
            return gazetteer
        found = self.points.locate(entries.loc[todo, "lon"].to_numpy(float),
                                   entries.loc[todo, "lat"].to_numpy(float))
        inside = found["inside"].to_numpy()
        idx = entries.index[todo][inside]
        columns = ["adm0_pcode", "adm1_pcode"]
        if self.points.has_adm2:
            columns += ["adm2_pcode", "adm2_name"]
        for column in columns:
            entries.loc[idx, column] = found.loc[inside, column].to_numpy()
        return Gazetteer(entries, gazetteer.keys)

    def geocode_frame(self, df: pd.DataFrame, *, name: str = "place", lon: str = "lon",
                      lat: str = "lat", country: str = "country", admin1: str = "admin1",
                      admin2: str = "admin2", admin3: str = "admin3",
                      prefer: str = "point") -> pd.DataFrame:
        """See :func:`geocode_frame`.

        Rows are reduced to a small table of distinct results (one per unit hit by a point,
        one per distinct name and hints), which is then expanded with ``take``: no Python
        work per row.
        """
        return self._geocode(df, name=name, lon=lon, lat=lat, country=country, admin1=admin1,
                             admin2=admin2, admin3=admin3, prefer=prefer)

    def _geocode(self, df: pd.DataFrame, *, name: str = "place", lon: str = "lon",
                 lat: str = "lat", country: str = "country", admin1: str = "admin1",
                 admin2: str = "admin2", admin3: str = "admin3", prefer: str = "point",
                 keep: Sequence[str] | None = None) -> pd.DataFrame:
        """:meth:`geocode_frame`, giving only the result columns ``keep`` (None: all).

        The rows' results are copied out of the table of distinct results column by
        column: a caller that reads a few columns (a streamed load keeps the P-codes,
        status and reason) is not given the others.
        """
        n = len(df)
        code = np.full(n, -1, dtype=np.int64)  # row of the result table
        flag = np.zeros(n, dtype=np.int8)      # COORD_FLAGS index
        x = y = np.full(n, np.nan)
        if lon in df.columns and lat in df.columns:
            x = pd.to_numeric(df[lon], errors="coerce").to_numpy(float)
            y = pd.to_numeric(df[lat], errors="coerce").to_numpy(float)
            has = np.flatnonzero(np.isfinite(x) | np.isfinite(y))
            if len(has):
                unit, flag[has] = self.points.locate_codes(x[has], y[has])
                code[has] = unit
        columns = [name, country, admin1, admin2, admin3]
        memo = getattr(self.names, "results", None)
        if memo is not None:
            rows, inverse, placed = self._remembered(memo, df, code, flag, columns, prefer)
        else:
            rows, inverse, placed = self._results(df, code, flag, columns, prefer)
        # a point keeps its coordinates, unless the row was put in the unit it names
        point = (code >= 0) & ~placed[inverse]
        columns = {}
        for column in rows.columns if keep is None else [c for c in rows.columns if c in keep]:
            values = rows[column]._values
            if column in ("match_lon", "match_lat"):
                values = np.where(point, x if column == "match_lon" else y,
                                  np.asarray(values, dtype=float)[inverse])
            elif isinstance(values, np.ndarray):  # as a Series, or pandas would infer `str`
                values = pd.Series(values[inverse], index=df.index, dtype=values.dtype,
                                   copy=False)
            else:
                values = values.take(inverse)
            columns[column] = values
        # column by column: the frame is not consolidated (one copy less of every column)
        return pd.DataFrame(columns, index=df.index, columns=list(columns), copy=False)

    def _results(self, df: pd.DataFrame, code: np.ndarray, flag: np.ndarray,
                 columns: list[str], prefer: str
                 ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """The distinct results of the rows, each row's among them, and which were placed.

        ``code`` is each row's boundary unit (-1: not located by its point) and ``flag``
        its coordinate flag; ``columns`` the name, country, admin1, admin2 and admin3
        columns. "Placed" results are those put in the unit the row names (their point,
        if any, is not kept).
        """
        name, country, admin1, admin2, admin3 = columns
        code = code.copy()
        by_xy = code >= 0
        tables = [self._unit_results]
        todo = np.flatnonzero(~by_xy)
        if len(todo):
            offset = len(tables[0])
            if name in df.columns:
                names, inverse = self._distinct_names(df.iloc[todo], name, country, admin1)
                tables.append(names)
                code[todo] = offset + inverse
            else:
                tables.append(pd.DataFrame([unmatched("no place name or usable coordinates")],
                                           columns=RESULT_COLUMNS))
                code[todo] = offset
        table = pd.concat(tables, ignore_index=True)
        combo, _, inverse = _group(code * len(COORD_FLAGS) + flag)
        rows = table.iloc[combo // len(COORD_FLAGS)].reset_index(drop=True)
        rows = _with_coordinate_flags(rows, combo % len(COORD_FLAGS))
        for column in ("match_lon", "match_lat", "confidence"):
            rows[column] = rows[column].to_numpy(dtype=float)
        placed = np.zeros(len(rows), dtype=bool)
        if any(c in df.columns for c in (admin1, admin2, admin3)):
            rows, inverse, placed = self._apply_hints(df, rows, inverse, by_xy,
                                                      [country, admin1, admin2, admin3],
                                                      _check_prefer(prefer))
        return rows, inverse, placed

    def _remembered(self, memo: dict, df: pd.DataFrame, code: np.ndarray, flag: np.ndarray,
                    columns: list[str], prefer: str
                    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """:meth:`_results`, from the results of earlier calls where it can.

        A row's result depends only on its unit and coordinate flag, its name (unless its
        point located it), country and admin columns, which columns the frame has, and
        ``prefer``: each distinct key is computed once (on one row holding it) and
        remembered in ``memo`` (a streamed load's, see
        :class:`~sahelmap.loaders.streaming._RememberedNames`), up to :data:`MEMO_LIMIT`
        keys; past it, new keys are computed each time.
        """
        if any(c in df.columns for c in columns[2:]):
            _check_prefer(prefer)
        n = len(df)
        parts: list[tuple[np.ndarray, np.ndarray]] = [
            (code + 1, np.arange(-1, code.max(initial=-1) + 1, dtype=object)),
            (flag.astype(np.int64), np.arange(len(COORD_FLAGS), dtype=object))]
        for column in columns:
            if column in df.columns:
                c, u = pd.factorize(df[column], use_na_sentinel=True)
                c = c.astype(np.int64) + 1
                if column == columns[0]:  # a row located by its point: its name is not used
                    c[code >= 0] = 0
                parts.append((c, np.concatenate([[None], np.asarray(u, dtype=object)])))
            else:
                parts.append((np.zeros(n, dtype=np.int64), np.array([None], dtype=object)))
        _, first, inverse = _group(_combined(parts, n))
        keys = list(zip(*(u[c[first]] for c, u in parts)))
        where, tables, placed = memo.setdefault(
            (prefer, tuple(c in df.columns for c in columns)), ({}, [], []))
        known = np.fromiter((where.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        new = np.flatnonzero(known < 0)
        if not len(new):
            return tables[0], known[inverse], placed[0]
        rows = first[new]
        found, at, put = self._results(df.iloc[rows], code[rows], flag[rows], columns, prefer)
        found, put = found.take(at).reset_index(drop=True), put[at]
        start = len(where)
        known[new] = np.arange(start, start + len(new))
        if tables and start + len(new) > MEMO_LIMIT:  # full: these are not remembered
            return (stack_results([tables[0], found]), known[inverse],
                    np.concatenate([placed[0], put]))
        where.update(zip([keys[i] for i in new], known[new].tolist()))
        tables[:] = [stack_results([*tables, found])]
        placed[:] = [np.concatenate([*placed, put])]
        return tables[0], known[inverse], placed[0]

    def _apply_hints(self, df: pd.DataFrame, rows: pd.DataFrame, inverse: np.ndarray,
                     by_xy: np.ndarray, columns: list[str], prefer: str
                     ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Admin units named by the rows: fallback for unknown places, check for points.

        ``rows`` holds the distinct results and ``inverse`` each row's among them. The hints
        are resolved once per distinct tuple of admin columns, and applied once per distinct
        (result, hint) pair. Returns the distinct results with their hints applied, each
        row's position among them, and whether each was put in the unit its hint names.
        """
        status = rows["status"].to_numpy(dtype=object)
        # a place found only outside the row's hints stays unmatched: the row contradicts itself
        status = np.where(rows["flags"].fillna("").str.contains("hint_conflict").to_numpy(),
                          "conflict", status)
        given = np.zeros(len(df), dtype=bool)
        for column in columns[1:]:
            if column in df.columns:
                given |= df[column].notna().to_numpy()
        # the cercles of the bundled units are those hints name: a place found by its name is
        # checked against the cercle the row names (a village may share a commune's name)
        same_adm2 = self.points.has_adm2 and self._bundled_units
        named = (status == "matched")[inverse] & ~by_xy & same_adm2
        todo = np.flatnonzero(given & ((status[inverse] == "unmatched") | by_xy | named))
        if not len(todo):
            return rows, inverse, np.zeros(len(rows), dtype=bool)
        codes, uniques = [], []
        for column in columns:
            values = df[column].iloc[todo] if column in df.columns else pd.Series(
                [None] * len(todo), dtype=object)
            c, u = pd.factorize(values, use_na_sentinel=True)
            codes.append(c.astype(np.int64) + 1)
            uniques.append(np.concatenate([[None], np.asarray(u, dtype=object)]))
        _, first, hint_of = _group(_combined(list(zip(codes, uniques)), len(todo)))
        hints = self._resolve_hints(*[list(u[c[first]]) for c, u in zip(codes, uniques)])
        # each row's (result, hint) pair; hint 0: none asked
        hint = np.zeros(len(df), dtype=np.int64)
        hint[todo] = hint_of.ravel() + 1
        pairs, first, inverse = _group(inverse * (len(hints) + 1) + hint)
        out = rows.take(pairs // (len(hints) + 1)).reset_index(drop=True)
        status = status[pairs // (len(hints) + 1)]
        asked = np.flatnonzero(pairs % (len(hints) + 1))
        per_pair = hints.take(pairs[asked] % (len(hints) + 1) - 1).reset_index(drop=True)
        found = per_pair["hint_level"].notna().to_numpy()
        placed = np.zeros(len(out), dtype=bool)
        fallback = found & (status[asked] == "unmatched")
        if fallback.any():
            _place(out, asked[fallback], per_pair[fallback].reset_index(drop=True),
                   "place not found; ")
            placed[asked[fallback]] = True
        by_name = found & ~by_xy[first[asked]] & (status[asked] == "matched")
        if by_name.any():
            _check_name(out, asked[by_name], per_pair[by_name].reset_index(drop=True), placed)
        point = by_xy[first[asked]]
        if point.any():
            check = found & point
            where = asked[check]
            hint_rows = per_pair[check]
            point2 = out["adm2_pcode"].to_numpy(dtype=object)[where]
            point1 = out["adm1_pcode"].to_numpy(dtype=object)[where]
            h2, h1 = hint_rows["hint_adm2"].to_numpy(dtype=object), hint_rows[
                "hint_adm1"].to_numpy(dtype=object)
            by_adm2 = same_adm2 & pd.notna(h2) & pd.notna(point2)
            differs = np.where(by_adm2, point2 != h2, pd.notna(h1) & (point1 != h1))
            if differs.any():
                _flag_mismatch(out, where[differs],
                               hint_rows[differs].reset_index(drop=True), prefer)
                placed[where[differs]] = prefer == "admin"
        return out, inverse, placed

    def _resolve_hints(self, countries: list[Any], admin1s: list[Any], admin2s: list[Any],
                       admin3s: list[Any]) -> pd.DataFrame:
        """:func:`resolve_admin_hints` with this geocoder's matcher, once per distinct tuple.

        A matcher that remembers across calls (a streamed load's) may answer from memory:
        it then has a ``resolve_admin_hints`` method of the same signature.
        """
        remembered = getattr(self.names, "resolve_admin_hints", None)
        if remembered is not None:
            return remembered(countries, admin1s, admin2s, admin3s)
        return resolve_admin_hints(self.names, countries, admin1s, admin2s, admin3s)

    def _unit_table(self) -> pd.DataFrame:
        """One result row per boundary unit, for rows located by their coordinates."""
        cols = self.points.columns
        n = len(cols["unit_name"])
        return pd.DataFrame({
            "matched_name": cols["unit_name"], "match_lon": np.nan, "match_lat": np.nan,
            **{c: cols[c] for c in UNIT_COLUMNS},
            "method": "coordinates", "confidence": np.ones(n), "status": "matched",
            "candidates": "", "flags": "", "reason": "",
        }, columns=RESULT_COLUMNS)

    def _distinct_names(self, df: pd.DataFrame, name: str, country: str,
                        admin1: str) -> tuple[pd.DataFrame, np.ndarray]:
        """Match each distinct (name, country, admin1) once; return results and row codes."""
        codes, uniques = [], []
        for column in (name, country, admin1):
            if column in df.columns:
                c, u = pd.factorize(df[column], use_na_sentinel=True)
                codes.append(c.astype(np.int64) + 1)
                uniques.append(np.concatenate([[None], np.asarray(u, dtype=object)]))
            else:
                codes.append(np.zeros(len(df), dtype=np.int64))
                uniques.append(np.array([None], dtype=object))
        combined = (codes[0] * len(uniques[1]) + codes[1]) * len(uniques[2]) + codes[2]
        _, first, inverse = _group(combined)
        table = self.names.match(uniques[0][codes[0][first]], uniques[1][codes[1][first]],
                                 uniques[2][codes[2][first]])
        return table, inverse.ravel()


def _adm1_hints(regions: gpd.GeoDataFrame, adm1_names: dict[str, str]) -> dict[str, str]:
    """``{folded name or code: map adm1_pcode}``: what an admin1 hint may say."""
    hints: dict[str, str] = {}
    crosswalk = adm1_crosswalk()
    for row in crosswalk.itertuples():
        hints[fold(row.code)] = row.map_adm1_pcode
        hints.setdefault(fold(row.name), row.map_adm1_pcode)
    table = pcode_table(1).merge(crosswalk, left_on="pcode", right_on="code")
    for row in table.itertuples():
        hints.setdefault(fold(row.name_x), row.map_adm1_pcode)
    for row in regions.itertuples():
        for name in [row.adm1_name, row.adm1_name_fr, *row.alt_names.split("|")]:
            hints.setdefault(fold(name), row.adm1_pcode)
    for pcode, name in adm1_names.items():
        hints.setdefault(fold(pcode), pcode)
        hints.setdefault(fold(name), pcode)
    return hints


def _with_coordinate_flags(rows: pd.DataFrame, flags: np.ndarray) -> pd.DataFrame:
    """Add the coordinate flag (and its note) of each distinct result row."""
    rows = rows.copy()
    for column in ("flags", "reason", "candidates"):
        rows[column] = rows[column].fillna("").astype(object)
    flagged = np.flatnonzero(flags)
    if not len(flagged):
        return rows
    names = np.asarray(COORD_FLAGS, dtype=object)[flags[flagged]]
    notes = np.asarray([COORD_NOTES.get(f, "") for f in COORD_FLAGS], dtype=object)[
        flags[flagged]]
    at = rows.columns.get_loc
    old_flags = rows["flags"].to_numpy()[flagged]
    old_reasons = rows["reason"].to_numpy()[flagged]
    rows.iloc[flagged, at("flags")] = [",".join(filter(None, pair))
                                       for pair in zip(names, old_flags)]
    rows.iloc[flagged, at("reason")] = ["; ".join(filter(None, pair))
                                        for pair in zip(notes, old_reasons)]
    rows.iloc[flagged[names == "snapped"], at("confidence")] = SNAPPED_CONFIDENCE
    return rows


_WORDS = {"adm3": "commune", "adm2": "cercle/department", "adm1": "region"}


def _check_prefer(prefer: str) -> str:
    if prefer not in ("point", "admin"):
        raise OptionError(f"prefer must be 'point' or 'admin', not {prefer!r}")
    return prefer


def _distinct(func: Any, *columns: np.ndarray) -> np.ndarray:
    """``func(*values)`` for each row, computed once per distinct combination of values."""
    code = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        c, u = pd.factorize(pd.Series(column, dtype=object), use_na_sentinel=False)
        code = code * (len(u) + 1) + c
    _, first, inverse = _group(code)
    values = np.asarray([func(*(column[i] for column in columns)) for i in first],
                        dtype=object)
    return values[inverse.ravel()]


def _combined(parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
    """One integer per row for its tuple of codes: equal tuples, equal integers.

    ``parts`` holds, per column, each row's code and the column's distinct values (codes
    index them). The integer is made dense again before it could overflow.
    """
    combined = np.zeros(n, dtype=np.int64)
    size = 1
    for codes, uniques in parts:
        if size * len(uniques) >= 1 << 62:
            combined, size = _group(combined)[2], n
        combined, size = combined * len(uniques) + codes, size * len(uniques)
    return combined


def _group(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct codes (sorted), a row holding each, and each row's position among them.

    ``np.unique`` with ``return_index`` and ``return_inverse``, in one pass without a sort
    when the codes are small non-negative integers, as row codes here are.
    """
    if not len(values) or values.min() < 0 or values.max() > 4 * len(values) + 1_000_000:
        _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        return values[first], first, inverse.ravel()
    present = np.zeros(values.max() + 1, dtype=bool)
    present[values] = True
    inverse = (np.cumsum(present) - 1)[values]
    uniques = np.flatnonzero(present)
    some = np.empty(len(uniques), dtype=np.int64)
    some[inverse] = np.arange(len(values))
    return uniques, some, inverse


def _join(sep: str, *parts: object) -> str:
    return sep.join(str(p) for p in parts if isinstance(p, str) and p)


def _place(result: pd.DataFrame, rows: np.ndarray, hint: pd.DataFrame, why: str) -> None:
    """Put ``rows`` (positions) in the unit their admin columns name (method ``admin-hint``)."""
    at = result.columns.get_loc
    levels = hint["hint_level"].to_numpy(dtype=object)
    result.iloc[rows, at("matched_name")] = hint["hint_name"].to_numpy(dtype=object)
    for mine, theirs in (("adm0_pcode", "hint_adm0"), ("adm1_pcode", "hint_adm1"),
                         ("adm1_name", "hint_adm1_name"), ("adm2_pcode", "hint_adm2"),
                         ("adm2_name", "hint_adm2_name")):
        result.iloc[rows, at(mine)] = hint[theirs].to_numpy(dtype=object)
    result.iloc[rows, at("match_lon")] = np.nan
    result.iloc[rows, at("match_lat")] = np.nan
    result.iloc[rows, at("method")] = "admin-hint"
    result.iloc[rows, at("status")] = "matched"
    result.iloc[rows, at("candidates")] = ""
    result.iloc[rows, at("confidence")] = np.asarray([HINT_CONFIDENCE.get(level, 0.0) for level
                                                      in levels], dtype=float)
    result.iloc[rows, at("reason")] = _distinct(
        lambda old, level, name, note: why + _join("; ", old, note, f"placed in the "
                                                   f"{_WORDS[level]} the row names ({name})"),
        result["reason"].to_numpy(dtype=object)[rows], levels,
        hint["hint_name"].to_numpy(dtype=object), hint["hint_note"].to_numpy(dtype=object))
    result.iloc[rows, at("flags")] = _distinct(
        lambda old: _join(",", old, "admin-hint"), result["flags"].to_numpy(dtype=object)[rows])


def _check_name(result: pd.DataFrame, rows: np.ndarray, hint: pd.DataFrame,
                placed: np.ndarray) -> None:
    """Check places found by their name against the cercle/department their row names.

    A name matched in the region alone (homonyms in several cercles) is placed in the cercle
    the row names, if in that region. A name matched in another cercle than the row's is
    flagged ``name-admin-mismatch`` and put in the row's: a village of the row's cercle may
    share the name of a commune elsewhere, which the gazetteer alone would give.
    """
    hint_adm2 = hint["hint_adm2"].to_numpy(dtype=object)
    adm2 = result["adm2_pcode"].to_numpy(dtype=object)[rows]
    adm1 = result["adm1_pcode"].to_numpy(dtype=object)[rows]
    names_one = pd.notna(hint_adm2)  # the row names a cercle, or a commune (which has one)
    fill = names_one & pd.isna(adm2) & (adm1 == hint["hint_adm1"].to_numpy(dtype=object))
    if fill.any():
        _place(result, rows[fill], hint[fill].reset_index(drop=True), "")
        placed[rows[fill]] = True
    differs = names_one & pd.notna(adm2) & (adm2 != hint_adm2)
    if differs.any():
        _flag_mismatch(result, rows[differs], hint[differs].reset_index(drop=True), "admin",
                       what="name")
        placed[rows[differs]] = True


#: What a mismatch between a row's place and the admin unit it names says, per way the place
#: was found: (the place is in..., flag)
_MISMATCH = {"point": ("point lies in", "point-admin-mismatch"),
             "name": ("the place of that name lies in", "name-admin-mismatch")}


def _flag_mismatch(result: pd.DataFrame, rows: np.ndarray, hint: pd.DataFrame,
                   prefer: str, what: str = "point") -> None:
    """Flag rows whose place lies outside the unit they name; move them if ``prefer="admin"``.

    ``what`` says how the place was found: by its ``"point"`` or by its ``"name"``.
    """
    at = result.columns.get_loc
    lies_in, flag = _MISMATCH[what]
    adm2 = result["adm2_name"].to_numpy(dtype=object)[rows]
    point_unit = np.where(pd.notna(adm2), adm2, result["adm1_name"].to_numpy(dtype=object)[rows])
    notes = _distinct(lambda unit, level, name: f"{lies_in} {unit}, the row names the "
                                                f"{_WORDS[level]} {name}",
                      point_unit, hint["hint_level"].to_numpy(dtype=object),
                      hint["hint_name"].to_numpy(dtype=object))
    if prefer == "admin":
        _place(result, rows, hint, "")
        result.iloc[rows, at("reason")] = _distinct(
            lambda note, old: _join("; ", note, old), notes,
            result["reason"].to_numpy(dtype=object)[rows])
    else:
        result.iloc[rows, at("reason")] = _distinct(
            lambda old, note: _join("; ", old, f"{note} (the point is kept)"),
            result["reason"].to_numpy(dtype=object)[rows], notes)
    result.iloc[rows, at("flags")] = _distinct(
        lambda old: _join(",", old, flag), result["flags"].to_numpy(dtype=object)[rows])


@lru_cache(maxsize=4)
def _default_geocoder(fuzzy_threshold: float) -> Geocoder:
    return Geocoder(fuzzy_threshold=fuzzy_threshold)


def _geocoder(gazetteer: Any, fuzzy_threshold: float,
              boundaries: gpd.GeoDataFrame | None = None) -> Geocoder:
    if isinstance(gazetteer, Geocoder):
        return gazetteer
    if gazetteer is None and boundaries is None:
        return _default_geocoder(float(fuzzy_threshold))
    return Geocoder(gazetteer, boundaries=boundaries, fuzzy_threshold=fuzzy_threshold)
def geocode(name: str | None = None, *, lon: float | None = None, lat: float | None = None,
            country: str | None = None, admin1: str | None = None,
            admin2: str | None = None, admin3: str | None = None, prefer: str = "point",
            gazetteer: Any = None, fuzzy_threshold: float = 85.0) -> GeocodeResult:
    """Geocode one reported place.

    Parameters
    ----------
    name : str, optional
        The place as reported: "Ménaka", "Tin-Hama", "outside Gao".
    lon, lat : float, optional
        Coordinates; used first when they fall in Mali or Niger.
    country, admin1 : str, optional
        Hints ("Mali", "NE", "Gao", "ML07") that settle names found in several units. They
        are binding: a name whose only match lies elsewhere is unmatched, with the reason.
    admin2, admin3 : str, optional
        The cercle/department and commune the report names: where the place is in no
        gazetteer, it lands in the lowest of them (method ``admin-hint``); where its point
        lies elsewhere, it is flagged ``point-admin-mismatch``.
    prefer : {"point", "admin"}
        Which wins when the point and the named admin units disagree.
    gazetteer : Geocoder, Gazetteer, path-like or pandas.DataFrame, optional
        A geocoder to reuse, or a user gazetteer (CSV ``name, lon, lat[, aliases]``) to add.
    fuzzy_threshold : float
        Minimum similarity (0-100) for a misspelt name.

    Returns
    -------
    GeocodeResult

    Examples
    --------
    >>> geocode("Menaka").adm1_pcode
    'ML10'
    >>> r = geocode("outside Gao")
    >>> r.adm1_pcode, r.flags, r.confidence < 1
    ('ML07', 'relative', True)
    """
    frame = pd.DataFrame({"place": [name], "lon": [lon], "lat": [lat], "country": [country],
                          "admin1": [admin1], "admin2": [admin2], "admin3": [admin3]})
    row = geocode_frame(frame, gazetteer=gazetteer, fuzzy_threshold=fuzzy_threshold,
                        prefer=prefer).iloc[0]
    return GeocodeResult.from_row(name, row)


def geocode_frame(df: pd.DataFrame, *, name: str = "place", lon: str = "lon",
                  lat: str = "lat", country: str = "country", admin1: str = "admin1",
                  admin2: str = "admin2", admin3: str = "admin3", prefer: str = "point",
                  gazetteer: Any = None, boundaries: gpd.GeoDataFrame | None = None,
                  fuzzy_threshold: float = 85.0) -> pd.DataFrame:
    """Geocode every row of a frame: coordinates first, then the place name.

    Parameters
    ----------
    df : pandas.DataFrame
        The reports. Columns named below that it lacks are treated as absent.
    name, lon, lat, country, admin1, admin2, admin3 : str
        Column names of the place name, coordinates and admin units named by the row (see
        :func:`geocode`: binding hints, fallback and check).
    prefer : {"point", "admin"}
        Which wins when a row's point lies outside the admin unit it names (the row is
        flagged ``point-admin-mismatch`` either way).
    gazetteer : Geocoder, Gazetteer, path-like or pandas.DataFrame, optional
        A geocoder to reuse, or a user gazetteer to add to the bundled one.
    boundaries : geopandas.GeoDataFrame, optional
        Official boundaries (with ADM2) to locate points in, from
        :func:`sahelmap.read_boundaries`.
    fuzzy_threshold : float
        Minimum similarity (0-100) for a misspelt name.

    Returns
    -------
    pandas.DataFrame
        Same index as ``df``, one row per input row, columns :data:`RESULT_COLUMNS`:
        ``matched_name, match_lon, match_lat, adm0_pcode, adm1_pcode, adm1_name, adm2_pcode,
        adm2_name, method, confidence, status, candidates, flags, reason``.

    Examples
    --------
    >>> reports = pd.DataFrame({"place": ["Ménaka", "Tillaberi", "Gao", "Nowhere-ville"]})
    >>> geocode_frame(reports)[["adm1_pcode", "status"]].fillna("").values.tolist()
    [['ML10', 'matched'], ['NE006', 'matched'], ['ML07', 'matched'], ['', 'unmatched']]
    """
    coder = _geocoder(gazetteer, fuzzy_threshold, boundaries)
    return coder.geocode_frame(df, name=name, lon=lon, lat=lat, country=country, admin1=admin1,
                               admin2=admin2, admin3=admin3, prefer=prefer)
