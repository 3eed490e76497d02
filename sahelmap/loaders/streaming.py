"""Event files of any size, read in chunks: :func:`stream_events`.

Each chunk goes through the same checks and geocoding as :func:`~sahelmap.read_events`;
what spans rows waits for the whole input, kept compact:

- the **day/month order** of the date column is decided over every file's rows: when a
  later chunk tells another order than the one used so far, the load starts again in the
  order the whole column tells (at most twice);
- **one record per event identifier** (ACLED's dyadic rows): each row with an identifier
  leaves its identifier, day, place, coordinates and fatalities; the rows kept and merged
  are chosen at the end, as :meth:`~sahelmap.loaders.events._Events.check_repeats` does;
- **duplicate reports** across sources and files: each accepted row leaves a 64-bit hash of
  its key and of its source; groups are flagged and merged at the end by
  :func:`~sahelmap.loaders.duplicates.flag_duplicates`.

Only the columns the aggregation needs are kept of the accepted rows (dates, fatalities,
P-codes, file and row). What waits for the end but is read only then goes to a private
temporary folder as each chunk is checked (:mod:`sahelmap.loaders.spill`): the rejected rows
with their cells (their heads apart, read back at the end, for counts), the identifier rows,
and the cells of rows that repeat an identifier or a duplicate key seen before. The merge
at the end reads these back a part at a time, and writes the cells of the rows it rejects
to disk as it finds them. The result is a
:class:`~sahelmap.loaders.result.SpilledResult` whose accepted and rejected rows are those
:func:`~sahelmap.read_events` gives for the same files.
"""

from __future__ import annotations

import copy
import ctypes
import ctypes.util
import gc
import logging
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import union_categoricals

from sahelmap.errors import OptionError, SahelmapError
from sahelmap.loaders.checks import Problems
from sahelmap.loaders.chunks import FileChunks, _Reread
from sahelmap.loaders.columns import recognise_columns
from sahelmap.loaders.dates import DateMemo, column_order
from sahelmap.loaders.duplicates import flag_duplicates, merge_sources, source_key
from sahelmap.loaders.events import MERGED_REPEAT, _Events, _join_distinct
from sahelmap.loaders.keys import distinct, in_sorted, repeated
from sahelmap.loaders.records import merged_duplicates
from sahelmap.loaders.result import LoadResult, SpilledResult
from sahelmap.loaders.spill import RejectedSpill, SpilledFrames
from sahelmap.loaders.tables import Options, PathOrPaths, Table, as_paths, recognise, table_notes
from sahelmap.loaders.workers import Workers, start_workers
from sahelmap.vocab import REJECTED_COLUMNS, vocabulary

__all__ = ["stream_events", "ACCEPTED_COLUMNS"]

logger = logging.getLogger("sahelmap.loaders")

#: The columns of the accepted rows a streamed load keeps (what the aggregation reads).
ACCEPTED_COLUMNS = ("source_file", "source_row", "event_date", "fatalities", "adm0_pcode",
                    "adm1_pcode", "adm2_pcode")
_TEXT = ("source_file", "adm0_pcode", "adm1_pcode", "adm2_pcode")
_ID_TEXT = ("source_file", "date", "place")
_WHERE = ["at", "_file", "source_file", "source_row"]
#: The options of :func:`sahelmap.read_events`, and their defaults.
_DEFAULTS = dict(columns=None, event_types=None, dayfirst=True, today=None, gazetteer=None,
                 fuzzy_threshold=85.0, on_unmatched="reject", merge_duplicates=False,
                 sheet=None, layer=None, encoding=None, prefer="point", country=None,
                 max_counts=None)


def stream_events(paths: PathOrPaths, *, chunk_rows: int = 50_000,
                  progress: Any = None,
                  columns: Any = None, event_types: Any = None, dayfirst: bool = True,
                  today: Any = None, gazetteer: Any = None, fuzzy_threshold: float = 85.0,
                  on_unmatched: str = "reject", merge_duplicates: bool = False,
                  sheet: str | int | None = None, layer: str | int | None = None,
                  encoding: str | None = None, prefer: str = "point",
                  country: str | None = None, max_counts: Any = None,
                  window: tuple[Any, Any] | None = None, workers: int = 1) -> LoadResult:
    r"""Read event files in chunks of ``chunk_rows`` rows, in bounded memory.

    Takes the options of :func:`sahelmap.read_events` and gives the same accepted and
    rejected rows, but ``accepted`` holds only :data:`ACCEPTED_COLUMNS` (enough for
    :func:`sahelmap.summarize`), and ``duplicates`` only ``source_file, source_row,
    duplicate_group, is_duplicate``. Memory holds one chunk and about 100 bytes per row
    for what spans rows (identifier and duplicate-key hashes, the aggregation's columns);
    the rejected rows wait on disk, their heads (file, row, field, reason) read back at the
    end, their cells when asked (``rejected`` reads them back, ``rejected_parts()`` a chunk
    at a time).

    Parameters
    ----------
    paths : path-like or sequence of path-likes
    chunk_rows : int
        Rows read and checked at a time.
    progress : tqdm-like, optional
        A progress bar: ``progress.update(rows)`` after each chunk (with a negative count
        when a file is read again); its ``total`` is set to the rows of the CSV files
        (their lines) before reading, so that it shows an ETA.
    window : (start, end), optional
        Accepted rows whose event date falls within (both ends included) keep every column
        :func:`sahelmap.read_events` gives them, in the result's ``detail`` (a
        GeoDataFrame, in input order; empty without a window): the events of the weeks a
        map shows, out of a file of any size.
    workers : int
        Processes that check and geocode chunks while this one reads the next chunks and
        takes their results, in input order (the result is the same whatever the number).
        1 (the default): the chunks are checked here. Each worker holds its own copy of
        what the geocoder remembers and a few chunks: about 200 MB per worker with
        50,000-row chunks (2 workers: 1.25x faster on two cores, 330 MB more in all, for
        1M rows). Where processes cannot be forked (Windows), the chunks are checked here.
    **options
        As :func:`sahelmap.read_events`.

    Returns
    -------
    LoadResult

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("event_id_cnty,event_date,location,event_type,fatalities,actor2\n"
    ...                     "MLI1,2022-09-12,Gao,attack,11,Civilians\n"
    ...                     "MLI1,2022-09-12,Gao,attack,11,Military\n"
    ...                     "MLI2,13/09/2022,Nowhere-ville,clash,2,\n", encoding="utf-8")
    >>> result = stream_events(path, chunk_rows=1, today="2024-01-01")
    >>> result.accepted[["source_row", "event_date", "adm1_pcode"]].values.tolist()
    [[2, Timestamp('2022-09-12 00:00:00'), 'ML07']]
    >>> result.rejected[["source_row", "field"]].values.tolist()
    [[3, 'event_id'], [4, 'place']]
    """
    return _streamed(paths, chunk_rows, progress, dict(
        columns=columns, event_types=event_types, dayfirst=dayfirst, today=today,
        gazetteer=gazetteer, fuzzy_threshold=fuzzy_threshold, on_unmatched=on_unmatched,
        merge_duplicates=merge_duplicates, sheet=sheet, layer=layer, encoding=encoding,
        prefer=prefer, country=country, max_counts=max_counts), window=window,
        workers=workers)[0]


