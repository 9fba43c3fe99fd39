"""The figures a committee reads, computed from the tidy indicators.

Only statuses 1-4 are counted in the percentages; free-text and blank statuses
are counted apart and shown as "not assessed". Percentages are rounded half up
to one decimal place, as a person checking them by hand would round.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.schema import PLAIN_SCALE, findings_frame, ref_label  # noqa: F401  (ref_label: part of measure's API)

ON_TRACK_CODES = (1, 2)
OFF_TRACK_CODES = (3, 4)
NOT_ASSESSED = "Not assessed"
NOT_GIVEN = "(not given)"  # a group the export gives none for: never a name, never a count of groups


def percent(numerator: int, denominator: int, places: int = 1) -> str:
    """``numerator / denominator`` as a percentage string rounded half up, e.g. ``"82.7%"``; "" when the denominator is 0."""
    if not denominator:
        return ""
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return f"{value}%"


def _coded(indicators: pd.DataFrame) -> pd.Series:
    return indicators["status_code"].dropna().astype(int)


def codes_named(codes: tuple[int, ...], labels: dict | None = None) -> str:
    """How the headline names a group of statuses: ``status 1 or 2`` on a numbered scale (``Scale.numbered``),
    else the organisation's own words for those codes (``Green``; ``Amber or Red``)."""
    labels = PLAIN_SCALE if labels is None else labels
    if getattr(labels, "numbered", False):
        return "status " + " or ".join(str(c) for c in codes)
    return " or ".join(labels[c] for c in codes if c in labels) or "none of its statuses"


def headline(indicators: pd.DataFrame, labels: dict | None = None) -> pd.DataFrame:
    """The headline summary: achieved-or-on-track and slipped-or-not-achieved, with counts apart.

    ``labels`` (the organisation's ``Scale``: code -> its words) names the statuses; plain words by default.
    Returns rows ``measure``, ``count``, ``percent`` (percent of indicators with status 1-4).
    """
    coded = _coded(indicators)
    assessed = len(coded)
    on = int(coded.isin(ON_TRACK_CODES).sum())
    off = int(coded.isin(OFF_TRACK_CODES).sum())
    kinds = indicators["status_kind"]
    labels = PLAIN_SCALE if labels is None else labels
    every = (
        f"status {min(labels)} to {max(labels)}"
        if getattr(labels, "numbered", False) and labels
        else "a status of " + ", ".join(labels.values())
    )
    rows = [
        (f"Achieved or on track ({codes_named(ON_TRACK_CODES, labels)})", on, percent(on, assessed)),
        (f"Slipped or not achieved ({codes_named(OFF_TRACK_CODES, labels)})", off, percent(off, assessed)),
        (f"Assessed: {every}", assessed, percent(assessed, assessed)),
        ("Not assessed: status given as text", int((kinds == "text").sum()), ""),
        ("Not assessed: no status given", int((kinds == "blank").sum()), ""),
        ("All indicators", len(indicators), ""),
    ]
    return pd.DataFrame(rows, columns=["measure", "count", "percent"])


def status_counts(indicators: pd.DataFrame, labels: dict | None = None) -> pd.DataFrame:
    """Count by status: one row per status word of the organisation's scale (``labels``: a meaning with two words
    gives two rows; percent of assessed; the plain words of the meanings by default), then one per status counted
    apart (text, blank)."""
    labels = PLAIN_SCALE if labels is None else labels  # {}: a scale with no status words
    coded = _coded(indicators)
    assessed = len(coded)
    rows = []
    for code, label in labels.items():
        words = getattr(labels, "words", {}).get(code) or [label]
        if len(words) == 1:  # one word for the meaning: every indicator of the code is counted under it
            rows.append((code, label, int((coded == code).sum()), percent(int((coded == code).sum()), assessed)))
            continue
        said = indicators.loc[indicators["status_code"] == code, "status"].map(
            lambda w: " ".join(str(w).split()).lower()
        )
        for word in words:  # each of the organisation's words a line of its own, never merged
            n = int((said == " ".join(word.split()).lower()).sum())
            rows.append((code, word, n, percent(n, assessed)))
    apart = indicators[indicators["status_code"].isna()]
    for status, group in apart.groupby("status", sort=False):
        said = str(status).strip()
        # "Not assessed: Data only" names the export's own word; with no word there is nothing to add
        rows.append(
            (pd.NA, f"{NOT_ASSESSED}: {said}" if said and said != NOT_ASSESSED else NOT_ASSESSED, len(group), "")
        )
    frame = pd.DataFrame(rows, columns=["status_code", "status", "count", "percent"])
    frame["status_code"] = frame["status_code"].astype("Int64")
    return frame


