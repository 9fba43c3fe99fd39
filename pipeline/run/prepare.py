"""Preparing a period report's data from its snapshot alone: the recipe over the read and figures stages.

The export is read through its layout, its figures checked against its own summary and the register, each
indicator assessed, the earlier periods of the same body prepared the same way and set beside it (direction of
travel, repeat misses, the trend of the year), and its linked measures set among similar organisations. Every
byte comes from the snapshot (``snapshot.PeriodInputs``): nothing here asks the file system which files exist.
What a report notebook is handed (``PeriodData``) is made here; the notebook's ``load_period`` takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import PipelineError
from pipeline.period import Period
from pipeline.read.layout import Layout
from pipeline.run.snapshot import Input, PeriodInputs, named_as_given

if TYPE_CHECKING:  # the heavy modules are imported where they are used: a cached run needs none of them
    import pandas as pd


@dataclass(frozen=True)
class PeriodData:
    """One period's export, cleaned and checked: what a report notebook needs."""

    period: Period
    source: str  # the export as outputs name it (project-relative inside the project, else its file name)
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
    layout: Layout | None = None  # how the export was read: its kind, council, status words
    unreadable: str = ""  # why an earlier export beside this one could not be read, if one could not
    previous_indicators: pd.DataFrame | None = None  # the previous period's indicators, when compared with
    directorate_names: dict | None = None  # directorate code -> full name (the layout's, else directorates.csv)
    year_ago: Period | None = None  # the same quarter of the year before, when its export was read
    year_ago_indicators: pd.DataFrame | None = None  # its indicators
    benchmark: pd.DataFrame | None = None  # each linked indicator's position among its peers and all (benchmark.csv)
    benchmark_context: dict | None = None  # the dataset, the organisation, its peer group, the periods, the chart's
    request: object = None  # the request as resolved and recorded (``request.PeriodRequest``)
    statements: object = None  # every generated sentence with its fact (``statements.Statements``)
    history: pd.DataFrame | None = None  # every indicator's actuals over every period read (history.csv)
    spc: pd.DataFrame | None = None  # each indicator's XmR chart from its history (spc.csv)


@dataclass(frozen=True)
class _Read:
    """One export read, cleaned and assessed: its indicators and findings, its own summary and the check of it."""

    indicators: pd.DataFrame
    findings: pd.DataFrame
    export_summary: pd.DataFrame
    summary_check: pd.DataFrame
    preamble: str
    history: pd.DataFrame | None = None  # the export's own columns of earlier periods (``[history]``)


def read_history(export: Input, layout: Layout, period: Period, register) -> pd.DataFrame:
    """An earlier export read for its history alone: each indicator's ref, part, status code, actual, target and
    polarity (the register's applied), without the assessment and the findings a report of it would need."""
    import pandas as pd

    from pipeline.figures.register import apply_register
    from pipeline.read import ingest, readers

    raw = ingest.parse_export(export.data, export.name)
    cleaned, figs = readers.read(raw, export.name, layout, period.start_year + 1)
    if register is not None:
        figs, _ = apply_register(cleaned.indicators, figs, register[0], register[1], str(period))
    kept = cleaned.indicators[["ref", "part", "status_code"]]
    return pd.concat([kept, figs[["actual", "target", "polarity"]]], axis=1)


def read_export(export: Input, layout: Layout, period: Period, register, with_header_years: bool) -> _Read:
    """An export read through its layout: tidy indicators with their figures (the register's applied) and their
    assessment, and every data-quality finding in source-line order. ``register``: (its rows, its name) or None;
    ``with_header_years``: find years the export's own text names that are not the period's. Raises InputError or
    NotAnExportError."""
    import pandas as pd

    from pipeline.figures import measure, summary
    from pipeline.figures.register import apply_register
    from pipeline.read import findings as checks
    from pipeline.read import ingest, readers, schema
    from pipeline.read.table import rows as table
    from pipeline.report import fonts

    raw = ingest.parse_export(export.data, export.name)
    cleaned, figs = readers.read(raw, export.name, layout, period.start_year + 1)
    check = summary.compare_export_summary(cleaned.indicators, cleaned.export_summary)
    rows, register_name = register if register is not None else (ingest.parse_register(b"ref\n", "none"), "")
    figs, register_findings = apply_register(cleaned.indicators, figs, rows, register_name, str(period))
    indicators = measure.assess(pd.concat([cleaned.indicators, figs], axis=1))
    if layout.derive_status:
        indicators = table.derive_status(indicators)
    first = int(cleaned.indicators["source_line"].min()) if len(cleaned.indicators) else 0
    found = [
        cleaned.findings,
        schema.findings_frame(ingest.workbook_findings(export.data, export.name)),
        summary.summary_findings(check),
        register_findings,
        checks.years_named(raw, first, period) if with_header_years else schema.findings_frame([]),
        fonts.unprintable_findings(cleaned.indicators, export.name),
    ]
    findings = pd.concat(found, ignore_index=True).sort_values("source_line", kind="stable").reset_index(drop=True)
    return _Read(indicators, findings, cleaned.export_summary, check, cleaned.preamble, cleaned.history)


