"""The command line, run as a user runs it: exit codes, messages, files written."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_weekly_example_writes_every_output(tmp_path):
    result = run("weekly", "--example", "--week", "2022-W37", "--out", str(tmp_path), "-q")
    assert result.exit_code == 0, result.output
    for name in ("map.html", "map.png", "regions.csv", "rejected.csv"):
        assert (tmp_path / name).stat().st_size > 0
    regions = pd.read_csv(tmp_path / "regions.csv")
    assert set(regions["period"]) == {"2022-W37"}
    assert len(regions) == 27  # every region (2023 structure), zero where nothing was reported
    by_unit = regions.set_index("unit_pcode")
    # The example's rows of 2022-W37 in the Gao region (ML07): Kadji 11 killed and Tin-Hama 2
    # (the account), Ansongo 2 and Tessit 0 (synthetic); arrivals Gao 60,000 (the account)
    # and Ansongo 745; IDPs Gao 48,815; departures Ansongo 349. Ménaka region (ML10):
    # Andéramboukane 4 killed, Tidermène 0; arrivals 2,340; IDPs 39,280. Tillabéri (NE006):
    # arrivals Tillabéri 496 + Ayorou 321.
    expected = {
        "ML07": {"events": 4, "fatalities": 15, "arrivals": 60_745, "idps": 48_815,
                 "departures": 349},
        "ML10": {"events": 2, "fatalities": 4, "arrivals": 2_340, "idps": 39_280,
                 "departures": 0},
        "NE006": {"events": 0, "fatalities": 0, "arrivals": 817, "idps": 0, "departures": 0},
    }
    for unit, figures in expected.items():
        assert by_unit.loc[unit, list(figures)].to_dict() == figures, unit
    others = by_unit.drop(index=list(expected))
    assert (others[["events", "fatalities", "arrivals", "idps", "departures"]] == 0).all().all()
    html = (tmp_path / "map.html").read_text()
    assert "Ménaka" in html and "https://unpkg" not in html


def test_weekly_help_explains_every_option():
    result = run("weekly", "--help")
    assert result.exit_code == 0
    for option in ("--events", "--displacement", "--week", "--out", "--gazetteer",
                   "--boundaries", "--level", "--value", "--scheme", "--merge-duplicates",
                   "--example"):
        assert option in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2022-37"], "not an ISO week: write it like 2022-W37"),
    (["--week", "2021-W53"], "2021 has no week 53"),
    ([], "Give --events and/or --displacement"),
])
def test_weekly_bad_usage_exits_non_zero_with_a_message(tmp_path, args, message):
    base = ["weekly", "--out", str(tmp_path)]
    if args and args[0] == "--week":
        base += ["--example"]
    else:
        base += ["--week", "2022-W37"]
    result = CliRunner().invoke(main, base + args)
    assert result.exit_code != 0
    assert message in result.output


def test_weekly_unreadable_file_names_the_file(tmp_path):
    bad = tmp_path / "reports.csv"
    bad.write_text("foo,bar\n1,2\n")
    result = CliRunner().invoke(main, ["weekly", "--events", str(bad), "--week", "2022-W37",
                                       "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2
    assert "reports.csv" in result.output
    missing = CliRunner().invoke(main, ["weekly", "--events", str(tmp_path / "nope.csv"),
                                        "--week", "2022-W37", "--out", str(tmp_path / "o")])
    assert missing.exit_code != 0 and "nope.csv" in missing.output


def test_rejected_rows_are_written_with_reasons(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "event_date,event_type,location,fatalities,source\n"
        "2022-09-13,Battles,Gao,3,A\n"
        "2022-09-14,Battles,Atlantis,1,A\n"
        "not a date,Battles,Gao,1,A\n"
        "2022-09-15,Battles,Ménaka,-4,A\n")
    result = run("weekly", "--events", str(events), "--week", "2022-W37", "--value", "events",
                 "--out", str(tmp_path / "out"), "--no-png", "-q")
    assert result.exit_code == 0, result.output
    rejected = pd.read_csv(tmp_path / "out" / "rejected.csv")
    assert len(rejected) == 3
    # fields are named as the columns of the file
    assert set(rejected["column"]) == {"location", "event_date", "fatalities"}
    regions = pd.read_csv(tmp_path / "out" / "regions.csv")
    assert regions["events"].sum() == 1


def test_geocode_command(tmp_path):
    table = tmp_path / "places.csv"
    table.write_text("location,country\nMenaka,Mali\nTillaberi,Niger\nNowhere,\n")
    out = tmp_path / "geocoded.csv"
    result = run("geocode", str(table), "--name-column", "location", "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame["adm1_pcode"].fillna("")) == ["ML10", "NE006", ""]
    assert list(frame["status"]) == ["matched", "matched", "unmatched"]


def test_aggregate_command_monthly_geopackage(tmp_path):
    out = tmp_path / "monthly.gpkg"
    rejected = tmp_path / "rejected.csv"
    result = run("aggregate", "--example", "--period", "month", "--out", str(out),
                 "--rejected", str(rejected))
    assert result.exit_code == 0, result.output
    import geopandas as gpd

    table = gpd.read_file(out)
    assert set(table["period"]) == {"2022-07", "2022-08", "2022-09", "2022-10"}
    assert table["fatalities"].sum() > 0


def test_boundaries_list_and_download_refusal(tmp_path):
    listing = run("boundaries", "list")
    assert listing.exit_code == 0 and "geoboundaries-mli-adm2" in listing.output
    result = CliRunner().invoke(main, ["boundaries", "download", "geoboundaries-ner-adm2",
                                       "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "No SHA-256 is pinned" in result.output


def test_console_script_is_installed():
    done = subprocess.run([sys.executable, "-m", "sahelmap.cli", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "version" in done.stdout


def test_unknown_public_name_says_so():
    import sahelmap

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sahelmap.nope  # noqa: B018
