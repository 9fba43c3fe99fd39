"""The exceptions: every indicator off track, one row each and then its full text."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.measure import in_group_order
from pipeline.report import pieces
from pipeline.report.blocks import Group, Heading, Para, Span, table
from pipeline.report.common import (
    anchors,
    column,
    directorate_name,
    figure,
    periods_off,
    rag_badge,
    status_badge,
)
from pipeline.report.pieces import Piece, bounded, first_printed, paragraph
from pipeline.schema import ref_labels

NONE_GIVEN = "None given in the export."


def exceptions_table(exceptions: pd.DataFrame) -> Piece:
    """Every off-track indicator as a block: measure, status, progress and remedial text (in print, the first
    ``PRINT_ROWS``)."""
    if exceptions.empty:
        return paragraph("No indicator slipped or missed its target in this period.")
    return bounded(exceptions, lambda rows: _full_blocks(rows, len(exceptions)), "off-track indicators")


def _full_blocks(exceptions: pd.DataFrame, total: int) -> list:
    out = []
    refs = ref_labels(exceptions)
    for ref, anchor, row in zip(refs, anchors(refs), exceptions.itertuples(index=False)):
        remedial = (row.remedial,) if row.remedial else (Span("muted", (NONE_GIVEN,)),)
        blocks = (
            Heading(3, (Span("ref", (ref,)), f" {row.measure}")),
            Para(
                (
                    status_badge(code_of(row), row.status),
                    f" \u00b7 {row.directorate or 'no directorate given'} \u00b7 {row.theme}"
                    f" \u00b7 source line {int(row.source_line)}",
                ),
                "meta",
            ),
            *_figures_line(row),
            Para(("Progress",), "label"),
            Para((row.progress or NONE_GIVEN,)),
            Para(("Slippage / remedial action",), "label"),
            Para(remedial),
        )
        out.append(Group("article", blocks, id=anchor, style="exception"))
    lead = f"{total:,} indicators slipped or did not achieve their target{first_printed(len(out), total)}."
    return [Para((lead,), "lead-in")] + out


def code_of(row):
    """A row's status code (None: not assessed)."""
    code = getattr(row, "status_code", None)
    return None if code is None or pd.isna(code) else code


def _figures_line(row) -> tuple:
    if not getattr(row, "rag", ""):
        return ()
    unit = getattr(row, "unit", "") or ""
    return (
        Para(
            (
                "Target ",
                figure(row.target, unit),
                ", actual ",
                figure(row.actual, unit),
                " (",
                rag_badge(row.rag),
                ", variance ",
                figure(row.variance, unit, signed=True),
                ")",
            ),
            "meta",
        ),
    )


TREND_MARKS = {"improved": "\u2191 better", "worse": "\u2193 worse", "same": "\u2192 no change"}


def exceptions_at_a_glance(
    exceptions: pd.DataFrame,
    statements,
    layout,
    names: dict | None = None,
    earlier_read: bool = False,
    compared: pd.DataFrame | None = None,
    spc: pd.DataFrame | None = None,
) -> Piece:
    """The committee's exception table: one row per indicator off track, in theme order: what it measures and
    which group, target (or the target in words), actual and the figure before (the previous period's, else the
    baseline), the trend, how it stands in words (its statement: the status and what the figures say), and the
    reason and action in full (said plainly when there is none, or the export has no column for it).
    ``earlier_read``: an earlier period was read, so how many periods in a row each has been off track is known
    and shown. ``compared``: the comparison positions, so that an exception linked to a measure shows its quartile
    among its peers. ``spc``: the charts of ``spc.csv``, so that how each stands shows its variation and assurance
    icons (for those with process limits; too few points is said in the annexes, not here)."""
    if exceptions.empty:
        return paragraph("No indicator slipped or missed its target in this period.")
    quartiles = _quartiles(compared)
    from pipeline.report.spc import icons

    stands = {s.refs[0]: (s.sentence,) for s in statements.of("exceptions") if s.refs}
    for ref, shown in icons(spc, charted_only=True).items():
        if ref in stands:
            stands[ref] += ("\n", *shown)
    return bounded(
        exceptions,
        lambda rows: [_glance_table(rows, names, earlier_read, quartiles, len(exceptions), stands, layout)],
        "off-track indicators",
        limit=min(pieces.BODY_PRINT_ROWS, pieces.PRINT_ROWS),
    )


