"""Accessibility, in a real browser: axe-core in headless Chromium (Debian's package, driven by Playwright)
finds no WCAG 2.2 A/AA violation in the year-end report, a SYNTHETIC four-quarter year's Q4 or a milestone report; the pages do not scroll
sideways at a phone width or a desktop width; the PDF is tagged, with language, title and bookmarks.

`make test` installs Debian's chromium when it is missing. Where it cannot be had the browser tests are
skipped with the reason, except in CI (CI=true), where a missing browser fails them.
"""

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT
from pypdf import PdfReader

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SCREENSHOTS = ROOT / "outputs" / "screenshots"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from synthetic import make_quarters

    out = tmp_path_factory.mktemp("a11y")
    year = make_quarters(out / "synthetic-raw")  # a SYNTHETIC four-quarter year; its Q4 reads Q1-Q3 beside it
    for args in (
        ["run", "--out", out],
        ["run", "--year", "2012/13", "--quarter", "Q4", "--input", year[-1], "--out", out / "synthetic"],
        [
            "plan",
            ROOT / "data/raw/sip_community_protection_2009-10_to_2011-12.txt",
            "--year",
            "2009/10",
            "--quarter",
            "Q4",
            "--out",
            out,
        ],
    ):
        done = subprocess.run([PYTHON, "-m", "pipeline", *map(str, args)], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
    return {
        "year-end": out / "2011-12" / "Q4",
        "synthetic-year": out / "synthetic" / "2012-13" / "Q4",
        "milestones": out / "plans" / "sip_community_protection_2009-10_to_2011-12.txt" / "2009-10" / "Q4",
    }


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed (make test installs Debian's chromium package when run as root)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the accessibility tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def axe(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]]


@pytest.mark.parametrize("name", ["year-end", "synthetic-year", "milestones"])
def test_axe_finds_no_violations(browser, reports, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((reports[name] / "report.html").as_uri())
    assert axe(page) == []
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    assert page.title()
    page.close()


@pytest.mark.parametrize("name", ["year-end", "synthetic-year", "milestones"])
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_do_not_scroll_sideways_and_are_captured(browser, reports, name, width):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto((reports[name] / "report.html").as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=False)
    page.close()
    assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"


def test_headings_are_in_order_with_one_h1_and_contents(browser, reports):
    page = browser.new_page()
    page.goto((reports["year-end"] / "report.html").as_uri())
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    page.close()
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    html = (reports["year-end"] / "report.html").read_text()
    assert '<nav class="contents" aria-labelledby="contents">' in html and 'href="#indicators-off-track"' in html


def test_every_chart_has_a_text_alternative_stating_its_figures(reports):
    import html as html_module
    import re

    html = (reports["year-end"] / "report.html").read_text()
    alts = [html_module.unescape(a) for a in re.findall(r'<img [^>]*\balt="([^"]+)"', html)]
    assert len(alts) == 3  # by theme, by directorate, against target (the seed has one quarter: no trend chart)
    assert any("Economic Regeneration and Transport: 12 achieved, 8 on track, 1 not achieved" in a for a in alts)
    assert any(
        a.startswith("Diverging bar chart of variance from target")
        and "3.1 250 start-up businesses assisted (baseline 242 in 2010/11).: +24.4% (green)" in a
        for a in alts
    )
    plan = (reports["milestones"] / "report.html").read_text()
    assert "Bar chart of Total Budget Requirement by year: 2009/10 £3,734,032" in plan


@pytest.mark.parametrize("name", ["year-end", "synthetic-year", "milestones"])
def test_pdf_is_tagged_with_language_title_and_bookmarks(reports, name):
    reader = PdfReader(reports[name] / "report.pdf")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en-GB"
    assert reader.metadata.title

    def flatten(items):
        for item in items:
            yield from flatten(item) if isinstance(item, list) else [item.title]

    titles = list(flatten(reader.outline))
    assert titles[0].endswith("milestones") or titles[0].endswith("progress report")  # the h1
    assert "Contents" in titles and any(t.lower().endswith("data quality") for t in titles)


def structure(reader) -> tuple[Counter, list[str]]:
    """The PDF's structure tree: how many elements of each type, and each figure's /Alt."""
    kinds, alts = Counter(), []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if not hasattr(node, "keys"):
            return
        if "/S" in node:
            kinds[str(node["/S"])] += 1
            if str(node["/S"]) == "/Figure":
                alts.append(str(node.get("/Alt", "")))
        children = node.get("/K")
        for child in children if isinstance(children, list) else [children] if children is not None else []:
            walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return kinds, alts


@pytest.mark.parametrize("name", ["year-end", "synthetic-year", "milestones"])
def test_pdf_is_pdf_ua_1_with_table_headers_chart_alternatives_page_numbers_and_a4(reports, name):
    """Typst's PDF: identified as PDF/UA-1, every table with a header row, every chart a figure whose
    alternative text states its figures (as in the HTML), each page A4 and numbered."""
    import html as html_module
    import re

    reader = PdfReader(reports[name] / "report.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", xmp)
    kinds, alts = structure(reader)
    assert kinds["/H1"] == 1 and kinds["/Table"] >= 3
    assert kinds["/THead"] == kinds["/Table"] and kinds["/TH"] >= 3 * kinds["/Table"]
    html = (reports[name] / "report.html").read_text(encoding="utf-8")
    html_alts = [html_module.unescape(a) for a in re.findall(r'<img [^>]*\balt="([^"]+)"', html)]
    assert alts == html_alts and len(alts) >= 1
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
        assert f"Page {number} of {len(reader.pages)}" in page.extract_text()


def jupyterlab_css() -> str:
    """JupyterLab's own stylesheets for outputs, from the installed jupyterlab (it ships them inside its
    JavaScript bundles), and its light theme's variables."""
    import re
    import sys

    lab = Path(sys.prefix) / "share" / "jupyter" / "lab"
    css = [(lab / "themes" / "@jupyterlab" / "theme-light-extension" / "index.css").read_text(encoding="utf-8")]
    for bundle in sorted((lab / "static").glob("*.js")):
        js = bundle.read_text(encoding="utf-8")
        if "jp-RenderedHTMLCommon" in js:
            for m in re.finditer(r"`((?:[^`\\]|\\.)*)`", js):
                if ".jp-RenderedHTMLCommon" in m.group(1) and "{" in m.group(1):
                    css.append(m.group(1).replace("\\n", "\n").replace('\\"', '"'))
    return "\n".join(css)


LOOK = """els => els.map(e => { const s = getComputedStyle(e); return [s.textAlign, s.borderTopStyle, s.borderTopColor,
    s.backgroundColor, s.color, s.fontWeight, s.paddingLeft]; })"""
SELECTORS = ["caption", "thead th", "tbody td", "tbody td.num", ".status-1 .mark", ".status-4 .mark"]


def test_report_pieces_look_in_jupyterlab_as_in_the_published_html(browser, reports):
    """Before: run in JupyterLab, the report's tables showed unstyled (text right-aligned, status shapes without
    colour). A piece is shown in an output of Lab's own markup and stylesheets, with and without the report's
    Lab style (the setup cell's last output), and the computed style of each of its parts compared with the
    same piece in the published report."""
    import html as html_module
    import re

    from pipeline import report

    published = (reports["year-end"] / "report.html").read_text(encoding="utf-8")
    piece = next(
        p
        for p in re.findall(r'<div [^>]*class="table-wrap[^"]*"[^>]*>.*?</div>', published, re.S)
        if "status-1" in p and "status-4" in p
    )
    label = html_module.unescape(re.search(r'aria-label="([^"]+)"', piece).group(1))
    scope = f'div[aria-label="{label}"] '

    def looks(page):
        return [page.eval_on_selector_all(scope + s, LOOK) for s in SELECTORS]

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((reports["year-end"] / "report.html").as_uri())
    expected = looks(page)
    lab_css = jupyterlab_css()
    shown = {}
    for styled in (True, False):
        outputs = "".join(
            f'<div class="jp-OutputArea-output jp-RenderedHTMLCommon jp-RenderedHTML">{p}</div>'
            for p in ([report.lab_style().markup] if styled else []) + [piece]
        )
        page.set_content(
            f"<!DOCTYPE html><html><head><style>{lab_css}</style></head><body class='jp-Notebook'>"
            f"<div class='jp-Cell'>{outputs}</div></body></html>"
        )
        shown[styled] = looks(page)
    page.close()
    assert all(expected) and sum(len(e) for e in expected) > 20  # every part was found and measured
    assert shown[True] == expected
    assert shown[False] != expected  # Lab's own styles alone do differ: right-aligned text, no status colours


BROKEN_WORDS = """() => {
  // every word of every table cell (a word: what lies between spaces and hyphens, where a line may break as in
  // print): a word broken across lines has client rects on more than one line
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.closest('td, th')) continue;
    const re = /[^\\s\\u00ad\\-\\u2010]+/g;
    let m;
    while ((m = re.exec(node.data))) {
      if (m[0].length < 2) continue;
      const before = node.data[m.index - 1], after = node.data[m.index + m[0].length];
      if (before === '\\u00ad' || after === '\\u00ad') continue;  // a soft hyphen: a hyphenation the report allows
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("name", ["year-end", "synthetic-year"])
def test_at_a_phone_width_tables_scroll_whole_and_no_word_breaks_inside(browser, reports, name):
    """Before: at 390 px the exceptions table was squeezed until its words broke inside ("Devel/opme/nt",
    "R/e/d") and its figures ran together. Now a wide table keeps its shape and scrolls inside its own region."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto((reports[name] / "report.html").as_uri())
    broken = page.evaluate(BROKEN_WORDS)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    scrolls = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).length"
    )
    page.close()
    assert broken == [], f"{len(broken)} words break inside at 390 px: {broken[:10]}"
    assert overflow <= 0 and scrolls >= 1  # the page never scrolls sideways; a wide table does, whole


def test_at_a_desktop_width_the_report_is_far_shorter_than_before(browser, reports):
    """Before: the seed's report was over 30,000 px tall at 1280 px (ten pages of exceptions first)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((reports["year-end"] / "report.html").as_uri())
    summary = page.evaluate("document.querySelector('#summary').getBoundingClientRect().top")
    off_track = page.evaluate("document.querySelector('#indicators-off-track').getBoundingClientRect().top")
    page.close()
    assert summary < 400 < off_track  # the answer is on the first screen
