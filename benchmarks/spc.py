"""Benchmarks of history and SPC (not tests):

    .venv/bin/python benchmarks/spc.py [--repeat N]

1. ``figures.spc.chart`` over 10,000 SYNTHETIC series of 40 points each (400,000 points), best of ``repeat``, in
   this process (target: under 2 s);
2. one period report whose folder holds 13 earlier quarters of the same body (14 quarters of history: every
   earlier export read, the history and every chart drawn) against the same export alone in a folder of its own,
   each a whole ``run --force`` in a process of its own, interleaved (A, B, A, B, ...): the medians and the median
   of the paired ratios (target: at most 1.15), with the peak memory of each.

The exports are SYNTHETIC (tests/synthetic.py's ``history_quarters``), written to a temporary folder.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from run import PY, peak_run  # noqa: E402
from synthetic import history_quarters  # noqa: E402


def many_series(series: int = 10_000, points: int = 40, repeat: int = 3) -> float:
    import numpy as np
    import pandas as pd

    from pipeline.figures import spc

    rng = np.random.default_rng(33)
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.arange(series), points),
            "period": np.tile(np.arange(points), series),
            "value": rng.normal(50, 5, series * points).round(1),
            "improvement": np.repeat(rng.choice(["higher", "lower", "neither"], series), points),
            "target": np.repeat(rng.normal(50, 10, series), points),
        }
    )
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        charts = spc.chart(frame)
        best = min(best, time.perf_counter() - start)
    assert len(charts) == series * points
    return best


def history_cost(repeat: int) -> tuple[float, float, float, int, int]:
    """(median with 14 quarters, median alone, median paired ratio, peak bytes with, peak bytes alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = history_quarters(tmp / "with")
        alone = tmp / "alone"
        alone.mkdir()
        shutil.copy(paths[-1], alone / paths[-1].name)
        shutil.copy(tmp / "with" / "layout.toml", alone / "layout.toml")
        command = [PY, "-m", "pipeline", "run", "--force", "--out"]
        a_times, b_times, a_peak, b_peak = [], [], 0, 0
        for _ in range(repeat):
            seconds, peak = peak_run([*command, str(tmp / "out_with"), "--input", str(paths[-1])])
            a_times.append(seconds)
            a_peak = max(a_peak, peak)
            seconds, peak = peak_run([*command, str(tmp / "out_alone"), "--input", str(alone / paths[-1].name)])
            b_times.append(seconds)
            b_peak = max(b_peak, peak)
    ratios = [a / b for a, b in zip(a_times, b_times, strict=True)]
    return statistics.median(a_times), statistics.median(b_times), statistics.median(ratios), a_peak, b_peak


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    seconds = many_series(repeat=3)
    print(f"SPC of 10,000 series of 40 points: {seconds:.2f} s (target 2 s)")
    with_history, alone, ratio, peak_with, peak_alone = history_cost(args.repeat)
    print(
        f"a report with 14 quarters of history {with_history:.2f} s against the same export alone {alone:.2f} s: "
        f"{ratio:.2f}x, paired median of {args.repeat} (target 1.15x); peak {peak_with / 2**20:.0f} MB against "
        f"{peak_alone / 2**20:.0f} MB"
    )
    return 0 if seconds < 2.0 and ratio <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
