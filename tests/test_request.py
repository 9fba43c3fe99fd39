"""request: each kind of report's parameters, defined once, and everything derived from them."""

import shlex

import papermill
import pytest

from pipeline import cli, request
from pipeline.run.coordinator import NOTEBOOK_PARAMETERS


@pytest.mark.parametrize("kind", list(request.REPORT_KINDS.values()), ids=lambda k: k.name)
def test_the_notebook_parameters_cell_names_exactly_the_kinds_parameters(kind):
    """papermill reads the notebook's own parameters cell: it must name the parameters of the registry, in order."""
    cell = papermill.inspect_notebook(str(kind.notebook))
    assert tuple(cell) == kind.names


def test_the_command_line_flags_and_the_parameters_file_derive_from_the_registry():
    parser = cli.build_parser()
    run = parser.parse_args(["run", "--year", "2012/13", "--input", "a.tsv", "--council", "X", "--out", "o"])
    assert {cli.FLAGS[k]: v for k, v in vars(run).items() if k in cli.FLAGS and v} == {
        "year": "2012/13",
        "input_path": "a.tsv",
        "council": "X",
        "out": "o",
    }
    assert NOTEBOOK_PARAMETERS == request.PERIOD.names
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
    line = request.shell(request.PERIOD.command_line(values, shown_out="x"))
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
    assert "--out" not in request.PERIOD.command_line(values, shown_out="outputs")
    plan = request.MILESTONES.command_line({"plan_path": "p.txt", "year": "2008/09", "quarter": "Q1", "council": ""})
    assert plan == ["python", "-m", "pipeline", "plan", "p.txt", "--year", "2008/09", "--quarter", "Q1"]


def test_a_manifests_parameters_say_which_kind_of_report_they_are_for():
    assert request.kind_of({"plan_path": "p", "year": "y", "quarter": "q"}) is request.MILESTONES
    assert request.kind_of({"input_path": "i", "year": "y", "quarter": "q"}) is request.PERIOD
    # a tampered manifest naming both is read as the plan report, whose own input it must then list
    assert request.kind_of({"input_path": "i", "plan_path": "p", "year": "y", "quarter": "q"}) is request.MILESTONES
