"""Files as spreadsheets export them: separator hints, title lines, UTF-16, formulas.

Each fixture is written here, the way Excel and LibreOffice write these exports (a
``sep=;`` first line, "Unicode text" as UTF-16 with a byte-order mark and tabs, title lines
above the header, formulas saved without their computed value by tools that do not
calculate).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from sahelmap import InputFileError, read_events

HEADER = ["event_date", "event_type", "location", "fatalities"]
ROWS = [["2022-09-12", "Attack", "Gao", "11"], ["2022-09-13", "Battles", "Ménaka", "4"]]


def _text(sep: str, rows=ROWS, newline: str = "\n") -> str:
    return newline.join(sep.join(r) for r in [HEADER, *rows]) + newline


def _read(path: Path):
    result = read_events(path)
    result.check()
    return result


def _placed(result) -> list[tuple[int, str, int]]:
    acc = result.accepted
    return list(zip(acc["source_row"].tolist(), acc["adm1_pcode"].tolist(),
                    acc["fatalities"].tolist()))


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
def test_excel_separator_hint_is_read_and_said(tmp_path, sep):
    path = tmp_path / "export.csv"
    path.write_text(f"sep={sep}\n" + _text(sep), encoding="utf-8")
    result = _read(path)
    assert _placed(result) == [(3, "ML07", 11), (4, "ML10", 4)]
    assert any("'sep=" in note and "header is line 2" in note for note in result.notes)


def test_title_lines_above_the_header_are_skipped_and_said(tmp_path):
    path = tmp_path / "rapport.csv"
    path.write_text("Rapport hebdomadaire des incidents, semaine 37\n"
                    "Cluster Protection Mali;;;\n\n" + _text(";"), encoding="cp1252")
    result = _read(path)
    assert _placed(result) == [(5, "ML07", 11), (6, "ML10", 4)]
    note = " ".join(result.notes)
    assert "2 title line(s)" in note and "Rapport hebdomadaire" in note


def test_title_lines_and_a_damaged_row_keep_file_line_numbers(tmp_path):
    path = tmp_path / "rapport.csv"
    path.write_text("Weekly incidents\n" + _text(",", [
        ["2022-09-12", "Attack", '"Gao', "11"], *ROWS]), encoding="utf-8")
    result = _read(path)
    assert result.rejected["source_row"].tolist() == [3]
    assert _placed(result) == [(4, "ML07", 11), (5, "ML10", 4)]


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_utf16_unicode_text_is_read(tmp_path, newline):
    path = tmp_path / "unicode.txt"
    path.write_bytes(_text("\t", newline=newline).encode("utf-16"))  # BOM + UTF-16-LE
    result = _read(path)
    assert _placed(result) == [(2, "ML07", 11), (3, "ML10", 4)]
    assert any("UTF-16" in note for note in result.notes)


def test_utf16_big_endian_with_a_title_line(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes(("Export\n" + _text("\t")).encode("utf-16-be").join(
        [b"\xfe\xff", b""]))
    assert _placed(_read(path)) == [(3, "ML07", 11), (4, "ML10", 4)]


def test_header_error_names_only_real_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('lieu,nombre\nGao,"3\nMénaka,4,extra\n', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_events(path)
    message = str(caught.value)
    assert "the columns are: lieu, nombre;" in message
    assert "(cells beyond the header)" not in message and "(unbalanced quote)" not in message


def _workbook(path: Path, fatalities: list[object]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for (date, kind, place, _), value in zip(ROWS, fatalities):
        sheet.append([date, kind, place, value])
    book.save(path)
    return path


def _cache(path: Path, value: str) -> None:
    """Give the workbook's formulas a computed value, as Excel or LibreOffice save them."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<v />", f"<v>{value}</v>".encode())
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_formula_without_a_computed_value_is_rejected_not_read_as_zero(tmp_path):
    path = _workbook(tmp_path / "events.xlsx", ["=5+6", 4])
    result = _read(path)
    rejected = result.rejected.iloc[0]
    assert (rejected["source_row"], rejected["value"]) == (2, "fatalities: =5+6")
    assert "formula without a computed value" in rejected["reason"]
    assert "LibreOffice" in rejected["reason"]
    assert _placed(result) == [(3, "ML10", 4)]


def test_formula_with_its_computed_value_is_read(tmp_path):
    path = _workbook(tmp_path / "events.xlsx", ["=5+6", 4])
    _cache(path, "11")
    result = _read(path)
    assert len(result.rejected) == 0
    assert _placed(result) == [(2, "ML07", 11), (3, "ML10", 4)]
