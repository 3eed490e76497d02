"""The weekly output folder changes all at once: never a mix of two runs, never a cut-off file.

The kill test runs the real command in a subprocess and stops it with SIGINT or SIGKILL at
random moments (some while it reads, most while it writes), then checks the folder against
its own manifest: every file listed, each with the SHA-256 the manifest gives, nothing else.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sahelmap import DataWarning
from sahelmap.errors import ExportError, OutputLockedError, RenderError
from sahelmap.outputs import WEEKLY_FILES, OutputFolder
from sahelmap.pipeline import weekly

# two ISO weeks of events: W37 and W38 of 2022
EVENTS = ("event_date,event_type,location,fatalities,source\n"
          "2022-09-12,Attack,Gao,11,Report A\n"
          "2022-09-14,Battles,Ménaka,4,Report B\n"
          "2022-09-20,Attack,Tillabéri,5,Report C\n"
          "2022-09-21,Explosions/Remote violence,Ansongo,2,Report D\n")


def _run(events: Path, out: Path, week: str, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-c", "from sahelmap.cli import main; main()", "weekly",
               "--events", str(events), "--week", week, "--out", str(out), "-q", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _staging_appears(parent: Path, name: str, process: subprocess.Popen,
                     timeout: float = 60) -> None:
    """Wait until the run starts writing (a new temporary folder exists) or ends."""
    before = set(parent.glob(f".{name}.sahelmap-new-*"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if set(parent.glob(f".{name}.sahelmap-new-*")) - before:
            return
        time.sleep(0.005)


@pytest.mark.slow  # about 6 runs of the command, ~15 s
def test_a_killed_weekly_run_leaves_the_previous_set_or_the_new_one(tmp_path, complete_set):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    out = tmp_path / "weekly"
    first = _run(events, out, "2022-W37")
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    assert complete_set(out) == "2022-W37"
    chance = random.Random(11)
    kills = [(signal.SIGKILL, "writing"), (signal.SIGINT, "writing"),
             (signal.SIGKILL, "writing"), (signal.SIGKILL, "any time"),
             (signal.SIGINT, "any time")]
    killed_while_writing = 0
    for number, (sig, when) in enumerate(kills):
        week = ("2022-W38", "2022-W37")[number % 2]
        process = _run(events, out, week, *(("--no-png",) if number % 2 else ()))
        if when == "writing":
            _staging_appears(tmp_path, "weekly", process)
            time.sleep(chance.uniform(0, 0.3))
        else:
            time.sleep(chance.uniform(0.2, 2.0))
        unfinished = set(tmp_path.glob(".weekly.sahelmap-new-*"))
        process.send_signal(sig)
        code = process.wait(timeout=120)
        held = complete_set(out)
        if code == 0:  # the run finished before the signal: its own set
            assert held == week
        elif sig == signal.SIGKILL and unfinished <= set(tmp_path.glob(".weekly.sahelmap-*")):
            killed_while_writing += bool(unfinished)
    assert killed_while_writing  # the kills did land while files were being written
    last = _run(events, out, "2022-W38")
    assert last.wait(timeout=120) == 0, last.stderr.read().decode()
    assert complete_set(out) == "2022-W38"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".weekly")]
    assert leftovers == []  # stale lock taken over, unfinished folders removed


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return path


def _weekly(events: Path, out: Path, week: str = "2022-W37", **options) -> dict[str, Path]:
    return weekly(events=[events], week=week, out_dir=out, png=False, **options)


def test_files_of_an_earlier_run_are_removed(events_file, tmp_path, complete_set):
    out = tmp_path / "weekly"
    written = weekly(events=[events_file], week="2022-W37", out_dir=out, png=True)
    assert (out / "map.png").exists() and written["image"] == out.absolute() / "map.png"
    _weekly(events_file, out, "2022-W38")
    assert not (out / "map.png").exists()
    assert complete_set(out) == "2022-W38"


def test_a_failed_run_keeps_the_previous_set_and_releases_the_lock(events_file, tmp_path,
                                                                   monkeypatch, complete_set):
    out = tmp_path / "weekly"
    _weekly(events_file, out)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while writing")

    monkeypatch.setattr("sahelmap.io.write_csv", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _weekly(events_file, out, "2022-W38")
    assert complete_set(out) == "2022-W37"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "weekly"]


def test_a_second_run_into_the_same_folder_is_refused(events_file, tmp_path, complete_set):
    out = tmp_path / "weekly"
    _weekly(events_file, out)
    with pytest.raises(RuntimeError, match="the first run stops"):
        with OutputFolder(out, names=WEEKLY_FILES):
            with pytest.raises(OutputLockedError,
                               match=r"another sahelmap run \(PID \d+ .*weekly"):
                _weekly(events_file, out, "2022-W38")
            raise RuntimeError("the first run stops")
    assert complete_set(out) == "2022-W37"


def test_a_lock_whose_run_died_is_taken_over_with_a_warning(events_file, tmp_path, complete_set):
    out = tmp_path / "weekly"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / ".weekly.sahelmap-lock"
    lock.write_text(f"{dead.pid} {os.uname().nodename}\n")
    (tmp_path / ".weekly.sahelmap-new-abc").mkdir()  # its unfinished output
    with pytest.warns(DataWarning, match=f"PID {dead.pid}.*taken over"):
        _weekly(events_file, out)
    assert complete_set(out) == "2022-W37"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "weekly"]


def test_a_folder_swapped_aside_by_a_killed_run_is_put_back(events_file, tmp_path, complete_set):
    """Where the system has no atomic swap, a kill between the two renames is repaired."""
    out = tmp_path / "weekly"
    _weekly(events_file, out)
    out.rename(tmp_path / ".weekly.sahelmap-old-x1")
    with pytest.warns(DataWarning, match="previous run's files were put back"):
        with pytest.raises(RuntimeError):
            with OutputFolder(out, names=WEEKLY_FILES):
                raise RuntimeError("stop before writing")
    assert complete_set(out) == "2022-W37"


@pytest.mark.parametrize(("make", "message"), [
    (lambda out: (out / "notes.txt").write_text("mine"), "'notes.txt', which sahelmap"),
    (lambda out: (out / "map.html").mkdir(), "folder"),
    (lambda out: (out / "archive").mkdir(), "'archive'"),
])
def test_a_folder_holding_other_files_is_refused_not_emptied(events_file, tmp_path, make,
                                                             message):
    out = tmp_path / "weekly"
    out.mkdir()
    make(out)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(ExportError, match=message):
        _weekly(events_file, out)
    assert sorted(p.name for p in out.iterdir()) == before


def test_out_under_a_file_is_refused_naming_it(events_file, tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("x")
    with pytest.raises(ExportError, match="plain is a file"):
        _weekly(events_file, plain / "weekly")


def test_a_symlinked_out_folder_keeps_its_link(events_file, tmp_path, complete_set):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    _weekly(events_file, link)
    assert link.is_symlink() and complete_set(real) == "2022-W37"


def test_a_map_of_too_many_points_is_refused_before_drawing_or_warned(events_file, tmp_path,
                                                                     monkeypatch):
    out = tmp_path / "weekly"
    with pytest.raises(RenderError, match=r"2 event points, more than the map draws "
                                          r"\(--max-points 1\).*regions.csv"):
        _weekly(events_file, out, max_points=1)
    assert not out.exists()  # refused before anything was written
    monkeypatch.setattr("sahelmap.render.map_size.SLOW_MAP_POINTS", 1)
    with pytest.warns(DataWarning, match="the map draws 2 event points.*a while"):
        _weekly(events_file, out, max_points=None)
    assert (out / "map.html").exists()


def test_a_single_output_file_is_replaced_whole_or_kept(tmp_path, monkeypatch):
    """``aggregate --out`` and ``geocode --out``: a failed write keeps the previous file."""
    import pandas as pd

    from sahelmap.io import write_csv

    path = write_csv(pd.DataFrame({"unit": ["ML07"], "events": [3]}), tmp_path / "t.csv")
    before = path.read_bytes()

    def half_then_fail(self, target, **kwargs):
        target.write("unit,ev")  # an open file: write_csv writes slices into one handle
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        write_csv(pd.DataFrame({"unit": ["ML10"], "events": [5]}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


@pytest.mark.parametrize("which", ["parent", "out"])
def test_a_read_only_folder_is_refused_naming_it(events_file, tmp_path, monkeypatch, which):
    """Read-only for this user (faked: the tests may run as root, who may write anywhere)."""
    out = tmp_path / "shared" / "weekly"
    out.mkdir(parents=True)
    read_only = out.parent if which == "parent" else out
    real_access = os.access
    monkeypatch.setattr("sahelmap.outputs.os.access",
                        lambda path, mode: Path(path) != read_only and real_access(path, mode))
    with pytest.raises(ExportError, match=f"cannot write into {out}: the folder .*read-only"):
        _weekly(events_file, out)
    assert list(out.iterdir()) == [] and sorted(p.name for p in out.parent.iterdir()) == [
        "weekly"]


def test_a_mount_point_is_updated_file_by_file_manifest_last(events_file, tmp_path,
                                                              monkeypatch, complete_set):
    """A Docker volume cannot be renamed: the files are replaced inside it (faked here)."""
    out = tmp_path / "weekly"
    weekly(events=[events_file], week="2022-W37", out_dir=out, png=True)
    monkeypatch.setattr("sahelmap.outputs._mount_point", lambda folder: folder == out)
    order = []
    real_replace = os.replace
    monkeypatch.setattr("sahelmap.outputs.os.replace",
                        lambda a, b: (Path(b).parent == out and order.append(Path(b).name),
                                      real_replace(a, b)))
    with pytest.warns(DataWarning, match="mount point.*manifest.json last"):
        _weekly(events_file, out, "2022-W38")
    assert order[-1] == "manifest.json" and len(order) == 7
    assert complete_set(out) == "2022-W38"  # map.png of the first run removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "weekly"]


def test_a_bad_out_folder_is_refused_before_the_reports_are_read(events_file, tmp_path,
                                                                  monkeypatch):
    out = tmp_path / "weekly"
    out.mkdir()
    (out / "notes.txt").write_text("mine")

    def not_now(*args, **kwargs):
        raise AssertionError("the reports were read before --out was checked")

    monkeypatch.setattr("sahelmap.pipeline.load_reports", not_now)
    with pytest.raises(ExportError, match="notes.txt"):
        _weekly(events_file, out)
