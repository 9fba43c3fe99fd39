"""layout: the TOML file that maps another organisation's export onto the pipeline, and its proposal."""

import pytest
from conftest import raw_frame

from pipeline.errors import InputError
from pipeline.read.layout import read_layout
from pipeline.read.propose import propose
from pipeline.read.stockton import STOCKTON

# The example in issue 11, as written: it must work.
ANYTOWN = """# A SYNTHETIC example: Anytown Borough Council's quarterly KPI export.
[layout]
kind = "table"                     # "table": one row per indicator under a header row; "council_plan": the Stockton layout
council = "Anytown Borough Council"

[columns]                          # pipeline field = the export's header, as written
ref = "KPI Ref"
measure = "Indicator"
directorate = "Department"
target = "Target 2024/25"
actual = "Q2 Result"
previous = "Q1 Result"
unit = "Unit"
polarity = "Good is"
status = "RAG"
progress = "Commentary"

[status]                           # the export's words -> 1 achieved/met, 2 on track, 3 slipped/at risk, 4 not achieved; "" = not assessed
"Green" = 1
"Amber" = 3
"Red" = 4
"Data only" = ""

[polarity]                         # the export's words -> "higher" or "lower" is better
"High" = "higher"
"Low" = "lower"
"""


def test_the_issue_example_reads_as_written():
    layout = read_layout(ANYTOWN.encode(), "anytown.toml")
    assert layout.kind == "table" and layout.council == "Anytown Borough Council"
    assert layout.columns["actual"] == "Q2 Result" and layout.columns["previous"] == "Q1 Result"
    assert layout.status == {"green": 1, "amber": 3, "red": 4, "data only": None}
    assert layout.polarity == {"high": "higher", "low": "lower"}
    assert layout.status_code(" GREEN ") == (True, 1) and layout.status_code("Data  only") == (True, None)
    assert layout.status_code("Purple") == (False, None)
    assert layout.reviewed and not layout.derive_status


def test_stockton_is_the_built_in_council_plan_layout():
    assert STOCKTON.kind == "council_plan" and STOCKTON.council == "Stockton-on-Tees Borough Council"
    assert read_layout(b'[layout]\nkind = "council_plan"\n', "x.toml").council == STOCKTON.council


@pytest.mark.parametrize(
    "text, message, line",
    [
        ('[layout\nkind = "table"\n', "not valid TOML", 1),
        (
            '[layout]\nkind = "spreadsheet"\n[columns]\nref = "A"\nmeasure = "B"\n',
            "kind 'spreadsheet' is not one of",
            2,
        ),
        ('[columns]\nref = "A"\n', "must map measure", None),
        ('[columns]\nref = "A"\nmeasure = "B"\nscore = "C"\n', "'score', which is not a pipeline field", 4),
        ('[columns]\nref = "A"\nmeasure = "B"\n[status]\n"Green" = 5\n', "use 1 (met)", 5),
        ('[columns]\nref = "A"\nmeasure = "B"\n[polarity]\n"Up" = "up"\n', 'use "higher" or "lower"', 5),
        ('[columns]\nref = "A"\nmeasure = "B"\n[colours]\n', "unknown section", 4),
        ('[layout]\nref_pattern = "(["\n[columns]\nref = "A"\nmeasure = "B"\n', "not a regular expression", 2),
        (
            '[layout]\nderive_status = true\n[columns]\nref = "A"\nmeasure = "B"\nstatus = "C"\n',
            "needs no status column",
            2,
        ),
        # before: each of these stopped with a traceback, or was accepted silently
        ('columns = "x"\n', "columns must be a table", 1),
        ("layout = 5\n", "layout must be a table", 1),
        ('[layout]\nref_pattern = 5\n[columns]\nref = "A"\nmeasure = "B"\n', "ref_pattern must be text", 2),
        ('[layout]\ncouncil = {a = 1}\n[columns]\nref = "A"\nmeasure = "B"\n', "council must be text", 2),
        ('[layout]\nreviewed = "false"\n[columns]\nref = "A"\nmeasure = "B"\n', "reviewed must be true or false", 2),
        (
            '[columns]\nref = "A"\nmeasure = "B"\n[status]\n"Green" = 1\n"GREEN " = 4\n',
            "'GREEN ' is the word 'green' again (case and spaces aside) with another meaning",
            6,
        ),
        (
            '[columns]\nref = "A"\nmeasure = "B"\n[polarity]\n"High" = "higher"\n"high" = "lower"\n',
            "one word, one meaning",
            6,
        ),
        (
            '[columns]\nref = "A"\nmeasure = "B"\ntarget = "Q2 Result"\nactual = "Q2  result"\n',
            "target and actual both read the column 'Q2  result'",
            5,
        ),
        ('[columns]\nref = "A"\nmeasure = "B"\n[directorates]\nRES = 5\n', "must be the full name as text", 5),
        ("a = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply", None),
    ],
)
def test_a_faulty_layout_is_an_error_naming_the_file_and_line(text, message, line):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")) as caught:
        read_layout(text.encode(), "bad.toml")
    assert caught.value.path == "bad.toml" and caught.value.line == line


