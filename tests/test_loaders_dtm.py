"""IOM DTM layouts (baseline, site assessment, flow monitoring), HDX HAPI idps: invented rows.

Every fixture is written here from the published column lists with invented rows; no real
DTM, HAPI or UNHCR data is copied into the project.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap.cli import main
from sahelmap.errors import InputFileError
from sahelmap.loaders import LoadResult, read_displacement

TODAY = "2024-01-01"

BASELINE_COLUMNS = [
    "Snapshot Date", "Survey Date", "Admin 0", "Admin 0 pcode", "Admin 1", "Admin 1 pcode",
    "Admin 2", "Admin 2 pcode", "Admin 3", "Admin 3 pcode", "Admin 4", "Admin 4 pcode",
    "Admin 5", "Admin 5 pcode", "Lowest Admin Level", "Total No. of IDPs HH",
    "Total No. of IDPs Ind.", "Total No. of Returnees HH.", "Total No. of Returnees Ind.",
    "No. of IDPs Ind. in collective settings", "Country of Origin of IDP",
    "Admin 1 Area of Origin of IDP", "Type of Displacement", "Conflict", "Insecurity",
    "Natural Disaster", "Political reasons", "Economic reasons",
    "Main displacement start date", "RoundNo", "Returns", "Migration flows", "Other reason"]
# the exported variant: "." written "#"
EXPORTED = [c.replace("No. of", "No# of").replace("Ind.", "Ind#") for c in BASELINE_COLUMNS]

# (admin1, admin1 pcode, admin2, admin2 pcode (cod-2021), admin3, HH, IND, returns flag)
_UNITS = [
    ("Gao", "ML07", "Ansongo", "ML0701", "Ouattagouna", 310, 1544, 1),
    ("Gao", "ML07", "Gao", "ML0703", "Gao", 820, 4101, 0),
    ("Mopti", "ML05", "Bandiagara", "ML0501", "Bandiagara", 95, 488, 1),
    ("Ménaka", "ML10", "Ménaka", "ML1001", "Ménaka", 1203, 6010, 0),
    ("Bamako", "ML09", "Bamako", "ML0901", "Commune I", 40, 205, 0),
]


def baseline_rows(snapshot: str = "2020-03-31", survey: str = "2020-03-20",
                  round_no: int = 22, factor: int = 1) -> list[list[object]]:
    rows = []
    for a1, p1, a2, p2, a3, hh, ind, returns in _UNITS:
        rows.append([
            snapshot, survey, "Mali", "ML", a1, p1, a2, p2, a3, p2 + "01", None, None, None,
            None, "Admin 3", hh * factor, ind * factor, 3, 14, ind // 10, "Mali", "Mopti",
            "Internal", 1, 1, 0, 0, 0, "2018-01-01", round_no, returns, 0, 0])
    return rows


def write_book(path, sheets: dict[str, list[list[object]]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def load(path, **kw) -> LoadResult:
    kw.setdefault("today", TODAY)
    result = read_displacement(path, **kw)
    result.check()
    assert result.n_accepted + len(result.rejected) == result.n_input
    return result


def idps_total(result: LoadResult) -> int:
    acc = result.accepted
    return int(acc.loc[acc["figure_type"] == "idps", "count"].sum())


@pytest.fixture
def baseline(tmp_path):
    """An exported baseline workbook: 'Total No# of IDPs Ind#' and a 0/1 'Returns' column."""
    return write_book(tmp_path / "dtm_baseline.xlsx",
                      {"Baseline Assessment": [EXPORTED] + baseline_rows()})


def test_baseline_workbook(baseline):
    result = load(baseline)
    acc = result.accepted
    plain = pd.read_excel(baseline, sheet_name="Baseline Assessment")
    assert result.n_input == len(plain) == 5
    assert idps_total(result) == int(plain["Total No# of IDPs Ind#"].sum()) == 12348
    # Returns is a reason for displacement (0/1), never the returns figure
    assert set(acc["figure_type"]) == {"idps"}
    # households kept beside the people, never summed with them
    assert acc["households"].tolist() == plain["Total No# of IDPs HH"].tolist()
    # the snapshot date is the date, not the survey date
    assert (acc["date"] == pd.Timestamp("2020-03-31")).all()
    # the P-codes place each row (2021 COD: ML09 is Bamako, told by the name beside it)
    assert set(acc["method"]) == {"pcode"}
    assert acc["adm1_pcode"].tolist() == ["ML07", "ML07", "ML05", "ML10", "ML20"]
    assert acc["adm2_pcode"].tolist() == ["ML0701", "ML0703", "ML0501", "ML1001", "ML0901"]
    assert acc["place"].tolist() == ["Ouattagouna", "Gao", "Bandiagara", "Ménaka",
                                     "Commune I"]
    notes = "\n".join(result.notes)
    assert "'Returns'" in notes and "flags, not figures" in notes
    assert "Total No. of Returnees Ind." not in notes  # exported spelling below
    assert "'Total No# of Returnees Ind#' not read" in notes


def test_baseline_with_dotted_headers_csv(tmp_path):
    path = tmp_path / "dtm_baseline.csv"
    pd.DataFrame(baseline_rows(), columns=BASELINE_COLUMNS).to_csv(path, index=False)
    result = load(path)
    plain = pd.read_csv(path)
    assert idps_total(result) == int(plain["Total No. of IDPs Ind."].sum())
    assert set(result.accepted["figure_type"]) == {"idps"}


def test_data_sheet_chosen_next_to_verification(tmp_path):
    path = write_book(tmp_path / "dtm_r22.xlsx", {
        "VERIFICATION": [["Checked by", "Date"], ["A. Maïga", "2020-04-02"]],
        "Baseline_Assessment": [["IOM DTM Mali - Round 22"], [], EXPORTED]
        + baseline_rows()})
    result = load(path)
    plain = pd.read_excel(path, sheet_name="Baseline_Assessment", skiprows=2)
    assert result.n_input == len(plain) == 5
    assert idps_total(result) == int(plain["Total No# of IDPs Ind#"].sum())
    assert result.accepted["source_row"].tolist() == [4, 5, 6, 7, 8]
    assert any("sheet 'Baseline_Assessment' read" in n and "'VERIFICATION'" in n
               for n in result.notes)
    assert "sheet 'Baseline_Assessment' read" in result.summary()


def test_data_sheet_named_data_after_readme(tmp_path):
    path = write_book(tmp_path / "dtm.xlsx", {
        "README": [["This workbook holds invented rows"]],
        "data": [BASELINE_COLUMNS] + baseline_rows()})
    assert idps_total(load(path)) == 12348


SITE_COLUMNS = ["Date de l'évaluation", "Région", "Pcode région", "Cercle", "Commune",
                "Nom du site", "Type de site", "Latitude", "Longitude",
                "Nombre de ménages PDI", "Nombre de PDI (individus)", "Conflit", "Insécurité"]


@pytest.fixture
def site_assessment(tmp_path):
    rows = [
        ["15/06/2022", "Gao", "ML07", "Gao", "Gao", "Site Château", "Collectif", 16.27, -0.04,
         120, 610, 1, 1],
        ["15/06/2022", "Ménaka", "ML10", "Ménaka", "Ménaka", "Site Aljanabanda", "Spontané",
         15.92, 2.40, 300, 1490, 1, 0],
        ["16/06/2022", "Mopti", None, "Mopti", "Mopti", "Site Socoura", "Collectif", 14.49,
         -4.18, 80, 402, 0, 1],
        ["16/06/2022", "Gao", "ML07", "Ansongo", "Ansongo", "Site Fafa", "Collectif", None,
         None, 40, None, 1, 0],                            # no people given: rejected
        ["31/12/2031", "Gao", "ML07", "Gao", "Gao", "Site Futur", "Collectif", 16.27, -0.04,
         10, 50, 1, 0],                                    # a date in the future: rejected
    ]
    path = tmp_path / "dtm_evaluation_sites.csv"
    pd.DataFrame(rows, columns=SITE_COLUMNS).to_csv(path, index=False, sep=";")
    return path


def test_french_site_assessment(site_assessment):
    result = load(site_assessment)
    plain = pd.read_csv(site_assessment, sep=";")
    assert result.n_input == len(plain) == 5
    assert result.n_accepted == 3 and len(result.rejected) == 2
    accepted_rows = plain.iloc[:3]
    assert idps_total(result) == int(accepted_rows["Nombre de PDI (individus)"].sum()) == 2502
    acc = result.accepted
    assert acc["households"].tolist() == [120, 300, 80]
    assert acc["place"].tolist() == ["Site Château", "Site Aljanabanda", "Site Socoura"]
    assert acc["method"].tolist()[:2] == ["pcode", "pcode"]
    assert acc["adm1_pcode"].tolist() == ["ML07", "ML10", "ML05"]
    assert result.rejected["field"].tolist() == ["count", "date"]
    assert any("Conflit" in n and "flags" in n for n in result.notes)


FLOW_COLUMNS = ["Period start", "Period end", "Flow Monitoring Point", "Admin 1",
                "Admin 1 pcode", "Admin 2", "Latitude", "Longitude",
                "Incoming (individuals)", "Outgoing (individuals)"]


def test_flow_monitoring_table(tmp_path):
    rows = [
        ["2022-09-05", "2022-09-11", "FMP Gao gare routière", "Gao", "ML07", "Gao", 16.27,
         -0.04, 340, 120],
        ["2022-09-12", "2022-09-18", "FMP Gao gare routière", "Gao", "ML07", "Gao", 16.27,
         -0.04, 410, 95],
        ["2022-09-05", "2022-09-11", "FMP Ménaka marché", "Ménaka", "ML10", "Ménaka", 15.92,
         2.40, 75, 0],
        ["2022-09-12", "2022-09-18", "FMP Ménaka marché", "Ménaka", "ML10", "Ménaka", 15.92,
         2.40, "n/a", 10],                                     # bad figure: row rejected
    ]
    path = tmp_path / "fmp.csv"
    pd.DataFrame(rows, columns=FLOW_COLUMNS).to_csv(path, index=False)
    result = load(path)
    plain = pd.read_csv(path)
    assert result.n_input == len(plain) and result.n_accepted == 3
    acc = result.accepted
    kept = plain.iloc[:3]
    arrivals = acc.loc[acc["figure_type"] == "arrivals", "count"]
    departures = acc.loc[acc["figure_type"] == "departures", "count"]
    assert int(arrivals.sum()) == int(kept["Incoming (individuals)"].astype(int).sum())
    assert int(departures.sum()) == int(kept["Outgoing (individuals)"].sum())
    assert idps_total(result) == 0 and "idps" not in set(acc["figure_type"])
    assert acc["period_end"].dt.day.tolist()[:2] == [11, 11]


HAPI_COLUMNS = ["location_code", "has_hrp", "in_gho", "admin1_code", "admin1_name",
                "provider_admin1_name", "admin2_code", "admin2_name", "provider_admin2_name",
                "admin_level", "operation", "reporting_round", "assessment_type",
                "population", "reference_period_start", "reference_period_end"]


def test_hapi_idps_table(tmp_path):
    rows = [
        ["MLI", True, True, "ML07", "Gao", "Gao", "ML0701", "Ansongo", "Ansongo", 2,
         "Mali", 22, "BA", 1544, "2020-03-01", "2020-03-31"],
        ["MLI", True, True, "ML09", "Bamako", "Bamako", "ML0901", "Bamako", "Bamako", 2,
         "Mali", 22, "BA", 205, "2020-03-01", "2020-03-31"],
        ["NER", True, True, "NE006", "Tillabéri", "Tillaberi", "NE006001", "Abala", "Abala",
         2, "Niger", 5, "BA", 3120, "2020-03-01", "2020-03-31"],
    ]
    path = tmp_path / "hapi_idps.csv"
    pd.DataFrame(rows, columns=HAPI_COLUMNS).to_csv(path, index=False)
    result = load(path)
    plain = pd.read_csv(path)
    assert idps_total(result) == int(plain["population"].sum())
    acc = result.accepted
    assert acc["adm1_pcode"].tolist() == ["ML07", "ML20", "NE006"]   # HAPI: ML09 = Bamako
    assert set(acc["method"]) == {"pcode"}
    assert acc["period_end"].dt.day.tolist() == [31, 31, 31]
    assert any("HDX HAPI idps" in n for n in result.notes)


def test_all_zero_figure_fails_loudly(tmp_path):
    path = tmp_path / "zeros.csv"
    pd.DataFrame({"Date": ["2022-09-12", "2022-09-12"], "Région": ["Gao", "Ménaka"],
                  "IDPs": [0, 0], "Déplacés recensés (total)": [1200, 800]}
                 ).to_csv(path, index=False)
    with pytest.raises(InputFileError, match=r"'IDPs' is entirely zero or empty.*"
                                             r"'Déplacés recensés \(total\)'") as info:
        read_displacement(path, today=TODAY)
    assert info.value.exit_code == 2 and "columns=" in str(info.value)
    fixed = load(path, columns={"Déplacés recensés (total)": "idps", "IDPs": None})
    assert idps_total(fixed) == 2000

    out = tmp_path / "out.csv"
    run = CliRunner().invoke(main, ["aggregate", "--displacement", str(path), "--out",
                                    str(out), "--period", "all"])
    assert run.exit_code == 2, run.output
    assert "entirely zero or empty" in run.output and "--displacement-columns" in run.output
    run = CliRunner().invoke(main, ["aggregate", "--displacement", str(path), "--out",
                                    str(out), "--period", "all", "--displacement-columns",
                                    "Déplacés recensés (total)=idps,IDPs=-"])
    assert run.exit_code == 0, run.output
    assert int(pd.read_csv(out)["idps"].sum()) == 2000


def test_returns_flag_alone_is_not_a_figure(tmp_path):
    # the old misreading: the 0/1 'Returns' reason taken as the returns figure, 0 IDPs
    path = tmp_path / "flags.csv"
    pd.DataFrame({"Snapshot Date": ["2020-03-31"] * 2, "Admin 1": ["Gao", "Mopti"],
                  "Returns": [1, 0], "Conflict": [1, 1], "IDP count (people)": [10, 20]}
                 ).to_csv(path, index=False)
    with pytest.raises(InputFileError, match="no figures found"):
        read_displacement(path, today=TODAY)


def test_households_only_still_refused(tmp_path):
    path = tmp_path / "hh.csv"
    pd.DataFrame({"Snapshot Date": ["2020-03-31"], "Admin 1": ["Gao"],
                  "Total No. of IDPs HH": [10]}).to_csv(path, index=False)
    with pytest.raises(InputFileError, match="households are not people"):
        read_displacement(path, today=TODAY)


def test_conasur_style_french_table(tmp_path):
    path = tmp_path / "conasur.csv"
    pd.DataFrame({
        "Date de mise à jour": ["31/03/2022", "31/03/2022", "31/03/2022"],
        "Région": ["Tillabéri", "Gao", "Mopti"], "Commune": ["Ayorou", "Ansongo", "Mopti"],
        "Nombre de ménages PDI": [210, 150, 90], "Hommes": [400, 300, 200],
        "Femmes": [520, 410, 260], "Enfants": [600, 500, 300],
        "Total PDI": [1520, 1210, 760]}).to_csv(path, index=False, sep=";")
    result = load(path)
    plain = pd.read_csv(path, sep=";")
    assert result.n_input == 3 and result.n_accepted == 3
    assert idps_total(result) == int(plain["Total PDI"].sum())
    assert result.accepted["households"].tolist() == [210, 150, 90]
    assert result.accepted["adm1_pcode"].tolist() == ["NE006", "ML07", "ML05"]


def test_unhcr_refugees_refused_with_the_reason(tmp_path):
    path = tmp_path / "unhcr.csv"
    pd.DataFrame({"date": ["2022-06-30"], "admin1": ["Tillabéri"], "Refugees": [60000],
                  "Asylum-seekers": [300]}).to_csv(path, index=False)
    with pytest.raises(InputFileError, match="refugees or asylum-seekers: they are not IDPs"):
        read_displacement(path, today=TODAY)


def test_unhcr_table_with_idps(tmp_path):
    path = tmp_path / "unhcr_idps.csv"
    pd.DataFrame({"date": ["2022-06-30", "2022-06-30"], "admin1": ["Tillabéri", "Tahoua"],
                  "Refugees": [60000, 200], "IDPs of concern to UNHCR": [102000, 35000]}
                 ).to_csv(path, index=False)
    result = load(path)
    plain = pd.read_csv(path)
    assert idps_total(result) == int(plain["IDPs of concern to UNHCR"].sum())
    assert any("'Refugees' not read: refugees or asylum-seekers" in n for n in result.notes)


def test_date_range_names_the_dates_a_file_covers(baseline):
    first, last = load(baseline).date_range()
    assert (first, last) == (pd.Timestamp("2020-03-31"), pd.Timestamp("2020-03-31"))


def test_small_returns_counts_alone_stay_a_figure(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("date,place,arrivals,returns\n2022-09-12,Gao,5,1\n2022-09-12,Ménaka,3,0\n",
                    encoding="utf-8")
    acc = load(path).accepted
    assert int(acc.loc[acc["figure_type"] == "returns", "count"].sum()) == 1


def test_hapi_region_total_beside_its_cercles_is_not_counted_twice(tmp_path):
    cercle = ["MLI", True, True, "ML07", "Gao", "Gao"]
    tail = ["Mali", 22, "BA"]
    rows = [
        [*cercle, "ML0701", "Ansongo", "Ansongo", 2, *tail, 1544, "2020-03-01", "2020-03-31"],
        [*cercle, "ML0703", "Gao", "Gao", 2, *tail, 1000, "2020-03-01", "2020-03-31"],
        [*cercle, None, None, None, 1, *tail, 2544, "2020-03-01", "2020-03-31"],
        # another round: the region alone is the only figure, so it counts
        [*cercle, None, None, None, 1, *tail, 2600, "2020-04-01", "2020-04-30"],
    ]
    path = tmp_path / "hapi_idps_levels.csv"
    pd.DataFrame(rows, columns=HAPI_COLUMNS).to_csv(path, index=False)
    result = load(path)
    assert len(result.accepted) + len(result.rejected) == len(rows)
    assert idps_total(result) == 1544 + 1000 + 2600
    assert result.rejected["field"].tolist() == ["adm1_pcode"]
    assert "counted twice" in result.rejected["reason"].iloc[0]


def test_hapi_national_row_is_rejected_as_a_national_total(tmp_path):
    """HAPI's admin_level 0 rows name the country only: said so, never 'missing place'."""
    rows = [
        ["MLI", True, True, "ML07", "Gao", "Gao", "ML0701", "Ansongo", "Ansongo", 2,
         "Mali", 22, "BA", 1544, "2020-03-01", "2020-03-31"],
        ["MLI", True, True, None, None, None, None, None, None, 0,
         "Mali", 22, "BA", 350000, "2020-03-01", "2020-03-31"],
    ]
    path = tmp_path / "hapi_idps_national.csv"
    pd.DataFrame(rows, columns=HAPI_COLUMNS).to_csv(path, index=False)
    result = load(path)
    assert idps_total(result) == 1544
    assert len(result.rejected) == 1 and result.rejected["field"].tolist() == ["place"]
    assert result.rejected["reason"].iloc[0].startswith("a national total")
    # a row with neither a place nor a country stays 'missing place'
    blank = tmp_path / "blank.csv"
    pd.DataFrame({"date": ["2022-09-12", "2022-09-12"], "place": ["Gao", None],
                  "idps": [10, 20]}).to_csv(blank, index=False)
    reasons = read_displacement(blank, today=TODAY).rejected["reason"].tolist()
    assert reasons == ["missing place and coordinates"]
