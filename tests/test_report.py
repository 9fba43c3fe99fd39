"""report: escaped HTML pieces; no text from an export reaches a report as live markup."""

import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import statements_of, table_layout

from pipeline import report
from pipeline.request import PERIOD

ROOT = Path(__file__).resolve().parent.parent


def test_table_escapes_cells_and_has_caption_and_header_scopes():
    frame = pd.DataFrame({"Ref": ["1.1"], "Text": ['<script>alert("x")</script> & <b>bold</b>']})
    markup = report.table(frame, "A <caption>", row_header="Ref").markup
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in markup
    assert "<caption>A &lt;caption&gt;</caption>" in markup
    assert '<th scope="col">Ref</th>' in markup
    assert '<th scope="row">1.1</th>' in markup


def test_line_breaks_survive_as_br():
    assert report.esc("one\ntwo & three") == "one<br>two &amp; three"
    assert report.esc(None) == "" and report.esc(pd.NA) == ""


def test_status_badge_has_a_shape_and_a_word():
    from pipeline.report.formats.html import badge

    assert badge(report.status_badge(3, "Slipped")) == (
        '<span class="status status-3"><span class="mark" aria-hidden="true">\u25b2</span>Slipped</span>'
    )
    assert report.status_badge(pd.NA, "No status given").mark == "\u25cb"


def test_crosstab_table_ends_with_a_total_row():
    table = pd.DataFrame({"Achieved Target": [2, 3], "Total": [2, 3]}, index=pd.Index(["A", "B"], name="theme"))
    markup = report.crosstab_table(table, "caption", "Theme").markup
    assert markup.count('<tr class="total">') == 1
    assert '<tr class="total"><th scope="row">Total</th><td class="num">5</td><td class="num">5</td></tr>' in markup


def test_chart_bundle_carries_svg_alt_text_and_file_name():
    chart = report.Chart.of("<svg/>", '12 "achieved"', "cap", "x.svg")
    data, metadata = chart._repr_mimebundle_()
    assert set(data) == {"text/html", "text/x-typst", "text/plain", "application/vnd.council-report.blocks+json"}
    assert "<svg/>" not in data["text/x-typst"]  # the SVG once: in the HTML's data: URL; Typst names it
    assert 'alt="12 &quot;achieved&quot;"' in data["text/html"]
    assert "data:image/svg+xml;base64,PHN2Zy8+" in data["text/html"]
    assert metadata == {"council_report": {"chart_file": "x.svg"}}


def test_summary_check_says_when_the_export_disagrees():
    agree = pd.DataFrame(
        {
            "label": ["Achieved or on track"],
            "export_value": ["91"],
            "computed_value": ["91"],
            "agrees": pd.array([True], dtype="boolean"),
            "source_line": [203],
        }
    )
    assert "agrees with the figures" in report.summary_check(agree).markup
    differ = agree.assign(export_value=["92"], agrees=pd.array([False], dtype="boolean"))
    markup = report.summary_check(differ).markup
    assert "does not agree" in markup and "<td>Differs</td>" in markup
    assert "no summary of its own" in report.summary_check(agree.iloc[0:0]).markup


def test_exceptions_show_missing_remedial_text_plainly():
    exc = pd.DataFrame(
        {
            "ref": ["4.9"],
            "part": [1],
            "theme": ["T"],
            "measure": ["530 homes"],
            "directorate": ["DNS"],
            "status": ["Target Not Achieved"],
            "status_code": [4],
            "progress": ["471 homes"],
            "remedial": [""],
            "source_line": [32],
        }
    )
    markup = report.exceptions_table(exc).markup
    assert "None given in the export." in markup
    assert "source line 32" in markup and "\u25c6" in markup


@pytest.mark.parametrize(
    "value, unit, signed, expected",
    [
        (250, "count", False, "250"),
        (2000000, "count", False, "2,000,000"),
        (84.44, "%", False, "84.44%"),
        (1208.119, "per 100,000", False, "1,208.119 per 100,000"),
        (9.44, "%", True, "+9.44 pts"),
        (-59, "count", True, "-59"),
        (0.13, "per 100,000", False, "0.13 per 100,000"),
        (None, "%", False, ""),
        # more decimals than a figure is written with: rounded for reading (the CSVs keep them all)
        (71.8543046358, "%", False, "71.85%"),
        (-4.1456953642, "%", True, "-4.15 pts"),
        (0.1 + 0.2, "count", False, "0.3"),
    ],
)
def test_number_keeps_the_precision_it_was_given(value, unit, signed, expected):
    assert report.number(value, unit, signed) == expected


