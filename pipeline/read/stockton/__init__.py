"""The reader of Stockton-on-Tees Borough Council's Council Plan progress export, and its profile.

One organisation's own kind of export, read by its own rules: a narrative table (sections, themes and objectives
as heading rows, merged action cells, the header repeated at each page break, the Key and the export's summary at
its end: ``clean``) whose figures are written in the text (``figures``). ``STOCKTON`` is its profile: the
organisation as a value (its name, its numbered status words, what it calls its report and its indicator
column), used wherever its export is read and nowhere after the readers.
"""

from __future__ import annotations

from pipeline.errors import NotAnExportError
from pipeline.read.layout import Layout
from pipeline.read.readers import Reader
from pipeline.read.stockton.words import STATUS_LABELS

STOCKTON = Layout(
    kind="council_plan",
    council="Stockton-on-Tees Borough Council",
    source="built-in: Stockton Council Plan",
    columns={
        "directorate": "Responsibility",
        "progress": "Progress during the year",
        "remedial": "Slippage/Remedial action required",
    },
    status={label.lower(): code for code, label in STATUS_LABELS.items()},
    words={code: [label] for code, label in STATUS_LABELS.items()},
    measure_word="Outcome / success criteria",
    report_title="Council Plan",
    numbered=True,
    group_word="directorate",
)


def read(raw, name: str, layout: Layout, report_year_end: int):
    """Stockton's Council Plan export: narrative rows, the figures written in the text. Raises NotAnExportError
    for a Council Plan header with no indicator row below it."""
    from pipeline.read.stockton import clean, figures

    cleaned = clean.clean_export(raw, name)
    if cleaned.indicators.empty:
        raise NotAnExportError(
            "has a Council Plan header but no indicator row below it (a row starting with a Ref "
            "such as 12.3); is the export complete?",
            name,
        )
    return cleaned, figures.read_figures(cleaned.indicators, report_year_end)


READER = Reader("council_plan", read, figures_from="text", has_summary=True, profile=STOCKTON)
