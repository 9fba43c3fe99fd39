"""A small SVG writer for the report's line charts of points over periods (the SPC charts): axes with round ticks,
lines solid, dashed or dotted, markers by kind, a title and a legend, as plain SVG text (every text escaped).

Written by hand rather than by matplotlib because a report draws one chart an indicator: matplotlib takes about
60 ms a chart, this about one. The look follows the report's matplotlib charts (DejaVu Sans, 10 pt, the same
colours); Typst draws the same SVG into the PDF and as the Word document's picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FONT = "DejaVu Sans"
SMALL = 8.5  # the smallest text, as the matplotlib charts' LABEL_PT
CHAR = 0.55  # DejaVu Sans's mean advance, in em: enough to keep labels apart and inside the chart


def nice_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart), at most ``most``+1."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        low, high = low - (abs(low) * 0.1 or 1), high + (abs(high) * 0.1 or 1)
    raw = (high - low) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[0] > low:
        ticks.insert(0, round(ticks[0] - step, 12))
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def tick_label(value: float) -> str:
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class Panel:
    """One plot area: its box (x, y, width, height in pt) and what it draws."""

    x: float
    y: float
    width: float
    height: float
    periods: list
    lines: list = field(default_factory=list)  # (values, colour, width, dash, step)
    markers: list = field(default_factory=list)  # (index, value, shape, colour)
    title: str = ""
    ticks_x: int = 8


def fitted(text: str, width: float, size: float = SMALL) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pt at ``size`` (a panel's title within its panel)."""
    return cut(text, max(4, int(width / (CHAR * size))))


def cut(text: str, most: int) -> str:
    """``text`` of at most ``most`` characters, cut with an ellipsis."""
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _text(x, y, text, size=SMALL, anchor="start", weight="normal", rotate=0.0, fill="#222222") -> str:
    turn = f' transform="rotate({_fmt(rotate)} {_fmt(x)} {_fmt(y)})"' if rotate else ""
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-family="{FONT}" font-size="{_fmt(size)}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}"{turn}>{escape(text)}</text>'
    )


def _marker(x: float, y: float, shape: str, colour: str, size: float) -> str:
    r = size
    if shape == "o":
        return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(r * 0.8)}" fill="{colour}"/>'
    points = {
        "^": [(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)],
        "v": [(x, y + r), (x + r, y - r * 0.8), (x - r, y - r * 0.8)],
        "D": [(x, y - r), (x + r, y), (x, y + r), (x - r, y)],
    }[shape]
    joined = " ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in points)
    return f'<polygon points="{joined}" fill="{colour}" stroke="#222222" stroke-width="0.4"/>'


