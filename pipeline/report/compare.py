"""How we compare: each linked indicator's position among similar organisations, from a benchmark dataset.

Written as the benchmarking bodies ask: a position is context, not a league table. The section says how many
organisations are compared, names the peer group and its source, gives ranks with the number ranked, and never
calls a difference a difference where the data cannot bear it (the dataset's confidence intervals, where it
gives them; it is said when it gives none).
"""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Items, Para, number
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


def how_we_compare(positions: pd.DataFrame | None, context: dict | None, period=None, statements=None) -> Piece:
    """The section: what is compared with whom and how a distance is put into words, one checked sentence per
    measure (``statements``: the report's, of which the How we compare section's are printed), the table of each
    measure's position among the peers and among all, and the chart of positions."""
    if context is None:
        return paragraph(
            "No benchmark dataset was named for this report, so no indicator is compared with other organisations."
        )
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
    from pipeline.figures.facts.period import HOW_WE_COMPARE

    now = latest(positions)
    blocks = [_intro(context, now), Para((bands_said(context["bands"]),), "note")]
    sentences = statements.of(HOW_WE_COMPARE) if statements is not None else []
    if sentences:
        blocks.append(Items(tuple((s.sentence,) for s in sentences)))
    piece = Piece(tuple(blocks) + (_table(now, context),))
    return _with_chart(piece, now, context)


def _intro(context: dict, now: pd.DataFrame) -> Para:
    who = context["organisation_name"]
    peers = context["peers"] - 1 if context["peers"] else 0
    if peers:
        group = f"its peer group: {who} and its {peers} peers (the comparator group in {context['peers_source']})"
    elif context.get("peers_source"):
        group = f"no peer group (none of the peers {context['peers_source']} names for it is in the dataset)"
    else:
        group = "no peer group (none was named)"
    everyone = f"; together, {context['all_name']}" if context.get("all_name") else ""
    return Para(
        (
            f"{who} is set against {context['organisations']:,} organisations in {context['dataset']} "
            f"({context['first_period']} to {context['last_period']}{everyone}), and against {group}. A position is context, not a league table: "
            "organisations differ in what they serve and how they count, and "
            + (
                "where the dataset gives a confidence interval, a value whose interval holds the median is called "
                "similar to it in the table. "
                if now[["lower", "upper"]].notna().all(axis=1).any()
                else "the dataset gives no confidence intervals, so a small difference in value may be no real "
                "difference. "
            )
            + "Rank 1 is the best by the measure's polarity; organisations with equal values share a rank.",
        )
    )


def bands_said(bands: list) -> str:
    """How a distance from the median is put into words, from the bands the report used."""
    parts, low = [], 0.0
    for edge, words in bands:
        said = words.replace("{better}", "better (or worse)").removesuffix(" than").removesuffix(" to")
        parts.append(f"{'up to ' + _edge(edge) if not low else _edge(low) + ' to ' + _edge(edge)}, {said}")
        low = edge
    return (
        "How far a value is from a median is measured in median absolute deviations (MADs): the distance from the "
        "median divided by the median of every value's distance from it. Each band of distance has its words: "
        + "; ".join(parts)
        + f". A distance beyond {_edge(low)} MADs is left for the author to describe, and where half or more of "
        'the organisations share the median value (a MAD of 0) only the direction is said. "Better" is better by '
        "the measure's polarity; a measure without one is higher or lower."
    )


def _edge(value: float) -> str:
    return f"{value:g}"


def _with_chart(piece: Piece, now: pd.DataFrame, context: dict) -> Piece:
    """The section with its chart of positions (the first ``CHART_MEASURES`` ranked measures), when any is
    ranked."""
    spread = context.get("spread")
    if spread is None or spread.empty:
        return piece
    from pipeline.figures.compare import CHART_MEASURES
    from pipeline.report.charts import position_chart, to_svg

    who = context["organisation_name"]
    peers = context["peers"] - 1 if context["peers"] else 0
    ranked = now[now["all_rank"].notna()]
    shown = ranked.head(CHART_MEASURES)
    labels = {r.ref: f"{r.measure_code} {r.measure_name}" for r in shown.itertuples(index=False)}
    title = f"Where {who} stands on each measure"
    alt = "Dot chart of positions among all organisations, right is better. " + "; ".join(
        f"{r.measure_code} {r.measure_name}: {standing(r.all_rank, r.all_n, r.all_quartile)} of all"
        + (f", {standing(r.peers_rank, r.peers_n, r.peers_quartile)} of its peer group" if peers else "")
        for r in shown.itertuples(index=False)
    )
    svg = to_svg(position_chart(spread[spread["ref"].isin(set(shown["ref"]))], labels, title))
    first = f" (the first {len(shown)} of the {len(ranked)} measures ranked)" if len(shown) < len(ranked) else ""
    caption = (
        f"{title}, in its latest period{first}: every organisation with a value is a grey mark, its peers blue "
        f"circles, {who} the orange diamond; the dashed line is the middle. The table above gives each position in "
        "figures."
    )
    figure = Chart.of(svg, alt + ".", caption, "how_we_compare.svg")
    # one piece, so that its chart is published as charts/how_we_compare.svg: the text, the table, then the chart
    return Chart(blocks=piece.blocks + figure.blocks, svg=svg, alt=alt + ".", caption=caption,
                 filename="how_we_compare.svg")  # fmt: skip


