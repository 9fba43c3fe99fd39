"""The report's vocabulary: what a piece of a committee report is made of, described once.

A piece (``pieces.Piece``) is a tuple of blocks: headings, paragraphs, lists, tables with typed columns,
figures with their text alternative. Inline content is text (a ``str``), a ``Span`` (emphasis, code, a link, a
reference), a ``Badge`` (a status or RAG: a shape and a word) or a ``Num`` (a figure with its unit, formatted
once by ``number``). Each output format has its own renderer that reads this description (``html``,
``typst``, ``docx``); none reads another's output, and a block a renderer does not know is refused there.

Text here is plain text: a renderer escapes all of it for its format, so nothing from an export becomes code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import pandas as pd

# --- inline content ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Inline content with a meaning: ``strong``, ``emph``, ``code``, ``ref`` (an indicator's reference),
    ``big`` (a headline figure), ``muted`` (a note), ``link`` (to ``href``: ``#anchor`` within the report, or
    a file published beside it)."""

    kind: str
    content: tuple
    href: str = ""


@dataclass(frozen=True)
class Badge:
    """A status or RAG as a shape and a word (colour is a third cue, never the only one). ``scale``: ``status``
    or ``rag``; ``kind``: the class (``1``..``4``, ``none``; ``green``, ``amber``, ``red``, ``none``)."""

    scale: str
    kind: str
    mark: str
    label: str


@dataclass(frozen=True)
class Num:
    """A figure: formatted by ``number`` (its unit, and a sign when ``signed``); ``percent_change``: a
    percentage change with one decimal and a sign."""

    value: float | None
    unit: str = ""
    signed: bool = False
    style: str = "figure"  # figure | percent_change

    def text(self) -> str:
        if self.style == "percent_change":
            return "" if self.value is None or pd.isna(self.value) else f"{float(self.value):+.1f}%"
        return number(self.value, self.unit, self.signed)


LINE_BREAK = "\n"  # a line break inside a paragraph or a cell is a newline in its text

Inline = Union[str, Span, Badge, Num]


def inlines(content) -> tuple:
    """Content as a tuple of inlines: a string or one inline becomes a tuple of one; None and NaN nothing."""
    if content is None:
        return ()
    if isinstance(content, tuple):
        return content
    if isinstance(content, list):
        return tuple(content)
    if isinstance(content, (Span, Badge, Num)):
        return (content,)
    if not isinstance(content, str) and pd.isna(content):
        return ()
    return (str(content),)


def plain(content) -> str:
    """The text of inline content as printed (a badge's shape and word)."""
    out = []
    for item in inlines(content):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Span):
            out.append(plain(item.content))
        elif isinstance(item, Badge):
            out.append(item.mark + item.label)
        elif isinstance(item, Num):
            out.append(item.text())
    return "".join(out)


def has_code(content) -> bool:
    return any(isinstance(i, Span) and (i.kind == "code" or has_code(i.content)) for i in inlines(content))


# --- blocks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    content: tuple
    id: str = ""


@dataclass(frozen=True)
class Para:
    """A paragraph. ``style``: how it reads (``note``, ``lead-in``, ``meta``, ``label``, ``findings-ok``,
    ``findings-warn``, ``export-note``, ``council``, ``period``; ``key on``/``key off`` for a headline figure);
    ``published``: the file it links to, published beside the report (a copy exported without it says so)."""

    content: tuple
    style: str = ""
    published: str = ""


@dataclass(frozen=True)
class Items:
    """A list of items, each inline content."""

    items: tuple
    ordered: bool = False
    style: str = ""


@dataclass(frozen=True)
class Definitions:
    """Terms and their definitions, as (term, definition) pairs of inline content."""

    pairs: tuple
    style: str = ""


@dataclass(frozen=True)
class Group:
    """Blocks that belong together: ``title-page``, ``key-figures`` (set side by side), ``article`` (an
    indicator's full text, ``id`` its anchor, kept on one page where it fits)."""

    kind: str
    blocks: tuple
    id: str = ""
    style: str = ""


@dataclass(frozen=True)
class Width:
    """A column's width relative to the text column (``%``) or to the table's type (``em``)."""

    unit: str
    value: float

    def css(self) -> str:
        return f"{self.value:g}{self.unit}"


@dataclass(frozen=True)
class Column:
    """A table column: its header, whether it holds figures (right-aligned, never broken), whether its cells
    head their rows, its width (None: as wide as its text asks)."""

    name: str
    numeric: bool = False
    row_header: bool = False
    width: Width | None = None


