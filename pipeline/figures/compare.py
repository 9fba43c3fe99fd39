"""Stage 4c, benchmark: each indicator's position among similar organisations, from a national dataset.

A benchmark dataset is long: one row per organisation × measure × period (Oflog's adult social care measures,
the Scottish benchmarking framework, Fingertips, a council's own comparator extract), read through a layout
file of ``kind = "benchmark"`` that names its columns and its polarity words. For each measure and period the
organisation's value is ranked among its peers (a comparator group: the nearest-neighbour file's list, or a
column of codes) and among all organisations with a value: 1 is best by the measure's polarity, ties share the
best rank, the quartile is ⌈4 × rank / n⌉ (1 best), with both groups' medians. The organisation counts in both
groups. A measure whose polarity is unknown gets no rank or quartile, and says why.

Reading (``parse_layout``, ``read_dataset``, ``read_peers``) turns bytes into values and raises InputError naming
the file; ranking (``positions``) is pure: frames in, a frame out.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field

import pandas as pd

from pipeline.errors import InputError

FIELDS = (
    "organisation",
    "organisation_name",
    "measure",
    "measure_name",
    "period",
    "value",
    "polarity",
    "lower",  # the value's confidence interval, where the dataset gives one: its lower bound ...
    "upper",  # ... and its upper bound
)
REQUIRED = ("organisation", "measure", "period", "value")
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


@dataclass(frozen=True)
class BenchmarkLayout:
    """How a benchmark dataset maps onto the pipeline: ``columns`` (field -> the dataset's header), ``polarity``
    (the dataset's words, lower-cased -> "higher"/"lower"), ``default_polarity`` (for a dataset without a
    polarity column), ``organisation`` (the reporting organisation's code, when the layout gives it), ``name``
    (what the dataset is called in the report) and ``source``."""

    columns: dict
    polarity: dict = field(default_factory=dict)
    default_polarity: str = ""
    organisation: str = ""
    name: str = ""
    source: str = ""


def parse_layout(data: bytes, name: str) -> BenchmarkLayout:
    """A benchmark layout file (TOML). Raises InputError naming ``name`` for anything it cannot use."""
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", name) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"is not valid TOML: {str(exc).split(' (at line')[0]}", name) from None
    head = doc.get("layout") or {}
    if head.get("kind") != "benchmark":
        raise InputError('is not a benchmark layout: its [layout] must say kind = "benchmark"', name)
    unknown = sorted(set(head) - {"kind", "default_polarity", "organisation", "name"})
    if unknown:
        raise InputError(f"[layout] has unknown key(s) {', '.join(unknown)}", name)
    columns = doc.get("columns") or {}
    if not isinstance(columns, dict) or not all(isinstance(v, str) and v.strip() for v in columns.values()):
        raise InputError("[columns] maps each field to the dataset's header, as text", name)
    bad = sorted(set(columns) - set(FIELDS))
    if bad:
        raise InputError(f"[columns] maps {', '.join(bad)}, not a benchmark field; fields: {', '.join(FIELDS)}", name)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise InputError(f"[columns] must map {', '.join(missing)}", name)
    polarity = {}
    for word, meaning in (doc.get("polarity") or {}).items():
        if meaning not in ("higher", "lower"):
            raise InputError(f'[polarity] {word!r} = {meaning!r}: use "higher" or "lower"', name)
        polarity[" ".join(str(word).split()).lower()] = meaning
    default = head.get("default_polarity", "")
    if default not in ("", "higher", "lower"):
        raise InputError('default_polarity must be "higher" or "lower"', name)
    return BenchmarkLayout(
        dict(columns), polarity, default, str(head.get("organisation", "")), str(head.get("name", "")), name
    )


_FINANCIAL = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")
_QUARTERLY = re.compile(
    r"^\s*(?:(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*[ _-]?\s*Q([1-4])|Q([1-4])\s*[ _-]?\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4}))\s*$",
    re.I,
)
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def period_key(text: str) -> tuple[int, int] | None:
    """A dataset's period as (the start year of its financial year, quarter; 0 for the whole year), from its own
    notation: ``2016-17``, ``2016/17``, ``2016/2017`` and a bare ``2016`` (the year starting in 2016) are whole
    years; ``2016/17 Q2``, ``2016-17Q2`` and ``Q2 2016/17`` quarters. None when it is none of these."""
    m = _QUARTERLY.match(str(text))
    if m:
        start, end, q = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(6), m.group(4))
        return (int(start), int(q)) if _consecutive(start, end) else None
    m = _FINANCIAL.match(str(text))
    if m:
        return (int(m.group(1)), 0) if _consecutive(m.group(1), m.group(2)) else None
    m = _YEAR.match(str(text))
    return (int(m.group(1)), 0) if m else None


def _consecutive(start: str, end: str) -> bool:
    return int(end) % 100 == (int(start) + 1) % 100 and (len(end) == 2 or int(end) == int(start) + 1)


def period_label(key: tuple[int, int]) -> str:
    """``2016/17`` for a whole year, ``2016/17 Q2`` for a quarter."""
    year = f"{key[0]}/{(key[0] + 1) % 100:02d}"
    return year if not key[1] else f"{year} Q{key[1]}"


def read_dataset(text: str, layout: BenchmarkLayout, name: str) -> pd.DataFrame:
    """The dataset's rows as ``organisation, organisation_name, measure, measure_name, period_key, period,
    value, polarity, line``: values as numbers (blank or words: no value), polarity "higher"/"lower"/"" (with the
    word it was given in ``polarity_word``). Raises InputError naming ``name`` when a mapped column is missing or a
    period is in no notation the pipeline reads (with its line)."""
    import io

    try:
        raw = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"is not a CSV table ({str(exc).splitlines()[0]})", name) from None
    absent = [header for header in layout.columns.values() if header not in raw.columns]
    if absent:
        raise InputError(
            f"has no column {', '.join(map(repr, absent))} that its layout names; its columns are "
            f"{', '.join(map(repr, raw.columns[:12]))}",
            name,
        )

    def col(field_name: str) -> pd.Series:
        header = layout.columns.get(field_name)
        if not header:
            return pd.Series([""] * len(raw), index=raw.index)
        return pd.Series([str(v).strip() for v in raw[header].to_numpy()], index=raw.index, dtype=object)

    periods = col("period")
    key_of = {text: period_key(text) for text in periods.unique()}  # each notation parsed once
    keys = periods.map(key_of)
    unread = [text for text, key in key_of.items() if key is None]
    if unread:
        first = int(periods.eq(unread[0]).to_numpy().argmax())
        raise InputError(
            f"period {unread[0]!r} is in no notation the pipeline reads (2016-17, 2016/17, 2016, 2016/17 Q2)",
            name,
            first + 2,
        )
    words = col("polarity")
    meaning = {w: layout.polarity.get(" ".join(w.split()).lower(), "") if w else "" for w in words.unique()}
    polarity = (
        words.map(meaning) if "polarity" in layout.columns else pd.Series(layout.default_polarity, index=raw.index)
    )
    given = col("value")
    if any("," in v for v in given.unique()):  # thousands separators
        given = given.str.replace(",", "", regex=False)
    values = pd.to_numeric(given, errors="coerce")
    bounds = {
        side: pd.to_numeric(col(side), errors="coerce")
        if side in layout.columns
        else pd.Series(math.nan, index=raw.index)
        for side in ("lower", "upper")
    }
    frame = pd.DataFrame(
        {
            "organisation": col("organisation"),
            "organisation_name": col("organisation_name"),
            "measure": col("measure"),
            "measure_name": col("measure_name"),
            "period_key": keys,
            "period": keys.map({k: period_label(k) for k in key_of.values() if k is not None}),
            "value": values,
            "lower": bounds["lower"],
            "upper": bounds["upper"],
            "polarity": polarity,
            "polarity_word": words,
            "line": range(2, len(raw) + 2),
        }
    )
    return frame


def read_peers(data: bytes, name: str, organisation: str) -> list[str]:
    """The organisation's comparator group from a peers file: a JSON object mapping each code to its list (as the
    nearest-neighbour file does; the organisation's own entry is taken), or a CSV whose first column (or
    ``code`` column) lists the codes. Each code once; the organisation itself is always in its group.
    Raises InputError naming the file when it is neither, or the organisation has no entry in the JSON."""
    text = data.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        try:
            groups = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"is not valid JSON ({exc.msg}, line {exc.lineno})", name) from None
        if organisation not in groups:
            raise InputError(f"has no comparator group for {organisation!r}", name)
        codes = groups[organisation]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise InputError(f"{organisation!r} must map to a list of codes", name)
    else:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise InputError("is empty: a peers file lists the comparator group's codes", name)
        header = [h.strip().lower() for h in rows[0]]
        at = header.index("code") if "code" in header else 0
        codes = [r[at].strip() for r in rows[1:] if len(r) > at and r[at].strip()]
    return list(dict.fromkeys([organisation, *codes]))


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
    files: dict,
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
    dataset lacks, and every organisation's position for the chart (``spread``). ``files``: the benchmark's
    files by role (``inputs.benchmark_files``)."""
    from pipeline.paths import published_path

    keys = sorted(set(dataset["period_key"]))
    return {
        "dataset": name,
        "source": published_path(files["dataset"]),
        "organisation": organisation,
        "organisation_name": organisation_name(dataset, organisation),
        "organisations": len(set(dataset["organisation"])),
        "peers": len(peers) if peers else 0,
        "peers_source": files["peers"].name if "peers" in files else "",
        "first_period": period_label(keys[0]) if keys else "",
        "last_period": period_label(keys[-1]) if keys else "",
        "starts_later": bool(keys) and not any(at_or_before(k, upto) for k in keys),
        "linked": linked,
        "missing": sorted(c for c in set(linked.values()) if c not in set(dataset["measure"])),
        "spread": spread(dataset, organisation, peers, latest_rows),
    }
