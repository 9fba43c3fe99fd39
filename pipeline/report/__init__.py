"""Stage 3, report: the pieces of a committee report, each described once and rendered per format.

The notebooks name the pieces (``report.title_page(...)``, ``report.exceptions_summary(...)``); each piece is a
tuple of blocks (``blocks``: headings, paragraphs, typed tables, figures), which the HTML renderer (``html``)
and the Typst renderer (``typst``, for the PDF) each read. Everything from an export is plain text in the
blocks and escaped by each renderer.

- ``cover``: the front page (the answer first: counts over time, going well, needs attention, the ask)
- ``status``: counts by status, the export's own summary, status by group and by quarter, changes
- ``exceptions``: every indicator off track
- ``compare``: how we compare: positions among similar organisations, from a benchmark dataset
- ``variance``: targets, actuals, variance and RAG; statuses the figures do not support; coverage
- ``annex``: method, data-quality findings, all indicators, glossary
- ``provenance``: inputs, parameters, software, the commands that reproduce the report
- ``milestones``: the pieces of a Service Improvement Plan's milestone report
"""

from pipeline.report.annex import annex_start, appendix_table, findings_section, glossary, method_section, narrative
from pipeline.report.blocks import number
from pipeline.report.common import directorate_name, rag_badge, short, status_badge
from pipeline.report.compare import how_we_compare, over_the_years, profile_front, profile_method
from pipeline.report.cover import front_page
from pipeline.report.exceptions import exceptions_at_a_glance, exceptions_table
from pipeline.report.formats.html import esc
from pipeline.report.milestones import (
    budget_section,
    milestone_counts,
    milestone_table,
    milestone_timeline,
    plan_title_page,
)
from pipeline.report.pieces import (
    PRINT_ROWS,
    TYPST_MIME,
    Chart,
    Piece,
    bounded,
    heading,
    joined,
    lab_style,
    link,
    paragraph,
    table,
)
from pipeline.report.provenance import REPORTED_PACKAGES, provenance_section
from pipeline.report.spc import history_annex, is_the_change_real
from pipeline.report.status import (
    changes_section,
    crosstab_table,
    headline_table,
    status_by_table,
    status_chart,
    status_table,
    summary_check,
    trend_chart,
    trend_note,
)
from pipeline.report.variance import (
    against_target_table,
    coverage_section,
    disagreements_section,
    variance_chart,
    variance_table,
)

__all__ = [
    "PRINT_ROWS",
    "against_target_table",
    "REPORTED_PACKAGES",
    "TYPST_MIME",
    "Chart",
    "Piece",
    "annex_start",
    "appendix_table",
    "bounded",
    "budget_section",
    "changes_section",
    "coverage_section",
    "crosstab_table",
    "directorate_name",
    "disagreements_section",
    "esc",
    "exceptions_at_a_glance",
    "exceptions_table",
    "findings_section",
    "front_page",
    "glossary",
    "heading",
    "history_annex",
    "how_we_compare",
    "is_the_change_real",
    "headline_table",
    "joined",
    "lab_style",
    "link",
    "method_section",
    "milestone_counts",
    "milestone_table",
    "milestone_timeline",
    "narrative",
    "number",
    "over_the_years",
    "paragraph",
    "plan_title_page",
    "profile_front",
    "profile_method",
    "provenance_section",
    "rag_badge",
    "short",
    "status_badge",
    "status_by_table",
    "status_chart",
    "status_table",
    "summary_check",
    "table",
    "trend_chart",
    "trend_note",
    "variance_chart",
    "variance_table",
]
