"""The status pieces: headline counts, the status scale's counts, the export's own summary, status by group and
by quarter, and the changes since the previous period."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.measure import NOT_GIVEN, OFF_TRACK_CODES
from pipeline.report.blocks import Para, Span
from pipeline.report.common import directorate_name, plural, status_badge
from pipeline.report.pieces import Chart, Piece, paragraph, table
from pipeline.schema import ref_labels


def headline_table(headline: pd.DataFrame, period=None) -> Piece:
    """The headline counts and percentages as a table (``period``: a quarter never says year-end)."""
    frame = headline.rename(columns={"measure": "Indicators", "count": "Number", "percent": "Percent of assessed"})
    when = "year-end status" if period is None or period.is_year_end else f"status at {period}"
    return table(
        frame,
        f"Headline summary: indicators by {when}",
        numeric=("Number", "Percent of assessed"),
        row_header="Indicators",
        style="keep",
    )


def status_table(counts: pd.DataFrame) -> Piece:
    """Counts by status, then the statuses counted apart."""
    frame = pd.DataFrame(
        {
            "Status": [status_badge(c, s) for c, s in zip(counts["status_code"], counts["status"])],
            "Number": counts["count"],
            "Percent of assessed": counts["percent"],
        }
    )
    return table(frame, "Indicators by status", numeric=("Number", "Percent of assessed"), style="keep")


def summary_check(comparison: pd.DataFrame, expected: bool = True) -> Piece:
    """How the export's own summary compares with the figures computed from its rows. ``expected``: the
    organisation's exports end with a summary of their own (``Layout.has_summary``)."""
    if comparison.empty and not expected:
        return paragraph(
            "This export carries no summary of its own, so every figure above is computed from "
            "its rows and there is nothing to check them against."
        )
    if comparison.empty:
        return paragraph(
            "The export has no summary of its own (it may be truncated), "
            "so there is nothing to check the figures above against.",
            "findings-warn",
        )
    verdict = {True: "Agrees", False: "Differs"}
    frame = pd.DataFrame(
        {
            "Summary line": comparison["label"],
            "The export says": comparison["export_value"],
            "Computed from its rows": comparison["computed_value"],
            "Check": [("Not checked" if pd.isna(a) else verdict[bool(a)]) for a in comparison["agrees"]],
            "Source line": comparison["source_line"],
        }
    )
    if comparison["agrees"].fillna(False).all():
        note = Para(
            ("Every figure in the export's own summary agrees with the figures computed from its rows.",),
            "findings-ok",
        )
    else:
        note = Para(
            (
                "The export's own summary does not agree with its rows. This report uses the figures computed "
                "from the rows; the export's figures are quoted only in this table.",
            ),
            "findings-warn",
        )
    checked = table(
        frame,
        "The export's own summary, checked against its rows",
        numeric=("The export says", "Computed from its rows", "Source line"),
        row_header="Summary line",
        style="keep",
    )
    return Piece((note,) + checked.blocks)


def crosstab_table(counts: pd.DataFrame, caption: str, by_label: str, total_row: bool = True) -> Piece:
    """A ``measure.status_by`` table, with the group as row header and (unless the rows are periods, which do
    not add up) a totals row."""
    frame = counts.reset_index().rename(columns={counts.index.name: by_label})
    numeric = tuple(c for c in frame.columns if c != by_label)
    if total_row:
        totals = {by_label: "Total"} | {c: int(counts[c].sum()) for c in counts.columns}
        frame = pd.concat([frame, pd.DataFrame([totals])], ignore_index=True)
    return table(
        frame,
        caption,
        numeric=numeric,
        row_header=by_label,
        style="crosstab",
        widths={by_label: "34%"},
        total=total_row,
    )


