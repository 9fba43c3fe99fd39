"""The layout of an export: how an organisation's table maps onto the pipeline's tidy indicators.

A layout is a value passed to the stages (``Layout``), read from a small TOML file whose schema is declared here
(``LayoutFile``, pydantic)::

    [layout]
    kind = "table"                  # "table": one row per indicator under a header row;
                                    # "council_plan": the Stockton Council Plan narrative export
    council = "Anytown Borough Council"
    # title = "Corporate performance"     optional: what the report is called (default "Performance indicators")
    # measure_word = "Measure"           optional: the report's heading for the indicator column
    # group_word = "service"             optional: what the report calls the groups of the directorate column
    # default_polarity = "higher"        optional: the polarity of every row that does not give its own
    # numbered = true                    optional: the organisation names its statuses 1-4 too ("status 1 or 2")
    # year_start = "July"                optional: the month its financial year starts in (default April)
    # organisation = "E06000004"         optional: its code in a comparison dataset (--organisation)
    # ref_pattern = "^[A-Z]{2}\\d{2}$"   optional: rows whose ref does not match are findings
    # derive_status = true               optional: no status column; the status comes from the figures
    # reviewed = false                   written by `python -m pipeline layout`: cleaning says so until edited

    [columns]                       # pipeline field = the export's header, as written
    ref = "KPI Ref"
    measure = "Indicator"

    [status]                        # the export's words -> 1 met, 2 on track, 3 slipped, 4 not achieved; "" not assessed
    "Green" = 1

    [polarity]                      # the export's words -> "higher" or "lower" is better
    "High" = "higher"

    [directorates]                  # optional: a directorate's code -> its full name
    [benchmark]                     # optional: ref = the comparison dataset's measure code it is compared on

A layout of ``kind = "council_plan"`` is the built-in profile of Stockton's Council Plan export (``stockton``),
with this file's council name, directorates, year start and comparison links. ``read_layout`` raises InputError
naming the file (and line) for anything it cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import regex
from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from pipeline.errors import InputError
from pipeline.read.toml_schema import Strict, line_holding, load_toml, validated
from pipeline.schema import Scale

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
Field_ = Literal[tuple(FIELDS)]  # type: ignore[valid-type]
DERIVED_STATUS = {
    1: "Target met (derived from the figures)",
    3: "Missed within tolerance (derived from the figures)",
    4: "Missed beyond tolerance (derived from the figures)",
}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip


class LayoutHead(Strict):
    """``[layout]``: what the organisation calls things, and how its export is read."""

    kind: StrictStr = Field("table", description='"table" or "council_plan"')
    council: StrictStr = Field("", description="text in quotes")
    ref_pattern: StrictStr = Field("", description="text in quotes")
    derive_status: StrictBool = Field(False, description="true or false (without quotes)")
    reviewed: StrictBool = Field(True, description="true or false (without quotes)")
    default_polarity: Literal["", "higher", "lower"] = Field("", description='"higher" or "lower"')
    measure_word: StrictStr = Field("", description="text in quotes")
    group_word: StrictStr = Field("", description="text in quotes")
    group_plural: StrictStr = Field("", description="text in quotes")
    title: StrictStr = Field("", description="text in quotes")
    numbered: StrictBool = Field(False, description="true or false (without quotes)")
    year_start: StrictInt | StrictStr = Field(4, description='a month: its number (7) or its name ("July")')
    organisation: StrictStr = Field("", description="text in quotes")

    @field_validator("year_start")
    @classmethod
    def _month(cls, value):
        if isinstance(value, int) and 1 <= value <= 12:
            return value
        if isinstance(value, str):
            for number, month in enumerate(MONTHS, start=1):
                if value.strip().lower() in (month, month[:3]):
                    return number
        raise ValueError("not a month")


class SpcSettings(Strict):
    """``[spc]``: how every indicator's SPC chart is drawn (a register row may set its own)."""

    minimum: int = Field(13, ge=2, le=100, description="a whole number from 2 to 100")
    shift: int = Field(6, ge=4, le=12, description="a whole number from 4 to 12")
    trend: int = Field(6, ge=4, le=12, description="a whole number from 4 to 12")


class LayoutFile(Strict):
    """A layout file: its sections, each a table of the keys declared here."""

    layout: LayoutHead = LayoutHead()
    columns: dict[Field_, StrictStr] = {}
    status: dict[str, Literal[1, 2, 3, 4, ""]] = {}
    polarity: dict[str, Literal["higher", "lower"]] = {}
    directorates: dict[str, StrictStr] = {}
    benchmark: dict[str, StrictStr] = {}
    history: dict[str, StrictStr] = {}
    spc: SpcSettings = SpcSettings()


