"""The Typst renderer: a piece's blocks (``blocks``) as Typst markup, for the PDF.

It reads the same description as the HTML renderer (``html``) and never the HTML itself. Tables are laid out
as a browser lays out the HTML's (``columns.column_layout``: no column narrower than its longest word, the widths the
description gives, the page's text column filled). A block or inline this module does not know is refused
(``TypesetError``), so a new kind of piece is given its print form on purpose.

Every text is escaped: nothing from an export becomes Typst code. Typst's functions named ``council-*`` are
defined in ``templates/council/report.typ``, which sets the page, the type and the look of each class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.report.blocks import (
    Badge,
    Definitions,
    Figure,
    Group,
    Heading,
    Items,
    Num,
    PageBreak,
    Para,
    Preformatted,
    Span,
    Table,
    chart_key,
    has_code,
    inlines,
    plain,
)
from pipeline.report.blocks import anchor as anchor_of
from pipeline.report.fonts import printable
from pipeline.report.formats import columns

TYPST_MIME = "text/x-typst"  # the output data key of a piece's Typst markup, beside its text/html

# Every ASCII punctuation mark is escaped in Typst markup (a backslash makes any of them plain text), so no
# text can open markup, a function call, a comment, a label or a reference.
_PUNCTUATION = set("\\#$*_`<>@[]~=-+/'\".:()!?,;{}|^&%")
_KEEP_ROWS = 40  # a table kept on one page (HTML's keep-together) has at most this many rows, else it breaks
_LONG_WORD = 24  # in code, a word this long gets break opportunities (a SHA-256 would run past the margin)


class TypesetError(ValueError):
    """A block or inline outside the report's vocabulary."""


