"""Every generated sentence is a checked fact: its figures computed from the indicators, its words chosen by rule.

A fact (``Fact``) computes its figures from the indicators as ``indicators.csv`` holds them (and a few ``params``
the report gives it: the organisation's word for its groups, the groups' full names, the previous period's name),
and writes its sentence from those figures alone, by rules whose conditions make the words true: "most" only
above half, a group named only where it has a name, "no figures" only where a figure is missing, "no reason or
action" only where the export has a commentary column. A ``Statement`` is one such sentence with the fact, the
params, the figures and the refs it covers. The report prints the statements; the period folder publishes them in
``statements.csv``; ``verify`` recomputes each from ``indicators.csv`` (``check``) and fails on any that does not
hold. The facts themselves are registered in ``facts``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

COLUMNS = ["section", "sentence", "fact", "figures", "params", "refs"]


INDICATORS, BENCHMARK = "indicators.csv", "benchmark.csv"  # the tables a fact may rest on


@dataclass(frozen=True)
class Fact:
    """A kind of statement: ``compute(table, params)`` -> (figures, refs) and ``words(figures, params)`` -> its
    sentence, or None when the figures give nothing to say. ``source``: the published table it is computed from
    (``indicators.csv``, or ``benchmark.csv`` for the comparison's)."""

    name: str
    compute: Callable
    words: Callable
    source: str = INDICATORS


FACTS: dict[str, Fact] = {}  # filled by ``pipeline.figures.facts`` (imported by ``facts_known``)


def facts_known() -> dict[str, Fact]:
    """Every fact a report states, by name."""
    import pipeline.figures.facts  # noqa: F401  (registers them)

    return FACTS


def fact(name: str, words: Callable, source: str = INDICATORS):
    """Register the decorated ``compute`` as fact ``name``, written by ``words``, computed from ``source``."""

    def register(compute):
        FACTS[name] = Fact(name, compute, words, source)
        return compute

    return register


@dataclass(frozen=True)
class Statement:
    """One generated sentence and what it rests on. ``link``: the report section it points to (an anchor)."""

    section: str
    sentence: str
    fact: str
    figures: dict
    params: dict
    refs: tuple = ()
    link: str = ""


def state(name: str, indicators, section: str, params: dict | None = None, link: str = "") -> Statement | None:
    """The statement of fact ``name`` about ``indicators`` (None when its figures give nothing to say)."""
    params = _plain(params or {})
    figures, refs = facts_known()[name].compute(indicators, params)
    figures = _plain(figures)
    sentence = FACTS[name].words(figures, params)
    if sentence is None:
        return None
    return Statement(section, sentence, name, figures, params, tuple(refs), link)


def _plain(value):
    """``value`` as JSON gives it back (tuples as lists, numpy numbers as numbers): what ``check`` compares."""
    return json.loads(json.dumps(value, default=_number))


def _number(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not a figure a statement can publish")


def rows(statements) -> list[dict]:
    """Statements as the rows of ``statements.csv``: section, sentence, fact, figures and params (JSON), refs
    (separated by "; ")."""
    return [
        {
            "section": s.section,
            "sentence": s.sentence,
            "fact": s.fact,
            "figures": json.dumps(s.figures, sort_keys=True, ensure_ascii=False),
            "params": json.dumps(s.params, sort_keys=True, ensure_ascii=False),
            "refs": "; ".join(s.refs),
        }
        for s in statements
    ]


def check(published: dict, tables: dict) -> str:
    """Why one row of ``statements.csv`` (``published``) does not hold for the folder's ``tables`` (file name ->
    the table as read from it: ``indicators.csv``, ``benchmark.csv``), or "" when it does: its fact is recomputed
    from the table it rests on and its sentence written again."""
    name = published.get("fact", "")
    if name not in facts_known():
        return f"its fact {name!r} is not one this pipeline states"
    source = FACTS[name].source
    if tables.get(source) is None:
        return f"it rests on {source}, which the folder does not publish intact"
    try:
        params, figures = json.loads(published["params"]), json.loads(published["figures"])
    except (ValueError, KeyError, TypeError):
        return "its figures or params are not JSON"
    try:
        again, refs = FACTS[name].compute(tables[source], params)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"its figures cannot be computed from {source} ({type(exc).__name__})"
    again = _plain(again)
    if again != figures:
        changed = sorted(k for k in set(again) | set(figures) if again.get(k) != figures.get(k))
        return f"its figures do not follow from {source} ({', '.join(changed)} differ)"
    if "; ".join(refs) != published.get("refs", ""):
        return f"the rows it covers are not those {source} gives"
    if FACTS[name].words(again, params) != published.get("sentence"):
        return "its sentence is not the one its figures give"
    return ""


def indicators_from_csv(data: bytes):
    """``indicators.csv`` read back with the types the facts compute with: text as text ("" for empty), the counts
    and codes as nullable integers, the figures as floats."""
    import io

    import pandas as pd

    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    for column in ("part", "status_code", "previous_status_code", "off_track_periods", "source_line"):
        if column in frame:
            frame[column] = pd.array([int(float(v)) if v.strip() else pd.NA for v in frame[column]], dtype="Int64")
    for column in ("target", "actual", "baseline", "variance", "variance_pct", "previous_actual"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype("Float64")
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = [unneutralised(v) for v in frame[column]]
    return frame


def benchmark_from_csv(data: bytes):
    """``benchmark.csv`` read back with the types the comparison's facts compute with: text as text, the counts
    as nullable integers, the figures as floats (full precision: the file holds every digit)."""
    import io

    import pandas as pd

    from pipeline.figures.compare import COUNTS

    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    for column in frame.columns:
        if column in COUNTS:
            frame[column] = pd.array([int(float(v)) if v.strip() else pd.NA for v in frame[column]], dtype="Int64")
        elif column in NUMBERS:
            frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype(float)
        else:
            frame[column] = [unneutralised(v) for v in frame[column]]
    return frame


NUMBERS = {"value", "peers_median", "peers_mad", "peers_mads_from_median", "all_median", "all_mad",
           "all_mads_from_median", "lower", "upper", "own_value"}  # fmt: skip


def unneutralised(text: str) -> str:
    """A text cell as it was before publishing guarded it against spreadsheet formulas (``publish.neutralise``)."""
    if text[:2] in ("'=", "'+", "'-", "'@", "'\t", "'\r"):
        return text[1:]
    return text


@dataclass
class Statements:
    """The statements of one report, by section, in the order they are made."""

    made: list = field(default_factory=list)

    def add(self, statement: Statement | None) -> Statement | None:
        if statement is not None:
            self.made.append(statement)
        return statement

    def of(self, section: str) -> list[Statement]:
        return [s for s in self.made if s.section == section]

    def table(self):
        """The statements as ``statements.csv`` holds them (``rows``), in a frame."""
        import pandas as pd

        return pd.DataFrame(rows(self.made), columns=COLUMNS)
