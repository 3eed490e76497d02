"""ACLED files in every published layout, counted once per event.

Every fixture is written here from ACLED's published column lists with invented events (no
ACLED data is copied: its terms forbid it). The places are real Mali and Niger towns that the
bundled gazetteer knows, with coordinates inside their region; actors, dates, fatalities and
notes are made up.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from sahelmap.errors import InputFileError
from sahelmap.loaders import LoadResult, read_events
from sahelmap.loaders.acled import pre2019_table
from sahelmap.vocab import EVENT_TYPES, fold

TODAY = "2024-01-01"

# place: (country, admin1, admin2, admin3, lat, lon, adm1 P-code)
PLACES = {
    "Gao": ("Mali", "Gao", "Gao", "Gao", 16.2717, -0.0447, "ML07"),
    "Ménaka": ("Mali", "Ménaka", "Ménaka", "Ménaka", 15.9182, 2.4022, "ML10"),
    "Ansongo": ("Mali", "Gao", "Ansongo", "Ansongo", 15.6597, 0.5022, "ML07"),
    "Tillabéri": ("Niger", "Tillabéri", "Tillabéri", "Tillabéri", 14.2117, 1.4531, "NE006"),
    "Ayorou": ("Niger", "Tillabéri", "Tillabéri", "Ayorou", 14.7308, 0.9174, "NE006"),
    "Mopti": ("Mali", "Mopti", "Mopti", "Mopti", 14.4843, -4.1830, "ML05"),
    "Tombouctou": ("Mali", "Tombouctou", "Tombouctou", "Tombouctou", 16.7735, -3.0074,
                   "ML06"),
}
ISO = {"Mali": ("466", "MLI"), "Niger": ("562", "NER")}
INTER = {1: "State forces", 2: "Rebel group", 3: "Political militia", 4: "Identity militia",
         5: "Rioters", 6: "Protesters", 7: "Civilians", 8: "External/Other forces"}

# Invented events: id, day, 2019 type, 2019 sub-type, pre-2019 type, actor1, inter1,
# actor2, inter2, place, fatalities, notes.
EVENTS = [
    ("MLI9001", "2022-09-06", "Battles", "Armed clash", "Battle-No change of territory",
     "Islamic State (Sahel)", 2, "JNIM", 2, "Ménaka", 7,
     "Clashes east of the town, several killed on both sides."),
    ("MLI9002", "2022-09-07", "Violence against civilians", "Attack",
     "Violence against civilians", "Islamic State (Sahel)", 2, "Civilians (Mali)", 7,
     "Gao", 11, "Raid on a displaced camp, outside Gao; 11 killed."),
    ("MLI9003", "2022-09-08", "Explosions/Remote violence", "Remote explosive/landmine/IED",
     "Remote violence", "Unidentified armed group (Mali)", 3, "Military forces of Mali", 1,
     "Ansongo", 2, "A vehicle hit an IED on the road, 2 soldiers killed."),
    ("MLI9004", "2022-09-09", "Riots", "Violent demonstration", "Riots/Protests",
     "Rioters (Mali)", 5, "Police forces of Mali", 1, "Mopti", 0,
     "Youths burnt tyres and threw stones at police."),
    ("MLI9005", "2022-09-10", "Protests", "Peaceful protest", "Riots/Protests",
     "Protesters (Mali)", 6, "", 0, "Tombouctou", 0,
     "Traders marched against insecurity on the roads."),
    ("MLI9006", "2022-09-11", "Strategic developments", "Other", "Strategic development",
     "JNIM", 2, "", 0, "Gao", 0, "Leaflets distributed in the market."),
    ("MLI9007", "2022-09-12", "Battles", "Non-state actor overtakes territory",
     "Battle-Non-state actor overtakes territory", "Islamic State (Sahel)", 2,
     "Military forces of Mali", 1, "Ménaka", 4, "Positions taken after fighting."),
    ("MLI9008", "2022-09-13", "Battles", "Government regains territory",
     "Battle-Government regains territory", "Military forces of Mali", 1,
     "Islamic State (Sahel)", 2, "Ansongo", 3, "The army retook the area."),
    ("NER9001", "2022-09-14", "Strategic developments", "Headquarters or base established",
     "Headquarters or base established", "Islamic State (Sahel)", 2, "", 0, "Ayorou", 0,
     "A base set up in a hamlet near the river."),
    ("NER9002", "2022-09-15", "Strategic developments", "Non-violent transfer of territory",
     "Non-violent transfer of territory", "Military forces of Niger", 1, "", 0,
     "Tillabéri", 0, "The army left a post without fighting."),
    ("NER9003", "2022-09-16", "Violence against civilians", "Abduction/forced disappearance",
     "Violence against civilians", "Islamic State (Sahel)", 2, "Civilians (Niger)", 7,
     "Ayorou", 0, "Two herders abducted."),
    ("NER9004", "2022-09-17", "Battles", "Armed clash", "Battle-No change of territory",
     "Military forces of Niger", 1, "Islamic State (Sahel)", 2, "Tillabéri", 9,
     "Ambush on a patrol; 9 killed, according to the ministry."),
    ("MLI9009", "2022-09-18", "Violence against civilians", "Attack",
     "Violence against civilians", "JNIM", 2, "Civilians (Mali)", 7, "Mopti", 5,
     "Attack on a village fair, 5 killed."),
    ("MLI9010", "2022-09-19", "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Remote violence", "JNIM", 2, "Military forces of Mali", 1, "Tombouctou", 1,
     "Mortar rounds fell near the airport."),
]
# Second actor pairs that ACLED's dyadic export writes as extra rows of the same event.
DYADS = {
    "MLI9001": ("Islamic State (Sahel)", 2, "Civilians (Mali)", 7),
    "MLI9002": ("Islamic State (Sahel)", 2, "Refugees/IDPs (Mali)", 7),
    "MLI9003": ("Unidentified armed group (Mali)", 3, "Military forces of Mali", 1),
    "MLI9007": ("Islamic State (Sahel)", 2, "Dozo Militia", 4),
    "NER9001": ("Islamic State (Sahel)", 2, "", 0),
    "NER9004": ("Military forces of Niger", 1, "JNIM", 2),
    "MLI9010": ("JNIM", 2, "Civilians (Mali)", 7),
}

CURRENT_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
    "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "tags", "timestamp"]
ALL_AFRICA_COLUMNS = [
    "EVENT_ID_CNTY", "EVENT_DATE", "YEAR", "EVENT_TYPE", "ACTOR1", "ALLY_ACTOR_1", "INTER1",
    "ACTOR2", "ALLY_ACTOR_2", "INTER2", "INTERACTION", "COUNTRY", "ADMIN1", "ADMIN2",
    "ADMIN3", "LOCATION", "LATITUDE", "LONGITUDE", "GEO_PRECISION", "SOURCE", "NOTES",
    "FATALITIES"]
HDX_TAGS = {
    "event_id_cnty": "#event+code", "event_date": "#date+occurred", "year": "#date+year",
    "event_type": "#event+type", "sub_event_type": "#event+type+sub",
    "actor1": "#group+name+first", "assoc_actor_1": "#group+name+first+assoc",
    "actor2": "#group+name+second", "assoc_actor_2": "#group+name+second+assoc",
    "region": "#region+name", "country": "#country+name", "admin1": "#adm1+name",
    "admin2": "#adm2+name", "admin3": "#adm3+name", "location": "#loc+name",
    "latitude": "#geo+lat", "longitude": "#geo+lon", "source": "#meta+source",
    "source_scale": "#meta+source+scale", "notes": "#description",
    "fatalities": "#affected+killed", "iso3": "#country+code", "timestamp": "#date+timestamp"}
HDX_COLUMNS = ["event_id_cnty", "event_date", "year", "event_type", "sub_event_type",
               "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "region", "country",
               "admin1", "admin2", "admin3", "location", "latitude", "longitude", "source",
               "source_scale", "notes", "fatalities", "iso3", "timestamp"]


def current_row(event, *, dyad=None) -> dict[str, str]:
    (eid, day, etype, sub, _, a1, i1, a2, i2, place, killed, notes) = event
    if dyad:
        a1, i1, a2, i2 = dyad
    country, adm1, adm2, adm3, lat, lon, _ = PLACES[place]
    when = pd.Timestamp(day)
    disorder = ("Demonstrations" if etype in ("Riots", "Protests") else
                "Strategic developments" if etype == "Strategic developments"
                else "Political violence")
    return {
        "event_id_cnty": eid, "event_date": when.strftime("%Y-%m-%d"),
        "year": str(when.year), "time_precision": "1", "disorder_type": disorder,
        "event_type": etype, "sub_event_type": sub, "actor1": a1, "assoc_actor_1": "",
        "inter1": INTER[i1], "actor2": a2, "assoc_actor_2": "",
        "inter2": INTER.get(i2, ""), "interaction": f"{INTER[i1]}-{INTER.get(i2, 'only')}",
        "civilian_targeting": "Civilian targeting" if "Civilians" in a2 else "",
        "iso": ISO[country][0], "region": "Western Africa", "country": country,
        "admin1": adm1, "admin2": adm2, "admin3": adm3, "location": place,
        "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}", "geo_precision": "1",
        "source": "Studio Tamani; Local source", "source_scale": "National-Local",
        "notes": notes, "fatalities": str(killed), "tags": "", "timestamp": "1663632000"}


def old_row(event) -> dict[str, str]:
    (eid, day, _, _, old_type, a1, i1, a2, i2, place, killed, notes) = event
    country, adm1, adm2, adm3, lat, lon, _ = PLACES[place]
    when = pd.Timestamp(day)
    return {
        "EVENT_ID_CNTY": eid, "EVENT_DATE": when.strftime("%d/%m/%Y"),
        "YEAR": str(when.year), "EVENT_TYPE": old_type, "ACTOR1": a1, "ALLY_ACTOR_1": "",
        "INTER1": str(i1), "ACTOR2": a2, "ALLY_ACTOR_2": "", "INTER2": str(i2),
        "INTERACTION": f"{i1}{i2}", "COUNTRY": country, "ADMIN1": adm1, "ADMIN2": adm2,
        "ADMIN3": "" if place == "Ansongo" else adm3,  # old files leave ADMIN3 out at times
        "LOCATION": place + ("  " if place == "Mopti" else ""),  # trailing spaces, as found
        "LATITUDE": f"{lat:.5f}", "LONGITUDE": f"{lon:.5f}", "GEO_PRECISION": "1",
        "SOURCE": "AFP", "NOTES": notes, "FATALITIES": str(killed)}


def write_csv(path, columns, rows, *, encoding="utf-8", hxl=None, newline="\n"):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(columns)
    if hxl is not None:
        writer.writerow([hxl.get(c, "") for c in columns])
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def current_export(tmp_path, name="current.csv"):
    rows = [current_row(e) for e in EVENTS]
    # a multi-line quoted note, as exports have
    rows[1]["notes"] = "Raid on a displaced camp, outside Gao;\n11 killed."
    return write_csv(tmp_path / name, CURRENT_COLUMNS, rows)


def dyadic_export(tmp_path, name="dyadic.csv"):
    rows = []
    for number, event in enumerate(EVENTS):
        rows.append(current_row(event))
        if event[0] in DYADS:
            rows.append(current_row(event, dyad=DYADS[event[0]]))
        if number == 5:  # an exact repeat too (same actors): still one event
            rows.append(current_row(event))
    return write_csv(tmp_path / name, CURRENT_COLUMNS, rows)


def all_africa(tmp_path, name="ACLED_All_Africa_1997-2018.csv"):
    rows = [old_row(e) for e in EVENTS]
    return write_csv(tmp_path / name, ALL_AFRICA_COLUMNS, rows, encoding="cp1252",
                     newline="\r\n")


def hdx_file(tmp_path, name="conflict_data_mli.csv"):
    rows = []
    for event in EVENTS:
        row = current_row(event)
        row["iso3"] = ISO[row["country"]][1]
        rows.append(row)
    return write_csv(tmp_path / name, HDX_COLUMNS, rows, hxl=HDX_TAGS)


def api_json(tmp_path, name="acled_api.json"):
    data = [current_row(e) for e in EVENTS]
    path = tmp_path / name
    path.write_text(json.dumps({"status": 200, "success": True, "last_update": 12,
                                "count": len(data), "messages": [], "data": data,
                                "filename": "2022-09-20"}), encoding="utf-8")
    return path


def load(path, **kw) -> LoadResult:
    kw.setdefault("today", TODAY)
    result = read_events(path, **kw)
    result.check()
    assert result.n_accepted + len(result.rejected) == result.n_input
    return result


def plain_count(frame: pd.DataFrame, id_column: str, fatalities: str) -> tuple[int, int]:
    """Events and fatalities over distinct event ids, with pandas only."""
    events = frame.drop_duplicates(id_column)
    return len(events), int(pd.to_numeric(events[fatalities]).sum())


def written(path, kind) -> pd.DataFrame:
    """The rows of a fixture as pandas reads them, independently of sahelmap."""
    if kind == "json":
        return pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["data"])
    if kind == "hdx":
        return pd.read_csv(path, dtype=str, skiprows=[1])
    if kind == "cp1252":
        return pd.read_csv(path, dtype=str, encoding="cp1252")
    return pd.read_csv(path, dtype=str)


def keyset(result: LoadResult) -> set[tuple]:
    acc = result.accepted
    return set(zip(acc["event_date"].dt.strftime("%Y-%m-%d"), acc["event_type"],
                   acc["place"].map(fold), acc["adm1_pcode"], acc["fatalities"]))


# --- every layout -------------------------------------------------------------------------

LAYOUTS = {
    "current": (current_export, "csv", "event_id_cnty", "fatalities"),
    "dyadic": (dyadic_export, "csv", "event_id_cnty", "fatalities"),
    "all_africa": (all_africa, "cp1252", "EVENT_ID_CNTY", "FATALITIES"),
    "hdx": (hdx_file, "hdx", "event_id_cnty", "fatalities"),
    "api_json": (api_json, "json", "event_id_cnty", "fatalities"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_counts_each_event_once(tmp_path, layout):
    make, kind, id_column, killed = LAYOUTS[layout]
    path = make(tmp_path)
    result = load(path)
    rows = written(path, kind)
    assert result.n_input == len(rows)
    n_events, n_killed = plain_count(rows, id_column, killed)
    assert len(result.accepted) == n_events == len(EVENTS)
    assert int(result.accepted["fatalities"].sum()) == n_killed
    assert result.accepted["event_id"].is_unique
    assert sorted(result.accepted["event_id"]) == sorted(e[0] for e in EVENTS)
    # every rejected row is a repeat of an accepted event, nothing else
    assert set(result.rejected["field"]) <= {"event_id"}
    assert set(result.rejected["value"]) <= set(result.accepted["event_id"])


@pytest.mark.parametrize("layout", sorted(set(LAYOUTS) - {"current"}))
def test_old_and_new_layouts_give_the_same_events(tmp_path, layout):
    reference = keyset(load(current_export(tmp_path)))
    assert len(reference) == len(EVENTS)
    assert {k[1] for k in reference} == set(EVENT_TYPES)
    other = keyset(load(LAYOUTS[layout][0](tmp_path)))
    assert other == reference


def test_all_africa_file_is_read_as_published(tmp_path):
    path = all_africa(tmp_path)
    assert "Ménaka".encode("cp1252") in path.read_bytes()
    result = load(path)
    acc = result.accepted.set_index("event_id")
    assert acc.loc["MLI9001", "event_date"] == pd.Timestamp("2022-09-06")  # 06/09/2022
    assert acc.loc["MLI9001", "place"] == "Ménaka"
    assert acc.loc["MLI9001", "adm1_pcode"] == "ML10"
    assert acc.loc["MLI9004", "place"] == "Mopti"  # trailing spaces stripped
    # pre-2019 types: 2019 type, and the sub-type the table gives where it can
    assert acc.loc["MLI9001", ["event_type", "sub_event_type"]].tolist() == [
        "Battles", "Armed clash"]
    assert acc.loc["MLI9004", ["event_type", "sub_event_type"]].tolist() == [
        "Riots", "Violent demonstration"]
    assert acc.loc["MLI9005", ["event_type", "sub_event_type"]].tolist() == [
        "Protests", "Peaceful protest"]
    assert acc.loc["NER9001", ["event_type", "sub_event_type"]].tolist() == [
        "Strategic developments", "Headquarters or base established"]
    assert acc.loc["MLI9003", "event_type"] == "Explosions/Remote violence"
    assert pd.isna(acc.loc["MLI9003", "sub_event_type"])  # not derivable: left empty
    assert pd.isna(acc.loc["MLI9002", "sub_event_type"])


def test_riots_protests_without_inter1_split_by_fatalities(tmp_path):
    rows = [old_row(EVENTS[3]), old_row(EVENTS[4])]
    rows[0]["FATALITIES"] = "2"  # a riot with deaths
    columns = [c for c in ALL_AFRICA_COLUMNS if c != "INTER1"]
    path = write_csv(tmp_path / "old.csv", columns, rows, encoding="cp1252")
    acc = load(path).accepted
    assert acc["event_type"].tolist() == ["Riots", "Protests"]
    assert acc["sub_event_type"].isna().all()


def test_pre2019_table_is_complete_and_sourced():
    table = pre2019_table()
    assert list(table.columns) == ["published_type", "event_type", "sub_event_type", "note"]
    assert set(table["event_type"]) <= set(EVENT_TYPES)
    assert set(table["published_type"]) == {
        "Battle-No change of territory", "Battle-Non-state actor overtakes territory",
        "Battle-Government regains territory", "Remote violence", "Riots/Protests",
        "Strategic development", "Headquarters or base established",
        "Non-violent transfer of territory", "Violence against civilians"}
    assert table["note"].notna().all()
    from sahelmap.datasets import bundled

    readme = bundled("acled", "README.md").read_text(encoding="utf-8")
    assert "codebook" in readme and "2017" in readme and "2019" in readme
    assert "Written by the sahelmap project" in readme


# --- dyadic exports and repeated identifiers -----------------------------------------------


def test_dyadic_rows_are_merged_and_keep_every_actor(tmp_path):
    path = dyadic_export(tmp_path)
    result = load(path)
    acc = result.accepted.set_index("event_id")
    assert acc.loc["MLI9002", "actor2"] == "Civilians (Mali); Refugees/IDPs (Mali)"
    assert acc.loc["MLI9002", "actor1"] == "Islamic State (Sahel)"
    assert acc.loc["MLI9007", "actor2"] == "Military forces of Mali; Dozo Militia"
    assert acc.loc["NER9001", "actor2"] != acc.loc["NER9001", "actor2"]  # NA: none given
    assert acc.loc["MLI9006", "actor1"] == "JNIM"  # exact repeat: nothing to add
    rej = result.rejected
    assert len(rej) == len(DYADS) + 1
    assert set(rej["field"]) == {"event_id"}
    assert set(rej["column"]) == {"event_id_cnty"}
    kept = dict(zip(acc.index, acc["source_row"]))
    for row in rej.itertuples():
        assert row.reason == f"same event as row {kept[row.value]} (dyadic export; merged)"
    # the merged rows are not cross-source duplicates of anything
    assert not result.accepted["is_duplicate"].any()


def test_dyadic_rows_merge_whatever_merge_duplicates_says(tmp_path):
    path = dyadic_export(tmp_path)
    for merge in (False, True):
        result = load(path, merge_duplicates=merge)
        assert len(result.accepted) == len(EVENTS)
        assert (result.rejected["field"] == "event_id").all()


def test_repeated_id_with_other_figures_counts_once_and_is_reported(tmp_path):
    first = current_row(EVENTS[1])
    again = current_row(EVENTS[1], dyad=DYADS["MLI9002"])
    again["fatalities"] = "15"  # a later report: not the same figures
    moved = current_row(EVENTS[0])
    moved_again = dict(moved, event_date="2022-09-07", location="Ansongo",
                       latitude="15.6597", longitude="0.5022")
    path = write_csv(tmp_path / "conflict.csv", CURRENT_COLUMNS,
                     [first, again, moved, moved_again])
    result = load(path)
    acc = result.accepted.set_index("event_id")
    assert len(acc) == 2
    assert acc.loc["MLI9002", "fatalities"] == 11  # counted once, not 26
    assert acc.loc["MLI9002", "actor2"] == "Civilians (Mali)"  # a conflict merges nothing
    rej = result.rejected.set_index("source_row")
    assert rej.loc[3, "field"] == "event_id"
    assert rej.loc[3, "reason"] == (
        "event identifier repeats row 2 with different figures (fatalities 15 here, 11 "
        "there); the event is counted once, as row 2 gives it")
    reason = rej.loc[5, "reason"]
    assert "date 2022-09-07 here, 2022-09-06 there" in reason
    assert "place Ansongo here, Ménaka there" in reason
    assert "repeats row 4" in reason


def test_the_kept_row_is_the_first_that_passes_every_check(tmp_path):
    bad = current_row(EVENTS[0])
    bad["event_date"] = "2022-13-45"
    good = current_row(EVENTS[0], dyad=DYADS["MLI9001"])
    path = write_csv(tmp_path / "e.csv", CURRENT_COLUMNS, [bad, good])
    result = load(path)
    assert result.accepted["source_row"].tolist() == [3]
    row = result.rejected.iloc[0]
    assert row["source_row"] == 2
    assert row["field"] == "date; event_id"
    assert "event identifier repeats row 3 with different figures (date 2022-13-45 here, "\
           "2022-09-06 there)" in row["reason"]


def test_same_event_in_two_overlapping_exports_counts_once(tmp_path):
    a = write_csv(tmp_path / "jan-sep.csv", CURRENT_COLUMNS,
                  [current_row(e) for e in EVENTS[:8]])
    b = write_csv(tmp_path / "sep-dec.csv", CURRENT_COLUMNS,
                  [current_row(e) for e in EVENTS[5:]])
    result = load([a, b])
    assert len(result.accepted) == len(EVENTS)
    assert len(result.rejected) == 3
    assert result.rejected["reason"].iloc[0] == (
        f"same event as row 7 of {a} (same event identifier; merged)")


def test_cross_source_duplicates_are_still_flagged(tmp_path):
    """Two reports of one event without a shared id stay a flagged duplicate pair."""
    one = current_row(EVENTS[1])
    two = dict(one, event_id_cnty="", source="OCHA")
    path = write_csv(tmp_path / "e.csv", CURRENT_COLUMNS, [one, two])
    result = load(path)
    assert result.accepted["is_duplicate"].tolist() == [False, True]
    merged = load(path, merge_duplicates=True)
    assert len(merged.accepted) == 1
    assert merged.rejected["field"].tolist() == ["duplicate"]


# --- the ACLED API's JSON -----------------------------------------------------------------


def test_api_json_rows_are_numbered_from_zero(tmp_path):
    result = load(api_json(tmp_path))
    assert result.accepted["source_row"].tolist() == list(range(len(EVENTS)))
    assert result.accepted["fatalities"].dtype == "int64"


def test_api_json_with_numbers_and_missing_keys(tmp_path):
    data = [current_row(e) for e in EVENTS[:3]]
    data[0]["fatalities"] = 7  # a number, not a string
    data[1]["latitude"], data[1]["longitude"] = 16.2717, -0.0447
    del data[2]["notes"]
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"status": 200, "success": True, "count": 3, "data": data}))
    acc = load(path).accepted
    assert acc["fatalities"].tolist() == [7, 11, 2]
    assert acc["lat"].tolist()[1] == 16.2717


@pytest.mark.parametrize(("body", "message"), [
    ({"status": 403, "success": False,
      "error": {"status": 403, "message": "Access key and email address are not authorized."}},
     "status 403.*Access key and email address are not authorized"),
    ({"status": 200, "success": False, "messages": ["Query limit reached"], "data": []},
     "Query limit reached"),
    ({"status": 500, "error": "Internal error"}, "status 500.*Internal error"),
])
def test_api_json_failure_is_an_input_file_error(tmp_path, body, message):
    path = tmp_path / "api.json"
    path.write_text(json.dumps(body))
    with pytest.raises(InputFileError, match=message):
        read_events(path, today=TODAY)


def test_api_json_without_records_is_refused(tmp_path):
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"status": 200, "success": True, "count": 0, "data": []}))
    with pytest.raises(InputFileError, match="holds no records"):
        read_events(path, today=TODAY)


def test_geojson_with_json_suffix_is_still_read(tmp_path):
    path = tmp_path / "points.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [-0.0447, 16.2717]},
        "properties": {"event_date": "2022-09-12", "event_type": "attack",
                       "fatalities": 3}}]}))
    acc = load(path).accepted
    assert acc["adm1_pcode"].tolist() == ["ML07"]


def test_hdx_tags_are_recognised(tmp_path):
    from sahelmap.loaders.columns import recognise_columns

    cm = recognise_columns(HDX_COLUMNS, kind="events",
                           hxl_tags=[HDX_TAGS[c] for c in HDX_COLUMNS])
    assert cm.fields["event_id"] == "event_id_cnty"
    assert cm.fields["date"] == "event_date"  # not year, not timestamp
    assert cm.fields["actor1"] == "actor1"  # not assoc_actor_1
    assert cm.fields["actor2"] == "actor2"
    assert cm.fields["sub_event_type"] == "sub_event_type"
    assert cm.fields["source"] == "source"  # not source_scale
    assert cm.fields["country"] == "country"
    assert {"year", "assoc_actor_1", "source_scale", "timestamp"} <= set(cm.unmapped)
    # the numeric id of HDX files (#event+id) is the id when #event+code is absent
    cm = recognise_columns(["event_id_no_cnty", "event_date"], kind="events",
                           hxl_tags=["#event+id", "#date+occurred"])
    assert cm.fields["event_id"] == "event_id_no_cnty"
