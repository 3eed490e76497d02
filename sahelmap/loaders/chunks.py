"""Read one report file in chunks of rows, each chunk as :func:`~.files.read_table` reads it.

A CSV file is read by pyarrow's streaming CSV reader, a block at a time, every cell as text
(NA where empty), so memory holds one chunk whatever the file's size. The row numbers are the
CSV lines, as :mod:`~sahelmap.loaders.files` gives them; they hold only when every record is
one line, which is checked against the file's line count once the file is read. When a file
needs what the streaming reader does not do, it is read again another way, and the chunks
already given are taken back (:class:`_Reread`):

- bytes that are not UTF-8: Windows-1252, then Latin-1 (as :func:`~.files.read_table`);
- blank lines or rows with fewer cells than the header: pandas' C parser in chunks;
- records over several lines, a quote that never closes, more cells than the header, and
  every other format (XLSX, GeoJSON, GeoPackage, API JSON): the file read whole by
  :func:`~.files.read_table` (its damage handling kept), then cut into chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from csv import reader as reader_of
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sahelmap.errors import InputFileError, SahelmapError
from sahelmap.loaders.columns import is_hxl_row
from sahelmap.loaders.files import (
    RawTable,
    _count_lines,
    _format,
    _sniff_separator,
    _unique_names,
    read_table,
)

__all__ = ["FileChunks"]

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_BYTES_PER_ROW_FALLBACK = 200


class _Reread(SahelmapError):
    """The file must be read again in another ``mode`` or ``encoding`` (chunks taken back).

    Internal: :mod:`~sahelmap.loaders.streaming` catches it; it never reaches the user.
    """

    def __init__(self, mode: str, encoding: str | None = None, why: str = ""):
        super().__init__(why)
        self.mode, self.encoding, self.why = mode, encoding, why

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.mode, self.encoding, self.why)  # pickled whole, not its text


@dataclass
class FileChunks:
    """How to read one file in chunks; iterate to get :class:`~.files.RawTable` chunks.

    Parameters
    ----------
    path : pathlib.Path
    rows : int
        Rows per chunk at most.
    mode : {"arrow", "pandas", "whole"}
        The reader (see the module docstring); ``"arrow"`` for CSV files unless told.
    encoding : str, optional
        The CSV encoding; by default UTF-8, then Windows-1252, then Latin-1.
    """

    path: Path
    rows: int
    mode: str = ""
    encoding: str | None = None
    sheet: str | int | None = None
    layer: str | int | None = None
    header_hint: Callable[[list[object]], bool] | None = None
    lines: int = 0  #: physical lines of a CSV file (for the progress bar and the check)
    told: bool = False  #: the encoding was the user's (no other is tried)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.mode:
            self.mode = "arrow" if self._is_csv() else "whole"
        if self.mode != "whole" and self._needs_whole_reader():
            self.mode = "whole"
        if self.mode != "whole":
            self.lines, quotes = _count_lines(self.path)
            if quotes % 2:  # a quote that never closes: the damaged-file reader
                self.mode = "whole"

    def _needs_whole_reader(self) -> bool:
        """UTF-16 text, a ``sep=`` hint or title lines above the header: read_table's work."""
        from sahelmap.loaders.files import _preamble, _utf16

        if not self.path.is_file() or _utf16(self.path):
            return True
        # latin-1 decodes any byte: enough to find the header line, whatever the encoding
        return _preamble(self.path, "latin-1", self.header_hint).skip > 0

    def _is_csv(self) -> bool:
        from sahelmap.loaders.files import _CSV

        if not self.path.is_file() or self.path.stat().st_size == 0:
            return False  # read_table says what is wrong
        return self.path.suffix.lower() in _CSV or (
            self.path.suffix.lower() not in {".json", ".xlsx", ".xlsm", ".xls"}
            and _format(self.path) == "csv")

    def __iter__(self) -> Iterator[RawTable]:
        if self.mode == "whole":
            return self._whole()
        return self._stream()

    # -- a file read whole, cut into chunks ------------------------------------------------
    def _whole(self) -> Iterator[RawTable]:
        table = read_table(self.path, sheet=self.sheet, layer=self.layer,
                           encoding=self.encoding, header_hint=self.header_hint)
        n = len(table.frame)
        for start in range(0, max(n, 1), self.rows):
            end = min(start + self.rows, n)
            cut = slice(start, end)
            yield RawTable(
                table.path, table.frame.iloc[cut].reset_index(drop=True), table.rows[cut],
                table.hxl_tags,
                None if table.point_lon is None else table.point_lon[cut],
                None if table.point_lat is None else table.point_lat[cut],
                table.n_blank if start == 0 else 0, table.sheet, table.note)

    # -- a CSV file streamed -----------------------------------------------------------------
    def _stream(self) -> Iterator[RawTable]:
        encoding = self.encoding or _ENCODINGS[0]
        with open(self.path, encoding=encoding, newline="", errors="replace") as handle:
            sep = _sniff_separator(handle.readline())
        blocks = self._arrow(encoding, sep) if self.mode == "arrow" else self._pandas(
            encoding, sep)
        header: list[str] | None = None
        hxl: list[str] | None = None
        records = 0
        for block in blocks:
            if not len(block.columns):
                continue
            rows = np.arange(records + 1, records + 1 + len(block), dtype="int64")
            records += len(block)
            if header is None:
                header, block, rows = block.iloc[0].tolist(), block.iloc[1:], rows[1:]
                if is_hxl_row(header):
                    hxl = ["" if h is None or pd.isna(h) else str(h) for h in header]
                elif len(block) and is_hxl_row(block.iloc[0].tolist()):
                    hxl = ["" if pd.isna(h) else str(h) for h in block.iloc[0].tolist()]
                    block, rows = block.iloc[1:], rows[1:]
                names = _unique_names(header)
            if block.shape[1] != len(names):
                raise _Reread("pandas", encoding, "rows of another width")
            yield _chunk(self.path, names, block, rows, hxl)
        if header is None:
            raise InputFileError("file has no header row", path=self.path)
        if records != self.lines:  # blank lines (arrow) or records over several lines
            raise _Reread("pandas" if self.mode == "arrow" else "whole", encoding,
                         f"{records} records on {self.lines} lines")

    def _arrow(self, encoding: str, sep: str) -> Iterator[pd.DataFrame]:
        import pyarrow as pa
        from pyarrow import csv

        size = self.path.stat().st_size
        per_row = size / max(self.lines, 1) or _BYTES_PER_ROW_FALLBACK
        # arrow reads up to 32 blocks ahead of the rows asked for, whatever the checks'
        # pace: small blocks (a few thousand rows) keep that read-ahead to a few dozen MB
        block = int(min(max(per_row * 4_000, 1 << 20), 1 << 24))

        def invalid(row: object) -> str:
            return "error"  # rows of another width: read by pandas instead

        options = {
            "read_options": csv.ReadOptions(
                autogenerate_column_names=True, block_size=block,
                encoding="utf8" if encoding == "utf-8-sig" else encoding),
            "parse_options": csv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                              invalid_row_handler=invalid)}
        try:
            with open(self.path, encoding=encoding, newline="") as handle:
                width = len(next(reader_of([handle.readline()], delimiter=sep)))
            types = {f"f{i}": pa.string() for i in range(width)}
            reader = csv.open_csv(self.path, **options, convert_options=csv.ConvertOptions(
                strings_can_be_null=True, null_values=[""], column_types=types,
                quoted_strings_can_be_null=True))
            pending: list[pa.RecordBatch] = []
            n = 0
            for batch in reader:  # gathered into chunks of self.rows rows
                pending.append(batch)
                n += batch.num_rows
                while n >= self.rows:
                    table = pa.Table.from_batches(pending)
                    yield _frame(table.slice(0, self.rows), width)
                    rest = table.slice(self.rows)
                    pending, n = rest.to_batches(), rest.num_rows
            if n:
                yield _frame(pa.Table.from_batches(pending), width)
        except UnicodeDecodeError:
            raise self._next_encoding(encoding) from None
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) or "utf8" in str(exc).lower():
                raise self._next_encoding(encoding) from None
            raise _Reread("pandas", encoding, str(exc)) from None

    def _pandas(self, encoding: str, sep: str) -> Iterator[pd.DataFrame]:
        try:
            with pd.read_csv(self.path, sep=sep, header=None, dtype=str, encoding=encoding,
                             keep_default_na=False, na_values=[""], skip_blank_lines=False,
                             engine="c", chunksize=self.rows) as reader:
                yield from reader
        except UnicodeDecodeError:
            raise self._next_encoding(encoding) from None
        except pd.errors.ParserError as exc:
            raise _Reread("whole", encoding, str(exc)) from None
        except ValueError as exc:
            raise InputFileError(f"not a readable CSV file ({str(exc).strip()})",
                                 path=self.path) from None

    def _next_encoding(self, encoding: str) -> _Reread:
        """Read again in the next encoding; whole (where read_table says why) after the last."""
        at = _ENCODINGS.index(encoding) if encoding in _ENCODINGS else len(_ENCODINGS)
        if self.told or at + 1 >= len(_ENCODINGS):
            return _Reread("whole", self.encoding, "cannot decode")
        return _Reread(self.mode, _ENCODINGS[at + 1], f"not {encoding}")


def _chunk(path: Path, names: list[str], block: pd.DataFrame, rows: np.ndarray,
           hxl: list[str] | None) -> RawTable:
    """Name the columns of a chunk of text cells and drop its blank rows (counted)."""
    body = block.set_axis(names, axis=1)
    blank = body.isna().all(axis=1).to_numpy()
    n_blank = int(blank.sum())
    if n_blank:
        body, rows = body[~blank], rows[~blank]
    for name in names:
        if body[name].dtype != "str":
            body[name] = body[name].astype("str")
    return RawTable(str(path), body.reset_index(drop=True), np.asarray(rows, dtype="int64"),
                    hxl, None, None, n_blank)


def _frame(table: Any, width: int) -> pd.DataFrame:
    """An arrow table's columns as a frame of text columns numbered 0 to width - 1."""
    return pd.DataFrame({i: table.column(i).to_pandas() for i in range(width)})
