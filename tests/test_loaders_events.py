"""read_events: layouts, formats, every rejection reason, duplicates and accounting."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from sahelmap.errors import AccountingError, InputFileError
from sahelmap.loaders import LoadResult, read_events

TODAY = "2024-01-01"
HEADER = "event_date,location,event_type,fatalities,source"


def write(tmp_path, text: str, name: str = "events.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(path, **kw) -> LoadResult:
    kw.setdefault("today", TODAY)
    result = read_events(path, **kw)
    result.check()
    assert len(result.accepted) + len(result.rejected) == result.n_input
    return result


def reasons(result: LoadResult) -> dict[int, tuple[str, str]]:
    return {int(r.source_row): (r.field, r.reason) for r in result.rejected.itertuples()}


# --- layouts ------------------------------------------------------------------------------


def test_acled_export_columns_are_recognised(tmp_path):
    path = write(tmp_path, (
        "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,country,"
        "admin1,admin2,admin3,location,latitude,longitude,source,notes,fatalities\n"
        "MLI1,12 September 2022,2022,Violence against civilians,Attack,JNIM,Civilians (Mali),"
        "Mali,Gao,Gao,Gao,Gao,16.2717,-0.0447,Radio,\"11 killed, camp\",11\n"
        "MLI2,2022-09-13,2022,Battles,Armed clash,ISSP,FAMa,Mali,Menaka,Menaka,Menaka,Menaka,"
        "15.9182,2.4022,Twitter,,3\n"))
    result = load(path)
    acc = result.accepted
    assert acc["source_row"].tolist() == [2, 3]
    assert acc["event_date"].tolist() == [pd.Timestamp("2022-09-12"),
                                          pd.Timestamp("2022-09-13")]
    assert acc["actor1"].tolist() == ["JNIM", "ISSP"]
    assert acc["sub_event_type"].tolist() == ["Attack", "Armed clash"]
    assert acc["lat"].tolist() == [16.2717, 15.9182]
    assert acc["fatalities"].tolist() == [11, 3]
    assert acc["notes"].iloc[0] == "11 killed, camp"
    assert acc["adm1_pcode"].tolist() == ["ML07", "ML10"]
    assert acc["method"].tolist() == ["coordinates", "coordinates"]


def test_accepted_columns_and_dtypes(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,11,ACLED\n")
    acc = load(path).accepted
    assert list(acc.columns[:18]) == [
        "source_file", "source_row", "event_id", "event_date", "place", "lon", "lat", "country",
        "admin1", "admin2", "event_type", "sub_event_type", "actor1", "actor2", "fatalities",
        "source", "notes", "is_synthetic"]
    assert list(acc.columns[-3:]) == ["geometry", "duplicate_group", "is_duplicate"]
    assert {"matched_name", "adm1_pcode", "status", "confidence"} <= set(acc.columns)
    assert acc["event_date"].dtype == "datetime64[ns]"
    assert acc["fatalities"].dtype == "int64"
    assert acc["source_row"].dtype == "int64"
    assert acc["is_synthetic"].dtype == bool
    assert acc["duplicate_group"].dtype == "Int64"
    assert acc["lon"].dtype == "float64" and np.isnan(acc["lon"].iloc[0])
    assert acc.crs == "EPSG:4326"
    assert acc.geometry.iloc[0].equals_exact(Point(-0.04472, 16.27167), 1e-4)
    assert acc["event_type"].iloc[0] == "Violence against civilians"


def test_hxl_hashtag_row_is_used_and_counted_in_line_numbers(tmp_path):
    path = write(tmp_path, (
        "Date,Lieu,Région,Type,Morts,Source\n"
        "#date,#loc+name,#adm1+name,#event+type,#affected+killed,#meta+source\n"
        "12/09/2022,Ménaka,Ménaka,attaque,4,OCHA\n"
        "13/09/2022,,,attaque,1,OCHA\n"))
    result = load(path)
    assert result.n_input == 2
    assert result.accepted["source_row"].tolist() == [3]
    assert result.accepted["admin1"].tolist() == ["Ménaka"]
    assert result.accepted["fatalities"].tolist() == [4]
    assert reasons(result) == {4: ("place", "missing place and coordinates")}


def test_hxl_tags_without_text_headers(tmp_path):
    path = write(tmp_path, "#date,#loc+name,#event+type,#affected+killed\n"
                           "2022-09-12,Gao,IED,2\n")
    result = load(path)
    assert result.accepted["event_type"].tolist() == ["Explosions/Remote violence"]
    assert result.accepted["source_row"].tolist() == [2]


def test_french_headers_and_synonyms(tmp_path):
    path = write(tmp_path, (
        "Date de l'événement;Localité;Type d'événement;Tués;Auteurs;Remarques\n"
        "12/09/2022;Ansongo;Enlèvement;0;inconnus;deux humanitaires\n"
        "13/09/2022;Tin Hama;affrontement;7;;\n"
        "14/09/2022;Bamako;Manifestation;;;\n"), encoding="cp1252")
    result = load(path)
    acc = result.accepted
    assert acc["event_type"].tolist() == ["Violence against civilians", "Battles", "Protests"]
    assert acc["fatalities"].tolist() == [0, 7, 0]  # an empty cell is 0
    assert acc["actor1"].iloc[0] == "inconnus"
    assert acc["notes"].iloc[0] == "deux humanitaires"
    assert acc["place"].tolist() == ["Ansongo", "Tin Hama", "Bamako"]


def test_explicit_column_mapping(tmp_path):
    path = write(tmp_path, "When,Where,What,Toll,Who told\n"
                           "2022-09-12,Gao,massacre,20,MSF\n")
    result = load(path, columns={"When": "date", "Where": "place", "What": "event_type",
                                 "Toll": "fatalities", "Who told": "source"})
    row = result.accepted.iloc[0]
    assert (row["place"], row["fatalities"], row["source"]) == ("Gao", 20, "MSF")


def test_mapping_none_ignores_a_column_and_hxl_keys_work(tmp_path):
    path = write(tmp_path, "date,place,type,event_type\n#date,#loc,,#x_kind\n"
                           "2022-09-12,Gao,whatever,shelling\n")
    result = load(path, columns={"type": None, "#x_kind": "event_type"})
    assert result.accepted["event_type"].tolist() == ["Explosions/Remote violence"]


def test_mapping_naming_a_missing_column_raises(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,1,x\n")
    with pytest.raises(InputFileError, match=r"column 'Quand' named in columns= is not"):
        read_events(path, columns={"Quand": "date"})
    with pytest.raises(ValueError, match=r"'nowhere', which is not a field"):
        read_events(path, columns={"location": "nowhere"})


def test_extra_event_types(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,ambush,3,x\n2022-09-12,Gao,raid,3,x\n")
    assert reasons(load(path))[2][0] == "event_type"
    result = load(path, event_types={"ambush": "Battles"})
    assert result.accepted["event_type"].tolist() == ["Battles", "Violence against civilians"]
    with pytest.raises(ValueError, match="not one of"):
        read_events(path, event_types={"ambush": "Skirmish"})


def test_is_synthetic_column(tmp_path):
    path = write(tmp_path, f"{HEADER},synthetic\n2022-09-12,Gao,attack,1,x,yes\n"
                           "2022-09-13,Gao,attack,1,x,\n2022-09-14,Gao,attack,1,x,maybe\n")
    result = load(path)
    assert result.accepted["is_synthetic"].tolist() == [True, False]
    assert reasons(result) == {4: ("is_synthetic", "not a yes/no value")}


# --- rejection reasons ----------------------------------------------------------------------


@pytest.mark.parametrize(("row", "field", "reason"), [
    ("someday,Gao,attack,1,x", "date", "unparseable date"),
    ("31/02/2022,Gao,attack,1,x", "date", "unparseable date"),
    (",Gao,attack,1,x", "date", "missing date"),
    ("2024-01-02,Gao,attack,1,x", "date", "date in the future (after 2024-01-01)"),
    ("Sept 2022,Gao,attack,1,x", "date", "date gives a month, not a day"),
    ("2022-09-12,Gao,attack,-3,x", "fatalities", "negative fatalities"),
    ("2022-09-12,Gao,attack,many,x", "fatalities", "non-numeric fatalities"),
    ("2022-09-12,Gao,attack,2.5,x", "fatalities", "fatalities is not a whole number"),
    ("2022-09-12,,attack,1,x", "place", "missing place and coordinates"),
    ("2022-09-12,Gao,picnic,1,x", "event_type",
     "unknown event type (map it with event_types={...})"),
    ("2022-09-12,Gao,,1,x", "event_type", "missing event type"),
])
def test_each_rejection_reason(tmp_path, row, field, reason):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,1,x\n{row}\n")
    result = load(path)
    assert result.accepted["source_row"].tolist() == [2]
    assert reasons(result) == {3: (field, reason)}
    rejected = result.rejected.iloc[0]
    assert rejected["source_file"] == str(path)
    # the original cells follow, as text
    assert list(result.rejected.columns) == ["source_file", "source_row", "field", "column",
                                             "value", "reason", "event_date", "location",
                                             "event_type", "fatalities", "source"]
    # the field is also named as the column of the user's file
    column = {"date": "event_date", "place": "location", "fatalities": "fatalities",
              "event_type": "event_type"}[field]
    assert rejected["column"] == column


def test_unmatched_place_is_rejected_with_the_geocoder_reason(tmp_path, kadji):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Kadji,raid,11,x\n")
    result = load(path)
    field, reason = reasons(result)[2]
    assert field == "place" and "kadji" in reason
    assert result.rejected["value"].tolist() == ["Kadji"]
    # with the user's gazetteer the camp is found
    found = load(path, gazetteer=kadji)
    assert found.accepted["adm1_pcode"].tolist() == ["ML07"]


def test_on_unmatched_keep(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Kadji,raid,11,x\n")
    result = load(path, on_unmatched="keep")
    assert len(result.rejected) == 0
    row = result.accepted.iloc[0]
    assert row["status"] == "unmatched" and pd.isna(row["adm1_pcode"])
    assert row["geometry"] is None
    with pytest.raises(ValueError, match="on_unmatched"):
        read_events(path, on_unmatched="drop")


def test_relative_place_phrase_is_geocoded(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,\"outside Gao\",raid,11,x\n")
    assert load(path).accepted["adm1_pcode"].tolist() == ["ML07"]


def test_several_problems_give_one_rejected_row(tmp_path):
    path = write(tmp_path, f"{HEADER}\nnever,,picnic,-1,x\n")
    result = load(path)
    row = result.rejected.iloc[0]
    assert row["field"] == "date; place; event_type; fatalities"
    assert row["reason"] == ("unparseable date; missing place and coordinates; unknown "
                             "event type (map it with event_types={...}); negative fatalities")
    assert row["value"] == "never; ; picnic; -1"


def test_coordinates_without_place_and_bad_coordinates(tmp_path):
    path = write(tmp_path, (
        "event_date,location,latitude,longitude,event_type\n"
        "2022-09-12,,16.27,-0.04,attack\n"
        "2022-09-12,,16.27,,attack\n"
        "2022-09-12,Gao,north,,attack\n"))
    result = load(path)
    assert result.accepted["adm1_pcode"].tolist() == ["ML07"]
    assert result.accepted["lon"].tolist() == [-0.04]
    assert reasons(result) == {
        3: ("place", "missing place and incomplete coordinates (longitude and latitude both "
                     "needed)"),
        4: ("lat", "non-numeric latitude")}


# --- dates ----------------------------------------------------------------------------------


def test_mixed_date_formats_day_first(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,1,a\n12/09/2022,Gao,attack,1,b\n"
                           "12 Sept 2022,Gao,attack,1,c\n12 septembre 2022,Gao,attack,1,d\n"
                           "03/04/2022,Gao,attack,1,e\n")
    dates = load(path).accepted["event_date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2022-09-12"] * 4 + ["2022-04-03"]


def test_dayfirst_false(tmp_path):
    path = write(tmp_path, f"{HEADER}\n03/04/2022,Gao,attack,1,e\n2022-09-12,Gao,attack,1,a\n")
    dates = load(path, dayfirst=False).accepted["event_date"].dt.strftime("%m-%d").tolist()
    assert dates == ["03-04", "09-12"]


def test_a_month_first_file_is_read_month_first_throughout(tmp_path):
    path = write(tmp_path, f"{HEADER}\n09/12/2022,Gao,attack,1,e\n09/13/2022,Gao,attack,2,e\n")
    with pytest.warns(UserWarning, match="read month first .as 09/13/. shows., for the whole"):
        result = load(path)
    assert result.accepted["event_date"].tolist() == [pd.Timestamp("2022-09-12"),
                                                      pd.Timestamp("2022-09-13")]


def test_a_column_mixing_both_orders_is_rejected_not_guessed(tmp_path):
    path = write(tmp_path, f"{HEADER}\n13/09/2022,Gao,attack,1,e\n09/14/2022,Gao,attack,2,e"
                           "\n2022-09-15,Gao,attack,3,e\n")
    result = load(path)
    assert result.accepted["source_row"].tolist() == [4]  # the ISO date stays readable
    assert result.rejected["reason"].str.contains("day and month order differ").all()


# --- formats --------------------------------------------------------------------------------


def test_xlsx_rows_are_spreadsheet_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Weekly incident report"])  # a title row above the header
    sheet.append([])
    sheet.append(["Date", "Lieu", "Type", "Morts"])
    sheet.append([dt.datetime(2022, 9, 12), "Gao", "attaque", 11])
    sheet.append([])
    sheet.append(["13/09/2022", "Ménaka", "attaque", -2])
    sheet.append(["14 sept 2022", "Ménaka", "affrontement", 3.0])
    path = tmp_path / "report.xlsx"
    book.save(path)
    result = load(path)
    assert result.accepted["source_row"].tolist() == [4, 7]
    assert result.accepted["fatalities"].tolist() == [11, 3]
    assert reasons(result) == {6: ("fatalities", "negative fatalities")}
    assert result.n_blank == 1
    assert result.rejected["Morts"].tolist() == ["-2"]


def test_xlsx_named_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["nothing here"])
    other = book.create_sheet("events")
    other.append(["date", "place", "event_type"])
    other.append(["2022-09-12", "Gao", "raid"])
    path = tmp_path / "report.xlsx"
    book.save(path)
    assert load(path, sheet="events").accepted["source_row"].tolist() == [2]
    with pytest.raises(InputFileError, match="no sheet 'nope'; the sheets are: Sheet, events"):
        read_events(path, sheet="nope")


def _features(tmp_path, suffix):
    frame = gpd.GeoDataFrame(
        {"event_date": ["2022-09-12", "2022-09-13", "2022-09-14"],
         "event_type": ["attack", "clash", "attack"], "fatalities": [11, 2, None],
         "location": ["Kadji", None, None]},
        geometry=[Point(0.02, 16.25), Point(2.40, 15.92), None], crs="EPSG:4326")
    path = tmp_path / f"events.{suffix}"
    frame.to_file(path)
    return path


def test_geojson_rows_are_feature_indexes(tmp_path):
    path = _features(tmp_path, "geojson")
    result = load(path)
    assert result.accepted["source_row"].tolist() == [0, 1]
    assert result.accepted["lon"].tolist() == [0.02, 2.40]
    assert result.accepted["adm1_pcode"].tolist() == ["ML07", "ML10"]
    assert reasons(result) == {2: ("place", "missing place and coordinates")}


def test_gpkg_rows_are_fids(tmp_path):
    path = _features(tmp_path, "gpkg")
    result = load(path)
    assert result.accepted["source_row"].tolist() == [1, 2]
    assert result.accepted["fatalities"].tolist() == [11, 2]
    assert reasons(result)[3][0] == "place"


def test_projected_geometry_is_reprojected(tmp_path):
    frame = gpd.GeoDataFrame({"date": ["2022-09-12"], "type": ["attack"]},
                             geometry=[Point(-0.0447, 16.2717)], crs="EPSG:4326")
    path = tmp_path / "projected.gpkg"
    frame.to_crs("EPSG:32631").to_file(path)
    acc = load(path).accepted
    assert acc["lon"].iloc[0] == pytest.approx(-0.0447)
    assert acc["adm1_pcode"].tolist() == ["ML07"]


def test_geojson_without_extension(tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-0.04, 16.27]},
         "properties": {"date": "2022-09-12", "type": "attack"}}]}
    path = tmp_path / "export"
    path.write_text(json.dumps(doc))
    assert load(path).accepted["adm1_pcode"].tolist() == ["ML07"]


def test_several_files_are_concatenated(tmp_path):
    one = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,11,\n", "one.csv")
    two = write(tmp_path, "date;lieu;type;morts\n12/09/2022;Gao;attaque;11\nx;Gao;raid;1\n",
                "two.csv")
    result = load([one, two])
    assert result.n_input == 3
    assert result.accepted["source_file"].tolist() == [str(one), str(two)]
    assert result.rejected["source_file"].tolist() == [str(two)]
    # the same event from two files (no source column): flagged as duplicate
    assert result.accepted["is_duplicate"].tolist() == [False, True]
    # rejected rows keep each file's own raw columns
    assert {"event_date", "lieu"} <= set(result.rejected.columns)


# --- row numbers and odd CSV files ---------------------------------------------------------


def test_multiline_cells_keep_line_numbers(tmp_path):
    path = write(tmp_path, f"{HEADER},notes\n2022-09-12,Gao,attack,1,x,\"two\nlines\"\n"
                           "\n2022-09-12,Gao,attack,-1,y,\n")
    result = load(path)
    assert result.accepted["notes"].tolist() == ["two\nlines"]
    assert reasons(result) == {5: ("fatalities", "negative fatalities")}
    assert result.n_blank == 1


def test_raw_columns_clashing_with_fixed_names(tmp_path):
    path = write(tmp_path, "date,place,event_type,reason\n2022-09-12,,attack,revenge\n")
    rejected = load(path).rejected
    assert rejected["reason"].tolist() == ["missing place and coordinates"]
    assert rejected["reason (raw)"].tolist() == ["revenge"]


# --- files that cannot be read ------------------------------------------------------------


def test_unreadable_files_raise(tmp_path):
    with pytest.raises(InputFileError, match="missing.csv: file not found"):
        read_events(tmp_path / "missing.csv")
    with pytest.raises(InputFileError, match="file is empty"):
        read_events(write(tmp_path, ""))
    with pytest.raises(InputFileError, match="old Excel .xls"):
        read_events(write(tmp_path, "x", "old.xls"))
    with pytest.raises(InputFileError, match="not a readable .xlsx"):
        read_events(write(tmp_path, "not a zip", "fake.xlsx"))
    with pytest.raises(InputFileError, match="not a readable vector file"):
        read_events(write(tmp_path, "{not json", "broken.geojson"))


@pytest.mark.parametrize(("text", "field"), [
    ("location,event_type\nGao,attack\n", "date"),
    ("event_date,event_type\n2022-09-12,attack\n", "place"),
    ("event_date,location\n2022-09-12,Gao\n", "event_type"),
])
def test_missing_required_columns_raise_naming_the_field(tmp_path, text, field):
    path = write(tmp_path, text)
    with pytest.raises(InputFileError, match=f"field '{field}'") as info:
        read_events(path)
    assert info.value.field == field and str(path) in str(info.value)


def test_header_only_file_gives_an_empty_result(tmp_path):
    result = load(write(tmp_path, f"{HEADER}\n"))
    assert result.n_input == 0 and len(result.accepted) == 0
    assert "event_date" in result.accepted.columns
    assert result.summary().startswith("events: 0 rows read")


# --- duplicates -----------------------------------------------------------------------------


DUPES = (f"{HEADER}\n"
         "2022-09-12,Gao,attack,11,ACLED\n"
         "12/09/2022,GAO,raid,11,Radio Kledu\n"   # same day, place, type, toll: duplicate
         "2022-09-12,Gao,attack,11,ACLED\n"       # same source again: part of the group
         "2022-09-12,Gao,attack,12,MSF\n"         # another toll: not a duplicate
         "2022-09-12,Ménaka,clash,0,ACLED\n"
         "2022-09-12,Ménaka,clash,0,ACLED\n")     # one source only: not flagged


def test_duplicates_are_flagged(tmp_path):
    result = load(write(tmp_path, DUPES))
    acc = result.accepted
    assert acc["duplicate_group"].tolist()[:4] == [1, 1, 1, pd.NA]
    assert acc["is_duplicate"].tolist() == [False, True, True, False, False, False]
    assert result.duplicates["source_row"].tolist() == [2, 3, 4]
    assert "duplicates: 1 group(s), 2 repeated report(s) (flagged" in result.summary()


def test_duplicates_are_merged_on_request(tmp_path):
    result = load(write(tmp_path, DUPES), merge_duplicates=True)
    acc = result.accepted
    assert acc["source_row"].tolist() == [2, 5, 6, 7]
    assert acc["source"].iloc[0] == "ACLED; Radio Kledu"
    assert result.rejected["reason"].tolist() == ["duplicate of row 2 (merged)"] * 2
    assert result.rejected["field"].tolist() == ["duplicate"] * 2
    assert len(result.duplicates) == 3


def test_duplicates_by_coordinates(tmp_path):
    path = write(tmp_path, "event_date,latitude,longitude,event_type,source\n"
                           "2022-09-12,16.27,-0.04,attack,a\n2022-09-12,16.27,-0.04,attack,b\n")
    assert load(path).accepted["is_duplicate"].tolist() == [False, True]


def test_merged_duplicate_in_another_file_names_it(tmp_path):
    one = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,11,ACLED\n", "one.csv")
    two = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,11,OCHA\n", "two.csv")
    result = load([one, two], merge_duplicates=True)
    assert result.rejected["reason"].tolist() == [f"duplicate of row 2 of {one} (merged)"]


def test_check_detects_broken_accounting(tmp_path):
    result = load(write(tmp_path, DUPES))
    broken = LoadResult(result.accepted, result.rejected, result.n_input + 1,
                        result.duplicates)
    with pytest.raises(AccountingError, match="6 accepted \\+ 0 rejected rows != 7"):
        broken.check()
    doubled = LoadResult(result.accepted.iloc[1:], result.accepted.iloc[:1][
        ["source_file", "source_row"]], result.n_input, result.duplicates)
    doubled.check()  # moving a row across keeps the sum; a row in both is caught:
    both = LoadResult(result.accepted.iloc[1:], result.accepted.iloc[1:2][
        ["source_file", "source_row"]], result.n_input, result.duplicates)
    with pytest.raises(AccountingError):
        both.check()


def test_rows_with_too_many_or_too_few_cells(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2022-09-12,Gao,attack,1,Radio, Kledu\n"
                           "2022-09-12,Gao,attack\n2022-09-13,Gao,attack,2,x\n")
    result = load(path)
    assert result.accepted["source_row"].tolist() == [3, 4]  # short rows are padded
    row = result.rejected.iloc[0]
    assert (row["source_row"], row["field"], row["value"]) == (2, "row", " Kledu")
    assert row["reason"].startswith("more cells than the header has")
    assert row["(cells beyond the header)"] == " Kledu"
