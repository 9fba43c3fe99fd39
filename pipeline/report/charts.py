"""Charts: matplotlib figures drawn from measured tables, saved as byte-stable SVG.

Colours are the Okabe-Ito colour-blind-safe palette, and every status has a
hatch pattern too, so status never rests on colour alone. Each chart comes
with a text alternative written from the same table it draws.
"""

from __future__ import annotations

import io
import textwrap
import warnings

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from pipeline.figures.measure import NOT_ASSESSED, better_pct  # noqa: F401  (better_pct: part of charts' API)
from pipeline.report.fonts import printable
from pipeline.schema import PLAIN_SCALE

# One style per status code, whatever the organisation calls it (line hatches only: dotted hatches cost
# about 0.5 s per chart to print, and grow the SVG).
CODE_STYLE = {
    1: {"color": "#0072B2", "hatch": "", "text": "white", "short": "achieved"},
    2: {"color": "#56B4E9", "hatch": "||", "text": "black", "short": "on track"},
    3: {"color": "#E69F00", "hatch": "//", "text": "black", "short": "slipped"},
    4: {"color": "#D55E00", "hatch": "xx", "text": "black", "short": "not achieved"},
}
NOT_ASSESSED_STYLE = {"color": "#DDDDDD", "hatch": "--", "text": "black", "short": "not assessed"}


def status_styles(labels: dict | None = None) -> dict:
    """Label -> style for the status columns of a table drawn with ``labels`` (the organisation's ``Scale``:
    code -> its words; plain words by default). Each code's colour and hatch come from its meaning, never from
    a word; a chart's short words are the organisation's own, or on a numbered scale (whose words are long
    sentences such as "On Track to Achieve Target") the meaning's."""
    labels = PLAIN_SCALE if labels is None else labels
    numbered = getattr(labels, "numbered", False)
    styles = {label: CODE_STYLE[code] | ({} if numbered else {"short": label}) for code, label in labels.items()}
    return styles | {NOT_ASSESSED: NOT_ASSESSED_STYLE}


_SVG_RC = {
    "svg.hashsalt": "council-plan-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "hatch.linewidth": 0.6,
    "axes.titlesize": 11,
}
WIDTH_IN = 7.0  # fits the A4 text column of the PDF (182 mm)
# The print stylesheet shrinks a chart taller than 235 mm (9.25 in) to fit a page with its caption; at most
# this height a chart prints at its own size, so a label drawn at LABEL_PT prints at LABEL_PT.
MAX_HEIGHT_IN = 9.2
LABEL_PT = 8.5  # the smallest text in any chart: at least 8 pt on paper, with room to spare
MAX_STATUS_GROUPS = 18  # bars in one status chart: (MAX_HEIGHT_IN - 1.6) / 0.42
MAX_VARIANCE_BARS = 48  # bars in the variance chart: (MAX_HEIGHT_IN - 1.4) / 0.16
MIN_VARIANCE_HEIGHT_IN = 2.4  # room for the title, the axis, its label and the legend, and an inch for the bars


def status_bars(table: pd.DataFrame, title: str, labels: dict | None = None) -> Figure:
    """Horizontal stacked bars: one bar per group (row of ``table``), one segment per status column.

    ``table`` is ``measure.status_by``'s output (status columns plus ``Total``), drawn with ``labels``; at most
    ``MAX_STATUS_GROUPS`` rows, so that every label prints at ``LABEL_PT``.
    """
    if len(table) > MAX_STATUS_GROUPS:
        raise ValueError(
            f"{len(table)} bars do not fit one readable chart (at most {MAX_STATUS_GROUPS}); choose which to draw"
        )
    styles = status_styles(labels)
    statuses = [c for c in styles if c in table.columns]
    groups = list(table.index)
    lines = max((_label(str(g), 30).count("\n") + 1 for g in groups), default=1)
    pitch = 0.12 + 0.12 * lines  # a bar as tall as its longest label needs (at LABEL_PT: 0.12 in a line), and a gap
    keys = [_label(s, 28) for s in statuses]  # the legend's words, wrapped: an organisation's can be long
    ncol = 3 if all(len(k) <= 28 for k in statuses) else 2
    rows = [keys[i : i + ncol] for i in range(0, len(keys), ncol)]
    legend_in = 0.15 + 0.2 * sum(max(k.count("\n") + 1 for k in row) for row in rows)  # 0.55 for two rows of one line
    with rc_context(_SVG_RC):
        height = min(1.6 + (legend_in - 0.55) + pitch * len(groups), MAX_HEIGHT_IN)
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        left = pd.Series(0, index=table.index, dtype="int64")
        positions = range(len(groups))
        for status in statuses:
            style = styles[status]
            values = table[status]
            bars = ax.barh(
                positions,
                values,
                left=left,
                color=style["color"],
                hatch=style["hatch"],
                edgecolor="#333333",
                linewidth=0.5,
                label=status,
            )
            for bar, value in zip(bars, values):
                if value and bar.get_width() >= 0.9:
                    ax.text(
                        bar.get_x() + bar.get_width() / 2,
                        bar.get_y() + bar.get_height() / 2,
                        str(value),
                        ha="center",
                        va="center",
                        fontsize=LABEL_PT,
                        color=style["text"],
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": style["color"], "edgecolor": "none"},
                    )
            left = left + values
        ax.set_yticks(list(positions), [_label(str(g), 30) for g in groups], fontsize=LABEL_PT)
        ax.invert_yaxis()
        ax.set_xlabel("Number of indicators")
        ax.set_xlim(0, max(int(table["Total"].max()), 1) * 1.05)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(_wrap(title, 60), loc="left", fontweight="bold")
        handles = [
            Patch(facecolor=styles[s]["color"], hatch=styles[s]["hatch"], edgecolor="#333333", linewidth=0.5, label=k)
            for s, k in zip(statuses, keys)
        ]
        fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=LABEL_PT)
        fig.set_layout_engine(TightLayoutEngine(rect=(0, legend_in / height, 1, 1)))
    return fig


