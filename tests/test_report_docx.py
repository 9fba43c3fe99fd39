"""report.docx: the Word renderer reads the same blocks as the HTML and the PDF, and carries the same text."""

import io
import re
from collections import Counter

import docx
import pytest
from bs4 import BeautifulSoup
from test_report_typst import MARKS, pieces

from pipeline import report
from pipeline.figures import measure
from pipeline.report import blocks
from pipeline.report.export import docx as docx_export
from pipeline.report.formats import docx as word
from pipeline.request import PERIOD
from pipeline.run.prepare import load_period


@pytest.fixture(scope="module")
def seed():
    return load_period(PERIOD.make(year="2011/12", quarter="Q4"))


def words(text: str) -> Counter:
    return Counter(re.sub(rf"[\s\-\u00ad{MARKS}]+", "", text))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(parts)


@pytest.mark.parametrize("name", ["front page", "status table", "exceptions summary", "exceptions in full", "glossary"])
def test_a_piece_carries_the_same_text_in_word_as_in_html(seed, name):
    piece = pieces(seed)[name]
    data = word.render(piece.blocks, "t", {})
    in_html = words(BeautifulSoup(piece.markup, "html.parser").get_text(" "))
    assert sum(in_html.values()) > 20
    assert words(docx_text(data)) == in_html


def test_tables_repeat_their_header_row_and_the_styles_are_named_for_a_template(seed):
    data = word.render(pieces(seed)["exceptions summary"].blocks, "t", {})
    document = docx.Document(io.BytesIO(data))
    first = document.tables[0].rows[0]._tr
    assert first.xpath("./w:trPr/w:tblHeader")  # the header row repeats on every page
    assert document.tables[0].style.name == "Table Grid"
    names = {s.name for s in document.styles}
    assert {"Report Note", "Report Table Text", "Report Code", "Report Warning"} <= names
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    front = docx.Document(io.BytesIO(word.render(pieces(seed)["front page"].blocks, "t", {})))
    assert [p.style.name for p in front.paragraphs if p.style.name.startswith("Heading")][:3] == [
        "Heading 1",
        "Heading 2",
        "Heading 3",
    ]  # Word's own heading styles: the navigation pane lists them
    assert headings == []  # the exceptions table is a table only


def test_the_same_blocks_give_the_same_bytes_and_the_date_is_the_periods_end(seed):
    piece = pieces(seed)["glossary"]
    first = word.render(piece.blocks, "Title", {}, epoch=seed.period.source_date_epoch)
    assert first == word.render(piece.blocks, "Title", {}, epoch=seed.period.source_date_epoch)
    props = docx.Document(io.BytesIO(first)).core_properties
    assert (props.title, props.created.date().isoformat()) == ("Title", "2012-03-31")


def test_a_chart_is_an_image_with_its_text_alternative_and_caption(seed):
    chart = report.status_chart(
        measure.status_by(seed.indicators, "theme", seed.layout.labels), "theme", "t.svg", seed.layout.labels
    )
    images = {blocks_key(chart.svg): docx_export.png_of(chart.svg)}
    document = docx.Document(io.BytesIO(word.render(chart.blocks, "t", images)))
    assert len(document.inline_shapes) == 1
    described = document.element.body.xpath(".//wp:docPr")[0]
    assert described.get("descr") == chart.alt
    assert chart.caption in [p.text for p in document.paragraphs]
    assert len(document.tables) == 1  # the chart's figures as a table too


def blocks_key(svg):
    return blocks.chart_key(svg)


def test_text_is_never_markup_or_broken_xml_in_word():
    hostile = '<w:p>&amp; </w:t> \x07 {{field}} =cmd|" /c calc"!A1'
    data = word.render((blocks.Para((hostile,)),), "t", {})
    text = docx_text(data)
    assert "<w:p>&amp; </w:t> \ufffd {{field}} =cmd|" in text  # as text; a control character is the placeholder


def test_a_block_outside_the_vocabulary_is_refused():
    with pytest.raises(word.DocxRenderError, match="is not a block of the report"):
        word.render((object(),), "t", {})


def test_blocks_travel_through_the_notebook_as_data_and_come_back_equal(seed):
    import json

    piece = pieces(seed)["exceptions summary"]
    data = json.loads(json.dumps(blocks.to_data(piece.blocks)))
    assert blocks.from_data(data) == piece.blocks
    with pytest.raises(ValueError, match="'Script' is not a block of the report"):
        blocks.from_data({"t": "Script"})


def _notebook_of(*shown):
    """A report notebook as executed: a markdown cell, then one code cell showing each piece."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("## Opening\n\nA paragraph with *emphasis*.")]
    for piece in shown:
        data, metadata = piece._repr_mimebundle_()
        output = nbformat.v4.new_output("display_data", data, metadata=metadata)
        cells.append(nbformat.v4.new_code_cell(outputs=[output]))
        cells.append(nbformat.v4.new_markdown_cell("Between the pieces."))
    return nbformat.v4.new_notebook(cells=cells)


def test_the_word_document_written_as_cells_finish_is_the_one_written_at_once(seed):
    chart = report.status_chart(
        measure.status_by(seed.indicators, "theme", seed.layout.labels), "theme", "t.svg", seed.layout.labels
    )
    nb = _notebook_of(pieces(seed)["front page"], chart, pieces(seed)["glossary"])
    whole = docx_export.notebook_to_docx(nb, "Title", seed.period.source_date_epoch)
    with docx_export.WordWhileExecuting("Title", seed.period.source_date_epoch) as written:
        written.executed(nb, 1)  # the first code cell and the markdown before it
        written.executed(nb, 3)
        got = written.bytes(nb)  # the rest, and the markdown cells after the last code cell
    assert got == whole
    assert "Between the pieces." in docx_text(got) and len(docx.Document(io.BytesIO(got)).inline_shapes) == 1


def test_a_cell_the_word_document_cannot_take_fails_the_run_with_its_reason():
    import nbformat

    bad = nbformat.v4.new_output("display_data", {blocks.BLOCKS_MIME: {"blocks": [{"t": "Script"}]}})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[bad])])
    with docx_export.WordWhileExecuting("t") as written:
        written.executed(nb, 0)
        with pytest.raises(ValueError, match="'Script' is not a block of the report"):
            written.bytes(nb)


def test_a_listing_cut_in_print_is_cut_in_word_too():
    import pandas as pd

    from pipeline.report import pieces as report_pieces

    rows = pd.DataFrame({"ref": [f"R{i:04d}" for i in range(report_pieces.PRINT_ROWS + 20)]})
    piece = report_pieces.bounded(rows, lambda r: (blocks.table(r, "All of them"),), "indicators")
    data = docx_export.notebook_to_docx(_notebook_of(piece), "t")
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables[0].rows) == 1 + report_pieces.PRINT_ROWS
    assert f"lists the first {report_pieces.PRINT_ROWS:,} of the {len(rows):,} indicators" in docx_text(data)
    assert len(BeautifulSoup(piece.markup, "html.parser").find_all("tr")) == 1 + len(rows)  # the HTML: all
