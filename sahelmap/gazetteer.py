"""Places and their names: the bundled gazetteer and users' additions.

Pure data handling, no geometry: :mod:`sahelmap.geocoding` does the matching; names are
folded to their keys with :func:`sahelmap.vocab.fold`.

:func:`learn_gazetteer` builds a user gazetteer from the user's own event files that give
both a place name and coordinates (past ACLED exports, say), and :func:`coverage` tells how
many of another file's place names it knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike

import numpy as np
import pandas as pd

from sahelmap.datasets import bundled
from sahelmap.errors import GazetteerError, InputFileError, OptionError
from sahelmap.vocab import fold

__all__ = ["Coverage", "Gazetteer", "coverage", "learn_gazetteer", "load_gazetteer",
           "read_user_gazetteer"]

# Kinds, from the most to the least specific; a name shared by several kinds of one unit
# resolves to the most specific one that has coordinates.
KINDS = ("user", "place", "commune", "adm2", "adm1")
_COLUMNS = ["name", "alt_names", "kind", "lon", "lat", "adm0_pcode", "adm1_pcode",
            "adm2_pcode", "adm2_name", "population", "source", "source_id"]


@dataclass(frozen=True)
class Gazetteer:
    """A table of named places and the index of their matching keys.

    Attributes
    ----------
    entries : pandas.DataFrame
        One row per place: ``name, alt_names, kind, lon, lat, adm0_pcode, adm1_pcode,
        adm2_pcode, adm2_name, population, source, source_id``.
    keys : pandas.DataFrame
        One row per (key, entry): ``key`` (normalised name), ``entry`` (row position in
        ``entries``) and ``via`` (``"name"`` or ``"alias"``).
    """

    entries: pd.DataFrame
    keys: pd.DataFrame = field(repr=False)

    @classmethod
    def from_entries(cls, entries: pd.DataFrame) -> Gazetteer:
        """Build the key index of a table of entries (columns as in :attr:`entries`)."""
        entries = entries.reindex(columns=_COLUMNS).reset_index(drop=True)
        entries["alt_names"] = entries["alt_names"].fillna("").astype(str)
        names = pd.DataFrame({"name": entries["name"], "entry": entries.index, "via": "name"})
        alts = entries["alt_names"].str.split("|").explode()
        alts = alts[alts.notna() & (alts.str.strip() != "")]
        aliases = pd.DataFrame({"name": alts.to_numpy(), "entry": alts.index, "via": "alias"})
        keys = pd.concat([names, aliases], ignore_index=True)
        keys["key"] = [fold(n) for n in keys["name"]]
        keys = keys[keys["key"] != ""]
        # an alias equal to the entry's own name adds nothing
        # an entry found by its own name is "name", not "alias", when both give the key
        keys = keys.iloc[np.argsort(keys["via"].eq("alias").to_numpy(), kind="stable")]
        keys = keys.drop_duplicates(["key", "entry"])
        return cls(entries, keys[["key", "entry", "via"]].reset_index(drop=True))

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, other: pd.DataFrame) -> Gazetteer:
        """Return a new gazetteer with ``other``'s entries appended."""
        return Gazetteer.from_entries(pd.concat([self.entries, other], ignore_index=True))


@lru_cache(maxsize=1)
def _bundled() -> Gazetteer:
    entries = pd.read_csv(
        bundled("admin_boundaries", "places.csv"),
        dtype={c: str for c in _COLUMNS if c not in ("lon", "lat", "population")},
        keep_default_na=False, na_values={"lon": [""], "lat": [""], "population": [""]},
    )
    for column in ("adm2_pcode", "adm2_name"):
        entries[column] = entries[column].replace("", None)
    return Gazetteer.from_entries(entries)


