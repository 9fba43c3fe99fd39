"""The public entry points: clean one export, render one period or one plan's milestones.

This is the one place that reads inputs and writes outputs. Every input a run needs is read once, at
its start, into a snapshot (path -> bytes): hashes, cleaning, the report notebook's data and the
manifest all come from those bytes, so a file replaced while a run is under way cannot make a folder
that disagrees with itself. The notebook kernel is handed what the parent prepared (``hand_over``)
rather than a path to read again. Outputs are published through ``publish``: under a lock in the output
tree, staged and moved into place whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import limits, manifest, publish
from .discover import find_input, find_periods, related_inputs  # noqa: F401  (part of run's API)
from .errors import InputError, NotAnExportError, PipelineError, UsageError
from .inputs import (  # noqa: F401  (part of run's API)
    DIRECTORATES_FILE,
    LAYOUT_FILE,
    REGISTER_FILE,
    Snapshot,
    bytes_of,
    directorates_file,
    input_entry,
    inputs_read,
    layout_file,
    read_snapshot,
    register_file,
    resolve,
)
from .layout import STOCKTON, Layout, parse_layout
from .paths import (
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
from .period import Period

if TYPE_CHECKING:  # the heavy modules are imported where they are used: a cached run needs none of them
    import pandas as pd

    from . import clean

# The environment variable through which a run hands its prepared data to the notebook kernel.
HANDOVER_VARIABLE = "COUNCIL_REPORT_PREPARED"


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


def _directorate_names(source: Path, layout: Layout, snapshot: Snapshot | None) -> dict:
    """The full names of the directorates: the layout's ``[directorates]``, else ``directorates.csv`` beside the export."""
    from . import ingest

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
    from . import ingest
    from .propose import propose

    path = Path(input_path)
    return propose(ingest.parse_export(limits.read_bytes(path), display_path(path)), display_path(path))


def clean_with_layout(
    raw: pd.DataFrame, name: str, layout: Layout, report_year_end: int
) -> tuple[clean.Cleaned, pd.DataFrame]:
    """Stage 2 by the layout's kind: the tidy indicators and their figures (from the text for the Council
    Plan, from the columns for a typed table)."""
    from . import clean, figures, table

    if layout.kind == "table":
        return table.clean_table(raw, name, layout)
    cleaned = clean.clean_export(raw, name)
    if cleaned.indicators.empty:
        raise NotAnExportError(
            "has a Council Plan header but no indicator row below it (a row starting with a Ref "
            "such as 12.3); is the export complete?",
            name,
        )
    return cleaned, figures.read_figures(cleaned.indicators, report_year_end)


