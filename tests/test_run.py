"""run: finding inputs by period, cleaning to files, and all-or-nothing folder writes."""

import pandas as pd
import pytest

from conftest import SEED
from pipeline import run
from pipeline.errors import InputError
from pipeline.period import Period


def test_find_input_by_period(tmp_path):
    (tmp_path / "council_plan_2012-13_Q1.xlsx").write_bytes(b"x")
    (tmp_path / "council_plan_2012-13_Q2.pdf").write_bytes(b"x")
    assert run.find_input(Period.parse("2012/13", "Q1"), tmp_path).name == "council_plan_2012-13_Q1.xlsx"
    with pytest.raises(InputError, match="no export for 2012/13 Q2"):
        run.find_input(Period.parse("2012/13", "Q2"), tmp_path)
    (tmp_path / "council_plan_2012-13_Q1.csv").write_bytes(b"x")
    with pytest.raises(InputError, match="more than one export"):
        run.find_input(Period.parse("2012/13", "Q1"), tmp_path)


def test_clean_file_writes_the_three_tables(tmp_path):
    data = run.clean_file(SEED, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "data_quality.csv", "export_summary.csv", "indicators.csv"]
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
        run.clean_file(bad, tmp_path / "out" / "deep")
    assert not (tmp_path / "out").exists()


def test_write_folder_replaces_whole_folder_and_leaves_no_staging(tmp_path):
    target = tmp_path / "2011-12" / "Q4"
    run.write_folder(target, {"a.txt": b"1", "charts/b.svg": b"2"}, replace=True)
    run.write_folder(target, {"a.txt": b"3"}, replace=True)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["a.txt"]
    assert (target / "a.txt").read_bytes() == b"3"
    assert [p.name for p in target.parent.iterdir()] == ["Q4"]


def test_write_folder_failure_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "new" / "Q4"

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(run, "_swap_in", boom)
    with pytest.raises(OSError):
        run.write_folder(target, {"a.txt": b"1"}, replace=True)
    assert not (tmp_path / "new").exists()


def test_load_period_reads_the_default_export():
    data = run.load_period("2011/12", "Q4")
    assert data.source == "data/raw/council_plan_2011-12_Q4.tsv"
    assert len(data.source_sha256) == 64
    assert data.summary_check["agrees"].all()
