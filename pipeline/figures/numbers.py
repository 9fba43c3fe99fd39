"""A figure as a committee reads it, formatted once for every sentence and every renderer: thousands separators,
the decimals it was given with (rounded half up for reading when it has more), its unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

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