def _table(now: pd.DataFrame, context: dict):
    intervals = now[["lower", "upper"]].notna().all(axis=1).any()
    columns = {
        "Measure": [
            f"{c} {short(n, 70)}".strip() if n != c else c for c, n in zip(now["measure_code"], now["measure_name"])
        ],
        "Period": list(now["period"]),
        "Value": [_value(v, own) for v, own in zip(now["value"], now["own_value"])],
    }
    if context["peers"]:
        columns["In its peer group"] = [
            standing(r, n, q) for r, n, q in zip(now["peers_rank"], now["peers_n"], now["peers_quartile"])
        ]
        columns["Peer group's median"] = [number(v) for v in now["peers_median"]]
    everyone = context.get("all_name") or "all"
    columns[f"In {everyone}" if context.get("all_name") else "Among all"] = [
        standing(r, n, q) for r, n, q in zip(now["all_rank"], now["all_n"], now["all_quartile"])
    ]
    median = f"{everyone}'s median" if context.get("all_name") else "Median of all"
    columns[median] = [number(v) for v in now["all_median"]]
    if intervals:
        columns["Interval against the median of all"] = list(now["against_all_median"])
    columns["Rank since the period before"] = [_change(c) for c in now["all_rank_change"]]
    frame = pd.DataFrame(columns)
    return table_block(
        frame,
        "Position on each measure in its latest period",
        row_header="Measure",
        numeric=tuple(c for c in ("Value", "Peer group's median", median) if c in frame),
        style="figures",
        keep=False,
        widths={"Measure": "26%", "Period": "9%", "Value": "9%"},
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


def profile_front(context: dict, period, statements) -> Piece:
    """A profile's title and its summary: the comparison's front-page statements (how many measures are in the top
    and the bottom quartile, which are much better or much worse than the median) and what is compared with whom."""
    from pipeline.figures.facts.period import GOING_WELL, NEEDS_ATTENTION, SUMMARY
    from pipeline.report.blocks import Group, Heading, anchor

    who = context["organisation_name"]
    said = [(s.sentence,) for section in (SUMMARY, GOING_WELL, NEEDS_ATTENTION) for s in statements.of(section)]
    peers = context["peers"] - 1 if context["peers"] else 0
    said.append(
        (
            f"{who} ({context['organisation']}) is set against {context['organisations']:,} organisations"
            + (f" and its {peers} peers ({context['peers_source']})" if peers else "")
            + f", over {context['first_period']} to {context['last_period']}.",
        )
    )
    if not statements.of(SUMMARY):
        said.insert(0, ("No measure of the dataset could be ranked for it in this period.",))
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
            Items(tuple(said)),
        ),
        meta={"title": f"{who}: how it compares, {period.title}"},
    )


def profile_method(context: dict, findings: list | tuple = ()) -> Piece:
    """How a profile's positions are made and put into words, and what the data said about itself
    (``findings``: (line, ref, check, finding, action) as ``compare.findings`` gives them)."""
    blocks = [
        Para(
            (
                f"Every figure comes from {context['dataset']} ({context['source']}), read through its layout. For "
                "each measure and period, the organisation's value is ranked among all organisations with a "
                "value, and among its peer group (itself included): rank 1 is the best by the measure's polarity, "
                "organisations with equal values share the best rank, and the quartile is the rank's quarter "
                "(⌈4 × rank / n⌉, 1 the best). A measure whose polarity the dataset does not give is not ranked, nor "
                "is any group in which fewer than two organisations have a value. The figures of every period are in "
                "benchmark.csv beside this report, and every generated sentence in statements.csv, with the figures "
                "it rests on.",
            )
        ),
        Para((bands_said(context["bands"]),)),
    ]
    if findings:
        blocks.append(Para(("What the data says about itself:",), "lead-in"))
        blocks.append(Items(tuple((f"{finding} ({action}).",) for _, _, _, finding, action in findings)))
    else:
        blocks.append(Para(("The dataset and the peers file gave no finding: no row twice, no value that is an infinite "
                            "number, no peer the dataset lacks.",), "findings-ok"))  # fmt: skip
    return Piece(tuple(blocks))


def over_the_years(positions: pd.DataFrame | None, context: dict | None) -> Piece:
    """A profile's measures over the dataset's periods: the organisation's value beside the medians of its peer
    group and of all, as small multiples (the first twelve measures with two or more periods), with the figures in
    words for a screen reader and in benchmark.csv."""
    from pipeline.report.blocks import Figure
    from pipeline.report.spc_charts import PER_FIGURE
    from pipeline.report.spc_charts import over_the_years as draw

    if positions is None or positions.empty or context is None:
        return paragraph("The dataset has no periods for this organisation.")
    who = context["organisation_name"]
    counts = positions.groupby("ref", sort=False)["value"].count()
    refs = [r for r in dict.fromkeys(positions["ref"]) if counts.get(r, 0) >= 2][:PER_FIGURE]
    if not refs:
        return paragraph(f"{who} has a value in fewer than two periods on every measure, so none is drawn over time.")
    series = []
    for ref in refs:
        rows = positions[positions["ref"] == ref].reset_index(drop=True)
        name = rows["measure_name"].iloc[0]
        series.append((f"{ref} {short(name, 40)}" if name != ref else ref, rows))
    title = f"{who} over the years, beside the medians"
    alt = f"Small multiples of {len(refs)} measures over time. " + " ".join(
        f"{name}: "
        + ", ".join(f"{p} {number(v)}" for p, v in zip(rows["period"], rows["value"]) if not pd.isna(v))
        + "."
        for name, rows in series
    )
    caption = (
        f"{title}: each measure's value for {who} in each period of the dataset (the line with points), the median "
        "of its peer group (dotted) and of all organisations (dashed). Every figure is in benchmark.csv."
    )
    figure = Figure(draw(series, title, who), alt, caption)
    return Piece((figure,), meta={"chart_files": ["over_the_years.svg"]})
