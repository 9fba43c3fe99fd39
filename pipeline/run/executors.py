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
import functools
import multiprocessing
import os
import signal
import threading
from collections import deque
from concurrent.futures import Executor, Future
from multiprocessing.connection import wait as wait_for

# What a worker has before it is forked: every module a build imports, and the fonts read (``preload``).
WARM_MODULES = ["pipeline.run.preload"]


def _multiprocessing_scratch() -> None:
    """Give multiprocessing (its fork server's socket) a temporary folder named after this run
    (``scratch.process_folder``), instead of its own ``pymp-*``: a run that is killed leaves a folder the next
    run recognises and removes. multiprocessing keeps the folder in the process's configuration, where it makes
    its own when none is there (``multiprocessing.util.get_temp_dir``)."""
    from pipeline import scratch

    config = getattr(multiprocessing.current_process(), "_config", None)
    if isinstance(config, dict) and config.get("tempdir") is None:
        scratch.clean_leftovers()
        folder = scratch.process_folder()
        if len(str(folder)) <= SOCKET_FOLDER:
            config["tempdir"] = str(folder)
        else:  # too deep a TMPDIR for the socket: multiprocessing's own, shorter name
            folder.rmdir()


SOCKET_FOLDER = 80  # the longest folder for the fork server's socket (a Unix socket's path holds 107 bytes)


def _start_early() -> None:
    """Start the fork server (it imports ``WARM_MODULES`` in its own process) and the warm kernels' template now,
    so that both get ready while the coordinator plans, rather than after it submits the first build."""
    import multiprocessing.forkserver

    from pipeline.run import warm

    try:
        multiprocessing.forkserver.ensure_running()
    except OSError:
        pass  # the first build starts it, or fails with the reason
    try:
        warm.running()
    except warm.Unavailable:
        pass  # the coordinator says why when it hands out the builds (``warm.Kept``)


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
        try:
            conn.send(outcome)
        except (BrokenPipeError, ConnectionError):
            raise
        except Exception as exc:  # noqa: BLE001 - a result or exception that cannot be pickled
            conn.send((False, RuntimeError(f"the worker's result could not be sent back: {type(exc).__name__}: {exc}")))
        conn.close()
    except (BrokenPipeError, ConnectionError, OSError):
        os._exit(1)  # the run that asked for this build is gone (killed): there is no one to tell


class LocalProcesses(Executor):
    """Each submitted call in a process of its own, at most ``max_workers`` at once (see the module's text)."""

    name = "processes"
    on_this_machine = True  # its builds may use this process's warm kernel template (``warm.Kept``)

    def __init__(self, max_workers: int | None = None):
        self.max_workers = max(1, max_workers or os.cpu_count() or 1)
        _multiprocessing_scratch()
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(WARM_MODULES)
        _start_early()
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
                try:
                    process.start()
                except Exception as exc:  # noqa: BLE001 - this build fails with the reason; the loop goes on
                    reader.close()
                    future.set_exception(
                        WorkerDied(f"a worker process could not be started ({type(exc).__name__}: {exc})")
                    )
                    continue
                finally:
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


def run_on_worker(build) -> dict:
    """Run on a Dask worker: the build, handed back as plain data (names, bytes, text) that the coordinator reads
    as msgpack, never unpickling what a worker sends: ``{"files", "tables", "code"}``, the code being the digest
    of the pipeline on this worker at this moment (a worker that joined late, or was changed, is caught by its own
    result); or ``{"error"}`` with the one-line reason."""
    try:
        from pipeline.run import warm

        warm.here()  # this worker's kernels forked from a template of its own, started with its first build
        built = build()
    except BaseException as exc:  # noqa: BLE001 - the reason travels as text; the coordinator fails this job
        return {"error": str(exc) if getattr(exc, "message", None) else f"{type(exc).__name__}: {exc}"}
    return {"files": dict(built.files), "tables": dict(built.tables), "code": _code_digest_here()}


SCHEMES = ("tcp", "tls")
CONNECT_SECONDS = 15  # the longest a scheduler is waited for, whatever answers at its address


