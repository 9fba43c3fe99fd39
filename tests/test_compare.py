"""compare (and read.comparison): a national dataset read through its layout, and positions among peers and all, checked against the
real Oflog file and against SYNTHETIC datasets built in the test."""

import json
import math
import re
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


# --- issue 34: the distance from the median in MADs, for every organisation at once ----------------------


def _rounding(text: str) -> float:
    """How far a figure written as ``text`` may be from the one Oflog held. The file writes each figure either in
    full (16 or 17 significant digits), or short and exact (up to 4: a survey's 7.6), or rounded to 10
    significant digits (with trailing zeros dropped: 5 to 11 written); a rounded one is within half a unit of its
    10th significant digit."""
    from decimal import Decimal

    if not text.strip() or not 5 <= len(Decimal(text).as_tuple().digits) <= 11 or float(text) == 0:
        return 0.0
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(float(text)))) - 9)


def test_every_distance_and_median_is_oflogs_own_with_its_columns_removed_before_reading():
    """Oflog's file publishes MEDIAN and MADs_from_median; both are dropped before the file is read, recomputed here
    for every row, and compared. Where the figures a row's distance rests on are written exactly enough that their
    rounding cannot move it by 1e-9 (4,079 of the 6,078 rows with a value), the distance agrees within 1e-9, and
    the median exactly where it is written exactly; where the file rounded a value, a median or a distance to 10
    significant digits, both agree within the bound that rounding allows, worked out
    from the figures as written (the value and the median each off by their rounding, the MAD by twice it, the
    published distance by its own)."""
    oflog_or_skip()
    raw = pd.read_csv(OFLOG / "ASC_data.csv", dtype=str, keep_default_na=False)
    stripped = raw.drop(columns=["MEDIAN", "MADs_from_median"]).to_csv(index=False)
    rules = comparison.read_comparison_layout(LAYOUT.read_bytes(), "oflog_asc.toml")
    data = comparison.read_dataset(stripped, rules, "ASC_data.csv")
    ready = benchmark.prepare(data, None, (2022, 4))
    table = benchmark.table(ready, list(ready.index.organisations))
    raw = raw.assign(period=raw["Financial year"].str.replace("-", "/"))
    rows = table.merge(raw, left_on=["organisation", "measure_code", "period"],
                       right_on=["Local authority code", "Code", "period"])  # fmt: skip
    rows = rows[rows["Value"].str.strip() != ""]
    assert len(rows) == (raw["Value"].str.strip() != "").sum() == 6078
    value_off = rows["Value"].map(_rounding)
    group_off = value_off.groupby([rows["Code"], rows["period"]]).transform("max")  # the median is 1 or 2 of them
    ours, published = rows["all_mads_from_median"], rows["MADs_from_median"].astype(float)
    bound = (value_off + group_off) / rows["all_mad"] + ours.abs() * 2 * group_off / rows["all_mad"]
    bound += rows["MADs_from_median"].map(_rounding)
    error = (ours - published).abs()
    exact = bound < 1e-9  # the figures as written cannot move the distance by 1e-9
    assert exact.sum() == 4079
    assert (error[exact] <= 1e-9).all()
    assert (error[~exact] <= bound[~exact]).all()
    median_bound = group_off + rows["MEDIAN"].map(_rounding)
    median_error = (rows["all_median"] - rows["MEDIAN"].astype(float)).abs()
    assert (median_error[median_bound == 0] == 0).all() and (median_bound == 0).sum() == 4059
    assert (median_error <= median_bound).all()


