"""Aggregation per unit and period: zero-filled grids, period rules, and the accounting identity."""

from __future__ import annotations

import logging
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahelmap.aggregate import (
    FIGURE_TYPES,
    AggregateError,
    aggregate_displacement,
    aggregate_events,
    check_totals,
    summarize,
)
from sahelmap.boundaries import admin_units
from sahelmap.errors import SahelmapError
from sahelmap.pcodes import pcode_table
from sahelmap.vocab import FIGURE_NATURE

REGIONS = list(admin_units("adm1")["adm1_pcode"])
ADM2 = pcode_table(2)  # v03: 160 Mali units, 67 Niger
SUMMARY_COLUMNS = ["unit_pcode", "unit_name", "adm0_pcode", "adm1_pcode", "adm1_name", "period",
                   "period_start", "period_end", "events", "fatalities", "arrivals", "idps",
                   "returns", "departures", "pcode_version", "geometry"]


def make_events(rows: list[tuple]) -> gpd.GeoDataFrame:
    """Accepted events as the loaders give them: (date, adm1, adm2, fatalities) per row."""
    dates, adm1, adm2, deaths = zip(*rows) if rows else ((), (), (), ())
    return gpd.GeoDataFrame({
        "source_file": "events.csv", "source_row": np.arange(2, len(rows) + 2),
        "event_date": pd.to_datetime(pd.Series(dates, dtype=object)),
        "adm0_pcode": pd.array([a[:2] if a else None for a in adm1], dtype="str"),
        "adm1_pcode": pd.array(adm1, dtype="str"),
        "adm2_pcode": pd.Series(adm2, dtype=object),
        "event_type": "Battles", "fatalities": pd.array(deaths, dtype="int64"),
        "is_synthetic": False, "is_duplicate": False,
    }, geometry=[shapely.Point(0.04, 16.27)] * len(rows), crs="EPSG:4326")


def make_displacement(rows: list[tuple]) -> gpd.GeoDataFrame:
    """Accepted displacement: (date, adm1, adm2, figure_type, count) per row."""
    dates, adm1, adm2, kinds, counts = zip(*rows) if rows else ((), (), (), (), ())
    date = pd.to_datetime(pd.Series(dates, dtype=object))
    return gpd.GeoDataFrame({
        "source_file": "dtm.csv", "source_row": np.arange(2, len(rows) + 2),
        "date": date, "period_end": date + pd.Timedelta(days=6),
        "adm0_pcode": pd.array([a[:2] if a else None for a in adm1], dtype="str"),
        "adm1_pcode": pd.array(adm1, dtype="str"), "adm2_pcode": pd.Series(adm2, dtype=object),
        "figure_type": pd.array(kinds, dtype="str"), "count": pd.array(counts, dtype="int64"),
        "is_synthetic": False, "is_duplicate": False,
    }, geometry=[shapely.Point(2.1, 13.5)] * len(rows), crs="EPSG:4326")


def box_boundaries() -> gpd.GeoDataFrame:
    """Official-style ADM2 boundaries for three Gao/Ménaka units, ML0701 in two pieces."""
    return gpd.GeoDataFrame({
        "adm0_pcode": ["ML", "ML", "ML", "ML"],
        "adm1_pcode": ["ML07", "ML07", "ML07", "ML10"],
        "adm1_name": ["Gao", "Gao", "Gao", "Ménaka"],
        "adm2_pcode": ["ML0701", "ML0701", "ML0702", "ML1001"],
        "adm2_name": ["Gao", "Gao", "Ansongo", "Ménaka"],
    }, geometry=[shapely.box(-0.5, 16, 0, 16.5), shapely.box(0, 16, 0.5, 16.5),
                 shapely.box(0, 15.5, 0.5, 16), shapely.box(2, 15.5, 3, 16.5)],
        crs="EPSG:4326")


# --------------------------------------------------------------------------------------------
# The grid: every unit, every period, zeros where nothing was reported