def _streamed(paths: PathOrPaths, chunk_rows: int, progress: Any, options: dict[str, Any],
              window: tuple[Any, Any] | None = None, workers: int = 1
              ) -> tuple[LoadResult, _Load]:
    """:func:`stream_events`, with the load that gave the result (its hashes, its order)."""
    from sahelmap.geocoding.geocoder import _geocoder

    if chunk_rows < 1:
        raise OptionError(f"chunk_rows must be 1 or more, not {chunk_rows}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise OptionError(f"workers must be a whole number, 1 or more, not {workers!r}")
    unknown = set(options) - set(_DEFAULTS)
    if unknown:
        raise OptionError(f"unknown option(s) {', '.join(sorted(unknown))}; the options are "
                          f"those of read_events: {', '.join(_DEFAULTS)}")
    options = {**_DEFAULTS, **options}
    terms = vocabulary("events", options.pop("event_types"))
    # indexed once, not once per chunk (the bundled gazetteer's index is shared). The load
    # remembers its names on a copy of the geocoder: the shared one is never changed, so
    # loads in several threads of one process don't see each other's memory.
    coder = copy.copy(_geocoder(options["gazetteer"], options["fuzzy_threshold"]))
    coder.names = _RememberedNames(coder.names)
    checked = Options(**{**options, "gazetteer": coder})
    if window is not None:
        window = (pd.Timestamp(window[0]), pd.Timestamp(window[1]))
    work = _ChunkWork(checked, terms, window)
    # started once per load, after the geocoder is built: the workers inherit it
    pool = start_workers(workers, work)
    try:
        result = _passes(as_paths(paths), chunk_rows, progress, work, pool)
    except BaseException:
        if pool is not None:
            pool.close(abandon=True)
        raise
    if pool is not None:
        pool.close()
    return result


def _passes(paths: list, chunk_rows: int, progress: Any, work: _ChunkWork,
            pool: Workers | None) -> tuple[LoadResult, _Load]:
    """Read the files, again in another date order while the rows tell another."""
    order: tuple[bool | None, str] | None = None
    for _ in range(2):  # the order changes at most twice: assumed, told, mixed
        load = _Load(paths, work, chunk_rows, progress, order, pool)
        try:
            return load.run(), load
        except _OrderChanged as change:
            if progress is not None:
                progress.update(-load.rows_done)
            order = change.order
    load = _Load(paths, work, chunk_rows, progress, (None, "mixed"), pool)
    return load.run(), load


class _RememberedNames:
    """A geocoder's name matcher that matches each distinct name once per load, not per chunk.

    The same few thousand (place, country, admin1) triples come back in every chunk, and so
    do the admin units rows name (matched with ``kinds``): both are remembered, apart, as
    rows of a table of the matcher's results, which each call takes its rows from. The admin
    hints the geocoder resolves from those units are remembered too, per tuple, and so are
    the geocoder's whole results per distinct row key (``results``).
    """

    def __init__(self, names: Any):
        self.inner = names
        #: per ``kinds``: the row of each triple in the table of results, and the table
        self.known: dict[tuple | None, tuple[dict[tuple, int], pd.DataFrame]] = {}
        self.hints: dict[tuple, tuple] = {}
        #: the geocoder's results per distinct row key (see ``Geocoder._remembered``)
        self.results: dict[tuple, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def match(self, names: Any, countries: Any = None, admin1s: Any = None, *,
              kinds: Any = None) -> pd.DataFrame:
        """As the matcher's ``match``, from what earlier chunks matched where it can."""
        names = list(names)
        n = len(names)
        keys = list(zip(names, [None] * n if countries is None else list(countries),
                        [None] * n if admin1s is None else list(admin1s)))
        if not n:
            from sahelmap.geocoding import RESULT_COLUMNS

            return pd.DataFrame([], columns=RESULT_COLUMNS)
        kind = None if kinds is None else tuple(kinds)
        where, table = self.known.get(kind, ({}, None))
        todo = list(dict.fromkeys(k for k in keys if k not in where))
        if todo:
            from sahelmap.geocoding.results import stack_results

            found = self.inner.match(*zip(*todo), kinds=kinds).reset_index(drop=True)
            start = 0 if table is None else len(table)
            where.update(zip(todo, range(start, start + len(todo))))
            table = found if table is None else stack_results([table, found])
            self.known[kind] = (where, table)
        return table.take(np.fromiter((where[k] for k in keys), dtype=np.int64, count=n)
                          ).reset_index(drop=True)

    def resolve_admin_hints(self, countries: list[Any], admin1s: list[Any],
                            admin2s: list[Any], admin3s: list[Any]) -> pd.DataFrame:
        """:func:`~sahelmap.geocoding.hints.resolve_admin_hints`, once per tuple per load."""
        from sahelmap.geocoding.hints import HINT_COLUMNS, resolve_admin_hints

        keys = list(zip(countries, admin1s, admin2s, admin3s))
        todo = [k for k in dict.fromkeys(keys) if k not in self.hints]
        if todo:
            found = resolve_admin_hints(self, *(list(values) for values in zip(*todo)))
            # NA as resolve_admin_hints writes it (None), whatever dtype the frame gave
            columns = [np.where(pd.isna(found[c]).to_numpy(), None,
                                found[c].to_numpy(dtype=object)) for c in HINT_COLUMNS]
            self.hints.update(zip(todo, zip(*columns)))
        rows = [self.hints[k] for k in keys]
        return pd.DataFrame({c: np.array([row[i] for row in rows], dtype=object)
                             for i, c in enumerate(HINT_COLUMNS)})


class _OrderChanged(SahelmapError):
    """The rows read so far tell another day/month order: the load starts again (internal)."""

    def __init__(self, order: tuple[bool | None, str]):
        super().__init__(order[1])
        self.order = order

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.order,)  # its argument, not its message


class _ChunkWork:
    """What a chunk's check needs of its load: :meth:`__call__` checks one chunk.

    The same object checks the chunks here or in worker processes (each its copy, with its
    own date memo: a memo keyed by the order, so valid across the load's passes).
    """

    def __init__(self, options: Options, terms: dict[str, str],
                 window: tuple[pd.Timestamp, pd.Timestamp] | None):
        self.options, self.terms, self.window = options, terms, window
        self.dates = DateMemo()  # date texts parsed by earlier chunks

    def __call__(self, table: Table, order: tuple[bool | None, str]
                 ) -> tuple[_ChunkResult, pd.DataFrame | None]:
        """``table``'s rows checked, their dates read in ``order``; and its window rows."""
        chunk = _Chunk([table], self.options, self.terms)
        if self.window is not None:  # the window's rows keep every field and result
            chunk.window, chunk.kept_fields, chunk.kept_geocoded = self.window, None, None
        chunk.date_order = order
        chunk.date_memo = self.dates
        return chunk.run(), chunk.detail


class _Chunk(_Events):
    """One chunk's rows: every check but those across rows, which wait for the whole load."""

    kept_fields = ()  # the records keep ACCEPTED_COLUMNS only (see records)
    kept_geocoded = ("adm0_pcode", "adm1_pcode", "adm2_pcode")
    #: (start, end): the records of rows dated within are kept whole, in ``detail``
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None
    detail: pd.DataFrame | None = None

    def check_dates(self, field: str, parsed: Any, values: pd.Series) -> None:
        self.problems.add(field, parsed.mixed, values,
                          "day and month order differ within the column (dates such as "
                          "13/09/2022 and 09/13/2022 both appear): write the dates one way")

    def check_repeats(self, x: np.ndarray, y: np.ndarray) -> None:
        self.xy = (x, y)  # identifiers are compared over the whole load

    def records(self, good: Any, day: pd.Series, kind: pd.Series, sub_kind: pd.Series,
                killed: pd.Series) -> pd.DataFrame:
        """Only the records' columns a chunk keeps (:data:`ACCEPTED_COLUMNS`) and ``_row``.

        The others (notes, actors, geometry...) would be copied for nothing, but for the
        rows dated within :attr:`window`, whose whole records go to :attr:`detail`.
        """
        if self.window is not None:
            inside = day.between(*self.window).to_numpy()
            if inside.any():
                whole = _Events.records(self, good, day, kind, sub_kind, killed)
                self.detail = whole[inside]
        common = good.common
        out = pd.DataFrame({"source_file": common["source_file"],
                            "source_row": common["source_row"], "event_date": day,
                            "fatalities": killed}, index=common.index)
        out = pd.concat([out, good.geocoded], axis=1)
        out["_row"] = good.rows
        return out

    def finish(self, ok: np.ndarray, keys: pd.DataFrame, records: pd.DataFrame
               ) -> _ChunkResult:
        f = self.frame
        x, y = self.xy
        bad = self.problems.bad
        with_id = np.flatnonzero(f["event_id"].notna().to_numpy())
        ids = pd.DataFrame({
            "event_id": f["event_id"].iloc[with_id].to_numpy(),
            "source_row": f["source_row"].to_numpy()[with_id],
            "bad": bad[with_id],
            "day": self.day.to_numpy(dtype="datetime64[ns]")[with_id],
            "killed": self.killed[with_id], "x": x[with_id], "y": y[with_id],
            "at": with_id,
        })
        for name in _ID_TEXT:
            ids[name] = _category(f[name].iloc[with_id])
        rows = records["_row"].to_numpy()
        accepted = pd.DataFrame({name: records[name].to_numpy() if name in records
                                 else None for name in ACCEPTED_COLUMNS if name not in _TEXT})
        for name in _TEXT:
            accepted[name] = _category(records[name] if name in records else np.full(
                len(records), None, dtype=object))
        accepted = accepted[list(ACCEPTED_COLUMNS)]
        accepted["key"] = pd.util.hash_pandas_object(keys, index=False).to_numpy()
        accepted["source"] = pd.util.hash_pandas_object(
            source_key(f, rows), index=False).to_numpy()
        accepted["at"] = rows
        rejected = self.problems.table()
        return _ChunkResult(ids, accepted, rejected, self.rejected_table(rejected))


@dataclass
class _ChunkResult:
    ids: pd.DataFrame        #: rows with an event identifier (compact)
    accepted: pd.DataFrame   #: accepted rows (compact)
    problems: pd.DataFrame   #: Problems.table() of the chunk
    rejected: pd.DataFrame   #: rejected_table of the chunk


@dataclass
class _Parts:
    """What the chunks of a load leave, with each row's position in the whole load."""

    ids: SpilledFrames = field(default_factory=SpilledFrames)  # on disk
    id_hashes: list[np.ndarray] = field(default_factory=list)  # their identifiers' hashes
    accepted: list[dict[str, pd.Series]] = field(default_factory=list)  # columns apart
    rejected: RejectedSpill = field(default_factory=RejectedSpill)  # on disk
    raw: SpilledFrames = field(default_factory=SpilledFrames)  # cells of rows that may repeat
    detail: list[pd.DataFrame] = field(default_factory=list)  # whole records in the window

    def truncate(self, sizes: tuple[int, int, int, int, int]) -> None:
        n_ids, n_accepted, n_rejected, n_raw, n_detail = sizes
        self.rejected.truncate(n_rejected)
        self.ids.truncate(n_ids)
        self.raw.truncate(n_raw)
        for name, size in (("id_hashes", n_ids), ("accepted", n_accepted),
                           ("detail", n_detail)):
            del getattr(self, name)[size:]

    def sizes(self) -> tuple[int, int, int, int, int]:
        return (len(self.ids), len(self.accepted), len(self.rejected), len(self.raw),
                len(self.detail))


class _Seen:
    """A set of 64-bit hashes grown a chunk at a time (8 bytes per distinct key).

    Kept as sorted runs whose sizes at least double from the newest to the oldest, merged as
    they grow (a log-structured merge): adding n keys in chunks costs O(n log n) in all, and
    a look-up searches a few dozen runs at most. In front of the runs, a filter of
    :data:`_FILTER_BITS` bits (16 MB), one per value of a key's top bits, set for every key
    added: a key whose bit is clear was never seen, and is not searched for (most keys of a
    chunk are new; a search costs a few dozen cache misses per run, the filter one). With 5
    million keys, 4% of new keys find their bit set and are searched for; the answer is
    exact either way.
    """

    def __init__(self, runs: list[np.ndarray] | None = None) -> None:
        self.runs = list(runs or [])
        self.filter = np.zeros(1 << (_FILTER_BITS - 3), dtype=np.uint8)
        for run in self.runs:
            self._mark(run)

    @property
    def keys(self) -> np.ndarray:
        """Every key, sorted and distinct."""
        return distinct(np.concatenate(self.runs)) if self.runs else np.empty(0, "uint64")

    def repeats(self, keys: np.ndarray) -> np.ndarray:
        """True where a key was seen before (earlier chunk or earlier in ``keys``); add them."""
        keys = np.asarray(keys, dtype="uint64")
        if not len(keys):
            return np.zeros(0, dtype=bool)
        seen = pd.Series(keys).duplicated().to_numpy().copy()
        byte, bit = self._slots(keys)
        maybe = np.flatnonzero((self.filter[byte] >> bit) & 1)  # the others are new
        if len(maybe):
            order = maybe[np.argsort(keys[maybe])]  # sorted: each run walked once
            ordered = keys[order]
            for run in self.runs:
                seen[order] |= in_sorted(run, ordered)
        new = distinct(keys)
        self._mark(new)
        self.runs.append(new)
        while len(self.runs) > 1 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
            newest = self.runs.pop()
            self.runs[-1] = distinct(np.concatenate([self.runs[-1], newest]))
        return seen

    @staticmethod
    def _slots(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each key's byte of the filter and bit within it (from the key's top bits)."""
        slot = keys >> np.uint64(64 - _FILTER_BITS)
        return (slot >> np.uint64(3)).astype(np.intp), (slot & np.uint64(7)).astype(np.uint8)

    def _mark(self, keys: np.ndarray) -> None:
        byte, bit = self._slots(np.asarray(keys, dtype="uint64"))
        np.bitwise_or.at(self.filter, byte, np.left_shift(np.uint8(1), bit))


#: Bits of :class:`_Seen`'s filter (2**27 bits: 16 MB).
_FILTER_BITS = 27


class _Load:
    """One pass over the files, in a given date order.

    Each chunk is checked by ``work`` (:class:`_ChunkWork`), here or, given ``pool``, in
    worker processes while this one reads the next chunks; either way :meth:`take` takes
    the results in input order.
    """

    def __init__(self, paths: list, work: _ChunkWork, chunk_rows: int, progress: Any,
                 order: tuple[bool | None, str] | None, pool: Workers | None = None):
        self.paths, self.work, self.pool = paths, work, pool
        self.options, self.terms, self.window = work.options, work.terms, work.window
        self.chunk_rows, self.progress = chunk_rows, progress
        self.order = order  # forced after a change; else the running decision below
        self.told: tuple[bool, str] | None = None
        self.parts = _Parts()
        self.tables: list[Table] = []
        self.n_input = self.n_blank = self.rows_done = 0

    def header_hint(self, cells: list[object]) -> bool:
        found = recognise_columns([c for c in cells if c is not None], kind="events").fields
        return bool({"date", "place", "period"} & set(found))

    def run(self) -> LoadResult:
        o = self.options
        files = [FileChunks(path, self.chunk_rows, encoding=o.encoding, sheet=o.sheet,
                            layer=o.layer, header_hint=self.header_hint,
                            told=o.encoding is not None) for path in self.paths]
        if self.progress is not None and all(f.lines for f in files):
            self.progress.total = sum(f.lines - 1 for f in files)  # less each header
            self.progress.refresh()
        for number, chunks in enumerate(files):
            self.read_file(number, chunks)
        return self.resolve()

    def read_file(self, number: int, chunks: FileChunks) -> None:
        o, path = self.options, chunks.path
        state = (self.parts.sizes(), self.n_input, self.n_blank, len(self.tables))
        seen = (list(self.seen_ids.runs), list(self.seen_keys.runs)) if hasattr(
            self, "seen_ids") else None
        if seen is None:
            self.seen_ids, self.seen_keys = _Seen(), _Seen()
        while True:
            start = self.rows_done
            try:
                if self.pool is None:
                    for table in self.tables_of(chunks):
                        order = self.decide_order(_dates(table), self.rows_done)
                        self.take(number, table, *self.work(table, order))
                else:
                    self.take_from_workers(number, chunks)
                return
            except _Reread as again:
                logger.info("%s: read again (%s)", path, again.why)
                sizes, self.n_input, self.n_blank, count = state
                self.parts.truncate(sizes)
                del self.tables[count:]
                self.seen_ids, self.seen_keys = _Seen(seen and seen[0]), _Seen(
                    seen and seen[1])
                if self.progress is not None:
                    self.progress.update(start - self.rows_done)
                self.rows_done = start
                chunks = FileChunks(path, self.chunk_rows, mode=again.mode,
                                    encoding=again.encoding, sheet=o.sheet, layer=o.layer,
                                    header_hint=self.header_hint, told=chunks.told)

    def tables_of(self, chunks: FileChunks) -> Any:
        """The file's chunks with their columns recognised (the first one's table kept)."""
        for position, raw in enumerate(chunks):
            table = recognise(raw, "events", self.options.columns)
            if position == 0:
                self.tables.append(table)
            yield table

    def take_from_workers(self, number: int, chunks: FileChunks) -> None:
        """Have the workers check the file's chunks; take their results in input order.

        At most ``pool.depth`` chunks are in flight. What stops the reading here (the file
        read again, the date order changed, a file that cannot be read) is raised once the
        chunks sent before are taken, as one process would have taken them before meeting
        it: an error of a worker's among them comes first, and the load that starts again
        has nothing left in flight.
        """
        waiting: deque[tuple[Table, Future]] = deque()
        tables = self.tables_of(chunks)
        while True:
            try:
                table = next(tables, None)
                if table is not None:
                    ahead = sum(len(t.raw.frame) + t.raw.n_blank for t, _ in waiting)
                    order = self.decide_order(_dates(table), self.rows_done + ahead)
                    waiting.append((table, self.pool.submit(table, order)))
            except Exception:
                while waiting:
                    self.take_next(number, waiting)
                raise
            if table is None:
                break
            while len(waiting) >= self.pool.depth:
                self.take_next(number, waiting)
        while waiting:
            self.take_next(number, waiting)

    def take_next(self, number: int, waiting: deque[tuple[Table, Future]]) -> None:
        """Take the first chunk in flight (waiting for its worker)."""
        table, future = waiting.popleft()
        self.take(number, table, *self.pool.result(future))

    def decide_order(self, dates: pd.Series, before: int) -> tuple[bool | None, str]:
        """The order to read this chunk's dates in; raises when the load must restart.

        ``before``: the rows (blank ones included) of the pass before this chunk.
        """
        if self.order is not None:
            if self.order[0] is not None:
                told, _ = column_order(dates, self.order[0])
                if told is not self.order[0]:
                    raise _OrderChanged((None, "mixed"))
            return self.order
        told, note = column_order(dates, self.options.dayfirst)
        if told is None:
            raise _OrderChanged((None, "mixed"))
        if note and "assumed" not in note:
            if self.told is None:
                self.told = (told, note)
                if told != self.options.dayfirst and before:
                    raise _OrderChanged((told, note))
            elif told != self.told[0]:
                raise _OrderChanged((None, "mixed"))
        return (self.options.dayfirst, note) if self.told is None else self.told

    def take(self, number: int, table: Table, result: _ChunkResult,
             detail: pd.DataFrame | None) -> None:
        """Keep what a chunk's check gave (``detail``: its rows in the window, whole)."""
        offset = self.n_input
        n = len(table.raw.frame)
        self.n_input += n
        self.n_blank += table.raw.n_blank
        self.rows_done += n + table.raw.n_blank
        if self.progress is not None:
            self.progress.update(n + table.raw.n_blank)
        ids, accepted = result.ids, result.accepted
        ids["at"] += offset
        ids["_file"] = np.int32(number)
        accepted["at"] += offset
        accepted["_file"] = np.int32(number)
        # rows that may be rejected at the end keep their cells: a repeated identifier or
        # duplicate key of an accepted row
        # identifiers are given (no NA) and nearly all distinct: hashed as they are, not
        # factorised first (the same hashes)
        ids["hash"] = pd.util.hash_pandas_object(ids["event_id"], index=False,
                                                 categorize=False).to_numpy()
        again = self.seen_ids.repeats(ids["hash"].to_numpy())
        dup = self.seen_keys.repeats(accepted["key"].to_numpy())
        keep = np.union1d(ids["at"].to_numpy()[again & ~ids["bad"].to_numpy()],
                          accepted["at"].to_numpy()[dup])
        if len(keep):
            raw = table.raw.frame.iloc[keep - offset].set_axis(keep, axis=0)
            self.parts.raw.append(raw)
        rejected = result.rejected
        rejected["_at"] = result.problems["row"].to_numpy() + offset
        self.parts.ids.append(ids)
        self.parts.id_hashes.append(ids["hash"].to_numpy())
        # each column apart (its own memory), so that the end frees them one at a time
        self.parts.accepted.append({name: accepted[name].copy() for name in accepted})
        self.parts.rejected.add(rejected)
        if detail is not None:
            self.parts.detail.append(detail.assign(_row=detail["_row"].to_numpy() + offset))

    # -- across rows, once every chunk is read ------------------------------------------------
    def resolve(self) -> LoadResult:
        _release_memory()  # what the chunks freed, before the merge asks for more
        # only identifiers given more than once can repeat: the others are left out here
        twice = repeated(self.parts.id_hashes)
        self.parts.id_hashes = []
        # looked up by bisection in the sorted repeats (np.isin would sort them with each part)
        ids = _concat([part[in_sorted(twice, part["hash"].to_numpy())]
                       for part in self.parts.ids], _ID_TEXT)
        self.parts.ids.truncate(0)
        # the accepted rows as one set of columns (one copy); the rows dropped below are
        # marked in ``keep``, and the columns filtered once, one at a time, at the end
        accepted = _stack(self.parts.accepted, _TEXT)
        self.parts.accepted = []
        _release_memory()  # the chunks' columns, scattered among what stays
        where = accepted["at"].to_numpy() if accepted else np.empty(0, "int64")
        keep = np.ones(len(where), dtype=bool)
        # the rejected rows wait on disk, heads apart: those of rows already rejected take
        # the late problems a part at a time
        spill = self.parts.rejected
        lasts = spill.lasts()
        new = []  # rejected entries of rows accepted chunk by chunk: at, field, value, reason
        dyadic = np.empty(0, dtype="int64")  # rows merged into the row of their identifier
        if len(ids):
            repeat, why = self.repeats(ids)
            at = ids["at"].to_numpy()[repeat]
            values = ids["event_id"].iloc[np.flatnonzero(repeat)].to_numpy(dtype=object)
            why = why[repeat]
            dyadic = at[np.char.startswith(why.astype(str), MERGED_REPEAT)]
            files = ids["_file"].to_numpy()[repeat]
            earlier = np.zeros(len(at), dtype=bool)
            part_of = np.minimum(np.searchsorted(lasts, at), len(lasts) - 1)
            for k in np.unique(part_of):
                mine = np.flatnonzero(part_of == k)
                head = spill.head_of(k)
                found = np.isin(at[mine], head["_at"].to_numpy())
                earlier[mine[found]] = True
                if found.any():
                    _append(head, at[mine[found]], "event_id", values[mine[found]],
                            why[mine[found]], self.tables, files[mine[found]])
                    spill.put_head(k, head)
                del head
            gone = at[~earlier]
            new.append(ids.loc[repeat, _WHERE][~earlier].assign(
                field="event_id", value=values[~earlier], reason=why[~earlier]))
            keep &= ~np.isin(where, gone)
        # only keys given more than once can be duplicates: only their rows are looked at
        keys = accepted["key"].to_numpy() if accepted else np.empty(0, "uint64")
        rows = np.flatnonzero(keep)
        ours = keys[rows]
        # looked up by bisection in the few repeated keys: no sorted copy of every key
        rows = rows[in_sorted(repeated([ours]), ours)]
        del ours
        alike = pd.DataFrame({name: column.iloc[rows].reset_index(drop=True)
                              for name, column in accepted.items()})
        flags = flag_duplicates(alike[["key"]], alike["source"], alike["_file"].to_numpy())
        grouped = flags["duplicate_group"].notna().to_numpy()
        # the flags by position: aligned on an index, those of an empty selection would
        # become rows of their own (alike rows of one file and source are no duplicates)
        duplicates = alike.loc[grouped, ["source_file", "source_row"]].assign(
            duplicate_group=flags["duplicate_group"].array[grouped],
            is_duplicate=flags["is_duplicate"].to_numpy()[grouped])
        if self.options.merge_duplicates:
            merged = merged_duplicates(flags, np.arange(len(alike)), alike)
            picked = alike.iloc[merged["row"].to_numpy(dtype="int64")]
            new.append(picked[_WHERE].assign(field=merged["field"].to_numpy(),
                                              value=merged["value"].to_numpy(),
                                              reason=merged["reason"].to_numpy()))
            keep[rows[merged["row"].to_numpy(dtype="int64")]] = False
        detail = self.detail(where[keep], duplicates, dyadic)
        del alike, keys, where
        for name in set(accepted) - set(ACCEPTED_COLUMNS):  # hashes and positions: done
            del accepted[name]
        if new:
            self.rejected_rows(new, self.parts.raw, spill, lasts)
        del new
        _release_memory()
        kept = gpd.GeoDataFrame(_kept_columns(accepted, keep), copy=False)
        notes = [note for table in self.tables for note in table_notes(table)]
        if self.told is not None or self.order is not None:
            say = _Events.__new__(_Events)
            say.options, say.tables = self.options, self.tables
            say.say_order("date", (self.order or self.told)[1])
        result = SpilledResult(kept, spill, self.n_input, duplicates.reset_index(drop=True),
                               self.n_blank, "events", notes)
        result.detail = detail if self.window is not None else None
        if logger.isEnabledFor(logging.INFO):  # the summary counts every row: not for nothing
            logger.info("%s", result.summary())
        return result

    def detail(self, kept: np.ndarray, duplicates: pd.DataFrame, merged: np.ndarray
               ) -> gpd.GeoDataFrame:
        """The whole records of the window's rows still accepted at the end.

        ``kept`` holds the positions of the rows accepted, ``merged`` those of the rows
        merged into the row of their identifier (a dyadic export's), whose actors that row
        lists; the records come in input order, with the columns and dtypes
        :func:`sahelmap.read_events` gives them, ``duplicates``' flags included.
        """
        parts, self.parts.detail = self.parts.detail, []
        if not parts:
            return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
        # a column of text in one chunk and all empty (object) in another is text
        text = {name for part in parts for name, dtype in part.dtypes.items()
                if isinstance(dtype, pd.StringDtype)}
        frame = pd.concat(parts, ignore_index=True).astype({name: "str" for name in text})
        key = ["source_file", "source_row"]
        flags = duplicates.astype({"source_file": "str", "source_row": "int64"})
        frame = frame.merge(flags, on=key, how="left", validate="one_to_one")
        frame["is_duplicate"] = frame["is_duplicate"].fillna(False).astype(bool)
        frame["duplicate_group"] = frame["duplicate_group"].astype("Int64")
        _join_actors(frame, kept, merged)
        # a group's rows share their date: all are here, and the row kept lists their
        # sources, as read whole
        rows = frame["_row"].to_numpy()
        frame = merge_sources(frame, set(rows[~np.isin(rows, kept)].tolist()))
        return gpd.GeoDataFrame(frame.drop(columns="_row").reset_index(drop=True),
                                geometry="geometry", crs="EPSG:4326")

    def repeats(self, ids: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Rows whose identifier another row stands for, and why (over the whole load)."""
        judge = _Events.__new__(_Events)
        judge.frame = ids.assign(actor1=None, actor2=None)
        judge.problems = Problems(len(ids))
        judge.problems.add("earlier", ids["bad"].to_numpy(), ids["event_id"], "")
        judge.day = pd.Series(ids["day"].to_numpy())
        judge.killed = ids["killed"].to_numpy()
        before = len(judge.problems.entries)
        judge.check_repeats(ids["x"].to_numpy(), ids["y"].to_numpy())
        mask = np.zeros(len(ids), dtype=bool)
        why = np.full(len(ids), None, dtype=object)
        for _, hit, _, reason in judge.problems.entries[before:]:
            mask |= hit
            why[hit] = np.asarray(reason, dtype=object)[hit]
        return mask, why

    def rejected_rows(self, new: list[pd.DataFrame], kept: SpilledFrames,
                      spill: RejectedSpill, lasts: np.ndarray) -> None:
        """Put the rows accepted chunk by chunk but rejected at the end into ``spill``.

        ``new`` holds their entries (``at, _file, source_file, source_row, field, value,
        reason``); ``lasts`` the last position of each part of ``spill``. Their heads stay in
        memory; their cells are read back from ``kept`` one part at a time and written to
        the spill's disk as they are found, never all at once.
        """
        entries = pd.concat(new, ignore_index=True)
        if not len(entries):
            return
        at = entries["at"].to_numpy(dtype="int64")
        head = pd.DataFrame({
            "source_file": entries["source_file"].astype(str).to_numpy(),
            "source_row": entries["source_row"].to_numpy(dtype="int64"),
            "field": entries["field"].to_numpy(dtype=object),
            "value": entries["value"].to_numpy(dtype=object),
            "reason": entries["reason"].to_numpy(dtype=object)})
        head.insert(3, "column", _columns(self.tables, entries["_file"].to_numpy(),
                                          head["field"].to_numpy()))
        head = head.astype({n: "str" for n in ("source_file", "field", "value", "reason")})
        del entries
        part_of = np.minimum(np.searchsorted(lasts, at), len(lasts) - 1)
        found = np.zeros(len(at), dtype=bool)
        order = np.argsort(at, kind="stable")
        ordered = at[order]
        names: list[list[str]] = []
        for raw in kept:  # read back a part at a time
            names.append(list(raw.columns))
            here = raw.index.to_numpy()
            if not len(here):
                continue
            # a part holds one chunk's rows: only the entries within its positions are looked at
            near = order[np.searchsorted(ordered, here.min(), side="left"):
                         np.searchsorted(ordered, here.max(), side="right")]
            mine = np.sort(near[np.isin(at[near], here)])
            if not len(mine):
                continue
            found[mine] = True
            cells = raw.loc[at[mine]]
            del raw
            cells = cells.rename(columns=_raw_names(cells.columns)).set_axis(mine, axis=0)
            rows = pd.concat([head.iloc[mine], cells.astype("str")], axis=1)
            rows["_at"] = at[mine]
            for k in np.unique(part_of[mine]):
                spill.add_late_cells(int(k), rows[part_of[mine] == k])
        if not found.all():
            raise SahelmapError(f"internal error: {int((~found).sum())} rows rejected at the "
                                "end of the load have no cells kept (please report it)")
        union = pd.concat([pd.DataFrame(columns=n) for n in names]).columns
        renamed = _raw_names(union)
        spill.set_late_columns([*head.columns, *[renamed.get(c, c) for c in union], "_at"])
        head["_at"] = at
        for k in np.unique(part_of):
            spill.add_late(int(k), head[part_of == k])


def _dates(table: Table) -> pd.Series:
    """A chunk's date texts, as :func:`~sahelmap.loaders.tables.canonical` gives them.

    What the order is decided on before the chunk is checked; a whole canonical frame
    would be built for nothing (the check builds its own).
    """
    return table.raw.frame[table.cmap.get("date")].astype("str")


def _join_actors(frame: pd.DataFrame, kept: np.ndarray, merged: np.ndarray) -> None:
    """The actors of the rows merged into the row kept for their identifier, joined there.

    As a whole read joins them (:func:`~sahelmap.loaders.events._join_distinct`); the rows
    of an event merged so share its date, so all of them are in ``frame`` (positions
    ``_row``).
    """
    rows = frame["_row"].to_numpy()
    gone = np.isin(rows, merged)
    if not gone.any():
        return
    ids = frame["event_id"]
    member = np.flatnonzero((gone | np.isin(rows, kept))
                            & ids.isin(ids[gone].unique()).to_numpy())
    group = pd.factorize(ids.to_numpy(dtype=object)[member])[0]
    order = np.lexsort((member, group))  # per event, in input order
    at, at_group = member[~gone[member]], group[~gone[member]]  # the rows kept
    for name in ("actor1", "actor2"):
        joined = _join_distinct(group[order], frame[name].to_numpy(dtype=object)[member[order]])
        values = joined.reindex(at_group).to_numpy(dtype=object)
        column = frame[name].to_numpy(dtype=object).copy()
        column[at] = np.where(pd.isna(values), column[at], values)
        frame[name] = pd.Series(column, index=frame.index).astype(frame[name].dtype)


def _raw_names(columns: Any) -> dict[str, str]:
    """The user's columns whose names clash with the rejected table's, suffixed."""
    return {c: f"{c} (raw)" for c in columns if c in REJECTED_COLUMNS}


def _release_memory() -> None:
    """Give back to the system the memory the chunks freed but the allocators kept.

    Chunk after chunk, short-lived arrays and texts are freed among the small arrays that
    wait for the end; the C allocator (glibc's ``malloc``) and pyarrow's pool keep the
    freed pages, which the merge's large arrays then cannot use, so that the peak holds
    both. A no-op where ``malloc_trim`` does not exist (other C libraries).
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)


def _category(values: np.ndarray | pd.Series) -> pd.Categorical:
    """Text as a categorical of ``str`` categories (all alike, so chunks can be unioned).

    The categories sorted, as ``pd.Categorical`` sorts them; factorised as they are (an
    arrow column in arrow), not through Python objects.
    """
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(
        np.asarray(uniques, dtype=object), dtype="str"))


