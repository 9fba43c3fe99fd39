"""Preparing a report's data: an export (or a plan) read, cleaned, its figures read and checked, set against
its period; what a report notebook is handed. Also the ``clean`` command, which writes the cleaned tables.

Inputs come from the run's snapshot (``inputs``): every file is read once per run. The kernel of a run is
handed what the run prepared (``handover``); a notebook run by hand reads its inputs here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError, PipelineError
from pipeline.paths import DEFAULT_PERIOD, display_path, published_path
from pipeline.period import Period
from pipeline.read import limits
from pipeline.read.layout import STOCKTON, Layout, parse_layout
from pipeline.run import publish
from pipeline.run.discover import find_input, related_inputs
from pipeline.run.handover import handed_over
from pipeline.run.snapshot import (
    Snapshot,
    benchmark_files,
    bytes_of,
    directorates_file,
    input_entry,
    inputs_read,
    layout_file,
    read_snapshot,
    register_file,
    resolve,
)

if TYPE_CHECKING:  # the heavy modules are imported where they are used: a cached run needs none of them
    import pandas as pd

NOTEBOOK_INPUT = "set the notebook parameter input_path to the export's path"


@dataclass(frozen=True)
class PeriodData:
    """One period's export, cleaned and checked: what a report notebook needs."""

    period: Period
    source: str  # the input path as shown to readers (project-relative when inside the project)
    source_sha256: str
    source_size: int
    register: dict | None  # path, size and sha256 of the indicator register used, if any
    indicators: pd.DataFrame
    findings: pd.DataFrame
    export_summary: pd.DataFrame
    summary_check: pd.DataFrame
    preamble: str = ""  # text above the export's header row, shown on the title page
    previous: Period | None = None  # the earlier period compared with, if any
    trend: pd.DataFrame | None = None  # status counts for the quarters of the year so far
    inputs: tuple = ()  # every file read (path, size, sha256), as the manifest lists them
    layout: Layout = STOCKTON  # how the export was read: its kind, council, status words
    unreadable: str = ""  # why an earlier export beside this one could not be read, if one could not
    previous_indicators: pd.DataFrame | None = None  # the previous period's indicators, when compared with
    directorate_names: dict | None = None  # directorate code -> full name (the layout's, else directorates.csv)
    year_ago: Period | None = None  # the same quarter of the year before, when its export was read
    year_ago_indicators: pd.DataFrame | None = None  # its indicators
    benchmark: pd.DataFrame | None = None  # each linked indicator's position among its peers and all (benchmark.csv)
    benchmark_context: dict | None = None  # the dataset, the organisation, its peer group, the periods, the chart's


def _directorate_names(source: Path, layout: Layout, snapshot: Snapshot | None) -> dict:
    """The full names of the directorates: the layout's ``[directorates]``, else ``directorates.csv`` beside the export."""
    from pipeline.read import ingest

    if layout.directorates:
        return dict(layout.directorates)
    path = directorates_file(source, snapshot)
    return ingest.parse_directorates(bytes_of(snapshot, path), display_path(path)) if path else {}


def load_layout(path: Path | None, snapshot: Snapshot | None = None) -> Layout:
    """The layout in ``path`` (bytes from ``snapshot`` when it holds them), or the built-in Stockton layout."""
    if path is None:
        return STOCKTON
    return parse_layout(bytes_of(snapshot, path), display_path(path))


def propose_layout(input_path: str | Path) -> str:
    """A proposed layout (commented TOML) for an export the pipeline has not seen; see ``propose.propose``."""
    from pipeline.read import ingest
    from pipeline.read.propose import propose

    path = Path(input_path)
    return propose(ingest.parse_export(limits.read_bytes(path), display_path(path)), display_path(path))


