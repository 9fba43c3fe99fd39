"""Figures from the typed cells of a table: numbers as organisations write them, or the reason a cell gives none.

``20,843``, ``75.2%``, ``£1.2m``, ``12k``, ``-4,423`` and ``(1,099)`` (negative) are read; words leave the figure
empty with the reason: pending (``TBC``, ``Available in Q4``), not available (``NA``, ``..``, ``x``), or given as
words. A bare ``m`` without a currency sign (millions or metres?) is left empty.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(
    r"^(?P<open>\()?\s*(?P<sign>[-+\u2212\u2013])?\s*(?P<currency>[£$€])?\s*(?P<sign2>[-+\u2212])?\s*"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?P<scale>k|bn|m)?\s*(?P<percent>%)?\s*"
    r"(?P<close>\))?$",
    re.I,
)
_SCALES = {"k": 1e3, "m": 1e6, "bn": 1e9}
# Words that say a figure will come later. Not "available" or "annual" on their own: "annual increase of 5%" and
# "available in the annual report" are targets and remarks written in words, not pending figures.
_PENDING = re.compile(
    r"\bpending\b|\bawait(ed|ing)\b|\btbc\b|\btba\b|\bto be (confirmed|set|agreed|reported)\b|\bnot yet\b"
    r"|\bdue (in|by|at|from)\b|^q[1-4]\b|\b(in|by|from|until) (q[1-4]|quarter [1-4])\b|\bnext quarter\b"
    r"|\bnot due\b",
    re.I,
)
# Markers of a missing value that spreadsheets and statistics offices write: not words to read.
_MISSING = re.compile(r"^(n/?a|#n/?a|na|n\.a\.|nil|null|none|\.\.|\.|x|\*|not available|no data)$", re.I)
_PERCENT_UNIT = re.compile(r"^\s*(%|per\s*cent|percent(age)?|rate\s*\(%\))\s*$", re.I)


def parse_number(text: str) -> tuple[float | None, bool, str]:
    """A figure from a typed cell: (value or None, whether it carried %, why it is empty).

    ``"20,843"`` -> 20843; ``"75.2%"`` -> 75.2 (percent); ``"£1.2m"`` -> 1,200,000; ``"(1,099)"`` and
    ``"-4,423"`` -> negative; ``"12k"`` -> 12,000. Words are left empty with the reason ("pending",
    "given as words"); a bare ``m`` after a number with no currency sign (millions or metres?) is left empty.
    """
    cell = " ".join(str(text).replace("\u00a0", " ").split())
    if cell in ("", "-", "\u2013", "\u2014"):
        return None, False, ""
    m = _NUMBER.match(cell)
    if not m:
        words = cell if len(cell) <= 40 else cell[:39] + "\u2026"
        if _MISSING.match(cell):
            return None, False, f"not available ({words!r})"
        if _PENDING.search(cell):
            return None, False, f"pending ({words!r})"
        return (
            None,
            False,
            f"given as words ({words!r})" if re.search(r"[A-Za-z]", cell) else f"not a number ({words!r})",
        )
    if bool(m["open"]) != bool(m["close"]):
        return None, False, f"not a number ({cell!r}: an unpaired bracket)"
    scale = (m["scale"] or "").lower()
    if scale == "m" and not m["currency"]:
        return None, False, f"ambiguous ({cell!r}: millions or metres?)"
    value = float(m["digits"].replace(",", "")) * _SCALES.get(scale, 1.0)
    negative = bool(m["open"]) or (m["sign"] or m["sign2"] or "") in ("-", "\u2212", "\u2013")
    return (-value if negative else value) + 0.0, bool(m["percent"]), ""
