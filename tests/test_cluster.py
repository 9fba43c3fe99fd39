"""A cluster is trusted only as far as it is checked (issue 31): the scheduler's address is checked before any
connection and the connection bounded; every result a worker hands back is plain data (names, bytes, text) read
as msgpack, its file names inside its folder and its code digest this run's, or nothing of it is written."""

import socket
import threading
import time
from concurrent.futures import Future

import pytest

from pipeline.errors import UsageError
from pipeline.run import executors
from pipeline.run.build import Built
from pipeline.run.coordinator import run_jobs
from pipeline.run.jobs import Job

CODE = "c0de" * 16


@pytest.mark.parametrize(
    "address",
    ["junk://nothing", "tcp://", "tcp://junk!!:x", "inproc://x", "ws://host:8786", "tcp://host:0", "tcp://host:70000",
     "tcp://-host:1", "tcp://host", "tcp://[zz::1]:8786", "", "tcp://host:8786/path"],
)  # fmt: skip
def test_a_malformed_scheduler_address_is_refused_before_any_connection(address):
    with pytest.raises(UsageError, match="--scheduler"):
        executors.checked_address(address)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tls://scheduler.example.org:8786", "tcp://[::1]:8786"])
def test_a_schedulers_address_as_dask_writes_it(address):
    assert executors.checked_address(address) == address


class Given:
    """An executor whose every build comes back as ``result`` (what a worker of a cluster that is not ours might
    hand back), without running the build."""

    def __init__(self, result):
        self.result = result

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        future.set_running_or_notify_cancel()
        future.set_result(self.result)
        return future


def job(tmp_path) -> Job:
    root = tmp_path / "out"
    return Job("X1", root / "X1" / "2022-23" / "Q4", root, "key", lambda: None, None, CODE)


@pytest.mark.parametrize(
    "result, why",
    [
        ({"files": {"/etc/cron.d/x": b"x"}, "tables": {}, "code": CODE}, "outside its folder"),
        ({"files": {"../../beside.txt": b"x"}, "tables": {}, "code": CODE}, "outside its folder"),
        ({"files": {"report.html": b"x"}, "tables": {"../x.csv": b"x"}, "code": CODE}, "outside its folder"),
        ({"files": {"report.html": b"x"}, "tables": {}, "code": "f" * 64}, "made by pipeline code ffffffffffff"),
        ({"files": {"report.html": "not bytes"}, "tables": {}, "code": CODE}, "something other than a report's files"),
        ({"files": {"report.html": b"x"}, "tables": {}, "code": CODE, "more": 1}, "something other than"),
        ({"error": "the export could not be read"}, "the export could not be read"),
    ],
)
def test_a_worker_that_names_a_file_outside_its_folder_or_runs_other_code_publishes_nothing(tmp_path, result, why):
    outcome = run_jobs([job(tmp_path)], Given(result))
    assert outcome.rendered == [] and len(outcome.failed) == 1 and why in outcome.failed[0][1]
    assert not (tmp_path / "out").exists() or not any(p.is_file() for p in (tmp_path / "out").rglob("*"))
    assert not (tmp_path / "beside.txt").exists()


def test_a_build_from_this_machine_is_taken_as_it_is(tmp_path):
    outcome = run_jobs([job(tmp_path)], Given(Built({"report.html": b"<p>x</p>"}, {}, CODE)))
    assert outcome.failed == [] and outcome.rendered == ["X1"]


def _listening_but_silent():
    """A TCP server that accepts and never says a word (a port that is not Dask's)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept())
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server


@pytest.mark.slow
def test_a_port_that_is_not_a_dask_scheduler_is_given_up_within_the_stated_time(monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 2)
    server = _listening_but_silent()
    start = time.monotonic()
    with pytest.raises(UsageError, match="no Dask scheduler answers at tcp://127.0.0.1"):
        executors.executor_for(f"tcp://127.0.0.1:{server.getsockname()[1]}")
    assert time.monotonic() - start < 2 + 5 + 3
    server.close()


def _plain_build():
    return Built({"report.html": b"<p>made</p>"}, {}, "ignored: the worker says its own")


def _an_object():
    import fractions

    return fractions.Fraction(1, 3)


@pytest.mark.slow
def test_a_worker_that_joins_with_other_code_or_hands_back_an_object_is_refused(monkeypatch, tmp_path):
    """The cluster is checked at the start; a worker changed afterwards (or joining late) is caught by the digest
    its own result carries."""
    from distributed import LocalCluster

    from pipeline.run import manifest

    with LocalCluster(
        n_workers=1, processes=False, dashboard_address=None, protocol="tcp", host="127.0.0.1"
    ) as cluster:
        pool = executors.executor_for(cluster.scheduler_address)
        mine = manifest.code_digest()
        honest = Job("A", tmp_path / "out" / "A", tmp_path / "out", "k", _plain_build, None, mine)
        assert run_jobs([honest], pool).rendered == ["A"]
        monkeypatch.setattr(executors, "_code_digest_here", lambda: "0123456789abcdef-late")
        late = Job("B", tmp_path / "out" / "B", tmp_path / "out", "k", _plain_build, None, mine)
        outcome = run_jobs([late], pool)
        assert outcome.rendered == [] and "made by pipeline code 0123456789ab" in outcome.failed[0][1]
        assert not (tmp_path / "out" / "B").exists()
        pool.shutdown()


@pytest.mark.slow
def test_an_object_a_worker_hands_back_is_never_unpickled():
    """What a modified worker could send instead of names and bytes: the client reads msgpack only."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        client = executors._connect(cluster.scheduler_address)
        try:
            with pytest.raises(TypeError, match="only able to deserialize data with \\['msgpack'\\]"):
                client.submit(_an_object, pure=False).result(timeout=60)
            assert client.submit(_plain_dict, pure=False).result(timeout=60) == {"files": {"a": b"b"}}
        finally:
            client.close()


def _plain_dict():
    return {"files": {"a": b"b"}}