def test_rag_badge_has_shape_and_word():
    from pipeline.report.formats.html import badge

    assert (
        badge(report.rag_badge("amber"))
        == '<span class="rag rag-amber"><span class="mark" aria-hidden="true">\u25b2</span>Amber</span>'
    )
    assert report.rag_badge("").label == "no figures"


def test_trend_table_has_no_total_row_because_quarters_do_not_add_up():
    trend = pd.DataFrame(
        {"Achieved Target": [51, 49], "Total": [121, 121]}, index=pd.Index(["2012/13 Q1", "2012/13 Q2"], name="quarter")
    )
    markup = report.crosstab_table(trend, "caption", "Quarter", total_row=False).markup
    assert 'class="total"' not in markup and ">All<" not in markup
    assert '<th scope="row">2012/13 Q2</th><td class="num">49</td>' in markup


def test_register_text_in_an_exception_is_escaped():
    """Before: a register unit 'per <img src=x onerror=alert(1)>' reached report.html as a live element."""
    row = {
        "ref": "1.1",
        "part": 1,
        "theme": "T",
        "measure": "M",
        "directorate": "RES",
        "status": "Slipped",
        "progress": "p",
        "remedial": "r",
        "source_line": 3,
        "target": 5.0,
        "actual": 4.0,
        "unit": "per <img src=x onerror=alert(1)>",
        "variance": -1.0,
        "rag": "red",
    }
    html = report.exceptions_table(pd.DataFrame([row])).markup
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_provenance_commands_are_shell_quoted():
    """Before: an input named 'q4 $(id>PWNED).tsv' gave a command that ran `id` when pasted into a shell."""
    import shlex

    inputs = [{"path": "q4 $(id>PWNED).tsv", "size": 1, "sha256": "0" * 64}]
    html = report.provenance_section(
        inputs,
        PERIOD.make(year="2011/12", quarter="Q4", input_path="q4 $(id>PWNED).tsv"),
        {"python": "3.11", "packages": {}},
        "d",
        "0.1",
    )
    command = html.markup.split("Make this report again: <code>")[1].split("</code>")[0]
    import html as html_module

    pasted = html_module.unescape(command)
    assert shlex.split(pasted)[-2:] == ["--input", "q4 $(id>PWNED).tsv"]
    assert pasted.endswith("--input 'q4 $(id>PWNED).tsv'")  # single quotes: the shell runs nothing inside


def test_a_breakdown_with_no_groups_says_so_instead_of_drawing_one_bar():
    crosstab = pd.DataFrame(
        {"Green": [2], "Not assessed": [1], "Total": [3]}, index=pd.Index(["(not given)"], name="theme")
    )
    html = report.status_chart(crosstab, "theme", "status_by_theme.svg", {1: "Green"}).markup
    assert html == "<p>No theme is named for any indicator, so there is no breakdown by theme.</p>"


def front(frame, before=None, previous=None, names=None, words=None):
    """The front page of ``frame``'s indicators (``before``: the previous quarter's), as HTML."""
    from conftest import statements_of

    from pipeline.figures import headlines
    from pipeline.period import Period

    frame = frame.assign(
        measure=[f"Measure {r}" for r in frame["ref"]], remedial=["" if i % 2 else "act" for i in range(len(frame))]
    )
    facts = headlines.front_facts(frame, previous, before)
    said = statements_of(frame, names=names or {}, previous=str(previous) if previous else "")
    period = Period.parse("2012/13", "Q2")
    return report.front_page("Anytown", "Performance indicators 2012/13", period, facts, said, words).markup


