"""The front page's facts: how many indicators are on and off track, where, which groups are all on track,
the figures furthest from target, what moved since the period before."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.facts.words import (
    ON,
    coded,
    group_said,
    groups_of,
    groups_word,
    is_off,
    is_on,
    listed,
    n_of,
    refs_said,
    totals,
)
from pipeline.figures.measure import percent
from pipeline.figures.statements import fact
from pipeline.schema import ref_labels

# --- the front page: how many are on and off track -----------------------------------------------------


def _share_words(f: dict, params: dict) -> str:
    if not f["assessed"]:
        if f["total"] == 1:
            return "The one indicator has no status to count as on or off track."
        return f"None of the {f['total']:,} indicators has a status to count as on or off track."
    if f["assessed"] == 1:
        return (
            "The one indicator with a status is achieved or on track."
            if f["on"]
            else "The one indicator with a status has slipped or not achieved its target."
        )
    return (
        f"{f['on_pct']} of the {f['assessed']:,} indicators with a status are achieved or on track ({f['on']:,}); "
        f"{f['off_pct']} have slipped or not achieved their target ({f['off']:,})."
    )


@fact("share", _share_words)
def share(indicators: pd.DataFrame, params: dict):
    """How many indicators have a status, and how many of those are on and off track."""
    assessed = int(coded(indicators).notna().sum())
    on, off = int(is_on(indicators).sum()), int(is_off(indicators).sum())
    return {
        "total": len(indicators),
        "assessed": assessed,
        "on": on,
        "off": off,
        "on_pct": percent(on, assessed),
        "off_pct": percent(off, assessed),
    }, []


def _on_words(f: dict, params: dict) -> str:
    if not f["assessed"]:
        return "No indicator has a status to count as achieved or on track."
    if not f["on"]:
        return f"None of the {n_of(f['assessed'], 'indicator')} with a status is achieved or on track."
    return (
        f"{f['on']:,} of the {n_of(f['assessed'], 'indicator')} with a status ({f['on_pct']}) are achieved or on track."
    )


def _off_words(f: dict, params: dict) -> str | None:
    if not f["assessed"]:
        return "No indicator has a status to count as off track."
    if f["off"]:
        return None  # the indicators off track are named by the facts about them
    return f"None of the {n_of(f['assessed'], 'indicator')} with a status has slipped or missed its target."


FACTS_OF_SHARE = ("share_on", "share_off")
fact("share_on", _on_words)(share)
fact("share_off", _off_words)(share)


# --- groups ----------------------------------------------------------------------------------------------


def _complete_words(f: dict, params: dict) -> str | None:
    if not f["groups"]:
        return None
    (code, n), rest = f["groups"][0], f["groups"][1:]
    said = f"All {n:,} indicators with a status in {group_said(code, params)} are achieved or on track"
    return said + "".join(f"; so are all {m:,} in {group_said(c, params)}" for c, m in rest) + "."


@fact("complete_groups", _complete_words)
def complete_groups(indicators: pd.DataFrame, params: dict):
    """The named groups (at most two, the largest first) of three or more indicators with a status, all of them
    achieved or on track."""
    groups, status = groups_of(indicators), coded(indicators)
    found = []
    for code in dict.fromkeys(groups):
        if not code:
            continue
        mine = status[groups == code]
        assessed = int(mine.notna().sum())
        if assessed >= 3 and int(mine.isin(ON).fillna(False).sum()) == assessed:
            found.append([code, assessed])
    found = sorted(found, key=lambda g: -g[1])[:2]
    return {"groups": found}, []


def _where_words(f: dict, params: dict) -> str | None:
    total, named = f["off"], f["groups"]
    if not total:
        return None
    word = groups_word(params, 1)
    if not named:
        return f"None of the {n_of(total, 'indicator')} off track has a {word} given in the export."
    top = named[0][1]
    tied = [g for g in named if g[1] == top]
    where = lambda g: f"{group_said(g[0], params)} ({g[1]:,} of its {g[2]:,} with a status)"  # noqa: E731
    if 2 * top > total:
        said = f"Most indicators off track ({top:,} of {total:,}) are in {where(named[0])}"
    elif len(named) == 1 and top == total:
        said = f"The {n_of(total, 'indicator')} off track {'is' if total == 1 else 'are'} in {where(named[0])}"
    elif len(named) == 1:
        said = f"{top:,} of the {total:,} indicators off track {'is' if top == 1 else 'are'} in {where(named[0])}"
    elif len(tied) == 1:
        said = (
            f"The {total:,} indicators off track are spread over {len(named):,} {groups_word(params)}; "
            f"the most are in {where(named[0])}"
        )
    else:
        said = (
            f"The {total:,} indicators off track are spread over {len(named):,} {groups_word(params)}; the most "
            f"({top:,} each) are in {listed([group_said(g[0], params) for g in tied[:3]], 'in ')}"
            + (f" and {len(tied) - 3:,} more" if len(tied) > 3 else "")
        )
    whole = [g for g in named if g[1] == g[2] and g[2] >= 2 and g[1] != top][:2]
    if whole:
        said += "; every indicator with a status is off track in " + listed(
            [f"{group_said(g[0], params)} ({g[2]:,})" for g in whole]
        )
    if f["not_given"]:
        said += f"; {f['not_given']:,} {'has' if f['not_given'] == 1 else 'have'} no {word} given"
    return said + "."


@fact("where_off_track", _where_words)
def where_off_track(indicators: pd.DataFrame, params: dict):
    """Where the indicators off track are: each named group with any (off track, with a status), most first, ties
    in the export's order; and how many off track have no group given."""
    groups, status, off = groups_of(indicators), coded(indicators), is_off(indicators)
    named = []
    for code in dict.fromkeys(groups[off]):
        if code:
            mine = groups == code
            named.append([code, int((off & mine).sum()), int(status[mine].notna().sum())])
    named = sorted(named, key=lambda g: -g[1])
    return {"off": int(off.sum()), "groups": named, "not_given": int((off & (groups == "")).sum())}, ref_labels(
        indicators[off]
    )


