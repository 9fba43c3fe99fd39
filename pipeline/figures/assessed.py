"""A period's exports assessed, in one call: each indicator set against its target and against the periods before.

In: what the read stage gives (``read.exports.PeriodRead``), the layout's choices, the report's period and which
earlier periods it is compared with. Out: ``Assessed``: the report's indicators assessed (the register's figures
applied, variance and RAG, the check of the reported status, the direction of travel since the previous period, how
long each has been off track), its findings in source-line order, the check of the export's own summary, the
trend of the year's statuses and each earlier period's indicators. An earlier export whose figures cannot be
assessed is treated as one that could not be read: the report says the comparison could not be made.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.figures import measure, summary
from pipeline.figures.register import apply_register
from pipeline.read.exports import because
from pipeline.read.table.rows import derive_status
from pipeline.schema import findings_frame


@dataclass(frozen=True)
class Assessed:
    """A period's indicators and findings assessed (see the module's docstring). ``previous``: the period compared
    with (None when there is none or its export could not be read); ``unreadable``: why it could not be read."""

    indicators: pd.DataFrame
    findings: pd.DataFrame
    summary_check: pd.DataFrame
    earlier: dict
    previous: object
    trend: pd.DataFrame
    unreadable: str = ""


def assess_period(read, layout, period, related, also=()) -> Assessed:
    """The report's export and the earlier ones assessed (``related``: which earlier period is the previous, the
    same quarter a year ago and the quarters of the year; ``also``: findings frames about the export that come
    after the rest, such as the characters the fonts cannot print)."""
    indicators, findings, check = _assess_own(read, layout, period, also)
    near = {related.previous, related.year_ago, *related.year}  # compared in full; the rest are history alone
    earlier, unreadable = _assess_earlier(read, layout, near)
    previous, reason = related.previous, ""
    if previous is not None and previous in unreadable:
        reason = unreadable[previous]
        finding = (0, "", "previous_unreadable", reason, "not compared with the previous period")
        findings = pd.concat([findings, findings_frame([finding])], ignore_index=True)
        previous = None
    indicators = measure.compare_with_previous(indicators, earlier.get(previous) if previous else None)
    chain, step = [], previous
    while step is not None and step in earlier:  # consecutive earlier periods, newest first, as far as read
        chain.append(earlier[step])
        step = step.previous()
    indicators = pd.concat([indicators, measure.off_track_streak(indicators, chain)], axis=1)
    quarters = {str(p): earlier[p] for p in related.year if p in earlier}
    quarters[str(period)] = indicators
    trend = measure.status_by_period(quarters, layout.labels)
    return Assessed(indicators, findings, check, earlier, previous, trend, reason)


def _assessed(export, layout, period, register) -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    """One export's indicators with the register's figures applied and assessed; the register's findings; the check
    of the export's own summary and its findings."""
    rows, name = register
    figures, register_findings = apply_register(export.indicators, export.figures, rows, name, str(period))
    indicators = measure.assess(pd.concat([export.indicators, figures], axis=1))
    if layout.derive_status:
        indicators = derive_status(indicators)
    return indicators, register_findings, summary.checked(export.indicators, export.export_summary)


def _assess_own(read, layout, period, also) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The report's own export assessed, with every finding about it in source-line order."""
    own = read.own
    indicators, register_findings, (check, summary_findings) = _assessed(own, layout, period, read.register)
    found = [own.findings, summary_findings, register_findings, own.years_named, *also]
    findings = pd.concat(found, ignore_index=True).sort_values("source_line", kind="stable").reset_index(drop=True)
    return indicators, findings, check


def _assess_earlier(read, layout, near: set) -> tuple[dict, dict]:
    """Each earlier export's indicators: in full for the periods compared with (and for every period when the
    status is derived), their actual, target and polarity alone for the rest, which are history. Returns
    ({period: indicators}, {period: why it could not be used})."""
    prepared, unreadable = {}, dict(read.unreadable)
    for period, export in sorted(read.earlier.items()):
        when = period.starting(layout.year_start)
        try:
            if period in near or layout.derive_status:
                indicators = _assessed(export, layout, when, read.register)[0]
            else:
                indicators = _figures_alone(export, when, read)
        except PipelineError as exc:
            unreadable[period] = because(period, export.file, exc)
            continue
        if "previous_in_export" in indicators:  # its own previous-period column gives its direction of travel
            indicators = measure.compare_with_previous(indicators, None)
        prepared[period] = indicators
    return prepared, unreadable


def _figures_alone(export, period, read) -> pd.DataFrame:
    """An earlier export as history: each indicator's ref, part, status code, actual, target and polarity (the
    register's applied), without the assessment a report of it would need."""
    figures = export.figures
    if read.has_register:
        figures, _ = apply_register(export.indicators, figures, *read.register, str(period))
    kept = export.indicators[["ref", "part", "status_code"]]
    return pd.concat([kept, figures[["actual", "target", "polarity"]]], axis=1)
