"""Partitions aggregated under Dask add up to the table of one run; overlaps are refused."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from sahelmap import AggregateError, OptionError, geocode_frame
from sahelmap.partitions import aggregate_partition, aggregate_partitions, geocode_partitions

pytest.importorskip("dask")
dask_geopandas = pytest.importorskip("dask_geopandas")

COLUMNS = ["event_id_cnty", "event_date", "year", "event_type", "actor1", "actor2", "country",
           "admin1", "location", "latitude", "longitude", "fatalities", "source", "notes"]
# (location, ACLED admin1, lat, lon): approximate town positions
PLACES = {
    "Mali": [("Gao", "Gao", 16.2717, -0.0447), ("Ménaka", "Menaka", 15.9182, 2.4022),
             ("Tombouctou", "Tombouctou", 16.7735, -3.0074), ("Mopti", "Mopti", 14.4843, -4.183),
             ("Ansongo", "Gao", 15.6597, 0.5022)],
    "Niger": [("Tillabéri", "Tillaberi", 14.2117, 1.4531),
              ("Ouallam", "Tillaberi", 14.3183, 2.0864), ("Diffa", "Diffa", 13.3154, 12.6113),
              ("Tahoua", "Tahoua", 14.8888, 5.2692)],
}
TYPES = ["Battles", "Violence against civilians", "Explosions/Remote violence", "Riots"]
GRID = dict(level="adm2", period="week", start="2021-01-01", end="2022-12-31")


def _partition(country: str, year: int, seed: int) -> pd.DataFrame:
    """One country-year of an ACLED-style export, with what real exports hold.

    Dyadic pairs (an event written once per actor pair), a conflicting repeat of an
    identifier, a duplicate report under another identifier (another source), and rows
    that are rejected: an impossible date, a place no one knows, an implausible toll.
    """
    rng = np.random.default_rng(seed)
    iso = "MLI" if country == "Mali" else "NER"
    rows = []
    for i in range(40):
        place, admin1, lat, lon = PLACES[country][int(rng.integers(len(PLACES[country])))]
        day = pd.Timestamp(f"{year}-01-01") + pd.Timedelta(days=int(rng.integers(0, 365)))
        with_xy = rng.random() < 0.7
        rows.append({
            "event_id_cnty": f"{iso}{year}{i:03d}", "event_date": day.strftime("%Y-%m-%d"),
            "year": year, "event_type": TYPES[int(rng.integers(len(TYPES)))],
            "actor1": "JNIM", "actor2": "", "country": country, "admin1": admin1,
            "location": place, "latitude": lat if with_xy else "",
            "longitude": lon if with_xy else "", "fatalities": int(rng.integers(0, 12)),
            "source": "Local source", "notes": f"Attack near {place}, {i}: houses burnt",
        })
    for of in (3, 11, 25):  # dyadic: the same event with another actor pair
        rows.append({**rows[of], "actor2": f"Civilians ({country})"})
    rows.append({**rows[7], "fatalities": rows[7]["fatalities"] + 4})  # same id, other toll
    rows.append({**rows[15], "event_id_cnty": f"{iso}{year}900", "source": "Radio"})
    rows += [
        {**rows[20], "event_id_cnty": f"{iso}{year}901", "event_date": f"{year}-02-30"},
        {**rows[21], "event_id_cnty": f"{iso}{year}902", "location": "Atlantis",
         "latitude": "", "longitude": "", "admin1": ""},
        {**rows[22], "event_id_cnty": f"{iso}{year}903", "fatalities": 90_000},
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The export as one file, and split into four files by country and year."""
    folder = tmp_path_factory.mktemp("partitions")
    parts = {}
    for seed, (country, year) in enumerate([("Mali", 2021), ("Mali", 2022), ("Niger", 2021),
                                            ("Niger", 2022)]):
        frame = _partition(country, year, seed)
        path = folder / f"{country.lower()}_{year}.csv"
        frame.to_csv(path, index=False)
        parts[(country, year)] = (path, frame)
    # one export holds the years and countries interleaved, as ACLED's does; each
    # partition's rows keep their order (of two rows with one identifier and other
    # figures, the first is counted: file order decides it, in one run as in partitions)
    frames = [frame for _, frame in parts.values()]
    slots = np.random.default_rng(1).permutation(sum(len(f) for f in frames))
    at = np.cumsum([0] + [len(f) for f in frames])
    everything = pd.concat([f.set_axis(np.sort(slots[a:b])) for f, a, b in
                            zip(frames, at[:-1], at[1:])]).sort_index().reset_index(drop=True)
    whole = folder / "sahel_2021_2022.csv"
    everything.to_csv(whole, index=False)
    return whole, {key: path for key, (path, _) in parts.items()}


@pytest.fixture(scope="module")
def single(files):
    whole, _ = files
    return aggregate_partition(whole, today="2024-01-01", **GRID)


