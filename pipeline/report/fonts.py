"""The characters the printed report can show: those of its bundled fonts, and a placeholder for the rest.

The PDF is set in DejaVu Sans, with Symbola (emoji, dingbats and other symbols: ✅ ❌ 👍) as its fallback; both
are in ``templates/council/fonts/`` with their licences. Text is never bad input: a character that neither
font has (Chinese, Thai or Korean text, a full-width digit) prints as a visible placeholder, and the cleaning
stage records a data-quality finding naming the file and line; the HTML keeps the original character.
Invisible format characters (a byte-order mark, a zero-width joiner) print as nothing.
"""

from __future__ import annotations

import functools
import unicodedata

from pipeline.paths import FONTS_DIR

# Every style of the text face (a character is printable only when all of them have it: bold text falls back
# to the symbol font, never to nothing), and the fallback, which has one style.
TEXT_FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
FALLBACK = "Symbola.ttf"
FAMILIES = ("DejaVu Sans", "Symbola")  # the Typst font list, in this order
PLACEHOLDER = "\ufffd"  # the replacement character, which every face has


_READ: dict[str, dict[int, float]] = {}  # each bundled font's characters once read (or adopted: ``adopt``)


def advances(name: str) -> dict[int, float]:
    """The characters of the bundled font ``name``: code point -> its advance, in ems. Each file is read once
    in a process, for what it covers and for how wide (``report.typst`` measures table text with it)."""
    if name not in _READ:
        from fontTools.ttLib import TTFont

        with TTFont(FONTS_DIR / name, lazy=True) as font:
            metrics, per_em = font["hmtx"].metrics, font["head"].unitsPerEm
            _READ[name] = {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    return _READ[name]


def read_so_far() -> dict[str, dict[int, float]]:
    """The fonts this process has read (``advances``), for a run to hand to its kernel with the data."""
    return dict(_READ)


def adopt(read: dict[str, dict[int, float]] | None) -> None:
    """Take the fonts the run read (``read_so_far``) rather than read the same files again."""
    for name, table in (read or {}).items():
        _READ.setdefault(name, table)


@functools.cache
def covered(fallback: bool = True) -> frozenset[int]:
    """The code points the PDF's fonts can print (without the fallback: DejaVu Sans alone, as a chart's SVG
    text is set)."""
    text = set.intersection(*(set(advances(name)) for name in TEXT_FACES))
    if not fallback:
        return frozenset(text)
    return frozenset(text | set(advances(FALLBACK)))


@functools.cache
def _covered_chars(fallback: bool) -> frozenset[str]:
    return frozenset(map(chr, covered(fallback)))


def _lacking(text: str, fallback: bool = True) -> set[str]:
    """The distinct characters of ``text`` that the fonts lack, white space aside (it prints as space)."""
    lacking = set(text).difference(_covered_chars(fallback))  # set operations: each distinct character once
    return {ch for ch in lacking if not ch.isspace()} if lacking else lacking


def unprintable(text: str) -> list[str]:
    """The distinct visible characters of ``text`` that the PDF's fonts lack, in order of first appearance."""
    text = str(text)
    lacking = {ch for ch in _lacking(text) if unicodedata.category(ch) != "Cf"}
    return list(dict.fromkeys(ch for ch in text if ch in lacking)) if lacking else []


def printable(text: str, fallback: bool = True) -> str:
    """``text`` as the PDF prints it: invisible format characters dropped, every other character the fonts
    lack (DejaVu Sans alone, without ``fallback``) replaced by ``PLACEHOLDER``."""
    bad = _lacking(text, fallback)
    if not bad:
        return text
    return text.translate({ord(ch): "" if unicodedata.category(ch) == "Cf" else PLACEHOLDER for ch in bad})


def describe(chars: list[str]) -> str:
    """Characters as a finding names them: ``'甲' (U+7532), 'ก' (U+0E01)``."""
    return ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in chars)


def unprintable_findings(indicators, source: str) -> list[tuple]:
    """A finding (a row of ``schema.FINDING_COLUMNS``) for each row whose text holds characters the PDF's fonts
    lack (``unprintable``): they print as a placeholder in the PDF and stay as they are in the HTML and the CSVs.
    Text is never bad input."""
    rows = []
    text_columns = [c for c in indicators.columns if indicators[c].dtype == object or str(indicators[c].dtype) == "str"]
    for record in indicators[["source_line", "ref", *[c for c in text_columns if c != "ref"]]].itertuples(index=False):
        chars: list[str] = []
        for value in record[1:]:
            if isinstance(value, str):
                chars += [ch for ch in unprintable(value) if ch not in chars]
        if chars:
            rows.append(
                (
                    int(record[0]),
                    record[1] if isinstance(record[1], str) else "",
                    "unprintable_characters",
                    f"{source}: characters the PDF's fonts cannot print: {describe(chars[:8])}"
                    + (f" and {len(chars) - 8} more" if len(chars) > 8 else ""),
                    "shown as \ufffd in the PDF; the HTML and the CSVs keep the original characters",
                )
            )
    return rows