def prepare(
    input_path: str | Path,
    period: Period = DEFAULT_PERIOD,
    register_path: str | Path | None = None,
    context: bool = False,
    snapshot: Snapshot | None = None,
    related: dict | None = None,
    layout_path: str | Path | None = None,
) -> PeriodData:
    """Read, clean, read figures from and check one export.

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

    from . import clean, figures, ingest, measure, schema, table

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
    raw = ingest.parse_export(data, name)
    cleaned, figs = clean_with_layout(raw, name, layout, period.start_year + 1)
    check = measure.compare_export_summary(cleaned.indicators, cleaned.export_summary)
    register, register_info = _register(register_path, path, snapshot)
    figs, register_findings = figures.apply_register(
        cleaned.indicators, figs, register, register_info and register_info["path"], str(period)
    )
    indicators = measure.assess(pd.concat([cleaned.indicators, figs], axis=1))
    if layout.derive_status:
        indicators = table.derive_status(indicators)
    book = schema.findings_frame(ingest.workbook_findings(data, name))
    first = int(cleaned.indicators["source_line"].min()) if len(cleaned.indicators) else 0
    years = measure.years_named(raw, first, period) if context else schema.findings_frame([])
    glyphs = clean.unprintable_findings(cleaned.indicators, published_path(path))
    findings = pd.concat(
        [cleaned.findings, book, measure.summary_findings(check), register_findings, years, glyphs],
        ignore_index=True,
    )
    findings = findings.sort_values("source_line", kind="stable").reset_index(drop=True)
    previous = trend = None
    inputs = ()
    unreadable = ""
    if not context and "previous_in_export" in indicators:
        indicators = measure.compare_with_previous(indicators, None)  # the export's own previous-period column
    if context:
        inputs = tuple(input_entry(p, snapshot[p.resolve()]) for p in wanted)
        # each earlier export is prepared once, whether it is the previous period, in the trend, or both;
        # one that cannot be read stops nothing: the report says the comparison could not be made, and why
        earlier = dict(related["year"]) | (dict([related["previous"]]) if related["previous"] else {})
        prepared, failed = {}, {}
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
    )


def _register(
    register_path: str | Path | None, source: Path, snapshot: Snapshot | None = None
) -> tuple[pd.DataFrame, dict | None]:
    from . import ingest

    path = register_file(register_path, source, snapshot)
    if path is None:
        return ingest.parse_register(b"ref\n", "none"), None
    data = bytes_of(snapshot, path)
    return ingest.parse_register(data, display_path(path)), input_entry(path, data)


NOTEBOOK_INPUT = "set the notebook parameter input_path to the export's path"
NOTEBOOK_PARAMETERS = ("year", "quarter", "input_path", "register_path", "layout_path", "council", "out")


PARAMETERS_FILE_BYTES = 64 * 2**10  # a parameters file names a few values; anything larger is not one
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def read_parameters(path: str | Path, allowed: tuple[str, ...] = NOTEBOOK_PARAMETERS) -> dict[str, str]:
    """A parameters file, as papermill's ``-f`` reads it: a YAML mapping of the report notebook's parameters to
    text. Every value is read as the text written (YAML's coercions do not apply: ``0x1F`` stays ``0x1F``,
    ``12:30`` stays ``12:30``). Raises InputError naming the file (and line) for a file over 64 KB, one that is
    not such a mapping, a key given twice, a value that is not text or holds control characters, and
    UsageError for a parameter that is not ``allowed`` here."""
    import yaml

    name = display_path(Path(path))
    try:
        size = Path(path).stat().st_size
        if size > PARAMETERS_FILE_BYTES:
            raise InputError(
                f"is {size:,} bytes; a parameters file names a few values (at most {PARAMETERS_FILE_BYTES // 1024} KB)",
                name,
            )
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the parameters file ({exc.strerror or exc})", name) from None
    except UnicodeDecodeError:
        raise InputError("the parameters file is not UTF-8 text", name) from None
    try:
        given = yaml.load(text, Loader=_text_loader(name))  # builds only text, lists and mappings
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not YAML: {getattr(exc, 'problem', None) or 'cannot be parsed'}", name, mark.line + 1 if mark else None
        ) from None
    except RecursionError:
        raise InputError("is nested too deeply to be a parameters file (name: value, one a line)", name) from None
    if given is None or given == "":
        return {}
    if not isinstance(given, dict):
        raise InputError("a parameters file maps parameter names to values (name: value, one a line)", name)
    for key, value in given.items():
        if key not in allowed:
            raise UsageError(f"{name}: {key!r} is not a parameter here (the parameters are {', '.join(allowed)})")
        if not isinstance(value, str):
            raise InputError(f"{key} must be text, not a {'list' if isinstance(value, list) else 'mapping'}", name)
        if _UNSAFE.search(value):
            raise InputError(f"{key} holds control or bidirectional characters; write it as plain text", name)
    return dict(given)


def _text_loader(name: str):
    """A YAML loader that reads every scalar as the text written (YAML 1.1's base loader) and refuses a key
    given twice, naming the file ``name`` and the line."""
    import yaml

    class TextLoader(yaml.BaseLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise InputError(f"{key!r} is given twice", name, key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return TextLoader


def load_period(
    year: str, quarter: str, input_path: str = "", register_path: str = "", layout_path: str = ""
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
    )


@contextlib.contextmanager
def kernel_while_preparing():
    """A notebook kernel started now, so that it boots while this process imports and cleans, and the place
    where this process will hand it what it prepared (``hand_over``): the kernel is started knowing it.
    The kernel is stopped on leaving, whatever happened. Raises OutputError when the temporary folder
    cannot be written."""
    from . import kernel
    from .errors import OutputError

    with kernel.private_folder("handover") as tmp:
        place = tmp / "prepared.pickle"
        try:
            with kernel.started({HANDOVER_VARIABLE: str(place)}) as km:
                yield km, place
        except OSError as exc:
            raise OutputError(
                f"the notebook kernel could not be started or handed the data ({exc.strerror or exc}); "
                "free space in the temporary folder or set TMPDIR",
                tempfile.gettempdir(),
            ) from None


def hand_over(place: Path, kind: str, parameters: dict, data) -> None:
    """Write ``data`` where the kernel will find it: ``load_period``/``load_plan`` in the notebook take it
    instead of reading the inputs again (one read, one clean, per run). Raises OutputError when the temporary
    folder cannot take it (full, or over a file-size limit)."""
    from .errors import OutputError

    part = place.with_suffix(".part")
    try:
        part.write_bytes(
            pickle.dumps({"kind": kind, "parameters": parameters, "data": data}, protocol=pickle.HIGHEST_PROTOCOL)
        )
        part.replace(place)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise OutputError(
            f"the prepared data could not be handed to the notebook kernel ({exc.strerror or exc}); "
            "free space in the temporary folder or set TMPDIR",
            tempfile.gettempdir(),
        ) from None


def handed_over(kind: str, parameters: dict):
    """The data a run handed to this kernel, or None when there is none (a notebook run by hand).

    The file is taken only when it belongs to this user and its folder is private (0700), as the run made
    them: a file put there by anyone else is refused, never unpickled. The variable is unset once read.
    Raises UsageError when it was prepared for another kind of report or period than ``parameters``, or is
    not the run's own.
    """
    path = os.environ.pop(HANDOVER_VARIABLE, None)
    if not path or not Path(path).is_file():
        return None
    place = Path(path)
    file_info, folder_info = place.stat(), place.parent.stat()
    if file_info.st_uid != os.getuid() or folder_info.st_uid != os.getuid() or folder_info.st_mode & 0o077:
        raise UsageError(
            f"the data handed to this kernel ({path}) is not in a private folder of this user; not read. "
            f"Unset {HANDOVER_VARIABLE}"
        )
    given = pickle.loads(place.read_bytes())  # written by this pipeline's own parent process, 0700 folder
    mismatch = {k: v for k, v in parameters.items() if given["parameters"].get(k) != v}
    if given["kind"] != kind or mismatch:
        raise UsageError(
            f"the data prepared for this run is for the {given['kind']} report of "
            f"{given['parameters'].get('year')} {given['parameters'].get('quarter')}, not {kind} "
            f"{parameters.get('year')} {parameters.get('quarter')}; unset {HANDOVER_VARIABLE}"
        )
    return given["data"]


def cleaned_outputs(data: PeriodData) -> dict[str, bytes]:
    """The cleaned tables as CSV files (named outputs of ``clean``), formula-like cells neutralised."""
    return {
        "indicators.csv": publish.csv_bytes(data.indicators),
        "data_quality.csv": publish.csv_bytes(data.findings),
        "export_summary.csv": publish.csv_bytes(data.summary_check),
    }


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
    from . import ingest, plans

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
) -> PeriodPlan:
    """Read a period's inputs (the one read of each) and make its cache key (see ``run_period``); ``code``: the
    pipeline's code digest when the caller has it (a batch makes it once for all its periods); ``already``: the
    files a batch has read so far (each is read and held once for all its periods); ``shown_out``: the output
    root as the report's commands name it, when not ``out_root`` itself (``reproduce`` renders elsewhere).
    Raises UsageError or InputError."""
    period, source = _period_and_source(year, quarter, input_path)
    out_dir = period_dir(Path(out_root) if out_root else OUTPUTS_DIR, period)
    processed = period_dir(Path(processed_root) if processed_root else PROCESSED_DIR, period)
    related = related_inputs(period, source)
    wanted = inputs_read(period, source, register_path, related, layout_path)
    snapshot = read_snapshot(wanted, already)  # the one read of every input; a bad input fails here, before the rest
    inputs = [input_entry(p, snapshot[p.resolve()]) for p in wanted]
    register = register_file(register_path, source, snapshot)
    layout = layout_file(source, layout_path, snapshot)
    parameters = {
        "year": period.year_label,
        "quarter": period.quarter_label,
        "input_path": published_path(source),
        "register_path": published_path(register) if register else "",
        "layout_path": published_path(layout) if layout else "",
        "council": council or "",
        "out": shown_root(Path(out_root) if out_root else OUTPUTS_DIR) if shown_out is None else shown_out,
    }
    key = manifest.cache_key(inputs, parameters, code or manifest.code_digest())
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
    )


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
) -> RunResult:
    """Clean, measure and render one period's report: a Council Plan export, or any export through its layout
    (``layout_path``, else ``layout.toml`` beside the export). ``council`` overrides the layout's council name.

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
        year, quarter, input_path, out_root, register_path, processed_root, layout_path, council, shown_out=shown_out
    )
    period, out_dir = plan.period, plan.out_dir
    cached = None if force else taken_as_it_is(plan)
    if cached is not None:
        log(f"{period} is up to date (inputs, parameters and code unchanged); use --force to render it again")
        return cached
    with kernel_while_preparing() as started:
        # cleaned before the lock is taken: an export that cannot be read leaves nothing at all in the output tree
        data = prepare(
            plan.source,
            period,
            plan.register_path,
            context=True,
            snapshot=plan.snapshot,
            related=plan.related,
            layout_path=plan.layout,
        )
        log(f"cleaned {data.source}: {len(data.indicators)} indicators, {len(data.findings)} data-quality findings")
        with publish.lock(out_dir, plan.root):
            publish.clean_leftovers(out_dir)
            if not force and plan.up_to_date():  # another run made it while this one waited
                return RunResult(period, out_dir, tuple(manifest.files_in(out_dir)), rendered=False)
            publish.check_writable(out_dir)
            publish.check_writable(plan.processed)
            files = dict(cleaned_outputs(data))
            files[publish.INPUTS_ARCHIVE] = _archive(plan.wanted, plan.inputs, plan.snapshot)
            title = f"{data.layout.title} {period.year_label} progress report: {period.title}"
            _render_and_publish(
                out_dir,
                "period",
                COUNCIL_PLAN_NOTEBOOK,
                plan.parameters,
                data,
                title,
                plan.inputs,
                plan.key,
                files,
                started,
            )
            _write_processed(plan.processed, cleaned_outputs(data), out_dir)
    return RunResult(period, out_dir, tuple(sorted(files)), rendered=True)