def test_every_organisation_at_once_is_each_organisation_alone(oflog):
    data, _ = oflog
    peers = comparison.read_peers_file((OFLOG / "NN.json").read_bytes(), "NN.json")
    ready = benchmark.prepare(data, None, (2022, 4))
    codes = list(ready.index.organisations)
    together = benchmark.table(ready, codes, {c: peers.of(c) for c in codes})
    assert list(together.columns) == ["organisation", *benchmark.COLUMNS]
    for code in ("E06000004", "E09000001", codes[-1]):
        alone = benchmark.positions(
            data, code, peers.of(code), {m: m for m in dict.fromkeys(data["measure"])}, (2022, 4)
        )
        mine = together[together["organisation"] == code].drop(columns="organisation").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.reset_index(drop=True))
    scilly = together[(together["organisation"] == "E06000053") & together["value"].notna()]
    alone = scilly[scilly["peers_n"] < 2]  # the Isles of Scilly: a peer group where it alone has a value
    assert len(alone) and alone["peers_rank"].isna().all() and alone["peers_quartile"].isna().all()
    assert alone["note"].str.contains("fewer than two of its peer group have a value").all()


def test_a_row_given_twice_a_value_not_finite_and_peers_the_dataset_lacks_are_findings():
    data = synthetic(
        [
            ("A", "Aton", "M", "Visits", "2022-23", 10, "up"),
            ("A", "Aton", "M", "Visits", "2022-23", 99, "up"),  # twice: the first is used
            ("B", "Bton", "M", "Visits", "2022-23", "inf", "up"),  # not finite: no value
            ("C", "Cton", "M", "Visits", "2022-23", 12, "up"),
            ("D", "Dton", "M", "Visits", "2022-23", 8, "up"),
        ]
    )
    ready = benchmark.prepare(data, None, (2022, 4))
    got = benchmark.table(ready, ["A", "B"], {"A": ["A", "C", "Z9"], "B": ["B"]}).set_index("organisation")
    assert (got.loc["A", "value"], got.loc["A", "all_n"], got.loc["A", "all_rank"]) == (10.0, 3, 2)
    assert (got.loc["A", "peers_n"], got.loc["A", "peers_rank"], got.loc["A", "peers_median"]) == (2, 2, 11.0)
    assert pd.isna(got.loc["B", "value"]) and pd.isna(got.loc["B", "peers_rank"])  # a group of one ranks nobody
    _, unknown = benchmark.groups_for(ready, ["A", "B"], {"A": ["A", "C", "Z9"], "B": ["B"]})
    found = benchmark.findings(ready, unknown, ("data/synthetic.csv", "peers.json"))
    said = {check: (finding, action) for _, _, check, finding, action in found}
    assert said["comparison_duplicate"] == (
        "synthetic.csv gives A's M for 2022/23 2 times (lines 2, 3)",
        "the first (line 2) used; the other set aside",
    )
    assert said["comparison_not_finite"][0] == "synthetic.csv line 4: the value is a number but not a finite one"
    assert said["peers_unknown"][0] == "peers.json names 'Z9' for A, which synthetic.csv does not hold"


def test_distances_and_words_against_both_medians_in_the_table():
    data = synthetic(
        [(c, c, "M", "Visits", "2022-23", v, "up") for c, v in zip("ABCDEFG", (10, 11, 12, 13, 14, 30, 9))]
    )
    ready = benchmark.prepare(data, None, (2022, 4))
    row = benchmark.table(ready, ["F"], {"F": ["F", "A", "B"]}).iloc[0]
    # all: median 12, deviations 2,1,0,1,2,18,3 -> MAD 2; F is (30 - 12) / 2 = 9 MADs above: past the last band
    assert (row["all_median"], row["all_mad"], row["all_mads_from_median"]) == (12.0, 2.0, 9.0)
    assert row["all_words"] == "to be written"
    # peers F, A, B: median 11, MAD 1; F is 19 MADs above
    assert (row["peers_median"], row["peers_mad"], row["peers_mads_from_median"], row["peers_words"]) == (
        11.0, 1.0, 19.0, "to be written")  # fmt: skip
    row = benchmark.table(ready, ["D"], None).iloc[0]
    assert (row["all_mads_from_median"], row["all_words"]) == (0.5, "broadly similar to")
    assert pd.isna(row["peers_median"]) and row["peers_words"] == ""


