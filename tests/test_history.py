"""figures.history and the SPC's fact: an indicator's history from every kind of source, the one its chart is
drawn from, spc.csv drawn again from history.csv alone, the settings a register and a layout give, and the
front page's sentence. Frames here are SYNTHETIC, built in the test."""

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.figures import history, spc
from pipeline.figures.facts.period import GOING_WELL, NEEDS_ATTENTION, spc_statements
from pipeline.figures.statements import check, rows
from pipeline.period import Period
from pipeline.read import ingest
from pipeline.read.layout import read_layout
from pipeline.run.publish import csv_bytes

NOW = Period.parse("2024/25", "Q4")


def indicators(actuals: dict, polarity: str = "higher", target: float = 10.0) -> pd.DataFrame:
    return pd.DataFrame({"ref": list(actuals), "part": [1] * len(actuals), "actual": list(actuals.values()),
                         "target": [target] * len(actuals), "polarity": [polarity] * len(actuals),
                         "status_code": [1] * len(actuals), "measure": [f"Measure {r}" for r in actuals]})  # fmt: skip


def earlier(n: int, values: dict) -> dict:
    """``n`` quarters before NOW, each export holding ``values[ref](t)``."""
    periods, period = [], NOW
    for _ in range(n):
        period = period.previous()
        periods.insert(0, period)
    return {p: (f"body_{p.year_slug}_{p.quarter_label}.csv", indicators({r: f(t) for r, f in values.items()}))
            for t, p in enumerate(periods)}  # fmt: skip


def test_every_earlier_export_is_a_point_and_the_chart_is_drawn_from_history_csv_alone():
    before = earlier(13, {"A": lambda t: 10 + (t % 3), "B": lambda t: 5.0})
    past = history.history(indicators({"A": 11.0, "B": 5.0}), NOW, "body_2024-25_Q4.csv", before)
    assert list(past.columns) == history.COLUMNS
    assert past.groupby("ref").size().to_dict() == {"A": 14, "B": 14}
    assert past["period"].iloc[-1] == "2024/25 Q4" and past["source"].iloc[-1] == "export body_2024-25_Q4.csv"
    charts = history.spc_table(past)
    assert charts["upper_limit"].notna().all() and set(charts.loc[charts["ref"] == "B", "variation"]) == {
        "common cause"
    }
    again = history.spc_table(history.history_from_csv(csv_bytes(past)))
    assert csv_bytes(again) == csv_bytes(charts)


def test_the_chart_comes_from_the_source_with_most_points_and_mixes_no_cadences():
    columns = pd.DataFrame({"ref": ["A"] * 3, "part": [1] * 3, "period": ["2021/22", "2022/23", "2023/24"],
                            "actual": [7.0, 8.0, 9.0], "column": ["2021", "2022", "2023"]})  # fmt: skip
    before = earlier(1, {"A": lambda t: 9.5})
    past = history.history(indicators({"A": 10.0}), NOW, "x.csv", before, columns)
    kinds = past["source"].map(history.kind_of)
    assert kinds.value_counts().to_dict() == {"columns": 4, "export": 2}  # three columns and the year's actual
    chosen = history.chosen(past)
    assert list(chosen["period"]) == ["2021/22", "2022/23", "2023/24", "2024/25"]
    dataset = ("Synthetic dataset", pd.DataFrame({"ref": ["A"] * 6, "period": [f"{y}/{(y + 1) % 100:02d}" for y in range(2017, 2023)],
                                                 "value": [1.0, 2, 3, 4, 5, 6]}))  # fmt: skip
    past = history.history(indicators({"A": 10.0}), NOW, "x.csv", before, columns, dataset)
    assert set(history.chosen(past)["source"]) == {"dataset Synthetic dataset"}


