"""learn_gazetteer: places learnt from the user's own event files, and coverage.

Fixtures are invented rows in ACLED's export layout. The village names are real places the
bundled gazetteer does not list; their positions are approximate and only meant to lie in
the right region (the same-name pair "Tamalat" is placed twice on purpose).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sahelmap.errors import InputFileError, OptionError
from sahelmap.gazetteer import Coverage, coverage, learn_gazetteer, load_gazetteer
from sahelmap.geocoding import geocode
from sahelmap.loaders import read_events

TODAY = "2024-01-01"
HEADER = ("event_id_cnty,event_date,event_type,actor1,country,admin1,admin2,admin3,location,"
          "latitude,longitude,fatalities\n")

# name as written, lat, lon, country, admin1, admin2, admin3
PAST = [
    ("Labbézanga", 14.9500, 0.6950, "Mali", "Gao", "Ansongo", "Ouattagouna"),
    ("Labbezanga", 14.9610, 0.7050, "Mali", "Gao", "Ansongo", "Ouattagouna"),
    ("LABBEZANGA", 14.9500, 0.6950, "Mali", "Gao", "Ansongo", "Ouattagouna"),
    ("Labbézanga", 14.9500, 0.6950, "Mali", "Gao", "Ansongo", "Ouattagouna"),
    ("Fafa", 15.3190, 0.7380, "Mali", "Gao", "Ansongo", "Bourra"),
    ("Indelimane", 15.8700, 1.6000, "Mali", "Ménaka", "Ménaka", "Ménaka"),
    ("Tongo Tongo", 14.5500, 1.6300, "Niger", "Tillabéri", "Ouallam", "Tondikiwindi"),
    ("Tongo-Tongo", 14.5600, 1.6200, "Niger", "Tillabéri", "Ouallam", "Tondikiwindi"),
    ("Tamalat", 15.5000, 3.1000, "Mali", "Ménaka", "Ménaka", "Anderamboukane"),
    ("Tamalat", 14.9000, 1.2000, "Niger", "Tillabéri", "Tillabéri", "Ayorou"),
    ("", 15.0, 1.0, "Mali", "Gao", "", ""),              # no name: not learnt
    ("Nowhere", None, None, "Mali", "Gao", "", ""),       # no coordinates: not learnt
]


def write_past(folder, name="past_acled.csv"):
    lines = [HEADER]
    for number, (place, lat, lon, country, adm1, adm2, adm3) in enumerate(PAST):
        lat_text = "" if lat is None else f"{lat}"
        lon_text = "" if lon is None else f"{lon}"
        lines.append(f"MLI{8000 + number},2021-0{1 + number % 9}-15,Battles,JNIM,{country},"
                     f"{adm1},{adm2},{adm3},{place},{lat_text},{lon_text},1\n")
    path = folder / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def write_name_only(folder, name="this_week.csv"):
    path = folder / name
    path.write_text(
        "event_date,event_type,location,country,admin1,fatalities\n"
        "2022-09-12,attack,LABBEZANGA,Mali,,3\n"
        "2022-09-12,attack,Labbézanga,,,1\n"
        "2022-09-13,clash,Fafa,Mali,Gao,2\n"
        "2022-09-14,attack,Indélimane,,,4\n"
        "2022-09-15,attack,tongo-tongo,Niger,,0\n"
        "2022-09-16,attack,Tamalat,,,5\n"
        "2022-09-16,attack,Tamalat,,Tillabéri,2\n"
        "2022-09-17,attack,Gao,,,1\n", encoding="utf-8")
    return path


def test_spellings_merge_and_far_namesakes_stay_apart(tmp_path):
    learned = learn_gazetteer(write_past(tmp_path))
    assert list(learned.columns) == ["name", "lon", "lat", "aliases", "adm1_name",
                                     "adm2_name", "adm3_name", "count"]
    by_name = learned.groupby("name").size()
    assert by_name["Tamalat"] == 2  # 200 km apart: two places, never averaged
    lab = learned[learned["name"] == "Labbézanga"].iloc[0]
    assert lab["count"] == 4
    assert set(lab["aliases"].split("|")) == {"Labbezanga", "LABBEZANGA"}
    assert (lab["lon"], lab["lat"]) == (0.695, 14.95)  # median of the four rows
    assert lab["adm2_name"] == "Ansongo"
    tongo = learned[learned["name"].isin(["Tongo Tongo", "Tongo-Tongo"])]
    assert len(tongo) == 1 and tongo["count"].iloc[0] == 2
    tamalat = learned[learned["name"] == "Tamalat"].sort_values("lon")
    assert tamalat["adm1_name"].tolist() == ["Tillabéri", "Ménaka"]
    assert tamalat["lon"].tolist() == [1.2, 3.1]
    assert "Nowhere" not in set(learned["name"])
    assert learned["count"].sum() == len(PAST) - 2


def test_learnt_places_lie_in_their_region(tmp_path):
    learned = learn_gazetteer(write_past(tmp_path))
    expected = {"Labbézanga": "ML07", "Fafa": "ML07", "Indelimane": "ML10",
                "Tongo Tongo": "NE006"}
    for row in learned[learned["name"].isin(expected)].itertuples():
        assert geocode(lon=row.lon, lat=row.lat).adm1_pcode == expected[row.name]


def test_min_distance_controls_merging(tmp_path):
    learned = learn_gazetteer(write_past(tmp_path), min_distance_km=500)
    assert (learned["name"] == "Tamalat").sum() == 1
    assert learned.loc[learned["name"] == "Tamalat", "count"].iloc[0] == 2
    with pytest.raises(OptionError, match="min_distance_km"):
        learn_gazetteer(write_past(tmp_path), min_distance_km=0)


def test_learned_gazetteer_makes_name_only_rows_match(tmp_path):
    other = write_name_only(tmp_path)
    before = read_events(other, today=TODAY)
    before.check()
    # without it, only Gao is found by name; rows naming their region land there, by hint
    by_name = before.accepted[before.accepted["method"] != "admin-hint"]
    assert by_name["place"].tolist() == ["Gao"]
    learned = learn_gazetteer(write_past(tmp_path))
    after = read_events(other, gazetteer=learned, today=TODAY)
    after.check()
    acc = after.accepted.set_index("source_row")
    assert acc["adm1_pcode"].to_dict() == {2: "ML07", 3: "ML07", 4: "ML07", 5: "ML10",
                                           6: "NE006", 8: "NE006", 9: "ML07"}
    # the two Tamalat are ambiguous without a hint, and said so
    rejected = after.rejected.set_index("source_row")
    assert list(rejected.index) == [7]
    assert rejected.loc[7, "reason"] == ("'Tamalat' is in 2 regions; give a country or "
                                         "admin1 hint, or coordinates")


def test_learned_gazetteer_is_a_valid_user_gazetteer_file(tmp_path):
    learned = learn_gazetteer(write_past(tmp_path))
    path = tmp_path / "learned.csv"
    learned.to_csv(path, index=False)
    gaz = load_gazetteer(path)
    assert "labbezanga" in set(gaz.keys["key"])
    assert (gaz.entries["kind"] == "user").sum() == len(learned)


def test_coverage_reports_known_names(tmp_path):
    learned = learn_gazetteer(write_past(tmp_path))
    names = pd.read_csv(write_name_only(tmp_path))["location"]
    cov = coverage(names, learned)
    assert isinstance(cov, Coverage)
    assert (cov.n_names, cov.n_known, cov.n_rows, cov.n_rows_known) == (6, 5, 8, 7)
    assert cov.missing["name"].tolist() == ["Gao"]  # in the bundled gazetteer, not learnt
    assert str(cov) == "5 of 6 names known, covering 7 of 8 rows (88%)"
    with_bundled = coverage(names, load_gazetteer(learned))
    assert with_bundled.share == 1.0


def test_learning_reads_other_layouts(tmp_path):
    """ACLED API JSON and an HXL-tagged file are read as read_events reads them."""
    data = [{"event_id_cnty": "MLI1", "event_date": "2021-02-01", "event_type": "Battles",
             "location": "Fafa", "latitude": "15.3190", "longitude": "0.7380",
             "fatalities": "0"}]
    api = tmp_path / "api.json"
    api.write_text(json.dumps({"status": 200, "success": True, "count": 1, "data": data}))
    hxl = tmp_path / "hxl.csv"
    hxl.write_text("Date,Lieu,Lat,Lon,Type\n#date,#loc+name,#geo+lat,#geo+lon,#event+type\n"
                   "2021-02-02,Fafa,15.3200,0.7390,attaque\n", encoding="utf-8")
    learned = learn_gazetteer([api, hxl])
    assert learned[["name", "count"]].values.tolist() == [["Fafa", 2]]
    assert np.isclose(learned["lat"].iloc[0], 15.319) or np.isclose(learned["lat"].iloc[0],
                                                                    15.32)


def test_learning_needs_names_and_coordinates(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("event_date,event_type,location\n2021-01-01,Battles,Fafa\n")
    with pytest.raises(InputFileError, match="place name column and coordinates"):
        learn_gazetteer(path)
