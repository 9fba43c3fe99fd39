"""The Word renderer: the report's blocks (``blocks``) as a .docx document, with python-docx.

A third renderer of the same description as the HTML and the PDF (not a conversion of either): real headings
(Word's navigation pane lists them), real tables whose header row repeats on every page, charts as images with
their text alternative, paragraph and character styles named ``Report …`` (and Word's own ``Heading n``,
``Caption``, ``List Bullet``, ``Table Grid``), so that a council's own template can restyle every part of it.

The bytes are deterministic: the document's dates are the period's end, and the package's zip entries carry a
fixed time. A chart is an image: its SVG drawn as PNG by Typst (the same fonts as the PDF), at ``CHART_PPI``.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone

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
    anchor,
    inlines,
    plain,
)
from pipeline.report.formats import page

CHART_PPI = 150
STATUS_COLOURS = {  # the badges' colours, from the meaning (as in the HTML and the PDF)
    "status-1": "0072B2",
    "status-2": "1F6F9F",
    "status-3": "8A5A00",
    "status-4": "B34700",
    "rag-green": "00785A",
    "rag-amber": "8A5A00",
    "rag-red": "B34700",
    "spc-improvement": "0072B2",
    "spc-pass": "0072B2",
    "spc-concern": "B34700",
    "spc-fail": "B34700",
    "spc-neither": "490092",
    "spc-common": "595959",
    "spc-hitmiss": "595959",
}
_PARAGRAPH_STYLES = {  # a paragraph's style in the blocks -> its Word style (created by ``_styles``)
    "note": "Report Note",
    "lead-in": "Report Lead-in",
    "meta": "Report Note",
    "label": "Report Label",
    "findings-ok": "Report Finding",
    "findings-warn": "Report Warning",
    "export-note": "Report Warning",
    "council": "Report Organisation",
    "period": "Report Period",
    "key on": "Report Key Figure",
    "key off": "Report Key Figure",
}


class DocxRenderError(ValueError):
    """A block or inline outside the report's vocabulary."""


def render(blocks, title: str, images: dict[str, bytes], epoch: int = 0) -> bytes:
    """The blocks as a Word document's bytes. ``images``: each chart's PNG by its SVG's key (``png_of``);
    ``epoch``: the date written into the document (the period's end), a Unix time."""
    from pipeline.report.blocks import chart_key

    document = WordDocument(title, epoch, lambda svg: images.get(chart_key(svg)))
    document.add(blocks)
    return document.bytes()


