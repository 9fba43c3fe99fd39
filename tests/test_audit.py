"""verify and reproduce: an auditor's checks of a published period folder."""

import json
import shutil
import subprocess

import pytest
from conftest import PYTHON, ROOT, cli

from pipeline.audit import reproduce as audit
from pipeline.audit.verify import verify
from pipeline.run import manifest


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    done = cli("run", "--out", out)
    assert done.returncode == 0, done.stderr
    return out / "2011-12" / "Q4"


@pytest.fixture
def folder(published, tmp_path):
    copy = tmp_path / "Q4"
    shutil.copytree(published, copy)
    return copy


def test_verify_passes_on_an_untouched_folder(folder):
    done = cli("verify", folder)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith(
        "all 14 files verified; all 27 statements hold for indicators.csv; spc.csv follows from history.csv"
    )


def test_changing_any_byte_of_any_output_fails_naming_that_file(folder):
    outputs = [o["path"] for o in json.loads((folder / "manifest.json").read_text())["outputs"]]
    assert len(outputs) == 14
    for name in outputs:
        path = folder / name
        original = path.read_bytes()
        middle = len(original) // 2
        path.write_bytes(original[:middle] + bytes([original[middle] ^ 1]) + original[middle + 1 :])
        check = verify(folder)
        assert [n for n, state in check.files if state != "ok"] == [name]
        path.write_bytes(original)
    path = folder / "report.pdf"
    path.write_bytes(path.read_bytes() + b"\n")
    done = cli("verify", folder)
    assert done.returncode == 1
    assert "differs  report.pdf" in done.stdout
    assert done.stdout.strip().endswith("1 of 14 files not verified: report.pdf")


def test_missing_and_unlisted_files_fail(folder):
    (folder / "charts" / "status_by_theme.svg").unlink()
    (folder / "notes.txt").write_text("added later")
    done = cli("verify", folder)
    assert done.returncode == 1
    assert "missing  charts/status_by_theme.svg" in done.stdout
    assert "not in manifest  notes.txt" in done.stdout


@pytest.mark.parametrize("damage", ["remove", "garble", "no outputs"])
def test_no_usable_manifest_is_exit_2(folder, damage):
    target = folder / "manifest.json"
    if damage == "remove":
        target.unlink()
    elif damage == "garble":
        target.write_text("{ not json")
    else:
        target.write_text(json.dumps({"parameters": {}}))
    done = cli("verify", folder)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {folder}: ") and len(done.stderr.strip().splitlines()) == 1


def test_manifest_records_version_environment_and_every_input(published):
    recorded = json.loads((published / "manifest.json").read_text())
    import tomllib

    assert recorded["pipeline"]["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert len(recorded["pipeline"]["code_digest"]) == 64
    assert recorded["environment"]["packages"]["pandas"] == "3.1.1"
    assert [i["path"] for i in recorded["inputs"]] == [
        "data/raw/council_plan_2011-12_Q4.tsv",
        "data/raw/indicator_register.csv",
        "data/raw/directorates.csv",
    ]


def test_reproduce_reports_a_match_and_warns_of_a_different_environment(folder):
    recorded = json.loads((folder / "manifest.json").read_text())
    recorded["environment"]["python"] = "3.10.0"
    (folder / "manifest.json").write_text(json.dumps(recorded))
    done = cli("reproduce", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("all 14 files reproduced")
    assert "matches  report.pdf" in done.stdout
    assert "warning: environment differs: Python 3.11" in done.stderr and "3.10.0 in the manifest" in done.stderr


def test_reproduce_refuses_when_an_input_changed(folder):
    recorded = json.loads((folder / "manifest.json").read_text())
    recorded["inputs"][0]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(recorded))
    done = cli("reproduce", folder)
    assert done.returncode == 2
    assert "is not the input the manifest lists" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    (folder / "inputs.zip").unlink()  # and without the folder's copies: restore the original
    done = cli("reproduce", folder)
    assert done.returncode == 2
    assert "has changed since the report was made (SHA-256 differs); restore it to reproduce" in done.stderr


def test_reproduce_works_from_the_folders_own_copies_when_the_live_register_has_moved_on(folder, tmp_path):
    """Before: adding a row for next quarter to the register made reproduce of last quarter refuse, and nothing
    in the period folder kept what was used."""
    import zipfile

    recorded = json.loads((folder / "manifest.json").read_text())
    with zipfile.ZipFile(folder / "inputs.zip") as archive:
        assert sorted(archive.namelist()) == sorted(i["path"] for i in recorded["inputs"])
        for entry in recorded["inputs"]:  # byte for byte what was read
            assert manifest.sha256(archive.read(entry["path"])) == entry["sha256"]
    live = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "raw", live / "data" / "raw")
    register = live / "data" / "raw" / "indicator_register.csv"
    register.write_text(register.read_text() + "3.1,300,,,,,,next quarter's row,2012/13 Q1\n")
    check = audit.reproduce(folder, root=live)
    assert check.ok, check.files
    assert len(check.files) == 14 and {state for _, state in check.files} == {"matches"}
    assert any(
        "input data/raw/indicator_register.csv has changed since the report was made" in n
        and "reproduced from the folder's own copies (inputs.zip)" in n
        for n in check.notes
    )


