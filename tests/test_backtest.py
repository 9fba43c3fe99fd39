"""Backtest: the whole clean stage on the real seed export against hand-checked figures."""

import pandas as pd
from conftest import FIXTURES, SEED, prepared

from pipeline.figures import measure


def test_every_indicator_row_and_status_matches_the_hand_checked_list():
    expected = pd.read_csv(FIXTURES / "seed_status_by_line.csv", dtype=str, keep_default_na=False)
    ind = prepared(SEED).indicators
    assert ind["source_line"].astype(int).tolist() == expected["source_line"].astype(int).tolist()
    raw_status = [
        str(c) if k == "code" else ("" if k == "blank" else s)
        for c, s, k in zip(ind["status_code"], ind["status"], ind["status_kind"])
    ]
    assert raw_status == expected["status_column"].tolist()
    # rows with an empty Ref carry the Ref of the indicator above
    given = expected["ref"].replace("", pd.NA).ffill()
    assert ind["ref"].tolist() == given.tolist()


def test_headline_figures_of_the_seed():
    data = prepared(SEED)
    head = measure.headline(data.indicators).set_index("measure")
    assert head["count"].tolist() == [91, 19, 110, 7, 4, 121]
    assert head["percent"].tolist()[:2] == ["82.7%", "17.3%"]
    counts = measure.status_counts(data.indicators)
    assert counts["count"].tolist()[:4] == [61, 30, 10, 9]


def test_the_seeds_own_summary_agrees_with_its_rows():
    data = prepared(SEED)
    check = data.summary_check
    assert check[["label", "export_value", "computed_value"]].values.tolist() == [
        ["Achieved or on track", "91", "91"],
        ["Slipped or not achieved", "19", "19"],
        ["Percentage achieved or on track", "82.7%", "82.7%"],
        ["Percentage slipped or not achieved", "17.3%", "17.3%"],
    ]
    assert check["agrees"].all()
    assert not data.findings["check"].isin(["summary_mismatch", "no_summary"]).any()


def test_known_anomalies_of_the_seed_are_recorded():
    findings = prepared(SEED).findings
    by_check = findings.groupby("check")["ref"].apply(list).to_dict()
    assert by_check["continuation_row"] == ["12.1", "12.3"]
    assert by_check["status_blank"] == ["16.2", "17.3", "24.1", "32.2"]
    assert by_check["objective_mismatch"] == ["11.3", "11.4"]
    assert by_check["directorate_missing"] == ["32.2"]
    assert len(by_check["status_text"]) == 7
    assert sorted(set(by_check["html_markup"])) == [
        "18.1",
        "19.1",
        "20.2",
        "20.3",
        "21.1",
        "22.1",
        "32.1",
        "32.3",
        "32.4",
    ]


def test_themes_and_a_few_rows_read_by_hand():
    ind = prepared(SEED).indicators.set_index(["ref", "part"])
    assert ind.loc[("4.6", 1), ["theme", "directorate", "status_code"]].tolist() == [
        "Economic Regeneration and Transport",
        "DNS",
        1,
    ]
    assert ind.loc[("11.6", 1), "status"] == "On Track to Achieve Target"
    assert ind.loc[("18.1", 1), "status"] == "N/A - proved to be an inappropriate measure"
    assert ind.loc[("18.1", 1), "action"].startswith("Implement new Safeguarding management arrangements")
    assert "<" not in ind.loc[("20.2", 1), "progress"]
    assert ind.loc[("25.3", 1), "measure"].startswith("Less than 2,589 incidents of criminal damage")
    assert list(dict.fromkeys(ind["theme"])) == [
        "Economic Regeneration and Transport",
        "Environment and Housing",
        "Culture and Leisure",
        "Children and Young People",
        "Adults' services",
        "Health and Wellbeing",
        "Other Health and Wellbeing outcomes",
        "Community Safety",
        "Stronger Communities",
        "Our Organisational and Operational Effectiveness",
        "Our value for Money/ Efficiency",
    ]
