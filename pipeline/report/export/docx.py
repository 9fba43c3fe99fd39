"""Word: an executed report notebook as ``report.docx``, through the Word renderer.

Each report output carries its blocks as printed (``report.blocks.BLOCKS_MIME``; a long listing cut, as in the
PDF) beside its HTML and Typst; markdown cells are read into blocks (``report.markdown``). ``report.docx`` renders
them all, the charts drawn as PNG by Typst with the PDF's fonts. Registered as nbconvert's ``council_docx``
exporter: ``jupyter nbconvert --to council_docx`` works on any executed report notebook, and ``run`` calls the
same code.
"""

from __future__ import annotations

from nbconvert.exporters import Exporter
from traitlets import default


def notebook_blocks(nb) -> tuple:
    """Every block of an executed report notebook, in order: its markdown cells and its pieces' outputs (an
    output without blocks prints as its plain text; the JupyterLab stylesheet is left out)."""
    return tuple(b for cell in nb.cells for b in cell_blocks(cell))


def cell_blocks(cell) -> list:
    """The blocks of one cell of an executed report notebook (see ``notebook_blocks``)."""
    from pipeline.report import blocks
    from pipeline.report.export.notebook import meta
    from pipeline.report.formats import markdown

    if cell.cell_type == "markdown":
        return list(markdown.to_blocks(cell.source))
    out: list = []
    for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
        if meta(output).get("lab_only"):
            continue
        data = output.get("data", {})
        if blocks.BLOCKS_MIME in data:
            out.extend(blocks.from_data(data[blocks.BLOCKS_MIME]["blocks"]))  # as printed: listings cut
        elif output.get("output_type") == "stream" and output.get("name") == "stdout":
            out.append(blocks.Preformatted(output.get("text", "")))
        elif "text/plain" in data:
            out.append(blocks.Preformatted(data["text/plain"]))
    return out


def notebook_to_docx(nb, title: str, epoch: int = 0) -> bytes:
    """The Word document of an executed report notebook (``epoch``: the date it carries, the period's end)."""
    word = WordOfCells(title, epoch)
    word.add(nb.cells)
    return word.bytes()


class WordOfCells:
    """A report notebook's Word document, built a cell at a time (a run adds each cell as the kernel finishes
    it, ``WordWhileExecuting``); the same bytes as ``notebook_to_docx`` of the whole notebook."""

    def __init__(self, title: str, epoch: int = 0):
        from pipeline.report.formats.docx import WordDocument

        self.pngs: dict[str, bytes] = {}
        self.document = WordDocument(title, epoch, self.png)

    def png(self, svg: str) -> bytes:
        from pipeline.report.blocks import chart_key

        key = chart_key(svg)
        if key not in self.pngs:
            self.pngs[key] = png_of(svg)
        return self.pngs[key]

    def add(self, cells) -> None:
        for cell in cells:
            self.document.add(cell_blocks(cell))

    def bytes(self) -> bytes:
        return self.document.bytes()


class WordWhileExecuting:
    """``report.docx`` written in a thread while the kernel executes the notebook: each cell is added as soon as
    the kernel has finished it (``executed``, papermill's hook), so that the run's time after the last cell is
    the PDF's and the HTML's alone. Before the first cell arrives, the thread readies the HTML exporter (its
    templates compiled), which the run uses after the last cell. ``bytes(nb)``: the document, once the
    notebook is done; the same bytes as ``notebook_to_docx(nb)``. Used as a context manager: on leaving, the
    thread is stopped whatever happened."""

    def __init__(self, title: str, epoch: int = 0):
        import queue
        import threading

        self.title, self.epoch = title, epoch
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.word: WordOfCells | None = None
        self.done = 0  # the cells added so far
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="report.docx", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.queue.put(None)
        self.thread.join()

    def executed(self, nb, index: int) -> None:
        """Papermill's hook: cell ``index`` of ``nb`` (the notebook being executed) is done, and so is every cell
        before it."""
        self.queue.put((nb, index + 1))

    def bytes(self, nb) -> bytes:
        """The Word document of the executed notebook ``nb``: its cells not yet added are added, and the thread
        is stopped. Raises what adding a cell raised."""
        self.queue.put((nb, len(nb.cells)))
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.word.bytes()

    def _work(self) -> None:
        from pipeline.report.export.html import ready_html_exporter

        try:
            ready_html_exporter()
            self.word = WordOfCells(self.title, self.epoch)
            while (item := self.queue.get()) is not None:
                nb, upto = item
                self.word.add(nb.cells[self.done : upto])
                self.done = max(self.done, upto)
        except BaseException as exc:  # handed to the run's thread by ``bytes``
            self.error = exc
            while self.queue.get() is not None:  # the run goes on putting cells until it asks for the bytes
                pass


def png_of(svg: str, ppi: int | None = None) -> bytes:
    """A chart's SVG drawn as PNG by Typst, with the PDF's fonts, reading no other file."""
    import typst

    from pipeline.paths import FONTS_DIR
    from pipeline.report.formats.docx import CHART_PPI
    from pipeline.scratch import private_folder

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
        from pipeline.report.export.notebook import epoch_of, title_of

        nb, resources = super().from_notebook_node(nb, resources, **kw)
        title = nb.metadata.get("title") or title_of(nb) or "Council report"
        resources["output_extension"] = ".docx"
        return notebook_to_docx(nb, title, epoch_of(nb) or 0), resources