def test_every_region_appears_with_zero_when_it_has_no_report():
    out = summarize(make_events([("2022-09-14", "ML07", None, 4)]))
    assert list(out.columns) == SUMMARY_COLUMNS
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.equals("EPSG:4326")
    assert sorted(out["unit_pcode"]) == sorted(REGIONS) and len(out) == len(REGIONS)
    gao = out.set_index("unit_pcode").loc["ML07"]
    assert (gao["events"], gao["fatalities"], gao["unit_name"]) == (1, 4, "Gao")
    others = out[out["unit_pcode"] != "ML07"]
    assert (others[["events", "fatalities", "arrivals", "idps", "returns", "departures"]]
            .to_numpy() == 0).all()
    assert out.geometry.notna().all() and out.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    value_columns = SUMMARY_COLUMNS[8:14]
    assert (out[value_columns].dtypes == "int64").all()


def test_weekly_grid_is_continuous_and_sorted_by_period_then_unit():
    out = aggregate_events(make_events([("2022-09-01", "ML07", None, 1),
                                        ("2022-10-20", "NE006", None, 2)]))
    weeks = list(dict.fromkeys(out["period"]))
    assert weeks == [f"2022-W{w}" for w in range(35, 43)]
    assert len(out) == 8 * len(REGIONS)
    starts = pd.DatetimeIndex(out["period_start"].unique())
    assert (np.diff(starts.to_numpy()) == np.timedelta64(7, "D")).all()
    assert (out["period_end"] - out["period_start"] == pd.Timedelta(days=6)).all()
    assert starts[0] == pd.Timestamp("2022-08-29")  # a Monday, not the first event's day
    key = list(zip(out["period"], out["unit_pcode"]))
    assert key == sorted(key)
    assert out.loc[out["period"] == "2022-W35", "events"].sum() == 1
    assert out.loc[out["period"] == "2022-W38", "events"].sum() == 0


@pytest.mark.parametrize(("day", "label", "monday"), [
    ("2020-12-31", "2020-W53", "2020-12-28"),
    ("2021-01-01", "2020-W53", "2020-12-28"),
    ("2021-01-03", "2020-W53", "2020-12-28"),
    ("2021-01-04", "2021-W01", "2021-01-04"),
    ("2024-12-30", "2025-W01", "2024-12-30"),
    ("2019-12-30", "2020-W01", "2019-12-30"),
])
def test_iso_weeks_across_year_boundaries(day, label, monday):
    out = aggregate_events(make_events([(day, "ML10", None, 0)]))
    row = out.set_index("unit_pcode").loc["ML10"]
    assert (row["period"], row["period_start"], row["events"]) == (label, pd.Timestamp(monday), 1)


