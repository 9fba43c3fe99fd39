"""SPC charts, drawn as Making Data Count draws them: the points joined by a grey line, the mean a solid line, the
process limits dashed, the target dotted; a point of special cause marked by its kind in colour and shape
(improvement a blue triangle up, concern an orange triangle down, neither a purple diamond; common cause a grey
dot), so that no meaning rests on colour alone. One chart an indicator, or small multiples of many."""

from __future__ import annotations

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.lines import Line2D

from pipeline.report.charts import _SVG_RC, LABEL_PT, WIDTH_IN, _wrap

KINDS = {  # special cause -> marker, colour, legend words
    "improvement": ("^", "#0072B2", "Special cause: improvement"),
    "concern": ("v", "#C04A00", "Special cause: concern"),
    "neither": ("D", "#490092", "Special cause: neither"),
    "": ("o", "#7A7A7A", "Common cause"),
}
PER_FIGURE = 12  # small multiples in one figure: 3 across, 4 down


def _draw(ax, points: pd.DataFrame, target: float | None, small: bool) -> None:
    x = list(range(len(points)))
    ax.plot(x, points["value"], color="#9A9A9A", linewidth=1.0, zorder=1)
    ax.plot(x, points["mean"], color="#333333", linewidth=1.0, zorder=2)
    if points["upper_limit"].notna().any():
        ax.plot(x, points["upper_limit"], color="#333333", linewidth=0.8, linestyle="--", zorder=2)
        ax.plot(x, points["lower_limit"], color="#333333", linewidth=0.8, linestyle="--", zorder=2)
    if target is not None and not pd.isna(target):
        ax.axhline(float(target), color="#B34700", linewidth=0.9, linestyle=":", zorder=2)
    for kind, (marker, colour, _) in KINDS.items():
        chosen = [i for i, k in enumerate(points["special_cause"].fillna("")) if k == kind]
        if chosen:
            size = 14 if small else 30
            ax.scatter(chosen, points["value"].iloc[chosen], marker=marker, s=size, color=colour, zorder=3,
                       edgecolors="#222222" if kind else "none", linewidths=0.4)  # fmt: skip
    labels = list(points["period"].astype(str))
    step = max(1, -(-len(labels) // (4 if small else 8)))
    ticks = list(range(0, len(labels), step))
    if ticks and ticks[-1] != len(labels) - 1 and not small:
        ticks.append(len(labels) - 1)
    ax.set_xticks(ticks, [labels[i] for i in ticks], fontsize=LABEL_PT, rotation=0 if small else 30,
                  ha="center" if small else "right")  # fmt: skip
    ax.tick_params(axis="y", labelsize=LABEL_PT)
    ax.spines[["top", "right"]].set_visible(False)


def spc_chart(points: pd.DataFrame, title: str, target: float | None = None) -> Figure:
    """One indicator's chart (``points``: its rows of ``spc.csv``, in order)."""
    with rc_context(_SVG_RC):
        fig = Figure(figsize=(WIDTH_IN, 3.0))
        ax = fig.add_subplot()
        _draw(ax, points, target, small=False)
        fig.suptitle(_wrap(title, 80), x=0.01, ha="left", fontweight="bold", fontsize=_SVG_RC["axes.titlesize"])
        handles = [Line2D([], [], color="#333333", linewidth=1.0, label="Mean")]
        if points["upper_limit"].notna().any():
            handles.append(Line2D([], [], color="#333333", linewidth=0.8, linestyle="--", label="Process limits"))
        if target is not None and not pd.isna(target):
            handles.append(Line2D([], [], color="#B34700", linewidth=0.9, linestyle=":", label="Target"))
        shown = set(points["special_cause"].fillna(""))
        handles += [
            Line2D([], [], marker=m, color=c, linestyle="", label=w) for k, (m, c, w) in KINDS.items() if k in shown
        ]
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False, fontsize=LABEL_PT)
        fig.set_layout_engine(TightLayoutEngine(rect=(0, 0.16, 1, 0.93)))
    return fig


def small_multiples(series: list[tuple[str, pd.DataFrame, float | None]], title: str) -> Figure:
    """Up to ``PER_FIGURE`` indicators' charts in a grid, each with its short title (``series``: (title, its rows
    of ``spc.csv``, its target))."""
    rows = -(-len(series) // 3)
    with rc_context(_SVG_RC):
        fig = Figure(figsize=(WIDTH_IN, 0.6 + 1.9 * rows))
        for at, (name, points, target) in enumerate(series):
            ax = fig.add_subplot(rows, 3, at + 1)
            _draw(ax, points, target, small=True)
            ax.set_title(_wrap(name, 30), fontsize=LABEL_PT, loc="left")
        fig.suptitle(_wrap(title, 80), x=0.01, ha="left", fontweight="bold", fontsize=_SVG_RC["axes.titlesize"])
        fig.set_layout_engine(TightLayoutEngine(rect=(0, 0, 1, 1 - 0.45 / (0.6 + 1.9 * rows))))
    return fig
