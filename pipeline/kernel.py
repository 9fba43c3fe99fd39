"""Stage 5b, render (its kernel): the notebook kernel a report is executed in.

A run starts its kernel before it cleans the export (``started``), so the kernel's own start-up overlaps the
parent's imports and cleaning; the kernel is the Python running the pipeline, whatever kernels the user has
installed; after the last cell it is stopped at once, without the graceful wait (nothing of it is kept).
Its spec and connection files live in a folder named after the run's process, so the folder of a run that
was killed is recognised and removed by the next run (``clean_kernel_leftovers``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import tempfile
from pathlib import Path

from .paths import PROJECT_ROOT

KERNEL_NAME = "python3"
ENGINE_NAME = "council_started_kernel"
WARM_IMPORTS = "import pandas, matplotlib.figure, pipeline.charts, pipeline.report, pipeline.prepare, pipeline.manifest"

_PREFIX = "council-"  # every temporary folder of a run: council-<kind>-<pid>-<random>
_KINDS = ("kernel", "handover", "typst", "reproduce")


@contextlib.contextmanager
def private_folder(kind: str):
    """A private temporary folder (0700) for one run's ``kind`` of scratch files, named after the run's process
    so that the folder of a run that was killed is recognised and removed by the next run
    (``clean_kernel_leftovers``). Removed on leaving. Raises OutputError when the temporary folder cannot be
    written (full, read-only, a file-size limit)."""
    from .errors import OutputError

    assert kind in _KINDS
    try:
        with tempfile.TemporaryDirectory(prefix=f"{_PREFIX}{kind}-{os.getpid()}-") as tmp:
            yield Path(tmp)
    except OSError as exc:
        raise OutputError(
            f"the temporary folder cannot be written ({exc.strerror or exc}); free space there or set TMPDIR",
            tempfile.gettempdir(),
        ) from None


def clean_kernel_leftovers(tmp_root: str | None = None) -> list[Path]:
    """Remove the temporary folders (kernel spec and connection files, the data handed to the kernel, Typst's
    root, reproduce's copies) of runs whose process no longer exists.

    Each run keeps them in ``<tmp>/council-<kind>-<pid>-*``; a run killed part-way cannot remove its
    own, so the next one does. Returns what was removed.
    """
    import shutil

    removed = []
    root = Path(tmp_root or tempfile.gettempdir())
    for kind in _KINDS:
        for folder in sorted(root.glob(f"{_PREFIX}{kind}-*")):
            pid = folder.name[len(f"{_PREFIX}{kind}-") :].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _kernel_of_this_python(**environment: str):
    """Make kernel ``python3`` the Python running this code, whatever kernels the user has installed.

    The kernel spec and the kernel's connection files live in one folder named after this process, so a
    run that is killed leaves one folder that ``clean_kernel_leftovers`` recognises.
    """
    clean_kernel_leftovers()
    with private_folder("kernel") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        # ipykernel logs a warning on every start (loopback TCP is unencrypted) and, in batch workers, the
        # interrupt nbclient sends at shutdown: noise on the analyst's terminal. Cell errors still fail the run.
        spec = {
            "argv": [
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                "--IPKernelApp.log_level=CRITICAL",
                # no history database: a report's cells are not the user's session (and opening it costs 50 ms)
                "--HistoryManager.enabled=False",
                # what every report notebook imports, imported while the kernel starts (and the parent cleans),
                # not when the first cell runs; silent, and no cell's count or output changes
                f"--IPKernelApp.exec_lines={WARM_IMPORTS}",
            ],
            "display_name": "Python 3 (council report)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        jupyter_path = os.pathsep.join(filter(None, [str(tmp), os.environ.get("JUPYTER_PATH")]))
        with _environ(
            JUPYTER_PATH=jupyter_path,
            JUPYTER_RUNTIME_DIR=str(Path(tmp) / "runtime"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            MPLBACKEND="agg",
            **environment,
        ):
            yield


@contextlib.contextmanager
def started(environment: dict[str, str] | None = None):
    """A kernel of this Python, started now (its process boots while the caller goes on) and stopped at once
    on leaving, whatever happened; ``environment``: variables the kernel is started with. Yields the kernel
    manager, for ``render.execute_notebook``."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    with _kernel_of_this_python(**(environment or {})):
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, client_factory=_ready_client())
        run_sync(km.start_kernel)(cwd=str(PROJECT_ROOT))
        try:
            yield km
        finally:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)


