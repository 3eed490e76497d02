"""Stocks and flows: people present take the latest snapshot, movements add up."""

from __future__ import annotations

import pandas as pd
import pytest

from sahelmap.aggregate import aggregate_displacement, check_totals, summarize
from sahelmap.errors import AggregateError
from sahelmap.vocab import FIGURE_NATURE, FIGURE_TYPES, STOCK_FIGURES


def figures(rows: list[tuple]) -> pd.DataFrame:
    """(date, adm1, adm2, place, figure_type, count) per row."""
    date, adm1, adm2, place, kind, count = zip(*rows)
    return pd.DataFrame({"date": pd.to_datetime(list(date)), "adm1_pcode": list(adm1),
                         "adm2_pcode": list(adm2), "place": list(place),
                         "figure_type": list(kind), "count": list(count)})


TWO_ROUNDS = figures([
    # round 1 and round 2 of September in two communes of Gao, one of Ménaka
    ("2022-09-05", "ML07", "ML0701", "Ouattagouna", "idps", 1000),
    ("2022-09-05", "ML07", "ML0703", "Gao", "idps", 4000),
    ("2022-09-05", "ML10", "ML1001", "Ménaka", "idps", 6000),
    ("2022-09-26", "ML07", "ML0701", "Ouattagouna", "idps", 1200),
    ("2022-09-26", "ML07", "ML0703", "Gao", "idps", 3900),
    # Ménaka not assessed in round 2: its round-1 snapshot stands
    # flows in the same month: every report adds up
    ("2022-09-05", "ML07", "ML0703", "Gao", "arrivals", 300),
    ("2022-09-26", "ML07", "ML0703", "Gao", "arrivals", 150),
    ("2022-09-12", "ML07", "ML0703", "Gao", "departures", 20),
    ("2022-09-19", "ML07", "ML0703", "Gao", "departures", 30),
    # October: a new period, a new snapshot
    ("2022-10-10", "ML07", "ML0703", "Gao", "idps", 3500),
])


def cell(out: pd.DataFrame, unit: str, period: str, column: str) -> int:
    row = out[(out["unit_pcode"] == unit) & (out["period"] == period)]
    return int(row[column].iloc[0])


def test_vocabulary_says_which_figures_are_stocks():
    assert set(FIGURE_NATURE) == set(FIGURE_TYPES)
    assert STOCK_FIGURES == ("idps",)
    assert {FIGURE_NATURE[n] for n in ("arrivals", "returns", "departures")} == {"flow"}


def test_two_rounds_in_one_month_give_the_latest_not_the_sum():
    out = aggregate_displacement(TWO_ROUNDS, period="month")
    assert cell(out, "ML07", "2022-09", "idps") == 1200 + 3900        # not 1000+4000+1200+3900
    assert cell(out, "ML10", "2022-09", "idps") == 6000
    assert cell(out, "ML07", "2022-10", "idps") == 3500
    assert cell(out, "ML07", "2022-09", "arrivals") == 450            # flows sum
    assert cell(out, "ML07", "2022-09", "departures") == 50
    assert out.attrs["rules"]["idps"].startswith("stock: latest snapshot")
    assert out.attrs["rules"]["arrivals"].startswith("flow: sum")
    assert set(out.attrs["rules"]) == set(FIGURE_TYPES)


def test_weekly_periods_keep_each_round():
    out = aggregate_displacement(TWO_ROUNDS, period="week")
    assert cell(out, "ML07", "2022-W36", "idps") == 5000
    assert cell(out, "ML07", "2022-W39", "idps") == 5100


def test_one_period_over_everything_takes_the_latest_of_all():
    out = summarize(displacement=TWO_ROUNDS, period="all")
    assert int(out["idps"].sum()) == 3500 + 1200 + 6000  # Gao Oct, Ouattagouna Sept 26, Ménaka
    assert check_totals(out, displacement=TWO_ROUNDS)["idps"] == 10700


def test_same_day_reports_of_one_place_add_up():
    # two sites in one place reported on one snapshot date are parts of one snapshot
    rows = figures([("2022-09-05", "ML07", "ML0703", "Gao", "idps", 10),
                    ("2022-09-05", "ML07", "ML0703", "Gao", "idps", 15)])
    assert int(aggregate_displacement(rows, period="month")["idps"].sum()) == 25


def test_without_place_column_the_pcodes_name_the_place():
    rows = TWO_ROUNDS.drop(columns="place")
    out = aggregate_displacement(rows, period="month")
    assert cell(out, "ML07", "2022-09", "idps") == 5100
    check_totals(out, displacement=rows)


def test_check_totals_follows_the_stock_rule():
    out = aggregate_displacement(TWO_ROUNDS, period="month")
    totals = check_totals(out, displacement=TWO_ROUNDS)
    assert totals["idps"] == 5100 + 6000 + 3500
    assert totals["arrivals"] == 450
    # a result that summed the rounds is caught
    summed = out.copy()
    at = (summed["unit_pcode"] == "ML07") & (summed["period"] == "2022-09")
    summed.loc[at, "idps"] = 1000 + 4000 + 1200 + 3900
    with pytest.raises(AggregateError, match=r"idps 19,600 in the result but 14,600"):
        check_totals(summed, displacement=TWO_ROUNDS)


def test_adm2_level_and_date_range():
    out = aggregate_displacement(TWO_ROUNDS, level="adm2", period="month",
                                 start="2022-09-10", end="2022-09-30")
    assert cell(out, "ML0701", "2022-09", "idps") == 1200
    assert cell(out, "ML1001", "2022-09", "idps") == 0   # its only snapshot is before start
    check_totals(out, displacement=TWO_ROUNDS)
