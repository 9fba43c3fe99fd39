"""figures.spc against NHS England's Making Data Count specification (../shared/spc/SPC-Charts-XmR-Testing.md): each
of its cases, with its data as the document prints it, point by point and icon by icon; the worked limits of
limits_for_testing.csv; and properties any XmR chart must have. Where the document shows the outcome only in a
picture, the expected points here are worked out from its words (quoted beside each case)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures import spc

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spc"


def chart(values, improvement="higher", target=None, recalculate=(), baseline=0, **per_series):
    points = pd.DataFrame({"series": "s", "period": range(1, len(values) + 1), "value": values,
                           "improvement": improvement})  # fmt: skip
    if target is not None:
        points["target"] = target
    points["recalculate"] = [i + 1 in recalculate for i in range(len(values))]
    points["baseline"] = [i < baseline for i in range(len(values))]
    for column, value in per_series.items():
        points[column] = value
    return spc.chart(points)


def flagged(result) -> dict:
    """{point number: "i"/"c"/"n"} for every special cause point (1-based, as the document counts)."""
    return {i + 1: kind[0] for i, kind in enumerate(result["special_cause"]) if kind}


def points(first: int, last: int, kind: str) -> dict:
    return {p: kind for p in range(first, last + 1)}


# --- number of points ----------------------------------------------------------------------------------------

NUMBER = [30, 31, 25, 35, 34, 15, 21, 23, 30, 26, 26, 22, 25]


def test_twelve_points_show_no_limits_or_icons_and_thirteen_do():
    """ "When the XmR chart has 12 points or fewer, the process limits and summary icons are not shown. When [it] has
    13 points or more, [they] are shown. The mean and the target if provided are shown.\""""
    few = chart(NUMBER[:12], target=28)
    assert few["lower_limit"].isna().all() and few["upper_limit"].isna().all()
    assert set(few["variation"]) == {""} and set(few["assurance"]) == {""} and set(few["special_cause"]) == {""}
    assert few["mean"].iloc[0] == pytest.approx(np.mean(NUMBER[:12]))
    enough = chart(NUMBER, target=28)
    assert enough["lower_limit"].notna().all() and set(enough["variation"]) == {"common cause"}
    assert set(enough["assurance"]) == {"hit or miss"}
    assert chart(NUMBER, minimum_points=15)["upper_limit"].isna().all()  # "you may require a larger number"


# --- process limits -----------------------------------------------------------------------------------------


def test_process_limits_from_the_mean_moving_range():
    """15 points, 14 moving ranges averaging 5.43: mean 23.20, upper process limit 37.64, lower 8.76."""
    got = chart([20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]).iloc[0]
    assert (round(got["mean"], 2), round(got["upper_limit"], 2), round(got["lower_limit"], 2)) == (23.20, 37.64, 8.76)
    ten = chart([20, 24, 20, 26, 22, 16, 18, 16, 31, 28]).iloc[0]
    assert round(ten["mean"], 2) == 22.10 and np.isnan(ten["upper_limit"])


def test_the_worked_limits_of_the_testing_data():
    """limits_for_testing.csv: mean 48.29166667, mean moving range 4.869565217, limits by 2.66 (its "wheeler est"
    columns) 61.24471014 and 35.33862319, to the precision the file states."""
    if not (SPEC / "limits_for_testing.csv").is_file():
        pytest.skip("../shared/spc is not beside this clone")
    data = pd.read_csv(SPEC / "limits_for_testing.csv")
    got = chart(data["vals"].tolist())
    assert got["mean"].tolist() == pytest.approx(data["mean"].tolist(), abs=5e-9)
    moving = np.abs(np.diff(data["vals"]))
    assert moving.mean() == pytest.approx(data["mR mean"].iloc[0], abs=5e-10)
    assert got["upper_limit"].tolist() == pytest.approx(data["UPL.1"].tolist(), abs=5e-9)
    assert got["lower_limit"].tolist() == pytest.approx(data["LPL.1"].tolist(), abs=5e-9)


# --- special cause ------------------------------------------------------------------------------------------

COLOURS = [8, 27, 32, 26, 20, 21, 23, 21, 23, 22, 26, 23, 20, 20, 29, 28, 22, 23, 25, 26,
           28, 29, 26, 24, 36, 29, 35, 22, 30, 18]  # fmt: skip


def test_special_cause_is_improvement_or_concern_by_direction_and_neither_without_one():
    """High is good, low is good and neither, on one series: the same points, improvement and concern swapped, and
    all of them "neither" (purple) without a direction."""
    high, low, neither = (flagged(chart(COLOURS, d)) for d in ("higher", "lower", "neither"))
    swap = {"i": "c", "c": "i"}
    assert high and low == {p: swap[k] for p, k in high.items()}
    assert neither == {p: "n" for p in high}
    assert high[1] == "c"  # 8, below the lower process limit
    assert all(high[p] == "c" for p in range(5, 11))  # p5 to p10: a shift of 6 below the mean
    assert all(high[p] == "i" for p in range(17, 23))  # p17 to p22: a shift of 6 above the mean


@pytest.mark.parametrize(
    "values, expected",
    [
        # the first point above the upper limit, the last below the lower
        ([45, 29, 20, 22, 25, 20, 27, 24, 22, 23, 20, 26, 20, 15, 5], {1: "i", 15: "c"}),
        ([29, 32, 35, 45, 43, 23, 18, 20, 16, 7, 28, 26, 22, 19, 20], {4: "i", 5: "i", 10: "c"}),
    ],
)
def test_a_single_point_beyond_a_process_limit(values, expected):
    got = chart(values)
    assert flagged(got) == expected
    assert all("a point" in rule for rule in got["rule"] if rule)


@pytest.mark.parametrize(
    "values, expected, of_seven",
    [
        ([31, 35, 34, 29, 29, 32, 26, 26, 32, 35, 30, 18, 31, 25, 27, 22, 18, 25, 25, 17],
         points(1, 6, "i") | points(14, 20, "c"), points(14, 20, "c")),
        ([31, 22, 19, 21, 18, 18, 22, 22, 29, 25, 23, 26, 31, 26, 28, 29, 32, 24, 31, 22],
         points(2, 8, "c") | points(12, 17, "i"), points(2, 8, "c")),
    ],
)  # fmt: skip
def test_a_shift_of_six_or_more_on_one_side_of_the_mean(values, expected, of_seven):
    """The document: "This is usually set to at least 6 points but may be set to at least 7 points."."""
    got = chart(values)
    assert flagged(got) == expected
    assert flagged(chart(values, shift_points=7)) == of_seven


@pytest.mark.parametrize(
    "values, expected",
    [
        # six rising (p1 to p6) and seven falling (p14 to p20)
        ([11, 14, 18, 20, 22, 23, 18, 21, 17, 23, 26, 20, 16, 25, 23, 22, 19, 16, 15, 12],
         points(1, 6, "i") | points(14, 20, "c")),
        # "There cannot be any pauses in the run": 25 25 and 18 18 stop both runs
        ([23, 30, 28, 25, 25, 20, 18, 24, 16, 13, 14, 18, 18, 24, 26, 29, 19, 20, 28, 16], {}),
    ],
)  # fmt: skip
def test_a_trend_of_six_rising_or_falling_without_a_pause(values, expected):
    got = chart(values)
    assert flagged(got) == expected
    assert all("trend" in rule for rule in got["rule"] if rule)


TWO = [42, 40, 39, 26, 39, 24, 22, 29, 32, 22, 20, 23, 25, 26, 22, 24, 27, 7, 19, 24, 7, 7, 32]


def test_two_of_three_beyond_two_sigma_on_one_side():
    """ "Within each consecutive run of 3 points, if 2 or all 3 points are beyond a two-sigma line, the 2 or 3 points
    show as special cause variation. All 3 points must be on the same side of the mean. ... If a point is beyond
    three-sigma ... it does not count for this rule but will show for the special cause rule of a single point.\""""
    got = chart(TWO)
    assert flagged(got) == {1: "i", 2: "i", 3: "i", 5: "i", 21: "c", 22: "c"}
    assert set(got["rule"][got["special_cause"] != ""]) == {"two of three beyond two sigma above",
                                                            "two of three beyond two sigma below"}  # fmt: skip
    beyond_three = TWO[:21] + [2, 32]  # p22 beyond the lower limit: a single point, and p21 alone is not two of three
    got = chart(beyond_three)
    assert flagged(got) == {1: "i", 2: "i", 3: "i", 5: "i", 22: "c"}
    assert got["rule"].iloc[21] == "a point below the lower limit"
    other_side = TWO[:3] + [24] + TWO[4:19] + [26] + TWO[20:]  # p20 above the mean: p21 and p22 are not flagged
    assert flagged(chart(other_side)) == {1: "i", 2: "i", 3: "i"}


CONFLICT = [43, 41, 37, 36, 31, 23, 15, 13, 15, 18, 23, 27, 31, 36, 27, 19, 17, 27, 15, 22]


def test_a_point_both_improvement_and_concern_is_shown_as_improvement():
    """ "In the left example where high is good ... only p5 to p7 are shown in orange. In the right example where
    low is good ... only p12 to p14 are shown in orange.\""""
    high = chart(CONFLICT)
    assert flagged(high) == points(1, 4, "i") | points(5, 7, "c") | points(8, 14, "i")
    assert "shown as improvement" in high["rule"].iloc[0] and "a trend down" in high["rule"].iloc[0]
    low = chart(CONFLICT, "lower")
    assert flagged(low) == points(1, 11, "i") | points(12, 14, "c")


# --- recalculations and baselines ---------------------------------------------------------------------------

PHASES = [16, 24, 22, 19, 19, 18, 24, 25, 18, 17, 16, 25, 15, 23, 19, 35, 32, 35, 31, 27,
          33, 28, 38, 35, 30, 28, 29, 27, 24, 23]  # fmt: skip


def test_a_recalculation_gives_each_phase_its_own_mean_and_limits():
    whole = chart(PHASES)
    split = chart(PHASES, recalculate=(16,))
    first, second = PHASES[:15], PHASES[15:]
    assert split["mean"].iloc[0] == pytest.approx(np.mean(first)) and split["mean"].iloc[-1] == pytest.approx(
        np.mean(second)
    )
    width = 2.66 * np.abs(np.diff(second)).mean()
    assert split["upper_limit"].iloc[-1] == pytest.approx(np.mean(second) + width)
    assert flagged(whole) == points(1, 15, "c") | points(16, 28, "i")
    assert flagged(split) == points(25, 30, "c") and split["variation"].iloc[0] == "concern low"


def test_a_baseline_sets_the_limits_for_every_later_point_and_recalculations_are_then_ignored():
    base = chart(PHASES, baseline=15)
    assert base["mean"].tolist() == pytest.approx([np.mean(PHASES[:15])] * 30)
    assert base["upper_limit"].iloc[-1] == pytest.approx(
        np.mean(PHASES[:15]) + 2.66 * np.abs(np.diff(PHASES[:15])).mean()
    )
    assert flagged(base) == points(16, 30, "i") and base["variation"].iloc[0] == "improvement high"
    both = chart(PHASES, baseline=15, recalculate=(20,))
    pd.testing.assert_frame_equal(both, base)


CROSS = [28, 23, 26, 21, 23, 25, 24, 29, 30, 27, 25, 30, 27, 24, 19, 22, 28, 28, 29, 33,
         28, 30, 31, 30, 26, 27, 34, 30, 32, 35]  # fmt: skip


def test_the_rules_of_several_points_cross_a_recalculation():
    """ "For the three special cause rules that require multiple points (i.e. not the single point rule), these can
    cross a recalculation": a shift (p14 to p19), a trend (p15 to p20) and two of three (p15, p16)."""
    shift = chart(CROSS, recalculate=(16,))
    assert flagged(shift) == points(14, 19, "c")
    assert all(rule.startswith("a shift below the mean") for rule in shift["rule"].iloc[13:19])
    trend = CROSS[:13] + [26, 19, 22, 26] + CROSS[17:]
    assert flagged(chart(trend, recalculate=(16,))) == points(15, 20, "i")
    two = CROSS[:16] + [32] + CROSS[17:]
    got = chart(two, recalculate=(16,))
    assert flagged(got) == {15: "c", 16: "c"} and set(got["rule"].iloc[14:16]) == {
        "two of three beyond two sigma below"
    }


