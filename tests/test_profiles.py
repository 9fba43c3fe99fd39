"""profiles: one report per organisation of a benchmark dataset, the same whether built on local processes or on
a Dask cluster; the coordinator alone writes; an unchanged profile is taken as it is."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import OFLOG, ROOT, cli, oflog_or_skip

ONLY = "E06000004,E08000024"  # Stockton-on-Tees and Sunderland, nearest neighbours of each other


def _oflog():
    oflog_or_skip()
    layout = ROOT / "data" / "benchmarks" / "oflog_asc.toml"
    return [OFLOG / "ASC_data.csv", "--layout", layout, "--peers", OFLOG / "NN.json", "--year", "2022/23"]


def digests(root: Path) -> dict:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".locks" not in p.parts
    }


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    done = cli("profiles", *_oflog(), "--only", ONLY, "--out", out, "--jobs", "2")
    assert done.returncode == 0, done.stderr
    return out, done


def test_profiles_are_published_per_organisation_with_an_index_and_the_position_table(local):
    out, done = local
    assert "rendered 2, taken from the cache 0, failed 0" in done.stdout
    folder = out / "E06000004" / "2022-23" / "Q4"
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == [
        "benchmark.csv",
        "charts/how_we_compare.svg",
        "inputs.zip",
        "manifest.json",
        "report.docx",
        "report.html",
        "report.ipynb",
        "report.pdf",
        "statements.csv",
    ]
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Stockton-on-Tees: how it compares" in html and "3rd of 16 (top quartile)" in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="E06000004/2022-23/Q4/report.html">Stockton-on-Tees</a>' in index
    assert "Against its 15 peers, 4 of the 5 measures ranked are in the top quartile and 0 in the bottom." in index
    said = pd.read_csv(folder / "statements.csv", dtype=str)
    assert set(said["fact"]) >= {"quartiles", "compared"}
    assert "slightly better than its peer group's median" in html.replace("&#x27;", "'")
    table = pd.read_csv(out / "profiles.csv", dtype=str)
    assert set(table["organisation"]) == {"E06000004", "E08000024"}
    verify = cli("verify", folder)
    assert verify.returncode == 0 and "statements hold for benchmark.csv" in verify.stdout, verify.stdout
    again = cli("reproduce", folder, "--inputs", OFLOG)  # the dataset and peers lie outside the project
    assert again.returncode == 0 and "all 8 files reproduced" in again.stdout, again.stdout + again.stderr


def test_an_unchanged_profile_is_taken_from_the_cache(local, tmp_path):
    out, _ = local
    before = digests(out)
    done = cli("profiles", *_oflog(), "--only", ONLY, "--out", out)
    assert done.returncode == 0 and "rendered 0, taken from the cache 2" in done.stdout
    assert digests(out) == before


def test_a_dask_cluster_builds_the_same_folders_byte_for_byte(local, tmp_path):
    """The same profiles through a distributed.LocalCluster on the loopback address: the published folders are
    byte-identical to those the local processes built."""
    from distributed import LocalCluster

    out, _ = local
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        done = cli("profiles", *_oflog(), "--only", ONLY, "--out", tmp_path, "--scheduler", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr
    assert digests(tmp_path) == digests(out)


def test_a_scheduler_that_does_not_answer_is_a_one_line_error():
    done = cli("profiles", *_oflog(), "--only", "E06000004", "--scheduler", "tcp://127.0.0.1:9")
    assert done.returncode == 2 and "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_cluster_whose_workers_run_other_code_is_refused_before_any_work(monkeypatch):
    """The workers' code digest is asked first: a worker without this pipeline's code would make other reports."""
    from distributed import LocalCluster

    from pipeline.errors import UsageError
    from pipeline.run import executors

    monkeypatch.setattr(executors, "_code_digest_here", lambda: "0123456789abcdef-other")
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        with pytest.raises(UsageError, match="worker\\(s\\) without this pipeline's code .*0123456789ab"):
            executors.executor_for(cluster.scheduler_address)