def test_monthly_periods_end_on_the_last_day_of_the_month():
    out = aggregate_displacement(make_displacement([
        ("2024-01-31", "ML10", None, "idps", 500), ("2024-03-01", "ML10", None, "arrivals", 70),
        ("2024-02-29", "NE006", None, "returns", 9)]), period="month")
    periods = out.drop_duplicates("period")
    assert periods["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert periods["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-31", "2024-02-29", "2024-03-31"]
    menaka = out[out["unit_pcode"] == "ML10"].set_index("period")
    assert menaka.loc["2024-01", "idps"] == 500 and menaka.loc["2024-03", "arrivals"] == 70
    assert menaka.loc["2024-02", ["arrivals", "idps", "returns", "departures"]].sum() == 0
    assert list(out.columns[-6:]) == ["arrivals", "idps", "returns", "departures",
                                      "pcode_version", "geometry"]


def test_all_gives_one_period_over_the_data():
    events = make_events([("2022-07-25", "ML07", None, 3), ("2022-10-09", "ML10", None, 1)])
    for period in ("all", None):
        out = aggregate_events(events, period=period)
        assert len(out) == len(REGIONS)
        assert set(out["period"]) == {"2022-07-25/2022-10-09"}
        assert out["period_start"].iloc[0] == pd.Timestamp("2022-07-25")
        assert out["period_end"].iloc[0] == pd.Timestamp("2022-10-09")
        assert out["events"].sum() == 2


def test_custom_range_leaves_rows_out_and_says_how_many(caplog):
    events = make_events([("2022-09-01", "ML07", None, 5), ("2022-09-10", "ML07", None, 1),
                          ("2022-09-20", "ML07", None, 2), ("2022-10-02", "ML07", None, 7)])
    with caplog.at_level(logging.INFO, logger="sahelmap.aggregate"):
        out = aggregate_events(events, period="week", start="2022-09-08", end="2022-09-25")
    assert out.attrs["excluded_rows"] == 2
    assert out.attrs["excluded"] == {"events": {"before_start": 1, "after_end": 1,
                                                "no_date": 0}}
    assert "2 events row(s) dated outside 2022-09-08..2022-09-25" in caplog.text
    assert out["events"].sum() == 2 and out["fatalities"].sum() == 3
    weeks = out.drop_duplicates("period")
    assert weeks["period"].tolist() == ["2022-W36", "2022-W37", "2022-W38"]
    # the first and last weeks are cut to the range asked for
    assert weeks["period_start"].dt.strftime("%m-%d").tolist() == ["09-08", "09-12", "09-19"]
    assert weeks["period_end"].dt.strftime("%m-%d").tolist() == ["09-11", "09-18", "09-25"]
    assert check_totals(out, events) == {"events": 2, "fatalities": 3}

    one = aggregate_events(events, period="all", start="2022-09-10", end="2022-09-20")
    assert (len(one), one["events"].sum(), one.attrs["excluded_rows"]) == (len(REGIONS), 2, 2)
    assert one["period"].iloc[0] == "2022-09-10/2022-09-20"


def test_start_only_runs_the_grid_to_the_last_date():
    events = make_events([("2022-09-01", "ML07", None, 5), ("2022-09-20", "ML07", None, 2)])
    out = aggregate_events(events, period="month", start="2022-09-05")
    assert out["period"].unique().tolist() == ["2022-09"]
    assert out["period_start"].iloc[0] == pd.Timestamp("2022-09-05")
    assert (out["events"].sum(), out.attrs["excluded"]["events"]["before_start"]) == (1, 1)


@pytest.mark.parametrize(("period", "first", "last"), [
    ("2022-W37", "2022-09-12", "2022-09-18"),
    ("2020-W53", "2020-12-28", "2021-01-03"),
    ("2022-w01", "2022-01-03", "2022-01-09"),
    ("2022-09", "2022-09-01", "2022-09-30"),
])
def test_a_period_label_is_shorthand_for_that_period(period, first, last):
    events = make_events([(first, "ML07", None, 1), (last, "ML07", None, 1),
                          ("2019-06-01", "ML07", None, 1)])
    out = aggregate_events(events, period=period)
    assert len(out) == len(REGIONS) and out["period"].nunique() == 1
    assert (out.attrs["start"], out.attrs["end"]) == (first, last)
    assert out["events"].sum() == 2 and out.attrs["excluded_rows"] == 1


def test_an_empty_week_is_a_grid_of_zeros():
    out = summarize(make_events([]), make_displacement([]), period="2022-W37")
    assert len(out) == len(REGIONS) and set(out["period"]) == {"2022-W37"}
    assert (out[SUMMARY_COLUMNS[8:14]].to_numpy() == 0).all()
    nothing = summarize(make_events([]), period="week")
    assert len(nothing) == 0 and list(nothing.columns) == SUMMARY_COLUMNS


@pytest.mark.parametrize(("options", "message"), [
    ({"level": "adm3"}, "Unknown level 'adm3'"),
    ({"period": "fortnight"}, "Unknown period 'fortnight'"),
    ({"period": "2021-W53"}, "'2021-W53' is not a real ISO week"),
    ({"period": "2022-13"}, "'2022-13' is not a real month"),
    ({"period": "2022-W37", "start": "2022-09-01"}, "already sets the dates"),
    ({"start": "2022-09-30", "end": "2022-09-01"}, "start 2022-09-30 is after end 2022-09-01"),
    ({"start": "soon"}, "start='soon' is not a date"),
])
def test_bad_options_raise(options, message):
    with pytest.raises(AggregateError, match=message) as info:
        aggregate_events(make_events([("2022-09-14", "ML07", None, 1)]), **options)
    assert isinstance(info.value, SahelmapError) and isinstance(info.value, ValueError)


def test_bad_inputs_raise():
    with pytest.raises(AggregateError, match="lacks column.*'fatalities'"):
        aggregate_events(make_events([("2022-09-14", "ML07", None, 1)]).drop(
            columns="fatalities"))
    bad = make_displacement([("2022-09-14", "ML07", None, "refugees", 10)])
    with pytest.raises(AggregateError, match="'refugees'; each figure must be one of"):
        aggregate_displacement(bad)
    fractions = make_events([("2022-09-14", "ML07", None, 1)]).astype({"fatalities": float})
    fractions.loc[0, "fatalities"] = 1.5
    with pytest.raises(AggregateError, match="'fatalities' .* holds fractions"):
        aggregate_events(fractions)
    words = make_displacement([("2022-09-14", "ML07", None, "idps", 1)]).astype({"count": object})
    words.loc[0, "count"] = "many"
    with pytest.raises(AggregateError, match="'count' .* non-numbers such as 'many'"):
        aggregate_displacement(words)
    with pytest.raises(AggregateError, match="pass events=, displacement= or event_counts="):
        summarize()
    with pytest.raises(AggregateError, match="must be a pandas DataFrame"):
        aggregate_events([1, 2, 3])


def test_figure_types_are_read_forgiving_case_and_spaces():
    rows = make_displacement([("2022-09-14", "ML07", None, "IDPs ", 10),
                              ("2022-09-14", "ML07", None, "Arrivals", 3)])
    out = aggregate_displacement(rows, period="all")
    assert (out["idps"].sum(), out["arrivals"].sum()) == (10, 3)


def test_rows_without_a_date_warn_and_are_not_counted():
    events = make_events([("2022-09-14", "ML07", None, 1), (None, "ML07", None, 9)])
    with pytest.warns(UserWarning, match="1 events row.s. have no date"):
        out = aggregate_events(events)
    assert out["fatalities"].sum() == 1
    assert out.attrs["excluded"]["events"]["no_date"] == 1 and out.attrs["excluded_rows"] == 1
    check_totals(out, events)


def test_duplicates_are_counted_unless_removed():
    events = make_events([("2022-09-14", "ML07", None, 3)] * 2)
    events.loc[1, "is_duplicate"] = True
    assert aggregate_events(events)["events"].sum() == 2
    assert aggregate_events(events[~events["is_duplicate"]])["events"].sum() == 1


# --------------------------------------------------------------------------------------------
# Where rows go: ADM1 translations, ADM2 units and the explicit "unknown" units


def test_adm1_codes_of_other_structures_and_unknown_ones_are_kept():
    events = make_events([("2022-09-14", "ML11", None, 1),      # Nioro (2023 region)
                          ("2022-09-14", "ML-9", None, 2),      # ISO 3166-2 Ménaka
                          ("2022-09-14", "ML99", None, 4),      # no such region
                          ("2022-09-14", None, None, 8)])       # nothing known
    with pytest.warns(UserWarning, match="2 events row.s. have an adm1_pcode that is no map"):
        out = aggregate_events(events)
    by_unit = out.set_index("unit_pcode")
    assert by_unit.loc["ML11", "fatalities"] == 1 and by_unit.loc["ML10", "fatalities"] == 2
    assert by_unit.loc["ML-UNK", "fatalities"] == 4
    assert by_unit.loc["ML-UNK", "unit_name"] == "Mali (region unknown)"
    assert by_unit.loc["UNK", "fatalities"] == 8
    assert by_unit.loc[["ML-UNK", "UNK"]].geometry.isna().all()
    assert list(out["unit_pcode"][-2:]) == ["ML-UNK", "UNK"]
    assert out.attrs["unknown_unit_rows"] == 2
    check_totals(out, events)
    with pytest.warns(UserWarning, match="no map"):
        old = aggregate_events(events, structure="2016").set_index("unit_pcode")
    assert old.loc["ML01", "fatalities"] == 1  # Nioro (2023) lies in Kayes (2016)
    assert "ML11" not in old.index and len(old) == 18 + 2


def test_rows_of_a_split_region_go_to_the_2023_region_of_their_cercle():
    events = make_events([("2022-09-14", "ML01", "ML0105", 1),   # Kita cercle -> Kita (ML12)
                          ("2022-09-14", "ML01", "ML0103", 2),   # Kayes cercle -> Kayes (ML01)
                          ("2022-09-14", "ML01", None, 4),       # Kayes (2016), cercle unknown
                          ("2022-09-14", "ML07", None, 8)])      # Gao was not split
    out = aggregate_events(events, structure="2023").set_index("unit_pcode")
    assert out.loc[["ML12", "ML01", "ML01-2016", "ML07"], "fatalities"].tolist() == [1, 2, 4, 8]
    assert out.loc["ML01-2016", "unit_name"] == "Kayes (2016 region; 2023 region unknown)"
    assert out.loc["ML01-2016"].geometry is None
    assert out.attrs["unknown_unit_rows"] == 1 and out.attrs["structure"] == "2023"
    assert out.loc[["ML12", "ML07"], "pcode_version"].tolist() == ["v03", "v03"]
    check_totals(out.reset_index(), events)
    old = aggregate_events(events, structure="2016").set_index("unit_pcode")
    assert old.loc["ML01", "fatalities"] == 7 and "ML01-2016" not in old.index


def test_adm2_without_boundaries_uses_the_bundled_cercles_and_departments():
    events = make_events([("2022-09-14", "ML07", "ML0703", 1), ("2022-09-14", "ML07", None, 2),
                          ("2022-09-15", "ML10", "ML1001", 4), ("2022-09-15", "NE006", None, 8)])
    out = aggregate_events(events, level="adm2")
    cercles = admin_units("adm2")
    assert len(out) == len(cercles) + 2 == 53 + 67 + 2
    by_unit = out.set_index("unit_pcode")
    assert by_unit.loc["ML0703", ["unit_name", "adm1_pcode", "fatalities", "pcode_version"]
                       ].tolist() == ["Gao", "ML07", 1, "cod-2021"]
    assert by_unit.loc["ML07-UNK", ["unit_name", "adm1_pcode", "adm1_name", "fatalities"]
                       ].tolist() == ["Gao (ADM2 unknown)", "ML07", "Gao", 2]
    assert by_unit.loc["NE006-UNK", "unit_name"] == "Tillabéri (ADM2 unknown)"
    assert by_unit.loc["NE006-UNK", "fatalities"] == 8
    assert "ML10-UNK" not in by_unit.index  # only regions that need one get one
    assert out.geometry.notna().sum() == len(cercles)  # every cercle and department drawn
    # the cercles' regions follow the structure: Kita cercle is in Kita (2023), Kayes (2016)
    assert by_unit.loc["ML0105", "adm1_pcode"] == "ML12"
    assert aggregate_events(events, level="adm2", structure="2016").set_index(
        "unit_pcode").loc["ML0105", "adm1_pcode"] == "ML01"
    # the unknown unit follows its region's units
    codes = out["unit_pcode"].tolist()
    assert codes.index("ML07-UNK") == max(i for i, c in enumerate(codes) if c.startswith("ML07"))
    assert out.attrs["unknown_unit_rows"] == 2
    check_totals(out, events)


def test_adm2_with_boundaries_uses_their_polygons_and_keeps_strays():
    events = make_events([("2022-09-14", "ML07", "ML0701", 1), ("2022-09-14", "ML07", "ML0702", 2),
                          ("2022-09-14", "ML07", "ML0703", 4),   # not in the boundaries
                          ("2022-09-14", "NE006", None, 8)])
    with pytest.warns(UserWarning, match="ADM2 code.s. ML0703 are not units of the ADM2 layer"):
        out = aggregate_events(events, level="adm2", boundaries=box_boundaries())
    by_unit = out.set_index("unit_pcode")
    assert list(by_unit.index) == ["ML0701", "ML0702", "ML07-UNK", "ML1001", "NE006-UNK"]
    assert by_unit.loc["ML0701", "geometry"].area == pytest.approx(0.5)  # both pieces
    assert by_unit.loc["ML0702", ["unit_name", "fatalities"]].tolist() == ["Ansongo", 2]
    assert by_unit.loc["ML07-UNK", "fatalities"] == 4
    assert by_unit.loc["NE006-UNK", "fatalities"] == 8
    assert by_unit.loc[["ML0701", "ML0702", "ML1001"]].geometry.notna().all()
    assert by_unit.loc[["ML07-UNK", "NE006-UNK"]].geometry.isna().all()
    check_totals(out, events)


def test_adm1_level_ignores_adm2_codes():
    events = make_events([("2022-09-14", "ML07", "ML0703", 4), ("2022-09-14", "ML07", None, 1)])
    out = aggregate_events(events, level="adm1", boundaries=box_boundaries())
    assert len(out) == len(REGIONS) and out.set_index("unit_pcode").loc["ML07", "fatalities"] == 5


def test_bad_boundaries_raise():
    with pytest.raises(AggregateError, match="ADM2 GeoDataFrame with an 'adm2_pcode'"):
        aggregate_events(make_events([]), level="adm2", boundaries=admin_units("adm1"))


# --------------------------------------------------------------------------------------------
# The accounting identity


def test_summarize_combines_both_inputs_on_one_grid():
    events = make_events([("2022-09-05", "ML07", None, 3)])
    figures = make_displacement([("2022-09-20", "ML10", None, "arrivals", 1200),
                                 ("2022-09-21", "ML10", None, "departures", 30)])
    out = summarize(events, figures)
    assert out["period"].unique().tolist() == ["2022-W36", "2022-W37", "2022-W38"]
    assert check_totals(out, events, figures) == {
        "events": 1, "fatalities": 3, "arrivals": 1200, "idps": 0, "returns": 0,
        "departures": 30}
    only_events = summarize(events)
    assert only_events[["arrivals", "idps"]].to_numpy().sum() == 0


def test_check_totals_catches_a_broken_identity():
    events = make_events([("2022-09-14", "ML07", None, 3), ("2022-09-15", "NE006", None, 1)])
    figures = make_displacement([("2022-09-14", "ML10", None, "idps", 500)])
    out = summarize(events, figures)
    broken = out.copy()
    broken.loc[broken["unit_pcode"] == "ML10", "idps"] = 499
    with pytest.raises(AggregateError, match="idps 499 in the result but 500 in the input"):
        check_totals(broken, events, figures)
    with pytest.raises(AggregateError, match="events 1 in the result but 2"):
        check_totals(out[out["unit_pcode"] != "NE006"], events)
    with pytest.raises(AggregateError, match="no column.*'arrivals'"):
        check_totals(aggregate_events(events), events, figures)


def _unit_codes():
    known = REGIONS + ["ML11", "ML-9", "ML99", None]
    return st.sampled_from(known)


_ADM2_CHOICES = ["ML0701", "ML0702", "ML1001", "ML1101", "NE006001", "ML0703", "XX", None]
_BOUNDARIES = box_boundaries()
_DAY0 = pd.Timestamp("2019-12-20")

event_rows = st.lists(st.tuples(
    st.one_of(st.none(), st.integers(0, 420)), _unit_codes(), st.sampled_from(_ADM2_CHOICES),
    st.integers(0, 300)), max_size=40)
figure_rows = st.lists(st.tuples(
    st.one_of(st.none(), st.integers(0, 420)), _unit_codes(), st.sampled_from(_ADM2_CHOICES),
    st.sampled_from(FIGURE_TYPES), st.integers(0, 10**6)), max_size=40)
ranges = st.one_of(st.just((None, None)), st.tuples(
    st.one_of(st.none(), st.integers(-10, 430)), st.one_of(st.none(), st.integers(-10, 430))))


def _expected_figure(rows: pd.DataFrame, out: pd.DataFrame, kind: str) -> int:
    """A flow's plain sum; a stock's sum of each place's latest snapshot per period."""
    rows = rows[rows["figure_type"] == kind]
    if FIGURE_NATURE[kind] == "flow" or not len(rows):
        return int(rows["count"].sum())
    starts = np.sort(pd.to_datetime(out["period_start"]).unique())
    period = np.searchsorted(starts, rows["date"].to_numpy(), side="right") - 1
    keyed = rows.assign(period=period, a1=rows["adm1_pcode"].astype(object).fillna("-"),
                        a2=rows["adm2_pcode"].astype(object).fillna("-"))
    latest = keyed.groupby(["period", "a1", "a2"])["date"].transform("max")
    return int(keyed.loc[keyed["date"] == latest, "count"].sum())


def _day(offset: int | None) -> str | None:
    return None if offset is None else str((_DAY0 + pd.Timedelta(days=offset)).date())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=event_rows, figures=figure_rows, level=st.sampled_from(["adm1", "adm2", "bounds"]),
       period=st.sampled_from(["week", "month", "all"]), bounds=ranges)