def prepare_period(inputs: PeriodInputs, request=None) -> PeriodData:
    """The period's data from its snapshot: the export read and assessed, set beside the earlier periods of the
    same body and among similar organisations. Raises InputError / NotAnExportError for the report's own export
    (an earlier one that cannot be read stops nothing: the report says the comparison could not be made)."""
    with named_as_given(inputs.files):
        return _prepare(inputs, request)


def _prepare(inputs: PeriodInputs, request) -> PeriodData:
    import hashlib

    register = _register(inputs.register)
    own = read_export(inputs.export, inputs.layout, inputs.period, register, with_header_years=not inputs.alone)
    earlier, failed = _earlier(inputs, register)
    indicators, findings, over_time = _over_time(own, earlier, failed, inputs)
    positions, context, compared = _comparison(inputs, register, indicators)
    findings = _with_comparison_findings(findings, compared)
    related = inputs.related
    names = _directorate_names(inputs)
    past, charts = _history(inputs, indicators, own, earlier, register, positions, context)
    said = _statements(indicators, inputs.layout, names, over_time["previous"], positions, context, charts)
    return PeriodData(
        inputs.period,
        inputs.export.name,
        hashlib.sha256(inputs.export.data).hexdigest(),
        len(inputs.export.data),
        inputs.register.entry if inputs.register else None,
        indicators,
        findings,
        own.export_summary,
        own.summary_check,
        own.preamble,
        over_time["previous"],
        over_time["trend"],
        tuple(f.entry for f in inputs.files),
        inputs.layout,
        over_time["unreadable"],
        earlier.get(over_time["previous"]) if over_time["previous"] else None,
        names,
        related.year_ago if related.year_ago in earlier else None,
        earlier.get(related.year_ago),
        positions,
        context,
        request,
        said,
        past,
        charts,
    )


def _history(inputs: PeriodInputs, indicators, own: _Read, earlier: dict, register, positions, context):
    """Every indicator's history (``figures.history``: this export, every earlier export of the same body read,
    the export's own history columns, the comparison dataset's values) and its SPC chart."""
    from pipeline.figures import history

    before = {p: (inputs.earlier[p].name, frame) for p, frame in earlier.items()}
    dataset = (context["dataset"], positions) if positions is not None and context else None
    rows = register[0] if register is not None else None
    if rows is not None and "period" in rows:
        rows = rows[rows["period"].isin(["", str(inputs.period)])]
    settings = history.chart_settings(rows, inputs.layout.spc)
    past = history.history(indicators, inputs.period, inputs.export.name, before, own.history, dataset, settings)
    return past, history.spc_table(past)


def _statements(indicators, layout: Layout, names: dict, previous, positions, context, charts=None):
    """The report's statements (``facts.period.period_statements``), in the organisation's words, with the
    comparison's (computed from the positions ``benchmark.csv`` publishes; ``verify`` computes them again from
    the file)."""
    from pipeline.figures.facts.period import comparison_statements, merged, period_statements, spc_statements
    from pipeline.figures.facts.words import groups_of
    from pipeline.figures.history import label

    present = set(groups_of(indicators))
    params = {
        "group_word": layout.group_name,
        "group_plural": layout.group_names,
        "names": {code: name for code, name in (names or {}).items() if code in present},
        "previous": str(previous) if previous else "",
        "remedial": "remedial" in layout.columns,
        "commentary": layout.has_commentary,
    }
    measures = {label(r, p): m for r, p, m in zip(indicators["ref"], indicators["part"], indicators["measure"])}
    extra = merged(spc_statements(charts, measures), comparison_statements(positions, context))
    return period_statements(indicators, params, extra)


