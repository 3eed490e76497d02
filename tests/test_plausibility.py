"""Implausible figures and dates are rejected with a reason; names in any script are names.

A report of 10^12 fatalities or one dated 1899 must not reach the map; a name written in
Arabic script, or with an invisible character inside it, is looked up like any other.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap import read_displacement, read_events
from sahelmap.cli import main
from sahelmap.errors import OptionError
from sahelmap.schema import read_schema
from sahelmap.vocab import MAX_COUNTS, fold

HEADER = "event_date,event_type,location,fatalities\n"


def _csv(folder: Path, text: str, name: str = "events.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _reasons(result) -> dict[int, tuple[str, str]]:
    rejected = result.rejected
    return {int(r): (f, why) for r, f, why in zip(rejected["source_row"], rejected["field"],
                                                   rejected["reason"])}


def test_huge_fatalities_and_old_dates_are_rejected_with_a_reason(tmp_path):
    path = _csv(tmp_path, HEADER + "1899-09-12,Attack,Gao,3\n"
                                   "2022-09-12,Attack,Gao,1000000000000\n"
                                   "2022-09-12,Attack,Gao,5001\n"
                                   "1996-12-31,Battles,Gao,1\n"
                                   "1997-01-01,Battles,Gao,5000\n")
    result = read_events(path, today="2026-01-01")
    reasons = _reasons(result)
    assert sorted(reasons) == [2, 3, 4, 5]
    assert reasons[2][0] == "date" and "before 1997" in reasons[2][1]
    assert reasons[5][0] == "date"
    for row in (3, 4):
        field, why = reasons[row]
        assert field == "fatalities"
        assert "plausible maximum of 5,000" in why and "--max-count fatalities=N" in why
    assert result.accepted["fatalities"].tolist() == [5000]
    result.check()


def test_the_bound_of_a_figure_is_an_option(tmp_path):
    path = _csv(tmp_path, HEADER + "2022-09-12,Attack,Gao,6000\n")
    assert len(read_events(path).accepted) == 0
    assert read_events(path, max_counts={"fatalities": 10_000}).accepted[
        "fatalities"].tolist() == [6000]
    assert len(read_events(path, max_counts={"fatalities": None}).accepted) == 1
    assert len(read_events(path, max_counts={"fatalities": 100}).rejected) == 1
    with pytest.raises(OptionError, match="unknown figure 'deaths'"):
        read_events(path, max_counts={"deaths": 10})
    with pytest.raises(OptionError, match="positive number, not -1"):
        read_events(path, max_counts={"fatalities": -1})


def test_displacement_figures_have_bounds_wide_long_and_households(tmp_path):
    wide = _csv(tmp_path, "date,place,idps,arrivals,households\n"
                          "2022-09-12,Gao,6000000,10,\n"
                          "2022-09-12,Ménaka,1200,20000000,\n"
                          "2022-09-12,Ansongo,1200,,2000000\n"
                          "2022-09-12,Tillabéri,4000000,300,\n", "wide.csv")
    result = read_displacement(wide)
    reasons = _reasons(result)
    assert {row: field for row, (field, _) in reasons.items()} == {
        2: "idps", 3: "arrivals", 4: "households"}
    assert "plausible maximum of 5,000,000" in reasons[2][1]
    assert "plausible maximum of 1,000,000" in reasons[4][1]
    result.check()
    long = _csv(tmp_path, "date,place,figure_type,count\n"
                          "2022-09-12,Gao,idps,6000000\n"
                          "2022-09-12,Gao,arrivals,60000\n", "long.csv")
    result = read_displacement(long, max_counts={"arrivals": 50_000})
    assert {row: why.split(" above")[0] for row, (_, why) in _reasons(result).items()} == {
        2: "idps", 3: "arrivals"}


def test_bounds_from_the_schema_and_the_command_line(tmp_path):
    job = _csv(tmp_path, "[events]\nmax_counts = { fatalities = 8000 }\n", "job.toml")
    assert read_schema(job).events == {"max_counts": {"fatalities": 8000}}
    events = _csv(tmp_path, HEADER + "2022-09-12,Attack,Gao,6000\n")
    out = tmp_path / "out"
    for extra in (["--schema", str(job)], ["--max-count", "fatalities=8000"]):
        result = CliRunner().invoke(main, ["weekly", "--events", str(events), "--week",
                                           "2022-W37", "--out", str(out), "--no-png", "-q",
                                           *extra])
        assert result.exit_code == 0, result.output
        regions = pd.read_csv(out / "regions.csv").set_index("unit_pcode")
        assert regions.loc["ML07", "fatalities"] == 6000
    result = CliRunner().invoke(main, ["weekly", "--events", str(events), "--week",
                                       "2022-W37", "--out", str(out), "--max-count",
                                       "deaths=10"])
    assert result.exit_code == 2 and "unknown figure 'deaths'" in result.output


def test_every_figure_has_a_default_bound():
    assert set(MAX_COUNTS) == {"fatalities", "arrivals", "idps", "returns", "departures",
                               "households"}


@pytest.mark.parametrize(("name", "key"), [
    ("غاو", "غاو"),                        # Arabic script: a name, not nothing
    ("Ga\u200bo", "gao"),                  # zero-width space
    ("Ga\u00ado", "gao"),                  # soft hyphen
    ("\ufeffGao", "gao"),                  # byte-order mark left at a cell's start
    ("Gao\u200e", "gao"),                  # left-to-right mark
    ("Gao\u00a0Nord", "gao nord"),         # non-breaking space: a space
    ("Gao\u2009Nord", "gao nord"),         # thin space
    ("ⵜⵉⵎⴱⵓⴽⵜⵓ", "ⵜⵉⵎⴱⵓⴽⵜⵓ"),             # Tifinagh
    ("Ɗiré", "dire"),                      # Fula hooked d
])
def test_fold_keeps_letters_of_every_script_and_drops_invisibles(name, key):
    assert fold(name) == key


def test_names_in_other_scripts_are_looked_up_not_called_missing(tmp_path):
    events = _csv(tmp_path, HEADER + "2022-09-12,Attack,غاو,2\n"
                                     "2022-09-12,Attack,Ga\u200bo,3\n"
                                     "2022-09-12,Attack,\u00a0Ménaka\u00a0,4\n"
                                     "2022-09-12,Attack,\u200b,5\n")
    result = read_events(events)
    reasons = _reasons(result)
    assert reasons[2] == ("place", "no gazetteer entry for 'غاو'")
    assert reasons[5][0] == "place"
    accepted = result.accepted.set_index("source_row")
    assert accepted.loc[3, "adm1_pcode"] == "ML07" and accepted.loc[4, "adm1_pcode"] == "ML10"
    gazetteer = _csv(tmp_path, "name,lon,lat\nغاو,-0.04,16.27\n", "places.csv")
    placed = read_events(events, gazetteer=gazetteer).accepted.set_index("source_row")
    assert placed.loc[2, "adm1_pcode"] == "ML07"


def test_a_year_no_timestamp_holds_is_named_as_the_reason(tmp_path):
    path = _csv(tmp_path, HEADER + "2999-09-12,Attack,Gao,1\n12/09/1500,Attack,Gao,1\n"
                                   "2022-13-45,Attack,Gao,1\n2022-09-12,Attack,Gao,1\n")
    reasons = _reasons(read_events(path))
    assert [reasons[row][1] for row in (2, 3, 4)] == [
        "date with an impossible year (a typo?)", "date with an impossible year (a typo?)",
        "unparseable date"]
    periods = _csv(tmp_path, "date,place,idps\n2022-09-01 - 2999-01-01,Gao,3\n"
                             "2022-09-12,Gao,4\n", "periods.csv")
    assert _reasons(read_displacement(periods))[2] == (
        "date", "date with an impossible year (a typo?)")
