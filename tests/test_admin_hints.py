"""Rows that name their admin units: a fallback for unknown villages, a check for points."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap import geocode, read_events
from sahelmap.cli import main

# ACLED's current export columns (invented rows): a village no gazetteer has, in Mondoro
# commune (Douentza cercle, Mopti region; since 2023 the Douentza region).
HEADER = ("event_id_cnty,event_date,event_type,sub_event_type,actor1,country,admin1,admin2,"
          "admin3,location,latitude,longitude,fatalities,source,notes")


def write(folder, *rows):
    path = folder / "acled.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_village_in_no_gazetteer_lands_in_its_stated_commune(tmp_path):
    path = write(tmp_path,
                 "MLI1,2023-03-02,Violence against civilians,Attack,JNIM,Mali,Mopti,Douentza,"
                 "Mondoro,Hombori-Koira Kaina,,,4,Local source,invented row",
                 "MLI2,2023-03-02,Battles,Armed clash,JNIM,Mali,Mopti,Nowhere-cercle,,"
                 "Tin-Aklou,,,1,Local source,invented row",
                 "MLI3,2023-03-03,Battles,Armed clash,JNIM,Mali,,,,Another-hamlet,,,2,x,y")
    result = read_events(path, today="2024-01-01")
    result.check()
    acc = result.accepted.set_index("event_id")
    assert acc.loc["MLI1", ["method", "matched_name", "adm2_pcode", "adm2_name"]].tolist() == [
        "admin-hint", "Mondoro", "ML0504", "Douentza"]
    assert acc.loc["MLI1", "confidence"] == 0.7 and "admin-hint" in acc.loc["MLI1", "flags"]
    assert "placed in the commune the row names (Mondoro)" in acc.loc["MLI1", "reason"]
    # an unknown cercle: the region it names, said so, at a lower confidence
    assert acc.loc["MLI2", ["adm1_pcode", "confidence"]].tolist() == ["ML05", 0.5]
    assert "cercle/department 'Nowhere-cercle' not recognised" in acc.loc["MLI2", "reason"]
    # nothing named: still rejected, with the reason
    assert result.rejected["source_row"].tolist() == [4]
    assert pd.isna(acc.loc["MLI1", "lon"]) and acc.loc["MLI1"].geometry is None


def test_a_point_outside_its_stated_unit_is_flagged_and_the_caller_chooses(tmp_path):
    # coordinates in Niger (Torodi, Tillabéri) but the row says Gao cercle, Gao, Mali
    path = write(tmp_path, "MLI9,2023-03-02,Battles,Armed clash,JNIM,Mali,Gao,Gao,,"
                           "Some place,13.1,1.8,3,x,invented row")
    point = read_events(path, today="2024-01-01")
    row = point.accepted.iloc[0]
    assert (row["adm1_pcode"], row["method"]) == ("NE006", "coordinates")
    assert row["flags"] == "point-admin-mismatch"
    assert "the row names the cercle/department Gao" in row["reason"]
    admin = read_events(path, today="2024-01-01", prefer="admin")
    row = admin.accepted.iloc[0]
    assert (row["adm1_pcode"], row["adm2_pcode"], row["method"]) == ("ML07", "ML0703",
                                                                    "admin-hint")
    assert "point-admin-mismatch" in row["flags"] and row["confidence"] == 0.6
    single = geocode(lon=1.8, lat=13.1, admin1="Gao", prefer="admin")
    assert single.adm1_pcode == "ML07" and "point-admin-mismatch" in single.flags
    with pytest.raises(ValueError, match="prefer must be 'point' or 'admin'"):
        geocode("Gao", prefer="both")


def test_a_point_and_a_name_that_agree_are_not_flagged(tmp_path):
    path = write(tmp_path, "MLI5,2023-03-02,Battles,Armed clash,JNIM,Mali,Gao,Ansongo,"
                           "Ouattagouna,Labbezanga,14.95,0.70,1,x,y")
    row = read_events(path, today="2024-01-01").accepted.iloc[0]
    assert (row["adm2_name"], row["flags"]) == ("Ansongo", "")


def test_a_name_found_in_another_cercle_than_its_row_names_goes_to_the_row_cercle(tmp_path):
    # DTM-style rows with no coordinates: the gazetteer's Tessit is a commune of Ansongo, the
    # rows say Gao cercle (a village of that name there); Somo is a commune of two cercles
    path = write(tmp_path,
                 "MLI1,2023-03-02,Battles,Armed clash,JNIM,Mali,Gao,Gao,,Tessit,,,1,x,y",
                 "MLI2,2023-03-02,Battles,Armed clash,JNIM,Mali,Ségou,San,,Somo,,,1,x,y",
                 "MLI3,2023-03-02,Battles,Armed clash,JNIM,Mali,Gao,Ansongo,,Tessit,,,1,x,y",
                 "MLI4,2023-03-02,Battles,Armed clash,JNIM,Mali,Gao,Gao,,Gao,,,1,x,y")
    acc = read_events(path, today="2024-01-01").accepted.set_index("event_id")
    assert acc.loc["MLI1", ["adm2_pcode", "method", "confidence"]].tolist() == [
        "ML0703", "admin-hint", 0.6]
    assert "name-admin-mismatch" in acc.loc["MLI1", "flags"]
    assert ("the place of that name lies in Ansongo, the row names the cercle/department Gao"
            in acc.loc["MLI1", "reason"])
    assert acc.loc["MLI2", "adm2_name"] == "San" and "homonym" in acc.loc["MLI2", "flags"]
    assert "name-admin-mismatch" not in acc.loc["MLI2", "flags"]
    assert acc.loc["MLI3", ["adm2_name", "method", "flags"]].tolist() == [
        "Ansongo", "exact", "homonym"]
    assert acc.loc["MLI4", ["adm2_name", "flags"]].tolist() == ["Gao", ""]


@pytest.mark.parametrize("department, code", [
    ("Ville de Tahoua", "NE005013"), ("Ville de Maradi", "NE004007"),
    ("Ville de Zinder", "NE007011"), ("Tahoua", "NE005009")])
def test_niger_urban_departments_named_in_a_row_are_themselves(department, code):
    # "Ville de" is also a generic word ("Ville de Gao" is Gao): not when it is the name
    assert geocode("Tahoua", country="Niger", admin2=department).adm2_pcode == code
    assert geocode(admin2=department).adm2_pcode == code  # no place: the row's department


def test_the_weekly_job_writes_the_flagged_rows(tmp_path):
    path = write(tmp_path,
                 "MLI1,2022-09-13,Violence against civilians,Attack,JNIM,Mali,Mopti,Douentza,"
                 "Mondoro,Hombori-Koira Kaina,,,4,Local source,invented row",
                 "MLI9,2022-09-13,Battles,Armed clash,JNIM,Mali,Gao,Gao,,Some place,13.1,1.8,3,"
                 "x,invented row",
                 # a misspelt town placed by its spelling is counted, with a caveat
                 "MLI7,2022-09-14,Battles,Armed clash,JNIM,Mali,,,,Ansngo,,,2,x,invented row")
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["weekly", "--events", str(path), "--week", "2022-W37",
                                     "--out", str(out), "--no-png", "-q"])
    assert done.exit_code == 0, done.output
    flagged = pd.read_csv(out / "flagged.csv")
    assert flagged[["source_row", "flags"]].values.tolist() == [
        [2, "admin-hint"], [3, "point-admin-mismatch"], [4, "fuzzy"]]
    assert "fuzzy match 92% to 'Ansongo'" in flagged["reason"].iloc[2]
    regions = pd.read_csv(out / "regions.csv").set_index("unit_pcode")
    assert regions.loc["ML18", "fatalities"] == 4  # Douentza region (2023), by its commune


def test_every_commune_and_cercle_of_the_cod_tables_named_in_a_row_is_found(shared_boundaries):
    """The admin columns of a row, as the COD membership tables spell them, give the row's
    cercle/department: every commune (homonyms settled by the admin2 named beside them) and
    every cercle, Niafunké (no namesake in HDX v03) and the Ville de ... departments included.
    """
    from sahelmap.geocoding import Geocoder
    from sahelmap.geocoding.hints import resolve_admin_hints

    tables = shared_boundaries / "tables"
    rows = pd.concat([pd.read_csv(tables / "mli_adm3_communes_cod-ab_20211220.csv"),
                      pd.read_csv(tables / "ner_adm3_communes_cod-ab_20230720.csv")],
                     ignore_index=True)
    matcher, n = Geocoder().names, len(rows)
    found = resolve_admin_hints(matcher, [None] * n, rows["ADM1_FR"].tolist(),
                                rows["ADM2_FR"].tolist(), rows["ADM3_FR"].tolist())
    wrong = ~found["hint_adm2"].eq(rows["ADM2_PCODE"])
    assert not wrong.any(), rows[wrong][["ADM1_FR", "ADM2_FR", "ADM3_FR"]]
    cercles = rows.drop_duplicates("ADM2_PCODE")
    found = resolve_admin_hints(matcher, [None] * len(cercles), [None] * len(cercles),
                                cercles["ADM2_FR"].tolist(), [None] * len(cercles))
    wrong = ~found["hint_adm2"].eq(cercles["ADM2_PCODE"].reset_index(drop=True))
    assert not wrong.any(), cercles[wrong.to_numpy()][["ADM1_FR", "ADM2_FR"]]


@pytest.mark.parametrize("admin1, region", [
    ("Région de Gao", "ML07"), ("Region of Mopti", "ML05"), ("Région d'Agadez", "NE001"),
    ("Taoudeni", "ML06"), ("Tilabery", "NE006"), ("Mennaka", "ML10")])
def test_admin1_spellings_of_real_files_are_recognised(admin1, region):
    # "Région de Gao" was read as the region "de Gao"; Taoudeni/Taoudenni, Tilabery/Tillabéri
    # are spelling variants of one region
    result = geocode(admin1=admin1)
    assert (result.adm1_pcode, "not recognised" in result.reason) == (region, False)


def test_an_admin1_misspelt_beyond_a_variant_is_said_not_recognised():
    assert "admin1 hint 'Tomboctou' not recognised" in geocode("Gao", admin1="Tomboctou").reason
