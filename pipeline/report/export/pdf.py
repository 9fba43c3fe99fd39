"""The report as a PDF: each piece's Typst markup assembled under ``templates/council/report.typ`` and compiled by
Typst in this process.

Assembled from the same pieces as the HTML: each report output offers its Typst markup beside its HTML
(``formats.typst.TYPST_MIME``, written in the kernel from the piece's blocks); markdown cells are read into blocks
(``formats.markdown``) and written by the same renderer; an output without Typst markup prints as its plain text.
Typst reads nothing but what it is handed: the document's text and the charts' SVGs (``sys.inputs``, from the
outputs' blocks); its root is an empty folder and its fonts are the repository's, so text from an input can never
make it read a local file or the machine's fonts (and it has no network access).
"""

from __future__ import annotations

import os

from nbconvert.exporters import Exporter
from traitlets import default

from pipeline.errors import RenderError
from pipeline.paths import FONTS_DIR, TEMPLATES_DIR
from pipeline.report.export.html import OPENING_SECTIONS, TEMPLATE_NAME, published_files
from pipeline.report.export.notebook import epoch_of, figures_of, meta, published_beside, title_of
from pipeline.scratch import private_folder


class CouncilPDFExporter(Exporter):
    """The report as an A4 PDF through Typst: tagged PDF/UA-1, fonts from the repository, byte-identical.

    Assembled from the same pieces as the HTML: each report output offers its Typst markup beside its HTML
    (``report.TYPST_MIME``, written in the kernel from the piece's blocks); markdown cells are read into
    blocks (``report.markdown``) and written by the same renderer; an output without Typst markup prints as its
    plain text. Typst compiles in this process, reading no file: the charts' SVGs are handed to it
    (``sys.inputs``) and its root is an empty folder. ``--to council_pdf`` works on any executed report
    notebook; ``published`` as for ``CouncilHTMLExporter``.
    """

    export_from_notebook = "Council report (PDF)"
    output_mimetype = "application/pdf"
    published = published_files()

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        source, images = notebook_to_typst(nb, sorted(published_beside(resources, self.published)))
        resources["output_extension"] = ".pdf"
        return typst_to_pdf(source, images, epoch_of(nb)), resources


def notebook_to_typst(nb, published=(), title: str | None = None) -> tuple[str, dict[str, str]]:
    """The Typst document of an executed report notebook and the SVGs it hands to Typst by name.

    The contents (an outline of the sections) follow the title page, or the key messages when the report
    opens with them, as in the HTML (``html.prepare_sections``)."""
    from pipeline.report.blocks import chart_key
    from pipeline.report.formats import markdown, typst

    setter = typst.Typesetter()
    parts: list[str] = []
    starts: list[int] = []  # for each section heading, the part it is in

    def take(write, *args) -> None:  # one part, and the sections that begin in it
        sections = len(setter.headings)
        parts.append(write(*args))
        starts.extend([len(parts) - 1] * (len(setter.headings) - sections))

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            take(setter.convert, markdown.to_blocks(cell.source))
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if not meta(output).get("lab_only"):
                take(_typst_of, output, setter)
                for figure in figures_of(output):
                    setter.images[chart_key(figure.svg)] = figure.svg
    body = _with_contents(parts, setter.headings, starts)
    title = title or nb.metadata.get("title") or title_of(nb) or "Council report"
    if "#heading(level: 1)" not in body:  # a notebook without a title piece: its title opens it (PDF/UA-1 asks)
        body = f"#heading(level: 1)[{typst.escape(title)}]\n\n" + body
    return typst_document(body, title, published), setter.images


def typst_document(body: str, title: str, published=()) -> str:
    """A whole Typst document: the title and the published files, the council template, then ``body``."""
    from pipeline.report.formats.page import typst_head
    from pipeline.report.formats.typst import string

    files = "".join(string(name) + ", " for name in published)  # a Typst array: () or ("a", "b", )
    head = f"#let council-title = {string(title)}\n#let council-published-files = ({files})\n" + typst_head()
    template = (TEMPLATES_DIR / TEMPLATE_NAME / "report.typ").read_text(encoding="utf-8")
    return head + template + "\n" + body


def _typst_of(output, setter) -> str:
    """An output's Typst: the piece's own (every report piece offers it); else its text, as preformatted text (an
    output of HTML only, such as a frame shown by hand, has no print form and prints as its plain text)."""
    from pipeline.report.formats import typst

    data = output.get("data", {})
    if typst.TYPST_MIME in data:
        return data[typst.TYPST_MIME]
    if output.get("output_type") == "stream" and output.get("name") == "stdout":
        return f"#council-pre({typst.string(output.get('text', ''))})\n\n"
    if output.get("output_type") == "error":
        return f"#council-pre({typst.string(output.get('ename', '') + ': ' + output.get('evalue', ''))})\n\n"
    if "text/plain" in data:
        return f"#council-pre({typst.string(data['text/plain'])})\n\n"
    return ""


def _with_contents(parts: list[str], headings: list, starts: list[int]) -> str:
    """The body with the contents placed: before the first section; after the opening section when the report
    opens with its answer (``OPENING_SECTIONS``), as the HTML places them; but in print, a
    report that opens with its summary keeps its body short and lists its contents where its annex begins
    (``starts``: each section's part)."""
    if not headings:
        return "".join(parts)
    second = headings[0][0] in OPENING_SECTIONS and len(headings) > 1
    at = starts[1 if second else 0]
    annex = [i for i, (anchor, _) in enumerate(headings) if anchor.startswith("annex")]
    if annex:  # the summary opens the report (its front page), the body follows; the contents open the annex
        at = starts[annex[0]]
    return "".join(parts[:at]) + "#council-contents()\n\n" + "".join(parts[at:])


def typst_to_pdf(source: str, images: dict[str, str] | None = None, source_date_epoch: int | None = None) -> bytes:
    """Compile a report's Typst document to tagged A4 PDF/UA-1 bytes.

    ``images``: the SVGs the document names (``sys.inputs``). Typst's root is an empty folder, so the
    document can read no file; its fonts are the repository's and Typst's own. ``source_date_epoch`` is the
    date written into the PDF (else ``SOURCE_DATE_EPOCH``, else 0): equal source and epoch, equal bytes.
    """
    import typst

    epoch = source_date_epoch if source_date_epoch is not None else int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    with private_folder("typst") as root:
        try:
            return typst.compile(
                source.encode("utf-8"),
                format="pdf",
                root=root,
                font_paths=[str(FONTS_DIR)],
                ignore_system_fonts=True,
                sys_inputs=dict(images or {}),
                pdf_standards=["ua-1"],
                timestamp=epoch,
            )
        except typst.TypstError as exc:
            raise RenderError(f"Typst could not print the report: {exc.message}") from None
