"""Admin boundary layers of Mali and Niger: the bundled ones and the user's own files.

The bundled layers (``adm0``, ``adm1``, ``adm3``) ship with the package and load offline.
Official boundaries with ADM2 (OCHA COD-AB or geoBoundaries files) are read with
:func:`read_boundaries`, from a file the user has or one fetched by
:func:`sahelmap.download.download_boundaries`.

Every layer comes back in EPSG:4326 with sahelmap's column names: ``adm0_pcode``,
``adm1_pcode``, ``adm1_name`` and, where the level has them, ``adm2_pcode``, ``adm2_name``,
``adm3_id``, ``adm3_name``.
"""

from __future__ import annotations

from functools import cache
from os import PathLike
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from sahelmap.datasets import bundled
from sahelmap.errors import BoundaryError, warn
from sahelmap.vocab import DEFAULT_STRUCTURE, STRUCTURES, country_code

__all__ = ["admin_units", "check_structure", "read_boundaries"]

Level = Literal["adm0", "adm1", "adm2", "adm3"]
Structure = Literal["2016", "2023"]
_LEVELS = ("adm0", "adm1", "adm2", "adm3")


@cache
def _bundled_layer(name: str, simplified: bool) -> gpd.GeoDataFrame:
    file = f"{name}_web.geojson" if simplified else f"{name}.geojson"
    frame = pyogrio.read_dataframe(bundled("admin_boundaries", file))
    return frame.set_crs("EPSG:4326", allow_override=True)


def admin_units(level: Level = "adm1", *, structure: Structure | str = DEFAULT_STRUCTURE,
                simplified: bool = False, country: str | None = None) -> gpd.GeoDataFrame:
    """Return a bundled admin layer of Mali and Niger.

    Parameters
    ----------
    level : {"adm0", "adm1", "adm2", "adm3"}
        Countries, regions, cercles (Mali, as in the 2021 COD: 53) and departments (Niger:
        67), or communes.
    structure : {"2023", "2016"}
        Mali's regions: ``"2023"`` the 19 regions + Bamako of HDX v03 (Taoudénit, which has no
        published geometry, drawn inside Tombouctou), ``"2016"`` the 10 units of 2016-2023
        (Ménaka apart from Gao). For ADM2 and ADM3 it sets the parent region columns
        (``adm1_pcode, adm1_name``); the other structure's stays in ``adm1_pcode_2016`` or
        ``adm1_pcode_2023``. Niger is the same in both.
    simplified : bool
        ``True`` for the topology-preserving simplified geometry meant for web maps;
        ``False`` (default) for full detail, used for point-in-polygon.
    country : str, optional
        ``"ML"``/``"MLI"``/``"Mali"`` or ``"NE"``/``"NER"``/``"Niger"`` to keep one country.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per unit, EPSG:4326. Loaded once per process, then copied (cheap).

    Examples
    --------
    >>> regions = admin_units("adm1", structure="2016")
    >>> regions.set_index("adm1_pcode").loc["ML10", "adm1_name"], len(regions)
    ('Ménaka', 18)
    >>> len(admin_units("adm1", structure="2023")), len(admin_units("adm2"))
    (27, 120)
    >>> kita = admin_units("adm2").set_index("adm2_name").loc["Kita"]
    >>> kita["adm1_pcode"], kita["adm1_pcode_2016"]
    ('ML12', 'ML01')
    """
    if level not in _LEVELS:
        raise BoundaryError(f"Unknown level {level!r}: choose one of {', '.join(_LEVELS)}.")
    structure = check_structure(structure)
    if level == "adm1":
        name = "adm1_2023" if structure == "2023" else "adm1"
        frame = _bundled_layer(name, bool(simplified)).copy()
    else:
        frame = _bundled_layer(level, bool(simplified)).copy()
        if level in ("adm2", "adm3"):
            frame = _with_structure(frame, structure)
    if country is not None:
        frame = frame[frame["adm0_pcode"] == _adm0_pcode(country)].reset_index(drop=True)
    return frame


def check_structure(structure: object) -> str:
    """Return ``"2016"`` or ``"2023"``, or raise naming the choices."""
    text = str(structure).strip()
    if text not in STRUCTURES:
        raise BoundaryError(f"Unknown structure {structure!r}: choose one of "
                            f"{', '.join(STRUCTURES)} (Mali's regions since 2023, or of "
                            "2016-2023).")
    return text


@cache
def _cercle_regions() -> pd.DataFrame:
    """Each bundled ADM2 unit's region in both structures, with the regions' names."""
    adm2 = _bundled_layer("adm2", False)
    names = {**dict(zip(_bundled_layer("adm1", False)["adm1_pcode"],
                        _bundled_layer("adm1", False)["adm1_name"])),
             **dict(zip(_bundled_layer("adm1_2023", False)["adm1_pcode"],
                        _bundled_layer("adm1_2023", False)["adm1_name"]))}
    table = pd.DataFrame({"adm2_pcode": adm2["adm2_pcode"],
                          "adm1_pcode_2016": adm2["adm1_pcode"],
                          "adm1_pcode_2023": adm2["adm1_pcode_2023"]})
    table["adm1_name_2016"] = table["adm1_pcode_2016"].map(names)
    table["adm1_name_2023"] = table["adm1_pcode_2023"].map(names)
    return table.set_index("adm2_pcode")


