"""Rejected rows kept on disk while a streamed load runs: :class:`RejectedSpill`.

A streamed load (:mod:`sahelmap.loaders.streaming`) rejects rows chunk by chunk, each with
every cell of the user's row. Kept in memory, they would grow with the input (a sixth of a
real export can be rejected, each row with its notes). Here each chunk's rejected rows go to
a file in a private temporary folder as soon as the chunk is checked, and their *head*
(file, row, field, column, value, reason and position in the load) to another: while the
chunks are read, memory keeps only each part's last position. At the end of the load,
problems added to rows already rejected are applied to the heads a part at a time (read
back, written again); rows rejected at the end (repeated identifiers, merged duplicates)
keep their heads in memory and their cells on disk. The heads are then read back once, into
one frame, which is all the accounting, counts and summaries read; the cells are read back
one chunk at a time (:meth:`RejectedSpill.parts`), in the order
:func:`~sahelmap.read_events` gives.

The folder is removed when the spill is garbage-collected (with the result that holds it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from sahelmap.errors import SahelmapError

__all__ = ["RejectedSpill", "SpilledFrames", "HEAD_COLUMNS", "TEXT_COLUMNS"]

#: The columns of a rejected row kept in memory (``_at``: its position in the load).
HEAD_COLUMNS = ("source_file", "source_row", "field", "column", "value", "reason", "_at")
#: The columns a load's rejected frame holds as ``str``.
TEXT_COLUMNS = ("source_file", "column", "field", "value", "reason")
#: The head columns that end-of-load problems change.
_CHANGED = ("field", "column", "value", "reason")


class _Part:
    """One chunk's rejected rows: the rows in a file (or in memory), the head apart.

    While the chunks are read, the head waits on disk too (``heads``, the same number);
    it is read back when first asked, at the end of the load. Rows rejected at the end
    (whole rows, with their cells) are placed among them by ``_at``: their heads in
    memory (``late``), their cells on disk (``late_files``).
    """

    def __init__(self, frame: pd.DataFrame, number: int | None, heads: SpilledFrames):
        self.columns = list(frame.columns)
        self.last = int(frame["_at"].iloc[-1]) if len(frame) else -1  # position in the load
        self.number = number  # of the frame on disk, and of its head
        self.frame = None if number is not None else frame
        self.heads = heads
        self._head: pd.DataFrame | None = None
        if number is None:
            self._head = frame[list(HEAD_COLUMNS)].copy()
        else:
            heads.append(frame[list(HEAD_COLUMNS)])
        self.late: list[pd.DataFrame] = []  # heads of whole rows rejected at the end
        self.late_files: list[int] = []  # their rows with cells, in the spill's late files

    def cells(self, files: SpilledFrames, late: SpilledFrames, late_columns: list[str],
              head: pd.DataFrame) -> pd.DataFrame:
        """The rows with their cells, late rows in place, ``head`` their final head."""
        frame = files[self.number] if self.number is not None else self.frame.copy()
        if self.late_files:
            frame = pd.concat([frame, *[_late_frame(late[number], late_columns)
                                        for number in self.late_files]]
                              ).sort_values("_at", kind="stable")
        for name in _CHANGED:  # by position, as they are (arrow text not made Python's)
            frame[name] = head[name].array
        return frame

    @property
    def head(self) -> pd.DataFrame:
        """The head (file to reason, ``_at``): changing it in place changes the rows."""
        if self._head is None:
            self._head = self.heads[self.number]
        return self._head

    def put_head(self, head: pd.DataFrame) -> None:
        """Keep a changed head (back on disk when it waits there)."""
        if self.number is None:
            self._head = head
        else:
            self.heads.replace(self.number, head)
            self._head = None

    def final_head(self) -> pd.DataFrame:
        """The head with the late rows in place; the part lets its own head go."""
        head, self._head = self.head, None
        if self.late:
            head = pd.concat([head, *self.late]).sort_values("_at", kind="stable")
        return head


def _late_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A file of late rows with every late column, as one concatenated frame would have."""
    missing = [name for name in columns if name not in frame.columns]
    if not missing:
        return frame[columns]
    return frame.reindex(columns=columns).astype({name: "str" for name in missing})


