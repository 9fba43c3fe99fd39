"""The front page a committee member reads in two minutes: the answer first.

How many indicators are on and off track now, the period before and the same period a year earlier (said
plainly when those were not read); what is going well and what most needs attention, in sentences written from
the figures, each naming its service; what members are asked to do, who wrote the report and whom to contact.
Every sentence comes from ``headlines`` and ``measure`` facts; none is fixed text that could disagree with them.
"""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Definitions, Group, Heading, Items, Para, Span, anchor, table
from pipeline.report.common import directorate_name
from pipeline.report.pieces import Piece

NOT_GIVEN = "Not given for this report."
# The body's sections a front-page sentence links to, by anchor.
SECTIONS = {
    "indicators-off-track": "Indicators off track",
    "performance-against-target": "Performance against target",
    "annex-a-method": "Annex A: method",
    "how-we-compare": "How we compare",
}


def front_page(
    organisation: str,
    title: str,
    period,
    facts: dict,
    names: dict | None = None,
    words: dict | None = None,
    preamble: str = "",
    compared: dict | None = None,
) -> Piece:
    """The report's first page. ``facts``: ``headlines.front_facts``; ``names``: directorate code -> full name;
    ``words``: the front page's words (``request.FRONT_PAGE``: ``asked``, ``author``, ``contact``);
    ``preamble``: any note above the data's header (a test file says there that it is synthetic), shown first;
    ``compared``: how many benchmark measures are in the top and bottom quartile (``compare.quartile_counts``)."""
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
        *_glance(facts),
        Heading(3, ("Going well",)),
        Items(
            tuple(going_well(facts, names, compared)[:MOST]) or (("Nothing stands out as going well in the figures.",),)
        ),
        Heading(3, ("Needs attention",)),
        Items(
            tuple(needs_attention(facts, names, compared)[:MOST]) or (("Nothing stands out as needing attention.",),)
        ),
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


def _glance(facts: dict) -> list:
    """The counts now and before, as a sentence and a table."""
    key = facts["key"]
    frame = facts["over_time"]
    out = []
    if key["assessed"]:
        out.append(
            Para(
                (
                    Span("strong", (key["on_pct"],)),
                    f" of the {key['assessed']} indicators with a status are achieved or on track ({key['on']}); ",
                    Span("strong", (key["off_pct"],)),
                    f" have slipped or not achieved their target ({key['off']}).",
                )
            )
        )
    else:
        out.append(Para((f"None of the {key['total']} indicators has a status to count as on or off track.",)))
    earlier = [c for c in frame.columns if c not in ("measure", "This period") and not c.endswith(" %")]
    if not earlier:
        out.append(
            Para(
                (
                    "No earlier period's figures were read for this report (neither the previous quarter's nor "
                    "the same quarter's a year before), so there is no comparison over time.",
                ),
                "note",
            )
        )
        return out
    shown = pd.DataFrame({"Indicators": frame["measure"]})
    for column in ["This period", *earlier]:
        shown[column] = [
            f"{int(n)} ({share:.1f}%)" if share is not None and not pd.isna(share) else str(int(n))
            for n, share in zip(frame[column], frame[f"{column} %"])
        ]
    out.append(
        table(
            shown,
            "Indicators on and off track, this period and before",
            numeric=tuple(shown.columns[1:]),
            row_header="Indicators",
            style="keep",
            total=True,
        )
    )
    missing = facts.get("not_read", [])
    if missing:
        out.append(Para((f"Not read for this report: {' and '.join(missing)}.",), "note"))
    return out


MOST = 4  # sentences under each of "Going well" and "Needs attention": the front page stays one page