def _write_processed(processed: Path, tables: dict, published: Path) -> None:
    """The cleaned tables in ``data/processed/<period>``, under that folder's own lock (two runs with different
    ``--out`` share it). Raises OutputError saying exactly what was written: the report folder was published
    before."""
    from .errors import OutputError

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


def _render_and_publish(
    out_dir: Path,
    kind: str,
    notebook: Path,
    parameters: dict,
    data,
    title: str,
    inputs,
    key: str,
    files: dict,
    started: tuple,
) -> None:
    """Hand ``data`` to the notebook's kernel (``started``: the kernel and the place it looks in), render the
    report beside ``files``, add the manifest, and publish the folder whole (``files`` gains the report's files)."""
    km, place = started
    hand_over(place, kind, parameters, data)
    files.update(_render_notebook(notebook, parameters, title, data.period, list(files), km))
    files[manifest.MANIFEST] = manifest.build(inputs, parameters, key, files)
    publish.write_folder(out_dir, files, replace=True)


def _render_notebook(
    notebook: Path, parameters: dict, title: str, period: Period, also_published=(), km=None
) -> dict[str, bytes]:
    """Execute a report notebook and export it: report.ipynb, report.html, report.pdf and charts/*.svg.
    ``also_published``: the other files the folder will hold (the report may link to them)."""
    from concurrent.futures import ThreadPoolExecutor

    import nbformat

    from . import render

    nb = render.execute_notebook(notebook, parameters, km)
    files = {"report.ipynb": nbformat.writes(nb).encode("utf-8") + b"\n"}
    files.update(render.chart_files(nb))
    published = set(files) | {"report.html", "report.pdf", "manifest.json"} | set(also_published)
    source, images = render.notebook_to_typst(nb, sorted(published), title=title)
    # Typst compiles in a thread (it lets go of the interpreter) while nbconvert writes the HTML
    with ThreadPoolExecutor(1) as pool:
        pdf = pool.submit(render.typst_to_pdf, source, images, period.source_date_epoch)
        files["report.html"] = render.notebook_to_html(nb, title=title, published=published).encode("utf-8")
        files["report.pdf"] = pdf.result()
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
    from . import ingest, plans
    from .plans import milestones

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
    parameters = {
        "plan_path": published_path(source),
        "year": period.year_label,
        "quarter": period.quarter_label,
        "council": council,
    }
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
            _render_and_publish(
                out_dir, "plan", MILESTONE_NOTEBOOK, parameters, data, title, inputs, key, files, started
            )
    return RunResult(period, out_dir, tuple(sorted(files)), rendered=True)
