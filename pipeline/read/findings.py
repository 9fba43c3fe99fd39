"""Findings about an export as a whole, beside those its reader records row by row."""

from __future__ import annotations

import re

import pandas as pd

from pipeline.schema import findings_frame

_FINANCIAL_YEAR = re.compile(r"(?<![\d/-])((?:19|20)\d\d)\s?[/-]\s?(\d\d|(?:19|20)\d\d)(?![\d/-])")


def years_named(raw: pd.DataFrame, before_line: int, period) -> pd.DataFrame:
    """A finding for each financial year named above the export's first indicator (its title, its column
    headers: "Progress during 2011/12", "Target 2024/25") when none of them is the report's ``period``: a
    2024/25 export reported as 2011/12, say. An export that names no year, or names the period's, gives none."""
    head = raw[raw["source_line"] < before_line]
    cells = head.drop(columns=["source_line", "n_cells"]).astype(str)
    named: dict[str, int] = {}
    for line, row in zip(head["source_line"], cells.itertuples(index=False)):
        for cell in row:
            for start, end in _FINANCIAL_YEAR.findall(cell):
                if int(end) % 100 == (int(start) + 1) % 100:
                    named.setdefault(f"{start}/{int(end) % 100:02d}", int(line))
    if not named or period.year_label in named:
        return findings_frame([])
    years = ", ".join(sorted(named))
    return findings_frame(
        [
            (
                min(named.values()),
                "",
                "period_mismatch",
                f"the export's own text names {years}, not the report's year {period.year_label}",
                f"reported as {period}, as the file name or parameters say; check that this is the right export",
            )
        ]
    )
