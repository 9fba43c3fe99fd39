"""Stage 2 for typed KPI tables: another organisation's export, read through its layout.

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
from pipeline.read.layout import DERIVED_STATUS, Layout, ref_matcher
from pipeline.read.schema import FIGURE_COLUMNS, SUMMARY_COLUMNS, findings_frame, indicator_frame
from pipeline.read.table.numbers import _PERCENT_UNIT, parse_number
from pipeline.read.text import Cleaned, plain_text, strip_invisible

_HEADER_SEARCH_ROWS = 60


def find_header(raw: pd.DataFrame, name: str, layout: Layout) -> tuple[int, dict[str, int]]:
    """The header row (position in ``raw``) and {field: column index}, from the headers the layout names.

    Raises NotAnExportError listing the headers seen when no row of the first 60 holds them all.
    """
    wanted = {field: _norm(header) for field, header in layout.columns.items()}
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

    Raises NotAnExportError when the header is missing or no indicator is read (naming the columns seen).
    """
    header_pos, cols = find_header(raw, name, layout)
    cells = raw.drop(columns=["source_line", "n_cells"]).astype(str).values.tolist()
    lines = raw["source_line"].astype(int).tolist()
    header = [str(c).strip() for c in cells[header_pos]]
    header_seen = [_norm(c) for c in cells[header_pos]]
    pattern = ref_matcher(layout.ref_pattern, layout.source)
    findings: list[tuple] = []
    records, figures = [], []
    parts: dict[str, int] = {}
    if not layout.reviewed:
        findings.append(
            (
                lines[header_pos],
                "",
                "layout_not_reviewed",
                f"the layout {layout.source} was proposed by `python -m pipeline layout` and not reviewed",
                "used as it is: check each column and status word, then set reviewed = true",
            )
        )
    for pos in range(header_pos + 1, len(cells)):
        line, row = lines[pos], cells[pos]
        if not any(c.strip() for c in row):
            continue
        values, touched = {}, []
        for field, index in cols.items():
            text, removed = strip_invisible(row[index] if index < len(row) else "")
            if removed:
                touched.append(field)
            values[field] = plain_text(text)[0]  # markup to text; spaces tidied; line breaks kept
        values["ref"] = " ".join(values["ref"].split())
        if [_norm(c) for c in row] == header_seen:
            continue  # the header repeated (a page break, a second sheet pasted below)
        ref = values["ref"]
        if touched:
            findings.append(
                (
                    line,
                    ref,
                    "invisible_characters",
                    "invisible or bidirectional-control characters in " + ", ".join(touched),
                    "removed, so that names that look alike are the same name",
                )
            )
        if not ref:
            findings.append(
                (
                    line,
                    "",
                    "ref_missing",
                    f"row with no {layout.columns['ref']!r}",
                    "skipped: an indicator needs its reference",
                )
            )
            continue
        if pattern and not pattern(ref):
            findings.append(
                (
                    line,
                    ref,
                    "ref_pattern",
                    f"{ref!r} does not match the layout's ref_pattern",
                    "skipped: not an indicator row (a subtotal or a note?)",
                )
            )
            continue
        parts[ref] = parts.get(ref, 0) + 1
        if parts[ref] > 1:
            findings.append((line, ref, "duplicate_ref", f"{ref} appears again", f"kept as part {parts[ref]} of {ref}"))
        code, status, kind = _status(values.get("status", ""), "status" in cols, layout, line, ref, findings)
        if "directorate" in cols and not values["directorate"]:
            findings.append(
                (
                    line,
                    ref,
                    "directorate_missing",
                    f"no {layout.columns['directorate']!r}",
                    "directorate left empty; shown as '(none given)' in the report",
                )
            )
        records.append(
            {
                "ref": ref,
                "part": parts[ref],
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
        )
        figures.append(_figures(values, layout, header, cols, line))
    if not records:
        raise NotAnExportError(
            f"no indicator read below the header row (columns seen: {', '.join(h for h in header if h)}); "
            "check [columns] and ref_pattern in the layout",
            name,
            lines[header_pos],
        )
    preamble = [" ".join(c.strip() for c in row if c.strip()) for row in cells[:header_pos]]
    indicators = indicator_frame(records)
    if "period" in cols:  # each row's own period, as the export writes it (a month, a quarter)
        indicators["row_period"] = [r["row_period"] for r in records]
        findings += _periods_finding(records, layout, lines[header_pos])
    figure_frame = pd.DataFrame(
        figures, columns=FIGURE_COLUMNS + ["previous_in_export", "trend"], index=indicators.index
    )
    for col in ("target", "baseline", "actual", "previous_in_export"):
        figure_frame[col] = figure_frame[col].astype("Float64")
    figure_frame["due_later"] = figure_frame["due_later"].astype(bool)
    cleaned = Cleaned(
        indicators=indicators,
        findings=findings_frame(findings),
        export_summary=pd.DataFrame(columns=SUMMARY_COLUMNS).astype({"source_line": "int64"}),
        preamble="\n".join(p for p in preamble if p),
    )
    return cleaned, figure_frame


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
    notes, out = [], {c: "" for c in FIGURE_COLUMNS}
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
        DERIVED_STATUS[codes[r]] if r in codes else "Not assessed: no figures to derive a status from"
        for r in frame["rag"]
    ]
    frame["status_kind"] = ["derived" if r in codes else "text" for r in frame["rag"]]
    return frame
