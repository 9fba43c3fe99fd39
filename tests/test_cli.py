"""The command line contract: exit status 2 and one line on stderr for bad input, nothing written."""

import os
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import PYTHON, ROOT, SEED, cli
from synthetic import ANYTOWN_HEADER


def bad_inputs(tmp):
    (tmp / "empty.tsv").write_bytes(b"")
    (tmp / "binary.tsv").write_bytes(bytes(range(256)) * 4)
    with zipfile.ZipFile(tmp / "corrupt.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    (tmp / "truncated.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp / "budget.csv").write_text("Line,2011/12,2012/13\nStaff,100,110\n", encoding="utf-8")
    (tmp / "adir").mkdir()
    return {
        "missing": (tmp / "nope.tsv", "no such file"),
        "directory": (tmp / "adir", "is a directory"),
        "empty": (tmp / "empty.tsv", "is empty"),
        "binary": (tmp / "binary.tsv", "binary data"),
        "corrupt xlsx": (tmp / "corrupt.xlsx", "Excel workbook"),
        "truncated xlsx": (tmp / "truncated.xlsx", "Excel workbook"),
        "not an export": (tmp / "budget.csv", "no Council Plan header"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "directory", "empty", "binary", "corrupt xlsx", "truncated xlsx", "not an export"]
)
@pytest.mark.parametrize("command", ["clean", "run"])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, case, command):
    path, message = bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    period = ["--year", "2011/12", "--quarter", "Q4"]  # the names give none: a run is told it
    args = ["clean", path, "--out", out] if command == "clean" else ["run", "--input", path, *period, "--out", out]
    done = cli(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {path}") and message in lines[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_error_names_the_line_when_there_is_one(tmp_path):
    bad = tmp_path / "x.tsv"
    bad.write_bytes(b"Ref.\tx\nfine\nbad\x00line\n")
    done = cli("clean", bad, "--out", tmp_path / "o")
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {bad}:3: ")


def test_debug_shows_the_traceback(tmp_path):
    done = cli("--debug", "clean", tmp_path / "nope.tsv", "--out", tmp_path / "o")
    assert done.returncode == 2
    assert "Traceback" in done.stderr and done.stderr.strip().endswith("(the default input lives in data/raw/)")


def test_bad_period_is_exit_2(tmp_path):
    done = cli("run", "--year", "2011/13", "--quarter", "Q4", "--out", tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("error: year '2011/13'")
    done = cli("run", "--year", "2030/31", "--quarter", "Q1", "--out", tmp_path)
    assert done.returncode == 2 and "no export for 2030/31 Q1" in done.stderr


def test_clean_command_writes_the_tables_from_any_directory(tmp_path):
    done = cli("clean", SEED, "--out", tmp_path / "clean", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "121 indicators (110 with a status)" in done.stdout
    assert (tmp_path / "clean" / "indicators.csv").exists() and (tmp_path / "clean" / "data_quality.csv").exists()


def test_truncated_export_is_not_an_error(tmp_path):
    cut = tmp_path / "cut.tsv"
    text = SEED.read_text(encoding="utf-8")
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    done = cli("clean", cut, "--out", tmp_path / "o")
    assert done.returncode == 0, done.stderr
    quality = (tmp_path / "o" / "data_quality.csv").read_text()
    assert "no_summary" in quality


def test_bad_register_is_exit_2_naming_its_line(tmp_path):
    reg = tmp_path / "register.csv"
    reg.write_text("ref,target\n3.1,250\n4.6,seventy\n")
    done = cli("clean", SEED, "--out", tmp_path / "o", "--register", reg)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {reg}:3: target 'seventy' is not a number"
    assert not (tmp_path / "o").exists()


def test_register_row_for_a_missing_ref_is_a_finding(tmp_path):
    reg = tmp_path / "register.csv"
    reg.write_text("ref,actual,note\n99.9,5,typo\n6.2,5,five households\n")
    done = cli("clean", SEED, "--out", tmp_path / "o", "--register", reg)
    assert done.returncode == 0, done.stderr
    quality = (tmp_path / "o" / "data_quality.csv").read_text()
    assert "register_unknown_ref" in quality and "names Ref 99.9, which is not in the export" in quality
    indicators = (tmp_path / "o" / "indicators.csv").read_text()
    assert "register line 3: five households" in indicators


def test_clean_recognises_a_service_improvement_plan(tmp_path):
    plan = ROOT / "data" / "raw" / "sip_community_protection_2009-10_to_2011-12.txt"
    done = cli("clean", plan, "--out", tmp_path / "cp")
    assert done.returncode == 0, done.stderr
    assert "Service Improvement Plan 'Community Protection': 30 milestones (28 dated), 52 budget amounts" in done.stdout
    assert sorted(p.name for p in (tmp_path / "cp").iterdir()) == ["budget.csv", "data_quality.csv", "milestones.csv"]
    header = (tmp_path / "cp" / "milestones.csv").read_text().splitlines()[0]
    assert header == "plan,theme,priority,group,action,due_text,due_date,success_criteria,source_line"


def _bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (201 * 2**20) + b">")


def _broken_xml(path):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Ref.", "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, data[:40] if info.filename.endswith("sheet1.xml") else data)


@pytest.mark.parametrize(
    "case, make, message",
    [
        ("zip bomb", _bomb, "over the limit of 200 MB"),
        ("malformed sheet XML", _broken_xml, "Excel workbook"),
        ("oversized", lambda p: open(p, "wb").truncate(51 * 2**20), "over the limit of 50 MB"),
        (
            "nested markup",
            lambda p: p.write_text(
                "\t".join(
                    [
                        "Ref.",
                        "Change/Improvement Priority Actions",
                        "Outcome/Success Criteria",
                        "Responsibility",
                        "Progress Indicator",
                        "Progress",
                        "Slippage",
                    ]
                )
                + "\n1. Obj\n1.1\ta\t"
                + "<div>" * 3000
                + "\tRES\t1\tp\t\n"
            ),
            "nests 3000 HTML elements",
        ),
        (
            "symbolic link loop",
            lambda p: (p.with_name("y.tsv").symlink_to(p), p.symlink_to(p.with_name("y.tsv"))),
            "is a symbolic link that leads round in a loop",
        ),  # fmt: skip
    ],
)
def test_hostile_files_end_in_one_line_and_exit_2(tmp_path, case, make, message):
    path = tmp_path / ("x.xlsx" if case in ("zip bomb", "malformed sheet XML") else "x.tsv")
    make(path)
    done = cli("run", "--input", path, "--year", "2011/12", "--quarter", "Q4", "--out", tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {path}") and message in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("broken", ["[]", '{"outputs": [1, 2]}', '{"outputs": "x"}', "not json"])
def test_a_broken_manifest_already_in_the_output_folder_is_rendered_over(tmp_path, broken):
    """Before: a manifest.json of [] in the output folder crashed run with a traceback."""
    folder = tmp_path / "out" / "2011-12" / "Q4"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(broken)
    done = cli("run", "--out", tmp_path / "out")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert cli("verify", folder).returncode == 0


def test_a_register_fault_names_the_register_line(tmp_path):
    register = tmp_path / "register.csv"
    register.write_text("ref,unit\n6.2,%\n6.3,per <img src=x onerror=alert(1)>\n")
    done = cli("run", "--register", register, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {register}:3: unit 'per <img src=x onerror=alert(1)>' is not one")
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_cannot_be_written_is_one_line_before_any_rendering(tmp_path):
    import time

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    started = time.perf_counter()
    done = cli("run", "--out", blocker / "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [done.stderr.strip().splitlines()[-1]] and "cannot write here" in errors[0]
    assert time.perf_counter() - started < 8  # before: 17 s of rendering, then an OSError traceback


# --- Any council's export: layouts (issue 11). Every export built here is SYNTHETIC and says so. -----

ANYTOWN_LAYOUT = ROOT / "data" / "layouts" / "anytown_synthetic.toml"


def _csv(rows, encoding="utf-8", newline="\r\n"):
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_a_rag_word_export_with_a_title_block_cleans_through_its_layout(tmp_path):
    export = tmp_path / "anytown_q2.csv"
    export.write_bytes(
        _csv(
            [
                ["SYNTHETIC TEST DATA - Anytown Borough Council quarterly KPI export"],
                [],
                ANYTOWN_HEADER,
                ["CS01", "Library visits", "Culture", "20,843", "19,100", "21,002", "number", "High", "Green", "Up"],
                ["HR11", "Sickness days per FTE", "Resources", "8.5", "9.1", "8.9", "days", "Low", "Amber", ""],
                ["5.01.05", "Satisfaction", "Corporate", "75.2%", "70%", "Pending", "%", "High", "Data only", ""],
            ]
        )
    )
    done = cli("clean", export, "--layout", ANYTOWN_LAYOUT, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "3 indicators (2 with a status)" in done.stdout
    rows = pd.read_csv(tmp_path / "out" / "indicators.csv", dtype=str, keep_default_na=False)
    assert list(rows["status"]) == ["Green", "Amber", "Data only"]
    assert list(rows["rag"]) == ["green", "amber", ""] and list(rows["status_check"]) == ["agrees", "agrees", ""]
    assert list(rows["actual"]) == ["21002.0", "8.9", ""] and list(rows["variance"]) == ["159.0", "0.4", ""]
    assert list(rows["direction"]) == ["improved", "improved", ""]  # against the Q1 column of the same export
    assert "actual pending ('Pending')" in rows["figures_note"].iloc[2]


def test_own_codes_and_a_layout_beside_the_export(tmp_path):
    (tmp_path / "layout.toml").write_text(
        '[layout]\ncouncil = "Sometown City (SYNTHETIC)"\n[columns]\nref = "Measure ID"\nmeasure = "Measure"\n'
        'target = "Goal"\nactual = "Actual"\npolarity = "Direction"\nstatus = "Result"\n'
        '[status]\n"Met_Goal" = 1\n"Did_Not_Meet" = 4\n[polarity]\n"Up" = "higher"\n"Down" = "lower"\n'
    )
    export = tmp_path / "sometown.tsv"
    export.write_text(
        "Measure ID\tMeasure\tGoal\tActual\tDirection\tResult\n"
        "114\tPotholes repaired (SYNTHETIC)\t95\t97\tUp\tMet_Goal\n"
        "115\tResponse minutes (SYNTHETIC)\t8\t(9)\tDown\tDid_Not_Meet\n",
        encoding="utf-8",
    )
    done = cli("clean", export, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(tmp_path / "out" / "indicators.csv", dtype=str, keep_default_na=False)
    assert list(rows["ref"]) == ["114", "115"] and list(rows["status_code"]) == ["1", "4"]
    assert list(rows["actual"]) == ["97.0", "-9.0"]  # a bracketed figure is negative


def test_an_export_without_status_derives_it_and_says_so(tmp_path):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["SYNTHETIC: Othertown performance"],
        ["Code", "Name", "Target", "Actual", "Better"],
        ["A1", "Visits", 100, 120, "Aim to maximise"],
        ["A2", "Waiting days", 10, 14, "Aim to minimise"],
        ["A3", "Surveys", None, 3, "Aim to maximise"],
    ):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "othertown.xlsx").write_bytes(buffer.getvalue())
    (tmp_path / "layout.toml").write_text(
        '[layout]\nderive_status = true\n[columns]\nref = "Code"\nmeasure = "Name"\ntarget = "Target"\n'
        'actual = "Actual"\npolarity = "Better"\n[polarity]\n"Aim to maximise" = "higher"\n"Aim to minimise" = "lower"\n'
    )
    done = cli("clean", tmp_path / "othertown.xlsx", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(tmp_path / "out" / "indicators.csv", dtype=str, keep_default_na=False)
    assert list(rows["status_code"]) == ["1", "4", ""]
    assert list(rows["status_kind"]) == ["derived", "derived", "text"]
    assert rows["status"].iloc[0] == "Target met (derived from the figures)"
    assert list(rows["status_check"]) == ["", "", ""]  # a derived status has nothing to check


def test_cp1252_with_bare_cr_line_ends_and_breaks_inside_cells(tmp_path):
    export = tmp_path / "oldmac.csv"
    export.write_bytes(
        _csv(
            [
                list(ANYTOWN_HEADER),
                [
                    "CS01",
                    "Caf\u00e9 visits \u2013 SYNTHETIC",
                    "Culture",
                    "\u00a31.2m",
                    "",
                    "\u00a31.3m",
                    "",
                    "High",
                    "Green",
                    "Line one\rline two",
                ],
            ],
            encoding="cp1252",
            newline="\r",
        )
    )
    done = cli("clean", export, "--layout", ANYTOWN_LAYOUT, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(tmp_path / "out" / "indicators.csv", dtype=str, keep_default_na=False)
    assert rows["measure"].iloc[0] == "Caf\u00e9 visits \u2013 SYNTHETIC"
    assert rows["target"].iloc[0] == "1200000.0" and rows["progress"].iloc[0] == "Line one\nline two"


def test_a_foreign_export_without_a_layout_names_its_headers_and_the_layout_command(tmp_path):
    export = tmp_path / "foreign.csv"
    export.write_bytes(_csv([ANYTOWN_HEADER, ["CS01", "x", "y", "1", "1", "1", "", "High", "Green", ""]]))
    done = cli("clean", export, "--out", tmp_path / "out")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "headers seen: KPI Ref, Indicator, Department" in done.stderr
    assert "python -m pipeline layout FILE" in done.stderr


def test_the_layout_command_proposes_and_an_unreviewed_layout_is_announced(tmp_path):
    export = tmp_path / "anytown.csv"
    export.write_bytes(
        _csv([["SYNTHETIC"], ANYTOWN_HEADER, ["CS01", "Visits", "Culture", "10", "9", "11", "", "High", "Green", ""]])
    )
    done = cli("layout", export, "--out", tmp_path / "layout.toml")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "layout.toml").read_text()
    assert "reviewed = false" in text and 'actual = "Q2 Result"' in text and '"Green" = 1' in text
    again = cli("layout", export, "--out", tmp_path / "layout.toml")
    assert again.returncode == 2 and "never written over a layout" in again.stderr
    cleaned = cli("clean", export, "--out", tmp_path / "out")  # layout.toml beside the export is used
    assert cleaned.returncode == 0, cleaned.stderr
    assert "has not been reviewed" in cleaned.stderr
    findings = pd.read_csv(tmp_path / "out" / "data_quality.csv", dtype=str, keep_default_na=False)
    assert "layout_not_reviewed" in set(findings["check"])


def test_the_real_indicator_table_cleans_with_its_layout(tmp_path):
    import os

    real = ROOT.parent / "shared" / "realworld" / "mcc_indicators.csv"
    if not real.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{real} is missing: CI runs with shared/ beside the clone")
        pytest.skip("shared/realworld is not beside this clone")
    done = cli("clean", real, "--layout", ROOT / "data" / "layouts" / "mcc_indicators.toml", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "889 indicators (0 with a status)" in done.stdout
    rows = pd.read_csv(tmp_path / "out" / "indicators.csv", dtype=str, keep_default_na=False)
    first = rows.iloc[0]
    assert (first["ref"], first["directorate"], first["theme"]) == (
        "ARMENIA_COMPACT-WIDE_0001",
        "Armenia",
        "Compact-wide",
    )
    assert (first["baseline"], first["actual"], first["target"], first["unit"]) == ("22.9", "22.2", "22.8", "%")
    third = rows.iloc[2]
    assert (third["actual"], third["target"]) == ("-4423.0", "1099.0")
    assert rows["figures_note"].str.contains("polarity not stated").sum() > 700


def test_a_parameters_file_sets_the_notebook_parameters_and_the_manifest_records_them(tmp_path):
    """Before: no parameters file as papermill's -f, and the council's name could only be changed by editing
    the notebook."""
    import json

    params = tmp_path / "q4.yaml"
    params.write_text(
        f"year: 2011/12\nquarter: Q4\ninput_path: {SEED}\ncouncil: Testshire Borough Council\n", encoding="utf-8"
    )
    done = cli("run", "-f", params, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "2011-12" / "Q4"
    recorded = json.loads((folder / "manifest.json").read_text())["parameters"]
    assert recorded["council"] == "Testshire Borough Council" and recorded["year"] == "2011/12"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<p class="council">Testshire Borough Council</p>' in html
    # what the command line gives wins over the file
    again = cli("run", "-f", params, "--council", "Otherton Council", "--out", tmp_path / "out2")
    assert again.returncode == 0, again.stderr
    assert (
        json.loads((tmp_path / "out2" / "2011-12" / "Q4" / "manifest.json").read_text())["parameters"]["council"]
        == "Otherton Council"
    )


@pytest.mark.parametrize(
    "command, text, message",
    [
        ("run", "year: 2011/12\n  quarter: Q4\n", "q.yaml:2: not YAML: mapping values are not allowed here"),
        ("run", "- 2011/12\n", "q.yaml: a parameters file maps parameter names to values"),
        ("run", "year: 2011/12\nkwarter: Q4\n", "'kwarter' is not a parameter here"),
        ("run", "council:\n  name: X\n", "q.yaml: council must be text, not a mapping"),
        ("batch", "year: 2011/12\n", "'year' is not a parameter here (the parameters are register_path, layout_path"),
    ],
)
def test_a_bad_parameters_file_exits_2_with_one_line_naming_it(tmp_path, command, text, message):
    (tmp_path / "q.yaml").write_text(text, encoding="utf-8")
    done = cli(command, "-f", tmp_path / "q.yaml", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _one_line_exit_2(done):
    assert done.returncode == 2, (done.returncode, done.stderr[-1500:])
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    return errors[0]


def test_a_file_size_limit_while_handing_over_to_the_kernel_is_one_line(tmp_path):
    """Before: `ulimit -f` (or a full TMPDIR) while the prepared data was handed to the kernel was a traceback;
    and the hand-over folder a run leaves must not stay behind."""
    import resource
    import tempfile

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    child = subprocess.Popen(
        [PYTHON, "-m", "pipeline", "run", "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        preexec_fn=limit,
    )
    stdout, stderr = child.communicate()
    line = _one_line_exit_2(subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr))
    assert "the prepared data could not be handed to the notebook kernel (File too large)" in line
    assert not (tmp_path / "out" / "2011-12" / "Q4").exists()
    assert not [p for p in Path(tempfile.gettempdir()).glob("council-*") if f"-{child.pid}-" in p.name]


def test_the_next_run_removes_what_a_killed_run_left_in_the_temporary_folder(tmp_path):
    """Before: hand-over folders (with the full prepared data) and Typst folders of a killed run stayed for ever."""
    from pipeline import scratch

    dead = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    left = [tmp_path / f"council-{kind}-{pid}-abc" for kind in ("kernel", "handover", "typst", "reproduce")]
    for folder in left:
        folder.mkdir()
        (folder / "prepared.pickle").write_bytes(b"x")
    mine = tmp_path / f"council-handover-{os.getpid()}-mine"
    mine.mkdir()
    assert sorted(scratch.clean_leftovers(str(tmp_path))) == sorted(left)
    assert [p.name for p in tmp_path.iterdir()] == [mine.name]


def test_verify_lists_a_folder_nested_1100_deep(tmp_path):
    """Before: `verify` of a folder 1,100 directories deep stopped with a RecursionError traceback."""
    import os

    folder = tmp_path / "deep"
    folder.mkdir()
    import hashlib
    import json

    (folder / "a.txt").write_text("listed")
    listed = [{"path": "a.txt", "sha256": hashlib.sha256(b"listed").hexdigest()}]
    (folder / "manifest.json").write_text(json.dumps({"outputs": listed}))  # a manifest needs an output listed
    here = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(1100):
            os.mkdir("d", dir_fd=here)
            below = os.open("d", os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = below
        os.close(os.open("x", os.O_WRONLY | os.O_CREAT, dir_fd=here))
    finally:
        os.close(here)
    try:
        done = cli("verify", folder)
    finally:  # removed here, from the bottom up: pytest's own clean-up of old folders recurses and would fail
        top = os.open(folder, os.O_RDONLY)
        try:
            os.unlink("/".join(["d"] * 1100 + ["x"]), dir_fd=top)
            for depth in range(1100, 0, -1):
                os.rmdir("/".join(["d"] * depth), dir_fd=top)
        finally:
            os.close(top)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert any(line.strip().startswith("not in manifest  d/d/d/") for line in done.stdout.splitlines())


@pytest.mark.parametrize(
    "where, said", [("missing/x.toml", "its folder does not exist"), ("/proc/x.toml", "cannot be written")]
)
def test_layout_out_where_it_cannot_be_written_is_one_line(tmp_path, where, said):
    """Before: `layout --out` into a missing or unwritable folder was a traceback."""
    target = where if where.startswith("/") else tmp_path / where
    line = _one_line_exit_2(cli("layout", SEED, "--out", target))
    assert said in line


@pytest.mark.parametrize(
    "layout",
    [
        'columns = "x"\n',
        "layout = 5\n",
        '[layout]\nref_pattern = 5\n[columns]\nref = "A"\nmeasure = "B"\n',
        "a = " + "[" * 3000 + "]" * 3000 + "\n",
    ],
)
def test_a_layout_of_the_wrong_shape_is_one_line(tmp_path, layout):
    path = tmp_path / "layout.toml"
    path.write_text(layout)
    line = _one_line_exit_2(cli("clean", SEED, "--layout", path, "--out", tmp_path / "out"))
    assert str(path) in line and not (tmp_path / "out").exists()


def _long_table(path, encoding="utf-8"):
    """A SYNTHETIC long table: two trusts' monthly rates, North's stepping up for its last six months."""
    rows = ["trust,month,rate,better,goal"]
    for trust, better in (("North Trust (SYNTHETIC)", "lower"), ("Søuth Trust (SYNTHETIC)", "higher")):
        for m in range(16):
            value = 50 + (6 if m > 9 and trust.startswith("N") else 0) + (1, -1, 2, -2, 0.5, -0.5)[m % 6]
            rows.append(f"{trust},2024-{m + 1:02d},{value},{better},52")
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    return path


def test_spc_charts_every_series_of_a_long_table_in_its_order(tmp_path):
    table = _long_table(tmp_path / "rates.csv", encoding="cp1252")
    args = ["spc", table, "--series", "trust", "--value", "rate", "--period", "month"]
    done = cli(*args, "--improvement-column", "better", "--target-column", "goal", "--out", tmp_path / "spc.csv")
    assert done.returncode == 0, done.stderr
    assert "32 points of 2 series" in done.stdout
    charts = pd.read_csv(tmp_path / "spc.csv", keep_default_na=False)
    assert list(charts.columns) == ["series", "period", "value", "mean", "lower_limit", "upper_limit",
                                    "special_cause", "rule", "variation", "assurance"]  # fmt: skip
    assert list(dict.fromkeys(charts["series"])) == ["North Trust (SYNTHETIC)", "Søuth Trust (SYNTHETIC)"]
    north = charts[charts["series"].str.startswith("North")]
    assert set(north["variation"]) == {"concern high"} and north["special_cause"].iloc[-1] == "concern"
    assert set(charts[charts["series"].str.startswith("S")]["variation"]) == {"common cause"}
    printed = cli(*args, "--improvement", "neither")
    assert printed.returncode == 0 and printed.stdout.splitlines()[0].split()[:3] == ["series", "period", "value"]
    assert "neither high" in printed.stdout
    again = cli(*args, "--out", tmp_path / "spc.csv")
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.parametrize(
    "extra, said",
    [
        (["--value", "rte"], "has no column 'rte'"),
        (["--value", "rate", "--improvement-column", "trust"], "trust 'North Trust (SYNTHETIC)' must be higher, lower or neither"),
        (["--value", "rate", "--shift", "40"], "--shift must be from 4 to 12"),
    ],
)  # fmt: skip
def test_spc_refuses_what_it_cannot_chart_in_one_line(tmp_path, extra, said):
    table = _long_table(tmp_path / "rates.csv")
    done = cli("spc", table, "--series", "trust", *extra)
    assert done.returncode == 2 and said in done.stderr and len(done.stderr.strip().splitlines()) == 1
