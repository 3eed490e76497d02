"""Property: whatever mix of good and bad rows, every input row is accepted or rejected once."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahelmap.loaders import read_displacement, read_events

# Each kind of row: the cells (date, place, event type, fatalities) and the field that
# must be named when it is rejected (None: accepted).
EVENT_ROWS = {
    "good": (["2022-09-12", "Gao", "attack", "3"], None),
    "good_fr": (["12 septembre 2022", "Ménaka", "affrontement", ""], None),
    "good_dmy": (["13/09/2022", "Ansongo", "IED", "0"], None),
    "bad_date": (["12/31/20xx", "Gao", "attack", "1"], "date"),
    "future": (["2031-01-01", "Gao", "attack", "1"], "date"),
    "negative": (["2022-09-12", "Gao", "attack", "-4"], "fatalities"),
    "not_number": (["2022-09-12", "Gao", "attack", "a few"], "fatalities"),
    "no_place": (["2022-09-12", "", "attack", "1"], "place"),
    "unknown_type": (["2022-09-12", "Gao", "wedding", "1"], "event_type"),
    "unmatched": (["2022-09-12", "Atlantis", "attack", "1"], "place"),
}

notes = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"),
                                       blacklist_characters="\u2028\u2029\x85") | st.just("\n"),
                max_size=12)
event_rows = st.lists(st.tuples(st.sampled_from(sorted(EVENT_ROWS)), st.sampled_from(
    ["ACLED", "Radio", ""]), notes), max_size=25)


def _write(rows: list[list[str]], header: list[str], folder: Path) -> tuple[Path, list[int]]:
    """Write a CSV; return its path and the line each data row starts on."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    lines, line = [], 2
    for row in rows:
        before = buffer.tell()
        writer.writerow(row)
        lines.append(line)
        line += buffer.getvalue()[before:].count("\n")
    path = folder / "reports.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path, lines


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=event_rows, merge=st.booleans())
def test_events_accounting(rows, merge):
    with tempfile.TemporaryDirectory() as folder:
        cells = [EVENT_ROWS[kind][0] + [source, note] for kind, source, note in rows]
        path, lines = _write(cells, ["event_date", "location", "event_type", "fatalities",
                                     "source", "notes"], Path(folder))
        result = read_events(path, today="2024-01-01", merge_duplicates=merge)
    result.check()
    assert result.n_input == len(rows)
    assert len(result.accepted) + len(result.rejected) == result.n_input
    rejected = dict(zip(result.rejected["source_row"], result.rejected["field"]))
    accepted = set(result.accepted["source_row"])
    for (kind, _, _note), line in zip(rows, lines):
        field = EVENT_ROWS[kind][1]
        if field is None:
            assert line in accepted or rejected[line] == "duplicate"
        else:
            assert field in rejected[line].split("; ")
    if not merge:
        assert not (result.rejected["field"] == "duplicate").any()
    assert result.accepted["notes"].fillna("").tolist() == [
        note for (kind, _, note), line in zip(rows, lines) if line in accepted]


FIGURES = {
    "good": (["2022-09-12", "Gao", "300", "1200"], None),
    "one_figure": (["Sept 2022", "Ménaka", "", "40"], None),
    "negative": (["2022-09-12", "Gao", "-1", "5"], "arrivals"),
    "text": (["2022-09-12", "Gao", "5", "n/a"], "idps"),
    "none": (["2022-09-12", "Gao", "", ""], "count"),
    "no_date": (["", "Gao", "5", "5"], "date"),
}


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(sorted(FIGURES)),
                               st.sampled_from(["DTM", "OCHA"])), max_size=20),
       merge=st.booleans())
def test_wide_displacement_accounting(rows, merge):
    with tempfile.TemporaryDirectory() as folder:
        cells = [FIGURES[kind][0] + [source] for kind, source in rows]
        path, lines = _write(cells, ["date", "site", "arrivals", "idps", "source"],
                             Path(folder))
        result = read_displacement(path, today="2024-01-01", merge_duplicates=merge)
    result.check()
    assert result.n_accepted + len(result.rejected) == result.n_input == len(rows)
    expected_records = sum(sum(bool(c) for c in FIGURES[kind][0][2:])
                           for kind, _ in rows if FIGURES[kind][1] is None)
    merged = (result.rejected["field"] == "duplicate").to_numpy()
    merged_records = sum(sum(bool(c) for c in cells[lines.index(r)][2:4])
                         for r in result.rejected["source_row"][merged])
    assert result.n_records == expected_records - merged_records
