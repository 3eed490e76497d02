"""An output folder that changes all at once: the previous run's files or the new ones.

A run writes every file into a temporary folder beside ``--out`` (same filesystem), then
swaps that folder with ``--out`` in one step, so a reader (or a run killed half-way) never
sees last week's CSVs beside this week's map, a 0-byte ``map.html`` or a cut-off
``rejected.csv``. The swap replaces the whole folder: files of an earlier run that this run
does not write (``map.png`` after ``--no-png``) go with it.

- The swap is atomic on Linux (``renameat2(RENAME_EXCHANGE)``) and macOS
  (``renamex_np(RENAME_SWAP)``). Elsewhere the folder is renamed aside, then the new one into
  place; a run killed between the two renames leaves ``--out`` missing, and the next run
  puts the previous folder back before anything else.
- Since the folder is replaced whole, ``--out`` may hold only files sahelmap writes: a
  folder with anything else in it (your notes, another tool's files, a sub-folder) is
  refused, naming what is there, rather than deleted.
- A folder that is a mount point (a Docker volume, a network share) cannot be swapped: its
  files are replaced one by one inside it, ``manifest.json`` removed first and written
  last, so a folder with a manifest always holds one run's complete set (with a warning).
- A lock file beside the folder (``.<name>.sahelmap-lock``, holding the PID) stops a second
  run into the same folder. A lock left by a run that died (its PID no longer runs on this
  machine) is taken over, with a warning.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as parent:
...     out = Path(parent) / "weekly"
...     with OutputFolder(out, names=("regions.csv",)) as staging:
...         _ = (staging / "regions.csv").write_text("unit,events")
...     sorted(p.name for p in out.iterdir())
['regions.csv']
"""

from __future__ import annotations

import ctypes
import glob
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from types import TracebackType

from sahelmap.errors import ExportError, OutputLockedError, warn

__all__ = ["OutputFolder", "OutputLockedError", "replacing", "WEEKLY_FILES"]

#: Every file the weekly job may write: an output folder holding anything else is refused.
WEEKLY_FILES = ("map.html", "map.png", "weeks.png", "regions.csv", "weeks.csv",
                "report.html", "rejected.csv", "flagged.csv", "manifest.json")

_STAGING = ".sahelmap-new-"   # the folder being written
_RETIRED = ".sahelmap-old-"   # the previous folder, on its way out