def test_a_proposed_layout_guesses_columns_and_words_and_is_marked_unreviewed():
    rows = [
        ["SYNTHETIC Anytown KPI export, Q2 2024/25"],
        [],
        [
            "KPI Ref",
            "Indicator",
            "Department",
            "Target 2024/25",
            "Q1 Result",
            "Q2 Result",
            "Good is",
            "RAG",
            "Commentary",
        ],
        ["CS01", "Visits", "Culture", "1,000", "900", "950", "High", "Amber", "ok"],
        ["CS02", "Missed bins", "Waste", "10", "12", "8", "Low", "Green", "ok"],
        ["CS03", "Complaints", "Waste", "5", "5", "9", "Low", "Purple", ""],
    ]
    text = propose(raw_frame(rows), "anytown.csv")
    layout = read_layout(text.replace("= 0 ", '= "" ').encode(), "proposed.toml")
    assert not layout.reviewed and layout.council == ""
    assert layout.columns == {
        "ref": "KPI Ref",
        "measure": "Indicator",
        "directorate": "Department",
        "target": "Target 2024/25",
        "previous": "Q1 Result",
        "actual": "Q2 Result",
        "polarity": "Good is",
        "status": "RAG",
        "progress": "Commentary",
    }
    assert layout.status == {"amber": 3, "green": 1, "purple": None}
    assert layout.polarity == {"high": "higher", "low": "lower"}
    assert "# the header row is line 3" in text and '"Purple" = 0' in text and "NOT GUESSED" in text


def test_the_same_status_word_twice_with_one_meaning_is_one_word():
    layout = read_layout(b'[columns]\nref = "A"\nmeasure = "B"\n[status]\n"Green" = 1\n"GREEN" = 1\n', "ok.toml")
    assert layout.status == {"green": 1} and layout.words == {1: ["Green"]}


def test_a_ref_pattern_that_backtracks_without_end_stops_with_a_clear_error_in_time():
    """Before: ref_pattern = "^(a+)+$" against a 30-character ref took 56 s, doubling with each character. (The
    matcher now finds that one at once; "^(a|aa)+$" still backtracks for ever in it, so the time limit stops it.)"""
    import time

    from pipeline.read.layout import REF_PATTERN_SECONDS, ref_matcher

    matches = ref_matcher("^[A-Z]{2}\\d{2}$", "ok.toml")
    assert matches("CS01") and not matches("CS1") and ref_matcher("", "ok.toml") is None
    assert not ref_matcher("^(a+)+$", "ok.toml")("a" * 40 + "b")
    slow = ref_matcher("^(a|aa)+$", "slow.toml")
    began = time.monotonic()
    with pytest.raises(InputError, match=r"slow.toml: ref_pattern '\^\(a\|aa\)\+\$' took over 2 s .* backtracks"):
        for _ in range(3):
            slow("a" * 40 + "b")
    assert time.monotonic() - began < REF_PATTERN_SECONDS + 3


