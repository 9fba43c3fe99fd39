"""batch: every period rendered in parallel; the cache; --force; a changed quarter; failures; two batches at once."""

import io
import json
import subprocess

import pytest
from conftest import ROOT, batch_args, tree_digests
from synthetic import make_quarters, quarter_text


def batch(raw, out, *extra):
    return subprocess.run(batch_args(raw, out, *extra), capture_output=True, text=True, cwd=ROOT)


def manifests(out):
    return {
        p.parent.relative_to(out).as_posix(): json.loads(p.read_text())["cache_key"]
        for p in sorted(out.glob("*/*/manifest.json"))
    }


@pytest.fixture(scope="module")
def four_quarters(tmp_path_factory):
    """A folder of four SYNTHETIC quarters of 2012/13 plus the year before's Q4, rendered once."""
    base = tmp_path_factory.mktemp("batch")
    raw = base / "raw"
    make_quarters(raw, year_start=2011, quarters=(4,))
    make_quarters(raw, year_start=2012)
    done = batch(raw, base / "out")
    assert done.returncode == 0, done.stderr
    return raw, base / "out", done


def test_first_batch_renders_every_period_with_plain_log_lines(four_quarters):
    raw, out, done = four_quarters
    assert done.stdout.splitlines()[0] == "rendered 5: 2011/12 Q4, 2012/13 Q1, 2012/13 Q2, 2012/13 Q3, 2012/13 Q4"
    assert "taken from the cache 0" in done.stdout and "failed 0" in done.stdout
    # piped: one plain line per event; each period queued, then running, then rendered, in that order
    lines = done.stderr.splitlines()
    for p in ["2011/12 Q4", "2012/13 Q1", "2012/13 Q2", "2012/13 Q3", "2012/13 Q4"]:
        mine = [line for line in lines if line.startswith(f"{p}: ")]
        assert mine == [f"{p}: queued", f"{p}: running", f"{p}: rendered"], mine
    assert all(line.startswith("20") for line in lines)  # nothing but the events (no bar, no escape codes)
    html = (out / "2012-13" / "Q4" / "report.html").read_text()
    assert "SYNTHETIC TEST DATA" in html  # the front page says so
    assert "Indicator status by quarter, 2012/13 so far" in html
    assert "whose status changed since 2012/13 Q3" in html  # in the annex; the body lists those gone off track
    assert "A year before (2011/12 Q4)" in html
    q1 = (out / "2012-13" / "Q1" / "report.html").read_text()
    assert "whose status changed since 2011/12 Q4" in q1


def test_indicators_csv_gains_previous_status_and_direction(four_quarters):
    import pandas as pd

    _, out, _ = four_quarters
    ind = pd.read_csv(out / "2012-13" / "Q2" / "indicators.csv", dtype={"ref": str})
    assert {"previous_status_code", "direction", "direction_basis"} <= set(ind.columns)
    changed = ind[
        ind["status_code"].notna()
        & ind["previous_status_code"].notna()
        & (ind["status_code"] != ind["previous_status_code"])
    ]
    assert len(changed) > 5
    assert set(ind["direction_basis"].dropna()) <= {"previous period figures", "previous period status", "baseline"}


def test_second_batch_takes_everything_from_the_cache_and_force_renders_again(four_quarters, tmp_path):
    raw, out, _ = four_quarters
    before = manifests(out)
    done = batch(raw, out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "rendered 0: -",
        "taken from the cache 5: 2011/12 Q4, 2012/13 Q1, 2012/13 Q2, 2012/13 Q3, 2012/13 Q4",
    ]
    assert manifests(out) == before