def prepare(
    input_path: str | Path,
    period: Period = DEFAULT_PERIOD,
    register_path: str | Path | None = None,
    context: bool = False,
    snapshot: Snapshot | None = None,
    related: dict | None = None,
    layout_path: str | Path | None = None,
    bench: dict | None = None,
) -> PeriodData:
    """Read, clean, read figures from and check one export (and, with ``bench``, set its indicators against a
    benchmark dataset: ``request.BENCHMARK``'s parameters).

    ``register_path`` is the analyst's indicator register; None or "" means
    ``indicator_register.csv`` in the export's own folder when it exists. With ``context``, the exports of the previous
    period and of the earlier quarters of the year are found beside the input (by file name, or
    ``related`` when the caller has listed them) and the result carries the comparison with the
    previous period and the trend of the year so far. Bytes come from ``snapshot`` when it holds the
    file; a file not in it is read once here.
    Returns PeriodData whose ``indicators`` carry figures and their assessment and whose ``findings``
    include the check of the export's own summary and register rows that name no indicator.
    The export is read through its layout (``layout_file``): a typed table's figures come from its columns.
    Raises InputError / NotAnExportError for unreadable or foreign input.
    """
    import pandas as pd

    from pipeline.figures import measure
    from pipeline.read import ingest, readers, schema, table
    from pipeline.read.stockton import figures
    from pipeline.report import fonts

    path = Path(input_path)
    wanted: list[Path] = []
    if context:
        related = related if related is not None else related_inputs(period, path)
        wanted = inputs_read(period, path, register_path, related, layout_path, snapshot)
        if snapshot is None:  # run by hand: the one read of every input, now
            snapshot = read_snapshot(wanted)
    data = bytes_of(snapshot, path)
    name = display_path(path)
    layout = load_layout(layout_file(path, layout_path, snapshot), snapshot)
    period = period.starting(layout.year_start)  # the organisation's year: April unless its layout says otherwise
    raw = ingest.parse_export(data, name)
    cleaned, figs = readers.read(raw, name, layout, period.start_year + 1)
    check = measure.compare_export_summary(cleaned.indicators, cleaned.export_summary)
    register, register_info = _register(register_path, path, snapshot)
    figs, register_findings = figures.apply_register(
        cleaned.indicators, figs, register, register_info and register_info["path"], str(period)
    )
    indicators = measure.assess(pd.concat([cleaned.indicators, figs], axis=1))
    compared = _benchmark(bench, layout, register, period, snapshot, indicators) if context else (None, None)
    if layout.derive_status:
        indicators = table.derive_status(indicators)
    book = schema.findings_frame(ingest.workbook_findings(data, name))
    first = int(cleaned.indicators["source_line"].min()) if len(cleaned.indicators) else 0
    years = measure.years_named(raw, first, period) if context else schema.findings_frame([])
    glyphs = fonts.unprintable_findings(cleaned.indicators, published_path(path))
    findings = pd.concat(
        [cleaned.findings, book, measure.summary_findings(check), register_findings, years, glyphs],
        ignore_index=True,
    )
    findings = findings.sort_values("source_line", kind="stable").reset_index(drop=True)
    previous = trend = year_ago = None
    prepared: dict = {}
    inputs = ()
    unreadable = ""
    if not context and "previous_in_export" in indicators:
        indicators = measure.compare_with_previous(indicators, None)  # the export's own previous-period column
    if context:
        inputs = tuple(input_entry(p, snapshot[p.resolve()]) for p in wanted)
        # each earlier export is prepared once, whether it is the previous period, in the trend, or both;
        # one that cannot be read stops nothing: the report says the comparison could not be made, and why
        earlier = dict(related["year"]) | (dict([related["previous"]]) if related["previous"] else {})
        earlier |= dict([related["year_ago"]]) if related.get("year_ago") else {}
        failed = {}
        year_ago = related["year_ago"][0] if related.get("year_ago") else None
        for p, q in sorted(earlier.items()):
            try:
                prepared[p] = prepare(q, p, register_path, snapshot=snapshot, layout_path=layout_path).indicators
            except PipelineError as exc:
                failed[p] = f"the export for {p} ({Path(q).name}) could not be read ({exc.message})"
        if related["previous"] is not None:
            previous = related["previous"][0]
            if previous in failed:
                unreadable = failed[previous]
                findings = pd.concat(
                    [
                        findings,
                        schema.findings_frame(
                            [(0, "", "previous_unreadable", unreadable, "not compared with the previous period")]
                        ),
                    ],
                    ignore_index=True,
                )
                previous = None
        indicators = measure.compare_with_previous(indicators, prepared.get(previous) if previous else None)
        chain, step = [], previous
        while step is not None and step in prepared:  # consecutive earlier periods, newest first, as far as read
            chain.append(prepared[step])
            step = step.previous()
        indicators = pd.concat([indicators, measure.off_track_streak(indicators, chain)], axis=1)
        quarters = {str(p): prepared[p] for p, _ in related["year"] if p in prepared}
        quarters[str(period)] = indicators
        trend = measure.status_by_period(quarters, layout.labels)
    return PeriodData(
        period,
        published_path(path),
        hashlib.sha256(data).hexdigest(),
        len(data),
        register_info,
        indicators,
        findings,
        cleaned.export_summary,
        check,
        cleaned.preamble,
        previous,
        trend,
        inputs,
        layout,
        unreadable,
        prepared.get(previous) if context and previous else None,
        _directorate_names(path, layout, snapshot) if context else None,
        year_ago if year_ago in prepared else None,
        prepared.get(year_ago),
        *compared,
    )


def _register(
    register_path: str | Path | None, source: Path, snapshot: Snapshot | None = None
) -> tuple[pd.DataFrame, dict | None]:
    from pipeline.read import ingest

    path = register_file(register_path, source, snapshot)
    if path is None:
        return ingest.parse_register(b"ref\n", "none"), None
    data = bytes_of(snapshot, path)
    return ingest.parse_register(data, display_path(path)), input_entry(path, data)


