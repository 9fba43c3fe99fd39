"""The journey of one period's request through the code: which of the pipeline's files a run enters, in order, and
how often it goes back into a file it had left.

    .venv/bin/python tools/journey.py [--year 2011/12 --quarter Q4] [--returns] [--methods]

The run (``run --force`` of the seed's period, in this process, as the command line makes it) is traced with
``sys.setprofile``, every module of ``pipeline/`` imported first (the journey is the run, not the imports).

- A *step* is a call of a function of one file of ``pipeline/`` from another, counted once per pair of files (a
  loop over ten thousand rows is one step, not ten thousand).
- A call of a method or property of a value handed along (a layout's ``labels``, an input's ``path``, a started
  kernel's ``hand``) asks the value; it is not a step and enters no file (``--methods`` counts them too). Nor is
  a generator resumed: leaving a ``with`` block is the call that entered it.
- A step into a file already entered, not on the call stack at that moment, after the journey has been in another
  file since it left it, is a *return to a file it had left* (calling the same helper twice in a row is not
  leaving it; calling it, then another file, then it again is). A file that calls no other file of ``pipeline/`` in the run is *vocabulary* (the tidy tables' columns,
  the number format, the blocks); a return into it is a look-up. A return into any other file is a *return into
  a station of the journey*: the figure the README quotes.
- A step from a stage into an earlier stage's file (read < figures < report < run < audit; the shared words at the
  top of ``pipeline/`` and the entry points aside) is a *climb back up*, unless it is the run stage directing the
  others, which is its job.

The notebook's cells run in the kernel, another process, and are not part of this journey. Prints the files in the
order first entered and the counts; ``--returns`` lists every return with the function called.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "pipeline"
STAGES = ["read", "figures", "report", "run", "audit"]
GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def stage_of(relative: str) -> int | None:
    first = relative.split("/", 1)[0]
    return STAGES.index(first) if first in STAGES else None


def is_method(qualname: str) -> bool:
    """True for a method or property of a class (``Layout.labels``, ``f.<locals>.Client.wait``), not for a
    module's function or a function nested in one (``f.<locals>.g``)."""
    return "." in qualname.rpartition("<locals>.")[2]


@dataclass
class Walk:
    """The files a run enters, as the tracer reports its calls (``call``) and returns (``back``)."""

    order: list = field(default_factory=list)  # files in the order first entered
    first: dict = field(default_factory=dict)  # file -> the file that first called it
    stack: list = field(default_factory=list)
    steps: set = field(default_factory=set)
    returns: dict = field(default_factory=dict)  # (caller, callee) -> (callee's first caller, the function called)
    climbs: set = field(default_factory=set)
    log: list = field(default_factory=list)  # every file a step entered, in turn
    left: dict = field(default_factory=dict)  # file -> how long ``log`` was when the journey last left it

    def call(self, here: str, function: str, asking: bool = False) -> None:
        caller = self.stack[-1] if self.stack else None
        self.stack.append(here)
        if asking or caller == here:  # asking a value, or a call within a file: no step, and nothing entered
            return
        if caller is not None:
            self.steps.add((caller, here))
            if self._came_back(here):
                self.returns.setdefault((caller, here), (self.first.get(here), function))
            low, high = stage_of(here), stage_of(caller)
            if low is not None and high is not None and low < high and STAGES[high] != "run":
                self.climbs.add((caller, here))
        if here not in self.order:
            self.order.append(here)
            self.first[here] = caller
        self.log.append(here)

    def _came_back(self, here: str) -> bool:
        """True when ``here`` was entered before, is not on the call stack, and the journey has been in another
        file since it left ``here`` (calling the same helper twice in a row is not leaving it)."""
        if here not in self.order or here in self.stack[:-1]:
            return False
        return any(other != here for other in self.log[self.left.get(here, 0) :])

    def back(self, here: str) -> None:
        if self.stack and self.stack[-1] == here:
            self.stack.pop()
            if here in self.order and here not in self.stack:
                self.left[here] = len(self.log)

    @property
    def vocabulary(self) -> set:
        """The files entered that call no other file."""
        return set(self.order) - {caller for caller, _ in self.steps}

    @property
    def into_stations(self) -> dict:
        return {pair: how for pair, how in self.returns.items() if pair[1] not in self.vocabulary}


def trace(year: str, quarter: str, methods: bool = False) -> Walk:
    """The walk of one period's run (``methods``: count the calls of values' methods as steps too)."""
    sys.path.insert(0, str(ROOT))
    import pipeline

    for module in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    from pipeline.request import PERIOD
    from pipeline.run import coordinator

    prefix = str(PIPELINE) + "/"
    walk = Walk()
    generators: dict = {}  # id -> a generator's frame, kept while tracing (so that no other frame takes its id)

    def profile(frame, event, arg):
        code = frame.f_code
        if event not in ("call", "return") or code.co_name == "<module>":
            return
        if not code.co_filename.startswith(prefix) or not code.co_filename.endswith(".py"):
            return
        here = code.co_filename[len(prefix) :]
        if event == "return":
            walk.back(here)
            return
        asking = not methods and is_method(code.co_qualname)
        if code.co_flags & GENERATOR_FLAGS:  # a generator resumed (a ``with`` block left) is the same call
            asking = asking or id(frame) in generators
            generators[id(frame)] = frame
        walk.call(here, code.co_qualname, asking)

    with tempfile.TemporaryDirectory() as out:
        request = PERIOD.make(year=year, quarter=quarter, out=out)
        sys.setprofile(profile)
        try:
            coordinator.run_period(request, force=True)
        finally:
            sys.setprofile(None)
    return walk


def summary(walk: Walk) -> str:
    stations = len(walk.into_stations)
    return (
        f"{len(walk.order)} files entered ({len(walk.vocabulary)} of them vocabulary: they call no other file), "
        f"{len(walk.steps)} distinct steps between files, {len(walk.returns)} of them returns to a file it had left: "
        f"{len(walk.returns) - stations} into vocabulary, {stations} into a station of the journey; "
        f"{len(walk.climbs)} climbs back up a stage"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", default="2011/12")
    parser.add_argument("--quarter", default="Q4")
    parser.add_argument("--methods", action="store_true", help="count calls of the values' methods as steps too")
    parser.add_argument("--returns", action="store_true", help="list every return, with the function called")
    options = parser.parse_args()
    walk = trace(options.year, options.quarter, options.methods)
    vocabulary = walk.vocabulary
    for i, name in enumerate(walk.order, 1):
        print(f"{i:3d}  {name}{'  (vocabulary)' if name in vocabulary else ''}")
    if options.returns:
        for (caller, callee), (earlier, function) in sorted(walk.returns.items(), key=lambda item: item[0][::-1]):
            kind = "vocabulary" if callee in vocabulary else "station"
            print(f"returns ({kind}): {caller} -> {callee} {function}   (first entered from {earlier})")
    for caller, callee in sorted(walk.climbs):
        print(f"climbs back up: {caller} -> {callee}")
    print(summary(walk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
