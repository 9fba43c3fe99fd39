"""Reading the "By when" of a plan: months, seasons, ranges and the rest, as the last day they allow.

``due_dates`` finds every date a cell names and gives each as the ISO date of the end of the month,
season or range it states. Text that names no date ("Ongoing", "In line with national deadlines",
"Action Plan reviewed annually") gives none; a bare year gives none either, since it does not say
whether it means the calendar or the financial year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    name: i
    for i, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS["sept"] = 9
# The last month of each season, as UK councils use them (spring March-May, summer June-August, ...).
SEASON_END = {"spring": 5, "summer": 8, "autumn": 11, "winter": 2}

_MONTH = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_YEAR = r"(\d{4}|\d{2})(?!\d)"
_RANGE = re.compile(rf"\b{_MONTH}\s*(?:{_YEAR})?\s*(?:-|–|—|to|until)\s*{_MONTH}\s+{_YEAR}", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+{_YEAR}", re.I)
_SEASON_YEAR = re.compile(r"\b(spring|summer|autumn|winter)\s+(\d{4}|\d{2})(?!\d)", re.I)
_ISO = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")


@dataclass(frozen=True)
class Due:
    """One date named in a cell: the text it was read from and the last day it allows."""

    text: str
    start: int
    date: date


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def due_dates(text: str) -> list[Due]:
    """Every date in ``text``, in order: ranges give their end, seasons their last month's last day."""
    found: list[Due] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in taken)

    for m in _RANGE.finditer(text):
        end = month_end(_year(m.group(4)), MONTHS[m.group(3).lower().rstrip(".")])
        found.append(Due(m.group(0), m.start(), end))
        taken.append(m.span())
    for m in _SEASON_YEAR.finditer(text):
        if free(m):
            season, year = m.group(1).lower(), _year(m.group(2))
            month = SEASON_END[season]
            found.append(Due(m.group(0), m.start(), month_end(year + (1 if season == "winter" else 0), month)))
            taken.append(m.span())
    for m in _MONTH_YEAR.finditer(text):
        if free(m):
            found.append(
                Due(m.group(0), m.start(), month_end(_year(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")]))
            )
            taken.append(m.span())
    for m in _ISO.finditer(text):
        if free(m):
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
                found.append(Due(m.group(0), m.start(), date(year, month, day)))
                taken.append(m.span())
    return sorted(found, key=lambda d: d.start)
