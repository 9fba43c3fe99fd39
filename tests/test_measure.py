"""measure: percentages, headline, cross-tabulations, exceptions and the check of the export's summary."""

import pandas as pd
import pytest

from pipeline.figures import measure
from pipeline.figures import summary as export_summary
from pipeline.read.stockton import STOCKTON
from pipeline.schema import FINDING_COLUMNS


def indicators(rows):
    """Tiny tidy indicators: (ref, theme, directorate, status_code or None, status text)."""
    frame = pd.DataFrame(rows, columns=["ref", "theme", "directorate", "status_code", "status"])
    frame["status_code"] = frame["status_code"].astype("Int64")
    frame["status_kind"] = [
        "code" if pd.notna(c) else ("blank" if s == "No status given" else "text")
        for c, s in zip(frame["status_code"], frame["status"])
    ]
    for col in ("part",):
        frame[col] = 1
    for col in ("measure", "progress", "remedial"):
        frame[col] = frame["ref"] + " " + col
    frame["source_line"] = range(10, 10 + len(frame))
    return frame


SIX = indicators(
    [
        ("1.1", "Place", "DNS", 1, "Achieved Target"),
        ("1.2", "Place", "DNS", 2, "On Track to Achieve Target"),
        ("2.1", "People", "CESC", 3, "Slipped"),
        ("2.2", "People", "", 4, "Target Not Achieved"),
        ("2.3", "People", "CESC", None, "Targets are for academic year 2011/12"),
        ("3.1", "Place", "RES", None, "No status given"),
    ]
)


@pytest.mark.parametrize(
    "n, d, places, expected",
    [
        (91, 110, 1, "82.7%"),
        (19, 110, 1, "17.3%"),
        (1, 8, 1, "12.5%"),
        (1, 8, 0, "13%"),
        (1, 3, 2, "33.33%"),
        (2, 3, 1, "66.7%"),
        (0, 5, 1, "0.0%"),
        (3, 0, 1, ""),
    ],
)
def test_percent_rounds_half_up(n, d, places, expected):
    assert measure.percent(n, d, places) == expected


def test_headline_counts_only_statuses_1_to_4_in_percentages():
    head = measure.headline(SIX).set_index("measure")
    assert head["count"].tolist() == [2, 2, 4, 1, 1, 6]
    assert head["percent"].tolist()[:3] == ["50.0%", "50.0%", "100.0%"]


def test_status_counts_lists_text_statuses_apart():
    counts = measure.status_counts(SIX)
    assert counts["count"].tolist() == [1, 1, 1, 1, 1, 1]
    assert counts["status"].tolist()[4:] == [
        "Not assessed: Targets are for academic year 2011/12",
        "Not assessed: No status given",
    ]
    assert counts["percent"].tolist()[:4] == ["25.0%"] * 4


def test_status_by_theme_keeps_export_order_and_totals():
    table = measure.status_by(SIX, "theme")
    assert table.index.tolist() == ["Place", "People"]
    assert table.loc["Place"].tolist() == [1, 1, 0, 0, 1, 3]
    assert table.loc["People"].tolist() == [0, 0, 1, 1, 1, 3]
    assert list(table.columns)[-2:] == ["Not assessed", "Total"]


def test_status_by_directorate_names_the_blank_directorate():
    table = measure.status_by(SIX, "directorate", STOCKTON.labels)
    assert "(not given)" in table.index
    assert table.loc["(not given)", "Target Not Achieved"] == 1


def test_exceptions_are_statuses_3_and_4_in_order():
    exc = measure.exceptions(SIX)
    assert exc["ref"].tolist() == ["2.1", "2.2"]
    assert exc["remedial"].tolist() == ["2.1 remedial", "2.2 remedial"]


def summary(*pairs):
    return pd.DataFrame(
        [(label, value, 100 + i) for i, (label, value) in enumerate(pairs)], columns=["label", "value", "source_line"]
    )


def test_export_summary_that_agrees():
    check = export_summary.compare_export_summary(
        SIX, summary(("Achieved or on track", "2"), ("Percentage slipped or not achieved", "50.0%"))
    )
    assert check["computed_value"].tolist() == ["2", "50.0%"]
    assert check["agrees"].tolist() == [True, True]
    assert export_summary.summary_findings(check).empty


def test_export_summary_that_disagrees_is_a_finding_quoting_both_figures():
    check = export_summary.compare_export_summary(
        SIX, summary(("Achieved or on track", "3"), ("Percentage achieved or on track", "60%"), ("Mystery line", "7"))
    )
    assert check["agrees"].tolist()[:2] == [False, False]
    assert pd.isna(check["agrees"].iloc[2])
    assert check["computed_value"].tolist()[:2] == ["2", "50%"]  # rounded to the export's own precision
    findings = export_summary.summary_findings(check)
    assert list(findings.columns) == FINDING_COLUMNS
    assert findings["check"].tolist() == ["summary_mismatch", "summary_mismatch", "summary_unknown"]
    assert "says Achieved or on track 3; its rows give 2" in findings["finding"].iloc[0]
    assert findings["source_line"].tolist() == [100, 101, 102]