class SpilledFrames:
    """Frames written to disk as they come, read back in order (what a load needs at its end).

    Parameters
    ----------
    folder : path-like, optional
        Where to make the temporary folder (default: the system's, see :mod:`tempfile`).

    Examples
    --------
    >>> frames = SpilledFrames()
    >>> frames.append(pd.DataFrame({"a": [1, 2]}))
    >>> [len(frame) for frame in frames]
    [2]
    """

    def __init__(self, folder: str | Path | None = None, *, prefix: str = "load") -> None:
        self._folder = tempfile.TemporaryDirectory(prefix=f"sahelmap-{prefix}-", dir=folder)
        self._paths: list[Path] = []
        self._count = 0

    def __len__(self) -> int:
        return len(self._paths)

    def __getitem__(self, number: int) -> pd.DataFrame:
        return pd.read_pickle(self._paths[number])

    @property
    def folder(self) -> Path:
        """The temporary folder (removed when this object is garbage-collected)."""
        return Path(self._folder.name)

    def append(self, frame: pd.DataFrame) -> None:
        """Write ``frame`` to disk, after those already kept."""
        path = Path(self._folder.name) / f"{self._count}.pkl"
        self._count += 1
        frame.to_pickle(path)
        self._paths.append(path)

    def replace(self, number: int, frame: pd.DataFrame) -> None:
        """Write ``frame`` to disk in place of frame ``number``."""
        frame.to_pickle(self._paths[number])

    def truncate(self, size: int) -> None:
        """Forget every frame after the first ``size`` (a file read again)."""
        for path in self._paths[size:]:
            path.unlink(missing_ok=True)
        del self._paths[size:]

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for path in self._paths:
            yield pd.read_pickle(path)


