"""A weekly map of zeros drawn from accepted reports is refused; the default figure has data."""

import json

import pytest
from click.testing import CliRunner

import sahelmap
from sahelmap.cli import main
from sahelmap.errors import EmptyMapError

EVENTS = "event_date,event_type,location,fatalities\n2022-09-12,Attack,Gao,11\n"
ZERO_IDPS = "date,location,idps\n2022-09-12,Gao,0\n2022-09-13,Menaka,0\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_events_alone_map_fatalities_by_default(tmp_path):
    events = write(tmp_path, "events.csv", EVENTS)
    written = sahelmap.weekly(events=[events], week="2022-W37", out_dir=tmp_path / "out",
                              png=False)
    manifest = json.loads(written["manifest"].read_text(encoding="utf-8"))
    assert manifest["options"]["value"] == "fatalities"


def test_a_value_with_no_data_in_the_week_is_refused_naming_one_that_has(tmp_path):
    events = write(tmp_path, "events.csv", EVENTS)
    with pytest.raises(EmptyMapError, match=r"arrivals .* zero in every unit.*"
                                            r"fatalities 11.*--value fatalities"):
        sahelmap.weekly(events=[events], week="2022-W37", out_dir=tmp_path / "out",
                        value="arrivals", png=False)
    assert not (tmp_path / "out" / "map.html").exists()


def test_zero_figures_fail_loudly_unless_asked(tmp_path):
    zeros = write(tmp_path, "dtm.csv", ZERO_IDPS)
    with pytest.warns(sahelmap.DataWarning), pytest.raises(EmptyMapError,
                                                           match="sahelmap inspect"):
        sahelmap.weekly(displacement=[zeros], week="2022-W37", out_dir=tmp_path / "a",
                        png=False)
    with pytest.warns(sahelmap.DataWarning):
        written = sahelmap.weekly(displacement=[zeros], week="2022-W37",
                                  out_dir=tmp_path / "b", value="idps", png=False,
                                  allow_zero=True)
    assert written["map"].exists()


def test_cli_refuses_the_zero_map_in_one_line(tmp_path):
    zeros = write(tmp_path, "dtm.csv", ZERO_IDPS)
    run = CliRunner().invoke(main, ["weekly", "--displacement", str(zeros), "--week",
                                    "2022-W37", "--out", str(tmp_path / "out"), "--no-png",
                                    "-q"])
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    assert "warning: " in run.output and "--allow-zero" in run.output
    ok = CliRunner().invoke(main, ["weekly", "--displacement", str(zeros), "--week",
                                   "2022-W37", "--out", str(tmp_path / "out"), "--no-png",
                                   "-q", "--allow-zero", "--value", "idps"])
    assert ok.exit_code == 0, ok.output
    assert "the map shows idps" in ok.output


def test_a_week_between_two_idp_rounds_names_the_weeks_with_a_count(tmp_path):
    rounds = write(tmp_path, "dtm.csv", "date,location,idps,arrivals\n"
                                        "2022-08-31,Gao,1200,\n2022-09-14,Gao,,300\n"
                                        "2022-09-28,Gao,1500,\n")
    with pytest.raises(EmptyMapError, match=r"people present.*2022-W35, 2022-W39.*--week"):
        sahelmap.weekly(displacement=[rounds], week="2022-W37", out_dir=tmp_path / "out",
                        value="idps", png=False)
