"""How we compare: each measure's position among similar organisations and among all, from a comparison dataset.

The dataset (``read.comparison``: one row per organisation × measure × period) is indexed once (``ranking``) into
a ``Field``: every measure and period up to the report's, with each organisation's rank among all. ``table`` then
gives the positions of any number of organisations at once (one, for a period report; every one, for profiles and
``compare --all``): for each measure and period, the organisation's value, its rank (1 best by the measure's
polarity, ties share the best rank) and quartile (⌈4 × rank / n⌉, 1 best) among its peers (its comparator group,
itself included) and among all organisations with a value, both medians and MADs, its distance from each median in
MADs and that distance's words (``bands``), and the rank's change since the period before. A measure whose
polarity is unknown, or a group of fewer than two organisations with a value, gives no rank or quartile, and
``note`` says why.

Everything here is pure: frames in, frames out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.figures import bands as banding
from pipeline.figures import ranking
from pipeline.period import period_key, period_label
from pipeline.read.comparison import OFLOG_BANDS

COLUMNS = [
    "ref",
    "measure_code",
    "measure_name",
    "period",
    "value",
    "polarity",
    "peers_n",
    "peers_rank",
    "peers_quartile",
    "peers_median",
    "peers_mad",
    "peers_mads_from_median",
    "peers_words",
    "all_n",
    "all_rank",
    "all_quartile",
    "all_median",
    "all_mad",
    "all_mads_from_median",
    "all_words",
    "peers_rank_change",
    "all_rank_change",
    "note",
    "lower",
    "upper",
    "against_all_median",
    "own_value",
]
COUNTS = ("peers_n", "peers_rank", "peers_quartile", "all_n", "all_rank", "all_quartile", "peers_rank_change",
          "all_rank_change")  # fmt: skip


@dataclass(frozen=True)
class Wording:
    """The bands of distance and their words (``bands.py``), and each measure's own words for better and worse
    (``comparatives``: code -> (better, worse)): the comparison layout's, Oflog's bands by default."""

    bands: tuple = OFLOG_BANDS
    comparatives: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Field:
    """A dataset made ready for ranking: its index (``ranking.Indexed``) for the ``measures`` compared (ref ->
    code) up to a period, every organisation's standing among all, the periods the whole dataset covers and its
    measure codes, and the ``wording``."""

    index: ranking.Indexed
    measures: dict
    everyone: ranking.Standing
    periods: list
    codes: frozenset
    wording: Wording
    marks: dict = field(default_factory=dict, compare=False, repr=False)  # the chart's marks per group (``_marks``)


def prepare(dataset: pd.DataFrame, measures: dict | None, upto: tuple[int, int], wording: Wording = Wording()) -> Field:
    """The ``Field`` of ``dataset`` for the ``measures`` (ref -> measure code; None: every measure, its code as its
    ref) in every period at or before ``upto`` (a period key). Raises ValueError when the dataset is too sparse to
    index (``ranking.CELL_LIMIT``)."""
    if measures is None:
        measures = {code: code for code in dict.fromkeys(dataset["measure"])}
    codes = list(dict.fromkeys(measures.values()))
    index = ranking.indexed(dataset, codes, lambda key: at_or_before(key, upto))
    return Field(
        index,
        dict(measures),
        ranking.among_all(index),
        sorted(set(dataset["period_key"])),
        frozenset(dataset["measure"]),
        wording,
    )


def groups_for(ready: Field, organisations: list[str], peers: dict | None) -> tuple[np.ndarray | None, dict]:
    """The peer groups of ``organisations`` as ``ranking.among_peers`` reads them (each row: the columns of the
    group, the organisation first, -1 padding; a row of -1 after the first for an organisation with no group), and
    the codes each group names that the dataset does not hold (organisation -> codes). ``peers``: organisation ->
    its group's codes or None; None for no peer groups at all."""
    if peers is None:
        return None, {}
    index, unknown, rows = ready.index, {}, []
    for code in organisations:
        group = peers.get(code)
        members = list(dict.fromkeys([code, *(group or [])]))
        missing = [c for c in members if not index.has(c)]
        if missing:
            unknown[code] = missing
        rows.append([index.column(c) for c in members if index.has(c)] if group is not None else [])
    width = max((len(r) for r in rows), default=1) or 1
    members = np.full((len(rows), width), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        members[i, : len(row)] = row
    return members, unknown


def table(ready: Field, organisations: list[str], peers: dict | None = None) -> pd.DataFrame:
    """The positions of each of ``organisations`` (codes the dataset holds) on every measure of ``ready`` in every
    period, one row each (``COLUMNS`` with ``organisation`` first), organisation by organisation in the order
    given. ``peers``: organisation -> its comparator group's codes (None: it has none), or None for no peer
    groups."""
    index = ready.index
    refs, spans = [], []
    by_code: dict = {}
    for g, (code, _) in enumerate(index.groups):
        by_code.setdefault(code, []).append(g)
    for ref, code in ready.measures.items():
        spans.extend(by_code.get(code, []))
        refs.extend([ref] * len(by_code.get(code, [])))
    g = np.tile(np.asarray(spans, dtype=np.int64), len(organisations))
    s = np.repeat(np.arange(len(organisations)), len(spans))
    o = np.asarray([index.column(c) for c in organisations], dtype=np.int64)[s]
    members, _ = groups_for(ready, organisations, peers)
    frame = pd.DataFrame(
        {
            "organisation": np.asarray(organisations, dtype=object)[s] if len(s) else [],
            "ref": np.tile(np.asarray(refs, dtype=object), len(organisations)),
            "measure_code": _per_group([code for code, _ in index.groups], g),
            "measure_name": _per_group([index.measure_names.get(code, code) for code, _ in index.groups], g),
            "period": _per_group([period_label(key) for _, key in index.groups], g),
            "value": index.values[g, o],
            "polarity": np.asarray(index.polarity, dtype=object)[g] if len(g) else [],
        }
    )
    everyone = ready.everyone
    _standing(frame, "all", everyone.n[g, 0], everyone.median[g, 0], everyone.mad[g, 0], everyone.rank[g, o],
              ranking.change(everyone.rank, index.previous)[g, o])  # fmt: skip
    if members is not None:
        mine = ranking.among_peers(index, members)
        has = np.asarray([peers.get(c) is not None for c in organisations])[s]
        pick = lambda a: np.where(has, a[g, s], np.nan)  # noqa: E731
        _standing(frame, "peers", np.where(has, mine.n[g, s], -1), pick(mine.median), pick(mine.mad),
                  pick(mine.rank), pick(ranking.change(mine.rank, index.previous)))  # fmt: skip
    else:
        _standing(frame, "peers", *(np.full(len(g), np.nan) for _ in range(5)))
    frame["lower"] = index.lower[g, o] if index.lower is not None else np.nan
    frame["upper"] = index.upper[g, o] if index.upper is not None else np.nan
    frame["against_all_median"] = against_all(frame)
    frame["own_value"] = np.nan
    for prefix in ("peers", "all"):
        _words(frame, prefix, ready.wording)
    frame["note"] = _notes(frame, _per_group(index.polarity_words, g))
    frame = frame[["organisation", *COLUMNS]]
    for column in COUNTS:
        frame[column] = frame[column].astype("Int64")
    return frame


def _per_group(texts: list, g: np.ndarray) -> np.ndarray:
    """One text per group, taken for each row (``g``: each row's group)."""
    return np.asarray(texts, dtype=object)[g] if len(g) else np.array([], dtype=object)


def _standing(frame: pd.DataFrame, prefix: str, n, median, mad, rank, change) -> None:
    n = np.asarray(n, dtype=float)
    n[n < 0] = np.nan
    frame[f"{prefix}_n"] = n
    frame[f"{prefix}_rank"] = rank
    frame[f"{prefix}_quartile"] = ranking.quartile(np.asarray(rank, dtype=float), np.nan_to_num(n))
    frame[f"{prefix}_median"] = median
    frame[f"{prefix}_mad"] = mad
    frame[f"{prefix}_rank_change"] = change


def _words(frame: pd.DataFrame, prefix: str, wording: Wording) -> None:
    values, medians, mads = (frame[c].to_numpy(dtype=float) for c in ("value", f"{prefix}_median", f"{prefix}_mad"))
    frame[f"{prefix}_mads_from_median"] = banding.distances(values, medians, mads)
    frame[f"{prefix}_words"] = banding.words(
        values, medians, mads, frame["polarity"].to_numpy(), frame["measure_code"].to_numpy(), wording.bands,
        wording.comparatives,
    )  # fmt: skip


NOTES = (
    "no value for the organisation in this period",
    "fewer than two organisations have a value: no rank or quartile among all",
    "fewer than two of its peer group have a value: no rank or quartile among its peers",
    "half or more of its peer group have the median value (a MAD of 0): no distance in MADs",
    "half or more of all organisations have the median value (a MAD of 0): no distance in MADs",
)


def _notes(frame: pd.DataFrame, said: list) -> np.ndarray:
    """Why a row lacks a rank, a distance or a value, in words (one note a row, "" for most); each distinct note
    is written once."""
    value = frame["value"].to_numpy(dtype=float)
    all_n, peers_n, all_mad, peers_mad = (frame[c].to_numpy(dtype=float) for c in ("all_n", "peers_n", "all_mad",
                                                                                   "peers_mad"))  # fmt: skip
    unknown = (frame["polarity"].to_numpy() == "") & ~np.isnan(value)
    flags = np.stack([np.isnan(value), all_n < 2, peers_n < 2, (peers_mad == 0) & (peers_n >= 2),
                      (all_mad == 0) & (all_n >= 2)], axis=1)  # fmt: skip
    notes = np.full(len(frame), "", dtype=object)
    for i in np.flatnonzero(flags.any(axis=1) | unknown):
        parts = [NOTES[0]] if flags[i, 0] else []
        if unknown[i]:
            parts.append(
                "polarity not known" + (f" (the dataset says {said[i]})" if said[i] else "") + ": no rank or quartile"
            )
        parts += [NOTES[k] for k in range(1, len(NOTES)) if flags[i, k]]
        notes[i] = "; ".join(parts)
    return notes


def against_all(frame: pd.DataFrame) -> np.ndarray:
    """``against`` for every row, against the median of all, array by array."""
    value, median, lower, upper = (frame[c].to_numpy(dtype=float) for c in ("value", "all_median", "lower", "upper"))
    polarity = frame["polarity"].to_numpy()
    above = value > median
    better = np.where(polarity == "lower", ~above, above)
    out = np.where(polarity == "", np.where(above, "higher", "lower"), np.where(better, "better", "worse"))
    out = np.where(value == median, "equal", out)
    with np.errstate(invalid="ignore"):
        similar = ~np.isnan(lower) & ~np.isnan(upper) & (lower <= median) & (median <= upper)
    out = np.where(similar, "similar", out)
    return np.where(np.isnan(value) | np.isnan(median), "", out).astype(object)


def positions(
    dataset: pd.DataFrame,
    organisation: str,
    peers: list[str] | None,
    measures: dict[str, str],
    upto: tuple[int, int],
    wording: Wording = Wording(),
) -> pd.DataFrame:
    """One organisation's positions (``COLUMNS``) on the ``measures`` (ref -> code) in every period up to ``upto``,
    among its ``peers`` (its group's codes; None: no peer group) and among all."""
    ready = prepare(dataset, measures, upto, wording)
    group = {organisation: peers} if peers is not None else None
    return table(ready, [organisation], group).drop(columns="organisation")


def against(value: float, median: float, polarity: str, lower: float = math.nan, upper: float = math.nan) -> str:
    """A value against a median, in words: "similar" when the value's confidence interval (where given) holds the
    median, so that no difference within it is called one; else "better" or "worse" by the polarity ("higher" or
    "lower" without one); "" without a value."""
    if math.isnan(value) or math.isnan(median):
        return ""
    if not math.isnan(lower) and not math.isnan(upper) and lower <= median <= upper:
        return "similar"
    if value == median:
        return "equal"
    if not polarity:
        return "higher" if value > median else "lower"
    return "better" if (value > median) == (polarity == "higher") else "worse"


def latest(frame: pd.DataFrame) -> pd.DataFrame:
    """Each measure's latest period (the position a report states); each organisation's when the frame holds
    several. In the order of the frame."""
    if frame.empty:
        return frame
    periods = frame["period"].to_numpy()
    keys = {p: (period_key(p) or (0, 0)) for p in set(periods)}
    order_key = np.fromiter((keys[p][0] * 10 + keys[p][1] for p in periods), dtype=np.int64, count=len(periods))
    by = (
        [frame["organisation"].to_numpy(), frame["ref"].to_numpy()]
        if "organisation" in frame
        else [frame["ref"].to_numpy()]
    )
    group = pd.MultiIndex.from_arrays(by).factorize()[0] if len(by) > 1 else pd.factorize(by[0])[0]
    ordered = np.lexsort((np.arange(len(frame)), order_key, group))  # within a group, by period, then by row
    last = ordered[np.r_[group[ordered][1:] != group[ordered][:-1], True]]
    return frame.iloc[np.sort(last)]


def at_or_before(key: tuple[int, int], upto: tuple[int, int]) -> bool:
    """Whether a dataset period is at or before a report's period (``upto``: its start year and quarter): a whole
    year counts from its fourth quarter, a quarter from itself."""
    year, quarter = key
    if year != upto[0]:
        return year < upto[0]
    return quarter <= upto[1] if quarter else upto[1] == 4


def spread(ready: Field, organisation: str, peers: list[str] | None, latest_rows: pd.DataFrame) -> pd.DataFrame:
    """Every organisation's position on each ranked measure in its reported period, for the chart: ``ref``,
    ``organisation``, ``position`` (0 worst to 100 best: (n − rank) / (n − 1) × 100 among all with a value), and
    whether it is a ``peer`` or the organisation itself (``self``), for the first ``CHART_MEASURES`` ranked
    measures. The other organisations are marks on a line, so one mark stands for all at the same position to
    ``MARK`` points (``organisation`` then names the first): the chart stays the same size whether the dataset
    holds 30 organisations or 3,000."""
    index = ready.index
    columns = ["ref", "organisation", "position", "peer", "self"]
    at = {(code, period_label(key)): g for g, (code, key) in enumerate(index.groups)}
    group = [index.column(c) for c in dict.fromkeys(peers or []) if index.has(c)]
    me = index.column(organisation) if index.has(organisation) else -1
    parts = []
    ranked = latest_rows["all_rank"].notna().to_numpy()
    refs, codes_of, periods = (
        latest_rows[c].to_numpy()[ranked][:CHART_MEASURES] for c in ("ref", "measure_code", "period")
    )
    for ref, code, period in zip(refs, codes_of, periods):
        g = at.get((code, period))
        if g is None:
            continue
        position = _positions(ready, g)
        marks = _marks(ready, g)
        marks = marks[~np.isin(marks, group) & (marks != me)]
        shown = [c for c in group if c != me and not np.isnan(position[c])] + (
            [me] if not np.isnan(position[me]) else []
        )
        chosen = np.concatenate([marks, np.asarray(shown, dtype=np.int64)])
        parts.append((ref, chosen, position[chosen], len(marks), len(shown)))
    if not parts:
        return pd.DataFrame(columns=columns)
    codes = np.asarray(index.organisations, dtype=object)
    return pd.DataFrame(
        {
            "ref": np.concatenate([np.full(len(c), r, dtype=object) for r, c, *_ in parts]),
            "organisation": np.concatenate([codes[c] for _, c, *_ in parts]),
            "position": np.concatenate([p for _, _, p, *_ in parts]),
            "peer": np.concatenate([(np.arange(len(c)) >= k) & (c != me) for _, c, _, k, _ in parts]),
            "self": np.concatenate([c == me for _, c, *_ in parts]),
        }
    )[columns]


def _positions(ready: Field, g: int) -> np.ndarray:
    """Every organisation's position in group ``g`` (0 worst to 100 best; NaN without a rank)."""
    n = int(ready.everyone.n[g, 0])
    ranks = ready.everyone.rank[g]
    return 100 * (n - ranks) / (n - 1) if n > 1 else np.where(np.isnan(ranks), np.nan, 50.0)


def _marks(ready: Field, g: int) -> np.ndarray:
    """The organisations that stand for all in group ``g``: the first at each position, to ``MARK`` points (made
    once per group, for every organisation's chart)."""
    made = ready.marks.get(g)
    if made is None:
        position = _positions(ready, g)
        valued = np.flatnonzero(~np.isnan(position))
        _, first = np.unique(np.round(position[valued] / MARK), return_index=True)
        made = ready.marks[g] = np.sort(valued[first])
    return made


MARK = 0.5  # the chart's resolution, in points of position (0 to 100)
CHART_MEASURES = 15  # measures one chart shows, the first ranked (the table and the sentences give every one)


def context(
    name: str, sources: tuple[str, str], ready: Field, organisation: str, peers: list[str] | None,
    upto: tuple[int, int], latest_rows: pd.DataFrame, labels: tuple[str, str] = ("", ""),
) -> dict:  # fmt: skip
    """What a report says of its comparison besides the positions: the dataset (``name``, as shown) and its
    source, the organisation, how many organisations and peers (those the dataset holds, itself included), the
    periods the dataset covers and whether it starts after the report's period (``upto``), the linked measures
    and those the dataset lacks, every organisation's position for the chart (``spread``), the ``bands`` and
    their words. ``sources``: the dataset's file and the peers file as outputs name them ("" when no peers file);
    ``labels``: what the dataset's whole set of organisations is called (``England``) and their word
    (``councils``), "" for the plain words."""
    index, keys = ready.index, ready.periods
    known = [c for c in dict.fromkeys([organisation, *(peers or [])]) if index.has(c)] if peers is not None else []
    return {
        "dataset": name,
        "source": sources[0],
        "organisation": organisation,
        "organisation_name": index.names[index.column(organisation)] if index.has(organisation) else organisation,
        "organisations": len(index.organisations),
        "peers": len(known),
        "peers_source": sources[1],
        "first_period": period_label(keys[0]) if keys else "",
        "last_period": period_label(keys[-1]) if keys else "",
        "starts_later": bool(keys) and not any(at_or_before(k, upto) for k in keys),
        "linked": dict(ready.measures),
        "missing": sorted(c for c in set(ready.measures.values()) if c not in ready.codes),
        "spread": spread(ready, organisation, known, latest_rows),
        "bands": [list(b) for b in ready.wording.bands],
        "comparatives": {code: list(words) for code, words in ready.wording.comparatives.items()},
        "all_name": labels[0],
        "members": labels[1],
    }


SHOWN_FINDINGS = 5  # findings of one kind listed one by one before the rest are counted in one


def findings(ready: Field, unknown: dict, sources: tuple[str, str], of_dataset: bool = True) -> list[tuple]:
    """What the dataset and the peers file say about themselves, as data-quality findings ((source_line, ref,
    check, finding, action_taken), line 0: they are not lines of the export): rows given twice for the same
    organisation, measure and period (the first in the file is used), values that are numbers but not finite
    (not used), and peers the dataset does not hold (``unknown``: organisation -> codes; left out of the group).
    ``of_dataset``: False for the peers' findings alone."""
    index, (dataset, peers) = ready.index, sources
    dataset = dataset.rsplit("/", 1)[-1]
    out = []
    for code, measure, key, lines in index.duplicates if of_dataset else ():
        out.append(
            (0, measure, "comparison_duplicate",
             f"{dataset} gives {code}'s {measure} for {period_label(key)} {len(lines)} times (lines "
             f"{', '.join(map(str, lines))})",
             f"the first (line {lines[0]}) used; the other{'s' if len(lines) > 2 else ''} set aside")
        )  # fmt: skip
    for line in index.invisible if of_dataset else ():
        out.append((0, "", "comparison_invisible", f"{dataset} line {line}: a name held invisible or "
                    "bidirectional-control characters", "removed, so that the name reads as it prints"))  # fmt: skip
    for line in index.infinite if of_dataset else ():
        out.append((0, "", "comparison_not_finite", f"{dataset} line {line}: the value is a number but not a finite "
                    "one", "not used as a value"))  # fmt: skip
    for code, codes in unknown.items():
        out.append(
            (0, "", "peers_unknown",
             f"{peers or 'the peer group'} names {', '.join(map(repr, codes))} for {code}, which {dataset} does not "
             "hold", "left out of its peer group")
        )  # fmt: skip
    return _summarised(out)


def _summarised(found: list[tuple]) -> list[tuple]:
    """At most ``SHOWN_FINDINGS`` of each check, and one finding counting the rest."""
    kept, counts = [], {}
    for finding in found:
        counts[finding[2]] = counts.get(finding[2], 0) + 1
        if counts[finding[2]] <= SHOWN_FINDINGS:
            kept.append(finding)
    for check, n in counts.items():
        if n > SHOWN_FINDINGS:
            kept.append((0, "", check, f"{n - SHOWN_FINDINGS:,} more of the kind above", "as above"))
    return kept