def _with_structure(frame: gpd.GeoDataFrame, structure: str) -> gpd.GeoDataFrame:
    """Set ``adm1_pcode, adm1_name`` of ADM2/ADM3 rows to the structure's region."""
    regions = _cercle_regions().reindex(frame["adm2_pcode"])
    other = "2016" if structure == "2023" else "2023"
    frame[f"adm1_pcode_{other}"] = regions[f"adm1_pcode_{other}"].to_numpy()
    frame["adm1_pcode"] = regions[f"adm1_pcode_{structure}"].to_numpy()
    frame["adm1_name"] = regions[f"adm1_name_{structure}"].to_numpy()
    if structure == "2023":
        frame = frame.drop(columns="adm1_pcode_2023", errors="ignore")
    return frame


def _adm0_pcode(country: str) -> str:
    code = country_code(country)
    if code is None:
        raise BoundaryError(
            f"Unknown country {country!r}: sahelmap covers Mali (ML, MLI) and Niger (NE, NER)."
        )
    return code


# Columns of the two published conventions, mapped to sahelmap's own names.
_COD_AB = {
    "ADM0_PCODE": "adm0_pcode", "ADM0_FR": "adm0_name", "ADM0_EN": "adm0_name_en",
    "ADM1_PCODE": "adm1_pcode", "ADM1_FR": "adm1_name", "ADM1_EN": "adm1_name_en",
    "ADM2_PCODE": "adm2_pcode", "ADM2_FR": "adm2_name", "ADM2_EN": "adm2_name_en",
    "ADM3_PCODE": "adm3_pcode", "ADM3_FR": "adm3_name", "ADM3_EN": "adm3_name_en",
}
_GEOBOUNDARIES = {"shapeName": "name", "shapeID": "shape_id", "shapeGroup": "iso3",
                  "shapeType": "level"}


def read_boundaries(path: str | PathLike, *, layer: str | None = None,
                    level: int | None = None,
                    pcode_version: str | None = None) -> gpd.GeoDataFrame:
    """Read an admin boundary file in OCHA COD-AB or geoBoundaries form.

    Columns are recognised as published, without renaming: COD-AB ``ADM1_PCODE, ADM1_FR,
    ADM2_PCODE, ADM2_FR ...`` and geoBoundaries ``shapeName, shapeID, shapeGroup, shapeType``.

    Parameters
    ----------
    path : path-like
        Any format GDAL reads (GeoJSON, GeoPackage, Shapefile, zipped Shapefile...).
    layer : str, optional
        Layer of a multi-layer file.
    level : int, optional
        The admin level of a geoBoundaries file, when ``shapeType`` does not say it.
    pcode_version : str, optional
        The P-code version of a COD-AB file (``"cod-2021"``: Mali's COD of 2021, ML09 =
        Bamako; ``"v03"``: ML09 = Taoudénit). By default told from its codes and names.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, with ``adm0_pcode``, ``adm1_pcode``, ``adm1_name`` and, for ADM2 files,
        ``adm2_pcode``, ``adm2_name``. ``adm1_pcode`` holds the map's codes (2016-2023
        regions, see :mod:`sahelmap.pcodes`): for COD-AB files the published codes are kept
        in ``adm1_pcode_published``, their version in ``pcode_version`` and a name that is
        not its code's is noted in ``pcode_check`` (and warned). For geoBoundaries files,
        which carry no parent codes, ``adm1_pcode`` is the region each unit overlaps most,
        and P-codes are geoBoundaries shape IDs below ADM1.

    Raises
    ------
    BoundaryError
        If the file cannot be read, its columns fit neither convention, or its P-code
        version cannot be told (:class:`~sahelmap.errors.PcodeVersionError`, naming
        ``pcode_version``).
    """
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # GDAL errors: translate, keep the file name
        raise BoundaryError(f"Cannot read boundary file {path}: {exc}") from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise BoundaryError(f"Boundary file {path} has no geometry: give a GeoJSON, "
                            "GeoPackage or Shapefile of admin polygons.")
    kinds = set(frame.geometry.dropna().geom_type) - {"Polygon", "MultiPolygon"}
    if kinds:  # points or lines have no inside: every report would fall outside them
        raise BoundaryError(f"Boundary file {path} holds {', '.join(sorted(kinds))} "
                            "geometries, not admin polygons: give the file of polygons "
                            "(COD-AB 'admbnda' layers, geoBoundaries ADM files).")
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    columns = {c.upper(): c for c in frame.columns}
    if "ADM1_PCODE" in columns:
        return _from_cod_ab(frame, columns, path, pcode_version)
    if "shapeName" in frame.columns:
        return _from_geoboundaries(frame, path, level)
    raise BoundaryError(
        f"Boundary file {path} has neither COD-AB columns (ADM1_PCODE, ADM1_FR, ...) nor "
        f"geoBoundaries columns (shapeName, shapeID); it has {list(frame.columns)}."
    )


