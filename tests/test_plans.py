"""plans and dates: milestones from the three Service Improvement Plans, and the Medium Term Financial Plan."""

from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES

from pipeline.read.plans import clean_plan, looks_like_plan
from pipeline.read.plans.dates import due_dates

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
# the three plans as copied, byte for byte, from the seeds 002, 003 and 004
SEEDS = {
    "002": RAW / "sip_policy_performance_communications_2008-09_to_2010-11.txt",
    "003": RAW / "sip_children_education_social_care_2008-09_to_2010-11.txt",
    "004": RAW / "sip_community_protection_2009-10_to_2011-12.txt",
}


def plan(seed):
    return clean_plan(SEEDS[seed].read_text(encoding="utf-8"), SEEDS[seed].name)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("March 2009", ["2009-03-31"]),
        ("March 09.", ["2009-03-31"]),
        ("31st May 2009", ["2009-05-31"]),
        ("May - July 2008", ["2008-07-31"]),
        ("April 08 – March 09", ["2009-03-31"]),
        ("Summer 2008", ["2008-08-31"]),
        ("By Autumn 2008", ["2008-11-30"]),
        ("Spring 2009", ["2009-05-31"]),
        ("Winter 2009", ["2010-02-28"]),
        ("June 2008 June 2010", ["2008-06-30", "2010-06-30"]),
        ("Ongoing", []),
        ("In line with national deadlines", []),
        ("2010", []),
        ("February 2012", ["2012-02-29"]),
    ],
)
def test_due_dates_are_the_end_of_what_the_text_states(text, expected):
    assert [d.date.isoformat() for d in due_dates(text)] == expected


def test_plans_are_told_from_exports():
    assert looks_like_plan(SEEDS["002"].read_text(encoding="utf-8"))
    assert not looks_like_plan("Ref.\tChange/Improvement Priority Actions\n1.1\tx\n")


def test_hand_labelled_milestones():
    labels = pd.read_csv(FIXTURES / "labelled_milestones.csv", dtype=str, keep_default_na=False)
    cleaned = {seed: plan(seed).milestones for seed in ("002", "003", "004")}
    for row in labels.itertuples(index=False):
        found = cleaned[row.seed][cleaned[row.seed]["source_line"] == int(row.source_line)]
        assert len(found) == 1, (row.seed, row.source_line)
        got = found.iloc[0]
        assert got["action"].startswith(row.action_starts), (row.source_line, got["action"])
        assert (got["due_text"], got["due_date"]) == (row.due_text, row.due_date), row.source_line


def test_plan_names_themes_and_priorities():
    ppc = plan("002")
    assert ppc.plan == "Policy, Performance and Communications"
    first = ppc.milestones.iloc[0]
    assert first["priority"] == "PPC 1 - Improve communication, consultation and engagement with local people"
    assert first["theme"] == "Supports all Sustainable Community Strategy themes"
    assert plan("004").plan == "Community Protection"
    assert plan("003").milestones["priority"].iloc[0].startswith("Promote positive sexual health")


def test_what_cannot_be_placed_is_recorded():
    findings = plan("002").findings
    flattened = findings[findings["check"] == "flattened_table"]
    assert flattened["source_line"].tolist() == [22]
    assert flattened["ref"].iloc[0].startswith("PPC 2")
    unpaired = findings[findings["check"] == "dates_unpaired"]
    assert 16 in unpaired["source_line"].tolist()
    assert "June 2008, June 2010" in unpaired[unpaired["source_line"] == 16]["finding"].iloc[0]
    assert "onwards" in findings[findings["check"] == "due_open_ended"]["finding"].iloc[0]


def test_narrative_after_a_table_is_not_read_as_milestones():
    milestones = plan("002").milestones
    assert not milestones["action"].str.contains("New government policies and legislation").any()
    assert milestones["source_line"].max() < 160


def test_budget_matches_the_document():
    budget = plan("004").budget.set_index(["table", "line", "year"])["amount"]
    mtfp = "Medium Term Financial Plan"
    assert budget[(mtfp, "Expenditure", "2009/10")] == 8_802_321
    assert budget[(mtfp, "Income / Recharges", "2012/13")] == -5_094_243  # bracketed: negative
    assert budget[(mtfp, "Net Budget Position", "2010/11")] == 3_973_525
    assert budget[(mtfp, "Additional activities required to balance budget position", "2010/11")] == -171_123
    assert (mtfp, "Additional activities required to balance budget position", "2009/10") not in budget.index
    assert budget[(mtfp, "Total Budget Requirement", "2012/13")] == 3_956_454
    assert budget[(mtfp, "Headroom", "2009/10")] == 516_000
    assert budget[(mtfp, "Total Funding", "2009/10")] == 3_734_032
    statement = "Community Protection - MS/MC Statement"
    assert budget[(statement, "(MS) / MC Brought Forward", "2008/09")] == -551_530
    assert budget[(statement, "(MS) / MC Carried Forward", "2008/09")] == -284_162


def test_budget_totals_are_checked_against_their_parts():
    findings = plan("004").findings
    assert not findings["check"].isin(["budget_total_mismatch", "budget_unbalanced"]).any()
    text = SEEDS["004"].read_text(encoding="utf-8").replace("3,802,402", "3,802,412", 1)  # break one total
    broken = clean_plan(text, "004").findings
    mismatch = broken[broken["check"] == "budget_total_mismatch"]
    assert mismatch["finding"].tolist() == [
        "Total Budget Requirement 2010/11 is 3,802,412; its parts add up to 3,802,402"
    ]
    assert "budget_unbalanced" in broken["check"].tolist()


def test_group_headings_are_groups_never_actions_or_dates():
    """Before: 'Develop a publicity campaign to raise the profile of the NE initia | ative' was glued onto the
    action below it, which then carried the fragment as its due text ('ative May 2008')."""
    found = plan("002")
    rows = found.milestones.set_index("source_line")
    assert rows.loc[38, "action"] == "Investigate branding for the partnership"
    assert rows.loc[38, "due_text"] == "May 2008" and rows.loc[38, "due_date"] == "2008-05-31"
    assert rows.loc[38, "group"] == "Develop a publicity campaign to raise the profile of the NE initiative"
    assert rows.loc[30, "action"] == "Evaluate the 2007/08 interventions"
    assert rows.loc[30, "group"] == "Develop a longer term rolling delivery plan for 2008-10"
    assert rows.loc[34, "group"] == "Explore new methods and models for delivering services/ initiatives in the NE area"
    assert rows.loc[42, "action"] == "Review the partnership structure and election processes"
    assert rows.loc[42, "group"] == "Strengthen engagement in the St Ann's Partnership Board"
    assert not any("ative" in text.split()[:1] for text in found.milestones["due_text"] if text)
    for line in (29, 33, 37, 41):
        assert line not in rows.index  # a heading is not a milestone
    headings = found.findings[found.findings["check"] == "group_heading"]
    assert list(headings["source_line"]) == [29, 33, 37, 41, 129]
    # a 'Theme:' label alone on its line names the theme of the priority that follows, never a group
    assert rows.loc[145, "theme"] == "Stonger communities ,Organisational Development \u2013 Service Delivery"
    assert rows.loc[145, "group"] == "" and rows.loc[145, "due_date"] == "2008-09-30"
    assert len(found.milestones) == 64 and int((found.milestones["due_date"] != "").sum()) == 53
