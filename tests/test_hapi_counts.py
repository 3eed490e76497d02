"""HDX HAPI conflict-event tables: counts per unit and month, never counted twice."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap import check_totals, read_events, summarize
from sahelmap.cli import main
from sahelmap.errors import AggregateError
from sahelmap.loaders import read_event_counts

# HAPI's conflict-event columns (coordination-context/conflict-events); invented figures.
# Mali is coded with the 2021 COD, as HAPI does: ML09 is Bamako there.
HEADER = ("location_code,location_name,admin1_code,admin1_name,provider_admin1_name,"
          "admin2_code,admin2_name,provider_admin2_name,admin_level,event_type,events,"
          "fatalities,reference_period_start,reference_period_end")
ROWS = [
    "MLI,Mali,ML07,Gao,Gao,ML0703,Gao,Gao,2,political_violence,7,12,2024-01-01,2024-01-31",
    "MLI,Mali,ML07,Gao,Gao,ML0703,Gao,Gao,2,civilian_targeting,3,9,2024-01-01,2024-01-31",
    "MLI,Mali,ML07,Gao,Gao,ML0701,Ansongo,Ansongo,2,demonstration,2,,2024-01-01,2024-01-31",
    "MLI,Mali,ML09,Bamako,Bamako,ML0901,Bamako,Bamako,2,political_violence,1,0,"
    "2024-02-01,2024-02-29",
    "MLI,Mali,ML05,Mopti,Mopti,ML0505,Koro,Koro,2,political_violence,4,30,2024-02-01,"
    "2024-02-29",
    "MLI,Mali,ML99,Nowhere,Nowhere,,,,1,political_violence,1,1,2024-02-01,2024-02-29",
    "MLI,Mali,ML07,Gao,Gao,ML0703,Gao,Gao,2,riots,1,1,2024-02-01,2024-02-29",
]


@pytest.fixture
def hapi(tmp_path):
    path = tmp_path / "hapi_conflict_events_mli.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_counts_are_read_per_unit_with_their_own_pcodes(hapi):
    counts = read_event_counts(hapi)
    counts.check()
    assert (len(counts.accepted), len(counts.rejected)) == (5, 2)
    assert sorted(counts.rejected["field"]) == ["admin1_code", "event_type"]
    acc = counts.accepted
    assert set(acc["pcode_version"]) == {"cod-2021"}
    bamako = acc[acc["event_type"].eq("political_violence") & acc["adm1_name"].eq("Bamako")]
    assert bamako[["adm1_pcode", "adm2_pcode"]].values.tolist() == [["ML20", "ML0901"]]
    # civilian targeting is a subset of political violence: kept, never summed
    assert acc.loc[acc["event_type"] == "civilian_targeting", "counted"].tolist() == [False]


def test_monthly_totals_equal_a_plain_count_without_the_subset(hapi):
    raw = pd.read_csv(hapi)
    kept = raw[raw["event_type"].isin(["political_violence", "demonstration"])
               & raw["admin1_code"].ne("ML99")]
    table = summarize(event_counts=read_event_counts(hapi).accepted, period="month",
                      structure="2016")
    assert table["events"].sum() == kept["events"].sum() == 14
    assert table["fatalities"].sum() == kept["fatalities"].fillna(0).sum() == 42
    by = table.set_index(["unit_pcode", "period"])
    assert by.loc[("ML07", "2024-01"), ["events", "fatalities"]].tolist() == [9, 12]
    assert by.loc[("ML20", "2024-02"), "events"] == 1  # Bamako, not Tombouctou
    assert table.attrs["sources"] == {
        "event_counts": "aggregated event counts (HDX HAPI, per unit and month)"}
    check_totals(table, event_counts=read_event_counts(hapi).accepted)
    # in the 2023 structure, Koro's cercle lies in Bandiagara
    new = summarize(event_counts=read_event_counts(hapi).accepted, period="all")
    assert new.set_index("unit_pcode").loc["ML19", "fatalities"] == 30


def test_monthly_counts_are_never_cut_into_weeks(hapi):
    with pytest.raises(AggregateError, match="cannot be split.*period='month'"):
        summarize(event_counts=read_event_counts(hapi).accepted, period="week")


def test_counts_and_event_rows_of_the_same_country_and_dates_are_refused(hapi, tmp_path):
    rows = tmp_path / "acled.csv"
    rows.write_text("event_date,event_type,location,country,fatalities\n"
                    "2024-01-15,Battles,Gao,Mali,3\n", encoding="utf-8")
    events = read_events(rows, today="2025-01-01").accepted
    counts = read_event_counts(hapi).accepted
    with pytest.raises(AggregateError, match="counted twice"):
        summarize(events=events, event_counts=counts, period="month")
    niger = tmp_path / "niger.csv"
    niger.write_text("event_date,event_type,location,country,fatalities\n"
                     "2024-01-15,Battles,Tillabéri,Niger,3\n", encoding="utf-8")
    both = summarize(events=read_events(niger, today="2025-01-01").accepted,
                     event_counts=counts, period="month", structure="2016")
    assert both["events"].sum() == 14 + 1


def test_the_command_line_reads_a_hapi_file_given_as_events(hapi, tmp_path):
    out = tmp_path / "monthly.csv"
    result = CliRunner().invoke(main, ["aggregate", "--events", str(hapi), "--period", "month",
                                       "--out", str(out), "--rejected",
                                       str(tmp_path / "rejected.csv")])
    assert result.exit_code == 0, result.output
    assert "event_counts: 7 rows read: 5 accepted" in result.stderr
    assert "event_counts: event_counts" not in result.stderr
    assert pd.read_csv(out)["events"].sum() == 14
    weekly = CliRunner().invoke(main, ["weekly", "--events", str(hapi), "--week", "2024-W03",
                                       "--out", str(tmp_path / "w"), "-q"])
    assert weekly.exit_code == 2 and "period='month'" in weekly.stderr


def test_mali_and_niger_in_one_file_keep_each_country_version(tmp_path):
    # Niger's v02 codes must not re-read Mali's: ML09 stays Bamako (cod-2021), not Taoudénit
    niger = "NER,Niger,NE006,Tillaberi,Tillaberi,NE006002,Ayerou,Ayerou,2,political_violence," \
            "5,8,2024-02-01,2024-02-29"
    path = tmp_path / "hapi_conflict_events_mli_ner.csv"
    path.write_text("\n".join([HEADER, *ROWS, niger]) + "\n", encoding="utf-8")
    acc = read_event_counts(path).accepted
    bamako = acc[acc["adm1_name"].eq("Bamako")]
    assert set(bamako["adm1_pcode"]) == {"ML20"}
    assert acc.loc[acc["adm2_pcode"].eq("NE006002"), "adm1_pcode"].tolist() == ["NE006"]
