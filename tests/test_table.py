"""table: typed KPI tables read through a layout (synthetic exports, labelled so)."""

import pandas as pd
import pytest
from conftest import raw_frame

from pipeline.errors import NotAnExportError
from pipeline.read.layout import read_layout
from pipeline.read.table.numbers import parse_number
from pipeline.read.table.rows import clean_table, derive_status

LAYOUT = read_layout(
    b"""
[layout]
council = "Anytown Borough Council"
[columns]
ref = "KPI Ref"
measure = "Indicator"
directorate = "Department"
target = "Target"
actual = "Q2 Result"
previous = "Q1 Result"
unit = "Unit"
polarity = "Good is"
status = "RAG"
progress = "Commentary"
[status]
"Green" = 1
"Amber" = 3
"Red" = 4
"Data only" = ""
[polarity]
"High" = "higher"
"Low" = "lower"
""",
    "anytown.toml",
)
HEADER = [
    "KPI Ref",
    "Indicator",
    "Department",
    "Target",
    "Q1 Result",
    "Q2 Result",
    "Unit",
    "Good is",
    "RAG",
    "Commentary",
]


@pytest.mark.parametrize(
    "text, value, percent, why",
    [
        ("20,843", 20843.0, False, ""),
        ("75.2%", 75.2, True, ""),
        ("£1.2m", 1_200_000.0, False, ""),
        ("97", 97.0, False, ""),
        ("-4,423", -4423.0, False, ""),
        ("(1,099)", -1099.0, False, ""),
        ("12k", 12000.0, False, ""),
        ("$3bn", 3e9, False, ""),
        ("\u22122.5", -2.5, False, ""),
        ("0", 0.0, False, ""),
        ("Pending", None, False, "pending ('Pending')"),
        ("Available in Q4", None, False, "pending ('Available in Q4')"),
        ("N/A", None, False, "not available ('N/A')"),
        ("No target", None, False, "given as words ('No target')"),
        ("12m", None, False, "ambiguous ('12m': millions or metres?)"),
        ("(12", None, False, "not a number ('(12': an unpaired bracket)"),
        ("1.2.3", None, False, "not a number ('1.2.3')"),
        ("", None, False, ""),
        # before: "annual" and "available" made any prose a pending target, and NA read as words
        ("Annual increase of 5%", None, False, "given as words ('Annual increase of 5%')"),
        ("Available in the annual report", None, False, "given as words ('Available in the annual report')"),
        ("NA", None, False, "not available ('NA')"),
        ("..", None, False, "not available ('..')"),
    ],
)
def test_numbers_are_read_or_left_empty_with_the_reason(text, value, percent, why):
    assert parse_number(text) == (value, percent, why)


def synthetic(*body, title=True):
    rows = ([["SYNTHETIC TEST DATA: Anytown Borough Council KPI export"], [""]] if title else []) + [HEADER, *body]
    return raw_frame(rows)


def test_a_typed_table_becomes_tidy_indicators_with_figures_from_its_columns():
    raw = synthetic(
        ["CS01", "Library visits", "Culture", "1,000", "900", "950", "number", "High", "Amber", "Near"],
        ["CS02", "Missed bins per 100k", "Waste", "10", "12", "8", "", "Low", "Green", "ok"],
        ["CS03", "Satisfaction", "Corporate", "75%", "70%", "Pending", "%", "High", "Data only", ""],
        ["", "", "", "", "", "", "", "", "", ""],
        ["CS04", "Complaints", "", "5", "", "9", "", "Sideways", "Purple", ""],
    )
    cleaned, figs = clean_table(raw, "anytown.csv", LAYOUT)
    ind = cleaned.indicators
    assert list(ind["ref"]) == ["CS01", "CS02", "CS03", "CS04"]
    assert list(ind["source_line"]) == [4, 5, 6, 8]
    assert list(ind["status"]) == ["Amber", "Green", "Data only", "Purple"]  # the organisation's own words
    assert list(ind["status_code"].astype("object")) == [3, 1, pd.NA, pd.NA]
    assert list(ind["status_kind"]) == ["code", "code", "text", "text"]
    assert list(figs["target"].astype("object")) == [1000.0, 10.0, 75.0, 5.0]
    assert list(figs["actual"].astype("object")) == [950.0, 8.0, pd.NA, 9.0]
    assert list(figs["previous_in_export"].astype("object")) == [900.0, 12.0, 70.0, pd.NA]
    assert list(figs["unit"]) == ["number", "count", "%", "count"]
    assert list(figs["polarity"]) == ["higher", "lower", "higher", ""]
    assert figs.loc[0, "actual_from"] == "column 'Q2 Result', line 4: '950'"
    assert "actual pending ('Pending')" in figs.loc[2, "figures_note"]
    assert "polarity word 'Sideways' is not in the layout's [polarity]" in figs.loc[3, "figures_note"]
    checks = list(cleaned.findings["check"])
    assert checks == ["status_unmapped", "directorate_missing"]
    assert cleaned.preamble == "SYNTHETIC TEST DATA: Anytown Borough Council KPI export"