def _wrap(text: str, width: int) -> str:
    """Wrap a label at spaces, never inside a word (a word longer than ``width`` stays whole)."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


LABEL_LINES = 3  # a bar's label takes at most this many lines; the table beside the chart gives it whole


def _label(text: str, width: int, lines: int = LABEL_LINES) -> str:
    """A bar's label: wrapped at spaces, a word longer than ``width`` broken into pieces (a 200-character name
    without spaces would push the bars off the figure), at most ``lines`` lines, the last cut with an ellipsis."""
    wrapped = textwrap.wrap(" ".join(text.split()), width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "\u2026"
    return "\n".join(wrapped)


def status_bars_alt(table: pd.DataFrame, by: str, labels: dict | None = None) -> str:
    """The text alternative of ``status_bars``: every bar's figures in words."""
    styles = status_styles(labels)
    statuses = [c for c in styles if c in table.columns]
    parts = []
    for group, row in table.iterrows():
        counts = ", ".join(f"{int(row[s])} {styles[s]['short']}" for s in statuses if int(row[s]))
        parts.append(f"{group}: {counts or 'no indicators'}")
    return f"Bar chart of indicator status by {by}. " + "; ".join(parts) + "."


def to_svg(fig: Figure) -> str:
    """Render a figure as SVG text with no date and fixed element ids, so equal figures give equal bytes; a
    character of a label that the report's fonts lack is a placeholder (``fonts.printable``)."""
    buffer = io.StringIO()
    with rc_context(_SVG_RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)  # printed as a placeholder
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    # the SVG's text is set in DejaVu Sans alone (an SVG names one family): a character it lacks is a placeholder
    return printable(buffer.getvalue(), fallback=False)


RAG_STYLE = {
    "green": {"color": "#009E73", "hatch": "", "label": "Green: target met"},
    "amber": {"color": "#E69F00", "hatch": "//", "label": "Amber: missed within tolerance"},
    "red": {"color": "#D55E00", "hatch": "xx", "label": "Red: missed beyond tolerance"},
}
VARIANCE_CLIP = 100.0


