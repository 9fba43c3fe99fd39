"""A run's scratch folders: private temporary folders named after the run's process, so that the folders of a
run that was killed are recognised and removed by the next run.

Shared words: every stage may use them (Typst's empty root, the kernel's connection files, the data handed to a
kernel, reproduce's copies of the inputs); they use no stage.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_PREFIX = "council-"  # every temporary folder of a run: council-<kind>-<pid>-<random>
_KINDS = ("kernel", "handover", "typst", "reproduce", "mp", "warm")


@contextlib.contextmanager
def private_folder(kind: str):
    """A private temporary folder (0700) for one run's ``kind`` of scratch files, named after the run's process
    so that the folder of a run that was killed is recognised and removed by the next run
    (``clean_leftovers``). Removed on leaving. Raises OutputError when the temporary folder cannot be
    written (full, read-only, a file-size limit)."""
    from pipeline.errors import OutputError

    assert kind in _KINDS
    try:
        with tempfile.TemporaryDirectory(prefix=f"{_PREFIX}{kind}-{os.getpid()}-") as tmp:
            yield Path(tmp)
    except OSError as exc:
        raise OutputError(
            f"the temporary folder cannot be written ({exc.strerror or exc}); free space there or set TMPDIR",
            tempfile.gettempdir(),
        ) from None


def process_folder(kind: str = "mp") -> Path:
    """A private temporary folder for the rest of this process's life (multiprocessing's, the warm kernels'
    template's), named like the others (removed when the process ends; by the next run when it is killed).
    Raises OutputError as ``private_folder``."""
    import atexit
    import shutil

    from pipeline.errors import OutputError

    try:
        assert kind in _KINDS
        folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{kind}-{os.getpid()}-"))
    except OSError as exc:
        raise OutputError(
            f"the temporary folder cannot be written ({exc.strerror or exc}); free space there or set TMPDIR",
            tempfile.gettempdir(),
        ) from None
    atexit.register(shutil.rmtree, folder, True)
    return folder


def clean_leftovers(tmp_root: str | None = None) -> list[Path]:
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
            if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