def _with_comparison_findings(findings, compared: list):
    """The export's findings, and after them what the comparison's data says about itself."""
    import pandas as pd

    from pipeline.read import schema

    if not compared:
        return findings
    return pd.concat([findings, schema.findings_frame(compared)], ignore_index=True)


def _register(register: Input | None):
    """The register's rows and its name, or None when the report has no register."""
    from pipeline.read import ingest

    return None if register is None else (ingest.parse_register(register.data, register.name), register.name)


def _earlier(inputs: PeriodInputs, register) -> tuple[dict, dict]:
    """Each earlier export of the same body read once (whether it is the previous period, in the trend, or both):
    {period: indicators}, and {period: why it could not be read}."""
    from pipeline.figures import measure

    prepared, failed = {}, {}
    related = inputs.related
    near = {related.previous, related.year_ago, *related.year}  # compared in full; the rest are history alone
    for period, export in sorted(inputs.earlier.items()):
        when = period.starting(inputs.layout.year_start)
        try:
            if period in near or inputs.layout.derive_status:
                indicators = read_export(export, inputs.layout, when, register, False).indicators
            else:
                indicators = read_history(export, inputs.layout, when, register)
        except PipelineError as exc:
            failed[period] = f"the export for {period} ({export.path.name}) could not be read ({exc.message})"
            continue
        if "previous_in_export" in indicators:  # its own previous-period column gives its direction of travel
            indicators = measure.compare_with_previous(indicators, None)
        prepared[period] = indicators
    return prepared, failed


def _over_time(own: _Read, earlier: dict, failed: dict, inputs: PeriodInputs):
    """The period's indicators set beside the earlier periods: the direction of travel since the previous period,
    how long each has been off track, the trend of the year; with a finding when the previous period's export could
    not be read. Returns (indicators, findings, {previous, trend, unreadable})."""
    import pandas as pd

    from pipeline.figures import measure
    from pipeline.read import schema

    related, findings, unreadable = inputs.related, own.findings, ""
    previous = related.previous
    if previous is not None and previous in failed:
        unreadable = failed[previous]
        finding = (0, "", "previous_unreadable", unreadable, "not compared with the previous period")
        findings = pd.concat([findings, schema.findings_frame([finding])], ignore_index=True)
        previous = None
    indicators = measure.compare_with_previous(own.indicators, earlier.get(previous) if previous else None)
    chain, step = [], previous
    while step is not None and step in earlier:  # consecutive earlier periods, newest first, as far as read
        chain.append(earlier[step])
        step = step.previous()
    indicators = pd.concat([indicators, measure.off_track_streak(indicators, chain)], axis=1)
    quarters = {str(p): earlier[p] for p in related.year if p in earlier}
    quarters[str(inputs.period)] = indicators
    trend = measure.status_by_period(quarters, inputs.layout.labels)
    return indicators, findings, {"previous": previous, "trend": trend, "unreadable": unreadable}


def _directorate_names(inputs: PeriodInputs) -> dict:
    """The full names of the directorates: the layout's ``[directorates]``, else ``directorates.csv`` beside the
    export."""
    from pipeline.read import ingest

    if inputs.layout.directorates:
        return dict(inputs.layout.directorates)
    names = inputs.directorates
    return ingest.parse_directorates(names.data, names.name) if names else {}


def _comparison(inputs: PeriodInputs, register, indicators):
    """The comparison positions of the linked indicators and what the report says about them, or (None, None)
    when no comparison dataset is named; and the comparison's findings. Indicators are linked to the dataset's measures by the register's
    ``benchmark`` column or the layout's ``[benchmark]`` table."""
    from pipeline.run.comparison import organisation_positions

    if inputs.comparison is None:
        return None, None, []
    linked = dict(inputs.layout.benchmark)
    rows = register[0] if register is not None else None
    if rows is not None and "benchmark" in rows:
        period = str(inputs.period)
        linked |= {r: c for r, c, p in zip(rows["ref"], rows["benchmark"], rows["period"]) if c and p in ("", period)}
    first = indicators[indicators["part"] == 1]
    own = dict(zip(first["ref"], first["actual"]))
    return organisation_positions(inputs.comparison, linked, inputs.period, own)


