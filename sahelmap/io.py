"""Write aggregated frames to CSV, GeoJSON or GeoPackage, the format chosen by the suffix.

Dates are written as ISO dates (``2022-09-12``), or ISO date-times where a time of day is
set; counts stay integers. GeoJSON is always written in EPSG:4326 (RFC 7946); GeoPackage
keeps the frame's CRS; CSV drops the geometry unless ``wkt=True``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import TextIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sahelmap.errors import ExportError
from sahelmap.outputs import replacing

__all__ = ["ExportError", "FORMATS", "export", "write_csv", "write_csv_parts"]

FORMATS = {".csv": "CSV", ".geojson": "GeoJSON", ".gpkg": "GPKG"}



def export(frame: pd.DataFrame, path: str | PathLike, *, wkt: bool = False,
           layer: str | None = None) -> Path:
    """Write ``frame`` to ``path`` in the format its suffix names, creating parent folders.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        Typically the output of :func:`sahelmap.aggregate.summarize`. A plain DataFrame
        can only be written to CSV.
    path : path-like
        Ending in ``.csv``, ``.geojson`` or ``.gpkg`` (any case). An existing file is
        replaced: in one step for CSV and GeoJSON (written beside it, then moved over it);
        for GeoPackage the layer is replaced and the other layers are kept.
    wkt : bool
        CSV only: keep the geometry as a WKT text column ``geometry`` (default: dropped).
    layer : str, optional
        GeoPackage layer name; default the file name without suffix.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ExportError
        For an unknown suffix, or a geographic format asked of a frame without geometry.

    Examples
    --------
    >>> import tempfile
    >>> frame = pd.DataFrame({"unit_pcode": ["ML07"], "events": [3],
    ...                       "period_start": pd.to_datetime(["2022-09-12"])})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = export(frame, Path(folder) / "weekly" / "gao.csv")
    ...     print(written.name, written.read_text().splitlines())
    gao.csv ['unit_pcode,events,period_start', 'ML07,3,2022-09-12']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"Cannot tell the format of {str(path)!r}: its name must end in "
                          f"{', '.join(FORMATS)}.")
    if not isinstance(frame, pd.DataFrame):
        raise ExportError(f"Can only export a pandas DataFrame, not {type(frame).__name__}.")
    geometry = _geometry_name(frame)
    geographic = geometry is not None
    if suffix != ".csv" and not geographic:
        raise ExportError(f"{FORMATS[suffix]} needs geometry, and this frame has none: write "
                          "it to .csv, or give it a geometry column (GeoDataFrame.set_geometry).")
    path.parent.mkdir(parents=True, exist_ok=True)
    out = _dates_as_text(frame)
    if suffix == ".csv":
        out = pd.DataFrame(out)
        if geographic:
            if wkt:
                out[geometry] = frame.geometry.to_wkt().to_numpy()
            else:
                out = out.drop(columns=geometry)
        return write_csv(out, path)
    if suffix == ".geojson":
        if out.crs is not None and not out.crs.equals("EPSG:4326"):
            out = out.to_crs("EPSG:4326")
        with replacing(path) as temp:
            out.to_file(temp, driver="GeoJSON", engine="pyogrio")
    else:
        out.to_file(path, driver="GPKG", layer=layer or path.stem, engine="pyogrio")
    return path


# the first character of a cell a spreadsheet would run as a formula (kept, as \1, after a "'")
_FORMULA = re.compile(r"^([=+\-@\t\r])")


def write_csv(frame: pd.DataFrame, path: str | PathLike) -> Path:
    r"""Write a table as CSV that a spreadsheet opens safely and pandas reads back whole.

    - Text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a
      leading ``'`` (OWASP's rule against CSV formula injection): analysts fix rejected rows
      in spreadsheets, which would otherwise run them. Numbers are written as numbers.
    - Line breaks inside a cell (``\r\n`` or a bare ``\r``) are written as ``\n`` in a quoted
      cell, so the row stays one row.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : path-like

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> frame = pd.DataFrame({"value": ["=HYPERLINK(1)", "-3", "Gao"], "count": [1, -3, 2]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(write_csv(frame, Path(folder) / "t.csv").read_text().splitlines())
    ['value,count', "'=HYPERLINK(1),1", "'-3,-3", 'Gao,2']
    """
    frame = pd.DataFrame(frame)
    return write_csv_parts([frame], list(frame.columns), path)


