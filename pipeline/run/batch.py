"""Render every period found in a folder of exports, in parallel, reusing up-to-date periods.

Each export of the folder (``<name>_<yyyy-yy>_<Qn>``) is a period's request: the batch's parameters, with the
period and the export the file's name gives. Their jobs are planned here (each input read once for the whole
batch) and made by the coordinator on local worker processes. Periods do not read each other's outputs, only each
other's exports, so they can render in any order.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from pipeline.errors import PipelineError, UsageError
from pipeline.paths import RAW_DIR, display_path
from pipeline.run.coordinator import Outcome, run_jobs


def run_batch(
    template,
    raw_dir: str | Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    on_event: Callable[[object, str, str], None] = lambda label, state, reason: None,
    on_start: Callable[[int], None] = lambda total: None,
) -> Outcome:
    """Render every period with an export in ``raw_dir`` (default ``data/raw/``), each with ``template``'s
    parameters (a ``request.PeriodRequest``: register, layout, council, output root, front page's words,
    comparison) and the period and export its file's name gives.

    ``jobs`` worker processes (default: the number of cores). ``on_start(total)`` is called once the periods are
    known; ``on_event(period, state, reason)`` as each changes state (``coordinator.run_jobs``). A file named like
    an export whose name gives no period, or a period with two exports, fails with that reason; the others go on.
    Raises UsageError when ``raw_dir`` is not a folder or holds no export, or ``jobs`` is below 1; OutputError
    when the output root is not a folder."""
    from pipeline.run.discover import find_periods, misnamed
    from pipeline.run.executors import executor
    from pipeline.run.jobs import output_root

    output_root(template.out)  # a file named as the output root stops the batch before anything is read
    raw = Path(raw_dir) if raw_dir else RAW_DIR
    if not raw.is_dir():
        raise UsageError(f"{display_path(raw)} is not a folder of exports")
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    periods, wrong = find_periods(raw), misnamed(raw)
    if not periods and not wrong:
        raise UsageError(f"no exports named <name>_<yyyy-yy>_<Qn>.<tsv|txt|csv|xlsx> in {display_path(raw)}")
    on_start(len(periods) + len(wrong))
    outcome = Outcome()
    for path, reason in wrong:  # named, and left out; the others go on
        _failed(
            outcome,
            on_event,
            path.name,
            f"not read: its name gives no period ({reason}); rename it <name>_<yyyy-yy>_<Qn>",
        )
    # the workers' fork server and the kernels' template start now and get ready while the periods are planned
    pool = executor("processes", max_workers=min(jobs, max(len(periods), 1)))
    try:
        planned = _plan(template, periods, outcome, on_event)
        done = run_jobs(planned, pool, force, on_event) if planned else Outcome()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    outcome.rendered += done.rendered
    outcome.cached += done.cached
    outcome.failed += done.failed
    outcome.rendered.sort()
    outcome.cached.sort()
    outcome.failed.sort(key=lambda failure: str(failure[0]))
    return outcome


def _plan(template, periods: dict, outcome: Outcome, on_event) -> list:
    """Each period's job (its inputs read and hashed here, once for the whole batch: they travel to its worker)."""
    from pipeline.run import manifest
    from pipeline.run.jobs import period_job

    planned, code, read = [], manifest.code_digest(), {}
    for period, paths in periods.items():
        if len(paths) > 1:
            _failed(outcome, on_event, period, "more than one export: " + ", ".join(p.name for p in paths))
            continue
        request = template.replace(year=period.year_label, quarter=period.quarter_label, input_path=str(paths[0]))
        try:
            planned.append(period_job(request, code=code, already=read))
        except PipelineError as exc:
            _failed(outcome, on_event, period, str(exc))
    return planned


def _failed(outcome: Outcome, on_event, label, reason: str) -> None:
    outcome.failed.append((label, reason))
    on_event(label, "failed", reason)
