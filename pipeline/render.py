"""Stage 5b, render: execute a report notebook with papermill, export HTML with nbconvert, print PDF with WeasyPrint.

The HTML uses this package's own nbconvert template (``templates/council``):
no code, no prompts, no scripts, one stylesheet written for screen and A4
print. The PDF is WeasyPrint's rendering of that same HTML. Both exporters are
registered under nbconvert's ``nbconvert.exporters`` entry point, so
``jupyter nbconvert --to council_html`` and ``--to council_pdf`` work too.

Executed notebooks are scrubbed of what changes from run to run (timings,
random cell ids, kernel start times) so that equal inputs give equal bytes.

The PDF renderer fetches nothing but what the pipeline itself put into the page: ``data:`` URLs (the
charts, generated here). Every other address (``file:``, ``http(s):``, anything else) is refused, so
text from an input can never make the renderer read a local file, embed it, or call out to a server.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from traitlets import List, Unicode, default

from .errors import PipelineError, RenderError
from .paths import PROJECT_ROOT, TEMPLATES_DIR

TEMPLATE_NAME = "council"
KERNEL_NAME = "python3"


class CouncilHTMLExporter(HTMLExporter):
    """HTML for a committee: the council template, outputs only, no anchor links or scripts.

    The same report whoever exports it: ``run``, or ``jupyter nbconvert --to council_html`` on a notebook
    executed by papermill or in JupyterLab. The document's title comes from the notebook's metadata or else
    from the title piece's output; the sections get anchors and a table of contents; a paragraph linking to a
    published file (``data-published``) stays only when that file is published with the report (``published``,
    given by ``run``) or lies beside the exported notebook, and otherwise says so instead of linking to nothing.
    """

    export_from_notebook = "Council report (HTML)"
    published = List(
        Unicode(),
        default_value=None,
        allow_none=True,
        help="the files published beside the report; None: look beside the notebook",
    ).tag(config=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        nb = copy.deepcopy(nb)
        for cell in nb.cells:  # what is only for JupyterLab (the scoped stylesheet) is not part of the report
            if cell.get("outputs"):
                cell.outputs = [o for o in cell.outputs if not _meta(o).get("lab_only")]
        if not nb.metadata.get("title"):
            title = _title_of(nb)
            if title:
                nb.metadata["title"] = title
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        beside = (resources or {}).get("metadata", {}).get("path") or ""
        exists = (
            (lambda name: name in self.published)
            if self.published is not None
            else (lambda name: bool(beside) and (Path(beside) / name).is_file())
        )
        return published_only(add_contents(html), exists), resources

    @default("template_name")
    def _template_name_default(self):
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("exclude_anchor_links")
    def _exclude_anchor_links_default(self):
        return True


class CouncilPDFExporter(CouncilHTMLExporter):
    """The council HTML, printed to an A4 PDF by WeasyPrint (no browser, no LaTeX)."""

    export_from_notebook = "Council report (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_file")
    def _template_file_default(self):
        return "index.html.j2"  # the same page as the HTML report, printed

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(html, _epoch_of(nb)), resources


def _epoch_of(nb) -> int | None:
    """The period end of a report notebook executed by papermill, from its parameters; else None."""
    from .period import Period

    params = nb.metadata.get("papermill", {}).get("parameters", {})
    try:
        return Period.parse(params["year"], params["quarter"]).source_date_epoch
    except (KeyError, PipelineError):
        return None


def _url_fetcher_base():
    from weasyprint.urls import URLFetcher

    return URLFetcher


class GeneratedOnlyFetcher(_url_fetcher_base()):
    """A WeasyPrint URL fetcher that serves only ``data:`` URLs and refuses (and records) every other one."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        from weasyprint.urls import URLFetchingError

        if not str(url).lower().startswith("data:"):
            self.refused.append(str(url))
            raise URLFetchingError(f"refused: the report fetches nothing it did not generate ({str(url)[:80]})")
        return super().fetch(url, headers)


def html_to_pdf(
    html: str,
    source_date_epoch: int | None = None,
    base_url: str | None = None,
    fetcher: GeneratedOnlyFetcher | None = None,
) -> bytes:
    """Print report HTML to tagged A4 PDF bytes (page layout comes from the stylesheet).

    Links stay relative (``indicators.csv`` beside the PDF) unless ``base_url`` is
    given: the PDF must not carry the path of the machine that made it.
    ``source_date_epoch`` is the time stamped into embedded font subsets (fontTools
    reads ``SOURCE_DATE_EPOCH``); the same HTML and epoch give the same bytes.
    Without it, ``SOURCE_DATE_EPOCH`` from the environment is used, else 0. Only ``data:`` URLs are
    fetched (``GeneratedOnlyFetcher``; pass one to see what was refused).
    """
    import weasyprint

    epoch = source_date_epoch if source_date_epoch is not None else int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    fetcher = fetcher if fetcher is not None else GeneratedOnlyFetcher()
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    with _environ(SOURCE_DATE_EPOCH=str(epoch)):
        return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, uncompressed_pdf=False)


