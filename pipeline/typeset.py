"""Stage 5a, report (its print form): a report piece's HTML as Typst markup, for the PDF.

A piece of the report is described once, as HTML in the report's small vocabulary (the elements and classes
``report`` builds: paragraphs, headings, tables with caption and header row, figures, badges, lists). The
published HTML shows that description as it is; the PDF's Typst markup is written from the same description
here, element by element, so the two renderings cannot drift apart. The vocabulary is closed: an element this
module does not know is refused (``TypesetError``), so a new kind of piece is given its print form on purpose.

Every text is escaped: nothing from an export becomes Typst code. Typst's functions named ``council-*`` are
defined in ``templates/council/report.typ``, which sets the page, the type and the look of each class.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .fonts import printable

TYPST_MIME = "text/x-typst"  # the output data key of a piece's Typst markup, beside its text/html

# Every ASCII punctuation mark is escaped in Typst markup (a backslash makes any of them plain text), so no
# text can open markup, a function call, a comment, a label or a reference.
_PUNCTUATION = set("\\#$*_`<>@[]~=-+/'\".:()!?,;{}|^&%")
_KEEP_ROWS = 40  # a table kept on one page (HTML's keep-together) has at most this many rows, else it breaks
_LONG_WORD = 24  # in code, a word this long gets break opportunities (a SHA-256 would run past the margin)


class TypesetError(ValueError):
    """The HTML holds an element outside the report's vocabulary."""


def escape(text: str) -> str:
    """``text`` as plain Typst markup: whitespace runs become one space, punctuation is escaped, and a
    character the PDF's fonts lack prints as a placeholder (``fonts.printable``; the HTML keeps it)."""
    text = re.sub(r"\s+", " ", printable(text))
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def string(text: str) -> str:
    """``text`` as a Typst string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def slug(text: str, used: set[str]) -> str:
    """The anchor of a section heading (``Key messages`` → ``key-messages``), unique within ``used``."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return name


def label(name: str) -> str:
    """A Typst label for an HTML id (ids here are made of letters, digits and hyphens)."""
    return "<" + re.sub(r"[^A-Za-z0-9_.:-]+", "-", name) + ">"


