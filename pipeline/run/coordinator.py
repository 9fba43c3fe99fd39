"""The public entry points: render one period or one plan's milestones (``prepare`` reads and cleans).

This is the one place that writes a report's outputs. Every input a run needs is read once, at
its start, into a snapshot (path -> bytes): hashes, cleaning, the report notebook's data and the
manifest all come from those bytes, so a file replaced while a run is under way cannot make a folder
that disagrees with itself. The notebook kernel is handed what the parent prepared (``hand_over``)
rather than a path to read again. Outputs are published through ``publish``: under a lock in the output
tree, staged and moved into place whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.errors import UsageError
from pipeline.paths import (
    COUNCIL_PLAN_NOTEBOOK,
    DEFAULT_PERIOD,
    MILESTONE_NOTEBOOK,
    OUTPUTS_DIR,
    PROCESSED_DIR,
    display_path,
    period_dir,
    plans_dir,
    published_path,
)
from pipeline.period import Period
from pipeline.read import limits
from pipeline.request import MILESTONES, PERIOD, benchmark_of, front_page, read_parameters  # noqa: F401  (part of run's API)
from pipeline.run import manifest, publish
from pipeline.run.discover import find_input, find_periods, related_inputs  # noqa: F401  (part of run's API)
from pipeline.run.handover import HANDOVER_VARIABLE, hand_over, handed_over, kernel_while_preparing  # noqa: F401
from pipeline.run.prepare import (
    cleaned_outputs,
    plan_tables,
    prepare,
    prepare_plan,
)
from pipeline.run.snapshot import (
    Snapshot,
    benchmark_files,
    input_entry,
    inputs_read,
    layout_file,
    read_snapshot,
    register_file,
    resolve,
)

NOTEBOOK_PARAMETERS = PERIOD.names  # the period report's parameters (``request``)


@dataclass(frozen=True)
class RunResult:
    period: Period
    out_dir: Path
    files: tuple[str, ...]
    rendered: bool  # False when the period was up to date and left as it was

    @property
    def manifest_sha256(self) -> str:
        """The SHA-256 of the folder's manifest.json: one hash that stands for every file of the report (a
        committee paper can quote it; ``verify`` checks the files against the manifest)."""
        return manifest.sha256_file(self.out_dir / manifest.MANIFEST)


def _archive(paths: list[Path], entries: list[dict], snapshot: Snapshot) -> bytes:
    """inputs.zip: every input as read (from the snapshot), under the path its manifest entry records."""
    return publish.inputs_archive([(e["path"], snapshot[p.resolve()]) for p, e in zip(paths, entries, strict=True)])


@dataclass(frozen=True)
class PeriodPlan:
    """What a period's run reads and decides before any cleaning: its inputs (read once, with their hashes),
    the notebook's parameters, and the cache key that says whether its folder is up to date. Light: no
    pandas, nothing of the report's stages."""

    period: Period
    source: Path
    out_dir: Path
    processed: Path
    root: Path
    related: dict
    wanted: list
    snapshot: dict
    inputs: list
    parameters: dict
    layout: Path | None
    key: str
    register_path: str | Path | None
    bench: dict | None = None  # the benchmark's parameters (``request.BENCHMARK``), its files as read
    code: str | None = None  # the pipeline's code digest the key was made with

    def up_to_date(self) -> bool:
        return manifest.up_to_date(self.out_dir, self.key)


