"""compare (and read.comparison): a national dataset read through its layout, and positions among peers and all, checked against the
real Oflog file and against SYNTHETIC datasets built in the test."""

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import OFLOG, oflog_or_skip

from pipeline.errors import InputError
from pipeline.figures import compare as benchmark
from pipeline.read import comparison

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = ROOT / "data" / "benchmarks" / "oflog_asc.toml"


@pytest.fixture(scope="module")
def oflog():
    oflog_or_skip()
    rules = comparison.read_comparison_layout(LAYOUT.read_bytes(), "oflog_asc.toml")
    text = (OFLOG / "ASC_data.csv").read_text(encoding="utf-8")
    return comparison.read_dataset(text, rules, "ASC_data.csv"), pd.read_csv(
        OFLOG / "ASC_data.csv", dtype=str, keep_default_na=False
    )


def test_every_all_organisations_median_is_the_files_own(oflog):
    data, raw = oflog
    compared = 0
    for (code, year), rows in raw.groupby(["Code", "Financial year"]):
        ours = benchmark.positions(data, rows["Local authority code"].iloc[0], None, {"r": code}, (2023, 4))
        mine = ours[ours["period"] == year.replace("-", "/")]
        medians = {float(m) for m in rows["MEDIAN"] if m}
        assert len(medians) == 1
        assert math.isclose(mine["all_median"].iloc[0], medians.pop(), rel_tol=1e-9), (code, year)
        compared += 1
    assert compared == 42  # 7 measures over their years


def test_ranks_follow_the_files_rank_order_and_unknown_polarity_gets_no_rank(oflog):
    data, raw = oflog
    for code, order in (("ASC2", "desc"), ("ASC5", "DESC"), ("ASC6", "None")):
        rows = raw[(raw["Code"] == code) & (raw["Financial year"] == "2022-23") & (raw["Value"] != "")]
        best = rows.loc[rows["Value"].astype(float).idxmax(), "Local authority code"]
        got = benchmark.positions(data, best, None, {"r": code}, (2022, 4))
        got = got[got["period"] == "2022/23"].iloc[0]
        assert set(rows["rank_order"]) == {order}
        if order.lower() == "desc":  # higher is better: the highest value ranks first
            assert (got["all_rank"], got["all_quartile"], got["all_n"]) == (1, 1, len(rows))
        else:
            assert pd.isna(got["all_rank"]) and "polarity not known (the dataset says 'None')" in got["note"]


def test_stockton_among_its_nearest_neighbours_as_computed_here(oflog):
    data, raw = oflog
    groups = json.loads((OFLOG / "NN.json").read_text())
    peers = comparison.read_peers_file((OFLOG / "NN.json").read_bytes(), "NN.json").of("E06000004")
    assert peers[0] == "E06000004" and len(peers) == len(set(groups["E06000004"])) == 16
    got = benchmark.positions(data, "E06000004", peers, {"QOL": "ASC2"}, (2022, 4))
    got = got.set_index("period")
    for year in ("2019-20", "2022-23"):
        rows = raw[(raw["Code"] == "ASC2") & (raw["Financial year"] == year) & (raw["Value"] != "")]
        values = dict(zip(rows["Local authority code"], rows["Value"].astype(float)))
        mine = values["E06000004"]
        group = [v for c, v in values.items() if c in set(groups["E06000004"])]
        row = got.loc[year.replace("-", "/")]
        assert row["value"] == mine
        assert row["peers_n"] == len(group) and row["all_n"] == len(values)
        assert row["peers_rank"] == 1 + sum(v > mine for v in group)  # ties share the best rank
        assert row["all_rank"] == 1 + sum(v > mine for v in values.values())
        assert row["peers_quartile"] == math.ceil(4 * row["peers_rank"] / len(group))
        assert row["peers_median"] == pd.Series(group).median()
    assert got.loc["2022/23", "all_rank_change"] == got.loc["2021/22", "all_rank"] - got.loc["2022/23", "all_rank"]


def synthetic(rows, polarity_column=True):
    """A SYNTHETIC long dataset (not any organisation's figures) and its layout."""
    header = "org,name,measure,measure name,year,value" + (",better" if polarity_column else "")
    text = "\n".join([header] + [",".join(map(str, r)) for r in rows]) + "\n"
    layout = (
        '[layout]\nkind = "benchmark"\n'
        + ("" if polarity_column else 'default_polarity = "lower"\n')
        + '[columns]\norganisation = "org"\norganisation_name = "name"\nmeasure = "measure"\n'
        + 'measure_name = "measure name"\nperiod = "year"\nvalue = "value"\n'
        + ('polarity = "better"\n[polarity]\n"up" = "higher"\n"down" = "lower"\n' if polarity_column else "")
    )
    rules = comparison.read_comparison_layout(layout.encode(), "synthetic.toml")
    return comparison.read_dataset(text, rules, "synthetic.csv")


