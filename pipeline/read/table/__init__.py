"""The reader of typed KPI tables: any organisation's export of one row per indicator under a header row, read
through its layout's columns (``rows``), its figures read from their own cells (``numbers``). Light on import: the
registry of readers holds it without pandas."""

from __future__ import annotations

from pipeline.read.readers import Reader


def read(raw, name: str, layout, report_year_end: int):
    """A typed table: one row per indicator, its figures in columns (``rows.clean_table``)."""
    from pipeline.read.table.rows import clean_table

    return clean_table(raw, name, layout)


READER = Reader("table", read, figures_from="columns", has_summary=False)
