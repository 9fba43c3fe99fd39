"""Publishing a folder of outputs: all or nothing, one writer at a time, safe to open in a spreadsheet.

* ``write_folder`` writes the files into a staging folder beside the target and moves it into place
  whole, so a reader never sees half a report, and a failure (a read-only folder, a full disk) leaves
  nothing behind and ends in an ``OutputError`` naming the folder, not a traceback.
* ``lock`` makes runs on one output tree exclude each other. The lock files live in the output tree
  itself (``outputs/.locks/2011-12__Q4.lock``), never in a temporary folder, so two runs with different
  ``TMPDIR`` still meet; they are kept together in one hidden folder rather than beside each report.
* ``clean_leftovers`` removes what a run that was killed part-way left beside the folder
  (``.Q4.partial-*``, ``.Q4.old-*``); it runs under the lock, when no other writer can own them.
* ``csv_bytes`` writes a table as the CSV files the pipeline publishes: every text cell that a
  spreadsheet would take for a formula (one starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) gets a leading single quote, as OWASP's guidance on CSV injection says; numbers in
  numeric columns stay numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from pipeline.errors import OutputError
from pipeline.paths import display_path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell as it is safe to publish in CSV: ``'`` before a leading ``= + - @``, tab or CR."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(text: str) -> str:
    return neutralise(text).replace("\r\n", "\n").replace("\r", "\n")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (LF line ends, no index) with every text cell neutralised.

    Only object and string columns are touched: a negative number in a numeric column is a number,
    not a formula, and stays as it is. A carriage return inside a cell becomes a line feed: with LF line
    ends the CSV writer would leave it unquoted, and every reader would split the row there.
    """
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = _neutralised(safe[column])
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _neutralised(column: pd.Series) -> list:
    """A column's cells with every text neutralised, each distinct text once (a long table repeats its words)."""
    import numpy as np
    import pandas as pd

    values = column.to_numpy(dtype=object)
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    made = np.array([_cell(v) if isinstance(v, str) else v for v in distinct] + [None], dtype=object)
    out = made[codes]  # -1 (a missing cell) takes the last, then is put back as it was
    missing = codes < 0
    out[missing] = values[missing]
    return out.tolist()


INPUTS_ARCHIVE = "inputs.zip"


def inputs_archive(entries: list[tuple[str, bytes]]) -> bytes:
    """The inputs a report was made from, byte for byte as they were read, in one zip: each under the path the
    manifest records for it (``data/raw/...``, or the file name for an input outside the project). The same
    entries give the same bytes (fixed times and modes). An archive, not loose CSV files: the originals are
    for an auditor to reproduce the report, never published as a table a spreadsheet would open."""
    import io
    import zipfile

    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if name in used:
                continue  # the same input listed twice
            used.add(name)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def lock_path(target: Path, root: Path) -> Path:
    """Where the lock guarding ``target`` (a report folder under the output ``root``) lives: ``root/.locks/``."""
    target, root = Path(target).resolve(), Path(root).resolve()
    try:
        name = "__".join(target.relative_to(root).parts)
    except ValueError:
        name = "__".join(target.parts[-3:])
    return root / ".locks" / f"{name}.lock"


@contextlib.contextmanager
def lock(target: Path, root: Path):
    """Hold the lock of ``target`` (a report folder under the output ``root``): one writer per folder, across
    processes. Raises OutputError when the output tree cannot be written."""
    from filelock import FileLock

    path = lock_path(target, root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        held = FileLock(str(path))
        held.acquire()
    except OSError as exc:
        raise OutputError(
            f"cannot write here ({exc.strerror or exc}); choose another --out folder", display_path(Path(root))
        ) from None
    try:
        yield
    finally:
        held.release()


def leftovers(target: Path) -> list[Path]:
    """The staging and old copies of ``target`` left beside it (``.Q4.partial-*``, ``.Q4.old-*``)."""
    target = Path(target)
    if not target.parent.is_dir():
        return []
    return sorted(
        p for pattern in (f".{target.name}.partial-*", f".{target.name}.old-*") for p in target.parent.glob(pattern)
    )


def clean_leftovers(target: Path) -> list[Path]:
    """Remove what a killed run left beside ``target``; return what was removed.

    Call it only while holding ``lock(target, root)``: then no other run can be writing them.
    """
    removed = leftovers(target)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def check_writable(target: Path) -> None:
    """Fail early, before any rendering, when ``target``'s parent cannot hold a new folder.

    Raises OutputError naming the folder.
    """
    target = Path(target)
    created = _missing_parents(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
        probe.rmdir()
    except OSError as exc:
        _remove_created(created)
        raise OutputError(
            f"cannot write here ({exc.strerror or exc}); choose another --out folder", display_path(target.parent)
        ) from None


def write_folder(target: Path, files: dict[str, bytes], replace: bool) -> None:
    """Write ``files`` (relative name -> bytes) as the folder ``target``, all or nothing.

    The files go to a staging folder beside ``target`` that is renamed into place at the end. With
    ``replace`` an existing ``target`` is swapped out whole; without it, the files are added to (or
    overwrite files in) it. Raises OutputError (nothing is left behind) when the folder cannot be written.
    """
    target = Path(target)
    created = _missing_parents(target)
    staging = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; published folders get the usual permissions
        for name, content in sorted(files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if replace or not target.exists():
            _swap_in(staging, target)
        else:
            for name in sorted(files):
                dest = target / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / name, dest)
            shutil.rmtree(staging)
    except OSError as exc:
        _abandon(staging, created)
        raise OutputError(
            f"cannot write the outputs ({exc.strerror or exc}); nothing was written", display_path(target)
        ) from None
    except BaseException:
        _abandon(staging, created)
        raise


def write_file(path: Path, data: bytes) -> None:
    """One file written whole (a temporary file beside it, then renamed over it), with the mode every file of the
    tree has (0666 less the umask: the reports' own)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _abandon(staging: Path | None, created: list[Path]) -> None:
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_created(created)


def _remove_created(created: list[Path]) -> None:
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(staging: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / target.name)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _missing_parents(path: Path) -> list[Path]:
    missing = []
    for parent in [path, *path.parents]:
        if parent.exists():
            break
        missing.append(parent)
    return list(reversed(missing))