def _concat(parts: list[pd.DataFrame], texts: tuple[str, ...]) -> pd.DataFrame:
    """Stack compact parts, their categorical columns unioned."""
    if not parts:
        return pd.DataFrame()
    parts = [part for part in parts if len(part)] or parts[:1]  # empty ones have other dtypes
    out = pd.concat([p.drop(columns=list(texts)) for p in parts], ignore_index=True)
    for name in texts:
        out[name] = union_categoricals([p[name] for p in parts])
    return out


def _stack(parts: list[dict[str, pd.Series]], texts: tuple[str, ...]
           ) -> dict[str, pd.Series]:
    """Each column stacked over the parts (categoricals unioned).

    The parts' columns are freed as it goes: memory holds one copy of the rows and one
    column more.
    """
    parts = [part for part in parts if len(next(iter(part.values()), ()))] or parts[:1]
    out: dict[str, pd.Series] = {}
    for name in list(parts[0]) if parts else []:
        pieces = [part.pop(name) for part in parts]
        out[name] = (pd.Series(union_categoricals(pieces)) if name in texts
                     else pd.concat(pieces, ignore_index=True))
        del pieces
    return out


def _kept_columns(columns: dict[str, pd.Series], keep: np.ndarray) -> pd.DataFrame:
    """The frame of :data:`ACCEPTED_COLUMNS` of the rows ``keep`` marks.

    Filtered one column at a time, each column of ``columns`` freed as it goes.
    """
    out = {}
    for name in ACCEPTED_COLUMNS:
        column = columns.pop(name, None)
        if column is None:
            out[name] = pd.Series([], dtype=object)
        else:
            out[name] = (column if keep.all() else column[keep]).array
        del column
    columns.clear()
    return pd.DataFrame(out, copy=False)  # the columns as they are: not copied into blocks


