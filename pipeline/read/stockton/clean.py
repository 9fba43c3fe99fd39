"""Cleaning: raw rows of a Council Plan export become one tidy row per indicator.

What the export looks like, and what is done with it:

* the header row repeats at every page break, with blank lines and a row of
  dashes around it: skipped;
* heading rows hold one cell. Two headings in a row are a section then a
  theme ("Stockton Borough - the Place", "Economic Regeneration and
  Transport"); a single heading is a theme. Numbered headings
  ("1. Promote a sustainable ...") are objectives;
* an empty action cell continues the action above it in the same objective
  (merged cells in the source); ``action_line`` says where the text came from;
* a row with an empty Ref continues the indicator above: it becomes a further
  ``part`` of that indicator, with its own measure and status;
* HTML fragments in cells become plain text;
* status 1-4 becomes ``status_code`` and its label; blanks and free text are
  kept as text (``status_kind`` ``blank``/``text``) and counted apart;
* a row shifted right by one column is realigned;
* the Key and the export's own summary at the end are read into
  ``export_summary`` (label, value, source line), never into the figures;
* invisible and bidirectional-control characters (zero-width spaces, right-to-left
  overrides, ...) are removed from every cell, so that "RES" and "RES\u200b" are one
  directorate, and the row is recorded.

Every anomaly becomes a row of the data-quality table (``findings``).
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.errors import InputError, NotAnExportError
from pipeline.read.ingest import LIMITS
from pipeline.read.stockton.words import STATUS_LABELS
from pipeline.read.text import Cleaned, markup_depth, plain_text, strip_invisible
from pipeline.schema import (
    SUMMARY_COLUMNS,
    findings_frame,
    indicator_frame,
)

# Header cells are recognised by what they say, so a re-ordered or re-titled
# export ("Progress during 2012/13", "Quarter 1 Progress Indicator") still reads.
_HEADER_FIELDS = [
    ("ref", re.compile(r"^ref\b")),
    ("action", re.compile(r"priority action|change\s*/\s*improvement")),
    ("measure", re.compile(r"outcome|success criteria")),
    ("directorate", re.compile(r"responsib|directorate|lead")),
    ("status", re.compile(r"progress indicator|status")),
    ("remedial", re.compile(r"slippage|remedial")),
    ("progress", re.compile(r"^progress|commentary")),
]
_REQUIRED = ["ref", "action", "measure", "directorate", "status", "progress", "remedial"]
_HEADER_SEARCH_ROWS = 60

_REF = re.compile(r"^\d{1,3}\.\d{1,3}[a-z]?$")
_OBJECTIVE = re.compile(r"^(\d{1,3})\.\s+(\S.*)$", re.DOTALL)
_DASHES = re.compile(r"^-{3,}$")
_DIRECTORATE = re.compile(r"^[A-Z][A-Za-z&]{1,9}(\s*/\s*[A-Z][A-Za-z&]{1,9})*$")
_SUMMARY_VALUE = re.compile(r"^\d[\d,]*(\.\d+)?%?$")


def find_header(raw: pd.DataFrame, name: str) -> tuple[int, dict[str, int]]:
    """Locate the header row and map each field to its column.

    Returns the row position in ``raw`` and ``{field: column index}``.
    Raises NotAnExportError when no Council Plan header is found.
    """
    cell_cols = [c for c in raw.columns if c.startswith("c") and c[1:].isdigit()]
    for pos in range(min(len(raw), _HEADER_SEARCH_ROWS)):
        row = [str(raw.iat[pos, raw.columns.get_loc(c)]) for c in cell_cols]
        if not row or not _HEADER_FIELDS[0][1].search(_norm(row[0])):
            continue
        mapping: dict[str, int] = {}
        for idx, cell in enumerate(row):
            text = _norm(cell)
            for field, pattern in _HEADER_FIELDS:
                if field not in mapping and pattern.search(text):
                    mapping[field] = idx
                    break
        missing = [f for f in _REQUIRED if f not in mapping]
        if missing:
            raise NotAnExportError(
                "header row lacks the Council Plan column(s) "
                + ", ".join(missing)
                + "; expected Ref. | Change/Improvement Priority Actions | Outcome/Success Criteria | "
                "Responsibility | Progress Indicator | Progress | Slippage/Remedial action required",
                name,
                int(raw["source_line"].iat[pos]),
            )
        return pos, mapping
    seen = max(
        (
            [str(c).strip() for c in raw.iloc[pos][cell_cols] if str(c).strip()]
            for pos in range(min(len(raw), _HEADER_SEARCH_ROWS))
        ),
        key=len,
        default=[],
    )
    raise NotAnExportError(
        f"no Council Plan header row (Ref. | Change/Improvement Priority Actions | ...) in the first "
        f"{_HEADER_SEARCH_ROWS} lines; headers seen: {', '.join(seen[:12]) or 'none'}. For another "
        "organisation's export, write a layout: python -m pipeline layout FILE",
        name,
    )


def clean_export(raw: pd.DataFrame, name: str) -> Cleaned:
    """Clean the raw rows of one export (see the module docstring for the rules).

    ``raw`` comes from ``ingest.parse_export``; ``name`` is the file name used in messages.
    Raises NotAnExportError when the rows hold no Council Plan header.
    """
    header_pos, cols = find_header(raw, name)
    width = max(cols.values()) + 1
    cells = raw.drop(columns=["source_line", "n_cells"]).astype(str).values.tolist()
    lines = raw["source_line"].astype(int).tolist()
    lengths = raw["n_cells"].astype(int).tolist()
    state = _State()
    for pos in range(header_pos + 1, len(cells)):
        row = _visible_cells(state, lines[pos], cells[pos][: lengths[pos]], cols, name)
        _clean_row(state, lines[pos], row, cols, width)
    if not state.in_key:
        last = lines[-1] if lines else 0
        state.find(
            last,
            None,
            "no_summary",
            f"the export ends at line {last} without its Key and summary",
            "may be truncated: counted the rows that are there; no export summary to check against",
        )
    preamble = [" ".join(c.strip() for c in row if c.strip()) for row in cells[:header_pos]]
    return Cleaned(
        preamble="\n".join(line for line in preamble if line),
        indicators=indicator_frame(state.indicators),
        findings=findings_frame(state.findings),
        export_summary=pd.DataFrame(state.summary, columns=SUMMARY_COLUMNS).astype({"source_line": "int64"}),
    )


class _State:
    """Where the reader is: current headings, action, and what it has collected."""

    def __init__(self):
        self.section = ""
        self.theme = ""
        self.objective_no: int | None = None
        self.objective = ""
        self.objectives: dict[int, str] = {}
        self.action = ""
        self.action_line: int | None = None
        self.pending_heading: tuple[int, str] | None = None
        self.indicators: list[dict] = []
        self.parts: dict[str, int] = {}
        self.findings: list[tuple] = []
        self.summary: list[tuple] = []
        self.in_key = False

    def find(self, line, ref, check, finding, action_taken):
        self.findings.append((line, ref or "", check, finding, action_taken))


def _visible_cells(state: "_State", line: int, row: list[str], cols: dict[str, int], name: str) -> list[str]:
    """The row's cells stripped, without invisible characters (recorded), with the nesting of markup bounded."""
    out, touched = [], []
    for index, cell in enumerate(row):
        if "<" in cell and markup_depth(cell) > LIMITS.markup_depth:
            raise InputError(
                f"a cell nests {markup_depth(cell)} HTML elements, over the limit of "
                f"{LIMITS.markup_depth}; is the export damaged?",
                name,
                line,
            )
        if cell.isascii():  # every invisible character is outside ASCII: most cells need no search
            out.append(cell.strip())
            continue
        text, removed = strip_invisible(cell)
        if removed:
            field = next((f for f, i in cols.items() if i == index), f"column {index + 1}")
            touched.append(f"{field} ({removed})")
        out.append(text.strip())
    if touched:
        ref = out[cols["ref"]] if cols["ref"] < len(out) else ""
        state.find(
            line,
            ref if _REF.match(ref) else "",
            "invisible_characters",
            "invisible or bidirectional-control characters in " + ", ".join(touched),
            "removed, so that names that look alike are the same name",
        )
    return out


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def _clean_row(state: _State, line: int, row: list[str], cols: dict[str, int], width: int) -> None:
    filled = [c for c in row if c]
    if not filled or all(_DASHES.match(c) for c in filled):
        return
    first = row[0]
    if _HEADER_FIELDS[0][1].search(_norm(first)) and len(filled) >= 3:
        return  # header repeated at a page break
    if state.in_key or (_norm(first) == "key" and len(filled) == 1):
        state.in_key = True
        _key_row(state, line, row)
        return
    if len(filled) == 1 and first:
        _heading_row(state, line, first)
        return
    if state.pending_heading:
        _settle_heading(state, as_section=False)
    if first and not _REF.match(first):
        state.find(
            line,
            None,
            "unrecognised_row",
            f"row starts with {first[:60]!r}, which is neither a Ref nor a heading",
            "skipped: check the export at this line",
        )
        return
    _indicator_row(state, line, row, cols, width)


