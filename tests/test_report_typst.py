"""report.typst: one description of each report piece, two renderings (HTML and Typst) with the same text."""

import re
from collections import Counter
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import statements_of, table_layout
from pypdf import PdfReader

from pipeline import report
from pipeline.figures import headlines, measure
from pipeline.report import blocks
from pipeline.report.export import pdf as render
from pipeline.report.formats import columns, typst
from pipeline.request import PERIOD
from pipeline.run.prepare import load_period

ROOT = Path(__file__).resolve().parents[1]
MARKS = "\u25a0\u25cf\u25b2\u25c6\u25cb\u2022"  # the status and RAG shapes and list bullets: read by neither


@pytest.fixture(scope="module")
def seed():
    return load_period(PERIOD.make(year="2011/12", quarter="Q4"))


def words(text: str) -> Counter:
    """The characters of a text, counted: spaces, hyphens (a word broken at a soft hyphen in a narrow column)
    and the shapes left out, so that a PDF's text, read back in its own order with cells run together, can be
    compared with the HTML's."""
    text = re.sub(rf"[\s\-\u2010\u00ad\u200b{MARKS}]+", "", text)
    return Counter(text)


def html_words(piece) -> Counter:
    return words(BeautifulSoup(piece.markup, "html.parser").get_text(" "))


def pdf_words(piece, images=None) -> Counter:
    # PDF/UA-1: a document opens with a level-1 heading and skips no level; the pieces sit under a section
    body = "#heading(level: 1)[Piece]\n\n#heading(level: 2, outlined: false)[Piece]\n\n" + piece.typst()
    pdf = render.typst_to_pdf(render.typst_document(body, "Piece"), images or {})
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return words(re.sub(r"Page \d+ of \d+|Piece", " ", text))


def pieces(seed):
    ind = seed.indicators
    labels = seed.layout.labels
    exceptions = measure.exceptions(ind)
    return {
        "front page": report.front_page(
            "Stockton",
            "Council Plan 2011/12",
            seed.period,
            headlines.front_facts(ind),
            seed.statements,
            {"asked": "note the report"},
        ),
        "headline table": report.headline_table(measure.headline(ind, labels), seed.period),
        "status table": report.status_table(measure.status_counts(ind, labels)),
        "exceptions summary": report.exceptions_at_a_glance(
            exceptions, seed.statements, seed.layout, seed.directorate_names
        ),
        "exceptions in full": report.exceptions_table(exceptions),
        "summary check": report.summary_check(seed.summary_check),
        "findings": report.findings_section(seed.findings),
        "method": report.method_section(seed.layout, seed.period),
        "glossary": report.glossary(ind, seed.layout, seed.directorate_names),
    }


@pytest.mark.parametrize(
    "name",
    [
        "front page",
        "headline table",
        "status table",
        "exceptions summary",
        "exceptions in full",
        "summary check",
        "findings",
        "method",
        "glossary",
    ],
)
def test_a_piece_prints_the_same_words_in_its_html_and_its_pdf(seed, name):
    piece = pieces(seed)[name]
    in_html = html_words(piece)
    in_pdf = pdf_words(piece)
    assert sum(in_html.values()) > 20
    assert not in_html - in_pdf  # every character of the HTML's text is printed, as often
    # and nothing else, but the header rows a table repeats at the top of each page it continues on
    headers = words(" ".join(t.get_text(" ") for t in BeautifulSoup(piece.markup, "html.parser").find_all("thead")))
    assert set(in_pdf - in_html) <= set(headers)


def test_a_chart_prints_its_caption_and_its_table_and_hands_its_svg_over_by_name(seed):
    chart = report.status_chart(
        measure.status_by(seed.indicators, "theme", seed.layout.labels), "theme", "t.svg", seed.layout.labels
    )
    key = blocks.chart_key(chart.svg)
    assert chart.typst().startswith(f'#council-chart("{key}", alt: ')
    assert chart.svg not in chart.typst()  # the SVG is stored once in the notebook: in the HTML's data: URL
    html = words(chart.caption) + html_words(chart.table)
    pdf = pdf_words(chart, {key: chart.svg})
    # the chart's own text (axis labels, legend) is in the PDF too, drawn from the SVG
    assert not html - pdf
    assert sum(pdf.values()) > sum(html.values()) + 100


