"""Writing aggregates to CSV, GeoJSON and GeoPackage, and reading them back."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sahelmap.aggregate import check_totals, summarize
from sahelmap.errors import SahelmapError
from sahelmap.io import ExportError, export

VALUES = ["events", "fatalities", "arrivals", "idps", "returns", "departures"]


@pytest.fixture(scope="module")
def inputs():
    events = pd.DataFrame({
        "event_date": pd.to_datetime(["2022-09-12", "2022-09-14", "2022-09-21", "2022-09-30"]),
        "adm1_pcode": ["ML07", "ML10", "ML10", "NE006"],
        "adm2_pcode": ["ML0701", None, "ML1001", None],
        "fatalities": [11, 2, 0, 5]})
    figures = pd.DataFrame({
        "date": pd.to_datetime(["2022-09-12", "2022-09-19", "2022-09-26"]),
        "adm1_pcode": ["ML07", "ML10", "NE006"], "adm2_pcode": ["ML0701", None, None],
        "figure_type": ["arrivals", "idps", "departures"], "count": [60000, 4200, 130]})
    return events, figures


@pytest.fixture(scope="module")
def weekly(inputs):
    return summarize(*inputs, period="week")


def _totals(frame: pd.DataFrame) -> dict[str, int]:
    return {c: int(frame[c].sum()) for c in VALUES}


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_round_trip_keeps_rows_totals_and_dates(tmp_path, inputs, weekly, suffix):
    path = export(weekly, tmp_path / "nested" / "out" / f"weekly{suffix}")
    assert path == tmp_path / "nested" / "out" / f"weekly{suffix}" and path.exists()
    back = pd.read_csv(path) if suffix == ".csv" else gpd.read_file(path)
    assert len(back) == len(weekly)
    assert _totals(back) == _totals(weekly)
    assert check_totals(back, *inputs) == _totals(weekly)
    assert back["unit_pcode"].tolist() == weekly["unit_pcode"].tolist()
    assert back["period"].tolist() == weekly["period"].tolist()
    first = pd.to_datetime(back["period_start"]).iloc[0]
    assert first == pd.Timestamp("2022-09-12")
    if suffix == ".csv":
        assert "geometry" not in back.columns
        assert back["period_start"].iloc[0] == "2022-09-12"  # an ISO date, no time
    else:
        assert back.crs.equals("EPSG:4326")
        assert back.geometry.notna().all()
        assert np.allclose(back.bounds, weekly.bounds)
        assert (shapely.get_num_coordinates(back.geometry.values)
                == shapely.get_num_coordinates(weekly.geometry.values)).all()


def test_geojson_writes_iso_dates(tmp_path, weekly):
    text = export(weekly, tmp_path / "w.geojson").read_text(encoding="utf-8")
    assert '"period_start": "2022-09-12"' in text and "T00:00:00" not in text
    assert '"period": "2022-W37"' in text


def test_csv_can_keep_the_geometry_as_wkt(tmp_path, weekly):
    back = pd.read_csv(export(weekly, tmp_path / "w.csv", wkt=True))
    shapes = gpd.GeoSeries.from_wkt(back["geometry"])
    assert shapes.notna().all() and np.allclose(shapes.bounds, weekly.bounds)


def test_units_without_geometry_are_written_too(tmp_path, inputs):
    frame = summarize(*inputs, level="adm2", period="all")
    unknown = frame["unit_pcode"].str.endswith("-UNK")
    assert unknown.any() and frame.geometry[unknown].isna().all()
    for suffix in (".geojson", ".gpkg"):
        back = gpd.read_file(export(frame, tmp_path / f"adm2{suffix}"))
        assert len(back) == len(frame) and _totals(back) == _totals(frame)
        assert {"ML10-UNK", "NE006-UNK"} <= set(back["unit_pcode"])


def test_an_existing_file_is_replaced_and_other_gpkg_layers_kept(tmp_path, weekly):
    path = tmp_path / "maps.gpkg"
    export(weekly, path, layer="weekly")
    export(weekly.iloc[:18], path, layer="latest")
    export(weekly.iloc[:5], path, layer="weekly")
    assert len(gpd.read_file(path, layer="weekly")) == 5
    assert len(gpd.read_file(path, layer="latest")) == 18
    export(weekly.iloc[:3], tmp_path / "w.geojson")
    export(weekly.iloc[:2], tmp_path / "w.geojson")
    assert len(gpd.read_file(tmp_path / "w.geojson")) == 2


def test_geojson_is_written_in_wgs84(tmp_path):
    frame = gpd.GeoDataFrame({"unit_pcode": ["ML07"], "events": [1]},
                             geometry=[shapely.Point(0.04, 16.27)], crs="EPSG:4326")
    back = gpd.read_file(export(frame.to_crs("EPSG:3857"), tmp_path / "p.geojson"))
    assert back.crs.equals("EPSG:4326")
    assert back.geometry.iloc[0].x == pytest.approx(0.04)


def test_times_of_day_and_missing_dates_are_kept(tmp_path):
    frame = pd.DataFrame({"when": pd.to_datetime(["2022-09-12 14:30", None]), "n": [1, 2]})
    lines = export(frame, tmp_path / "t.csv").read_text().splitlines()
    assert lines == ["when,n", "2022-09-12T14:30:00,1", ",2"]


@pytest.mark.parametrize(("frame", "name", "message"), [
    (pd.DataFrame({"a": [1]}), "out.xlsx", r"must end in \.csv, \.geojson, \.gpkg"),
    (pd.DataFrame({"a": [1]}), "out", "Cannot tell the format"),
    (pd.DataFrame({"a": [1]}), "out.geojson", "GeoJSON needs geometry"),
    ([1, 2], "out.csv", "Can only export a pandas DataFrame"),
])
def test_bad_requests_raise(tmp_path, frame, name, message):
    with pytest.raises(ExportError, match=message) as info:
        export(frame, tmp_path / name)
    assert isinstance(info.value, SahelmapError)
    assert not (tmp_path / name).exists()


def test_suffix_case_does_not_matter(tmp_path, weekly):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = export(weekly, tmp_path / "W.GeoJSON")
    assert len(gpd.read_file(path)) == len(weekly)


@pytest.mark.parametrize("dtype", [object, "str", "string[pyarrow]", "string[python]"])
def test_csv_cells_are_made_safe_whatever_the_text_dtype(tmp_path, dtype):
    from sahelmap.io import write_csv

    cells = ["=1+2", "+33 6", "-3", "@SUM(A1)", "\tx", "\rx", "a\r\nb", "a\rb", "Gao=", None,
             "", "'=already"]
    frame = pd.DataFrame({"text": pd.Series(cells, dtype=dtype),
                          "mixed": pd.Series(["=x", 3, None, "a\r\nb", -2.5, True, "ok",
                                              "-1", "@", None, "", 7], dtype=object)})
    text = write_csv(frame, tmp_path / "t.csv").read_text(encoding="utf-8")
    # a bare carriage return becomes a line break first, which starts no formula
    assert text.splitlines() == [
        "text,mixed", "'=1+2,'=x", "'+33 6,3", "'-3,", "'@SUM(A1),\"a", "b\"",
        "'\tx,-2.5", "\"", "x\",True", "\"a", "b\",ok", "\"a", "b\",'-1", "Gao=,'@", ",",
        ",", "'=already,7"]
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=False, dtype=str)
    assert back["text"].tolist() == ["'=1+2", "'+33 6", "'-3", "'@SUM(A1)", "'\tx", "\nx",
                                     "a\nb", "a\nb", "Gao=", "", "", "'=already"]


@pytest.mark.parametrize("seed", range(4))
def test_csv_rows_rendered_in_arrow_are_the_bytes_pandas_writes(seed):
    """The fast writer of text and integer tables gives pandas' bytes, cell for cell.

    Cells mix what CSV quoting turns on (commas, quotes, line breaks), formula starts,
    non-ASCII text, empty and missing cells; columns are text of each dtype, integers, or
    all missing.
    """
    from sahelmap.io import _csv_lines, _safe_cells

    rng = np.random.default_rng(seed)
    alphabet = np.array(["a", "é", ",", '"', "\n", "\r", " ", "'", "=", "-", "\t", ";",
                         "\u2028", "غ", "0"], dtype=object)
    for _ in range(40):
        n = int(rng.integers(0, 25))
        columns = {}
        for c in range(int(rng.integers(2, 6))):
            kind = rng.choice(["str", "object", "string[pyarrow]", "int", "missing"])
            if kind == "int":
                columns[f"c{c}"] = rng.integers(-10**12, 10**12, n)
            elif kind == "missing":
                columns[f"c{c}"] = pd.Series([None] * n, dtype=object)
            else:
                cells = ["".join(rng.choice(alphabet, int(rng.integers(0, 7))))
                         if rng.random() > 0.2 else None for _ in range(n)]
                columns[f"c{c}"] = pd.Series(cells, dtype=kind)
        frame = pd.DataFrame(columns)
        # stacked frames: their arrow-backed text columns come in several chunks; a slice
        # (as write_csv_parts writes large parts) starts within arrow's buffers
        frame = pd.concat([frame, frame.iloc[::-1]], ignore_index=True) if n % 2 else frame
        frame = frame.iloc[int(rng.integers(0, 3)):]
        frame = _safe_cells(frame)
        assert _csv_lines(frame) == frame.to_csv(index=False, header=False,
                                                 lineterminator="\n").encode("utf-8")


def test_csv_rows_of_other_types_are_left_to_pandas():
    from sahelmap.io import _csv_lines

    assert _csv_lines(pd.DataFrame({"a": ["x"], "f": [1.5]})) is None
    assert _csv_lines(pd.DataFrame({"a": ["x"], "m": pd.Series([1], dtype=object)})) is None
    assert _csv_lines(pd.DataFrame({"a": ["", None]})) is None  # one column: quoted empties
    assert _csv_lines(pd.DataFrame({"a": ["x\ry"], "b": ["z"]})) is None  # not made safe