def plan_period(
    year: str | None = None,
    quarter: str | None = None,
    input_path: str | Path | None = None,
    out_root: str | Path | None = None,
    register_path: str | Path | None = None,
    processed_root: str | Path | None = None,
    layout_path: str | Path | None = None,
    council: str = "",
    code: str | None = None,
    already: Snapshot | None = None,
    shown_out: str | None = None,
    front: dict | None = None,
    bench: dict | None = None,
) -> PeriodPlan:
    """Read a period's inputs (the one read of each) and make its cache key (see ``run_period``); ``code``: the
    pipeline's code digest when the caller has it (a batch makes it once for all its periods); ``already``: the
    files a batch has read so far (each is read and held once for all its periods); ``shown_out``: the output
    root as the report's commands name it, when not ``out_root`` itself (``reproduce`` renders elsewhere);
    ``front``: the front page's words (``request.FRONT_PAGE``: what members are asked to do, author, contact);
    ``bench``: the benchmark (``request.BENCHMARK``: dataset, its layout, the organisation's code, its peers).
    Raises UsageError or InputError."""
    period, source = _period_and_source(year, quarter, input_path)
    out_dir = period_dir(Path(out_root) if out_root else OUTPUTS_DIR, period)
    processed = period_dir(Path(processed_root) if processed_root else PROCESSED_DIR, period)
    related = related_inputs(period, source)
    bench = benchmark_of(bench or {})
    wanted = inputs_read(period, source, register_path, related, layout_path, bench=bench)
    snapshot = read_snapshot(wanted, already)  # the one read of every input; a bad input fails here, before the rest
    files = benchmark_files(bench, snapshot)
    read = {k: (str(files[f]) if f in files else "") for k, f in _BENCH_FILES.items()} | {
        "organisation": bench["organisation"]
    }
    bench = {
        "benchmark_path": published_path(files["dataset"]) if "dataset" in files else "",
        "benchmark_layout_path": published_path(files["layout"]) if "layout" in files else "",
        "organisation": bench["organisation"],
        "peers_path": published_path(files["peers"]) if "peers" in files else "",
    }
    inputs = [input_entry(p, snapshot[p.resolve()]) for p in wanted]
    register = register_file(register_path, source, snapshot)
    layout = layout_file(source, layout_path, snapshot)
    parameters = PERIOD.complete(
        {
            "year": period.year_label,
            "quarter": period.quarter_label,
            "input_path": published_path(source),
            "register_path": published_path(register) if register else "",
            "layout_path": published_path(layout) if layout else "",
            "council": council or "",
            "out": shown_root(Path(out_root) if out_root else OUTPUTS_DIR) if shown_out is None else shown_out,
        }
        | front_page(front or {})
        | bench
    )
    code = code or manifest.code_digest()
    key = manifest.cache_key(inputs, parameters, code)
    root = Path(out_root) if out_root else OUTPUTS_DIR
    return PeriodPlan(
        period,
        source,
        out_dir,
        processed,
        root,
        related,
        wanted,
        snapshot,
        inputs,
        parameters,
        layout,
        key,
        register_path,
        read,
        code,
    )


_BENCH_FILES = {"benchmark_path": "dataset", "benchmark_layout_path": "layout", "peers_path": "peers"}


def shown_root(root: Path) -> str:
    """The output root as the provenance's commands name it: relative to the project when inside it (``outputs``,
    ``build/reports``); "" for a folder outside it, whose path can carry a user's name (the commands then say
    ``DIR`` and what it stands for)."""
    inside = display_path(Path(root).resolve())
    return "" if Path(inside).is_absolute() else inside


def _period_and_source(year, quarter, input_path) -> tuple[Period, Path]:
    """The period and its export. The default period belongs to the default input only: an export given
    without ``year`` and ``quarter`` is reported for the period its name gives (``<name>_<yyyy-yy>_<Qn>``).
    Raises UsageError when only one of the two is given, or the name gives no period."""
    if (year is None) != (quarter is None):
        raise UsageError("give both --year and --quarter, or neither")
    if year is not None:
        period = Period.parse(year, quarter)
        return period, resolve(input_path) if input_path is not None else find_input(period)
    if input_path is None:
        return DEFAULT_PERIOD, find_input(DEFAULT_PERIOD)
    source = resolve(input_path)
    period = Period.from_filename(source.name)
    if period is None and not source.is_file():
        limits.read_bytes(source)  # a missing file, or a folder, is said first: that is what is wrong
    if period is None:
        raise UsageError(
            "the file name gives no period (<name>_<yyyy-yy>_<Qn>, such as kpis_2024-25_Q2.csv); "
            "give --year and --quarter",
            display_path(source),
        )
    return period, source


def taken_as_it_is(plan: PeriodPlan) -> RunResult | None:
    """The period's folder as it is, when it is up to date (tidying what a killed run left beside it); else None."""
    if not plan.up_to_date():
        return None
    _tidy(plan.out_dir, plan.root)
    return RunResult(plan.period, plan.out_dir, tuple(manifest.files_in(plan.out_dir)), rendered=False)