class OutputFolder:
    """Write a set of files into ``path`` all at once (a context manager).

    Parameters
    ----------
    path : path-like
        The output folder (created with its parents if missing).
    names : iterable of str
        The file names sahelmap may have written there: an existing folder holding anything
        else is refused.

    Notes
    -----
    Entering takes the lock and returns the temporary folder to write into; leaving without
    an error swaps it into place; leaving with an error removes it, and ``path`` keeps the
    previous run's files untouched. The lock is released either way.
    """

    def __init__(self, path: str | PathLike, *, names: Iterable[str]) -> None:
        self.given = Path(path)  # as the user wrote it, for messages
        self.path = Path(path).expanduser().resolve()  # a link: write where it points
        self.names = frozenset(names)
        self.lock = self.path.parent / f".{self.path.name}.sahelmap-lock"
        self.staging: Path | None = None
        self.in_place = False

    def check(self) -> None:
        """Refuse now what entering would refuse (before a long run, not after it).

        Raises
        ------
        ExportError
            The folder cannot be written, holds files sahelmap does not write, or
            (:class:`OutputLockedError`) another run is writing into it.
        """
        self._check_parent()
        self._check_contents()
        if self.lock.exists() and not self._stale():
            raise self._locked()

    def __enter__(self) -> Path:
        self._check_parent()
        self._acquire()
        try:
            self._recover()
            self._check_contents()
            # a mount point (a Docker volume...) cannot be swapped: write inside it
            self.in_place = self.path.is_dir() and _mount_point(self.path)
            self.staging = Path(tempfile.mkdtemp(
                prefix=_STAGING if self.in_place else f".{self.path.name}{_STAGING}",
                dir=self.path if self.in_place else self.path.parent))
            mode = self.path.stat().st_mode & 0o7777 if self.path.is_dir() else _default_mode()
            os.chmod(self.staging, mode)
        except BaseException:
            self._release()
            raise
        return self.staging

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self._commit()
            elif self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._release()

    # -- checks before anything is written ---------------------------------------------
    def _check_parent(self) -> None:
        parent = self.path.parent
        for folder in (parent, *parent.parents):
            if folder.exists() and not folder.is_dir():
                raise ExportError(f"cannot write into {self.given}: {folder} is a file, not a "
                                  "folder; choose another --out")
        if self.path.exists() and not self.path.is_dir():
            raise ExportError(f"cannot write into {self.given}: it is a file, not a folder; "
                              "choose another --out")
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create the folder {parent} for {self.given} "
                              f"({exc.strerror or exc}); choose another --out") from None
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ExportError(f"cannot write into {self.given}: the folder {parent} is "
                              "read-only; choose another --out")

    def _check_contents(self) -> None:
        """Refuse a folder that holds anything sahelmap did not write (it would be lost)."""
        if not self.path.is_dir():
            return
        if not os.access(self.path, os.W_OK | os.X_OK):
            raise ExportError(f"cannot write into {self.given}: the folder is read-only; "
                              "choose another --out")
        entries = sorted(p for p in self.path.iterdir() if not p.name.startswith(_STAGING))
        folders = [p.name for p in entries if p.is_dir() and not p.is_symlink()]
        if folders:
            raise ExportError(
                f"{self.given} holds the folder(s) {_listed(folders)}, which sahelmap does not "
                "write; the output folder is replaced whole, so move them away or choose an "
                "empty --out")
        foreign = [p.name for p in entries if p.name not in self.names]
        if foreign:
            raise ExportError(
                f"{self.given} holds {_listed(foreign)}, which sahelmap does not write; the "
                "output folder is replaced whole, so move them away or choose an empty --out")

    # -- the lock ----------------------------------------------------------------------
    def _acquire(self) -> None:
        me = f"{os.getpid()} {socket.gethostname()}\n"
        for _ in range(2):
            try:
                handle = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if not self._stale():
                    continue
                return self._acquire_stale(me)
            except OSError as exc:
                raise ExportError(f"cannot write into {self.given}: cannot create the lock "
                                  f"file {self.lock} ({exc.strerror or exc})") from None
            with os.fdopen(handle, "w") as lock:
                lock.write(me)
            return None
        raise self._locked()

    def _locked(self) -> OutputLockedError:
        pid, host = _owner(self.lock)
        return OutputLockedError(
            f"another sahelmap run (PID {pid} on {host}) is writing into {self.given}; wait "
            f"for it to finish, or if none is running delete {self.lock}")

    def _stale(self) -> bool:
        """True when the lock's run is gone (dead PID on this host, or an unreadable lock)."""
        pid, host = _owner(self.lock)
        if pid is None:
            return True
        return host == socket.gethostname() and not _running(pid)

    def _acquire_stale(self, me: str) -> None:
        pid, _ = _owner(self.lock)
        retired = self.lock.with_name(f"{self.lock.name}.{os.getpid()}")
        try:  # a rename, so two runs taking over the same stale lock cannot both win
            os.rename(self.lock, retired)
        except FileNotFoundError:
            raise OutputLockedError(f"another sahelmap run just took the lock of {self.path}; "
                                    "wait for it to finish") from None
        retired.unlink(missing_ok=True)
        warn(f"{self.lock}: the lock of a sahelmap run that no longer runs (PID {pid}) was "
             "taken over; its unfinished output was discarded")
        self._acquire()

    def _release(self) -> None:
        try:
            if _owner(self.lock)[0] == os.getpid():
                self.lock.unlink()
        except OSError:  # already gone: nothing to release
            pass

    # -- moving into place -------------------------------------------------------------
    def _recover(self) -> None:
        """Put back a folder left aside by a run killed mid-swap; drop unfinished ones."""
        leftovers = sorted(self.path.parent.glob(f".{glob.escape(self.path.name)}.sahelmap-*"))
        retired = [p for p in leftovers if p.is_dir() and p.name.startswith(
            f".{self.path.name}{_RETIRED}")]
        if not self.path.exists() and retired:
            os.rename(retired[-1], self.path)
            warn(f"{self.path}: the previous run's files were put back (a run was stopped "
                 "while moving its files into place)")
        if self.path.is_dir():  # unfinished folders of runs into a mount point
            leftovers += list(self.path.glob(f"{_STAGING}*"))
        for leftover in leftovers:
            if leftover.is_dir() and leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)

    def _commit(self) -> None:
        assert self.staging is not None
        for file in self.staging.iterdir():
            _fsync(file)
        if self.in_place:
            self._replace_files()
        elif not self.path.exists():
            os.rename(self.staging, self.path)
        elif _exchange(self.staging, self.path):
            shutil.rmtree(self.staging)  # now the previous run's folder
        else:  # no atomic swap on this system: two renames, recovered by the next run
            retired = Path(tempfile.mkdtemp(prefix=f".{self.path.name}{_RETIRED}",
                                            dir=self.path.parent))
            os.rmdir(retired)
            os.rename(self.path, retired)
            os.rename(self.staging, self.path)
            shutil.rmtree(retired)
        _fsync(self.path.parent)
        self.staging = None

    def _replace_files(self) -> None:
        """Replace the files of a folder that cannot be swapped, ``manifest.json`` last.

        The manifest goes first and comes back last, so a folder with a manifest holds one
        run's complete set (each file checked by the SHA-256 the manifest gives).
        """
        assert self.staging is not None
        warn(f"{self.given} is a mount point and cannot be swapped whole: its files are "
             "replaced one by one, manifest.json last")
        new = {p.name for p in self.staging.iterdir()}
        (self.path / "manifest.json").unlink(missing_ok=True)
        for name in sorted(new - {"manifest.json"}):
            os.replace(self.staging / name, self.path / name)
        for old in self.path.iterdir():
            if old.name in self.names and old.name not in new:
                old.unlink()
        if "manifest.json" in new:
            os.replace(self.staging / "manifest.json", self.path / "manifest.json")
        self.staging.rmdir()


