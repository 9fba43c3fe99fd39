"""The house: data flows one way. No stage imports a later stage; the shared words import no stage."""

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
# The stages in the order data flows through them, each a folder of its own: read (bytes -> tidy indicators),
# figures (indicators -> figures and facts), report (figures -> blocks -> HTML, Typst, Word), run (a request ->
# a published folder), audit (a published folder checked and made again).
STAGES = ["read", "figures", "report", "run", "audit"]
# The words every stage may use, which use no stage themselves.
VOCABULARY = ["errors", "paths", "period", "request", "schema", "scratch"]
# The entry points over the stages: the only modules that may import any stage.
ENTRY = ["cli", "commands", "__init__", "__main__"]


def modules_of(name: str) -> list[Path]:
    package = PIPELINE / name
    return sorted(package.rglob("*.py")) if package.is_dir() else [PIPELINE / f"{name}.py"]


def imports_of(name: str) -> set[str]:
    """The top-level pipeline modules or stages that ``name`` (a module or a stage's folder) imports."""
    found = set()
    for path in modules_of(name):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{path}: relative import; the house imports by absolute name")
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline."):
                found.add(node.module.split(".")[1])
            elif isinstance(node, ast.ImportFrom) and node.module == "pipeline":
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("pipeline."))
    return found - {name}


def test_every_module_is_placed():
    present = {p.stem for p in PIPELINE.glob("*.py")} | {
        p.name for p in PIPELINE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    }
    assert present == set(STAGES) | set(VOCABULARY) | set(ENTRY)


@pytest.mark.parametrize("position, stage", list(enumerate(STAGES)))
def test_no_stage_imports_a_later_stage(position, stage):
    later = set(STAGES[position + 1 :]) | set(ENTRY)
    assert imports_of(stage) & later == set(), stage


@pytest.mark.parametrize("module", VOCABULARY)
def test_the_shared_words_import_no_stage(module):
    assert imports_of(module) & (set(STAGES) | set(ENTRY)) == set()


def test_every_stage_says_what_comes_in_and_goes_out():
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PIPELINE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.split()) >= 25, stage


def test_every_name_the_package_exports_resolves():
    """Every name in ``pipeline.__all__`` is there, whether imported at once or on first use."""
    import pipeline

    missing = [name for name in pipeline.__all__ if not hasattr(pipeline, name)]
    assert missing == []
    assert pipeline.ManifestError.__module__ == "pipeline.errors"
    assert pipeline.run_period.__module__ == "pipeline.run.coordinator"


# What only an organisation's profile or the reader of its kind of export may know.
ORGANISATION_SPECIFIC = ("STATUS_LABELS", "STOCKTON", "Stockton", "council_plan", "layout.kind", "Council Plan")


@pytest.mark.parametrize("stage", ["figures", "report"])
def test_the_stages_after_the_readers_know_no_organisation(stage):
    """The organisation is a value passed in (its scale, words and traits): the figures, charts and the report's
    pieces never name one council's constants, its kind of export, or its words."""
    for path in modules_of(stage):
        source = path.read_text(encoding="utf-8")
        found = [name for name in ORGANISATION_SPECIFIC if name in source]
        assert found == [], f"{path.name} names {found}"


LONGEST_FUNCTION = 80  # lines, its signature and docstring included
LONGEST_MODULE = 500


def test_no_function_is_longer_than_a_screen_and_no_module_longer_than_the_limit():
    """Issue 32: a newcomer reads a function on one screen and a module in one sitting."""
    long_functions, long_modules = [], []
    for path in sorted(PIPELINE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > LONGEST_MODULE:
            long_modules.append(f"{path.relative_to(PIPELINE)} ({text.count(chr(10))} lines)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST_FUNCTION:
                    long_functions.append(f"{path.relative_to(PIPELINE)}:{node.name} ({lines} lines)")
    assert long_functions == [] and long_modules == []
