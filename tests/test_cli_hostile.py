"""``sahelmap weekly`` over a corpus of hostile inputs: a complete folder, or one line and exit 2.

Each case writes its own input in ``tmp_path``. Either the run succeeds (exit 0) and the
output folder holds one run's complete set of files (checked against the manifest's
SHA-256s), every input row accepted or listed in rejected.csv; or it fails with exit 2 and
one ``Error:`` line naming the file or option to fix. Never a traceback, never an
"internal error".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import LineString, MultiPoint, Point, box

from sahelmap.cli import main

HEADER = "event_date,event_type,location,fatalities,notes\n"
GOOD = "2022-09-12,Attack,Gao,11,raid\n"


def _file(folder: Path, data: str | bytes, name: str = "events.csv") -> str:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def _events(folder: Path, body: str, name: str = "events.csv") -> list[str]:
    return ["--events", _file(folder, HEADER + body, name)]


def _geo(folder: Path, geometries: list, name: str = "events.geojson") -> list[str]:
    frame = gpd.GeoDataFrame({"event_date": ["2022-09-12"] * len(geometries),
                              "event_type": ["Battles"] * len(geometries),
                              "fatalities": list(range(1, len(geometries) + 1))},
                             geometry=geometries, crs=4326)
    frame.to_file(folder / name)
    return ["--events", str(folder / name)]


def _xlsx(folder: Path, fatalities: object) -> list[str]:
    book = openpyxl.Workbook()
    book.active.append(["event_date", "event_type", "location", "fatalities"])
    book.active.append(["2022-09-12", "Attack", "Gao", fatalities])
    book.active.append(["2022-09-13", "Attack", "Ménaka", 2])
    book.save(folder / "events.xlsx")
    return ["--events", str(folder / "events.xlsx")]


def _plain(folder: Path) -> Path:
    path = folder / "plain-file"
    path.write_text("x")
    return path


def _out_with(folder: Path, name: str, folder_entry: bool = False) -> Path:
    out = folder / "out"
    out.mkdir()
    (out / name).mkdir() if folder_entry else (out / name).write_text("mine")
    return out


def _locked(folder: Path) -> Path:
    """An output folder another (live) run is writing into: this test's own process."""
    (folder / ".out.sahelmap-lock").write_text(f"{os.getpid()} {os.uname().nodename}\n")
    return folder / "out"