def test_ref_label():
    assert measure.ref_label("12.1", 1) == "12.1"
    assert measure.ref_label("12.1", 2) == "12.1 (2)"


def test_off_track_streak_counts_consecutive_periods_and_says_when_it_may_be_longer():
    now = pd.DataFrame(
        {
            "ref": ["1.1", "1.2", "1.3", "1.4", "1.5"],
            "part": [1] * 5,
            "status_code": pd.array([3, 4, 4, 1, 3], dtype="Int64"),
        }
    )
    q2 = pd.DataFrame(
        {"ref": ["1.1", "1.2", "1.3", "1.4"], "part": [1] * 4, "status_code": pd.array([4, 3, 1, 4], dtype="Int64")}
    )
    q1 = pd.DataFrame(
        {"ref": ["1.1", "1.2", "1.3", "1.4"], "part": [1] * 4, "status_code": pd.array([3, 2, 4, 4], dtype="Int64")}
    )
    streak = measure.off_track_streak(now, [q2, q1])
    assert list(streak["off_track_periods"]) == [3, 2, 1, 0, 1]
    assert list(streak["off_track_at_least"]) == [True, False, False, False, False]  # 1.1: off in every period read
    alone = measure.off_track_streak(now, [])
    assert list(alone["off_track_periods"]) == [1, 1, 1, 0, 1] and not alone["off_track_at_least"].any()


def test_most_off_track_keeps_the_groups_with_most_off_track_and_the_whole_table_when_it_fits():
    table = pd.DataFrame(
        {"Green": [5, 0, 1, 2], "Amber": [1, 2, 0, 1], "Red": [0, 1, 3, 0], "Not assessed": [0, 0, 0, 9]},
        index=pd.Index(["A", "B", "C", "D"], name="directorate"),
    )
    table["Total"] = table.sum(axis=1)
    labels = {1: "Green", 3: "Amber", 4: "Red"}
    assert list(measure.most_off_track(table, 2, labels).index) == ["C", "B"]  # 3 off track each; C has 4 in all
    assert list(measure.most_off_track(table, 3, labels).index) == [
        "C",
        "B",
        "D",
    ]  # then D (1 off, 12 in all) before A (1, 6)
    assert list(measure.most_off_track(table, 4, labels).index) == ["A", "B", "C", "D"]  # fits: the table's order


def test_a_year_named_in_the_export_other_than_the_periods_is_a_finding():
    """Before: an export whose own header says 2024/25 rendered as 2011/12 without a word."""
    from conftest import raw_frame

    from pipeline.period import Period
    from pipeline.read.findings import years_named

    raw = raw_frame([["Quarterly KPIs"], ["Ref", "Target 2024/25", "Q2 2024-25 Result"], ["A1", "5", "6"]])
    found = years_named(raw, 3, Period.parse("2011/12", "Q4"))
    assert found[["source_line", "check"]].values.tolist() == [[2, "period_mismatch"]]
    assert found["finding"][0] == "the export's own text names 2024/25, not the report's year 2011/12"
    assert years_named(raw, 3, Period.parse("2024/25", "Q2")).empty
    assert years_named(raw_frame([["Ref", "Target"], ["A1", "5"]]), 2, Period.parse("2011/12", "Q4")).empty
    # a date or a range of years is not a financial year
    assert years_named(raw_frame([["Updated 2024/06/01", "2019-2024"], ["A1"]]), 2, Period.parse("2011/12", "Q4")).empty


def test_the_most_off_track_groups_of_a_two_word_scale_are_found():
    """Before: KeyError: 3 with two status words (met / not met) and more than 18 directorates: the code looked up
    Stockton's "slipped"."""
    from pipeline.figures.measure import most_off_track

    labels = {1: "Met", 4: "Not met"}
    table = pd.DataFrame(
        {"Met": [5, 1, 3, 0], "Not met": [0, 4, 2, 4], "Total": [5, 5, 5, 4]}, index=["A", "B", "C", "D"]
    )
    assert list(most_off_track(table, 2, labels).index) == ["B", "D"]


def test_numbered_themes_read_in_number_order_and_named_ones_in_export_order():
    """Before: themes numbered 1 to 11 in an export listed as text read 1, 10, 11, 2 in every table."""
    assert measure.group_order(["1", "10", "11", "2", "10"]) == ["1", "2", "10", "11"]
    assert measure.group_order(["2.10 Roads", "2.9 Parks", "1 Housing"]) == ["1 Housing", "2.9 Parks", "2.10 Roads"]
    assert measure.group_order(["Zeta", "Alpha", "3 Gamma"]) == ["Zeta", "Alpha", "3 Gamma"]
    rows = SIX.assign(theme=["10", "10", "2", "2", "1", "1"][: len(SIX)])
    assert list(measure.status_by(rows, "theme", STOCKTON.labels).index) == ["1", "2", "10"]
    assert [name for name, _ in measure.in_group_order(rows, "theme")] == ["1", "2", "10"]
