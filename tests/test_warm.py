"""run.warm and run.warm_template: kernels forked from a template that has imported what a report's kernel imports,
each a new process holding nothing of another report, indistinguishable to a notebook from a cold kernel; a
killed kernel fails its own report only, a killed template is started again, and where no warm kernel can be had
the kernel starts cold and the reason is said."""

import json
import os
import signal
import time
from pathlib import Path

import nbformat
import pytest

from pipeline.errors import RenderError
from pipeline.run import execute, kernel, warm
from pipeline.run.warm_template import PER_KERNEL, refusal, steady

LOOK = """\
import json, os, sys, threading
import matplotlib, pandas
import pipeline.report.charts as charts
print(json.dumps({
    "pid": os.getpid(),
    "cwd": os.getcwd(),
    "argv0": sys.argv[0],
    "path": sys.path,
    "modules": sorted(sys.modules),
    "environment": sorted(k for k in os.environ if k not in ("JPY_PARENT_PID", "JUPYTER_PATH", "JUPYTER_RUNTIME_DIR")),
    "backend": matplotlib.get_backend(),
    "rc": {k: str(v) for k, v in sorted(matplotlib.rcParams.items())},
    "threads": sorted(t.name for t in threading.enumerate()),
    "left_behind": [hasattr(pandas, "_left_by_a_report"), hasattr(charts, "_left_by_a_report"), "LEFT" in globals()],
}))
pandas._left_by_a_report = charts._left_by_a_report = 1
LEFT = 1
"""


def notebook(tmp_path: Path, source: str) -> Path:
    meta = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    nb = nbformat.v4.new_notebook(metadata=meta | {"language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(source)]
    path = tmp_path / "look.ipynb"
    nbformat.write(nb, path)
    return path


def run(path: Path, km=None) -> dict:
    nb = execute.execute_notebook(path, {}, km)
    return json.loads(nb.cells[-1].outputs[0]["text"])


@pytest.fixture
def template(monkeypatch):
    place = warm.running().place
    monkeypatch.setenv(warm.TEMPLATE_VARIABLE, place)
    return place


def test_only_what_differs_per_kernel_may_differ_from_the_template(monkeypatch):
    env = {"HOME": "/h", "JPY_PARENT_PID": "1", "COUNCIL_REPORT_PREPARED": "/x"}
    assert steady(env) == {"HOME": "/h"}
    assert PER_KERNEL >= {"JPY_PARENT_PID", "JUPYTER_RUNTIME_DIR", "COUNCIL_REPORT_PREPARED", warm.TEMPLATE_VARIABLE}
    import sys
    import threading

    here = dict(os.environ)
    good = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"], "env": here, "cwd": "/"}
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # this test process may have threads; a template not
    assert refusal(good) == "the template has more than one thread"
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert refusal(good) == ""
    assert refusal(good | {"argv": ["/bin/sh", "-c", "true"]}) == "the kernel asked for is not ipykernel of this Python"
    assert (
        refusal(good | {"env": here | {"MPLBACKEND": "pdf"}}) == "the kernel's environment differs from the template's"
    )
    assert refusal(good | {"cwd": "/no/such/folder"}) == "the kernel's working directory does not exist"


@pytest.mark.slow
def test_a_warm_kernel_is_a_new_process_indistinguishable_from_a_cold_one_and_holds_nothing_of_the_last(
    tmp_path, template, monkeypatch
):
    path = notebook(tmp_path, LOOK)
    before = warm.started_warm[0]
    first, second = run(path), run(path)
    assert warm.started_warm[0] == before + 2
    # the second report's kernel was forked after the first ran a cell that set module-level values: none reached it
    assert first["left_behind"] == second["left_behind"] == [False, False, False]
    assert first["pid"] != second["pid"]
    monkeypatch.delenv(warm.TEMPLATE_VARIABLE)
    cold = run(path)
    assert warm.started_warm[0] == before + 2
    for look in (first, second):
        for key in ("cwd", "argv0", "path", "modules", "environment", "backend", "rc", "threads"):
            assert look[key] == cold[key], key
    assert cold["cwd"] == str(kernel.PROJECT_ROOT) and cold["backend"] == "agg"


@pytest.mark.slow
def test_a_killed_kernel_fails_its_own_report_only(tmp_path, template):
    path = notebook(tmp_path, "import os\nprint(os.getpid())")
    with kernel.started() as doomed, kernel.started() as other:
        assert doomed.provisioner.how == other.provisioner.how == "warm"
        pid = other.provisioner.pid
        os.kill(doomed.provisioner.pid, signal.SIGKILL)
        with pytest.raises(RenderError, match="the report.s kernel ended before the report was done"):
            execute.execute_notebook(path, {}, doomed)
        nb = execute.execute_notebook(path, {}, other)
    assert nb.cells[-1].outputs[0]["text"] == f"{pid}\n"


@pytest.mark.slow
def test_a_killed_template_takes_no_running_kernel_with_it_and_is_started_again(tmp_path, template):
    path = notebook(tmp_path, "print(6 * 7)")
    notes = []
    kept = warm.Kept(notes.append)
    assert kept.place == template and notes == []
    with kernel.started() as running:
        first = warm.running().process
        first.kill()
        first.wait()
        time.sleep(1.2)  # longer than ipykernel's own parent poller waits: the kernel's parent is the template
        nb = execute.execute_notebook(path, {}, running)
    assert nb.cells[-1].outputs[0]["text"] == "42\n"
    kept.check()
    assert notes == ["the warm kernel template had ended and was started again"]
    assert warm.running().process is not first and warm.running().place == template
    with kernel.started() as again:
        assert again.provisioner.how == "warm"


@pytest.mark.slow
def test_without_a_template_the_kernel_starts_cold_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv(warm.TEMPLATE_VARIABLE, str(tmp_path / "gone" / "template.sock"))
    with kernel.started() as km:
        assert km.provisioner.how.startswith("cold: the template did not answer")
        nb = execute.execute_notebook(notebook(tmp_path, "print(1)"), {}, km)
    assert nb.cells[-1].outputs[0]["text"] == "1\n"
    notes = []
    monkeypatch.setenv(warm.COLD_VARIABLE, "1")
    assert warm.Kept(notes.append).place is None
    assert notes == [f"kernels start cold: {warm.COLD_VARIABLE} is set"]


@pytest.mark.slow
def test_a_template_refuses_a_kernel_for_another_environment_and_the_kernel_starts_cold(tmp_path, template):
    place = warm.running().place
    os.environ["COUNCIL_TEST_ONLY"] = "changed after the template started"
    try:
        with pytest.raises(warm.Unavailable, match="environment differs"):
            warm.fork(place, kernel_argv(), dict(os.environ), str(tmp_path))
    finally:
        del os.environ["COUNCIL_TEST_ONLY"]


def kernel_argv() -> list[str]:
    import sys

    return [sys.executable, "-m", "ipykernel_launcher", "-f", "unused.json"]