def escape(text: str) -> str:
    """``text`` as plain Typst markup: whitespace runs become one space, punctuation is escaped, and a
    character the PDF's fonts lack prints as a placeholder (``fonts.printable``; the HTML keeps it)."""
    text = re.sub(r"\s+", " ", printable(text))
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def string(text: str) -> str:
    """``text`` as a Typst string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def label(name: str) -> str:
    """A Typst label for an HTML id (ids here are made of letters, digits and hyphens)."""
    return "<" + re.sub(r"[^A-Za-z0-9_.:-]+", "-", name) + ">"


def chart(svg: str, alt: str, caption: str) -> str:
    """A chart as Typst: the SVG handed over by name (the exporter passes the SVG itself), its text
    alternative, its caption."""
    return f"#council-chart({string(chart_key(svg))}, alt: {string(alt)})[{escape(caption)}]\n\n"


# --- Blocks, written as Typst ------------------------------------------------------------------

_SPANS = {"strong": "strong", "emph": "emph", "big": "council-big", "ref": "council-ref", "muted": "council-muted"}


@dataclass
class Typesetter:
    """Writes the blocks of one or more pieces as Typst. ``sections``: the anchors given to section headings
    (level 2 without an id) so far, shared by every piece of one document; ``images``: the SVGs of the figures
    met, by the name the markup hands them over under; ``headings``: (anchor, text) of each level-2 heading."""

    sections: set[str] = field(default_factory=set)
    images: dict[str, str] = field(default_factory=dict)
    headings: list[tuple[str, str]] = field(default_factory=list)
    in_cell: bool = False  # writing a table cell: long words may break (``_cell_text``)
    figures_whole: bool = False  # ... but not a figure in a column of figures
    fit: int = 0  # the most characters of a word the cell prints on a line, in a column narrower than its words

    def convert(self, blocks) -> str:
        return self.blocks(blocks).strip() + "\n\n"

    def blocks(self, blocks, pending_label: str | None = None) -> str:
        out = []
        for b in blocks:
            out.append(self.block(b, pending_label))
            if isinstance(b, Heading):
                pending_label = None
        return "".join(out)

    def text(self, text: str) -> str:
        lines = str(text).split("\n")
        write = (lambda t: _cell_text(t, self.figures_whole, self.fit)) if self.in_cell else escape
        return "#linebreak()".join(write(line) for line in lines)

    def inline(self, content) -> str:
        out = []
        for item in inlines(content):
            if isinstance(item, str):
                out.append(self.text(item))
            elif isinstance(item, Num):
                out.append(self.text(item.text()))
            elif isinstance(item, Badge):
                out.append(
                    f"#council-badge({string(item.scale + '-' + item.kind)}, {string(item.mark)})[{self.text(item.label).strip()}]"
                )
            elif isinstance(item, Span):
                out.append(self.span(item))
            else:
                raise TypesetError(f"{type(item).__name__} is not inline content of the report")
        return "".join(out).strip()

    def span(self, item: Span) -> str:
        if item.kind == "link":
            if item.href.startswith("#"):
                return f"#council-goto({string(item.href[1:])})[{self.inline(item.content)}]"
            return f"#link({string(item.href)})[{self.inline(item.content)}]"
        if item.kind in ("code", "digest"):
            return f"#council-code[{_breakable(plain(item.content))}]"
        if item.kind in _SPANS:
            return f"#{_SPANS[item.kind]}[{self.inline(item.content)}]"
        raise TypesetError(f"a span of kind {item.kind!r} is not part of the report's vocabulary")

    def block(self, b, pending_label: str | None = None) -> str:  # noqa: C901 - one branch a block
        if isinstance(b, Heading):
            anchor = b.id or pending_label
            text = self.inline(b.content)
            if b.level == 2 and not anchor:
                anchor = anchor_of(plain(b.content).strip(), self.sections)
            if b.level == 2:
                self.headings.append((anchor, plain(b.content).strip()))
            mark = f" {label(anchor)}" if anchor else ""
            return f"\n\n#heading(level: {b.level})[{text}]{mark}\n\n"
        if isinstance(b, Para):
            if b.published:
                return f"#council-published({string(b.published)})[{self.inline(b.content)}]\n\n"
            if b.style.split()[:1] == ["key"]:
                return f"#council-key({string(b.style)})[{self.inline(b.content)}]\n\n"
            if b.style:
                return f"#council-p({string(b.style)})[{self.inline(b.content)}]\n\n"
            return self.inline(b.content) + "\n\n"
        if isinstance(b, Items):
            kind = "enum" if b.ordered else "list"
            items = [self.inline(i) for i in b.items]
            return f"#{kind}(" + ", ".join(f"[{i}]" for i in items) + ")\n\n" if items else ""
        if isinstance(b, Definitions):
            cells = ", ".join(f"[{self.inline(t)}], [{self.inline(d)}]" for t, d in b.pairs)
            return f"#council-dl({cells})\n\n"
        if isinstance(b, Group):
            if b.kind == "title-page":
                return f"#council-title-page[{self.blocks(b.blocks).strip()}]\n\n"
            if b.kind == "article":
                return f"#council-article[{self.blocks(b.blocks, b.id).strip()}]\n\n"
            if b.kind == "key-figures":
                return "#council-key-figures(" + ", ".join(f"[{self.block(k).strip()}]" for k in b.blocks) + ")\n\n"
            raise TypesetError(f"a group of kind {b.kind!r} is not part of the report's vocabulary")
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, Figure):
            self.images[chart_key(b.svg)] = b.svg
            return chart(b.svg, b.alt, b.caption)
        if isinstance(b, Preformatted):
            return f"#council-pre({string(b.text)})\n\n"
        if isinstance(b, PageBreak):
            return "#pagebreak(weak: true)\n\n"
        raise TypesetError(f"{type(b).__name__} is not a block of the report, so it has no print form")

    def table(self, t: Table) -> str:
        ncols = len(t.columns)
        specs = [(c.width.unit, c.width.value) if c.width else ("auto", 0.0) for c in t.columns]
        numeric = [c.numeric for c in t.columns]
        # a cell of code (a hash, a path) keeps its words whole where it can: they break only at the margin; so
        # does a figure in a column of figures
        texts = [[(c.name, True) for c in t.columns]] + [
            [
                (plain(cell).replace("\n", " "), row.total, has_code(cell), i < ncols and numeric[i])
                for i, cell in enumerate(row.cells)
            ]
            for row in t.rows
        ]
        plan = columns.column_layout(specs, texts)
        widths = [f"{w:.1f}pt" for w, _ in plan]
        self.in_cell = True  # a long word in a cell may break between boxes (``_cell_text``)
        header_parts = []
        for i, c in enumerate(t.columns):
            self.fit = plan[i][1] if i < len(plan) else 0  # a header word breaks too in a squeezed column
            header_parts.append(f"[{self.inline(c.name)}]")
        self.fit = 0
        lines = []
        for row in t.rows:
            parts = []
            for i, (column, cell) in enumerate(zip(t.columns, row.cells)):
                kind = "row" if column.row_header else "data"
                self.figures_whole = numeric[i]
                self.fit = plan[i][1] if i < len(plan) else 0
                parts.append(f"council-cell({string(kind)}, {'true' if row.total else 'false'})[{self.inline(cell)}]")
            self.figures_whole, self.fit = False, 0
            lines.append("  " + ", ".join(parts) + ",")
        self.in_cell = False
        return (
            f"#council-table(\n  caption: [{self.text(t.caption).strip()}],\n"
            f"  style: {string(t.style)}, keep: {'true' if t.keep and len(t.rows) <= _KEEP_ROWS else 'false'},\n"
            f"  columns: ({', '.join(widths)},),\n"
            f"  numeric: ({', '.join('true' if n else 'false' for n in numeric)},),\n"
            f"  header: ({', '.join(header_parts)},),\n" + "\n".join(lines) + "\n)\n\n"
        )


def column_widths(specs: list[tuple[str, float]], rows: list[list[tuple[str, bool]]]) -> list[str]:
    """Each column's width (see ``column_layout``), as Typst lengths."""
    return [f"{w:.1f}pt" for w, _ in columns.column_layout(specs, rows)]


