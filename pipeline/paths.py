"""Every path the pipeline uses, derived from the project root (never the working directory)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from pipeline.period import Period

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# The PDF's fonts (DejaVu Sans, with its licence): Typst reads these and its own embedded fonts, never the machine's.
FONTS_DIR = TEMPLATES_DIR / "council" / "fonts"

COUNCIL_PLAN_NOTEBOOK = NOTEBOOKS_DIR / "council_plan_report.ipynb"
MILESTONE_NOTEBOOK = NOTEBOOKS_DIR / "milestone_report.ipynb"
PROFILE_NOTEBOOK = NOTEBOOKS_DIR / "profile_report.ipynb"
DEFAULT_PERIOD = Period.parse("2011/12", "Q4")  # the period of the export in data/raw/ a run makes by default


_STAND_INS: list[Path] = []  # folders that stand for the project root (see ``standing_in_for_the_project``)


@contextlib.contextmanager
def standing_in_for_the_project(folder: Path):
    """Within: a file under ``folder`` is named as if ``folder`` were the project. ``reproduce`` extracts a
    report folder's copies of its inputs under their recorded paths (``data/raw/...``) in a temporary folder,
    so the report made from them names them as the original did."""
    _STAND_INS.append(Path(folder).resolve())
    try:
        yield
    finally:
        _STAND_INS.pop()


def _in_project(p: Path) -> str | None:
    resolved = p.resolve()
    for root in [*_STAND_INS, PROJECT_ROOT]:
        try:
            return resolved.relative_to(root).as_posix()
        except ValueError:
            continue
    return None


def display_path(path: Path | str) -> str:
    """A path as a user should read it: relative to the project when inside it."""
    p = Path(path)
    inside = _in_project(p)
    return inside if inside is not None else str(p)


def published_path(path: Path | str) -> str:
    """A path as it may appear in a published report or manifest: project-relative when inside the project,
    otherwise the file name alone (a full path outside the project can carry a user's home folder name)."""
    p = Path(path)
    inside = _in_project(p)
    return inside if inside is not None else p.name


def plan_folder(file_name: str) -> str:
    """A folder name for a plan file: its name, made safe (``safe_folder``)."""
    return safe_folder(file_name, "plan")


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
SAFE_LENGTH = 60


def safe_folder(name: str, empty: str = "x") -> str:
    """A folder name for ``name`` (a plan's file name, an organisation's code), a pure function of it: the name
    itself when it is safe everywhere (letters, digits, ``.``, ``_`` and ``-``, not starting with one of those
    three, not ending with a dot, at most ``SAFE_LENGTH`` characters, not a name Windows reserves); else its safe
    part with a short hash of the whole name, so that two names never share a folder (``A/B`` and ``A_B``, ``..``
    and ``_``, ``X1.`` and ``X1``, two long codes alike in their first 60 characters). ``empty``: the safe part
    of a name that has none."""
    import hashlib
    import re

    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:SAFE_LENGTH].rstrip("._-")
    if safe and safe == name and safe.split(".")[0].lower() not in _RESERVED:
        return safe
    return f"{safe or empty}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:10]}"
