"""A comparison dataset indexed once, and every organisation's standing in it computed at once.

``indexed`` turns the dataset's long rows (one per organisation × measure × period) into a matrix of values, one
row per measure and period (a "group"), one column per organisation, in time linear in the rows; a second row for
the same organisation, measure and period is set aside (the first in the file is used) and reported. From the
matrix, ``among_all`` gives each group's median, MAD and count and each organisation's rank among all with a
value; ``among_peers`` the same within each organisation's peer group (itself included), for many organisations
at once. Rank 1 is the best by the measure's polarity, organisations with equal values share the best rank, and
a group of fewer than two organisations with a value ranks nobody. Medians and MADs are exact (the middle value,
or the mean of the two middle ones), as ``numpy.median`` gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CELL_LIMIT = 40_000_000  # measures × periods × organisations one index holds (about 320 MB of values)
CHUNK = 4_000_000  # peer-group cells sorted at a time, to bound memory


@dataclass(frozen=True)
class Indexed:
    """The dataset as a matrix: ``values`` (groups × organisations, NaN where none), ``lower``/``upper`` (the
    confidence interval where given, else None), ``groups`` ((measure code, period key), each measure's periods in
    order), ``previous`` (each group's earlier period of the same measure, -1 for its first), ``polarity`` and
    ``polarity_words`` per group, ``organisations`` and their ``names``, ``measure_names``, and the rows set aside
    as ``duplicates`` ((organisation, measure, period key, the lines)) and ``infinite`` (lines whose value is a
    number but not a finite one), and the lines whose names held invisible characters (``invisible``)."""

    organisations: list
    names: list
    groups: list
    values: np.ndarray
    lower: np.ndarray | None
    upper: np.ndarray | None
    previous: np.ndarray
    polarity: list
    polarity_words: list
    measure_names: dict
    duplicates: list
    infinite: list
    invisible: list = ()

    def column(self, organisation: str) -> int:
        return self._at()[organisation]

    def _at(self) -> dict:
        at = self.__dict__.get("_columns")
        if at is None:
            at = {code: i for i, code in enumerate(self.organisations)}
            object.__setattr__(self, "_columns", at)
        return at

    def has(self, organisation: str) -> bool:
        return organisation in self._at()


def indexed(dataset, codes: list | None, keep) -> Indexed:
    """The dataset's rows for the measures ``codes`` (None: every measure, in order of appearance) in the periods
    ``keep(period_key)`` admits, as a matrix. Raises ValueError when the matrix would pass ``CELL_LIMIT``."""
    import pandas as pd

    rows = dataset
    if codes is not None:
        rows = rows[rows["measure"].isin(set(codes))]
    admitted = {k: bool(keep(k)) for k in rows["period_key"].unique()}
    rows = rows[rows["period_key"].map(admitted).astype(bool)] if len(rows) else rows
    organisations = list(dict.fromkeys(dataset["organisation"]))
    order = list(dict.fromkeys(codes if codes is not None else rows["measure"]))
    present = set(rows["measure"])
    place = {code: i for i, code in enumerate(order)}
    groups = sorted(set(zip(rows["measure"], rows["period_key"])), key=lambda g: (place[g[0]], g[1]))
    if len(groups) * max(len(organisations), 1) > CELL_LIMIT:
        raise ValueError(
            f"its {len(groups):,} measure-periods × {len(organisations):,} organisations pass the "
            f"{CELL_LIMIT:,} cells one comparison holds"
        )
    column = {code: i for i, code in enumerate(organisations)}
    group_at = {g: i for i, g in enumerate(groups)}
    g = np.fromiter((group_at[k] for k in zip(rows["measure"], rows["period_key"])), dtype=np.int64, count=len(rows))
    o = rows["organisation"].map(column).to_numpy(dtype=np.int64)
    twice = pd.Series(g * len(organisations) + o).duplicated(keep="first").to_numpy()
    duplicates = _duplicates(rows, g, o, twice, groups, organisations)
    g, o = g[~twice], o[~twice]
    shape = (len(groups), len(organisations))
    matrices = {}
    for name in ("value", "lower", "upper"):
        given = rows[name].to_numpy(dtype=float)[~twice]
        if name != "value" and not np.isfinite(given).any():
            matrices[name] = None
            continue
        matrix = np.full(shape, np.nan)
        matrix[g, o] = given
        matrices[name] = matrix
    polarity, words = _polarities(rows, groups)
    names = dict(zip(dataset["organisation"], dataset["organisation_name"]))
    first_names = {}
    for code, name in zip(dataset["measure"], dataset["measure_name"]):
        if name and code not in first_names:
            first_names[code] = name
    return Indexed(
        organisations,
        [names.get(c) or c for c in organisations],
        groups,
        matrices["value"],
        matrices["lower"],
        matrices["upper"],
        _previous(groups),
        polarity,
        words,
        {code: first_names.get(code, code) for code in order if code in present or codes is not None},
        duplicates,
        [int(line) for line in rows.loc[rows["infinite"], "line"]] if "infinite" in rows else [],
        [int(line) for line in dataset.loc[dataset["invisible"], "line"]] if "invisible" in dataset else [],
    )


def _duplicates(rows, g, o, twice, groups, organisations) -> list:
    """Each (organisation, measure, period key) given more than once, with every line that gives it."""
    if not twice.any():
        return []
    cell = g * len(organisations) + o
    repeated = set(cell[twice].tolist())
    lines: dict = {}
    for c, line in zip(cell.tolist(), rows["line"].tolist()):
        if c in repeated:
            lines.setdefault(c, []).append(int(line))
    out = []
    for c, at in lines.items():
        measure, key = groups[c // len(organisations)]
        out.append((organisations[c % len(organisations)], measure, key, at))
    return sorted(out, key=lambda d: d[3][0])


def _polarities(rows, groups) -> tuple[list, list]:
    """Each group's polarity (the one its rows give; "" when none or when they disagree) and the dataset's words
    for it."""
    distinct = rows[["measure", "period_key", "polarity", "polarity_word"]].drop_duplicates()
    given: dict = {}
    said: dict = {}
    for measure, key, polarity, word in distinct.itertuples(index=False):
        if polarity:
            given.setdefault((measure, key), set()).add(polarity)
        if word:
            said.setdefault((measure, key), set()).add(word)
    polarity = [next(iter(given[g])) if len(given.get(g, ())) == 1 else "" for g in groups]
    words = [", ".join(map(repr, sorted(said.get(g, ())))) for g in groups]
    return polarity, words


def _previous(groups: list) -> np.ndarray:
    previous = np.full(len(groups), -1, dtype=np.int64)
    for i in range(1, len(groups)):
        if groups[i][0] == groups[i - 1][0]:
            previous[i] = i - 1
    return previous


# --- standing ------------------------------------------------------------------------------------------


def middle(sorted_values: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The median of each row of ``sorted_values`` (ascending along the last axis, NaN last) holding ``n``
    values; NaN where n is 0."""
    low = np.clip((n - 1) // 2, 0, None)
    high = np.clip(n // 2, 0, None)
    a = np.take_along_axis(sorted_values, low[..., None], axis=-1)[..., 0]
    b = np.take_along_axis(sorted_values, high[..., None], axis=-1)[..., 0]
    return np.where(n > 0, (a + b) / 2, np.nan)


def centre(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Along the last axis (NaN: no value): how many values, their median, and their MAD (the unscaled median of
    the absolute deviations from the median)."""
    ordered = np.sort(values, axis=-1)
    n = np.count_nonzero(~np.isnan(values), axis=-1)
    median = middle(ordered, n) if values.shape[-1] else np.full(values.shape[:-1], np.nan)
    if not values.shape[-1]:
        return n, median, median
    deviation = np.sort(np.abs(values - median[..., None]), axis=-1)
    return n, median, middle(deviation, n)


def rank_of(own: np.ndarray, others: np.ndarray, higher: np.ndarray) -> np.ndarray:
    """1 + how many of ``others`` (last axis) are strictly better than ``own`` by the polarity (``higher``: True
    where higher is better): ties share the best rank."""
    with np.errstate(invalid="ignore"):
        above = np.count_nonzero(others > own[..., None], axis=-1)
        below = np.count_nonzero(others < own[..., None], axis=-1)
    return 1 + np.where(higher, above, below)


@dataclass(frozen=True)
class Standing:
    """Per group (rows) and organisation (columns): ``n`` organisations with a value in the group, its ``median``
    and ``mad``, and the organisation's ``rank`` (NaN: no rank)."""

    n: np.ndarray
    median: np.ndarray
    mad: np.ndarray
    rank: np.ndarray


def ranked(index: Indexed) -> tuple[np.ndarray, np.ndarray]:
    """Which groups can rank (a known polarity) and which of them has higher as better."""
    polarity = np.asarray(index.polarity, dtype=object)
    return polarity != "", polarity == "higher"


def among_all(index: Indexed) -> Standing:
    """Every organisation's standing among all organisations with a value (n, median and MAD per group, as
    groups × 1; rank as groups × organisations)."""
    values = index.values
    n, median, mad = centre(values)
    can, higher = ranked(index)
    ordered = np.sort(values, axis=1)
    rank = np.full(values.shape, np.nan)
    for g in np.flatnonzero(can & (n >= 2)):
        row, own = ordered[g, : n[g]], values[g]
        valued = ~np.isnan(own)
        if higher[g]:
            better = n[g] - np.searchsorted(row, own[valued], side="right")
        else:
            better = np.searchsorted(row, own[valued], side="left")
        rank[g, valued] = 1 + better
    return Standing(n[:, None], median[:, None], mad[:, None], rank)


def among_peers(index: Indexed, members: np.ndarray) -> Standing:
    """The standing of each organisation within its own peer group: ``members`` (organisations × K) holds, row by
    row, the columns of an organisation's group, itself first, padded with -1. Returns groups × organisations."""
    values = np.concatenate([index.values, np.full((len(index.groups), 1), np.nan)], axis=1)
    members = np.where(members < 0, values.shape[1] - 1, members)
    can, higher = ranked(index)
    shape = (len(index.groups), len(members))
    n, median, mad, rank = (np.zeros(shape, dtype=np.int64), np.full(shape, np.nan), np.full(shape, np.nan),
                            np.full(shape, np.nan))  # fmt: skip
    step = max(1, CHUNK // max(1, members.shape[1] * max(1, len(members))))
    for start in range(0, len(index.groups), step):
        rows = slice(start, start + step)
        group = values[rows][:, members]  # groups × organisations × K
        n[rows], median[rows], mad[rows] = centre(group)
        own = group[:, :, 0]
        r = rank_of(own, group, higher[rows, None])
        rank[rows] = np.where(can[rows, None] & (n[rows] >= 2) & ~np.isnan(own), r, np.nan)
    return Standing(n, median, mad, rank)


def quartile(rank: np.ndarray, n: np.ndarray) -> np.ndarray:
    """⌈4 × rank / n⌉, 1 the best quarter; NaN without a rank."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isnan(rank), np.nan, np.ceil(4 * rank / np.where(n > 0, n, 1)))


def change(rank: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """The rank's change since the same measure's period before (positive: up the table); NaN for a first period
    or where either rank is missing. ``rank``: groups × organisations."""
    before = np.where(previous[:, None] >= 0, rank[np.clip(previous, 0, None)], np.nan)
    return before - rank
