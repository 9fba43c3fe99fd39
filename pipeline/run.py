"""The public entry points: clean one export, render one period.

This is the one place that reads inputs and writes outputs. Outputs are
written into a temporary folder beside their destination and moved into
place only when everything has been written, so a failure never leaves a
half-written folder behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from . import clean, figures, ingest, manifest, measure
from .errors import InputError, UsageError
from .paths import (COUNCIL_PLAN_NOTEBOOK, DEFAULT_PERIOD, MILESTONE_NOTEBOOK, DEFAULT_REGISTER, OUTPUTS_DIR, PROCESSED_DIR, PROJECT_ROOT, RAW_DIR,
                    display_path, period_dir)
from .period import Period

SUPPORTED_SUFFIXES = (".tsv", ".txt", ".csv", ".xlsx")


@dataclass(frozen=True)
class PeriodData:
    """One period's export, cleaned and checked: what a report notebook needs."""

    period: Period
    source: str            # the input path as shown to readers (project-relative when inside the project)
    source_sha256: str
    source_size: int
    register: dict | None  # path, size and sha256 of the indicator register used, if any
    indicators: pd.DataFrame
    findings: pd.DataFrame
    export_summary: pd.DataFrame
    summary_check: pd.DataFrame
    preamble: str = ""                    # text above the export's header row, shown on the title page
    previous: Period | None = None        # the earlier period compared with, if any
    trend: pd.DataFrame | None = None     # status counts for the quarters of the year so far
    inputs: tuple = ()                    # every file read (path, size, sha256), as the manifest lists them


@dataclass(frozen=True)
class RunResult:
    period: Period
    out_dir: Path
    files: tuple[str, ...]
    rendered: bool  # False when the period was up to date and left as it was


def prepare(input_path: str | Path, period: Period = DEFAULT_PERIOD, register_path: str | Path | None = None,
            context: bool = False) -> PeriodData:
    """Read, clean, read figures from and check one export.

    ``register_path`` is the analyst's indicator register; None or "" means
    ``data/raw/indicator_register.csv`` when it exists. With ``context``, the exports of the previous
    period and of the earlier quarters of the year are found beside the input (by file name) and the
    result carries the comparison with the previous period and the trend of the year so far.
    Returns PeriodData whose ``indicators`` carry figures and their assessment and whose ``findings``
    include the check of the export's own summary and register rows that name no indicator.
    Raises InputError / NotAnExportError for unreadable or foreign input.
    """
    path = Path(input_path)
    data = ingest.read_bytes(path)
    name = display_path(path)
    raw = ingest.parse_export(data, name)
    cleaned = clean.clean_export(raw, name)
    check = measure.compare_export_summary(cleaned.indicators, cleaned.export_summary)
    figs = figures.read_figures(cleaned.indicators, period.start_year + 1)
    register, register_info = _register(register_path)
    figs, register_findings = figures.apply_register(cleaned.indicators, figs, register,
                                                     register_info and register_info["path"], str(period))
    indicators = measure.assess(pd.concat([cleaned.indicators, figs], axis=1))
    findings = pd.concat([cleaned.findings, measure.summary_findings(check), register_findings], ignore_index=True)
    findings = findings.sort_values("source_line", kind="stable").reset_index(drop=True)
    previous = trend = None
    inputs = ()
    if context:
        earlier = related_inputs(period, path)
        inputs = tuple(input_entry(p) for p in inputs_read(period, path, register_path, earlier))
        # each earlier export is prepared once, whether it is the previous period, in the trend, or both
        wanted = dict(earlier["year"]) | (dict([earlier["previous"]]) if earlier["previous"] else {})
        prepared = {p: prepare(q, p, register_path).indicators for p, q in sorted(wanted.items())}
        if earlier["previous"] is not None:
            previous = earlier["previous"][0]
        indicators = measure.compare_with_previous(indicators, prepared.get(previous))
        quarters = {str(p): prepared[p] for p, _ in earlier["year"]}
        quarters[str(period)] = indicators
        trend = measure.status_by_period(quarters)
    return PeriodData(period, name, hashlib.sha256(data).hexdigest(), len(data), register_info, indicators, findings,
                      cleaned.export_summary, check, cleaned.preamble, previous, trend, inputs)


def find_periods(raw_dir: Path) -> dict[Period, list[Path]]:
    """Every export in ``raw_dir`` named ``council_plan_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``, by period."""
    found: dict[Period, list[Path]] = {}
    for path in sorted(Path(raw_dir).iterdir()) if Path(raw_dir).is_dir() else []:
        period = Period.from_filename(path.name)
        if period is not None and path.is_file():
            found.setdefault(period, []).append(path)
    return dict(sorted(found.items()))


