"""The coordinator: plans, builds and publishes reports of every kind — periods, milestone reports, profiles.

A job (``jobs.Job``) whose folder is up to date (its cache key and output hashes unchanged) is taken as it is;
the others are built on an executor (``executors``: in this process, local processes, or a Dask cluster) and
each is published here as it comes back, under its folder's lock, whole (``publish``). The coordinator alone
writes the output tree: a build returns files; before any is written, their names are checked to be inside the
folder and the build's code digest to be the coordinator's. One report's failure is reported and the others go
on. ``run_period`` and ``run_plan`` make one report in this process; ``batch`` and ``profiles`` plan many.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline.errors import OutputError, PipelineError, RenderError
from pipeline.paths import display_path
from pipeline.run import manifest, publish
from pipeline.run.jobs import Job, job_for

Events = Callable[[object, str, str], None]


@dataclass(frozen=True)
class RunResult:
    """One report made (or found up to date): its label (a period, for a period report), folder and files."""

    period: object
    out_dir: Path
    files: tuple[str, ...]
    rendered: bool  # False when the folder was up to date and left as it was

    @property
    def manifest_sha256(self) -> str:
        """The SHA-256 of the folder's manifest.json: one hash that stands for every file of the report (a
        committee paper can quote it; ``verify`` checks the files against the manifest)."""
        return manifest.sha256_file(self.out_dir / manifest.MANIFEST)


@dataclass
class Outcome:
    """What a run of many jobs did: each job's label, rendered, taken from the cache, or failed with the reason."""

    rendered: list = field(default_factory=list)
    cached: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (label, reason)

    @property
    def ok(self) -> bool:
        return not self.failed


def run_report(request, force: bool = False, log: Callable[[str], None] = lambda message: None, **options) -> RunResult:
    """Make one report of any kind (``request``: a ``request.Request``) in this process: taken as it is when up to
    date (unless ``force``), else built and published. ``options``: ``root`` and ``shown`` (``reproduce`` renders
    elsewhere). Raises UsageError, InputError, OutputError or RenderError; on any error nothing is left
    half-written."""
    job = job_for(request, **options)
    if not force and job.up_to_date():
        _tidy(job)
        log(f"{job.label} is up to date (inputs, parameters and code unchanged); use --force to render it again")
        return RunResult(job.label, job.folder, _listed(job), False)
    # built before the lock is taken: an input that cannot be read leaves nothing at all in the output tree
    built = job.build()
    rendered = publish_job(job, built, force)
    return RunResult(job.label, job.folder, tuple(sorted(built.files)) if rendered else _listed(job), rendered)


def run_period(request, force: bool = False, log: Callable[[str], None] = lambda message: None, **options) -> RunResult:
    """Clean, measure and render one period's report (``request``: a ``request.PeriodRequest``): HTML, PDF, Word,
    the executed notebook, the cleaned tables and the charts with the manifest, under ``<out>/<yyyy-yy>/<Qn>/``,
    and the cleaned tables kept beside them (``jobs.tables_folder``). See ``run_report``."""
    return run_report(request, force, log, **options)


def run_plan(request, force: bool = False, log: Callable[[str], None] = lambda message: None, **options) -> RunResult:
    """Render one Service Improvement Plan's milestone report for one period (``request``: a
    ``request.MilestonesRequest``) into ``<out>/plans/<plan file>/<yyyy-yy>/<Qn>/``. See ``run_report``."""
    return run_report(request, force, log, **options)


def run_jobs(jobs: list[Job], executor, force: bool = False, on_event: Events = lambda *event: None) -> Outcome:
    """Make every job: those up to date taken as they are (unless ``force``), the rest built on ``executor`` (a
    ``concurrent.futures.Executor``) and published here as each comes back; ``on_event(label, state, reason)`` as
    each changes state (queued, cached, running, rendered, failed). A build that fails, or whose worker dies, fails
    its own job; the others go on."""
    outcome = Outcome()
    work = []
    for job in jobs:
        on_event(job.label, "queued", "")
        if not force and job.up_to_date():
            _tidy(job)
            outcome.cached.append(job.label)
            on_event(job.label, "cached", "")
        else:
            work.append(job)
    if work:
        _build_and_publish(work, executor, force, outcome, on_event)
    return outcome