class WordDocument:
    """A Word document written a few blocks at a time (``add``; a run adds each cell's as the kernel finishes
    it), then its bytes (``bytes``): the same bytes as ``render`` of all the blocks at once. ``image_of``: a
    chart's PNG from its SVG (None when it has none)."""

    def __init__(self, title: str, epoch: int, image_of):
        import docx
        from docx.shared import Mm

        document = docx.Document()
        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(page.MARGIN_MM["top"]), Mm(page.MARGIN_MM["bottom"])
        section.left_margin, section.right_margin = Mm(page.MARGIN_MM["left"]), Mm(page.MARGIN_MM["right"])
        _styles(document)
        when = datetime.fromtimestamp(epoch, tz=timezone.utc).replace(tzinfo=None)
        props = document.core_properties
        # Word holds at most 255 characters in a document property
        props.title = title if len(title) <= 255 else title[:254] + "…"
        props.author, props.last_modified_by = "", ""
        props.created = props.modified = props.last_printed = when
        props.revision = 1
        self.document = document
        self.writer = _Writer(document, image_of)

    def add(self, blocks) -> None:
        for block in blocks:
            self.writer.block(block)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The package with every entry's time fixed (python-docx stamps the clock), in the same order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _styles(document) -> None:
    """The report's named styles, based on Word's, at the page's type sizes."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = "DejaVu Sans", Pt(page.BODY_PT)
    for level, size in ((1, 24), (2, 16), (3, 12.5), (4, page.BODY_PT)):
        heading = styles[f"Heading {level}"]
        heading.font.name, heading.font.size = "DejaVu Sans", Pt(size)
    caption = styles["Caption"]
    caption.font.size, caption.font.bold, caption.font.italic = Pt(page.TABLE_PT), True, False

    def paragraph_style(name: str, size=None, bold=False, colour=None, italic=False):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size or page.BODY_PT)
        style.font.bold, style.font.italic = bold, italic
        if colour:
            style.font.color.rgb = RGBColor.from_string(colour)
        return style

    paragraph_style("Report Note", colour="4A4A4A")
    paragraph_style("Report Lead-in", bold=True)
    paragraph_style("Report Label", bold=True)
    paragraph_style("Report Finding", colour="00507A")
    paragraph_style("Report Warning", bold=True, colour="7A2F00")
    paragraph_style("Report Organisation", size=13, bold=True, colour="00507A")
    paragraph_style("Report Period", size=14)
    paragraph_style("Report Key Figure", size=page.BODY_PT)
    paragraph_style("Report Table Text", size=page.TABLE_PT)
    paragraph_style("Report Preformatted", size=page.TABLE_PT).font.name = "DejaVu Sans Mono"
    code = styles.add_style("Report Code", WD_STYLE_TYPE.CHARACTER)
    code.font.name = "DejaVu Sans Mono"
    big = styles.add_style("Report Big Figure", WD_STYLE_TYPE.CHARACTER)
    big.font.size, big.font.bold = Pt(20), True


class _Writer:
    def __init__(self, document, image_of):
        self.document = document
        self.image_of = image_of
        self.bookmark = 0
        self.ids: dict[str, str] = {}
        self.sections: set[str] = set()  # the anchors of the section headings so far (``blocks.anchor``)

    def style_id(self, name: str) -> str:
        """A style's id by its name, looked up once (python-docx scans every style on each lookup by name)."""
        if name not in self.ids:
            self.ids[name] = self.document.styles[name].style_id
        return self.ids[name]

    def paragraph(self, style: str | None = None):
        """A new paragraph at the end of the document, in ``style``."""
        paragraph = self.document.add_paragraph()
        if style:
            self.styled(paragraph, style)
        return paragraph

    def styled(self, paragraph, style: str) -> None:
        paragraph._p.style = self.style_id(style)

    # --- inline content ---------------------------------------------------------------------------
    def inline(self, paragraph, content, bold: bool = False, size=None) -> None:
        for item in inlines(content):
            if isinstance(item, str):
                self.text(paragraph, item, bold=bold, size=size)
            elif isinstance(item, Num):
                self.text(paragraph, item.text(), bold=bold, size=size)
            elif isinstance(item, Badge):
                self.badge(paragraph, item, bold, size)
            elif isinstance(item, Span):
                self.span(paragraph, item, bold, size)
            else:
                raise DocxRenderError(f"{type(item).__name__} is not inline content of the report")

    def text(self, paragraph, text: str, bold=False, size=None, style=None, italic=False, colour=None):
        from docx.shared import Pt, RGBColor

        lines = _clean(str(text)).split("\n")
        for i, line in enumerate(lines):
            run = paragraph.add_run(line)
            if style:
                run._r.style = self.style_id(style)
            if i < len(lines) - 1:
                run.add_break()
            run.bold = bold or None
            run.italic = italic or None
            if size:
                run.font.size = Pt(size)
            if colour:
                run.font.color.rgb = RGBColor.from_string(colour)

    def badge(self, paragraph, item: Badge, bold, size):
        colour = STATUS_COLOURS.get(f"{item.scale}-{item.kind}")
        if item.mark:
            self.text(paragraph, item.mark + " ", bold=bold, size=size, colour=colour)
        self.text(paragraph, item.label, bold=bold, size=size)

    def span(self, paragraph, item: Span, bold, size):
        if item.kind in ("code", "digest"):
            from pipeline.report.blocks import plain

            self.text(paragraph, plain(item.content), bold=bold, size=size, style="Report Code")
        elif item.kind in ("strong", "big"):
            before = len(paragraph.runs)
            self.inline(paragraph, item.content, bold=True, size=size)
            if item.kind == "big":
                for run in paragraph.runs[before:]:
                    run._r.style = self.style_id("Report Big Figure")
        elif item.kind in ("emph", "muted", "ref"):
            before = len(paragraph.runs)
            self.inline(paragraph, item.content, bold=bold, size=size)
            for run in paragraph.runs[before:]:
                run.italic = item.kind == "emph" or None
        elif item.kind == "link":
            self.link(paragraph, item, bold, size)
        else:
            raise DocxRenderError(f"a span of kind {item.kind!r} is not part of the report's vocabulary")

    def link(self, paragraph, item: Span, bold, size):
        """A link: to a place in the document (``#anchor``, a bookmark) or to a file published beside it."""
        from docx.opc.constants import RELATIONSHIP_TYPE
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        from pipeline.report.blocks import plain

        hyperlink = OxmlElement("w:hyperlink")
        if item.href.startswith("#"):
            hyperlink.set(qn("w:anchor"), _bookmark_name(item.href[1:]))
        else:
            rel = paragraph.part.relate_to(item.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            hyperlink.set(qn("r:id"), rel)
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        style = OxmlElement("w:rStyle")
        style.set(qn("w:val"), "Hyperlink")
        props.append(style)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(underline)
        if bold:
            props.append(OxmlElement("w:b"))
        run.append(props)
        text = OxmlElement("w:t")
        text.text = _clean(plain(item.content))
        text.set(qn("xml:space"), "preserve")
        run.append(text)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

    # --- blocks -------------------------------------------------------------------------------------
    def block(self, b) -> None:  # noqa: C901 - one branch a block
        if isinstance(b, Heading):
            paragraph = self.paragraph(f"Heading {min(b.level, 9)}")
            self.inline(paragraph, b.content)
            self.mark(paragraph, b.id or anchor(plain(b.content).strip(), self.sections if b.level == 2 else set()))
        elif isinstance(b, Para):
            style = _PARAGRAPH_STYLES.get(b.style)
            paragraph = self.paragraph(style)
            self.inline(paragraph, b.content)
        elif isinstance(b, Items):
            for item in b.items:
                paragraph = self.paragraph("List Number" if b.ordered else "List Bullet")
                self.inline(paragraph, item)
        elif isinstance(b, Definitions):
            for term, definition in b.pairs:
                paragraph = self.paragraph("Report Note")
                self.inline(paragraph, term, bold=True)
                self.text(paragraph, "\t")
                self.inline(paragraph, definition)
        elif isinstance(b, Group):
            if b.kind not in ("title-page", "key-figures", "article"):
                raise DocxRenderError(f"a group of kind {b.kind!r} is not part of the report's vocabulary")
            from docx.oxml.ns import qn
            from docx.text.paragraph import Paragraph

            body = self.document.element.body
            before = len(body)  # the body ends with the section's properties; what is added goes before them
            for inner in b.blocks:
                self.block(inner)
            added = [e for e in body[before - 1 : len(body) - 1] if e.tag == qn("w:p")]
            if b.id and added:
                self.mark(Paragraph(added[0], self.document._body), b.id)
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Figure):
            self.figure(b)
        elif isinstance(b, Preformatted):
            self.text(self.paragraph("Report Preformatted"), b.text)
        elif isinstance(b, PageBreak):
            from docx.enum.text import WD_BREAK

            self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            raise DocxRenderError(f"{type(b).__name__} is not a block of the report")

    def mark(self, paragraph, anchor: str) -> None:
        """A bookmark named for ``anchor`` around the paragraph, for the links that go to it."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(self.bookmark))
        start.set(qn("w:name"), _bookmark_name(anchor))
        end.set(qn("w:id"), str(self.bookmark))
        self.bookmark += 1
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)

    def table(self, t: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt
        from docx.table import _Cell
        from docx.text.paragraph import Paragraph

        self.text(self.paragraph("Caption"), t.caption)
        table = self.document.add_table(rows=1 + len(t.rows), cols=len(t.columns))
        table._tbl.tblStyle_val = self.style_id("Table Grid")
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        widths = _widths(t)
        for i, width in enumerate(widths):  # the grid's widths (LibreOffice reads these) and each cell's (Word)
            table.columns[i].width = Pt(width)
        rows = table._tbl.tr_lst  # a new table merges no cell: each row has one cell a column
        flag = OxmlElement("w:tblHeader")  # the header row repeats on every page the table runs over
        flag.set(qn("w:val"), "true")
        rows[0].get_or_add_trPr().append(flag)
        for i, (column, tc) in enumerate(zip(t.columns, rows[0].tc_lst)):
            cell = _Cell(tc, table)
            cell.width = Pt(widths[i])
            paragraph = Paragraph(tc.p_lst[0], cell)
            self.styled(paragraph, "Report Table Text")
            self.text(paragraph, column.name.replace("\u00ad", ""), bold=True)
            if column.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for r, row in enumerate(t.rows, start=1):
            for i, (column, content, tc) in enumerate(zip(t.columns, row.cells, rows[r].tc_lst)):
                cell = _Cell(tc, table)
                cell.width = Pt(widths[i])
                paragraph = Paragraph(tc.p_lst[0], cell)
                self.styled(paragraph, "Report Table Text")
                self.inline(paragraph, content, bold=row.total or column.row_header)
                if column.numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.document.add_paragraph()

    def figure(self, b: Figure) -> None:
        from docx.shared import Mm

        png = self.image_of(b.svg)
        if png is None:
            raise DocxRenderError("a chart has no image to print (its SVG was not drawn)")
        picture = self.document.add_picture(io.BytesIO(png), width=Mm(min(182, _png_width_mm(png))))
        drawing = picture._inline.docPr
        drawing.set("descr", _clean(b.alt))  # the chart's text alternative, as Word's Alt Text
        drawing.set("title", _clean(b.caption)[:200])
        self.text(self.paragraph("Caption"), b.caption)


def _widths(t: Table) -> list[float]:
    """Each column's width in points: as printed (``columns.column_layout``), the same page and type."""
    from pipeline.report.blocks import has_code, plain
    from pipeline.report.formats.columns import column_layout

    specs = [(c.width.unit, c.width.value) if c.width else ("auto", 0.0) for c in t.columns]
    rows = [[(c.name, True) for c in t.columns]] + [
        [(plain(cell), row.total, has_code(cell), c.numeric) for c, cell in zip(t.columns, row.cells)] for row in t.rows
    ]
    return [w for w, _ in column_layout(specs, rows)]


def _png_width_mm(png: bytes) -> float:
    """A PNG's width in millimetres at ``CHART_PPI``."""
    width = int.from_bytes(png[16:20], "big")
    return width / CHART_PPI * 25.4


# Characters XML 1.0 cannot hold (control characters): a cell of an export may carry one; Word prints the
# placeholder instead (the HTML and the PDF do likewise, and cleaning records a finding).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _bookmark_name(anchor: str) -> str:
    """A bookmark's name for an anchor: Word allows letters, digits and underscores, at most 40 characters."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", anchor)
    return ("_" + name if not name[:1].isalpha() else name)[:40]
