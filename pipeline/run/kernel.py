"""Rendering (its kernel): the notebook kernel a report is executed in.

A run starts its kernel before it cleans the export (``started``), so the kernel's own start-up overlaps the
parent's imports and cleaning; the kernel is the Python running the pipeline, whatever kernels the user has
installed; after the last cell it is stopped at once, without the graceful wait (nothing of it is kept).
Its spec and connection files live in a folder named after the run's process, so the folder of a run that
was killed is recognised and removed by the next run (``clean_leftovers``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from pathlib import Path

from pipeline.paths import PROJECT_ROOT
from pipeline.scratch import clean_leftovers, private_folder

KERNEL_NAME = "python3"
PROVISIONER = "council-warm-provisioner"  # ``warm.WarmProvisioner``'s entry point (pyproject.toml)
# What every report kernel is started with, cold or warm (``warm``'s template is started with it too).
KERNEL_ENVIRONMENT = {"PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "agg"}
WARM_IMPORTS = "import pandas, matplotlib.figure, pipeline.report.charts, pipeline.report, pipeline.run.prepare, pipeline.run.manifest"


@contextlib.contextmanager
def _kernel_of_this_python(**environment: str):
    """Make kernel ``python3`` the Python running this code, whatever kernels the user has installed.

    The kernel spec and the kernel's connection files live in one folder named after this process, so a
    run that is killed leaves one folder that ``clean_leftovers`` recognises.
    """
    clean_leftovers()
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
        if _warm_provisioner_installed():  # forked from a template when the build has one, else cold as always
            spec["metadata"] = {"kernel_provisioner": {"provisioner_name": PROVISIONER}}
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        jupyter_path = os.pathsep.join(filter(None, [str(tmp), os.environ.get("JUPYTER_PATH")]))
        with _environ(
            JUPYTER_PATH=jupyter_path,
            JUPYTER_RUNTIME_DIR=str(Path(tmp) / "runtime"),
            **KERNEL_ENVIRONMENT,
            **environment,
        ):
            yield Path(tmp)


@functools.cache
def _warm_provisioner_installed() -> bool:
    """Whether jupyter_client can find ``warm.WarmProvisioner`` (the project is installed with its entry points)."""
    from importlib.metadata import entry_points

    return any(e.name == PROVISIONER for e in entry_points(group="jupyter_client.kernel_provisioners"))


@contextlib.contextmanager
def started(environment: dict[str, str] | None = None):
    """A kernel of this Python, started now (its process boots while the caller goes on) and stopped at once
    on leaving, whatever happened; ``environment``: variables the kernel is started with. Yields the kernel
    manager, for ``execute.execute_notebook``."""
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    with _kernel_of_this_python(**(environment or {})) as tmp:
        # the connection file in the run's own folder (else jupyter_client writes it to the temporary folder,
        # where a killed worker would leave it for good)
        connection = tmp / "runtime" / f"kernel-{uuid.uuid4()}.json"
        connection.parent.mkdir(exist_ok=True)
        km = AsyncKernelManager(
            kernel_name=KERNEL_NAME, client_factory=_ready_client(), connection_file=str(connection)
        )
        run_sync(km.start_kernel)(cwd=str(PROJECT_ROOT))
        try:
            yield km
        finally:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)


class KernelNotReady(RuntimeError):
    """The kernel did not answer in the time the run gives it."""


@functools.cache
def _ready_client():
    """The kernel client class nbclient is given: ready as soon as the kernel has answered and IOPub is
    connected. jupyter_client's own ``wait_for_ready`` then waits for 0.2 s of silence on IOPub, to flush it, on
    every run (and another 0.2 s when IOPub's first message was sent before it subscribed); nbclient ignores the
    IOPub messages that are not of the cell it is running, so nothing needs flushing."""
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from nbclient.exceptions import DeadKernelError

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
                    raise DeadKernelError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise KernelNotReady(f"Kernel didn't respond in {timeout:.0f} seconds")

    return ReadyWhenAnswered


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