def read_user_gazetteer(path: str | PathLike | pd.DataFrame) -> pd.DataFrame:
    """Read a user's gazetteer: places no public list has (a camp, a hamlet).

    Parameters
    ----------
    path : path-like or pandas.DataFrame
        CSV with columns ``name, lon, lat`` and optionally ``aliases`` (names separated by
        ``|`` or ``;``), ``country`` and ``admin1``. Coordinates are decimal degrees.

    Returns
    -------
    pandas.DataFrame
        Entries of kind ``"user"``; their admin units are filled in by the geocoder from
        their coordinates.

    Raises
    ------
    GazetteerError
        Naming the file, row and field of a missing column or a bad coordinate.
    """
    label = "<DataFrame>" if isinstance(path, pd.DataFrame) else str(path)
    if isinstance(path, pd.DataFrame):
        table, rows = path.copy(), np.arange(2, len(path) + 2)
    else:
        table, rows = _read_places(path, label)
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in ("name", "lon", "lat") if c not in table.columns]
    if missing:
        raise GazetteerError(
            f"Gazetteer file {label} lacks column(s) {', '.join(missing)}; "
            f"expected name, lon, lat and optionally aliases (it has {list(table.columns)})."
        )
    lon = pd.to_numeric(table["lon"], errors="coerce")
    lat = pd.to_numeric(table["lat"], errors="coerce")
    for column, values, bound in (("lon", lon, 180), ("lat", lat, 90)):
        bad = values.isna() | (values.abs() > bound)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise GazetteerError(
                f"Gazetteer file {label}, row {rows[row]}, field {column!r}: "
                f"{table[column].iloc[row]!r} is not a coordinate in decimal degrees."
            )
    blank = table["name"].fillna("").str.strip() == ""
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise GazetteerError(f"Gazetteer file {label}, row {rows[row]}, field 'name': empty.")
    aliases = table.get("aliases", pd.Series("", index=table.index)).fillna("")
    return pd.DataFrame({
        "name": table["name"].str.strip(),
        "alt_names": aliases.astype(str).str.replace(";", "|"),
        "kind": "user",
        "lon": lon.to_numpy(float),
        "lat": lat.to_numpy(float),
        "source": f"user gazetteer {label}",
        "source_id": [f"{label}:{row}" for row in rows],
    })


def _read_places(path: str | PathLike, label: str) -> tuple[pd.DataFrame, np.ndarray]:
    """A gazetteer file's cells and row numbers, read as report files are (any encoding)."""
    from sahelmap.errors import InputFileError
    from sahelmap.loaders.files import MARKERS, read_table

    try:
        raw = read_table(path)
    except InputFileError as exc:
        reason = str(exc).split(": ", 1)[-1]
        if "empty" in reason or "no header" in reason:
            reason += ": it needs a header 'name,lon,lat[,aliases]' and one row per place"
        raise GazetteerError(f"Gazetteer file {label}: {reason}") from None
    table = raw.frame
    for marker in (m for m in MARKERS if m in table.columns):
        damaged = table[marker].notna().to_numpy()
        if damaged.any():
            raise GazetteerError(f"Gazetteer file {label}, row {raw.rows[damaged][0]}: "
                                 f"damaged row {marker}: fix it and run again")
        table = table.drop(columns=marker)
    return table, raw.rows


def load_gazetteer(extra: str | PathLike | pd.DataFrame | None = None) -> Gazetteer:
    """Return the bundled gazetteer, with a user's entries added when given.

    Parameters
    ----------
    extra : path-like or pandas.DataFrame, optional
        A user gazetteer (see :func:`read_user_gazetteer`).

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> sorted(set(gaz.entries["kind"]))
    ['adm1', 'adm2', 'commune', 'place']
    """
    base = _bundled()
    if extra is None:
        return base
    return base.add(read_user_gazetteer(extra))


# -- learning from the user's own files -----------------------------------------------------

#: The columns :func:`learn_gazetteer` returns.
LEARNED_COLUMNS = ("name", "lon", "lat", "aliases", "adm1_name", "adm2_name", "adm3_name",
                   "count")
_EARTH_RADIUS_KM = 6371.0088