def variance_bars(rows: pd.DataFrame, title: str) -> Figure:
    """Diverging bars, one per indicator: % variance from target, right always better.

    ``rows`` has ``label``, ``better_pct`` and ``rag``, already in the order to draw (top first), at most
    ``MAX_VARIANCE_BARS`` of them, so that every label prints at ``LABEL_PT``. Bars beyond +/-100% are clipped
    at the axis and labelled with their value.
    """
    n = len(rows)
    if n > MAX_VARIANCE_BARS:
        raise ValueError(f"{n} bars do not fit one readable chart (at most {MAX_VARIANCE_BARS}); choose which to draw")
    with rc_context(_SVG_RC):
        # with fewer than five bars the title, the axis label and the legend left the bars no room, and overlapped
        height = min(max(1.4 + (0.2 if n <= 30 else 0.16) * n, MIN_VARIANCE_HEIGHT_IN), MAX_HEIGHT_IN)
        bar_font = LABEL_PT
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        positions = list(range(n))
        values = [max(-VARIANCE_CLIP, min(VARIANCE_CLIP, v)) for v in rows["better_pct"]]
        # one set of bars per RAG (each its own colour and hatch), each labelled with its unclipped figure
        for rag, style in RAG_STYLE.items():
            drawn = [
                (p, v, raw) for p, v, raw, r in zip(positions, values, rows["better_pct"], rows["rag"]) if r == rag
            ]
            if not drawn:
                continue
            bars = ax.barh(
                [p for p, _, _ in drawn],
                [v for _, v, _ in drawn],
                color=style["color"],
                hatch=style["hatch"],
                edgecolor="#333333",
                linewidth=0.5,
            )
            # a bar clipped at the axis carries its figure inside its end (outside, at -100%, it ran into the
            # labels of the indicators); the others just beyond their end
            clipped = [abs(raw) > VARIANCE_CLIP for _, _, raw in drawn]
            ax.bar_label(
                bars,
                ["" if cut else f"{raw:+.1f}%" for (_, _, raw), cut in zip(drawn, clipped)],
                padding=2,
                fontsize=bar_font,
            )
            if any(clipped):
                ax.bar_label(
                    bars,
                    [f"{raw:+.1f}%" if cut else "" for (_, _, raw), cut in zip(drawn, clipped)],
                    label_type="center",
                    fontsize=bar_font,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                )
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(positions, list(rows["label"]), fontsize=bar_font)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(-VARIANCE_CLIP * 1.3, VARIANCE_CLIP * 1.3)
        ax.set_xticks([-100, -50, 0, 50, 100], ["-100%", "-50%", "0", "+50%", "+100%"])
        ax.set_xlabel(_wrap("% of target: right of 0 is better (bars stop at \u00b1100%)", 36))
        ax.spines[["top", "right"]].set_visible(False)
        # the title starts at the figure's left edge, not the axes': long labels push the axes right, and a title
        # set on them ran off the figure
        fig.suptitle(_wrap(title, 60), x=0.01, ha="left", fontweight="bold", fontsize=_SVG_RC["axes.titlesize"])
        handles = [
            Patch(facecolor=s["color"], hatch=s["hatch"], edgecolor="#333333", linewidth=0.5, label=s["label"])
            for s in RAG_STYLE.values()
        ]
        fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=LABEL_PT)
        fig.set_layout_engine(TightLayoutEngine(rect=(0, 0.45 / height, 1, 1)))
    return fig


def variance_bars_alt(rows: pd.DataFrame) -> str:
    """The text alternative of ``variance_bars``: every indicator (ref and name) with its variance and RAG."""
    names = rows["measure"] if "measure" in rows else [""] * len(rows)
    parts = [
        f"{label}{' ' + ' '.join(str(name).split()) if name else ''}: {value:+.1f}% ({rag})"
        for label, name, value, rag in zip(rows["ref"], names, rows["better_pct"], rows["rag"])
    ]
    return (
        f"Diverging bar chart of variance from target for {len(parts)} indicators, as % of the target, "
        "positive meaning better than target. " + "; ".join(parts) + "."
    )


TIMELINE_STYLE = {  # state -> marker, colour (shape and colour both tell the state)
    "due before the period": ("s", "#D55E00"),
    "due in the period": ("^", "#0072B2"),
    "due later": ("o", "#009E73"),
}


