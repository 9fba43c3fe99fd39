"""Building a report: a pure function of its snapshot and request that returns the folder's files.

A build starts the notebook kernel first (it boots while this process prepares the data), prepares the data from
the snapshot alone, hands it to the kernel, executes the report's notebook and exports it (HTML, PDF, Word, the
executed notebook, the charts), and adds the manifest. It writes nothing of the output tree: it runs in this
process, in a worker process or on a Dask worker alike, and only the coordinator publishes what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.run import manifest, publish


@dataclass(frozen=True)
class Built:
    """What a build returns: the folder's files (name -> bytes, its manifest among them), the cleaned tables to keep
    beside the outputs (``data/processed``), and the code digest of the pipeline that built it."""

    files: dict[str, bytes]
    tables: dict[str, bytes] = field(default_factory=dict)
    code: str = ""


def archive(inputs) -> bytes:
    """``inputs.zip``: every input as read (``snapshot.Input``), under the name its manifest entry records."""
    return publish.inputs_archive([(i.name, i.data) for i in inputs])


def build_period(inputs, request, key: str, code: str) -> Built:
    """A period report's folder from its snapshot (``snapshot.PeriodInputs``) and resolved request. Raises
    InputError or RenderError."""
    from pipeline.paths import COUNCIL_PLAN_NOTEBOOK
    from pipeline.run.handover import kernel_while_preparing
    from pipeline.run.prepare import prepare_period

    with kernel_while_preparing() as started:
        data = prepare_period(inputs, request)
        tables = data.tables()
        files = dict(tables) | {publish.INPUTS_ARCHIVE: archive(inputs.files)}
        title = f"{data.layout.title} {data.period.year_label} progress report: {data.period.title}"
        entries = [i.entry for i in inputs.files]
        render_handed(started, "period", COUNCIL_PLAN_NOTEBOOK, request, data, title, entries, key, files, code)
    return Built(files, tables, code)


def build_plan(plan_input, period, request, key: str, code: str) -> Built:
    """A Service Improvement Plan's milestone report from the plan as read (``snapshot.Input``). Raises InputError
    or RenderError."""
    from pipeline.paths import MILESTONE_NOTEBOOK
    from pipeline.run.handover import kernel_while_preparing
    from pipeline.run.plan_report import plan_tables, prepare_plan

    with kernel_while_preparing() as started:
        data = prepare_plan(plan_input, period)
        files = plan_tables(data) | {publish.INPUTS_ARCHIVE: archive([plan_input])}
        title = f"{data.plan} Service Improvement Plan milestones: {period.title}"
        render_handed(started, "plan", MILESTONE_NOTEBOOK, request, data, title, [plan_input.entry], key, files, code)
    return Built(files, {}, code)


def render_handed(started, kind: str, notebook: Path, request, data, title, inputs, key, files, code=None) -> None:
    """Describe the software once (``code``: the code digest when the caller has made it), hand it and ``data`` to
    the notebook's kernel (``started``: ``handover.Started``), render the report beside ``files`` and add the
    manifest, which records the same description: ``files`` gains the report's files."""
    software = manifest.software(code)
    parameters = request.values()
    started.hand(kind, parameters, data, software)
    files.update(render_notebook(notebook, parameters, title, data.period, list(files), started.km))
    files[manifest.MANIFEST] = manifest.build(inputs, parameters, key, files, described=software)


def render_notebook(notebook: Path, parameters: dict, title: str, period, also_published=(), km=None) -> dict:
    """Execute a report notebook and export it: report.ipynb, report.html, report.pdf, report.docx and
    charts/*.svg. ``also_published``: the other files the folder will hold (the report may link to them)."""
    from concurrent.futures import ThreadPoolExecutor

    import nbformat

    from pipeline.report.export import docx as docx_export
    from pipeline.report.export import html, pdf
    from pipeline.report.export.notebook import chart_files
    from pipeline.run import execute

    # the Word document is written in a thread, each cell as the kernel finishes it; the HTML exporter is readied
    with docx_export.WordWhileExecuting(title, period.source_date_epoch) as word:
        nb = execute.execute_notebook(notebook, parameters, km, on_cell=word.executed)
        charts = chart_files(nb)
        published = set(charts) | {"report.ipynb", "report.html", "report.pdf", "report.docx", "manifest.json"}
        published |= set(also_published)
        source, images = pdf.notebook_to_typst(nb, sorted(published), title=title)
        # Typst compiles in a thread (it lets go of the interpreter) while the notebook, the HTML and the Word
        # document are written
        with ThreadPoolExecutor(1) as pool:
            printed = pool.submit(pdf.typst_to_pdf, source, images, period.source_date_epoch)
            files = {"report.ipynb": nbformat.writes(nb).encode("utf-8") + b"\n", **charts}
            files["report.html"] = html.notebook_to_html(nb, title=title, published=published).encode("utf-8")
            files["report.docx"] = word.bytes(nb)
            files["report.pdf"] = printed.result()
    return files
