"""milestones: states against a period, counts by priority, the budget by year; the milestone report end to end."""

import subprocess

import pandas as pd
import pytest
from conftest import PYTHON, ROOT
from pypdf import PdfReader

from pipeline.figures import milestones
from pipeline.period import Period

Q1 = Period.parse("2008/09", "Q1")


def frame():
    return pd.DataFrame(
        {
            "priority": ["P1", "P1", "P2", "P2"],
            "action": list("abcd"),
            "due_date": ["2008-03-31", "2008-06-30", "2009-03-31", ""],
        }
    )


def test_states_against_the_period():
    assert (Q1.start_date.isoformat(), Q1.end_date.isoformat()) == ("2008-04-01", "2008-06-30")
    out = milestones.classify(frame(), Q1)
    assert out["state"].tolist() == [
        milestones.PAST_DUE,
        milestones.DUE_IN_PERIOD,
        milestones.LATER,
        milestones.UNDATED,
    ]
    assert milestones.counts(out)["count"].tolist() == [1, 1, 1, 1]
    table = milestones.by_priority(out)
    assert table.loc["P1"].tolist() == [1, 1, 0, 0, 2] and table.loc["P2"].tolist() == [0, 0, 1, 1, 2]


def test_budget_by_year_and_year_on_year_change():
    budget = pd.DataFrame(
        {
            "table": ["Medium Term Financial Plan"] * 4,
            "line": ["Total"] * 3 + ["Other"],
            "year": ["2009/10", "2010/11", "2011/12", "2009/10"],
            "amount": [100, 110, 99, 5],
        }
    )
    by_year = milestones.budget_by_year(budget)
    assert by_year.index.tolist() == ["Total", "Other"] and by_year.columns.tolist() == [
        "2009/10",
        "2010/11",
        "2011/12",
    ]
    change = milestones.year_on_year(by_year, "Total")
    assert change["amount"].tolist() == [100, 110, 99]
    assert change["change"].tolist()[1:] == [10, -11] and change["change_pct"].tolist()[1:] == [10.0, -10.0]


def render(plan, year, quarter, out):
    done = subprocess.run(
        [
            PYTHON,
            "-m",
            "pipeline",
            "plan",
            str(ROOT / "data" / "raw" / plan),
            "--year",
            year,
            "--quarter",
            quarter,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return out / "plans" / plan / year.replace("/", "-") / quarter


@pytest.mark.slow
def test_milestone_reports_render_for_ppc_2008_09_q1_and_community_protection_2009_10_q4(tmp_path):
    ppc = render("sip_policy_performance_communications_2008-09_to_2010-11.txt", "2008/09", "Q1", tmp_path)
    html = (ppc / "report.html").read_text()
    assert "Policy, Performance and Communications: Service Improvement Plan milestones" in html
    assert "Milestones due in 2008/09 Q1" in html and "Re-procure design and print for Stockton News" in html
    assert "This plan holds no Medium Term Financial Plan." in html
    assert 'alt="Timeline of dated milestones by development priority' in html
    assert sorted(p.name for p in ppc.iterdir()) == [
        "charts",
        "data_quality.csv",
        "inputs.zip",
        "manifest.json",
        "milestones.csv",
        "report.docx",
        "report.html",
        "report.ipynb",
        "report.pdf",
    ]
    cp = render("sip_community_protection_2009-10_to_2011-12.txt", "2009/10", "Q4", tmp_path)
    text = "\n".join(p.extract_text() for p in PdfReader(cp / "report.pdf").pages)
    assert "Community Protection: Service" in text and "Total Budget Requirement" in text
    assert "3,802,402" in text and "+68,370" in text  # 2010/11 and its change on 2009/10
    assert (cp / "budget.csv").exists() and (cp / "charts" / "budget_by_year.svg").exists()
    done = subprocess.run([PYTHON, "-m", "pipeline", "verify", str(cp)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout


@pytest.mark.slow
def test_rendering_a_period_never_removes_a_plan_report_and_each_folder_verifies_alone(tmp_path):
    """Before: plans rendered into <period>/plans/, so run --force of the period deleted them and verify
    of the period folder failed once a plan was there."""
    plan = render("sip_community_protection_2009-10_to_2011-12.txt", "2011/12", "Q4", tmp_path)
    period = subprocess.run(
        [PYTHON, "-m", "pipeline", "run", "--force", "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert period.returncode == 0, period.stderr
    assert (plan / "report.html").is_file()
    for folder in (plan, tmp_path / "2011-12" / "Q4"):
        done = subprocess.run(
            [PYTHON, "-m", "pipeline", "verify", str(folder)], capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 0, done.stdout