@dataclass(frozen=True)
class Row:
    cells: tuple  # inline content, one per column
    total: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a caption, typed columns and rows. ``style``: its look (``figures``, ``appendix``,
    ``crosstab``, ``keep``, ...); ``keep``: print it whole on one page when it fits."""

    caption: str
    columns: tuple
    rows: tuple
    style: str = ""
    keep: bool = False


@dataclass(frozen=True)
class Figure:
    """A chart the report drew: its SVG, its text alternative, its caption."""

    svg: str
    alt: str
    caption: str


@dataclass(frozen=True)
class Preformatted:
    text: str


@dataclass(frozen=True)
class PageBreak:
    """In print, what follows starts a new page (the technical annex does); on screen, nothing."""


Block = Union[Heading, Para, Items, Definitions, Group, Table, Figure, Preformatted, PageBreak]


# --- building tables from frames -----------------------------------------------------------------


def width(spec: str | None) -> Width | None:
    """``"6%"`` → Width("%", 6); ``"3.5em"`` → Width("em", 3.5); None → None."""
    if not spec:
        return None
    for unit in ("%", "em"):
        if spec.endswith(unit):
            return Width(unit, float(spec[: -len(unit)]))
    raise ValueError(f"a column width is a percentage or ems, not {spec!r}")


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    numeric: tuple[str, ...] = (),
    row_header: str | None = None,
    style: str = "",
    widths: dict[str, str] | None = None,
    keep: bool | None = None,
    total: bool = False,
) -> Table:
    """A table from a frame whose cells are inline content (text, numbers, badges, spans).

    ``keep``: print the table whole on one page; by default short tables (12 rows or fewer) and those of
    style ``keep`` or ``crosstab`` are; False lets a table of tall rows break between rows. ``total``: the last
    row is a total. ``widths`` maps a column to its width, so long text wraps instead of running off the page."""
    widths = widths or {}
    columns = tuple(
        Column(str(c), numeric=c in numeric, row_header=c == row_header, width=width(widths.get(c)))
        for c in frame.columns
    )
    rows = tuple(Row(tuple(inlines(v) for v in row)) for row in frame.itertuples(index=False))
    if total and rows:
        rows = rows[:-1] + (Row(rows[-1].cells, total=True),)
    if keep is None:
        keep = style in ("keep", "crosstab") or len(frame) <= 12
    return Table(caption, columns, rows, style, keep)


# --- figures, formatted once ------------------------------------------------------------------------

from pipeline.figures.numbers import GIVEN_DECIMALS, READING_DECIMALS, number  # noqa: E402, F401  (formatted once)

# --- the blocks as data, for the notebook's output (the Word exporter reads them back) -----------------

BLOCKS_MIME = "application/vnd.council-report.blocks+json"
_TYPES = {
    cls.__name__: cls
    for cls in (
        Span,
        Badge,
        Num,
        Heading,
        Para,
        Items,
        Definitions,
        Group,
        Width,
        Column,
        Row,
        Table,
        Figure,
        Preformatted,
        PageBreak,
    )
}


def to_data(value):
    """Blocks as JSON-ready data: each block a mapping with its type (``t``), a figure with its SVG."""
    from dataclasses import fields, is_dataclass

    if is_dataclass(value):
        return {"t": type(value).__name__} | {f.name: to_data(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:  # NaN: no figure
        return None
    return value


def from_data(data):
    """Blocks from ``to_data``'s data. Raises ValueError for a type that is not the report's."""
    if isinstance(data, list):
        return tuple(from_data(v) for v in data)
    if isinstance(data, dict) and "t" in data:
        kind = _TYPES.get(data["t"])
        if kind is None:
            raise ValueError(f"{data['t']!r} is not a block of the report")
        return kind(**{k: from_data(v) for k, v in data.items() if k != "t"})
    return data


def headings(blocks, level: int | None = None):
    """Every heading among ``blocks`` (inside groups too), in order; only those of ``level`` when given."""
    for b in blocks:
        if isinstance(b, Heading) and (level is None or b.level == level):
            yield b
        elif isinstance(b, Group):
            yield from headings(b.blocks, level)


# --- anchors and chart keys, made once for every renderer ---------------------------------------------------


def anchor(text: str, used: set[str]) -> str:
    """The anchor of a section heading (``Key messages`` -> ``key-messages``), unique within ``used`` (which gains
    it): the one rule the HTML, the PDF and the Word document name their sections by."""
    import re

    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return name


def chart_key(svg: str | bytes) -> str:
    """The name a chart's SVG goes by (the PDF hands it to Typst under it): its SHA-256."""
    import hashlib

    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    return "svg-" + hashlib.sha256(data).hexdigest()
