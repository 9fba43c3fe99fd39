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

from .paths import FONTS_DIR

# Every style of the text face (a character is printable only when all of them have it: bold text falls back
# to the symbol font, never to nothing), and the fallback, which has one style.
TEXT_FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
FALLBACK = "Symbola.ttf"
FAMILIES = ("DejaVu Sans", "Symbola")  # the Typst font list, in this order
PLACEHOLDER = "\ufffd"  # the replacement character, which every face has


@functools.cache
def covered(fallback: bool = True) -> frozenset[int]:
    """The code points the PDF's fonts can print (without the fallback: DejaVu Sans alone, as a chart's SVG
    text is set)."""
    from fontTools.ttLib import TTFont

    faces = [set(TTFont(FONTS_DIR / name, lazy=True).getBestCmap()) for name in TEXT_FACES]
    text = set.intersection(*faces)
    if not fallback:
        return frozenset(text)
    return frozenset(text | set(TTFont(FONTS_DIR / FALLBACK, lazy=True).getBestCmap()))


def _shown(ch: str, fallback: bool = True) -> bool:
    return ch.isspace() or ord(ch) in covered(fallback)


def unprintable(text: str) -> list[str]:
    """The distinct visible characters of ``text`` that the PDF's fonts lack, in order of first appearance."""
    seen: dict[str, None] = {}
    for ch in str(text):
        if not _shown(ch) and unicodedata.category(ch) != "Cf":
            seen.setdefault(ch, None)
    return list(seen)


def printable(text: str, fallback: bool = True) -> str:
    """``text`` as the PDF prints it: invisible format characters dropped, every other character the fonts
    lack (DejaVu Sans alone, without ``fallback``) replaced by ``PLACEHOLDER``."""
    bad = [ch for ch in set(text) if not _shown(ch, fallback)]  # each distinct character looked at once
    if not bad:
        return text
    return text.translate({ord(ch): "" if unicodedata.category(ch) == "Cf" else PLACEHOLDER for ch in bad})


def describe(chars: list[str]) -> str:
    """Characters as a finding names them: ``'甲' (U+7532), 'ก' (U+0E01)``."""
    return ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in chars)
