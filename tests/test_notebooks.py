"""notebooks: a notebook saved from JupyterLab keeps no outputs and does not change the code digest."""

import json
import shutil
import subprocess
import sys

import nbformat
from conftest import ROOT

from pipeline.run import manifest, notebooks


def executed(source_nb: dict) -> dict:
    """The notebook as Lab holds it after Run All: outputs, counts, Lab's metadata."""
    nb = json.loads(json.dumps(source_nb))
    for i, cell in enumerate(nb["cells"]):
        cell["metadata"]["collapsed"] = False
        if cell["cell_type"] == "code":
            cell["execution_count"] = i
            cell["outputs"] = [{"output_type": "display_data", "data": {"text/html": "<p>82.7%</p>"}, "metadata": {}}]
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.9", "mimetype": "text/x-python"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (ipykernel)"  # as Lab renames it
    return nb


def lab_contents_manager(root):
    """Jupyter server's FileContentsManager configured by the repo's .jupyter/jupyter_server_config.py (as
    make lab loads it), so a save goes through the very hook the server calls."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("jupyter_server_config.py", path=str(ROOT / ".jupyter")).load_config()
    return FileContentsManager(config=config, root_dir=str(root))


def test_a_save_from_lab_writes_no_outputs_and_keeps_the_code_digest(tmp_path):
    """Before: Ctrl+S in Lab wrote 4,548 lines of outputs into the tracked notebook, and the next run
    re-rendered every period because the code digest changed."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "pipeline", project / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copy(ROOT / "requirements.lock", project / "requirements.lock")
    before = manifest.code_digest(project)
    original = (project / "notebooks" / "council_plan_report.ipynb").read_text(encoding="utf-8")

    manager = lab_contents_manager(project / "notebooks")
    nb = executed(json.loads(original))
    manager.save({"type": "notebook", "format": "json", "content": nbformat.from_dict(nb)}, "council_plan_report.ipynb")
    saved = json.loads((project / "notebooks" / "council_plan_report.ipynb").read_text(encoding="utf-8"))
    assert notebooks.holding_outputs(saved) == []
    assert [c["source"] for c in saved["cells"]] == [c["source"] for c in json.loads(original)["cells"]]
    assert manifest.code_digest(project) == before
    assert json.loads(original) == saved  # nothing Lab wrote is left: the file says what it said before

    nb["cells"][1]["source"] += "\nprint('changed')"  # a change to the code does change the digest
    manager.save({"type": "notebook", "format": "json", "content": nbformat.from_dict(nb)}, "council_plan_report.ipynb")
    assert manifest.code_digest(project) != before


def test_the_check_fails_on_a_notebook_with_outputs_and_passes_the_repos(tmp_path):
    nb = executed(json.loads((ROOT / "notebooks" / "council_plan_report.ipynb").read_text(encoding="utf-8")))
    (tmp_path / "a.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.run.notebooks", "--check", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 1
    assert "a.ipynb: cell 2 has outputs" in done.stderr and "notebook metadata widgets" in done.stderr
    clean = subprocess.run(
        [sys.executable, "-m", "pipeline.run.notebooks", "--check", str(ROOT / "notebooks")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert clean.returncode == 0, clean.stderr


def test_lab_checkpoints_are_ignored_by_git():
    done = subprocess.run(
        ["git", "check-ignore", "-q", "notebooks/.ipynb_checkpoints/council_plan_report-checkpoint.ipynb"], cwd=ROOT
    )
    assert done.returncode == 0
