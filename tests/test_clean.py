"""clean: the rules for headings, merged cells, statuses, markup, shifted rows and the export's summary."""

import pandas as pd
import pytest
from conftest import HEADER, export_rows, raw_frame

from pipeline.errors import NotAnExportError
from pipeline.read.stockton.clean import clean_export, find_header
from pipeline.read.text import plain_text


def clean(rows):
    return clean_export(raw_frame(rows), "test.tsv")


def checks(result):
    return result.findings["check"].tolist()


BODY = [
    ["Stockton Borough - the Place", "", "", "", "", "", ""],
    ["Economic Regeneration and Transport", "", "", "", "", "", ""],
    ["1. Promote a sustainable transport network.", "", "", "", "", "", ""],
    ["1.1", "Deliver the bus scheme.", "Works done by March 2012.", "DNS", "1", "Done.", ""],
    ["1.2", "", "Year 2 schemes complete.", "DNS", "2", "Largely complete.", ""],
    ["", "", "", "", "", "", ""],
    HEADER,
    ["2. Regenerate the Borough.", "", "", "", "", "", ""],
    ["2.1", "", "Start on site.", "DNS", "4", "Not started.", "Contractor found."],
]


def test_headings_give_section_theme_and_objective():
    ind = clean(export_rows(*BODY)).indicators
    assert ind["ref"].tolist() == ["1.1", "1.2", "2.1"]
    assert ind["section"].unique().tolist() == ["Stockton Borough - the Place"]
    assert ind["theme"].unique().tolist() == ["Economic Regeneration and Transport"]
    assert ind["objective_no"].tolist() == [1, 1, 2]
    assert ind.loc[2, "objective"] == "Regenerate the Borough."


def test_repeated_header_and_blank_lines_are_skipped_silently():
    result = clean(export_rows(*BODY))
    assert len(result.indicators) == 3
    assert "unrecognised_row" not in checks(result)


def test_empty_action_continues_the_action_above_within_the_objective():
    result = clean(export_rows(*BODY))
    ind = result.indicators
    assert ind.loc[1, "action"] == "Deliver the bus scheme."
    assert ind.loc[1, "action_line"] == ind.loc[0, "source_line"] == 5
    # a new objective starts with no action: left empty and recorded, never borrowed from objective 1
    assert ind.loc[2, "action"] == ""
    assert pd.isna(ind.loc[2, "action_line"])
    missing = result.findings[result.findings["check"] == "action_missing"]
    assert missing["ref"].tolist() == ["2.1"]


def test_status_codes_labels_and_counted_apart_statuses():
    rows = export_rows(
        ["1. Objective.", "", "", "", "", "", ""],
        ["1.1", "A", "M1", "DNS", "3", "p", "r"],
        ["1.2", "", "M2", "DNS", "Targets are for academic year 2011/12", "p", ""],
        ["1.3", "", "M3", "DNS", "", "", ""],
    )
    result = clean(rows)
    ind = result.indicators
    assert ind["status_code"].tolist()[0] == 3
    assert ind["status"].tolist() == ["Slipped", "Targets are for academic year 2011/12", "No status given"]
    assert ind["status_kind"].tolist() == ["code", "text", "blank"]
    assert pd.isna(ind.loc[1, "status_code"]) and pd.isna(ind.loc[2, "status_code"])
    assert {"status_text", "status_blank"} <= set(checks(result))


def test_row_with_empty_ref_is_a_further_part_of_the_indicator_above():
    rows = export_rows(
        ["12. Narrow the gap.", "", "", "", "", "", ""],
        ["12.1", "Plan", "English from 82% to 90%", "CESC", "2", "85%", ""],
        ["", "", "Maths from 80% to 88%", "CESC", "1", "89%", ""],
    )
    result = clean(rows)
    ind = result.indicators
    assert ind[["ref", "part"]].values.tolist() == [["12.1", 1], ["12.1", 2]]
    assert ind.loc[1, "measure"] == "Maths from 80% to 88%"
    assert ind.loc[1, "status_code"] == 1
    assert "continuation_row" in checks(result)


