"""render: scrubbing executed notebooks, the council HTML template, the Typst PDF and the nbconvert entry points."""

import subprocess
from importlib.metadata import entry_points
from pathlib import Path

import nbformat
import pytest
from conftest import PYTHON
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from pipeline import scratch
from pipeline.report.export import html as render_html
from pipeline.report.export import pdf as render
from pipeline.run import execute, kernel


def piece_output(text: str):
    """The output a notebook cell showing a report paragraph has: its HTML and its Typst."""
    from pipeline import report

    data, _ = report.paragraph(text)._repr_mimebundle_()
    return new_output("display_data", data=data)


def tiny_notebook():
    nb = new_notebook(
        cells=[
            new_markdown_cell("## Section"),
            new_code_cell("x", outputs=[piece_output("Figure 82.7%")], execution_count=3),
            new_code_cell("print('log')", outputs=[new_output("stream", name="stderr", text="a warning")]),
        ]
    )
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.cells[1].metadata["papermill"] = {"duration": 1.5}
    nb.metadata["papermill"] = {
        "start_time": "t",
        "end_time": "t",
        "duration": 1.0,
        "parameters": {"year": "2011/12"},
        "input_path": "/abs/in.ipynb",
    }
    return nb


def test_scrub_removes_what_varies_between_runs_and_keeps_parameters():
    nb = tiny_notebook()
    execute.scrub_notebook(nb)
    assert nb.metadata["papermill"] == {"parameters": {"year": "2011/12"}}
    assert [c["id"] for c in nb.cells] == ["cell-000", "cell-001", "cell-002"]
    assert "execution" not in nb.cells[1].metadata and "papermill" not in nb.cells[1].metadata


def test_html_has_outputs_but_no_code_prompts_scripts_or_stderr():
    html = render_html.notebook_to_html(tiny_notebook(), title="Report <title>")
    assert "<p>Figure 82.7%</p>" in html
    assert "<title>Report &lt;title&gt;</title>" in html
    assert '<html lang="en-GB">' in html
    assert "print(" not in html and "In&nbsp;[" not in html
    assert "<script" not in html and "a warning" not in html
    assert '<h2 id="section">Section</h2>' in html and "anchor-link" not in html  # no pilcrow links
    assert (
        '<nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents</h2><ol>'
        '<li><a href="#section">Section</a></li></ol></nav>' in html
    )


def tiny_pdf(nb=None) -> bytes:
    source, images = render.notebook_to_typst(nb or tiny_notebook(), title="T")
    return render.typst_to_pdf(source, images)


def test_pdf_is_a4_with_page_numbers_and_the_outputs_text(tmp_path):
    path = tmp_path / "t.pdf"
    path.write_bytes(tiny_pdf())
    reader = PdfReader(path)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Figure 82.7%" in text and f"Page 1 of {len(reader.pages)}" in text
    assert "a warning" not in text  # stderr is for the analyst's log