def cleaned_outputs(data: PeriodData) -> dict[str, bytes]:
    """The cleaned tables as CSV files (named outputs of ``clean``), formula-like cells neutralised:
    ``statements.csv`` (every generated sentence with the fact, figures and refs it rests on) and, with a
    comparison, ``benchmark.csv`` (every linked indicator's position in every period of the dataset up to the
    report's, full precision)."""
    import pandas as pd

    from pipeline.figures import statements
    from pipeline.run import publish

    files = {
        "indicators.csv": publish.csv_bytes(data.indicators),
        "data_quality.csv": publish.csv_bytes(data.findings),
        "export_summary.csv": publish.csv_bytes(data.summary_check),
    }
    if data.statements is not None:
        said = pd.DataFrame(statements.rows(data.statements.made), columns=statements.COLUMNS)
        files["statements.csv"] = publish.csv_bytes(said)
    if data.benchmark is not None:
        files["benchmark.csv"] = publish.csv_bytes(data.benchmark)
    if data.history is not None:
        files["history.csv"] = publish.csv_bytes(data.history)
        files["spc.csv"] = publish.csv_bytes(data.spc)
    return files


NOTEBOOK_INPUT = "set the notebook parameter input_path to the export's path"


def load_period(request) -> PeriodData:
    """What a report notebook calls (``request``: its ``request.PeriodRequest``, from its parameters cell): the
    period's data, with the comparison with the earlier periods and with similar organisations.

    When the notebook is executed by ``run_period``, the data the run prepared from its snapshot is handed over and
    nothing is read again; run by hand (papermill, JupyterLab) it reads the files once, here."""
    from pipeline.run.handover import handed_over
    from pipeline.run.jobs import output_root, resolve_period

    if request.year and request.quarter:
        period = Period.parse(request.year, request.quarter)
        given = handed_over("period", {"year": period.year_label, "quarter": period.quarter_label})
        if given is not None:
            return given
    return prepare_period(*resolve_period(request, output_root(request.out), shown=request.out, how=NOTEBOOK_INPUT))


def clean_file(request, out_dir):
    """Clean one file (``request``: a period request naming it, and its register and layout when given) and write
    its tables to ``out_dir`` (the ``clean`` command).

    An export gives ``indicators.csv``, ``data_quality.csv`` and ``export_summary.csv`` (returns PeriodData), read
    through its layout (the request's, else ``layout.toml`` beside the export, else the built-in profile); a
    Service Improvement Plan gives ``milestones.csv``, ``data_quality.csv`` and, when it holds a Medium Term
    Financial Plan, ``budget.csv`` (returns ``plans.CleanedPlan``). Raises InputError / NotAnExportError /
    OutputError (nothing is written then)."""
    from pathlib import Path

    from pipeline.paths import DEFAULT_PERIOD
    from pipeline.read import ingest, plans
    from pipeline.run import publish
    from pipeline.run.plan_report import plan_tables
    from pipeline.run.snapshot import read_input, read_period_inputs

    export = read_input(Path(request.input_path))
    with named_as_given([export]):
        text = "" if export.data.startswith(b"PK") else ingest.decode_text(export.data, export.name)
        plan = plans.clean_plan(text, export.name) if text and plans.looks_like_plan(text) else None
    if plan is not None:
        publish.write_folder(Path(out_dir), plan_tables(plan), replace=False)
        return plan
    period = Period.from_filename(export.path.name) or DEFAULT_PERIOD
    inputs = read_period_inputs(period, export.path, request, {export.path: export.data}, alone=True)
    data = prepare_period(inputs, None)
    publish.write_folder(Path(out_dir), cleaned_outputs(data), replace=False)
    return data


def propose_layout(input_path) -> str:
    """A proposed layout (commented TOML) for an export the pipeline has not seen; see ``propose.propose``. Raises
    InputError for a file that cannot be read or is not a table."""
    from pathlib import Path

    from pipeline.read import ingest
    from pipeline.read.propose import propose
    from pipeline.run.snapshot import read_input

    export = read_input(Path(input_path))
    with named_as_given([export]):
        return propose(ingest.parse_export(export.data, export.name), export.name)