def test_a_changed_quarter_renders_itself_and_what_reads_it(four_quarters):
    raw, out, _ = four_quarters
    before = manifests(out)
    # change the year-before Q4: it and every later quarter (each reads it for its indicators' history, Q1 for
    # its comparison too) render again
    q4 = raw / "council_plan_2011-12_Q4.synthetic.tsv"
    q4.write_text(quarter_text(2011, 4, shift_every=3), encoding="utf-8")
    done = batch(raw, out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "rendered 5: 2011/12 Q4, 2012/13 Q1, 2012/13 Q2, 2012/13 Q3, 2012/13 Q4"
    after = manifests(out)
    assert [k for k in before if before[k] != after[k]] == sorted(before)
    # a mid-year quarter is read by the later quarters (their history and trend chart), not the earlier ones
    q2 = raw / "council_plan_2012-13_Q2.synthetic.tsv"
    q2.write_text(quarter_text(2012, 2, shift_every=3), encoding="utf-8")
    done = batch(raw, out)
    assert done.stdout.splitlines()[0] == "rendered 3: 2012/13 Q2, 2012/13 Q3, 2012/13 Q4", done.stdout + done.stderr
    done = batch(raw, out, "--force")
    assert done.stdout.splitlines()[0].startswith("rendered 5:")


def test_one_failing_period_does_not_stop_the_others(tmp_path):
    raw = tmp_path / "raw"
    make_quarters(raw, quarters=(1,))
    (raw / "council_plan_2012-13_Q2.csv").write_text("Name,Amount\nx,1\n")
    (raw / "council_plan_2012-13_Q3.tsv").write_text("Ref.\n")
    (raw / "council_plan_2012-13_Q3.csv").write_text("Ref.\n")
    done = batch(raw, tmp_path / "out")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "rendered 1: 2012/13 Q1"
    assert lines[2] == "failed 2"
    assert "2012/13 Q2: " in lines[3] and "no Council Plan header" in lines[3]
    assert lines[4] == "  2012/13 Q3: more than one export: council_plan_2012-13_Q3.csv, council_plan_2012-13_Q3.tsv"
    assert sorted(p.name for p in (tmp_path / "out" / "2012-13").iterdir()) == ["Q1"]


def test_two_batches_at_once_leave_whole_folders_and_a_sound_cache(tmp_path):
    raw = tmp_path / "raw"
    make_quarters(raw, quarters=(1, 2))
    out = tmp_path / "out"
    args = batch_args(raw, out, jobs="1")
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    # each period rendered once; the other batch waited and took it from the cache
    rendered = [int(o[0].splitlines()[0].split()[1].rstrip(":")) for o in outs]
    assert sum(rendered) == 2
    assert sorted(p.name for p in (out / "2012-13").iterdir()) == ["Q1", "Q2"]  # no staging folders left
    check = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert check.stdout.splitlines()[0] == "rendered 0: -"


def test_batch_usage_errors_exit_2(tmp_path):
    done = batch(tmp_path / "nowhere", tmp_path / "out")
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "not a folder" in done.stderr
    (tmp_path / "empty").mkdir()
    done = batch(tmp_path / "empty", tmp_path / "out")
    assert done.returncode == 2 and "no exports named" in done.stderr


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_a_bar_counts_the_reports_and_names_those_running_with_their_time():
    """Before: batch on a terminal sat at "0/4 [00:00<?]" with a frozen clock and never said which periods
    were running; under a zero-width terminal nothing appeared for 57 s. (The display is tqdm's bar now, not a
    screen drawn with escape codes by hand.)"""
    from pipeline.commands import Progress
    from pipeline.period import Period

    now = [100.0]
    screen = Terminal()
    q1, q2, q3 = (Period.parse("2012/13", q) for q in ("Q1", "Q2", "Q3"))
    with Progress("batch", screen, columns=100, clock=lambda: now[0]) as progress:
        progress.start(3)
        for period in (q1, q2, q3):
            progress.event(period, "queued", "")
        progress.event(q1, "running", "")
        progress.event(q2, "running", "")
        now[0] = 112.4
        progress.event(q2, "cached", "")
        progress.event(q3, "running", "")
        now[0] = 130.0
        assert progress.running_now() == "running 2012/13 Q1 30 s, 2012/13 Q3 18 s"
        progress.event(q3, "failed", "the export for 2012/13 Q3 could not be read")
        assert progress.bar.n == 2 and progress.bar.total == 3
    shown = screen.getvalue()
    assert "2012/13 Q3: failed: the export for 2012/13 Q3 could not be read\n" in shown  # a line of its own
    assert "batch:  67%" in shown and "2/3" in shown and "running 2012/13 Q1" in shown


def test_the_terminal_display_is_redrawn_every_half_second_without_events():
    from pipeline.commands import Progress
    from pipeline.period import Period

    screen = Terminal()
    with Progress("batch", screen, columns=100) as progress:
        progress.start(1)
        progress.event(Period.parse("2012/13", "Q1"), "running", "")
        drawn = screen.getvalue().count("running 2012/13 Q1")
        import time

        time.sleep(1.3)
    assert screen.getvalue().count("running 2012/13 Q1") >= drawn + 2


@pytest.mark.parametrize("columns, tty", [(0, True), (80, False)])
def test_piped_or_on_a_zero_width_terminal_each_event_is_one_plain_line_at_once(columns, tty):
    from pipeline.commands import Progress
    from pipeline.period import Period

    screen = Terminal() if tty else io.StringIO()
    with Progress("batch", screen, columns=columns) as progress:
        progress.start(1)
        progress.event(Period.parse("2012/13", "Q1"), "running", "")
        assert screen.getvalue() == "2012/13 Q1: running\n"
        progress.event(Period.parse("2012/13", "Q1"), "failed", "no such file")
    assert screen.getvalue() == "2012/13 Q1: running\n2012/13 Q1: failed: no such file\n"


@pytest.mark.parametrize("tty", [True, False])
def test_a_note_about_the_run_is_a_line_of_its_own_and_counts_no_report(tty):
    from pipeline.commands import Progress

    screen = Terminal() if tty else io.StringIO()
    with Progress("batch", screen, columns=100) as progress:
        progress.start(2)
        progress.event("kernels", "note", "kernels start cold: COUNCIL_COLD_KERNELS is set")
        if tty:
            assert progress.bar.n == 0
    assert "note: kernels start cold: COUNCIL_COLD_KERNELS is set\n" in screen.getvalue()


@pytest.mark.slow
def test_a_batch_whose_kernels_start_cold_says_so_and_renders_the_same_bytes_as_warm(tmp_path):
    """Issue 35: a report from a warm kernel equals one from a cold kernel byte for byte."""
    import os

    raw = tmp_path / "raw"
    make_quarters(raw, year_start=2012, quarters=(1, 2))
    warm = batch(raw, tmp_path / "warm")
    cold = subprocess.run(
        batch_args(raw, tmp_path / "cold"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"COUNCIL_COLD_KERNELS": "1"},
    )
    assert warm.returncode == cold.returncode == 0, warm.stderr + cold.stderr
    assert "note:" not in warm.stderr
    assert "note: kernels start cold: COUNCIL_COLD_KERNELS is set" in cold.stderr

    made = tree_digests(tmp_path / "warm")
    assert len(made) > 20 and made == tree_digests(tmp_path / "cold")