def status_by(indicators: pd.DataFrame, by: str, labels: dict | None = None) -> pd.DataFrame:
    """Cross-tabulate status against ``by`` (``theme`` or ``directorate``).

    Groups keep the order in which they first appear in the export. Columns are the status labels
    (``labels``, the plain words of the scale by default), ``Not assessed`` and ``Total``; the index is named ``by``.
    """
    labels = PLAIN_SCALE if labels is None else labels  # {}: a scale with no status words
    keys = indicators[by].replace("", NOT_GIVEN)
    order = group_order(keys)
    columns = list(labels.values()) + [NOT_ASSESSED]
    named = indicators["status_code"].map(lambda c: NOT_ASSESSED if pd.isna(c) else labels[int(c)])
    table = pd.crosstab(keys, named).reindex(index=order, columns=columns, fill_value=0)
    table["Total"] = table.sum(axis=1)
    table.index.name = by
    table.columns.name = None
    return table.astype("int64")


_NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*)(?!\d)")


def group_order(labels) -> list:
    """The groups (themes, directorates) in the order a reader expects: as they first appear in the export;
    but when every group's name starts with a number (``1``, ``2.3 Housing``, ``10``) by those numbers, so that
    an export listed as text (1, 10, 11, 2) reads 1, 2, 10, 11."""
    order = list(dict.fromkeys(labels))
    numbers = [_NUMBERED.match(str(label)) for label in order]
    if order and all(numbers):
        keys = [tuple(int(part) for part in m.group(1).split(".")) for m in numbers]
        order = [label for _, label in sorted(zip(keys, order), key=lambda pair: pair[0])]
    return order


def in_group_order(frame: pd.DataFrame, by: str) -> list:
    """``frame`` grouped by ``by``, as (name, rows) pairs in ``group_order``."""
    groups = dict(list(frame.groupby(by, sort=False)))
    return [(name, groups[name]) for name in group_order(frame[by])]


def better_pct(variance_pct: float, polarity: str) -> float:
    """Variance as % of target, signed so that positive is always better (flipped when lower is better)."""
    return (variance_pct if polarity == "higher" else -variance_pct) + 0.0  # + 0.0 turns -0.0 into 0.0


def most_off_track(table: pd.DataFrame, n: int, labels: dict | None = None) -> pd.DataFrame:
    """The ``n`` rows of ``status_by``'s table with the most indicators off track (then the most indicators,
    then the table's order), most first; the whole table, in its order, when it has ``n`` rows or fewer."""
    if len(table) <= n:
        return table
    labels = PLAIN_SCALE if labels is None else labels  # {}: a scale with no status words
    # the organisation's scale may have no word for one of the off-track codes (met / not met has no "slipped")
    off = table[[labels[c] for c in OFF_TRACK_CODES if c in labels and labels[c] in table.columns]].sum(axis=1)
    order = sorted(range(len(table)), key=lambda i: (-int(off.iloc[i]), -int(table["Total"].iloc[i]), i))
    return table.iloc[order[:n]]


