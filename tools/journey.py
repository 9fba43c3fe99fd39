"""The journey of one period's request through the code: which of the pipeline's files a run enters, in order, and
how often it goes back into a file it had left.

    .venv/bin/python tools/journey.py [--year 2011/12 --quarter Q4]

The run (``run --force`` of the seed's period, in this process, as the command line makes it) is traced with
``sys.setprofile``: a call from one file of ``pipeline/`` into another is a step, counted once per pair of files
(a loop over ten thousand rows is one step, not ten thousand). A step into a file already entered, which is not on
the call stack at that moment, is a *return to a file it had left*; a step from a stage into an earlier stage's
file (read < figures < report < run < audit; the shared words and the entry points aside) is a *climb back up*
unless it is the run stage directing the others, which is its job. The notebook's cells run in
the kernel, another process, and are not part of this journey. Prints the files in the order first entered and the
counts; README's *How it is built* quotes them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "pipeline"
STAGES = ["read", "figures", "report", "run", "audit"]


def stage_of(relative: str) -> int | None:
    first = relative.split("/", 1)[0]
    return STAGES.index(first) if first in STAGES else None


def trace(year: str, quarter: str) -> tuple[list[str], int, int, list]:
    """(files in the order first entered, steps between files, returns to a file left, the climbs back up)."""
    sys.path.insert(0, str(ROOT))
    from pipeline import commands  # noqa: F401 - imported before tracing: the journey is the run, not the imports
    from pipeline.request import PERIOD
    from pipeline.run import coordinator

    prefix = str(PIPELINE) + "/"
    order: list[str] = []
    stack: list[str] = []
    steps: set = set()
    returns: set = set()
    climbs: set = set()

    def profile(frame, event, arg):
        if event not in ("call", "return"):
            return
        name = frame.f_code.co_filename
        if not name.startswith(prefix) or not name.endswith(".py"):
            return
        here = name[len(prefix) :]
        if event == "return":
            if stack and stack[-1] == here:
                stack.pop()
            return
        caller = stack[-1] if stack else None
        if caller is not None and caller != here:
            steps.add((caller, here))
            if here in order and here not in stack:
                returns.add((caller, here))
            low, high = stage_of(here), stage_of(caller)
            if low is not None and high is not None and low < high and STAGES[high] != "run":
                climbs.add((caller, here))
        if here not in order:
            order.append(here)
        stack.append(here)

    with tempfile.TemporaryDirectory() as out:
        request = PERIOD.make(year=year, quarter=quarter, out=out)
        sys.setprofile(profile)
        try:
            coordinator.run_period(request, force=True)
        finally:
            sys.setprofile(None)
    return order, len(steps), len(returns), sorted(climbs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", default="2011/12")
    parser.add_argument("--quarter", default="Q4")
    options = parser.parse_args()
    order, steps, returns, climbs = trace(options.year, options.quarter)
    for i, name in enumerate(order, 1):
        print(f"{i:3d}  {name}")
    for caller, callee in climbs:
        print(f"climbs back up: {caller} -> {callee}")
    print(
        f"{len(order)} files entered, {steps} distinct steps between files, {returns} of them returns to a file "
        f"it had left, {len(climbs)} climbs back up a stage"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