@pytest.mark.slow
def test_same_notebook_and_epoch_give_identical_pdf_bytes_in_separate_processes(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(tiny_notebook(), path)
    code = (
        "import sys, nbformat; from pipeline.report.export import pdf as render; "
        "source, images = render.notebook_to_typst(nbformat.read(sys.argv[1], 4), title='T'); "
        "sys.stdout.buffer.write(render.typst_to_pdf(source, images, 1333152000))"
    )
    runs = [subprocess.run([PYTHON, "-c", code, str(path)], capture_output=True, check=True).stdout for _ in range(2)]
    assert runs[0].startswith(b"%PDF-") and runs[0] == runs[1]
    assert b"D:20120331000000" in runs[0]  # the period end, not the time of the run


def test_exporters_are_registered_with_nbconvert():
    names = {ep.name: ep.value for ep in entry_points(group="nbconvert.exporters")}
    assert names["council_pdf"] == "pipeline.report.export.pdf:CouncilPDFExporter"
    assert names["council_html"] == "pipeline.report.export.html:CouncilHTMLExporter"


@pytest.mark.slow
def test_jupyter_nbconvert_to_council_pdf_works(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(tiny_notebook(), path)
    done = subprocess.run(
        [PYTHON, "-m", "jupyter", "nbconvert", "--to", "council_pdf", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    pdf = Path(tmp_path / "tiny.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "Figure 82.7%" in "".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_contents_link_every_section_with_unique_anchors_made_from_the_blocks():
    """The sections of a notebook, from its markdown cells and its pieces' outputs, anchored by one rule
    (``blocks.anchor``) and listed in the contents, which follow the title page; no HTML is read back."""
    import nbformat

    from pipeline.report import blocks
    from pipeline.report.pieces import Piece

    def shown(piece):
        data, metadata = piece._repr_mimebundle_()
        return nbformat.v4.new_output("display_data", data, metadata=metadata)

    title = Piece((blocks.Group("title-page", (blocks.Heading(1, ("T",)),)),))
    cells = [
        nbformat.v4.new_code_cell(outputs=[shown(title)]),
        nbformat.v4.new_markdown_cell("## Data quality\n\nx"),
        nbformat.v4.new_markdown_cell("## Data quality"),
        nbformat.v4.new_code_cell(outputs=[shown(Piece((blocks.Heading(2, ("Odd one!",), "odd-one"),)))]),
    ]
    out = render_html.notebook_to_html(nbformat.v4.new_notebook(cells=cells), title="T", published=())
    assert out.count('<nav class="contents"') == 1 and out.index("<nav") > out.index("</header>")
    assert '<h2 id="data-quality">' in out and '<h2 id="data-quality-2">' in out and '<h2 id="odd-one">' in out
    assert '<li><a href="#odd-one">Odd one!</a></li>' in out and '<li><a href="#data-quality-2">' in out
    assert out.index("<nav") < out.index('<h2 id="data-quality">')


def test_the_pdf_renderer_reads_no_file_and_no_system_font(tmp_path):
    """Typst's root is an empty folder: a document naming a file cannot read it; its fonts are the repo's."""
    import pytest

    from pipeline.errors import RenderError

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    for body in (f'#read("{secret}")', f'#image("{secret}")', '#read("../../../../etc/hostname")'):
        with pytest.raises(RenderError, match="Typst could not print the report"):
            render.typst_to_pdf(render.typst_document(body, "t"))
    # text from an input that looks like Typst code is printed as text
    nb = tiny_notebook()
    nb.cells[1].outputs[0] = piece_output(f'#read("{secret}") $x$ *b* <l> @r // c')
    pdf = tiny_pdf(nb)
    assert b"TOP-SECRET" not in pdf
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    printed = " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())
    assert f'#read("{secret}") $x$ *b* <l> @r // c' in printed
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(path).pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique", "DejaVuSansMono"}


def test_kernel_folders_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    import os

    dead = tmp_path / "council-kernel-999999999-abc"  # no such process
    mine = tmp_path / f"council-kernel-{os.getpid()}-def"
    other = tmp_path / "something-else"
    for folder in (dead, mine, other):
        (folder / "runtime").mkdir(parents=True)
    assert scratch.clean_leftovers(str(tmp_path)) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])


class _Channel:
    """A kernel channel that gives what it is told, in order: None for nothing within the timeout."""

    def __init__(self, *answers):
        self.answers = list(answers)

    async def get_msg(self, timeout=None):
        answer = self.answers.pop(0)  # an IndexError if the client asks once more than it should
        if answer is None:
            from queue import Empty

            raise Empty
        return answer


def _client(shell: _Channel, iopub: _Channel, alive: bool = True):
    client = kernel._ready_client()()
    client._shell_channel, client._iopub_channel = shell, iopub
    asked = []
    client.kernel_info = lambda: asked.append("kernel_info")

    async def is_alive():
        return alive

    client._async_is_alive = is_alive
    return client, asked


REPLY = {"msg_type": "kernel_info_reply", "content": {"protocol_version": "5.3"}, "parent_header": {}}


def test_the_kernel_client_is_ready_when_answered_and_iopub_is_connected_without_waiting_for_silence():
    from jupyter_core.utils import run_sync

    # IOPub's first message came before the client had subscribed: it asks again; then the welcome arrives
    iopub = _Channel(None, {"msg_type": "iopub_welcome"})
    shell = _Channel(REPLY, REPLY)
    client, asked = _client(shell, iopub)
    run_sync(client.wait_for_ready)(timeout=5)
    assert asked == ["kernel_info", "kernel_info"]
    assert iopub.answers == [] and shell.answers == []  # nothing more was read: no 0.2 s wait for IOPub to fall silent


def test_the_kernel_client_says_when_the_kernel_died_before_answering():
    from jupyter_core.utils import run_sync

    client, asked = _client(_Channel(None), _Channel(), alive=False)
    with pytest.raises(RuntimeError, match="died before replying"):
        run_sync(client.wait_for_ready)(timeout=5)
    assert asked == ["kernel_info"]


def _parameterised(tmp_path, *sources):
    cells = [new_code_cell('who = "nobody"')]
    cells[0].metadata["tags"] = ["parameters"]
    path = tmp_path / "tiny.ipynb"
    kernelspec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(
        new_notebook(cells=cells + [new_code_cell(s) for s in sources], metadata={"kernelspec": kernelspec}), path
    )
    return path


@pytest.mark.slow
def test_papermill_executes_the_notebook_with_its_parameters_in_the_project_root(tmp_path):
    from pipeline.paths import PROJECT_ROOT

    nb = execute.execute_notebook(_parameterised(tmp_path, "import os\nprint(who, os.getcwd())"), {"who": "Stockton"})
    assert nb.metadata["papermill"]["parameters"] == {"who": "Stockton"}
    assert "injected-parameters" in nb.cells[1].metadata["tags"]
    assert nb.cells[2].outputs[0]["text"] == f"Stockton {PROJECT_ROOT}\n"


@pytest.mark.slow
def test_a_failing_cell_fails_the_render_naming_the_cell_and_the_error(tmp_path):
    from pipeline.errors import RenderError

    path = _parameterised(tmp_path, "x = 1", "x / 0")
    with pytest.raises(RenderError, match="failed in cell 4: ZeroDivisionError: division by zero"):
        execute.execute_notebook(path, {"who": "Stockton"})
