"""Stage 5b, render (Word): an executed report notebook as ``report.docx``, through the Word renderer.

Each report output carries its blocks (``report.blocks.BLOCKS_MIME``) beside its HTML and Typst; markdown cells
are read into blocks (``report.markdown``). ``report.docx`` renders them all, the charts drawn as PNG by Typst
with the PDF's fonts. Registered as nbconvert's ``council_docx`` exporter: ``jupyter nbconvert --to council_docx``
works on any executed report notebook, and ``run`` calls the same code.
"""

from __future__ import annotations

from nbconvert.exporters import Exporter
from traitlets import default


def notebook_blocks(nb) -> tuple:
    """Every block of an executed report notebook, in order: its markdown cells and its pieces' outputs (an
    output without blocks prints as its plain text; the JupyterLab stylesheet is left out)."""
    from .render import _meta, _svg_of
    from .report import blocks, markdown

    out: list = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out.extend(markdown.to_blocks(cell.source))
            continue
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if _meta(output).get("lab_only"):
                continue
            data = output.get("data", {})
            if blocks.BLOCKS_MIME in data:
                svg = _svg_of(output)
                from .report.typst import svg_key

                svgs = {svg_key(svg): svg.decode("utf-8")} if svg is not None else {}
                out.extend(blocks.from_data(data[blocks.BLOCKS_MIME]["blocks"], svgs))
            elif output.get("output_type") == "stream" and output.get("name") == "stdout":
                out.append(blocks.Preformatted(output.get("text", "")))
            elif "text/plain" in data:
                out.append(blocks.Preformatted(data["text/plain"]))
    return tuple(out)


def notebook_to_docx(nb, title: str, epoch: int = 0) -> bytes:
    """The Word document of an executed report notebook (``epoch``: the date it carries, the period's end)."""
    from .report import docx
    from .report.blocks import Figure
    from .report.typst import svg_key

    blocks = notebook_blocks(nb)
    images = {}
    for block in _all(blocks):
        if isinstance(block, Figure) and svg_key(block.svg) not in images:
            images[svg_key(block.svg)] = png_of(block.svg)
    return docx.render(blocks, title, images, epoch)


def _all(blocks):
    from .report.blocks import Group

    for block in blocks:
        yield block
        if isinstance(block, Group):
            yield from _all(block.blocks)


def png_of(svg: str, ppi: int | None = None) -> bytes:
    """A chart's SVG drawn as PNG by Typst, with the PDF's fonts, reading no other file."""
    import typst

    from .kernel import private_folder
    from .paths import FONTS_DIR
    from .report.docx import CHART_PPI

    source = '#set page(width: auto, height: auto, margin: 0pt)\n#image(bytes(sys.inputs.at("svg")), format: "svg")\n'
    with private_folder("typst") as root:
        return typst.compile(
            source.encode("utf-8"),
            format="png",
            ppi=ppi or CHART_PPI,
            root=root,
            font_paths=[str(FONTS_DIR)],
            ignore_system_fonts=True,
            sys_inputs={"svg": svg},
        )


class CouncilDocxExporter(Exporter):
    """The report as a Word document (``report.docx``), from the same blocks as the HTML and the PDF."""

    export_from_notebook = "Council report (Word)"
    output_mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    @default("file_extension")
    def _file_extension_default(self):
        return ".docx"

    def from_notebook_node(self, nb, resources=None, **kw):
        from .render import _epoch_of, _title_of

        nb, resources = super().from_notebook_node(nb, resources, **kw)
        title = nb.metadata.get("title") or _title_of(nb) or "Council report"
        resources["output_extension"] = ".docx"
        return notebook_to_docx(nb, title, _epoch_of(nb) or 0), resources