def inputs_read(period: Period, source: Path, register_path: str | Path | None = None,
                related: dict | None = None) -> list[Path]:
    """Every file a period's report reads: the export, the register, the previous period's export
    (direction of travel) and the earlier quarters of the year (the trend chart). The cache key and the
    manifest cover exactly these. ``related`` is ``related_inputs``' answer when the caller has it."""
    related = related if related is not None else related_inputs(period, source)
    register_file = _register_file(register_path)
    paths = [Path(source)] + ([register_file] if register_file else [])
    paths += [related["previous"][1]] if related["previous"] else []
    paths += [p for _, p in related["year"] if p not in paths]
    return paths


def related_inputs(period: Period, source: Path) -> dict:
    """The exports beside ``source`` that a period's report also reads.

    ``previous``: the latest earlier period that has exactly one export, as (period, path), or None;
    ``year``: the earlier quarters of the same financial year, [(period, path)], for the trend.
    """
    found = {p: paths[0] for p, paths in find_periods(Path(source).parent).items() if len(paths) == 1 and p < period}
    previous = max(found) if found else None
    return {"previous": (previous, found[previous]) if previous else None,
            "year": [(p, found[p]) for p in sorted(found) if p.start_year == period.start_year]}


def _register(register_path: str | Path | None) -> tuple[pd.DataFrame, dict | None]:
    path = _register_file(register_path)
    if path is None:
        return ingest.parse_register(b"ref\n", "none"), None
    data = ingest.read_bytes(path)
    name = display_path(path)
    return ingest.parse_register(data, name), {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def load_period(year: str, quarter: str, input_path: str = "", register_path: str = "") -> PeriodData:
    """What a report notebook calls: the period's data from its input (found by period when not given),
    with the comparison with the previous period and the trend of the year so far."""
    period = Period.parse(year, quarter)
    return prepare(_resolve(input_path) if input_path else find_input(period), period, register_path, context=True)


def cleaned_outputs(data: PeriodData) -> dict[str, bytes]:
    """The cleaned tables as CSV files (named outputs of ``clean``)."""
    return {
        "indicators.csv": _csv(data.indicators),
        "data_quality.csv": _csv(data.findings),
        "export_summary.csv": _csv(data.summary_check),
    }


def clean_file(input_path: str | Path, out_dir: str | Path, register_path: str | Path | None = None):
    """Clean one file and write its tables to ``out_dir``.

    A Council Plan export gives ``indicators.csv``, ``data_quality.csv`` and ``export_summary.csv``
    (returns PeriodData); a Service Improvement Plan gives ``milestones.csv``, ``data_quality.csv`` and,
    when it holds a Medium Term Financial Plan, ``budget.csv`` (returns plans.CleanedPlan).
    Raises InputError / NotAnExportError (nothing is written then).
    """
    from . import plans

    path = Path(input_path)
    data = ingest.read_bytes(path)
    if not data.startswith(b"PK") and plans.looks_like_plan(ingest.decode_text(data, display_path(path))):
        plan = plans.clean_plan(ingest.decode_text(data, display_path(path)), display_path(path))
        files = {"milestones.csv": _csv(plan.milestones), "data_quality.csv": _csv(plan.findings)}
        if not plan.budget.empty:
            files["budget.csv"] = _csv(plan.budget)
        write_folder(Path(out_dir), files, replace=False)
        return plan
    period_data = prepare(input_path, register_path=register_path)
    write_folder(Path(out_dir), cleaned_outputs(period_data), replace=False)
    return period_data


def find_input(period: Period, raw_dir: Path = RAW_DIR) -> Path:
    """The export for ``period`` in ``raw_dir``: ``council_plan_<yyyy-yy>_<Qn>[.label].<tsv|txt|csv|xlsx>``.

    Raises InputError when there is none, or more than one.
    """
    stem = f"council_plan_{period.year_slug}_{period.quarter_label}"
    found = find_periods(raw_dir).get(period, [])
    if not found:
        raise InputError(f"no export for {period} (looked for {stem}.tsv, .csv or .xlsx); "
                         "add it there or pass --input FILE", display_path(raw_dir))
    if len(found) > 1:
        raise InputError(f"more than one export for {period}: " + ", ".join(p.name for p in found)
                         + "; keep one or pass --input FILE", display_path(raw_dir))
    return found[0]


def input_entry(path: Path) -> dict:
    """An input as the manifest records it: project-relative path, size, SHA-256."""
    data = Path(path).read_bytes()
    return {"path": display_path(path), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def run_period(year: str | None = None, quarter: str | None = None, input_path: str | Path | None = None,
               out_root: str | Path | None = None, force: bool = False, register_path: str | Path | None = None,
               log: Callable[[str], None] = lambda message: None, processed_root: str | Path | None = None) -> RunResult:
    """Clean, measure and render one period's Council Plan report.

    Writes the cleaned tables under ``data/processed/<year>/<quarter>/`` and the
    report (``report.html``, ``report.pdf``, ``report.ipynb``, ``indicators.csv``,
    ``data_quality.csv``, ``export_summary.csv``, ``charts/*.svg``, ``manifest.json``) under
    ``<out_root>/<year>/<quarter>/``. A period whose inputs, parameters and code are unchanged
    (see ``manifest.cache_key``) and whose outputs are intact is left alone unless ``force``.
    Raises UsageError, InputError or RenderError; on any error nothing is left half-written.
    """
    import nbformat

    from . import render

    if (year is None) != (quarter is None) and input_path is None:
        raise UsageError("give both --year and --quarter, or neither for the default period")
    period = Period.parse(year, quarter) if year is not None else DEFAULT_PERIOD
    source = _resolve(input_path) if input_path is not None else find_input(period)
    out_dir = period_dir(Path(out_root) if out_root else OUTPUTS_DIR, period)
    ingest.read_bytes(source)  # a missing, empty or unreadable input fails here, before anything else

    register_file = _register_file(register_path)
    inputs = [input_entry(p) for p in inputs_read(period, source, register_path)]
    parameters = {"year": period.year_label, "quarter": period.quarter_label, "input_path": display_path(source),
                  "register_path": display_path(register_file) if register_file else ""}
    key = manifest.cache_key(inputs, parameters, manifest.code_digest())
    with _period_lock(out_dir):
        if not force and manifest.up_to_date(out_dir, key):
            log(f"{period} is up to date (inputs, parameters and code unchanged); use --force to render it again")
            return RunResult(period, out_dir, tuple(sorted(_listed(out_dir))), rendered=False)
        data = prepare(source, period, register_path, context=True)
        log(f"cleaned {data.source}: {len(data.indicators)} indicators, {len(data.findings)} data-quality findings")
        write_folder(period_dir(Path(processed_root) if processed_root else PROCESSED_DIR, period),
                     cleaned_outputs(data), replace=True)
        files = _render(period, parameters, data)
        files[manifest.MANIFEST] = manifest.build(inputs, parameters, key, files)
        write_folder(out_dir, files, replace=True)
    return RunResult(period, out_dir, tuple(sorted(files)), rendered=True)


def _render(period: Period, parameters: dict, data: PeriodData) -> dict[str, bytes]:
    files = dict(cleaned_outputs(data))
    files.update(_render_notebook(COUNCIL_PLAN_NOTEBOOK, parameters,
                                  f"Council Plan {period.year_label} progress report: {period.title}", period))
    return files


def _render_notebook(notebook: Path, parameters: dict, title: str, period: Period) -> dict[str, bytes]:
    """Execute a report notebook and export it: report.ipynb, report.html, report.pdf and charts/*.svg."""
    import nbformat

    from . import render

    nb = render.execute_notebook(notebook, parameters)
    files = {"report.ipynb": nbformat.writes(nb).encode("utf-8") + b"\n"}
    files.update(_chart_files(nb))
    html = render.notebook_to_html(nb, title=title)
    files["report.html"] = html.encode("utf-8")
    files["report.pdf"] = render.html_to_pdf(html, source_date_epoch=period.source_date_epoch)
    return files


@contextlib.contextmanager
def _period_lock(out_dir: Path):
    """One renderer at a time per period folder, across processes (two batches at once wait for each other)."""
    from filelock import FileLock

    # The lock lives outside the output folder, so a run that fails on bad input leaves that folder untouched.
    locks = Path(tempfile.gettempdir()) / "council-report-locks"
    locks.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:24]
    with FileLock(str(locks / f"{name}.lock")):
        yield


def _register_file(register_path: str | Path | None) -> Path | None:
    if register_path in (None, ""):
        return DEFAULT_REGISTER if DEFAULT_REGISTER.exists() else None
    return _resolve(register_path)


def _listed(folder: Path) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]


