"""Typed KPI tables: another organisation's export, read through its layout.

One row per indicator under a header row, perhaps with a title block above it. The layout names the
columns (``layout.columns``: pipeline field -> the export's header); the header row is the first of
the first 60 rows that holds every header the layout names. Figures are read from their own columns:
thousands separators, ``%``, currency signs, ``k``/``bn`` (and ``m`` after a currency sign), signs and
brackets for negatives. A cell in words (``Pending``, ``N/A``, ``No target``) leaves the figure empty
with the reason. Status words map to the pipeline's codes through ``layout.status`` and are kept as the
organisation wrote them; a word the layout does not map is kept as text (not assessed) and recorded.
"""

from __future__ import annotations

import pandas as pd

from pipeline.errors import NotAnExportError
from pipeline.read.layout import DERIVED_STATUS, Layout, readable, ref_matcher
from pipeline.read.table.numbers import _PERCENT_UNIT, parse_number
from pipeline.read.text import Cleaned, plain_text, strip_invisible
from pipeline.schema import FIGURE_COLUMNS, SUMMARY_COLUMNS, findings_frame, indicator_frame

_HEADER_SEARCH_ROWS = 60


def find_header(raw: pd.DataFrame, name: str, layout: Layout) -> tuple[int, dict[str, int]]:
    """The header row (position in ``raw``) and {field: column index}, from the headers the layout names.

    Raises NotAnExportError listing the headers seen when no row of the first 60 holds them all.
    """
    wanted = {f: _norm(h) for f, h in layout.columns.items() if not (f == "ref" and h in (ROW_REF, MEASURE_REF))}
    cells = raw.drop(columns=["source_line", "n_cells"]).astype(str).values.tolist()
    best, best_hits = None, -1
    for pos, row in enumerate(cells[:_HEADER_SEARCH_ROWS]):
        seen = [_norm(c) for c in row]
        hits = sum(1 for h in wanted.values() if h in seen)
        if hits == len(wanted):
            return pos, {field: seen.index(h) for field, h in wanted.items()}
        if hits > best_hits:
            best, best_hits = row, hits
    headers = [c for c in (best or []) if c.strip()]
    missing = [layout.columns[f] for f, h in wanted.items() if h not in [_norm(c) for c in (best or [])]]
    raise NotAnExportError(
        f"no header row with the columns the layout {layout.source} names (missing: {', '.join(missing)}); "
        f"headers seen: {', '.join(headers[:20]) or 'none'}; correct [columns] in the layout",
        name,
    )


def _norm(text: str) -> str:
    return " ".join(strip_invisible(str(text))[0].split()).lower()


def clean_table(raw: pd.DataFrame, name: str, layout: Layout) -> tuple[Cleaned, pd.DataFrame]:
    """Read a typed KPI table through ``layout``: the tidy indicators (``schema.INDICATOR_COLUMNS``) with
    findings, and their figures (``schema.FIGURE_COLUMNS``, same index), read from the layout's columns.

    A row with no ref but with figures (a total, a national row) is kept, named as the export names it; a row that
    repeats an earlier one exactly is a finding and counted once; a missing-value marker (``NA``, ``N/A``, ``-``,
    ``..``) in a group or status column is "not given". Raises NotAnExportError when the header is missing or no
    indicator is read (naming the columns seen)."""
    header_pos, cols = find_header(raw, name, layout)
    cells = raw.drop(columns=["source_line", "n_cells"]).astype(str).values.tolist()
    lines = raw["source_line"].astype(int).tolist()
    header = [str(c).strip() for c in cells[header_pos]]
    reading = _Reading(layout, cols, header, ref_matcher(layout.ref_pattern, layout.source))
    reading.history_columns(lines[header_pos])
    if not layout.reviewed:
        reading.find(
            lines[header_pos],
            "",
            "layout_not_reviewed",
            f"the layout {layout.source} was proposed by `python -m pipeline layout` and not reviewed",
            "used as it is: check each column and status word, then set reviewed = true",
        )
    seen_rows: dict[tuple, int] = {}
    header_seen = [_norm(c) for c in cells[header_pos]]
    for pos in range(header_pos + 1, len(cells)):
        line, row = lines[pos], cells[pos]
        if not any(c.strip() for c in row) or [_norm(c) for c in row] == header_seen:
            continue  # blank, or the header repeated (a page break, a second sheet pasted below)
        same = seen_rows.setdefault(tuple(c.strip() for c in row), line)
        if same != line:
            reading.find(line, "", "duplicate_row", f"this row repeats line {same} exactly", "counted once")
            continue
        reading.row(line, row)
    if not reading.records:
        raise NotAnExportError(
            f"no indicator read below the header row (columns seen: {', '.join(h for h in header if h)}); "
            "check [columns] and ref_pattern in the layout",
            name,
            lines[header_pos],
        )
    return reading.tables(
        [" ".join(c.strip() for c in row if c.strip()) for row in cells[:header_pos]], lines[header_pos]
    )


