"""Figures from the text: read each indicator's target, baseline and actual from its text, or leave them empty.

Precision comes before recall: a wrong number in a committee report is worse
than a missing one. Every figure carries the span of text it was read from
(``target_from``, ...), and every figure left empty carries the reason
(``figures_note``).

The measure text (Outcome/Success Criteria) gives the target, its unit and
polarity, and often a baseline. The progress text gives the actual. Numbers
that are not quantities of the measure are set aside first: years
(2011/12), dates (1 August 2011, by March 2012), durations (13 weeks),
ordinals (Key Stage 2, Year 6, Q4), age ranges (aged 10-17), the
denominators of rates (per 100,000) and fractions (38/45). What is left is
then read by explicit rules; when two rules disagree, or a text holds more
than one candidate, the figure is left empty and the reason recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline.schema import FIGURE_COLUMNS

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)

# A number: 1,234.5 / 1234 / 0.13 / .5 is not used by councils, so not matched.
_NUMBER = re.compile(r"(?<![\w.,/£$-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d,]*\d)")
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass
class Quantity:
    """A number in a text, with what it is: ``kind`` quantity/year/date/duration/ordinal/age/denominator/..."""

    value: float
    start: int
    end: int
    text: str
    kind: str = "quantity"
    unit: str = "count"  # "%", "count", or "per 100,000" and the like


@dataclass
class Figures:
    target: float | None = None
    baseline: float | None = None
    actual: float | None = None
    unit: str = ""
    polarity: str = ""
    comparator: str = ""
    target_from: str = ""
    baseline_from: str = ""
    actual_from: str = ""
    polarity_from: str = ""
    due_later: bool = False
    notes: list[str] = field(default_factory=list)


def _per(text: str) -> str | None:
    """``per 100,000`` / ``per 100k`` / ``per 1,000`` at the start of ``text`` -> the normalised unit."""
    m = re.match(r"\s*(?:[a-z'\-]+\s+){0,3}?per\s+(\d{1,3}(?:,\d{3})+|\d+)\s*(k\b)?", text, re.I)
    if not m:
        return None
    n = int(m.group(1).replace(",", "")) * (1000 if m.group(2) else 1)
    return f"per {n:,}"


def quantities(text: str) -> list[Quantity]:
    """Every number in ``text``, classified, with its unit."""
    out: list[Quantity] = []
    for m in _NUMBER.finditer(text):
        raw = m.group(1) + (m.group(2) or "")
        value = float(raw.replace(",", ""))
        q = Quantity(value, m.start(), m.end(), raw)
        before, after = text[max(0, m.start() - 30) : m.start()].lower(), text[m.end() : m.end() + 40].lower()
        if after.startswith("%") or after.startswith(" per cent") or after.startswith(" percent"):
            q.unit, q.end = "%", m.end() + (1 if after.startswith("%") else 0)
            if re.match(r"%?\s*points?\b", after) or re.match(r"%\s*points?\b", after):
                q.kind = "points"
        elif (per := _per(after)) is not None:
            q.unit = per
        q.kind = _kind(q, before, after, text, m) if q.kind == "quantity" else q.kind
        out.append(q)
    # the N of "per N" is a denominator, not a quantity
    for q in out:
        if re.search(r"per\s*$", text[max(0, q.start - 6) : q.start], re.I):
            q.kind = "denominator"
    return out


def _kind(q: Quantity, before: str, after: str, text: str, m: re.Match) -> str:
    raw = q.text
    if (
        q.unit == "count"
        and _YEAR.match(raw)
        and not re.match(r"\s*(?:[a-z'\-]+\s+)?(?:visits|people|households)", after)
    ):
        return "year"
    if re.match(r"^[/-]\d", text[m.end() : m.end() + 2]) or re.search(
        r"\d[/-]$", text[max(0, m.start() - 2) : m.start()]
    ):
        # 2011/12, 10/11, 16-18, 38/45, 2004/5: years, ranges and fractions, never a figure
        return "range"
    if re.match(rf"\s*(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{_MONTHS})\b", after) or re.search(rf"(?:{_MONTHS})\s*$", before):
        return "date"
    if re.match(r"\s*(?:working\s+)?(?:weeks?|days?|months?|years?|yrs?|minutes?|hours?|quarters?)\b", after):
        return "duration"
    if re.match(r"\s*year\s+(?:target|period)", after):
        return "duration"
    if re.search(r"(?:key stage|ks|level|year|y|phase|q|quarter|kpi|stage|nI)\s*$", before, re.I):
        return "ordinal"
    if re.search(r"\baged?\s*$", before) or re.match(r"\s*and over\b", after) or re.match(r"\+", after):
        return "age"
    if re.search(r"\(base\s*$", before) or re.search(r"\+/-\s*$", before):
        return "sample"
    if re.match(r"\s*or more\s+a\*", after) or re.search(r"\b(?:a\*|grades?)\s*$", before):
        return "ordinal"
    return "quantity"


def _span(text: str, q: Quantity, width: int = 35) -> str:
    start, end = max(0, q.start - width), min(len(text), q.end + width)
    return ("..." if start else "") + text[start:end].replace("\n", " ") + ("..." if end < len(text) else "")


# --- the measure: target, baseline, unit, polarity ----------------------------------------

_RELATIVE = re.compile(
    r"(?:by\s+)?\d+(?:\.\d+)?%\s*(?:reduction|increase|decrease|improvement|on\s+\d{4})|"
    r"\b(?:by|reduced by|increased by|increase by|reduce by)\s+\d+(?:\.\d+)?%|"
    r"\b(?:net\s+)?(?:increase|reduction|decrease|rise|fall) of \d",
    re.I,
)
_TBD = re.compile(r"target\s+(?:to be determined|tbc|tbd)|\btbc\b", re.I)
_COMPARATORS = [
    (re.compile(r"\b(?:less than|fewer than|below)\s*$", re.I), "lower", "lt"),
    (re.compile(r"\bno more than\s*$", re.I), "lower", "le"),
    (re.compile(r"<\s*$"), "lower", "lt"),
    (re.compile(r"(?:≤|<=)\s*$"), "lower", "le"),
    (re.compile(r"\b(?:to exceed|more than|exceed|above)\s*$", re.I), "higher", "gt"),
    (re.compile(r"\bat least\s*$", re.I), "higher", "ge"),
    (re.compile(r"(?:>|≥|>=)\s*$"), "higher", "ge"),
]
_AFTER_COMPARATORS = [
    (re.compile(r"^\s*(?:[a-z'\-]+\s+){0,1}?or (?:less|fewer|below)\b", re.I), "lower", "le"),
    (re.compile(r"^\s*(?:[a-z'\-]+\s+){0,1}?or (?:more|above|higher)\b", re.I), "higher", "ge"),
]
_VERBS = [
    (re.compile(r"\b(?:reduce|reduced|reduces|reducing|reduction|decrease|decreased|lower|minimise)\b", re.I), "lower"),
    (re.compile(r"\b(?:increase|increased|increases|increasing|raise|maximise)\b", re.I), "higher"),
]
# Quantities whose better direction is known by their nature.
_LOWER_BY_NATURE = re.compile(
    r"missed bins|landfill|litter|detritus|statutorily homeless|temporary accommodation|absence|neet rate|obesity|"
    r"re-?offending|first[- ]time entrants|conception|crime|criminal damage|killed or seriously injured|"
    r"sentenced to custody|attainment gap|\bgap\b|admissions|business miles|emissions|"
    r"maintenance should be considered|second or subsequent|over 2 years duration",
    re.I,
)
_HIGHER_BY_NATURE = re.compile(
    r"recycl|composting|recover heat|visits|participat|start-up businesses|assisted|trained|processed within|"
    r"carried out within|completed within|breastfeeding|screening|in effective treatment|cessation|"
    r"net additional homes|achievement of|expected progress|pupils' progress|prevented from|"
    r"manage their own|care managed|connections|still at home|engaged in",
    re.I,
)


def _candidates(text: str, qs: list, baseline, report_year_end: int) -> list[tuple]:
    """Each quantity of the text that may be the target, with the rule that found it and any polarity and
    comparator its words give: (quantity, rule, polarity, comparator)."""
    candidates: list[tuple[Quantity, str, str | None, str | None]] = []  # quantity, rule, polarity, comparator

    for q in qs:
        if baseline is not None and q is baseline:
            continue
        before, after = text[: q.start], text[q.end :]
        for pattern, polarity, comparator in _COMPARATORS:
            if pattern.search(before[-20:]):
                candidates.append((q, "comparator", polarity, comparator))
                break
        else:
            for pattern, polarity, comparator in _AFTER_COMPARATORS:
                if pattern.search(after[:25]):
                    candidates.append((q, "comparator", polarity, comparator))
                    break
            else:
                if re.search(r"\btarget(?:\s+rate|\s+of|\s+for|\s+is)?\s*:?\s*$", before[-25:], re.I) or re.search(
                    r"\btarget\s+(?:to\s+)?(?:improve on|maintain)\b[^.;]*$", before[-60:], re.I
                ):
                    candidates.append((q, "target", None, None))
                elif re.search(
                    r"\b(?:improve on|improves? to|increase to|reduce to|maintain(?:ed)? at|to)\s*$", before[-25:], re.I
                ) and not re.search(r"\bfrom\s*$", before[-8:], re.I):
                    candidates.append((q, "to", None, None))
                elif re.search(r"\b(?:at)\s*$", before[-6:], re.I) and _current_year_follows(after, report_year_end):
                    candidates.append((q, "at", None, None))
                elif q.start <= 3 or re.match(r"^\s*(?:a\s+)?$", before, re.I):
                    candidates.append((q, "leading", None, None))
                elif _current_year_follows(after, report_year_end) and not _in_parentheses(text, q):
                    candidates.append((q, "in-year", None, None))
    return candidates


def _not_a_level(text: str, fig: Figures) -> bool:
    """Whether the text's target is a change, a ranking, to be determined or a gap rather than a level (the reason
    noted in ``fig``, whose baseline a gap also empties)."""
    lower = text.lower()
    if _RELATIVE.search(text):
        fig.notes.append(
            "target is stated as a change (" + _RELATIVE.search(text).group(0).strip() + "), not a level: left empty"
        )
        return True
    if re.search(r"\b(?:top|upper|bottom|lower)\s+(?:quartile|quintile|decile|half)\b", lower):
        fig.notes.append(
            "target is a ranking ("
            + re.search(r"\b\w+\s+(?:quartile|quintile|decile|half)", lower).group(0)
            + "), not a level: left empty"
        )
        return True
    if _TBD.search(text):
        fig.notes.append("target to be determined")
        return True
    if re.search(r"%\s*points?|percentage points", lower):
        fig.baseline, fig.baseline_from = None, ""  # the gap's sign differs between target and baseline
        fig.notes.append("target is a percentage-point gap between two areas: left empty")
        return True
    return False


def read_measure(text: str, report_year_end: int) -> Figures:
    """Target, baseline, unit and polarity from the Outcome/Success Criteria text."""
    fig = Figures()
    qs = [q for q in quantities(text) if q.kind == "quantity"]
    if not text.strip():
        fig.notes.append("no outcome/success criteria text")
        return fig
    fig.due_later = _due_later(text, report_year_end)

    baseline = _baseline(text, qs)
    if baseline:
        fig.baseline, fig.baseline_from = baseline.value, _span(text, baseline)
    candidates = _candidates(text, qs, baseline, report_year_end)

    from_to = _from_to(text, qs)
    if from_to is not None:
        base, target = from_to
        if fig.baseline is None:
            fig.baseline, fig.baseline_from = base.value, _span(text, base)
        candidates = [c for c in candidates if c[0] is not base and c[0] is not target] + [
            (target, "from-to", None, None)
        ]

    if _not_a_level(text, fig):
        return fig
    assigned = {id(c[0]) for c in candidates} | {id(baseline)} | ({id(from_to[0])} if from_to else set())
    loose = [
        q
        for q in qs
        if id(q) not in assigned and not _in_baseline_note(text, q) and any(q.unit == c[0].unit for c in candidates)
    ]
    values = {c[0].value for c in candidates} | {q.value for q in loose}
    if len(values) > 1:
        candidates = candidates + [(q, "loose", None, None) for q in loose]
        fig.notes.append(
            "more than one target in the text ("
            + ", ".join(c[0].text + _unit_suffix(c[0]) for c in candidates)
            + "): left empty"
        )
        return fig
    if not candidates:
        fig.notes.append("no numeric target in the text")
        return fig
    q, rule, polarity, comparator = candidates[0]
    for other in candidates[1:]:
        polarity, comparator = polarity or other[2], comparator or other[3]
    fig.target, fig.target_from = q.value, _span(text, q)
    fig.unit = q.unit if q.unit != "count" or from_to is None else from_to[0].unit
    if baseline is not None and baseline.unit != fig.unit and fig.unit == "count" and baseline.unit != "count":
        fig.unit = baseline.unit
    if comparator:
        fig.comparator = comparator
    _polarity(fig, text, polarity, q)
    return fig


def _unit_suffix(q: Quantity) -> str:
    return "%" if q.unit == "%" else (" " + q.unit if q.unit.startswith("per") else "")


def _in_baseline_note(text: str, q: Quantity) -> bool:
    """Inside a parenthesis that speaks of the baseline: '(baseline 82 - 2009/10 and 2010/11 average)'."""
    opening = text.rfind("(", 0, q.start)
    if opening < 0 or text.rfind(")", 0, q.start) > opening:
        return False
    closing = text.find(")", q.end)
    return "baseline" in text[opening : closing if closing > 0 else len(text)].lower()


def _in_parentheses(text: str, q: Quantity) -> bool:
    return text[: q.start].count("(") > text[: q.start].count(")")


def _current_year_follows(after: str, report_year_end: int) -> bool:
    m = re.match(r"\s*(?:[a-z]+\s+){0,2}?(?:in|for|during)\s+(\d{4})\s*[/-]\s*(\d{2,4})", after, re.I)
    if not m:
        return False
    end = int(m.group(2))
    end = end if end > 100 else (int(m.group(1)) // 100) * 100 + end
    return end == report_year_end


def _baseline(text: str, qs: list[Quantity]) -> Quantity | None:
    m = re.search(r"\bbaseline\b", text, re.I)
    if not m:
        return None
    after = [q for q in qs if m.end() <= q.start <= m.end() + 25]
    # "(2009/10 baseline)" names no number of its own: the number before it belongs to another phrase
    return after[0] if after else None


def _from_to(text: str, qs: list[Quantity]) -> tuple[Quantity, Quantity] | None:
    """``from X [in 2010/11] to Y`` or ``to Y ... from X``: (baseline X, target Y)."""
    for m in re.finditer(r"\bfrom\b", text, re.I):
        xs = [q for q in qs if m.end() <= q.start <= m.end() + 30]
        if not xs:
            continue
        x = xs[0]
        to = re.search(r"\bto\b", text[x.end : x.end + 60], re.I)
        if not to:
            continue
        ys = [q for q in qs if q.start >= x.end + to.end()]
        if ys and ys[0].start - (x.end + to.end()) <= 30:
            return x, ys[0]
    for q in qs:
        if re.search(r"\bto\s*$", text[max(0, q.start - 5) : q.start], re.I):
            later = re.search(r"\bfrom\b", text[q.end : q.end + 40], re.I)
            if later:
                xs = [x for x in qs if x.start >= q.end + later.end()]
                if xs and xs[0].start - (q.end + later.end()) <= 5:
                    return xs[0], q
    return None


def _due_later(text: str, report_year_end: int) -> bool:
    """True when the measure's deadline falls after the reporting year (``by 2013``, ``by 2012-13``, ``by 2020/21``)."""
    for m in re.finditer(r"\bby\s+(?:(?:" + _MONTHS + r")\s+)?(\d{4})(?:\s*[/-]\s*(\d{2,4}))?", text, re.I):
        year = int(m.group(1))
        if m.group(2):
            end = int(m.group(2))
            year = end if end > 100 else (year // 100) * 100 + end
        if year > report_year_end:
            return True
    return False


def _polarity(fig: Figures, text: str, comparator_polarity: str | None, target: Quantity) -> None:
    """Polarity from a comparator, or else from verbs and the nature of the measure; conflicts leave it empty."""
    if comparator_polarity:
        fig.polarity, fig.polarity_from = comparator_polarity, "comparator next to the target"
        return
    signals: dict[str, str] = {}
    for pattern, polarity in _VERBS:
        m = pattern.search(text)
        if m and not _verb_on_other_quantity(text, m, fig.unit):
            signals.setdefault(polarity, f"'{m.group(0)}'")
    m = _LOWER_BY_NATURE.search(text)
    if m:
        signals.setdefault("lower", f"'{m.group(0)}' (lower is better)")
    m = _HIGHER_BY_NATURE.search(text)
    if m:
        signals.setdefault("higher", f"'{m.group(0)}' (higher is better)")
    if len(signals) == 1:
        fig.polarity, fig.polarity_from = next(iter(signals.items()))
    elif len(signals) > 1:
        fig.notes.append("polarity unclear: " + " and ".join(f"{v} suggests {k}" for k, v in signals.items()))
    else:
        fig.notes.append("polarity not stated")


def _verb_on_other_quantity(text: str, verb: re.Match, unit: str) -> bool:
    """'Reduce the number of alerts - target for 70% of alerts to progress': the verb is about a count, the target a share."""
    obj = text[verb.end() : verb.end() + 40].lower()
    return unit == "%" and bool(re.match(r"\s*(?:the\s+)?number\b", obj))


# --- the progress text: the actual ----------------------------------------------------------

_NOT_ACTUAL_BEFORE = re.compile(
    r"(?:target(?:\s+rate)?(?:\s+for\s+the\s+(?:period|year))?(?:\s+(?:of|is|was))?|compared\s+(?:to|with)(?:\s+the)?|"
    r"in\s+comparison\s+to|average(?:\s+of)?|baseline(?:\s+of)?|benchmarks?|from|"
    r"increase\s+of|decrease\s+of|reduction\s+of|rise\s+of|fall\s+of|up\s+by|down\s+by|on\s+the|"
    r"than(?:\s+the)?(?:\s+\d{4}/\d{2})?(?:\s+target\s+of)?|against(?:\s+the)?(?:\s+target\s+of)?|"
    r"tolerance(?:\s+of)?|\+/-|working\s+towards\s+a\s+target\s+of|of\s+the\s+previous\s+year'?s?|cohort\s+of|"
    r"out\s+of\s+the|of\s+the)"
    r"\s*[(<>]?\s*$",
    re.I,
)
_NOT_ACTUAL_AFTER = re.compile(
    r"^\s*%?\)?\s*(?:(?:in|during|for)\s+(?:the\s+)?(?:previous|last)\s+(?:year|quarter)|(?:in|during)\s+\d{2,4}\s*[/-]\s*\d{2}(?!\d)|"
    r"(?:more|fewer|less)\s+(?:crimes|than)|target|tolerance|of\s+the\s+previous|for\s+the\s+previous|"
    r"(?:%\s*)?(?:national|regional|england|north east)\s+average)",
    re.I,
)
_AVERAGE_NEAR = re.compile(
    r"(?:average|national|england|north east|statistical neighbour|regional|benchmark)"
    r"[^.;]{0,12}$",
    re.I,
)


def read_actual(text: str, fig: Figures, report_year_end: int) -> None:
    """The actual from the progress text, in the target's unit; empty when there is none or more than one."""
    if fig.target is None:
        return
    if not text.strip():
        fig.notes.append("no progress text, so no actual")
        return
    if re.search(r"\+/-\s*\d|confidence interval", text, re.I):
        fig.notes.append("the actual is given with a confidence interval: left empty")
        return
    qs = quantities(text)
    previous_year = f"{(report_year_end - 2) % 100:02d}"
    candidates = []
    for q in qs:
        if q.kind != "quantity" or q.unit != fig.unit:
            continue
        before, after = text[max(0, q.start - 60) : q.start], text[q.end : q.end + 40]
        if _NOT_ACTUAL_BEFORE.search(before) or _NOT_ACTUAL_AFTER.search(after) or _AVERAGE_NEAR.search(before):
            continue
        if re.match(rf"^\s*%?\)?\s*(?:in|during)\s+\d{{2}}(?:\d{{2}})?\s*[/-]\s*{previous_year}\b", after):
            continue
        candidates.append(q)
    values = list(dict.fromkeys(q.value for q in candidates))
    if not candidates:
        fig.notes.append(f"no figure in the target's unit ({fig.unit}) in the progress text")
        return
    chosen = None
    if len(values) == 1:
        chosen = candidates[0]
    else:
        first = candidates[0]
        first_sentence = re.split(r"(?<=[.;])\s+|\n", text, maxsplit=1)[0]
        in_first = [q for q in candidates if q.start < len(first_sentence)]
        # the text opens with its figure ("311 business start-ups assisted during 2011/12. 151 ...")
        if len(in_first) == 1 and first.start == len(text) - len(text.lstrip()):
            chosen = first
    if chosen is None:
        fig.notes.append(
            "more than one candidate actual in the progress text ("
            + ", ".join(q.text + _unit_suffix(q) for q in candidates[:6])
            + "): left empty"
        )
        return
    if fig.unit == "count" and fig.target and not 1 / 3 <= chosen.value / fig.target <= 3:
        fig.notes.append(
            f"candidate actual is more than three times off the target ({chosen.text} against "
            f"{fig.target:g}), probably another measure: left empty"
        )
        return
    fig.actual, fig.actual_from = chosen.value, _span(text, chosen)


def read_figures(indicators: pd.DataFrame, report_year_end: int) -> pd.DataFrame:
    """Figures for every indicator: ``FIGURE_COLUMNS``, one row per indicator, same index as ``indicators``.

    ``report_year_end`` is the calendar year in which the reporting year ends (2012 for 2011/12).
    """
    rows = []
    for measure, progress in zip(indicators["measure"], indicators["progress"]):
        fig = read_measure(measure, report_year_end)
        read_actual(progress, fig, report_year_end)
        rows.append(
            {
                "target": fig.target,
                "baseline": fig.baseline,
                "actual": fig.actual,
                "unit": fig.unit if fig.target is not None else "",
                "polarity": fig.polarity if fig.target is not None else "",
                "comparator": fig.comparator,
                "target_from": fig.target_from,
                "baseline_from": fig.baseline_from,
                "actual_from": fig.actual_from,
                "polarity_from": fig.polarity_from if fig.target is not None else "",
                "due_later": fig.due_later,
                "figures_note": "; ".join(fig.notes),
            }
        )
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS, index=indicators.index)
    for col in ("target", "baseline", "actual"):
        frame[col] = frame[col].astype("Float64")
    frame["due_later"] = frame["due_later"].astype(bool)
    return frame
