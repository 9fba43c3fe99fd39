"""The annex of a period report: the method in the organisation's words, the data-quality findings, every
indicator, and the glossary of the organisation's codes."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.measure import in_group_order
from pipeline.report.blocks import Heading, Para, Span, table
from pipeline.report.common import column, figures, rag_badge, status_badge
from pipeline.report.pieces import Piece, bounded, first_printed, joined, paragraph
from pipeline.report.pieces import table as table_piece
from pipeline.schema import ref_labels

_NOT_ASSESSED = (Span("emph", ("not assessed",)),)


def narrative(section: str, layout, period) -> Piece:
    """The paragraphs that introduce a section, in the words of the layout's organisation.

    ``section``: ``statuses`` (the status scale), ``directorate``, ``targets`` (where the figures come from
    and the RAG rule) or ``status_check``. A quarter's report never says year end.
    """
    return Piece(tuple(_narrative(section, layout, period)))


def _narrative(section: str, layout, period) -> list:
    """The method's paragraphs of one ``section`` for this export's shape (``_NARRATIVES``)."""
    if section not in _NARRATIVES:
        raise ValueError(f"no narrative for section {section!r}")
    return _NARRATIVES[section](layout, period)


def _statuses_said(layout, period) -> list:
    from pipeline.schema import STATUS_MEANINGS

    labels = layout.labels
    when = "a year-end status" if period.is_year_end else f"a status for {period}"
    if labels.numbered and labels:
        scale = ", ".join(f"{code} {label}" for code, label in list(labels.items())[:-1])
        scale += f", or {list(labels)[-1]} {list(labels.values())[-1]}"
        return [
            Para(
                (
                    f"Each {layout.title} indicator is given {when} by the service responsible for it: {scale}. "
                    f"Percentages are of the indicators that have one of these {_count_word(len(labels))} statuses; indicators whose "
                    "status is missing or given as text are counted apart as ",
                    *_NOT_ASSESSED,
                    ".",
                )
            )
        ]
    if layout.derive_status:
        return [
            Para(
                (
                    "The export gives no status of its own. Each indicator's status is ",
                    Span("emph", ("derived from its figures",)),
                    ": target met; missed by no more than the tolerance; missed beyond it. It is marked as "
                    "derived wherever it is shown. Indicators without a target, an actual and a polarity are "
                    "counted apart as ",
                    *_NOT_ASSESSED,
                    ".",
                )
            )
        ]
    if not labels:
        return [
            Para(
                (
                    "The export gives no status for its indicators (the layout maps no status column), and none "
                    "is derived from the figures, so every indicator is counted as not assessed; its figures "
                    "are listed in the appendix of all indicators.",
                )
            )
        ]
    scale = "; ".join(f"{label} ({STATUS_MEANINGS[code]})" for code, label in labels.items())
    apart = [w for w, code in layout.status.items() if code is None]
    return [
        Para(
            (
                f"Each indicator in the export has {when} in the organisation's own words: {scale}. "
                "Percentages are of the indicators that have one of these statuses; indicators whose status is "
                + (f"given as {', '.join(apart)}, " if apart else "")
                + "missing, or a word the layout does not map are counted apart as ",
                *_NOT_ASSESSED,
                ".",
            )
        )
    ]


def _groups_said(layout, period) -> list:
    column_name = layout.columns.get("directorate")
    if column_name:
        text = f"The {layout.group_name} is the one named in the export's {column_name!r} column."
    else:
        text = "The export names no group for its indicators, so every indicator is counted under '(not given)'."
    return [Para((text,))]


def _targets_said(layout, period) -> list:
    prose = layout.source_word == "text"  # figures written in the text, not in columns of their own
    rag = Para(
        (
            "RAG: ",
            Span("strong", ("green",)),
            " when the target is met, ",
            Span("strong", ("amber",)),
            " when it is missed by no more than the tolerance (5% of the target unless the register sets another), ",
            Span("strong", ("red",)),
            " beyond it. Direction compares the actual with the baseline, taking into account whether higher "
            "or lower is better.",
        )
    )
    if prose:
        return [
            Para(
                (
                    "Most indicators state a target (and often a baseline) in their outcome or success "
                    "criteria, and the service reports the actual in its progress text. The pipeline reads "
                    "these figures from the text only where the text is unambiguous; where it holds several "
                    "candidate numbers, a date, a change rather than a level, or a confidence interval, the "
                    "figure is left empty and the reason recorded. An analyst can fill or override any figure "
                    "in the indicator register; figures from the register are marked as such.",
                )
            ),
            rag,
        ]
    named = ", ".join(
        f"{field} ({layout.columns[field]!r})"
        for field in ("target", "actual", "baseline", "previous")
        if field in layout.columns
    )
    return [
        Para(
            (
                f"The export gives the figures in columns of their own: {named or 'none'}. A cell in words "
                "(Pending, N/A, No target) leaves the figure empty, with the reason recorded. An analyst can "
                "fill or override any figure in the indicator register beside the exports; figures from the "
                "register are marked as such.",
            )
        ),
        rag,
    ]


def _status_check_said(layout, period) -> list:
    labels = layout.labels
    prose = layout.source_word == "text"
    if not labels:
        text = "The export gives no status of its own, so there is no reported status to hold against the figures."
    elif layout.derive_status:
        text = (
            "The statuses in this report are derived from the figures, so there is no reported "
            "status to hold against them."
        )
    else:
        good = " and ".join(_scale_word(labels, c) for c in (1, 2) if c in labels) or "none"
        bad = " and ".join(_scale_word(labels, c) for c in (3, 4) if c in labels) or "none"
        text = f"Each reported status is held against the figures: {good} agree with a target that is met, {bad} with one that is missed."
        if prose:
            text += (
                " One case is left to judgement: an On Track status with a figure still short of a target "
                "that falls due after the period (a later year, or an academic year not yet over) is listed, "
                "not counted as a disagreement."
            )
    return [Para((text,))]


# The method's sections, each written for the export's shape.
_NARRATIVES = {
    "statuses": _statuses_said,
    "directorate": _groups_said,
    "targets": _targets_said,
    "status_check": _status_check_said,
}


def _count_word(n: int) -> str:
    return ("no", "one", "two", "three", "four", "five", "six", "seven")[n] if n < 8 else str(n)


def _scale_word(labels, code: int) -> str:
    """A status as the method names it: ``1 (Achieved)`` on a numbered scale, else the organisation's word."""
    return f"{code} ({labels[code]})" if labels.numbered else labels[code]


