"""Stage 4, charts: matplotlib figures drawn from measured tables, saved as byte-stable SVG.

Colours are the Okabe-Ito colour-blind-safe palette, and every status has a
hatch pattern too, so status never rests on colour alone. Each chart comes
with a text alternative written from the same table it draws.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .measure import NOT_ASSESSED

STATUS_STYLE = {
    "Achieved Target": {"color": "#0072B2", "hatch": "", "text": "white", "short": "achieved"},
    "On Track to Achieve Target": {"color": "#56B4E9", "hatch": "..", "text": "black", "short": "on track"},
    "Slipped": {"color": "#E69F00", "hatch": "//", "text": "black", "short": "slipped"},
    "Target Not Achieved": {"color": "#D55E00", "hatch": "xx", "text": "black", "short": "not achieved"},
    NOT_ASSESSED: {"color": "#DDDDDD", "hatch": "--", "text": "black", "short": "not assessed"},
}
_SVG_RC = {"svg.hashsalt": "council-plan-report", "svg.fonttype": "path", "font.family": "DejaVu Sans",
           "font.size": 10, "hatch.linewidth": 0.6, "axes.titlesize": 11}
WIDTH_IN = 7.0  # fits the A4 text column of the PDF


def status_bars(table: pd.DataFrame, title: str) -> Figure:
    """Horizontal stacked bars: one bar per group (row of ``table``), one segment per status column.

    ``table`` is ``measure.status_by``'s output (status columns plus ``Total``).
    """
    statuses = [c for c in STATUS_STYLE if c in table.columns]
    groups = list(table.index)
    with rc_context(_SVG_RC):
        height = 1.6 + 0.42 * len(groups)
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        left = pd.Series(0, index=table.index, dtype="int64")
        positions = range(len(groups))
        for status in statuses:
            style = STATUS_STYLE[status]
            values = table[status]
            bars = ax.barh(positions, values, left=left, color=style["color"], hatch=style["hatch"],
                           edgecolor="#333333", linewidth=0.5, label=status)
            for bar, value in zip(bars, values):
                if value and bar.get_width() >= 0.9:
                    ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(value),
                            ha="center", va="center", fontsize=8.5, color=style["text"],
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": style["color"], "edgecolor": "none"})
            left = left + values
        ax.set_yticks(list(positions), [textwrap.fill(str(g), 30) for g in groups], fontsize=8.5)
        ax.invert_yaxis()
        ax.set_xlabel("Number of indicators")
        ax.set_xlim(0, max(int(table["Total"].max()), 1) * 1.05)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(title, loc="left", fontweight="bold")
        handles = [Patch(facecolor=STATUS_STYLE[s]["color"], hatch=STATUS_STYLE[s]["hatch"], edgecolor="#333333",
                         linewidth=0.5, label=s) for s in statuses]
        fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=8.5)
        fig.tight_layout(rect=(0, 0.55 / height, 1, 1))
    return fig


def status_bars_alt(table: pd.DataFrame, by: str) -> str:
    """The text alternative of ``status_bars``: every bar's figures in words."""
    statuses = [c for c in STATUS_STYLE if c in table.columns]
    parts = []
    for group, row in table.iterrows():
        counts = ", ".join(f"{int(row[s])} {STATUS_STYLE[s]['short']}" for s in statuses if int(row[s]))
        parts.append(f"{group}: {counts or 'no indicators'}")
    return f"Bar chart of indicator status by {by}. " + "; ".join(parts) + "."


def to_svg(fig: Figure) -> str:
    """Render a figure as SVG text with no date and fixed element ids, so equal figures give equal bytes."""
    buffer = io.StringIO()
    with rc_context(_SVG_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
