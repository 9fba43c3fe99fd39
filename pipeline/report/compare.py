"""How we compare: each linked indicator's position among similar organisations, from a benchmark dataset.

Written as the benchmarking bodies ask: a position is context, not a league table. The section says how many
organisations are compared, names the peer group and its source, gives ranks with the number ranked, and never
calls a difference a difference where the data cannot bear it (the dataset's confidence intervals, where it
gives them; it is said when it gives none).
"""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Para, number
from pipeline.report.blocks import table as table_block
from pipeline.report.common import short
from pipeline.report.pieces import Chart, Piece, paragraph

QUARTILES = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def standing(rank, n, quartile) -> str:
    """ "3rd of 16 (top quartile)", or "" when there is no rank."""
    if rank is None or pd.isna(rank):
        return ""
    return f"{ordinal(int(rank))} of {int(n)} ({QUARTILES[int(quartile)]})"


def how_we_compare(positions: pd.DataFrame | None, context: dict | None, period=None) -> Piece:
    """The section: what is compared with whom, the chart of positions, and the table of each measure's position
    among the peers and among all, its medians and the change in rank since the period before."""
    if context is None:
        return paragraph(
            "No benchmark dataset was named for this report, so no indicator is compared with other organisations."
        )
    who = context["organisation_name"]
    if context["starts_later"]:
        return paragraph(
            f"The benchmark dataset ({context['dataset']}) starts in {context['first_period']}, after this report's "
            f"period{f' ({period})' if period is not None else ''}, so no indicator can be compared with other "
            "organisations for it."
        )
    if positions is None or positions.empty:
        return paragraph(
            f"No indicator of this report is linked to a measure of {context['dataset']} (a register's benchmark "
            "column or the layout's [benchmark] table links them), so none is compared."
        )
    from pipeline.figures.compare import latest

    now = latest(positions)
    peers = context["peers"] - 1 if context["peers"] else 0
    group = (
        f"its {peers} peers (the comparator group in {context['peers_source']}, {who} included: {context['peers']} in all)"
        if peers
        else "no peer group (none was named)"
    )
    intro = Para(
        (
            f"{who} is set against {context['organisations']} organisations in {context['dataset']} "
            f"({context['first_period']} to {context['last_period']}), and against {group}. A position is context, "
            "not a league table: organisations differ in what they serve and how they count, and "
            + (
                "where the dataset gives a confidence interval, a value whose interval holds the median is called "
                "similar to it, not better or worse. "
                if now[["lower", "upper"]].notna().all(axis=1).any()
                else "the dataset gives no confidence intervals, so a small difference in value may be no real "
                "difference. "
            )
            + "Rank 1 is the best by the measure's polarity; organisations with equal values share a rank.",
        )
    )
    labels = {r.ref: f"{r.measure_code} {r.measure_name}" for r in now.itertuples(index=False)}
    blocks = [intro]
    unranked = now[now["all_rank"].isna()]
    if len(unranked):
        blocks.append(
            Para(
                (
                    "Not ranked: "
                    + "; ".join(f"{r.measure_code} ({r.note})" for r in unranked.itertuples(index=False))
                    + ".",
                ),
                "note",
            )
        )
    piece = Piece(tuple(blocks) + (_table(now),))
    spread = context.get("spread")
    if spread is None or spread.empty:
        return piece
    from pipeline.report.charts import position_chart, to_svg

    ranked = now[now["all_rank"].notna()]
    title = f"Where {who} stands on each measure"
    alt = "Dot chart of positions among all organisations, right is better. " + "; ".join(
        f"{r.measure_code} {r.measure_name}: {standing(r.all_rank, r.all_n, r.all_quartile)} of all"
        + (f", {standing(r.peers_rank, r.peers_n, r.peers_quartile)} of its peers" if peers else "")
        for r in ranked.itertuples(index=False)
    )
    svg = to_svg(position_chart(spread, {r: labels[r] for r in ranked["ref"]}, title))
    caption = (
        f"{title}, in its latest period: every organisation with a value is a grey mark, its peers blue circles, "
        f"{who} the orange diamond; the dashed line is the middle. The table above gives each position in figures."
    )
    figure = Chart.of(svg, alt + ".", caption, "how_we_compare.svg")
    # one piece, so that its chart is published as charts/how_we_compare.svg: the text, the table, then the chart
    return Chart(
        blocks=piece.blocks + figure.blocks,
        svg=svg,
        alt=alt + ".",
        caption=caption,
        filename="how_we_compare.svg",
    )