def status_chart(
    crosstab: pd.DataFrame,
    by: str,
    filename: str,
    labels: dict | None = None,
    names: dict | None = None,
    annex: str = "",
    word: str = "",
) -> Piece:
    """A stacked bar chart of status by ``by``, with its text alternative and its table beside it; ``names``:
    each directorate's full name by its code, so that a committee reads "Resources (RES)" and not "RES";
    ``word``: what the organisation calls one group of ``by`` (a service, an agency), ``by`` itself by default.
    ``annex``: the anchor of the annex section that holds the chart's table instead (``status_by_table``), so
    that the body stays short; the caption links to it.

    A chart holds at most ``charts.MAX_STATUS_GROUPS`` bars, so its labels stay readable on paper; with more
    groups it draws those with the most indicators off track and says so, and the table keeps every group.
    """
    from pipeline.figures.measure import most_off_track
    from pipeline.report.charts import MAX_STATUS_GROUPS, status_bars, status_bars_alt, to_svg

    if list(crosstab.index) == [NOT_GIVEN]:
        return paragraph(f"No {word or by} is named for any indicator, so there is no breakdown by {word or by}.")
    crosstab = _named(crosstab, by, names)
    by = word or by
    title = f"Indicator status by {by}"
    drawn = most_off_track(crosstab, MAX_STATUS_GROUPS, labels)
    where = "The table in the annex" if annex else "The table below"
    if len(drawn) < len(crosstab):
        groups = plural(by)
        title = f"The {len(drawn)} {groups} with the most indicators off track"
        caption = (
            f"{title}, of {len(crosstab)} {groups}; each bar is one {by}, segments count indicators by "
            f"status. {where} gives every {by}."
        )
    else:
        caption = f"{title}. Each bar is one {by}; segments count indicators by status. {where} gives the same figures."
    beside = (
        Piece((Para(("The figures of this chart are in ", Span("link", ("the annex",), "#" + annex), "."), "note"),))
        if annex
        else status_by_table(crosstab, by, len(drawn) < len(crosstab))
    )
    return Chart.of(
        to_svg(status_bars(drawn, title, labels)), status_bars_alt(drawn, by, labels), caption, filename, beside
    )


def status_by_table(
    crosstab: pd.DataFrame, by: str, more: bool = False, names: dict | None = None, word: str = ""
) -> Piece:
    """The figures of the chart of status by ``by`` (every group: ``more`` when the chart drew fewer; ``word``: what
    the organisation calls one group)."""
    crosstab = _named(crosstab, by, names)
    by = word or by
    return crosstab_table(
        crosstab,
        f"Indicator status by {by} (the figures of its chart" + (", and every other " + by if more else "") + ")",
        by.capitalize(),
    )


def _named(crosstab: pd.DataFrame, by: str, names: dict | None) -> pd.DataFrame:
    if names and by == "directorate":
        return crosstab.rename(index=lambda code: directorate_name(code, names) if code != NOT_GIVEN else code)
    return crosstab


def trend_chart(trend: pd.DataFrame, period, labels: dict | None = None, annex: str = "") -> Piece:
    """Status counts for each quarter of the year so far, as stacked bars, with the table (``annex``: the anchor
    of the annex section that holds the table instead, as ``status_chart``)."""
    from pipeline.report.charts import status_bars, status_bars_alt, to_svg

    if trend is None or len(trend) < 2:
        return paragraph("Only this quarter's figures were read, so there is no chart of the year so far.")
    title = f"Indicator status by quarter, {period.year_label} so far"
    beside = (
        Piece((Para(("The figures of this chart are in ", Span("link", ("the annex",), "#" + annex), "."), "note"),))
        if annex
        else crosstab_table(trend, f"{title} (the figures of its chart)", "Quarter", total_row=False)
    )
    return Chart.of(
        to_svg(status_bars(trend, title, labels)),
        status_bars_alt(trend, "quarter", labels),
        f"{title}. Each bar is one quarter; segments count indicators by status.",
        "status_by_quarter.svg",
        beside,
    )


