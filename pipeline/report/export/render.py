"""Stage 5b, render: execute a report notebook with papermill, export HTML with nbconvert, print PDF with Typst.

The HTML uses this package's own nbconvert template (``templates/council``):
no code, no prompts, no scripts, one stylesheet written for the screen. The PDF
is Typst's: each piece's Typst markup (written by ``report.typst`` from the same
description as its HTML) assembled under ``templates/council/report.typ`` and
compiled in this process. Both exporters are registered under nbconvert's
``nbconvert.exporters`` entry point, so ``jupyter nbconvert --to council_html``
and ``--to council_pdf`` work too.

Executed notebooks are scrubbed of what changes from run to run (timings,
random cell ids, kernel start times) so that equal inputs give equal bytes.

The PDF renderer reads nothing but what the pipeline hands it: the document's text and the charts' SVGs,
generated here. Typst's root is an empty folder and its fonts are the repository's, so text from an input
can never make it read a local file or the machine's fonts (and it has no network access).
"""

from __future__ import annotations

import base64
import copy
import os
import re
from pathlib import Path

from nbconvert.exporters import Exporter, HTMLExporter
from traitlets import List, Unicode, default

from pipeline.errors import PipelineError, RenderError
from pipeline.paths import FONTS_DIR, TEMPLATES_DIR
from pipeline.scratch import private_folder

TEMPLATE_NAME = "council"
# A report that opens with one of these sections (its answer first) has its contents after it, not before it.
OPENING_SECTIONS = ("summary", "key-messages")


def _published_files():
    """The exporters' ``published`` option: the files published beside the report (``run`` gives them); None:
    look in the folder of the exported notebook."""
    return List(
        Unicode(),
        default_value=None,
        allow_none=True,
        help="the files published beside the report; None: look beside the notebook",
    ).tag(config=True)


class CouncilHTMLExporter(HTMLExporter):
    """HTML for a committee: the council template, outputs only, no anchor links or scripts.

    The same report whoever exports it: ``run``, or ``jupyter nbconvert --to council_html`` on a notebook
    executed by papermill or in JupyterLab. The document's title comes from the notebook's metadata or else
    from the title piece's output; the sections get anchors and a table of contents; a paragraph linking to a
    published file (``data-published``) stays only when that file is published with the report (``published``,
    given by ``run``) or lies beside the exported notebook, and otherwise says so instead of linking to nothing.
    """

    export_from_notebook = "Council report (HTML)"
    published = _published_files()

    def from_notebook_node(self, nb, resources=None, **kw):
        nb = _without_lab_only(nb)
        if not nb.metadata.get("title"):
            title = _title_of(nb)
            if title:
                nb.metadata["title"] = title
        html, resources = self._export(nb, resources, **kw)
        beside = _folder_of(resources)
        exists = (
            (lambda name: name in self.published)
            if self.published is not None
            else (lambda name: beside is not None and (beside / name).is_file())
        )
        return published_only(add_contents(html), exists), resources

    def _export(self, nb, resources, **kw):
        """HTMLExporter's export without its last step, which parses the whole page again (BeautifulSoup, 0.8 s
        for a report) to give images without one an alt text and JupyterLab's cell markup a tabindex: the
        council template has neither (every chart carries its text alternative; tests check it)."""
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        info = nb.metadata.get("language_info", {})
        lexer = info.get("pygments_lexer", info.get("name"))
        resources = self._init_resources(resources)
        highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter("highlight_code", highlight)
        data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("filter_data_type", data_type)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    @default("optimistic_validation")
    def _optimistic_validation_default(self):
        return True  # the notebook is checked once, after the preprocessors (not after each: 11 passes)

    @default("template_name")
    def _template_name_default(self):
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("exclude_anchor_links")
    def _exclude_anchor_links_default(self):
        return True


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
    published = _published_files()

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        beside = _folder_of(resources)
        if self.published is not None:
            published = sorted(self.published)
        elif beside is not None and beside.is_dir():
            published = sorted(p.name for p in beside.iterdir() if p.is_file())
        else:
            published = []
        source, images = notebook_to_typst(nb, published)
        resources["output_extension"] = ".pdf"
        return typst_to_pdf(source, images, _epoch_of(nb)), resources


def notebook_to_typst(nb, published=(), title: str | None = None) -> tuple[str, dict[str, str]]:
    """The Typst document of an executed report notebook and the SVGs it hands to Typst by name.

    The contents (an outline of the sections) follow the title page, or the key messages when the report
    opens with them, as in the HTML (``add_contents``)."""
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
            if not _meta(output).get("lab_only"):
                take(_typst_of, output, setter)
                svg = _svg_of(output)
                if svg is not None:
                    setter.images[typst.svg_key(svg)] = svg.decode("utf-8")
    body = _with_contents(parts, setter.headings, starts)
    title = title or nb.metadata.get("title") or _title_of(nb) or "Council report"
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
    opens with its answer (``OPENING_SECTIONS``), as ``add_contents`` places them in the HTML; but in print, a
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