# --- summary icons ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "improvement, target, icon",
    [
        ("higher", None, ""), ("lower", None, ""),
        ("higher", 40, "fail"), ("lower", 40, "pass"),
        ("higher", 30, "hit or miss"), ("lower", 30, "hit or miss"),
        ("higher", 10, "pass"), ("lower", 10, "fail"),
        ("neither", 30, ""),
    ],
)  # fmt: skip
def test_assurance_sets_the_target_against_the_process_limits(improvement, target, icon):
    got = chart(PHASES, improvement, target=target)
    assert set(got["assurance"]) == {icon}
    assert set(chart(PHASES[:10], improvement, target=target)["assurance"]) == {""}  # too few points


def test_assurance_uses_the_latest_limits_after_a_recalculation():
    assert set(chart(PHASES, target=40, recalculate=(16,))["assurance"]) == {"hit or miss"}  # 40 within 20.45-40.21
    assert set(chart(PHASES, target=40)["assurance"]) == {"fail"}


VARIATION = [16, 20, 22, 18, 21, 18, 26, 28, 24, 26, 19, 18, 25, 32, 43, 28, 22]


@pytest.mark.parametrize(
    "last, improvement, icon",
    [
        (45, "higher", "improvement high"), (25, "higher", "common cause"), (5, "higher", "concern low"),
        (45, "lower", "concern high"), (25, "lower", "common cause"), (5, "lower", "improvement low"),
        (45, "neither", "neither high"), (25, "neither", "common cause"), (5, "neither", "neither low"),
    ],
)  # fmt: skip
def test_the_variation_icon_comes_from_the_last_point(last, improvement, icon):
    assert set(chart(VARIATION + [last], improvement)["variation"]) == {icon}
    assert set(chart(VARIATION[:10], improvement)["variation"]) == {""}


