"""One report request: each kind of report and its parameters, defined once, and the request object made from them.

A request is a frozen value of a kind of report (``PeriodRequest``, ``MilestonesRequest``, ``ProfileRequest``),
each made from its kind's one definition in ``REPORT_KINDS``. Everything that names a report's parameters derives
from that definition: the command line's flags (``cli``), what a parameters file (``-f``) may set, what ``batch``
takes for every period, the notebook's parameters cell (checked by a test against the notebook itself, as
papermill reads it), the parameters a run records in its manifest, the provenance section's commands, and
``reproduce``. The request travels whole: from the command line, a ``-f`` file or a batch to the run, to the
notebook (whose parameters cell it fills), the manifest and ``reproduce``. A new kind of report is one more entry
here (its notebook, its parameters and the command that renders it).
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar

from pipeline.paths import COUNCIL_PLAN_NOTEBOOK, MILESTONE_NOTEBOOK, PROFILE_NOTEBOOK, safe_folder


@dataclass(frozen=True)
class Parameter:
    """A report parameter: its name in the notebook (and the manifest, and a parameters file), its flag on the
    command line, and what it means. ``every_period``: a batch takes it once for all its periods (a period's
    year, quarter and export come from each export's file name). ``positional``: the command takes it as its
    argument, not a flag. ``path``: it names an input file (``reproduce`` finds it among the manifest's inputs).
    ``group``: the parameters that travel together (the front page's words; how an export is read, which ``clean``
    takes too; a comparison dataset's files and period, which ``compare`` takes too)."""

    name: str
    flag: str
    metavar: str
    help: str
    every_period: bool = False
    positional: bool = False
    path: bool = False
    group: str = ""
    default: str = ""

    @property
    def dest(self) -> str:
        """The attribute argparse stores the flag's value under."""
        return self.flag.lstrip("-").replace("-", "_")


class Request:
    """A request for one report: its kind's parameters as text, in the kind's order. Made by ``ReportKind.make``
    (or ``from_namespace``); frozen; ``replace`` gives a changed copy."""

    kind: ClassVar[ReportKind]

    def values(self) -> dict[str, str]:
        """The parameters in the kind's order: what the notebook is given and the manifest records."""
        return {name: getattr(self, name) for name in self.kind.names}

    def replace(self, **changes) -> Request:
        return self.kind.make(**(self.values() | {k: str(v) for k, v in changes.items()}))

    def group(self, name: str) -> dict[str, str]:
        """The parameters of one ``Parameter.group``, by name (the front page's words, the comparison's files)."""
        return {p.name: getattr(self, p.name) for p in self.kind.parameters if p.group == name}

    def folder(self) -> str:
        """The report's folder under the output root, as a relative POSIX path (of a resolved request: its year
        and quarter as labels): ``2011-12/Q4``, ``plans/<plan>/2008-09/Q1``, ``<organisation>/2022-23/Q4``."""
        return self.kind.folder_of(self)

    def command_line(self, shown_out: str | None = None) -> list[str]:
        """The command that makes this report again, as a list of words: the positional argument, then each flag
        that has a value (a value starting with '-' joined to its flag, so that it is not read as a flag of its
        own). ``out`` (``shown_out`` when given) is named when it is not the default."""
        words = ["python", "-m", "pipeline", self.kind.command]
        for p in self.kind.parameters:
            value = getattr(self, p.name)
            if p.name == "out":
                value = value if shown_out is None else shown_out
                if value in ("", "outputs"):
                    continue
            if p.positional:
                words.append(value if not value.startswith("-") else "./" + value)
            elif value or p.name == "input_path":
                words += joined_flag(p.flag, value)
        return words


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: the notebook that renders it, its parameters in the notebook's order, and the
    command that renders one (``python -m pipeline <command>``). ``request_class`` is its request's type."""

    name: str
    notebook: Path
    parameters: tuple[Parameter, ...]
    command: str
    folder_of: Callable

    def __post_init__(self):
        fields = [(p.name, str, dataclasses.field(default=p.default)) for p in self.parameters]
        cls = dataclasses.make_dataclass(
            f"{self.name.title()}Request", fields, bases=(Request,), frozen=True, namespace={"kind": self}
        )
        cls.__module__ = __name__  # picklable by its name: it is bound below as a module attribute
        object.__setattr__(self, "request_class", cls)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def make(self, **values) -> Request:
        """A request of this kind from ``values`` (each parameter by name; one not given takes its default).
        Raises ValueError naming a value that is not a parameter of this kind."""
        unknown = set(values) - set(self.names)
        if unknown:
            raise ValueError(f"the {self.name} report has no parameter {', '.join(sorted(unknown))}")
        return self.request_class(**{k: "" if v is None else str(v) for k, v in values.items()})

    def from_namespace(self, namespace) -> Request:
        """A request from a notebook's namespace (its parameters cell, ``globals()``) or a mapping: each parameter
        it holds, the rest at their defaults."""
        get = (
            namespace.get if isinstance(namespace, dict) else (lambda name, default: getattr(namespace, name, default))
        )
        return self.make(**{name: get(name, None) for name in self.names if get(name, None) is not None})

    def from_flags(self, args) -> Request:
        """A request from argparse's flags (``Parameter.dest``), those not given at their defaults."""
        return self.make(**{p.name: getattr(args, p.dest) for p in self.parameters if getattr(args, p.dest, None)})


def joined_flag(flag: str, value: str) -> list[str]:
    """A flag and its value as a command line takes them: one word (``--input=-rf.tsv``) when the value starts
    with '-', which argparse would otherwise read as a flag of its own."""
    return [f"{flag}={value}"] if value.startswith("-") else [flag, value]


def shell(words: list[str]) -> str:
    """A command as printed for a reader to paste: every word shell-quoted (a file named 'q4 $(id).tsv' stays a
    name)."""
    return shlex.join(words)


def _period_folder(request) -> str:
    return f"{request.year.replace('/', '-')}/{request.quarter}"


def _plan_folder(request) -> str:
    return f"plans/{safe_folder(Path(request.plan_path).name, 'plan')}/{_period_folder(request)}"


def _profile_folder(request) -> str:
    return f"{safe_folder(request.organisation)}/{_period_folder(request)}"


_YEAR = Parameter("year", "--year", "YYYY/YY", "financial year, e.g. 2011/12")
_QUARTER = Parameter("quarter", "--quarter", "Qn", "Q1, Q2, Q3 or Q4 (Q4 is the year end)")
_OUT = Parameter("out", "--out", "DIR", "output root (default: outputs/)", every_period=True, default="outputs")
_LAYOUT_HELP = "layout of the export (default: layout.toml beside it, else the built-in Stockton Council Plan profile)"
# A comparison dataset and its peers: the period report's comparison and the profiles' subject.
_DATASET_HELP = "a comparison dataset (one row per organisation, measure and period)"
_DATASET_LAYOUT_HELP = "the comparison dataset's layout (default: benchmark.toml beside the dataset)"
_PEERS_HELP = "the comparator groups: a CSV of codes, or a JSON object of each code's list (nearest neighbours)"

PERIOD = ReportKind(
    "period",
    COUNCIL_PLAN_NOTEBOOK,
    (
        _YEAR,
        _QUARTER,
        Parameter("input_path", "--input", "FILE", "the export (default: found in data/raw/ by period)", path=True),
        Parameter(
            "register_path",
            "--register",
            "FILE",
            "indicator register (default: indicator_register.csv beside the export)",
            every_period=True,
            path=True,
            group="reading",
        ),
        Parameter("layout_path", "--layout", "FILE", _LAYOUT_HELP, every_period=True, path=True, group="reading"),
        Parameter(
            "council", "--council", "NAME", "the organisation's name in the report (default: the layout's)", True
        ),
        _OUT,
        Parameter(
            "asked",
            "--asked",
            "TEXT",
            "what the committee is asked to do, on the front page (said as not given when empty)",
            every_period=True,
            group="front_page",
        ),
        Parameter(
            "author",
            "--author",
            "NAME",
            "the report's author, on the front page",
            every_period=True,
            group="front_page",
        ),
        Parameter("benchmark_path", "--benchmark", "FILE", _DATASET_HELP, True, path=True),
        Parameter("benchmark_layout_path", "--benchmark-layout", "FILE", _DATASET_LAYOUT_HELP, True, path=True),
        Parameter(
            "organisation",
            "--organisation",
            "CODE",
            "the organisation's code in the comparison dataset (default: the layout's)",
            every_period=True,
        ),
        Parameter("peers_path", "--peers", "FILE", _PEERS_HELP, True, path=True),
        Parameter(
            "contact",
            "--contact",
            "TEXT",
            "whom members contact about it (an e-mail or a phone number)",
            every_period=True,
            group="front_page",
        ),
    ),
    "run",
    _period_folder,
)
MILESTONES = ReportKind(
    "milestones",
    MILESTONE_NOTEBOOK,
    (
        Parameter("plan_path", "input", "PLAN", "the plan (text exported from PDF)", positional=True, path=True),
        _YEAR,
        _QUARTER,
        Parameter("council", "--council", "NAME", "the organisation whose plan it is, on the title page"),
        _OUT,
    ),
    "plan",
    _plan_folder,
)
PROFILE = ReportKind(
    "profile",
    PROFILE_NOTEBOOK,
    (
        Parameter(
            "dataset_path", "dataset", "DATASET", "the comparison dataset", positional=True, path=True, group="dataset"
        ),
        Parameter("layout_path", "--layout", "FILE", _DATASET_LAYOUT_HELP, path=True, group="dataset"),
        Parameter("organisation", "--only", "CODE", "the organisation whose profile it is"),
        Parameter("peers_path", "--peers", "FILE", _PEERS_HELP, path=True, group="dataset"),
        dataclasses.replace(_YEAR, group="dataset"),
        dataclasses.replace(_QUARTER, group="dataset"),
        _OUT,
    ),
    "profiles",
    _profile_folder,
)
REPORT_KINDS = {kind.name: kind for kind in (PERIOD, MILESTONES, PROFILE)}
PeriodRequest = PERIOD.request_class
MilestonesRequest = MILESTONES.request_class
ProfileRequest = PROFILE.request_class


def kind_of(parameters: dict) -> ReportKind:
    """The kind of report a manifest's ``parameters`` are for, by the parameter naming its own input (the
    milestone report's ``plan_path``, the period report's ``input_path``). A kind whose input is a positional
    argument is asked first, so that parameters naming a plan are never read as a period report's."""
    for kind in sorted(REPORT_KINDS.values(), key=lambda k: not any(p.positional for p in k.parameters)):
        own = {p.name for p in kind.parameters if p.positional or p.name == "input_path"}
        if own and own <= set(parameters):
            return kind
    return PERIOD


# --- a parameters file (-f), as papermill reads one ---------------------------------------------

PARAMETERS_FILE_BYTES = 64 * 2**10  # a parameters file names a few values; anything larger is not one
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def read_parameters(path: str | Path, allowed: tuple[str, ...] | None = None) -> dict[str, str]:
    """A parameters file, as papermill's ``-f`` reads it: a YAML mapping of the report notebook's parameters to
    text. Every value is read as the text written (YAML's coercions do not apply: ``0x1F`` stays ``0x1F``,
    ``12:30`` stays ``12:30``). Raises InputError naming the file (and line) for a file over 64 KB, one that is
    not such a mapping, a key given twice, a value that is not text or holds control characters, and
    UsageError for a parameter that is not ``allowed`` here."""
    import yaml

    from pipeline.errors import InputError, UsageError
    from pipeline.paths import display_path

    allowed = PERIOD.names if allowed is None else allowed
    name = display_path(Path(path))
    text = _parameters_text(path, name)
    try:
        given = yaml.load(text, Loader=_text_loader(name))  # builds only text, lists and mappings
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not YAML: {getattr(exc, 'problem', None) or 'cannot be parsed'}", name, mark.line + 1 if mark else None
        ) from None
    except RecursionError:
        raise InputError("is nested too deeply to be a parameters file (name: value, one a line)", name) from None
    if given is None or given == "":
        return {}
    if not isinstance(given, dict):
        raise InputError("a parameters file maps parameter names to values (name: value, one a line)", name)
    for key, value in given.items():
        if key not in allowed:
            raise UsageError(f"{name}: {key!r} is not a parameter here (the parameters are {', '.join(allowed)})")
        if not isinstance(value, str):
            raise InputError(f"{key} must be text, not a {'list' if isinstance(value, list) else 'mapping'}", name)
        if _UNSAFE.search(value):
            raise InputError(f"{key} holds control or bidirectional characters; write it as plain text", name)
    return dict(given)


def _parameters_text(path: str | Path, name: str) -> str:
    """The text of a parameters file. Raises InputError for one that cannot be read, is over 64 KB or not UTF-8."""
    from pipeline.errors import InputError

    try:
        size = Path(path).stat().st_size
        if size > PARAMETERS_FILE_BYTES:
            raise InputError(
                f"is {size:,} bytes; a parameters file names a few values (at most {PARAMETERS_FILE_BYTES // 1024} KB)",
                name,
            )
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the parameters file ({exc.strerror or exc})", name) from None
    except UnicodeDecodeError:
        raise InputError("the parameters file is not UTF-8 text", name) from None


def _text_loader(name: str):
    """A YAML loader that reads every scalar as the text written (YAML 1.1's base loader) and refuses a key
    given twice, naming the file ``name`` and the line."""
    import yaml

    from pipeline.errors import InputError

    class TextLoader(yaml.BaseLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise InputError(f"{key!r} is given twice", name, key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return TextLoader