def test_the_measure_heading_is_the_organisations_word():
    """Before: every typed-table report headed the indicator column "Outcome / success criteria"."""
    from pipeline.read.stockton import STOCKTON

    table = read_layout(b'[columns]\nref = "Code"\nmeasure = "KPI name"\n', "a.toml")
    assert table.measure_heading == "KPI name" and STOCKTON.measure_heading == "Outcome / success criteria"
    worded = read_layout(b'[layout]\nmeasure_word = "Measure"\n[columns]\nref = "Code"\nmeasure = "KPI"\n', "b.toml")
    assert worded.measure_heading == "Measure"
    with pytest.raises(InputError, match='default_polarity must be "higher" or "lower"'):
        read_layout(b'[layout]\ndefault_polarity = "up"\n[columns]\nref = "A"\nmeasure = "B"\n', "c.toml")


def test_the_proposer_reads_headers_and_contents_and_says_how_sure_it_is():
    """Before: `This Quarter` was left unused beside a correctly guessed `Last Quarter`; `Plan` and `Goal` were
    not targets; G/A/R were not status words nor over/under polarity words; a grouping code was proposed as the
    ref and a unit column as the measure, with nothing said about how sure the guesses were. (SYNTHETIC rows.)"""
    header = ["Group Code", "Metric ID", "Metric", "Measure", "Plan", "Last Quarter", "This Quarter", "Good", "Rating"]
    rows = [header] + [
        [
            f"GRP{i % 2}",
            f"M{i:03d}",
            f"Metric number {i} of the scorecard",
            "%" if i % 2 else "Number",
            str(90 + i),
            str(80 + i),
            str(85 + i),
            "Over" if i % 3 else "Under",
            "GAR"[i % 3],
        ]
        for i in range(20)
    ]
    text = propose(raw_frame(rows), "scorecard.csv")
    layout = read_layout(text.encode(), "proposed.toml")
    assert layout.columns["ref"] == "Metric ID"
    assert layout.columns["measure"] == "Metric"
    assert layout.columns["target"] == "Plan"
    assert layout.columns["actual"] == "This Quarter" and layout.columns["previous"] == "Last Quarter"
    assert layout.columns["unit"] == "Measure" and layout.columns["status"] == "Rating"
    assert layout.columns["polarity"] == "Good"
    assert "Group Code" not in layout.columns.values()
    assert layout.status == {"g": 1, "a": 3, "r": 4}
    assert layout.polarity == {"over": "higher", "under": "lower"}
    lines = {line.split("=")[0].strip(): line for line in text.splitlines() if "=" in line}
    assert "# sure: its header" in lines["ref"] and "# sure" in lines["status"]
    assert "its values repeat (a grouping code?)" not in text or "Group Code" in text
    goal = propose(
        raw_frame([["Ref", "Indicator", "Goal", "Value"], ["A1", "Satisfaction with the service", "80", "79"]]), "g"
    )
    assert read_layout(goal.encode(), "g.toml").columns["target"] == "Goal"


def test_the_layout_says_when_the_organisations_year_starts():
    head = '[layout]\nyear_start = "July"\n[columns]\nref = "R"\nmeasure = "M"\n'
    assert read_layout(head.encode(), "l.toml").year_start == 7
    assert read_layout(head.replace('"July"', "1").encode(), "l.toml").year_start == 1
    assert read_layout(b'[columns]\nref = "R"\nmeasure = "M"\n', "l.toml").year_start == 4
    with pytest.raises(InputError, match=r"l.toml:2: year_start 'Julember' is not a month"):
        read_layout(head.replace("July", "Julember").encode(), "l.toml")
