"""Read one report file into text cells with the row number a person sees.

Every reader returns a :class:`RawTable`: all cells as text (NA where empty), the header,
the HXL hashtags if the file has a hashtag row, and the number of each row as shown by the
tool people open the file with:

- CSV: the 1-based line number in the file, header line = 1 (a hashtag row is line 2).
  A record whose quoted cell spans several lines is numbered by its first line;
- XLSX: the spreadsheet row number (title rows above the header are skipped);
- GeoJSON: the 0-based index of the feature in the ``features`` array;
- GeoPackage (and other OGR layers): the feature id (``fid``, 1-based in a GeoPackage);
- an ACLED API response (a ``.json`` file that is not GeoJSON and holds a top-level
  ``data`` list of records, ``{"status": 200, "success": true, "count": N, "data": [...]}``):
  the 0-based index of the record in ``data``. A response with ``status`` other than 200 or
  ``success: false`` is refused with its ``error`` / ``message``.

Rows whose cells are all empty are dropped and counted in ``n_blank``. A CSV row with more
cells than the header keeps the extra ones, joined, in a column named :data:`OVERFLOW` (the
loaders reject such rows).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sahelmap.errors import InputFileError, warn
from sahelmap.loaders.columns import is_hxl_row

__all__ = ["DAMAGED", "FORMULA", "MARKERS", "OVERFLOW", "RawTable", "read_table"]

logger = logging.getLogger(__name__)

_CSV = {".csv", ".txt", ".tsv", ".tab"}
_XLSX = {".xlsx", ".xlsm"}
_VECTOR = {".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml", ".kml"}
_HEADER_SEARCH = 20
# The column that holds the cells of a CSV row beyond the header's width.
OVERFLOW = "(cells beyond the header)"
#: Column of a row whose quote never closes (the line as written); see ``_read_ragged_csv``.
DAMAGED = "(unbalanced quote)"
#: Column of a spreadsheet row with formulas that have no computed value (``column: =formula``).
FORMULA = "(formula without a value)"
#: The columns a reader adds to mark damaged rows: not columns of the file.
MARKERS = (OVERFLOW, DAMAGED, FORMULA)


@dataclass
class RawTable:
    """A report file as text cells.

    Attributes
    ----------
    path : str
    frame : pandas.DataFrame
        One column per file column (unique names), text or NA; blank rows removed.
    rows : numpy.ndarray
        int64 row number of each row (see the module docstring).
    hxl_tags : list or None
        The hashtag of each column when the file has an HXL hashtag row.
    point_lon, point_lat : numpy.ndarray or None
        Coordinates of point geometries (EPSG:4326), NaN where none.
    n_blank : int
        Rows dropped because all their cells were empty.
    sheet : str or None
        The sheet read, for a workbook.
    note : str
        What was chosen on the reader's behalf (the sheet of a workbook of several), or "".
    """

    path: str
    frame: pd.DataFrame
    rows: np.ndarray
    hxl_tags: list[str] | None = None
    point_lon: np.ndarray | None = None
    point_lat: np.ndarray | None = None
    n_blank: int = 0
    sheet: str | None = None
    note: str = ""


# Sheets that document a workbook rather than hold its rows (folded names)...
_NOT_DATA = {"verification", "readme", "read_me", "lisez_moi", "metadata", "meta",
             "metadonnees", "notes", "note", "info", "infos", "about", "a_propos",
             "definitions", "dictionary", "data_dictionary", "dictionnaire", "glossary",
             "glossaire", "sources", "source", "instructions", "changelog", "legend",
             "legende", "cover", "contents", "lists", "listes", "choices", "settings"}
# ... and names a data sheet goes by (tried first).
_DATA = {"baseline_assessment", "data", "dataset", "donnees", "base_de_donnees",
         "site_assessment", "evaluation_des_sites", "mla", "msla", "flow_monitoring",
         "fmp", "suivi_des_flux", "idps", "pdi", "displacement", "deplacement"}


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CSV:
        return "csv"
    if suffix in _XLSX:
        return "xlsx"
    if suffix == ".xls":
        raise InputFileError("old Excel .xls files are not read; save the sheet as .xlsx "
                             "or CSV", path=path)
    if suffix == ".json":
        return "json"
    if suffix in _VECTOR:
        return "vector"
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(b"PK"):
        return "xlsx"
    if head.startswith(b"SQLite format 3"):
        return "vector"
    if head.lstrip().startswith(b"{"):
        return "json"
    return "csv"


def read_table(path: str | Path, *, sheet: str | int | None = None,
               layer: str | int | None = None, encoding: str | None = None,
               header_hint: Callable[[list[object]], bool] | None = None) -> RawTable:
    """Read a CSV, XLSX, GeoJSON or GeoPackage file (format from the suffix or content).

    Parameters
    ----------
    path : path-like
    sheet, layer : str or int, optional
        XLSX sheet, OGR layer (default: the first).
    encoding : str, optional
        CSV encoding (default: UTF-8, then Windows-1252, then Latin-1).
    header_hint : callable, optional
        ``header_hint(cells) -> bool`` says whether a spreadsheet row (or CSV line) looks
        like the header; the first such row among the first 20 is taken (title rows above
        are skipped, and said in ``RawTable.note``).

    Notes
    -----
    CSV files as spreadsheets export them are read: UTF-16 "Unicode text" (with its
    byte-order mark, usually tab-separated), a first line ``sep=;`` (Excel's separator
    hint, which then gives the separator), and title lines above the header.

    Raises
    ------
    InputFileError
        Missing, empty or unreadable file.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError("file not found", path=path)
    if not path.is_file():
        raise InputFileError("not a file", path=path)
    if path.stat().st_size == 0:
        raise InputFileError("file is empty", path=path)
    kind = _format(path)
    if kind == "csv":
        return _read_csv(path, encoding=encoding, header_hint=header_hint)
    if kind == "xlsx":
        return _read_xlsx(path, sheet=sheet, header_hint=header_hint)
    if kind == "json":
        records = _json_records(path)
        if records is not None:
            return _read_records(path, records)
    return _read_vector(path, layer=layer)


