"""report.svg_plot and report.spc_charts: line charts written as plain SVG — every text escaped and inside its
panel, a gap where a value is missing, period labels that never run into each other; a profile's measures over
the years beside their medians."""

import math
import re
import xml.etree.ElementTree as ET

import pandas as pd

from pipeline.report import spc_charts, svg_plot

NS = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_a_title_is_cut_to_its_width_with_an_ellipsis():
    assert svg_plot.fitted("short", 100) == "short"
    cut = svg_plot.fitted("ASC1 Outcome, ASC Carer Quality of Life, a long measure name", 160)
    assert cut.endswith("\u2026") and len(cut) == int(160 / (svg_plot.CHAR * svg_plot.SMALL))


def test_small_panels_label_only_the_first_and_last_period_when_the_labels_would_meet():
    periods = [f"20{y}/{y + 1}" for y in range(10, 18)]
    line = [([1.0] * 8, "#000", 1, "", False)]
    crowded = svg_plot.panel_svg(svg_plot.Panel(0, 0, 150, 100, periods, line, [], "", 4))
    labels = [re.search(r">([^<]*)</text>", e).group(1) for e in crowded if "<text" in e]
    assert [x for x in labels if "/" in x] == ["2010/11", "2017/18"]
    roomy = svg_plot.panel_svg(svg_plot.Panel(0, 0, 600, 100, periods, line, [], "", 4))
    roomy_labels = [re.search(r">([^<]*)</text>", e).group(1) for e in roomy if "<text" in e]
    assert [x for x in roomy_labels if "/" in x] == ["2010/11", "2012/13", "2014/15", "2016/17"]


def test_a_missing_value_is_a_gap_in_the_line_not_a_zero():
    path = svg_plot._line([1.0, math.nan, 3.0], lambda i: i * 10.0, lambda v: v, "#000", 1, "", False)
    assert path.count("M") == 2 and "L" not in path.split('d="')[1].split('"')[0]


def positions(values, peers=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "period": [f"20{10 + i}/{11 + i}" for i in range(n)],
            "value": values,
            "all_median": [5.0] * n,
            "peers_median": peers if peers is not None else [pd.NA] * n,
        }
    )


def test_over_the_years_draws_each_measure_with_its_medians_and_escapes_every_name():
    series = [
        ("A <b>measure</b> & its name", positions([1.0, 2.0, None, 4.0], [3.0, 3.0, 3.0, 3.0])),
        ("No peers", positions([7.0, 8.0])),
    ]
    svg = spc_charts.over_the_years(series, "Anytown <over> the years", "Anytown & District")
    root = ET.fromstring(svg)  # well-formed: every name escaped
    shown = texts(svg)
    assert "Anytown <over> the years" in shown and "A <b>measure</b> & its name" in shown
    assert {"Anytown & District", "Its peer group's median", "Median of all"} <= set(shown)
    paths = [p.get("d") for p in root.iter(f"{NS}path") if p.get("stroke") in ("#C04A00", "#0072B2", "#7A7A7A")]
    # first panel: all's median, the peers' median, the value (a gap at the missing point); second: no peers line
    assert len([p for p in root.iter(f"{NS}path") if p.get("stroke") == "#0072B2"]) == 1 + 1  # and the legend's
    value_lines = [p.get("d") for p in root.iter(f"{NS}path") if p.get("stroke") == "#C04A00" and "M" in p.get("d")]
    assert value_lines[0].count("M") == 2 and len(paths) >= 5
    assert len([c for c in root.iter(f"{NS}circle") if c.get("fill") == "#C04A00"]) == 3 + 2
