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
    assert related.previous == Period.parse("2012/13", "Q2")  # Q3 is missing: the latest earlier one
    assert related.files[related.previous] == paths[1]
    assert [str(p) for p in related.year] == ["2012/13 Q1", "2012/13 Q2"]
    first = discover.related_inputs(Period.parse("2012/13", "Q1"), paths[0])
    assert (first.previous, first.year, first.year_ago, first.files) == (None, (), None, {})
    later = discover.related_inputs(Period.parse("2013/14", "Q2"), tmp_path / "raw" / "council_plan_2013-14_Q2.csv")
    assert later.year_ago == Period.parse("2012/13", "Q2")  # the same quarter a year before
    assert later.files[later.year_ago] == paths[1]
    history = discover.related_inputs(
        Period.parse("2013/14", "Q2"), paths[2].with_name("council_plan_2013-14_Q2.tsv"), True
    )
    assert [str(p) for p in history.history] == ["2012/13 Q1", "2012/13 Q2", "2012/13 Q4"]


def test_another_bodys_exports_are_never_its_earlier_periods(tmp_path):
    """Before: every export in the folder counted, whoever it came from (Hart's 2014/15 file became Bracknell's
    earlier period)."""
    for name in ("bracknell_kpis_2025-26_Q1.csv", "hart_kpis_2014-15_Q2.csv", "Bracknell_KPIs_2024-25_Q2.csv"):
        (tmp_path / name).write_text("x\n")
    related = discover.related_inputs(Period.parse("2025/26", "Q2"), tmp_path / "bracknell_kpis_2025-26_Q2.csv", True)
    assert sorted(p.name for p in related.files.values()) == [
        "Bracknell_KPIs_2024-25_Q2.csv",
        "bracknell_kpis_2025-26_Q1.csv",
    ]
    assert discover.related_inputs(Period.parse("2025/26", "Q2"), tmp_path / "kpis.csv").files == {}
