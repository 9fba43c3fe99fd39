"""tools/journey.py: the count the README's *How it is built* quotes, and the journey of one period held to it."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("journey", ROOT / "tools" / "journey.py")
journey = importlib.util.module_from_spec(spec)
sys.modules["journey"] = journey  # its dataclasses look their module up
spec.loader.exec_module(journey)

# The returns into a station of the journey a period's run may make (README, How it is built): the fact registry's
# dispatch (statements -> body, front; facts.period -> statements), the exporters' shared reading of the notebook
# (html, pdf -> export/notebook), and the manifest consulted when the job is planned and written when it is built.
STATION_RETURNS = 7


def walked(*calls):
    """A walk from a script of calls: ("call", file[, function[, asking]]) and ("back", file)."""
    walk = journey.Walk()
    for event, here, *rest in calls:
        if event == "call":
            walk.call(here, *(rest or [here]))
        else:
            walk.back(here)
    return walk


def test_a_second_call_into_a_file_left_is_a_return_and_a_file_on_the_stack_is_not():
    walk = walked(
        ("call", "run/a.py"),
        ("call", "read/b.py"),
        ("call", "read/c.py"),
        ("call", "read/b.py"),  # b is on the stack: a call back into it is no return
        ("back", "read/b.py"),
        ("back", "read/c.py"),
        ("back", "read/b.py"),
        ("call", "figures/d.py"),
        ("back", "figures/d.py"),
        ("call", "read/b.py", "again"),  # b was left: a return
        ("back", "read/b.py"),
    )
    assert walk.order == ["run/a.py", "read/b.py", "read/c.py", "figures/d.py"]
    assert walk.returns == {("run/a.py", "read/b.py"): ("run/a.py", "again")}
    assert walk.vocabulary == {"figures/d.py"}  # it calls no other file; b calls c, so b is a station
    assert walk.into_stations == {("run/a.py", "read/b.py"): ("run/a.py", "again")}
    assert walk.climbs == set()  # the run stage directing, and calls within a stage


def test_calling_a_helper_twice_in_a_row_is_not_leaving_it_but_going_elsewhere_between_is():
    twice = walked(
        ("call", "run/a.py"),
        ("call", "read/b.py"),
        ("back", "read/b.py"),
        ("call", "read/b.py"),
        ("back", "read/b.py"),
    )
    assert twice.returns == {}
    between = walked(
        ("call", "run/a.py"),
        ("call", "read/b.py"),
        ("back", "read/b.py"),
        ("call", "read/c.py"),
        ("back", "read/c.py"),
        ("call", "read/b.py", "b_again"),
        ("back", "read/b.py"),
    )
    assert between.returns == {("run/a.py", "read/b.py"): ("run/a.py", "b_again")}


def test_a_later_stage_calling_an_earlier_one_climbs_unless_it_is_the_run_stage_directing():
    walk = walked(
        ("call", "run/a.py"),
        ("call", "report/r.py"),
        ("call", "figures/f.py"),  # report -> figures: a climb back up
        ("back", "figures/f.py"),
        ("call", "schema.py"),  # the shared words belong to no stage
        ("back", "schema.py"),
        ("back", "report/r.py"),
        ("call", "read/x.py"),  # run -> read: the run stage directs the others
    )
    assert walk.climbs == {("report/r.py", "figures/f.py")}


def test_asking_a_value_is_no_step_and_no_return():
    walk = walked(
        ("call", "run/a.py"),
        ("call", "read/layout.py", "Layout.labels", True),
        ("back", "read/layout.py"),
        ("call", "read/layout.py", "Layout.labels", True),
        ("back", "read/layout.py"),
    )
    assert walk.steps == set() and walk.returns == {} and walk.order == ["run/a.py"]


@pytest.mark.parametrize(
    "qualname, method",
    [("Layout.labels", True), ("parse", False), ("f.<locals>.g", False), ("f.<locals>.Client.wait", True)],
)
def test_methods_are_told_from_functions(qualname, method):
    assert journey.is_method(qualname) is method


@pytest.mark.slow
def test_one_periods_journey_goes_down_the_stages():
    walk = journey.trace("2011/12", "Q4")
    assert walk.order[0] == "run/coordinator.py"
    stages = [journey.stage_of(f) for f in walk.order]
    assert {0, 1, 2, 3} <= set(stages)  # it reads, figures, reports and runs
    assert walk.climbs == set()
    returns = sorted(f"{caller} -> {callee}" for caller, callee in walk.into_stations)
    assert len(returns) <= STATION_RETURNS, returns
    assert len(walk.returns) > len(returns)  # the count sees the look-ups in the vocabulary too