# The words of each check that fails (``toml_schema.describe``): by field, by section and error, by section.
WORDS = {
    "extra": "has unknown section(s) [{section}]; a layout has [layout], [columns], [status], [polarity], "
    "[directorates], [benchmark], [history] and [spc]",
    "layout:extra": "[layout] has unknown key(s) {key}; known: " + ", ".join(sorted(LayoutHead.model_fields)),
    "layout.kind": "kind {value!r} is not one of table, council_plan",
    "layout.year_start": 'year_start {value!r} is not a month: write its number (7) or its name ("July")',
    "layout.default_polarity": 'default_polarity must be "higher" or "lower"',
    "columns:literal_error": "[columns] maps {key!r}, which is not a pipeline field; fields: " + ", ".join(FIELDS),
    "columns:extra": "[columns] maps {key!r}, which is not a pipeline field; fields: " + ", ".join(FIELDS),
    "columns": "[columns] {key} must be the export's header as text",
    "status": '[status] {key!r} = {value!r}: use 1 (met), 2 (on track), 3 (slipped), 4 (not achieved) or "" '
    "(not assessed)",
    "polarity": '[polarity] {key!r} = {value!r}: use "higher" or "lower"',
    "directorates": "[directorates] {key!r} must be the full name as text",
    "benchmark": "[benchmark] {key!r} must be the comparison measure's code as text",
    "history": "[history] {key!r} must be the export's header of that period's actual, as text",
    "spc:extra": "[spc] has unknown key(s) {key}; known: minimum, shift, trend",
    "spc.minimum": "[spc] minimum must be a whole number from 2 to 100 (the points a chart needs for limits)",
    "spc.shift": "[spc] shift must be a whole number from 4 to 12 (Making Data Count: 6 or 7)",
    "spc.trend": "[spc] trend must be a whole number from 4 to 12 (Making Data Count: 6 or 7)",
}
for _key, _field in LayoutHead.model_fields.items():
    WORDS.setdefault(f"layout.{_key}", f"[layout] {_key} must be {_field.description}")


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
    organisation: str = ""  # its code in a comparison dataset (``--organisation`` overrides it)
    benchmark: dict = field(default_factory=dict)  # ref -> the comparison dataset's measure code it is compared on
    group_word: str = ""  # what the organisation calls a group of its directorate column (service, agency, trust)
    group_plural: str = ""  # and several of them, where not the word with an s
    history: dict = field(default_factory=dict)  # an earlier period (its label) -> the column holding its actual
    spc: dict = field(default_factory=dict)  # [spc]: minimum, shift, trend (Making Data Count's 13, 6, 6)

    @property
    def measure_heading(self) -> str:
        """The heading of the column that names each indicator, in the organisation's words: ``measure_word``,
        else the export's own header of the measure column, else "Indicator"."""
        return self.measure_word or self.columns.get("measure") or "Indicator"

    @property
    def group_name(self) -> str:
        """What the organisation calls one group of its directorate column (a service, an agency, a trust): the
        layout's ``group_word``, else the column's own header where it is a word or two, else "group"."""
        if self.group_word:
            return self.group_word
        header = " ".join(self.columns.get("directorate", "").split())
        return header.lower() if header and len(header.split()) <= 2 and len(header) <= 24 else "group"

    @property
    def group_names(self) -> str:
        """Several of its groups: the layout's ``group_plural``, else the group's word made plural."""
        if self.group_plural:
            return self.group_plural
        word = self.group_name
        if word.endswith("y") and word[-2:-1] not in "aeiou":
            return word[:-1] + "ies"
        return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")

    @property
    def has_commentary(self) -> bool:
        """Whether the export has a column of commentary (progress notes, or a remedial action)."""
        return bool({"progress", "remedial"} & set(self.columns))

    @property
    def labels(self) -> Scale:
        """The organisation's status scale: its own words for each code (codes it does not use are left out),
        or the derived statuses."""
        if self.derive_status:
            return Scale(DERIVED_STATUS)
        words = {code: [readable(w) for w in self.words[code]] for code in sorted(self.words)}
        return Scale({code: " / ".join(w) for code, w in words.items()}, self.numbered, words)

    @property
    def reader(self):
        """The reader of the layout's kind (``readers.Reader``): ``layout.reader.read(raw, name, layout, year)``."""
        from pipeline.read.readers import reader_of

        return reader_of(self.kind)

    @property
    def source_word(self) -> str:
        """Where the figures are read from: the export's ``text`` (a narrative export) or its ``columns``."""
        return self.reader.figures_from

    @property
    def has_summary(self) -> bool:
        """Whether the organisation's exports end with a summary of their own (to check the figures against)."""
        return self.reader.has_summary

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


def readable(word: str) -> str:
    """A status word as a committee reads it: a code written with underscores (``moderate_progress``,
    ``NOT_MET``) with spaces and in sentence case, so that print never breaks it inside a word; any other word as
    the organisation writes it."""
    if "_" not in word:
        return word
    spaced = " ".join(word.replace("_", " ").split())
    if spaced.islower() or spaced.isupper():
        return spaced[:1].upper() + spaced[1:].lower()
    return spaced