def test_ties_missing_values_unknown_polarity_and_a_peer_without_a_value():
    data = synthetic(
        [
            ("A", "Aton", "M1", "Visits", "2022-23", 10, "up"),
            ("B", "Bton", "M1", "Visits", "2022-23", 10, "up"),
            ("C", "Cton", "M1", "Visits", "2022-23", 12, "up"),
            ("D", "Dton", "M1", "Visits", "2022-23", "", ""),  # a peer with no value
            ("E", "Eton", "M1", "Visits", "2022-23", 5, "up"),
            ("A", "Aton", "M2", "Waits", "2022-23", 3, "?"),  # polarity unknown
            ("B", "Bton", "M2", "Waits", "2022-23", 4, "?"),
        ]
    )
    got = benchmark.positions(data, "A", ["A", "B", "D"], {"v": "M1", "w": "M2"}, (2022, 4)).set_index("ref")
    visits = got.loc["v"]
    assert (visits["peers_n"], visits["peers_rank"], visits["peers_quartile"]) == (2, 1, 2)  # tied with B: both 1st
    assert (visits["all_n"], visits["all_rank"], visits["all_quartile"], visits["all_median"]) == (4, 2, 2, 10.0)
    waits = got.loc["w"]
    assert pd.isna(waits["all_rank"]) and pd.isna(waits["peers_quartile"]) and "polarity not known" in waits["note"]


def test_a_dataset_without_a_polarity_column_takes_the_layouts_default():
    data = synthetic(
        [("A", "Aton", "M", "Waits", "2022", 3), ("B", "Bton", "M", "Waits", "2022", 5)], polarity_column=False
    )
    got = benchmark.positions(data, "B", None, {"w": "M"}, (2022, 4)).iloc[0]
    assert (got["polarity"], got["all_rank"], got["all_quartile"]) == ("lower", 2, 4)


@pytest.mark.parametrize(
    "text, key",
    [
        ("2016-17", (2016, 0)),
        ("2016/17", (2016, 0)),
        ("2016/2017", (2016, 0)),
        ("2016", (2016, 0)),
        ("2016/17 Q2", (2016, 2)),
        ("2016-17Q3", (2016, 3)),
        ("Q4 2016/17", (2016, 4)),
        ("2016-18", None),
        ("last year", None),
    ],
)
def test_periods_in_the_datasets_own_notation(text, key):
    assert comparison.period_key(text) == key


def test_a_whole_year_counts_from_its_fourth_quarter_and_the_dataset_starts_later_is_said():
    assert benchmark.at_or_before((2022, 0), (2022, 4)) and not benchmark.at_or_before((2022, 0), (2022, 2))
    assert benchmark.at_or_before((2022, 2), (2022, 2)) and not benchmark.at_or_before((2023, 0), (2022, 4))
    data = synthetic([("A", "Aton", "M", "Visits", "2015-16", 3, "up")])
    assert benchmark.positions(data, "A", None, {"v": "M"}, (2011, 4)).empty


def test_bad_layouts_periods_and_peers_are_one_line_errors_naming_the_file():
    with pytest.raises(
        InputError, match="synthetic.toml:2: is not a comparison layout: its \\[layout\\] must say kind"
    ):
        comparison.read_comparison_layout(b'[layout]\nkind = "table"\n', "synthetic.toml")
    with pytest.raises(InputError, match="must map organisation, period, value"):
        comparison.read_comparison_layout(b'[layout]\nkind = "benchmark"\n[columns]\nmeasure = "m"\n', "synthetic.toml")
    with pytest.raises(InputError, match=r"synthetic.csv:3: period 'last year' is in no notation"):
        synthetic([("A", "Aton", "M", "Visits", "2015-16", 3, "up"), ("B", "B", "M", "V", "last year", 3, "up")])
    assert comparison.read_peers_file(b'{"A": ["A", "B"]}', "peers.json").of("Z") is None
    csv = comparison.read_peers_file(b"code,name\nB,Bton\nC,Cton\nB,Bton\n", "peers.csv")
    assert csv.of("A") == ["A", "B", "C"]


def test_a_difference_within_the_stated_confidence_interval_is_not_called_one():
    assert benchmark.against(10.0, 11.0, "higher", 9.0, 12.0) == "similar"  # the interval holds the median
    assert benchmark.against(10.0, 11.0, "higher", 9.5, 10.5) == "worse"
    assert benchmark.against(10.0, 9.0, "lower") == "worse" and benchmark.against(10.0, 9.0, "") == "higher"
    text = "org,measure,year,value,low,high\nA,M,2022,10,9,12\nB,M,2022,11,10,12\nC,M,2022,14,13,15\n"
    rules = comparison.read_comparison_layout(
        b'[layout]\nkind = "benchmark"\ndefault_polarity = "higher"\n[columns]\norganisation = "org"\n'
        b'measure = "measure"\nperiod = "year"\nvalue = "value"\nlower = "low"\nupper = "high"\n',
        "synthetic.toml",
    )
    got = benchmark.positions(comparison.read_dataset(text, rules, "synthetic.csv"), "A", None, {"m": "M"}, (2022, 4))
    row = got.iloc[0]
    assert (row["lower"], row["upper"], row["all_median"], row["against_all_median"]) == (9.0, 12.0, 11.0, "similar")
    assert row["all_rank"] == 3  # still ranked by value