def test_a_block_or_span_outside_the_vocabulary_is_refused_by_each_renderer():
    from pipeline.report.formats import html

    with pytest.raises(typst.TypesetError, match="Thing is not a block of the report"):
        typst.render((blocks.Para(("x",)), Thing()))
    with pytest.raises(html.HtmlRenderError, match="Thing is not a block of the report"):
        html.render((Thing(),))
    odd = blocks.Para((blocks.Span("iframe", ("x",)),))
    with pytest.raises(typst.TypesetError, match="'iframe' is not part of the report's vocabulary"):
        typst.render((odd,))
    with pytest.raises(html.HtmlRenderError, match="'iframe' is not part of the report's vocabulary"):
        html.render((odd,))


class Thing:
    pass


def test_text_is_escaped_so_no_input_becomes_typst_code_or_html():
    from pipeline.report.formats import html

    hostile = '#read("/etc/passwd") $x$ *b* _i_ `r` <l> @ref // c /* d */ = h - l + e [a] {b} \\'
    out = typst.render((blocks.Para((hostile,)),))
    assert "#read" not in out.replace("\\#read", "")
    pdf = render.typst_to_pdf(render.typst_document(out, "t"))
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert hostile.strip() in " ".join(text.split())
    markup = html.render(
        (
            blocks.Para(
                (hostile, blocks.Span("link", ("<b>",), '"><script>')),
            ),
        )
    )
    assert "<l>" not in markup and "<script>" not in markup and "&lt;l&gt;" in markup
    assert BeautifulSoup(markup, "html.parser").get_text() == hostile + "<b>"


def test_section_headings_get_the_anchors_the_html_contents_give_them():
    setter = typst.Typesetter()
    h2 = blocks.Heading
    first = setter.convert((h2(2, ("Data quality",)), blocks.Para(("x",))))
    second = setter.convert((h2(2, ("Data quality",)), h2(2, (blocks.Span("emph", ("Odd",)), " one!"))))
    assert "<data-quality>" in first and "<data-quality-2>" in second and "<odd-one>" in second
    used: set = set()
    html = [blocks.anchor(text, used) for text in ("Data quality", "Data quality", "Odd one!")]
    assert [a for a, _ in setter.headings] == html  # the HTML's anchors, by the same rule


def test_a_markdown_cell_is_read_into_blocks_and_raw_html_stays_text():
    from pipeline.report.formats import markdown

    read = markdown.to_blocks("## Key messages\n\nSome *thing* and `code`\nnext <b>bold</b>\n\n- a\n- b\n")
    assert read[0] == blocks.Heading(2, ("Key messages",))
    assert read[1] == blocks.Para(
        (
            "Some ",
            blocks.Span("emph", ("thing",)),
            " and ",
            blocks.Span("code", ("code",)),
            " ",
            "next ",
            "<b>",
            "bold",
            "</b>",
        )
    )
    assert read[2] == blocks.Items((("a",), ("b",)))
    assert "\\<b\\>" in typst.render(read)


def test_table_columns_keep_their_widths_alignment_and_header_row():
    piece = report.table(
        pd.DataFrame({"Ref": ["1.1"], "M": ["m"], "Number": [3]}),
        "Cap",
        numeric=("Number",),
        row_header="Ref",
        widths={"Ref": "6%", "M": "3.5em"},
    )
    out = piece.typst()
    widths = [float(w) for w in re.search(r"columns: \(([^)]*)\),", out).group(1).replace("pt", "").split(",") if w]
    assert (
        widths[1] == 3.5 * columns.TABLE_TYPE_PT
    )  # an em width as given, at the table's type (wider only for a longer word)
    assert widths[0] > 0.06 * columns.TEXT_WIDTH_PT  # the others share the rest of the line, as in the HTML
    assert abs(sum(widths) - columns.TEXT_WIDTH_PT) < 0.5
    assert "numeric: (false, false, true,)" in out
    assert "header: ([Ref], [M], [Number],)" in out
    assert 'council-cell("row", false)[1\\.1]' in out


