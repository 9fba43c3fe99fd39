"""The Service Improvement Plan pipeline: plans exported from PDF -> dated milestones and the budget table,
set against a reporting period.

    read.py        the plan's two layouts -> milestones (with group headings)
    budget.py      the Medium Term Financial Plan's table -> amounts by line and year, totals checked
    dates.py       "By when" text -> the last day it allows
    milestones.py  milestones against a period (due, past due, later, undated); budget by year

It shares the pipeline's vocabulary (``schema``, ``period``) and its publishing and rendering; it does
not depend on the Council Plan stages.
"""

from pipeline.read.plans.read import (
    BUDGET_COLUMNS,
    MILESTONE_COLUMNS,
    CleanedPlan,
    clean_plan,
    looks_like_plan,
    plan_name,
    read_budget,
)

__all__ = [
    "BUDGET_COLUMNS",
    "MILESTONE_COLUMNS",
    "CleanedPlan",
    "clean_plan",
    "looks_like_plan",
    "plan_name",
    "read_budget",
]