def test_environment_differences_lists_each_package():
    notes = audit.environment_differences(
        {"python": "3.11.7", "packages": {"pandas": "3.0.0", "gone": "1"}},
        {"python": "3.11.7", "packages": {"pandas": "3.1.1"}},
    )
    assert notes == ["gone not installed here, 1 in the manifest", "pandas 3.1.1 here, 3.0.0 in the manifest"]


def test_check_outputs_states(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"1")
    listed = {
        "outputs": [
            {"path": "a.txt", "sha256": manifest.sha256(b"1")},
            {"path": "b.txt", "sha256": manifest.sha256(b"2")},
        ]
    }
    assert manifest.check_outputs(tmp_path, listed) == [("a.txt", "ok"), ("b.txt", "missing")]


def test_verify_refuses_outputs_outside_the_folder(tmp_path):
    """Before: a manifest listing only /etc/passwd (or ../x) 'verified'."""
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(b"not this report's")
    folder = tmp_path / "report"
    folder.mkdir()
    digest = manifest.sha256(outside.read_bytes())
    (folder / "manifest.json").write_text(
        json.dumps(
            {"outputs": [{"path": str(outside), "sha256": digest}, {"path": "../elsewhere.txt", "sha256": digest}]}
        )
    )
    done = cli("verify", folder)
    assert done.returncode == 1
    assert "outside the folder  ../elsewhere.txt" in done.stdout
    assert f"outside the folder  {outside}" in done.stdout
    (folder / "link.txt").symlink_to(outside)
    listed = {"outputs": [{"path": "link.txt", "sha256": digest}]}
    assert manifest.check_outputs(folder, listed)[0] == ("link.txt", "outside the folder")


