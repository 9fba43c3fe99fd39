"""Quarters: finding periods by file name, the previous period, direction of travel, status changes, trend."""

import pandas as pd
from conftest import prepared
from synthetic import LABEL, make_quarters

from pipeline.figures import measure
from pipeline.period import Period


def test_q1_compares_with_q4_of_the_year_before(tmp_path):
    raw = tmp_path / "raw"
    make_quarters(raw, year_start=2011, quarters=(4,))
    q1 = make_quarters(raw, year_start=2012, quarters=(1,))[0]
    data = prepared(q1, Period.parse("2012/13", "Q1"))
    assert str(data.previous) == "2011/12 Q4"
    assert data.trend.index.tolist() == ["2012/13 Q1"]  # the trend is of the year so far
    assert data.preamble == LABEL


def previous_and_current():
    cols = ["ref", "part", "status_code", "actual", "polarity"]
    before = pd.DataFrame(
        [("1.1", 1, 2, 80.0, "higher"), ("1.2", 1, 1, None, ""), ("1.3", 1, 3, 5.0, "lower"), ("1.4", 1, 2, None, "")],
        columns=cols,
    )
    now = pd.DataFrame(
        [("1.1", 1, 2, 85.0, "higher"), ("1.2", 1, 3, None, ""), ("1.3", 1, 3, 5.0, "lower"), ("9.9", 1, 1, None, "")],
        columns=cols,
    )
    for f in (before, now):
        f["status_code"] = f["status_code"].astype("Int64")
        f["actual"] = f["actual"].astype("Float64")
    now["direction"], now["direction_basis"] = "", ""
    return before, now


def test_direction_of_travel_by_figures_then_by_status():
    before, now = previous_and_current()
    out = measure.compare_with_previous(now, before)
    assert out["previous_status_code"].tolist() == [2, 1, 3, pd.NA]
    assert out["direction"].tolist() == ["improved", "worse", "same", ""]
    assert out["direction_basis"].tolist() == [
        "previous period figures",
        "previous period status",
        "previous period figures",
        "",
    ]


def test_status_changes_lists_only_changed_statuses():
    before, now = previous_and_current()
    changes = measure.status_changes(measure.compare_with_previous(now, before))
    assert changes["ref"].tolist() == ["1.2"]


def test_status_by_period_counts_each_quarter():
    before, now = previous_and_current()
    table = measure.status_by_period({"Q1": before, "Q2": now})
    assert table.loc["Q1"].tolist() == [1, 2, 1, 0, 0, 4]
    assert table.loc["Q2"].tolist() == [1, 1, 2, 0, 0, 4]


def test_synthetic_quarters_differ_from_the_seed_and_say_so(tmp_path):
    q1, q2 = make_quarters(tmp_path, quarters=(1, 2))
    a = prepared(q1, Period.parse("2012/13", "Q1"), alone=True)
    b = prepared(q2, Period.parse("2012/13", "Q2"), alone=True)
    assert a.preamble.startswith("SYNTHETIC TEST DATA")
    assert (a.indicators["status_code"] != b.indicators["status_code"]).fillna(False).sum() > 10
