"""Verify a report folder against its manifest: the SHA-256 of every output the manifest lists, recomputed (only
files inside the folder count); and every generated sentence of the report (``statements.csv``) recomputed from
the figures the folder publishes (``indicators.csv``, and ``benchmark.csv`` for the comparison's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.run import manifest

STATEMENTS, INDICATORS, BENCHMARK = "statements.csv", "indicators.csv", "benchmark.csv"
HISTORY, SPC = "history.csv", "spc.csv"
TABLES = (INDICATORS, BENCHMARK, SPC)  # the tables statements are computed from
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
    tables: list[str] = field(default_factory=list)  # the tables the statements were recomputed from
    charts: str | None = None  # None: not checked (no history); "": spc.csv follows from history.csv; else why not

    @property
    def ok(self) -> bool:
        files = all(state in ("ok", "matches") for _, state in self.files)
        return files and not self.statements and not self.charts


def verify(folder: str | Path) -> Check:
    """Recompute the hashes of a report folder's outputs against its ``manifest.json``, and each of its statements
    from the tables it publishes.

    A listed output that is absolute or leads out of the folder (``../``) fails as "outside the folder".
    Raises ManifestError when the folder has no usable manifest.
    """
    folder = Path(folder)
    check = Check(manifest.check_outputs(folder, manifest.read(folder)))
    states = dict(check.files)
    if states.get(STATEMENTS) == "ok":
        intact = {name for name in TABLES if states.get(name) == "ok"}
        check.statements, check.checked, used = check_statements(folder, intact)
        check.tables = sorted(used & set(TABLES), key=TABLES.index)
    if states.get(HISTORY) == "ok" and states.get(SPC) == "ok":
        check.charts = check_charts(folder)
    return check


def check_statements(folder: Path, intact: set) -> tuple[list[tuple[int, str, str]], int, set]:
    """Every statement of ``statements.csv`` recomputed from the table it rests on (``intact``: the tables whose
    hash matched; a statement resting on any other fails): (those that do not hold, as (line, sentence, why)), how
    many were checked, and the tables they rest on."""
    import csv
    import io

    from pipeline.figures.facts.spc import spc_from_csv
    from pipeline.figures.statements import benchmark_from_csv, check, facts_known, indicators_from_csv, unneutralised

    readers = {INDICATORS: indicators_from_csv, BENCHMARK: benchmark_from_csv, SPC: spc_from_csv}
    tables = {name: readers[name]((folder / name).read_bytes()) for name in intact}
    text = (folder / STATEMENTS).read_text(encoding="utf-8")
    failed, count, used = [], 0, set()
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        row = {k: unneutralised(v or "") for k, v in row.items() if k is not None}
        count += 1
        known = facts_known().get(row.get("fact", ""))
        if known is not None:
            used.add(known.source)
        why = check(row, tables)
        if why:
            failed.append((line, row.get("sentence", ""), why))
    return failed, count, used


def check_charts(folder: Path) -> str:
    """Whether ``spc.csv`` is what ``history.csv`` gives: every chart drawn again from the history alone and
    compared byte for byte. "" when it is; else the first indicator whose chart differs."""
    import pandas as pd

    from pipeline.figures.history import history_from_csv, spc_table
    from pipeline.run.publish import csv_bytes

    again = csv_bytes(spc_table(history_from_csv((folder / HISTORY).read_bytes())))
    published = (folder / SPC).read_bytes()
    if again == published:
        return ""
    import io

    mine = pd.read_csv(io.BytesIO(again), dtype=str, keep_default_na=False)
    theirs = pd.read_csv(io.BytesIO(published), dtype=str, keep_default_na=False)
    for ref in dict.fromkeys(list(theirs.get("ref", [])) + list(mine.get("ref", []))):
        a, b = mine[mine["ref"] == ref], theirs[theirs["ref"] == ref] if "ref" in theirs else theirs
        if not a.reset_index(drop=True).equals(b.reset_index(drop=True)):
            return f"the chart of {ref} in spc.csv is not the one history.csv gives"
    return "spc.csv is not the table history.csv gives"
