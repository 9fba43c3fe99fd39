"""propose: the layout proposed for an export never seen is honest about what it reads. Every table here is
SYNTHETIC, built in the test in the shapes of real exports."""

import pytest
from conftest import raw_frame

from pipeline.errors import InputError
from pipeline.read.layout import read_layout
from pipeline.read.propose import propose


def proposed(rows, name="synthetic.csv"):
    text = propose(raw_frame(rows), name)
    return text, read_layout(text.replace("= 0 ", '= "" ').encode(), "proposed.toml")


def line_of(text: str, field: str) -> str:
    return next(line for line in text.splitlines() if line.split("=")[0].strip() == field)


def test_a_column_of_refs_is_the_ref_whatever_its_header_and_prose_is_never_a_target():
    """Before: `measure = "Indicator"  # sure` on a column of refs like 1.1.2.PI, and `target = "Goal"` on prose."""
    rows = [["Indicator", "Description", "Goal", "Value"]] + [
        [
            f"1.{i}.2.PI",
            f"Share of residents satisfied with service {i}",
            f"Improve outcomes for group {i} by 2030",
            str(50 + i),
        ]  # fmt: skip
        for i in range(12)
    ]
    text, layout = proposed(rows)
    assert layout.columns["ref"] == "Indicator" and layout.columns["measure"] == "Description"
    assert "target" not in layout.columns  # a column of sentences is not a figure
    assert "# sure" not in line_of(text, "ref")  # its header says measure, its values a ref: not sure


def test_a_goal_number_is_a_code_not_a_target():
    """Before: `target = "sdg_goal"` on a column of goal numbers (1 to 17, repeated)."""
    rows = [["ref", "indicator", "sdg_goal", "value"]] + [
        [f"K{i:03d}", f"Indicator number {i} of the goals", str(i % 5 + 1), f"{i * 1.5:.1f}"] for i in range(20)
    ]
    _, layout = proposed(rows)
    assert layout.columns.get("target") != "sdg_goal" and layout.columns["actual"] == "value"


def test_a_status_column_of_repeated_words_is_proposed_with_its_words():
    """Before: a `Success` column of Met_Goal/Did_Not_Meet was ignored and `derive_status = true` proposed."""
    rows = [["KPI", "Measure", "Target", "Actual", "Success"]] + [
        [
            f"A{i}",
            f"Measure of the agency's work {i}",
            "10",
            str(8 + i % 5),
            "Met_Goal" if 8 + i % 5 >= 10 else "Did_Not_Meet",
        ]
        for i in range(10)
    ]
    text, layout = proposed(rows)
    assert layout.columns["status"] == "Success" and "derive_status" not in text
    assert layout.status == {"met_goal": 1, "did_not_meet": 4}
    # met above its target, missed below it: higher is better, from the body's own statuses and figures
    assert layout.default_polarity == "higher" and "default_polarity" in line_of(text, "default_polarity")


def test_year_named_columns_are_the_history_of_the_actual_and_the_latest_is_the_actual():
    """Before: a table whose only figures were columns 2016 to 2023 got nothing mapped."""
    rows = [["Code", "Indicator", "2019", "2020", "2021", "2022"]] + [
        [f"C{i}", f"Indicator {i} of the city", str(10 + i), str(11 + i), str(12 + i), str(13 + i)] for i in range(6)
    ]
    text, layout = proposed(rows)
    assert layout.columns["actual"] == "2022"
    assert layout.history == {"2019/20": "2019", "2020/21": "2020", "2021/22": "2021", "2022/23": "2022"}
    assert "[history]" in text


def test_a_file_that_is_not_a_table_is_refused():
    """Before: a JavaScript file got a line of code proposed as its header row, exit 0."""
    script = [["function f(a", " b", " c) {"], ["  return a + b;"], ["}"], ["const x = f(1", " 2", " 3);"]]
    with pytest.raises(InputError, match="holds no table"):
        propose(raw_frame(script), "app.js")


def test_no_id_column_names_each_indicator_by_its_measure_and_the_groups_word_is_the_header():
    rows = [["Agency", "Performance measure", "Result"]] + [
        ["Consumer and Worker Protection" if i % 2 else "Transport", f"Inspections completed on time {i}", str(i)]
        for i in range(8)
    ]
    text, layout = proposed(rows)
    assert layout.columns["ref"] == "(measure)" and layout.columns["directorate"] == "Agency"
    assert layout.group_name == "agency"


def test_the_year_start_is_proposed_where_the_export_says_so():
    rows = [["City performance report, fiscal year 2024: Q1 (Jul-Sep)"], ["Ref", "Measure", "Actual"]] + [
        [f"R{i}", f"Measure {i} of the city", str(i)] for i in range(4)
    ]
    text, layout = proposed(rows)
    assert layout.year_start == 7 and "year_start" in text
