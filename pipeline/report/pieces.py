"""A piece of the report: its blocks (``blocks``), shown in a notebook and rendered per format.

A notebook cell names a piece; its output carries the piece's HTML (``html``) and Typst (``typst``), each
written by its renderer from the same blocks. A listing too long to print has a shorter print version
(``bounded``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline.report.blocks import BLOCKS_MIME, Figure, Para, Span, inlines, to_data
from pipeline.report.blocks import table as table_blocks
from pipeline.report.formats import html, typst

TYPST_MIME = typst.TYPST_MIME


@dataclass(frozen=True, repr=False)
class Piece:
    """A piece of the report: its ``blocks``; ``meta`` travels in the notebook's output metadata
    (``council_report``) for the exporter (the document's title, for instance); ``print_blocks``: the PDF's
    version, when a long listing is cut in print."""

    blocks: tuple
    meta: dict | None = field(default=None, compare=False)
    print_blocks: tuple | None = field(default=None, compare=False, repr=False)

    @property
    def markup(self) -> str:
        """The piece as HTML."""
        return html.render(self.blocks)

    def printed(self) -> tuple:
        return self.print_blocks if self.print_blocks is not None else self.blocks

    def typst(self) -> str:
        """The piece as Typst markup, for the PDF (its print version when a long listing is cut in print)."""
        return typst.render(self.printed())

    def __repr__(self) -> str:  # a notebook's text/plain: short and the same whatever the inputs' hashes
        kinds = ", ".join(dict.fromkeys(type(b).__name__ for b in self.blocks))
        return f"<report piece: {len(self.blocks)} blocks ({kinds})>"

    def _repr_html_(self) -> str:
        return self.markup

    def blocks_data(self) -> dict:
        """The piece's blocks as data (``BLOCKS_MIME``), for the Word document: as printed (a long listing cut,
        as in the PDF; the HTML output holds every row)."""
        return {"blocks": to_data(self.printed())}

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.markup, TYPST_MIME: self.typst(), BLOCKS_MIME: self.blocks_data()}
        return data, ({"council_report": self.meta} if self.meta else {})


@dataclass(frozen=True, repr=False)
class Chart(Piece):
    """A chart: its SVG, text alternative and caption, the file name it is published under, and the table of
    its figures."""

    svg: str = ""
    alt: str = ""
    caption: str = ""
    filename: str = ""
    table: Piece | None = None

    @classmethod
    def of(cls, svg: str, alt: str, caption: str, filename: str, table: Piece | None = None) -> Chart:
        figure = (Figure(svg, alt, caption),)
        rest = table.blocks if table is not None else ()
        printed = table.printed() if table is not None else ()
        cut = table is not None and table.print_blocks is not None
        return cls(
            blocks=figure + rest,
            print_blocks=figure + printed if cut else None,
            svg=svg,
            alt=alt,
            caption=caption,
            filename=filename,
            table=table,
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        # the SVG once, inside the HTML's data: URL (run publishes it as charts/<filename> from there)
        data = {"text/html": self.markup, TYPST_MIME: self.typst(), "text/plain": self.alt}
        data[BLOCKS_MIME] = self.blocks_data()
        return data, {"council_report": {"chart_file": self.filename}}


def table(frame: pd.DataFrame, caption: str, **options) -> Piece:
    """A piece of one table (see ``blocks.table``: ``numeric``, ``row_header``, ``style``, ``widths``,
    ``keep``, ``total``)."""
    return Piece((table_blocks(frame, caption, **options),))


def heading(text: str) -> Piece:
    """A section heading the notebook cannot write as markdown (it holds the organisation's words), with its
    anchor made by the one rule (``blocks.anchor``)."""
    from pipeline.report.blocks import Heading, anchor

    return Piece((Heading(2, (text,), anchor(text, set())),))


def paragraph(text, style: str = "") -> Piece:
    """A paragraph of narrative built from figures."""
    return Piece((Para(inlines(text), style),))


def link(href: str, text: str) -> Piece:
    """A paragraph with one link to a file published beside the report. It names the file it links to, so an
    export of the notebook made on its own (papermill and nbconvert, without ``run``) says the file is not
    there instead of linking to nothing (``render.published_only``)."""
    return Piece((Para((Span("link", (text,), href),), published=href),))


def joined(pieces: list[Piece]) -> Piece:
    """Pieces one after another, in the HTML and (each in its print version) in the PDF."""
    cut = any(p.print_blocks is not None for p in pieces)
    return Piece(
        tuple(b for p in pieces for b in p.blocks),
        print_blocks=tuple(b for p in pieces for b in p.printed()) if cut else None,
    )


# A listing in the PDF (all indicators, the variance table, the exceptions, the findings) holds at most this many
# rows; the HTML and the CSVs hold every one. Typst's cost grows with every cell: a 10,000-indicator export's
# full listings were 1,720 pages and 7.7 GB. The PDF says where it cuts.
PRINT_ROWS = 500
# The body's exception table holds at most this many rows in print: the committee's pages (the annex's full text of
# the exceptions lists up to PRINT_ROWS, the HTML and the CSVs every one).
BODY_PRINT_ROWS = 100


def bounded(rows: pd.DataFrame, build, what: str, where: str = "indicators.csv", limit: int | None = None) -> Piece:
    """``build(rows)`` (the piece's blocks) for the HTML; for the PDF, when there are more than ``limit`` rows
    (``PRINT_ROWS`` unless given), ``build`` of the first ``limit`` and a sentence saying how many of how many
    ``what`` are printed and where all of them are."""
    limit = PRINT_ROWS if limit is None else limit
    blocks = tuple(build(rows))
    if len(rows) <= limit:
        return Piece(blocks)
    note = Para(
        (
            f"The printed report lists the first {limit:,} of the {len(rows):,} {what}; "
            f"all of them are in the HTML report and in {where}.",
        ),
        "note",
    )
    return Piece(blocks, print_blocks=(note,) + tuple(build(rows.head(limit))))


def first_printed(printed: int, total: int) -> str:
    """What a caption adds when its table holds the first ``printed`` of ``total`` rows (a listing ``bounded``
    in print), so that it never counts the printed rows as if they were all: ", the first 100 printed"."""
    return "" if printed >= total else f", the first {printed:,} printed"


# --- JupyterLab ------------------------------------------------------------------------------------

# Where JupyterLab (and the classic notebook) put an output's HTML: the report's stylesheet is scoped to it.
LAB_SCOPE = ":is(.jp-OutputArea-output.jp-RenderedHTMLCommon, .output_html.rendered_html)"  # as specific as Lab's own


@dataclass(frozen=True)
class LabStyle:
    """The report's stylesheet for JupyterLab: an output of HTML only, which the exporters drop (``lab_only``)."""

    css: str

    @property
    def markup(self) -> str:
        return f"<style>{self.css}</style>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.markup}, {"council_report": {"lab_only": True}}


def lab_style() -> LabStyle:
    """The report's stylesheet for a notebook opened in JupyterLab, so the pieces look there as they do in the
    published HTML: every rule scoped to Lab's rendered outputs (nothing of Lab's own page changes), print
    rules left out. The exporter drops this output (``lab_only``): the published HTML has the stylesheet itself."""
    from pipeline.paths import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "council" / "static" / "report.css").read_text(encoding="utf-8")
    return LabStyle(scoped_css(css, LAB_SCOPE))


def scoped_css(css: str, scope: str) -> str:
    """``css`` with every selector under ``scope`` (``html``, ``body``, ``main`` and ``:root`` become the scope
    itself); ``@page`` and ``@media print`` blocks are left out, other ``@media`` blocks scoped inside."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, i = [], 0
    while i < len(css):
        brace = css.find("{", i)
        if brace < 0:
            break
        head = css[i:brace].strip()
        depth, j = 1, brace + 1
        while depth and j < len(css):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        body = css[brace + 1 : j - 1]
        i = j
        if head.startswith("@"):
            if head.startswith("@media") and "print" not in head:
                out.append(f"{head} {{ {scoped_css(body, scope)} }}")
            continue
        selectors = []
        for selector in head.split(","):
            selector = selector.strip()
            if selector == "main":
                continue  # the published page's column: a notebook has its own
            root = re.match(r"^(html|body|main|:root)\b", selector)
            selectors.append(scope + selector[root.end() :] if root else f"{scope} {selector}")
        if selectors:
            out.append(f"{', '.join(selectors)} {{{body}}}")
    return "\n".join(out)
