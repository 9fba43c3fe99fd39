"""The front page's table: the counts on and off track this period, the period before and the same period a year
earlier. Frames in, frames and plain values out, no I/O and no prose (the sentences are the statements')."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.measure import OFF_TRACK_CODES, ON_TRACK_CODES

ROWS = ("Achieved or on track", "Slipped or not achieved", "Not assessed", "All indicators")


def counts(indicators: pd.DataFrame | None) -> list[int] | None:
    """[on track, off track, not assessed, all] of one period's indicators (None when the period was not read)."""
    if indicators is None:
        return None
    codes = indicators["status_code"]
    on = int(codes.isin(ON_TRACK_CODES).fillna(False).sum())
    off = int(codes.isin(OFF_TRACK_CODES).fillna(False).sum())
    return [on, off, len(indicators) - on - off, len(indicators)]


def over_time(current: pd.DataFrame, periods: dict) -> pd.DataFrame:
    """The counts of ``current`` and of each earlier period in ``periods`` (label -> indicators, or None when
    its export was not read), one column each, with the share of the assessed in ``<label> %`` (empty when
    none was assessed). Rows: ``ROWS``."""
    frame = pd.DataFrame({"measure": ROWS})
    for label, rows in ({"This period": current} | periods).items():
        got = counts(rows)
        if got is None:
            continue
        assessed = got[0] + got[1]
        frame[label] = got
        frame[f"{label} %"] = [100 * n / assessed if assessed and i < 2 else None for i, n in enumerate(got)]
    return frame


def front_facts(
    indicators: pd.DataFrame,
    previous=None,
    previous_indicators: pd.DataFrame | None = None,
    year_ago=None,
    year_ago_indicators: pd.DataFrame | None = None,
) -> dict:
    """The front page's table: ``over_time`` (the counts now, the period before and a year before, where read),
    ``not_read`` (which of those were not) and ``previous`` (the period before, or None). Its sentences are the
    report's statements (``facts.period``)."""
    periods, not_read = {}, []
    if previous is not None and previous_indicators is not None:
        periods[f"Previous quarter ({previous})"] = previous_indicators
    else:
        not_read.append("the previous quarter's figures")
    if year_ago is not None and year_ago_indicators is not None:
        periods[f"A year before ({year_ago})"] = year_ago_indicators
    else:
        not_read.append("the same quarter's a year before")
    return {
        "over_time": over_time(indicators, periods),
        "not_read": not_read,
        "previous": previous,
    }
