"""run: finding inputs by period, cleaning to files, and all-or-nothing folder writes."""

import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEED, prepared

from pipeline import request
from pipeline.errors import InputError
from pipeline.read import limits
from pipeline.run import coordinator as run
from pipeline.run import handover, prepare


def test_clean_file_writes_the_three_tables(tmp_path):
    data = prepare.clean_file(request.PERIOD.make(input_path=SEED), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "data_quality.csv",
        "export_summary.csv",
        "history.csv",
        "indicators.csv",
        "spc.csv",
        "statements.csv",
    ]
    written = pd.read_csv(tmp_path / "out" / "indicators.csv", dtype=str, keep_default_na=False)
    assert len(written) == len(data.indicators) == 121
    assert written["status_code"].value_counts().to_dict() == {"1": 61, "2": 30, "": 11, "3": 10, "4": 9}
    quality = pd.read_csv(tmp_path / "out" / "data_quality.csv")
    assert list(quality.columns) == ["source_line", "ref", "check", "finding", "action_taken"]
    assert quality["source_line"].is_monotonic_increasing


def test_bad_input_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Amount\nx,1\n")
    with pytest.raises(InputError):
        prepare.clean_file(request.PERIOD.make(input_path=bad), tmp_path / "out" / "deep")
    assert not (tmp_path / "out").exists()


def test_load_period_reads_the_default_export():
    data = prepare.load_period(request.PERIOD.make(year="2011/12", quarter="Q4"))
    assert data.source == "data/raw/council_plan_2011-12_Q4.tsv"
    assert len(data.source_sha256) == 64
    assert data.summary_check["agrees"].all()


