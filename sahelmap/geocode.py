"""Names and coordinates to admin units of Mali and Niger, offline, with a confidence.

Two ways in, one result shape:

- rows with coordinates are assigned by point-in-polygon (vectorised, spatial index);
  null-island, out-of-range, swapped or outside points are flagged and fall back to the name;
- rows with a place name are matched against the gazetteer: exact key, then alias, then fuzzy
  (rapidfuzz), after folding case, accents, hyphens and apostrophes. Relative phrases
  ("outside Gao", "near Ansongo", "30 km north of Ménaka") resolve to the anchor place with a
  lower confidence. A name found in several regions is ``ambiguous`` unless a country or admin1
  hint of the row settles it: it is never silently given one of them.

Every input row gets a result row; nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from sahelmap.boundaries import adm1_crosswalk, admin_units, pcode_table
from sahelmap.gazetteer import KINDS, Gazetteer, load_gazetteer, normalize_name

__all__ = ["RESULT_COLUMNS", "GeocodeResult", "Geocoder", "geocode", "geocode_frame"]

RESULT_COLUMNS = [
    "matched_name", "match_lon", "match_lat", "adm0_pcode", "adm1_pcode", "adm1_name",
    "adm2_pcode", "adm2_name", "method", "confidence", "status", "candidates", "flags",
    "reason",
]

# Points this far outside every unit (degrees, ~5 km) are snapped to the nearest one: the
# bundled borders are simplified and a town on the border may fall just outside.
SNAP_DISTANCE = 0.05
MIN_FUZZY_LENGTH = 4

CONFIDENCE = {"coordinates": 1.0, "exact": 1.0, "alias": 0.95, "admin-name": 0.9}
RELATIVE_FACTOR = 0.75
HINT_CONFLICT_FACTOR = 0.8
SNAPPED_CONFIDENCE = 0.85

_DIRECTION = (r"(?:north|south|east|west|north ?east|north ?west|south ?east|south ?west"
              r"|nord|sud|est|ouest|nord ?est|nord ?ouest|sud ?est|sud ?ouest)")
_RELATIVE = re.compile(
    r"^(?:(?:just|right|about|some|approximately|environ|a|at)\s+)*(?:"
    r"outside(?:\s+of)?|outskirts\s+of|on\s+the\s+outskirts\s+of|near|nearby|close\s+to"
    r"|around|in\s+the\s+vicinity\s+of|vicinity\s+of|not\s+far\s+from"
    r"|pres\s+de|pres\s+d|proche\s+de|non\s+loin\s+de|aux\s+environs\s+de|environs\s+de"
    r"|a\s+la\s+sortie\s+de|sortie\s+de|a\s+proximite\s+de|a\s+proximite\s+d|autour\s+de"
    rf"|(?:\d+\s*(?:km|kms|kilometres|kilometers|miles|mi)\s+)?(?:au\s+|a\s+l\s+)?{_DIRECTION}"
    r"\s+(?:of|from|de|d)"
    r"|\d+\s*(?:km|kms|kilometres|kilometers|miles|mi)\s+(?:of|from|de|d)"
    r")\s+(?P<anchor>.+)$"
)
_GENERIC = re.compile(
    r"^(?:the\s+|le\s+|la\s+|les\s+)?(?:(?:displaced(?:\s+people\s*s?)?|idp|idps|refugee|pdi)"
    r"\s+(?:camp|site|settlement)s?(?:\s+(?:at|of|in|de|d))?|(?:camp|site)\s+(?:de|d|des|at|of)"
    r"(?:\s+(?:deplaces|pdi|refugies))?(?:\s+(?:de|d|a))?|village\s+(?:of|de|d)|town\s+of"
    r"|city\s+of|ville\s+de|commune\s+(?:of|de|d)|cercle\s+(?:of|de|d)|department\s+of"
    r"|departement\s+de|region\s+(?:of|de|d)|circle\s+of|the)\s+"
)
_SUFFIX = re.compile(r"\s+(?:region|town|city|village|commune|cercle|district|department|"
                     r"departement|camp|site)$")


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


def _na(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value


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
        Minimum rapidfuzz ``ratio`` (0-100) for a misspelt name to match.
    """

    def __init__(self, gazetteer: Gazetteer | str | PathLike | pd.DataFrame | None = None, *,
                 boundaries: gpd.GeoDataFrame | None = None,
                 fuzzy_threshold: float = 85.0) -> None:
        if not 0 <= fuzzy_threshold <= 100:
            raise ValueError(f"fuzzy_threshold must be within 0-100, got {fuzzy_threshold}")
        self.fuzzy_threshold = float(fuzzy_threshold)
        self._init_units(boundaries)
        if not isinstance(gazetteer, Gazetteer):
            gazetteer = load_gazetteer(gazetteer)
        self.gazetteer = self._complete(gazetteer)
        self._init_index()
        self._init_hints()

    # -- set-up -------------------------------------------------------------------------
    def _init_units(self, boundaries: gpd.GeoDataFrame | None) -> None:
        units = admin_units("adm3") if boundaries is None else boundaries.to_crs("EPSG:4326")
        missing = {"adm0_pcode", "adm1_pcode", "adm1_name"} - set(units.columns)
        if missing:
            raise ValueError(f"boundaries lack column(s) {sorted(missing)}: read them with "
                             "sahelmap.read_boundaries(), which recognises COD-AB and "
                             "geoBoundaries columns.")
        units = units.reset_index(drop=True)
        self._has_adm2 = "adm2_pcode" in units.columns
        for column in ("adm2_pcode", "adm2_name"):
            if column not in units:
                units[column] = None
        name_col = next(c for c in ("adm3_name", "adm2_name", "adm1_name")
                        if c in units and units[c].notna().any())
        self._unit_cols = {c: units[c].astype(object).where(units[c].notna(), None).to_numpy()
                           for c in ("adm0_pcode", "adm1_pcode", "adm1_name", "adm2_pcode",
                                     "adm2_name")}
        self._unit_cols["unit_name"] = units[name_col].astype(object).to_numpy()
        geoms = units.geometry.to_numpy()
        shapely.prepare(geoms)
        self._geoms = geoms
        self._bounds = shapely.bounds(geoms)
        self._tree = shapely.STRtree(geoms)
        groups = units.groupby("adm1_pcode", sort=True).indices
        self._region_members = list(groups.values())
        self._regions = [shapely.union_all(geoms[m]) for m in self._region_members]
        shapely.prepare(self._regions)
        self._units = units
        regions = admin_units("adm1")
        self.adm1_names = dict(zip(regions["adm1_pcode"], regions["adm1_name"]))
        if boundaries is not None:
            self.adm1_names.update(zip(units["adm1_pcode"], units["adm1_name"]))
        self._unit_results = self._unit_table()

    def _complete(self, gazetteer: Gazetteer) -> Gazetteer:
        """Locate entries whose units are not known (user entries; ADM2 from boundaries)."""
        entries = gazetteer.entries.copy()
        has_xy = entries["lon"].notna() & entries["lat"].notna()
        todo = has_xy & (entries["adm1_pcode"].isna() | (entries["kind"] == "user"))
        if self._has_adm2:
            todo |= has_xy & entries["kind"].isin(["place", "commune", "user"])
        if not todo.any():
            return gazetteer
        found = self.locate(entries.loc[todo, "lon"].to_numpy(float),
                            entries.loc[todo, "lat"].to_numpy(float))
        inside = found["inside"].to_numpy()
        idx = entries.index[todo][inside]
        for column in ("adm0_pcode", "adm1_pcode"):
            entries.loc[idx, column] = found.loc[inside, column].to_numpy()
        if self._has_adm2:
            entries.loc[idx, "adm2_pcode"] = found.loc[inside, "adm2_pcode"].to_numpy()
            entries.loc[idx, "adm2_name"] = found.loc[inside, "adm2_name"].to_numpy()
        return Gazetteer(entries, gazetteer.keys)

    def _init_index(self) -> None:
        entries, keys = self.gazetteer.entries, self.gazetteer.keys
        rank = {kind: i for i, kind in enumerate(KINDS)}
        self._e_name = entries["name"].astype(object).to_numpy()
        self._e_kind = entries["kind"].astype(object).to_numpy()
        self._e_rank = entries["kind"].map(rank).fillna(len(KINDS)).to_numpy(int)
        self._e_lon = entries["lon"].to_numpy(float)
        self._e_lat = entries["lat"].to_numpy(float)
        self._e_pop = pd.to_numeric(entries["population"], errors="coerce").fillna(0).to_numpy(float)
        self._e = {c: entries[c].astype(object).where(entries[c].notna(), None).to_numpy()
                   for c in ("adm0_pcode", "adm1_pcode", "adm2_pcode", "adm2_name")}
        grouped = keys.groupby("key", sort=True)
        self._key_entries: dict[str, np.ndarray] = {
            k: g["entry"].to_numpy() for k, g in grouped}
        self._key_via: dict[str, np.ndarray] = {
            k: (g["via"] == "alias").to_numpy() for k, g in grouped}
        self._choices = list(self._key_entries)

    def _init_hints(self) -> None:
        hints: dict[str, str] = {}
        for row in adm1_crosswalk().itertuples():
            hints[normalize_name(row.code)] = row.map_adm1_pcode
            hints.setdefault(normalize_name(row.name), row.map_adm1_pcode)
        table = pcode_table(1).merge(adm1_crosswalk(), left_on="pcode", right_on="code")
        for row in table.itertuples():
            hints.setdefault(normalize_name(row.name_x), row.map_adm1_pcode)
        for row in admin_units("adm1").itertuples():
            for name in [row.adm1_name, row.adm1_name_fr, *row.alt_names.split("|")]:
                hints.setdefault(normalize_name(name), row.adm1_pcode)
        for pcode, name in self.adm1_names.items():
            hints.setdefault(normalize_name(pcode), pcode)
            hints.setdefault(normalize_name(name), pcode)
        self._adm1_hints = hints
        self._country_hints = {"ml": "ML", "mli": "ML", "mali": "ML", "ne": "NE",
                               "ner": "NE", "niger": "NE"}

    # -- coordinates --------------------------------------------------------------------
    def locate(self, lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
        """Return the unit containing each point (vectorised).

        Parameters
        ----------
        lon, lat : array-like of float
            Decimal degrees, NaN where unknown.

        Returns
        -------
        pandas.DataFrame
            ``adm0_pcode, adm1_pcode, adm1_name, adm2_pcode, adm2_name, unit_name``,
            ``inside`` (bool) and ``flags`` (``""``, ``"snapped"``, ``"null_island"``,
            ``"invalid_coordinates"``, ``"swapped_latlon"`` or ``"outside_area"``).
        """
        unit, flag = self._locate_codes(lon, lat)
        inside = unit >= 0
        out = {c: np.full(len(unit), None, dtype=object) for c in self._unit_cols}
        for column, values in self._unit_cols.items():
            out[column][inside] = values[unit[inside]]
        out["inside"] = inside
        out["flags"] = np.asarray(COORD_FLAGS, dtype=object)[flag]
        return pd.DataFrame(out)

    def _locate_codes(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Unit index (-1 if none) and :data:`COORD_FLAGS` code of each point."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = len(lon)
        unit = np.full(n, -1, dtype=np.int64)
        flag = np.zeros(n, dtype=np.int8)
        finite = np.isfinite(lon) & np.isfinite(lat)
        valid = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        flag[finite & ~valid] = COORD_FLAGS.index("invalid_coordinates")
        null = valid & (lon == 0) & (lat == 0)
        flag[null] = COORD_FLAGS.index("null_island")
        todo = np.flatnonzero(valid & ~null)
        unit[todo] = self._contains(lon[todo], lat[todo])
        outside = todo[unit[todo] < 0]
        if len(outside):
            snapped = self._nearest(lon[outside], lat[outside])
            unit[outside] = snapped
            flag[outside[snapped >= 0]] = COORD_FLAGS.index("snapped")
            still = outside[snapped < 0]
            swapped = self._contains(lat[still], lon[still]) if len(still) else still
            flag[still] = np.where(swapped >= 0, COORD_FLAGS.index("swapped_latlon"),
                                   COORD_FLAGS.index("outside_area"))
        return unit, flag

    def _contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the first unit containing each point, -1 if none.

        Two levels, without building point geometries: the region first (a few large
        prepared polygons), then the units of that region, each tested only on the points
        inside its bounding box (points sorted by x, sliced with ``searchsorted``).
        """
        result = np.full(len(x), -1, dtype=np.int64)
        for region, members in zip(self._regions, self._region_members):
            bx0, by0, bx1, by1 = region.bounds
            near = np.flatnonzero((x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1)
                                  & (result < 0))
            if not len(near):
                continue
            near = near[shapely.contains_xy(region, x[near], y[near])]
            if not len(near):
                continue
            near = near[np.argsort(x[near], kind="stable")]
            xs, ys = x[near], y[near]
            for unit in members:
                ux0, uy0, ux1, uy1 = self._bounds[unit]
                lo, hi = np.searchsorted(xs, [ux0, ux1], side="left")[0], \
                    np.searchsorted(xs, ux1, side="right")
                if lo >= hi:
                    continue
                window = np.arange(lo, hi)
                window = window[(ys[window] >= uy0) & (ys[window] <= uy1)]
                window = window[result[near[window]] < 0]
                if not len(window):
                    continue
                inside = shapely.intersects_xy(self._geoms[unit], xs[window], ys[window])
                result[near[window[inside]]] = unit
        # points on the outer edge of a region polygon, or in units whose region union
        # misses them (invalid user boundaries): the spatial index settles them
        rest = np.flatnonzero(result < 0)
        if len(rest):
            hit, tree_idx = self._tree.query(shapely.points(x[rest], y[rest]),
                                             predicate="intersects")
            order = np.lexsort((tree_idx, hit))
            hit, tree_idx = hit[order], tree_idx[order]
            first = np.ones(len(hit), dtype=bool)
            first[1:] = hit[1:] != hit[:-1]
            result[rest[hit[first]]] = tree_idx[first]
        return result

    def _nearest(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = np.full(len(x), -1, dtype=np.int64)
        hit, tree_idx = self._tree.query_nearest(shapely.points(x, y),
                                                 max_distance=SNAP_DISTANCE, all_matches=False)
        result[hit] = tree_idx
        return result

    # -- names --------------------------------------------------------------------------
    def _parts(self, raw: str) -> list[tuple[str, bool]]:
        """Split a reported place into matching keys, each marked relative or not."""
        parts = []
        for piece in re.split(r"[,;/()\[\]]| - ", raw):
            key = normalize_name(piece)
            relative = False
            for _ in range(3):  # "the displaced camp just outside Gao"
                before = key
                key = _GENERIC.sub("", key)
                found = _RELATIVE.match(key)
                if found:
                    key, relative = found.group("anchor"), True
                key = _SUFFIX.sub("", key)
                if key == before:
                    break
            if key:
                parts.append((key, relative))
        return parts

    def _hint(self, country: Any, admin1: Any) -> tuple[str | None, str | None, list[str]]:
        notes = []
        c = self._country_hints.get(normalize_name(country)) if _na(country) else None
        if _na(country) and c is None:
            notes.append(f"country hint {country!r} not recognised")
        a = None
        if _na(admin1):
            key = _SUFFIX.sub("", normalize_name(admin1))
            key = re.sub(r"^(?:region|region de|region of|cercle de)\s+", "", key)
            a = self._adm1_hints.get(key)
            if a is None:
                notes.append(f"admin1 hint {admin1!r} not recognised")
        return c, a, notes

    def match_names(self, names: Any, countries: Any = None,
                    admin1s: Any = None) -> pd.DataFrame:
        """Geocode distinct names (one result row per input, in order).

        Callers with many repeated names should deduplicate first, as
        :meth:`geocode_frame` does.
        """
        names = list(names)
        n = len(names)
        countries = [None] * n if countries is None else list(countries)
        admin1s = [None] * n if admin1s is None else list(admin1s)
        queries = [self._parts(str(nm)) if _na(nm) is not None else [] for nm in names]
        fuzzy_keys = sorted({key for parts in queries for key, _ in parts
                             if key not in self._key_entries and len(key) >= MIN_FUZZY_LENGTH})
        fuzzy = self._fuzzy(fuzzy_keys)
        rows = [self._resolve(nm, parts, countries[i], admin1s[i], fuzzy)
                for i, (nm, parts) in enumerate(zip(names, queries))]
        return pd.DataFrame(rows, columns=RESULT_COLUMNS)

    def _fuzzy(self, keys: list[str]) -> dict[str, tuple[list[str], float, str, float]]:
        """For each key: (best matching keys, score, closest key, closest score)."""
        if not keys:
            return {}
        scores = process.cdist(keys, self._choices, scorer=fuzz.ratio, dtype=np.uint8,
                               workers=-1)
        best = scores.max(axis=1)
        out = {}
        for i, key in enumerate(keys):
            top = np.flatnonzero(scores[i] == best[i])
            matched = [self._choices[j] for j in top] if best[i] >= self.fuzzy_threshold else []
            out[key] = (matched, float(best[i]), self._choices[top[0]], float(best[i]))
        return out

    def _resolve(self, raw: Any, parts: list[tuple[str, bool]], country: Any, admin1: Any,
                 fuzzy: dict) -> list[Any]:
        if not parts:
            return _unmatched("no place name given")
        hint_c, hint_a, notes = self._hint(country, admin1)
        missed = []
        for position, (key, relative) in enumerate(parts):
            if key in self._key_entries:
                entries, alias = self._key_entries[key], self._key_via[key]
                method, score = None, 100.0
            elif key in fuzzy and fuzzy[key][0]:
                matched = fuzzy[key][0]
                entries = np.concatenate([self._key_entries[k] for k in matched])
                alias = np.concatenate([self._key_via[k] for k in matched])
                method, score = "fuzzy", fuzzy[key][1]
            else:
                missed.append(key)
                continue
            row = self._choose(str(raw), key, entries, alias, method, score, hint_c, hint_a,
                               notes)
            flags = row[12].split(",") if row[12] else []
            if relative:
                flags.append("relative")
                row[9] = round(row[9] * RELATIVE_FACTOR, 3)
                row[13] = "; ".join(filter(None, [row[13], f"located at the anchor place '{key}'"]))
            if position and missed:
                flags.append("partial")
                row[13] = "; ".join(filter(None, [row[13], f"'{missed[0]}' not found"]))
            row[12] = ",".join(flags)
            return row
        closest = ""
        if missed and missed[0] in fuzzy:
            _, _, near, score = fuzzy[missed[0]]
            closest = f" (closest: '{near}', {score:.0f}%)"
        return _unmatched(f"no gazetteer entry for '{missed[0] if missed else raw}'{closest}")

    def _choose(self, raw: str, key: str, entries: np.ndarray, alias: np.ndarray,
                method: str | None, score: float, hint_c: str | None, hint_a: str | None,
                notes: list[str]) -> list[Any]:
        flags, confidence_factor = [], 1.0
        adm0, adm1 = self._e["adm0_pcode"][entries], self._e["adm1_pcode"][entries]
        for hint, values, label in ((hint_c, adm0, "country"), (hint_a, adm1, "admin1")):
            if hint is None:
                continue
            keep = values == hint
            if keep.any():
                entries, alias = entries[keep], alias[keep]
                adm0, adm1 = self._e["adm0_pcode"][entries], self._e["adm1_pcode"][entries]
            else:
                flags.append(f"{label}_hint_conflict")
                confidence_factor *= HINT_CONFLICT_FACTOR
        units = sorted({u for u in adm1 if u is not None})
        if len(units) > 1:
            listing = "; ".join(
                f"{self._e_name[e]} [{self._e_kind[e]}] in {self.adm1_names.get(u, u)} ({u})"
                for u in units for e in entries[adm1 == u][:1])
            row = _unmatched(f"'{raw}' is in {len(units)} regions; give a country or admin1 "
                             "hint, or coordinates")
            row[10], row[11] = "ambiguous", listing
            countries = {c for c in adm0 if c is not None}
            if len(countries) == 1:
                row[3] = countries.pop()
            return row
        if not units:
            return _unmatched(f"'{raw}' matched entries without a known region")
        # most specific kind with coordinates, then the most populous
        has_xy = np.isfinite(self._e_lon[entries])
        order = np.lexsort((-self._e_pop[entries], self._e_rank[entries], ~has_xy))
        best = entries[order[0]]
        kind = self._e_kind[best]
        if method is None:
            if kind in ("adm1", "adm2"):
                method = "admin-name"
            else:
                method = "alias" if alias[order[0]] else "exact"
        confidence = CONFIDENCE.get(method, 0.9 * score / 100) * confidence_factor
        adm2_pcode, adm2_name = self._e["adm2_pcode"][best], self._e["adm2_name"][best]
        if adm2_pcode is None:
            same = {(self._e["adm2_pcode"][e], self._e["adm2_name"][e]) for e in entries
                    if self._e["adm2_pcode"][e] is not None}
            if len(same) == 1:
                adm2_pcode, adm2_name = same.pop()
        reason = "; ".join(notes + ([f"fuzzy match {score:.0f}% to '{key}'"]
                                    if method == "fuzzy" else []))
        return [self._e_name[best], self._e_lon[best], self._e_lat[best],
                self._e["adm0_pcode"][best], units[0], self.adm1_names.get(units[0]),
                adm2_pcode, adm2_name, method, round(confidence, 3), "matched", "",
                ",".join(flags), reason]

    # -- frames -------------------------------------------------------------------------
    def geocode_frame(self, df: pd.DataFrame, *, name: str = "place", lon: str = "lon",
                      lat: str = "lat", country: str = "country",
                      admin1: str = "admin1") -> pd.DataFrame:
        """See :func:`geocode_frame`.

        Rows are reduced to a small table of distinct results (one per unit hit by a point,
        one per distinct name and hints), which is then expanded with ``take``: no Python
        work per row.
        """
        n = len(df)
        code = np.full(n, -1, dtype=np.int64)  # row of the result table
        flag = np.zeros(n, dtype=np.int8)      # COORD_FLAGS code
        x = y = np.full(n, np.nan)
        tables = [self._unit_results]
        if lon in df.columns and lat in df.columns:
            x = pd.to_numeric(df[lon], errors="coerce").to_numpy(float)
            y = pd.to_numeric(df[lat], errors="coerce").to_numpy(float)
            has = np.flatnonzero(np.isfinite(x) | np.isfinite(y))
            if len(has):
                unit, flag[has] = self._locate_codes(x[has], y[has])
                code[has] = unit
        by_xy = code >= 0
        todo = np.flatnonzero(~by_xy)
        if len(todo):
            offset = len(tables[0])
            if name in df.columns:
                names, inverse = self._distinct_names(df.iloc[todo], name, country, admin1)
                tables.append(names)
                code[todo] = offset + inverse
            else:
                tables.append(pd.DataFrame([_unmatched("no place name or usable coordinates")],
                                           columns=RESULT_COLUMNS))
                code[todo] = offset
        table = pd.concat(tables, ignore_index=True)
        combo, inverse = np.unique(code * len(COORD_FLAGS) + flag, return_inverse=True)
        rows = table.iloc[combo // len(COORD_FLAGS)].reset_index(drop=True)
        rows = _with_coordinate_flags(rows, combo % len(COORD_FLAGS))
        result = rows.take(inverse.ravel()).set_axis(df.index)
        result["match_lon"] = np.where(by_xy, x, result["match_lon"].to_numpy(dtype=float))
        result["match_lat"] = np.where(by_xy, y, result["match_lat"].to_numpy(dtype=float))
        result["confidence"] = result["confidence"].astype(float)
        return result

    def _unit_table(self) -> pd.DataFrame:
        """One result row per boundary unit, for rows located by their coordinates."""
        cols = self._unit_cols
        n = len(cols["unit_name"])
        return pd.DataFrame({
            "matched_name": cols["unit_name"], "match_lon": np.nan, "match_lat": np.nan,
            **{c: cols[c] for c in ("adm0_pcode", "adm1_pcode", "adm1_name", "adm2_pcode",
                                    "adm2_name")},
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
        group, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        table = self.match_names(uniques[0][codes[0][first]], uniques[1][codes[1][first]],
                                 uniques[2][codes[2][first]])
        return table, inverse.ravel()


COORD_FLAGS = ("", "snapped", "null_island", "invalid_coordinates", "swapped_latlon",
               "outside_area")


def _with_coordinate_flags(rows: pd.DataFrame, flags: np.ndarray) -> pd.DataFrame:
    """Add the coordinate flag (and its note) of each distinct result row."""
    rows = rows.copy()
    for column in ("flags", "reason", "candidates"):
        rows[column] = rows[column].fillna("").astype(object)
    for i in np.flatnonzero(flags):
        flag = COORD_FLAGS[flags[i]]
        rows.at[i, "flags"] = ",".join(filter(None, [flag, rows.at[i, "flags"]]))
        rows.at[i, "reason"] = "; ".join(filter(None, [_COORD_NOTES[flag], rows.at[i, "reason"]]))
        if flag == "snapped":
            rows.at[i, "confidence"] = SNAPPED_CONFIDENCE
    return rows


_COORD_NOTES = {
    "snapped": f"point just outside every unit, snapped to the nearest (< {SNAP_DISTANCE}°)",
    "null_island": "coordinates are (0, 0), taken as missing",
    "invalid_coordinates": "coordinates out of range",
    "swapped_latlon": "coordinates look swapped (lat/lon): swapped they fall in Mali/Niger",
    "outside_area": "coordinates fall outside Mali and Niger",
}


def _unmatched(reason: str) -> list[Any]:
    return [None, np.nan, np.nan, None, None, None, None, None, None, 0.0, "unmatched", "",
            "", reason]


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
            gazetteer: Any = None, fuzzy_threshold: float = 85.0) -> GeocodeResult:
    """Geocode one reported place.

    Parameters
    ----------
    name : str, optional
        The place as reported: "Ménaka", "Tin-Hama", "outside Gao".
    lon, lat : float, optional
        Coordinates; used first when they fall in Mali or Niger.
    country, admin1 : str, optional
        Hints ("Mali", "NE", "Gao", "ML07") that settle names found in several units.
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
                          "admin1": [admin1]})
    row = geocode_frame(frame, gazetteer=gazetteer, fuzzy_threshold=fuzzy_threshold).iloc[0]
    return GeocodeResult(
        query="" if name is None else str(name),
        matched_name=_na(row["matched_name"]), lon=float(row["match_lon"]),
        lat=float(row["match_lat"]),
        **{c: _na(row[c]) for c in ("adm0_pcode", "adm1_pcode", "adm1_name", "adm2_pcode",
                                    "adm2_name", "method")},
        confidence=float(row["confidence"]), status=str(row["status"]),
        candidates=str(row["candidates"]), flags=str(row["flags"]), reason=str(row["reason"]),
    )


def geocode_frame(df: pd.DataFrame, *, name: str = "place", lon: str = "lon",
                  lat: str = "lat", country: str = "country", admin1: str = "admin1",
                  gazetteer: Any = None, boundaries: gpd.GeoDataFrame | None = None,
                  fuzzy_threshold: float = 85.0) -> pd.DataFrame:
    """Geocode every row of a frame: coordinates first, then the place name.

    Parameters
    ----------
    df : pandas.DataFrame
        The reports. Columns named below that it lacks are treated as absent.
    name, lon, lat, country, admin1 : str
        Column names of the place name, coordinates and hints.
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
    return coder.geocode_frame(df, name=name, lon=lon, lat=lat, country=country, admin1=admin1)