FRAME = pd.DataFrame(
    {
        "ref": ["1.1", "1.2", "1.3", "2.1"],
        "part": [1] * 4,
        "status_code": pd.array([1, 3, 4, None], dtype="Int64"),
        "theme": ["A", "A", "B", "B"],
        "directorate": ["RES", "DNS", "DNS", "RES"],
        "status_check": ["", "disagrees", "", ""],
        "previous_status_code": pd.array([2, 1, 4, 1], dtype="Int64"),
        "rag": ["green", "red", "", ""],
        "variance_pct": [10.0, -20.0, None, None],
        "polarity": ["higher", "higher", "", ""],
        "figures_note": ["", "", "no numeric target in the text", "polarity not stated"],
    }
)


def test_the_front_page_states_the_figures_against_before_and_links_to_the_evidence():
    from pipeline.period import Period

    before = pd.DataFrame({"status_code": pd.array([1, 2, 1, 3], dtype="Int64")})
    html = front(FRAME, before, Period.parse("2012/13", "Q1"), {"RES": "Resources"}, {"author": "A. Analyst"})
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "33.3% of the 3 indicators with a status are achieved or on track (1); 66.7% have slipped" in text
    assert "Previous quarter (2012/13 Q1)" in text and "3 (75.0%)" in text  # on track then: 3 of 4
    assert "Most indicators off track (2 of 2) are in DNS (2 of its 2 with a status)." in text
    assert "1 indicator moved to a worse status since 2012/13 Q1: 1.2." in text
    needs = text.split("Needs attention")[1].split("For the committee")[0]
    assert needs.count(" Indicators off track") + needs.count(" Performance against target") <= 4  # four at most
    assert "Furthest ahead of target: 1.1 Measure 1.1 (Resources (RES)), 10.0% better than target" in text
    assert "Report author A. Analyst" in text and "Members are asked to Not given for this report." in text
    assert 'href="#indicators-off-track"' in html and 'href="#performance-against-target"' in html
    assert "export" not in text.lower() and "SHA-256" not in text  # the committee's words, no hashes


def test_the_glossary_names_directorates_only_from_the_names_given():
    from pipeline.read.stockton import STOCKTON

    frame = pd.DataFrame(
        {"directorate": ["RES", "RES", "XYZ", ""], "tolerance_pct": pd.array([None, 10.0, None, None], dtype="Float64")}
    )
    html = report.glossary(frame, STOCKTON, {"RES": "Resources"}).markup
    assert '<th scope="row">RES</th><td>Resources</td><td class="num">2</td>' in html
    assert '<th scope="row">XYZ</th><td>not named in the export: add it to directorates.csv' in html
    assert "Target Not Achieved" in html and "off track (an exception)" in html
    assert "1 indicator(s) have a tolerance of their own" in html and "5% of the target" in html
    assert report.directorate_name("RES", {"RES": "Resources"}) == "Resources (RES)"
    assert report.directorate_name("XYZ", {"RES": "Resources"}) == "XYZ"


def _print_alone(*pieces) -> bytes:
    """``pieces`` printed as the report prints them: their Typst, the report's template, A4."""
    from pipeline.report import blocks
    from pipeline.report.export import pdf as render

    body = "#heading(level: 1)[Charts]\n\n" + "".join(p.typst() for p in pieces)
    images = {blocks.chart_key(p.svg): p.svg for p in pieces}
    return render.typst_to_pdf(render.typst_document(body, "Charts"), images)


