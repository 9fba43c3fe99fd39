"""Verify a report folder against its manifest: the SHA-256 of every output the manifest lists, recomputed (only
files inside the folder count); and every generated sentence of the report (``statements.csv``) recomputed from
the figures the folder publishes (``indicators.csv``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.run import manifest

STATEMENTS, INDICATORS = "statements.csv", "indicators.csv"
STATEMENT_FILE_BYTES = 200 * 2**20  # far above any report's; a folder's own files, already hashed


@dataclass
class Check:
    """Per-file states; notes (environment differences) that do not decide the outcome; when files differ, the
    reasons found (what differs between the manifest and this reproduction); and the statements that do not hold
    (line of ``statements.csv``, its sentence, why), with how many were checked."""

    files: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    statements: list[tuple[int, str, str]] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return all(state in ("ok", "matches") for _, state in self.files) and not self.statements


def verify(folder: str | Path) -> Check:
    """Recompute the hashes of a report folder's outputs against its ``manifest.json``, and each of its statements
    from its ``indicators.csv``.

    A listed output that is absolute or leads out of the folder (``../``) fails as "outside the folder".
    Raises ManifestError when the folder has no usable manifest.
    """
    folder = Path(folder)
    check = Check(manifest.check_outputs(folder, manifest.read(folder)))
    states = dict(check.files)
    if states.get(STATEMENTS) == "ok" and states.get(INDICATORS) == "ok":
        check.statements, check.checked = check_statements(folder)
    return check


def check_statements(folder: Path) -> tuple[list[tuple[int, str, str]], int]:
    """Every statement of ``statements.csv`` recomputed from ``indicators.csv``: (those that do not hold, as (line,
    sentence, why)), how many were checked."""
    import csv
    import io

    from pipeline.figures.statements import check, indicators_from_csv, unneutralised

    indicators = indicators_from_csv((folder / INDICATORS).read_bytes())
    text = (folder / STATEMENTS).read_text(encoding="utf-8")
    failed, count = [], 0
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        row = {k: unneutralised(v or "") for k, v in row.items() if k is not None}
        count += 1
        why = check(row, indicators)
        if why:
            failed.append((line, row.get("sentence", ""), why))
    return failed, count
