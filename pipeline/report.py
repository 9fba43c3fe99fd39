"""Stage 5a, report: the pieces of a committee report as safe HTML (and Typst, for the PDF), for the notebooks.

Everything that came from an export is escaped here: text from a council's
file never reaches a report as live HTML. Each piece is an object with a
``_repr_html_`` (and, for figures, ``_repr_mimebundle_``) so that a notebook
cell only has to name it.
"""

from __future__ import annotations

import base64
import html
import shlex
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from .schema import STATUS_LABELS
from .typeset import TYPST_MIME, chart, from_html


@dataclass(frozen=True)
class Html:
    """A fragment of report HTML, already escaped; ``meta`` travels with it in the notebook's output metadata
    (``council_report``) for the exporter: the document's title, for instance."""

    markup: str
    meta: dict | None = field(default=None, compare=False)
    print_markup: str | None = field(default=None, compare=False, repr=False)  # the PDF's version, when shorter

    def _repr_html_(self) -> str:
        return self.markup

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.markup, TYPST_MIME: self.typst()}
        return data, ({"council_report": self.meta} if self.meta else {})

    def typst(self) -> str:
        """The same piece as Typst markup, for the PDF (written from this HTML by ``typeset``; from its print
        version when a long listing is cut in print, see ``bounded``)."""
        return from_html(self.print_markup if self.print_markup is not None else self.markup)


@dataclass(frozen=True)
class Chart:
    """A chart: SVG, its text alternative and caption, and the file name it is saved under."""

    svg: str
    alt: str
    caption: str
    filename: str
    table: Html | None = field(default=None)

    def _repr_mimebundle_(self, include=None, exclude=None):
        # the SVG once, inside the HTML's data: URL (run publishes it as charts/<filename> from there)
        data = {"text/html": self.markup(), TYPST_MIME: self.typst(), "text/plain": self.alt}
        return data, {"council_report": {"chart_file": self.filename}}

    def typst(self) -> str:
        """The chart for the PDF: its SVG handed to Typst by name (not stored again), caption, alternative, table."""
        table = self.table.typst() if self.table is not None else ""
        return chart(self.svg, self.alt, self.caption) + table

    def markup(self) -> str:
        src = "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        table = self.table.markup if self.table is not None else ""
        return (
            f'<figure class="chart"><img src="{src}" alt="{esc(self.alt)}">'
            f"<figcaption>{esc(self.caption)}</figcaption></figure>{table}"
        )


# Where JupyterLab (and the classic notebook) put an output's HTML: the report's stylesheet is scoped to it.
LAB_SCOPE = ":is(.jp-OutputArea-output.jp-RenderedHTMLCommon, .output_html.rendered_html)"  # as specific as Lab's own


def lab_style() -> Html:
    """The report's stylesheet for a notebook opened in JupyterLab, so the pieces look there as they do in the
    published HTML: every rule scoped to Lab's rendered outputs (nothing of Lab's own page changes), print
    rules left out. The exporter drops this output (``lab_only``): the published HTML has the stylesheet itself."""
    from .paths import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "council" / "static" / "report.css").read_text(encoding="utf-8")
    return Html(f"<style>{scoped_css(css, LAB_SCOPE)}</style>", meta={"lab_only": True})


def scoped_css(css: str, scope: str) -> str:
    """``css`` with every selector under ``scope`` (``html``, ``body``, ``main`` and ``:root`` become the scope
    itself); ``@page`` and ``@media print`` blocks are left out, other ``@media`` blocks scoped inside."""
    import re

    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, i = [], 0
    while i < len(css):
        brace = css.find("{", i)
        if brace < 0:
            break
        head = css[i:brace].strip()
        depth, j = 1, brace + 1
        while depth and j < len(css):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        body = css[brace + 1 : j - 1]
        i = j
        if head.startswith("@"):
            if head.startswith("@media") and "print" not in head:
                out.append(f"{head} {{ {scoped_css(body, scope)} }}")
            continue
        selectors = []
        for selector in head.split(","):
            selector = selector.strip()
            if selector == "main":
                continue  # the published page's column: a notebook has its own
            root = re.match(r"^(html|body|main|:root)\b", selector)
            selectors.append(scope + selector[root.end() :] if root else f"{scope} {selector}")
        if selectors:
            out.append(f"{', '.join(selectors)} {{{body}}}")
    return "\n".join(out)


