"""The front of a period report: the title page, the headline figures and the key messages."""

from __future__ import annotations

import pandas as pd

from .blocks import Definitions, Group, Heading, Items, Para, Span
from .pieces import Piece


def title_page(
    council: str, plan: str, period_title: str, source: str, source_sha256: str, preamble: str = ""
) -> Piece:
    """The report's title block: organisation, plan and period, the export it was made from, and any note above
    the export's header (a test export says there that it is synthetic). The export's SHA-256 is for the
    auditor: it is in the provenance appendix, not on the committee's title page (``source_sha256`` is kept
    for the callers that show it elsewhere)."""
    note = (Para((f"Note at the top of the export: {preamble}",), "export-note"),) if preamble else ()
    blocks = note + (
        Para((council,), "council"),
        Heading(1, (f"{plan}: progress report",)),
        Para((period_title,), "period"),
        Definitions(
            (
                (("Made from",), (Span("code", (source,)),)),
                (
                    ("Checks",),
                    (
                        "every input with its SHA-256 is listed under ",
                        Span("link", ("Annex E: provenance",), "#annex-e-provenance"),
                    ),
                ),
            ),
            "source",
        ),
    )
    return Piece((Group("title-page", blocks),), meta={"title": f"{plan} progress report: {period_title}"})


def key_figures(headline: pd.DataFrame) -> Piece:
    """The two headline figures in large type, with their counts."""
    rows = headline.set_index("measure")
    on, off = rows.iloc[0], rows.iloc[1]
    assessed = int(rows.iloc[2]["count"])
    return Piece(
        (
            Group(
                "key-figures",
                (
                    Para(
                        (
                            Span("big", (str(on["percent"]),)),
                            f" achieved or on track ({int(on['count'])} of {assessed} indicators with a status)",
                        ),
                        "key on",
                    ),
                    Para(
                        (
                            Span("big", (str(off["percent"]),)),
                            f" slipped or not achieved ({int(off['count'])} of {assessed})",
                        ),
                        "key off",
                    ),
                ),
            ),
        )
    )


def _refs(labels: list[str], most: int = 4) -> str:
    shown = ", ".join(labels[:most])
    return shown + (f" and {len(labels) - most} more" if len(labels) > most else "")


def _groups(groups: list[tuple[str, int]], noun: str, names: dict | None = None, total: int | None = None) -> str:
    """``A (4) and B (3)``; a directorate with a known name reads ``Resources (RES, 4)``. When more than three
    groups share the top places: how many groups have any (``total``) and the most in one."""
    if len(groups) > 3:
        many = total if total is not None else len(groups)
        return f"spread across {many} {noun}s, the most in any one being {groups[0][1]}"
    return " and ".join(
        f"{names[code]} ({code}, {n})" if names and names.get(code) else f"{code} ({n})" for code, n in groups
    )


SECTION_NAMES = {
    "headline-summary": "Headline summary",
    "exceptions": "Exceptions",
    "status-not-supported-by-the-figures": "Status not supported by the figures",
    "changes-since-the-previous-quarter": "Changes since the previous quarter",
    "targets-actuals-and-variance": "Targets, actuals and variance",
}


def off_track_words(labels: dict | None) -> str:
    """How the key messages say "off track": in the organisation's own words for its statuses that mean slipped
    or not met; in plain words when it has none of its own or names them by number (``Scale.numbered``)."""
    own = [labels[c] for c in (3, 4) if labels and c in labels]
    if not own or getattr(labels, "numbered", False):
        return "have slipped or not achieved their target"
    return "are " + " or ".join(own)


def key_messages(facts: dict, previous=None, labels: dict | None = None, names: dict | None = None) -> Piece:
    """The key messages a committee reads first: plain sentences written from ``measure.key_facts``, each
    linking to the section that shows its evidence. No sentence is fixed text that could disagree with the data.
    ``labels``: the organisation's status words by meaning (None: plain words)."""
    items = []
    if facts["assessed"]:
        headline = (
            f"{facts['on_pct']} of the {facts['assessed']} indicators with a status are achieved or on track "
            f"({facts['on']}); {facts['off_pct']} ({facts['off']}) {off_track_words(labels)}."
        )
    else:  # an export with no status of its own and none derived: say so, and where its figures are
        total = facts.get("total", facts["not_assessed"])
        headline = (
            f"None of the {total} indicator{'s has' if total != 1 else ' has'} a status to count: the export "
            "gives none, so no share can be called on or off track; the figures it gives are listed in the "
            "appendix of all indicators."
        )
    if facts["change_points"] is not None:
        change = facts["change_points"]
        move = "unchanged" if change == 0 else f"{'up' if change > 0 else 'down'} {abs(change):.1f} points"
        headline += f" The share achieved or on track is {move} on {previous} ({facts['previous_on_pct']})."
    items.append(("headline-summary", headline))
    if facts["off"]:
        repeat = facts.get("repeat")
        items.append(
            (
                "exceptions",
                f"Of the {facts['off']} indicators off track, most are under "
                + ", and ".join(
                    f"{_groups(facts[key], noun, names if noun == 'directorate' else None, facts.get(key + '_count'))}"
                    f" by {noun}"
                    for key, noun in (("off_themes", "theme"), ("off_directorates", "directorate"))
                    # an export that names no theme (or no directorate) has no breakdown by it
                    if [name for name, _ in facts[key]] not in (["(none)"], ["(none given)"])
                )
                + "."
                + (
                    f" {repeat} of them {'were' if repeat != 1 else 'was'} off track in the previous period too."
                    if repeat is not None and previous is not None
                    else ""
                ),
            )
        )
    else:
        items.append(("exceptions", "No indicator is off track."))
    if facts["disagree"]:
        n = len(facts["disagree"])
        items.append(
            (
                "status-not-supported-by-the-figures",
                f"{n} reported status{'es are' if n > 1 else ' is'} not supported by the figures: "
                f"{_refs(facts['disagree'])}.",
            )
        )
    else:
        items.append(
            (
                "status-not-supported-by-the-figures",
                "Every reported status that can be checked against its figures is supported by them."
                if facts["assessed"]
                else "There is no reported status to hold against the figures.",
            )
        )
    if previous is not None:
        up, down = facts["improved"], facts["worsened"]
        text = (
            f"Since {previous}, {len(up)} indicator{'s' if len(up) != 1 else ''} moved to a better status and "
            f"{len(down)} to a worse one"
        )
        text += f" (worse: {_refs(down)})." if down else "."
        items.append(("changes-since-the-previous-quarter", text))
    else:
        items.append(
            (
                "changes-since-the-previous-quarter",
                "There is no earlier period beside this export, so nothing is compared.",
            )
        )
    if facts["not_assessed"] or facts["no_figures"]:
        reasons = "; ".join(f"{reason} ({n})" for reason, n in facts["reasons"])
        counted = (
            f"{facts['not_assessed']} indicator{'s have' if facts['not_assessed'] != 1 else ' has'} no "
            f"status to count, and {facts['no_figures']}"
            if facts["not_assessed"]
            else f"Every indicator has a status, but {facts['no_figures']}"
        )
        items.append(
            (
                "targets-actuals-and-variance",
                f"{counted} cannot be assessed against a target"
                + (f", most often because of: {reasons}." if reasons else "."),
            )
        )
    return Piece(
        (
            Items(
                tuple((text + " ", Span("link", (SECTION_NAMES[anchor],), "#" + anchor)) for anchor, text in items),
                style="key-messages",
            ),
        )
    )