def test_the_layout_names_everyone_and_gives_bands_and_a_measures_own_words():
    text = (
        '[layout]\nkind = "benchmark"\neveryone = "England"\nmembers = "councils"\n'
        '[columns]\norganisation = "o"\nmeasure = "m"\nperiod = "p"\nvalue = "v"\n'
        '[[bands]]\nupto = 1\nwords = "close to"\n[[bands]]\nupto = 4\nwords = "far {better} than"\n'
        '[measures.INFO]\nbetter = "easier"\nworse = "harder"\n'
    )
    rules = comparison.read_comparison_layout(text.encode(), "synthetic.toml")
    assert (rules.everyone, rules.members) == ("England", "councils")
    assert rules.bands == ((1.0, "close to"), (4.0, "far {better} than"))
    assert rules.comparatives == {"INFO": ("easier", "harder")}
    with pytest.raises(InputError, match="synthetic.toml: \\[\\[bands\\]\\] must be in order"):
        comparison.read_comparison_layout(text.replace("upto = 4", "upto = 0.5").encode(), "synthetic.toml")


@pytest.mark.parametrize(
    "text, said",
    [
        ('polarity = "x"\n[layout]\nkind = "benchmark"\n[columns]\norganisation = "o"\nmeasure = "m"\nperiod = "p"\n'
         'value = "v"\n', "polarity must be a table"),
        ('layout = "benchmark"\n', 'its [layout] must say kind = "benchmark"'),
    ],
)  # fmt: skip
def test_a_layout_with_a_key_where_a_table_belongs_is_a_one_line_error(text, said):
    """Before: polarity = "x" at the top, or layout = "benchmark", raised AttributeError."""
    import re

    with pytest.raises(InputError, match=re.escape(said)):
        comparison.read_comparison_layout(text.encode(), "synthetic.toml")


@pytest.mark.parametrize(
    "data, said",
    [
        (b"", "is empty: a peers file lists"),
        (b"  \n", "is empty: a peers file lists"),
        (b'{"A": ["B"], "A": ["C"]}', "gives 'A' twice"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b'["A", "B"]', "is JSON but not an object"),
        (b'{"A": "B"}', "'A' must map to a list of codes"),
        (b'{"A": [1, 2]}', "'A' must map to a list of codes"),
        (b'{"A": ["B"', "is not valid JSON"),
        (b"code\n\n", "lists no code below its header"),
    ],
)
def test_a_peers_file_that_cannot_be_used_is_one_line_naming_it(data, said):
    """Before: an empty peers file was told to "export the Council Plan progress report again"; a key given twice
    lost one group silently; deep nesting raised RecursionError; a JSON array was read as a CSV."""
    with pytest.raises(InputError, match=re.escape(said)) as raised:
        comparison.read_peers_file(data, "peers.json")
    assert str(raised.value).startswith("peers.json") and "\n" not in str(raised.value)


def test_peers_the_dataset_lacks_never_turn_the_top_quartile_into_the_bottom():
    """Before: a peers file naming codes the dataset lacks left a group of one: "1st of 1" is quartile
    ⌈4·1/1⌉ = 4, and the front page said 5 of 5 measures were in the bottom quartile, with no warning."""
    from pipeline.figures.facts.period import SUMMARY, comparison_statements

    data = synthetic([(c, c, m, "Visits", "2022-23", v, "up") for m in ("M1", "M2") for c, v in
                      (("A", 30), ("B", 10), ("C", 12), ("D", 11))])  # fmt: skip
    ready = benchmark.prepare(data, None, (2022, 4))
    frame = benchmark.table(ready, ["A"], {"A": ["A", "X1", "X2"]}).drop(columns="organisation")
    assert frame["peers_rank"].isna().all() and frame["peers_quartile"].isna().all()
    assert frame["note"].str.contains("fewer than two of its peer group have a value").all()
    context = benchmark.context("S", ("s.csv", "p.json"), ready, "A", ["A", "X1", "X2"], (2022, 4), frame)
    said = comparison_statements(frame, context)
    assert (
        context["peers"] == 1
        and said[SUMMARY][0].sentence == "Against all organisations, all 2 measures ranked are in the top quartile."
    )
    _, unknown = benchmark.groups_for(ready, ["A"], {"A": ["A", "X1", "X2"]})
    assert unknown == {"A": ["X1", "X2"]}
