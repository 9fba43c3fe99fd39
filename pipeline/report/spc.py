"""Is the change real? The report's statistical process control: the variation and assurance icons beside each
indicator, an SPC chart for every indicator off track or with special cause, small multiples of the rest in the
annex, each with its text alternative and its figures beside it; and what to do where there is no history.

The icons are Making Data Count's, as a shape and words (colour a third cue): variation ``≈`` common cause, ``▲``
or ``▼`` special cause high or low, in blue for an improvement, orange for a concern, purple where the measure
has no better direction; assurance ``✓`` the target is met at every point the process gives (pass), ``✗`` it is
missed at every one (fail), ``?`` hit or miss.
"""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Badge, Figure, Items, Para, number
from pipeline.report.pieces import Piece, paragraph

BODY_CHARTS = 3  # charts of one indicator each in the body (a page at most); the rest are small multiples in the annex
ANNEX_CHARTS = 96  # indicators drawn as small multiples in the annex (spc.csv holds every chart)
VARIATION = {
    "common cause": ("common", "\u2248", "common cause"),
    "improvement high": ("improvement", "\u25b2", "improvement, high"),
    "improvement low": ("improvement", "\u25bc", "improvement, low"),
    "concern high": ("concern", "\u25b2", "concern, high"),
    "concern low": ("concern", "\u25bc", "concern, low"),
    "neither high": ("neither", "\u25b2", "special cause, high"),
    "neither low": ("neither", "\u25bc", "special cause, low"),
}
ASSURANCE = {
    "pass": ("pass", "\u2713", "target met at every point (pass)"),
    "fail": ("fail", "\u2717", "target missed at every point (fail)"),
    "hit or miss": ("hitmiss", "?", "target hit or miss"),
}
READING = (
    ("\u2248 common cause: the latest figure is within the usual variation; no change to explain.",),
    ("\u25b2 \u25bc improvement (blue) or concern (orange): the latest figure is special cause, high or low; a real "
     "change worth asking about.",),
    ("\u25b2 \u25bc in purple: special cause where the measure has no better direction.",),
    ("\u2713 pass or \u2717 fail: the target lies outside the process limits, so the process will meet it every "
     "time, or miss it every time, unless something changes.",),
    ("? hit or miss: the target lies within the limits; it will be met some times and missed others.",),
)  # fmt: skip


def latest_of(spc_frame: pd.DataFrame | None) -> pd.DataFrame:
    """Each indicator's latest row of ``spc.csv``, with how many points its chart has (``points``)."""
    if spc_frame is None or spc_frame.empty:
        return pd.DataFrame(columns=["ref", "points"])
    counts = spc_frame.groupby("ref", sort=False).size()
    last = spc_frame.groupby("ref", sort=False).tail(1).set_index("ref")
    return last.assign(points=counts)


def icons(spc_frame: pd.DataFrame | None, charted_only: bool = False) -> dict:
    """ref -> the indicator's icons as inline content (its variation and assurance badges, or how many points it
    has when there are too few for limits). ``charted_only``: only the indicators with limits (the exception table
    says nothing of the others; Annex C and the SPC annex do)."""
    out = {}
    for ref, row in latest_of(spc_frame).iterrows():
        if row.get("variation") or not charted_only:
            out[ref] = icon_content(row)
    return out


def icon_content(row) -> tuple:
    """One indicator's icons from its latest row of ``spc.csv``."""
    if not row.get("variation"):
        n = int(row["points"])
        return (f"{n:,} point{'s' if n != 1 else ''}: too few for SPC limits",)
    kind, mark, words = VARIATION[row["variation"]]
    out: tuple = (Badge("spc", kind, mark, words),)
    if row.get("assurance"):
        kind, mark, words = ASSURANCE[row["assurance"]]
        out += ("\n", Badge("spc", kind, mark, words))
    return out


def _named(indicators: pd.DataFrame) -> dict:
    from pipeline.schema import ref_label

    return {ref_label(r, p): m for r, p, m in zip(indicators["ref"], indicators["part"], indicators["measure"])}


def _targets(indicators: pd.DataFrame) -> dict:
    """Each indicator's target this period (the line its chart draws), where it has one."""
    from pipeline.schema import ref_label

    return {
        ref_label(r, p): t
        for r, p, t in zip(indicators["ref"], indicators["part"], indicators["target"])
        if not pd.isna(t)
    }