def _columns(tables: list[Table], files: np.ndarray, fields: np.ndarray) -> np.ndarray:
    """Each rejected field named as the column of the user's file it came from.

    Named once per distinct text of each file, then looked up per row.
    """
    out = np.asarray(fields, dtype=object).copy()
    for number, table in enumerate(tables):
        columns = table.cmap.fields
        mine = files == number
        texts = out[mine]
        named = {text: "; ".join(columns.get(p, p) for p in str(text).split("; "))
                 for text in set(texts)}
        out[mine] = [named[text] for text in texts]
    return out


def _append(rejected: pd.DataFrame, at: np.ndarray, name: str, values: np.ndarray,
            why: np.ndarray, tables: list[Table], files: np.ndarray) -> None:
    """Add a problem to rows already rejected (in place), as :class:`Problems` joins them.

    ``files`` holds the file number of each of the rows ``at``.
    """
    if not len(at):
        return
    where = pd.Index(rejected["_at"]).get_indexer(at)
    for column, extra in (("field", np.full(len(at), name, dtype=object)),
                          ("value", np.asarray(values, dtype=object)),
                          ("reason", np.asarray(why, dtype=object))):
        old = rejected[column].to_numpy(dtype=object)[where]
        joined = np.where(old == "", extra, old + "; " + extra.astype(str).astype(object))
        rejected.loc[rejected.index[where], column] = joined
    rejected.loc[rejected.index[where], "column"] = _columns(
        tables, files, rejected["field"].to_numpy(dtype=object)[where])