def _unique_names(names: list[object]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        text = "" if name is None or (isinstance(name, float) and np.isnan(name)) else str(
            name).strip()
        text = text or f"column {i + 1}"
        if text in seen:
            seen[text] += 1
            text = f"{text}.{seen[text]}"
        seen.setdefault(text, 0)
        out.append(text)
    return out


def _finish(path: Path, header: list[object], body: pd.DataFrame, rows: np.ndarray,
            point_lon: np.ndarray | None = None, point_lat: np.ndarray | None = None
            ) -> RawTable:
    """Name the columns, take out an HXL hashtag row and blank rows."""
    hxl_tags = None
    names = _unique_names(header)
    if is_hxl_row(header):
        hxl_tags = ["" if h is None else str(h) for h in header]
    elif len(body) and is_hxl_row(body.iloc[0].tolist()):
        hxl_tags = ["" if pd.isna(h) else str(h) for h in body.iloc[0].tolist()]
        body, rows = body.iloc[1:], rows[1:]
        if point_lon is not None:
            point_lon, point_lat = point_lon[1:], point_lat[1:]
    body = body.set_axis(names, axis=1)
    blank = body.isna().all(axis=1).to_numpy().copy()
    if point_lon is not None:
        blank &= np.isnan(point_lon)
    n_blank = int(blank.sum())
    if n_blank:
        logger.info("%s: %d blank rows skipped", path, n_blank)
        keep = ~blank
        body, rows = body[keep], rows[keep]
        if point_lon is not None:
            point_lon, point_lat = point_lon[keep], point_lat[keep]
    return RawTable(str(path), body.reset_index(drop=True), np.asarray(rows, dtype="int64"),
                    hxl_tags, point_lon, point_lat, n_blank)


def _sniff_separator(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


_LF, _CR, _QUOTE = (ord(c) for c in "\n\r\"")


def _count_lines(path: Path) -> tuple[int, int]:
    r"""Physical lines of a file, and how many quote characters it holds.

    A line ends in ``\n``, ``\r\n`` or a bare ``\r`` (as CSV readers take them): a bare CR
    counted as no line end would let a quote opened on one line and closed on the next pass
    for one record.
    """
    lines, quotes, last = 0, 0, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 24):
            # counted by numpy's vectorised comparisons (bytes.count is ~5x slower)
            data = np.frombuffer(chunk, dtype=np.uint8)
            lines += int(np.count_nonzero(data == _LF))
            returns = int(np.count_nonzero(data == _CR))
            if returns:  # rare: CR alone ends a line, CRLF is one line end
                lines += returns - chunk.count(b"\r\n")
            if last == b"\r" and chunk[:1] == b"\n":  # a CRLF cut between two reads
                lines -= 1
            quotes += int(np.count_nonzero(data == _QUOTE))
            last = chunk[-1:]
    return lines + (last not in (b"\n", b"\r", b"")), quotes


_SEP_HINT = re.compile(r'^\ufeff?"?sep=(.)"?\s*$', re.IGNORECASE)


@dataclass
class _Preamble:
    """Lines above a CSV's header: Excel's ``sep=`` hint and title lines."""

    skip: int        #: physical lines before the header
    sep: str
    note: str = ""


def _preamble(source: Path, encoding: str,
              header_hint: Callable[[list[object]], bool] | None) -> _Preamble:
    """Find the header line, the separator, and what is skipped above the header."""
    with open(source, encoding=encoding, newline="") as handle:
        head = [line for _, line in zip(range(_HEADER_SEARCH), handle)]
    if not head:
        return _Preamble(0, ",")
    skipped = []
    hint = _SEP_HINT.match(head[0].rstrip("\r\n"))
    start = 1 if hint else 0
    if hint:
        skipped.append(f"line 1 {head[0].strip()!r} (a spreadsheet's separator hint)")
    sep = hint.group(1) if hint else _sniff_separator(head[0] if head else "")
    if header_hint is not None:
        for i in range(start, len(head)):
            if not hint:
                sep = _sniff_separator(head[i])
            cells = [c.strip() or None for c in next(csv.reader([head[i]], delimiter=sep), [])]
            if any(cells) and (is_hxl_row(cells) or header_hint(cells)):
                titles = [line.strip() for line in head[start:i] if line.strip()]
                if titles:
                    shown = "; ".join(repr(t[:60]) for t in titles[:3])
                    skipped.append(f"{len(titles)} title line(s) above the header ({shown})")
                start = i
                break
        else:
            sep = hint.group(1) if hint else _sniff_separator(head[start] if len(head) > start
                                                              else "")
    note = ""
    if skipped:
        note = " and ".join(skipped) + f" skipped; the header is line {start + 1}"
        logger.info("%s: %s", source, note)
    return _Preamble(start, sep, note)


def _utf16(path: Path) -> str | None:
    """``"utf-16"`` for a file starting with a UTF-16 byte-order mark ("Unicode text")."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    return "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else None


def _read_csv(path: Path, *, encoding: str | None,
              header_hint: Callable[[list[object]], bool] | None = None) -> RawTable:
    wide = (encoding or "").lower().replace("-", "").startswith("utf16") or (
        encoding is None and _utf16(path))
    if wide:
        try:
            text = path.read_text(encoding=encoding or "utf-16")
        except UnicodeError as exc:
            raise InputFileError(f"cannot decode the file as UTF-16 ({exc})",
                                 path=path) from None
        return _read_recoded(path, text, "read as UTF-16 (Unicode text)", header_hint)
    encodings = [encoding] if encoding else ["utf-8-sig", "cp1252", "latin-1"]
    return _read_csv_text(path, path, encodings, header_hint)


def _read_recoded(path: Path, text: str, note: str,
                  header_hint: Callable[[list[object]], bool] | None) -> RawTable:
    """Read ``text`` (the decoded file ``path``) from a UTF-8 copy, where byte counts work."""
    import tempfile

    handle, copy = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    try:
        Path(copy).write_text(text, encoding="utf-8", newline="")
        table = _read_csv_text(path, Path(copy), ["utf-8"], header_hint)
    finally:
        os.unlink(copy)
    table.note = "; ".join(n for n in (note, table.note) if n)
    logger.info("%s: %s", path, note)
    return table


def _mixed_encodings(path: Path) -> tuple[str, str] | None:
    """The text of a file whose lines mix UTF-8 and Windows-1252, and a note saying which.

    Files pasted together from two exports hold both; each line is decoded as UTF-8 when
    it is valid UTF-8, else as Windows-1252. None when the file is not such a mix (called
    once the file has failed to decode as UTF-8).
    """
    data = path.read_bytes()
    try:  # valid UTF-8 sequences decode to characters, other bytes to lone surrogates
        data.decode("utf-8", errors="surrogateescape").encode("ascii", "surrogateescape")
        return None  # not one valid multi-byte UTF-8 sequence: plain Windows-1252
    except UnicodeEncodeError:
        pass
    parts, cp1252 = [], []
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            parts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", errors="replace"))
            cp1252.append(number)
    if not cp1252:
        return None
    shown = ", ".join(map(str, cp1252[:5])) + (f" and {len(cp1252) - 5} more"
                                               if len(cp1252) > 5 else "")
    return "".join(parts).removeprefix("\ufeff"), (
        f"the file mixes encodings: line(s) {shown} decoded as Windows-1252, the others as "
        "UTF-8")


def _read_csv_text(path: Path, source: Path, encodings: list[str],
                   header_hint: Callable[[list[object]], bool] | None) -> RawTable:
    """Read ``source`` (``path`` itself, or a UTF-8 copy of it) as the CSV ``path``."""
    errors = []
    for enc in encodings:
        try:
            pre = _preamble(source, enc, header_hint)
            frame = pd.read_csv(source, sep=pre.sep, header=None, dtype=str, encoding=enc,
                                keep_default_na=False, na_values=[""], skiprows=pre.skip,
                                skip_blank_lines=False, engine="c")
        except UnicodeDecodeError as exc:
            mixed = _mixed_encodings(path) if enc == "utf-8-sig" and len(encodings) > 1 else None
            if mixed is not None:
                return _read_recoded(path, *mixed, header_hint)
            errors.append(f"{enc}: {exc.reason}")
            continue
        except pd.errors.ParserError:
            return _read_ragged_csv(path, source, enc, pre)
        except ValueError as exc:
            raise InputFileError(f"not a readable CSV file ({str(exc).strip()})",
                                 path=path) from None
        break
    else:
        raise InputFileError("cannot decode the file (" + "; ".join(errors) + "); pass "
                             "encoding=", path=path)
    if frame.empty:
        raise InputFileError("file has no header row", path=path)
    lines, quotes = _count_lines(source)
    if lines - pre.skip != len(frame) or quotes % 2:  # multi-line records, or a lone quote
        return _read_ragged_csv(path, source, enc, pre)
    lines = np.arange(pre.skip + 1, pre.skip + len(frame) + 1, dtype="int64")
    header = frame.iloc[0].tolist()
    body = frame.iloc[1:]
    table = _finish(path, header, body, lines[1:])
    table.note = pre.note
    return table


def _read_ragged_csv(path: Path, source: Path, encoding: str, pre: _Preamble) -> RawTable:
    """Slow path, record by record: ragged rows and quotes that never close.

    A row with more cells than the header keeps the extra ones in :data:`OVERFLOW`. A quote
    that opens a cell and never closes would swallow the lines after it into that cell; such
    a record (fewer cells than the header, spanning lines that are whole rows themselves) is
    kept as its first line alone, marked in :data:`DAMAGED`, and reading resumes on the next
    line, so the rows after it are read as they are.
    """
    try:
        with open(source, encoding=encoding, newline="") as handle:
            lines = handle.read().splitlines(keepends=True)[pre.skip:]
    except UnicodeDecodeError as exc:
        raise InputFileError(f"not a readable CSV file ({exc})", path=path) from None
    sep = pre.sep
    if not lines:
        raise InputFileError("file has no header row", path=path)
    width = len(next(csv.reader([lines[0]], delimiter=sep)))
    starts, records, damaged = [], [], []
    base = 0
    while base < len(lines):
        # strict: a closing quote must end its cell; a quote that never closes, or closes in
        # the middle of a later line, raises instead of swallowing the rows after it
        reader = csv.reader(iter(lines[base:]), delimiter=sep, strict=True)
        previous = 0
        restart = None
        while True:
            try:
                record = next(reader)
                broken = False
            except StopIteration:
                break
            except csv.Error:
                record, broken = [], True
            first, last = base + previous, base + max(reader.line_num, previous + 1)
            span = lines[first + 1:last]
            swallowed = (span and len(record) < width
                         and any(line.count(sep) >= width - 1 for line in span))
            if records and (broken or swallowed):
                records.append(lines[first].rstrip("\r\n").split(sep))
                starts.append(first + 1)
                damaged.append(lines[first].rstrip("\r\n"))
                restart = first + 1
                break
            if broken:  # the header itself
                raise InputFileError(f"not a readable CSV file: line {pre.skip + first + 1} "
                                     "has a quote that never closes", path=path)
            records.append(record)
            starts.append(first + 1)
            damaged.append(None)
            previous = reader.line_num
        if restart is None:
            break
        base = restart
    header = records[0]
    cells = [[c if c != "" else None for c in r[:width]] + [None] * (width - len(r))
             + [sep.join(r[width:]) if len(r) > width else None] + [bad]
             for r, bad in zip(records[1:], damaged[1:])]
    body = pd.DataFrame(cells, columns=range(width + 2), dtype=object).astype("str")
    table = _finish(path, header + [OVERFLOW, DAMAGED], body,
                    np.asarray(starts[1:], dtype="int64") + pre.skip)
    table.note = pre.note
    return table


def _cell_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else
                              "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value)
    return text if text.strip() else None


def _read_xlsx(path: Path, *, sheet: str | int | None,
               header_hint: Callable[[list[object]], bool] | None = None) -> RawTable:
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise ImportError("reading .xlsx needs openpyxl: pip install openpyxl") from None
    import zipfile
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputFileError(f"not a readable .xlsx workbook ({exc})", path=path) from None
    note = ""
    try:
        if sheet is None:
            ws = _data_sheet(book, header_hint)
            if len(book.worksheets) > 1:
                others = [w.title for w in book.worksheets if w.title != ws.title]
                note = (f"sheet {ws.title!r} read (the workbook's other sheets: "
                        f"{', '.join(map(repr, others))}; pass sheet= to read another)")
                logger.info("%s: %s", path, note)
        elif isinstance(sheet, int):
            ws = book.worksheets[sheet]
        else:
            ws = book[sheet]
    except (IndexError, KeyError):
        names = ", ".join(book.sheetnames)
        book.close()
        raise InputFileError(f"no sheet {sheet!r}; the sheets are: {names}",
                             path=path) from None
    try:
        cells = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    width = max((len(r) for r in cells), default=0)
    cells = [r + [None] * (width - len(r)) for r in cells]
    formulas = _uncached_formulas(path, ws.title, cells) if _has_formulas(path) else {}
    filled = [i for i, r in enumerate(cells) if any(c is not None for c in r)]
    if not filled:
        raise InputFileError("the sheet is empty", path=path)
    header_at = filled[0]
    if header_hint is not None:
        for i in filled[:_HEADER_SEARCH]:
            if is_hxl_row(cells[i]) or header_hint(cells[i]):
                header_at = i
                break
    if header_at != filled[0]:
        logger.info("%s: header found on row %d", path, header_at + 1)
    header = cells[header_at]
    body = pd.DataFrame(cells[header_at + 1:], columns=range(width), dtype=object)
    rows = np.arange(header_at + 2, header_at + 2 + len(body), dtype="int64")
    if formulas:  # a row marked in FORMULA is rejected by the loaders, never read as 0
        names = _unique_names(header)
        body[width] = [
            "; ".join(f"{names[c]}: {text}" for c, text in sorted(formulas.get(i, {}).items()))
            or None for i in range(header_at + 1, len(cells))]
        header = [*header, FORMULA]
    body = body.astype("str") if len(body) else body
    table = _finish(path, header, body, rows)
    table.sheet, table.note = ws.title, note
    return table


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """True when a worksheet of the workbook holds a formula (a quick scan of its XML)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as handle:
                    tail = b""
                    while block := handle.read(1 << 20):
                        if _FORMULA_TAG.search(tail + block):
                            return True
                        tail = block[-16:]
    return False


def _uncached_formulas(path: Path, title: str, cells: list[list[object]]
                       ) -> dict[int, dict[int, str]]:
    """``{row index: {column index: formula}}`` of formula cells without a computed value.

    A workbook written by a program that does not calculate (openpyxl, many exporters)
    stores formulas without their result; read for values, those cells look empty, and an
    empty fatalities cell would count as 0.
    """
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    found: dict[int, dict[int, str]] = {}
    try:
        for i, row in enumerate(book[title].iter_rows(values_only=True)):
            for j, value in enumerate(row):
                if (isinstance(value, str) and value.startswith("=") and len(value) > 1
                        and cells[i][j] is None):
                    found.setdefault(i, {})[j] = value
    finally:
        book.close()
    return found


def _data_sheet(book: object, header_hint: Callable[[list[object]], bool] | None) -> object:
    """The sheet that holds a workbook's rows: not a README or VERIFICATION sheet.

    Sheets named like data (``Baseline Assessment``, ``data``...) are tried first, then the
    others in order; the first whose top rows hold a recognised header wins. Without any,
    the first sheet that does not document the workbook.
    """
    from sahelmap.vocab import fold

    sheets = list(book.worksheets)
    kept = [w for w in sheets if fold(w.title, sep="_") not in _NOT_DATA] or sheets
    ordered = ([w for w in kept if fold(w.title, sep="_") in _DATA]
               + [w for w in kept if fold(w.title, sep="_") not in _DATA])
    if header_hint is None or len(ordered) == 1:
        return ordered[0]
    for ws in ordered:
        for row in ws.iter_rows(max_row=_HEADER_SEARCH, values_only=True):
            cells = [_cell_text(v) for v in row]
            if any(c is not None for c in cells) and (is_hxl_row(cells) or header_hint(cells)):
                return ws
    return ordered[0]


def _column_text(column: pd.Series) -> pd.Series:
    """A typed attribute column as text, NA kept."""
    if pd.api.types.is_datetime64_any_dtype(column):
        has_time = (column.dropna() != column.dropna().dt.normalize()).any()
        return column.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: "true", False: "false"})
    if pd.api.types.is_float_dtype(column):
        whole = column.notna() & (column == np.floor(column)) & (column.abs() < 1e15)
        text = column.astype(str)
        return text.where(~whole, column.where(whole, 0).astype("int64").astype(str)).where(
            column.notna())
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(str).where(column.notna())
    return column.map(_cell_text, na_action="ignore").astype("str")


