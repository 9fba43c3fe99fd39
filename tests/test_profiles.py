"""profiles: one report per organisation of a benchmark dataset, the same whether built on local processes or on
a Dask cluster; the coordinator alone writes; an unchanged profile is taken as it is."""

import pandas as pd
import pytest
from conftest import OFLOG, ROOT, cli, oflog_or_skip, tree_digests

ONLY = "E06000004,E08000024"  # Stockton-on-Tees and Sunderland, nearest neighbours of each other


def _oflog():
    oflog_or_skip()
    layout = ROOT / "data" / "benchmarks" / "oflog_asc.toml"
    return [OFLOG / "ASC_data.csv", "--layout", layout, "--peers", OFLOG / "NN.json", "--year", "2022/23"]


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
        "charts/over_the_years.svg",
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
    # every organisation of the dataset, rendered this time or not (README: profiles.csv lists all of them)
    assert {"E06000004", "E08000024"} < set(table["organisation"]) and table["organisation"].nunique() == 157
    verify = cli("verify", folder)
    assert verify.returncode == 0 and "statements hold for benchmark.csv" in verify.stdout, verify.stdout
    again = cli("reproduce", folder, "--inputs", OFLOG)  # the dataset and peers lie outside the project
    assert again.returncode == 0 and "all 9 files reproduced" in again.stdout, again.stdout + again.stderr


@pytest.mark.parametrize("warm", [False, True], ids=["cold kernel", "warm kernel"])
def test_a_profile_renders_to_the_recorded_files_from_a_cold_or_a_warm_kernel(tmp_path, warm):
    """A profile's published files, with the software's identity held fixed, against
    ``tests/fixtures/golden_profile.json`` (``tests/golden.py`` rewrites it): the same from either kernel."""
    import json

    import golden

    from pipeline.run import warm as warm_kernels

    oflog_or_skip()
    before = warm_kernels.started_warm[0]
    recorded = json.loads(golden.GOLDEN_PROFILE.read_text(encoding="utf-8"))
    rendered = golden.render_profile(tmp_path, warm=warm)
    assert warm_kernels.started_warm[0] == before + warm
    assert sorted(rendered) == sorted(recorded)
    assert {name for name in recorded if rendered[name] != recorded[name]} == set()


def test_an_unchanged_profile_is_taken_from_the_cache(local, tmp_path):
    out, _ = local
    before = tree_digests(out)
    done = cli("profiles", *_oflog(), "--only", ONLY, "--out", out)
    assert done.returncode == 0 and "rendered 0, taken from the cache 2" in done.stdout
    assert tree_digests(out) == before