def method_section(layout, period) -> Piece:
    """The method appendix: how statuses are counted, what an exception and a repeat miss are, how reported
    statuses are held against the figures, where the figures come from and the RAG rule, in the layout's words."""
    labels = layout.labels
    off = " or ".join(labels[c] for c in (3, 4) if c in labels) or "off track"
    exceptions = Para(
        (
            f"An exception is an indicator whose status is {off}. Consecutive periods off track count this period "
            "and each period before it, newest first, whose export the report reads (the previous period and the "
            "earlier quarters of this year, found beside this export); the count stops at the first of them in "
            "which the indicator was not off track. When it was off track in every period read, the count is shown "
            "as \u201cat least\u201d that many, because the periods before were not read. Indicators are matched by "
            "their reference.",
        )
    )
    changes = Para(
        (
            "Each indicator is compared with the latest earlier period whose export sits beside this one. The "
            "direction of travel is judged by the figures where both periods have an actual, otherwise by status; "
            "where there is no earlier period, the actual is compared with the baseline.",
        )
    )
    parts = [
        ("How statuses are counted", _narrative("statuses", layout, period)),
        ("Exceptions and repeat misses", [exceptions]),
        ("Statuses held against the figures", _narrative("status_check", layout, period)),
        ("Targets, actuals and RAG", _narrative("targets", layout, period)),
        (layout.group_names.capitalize(), _narrative("directorate", layout, period)),
        ("Changes since the previous period", [changes]),
    ]
    return Piece(tuple(b for title, body in parts for b in (Heading(3, (title,)), *body)))


def annex_start() -> Piece:
    """Where the technical annex begins: a new page in print, and a sentence saying whom it is for."""
    from pipeline.report.blocks import PageBreak

    return Piece(
        (
            PageBreak(),
            Para(
                (
                    "The annexes below are for the analyst and the auditor: how the figures are made, the data "
                    "quality, every indicator, the full text of each exception, how to check and reproduce this "
                    "report, and the codes it uses.",
                ),
                "lead-in",
            ),
        )
    )


def findings_section(findings: pd.DataFrame) -> Piece:
    """The data-quality findings: a count by kind, then every finding with its source line."""
    from pipeline.figures.measure import finding_counts

    if findings.empty:
        return paragraph("Cleaning found nothing unusual in the export.")
    counts = finding_counts(findings).rename(columns={"check": "Finding", "count": "Number"})
    by_kind = table_piece(counts, "Data-quality findings by kind", numeric=("Number",), row_header="Finding")
    listed = bounded(findings, lambda rows: [_findings_table(rows, len(findings))], "findings", "data_quality.csv")
    return joined([by_kind, listed])


def _findings_table(findings: pd.DataFrame, total: int):
    detail = pd.DataFrame(
        {
            "Line": findings["source_line"],
            "Ref": findings["ref"],
            "Finding": findings["check"],
            "What was found": findings["finding"],
            "What was done": findings["action_taken"],
        }
    )
    return table(
        detail,
        f"All {total:,} data-quality findings, by source line{first_printed(len(findings), total)}",
        numeric=("Line",),
        style="findings",
        widths={"Line": "3em", "Ref": "3.5em", "Finding": "9em"},
    )


