"""The page every printed form of the report is set on, defined once: A4, its margins, the type sizes.

The Typst template (``templates/council/report.typ``) takes these values from the document's head
(``typst_head``), the Typst renderer sizes table columns from them (``columns.column_layout``), and the Word
renderer sets its sections and styles from them (``docx``).
"""

from __future__ import annotations

MM = 72 / 25.4  # points in a millimetre

PAPER = "a4"
WIDTH_PT = 595.28
HEIGHT_PT = 841.89
MARGIN_MM = {"top": 18, "bottom": 20, "left": 14, "right": 14}
TEXT_WIDTH_PT = WIDTH_PT - (MARGIN_MM["left"] + MARGIN_MM["right"]) * MM

BODY_PT = 11.0  # the body's type: a committee member reads it on paper
TABLE_PT = 9.0  # a table's type
SMALL_PT = 8.0  # running header, footer, captions of charts
CELL_INSET_EM = 0.45  # a table cell's padding each side, in ems of the table's type


def typst_head() -> str:
    """The page's values as Typst bindings, written before the template."""
    margins = ", ".join(f"{side}: {mm}mm" for side, mm in MARGIN_MM.items())
    return (
        f'#let council-paper = "{PAPER}"\n'
        f"#let council-margin = ({margins})\n"
        f"#let council-body-size = {BODY_PT}pt\n"
        f"#let council-table-size = {TABLE_PT}pt\n"
        f"#let council-small-size = {SMALL_PT}pt\n"
        f"#let council-cell-inset = {CELL_INSET_EM}em\n"
    )
