"""The HTML renderer: a piece's blocks (``blocks``) as the report's HTML.

Every text is escaped (``esc``): nothing from an export reaches a reader as markup. The classes written here
are the ones ``templates/council/static/report.css`` styles. A table scrolls inside its own region on a narrow
screen (keyboard-focusable, named by its caption), never the page.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

from pipeline.report.blocks import (
    Badge,
    Definitions,
    Figure,
    Group,
    Heading,
    Items,
    Num,
    PageBreak,
    Para,
    Preformatted,
    Span,
    Table,
    inlines,
)

_SPAN_CLASSES = {"ref": "ref", "big": "big", "muted": "note"}
_SPAN_TAGS = {"strong": "strong", "emph": "em"}


class HtmlRenderError(ValueError):
    """A block or inline outside the report's vocabulary."""


def esc(text) -> str:
    """Escape text for HTML, keeping line breaks as ``<br>``."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return html.escape(str(text), quote=True).replace("\n", "<br>")


def inline(content) -> str:
    """Inline content as HTML."""
    out = []
    for item in inlines(content):
        if isinstance(item, str):
            out.append(esc(item))
        elif isinstance(item, Num):
            out.append(esc(item.text()))
        elif isinstance(item, Badge):
            out.append(badge(item))
        elif isinstance(item, Span):
            out.append(span(item))
        else:
            raise HtmlRenderError(f"{type(item).__name__} is not inline content of the report")
    return "".join(out)


def badge(item: Badge) -> str:
    if not item.mark:
        return f'<span class="{item.scale} {item.scale}-{esc(item.kind)}">{esc(item.label)}</span>'
    return (
        f'<span class="{item.scale} {item.scale}-{esc(item.kind)}"><span class="mark" aria-hidden="true">'
        f"{item.mark}</span>{esc(item.label)}</span>"
    )


def span(item: Span) -> str:
    body = inline(item.content)
    if item.kind == "link":
        return f'<a href="{esc(item.href)}">{body}</a>'
    if item.kind == "code":
        return f"<code>{body}</code>"
    if item.kind == "digest":
        return f'<code class="code-digest">{body}</code>'
    if item.kind in _SPAN_TAGS:
        tag = _SPAN_TAGS[item.kind]
        return f"<{tag}>{body}</{tag}>"
    if item.kind in _SPAN_CLASSES:
        return f'<span class="{_SPAN_CLASSES[item.kind]}">{body}</span>'
    raise HtmlRenderError(f"a span of kind {item.kind!r} is not part of the report's vocabulary")


def render(blocks, published: set[str] | None = None) -> str:
    """Blocks as HTML. ``published``: the files published beside this copy of the report, when known; a paragraph
    linking to one that is not says so instead (None: the file is taken to be there)."""
    return "".join(block(b, published) for b in blocks)


def block(b, published: set[str] | None = None) -> str:  # noqa: C901 - one branch a block
    if isinstance(b, Heading):
        anchor = f' id="{esc(b.id)}"' if b.id else ""
        return f"<h{b.level}{anchor}>{inline(b.content)}</h{b.level}>"
    if isinstance(b, Para) and b.published and published is not None and b.published not in published:
        return (
            f'<p class="note">{esc(b.published)} is published beside the report by <code>python -m pipeline run</code>; '
            "this copy was exported on its own, without it.</p>"
        )
    if isinstance(b, Para):
        attrs = f' data-published="{esc(b.published)}"' if b.published else ""
        attrs += f' class="{esc(b.style)}"' if b.style else ""
        attrs += ' role="note"' if b.style == "export-note" else ""
        return f"<p{attrs}>{inline(b.content)}</p>"
    if isinstance(b, Items):
        tag = "ol" if b.ordered else "ul"
        cls = f' class="{esc(b.style)}"' if b.style else ""
        return f"<{tag}{cls}>" + "".join(f"<li>{inline(i)}</li>" for i in b.items) + f"</{tag}>"
    if isinstance(b, Definitions):
        cls = f' class="{esc(b.style)}"' if b.style else ""
        pairs = "".join(f"<dt>{inline(t)}</dt><dd>{inline(d)}</dd>" for t, d in b.pairs)
        return f"<dl{cls}>{pairs}</dl>"
    if isinstance(b, Group):
        return group(b, published)
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Figure):
        src = "data:image/svg+xml;base64," + base64.b64encode(b.svg.encode("utf-8")).decode("ascii")
        return f'<figure class="chart"><img src="{src}" alt="{esc(b.alt)}"><figcaption>{esc(b.caption)}</figcaption></figure>'
    if isinstance(b, Preformatted):
        return f"<pre>{html.escape(b.text)}</pre>"
    if isinstance(b, PageBreak):
        return '<div class="page-break" aria-hidden="true"></div>'

    raise HtmlRenderError(f"{type(b).__name__} is not a block of the report")


def group(b: Group, published: set[str] | None = None) -> str:
    body = render(b.blocks, published)
    if b.kind == "contents":
        return f'<nav class="contents" aria-labelledby="contents">{body}</nav>'
    if b.kind == "title-page":
        return f'<header class="title-page">{body}</header>'
    if b.kind == "key-figures":
        return f'<div class="key-figures">{body}</div>'
    if b.kind == "article":
        cls = f' class="{esc(b.style)}"' if b.style else ""
        return f'<article{cls} id="{esc(b.id)}">{body}</article>'
    raise HtmlRenderError(f"a group of kind {b.kind!r} is not part of the report's vocabulary")


def table(t: Table) -> str:
    def cls(numeric: bool) -> str:
        return ' class="num"' if numeric else ""

    def wide(c) -> str:
        return f' style="width:{c.width.css()}"' if c.width else ""

    head = "".join(f'<th scope="col"{wide(c)}{cls(c.numeric)}>{esc(c.name)}</th>' for c in t.columns)
    body = []
    for row in t.rows:
        cells = []
        for column, content in zip(t.columns, row.cells):
            tag = '<th scope="row"' if column.row_header else "<td"
            end = "</th>" if column.row_header else "</td>"
            cells.append(f"{tag}{cls(column.numeric)}>{inline(content)}{end}")
        body.append(('<tr class="total">' if row.total else "<tr>") + "".join(cells) + "</tr>")
    style = f' class="{esc(t.style)}"' if t.style else ""
    markup = (
        f"<table{style}><caption>{esc(t.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    keep = " keep-together" if t.keep else ""
    return f'<div class="table-wrap{keep}" role="region" aria-label="{esc(t.caption)}" tabindex="0">{markup}</div>'
