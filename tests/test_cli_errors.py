"""The command line under bad input: one line, the right exit code, never a traceback.

Each case writes its own bad input in ``tmp_path`` and gives the text the message must name
(the file or the option), so a user knows what to fix.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from sahelmap import DataWarning, read_events
from sahelmap.cli import main

GOOD_EVENTS = ("event_date,event_type,location,fatalities,source\n"
               "2022-09-12,Attack,Gao,11,Report A\n")


def events(folder: Path, text: str = GOOD_EVENTS, name: str = "events.csv",
           encoding: str = "utf-8") -> str:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def english_only_boundaries(folder: Path) -> str:
    """A COD-AB-style layer that names its units in English only (``ADM1_EN``)."""
    frame = gpd.GeoDataFrame({"ADM0_PCODE": ["ML"], "ADM0_EN": ["Mali"],
                              "ADM1_PCODE": ["ML07"], "ADM1_EN": ["Gao"]},
                             geometry=[box(-1, 15, 2, 18)], crs=4326)
    path = folder / "mli_admbnda_adm1_en.geojson"
    frame.to_file(path)
    return str(path)


def nameless_boundaries(folder: Path) -> str:
    """ML09 without a name: Bamako (COD 2021) or Taoudénit (HDX v03)? It cannot be told."""
    frame = gpd.GeoDataFrame({"ADM0_PCODE": ["ML", "ML"], "ADM1_PCODE": ["ML07", "ML09"]},
                             geometry=[box(-1, 15, 2, 18), box(-8.1, 12.5, -7.9, 12.7)],
                             crs=4326)
    path = folder / "cod_nameless.geojson"
    frame.to_file(path)
    return str(path)


def polygon_events(folder: Path) -> str:
    frame = gpd.GeoDataFrame({"event_date": ["2022-09-12"], "event_type": ["Battles"],
                              "fatalities": [3]}, geometry=[box(0, 16, 0.1, 16.1)], crs=4326)
    path = folder / "events.geojson"
    frame.to_file(path)
    return str(path)


def weekly(folder: Path, *extra: str, week: str = "2022-W37",
           out: str | None = None) -> list[str]:
    return ["weekly", *extra, "--week", week, "--out", out or str(folder / "out"), "-q"]


def _a_file(folder: Path) -> str:
    path = folder / "plain-file"
    path.write_text("x")
    return str(path)


# (id, function tmp_path -> argv, text the message must contain)
CASES = [
    ("missing-events", lambda d: weekly(d, "--events", str(d / "nope.csv")), "nope.csv"),
    ("missing-displacement", lambda d: weekly(d, "--displacement", str(d / "dtm.xlsx")),
     "dtm.xlsx"),
    ("empty-file", lambda d: weekly(d, "--events", events(d, "")), "events.csv"),
    ("header-only", lambda d: weekly(d, "--events", events(d, "event_date,location\n")),
     "events.csv"),
    ("wrong-columns", lambda d: weekly(d, "--events", events(d, "foo,bar\n1,2\n")),
     "events.csv"),
    ("no-event-type", lambda d: weekly(d, "--events", events(
        d, "event_date,location\n2022-09-12,Gao\n")), "event type"),
    ("binary-garbage", lambda d: weekly(d, "--events", events(
        d, "\x00\x01\x02\xff\xfe" * 50, encoding="latin-1")), "events.csv"),
    ("not-an-xlsx", lambda d: weekly(d, "--events", events(d, GOOD_EVENTS, "events.xlsx")),
     "events.xlsx"),
    ("broken-geojson", lambda d: weekly(d, "--events", events(d, "{not json", "ev.geojson")),
     "ev.geojson"),
    ("unknown-extension", lambda d: weekly(d, "--events", events(d, "%PDF-1.4", "ev.pdf")),
     "ev.pdf"),
    ("events-is-a-folder", lambda d: weekly(d, "--events", str(d)), "--events"),
    ("week-out-of-range", lambda d: weekly(d, "--events", events(d), week="2022-W60"),
     "2022-W60"),
    ("week-not-a-week", lambda d: weekly(d, "--events", events(d), week="last week"),
     "last week"),
    ("week-zero", lambda d: weekly(d, "--events", events(d), week="2022-W00"), "2022-W00"),
    ("no-inputs", lambda d: weekly(d), "--events"),
    ("bad-value", lambda d: weekly(d, "--events", events(d), "--value", "deaths"), "--value"),
    ("bad-scheme", lambda d: weekly(d, "--events", events(d), "--scheme", "kmeans"),
     "--scheme"),
    ("too-many-classes", lambda d: weekly(d, "--events", events(d), "--classes", "20"),
     "--classes"),
    ("bad-level", lambda d: weekly(d, "--events", events(d), "--level", "adm7"), "--level"),
    ("missing-gazetteer", lambda d: weekly(d, "--events", events(d), "--gazetteer",
                                           str(d / "camps.csv")), "camps.csv"),
    ("gazetteer-without-coordinates", lambda d: weekly(d, "--events", events(d), "--gazetteer",
                                                       events(d, "name\nKadji\n", "camps.csv")),
     "camps.csv"),
    ("empty-gazetteer", lambda d: weekly(d, "--events", events(d), "--gazetteer",
                                         events(d, "", "camps.csv")), "camps.csv"),
    ("missing-boundaries", lambda d: weekly(d, "--events", events(d), "--boundaries",
                                            str(d / "cod.shp")), "cod.shp"),
    ("boundaries-ambiguous-pcodes", lambda d: weekly(d, "--events", events(d),
                                                     "--boundaries", nameless_boundaries(d)),
     "pcode_version"),
    ("boundaries-not-spatial", lambda d: weekly(d, "--events", events(d), "--boundaries",
                                                events(d, "a,b\n1,2\n", "bounds.csv")),
     "bounds.csv"),
    ("boundaries-empty-geojson", lambda d: weekly(d, "--events", events(d), "--boundaries",
                                                  events(d, json.dumps(
                                                      {"type": "FeatureCollection",
                                                       "features": []}), "b.geojson")),
     "b.geojson"),
    ("bad-structure", lambda d: weekly(d, "--events", events(d), "--structure", "2019"),
     "--structure"),
    ("out-under-a-file", lambda d: weekly(d, "--events", events(d),
                                          out=str(Path(_a_file(d)) / "out")), "plain-file"),
    ("map-html-is-a-folder", lambda d: weekly(d, "--events", events(d), out=_map_folder(d)),
     "map.html"),
    ("out-in-proc", lambda d: weekly(d, "--events", events(d), out="/proc/sahelmap-out"),
     "/proc/sahelmap-out"),
    ("events-geojson-without-features", lambda d: weekly(d, "--events", events(
        d, json.dumps({"type": "FeatureCollection", "features": []}), "ev.geojson")),
     "ev.geojson"),
    ("zip-not-boundaries", lambda d: weekly(d, "--events", events(d), "--boundaries",
                                            _zip(d)), "b.zip"),
    ("geocode-missing-table", lambda d: ["geocode", str(d / "nope.csv"), "--out",
                                         str(d / "o.csv")], "nope.csv"),
    ("geocode-no-name-column", lambda d: ["geocode", events(d, "a,b\n1,2\n", "t.csv"),
                                          "--out", str(d / "o.csv")], "--name-column"),
    ("geocode-empty-table", lambda d: ["geocode", events(d, "", "t.csv"), "--out",
                                       str(d / "o.csv")], "t.csv"),
    ("geocode-out-under-a-file", lambda d: ["geocode", events(d), "--name-column",
                                            "location", "--out",
                                            str(Path(_a_file(d)) / "o.csv")], "plain-file"),
    ("aggregate-bad-period", lambda d: ["aggregate", "--events", events(d), "--period",
                                        "fortnight", "--out", str(d / "o.csv")], "fortnight"),
    ("aggregate-bad-format", lambda d: ["aggregate", "--events", events(d), "--out",
                                        str(d / "o.txt")], "o.txt"),
    ("aggregate-bad-start", lambda d: ["aggregate", "--events", events(d), "--start",
                                       "yesterday", "--out", str(d / "o.csv")], "yesterday"),
    ("boundaries-unknown-name", lambda d: ["boundaries", "download", "gadm-mli"], "gadm-mli"),
    ("boundaries-download-nothing", lambda d: ["boundaries", "download"], "--url"),
]


def _map_folder(folder: Path) -> str:
    (folder / "out" / "map.html").mkdir(parents=True)
    return str(folder / "out")


def _zip(folder: Path) -> str:
    path = folder / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "no layers here")
    return str(path)


@pytest.mark.parametrize(("argv", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_one_line_and_an_exit_code(tmp_path, argv, names):
    result = CliRunner().invoke(main, argv(tmp_path), catch_exceptions=True)
    assert isinstance(result.exception, SystemExit) or result.exception is None, (
        f"{type(result.exception).__name__}: {result.exception}")
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    message = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(message) == 1, result.stderr
    assert names in message[0], message[0]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_inputs_that_once_gave_tracebacks_are_read(tmp_path):
    """English-only COD-AB names and polygon events are read, the latter with a warning."""
    result = CliRunner().invoke(main, weekly(tmp_path, "--events", events(tmp_path),
                                             "--boundaries", english_only_boundaries(tmp_path),
                                             "--no-png"))
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(tmp_path / "out" / "regions.csv")
    assert regions.set_index("unit_pcode").loc["ML07", ["adm1_name", "fatalities"]].tolist() \
        == ["Gao", 11]
    with pytest.warns(DataWarning, match="1 features are not points"):
        loaded = read_events(polygon_events(tmp_path))
    assert loaded.accepted["adm1_pcode"].tolist() == ["ML07"]
