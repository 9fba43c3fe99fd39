"""The front page a committee member reads in two minutes: the answer first.

How many indicators are on and off track now, the period before and the same period a year earlier (said
plainly when those were not read); what is going well and what most needs attention; what members are asked to
do, who wrote the report and whom to contact. Every sentence is a statement (``figures.statements``): a fact
computed from the indicators and written by a rule that makes its words true, published beside the report and
checked by ``verify``; none is fixed text that could disagree with the figures.
"""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Definitions, Group, Heading, Items, Para, Span, anchor, table
from pipeline.report.pieces import Piece

NOT_GIVEN = "Not given for this report."
# The report's sections a statement links to, by anchor.
SECTIONS = {
    "indicators-off-track": "Indicators off track",
    "performance-against-target": "Performance against target",
    "annex-a-method": "Annex A: method",
    "how-we-compare": "How we compare",
    "is-the-change-real": "Is the change real?",
}
SUMMARY, GOING_WELL, NEEDS_ATTENTION = "front page: summary", "front page: going well", "front page: needs attention"


def front_page(
    organisation: str,
    title: str,
    period,
    facts: dict,
    statements,
    words: dict | None = None,
    preamble: str = "",
) -> Piece:
    """The report's first page. ``facts``: ``headlines.front_facts`` (the counts now and before, for the table);
    ``statements``: the report's statements (``statements.Statements``), of which the front page's sections are
    printed; ``words``: the front page's words (``asked``, ``author``, ``contact``); ``preamble``: any note above
    the data's header (a test file says there that it is synthetic), shown first."""
    words = words or {}
    note = (Para((f"Note at the top of the data: {preamble}",), "export-note"),) if preamble else ()
    blocks = [
        Group(
            "title-page",
            note
            + (
                Para((organisation,), "council"),
                Heading(1, (f"{title}: progress report",)),
                Para((period.title,), "period"),
            ),
        ),
        Heading(2, ("Summary",), anchor("Summary", set())),
        *[_summary(s) for s in statements.of(SUMMARY)],
        *_over_time(facts),
        Heading(3, ("Going well",)),
        Items(tuple(said(s) for s in statements.of(GOING_WELL))),
        Heading(3, ("Needs attention",)),
        Items(tuple(said(s) for s in statements.of(NEEDS_ATTENTION))),
        Heading(3, ("For the committee",)),
        Definitions(
            (
                (("Members are asked to",), (words.get("asked") or NOT_GIVEN,)),
                (("Report author",), (words.get("author") or NOT_GIVEN,)),
                (("Contact",), (words.get("contact") or NOT_GIVEN,)),
            ),
            "committee",
        ),
    ]
    return Piece(tuple(blocks), meta={"title": f"{title} progress report: {period.title}"})


def said(statement) -> tuple:
    """A statement as inline content: its sentence, and a link to the section that holds its evidence."""
    if statement.link in SECTIONS:
        return (statement.sentence, " ", Span("link", (SECTIONS[statement.link],), "#" + statement.link))
    return (statement.sentence,)


def _summary(statement) -> Para:
    """The summary's sentence, its shares in bold (the words are the statement's, whole)."""
    figures = statement.figures
    marked = [figures.get(k) for k in ("on_pct", "off_pct") if figures.get(k)]
    parts, rest = [], statement.sentence
    for share in marked:
        before, found, rest = rest.partition(share)
        if not found:
            return Para((statement.sentence,))
        parts += [before, Span("strong", (share,))]
    return Para(tuple(p for p in (*parts, rest) if p != ""))


def _over_time(facts: dict) -> list:
    """The counts now and before, as a table, or a note that no earlier period was read."""
    frame = facts["over_time"]
    earlier = [c for c in frame.columns if c not in ("measure", "This period") and not c.endswith(" %")]
    if not earlier:
        return [
            Para(
                (
                    "No earlier period's figures were read for this report (neither the previous quarter's nor "
                    "the same quarter's a year before), so there is no comparison over time.",
                ),
                "note",
            )
        ]
    shown = pd.DataFrame({"Indicators": frame["measure"]})
    for column in ["This period", *earlier]:
        shown[column] = [
            f"{int(n)} ({share:.1f}%)" if share is not None and not pd.isna(share) else str(int(n))
            for n, share in zip(frame[column], frame[f"{column} %"])
        ]
    out = [
        table(
            shown,
            "Indicators on and off track, this period and before",
            numeric=tuple(shown.columns[1:]),
            row_header="Indicators",
            style="keep",
            total=True,
        )
    ]
    missing = facts.get("not_read", [])
    if missing:
        out.append(Para((f"Not read for this report: {' and '.join(missing)}.",), "note"))
    return out