# Missing-value markers of a group or status cell: "not given", never a name or a status.
MISSING = {"", "na", "n/a", "n.a.", "-", "\u2013", "\u2014", "..", ".", "null", "none", "nil", "#n/a", "not given"}
ROW_REF, MEASURE_REF = "(row)", "(measure)"  # [columns] ref for a table with no ID column: its row, or its measure


def given(text: str) -> str:
    """A group's or status's cell as given: "" when it holds a missing-value marker."""
    return "" if " ".join(text.split()).lower() in MISSING else text


class _Reading:
    """The rows of one table as they are read: the tidy records, their figures and the findings."""

    def __init__(self, layout: Layout, cols: dict, header: list[str], pattern):
        self.layout, self.cols, self.header, self.pattern = layout, cols, header, pattern
        self.records: list[dict] = []
        self.figures: list[dict] = []
        self.findings: list[tuple] = []
        self.parts: dict[str, int] = {}
        self.totals: set[int] = set()  # the records that are the export's own totals
        self.history: dict[str, int] = {}  # an earlier period (its label) -> the column holding its actual
        self.past: list[tuple] = []  # (ref, part, period, actual, the column) for each history cell with a figure

    def history_columns(self, line: int) -> None:
        """The columns the layout's ``[history]`` names, found in the header; one it names that is not there is a
        finding (that period has no figures)."""
        seen = [_norm(c) for c in self.header]
        for period, header in sorted(self.layout.history.items()):
            if _norm(header) in seen:
                self.history[period] = seen.index(_norm(header))
            else:
                self.find(line, "", "history_column_missing", f"[history] {period} names the column {header!r}, "
                          "which the header does not hold", f"no figures for {period} from this export")  # fmt: skip

    def find(self, *finding) -> None:
        self.findings.append(finding)

    def row(self, line: int, row: list[str]) -> None:
        values = self.values(line, row)
        ref = self.ref_of(line, values)
        if ref is None:
            return
        self.parts[ref] = self.parts.get(ref, 0) + 1
        if self.parts[ref] > 1:
            self.find(line, ref, "duplicate_ref", f"{ref} appears again", f"kept as part {self.parts[ref]} of {ref}")
        code, status, kind = _status(
            values.get("status", ""), "status" in self.cols, self.layout, line, ref, self.findings
        )
        for group in ("directorate", "theme"):
            if group in self.cols and not values[group]:
                self.find(
                    line,
                    ref,
                    f"{group}_missing",
                    f"no {self.layout.columns[group]!r}"
                    + (f" (it says {values['_given_' + group]!r})" if values.get("_given_" + group) else ""),
                    f"shown as not given; never counted as a {group} of its own",
                )
        self.records.append(_record(ref, self.parts[ref], values, code, status, kind, line))
        self.figures.append(_figures(values, self.layout, self.header, self.cols, line))
        for period, index in self.history.items():
            cell = strip_invisible(row[index] if index < len(row) else "")[0]
            number = parse_number(cell)[0]
            if number is not None:
                self.past.append((ref, self.parts[ref], period, float(number), self.header[index]))

    def values(self, line: int, row: list[str]) -> dict:
        """The row's cells by field: markup to text, invisible characters removed (and recorded), missing-value
        markers of a group or status as not given."""
        values, touched = {}, []
        for field, index in self.cols.items():
            text, removed = strip_invisible(row[index] if index < len(row) else "")
            if removed:
                touched.append(field)
            values[field] = plain_text(text)[0]  # markup to text; spaces tidied; line breaks kept
        for field in ("directorate", "theme", "status"):
            if field in values and not given(values[field]):
                values["_given_" + field], values[field] = values[field], ""
        if touched:
            self.find(
                line,
                " ".join(values.get("ref", "").split()),
                "invisible_characters",
                "invisible or bidirectional-control characters in " + ", ".join(touched),
                "removed, so that names that look alike are the same name",
            )
        return values

    def ref_of(self, line: int, values: dict) -> str | None:
        """The row's ref (its row number or its measure for a table with no ID column); for a row with none but
        figures (a total), its measure; None for a row to skip, recorded."""
        column = self.layout.columns["ref"]
        if column == ROW_REF:
            return str(len(self.records) + 1)
        if column == MEASURE_REF:
            return " ".join(values["measure"].split()) or None
        ref = " ".join(values["ref"].split())
        if not ref:
            label = " ".join(values["measure"].split())[:60]
            if label and _has_figures(values):
                self.find(line, label, "ref_missing", f"row with no {column!r} but with figures (a total?)",
                          f"kept, named by its {self.layout.columns['measure']!r}: {label!r}; listed, not ranked")  # fmt: skip
                self.totals.add(len(self.records))
                return label
            self.find(line, "", "ref_missing", f"row with no {column!r}", "skipped: an indicator needs its reference")
            return None
        if self.pattern and not self.pattern(ref):
            self.find(line, ref, "ref_pattern", f"{ref!r} does not match the layout's ref_pattern",
                      "skipped: not an indicator row (a subtotal or a note?)")  # fmt: skip
            return None
        return ref

    def tables(self, preamble: list[str], header_line: int) -> tuple[Cleaned, pd.DataFrame]:
        indicators = indicator_frame(self.records)
        if self.totals:  # a row with no ref but figures: the export's own total, listed and never ranked
            indicators["row_kind"] = ["total" if i in self.totals else "" for i in range(len(self.records))]
        if "period" in self.cols:  # each row's own period, as the export writes it (a month, a quarter)
            indicators["row_period"] = [r["row_period"] for r in self.records]
            self.findings += _periods_finding(self.records, self.layout, header_line)
        figure_frame = pd.DataFrame(self.figures, columns=FIGURE_COLUMNS + EXTRA_FIGURES, index=indicators.index)
        for col in ("target", "baseline", "actual", "previous_in_export"):
            figure_frame[col] = figure_frame[col].astype("Float64")
        figure_frame["due_later"] = figure_frame["due_later"].astype(bool)
        cleaned = Cleaned(
            indicators=indicators,
            findings=findings_frame(self.findings),
            export_summary=pd.DataFrame(columns=SUMMARY_COLUMNS).astype({"source_line": "int64"}),
            preamble="\n".join(p for p in preamble if p),
            history=pd.DataFrame(self.past, columns=["ref", "part", "period", "actual", "column"]),
        )
        return cleaned, figure_frame