def test_charts_of_1000_indicators_and_40_directorates_print_every_label_at_8_pt_or_more(tmp_path):
    """Before: the variance chart drew every indicator (labels of 6.5 pt, about 7 px, and cut mid-word), and a
    status chart with 40 directorates grew to 18 inches and was shrunk to half size on paper."""
    import re
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from pdf_layout import MM, glyph_boxes
    from synthetic import typed_table

    from pipeline.figures import measure
    from pipeline.report import charts
    from pipeline.request import PERIOD
    from pipeline.run.prepare import load_period

    export = tmp_path / "anytown_2024-25_Q2.synthetic.csv"
    export.write_bytes(typed_table(1000, departments=40))
    layout = ROOT / "data" / "layouts" / "anytown_synthetic.toml"
    data = load_period(PERIOD.make(year="2024/25", quarter="Q2", input_path=export, layout_path=layout))
    indicators, labels = data.indicators, data.layout.labels
    by_directorate = measure.status_by(indicators, "directorate", labels)
    assert len(by_directorate) == 40
    status = report.status_chart(by_directorate, "directorate", "status_by_directorate.svg", labels)
    variance = report.variance_chart(indicators)

    # the status chart: the 18 directorates with the most off track, most first; the table keeps all 40
    drawn = re.findall(r">(Department \d+)<", status.svg)
    off = by_directorate["Amber"] + by_directorate["Red"]
    assert len(drawn) == charts.MAX_STATUS_GROUPS == 18
    assert [int(off[d]) for d in drawn] == sorted(off, reverse=True)[:18]
    assert status.table.markup.count('<th scope="row">Department ') == 40
    assert "The 18 directorates with the most indicators off track, of 40 directorates" in status.caption
    # the variance chart: the 48 furthest below target of every indicator with a variance
    better = sorted(
        charts.better_pct(float(v), p)
        for v, p, r in zip(indicators["variance_pct"], indicators["polarity"], indicators["rag"])
        if pd.notna(v) and r != ""
    )
    shown = [float(v) for v in re.findall(r">([+-]\d+\.\d)%<", variance.svg)]
    assert len(shown) == charts.MAX_VARIANCE_BARS == 48
    assert sorted(shown) == [round(b, 1) for b in better[:48]]
    assert f"of {len(better)} with a target and an actual" in variance.caption

    pdf = tmp_path / "charts.pdf"
    pdf.write_bytes(_print_alone(*(report.Chart.of(c.svg, c.alt, c.caption, c.filename) for c in (status, variance))))
    boxes = [box for page in glyph_boxes(pdf) for box in page]
    assert len(boxes) > 1000  # the charts' text is there to measure
    assert min(size for *_, size in boxes) >= 7.99
    assert all(14 * MM - 0.5 <= x0 and x1 <= 595.28 - 14 * MM + 0.5 for x0, x1, _, _ in boxes)


def test_chart_labels_are_cut_at_a_word_never_inside_one():
    measure_text = "Percentage of people who feel safe in their local area at night"
    assert report.short(measure_text) == "Percentage of people who feel safe in\u2026"
    assert report.short("one two three", 7) == "one two\u2026"
    assert report.short("short", 42) == "short"
    from pipeline.report import charts

    assert charts._wrap("Children, Education and Social Care Directorate", 12).split("\n")[0] == "Children,"


def test_the_provenance_commands_run_as_printed_whatever_out_and_file_names():
    """Before: the commands said outputs/… whatever --out was, and quoted a file named -rf_… in a way argparse
    rejects (it read the name as a flag)."""
    import shlex

    from bs4 import BeautifulSoup

    from pipeline.cli import build_parser

    params = PERIOD.make(
        year="2024/25",
        quarter="Q2",
        input_path="-rf_kpis_2024-25_Q2.csv",
        layout_path="-layout.toml",
        council="-x $(id)",
        out="/srv/reports/-q",
    )
    html = report.provenance_section([], params, {"packages": {}}, "0" * 64, "0.4.0").markup
    commands = [c.get_text() for c in BeautifulSoup(html, "html.parser").select("li code")]
    run_args = build_parser().parse_args(shlex.split(commands[0])[3:])
    assert (run_args.input, run_args.layout, run_args.council, run_args.out) == (
        "-rf_kpis_2024-25_Q2.csv",
        "-layout.toml",
        "-x $(id)",
        "/srv/reports/-q",
    )
    assert (run_args.year, run_args.quarter) == ("2024/25", "Q2")
    for command, name in zip(commands[1:], ("verify", "reproduce")):
        parsed = build_parser().parse_args(shlex.split(command)[3:])
        assert parsed.command == name and parsed.folder == "/srv/reports/-q/2024-25/Q2"
    default = params.replace(out="outputs", input_path="data/raw/kpis_2024-25_Q2.csv")
    html = report.provenance_section([], default, {"packages": {}}, "0" * 64, "0.4.0").markup
    commands = [c.get_text() for c in BeautifulSoup(html, "html.parser").select("li code")]
    assert "--out" not in commands[0] and commands[1] == "python -m pipeline verify outputs/2024-25/Q2"
    hidden = default.replace(out="")  # a folder outside the project: named DIR, and said so
    html = report.provenance_section([], hidden, {"packages": {}}, "0" * 64, "0.4.0").markup
    commands = [c.get_text() for c in BeautifulSoup(html, "html.parser").select("li code")]
    assert "--out DIR" in commands[0] and commands[1] == "python -m pipeline verify DIR/2024-25/Q2"
    assert "DIR stands for the folder the report was published under" in html
    relative = default.replace(out="-reports")
    html = report.provenance_section([], relative, {"packages": {}}, "0" * 64, "0.4.0").markup
    commands = [c.get_text() for c in BeautifulSoup(html, "html.parser").select("li code")]
    assert build_parser().parse_args(shlex.split(commands[1])[3:]).folder == "./-reports/2024-25/Q2"