def test_html_fragments_become_plain_text_and_scripts_are_dropped():
    rows = export_rows(
        ["1. Objective.", "", "", "", "", "", ""],
        [
            "1.1",
            "<p>First action.</p> <p>Second &amp; last.</p>",
            "M",
            "DNS",
            "1",
            '<ul style="list-style-type: none"> Done <script>alert("x")</script>well.',
            "",
        ],
    )
    result = clean(rows)
    ind = result.indicators
    assert ind.loc[0, "action"] == "First action.\nSecond & last."
    assert ind.loc[0, "progress"] == "Done well."
    assert "<" not in ind.loc[0, "progress"] and "alert" not in ind.loc[0, "progress"]
    assert result.findings.query("check == 'html_markup'")["finding"].tolist() == ["HTML markup in action, progress"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Target of <3% in 2011/12", ("Target of <3% in 2011/12", False)),
        ("improves to <14.0 by 2012-13", ("improves to <14.0 by 2012-13", False)),
        ("Task &amp; Finish", ("Task & Finish", True)),
        ("a<br>b", ("a\nb", True)),
        ("  spaced \u00a0 out  ", ("spaced out", False)),
    ],
)
def test_plain_text(text, expected):
    assert plain_text(text) == expected


def test_row_shifted_right_is_realigned_and_recorded():
    rows = export_rows(
        ["1. Objective.", "", "", "", "", "", ""],
        ["1.1", "", "Deliver it.", "Done by March 2012.", "DNS", "2", "Under way.", "Delay explained."],
        ["1.2", "", "Deliver more.", "Done by May 2012.", "RES", "1", "Done."],  # shifted, remedial dropped
    )
    result = clean(rows)
    ind = result.indicators
    assert ind[["action", "measure", "directorate", "status_code", "progress", "remedial"]].values.tolist() == [
        ["Deliver it.", "Done by March 2012.", "DNS", 2, "Under way.", "Delay explained."],
        ["Deliver more.", "Done by May 2012.", "RES", 1, "Done.", ""],
    ]
    shifted = result.findings[result.findings["check"] == "shifted_row"]
    assert shifted["source_line"].tolist() == [3, 4]


def test_unshifted_row_with_empty_action_is_left_alone():
    rows = export_rows(
        ["1. Objective.", "", "", "", "", "", ""], ["1.1", "", "Measure text that is long.", "DNS", "1", "Done.", ""]
    )
    result = clean(rows)
    assert "shifted_row" not in checks(result)
    assert result.indicators.loc[0, "directorate"] == "DNS"


def test_export_summary_is_read_not_counted():
    """The summary is the export's own words, whatever its rows say: here it claims 7 and 5 of 3 rows (2 on track
    and 1 slipped), so a reader that counted the rows instead would give 2 and 1, and fail."""
    rows = export_rows(*BODY)
    at = {r[3]: i for i, r in enumerate(rows) if len(r) > 4}
    rows[at["Achieved or on track"]][4] = "7"
    rows[at["Slipped or not achieved"]][4] = "5"
    rows[at["Percentage achieved or on track"]][4] = "58.3%"
    result = clean(rows)
    summary = result.export_summary
    assert summary[["label", "value"]].values.tolist() == [
        ["Achieved or on track", "7"],
        ["Slipped or not achieved", "5"],
        ["Percentage achieved or on track", "58.3%"],
        ["Percentage slipped or not achieved", "33.3%"],
    ]
    assert len(result.indicators) == 3  # key rows are not indicators
    assert result.indicators["status_code"].isin([1, 2]).sum() == 2  # what the rows themselves give


def test_truncated_export_is_cleaned_with_a_finding():
    rows = export_rows(*BODY, key=False)
    rows[-1] = rows[-1][:4]  # the last row is cut off mid-way
    result = clean(rows)
    assert len(result.indicators) == 3
    assert {"no_summary", "short_row"} <= set(checks(result))
    assert result.export_summary.empty


