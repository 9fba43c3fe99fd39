"""Where one period's time goes: ``python -m pipeline run --force`` in this process, each stage timed.

    .venv/bin/python benchmarks/profile_period.py [run arguments]

Wraps the stages of a run (without changing what they do) and prints a timeline: the parent's imports,
planning, cleaning, the software description, the kernel's first and last cell (the kernel boots while the parent
imports and cleans), each slow cell, the notebook, the HTML, the Word document's last part, Typst, the manifest and
publishing. Wall-clock seconds from the start of this process. Used by ``run.py --speed``; not a test.
"""

from __future__ import annotations

import sys
import time

START = time.perf_counter()
EVENTS: list[tuple[float, str]] = []


def mark(what: str) -> None:
    EVENTS.append((time.perf_counter() - START, what))


def timed(module, name: str, label: str) -> None:
    """Wrap ``module.name`` so that its start and end are marked."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        mark(f"{label} starts")
        try:
            return original(*args, **kwargs)
        finally:
            mark(f"{label} ends")

    setattr(module, name, wrapper)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from pipeline import cli

    mark("the command line imported")
    from pipeline.run import coordinator, jobs, kernel, manifest, prepare

    launch = kernel.started

    def started(*args, **kwargs):
        mark("the kernel is launched (it boots while the parent cleans)")
        return launch(*args, **kwargs)

    kernel.started = started
    for module, name, label in (
        (jobs, "period_job", "plan (read the inputs, cache key)"),
        (prepare, "prepare_period", "prepare (clean, figures, assessment)"),
        (manifest, "software", "describe the software"),
        (coordinator, "publish_job", "publish"),
    ):
        timed(module, name, label)
    # the modules a run imports late are wrapped when it imports them, so that the timeline is the run's own
    after_import("pipeline.run.execute", lambda m: timed(m, "execute_notebook", "execute the notebook"))
    after_import("pipeline.report.export.pdf", lambda m: timed(m, "typst_to_pdf", "Typst: the PDF"))
    after_import("pipeline.report.export.html", lambda m: timed(m, "notebook_to_html", "nbconvert: the HTML"))
    after_import("pipeline.report.export.docx", patch_word)
    patch_client(kernel)
    code = cli.main(["run", "--force", *argv])
    mark("done")
    width = max(len(w) for _, w in EVENTS)
    for at, what in sorted(EVENTS, key=lambda e: e[0]):
        print(f"{at:6.2f} s  {what:<{width}}", file=sys.stderr)
    print(chain(), file=sys.stderr)
    return code


def chain() -> str:
    """The chain of steps each of which waits for the one before, whatever the parent does meanwhile: the kernel
    launched, its boot (with the report's imports), the cells, and Typst (it needs the last cell's output)."""
    at = {what: t for t, what in EVENTS}
    launched = at["the kernel is launched (it boots while the parent cleans)"]
    boot = at["the kernel answers (booted, its imports done)"] - launched
    cells = at["the kernel's last cell done"] - at["the kernel answers (booted, its imports done)"]
    typst = at["Typst: the PDF ends"] - at["Typst: the PDF starts"]
    return (
        f"the chain: kernel launched at {launched:.2f} s + its boot {boot:.2f} s + the cells {cells:.2f} s + "
        f"Typst {typst:.2f} s = {launched + boot + cells + typst:.2f} s"
    )


def after_import(name: str, patch) -> None:
    """Call ``patch(module)`` once module ``name`` has been imported (by the run, when it needs it)."""
    import importlib.abc
    import importlib.util

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            execute = spec.loader.exec_module

            def exec_module(module):
                execute(module)
                mark(f"{name} imported")
                patch(module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Finder())


def patch_client(kernel) -> None:
    make = kernel._ready_client

    def ready_client():
        client = make()
        ready = client.wait_for_ready

        async def wait_for_ready(self, *args, **kwargs):
            try:
                return await ready(self, *args, **kwargs)
            finally:
                mark("the kernel answers (booted, its imports done)")

        return type(client.__name__, (client,), {"wait_for_ready": wait_for_ready})

    kernel._ready_client = ready_client


def patch_word(docx_export) -> None:
    executed = docx_export.WordWhileExecuting.executed
    word_bytes = docx_export.WordWhileExecuting.bytes
    previous = [None]

    def on_cell(self, nb, index):
        now = time.perf_counter() - START
        if previous[0] is None:
            mark("the kernel's first cell done")
        elif now - previous[0] > 0.05:
            mark(f"cell {index} done ({now - previous[0]:.2f} s): {nb.cells[index].source.splitlines()[0][:50]}")
        previous[0] = now
        return executed(self, nb, index)

    def word(self, nb):
        EVENTS.append((previous[0], "the kernel's last cell done"))
        mark("Word: the cells not yet added")
        try:
            return word_bytes(self, nb)
        finally:
            mark("Word done")

    docx_export.WordWhileExecuting.executed = on_cell
    docx_export.WordWhileExecuting.bytes = word


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