def _off_track(n: int) -> pd.DataFrame:
    """``n`` indicators of one theme, all slipped."""
    return pd.DataFrame(
        {
            "ref": [f"R{i}" for i in range(n)],
            "part": [1] * n,
            "theme": ["T"] * n,
            "measure": [f"Measure {i}" for i in range(n)],
            "directorate": ["D"] * n,
            "status": ["Slipped"] * n,
            "status_code": [3] * n,
            "rag": [""] * n,
            "direction": [""] * n,
            "source_line": range(2, n + 2),
            "progress": [""] * n,
            "remedial": [""] * n,
        }
    )


def test_long_listings_are_cut_in_print_only_and_the_pdf_says_where(monkeypatch):
    """Before: the PDF listed every row of every listing (10,000 indicators: 1,720 pages, 82 s and 7.7 GB in
    Typst). The HTML and the CSVs keep every row; the PDF prints the first PRINT_ROWS and says so."""
    monkeypatch.setattr(report.pieces, "PRINT_ROWS", 3)
    rows = _off_track(5)
    glance = report.exceptions_at_a_glance(rows, statements_of(rows), table_layout())
    for piece in (report.appendix_table(rows), glance, report.exceptions_table(rows)):
        assert all(f"Measure {i}" in piece.markup for i in range(5))
        printed = piece.typst()
        assert [f"Measure {i}" in printed for i in range(5)] == [True, True, True, False, False]
        assert "The printed report lists the first 3 of the 5" in printed and "HTML report" in printed
    short = report.appendix_table(rows.head(3))
    assert short.print_blocks is None and "printed report lists" not in short.typst()
    # the body's exception table, the committee's pages, is cut sooner than the annex's full text
    monkeypatch.setattr(report.pieces, "BODY_PRINT_ROWS", 2)
    body, annex = (
        report.exceptions_at_a_glance(rows, statements_of(rows), table_layout()),
        report.exceptions_table(rows),
    )
    assert "The printed report lists the first 2 of the 5 off-track indicators" in report.blocks.plain(
        body.print_blocks[0].content
    )
    assert all(f"Measure {i}" in body.markup for i in range(5))
    assert "The printed report lists the first 3 of the 5" in annex.typst()
    assert body.blocks_data()["blocks"] == report.blocks.to_data(body.print_blocks)  # Word prints what the PDF prints


def test_a_listing_cut_in_print_counts_all_its_rows_and_says_it_prints_the_first(monkeypatch):
    """Before: a cut table's caption counted the rows printed ("The 100 indicators that slipped") under a note
    saying 500 slipped."""
    monkeypatch.setattr(report.pieces, "PRINT_ROWS", 3)
    rows = _off_track(1200)
    for piece, counted in (
        (report.appendix_table(rows), "T: 1,200 indicators"),
        (
            report.exceptions_at_a_glance(rows, statements_of(rows), table_layout()),
            "The 1,200 indicators that slipped or did not achieve their target",
        ),
        (report.exceptions_table(rows), "1,200 indicators slipped or did not achieve their target"),
    ):
        assert counted in piece.markup and "printed" not in piece.markup  # the HTML lists them all
        printed = piece.typst().replace("\\", "")  # Typst's escapes aside
        assert f"{counted}, the first 3 printed" in printed
    whole = report.appendix_table(rows.head(3))
    assert "T: 3 indicators" in whole.typst().replace("\\", "") and "printed" not in whole.typst()


