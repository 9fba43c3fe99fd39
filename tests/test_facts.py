"""facts and statements: every generated sentence is a fact whose words are true of its figures, and that verify can
recompute from indicators.csv. The frames are SYNTHETIC, built here."""

import json

import pandas as pd
import pytest
from conftest import filled, statements_of

from pipeline.figures.statements import INDICATORS, check, indicators_from_csv, rows, state
from pipeline.run.publish import csv_bytes


def frame():
    """Eight indicators: codes, themes, groups (one not given), checks and the previous period's codes."""
    return filled(
        pd.DataFrame(
            {
                "ref": ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "3.3"],
                "status_code": pd.array([1, 2, 3, 4, 4, 1, None, 3], dtype="Int64"),
                "theme": ["A", "A", "A", "B", "B", "C", "C", "C"],
                "directorate": ["RES", "RES", "DNS", "DNS", "DNS", "CESC", "CESC", ""],
                "status_check": ["agrees", "disagrees", "", "agrees", "", "disagrees", "", ""],
                "previous_status_code": pd.array([1, 4, 1, 4, 2, 1, 1, None], dtype="Int64"),
                "rag": ["green", "red", "", "red", "", "green", "", ""],
                "remedial": ["", "", "act", "", "", "", "", ""],
                "figures_note": [
                    "",
                    "",
                    "no numeric target in the text",
                    "",
                    "no numeric target in the text",
                    "",
                    "target to be determined",
                    "no numeric target in the text",
                ],  # fmt: skip
            }
        )
    )


CONTEXT = {"group_word": "service", "group_plural": "services", "names": {"DNS": "Neighbourhoods"}, "previous": "Q1"}


def said(name, indicators=None, **params):
    made = state(name, frame() if indicators is None else indicators, "s", CONTEXT | params)
    return made.sentence if made else None


def test_the_counts_of_the_summary_and_where_the_indicators_off_track_are():
    assert said("share") == (
        "42.9% of the 7 indicators with a status are achieved or on track (3); 57.1% have slipped or not "
        "achieved their target (4)."
    )
    # 3 of the 4 off track are in DNS: most, and named by its full name; one off track has no service given
    assert said("where_off_track") == (
        "Most indicators off track (3 of 4) are in Neighbourhoods (DNS) (3 of its 3 with a status); 1 has no service "
        "given."
    )


def test_most_is_said_only_above_half_and_a_missing_group_is_never_a_name():
    """Before: "Most indicators off track are in …" of 4 of 11, of 1 of 7; "Most … are in NA" and "in (none
    given)"; a group with 4 of its 4 off track not named."""
    spread = filled(
        pd.DataFrame(
            {
                "ref": [f"R{i}" for i in range(11)],
                "status_code": pd.array([4] * 11, dtype="Int64"),
                "directorate": ["A"] * 4 + ["B"] * 3 + ["C", "C", "", ""],
            }
        )
    )
    sentence = said("where_off_track", spread)
    assert sentence.startswith("The 11 indicators off track are spread over 3 services; the most are in A (4 of its")
    assert "Most" not in sentence and "every indicator with a status is off track in B (3) and C (2)" in sentence
    assert sentence.endswith("2 have no service given.") and "()" not in sentence
    nameless = spread.assign(directorate="")
    assert said("where_off_track", nameless) == "None of the 11 indicators off track has a service given in the export."
    tied = spread.assign(directorate=["A", "B"] * 5 + ["C"])
    assert "; the most (5 each) are in A and in B" in said("where_off_track", tied)


def test_no_remedial_action_is_said_only_where_the_export_has_a_column_for_it():
    """Before: an export whose notes column gave 4 of 11 off-track indicators a reason read "11 indicators off
    track have no remedial action reported"; one with no commentary at all read "31 services have no remedial
    action reported"."""
    assert said("no_action", remedial=True, commentary=True) == (
        "3 of the 4 indicators off track have no remedial action reported: Neighbourhoods (DNS) (2), no service "
        "given (1)."
    )
    notes = frame().assign(remedial="", progress=["", "", "", "missed: agreed with Veolia", "", "", "", ""])
    assert said("no_action", notes, remedial=False, commentary=True) == (
        "3 of the 4 indicators off track have no reason or action reported: Neighbourhoods (DNS) (2), no service "
        "given (1)."
    )
    assert said("no_action", remedial=False, commentary=False) == (
        "The export carries no commentary, so it gives no reason or action for the 4 indicators off track."
    )