def _build_and_publish(work: list[Job], executor, force: bool, outcome: Outcome, on_event: Events) -> None:
    from pipeline.run import warm

    # builds on this machine's processes fork their kernels from this process's template (a cluster's workers
    # start their own); the progress output is told when kernels start cold
    kept = (
        warm.Kept(lambda text: on_event("kernels", "note", text))
        if getattr(executor, "on_this_machine", False)
        else None
    )
    pending = {executor.submit(kept.wrap(job.build) if kept else job.build): job for job in work}
    running: set = set()
    try:
        while pending:
            if kept is not None:
                kept.check()
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future, job in pending.items():
                if id(job) not in running and (future.running() or future in done):
                    running.add(id(job))
                    on_event(job.label, "running", "")
            for future in done:
                job = pending.pop(future)
                state, reason = _publish_result(job, future, force)
                if state == "failed":
                    outcome.failed.append((job.label, reason))
                else:
                    (outcome.rendered if state == "rendered" else outcome.cached).append(job.label)
                on_event(job.label, state, reason)
    finally:
        for future in pending:
            future.cancel()


def _publish_result(job: Job, future, force: bool) -> tuple[str, str]:
    """("rendered" | "cached" | "failed", reason) for one build that came back."""
    try:
        built = from_worker(job, future.result())
        return ("rendered" if publish_job(job, built, force) else "cached"), ""
    except PipelineError as exc:
        return "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 - a worker that died, or a build's bug: its job fails, the rest go on
        return "failed", f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def publish_job(job: Job, built, force: bool = False) -> bool:
    """Publish a build under its folder's lock, whole, with its cleaned tables; False when another run made the
    folder up to date meanwhile (unless ``force``). The build's file names must lie inside the folder and its code
    digest be this coordinator's. Raises OutputError or RenderError."""
    check_built(job, built)
    with publish.lock(job.folder, job.root):
        publish.clean_leftovers(job.folder)
        if not force and job.up_to_date():  # another run made it while this one built it
            return False
        publish.check_writable(job.folder)
        if job.tables is not None:
            publish.check_writable(job.tables)
        publish.write_folder(job.folder, built.files, replace=True)
        if job.tables is not None and built.tables:
            _write_tables(job, built.tables)
    return True


def from_worker(job: Job, result):
    """A build as it came back: a ``build.Built`` from this machine's processes, or the plain data a cluster's
    worker hands back (``executors.run_on_worker``), checked to be nothing but names, bytes and text before it is
    taken as a build. Raises RenderError for a failed build or anything else."""
    from pipeline.run.build import Built

    if not isinstance(result, dict):
        return result
    if set(result) == {"error"} and isinstance(result["error"], str):
        raise RenderError(result["error"])
    files, tables, code = result.get("files"), result.get("tables", {}), result.get("code")
    plain = all(
        isinstance(part, dict) and all(isinstance(k, str) and isinstance(v, bytes) for k, v in part.items())
        for part in (files, tables)
    )
    if set(result) != {"files", "tables", "code"} or not plain or not isinstance(code, str):
        raise RenderError(f"the build of {job.label} came back as something other than a report's files; not published")
    return Built(files, tables, code)


def check_built(job: Job, built) -> None:
    """Refuse a build that names a file outside its folder, or was made by other code than the coordinator's: a
    worker of a cluster that is not this one's cannot write where it likes or publish another code's report."""
    from pipeline.run.build import Built

    if not isinstance(built, Built) or not isinstance(built.files, dict):
        raise RenderError(f"the build of {job.label} returned {type(built).__name__}, not a report's files")
    for name in list(built.files) + list(built.tables):
        if not job.owns(name):
            raise RenderError(f"the build of {job.label} named a file outside its folder ({name!r}); not published")
    if built.code != job.code:
        raise RenderError(
            f"the build of {job.label} was made by pipeline code {str(built.code)[:12]}, not this run's "
            f"{job.code[:12]}; install the same commit on every worker"
        )


def _write_tables(job: Job, tables: dict) -> None:
    """The cleaned tables beside the outputs, under their folder's own lock. Raises OutputError saying exactly what
    was written: the report folder was published before."""
    try:
        with publish.lock(job.tables, job.tables.parent.parent.parent):
            publish.write_folder(job.tables, tables, replace=True)
    except OutputError as exc:
        raise OutputError(
            f"the report was published in {display_path(job.folder)}, but the cleaned tables could not be "
            f"written here ({exc.message.split(';')[0]}); the report is complete without them",
            display_path(job.tables),
        ) from None


def _tidy(job: Job) -> None:
    """Remove what a killed run left beside an up-to-date folder (under the lock, and only when there is any)."""
    if publish.leftovers(job.folder):
        with publish.lock(job.folder, job.root):
            publish.clean_leftovers(job.folder)


def _listed(job: Job) -> tuple[str, ...]:
    return tuple(manifest.files_in(job.folder))