def _chart_files(nb) -> dict[str, bytes]:
    """The SVG of every chart the notebook showed, under the file name it gave."""
    files = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("council_report", {}).get("chart_file")
            if name and "image/svg+xml" in output.get("data", {}):
                files[f"charts/{name}"] = output["data"]["image/svg+xml"].encode("utf-8")
    return files


def _resolve(path: str | Path) -> Path:
    """Paths in parameters are relative to the project root, so the executed notebook holds no machine paths."""
    p = Path(path)
    return p if p.is_absolute() or p.exists() else PROJECT_ROOT / p


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_folder(target: Path, files: dict[str, bytes], replace: bool) -> None:
    """Write ``files`` (relative name -> bytes) as the folder ``target``, all or nothing.

    The files go to a temporary folder beside ``target`` that is renamed into
    place at the end. With ``replace`` an existing ``target`` is swapped out
    whole; without it, the files are added to (or overwrite files in) it.
    """
    target = Path(target)
    created = _missing_parents(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; published folders get the usual permissions
    try:
        for name, content in sorted(files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if replace or not target.exists():
            _swap_in(staging, target)
        else:
            for name in sorted(files):
                dest = target / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / name, dest)
            shutil.rmtree(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(staging: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / target.name)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _missing_parents(path: Path) -> list[Path]:
    missing = []
    for parent in [path, *path.parents]:
        if parent.exists():
            break
        missing.append(parent)
    return list(reversed(missing))


@dataclass(frozen=True)
class PlanData:
    """One Service Improvement Plan, read and set against a period: what the milestone notebook needs."""

    period: Period
    source: str
    source_sha256: str
    plan: str
    milestones: pd.DataFrame      # with ``state`` for the period
    budget: pd.DataFrame
    findings: pd.DataFrame


def load_plan(plan_path: str, year: str, quarter: str) -> PlanData:
    """What the milestone notebook calls: the plan's milestones classified for the period, and its budget."""
    from . import milestones, plans

    period = Period.parse(year, quarter)
    path = _resolve(plan_path)
    data = ingest.read_bytes(path)
    name = display_path(path)
    text = ingest.decode_text(data, name)
    if not plans.looks_like_plan(text):
        raise InputError("is not a Service Improvement Plan (no 'Development Priority' and 'By when' found)", name)
    cleaned = plans.clean_plan(text, name)
    return PlanData(period, name, hashlib.sha256(data).hexdigest(), cleaned.plan,
                    milestones.classify(cleaned.milestones, period), cleaned.budget, cleaned.findings)


def run_plan(plan_path: str | Path, year: str, quarter: str, out_root: str | Path | None = None, force: bool = False,
             log: Callable[[str], None] = lambda message: None) -> RunResult:
    """Render the milestone report of one plan for one period into ``<out_root>/<year>/<quarter>/plans/<file stem>/``.

    Writes report.html, report.pdf, report.ipynb, milestones.csv, data_quality.csv, budget.csv (when the
    plan has one), charts/ and manifest.json; skipped when up to date unless ``force``.
    Raises UsageError, InputError or RenderError; nothing is left half-written.
    """
    period = Period.parse(year, quarter)
    source = _resolve(plan_path)
    ingest.read_bytes(source)
    out_dir = period_dir(Path(out_root) if out_root else OUTPUTS_DIR, period) / "plans" / source.stem.split(".")[0]
    inputs = [input_entry(source)]
    parameters = {"plan_path": display_path(source), "year": period.year_label, "quarter": period.quarter_label}
    key = manifest.cache_key(inputs, parameters, manifest.code_digest())
    with _period_lock(out_dir):
        if not force and manifest.up_to_date(out_dir, key):
            log(f"{out_dir.name} {period} is up to date; use --force to render it again")
            return RunResult(period, out_dir, tuple(sorted(_listed(out_dir))), rendered=False)
        data = load_plan(str(source), period.year_label, period.quarter_label)
        files = {"milestones.csv": _csv(data.milestones), "data_quality.csv": _csv(data.findings)}
        if not data.budget.empty:
            files["budget.csv"] = _csv(data.budget)
        files.update(_render_notebook(MILESTONE_NOTEBOOK, parameters,
                                      f"{data.plan} Service Improvement Plan milestones: {period.title}", period))
        files[manifest.MANIFEST] = manifest.build(inputs, parameters, key, files)
        write_folder(out_dir, files, replace=True)
    return RunResult(period, out_dir, tuple(sorted(files)), rendered=True)
