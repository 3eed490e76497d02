"""The weekly job under the mistakes analysts make: files given twice, wrong weeks, formulas."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from sahelmap.cli import main

ROW = "event_date,event_type,location,fatalities,source\n2022-09-12,Attack,Gao,11,Report A\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_same_event_in_two_exports_is_counted_once(tmp_path):
    (tmp_path / "a.csv").write_text(ROW, encoding="utf-8")
    (tmp_path / "b.csv").write_text(ROW, encoding="utf-8")
    out = tmp_path / "out"
    result = run("weekly", "--events", tmp_path / "a.csv", "--events", tmp_path / "b.csv",
                 "--week", "2022-W37", "--out", out, "--no-png", "-q")
    assert result.exit_code == 0, result.output
    gao = pd.read_csv(out / "regions.csv").set_index("unit_pcode").loc["ML07"]
    assert (gao["events"], gao["fatalities"]) == (1, 11)
    rejected = pd.read_csv(out / "rejected.csv")
    assert rejected["reason"].str.contains(r"duplicate of row 2 of .*a\.csv \(merged\)").all()
    assert "1 duplicates merged" in result.stderr
    counts = json.loads((out / "manifest.json").read_text())["counts"]["inputs"]["events"]
    assert (counts["read"], counts["accepted"], counts["merged"]) == (2, 1, 1)
    kept = run("weekly", "--events", tmp_path / "a.csv", "--events", tmp_path / "b.csv",
               "--week", "2022-W37", "--out", tmp_path / "kept", "--no-png", "-q",
               "--keep-duplicates")
    assert kept.exit_code == 0
    assert pd.read_csv(tmp_path / "kept" / "regions.csv").set_index(
        "unit_pcode").loc["ML07", "events"] == 2  # asked for: flagged, not merged


def test_a_week_without_reports_is_an_error_naming_the_weeks_covered(tmp_path):
    result = run("weekly", "--example", "--week", "2023-W37", "--out", tmp_path / "o", "-q")
    assert result.exit_code == 2
    assert "no accepted report falls in 2023-W37" in result.stderr
    assert "2022-W30 to 2022-W40" in result.stderr
    assert not (tmp_path / "o" / "map.html").exists()


def test_output_csvs_neutralise_formulas_and_keep_rows_whole(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text('event_date,event_type,location,fatalities,notes\n'
                      '2022-09-12,Attack,Gao,11,"=HYPERLINK(""http://x"")"\n'
                      '2022-09-13,Attack,"=1+1",2,"line one\rline two"\n'
                      '2022-09-13,@SUM(A1),Gao,-4,"+cmd"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run("weekly", "--events", events, "--week", "2022-W37", "--out", out, "--no-png",
                 "-q")
    assert result.exit_code == 0, result.output
    rejected = pd.read_csv(out / "rejected.csv")
    assert len(rejected) == 2  # '=1+1' is no place, '-4' killed is no count: whole rows
    text = (out / "rejected.csv").read_text(encoding="utf-8")
    for formula in ("=1+1", "@SUM(A1)", "-4", "+cmd"):
        assert f",{formula}" not in text and f"'{formula}" in text
    assert rejected.loc[rejected["source_row"] == 3, "notes"].iloc[0] == "line one\nline two"