def is_the_change_real(spc_frame: pd.DataFrame | None, indicators: pd.DataFrame, statements=None) -> Piece:
    """The section: how to read the icons, how many indicators have a chart, the SPC's statement, and one chart for
    every indicator off track or with special cause that has at least two points (the first ``BODY_CHARTS``)."""
    if spc_frame is None or spc_frame.empty:
        return paragraph("No indicator has an actual to chart, so there is no statistical process control.")
    latest = latest_of(spc_frame)
    limits = int(latest["upper_limit"].notna().sum())
    runs = int(((latest["points"] >= 2) & latest["upper_limit"].isna()).sum())
    single = int((latest["points"] < 2).sum())
    blocks = [Para((_counts(limits, runs, single),))]
    if limits:  # the icons appear beside indicators only where there are limits
        blocks += [Para(("How to read the icons beside each indicator:",), "lead-in"), Items(READING)]
    said = [s for s in (statements.made if statements is not None else []) if s.fact == "spc"]
    blocks += [Para((s.sentence,)) for s in said]
    if limits + runs == 0:
        blocks.append(Para(("No earlier period's figures were read for any indicator (the files of earlier periods "
                            "of the same body, earlier years' columns in this one, or a comparison dataset), so no "
                            "change can be told from the usual variation yet.",), "note"))  # fmt: skip
        return Piece(tuple(blocks))
    chosen = charted(spc_frame, indicators)
    if not limits:  # run charts only: no special cause can be told yet, so the body draws none
        blocks.append(Para(("No indicator has enough points for process limits yet, so no change can be told from "
                            "the usual variation and none is charted here; Annex C draws the run chart of every "
                            "indicator with two or more points.",), "note"))  # fmt: skip
        return Piece(tuple(blocks))
    names, targets = _named(indicators), _targets(indicators)
    filenames = []
    for ref in chosen[:BODY_CHARTS]:
        figure, filename = _chart(ref, spc_frame[spc_frame["ref"] == ref], names.get(ref, ""), targets.get(ref))
        blocks.append(figure)
        filenames.append(filename)
    if len(chosen) > BODY_CHARTS:
        blocks.append(Para((f"The first {BODY_CHARTS} of the {len(chosen):,} indicators off track or with special "
                            "cause are charted here; Annex C draws the rest.",), "note"))  # fmt: skip
    elif not chosen:
        blocks.append(Para(("No indicator is off track or shows special cause with two or more points, so none is "
                            "charted here; Annex C draws every indicator's history.",), "note"))  # fmt: skip
    return Piece(tuple(blocks), meta={"chart_files": filenames} if filenames else None)


def _counts(limits: int, runs: int, single: int) -> str:
    parts = [f"{limits:,} with enough points (13 unless the register or layout sets another number) have an XmR "
             "chart with process limits"]  # fmt: skip
    if runs:
        parts.append(f"{runs:,} with fewer, but two or more, are run charts (the mean, no limits or icons)")
    if single:
        parts.append(f"{single:,} have one point only (no chart)")
    return (
        "Statistical process control asks whether a change is more than the usual variation (Making Data Count's "
        "XmR charts: the mean, process limits at the mean ± 2.66 × the mean moving range, and four special cause "
        "rules). Of the indicators, " + "; ".join(parts) + "."
    )


def charted(spc_frame: pd.DataFrame, indicators: pd.DataFrame) -> list:
    """The indicators off track, or special cause at any point, with at least two points: those whose latest point
    is a special-cause concern first, then the others off track, then the rest, each in the export's order (the
    body charts the first ``BODY_CHARTS``)."""
    from pipeline.schema import ref_label, ref_labels

    counts = spc_frame.groupby("ref", sort=False).size()
    special = set(spc_frame.loc[spc_frame["special_cause"].fillna("") != "", "ref"])
    off = {ref_label(r, p) for r, p, c in zip(indicators["ref"], indicators["part"], indicators["status_code"])
           if not pd.isna(c) and int(c) in (3, 4)}  # fmt: skip
    order = ref_labels(indicators)
    concern = set(latest_of(spc_frame).query("special_cause == 'concern'").index)
    chosen = [ref for ref in order if counts.get(ref, 0) >= 2 and (ref in special or ref in off)]
    return sorted(chosen, key=lambda ref: (ref not in concern, ref not in off))


