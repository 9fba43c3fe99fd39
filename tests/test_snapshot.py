"""The snapshot: a run reads its inputs once, at its start, and nothing decides again whether a file exists."""

import shutil

import pytest
from conftest import SEED
from synthetic import quarter_text

from pipeline.period import Period
from pipeline.request import PERIOD
from pipeline.run.jobs import period_and_source, period_job
from pipeline.run.prepare import prepare_period
from pipeline.run.snapshot import read_period_inputs


@pytest.fixture
def raw(tmp_path):
    """A raw folder with two SYNTHETIC quarters and no register, no layout, no directorates.csv."""
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "council_plan_2012-13_Q1.synthetic.tsv").write_text(quarter_text(2012, 1), encoding="utf-8")
    (folder / "council_plan_2012-13_Q2.synthetic.tsv").write_text(quarter_text(2012, 2), encoding="utf-8")
    return folder


def _job(raw, tmp_path, name="council_plan_2012-13_Q2.synthetic.tsv", **given):
    request = PERIOD.make(year="2012/13", quarter="Q2", input_path=str(raw / name), out=str(tmp_path / "out"), **given)
    return period_job(request)


def test_a_register_written_after_the_run_began_is_neither_used_nor_recorded(raw, tmp_path):
    """Before: with no register in the raw folder, one written while a batch ran changed the later periods'
    figures (target 999999 "from register line 2") while their manifests listed no register."""
    job = _job(raw, tmp_path)
    assert [f.name for f in job.snapshot.files] == [
        "council_plan_2012-13_Q2.synthetic.tsv",
        "council_plan_2012-13_Q1.synthetic.tsv",
    ]
    (raw / "indicator_register.csv").write_text("ref,target\n1.1,999999\n", encoding="utf-8")
    (raw / "directorates.csv").write_text("code,name\nCESC,Changed after the start\n", encoding="utf-8")
    data = prepare_period(job.snapshot, job.request)
    assert data.register is None
    assert (data.indicators["target"].dropna() != 999999).all()
    assert "from register" not in " ".join(data.indicators["target_from"].astype(str))
    assert data.directorate_names == {}
    assert [entry["path"] for entry in data.inputs] == [f.name for f in job.snapshot.files]


def test_an_export_removed_after_the_run_began_is_still_read_from_the_snapshot(raw, tmp_path):
    job = _job(raw, tmp_path)
    (raw / "council_plan_2012-13_Q1.synthetic.tsv").unlink()
    data = prepare_period(job.snapshot, job.request)
    assert data.previous == Period.parse("2012/13", "Q1")
    assert data.previous_indicators is not None and len(data.previous_indicators) == len(data.indicators)


def test_the_snapshot_holds_the_files_of_the_start_and_only_those(tmp_path):
    source = tmp_path / "council_plan_2011-12_Q4.tsv"
    shutil.copy(SEED, source)
    inputs = read_period_inputs(Period.parse("2011/12", "Q4"), source, PERIOD.make())
    (tmp_path / "indicator_register.csv").write_text("ref,target\n1.1,5\n")
    assert inputs.register is None and [f.path for f in inputs.files] == [source.resolve()]
    assert inputs.export.data == SEED.read_bytes() and inputs.layout.council.startswith("Stockton")


def test_another_bodys_export_in_the_folder_is_never_read_packed_or_named(tmp_path):
    """Before: Bracknell's report took Hart's 2014/15 file as its earlier period, said on page 1 that it could not
    be read, and put it in Bracknell's inputs.zip and manifest. Exports of one body share the name before their
    period (SYNTHETIC files)."""
    (tmp_path / "bracknell_kpis_2025-26_Q2.csv").write_text("x\n")
    (tmp_path / "bracknell_kpis_2025-26_Q1.csv").write_text("y\n")
    (tmp_path / "hart_kpis_2014-15_Q2.csv").write_text("z\n")
    inputs = read_period_inputs(
        Period.parse("2025/26", "Q2"), tmp_path / "bracknell_kpis_2025-26_Q2.csv", PERIOD.make(), alone=False
    )
    assert [f.path.name for f in inputs.files] == ["bracknell_kpis_2025-26_Q2.csv", "bracknell_kpis_2025-26_Q1.csv"]


def test_an_export_given_without_a_period_is_reported_for_the_period_its_name_gives(tmp_path):
    """Before: `run --input FILE` without --year/--quarter rendered any export as 2011/12 Q4 and replaced that
    period's folder (a 2024/25 Q2 export of another council became outputs/2011-12/Q4)."""
    from pipeline.errors import UsageError

    other = tmp_path / "anytown_kpis_2024-25_Q2.csv"
    other.write_text("x\n")
    assert period_and_source(PERIOD.make(input_path=other)) == (Period.parse("2024/25", "Q2"), other)
    assert period_and_source(PERIOD.make(year="2023/24", quarter="Q1", input_path=other))[0] == Period.parse(
        "2023/24", "Q1"
    )
    assert period_and_source(PERIOD.make())[0] == Period.parse("2011/12", "Q4")  # the default input's
    nameless = tmp_path / "kpis.csv"
    nameless.write_text("x\n")
    with pytest.raises(UsageError, match=r"kpis.csv: the file name gives no period .* give --year and --quarter"):
        period_and_source(PERIOD.make(input_path=nameless))
    with pytest.raises(UsageError, match="give both --year and --quarter"):
        period_and_source(PERIOD.make(year="2024/25", input_path=other))


def test_a_file_named_with_a_year_that_is_none_is_named_and_the_others_go_on(tmp_path):
    """Before: one `notes_2024-26_Q3.csv` in a raw folder made every batch and every `run --input` of another
    export there fail, without naming it."""
    from pipeline.run.discover import find_periods, misnamed, related_inputs

    (tmp_path / "notes_2024-26_Q3.csv").write_text("x\n")
    good = tmp_path / "kpis_2024-25_Q2.csv"
    good.write_text("x\n")
    (tmp_path / "kpis_2024-25_Q1.csv").write_text("x\n")
    assert list(find_periods(tmp_path)) == [Period.parse("2024/25", "Q1"), Period.parse("2024/25", "Q2")]
    assert [(p.name, why) for p, why in misnamed(tmp_path)] == [
        ("notes_2024-26_Q3.csv", "year '2024-26': a financial year runs over two consecutive years, such as 2011/12")
    ]
    assert related_inputs(Period.parse("2024/25", "Q2"), good).previous == Period.parse("2024/25", "Q1")


def test_a_batch_reads_and_holds_each_input_once_for_all_its_periods(tmp_path):
    """Before: each period's plan read its own copy of the earlier exports (40 periods at the size limit held
    about 6.5 GB before rendering)."""
    from synthetic import make_quarters

    make_quarters(tmp_path / "raw", year_start=2012)
    read: dict = {}
    jobs = [
        period_job(PERIOD.make(year="2012/13", quarter=f"Q{q}", input_path=path, out=tmp_path / "out"), already=read)
        for q, path in zip((1, 2, 3, 4), sorted((tmp_path / "raw").glob("*.tsv")))
    ]
    assert len(read) == 4  # four exports in all, though Q4 reads all four
    q1 = (tmp_path / "raw" / sorted(p.name for p in (tmp_path / "raw").glob("*.tsv"))[0]).resolve()
    holders = [f.data for job in jobs for f in job.snapshot.files if f.path == q1]
    assert len(holders) == 4 and all(held is read[q1] for held in holders)  # one object, not four copies