def _read_vector(path: Path, *, layer: str | int | None) -> RawTable:
    import pyogrio
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise InputFileError(f"not a readable vector file ({exc})", path=path) from None
    is_geojson = path.suffix.lower() in (".geojson", ".json") or path.read_bytes()[
        :64].lstrip().startswith(b"{")
    rows = (np.arange(len(frame), dtype="int64") if is_geojson
            else np.asarray(frame.index, dtype="int64"))
    lon = lat = None
    if "geometry" in frame and hasattr(frame, "geometry"):
        geoms = frame.geometry
        if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
            geoms = geoms.to_crs("EPSG:4326")
        import shapely

        values = geoms.to_numpy()
        present = ~(shapely.is_missing(values) | shapely.is_empty(values))
        others = present & (shapely.get_type_id(values) != 0)  # 0: Point
        if others.any():
            kinds = sorted(set(geoms[others].geom_type))
            warn(
                f"{path}: {int(others.sum())} features are not points ({', '.join(kinds)}); "
                "each is placed at a point inside it (shapely's representative point)")
            values = values.copy()
            values[others] = shapely.point_on_surface(values[others])
        lon = np.where(present, shapely.get_x(values), np.nan).astype("float64")
        lat = np.where(present, shapely.get_y(values), np.nan).astype("float64")
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    frame = frame.reset_index(drop=True)
    header = list(frame.columns)
    body = pd.DataFrame({i: _column_text(frame[c]) for i, c in enumerate(header)},
                        index=range(len(frame)))
    if not len(header):
        body = pd.DataFrame(index=range(len(frame)))
    return _finish(path, header, body, rows, lon, lat)


