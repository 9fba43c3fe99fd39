"""Property-based tests: random bytes and mangled exports give a clean result or an InputError, nothing else."""

import pandas as pd
from conftest import SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.figures import measure
from pipeline.read.ingest import parse_export
from pipeline.read.stockton.clean import clean_export

SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(data: bytes, name: str = "x.tsv"):
    """The whole reading path; returns the cleaned result or None when the input was refused."""
    try:
        return clean_export(parse_export(data, name), name)
    except InputError as exc:
        assert str(exc).startswith(name)
        return None


def assert_well_formed(result, n_lines):
    ind = result.indicators
    codes = ind["status_code"].dropna()
    assert codes.isin([1, 2, 3, 4]).all()
    assert ind["source_line"].between(1, n_lines).all()
    assert (ind["status_kind"] == "code").sum() == len(codes)
    assert set(result.findings.columns) == {"source_line", "ref", "check", "finding", "action_taken"}
    head = measure.headline(ind)
    assert head["count"].iloc[0] + head["count"].iloc[1] == head["count"].iloc[2]


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["x.tsv", "x.csv", "x.xlsx", "x.txt"]))
def test_random_bytes_never_crash(data, name):
    result = read(data, name)
    if result is not None:
        assert_well_formed(result, data.count(b"\n") + data.count(b"\r") + 1)


@SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=len(SEED_LINES) - 1), min_size=1, max_size=120))
def test_exports_with_lines_dropped_duplicated_or_reordered(picks):
    lines = [SEED_LINES[2]] + [SEED_LINES[i] for i in picks]  # keep a header first
    result = read("\n".join(lines).encode("utf-8"))
    assert result is not None
    assert_well_formed(result, len(lines))


@SETTINGS
@given(
    st.integers(min_value=0, max_value=len(SEED_LINES) - 1),
    st.integers(min_value=0, max_value=6),
    st.sampled_from(["", "\t", "DNS", "9", "<p>x</p>", '"', "Ref.", "----"]),
)
def test_exports_with_a_cell_mangled(line_no, column, text):
    lines = [line.split("\t") for line in SEED_LINES]
    if column < len(lines[line_no]):
        lines[line_no][column] = text
    result = read("\n".join("\t".join(cells) for cells in lines).encode("utf-8"))
    if result is not None:  # mangling the header row can make it not an export
        assert_well_formed(result, len(lines))


@SETTINGS
@given(st.integers(min_value=1, max_value=len(SEED.read_bytes())))
def test_export_cut_anywhere_is_cleaned_with_what_is_there(cut):
    data = SEED.read_bytes()[:cut]
    result = read(data)
    if result is None:
        return  # cut before the header (or mid-character), refused with a message
    assert_well_formed(result, data.count(b"\n") + 1)
    if cut < len(SEED.read_bytes()) - 400:
        assert "no_summary" in result.findings["check"].tolist()


def test_refused_inputs_are_only_input_errors():
    # a few hand-picked nasties, beyond what hypothesis happens to draw
    for data in [b"\xff\xfe", b"\x00" * 10, b"Ref.\t" * 1000, b'"' * 500, b"\r\r\r", "Ref.\u2028x".encode()]:
        result = read(data)
        assert result is None or isinstance(result.indicators, pd.DataFrame)


@SETTINGS
@given(st.text(max_size=300), st.text(max_size=300))
def test_figure_reading_never_crashes_and_never_invents_a_unitless_actual(measure_text, progress_text):
    from pipeline.read.stockton.figures import read_actual, read_measure

    fig = read_measure(measure_text, 2012)
    read_actual(progress_text, fig, 2012)
    assert fig.polarity in ("", "higher", "lower")
    if fig.actual is not None:
        assert fig.target is not None
        assert fig.actual_from and fig.target_from
