"""How a table's columns are laid out on the printed page, for the PDF and the Word document alike.

A table is printed as a browser lays out the HTML's: no column narrower than its longest word, the widths the
description gives, the page's text column filled (``column_layout``). Text is measured in the bundled fonts the
PDF is set in (``fonts``), on the page defined once in ``page``. The Typst renderer sets its columns and breaks
long words with these measures; the Word renderer sets the same widths.
"""

from __future__ import annotations

import functools
import re

from pipeline.report import fonts
from pipeline.report.formats import page

# The table's measures in print (report.typ): the page's text column, the tables' type, and a cell's inset each
# side and rule (``page``: the page, defined once).
TEXT_WIDTH_PT = page.TEXT_WIDTH_PT
TABLE_TYPE_PT = page.TABLE_PT
CELL_EXTRA_PT = 2 * page.CELL_INSET_EM * TABLE_TYPE_PT + 3.0  # and room for a badge's space after its shape
_BREAKS = re.compile(r"[\s\u00ad\u200b]+|(?<=-)")  # where a line may break inside a cell


@functools.cache
def _advances(bold: bool) -> dict[int, float]:
    """Each character's advance in DejaVu Sans (regular or bold), else in Symbola (the fallback), in ems, from
    the font files the PDF uses."""
    # the fallback first, then the text face over it: a character DejaVu Sans lacks is measured in Symbola
    return fonts.advances(fonts.FALLBACK) | fonts.advances("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")


def text_width(text: str, bold: bool = False) -> float:
    """The width of ``text`` on one line in a table cell, in points (no kerning: a little over, never under)."""
    advances = _advances(bold)
    # measured as printed: a character the fonts lack is the placeholder, as wide as the placeholder is
    return sum(advances.get(ord(ch), 0.65) for ch in fonts.printable(text)) * TABLE_TYPE_PT


def column_layout(specs: list[tuple[str, float]], rows: list[list[tuple[str, bool]]]) -> list[tuple[float, int]]:
    """Each column's width in points, as a browser lays out an HTML table: no column narrower than its
    longest word (so no word runs into the next cell), a percentage or em width where the HTML gives one,
    the other columns as wide as their text asks, and together the width of the page's text column.

    When even the columns' longest words are together wider than the page, the columns of figures keep their
    width (a figure never breaks) and the others share what is left, their words breaking into pieces that fit.

    ``rows``: every row's cells as (text, bold) or (text, bold, code, in a column of figures), the header first.
    Returns each column's (width in points, the most characters of a word its cells may print on one line: 0
    for no limit)."""
    n = len(specs)
    figure_column = [False] * n
    least, most = [CELL_EXTRA_PT] * n, [CELL_EXTRA_PT] * n
    for row in rows:
        for i, (text, bold, *flags) in enumerate(row[:n]):
            code, figures = (list(flags) + [False, False])[:2]
            figure_column[i] = figure_column[i] or figures
            words = [w for w in _BREAKS.split(text) if w]
            # a long word breaks between its chunks (``_cell_text``): its widest chunk counts; code (a hash) and a
            # figure in a column of figures are kept whole
            pieces = [
                c for w in words for c in (chunks(w, CELL_CHUNK) if long_cell_word(w, figures) and not code else [w])
            ]
            if pieces:
                least[i] = max(least[i], max(text_width(w, bold) for w in pieces) + CELL_EXTRA_PT)
            most[i] = max(most[i], text_width(" ".join(text.split()), bold) + CELL_EXTRA_PT)
    width = TEXT_WIDTH_PT
    wanted = []
    for (kind, value), low, high in zip(specs, least, most):
        given = {"%": value / 100 * width, "em": value * TABLE_TYPE_PT}.get(kind, min(high, width))
        wanted.append(max(given, low))
    spare = width - sum(wanted)
    if spare >= 0:  # room left: the columns without a fixed width share it, as the HTML table fills the line
        growing = [i for i, (kind, _) in enumerate(specs) if kind != "em"]
        total = sum(wanted[i] for i in growing)
        for i in growing:
            wanted[i] += spare * wanted[i] / total if total else 0
    else:  # too wide: each column gives up room in proportion to what it has above its longest word
        slack = [w - low for w, low in zip(wanted, least)]
        if sum(slack) >= -spare:
            wanted = [w - s * -spare / sum(slack) for w, s in zip(wanted, slack)]
        else:  # its words alone are wider than the page: figures keep theirs, the other words break to fit
            kept = sum(low for low, f in zip(least, figure_column) if f)
            rest = sum(low for low, f in zip(least, figure_column) if not f)
            room = max(width - kept, 0.0)
            if rest and room:
                wanted = [low if f else low * room / rest for low, f in zip(least, figure_column)]
            else:
                wanted = [low * width / sum(least) for low in least]
    # a column narrower than its longest word prints its words in pieces of at most this many characters
    fits = [
        0 if w >= low - 0.05 else max(1, int((w - CELL_EXTRA_PT) / (_WIDE_EM * TABLE_TYPE_PT)))
        for w, low in zip(wanted, least)
    ]
    return list(zip(wanted, fits))


_WIDE_EM = 0.8  # a wide character's advance, to count how many fit a squeezed column (DejaVu's widest are ~0.8 em)
_CELL_WORD = 16  # in a table cell, a word this long that is not a figure may break between boxes of ...
CELL_CHUNK = 10  # ... this many characters: a 60-character ref or an unspaced name fits a narrow column
FIGURE = re.compile(r"^[-+\u2212(]?[£$€]?[\d.,]+(%|k|m|bn)?\)?[,.;:]?$", re.I)  # figures never break inside


_HASH = re.compile(r"^[0-9a-f]{16,}$")  # a git commit or a digest: kept whole, to be copied and compared


def long_cell_word(word: str, figures_whole: bool = True) -> bool:
    return len(word) >= _CELL_WORD and not (figures_whole and FIGURE.match(word)) and not _HASH.match(word)


def chunks(word: str, size: int) -> list[str]:
    """``word`` in pieces of ``size`` characters (the last shorter)."""
    return [word[i : i + size] for i in range(0, len(word), size)]
