"""The pieces of a milestone report (a Service Improvement Plan): title, counts, tables, timeline, budget."""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Definitions, Group, Heading, Para, Span
from pipeline.report.common import figure, percent_change, short
from pipeline.report.pieces import Chart, Piece, joined, paragraph, table
from pipeline.report.status import crosstab_table


def plan_title_page(council: str, plan: str, period_title: str, source: str, source_sha256: str) -> Piece:
    """The title block of a milestone report."""
    blocks = ((Para((council,), "council"),) if council else ()) + (
        Heading(1, (f"{plan}: Service Improvement Plan milestones",)),
        Para((period_title,), "period"),
        Definitions(
            ((("Made from",), (Span("code", (source,)),)), (("SHA-256",), (Span("code", (source_sha256,)),))),
            "source",
        ),
    )
    return Piece(
        (Group("title-page", blocks),),
        meta={"title": f"{plan} Service Improvement Plan milestones: {period_title}"},
    )


def milestone_counts(counts: pd.DataFrame, period) -> Piece:
    frame = counts.rename(columns={"milestones": "Milestones", "count": "Number"})
    frame["Milestones"] = [m.replace("the period", str(period)) for m in frame["Milestones"]]
    return table(frame, f"Milestones against {period}", numeric=("Number",), row_header="Milestones", style="keep")


def milestone_table(rows: pd.DataFrame, caption: str, empty: str) -> Piece:
    """Milestones with their priority, due text and date, success criteria and source line."""
    if rows.empty:
        return paragraph(empty)
    frame = pd.DataFrame(
        {
            "Due": [d or "no date" for d in rows["due_date"]],
            "Key action": rows["action"],
            "By when (as written)": rows["due_text"],
            "Development priority": [
                short(p, 60) + (f" \u2014 {short(g, 60)}" if g else "")
                for p, g in zip(rows["priority"], rows.get("group", [""] * len(rows)))
            ],
            "Outcomes and success criteria": [short(s, 160) for s in rows["success_criteria"]],
            "Line": rows["source_line"],
        }
    )
    return table(
        frame,
        caption,
        numeric=("Line",),
        style="figures",
        widths={
            "Due": "10%",
            "Key action": "26%",
            "By when (as written)": "12%",
            "Development priority": "16%",
            "Outcomes and success criteria": "24%",
            "Line": "5%",
        },
    )


def milestone_timeline(classified: pd.DataFrame, period) -> Piece:
    """The timeline of dated milestones by priority, with the per-priority table beside it."""
    from datetime import date

    from pipeline.figures.milestones import by_priority
    from pipeline.report.charts import timeline, timeline_alt, to_svg

    dated = classified[classified["due_date"] != ""].copy()
    if dated.empty:
        return paragraph("No milestone in this plan has a date, so there is no timeline.")
    dated["due"] = [date.fromisoformat(d) for d in dated["due_date"]]
    dated["priority_label"] = [short(p, 60) for p in dated["priority"]]
    title = "Milestones by development priority"
    counts = by_priority(classified)
    counts.index = [short(p, 60) for p in counts.index]
    counts.index.name = "priority"
    return Chart.of(
        to_svg(timeline(dated, period.start_date, period.end_date, title)),
        timeline_alt(dated, str(period)),
        f"{title}: each mark is a dated milestone; the shaded band is {period}. "
        "Undated milestones are counted in the table below.",
        "milestone_timeline.svg",
        crosstab_table(counts, "Milestones by development priority and state", "Development priority"),
    )


def budget_section(by_year: pd.DataFrame, changes: pd.DataFrame, line: str) -> Piece:
    """The Medium Term Financial Plan by year, and a chart of ``line`` with its year-on-year change."""
    from pipeline.report.charts import budget_bars, budget_bars_alt, to_svg

    if by_year.empty:
        return paragraph("This plan holds no Medium Term Financial Plan.")
    frame = by_year.reset_index().rename(columns={"line": "Budget line"})
    for col in frame.columns[1:]:
        frame[col] = [figure(v) for v in frame[col]]
    change_rows = pd.DataFrame(
        {
            "Year": changes["year"],
            line: [figure(a) for a in changes["amount"]],
            "Change on the year before": [figure(c, signed=True) for c in changes["change"]],
            "Change %": [percent_change(p) for p in changes["change_pct"]],
        }
    )
    tables = joined(
        [
            table(
                frame,
                "Medium Term Financial Plan by year (£; bracketed amounts in the plan are shown as negative)",
                numeric=tuple(frame.columns[1:]),
                row_header="Budget line",
                style="keep",
            ),
            table(
                change_rows,
                f"{line}: year-on-year change",
                numeric=(line, "Change on the year before", "Change %"),
                row_header="Year",
                style="keep",
            ),
        ]
    )
    return Chart.of(
        to_svg(budget_bars(changes, f"{line} by year")),
        budget_bars_alt(changes, line),
        f"{line} by year, with the change on the year before.",
        "budget_by_year.svg",
        tables,
    )