class RejectedSpill:
    """The rejected rows of a streamed load, each chunk's written to disk as it comes.

    Parameters
    ----------
    folder : path-like, optional
        Where to make the temporary folder (default: the system's, see :mod:`tempfile`).

    Examples
    --------
    >>> spill = RejectedSpill()
    >>> part = pd.DataFrame({"source_file": ["a.csv"], "source_row": [3], "field": ["date"],
    ...                      "column": ["event_date"], "value": ["32/13/2022"],
    ...                      "reason": ["not a date"], "notes": ["long text"], "_at": [1]})
    >>> spill.add(part)
    >>> spill.frame()[["source_row", "field", "notes"]].values.tolist()
    [[3, 'date', 'long text']]
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self._files = SpilledFrames(folder, prefix="rejected")
        self._heads = SpilledFrames(folder, prefix="heads")  # each part's head, apart
        self._late = SpilledFrames(folder, prefix="late")  # cells of rows rejected at the end
        self._late_columns: list[str] = []
        self._kept: list[_Part] = []  # the parts with rows, one file each
        self._empty: list[_Part] = []  # the first empty part, for its columns and types
        self._head: pd.DataFrame | None = None  # every part's head, once finished
        self._bounds: list[int] = []  # where each part's rows start in it

    @property
    def folder(self) -> Path:
        """The temporary folder (removed when this object is garbage-collected)."""
        return self._files.folder

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def _parts(self) -> list[_Part]:
        return self._kept or self._empty

    def add(self, frame: pd.DataFrame) -> None:
        """Keep one chunk's rejected rows (with an ``_at`` column): on disk unless empty.

        An empty chunk is kept in memory only while no rows were kept (its columns and
        types stand for an empty result).
        """
        self._open()
        if not len(frame):
            if not self._empty:
                self._empty.append(_Part(frame, None, self._heads))
            return
        self._files.append(frame)
        self._kept.append(_Part(frame, len(self._files) - 1, self._heads))

    def truncate(self, size: int) -> None:
        """Forget every part with rows after the first ``size`` (a file read again)."""
        self._open()
        self._files.truncate(size)
        self._heads.truncate(size)
        del self._kept[size:]

    @property
    def heads(self) -> list[pd.DataFrame]:
        """Each part's head, in load order; changing them in place changes the rows.

        Once :meth:`head` was asked, they are slices of its frame (late rows in place).
        """
        if self._head is not None:
            return [self._head.iloc[start:end]
                    for start, end in zip(self._bounds, self._bounds[1:])]
        return [part.head for part in self._parts]

    def lasts(self) -> np.ndarray:
        """The position in the load of each part's last row (-1 for an empty part)."""
        return np.array([part.last for part in self._parts], dtype="int64")

    def head_of(self, k: int) -> pd.DataFrame:
        """Part ``k``'s head, read back (:meth:`put_head` keeps a change)."""
        self._open()
        part = self._parts[k]
        head, part._head = part.head, part._head if part.number is None else None
        return head

    def put_head(self, k: int, head: pd.DataFrame) -> None:
        """Keep part ``k``'s head as changed (back on disk)."""
        self._open()
        self._parts[k].put_head(head)

    def add_late(self, k: int, head: pd.DataFrame) -> None:
        """Whole rows rejected at the end, placed by ``_at`` among part ``k``'s rows.

        ``head`` holds their :data:`HEAD_COLUMNS`, kept in memory; their cells are given
        apart, with :meth:`add_late_cells`.
        """
        self._open()
        if len(head):
            self._parts[k].late.append(head[list(HEAD_COLUMNS)])

    def add_late_cells(self, k: int, rows: pd.DataFrame) -> None:
        """Some of the rows of part ``k`` given to :meth:`add_late`, whole: written to disk.

        ``rows`` holds their head, their cells and ``_at``.
        """
        self._open()
        if len(rows):
            self._late.append(rows)
            self._parts[k].late_files.append(len(self._late) - 1)
            known = set(self._late_columns)
            self._late_columns += [name for name in rows.columns if name not in known]

    def set_late_columns(self, columns: list[str]) -> None:
        """The columns of the late rows, in the order one concatenated frame has them."""
        self._late_columns = list(columns)

    def _open(self) -> None:
        if self._head is not None:
            raise SahelmapError("internal error: the rejected rows were finished, none can be "
                                "added or changed")

    def _finished(self) -> pd.DataFrame:
        """Every part's final head (with ``_at``), built once; the parts' heads then go."""
        if self._head is None:
            parts = self._parts
            heads = []
            for part in parts:  # each part's head let go as soon as it is taken
                heads.append(part.final_head())
                part.late = []
            sizes = [len(head) for head in heads]
            self._head = pd.concat(heads, ignore_index=True)
            del heads
            self._bounds = [0, *np.cumsum(sizes).tolist()]
        return self._head

    def head(self) -> pd.DataFrame:
        """Every rejected row's head columns (no ``_at``), as :meth:`frame` has them.

        After this, no row can be added.
        """
        return _finish(self._finished())

    def columns(self) -> list[str]:
        """The columns of :meth:`frame`, as :func:`pandas.concat` of the parts orders them."""
        names = [names for part in self._parts
                 for names in (part.columns, self._late_columns if part.late_files else [])]
        return [c for c in pd.concat([pd.DataFrame(columns=n) for n in names]).columns
                if c != "_at"]

    def _cells(self) -> Iterator[pd.DataFrame]:
        head = self._finished()
        for part, start, end in zip(self._parts, self._bounds, self._bounds[1:]):
            yield part.cells(self._files, self._late, self._late_columns,
                             head.iloc[start:end])

    def parts(self) -> Iterator[pd.DataFrame]:
        """Each part's rows with their cells, read back one part at a time."""
        for cells in self._cells():
            yield _finish(cells)

    def frame(self) -> pd.DataFrame:
        """Every rejected row with its cells, read back into one frame."""
        return _finish(pd.concat(list(self._cells()), ignore_index=True))


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="_at").astype({n: "str" for n in TEXT_COLUMNS})