def load_period(
    year: str,
    quarter: str,
    input_path: str = "",
    register_path: str = "",
    layout_path: str = "",
    bench: dict | None = None,
) -> PeriodData:
    """What a report notebook calls: the period's data from its input (found by period when not given),
    with the comparison with the previous period and the trend of the year so far.

    When the notebook is executed by ``run_period``, the data the run prepared from its snapshot is
    handed over and nothing is read again; run by hand (papermill, JupyterLab) it reads the files.
    """
    period = Period.parse(year, quarter)
    given = handed_over("period", {"year": period.year_label, "quarter": period.quarter_label})
    if given is not None:
        return given
    return prepare(
        resolve(input_path) if input_path else find_input(period, how=NOTEBOOK_INPUT),
        period,
        register_path,
        context=True,
        layout_path=layout_path or None,
        bench=bench,
    )


def read_benchmark(files: dict, snapshot: Snapshot | None):
    """A benchmark's layout and dataset from the snapshot (``files``: ``inputs.benchmark_files``): (layout, the
    dataset's rows, the dataset's name as shown). Raises InputError naming the file that cannot be used."""
    from pipeline.figures import compare as benchmark
    from pipeline.read import ingest

    name = display_path(files["dataset"])
    rules = benchmark.parse_layout(bytes_of(snapshot, files["layout"]), display_path(files["layout"]))
    return (
        rules,
        benchmark.read_dataset(ingest.decode_text(bytes_of(snapshot, files["dataset"]), name), rules, name),
        name,
    )


def _benchmark(
    bench: dict | None, layout: Layout, register, period: Period, snapshot: Snapshot | None, indicators=None
):
    """The benchmark positions of the linked indicators and what the report says about them, or (None, None)
    when no benchmark dataset is named. Indicators are linked to the dataset's measures by the register's
    ``benchmark`` column or the layout's ``[benchmark]`` table. Raises UsageError when no organisation code is
    given, InputError naming the dataset when the organisation is not in it."""
    from pipeline.errors import UsageError
    from pipeline.figures import compare as benchmark

    files = benchmark_files(bench, snapshot)
    if not files:
        return None, None
    rules, dataset, name = read_benchmark(files, snapshot)
    code = (bench or {}).get("organisation") or layout.organisation or rules.organisation
    if not code:
        raise UsageError(
            "a benchmark needs the organisation's code in the dataset: --organisation CODE, or organisation in the "
            "layout"
        )
    known = list(dict.fromkeys(dataset["organisation"]))
    if code not in known:
        raise InputError(
            f"has no organisation {code!r} (it holds {len(known)} organisations, such as {', '.join(known[:3])}); "
            "check --organisation",
            name,
        )
    peers = None
    if "peers" in files:
        peers = benchmark.read_peers(bytes_of(snapshot, files["peers"]), display_path(files["peers"]), code)
    linked = dict(layout.benchmark)
    if "benchmark" in register:
        linked |= {
            r: c
            for r, c, p in zip(register["ref"], register["benchmark"], register["period"])
            if c and p in ("", str(period))
        }
    upto = (period.start_year, period.quarter)
    frame = benchmark.positions(dataset, code, peers, linked, upto)
    latest = benchmark.latest(frame)
    if indicators is not None and len(latest):  # the export's own actual, beside the dataset's latest value
        own = dict(
            zip(indicators.loc[indicators["part"] == 1, "ref"], indicators.loc[indicators["part"] == 1, "actual"])
        )
        frame.loc[latest.index, "own_value"] = [own.get(r) for r in latest["ref"]]
        latest = benchmark.latest(frame)
    context = benchmark.context(rules.name or files["dataset"].name, files, dataset, code, peers, linked, upto, latest)
    return frame, context


def cleaned_outputs(data: PeriodData) -> dict[str, bytes]:
    """The cleaned tables as CSV files (named outputs of ``clean``), formula-like cells neutralised; with a
    benchmark, ``benchmark.csv`` (every linked indicator's position in every period of the dataset up to the
    report's, full precision)."""
    files = {
        "indicators.csv": publish.csv_bytes(data.indicators),
        "data_quality.csv": publish.csv_bytes(data.findings),
        "export_summary.csv": publish.csv_bytes(data.summary_check),
    }
    if data.benchmark is not None:
        files["benchmark.csv"] = publish.csv_bytes(data.benchmark)
    return files


