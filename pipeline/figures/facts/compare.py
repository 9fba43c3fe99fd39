"""The comparison's facts, computed from ``benchmark.csv``: where each measure stands against the median of its
peer group and of all organisations, in the bands' words with its rank beside them; how many measures are much
better or much worse than the median; how many are in the top and the bottom quartile.

Each measure is stated in its latest period. The band's words are worked out again from the distance in MADs
and the bands the report used (its params), so a statement holds only if the published words follow from the
published figures. A distance past the last band is given in MADs and left for the author to word; a MAD of zero
is said plainly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.figures import bands as banding
from pipeline.figures.facts.words import listed, n_of
from pipeline.figures.numbers import number
from pipeline.figures.statements import BENCHMARK, fact
from pipeline.period import period_key

SIDES = ("peers", "all")
ROW = ["measure_code", "measure_name", "period", "value", "polarity"] + [
    f"{side}_{what}"
    for side in SIDES
    for what in ("n", "median", "mad", "mads_from_median", "words", "rank", "quartile")
]
QUARTERS = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}
SHOWN = 4  # measures named in a sentence before "and N more"


class View:
    """``benchmark.csv``'s rows as the comparison's facts read them, made once per table: its columns as arrays,
    each measure's (``ref``'s) row in its latest period, and those rows as a frame, in the order of the table."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.columns = {column: frame[column].to_numpy() for column in frame.columns}
        periods = self.columns.get("period", np.array([], dtype=object))
        keys = {p: period_key(p) or (0, 0) for p in set(periods)}
        self.latest: dict = {}
        for i, (ref, period) in enumerate(zip(self.columns.get("ref", []), periods)):
            if ref not in self.latest or keys[period] > keys[periods[self.latest[ref]]]:
                self.latest[ref] = i
        self.latest_frame = frame.iloc[sorted(self.latest.values())]

    def row(self, ref: str) -> dict | None:
        """The measure's latest row (the columns the facts read), or None when the table has no such measure."""
        at = self.latest.get(ref)
        return None if at is None else {column: self.columns[column][at] for column in ROW}


def view(table) -> View:
    """``table`` (``benchmark.csv`` as read, or a ``View`` of it) as a ``View``."""
    return table if isinstance(table, View) else View(table)


def latest_rows(benchmark) -> pd.DataFrame:
    """Each measure's (``ref``'s) row in its latest period, in the order of the table."""
    return view(benchmark).latest_frame


def _float(value):
    return None if value is None or pd.isna(value) else float(value)


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


def _side(row, prefix: str, params: dict) -> dict | None:
    """One side of a measure's standing (its peer group's or all organisations'), with the band's words worked out
    again from the distance and the report's bands; None when the side has no median."""
    median = _float(row[f"{prefix}_median"])
    if median is None:
        return None
    mad, value = _float(row[f"{prefix}_mad"]), _float(row["value"])
    bands = tuple((float(edge), words) for edge, words in params.get("bands") or ())
    own = {k: tuple(v) for k, v in (params.get("comparatives") or {}).items()}
    said = banding.word(value, median, mad, row["polarity"], row["measure_code"], bands, own)
    side = {
        "n": _int(row[f"{prefix}_n"]),
        "median": median,
        "mad": mad,
        "distance": _float(row[f"{prefix}_mads_from_median"]),
        "words": said,
        "rank": _int(row[f"{prefix}_rank"]),
        "quartile": _int(row[f"{prefix}_quartile"]),
    }
    if row[f"{prefix}_words"] != said:
        side["words_as_published"] = row[f"{prefix}_words"]
    return side


def _compared_words(f: dict, params: dict) -> str | None:
    if not f:
        return None
    who, what = params.get("who") or "the organisation", f"{f['code']} ({f['name']})" if f["name"] else f["code"]
    if f["value"] is None:
        return f"{who} has no value for {what} in {f['period']}, so it is not compared on it."
    phrases = [
        _against(f["value"], f[prefix], _whose(prefix, f, params)) for prefix in SIDES if f.get(prefix) is not None
    ]
    if not phrases:
        return None
    sentence = f"On {what} in {f['period']}, {who}'s {number(f['value'])} is " + " and ".join(phrases)
    return sentence + _ranks(f, params) + "."


def _whose(prefix: str, f: dict, params: dict) -> str:
    if prefix == "peers":
        return "its peer group's median"
    if params.get("everyone"):
        return f"{params['everyone']}'s median"
    return f"the median of all {n_of(f['all']['n'] or 0, params.get('members') or 'organisation')} with a value"


def _against(value: float, side: dict, whose: str) -> str:
    median, words = number(side["median"]), side["words"]
    if words == banding.TO_WRITE:
        way = "above" if value > side["median"] else "below"
        return (
            f"{number(round(abs(side['distance']), 1))} median absolute deviations {way} {whose} ({median}; beyond "
            "the worded bands, for the author to describe)"
        )
    if side["mad"] == 0 and words != banding.SAME:
        return f"{words} {whose} ({median}), a value half or more of them share"
    return f"{words} {whose} ({median})"


def _ranks(f: dict, params: dict) -> str:
    said = []
    everyone = f" in {params['everyone']}" if params.get("everyone") else " of all"
    for prefix, where in (("peers", " in its peer group"), ("all", everyone)):
        side = f.get(prefix)
        if side is not None and side["rank"] is not None:
            said.append(f"{_ordinal(side['rank'])} of {side['n']:,}{where} ({QUARTERS[side['quartile']]})")
    if said:
        return "; it ranks " + " and ".join(said)
    if not f["polarity"]:
        return "; it is not ranked, as the dataset gives no direction for the measure"
    return "; it is not ranked, as fewer than two organisations have a value"


