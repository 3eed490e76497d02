"""P-code versions: the same code in two CODs, told apart and translated, never guessed."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from sahelmap.boundaries import read_boundaries
from sahelmap.errors import DataWarning, PcodeVersionError
from sahelmap.geocoding import Geocoder
from sahelmap.pcodes import (
    infer_pcode_version,
    map_adm1_pcode,
    map_adm2_pcode,
    pcode_crosswalk,
    pcode_versions,
)


def test_ml09_is_bamako_in_2021_and_taoudenit_in_v03():
    assert map_adm1_pcode(["ML09"], version="cod-2021").tolist() == ["ML20"]  # Bamako
    assert map_adm1_pcode(["ML09"], version="v03").tolist() == ["ML06"]  # in Tombouctou
    assert map_adm1_pcode(["ML09", "ML07"], names=["District de Bamako", "Gao"]).tolist() == [
        "ML20", "ML07"]
    assert map_adm1_pcode(["ML09", "ML07"], names=["Taoudénit", "Gao"]).tolist() == [
        "ML06", "ML07"]
    assert map_adm1_pcode(["ML09", "ML12"]).tolist() == ["ML06", "ML01"]  # ML12: only v03


def test_a_version_is_told_from_the_codes_and_names_or_refused():
    assert infer_pcode_version(["ML01", "ML17", "ML20"]) == "v03"
    assert infer_pcode_version(["ML09", "ML10"], ["Bamako", "Ménaka"]) == "cod-2021"
    assert infer_pcode_version(["NE001", "NE008"]) == "v02"
    assert infer_pcode_version(["ML07", "ML10"]) == "cod-2021|v03"  # same meaning in both
    with pytest.raises(PcodeVersionError, match="pcode_version='cod-2021' or 'v03'"):
        map_adm1_pcode(["ML09", "ML07"])
    with pytest.raises(PcodeVersionError, match="ML0799 are in no known version"):
        infer_pcode_version(["ML0701", "ML0799"], level=2)


def test_cercle_codes_are_translated_between_versions():
    # v03's Gao cercle is ML0701, the 2021 COD's is ML0703 (ML0701 was Ansongo then)
    assert map_adm2_pcode(["ML0701"], version="v03").tolist() == ["ML0703"]
    assert map_adm2_pcode(["ML0701"], version="cod-2021").tolist() == ["ML0701"]
    assert map_adm2_pcode(["ML0701", "ML0702"], names=["Gao", "Bourem"]).tolist() == [
        "ML0703", "ML0702"]
    links = pcode_crosswalk()
    namesakes = links[(links.admin_level == "2") & (links.relation == "namesake")]
    changed = (namesakes.from_pcode != namesakes.to_pcode).sum()
    assert len(namesakes) == 52 and changed == 41  # Niafunké has no v03 namesake
    versions = pcode_versions().groupby(["version", "admin_level"]).size().to_dict()
    assert versions == {("cod-2021", "1"): 10, ("cod-2021", "2"): 53, ("v02", "1"): 8,
                        ("v02", "2"): 67, ("v03", "1"): 20, ("v03", "2"): 160}


def _cod_file(folder, codes, names, name="mli_admbnda_adm1.geojson"):
    boxes = [box(-8.1 + i, 12.5, -7.9 + i, 12.7) for i in range(len(codes))]
    columns = {"ADM0_PCODE": ["ML"] * len(codes), "ADM1_PCODE": codes}
    if names is not None:
        columns["ADM1_FR"] = names
    path = folder / name
    gpd.GeoDataFrame(columns, geometry=boxes, crs=4326).to_file(path)
    return path


def test_a_2021_coded_file_keeps_bamako_as_bamako(tmp_path):
    layer = read_boundaries(_cod_file(tmp_path, ["ML09", "ML07"], ["Bamako", "Gao"]))
    assert layer["pcode_version"].iloc[0] == "cod-2021"
    assert layer[["adm1_pcode_published", "adm1_pcode", "adm1_name"]].values.tolist() == [
        ["ML09", "ML20", "Bamako"], ["ML07", "ML07", "Gao"]]
    coder = Geocoder(boundaries=layer)
    assert coder.geocode_frame(gpd.pd.DataFrame({"lon": [-8.0], "lat": [12.6]}))[
        "adm1_pcode"].tolist() == ["ML20"]


def test_a_file_whose_names_and_codes_disagree_is_flagged(tmp_path):
    path = _cod_file(tmp_path, ["ML07", "ML09", "ML12"], ["Mopti", "Taoudénit", "Kita"])
    with pytest.warns(DataWarning, match="1 unit.s. whose name is not the name"):
        layer = read_boundaries(path)
    assert layer["pcode_version"].iloc[0] == "v03"
    assert layer["pcode_check"].tolist()[0].startswith("'Mopti' is not the name of ML07")
    assert layer["pcode_check"].tolist()[1:] == ["", ""]


def test_an_ambiguous_file_without_names_is_refused_naming_the_option(tmp_path):
    path = _cod_file(tmp_path, ["ML09", "ML07"], None)
    with pytest.raises(PcodeVersionError, match=r"mli_admbnda_adm1.geojson.*pcode_version="):
        read_boundaries(path)
    layer = read_boundaries(path, pcode_version="cod-2021")
    assert layer["adm1_pcode"].tolist() == ["ML20", "ML07"]
    assert layer["adm1_name"].tolist() == ["Bamako", "Gao"]


def test_the_real_2021_cod_keeps_bamako(shared_boundaries):
    for level in (1, 2, 3):
        path = shared_boundaries / "cod-ab" / f"mli_admbnda_adm{level}_1m_gov_20211220.shp"
        layer = read_boundaries(path)
        assert set(layer["pcode_version"]) == {"cod-2021"}
        assert (layer["pcode_check"] == "").all()
        bamako = layer[layer["adm1_pcode_published"] == "ML09"]
        assert set(bamako["adm1_pcode"]) == {"ML20"} and set(bamako["adm1_name"]) == {"Bamako"}
