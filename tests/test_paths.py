"""paths and errors: where things go, and how errors read."""

from pipeline.errors import InputError, PipelineError, UsageError
from pipeline.paths import PROJECT_ROOT, display_path


def test_a_reports_folder_is_its_year_then_its_quarter_and_a_plans_is_under_plans():
    from pipeline.request import MILESTONES, PERIOD

    assert PERIOD.make(year="2012/13", quarter="Q1").folder() == "2012-13/Q1"
    plan = MILESTONES.make(plan_path="data/raw/.hidden.txt", year="2008/09", quarter="Q1").folder()
    assert plan.startswith("plans/hidden.txt-") and plan.endswith("/2008-09/Q1")


def test_display_path_is_project_relative_inside_the_project_only(tmp_path):
    assert display_path(PROJECT_ROOT / "data" / "raw" / "x.tsv") == "data/raw/x.tsv"
    assert display_path(tmp_path / "x.tsv") == str(tmp_path / "x.tsv")


def test_default_input_is_the_seed_export():
    from pipeline.paths import DEFAULT_PERIOD, RAW_DIR
    from pipeline.run.discover import find_input

    assert find_input(DEFAULT_PERIOD) == RAW_DIR / "council_plan_2011-12_Q4.tsv"


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
    from pipeline.paths import plan_folder

    assert plan_folder("sip_cp.txt") == "sip_cp.txt"
    assert plan_folder("a.v1.txt") != plan_folder("a.v2.txt")  # before: both became plans/a
    hidden = plan_folder(".hidden.txt")  # before: rendered into plans/ itself and wiped the other plans
    assert not hidden.startswith(".") and hidden.startswith("hidden.txt-")
    for hostile in ("../../etc.txt", "..", "/abs.txt", "a b$(id).txt"):
        name = plan_folder(hostile)
        assert "/" not in name and not name.startswith(".") and name
    assert plan_folder("x" * 61 + ".txt") != plan_folder("x" * 61 + ".csv")  # long names keep their difference


def test_no_two_names_share_a_folder_and_none_escapes_it():
    """Before: the codes A/B and A_B, .. and _, X1. and X1, and two long codes alike in their first 80 characters
    shared one profile folder: one report silently replaced the other."""
    from pipeline.paths import safe_folder

    names = ["A/B", "A_B", "..", "_", "X1.", "X1", "CON", "con", "a" * 100, "a" * 99 + "b", "E06000004", "x\ny", ""]
    folders = [safe_folder(n) for n in names]
    assert len(set(folders)) == len(names)
    assert safe_folder("E06000004") == "E06000004" and safe_folder("A_B") == "A_B"  # readable where safe
    for folder in folders:
        assert folder and "/" not in folder and not folder.startswith(".") and not folder.endswith(".")
        assert len(folder) <= 72 and folder.split(".")[0].lower() not in ("con", "nul")
    assert safe_folder("A/B") == safe_folder("A/B")  # a pure function of the name
