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
import importlib
import inspect
import pkgutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "pipeline"
STAGES = ["read", "figures", "report", "run", "audit"]
GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def stage_of(relative: str) -> int | None:
    first = relative.split("/", 1)[0]
    return STAGES.index(first) if first in STAGES else None


def trace(year: str, quarter: str, methods: bool = False) -> tuple[list[str], set, dict, list]:
    """(files in the order first entered, steps between files, returns to a file left, the climbs back up)."""
    sys.path.insert(0, str(ROOT))
    import pipeline

    for module in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if not module.name.endswith("__main__"):  # every module imported before tracing: the run, not the imports
            importlib.import_module(module.name)
    from pipeline.request import PERIOD
    from pipeline.run import coordinator

    prefix = str(PIPELINE) + "/"
    order: list[str] = []
    first: dict = {}  # file -> the file that first called it
    stack: list[str] = []
    steps: set = set()
    returns: dict = {}  # (caller, callee) -> (the first caller of callee, the function called)
    generators: dict = {}  # id -> a generator's frame, kept while tracing (so that no other frame takes its id)
    climbs: set = set()

    def profile(frame, event, arg):
        if event not in ("call", "return") or frame.f_code.co_name == "<module>":
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
        name = frame.f_code.co_qualname
        asking = not methods and "." in name.rpartition("<locals>.")[2]  # a method or property of a value
        if frame.f_code.co_flags & GENERATOR_FLAGS:  # a generator resumed (a context manager left) is the same call
            asking = asking or id(frame) in generators
            generators[id(frame)] = frame
        if caller is not None and caller != here and not asking:
            steps.add((caller, here))
            if here in order and here not in stack:
                returns.setdefault((caller, here), (first.get(here), name))
            low, high = stage_of(here), stage_of(caller)
            if low is not None and high is not None and low < high and STAGES[high] != "run":
                climbs.add((caller, here))
        if here not in order and not asking:
            order.append(here)
            first[here] = caller
        stack.append(here)

    with tempfile.TemporaryDirectory() as out:
        request = PERIOD.make(year=year, quarter=quarter, out=out)
        sys.setprofile(profile)
        try:
            coordinator.run_period(request, force=True)
        finally:
            sys.setprofile(None)
    return order, steps, returns, sorted(climbs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", default="2011/12")
    parser.add_argument("--quarter", default="Q4")
    parser.add_argument("--methods", action="store_true", help="count calls of the values' methods as steps too")
    parser.add_argument("--returns", action="store_true", help="list every return, with the file's first caller")
    options = parser.parse_args()
    order, steps, returns, climbs = trace(options.year, options.quarter, options.methods)
    callers = {caller for caller, _ in steps}
    stations = {callee for _, callee in returns if callee in callers}
    for i, name in enumerate(order, 1):
        print(f"{i:3d}  {name}{'' if name in callers else '  (vocabulary)'}")
    if options.returns:
        for (caller, callee), (earlier, function) in sorted(returns.items(), key=lambda item: item[0][::-1]):
            kind = "station" if callee in stations else "vocabulary"
            print(f"returns ({kind}): {caller} -> {callee} {function}   (first entered from {earlier})")
    for caller, callee in climbs:
        print(f"climbs back up: {caller} -> {callee}")
    into_stations = sum(1 for _, callee in returns if callee in callers)
    print(
        f"{len(order)} files entered ({len(order) - len(callers)} of them vocabulary: they call no other file), "
        f"{len(steps)} distinct steps between files, {len(returns)} of them returns to a file it had left: "
        f"{len(returns) - into_stations} into vocabulary, {into_stations} into a station of the journey; "
        f"{len(climbs)} climbs back up a stage"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
