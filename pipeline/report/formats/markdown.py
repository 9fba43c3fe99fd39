"""A notebook's markdown cell as the report's blocks (``blocks``), for the renderers other than the HTML page
(where nbconvert writes markdown cells itself).

Read with mistune, which nbconvert uses: headings, paragraphs, emphasis, code, links and lists. Raw HTML in a
markdown cell is kept as its text, never as markup; anything else is refused by name."""

from __future__ import annotations

from pipeline.report.blocks import Heading, Items, Para, Preformatted, Span


class MarkdownError(ValueError):
    """A markdown construct the report has no block for."""


_INLINE = {"emphasis": "emph", "strong": "strong"}


def to_blocks(source: str) -> tuple:
    import mistune

    return tuple(b for token in mistune.create_markdown(renderer=None)(source) for b in _block(token))


def _inline(tokens) -> tuple:
    out = []
    for t in tokens:
        kind = t["type"]
        if kind in ("text", "inline_html"):
            out.append(t["raw"])
        elif kind in ("softbreak",):
            out.append(" ")
        elif kind == "linebreak":
            out.append("\n")
        elif kind == "codespan":
            out.append(Span("code", (t["raw"],)))
        elif kind in _INLINE:
            out.append(Span(_INLINE[kind], _inline(t["children"])))
        elif kind == "link":
            out.append(Span("link", _inline(t["children"]), t["attrs"]["url"]))
        else:
            raise MarkdownError(f"markdown {kind!r} has no form in the report")
    return tuple(out)


def _block(t) -> list:
    kind = t["type"]
    if kind == "blank_line":
        return []
    if kind == "heading":
        return [Heading(t["attrs"]["level"], _inline(t["children"]))]
    if kind in ("paragraph", "block_text"):
        return [Para(_inline(t["children"]))]
    if kind == "list":
        items = []
        for item in t["children"]:
            content = []
            for child in item["children"]:
                content.extend(
                    _inline(child.get("children", [])) if child["type"] in ("block_text", "paragraph") else ()
                )
            items.append(tuple(content))
        return [Items(tuple(items), ordered=bool(t["attrs"].get("ordered")))]
    if kind in ("block_code", "block_html"):
        return [Preformatted(t["raw"].rstrip("\n"))]
    raise MarkdownError(f"markdown {kind!r} has no form in the report")
