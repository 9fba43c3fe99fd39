"""discover: finding a folder's exports by period, and the earlier exports a report also reads."""

import pytest
from synthetic import make_quarters

from pipeline.errors import InputError
from pipeline.period import Period
from pipeline.run import discover


def test_find_input_by_period(tmp_path):
    (tmp_path / "council_plan_2012-13_Q1.xlsx").write_bytes(b"x")
    (tmp_path / "council_plan_2012-13_Q2.pdf").write_bytes(b"x")
    assert discover.find_input(Period.parse("2012/13", "Q1"), tmp_path).name == "council_plan_2012-13_Q1.xlsx"
    with pytest.raises(InputError, match="no export for 2012/13 Q2"):
        discover.find_input(Period.parse("2012/13", "Q2"), tmp_path)
    (tmp_path / "council_plan_2012-13_Q1.csv").write_bytes(b"x")
    with pytest.raises(InputError, match="more than one export"):
        discover.find_input(Period.parse("2012/13", "Q1"), tmp_path)


def test_find_periods_and_related_inputs(tmp_path):
    paths = make_quarters(tmp_path / "raw", quarters=(1, 2, 4))
    (tmp_path / "raw" / "notes.txt").write_text("not an export")
    found = discover.find_periods(tmp_path / "raw")
    assert [str(p) for p in found] == ["2012/13 Q1", "2012/13 Q2", "2012/13 Q4"]
    related = discover.related_inputs(Period.parse("2012/13", "Q4"), paths[2])
    assert related["previous"] == (Period.parse("2012/13", "Q2"), paths[1])  # Q3 is missing: the latest earlier one
    assert [str(p) for p, _ in related["year"]] == ["2012/13 Q1", "2012/13 Q2"]
    first = discover.related_inputs(Period.parse("2012/13", "Q1"), paths[0])
    assert first == {"previous": None, "year": [], "year_ago": None}
    later = discover.related_inputs(Period.parse("2013/14", "Q2"), tmp_path / "raw" / "x_2013-14_Q2.csv")
    assert later["year_ago"] == (Period.parse("2012/13", "Q2"), paths[1])  # the same quarter a year before