def _heading_row(state: _State, line: int, text: str) -> None:
    m = _OBJECTIVE.match(text)
    if m:
        if state.pending_heading:
            _settle_heading(state, as_section=False)
        state.objective_no = int(m.group(1))
        state.objective = " ".join(m.group(2).split())
        state.objectives.setdefault(state.objective_no, state.objective)
        state.action, state.action_line = "", None
        return
    if state.pending_heading:
        _settle_heading(state, as_section=True)
    state.pending_heading = (line, plain_text(text)[0])


def _settle_heading(state: _State, as_section: bool) -> None:
    """A heading is a section when another heading follows it directly, else a theme."""
    _, text = state.pending_heading
    state.pending_heading = None
    if as_section:
        state.section = text
        state.theme = ""
    else:
        state.theme = text
    state.objective_no, state.objective = None, ""
    state.action, state.action_line = "", None


def _is_status(text: str) -> bool:
    return text in {"", "1", "2", "3", "4"} or (len(text) > 12 and not _DIRECTORATE.match(text))


def _realign(state: _State, line: int, row: list[str], cols: dict[str, int], width: int) -> list[str]:
    """Detect a row shifted right by one column (an empty cell after Ref) and shift it back."""
    after_ref = cols["ref"] + 1
    if len(row) <= after_ref or row[after_ref]:
        return row
    status = row[cols["status"]] if cols["status"] < len(row) else ""
    directorate = row[cols["directorate"]] if cols["directorate"] < len(row) else ""
    spills = any(row[width:])
    looks_shifted = bool(_DIRECTORATE.match(status)) and len(directorate) > 15
    if not (spills or looks_shifted):
        return row
    shifted = row[:after_ref] + row[after_ref + 1 :] + [""]
    new_status = shifted[cols["status"]] if cols["status"] < len(shifted) else ""
    if not _DIRECTORATE.match(shifted[cols["directorate"]]) or not _is_status(new_status):
        state.find(
            line,
            row[0],
            "misaligned_row",
            "row has more cells than the header or a directorate code in the status column, "
            "but shifting it back by one column does not line it up either",
            "read as it stands: check the export at this line",
        )
        return row
    state.find(
        line,
        row[0],
        "shifted_row",
        f"row shifted right by one column (directorate {status!r} stood in the status column)",
        "realigned: removed the empty cell after Ref",
    )
    return shifted


