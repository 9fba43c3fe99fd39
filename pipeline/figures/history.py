"""Every indicator's history, and its SPC chart from it: what ``history.csv`` and ``spc.csv`` hold.

An indicator's actuals (and targets) over every period the run can read come from three kinds of source:

* ``export``: this period's export and every earlier export of the same body in its folder (one point a period);
* ``columns``: the export's own columns of earlier years (the layout's ``[history]``), with this period's actual
  as its year's point when the report is the year's end;
* ``dataset``: a comparison dataset's values for the organisation, for the indicators linked to its measures.

``history.csv`` holds every point of every source (``COLUMNS``): the indicator (``ref``, its part after it as
``ref (2)``), the period, the actual, the target, the source it came from, and what its chart is drawn with (the
improvement direction; where a recalculation starts; how many first points are the baseline; the minimum points
and the shift and trend lengths). Its chart (``spc_table``) is drawn from one source, the one with the most
points (the export's on a tie, then the columns'): a series mixes no cadences. ``spc.csv`` follows from
``history.csv`` alone, so ``verify`` draws every chart again from it.
"""

from __future__ import annotations

import pandas as pd

from pipeline.figures import spc
from pipeline.period import period_key, period_label
from pipeline.schema import ref_label, ref_labels

COLUMNS = ["ref", "period", "actual", "target", "source", "improvement", "recalculate", "baseline_points",
           "minimum_points", "shift_points", "trend_points"]  # fmt: skip
KINDS = ("export", "columns", "dataset")  # a source's first word, in the order a tie is settled
SPC_COLUMNS = ["ref", *spc.COLUMNS[1:]]


def points_of(indicators: pd.DataFrame, period: str, source: str) -> list[tuple]:
    """(ref, period, actual, target, source) for each indicator of one export with an actual."""
    out = []
    for ref, part, actual, target in zip(
        indicators["ref"], indicators["part"], indicators["actual"], indicators["target"]
    ):
        if actual is not None and not pd.isna(actual):
            out.append((ref_label(ref, part), period, float(actual), _number(target), source))
    return out


def _number(value) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def history(
    indicators: pd.DataFrame,
    period,
    export: str,
    earlier: dict,
    columns: pd.DataFrame | None = None,
    dataset: tuple[str, pd.DataFrame] | None = None,
    settings: dict | None = None,
) -> pd.DataFrame:
    """The history of the period's indicators (``COLUMNS``), oldest first. ``period``: the report's
    (``period.Period``); ``export``: its export's name; ``earlier``: {period: (its export's name, its indicators)};
    ``columns``: the export's own history cells (ref, part, period, actual, column); ``dataset``: (its name, the
    positions ``benchmark.csv`` publishes: ref, period, value); ``settings``: what each chart is drawn with
    (``chart_settings``)."""
    rows = points_of(indicators, str(period), f"export {export}")
    labels = ref_labels(indicators)
    known = set(labels)
    for when, (name, frame) in sorted(earlier.items()):
        rows += [r for r in points_of(frame, str(when), f"export {name}") if r[0] in known]
    if columns is not None and len(columns):
        for ref, part, when, actual, column in columns.itertuples(index=False):
            rows.append((ref_label(ref, part), when, float(actual), float("nan"), f"columns {column!r} of {export}"))
        if period.quarter == 4:  # the year's end: this period's actual is its year's point of that series
            bare = all(str(p).isdigit() for p in columns["period"])  # years written as the layout writes them
            when = str(period.start_year) if bare else period.year_label
            year = [r for r in points_of(indicators, when, f"columns the actual of {export}")]
            in_columns = set(ref_labels(columns))
            rows += [r for r in year if r[0] in in_columns]
    if dataset is not None:
        name, positions = dataset
        for ref, when, value in zip(positions["ref"], positions["period"], positions["value"]):
            if not pd.isna(value):
                rows.append((str(ref), when, float(value), float("nan"), f"dataset {name}"))
    frame = pd.DataFrame(rows, columns=COLUMNS[:5])
    frame = frame.drop_duplicates(subset=["ref", "period", "source"], keep="first")
    improvement = {ref_label(r, p): (pol if pol in ("higher", "lower") else "neither")
                   for r, p, pol in zip(indicators["ref"], indicators["part"], indicators.get("polarity", ""))}  # fmt: skip
    frame["improvement"] = frame["ref"].map(improvement).fillna("neither")
    register_ref = {ref_label(r, p): str(r) for r, p in zip(indicators["ref"], indicators["part"])}
    frame = _with_settings(frame, settings or {}, register_ref)
    order = frame.assign(_ref=frame["ref"].map({r: i for i, r in enumerate(dict.fromkeys(labels))}),
                         _key=frame["period"].map(lambda p: period_key(p) or (0, 0)))  # fmt: skip
    order = order.sort_values(["_ref", "_key", "source"], kind="stable").drop(columns=["_ref", "_key"])
    return order.reset_index(drop=True)[COLUMNS]


