"""The snapshot: a run reads its inputs once, at its start, and nothing decides again whether a file exists."""

import shutil

import pytest
from conftest import SEED
from synthetic import quarter_text

from pipeline.errors import InputError
from pipeline.period import Period
from pipeline.run import coordinator as run
from pipeline.run import prepare
from pipeline.run.snapshot import bytes_of, inputs_read, present, read_snapshot, register_file


@pytest.fixture
def raw(tmp_path):
    """A raw folder with two SYNTHETIC quarters and no register, no layout, no directorates.csv."""
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "council_plan_2012-13_Q1.synthetic.tsv").write_text(quarter_text(2012, 1), encoding="utf-8")
    (folder / "council_plan_2012-13_Q2.synthetic.tsv").write_text(quarter_text(2012, 2), encoding="utf-8")
    return folder


def test_a_register_written_after_the_run_began_is_neither_used_nor_recorded(raw, tmp_path):
    """Before: with no register in the raw folder, one written while a batch ran changed the later periods'
    figures (target 999999 "from register line 2") while their manifests listed no register."""
    plan = run.plan_period("2012/13", "Q2", raw / "council_plan_2012-13_Q2.synthetic.tsv", tmp_path / "out")
    assert [entry["path"] for entry in plan.inputs] == [
        "council_plan_2012-13_Q2.synthetic.tsv",
        "council_plan_2012-13_Q1.synthetic.tsv",
    ]
    (raw / "indicator_register.csv").write_text("ref,target\n1.1,999999\n", encoding="utf-8")
    (raw / "directorates.csv").write_text("code,name\nCESC,Changed after the start\n", encoding="utf-8")
    data = prepare.prepare(
        plan.source,
        plan.period,
        plan.register_path,
        context=True,
        snapshot=plan.snapshot,
        related=plan.related,
        layout_path=plan.layout,
    )
    assert data.register is None
    assert (data.indicators["target"].dropna() != 999999).all()
    assert "from register" not in " ".join(data.indicators["target_from"].astype(str))
    assert data.directorate_names == {}
    assert [entry["path"] for entry in data.inputs] == [entry["path"] for entry in plan.inputs]


def test_an_export_removed_after_the_run_began_is_still_read_from_the_snapshot(raw, tmp_path):
    plan = run.plan_period("2012/13", "Q2", raw / "council_plan_2012-13_Q2.synthetic.tsv", tmp_path / "out")
    (raw / "council_plan_2012-13_Q1.synthetic.tsv").unlink()
    data = prepare.prepare(plan.source, plan.period, None, context=True, snapshot=plan.snapshot, related=plan.related)
    assert data.previous == Period.parse("2012/13", "Q1")
    assert data.previous_indicators is not None and len(data.previous_indicators) == len(data.indicators)


def test_the_snapshot_alone_says_what_is_there(tmp_path):
    beside = tmp_path / "indicator_register.csv"
    source = tmp_path / "council_plan_2011-12_Q4.tsv"
    shutil.copy(SEED, source)
    snapshot = read_snapshot([source])
    beside.write_text("ref,target\n1.1,5\n")
    assert not present(beside, snapshot) and present(beside, None)
    assert register_file(None, source, snapshot) is None and register_file(None, source) == beside
    assert inputs_read(Period.parse("2011/12", "Q4"), source, snapshot=snapshot) == [source]
    with pytest.raises(InputError, match="was not among the files read at the start of the run"):
        bytes_of(snapshot, beside)
    assert bytes_of(snapshot, source) == SEED.read_bytes()


def test_an_export_given_without_a_period_is_reported_for_the_period_its_name_gives(tmp_path):
    """Before: `run --input FILE` without --year/--quarter rendered any export as 2011/12 Q4 and replaced that
    period's folder (a 2024/25 Q2 export of another council became outputs/2011-12/Q4)."""
    from pipeline.errors import UsageError

    other = tmp_path / "anytown_kpis_2024-25_Q2.csv"
    other.write_text("x\n")
    assert run._period_and_source(None, None, other) == (Period.parse("2024/25", "Q2"), other)
    assert run._period_and_source("2023/24", "Q1", other)[0] == Period.parse("2023/24", "Q1")
    assert run._period_and_source(None, None, None)[0] == Period.parse("2011/12", "Q4")  # the default input's
    nameless = tmp_path / "kpis.csv"
    nameless.write_text("x\n")
    with pytest.raises(UsageError, match=r"kpis.csv: the file name gives no period .* give --year and --quarter"):
        run._period_and_source(None, None, nameless)
    with pytest.raises(UsageError, match="give both --year and --quarter"):
        run._period_and_source("2024/25", None, other)


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
    assert related_inputs(Period.parse("2024/25", "Q2"), good)["previous"][0] == Period.parse("2024/25", "Q1")


def test_a_batch_reads_and_holds_each_input_once_for_all_its_periods(tmp_path):
    """Before: each period's plan read its own copy of the earlier exports (40 periods at the size limit held
    about 6.5 GB before rendering)."""
    from synthetic import make_quarters

    make_quarters(tmp_path / "raw", year_start=2012)
    read: dict = {}
    plans = [
        run.plan_period("2012/13", f"Q{q}", path, tmp_path / "out", already=read)
        for q, path in zip((1, 2, 3, 4), sorted((tmp_path / "raw").glob("*.tsv")))
    ]
    assert len(read) == 4  # four exports in all, though Q4 reads all four
    q1 = (tmp_path / "raw" / sorted(p.name for p in (tmp_path / "raw").glob("*.tsv"))[0]).resolve()
    holders = [plan.snapshot[q1] for plan in plans if q1 in plan.snapshot]
    assert len(holders) == 4 and all(held is read[q1] for held in holders)  # one object, not four copies
