"""executors: builds in processes of their own; a dead worker fails its own build; workers die with their batch."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, batch_args
from synthetic import make_quarters

from pipeline.run.executors import EXECUTORS, LocalProcesses, WorkerDied, executor


def square(n):
    return n * n


def killed():
    os.kill(os.getpid(), signal.SIGKILL)


def raises():
    raise ValueError("a build's own error")


def test_a_worker_that_dies_fails_its_own_build_and_the_others_go_on():
    """Before: a killed batch worker broke the whole pool (BrokenProcessPool traceback, no summary)."""
    pool = executor("processes", max_workers=2)
    try:
        futures = [pool.submit(square, 3), pool.submit(killed), pool.submit(raises), pool.submit(square, 4)]
        assert futures[0].result(timeout=60) == 9
        with pytest.raises(WorkerDied, match=r"the worker process died \(killed by SIGKILL\) before it finished"):
            futures[1].result(timeout=60)
        with pytest.raises(ValueError, match="a build's own error"):
            futures[2].result(timeout=60)
        assert futures[3].result(timeout=60) == 16
    finally:
        pool.shutdown()
    assert EXECUTORS["processes"] is LocalProcesses


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_a_killed_batch_leaves_no_worker_or_kernel_behind(tmp_path):
    """Before: a killed batch parent left orphan workers that went on publishing and then hung for ever."""
    raw = tmp_path / "raw"
    make_quarters(raw, year_start=2012)
    out = tmp_path / "out"
    batch = subprocess.Popen(
        batch_args(raw, out),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 4:  # the fork server, two workers and a kernel
        workers = _descendants(batch.pid)
        time.sleep(0.1)
    assert len(workers) >= 4, workers
    batch.kill()
    batch.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert [pid for pid in workers if _alive(pid)] == []
    published = sorted(p.parent.relative_to(out).as_posix() for p in out.glob("*/*/manifest.json"))
    time.sleep(3)
    assert sorted(p.parent.relative_to(out).as_posix() for p in out.glob("*/*/manifest.json")) == published


def _kernels_of(pid: int) -> list[tuple[int, int]]:
    """(kernel, a worker) for each notebook kernel under ``pid``: a cold kernel is its worker's child; a warm one is
    the template's (its command line the template's), and the worker is one of the fork server's children."""
    found, commands, parents = [], {}, {}
    for child in _descendants(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                commands[child] = f.read().replace(b"\0", b" ")
            with open(f"/proc/{child}/stat") as f:
                parents[child] = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    workers = [c for c, parent in parents.items() if b"forkserver" in commands.get(parent, b"")]
    for child, command in commands.items():
        if b"ipykernel_launcher" in command:
            found.append((child, parents[child]))
        elif b"warm_template" in command and b"warm_template" in commands.get(parents[child], b"") and workers:
            found.append((child, workers[0]))
    return found


def _batch_while(tmp_path, act):
    """A batch of four SYNTHETIC quarters with its own TMPDIR; ``act(batch)`` once a report's kernel runs. Returns
    (the batch's stderr, what is left in its TMPDIR)."""
    import tempfile

    raw = tmp_path / "raw"
    make_quarters(raw, year_start=2012)
    scratch = Path(tempfile.mkdtemp(prefix="t-", dir="/tmp"))  # short: the fork server's socket lives in it
    env = dict(os.environ, TMPDIR=str(scratch))
    batch = subprocess.Popen(batch_args(raw, tmp_path / "out"), cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    deadline, kernels = time.monotonic() + 60, []
    while time.monotonic() < deadline and not kernels:
        kernels = _kernels_of(batch.pid)
        time.sleep(0.05)
    assert kernels, "no report's kernel started"
    act(batch, kernels)
    _, err = batch.communicate(timeout=300)
    time.sleep(2)
    return err, sorted(p.name for p in scratch.iterdir()), env, raw


@pytest.mark.slow
def test_a_killed_worker_leaves_no_traceback_and_nothing_in_the_temporary_folder(tmp_path):
    """Before: a killed worker left its kernel's connection file (tmp*.json) and pymp-* in TMPDIR."""
    err, left, _, _ = _batch_while(tmp_path, lambda batch, kernels: os.kill(kernels[0][1], signal.SIGKILL))
    assert "Traceback" not in err and "failed: WorkerDied" in err, err
    assert left == []


@pytest.mark.slow
def test_a_killed_batch_leaves_no_traceback_and_only_what_the_next_run_removes(tmp_path):
    """Before: the workers printed a BrokenPipe traceback, and pymp-* stayed in TMPDIR for good."""
    err, left, env, raw = _batch_while(tmp_path, lambda batch, kernels: batch.kill())
    assert "Traceback" not in err, err
    assert all(name.startswith("council-") for name in left), left
    again = subprocess.run(batch_args(raw, tmp_path / "again"), cwd=ROOT, capture_output=True, env=env)
    assert again.returncode == 0 and sorted(p.name for p in Path(env["TMPDIR"]).iterdir()) == []
