"""The layout of an export: how another organisation's table maps onto the pipeline's tidy indicators.

A layout is a value passed to the stages, read from a small TOML file (``tomllib``)::

    [layout]
    kind = "table"                  # "table": one row per indicator under a header row;
                                    # "council_plan": the Stockton Council Plan narrative export
    council = "Anytown Borough Council"
    # title = "Corporate performance"     optional: what the report is called (default "Performance indicators")
    # measure_word = "Measure"           optional: the report's heading for the indicator column
    # default_polarity = "higher"        optional: the polarity of every row that does not give its own
    # numbered = true                    optional: the organisation names its statuses 1-4 too ("status 1 or 2")
    # year_start = "July"                optional: the month its financial year starts in (default April)
    # organisation = "E06000004"         optional: its code in a benchmark dataset (--organisation)

    [benchmark]                     # optional: ref = the benchmark dataset's measure code it is compared on
    "ASC-QOL" = "ASC2"
    # ref_pattern = "^[A-Z]{2}\\d{2}$"   optional: rows whose ref does not match are findings
    # derive_status = true               optional: no status column; the status comes from the figures
    # reviewed = false                   written by `python -m pipeline layout`: cleaning says so until edited

    [columns]                       # pipeline field = the export's header, as written
    ref = "KPI Ref"
    measure = "Indicator"
    ...

    [status]                        # the export's words -> 1 met, 2 on track, 3 slipped, 4 not achieved; "" not assessed
    "Green" = 1

    [polarity]                      # the export's words -> "higher" or "lower" is better
    "High" = "higher"

``STOCKTON`` is the built-in layout of the Stockton-on-Tees Council Plan export; its narrative rules
live in ``clean``. ``parse_layout`` raises InputError naming the file (and line) for anything it cannot use.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

import regex

from pipeline.errors import InputError
from pipeline.read.schema import STATUS_LABELS, Scale


@dataclass(frozen=True)
class Kind:
    """What a kind of export is, for the stages after its reader: where its figures are read from (``text``
    of a narrative export, or ``columns`` of a typed table) and whether it ends with a summary of its own.
    The readers themselves are registered by kind in ``readers``."""

    figures_from: str
    has_summary: bool


KIND_TRAITS = {"table": Kind("columns", False), "council_plan": Kind("text", True)}
KINDS = tuple(KIND_TRAITS)
# The fields a table layout may map, in the order the tidy table and the README give them.
FIELDS = {
    "ref": "the indicator's code or reference (required)",
    "measure": "its name or description (required)",
    "directorate": "the service, department or directorate responsible",
    "theme": "a grouping above the indicator: theme, priority, programme or project",
    "target": "the target for the period (a number)",
    "actual": "this period's value (a number)",
    "previous": "the previous period's value (a number), for the direction of travel",
    "baseline": "the baseline (a number)",
    "unit": "the unit of the figures (%, count, or the organisation's word)",
    "polarity": "whether higher or lower is better (words mapped in [polarity])",
    "status": "the organisation's status or RAG (words mapped in [status])",
    "trend": "the export's own trend word (Better/Worse/No change), kept as given",
    "progress": "commentary on progress",
    "remedial": "remedial action, where the export has a column for it",
    "period": "the period each row reports (a month, a quarter), where rows report different periods",
}
REQUIRED = ("ref", "measure")
_LAYOUT_KEYS = {
    "kind",
    "council",
    "ref_pattern",
    "derive_status",
    "reviewed",
    "default_polarity",
    "measure_word",
    "title",
    "numbered",
    "year_start",
    "organisation",
}


@dataclass(frozen=True)
class Layout:
    """How an export maps onto the pipeline. ``columns`` maps pipeline field -> the export's header;
    ``status`` the export's status words (lower-cased) -> code 1-4 or None (not assessed);
    ``polarity`` the export's words (lower-cased) -> "higher"/"lower"."""

    kind: str
    council: str = ""
    columns: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)
    polarity: dict = field(default_factory=dict)
    ref_pattern: str = ""
    derive_status: bool = False
    reviewed: bool = True
    source: str = "built-in"
    words: dict = field(default_factory=dict)  # code -> the organisation's words for it, as written
    directorates: dict = field(default_factory=dict)  # the export's directorate code -> its full name
    default_polarity: str = ""  # "higher" or "lower": the table-wide polarity, where no row says otherwise
    measure_word: str = ""  # what the report calls the indicator column (default: the export's own header)
    report_title: str = ""  # what the report is called ("Council Plan"; default "Performance indicators")
    numbered: bool = False  # the organisation names its statuses by number too (status 1 to 4)
    year_start: int = 4  # the month its financial year starts in (the year 2024/25 starts in this month of 2024)
    organisation: str = ""  # its code in a benchmark dataset (``--organisation`` overrides it)
    benchmark: dict = field(default_factory=dict)  # ref -> the benchmark dataset's measure code it is compared on

    @property
    def measure_heading(self) -> str:
        """The heading of the column that names each indicator, in the organisation's words: ``measure_word``,
        else the export's own header of the measure column, else "Indicator"."""
        return self.measure_word or self.columns.get("measure") or "Indicator"

    @property
    def labels(self) -> Scale:
        """The organisation's status scale: its own words for each code (codes it does not use are left out),
        or the derived statuses."""
        if self.derive_status:
            return Scale(DERIVED_STATUS)
        return Scale({code: " / ".join(self.words[code]) for code in sorted(self.words)}, self.numbered)

    @property
    def source_word(self) -> str:
        """Where the figures are read from: the export's ``text`` (a narrative export) or its ``columns``."""
        return KIND_TRAITS[self.kind].figures_from

    @property
    def has_summary(self) -> bool:
        """Whether the organisation's exports end with a summary of their own (to check the figures against)."""
        return KIND_TRAITS[self.kind].has_summary

    @property
    def title(self) -> str:
        """What the report is called: the organisation's title for it, else its performance indicators."""
        return self.report_title or "Performance indicators"

    def status_code(self, word: str):
        """(known, code): whether ``word`` is one of the layout's status words, and its code (None: not assessed)."""
        key = " ".join(str(word).split()).lower()
        if key in self.status:
            return True, self.status[key]
        return False, None