EXTRA_FIGURES = ["previous_in_export", "trend", "target_text"]


def _has_figures(values: dict) -> bool:
    return any(parse_number(values.get(f, ""))[0] is not None for f in ("target", "actual", "baseline"))


def _record(ref: str, part: int, values: dict, code, status: str, kind: str, line: int) -> dict:
    return {
        "ref": ref,
        "part": part,
        "section": "",
        "theme": values.get("theme", ""),
        "objective_no": None,
        "objective": "",
        "action": "",
        "measure": values["measure"],
        "directorate": values.get("directorate", ""),
        "status_code": code,
        "status": status,
        "status_kind": kind,
        "progress": values.get("progress", ""),
        "remedial": values.get("remedial", ""),
        "source_line": line,
        "action_line": None,
        "row_period": values.get("period", ""),
    }


def _periods_finding(records: list[dict], layout: Layout, line: int) -> list[tuple]:
    """A finding when the rows report more than one period (one NHS file holds four months): each row is shown
    with its own period, and the report's period is the one its file name or parameters give."""
    periods = list(dict.fromkeys(r["row_period"] for r in records if r["row_period"]))
    if len(periods) <= 1:
        return []
    shown = ", ".join(periods[:6]) + (f" and {len(periods) - 6} more" if len(periods) > 6 else "")
    return [
        (
            line,
            "",
            "several_periods",
            f"the rows report {len(periods)} periods in the column {layout.columns['period']!r}: {shown}",
            "each indicator is shown with its own period (the Period column); the report's period is its file's",
        )
    ]


