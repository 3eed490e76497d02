"""The bundled admin layers: real geometry, real P-codes, a clean coverage."""

from __future__ import annotations

import time

import geopandas as gpd
import pytest
import shapely

from sahelmap import boundaries
from sahelmap.boundaries import admin_units, read_boundaries
from sahelmap.errors import BoundaryError
from sahelmap.pcodes import map_adm1_pcode, pcode_table

LAYERS = [(level, simplified) for level in ("adm0", "adm1", "adm3") for simplified in (False, True)]


@pytest.mark.parametrize(("level", "simplified"), LAYERS)
def test_layer_is_clean_coverage_in_wgs84(level, simplified):
    layer = admin_units(level, simplified=simplified)
    assert layer.crs.to_epsg() == 4326
    assert layer.is_valid.all()
    assert not layer.is_empty.any()
    # neighbours share edges exactly: no overlaps, no edge mismatches
    assert shapely.coverage_is_valid(layer.geometry.to_numpy())
    # and no gaps: the union of all units has no interior holes
    union = shapely.coverage_union_all(layer.geometry.to_numpy())
    parts = union.geoms if hasattr(union, "geoms") else [union]
    assert sum(len(p.interiors) for p in parts) == 0


def test_adm1_units_and_pcodes():
    adm1 = admin_units("adm1", structure="2016").set_index("adm1_pcode")
    assert sorted(adm1.index) == [
        "ML01", "ML02", "ML03", "ML04", "ML05", "ML06", "ML07", "ML08", "ML10", "ML20",
        "NE001", "NE002", "NE003", "NE004", "NE005", "NE006", "NE007", "NE008",
    ]
    assert adm1.loc["ML10", "adm1_name"] == "Ménaka"
    assert adm1.loc["ML06", "adm1_name_fr"] == "Tombouctou"
    assert adm1.loc["ML10", "iso_3166_2"] == "ML-9"
    # Ménaka is its own region, apart from Gao, and of a plausible size (~80,000 km²)
    menaka = adm1.to_crs("EPSG:32631").loc["ML10"].geometry
    assert 5e10 < menaka.area < 1.2e11
    assert not adm1.loc["ML10"].geometry.intersection(adm1.loc["ML07"].geometry).area > 0


def test_places_fall_in_their_regions():
    adm1 = admin_units("adm1")
    towns = gpd.GeoDataFrame(
        {"town": ["Gao", "Ménaka", "Ansongo", "Tombouctou", "Bamako", "Niamey", "Tillabéri",
                  "Agadez"],
         "expected": ["ML07", "ML10", "ML07", "ML06", "ML20", "NE008", "NE006", "NE001"]},
        geometry=gpd.points_from_xy(
            [-0.0447, 2.396, 0.5022, -3.0074, -8.0, 2.1098, 1.4542, 7.9911],
            [16.2717, 15.9199, 15.6597, 16.7735, 12.65, 13.5137, 14.2071, 16.9733]),
        crs=4326)
    joined = gpd.sjoin(towns, adm1, predicate="within")
    assert (joined["adm1_pcode"] == joined["expected"]).all()
    assert len(joined) == len(towns)


def test_communes_have_region_codes():
    communes = admin_units("adm3")
    # Mali: 661 of the 701 communes of the 2021 COD drawn, plus 7 units for the cercles' communes
    # the source lacks (see SOURCES.md); Niger: all 266 communes of the 2023 COD
    assert communes.groupby("adm0_pcode").size().to_dict() == {"ML": 668, "NE": 266}
    assert communes["adm1_pcode"].notna().all()
    # communes of neighbouring countries that the source tags Mali or Niger are left out
    assert not {"Oualata", "In Guezzam", "Tengrela", "Sabon Birni"} & set(communes["adm3_name"])
    by_name = communes.set_index("adm3_name")
    assert by_name.loc["Ouattagouna", "adm0_pcode"] == "ML"  # source fault fixed
    assert by_name.loc["Andéramboukane", "adm1_pcode"] == "ML10"  # COD name, not the source's
    assert by_name.loc["Niamey I", "adm1_pcode"] == "NE008"
    assert by_name.loc["Tin Hama", "adm1_pcode"] == "ML07"


def test_country_areas_are_close_to_official_figures():
    areas = admin_units("adm0").to_crs("ESRI:54009").set_index("adm0_pcode").area / 1e6
    official = {"ML": 1_240_192, "NE": 1_267_000}  # km²
    for country, km2 in official.items():
        assert 0.9 < areas[country] / km2 < 1.02


def test_country_filter_and_bad_level():
    assert set(admin_units("adm1", country="Niger")["adm0_pcode"]) == {"NE"}
    with pytest.raises(BoundaryError, match="Unknown level 'adm9'"):
        admin_units("adm9")
    with pytest.raises(BoundaryError, match="sahelmap covers Mali"):
        admin_units("adm1", country="Chad")


def test_pcode_table_counts_match_hdx():
    table = pcode_table()
    counts = table.groupby(["adm0_pcode", "admin_level"]).size().to_dict()
    assert counts == {("ML", "1"): 20, ("ML", "2"): 160, ("NE", "1"): 8, ("NE", "2"): 67}
    assert set(table.loc[table.adm0_pcode == "ML", "version"]) == {"v03"}


