"""Chunks checked in worker processes give what one process gives, errors included."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import time
import warnings

import numpy as np
import pandas as pd
import pytest

import sahelmap.errors
from sahelmap import summarize
from sahelmap.errors import InputFileError, OptionError, SahelmapError
from sahelmap.loaders import streaming
from sahelmap.loaders import workers as pool
from sahelmap.loaders.chunks import _Reread
from sahelmap.loaders.streaming import _ChunkWork, _OrderChanged, stream_events
from tests.test_streaming import HEADER, WINDOW, _messy, _rows

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="workers need fork")

OPTIONS = dict(today="2024-01-01", merge_duplicates=True, window=WINDOW)


def _files(tmp_path):
    """Two files: dyadic ids, conflicting repeats, bad rows, a month-first date told late
    and day-first dates in the next file (the load starts again, twice), the same reports
    in both, a blank line and cp1252 bytes (the second file read again, twice)."""
    first = _messy(tmp_path, "a.csv", "MLI", "Source A", 3, "01/02/2022")
    first = [r.replace("/", "#") for r in first]  # no numeric date tells the order...
    first.insert(58, "MLIW,11/13/2022,attack,,,Mali,,Gao,,,2,S,")  # ...but this, late
    second = _rows(np.random.default_rng(2), 20, "NER", "Source B")
    second += ["D1" + first[3].replace("Source A", "Source B"),  # the same report, elsewhere
               "D2" + first[30],                                # the same row, another file
               first[12].replace("Source A", "Source B")]       # a repeated identifier
    second.insert(7, "")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("\n".join([HEADER, *first]) + "\n", encoding="utf-8")
    b.write_text("\n".join([HEADER, *second]) + "\n", encoding="cp1252")
    return [a, b]


def _late_even_chunks(monkeypatch):
    """A few chunks take longer: the chunks after them finish first."""
    check = _ChunkWork.__call__

    def slow(self, table, order):
        if table.raw.rows[0] in (11, 36):
            time.sleep(0.3)
        return check(self, table, order)

    monkeypatch.setattr(_ChunkWork, "__call__", slow)  # the workers fork after this


def _load(paths, workers, monkeypatch):
    """The result, the warnings, and the date order of each pass."""
    orders = []
    start = streaming._Load.__init__

    def spied(self, *args):
        orders.append(args[4])
        start(self, *args)

    with monkeypatch.context() as patch, warnings.catch_warnings(record=True) as caught:
        patch.setattr(streaming._Load, "__init__", spied)
        warnings.simplefilter("always")
        result = stream_events(paths, chunk_rows=5, workers=workers, **OPTIONS)
    said = {str(w.message) for w in caught if issubclass(w.category, UserWarning)}
    return result, sorted(said), orders


def test_two_workers_give_the_rows_rejects_duplicates_and_table_of_one(tmp_path,
                                                                        monkeypatch):
    paths = _files(tmp_path)
    one, said, passes = _load(paths, 1, monkeypatch)
    _late_even_chunks(monkeypatch)
    two, told, again = _load(paths, 2, monkeypatch)
    assert told == said and again == passes
    assert [order and order[0] for order in passes] == [None, False, None]  # 3 passes
    two.check()
    assert {"event_id", "duplicate", "date", "place"} <= set(one.rejected["field"])
    assert one.n_blank == 1 and len(one.duplicates) and len(one.detail)
    pd.testing.assert_frame_equal(two.accepted, one.accepted)
    pd.testing.assert_frame_equal(two.rejected, one.rejected)
    pd.testing.assert_frame_equal(two.duplicates, one.duplicates)
    pd.testing.assert_frame_equal(two.detail, one.detail)
    assert (two.n_input, two.n_blank) == (one.n_input, one.n_blank)
    pd.testing.assert_frame_equal(
        summarize(events=two.accepted, level="adm2", period="week"),
        summarize(events=one.accepted, level="adm2", period="week"))
    assert not multiprocessing.active_children()  # the workers are gone


def test_sahelmap_aggregate_with_workers_writes_the_files_of_one_process(tmp_path,
                                                                           monkeypatch):
    from click.testing import CliRunner

    from sahelmap.cli import main

    # no memory-backed files here: the chunks go to the workers through the pipe
    monkeypatch.setattr(pool, "_SHARED", tmp_path / "no such folder")
    paths = _files(tmp_path)
    written = {}
    for workers in (1, 2):
        out, rejected = tmp_path / f"out{workers}.csv", tmp_path / f"rejected{workers}.csv"
        done = CliRunner().invoke(main, [
            "aggregate", *[f"--events={p}" for p in paths], f"--out={out}",
            f"--rejected={rejected}", "--level=adm2", f"--workers={workers}", "-q"])
        assert done.exit_code == 0, done.output
        written[workers] = (out.read_bytes(), rejected.read_bytes())
    assert written[2] == written[1]
    assert CliRunner().invoke(main, ["aggregate", f"--events={paths[0]}", "--out=x.csv",
                                     "--workers=0"]).exit_code == 2


def test_an_error_raised_in_a_worker_reaches_the_caller_as_raised_there(tmp_path,
                                                                         monkeypatch):
    paths = _files(tmp_path)
    check = _ChunkWork.__call__

    def failing(self, table, order):
        if 40 in table.raw.rows:
            raise InputFileError("cannot check this chunk", path=table.raw.path, row=40,
                                 field="date")
        warnings.warn("a worker's warning", sahelmap.errors.DataWarning, stacklevel=1)
        return check(self, table, order)

    monkeypatch.setattr(_ChunkWork, "__call__", failing)
    shared = tmp_path / "shm"
    shared.mkdir()
    monkeypatch.setattr(pool, "_SHARED", shared)
    raised = {}
    for workers in (1, 2):
        with pytest.warns(sahelmap.errors.DataWarning, match="a worker's warning"), \
                pytest.raises(InputFileError) as info:
            stream_events(paths, chunk_rows=5, workers=workers, **OPTIONS)
        raised[workers] = info.value
    assert type(raised[2]) is type(raised[1]) and str(raised[2]) == str(raised[1])
    assert str(raised[1]) == f"file {paths[0]}, row 40, field 'date': cannot check this chunk"
    assert (raised[2].path, raised[2].row, raised[2].field) == (str(paths[0]), 40, "date")
    assert "RemoteTraceback" in type(raised[2].__cause__).__name__  # it came from a worker
    assert not multiprocessing.active_children()
    assert not list(shared.iterdir())  # the chunks handed over and never taken: removed


def test_without_fork_the_chunks_are_checked_in_this_process(tmp_path, monkeypatch, caplog):
    paths = _files(tmp_path)[1:]
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    parent = os.getpid()
    check = _ChunkWork.__call__
    monkeypatch.setattr(_ChunkWork, "__call__", lambda self, table, order: (
        check(self, table, order) if os.getpid() == parent else None))
    with caplog.at_level(logging.INFO, logger="sahelmap.loaders"):
        result = stream_events(paths, chunk_rows=5, workers=2, today="2024-01-01")
    assert "cannot be forked" in caplog.text and len(result.accepted) > 10
    with pytest.raises(OptionError, match="workers must be"):
        stream_events(paths, workers=0)


@pytest.mark.parametrize("error", [
    *[kind("a message") for kind in vars(sahelmap.errors).values()
      if isinstance(kind, type) and issubclass(kind, SahelmapError)],
    InputFileError("a message", path="a.csv", row=3, field="date"),
    _Reread("pandas", "cp1252", "rows of another width"),
    _OrderChanged((False, "month first (as 11/13/… shows)")),
], ids=lambda error: type(error).__name__)
def test_sahelmap_errors_come_back_from_a_worker_as_they_left(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert vars(again) == vars(error) and again.args == error.args


def test_the_workers_stop_when_the_load_is_interrupted(tmp_path, monkeypatch):
    paths = _files(tmp_path)
    take = streaming._Load.take
    calls = []

    def interrupted(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return take(self, *args)

    monkeypatch.setattr(streaming._Load, "take", interrupted)
    shared = tmp_path / "shm"
    shared.mkdir()
    monkeypatch.setattr(pool, "_SHARED", shared)
    with pytest.raises(KeyboardInterrupt):
        stream_events(paths, chunk_rows=5, workers=2, **OPTIONS)
    assert not multiprocessing.active_children() and not list(shared.iterdir())