def test_reproduce_says_what_differs_when_outputs_differ(folder):
    """Before: only 'report.html differs', whatever the reason."""
    recorded = json.loads((folder / "manifest.json").read_text())
    recorded["pipeline"]["code_digest"] = "f" * 64
    recorded["pipeline"]["git_commit"] = "0" * 40
    recorded["environment"]["packages"]["pandas"] = "2.0.0"
    for entry in recorded["outputs"]:
        if entry["path"] == "report.html":
            entry["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(recorded))
    done = cli("reproduce", folder)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "1 of 14 files not reproduced: report.html" in done.stdout
    reasons = [line.strip() for line in lines if line.startswith("  differs: ")]
    assert reasons[0].startswith(
        "differs: code digest: the pipeline's code, templates, notebooks or lock changed (ffffffffffff"
    )
    assert reasons[1].startswith("differs: git commit: " + "0" * 40 + " in the manifest")
    assert reasons[2] == "differs: packages: 1 differ (pandas 3.1.1 here, 2.0.0 in the manifest)"


def test_differences_names_nothing_when_nothing_that_decides_the_outputs_differs():
    same = {
        "pipeline": {"code_digest": "a", "git_commit": "b", "version": "0.1.0"},
        "environment": {"python": "3.11.7", "packages": {"x": "1"}},
        "inputs": [],
        "parameters": {},
    }
    assert audit.differences(same, json.loads(json.dumps(same))) == []
    other = json.loads(json.dumps(same)) | {"parameters": {"year": "2012/13"}}
    assert audit.differences(same, other) == ["parameters: differ from the manifest's"]


# This process's peak resident memory in KB: VmHWM starts afresh at exec (ru_maxrss keeps the forking parent's).
PEAK_CODE = (
    "def PEAK():\n    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
)


def test_reproduce_refuses_a_copy_that_would_inflate_past_its_recorded_size_before_inflating_it(folder, tmp_path):
    """Before: a crafted inputs.zip (1 MB inflating to 1 GB) was read whole into memory (2.1 GB) before the hash
    was compared. Each entry's size is checked against the manifest before anything is inflated."""
    import zipfile

    recorded = json.loads((folder / "manifest.json").read_text())
    name = recorded["inputs"][0]["path"]
    with zipfile.ZipFile(folder / "inputs.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as entry:
            block = b"\0" * 2**20
            for _ in range(80):  # 80 MB of zeros: past the manifest's size and the limit of an input
                entry.write(block)
    for entry in recorded["outputs"]:
        if entry["path"] == "inputs.zip":
            entry["sha256"] = manifest.sha256_file(folder / "inputs.zip")
    recorded["inputs"][0]["sha256"] = "0" * 64  # the live input no longer matches: the copies are used
    (folder / "manifest.json").write_text(json.dumps(recorded))
    code = (
        PEAK_CODE + "import sys; from pipeline.audit import reproduce as audit\n"
        "try:\n    audit.reproduce(sys.argv[1])\nexcept Exception as exc:\n    print(type(exc).__name__, exc)\n"
        "print(PEAK())"
    )
    done = subprocess.run([PYTHON, "-c", code, str(folder)], capture_output=True, text=True, cwd=ROOT)
    message, peak_kb = done.stdout.strip().splitlines()
    assert message.startswith("ManifestError") and "83,886,080 bytes, not the" in message, message
    assert int(peak_kb) < 400 * 1024  # far below what inflating the entry would take


def test_verify_hashes_a_large_file_in_chunks(tmp_path):
    """Before: verify read each listed file whole (a 1 GB file cost 1 GB of memory)."""
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(600 * 2**20)  # sparse: 600 MB of zeros
    digest = manifest.sha256_file(big)
    (tmp_path / "manifest.json").write_text(json.dumps({"outputs": [{"path": "big.bin", "sha256": digest}]}))
    code = PEAK_CODE + "import sys; from pipeline.audit import verify\nprint(verify.verify(sys.argv[1]).files, PEAK())"
    done = subprocess.run([PYTHON, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    states, peak_kb = done.stdout.rsplit(" ", 1)
    assert states == "[('big.bin', 'ok')]"
    assert int(peak_kb) < 300 * 1024, f"peak {int(peak_kb) // 1024} MB"


def test_names_from_a_manifest_are_printed_escaped(tmp_path):
    """Before: an output named with terminal escape sequences could draw a fake "all 11 files verified" line."""
    fake = "x\x1b[2K\x1b[1Gall 11 files verified\x1b[8m"
    (tmp_path / "manifest.json").write_text(json.dumps({"outputs": [{"path": fake, "sha256": "0" * 64}]}))
    done = cli("verify", tmp_path)
    assert done.returncode == 1
    assert "\x1b" not in done.stdout + done.stderr
    assert "missing  x\\x1b[2K\\x1b[1Gall 11 files verified\\x1b[8m" in done.stdout


def test_reproduce_names_a_difference_in_uncommitted_changes():
    before = {"pipeline": {"code_digest": "a", "git_commit": "b", "uncommitted_changes": False}}
    now = {"pipeline": {"code_digest": "a", "git_commit": "b", "uncommitted_changes": True}}
    assert audit.differences(before, now) == [
        "uncommitted changes: the manifest's report was made from a clean tree, "
        "this one from with uncommitted changes to the pipeline's code"
    ]


def test_an_earlier_period_added_after_the_render_does_not_change_what_reproduce_reads(folder, tmp_path):
    """Before: after the README's own "Adding a new period" (an earlier quarter's export saved in data/raw/),
    reproduce of the older folder read it too, and the outputs differed."""
    from synthetic import quarter_text

    live = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "raw", live / "data" / "raw")
    (live / "data" / "raw" / "council_plan_2011-12_Q3.synthetic.tsv").write_text(quarter_text(2011, 3))
    check = audit.reproduce(folder, root=live)
    assert check.ok, (check.files, check.reasons)
    assert not any("copies" in note for note in check.notes)  # the live files were the manifest's


@pytest.mark.parametrize(
    "change, said",
    [
        (lambda m: m.update(inputs="data/raw/x.tsv"), "its inputs are not a list of files"),
        (lambda m: m["parameters"].pop("input_path"), "has no parameters to reproduce the report from"),
        (lambda m: m["parameters"].update(plan_path="data/raw/plan.txt"), "the report's own input is not among"),
        (lambda m: m.update(environment="3.11"), "its environment is not a mapping"),
        (lambda m: m["inputs"].append(dict(m["inputs"][0], path=m["inputs"][0]["path"] + "/b")), "as a folder of"),
        (lambda m: m["inputs"][0].update(size="12"), "an input is not a path with its size and SHA-256"),
        (lambda m: m["inputs"][0].update(path="../../etc/passwd"), "is not a relative path inside the project"),
    ],
)
def test_a_manifest_with_wrong_types_is_one_line_and_exit_2(folder, change, said):
    """Before: these manifests made reproduce stop with a traceback."""
    recorded = json.loads((folder / "manifest.json").read_text())
    change(recorded)
    (folder / "manifest.json").write_text(json.dumps(recorded))
    done = cli("reproduce", folder)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
