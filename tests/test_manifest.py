"""manifest: the cache key moves with every input of a report, and up_to_date checks the outputs' bytes."""

import json

from conftest import ROOT

from pipeline.run import manifest

INPUTS = [{"path": "data/raw/x.tsv", "size": 3, "sha256": "a" * 64}]
PARAMS = {"year": "2011/12", "quarter": "Q4"}


def test_cache_key_changes_with_inputs_parameters_and_code():
    key = manifest.cache_key(INPUTS, PARAMS, "code1")
    assert key == manifest.cache_key(INPUTS, dict(reversed(PARAMS.items())), "code1")
    assert key != manifest.cache_key([{**INPUTS[0], "sha256": "b" * 64}], PARAMS, "code1")
    assert key != manifest.cache_key(INPUTS, {**PARAMS, "quarter": "Q3"}, "code1")
    assert key != manifest.cache_key(INPUTS, PARAMS, "code2")


def test_code_digest_covers_pipeline_notebooks_and_lock(tmp_path):
    for name in ("pipeline/a.py", "notebooks/r.ipynb", "requirements.lock", "pipeline/templates/t/x.css"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("1")
    first = manifest.code_digest(tmp_path)
    for name in ("pipeline/a.py", "notebooks/r.ipynb", "requirements.lock", "pipeline/templates/t/x.css"):
        (tmp_path / name).write_text("2")
        assert manifest.code_digest(tmp_path) != first
        (tmp_path / name).write_text("1")
    assert manifest.code_digest(tmp_path) == first
    (tmp_path / "README.md").write_text("prose does not change a report")
    assert manifest.code_digest(tmp_path) == first


def test_up_to_date_needs_same_key_and_untouched_outputs(tmp_path):
    files = {"report.html": b"<p>82.7%</p>", "charts/a.svg": b"<svg/>"}
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "manifest.json").write_bytes(manifest.build(INPUTS, PARAMS, "k1", files))
    assert manifest.up_to_date(tmp_path, "k1")
    assert not manifest.up_to_date(tmp_path, "k2")
    (tmp_path / "charts/a.svg").write_bytes(b"<svg />")
    assert not manifest.up_to_date(tmp_path, "k1")
    (tmp_path / "charts/a.svg").write_bytes(b"<svg/>")
    (tmp_path / "report.html").unlink()
    assert not manifest.up_to_date(tmp_path, "k1")
    assert not manifest.up_to_date(tmp_path / "nowhere", "k1")


def test_manifest_is_stable_json_with_sorted_outputs():
    data = manifest.build(INPUTS, PARAMS, "k", {"b.txt": b"2", "a.txt": b"1"})
    assert data == manifest.build(INPUTS, PARAMS, "k", {"a.txt": b"1", "b.txt": b"2"})
    parsed = json.loads(data)
    assert [o["path"] for o in parsed["outputs"]] == ["a.txt", "b.txt"]
    assert parsed["outputs"][0] == {"path": "a.txt", "size": 1, "sha256": manifest.sha256(b"1")}


def test_the_environment_records_the_pdfs_font_files_and_nothing_of_the_machine():
    """Before: the PDF depended on the system's Pango and fonts. Now its fonts are files in the repository (and
    Typst's own, with the typst package's version); the manifest records each file's SHA-256."""
    from pipeline.paths import FONTS_DIR

    env = manifest.environment()
    fonts = env["system"]["fonts"]
    assert sorted(fonts) == [
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-BoldOblique.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans.ttf",
        "Symbola.ttf",  # the fallback for symbols and emoji
    ]
    assert fonts["DejaVuSans.ttf"] == manifest.sha256((FONTS_DIR / "DejaVuSans.ttf").read_bytes())
    assert "typst" in env["packages"] and "weasyprint" not in env["packages"]
    makefile = (ROOT / "Makefile").read_text()
    assert "pango" not in makefile.lower() and "fonts-dejavu" not in makefile


def test_reproduce_notes_another_font_file():
    from pipeline.audit import reproduce as audit

    here = {"python": "3.11.7", "packages": {}, "system": {"fonts": {"DejaVuSans.ttf": "a"}}}
    then = {"python": "3.11.7", "packages": {}, "system": {"fonts": {"DejaVuSans.ttf": "b", "Old.ttf": "c"}}}
    assert audit.environment_differences(then, here) == [
        "font DejaVuSans.ttf: another file here than in the manifest (the PDF's text may differ)",
        "font Old.ttf: another file here than in the manifest (the PDF's text may differ)",
    ]
    assert audit.environment_differences(here, here) == []


def test_uncommitted_changes_means_a_change_of_the_pipelines_code_only(tmp_path):
    """Before: a new export saved in data/raw/ (the README's own "Adding a new period") made every report say
    "with uncommitted changes", and reproduce blamed the machine for the difference."""
    import json
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "pipeline").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "pipeline" / "stage.py").write_text("x = 1\n")
    notebook = {"cells": [{"cell_type": "code", "source": "x = 1", "outputs": [], "metadata": {}}], "metadata": {}}
    (tmp_path / "notebooks" / "report.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "requirements.lock").write_text("pandas==3\n")
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c", "--allow-empty")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "code")
    assert manifest.git_state(tmp_path)["uncommitted_changes"] is False
    (tmp_path / "data" / "raw" / "council_plan_2012-13_Q1.tsv").write_text("a new period's export\n")
    (tmp_path / "notebooks" / "README.md").write_text("notes\n")
    notebook["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    (tmp_path / "notebooks" / "report.ipynb").write_text(json.dumps(notebook))  # saved from Lab, same code
    assert manifest.git_state(tmp_path)["uncommitted_changes"] is False
    notebook["cells"][0]["source"] = "x = 2"
    (tmp_path / "notebooks" / "report.ipynb").write_text(json.dumps(notebook))
    assert manifest.git_state(tmp_path)["uncommitted_changes"] is True
    git("checkout", "notebooks/report.ipynb")
    (tmp_path / "pipeline" / "new_stage.py").write_text("y = 1\n")
    assert manifest.git_state(tmp_path)["uncommitted_changes"] is True


def test_a_kernel_adopts_the_software_its_run_described_and_the_manifest_records_the_same(tmp_path):
    described = {
        "pipeline": {"version": "9.9", "code_digest": "d" * 64, "git_commit": "c" * 40, "uncommitted_changes": True},
        "environment": {"python": "3.0", "packages": {"x": "1"}, "system": {"fonts": {}}},
    }
    try:
        manifest.adopt(described)
        assert manifest.software() == described
        assert manifest.environment() == described["environment"]
        assert (manifest.code_digest(), manifest.package_version()) == ("d" * 64, "9.9")
        assert manifest.git_state() == {"git_commit": "c" * 40, "uncommitted_changes": True}
        assert manifest.code_digest(tmp_path) != "d" * 64  # another root is described as it is
        built = json.loads(manifest.build([], {}, "k", {}, described=described))
        assert (built["pipeline"], built["environment"]) == (described["pipeline"], described["environment"])
    finally:
        manifest.adopt(None)
    assert manifest.code_digest() != "d" * 64 and manifest.software()["pipeline"]["version"] != "9.9"