def run_period(
    year: str | None = None,
    quarter: str | None = None,
    input_path: str | Path | None = None,
    out_root: str | Path | None = None,
    force: bool = False,
    register_path: str | Path | None = None,
    log: Callable[[str], None] = lambda message: None,
    processed_root: str | Path | None = None,
    layout_path: str | Path | None = None,
    council: str = "",
    planned: PeriodPlan | None = None,
    shown_out: str | None = None,
    front: dict | None = None,
    bench: dict | None = None,
) -> RunResult:
    """Clean, measure and render one period's report: a Council Plan export, or any export through its layout
    (``layout_path``, else ``layout.toml`` beside the export). ``council`` overrides the layout's council name;
    ``front``: the front page's words (what members are asked to do, the author, the contact); ``bench``: the
    benchmark dataset, its layout, the organisation's code in it and its peers (``request.BENCHMARK``).

    Writes the report (``report.html``, ``report.pdf``, ``report.ipynb``, ``indicators.csv``,
    ``data_quality.csv``, ``export_summary.csv``, ``charts/*.svg``, ``manifest.json``) under
    ``<out_root>/<year>/<quarter>/`` and the cleaned tables under ``data/processed/<year>/<quarter>/``.
    Every input is read once, at the start. A period whose inputs, parameters and code are unchanged
    (see ``manifest.cache_key``) and whose outputs are intact is left alone unless ``force``.
    ``planned``: the period's ``plan_period``, when the caller has made it (a batch decides in its own
    process which periods are up to date; the inputs it read travel with the plan, so they are read once).
    Raises UsageError, InputError, OutputError or RenderError; on any error nothing is left half-written.
    """
    plan = planned or plan_period(
        year,
        quarter,
        input_path,
        out_root,
        register_path,
        processed_root,
        layout_path,
        council,
        shown_out=shown_out,
        front=front,
        bench=bench,
    )
    period = plan.period
    cached = None if force else taken_as_it_is(plan)
    if cached is not None:
        log(f"{period} is up to date (inputs, parameters and code unchanged); use --force to render it again")
        return cached
    # built before the lock is taken: an export that cannot be read leaves nothing at all in the output tree
    files, tables = build_period(plan, log)
    return publish_period(plan, files, tables, force)


def build_period(plan: PeriodPlan, log: Callable[[str], None] = lambda message: None) -> tuple[dict, dict]:
    """A planned period's report folder as files (its manifest included) and its cleaned tables, from the plan's
    snapshot alone: pure with respect to the output tree (a batch's worker runs it; only the coordinator writes,
    ``publish_period``). Raises InputError / RenderError."""
    period = plan.period
    with kernel_while_preparing() as started:
        data = prepare(
            plan.source,
            period,
            plan.register_path,
            context=True,
            snapshot=plan.snapshot,
            related=plan.related,
            layout_path=plan.layout,
            bench=plan.bench,
        )
        log(f"cleaned {data.source}: {len(data.indicators)} indicators, {len(data.findings)} data-quality findings")
        tables = cleaned_outputs(data)
        files = dict(tables)
        files[publish.INPUTS_ARCHIVE] = _archive(plan.wanted, plan.inputs, plan.snapshot)
        title = f"{data.layout.title} {period.year_label} progress report: {data.period.title}"
        render_handed(
            started,
            "period",
            COUNCIL_PLAN_NOTEBOOK,
            plan.parameters,
            data,
            title,
            plan.inputs,
            plan.key,
            files,
            plan.code,
        )
    return files, tables


def publish_period(plan: PeriodPlan, files: dict, tables: dict, force: bool = False) -> RunResult:
    """Publish a built period (``build_period``) under its folder's lock, whole, with its cleaned tables; a folder
    another run made up to date meanwhile is left as it is (unless ``force``). Raises OutputError."""
    period, out_dir = plan.period, plan.out_dir
    with publish.lock(out_dir, plan.root):
        publish.clean_leftovers(out_dir)
        if not force and plan.up_to_date():  # another run made it while this one built it
            return RunResult(period, out_dir, tuple(manifest.files_in(out_dir)), rendered=False)
        publish.check_writable(out_dir)
        publish.check_writable(plan.processed)
        publish.write_folder(out_dir, files, replace=True)
        _write_processed(plan.processed, tables, out_dir)
    return RunResult(period, out_dir, tuple(sorted(files)), rendered=True)


def _write_processed(processed: Path, tables: dict, published: Path) -> None:
    """The cleaned tables in ``data/processed/<period>``, under that folder's own lock (two runs with different
    ``--out`` share it). Raises OutputError saying exactly what was written: the report folder was published
    before."""
    from pipeline.errors import OutputError

    try:
        with publish.lock(processed, processed.parent.parent):
            publish.write_folder(processed, tables, replace=True)
    except OutputError as exc:
        raise OutputError(
            f"the report was published in {display_path(published)}, but the cleaned tables could not be "
            f"written here ({exc.message.split(';')[0]}); the report is complete without them",
            display_path(processed),
        ) from None


def _tidy(out_dir: Path, root: Path) -> None:
    """Remove what a killed run left beside an up-to-date folder (under the lock, and only when there is any)."""
    if publish.leftovers(out_dir):
        with publish.lock(out_dir, root):
            publish.clean_leftovers(out_dir)


