"""paths and errors: where things go, and how errors read."""

from pathlib import Path

from pipeline.errors import InputError, PipelineError, UsageError
from pipeline.paths import DEFAULT_INPUT, PROJECT_ROOT, display_path, period_dir
from pipeline.period import Period


def test_period_dir_is_year_then_quarter():
    assert period_dir(Path("outputs"), Period.parse("2012/13", "Q1")) == Path("outputs/2012-13/Q1")


def test_display_path_is_project_relative_inside_the_project_only(tmp_path):
    assert display_path(PROJECT_ROOT / "data" / "raw" / "x.tsv") == "data/raw/x.tsv"
    assert display_path(tmp_path / "x.tsv") == str(tmp_path / "x.tsv")


def test_default_input_is_the_seed_export():
    assert DEFAULT_INPUT == PROJECT_ROOT / "data/raw/council_plan_2011-12_Q4.tsv"
    assert DEFAULT_INPUT.exists()


def test_error_text_names_file_and_line():
    assert str(InputError("is empty", "a.tsv")) == "a.tsv: is empty"
    assert str(InputError("binary", "a.tsv", 12)) == "a.tsv:12: binary"
    assert str(UsageError("bad year")) == "bad year"
    assert issubclass(InputError, PipelineError) and issubclass(UsageError, PipelineError)


def test_published_path_never_carries_a_folder_outside_the_project(tmp_path):
    from pipeline.paths import published_path

    assert published_path(PROJECT_ROOT / "data" / "raw" / "x.tsv") == "data/raw/x.tsv"
    assert published_path(tmp_path / "home" / "jsmith" / "q4.tsv") == "q4.tsv"


def test_each_plan_file_has_its_own_folder_that_stays_inside_plans():
    from pipeline.paths import plan_folder, plans_dir

    assert plan_folder("sip_cp.txt") == "sip_cp.txt"
    assert plan_folder("a.v1.txt") != plan_folder("a.v2.txt")  # before: both became plans/a
    hidden = plan_folder(".hidden.txt")  # before: rendered into plans/ itself and wiped the other plans
    assert not hidden.startswith(".") and hidden.startswith("hidden.txt-")
    for hostile in ("../../etc.txt", "..", "/abs.txt", "a b$(id).txt"):
        name = plan_folder(hostile)
        assert "/" not in name and not name.startswith(".") and name
    folder = plans_dir(Path("outputs"), ".hidden.txt", Period.parse("2008/09", "Q1"))
    assert folder.parts[:2] == ("outputs", "plans") and folder.parts[-2:] == ("2008-09", "Q1")