def esc(text) -> str:
    """Escape text for HTML, keeping line breaks as ``<br>``."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return html.escape(str(text), quote=True).replace("\n", "<br>")


STATUS_MARKS = {1: "\u25a0", 2: "\u25cf", 3: "\u25b2", 4: "\u25c6"}  # square, circle, triangle, diamond
NO_STATUS_MARK = "\u25cb"  # open circle


def status_badge(code, label: str) -> str:
    """A status as a word with a shape before it (colour is only a third cue, never the only one)."""
    if code is None or pd.isna(code):
        mark, cls = NO_STATUS_MARK, "none"
    else:
        mark, cls = STATUS_MARKS[int(code)], str(int(code))
    label = label if str(label).strip() else "Not assessed"  # an export with no status column gives no word
    return f'<span class="status status-{cls}"><span class="mark" aria-hidden="true">{mark}</span>{esc(label)}</span>'


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    numeric: tuple[str, ...] = (),
    row_header: str | None = None,
    html_columns: tuple[str, ...] = (),
    css_class: str = "",
    widths: dict[str, str] | None = None,
    keep: bool | None = None,
) -> Html:
    """An accessible HTML table: caption, ``th scope=col`` headers, an optional row header column.

    ``keep``: print the table whole on one page; by default short tables (12 rows or fewer) and those of
    class ``keep`` or ``crosstab`` are; False lets a table of tall rows break between rows instead of leaving
    most of a page empty.

    Cell text is escaped unless its column is named in ``html_columns`` (cells
    that a function of this module already built). ``widths`` maps column to a
    CSS width so long text wraps instead of running off the page.
    """
    widths = widths or {}
    cols = list(frame.columns)
    head = "".join(f'<th scope="col"{_width(widths.get(c))}{_num(c, numeric)}>{esc(c)}</th>' for c in cols)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for c, value in zip(cols, row):
            text = value if c in html_columns else esc(value)
            attrs = _num(c, numeric)
            if c == row_header:
                cells.append(f'<th scope="row"{attrs}>{text}</th>')
            else:
                cells.append(f"<td{attrs}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cls = f' class="{esc(css_class)}"' if css_class else ""
    markup = (
        f"<table{cls}><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    # On a narrow screen a wide table scrolls inside its own region (keyboard-focusable, named by its
    # caption), never the page; short tables print whole, with their caption.
    if keep is None:
        keep = css_class in ("keep", "crosstab") or len(frame) <= 12
    keep = " keep-together" if keep else ""
    markup = f'<div class="table-wrap{keep}" role="region" aria-label="{esc(caption)}" tabindex="0">{markup}</div>'
    return Html(markup)


def _num(column: str, numeric: tuple[str, ...]) -> str:
    return ' class="num"' if column in numeric else ""


def _width(width: str | None) -> str:
    return f' style="width:{width}"' if width else ""


def crosstab_table(counts: pd.DataFrame, caption: str, by_label: str, total_row: bool = True) -> Html:
    """A ``measure.status_by`` table as HTML, with the group as row header and (unless the rows are
    periods, which do not add up) a totals row."""
    frame = counts.reset_index().rename(columns={counts.index.name: by_label})
    numeric = tuple(c for c in frame.columns if c != by_label)
    if not total_row:
        return table(
            frame, caption, numeric=numeric, row_header=by_label, css_class="crosstab", widths={by_label: "34%"}
        )
    totals = {by_label: "All"} | {c: int(counts[c].sum()) for c in counts.columns}
    frame = pd.concat([frame, pd.DataFrame([totals])], ignore_index=True)
    return table_html_with_total(frame, caption, numeric, by_label)


def table_html_with_total(frame: pd.DataFrame, caption: str, numeric: tuple[str, ...], row_header: str) -> Html:
    markup = table(
        frame, caption, numeric=numeric, row_header=row_header, css_class="crosstab", widths={row_header: "34%"}
    ).markup
    # The last row is the total: mark it so it prints bold and reads as a total.
    head, sep, last = markup.rpartition("<tr>")
    return Html(head + sep.replace("<tr>", '<tr class="total">') + last)


def title_page(council: str, plan: str, period_title: str, source: str, source_sha256: str, preamble: str = "") -> Html:
    """The report's title block: council, plan and period, the export it was made from, and any note above
    the export's header (a test export says there that it is synthetic). The export's SHA-256 is for the
    auditor: it is in the provenance appendix, not on the committee's title page (``source_sha256`` is kept
    for the callers that show it elsewhere)."""
    note = f'<p class="export-note" role="note">Note at the top of the export: {esc(preamble)}</p>' if preamble else ""
    return Html(
        '<header class="title-page">' + note + f'<p class="council">{esc(council)}</p>'
        f"<h1>{esc(plan)}: progress report</h1>"
        f'<p class="period">{esc(period_title)}</p>'
        '<dl class="source">'
        f"<dt>Made from</dt><dd><code>{esc(source)}</code></dd>"
        '<dt>Checks</dt><dd>every input with its SHA-256 is listed under <a href="#appendix-provenance">Appendix: provenance</a></dd>'
        "</dl></header>",
        meta={"title": f"{plan} progress report: {period_title}"},
    )


def key_figures(headline: pd.DataFrame) -> Html:
    """The two headline figures in large type, with their counts."""
    rows = headline.set_index("measure")
    on, off = rows.iloc[0], rows.iloc[1]
    assessed = int(rows.iloc[2]["count"])
    return Html(
        '<div class="key-figures">'
        f'<p class="key on"><span class="big">{esc(on["percent"])}</span> achieved or on track '
        f"({int(on['count'])} of {assessed} indicators with a status)</p>"
        f'<p class="key off"><span class="big">{esc(off["percent"])}</span> slipped or not achieved '
        f"({int(off['count'])} of {assessed})</p></div>"
    )


def paragraph(text: str) -> Html:
    """A paragraph of narrative built from figures (the text is escaped)."""
    return Html(f"<p>{esc(text)}</p>")


# A listing in the PDF (all indicators, the variance table, the exceptions, the findings) holds at most this many
# rows; the HTML and the CSVs hold every one. Typst's cost grows with every cell: a 10,000-indicator export's
# full listings were 1,720 pages and 7.7 GB. The PDF says where it cuts.
PRINT_ROWS = 500


def bounded(rows: pd.DataFrame, build, what: str, where: str = "indicators.csv") -> Html:
    """``build(rows)`` (the piece's markup) for the HTML; for the PDF, when there are more than ``PRINT_ROWS``
    rows, ``build`` of the first ``PRINT_ROWS`` and a sentence saying how many of how many ``what`` are printed
    and where all of them are."""
    markup = build(rows)
    if len(rows) <= PRINT_ROWS:
        return Html(markup)
    note = (
        f'<p class="note">The printed report lists the first {PRINT_ROWS:,} of the {len(rows):,} {esc(what)}; '
        f"all of them are in the HTML report and in {esc(where)}.</p>"
    )
    return Html(markup, print_markup=note + build(rows.head(PRINT_ROWS)))


def joined(pieces: list[Html]) -> Html:
    """Pieces one after another, in the HTML and (each in its print version) in the PDF."""
    printed = [p.print_markup if p.print_markup is not None else p.markup for p in pieces]
    cut = any(p.print_markup is not None for p in pieces)
    return Html("".join(p.markup for p in pieces), print_markup="".join(printed) if cut else None)


def link(href: str, text: str) -> Html:
    """A paragraph with one link to a file published beside the report. It is marked ``data-published``, so an
    export of the notebook made on its own (papermill and nbconvert, without ``run``) says the file is not
    there instead of linking to nothing (``render.published_only``)."""
    return Html(f'<p data-published="{esc(href)}"><a href="{esc(href)}">{esc(text)}</a></p>')


# --- The sections of the Council Plan report -------------------------------------------------


def headline_table(headline: pd.DataFrame, period=None) -> Html:
    """The headline counts and percentages as a table (``period``: a quarter never says year-end)."""
    frame = headline.rename(columns={"measure": "Indicators", "count": "Number", "percent": "Percent of assessed"})
    when = "year-end status" if period is None or period.is_year_end else f"status at {period}"
    return table(
        frame,
        f"Headline summary: indicators by {when}",
        numeric=("Number", "Percent of assessed"),
        row_header="Indicators",
        css_class="keep",
    )


def status_table(counts: pd.DataFrame) -> Html:
    """Counts by status 1-4, then the statuses counted apart."""
    frame = pd.DataFrame(
        {
            "Status": [status_badge(c, s) for c, s in zip(counts["status_code"], counts["status"])],
            "Number": counts["count"],
            "Percent of assessed": counts["percent"],
        }
    )
    return table(
        frame,
        "Indicators by status",
        numeric=("Number", "Percent of assessed"),
        html_columns=("Status",),
        css_class="keep",
    )


def summary_check(comparison: pd.DataFrame, expected: bool = True) -> Html:
    """How the export's own summary compares with the figures computed from its rows. ``expected``: the
    layout's exports end with a summary (the Council Plan's do; a typed table carries none)."""
    if comparison.empty and not expected:
        return paragraph(
            "This export carries no summary of its own, so every figure above is computed from "
            "its rows and there is nothing to check them against."
        )
    if comparison.empty:
        return Html(
            '<p class="findings-warn">The export has no summary of its own (it may be truncated), '
            "so there is nothing to check the figures above against.</p>"
        )
    verdict = {True: "Agrees", False: "Differs"}
    frame = pd.DataFrame(
        {
            "Summary line": comparison["label"],
            "The export says": comparison["export_value"],
            "Computed from its rows": comparison["computed_value"],
            "Check": [("Not checked" if pd.isna(a) else verdict[bool(a)]) for a in comparison["agrees"]],
            "Source line": comparison["source_line"],
        }
    )
    if comparison["agrees"].fillna(False).all():
        note = (
            '<p class="findings-ok">Every figure in the export\'s own summary agrees with the figures '
            "computed from its rows.</p>"
        )
    else:
        note = (
            '<p class="findings-warn">The export\'s own summary does not agree with its rows. '
            "This report uses the figures computed from the rows; the export's figures are quoted "
            "only in this table.</p>"
        )
    return Html(
        note
        + table(
            frame,
            "The export's own summary, checked against its rows",
            numeric=("The export says", "Computed from its rows", "Source line"),
            row_header="Summary line",
            css_class="keep",
        ).markup
    )


def status_chart(crosstab: pd.DataFrame, by: str, filename: str, labels: dict | None = None) -> Chart | Html:
    """A stacked bar chart of status by ``by``, with its text alternative and its table beside it.

    A chart holds at most ``charts.MAX_STATUS_GROUPS`` bars, so its labels stay readable on paper; with more
    groups it draws those with the most indicators off track and says so, and the table keeps every group.
    """
    from .charts import MAX_STATUS_GROUPS, status_bars, status_bars_alt, to_svg
    from .measure import most_off_track

    if list(crosstab.index) in (["(none)"], ["(none given)"]):
        return paragraph(f"The export names no {by} for any indicator, so there is no breakdown by {by}.")
    title = f"Indicator status by {by}"
    drawn = most_off_track(crosstab, MAX_STATUS_GROUPS, labels)
    if len(drawn) < len(crosstab):
        plural = _plural(by)
        title = f"The {len(drawn)} {plural} with the most indicators off track"
        caption = (
            f"{title}, of {len(crosstab)} {plural}; each bar is one {by}, segments count indicators by "
            f"status. The table below gives every {by}."
        )
    else:
        caption = (
            f"{title}. Each bar is one {by}; segments count indicators by status. "
            "The table below gives the same figures."
        )
    return Chart(
        svg=to_svg(status_bars(drawn, title, labels)),
        alt=status_bars_alt(drawn, by, labels),
        caption=caption,
        filename=filename,
        table=crosstab_table(
            crosstab,
            f"Indicator status by {by} (the figures in the chart above"
            + (", and every other " + by if len(drawn) < len(crosstab) else "")
            + ")",
            by.capitalize(),
        ),
    )


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"


def _ref_column(frame: pd.DataFrame) -> list[str]:
    from .schema import ref_label

    return [ref_label(r, p) for r, p in zip(frame["ref"], frame["part"])]


def _anchors(refs: list[str]) -> list[str]:
    """The id of each indicator's block of full text, unique within the report: ``exception-12-1-2`` for
    ``12.1 (2)``. Refs that differ only in punctuation or case (``A.1`` and ``A-1``, ``A1`` and ``a1``) or have no
    letter or digit in ASCII get a short hash of the ref, so that each link goes to its own block."""
    import hashlib
    import re

    used: set[str] = set()
    anchors = []
    for ref in refs:
        base = "exception-" + (re.sub(r"[^A-Za-z0-9]+", "-", ref).strip("-").lower() or "ref")
        name, n = base, 1
        while name in used:
            name = f"{base}-{hashlib.sha256(ref.encode('utf-8')).hexdigest()[:8]}" + (f"-{n}" if n > 1 else "")
            n += 1
        used.add(name)
        anchors.append(name)
    return anchors


def _first_sentence(text: str, width: int = 160) -> str:
    import re

    first = re.split(r"(?<=[.!?])\s+", " ".join(str(text).split()), maxsplit=1)[0]
    return _short(first, width)


def _periods_off(row) -> str:
    count = getattr(row, "off_track_periods", None)
    if count is None or pd.isna(count):
        return ""
    return f"at least {int(count)}" if bool(getattr(row, "off_track_at_least", False)) else str(int(count))


def directorate_name(code: str, names: dict | None) -> str:
    """A directorate as a committee reads it: ``Resources (RES)`` when its name is known, else the code."""
    if not code:
        return "(none given)"
    name = (names or {}).get(code)
    return f"{name} ({code})" if name and name != code else code


def exceptions_summary(exceptions: pd.DataFrame, names: dict | None = None) -> Html:
    """One row per off-track indicator, grouped by theme: ref (a link to its full text below), measure,
    directorate, status and RAG (word and shape), target, actual, variance, how many consecutive periods it has
    been off track, and the first sentence of its remedial action."""
    if exceptions.empty:
        return paragraph("No indicator slipped or missed its target in this period.")
    return bounded(exceptions, lambda rows: _exceptions_summary_markup(rows, names), "off-track indicators")


def _exceptions_summary_markup(exceptions: pd.DataFrame, names: dict | None) -> str:
    parts = []
    exceptions = exceptions.reset_index(drop=True)
    anchors = pd.Series(_anchors(_ref_column(exceptions)), index=exceptions.index)
    for theme, group in exceptions.groupby("theme", sort=False):
        refs = _ref_column(group)
        frame = pd.DataFrame(
            {
                "Ref": [f'<a href="#{a}">{esc(r)}</a>' for r, a in zip(refs, anchors[group.index])],
                "Indicator": [_short(m, 90) for m in group["measure"]],
                "Direc\u00adtorate": [directorate_name(d, names) for d in group["directorate"]],
                "Status": [status_badge(_code_of(r), r.status) for r in group.itertuples(index=False)],
                "RAG": [rag_badge(r) for r in group.get("rag", pd.Series([""] * len(group)))],
                "Target": [
                    number(t, u)
                    for t, u in zip(group.get("target", [None] * len(group)), group.get("unit", [""] * len(group)))
                ],
                "Actual": [
                    number(a, u)
                    for a, u in zip(group.get("actual", [None] * len(group)), group.get("unit", [""] * len(group)))
                ],
                "Vari\u00adance": [
                    number(v, u, signed=True)
                    for v, u in zip(group.get("variance", [None] * len(group)), group.get("unit", [""] * len(group)))
                ],
                "Periods off track": [_periods_off(r) for r in group.itertuples(index=False)],
                "Remedial action (first sentence)": [
                    _first_sentence(t) if t else "None given in the export." for t in group["remedial"]
                ],
            }
        )
        parts.append(
            table(
                frame,
                f"{theme or 'No theme'}: {len(frame)} off track",
                row_header=None,
                numeric=("Target", "Actual", "Vari\u00adance", "Periods off track"),
                html_columns=("Ref", "Status", "RAG"),
                css_class="figures",
                keep=False,
                # fixed layout: the widths and the cells' padding together must stay inside the page
                widths={
                    "Ref": "5%",
                    "Indicator": "14%",
                    "Direc\u00adtorate": "13%",
                    "Status": "10%",
                    "RAG": "6%",
                    "Target": "9%",
                    "Actual": "9%",
                    "Vari\u00adance": "8%",
                    "Periods off track": "7%",
                    "Remedial action (first sentence)": "15%",
                },
            ).markup
        )
    return "".join(parts)


def exceptions_table(exceptions: pd.DataFrame) -> Html:
    """Every slipped or not-achieved indicator as a block: measure, status, progress and remedial text (in
    print, the first ``PRINT_ROWS``)."""
    if exceptions.empty:
        return paragraph("No indicator slipped or missed its target in this period.")
    return bounded(exceptions, _exceptions_markup, "off-track indicators")


def _exceptions_markup(exceptions: pd.DataFrame) -> str:
    blocks = []
    refs = _ref_column(exceptions)
    for ref, anchor, row in zip(refs, _anchors(refs), exceptions.itertuples(index=False)):
        remedial = esc(row.remedial) if row.remedial else '<span class="note">None given in the export.</span>'
        blocks.append(
            f'<article class="exception" id="{anchor}">'
            f'<h3><span class="ref">{esc(ref)}</span> {esc(row.measure)}</h3>'
            f'<p class="meta">{status_badge(_code_of(row), row.status)}'
            f" &middot; {esc(row.directorate or 'no directorate given')} &middot; {esc(row.theme)}"
            f" &middot; source line {int(row.source_line)}</p>"
            + _figures_line(row)
            + f'<p class="label">Progress</p><p>{esc(row.progress) or "None given in the export."}</p>'
            f'<p class="label">Slippage / remedial action</p><p>{remedial}</p>'
            "</article>"
        )
    return f'<p class="lead-in">{len(blocks)} indicators slipped or did not achieve their target.</p>' + "".join(blocks)


def _code_of(row):
    """A row's status code; a frame without one (built by hand) is read by the Council Plan's labels."""
    code = getattr(row, "status_code", None)
    if code is None or pd.isna(code):
        return {label: c for c, label in STATUS_LABELS.items()}.get(row.status)
    return code


def _figures_line(row) -> str:
    if getattr(row, "rag", ""):
        return (
            f'<p class="meta">Target {esc(number(row.target, row.unit))}, actual {esc(number(row.actual, row.unit))} '
            f"({rag_badge(row.rag)}, variance {esc(number(row.variance, row.unit, signed=True))})</p>"
        )
    return ""


def findings_section(findings: pd.DataFrame) -> Html:
    """The data-quality findings: a count by kind, then every finding with its source line."""
    from .measure import finding_counts

    if findings.empty:
        return paragraph("Cleaning found nothing unusual in the export.")
    counts = finding_counts(findings).rename(columns={"check": "Finding", "count": "Number"})
    by_kind = table(counts, "Data-quality findings by kind", numeric=("Number",), row_header="Finding")
    listed = bounded(findings, lambda rows: _findings_markup(rows, len(findings)), "findings", "data_quality.csv")
    return joined([by_kind, listed])


def _findings_markup(findings: pd.DataFrame, total: int) -> str:
    detail = pd.DataFrame(
        {
            "Line": findings["source_line"],
            "Ref": findings["ref"],
            "Finding": findings["check"],
            "What was found": findings["finding"],
            "What was done": findings["action_taken"],
        }
    )
    return table(
        detail,
        f"All {total} data-quality findings, by source line",
        numeric=("Line",),
        css_class="findings",
        widths={"Line": "3em", "Ref": "3.5em", "Finding": "9em"},
    ).markup


def appendix_table(indicators: pd.DataFrame, heading: str = "Outcome / success criteria") -> Html:
    """Every indicator, grouped under its theme, with status and directorate (in print, the first
    ``PRINT_ROWS``: see ``bounded``). ``heading``: the organisation's word for the indicator column
    (``Layout.measure_heading``). When some indicators have figures that no other section shows (an actual with
    no target to assess it against: an actuals-only table), their target and actual are listed here too, and
    the period of each row where the export gives one."""
    figures = "actual" in indicators and bool((indicators["actual"].notna() & (indicators["rag"] == "")).any())
    targets = figures and bool(indicators["target"].notna().any())
    return bounded(indicators, lambda rows: _appendix_markup(rows, heading, figures, targets), "indicators")


def _appendix_markup(indicators: pd.DataFrame, heading: str, figures: bool, targets: bool) -> str:
    parts = []
    for theme, group in indicators.groupby("theme", sort=False):
        columns = {"Ref": _ref_column(group), heading: group["measure"], "Directorate": group["directorate"]}
        if "row_period" in group:
            columns["Period"] = group["row_period"]
        if figures:
            units = group.get("unit", pd.Series([""] * len(group), index=group.index))
            if targets:
                columns["Target"] = [number(t, u) for t, u in zip(group["target"], units)]
            columns["Actual"] = [number(a, u) for a, u in zip(group["actual"], units)]
        has_actual = group["actual"].notna() if "actual" in group else pd.Series(False, index=group.index)
        columns |= {
            "Status": [status_badge(c, s) for c, s in zip(group["status_code"], group["status"])],
            "RAG": [
                rag_badge(r) if r else ("not assessed" if a else rag_badge(r)) for r, a in zip(group["rag"], has_actual)
            ],
            "Direction of travel": group["direction"],
            "Line": group["source_line"],
        }
        frame = pd.DataFrame(columns)
        parts.append(
            table(
                frame,
                f"{theme or 'No theme'}: {len(frame)} indicators",
                row_header="Ref",
                numeric=("Line", "Target", "Actual"),
                html_columns=("Status", "RAG"),
                css_class="appendix",
                widths={
                    "Ref": "3.5em",
                    "Directorate": "6em",
                    "Status": "9em",
                    "RAG": "6em",
                    "Direction of travel": "5.5em",
                    "Line": "3em",
                },
            ).markup
        )
    return "".join(parts)


# --- Figures: variance, RAG, status check, coverage -------------------------------------------

RAG_MARKS = {"green": "\u25cf", "amber": "\u25b2", "red": "\u25a0"}  # circle, triangle, square


def rag_badge(rag: str) -> str:
    """RAG as a word with a shape; empty RAG reads 'no figures'."""
    if not rag or rag not in RAG_MARKS:
        return '<span class="rag rag-none">no figures</span>'
    return (
        f'<span class="rag rag-{esc(rag)}"><span class="mark" aria-hidden="true">{RAG_MARKS[rag]}</span>'
        f"{esc(rag.capitalize())}</span>"
    )


GIVEN_DECIMALS = 3  # a figure written with at most this many decimals is printed as written
READING_DECIMALS = 2  # one with more (71.8543046358, or a sum's float noise) is rounded to this many, half up


def number(value, unit: str = "", signed: bool = False) -> str:
    """A figure as printed in the report: thousands separators, the decimals it was given with (up to
    ``GIVEN_DECIMALS``; more are rounded half up to ``READING_DECIMALS`` for reading, the CSVs keep them all),
    its unit."""
    if value is None or pd.isna(value):
        return ""
    exact = Decimal(repr(float(value)))  # the shortest decimal that is this float: 0.1 + 0.2 -> 0.30000000000000004
    if -exact.as_tuple().exponent > GIVEN_DECIMALS:
        exact = exact.quantize(Decimal(1).scaleb(-READING_DECIMALS), rounding=ROUND_HALF_UP)
    text = f"{exact:+,f}" if signed else f"{exact:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0"):
        text = "0" if not signed else "+0"
    if unit == "%":
        return text + "%" if not signed else text + " pts"
    if unit.startswith("per"):
        return f"{text} {unit}"
    return text


def _percent(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):+.1f}%"


def variance_chart(
    indicators: pd.DataFrame, source: str = "text", heading: str = "Outcome / success criteria"
) -> Chart | Html:
    """The variance chart of the assessed indicators with a non-zero target, and the table of all of them.

    The chart holds at most ``charts.MAX_VARIANCE_BARS`` bars so that its labels stay readable on paper; with
    more indicators it draws those furthest below target and says so; the table keeps every indicator.
    """
    from .charts import MAX_VARIANCE_BARS, better_pct, to_svg, variance_bars, variance_bars_alt
    from .schema import ref_label

    drawn = indicators[(indicators["rag"] != "") & indicators["variance_pct"].notna()].copy()
    if drawn.empty:
        return paragraph("No indicator has both a target and an actual, so there is no variance to chart.")
    drawn["ref"] = [ref_label(r, p) for r, p in zip(drawn["ref"], drawn["part"])]
    drawn["better_pct"] = [better_pct(float(v), p) for v, p in zip(drawn["variance_pct"], drawn["polarity"])]
    total = len(drawn)
    if total > MAX_VARIANCE_BARS:  # the furthest below target, ties in export order
        drawn = drawn.sort_values("better_pct", kind="stable").head(MAX_VARIANCE_BARS)
    drawn = drawn.sort_values("better_pct", ascending=False, kind="stable")
    # a label fits beside the bars whatever the ref: a long ref (a 60-character code) is cut too (the table below
    # and the text alternative give it whole)
    drawn["label"] = [f"{_short(r, 12)}  {_short(m)}" for r, m in zip(drawn["ref"], drawn["measure"])]
    zero = int(((indicators["rag"] != "") & indicators["variance_pct"].isna()).sum())
    if len(drawn) < total:
        title = f"The {len(drawn)} indicators furthest below target"
        caption = (
            f"The {len(drawn)} indicators furthest below target, of {total} with a variance, as a percentage "
            "of the target, turned so that right of zero is better whatever the polarity."
        )
    else:
        title = "Variance from target (right is better)"
        caption = (
            f"Variance from target for {total} indicators, as a percentage of the target, turned so that "
            "right of zero is better whatever the polarity."
        )
    caption += (
        (
            f" {zero} indicator(s) with a target of zero cannot be shown as a percentage and are in the table only."
            if zero
            else ""
        )
        + " The table below gives every figure"
        + (" of every indicator." if len(drawn) < total else ".")
    )
    return Chart(
        svg=to_svg(variance_bars(drawn, title)),
        alt=variance_bars_alt(drawn),
        caption=caption,
        filename="variance_from_target.svg",
        table=variance_table(indicators[indicators["rag"] != ""], source, heading),
    )


def _short(text: str, width: int = 42) -> str:
    """``text`` on one line, cut at the last space before ``width`` with an ellipsis: never inside a word
    (a first word longer than ``width`` is cut, as nothing shorter could stand for it)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    head = text[: width + 1]  # a space just after the width still ends a whole word
    cut = head.rsplit(" ", 1)[0] if " " in head else text[: width - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def variance_table(rows: pd.DataFrame, source: str = "text", heading: str = "Outcome / success criteria") -> Html:
    """Target, actual, variance, RAG, status check and direction of each assessed indicator, with sources (in
    print, the first ``PRINT_ROWS``)."""
    return bounded(rows, lambda part: _variance_markup(part, source, len(rows), heading), "indicators assessed")


def _variance_markup(rows: pd.DataFrame, source: str, total: int, heading: str) -> str:
    frame = pd.DataFrame(
        {
            "Ref": _ref_column(rows),
            heading: [_short(m, 70) for m in rows["measure"]],
            "Target": [number(t, u) for t, u in zip(rows["target"], rows["unit"])],
            "Actual": [number(a, u) for a, u in zip(rows["actual"], rows["unit"])],
            "Variance": [number(v, u, signed=True) for v, u in zip(rows["variance"], rows["unit"])],
            "Variance %": [_percent(v) for v in rows["variance_pct"]],
            "Better": [{"higher": "higher", "lower": "lower"}.get(p, "") for p in rows["polarity"]],
            "RAG": [rag_badge(r) for r in rows["rag"]],
            "Status check": [
                c or ("judge\u00adment" if n else "") for c, n in zip(rows["status_check"], rows["status_check_note"])
            ],
            "Direction": rows["direction"],
            "Source": ["register" if r else {"columns": "export"}.get(source, source) for r in rows["from_register"]],
        }
    )
    return table(
        frame,
        f"Figures of the {total} indicators assessed against their target",
        row_header="Ref",
        numeric=("Target", "Actual", "Variance", "Variance %"),
        html_columns=("RAG",),
        css_class="figures",
        # fixed layout: widths plus cell padding must stay inside the page
        # border-box cells: padding is inside these widths; a figure such as 1,838,307 never breaks
        widths={
            "Ref": "6%",
            heading: "18%",
            "Target": "10%",
            "Actual": "10%",
            "Variance": "9%",
            "Variance %": "8%",
            "Better": "7%",
            "RAG": "9%",
            "Status check": "7%",
            "Direction": "9%",
            "Source": "7%",
        },
    ).markup


def disagreements_section(rows: pd.DataFrame, heading: str = "Outcome / success criteria") -> Html:
    """Every indicator whose reported status the figures do not support, then the judgement cases."""
    disagree = rows[rows["status_check"] == "disagrees"]
    judged = rows[rows["status_check_note"] != ""]
    parts = []
    if disagree.empty:
        ok = '<p class="findings-ok">For every indicator with figures, the reported status agrees with them.</p>'
        parts.append(Html(ok))
    else:
        parts.append(
            bounded(
                disagree,
                lambda part: _status_against_figures(
                    part,
                    heading,
                    "Actual",
                    "The figures say",
                    [_verdict(r) for r in part.itertuples(index=False)],
                    f"{len(disagree)} reported statuses not supported by the figures",
                ),
                "statuses not supported by the figures",
            )
        )
    if not judged.empty:
        parts.append(
            bounded(
                judged,
                lambda part: _status_against_figures(
                    part,
                    heading,
                    "Figure so far",
                    "Why it is not checked",
                    list(part["status_check_note"]),
                    f"{len(judged)} On Track statuses left to judgement",
                ),
                "statuses left to judgement",
            )
        )
    return joined(parts)


def _status_against_figures(
    rows: pd.DataFrame, heading: str, actual_label: str, say_label: str, say: list[str], caption: str
) -> str:
    frame = pd.DataFrame(
        {
            "Ref": _ref_column(rows),
            heading: rows["measure"],
            "Reported status": [status_badge(c, s) for c, s in zip(rows["status_code"], rows["status"])],
            "Target": [number(t, u) for t, u in zip(rows["target"], rows["unit"])],
            actual_label: [number(a, u) for a, u in zip(rows["actual"], rows["unit"])],
            say_label: say,
        }
    )
    return table(
        frame,
        caption,
        row_header="Ref",
        numeric=("Target", actual_label),
        html_columns=("Reported status",),
        css_class="figures",
        widths={
            "Ref": "8%",
            heading: "30%",
            "Reported status": "16%",
            "Target": "10%",
            actual_label: "10%",
        },
    ).markup


def _verdict(r) -> str:
    met = r.rag == "green"
    return ("target met" if met else f"target missed ({r.rag})") + (
        f", {r.direction} on the baseline" if r.direction else ""
    )


def coverage_section(coverage: pd.DataFrame, reasons: pd.DataFrame) -> Html:
    """How many indicators have figures and why the rest have none."""
    cov = coverage.rename(columns={"measure": "Indicators", "count": "Number"})
    why = reasons.rename(columns={"reason": "Why there is no assessment against a target", "count": "Indicators"})
    return Html(
        table(
            cov, "Coverage: indicators with figures", numeric=("Number",), row_header="Indicators", css_class="keep"
        ).markup
        + table(
            why, "Why the other indicators are not assessed against a target", numeric=("Indicators",), css_class="keep"
        ).markup
    )


# --- Quarters: changes since the previous period, the year so far -------------------------------


def changes_section(
    previous,
    changes: pd.DataFrame,
    labels: dict | None = None,
    unreadable: str = "",
    heading: str = "Outcome / success criteria",
) -> Html:
    """Indicators whose status changed since ``previous`` (a Period, or None when there is none).
    ``unreadable`` says why an earlier export beside this one could not be read, when one could not."""
    labels = STATUS_LABELS if labels is None else labels  # {}: a scale with no status words
    if unreadable:
        return Html(
            '<p class="findings-warn">The previous period could not be compared: '
            f"{esc(unreadable)}. The direction column compares each actual with its baseline instead.</p>"
        )
    if previous is None:
        return paragraph(
            "There is no earlier period beside this export, so there is nothing to compare with; "
            "the direction column compares each actual with its baseline instead."
        )
    if changes.empty:
        return paragraph(f"No indicator's status changed since {previous}.")
    frame = pd.DataFrame(
        {
            "Ref": _ref_column(changes),
            heading: [_short(m, 90) for m in changes["measure"]],
            f"Status at {previous}": [
                status_badge(c, labels.get(int(c), f"status {int(c)}")) for c in changes["previous_status_code"]
            ],
            "Status now": [status_badge(c, s) for c, s in zip(changes["status_code"], changes["status"])],
            "Direction": changes["direction"],
        }
    )
    return table(
        frame,
        f"{len(frame)} indicators whose status changed since {previous}",
        row_header="Ref",
        html_columns=(f"Status at {previous}", "Status now"),
        css_class="figures",
        widths={"Ref": "8%", heading: "40%"},
    )


def trend_chart(trend: pd.DataFrame, period, labels: dict | None = None) -> Chart | Html:
    """Status counts for each quarter of the year so far, as stacked bars, with the table."""
    from .charts import status_bars, status_bars_alt, to_svg

    if trend is None or trend.empty:
        return paragraph("No quarters to chart.")
    title = f"Indicator status by quarter, {period.year_label} so far"
    return Chart(
        svg=to_svg(status_bars(trend, title, labels)),
        alt=status_bars_alt(trend, "quarter", labels),
        caption=f"{title}. Each bar is one quarter's export; segments count indicators by status.",
        filename="status_by_quarter.svg",
        table=crosstab_table(trend, f"{title} (the figures in the chart above)", "Quarter", total_row=False),
    )


# --- The report's narrative, written from the layout --------------------------------------------


def narrative(section: str, layout, period) -> Html:
    """The paragraphs that introduce a section, in the words of the layout's organisation.

    ``section``: ``statuses`` (the status scale), ``directorate``, ``targets`` (where the figures come from
    and the RAG rule) or ``status_check``. For the Council Plan they are the report's long-standing text;
    a quarter's report never says year end.
    """
    labels = layout.labels
    council_plan = layout.kind == "council_plan"
    if section == "statuses":
        when = "a year-end status" if period.is_year_end else f"a status for {period}"
        if council_plan:
            scale = ", ".join(f"{code} {label}" for code, label in list(labels.items())[:-1])
            scale += f", or {list(labels)[-1]} {list(labels.values())[-1]}"
            return Html(
                f"<p>Each Council Plan indicator is given {esc(when)} by the service responsible for it: "
                f"{esc(scale)}. Percentages are of the indicators that have one of these four statuses; "
                "indicators whose status is missing or given as text are counted apart as "
                "<em>not assessed</em>.</p>"
            )
        if layout.derive_status:
            return Html(
                "<p>The export gives no status of its own. Each indicator's status is <em>derived from its "
                "figures</em>: target met; missed by no more than the tolerance; missed beyond it. It is "
                "marked as derived wherever it is shown. Indicators without a target, an actual and a "
                "polarity are counted apart as <em>not assessed</em>.</p>"
            )
        from .schema import STATUS_MEANINGS

        if not labels:
            return paragraph(
                "The export gives no status for its indicators (the layout maps no status column), and none is "
                "derived from the figures, so every indicator is counted as not assessed; its figures are "
                "listed in the appendix of all indicators."
            )
        scale = "; ".join(f"{label} ({STATUS_MEANINGS[code]})" for code, label in labels.items())
        apart = [w for w, code in layout.status.items() if code is None]
        return Html(
            f"<p>Each indicator in the export has {esc(when)} in the organisation's own words: {esc(scale)}. "
            "Percentages are of the indicators that have one of these statuses; indicators whose status is "
            + (f"given as {esc(', '.join(apart))}, " if apart else "")
            + "missing, or a word the layout does not map are counted apart as <em>not assessed</em>.</p>"
        )
    if section == "directorate":
        if council_plan:
            return paragraph("The directorate is the one named in the export's Responsibility column.")
        column = layout.columns.get("directorate")
        return paragraph(
            f"The directorate is the one named in the export's {column!r} column."
            if column
            else "The export names no directorate, so every indicator is counted under '(none given)'."
        )
    if section == "targets":
        rag = (
            "<p>RAG: <strong>green</strong> when the target is met, <strong>amber</strong> when it is missed by no "
            "more than the tolerance (5% of the target unless the register sets another), <strong>red</strong> "
            "beyond it. Direction compares the actual with the baseline, taking into account whether higher or "
            "lower is better.</p>"
        )
        if council_plan:
            return Html(
                "<p>Most indicators state a target (and often a baseline) in their outcome or success criteria, "
                "and the service reports the actual in its progress text. The pipeline reads these figures "
                "from the text only where the text is unambiguous; where it holds several candidate numbers, "
                "a date, a change rather than a level, or a confidence interval, the figure is left empty and "
                "the reason recorded. An analyst can fill or override any figure in the indicator register; "
                "figures from the register are marked as such.</p>" + rag
            )
        named = ", ".join(
            f"{field} ({layout.columns[field]!r})"
            for field in ("target", "actual", "baseline", "previous")
            if field in layout.columns
        )
        return Html(
            f"<p>The export gives the figures in columns of their own: {esc(named or 'none')}. A cell in words "
            "(Pending, N/A, No target) leaves the figure empty, with the reason recorded. An analyst can fill "
            "or override any figure in the indicator register beside the exports; figures from the register "
            "are marked as such.</p>" + rag
        )
    if section == "status_check":
        if not council_plan and not layout.labels:
            return paragraph(
                "The export gives no status of its own, so there is no reported status to hold against the figures."
            )
        if layout.derive_status:
            return paragraph(
                "The statuses in this report are derived from the figures, so there is no reported "
                "status to hold against them."
            )
        if council_plan:
            return paragraph(
                "Each reported status is held against the figures: statuses 1 (Achieved) and 2 (On Track) "
                "agree with a target that is met, statuses 3 (Slipped) and 4 (Not Achieved) with one that "
                "is missed. One case is left to judgement: an On Track status with a figure still short of "
                "a target that falls due after the period (a later year, or an academic year not yet over) "
                "is listed, not counted as a disagreement."
            )
        good = " and ".join(labels[c] for c in (1, 2) if c in labels) or "none"
        bad = " and ".join(labels[c] for c in (3, 4) if c in labels) or "none"
        return paragraph(
            f"Each reported status is held against the figures: {good} agree with a target that is met, "
            f"{bad} with one that is missed."
        )
    raise ValueError(f"no narrative for section {section!r}")


def method_section(layout, period) -> Html:
    """The method appendix: how statuses are counted, what an exception and a repeat miss are, how reported
    statuses are held against the figures, where the figures come from and the RAG rule, in the layout's words."""
    labels = layout.labels
    off = " or ".join(labels[c] for c in (3, 4) if c in labels) or "off track"
    exceptions = paragraph(
        f"An exception is an indicator whose status is {off}. Consecutive periods off track count this period and "
        "each period before it, newest first, whose export the report reads (the previous period and the earlier "
        "quarters of this year, found beside this export); the count stops at the first of them in which the "
        "indicator was not off track. When it was off track in every period read, the count is shown as "
        "\u201cat least\u201d that many, because the periods before were not read. Indicators are matched by "
        "their reference."
    )
    changes = paragraph(
        "Each indicator is compared with the latest earlier period whose export sits beside this one. The direction "
        "of travel is judged by the figures where both periods have an actual, otherwise by status; where there is "
        "no earlier period, the actual is compared with the baseline."
    )
    parts = [
        ("How statuses are counted", narrative("statuses", layout, period)),
        ("Exceptions and repeat misses", exceptions),
        ("Statuses held against the figures", narrative("status_check", layout, period)),
        ("Targets, actuals and RAG", narrative("targets", layout, period)),
        ("Directorates", narrative("directorate", layout, period)),
        ("Changes since the previous period", changes),
    ]
    return Html("".join(f"<h3>{esc(title)}</h3>{body.markup}" for title, body in parts))


def method_link(what: str) -> Html:
    """One sentence pointing to the method appendix, where the long explanation lives."""
    return Html(f'<p class="note">{esc(what)}: see <a href="#appendix-method">Appendix: method</a>.</p>')


# --- Glossary -------------------------------------------------------------------------------------


def glossary(indicators: pd.DataFrame, layout, names: dict | None) -> Html:
    """The organisation's codes: each directorate with its full name (from the layout or ``directorates.csv``;
    never guessed), the status scale in the organisation's words, the RAG rule and its tolerance."""
    from .measure import DEFAULT_TOLERANCE_PCT, ON_TRACK_CODES
    from .schema import STATUS_MEANINGS

    names = names or {}
    counts = indicators["directorate"].replace("", "(none given)").value_counts(sort=False)
    directorates = pd.DataFrame(
        {
            "Code": list(counts.index),
            "Name": [
                names.get(c, "not named in the export: add it to directorates.csv beside the export")
                if c != "(none given)"
                else ""
                for c in counts.index
            ],
            "Indicators": [int(n) for n in counts],
        }
    )
    labels = layout.labels
    scale = pd.DataFrame(
        {
            "Status": [status_badge(code, label) for code, label in labels.items()],
            "Means": [STATUS_MEANINGS[code] for code in labels],
            "Counted as": [
                "achieved or on track" if code in ON_TRACK_CODES else "off track (an exception)" for code in labels
            ],
        }
    )
    tolerances = indicators["tolerance_pct"].dropna() if "tolerance_pct" in indicators else pd.Series([], dtype=float)
    own = (
        f" {len(tolerances)} indicator(s) have a tolerance of their own in the indicator register."
        if len(tolerances)
        else ""
    )
    rag = (
        f"<p><strong>RAG</strong> is computed from the figures: green when the target is met; amber when it is "
        f"missed by no more than the tolerance, {DEFAULT_TOLERANCE_PCT:g}% of the target;{esc(own)} red when "
        "missed by more. Without a target, an actual and a polarity there is no RAG.</p>"
    )
    return Html(
        table(
            directorates,
            "Directorates",
            numeric=("Indicators",),
            row_header="Code",
            css_class="keep",
            widths={"Code": "12%", "Indicators": "12%"},
        ).markup
        + table(scale, "The status scale", html_columns=("Status",), css_class="keep").markup
        + rag
    )


# --- Key messages ---------------------------------------------------------------------------------


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


_SECTION_NAMES = {
    "headline-summary": "Headline summary",
    "exceptions": "Exceptions",
    "status-not-supported-by-the-figures": "Status not supported by the figures",
    "changes-since-the-previous-quarter": "Changes since the previous quarter",
    "targets-actuals-and-variance": "Targets, actuals and variance",
}


def key_messages(facts: dict, previous=None, labels: dict | None = None, names: dict | None = None) -> Html:
    """The key messages a committee reads first: plain sentences written from ``measure.key_facts``, each
    linking to the section that shows its evidence. No sentence is fixed text that could disagree with the data."""
    off_words = (
        ("are " + " or ".join(labels[c] for c in (3, 4) if c in labels))
        if labels and labels != STATUS_LABELS
        else "have slipped or not achieved their target"
    )
    items = []
    if facts["assessed"]:
        headline = (
            f"{facts['on_pct']} of the {facts['assessed']} indicators with a status are achieved or on track "
            f"({facts['on']}); {facts['off_pct']} ({facts['off']}) {off_words}."
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
    body = "".join(
        f'<li>{esc(text)} <a href="#{anchor}">{esc(_SECTION_NAMES[anchor])}</a></li>' for anchor, text in items
    )
    return Html(f'<ul class="key-messages">{body}</ul>')


# --- Provenance --------------------------------------------------------------------------------

REPORTED_PACKAGES = (
    "pandas",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "typst",
    "openpyxl",
    "charset-normalizer",
    "beautifulsoup4",
)


def provenance_section(
    inputs, parameters: dict, environment: dict, code_digest: str, version: str, git: dict | None = None
) -> Html:
    """Inputs with hashes, parameters, versions (the pipeline's with its git commit, from ``manifest.git_state``),
    and the exact commands that reproduce and check the report."""
    rows = pd.DataFrame(
        {
            "File": [i["path"] for i in inputs],
            "Bytes": [f"{int(i['size']):,}" for i in inputs],
            "SHA-256": [f"<code>{esc(i['sha256'])}</code>" for i in inputs],
        }
    )
    files = table(
        rows,
        "Inputs this report was made from",
        numeric=("Bytes",),
        html_columns=("SHA-256",),
        css_class="provenance",
        widths={"File": "38%", "Bytes": "10%"},
    ).markup
    params = table(
        pd.DataFrame({"Parameter": list(parameters), "Value": [str(v) for v in parameters.values()]}),
        "Parameters of the report notebook",
        row_header="Parameter",
    ).markup
    packages = environment.get("packages", {})
    versions = [("Python", environment.get("python", "")), ("council-plan-reports (this pipeline)", version)]
    versions.append(("Git commit of the pipeline", _commit_text(git)))
    versions += [(name, packages.get(name, "not installed")) for name in REPORTED_PACKAGES]
    fonts = (environment.get("system") or {}).get("fonts") or {}
    if fonts:
        versions.append(("Fonts of the PDF (in the repository; hashes in the manifest)", ", ".join(sorted(fonts))))
    version_rows = table(
        pd.DataFrame(versions, columns=["Software", "Version"]), "Software versions", row_header="Software"
    ).markup
    year = str(parameters.get("year", ""))
    quarter = str(parameters.get("quarter", ""))
    hidden = parameters.get("out", "outputs") == ""  # a folder outside the project: not named (it may carry a name)
    out = "DIR" if hidden else str(parameters.get("out", "outputs"))
    folder = f"{out}/{year.replace('/', '-')}/{quarter}"
    # every command runs as printed: shell-quoted (a file named 'q4 $(id).tsv' stays a name when pasted into a
    # shell), a value that starts with '-' joined to its flag (--input=-rf_x.tsv), a folder so named behind './'
    args = ["python", "-m", "pipeline", "run", "--year", year, "--quarter", quarter]
    args += _flag("--input", str(parameters.get("input_path", "")))
    for key, flag in (("register_path", "--register"), ("layout_path", "--layout"), ("council", "--council")):
        if parameters.get(key):
            args += _flag(flag, str(parameters[key]))
    if out != "outputs":
        args += ["--out", out] if hidden else _flag("--out", out)
    shown = folder if not folder.startswith("-") else "./" + folder
    run = shlex.join(args)
    verify = shlex.join(["python", "-m", "pipeline", "verify", shown])
    reproduce = shlex.join(["python", "-m", "pipeline", "reproduce", shown])
    commands = (
        "<p>From a clone of the pipeline at the commit above, with the inputs in place (<code>make venv</code> "
        "installs the pinned versions; prefix commands with <code>.venv/bin/</code>):</p><ul>"
        f"<li>Make this report again: <code>{esc(run)}</code></li>"
        f"<li>Check a published copy has not changed: <code>{esc(verify)}</code></li>"
        f"<li>Make it again in a temporary folder and compare every file: "
        f"<code>{esc(reproduce)}</code></li></ul>"
        + (
            "<p>DIR stands for the folder the report was published under: it is outside the pipeline's folder, "
            "and its path is not printed (it can carry a user's name).</p>"
            if hidden
            else ""
        )
        + f"<p>Pipeline code digest (SHA-256 of the code, templates, notebooks and locked dependencies): "
        f'<code class="code-digest">{esc(code_digest)}</code>.</p>'
        '<p data-published="manifest.json">The folder\'s <a href="manifest.json">manifest.json</a> also records every '
        "output file's SHA-256 and the version of every installed package.</p>"
    )
    return Html(files + params + version_rows + commands)


def _flag(flag: str, value: str) -> list[str]:
    """A flag and its value as a command line takes them: one word (``--input=-rf.tsv``) when the value starts
    with '-', which argparse would otherwise read as a flag of its own."""
    return [f"{flag}={value}"] if value.startswith("-") else [flag, value]


def _commit_text(git: dict | None) -> str:
    if not git or not git.get("git_commit"):
        return "not known (not made from a git clone)"
    return git["git_commit"] + (" with uncommitted changes" if git.get("uncommitted_changes") else "")


# --- Service Improvement Plans: milestone report ----------------------------------------------


def plan_title_page(council: str, plan: str, period_title: str, source: str, source_sha256: str) -> Html:
    """The title block of a milestone report."""
    return Html(
        '<header class="title-page">'
        + (f'<p class="council">{esc(council)}</p>' if council else "")
        + f"<h1>{esc(plan)}: Service Improvement Plan milestones</h1>"
        f'<p class="period">{esc(period_title)}</p>'
        '<dl class="source">'
        f"<dt>Made from</dt><dd><code>{esc(source)}</code></dd>"
        f"<dt>SHA-256</dt><dd><code>{esc(source_sha256)}</code></dd>"
        "</dl></header>",
        meta={"title": f"{plan} Service Improvement Plan milestones: {period_title}"},
    )


def milestone_counts(counts: pd.DataFrame, period) -> Html:
    frame = counts.rename(columns={"milestones": "Milestones", "count": "Number"})
    frame["Milestones"] = [m.replace("the period", str(period)) for m in frame["Milestones"]]
    return table(frame, f"Milestones against {period}", numeric=("Number",), row_header="Milestones", css_class="keep")


def milestone_table(rows: pd.DataFrame, caption: str, empty: str) -> Html:
    """Milestones with their priority, due text and date, success criteria and source line."""
    if rows.empty:
        return paragraph(empty)
    frame = pd.DataFrame(
        {
            "Due": [d or "no date" for d in rows["due_date"]],
            "Key action": rows["action"],
            "By when (as written)": rows["due_text"],
            "Development priority": [
                _short(p, 60) + (f" \u2014 {_short(g, 60)}" if g else "")
                for p, g in zip(rows["priority"], rows.get("group", [""] * len(rows)))
            ],
            "Outcomes and success criteria": [_short(s, 160) for s in rows["success_criteria"]],
            "Line": rows["source_line"],
        }
    )
    return table(
        frame,
        caption,
        numeric=("Line",),
        css_class="figures",
        widths={
            "Due": "10%",
            "Key action": "26%",
            "By when (as written)": "12%",
            "Development priority": "16%",
            "Outcomes and success criteria": "24%",
            "Line": "5%",
        },
    )


def milestone_timeline(classified: pd.DataFrame, period) -> Chart | Html:
    """The timeline of dated milestones by priority, with the per-priority table beside it."""
    from datetime import date

    from .charts import timeline, timeline_alt, to_svg
    from .plans.milestones import by_priority

    dated = classified[classified["due_date"] != ""].copy()
    if dated.empty:
        return paragraph("No milestone in this plan has a date, so there is no timeline.")
    dated["due"] = [date.fromisoformat(d) for d in dated["due_date"]]
    dated["priority_label"] = [_short(p, 60) for p in dated["priority"]]
    title = "Milestones by development priority"
    counts = by_priority(classified)
    counts.index = [_short(p, 60) for p in counts.index]
    counts.index.name = "priority"
    return Chart(
        svg=to_svg(timeline(dated, period.start_date, period.end_date, title)),
        alt=timeline_alt(dated, str(period)),
        caption=f"{title}: each mark is a dated milestone; the shaded band is {period}. "
        "Undated milestones are counted in the table below.",
        filename="milestone_timeline.svg",
        table=crosstab_table(counts, "Milestones by development priority and state", "Development priority"),
    )


def budget_section(by_year: pd.DataFrame, changes: pd.DataFrame, line: str) -> Chart | Html:
    """The Medium Term Financial Plan by year, and a chart of ``line`` with its year-on-year change."""
    from .charts import budget_bars, budget_bars_alt, to_svg

    if by_year.empty:
        return paragraph("This plan holds no Medium Term Financial Plan.")
    frame = by_year.reset_index().rename(columns={"line": "Budget line"})
    for col in frame.columns[1:]:
        frame[col] = [number(v) for v in frame[col]]
    change_rows = pd.DataFrame(
        {
            "Year": changes["year"],
            line: [number(a) for a in changes["amount"]],
            "Change on the year before": [number(c, signed=True) for c in changes["change"]],
            "Change %": [_percent(p) for p in changes["change_pct"]],
        }
    )
    tables = (
        table(
            frame,
            "Medium Term Financial Plan by year (£; bracketed amounts in the plan are shown as negative)",
            numeric=tuple(frame.columns[1:]),
            row_header="Budget line",
            css_class="keep",
        ).markup
        + table(
            change_rows,
            f"{line}: year-on-year change",
            numeric=(line, "Change on the year before", "Change %"),
            row_header="Year",
            css_class="keep",
        ).markup
    )
    return Chart(
        svg=to_svg(budget_bars(changes, f"{line} by year")),
        alt=budget_bars_alt(changes, line),
        caption=f"{line} by year, with the change on the year before.",
        filename="budget_by_year.svg",
        table=Html(tables),
    )