def render_handed(
    started: tuple,
    kind: str,
    notebook: Path,
    parameters: dict,
    data,
    title: str,
    inputs,
    key: str,
    files: dict,
    code: str | None = None,
) -> None:
    """Describe the software once (``code``: the code digest when the caller has made it), hand it and ``data`` to
    the notebook's kernel (``started``: the kernel and the place it looks in), render the report beside ``files``
    and add the manifest, which records the same description: ``files`` gains the report's files."""
    km, place = started
    software = manifest.software(code)
    hand_over(place, kind, parameters, data, software)
    files.update(_render_notebook(notebook, parameters, title, data.period, list(files), km))
    files[manifest.MANIFEST] = manifest.build(inputs, parameters, key, files, described=software)


def _render_notebook(
    notebook: Path, parameters: dict, title: str, period: Period, also_published=(), km=None
) -> dict[str, bytes]:
    """Execute a report notebook and export it: report.ipynb, report.html, report.pdf, report.docx and charts/*.svg.
    ``also_published``: the other files the folder will hold (the report may link to them)."""
    from concurrent.futures import ThreadPoolExecutor

    import nbformat

    from pipeline.report.export import docx as docx_export
    from pipeline.report.export import render
    from pipeline.run import execute

    # the Word document is written in a thread, each cell as the kernel finishes it; the HTML exporter is readied
    with docx_export.WordWhileExecuting(title, period.source_date_epoch) as word:
        nb = execute.execute_notebook(notebook, parameters, km, on_cell=word.executed)
        charts = render.chart_files(nb)
        published = set(charts) | {"report.ipynb", "report.html", "report.pdf", "report.docx", "manifest.json"}
        published |= set(also_published)
        source, images = render.notebook_to_typst(nb, sorted(published), title=title)
        # Typst compiles in a thread (it lets go of the interpreter) while the notebook, the HTML and the Word
        # document are written
        with ThreadPoolExecutor(1) as pool:
            pdf = pool.submit(render.typst_to_pdf, source, images, period.source_date_epoch)
            files = {"report.ipynb": nbformat.writes(nb).encode("utf-8") + b"\n", **charts}
            files["report.html"] = render.notebook_to_html(nb, title=title, published=published).encode("utf-8")
            files["report.docx"] = word.bytes(nb)
            files["report.pdf"] = pdf.result()
    return files


def run_plan(
    plan_path: str | Path,
    year: str,
    quarter: str,
    out_root: str | Path | None = None,
    force: bool = False,
    log: Callable[[str], None] = lambda message: None,
    council: str = "",
) -> RunResult:
    """Render the milestone report of one plan for one period into ``<out_root>/plans/<plan file>/<year>/<quarter>/``;
    ``council`` names the organisation whose plan it is on the title page (none when empty).

    Each plan file has a folder of its own (``paths.plan_folder``), so rendering a plan never touches a
    Council Plan period folder or another plan's. Writes report.html, report.pdf, report.ipynb,
    milestones.csv, data_quality.csv, budget.csv (when the plan has one), charts/ and manifest.json;
    skipped when up to date unless ``force``.
    Raises UsageError, InputError, OutputError or RenderError; nothing is left half-written.
    """
    period = Period.parse(year, quarter)
    source = resolve(plan_path)
    snapshot = read_snapshot([source])
    out_dir = plans_dir(Path(out_root) if out_root else OUTPUTS_DIR, source.name, period)
    inputs = [input_entry(source, snapshot[source.resolve()])]
    parameters = MILESTONES.complete(
        {
            "plan_path": published_path(source),
            "year": period.year_label,
            "quarter": period.quarter_label,
            "council": council,
        }
    )
    key = manifest.cache_key(inputs, parameters, manifest.code_digest())
    root = Path(out_root) if out_root else OUTPUTS_DIR
    if not force and manifest.up_to_date(out_dir, key):
        _tidy(out_dir, root)
        log(f"{source.name} {period} is up to date; use --force to render it again")
        return RunResult(period, out_dir, tuple(manifest.files_in(out_dir)), rendered=False)
    with kernel_while_preparing() as started:
        data = prepare_plan(source, snapshot[source.resolve()], period)
        with publish.lock(out_dir, root):
            publish.clean_leftovers(out_dir)
            if not force and manifest.up_to_date(out_dir, key):
                return RunResult(period, out_dir, tuple(manifest.files_in(out_dir)), rendered=False)
            publish.check_writable(out_dir)
            files = plan_tables(data)
            files[publish.INPUTS_ARCHIVE] = _archive([source], inputs, snapshot)
            title = f"{data.plan} Service Improvement Plan milestones: {period.title}"
            render_handed(started, "plan", MILESTONE_NOTEBOOK, parameters, data, title, inputs, key, files)
            publish.write_folder(out_dir, files, replace=True)
    return RunResult(period, out_dir, tuple(sorted(files)), rendered=True)