def timeline(rows: pd.DataFrame, period_start, period_end, title: str) -> Figure:
    """Milestones by due date (x) and development priority (y); the period shaded.

    ``rows`` has ``priority_label``, ``due`` (datetime.date) and ``state``, dated milestones only.
    """
    import matplotlib.dates as mdates

    labels = list(dict.fromkeys(rows["priority_label"]))
    with rc_context(_SVG_RC):
        height = min(1.8 + 0.32 * max(len(labels), 1), MAX_HEIGHT_IN)
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        ax.axvspan(
            mdates.date2num(period_start), mdates.date2num(period_end), color="#DDDDDD", zorder=0, label="the period"
        )
        for state, (marker, colour) in TIMELINE_STYLE.items():
            part = rows[rows["state"] == state]
            if part.empty:
                continue
            ys = [labels.index(p) for p in part["priority_label"]]
            ax.scatter(
                [mdates.date2num(d) for d in part["due"]],
                ys,
                marker=marker,
                s=36,
                color=colour,
                edgecolor="#333333",
                linewidth=0.5,
                zorder=3,
                label=state.capitalize(),
            )
        ax.set_yticks(range(len(labels)), [_label(label, 34) for label in labels], fontsize=LABEL_PT)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
            label.set_fontsize(LABEL_PT)
        ax.grid(axis="x", color="#E5E5E5", zorder=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(_wrap(title, 50), loc="left", fontweight="bold")
        fig.legend(loc="lower center", ncol=4, frameon=False, fontsize=LABEL_PT)
        fig.set_layout_engine(TightLayoutEngine(rect=(0, 0.5 / height, 1, 1)))
    return fig


def timeline_alt(rows: pd.DataFrame, period_label: str) -> str:
    """The text alternative of ``timeline``: per priority, how many milestones and their date range."""
    parts = []
    for label, group in rows.groupby("priority_label", sort=False):
        states = ", ".join(f"{n} {s}" for s, n in group["state"].value_counts().items())
        parts.append(
            f"{label}: {len(group)} milestones from {min(group['due']):%B %Y} to {max(group['due']):%B %Y} ({states})"
        )
    return (
        f"Timeline of dated milestones by development priority, with {period_label} shaded. " + "; ".join(parts) + "."
    )


def budget_bars(changes: pd.DataFrame, title: str) -> Figure:
    """One bar per year (``changes`` from ``milestones.year_on_year``), labelled with the change on the year before."""
    with rc_context(_SVG_RC):
        fig = Figure(figsize=(WIDTH_IN, 3.2))
        ax = fig.add_subplot()
        positions = range(len(changes))
        bars = ax.bar(positions, changes["amount"], color="#0072B2", edgecolor="#333333", linewidth=0.5)
        for bar, amount, change, pct in zip(bars, changes["amount"], changes["change"], changes["change_pct"]):
            text = f"£{amount:,.0f}" + ("" if pd.isna(change) else f"\n{change:+,.0f} ({pct:+.1f}%)")
            ax.text(
                bar.get_x() + bar.get_width() / 2, bar.get_height(), text, ha="center", va="bottom", fontsize=LABEL_PT
            )
        ax.set_xticks(list(positions), list(changes["year"]))
        ax.set_ylim(0, float(changes["amount"].max()) * 1.25)
        ax.yaxis.set_major_formatter(lambda v, _: f"£{v / 1e6:.1f}m")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(_wrap(title, 60), loc="left", fontweight="bold")
        fig.set_layout_engine(TightLayoutEngine())
    return fig


def budget_bars_alt(changes: pd.DataFrame, line: str) -> str:
    parts = [
        f"{y} £{a:,.0f}" + ("" if pd.isna(c) else f" ({c:+,.0f} on the year before)")
        for y, a, c in zip(changes["year"], changes["amount"], changes["change"])
    ]
    return f"Bar chart of {line} by year: " + "; ".join(parts) + "."


def position_chart(spread: pd.DataFrame, labels: dict[str, str], title: str) -> Figure:
    """Each organisation's position on each measure, 0 (worst) to 100 (best), one row a measure: every
    organisation a small grey dot, its peers blue circles, the organisation an orange diamond, the middle (the
    median's position) a dashed line. ``labels``: each row's label by ``ref``, in the order to draw."""
    refs = [r for r in labels if r in set(spread["ref"])]
    lines = max((_label(labels[r], 34).count("\n") + 1 for r in refs), default=1)
    pitch = 0.2 + 0.12 * lines
    with rc_context(_SVG_RC):
        height = min(1.7 + pitch * max(len(refs), 1), MAX_HEIGHT_IN)
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        for y, ref in enumerate(refs):
            rows = spread[spread["ref"] == ref]
            others = rows[~rows["peer"] & ~rows["self"]]
            peers = rows[rows["peer"] & ~rows["self"]]
            mine = rows[rows["self"]]
            ax.scatter(others["position"], [y] * len(others), s=10, color="#BBBBBB", marker="|", linewidths=0.8)
            ax.scatter(peers["position"], [y] * len(peers), s=28, facecolor="none", edgecolor="#0072B2", linewidths=1.1)
            ax.scatter(mine["position"], [y] * len(mine), s=90, color="#D55E00", marker="D", edgecolor="#333333")
        ax.axvline(50, color="#333333", linestyle="--", linewidth=0.8)
        ax.set_yticks(range(len(refs)), [_label(labels[r], 34) for r in refs], fontsize=LABEL_PT)
        ax.set_ylim(len(refs) - 0.5, -0.5)
        ax.set_xlim(-4, 104)
        ax.set_xticks([0, 25, 50, 75, 100], ["worst", "", "middle", "", "best"])
        ax.set_xlabel("Position among all organisations with a value (right is better)")
        ax.spines[["top", "right"]].set_visible(False)
        fig.suptitle(_wrap(title, 60), x=0.01, ha="left", fontweight="bold", fontsize=_SVG_RC["axes.titlesize"])
        handles = [
            Line2D(
                [], [], marker="D", color="#D55E00", markeredgecolor="#333333", linestyle="", label="This organisation"
            ),
            Line2D([], [], marker="o", markerfacecolor="none", color="#0072B2", linestyle="", label="Its peers"),
            Line2D([], [], marker="|", color="#BBBBBB", linestyle="", label="Every other organisation"),
        ]
        fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=LABEL_PT)
        fig.set_layout_engine(TightLayoutEngine(rect=(0, 0.45 / height, 1, 0.97)))
    return fig
