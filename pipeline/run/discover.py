"""Finding the exports of a folder by period: ``<name>_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``.

Which file is a period's export, and which earlier exports of the same body a period's report also reads: the
previous period (the direction of travel), the earlier quarters of the year (the trend), the same quarter a year
before (the front page's comparison), and every earlier period (each indicator's history). An earlier export is
one whose name has the same ``<name>`` as the report's own: another body's file in the folder is never read.
Looks at file names only; reads no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError
from pipeline.paths import RAW_DIR, display_path
from pipeline.period import Period


def find_periods(raw_dir: Path, stem: str | None = None) -> dict[Period, list[Path]]:
    """Every export in ``raw_dir`` named ``<name>_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``, by period; with
    ``stem``, only those whose ``<name>`` is ``stem`` (``Period.stem_of``)."""
    found: dict[Period, list[Path]] = {}
    for path in sorted(Path(raw_dir).iterdir()) if Path(raw_dir).is_dir() else []:
        period = Period.from_filename(path.name)
        if period is None or not path.is_file():
            continue
        if stem is None or Period.stem_of(path.name) == stem:
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


@dataclass(frozen=True)
class Related:
    """The earlier exports of the same body a period's report reads. ``previous``: the latest earlier period with
    exactly one export; ``year``: the earlier quarters of the same financial year (the trend); ``year_ago``: the
    same quarter of the year before; ``history``: every earlier period with exactly one export, oldest first.
    ``files``: each of those periods' export."""

    previous: Period | None
    year: tuple[Period, ...]
    year_ago: Period | None
    history: tuple[Period, ...]
    files: dict

    def wanted(self) -> list[Period]:
        """The earlier periods read, in the order the manifest lists them: the previous period, the year's
        quarters, the year before, then the rest of the history."""
        order = [self.previous] if self.previous else []
        order += [p for p in self.year if p not in order]
        order += [self.year_ago] if self.year_ago and self.year_ago not in order else []
        return order + [p for p in self.history if p not in order]


def related_inputs(period: Period, source: Path, history: bool = False) -> Related:
    """The exports beside ``source`` of the same body (the same ``<name>``) that ``period``'s report also reads;
    with ``history``, every earlier one (else the previous period, the year's quarters and the year before)."""
    stem = Period.stem_of(Path(source).name)
    if stem is None:
        return Related(None, (), None, (), {})
    beside = find_periods(Path(source).parent, stem)
    found = {p: paths[0] for p, paths in beside.items() if len(paths) == 1 and p < period}
    previous = max(found) if found else None
    year_ago = Period(period.start_year - 1, period.quarter)
    year = tuple(p for p in sorted(found) if p.start_year == period.start_year)
    every = tuple(sorted(found)) if history else ()
    plain = Related(previous, year, year_ago if year_ago in found else None, every, {})
    return Related(plain.previous, plain.year, plain.year_ago, plain.history, {p: found[p] for p in plain.wanted()})


PASS_INPUT = "pass --input FILE"  # on the command line; a notebook names its parameter instead


def find_input(period: Period, raw_dir: Path = RAW_DIR, how: str = PASS_INPUT) -> Path:
    """The export for ``period`` in ``raw_dir``: ``<name>_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``.

    Raises InputError when there is none, or more than one; ``how`` says how to name the export instead.
    """
    found = find_periods(raw_dir).get(period, [])
    if not found:
        raise InputError(
            f"no export for {period} (looked for a file named like <name>_{period.year_slug}_{period.quarter_label}"
            f".tsv, .csv or .xlsx); add it there or {how}",
            display_path(raw_dir),
        )
    if len(found) > 1:
        raise InputError(
            f"more than one export for {period}: " + ", ".join(p.name for p in found) + f"; keep one or {how}",
            display_path(raw_dir),
        )
    return found[0]
