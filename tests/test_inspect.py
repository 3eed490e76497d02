"""sahelmap.inspect and 'sahelmap inspect': every column named, layouts told apart, fast."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

import sahelmap
from sahelmap.cli import main
from tests.test_loaders_dtm import (
    BASELINE_COLUMNS,
    EXPORTED,
    FLOW_COLUMNS,
    HAPI_COLUMNS,
    SITE_COLUMNS,
    baseline_rows,
    write_book,
)

TODAY = "2024-01-01"


def roles(report) -> dict[str, tuple[str, str]]:
    return {c.column: (c.field, c.role) for c in report.columns}


@pytest.fixture
def files(tmp_path):
    """One file of each layout, invented rows."""
    out = {}
    out["baseline"] = write_book(tmp_path / "baseline.xlsx", {
        "VERIFICATION": [["Checked by"], ["someone"]],
        "Baseline Assessment": [EXPORTED] + baseline_rows()})
    site = tmp_path / "sites.csv"
    pd.DataFrame([["15/06/2022", "Gao", "ML07", "Gao", "Gao", "Site Château", "Collectif",
                   16.27, -0.04, 120, 610, 1, 1]], columns=SITE_COLUMNS).to_csv(
        site, index=False, sep=";")
    out["site"] = site
    flow = tmp_path / "fmp.csv"
    pd.DataFrame([["2022-09-05", "2022-09-11", "FMP Gao", "Gao", "ML07", "Gao", 16.27,
                   -0.04, 340, 120]], columns=FLOW_COLUMNS).to_csv(flow, index=False)
    out["flow"] = flow
    hapi = tmp_path / "hapi.csv"
    pd.DataFrame([["MLI", True, True, "ML07", "Gao", "Gao", "ML0701", "Ansongo", "Ansongo",
                   2, "Mali", 22, "BA", 1544, "2020-03-01", "2020-03-31"]],
                 columns=HAPI_COLUMNS).to_csv(hapi, index=False)
    out["hapi"] = hapi
    acled = tmp_path / "acled.csv"
    pd.DataFrame({"event_id_cnty": ["MLI1"], "event_date": ["2022-09-12"],
                  "event_type": ["Battles"], "sub_event_type": ["Armed clash"],
                  "actor1": ["JNIM"], "admin1": ["Gao"], "location": ["Gao"],
                  "latitude": [16.27], "longitude": [-0.04], "fatalities": [3],
                  "notes": ["invented"]}).to_csv(acled, index=False)
    out["acled"] = acled
    return out


def test_every_column_of_every_fixture_is_named(files):
    report = sahelmap.inspect(list(files.values()), today=TODAY)
    assert [f.layout for f in report.files] == [
        "dtm-baseline", "dtm-site", "dtm-flow", "hapi-idps", "acled"]
    for file in report.files:
        header = list(pd.read_excel(file.path, sheet_name=file.sheet).columns) if (
            file.path.endswith(".xlsx")) else list(pd.read_csv(
                file.path, sep=";" if "sites" in file.path else ",", nrows=0).columns)
        assert [c.column for c in file.columns] == header
        assert all(c.role for c in file.columns)
        text = str(file)
        assert all(column in text for column in header)
        assert not file.refusal, file.refusal


def test_baseline_columns_understood(files):
    file = sahelmap.inspect(files["baseline"], today=TODAY)[0]
    r = roles(file)
    assert file.sheet == "Baseline Assessment" and "'VERIFICATION'" in file.sheet_note
    assert r["Snapshot Date"][0] == "date"
    assert r["Survey Date"][0] == "" and "snapshot date is used" in r["Survey Date"][1]
    assert r["Total No# of IDPs Ind#"][0] == "idps" and "stock" in r["Total No# of IDPs Ind#"][1]
    assert r["Total No# of IDPs HH"][0] == "households"
    assert r["Returns"][0] == "flag" and r["Conflict"][0] == "flag"
    assert "version cod-2021" in r["Admin 1 pcode"][1]   # ML09 beside 'Bamako'
    assert "version cod-2021" in r["Admin 2 pcode"][1]
    assert "not read" in r["Total No# of Returnees Ind#"][1]
    assert (file.first_date, file.last_date) == ("2020-03-31", "2020-03-31")
    assert file.n_rows == 5 and file.n_accepted == 5 and not file.rejections
    assert file.totals["idps at each place's latest snapshot"] == 12348


def test_flow_and_hapi_columns_understood(files):
    flow, hapi = sahelmap.inspect([files["flow"], files["hapi"]], today=TODAY).files
    assert "flow" in roles(flow)["Incoming (individuals)"][1]
    assert roles(flow)["Outgoing (individuals)"][0] == "departures"
    assert roles(hapi)["population"][0] == "idps"
    assert [c.how for c in hapi.columns if c.column == "population"] == ["layout"]
    assert (hapi.first_date, hapi.last_date) == ("2020-03-01", "2020-03-31")


def test_refusal_and_rejections_reported(tmp_path):
    zeros = tmp_path / "zeros.csv"
    pd.DataFrame({"Date": ["2022-09-12"], "Région": ["Gao"], "IDPs": [0],
                  "Déplacés recensés": [1200]}).to_csv(zeros, index=False)
    file = sahelmap.inspect(zeros, today=TODAY)[0]
    assert "entirely zero or empty" in file.refusal
    assert "numbers, not read" in roles(file)["Déplacés recensés"][1]
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"date": ["2022-09-12", "2031-01-01", "2022-09-12"],
                  "place": ["Gao", "Gao", "Nowhere-ville"], "idps": [5, 5, 5]}
                 ).to_csv(bad, index=False)
    file = sahelmap.inspect(bad, today=TODAY)[0]
    assert file.n_accepted == 1 and sum(file.rejections.values()) == 2
    assert any(k.startswith("date: date in the future") for k in file.rejections)


def test_cli_inspect(files):
    run = CliRunner().invoke(main, ["inspect", str(files["baseline"]), str(files["hapi"])])
    assert run.exit_code == 0, run.output
    for column in EXPORTED + HAPI_COLUMNS:
        assert column in run.output
    assert "DTM baseline assessment" in run.output and "HDX HAPI idps" in run.output
    run = CliRunner().invoke(main, ["inspect", "no-such-file.csv"])
    assert run.exit_code == 2 and "file not found" in run.output


def test_inspect_reads_every_row_of_a_large_file(tmp_path):
    """Inspection covers the whole file, not a sample (its time: benchmarks/bench_inspect.py)."""
    rows = []
    for r in range(2_000):
        day = (pd.Timestamp("2014-01-31") + pd.Timedelta(days=r % 2000)).strftime("%Y-%m-%d")
        rows += baseline_rows(snapshot=day, survey=day, round_no=r % 60, factor=1 + r % 7)
    path = tmp_path / "big.csv"
    pd.DataFrame(rows, columns=BASELINE_COLUMNS).to_csv(path, index=False)
    report = sahelmap.inspect(path, today=TODAY)
    assert report[0].n_rows == len(rows) and report[0].n_accepted == len(rows)
