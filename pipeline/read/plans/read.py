"""Service Improvement Plans: dated milestones, and the Medium Term Financial Plan's budget table.

The plans were exported from PDF and come in two layouts, sometimes both in one file:
tab-separated rows (Key actions | By when | Outcomes and Success Criteria) whose cells wrap onto the
following lines, and one cell per line with numbered actions ("CP1.2. ...") followed by their date
and outcomes. Both are read into one table of milestones: plan, theme, priority, group, action,
due_text, due_date (the end of the stated month, season or range; empty when the text is not a date),
success_criteria, source_line. What cannot be placed is a data-quality finding, never a guess.

Inside a priority, a row may name a group of actions rather than be one: it has no date of its own
(an empty cell, a bullet, or its own text wrapped on into the date column, "... NE initia | ative")
and the row after it starts a dated action. Such a row is a heading: it becomes the ``group`` of the
actions below it, and never part of an action or of a due date.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline.read.plans.budget import BUDGET_COLUMNS, read_budget
from pipeline.read.plans.dates import due_dates
from pipeline.schema import findings_frame

MILESTONE_COLUMNS = [
    "plan",
    "theme",
    "priority",
    "group",
    "action",
    "due_text",
    "due_date",
    "success_criteria",
    "source_line",
]

_HEADERS = ("key actions", "by when", "outcomes and success criteria")
_ACTION_ID = re.compile(r"^[A-Z]{1,4}\d+\.\d+\.?\s+\S")
_EMPTY = {"", "\u00a0", "·", "•", "-", "\u2013"}
_NOT_A_DATE = re.compile(r"ongoing|annually|in line with|as required|throughout|continuous|tbc|to be confirmed", re.I)
# A date cell cut short at a line end: a month or season whose year is on the next line ('February' / '2009').
_PARTIAL_DATE = re.compile(
    r"^(?:by\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|spring|summer|autumn|"
    r"winter|end\s+of)[a-z]*\.?$",
    re.I,
)
_BULLETS = {"\u2022", "\u00b7", "\u25cf", "-", "\u2013"}


@dataclass(frozen=True)
class CleanedPlan:
    plan: str
    milestones: pd.DataFrame
    budget: pd.DataFrame
    findings: pd.DataFrame


@dataclass
class _Milestone:
    cells: list[str]
    line: int
    theme: str
    priority: str
    success: list[str] = field(default_factory=list)
    group: str = ""
    heading_text: str = ""  # set while the row may be a group heading: its text with the wrapped fragment joined


@dataclass
class _Groups:
    """The group heading in force, and the headings found (for the data-quality table)."""

    current: str = ""
    priority: str = ""
    found: list[tuple[int, str]] = field(default_factory=list)


def looks_like_plan(text: str) -> bool:
    """True for a Service Improvement Plan (rather than a Council Plan export)."""
    head = text[:20000].lower()
    return "service improvement plan" in head or ("development priority" in head and "by when" in head)


def _is_header(cell: str) -> bool:
    """'Key actions', 'By when', ... and their PDF-garbled forms ('Kov gotions Py whon')."""
    text = " ".join(cell.lower().replace("*", " ").split())
    if any(h in text for h in _HEADERS):
        return True
    return any(
        difflib.SequenceMatcher(None, text, h).ratio() >= 0.6
        for h in ("key actions by when", "key actions by when outcomes and success criteria", *_HEADERS)
    )


def plan_name(lines: list[str]) -> str:
    """The service the plan belongs to: the line under 'Service Improvement Plan', or 'the X Service Improvement Plan'."""
    for i, line in enumerate(lines[:15]):
        if line.strip().lower().startswith("service improvement plan"):
            names = [
                raw.strip() for raw in lines[i + 1 : i + 12] if raw.strip() and not re.match(r"^\d{4}", raw.strip())
            ]
            return " – ".join(names[:2]) if len(names) > 1 and not names[1].lower().startswith("theme") else names[0]
    m = re.search(r"the ([A-Z][\w ,&]+?) Service Improvement Plan", "\n".join(lines))
    return m.group(1).strip() if m else ""


def clean_plan(text: str, name: str) -> CleanedPlan:
    """Read milestones and (when there is one) the budget table from a plan's text.

    ``name`` is the file name used in findings. Returns a CleanedPlan; never raises on odd rows.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    plan = plan_name(lines)
    findings: list[tuple] = []
    milestones: list[_Milestone] = []
    groups = _Groups()
    theme = priority = ""
    theme_follows = False
    in_table = False
    budget_start = next((i for i, line in enumerate(lines) if line.strip() == "Medium Term Financial Plan"), None)
    for number, line in enumerate(lines[:budget_start] if budget_start is not None else lines, start=1):
        cells = [c.strip() for c in line.split("\t")]
        filled = [c for c in cells if c not in _EMPTY]
        if not filled:
            continue
        joined = " ".join(filled)
        if re.match(r"^(section \d+|foreword)\b", joined, re.I):
            in_table = False
            continue
        if theme_follows:
            # 'Theme:' stood alone on the line above: this line is the theme's name, not a table row
            theme, theme_follows, in_table = " ".join(joined.split()).rstrip(". "), False, False
            continue
        if "Theme:" in joined or "Development Priority" in joined:
            if milestones and milestones[-1].heading_text:
                milestones[-1].heading_text = ""  # a heading candidate never reaches across a new priority
            theme_follows = joined.strip() == "Theme:"
            theme, priority = _headings(joined, theme, priority)
            if "Development Priority" in joined or theme_follows:
                in_table = False
            if _is_header(joined) and len(joined) > 200:
                findings.append(
                    (
                        number,
                        priority,
                        "flattened_table",
                        "a whole table of key actions was exported as one line; its actions and dates "
                        "cannot be told apart",
                        "no milestones read from this line: add them by hand",
                    )
                )
            continue
        if (
            _is_header(filled[0])
            and not filled[0].lower().startswith("outcomes")
            and (len(filled) >= 2 or "action" in filled[0].lower() or "gotions" in filled[0].lower())
        ):
            in_table = True  # 'Key actions | By when | ...' (or one cell per line: 'Key actions', then 'By when')
            continue
        if not in_table:
            continue
        if all(re.fullmatch(r"-{3,}", c) for c in filled) or re.fullmatch(r"[A-Z][A-Z &/-]{3,}", joined):
            in_table = False  # an empty table's dashes, or the capitalised headings of the narrative after it
            continue
        if len(filled) == 1 and _is_header(joined) and len(joined) < 40:
            continue  # the rest of a header given one cell per line ('By when', 'Outcomes and Success Criteria')
        if re.match(r"^(outcomes|success criteria)$", joined, re.I):
            continue
        if groups.priority != priority:
            groups.current, groups.priority = "", priority
        _table_line(milestones, cells, filled, number, theme, priority, groups)
    return _plan_tables(plan, name, lines, budget_start, milestones, groups, findings)