@pytest.mark.slow
def test_an_export_replaced_during_a_run_cannot_make_a_folder_that_disagrees(tmp_path, monkeypatch):
    """Before: the export was read three times (hash, CSVs, the kernel); replacing it mid-run gave a folder whose
    manifest hash, title page, headline and indicators.csv disagreed, and that verify passed."""
    import hashlib
    import json

    raw = tmp_path / "raw"
    raw.mkdir()
    export = raw / "council_plan_2011-12_Q4.tsv"
    original = SEED.read_bytes()
    export.write_bytes(original)
    lines = original.split(b"\n")
    replacement = b"\n".join(lines[: len(lines) // 3])  # a different export: a third of the rows
    real_read = limits.read_bytes
    reads = []

    def read_then_replace(path, *args, **kwargs):
        data = real_read(path, *args, **kwargs)
        if Path(path).resolve() == export.resolve():
            reads.append(data)
            export.write_bytes(replacement)  # the file changes as soon as the run has read it
        return data

    monkeypatch.setattr(limits, "read_bytes", read_then_replace)
    result = run.run_period(request.PERIOD.make(year="2011/12", quarter="Q4", input_path=export, out=tmp_path / "out"))
    digest = hashlib.sha256(original).hexdigest()
    assert len(reads) == 1 and reads[0] == original  # read once
    recorded = json.loads((result.out_dir / "manifest.json").read_text())
    assert recorded["inputs"][0]["sha256"] == digest
    html = (result.out_dir / "report.html").read_text()
    assert digest in html and "82.7%" in html  # title page and headline from the bytes that were hashed
    written = pd.read_csv(result.out_dir / "indicators.csv", dtype=str, keep_default_na=False)
    assert len(written) == 121


@pytest.mark.slow
def test_inputs_outside_the_project_are_published_by_name_and_hash_only(tmp_path):
    """Before: the absolute path (with the user's home folder name) reached the manifest, notebook, HTML and PDF."""
    import json
    import shutil
    import subprocess

    from conftest import PYTHON, ROOT
    from pypdf import PdfReader

    home = tmp_path / "home" / "jsmith-private" / "exports"
    home.mkdir(parents=True)
    shutil.copy(SEED, home / "council_plan_2011-12_Q4.tsv")
    shutil.copy(ROOT / "data" / "raw" / "indicator_register.csv", home / "register.csv")
    out = tmp_path / "out"
    done = subprocess.run(
        [
            PYTHON,
            "-m",
            "pipeline",
            "run",
            "--input",
            str(home / "council_plan_2011-12_Q4.tsv"),
            "--register",
            str(home / "register.csv"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    folder = out / "2011-12" / "Q4"
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            if path.suffix == ".pdf":
                text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
            assert "jsmith-private" not in text and str(tmp_path) not in text, path.name
    recorded = json.loads((folder / "manifest.json").read_text())
    assert [i["path"] for i in recorded["inputs"]] == ["council_plan_2011-12_Q4.tsv", "register.csv"]
    again = subprocess.run(
        [PYTHON, "-m", "pipeline", "reproduce", str(folder)], capture_output=True, text=True, cwd=ROOT
    )
    # without --inputs the inputs outside the project are not found: the folder's own copies are used
    assert again.returncode == 0, again.stdout + again.stderr
    assert "input council_plan_2011-12_Q4.tsv is missing" in again.stderr
    assert "reproduced from the folder's own copies (inputs.zip)" in again.stderr
    assert again.stdout.strip().endswith("all 14 files reproduced")
    again = subprocess.run(
        [PYTHON, "-m", "pipeline", "reproduce", str(folder), "--inputs", str(home)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.strip().endswith("all 14 files reproduced") and "inputs.zip" not in again.stderr


@pytest.mark.slow
def test_a_killed_runs_folders_are_removed_by_the_next_run(tmp_path):
    from pipeline.run import publish

    out = tmp_path / "out"
    first = run.run_period(request.PERIOD.make(year="2011/12", quarter="Q4", out=out))
    (first.out_dir.parent / ".Q4.partial-x1").mkdir()
    (first.out_dir.parent / ".Q4.old-x2").mkdir()
    again = run.run_period(request.PERIOD.make(year="2011/12", quarter="Q4", out=out))
    assert not again.rendered  # taken from the cache, and still tidied
    assert publish.leftovers(first.out_dir) == []
    assert sorted(p.name for p in first.out_dir.parent.iterdir()) == ["Q4"]


def test_an_export_with_a_header_and_no_indicator_is_an_error_not_an_empty_report(tmp_path):
    """Before: a reshaped export whose refs were not of the form 12.3 reached the notebook with no indicator."""
    from conftest import HEADER

    from pipeline.errors import NotAnExportError

    export = tmp_path / "council_plan_2011-12_Q4.tsv"
    export.write_text("\t".join(HEADER) + "\nCS01\tAction\tMeasure\tRES\t1\tok\t\n", encoding="utf-8")
    with pytest.raises(NotAnExportError, match="no indicator row below it"):
        prepared(export)


@pytest.mark.slow
def test_the_kernel_is_started_before_the_export_is_cleaned_and_stopped_after_the_last_cell(monkeypatch, tmp_path):
    """Before: the kernel was started only after cleaning, imports and the lock, and shut down gracefully."""
    import contextlib

    from jupyter_core.utils import run_sync

    from pipeline.run import kernel

    managers, alive_when_cleaning = [], []
    real_started, real_prepare = kernel.started, prepare.prepare_period

    @contextlib.contextmanager
    def watched(environment=None):
        with real_started(environment) as km:
            managers.append(km)
            yield km

    def watched_prepare(*args, **kwargs):
        alive_when_cleaning.append(run_sync(managers[0].is_alive)())
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(kernel, "started", watched)
    monkeypatch.setattr(prepare, "prepare_period", watched_prepare)
    result = run.run_period(request.PERIOD.make(year="2011/12", quarter="Q4", out=tmp_path / "out"))
    assert result.rendered and len(managers) == 1
    assert alive_when_cleaning == [True]  # the kernel was already up while the parent cleaned
    assert not managers[0].has_kernel  # and is gone once the report is written
    # the imports the kernel makes while it starts (kernel.WARM_IMPORTS) leave no trace in the notebook
    import json

    cells = json.loads((result.out_dir / "report.ipynb").read_text())["cells"]
    counts = [c["execution_count"] for c in cells if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("year: 2011/12\nquarter: Q4\nquarter: Q3\n", "'quarter' is given twice", 3),
        ("council: [a, b]\n", "council must be text, not a list", None),
        ('council: "Stockton\\x1b[2K"\n', "council holds control or bidirectional characters", None),
        ('council: "Stockton\\u202e"\n', "council holds control or bidirectional characters", None),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply", None),
        ("council: " + "x" * 70_000 + "\n", "a parameters file names a few values (at most 64 KB)", None),
    ],
)
def test_a_parameters_file_that_is_not_a_few_plain_values_is_refused(tmp_path, text, message, line):
    """Before: duplicate keys, control characters and deep nesting were accepted or stopped with a traceback;
    a 60 MB file took 68 s of CPU."""
    from pipeline.errors import InputError

    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        request.read_parameters(path)
    assert caught.value.line == line


def test_parameters_are_the_text_written_never_coerced(tmp_path):
    """Before: YAML 1.1 read `0x1F` as 31 and `12:30` as 750 (sexagesimal)."""
    path = tmp_path / "params.yaml"
    path.write_text("council: 0x1F\nyear: 2011/12\nquarter: 12:30\nregister_path:\n", encoding="utf-8")
    assert request.read_parameters(path) == {
        "council": "0x1F",
        "year": "2011/12",
        "quarter": "12:30",
        "register_path": "",
    }


def test_the_kernel_takes_the_hand_over_only_from_a_private_folder_of_its_user_and_unsets_the_variable(
    tmp_path, monkeypatch
):
    """Before: the kernel unpickled whatever file the variable named, and the variable stayed set."""
    import os
    import pickle

    from pipeline.errors import UsageError

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    planted = shared / "prepared.pickle"
    planted.write_bytes(pickle.dumps({"kind": "period", "parameters": {}, "data": "planted"}))
    monkeypatch.setenv(handover.HANDOVER_VARIABLE, str(planted))
    with pytest.raises(UsageError, match="is not in a private folder of this user; not read"):
        handover.handed_over("period", {})
    assert handover.HANDOVER_VARIABLE not in os.environ
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    place = private / "prepared.pickle"
    handover.hand_over(place, "period", {"year": "2011/12"}, "the data")
    monkeypatch.setenv(handover.HANDOVER_VARIABLE, str(place))
    assert handover.handed_over("period", {"year": "2011/12"}) == "the data"
    assert handover.HANDOVER_VARIABLE not in os.environ


@pytest.mark.slow
def test_when_the_cleaned_tables_cannot_be_written_the_error_says_the_report_was_published(tmp_path, monkeypatch):
    """Before: a failure writing data/processed/<period> said "nothing was written" although the report folder
    had just been published, and two runs with different --out raced on that folder without a lock. The tables are
    kept under the output root now: <out>/processed/<the export's name>/<year>/<quarter>."""
    from pipeline.errors import OutputError
    from pipeline.run import publish

    write = publish.write_folder
    locked = []

    def failing(target, files, replace):
        if "processed" in Path(target).parts:
            locked.append(publish.lock_path(target, Path(target).parents[2]).is_file())
            raise OutputError("cannot write the outputs (No space left on device); nothing was written", target)
        return write(target, files, replace)

    monkeypatch.setattr(publish, "write_folder", failing)
    with pytest.raises(OutputError) as caught:
        run.run_period(request.PERIOD.make(year="2011/12", quarter="Q4", out=tmp_path / "out"))
    assert "the report was published in" in str(caught.value) and "nothing was written" not in str(caught.value)
    assert "(cannot write the outputs (No space left on device))" in str(caught.value)
    assert (tmp_path / "out" / "2011-12" / "Q4" / "report.html").is_file()
    assert locked == [True]  # written under the processed folder's own lock


def test_the_kernel_adopts_the_fonts_the_run_read_rather_than_read_their_files_again(tmp_path, monkeypatch):
    from pipeline.report import fonts

    monkeypatch.setattr(fonts, "_READ", {})
    fonts.covered.cache_clear(), fonts._covered_chars.cache_clear()  # as in a process that has read none
    assert fonts.unprintable("Stockton \u7532") == ["\u7532"]  # the run's cleaning reads the fonts
    read = fonts.read_so_far()
    assert sorted(read) == sorted((*fonts.TEXT_FACES, fonts.FALLBACK))
    place = tmp_path / "prepared.pickle"
    tmp_path.chmod(0o700)
    handover.hand_over(place, "period", {"year": "2011/12"}, "the data")
    monkeypatch.setattr(fonts, "_READ", {})  # the kernel, which has read none
    monkeypatch.setenv(handover.HANDOVER_VARIABLE, str(place))
    assert handover.handed_over("period", {"year": "2011/12"}) == "the data"
    assert fonts.read_so_far() == read
    assert fonts.advances("DejaVuSans.ttf")[ord("S")] == read["DejaVuSans.ttf"][ord("S")] > 0.5