def _status(word: str, has_column: bool, layout: Layout, line: int, ref: str, findings: list) -> tuple:
    if not has_column:
        return None, "", "blank"
    if not word:
        findings.append((line, ref, "status_blank", "no status given", "counted apart as 'No status given'"))
        return None, "No status given", "blank"
    known, code = layout.status_code(word)
    word = readable(word)
    if not known:
        findings.append(
            (
                line,
                ref,
                "status_unmapped",
                f"status {word!r} is not a word the layout maps",
                "kept as text and counted apart as not assessed: add it to [status] in the layout",
            )
        )
        return None, word, "text"
    return (code, word, "code") if code is not None else (None, word, "text")


def _figures(values: dict, layout: Layout, header: list[str], cols: dict[str, int], line: int) -> dict:
    notes, out = [], {c: "" for c in FIGURE_COLUMNS} | {"target_text": ""}
    if "target" not in cols:  # the first reason a committee needs: there is nothing to assess against
        notes.append("no target (the layout maps no target column)")
    percent = False
    for field in ("target", "baseline", "actual", "previous"):
        out_field = "previous_in_export" if field == "previous" else field
        out[out_field] = None
        if field not in cols:
            continue
        value, has_percent, why = parse_number(values[field])
        percent = percent or has_percent
        if value is None:
            if why:
                notes.append(f"{field} {why}")
            if field == "target" and why.startswith("given as words"):
                out["target_text"] = " ".join(values[field].split())  # a target in words: shown with the indicator
            continue
        out[out_field] = value
        if field != "previous":
            out[f"{field}_from"] = f"column {layout.columns[field]!r}, line {line}: {values[field]!r}"
    unit_text = values.get("unit", "")
    out["unit"] = "%" if percent or _PERCENT_UNIT.match(unit_text or "") else (unit_text or "count")
    if out["target"] is None and "target" in cols and not any(n.startswith("target") for n in notes):
        notes.insert(0, "no target given")
    word = values.get("polarity", "")
    if word:
        polarity = layout.polarity.get(" ".join(word.split()).lower(), "")
        out["polarity"] = polarity
        out["polarity_from"] = f"column {layout.columns['polarity']!r}: {word!r}" if polarity else ""
        if not polarity:
            notes.append(f"polarity word {word!r} is not in the layout's [polarity]")
    elif layout.default_polarity:
        out["polarity"] = layout.default_polarity
        out["polarity_from"] = f"the layout's default_polarity ({layout.default_polarity} is better)"
    elif "polarity" in cols:
        notes.append("polarity not given")
    else:
        notes.append("polarity not stated (the layout maps no polarity column and no default_polarity)")
    out["comparator"] = ""
    out["due_later"] = False
    out["figures_note"] = "; ".join(notes)
    out["trend"] = values.get("trend", "")
    return out


def derive_status(indicators: pd.DataFrame) -> pd.DataFrame:
    """For an export with no status of its own (``derive_status = true``): the status from the RAG of the
    figures (green 1, amber 3, red 4; no figures, not assessed), marked as derived (``status_kind`` "derived")."""
    frame = indicators.copy()
    codes = {"green": 1, "amber": 3, "red": 4}
    frame["status_code"] = pd.array([codes.get(r) for r in frame["rag"]], dtype="Int64")
    frame["status"] = [
        DERIVED_STATUS[codes[r]] if r in codes else _not_derived(t, a, p)
        for r, t, a, p in zip(frame["rag"], frame["target"], frame["actual"], frame["polarity"])
    ]
    frame["status_kind"] = ["derived" if r in codes else "text" for r in frame["rag"]]
    return frame


def _not_derived(target, actual, polarity) -> str:
    """Why no status could be derived for a row: what it lacks, named."""
    lacking = [what for what, v in (("target", target), ("actual", actual)) if v is None or pd.isna(v)]
    if polarity not in ("higher", "lower"):
        lacking.append("direction (higher or lower is better)")
    return f"No status derived: it has no {', no '.join(lacking)}"
