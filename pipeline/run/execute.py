"""Executing a report notebook: papermill parameterises it and runs it, cell by cell, in a kernel already
started (``kernel.started``), in the project root; the executed notebook is scrubbed of what differs from one
execution to the next (timings, random ids), so that equal inputs give equal bytes.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pipeline.errors import RenderError
from pipeline.paths import PROJECT_ROOT
from pipeline.run import kernel
from pipeline.run.kernel import KERNEL_NAME

ENGINE_NAME = "council_started_kernel"


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


def execute_notebook(notebook: Path, parameters: dict, km=None, on_cell=None):
    """Run ``notebook`` with ``parameters`` through papermill; return the scrubbed executed notebook node.

    ``km``: a kernel already started (``kernel.started``, as ``run`` does while it cleans); else one is
    started here. Either way it is stopped at once after the last cell. The kernel's working directory is
    the project root, so relative paths in parameters resolve the same wherever the command was started.
    ``on_cell(nb, index)``: called as each code cell is finished (every cell up to ``index`` of ``nb`` is done).
    Raises RenderError when a cell fails, naming the notebook and the error, or when the kernel dies.
    """
    if km is None:
        with kernel.started() as started:
            return execute_notebook(notebook, parameters, started, on_cell)
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    try:
        nb = papermill_execute(notebook, parameters, km, on_cell)
    except PapermillExecutionError as exc:
        raise RenderError(
            f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}", notebook
        ) from None
    except (DeadKernelError, kernel.KernelNotReady) as exc:  # killed, or out of memory: this report fails, no other
        raise RenderError(f"the report's kernel ended before the report was done ({exc})", notebook) from None
    scrub_notebook(nb)
    return nb


def scrub_notebook(nb) -> None:
    """Remove what differs between two executions of the same notebook on the same inputs.

    Drops papermill's timings and paths and the kernel's execution timestamps,
    and gives every cell an id from its position (papermill's injected cell has a random one).
    """
    papermill_meta = nb.metadata.get("papermill", {})
    for key in (
        "start_time",
        "end_time",
        "duration",
        "input_path",
        "output_path",
        "environment_variables",
        "exception",
    ):
        papermill_meta.pop(key, None)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    nb.metadata.get("language_info", {}).pop("version", None)
