"""Stage 4b, headlines: the facts a front page is written from — the counts on and off track this period, the
period before and the same period a year earlier; what is going well and what most needs attention, each
naming its service. Stage functions: frames in, frames and plain values out, no I/O and no prose."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.measure import OFF_TRACK_CODES, ON_TRACK_CODES, better_pct

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


def by_service(indicators: pd.DataFrame) -> pd.DataFrame:
    """Per directorate: indicators, assessed, on track, off track, off track with no remedial action, in the
    order the export lists them."""
    from pipeline.figures.measure import group_order

    rows = []
    for code in group_order(indicators["directorate"]):
        group = indicators[indicators["directorate"] == code]
        status = group["status_code"]
        off = status.isin(OFF_TRACK_CODES).fillna(False)
        rows.append(
            {
                "directorate": code,
                "indicators": len(group),
                "assessed": int(status.notna().sum()),
                "on": int(status.isin(ON_TRACK_CODES).fillna(False).sum()),
                "off": int(off.sum()),
                "off_without_action": int((off & (group["remedial"].str.strip() == "")).sum()),
            }
        )
    return pd.DataFrame(
        rows, columns=["directorate", "indicators", "assessed", "on", "off", "off_without_action"]
    ).astype({"indicators": int, "assessed": int, "on": int, "off": int, "off_without_action": int})


def furthest(indicators: pd.DataFrame, ahead: bool, n: int = 3) -> pd.DataFrame:
    """The ``n`` assessed indicators furthest ahead of (``ahead``) or behind their target, as a share of the
    target turned so that positive is better (``better_pct``), with ref, measure, directorate, in that order."""
    rows = indicators[(indicators["rag"] != "") & indicators["variance_pct"].notna()].copy()
    if rows.empty:
        return rows.assign(better_pct=pd.Series(dtype=float))
    rows["better_pct"] = [better_pct(float(v), p) for v, p in zip(rows["variance_pct"], rows["polarity"])]
    rows = rows[rows["better_pct"] > 0] if ahead else rows[rows["better_pct"] < 0]
    return rows.sort_values("better_pct", ascending=not ahead, kind="stable").head(n)


def front_facts(
    indicators: pd.DataFrame,
    previous=None,
    previous_indicators: pd.DataFrame | None = None,
    year_ago=None,
    year_ago_indicators: pd.DataFrame | None = None,
) -> dict:
    """Everything the front page is written from: ``over_time`` (the counts now, the period before and a year
    before, where read), ``not_read`` (which of those were not), ``services`` (``by_service``), ``ahead`` and
    ``behind`` (``furthest``), ``key`` (``measure.key_facts``) and ``previous`` (the period before, or None)."""
    from pipeline.figures.measure import key_facts

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
        "services": by_service(indicators),
        "ahead": furthest(indicators, ahead=True),
        "behind": furthest(indicators, ahead=False),
        "key": key_facts(indicators, previous_indicators),
        "previous": previous,
    }