def write_csv_parts(parts: Iterable[pd.DataFrame], columns: Sequence[str],
                    path: str | PathLike) -> Path:
    """Write frames one after another as one CSV, with :func:`write_csv`'s rules.

    For tables too large to hold at once (the rejected rows of a streamed load): each part
    is written and let go before the next is asked for.

    Parameters
    ----------
    parts : iterable of pandas.DataFrame
        Each part's columns are put in the order of ``columns``; a missing one is empty.
    columns : sequence of str
        The header.
    path : path-like

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> parts = [pd.DataFrame({"a": ["=1"]}), pd.DataFrame({"b": [2], "a": ["x"]})]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(write_csv_parts(parts, ["a", "b"], Path(folder) / "t.csv").read_text()
    ...           .splitlines())
    ['a,b', "'=1,", 'x,2']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = True
    # a stopped run leaves the previous file, not half of one
    with replacing(path) as temp, open(temp, "w", encoding="utf-8", newline="") as handle:
        for part in parts:
            part = pd.DataFrame(part)
            if list(part.columns) != list(columns):
                part = part.reindex(columns=list(columns))
            # a slice at a time: cells become Python strings here, which a million rows of
            # text would not fit in memory as
            for start in range(0, max(len(part), 1), _SLICE):
                piece = part.iloc[start:start + _SLICE]
                if len(piece) or header:
                    _write_piece(_safe_cells(piece), handle, header)
                    header = False
        if header:
            pd.DataFrame(columns=list(columns)).to_csv(handle, index=False,
                                                      lineterminator="\n")
    return path


_SLICE = 100_000


def _write_piece(frame: pd.DataFrame, handle: TextIO, header: bool) -> None:
    """Write the rows of ``frame`` (cells made safe), after its header if asked.

    The rows of a frame of text and integer columns are written as :func:`_csv_lines`
    renders them (the same bytes as pandas, about ten times faster); other frames by pandas.
    """
    lines = _csv_lines(frame)
    if lines is None:
        frame.to_csv(handle, index=False, header=header, lineterminator="\n")
        return
    if header:
        frame.iloc[:0].to_csv(handle, index=False, lineterminator="\n")
    handle.flush()  # the text written so far, before the bytes written under it
    handle.buffer.write(lines)


#: A cell pandas (Python's :mod:`csv`, ``QUOTE_MINIMAL``, ``lineterminator="\\n"``) quotes
#: holds a comma, a quote or a line break; a carriage return is left to pandas.
_SPECIAL = b',"\n\r'
_QUOTE, _COMMA, _NEWLINE, _NOTHING = (pa.scalar(text, pa.large_string())
                                      for text in ('"', ",", "\n", ""))


def _csv_lines(frame: pd.DataFrame) -> bytes | None:
    r"""The rows of ``frame`` as UTF-8 CSV lines, byte for byte as pandas' ``to_csv`` writes them.

    Rendered in pyarrow, without a Python object per cell: a text cell is quoted when it
    holds a comma, a quote (doubled) or a line break, a missing one is empty, an integer is
    its digits. None (pandas writes it) for a frame of one column (pandas quotes an empty
    row), with a column of another type (floats, dates, mixed objects), or with a carriage
    return in a cell (:func:`_safe_cells` leaves none).

    Examples
    --------
    >>> _csv_lines(pd.DataFrame({"a": ["x", 'say "hi", twice', None], "n": [1, 2, -3]}))
    b'x,1\n"say ""hi"", twice",2\n,-3\n'
    """
    if frame.shape[1] < 2:
        return None
    cells = []
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if values.dtype.kind in "iu":
            cells.append(pc.cast(pa.array(values.to_numpy()), pa.large_string()))
            continue
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            return None
        text = _arrow_text(values)
        special = _holding(text, _SPECIAL)
        if special.any():  # only those cells are looked at again
            if _holding(text, b"\r").any():
                return None
            special = pa.array(special)
            some = pc.filter(text, special)
            quoted = pc.binary_join_element_wise(
                _QUOTE, pc.replace_substring(some, '"', '""'), _QUOTE, _NOTHING)
            text = pc.replace_with_mask(text, special, quoted)
        cells.append(pc.fill_null(text, _NOTHING))
    if not len(frame):
        return b""
    lines = pc.binary_join_element_wise(
        pc.binary_join_element_wise(*cells, _COMMA), _NEWLINE, _NOTHING)
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    # the lines are the array's data buffer, one after another, between its first and last
    # offsets
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[
        lines.offset:lines.offset + len(lines) + 1]
    return lines.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])).to_pybytes()


def _safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells are safe in a spreadsheet (see :func:`write_csv`).

    Columns of text (a string dtype, or objects that are all ``str`` or NA) are escaped in
    pyarrow, without a Python call per cell; an object column mixing text and other values
    (rare) is escaped cell by cell, its non-text cells kept as they are.
    """
    out = frame.copy(deep=False)
    for position in range(out.shape[1]):
        values = out.iloc[:, position]
        if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            continue
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "empty":
            continue
        if kind == "string":
            text = _arrow_text(values)
            if _holding(text, b"\r").any():  # rare: a plain search first
                text = pc.replace_substring_regex(text, _LINE_BREAK.pattern, "\n")
            # a leading "'" (as _FORMULA's ``'\1`` puts it) on the cells that start a
            # formula only: the others are not copied
            formula = _starting(text, _FORMULA_STARTS)
            if formula.any():
                formula = pa.array(formula)
                text = pc.replace_with_mask(text, formula, pc.binary_join_element_wise(
                    _APOSTROPHE, pc.filter(text, formula), _NOTHING))
            safe = pd.Series(pd.arrays.ArrowExtensionArray(text), index=values.index)
        else:
            safe = pd.Series(_SAFE_CELLS(values.to_numpy(dtype=object)), index=values.index,
                             dtype=object)
        out.isetitem(position, safe)
    return out


