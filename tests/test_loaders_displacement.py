"""read_displacement: long and wide (DTM) tables, periods, figure types, accounting."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point

from sahelmap.errors import InputFileError
from sahelmap.loaders import LoadResult, read_displacement

TODAY = "2024-01-01"


def write(tmp_path, text: str, name: str = "dtm.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path, **kw) -> LoadResult:
    kw.setdefault("today", TODAY)
    result = read_displacement(path, **kw)
    result.check()
    assert result.n_accepted + len(result.rejected) == result.n_input
    return result


def reasons(result: LoadResult) -> dict[int, tuple[str, str]]:
    return {int(r.source_row): (r.field, r.reason) for r in result.rejected.itertuples()}


def test_long_table(tmp_path):
    path = write(tmp_path, (
        "date,place,figure_type,count,source\n"
        "2022-09-12,Gao,new arrivals,\"60,000\",DTM\n"
        "12/09/2022,Ménaka,PDI,1 200,DTM\n"
        "12 sept 2022,Ansongo,Retours,35,DTM\n"
        "2022-09-12,Bamako,départs,10,DTM\n"))
    result = load(path)
    acc = result.accepted
    assert acc["figure_type"].tolist() == ["arrivals", "idps", "returns", "departures"]
    assert acc["count"].tolist() == [60000, 1200, 35, 10]
    assert acc["count"].dtype == "int64"
    assert acc["date"].dtype == "datetime64[ns]"
    assert acc["period_end"].isna().all()
    assert acc["adm1_name"].tolist() == ["Gao", "Ménaka", "Gao", "Bamako"]
    assert list(acc.columns[:14]) == [
        "source_file", "source_row", "date", "period_end", "place", "lon", "lat", "country",
        "admin1", "figure_type", "count", "source", "notes", "is_synthetic"]
    assert list(acc.columns[-3:]) == ["geometry", "duplicate_group", "is_duplicate"]
    assert len(acc) == result.n_input == result.n_records


@pytest.mark.parametrize(("row", "field", "reason"), [
    ("2022-09-12,Gao,idps,-5", "count", "negative count"),
    ("2022-09-12,Gao,idps,lots", "count", "non-numeric count"),
    ("2022-09-12,Gao,idps,", "count", "missing count"),
    ("2022-09-12,Gao,refugees,5", "figure_type",
     "unknown figure type (map it with figure_types={...})"),
    ("2022-13-45,Gao,idps,5", "date", "unparseable date"),
    ("2031-01-01,Gao,idps,5", "date", "date in the future (after 2024-01-01)"),
    ("2022-09-12,,idps,5", "place", "missing place and coordinates"),
    ("2022-09-12,Kadji,idps,5", "place", "no gazetteer entry for 'kadji'"),
])
def test_long_table_rejections(tmp_path, row, field, reason):
    path = write(tmp_path, f"date,place,figure_type,count\n2022-09-12,Gao,idps,5\n{row}\n")
    result = load(path)
    got_field, got_reason = reasons(result)[3]
    assert got_field == field and got_reason.startswith(reason)


def test_extra_figure_types(tmp_path):
    path = write(tmp_path, "date,place,figure_type,count\n2022-09-12,Gao,nouveaux déplacés,5\n")
    result = load(path, figure_types={"nouveaux déplacés": "arrivals"})
    assert result.accepted["figure_type"].tolist() == ["arrivals"]


def test_wide_dtm_table_is_melted_and_counted_in_rows(tmp_path):
    path = write(tmp_path, (
        "Date,Localité,Région,Arrivées,PDI,Retours,Source\n"
        "2022-09-12,Gao,Gao,\"60 000\",1200,,DTM\n"
        "2022-09-12,Ménaka,Ménaka,,-5,3,DTM\n"      # one bad figure: whole row rejected
        "2022-09-12,Ansongo,,,,,DTM\n"              # no figure at all
        "2022-09-12,Tin Hama,,10,x,,DTM\n"))        # two problems in one row
    result = load(path)
    acc = result.accepted
    assert result.n_input == 4 and result.n_accepted == 1 and result.n_records == 2
    assert acc[["source_row", "figure_type", "count"]].values.tolist() == [
        [2, "arrivals", 60000], [2, "idps", 1200]]
    assert acc["admin1"].tolist() == ["Gao", "Gao"]
    assert reasons(result) == {3: ("idps", "negative count"),
                               4: ("count", "no figure in the row"),
                               5: ("idps", "non-numeric count")}
    assert "1 accepted (2 records), 3 rejected" in result.summary()


def test_wide_hxl_table(tmp_path):
    path = write(tmp_path, (
        "Date,Site,Région,IDPs,Returnees\n"
        "#date,#loc+name,#adm1+name,#affected+idps,#affected+returnees\n"
        "2022-09-12,Gao,Gao,500,20\n"))
    result = load(path)
    assert result.accepted[["source_row", "figure_type", "count"]].values.tolist() == [
        [3, "idps", 500], [3, "returns", 20]]


def test_periods(tmp_path):
    path = write(tmp_path, (
        "period,place,idps\n"
        "Sept 2022,Gao,5\n"
        "01/09/2022 - 15/09/2022,Gao,6\n"
        "2022-09-03,Gao,7\n"))
    acc = load(path).accepted
    assert acc["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-01"] * 2 + ["2022-09-03"]
    assert acc["period_end"].dt.strftime("%Y-%m-%d").fillna("NaT").tolist() == [
        "2022-09-30", "2022-09-15", "NaT"]


def test_start_and_end_columns(tmp_path):
    path = write(tmp_path, (
        "start_date,end_date,place,arrivals\n"
        "01/09/2022,15/09/2022,Gao,5\n"
        "15/09/2022,01/09/2022,Gao,5\n"
        "01/09/2022,,Gao,5\n"))
    result = load(path)
    assert result.accepted["period_end"].dt.day.fillna(0).tolist() == [15, 0]
    assert reasons(result) == {3: ("period_end", "period ends before it starts")}


def test_count_column_of_people_mapped_to_a_figure_type(tmp_path):
    path = write(tmp_path, "date,site,personnes,ménages\n2022-09-12,Gao,600,100\n")
    with pytest.raises(InputFileError, match="no figure type column"):
        read_displacement(path)
    result = load(path, columns={"personnes": "idps"})
    assert result.accepted[["figure_type", "count"]].values.tolist() == [["idps", 600]]


def test_household_counts_are_not_people(tmp_path):
    path = write(tmp_path, "date,site,ménages\n2022-09-12,Gao,100\n")
    with pytest.raises(InputFileError, match="households are not people") as info:
        read_displacement(path)
    assert info.value.field == "count"


def test_no_figures_raises(tmp_path):
    path = write(tmp_path, "date,site,comment\n2022-09-12,Gao,calm\n")
    with pytest.raises(InputFileError, match="no figures found"):
        read_displacement(path)


def test_admin_unit_as_place(tmp_path):
    path = write(tmp_path, "date,cercle,region,idps\n2022-09-12,Ansongo,Gao,50\n")
    acc = load(path).accepted
    assert acc["place"].tolist() == ["Ansongo"]
    assert acc["adm1_pcode"].tolist() == ["ML07"]


def test_xlsx_and_gpkg(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Date", "Lieu", "Type", "Individus"])
    book.active.append(["12/09/2022", "Gao", "Arrivées", 300])
    book.active.append(["12/09/2022", "Gao", "PDI", -1])
    xlsx = tmp_path / "dtm.xlsx"
    book.save(xlsx)
    result = load(xlsx)
    assert result.accepted[["source_row", "figure_type", "count"]].values.tolist() == [
        [2, "arrivals", 300]]
    assert reasons(result) == {3: ("count", "negative count")}

    gpkg = tmp_path / "dtm.gpkg"
    gpd.GeoDataFrame({"date": ["2022-09-12"], "arrivals": [40], "idps": [None]},
                     geometry=[Point(-0.04, 16.27)], crs="EPSG:4326").to_file(gpkg)
    result = load(gpkg)
    assert result.accepted[["source_row", "figure_type", "count", "adm1_pcode"]
                           ].values.tolist() == [[1, "arrivals", 40, "ML07"]]


def test_duplicate_rows_flagged_and_merged(tmp_path):
    path = write(tmp_path, (
        "date,place,arrivals,idps,source\n"
        "2022-09-12,Gao,300,400,OCHA\n"
        "12/09/2022,Gao,300,400,DTM\n"        # same figures, other source: duplicate
        "2022-09-12,Gao,300,401,UNHCR\n"))    # another IDP figure: a different report
    result = load(path)
    assert result.accepted["is_duplicate"].tolist() == [False, False, True, True, False,
                                                        False]
    assert result.duplicates["source_row"].unique().tolist() == [2, 3]
    merged = load(path, merge_duplicates=True)
    assert merged.accepted["source_row"].unique().tolist() == [2, 4]
    assert merged.accepted["source"].iloc[0] == "OCHA; DTM"
    assert merged.rejected["reason"].tolist() == ["duplicate of row 2 (merged)"]


def test_long_duplicates(tmp_path):
    path = write(tmp_path, "date,place,figure_type,count,source\n"
                           "2022-09-12,Gao,arrivals,300,OCHA\n2022-09-12,gao,arrivées,300,DTM\n")
    assert load(path).accepted["duplicate_group"].tolist() == [1, 1]