def _sorted(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return table.sort_values(["unit_pcode", "period"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("scheduler", ["synchronous", "processes", "threads"])
def test_partitions_by_country_and_year_give_the_table_of_one_run(files, single, scheduler):
    _, parts = files
    by_country = [[parts[("Mali", 2021)], parts[("Mali", 2022)]],  # a partition of two files
                  parts[("Niger", 2021)], parts[("Niger", 2022)]]
    combined = aggregate_partitions(by_country, today="2024-01-01", scheduler=scheduler,
                                    num_workers=2, **GRID)
    pd.testing.assert_frame_equal(combined, _sorted(single.table))
    # every row accepted or rejected, in the partitions as in the single run
    counts = single.counts
    assert combined.attrs["counts"]["read"] == counts["read"] == 4 * 48
    for key in ("accepted", "rejected", "merged"):
        assert combined.attrs["counts"][key] == counts[key], key
    assert combined.attrs["counts"]["rejected_by_field"] == counts["rejected_by_field"]
    assert combined["events"].sum() == counts["accepted"]
    # the file holds what it is meant to: merged pairs and reports, rejected rows
    assert {"event_id", "duplicate", "date", "place", "fatalities"} <= set(
        counts["rejected_by_field"])
    assert counts["merged"] >= 4 * 3


def test_a_file_in_two_partitions_is_refused_before_any_work(files):
    _, parts = files
    mali = parts[("Mali", 2022)]
    with pytest.raises(AggregateError, match=r"mali_2022.csv is in partitions 1 and 2: its "
                                             r"rows would be counted twice"):
        aggregate_partitions([[mali, parts[("Niger", 2022)]], mali], scheduler="synchronous",
                             **GRID)


def test_partitions_sharing_an_event_or_a_report_are_refused(files, tmp_path):
    _, parts = files
    mali = pd.read_csv(parts[("Mali", 2022)], keep_default_na=False)
    # re-sent rows: an update of last year's file carries some of its events again
    resent = tmp_path / "mali_2022_update.csv"
    mali.iloc[[4, 5]].to_csv(resent, index=False)
    with pytest.raises(AggregateError, match=r"2 event identifier\(s\) appear both in .*"
                                             r"mali_2022.csv and in .*mali_2022_update.csv"):
        aggregate_partitions([parts[("Mali", 2022)], resent], scheduler="synchronous", **GRID)
    # the same report under a new identifier (another source's copy), in another partition
    copied = tmp_path / "mali_2022_radio.csv"
    mali.iloc[[9]].assign(event_id_cnty="MLI2022999", source="Radio").to_csv(copied,
                                                                               index=False)
    with pytest.raises(AggregateError, match=r"1 duplicate report\(s\) appear both"):
        aggregate_partitions([parts[("Mali", 2022)], copied], scheduler="synchronous", **GRID)


def test_a_grid_without_dates_and_an_unknown_scheduler_are_refused(files):
    _, parts = files
    two = [parts[("Mali", 2021)], parts[("Niger", 2021)]]
    with pytest.raises(OptionError, match="scheduler must be 'processes', 'threads'"):
        aggregate_partitions(two, scheduler=42, **GRID)
    with pytest.raises(OptionError, match="not 'process'"):
        aggregate_partitions(two, scheduler="process", **GRID)
    with pytest.raises(OptionError, match="needs start= and end="):
        aggregate_partitions(two, start=None, end="2022-12-31")
    with pytest.raises(OptionError, match="a list of partitions"):
        aggregate_partitions(parts[("Mali", 2021)], **GRID)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_points_of_a_dask_geopandas_frame_are_placed_per_partition(scheduler):
    rng = np.random.default_rng(3)
    lon = np.r_[rng.uniform(-6, 16, 300), [np.nan]]
    lat = np.r_[rng.uniform(10, 22, 300), [np.nan]]
    frame = gpd.GeoDataFrame({"id": np.arange(301)}, geometry=gpd.points_from_xy(lon, lat),
                             crs=4326, index=pd.RangeIndex(1000, 1301))
    frame.loc[1300, "geometry"] = None  # a missing point stays, unmatched, in its row
    points = dask_geopandas.from_geopandas(frame, npartitions=3)
    got = geocode_partitions(points).compute(scheduler=scheduler)
    expected = geocode_frame(pd.DataFrame({"lon": lon, "lat": lat}, index=frame.index))
    pd.testing.assert_frame_equal(got, expected)
    assert got["status"].eq("matched").sum() > 50 and got.loc[1300, "status"] == "unmatched"
    with pytest.raises(OptionError, match=r"not longitude/latitude \(EPSG:4326\): use "
                                          r"`to_crs\(4326\)`"):
        geocode_partitions(points.to_crs(3857))
