"""Worker processes that run one function on many inputs while the caller reads ahead.

A streamed load (:mod:`~sahelmap.loaders.streaming`) checks and geocodes each chunk on its
own; only the bookkeeping across chunks needs them in order. :class:`Workers` runs the
per-chunk work in forked processes, which inherit the work's state (the geocoder's index,
the options) as the parent holds it when they start: nothing of it is pickled, only each
call's arguments and result; where the system has memory-backed files (``/dev/shm``),
the arguments are handed over in one, mapped by the worker, not sent through a pipe (the
results, smaller and kept in part until the end, come back through the pipe: mapped, they
would keep their whole chunk's file in memory). Each worker keeps its own memory of what
it met (names matched, dates parsed), which makes it faster, never different.

Warnings a call gives are recorded in the worker and given again in the caller when its
result is taken; an exception reaches the caller as the worker raised it (same class, same
message), with the worker's traceback as its cause.
"""

from __future__ import annotations

import logging
import mmap
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import accumulate
from pathlib import Path
from typing import Any

__all__ = ["Workers", "start_workers"]

logger = logging.getLogger("sahelmap.loaders")

#: The work of this worker process (set when it starts; see :func:`_start`).
_WORK: list[Callable[..., Any]] = []
#: Memory-backed files (Linux): the calls' arguments are handed over there.
_SHARED = Path("/dev/shm")


def start_workers(n: int, work: Callable[..., Any]) -> Workers | None:
    """``n`` worker processes running ``work``, or None to run it here.

    None when ``n`` is 1 or less, and where processes cannot be forked (Windows): the
    work's state would have to be pickled to each worker, which costs more than the
    second core gives (a note is logged).

    Parameters
    ----------
    n : int
        Worker processes.
    work : callable
        Called in a worker as ``work(*args)`` for each :meth:`Workers.submit`; its state
        is the worker's, as it was when the workers started.
    """
    if n <= 1:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        logger.info("workers=%d: processes cannot be forked here; the chunks are checked in "
                    "this process", n)
        return None
    return Workers(n, work)


class Workers:
    """``n`` forked processes running one function; a few calls in flight per process.

    Parameters
    ----------
    n : int
        Worker processes.
    work : callable
        What each call runs (see :func:`start_workers`).

    Attributes
    ----------
    depth : int
        How many calls to keep in flight: two per worker, so that each has its next input
        waiting while the caller takes a result (more would only hold more chunks).
    """

    def __init__(self, n: int, work: Callable[..., Any]) -> None:
        self.depth = 2 * n
        self.registry: dict[Any, Any] = {}  # warnings already shown, as a module's
        self.handover = _Handover(_shared_folder())
        self.executor = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_start, initargs=(work,))
        try:
            # the processes fork at the first call: now, before the caller starts reader
            # threads (a thread that holds a lock when the process forks holds it forever
            # in the child)
            self.executor.submit(_ready).result()
        except BaseException:
            self.close(abandon=True)
            raise

    def submit(self, *args: Any) -> Future:
        """Run ``work(*args)`` in a worker; :meth:`result` takes what it gives."""
        return self.executor.submit(_call, self.handover.pack(args))

    def result(self, future: Future) -> Any:
        """What ``future``'s call returned (its warnings given here), or its exception."""
        value, caught = pickle.loads(future.result())
        for message, category, filename, lineno in caught:
            warnings.warn_explicit(message, category, filename, lineno,
                                   registry=self.registry)
        return value

    def close(self, abandon: bool = False) -> None:
        """Stop the workers and wait for them to exit (no process is left behind).

        ``abandon``: stop them where they are (on an error or an interrupt), as Python
        3.14's ``ProcessPoolExecutor.terminate_workers`` does, instead of letting the calls
        already sent finish.
        """
        try:
            self._stop(abandon)
        finally:
            self.handover.close()

    def _stop(self, abandon: bool) -> None:
        if not abandon:
            self.executor.shutdown(wait=True, cancel_futures=True)
            return
        # the executor's own: Python < 3.14 has no public way to stop its processes
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        manager = getattr(self.executor, "_executor_manager_thread", None)
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        # the executor's thread sees them stop and reaps them: waited for, not raced (two
        # threads waiting for one process, the second may return before it is reaped)
        if manager is not None:
            manager.join()
        for process in processes:
            process.join()


def _shared_folder() -> Path | None:
    """A private folder of memory-backed files, or None where the system has none."""
    try:
        return Path(tempfile.mkdtemp(prefix="sahelmap-workers-", dir=_SHARED))
    except OSError:  # none, or not writable: through the pipe
        return None


class _Handover:
    """Calls' arguments pickled for a worker, in a memory-backed file where there is one.

    Pickled in protocol 5, the arrays' memory apart (out of band): the executor's own
    pickling (protocol 4) copies arrow's text columns value by value, 20 times slower, and
    its pipe copies each chunk's 20 MB four times more; written once to a file of
    ``folder`` (in ``/dev/shm``), they are mapped by the worker as they are.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.count = 0

    def pack(self, value: Any) -> bytes | tuple[str, int, list[int]]:
        """``value`` pickled: in the bytes returned, or in a file (its path and sizes)."""
        if self.folder is None:
            return pickle.dumps(value, protocol=5)
        buffers: list[pickle.PickleBuffer] = []
        head = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
        views = [buffer.raw() for buffer in buffers]
        self.count += 1
        path = self.folder / f"{os.getpid()}-{self.count}"
        try:
            with open(path, "wb") as handle:
                handle.write(head)
                for view in views:
                    handle.write(view)
        except OSError:  # the memory-backed files are full: this one through the pipe
            path.unlink(missing_ok=True)
            return pickle.dumps(value, protocol=5)
        return str(path), len(head), [view.nbytes for view in views]

    def close(self) -> None:
        """Remove the files of calls that never ran (the workers remove the others)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _unpack(packed: bytes | tuple[str, int, list[int]]) -> Any:
    """What :meth:`_Handover.pack` packed (its file removed once mapped)."""
    if isinstance(packed, bytes):
        return pickle.loads(packed)
    path, size, sizes = packed
    with open(path, "rb") as handle:
        # copy-on-write: arrays come back writable, and only the pages written are copied
        mapped = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY))
    os.unlink(path)  # its memory goes when the last array on it goes
    ends = list(accumulate(sizes, initial=size))
    buffers = [mapped[start:end] for start, end in zip(ends, ends[1:])]
    return pickle.loads(mapped[:size], buffers=buffers)


def _start(work: Callable[..., Any]) -> None:
    """Set a worker up: its work, and Ctrl-C left to the parent (which stops the workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORK[:] = [work]


def _ready() -> None:
    """Nothing: a first call, to have the processes started."""


def _call(args: bytes | tuple[str, int, list[int]]) -> bytes:
    """Run this worker's work on ``args`` (packed); its result and warnings, pickled.

    In protocol 5: the executor's (4) copies arrow's text columns value by value.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # the caller's filters decide what is shown
        value = _WORK[0](*_unpack(args))
    return pickle.dumps((value, [(str(w.message), w.category, w.filename, w.lineno)
                                 for w in caught]), protocol=5)
