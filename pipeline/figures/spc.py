"""Statistical process control as NHS England's Making Data Count does it: XmR charts, their special causes and the
variation and assurance icons, to ``../shared/spc/SPC-Charts-XmR-Testing.md`` (the behaviour of the Single Chart
Tool v5.0, which that document specifies).

For each series (an indicator's actuals in period order, without gaps: a period with no value is skipped, as the
specification asks):

* **Too few points** (fewer than ``minimum``, 13 by default): a run chart — the mean, no limits, no special cause
  and no icons.
* **Limits.** The mean of the points, and the process limits at the mean ± 2.66 × the mean moving range (the moving
  range being the absolute difference between consecutive points), with two-sigma lines at ± 2.66 × ⅔ × it. A
  recalculation starts a new phase with its own mean, moving ranges and limits; a baseline (its first points)
  sets the mean and limits for every later point, and then recalculations are ignored.
* **Special cause**, each rule to the specification: a single point beyond a process limit; a shift of ``shift``
  (6) or more consecutive points all above or all below the mean (a point on the mean breaks it); a trend of
  ``trend`` (6) or more points each higher (or lower) than the one before, with no pause; two or three of three
  consecutive points beyond a two-sigma line (and not beyond the process limit), all three on the same side of the
  mean. The rules of several points cross a recalculation. A point is an improvement or a concern by the
  improvement direction (``higher``/``lower``); with ``neither`` it is special cause of neither kind. A point that
  is both is shown as an improvement, as the Single Chart Tool shows blue; its rule says so.
* **Icons.** Variation, from the last point: ``common cause``, or the kind of its special cause and whether it is
  ``high`` or ``low``. Assurance, from the target (the last point's) against the latest process limits: ``pass``
  when the target lies beyond the limit on the worse side (every point will meet it), ``fail`` beyond the better
  side, ``hit or miss`` within them; none for ``neither`` or without a target.

Everything is computed for many series at once over flat arrays (``chart``), so 10,000 series of 40 points take a
fraction of a second. Pure: a frame in, a frame out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LIMIT, TWO_SIGMA = 2.66, 2.66 * 2 / 3
MINIMUM, SHIFT, TREND = 13, 6, 6
RULES = ("single point", "shift", "trend", "two of three")
# each rule in words, on the high side and on the low side (spc.csv's rule column)
RULE_WORDS = {
    "single point": ("a point above the upper limit", "a point below the lower limit"),
    "shift": ("a shift above the mean", "a shift below the mean"),
    "trend": ("a trend up", "a trend down"),
    "two of three": ("two of three beyond two sigma above", "two of three beyond two sigma below"),
}
COLUMNS = ["series", "period", "value", "mean", "lower_limit", "upper_limit", "special_cause", "rule", "variation",
           "assurance"]  # fmt: skip
IMPROVEMENTS = ("higher", "lower", "neither")


@dataclass(frozen=True)
class Settings:
    """How many points a chart needs before it has limits (``minimum``), and how long a shift and a trend are."""

    minimum: int = MINIMUM
    shift: int = SHIFT
    trend: int = TREND


def chart(points: pd.DataFrame, settings: Settings = Settings()) -> pd.DataFrame:
    """The XmR chart of every series in ``points``: one row per point (``series``, ``period``, ``value``, in each
    series' order; ``improvement`` higher/lower/neither; optional ``target``, ``recalculate`` (a new phase starts at
    this point), ``baseline`` (the point is in the baseline), and per-series ``minimum_points``, ``shift_points``,
    ``trend_points`` overriding ``settings``). Rows whose value is missing are left out. Returns ``COLUMNS``, one
    row per point with a value."""
    points = points[pd.to_numeric(points["value"], errors="coerce").notna()].reset_index(drop=True)
    n = len(points)
    value = points["value"].to_numpy(dtype=float)
    series = pd.factorize(points["series"].to_numpy())[0] if n else np.zeros(0, dtype=np.int64)
    start = np.r_[True, series[1:] != series[:-1]] if n else np.zeros(0, dtype=bool)
    size = _per_series(start, n)
    rule = {name: _setting(points, column, default, start) for name, column, default in (
        ("minimum", "minimum_points", settings.minimum), ("shift", "shift_points", settings.shift),
        ("trend", "trend_points", settings.trend))}  # fmt: skip
    enough = size >= rule["minimum"]
    mean, mr_mean = _centre(points, value, start)
    upper, lower = mean + LIMIT * mr_mean, mean - LIMIT * mr_mean
    high = {
        "single point": beyond(value, upper, 1),
        "two of three": _two_of_three(value, mean, mr_mean, upper, start, 1),
    }
    low = {
        "single point": beyond(value, lower, -1),
        "two of three": _two_of_three(value, mean, mr_mean, lower, start, -1),
    }
    side = beyond(value, mean, 1).astype(int) - beyond(value, mean, -1).astype(int)
    high["shift"], low["shift"] = _runs(side, start, rule["shift"], 1), _runs(side, start, rule["shift"], -1)
    step = np.where(start, 0, np.sign(value - np.r_[np.nan, value[:-1]]))
    step = np.nan_to_num(step)
    high["trend"], low["trend"] = _trend(step, start, rule["trend"], 1), _trend(step, start, rule["trend"], -1)
    for flags in (high, low):
        for name in flags:
            flags[name] = flags[name] & enough
    improvement = points["improvement"].to_numpy(dtype=object) if "improvement" in points else np.full(n, "neither")
    special, said = _combined(high, low, improvement)
    target = pd.to_numeric(points["target"], errors="coerce").to_numpy(dtype=float) if "target" in points else None
    variation, assurance = _icons(special, high, low, improvement, value, mean, upper, lower, target, start, enough)
    return pd.DataFrame(
        {
            "series": points["series"].to_numpy(),
            "period": points["period"].to_numpy() if "period" in points else np.arange(n),
            "value": value,
            "mean": mean,
            "lower_limit": np.where(enough, lower, np.nan),
            "upper_limit": np.where(enough, upper, np.nan),
            "special_cause": special,
            "rule": said,
            "variation": variation,
            "assurance": assurance,
        },
        columns=COLUMNS,
    )


def beyond(value: np.ndarray, line: np.ndarray, sign: int) -> np.ndarray:
    """Whether each value lies beyond its line on the ``sign`` side (1 above, -1 below), by more than the rounding
    of the sums the mean and limits come from (a value that is the mean is on it, however the mean was summed)."""
    with np.errstate(invalid="ignore"):
        margin = 1e-12 * (np.abs(value) + np.abs(line))
        return sign * (value - line) > margin


def _per_series(start: np.ndarray, n: int) -> np.ndarray:
    """Each point's series' number of points."""
    ids = np.cumsum(start) - 1
    counts = np.bincount(ids, minlength=int(ids.max()) + 1 if n else 0)
    return counts[ids] if n else np.zeros(0, dtype=np.int64)


def _setting(points: pd.DataFrame, column: str, default: int, start: np.ndarray) -> np.ndarray:
    """A per-series setting: the column's value at each series' first point where given, else ``default``."""
    if column not in points:
        return np.full(len(points), default, dtype=np.int64)
    given = pd.to_numeric(points[column], errors="coerce").to_numpy(dtype=float)
    first = np.where(start, given, np.nan)
    ids = np.cumsum(start) - 1
    per = np.full(int(ids.max()) + 1 if len(ids) else 0, float(default))
    at = np.flatnonzero(start & ~np.isnan(first))
    per[ids[at]] = first[at]
    return per[ids].astype(np.int64)


def _centre(points: pd.DataFrame, value: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's mean and mean moving range: its phase's (a recalculation starts a phase), or its series'
    baseline's for every point when the series has a baseline."""
    n = len(value)
    flag = lambda column: points[column].fillna(False).to_numpy(dtype=bool) if column in points else np.zeros(n, bool)  # noqa: E731
    baseline = flag("baseline")
    series = np.cumsum(start) - 1
    has_baseline = np.zeros(int(series.max()) + 1 if n else 0, dtype=bool)
    has_baseline[series[baseline]] = True
    recalculate = flag("recalculate") & ~has_baseline[series] if n else flag("recalculate")
    phase_start = start | recalculate  # a series with a baseline has one phase: its recalculations are ignored
    phase = np.cumsum(phase_start) - 1
    use = ~has_baseline[series] | baseline if n else np.zeros(0, dtype=bool)  # a baseline's points alone count
    moving = np.abs(np.diff(value, prepend=np.nan))
    moving[phase_start] = np.nan  # the first point of a phase has no moving range
    moving[~use] = np.nan
    groups = int(phase.max()) + 1 if n else 0
    total = np.bincount(phase[use], weights=value[use], minlength=groups)
    count = np.bincount(phase[use], minlength=groups)
    ranged = use & ~np.isnan(moving)
    r_total = np.bincount(phase[ranged], weights=moving[ranged], minlength=groups)
    r_count = np.bincount(phase[ranged], minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        mr_mean = np.where(r_count > 0, r_total / np.maximum(r_count, 1), np.nan)
    return mean[phase], mr_mean[phase]


def _runs(side: np.ndarray, start: np.ndarray, length: np.ndarray, sign: int) -> np.ndarray:
    """The points in a run of at least ``length`` consecutive points on the ``sign`` side (1 above, -1 below) within
    a series (a run crosses recalculations, not series)."""
    on = side == sign
    breaks = start | (on != np.r_[False, on[:-1]])
    run = np.cumsum(breaks) - 1
    counts = np.bincount(run, weights=on.astype(float))
    return on & (counts[run] >= length)


def _trend(step: np.ndarray, start: np.ndarray, length: np.ndarray, sign: int) -> np.ndarray:
    """The points of a trend: at least ``length`` points, each higher (``sign`` 1) or lower (-1) than the one before
    without a pause, within a series; the point the run starts from is in it too."""
    moves = step == sign
    breaks = start | (moves != np.r_[False, moves[:-1]])
    run = np.cumsum(breaks) - 1
    counts = np.bincount(run, weights=moves.astype(float))
    in_run = moves & (counts[run] >= length - 1)
    before = np.r_[in_run[1:] & ~start[1:], False]  # the point just before a flagged move
    return in_run | before


def _two_of_three(value, mean, mr_mean, limit, start, sign: int) -> np.ndarray:
    """Two or three of any three consecutive points of a series beyond the two-sigma line on one side (and not
    beyond the process limit there), all three on that side of the mean."""
    n = len(value)
    line = mean + sign * TWO_SIGMA * mr_mean
    with np.errstate(invalid="ignore"):
        past = beyond(value, line, sign) & ~beyond(value, limit, sign)
        same = beyond(value, mean, sign)
    flagged = np.zeros(n, dtype=bool)
    if n < 3:
        return flagged
    series_break = start.copy()
    ok = ~series_break[1:-1] & ~series_break[2:]  # windows (i, i+1, i+2) inside one series
    window_same = same[:-2] & same[1:-1] & same[2:] & ok
    count = past[:-2].astype(int) + past[1:-1] + past[2:]
    hit = window_same & (count >= 2)
    for offset in range(3):
        flagged[offset : n - 2 + offset] |= hit & past[offset : n - 2 + offset]
    return flagged


def _combined(high: dict, low: dict, improvement: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's special cause (improvement, concern, neither, or "") and the rules that made it, with a
    conflict (both) shown as an improvement and said."""
    n = len(improvement)
    any_high = np.zeros(n, dtype=bool)
    any_low = np.zeros(n, dtype=bool)
    for name in RULES:
        any_high |= high[name]
        any_low |= low[name]
    good_high = improvement == "higher"
    good_low = improvement == "lower"
    better = np.where(good_high, any_high, np.where(good_low, any_low, False))
    worse = np.where(good_high, any_low, np.where(good_low, any_high, False))
    neither = ~good_high & ~good_low & (any_high | any_low)
    special = np.where(better, "improvement", np.where(worse, "concern", np.where(neither, "neither", "")))
    # each distinct combination of rules, direction and conflict is put into words once
    code = np.zeros(n, dtype=np.int64)
    for bit, flags in enumerate([high[name] for name in RULES] + [low[name] for name in RULES]):
        code |= flags.astype(np.int64) << bit
    direction = np.where(good_high, 1, np.where(good_low, 2, 0))
    code = code | (direction << 8) | ((better & worse).astype(np.int64) << 10)
    said = np.full(n, "", dtype=object)
    at = np.flatnonzero(special != "")
    distinct, inverse = np.unique(code[at], return_inverse=True)
    words = [_rules_said(int(c), ("", "higher", "lower")[(int(c) >> 8) & 3], bool(int(c) >> 10 & 1)) for c in distinct]
    if len(at):
        said[at] = np.asarray(words, dtype=object)[inverse.reshape(-1)]
    return special.astype(object), said


def _rules_said(code: int, improvement: str, conflict: bool) -> str:
    """The rules that make a point special cause (``code``: one bit a rule and side, as ``_combined`` packs them), on
    the side it is shown as (improvement first: a point that is both is shown as an improvement, and the rule says
    so)."""
    up = [RULE_WORDS[name][0] for bit, name in enumerate(RULES) if code >> bit & 1]
    down = [RULE_WORDS[name][1] for bit, name in enumerate(RULES) if code >> (bit + len(RULES)) & 1]
    if improvement not in ("higher", "lower"):
        return "; ".join(up + down)
    better, worse = (up, down) if improvement == "higher" else (down, up)
    if not better:
        return "; ".join(worse)
    return "; ".join(better) + (f" (also concern: {'; '.join(worse)}; shown as improvement)" if conflict else "")


def _icons(special, high, low, improvement, value, mean, upper, lower, target, start, enough):
    """Each series' variation and assurance icons, on every one of its points ("" for a run chart)."""
    n = len(value)
    variation = np.full(n, "", dtype=object)
    assurance = np.full(n, "", dtype=object)
    if not n:
        return variation, assurance
    series = np.cumsum(start) - 1
    last = np.r_[np.flatnonzero(start)[1:] - 1, n - 1]
    per_variation, per_assurance = [], []
    for i in last:
        per_variation.append(_variation(i, special, high, low, improvement, value, mean) if enough[i] else "")
        goal = target[i] if target is not None else np.nan
        per_assurance.append(_assurance(improvement[i], goal, lower[i], upper[i]) if enough[i] else "")
    return np.asarray(per_variation, dtype=object)[series], np.asarray(per_assurance, dtype=object)[series]


def _variation(i: int, special, high, low, improvement, value, mean) -> str:
    """The variation icon of a series whose last point is ``i``: common cause, or its special cause's kind and
    whether it is high or low."""
    kind = special[i]
    if not kind:
        return "common cause"
    if kind == "improvement":
        is_high = improvement[i] == "higher"
    elif kind == "concern":
        is_high = improvement[i] == "lower"
    else:
        up = any(high[name][i] for name in RULES)
        down = any(low[name][i] for name in RULES)
        is_high = up if up != down else value[i] > mean[i]
    return f"{kind} {'high' if is_high else 'low'}"


def _assurance(improvement: str, goal: float, lower: float, upper: float) -> str:
    """The assurance icon: the target against the latest process limits."""
    if improvement not in ("higher", "lower") or np.isnan(goal) or np.isnan(lower) or np.isnan(upper):
        return ""
    if lower <= goal <= upper:
        return "hit or miss"
    return "pass" if (goal < lower) == (improvement == "higher") else "fail"
