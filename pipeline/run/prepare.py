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

from pipeline.period import Period
from pipeline.read.layout import Layout
from pipeline.run.snapshot import PeriodInputs, named_as_given

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

    def tables(self) -> dict[str, bytes]:
        """The cleaned tables as CSV files (named outputs of ``clean``), formula-like cells neutralised:
        ``statements.csv`` (every generated sentence with the fact, figures and refs it rests on) and, with a
        comparison, ``benchmark.csv`` (every linked indicator's position in every period of the dataset up to the
        report's, full precision)."""
        from pipeline.run.publish import csv_bytes

        files = {
            "indicators.csv": csv_bytes(self.indicators),
            "data_quality.csv": csv_bytes(self.findings),
            "export_summary.csv": csv_bytes(self.summary_check),
        }
        if self.statements is not None:
            files["statements.csv"] = csv_bytes(self.statements.table())
        if self.benchmark is not None:
            files["benchmark.csv"] = csv_bytes(self.benchmark)
        if self.history is not None:
            files["history.csv"] = csv_bytes(self.history)
            files["spc.csv"] = csv_bytes(self.spc)
        return files


def prepare_period(inputs: PeriodInputs, request=None) -> PeriodData:
    """The period's data from its snapshot: the export read and assessed, set beside the earlier periods of the
    same body and among similar organisations. Raises InputError / NotAnExportError for the report's own export
    (an earlier one that cannot be read stops nothing: the report says the comparison could not be made)."""
    with inputs.as_given():
        return _prepare(inputs, request)


def _prepare(inputs: PeriodInputs, request) -> PeriodData:
    from pipeline.figures import history
    from pipeline.figures.assessed import assess_period
    from pipeline.figures.facts.period import report_statements
    from pipeline.read.exports import read_period
    from pipeline.report.fonts import unprintable_findings
    from pipeline.schema import findings_frame

    layout, period, related = inputs.layout, inputs.period, inputs.related
    read = read_period(
        inputs.export, inputs.earlier, inputs.register, inputs.directorates, layout, period, not inputs.alone
    )
    unprintable = findings_frame(unprintable_findings(read.own.indicators, inputs.export.name))
    assessed = assess_period(read, layout, period, related, also=[unprintable])
    indicators = assessed.indicators
    positions, context, compared = _comparison(inputs, read, indicators)
    findings = _with_comparison_findings(assessed.findings, compared)
    before = {p: (inputs.earlier[p].name, frame) for p, frame in assessed.earlier.items()}
    dataset = (context["dataset"], positions) if positions is not None and context else None
    rows = read.register[0] if read.has_register else None
    past, charts = history.history_and_spc(
        indicators, period, inputs.export.name, before, read.own.history, dataset, rows, layout.spc
    )
    previous = assessed.previous
    said = report_statements(indicators, layout, read.names, previous, positions, context, charts)
    return PeriodData(
        period,
        inputs.export.name,
        inputs.export.sha256,
        len(inputs.export.data),
        inputs.register.entry if inputs.register else None,
        indicators,
        findings,
        read.own.export_summary,
        assessed.summary_check,
        read.own.preamble,
        previous,
        assessed.trend,
        tuple(f.entry for f in inputs.files),
        layout,
        assessed.unreadable,
        assessed.earlier.get(previous) if previous else None,
        read.names,
        related.year_ago if related.year_ago in assessed.earlier else None,
        assessed.earlier.get(related.year_ago),
        positions,
        context,
        request,
        said,
        past,
        charts,
    )


def _with_comparison_findings(findings, compared: list):
    """The export's findings, and after them what the comparison's data says about itself."""
    import pandas as pd

    from pipeline import schema

    if not compared:
        return findings
    return pd.concat([findings, schema.findings_frame(compared)], ignore_index=True)


def _comparison(inputs: PeriodInputs, read, indicators):
    """The comparison positions of the linked indicators and what the report says about them, or (None, None)
    when no comparison dataset is named; and the comparison's findings. Indicators are linked to the dataset's measures by the register's
    ``benchmark`` column or the layout's ``[benchmark]`` table."""
    from pipeline.run.comparison import organisation_positions

    if inputs.comparison is None:
        return None, None, []
    linked = dict(inputs.layout.benchmark)
    rows = read.register[0] if read.has_register else None
    if rows is not None and "benchmark" in rows:
        period = str(inputs.period)
        linked |= {r: c for r, c, p in zip(rows["ref"], rows["benchmark"], rows["period"]) if c and p in ("", period)}
    first = indicators[indicators["part"] == 1]
    own = dict(zip(first["ref"], first["actual"]))
    return organisation_positions(inputs.comparison, linked, inputs.period, own)


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
    publish.write_folder(Path(out_dir), data.tables(), replace=False)
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