def _ordinal(n: int) -> str:
    return f"{n:,}" + ("th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


@fact("compared", _compared_words, BENCHMARK)
def compared(benchmark: pd.DataFrame, params: dict):
    """One measure (``params["ref"]``) in its latest period: its value, and against its peer group and all
    organisations the median, the MAD, the distance in MADs, the band's words, the rank and the quartile."""
    row = view(benchmark).row(params["ref"])
    if row is None:
        return {}, []
    figures = {
        "code": row["measure_code"],
        "name": row["measure_name"] if row["measure_name"] != row["measure_code"] else "",
        "period": row["period"],
        "value": _float(row["value"]),
        "polarity": row["polarity"],
    }
    for prefix in SIDES:
        figures[prefix] = _side(row, prefix, params) if prefix == "all" or params.get("peers") else None
    return figures, [params["ref"]]


# --- the front page ----------------------------------------------------------------------------------------


def _group(f: dict, params: dict) -> str:
    if f["against"] == "peers":
        return f"its {n_of(params.get('peers', 0), 'peer')}"
    return params.get("everyone") or f"all {params.get('members') or 'organisations'}"


def _much_words(f: dict, params: dict) -> str | None:
    if not f["much"]:
        return None
    bands = params.get("bands") or ()
    words = bands[-1][1].replace(banding.PLACE, params["side"]) if bands else f"much {params['side']} than"
    names = f["much"][:SHOWN]
    more = len(f["much"]) - len(names)
    listed_names = listed(names + ([f"{more:,} more"] if more else []))
    whose = "the peer group's median" if f["against"] == "peers" else "the median"
    further = ", or further" if f["further"] else ""
    of = f"{len(f['much']):,} of the {n_of(f['compared'], 'measure')} compared"
    verb = "is" if len(f["much"]) == 1 else "are"
    if len(f["much"]) == f["compared"]:
        of, verb = (
            ("The one measure compared", "is")
            if f["compared"] == 1
            else (f"All {f['compared']:,} measures compared", "are")
        )
    return f"Against {_group(f, params)}, {of} {verb} {words} {whose}{further}: {listed_names}."


@fact("much", _much_words, BENCHMARK)
def much(benchmark: pd.DataFrame, params: dict):
    """The measures, in their latest period, in the last band (or past it) on the ``side`` ("better"/"worse")
    against the peer group's median (all organisations' when there is no peer group); how many measures have a
    band at all."""
    rows = latest_rows(benchmark)
    against = "peers" if params.get("peers") else "all"
    bands = tuple((float(e), w) for e, w in params.get("bands") or ())
    if rows.empty:
        return {"against": against, "compared": 0, "much": [], "further": False}, []
    import numpy as np

    distance = rows[f"{against}_mads_from_median"].astype(float).to_numpy()
    band = banding.band_index(distance, bands)
    polarity = rows["polarity"].to_numpy()
    value, median = (rows[c].astype(float).to_numpy() for c in ("value", f"{against}_median"))
    known = np.isin(polarity, ["higher", "lower"])
    if params["side"] == "better":
        on_side = np.where(polarity == "higher", value > median, value < median)
    else:
        on_side = np.where(polarity == "higher", value < median, value > median)
    chosen = known & (band >= 0) & np.asarray([banding.much(bands, b) for b in band], dtype=bool) & on_side
    picked = rows[chosen]
    names = [f"{c} ({n})" if n and n != c else c for c, n in zip(picked["measure_code"], picked["measure_name"])]
    return {
        "against": against,
        "compared": int((known & (band >= 0)).sum()),
        "much": names,
        "further": bool((band[chosen] >= len(bands)).any()),
    }, list(picked["ref"])


def _quartile_words(f: dict, params: dict) -> str | None:
    ranked, top, bottom = f["ranked"], f["top"], f["bottom"]
    if not ranked:
        return None
    against = f"Against {_group(f, params)}, "
    if ranked == 1:
        where = "top" if top else "bottom" if bottom else "middle two"
        return against + f"the one measure ranked is in the {where} quartile{'s' if where == 'middle two' else ''}."
    for count, end in ((top, "top"), (bottom, "bottom")):
        if count == ranked:
            return against + f"all {ranked:,} measures ranked are in the {end} quartile."
    return against + (
        f"{top:,} of the {ranked:,} measures ranked {'is' if top == 1 else 'are'} in the top quartile and {bottom:,} "
        "in the bottom."
    )


@fact("quartiles", _quartile_words, BENCHMARK)
def quartiles(benchmark: pd.DataFrame, params: dict):
    """How many measures, in their latest period, are ranked among the peer group (all organisations when there
    is none), and how many of them are in the top and the bottom quartile."""
    rows = latest_rows(benchmark)
    against = "peers" if params.get("peers") else "all"
    if rows.empty:
        return {"against": against, "ranked": 0, "top": 0, "bottom": 0}, []
    quartile = rows[f"{against}_quartile"]
    ranked = rows[quartile.notna()]
    return {
        "against": against,
        "ranked": len(ranked),
        "top": int((ranked[f"{against}_quartile"] == 1).sum()),
        "bottom": int((ranked[f"{against}_quartile"] == 4).sum()),
    }, list(ranked["ref"])