def exceptions(indicators: pd.DataFrame) -> pd.DataFrame:
    """Every slipped (3) or not achieved (4) indicator, in export order, with its progress and remedial text."""
    mask = indicators["status_code"].isin(OFF_TRACK_CODES).fillna(False).astype(bool)
    cols = [
        "ref",
        "part",
        "theme",
        "measure",
        "directorate",
        "status_code",
        "status",
        "progress",
        "remedial",
        "source_line",
    ]
    cols += [
        c
        for c in (
            "target",
            "actual",
            "unit",
            "variance",
            "rag",
            "off_track_periods",
            "off_track_at_least",
            "baseline",
            "previous_actual",
            "direction",
            "direction_basis",
            "polarity",
            "variance_pct",
            "figures_note",
            "status_check",
            "tolerance_pct",
            "target_text",
        )
        if c in indicators.columns
    ]
    return indicators.loc[mask, cols].reset_index(drop=True)


def finding_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """How many findings of each kind, in the order the kinds first appear."""
    counts = findings.groupby("check", sort=False).size()
    return counts.rename("count").reset_index()


# --- Figures: variance, RAG, the check of the reported status, direction ----------------------

DEFAULT_TOLERANCE_PCT = 5.0
ASSESSMENT_COLUMNS = [
    "variance",
    "variance_pct",
    "rag",
    "status_check",
    "status_check_note",
    "direction_vs_baseline",
    "direction",
    "direction_basis",
]


def met_target(actual: float, target: float, polarity: str, comparator: str = "") -> bool:
    """Whether ``actual`` meets ``target``: at or above it when higher is better, at or below when lower.

    A strict comparator from the text ("less than", "<", "to exceed") makes equality a miss.
    """
    if polarity == "higher":
        return actual > target if comparator == "gt" else actual >= target
    return actual < target if comparator == "lt" else actual <= target


def assess(indicators: pd.DataFrame) -> pd.DataFrame:
    """Add ``ASSESSMENT_COLUMNS`` to indicators that carry figures (``figures.read_figures`` columns).

    - ``variance`` = actual - target; ``variance_pct`` = variance / |target| x 100 (empty for a zero target);
    - ``rag``: green when the target is met, amber when missed by no more than the tolerance
      (``tolerance_pct`` of the target, default 5%), red beyond; empty without target, actual and polarity;
    - ``status_check``: ``agrees`` / ``disagrees`` / empty, the figures held against status 1-4.
      Statuses 1 and 2 agree with a met target, 3 and 4 with a missed one. One judgement rule: status 2
      (On Track) with a figure short of a target that falls due after the period (``due_later``, or an
      academic year not yet over) is left empty, with the reason in ``status_check_note``;
    - ``direction_vs_baseline``: ``improved`` / ``same`` / ``worse`` against the baseline, polarity-aware;
      ``direction`` is the same until ``compare_with_previous`` replaces it with the direction of travel
      since the previous period (``direction_basis`` says which).
    """
    frame = indicators.copy()
    rows = [_assess_row(r) for r in frame.itertuples(index=False)]
    assessed = pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS, index=frame.index)
    for col in ("variance", "variance_pct"):
        assessed[col] = assessed[col].astype("Float64")
    return pd.concat([frame, assessed], axis=1)


def _assess_row(r) -> tuple:
    target, actual, baseline = r.target, r.actual, r.baseline
    has = lambda v: v is not None and not pd.isna(v)  # noqa: E731
    variance = variance_pct = None
    rag = check = note = direction = ""
    if has(target) and has(actual):
        variance = round(float(actual) - float(target), 10)
        variance_pct = round(variance / abs(float(target)) * 100, 10) if float(target) != 0 else None
    if has(target) and has(actual) and r.polarity in ("higher", "lower"):
        met = met_target(float(actual), float(target), r.polarity, r.comparator)
        tolerance = float(r.tolerance_pct) if has(getattr(r, "tolerance_pct", None)) else DEFAULT_TOLERANCE_PCT
        if met:
            rag = "green"
        elif abs(float(actual) - float(target)) <= abs(float(target)) * tolerance / 100:
            rag = "amber"
        else:
            rag = "red"
        code = None if pd.isna(r.status_code) else int(r.status_code)
        interim = bool(r.due_later) or "academic year" in f"{r.measure} {r.progress}".lower()
        if code is not None:
            if met:
                check = "agrees" if code in ON_TRACK_CODES else "disagrees"
            elif code in OFF_TRACK_CODES:
                check = "agrees"
            elif code == 2 and interim:
                note = (
                    "On Track with a figure short of a target that falls due later: "
                    "a judgement the figures cannot check"
                )
            else:
                check = "disagrees"
        if has(baseline):
            if float(actual) == float(baseline):
                direction = "same"
            else:
                better = float(actual) > float(baseline) if r.polarity == "higher" else float(actual) < float(baseline)
                direction = "improved" if better else "worse"
    return variance, variance_pct, rag, check, note, direction, direction, "baseline" if direction else ""


