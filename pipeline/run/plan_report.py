"""A Service Improvement Plan's milestone report's data: the plan read from its bytes and set against a period;
what the milestone notebook is handed (``PlanData``) and the tables published beside the report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import InputError
from pipeline.period import Period
from pipeline.run import publish
from pipeline.run.snapshot import Input

if TYPE_CHECKING:
    import pandas as pd


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


def prepare_plan(plan: Input, period: Period) -> PlanData:
    """A plan's milestones and budget from its bytes, set against ``period``. Raises InputError when the text is
    not a Service Improvement Plan."""
    from pipeline.figures import milestones
    from pipeline.read import ingest, plans
    from pipeline.run.snapshot import named_as_given

    with named_as_given([plan]):
        text = ingest.decode_text(plan.data, plan.name)
        if not plans.looks_like_plan(text):
            raise InputError(
                "is not a Service Improvement Plan (no 'Development Priority' and 'By when' found)", plan.name
            )
        cleaned = plans.clean_plan(text, plan.name)
    return PlanData(
        period,
        plan.name,
        hashlib.sha256(plan.data).hexdigest(),
        cleaned.plan,
        milestones.classify(cleaned.milestones, period),
        cleaned.budget,
        cleaned.findings,
    )


def plan_tables(plan) -> dict[str, bytes]:
    """A plan's milestones, findings and (when it has one) budget as the CSV files the pipeline publishes."""
    files = {"milestones.csv": publish.csv_bytes(plan.milestones), "data_quality.csv": publish.csv_bytes(plan.findings)}
    if not plan.budget.empty:
        files["budget.csv"] = publish.csv_bytes(plan.budget)
    return files


def load_plan(request) -> PlanData:
    """What the milestone notebook calls (``request``: its ``request.MilestonesRequest``): the plan's milestones
    classified for the period, and its budget. Executed by ``run_plan``, the notebook is handed what the run
    prepared; run by hand, it reads the plan."""
    from pipeline.run.handover import handed_over
    from pipeline.run.snapshot import read_input, resolve

    period = Period.parse(request.year, request.quarter)
    given = handed_over("plan", {"year": period.year_label, "quarter": period.quarter_label})
    if given is not None:
        return given
    return prepare_plan(read_input(resolve(request.plan_path)), period)
