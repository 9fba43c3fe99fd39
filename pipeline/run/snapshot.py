"""Which files a report reads, and the one read of each: the snapshot.

A run decides once, at its start, which files it reads (the export, the register, the layout,
``directorates.csv``, the earlier exports of the same body, the comparison dataset with its layout and peers) and
reads each of them once into a typed snapshot: each file's bytes, and the layouts parsed. From then on the snapshot
alone says whether a file is there: a register written into the raw folder while a batch runs, or an export
removed, changes nothing in a run already planned, and nothing is read that the manifest and ``inputs.zip`` do not
record. The stages receive bytes and parsed layouts; none goes back to ask which files exist. Light: no pandas.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.paths import PROJECT_ROOT, published_path
from pipeline.period import Period
from pipeline.read import limits
from pipeline.run.discover import Related, related_inputs

LAYOUT_FILE = "layout.toml"  # a layout beside the exports of a raw folder applies to them
REGISTER_FILE = "indicator_register.csv"  # so does a register
DIRECTORATES_FILE = "directorates.csv"  # and the full names of the directorates' codes
COMPARISON_LAYOUT_FILE = "benchmark.toml"  # a comparison dataset's layout, beside it


@dataclass(frozen=True)
class Input:
    """One input as read at the start of the run: where it was (resolved) and its bytes."""

    path: Path
    data: bytes = field(repr=False)

    @property
    def name(self) -> str:
        """The input as outputs name it: project-relative inside the project, else its file name alone (a full
        path outside the project can carry a user's folder names)."""
        return published_path(self.path)

    @property
    def entry(self) -> dict:
        """The input as the manifest records it: published name, size, SHA-256 (hashed once)."""
        return {"path": self.name, "size": len(self.data), "sha256": self.sha256}

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Comparison:
    """A comparison dataset's files as read: the dataset, its layout (parsed: ``comparison.ComparisonLayout``),
    its peers file when one is named; and the organisation's code given for it ("" when none)."""

    dataset: Input
    layout_file: Input
    layout: object
    peers: Input | None
    organisation: str = ""

    @property
    def files(self) -> list[Input]:
        return [self.dataset, self.layout_file] + ([self.peers] if self.peers else [])


@dataclass(frozen=True)
class PeriodInputs:
    """Everything a period report reads, read once: the export, its layout (parsed; ``layout_file`` the file it
    came from, None for the built-in Stockton profile), the register, ``directorates.csv``, the earlier exports of
    the same body by period (``related`` says which is which) and the comparison."""

    period: Period
    export: Input
    layout: object
    layout_file: Input | None
    register: Input | None
    directorates: Input | None
    related: Related
    earlier: dict
    comparison: Comparison | None
    alone: bool = False  # read on its own (the clean command): no earlier period, no comparison, no period check

    @contextlib.contextmanager
    def as_given(self):
        """Within: an error about one of its files names it as the user gave it (``named_as_given``)."""
        with named_as_given(self.files):
            yield

    @property
    def files(self) -> list[Input]:
        """Every file read, in the order the manifest lists them."""
        own = [self.export, self.register, self.layout_file, self.directorates]
        files = [f for f in own if f is not None] + [self.earlier[p] for p in self.related.wanted()]
        for f in self.comparison.files if self.comparison else []:
            if f.path not in {g.path for g in files}:
                files.append(f)
        return files


@contextlib.contextmanager
def named_as_given(inputs):
    """Within: an error about one of ``inputs`` names it by its path as the user gave it (project-relative inside the
    project), though the stages name every input as the outputs publish it (its file name alone outside the
    project, where its path can carry a user's folder names)."""
    from pipeline.errors import PipelineError
    from pipeline.paths import display_path

    try:
        yield
    except PipelineError as exc:
        given = {i.name: display_path(i.path) for i in inputs if i is not None}
        if exc.path in given:
            exc.path = given[exc.path]
        raise


def resolve(path: str | Path) -> Path:
    """Paths in parameters are relative to the project root, so the executed notebook holds no machine paths."""
    p = Path(path)
    return p if p.is_absolute() or p.exists() else PROJECT_ROOT / p


def read_input(path: Path, already: dict | None = None, within=None) -> Input:
    """One file, read once: from ``already`` (the files a batch has read so far, shared by its periods; it gains
    this one) when it holds it. ``within``: the limits it is read under (``limits.LIMITS`` by default). Raises
    InputError for a missing, empty or oversized file."""
    try:
        key = Path(path).resolve()
    except (RuntimeError, OSError):  # a symbolic link that leads round in a loop
        raise InputError("is a symbolic link that leads round in a loop; name the file itself", path) from None
    shared = already if already is not None else {}
    if key not in shared:
        shared[key] = limits.read_bytes(path, within or limits.LIMITS)
    return Input(key, shared[key])


def beside(source: Path, name: str, given: str = "", already: dict | None = None) -> Input | None:
    """The file ``given`` (a parameter's path) when given, else ``name`` beside ``source`` when it is there."""
    if given:
        return read_input(resolve(given), already)
    path = Path(source).parent / name
    return read_input(path, already) if path.is_file() else None


def read_period_inputs(
    period: Period, source: Path, request, already: dict | None = None, alone: bool = False
) -> PeriodInputs:
    """The one read of every input of ``period``'s report from the export ``source`` (``request``: the period's
    request, naming the register, layout and comparison); ``alone``: the export, its layout, register and
    directorates only (the ``clean`` command). Raises InputError naming a file that cannot be used."""
    from pipeline.read.layout import read_layout
    from pipeline.read.readers import default_layout

    export = read_input(source, already)
    layout_file = beside(source, LAYOUT_FILE, request.layout_path, already)
    with named_as_given([layout_file]):
        layout = read_layout(layout_file.data, layout_file.name) if layout_file else default_layout()
    related = Related(None, (), None, (), {}) if alone else related_inputs(period, source, history=True)
    earlier = {p: read_input(path, already) for p, path in related.files.items()}
    return PeriodInputs(
        period.starting(layout.year_start),
        export,
        layout,
        layout_file,
        beside(source, REGISTER_FILE, request.register_path, already),
        beside(source, DIRECTORATES_FILE, "", already),
        related,
        earlier,
        None
        if alone
        else read_comparison(
            request.benchmark_path,
            request.benchmark_layout_path,
            request.peers_path,
            request.organisation or layout.organisation,
            already,
        ),
        alone,
    )


def read_comparison(
    dataset: str, layout: str = "", peers: str = "", organisation: str = "", already: dict | None = None
) -> Comparison | None:
    """A comparison's files (the parameters' paths: the dataset, its layout, its peers), read once and the layout
    parsed; ``organisation``: its code as given (else the layout's). None when no dataset is named. Raises
    InputError when a dataset is named without a layout for it."""
    from pipeline.read.comparison import read_comparison_layout

    if not dataset:
        return None
    data = read_input(resolve(dataset), already, limits.DATASET_LIMITS)
    beside_it = data.path.parent / COMPARISON_LAYOUT_FILE
    if not layout and not beside_it.is_file():
        raise InputError(
            f"has no layout: name one with --benchmark-layout FILE, or put {COMPARISON_LAYOUT_FILE} beside it",
            data.name,
        )
    layout_file = read_input(resolve(layout) if layout else beside_it, already)
    with named_as_given([layout_file]):
        rules = read_comparison_layout(layout_file.data, layout_file.name)
    peers_file = read_input(resolve(peers), already) if peers else None
    return Comparison(data, layout_file, rules, peers_file, organisation or rules.organisation)