def _indicator_row(state: _State, line: int, row: list[str], cols: dict[str, int], width: int) -> None:
    present = min(len(row), width)
    row = _realign(state, line, row, cols, width)
    row = row + [""] * (width - len(row))
    ref = _row_ref(state, line, row[cols["ref"]])
    if ref is None:
        return
    texts = _row_texts(state, line, ref, row, cols, present, width)
    objective_no, objective = _objective_for(state, line, ref)
    code, status, kind = _status(texts["status"])
    if kind == "text":
        state.find(
            line,
            ref,
            "status_text",
            f"status is free text: {status!r}",
            "kept as text; counted apart from statuses 1-4",
        )
    elif kind == "blank":
        state.find(line, ref, "status_blank", "no status given", "counted apart from statuses 1-4 as 'No status given'")
    state.indicators.append(
        {
            "ref": ref,
            "part": state.parts[ref],
            "section": state.section,
            "theme": state.theme,
            "objective_no": objective_no,
            "objective": objective,
            "action": state.action,
            "measure": texts["measure"],
            "directorate": texts["directorate"],
            "status_code": code,
            "status": status,
            "status_kind": kind,
            "progress": texts["progress"],
            "remedial": texts["remedial"],
            "source_line": line,
            "action_line": state.action_line,
        }
    )


