"""Finding the exports of a folder by period: ``<name>_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``.

Which file is a period's export, which earlier exports a period's report also reads (the previous
period, for the direction of travel; the earlier quarters of the year, for the trend). Looks at file
names only; reads no file.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError
from pipeline.paths import RAW_DIR, display_path
from pipeline.period import Period


def find_periods(raw_dir: Path) -> dict[Period, list[Path]]:
    """Every export in ``raw_dir`` named ``<name>_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``, by period."""
    found: dict[Period, list[Path]] = {}
    for path in sorted(Path(raw_dir).iterdir()) if Path(raw_dir).is_dir() else []:
        period = Period.from_filename(path.name)
        if period is not None and path.is_file():
            found.setdefault(period, []).append(path)
    return dict(sorted(found.items()))


def misnamed(raw_dir: Path) -> list[tuple[Path, str]]:
    """The files of ``raw_dir`` named like an export whose name gives no period (``notes_2024-26_Q3.csv``),
    each with the reason: a batch names them and renders the others."""
    found = []
    for path in sorted(Path(raw_dir).iterdir()) if Path(raw_dir).is_dir() else []:
        reason = Period.misnamed(path.name)
        if reason is not None and path.is_file():
            found.append((path, reason))
    return found


def related_inputs(period: Period, source: Path) -> dict:
    """The exports beside ``source`` that a period's report also reads.

    ``previous``: the latest earlier period that has exactly one export, as (period, path), or None;
    ``year``: the earlier quarters of the same financial year, [(period, path)], for the trend;
    ``year_ago``: the same quarter of the year before, as (period, path), or None.
    """
    found = {p: paths[0] for p, paths in find_periods(Path(source).parent).items() if len(paths) == 1 and p < period}
    previous = max(found) if found else None
    year_ago = Period(period.start_year - 1, period.quarter)
    return {
        "previous": (previous, found[previous]) if previous else None,
        "year": [(p, found[p]) for p in sorted(found) if p.start_year == period.start_year],
        "year_ago": (year_ago, found[year_ago]) if year_ago in found else None,
    }


PASS_INPUT = "pass --input FILE"  # on the command line; a notebook names its parameter instead


def find_input(period: Period, raw_dir: Path = RAW_DIR, how: str = PASS_INPUT) -> Path:
    """The export for ``period`` in ``raw_dir``: ``<name>_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``.

    Raises InputError when there is none, or more than one; ``how`` says how to name the export instead.
    """
    stem = f"council_plan_{period.year_slug}_{period.quarter_label}"
    found = find_periods(raw_dir).get(period, [])
    if not found:
        raise InputError(
            f"no export for {period} (looked for a file named like {stem}.tsv, .csv or .xlsx); add it there or {how}",
            display_path(raw_dir),
        )
    if len(found) > 1:
        raise InputError(
            f"more than one export for {period}: " + ", ".join(p.name for p in found) + f"; keep one or {how}",
            display_path(raw_dir),
        )
    return found[0]