def _plan_tables(plan: str, name: str, lines, budget_start, milestones, groups, findings: list) -> CleanedPlan:
    """The plan's milestones, its budget table (read from ``budget_start`` when there is one) and every finding."""
    for line, heading in groups.found:
        findings.append(
            (
                line,
                "",
                "group_heading",
                f"row names a group of actions with no date of its own: {heading!r}",
                "kept as the group of the actions below it, not as an action or a date",
            )
        )
    rows = []
    for m in milestones:
        rows += _finish(m, plan, findings, name)
    frame = pd.DataFrame(rows, columns=MILESTONE_COLUMNS)
    frame["source_line"] = frame["source_line"].astype("int64")
    budget, budget_findings = (
        read_budget(lines, budget_start) if budget_start is not None else (pd.DataFrame(columns=BUDGET_COLUMNS), [])
    )
    findings += budget_findings
    finding_frame = findings_frame(findings)
    return CleanedPlan(
        plan, frame, budget, finding_frame.sort_values("source_line", kind="stable").reset_index(drop=True)
    )


def _headings(text: str, theme: str, priority: str) -> tuple[str, str]:
    text = text.replace("**", " ")
    m = re.search(r"Theme:\s*(.+?)(?=Development Priority|$)", text)
    if m:
        theme = " ".join(m.group(1).split()).rstrip(". ")
    m = re.search(r"Development Priority:\s*(.+?)(?=\s*Key actions|$)", text, re.I)
    if m:
        priority = " ".join(m.group(1).split()).rstrip(". ")
    return theme, priority


def _is_date_cell(cell: str) -> bool:
    return bool(due_dates(cell)) or bool(_NOT_A_DATE.search(cell)) or bool(re.match(r"^(by\s+)?\d{4}\.?$", cell, re.I))


def _joined_fragment(head: str, tail: str) -> str:
    """A cell's text wrapped on into the next column(s) by the PDF export: 'NE initia' + 'tives in the NE' ->
    'NE initiatives in the NE'. A letter repeated across the cut ('initia' + 'ative') is written once."""
    if not tail:
        return head
    if head[-1:].islower() and tail[:1].islower():
        return head + (tail[1:] if head[-1] == tail[0] else tail)
    return f"{head} {tail}"


def _heading_candidate(cells: list[str]) -> str:
    """The text of a row that may name a group of actions: a capitalised first cell with no date of its own
    (an empty cell or a bullet, or a lower-case fragment of its own text wrapped on into the date column).
    Returns the heading's text, or "" when the row is not such a candidate."""
    first, rest = cells[0], [c for c in cells[1:] if c not in _EMPTY and c not in _BULLETS]
    if not first[:1].isupper() or _ACTION_ID.match(first):
        return ""
    if not rest:
        return first
    if rest[0][:1].islower() and not _is_date_cell(rest[0]):
        text = first
        for fragment in rest:
            text = _joined_fragment(text, fragment)
        return text
    return ""