def clean_file(
    input_path: str | Path,
    out_dir: str | Path,
    register_path: str | Path | None = None,
    layout_path: str | Path | None = None,
):
    """Clean one file and write its tables to ``out_dir``.

    A Council Plan export gives ``indicators.csv``, ``data_quality.csv`` and ``export_summary.csv``
    (returns PeriodData), read through its layout (``layout_path``, else ``layout.toml`` beside the export,
    else the Stockton Council Plan layout); a Service Improvement Plan gives ``milestones.csv``, ``data_quality.csv`` and,
    when it holds a Medium Term Financial Plan, ``budget.csv`` (returns plans.CleanedPlan).
    Raises InputError / NotAnExportError / OutputError (nothing is written then).
    """
    from pipeline.read import ingest, plans

    path = Path(input_path)
    data = limits.read_bytes(path)
    if not data.startswith(b"PK") and plans.looks_like_plan(ingest.decode_text(data, display_path(path))):
        plan = plans.clean_plan(ingest.decode_text(data, display_path(path)), display_path(path))
        publish.write_folder(Path(out_dir), plan_tables(plan), replace=False)
        return plan
    layout, register = layout_file(path, layout_path), register_file(register_path, path)
    names = directorates_file(path)
    snapshot = read_snapshot([p for p in (layout, register, names) if p]) | {path.resolve(): data}
    period_data = prepare(path, register_path=register, snapshot=snapshot, layout_path=layout)
    publish.write_folder(Path(out_dir), cleaned_outputs(period_data), replace=False)
    return period_data


def plan_tables(plan) -> dict[str, bytes]:
    """A plan's milestones, findings and (when it has one) budget as the CSV files the pipeline publishes."""
    files = {"milestones.csv": publish.csv_bytes(plan.milestones), "data_quality.csv": publish.csv_bytes(plan.findings)}
    if not plan.budget.empty:
        files["budget.csv"] = publish.csv_bytes(plan.budget)
    return files


@dataclass(frozen=True)
class PlanData:
    """One Service Improvement Plan, read and set against a period: what the milestone notebook needs."""

    period: Period
    source: str
    source_sha256: str
    plan: str
    milestones: pd.DataFrame  # with ``state`` for the period
    budget: pd.DataFrame
    findings: pd.DataFrame


def load_plan(plan_path: str, year: str, quarter: str) -> PlanData:
    """What the milestone notebook calls: the plan's milestones classified for the period, and its budget.

    Executed by ``run_plan``, the notebook is handed what the run prepared; run by hand, it reads the plan.
    """
    period = Period.parse(year, quarter)
    given = handed_over("plan", {"year": period.year_label, "quarter": period.quarter_label})
    if given is not None:
        return given
    path = resolve(plan_path)
    return prepare_plan(path, limits.read_bytes(path), period)


def prepare_plan(path: Path, data: bytes, period: Period) -> PlanData:
    """Read a plan's milestones and budget from its bytes and set them against ``period``.

    Raises InputError when the text is not a Service Improvement Plan.
    """
    from pipeline.figures import milestones
    from pipeline.read import ingest, plans

    name = display_path(path)
    text = ingest.decode_text(data, name)
    if not plans.looks_like_plan(text):
        raise InputError("is not a Service Improvement Plan (no 'Development Priority' and 'By when' found)", name)
    cleaned = plans.clean_plan(text, name)
    return PlanData(
        period,
        published_path(path),
        hashlib.sha256(data).hexdigest(),
        cleaned.plan,
        milestones.classify(cleaned.milestones, period),
        cleaned.budget,
        cleaned.findings,
    )


def compare_dataset(
    dataset_path: str | Path,
    organisation: str,
    year: str,
    quarter: str = "Q4",
    peers_path: str | Path | None = None,
    layout_path: str | Path | None = None,
) -> pd.DataFrame:
    """The ``compare`` command: the organisation's position on every measure of a benchmark dataset, in each
    measure's latest period at or before ``year``/``quarter`` (``benchmark.COLUMNS``, ``ref`` the measure's code),
    without a local export. Raises InputError naming the file that cannot be used, UsageError for a bad period."""
    bench = {
        "benchmark_path": str(dataset_path),
        "benchmark_layout_path": str(layout_path or ""),
        "organisation": organisation,
        "peers_path": str(peers_path or ""),
    }
    files = benchmark_files(bench)
    snapshot = read_snapshot(list(files.values()))
    from pipeline.figures import compare as benchmark

    period = Period.parse(year, quarter)
    rules, dataset, name = read_benchmark(files, snapshot)
    if organisation not in set(dataset["organisation"]):
        raise InputError(f"has no organisation {organisation!r}; check --organisation", name)
    peers = None
    if "peers" in files:
        peers = benchmark.read_peers(bytes_of(snapshot, files["peers"]), display_path(files["peers"]), organisation)
    measures = {code: code for code in dict.fromkeys(dataset["measure"])}
    frame = benchmark.positions(dataset, organisation, peers, measures, (period.start_year, period.quarter))
    return benchmark.latest(frame).reset_index(drop=True)
