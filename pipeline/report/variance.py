"""Targets, actuals and variance: the variance chart and its table, statuses the figures do not support,
and which indicators have figures at all."""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Para, Span, number, table
from pipeline.report.common import figures, percent_change, rag_badge, short, status_badge
from pipeline.report.pieces import Chart, Piece, bounded, first_printed, joined, paragraph
from pipeline.report.pieces import table as table_piece
from pipeline.schema import ref_labels


def variance_chart(indicators: pd.DataFrame, source: str = "text", heading: str = "Indicator") -> Piece:
    """Performance against target, in one convention: each assessed indicator's actual against its target as a
    share of the target, turned so that better is always to the right (and said in words: "better than target
    by 12.5%"), in a chart here and in a table in the annex (``against_target_table``), which cover the same
    indicators. An indicator with a target of zero has no share and is named in a sentence.

    The chart holds at most ``charts.MAX_VARIANCE_BARS`` bars so that its labels stay readable on paper; with
    more indicators it draws those furthest below target and says so, and so does the table. (``source`` and
    ``heading`` are the annex table's: where the figures were read, the indicator column's heading.)
    """
    from pipeline.report.charts import to_svg, variance_bars, variance_bars_alt

    assessed, drawn, total = _against(indicators)
    if drawn.empty:
        return paragraph(
            "No indicator can be set against its target: that needs a target, an actual and whether a higher or "
            "a lower figure is better. Annex A says what each indicator lacks."
        )
    if len(drawn) < total:
        title = f"The {len(drawn)} indicators furthest below target"
        caption = (
            f"The {len(drawn)} indicators furthest below target, of {total} with a target and an actual: how far "
            "each actual is from its target, as a share of the target, better to the right."
        )
    else:
        title = "Against target (right is better)"
        caption = (
            f"The {total} indicators with a target and an actual: how far each actual is from its target, as a "
            "share of the target, better to the right whether a higher or a lower figure is better. Each bar "
            "is labelled with the indicator's reference."
        )
    zero = assessed[assessed["variance_pct"].isna()]
    note = [
        Para(
            (
                "Each indicator's name, target and actual, in the chart's order, are in ",
                Span("link", ("Annex C",), "#annex-c-all-indicators"),
                " (the table of performance against target); how each figure is read, and the RAG rule, in ",
                Span("link", ("Annex A",), "#annex-a-method"),
                ".",
            ),
            "note",
        )
    ]
    if len(zero):
        refs = ", ".join(ref_labels(zero))
        note.append(
            Para(
                (
                    f"{len(zero)} indicator{'s have' if len(zero) != 1 else ' has'} a target of zero, which no "
                    f"share can be taken of, so {'they are' if len(zero) != 1 else 'it is'} not in the chart: "
                    f"{refs}.",
                ),
                "note",
            )
        )
    return Chart.of(
        to_svg(variance_bars(drawn, title)),
        variance_bars_alt(drawn),
        caption,
        "variance_from_target.svg",
        Piece(tuple(note)),
    )