def test_a_register_and_a_layout_set_how_each_chart_is_drawn():
    register = ingest.parse_register(
        b"ref,spc_minimum,spc_shift,spc_trend,spc_baseline,spc_recalculate\nA,15,7,7,10,2024-25 Q1; 2024/25 Q3\nB,,,,,\n",
        "register.csv",
    )
    layout = read_layout(
        b'[layout]\nkind = "table"\n[columns]\nref = "R"\nmeasure = "M"\n[spc]\nminimum = 20\n', "l.toml"
    )
    settings = history.chart_settings(register, layout.spc)
    assert settings["A"] == {"minimum_points": 15, "shift_points": 7, "trend_points": 7, "baseline_points": 10,
                             "recalculate": frozenset({"2024/25 Q1", "2024/25 Q3"})}  # fmt: skip
    assert settings["B"]["minimum_points"] == 20 and settings["*"]["shift_points"] == 6
    past = history.history(
        indicators({"A": 1.0, "B": 2.0}), NOW, "x.csv", earlier(3, {"A": float, "B": float}), settings=settings
    )
    a = past[past["ref"] == "A"]
    assert list(a["recalculate"]) == [
        True,
        False,
        True,
        False,
    ]  # 2024/25 Q1 and Q3 of Q1 to Q4 and set(a["minimum_points"]) == {15}


@pytest.mark.parametrize(
    "cells, said",
    [
        ("spc_minimum\n1", "spc_minimum '1' must be a whole number from 2 to 100"),
        ("spc_shift\nsix", "spc_shift 'six' must be a whole number from 4 to 12"),
        ("spc_recalculate\nlast spring", "spc_recalculate 'last spring' is not a period"),
    ],
)
def test_bad_spc_settings_in_a_register_are_one_line_naming_the_line(cells, said):
    header, value = cells.split("\n")
    with pytest.raises(InputError, match=said) as raised:
        ingest.parse_register(f"ref,{header}\nA,{value}\n".encode(), "register.csv")
    assert str(raised.value).startswith("register.csv:2:")
    with pytest.raises(InputError, match=r"\[spc\] shift must be a whole number"):
        read_layout(b'[layout]\nkind = "table"\n[columns]\nref = "R"\nmeasure = "M"\n[spc]\nshift = 30\n', "l.toml")


def test_the_front_page_sentence_counts_concerns_and_improvements_and_names_the_worst():
    def frame(ref, values, improvement):
        return pd.DataFrame({"series": ref, "period": range(len(values)), "value": values, "improvement": improvement})

    flat = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 12, 11]
    table = spc.chart(pd.concat([frame("UP", flat + [30.0], "lower"), frame("OK", flat + [11.0], "higher"),
                                 frame("GOOD", flat + [25.0], "higher")])).rename(columns={"series": "ref"})  # fmt: skip
    said = spc_statements(table, {"UP": "Waiting days", "GOOD": "Visits"})
    attention = said[NEEDS_ATTENTION][0]
    assert said[GOING_WELL] == [None]
    assert attention.sentence.startswith(
        "Of the 3 indicators with enough history for SPC limits, 1 shows special-cause concern at the latest point; 1 "
        "shows special-cause improvement. The most serious is UP Waiting days, "
    )
    assert "sigma above its mean (a point above the upper limit)" in attention.sentence
    published = rows([attention])[0]
    assert check(published, {"spc.csv": table}) == ""
    edited = table.copy()
    edited.loc[edited["ref"] == "UP", "variation"] = "common cause"
    assert "do not follow from spc.csv" in check(published, {"spc.csv": edited})
    calm = table[table["ref"] != "UP"]
    well = spc_statements(calm, {"GOOD": "Visits"})
    assert well[NEEDS_ATTENTION] == [None]
    assert well[GOING_WELL][0].sentence == (
        "Of the 2 indicators with enough history for SPC limits, 1 shows special-cause improvement at the latest "
        "point and none concern: GOOD Visits."
    )
    assert spc_statements(table[table["ref"] == "OK"], {})[GOING_WELL] == [None]
    assert history.spc_table(pd.DataFrame(columns=history.COLUMNS)).empty