def _chart(ref: str, points: pd.DataFrame, name: str, target) -> tuple[Figure, str]:
    from pipeline.paths import safe_folder
    from pipeline.report.spc_charts import spc_chart

    title = f"{ref} {name}".strip()
    svg = spc_chart(points, title, target)
    return Figure(
        svg, alt_text(ref, name, points), caption(ref, name, points)
    ), f"spc_{safe_folder(ref, 'indicator')}.svg"


def alt_text(ref: str, name: str, points: pd.DataFrame) -> str:
    """A chart's text alternative: what it shows, in figures."""
    last = points.iloc[-1]
    special = points[points["special_cause"].fillna("") != ""]
    said = (
        f"SPC chart of {ref} {name}: {len(points):,} points, {points['period'].iloc[0]} to {last['period']}; "
        f"mean {number(last['mean'])}"
    )
    if not pd.isna(last["upper_limit"]):
        said += f", process limits {number(last['lower_limit'])} to {number(last['upper_limit'])}"
    said += f"; latest {number(last['value'])}"
    if len(special):
        said += f"; special cause at {len(special):,} points: " + ", ".join(
            f"{p} {k}" for p, k in zip(special["period"], special["special_cause"])
        )
    return said + "."


def caption(ref: str, name: str, points: pd.DataFrame) -> str:
    """A chart's caption: its latest figures and icons in words; the figures of every point are in spc.csv."""
    last = points.iloc[-1]
    if pd.isna(last["upper_limit"]):
        body = f"a run chart of {len(points):,} points (too few for process limits); mean {number(last['mean'])}"
    else:
        body = (
            f"latest {number(last['value'])} against a mean of {number(last['mean'])} and process limits of "
            f"{number(last['lower_limit'])} to {number(last['upper_limit'])}; variation: {last['variation']}"
            + (f"; assurance: {last['assurance']}" if last.get("assurance") else "")
        )
    return f"{ref} {name}: {body}. Every point's figures are in spc.csv."


def history_annex(spc_frame: pd.DataFrame | None, indicators: pd.DataFrame) -> Piece:
    """Small multiples of every indicator with two or more points that the body does not chart (at most
    ``ANNEX_CHARTS``), twelve to a figure, each figure with its text alternative."""
    from pipeline.report.spc_charts import PER_FIGURE, small_multiples
    from pipeline.schema import ref_labels

    if spc_frame is None or spc_frame.empty:
        return paragraph("No indicator has a history to draw.")
    latest = latest_of(spc_frame)
    body = set(charted(spc_frame, indicators)[:BODY_CHARTS]) if latest["upper_limit"].notna().any() else set()
    counts = spc_frame.groupby("ref", sort=False).size()
    order = ref_labels(indicators)
    rest = [r for r in order if counts.get(r, 0) >= 2 and r not in body]
    if not rest:
        return paragraph("Every indicator with a history of two or more points is charted in the body.")
    names, targets = _named(indicators), _targets(indicators)
    blocks, filenames = [], []
    for start in range(0, min(len(rest), ANNEX_CHARTS), PER_FIGURE):
        part = rest[start : start + PER_FIGURE]
        series = [(f"{r} {names.get(r, '')}".strip(), spc_frame[spc_frame["ref"] == r].reset_index(drop=True),
                   targets.get(r)) for r in part]  # fmt: skip
        title = f"Every indicator's history, {start + 1} to {start + len(part)} of {len(rest):,}"
        svg = small_multiples(series, title)
        alt = " ".join(alt_text(r, names.get(r, ""), spc_frame[spc_frame["ref"] == r]) for r in part)
        blocks.append(Figure(svg, alt, f"{title}: each indicator's points, mean and any process limits, as in the "
                                       "body's charts; the figures are in spc.csv."))  # fmt: skip
        filenames.append(f"spc_history_{start // PER_FIGURE + 1}.svg")
    if len(rest) > ANNEX_CHARTS:
        blocks.append(
            Para((f"The first {ANNEX_CHARTS} of the {len(rest):,} are drawn; spc.csv holds every chart.",), "note")
        )
    return Piece(tuple(blocks), meta={"chart_files": filenames})
