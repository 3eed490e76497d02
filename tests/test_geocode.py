"""Geocoding real Mali and Niger names and coordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahelmap.errors import GazetteerError
from sahelmap.gazetteer import read_user_gazetteer
from sahelmap.geocoding import RESULT_COLUMNS, Geocoder, geocode, geocode_frame
from sahelmap.vocab import fold


@pytest.mark.parametrize(("name", "adm1"), [
    ("Gao", "ML07"), ("Ménaka", "ML10"), ("Menaka", "ML10"), ("MENAKA", "ML10"),
    ("Ansongo", "ML07"), ("Tin-Hama", "ML07"), ("Tin Hama", "ML07"), ("Kadji", "ML07"),
    ("Bamako", "ML20"), ("Niamey", "NE008"), ("Tillabéri", "NE006"), ("Tillaberi", "NE006"),
    ("Agadez", "NE001"), ("Tombouctou", "ML06"), ("Timbuktu", "ML06"),
])
def test_real_names_land_in_their_region(kadji, name, adm1):
    result = geocode(name, gazetteer=kadji)
    assert result.status == "matched"
    assert result.adm1_pcode == adm1
    assert result.confidence >= 0.9
    assert result.method in {"exact", "alias", "admin-name"}


def test_kadji_needs_the_user_gazetteer(kadji_table):
    assert geocode("Kadji").status == "unmatched"
    assert "no gazetteer entry for 'kadji'" in geocode("Kadji").reason
    result = geocode("Kadgi", gazetteer=kadji_table)
    assert (result.status, result.method, result.adm1_pcode) == ("matched", "alias", "ML07")


def test_user_gazetteer_file(tmp_path):
    path = tmp_path / "camps.csv"
    path.write_text("name,lon,lat,aliases\nSite de Kadji,0.0167,16.2458,Kadji\n")
    assert geocode("Kadji", gazetteer=path).adm1_pcode == "ML07"


@pytest.mark.parametrize(("text", "message"), [
    ("place,lon,lat\nKadji,0.01,16.2\n", "lacks column.*name"),
    ("name,lon,lat\nKadji,east,16.2\n", r"row 2, field 'lon'"),
    ("name,lon,lat\nKadji,0.01,16.2\nX,0.01,123\n", r"row 3, field 'lat'"),
])
def test_user_gazetteer_errors_name_row_and_field(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(GazetteerError, match=message):
        read_user_gazetteer(path)


def test_french_english_variants_and_codes():
    assert geocode("Tombouctou").adm1_pcode == geocode("Timbuktu").adm1_pcode == "ML06"
    assert geocode("ML10").adm1_pcode == "ML10"
    assert geocode("ML10").method == "admin-name"
    assert geocode("Taoudénit").adm1_pcode == "ML06"  # 2023 region inside 2016 Tombouctou
    assert geocode("Kidal region").adm1_pcode == "ML08"


@pytest.mark.parametrize("text", ["Tin-Hama", "Tin Hama", "tin hama", "TIN–HAMA", "Tin'Hama"])
def test_matching_ignores_hyphens_case_apostrophes(text):
    assert fold(text) == "tin hama"
    assert geocode(text).adm1_pcode == "ML07"


def test_misspellings_match_fuzzily_with_threshold():
    result = geocode("Tilaberi")
    assert (result.method, result.adm1_pcode) == ("fuzzy", "NE006")
    assert 0.5 < result.confidence < 0.9
    assert geocode("Menakka").adm1_pcode == "ML10"
    strict = geocode("Menakka", fuzzy_threshold=99)
    assert strict.status == "unmatched"
    assert "closest: 'menaka'" in strict.reason


@pytest.mark.parametrize(("text", "anchor", "adm1"), [
    ("outside Gao", "Gao", "ML07"), ("near Ansongo", "Ansongo", "ML07"),
    ("30 km north of Ménaka", "Ménaka", "ML10"), ("près de Tillabéri", "Tillabéri", "NE006"),
    ("the displaced camp at Kadji, outside Gao", "Gao", "ML07"),
])
def test_relative_phrases_resolve_to_anchor_with_lower_confidence(text, anchor, adm1):
    result = geocode(text)
    plain = geocode(anchor)
    assert result.adm1_pcode == adm1
    assert result.matched_name == plain.matched_name
    assert "relative" in result.flags
    assert result.confidence < plain.confidence


def test_camp_phrase_prefers_the_named_place_when_known(kadji):
    result = geocode("the displaced camp at Kadji, outside Gao", gazetteer=kadji)
    assert result.matched_name == "Kadji"
    assert result.flags == ""


def test_ambiguous_names_are_never_silently_picked():
    # "Bangou" is a commune name in several Niger regions... find a real one in the data
    coder = Geocoder()
    keys = coder.gazetteer.keys.merge(coder.gazetteer.entries[["adm1_pcode"]],
                                      left_on="entry", right_index=True)
    spread = keys.groupby("key")["adm1_pcode"].nunique()
    name = spread[spread > 1].index[0]
    result = geocode(name, gazetteer=coder)
    assert result.status == "ambiguous"
    assert result.adm1_pcode is None
    assert result.candidates.count(";") >= 1
    # a hint of the row settles it
    units = sorted(keys.loc[keys.key == name, "adm1_pcode"].unique())
    hinted = geocode(name, admin1=units[0], gazetteer=coder)
    assert (hinted.status, hinted.adm1_pcode) == ("matched", units[0])


def test_country_hint_settles_cross_border_names():
    coder = Geocoder()
    keys = coder.gazetteer.keys.merge(coder.gazetteer.entries[["adm0_pcode"]],
                                      left_on="entry", right_index=True)
    both = keys.groupby("key")["adm0_pcode"].nunique()
    name = both[both > 1].index[0]
    assert geocode(name, gazetteer=coder).status == "ambiguous"
    assert geocode(name, country="Niger", gazetteer=coder).adm0_pcode == "NE"
    assert geocode(name, country="MLI", gazetteer=coder).adm0_pcode == "ML"


def test_coordinates_are_assigned_by_point_in_polygon():
    result = geocode(lon=-0.0447, lat=16.2717)
    assert (result.method, result.adm1_pcode, result.confidence) == ("coordinates", "ML07", 1.0)
    assert geocode(lon=2.396, lat=15.9199).adm1_pcode == "ML10"
    assert geocode(lon=1.4542, lat=14.2071).adm1_pcode == "NE006"


def test_bad_coordinates_are_flagged_and_fall_back_to_the_name():
    swapped = geocode("Gao", lon=16.2717, lat=-0.0447)
    assert "swapped_latlon" in swapped.flags
    assert (swapped.method, swapped.adm1_pcode) == ("exact", "ML07")
    null = geocode(lon=0.0, lat=0.0)
    assert (null.status, null.flags) == ("unmatched", "null_island")
    far = geocode(lon=2.35, lat=48.85)
    assert (far.status, far.flags) == ("unmatched", "outside_area")
    assert "outside Mali and Niger" in far.reason


def test_frame_keeps_every_row_and_index():
    reports = pd.DataFrame({
        "place": ["Gao", None, "Nowhere-ville", "Menaka", "Ansongo", ""],
        "lon": [np.nan, 1.45, np.nan, np.nan, 0.0, np.nan],
        "lat": [np.nan, 14.2, np.nan, np.nan, 0.0, np.nan],
        "country": ["Mali", None, None, None, None, None],
    }, index=[10, 11, 12, 13, 14, 15])
    out = geocode_frame(reports)
    assert list(out.columns) == RESULT_COLUMNS
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    assert out[["match_lon", "match_lat", "confidence"]].dtypes.eq(float).all()
    assert list(out["status"]) == ["matched", "matched", "unmatched", "matched", "matched",
                                   "unmatched"]
    assert list(out["adm1_pcode"].fillna("")) == ["ML07", "NE006", "", "ML10", "ML07", ""]
    assert (out.loc[out.status == "unmatched", "reason"] != "").all()
    assert out.loc[14, "flags"] == "null_island"


def test_frame_with_other_column_names_and_missing_ones():
    reports = pd.DataFrame({"location": ["Tillabéri", "Gao"], "admin1": ["Tillaberi", "Gao"]})
    out = geocode_frame(reports, name="location", country="no_such_column")
    assert list(out["adm1_pcode"]) == ["NE006", "ML07"]


def test_user_boundaries_give_adm2(cod_ab_adm2):
    from sahelmap.boundaries import read_boundaries

    cercles = read_boundaries(cod_ab_adm2)
    coder = Geocoder(boundaries=cercles)
    result = geocode(lon=0.53, lat=15.66, gazetteer=coder)  # Ansongo town
    assert (result.adm1_pcode, result.adm2_pcode, result.adm2_name) == ("ML07", "ML0703",
                                                                       "Ansongo")
    assert geocode("Tin Hama", gazetteer=coder).adm2_pcode == "ML0703"


def test_a_country_hint_is_binding():
    result = geocode("Gourti", country="Mali")
    assert result.status == "unmatched" and result.adm1_pcode is None
    assert "only match is in Niger" in result.reason and "country is Mali" in result.reason
    assert result.flags == "country_hint_conflict"
    assert geocode("Gourti").adm1_pcode == "NE002"  # Ngourti (Diffa), without a hint
    assert geocode("Gourti", country="Niger").adm1_pcode == "NE002"


def test_an_admin1_hint_is_binding():
    result = geocode("Ansongo", admin1="Tillabéri")
    assert result.status == "unmatched"
    assert "Gao (ML07)" in result.reason and "Tillabéri (NE006)" in result.reason


@pytest.mark.parametrize(("short", "other"), [("Doro", "Dioro"), ("Douna", "Diouna")])
def test_short_names_are_not_matched_to_their_neighbours(short, other):
    assert geocode(other).status == "matched"
    result = geocode(short)
    assert result.matched_name != other


def test_fuzzy_matches_prefer_candidates_inside_the_hints():
    places = pd.DataFrame({"name": ["Bangoula", "Bangoulo"], "lon": [-3.0, 3.0],
                           "lat": [14.5, 14.0]})  # Mopti (Mali), Tillabéri (Niger)
    assert geocode("Bangoul", gazetteer=places).status == "ambiguous"
    hinted = geocode("Bangoul", country="Niger", gazetteer=places)
    assert (hinted.matched_name, hinted.adm0_pcode, hinted.method) == ("Bangoulo", "NE",
                                                                      "fuzzy")


def test_names_ending_in_a_generic_word_match_as_spelled():
    camps = pd.DataFrame({"name": ["Baguineda Camp"], "lon": [-7.78], "lat": [12.62]})
    for query in ("Baguineda Camp", "Baguineda"):
        result = geocode(query, gazetteer=camps)
        assert (result.status, result.matched_name) == ("matched", "Baguineda Camp"), query


def test_country_and_admin1_hints_apply_one_after_the_other():
    """A name in several regions of both countries: the two hints narrow it in turn."""
    result = geocode("Dogo", country="NE", admin1="NE007")
    assert (result.status, result.adm0_pcode, result.adm1_pcode) == ("matched", "NE", "NE007")


@pytest.mark.parametrize("cell", ["Gao/Niamey", "Niamey/Gao", "Ménaka, Tillabéri"])
def test_a_cell_naming_places_in_two_regions_is_never_one_of_them(cell):
    result = geocode(cell)
    assert (result.status, result.adm1_pcode, result.flags) == ("ambiguous", None,
                                                                "several_places")
    assert "separate rows" in result.reason and result.candidates.count(";") == 1
    assert geocode("Ayorou, Tillabéri").adm1_pcode == "NE006"  # one region: one place


def test_a_commune_name_is_placed_in_its_commune_cercle_not_a_namesake_village():
    # GeoNames puts the town of Tessit 11 km outside its commune, in the cercle of Gao; the
    # membership table says the commune of Tessit is in the cercle of Ansongo
    result = geocode("Tessit")
    assert (result.adm1_pcode, result.adm2_pcode) == ("ML07", "ML0701")
    assert "homonym" in result.flags.split(",")
    assert "Tessit [place] in Gao (ML0703)" in result.reason
    point = Geocoder().locate([result.lon], [result.lat])
    assert point.loc[0, "adm2_pcode"] == "ML0701"  # the point drawn is the commune's


def test_communes_of_one_name_in_two_cercles_place_the_row_in_the_region_alone():
    result = geocode("Somo")  # communes of Baraouéli (ML0401) and San (ML0405), Ségou
    assert (result.status, result.adm1_pcode, result.adm2_pcode) == ("matched", "ML04", None)
    assert np.isnan(result.lon) and "homonym" in result.flags
    assert "admin2 or coordinates" in result.reason


def test_a_city_named_as_its_department_stays_the_city():
    # Niger's department Tahoua surrounds the city, which is the department Ville de Tahoua
    result = geocode("Tahoua", country="Niger")
    assert (result.adm2_name, result.flags) == ("Ville de Tahoua", "")


def test_no_commune_name_lands_in_another_cercle_without_a_flag(shared_boundaries):
    """Every commune name unique in its region, geocoded with its region, is in the cercle
    (department) the COD membership table gives it, or the result is flagged."""
    tables = shared_boundaries / "tables"
    rows = pd.concat([pd.read_csv(tables / "mli_adm3_communes_cod-ab_20211220.csv"),
                      pd.read_csv(tables / "ner_adm3_communes_cod-ab_20230720.csv")])
    rows["key"] = rows["ADM3_FR"].map(fold)
    unique = rows[~rows.duplicated(["key", "ADM1_PCODE"], keep=False)]
    coder = Geocoder()
    found = coder.geocode_frame(pd.DataFrame({
        "place": unique["ADM3_FR"].to_numpy(), "admin1": unique["ADM1_PCODE"].to_numpy()}))
    matched = (found["status"] == "matched").to_numpy()
    assert matched.mean() > 0.9
    wrong = matched & (found["adm2_pcode"].to_numpy(dtype=object)
                       != unique["ADM2_PCODE"].to_numpy(dtype=object))
    unflagged = wrong & (found["flags"].fillna("").to_numpy(dtype=object) == "")
    assert not unflagged.any(), unique[unflagged][["ADM3_FR", "ADM2_FR", "ADM1_FR"]].join(
        found[unflagged][["adm2_name", "reason"]].set_axis(unique.index[unflagged]))


def test_a_user_gazetteer_entry_settles_a_homonym_unflagged(tmp_path):
    # the user's own Tessit (their point, in the cercle of Gao) is what their rows mean
    path = tmp_path / "mine.csv"
    path.write_text("name,lon,lat\nTessit,-0.3,15.21667\n", encoding="utf-8")
    result = geocode("Tessit", gazetteer=Geocoder(path))
    assert (result.adm2_pcode, result.flags, result.reason) == ("ML0703", "", "")