@contextlib.contextmanager
def _environ(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def notebook_to_html(nb, title: str, published=None) -> str:
    """Export an executed notebook node to the council HTML, with a table of contents; ``published``: the
    names of the files published beside it (see ``CouncilHTMLExporter``)."""
    nb.metadata["title"] = title
    html, _ = CouncilHTMLExporter(published=None if published is None else sorted(published)).from_notebook_node(nb)
    return html


def _meta(output) -> dict:
    return output.get("metadata", {}).get("council_report", {})


def _title_of(nb) -> str:
    """The document title a report piece gave in its output metadata (``council_report.title``), if any."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if _meta(output).get("title"):
                return str(_meta(output)["title"])
    return ""


_SVG_URL = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def chart_files(nb) -> dict[str, bytes]:
    """The SVG of every chart the notebook showed (stored once, in its HTML's data: URL), under the file name
    its output metadata gives (``council_report.chart_file``), as ``charts/<name>``."""
    import base64

    files = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = _meta(output).get("chart_file")
            found = _SVG_URL.search(output.get("data", {}).get("text/html", ""))
            if name and found:
                files[f"charts/{name}"] = base64.b64decode(found.group(1))
    return files


_PUBLISHED = re.compile(r'<p data-published="([^"]+)">.*?</p>', re.S)


def published_only(html: str, exists) -> str:
    """Keep each ``<p data-published="FILE">`` paragraph when ``exists(FILE)``; otherwise say that the file is
    published beside the report by ``run`` and is not beside this copy."""
    import html as html_module

    def keep(m: re.Match) -> str:
        name = html_module.unescape(m.group(1))
        if exists(name):
            return m.group(0)
        return (
            f'<p class="note">{m.group(1)} is published beside the report by <code>python -m pipeline run</code>; '
            "this copy was exported on its own, without it.</p>"
        )

    return _PUBLISHED.sub(keep, html)


_H2 = re.compile(r"<h2>(.*?)</h2>", re.S)


def add_contents(html: str) -> str:
    """Give every section heading (h2) an id and put a list of links to them after the title block."""
    used: set[str] = set()
    entries = []

    def anchor(m: re.Match) -> str:
        text = re.sub(r"<[^>]+>", "", m.group(1)).strip()
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        entries.append((slug, m.group(1)))
        return f'<h2 id="{slug}">{m.group(1)}</h2>'

    html = _H2.sub(anchor, html)
    if not entries:
        return html
    items = "".join(f'<li><a href="#{slug}">{label}</a></li>' for slug, label in entries)
    nav = f'<nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents</h2><ol>{items}</ol></nav>'
    end = html.find("</header>")
    at = end + len("</header>") if end >= 0 else html.find("<main>") + len("<main>")
    if entries[0][0] == "key-messages" and len(entries) > 1:
        at = html.find(f'<h2 id="{entries[1][0]}"')  # the key messages open the report; the contents follow them
    return html[:at] + nav + html[at:]


_KERNEL_PREFIX = "council-kernel-"


def clean_kernel_leftovers(tmp_root: str | None = None) -> list[Path]:
    """Remove the kernel folders (spec and connection files) of runs whose process no longer exists.

    Each run keeps them in ``<tmp>/council-kernel-<pid>-*``; a run killed part-way cannot remove its
    own, so the next one does. Returns what was removed.
    """
    import shutil

    removed = []
    root = Path(tmp_root or tempfile.gettempdir())
    for folder in sorted(root.glob(_KERNEL_PREFIX + "*")):
        pid = folder.name[len(_KERNEL_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _kernel_of_this_python():
    """Make kernel ``python3`` the Python running this code, whatever kernels the user has installed.

    The kernel spec and the kernel's connection files live in one folder named after this process, so a
    run that is killed leaves one folder that ``clean_kernel_leftovers`` recognises.
    """
    clean_kernel_leftovers()
    with tempfile.TemporaryDirectory(prefix=f"{_KERNEL_PREFIX}{os.getpid()}-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        # ipykernel logs a warning on every start (loopback TCP is unencrypted) and, in batch workers, the
        # interrupt nbclient sends at shutdown: noise on the analyst's terminal. Cell errors still fail the run.
        spec = {
            "argv": [
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                "--IPKernelApp.log_level=CRITICAL",
            ],
            "display_name": "Python 3 (council report)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        jupyter_path = os.pathsep.join(filter(None, [tmp, os.environ.get("JUPYTER_PATH")]))
        with _environ(
            JUPYTER_PATH=jupyter_path,
            JUPYTER_RUNTIME_DIR=str(Path(tmp) / "runtime"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            MPLBACKEND="agg",
        ):
            yield


def execute_notebook(notebook: Path, parameters: dict):
    """Run ``notebook`` with ``parameters`` through papermill; return the scrubbed executed notebook node.

    The working directory is the project root, so relative paths in parameters
    resolve the same wherever the command was started. Raises RenderError when
    a cell fails, naming the notebook and the error.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        with _kernel_of_this_python():
            nb = papermill.execute_notebook(
                str(notebook),
                None,
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                cwd=str(PROJECT_ROOT),
                request_save_on_cell_execute=False,
            )
    except PapermillExecutionError as exc:
        raise RenderError(
            f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}", notebook
        ) from None
    scrub_notebook(nb)
    return nb


def scrub_notebook(nb) -> None:
    """Remove what differs between two executions of the same notebook on the same inputs.

    Drops papermill's timings and paths and the kernel's execution timestamps,
    and gives every cell an id from its position (papermill's injected cell has a random one).
    """
    papermill_meta = nb.metadata.get("papermill", {})
    for key in (
        "start_time",
        "end_time",
        "duration",
        "input_path",
        "output_path",
        "environment_variables",
        "exception",
    ):
        papermill_meta.pop(key, None)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    nb.metadata.get("language_info", {}).pop("version", None)
