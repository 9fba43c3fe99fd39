"""The export's own summary held against its rows: each line it states (how many on track, what share slipped)
computed again from the indicators, and a finding for every line that disagrees or is not understood.
"""

from __future__ import annotations

import pandas as pd

from pipeline.figures.measure import OFF_TRACK_CODES, ON_TRACK_CODES, _coded, percent
from pipeline.schema import findings_frame

# The export's summary lines, and how each is computed from the rows.
_SUMMARY_LINES = {
    "achieved or on track": ("count", ON_TRACK_CODES),
    "slipped or not achieved": ("count", OFF_TRACK_CODES),
    "percentage achieved or on track": ("percent", ON_TRACK_CODES),
    "percentage slipped or not achieved": ("percent", OFF_TRACK_CODES),
}


def compare_export_summary(indicators: pd.DataFrame, export_summary: pd.DataFrame) -> pd.DataFrame:
    """Hold each line of the export's own summary against the same figure computed from its rows.

    Returns ``label``, ``export_value``, ``computed_value``, ``agrees`` (True/False; NA
    when the label is not one this pipeline knows) and ``source_line``.
    """
    coded = _coded(indicators)
    rows = []
    for label, value, line in export_summary[["label", "value", "source_line"]].itertuples(index=False):
        rule = _SUMMARY_LINES.get(" ".join(label.lower().split()))
        if rule is None:
            rows.append((label, value, "", pd.NA, line))
            continue
        kind, codes = rule
        count = int(coded.isin(codes).sum())
        if kind == "count":
            computed = str(count)
            agrees = value.replace(",", "") == computed
        else:
            places = len(value.rstrip("%").partition(".")[2])
            computed = percent(count, len(coded), places)
            agrees = value == computed
        rows.append((label, value, computed, agrees, line))
    frame = pd.DataFrame(rows, columns=["label", "export_value", "computed_value", "agrees", "source_line"])
    frame["agrees"] = frame["agrees"].astype("boolean")
    return frame


def checked(indicators: pd.DataFrame, export_summary: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The export's own summary held against its rows (``compare_export_summary``) and the findings of the lines
    that disagree or are not understood (``summary_findings``)."""
    check = compare_export_summary(indicators, export_summary)
    return check, summary_findings(check)


def summary_findings(comparison: pd.DataFrame) -> pd.DataFrame:
    """Data-quality findings for every summary line that disagrees with the rows or is not understood."""
    rows = []
    for r in comparison.itertuples(index=False):
        if pd.isna(r.agrees):
            rows.append(
                (
                    r.source_line,
                    "",
                    "summary_unknown",
                    f"the export's summary has a line {r.label!r} = {r.export_value}",
                    "not checked: this line is not one the pipeline computes",
                )
            )
        elif not r.agrees:
            rows.append(
                (
                    r.source_line,
                    "",
                    "summary_mismatch",
                    f"the export's summary says {r.label} {r.export_value}; its rows give {r.computed_value}",
                    "reported the figure computed from the rows; the export's figure is quoted only here",
                )
            )
    return findings_frame(rows)