def _has_date(cells: list[str]) -> bool:
    return len(cells) > 1 and cells[1] not in _EMPTY and bool(due_dates(cells[1]))


def _table_line(
    milestones: list[_Milestone],
    cells: list[str],
    filled: list[str],
    number: int,
    theme: str,
    priority: str,
    groups: _Groups | None = None,
) -> None:
    groups = groups if groups is not None else _Groups()
    last = milestones[-1] if milestones else None
    if last is not None and last.heading_text:
        starts_action = cells[0][:1].isupper() and _has_date(cells)
        if starts_action:
            # the row above named a group of actions: it is a heading, not an action
            milestones.pop()
            groups.current = last.heading_text
            groups.found.append((last.line, last.heading_text))
            last = milestones[-1] if milestones else None
        else:
            last.heading_text = ""
    if len(filled) == 1 and len(cells) <= 2:
        # one cell per line: numbered actions, then their date, then outcome lines
        cell = filled[0]
        if _ACTION_ID.match(cell):
            milestones.append(_Milestone([cell, ""], number, theme, priority, group=groups.current))
        elif last is not None and last.cells[1] == "" and _is_date_cell(cell) and _ACTION_ID.match(last.cells[0]):
            last.cells[1] = cell
        elif last is not None and _ACTION_ID.match(last.cells[0]):
            last.success.append(cell.lstrip("·• ").strip())
        elif last is not None and cell[:1].islower():
            last.cells[0] += " " + cell
        else:
            milestones.append(_Milestone([cell, ""], number, theme, priority, group=groups.current))
        return
    cells = (cells + ["", "", ""])[: max(3, len(cells))]
    # an action whose date cell ends in a month or season continues on the next line, where the year is
    due_incomplete = last is not None and bool(_PARTIAL_DATE.match(last.cells[1]))
    continues = last is not None and (cells[0][:1].islower() or cells[0] == "" or due_incomplete)
    if continues:
        # a wrapped row: each cell continues the cell above it
        while len(last.cells) < 3:
            last.cells.append("")
        for i, cell in enumerate(cells[:3]):
            if cell not in _EMPTY:
                last.cells[i] = (last.cells[i] + " " + cell).strip()
        if len(cells) > 3:
            last.success += [c for c in cells[3:] if c not in _EMPTY]
        return
    heading = _heading_candidate(cells)
    if heading:
        milestones.append(
            _Milestone([cells[0], "", ""], number, theme, priority, group=groups.current, heading_text=heading)
        )
        return
    milestones.append(
        _Milestone(
            [cells[0], cells[1] if cells[1] not in _EMPTY else "", " ".join(c for c in cells[2:] if c not in _EMPTY)],
            number,
            theme,
            priority,
            group=groups.current,
        )
    )


def _finish(m: _Milestone, plan: str, findings: list, name: str) -> list[tuple]:
    action = " ".join(m.cells[0].split())
    due_text = " ".join(m.cells[1].split())
    success = " ".join(" ".join([m.cells[2] if len(m.cells) > 2 else ""] + m.success).split())
    base = (plan, m.theme, m.priority, m.group)
    dates = due_dates(due_text)
    if re.search(r"\bonwards\b", due_text, re.I):
        findings.append(
            (m.line, m.priority, "due_open_ended", f"'{due_text}' names a start, not a deadline", "due date left empty")
        )
        return [base + (action, due_text, "", success, m.line)]
    distinct = list(dict.fromkeys(d.date for d in dates))
    if len(distinct) <= 1:
        due = distinct[0].isoformat() if distinct else ""
        if due_text and not distinct and not _NOT_A_DATE.search(due_text):
            findings.append(
                (
                    m.line,
                    m.priority,
                    "due_not_a_date",
                    f"'{due_text}' is not a date",
                    "kept as text; due date left empty",
                )
            )
        return [base + (action, due_text, due, success, m.line)]
    parts = [p.strip() for p in re.split(r"(?<=[.;])\s+(?=[A-Z])", action) if p.strip()]
    if len(parts) == len(distinct):
        findings.append(
            (
                m.line,
                m.priority,
                "split_actions",
                f"{len(parts)} actions and {len(distinct)} dates in one row",
                "split into one milestone per action, in order",
            )
        )
        return [
            base + (part, d.isoformat() and due_text, d.isoformat(), success, m.line)
            for part, d in zip(parts, distinct)
        ]
    findings.append(
        (
            m.line,
            m.priority,
            "dates_unpaired",
            f"{len(distinct)} dates ({', '.join(d.text for d in dates)}) for "
            f"{len(parts)} action(s); which date belongs to which action is not clear",
            "due date left empty; due text kept",
        )
    )
    return [base + (action, due_text, "", success, m.line)]
