"""The exceptions: every indicator off track, one row each and then its full text."""

from __future__ import annotations

import pandas as pd

from ..measure import in_group_order
from .blocks import Group, Heading, Para, Span, table
from .common import (
    anchors,
    column,
    directorate_name,
    figure,
    figures,
    first_sentence,
    periods_off,
    rag_badge,
    ref_column,
    short,
    status_badge,
)
from .pieces import Piece, bounded, paragraph

NONE_GIVEN = "None given in the export."


def exceptions_summary(exceptions: pd.DataFrame, names: dict | None = None) -> Piece:
    """One row per off-track indicator, grouped by theme: ref (a link to its full text below), measure,
    directorate, status and RAG (word and shape), target, actual, variance, how many consecutive periods it has
    been off track, and the first sentence of its remedial action."""
    if exceptions.empty:
        return paragraph("No indicator slipped or missed its target in this period.")
    return bounded(exceptions, lambda rows: _summary_blocks(rows, names), "off-track indicators")


def _summary_blocks(exceptions: pd.DataFrame, names: dict | None) -> list:
    out = []
    exceptions = exceptions.reset_index(drop=True)
    links = pd.Series(anchors(ref_column(exceptions)), index=exceptions.index)
    for theme, group in in_group_order(exceptions, "theme"):
        units = column(group, "unit")
        frame = pd.DataFrame(
            {
                "Ref": [Span("link", (r,), "#" + a) for r, a in zip(ref_column(group), links[group.index])],
                "Indicator": [short(m, 90) for m in group["measure"]],
                "Direc\u00adtorate": [directorate_name(d, names) for d in group["directorate"]],
                "Status": [status_badge(code_of(r), r.status) for r in group.itertuples(index=False)],
                "RAG": [rag_badge(r) for r in column(group, "rag")],
                "Target": figures(column(group, "target", None), units),
                "Actual": figures(column(group, "actual", None), units),
                "Vari\u00adance": figures(column(group, "variance", None), units, signed=True),
                "Periods off track": [periods_off(r) for r in group.itertuples(index=False)],
                "Remedial action (first sentence)": [first_sentence(t) if t else NONE_GIVEN for t in group["remedial"]],
            }
        )
        out.append(
            table(
                frame,
                f"{theme or 'No theme'}: {len(frame)} off track",
                numeric=("Target", "Actual", "Vari\u00adance", "Periods off track"),
                style="figures",
                keep=False,
                # fixed layout: the widths and the cells' padding together must stay inside the page
                widths={
                    "Ref": "5%",
                    "Indicator": "14%",
                    "Direc\u00adtorate": "13%",
                    "Status": "10%",
                    "RAG": "6%",
                    "Target": "9%",
                    "Actual": "9%",
                    "Vari\u00adance": "8%",
                    "Periods off track": "7%",
                    "Remedial action (first sentence)": "15%",
                },
            )
        )
    return out


def exceptions_table(exceptions: pd.DataFrame) -> Piece:
    """Every off-track indicator as a block: measure, status, progress and remedial text (in print, the first
    ``PRINT_ROWS``)."""
    if exceptions.empty:
        return paragraph("No indicator slipped or missed its target in this period.")
    return bounded(exceptions, _full_blocks, "off-track indicators")


def _full_blocks(exceptions: pd.DataFrame) -> list:
    out = []
    refs = ref_column(exceptions)
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
    return [Para((f"{len(out)} indicators slipped or did not achieve their target.",), "lead-in")] + out


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
