"""Reporting periods: a financial year and a quarter; Q4 is the year end.

A year starts in April unless the organisation's layout says otherwise (``year_start``: a US city's fiscal year
starts in July, an NHS body's in April, a calendar year in January); the year labelled 2024/25 starts in that
month of 2024."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pipeline.errors import UsageError

_YEAR = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")
_QUARTER = re.compile(r"^\s*[Qq]?([1-4])\s*$")
# <name>_<yyyy-yy>_<Qn>[.label].<ext>: council_plan_2012-13_Q1.tsv, anytown_kpis_2024-25_Q2.csv
_FILENAME = re.compile(r"^(?:([^.]*)_)?(\d{4}-\d{2})_(Q[1-4])(?:\.[A-Za-z0-9_-]+)*\.(?:tsv|txt|csv|xlsx)$", re.I)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class Period:
    """A financial year starting in ``start_month`` (April unless the layout says otherwise) of ``start_year``,
    and a quarter 1-4."""

    start_year: int
    quarter: int
    start_month: int = 4

    def starting(self, month: int) -> "Period":
        """The same year and quarter of a year that starts in ``month``."""
        return Period(self.start_year, self.quarter, month)

    def _month(self, offset: int) -> tuple[int, int]:
        """(year, month) of the quarter's month ``offset`` (0, 1 or 2)."""
        index = self.start_month - 1 + 3 * (self.quarter - 1) + offset
        return self.start_year + index // 12, index % 12 + 1

    @classmethod
    def parse(cls, year: str, quarter: str | int) -> "Period":
        """Read ``"2011/12"`` (or ``2011-12``, ``2011/2012``) and ``"Q4"`` (or ``4``).

        Raises UsageError when either is malformed or the two years are not consecutive.
        """
        m = _YEAR.match(str(year))
        if not m:
            raise UsageError(f"year {year!r} is not a financial year such as 2011/12")
        if not _consecutive(m.group(1), m.group(2)):
            raise UsageError(f"year {year!r}: a financial year runs over two consecutive years, such as 2011/12")
        q = _QUARTER.match(str(quarter))
        if not q:
            raise UsageError(f"quarter {quarter!r} is not one of Q1, Q2, Q3, Q4")
        return cls(int(m.group(1)), int(q.group(1)))

    @property
    def year_label(self) -> str:
        """``2011/12``."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def year_slug(self) -> str:
        """``2011-12``: the year as it appears in file and folder names."""
        return self.year_label.replace("/", "-")

    @property
    def quarter_label(self) -> str:
        """``Q4``."""
        return f"Q{self.quarter}"

    @property
    def is_year_end(self) -> bool:
        return self.quarter == 4

    @property
    def title(self) -> str:
        """How a committee report names the period: ``2011/12 year end (Quarter 4, January to March 2012)``."""
        (_, first), (year, last) = self._month(0), self._month(2)
        months = f"{MONTHS[first - 1]} to {MONTHS[last - 1]} {year}"
        if self.is_year_end:
            return f"{self.year_label} year end (Quarter 4, {months})"
        return f"{self.year_label} Quarter {self.quarter} ({months})"

    @property
    def start_date(self) -> date:
        """The first day of the quarter (1 April for Q1 of an April year)."""
        year, month = self._month(0)
        return date(year, month, 1)

    @property
    def end_date(self) -> date:
        """The last day of the quarter (31 March for Q4 of an April year)."""
        year, month = self._month(2)
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def source_date_epoch(self) -> int:
        """The end of the period as a Unix time: the fixed date stamped into generated files, never the clock."""
        return calendar.timegm(self.end_date.timetuple())

    def previous(self) -> "Period":
        """The quarter before: Q4 of the year before for a Q1."""
        if self.quarter == 1:
            return Period(self.start_year - 1, 4, self.start_month)
        return Period(self.start_year, self.quarter - 1, self.start_month)

    @classmethod
    def from_filename(cls, name: str) -> "Period | None":
        """The period in an export's file name (``council_plan_2012-13_Q1.tsv``, ``anytown_2024-25_Q2.csv``), or None."""
        m = _FILENAME.match(name)
        if not m:
            return None
        try:
            return cls.parse(m.group(2), m.group(3))
        except UsageError:  # shaped like a period but not one (2024-26): see ``misnamed``
            return None

    @staticmethod
    def stem_of(name: str) -> str | None:
        """The body's part of an export's file name, before its period: ``bracknell_kpis`` of
        ``bracknell_kpis_2025-26_Q2.csv`` ("" for ``2025-26_Q2.csv``), compared without case; None when the name
        is not an export's. Exports of one body share it, so another body's file in the folder is never taken for
        an earlier period of this one."""
        m = _FILENAME.match(name)
        return None if not m else (m.group(1) or "").casefold()

    @classmethod
    def misnamed(cls, name: str) -> str | None:
        """Why a file named like an export (``<name>_<yyyy-yy>_<Qn>``) gives no period (``2024-26`` is no
        financial year), or None when it gives one or is not named like an export."""
        m = _FILENAME.match(name)
        if not m:
            return None
        try:
            cls.parse(m.group(2), m.group(3))
        except UsageError as exc:
            return exc.message
        return None

    def __str__(self) -> str:
        return f"{self.year_label} {self.quarter_label}"


# --- periods as other bodies' data write them (a comparison dataset, a register's SPC columns) ---------------

_QUARTERLY = re.compile(
    r"^\s*(?:(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*[ _-]?\s*Q([1-4])|Q([1-4])\s*[ _-]?\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4}))\s*$",
    re.I,
)
_BARE_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def period_key(text: str) -> tuple[int, int] | None:
    """A dataset's period as (the start year of its financial year, quarter; 0 for the whole year), from its own
    notation: ``2016-17``, ``2016/17``, ``2016/2017`` and a bare ``2016`` (the year starting in 2016) are whole
    years; ``2016/17 Q2``, ``2016-17Q2`` and ``Q2 2016/17`` quarters. None when it is none of these."""
    m = _QUARTERLY.match(str(text))
    if m:
        start, end, q = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(6), m.group(4))
        return (int(start), int(q)) if _consecutive(start, end) else None
    m = _YEAR.match(str(text))  # a financial year
    if m:
        return (int(m.group(1)), 0) if _consecutive(m.group(1), m.group(2)) else None
    m = _BARE_YEAR.match(str(text))
    return (int(m.group(1)), 0) if m else None


def _consecutive(start: str, end: str) -> bool:
    return int(end) % 100 == (int(start) + 1) % 100 and (len(end) == 2 or int(end) == int(start) + 1)


def period_label(key: tuple[int, int]) -> str:
    """``2016/17`` for a whole year, ``2016/17 Q2`` for a quarter."""
    year = f"{key[0]}/{(key[0] + 1) % 100:02d}"
    return year if not key[1] else f"{year} Q{key[1]}"