def test_missing_headers_and_empty_tables_are_errors_naming_what_was_seen():
    with pytest.raises(NotAnExportError, match="missing: RAG, Commentary.*headers seen: KPI Ref, Indicator"):
        clean_table(raw_frame([HEADER[:-2], ["CS01", "x"]]), "a.csv", LAYOUT)
    with pytest.raises(NotAnExportError, match="no indicator read below the header row"):
        clean_table(synthetic(), "a.csv", LAYOUT)


def test_ref_pattern_skips_rows_that_are_not_indicators():
    layout = read_layout(
        b'[layout]\nref_pattern = "^CS\\\\d+$"\n[columns]\nref = "KPI Ref"\nmeasure = "Indicator"\n', "p.toml"
    )
    raw = raw_frame([["KPI Ref", "Indicator"], ["CS01", "Visits"], ["Total", "All"], ["CS02", "Bins"]])
    cleaned, _ = clean_table(raw, "p.csv", layout)
    assert list(cleaned.indicators["ref"]) == ["CS01", "CS02"]
    assert list(cleaned.findings["check"]) == ["ref_pattern"]


def test_a_derived_status_is_marked_as_derived():
    frame = pd.DataFrame(
        {
            "rag": ["green", "amber", "red", ""],
            "status_code": pd.array([pd.NA] * 4, dtype="Int64"),
            "status": [""] * 4,
            "status_kind": ["blank"] * 4,
            "target": [10.0, 10.0, 10.0, 10.0],
            "actual": [11.0, 9.8, 5.0, 7.0],
            "polarity": ["higher", "higher", "higher", ""],
        }
    )
    derived = derive_status(frame)
    assert list(derived["status_code"].astype("object")) == [1, 3, 4, pd.NA]
    assert list(derived["status_kind"]) == ["derived", "derived", "derived", "text"]
    assert all("derived from the figures" in s for s in derived["status"][:3])
    # before: "Not assessed: Not assessed: no figures to derive a status from", though it had its figures
    assert derived["status"][3] == "No status derived: it has no direction (higher or lower is better)"


def test_a_table_wide_polarity_and_a_period_per_row():
    """Before: a table where every measure is "higher is better" had no way to say so (no direction, no RAG), and
    one NHS file holding four months was reported as one quarter without a word."""
    layout = read_layout(
        b'[layout]\ndefault_polarity = "higher"\n[columns]\nref = "Ref"\nmeasure = "KPI"\nactual = "Actual"\n'
        b'target = "Plan"\nperiod = "Month"\n',
        "nhs.toml",
    )
    raw = raw_frame(
        [
            ["Ref", "KPI", "Plan", "Actual", "Month"],
            ["E1", "Elective activity", "100", "96", "Apr-25"],
            ["E2", "Diagnostics within 6 weeks", "95%", "NA", "May-25"],
            ["E3", "Cancer 28 days", "", "77.1%", "Jun-25"],
        ]
    )
    cleaned, figures = clean_table(raw, "nhs.csv", layout)
    assert list(figures["polarity"]) == ["higher", "higher", "higher"]
    assert figures["polarity_from"][0] == "the layout's default_polarity (higher is better)"
    assert list(cleaned.indicators["row_period"]) == ["Apr-25", "May-25", "Jun-25"]
    found = cleaned.findings[cleaned.findings["check"] == "several_periods"]
    assert found["finding"].tolist() == ["the rows report 3 periods in the column 'Month': Apr-25, May-25, Jun-25"]
    assert figures["figures_note"][1] == "actual not available ('NA')"
    assert figures["figures_note"][2].startswith("no target given")  # the first reason is the missing target


def test_without_a_target_column_the_reason_is_no_target():
    layout = read_layout(b'[columns]\nref = "Ref"\nmeasure = "Measure"\nactual = "2024/25"\n', "values.toml")
    _, figures = clean_table(raw_frame([["Ref", "Measure", "2024/25"], ["V1", "Visits", "71.8543046358"]]), "v", layout)
    assert figures["figures_note"][0].startswith("no target (the layout maps no target column)")
    assert figures["actual"][0] == pytest.approx(71.8543046358)  # full precision kept for the CSV
