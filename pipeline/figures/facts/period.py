"""The statements of a period report: which facts it states, in which section, in the order a committee reads them.

The front page states at most ``MOST`` sentences under each of "Going well" and "Needs attention", the weightiest
first; when none applies, it says how many are on (or off) track rather than that nothing stands out. The body
states how each indicator off track stands; the annex how the reported statuses stand against the figures and what
is set against its target. Every statement is published (``statements.csv``) and checked by ``verify``.
"""

from __future__ import annotations

from pipeline.figures.statements import Statements, state

MOST = 4  # sentences under each of "Going well" and "Needs attention": the front page stays one page
SUMMARY, GOING_WELL, NEEDS_ATTENTION = "front page: summary", "front page: going well", "front page: needs attention"
EXCEPTIONS, STATUS_CHECK, AGAINST_TARGET = "exceptions", "annex: statuses held against the figures", "annex: figures"
HOW_WE_COMPARE = "how we compare"


def period_statements(indicators, context: dict, extra: dict | None = None) -> Statements:
    """Every statement of a period report about ``indicators``. ``context``: what the facts need beside the
    indicators: ``group_word`` and ``group_plural`` (what the organisation calls its groups), ``names`` (each
    group's full name), ``previous`` (the period before, as a label, or ""), ``remedial`` and ``commentary``
    (whether the export has a remedial-action column, and any commentary column). ``extra``: statements made
    elsewhere (the comparison's, the SPC's), by section, put first in theirs."""
    extra = extra or {}
    said = Statements()
    said.add(state("share", indicators, SUMMARY))
    for statement in extra.get(SUMMARY, []):
        said.add(statement)
    well = [
        *extra.get(GOING_WELL, []),
        state("complete_groups", indicators, GOING_WELL, context),
        state("furthest", indicators, GOING_WELL, context | {"side": "ahead"}, "performance-against-target"),
        state("share_up", indicators, GOING_WELL, context),
        state("moved", indicators, GOING_WELL, context | {"side": "better"}),
    ]
    _first(said, well, state("share_on", indicators, GOING_WELL))
    attention = [
        state("where_off_track", indicators, NEEDS_ATTENTION, context, "indicators-off-track"),
        state("moved", indicators, NEEDS_ATTENTION, context | {"side": "worse"}),
        state("share_down", indicators, NEEDS_ATTENTION, context),
        *extra.get(NEEDS_ATTENTION, []),
        state("no_action", indicators, NEEDS_ATTENTION, context, "indicators-off-track"),
        state("furthest", indicators, NEEDS_ATTENTION, context | {"side": "behind"}, "performance-against-target"),
        state("disagree", indicators, NEEDS_ATTENTION, {}, "annex-a-method"),
        state("repeat", indicators, NEEDS_ATTENTION, context),
        state("no_direction", indicators, NEEDS_ATTENTION, {}, "annex-a-method"),
        state("unassessed", indicators, NEEDS_ATTENTION, {}, "annex-a-method"),
    ]
    _first(said, attention, state("share_off", indicators, NEEDS_ATTENTION))
    for section in extra:
        if section not in (SUMMARY, GOING_WELL, NEEDS_ATTENTION):
            for statement in extra[section]:
                said.add(statement)
    _exceptions(said, indicators)
    said.add(state("status_checked", indicators, STATUS_CHECK))
    said.add(state("charted", indicators, AGAINST_TARGET))
    return said


def _first(said: Statements, candidates: list, otherwise) -> None:
    """The first ``MOST`` statements that apply, or ``otherwise`` when none does."""
    chosen = [s for s in candidates if s is not None][:MOST]
    for statement in chosen or [otherwise]:
        said.add(statement)


def _exceptions(said: Statements, indicators) -> None:
    """How each indicator off track stands, one statement an indicator."""
    from pipeline.figures.facts.words import is_off

    off = indicators[is_off(indicators)]
    for ref, part in zip(off["ref"], off["part"]):
        said.add(state("standing", indicators, EXCEPTIONS, {"ref": ref, "part": int(part)}))


