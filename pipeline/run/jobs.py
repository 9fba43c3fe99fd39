"""Planning a report: its request resolved, its inputs read once, its folder and cache key decided, its build
made ready for an executor (``Job``). Light: no pandas, nothing of the report's stages, so that a run whose folder
is up to date is decided without them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.errors import UsageError
from pipeline.paths import DEFAULT_PERIOD, OUTPUTS_DIR, PROCESSED_DIR, display_path, published_path, safe_folder
from pipeline.period import Period
from pipeline.read import limits
from pipeline.run import manifest
from pipeline.run.discover import PASS_INPUT, find_input
from pipeline.run.snapshot import read_input, read_period_inputs, resolve


@dataclass(frozen=True)
class Job:
    """One report to make: ``label`` (how progress names it), the ``folder`` it publishes under the output ``root``,
    its cache ``key``, its ``build`` (a picklable call returning ``build.Built``), the resolved ``request`` it
    records, the ``code`` digest its build must be made with, ``tables``: where its cleaned tables are kept too
    (None when it has none), and ``snapshot``: what its build is made from (read once, at planning)."""

    label: object
    folder: Path
    root: Path
    key: str
    build: Callable
    request: object
    code: str
    tables: Path | None = None
    snapshot: object = None

    def up_to_date(self) -> bool:
        return manifest.up_to_date(self.folder, self.key)

    def owns(self, name) -> bool:
        """True when ``name`` is a file name that lies inside the job's folder (``manifest.inside``)."""
        return isinstance(name, str) and manifest.inside(self.folder, name) and not name.startswith(".")


def output_root(out: str) -> Path:
    """The output root a request's ``out`` names: the project's ``outputs/`` by default, else the folder given.
    Raises OutputError, before anything is read or rendered, when it names something that is not a folder."""
    from pipeline.errors import OutputError

    root = OUTPUTS_DIR if out in ("", "outputs") else Path(out)
    if root.exists() and not root.is_dir():
        raise OutputError("is not a folder: --out names the folder the reports are written in", display_path(root))
    return root


def shown_root(root: Path) -> str:
    """The output root as the provenance's commands name it: relative to the project when inside it (``outputs``,
    ``build/reports``); "" for a folder outside it, whose path can carry a user's name (the commands then say
    ``DIR`` and what it stands for)."""
    inside = display_path(Path(root).resolve())
    return "" if Path(inside).is_absolute() else inside


def tables_folder(root: Path, source: Path, period: Period) -> Path:
    """Where a period's cleaned tables are kept beside its report: ``data/processed/<name>/<yyyy-yy>/<Qn>`` for the
    default output root, else ``<root>/processed/<name>/<yyyy-yy>/<Qn>`` (``<name>``: the export's name before its
    period), so that everything a run writes is under its ``--out`` and two bodies' tables never meet."""
    base = PROCESSED_DIR if Path(root) == OUTPUTS_DIR else Path(root) / "processed"
    stem = Period.stem_of(Path(source).name) or Path(source).stem or "export"
    return base / safe_folder(stem, "export") / period.year_slug / period.quarter_label


def period_and_source(request, how: str = PASS_INPUT) -> tuple[Period, Path]:
    """The period and its export. The default period belongs to the default input only: an export given without
    ``year`` and ``quarter`` is reported for the period its name gives (``<name>_<yyyy-yy>_<Qn>``). Raises
    UsageError when only one of the two is given, or the name gives no period; InputError when no export is found
    for the period (``how``: what the message tells the user to do instead)."""
    year, quarter, given = request.year, request.quarter, request.input_path
    if bool(year) != bool(quarter):
        raise UsageError("give both --year and --quarter, or neither")
    if year:
        period = Period.parse(year, quarter)
        return period, resolve(given) if given else find_input(period, how=how)
    if not given:
        return DEFAULT_PERIOD, find_input(DEFAULT_PERIOD, how=how)
    source = resolve(given)
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


def resolve_period(request, root: Path, shown: str | None = None, already=None, how: str = PASS_INPUT):
    """A period report's inputs read once (``already``: the files a batch has read so far) and its request
    resolved as the manifest records it: (``snapshot.PeriodInputs``, the resolved request). Raises UsageError or
    InputError."""
    period, source = period_and_source(request, how)
    inputs = read_period_inputs(period, source, request, already)
    comparison = inputs.comparison
    resolved = request.replace(
        year=period.year_label,
        quarter=period.quarter_label,
        input_path=published_path(source),
        register_path=inputs.register.name if inputs.register else "",
        layout_path=inputs.layout_file.name if inputs.layout_file else "",
        out=shown_root(root) if shown is None else shown,
        benchmark_path=comparison.dataset.name if comparison else "",
        benchmark_layout_path=comparison.layout_file.name if comparison else "",
        peers_path=comparison.peers.name if comparison and comparison.peers else "",
    )
    return inputs, resolved


def period_job(request, root: Path | None = None, shown: str | None = None, code=None, already=None) -> Job:
    """A period report's job: its inputs read once, its request resolved (``resolve_period``), its cache key.
    ``root``: the output root (else the request's ``out``); ``shown``: the root as the report's commands name it
    (``reproduce`` renders elsewhere). Raises UsageError or InputError."""
    from pipeline.run.build import build_period

    root = Path(root) if root is not None else output_root(request.out)
    inputs, resolved = resolve_period(request, root, shown, already)
    code = code or manifest.code_digest()
    key = manifest.cache_key([f.entry for f in inputs.files], resolved.values(), code)
    build = functools.partial(build_period, inputs, resolved, key, code)
    tables = tables_folder(root, inputs.export.path, inputs.period)
    return Job(inputs.period, root / resolved.folder(), root, key, build, resolved, code, tables, inputs)


def plan_job(request, root: Path | None = None, shown: str | None = None, code=None) -> Job:
    """A Service Improvement Plan's milestone report's job: the plan read once, its folder of its own under
    ``<root>/plans/`` (never inside a period's folder), its cache key. Raises UsageError or InputError."""
    from pipeline.run.build import build_plan

    period = Period.parse(request.year, request.quarter)
    source = resolve(request.plan_path)
    plan = read_input(source)
    root = Path(root) if root is not None else output_root(request.out)
    out = shown_root(root) if shown is None else shown
    resolved = request.replace(plan_path=plan.name, year=period.year_label, quarter=period.quarter_label, out=out)
    code = code or manifest.code_digest()
    key = manifest.cache_key([plan.entry], resolved.values(), code)
    folder = root / resolved.folder()
    build = functools.partial(build_plan, plan, period, resolved, key, code)
    return Job(f"{source.name} {period}", folder, root, key, build, resolved, code, None, plan)


def profile_job(request, root: Path | None = None, shown: str | None = None, code=None) -> Job:
    """One organisation's profile's job (``profiles.profile_jobs`` of that one). Raises UsageError or InputError."""
    from pipeline.run.profiles import profile_jobs

    jobs, _ = profile_jobs(request, [request.organisation], root=root, shown=shown, code=code)
    return jobs[0]


# Each kind of report's planner, by the kind's name (``request.REPORT_KINDS``).
PLANNERS: dict[str, Callable] = {"period": period_job, "milestones": plan_job, "profile": profile_job}


def job_for(request, **options) -> Job:
    """The job of a single report of any kind (``request.kind``), by the registry of its kind's planner."""
    return PLANNERS[request.kind.name](request, **options)
