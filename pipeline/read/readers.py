"""Stage 2's readers, by kind of export: each turns an export's raw rows into tidy indicators and their figures.

A layout names its kind (``Layout.kind``); ``READERS`` maps each kind to its reader. A typed table is read
through its layout's columns (``table``); Stockton's Council Plan narrative export by its own rules (``clean``),
its figures read from the text (``figures``). A new kind of export is a reader registered here, and its traits
for the later stages in ``layout.KIND_TRAITS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from pipeline.errors import NotAnExportError

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.read.layout import Layout

READERS: dict[str, Callable] = {}


def reader(kind: str):
    """Register the decorated function as the reader of exports of ``kind``."""

    def register(function):
        READERS[kind] = function
        return function

    return register


def read(raw: pd.DataFrame, name: str, layout: Layout, report_year_end: int):
    """The export's tidy indicators (``clean.Cleaned``) and their figures, by its layout's kind."""
    return READERS[layout.kind](raw, name, layout, report_year_end)


@reader("table")
def read_table(raw: pd.DataFrame, name: str, layout: Layout, report_year_end: int):
    """A typed table: one row per indicator, its figures in columns (``table.clean_table``)."""
    from pipeline.read import table

    return table.clean_table(raw, name, layout)


@reader("council_plan")
def read_council_plan(raw: pd.DataFrame, name: str, layout: Layout, report_year_end: int):
    """Stockton's Council Plan export: narrative rows, the figures written in the text."""
    from pipeline.read.stockton import clean, figures

    cleaned = clean.clean_export(raw, name)
    if cleaned.indicators.empty:
        raise NotAnExportError(
            "has a Council Plan header but no indicator row below it (a row starting with a Ref "
            "such as 12.3); is the export complete?",
            name,
        )
    return cleaned, figures.read_figures(cleaned.indicators, report_year_end)
