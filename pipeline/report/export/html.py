"""The report as an HTML page: nbconvert's exporter with this package's template (``templates/council``).

No code, no prompts, no scripts, one stylesheet written for the screen. The same report whoever exports it:
``run``, or ``jupyter nbconvert --to council_html`` on a notebook executed by papermill or in JupyterLab. Nothing
here reads the HTML it writes: before the template runs, the exporter reads the document's section headings from
the blocks (the pieces' outputs carry theirs; markdown cells are read into blocks), gives each its anchor by the
one rule (``blocks.anchor``), and places the contents; markdown headings are written with their anchors by the
markdown renderer itself; a piece that links to a file not published beside this copy is written again from its
blocks, saying so (``html.render`` with ``published``).
"""

from __future__ import annotations

import functools

from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from traitlets import List, Unicode, default

from pipeline.paths import TEMPLATES_DIR
from pipeline.report import blocks
from pipeline.report.export.notebook import output_blocks, published_beside, report_outputs, title_of, without_lab_only

TEMPLATE_NAME = "council"
# A report that opens with one of these sections (its answer first) has its contents after it, not before it.
OPENING_SECTIONS = ("summary", "key-messages")


def published_files():
    """The exporters' ``published`` option: the files published beside the report (``run`` gives them); None:
    look in the folder of the exported notebook."""
    return List(
        Unicode(),
        default_value=None,
        allow_none=True,
        help="the files published beside the report; None: look beside the notebook",
    ).tag(config=True)


class CouncilHTMLExporter(HTMLExporter):
    """HTML for a committee: the council template, outputs only, sections anchored, with a table of contents."""

    export_from_notebook = "Council report (HTML)"
    published = published_files()

    def from_notebook_node(self, nb, resources=None, **kw):
        nb = without_lab_only(nb)
        if not nb.metadata.get("title"):
            title = title_of(nb)
            if title:
                nb.metadata["title"] = title
        resources = self._init_resources(resources)
        prepare_sections(nb, published_beside(resources, self.published))
        return self._export(nb, resources, **kw)

    def _export(self, nb, resources, **kw):
        """HTMLExporter's export without its last step, which parses the whole page again (BeautifulSoup, 0.8 s
        for a report) to give images without one an alt text and JupyterLab's cell markup a tabindex: the council
        template has neither (every chart carries its text alternative; tests check it)."""
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        info = nb.metadata.get("language_info", {})
        lexer = info.get("pygments_lexer", info.get("name"))
        highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter("highlight_code", highlight)
        data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("filter_data_type", data_type)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    @pass_context
    def markdown2html(self, context, source):
        """A markdown cell by nbconvert's renderer, each section heading written with the anchor the exporter gave it
        (``prepare_sections``)."""
        from nbconvert.filters.markdown_mistune import MarkdownWithMath

        cell = context.get("cell", {})
        renderer = anchored_renderer()(
            list(cell.get("metadata", {}).get("council_anchors", [])),
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=True,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)

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


@functools.cache
def anchored_renderer():
    """nbconvert's markdown renderer, made to write each section heading with its anchor (made when first used:
    nbconvert's markdown modules are imported with it)."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class AnchoredRenderer(IPythonRenderer):
        """nbconvert's markdown renderer, whose section headings (level 2) carry the anchors given, in order."""

        def __init__(self, anchors: list[str], **options):
            super().__init__(**options)
            self.anchors = anchors

        def heading(self, text, level, **attrs):
            if level == 2 and self.anchors:
                attrs["id"] = self.anchors.pop(0)
            return super().heading(text, level, **attrs)

    return AnchoredRenderer


def prepare_sections(nb, published: set[str]) -> None:
    """Ready ``nb`` (a copy) for the template: each markdown cell's section headings given their anchors
    (``council_anchors``), the contents placed before the cell they go before (``council_contents``, rendered by the
    HTML renderer from blocks), and each piece that links to a file not published beside this copy written again
    from its blocks, saying so."""
    from pipeline.report.formats import html, markdown

    used: set[str] = set()
    sections: list[tuple[int, str, str]] = []  # (cell index, anchor, heading text)
    title_cells: set[int] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            anchors = []
            for heading in blocks.headings(markdown.to_blocks(cell.source), level=2):
                anchors.append(blocks.anchor(blocks.plain(heading.content).strip(), used))
                sections.append((index, anchors[-1], blocks.plain(heading.content).strip()))
            cell.metadata["council_anchors"] = anchors
        for position, output in enumerate(report_outputs(cell)):
            pieces = output_blocks(output)
            if pieces is None:
                continue
            for heading in blocks.headings(pieces):
                if heading.level == 1:
                    title_cells.add(index)
                elif heading.level == 2 and heading.id:
                    used.add(heading.id)
                    sections.append((index, heading.id, blocks.plain(heading.content).strip()))
            if _links_unpublished(pieces, published):
                cell.outputs[position] = _rewritten(output, html.render(pieces, published=published))
    if sections:
        at = _contents_cell(sections, title_cells)
        entries = tuple((blocks.Span("link", (text,), "#" + name),) for _, name, text in sections)
        nb.cells[at].metadata["council_contents"] = html.render((contents_block(entries),))


def contents_block(entries: tuple) -> blocks.Group:
    """The contents as blocks: a heading and the ordered list of links to the sections."""
    return blocks.Group("contents", (blocks.Heading(2, ("Contents",), "contents"), blocks.Items(entries, ordered=True)))


def _contents_cell(sections: list, title_cells: set[int]) -> int:
    """The cell the contents go before: the one that holds the second section when the report opens with its answer
    (``OPENING_SECTIONS``); else the one holding the first section, or the cell after it when that cell also holds
    the title page."""
    if sections[0][1] in OPENING_SECTIONS and len(sections) > 1:
        return sections[1][0]
    first = sections[0][0]
    return first + 1 if first in title_cells else first


def _links_unpublished(pieces, published: set[str]) -> bool:
    return any(isinstance(b, blocks.Para) and b.published and b.published not in published for b in pieces)


def _rewritten(output, markup: str):
    from nbformat import NotebookNode

    data = dict(output.get("data", {}))
    data["text/html"] = markup
    return NotebookNode(output, data=NotebookNode(data))


def notebook_to_html(nb, title: str, published=None) -> str:
    """Export an executed notebook node to the council HTML, with a table of contents; ``published``: the names of
    the files published beside it (see ``CouncilHTMLExporter``)."""
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