def read_layout(data: bytes, name: str) -> Layout:
    """Read an export's layout file (``LayoutFile``). Raises InputError naming ``name`` (and the line) when it is
    not TOML, a section or key is unknown or of the wrong type, ``ref`` or ``measure`` is not mapped, two fields
    read one column, a status or polarity word is given twice with two meanings, or ``ref_pattern`` is not a
    regular expression."""
    from pipeline.read.readers import reader_of

    doc, text = load_toml(data, name)
    checked = validated(LayoutFile, doc, text, name, WORDS)
    head = checked.layout
    if head.kind not in _kinds():
        raise InputError(WORDS["layout.kind"].format(value=head.kind), name, line_holding(text, "kind"))
    directorates = {str(k).strip(): str(v).strip() for k, v in checked.directorates.items()}
    linked = {str(k).strip(): str(v).strip() for k, v in checked.benchmark.items()}
    for ref, code in linked.items():
        if not code:
            raise InputError(WORDS["benchmark"].format(key=ref), name, line_holding(text, ref))
    common = dict(source=name, directorates=directorates, year_start=head.year_start, benchmark=linked)
    common |= dict(organisation=head.organisation, group_word=head.group_word, group_plural=head.group_plural)
    common |= dict(history=_history(checked.history, text, name), spc=checked.spc.model_dump())
    profile = reader_of(head.kind).profile
    if profile is not None:  # one organisation's own kind of export: its profile, with this file's particulars
        return replace(profile, council=head.council or profile.council, **common)
    _check_columns(checked.columns, text, name)
    status, words = _status_words(checked.status, text, name)
    _check_pattern(head, checked.columns, text, name)
    return Layout(
        kind=head.kind,
        council=head.council,
        columns=dict(checked.columns),
        status=status,
        polarity=_polarity_words(checked.polarity, text, name),
        ref_pattern=head.ref_pattern,
        derive_status=head.derive_status,
        reviewed=head.reviewed,
        words=words,
        default_polarity=head.default_polarity,
        measure_word=head.measure_word,
        report_title=head.title,
        numbered=head.numbered,
        **common,
    )


def _history(given: dict, text: str, name: str) -> dict:
    """``[history]``: each earlier period (in the layout's notation: 2021/22, 2021/22 Q3, 2021) -> the column that
    holds its actual. Raises InputError for a period in no notation the pipeline reads."""
    from pipeline.period import period_key, period_label

    out = {}
    for period, column in given.items():
        key = period_key(period)
        if key is None or not column.strip():
            raise InputError(
                f"[history] {period!r} is not a period in a notation the pipeline reads (2021/22, 2021/22 Q3, 2021)",
                name,
                line_holding(text, period),
            )
        bare = key[1] == 0 and period.strip().isdigit()  # a calendar year as the layout writes it: 2021
        out[period.strip() if bare else period_label(key)] = column
    return out


def _kinds() -> tuple[str, ...]:
    from pipeline.read.readers import readers

    return tuple(readers())


def _check_columns(columns: dict, text: str, name: str) -> None:
    """Each field reads a column of its own, and ``ref`` and ``measure`` are mapped."""
    mapped: dict[str, str] = {}
    for key, header in columns.items():
        if not header.strip():
            raise InputError(WORDS["columns"].format(key=key), name, line_holding(text, key))
        same = " ".join(header.split()).lower()
        if same in mapped:
            raise InputError(
                f"[columns] {mapped[same]} and {key} both read the column {header!r}: each field reads a column of "
                "its own",
                name,
                line_holding(text, key),
            )
        mapped[same] = key
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise InputError(f"[columns] must map {' and '.join(missing)} (the only required fields)", name)


def _status_words(given: dict, text: str, name: str) -> tuple[dict, dict]:
    """The status words by their lower-cased form -> code (None: not assessed), and each code's words as
    written. Raises InputError for one word given twice with two meanings."""
    status, words = {}, {}
    for word, code in given.items():
        key = " ".join(word.split()).lower()
        meaning = None if code == "" else code
        if key in status and status[key] != meaning:
            raise InputError(
                f"[status] {word!r} is the word {key!r} again (case and spaces aside) with another meaning: "
                "one word, one meaning",
                name,
                line_holding(text, word),
            )
        if meaning is not None and key not in status:
            words.setdefault(meaning, []).append(" ".join(word.split()))
        status[key] = meaning
    return status, words


def _polarity_words(given: dict, text: str, name: str) -> dict:
    polarity = {}
    for word, value in given.items():
        key = " ".join(word.split()).lower()
        if polarity.get(key, value) != value:
            raise InputError(
                f"[polarity] {word!r} is the word {key!r} again with another meaning: one word, one meaning",
                name,
                line_holding(text, word),
            )
        polarity[key] = value
    return polarity


def _check_pattern(head: LayoutHead, columns: dict, text: str, name: str) -> None:
    try:
        ref_matcher(head.ref_pattern)
    except regex.error as exc:
        raise InputError(
            f"ref_pattern {head.ref_pattern!r} is not a regular expression ({exc})",
            name,
            line_holding(text, "ref_pattern"),
        ) from None
    if head.derive_status and "status" in columns:
        raise InputError(
            "derive_status = true needs no status column: remove one of them", name, line_holding(text, "derive_status")
        )


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
