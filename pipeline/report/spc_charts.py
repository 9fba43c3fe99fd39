"""SPC charts, drawn as Making Data Count draws them: the points joined by a grey line, the mean a solid line, the
process limits dashed, the target dotted; a point of special cause marked by its kind in colour and shape
(improvement a blue triangle up, concern an orange triangle down, neither a purple diamond; common cause a grey
dot), so that no meaning rests on colour alone. One chart an indicator, or small multiples of many; and a profile's
measures over the years beside their medians. Written as plain SVG (``svg_plot``), about a millisecond a chart."""

from __future__ import annotations

import pandas as pd

from pipeline.report.charts import WIDTH_IN, _wrap

KINDS = {  # special cause -> marker, colour, legend words
    "improvement": ("^", "#0072B2", "Special cause: improvement"),
    "concern": ("v", "#C04A00", "Special cause: concern"),
    "neither": ("D", "#490092", "Special cause: neither"),
    "": ("o", "#7A7A7A", "Common cause"),
}
PER_FIGURE = 12  # small multiples in one figure: 3 across, 4 down


def _panel(points: pd.DataFrame, target, box: tuple, title: str = "", small: bool = False):
    """One chart's panel (``svg_plot.Panel``): the points joined, the mean and the limits level across each
    point (a phase's own), the target, the markers by kind."""
    from pipeline.report.svg_plot import Panel

    value = [float(v) for v in points["value"]]
    lines = [(value, "#9A9A9A", 1.0, "", False), ([float(v) for v in points["mean"]], "#333333", 1.0, "", True)]
    if points["upper_limit"].notna().any():
        for column in ("upper_limit", "lower_limit"):
            lines.append(([float(v) for v in points[column]], "#333333", 0.8, "4,2", True))
    if target is not None and not pd.isna(target):
        lines.append(([float(target)] * len(points), "#B34700", 0.9, "1,2", True))
    kinds = points["special_cause"].fillna("")
    markers = [(i, v, KINDS[k][0], KINDS[k][1]) for i, (v, k) in enumerate(zip(value, kinds))]
    return Panel(*box, list(points["period"].astype(str)), lines, markers, title, 4 if small else 8)


def _legend(points: pd.DataFrame, target) -> list:
    legend = [("line", "#333333", "", "Mean")]
    if points["upper_limit"].notna().any():
        legend.append(("line", "#333333", "4,2", "Process limits"))
    if target is not None and not pd.isna(target):
        legend.append(("line", "#B34700", "1,2", "Target"))
    shown = set(points["special_cause"].fillna(""))
    return legend + [
        ("marker", colour, marker, words) for kind, (marker, colour, words) in KINDS.items() if kind in shown
    ]


def spc_chart(points: pd.DataFrame, title: str, target: float | None = None) -> str:
    """One indicator's chart as SVG (``points``: its rows of ``spc.csv``, in order)."""
    from pipeline.report.svg_plot import document, panel_svg

    width, height = WIDTH_IN * 72, 215.0
    body = panel_svg(_panel(points, target, (8, 26, width - 20, height - 26 - 78)))
    return document(width, height, _wrap(title, 80).replace("\n", " "), body, _legend(points, target))


def small_multiples(series: list[tuple[str, pd.DataFrame, float | None]], title: str) -> str:
    """Up to ``PER_FIGURE`` indicators' charts as one SVG, three across, each with its short title
    (``series``: (title, its rows of ``spc.csv``, its target))."""
    from pipeline.report.svg_plot import document, fitted, panel_svg

    rows = -(-len(series) // 3)
    width, cell_w, cell_h = WIDTH_IN * 72, (WIDTH_IN * 72 - 16) / 3, 132.0
    height = 30 + cell_h * rows + 26
    body = []
    for at, (name, points, target) in enumerate(series):
        r, c = divmod(at, 3)
        box = (8 + c * cell_w, 26 + r * cell_h, cell_w - 10, cell_h - 22)
        body += panel_svg(_panel(points, target, box, fitted(name, box[2]), small=True))
    legend = [("line", "#333333", "", "Mean"), ("line", "#333333", "4,2", "Process limits"),
              ("line", "#B34700", "1,2", "Target")] + [("marker", c, m, w) for m, c, w in KINDS.values()]  # fmt: skip
    return document(width, height, _wrap(title, 80).replace("\n", " "), body, legend)


def over_the_years(series: list[tuple[str, pd.DataFrame]], title: str, who: str) -> str:
    """Small multiples of measures over the periods of a dataset as one SVG, three across (``series``: (a measure's
    title, its rows of ``benchmark.csv`` in period order)): the organisation's value (a line with points), the
    median of its peer group (dotted) and of all (dashed)."""
    from pipeline.report.svg_plot import Panel, cut, document, fitted, panel_svg

    rows = -(-len(series) // 3)
    width, cell_w, cell_h = WIDTH_IN * 72, (WIDTH_IN * 72 - 16) / 3, 132.0
    height = 30 + cell_h * rows + 26
    body = []
    for at, (name, points) in enumerate(series):
        r, c = divmod(at, 3)
        box = (8 + c * cell_w, 26 + r * cell_h, cell_w - 10, cell_h - 22)
        value = _floats(points["value"])
        lines = [(_floats(points["all_median"]), "#7A7A7A", 0.9, "4,2", False)]
        if points["peers_median"].notna().any():
            lines.append((_floats(points["peers_median"]), "#0072B2", 0.9, "1,2", False))
        lines.append((value, "#C04A00", 1.3, "", False))
        markers = [(i, v, "o", "#C04A00") for i, v in enumerate(value) if v == v]
        periods = list(points["period"].astype(str))
        body += panel_svg(Panel(*box, periods, lines, markers, fitted(name, box[2]), 4))
    legend = [("line", "#C04A00", "", cut(who, 40)), ("line", "#0072B2", "1,2", "Its peer group's median"),
              ("line", "#7A7A7A", "4,2", "Median of all")]  # fmt: skip
    return document(width, height, _wrap(title, 80).replace("\n", " "), body, legend)


def _floats(column: pd.Series) -> list[float]:
    """A column's values as floats, NaN where one is missing (a gap in the line)."""
    return [float(v) for v in pd.to_numeric(column, errors="coerce").astype("float64")]
