"""Places and their names: the bundled gazetteer and users' additions.

Pure data handling, no geometry: :mod:`sahelmap.geocoding` does the matching; names are
folded to their keys with :func:`sahelmap.vocab.fold`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike

import numpy as np
import pandas as pd

from sahelmap.datasets import bundled
from sahelmap.errors import GazetteerError
from sahelmap.vocab import fold

__all__ = ["Gazetteer", "load_gazetteer", "read_user_gazetteer"]

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
    try:
        table = path.copy() if isinstance(path, pd.DataFrame) else pd.read_csv(path, dtype=str)
    except pd.errors.EmptyDataError:
        raise GazetteerError(f"Gazetteer file {label} is empty: it needs a header "
                             "'name,lon,lat[,aliases]' and one row per place") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"Cannot read gazetteer file {label}: {exc}") from None
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
                f"Gazetteer file {label}, row {row + 2}, field {column!r}: "
                f"{table[column].iloc[row]!r} is not a coordinate in decimal degrees."
            )
    blank = table["name"].fillna("").str.strip() == ""
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise GazetteerError(f"Gazetteer file {label}, row {row + 2}, field 'name': empty.")
    aliases = table.get("aliases", pd.Series("", index=table.index)).fillna("")
    return pd.DataFrame({
        "name": table["name"].str.strip(),
        "alt_names": aliases.astype(str).str.replace(";", "|"),
        "kind": "user",
        "lon": lon.to_numpy(float),
        "lat": lat.to_numpy(float),
        "source": f"user gazetteer {label}",
        "source_id": [f"{label}:{i + 2}" for i in range(len(table))],
    })


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