def going_well(facts: dict, names: dict | None, compared: dict | None = None) -> list[tuple]:
    """Sentences about what is going well, each naming its service (at most ``MOST``, the first the weightiest)."""
    out = []
    if compared and compared["top"]:
        out.append(
            (
                f"Against {compared['group']}, {compared['top']} of the {compared['ranked']} measures compared are in "
                "the top quartile.",
                " ",
                _link("how-we-compare"),
            )
        )
    services = facts["services"]
    whole = services[(services["assessed"] >= 3) & (services["on"] == services["assessed"])]
    for row in whole.sort_values("assessed", ascending=False, kind="stable").head(2).itertuples():
        out.append(
            (
                f"All {row.assessed} indicators with a status of {directorate_name(row.directorate, names)} are "
                "achieved or on track.",
            )
        )
    ahead = facts["ahead"]
    if len(ahead):
        listed = "; ".join(
            f"{r.ref} {_short(r.measure)} ({directorate_name(r.directorate, names)}), "
            f"{r.better_pct:.1f}% better than target"
            for r in ahead.itertuples()
        )
        out.append((f"Furthest ahead of target: {listed}.", " ", _link("performance-against-target")))
    key = facts["key"]
    if key["change_points"] is not None and key["change_points"] > 0:
        out.append((f"The share achieved or on track is up {key['change_points']:.1f} points on {facts['previous']}.",))
    if key["improved"]:
        n = len(key["improved"])
        out.append(
            (
                f"{n} indicator{'s' if n != 1 else ''} moved to a better status since {facts['previous']}: "
                f"{_refs(key['improved'])}.",
            )
        )
    return out


def needs_attention(facts: dict, names: dict | None, compared: dict | None = None) -> list[tuple]:
    """Sentences about what most needs attention, each naming its service and linking to its section (at most
    ``MOST``, the first the weightiest: where the indicators off track are, what got worse since the period
    before, off-track indicators with no action, those furthest behind target, statuses the figures do not bear
    out, repeat misses)."""
    out = []
    key = facts["key"]
    services = facts["services"]
    most = services[services["off"] > 0].sort_values("off", ascending=False, kind="stable").head(2)
    if len(most):
        where = " and ".join(
            f"{directorate_name(r.directorate, names)} ({r.off} of its {r.assessed} with a status)"
            for r in most.itertuples()
        )
        out.append((f"Most indicators off track are in {where}.", " ", _link("indicators-off-track")))
    if key["worsened"]:
        n = len(key["worsened"])
        out.append(
            (
                f"{n} indicator{'s' if n != 1 else ''} moved to a worse status since {facts['previous']}: "
                f"{_refs(key['worsened'])}.",
            )
        )
    if compared and compared["bottom"]:
        out.append(
            (
                f"Against {compared['group']}, {compared['bottom']} of the {compared['ranked']} measures compared are "
                "in the bottom quartile.",
                " ",
                _link("how-we-compare"),
            )
        )
    without = services[services["off_without_action"] > 0]
    if len(without):
        total = int(without["off_without_action"].sum())
        where = ", ".join(
            f"{directorate_name(r.directorate, names)} ({r.off_without_action})" for r in without.itertuples()
        )
        out.append(
            (
                f"{total} indicator{'s' if total != 1 else ''} off track {'have' if total != 1 else 'has'} no "
                f"remedial action reported: {where}.",
                " ",
                _link("indicators-off-track"),
            )
        )
    behind = facts["behind"]
    if len(behind):
        listed = "; ".join(
            f"{r.ref} {_short(r.measure)} ({directorate_name(r.directorate, names)}), "
            f"{-r.better_pct:.1f}% worse than target"
            for r in behind.itertuples()
        )
        out.append((f"Furthest behind target: {listed}.", " ", _link("performance-against-target")))
    if key["disagree"]:
        n = len(key["disagree"])
        out.append(
            (
                f"{n} reported status{'es are' if n != 1 else ' is'} not borne out by the figures: "
                f"{_refs(key['disagree'])}.",
                " ",
                _link("annex-a-method"),
            )
        )
    if key.get("repeat"):
        out.append((f"{key['repeat']} of the indicators off track were off track in the period before too.",))
    if not key["assessed"] and key["no_figures"]:  # nothing can be called on or off track: say why
        reasons = "; ".join(f"{reason} ({n})" for reason, n in key["reasons"])
        out.append(
            (
                f"{key['no_figures']} indicators cannot be assessed against a target"
                + (f", most often because: {reasons}." if reasons else "."),
                " ",
                _link("annex-a-method"),
            )
        )
    return out


def _refs(labels: list[str], most: int = 4) -> str:
    """The first ``most`` refs, and how many more."""
    shown = ", ".join(labels[:most])
    return shown + (f" and {len(labels) - most} more" if len(labels) > most else "")


def _link(anchor: str) -> Span:
    return Span("link", (SECTIONS[anchor],), "#" + anchor)


def _short(text: str) -> str:
    """An indicator's name in a sentence: whole (print never cuts a name), on one line."""
    return " ".join(str(text).split())
