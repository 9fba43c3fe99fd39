"""Where each glyph of a PDF page is printed, read from its content stream (a test helper).

Typst writes text with Type0 fonts (Identity-H, two bytes a glyph) whose widths are in the descendant
font's /W array. Walking the content stream with the graphics state (cm, q/Q) and the text state (Tm, Td,
Tf, Tc, Tz, TJ) gives every glyph's left and right edge in page coordinates and its size as printed. Form
XObjects (a chart's SVG may be drawn as one) are walked with their matrices. Spaces are not glyphs on paper
(a line's last space may hang in the margin, as typesetters do): they are read from the font's /ToUnicode
map and left out.
"""

from __future__ import annotations

import re

from pypdf import PdfReader
from pypdf.generic import ContentStream

MM = 72 / 25.4


def _multiply(a, b):
    """The product of two PDF matrices [a b c d e f] (a applied first)."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _widths(font) -> tuple[dict[int, float], float]:
    """{CID: width in thousandths of the size} and the default width, from a Type0 font's descendant /W."""
    descendant = font["/DescendantFonts"][0].get_object()
    default = float(descendant.get("/DW", 1000))
    table, w = {}, list(descendant.get("/W", []))
    i = 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], list) or hasattr(w[i + 1], "__iter__"):
            for k, width in enumerate(w[i + 1]):
                table[first + k] = float(width)
            i += 2
        else:
            last, width = int(w[i + 1]), float(w[i + 2])
            for cid in range(first, last + 1):
                table[cid] = width
            i += 3
    return table, default


def _spaces(font) -> set[int]:
    """The CIDs a font's /ToUnicode map reads as whitespace."""
    if "/ToUnicode" not in font:
        return set()
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    found = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for cid, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            if bytes.fromhex(text).decode("utf-16-be", "replace").isspace():
                found.add(int(cid, 16))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(text, 16)
            for k in range(int(last, 16) - int(first, 16) + 1):
                if chr(start + k).isspace():
                    found.add(int(first, 16) + k)
    return found


def _walk(stream, resources, ctm, reader, boxes, depth=0):
    """Walk one content stream (a page's or a form XObject's), appending (left, right, baseline, size) of every
    glyph in page coordinates; forms (each chart label is one) are walked with their /Matrix."""
    fonts = {name: font.get_object() for name, font in resources.get("/Font", {}).items()}
    metrics = {name: _widths(font) for name, font in fonts.items() if "/DescendantFonts" in font}
    spaces = {name: _spaces(font) for name, font in fonts.items()}
    forms = {name: x.get_object() for name, x in resources.get("/XObject", {}).items()}
    stack = []
    tm = lm = [1, 0, 0, 1, 0, 0]
    font, size, tc, tz, leading = None, 0.0, 0.0, 1.0, 0.0
    for operands, op in ContentStream(stream, reader).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = _multiply([float(x) for x in operands], ctm)
        elif op == b"Do" and depth < 8:
            form = forms.get(operands[0])
            if form is not None and form.get("/Subtype") == "/Form":
                matrix = [float(x) for x in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                _walk(form, form.get("/Resources", resources), _multiply(matrix, ctm), reader, boxes, depth + 1)
        elif op == b"BT":
            tm = lm = [1, 0, 0, 1, 0, 0]
        elif op == b"Tm":
            tm = lm = [float(x) for x in operands]
        elif op in (b"Td", b"TD"):
            if op == b"TD":
                leading = -float(operands[1])
            tm = lm = _multiply([1, 0, 0, 1, float(operands[0]), float(operands[1])], lm)
        elif op == b"T*":
            tm = lm = _multiply([1, 0, 0, 1, 0, -leading], lm)
        elif op == b"TL":
            leading = float(operands[0])
        elif op == b"Tf":
            font, size = operands[0], float(operands[1])
        elif op == b"Tc":
            tc = float(operands[0])
        elif op == b"Tz":
            tz = float(operands[0]) / 100
        elif op in (b"TJ", b"Tj") and font in metrics:
            table, default = metrics[font]
            items = operands[0] if op == b"TJ" else [operands[0]]
            for item in items:
                if isinstance(item, (bytes, str)) or hasattr(item, "original_bytes"):
                    data = item.original_bytes if hasattr(item, "original_bytes") else bytes(item, "latin-1")
                    for k in range(0, len(data) - 1, 2):
                        cid = data[k] << 8 | data[k + 1]
                        advance = (table.get(cid, default) / 1000 * size + tc) * tz
                        start = _multiply(tm, ctm)
                        end = _multiply(_multiply([1, 0, 0, 1, advance, 0], tm), ctm)
                        if table.get(cid, default) > 0 and cid not in spaces.get(font, ()):
                            on_paper = size * (start[2] ** 2 + start[3] ** 2) ** 0.5  # the vertical scale
                            boxes.append((min(start[4], end[4]), max(start[4], end[4]), start[5], on_paper))
                        tm = _multiply([1, 0, 0, 1, advance, 0], tm)
                else:
                    tm = _multiply([1, 0, 0, 1, -float(item) / 1000 * size * tz, 0], tm)


def glyph_boxes(pdf_path) -> list[list[tuple[float, float, float, float]]]:
    """For each page, (left x, right x, baseline y, size) of every glyph, in points from the page's lower left;
    the size is the font size as printed (after every scaling), so chart labels are measured as on paper."""
    reader = PdfReader(pdf_path)
    pages = []
    for page in reader.pages:
        boxes = []
        _walk(page.get_contents(), page["/Resources"], [1, 0, 0, 1, 0, 0], reader, boxes)
        pages.append(boxes)
    return pages


def overlaps(pages) -> list[tuple[int, float, float]]:
    """Where two glyphs on one line are printed over each other (one cell's word running into the next):
    (page, baseline, x), for overlaps of more than 0.3 of the type size (kerning pulls glyphs far less)."""
    found = []
    for number, boxes in enumerate(pages, start=1):
        lines: dict[float, list] = {}
        for x0, x1, y, size in boxes:
            lines.setdefault(round(y, 1), []).append((x0, x1, size))
        for y, glyphs in sorted(lines.items()):
            glyphs.sort()
            for (_, a1, size), (b0, _, _) in zip(glyphs, glyphs[1:]):
                if a1 - b0 > 0.3 * size:
                    found.append((number, y, round(b0, 1)))
    return found