def _json_records(path: Path) -> list[object] | None:
    """The ``data`` records of an API response; None when the JSON is GeoJSON (or other)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"not a readable JSON file ({exc})", path=path) from None
    if not isinstance(document, dict) or document.get("type") in (
            "FeatureCollection", "Feature") or "features" in document:
        return None
    status, success = document.get("status"), document.get("success")
    failed = success is False or (status is not None and str(status).strip() != "200")
    if failed:
        raise InputFileError(
            f"the API response reports a failure (status {status}, success {success}): "
            f"{_api_message(document)}; fetch the data again", path=path)
    data = document.get("data")
    if data is None:
        return None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputFileError("the JSON 'data' member is not a list of records", path=path)
    if not data:
        raise InputFileError("the API response holds no records ('data' is empty)",
                             path=path)
    count = document.get("count")
    if count is not None and str(count).strip() != str(len(data)):
        warn(f"{path}: the response says count {count} but holds {len(data)} records; "
             "every record in 'data' is read")
    return data


def _api_message(document: dict) -> str:
    """The error text of a failed API response, whatever its shape."""
    parts = []
    for key in ("error", "message", "messages"):
        value = document.get(key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                item = item.get("message") or item.get("error") or json.dumps(item)
            if item not in (None, "", []):
                parts.append(str(item))
    return "; ".join(parts) or "no error message given"


def _read_records(path: Path, records: list[object]) -> RawTable:
    """A list of flat records (the ``data`` of an API response) as text cells."""
    frame = pd.DataFrame.from_records(records)
    header = list(frame.columns)
    body = {}
    for i, name in enumerate(header):
        column = frame[name].astype(object)
        texts = column.map(lambda v: isinstance(v, str) or v is None).all()
        if texts:
            text = column.astype("str")
            body[i] = text.where(text.str.strip() != "")
        else:
            body[i] = column.map(lambda v: json.dumps(v) if isinstance(v, (dict, list))
                                 else _cell_text(v)).astype("str")
    table = pd.DataFrame(body, index=range(len(frame)))
    return _finish(path, header, table, np.arange(len(frame), dtype="int64"))
