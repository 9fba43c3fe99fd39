"""Where builds run: executors behind ``concurrent.futures``, chosen by name from a registry.

How work runs is kept apart from what it does: a build (a period's report) is a picklable call, and an
executor runs it somewhere and hands back a ``Future``. ``processes`` runs each build in a process of its own
on this machine, at most ``max_workers`` at a time. Its processes are forked from a fork server that has
imported everything rendering needs (so each starts warm, and is forked from a process with one thread), and
each dies with its parent: a batch that is killed leaves no worker publishing behind it. A worker that dies
(killed, out of memory) fails its own build with the reason; the others go on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from collections import deque
from concurrent.futures import Executor, Future
from multiprocessing.connection import wait as wait_for

# What a worker imports before it is forked: rendering's heavy modules and the stages.
WARM_MODULES = [
    "pandas",
    "matplotlib.figure",
    "papermill",
    "nbconvert",
    "typst",
    "pipeline.read.readers",
    "pipeline.read.stockton.clean",
    "pipeline.read.stockton.figures",
    "pipeline.read.table.rows",
    "pipeline.figures.measure",
    "pipeline.figures.milestones",
    "pipeline.report",
    "pipeline.report.charts",
    "pipeline.report.export.html",
    "pipeline.report.export.pdf",
    "pipeline.report.formats.typst",
    "pipeline.run.build",
    "pipeline.run.execute",
    "pipeline.run.kernel",
    "pipeline.run.prepare",
]


class WorkerDied(Exception):
    """The process running a build ended without a result (killed by a signal, or out of memory)."""


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (prctl PR_SET_PDEATHSIG); if the parent is already
    gone, go now. The parent is the fork server, which ends when the process that made it ends, so a worker
    dies with the batch. Elsewhere nothing is asked (the worker then outlives a killed parent)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def _child(conn, fn, args, kwargs) -> None:
    _die_with_parent()
    try:
        outcome = (True, fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent's Future as the build's exception
        outcome = (False, exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # noqa: BLE001 - a result or exception that cannot be pickled
        conn.send((False, RuntimeError(f"the worker's result could not be sent back: {type(exc).__name__}: {exc}")))
    conn.close()


class LocalProcesses(Executor):
    """Each submitted call in a process of its own, at most ``max_workers`` at once (see the module's text)."""

    name = "processes"

    def __init__(self, max_workers: int | None = None):
        self.max_workers = max(1, max_workers or os.cpu_count() or 1)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(WARM_MODULES)
        self._queue: deque = deque()
        self._running: dict = {}  # the result pipe's reading end -> (process, future)
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = self._context.Pipe(duplex=False)
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name="local-processes", daemon=True)
        self._thread.start()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closing:
                raise RuntimeError("cannot submit after shutdown")
            self._queue.append((future, fn, args, kwargs))
        self._wake_w.send(None)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closing = True
            if cancel_futures:
                while self._queue:
                    self._queue.popleft()[0].cancel()
        self._wake_w.send(None)
        if wait:
            self._thread.join()

    def _start_more(self) -> None:
        with self._lock:
            while self._queue and len(self._running) < self.max_workers:
                future, fn, args, kwargs = self._queue.popleft()
                if not future.set_running_or_notify_cancel():
                    continue
                reader, writer = self._context.Pipe(duplex=False)
                process = self._context.Process(target=_child, args=(writer, fn, args, kwargs), daemon=True)
                process.start()
                writer.close()
                self._running[reader] = (process, future)

    def _loop(self) -> None:
        while True:
            self._start_more()
            with self._lock:
                if self._closing and not self._queue and not self._running:
                    return
                readers = list(self._running)
                sentinels = {process.sentinel: reader for reader, (process, _) in self._running.items()}
            for ready in wait_for([self._wake_r, *readers, *sentinels], timeout=1.0):
                if ready is self._wake_r:
                    while self._wake_r.poll():
                        self._wake_r.recv()
                    continue
                reader = sentinels.get(ready, ready)
                with self._lock:
                    entry = self._running.pop(reader, None)
                if entry is not None:
                    self._finish(reader, *entry)

    @staticmethod
    def _finish(reader, process, future: Future) -> None:
        """Take a finished (or dead) worker's outcome into its Future."""
        outcome = None
        try:
            if reader.poll():
                outcome = reader.recv()
        except (EOFError, OSError):
            outcome = None
        reader.close()
        process.join()
        if outcome is None:
            code = process.exitcode
            how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
            future.set_exception(WorkerDied(f"the worker process died ({how}) before it finished"))
        elif outcome[0]:
            future.set_result(outcome[1])
        else:
            future.set_exception(outcome[1])


def _code_digest_here() -> str:
    """Run on a Dask worker: the code digest of the pipeline it would run, or why it has none."""
    try:
        from pipeline.run import manifest
    except ImportError:
        return "no pipeline installed"
    return manifest.code_digest()


class DaskCluster(Executor):
    """Builds sent to a Dask distributed cluster through its client's ``concurrent.futures`` interface. A cluster
    whose workers lack the pipeline or run another code digest is refused before any work is sent (their reports
    would not be this code's)."""

    name = "dask"

    def __init__(self, address: str):
        from distributed import Client

        from pipeline.errors import UsageError
        from pipeline.run import manifest

        try:
            self.client = Client(address, timeout="15s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"no Dask scheduler answers at {address} ({exc})") from None
        digests = self.client.run(_code_digest_here)
        mine = manifest.code_digest()
        wrong = {worker: digest for worker, digest in digests.items() if digest != mine}
        if not digests or wrong:
            self.client.close()
            said = (
                "has no workers"
                if not digests
                else (
                    f"has {len(wrong)} worker(s) without this pipeline's code (code digest {mine[:12]}; "
                    + ", ".join(f"{w}: {d[:12]}" for w, d in sorted(wrong.items())[:3])
                    + "); install the same commit and lock on every worker"
                )
            )
            raise UsageError(f"the Dask cluster at {address} {said}")
        self._pool = self.client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait)
        self.client.close()


EXECUTORS = {LocalProcesses.name: LocalProcesses, DaskCluster.name: DaskCluster}


def executor_for(scheduler: str | None = None, jobs: int | None = None) -> Executor:
    """The executor of a run: the Dask cluster at ``scheduler`` when one is named, else local processes."""
    return executor("dask", address=scheduler) if scheduler else executor("processes", max_workers=jobs)


def executor(name: str = "processes", **options) -> Executor:
    """The executor registered under ``name``, made with ``options``."""
    return EXECUTORS[name](**options)
