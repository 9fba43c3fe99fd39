"""How far a value is from a median, in words a committee reads: the distance in median absolute deviations (MADs)
and the band it falls in.

The distance is ``(value − median) / MAD``, the MAD being the unscaled median of the absolute deviations from the
median (as Oflog's automated text measures it). Its band's words come from the comparison layout's bands (Oflog's
five by default: within ±0.5 "broadly similar to", to 1.5 "slightly better than", to 3 "better than", to 7.5 "much
better than"); each band holds its upper edge (a distance of exactly 0.5 is broadly similar). "Better" is better
by the measure's polarity, or the measure's own words where the layout gives them; a measure with no polarity is
"higher" or "lower". A MAD of zero (half or more of the group share the median value) gives no distance: a value
at the median is "the same as" it, any other only "higher"/"better" or "lower"/"worse" than it. A distance past
the last band is not worded: it is flagged ``TO_WRITE``, for a person to describe.
"""

from __future__ import annotations

import math

import numpy as np

SAME, TO_WRITE = "the same as", "to be written"
PLACE = "{better}"  # where a band's words take the comparative


def comparative(better: bool, polarity: str, own: tuple | None = None) -> str:
    """The direction in words: the measure's own (``own``: (better, worse)) or "better"/"worse" by its polarity;
    "higher"/"lower" when it has none (``better`` is then whether the value is the higher)."""
    if not polarity:
        return "higher" if better else "lower"
    own = own or ("better", "worse")
    return own[0] if better else own[1]


def distances(values, medians, mads) -> np.ndarray:
    """``(value − median) / MAD`` element by element; NaN where the MAD is zero or any figure is missing."""
    values, medians, mads = (np.asarray(a, dtype=float) for a in (values, medians, mads))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mads > 0, (values - medians) / np.where(mads > 0, mads, 1.0), np.nan)


def band_index(distance, bands: tuple) -> np.ndarray:
    """Each distance's band (0 the nearest; ``len(bands)`` past the last; -1 for no distance). A band holds its
    upper edge."""
    distance = np.asarray(distance, dtype=float)
    edges = np.array([edge for edge, _ in bands], dtype=float)
    found = np.searchsorted(edges, np.abs(np.nan_to_num(distance, nan=0.0)), side="left")
    return np.where(np.isnan(distance), -1, found)


def words(values, medians, mads, polarities, codes, bands: tuple, comparatives: dict) -> list[str]:
    """The band's words for each value against its group's median (one element per row of the equal-length
    arrays; ``polarities`` "higher"/"lower"/"", ``codes`` each row's measure, whose own comparatives
    (``comparatives``: code -> (better, worse)) replace "better"/"worse"). "" where the value or the median is
    missing; ``TO_WRITE`` past the last band. Each distinct wording is built once."""
    values, medians, mads = (np.asarray(a, dtype=float) for a in (values, medians, mads))
    distance = distances(values, medians, mads)
    band = band_index(distance, bands)
    polarity = np.asarray(polarities, dtype=object)
    up = values > medians
    better = np.where(polarity == "lower", ~up, up)
    missing = np.isnan(values) | np.isnan(medians) | np.isnan(mads)
    flat = (mads == 0) & ~missing
    # each row's wording as a small key: (measure, band, better, polarity, MAD zero, same), built once per key
    code_ids, code_names = _factor(codes)
    polar_ids, polar_names = _factor(polarity)
    parts = [code_ids, band + 1, better.astype(np.int64), polar_ids, flat.astype(np.int64), values == medians]
    sizes = [len(code_names), len(bands) + 2, 2, len(polar_names), 2, 2]
    key = np.zeros(len(values), dtype=np.int64)
    for part, size in zip(parts, sizes):  # one integer per wording: a mixed-radix number of its parts
        key = key * size + np.asarray(part, dtype=np.int64)
    unique, inverse = np.unique(key, return_inverse=True)
    said = []
    for number in unique.tolist():
        digits = []
        for size in reversed(sizes):
            number, digit = divmod(number, size)
            digits.append(digit)
        same, is_flat, polar, is_better, b, code = digits
        code, polar = code_names[code], polar_names[polar]
        said.append(
            _wording(int(b) - 1, bool(is_better), polar, bool(is_flat), bool(same), bands, comparatives.get(code))
        )
    out = np.asarray(said, dtype=object)[inverse.reshape(-1)] if len(said) else np.array([], dtype=object)
    out[missing] = ""
    return out.tolist()


def word(value: float, median: float, mad: float, polarity: str, code: str, bands: tuple, comparatives: dict) -> str:
    """``words`` for one value (the same rules, without arrays)."""
    if any(x is None or x != x for x in (value, median, mad)):
        return ""
    distance = (value - median) / mad if mad > 0 else math.nan
    band = (
        -1
        if distance != distance
        else next((i for i, (edge, _) in enumerate(bands) if abs(distance) <= edge), len(bands))
    )
    better = value < median if polarity == "lower" else value > median
    return _wording(band, better, polarity, mad == 0, value == median, bands, comparatives.get(code))


def _wording(band: int, better: bool, polarity: str, flat: bool, same: bool, bands: tuple, own) -> str:
    if flat:
        return SAME if same else f"{comparative(better, polarity, own)} than"
    if band < 0:
        return ""
    if band >= len(bands):
        return TO_WRITE
    return bands[band][1].replace(PLACE, comparative(better, polarity, own))


def _factor(items) -> tuple[np.ndarray, list]:
    """Each item's number among the distinct items (as text), and those items."""
    import pandas as pd

    codes, names = pd.factorize(np.asarray(items, dtype=object))
    return codes.astype(np.int64), [str(n) for n in names]


def much(bands: tuple, index: int) -> bool:
    """Whether a band is the last one or past it: what a front page counts as much better or much worse."""
    return index >= len(bands) - 1
