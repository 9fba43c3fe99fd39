"""figures.assessed: a period's exports assessed in one call, against their targets and the periods before."""

import pandas as pd
from test_exports import LAYOUT, Q2, File, export

from pipeline.read.exports import read_period
from pipeline.run.discover import Related
from pipeline.schema import findings_frame

Q1, Q4_BEFORE, Q3_BEFORE = Q2.previous(), Q2.previous().previous(), Q2.previous().previous().previous()


def assessed(own, earlier: dict, related: Related, register=None, also=()):
    from pipeline.figures.assessed import assess_period

    read = read_period(own, earlier, register, None, LAYOUT, Q2, header_years=False)
    return assess_period(read, LAYOUT, Q2, related, also=also)


def test_the_direction_of_travel_comes_from_the_previous_period_and_the_streak_from_those_before():
    own = export("K1,Calls,A,10,12,Green", "K2,Waits,A,10,5,Red")
    q1 = export("K1,Calls,A,10,9,Red", "K2,Waits,A,10,4,Red", name="kpis_2024-25_Q1.csv")
    q4 = export("K1,Calls,A,10,9,Red", "K2,Waits,A,10,4,Red", name="kpis_2023-24_Q4.csv")
    related = Related(Q1, (Q1,), None, (Q4_BEFORE, Q1), {})
    result = assessed(own, {Q1: q1, Q4_BEFORE: q4}, related)
    assert result.previous == Q1 and result.unreadable == ""
    assert list(result.indicators["status_code"].astype(int)) == [1, 4]
    assert list(result.indicators["off_track_periods"].astype(int)) == [0, 3]  # K2 off track now, in Q1 and in Q4
    assert set(result.earlier) == {Q1, Q4_BEFORE}
    # the quarter before the year's (history alone) keeps its figures, not an assessment
    assert list(result.earlier[Q4_BEFORE].columns) == ["ref", "part", "status_code", "actual", "target", "polarity"]
    assert "rag" in result.earlier[Q1].columns  # the previous period is compared in full
    # the trend of the year: its earlier quarter and this one, by the organisation's own words
    assert list(result.trend.index) == ["2024/25 Q1", "2024/25 Q2"]
    assert result.trend.loc["2024/25 Q1", "Red"] == 2 and result.trend.loc["2024/25 Q2", "Green"] == 1


def test_a_previous_period_that_cannot_be_read_is_a_finding_and_no_comparison():
    own = export("K1,Calls,A,10,12,Green")
    broken = File(export("").path.with_name("kpis_2024-25_Q1.csv"), b"")
    related = Related(Q1, (Q1,), None, (Q1,), {})
    result = assessed(own, {Q1: broken}, related)
    assert result.previous is None
    assert result.unreadable.startswith("the export for 2024/25 Q1 (kpis_2024-25_Q1.csv) could not be read")
    finding = result.findings[result.findings["check"] == "previous_unreadable"]
    assert list(finding["finding"]) == [result.unreadable]
    assert list(finding["action_taken"]) == ["not compared with the previous period"]


def test_the_registers_figures_are_applied_and_every_finding_comes_in_source_line_order():
    own = export("K1,Calls,A,,12,Green", "K2,Waits,A,10,5,Red")
    register = File(export("").path.with_name("register.csv"), b"ref,target\nK1,11\nK9,3\n")
    last = findings_frame([(99, "K2", "unprintable_characters", "a finding given by the caller", "shown")])
    result = assessed(own, {}, Related(None, (), None, (), {}), register, also=[last])
    assert result.indicators.loc[0, "target"] == 11.0  # the register's target where the export has none
    lines = list(result.findings["source_line"])
    assert lines == sorted(lines)
    unknown = result.findings[result.findings["check"] == "register_unknown_ref"]
    assert list(unknown["finding"]) == ["register.csv line 3 names Ref K9, which is not in the export"]
    assert result.findings.iloc[-1]["check"] == "unprintable_characters"
    assert isinstance(result.summary_check, pd.DataFrame)