def _better(a: float, b: float, polarity: str) -> str:
    """improved / same / worse for a move from ``b`` to ``a``."""
    if a == b:
        return "same"
    return "improved" if (a > b if polarity == "higher" else a < b) else "worse"


def compare_with_previous(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Add ``previous_status_code``, ``previous_actual`` and ``direction_vs_previous``; set ``direction``.

    Indicators are matched on (ref, part). Direction of travel is by the figures where both periods have
    an actual and the indicator a polarity, otherwise by status (1 best, 4 worst). With no previous period
    ``direction`` stays the direction against the baseline. ``direction_basis`` says which was used.
    """
    frame = current.copy()
    frame["previous_status_code"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["previous_actual"] = pd.array([pd.NA] * len(frame), dtype="Float64")
    frame["direction_vs_previous"] = ""
    if previous is None:
        return _previous_in_export(frame)
    before = previous.set_index(["ref", "part"])
    for i, ref, part in zip(frame.index, frame["ref"], frame["part"]):
        if (ref, part) not in before.index:
            continue
        old = before.loc[(ref, part)]
        old = old.iloc[0] if isinstance(old, pd.DataFrame) else old
        frame.at[i, "previous_status_code"] = old["status_code"]
        if "actual" in old and not pd.isna(old["actual"]):
            frame.at[i, "previous_actual"] = old["actual"]
        actual, polarity, code = frame.at[i, "actual"], frame.at[i, "polarity"], frame.at[i, "status_code"]
        if not pd.isna(actual) and not pd.isna(frame.at[i, "previous_actual"]) and polarity in ("higher", "lower"):
            direction, basis = (
                _better(float(actual), float(frame.at[i, "previous_actual"]), polarity),
                "previous period figures",
            )
        elif not pd.isna(code) and not pd.isna(old["status_code"]):
            direction, basis = _better(float(old["status_code"]), float(code), "higher"), "previous period status"
        else:
            continue
        frame.at[i, "direction_vs_previous"] = direction
        frame.at[i, "direction"], frame.at[i, "direction_basis"] = direction, basis
    return frame


def _previous_in_export(frame: pd.DataFrame) -> pd.DataFrame:
    """With no earlier export, the export's own previous-period column (a typed table's ``previous``), if any,
    gives the direction of travel by the figures."""
    if "previous_in_export" not in frame:
        return frame
    for i in frame.index:
        before, actual, polarity = frame.at[i, "previous_in_export"], frame.at[i, "actual"], frame.at[i, "polarity"]
        if pd.isna(before):
            continue
        frame.at[i, "previous_actual"] = before
        if not pd.isna(actual) and polarity in ("higher", "lower"):
            direction = _better(float(actual), float(before), polarity)
            frame.at[i, "direction_vs_previous"] = frame.at[i, "direction"] = direction
            frame.at[i, "direction_basis"] = "previous period figures in the export"
    return frame


def baseline_trends(indicators: pd.DataFrame) -> int:
    """How many indicators have their trend from their baseline (``direction_basis`` "baseline")."""
    if "direction_basis" not in indicators:
        return 0
    return int((indicators["direction_basis"] == "baseline").sum())


def status_changes(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators whose status code differs from the previous period's (both present)."""
    if "previous_status_code" not in indicators:
        return indicators.iloc[0:0]
    both = indicators["status_code"].notna() & indicators["previous_status_code"].notna()
    changed = both & (indicators["status_code"] != indicators["previous_status_code"]).fillna(False)
    return indicators[changed.astype(bool)].reset_index(drop=True)