def test_a_dask_cluster_builds_the_same_folders_byte_for_byte(local, tmp_path):
    """The same profiles through a distributed.LocalCluster on the loopback address: the published folders are
    byte-identical to those the local processes built."""
    from distributed import LocalCluster

    out, _ = local
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        done = cli("profiles", *_oflog(), "--only", ONLY, "--out", tmp_path, "--scheduler", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr
    assert tree_digests(tmp_path) == tree_digests(out)


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
    with LocalCluster(
        n_workers=1, processes=False, dashboard_address=None, protocol="tcp", host="127.0.0.1"
    ) as cluster:
        with pytest.raises(UsageError, match="worker\\(s\\) without this pipeline's code .*0123456789ab"):
            executors.executor_for(cluster.scheduler_address)


# --- issue 31: hostile inputs to profiles, each refused in one line or rendered whole -------------------------

NAMES = {"A1": "Aton (SYNTHETIC)", "B2": "N" * 10_000, "C3": "C\u202eton (SYNTHETIC)"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A SYNTHETIC dataset of three organisations: one with a 10,000-character name, one whose name holds a
    right-to-left override (U+202E) that would reverse its title."""
    folder = tmp_path_factory.mktemp("small")
    rows = ["org,name,measure,year,value,better"]
    for code, name in NAMES.items():
        for measure in ("M1", "M2"):
            rows += [
                f"{code},{name},{measure},{year},{value + len(code)},up"
                for year, value in (("2021-22", 1), ("2022-23", 2))
            ]
    (folder / "synthetic.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "synthetic.toml").write_text(
        '[layout]\nkind = "benchmark"\nname = "SYNTHETIC test dataset"\n[columns]\norganisation = "org"\n'
        'organisation_name = "name"\nmeasure = "measure"\nperiod = "year"\nvalue = "value"\npolarity = "better"\n'
        '[polarity]\n"up" = "higher"\n',
        encoding="utf-8",
    )
    out = folder / "out"
    done = cli("profiles", folder / "synthetic.csv", "--layout", folder / "synthetic.toml", "--year", "2022/23",
               "--out", out, "--jobs", "2")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, out


def _small_args(folder):
    return [folder / "synthetic.csv", "--layout", folder / "synthetic.toml", "--year", "2022/23"]


def test_a_long_name_and_a_bidirectional_override_render_and_are_named_plainly(small):
    """Before: a 10,000-character name failed its profile (Word holds 255 characters in a title); U+202E reversed
    a title in the PDF and the HTML."""
    import zipfile

    _, out = small
    long = out / "B2" / "2022-23" / "Q4"
    with zipfile.ZipFile(long / "report.docx") as docx:
        core = docx.read("docProps/core.xml").decode("utf-8")
    title = core.split("<dc:title>")[1].split("</dc:title>")[0]
    assert len(title) == 255 and title.endswith("…")
    html = (out / "C3" / "2022-23" / "Q4" / "report.html").read_text(encoding="utf-8")
    assert "\u202e" not in html and "Cton (SYNTHETIC): how it compares" in html
    assert "a name held invisible or bidirectional-control characters" in html


def test_only_some_profiles_again_keep_every_organisation_in_the_index_with_one_file_mode(small):
    """Before: --only X on an existing tree rewrote index.html and profiles.csv to list X alone, and both were
    written 0600 where the reports are 0644."""
    folder, out = small
    done = cli("profiles", *_small_args(folder), "--out", out, "--only", "A1", "--force")
    assert done.returncode == 0 and "rendered 1," in done.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{code}/2022-23/Q4/report.html"' in index for code in NAMES)
    assert set(pd.read_csv(out / "profiles.csv", dtype=str)["organisation"]) == set(NAMES)
    modes = {(p.stat().st_mode & 0o777) for p in out.rglob("*") if p.is_file() and ".locks" not in p.parts}
    assert len(modes) == 1, modes


@pytest.mark.parametrize(
    "extra, said",
    [
        (("--only", ",,,"), "names no organisation"),
        (("--only", "A1,ZZ9"), "has no organisation 'ZZ9'"),
    ],
)
def test_bad_only_lists_are_one_line_errors(small, tmp_path, extra, said):
    folder, _ = small
    done = cli("profiles", *_small_args(folder), "--out", tmp_path / "o", *extra)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").rglob("report.html"))


def test_an_out_that_is_a_file_or_a_broken_manifest_in_the_tree_stops_nothing_it_should_not(small, tmp_path):
    """Before: --out naming a file rendered everything, then failed with FileExistsError; a manifest.json that is
    [] or lists outputs [1, 2] in the tree crashed every profile."""
    folder, _ = small
    (tmp_path / "a_file").write_text("x")
    done = cli("profiles", *_small_args(folder), "--out", tmp_path / "a_file")
    assert done.returncode == 2 and "is not a folder" in done.stderr and "Traceback" not in done.stderr
    tree = tmp_path / "tree"
    for code, broken in (("A1", "[]"), ("B2", '{"outputs": [1, 2]}')):
        (tree / code / "2022-23" / "Q4").mkdir(parents=True)
        (tree / code / "2022-23" / "Q4" / "manifest.json").write_text(broken)
    done = cli("profiles", *_small_args(folder), "--out", tree)
    assert done.returncode == 0 and "rendered 3," in done.stdout, done.stdout + done.stderr
    assert cli("verify", tree / "A1" / "2022-23" / "Q4").returncode == 0


def test_two_profiles_runs_on_one_tree_render_each_profile_once(small, tmp_path):
    """Before: two runs at once both rendered everything. The second waits for the first and takes its work."""
    import subprocess
    import sys

    folder, _ = small
    command = [sys.executable, "-m", "pipeline", "profiles", *map(str, _small_args(folder)), "--out", str(tmp_path)]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    said = [first.communicate()[0], second.communicate()[0]]
    assert sorted(s.split("rendered ")[-1].split(",")[0] for s in said if "rendered " in s) == ["0", "3"], said