def _boxed(word: str, size: int) -> str:
    """``word`` as escaped Typst, each ``size`` characters a box of its own: a line may break between two boxes,
    and nothing is inserted between them, so the word reads, copies and extracts as written."""
    return "".join(f"#box[{escape(piece)}]" for piece in columns.chunks(word, size))


def _cell_text(text: str, figures_whole: bool = True, fit: int = 0) -> str:
    """Text in a table cell as escaped Typst: a long word that is not a figure (a 60-character ref, a name
    without spaces) is set in boxes a line may break between, so it wraps inside its column instead of running
    into the next; nothing is inserted, so the text reads and copies as written."""
    parts = re.split(r"(\s+)", text)
    out = []
    for part in parts:
        if fit and len(part) > fit and not (figures_whole and columns.FIGURE.match(part)):
            out.append(_boxed(part, fit))
        elif columns.long_cell_word(part, figures_whole):
            out.append(_boxed(part, columns.CELL_CHUNK))
        else:
            out.append(escape(part) if part.strip() else (" " if part else ""))
    return "".join(out)


def _breakable(text: str) -> str:
    """``text`` as escaped Typst markup in which long words of code (hashes, paths) may wrap at the margin:
    each 16 characters of such a word is a box of its own, and a line may break between two boxes. Nothing
    is inserted between them, so a hash copied or extracted from the PDF is the hash (a zero-width space
    every 16 characters used to corrupt it). A shorter word with a hyphen (``--input``) is one box: a command
    never breaks inside a flag, where the line's end would read as a different command."""
    parts = []
    for i, piece in enumerate(re.split(r"(\S{%d,})" % _LONG_WORD, text)):
        if i % 2:  # a long word (the split's captured group), between runs of ordinary text
            parts.append(_boxed(piece, 16))
        else:
            for word in re.split(r"(\s+)", piece):
                parts.append(f"#box[{escape(word)}]" if "-" in word else escape(word))
    return "".join(parts)


def render(blocks) -> str:
    """One piece's blocks as Typst (section anchors and images are the document's, see ``Typesetter``)."""
    return Typesetter().convert(blocks)