def test_no_column_is_narrower_than_its_longest_word_so_no_word_runs_into_the_next_cell(tmp_path):
    """Before: in a 1,000-indicator report the 5% Ref column printed KPI00001 over the Indicator column, and
    a table of auto columns squeezed 'Reported status' to one letter's width; the HTML wraps or widens."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from pdf_layout import glyph_boxes, overlaps

    frame = pd.DataFrame(
        {
            "Ref": [f"KPI{i:05d}" for i in range(30)],
            "Outcome / success criteria": ["Proportion of second or subsequent child protection plans"] * 30,
            "Reported status": ["On Track to Achieve Target"] * 30,
            "Figure so far": ["1,234,567"] * 30,
            "Why it is not checked": ["On Track with a figure short of a target that falls due later " * 3] * 30,
        }
    )
    piece = report.table(frame, "Cap", numeric=("Figure so far",), widths={"Ref": "5%"})
    widths = [
        float(w) for w in re.search(r"columns: \(([^)]*)\),", piece.typst()).group(1).replace("pt", "").split(",") if w
    ]
    assert widths[0] >= columns.text_width("KPI00001") and widths[2] >= columns.text_width("Reported", bold=True)
    path = tmp_path / "t.pdf"
    path.write_bytes(render.typst_to_pdf(render.typst_document("#heading(level: 1)[T]\n\n" + piece.typst(), "T")))
    pages = glyph_boxes(path)
    assert sum(len(p) for p in pages) > 1000 and overlaps(pages) == []


def test_refs_that_differ_only_in_punctuation_or_case_link_to_their_own_blocks():
    """Before: `A.1` and `A-1`, `A1` and `a1`, and two refs wholly non-ASCII had one anchor: Typst refused the
    duplicate label (exit 2) and in the HTML the second link went to the first block."""
    refs = ["A.1", "A-1", "A1", "a1", "甲", "乙", "A.1"]
    exceptions = pd.DataFrame(
        {
            "ref": refs,
            "part": [1] * len(refs),
            "theme": ["T", "U", "T", "U", "T", "U", "T"],
            "measure": [f"Measure {i}" for i in range(len(refs))],
            "directorate": ["D"] * len(refs),
            "status": ["Slipped"] * len(refs),
            "status_code": [3] * len(refs),
            "progress": [""] * len(refs),
            "remedial": [""] * len(refs),
            "source_line": list(range(2, 2 + len(refs))),
        }
    )
    summary = report.exceptions_at_a_glance(exceptions, statements_of(exceptions), table_layout())
    full = report.exceptions_table(exceptions)
    links = [a["href"][1:] for a in BeautifulSoup(summary.markup, "html.parser").select("a[href^='#']")]
    blocks = BeautifulSoup(full.markup, "html.parser").select("article.exception")
    ids = [b["id"] for b in blocks]
    assert len(set(ids)) == len(refs)
    assert sorted(links) == sorted(ids)
    by_id = {b["id"]: b.select_one("h3").get_text(" ") for b in blocks}
    for a in BeautifulSoup(summary.markup, "html.parser").select("a[href^='#']"):
        row = a.find_parent("tr")
        measure_text = row.find_all(["td", "th"])[1].get_text("\n").split("\n")[0]
        assert measure_text in by_id[a["href"][1:]]  # each link goes to its own indicator's block
    body = (
        "#heading(level: 1)[Piece]\n\n#heading(level: 2, outlined: false)[Piece]\n\n" + summary.typst() + full.typst()
    )
    assert render.typst_to_pdf(render.typst_document(body, "Piece"), {})[:5] == b"%PDF-"


def test_code_keeps_its_spaces_and_only_long_words_and_flags_are_set_in_boxes():
    """A command keeps every space; a word of 24 characters or more (a hash, a path) is set in boxes of 16 a
    line may break between, with nothing inserted; a flag (``--input``) is one box, so a line never ends
    inside it (before: "--" at a line's end, "input" on the next, in 11 pt type)."""
    out = typst._breakable("run --quarter Q4 --input " + "a" * 40 + " --out x")
    assert out == (
        "run #box[\\-\\-quarter] Q4 #box[\\-\\-input] #box["
        + "a" * 16
        + "]#box["
        + "a" * 16
        + "]#box["
        + "a" * 8
        + "] #box[\\-\\-out] x"
    )
