"""request: each kind of report's parameters, defined once, and everything derived from them."""

import shlex

import papermill
import pytest

from pipeline import cli, request


@pytest.mark.parametrize("kind", list(request.REPORT_KINDS.values()), ids=lambda k: k.name)
def test_the_notebook_parameters_cell_names_exactly_the_kinds_parameters(kind):
    """papermill reads the notebook's own parameters cell: it must name the parameters of the registry, in order."""
    cell = papermill.inspect_notebook(str(kind.notebook))
    assert tuple(cell) == kind.names


def test_the_command_line_flags_and_the_parameters_file_derive_from_the_registry():
    parser = cli.build_parser()
    run = parser.parse_args(["run", "--year", "2012/13", "--input", "a.tsv", "--council", "X", "--out", "o"])
    made = request.PERIOD.from_flags(run)
    assert {k: v for k, v in made.values().items() if v} == {
        "year": "2012/13",
        "input_path": "a.tsv",
        "council": "X",
        "out": "o",
    }
    assert type(made) is request.PeriodRequest and made.kind is request.PERIOD
    batch = parser.parse_args(["batch", "--layout", "l.toml"])
    assert not hasattr(batch, "year") and not hasattr(batch, "input") and batch.layout == "l.toml"
    plan = parser.parse_args(["plan", "p.txt", "--year", "2008/09", "--quarter", "Q1"])
    assert (plan.input, plan.year, plan.quarter) == ("p.txt", "2008/09", "Q1")
    with pytest.raises(SystemExit):
        parser.parse_args(["plan", "p.txt", "--quarter", "Q1"])  # a plan's year is required


def test_the_command_that_makes_a_report_again_parses_back_to_its_parameters():
    values = {
        "year": "2012/13",
        "quarter": "Q2",
        "input_path": "-rf q2 $(id).tsv",
        "register_path": "",
        "layout_path": "l.toml",
        "council": "Anytown",
        "out": "x",
    }
    line = request.shell(request.PERIOD.make(**values).command_line(shown_out="x"))
    args = cli.build_parser().parse_args(shlex.split(line)[3:])
    assert (args.year, args.quarter, args.input, args.register, args.layout, args.council, args.out) == (
        "2012/13",
        "Q2",
        "-rf q2 $(id).tsv",
        None,
        "l.toml",
        "Anytown",
        "x",
    )
    assert "--out" not in request.PERIOD.make(**values).command_line(shown_out="outputs")
    plan = request.MILESTONES.make(plan_path="p.txt", year="2008/09", quarter="Q1").command_line()
    assert plan == ["python", "-m", "pipeline", "plan", "p.txt", "--year", "2008/09", "--quarter", "Q1"]


def test_a_manifests_parameters_say_which_kind_of_report_they_are_for():
    assert request.kind_of({"plan_path": "p", "year": "y", "quarter": "q"}) is request.MILESTONES
    assert request.kind_of({"input_path": "i", "year": "y", "quarter": "q"}) is request.PERIOD
    # a tampered manifest naming both is read as the plan report, whose own input it must then list
    assert request.kind_of({"input_path": "i", "plan_path": "p", "year": "y", "quarter": "q"}) is request.MILESTONES


def _lists_of_parameters(tree, names: set[str]):
    """(line, what) for each function that takes, call that passes, or collection that names three or more of
    ``names``."""
    import ast

    found = []
    # a resolve_ function records what the run made of each given value (the resolved request): not a second list
    resolving = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("resolve_")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in resolving:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            taken = {a.arg for a in node.args.args + node.args.kwonlyargs} & names
            if len(taken) >= 3:
                found.append((node.lineno, f"def {node.name}({', '.join(sorted(taken))})"))
        elif isinstance(node, ast.Call):
            passed = {k.arg for k in node.keywords if k.arg} | {a.id for a in node.args if isinstance(a, ast.Name)}
            if len(passed & names) >= 3:
                found.append((node.lineno, f"a call passing {', '.join(sorted(passed & names))}"))
        elif isinstance(node, (ast.Dict, ast.Set, ast.List, ast.Tuple)):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            named = {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
            if len(named & names) >= 3:
                found.append((node.lineno, f"a collection naming {', '.join(sorted(named & names))}"))
    return found


def test_no_list_of_a_kinds_parameters_is_written_out_but_its_definition():
    """The parameters are written once, in ``request``: every other module and the notebooks pass the request
    whole. A function taking, a call passing or a collection naming three of one kind's parameters (a year and a
    quarter are everywhere, and are not counted) is a second list that a new parameter would have to join. Before:
    the period report's list was written out in about six places (the CLI twice, run twice, batch, audit)."""
    import ast
    import json
    from pathlib import Path

    root = Path(request.__file__).resolve().parents[1]
    kinds = [set(k.names) - {"year", "quarter"} for k in request.REPORT_KINDS.values()]
    sources = {p: p.read_text(encoding="utf-8") for p in (root / "pipeline").rglob("*.py") if p.name != "request.py"}
    for notebook in (root / "notebooks").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        sources[notebook] = "\n".join("".join(c["source"]) for c in cells[1:] if c["cell_type"] == "code")
    found = [
        f"{path.relative_to(root)}:{line}: {what}"
        for path, text in sources.items()
        for names in kinds
        for line, what in _lists_of_parameters(ast.parse(text), names)
    ]
    assert found == []