def svg_key(svg: str | bytes) -> str:
    """The name a chart's SVG is handed to Typst under (``sys.inputs``): its SHA-256."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    return "svg-" + hashlib.sha256(data).hexdigest()


def chart(svg: str, alt: str, caption: str) -> str:
    """A chart as Typst: the SVG handed over by name (the exporter passes the SVG itself), its text
    alternative, its caption."""
    return f"#council-chart({string(svg_key(svg))}, alt: {string(alt)})[{escape(caption)}]\n\n"


# --- HTML, parsed into a small tree -------------------------------------------------------------

_VOID = {"br", "img", "meta", "hr", "col"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(markup: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


# --- The tree, written as Typst -----------------------------------------------------------------

_BLOCK_P = {"council", "period", "export-note", "findings-ok", "findings-warn", "lead-in", "meta", "label", "note"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass
class Typesetter:
    """Writes one or more HTML fragments as Typst. ``sections``: the anchors given to section headings (h2
    without an id) so far, shared by every fragment of one document; ``images``: the SVGs of ``data:`` URL
    images met, by the name the markup hands them over under."""

    sections: set[str] = field(default_factory=set)
    images: dict[str, str] = field(default_factory=dict)
    headings: list[tuple[str, str]] = field(default_factory=list)  # (anchor, text) of each h2, in order
    in_cell: bool = False  # writing a table cell: long words may break (``_cell_text``)
    figures_whole: bool = False  # ... but not a figure in a column of figures
    fit: int = 0  # the most characters of a word the cell prints on a line, in a column narrower than its words

    def convert(self, markup: str) -> str:
        return self.blocks(parse(markup).children).strip() + "\n\n"

    # blocks and inlines are written alike: a block ends with a blank line, so it stands as a paragraph
    def blocks(self, children, pending_label: str | None = None) -> str:
        out = []
        for child in children:
            if isinstance(child, str):
                out.append(_cell_text(child, self.figures_whole, self.fit) if self.in_cell else escape(child))
                continue
            out.append(self.element(child, pending_label))
            if pending_label and child.tag in _HEADINGS:
                pending_label = None
        return "".join(out)

    def inline(self, node: Node) -> str:
        return self.blocks(node.children).strip()

    def element(self, node: Node, pending_label: str | None = None) -> str:  # noqa: C901 - one branch a tag
        tag, cls = node.tag, node.classes()
        if tag in ("style", "script", "meta", "title", "head"):
            return ""
        if tag in _HEADINGS:
            anchor = node.attrs.get("id") or pending_label
            text = self.inline(node)
            if tag == "h2" and not anchor:
                anchor = slug(node.text().strip(), self.sections)
            if tag == "h2":
                self.headings.append((anchor, node.text().strip()))
            mark = f" {label(anchor)}" if anchor else ""
            return f"\n\n#heading(level: {_HEADINGS[tag]})[{text}]{mark}\n\n"
        if tag == "p":
            if "data-published" in node.attrs:
                return f"#council-published({string(node.attrs['data-published'])})[{self.inline(node)}]\n\n"
            kind = next((c for c in cls if c in _BLOCK_P | {"key"}), "")
            if kind == "key":
                return f"#council-key({string(' '.join(cls))})[{self.inline(node)}]\n\n"
            if kind:
                return f"#council-p({string(kind)})[{self.inline(node)}]\n\n"
            return self.inline(node) + "\n\n"
        if tag == "span":
            if "status" in cls or "rag" in cls:
                kind = next((c for c in cls if c.startswith(("status-", "rag-"))), "")
                marks = [c for c in node.children if isinstance(c, Node) and "mark" in c.classes()]
                rest = [c for c in node.children if not (isinstance(c, Node) and "mark" in c.classes())]
                mark = marks[0].text() if marks else ""
                return f"#council-badge({string(kind)}, {string(mark)})[{self.blocks(rest).strip()}]"
            if "big" in cls:
                return f"#council-big[{self.inline(node)}]"
            if "ref" in cls:
                return f"#council-ref[{self.inline(node)}]"
            if "note" in cls:
                return f"#council-muted[{self.inline(node)}]"
            return self.blocks(node.children)
        if tag == "a":
            href = node.attrs.get("href", "")
            if href.startswith("#"):
                return f"#council-goto({string(href[1:])})[{self.inline(node)}]"
            return f"#link({string(href)})[{self.inline(node)}]"
        if tag in ("em", "i"):
            return f"#emph[{self.inline(node)}]"
        if tag in ("strong", "b"):
            return f"#strong[{self.inline(node)}]"
        if tag == "code":
            return f"#council-code[{_breakable(node.text())}]"
        if tag == "br":
            return "#linebreak()"
        if tag in ("ul", "ol"):
            items = [self.blocks(li.children).strip() for li in node.children if isinstance(li, Node)]
            kind = "enum" if tag == "ol" else "list"
            return f"#{kind}(" + ", ".join(f"[{i}]" for i in items) + ")\n\n" if items else ""
        if tag == "dl":
            pairs = [c for c in node.children if isinstance(c, Node)]
            cells = ", ".join(f"[{self.inline(c)}]" for c in pairs)
            return f"#council-dl({cells})\n\n"
        if tag == "header":
            return f"#council-title-page[{self.blocks(node.children).strip()}]\n\n"
        if tag == "article":
            return f"#council-article[{self.blocks(node.children, node.attrs.get('id')).strip()}]\n\n"
        if tag == "div":
            if "table-wrap" in cls:
                tables = [c for c in node.children if isinstance(c, Node) and c.tag == "table"]
                return "".join(self.table(t, keep="keep-together" in cls) for t in tables)
            if "key-figures" in cls:
                keys = [c for c in node.children if isinstance(c, Node)]
                return "#council-key-figures(" + ", ".join(f"[{self.element(k).strip()}]" for k in keys) + ")\n\n"
            return self.blocks(node.children)
        if tag in ("section", "main", "body", "html", "#root"):
            return self.blocks(node.children)
        if tag == "nav":
            return "#council-contents()\n\n"
        if tag == "table":
            return self.table(node, keep=False)
        if tag == "figure":
            return self.figure(node)
        if tag == "pre":
            return f"#council-pre({string(node.text())})\n\n"
        if tag == "blockquote":
            return f"#quote(block: true)[{self.blocks(node.children).strip()}]\n\n"
        if tag == "hr":
            return "#line(length: 100%)\n\n"
        raise TypesetError(f"<{tag}> is not part of the report's vocabulary, so it has no print form")

    def figure(self, node: Node) -> str:
        img = _find(node, "img")
        caption = _find(node, "figcaption")
        src = img.attrs.get("src", "") if img else ""
        prefix = "data:image/svg+xml;base64,"
        if not src.startswith(prefix):
            raise TypesetError("a figure prints only an SVG the report itself made (a data: URL)")
        svg = base64.b64decode(src[len(prefix) :]).decode("utf-8")
        self.images[svg_key(svg)] = svg
        return chart(svg, img.attrs.get("alt", ""), caption.text() if caption else "")

    def table(self, node: Node, keep: bool) -> str:
        caption = _find(node, "caption")
        rows = _rows(node)
        head = [r for r, in_head in rows if in_head]
        body = [r for r, in_head in rows if not in_head]
        header_cells = head[0].children if head else []
        header_cells = [c for c in header_cells if isinstance(c, Node)]
        first_body = [c for c in body[0].children if isinstance(c, Node)] if body else []
        ncols = len(header_cells) or len(first_body)
        specs = [_width(c.attrs.get("style", "")) for c in header_cells] or ["auto"] * ncols
        numeric = [("num" in c.classes()) for c in header_cells] or [False] * ncols
        # a cell of code (a hash, a path) keeps its words whole where it can: they break only at the margin; so
        # does a figure in a column of figures
        texts = [[(c.text(), True) for c in header_cells]] + [
            [
                (c.text(), "total" in r.classes(), _find(c, "code") is not None, i < ncols and numeric[i])
                for i, c in enumerate(c for c in r.children if isinstance(c, Node))
            ]
            for r in body
        ]
        plan = column_layout(specs, texts)
        columns = [f"{w:.1f}pt" for w, _ in plan]
        self.in_cell = True  # a long word in a cell may break between boxes (``_cell_text``)
        header_parts = []
        for i, c in enumerate(header_cells):
            self.fit = plan[i][1] if i < len(plan) else 0  # a header word breaks too in a squeezed column
            header_parts.append(f"[{self.inline(c)}]")
        self.fit = 0
        header = ", ".join(header_parts)
        lines = []
        for row in body:
            cells = [c for c in row.children if isinstance(c, Node)]
            total = "total" in row.classes()
            parts = []
            for i, c in enumerate(cells):
                kind = "row" if c.tag == "th" else "data"
                self.figures_whole = i < ncols and numeric[i]
                self.fit = plan[i][1] if i < len(plan) else 0
                parts.append(f"council-cell({string(kind)}, {'true' if total else 'false'})[{self.inline(c)}]")
            self.figures_whole, self.fit = False, 0
            lines.append("  " + ", ".join(parts) + ",")
        self.in_cell = False
        style = string(" ".join(node.classes()))
        return (
            f"#council-table(\n  caption: [{self.inline(caption) if caption else ''}],\n"
            f"  style: {style}, keep: {'true' if keep and len(body) <= _KEEP_ROWS else 'false'},\n"
            f"  columns: ({', '.join(columns)},),\n"
            f"  numeric: ({', '.join('true' if n else 'false' for n in numeric)},),\n"
            f"  header: ({header},),\n" + "\n".join(lines) + "\n)\n\n"
        )


def _find(node: Node, tag: str) -> Node | None:
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                return child
            found = _find(child, tag)
            if found is not None:
                return found
    return None


def _rows(table: Node) -> list[tuple[Node, bool]]:
    rows = []
    for child in table.children:
        if not isinstance(child, Node):
            continue
        if child.tag == "tr":
            rows.append((child, all(isinstance(c, str) or c.tag == "th" for c in child.children) and not rows))
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend((r, child.tag == "thead") for r in child.children if isinstance(r, Node) and r.tag == "tr")
    return rows


def _width(style: str) -> tuple[str, float]:
    """A column's width as the HTML gives it (``style="width:6%"``): ("%", 6.0), ("em", 3.5) or ("auto", 0)."""
    found = re.search(r"width:\s*([0-9.]+)(%|em|rem)", style)
    if not found:
        return ("auto", 0.0)
    number, unit = found.groups()
    return ("em" if unit in ("em", "rem") else "%", float(number))


