"""The SPC's fact, computed from ``spc.csv``: how many indicators charted with limits show special-cause concern or
improvement at their latest point, and the most serious concern (the latest point furthest from its mean, in
sigma); under "Needs attention" when there is a concern, under "Going well" when there are improvements alone."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.facts.words import listed, n_of
from pipeline.figures.statements import fact

SPC = "spc.csv"
SHOWN = 3  # improvements named before "and N more"


def latest(spc_frame: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's latest point (its last row)."""
    return spc_frame.groupby("ref", sort=False).tail(1) if len(spc_frame) else spc_frame


def _words(f: dict, params: dict) -> str | None:
    if not f["charted"]:
        return None
    side = params.get("side")
    if (side == "attention" and not f["concern"]) or (side == "well" and (f["concern"] or not f["improvement"])):
        return None
    names = params.get("names") or {}
    named = lambda ref: f"{ref} {names[ref]}" if names.get(ref) else ref  # noqa: E731
    of = f"Of the {n_of(f['charted'], 'indicator')} with enough history for SPC limits"
    if side == "attention":
        worst = f["worst"]
        more = (
            f"; {f['improvement']:,} show{'s' if f['improvement'] == 1 else ''} special-cause improvement"
            if f["improvement"]
            else ""
        )
        return (
            f"{of}, {f['concern']:,} show{'s' if f['concern'] == 1 else ''} special-cause concern at the latest point"
            f"{more}. The most serious is {named(worst['ref'])}, {worst['sigma']} sigma {worst['way']} its mean "
            f"({worst['rule']})."
        )
    shown = [named(r) for r in f["improvements"][:SHOWN]]
    rest = len(f["improvements"]) - len(shown)
    return (
        f"{of}, {f['improvement']:,} show{'s' if f['improvement'] == 1 else ''} special-cause improvement at the "
        f"latest point and none concern: {listed(shown + ([f'{rest:,} more'] if rest else []))}."
    )


@fact("spc", _words, SPC)
def spc(spc_frame: pd.DataFrame, params: dict):
    """How many indicators have a chart with limits; how many show special-cause concern and improvement at their
    latest point; the improvements; and the most serious concern, with its rule and how many sigma its latest point
    lies from its mean (one decimal)."""
    last = latest(spc_frame)
    if last.empty:
        return {"charted": 0, "concern": 0, "improvement": 0, "improvements": [], "worst": None}, []
    charted = last[pd.to_numeric(last["upper_limit"], errors="coerce").notna()]
    variation = charted["variation"].astype(str)
    concern = charted[variation.str.startswith("concern")]
    improving = charted[variation.str.startswith("improvement")]
    worst = None
    if len(concern):
        sigma = (concern["value"].astype(float) - concern["mean"].astype(float)).abs() / (
            (concern["upper_limit"].astype(float) - concern["mean"].astype(float)) / 3
        )
        at = sigma.to_numpy().argmax()
        row = concern.iloc[at]
        way = "above" if float(row["value"]) > float(row["mean"]) else "below"
        worst = {"ref": row["ref"], "rule": row["rule"], "sigma": f"{float(sigma.iloc[at]):.1f}", "way": way}
    refs = list(concern["ref"]) + list(improving["ref"])
    return {
        "charted": len(charted),
        "concern": len(concern),
        "improvement": len(improving),
        "improvements": list(improving["ref"]),
        "worst": worst,
    }, refs


def spc_from_csv(data: bytes) -> pd.DataFrame:
    """``spc.csv`` read back as the fact reads it: figures as floats, text as text."""
    import io

    from pipeline.figures.statements import unneutralised

    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    for column in ("value", "mean", "lower_limit", "upper_limit"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype(float)
    for column in ("ref", "period", "special_cause", "rule", "variation", "assurance"):
        frame[column] = [unneutralised(v) for v in frame[column]]
    return frame