# --- figures against target ---------------------------------------------------------------------------------


def _furthest_words(f: dict, params: dict) -> str | None:
    if not f["rows"]:
        return None
    ahead = params["side"] == "ahead"
    listed_rows = "; ".join(
        f"{label} {' '.join(str(measure).split())}"
        + (f" ({group_said(group, params)})" if group else "")
        + f", {abs(better):.1f}% {'better' if ahead else 'worse'} than target"
        for label, measure, group, better in f["rows"]
    )
    return f"Furthest {'ahead of' if ahead else 'behind'} target: {listed_rows}."


def _named(label: str, measure: str) -> str:
    """An indicator in a sentence: its ref and its name (once, where the ref is its name: a total)."""
    measure = " ".join(str(measure).split())
    return label if measure == label else f"{label} {measure}"


@fact("furthest", _furthest_words)
def furthest(indicators: pd.DataFrame, params: dict):
    """The three indicators furthest ahead of (``side`` "ahead") or behind their target, as a share of the target
    turned so that positive is better; only those with a target, an actual and a direction."""
    from pipeline.figures.measure import better_pct

    rows = indicators[(indicators["rag"].fillna("") != "") & indicators["variance_pct"].notna() & ~totals(indicators)]
    better = [better_pct(float(v), p) for v, p in zip(rows["variance_pct"], rows["polarity"])]
    ranked = rows.assign(_better=better)
    ranked = ranked[ranked["_better"] > 0] if params["side"] == "ahead" else ranked[ranked["_better"] < 0]
    ranked = ranked.sort_values("_better", ascending=params["side"] != "ahead", kind="stable").head(3)
    found = [
        [label, str(m), g, round(float(b), 10)]
        for label, m, g, b in zip(ref_labels(ranked), ranked["measure"], groups_of(ranked), ranked["_better"])
    ]
    return {"rows": found}, [r[0] for r in found]