def reason_and_action(row, layout) -> tuple:
    """An indicator's reason and action as the export gives them: the remedial action where the export has a
    column for it, else its commentary; said plainly where the row gives none, or the export has no such column."""
    remedial = str(getattr(row, "remedial", "") or "").strip()
    progress = str(getattr(row, "progress", "") or "").strip()
    if "remedial" in layout.columns:
        return (remedial,) if remedial else (Span("strong", ("No remedial action reported.",)),)
    if "progress" in layout.columns:
        return (progress,) if progress else (Span("strong", ("No reason or action given.",)),)
    return (Span("muted", ("The export has no commentary column.",)),)


def _quartiles(compared: pd.DataFrame | None) -> dict:
    """ref -> "top quartile of its peers" (of all, without peers), from the latest benchmark positions."""
    if compared is None or compared.empty:
        return {}
    from pipeline.figures.compare import latest
    from pipeline.report.compare import QUARTILES

    out = {}
    for r in latest(compared).itertuples(index=False):
        if not pd.isna(r.peers_quartile):
            out[r.ref] = f"{QUARTILES[int(r.peers_quartile)]} of its peers"
        elif not pd.isna(r.all_quartile):
            out[r.ref] = f"{QUARTILES[int(r.all_quartile)]} of all"
    return out


def _glance_table(exceptions, names, earlier_read: bool, quartiles, total: int, stands: dict, layout):

    exceptions = exceptions.reset_index(drop=True)
    links = pd.Series(anchors(ref_labels(exceptions)), index=exceptions.index)  # as the full text's, in its order
    rows = pd.concat([group for _, group in in_group_order(exceptions, "theme")])
    units = column(rows, "unit")
    previous = column(rows, "previous_actual", None)
    before_label = "Previous" if previous.notna().any() else "Baseline"
    before = previous if before_label == "Previous" else column(rows, "baseline", None)
    trends = column(rows, "direction")
    periods = [periods_off(r) for r in rows.itertuples(index=False)] if earlier_read else [""] * len(rows)
    frame = pd.DataFrame(
        {
            "Ref": [Span("link", (r,), "#" + a) for r, a in zip(ref_labels(rows), links[rows.index])],
            f"Indicator and {layout.group_name}": [
                (m, "\n", Span("muted", (directorate_name(d, names),)))
                for m, d in zip(rows["measure"], rows["directorate"])
            ],
            "Figures": [
                _figure_lines(t, a, b, before_label, u, trend, n, words) + _quartile_line(ref, quartiles)
                for ref, t, a, b, u, trend, n, words in zip(
                    rows["ref"],
                    column(rows, "target", None),
                    column(rows, "actual", None),
                    before,
                    units,
                    trends,
                    periods,
                    column(rows, "target_text"),
                )
            ],
            "How it stands": [stands.get(label, ()) for label in ref_labels(rows)],
            "Reason and action": [reason_and_action(r, layout) for r in rows.itertuples(index=False)],
        }
    )
    caption = (
        f"The {total:,} indicators that slipped or did not achieve their target"
        if total != 1
        else "The one indicator that slipped or did not achieve its target"
    )
    return table(
        frame,
        caption + first_printed(len(frame), total),
        style="figures",
        keep=False,
        widths={"Ref": "5%", f"Indicator and {layout.group_name}": "23%", "Figures": "15%", "How it stands": "14%"},
    )


def _quartile_line(ref: str, quartiles: dict | None) -> tuple:
    return ("\n", quartiles[ref]) if quartiles and ref in quartiles else ()


def _figure_lines(target, actual, before, before_label: str, unit, trend: str, periods: str, words="") -> tuple:
    """An off-track indicator's figures, one to a line: target (or the target in words), actual, the figure before,
    its trend, and how many periods in a row it has been off track (when earlier periods were read)."""
    unit = unit if isinstance(unit, str) else ""
    lines = [
        (label, figure(value, unit))
        for label, value in (("Target", target), ("Actual", actual), (before_label, before))
        if value is not None and not pd.isna(value)
    ]
    if (target is None or pd.isna(target)) and isinstance(words, str) and words:
        lines.insert(0, ("Target", words))
    out: list = []
    for label, value in lines:
        out += [f"{label} ", value, "\n"]
    if trend in TREND_MARKS:
        out += [TREND_MARKS[trend], "\n"]
    if periods:
        out += [f"{periods} period{'s' if periods != '1' else ''} off track", "\n"]
    return tuple(out[:-1]) if out else ("No figures",)