def test_the_front_page_of_an_export_with_no_status_and_of_many_services():
    """Before: an actuals-only table read " of the 0 indicators with a status are achieved or on track (0)"; and
    "spread across 7 directorates, none with more than 4" when 26 directorates had off-track indicators."""
    nothing = pd.DataFrame(
        {
            "ref": ["A1", "A2"],
            "part": [1, 1],
            "status_code": pd.array([None, None], dtype="Int64"),
            "theme": ["", ""],
            "directorate": ["X", "Y"],
            "rag": ["", ""],
            "variance_pct": [None, None],
            "polarity": ["", ""],
            "figures_note": ["no target (the layout maps no target column)"] * 2,
        }
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", front(nothing)).split())
    assert "None of the 2 indicators has a status to count" in text and "of the 0 indicators" not in text
    assert "2 indicators cannot be assessed against a target; the commonest reasons: no target (2)." in text
    directorates = [f"D{i % 26}" for i in range(26)] + [f"D{i}" for i in range(20, 26)] * 2 + ["D0", "D1"]
    tied = pd.DataFrame(
        {
            "ref": [f"K{i}" for i in range(40)],
            "part": [1] * 40,
            "status_code": pd.array([4] * 40, dtype="Int64"),
            "theme": [""] * 40,
            "directorate": directorates,
            "rag": [""] * 40,
            "variance_pct": [None] * 40,
            "polarity": [""] * 40,
            "figures_note": [""] * 40,
        }
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", front(tied)).split())
    # "most" of 3 of 40 is not said: they are spread; D20 to D25 have 3 each, named with the ties; every one of D0's
    # and D1's is off track, and they are named too
    assert (
        "The 40 indicators off track are spread over 26 directorates; the most (3 each) are in D20, in D21 and in D22 "
        "and 3 more; every indicator with a status is off track in D0 (2) and D1 (2)." in text
    )
    assert "Most indicators" not in text


def test_an_actuals_only_table_shows_its_actuals_rounded_in_its_own_words():
    """Before: an actuals-only table showed no actual anywhere and its RAG column said "no figures"."""
    rows = pd.DataFrame(
        {
            "ref": ["V1", "V2"],
            "part": [1, 1],
            "theme": ["", ""],
            "measure": ["Visits", "Satisfaction"],
            "directorate": ["Leisure", "Leisure"],
            "status": ["", ""],
            "status_code": pd.array([None, None], dtype="Int64"),
            "rag": ["", ""],
            "direction": ["", ""],
            "source_line": [2, 3],
            "target": pd.array([None, None], dtype="Float64"),
            "actual": pd.array([20843.0, 71.8543046358], dtype="Float64"),
            "unit": ["count", "%"],
            "row_period": ["Q1", "Q2"],
        }
    )
    html = report.appendix_table(rows, "Measure").markup
    from bs4 import BeautifulSoup

    table = BeautifulSoup(html, "html.parser").select_one("table")
    assert [th.get_text() for th in table.select("thead th")] == [
        "Ref",
        "Measure",
        "Directorate",
        "Period",
        "Actual",
        "Status",
        "RAG",
        "Direction of travel",
        "Line",
    ]
    first, second = ([c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr"))
    assert first[3:7] == ["Q1", "20,843", "○Not assessed", "not assessed"]
    assert second[4] == "71.85%"


@pytest.mark.parametrize(
    "baselines, said",
    [
        (0, "no indicator has a baseline either, so none has a trend."),
        (1, "the trend of the one indicator with a baseline compares its actual with that baseline instead."),
        (31, "the trend of each of the 31 indicators with a baseline compares its actual with that baseline instead."),
    ],
)
def test_without_the_quarter_before_the_trend_is_said_only_of_the_indicators_with_a_baseline(baselines, said):
    from pipeline.figures import measure

    frame = pd.DataFrame({"direction_basis": ["baseline"] * baselines + [""] * 3})
    assert measure.baseline_trends(frame) == baselines
    text = report.changes_section(None, frame.iloc[0:0], baselines=measure.baseline_trends(frame)).markup
    assert text.count("quarter before; ") == 1 and said in text
    unread = report.changes_section(None, frame.iloc[0:0], unreadable="its file is empty", baselines=baselines).markup
    assert "The previous period could not be compared: its file is empty. " + said[0].upper() + said[1:] in unread