def _folder_of(resources) -> Path | None:
    """The folder of the notebook being exported (nbconvert gives "" for one in the working directory), or
    None for a notebook exported from memory."""
    path = ((resources or {}).get("metadata") or {}).get("path")
    return None if path is None else Path(path or ".")


def _epoch_of(nb) -> int | None:
    """The period end of a report notebook executed by papermill, from its parameters; else None."""
    from pipeline.period import Period

    params = nb.metadata.get("papermill", {}).get("parameters", {})
    try:
        return Period.parse(params["year"], params["quarter"]).source_date_epoch
    except (KeyError, PipelineError):
        return None


def notebook_to_html(nb, title: str, published=None) -> str:
    """Export an executed notebook node to the council HTML, with a table of contents; ``published``: the
    names of the files published beside it (see ``CouncilHTMLExporter``)."""
    nb.metadata["title"] = title
    html, _ = CouncilHTMLExporter(published=None if published is None else sorted(published)).from_notebook_node(nb)
    return html


def ready_html_exporter() -> None:
    """Compile the HTML exporter's templates (and import what it uses) by exporting a two-cell notebook, so that
    the report's export after the last cell does not pay for it (``run`` does this while the kernel executes)."""
    import nbformat

    cells = [
        nbformat.v4.new_markdown_cell("## A heading\n\nA paragraph."),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", {"text/html": "<p>x</p>"})]),
    ]
    notebook_to_html(nbformat.v4.new_notebook(cells=cells), title="", published=())


def _without_lab_only(nb):
    """A copy of ``nb`` without what is only for JupyterLab (the scoped stylesheet), which is not part of the
    report: new notebook, metadata and cells, the outputs shared (the exporter copies what it changes)."""
    from nbformat import NotebookNode

    cells = []
    for cell in nb.cells:
        cell = NotebookNode(cell)
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs if not _meta(o).get("lab_only")]
        cells.append(cell)
    return NotebookNode(nb, metadata=copy.deepcopy(nb.metadata), cells=cells)


def _meta(output) -> dict:
    return output.get("metadata", {}).get("council_report", {})


def _title_of(nb) -> str:
    """The document title a report piece gave in its output metadata (``council_report.title``), if any."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if _meta(output).get("title"):
                return str(_meta(output)["title"])
    return ""


_SVG_URL = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def _svg_of(output) -> bytes | None:
    """The SVG an output shows, stored once in its HTML's data: URL; None when it shows none."""
    found = _SVG_URL.search(output.get("data", {}).get("text/html", ""))
    return base64.b64decode(found.group(1)) if found else None


def chart_files(nb) -> dict[str, bytes]:
    """The SVG of every chart the notebook showed, under the file name its output metadata gives
    (``council_report.chart_file``), as ``charts/<name>``."""
    files = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name, svg = _meta(output).get("chart_file"), _svg_of(output)
            if name and svg is not None:
                files[f"charts/{name}"] = svg
    return files


_PUBLISHED = re.compile(r'<p data-published="([^"]+)">.*?</p>', re.S)


def published_only(html: str, exists) -> str:
    """Keep each ``<p data-published="FILE">`` paragraph when ``exists(FILE)``; otherwise say that the file is
    published beside the report by ``run`` and is not beside this copy."""
    import html as html_module

    def keep(m: re.Match) -> str:
        name = html_module.unescape(m.group(1))
        if exists(name):
            return m.group(0)
        return (
            f'<p class="note">{m.group(1)} is published beside the report by <code>python -m pipeline run</code>; '
            "this copy was exported on its own, without it.</p>"
        )

    return _PUBLISHED.sub(keep, html)


_H2 = re.compile(r"<h2>(.*?)</h2>", re.S)


def add_contents(html: str) -> str:
    """Give every section heading (h2) an id and put a list of links to them after the title block."""
    import html as html_module

    from pipeline.report.formats.typst import slug

    used: set[str] = set()
    entries = []

    def anchor(m: re.Match) -> str:
        name = slug(html_module.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip(), used)
        entries.append((name, m.group(1)))
        return f'<h2 id="{name}">{m.group(1)}</h2>'

    html = _H2.sub(anchor, html)
    if not entries:
        return html
    items = "".join(f'<li><a href="#{slug}">{label}</a></li>' for slug, label in entries)
    nav = f'<nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents</h2><ol>{items}</ol></nav>'
    end = html.find("</header>")
    at = end + len("</header>") if end >= 0 else html.find("<main>") + len("<main>")
    if entries[0][0] in OPENING_SECTIONS and len(entries) > 1:
        at = html.find(f'<h2 id="{entries[1][0]}"')  # the key messages open the report; the contents follow them
    return html[:at] + nav + html[at:]