@functools.cache
def _ready_client():
    """The kernel client class nbclient is given: ready as soon as the kernel has answered and IOPub is
    connected. jupyter_client's own ``wait_for_ready`` then waits for 0.2 s of silence on IOPub, to flush it, on
    every run (and another 0.2 s when IOPub's first message was sent before it subscribed); nbclient ignores the
    IOPub messages that are not of the cell it is running, so nothing needs flushing."""
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyWhenAnswered(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:  # ipykernel greets each subscriber on IOPub; a status of the request will do as well
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub is not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    return ReadyWhenAnswered


@functools.cache
def engine() -> str:
    """The name of the papermill engine that executes in a kernel already started (``km``) and stops it at once
    after the last cell; registered with papermill on first use."""
    from jupyter_core.utils import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class KilledAfterLastCell(PapermillNotebookClient):
        async def _async_cleanup_kernel(self) -> None:
            """Kill the kernel's processes after the last cell without waiting to see them gone (the wait polls
            every 0.1 s); ``started`` reaps them when the run leaves it, by which time they are."""
            try:
                if self.km is not None and self.km.has_kernel:
                    await self.km.provisioner.kill()
            finally:
                if getattr(self, "kc", None) is not None:
                    self.kc.stop_channels()
                self.kc = None
                self.km = None

        _cleanup_kernel = run_sync(_async_cleanup_kernel)  # nbclient binds its own at class definition

    class StartedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            km=None,
            on_cell=None,
            **kwargs,
        ):
            kwargs.pop("input_path", None)
            if on_cell is not None:  # told of each code cell once the kernel has finished it
                kwargs["on_cell_executed"] = lambda cell, cell_index, execute_reply: on_cell(nb_man.nb, cell_index)
            client = KilledAfterLastCell(
                nb_man,
                km=km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                shutdown_kernel="immediate",
                **kwargs,
            )
            return client.execute(cleanup_kc=True)  # the kernel is not ours to keep: stop it, now

    papermill_engines.register(ENGINE_NAME, StartedKernelEngine)
    return ENGINE_NAME


def papermill_execute(notebook: Path, parameters: dict, km, on_cell=None):
    """Papermill's ``execute_notebook`` for a notebook kept in memory, in a kernel already started (``km``), in
    the project root: papermill loads and parameterises the notebook, records its parameters and executes it
    with ``engine()``, and raises PapermillExecutionError for a failed cell. Its own ``execute_notebook`` also
    serialises the whole executed notebook for an output path of None, where it goes nowhere (0.05 s for the
    seed's period, 0.45 s for 1,000 indicators, after the last cell); these are its steps without that one."""
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.iorw import load_notebook_node, local_file_io_cwd
    from papermill.parameterize import parameterize_notebook
    from papermill.utils import chdir

    engine_name = engine()
    with local_file_io_cwd():
        nb = load_notebook_node(str(notebook))
        nb = parameterize_notebook(nb, parameters, kernel_name=KERNEL_NAME, engine_name=engine_name)
        nb = remove_error_markers(prepare_notebook_metadata(nb, str(notebook), None))
        with chdir(str(PROJECT_ROOT)):
            nb = papermill_engines.execute_notebook_with_engine(
                engine_name,
                nb,
                input_path=str(notebook),
                output_path=None,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                km=km,
                on_cell=on_cell,
            )
        raise_for_execution_errors(nb, None)
    return nb


@contextlib.contextmanager
def _environ(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
