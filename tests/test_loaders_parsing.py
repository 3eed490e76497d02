"""Loader helpers: mixed dates, column recognition and value checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahelmap.loaders.checks import map_terms, parse_counts, parse_flags
from sahelmap.loaders.columns import is_hxl_row, recognise_columns
from sahelmap.loaders.dates import parse_dates, parse_periods
from sahelmap.vocab import fold, vocabulary


def days(parsed) -> list[str]:
    return parsed.start.dt.strftime("%Y-%m-%d").fillna("-").tolist()


@pytest.mark.parametrize("text", [
    "2022-09-12", "2022/09/12", "2022-09-12T14:30:00Z", "2022-09-12 14:30", "12/09/2022",
    "12-09-2022", "12.09.2022", "12/09/22", "12 Sept 2022", "12 sept. 2022", "12-Sep-2022",
    "12 September 2022", "September 12, 2022", "Sept 12 2022", "12 septembre 2022",
    "lundi 12 septembre 2022", "12 SEPT 2022", " 12/09/2022 ", "12th September 2022",
])
def test_every_day_format(text):
    assert days(parse_dates(pd.Series([text]))) == ["2022-09-12"]


def test_french_months_and_first_of_month():
    parsed = parse_dates(pd.Series(["1er octobre 2022", "3 févr. 2023", "15 août 2021",
                                    "2 décembre 2020", "7 juil 2022"]))
    assert days(parsed) == ["2022-10-01", "2023-02-03", "2021-08-15", "2020-12-02",
                            "2022-07-07"]


def test_day_month_order_is_decided_per_column():
    assert days(parse_dates(pd.Series(["03/04/2022", "2022-04-03"]))) == [
        "2022-04-03", "2022-04-03"]
    assumed = parse_dates(pd.Series(["03/04/2022"]), dayfirst=False)
    assert days(assumed) == ["2022-03-04"] and "assumed" in assumed.order
    # a date that can only be month first decides for the whole column, whatever the option
    month = parse_dates(pd.Series(["09/12/2022", "09/13/2022"]))
    assert days(month) == ["2022-09-12", "2022-09-13"]
    assert month.order.startswith("month first")
    day = parse_dates(pd.Series(["09/12/2022", "13/09/2022"]), dayfirst=False)
    assert days(day) == ["2022-12-09", "2022-09-13"] and day.order.startswith("day first")
    # both kinds in one column: not read, marked for rejection
    mixed = parse_dates(pd.Series(["13/04/2022", "04/13/2022", "03/04/2022", "2022-04-03"]))
    assert mixed.order == "mixed"
    assert mixed.mixed.tolist() == [True, True, True, False]
    assert days(mixed)[3] == "2022-04-03"


def test_unparseable_missing_and_months():
    parsed = parse_dates(pd.Series(["soon", "", None, "2022-02-30", "Sept 2022", "2022-09",
                                    "44816", np.nan]))
    assert parsed.unparsed.tolist() == [True, False, False, True, False, False, True, False]
    assert parsed.missing.tolist() == [False, True, True, False, False, False, False, True]
    assert parsed.precision.tolist()[4:6] == ["month", "month"]
    assert parsed.end.iloc[4] == pd.Timestamp("2022-09-30")


def test_two_digit_years():
    assert days(parse_dates(pd.Series(["12/09/22", "12/09/99"]))) == ["2022-09-12",
                                                                      "1999-09-12"]


def test_periods():
    parsed = parse_periods(pd.Series(["2022-09-01 / 2022-09-15", "1 - 15 Sept 2022",
                                      "du 1er au 15 septembre 2022",
                                      "from 1 Sept 2022 to 15 Sept 2022",
                                      "15/09/2022 - 01/09/2022"]))
    assert days(parsed) == ["2022-09-01"] * 4 + ["-"]
    assert parsed.end.dt.day.fillna(0).tolist() == [15, 15, 15, 15, 0]


def test_distinct_values_are_parsed_once_for_big_columns():
    values = pd.Series(["12/09/2022", "2022-09-13"] * 100_000)
    parsed = parse_dates(values)
    assert parsed.start.notna().all() and len(parsed.start) == 200_000


def test_fold_header_and_hxl_row():
    assert fold("  Nombre de Tués ", sep="_") == "nombre_de_tues"
    assert is_hxl_row(["#date", "#loc+name", None])
    assert not is_hxl_row(["date", "#loc", "x"])


def test_acled_hxl_and_french_recognition():
    acled = recognise_columns(["event_date", "event_type", "actor1", "admin1", "admin2",
                               "location", "latitude", "longitude", "fatalities", "notes",
                               "source"], kind="events").fields
    assert acled == {"date": "event_date", "event_type": "event_type", "actor1": "actor1",
                     "admin1": "admin1", "admin2": "admin2", "place": "location",
                     "lat": "latitude", "lon": "longitude", "fatalities": "fatalities",
                     "notes": "notes", "source": "source"}
    tags = ["#date", "#adm1+name", "#loc+name", "#affected+killed", "#affected+idps"]
    hxl = recognise_columns(["a", "b", "c", "d", "e"], kind="events", hxl_tags=tags).fields
    assert hxl == {"date": "a", "admin1": "b", "place": "c", "fatalities": "d"}
    wide = recognise_columns(["a", "b", "c", "d", "e"], kind="displacement",
                             hxl_tags=tags).fields
    assert wide["idps"] == "e" and "fatalities" not in wide
    french = recognise_columns(["Date", "Lieu", "Localité", "Morts", "Personnes", "Ménages"],
                               kind="displacement").fields
    assert french == {"date": "Date", "place": "Lieu", "count": "Personnes",
                      "households": "Ménages"}


def test_synonym_priority():
    fields = recognise_columns(["report_date", "event_date"], kind="events").fields
    assert fields == {"date": "event_date"}


def test_vocabularies():
    events = vocabulary("events")
    assert map_terms(pd.Series(["IED", "drone strike", "Abduction", "fighting", "Émeute",
                                "Strategic developments"]), events).tolist() == [
        "Explosions/Remote violence", "Explosions/Remote violence",
        "Violence against civilians", "Battles", "Riots", "Strategic developments"]
    figures = vocabulary("figures")
    assert map_terms(pd.Series(["IDPs present", "Déplacés", "new arrivals", "Départs"]),
                     figures).tolist() == ["idps", "idps", "arrivals", "departures"]


def test_counts_and_flags():
    counts = parse_counts(pd.Series(["1,200", "1 200", "12.0", "  ", "1e3", "1.5"]))
    assert counts["value"].tolist()[:3] == [1200, 1200, 12]
    assert counts["missing"].tolist() == [False, False, False, True, False, False]
    assert counts["problem"].isna().tolist() == [True, True, True, True, True, False]
    flags = parse_flags(pd.Series(["Oui", "0", "x", "nope"]))
    assert flags["value"].tolist() == [True, False, True, False]
    assert flags["bad"].tolist() == [False, False, False, True]


def test_headers_starting_with_a_hash_are_not_lost():
    headers = ["# IDPs", "# Returnees", "Date"]
    assert is_hxl_row(headers)  # looks like hashtags, but no HXL rule knows them
    fields = recognise_columns(headers, kind="displacement", hxl_tags=headers).fields
    assert fields == {"idps": "# IDPs", "returns": "# Returnees", "date": "Date"}


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r", b"\r\n\r", b""])
def test_line_count_takes_every_line_end_even_across_reads(tmp_path, ending):
    """Lines end in LF, CRLF or a bare CR (one CRLF is one end, even cut between two reads
    of the file); quotes are counted too (an odd count sends the file to the damaged-row
    reader)."""
    from sahelmap.loaders.files import _count_lines

    block = 1 << 24  # the size _count_lines reads at a time
    line = b'a,"b",c' + ending
    data = line * 3 + b"x" * (block - 3 * len(line) - 1) + b"\r\n" + b'"q"\r\rz"'
    assert data[block - 1:block + 1] == b"\r\n"  # a CRLF cut between two reads
    path = tmp_path / "lines.csv"
    path.write_bytes(data)
    assert _count_lines(path) == (len(data.splitlines()), data.count(b'"'))
    path.write_bytes(line)
    assert _count_lines(path) == (len(line.splitlines()), 2)