def _no_direction_words(f: dict, params: dict) -> str | None:
    if not f["refs"]:
        return None
    return (
        f"{n_of(len(f['refs']), 'indicator')} with a target and an actual "
        + ("has" if len(f["refs"]) == 1 else "have")
        + " no direction (the export does not say whether higher or lower is better), so "
        + ("its figures are" if len(f["refs"]) == 1 else "their figures are")
        + f" not called better or worse than target: {refs_said(f['refs'])}."
    )


@fact("no_direction", _no_direction_words)
def no_direction(indicators: pd.DataFrame, params: dict):
    """The indicators with a target and an actual but no direction (higher or lower is better)."""
    both = indicators["target"].notna() & indicators["actual"].notna()
    lost = both & ~indicators["polarity"].fillna("").isin(["higher", "lower"])
    refs = ref_labels(indicators[lost])
    return {"refs": refs}, refs


# --- over time -------------------------------------------------------------------------------------------


def _matched(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators with a status now and in the period before (as ``indicators.csv`` gives the one before)."""
    if "previous_status_code" not in indicators:
        return indicators.iloc[0:0].assign(previous_status_code=pd.array([], dtype="Int64"))
    before = indicators["previous_status_code"].astype("Int64")
    return indicators[coded(indicators).notna() & before.notna()]


def _change_words(up: bool):
    def words(f: dict, params: dict) -> str | None:
        if not f["both"] or not params.get("previous") or (f["change"] > 0) != up or f["change"] == 0:
            return None
        return (
            f"Of the {f['both']:,} indicators with a status both now and in {params['previous']}, {f['now_pct']} are "
            f"achieved or on track, {'up' if up else 'down'} {abs(f['change']):.1f} points from {f['then_pct']}."
        )

    return words


@fact("share_up", _change_words(True))
def share_change(indicators: pd.DataFrame, params: dict):
    """The share achieved or on track now and in the period before, of the indicators with a status in both."""
    from decimal import ROUND_HALF_UP, Decimal

    both = _matched(indicators)
    now = int(is_on(both).sum())
    then = int(both["previous_status_code"].astype("Int64").isin(ON).sum()) if len(both) else 0
    change = 0.0
    if len(both):
        exact = (Decimal(now) - Decimal(then)) * 100 / Decimal(len(both))
        change = float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return {
        "both": len(both),
        "now_pct": percent(now, len(both)),
        "then_pct": percent(then, len(both)),
        "change": change,
    }, []


fact("share_down", _change_words(False))(share_change)


def _moved_words(f: dict, params: dict) -> str | None:
    if not f["refs"] or not params.get("previous"):
        return None
    side = "better" if params["side"] == "better" else "worse"
    return (
        f"{n_of(len(f['refs']), 'indicator')} moved to a {side} status since {params['previous']}: "
        f"{refs_said(f['refs'])}."
    )


@fact("moved", _moved_words)
def moved(indicators: pd.DataFrame, params: dict):
    """The indicators whose status moved since the period before (``side`` "better" or "worse"), the longest
    moves first."""
    both = _matched(indicators)
    step = both["previous_status_code"].astype("Int64") - coded(both)  # > 0: a better status now
    chosen = both[step > 0] if params["side"] == "better" else both[step < 0]
    order = sorted(
        zip(ref_labels(chosen), step[chosen.index]), key=lambda m: -m[1] if params["side"] == "better" else m[1]
    )
    refs = [label for label, _ in order]
    return {"refs": refs}, refs


def _repeat_words(f: dict, params: dict) -> str | None:
    if not f["repeat"] or not params.get("previous"):
        return None
    return (
        f"{f['repeat']:,} of the {n_of(f['off'], 'indicator')} off track "
        + ("was" if f["repeat"] == 1 else "were")
        + " off track in the period before too."
    )


@fact("repeat", _repeat_words)
def repeat(indicators: pd.DataFrame, params: dict):
    """How many of the indicators off track were off track in the period before too."""
    off = is_off(indicators)
    periods = indicators["off_track_periods"] if "off_track_periods" in indicators else pd.Series(0, indicators.index)
    again = off & (periods.astype("Int64").fillna(0) >= 2)
    return {"repeat": int(again.sum()), "off": int(off.sum())}, ref_labels(indicators[again])
