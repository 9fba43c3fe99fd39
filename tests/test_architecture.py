"""The house: data flows one way. No stage imports a later stage; shared vocabulary imports no stage."""

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
# The stages in the order data flows through them; modules on one line are one stage.
STAGES = [
    ["ingest"],
    ["clean", "table", "plans"],
    ["figures"],
    ["measure", "milestones"],
    ["charts"],
    ["report"],
    ["render"],
    ["manifest"],
]
# The words every stage may use, which use no stage themselves.
VOCABULARY = ["errors", "paths", "period", "schema", "layout", "dates"]
# The orchestration over the stages: the only modules that may import any stage.
ORCHESTRATION = ["publish", "run", "audit", "batch", "cli", "__init__", "__main__"]


def imports_of(module: str) -> set[str]:
    tree = ast.parse((PIPELINE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_every_module_is_placed():
    placed = {m for stage in STAGES for m in stage} | set(VOCABULARY) | set(ORCHESTRATION)
    present = {p.stem for p in PIPELINE.glob("*.py")}
    assert present == placed


@pytest.mark.parametrize("position, stage", list(enumerate(STAGES)))
def test_no_stage_imports_a_later_stage_or_the_orchestration(position, stage):
    later = {m for s in STAGES[position + 1:] for m in s} | set(ORCHESTRATION)
    for module in stage:
        assert imports_of(module) & later == set(), module


@pytest.mark.parametrize("module", VOCABULARY)
def test_vocabulary_imports_no_stage(module):
    stages = {m for s in STAGES for m in s} | set(ORCHESTRATION)
    assert imports_of(module) & stages == set()
