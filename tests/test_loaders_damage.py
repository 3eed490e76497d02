"""CSV files with structural damage: the damaged rows are rejected, never the rest of the file."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahelmap import read_events
from sahelmap.io import write_csv

HEADER = "event_date,event_type,location,fatalities,notes"
PLACES = ("Gao", "Ménaka", "Ansongo", "Tillabéri", "Mopti", "Niamey")
DAMAGE = ("stray_quote", "extra_cells", "nul", "formula")


def good_row(i: int) -> str:
    return f"2022-09-{10 + i % 9:02d},Attack,{PLACES[i % len(PLACES)]},{i % 7},note {i}"


def damaged_row(i: int, kind: str) -> str:
    place = PLACES[i % len(PLACES)]
    if kind == "stray_quote":  # a quote that opens a cell and never closes
        return f'2022-09-12,Battles,"{place},2,clash {i}'
    if kind == "extra_cells":  # an unquoted separator inside a cell
        return f"2022-09-12,Attack,{place},3,burnt, looted and left,{i}"
    if kind == "nul":
        return f"2022-09-12,Attack,{place}\x00,1,nul byte {i}"
    return f"2022-09-12,Attack,=HYPERLINK(1),1,formula {i}"  # no such place


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(DAMAGE)),
                          st.sampled_from(["utf-8", "cp1252"]),
                          st.sampled_from(["\n", "\r\n", "\r"])), min_size=1, max_size=30),
       st.sampled_from(["utf-8", "cp1252", "mixed"]), st.sampled_from(["\n", "\r\n", "mixed"]))
def test_damage_is_rejected_row_by_row(tmp_path_factory, rows, encoding, newline):
    """Rows may end in a bare CR, and a file may mix UTF-8 and Windows-1252 lines."""
    plan = [kind for kind, _, _ in rows]
    lines = [(HEADER, "utf-8", "\n")] + [
        (good_row(i) if kind is None else damaged_row(i, kind),
         line_encoding if encoding == "mixed" else encoding,
         line_end if newline == "mixed" else newline)
        for i, (kind, line_encoding, line_end) in enumerate(rows)]
    path = tmp_path_factory.mktemp("damage") / "events.csv"
    path.write_bytes(b"".join((text + end).encode(enc, errors="replace")
                              for text, enc, end in lines))
    result = read_events(path, today="2024-01-01")
    result.check()
    assert result.n_input == len(plan)  # one record per physical line: nothing swallowed
    assert result.n_accepted + len(result.rejected) == len(plan)
    accepted = set(result.accepted["source_row"])
    intact = {i + 2 for i, kind in enumerate(plan) if kind is None}
    assert intact <= accepted  # every intact row, before or after damage, is kept
    places = dict(zip(result.accepted["source_row"], result.accepted["place"]))
    assert all(places[row] == PLACES[(row - 2) % len(PLACES)] for row in intact)  # no mojibake
    damaged = {i + 2 for i, kind in enumerate(plan) if kind in ("stray_quote", "extra_cells",
                                                                 "formula")}
    assert not damaged & accepted
    # the report of rejected rows round-trips through pandas, row for row
    out = write_csv(result.rejected, path.with_name("rejected.csv"))
    back = pd.read_csv(out)
    assert len(back) == len(result.rejected)
    assert back["source_row"].tolist() == result.rejected["source_row"].tolist()


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_two_stray_quotes_across_a_bare_carriage_return_are_two_damaged_rows(tmp_path, end):
    # found by the property test: a quote opened on a line ending in a bare CR and one on the
    # next line made one record of the two when a bare CR was not counted as a line end
    lines = [HEADER, damaged_row(0, "stray_quote"), damaged_row(1, "stray_quote"), good_row(2)]
    path = tmp_path / "events.csv"
    path.write_bytes((lines[0] + "\n" + lines[1] + "\r" + lines[2] + end + lines[3] + "\n")
                     .encode("utf-8"))
    result = read_events(path, today="2024-01-01")
    result.check()
    assert result.n_input == 3
    assert sorted(result.rejected["source_row"]) == [2, 3]
    assert result.accepted["source_row"].tolist() == [4]


def test_a_bare_carriage_return_inside_a_quoted_cell_is_one_row(tmp_path):
    text = f'{HEADER}\n2022-09-12,Attack,Gao,1,"first line\rsecond line"\n{good_row(3)}\n'
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8", newline="")
    result = read_events(path, today="2024-01-01")
    assert result.n_input == 2 and result.n_accepted == 2
    buffer = io.StringIO()
    result.accepted[["notes"]].to_csv(buffer, index=False)
