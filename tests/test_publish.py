"""publish: all-or-nothing folders, the lock in the output tree, leftovers of killed runs, safe CSV."""

import csv
import errno
import io
import os
import subprocess
import textwrap

import pandas as pd
import pytest
from conftest import PYTHON, ROOT

from pipeline.errors import OutputError
from pipeline.run import publish


def test_write_folder_replaces_whole_folder_and_leaves_no_staging(tmp_path):
    target = tmp_path / "2011-12" / "Q4"
    publish.write_folder(target, {"a.txt": b"1", "charts/b.svg": b"2"}, replace=True)
    publish.write_folder(target, {"a.txt": b"3"}, replace=True)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["a.txt"]
    assert (target / "a.txt").read_bytes() == b"3"
    assert [p.name for p in target.parent.iterdir()] == ["Q4"]


def test_a_full_disk_is_an_output_error_and_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "new" / "Q4"

    def full(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(publish.Path, "write_bytes", full)
    with pytest.raises(OutputError, match="No space left on device"):
        publish.write_folder(target, {"a.txt": b"1"}, replace=True)
    assert not (tmp_path / "new").exists()


def test_a_folder_that_cannot_be_written_fails_before_any_work(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cannot write here"):
        publish.check_writable(blocker / "2011-12" / "Q4")
    with pytest.raises(OutputError):
        with publish.lock(blocker / "2011-12" / "Q4", blocker):
            pass


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_numbers_stay_numbers():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tx", "\rx", "plain"],
            "number": [-2.5, 1.0, -3.0, 0.0, 4.0, 5.0, 6.0],
            "count": pd.array([-1, 2, 3, 4, 5, 6, 7], dtype="Int64"),
        }
    )
    rows = list(csv.DictReader(io.StringIO(publish.csv_bytes(frame).decode("utf-8"), newline="")))
    back = {key: [row[key] for row in rows] for key in rows[0]}
    assert back["text"] == [
        '\'=HYPERLINK("http://x","y")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1)",
        "'-2+3",
        "'\tx",
        "'\nx",
        "plain",
    ]
    assert back["number"] == ["-2.5", "1.0", "-3.0", "0.0", "4.0", "5.0", "6.0"]
    assert back["count"] == ["-1", "2", "3", "4", "5", "6", "7"]


def test_the_lock_lives_in_the_output_tree():
    root = ROOT / "outputs"
    assert publish.lock_path(root / "2011-12" / "Q4", root) == root / ".locks" / "2011-12__Q4.lock"


@pytest.mark.slow
def test_runs_with_different_temporary_folders_exclude_each_other(tmp_path):
    """The old lock lived in $TMPDIR: two runs with different TMPDIRs both went ahead."""
    out = tmp_path / "out"
    holder = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from pipeline.run import publish
        with publish.lock(Path({str(out / "2011-12" / "Q4")!r}), Path({str(out)!r})):
            print("held", flush=True)
            time.sleep(4)
    """)
    waiter = textwrap.dedent(f"""
        from filelock import FileLock, Timeout
        from pathlib import Path
        from pipeline.run import publish
        path = publish.lock_path(Path({str(out / "2011-12" / "Q4")!r}), Path({str(out)!r}))
        try:
            FileLock(str(path)).acquire(timeout=1)
            print("acquired")
        except Timeout:
            print("waited")
    """)
    (tmp_path / "t1").mkdir()
    (tmp_path / "t2").mkdir()
    first = subprocess.Popen(
        [PYTHON, "-c", holder],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path / "t1")},
    )
    assert first.stdout.readline().strip() == "held"
    second = subprocess.run(
        [PYTHON, "-c", waiter],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path / "t2")},
    )
    first.wait()
    assert second.stdout.strip() == "waited", second.stderr


def test_leftovers_of_a_killed_run_are_found_and_removed(tmp_path):
    target = tmp_path / "2011-12" / "Q4"
    publish.write_folder(target, {"a.txt": b"1"}, replace=True)
    (target.parent / ".Q4.partial-abc123").mkdir()
    (target.parent / ".Q4.partial-abc123" / "report.html").write_text("half")
    (target.parent / ".Q4.old-def456" / "Q4").mkdir(parents=True)
    (target.parent / ".Q3.partial-zzz").mkdir()  # another period's: not this folder's to remove
    assert [p.name for p in publish.leftovers(target)] == [".Q4.old-def456", ".Q4.partial-abc123"]
    publish.clean_leftovers(target)
    assert sorted(p.name for p in target.parent.iterdir()) == [".Q3.partial-zzz", "Q4"]