DERIVED_STATUS = {
    1: "Target met (derived from the figures)",
    3: "Missed within tolerance (derived from the figures)",
    4: "Missed beyond tolerance (derived from the figures)",
}

# The built-in profile of Stockton-on-Tees' Council Plan export: one organisation among others, as data.
STOCKTON = Layout(
    kind="council_plan",
    council="Stockton-on-Tees Borough Council",
    source="built-in: Stockton Council Plan",
    columns={"directorate": "Responsibility"},
    status={label.lower(): code for code, label in STATUS_LABELS.items()},
    words={code: [label] for code, label in STATUS_LABELS.items()},
    measure_word="Outcome / success criteria",
    report_title="Council Plan",
    numbered=True,
)


def parse_layout(data: bytes, name: str) -> Layout:
    """Read a layout file. Raises InputError naming ``name`` (and the line, for TOML syntax) when it is not
    valid TOML, names an unknown kind, section, key or field, lacks ``ref`` or ``measure``, maps a status word
    to anything but 1-4 or "", or a polarity word to anything but "higher"/"lower"."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text; save the layout as UTF-8", name) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"is not valid TOML: {str(exc).split(' (at line')[0]}", name, int(m.group(1)) if m else None
        ) from None
    except RecursionError:
        raise InputError("is nested too deeply to be a layout (a layout is a few flat tables)", name) from None
    unknown = sorted(set(doc) - {"layout", "columns", "status", "polarity", "directorates", "benchmark"})
    if unknown:
        raise InputError(
            f"has unknown section(s) [{'], ['.join(unknown)}]; a layout has [layout], [columns], "
            "[status], [polarity], [directorates] and [benchmark]",
            name,
            _line(text, f"[{unknown[0]}]"),
        )
    for section, value in doc.items():
        if not isinstance(value, dict):
            raise InputError(
                f"{section} must be a table ([{section}] with its keys below it), not {type(value).__name__}",
                name,
                _line(text, section),
            )
    head = doc.get("layout") or {}
    bad = sorted(set(head) - _LAYOUT_KEYS)
    if bad:
        raise InputError(
            f"[layout] has unknown key(s) {', '.join(bad)}; known: {', '.join(sorted(_LAYOUT_KEYS))}",
            name,
            _line(text, bad[0]),
        )
    for key in ("kind", "council", "ref_pattern", "default_polarity", "measure_word", "title", "organisation"):
        if key in head and not isinstance(head[key], str):
            raise InputError(f"[layout] {key} must be text in quotes", name, _line(text, key))
    for key in ("derive_status", "reviewed", "numbered"):
        if key in head and not isinstance(head[key], bool):
            raise InputError(f"[layout] {key} must be true or false (without quotes)", name, _line(text, key))
    year_start = _month(head.get("year_start", 4), name, _line(text, "year_start"))
    if head.get("default_polarity", "higher") not in ("higher", "lower"):
        raise InputError('default_polarity must be "higher" or "lower"', name, _line(text, "default_polarity"))
    kind = head.get("kind", "table")
    if kind not in KINDS:
        raise InputError(f"kind {kind!r} is not one of {', '.join(KINDS)}", name, _line(text, "kind"))
    for code, full in (doc.get("directorates") or {}).items():
        if not isinstance(full, str):
            raise InputError(f"[directorates] {code!r} must be the full name as text", name, _line(text, code))
    directorates = {str(k).strip(): str(v).strip() for k, v in (doc.get("directorates") or {}).items()}
    for ref, code in (doc.get("benchmark") or {}).items():
        if not isinstance(code, str) or not code.strip():
            raise InputError(
                f"[benchmark] {ref!r} must be the benchmark measure's code as text", name, _line(text, ref)
            )
    linked = {str(k).strip(): str(v).strip() for k, v in (doc.get("benchmark") or {}).items()}
    if kind == "council_plan":  # Stockton's narrative export: its profile, with this file's name and directorates
        from dataclasses import replace

        return replace(
            STOCKTON,
            council=str(head.get("council", STOCKTON.council)),
            source=name,
            directorates=directorates,
            year_start=year_start,
            organisation=str(head.get("organisation", "")),
            benchmark=linked,
        )
    columns = doc.get("columns") or {}
    for key, header in columns.items():
        if key not in FIELDS:
            raise InputError(
                f"[columns] maps {key!r}, which is not a pipeline field; fields: {', '.join(FIELDS)}",
                name,
                _line(text, key),
            )
        if not isinstance(header, str) or not header.strip():
            raise InputError(f"[columns] {key} must be the export's header as text", name, _line(text, key))
    mapped: dict[str, str] = {}
    for key, header in columns.items():
        same = " ".join(header.split()).lower()
        if same in mapped:
            raise InputError(
                f"[columns] {mapped[same]} and {key} both read the column {header!r}: each field reads a column of its own",
                name,
                _line(text, key),
            )
        mapped[same] = key
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise InputError(f"[columns] must map {' and '.join(missing)} (the only required fields)", name)
    status, words = {}, {}
    for word, code in (doc.get("status") or {}).items():
        key = " ".join(word.split()).lower()
        given = None if code == "" else code
        if key in status and status[key] != given:
            raise InputError(
                f"[status] {word!r} is the word {key!r} again (case and spaces aside) with another meaning: "
                "one word, one meaning",
                name,
                _line(text, word),
            )
        if code == "":
            status[key] = None
        elif isinstance(code, int) and not isinstance(code, bool) and 1 <= code <= 4:
            if key not in status:
                words.setdefault(code, []).append(" ".join(word.split()))
            status[key] = code
        else:
            raise InputError(
                f"[status] {word!r} = {code!r}: use 1 (met), 2 (on track), 3 (slipped), 4 (not achieved) "
                'or "" (not assessed)',
                name,
                _line(text, word),
            )
    polarity = {}
    for word, value in (doc.get("polarity") or {}).items():
        if value not in ("higher", "lower"):
            raise InputError(f'[polarity] {word!r} = {value!r}: use "higher" or "lower"', name, _line(text, word))
        key = " ".join(word.split()).lower()
        if polarity.get(key, value) != value:
            raise InputError(
                f"[polarity] {word!r} is the word {key!r} again with another meaning: one word, one meaning",
                name,
                _line(text, word),
            )
        polarity[key] = value
    pattern = head.get("ref_pattern", "")
    try:
        ref_matcher(pattern)
    except regex.error as exc:
        raise InputError(
            f"ref_pattern {pattern!r} is not a regular expression ({exc})", name, _line(text, "ref_pattern")
        ) from None
    derive = head.get("derive_status", False)
    if not isinstance(derive, bool):
        raise InputError("derive_status must be true or false", name, _line(text, "derive_status"))
    if derive and "status" in columns:
        raise InputError(
            "derive_status = true needs no status column: remove one of them", name, _line(text, "derive_status")
        )
    return Layout(
        kind=kind,
        council=str(head.get("council", "")),
        columns=dict(columns),
        status=status,
        polarity=polarity,
        ref_pattern=pattern,
        derive_status=derive,
        reviewed=head.get("reviewed", True),
        source=name,
        words=words,
        directorates=directorates,
        default_polarity=head.get("default_polarity", ""),
        measure_word=head.get("measure_word", ""),
        report_title=head.get("title", ""),
        numbered=head.get("numbered", False),
        year_start=year_start,
        organisation=head.get("organisation", ""),
        benchmark=linked,
    )


def _month(value, name: str, line: int | None) -> int:
    """A month as a layout gives it: a number 1-12 or a month's name (``"July"``, ``"jul"``)."""
    from pipeline.period import MONTHS

    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    if isinstance(value, str):
        for number, month in enumerate(MONTHS, start=1):
            if value.strip().lower() in (month.lower(), month[:3].lower()):
                return number
    raise InputError(f'year_start {value!r} is not a month: write its number (7) or its name ("July")', name, line)