def _row_ref(state: _State, line: int, ref: str) -> str | None:
    """The row's ref: its own, or (a row with none) the indicator's above it, as a further part; None for a row
    with no ref and no indicator above it (skipped, with a finding)."""
    if not ref:
        if not state.indicators:
            state.find(
                line,
                None,
                "orphan_row",
                "row with no Ref and no indicator above it",
                "skipped: check the export at this line",
            )
            return None
        ref = state.indicators[-1]["ref"]
        state.find(
            line,
            ref,
            "continuation_row",
            f"row with no Ref below indicator {ref} (merged Ref cell in the source)",
            f"read as part {state.parts[ref] + 1} of {ref}, with its own measure and status",
        )
    elif ref in state.parts:
        state.find(
            line,
            ref,
            "duplicate_ref",
            f"Ref {ref} appears again (first at an earlier line)",
            f"kept as part {state.parts[ref] + 1} of {ref}",
        )
    state.parts[ref] = state.parts.get(ref, 0) + 1
    return ref


def _row_texts(state: _State, line: int, ref: str, row: list[str], cols: dict, present: int, width: int) -> dict:
    """The row's cells as plain text, with a finding for markup, a short row, no directorate, and no action (the
    action above it in the same objective carries down)."""
    texts, markup = {}, []
    for field in ("action", "measure", "directorate", "status", "progress", "remedial"):
        texts[field], had = plain_text(row[cols[field]])
        if had:
            markup.append(field)
    if markup:
        state.find(
            line,
            ref,
            "html_markup",
            "HTML markup in " + ", ".join(markup),
            "converted to plain text; no markup reaches the report",
        )
    if present < width:
        state.find(
            line,
            ref,
            "short_row",
            f"row has {present} of {width} columns",
            "missing cells left empty; the export may be truncated here",
        )
    if not texts["directorate"]:
        state.find(
            line,
            ref,
            "directorate_missing",
            "no directorate in the Responsibility column",
            "directorate left empty; shown as not given in the report",
        )

    if texts["action"]:
        state.action, state.action_line = texts["action"], line
    elif not state.action:
        state.find(
            line,
            ref,
            "action_missing",
            "no action text on this row and none above it in the same objective",
            "action left empty (in the source a merged action cell may hold its text lower down)",
        )
    return texts


def _objective_for(state: _State, line: int, ref: str) -> tuple[int | None, str]:
    number = int(ref.split(".")[0])
    if number == state.objective_no:
        return state.objective_no, state.objective
    if number in state.objectives:
        state.find(
            line,
            ref,
            "objective_mismatch",
            f"Ref {ref} stands under {_objective_name(state.objective_no)} "
            f"but its number belongs to objective {number}",
            f"filed under objective {number}, as its Ref says",
        )
        return number, state.objectives[number]
    state.find(
        line, ref, "objective_missing", f"no objective {number} heading precedes Ref {ref}", "objective left empty"
    )
    return None, ""


def _objective_name(number: int | None) -> str:
    return f"objective {number}" if number is not None else "no objective heading"


def _status(text: str) -> tuple[int | None, str, str]:
    if text in {"1", "2", "3", "4"}:
        return int(text), STATUS_LABELS[int(text)], "code"
    if not text:
        return None, "No status given", "blank"
    return None, text, "text"


def _key_row(state: _State, line: int, row: list[str]) -> None:
    """Rows of the Key: status labels, and the export's own summary figures."""
    filled = [(i, c) for i, c in enumerate(row) if c]
    if len(filled) >= 2 and filled[0][1] in {"1", "2", "3", "4"}:
        code, label = int(filled[0][1]), filled[1][1]
        if _norm(label) != _norm(STATUS_LABELS[code]):
            state.find(
                line,
                None,
                "key_label",
                f"the Key calls status {code} {label!r}",
                f"used the standard label {STATUS_LABELS[code]!r}",
            )
        filled = filled[2:]
    for (_, label), (_, value) in zip(filled, filled[1:]):
        if not _SUMMARY_VALUE.match(label) and _SUMMARY_VALUE.match(value.replace(" ", "")):
            state.summary.append((label, value.replace(" ", ""), line))