def history_and_spc(indicators, period, export: str, earlier: dict, columns, dataset, register, layout_spc: dict):
    """Every indicator's history (``history``) and its SPC chart (``spc_table``), in one call. ``register``: the
    register's rows or None (its rows for other periods are not this report's settings); ``layout_spc``: the
    layout's ``[spc]`` defaults. Returns (history, spc)."""
    if register is not None and "period" in register:
        register = register[register["period"].isin(["", str(period)])]
    settings = chart_settings(register, layout_spc)
    past = history(indicators, period, export, earlier, columns, dataset, settings)
    return past, spc_table(past)


def chart_settings(register, layout_defaults: dict) -> dict:
    """Each indicator's chart settings: {ref: {recalculate: set of periods, baseline_points, minimum_points,
    shift_points, trend_points}} from the register's ``spc_*`` columns over the layout's ``[spc]`` defaults (and
    the specification's: 13, 6 and 6); ``"*"`` holds the defaults."""
    base = {
        "minimum_points": int(layout_defaults.get("minimum", spc.MINIMUM)),
        "shift_points": int(layout_defaults.get("shift", spc.SHIFT)),
        "trend_points": int(layout_defaults.get("trend", spc.TREND)),
        "baseline_points": 0,
        "recalculate": frozenset(),
    }
    out = {"*": base}
    if register is None or "spc_minimum" not in register:
        return out
    for row in register.itertuples(index=False):
        own = dict(base)
        for column, key in (("spc_minimum", "minimum_points"), ("spc_shift", "shift_points"),
                            ("spc_trend", "trend_points"), ("spc_baseline", "baseline_points")):  # fmt: skip
            value = getattr(row, column, "")
            if value not in ("", None) and not pd.isna(value):
                own[key] = int(value)
        periods = [p.strip() for p in str(getattr(row, "spc_recalculate", "") or "").split(";") if p.strip()]
        own["recalculate"] = frozenset(period_label(period_key(p)) for p in periods if period_key(p) is not None)
        out[str(row.ref)] = own
    return out


def _with_settings(frame: pd.DataFrame, settings: dict, register_ref: dict) -> pd.DataFrame:
    """Each row with its indicator's chart settings (its register row's, by the register's ref of it)."""
    base = settings.get("*", chart_settings(None, {})["*"])
    own = [settings.get(register_ref.get(ref, ref), base) for ref in frame["ref"]]
    frame["recalculate"] = [p in s["recalculate"] for p, s in zip(frame["period"], own)]
    for key in ("baseline_points", "minimum_points", "shift_points", "trend_points"):
        frame[key] = [s[key] for s in own]
    return frame


def kind_of(source: str) -> str:
    """A history row's kind of source: the first word of its ``source``."""
    return str(source).split(" ", 1)[0]


def chosen(history_frame: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's points from the one source its chart is drawn from: the kind with the most points (the
    export's on a tie, then the columns', then the dataset's)."""
    if history_frame.empty:
        return history_frame
    kinds = history_frame["source"].map(kind_of)
    counts = history_frame.assign(_kind=kinds).groupby(["ref", "_kind"], sort=False).size()
    best = {}
    for (ref, kind), n in counts.items():
        rank = (n, -KINDS.index(kind) if kind in KINDS else -len(KINDS))
        if ref not in best or rank > best[ref][0]:
            best[ref] = (rank, kind)
    keep = [best[r][1] == k for r, k in zip(history_frame["ref"], kinds)]
    return history_frame[keep]


def spc_table(history_frame: pd.DataFrame) -> pd.DataFrame:
    """``spc.csv``: each indicator's chart (``SPC_COLUMNS``), drawn from its chosen points of ``history_frame``
    (as ``history.csv`` holds them) and nothing else."""
    points = chosen(history_frame)
    if points.empty:
        return pd.DataFrame(columns=SPC_COLUMNS)
    position = points.groupby("ref", sort=False).cumcount()
    frame = pd.DataFrame(
        {
            "series": points["ref"].to_numpy(),
            "period": points["period"].to_numpy(),
            "value": points["actual"].to_numpy(dtype=float),
            "improvement": points["improvement"].to_numpy(),
            "target": points["target"].to_numpy(dtype=float),
            "recalculate": points["recalculate"].astype(bool).to_numpy(),
            "baseline": (position < points["baseline_points"].astype(int)).to_numpy(),
            "minimum_points": points["minimum_points"].astype(int).to_numpy(),
            "shift_points": points["shift_points"].astype(int).to_numpy(),
            "trend_points": points["trend_points"].astype(int).to_numpy(),
        }
    )
    charted = spc.chart(frame)
    return charted.rename(columns={"series": "ref"})[SPC_COLUMNS]


def history_from_csv(data: bytes) -> pd.DataFrame:
    """``history.csv`` read back with the types ``spc_table`` draws from."""
    import io

    from pipeline.figures.statements import unneutralised

    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    for column in ("actual", "target"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype(float)
    for column in ("baseline_points", "minimum_points", "shift_points", "trend_points"):
        frame[column] = frame[column].astype(int)
    frame["recalculate"] = frame["recalculate"] == "True"
    for column in ("ref", "period", "source", "improvement"):
        frame[column] = [unneutralised(v) for v in frame[column]]
    return frame
