"""For plans: which milestones fall due in a period, which were due before it, which have no date;
and the budget by year with its year-on-year change."""

from __future__ import annotations

import pandas as pd

from pipeline.period import Period

DUE_IN_PERIOD, PAST_DUE, LATER, UNDATED = "due in the period", "due before the period", "due later", "undated"


def classify(milestones: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Add ``state``: due in the period, due before it (past due: the plan records no completion), due later, undated."""
    frame = milestones.copy()
    start, end = period.start_date.isoformat(), period.end_date.isoformat()
    due = frame["due_date"].fillna("")
    frame["state"] = [
        UNDATED if not d else PAST_DUE if d < start else DUE_IN_PERIOD if d <= end else LATER for d in due
    ]
    return frame


def counts(classified: pd.DataFrame) -> pd.DataFrame:
    """How many milestones in each state, in a fixed order."""
    order = [DUE_IN_PERIOD, PAST_DUE, LATER, UNDATED]
    values = classified["state"].value_counts().reindex(order, fill_value=0)
    return pd.DataFrame({"milestones": order, "count": values.astype(int).tolist()})


def by_priority(classified: pd.DataFrame) -> pd.DataFrame:
    """Milestones per development priority and state, priorities in plan order."""
    order = list(dict.fromkeys(classified["priority"]))
    table = pd.crosstab(classified["priority"], classified["state"]).reindex(
        index=order, columns=[DUE_IN_PERIOD, PAST_DUE, LATER, UNDATED], fill_value=0
    )
    table["Total"] = table.sum(axis=1)
    table.index.name = "priority"
    table.columns.name = None
    return table.astype("int64")


def budget_by_year(budget: pd.DataFrame, table: str = "Medium Term Financial Plan") -> pd.DataFrame:
    """One row per budget line of ``table``, one column per year, in document order."""
    rows = budget[budget["table"] == table]
    years = list(dict.fromkeys(rows["year"]))
    lines = list(dict.fromkeys(rows["line"]))
    pivot = rows.pivot_table(index="line", columns="year", values="amount", aggfunc="sum")
    return pivot.reindex(index=lines, columns=years)


def year_on_year(by_year: pd.DataFrame, line: str) -> pd.DataFrame:
    """A line's amount per year, the change from the year before, and the change in percent."""
    amounts = by_year.loc[line].dropna()
    change = amounts.diff()
    pct = (change / amounts.shift(1).abs() * 100).round(1)
    return pd.DataFrame(
        {
            "year": amounts.index,
            "amount": amounts.astype("int64").tolist(),
            "change": change.tolist(),
            "change_pct": pct.tolist(),
        }
    )
