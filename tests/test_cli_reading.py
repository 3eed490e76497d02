"""The command line can say what the Python API can: columns, terms, prefer, country, schema."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap.cli import main
from sahelmap.errors import OptionError
from sahelmap.schema import read_schema

# A field team's own layout: French headers sahelmap does not know, its own event terms.
OWN = ("Jour,Endroit,Nature,Bilan,Signalé par\n"
       "13/09/2022,Gao,embuscade,3,Radio locale\n"
       "14/09/2022,Ménaka,razzia,2,Radio locale\n"
       "15/09/2022,Gourti,embuscade,1,Radio locale\n")
TERMS = "term,event_type\nembuscade,Battles\nrazzia,Violence against civilians\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def files(tmp_path):
    (tmp_path / "own.csv").write_text(OWN, encoding="utf-8")
    (tmp_path / "terms.csv").write_text(TERMS, encoding="utf-8")
    return tmp_path


def test_columns_event_types_and_country_from_the_command_line(files):
    out = files / "out"
    result = run("weekly", "--events", files / "own.csv", "--week", "2022-W37", "--out", out,
                 "--columns", "Jour=date,Endroit=place,Nature=event_type,Bilan=fatalities,"
                              "Signalé par=source",
                 "--event-types", files / "terms.csv", "--country", "Mali", "--no-png", "-q")
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(out / "regions.csv").set_index("unit_pcode")
    assert regions.loc[["ML07", "ML10"], "fatalities"].tolist() == [3, 2]
    rejected = pd.read_csv(out / "rejected.csv")  # Gourti is in Niger; the file says Mali
    assert rejected["reason"].tolist() == [
        "'Gourti': only match is in Niger, but the row's country is Mali"]


def test_a_schema_file_holds_the_same_and_the_command_line_wins(files):
    (files / "job.toml").write_text(
        '[events]\n'
        'columns = { "Jour" = "date", "Endroit" = "place", "Nature" = "event_type", '
        '"Bilan" = "fatalities", "Signalé par" = "source" }\n'
        'event_types = { "embuscade" = "Battles", "razzia" = "Violence against civilians" }\n'
        '[job]\nlevel = "adm2"\nstructure = "2016"\n', encoding="utf-8")
    out = files / "out"
    result = run("weekly", "--events", files / "own.csv", "--week", "2022-W37", "--out", out,
                 "--schema", files / "job.toml", "--structure", "2023", "--no-png", "-q")
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(out / "regions.csv").set_index("unit_pcode")
    assert len(regions) >= 120  # level from the schema: cercles and departments
    assert regions.loc["ML0105", "adm1_pcode"] == "ML12"  # structure from the command line
    assert regions.loc["ML0703", "fatalities"] == 3 and regions.loc["NE002005", "events"] == 1


def test_schema_errors_name_the_file_and_the_key(tmp_path):
    bad = tmp_path / "job.toml"
    bad.write_text('[events]\ncolums = { "a" = "date" }\n')
    with pytest.raises(OptionError, match=r"job.toml: unknown option\(s\) colums in \[events\]"):
        read_schema(bad)
    bad.write_text("[events\n")
    with pytest.raises(OptionError, match="job.toml: not a valid TOML file"):
        read_schema(bad)
    result = run("aggregate", "--example", "--out", tmp_path / "o.csv", "--schema", bad)
    assert result.exit_code == 2 and "job.toml" in result.stderr


def test_gazetteer_learn_makes_another_files_names_match(tmp_path):
    past = tmp_path / "past.csv"
    past.write_text("event_id_cnty,event_date,event_type,country,admin1,location,latitude,"
                    "longitude,fatalities\n"
                    "MLI1,2021-02-01,Battles,Mali,Gao,Labbezanga,14.95,0.695,1\n"
                    "MLI2,2021-03-01,Battles,Mali,Gao,Labbézanga,14.951,0.694,2\n"
                    "MLI3,2021-03-02,Battles,Mali,Gao,Fafa,15.32,0.74,0\n", encoding="utf-8")
    week = tmp_path / "week.csv"
    week.write_text("event_date,event_type,location,fatalities\n"
                    "2022-09-12,attack,LABBEZANGA,3\n2022-09-13,attack,Fafa,1\n"
                    "2022-09-13,attack,Nowhere-hamlet,1\n", encoding="utf-8")
    places = tmp_path / "places.csv"
    result = run("gazetteer", "learn", past, "--out", places, "--check", week)
    assert result.exit_code == 0, result.output
    assert "2 places learnt" in result.stderr
    assert "2 of 3 rows (2 of 3 names) are known" in result.stderr
    out = tmp_path / "out"
    result = run("aggregate", "--events", week, "--gazetteer", places, "--out",
                 out / "weekly.csv", "--rejected", out / "rejected.csv")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "rejected.csv")["value"].tolist() == ["Nowhere-hamlet"]
