"""measure.assess: variance, RAG with tolerance, the status check and its judgement rule, direction."""

import pandas as pd
import pytest

from pipeline.figures import measure


def frame(rows):
    """rows: (status_code, target, actual, baseline, polarity, comparator, due_later, tolerance, progress)"""
    cols = [
        "status_code",
        "target",
        "actual",
        "baseline",
        "polarity",
        "comparator",
        "due_later",
        "tolerance_pct",
        "progress",
    ]
    f = pd.DataFrame(rows, columns=cols)
    f["status_code"] = f["status_code"].astype("Int64")
    for c in ("target", "actual", "baseline", "tolerance_pct"):
        f[c] = f[c].astype("Float64")
    f["measure"] = "m"
    f["figures_note"] = ""
    f["from_register"] = False
    return f


def test_variance_and_rag_with_default_and_register_tolerance():
    out = measure.assess(
        frame(
            [
                (1, 250, 311, 242, "higher", "", False, None, ""),  # met
                (4, 530, 510, 459, "higher", "", False, None, ""),  # missed by 3.8%: amber
                (4, 530, 471, 459, "higher", "", False, None, ""),  # missed by 11%: red
                (4, 530, 471, 459, "higher", "", False, 12, ""),  # within a 12% tolerance: amber
                (1, 10, 8.24, 15.32, "lower", "", False, None, ""),  # lower is better, met
            ]
        )
    )
    assert out["variance"].tolist() == [61, -20, -59, -59, pytest.approx(-1.76)]
    assert out["variance_pct"].round(2).tolist() == [24.4, -3.77, -11.13, -11.13, -17.6]
    assert out["rag"].tolist() == ["green", "amber", "red", "amber", "green"]
    assert out["direction"].tolist() == ["improved", "improved", "improved", "improved", "improved"]


def test_strict_comparator_makes_equality_a_miss():
    out = measure.assess(
        frame(
            [
                (1, 2589, 2589, None, "lower", "lt", False, None, ""),
                (1, 2589, 2589, None, "lower", "le", False, None, ""),
            ]
        )
    )
    assert out["rag"].tolist() == ["amber", "green"]


@pytest.mark.parametrize(
    "code, actual, check",
    [
        (1, 84.44, "agrees"),
        (2, 84.44, "agrees"),
        (3, 84.44, "disagrees"),
        (4, 84.44, "disagrees"),
        (1, 60, "disagrees"),
        (2, 60, "disagrees"),
        (3, 60, "agrees"),
        (4, 60, "agrees"),
    ],
)
def test_status_check_against_met_and_missed_targets(code, actual, check):
    out = measure.assess(frame([(code, 75, actual, None, "higher", "", False, None, "")]))
    assert out.loc[0, "status_check"] == check


def test_on_track_short_of_a_target_due_later_is_a_judgement():
    out = measure.assess(
        frame(
            [
                (2, 170, 127, None, "higher", "", False, None, "On track to achieve academic year-end target of 170."),
                (2, 0, 4.2, None, "lower", "", True, None, ""),
                (2, 3, 5.5, None, "lower", "lt", False, None, ""),
            ]
        )
    )
    assert out["status_check"].tolist() == ["", "", "disagrees"]
    assert out["status_check_note"].str.startswith("On Track with a figure short").tolist() == [True, True, False]
    assert out["variance_pct"].isna().tolist() == [False, True, False]  # no percentage of a zero target


def test_no_figures_means_empty_assessment():
    out = measure.assess(
        frame([(1, None, None, None, "", "", False, None, ""), (1, 75, 80, None, "", "", False, None, "")])
    )
    assert out["rag"].tolist() == ["", ""] and out["status_check"].tolist() == ["", ""]
    assert out.loc[1, "variance"] == 5  # variance needs no polarity; RAG does


def test_direction_same_and_worse():
    out = measure.assess(
        frame([(1, 4, 4, 4, "lower", "", False, None, ""), (1, 75, 84.44, 92.45, "higher", "", False, None, "")])
    )
    assert out["direction"].tolist() == ["same", "worse"]


def test_coverage_and_reasons():
    f = measure.assess(
        frame(
            [
                (1, 250, 311, 242, "higher", "", False, None, ""),
                (1, None, None, None, "", "", False, None, ""),
                (1, 28, None, None, "", "", False, None, ""),
            ]
        )
    )
    f["figures_note"] = [
        "",
        "no numeric target in the text",
        "more than one candidate actual in the progress text (43%, 11%)",
    ]
    f["from_register"] = [True, False, False]
    cov = measure.coverage(f).set_index("measure")["count"]
    assert cov.tolist() == [3, 1, 0, 1, 1, 1]
    reasons = measure.missing_reasons(f)
    assert reasons.values.tolist() == [
        ["no numeric target in the text", 1],
        ["more than one candidate actual in the progress text", 1],
    ]