def test_moves_since_the_period_before_and_the_share_then_and_now():
    assert said("moved", side="better") == "1 indicator moved to a better status since Q1: 1.2."
    assert said("moved", side="worse") == "2 indicators moved to a worse status since Q1: 1.3, 2.2."
    # of the 6 with a status in both: 3 on track now, 4 then
    assert said("share_down") == (
        "Of the 6 indicators with a status both now and in Q1, 50.0% are achieved or on track, down 16.7 points from "
        "66.7%."
    )
    assert said("share_up") is None and said("moved", side="better", previous="") is None


def test_a_status_check_is_said_to_hold_only_where_one_was_made():
    """Before: "For every indicator with figures, the reported status agrees with them" when none was checked."""
    assert said("disagree") == "2 reported statuses are not borne out by the figures: 1.2, 3.1."
    assert said("status_checked") == "The figures bear out 2 of the 4 reported statuses they can be held against."
    unchecked = frame().assign(status_check="")
    assert said("status_checked", unchecked).startswith("No reported status could be held against figures")
    none = frame().assign(status_code=pd.array([None] * 8, dtype="Int64"))
    assert said("status_checked", none) == "The export gives no status of its own to hold against the figures."


@pytest.mark.parametrize(
    "row, words",
    [
        (
            dict(target=10.0, actual=5.0, polarity="", rag=""),
            "its figures are not checked: the export gives no direction",
        ),
        (dict(target=None, actual=5.0, polarity="higher", rag=""), "Red; no target to check it against."),
        (
            dict(target=120.0, actual=495.0, variance=375.0, polarity="lower", rag="red", unit="days"),
            "Red: 375 over target.",
        ),  # fmt: skip
        (
            dict(target=10.0, actual=9.8, variance=-0.2, polarity="higher", rag="amber", unit="%"),
            "Red, though the figures say amber: 0.2 points short of target, within tolerance.",
        ),  # fmt: skip
    ],
)
def test_how_an_indicator_stands_says_no_figures_only_where_a_figure_is_missing(row, words):
    """Before: "Red; no figures to check it against." with the target and the actual printed beside it (no
    direction given); "375 short of target" for a lower-is-better figure of 495 days against 120."""
    one = filled(pd.DataFrame([{"ref": "X", "status_code": 4, "status": "Red", **row}]))
    assert words in said("standing", one, ref="X", part=1)


def test_every_statement_holds_when_recomputed_from_indicators_csv_and_a_changed_figure_is_caught():
    indicators = frame()
    made = statements_of(indicators, **CONTEXT).made
    back = indicators_from_csv(csv_bytes(indicators))
    published = rows(made)
    assert [check(row, {INDICATORS: back}) for row in published] == [""] * len(published)
    changed = back.copy()
    changed.loc[changed["ref"] == "2.1", "status_code"] = 1  # an edited indicators.csv
    failures = [check(row, {INDICATORS: changed}) for row in published]
    assert any("do not follow from indicators.csv" in f for f in failures)
    forged = dict(published[0], sentence=published[0]["sentence"].replace("42.9%", "62.9%"))
    assert check(forged, {INDICATORS: back}) == "its sentence is not the one its figures give"
    assert json.loads(published[0]["figures"])["on_pct"] == "42.9%"


def test_the_front_page_never_says_nothing_stands_out_when_most_are_on_track():
    """Before: "Nothing stands out as going well in the figures" at 88.9% green."""
    green = filled(pd.DataFrame({"ref": [f"G{i}" for i in range(9)], "status_code": [1] * 8 + [4]}))
    well = statements_of(green).of("front page: going well")
    assert [s.sentence for s in well] == ["8 of the 9 indicators with a status (88.9%) are achieved or on track."]
