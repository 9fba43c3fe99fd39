"""One report request: each kind of report and its parameters, defined once.

Everything that names a report's parameters derives from ``REPORT_KINDS``: the command line's flags (``cli``),
what a parameters file (``-f``) may set, what ``batch`` takes for every period, the notebook's parameters cell
(checked by a test against the notebook itself, as papermill reads it), the parameters a run records in its
manifest, the provenance section's commands, and ``reproduce``. A new kind of report is one more entry here
(its notebook, its parameters and the command that renders it).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from pipeline.paths import COUNCIL_PLAN_NOTEBOOK, MILESTONE_NOTEBOOK, PROFILE_NOTEBOOK


@dataclass(frozen=True)
class Parameter:
    """A report parameter: its name in the notebook (and the manifest, and a parameters file), its flag on the
    command line, and what it means. ``every_period``: a batch takes it once for all its periods (a period's
    year, quarter and export come from each export's file name). ``positional``: the command takes it as its
    argument, not a flag."""

    name: str
    flag: str
    metavar: str
    help: str
    every_period: bool = False
    positional: bool = False

    @property
    def dest(self) -> str:
        """The attribute argparse stores the flag's value under."""
        return self.flag.lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: the notebook that renders it, its parameters in the notebook's order, and the
    command that renders one (``python -m pipeline <command>``)."""

    name: str
    notebook: Path
    parameters: tuple[Parameter, ...]
    command: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def complete(self, values: dict) -> dict[str, str]:
        """``values`` in the parameters' order, checked to name each parameter of this kind once and nothing
        else (a run records exactly the parameters its notebook takes)."""
        if set(values) != set(self.names):
            raise ValueError(f"the {self.name} report's parameters are {self.names}, not {tuple(values)}")
        return {name: str(values[name]) for name in self.names}

    def values(self, namespace: dict, **resolved) -> dict[str, str]:
        """The parameters' values from a notebook's namespace (its parameters cell), in order; ``resolved``
        replaces a value by what the run made of it (the export it found for an empty ``input_path``)."""
        return {name: str(resolved.get(name, namespace.get(name, ""))) for name in self.names}

    def command_line(self, values: dict, shown_out: str = "outputs") -> list[str]:
        """The command that makes this report again from ``values``, as a list of words: the positional
        argument, then each flag that has a value (a value starting with '-' joined to its flag, so that it is
        not read as a flag of its own). ``out`` is named when it is not the default."""
        words = ["python", "-m", "pipeline", self.command]
        for p in self.parameters:
            value = str(values.get(p.name, ""))
            if p.name == "out":
                value = shown_out
                if value in ("", "outputs"):
                    continue
            if p.positional:
                words.append(value if not value.startswith("-") else "./" + value)
            elif value or p.name == "input_path":
                words += joined_flag(p.flag, value)
        return words


def joined_flag(flag: str, value: str) -> list[str]:
    """A flag and its value as a command line takes them: one word (``--input=-rf.tsv``) when the value starts
    with '-', which argparse would otherwise read as a flag of its own."""
    return [f"{flag}={value}"] if value.startswith("-") else [flag, value]


def shell(words: list[str]) -> str:
    """A command as printed for a reader to paste: every word shell-quoted (a file named 'q4 $(id).tsv' stays a
    name)."""
    return shlex.join(words)


_YEAR = Parameter("year", "--year", "YYYY/YY", "financial year, e.g. 2011/12")
_QUARTER = Parameter("quarter", "--quarter", "Qn", "Q1, Q2, Q3 or Q4 (Q4 is the year end)")
_LAYOUT_HELP = "layout of the export (default: layout.toml beside it, else the built-in Stockton Council Plan profile)"

PERIOD = ReportKind(
    "period",
    COUNCIL_PLAN_NOTEBOOK,
    (
        _YEAR,
        _QUARTER,
        Parameter("input_path", "--input", "FILE", "the export (default: found in data/raw/ by period)"),
        Parameter(
            "register_path",
            "--register",
            "FILE",
            "indicator register (default: indicator_register.csv beside the export)",
            every_period=True,
        ),
        Parameter("layout_path", "--layout", "FILE", _LAYOUT_HELP, every_period=True),
        Parameter(
            "council", "--council", "NAME", "the organisation's name in the report (default: the layout's)", True
        ),
        Parameter("out", "--out", "DIR", "output root (default: outputs/)", every_period=True),
        Parameter(
            "asked",
            "--asked",
            "TEXT",
            "what the committee is asked to do, on the front page (said as not given when empty)",
            every_period=True,
        ),
        Parameter("author", "--author", "NAME", "the report's author, on the front page", every_period=True),
        Parameter(
            "benchmark_path",
            "--benchmark",
            "FILE",
            "a benchmark dataset (one row per organisation, measure and period) to compare the indicators with",
            every_period=True,
        ),
        Parameter(
            "benchmark_layout_path",
            "--benchmark-layout",
            "FILE",
            "the benchmark dataset's layout (default: benchmark.toml beside the dataset)",
            every_period=True,
        ),
        Parameter(
            "organisation",
            "--organisation",
            "CODE",
            "the organisation's code in the benchmark dataset (default: the layout's)",
            every_period=True,
        ),
        Parameter(
            "peers_path",
            "--peers",
            "FILE",
            "its comparator group: a CSV of codes, or a JSON object of each code's list (nearest neighbours)",
            every_period=True,
        ),
        Parameter("contact", "--contact", "TEXT", "whom members contact about it (an e-mail or a phone number)", True),
    ),
    "run",
)
MILESTONES = ReportKind(
    "milestones",
    MILESTONE_NOTEBOOK,
    (
        Parameter("plan_path", "input", "PLAN", "the plan (text exported from PDF)", positional=True),
        _YEAR,
        _QUARTER,
        Parameter("council", "--council", "NAME", "the organisation whose plan it is, on the title page"),
    ),
    "plan",
)
PROFILE = ReportKind(
    "profile",
    PROFILE_NOTEBOOK,
    (
        Parameter("dataset_path", "dataset", "DATASET", "the benchmark dataset", positional=True),
        Parameter("layout_path", "--layout", "FILE", "its layout (default: benchmark.toml beside the dataset)"),
        Parameter("organisation", "--only", "CODE", "the organisation whose profile it is"),
        Parameter("peers_path", "--peers", "FILE", "the comparator groups (a JSON of each code's list, or a CSV)"),
        _YEAR,
        _QUARTER,
        Parameter("out", "--out", "DIR", "output root (default: outputs/)"),
    ),
    "profiles",
)
REPORT_KINDS = {kind.name: kind for kind in (PERIOD, MILESTONES, PROFILE)}
# The period report's front-page words: text given by the analyst, recorded with the other parameters.
FRONT_PAGE = ("asked", "author", "contact")
# The period report's benchmark: the dataset, its layout, the organisation's code in it, its peers.
BENCHMARK = ("benchmark_path", "benchmark_layout_path", "organisation", "peers_path")


def benchmark_of(values) -> dict[str, str]:
    """The benchmark parameters from a mapping or a namespace (argparse's flags), each "" when not given."""
    if isinstance(values, dict):
        return {name: str(values.get(name, "") or "") for name in BENCHMARK}
    flags = {"benchmark_path": "benchmark", "benchmark_layout_path": "benchmark_layout", "peers_path": "peers"}
    return {name: str(getattr(values, flags.get(name, name), "") or "") for name in BENCHMARK}


def front_page(values) -> dict[str, str]:
    """The front page's words from a mapping or a namespace (argparse's), each "" when not given."""
    get = values.get if isinstance(values, dict) else (lambda name, default: getattr(values, name, default))
    return {name: str(get(name, "") or "") for name in FRONT_PAGE}


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
    try:
        size = Path(path).stat().st_size
        if size > PARAMETERS_FILE_BYTES:
            raise InputError(
                f"is {size:,} bytes; a parameters file names a few values (at most {PARAMETERS_FILE_BYTES // 1024} KB)",
                name,
            )
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the parameters file ({exc.strerror or exc})", name) from None
    except UnicodeDecodeError:
        raise InputError("the parameters file is not UTF-8 text", name) from None
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