def _from_cod_ab(frame: gpd.GeoDataFrame, columns: dict[str, str], path: object,
                 pcode_version: str | None) -> gpd.GeoDataFrame:
    """COD-AB columns to sahelmap's: French names first, English where only they exist."""
    renames = {columns[k]: v for k, v in _COD_AB.items() if k in columns}
    frame = frame.rename(columns=renames)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for level in (0, 1, 2, 3):
        name, english = f"adm{level}_name", f"adm{level}_name_en"
        if name not in frame and english in frame:
            frame[name] = frame[english]
    if "adm0_pcode" not in frame:
        frame["adm0_pcode"] = frame["adm1_pcode"].str[:2]
    frame = _map_codes(frame, path, pcode_version)
    if "adm1_name" not in frame:  # no names published: the map regions' names
        regions = admin_units("adm1", structure="2016")
        frame["adm1_name"] = frame["adm1_pcode"].map(
            dict(zip(regions["adm1_pcode"], regions["adm1_name"])))
    return frame


def _map_codes(frame: gpd.GeoDataFrame, path: object,
               pcode_version: str | None) -> gpd.GeoDataFrame:
    """Tell the file's P-code version and give ``adm1_pcode`` as the map's codes.

    The published codes stay in ``adm1_pcode_published``; ``pcode_version`` names the
    version; ``pcode_check`` notes a name that is not its code's (also warned).
    """
    from sahelmap.pcodes import infer_pcode_version, map_adm1_pcode, name_disagreements

    codes = frame["adm1_pcode"].astype(str).str.strip().str.upper()
    names = frame["adm1_name"].astype(object) if "adm1_name" in frame else None
    try:
        version = pcode_version or infer_pcode_version(codes, names, level=1)
    except BoundaryError as exc:
        raise type(exc)(f"Boundary file {path}: {exc}") from None
    mapped = map_adm1_pcode(codes, version=version)
    frame["adm1_pcode_published"] = frame["adm1_pcode"]
    frame["adm1_pcode"] = mapped.where(mapped.notna(), codes).to_numpy()
    frame["pcode_version"] = version
    check = (name_disagreements(codes.tolist(), names.tolist(), version=version, level=1)
             if names is not None else pd.Series("", index=range(len(codes)), dtype=object))
    frame["pcode_check"] = check.to_numpy()
    wrong = check[check != ""]
    if len(wrong):
        warn(f"Boundary file {path}: {len(wrong)} unit(s) whose name is not the name of their "
             f"ADM1 code in {version}, e.g. {wrong.iloc[0]}; see the pcode_check column")
    return frame


def _from_geoboundaries(frame: gpd.GeoDataFrame, path: object,
                        level: int | None) -> gpd.GeoDataFrame:
    frame = frame.rename(columns=_GEOBOUNDARIES)
    if level is None and "level" in frame:
        level = int(str(frame["level"].iloc[0]).upper().replace("ADM", ""))
    if level is None:
        raise BoundaryError(f"Cannot tell the admin level of {path}: pass level=1, 2 or 3.")
    joined = _region_of(frame)
    frame["adm0_pcode"] = joined["adm0_pcode"]
    if level == 1:
        frame["adm1_pcode"] = joined["adm1_pcode"]
        frame["adm1_name"] = frame["name"]
    else:
        frame["adm1_pcode"] = joined["adm1_pcode"]
        frame["adm1_name"] = joined["adm1_name"]
        frame[f"adm{level}_pcode"] = frame["shape_id"]
        frame[f"adm{level}_name"] = frame["name"]
    return frame


def _region_of(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """``adm0_pcode, adm1_pcode, adm1_name`` of the region (2016-2023) each unit overlaps most.

    By area of overlap, not by a representative point: a published unit whose outline differs
    from the bundled one (simplified borders, another source) still finds its region. A unit
    that overlaps no region (outside Mali and Niger) gets NA.
    """
    regions = admin_units("adm1", structure="2016")[["adm0_pcode", "adm1_pcode", "adm1_name",
                                                     "geometry"]]
    units = gpd.GeoDataFrame({"_unit": range(len(frame))}, geometry=frame.geometry.values,
                             crs=frame.crs)
    pairs = gpd.sjoin(units, regions, how="inner", predicate="intersects")
    if len(pairs):
        shared = shapely.area(shapely.intersection(
            units.geometry.to_numpy()[pairs["_unit"].to_numpy()],
            regions.geometry.to_numpy()[pairs["index_right"].to_numpy()]))
        pairs = pairs.assign(_shared=shared).sort_values(["_unit", "_shared"],
                                                        ascending=[True, False])
        pairs = pairs[(pairs["_shared"] > 0) & ~pairs["_unit"].duplicated()]
    best = pairs.set_index("_unit")[["adm0_pcode", "adm1_pcode", "adm1_name"]]
    return best.reindex(range(len(frame))).set_axis(frame.index)