def checked_address(address: str) -> str:
    """A Dask scheduler's address as ``tcp://host:port`` or ``tls://host:port``. Raises UsageError, before any
    connection, for any other scheme, a missing or malformed host, or a port that is not 1 to 65535."""
    import ipaddress
    import re

    from pipeline.errors import UsageError, printable

    shown = printable(address)
    match = re.fullmatch(r"([a-z]+)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})", address or "")
    if not match or match.group(1) not in SCHEMES:
        raise UsageError(
            f"--scheduler {shown} is not a Dask scheduler's address: give tcp://HOST:PORT or tls://HOST:PORT "
            "(tls:// with Dask's TLS security, for a cluster across machines)"
        )
    host, port = match.group(2), int(match.group(3))
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise UsageError(f"--scheduler {shown}: {host} is not an IPv6 address") from None
    elif host.startswith(("-", ".")) or ".." in host or host.endswith("-"):
        raise UsageError(f"--scheduler {shown}: {host!r} is not a host name")
    if not 1 <= port <= 65535:
        raise UsageError(f"--scheduler {shown}: the port must be 1 to 65535")
    return address


class DaskCluster(Executor):
    """Builds sent to a Dask distributed cluster through its client's ``concurrent.futures`` interface. The
    address is checked before connecting and the connection given ``CONNECT_SECONDS``; a cluster whose workers
    lack the pipeline or run another code digest is refused before any work is sent (their reports would not be
    this code's), and every result says again which code built it (``run_on_worker``). Results are read as
    msgpack only: a worker hands back names and bytes, never an object to unpickle."""

    name = "dask"
    on_this_machine = False  # each worker process starts its own warm kernel template (``run_on_worker``)

    def __init__(self, address: str):
        from pipeline.errors import UsageError
        from pipeline.run import manifest

        self.client = _connect(checked_address(address))
        try:
            digests = self.client.run(_code_digest_here)
        except Exception as exc:  # noqa: BLE001 - whatever the cluster says, it is not one to build on
            self.client.close()
            raise UsageError(
                f"the Dask cluster at {address} could not be asked its code ({type(exc).__name__})"
            ) from None
        mine = manifest.code_digest()
        wrong = {worker: digest for worker, digest in digests.items() if digest != mine}
        if not digests or wrong:
            self.client.close()
            said = (
                "has no workers"
                if not digests
                else (
                    f"has {len(wrong)} worker(s) without this pipeline's code (code digest {mine[:12]}; "
                    + ", ".join(f"{w}: {str(d)[:12]}" for w, d in sorted(wrong.items())[:3])
                    + "); install the same commit and lock on every worker"
                )
            )
            raise UsageError(f"the Dask cluster at {address} {said}")
        self._pool = self.client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._pool.submit(run_on_worker, functools.partial(fn, *args, **kwargs))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait)
        self.client.close()


def _connect(address: str):
    """A Dask client of the scheduler at ``address`` that reads only msgpack, connected within
    ``CONNECT_SECONDS`` whatever answers there (a server that is not Dask's can hold a connection open for ever).
    Raises UsageError naming the address."""
    from distributed import Client

    from pipeline.errors import UsageError

    made: dict = {}

    def connect() -> None:
        try:
            made["client"] = Client(
                address, timeout=f"{CONNECT_SECONDS}s", set_as_default=False, deserializers=["msgpack"]
            )
        except BaseException as exc:  # noqa: BLE001 - told to the caller below
            made["error"] = exc

    thread = threading.Thread(target=connect, name="dask-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_SECONDS + 5)
    if "client" in made:
        return made["client"]
    why = f"{type(made['error']).__name__}" if "error" in made else f"nothing answered within {CONNECT_SECONDS} s"
    raise UsageError(f"no Dask scheduler answers at {address} ({why})")


EXECUTORS = {LocalProcesses.name: LocalProcesses, DaskCluster.name: DaskCluster}


def executor_for(scheduler: str | None = None, jobs: int | None = None) -> Executor:
    """The executor of a run: the Dask cluster at ``scheduler`` when one is named, else local processes."""
    return executor("dask", address=scheduler) if scheduler else executor("processes", max_workers=jobs)


def executor(name: str = "processes", **options) -> Executor:
    """The executor registered under ``name``, made with ``options``."""
    return EXECUTORS[name](**options)
