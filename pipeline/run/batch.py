"""Render every period found in a folder of exports, in parallel, reusing up-to-date periods.

Each period is rendered by ``run.run_period`` in a worker process (``executors``); a period whose
inputs, parameters, notebook, code and locked dependencies are unchanged (its
``manifest.json`` cache key) is taken as it is. Periods do not read each other's
outputs, only each other's exports, so they can render in any order.
"""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline.errors import PipelineError, UsageError
from pipeline.paths import OUTPUTS_DIR, RAW_DIR, display_path
from pipeline.period import Period


@dataclass
class BatchResult:
    rendered: list[Period] = field(default_factory=list)
    cached: list[Period] = field(default_factory=list)
    failed: list[tuple[Period | str, str]] = field(default_factory=list)  # a period, or a file that gives none

    @property
    def ok(self) -> bool:
        return not self.failed


def _one(plan) -> tuple[Period, str, object]:
    """Build one planned period in a worker, writing nothing of the output tree: (period, "built", (files,
    tables)) for the coordinator to publish, or (period, "failed", reason)."""
    from pipeline.run.coordinator import build_period

    try:
        return plan.period, "built", build_period(plan)
    except PipelineError as exc:
        return plan.period, "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken period must not stop the batch; the reason is reported
        return plan.period, "failed", f"internal error: {type(exc).__name__}: {exc}"


def _publish(plan, built, force: bool) -> tuple[str, str]:
    """Publish a period a worker built (the coordinator alone writes): ("rendered" | "cached" | "failed", reason)."""
    from pipeline.run.coordinator import publish_period

    try:
        result = publish_period(plan, *built, force=force)
    except PipelineError as exc:
        return "failed", str(exc)
    return ("rendered" if result.rendered else "cached"), ""


def run_batch(
    raw_dir: str | Path | None = None,
    out_root: str | Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    register_path: str | Path | None = None,
    on_event: Callable[[Period, str, str], None] = lambda period, state, reason: None,
    on_start: Callable[[int], None] = lambda total: None,
    layout_path: str | Path | None = None,
    council: str = "",
    front: dict | None = None,
    bench: dict | None = None,
) -> BatchResult:
    """Render every period with an export in ``raw_dir`` (default ``data/raw/``) into ``out_root``.

    ``jobs`` worker processes (default: the number of cores). ``on_start(total)`` is called once the periods
    are known; ``on_event(period, state, reason)`` as each period changes state: ``queued``, ``running`` (a
    worker has started it), then ``rendered``, ``cached`` or ``failed`` (with the reason). ``layout_path``
    (else ``layout.toml`` in ``raw_dir``) says how the exports are read; ``front`` holds the front page's words
    and ``bench`` the benchmark for every period; ``council`` overrides the layout's
    name. A period with two exports fails with that reason; the others go on.
    Raises UsageError when ``raw_dir`` is not a folder or holds no export, or ``jobs`` is below 1.
    """
    from pipeline.run.discover import find_periods, misnamed

    raw = Path(raw_dir) if raw_dir else RAW_DIR
    out = Path(out_root) if out_root else OUTPUTS_DIR
    if not raw.is_dir():
        raise UsageError(f"{display_path(raw)} is not a folder of exports")
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    periods = find_periods(raw)
    wrong = misnamed(raw)
    if not periods and not wrong:
        raise UsageError(f"no exports named <name>_<yyyy-yy>_<Qn>.<tsv|txt|csv|xlsx> in {display_path(raw)}")
    on_start(len(periods) + len(wrong))
    result = BatchResult()
    for path, reason in wrong:  # named, and left out; the others go on
        why = f"not read: its name gives no period ({reason}); rename it <name>_<yyyy-yy>_<Qn>"
        result.failed.append((path.name, why))
        on_event(path.name, "failed", why)
    work = []
    for period, paths in periods.items():
        if len(paths) > 1:
            reason = "more than one export: " + ", ".join(p.name for p in paths)
            result.failed.append((period, reason))
            on_event(period, "failed", reason)
        else:
            work.append((period, paths[0]))
            on_event(period, "queued", "")
    # Each period's inputs are read and hashed here, once (they travel to its worker with its plan); a period
    # whose folder is up to date is taken as it is, without a worker or any of rendering's imports.
    from pipeline.run.coordinator import plan_period, taken_as_it_is
    from pipeline.run.manifest import code_digest

    plans, code, read = [], code_digest(), {}
    for period, path in work:
        try:
            plan = plan_period(
                period.year_label,
                period.quarter_label,
                path,
                out,
                register_path,
                None,
                layout_path,
                council,
                code,
                already=read,  # an export read for one period is the same bytes, held once, for the next
                front=front,
                bench=bench,
            )
        except PipelineError as exc:
            result.failed.append((period, str(exc)))
            on_event(period, "failed", str(exc))
            continue
        if not force and taken_as_it_is(plan) is not None:
            result.cached.append(period)
            on_event(period, "cached", "")
        else:
            plans.append(plan)
    if plans:
        _render_in_workers(plans, jobs, force, result, on_event)
    result.rendered.sort()
    result.cached.sort()
    result.failed.sort(key=lambda failure: str(failure[0]))
    return result


def _render_in_workers(plans: list, jobs: int, force: bool, result: BatchResult, on_event) -> None:
    """Build the planned periods on the local executor (a process each, warm, dying with this one) and publish
    each here as it comes back: a worker that dies fails its own period with the reason, and the others go on."""
    from pipeline.run.executors import executor

    pool = executor("processes", max_workers=min(jobs, len(plans)))
    try:
        by_period = {plan.period: plan for plan in plans}
        pending = {pool.submit(_one, plan): plan.period for plan in plans}
        running: set = set()
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future, period in pending.items():
                if period not in running and (future.running() or future in done):
                    running.add(period)
                    on_event(period, "running", "")
            for future in done:
                period = pending.pop(future)
                try:
                    period, outcome, reason = future.result()
                except Exception as exc:  # noqa: BLE001 - the worker died: its period fails, the batch goes on
                    outcome, reason = "failed", str(exc) or type(exc).__name__
                if outcome == "built":
                    outcome, reason = _publish(by_period[period], reason, force)
                if outcome == "failed":
                    result.failed.append((period, reason))
                elif outcome == "rendered":
                    result.rendered.append(period)
                else:
                    result.cached.append(period)
                on_event(period, outcome, reason)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
