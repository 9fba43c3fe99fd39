"""What every exporter reads of an executed report notebook: its cells' blocks, its outputs' metadata, its charts,
its title and its date. Nothing here parses an output's HTML: a piece's output carries its blocks as data
(``blocks.BLOCKS_MIME``), its charts with their SVG, and its metadata (``council_report``)."""

from __future__ import annotations

import copy
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.report import blocks


def meta(output) -> dict:
    """What a piece put in its output's metadata (``council_report``): a title, a chart's file name, lab_only."""
    return output.get("metadata", {}).get("council_report", {})


def output_blocks(output) -> tuple | None:
    """A piece's blocks, as printed (a long listing cut), from its output's data; None for an output of no piece."""
    data = output.get("data", {})
    return blocks.from_data(data[blocks.BLOCKS_MIME]["blocks"]) if blocks.BLOCKS_MIME in data else None


def report_outputs(cell) -> list:
    """The outputs of a code cell that belong to the report (not the JupyterLab stylesheet)."""
    if cell.cell_type != "code":
        return []
    return [o for o in cell.get("outputs", []) if not meta(o).get("lab_only")]


def title_of(nb) -> str:
    """The document title a report piece gave in its output metadata (``council_report.title``), if any."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if meta(output).get("title"):
                return str(meta(output)["title"])
    return ""


def figures_of(output) -> list:
    """The charts an output shows (``blocks.Figure``), from its blocks."""
    found = []

    def walk(items):
        for b in items:
            if isinstance(b, blocks.Figure):
                found.append(b)
            elif isinstance(b, blocks.Group):
                walk(b.blocks)

    walk(output_blocks(output) or ())
    return found


def chart_files(nb) -> dict[str, bytes]:
    """The SVG of every chart the notebook showed, under the file name its output metadata gives
    (``council_report.chart_file``, or ``chart_files`` for a piece of several, in order), as ``charts/<name>``."""
    files = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name, figures = meta(output).get("chart_file"), figures_of(output)
            if name and figures:
                files[f"charts/{name}"] = figures[0].svg.encode("utf-8")
            for name, figure in zip(meta(output).get("chart_files") or [], figures):  # a piece of several charts
                files[f"charts/{name}"] = figure.svg.encode("utf-8")
    return files


def without_lab_only(nb):
    """A copy of ``nb`` without what is only for JupyterLab (the scoped stylesheet), which is not part of the
    report: new notebook, metadata and cells, the outputs shared (an exporter copies what it changes)."""
    from nbformat import NotebookNode

    cells = []
    for cell in nb.cells:
        cell = NotebookNode(cell, metadata=copy.deepcopy(cell.get("metadata", {})))
        if cell.get("outputs"):
            cell.outputs = report_outputs(cell)
        cells.append(cell)
    return NotebookNode(nb, metadata=copy.deepcopy(nb.metadata), cells=cells)


def folder_of(resources) -> Path | None:
    """The folder of the notebook being exported (nbconvert gives "" for one in the working directory), or
    None for a notebook exported from memory."""
    path = ((resources or {}).get("metadata") or {}).get("path")
    return None if path is None else Path(path or ".")


def published_beside(resources, given) -> set[str] | None:
    """The files published beside the report: ``given`` (``run`` names them); else those beside the exported
    notebook; else none (a notebook exported from memory)."""
    if given is not None:
        return set(given)
    beside = folder_of(resources)
    if beside is not None and beside.is_dir():
        return {p.name for p in beside.iterdir() if p.is_file()}
    return set()


def epoch_of(nb) -> int | None:
    """The period end of a report notebook executed by papermill, from its parameters; else None."""
    from pipeline.period import Period

    params = nb.metadata.get("papermill", {}).get("parameters", {})
    try:
        return Period.parse(params["year"], params["quarter"]).source_date_epoch
    except (KeyError, PipelineError):
        return None
