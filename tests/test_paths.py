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