# (id, inputs(tmp_path) -> extra argv, expected: "ok" or text the one error line names)
CASES = [
    ("nul-bytes", lambda d: _events(d, GOOD + "2022-09-13,Attack,Ga\x00o,1,x\x00\n"), "ok"),
    ("bare-carriage-returns", lambda d: _events(d, GOOD.replace("\n", "\r")
                                                + "2022-09-13,Attack,Ménaka,2,a\rb\r"), "ok"),
    ("quoted-bare-cr", lambda d: _events(d, '2022-09-12,Attack,Gao,1,"one\rtwo"\n'), "ok"),
    ("utf8-bom", lambda d: ["--events", _file(d, "\ufeff" + HEADER + GOOD)], "ok"),
    ("utf16-unicode-text", lambda d: ["--events", _file(d, (HEADER + GOOD).replace(
        ",", "\t").encode("utf-16"), "unicode.txt")], "ok"),
    ("mixed-encodings", lambda d: ["--events", _file(
        d, (HEADER + GOOD + "2022-09-13,Attack,Ménaka,2,x\n").encode()
        + "2022-09-14,Attack,Tillabéri,3,y\n".encode("cp1252"))], "ok"),
    ("windows-1252", lambda d: ["--events", _file(
        d, (HEADER + "2022-09-12,Attack,Ménaka,2,é\n").encode("cp1252"))], "ok"),
    ("sep-hint-and-title", lambda d: ["--events", _file(
        d, "sep=;\nIncidents semaine 37\n" + (HEADER + GOOD).replace(",", ";"))], "ok"),
    ("huge-numbers", lambda d: _events(d, GOOD + "2022-09-12,Attack,Gao,1e300,x\n"
                                       "2022-09-12,Attack,Gao,1000000000000,x\n"
                                       "2022-09-12,Attack,Gao,99999999999999999999999999,x\n"
                                       "2022-09-12,Attack,Gao,inf,x\n"
                                       "2022-09-12,Attack,Gao,NaN,x\n"), "ok"),
    ("ancient-and-future-dates", lambda d: _events(d, GOOD + "1899-09-12,Attack,Gao,3,x\n"
                                                   "0001-01-01,Attack,Gao,3,x\n"
                                                   "2999-09-12,Attack,Gao,3,x\n"
                                                   "31/02/2022,Attack,Gao,3,x\n"), "ok"),
    ("formula-cells", lambda d: _events(d, GOOD + "2022-09-12,Attack,=HYPERLINK(\"x\"),1,"
                                        "=cmd|' /C calc'!A0\n2022-09-12,Attack,Gao,2,@SUM(1)\n"
                                        "2022-09-12,Attack,+Gao,2,-2+3\n"), "ok"),
    ("html-payload", lambda d: _events(d, GOOD + "2022-09-12,Attack,<script>alert(1)</script>"
                                       ",1,<img src=x onerror=alert(1)>\n"), "ok"),
    ("invisible-and-arabic-names", lambda d: _events(d, GOOD + "2022-09-12,Attack,غاو,1,x\n"
                                                     "2022-09-12,Attack,Ga\u200bo,1,x\n"
                                                     "2022-09-12,Attack,\u202eoaG,1,x\n"), "ok"),
    ("xlsx-uncached-formula", lambda d: _xlsx(d, "=2+3"), "ok"),
    ("xlsx-error-value", lambda d: _xlsx(d, "#DIV/0!"), "ok"),
    ("very-long-cell", lambda d: _events(d, GOOD + "2022-09-12,Attack,Gao,1," + "x" * 2_000_000
                                         + "\n"), "ok"),
    ("duplicate-header", lambda d: ["--events", _file(
        d, "event_date,event_type,location,location,fatalities\n"
           "2022-09-12,Attack,Gao,Ménaka,3\n")], "ok"),
    ("polygon-events", lambda d: _geo(d, [box(0, 16, 0.1, 16.1), Point(-0.04, 16.27)]), "ok"),
    ("multipoint-events", lambda d: _geo(d, [MultiPoint([(-0.04, 16.27), (0.1, 16.3)])]), "ok"),
    ("line-events", lambda d: _geo(d, [LineString([(-0.04, 16.27), (0.1, 16.3)])]), "ok"),
    ("null-geometry-events", lambda d: _geo(d, [None, Point(-0.04, 16.27)]), "ok"),
    ("nul-only-file", lambda d: ["--events", _file(d, b"\x00" * 5000)], "events.csv"),
    ("two-thousand-columns", lambda d: ["--events", _file(
        d, ",".join(f"c{i}" for i in range(2_000)) + "\n" + "1," * 1_999 + "1\n")],
     "and 1,960 more"),
    ("gazetteer-utf16", lambda d: _events(d, "2022-09-12,Attack,Kadji,1,x\n") + [
        "--gazetteer", _file(d, "name,lon,lat\nKadji,-0.05,16.25\n".encode("utf-16"),
                             "camps.csv")], "ok"),
    ("title-only-csv", lambda d: ["--events", _file(d, "Weekly report\n\n")], "events.csv"),
    ("sep-hint-only", lambda d: ["--events", _file(d, "sep=;\n")], "events.csv"),
    ("only-ancient-rows", lambda d: _events(d, "1899-09-12,Attack,Gao,3,x\n"), "2022-W37"),
    ("symlink-loop", lambda d: ["--events", _loop(d)], "loop.csv"),
    ("out-under-a-file", lambda d: _events(d, GOOD) + ["--out", str(_plain(d) / "out")],
     "plain-file"),
    ("out-is-a-file", lambda d: _events(d, GOOD) + ["--out", str(_plain(d))], "plain-file"),
    ("map-html-is-a-folder", lambda d: _events(d, GOOD) + [
        "--out", str(_out_with(d, "map.html", folder_entry=True))], "map.html"),
    ("out-holds-other-files", lambda d: _events(d, GOOD) + [
        "--out", str(_out_with(d, "budget.xlsx"))], "budget.xlsx"),
    ("out-locked-by-a-live-run", lambda d: _events(d, GOOD) + ["--out", str(_locked(d))],
     "another sahelmap run"),
    ("out-in-proc", lambda d: _events(d, GOOD) + ["--out", "/proc/self/sahelmap"],
     "/proc/self/sahelmap"),
    ("too-many-points", lambda d: _events(d, GOOD) + ["--max-points", "0"], "--max-points"),
    ("bad-max-count", lambda d: _events(d, GOOD) + ["--max-count", "fatalities"],
     "--max-count"),
    ("empty-gazetteer-geojson", lambda d: _events(d, GOOD) + ["--gazetteer", _file(
        d, json.dumps({"type": "FeatureCollection", "features": []}), "camps.geojson")],
     "camps.geojson"),
    ("gazetteer-is-binary", lambda d: _events(d, GOOD) + ["--gazetteer", _file(
        d, b"\x00\xff\xfe" * 100, "camps.csv")], "camps.csv"),
    ("boundaries-of-points", lambda d: _events(d, GOOD) + ["--boundaries", _point_layer(d)],
     "points.geojson"),
    ("boundaries-empty-csv", lambda d: _events(d, GOOD) + ["--boundaries", _file(
        d, "", "bounds.csv")], "bounds.csv"),
]