# The table's measures in print (report.typ): the text column of A4 with 14 mm side margins, 8 pt type, and
# a cell's inset (0.45 em each side) and rule.
TEXT_WIDTH_PT = 595.28 - 2 * 14 * 72 / 25.4
TABLE_TYPE_PT = 8.0
CELL_EXTRA_PT = 2 * 0.45 * TABLE_TYPE_PT + 3.0  # and room for a badge's space after its shape
_BREAKS = re.compile(r"[\s\u00ad\u200b]+|(?<=-)")  # where a line may break inside a cell


@functools.cache
def _advances(bold: bool) -> dict[int, float]:
    """Each character's advance in DejaVu Sans (regular or bold), else in Symbola (the fallback), in ems, from
    the font files the PDF uses."""
    from fontTools.ttLib import TTFont

    from .paths import FONTS_DIR

    advances = {}
    # the fallback first, then the text face over it: a character DejaVu Sans lacks is measured in Symbola
    for name in ("Symbola.ttf", "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"):
        font = TTFont(FONTS_DIR / name, lazy=True)
        metrics, per_em = font["hmtx"].metrics, font["head"].unitsPerEm
        advances |= {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    return advances


def text_width(text: str, bold: bool = False) -> float:
    """The width of ``text`` on one line in a table cell, in points (no kerning: a little over, never under)."""
    advances = _advances(bold)
    # measured as printed: a character the fonts lack is the placeholder, as wide as the placeholder is
    return sum(advances.get(ord(ch), 0.65) for ch in printable(text)) * TABLE_TYPE_PT


def column_widths(specs: list[tuple[str, float]], rows: list[list[tuple[str, bool]]]) -> list[str]:
    """Each column's width (see ``column_layout``), as Typst lengths."""
    return [f"{w:.1f}pt" for w, _ in column_layout(specs, rows)]


def column_layout(specs: list[tuple[str, float]], rows: list[list[tuple[str, bool]]]) -> list[tuple[float, int]]:
    """Each column's width in points, as a browser lays out an HTML table: no column narrower than its
    longest word (so no word runs into the next cell), a percentage or em width where the HTML gives one,
    the other columns as wide as their text asks, and together the width of the page's text column.

    When even the columns' longest words are together wider than the page, the columns of figures keep their
    width (a figure never breaks) and the others share what is left, their words breaking into pieces that fit.

    ``rows``: every row's cells as (text, bold) or (text, bold, code, in a column of figures), the header first.
    Returns each column's (width in points, the most characters of a word its cells may print on one line: 0
    for no limit)."""
    n = len(specs)
    figure_column = [False] * n
    least, most = [CELL_EXTRA_PT] * n, [CELL_EXTRA_PT] * n
    for row in rows:
        for i, (text, bold, *flags) in enumerate(row[:n]):
            code, figures = (list(flags) + [False, False])[:2]
            figure_column[i] = figure_column[i] or figures
            words = [w for w in _BREAKS.split(text) if w]
            # a long word breaks between its chunks (``_cell_text``): its widest chunk counts; code (a hash) and a
            # figure in a column of figures are kept whole
            pieces = [
                c for w in words for c in (_pieces(w, _CELL_CHUNK) if _long_cell_word(w, figures) and not code else [w])
            ]
            if pieces:
                least[i] = max(least[i], max(text_width(w, bold) for w in pieces) + CELL_EXTRA_PT)
            most[i] = max(most[i], text_width(" ".join(text.split()), bold) + CELL_EXTRA_PT)
    width = TEXT_WIDTH_PT
    wanted = []
    for (kind, value), low, high in zip(specs, least, most):
        given = {"%": value / 100 * width, "em": value * TABLE_TYPE_PT}.get(kind, min(high, width))
        wanted.append(max(given, low))
    spare = width - sum(wanted)
    if spare >= 0:  # room left: the columns without a fixed width share it, as the HTML table fills the line
        growing = [i for i, (kind, _) in enumerate(specs) if kind != "em"]
        total = sum(wanted[i] for i in growing)
        for i in growing:
            wanted[i] += spare * wanted[i] / total if total else 0
    else:  # too wide: each column gives up room in proportion to what it has above its longest word
        slack = [w - low for w, low in zip(wanted, least)]
        if sum(slack) >= -spare:
            wanted = [w - s * -spare / sum(slack) for w, s in zip(wanted, slack)]
        else:  # its words alone are wider than the page: figures keep theirs, the other words break to fit
            kept = sum(low for low, f in zip(least, figure_column) if f)
            rest = sum(low for low, f in zip(least, figure_column) if not f)
            room = max(width - kept, 0.0)
            if rest and room:
                wanted = [low if f else low * room / rest for low, f in zip(least, figure_column)]
            else:
                wanted = [low * width / sum(least) for low in least]
    # a column narrower than its longest word prints its words in pieces of at most this many characters
    fits = [
        0 if w >= low - 0.05 else max(1, int((w - CELL_EXTRA_PT) / (_WIDE_EM * TABLE_TYPE_PT)))
        for w, low in zip(wanted, least)
    ]
    return list(zip(wanted, fits))


_WIDE_EM = 0.8  # a wide character's advance, to count how many fit a squeezed column (DejaVu's widest are ~0.8 em)
_CELL_WORD = 16  # in a table cell, a word this long that is not a figure may break between boxes of ...
_CELL_CHUNK = 10  # ... this many characters: a 60-character ref or an unspaced name fits a narrow column
_FIGURE = re.compile(r"^[-+\u2212(]?[£$€]?[\d.,]+(%|k|m|bn)?\)?[,.;:]?$", re.I)  # figures never break inside


_HASH = re.compile(r"^[0-9a-f]{16,}$")  # a git commit or a digest: kept whole, to be copied and compared


def _long_cell_word(word: str, figures_whole: bool = True) -> bool:
    return len(word) >= _CELL_WORD and not (figures_whole and _FIGURE.match(word)) and not _HASH.match(word)


def _pieces(word: str, size: int) -> list[str]:
    """``word`` in pieces of ``size`` characters (the last shorter)."""
    return [word[i : i + size] for i in range(0, len(word), size)]


def _boxed(word: str, size: int) -> str:
    """``word`` as escaped Typst, each ``size`` characters a box of its own: a line may break between two boxes,
    and nothing is inserted between them, so the word reads, copies and extracts as written."""
    return "".join(f"#box[{escape(piece)}]" for piece in _pieces(word, size))


def _cell_text(text: str, figures_whole: bool = True, fit: int = 0) -> str:
    """Text in a table cell as escaped Typst: a long word that is not a figure (a 60-character ref, a name
    without spaces) is set in boxes a line may break between, so it wraps inside its column instead of running
    into the next; nothing is inserted, so the text reads and copies as written."""
    parts = re.split(r"(\s+)", text)
    out = []
    for part in parts:
        if fit and len(part) > fit and not (figures_whole and _FIGURE.match(part)):
            out.append(_boxed(part, fit))
        elif _long_cell_word(part, figures_whole):
            out.append(_boxed(part, _CELL_CHUNK))
        else:
            out.append(escape(part) if part.strip() else (" " if part else ""))
    return "".join(out)


def _breakable(text: str) -> str:
    """``text`` as escaped Typst markup in which long words of code (hashes, paths) may wrap at the margin:
    each 16 characters of such a word is a box of its own, and a line may break between two boxes. Nothing
    is inserted between them, so a hash copied or extracted from the PDF is the hash (a zero-width space
    every 16 characters used to corrupt it)."""
    parts = []
    for i, piece in enumerate(re.split(r"(\S{%d,})" % _LONG_WORD, text)):
        if i % 2:  # a long word (the split's captured group), between runs of ordinary text
            parts.append(_boxed(piece, 16))
        else:
            parts.append(escape(piece))
    return "".join(parts)


def from_html(markup: str) -> str:
    """One piece's HTML as Typst (section anchors and images are the exporter's, see ``Typesetter``)."""
    return Typesetter().convert(markup)