@pytest.mark.parametrize(("code", "unit"), [
    ("ML10", "ML10"), ("ML-9", "ML10"), ("ml12", "ML01"), ("ML-10", "ML06"),
    ("ML19", "ML05"), ("ML-BKO", "ML20"), ("NE006", "NE006"), ("NE-8", "NE008"),
])
def test_crosswalk_maps_every_structure_to_map_units(code, unit):
    assert map_adm1_pcode([code]).iloc[0] == unit


def test_every_current_pcode_has_a_map_unit():
    codes = pcode_table(1)["pcode"]
    units = map_adm1_pcode(codes)
    assert units.notna().all()
    assert set(units) <= set(admin_units("adm1")["adm1_pcode"])


@pytest.mark.slow
def test_warm_load_is_fast():
    admin_units("adm3")
    start = time.perf_counter()
    for _ in range(10):
        admin_units("adm3")
        admin_units("adm1", simplified=True)
    assert (time.perf_counter() - start) / 10 < 0.5


def test_simplified_is_smaller_but_same_units():
    full, web = admin_units("adm3"), admin_units("adm3", simplified=True)
    assert list(full["adm3_id"]) == list(web["adm3_id"])
    n_full = shapely.get_num_coordinates(full.geometry.to_numpy()).sum()
    n_web = shapely.get_num_coordinates(web.geometry.to_numpy()).sum()
    assert n_web < n_full


def test_read_cod_ab_columns_without_renaming(cod_ab_adm2):
    layer = read_boundaries(cod_ab_adm2)
    assert {"adm0_pcode", "adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name"} <= set(layer)
    assert set(layer["adm2_name"]) == {"Gao", "Ansongo"}


def test_read_geoboundaries_columns(tmp_path):
    communes = admin_units("adm3", structure="2016").head(20)
    frame = gpd.GeoDataFrame({"shapeName": communes["adm3_name"], "shapeISO": "",
                              "shapeID": communes["adm3_id"], "shapeGroup": "MLI",
                              "shapeType": "ADM3"}, geometry=communes.geometry, crs=4326)
    path = tmp_path / "geoBoundaries-MLI-ADM3.geojson"
    frame.to_file(path)
    layer = read_boundaries(path)
    assert list(layer["adm3_name"]) == list(communes["adm3_name"])
    assert list(layer["adm1_pcode"]) == list(communes["adm1_pcode"])


def test_read_boundaries_errors_name_the_file(tmp_path):
    with pytest.raises(BoundaryError, match="Cannot read boundary file .*missing.geojson"):
        read_boundaries(tmp_path / "missing.geojson")
    path = tmp_path / "odd.geojson"
    gpd.GeoDataFrame({"foo": [1]}, geometry=[shapely.box(0, 14, 1, 15)], crs=4326).to_file(path)
    with pytest.raises(BoundaryError, match="neither COD-AB columns"):
        read_boundaries(path)


def test_module_reads_data_through_package_resources():
    # data must come from the installed package, not a checkout beside it
    assert "admin_units" in boundaries.__all__
    path = boundaries.bundled("admin_boundaries", "adm1.geojson")
    assert path.exists() and "sahelmap" in str(path)


@pytest.mark.parametrize(("country", "named"), [
    ("MLI", {"Nioro": "ML01", "Nara": "ML02", "Bankass": "ML05", "Tominian": "ML04",
             "Kadiolo": "ML03", "Yanfolila": "ML03", "Menaka": "ML10", "Bamako": "ML20"}),
    ("NER", {"Goudoumaria": "NE002", "Dioundiou": "NE003", "Tibiri": "NE003"}),  # Dosso
])
def test_every_real_geoboundaries_unit_gets_its_region(shared_boundaries, country, named):
    path = shared_boundaries / f"geoBoundaries-2_0_1-{country}-ADM2.geojson"
    layer = read_boundaries(path)
    assert layer["adm1_pcode"].notna().all(), list(layer.loc[layer.adm1_pcode.isna(), "name"])
    found = dict(zip(layer["adm2_name"], layer["adm1_pcode"]))
    assert {name: found[name] for name in named} == named


def test_the_2023_structure_has_19_regions_and_bamako_drawn_but_taoudenit():
    adm1 = admin_units("adm1", structure="2023").set_index("adm1_pcode")
    mali = sorted(c for c in adm1.index if c.startswith("ML"))
    assert mali == [f"ML{n:02d}" for n in range(1, 21) if n != 9]  # Taoudénit: no geometry
    assert adm1.loc["ML06", "includes_pcode"] == "ML09"
    assert adm1.loc[["ML12", "ML19", "ML20"], "adm1_name"].tolist() == ["Kita", "Bandiagara",
                                                                       "Bamako"]
    # the 2023 regions tile the 2016 ones: same outline, more units
    old = admin_units("adm1", structure="2016")
    assert abs(adm1.union_all().area - old.union_all().area) < 1e-6


def test_cercles_and_departments_ship_with_both_parents():
    adm2 = admin_units("adm2").set_index("adm2_pcode")
    assert adm2.groupby("adm0_pcode").size().to_dict() == {"ML": 53, "NE": 67}
    assert adm2.loc["ML0505", ["adm2_name", "adm1_pcode", "adm1_pcode_2016"]].tolist() == [
        "Koro", "ML19", "ML05"]
    assert adm2.loc["ML0901", ["adm2_name", "adm1_pcode", "pcode_version"]].tolist() == [
        "Bamako", "ML20", "cod-2021"]
    old = admin_units("adm2", structure="2016").set_index("adm2_pcode")
    assert old.loc["ML0505", ["adm1_pcode", "adm1_pcode_2023"]].tolist() == ["ML05", "ML19"]