def _loop(folder: Path) -> str:
    path = folder / "loop.csv"
    path.symlink_to(path)
    return str(path)


def _point_layer(folder: Path) -> str:
    frame = gpd.GeoDataFrame({"ADM0_PCODE": ["ML"], "ADM1_PCODE": ["ML07"],
                              "ADM1_FR": ["Gao"]}, geometry=[Point(0, 16)], crs=4326)
    frame.to_file(folder / "points.geojson")
    return str(folder / "points.geojson")


def _run(folder: Path, extra: list[str]):
    argv = ["weekly", "--week", "2022-W37", "-q", "--no-png", *extra]
    if "--out" not in extra:
        argv += ["--out", str(folder / "out")]
    return CliRunner().invoke(main, argv, catch_exceptions=True)


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input_gives_a_complete_folder_or_one_line(tmp_path, make, expected,
                                                           complete_set):
    extra = make(tmp_path)
    result = _run(tmp_path, extra)
    assert isinstance(result.exception, SystemExit) or result.exception is None, (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output and "internal error" not in result.output, (
        result.output)
    out = Path(extra[extra.index("--out") + 1]) if "--out" in extra else tmp_path / "out"
    if expected == "ok":
        assert result.exit_code == 0, result.output
        assert "\x00" not in result.output
        assert complete_set(out) == "2022-W37"
        _accounted_for(out)
        return
    assert result.exit_code == 2, result.output
    message = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(message) == 1, result.stderr
    assert expected in message[0], message[0]
    assert message[0].isprintable() and len(message[0]) < 2000, message[0][:200]
    if out.is_dir() and (out / "manifest.json").exists():  # never half-written
        complete_set(out)


def _accounted_for(out: Path) -> None:
    """Every row read is accepted or in rejected.csv; no output cell starts a formula."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]["inputs"]["events"]
    rejected = pd.read_csv(out / "rejected.csv", dtype=str, keep_default_na=False)
    assert counts["read"] == counts["accepted"] + counts["rejected"] == (
        counts["accepted"] + len(rejected))
    for name in ("rejected.csv", "flagged.csv", "regions.csv"):
        table = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        cells = table.to_numpy().ravel().tolist() + list(table.columns)
        assert not [c for c in cells if c[:1] in ("=", "+", "@")], name
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "onerror=alert" not in page


def test_the_hostile_corpus_is_large_enough():
    assert len(CASES) >= 30
