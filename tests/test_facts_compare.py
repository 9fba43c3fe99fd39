"""The comparison's facts (figures.facts.compare): each sentence computed from benchmark.csv as published, true of
its figures for any dataset, and caught by ``check`` when the file and the sentence part. Datasets here are
SYNTHETIC, drawn or built in the test."""

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.figures import bands as banding
from pipeline.figures import compare
from pipeline.figures.facts.period import GOING_WELL, HOW_WE_COMPARE, NEEDS_ATTENTION, SUMMARY, comparison_statements
from pipeline.figures.statements import BENCHMARK, benchmark_from_csv, check, rows
from pipeline.read.comparison import read_comparison_layout, read_dataset
from pipeline.run.publish import csv_bytes

LAYOUT = read_comparison_layout(
    b'[layout]\nkind = "benchmark"\neveryone = "Testland"\n[columns]\norganisation = "org"\n'
    b'organisation_name = "name"\nmeasure = "measure"\nperiod = "year"\nvalue = "value"\npolarity = "better"\n'
    b'[polarity]\n"up" = "higher"\n"down" = "lower"\n',
    "synthetic.toml",
)


def dataset(values: dict, polarity: dict, year: str = "2022-23") -> pd.DataFrame:
    """A SYNTHETIC dataset: ``values`` measure -> list of values (None: no value), one organisation each (O0, O1,
    ...); ``polarity`` measure -> "up", "down" or ""."""
    lines = ["org,name,measure,year,value,better"]
    for measure, column in values.items():
        for i, v in enumerate(column):
            lines.append(f"O{i},Org {i},{measure},{year},{'' if v is None else v},{polarity[measure]}")
    return read_dataset("\n".join(lines) + "\n", LAYOUT, "synthetic.csv")


def published(data: pd.DataFrame, who: str, peers: list | None):
    """The positions of ``who`` as benchmark.csv gives them back, its context, and its statements."""
    ready = compare.prepare(data, None, (2022, 4))
    frame = compare.table(ready, [who], {who: peers} if peers is not None else None).drop(columns="organisation")
    context = compare.context("Synthetic", ("synthetic.csv", "peers.csv"), ready, who, peers, (2022, 4),
                              compare.latest(frame), ("Testland", ""))  # fmt: skip
    back = benchmark_from_csv(csv_bytes(frame))
    said = comparison_statements(frame, context)  # as a report makes them, from the positions in memory
    again = comparison_statements(back, context)  # as verify makes them, from benchmark.csv
    assert {k: [(s.sentence, s.figures) if s else None for s in v] for k, v in said.items()} == {
        k: [(s.sentence, s.figures) if s else None for s in v] for k, v in again.items()
    }
    return back, context, said


def test_a_measure_in_words_with_its_ranks_and_a_distance_past_the_bands():
    data = dataset({"M1": [10, 11, 12, 13, 14, 30, 9], "M2": [5, 5, 5, 5, 6, 4, 5]}, {"M1": "up", "M2": ""})
    back, _, said = published(data, "O5", ["O5", "O0", "O1"])
    sentences = [s.sentence for s in said[HOW_WE_COMPARE]]
    assert sentences[0] == (
        "On M1 in 2022/23, Org 5's 30 is 19 median absolute deviations above its peer group's median (11; beyond "
        "the worded bands, for the author to describe) and 9 median absolute deviations above Testland's median "
        "(12; beyond the worded bands, for the author to describe); it ranks 1st of 3 in its peer group (second "
        "quartile) and 1st of 7 in Testland (top quartile)."
    )
    # M2: most share the median (a MAD of 0), and no polarity: said plainly, not ranked
    assert sentences[1] == (
        "On M2 in 2022/23, Org 5's 4 is lower than its peer group's median (5), a value half or more of them share "
        "and lower than Testland's median (5), a value half or more of them share; it is not ranked, as the dataset "
        "gives no direction for the measure."
    )
    for statements in said.values():
        for published_row in rows([s for s in statements if s is not None]):
            assert check(published_row, {BENCHMARK: back}) == ""