def _distance_km(lon1: np.ndarray, lat1: np.ndarray, lon2: float, lat2: float) -> np.ndarray:
    """Great-circle distance (haversine) from points 1 to one point 2."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _most_common(values: pd.Series, weights: pd.Series) -> object:
    """The value with the largest total weight (first seen on a tie); None if all NA."""
    table = pd.DataFrame({"v": values, "w": weights}).dropna(subset=["v"])
    if not len(table):
        return None
    totals = table.groupby("v", sort=False)["w"].sum()
    return totals.idxmax()


def _named_points(paths: Sequence[str | PathLike] | str | PathLike,
                  columns: Mapping[str, str | None] | None, encoding: str | None
                  ) -> pd.DataFrame:
    """Every row with a place name and coordinates: name, lon, lat, admin names."""
    from sahelmap.loaders.checks import parse_coordinates
    from sahelmap.loaders.columns import recognise_columns
    from sahelmap.loaders.files import read_table
    from sahelmap.loaders.tables import Table, as_paths, canonical

    fields = ("place", "lon", "lat", "admin1", "admin2", "admin3")
    parts = []
    for path in as_paths(paths):
        raw = read_table(path, encoding=encoding)
        headers = list(raw.frame.columns)
        try:
            cmap = recognise_columns(headers, kind="events", hxl_tags=raw.hxl_tags,
                                     mapping=columns)
        except KeyError as exc:
            raise InputFileError(f"column {exc.args[0]!r} named in columns= is not in the "
                                 f"file; its columns are: {', '.join(headers)}",
                                 path=path) from None
        has_points = raw.point_lon is not None and bool(np.isfinite(raw.point_lon).any())
        if "place" not in cmap.fields or not (
                {"lon", "lat"} <= set(cmap.fields) or has_points):
            raise InputFileError(
                "learning places needs a place name column and coordinates (longitude and "
                f"latitude columns or point geometries); the columns are: "
                f"{', '.join(headers)}; map them with columns={{'<column>': 'place'}}",
                path=path)
        frame = canonical([Table(raw, cmap, None)], fields)
        lon = parse_coordinates(frame["lon"], what="longitude")["value"].to_numpy()
        lat = parse_coordinates(frame["lat"], what="latitude")["value"].to_numpy()
        none = np.isnan(lon) & np.isnan(lat)
        lon = np.where(none, frame["_plon"].to_numpy(), lon)
        lat = np.where(none, frame["_plat"].to_numpy(), lat)
        parts.append(pd.DataFrame({
            "name": frame["place"].astype(object).str.strip().to_numpy(),
            "lon": lon, "lat": lat,
            "adm1_name": frame["admin1"].to_numpy(dtype=object),
            "adm2_name": frame["admin2"].to_numpy(dtype=object),
            "adm3_name": frame["admin3"].to_numpy(dtype=object),
        }))
    return pd.concat(parts, ignore_index=True)


def learn_gazetteer(paths: str | PathLike | Sequence[str | PathLike], *,
                    min_distance_km: float = 25.0,
                    columns: Mapping[str, str | None] | None = None,
                    encoding: str | None = None) -> pd.DataFrame:
    r"""Learn a user gazetteer from event files that give place names and coordinates.

    Files are read as :func:`sahelmap.read_events` reads them (CSV, XLSX, GeoJSON,
    GeoPackage, ACLED API JSON; the same column recognition, HXL and ACLED layouts included),
    but nothing is geocoded: the files' own coordinates are the positions learnt. Rows
    without a name or without valid coordinates (both in range, not 0, 0) are left out.

    Spellings of one place are merged: rows whose names fold alike
    (:func:`sahelmap.vocab.fold`: case, accents, punctuation) and whose coordinates lie
    within ``min_distance_km`` of the place's most reported position become one entry, at
    the median position of their rows, with the most frequent spelling as ``name`` (the first
    seen on a tie) and the other spellings in ``aliases``. Places of the same name farther
    apart stay separate entries, so that the geocoder finds the name ambiguous (and asks for
    a country or admin1 hint) instead of averaging two villages.

    Parameters
    ----------
    paths : path-like or sequence of path-likes
        Event files with a place name column and coordinates.
    min_distance_km : float
        Same-name positions closer than this are one place (default 25 km).
    columns : mapping, optional
        ``{file column or HXL hashtag: field}`` as for :func:`sahelmap.read_events`.
    encoding : str, optional
        CSV encoding (default: UTF-8, then Windows-1252, then Latin-1).

    Returns
    -------
    pandas.DataFrame
        ``name, lon, lat, aliases, adm1_name, adm2_name, adm3_name, count``: one row per
        place, sorted by name; ``aliases`` joins the other spellings with ``"|"`` (empty when
        none); the admin names are the files' most frequent ones (NA where none given);
        ``count`` is the number of rows behind the entry. It is a valid user gazetteer: pass
        it as ``gazetteer=`` to :func:`sahelmap.read_events` or :func:`sahelmap.geocode`, or
        write it to CSV.

    Raises
    ------
    InputFileError
        A file cannot be read, or lacks a place name column or coordinates.
    OptionError
        ``min_distance_km`` is not a positive number.

    See Also
    --------
    coverage : how many of another file's names a gazetteer knows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "past.csv"
    >>> _ = path.write_text(
    ...     "event_date,event_type,location,latitude,longitude,admin1\n"
    ...     "2021-03-01,Battles,Labbézanga,14.95,0.70,Gao\n"
    ...     "2021-04-02,Battles,LABBEZANGA,14.96,0.71,Gao\n"
    ...     "2021-05-03,Battles,Labbezanga,14.95,0.70,Gao\n", encoding="utf-8")
    >>> learn_gazetteer(path)[["name", "lon", "lat", "aliases", "count"]]
             name  lon    lat                aliases  count
    0  Labbézanga  0.7  14.95  LABBEZANGA|Labbezanga      3
    """
    try:
        radius = float(min_distance_km)
    except (TypeError, ValueError):
        radius = float("nan")
    if not radius > 0:
        raise OptionError(f"min_distance_km must be a positive number of km, not "
                          f"{min_distance_km!r}")
    rows = _named_points(paths, columns, encoding)
    valid = (rows["name"].notna() & (rows["name"] != "") & rows["lon"].between(-180, 180)
             & rows["lat"].between(-90, 90) & ~((rows["lon"] == 0) & (rows["lat"] == 0)))
    rows = rows[valid]
    if not len(rows):
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("lon", "lat") else
                                          "int64" if c == "count" else "str")
                             for c in LEARNED_COLUMNS})
    # one row per distinct (spelling, position, admin names), with its number of rows
    keys = ["name", "lon", "lat", "adm1_name", "adm2_name", "adm3_name"]
    distinct = rows.groupby(keys, dropna=False, sort=False).size().rename(
        "count").reset_index()
    codes, uniques = pd.factorize(distinct["name"])
    folded = np.array([fold(u) for u in uniques], dtype=object)
    distinct["key"] = folded[codes]
    distinct = distinct[distinct["key"] != ""]
    entries = []
    for _, group in distinct.groupby("key", sort=True):
        # positions by weight, most reported first; each joins the first seed within reach
        at = group.groupby(["lon", "lat"], sort=False)["count"].sum().sort_values(
            ascending=False, kind="stable")
        seeds_lon, seeds_lat, cluster_of = [], [], {}
        for lon, lat in at.index:
            if seeds_lon:
                near = _distance_km(np.array(seeds_lon), np.array(seeds_lat), lon, lat)
                best = int(np.argmin(near))
                if near[best] <= radius:
                    cluster_of[(lon, lat)] = best
                    continue
            cluster_of[(lon, lat)] = len(seeds_lon)
            seeds_lon.append(lon)
            seeds_lat.append(lat)
        cluster = np.array([cluster_of[xy] for xy in zip(group["lon"], group["lat"])])
        for number in range(len(seeds_lon)):
            part = group[cluster == number]
            weight = part["count"].to_numpy()
            spellings = part.groupby("name", sort=False)["count"].sum().sort_values(
                ascending=False, kind="stable")
            entries.append({
                "name": spellings.index[0],
                "lon": _weighted_median(part["lon"].to_numpy(float), weight),
                "lat": _weighted_median(part["lat"].to_numpy(float), weight),
                "aliases": "|".join(spellings.index[1:]),
                "adm1_name": _most_common(part["adm1_name"], part["count"]),
                "adm2_name": _most_common(part["adm2_name"], part["count"]),
                "adm3_name": _most_common(part["adm3_name"], part["count"]),
                "count": int(weight.sum()),
            })
    out = pd.DataFrame(entries, columns=list(LEARNED_COLUMNS))
    out = out.sort_values(["name", "lat", "lon"], kind="stable").reset_index(drop=True)
    for column in ("name", "aliases", "adm1_name", "adm2_name", "adm3_name"):
        out[column] = out[column].astype("str")
    out["count"] = out["count"].astype("int64")
    return out


@dataclass(frozen=True)
class Coverage:
    """How many of a list of place names a gazetteer knows (see :func:`coverage`).

    Attributes
    ----------
    n_names, n_known : int
        Distinct names (folded) and how many of them the gazetteer has.
    n_rows, n_rows_known : int
        The same counted in rows (a name given on many rows weighs more).
    missing : pandas.DataFrame
        ``name, rows``: the names it lacks, most frequent first.
    """

    n_names: int
    n_known: int
    n_rows: int
    n_rows_known: int
    missing: pd.DataFrame = field(repr=False)

    @property
    def share(self) -> float:
        """Share of the rows whose name the gazetteer knows (0 to 1; 1 for no rows)."""
        return self.n_rows_known / self.n_rows if self.n_rows else 1.0

    def __str__(self) -> str:
        return (f"{self.n_known:,} of {self.n_names:,} names known, covering "
                f"{self.n_rows_known:,} of {self.n_rows:,} rows ({self.share:.0%})")


def coverage(names: Iterable[object], gazetteer: str | PathLike | pd.DataFrame | Gazetteer
             ) -> Coverage:
    """How many of ``names`` (a file's place column, say) a gazetteer knows by name or alias.

    Names are compared folded (:func:`sahelmap.vocab.fold`), exactly: no fuzzy matching
    and no relative phrases, so the figure is a floor of what the geocoder will match.

    Parameters
    ----------
    names : iterable
        Place names, one per row (missing values are left out).
    gazetteer : path-like, pandas.DataFrame or Gazetteer
        A user gazetteer (``name, lon, lat[, aliases]``, e.g. from :func:`learn_gazetteer`),
        or a :class:`Gazetteer` (``load_gazetteer(learned)`` to count the bundled places
        too).

    Returns
    -------
    Coverage

    Examples
    --------
    >>> learned = pd.DataFrame({"name": ["Labbezanga"], "lon": [0.7], "lat": [14.95],
    ...                         "aliases": ["Labbézanga"]})
    >>> print(coverage(["LABBEZANGA", "Labbézanga", "Fafa", None], learned))
    1 of 2 names known, covering 2 of 3 rows (67%)
    """
    if not isinstance(gazetteer, Gazetteer):
        gazetteer = Gazetteer.from_entries(read_user_gazetteer(gazetteer))
    known = set(gazetteer.keys["key"])
    values = pd.Series(list(names), dtype=object).dropna()
    codes, uniques = pd.factorize(values)
    folded = np.array([fold(u) for u in uniques], dtype=object)
    table = pd.DataFrame({"key": folded[codes], "name": values.to_numpy(dtype=object)})
    table = table[table["key"] != ""]
    per_key = table.groupby("key", sort=False).agg(name=("name", "first"),
                                                   rows=("name", "size"))
    hit = per_key.index.isin(list(known))
    missing = per_key[~hit].sort_values("rows", ascending=False, kind="stable")
    return Coverage(int(len(per_key)), int(hit.sum()), int(per_key["rows"].sum()),
                    int(per_key.loc[hit, "rows"].sum()),
                    missing.reset_index(drop=True)[["name", "rows"]])
