"""How we compare: each indicator's position among similar organisations, from a comparison dataset.

The dataset's rows come from ``read.comparison`` (one row per organisation × measure × period). For each measure
and period the
organisation's value is ranked among its peers (a comparator group: the nearest-neighbour file's list, or a
column of codes) and among all organisations with a value: 1 is best by the measure's polarity, ties share the
best rank, the quartile is ⌈4 × rank / n⌉ (1 best), with both groups' medians. The organisation counts in both
groups. A measure whose polarity is unknown gets no rank or quartile, and says why.

Ranking (``positions``) is pure: frames in, a frame out.
"""

from __future__ import annotations

import math

import pandas as pd

from pipeline.read.comparison import period_key, period_label

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
    "all_n",
    "all_rank",
    "all_quartile",
    "all_median",
    "peers_rank_change",
    "all_rank_change",
    "note",
    "lower",
    "upper",
    "against_all_median",
    "own_value",
]


def positions(
    dataset: pd.DataFrame, organisation: str, peers: list[str] | None, measures: dict[str, str], upto: tuple[int, int]
) -> pd.DataFrame:
    """The organisation's position on each linked measure (``measures``: ref -> measure code), for every period of
    the dataset up to ``upto`` (a period key), one row each (``COLUMNS``): its value, the number of organisations
    with a value, its rank (1 best by polarity, ties share the best) and quartile (⌈4 × rank / n⌉) among its peers
    (``peers``, itself included; None: no peer group) and among all, both medians, and the rank's change since the
    period before (positive: up the table). Polarity unknown: no rank or quartile, and ``note`` says why."""
    import numpy as np

    rows = []
    group = set(peers or []) | {organisation}
    wanted = dataset[dataset["measure"].isin(set(measures.values()))]
    allowed = {k: at_or_before(k, upto) for k in wanted["period_key"].unique()}
    wanted = wanted[wanted["period_key"].map(allowed).astype(bool)]
    by_measure = {code: frame for code, frame in wanted.groupby("measure", sort=False)}
    for ref, code in measures.items():
        data = by_measure.get(code, wanted.iloc[0:0])
        names = [n for n in data["measure_name"].unique() if n]
        before = {"peers": None, "all": None}
        for key, in_period in data.groupby("period_key", sort=True):
            values = in_period["value"].to_numpy(dtype=float)
            orgs = in_period["organisation"].to_numpy(dtype=object)
            valued = ~np.isnan(values)
            values, orgs = values[valued], orgs[valued]
            at = np.flatnonzero(orgs == organisation)
            mine = float(values[at[0]]) if len(at) else math.nan
            own = in_period[in_period["organisation"] == organisation]
            lower = float(own["lower"].iloc[0]) if len(own) else math.nan
            upper = float(own["upper"].iloc[0]) if len(own) else math.nan
            polarity = _polarity(in_period)
            row = {
                "ref": ref,
                "measure_code": code,
                "measure_name": names[0] if names else code,
                "period": period_label(key),
                "value": mine,
                "polarity": polarity,
                "note": "",
                "lower": lower,
                "upper": upper,
                "own_value": math.nan,
            }
            members = {"all": values}
            if peers:
                members["peers"] = values[np.fromiter((o in group for o in orgs), dtype=bool, count=len(orgs))]
            for prefix in ("peers", "all"):
                if prefix not in members:
                    row |= dict.fromkeys(
                        (f"{prefix}_n", f"{prefix}_median", f"{prefix}_rank", f"{prefix}_quartile"), math.nan
                    )
                    row[f"{prefix}_rank_change"] = math.nan
                    continue
                group_values = members[prefix]
                n = len(group_values)
                row[f"{prefix}_n"] = n
                row[f"{prefix}_median"] = float(np.median(group_values)) if n else math.nan
                rank = math.nan
                if len(at) and polarity:  # ties share the best rank: 1 + how many are strictly better
                    better = group_values > mine if polarity == "higher" else group_values < mine
                    rank = 1 + int(better.sum())
                row[f"{prefix}_rank"] = rank
                row[f"{prefix}_quartile"] = math.ceil(4 * rank / n) if not math.isnan(rank) else math.nan
                row[f"{prefix}_rank_change"] = (
                    before[prefix] - rank if before[prefix] is not None and not math.isnan(rank) else math.nan
                )
                before[prefix] = rank if not math.isnan(rank) else None
            row["against_all_median"] = against(mine, row["all_median"], polarity, lower, upper)
            if not len(at):
                row["note"] = "no value for the organisation in this period"
            elif not polarity:
                words = sorted(set(w for w in in_period["polarity_word"].unique() if w))
                row["note"] = (
                    "polarity not known"
                    + (f" (the dataset says {', '.join(map(repr, words))})" if words else "")
                    + ": no rank or quartile"
                )
            rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("peers_n", "peers_rank", "peers_quartile", "all_n", "all_rank", "all_quartile"):
        frame[c] = frame[c].astype("Int64")
    return frame


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