def test_identity_holds_for_random_frames(events, figures, level, period, bounds):
    ev = make_events([(_day(d), a1, a2, n) for d, a1, a2, n in events])
    dp = make_displacement([(_day(d), a1, a2, k, n) for d, a1, a2, k, n in figures])
    lo, hi = bounds
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    start, end = _day(lo), _day(hi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = summarize(ev, dp, level="adm2" if level == "bounds" else level, period=period,
                        start=start, end=end,
                        boundaries=_BOUNDARIES if level == "bounds" else None)

    # the identity, computed independently with plain pandas
    def in_range(dates: pd.Series) -> pd.Series:
        keep = dates.notna()
        if start is not None:
            keep &= dates >= pd.Timestamp(start)
        if end is not None:
            keep &= dates <= pd.Timestamp(end)
        return keep

    ev_in, dp_in = ev[in_range(ev["event_date"])], dp[in_range(dp["date"])]
    assert out["events"].sum() == len(ev_in)
    assert out["fatalities"].sum() == ev_in["fatalities"].sum()
    for kind in FIGURE_TYPES:
        assert out[kind].sum() == _expected_figure(dp_in, out, kind)
    assert out.attrs["excluded_rows"] == len(ev) + len(dp) - len(ev_in) - len(dp_in)
    check_totals(out, ev, dp)

    # the grid: every unit in every period once, periods back to back, values non-negative
    assert not out.duplicated(["unit_pcode", "period"]).any()
    n_units, n_periods = out["unit_pcode"].nunique(), out["period"].nunique()
    assert len(out) == n_units * n_periods
    if level == "adm1" and n_periods:
        assert set(REGIONS) <= set(out["unit_pcode"])
    if n_periods:
        bounds_ = out.drop_duplicates("period")
        gaps = bounds_["period_start"].iloc[1:].to_numpy() - bounds_["period_end"].iloc[
            :-1].to_numpy()
        assert (gaps == np.timedelta64(1, "D")).all()
        if start is not None:
            assert bounds_["period_start"].iloc[0] == pd.Timestamp(start)
        if end is not None:
            assert bounds_["period_end"].iloc[-1] == pd.Timestamp(end)
    assert (out[SUMMARY_COLUMNS[8:14]].to_numpy() >= 0).all()
    key = list(zip(out["period_start"], out["period"]))
    assert key == sorted(key)


@pytest.mark.slow
def test_a_million_rows_per_adm2_and_week_in_well_under_the_budget():
    rng = np.random.default_rng(7)
    n = 1_000_000
    # the units the geocoder gives: bundled cercles and departments, their 2016 region
    adm2 = admin_units("adm2", structure="2016").sample(n, replace=True, random_state=1)
    dates = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    events = pd.DataFrame({"event_date": dates,
                           "adm1_pcode": pd.array(adm2["adm1_pcode"].to_numpy(), dtype="str"),
                           "adm2_pcode": pd.array(np.where(rng.random(n) < 0.2, None,
                                                           adm2["adm2_pcode"].to_numpy()),
                                                  dtype="str"),
                           "fatalities": rng.integers(0, 10, n)})
    begin = time.perf_counter()
    out = aggregate_events(events, level="adm2", period="week")
    seconds = time.perf_counter() - begin
    assert out["events"].sum() == n and out["fatalities"].sum() == events["fatalities"].sum()
    assert seconds < 5, f"1M rows took {seconds:.1f} s (target < 1 s)"
