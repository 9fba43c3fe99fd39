"""The command line contract: exit status 2 and one line on stderr for bad input, nothing written."""

import subprocess
import zipfile

import pytest

from conftest import PYTHON, ROOT, SEED


def cli(*args, cwd=ROOT):
    return subprocess.run([PYTHON, "-m", "pipeline", *map(str, args)], capture_output=True, text=True, cwd=cwd)


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


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "binary", "corrupt xlsx", "truncated xlsx",
                                  "not an export"])
@pytest.mark.parametrize("command", ["clean", "run"])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, case, command):
    path, message = bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    args = ["clean", path, "--out", out] if command == "clean" else ["run", "--input", path, "--out", out]
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
    assert "121 indicators (110 with status 1-4)" in done.stdout
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


@pytest.mark.parametrize("case, make, message", [
    ("zip bomb", _bomb, "over the limit of 200 MB"),
    ("malformed sheet XML", _broken_xml, "Excel workbook"),
    ("oversized", lambda p: open(p, "wb").truncate(51 * 2**20), "over the limit of 50 MB"),
    ("nested markup", lambda p: p.write_text("\t".join(["Ref.", "Change/Improvement Priority Actions",
                                                          "Outcome/Success Criteria", "Responsibility",
                                                          "Progress Indicator", "Progress", "Slippage"])
                                             + "\n1. Obj\n1.1\ta\t" + "<div>" * 3000 + "\tRES\t1\tp\t\n"),
     "nests 3000 HTML elements"),
])
def test_hostile_files_end_in_one_line_and_exit_2(tmp_path, case, make, message):
    path = tmp_path / ("x.xlsx" if case in ("zip bomb", "malformed sheet XML") else "x.tsv")
    make(path)
    done = cli("run", "--input", path, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {path}") and message in done.stderr
    assert not (tmp_path / "out").exists()


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
