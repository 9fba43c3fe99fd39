"""bands: the distance from a median in MADs, and its words (Oflog's five bands by default, a layout's own, a
measure's own comparatives; a MAD of zero said plainly; past the last band left for a person). Values here are
SYNTHETIC, chosen to sit on and either side of each edge."""

import math

import numpy as np
import pytest

from pipeline.figures import bands
from pipeline.read.comparison import OFLOG_BANDS


def one(value, median=10.0, mad=2.0, polarity="higher", code="M", layout=OFLOG_BANDS, own=None):
    """The words for one value, from the arrays' rule and from the one value's (they must agree)."""
    many = bands.words([value], [median], [mad], [polarity], [code], layout, own or {})[0]
    assert bands.word(value, median, mad, polarity, code, layout, own or {}) == many
    return many


@pytest.mark.parametrize(
    "distance, words",
    [
        (0.0, "broadly similar to"),
        (0.5, "broadly similar to"),  # a band holds its upper edge
        (-0.5, "broadly similar to"),
        (0.5000001, "slightly better than"),
        (-0.5000001, "slightly worse than"),
        (1.5, "slightly better than"),
        (1.5000001, "better than"),
        (3.0, "better than"),
        (-3.0, "worse than"),
        (3.0000001, "much better than"),
        (7.5, "much better than"),
        (-7.5, "much worse than"),
        (7.5000001, bands.TO_WRITE),  # past the last band: for a person to write
        (-40.0, bands.TO_WRITE),
    ],
)
def test_each_band_holds_its_upper_edge_and_past_the_last_is_left_to_a_person(distance, words):
    median, mad = 10.0, 2.0
    value = median + distance * mad
    assert one(value, median, mad) == words
    assert bands.distances([value], [median], [mad])[0] == pytest.approx(distance, abs=1e-12)


def test_better_follows_the_polarity_and_no_polarity_reads_higher_or_lower():
    assert one(14.0, polarity="lower") == "worse than"  # 2 MADs above, where lower is better
    assert one(6.0, polarity="lower") == "better than"
    assert one(14.0, polarity="") == "higher than" and one(6.0, polarity="") == "lower than"
    assert one(12.0, polarity="") == "slightly higher than"


def test_a_measures_own_words_replace_better_and_worse():
    own = {"INFO": ("easier to find information", "harder to find information")}
    assert one(14.0, code="INFO", own=own) == "easier to find information than"
    assert one(6.0, code="INFO", own=own) == "harder to find information than"
    assert one(14.0, code="OTHER", own=own) == "better than"  # only that measure


def test_a_mad_of_zero_is_said_plainly_and_never_divided_by():
    assert one(10.0, mad=0.0) == bands.SAME
    assert one(11.0, mad=0.0) == "better than" and one(9.0, mad=0.0, polarity="") == "lower than"
    assert math.isnan(bands.distances([11.0], [10.0], [0.0])[0])


def test_a_layouts_own_bands_and_missing_figures():
    layout = ((1.0, "close to"), (2.0, "clearly {better} than"))
    assert one(11.0, layout=layout) == "close to" and one(13.0, layout=layout) == "clearly better than"
    assert one(15.0, layout=layout) == bands.TO_WRITE
    assert one(math.nan) == "" and one(12.0, median=math.nan) == ""
    assert bands.band_index(np.array([0.2, 1.2, 9.0, math.nan]), layout).tolist() == [0, 1, 2, -1]
    assert bands.much(layout, 1) and bands.much(layout, 2) and not bands.much(layout, 0)