# --- properties ---------------------------------------------------------------------------------------------

series = st.lists(st.integers(-50, 50).map(float), min_size=13, max_size=40)


@settings(max_examples=80, deadline=None)
@given(series)
def test_limits_are_symmetric_about_the_mean(values):
    got = chart(values)
    assert (got["upper_limit"] - got["mean"]).tolist() == pytest.approx((got["mean"] - got["lower_limit"]).tolist())


@settings(max_examples=30, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(13, 40))
def test_a_constant_series_has_no_special_cause(level, n):
    got = chart([level] * n)
    assert set(got["special_cause"]) == {""} and set(got["variation"]) == {"common cause"}


@settings(max_examples=80, deadline=None)
@given(series)
def test_reversing_the_direction_swaps_improvement_and_concern(values):
    """Except a point that is both, which is shown as an improvement either way."""
    up, down = chart(values, "higher"), chart(values, "lower")
    for a, b, rule in zip(up["special_cause"], down["special_cause"], up["rule"]):
        if "shown as improvement" in rule:
            assert a == b == "improvement"
        else:
            assert (a, b) in {("", ""), ("improvement", "concern"), ("concern", "improvement")}


def test_many_series_at_once_are_each_as_alone():
    together = pd.concat(
        [pd.DataFrame({"series": name, "period": range(len(v)), "value": v, "improvement": d})
         for name, v, d in (("a", COLOURS, "higher"), ("b", CONFLICT, "lower"), ("c", NUMBER[:12], "higher"))]
    )  # fmt: skip
    got = spc.chart(together)
    for name, v, d in (("a", COLOURS, "higher"), ("b", CONFLICT, "lower"), ("c", NUMBER[:12], "higher")):
        alone = chart(v, d).drop(columns=["period", "series"])
        mine = got[got["series"] == name].drop(columns=["period", "series"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_dtype=False)


def test_a_missing_value_is_skipped_not_a_gap():
    """ "When no value is provided for a date ... there should be no gaps": the point is left out."""
    with_gap = chart([20, 24, None, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18])
    assert len(with_gap) == 15 and with_gap["upper_limit"].iloc[0] == pytest.approx(37.64, abs=0.005)
