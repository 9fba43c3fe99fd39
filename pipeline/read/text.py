"""What every reader does to a cell: markup to plain text, invisible characters removed, the export's tidy
tables named (``Cleaned``). Shared by the readers of every kind of export; knows no organisation."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>")
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# Unicode format characters (category Cf): zero-width spaces and joiners, bidirectional embeddings,
# overrides and isolates, word joiners, the BOM, interlinear annotation and tag characters. None
# prints; each can make two look-alike names differ or reorder the text a reader sees.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_VOID_TAGS = {"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_TAG_PARTS = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)\s*>")


def strip_invisible(text: str) -> tuple[str, int]:
    """``text`` without invisible and bidirectional-control characters, and how many were removed."""
    cleaned, count = _INVISIBLE.subn("", text)
    return cleaned, count


def markup_depth(text: str) -> int:
    """How deeply HTML elements nest in ``text`` (0 for plain text), counted in one pass."""
    if "<" not in text:
        return 0
    depth = deepest = 0
    for closing, tag, self_closing in _TAG_PARTS.findall(text):
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and tag.lower() not in _VOID_TAGS:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


@dataclass(frozen=True)
class Cleaned:
    """What cleaning an export gives: the tidy indicators, the findings, the export's own summary."""

    indicators: pd.DataFrame
    findings: pd.DataFrame
    export_summary: pd.DataFrame
    preamble: str = ""  # any text above the header row (a title, or a 'synthetic test data' label)
    history: pd.DataFrame | None = None  # earlier periods' actuals from the export's own columns (``[history]``)


def plain_text(cell: str) -> tuple[str, bool]:
    """Turn an export cell into plain text.

    HTML fragments (``<p>``, ``<ul style=...>``, ``<br>``, entities) become text,
    with paragraphs and list items on lines of their own; script and style
    content is dropped. Returns the text and whether the cell held markup.
    """
    text = str(cell)
    had_markup = bool(_TAG.search(text) or _ENTITY.search(text))
    if _TAG.search(text):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(text, "html.parser")
        for tag in soup(["script", "style", "iframe", "object"]):
            tag.decompose()
        for br in soup.find_all("br"):
            br.replace_with("\n")
        for block in soup.find_all(["p", "li", "ul", "ol", "div", "tr", "h1", "h2", "h3", "h4", "table"]):
            block.insert_before("\n")
            block.insert_after("\n")
        text = soup.get_text()
    elif had_markup:
        text = html.unescape(text)
    lines = (" ".join(line.replace("\u00a0", " ").split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line), had_markup
