"""The body's and the annex's facts: reasons and actions, the statuses the figures bear out, why indicators
cannot be assessed, how each indicator off track stands, what is set against its target."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.facts.words import (
    coded,
    group_said,
    groups_of,
    groups_word,
    is_off,
    n_of,
    refs_said,
)
from pipeline.figures.statements import fact
from pipeline.schema import ref_label, ref_labels

# --- reasons, actions and checks ---------------------------------------------------------------------------


def _no_action_words(f: dict, params: dict) -> str | None:
    if not f["off"]:
        return None
    if not params.get("commentary"):
        return (
            f"The export carries no commentary, so it gives no reason or action for the "
            f"{n_of(f['off'], 'indicator')} off track."
        )
    if not f["without"]:
        return None
    what = "remedial action" if params.get("remedial") else "reason or action"
    where = [f"{group_said(code, params)} ({n:,})" for code, n in f["groups"]]
    if f["not_given"]:
        where.append(f"no {groups_word(params, 1)} given ({f['not_given']:,})")
    if f["without"] == f["off"]:
        who = "The one indicator off track has" if f["off"] == 1 else f"The {f['off']:,} indicators off track have"
    else:
        who = f"{f['without']:,} of the {f['off']:,} indicators off track " + ("has" if f["without"] == 1 else "have")
    return f"{who} no {what} reported" + (f": {', '.join(where)}." if where else ".")


@fact("no_action", _no_action_words)
def no_action(indicators: pd.DataFrame, params: dict):
    """The indicators off track whose commentary is empty: the remedial action where the export has a column for
    it, else any commentary (``params``: ``remedial``, ``commentary``: whether the export has such columns)."""
    off = is_off(indicators)
    fields = ["remedial"] if params.get("remedial") else ["progress", "remedial"]
    empty = pd.Series(True, index=indicators.index)
    for column in fields:
        if column in indicators:
            empty &= indicators[column].fillna("").astype(str).str.strip() == ""
    without = off & empty if params.get("commentary") else off & False
    groups = groups_of(indicators)
    named = [[code, int((without & (groups == code)).sum())] for code in dict.fromkeys(groups[without]) if code]
    return {
        "off": int(off.sum()),
        "without": int(without.sum()),
        "groups": named,
        "not_given": int((without & (groups == "")).sum()),
    }, ref_labels(indicators[without])


def _disagree_words(f: dict, params: dict) -> str | None:
    if not f["refs"]:
        return None
    n = len(f["refs"])
    return f"{n:,} reported status{'es are' if n != 1 else ' is'} not borne out by the figures: {refs_said(f['refs'])}."


@fact("disagree", _disagree_words)
def disagree(indicators: pd.DataFrame, params: dict):
    """The indicators whose reported status the figures do not bear out."""
    checks = indicators["status_check"].fillna("") if "status_check" in indicators else pd.Series("", indicators.index)
    refs = ref_labels(indicators[checks == "disagrees"])
    return {"refs": refs, "checked": int(checks.isin(["agrees", "disagrees"]).sum())}, refs


def _checked_words(f: dict, params: dict) -> str:
    if not f["with_status"]:
        return "The export gives no status of its own to hold against the figures."
    if not f["checked"]:
        return (
            "No reported status could be held against figures: none of the indicators with a status has a target, "
            "an actual and a direction (higher or lower is better)."
        )
    if not f["disagree"]:
        return f"For each of the {n_of(f['checked'], 'indicator')} with a status and figures, the figures bear the status out."
    return f"The figures bear out {f['checked'] - f['disagree']:,} of the {f['checked']:,} reported statuses they can be held against."


@fact("status_checked", _checked_words)
def status_checked(indicators: pd.DataFrame, params: dict):
    """How many reported statuses the figures could be held against, and how many they do not bear out (a status
    derived from the figures is no reported status)."""
    reported = coded(indicators).notna() & (indicators["status_kind"].fillna("") != "derived")
    checks = indicators["status_check"].fillna("") if "status_check" in indicators else pd.Series("", indicators.index)
    checked = reported & checks.isin(["agrees", "disagrees"])
    return {
        "with_status": int(reported.sum()),
        "checked": int(checked.sum()),
        "disagree": int((checked & (checks == "disagrees")).sum()),
    }, []


def _unassessed_words(f: dict, params: dict) -> str | None:
    if f["assessed"] or not f["no_figures"]:
        return None
    reasons = "; ".join(f"{reason} ({n:,})" for reason, n in f["reasons"])
    return f"{n_of(f['no_figures'], 'indicator')} cannot be assessed against a target" + (
        f"; the commonest reasons: {reasons}." if reasons else "."
    )


@fact("unassessed", _unassessed_words)
def unassessed(indicators: pd.DataFrame, params: dict):
    """Where no indicator has a status: how many cannot be assessed against a target, and the two commonest
    reasons why."""
    from pipeline.figures.measure import missing_reasons

    rest = indicators[indicators["rag"].fillna("") == ""]
    reasons = missing_reasons(indicators) if len(rest) else pd.DataFrame(columns=["reason", "count"])
    return {
        "assessed": int(coded(indicators).notna().sum()),
        "no_figures": len(rest),
        "reasons": [[str(r), int(n)] for r, n in zip(reasons["reason"], reasons["count"])][:2],
    }, []


# --- one indicator: how an indicator off track stands -------------------------------------------------------


def _standing_words(f: dict, params: dict) -> str:
    from pipeline.figures.numbers import number

    status = f["status"] or "Off track"
    if not f["rag"]:
        if f["target"] and f["actual"] and not f["direction"]:
            return f"{status}; its figures are not checked: the export gives no direction (higher or lower is better)."
        lacking = " or ".join(w for w, has in (("target", f["target"]), ("actual", f["actual"])) if not has)
        return f"{status}; no {lacking} to check it against."
    if f["rag"] == "green":
        return f"{status}, though the figures meet the target (green)."
    gap = f["gap"]
    amount = f"{number(gap)} point{'s' if gap != 1 else ''}" if f["unit"] == "%" else number(gap, f["unit"])
    side = "short of" if f["direction"] == "higher" else "over"
    within = ", within tolerance" if f["rag"] == "amber" else ""
    if AGREES.get(f.get("code")) == f["rag"]:
        return f"{status}: {amount} {side} target{within}."
    return f"{status}, though the figures say {f['rag']}: {amount} {side} target{within}."


AGREES = {3: "amber", 4: "red"}  # the RAG each status off track agrees with (slipped; not achieved)


@fact("standing", _standing_words)
def standing(indicators: pd.DataFrame, params: dict):
    """How one indicator stands (``params``: its ``ref`` and ``part``): its status and what its figures say."""
    row = indicators[(indicators["ref"] == params["ref"]) & (indicators["part"].astype("Int64") == params["part"])]
    if row.empty:
        return {"found": False}, []
    r = row.iloc[0]
    has = lambda v: v is not None and not pd.isna(v)  # noqa: E731
    polarity = r.get("polarity", "") if isinstance(r.get("polarity", ""), str) else ""
    variance = r.get("variance")
    return {
        "status": str(r.get("status", "") or ""),
        "code": int(r["status_code"]) if has(r.get("status_code")) else None,
        "rag": str(r.get("rag", "") or ""),
        "target": has(r.get("target")),
        "actual": has(r.get("actual")),
        "direction": polarity if polarity in ("higher", "lower") else "",
        "gap": abs(float(variance)) if has(variance) else 0.0,
        "unit": str(r.get("unit", "") or ""),
    }, [ref_label(r["ref"], r["part"])]


def _charted_words(f: dict, params: dict) -> str | None:
    if f["charted"]:
        return None
    if not f["both"]:
        return "No indicator has both a target and an actual."
    return (
        f"{n_of(f['both'], 'indicator')} {'has' if f['both'] == 1 else 'have'} a target and an actual, but "
        + ("it has" if f["both"] == 1 else "none has")
        + " a direction (higher or lower is better), so none is set against its target."
    )


@fact("charted", _charted_words)
def charted(indicators: pd.DataFrame, params: dict):
    """How many indicators have a target and an actual, and how many of those are set against their target."""
    both = indicators["target"].notna() & indicators["actual"].notna()
    charted_rows = (indicators["rag"].fillna("") != "") & indicators["variance_pct"].notna()
    return {"both": int(both.sum()), "charted": int(charted_rows.sum())}, []