_LINE_BREAK = re.compile(r"\r\n?")
_APOSTROPHE = pa.scalar("'", pa.large_string())


def _arrow_text(values: pd.Series) -> pa.Array:
    """A column of text (NA as null) as one pyarrow ``large_string`` array."""
    text = pa.array(values.array if values.dtype != object else values.to_numpy(),
                    type=pa.large_string(), from_pandas=True)
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


#: The first characters of a formula (:data:`_FORMULA`), as UTF-8 bytes.
_FORMULA_STARTS = b"=+-@\t\r"


def _utf8(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A ``large_string`` array's bytes, each cell's offsets into them, and which are given.

    The cells' UTF-8 bytes are read where arrow keeps them (no copy): an ASCII character
    is one byte that no other character's encoding holds, so a search for it in the bytes
    is a search in the text.
    """
    _, offsets, data = text.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
    given = np.ones(len(text), dtype=bool) if not text.null_count else (
        pc.is_valid(text).to_numpy(zero_copy_only=False))
    return data, offsets, given


def _holding(text: pa.Array, chars: bytes) -> np.ndarray:
    """Whether each cell of ``text`` holds one of the ASCII ``chars`` (False where null)."""
    data, offsets, given = _utf8(text)
    body = data[offsets[0]:offsets[-1]]
    hit = body == chars[0]
    for char in chars[1:]:
        hit |= body == char
    out = np.zeros(len(text), dtype=bool)
    out[np.searchsorted(offsets, np.flatnonzero(hit) + offsets[0], side="right") - 1] = True
    return out & given


def _starting(text: pa.Array, chars: bytes) -> np.ndarray:
    """Whether each cell of ``text`` starts with one of the ASCII ``chars``."""
    data, offsets, given = _utf8(text)
    starts = offsets[:-1]
    filled = given & (offsets[1:] > starts)
    first = np.zeros(len(text), dtype=np.uint8)
    first[filled] = data[starts[filled]]
    return filled & np.isin(first, np.frombuffer(chars, dtype=np.uint8))


def _safe_cell(value: object) -> object:
    """One cell made safe (see :func:`write_csv`); values that are not text are kept."""
    if not isinstance(value, str):
        return value
    value = _LINE_BREAK.sub("\n", value)
    return "'" + value if _FORMULA.match(value) else value


_SAFE_CELLS = np.frompyfunc(_safe_cell, 1, 1)


def _geometry_name(frame: pd.DataFrame) -> str | None:
    """The active geometry column of a GeoDataFrame, None for a frame without one."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return None
    name = frame.active_geometry_name
    return name if name in frame.columns else None


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where each datetime column is ISO text: dates alone when there is no time."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if not pd.api.types.is_datetime64_any_dtype(column.dtype):
            continue
        dated = column.dropna()
        if column.dt.tz is not None:
            form = "%Y-%m-%dT%H:%M:%S%z"
        elif (dated != dated.dt.normalize()).any():
            form = "%Y-%m-%dT%H:%M:%S"
        else:
            form = "%Y-%m-%d"
        text = column.dt.strftime(form).to_numpy(dtype=object)
        out[name] = pd.array(np.where(column.isna(), None, text), dtype="str")
    return out