def _polarity(rows: pd.DataFrame) -> str:
    """The measure's polarity in a period: the one its rows give ("" when none, or when they disagree)."""
    given = set(p for p in rows["polarity"].unique() if p)
    return given.pop() if len(given) == 1 else ""


def latest(frame: pd.DataFrame) -> pd.DataFrame:
    """Each measure's latest period (the position a report states)."""
    if frame.empty:
        return frame
    order = frame.assign(_key=[period_key(p) for p in frame["period"]])
    return order.sort_values("_key", kind="stable").groupby("ref", sort=False).tail(1).drop(columns="_key")


def organisation_name(dataset: pd.DataFrame, code: str) -> str:
    names = dataset.loc[dataset["organisation"] == code, "organisation_name"]
    return next((n for n in names if n), code)


def at_or_before(key: tuple[int, int], upto: tuple[int, int]) -> bool:
    """Whether a dataset period is at or before a report's period (``upto``: its start year and quarter): a whole
    year counts from its fourth quarter, a quarter from itself."""
    year, quarter = key
    if year != upto[0]:
        return year < upto[0]
    return quarter <= upto[1] if quarter else upto[1] == 4


def spread(
    dataset: pd.DataFrame, organisation: str, peers: list[str] | None, latest_rows: pd.DataFrame
) -> pd.DataFrame:
    """Every organisation's position on each ranked measure in its reported period, for the chart: ``ref``,
    ``organisation``, ``position`` (0 worst to 100 best: (n − rank) / (n − 1) × 100 among all with a value), and
    whether it is a ``peer`` or the organisation itself (``self``)."""
    group = set(peers or [])
    out = []
    for row in latest_rows.itertuples(index=False):
        if pd.isna(row.all_rank):
            continue
        key = period_key(row.period)
        now = dataset[(dataset["measure"] == row.measure_code) & (dataset["period_key"] == key)]
        now = now[now["value"].notna()]
        ranks = now["value"].rank(method="min", ascending=row.polarity == "lower")
        n = len(now)
        for code, rank in zip(now["organisation"], ranks):
            out.append(
                {
                    "ref": row.ref,
                    "organisation": code,
                    "position": 100 * (n - rank) / (n - 1) if n > 1 else 50.0,
                    "peer": code in group,
                    "self": code == organisation,
                }
            )
    return pd.DataFrame(out, columns=["ref", "organisation", "position", "peer", "self"])


def context(
    name: str,
    sources: tuple[str, str],
    dataset: pd.DataFrame,
    organisation: str,
    peers: list[str] | None,
    linked: dict[str, str],
    upto: tuple[int, int],
    latest_rows: pd.DataFrame,
) -> dict:
    """What a report says of its comparison besides the positions: the dataset (``name``, as shown) and its
    source, the organisation, how many organisations and peers, the periods the dataset covers and whether it
    starts after the report's period (``upto``), the ``linked`` measures (ref -> measure code) and those the
    dataset lacks, and every organisation's position for the chart (``spread``). ``sources``: the dataset's file
    and the peers file as outputs name them ("" when no peers file)."""
    keys = sorted(set(dataset["period_key"]))
    return {
        "dataset": name,
        "source": sources[0],
        "organisation": organisation,
        "organisation_name": organisation_name(dataset, organisation),
        "organisations": len(set(dataset["organisation"])),
        "peers": len(peers) if peers else 0,
        "peers_source": sources[1],
        "first_period": period_label(keys[0]) if keys else "",
        "last_period": period_label(keys[-1]) if keys else "",
        "starts_later": bool(keys) and not any(at_or_before(k, upto) for k in keys),
        "linked": linked,
        "missing": sorted(c for c in set(linked.values()) if c not in set(dataset["measure"])),
        "spread": spread(dataset, organisation, peers, latest_rows),
    }