@contextmanager
def replacing(path: str | PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it in one step once written.

    For a single output file (``sahelmap aggregate --out``, ``sahelmap geocode --out``): a
    run stopped half-way leaves the previous file, never a cut-off one.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "monthly.csv"
    ...     with replacing(target) as temp:
    ...         _ = temp.write_text("unit,events")
    ...     sorted(p.name for p in Path(folder).iterdir())
    ['monthly.csv']
    """
    path = Path(path)
    temp = path.with_name(f".{path.stem}.sahelmap-{os.getpid()}{path.suffix}")
    try:
        yield temp
        if temp.exists():
            os.chmod(temp, _default_mode() & 0o666)
            os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def _mount_point(folder: Path) -> bool:
    """True when ``folder`` is a mount point, or on another device than its parent."""
    try:
        return os.path.ismount(folder) or folder.stat().st_dev != folder.parent.stat().st_dev
    except OSError:
        return False


def _listed(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _owner(lock: Path) -> tuple[int | None, str | None]:
    """The PID and host written in a lock file (None, None when unreadable)."""
    try:
        pid, host = lock.read_text(encoding="utf-8").split()
        return int(pid), host
    except (OSError, ValueError):
        return None, None


def _running(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would interrupt it there: assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk (a power cut after the swap keeps complete files)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:  # some filesystems cannot sync a folder
        pass
    finally:
        os.close(handle)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system has no such call."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - Windows
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_fdcwd, rename_exchange = -100, 2
        result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                                rename_exchange)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):  # pragma: no cover
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), 0x2)  # RENAME_SWAP
    else:  # pragma: no cover
        return False
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the filesystem cannot swap
        return False
    raise ExportError(f"cannot move the new files into {b} ({os.strerror(errno)}); the "
                      "previous files are kept")