def _table(now: pd.DataFrame):
    frame = pd.DataFrame(
        {
            "Ref": list(now["ref"]),
            "Measure": [f"{c} {short(n, 70)}".strip() for c, n in zip(now["measure_code"], now["measure_name"])],
            "Period": list(now["period"]),
            "Value": [_value(v, own) for v, own in zip(now["value"], now["own_value"])],
            "Among its peers": [
                standing(r, n, q) for r, n, q in zip(now["peers_rank"], now["peers_n"], now["peers_quartile"])
            ],
            "Peers' median": [number(v) for v in now["peers_median"]],
            "Among all": [standing(r, n, q) for r, n, q in zip(now["all_rank"], now["all_n"], now["all_quartile"])],
            "Median of all": [number(v) for v in now["all_median"]],
            "Against it": list(now["against_all_median"]),
            "Rank since the period before": [_change(c) for c in now["all_rank_change"]],
        }
    )
    return table_block(
        frame,
        "Position on each measure in its latest period",
        row_header="Ref",
        numeric=("Value", "Peers' median", "Median of all"),
        style="figures",
        keep=False,
        widths={"Ref": "8%", "Measure": "22%", "Period": "8%", "Value": "8%"},
    )


def _value(value, own) -> str:
    """The dataset's value, and the export's own figure beside it where they differ."""
    if own is None or pd.isna(own) or pd.isna(value) or abs(float(own) - float(value)) < 1e-9:
        return number(value)
    return f"{number(value)} (own figure {number(own)})"


def _change(change) -> str:
    if change is None or pd.isna(change):
        return ""
    change = int(change)
    if change == 0:
        return "unchanged"
    return f"{'up' if change > 0 else 'down'} {abs(change)} place{'s' if abs(change) != 1 else ''}"


def quartile_counts(positions: pd.DataFrame | None, context: dict | None) -> dict | None:
    """For the front page: how many ranked measures are in the top and the bottom quartile among the peers (among
    all when there is no peer group), with the group's name; None when nothing is compared."""
    if positions is None or positions.empty or context is None or context.get("starts_later"):
        return None
    from pipeline.figures.compare import latest

    now = latest(positions)
    column = "peers_quartile" if context["peers"] else "all_quartile"
    ranked = now[now[column].notna()]
    if ranked.empty:
        return None
    return {
        "ranked": len(ranked),
        "top": int((ranked[column] == 1).sum()),
        "bottom": int((ranked[column] == 4).sum()),
        "group": f"its {context['peers'] - 1} peers"
        if context["peers"]
        else f"{context['organisations']} organisations",
    }


def profile_front(context: dict, period, counts: dict | None) -> Piece:
    """A profile's title and its headline: what is compared with whom, and how many measures are in the top and
    the bottom quartile."""
    from pipeline.report.blocks import Group, Heading, Items, anchor

    who = context["organisation_name"]
    headline = (
        f"Against {counts['group']}, {counts['top']} of the {counts['ranked']} measures ranked are in the top "
        f"quartile and {counts['bottom']} in the bottom."
        if counts
        else "No measure of the dataset could be ranked for it in this period."
    )
    peers = context["peers"] - 1 if context["peers"] else 0
    return Piece(
        (
            Group(
                "title-page",
                (
                    Para((f"{context['dataset']}",), "council"),
                    Heading(1, (f"{who}: how it compares",)),
                    Para((period.title,), "period"),
                ),
            ),
            Heading(2, ("Summary",), anchor("Summary", set())),
            Items(
                (
                    (headline,),
                    (
                        f"{who} ({context['organisation']}) is set against {context['organisations']} organisations"
                        + (f" and its {peers} peers ({context['peers_source']})" if peers else "")
                        + f", over {context['first_period']} to {context['last_period']}.",
                    ),
                )
            ),
        ),
        meta={"title": f"{who}: how it compares, {period.title}"},
    )


def profile_method(context: dict) -> Piece:
    """How a profile's positions are made, in a few sentences."""
    return Piece(
        (
            Para(
                (
                    f"Every figure comes from {context['dataset']} ({context['source']}), read through its layout. For "
                    "each measure and period, the organisation's value is ranked among all organisations with a "
                    "value, and among its peers (itself included): rank 1 is the best by the measure's polarity, "
                    "organisations with equal values share the best rank, and the quartile is the rank's quarter "
                    "(⌈4 × rank / n⌉, 1 the best). A measure whose polarity the dataset does not give is not ranked. "
                    "The figures of every period are in benchmark.csv beside this report.",
                )
            ),
        )
    )
