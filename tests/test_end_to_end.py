"""The whole path on the real export: `python -m pipeline run` writes the period folder, twice identically."""

import hashlib
import json
import re
import subprocess

import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import PYTHON, ROOT

FILES = ["charts/status_by_directorate.svg", "charts/status_by_quarter.svg", "charts/status_by_theme.svg",
         "charts/variance_from_target.svg",
         "data_quality.csv", "export_summary.csv",
         "indicators.csv", "manifest.json", "report.html", "report.ipynb", "report.pdf"]


def render(out, *extra):
    done = subprocess.run([PYTHON, "-m", "pipeline", "run", "--year", "2011/12", "--quarter", "Q4", "--out", str(out),
                           *extra], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return out / "2011-12" / "Q4", done.stdout


@pytest.fixture(scope="module")
def period(tmp_path_factory):
    return render(tmp_path_factory.mktemp("outputs"))[0]


def test_period_folder_holds_every_output(period):
    assert sorted(p.relative_to(period).as_posix() for p in period.rglob("*") if p.is_file()) == FILES
    assert not [p for p in period.parent.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_html_states_the_headline_and_links_the_figures(period):
    html = (period / "report.html").read_text(encoding="utf-8")
    assert "82.7%" in html and "17.3%" in html
    assert '<a href="indicators.csv">' in html
    assert "Stockton-on-Tees Borough Council" in html and "2011/12 year end" in html
    assert "<script" not in html.lower()
    assert html.count("<h1>") == 1
    # every slipped or not achieved indicator is in the exceptions
    assert html.count('<article class="exception">') == 19
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 4
    assert all('src="data:image/svg+xml;base64,' in i for i in images)
    assert sum('alt="Bar chart of indicator status by' in i for i in images) == 3
    assert sum('alt="Diverging bar chart of variance from target' in i for i in images) == 1


def test_pdf_states_the_headline_on_numbered_a4_pages(period):
    reader = PdfReader(period / "report.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "82.7%" in text and "17.3%" in text
    n = len(reader.pages)
    assert f"Page 2 of {n}" in text
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} == {(595, 842)}
    assert reader.metadata.title.startswith("Council Plan 2011/12 progress report")


def test_indicators_csv_is_what_the_report_counts(period):
    ind = pd.read_csv(period / "indicators.csv", dtype={"status_code": "Int64", "ref": str})
    assert len(ind) == 121
    assert ind["status_code"].value_counts().sort_index().tolist() == [61, 30, 10, 9]
    row = ind[ind["ref"] == "3.1"].iloc[0]
    assert (row["target"], row["baseline"], row["actual"], row["polarity"], row["rag"]) == (250, 242, 311, "higher", "green")
    assert row["target_from"].startswith("250 start-up businesses")


def test_html_shows_the_figures_sections(period):
    html = (period / "report.html").read_text(encoding="utf-8")
    for heading in ("Targets, actuals and variance", "Status not supported by the figures"):
        assert f">{heading}</h2>" in html
    assert "Coverage: indicators with figures" in html
    # 11.6: On Track with 5.5% against a target of less than 3%
    assert re.search(r"11\.6</th><td>Proportion of second or subsequent child protection plans.*?5\.5%", html, re.S)


def test_executed_notebook_records_its_parameters_and_nothing_machine_specific(period):
    nb = json.loads((period / "report.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"] == {
        "year": "2011/12", "quarter": "Q4", "input_path": "data/raw/council_plan_2011-12_Q4.tsv",
        "register_path": "data/raw/indicator_register.csv"}
    text = (period / "report.ipynb").read_text(encoding="utf-8")
    assert str(ROOT) not in text and "start_time" not in text
    assert not any(o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", []))


def digests(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}


def test_two_runs_give_byte_identical_files_and_the_cache_skips_an_unchanged_period(period, tmp_path):
    again, stdout = render(tmp_path)
    assert stdout.startswith("2011/12 Q4: wrote")
    assert digests(again) == digests(period)
    mtime = (again / "report.pdf").stat().st_mtime_ns
    _, stdout = render(tmp_path)
    assert stdout.startswith("2011/12 Q4: up to date")
    assert (again / "report.pdf").stat().st_mtime_ns == mtime
    _, stdout = render(tmp_path, "--force")
    assert stdout.startswith("2011/12 Q4: wrote")
    assert (again / "report.pdf").stat().st_mtime_ns != mtime
    assert digests(again) == digests(period)


def test_manifest_lists_inputs_parameters_and_output_hashes(period):
    manifest = json.loads((period / "manifest.json").read_text())
    assert [i["path"] for i in manifest["inputs"]] == ["data/raw/council_plan_2011-12_Q4.tsv",
                                                       "data/raw/indicator_register.csv"]
    for entry in manifest["inputs"]:
        data = (ROOT / entry["path"]).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["parameters"]["year"] == "2011/12"
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert listed == {k: v for k, v in digests(period).items() if k != "manifest.json"}