def panel_svg(p: Panel) -> list[str]:
    """The SVG elements of one panel: its title, axes, ticks, lines and markers."""
    values = [v for values, *_ in p.lines for v in values if v is not None and math.isfinite(v)]
    values += [v for _, v, *_ in p.markers if math.isfinite(v)]
    ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0), 4 if p.height < 120 else 5)
    low, high = ticks[0], ticks[-1]
    n = max(len(p.periods), 1)
    left = p.x + max(len(tick_label(t)) for t in ticks) * CHAR * SMALL + 8
    if p.ticks_x > 4 and p.periods:  # room for the first period's label, slanted down to the left
        left = max(left, p.x + 0.87 * len(str(p.periods[0])) * CHAR * SMALL * 1.1)
    right, top, bottom = p.x + p.width - 4, p.y + (16 if p.title else 4), p.y + p.height
    sx = lambda i: left + (right - left) * ((i + 0.5) / n)  # noqa: E731
    sy = lambda v: bottom - (bottom - top) * ((v - low) / (high - low) if high > low else 0.5)  # noqa: E731
    out = [_text(p.x, p.y + 10, p.title, weight="normal")] if p.title else []
    out.append(f'<path d="M{_fmt(left)},{_fmt(top)} V{_fmt(bottom)} H{_fmt(right)}" stroke="#333333" '
               'stroke-width="0.8" fill="none"/>')  # fmt: skip
    for t in ticks:
        y = sy(t)
        out.append(f'<path d="M{_fmt(left - 3)},{_fmt(y)} H{_fmt(left)}" stroke="#333333" stroke-width="0.8"/>')
        out.append(_text(left - 5, y + SMALL * 0.35, tick_label(t), anchor="end"))
    every = max(1, -(-n // p.ticks_x))
    shown = list(range(0, n, every))
    if shown[-1] != n - 1 and p.ticks_x > 4:
        shown.append(n - 1)
    label = max((len(str(period)) for period in p.periods), default=0) * CHAR * SMALL
    if p.ticks_x <= 4 and (right - left) / n * every < label + 6:  # level labels that would meet: the ends only
        shown = sorted({0, n - 1})
    for i in shown:
        x = sx(i)
        out.append(f'<path d="M{_fmt(x)},{_fmt(bottom)} V{_fmt(bottom + 3)}" stroke="#333333" stroke-width="0.8"/>')
        if p.ticks_x > 4:
            out.append(_text(x + 2, bottom + 10, str(p.periods[i]), anchor="end", rotate=-30))
        else:
            out.append(_text(x, bottom + 11, str(p.periods[i]), anchor="middle"))
    for values, colour, width, dash, step in p.lines:
        out.append(_line(values, sx, sy, colour, width, dash, step))
    for i, v, shape, colour in p.markers:
        out.append(_marker(sx(i), sy(v), shape, colour, 3.2 if p.ticks_x > 4 else 2.4))
    return out


def _line(values, sx, sy, colour: str, width: float, dash: str, step: bool) -> str:
    """A polyline through the values (a gap where one is missing); ``step``: level across each point's width
    (a mean or a limit that holds for a phase)."""
    parts, pen = [], False
    half = (sx(1) - sx(0)) / 2 if len(values) > 1 else 4
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            pen = False
            continue
        if step:
            parts.append(f"{'L' if pen else 'M'}{_fmt(sx(i) - half)},{_fmt(sy(v))} L{_fmt(sx(i) + half)},{_fmt(sy(v))}")
        else:
            parts.append(f"{'L' if pen else 'M'}{_fmt(sx(i))},{_fmt(sy(v))}")
        pen = True
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<path d="{" ".join(parts)}" stroke="{colour}" stroke-width="{_fmt(width)}" fill="none"{dashes}/>'


def document(width: float, height: float, title: str, body: list[str], legend: list[tuple]) -> str:
    """A whole SVG: ``title`` at the top left, ``body`` (elements), ``legend`` ((kind, colour, dash or shape,
    words)) along the bottom."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}pt" height="{_fmt(height)}pt" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" version="1.1">',
        f'<rect width="{_fmt(width)}" height="{_fmt(height)}" fill="#ffffff"/>',
        _text(6, 15, title, size=11, weight="bold"),
        *body,
    ]
    rows, row, used = [], [], 8.0
    for item in legend:  # the legend's items in rows that fit the width
        size = 22 + len(item[3]) * CHAR * SMALL + 14
        if row and used + size > width - 8:
            rows.append(row)
            row, used = [], 8.0
        row.append(item)
        used += size
    rows += [row] if row else []
    for r, items in enumerate(rows):
        x, y = 8.0, height - 8 - 13 * (len(rows) - 1 - r)
        for kind, colour, style, words in items:
            if kind == "line":
                dashes = f' stroke-dasharray="{style}"' if style else ""
                out.append(
                    f'<path d="M{_fmt(x)},{_fmt(y - 3)} H{_fmt(x + 18)}" stroke="{colour}" stroke-width="1.2"{dashes}/>'
                )
            else:
                out.append(_marker(x + 9, y - 3, style, colour, 3.2))
            out.append(_text(x + 22, y, words))
            x += 22 + len(words) * CHAR * SMALL + 14
    out.append("</svg>")
    return "\n".join(out) + "\n"