def test_the_front_page_counts_measures_much_better_and_quartiles_and_an_edited_file_is_caught():
    values = {f"M{k}": [10, 11, 12, 13, 14, 16 if k < 2 else 10.5, 9] for k in range(4)}
    data = dataset(values, {m: "up" for m in values})
    back, _, said = published(data, "O5", None)
    assert [s.sentence for s in said[SUMMARY]] == ["Against Testland, 2 of the 4 measures ranked are in the top "
                                                  "quartile and 0 in the bottom."]  # fmt: skip
    # M0, M1: (16 - 12) / 2 = 2 MADs: better, not much better; nothing to say on the front page
    assert said[GOING_WELL] == [None] and said[NEEDS_ATTENTION] == [None]
    values["M0"][5] = 19  # 3.5 MADs: much better
    back, _, said = published(dataset(values, {m: "up" for m in values}), "O5", None)
    assert said[GOING_WELL][0].sentence == (
        "Against Testland, 1 of the 4 measures compared is much better than the median: M0."
    )
    edited = back.copy()
    edited.loc[edited["ref"] == "M0", "all_words"] = "broadly similar to"
    statement = rows([s for s in said[HOW_WE_COMPARE] if s.refs == ("M0",)])[0]
    assert check(statement, {BENCHMARK: back}) == ""
    assert "figures do not follow from benchmark.csv (all differ)" in check(statement, {BENCHMARK: edited})
    assert "rests on benchmark.csv" in check(statement, {})


@st.composite
def datasets(draw):
    """Up to 5 SYNTHETIC measures over 2 to 12 organisations, values drawn from few levels (ties, MADs of 0) or
    spread (long tails), some missing, any polarity."""
    n = draw(st.integers(2, 12))
    measures = draw(st.integers(1, 5))
    values, polarity = {}, {}
    for m in range(measures):
        level = st.one_of(
            st.none(), st.sampled_from([1, 2, 3]), st.floats(-1e3, 1e3, allow_nan=False).map(lambda x: round(x, 2))
        )
        values[f"M{m}"] = draw(st.lists(level, min_size=n, max_size=n))
        polarity[f"M{m}"] = draw(st.sampled_from(["up", "down", ""]))
    peers = draw(st.lists(st.integers(1, n - 1), max_size=n - 1, unique=True))
    return values, polarity, ["O0", *[f"O{i}" for i in peers]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_every_comparison_sentence_is_true_of_the_figures_for_any_dataset(drawn):
    values, polarity, peers = drawn
    data = dataset(values, polarity)
    back, _, said = published(data, "O0", peers if len(peers) > 1 else None)
    for statement in said[HOW_WE_COMPARE]:
        f = statement.figures
        own = [v for v in values[f["code"]]][0]
        assert (f["value"] is None) == (own is None)
        if own is None:
            assert "has no value" in statement.sentence
            continue
        everyone = [v for v in values[f["code"]] if v is not None]
        median = float(np.median(everyone))
        mad = float(np.median(np.abs(np.array(everyone, dtype=float) - median)))
        assert f["all"]["median"] == median and f["all"]["mad"] == mad
        if mad > 0:
            distance = (own - median) / mad
            band = banding.band_index(np.array([distance]), compare.Wording().bands)[0]
            word = (
                "broadly similar"
                if band == 0
                else banding.TO_WRITE
                if band == 4
                else ["slightly", "", "much"][band - 1]
            )
            if band == 4:
                assert "beyond the worded bands" in statement.sentence
            else:
                assert word in f["all"]["words"]
        elif own == median:
            assert "the same as Testland's median" in statement.sentence
        ranked = polarity[f["code"]] and len(everyone) >= 2
        assert ("it ranks" in statement.sentence) == bool(ranked)
        if ranked:
            better = sum((v > own) if polarity[f["code"]] == "up" else (v < own) for v in everyone)
            assert f"{_ordinal(1 + better)} of {len(everyone)} in Testland" in statement.sentence
    quartiles = [s for s in said.get(SUMMARY, []) if s is not None]
    for s in quartiles:
        top, ranked = s.figures["top"], s.figures["ranked"]
        assert ("all" in s.sentence) == (top == ranked or s.figures["bottom"] == ranked) or ranked == 1
    for statements in said.values():
        for row in rows([s for s in statements if s is not None]):
            assert check(row, {BENCHMARK: back}) == ""


def _ordinal(n: int) -> str:
    return f"{n}" + ("th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def test_nothing_is_said_without_a_comparison_and_a_lone_value_is_not_ranked():
    assert comparison_statements(None, None) == {}
    data = dataset({"M": [4, None, None]}, {"M": "up"})
    _, _, said = published(data, "O0", None)
    assert said[HOW_WE_COMPARE][0].sentence.endswith("it is not ranked, as fewer than two organisations have a value.")
    assert said[SUMMARY] == [None] and not math.isnan(said[HOW_WE_COMPARE][0].figures["all"]["median"])