def comparison_params(context: dict) -> dict:
    """What the comparison's facts need beside ``benchmark.csv``: the organisation's name, how many peers it has
    (0: no peer group), what all organisations are called, and the bands and the measures' own words the report
    used."""
    return {
        "who": context["organisation_name"],
        "peers": context["peers"] - 1 if context["peers"] else 0,
        "everyone": context.get("all_name", ""),
        "members": context.get("members", ""),
        "bands": context.get("bands", []),
        "comparatives": context.get("comparatives", {}),
    }


def comparison_statements(benchmark, context: dict | None, link: str = "how-we-compare") -> dict:
    """The comparison's statements by section (for ``period_statements``' ``extra``, or a profile's own): on the
    front page how many measures are in the top and the bottom quartile (the summary) and which are much better or
    much worse than the median; in How we compare one sentence per measure. ``benchmark``: the positions as
    ``benchmark.csv`` holds them; nothing when there is no comparison or it has nothing in its period."""
    from pipeline.figures.facts.compare import View, latest_rows

    if benchmark is None or context is None or context.get("starts_later") or benchmark.empty:
        return {}
    params = comparison_params(context)
    benchmark = View(benchmark)  # read once for every statement
    return {
        SUMMARY: [state("quartiles", benchmark, SUMMARY, params, link)],
        GOING_WELL: [state("much", benchmark, GOING_WELL, params | {"side": "better"}, link)],
        NEEDS_ATTENTION: [state("much", benchmark, NEEDS_ATTENTION, params | {"side": "worse"}, link)],
        HOW_WE_COMPARE: [
            state("compared", benchmark, HOW_WE_COMPARE, params | {"ref": ref}) for ref in latest_rows(benchmark)["ref"]
        ],
    }


def spc_statements(spc_frame, names: dict | None = None, link: str = "is-the-change-real") -> dict:
    """The SPC's front-page statement (``facts.spc``), under "Needs attention" when an indicator shows special-cause
    concern at its latest point, under "Going well" when some show improvement alone; nothing without charts.
    ``names``: the indicators' names, for the ones the sentence may name."""
    from pipeline.figures.facts.spc import latest

    if spc_frame is None or spc_frame.empty:
        return {}
    special = latest(spc_frame)
    special = special[special["variation"].astype(str).str.startswith(("concern", "improvement"))]
    params = {"names": {ref: (names or {}).get(ref, "") for ref in special["ref"]}}
    return {
        GOING_WELL: [state("spc", spc_frame, GOING_WELL, params | {"side": "well"}, link)],
        NEEDS_ATTENTION: [state("spc", spc_frame, NEEDS_ATTENTION, params | {"side": "attention"}, link)],
    }


def merged(*extras: dict) -> dict:
    """Statements made elsewhere, by section, one list a section in the order given."""
    out: dict = {}
    for extra in extras:
        for section, statements in extra.items():
            out.setdefault(section, []).extend(statements)
    return out


def report_statements(indicators, layout, names: dict, previous, positions=None, context=None, charts=None):
    """Every statement of a period report (``period_statements``) in the organisation's words (``layout``: its word
    for its groups, its columns), with the SPC's (``charts``: ``spc.csv``'s rows) and the comparison's (computed
    from the ``positions`` that ``benchmark.csv`` publishes; ``verify`` computes them again from the file).
    ``names``: each group's full name; ``previous``: the period compared with, or None."""
    from pipeline.figures.facts.words import groups_of
    from pipeline.schema import ref_label

    present = set(groups_of(indicators))
    params = {
        "group_word": layout.group_name,
        "group_plural": layout.group_names,
        "names": {code: name for code, name in (names or {}).items() if code in present},
        "previous": str(previous) if previous else "",
        "remedial": "remedial" in layout.columns,
        "commentary": layout.has_commentary,
    }
    measures = {ref_label(r, p): m for r, p, m in zip(indicators["ref"], indicators["part"], indicators["measure"])}
    extra = merged(spc_statements(charts, measures), comparison_statements(positions, context))
    return period_statements(indicators, params, extra)
