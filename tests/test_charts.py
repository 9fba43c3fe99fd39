"""charts: byte-stable SVG, colour plus hatch per status, and a text alternative that states the figures."""

import pandas as pd

from pipeline.read.stockton import STOCKTON
from pipeline.report import charts
from pipeline.schema import Scale

LABELS = STOCKTON.labels  # the table below is drawn on Stockton's numbered scale


def table():
    frame = pd.DataFrame(
        {
            "Achieved Target": [12, 0],
            "On Track to Achieve Target": [8, 1],
            "Slipped": [0, 0],
            "Target Not Achieved": [1, 1],
            "Not assessed": [0, 0],
        },
        index=pd.Index(["Economic Regeneration and Transport", "Other outcomes"], name="theme"),
    )
    frame["Total"] = frame.sum(axis=1)
    return frame


def test_same_table_gives_identical_svg_bytes():
    first = charts.to_svg(charts.status_bars(table(), "Status by theme", LABELS))
    second = charts.to_svg(charts.status_bars(table(), "Status by theme", LABELS))
    assert first == second
    assert "<dc:date>" not in first
    assert first.startswith("<?xml")


def test_different_figures_give_different_svg():
    other = table()
    other.loc["Other outcomes", "Slipped"] = 2
    assert charts.to_svg(charts.status_bars(table(), "t", LABELS)) != charts.to_svg(
        charts.status_bars(other, "t", LABELS)
    )


def test_alt_text_states_every_bar():
    alt = charts.status_bars_alt(table(), "theme", LABELS)
    assert alt == (
        "Bar chart of indicator status by theme. Economic Regeneration and Transport: 12 achieved, "
        "8 on track, 1 not achieved; Other outcomes: 1 on track, 1 not achieved."
    )


def test_every_status_has_a_distinct_colour_and_hatch_from_its_meaning_never_its_word():
    styles = list(charts.status_styles(LABELS).values())
    own = charts.status_styles(Scale({1: "Green", 3: "Amber", 4: "Red"}))
    assert own["Amber"]["color"] == charts.CODE_STYLE[3]["color"] and own["Amber"]["short"] == "Amber"
    assert charts.status_styles(LABELS)["Slipped"]["short"] == "slipped"  # numbered: the meaning's short word
    assert len({s["color"] for s in styles}) == len(styles)
    assert len({s["hatch"] for s in styles}) == len(styles)


def variance_rows():
    return pd.DataFrame(
        {
            "ref": ["3.1", "4.9", "5.1"],
            "label": ["3.1  start-ups", "4.9  homes", "5.1  missed bins"],
            "better_pct": [24.4, -11.1, 93.5],
            "rag": ["green", "red", "green"],
        }
    )


def test_better_pct_turns_lower_is_better_around():
    assert charts.better_pct(-17.6, "lower") == 17.6
    assert charts.better_pct(24.4, "higher") == 24.4


def test_variance_chart_is_byte_stable_and_its_alt_text_has_every_bar():
    first = charts.to_svg(charts.variance_bars(variance_rows(), "Variance"))
    assert first == charts.to_svg(charts.variance_bars(variance_rows(), "Variance"))
    alt = charts.variance_bars_alt(variance_rows())
    assert alt.endswith("3.1: +24.4% (green); 4.9: -11.1% (red); 5.1: +93.5% (green).")
    assert "for 3 indicators" in alt


def _texts_inside(fig) -> list[str]:
    """The texts of a figure that do not lie wholly inside it, once drawn as it is saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # the layout engine places everything, as it does when the SVG is saved
    renderer = canvas.get_renderer()
    box = fig.bbox
    outside = []
    for text in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent")):
        if not text.get_text() or not text.get_visible():
            continue
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1 or extent.y1 > box.y1 + 1:
            outside.append(text.get_text())
    return outside


def test_a_variance_chart_of_long_single_word_labels_stays_inside_its_figure():
    """Before: long single-word labels pushed the axes right and the title ran off the figure, cut."""
    rows = pd.DataFrame(
        {
            "label": [f"LONGREFEREN\u2026  Indicator_with_a_very_long_single_word_na\u2026 {i}" for i in range(40)],
            "better_pct": [20 - i for i in range(40)],
            "rag": ["green" if i < 20 else "red" for i in range(40)],
        }
    )
    assert _texts_inside(charts.variance_bars(rows, "Variance from target (right is better)")) == []


def test_a_label_of_one_very_long_word_is_broken_and_cut_so_the_chart_lays_out():
    """Before: directorate names of 200 characters without a space left matplotlib unable to fit the bars
    ("Tight layout not applied") and the chart ran off its figure."""
    import warnings

    from pipeline.schema import Scale

    names = ["D" * 200 + str(i) for i in range(18)]
    frame = pd.DataFrame({"Met": [3] * 18, "Not met": [2] * 18, "Not assessed": [0] * 18}, index=pd.Index(names))
    frame["Total"] = frame.sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        svg = charts.to_svg(charts.status_bars(frame, "t", Scale({1: "Met", 4: "Not met"})))
    assert svg.count("DDDDDDDDDDDDDDDDDDDDDDDDDDDDD\u2026") == 18  # each cut on its third line
    assert charts._label("a " * 5 + "b" * 100, 30).split("\n") == [
        "a a a a a " + "b" * 20,
        "b" * 30,
        "b" * 29 + "\u2026",
    ]


def test_a_variance_chart_of_one_or_two_indicators_has_room_for_its_bars_and_nothing_overlaps():
    """Before: with one indicator the chart was 1.6 in tall; matplotlib could not fit its title, axis label and
    legend ("Tight layout not applied"), the legend lay over the axis and its label fell off the figure."""
    import warnings

    for n in (1, 2):
        rows = pd.DataFrame(
            {"label": [f"0{i} A measure" for i in range(n)], "better_pct": [-2.0] * n, "rag": ["amber"] * n}
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            fig = charts.variance_bars(rows, "Against target (right is better)")
            assert _texts_inside(fig) == []
        assert fig.get_figheight() == charts.MIN_VARIANCE_HEIGHT_IN
        axes, legend = fig.axes[0].get_window_extent(), fig.legends[0].get_window_extent()
        assert axes.height >= 0.6 * fig.dpi  # room for the bars (0.2 in each), not a sliver
        assert legend.y1 < fig.axes[0].xaxis.label.get_window_extent().y0  # the legend is below the axis's label
    # from five bars on, the height is the bars' own: a chart as before
    five = pd.DataFrame({"label": list("abcde"), "better_pct": [1.0] * 5, "rag": ["green"] * 5})
    assert charts.variance_bars(five, "t").get_figheight() == 1.4 + 0.2 * 5