REF_PATTERN_SECONDS = 2.0  # all the rows of one export together: a pattern that backtracks without end stops here


def ref_matcher(pattern: str, source: str = "the layout"):
    """A function telling whether a ref matches the layout's ``ref_pattern`` (anywhere in it, as ``re.search``),
    with a time limit over all the refs it is asked about (``REF_PATTERN_SECONDS``): a pattern such as
    ``^(a+)+$`` backtracks for ever on a long ref, and stops the run with a clear error instead. None when the
    layout has no pattern. Raises ``regex.error`` for a pattern that is not a regular expression."""
    import time

    if not pattern:
        return None
    compiled = regex.compile(pattern)
    deadline = [None]

    def matches(ref: str) -> bool:
        now = time.monotonic()
        if deadline[0] is None:
            deadline[0] = now + REF_PATTERN_SECONDS
        try:
            return compiled.search(ref, timeout=max(deadline[0] - now, 0.001)) is not None
        except TimeoutError:
            raise InputError(
                f"ref_pattern {pattern!r} took over {REF_PATTERN_SECONDS:g} s to match the refs (at {ref[:40]!r}); "
                "it backtracks without end: simplify it (no nested repeats such as (a+)+)",
                source,
            ) from None

    return matches


def _line(text: str, needle: str) -> int | None:
    """The line of the key ``needle``: where it is written as a key (quoted or bare, before its ``=``), else
    the first line that holds it."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        key = line.split("=", 1)[0].strip()
        if "=" in line and key in (needle, f'"{needle}"', f"'{needle}'"):
            return number
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return None
