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
DEFAULT_PERIOD = Period.parse("2011/12", "Q4")
DEFAULT_INPUT = RAW_DIR / f"council_plan_{DEFAULT_PERIOD.year_slug}_{DEFAULT_PERIOD.quarter_label}.tsv"


def period_dir(root: Path, period: Period) -> Path:
    """``root/<year>/<quarter>``, e.g. ``outputs/2011-12/Q4``."""
    return Path(root) / period.year_slug / period.quarter_label


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


def plans_dir(root: Path, plan_file: str, period: Period) -> Path:
    """``root/plans/<plan folder>/<year>/<quarter>``: each plan's milestone report in a folder of its own,
    never inside a Council Plan period folder (re-rendering one report never removes another)."""
    return Path(root) / "plans" / plan_folder(plan_file) / period.year_slug / period.quarter_label


def plan_folder(file_name: str) -> str:
    """A folder name for a plan file: its name, made safe. Distinct file names give distinct folders
    (``a.v1.txt`` and ``a.v2.txt``), and no name gives a hidden folder or one outside ``plans/``."""
    import hashlib
    import re

    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", file_name).lstrip("._-")
    if safe != file_name or not safe:
        safe = f"{safe or 'plan'}-{hashlib.sha256(file_name.encode('utf-8')).hexdigest()[:8]}"
    return safe