def status_by_period(periods: dict[str, pd.DataFrame], labels: dict | None = None) -> pd.DataFrame:
    """Status counts per period (label -> indicators), in the given order, with ``Total``."""
    labels = PLAIN_SCALE if labels is None else labels  # {}: a scale with no status words
    columns = list(labels.values()) + [NOT_ASSESSED]
    rows = {}
    for label, indicators in periods.items():
        named = indicators["status_code"].map(lambda c: NOT_ASSESSED if pd.isna(c) else labels[int(c)])
        rows[label] = named.value_counts().reindex(columns, fill_value=0)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns).fillna(0).astype("int64")
    table["Total"] = table.sum(axis=1)
    table.index.name = "quarter"
    return table


def coverage(indicators: pd.DataFrame, source: str = "text") -> pd.DataFrame:
    """How many indicators have figures, from where, and why the rest have none.

    Rows: ``measure`` (what is counted) and ``count``.
    """
    measurable = indicators["rag"] != ""
    register = indicators["from_register"].astype(bool)
    rows = [
        ("Indicators", len(indicators)),
        ("With target, actual and polarity (assessed against their target)", int(measurable.sum())),
        (f"  of which all figures read from the export's {source}", int((measurable & ~register).sum())),
        ("  of which one or more figures from the indicator register", int((measurable & register).sum())),
        ("With a target but no usable actual or polarity", int((indicators["target"].notna() & ~measurable).sum())),
        ("With no numeric target", int(indicators["target"].isna().sum())),
    ]
    return pd.DataFrame(rows, columns=["measure", "count"])


def missing_reasons(indicators: pd.DataFrame) -> pd.DataFrame:
    """For indicators not assessed against a target: each reason and how many indicators it applies to."""
    rest = indicators[indicators["rag"] == ""]
    reasons = rest["figures_note"].map(_main_reason)
    counts = reasons.value_counts(sort=False)
    frame = counts.rename("count").rename_axis("reason").reset_index()
    return frame.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def _main_reason(note: str) -> str:
    """The kind of reason, without the indicator's own numbers: 'more than one target in the text', ..."""
    first = (note or "no reason recorded").split(";")[0]
    return first.split(" (")[0].split(":")[0].strip()


def disagreements(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators whose reported status the figures do not support, and the judgement cases."""
    mask = (indicators["status_check"] == "disagrees") | (indicators["status_check_note"] != "")
    return indicators[mask].reset_index(drop=True)


def off_track_streak(current: pd.DataFrame, earlier: list[pd.DataFrame]) -> pd.DataFrame:
    """How many consecutive periods each indicator has been off track (status 3 or 4), this one included.

    ``earlier`` holds the indicators of the periods before this one, newest first and consecutive (the
    previous period, then the one before it, ...), as far back as the report reads. Indicators are matched on
    (ref, part). Returns ``off_track_periods`` (0 when on track or not assessed now) and ``off_track_at_least``
    (True when every earlier period read was off track too, so the run may be longer), on ``current``'s index.
    """
    histories = [dict(zip(zip(e["ref"], e["part"]), e["status_code"])) for e in earlier]
    counts, capped = [], []
    for ref, part, code in zip(current["ref"], current["part"], current["status_code"]):
        if pd.isna(code) or int(code) not in OFF_TRACK_CODES:
            counts.append(0)
            capped.append(False)
            continue
        run, broken = 1, False
        for history in histories:
            before = history.get((ref, part))
            if before is None or pd.isna(before) or int(before) not in OFF_TRACK_CODES:
                broken = True
                break
            run += 1
        counts.append(run)
        capped.append(not broken and bool(histories))
    return pd.DataFrame(
        {"off_track_periods": pd.array(counts, dtype="Int64"), "off_track_at_least": capped}, index=current.index
    )