def test_ref_under_another_objective_is_filed_by_its_number():
    rows = export_rows(
        ["Children", "", "", "", "", "", ""],
        ["11. Safeguarding.", "", "", "", "", "", ""],
        ["11.1", "A", "M", "CESC", "1", "", ""],
        ["Other outcomes", "", "", "", "", "", ""],
        ["11.3", "", "Screening", "CESC", "4", "", ""],
        ["40.1", "", "Orphan", "CESC", "1", "", ""],
    )
    result = clean(rows)
    ind = result.indicators
    assert ind["objective_no"].tolist()[:2] == [11, 11]
    assert ind.loc[1, "theme"] == "Other outcomes"
    assert pd.isna(ind.loc[2, "objective_no"]) and ind.loc[2, "objective"] == ""
    assert {"objective_mismatch", "objective_missing"} <= set(checks(result))


def test_unrecognised_row_is_skipped_and_recorded():
    rows = export_rows(["1. Objective.", "", "", "", "", "", ""], ["see note", "something", "else", "", "", "", ""])
    result = clean(rows)
    assert result.indicators.empty
    assert checks(result)[0] == "unrecognised_row"


def test_header_columns_are_found_by_meaning():
    reordered = [
        "Ref",
        "Outcome/Success Criteria",
        "Change/Improvement Priority Actions",
        "Lead officer",
        "Quarter 1 Progress Indicator",
        "Slippage/Remedial action required",
        "Progress at Quarter 1",
    ]
    pos, cols = find_header(raw_frame([["title"], reordered]), "x")
    assert pos == 1
    assert cols == {"ref": 0, "measure": 1, "action": 2, "directorate": 3, "status": 4, "remedial": 5, "progress": 6}


def test_a_table_that_is_not_an_export_is_refused():
    with pytest.raises(NotAnExportError, match="no Council Plan header"):
        clean([["Name", "Amount"], ["a", "1"]])
    with pytest.raises(NotAnExportError, match="lacks the Council Plan column") as info:
        clean([["x"], ["Ref.", "Change/Improvement Priority Actions", "Amount"]])
    assert info.value.line == 2


def test_invisible_and_bidi_characters_are_removed_from_groups_and_recorded():
    """Before: 'RES' and 'RES\\u200b' were two directorates, and a \\u202e reversed what a reader saw."""
    rows = export_rows(
        ["Theme\u200b A"],
        ["1. Objective"],
        ["1.1", "Action", "Measure", "RES", "1", "ok", ""],
        ["1.2\u200b", "Action", "Measure", "RES\u200b", "2", "ok", ""],
        ["1.3", "Action", "Measure", "\u202eSER", "3", "ok", "fix"],
    )
    cleaned = clean_export(raw_frame(rows), "x.tsv")
    assert list(cleaned.indicators["directorate"]) == ["RES", "RES", "SER"]
    assert list(cleaned.indicators["ref"]) == ["1.1", "1.2", "1.3"]
    assert set(cleaned.indicators["theme"]) == {"Theme A"}
    found = cleaned.findings[cleaned.findings["check"] == "invisible_characters"]
    assert list(found["source_line"]) == [2, 5, 6]
    assert list(found["ref"]) == ["", "1.2", "1.3"]
    assert "ref (1), directorate (1)" in found["finding"].iloc[1]


def test_deeply_nested_markup_is_refused_in_linear_time():
    """Before: a 300 KB cell of nested <div>s took 157 s (quadratic)."""
    import time

    from pipeline.errors import InputError

    rows = export_rows(["1. Objective"], ["1.1", "Action", "<div>" * 5000 + "x", "RES", "1", "ok", ""])
    started = time.perf_counter()
    with pytest.raises(InputError, match="nests 5000 HTML elements, over the limit of 40") as caught:
        clean_export(raw_frame(rows), "x.tsv")
    assert caught.value.line == 3
    assert time.perf_counter() - started < 1
    ok = export_rows(["1. Objective"], ["1.1", "Action", "<p><b>fine</b></p>", "RES", "1", "ok", ""])
    assert clean_export(raw_frame(ok), "x.tsv").indicators["measure"].iloc[0] == "fine"
