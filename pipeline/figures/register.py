"""The analyst's indicator register applied to an export's figures: targets, baselines, actuals, units,
polarity and tolerance filled or overridden, each saying which register line it came from."""

from __future__ import annotations

import pandas as pd

from pipeline.schema import findings_frame, ref_label


def apply_register(
    indicators: pd.DataFrame, figures: pd.DataFrame, register: pd.DataFrame, register_name: str, period: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill or override figures from the analyst's register.

    A register ``ref`` names an indicator as ``12.1`` (its first part) or ``12.1 (2)``. Rows with a
    ``period`` apply only when it is ``period`` (``"2011/12 Q4"``); rows without one apply to every period.
    Returns the figures (with ``*_from`` saying "register line N" and ``tolerance_pct``)
    and findings for register rows whose ref is not in the export.
    """
    figures = figures.copy()
    figures["tolerance_pct"] = pd.Series(pd.NA, index=figures.index, dtype="Float64")
    figures["from_register"] = False
    labels = {ref_label(r, p): i for i, r, p in zip(indicators.index, indicators["ref"], indicators["part"])}
    findings = []
    for row in register.itertuples(index=False):
        if getattr(row, "period", "") and row.period != period:
            continue
        key = row.ref if row.ref in labels else None
        if key is None:
            findings.append(
                (
                    row.source_line,
                    row.ref,
                    "register_unknown_ref",
                    f"{register_name} line {row.source_line} names Ref {row.ref}, which is not in the export",
                    "ignored; check the Ref in the register",
                )
            )
            continue
        i = labels[key]
        where = f"register line {row.source_line}" + (f": {row.note}" if row.note else "")
        for col in ("target", "baseline", "actual"):
            value = getattr(row, col)
            if value == value:  # not NaN
                figures.at[i, col] = value
                figures.at[i, f"{col}_from"] = where
                figures.at[i, "from_register"] = True
        if row.unit:
            figures.at[i, "unit"] = row.unit
            figures.at[i, "from_register"] = True
        if row.polarity:
            figures.at[i, "polarity"], figures.at[i, "polarity_from"] = row.polarity, where
            figures.at[i, "from_register"] = True
        if row.tolerance == row.tolerance:
            figures.at[i, "tolerance_pct"] = row.tolerance
        if figures.at[i, "from_register"]:
            note = figures.at[i, "figures_note"]
            figures.at[i, "figures_note"] = (
                note + "; " if note else ""
            ) + f"the register ({where}) fills or overrides figures"
    return figures, findings_frame(findings)