def _against(indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The assessed indicators; those the chart draws (a variance as a share of the target, at most
    ``charts.MAX_VARIANCE_BARS``, the furthest below target first to go in), best first, with ``better_pct``
    and a ``label``; and how many have a share at all."""
    from pipeline.figures.measure import better_pct
    from pipeline.report.charts import MAX_VARIANCE_BARS

    assessed = indicators[indicators["rag"] != ""]
    drawn = assessed[assessed["variance_pct"].notna()].copy()
    drawn["ref"] = ref_labels(drawn)
    drawn["better_pct"] = [better_pct(float(v), p) for v, p in zip(drawn["variance_pct"], drawn["polarity"])]
    total = len(drawn)
    if total > MAX_VARIANCE_BARS:  # the furthest below target, ties in export order
        drawn = drawn.sort_values("better_pct", kind="stable").head(MAX_VARIANCE_BARS)
    drawn = drawn.sort_values("better_pct", ascending=False, kind="stable")
    # each bar is labelled with its ref, whole: an indicator's name does not fit beside 48 bars without being cut,
    # and print cuts no name; the table in the annex gives each name in the chart's order, the text alternative too
    drawn["label"] = list(drawn["ref"])
    return assessed, drawn, total


def against_target_table(indicators: pd.DataFrame, heading: str = "Indicator", statements=None) -> Piece:
    """The figures of the chart of performance against target, in its order: each target and actual, and how
    far apart they are in words ("better than target by 12.5%"); when none is set against its target, the
    statement that says why (``statements``: the report's)."""
    _, drawn, total = _against(indicators)
    if drawn.empty:
        said = statements.of("annex: figures") if statements is not None else []
        return paragraph(said[0].sentence if said else "No indicator is set against its target.")
    return Piece((_against_table(drawn, heading),))


def against_target(better: float) -> str:
    """A share of the target in words: "better than target by 12.5%", "worse than target by 3%", "on target"."""
    if better == 0:
        return "on target"
    return f"{'better' if better > 0 else 'worse'} than target by {number(abs(better))}%"


def _against_table(rows: pd.DataFrame, heading: str):
    frame = pd.DataFrame(
        {
            "Ref": list(rows["ref"]),
            heading: list(rows["measure"]),
            "Target": figures(rows["target"], rows["unit"]),
            "Actual": figures(rows["actual"], rows["unit"]),
            "Against target": [against_target(round(b, 1)) for b in rows["better_pct"]],
            "RAG": [rag_badge(r) for r in rows["rag"]],
        }
    )
    return table(
        frame,
        "Performance against target: the figures of the chart, in its order",
        row_header="Ref",
        numeric=("Target", "Actual"),
        style="figures",
        keep=False,
        widths={"Ref": "6%", heading: "44%", "Target": "11%", "Actual": "11%", "RAG": "9%"},
    )


def variance_table(rows: pd.DataFrame, source: str = "text", heading: str = "Indicator") -> Piece:
    """Target, actual, variance, RAG, status check and direction of each assessed indicator, with sources (in
    print, the first ``PRINT_ROWS``)."""
    return bounded(rows, lambda part: [_variance_table(part, source, len(rows), heading)], "indicators assessed")


def _variance_table(rows: pd.DataFrame, source: str, total: int, heading: str):
    frame = pd.DataFrame(
        {
            "Ref": ref_labels(rows),
            heading: [short(m, 70) for m in rows["measure"]],
            "Target": figures(rows["target"], rows["unit"]),
            "Actual": figures(rows["actual"], rows["unit"]),
            "Variance": figures(rows["variance"], rows["unit"], signed=True),
            "Variance %": [percent_change(v) for v in rows["variance_pct"]],
            "Better": [{"higher": "higher", "lower": "lower"}.get(p, "") for p in rows["polarity"]],
            "RAG": [rag_badge(r) for r in rows["rag"]],
            "Status check": [
                c or ("judge\u00adment" if n else "") for c, n in zip(rows["status_check"], rows["status_check_note"])
            ],
            "Direction": rows["direction"],
            "Source": ["register" if r else {"columns": "export"}.get(source, source) for r in rows["from_register"]],
        }
    )
    return table(
        frame,
        f"Figures of the {total:,} indicators assessed against their target{first_printed(len(rows), total)}",
        row_header="Ref",
        numeric=("Target", "Actual", "Variance", "Variance %"),
        style="figures",
        # widths plus cell padding stay inside the page; a figure such as 1,838,307 never breaks
        widths={
            "Ref": "6%",
            heading: "18%",
            "Target": "10%",
            "Actual": "10%",
            "Variance": "9%",
            "Variance %": "8%",
            "Better": "7%",
            "RAG": "9%",
            "Status check": "7%",
            "Direction": "9%",
            "Source": "7%",
        },
    )


def disagreements_section(rows: pd.DataFrame, heading: str = "Indicator", statements=None) -> Piece:
    """How the reported statuses stand against the figures (the report's statement of it), then every indicator
    whose reported status the figures do not support, then the judgement cases."""
    disagree = rows[rows["status_check"] == "disagrees"]
    judged = rows[rows["status_check_note"] != ""]
    said = statements.of("annex: statuses held against the figures") if statements is not None else []
    parts = [paragraph(said[0].sentence, "findings-ok" if disagree.empty else "")] if said else []
    if not disagree.empty:
        parts.append(
            bounded(
                disagree,
                lambda part: [
                    _status_against_figures(
                        part,
                        heading,
                        "Actual",
                        "The figures say",
                        [_verdict(r) for r in part.itertuples(index=False)],
                        f"{len(disagree):,} reported status{'es' if len(disagree) != 1 else ''} not supported by the "
                        "figures" + first_printed(len(part), len(disagree)),
                    )
                ],
                "statuses not supported by the figures",
            )
        )
    if not judged.empty:
        parts.append(
            bounded(
                judged,
                lambda part: [
                    _status_against_figures(
                        part,
                        heading,
                        "Figure so far",
                        "Why it is not checked",
                        list(part["status_check_note"]),
                        f"{len(judged):,} On Track statuses left to judgement" + first_printed(len(part), len(judged)),
                    )
                ],
                "statuses left to judgement",
            )
        )
    return joined(parts)


def _status_against_figures(
    rows: pd.DataFrame, heading: str, actual_label: str, say_label: str, say: list, caption: str
):
    frame = pd.DataFrame(
        {
            "Ref": ref_labels(rows),
            heading: rows["measure"],
            "Reported status": [status_badge(c, s) for c, s in zip(rows["status_code"], rows["status"])],
            "Target": figures(rows["target"], rows["unit"]),
            actual_label: figures(rows["actual"], rows["unit"]),
            say_label: say,
        }
    )
    return table(
        frame,
        caption,
        row_header="Ref",
        numeric=("Target", actual_label),
        style="figures",
        widths={"Ref": "8%", heading: "30%", "Reported status": "16%", "Target": "10%", actual_label: "10%"},
    )


def _verdict(r) -> str:
    met = r.rag == "green"
    return ("target met" if met else f"target missed ({r.rag})") + (
        f", {r.direction} on the baseline" if r.direction else ""
    )


def coverage_section(coverage: pd.DataFrame, reasons: pd.DataFrame) -> Piece:
    """How many indicators have figures and why the rest have none."""
    cov = coverage.rename(columns={"measure": "Indicators", "count": "Number"})
    why = reasons.rename(columns={"reason": "Why there is no assessment against a target", "count": "Indicators"})
    return joined(
        [
            table_piece(
                cov, "Coverage: indicators with figures", numeric=("Number",), row_header="Indicators", style="keep"
            ),
            table_piece(
                why, "Why the other indicators are not assessed against a target", numeric=("Indicators",), style="keep"
            ),
        ]
    )
