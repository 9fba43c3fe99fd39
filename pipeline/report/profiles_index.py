"""The index of a tree of profiles: every organisation, a link to its profile and its headline position, described
as blocks and written by the HTML renderer as a page of its own (``index.html`` at the profiles' output root)."""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Heading, Para, Span, table
from pipeline.report.formats import html

TITLE = "Profiles: how each organisation compares"
_STYLE = (
    "body{font-family:'DejaVu Sans',sans-serif;max-width:62rem;margin:0 auto;padding:1rem}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #8c8c8c;padding:.3em .45em;text-align:left}"
    "thead th{background:#e4ebf0}a{color:#00507a}caption{text-align:left;font-weight:bold}"
)


def index_blocks(entries: list) -> tuple:
    """The index as blocks. ``entries``: (code, its ``profiles.ProfileData``, its folder relative to the index,
    whether it is published), one an organisation, in the dataset's order."""
    rows = []
    for code, data, folder, published in entries:
        who = data.context["organisation_name"]
        said = data.headline.sentence if data.headline is not None else "No measure ranked."
        name = Span("link", (who,), f"{folder}/report.html") if published else f"{who} (not rendered)"
        rows.append({"Organisation": name, "Code": code, "Headline position": said})
    period = entries[0][1].period.title if entries else ""
    frame = pd.DataFrame(rows, columns=["Organisation", "Code", "Headline position"])
    return (
        Heading(1, (TITLE,)),
        Para(
            (
                f"{period}. {len(entries)} organisations; the figures of all of them are in ",
                Span("link", ("profiles.csv",), "profiles.csv"),
                ".",
            )
        ),
        table(frame, "Every organisation, with a link to its profile", row_header="Organisation", keep=False),
    )


def index_html(entries: list) -> bytes:
    """``index.html``: the index's blocks rendered by the HTML renderer in a page of its own (every text escaped)."""
    body = html.render(index_blocks(entries))
    page = (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.esc(TITLE)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n</main>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")
