"""The house: data flows one way. No stage imports a later stage; shared vocabulary imports no stage."""

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
# The stages in the order data flows through them; modules on one line are one stage. ``plans`` is the
# Service Improvement Plan subpackage (read, dates, milestones): a pipeline of its own over the same words.
STAGES = [
    ["inputs", "ingest", "limits"],
    ["clean", "table", "plans"],
    ["figures", "readers"],
    ["measure", "headlines", "benchmark"],
    ["charts"],
    ["report"],
    ["render", "kernel", "docx_export"],
    ["manifest"],
]
# The words every stage may use, which use no stage themselves.
VOCABULARY = ["errors", "paths", "period", "schema", "layout", "propose", "discover", "notebooks", "fonts", "request"]
# The orchestration over the stages: the only modules that may import any stage.
ORCHESTRATION = [
    "publish",
    "prepare",
    "handover",
    "profiles",
    "run",
    "audit",
    "batch",
    "executors",
    "cli",
    "signing",
    "__init__",
    "__main__",
]


def files_of(module: str) -> list[Path]:
    package = PIPELINE / module
    return sorted(package.glob("*.py")) if package.is_dir() else [PIPELINE / f"{module}.py"]


def imports_of(module: str) -> set[str]:
    """The pipeline modules that ``module`` (a module or the subpackage) imports, by their top-level name."""
    found = set()
    for path in files_of(module):
        top = 2 if path.parent != PIPELINE else 1  # the level of `from ..x` (in the package) or `from .x`
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == top:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
    return found


def test_every_module_is_placed():
    placed = {m for stage in STAGES for m in stage} | set(VOCABULARY) | set(ORCHESTRATION)
    present = {p.stem for p in PIPELINE.glob("*.py")} | {
        p.name for p in PIPELINE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    }
    assert present == placed


@pytest.mark.parametrize("position, stage", list(enumerate(STAGES)))
def test_no_stage_imports_a_later_stage_or_the_orchestration(position, stage):
    later = {m for s in STAGES[position + 1 :] for m in s} | set(ORCHESTRATION)
    for module in stage:
        assert imports_of(module) & later == set(), module


@pytest.mark.parametrize("module", VOCABULARY)
def test_vocabulary_imports_no_stage(module):
    stages = {m for s in STAGES for m in s} | set(ORCHESTRATION)
    assert imports_of(module) & stages == set()


def test_the_plan_subpackage_uses_only_the_shared_words():
    assert imports_of("plans") <= set(VOCABULARY)


def test_every_name_the_package_exports_resolves():
    """Every name in ``pipeline.__all__`` is there, whether imported at once or on first use."""
    import pipeline

    missing = [name for name in pipeline.__all__ if not hasattr(pipeline, name)]
    assert missing == []
    assert pipeline.ManifestError.__module__ == "pipeline.errors"
    assert pipeline.run_period.__module__ == "pipeline.run"


# What only an organisation's profile or the reader of its kind of export may know.
ORGANISATION_SPECIFIC = ("STATUS_LABELS", "STOCKTON", "Stockton", "council_plan", "layout.kind", "Council Plan")


@pytest.mark.parametrize("module", ["measure", "charts", "report"])
def test_the_stages_after_the_readers_know_no_organisation(module):
    """The organisation is a value passed in (its scale, words and traits): measure, charts and the report's
    pieces never name one council's constants, its kind of export, or its words."""
    for path in files_of(module):
        source = path.read_text(encoding="utf-8")
        found = [name for name in ORGANISATION_SPECIFIC if name in source]
        assert found == [], f"{path.name} names {found}"
