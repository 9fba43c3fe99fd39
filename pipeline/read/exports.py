"""The files of one period report read, in one call: the report's own export in full, each earlier export of the
same body for its indicators and figures, the indicator register and the directorates' names.

In: the bytes and names of the files (anything with ``data`` and ``name``; a run gives its snapshot's inputs), the
layout they are read through and the report's period. Out: ``PeriodRead``, tidy tables and findings, nothing
assessed: the figures stage (``figures.assessed``) sets each indicator against its target and the periods before.
An earlier export that cannot be read stops nothing: the reason is kept, and the report says the comparison could
not be made. The report's own export, the register and the names file raise InputError or NotAnExportError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.read import ingest
from pipeline.read.findings import years_named
from pipeline.schema import findings_frame


@dataclass(frozen=True)
class ReadExport:
    """One export read through its layout: tidy indicators (``schema.INDICATOR_COLUMNS``), their figures
    (``schema.FIGURE_COLUMNS``), the reader's and the workbook's findings, the years its text names that are not
    the period's (``years_named``; empty when not asked), its own summary, the text above its header row and its
    own columns of earlier periods (``[history]``). ``file``: its file name, as a reason names it."""

    file: str
    indicators: pd.DataFrame
    figures: pd.DataFrame
    findings: pd.DataFrame
    years_named: pd.DataFrame
    export_summary: pd.DataFrame
    preamble: str = ""
    history: pd.DataFrame | None = None


@dataclass(frozen=True)
class PeriodRead:
    """What a period report reads: its own export, the earlier ones by period (and why any could not be read),
    the register as (its rows, its name) — with no register, no rows and no name, and ``has_register`` false —
    and the directorates' full names by code."""

    own: ReadExport
    register: tuple
    earlier: dict = field(default_factory=dict)
    unreadable: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)

    @property
    def has_register(self) -> bool:
        return bool(self.register[1])


def read_export(data: bytes, name: str, layout, period, header_years: bool = False, file: str = "") -> ReadExport:
    """An export read through its layout (``period``: the report's, whose year ends the report's year). With
    ``header_years``, the years its text names above the first indicator are checked against the period."""
    raw, cleaned, figures = _parsed(data, name, layout, period)
    found = pd.concat([cleaned.findings, findings_frame(ingest.workbook_findings(data, name))], ignore_index=True)
    first = int(cleaned.indicators["source_line"].min()) if len(cleaned.indicators) else 0
    years = years_named(raw, first, period) if header_years else findings_frame([])
    return ReadExport(
        file or name,
        cleaned.indicators,
        figures,
        found,
        years,
        cleaned.export_summary,
        cleaned.preamble,
        cleaned.history,
    )


def _parsed(data: bytes, name: str, layout, period) -> tuple:
    """The export's raw rows, and its tidy indicators (``text.Cleaned``) and figures by its layout's reader."""
    raw = ingest.parse_export(data, name)
    return (raw, *layout.reader.read(raw, name, layout, period.start_year + 1))


def _figures_only(data: bytes, name: str, layout, period, file: str) -> ReadExport:
    """An earlier export read for its indicators and figures alone: its findings are the report's of its own."""
    _, cleaned, figures = _parsed(data, name, layout, period)
    empty = findings_frame([])
    return ReadExport(file, cleaned.indicators, figures, empty, empty, cleaned.export_summary)


def read_period(own, earlier: dict, register, directorates, layout, period, header_years: bool) -> PeriodRead:
    """Every file of a period report read once (see the module's docstring). ``earlier``: {period: file};
    ``register``, ``directorates``: a file or None. Each earlier export is read for the period it belongs to
    (``Period.starting`` the layout's year)."""
    if register is None:
        rows = (ingest.parse_register(b"ref\n", "none"), "")
    else:
        rows = (ingest.parse_register(register.data, register.name), register.name)
    read = read_export(own.data, own.name, layout, period, header_years, own.path.name)
    before, unreadable = {}, {}
    for when, export in sorted(earlier.items()):
        try:
            before[when] = _figures_only(
                export.data, export.name, layout, when.starting(layout.year_start), export.path.name
            )
        except PipelineError as exc:
            unreadable[when] = because(when, export.path.name, exc)
    if layout.directorates:
        names = dict(layout.directorates)
    else:
        names = ingest.parse_directorates(directorates.data, directorates.name) if directorates else {}
    return PeriodRead(read, rows, before, unreadable, names)


def because(period, file: str, exc: PipelineError) -> str:
    """Why an earlier export could not be used, as the report says it."""
    return f"the export for {period} ({file}) could not be read ({exc.message})"