def trend_note(trend: pd.DataFrame | None, annex: str) -> Piece:
    """In the body, where the chart of the year so far is (nothing when there is no such chart)."""
    if trend is None or len(trend) < 2:
        return Piece(())
    return Piece(
        (
            Para(
                ("Each quarter of the year so far is charted in ", Span("link", ("the annex",), "#" + annex), "."),
            ),
        )
    )


def _baseline_trends(baselines: int) -> str:
    """What stands in for the quarter before: the trends from a baseline, as many as there are."""
    if baselines == 0:
        return "no indicator has a baseline either, so none has a trend."
    if baselines == 1:
        return "the trend of the one indicator with a baseline compares its actual with that baseline instead."
    return (
        f"the trend of each of the {baselines:,} indicators with a baseline compares its actual with that baseline "
        "instead."
    )


def changes_section(
    previous,
    changes: pd.DataFrame,
    labels: dict | None = None,
    unreadable: str = "",
    heading: str = "Indicator",
    worse_only: bool = False,
    baselines: int = 0,
) -> Piece:
    """Indicators whose status changed since ``previous`` (a Period, or None when there is none).
    ``unreadable`` says why an earlier export beside this one could not be read, when one could not.
    ``labels``: the organisation's status words by meaning. ``worse_only``: for the body, the counts each way and
    the table of those that went off track only (the annex lists every change). ``baselines``: how many indicators
    have a trend from their baseline instead (``measure.baseline_trends``)."""
    labels = labels or {}
    if unreadable:
        instead = _baseline_trends(baselines)
        return paragraph(
            f"The previous period could not be compared: {unreadable}. {instead[0].upper()}{instead[1:]}",
            "findings-warn",
        )
    if previous is None:
        return paragraph(
            "No earlier quarter's figures were read for this report, so no status can be compared with the "
            f"quarter before; {_baseline_trends(baselines)}"
        )
    if changes.empty:
        return paragraph(f"No indicator's status changed since {previous}.")
    if worse_only:  # the body: how many moved each way; the table of those now off track that were not before
        step = changes["previous_status_code"].astype(int) - changes["status_code"].astype(int)  # > 0: better now
        better, worse = int((step > 0).sum()), changes[step < 0]
        fell = worse[worse["status_code"].isin(OFF_TRACK_CODES) & ~worse["previous_status_code"].isin(OFF_TRACK_CODES)]
        said = paragraph(
            f"Since {previous}, {better} indicator{'s' if better != 1 else ''} moved to a better status and "
            f"{len(worse)} to a worse one; {len(fell)} of {'them have' if len(fell) != 1 else 'them has'} "
            + ("gone off track (listed below)." if len(fell) else "gone off track.")
            + " Every change is listed in the annex."
        )
        if fell.empty:
            return said
        return Piece(said.blocks + _changes_table(fell, previous, labels, heading, "gone off track").blocks)
    return _changes_table(changes, previous, labels, heading, "whose status changed")


def _changes_table(changes: pd.DataFrame, previous, labels: dict, heading: str, what: str) -> Piece:
    frame = pd.DataFrame(
        {
            "Ref": ref_labels(changes),
            heading: list(changes["measure"]),
            f"Status at {previous}, and now": [
                (status_badge(c, labels.get(int(c), f"status {int(c)}")), " \u2192 ", status_badge(n, s))
                for c, n, s in zip(changes["previous_status_code"], changes["status_code"], changes["status"])
            ],
            "Trend": [TREND_WORDS.get(d, d) for d in changes["direction"]],
        }
    )
    return table(
        frame,
        f"{len(frame)} indicators {what} since {previous}",
        row_header="Ref",
        style="figures",
        widths={"Ref": "7%", heading: "52%", "Trend": "11%"},
    )


TREND_WORDS = {"improved": "\u2191 better", "worse": "\u2193 worse", "same": "\u2192 no change"}
