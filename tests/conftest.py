"""Shared helpers: the seed export, and tiny exports built in the test."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "raw" / "council_plan_2011-12_Q4.tsv"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEADER = [
    "Ref.",
    "Change/Improvement Priority Actions",
    "Outcome/Success Criteria",
    "Responsibility",
    "Year end Progress Indicator",
    "Progress during 2011/12",
    "Slippage/Remedial action required",
]
PYTHON = sys.executable
# The real Oflog dataset and its comparator groups: kept beside the clone (shared/), not in it
OFLOG = ROOT.parent / "shared" / "benchmarks" / "oflog"


def oflog_or_skip() -> Path:
    """``OFLOG``, when it is beside this clone; else the test is skipped (failed under CI, which has it)."""
    import os

    if not (OFLOG / "ASC_data.csv").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{OFLOG} is missing: CI runs with shared/ beside the clone")
        pytest.skip("shared/benchmarks is not beside this clone")
    return OFLOG


def cli(*args, cwd=ROOT):
    """``python -m pipeline ARGS`` as a user runs it: the finished process, its output as text."""
    import subprocess

    return subprocess.run([PYTHON, "-m", "pipeline", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def tree_digests(root) -> dict:
    """Every file under ``root`` by its path, with its SHA-256 (the output tree's locks aside)."""
    import hashlib

    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".locks" not in p.parts
    }


def batch_args(raw, out, *extra, jobs="2"):
    """The command line of a batch over ``raw`` into ``out`` with an empty register."""
    register = str(ROOT / "tests" / "fixtures" / "empty_register.csv")
    command = [PYTHON, "-m", "pipeline", "batch", "--raw", str(raw), "--out", str(out), "--jobs", jobs]
    return command + ["--register", register, *extra]


# The tiers. `make test-fast` runs the unit tier: `pytest -m "not slow"`, no kernel, no whole render, no browser,
# no pipeline in a process of its own. The full tier (`make test`) is everything: these modules whole, every
# notebook (nbval), and each test marked `slow` in the other modules.
FULL_TIER_MODULES = {
    "test_accessibility",
    "test_audit",
    "test_batch",
    "test_cli",
    "test_end_to_end",
    "test_executors",
    "test_profiles",
    "test_signing",
}


# nbval compares every output of the reference notebook but the pieces' blocks as data: those are what the
# HTML and the Typst markup it does compare are written from (and nbval's sanitizers, which mask the code digest
# and the git commit, read text, not data).
NBVAL_SKIPS = ("application/vnd.council-report.blocks+json",)


def pytest_collection_modifyitems(config, items):
    import os

    for item in items:
        if item.path.stem in FULL_TIER_MODULES or item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
        # the profile notebook's default parameters name the Oflog dataset beside the clone (as oflog_or_skip)
        if (
            item.path.name == "profile_report.ipynb"
            and not (OFLOG / "ASC_data.csv").is_file()
            and not os.environ.get("CI")
        ):
            item.add_marker(pytest.mark.skip(reason="shared/benchmarks is not beside this clone"))
        if item.path.suffix == ".ipynb" and hasattr(item.parent, "skip_compare"):
            item.parent.skip_compare = tuple(dict.fromkeys(item.parent.skip_compare + NBVAL_SKIPS))


def raw_frame(rows: list[list[str]], first_line: int = 1) -> pd.DataFrame:
    """Raw rows as ingest gives them: source_line, n_cells, and c0..cN padded with ''."""
    width = max(len(r) for r in rows)
    data = {"source_line": list(range(first_line, first_line + len(rows))), "n_cells": [len(r) for r in rows]}
    for i in range(width):
        data[f"c{i}"] = [r[i] if i < len(r) else "" for r in rows]
    return pd.DataFrame(data)


def export_rows(*body: list[str], key: bool = True) -> list[list[str]]:
    """A tiny synthetic export: header, the given rows, and (optionally) the Key with a summary."""
    rows = [HEADER, *body]
    if key:
        rows += [
            ["Key"],
            ["1", "Achieved Target", "", "Achieved or on track", "2", "", ""],
            ["2", "On Track to Achieve Target", "", "Slipped or not achieved", "1", "", ""],
            ["3", "Slipped", "", "", "", "", ""],
            ["4", "Target Not Achieved", "", "Percentage achieved or on track", "66.7%", "", ""],
            ["", "", "", "Percentage slipped or not achieved", "33.3%", "", ""],
        ]
    return rows


def tsv(rows: list[list[str]]) -> bytes:
    return ("\n".join("\t".join(r) for r in rows) + "\n").encode("utf-8")


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


def prepared(path, period=None, alone: bool = False, **given):
    """A period's data as a report notebook is handed it (``load_period``): the export at ``path`` for ``period``
    (a ``Period``; else the one its name gives), with the request's other parameters ``given``. ``alone``: read on
    its own, as ``clean`` reads it (no earlier period, no comparison)."""
    from pipeline import load_period
    from pipeline.request import PERIOD
    from pipeline.run.jobs import period_and_source
    from pipeline.run.prepare import prepare_period
    from pipeline.run.snapshot import read_period_inputs

    when = {"year": period.year_label, "quarter": period.quarter_label} if period is not None else {}
    request = PERIOD.make(input_path=str(path), **when, **{k: str(v) for k, v in given.items() if v is not None})
    if not alone:
        return load_period(request)
    period, source = period_and_source(request)
    return prepare_period(read_period_inputs(period, source, request, alone=True), request)


# What the facts read of an indicator, for frames built in a test without it.
FACT_DEFAULTS = {
    "part": 1,
    "measure": "",
    "directorate": "",
    "status": "",
    "status_kind": "code",
    "status_check": "",
    "rag": "",
    "variance_pct": None,
    "variance": None,
    "polarity": "",
    "target": None,
    "actual": None,
    "unit": "",
    "figures_note": "",
    "progress": "",
    "remedial": "",
}


def filled(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column the facts read that a test did not give, at its plain default."""
    frame = frame.copy()
    for column, default in FACT_DEFAULTS.items():
        if column not in frame:
            frame[column] = [default] * len(frame)
    for column in ("target", "actual", "variance_pct", "variance"):
        frame[column] = pd.array(frame[column], dtype="Float64")
    frame["status_code"] = frame["status_code"].astype("Int64")
    return frame


def statements_of(frame: pd.DataFrame, **context):
    """The statements a period report makes of ``frame`` (``filled``), with ``context`` (group word, names,
    previous period, commentary)."""
    from pipeline.figures.facts.period import period_statements

    given = {"group_word": "directorate", "group_plural": "directorates", "names": {}, "previous": ""}
    given |= {"remedial": True, "commentary": True} | context
    return period_statements(filled(frame), given)


def table_layout(**columns):
    """A typed table's layout mapping ``columns`` (besides ref and measure), for the pieces that read it."""
    from pipeline.read.layout import Layout

    return Layout("table", columns={"ref": "Ref", "measure": "Measure", **columns})