def appendix_table(
    indicators: pd.DataFrame, heading: str = "Indicator", group: str = "Directorate", spc: pd.DataFrame | None = None
) -> Piece:
    """Every indicator, grouped under its theme, with status and directorate (in print, the first
    ``PRINT_ROWS``: see ``bounded``). ``heading``: the organisation's word for the indicator column
    (``Layout.measure_heading``). When some indicators have figures that no other section shows (an actual with
    no target to assess it against: an actuals-only table), their target and actual are listed here too, and
    the period of each row where the export gives one; a target given in words is shown as written. ``group``:
    what the organisation calls one group of the directorate column, as a column's heading. ``spc``: the charts
    of ``spc.csv``: each indicator's variation and assurance icons in a column of their own."""
    words = "target_text" in indicators and bool((indicators["target_text"].fillna("") != "").any())
    shown = "actual" in indicators and bool((indicators["actual"].notna() & (indicators["rag"] == "")).any()) or words
    targets = shown and (bool(indicators["target"].notna().any()) or words)
    sizes = {theme: len(rows) for theme, rows in in_group_order(indicators, "theme")}
    from pipeline.report.spc import icons

    marks = icons(spc) if spc is not None and len(spc) else None
    return bounded(
        indicators, lambda rows: _appendix_tables(rows, heading, shown, targets, sizes, group, marks), "indicators"
    )


def _appendix_tables(indicators, heading: str, shown: bool, targets: bool, sizes: dict, word: str, marks=None) -> list:
    """A table for each theme; ``sizes``: each theme's indicators in the whole listing (a caption counts them
    all, and says when its table holds only the first, in print)."""
    out = []
    for theme, group in in_group_order(indicators, "theme"):
        columns = {"Ref": ref_labels(group), heading: group["measure"], word: group["directorate"]}
        if "row_period" in group:
            columns["Period"] = group["row_period"]
        if shown:
            units = column(group, "unit")
            if targets:
                written = column(group, "target_text")
                columns["Target"] = [
                    w if pd.isna(t) and isinstance(w, str) and w else f
                    for t, w, f in zip(group["target"], written, figures(group["target"], units))
                ]
            columns["Actual"] = figures(group["actual"], units)
        has_actual = group["actual"].notna() if "actual" in group else pd.Series(False, index=group.index)
        columns |= {
            "Status": [status_badge(c, s) for c, s in zip(group["status_code"], group["status"])],
            "RAG": [
                rag_badge(r) if r else ("not assessed" if a else rag_badge(r)) for r, a in zip(group["rag"], has_actual)
            ],
            "Direction of travel": group["direction"],
        }
        if marks is not None:
            columns["SPC"] = [marks.get(r, ()) for r in ref_labels(group)]
        columns["Line"] = group["source_line"]
        frame = pd.DataFrame(columns)
        out.append(
            table(
                frame,
                f"{theme or 'No theme'}: {sizes.get(theme, len(frame)):,} indicators"
                f"{first_printed(len(frame), sizes.get(theme, len(frame)))}",
                row_header="Ref",
                numeric=("Line", "Target", "Actual"),
                style="appendix",
                widths={
                    "Ref": "3.5em",
                    word: "6em",
                    "Status": "9em",
                    "RAG": "6em",
                    "Direction of travel": "5.5em",
                    "Line": "3em",
                },
            )
        )
    return out


def glossary(indicators: pd.DataFrame, layout, names: dict | None) -> Piece:
    """The organisation's codes: each directorate with its full name (from the layout or ``directorates.csv``;
    never guessed), the status scale in the organisation's words, the RAG rule and its tolerance."""
    from pipeline.figures.measure import DEFAULT_TOLERANCE_PCT, ON_TRACK_CODES
    from pipeline.schema import STATUS_MEANINGS

    names = names or {}
    counts = indicators["directorate"].replace("", "(not given)").value_counts(sort=False)
    directorates = pd.DataFrame(
        {
            "Code": list(counts.index),
            "Name": [
                names.get(c, "not named in the export: add it to directorates.csv beside the export")
                if c != "(not given)"
                else ""
                for c in counts.index
            ],
            "Indicators": [int(n) for n in counts],
        }
    )
    labels = layout.labels
    scale = pd.DataFrame(
        {
            "Status": [status_badge(code, label) for code, label in labels.items()],
            "Means": [STATUS_MEANINGS[code] for code in labels],
            "Counted as": [
                "achieved or on track" if code in ON_TRACK_CODES else "off track (an exception)" for code in labels
            ],
        }
    )
    tolerances = indicators["tolerance_pct"].dropna() if "tolerance_pct" in indicators else pd.Series([], dtype=float)
    own = (
        f" {len(tolerances)} indicator(s) have a tolerance of their own in the indicator register."
        if len(tolerances)
        else ""
    )
    rag = Para(
        (
            Span("strong", ("RAG",)),
            f" is computed from the figures: green when the target is met; amber when it is missed by no more than "
            f"the tolerance, {DEFAULT_TOLERANCE_PCT:g}% of the target;{own} red when missed by more. Without a "
            "target, an actual and a polarity there is no RAG.",
        )
    )
    return Piece(
        (
            table(
                directorates,
                layout.group_names.capitalize(),
                numeric=("Indicators",),
                row_header="Code",
                style="keep",
                widths={"Code": "12%", "Indicators": "12%"},
            ),
            table(scale, "The status scale", style="keep"),
            rag,
        )
    )
