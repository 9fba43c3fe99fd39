from datetime import date

import pytest

from pipeline.errors import UsageError
from pipeline.period import Period, period_key


@pytest.mark.parametrize("year, quarter", [("2011/12", "Q4"), ("2011-12", "4"), ("2011/2012", "q4"), (" 2011/12 ", 4)])
def test_parse_accepts_the_ways_people_write_a_period(year, quarter):
    assert Period.parse(year, quarter) == Period(2011, 4)


def test_labels_and_slugs():
    p = Period.parse("2012/13", "Q1")
    assert (p.year_label, p.year_slug, p.quarter_label, str(p)) == ("2012/13", "2012-13", "Q1", "2012/13 Q1")
    assert p.title == "2012/13 Quarter 1 (April to June 2012)"
    assert Period.parse("2011/12", "Q4").title == "2011/12 year end (Quarter 4, January to March 2012)"
    assert Period.parse("1999/00", "Q2").year_label == "1999/00"


@pytest.mark.parametrize(
    "year, quarter",
    [("2011/13", "Q4"), ("2011", "Q4"), ("11/12", "Q4"), ("2011/12", "Q5"), ("2011/12", "Q0"), ("2011/12", "")],
)
def test_parse_rejects_malformed_periods(year, quarter):
    with pytest.raises(UsageError):
        Period.parse(year, quarter)


def test_periods_sort_in_time_order():
    periods = [Period.parse("2012/13", "Q1"), Period.parse("2011/12", "Q4"), Period.parse("2011/12", "Q2")]
    assert [str(p) for p in sorted(periods)] == ["2011/12 Q2", "2011/12 Q4", "2012/13 Q1"]


def test_end_date_and_source_date_epoch():
    assert str(Period.parse("2011/12", "Q4").end_date) == "2012-03-31"
    assert str(Period.parse("2012/13", "Q1").end_date) == "2012-06-30"
    assert str(Period.parse("2012/13", "Q3").end_date) == "2012-12-31"
    assert Period.parse("2011/12", "Q4").source_date_epoch == 1333152000  # 2012-03-31T00:00:00Z


def test_a_year_that_starts_in_another_month_names_its_own_quarters():
    """Before: every organisation's year ran April to March (a US city's fiscal year starts in July)."""
    july = Period.parse("2024/25", "Q1").starting(7)
    assert july.title == "2024/25 Quarter 1 (July to September 2024)"
    assert (july.start_date, july.end_date) == (date(2024, 7, 1), date(2024, 9, 30))
    year_end = Period(2024, 4, 7)
    assert year_end.title == "2024/25 year end (Quarter 4, April to June 2025)"
    assert year_end.previous() == Period(2024, 3, 7) and Period(2024, 1, 7).previous() == Period(2023, 4, 7)
    assert Period(2024, 4).end_date == date(2025, 3, 31)  # April by default, as before


@pytest.mark.parametrize(
    "text, key",
    [
        ("2016-17", (2016, 0)),
        ("2016/17", (2016, 0)),
        ("2016/2017", (2016, 0)),
        ("2016", (2016, 0)),
        ("2016/17 Q2", (2016, 2)),
        ("2016-17Q3", (2016, 3)),
        ("Q4 2016/17", (2016, 4)),
        ("2016-18", None),
        ("last year", None),
    ],
)
def test_periods_in_the_datasets_own_notation(text, key):
    assert period_key(text) == key
