"""Warm kernels (issue 35), measured: each figure with kernels forked from the warm template against the same with
every kernel started cold (``COUNCIL_COLD_KERNELS=1``, as before), interleaved (warm, cold, warm, cold, ...).

    .venv/bin/python benchmarks/warm.py [--repeat N] [--skip-profiles] [--skip-lean]

1. the profiles of the 157 Oflog councils with ``--jobs 2``: wall-clock, and the processor time of all the run's
   processes (the coordinator, its workers, their kernels and the template: sampled every 0.05 s with psutil, each
   process counted at its last sample) per profile; target 90 s;
2. a batch of four quarters (SYNTHETIC exports made from the seed) against one quarter, ``--jobs 2``; target 1.6x;
3. one period of the seed against papermill in a lean environment (``run.py --lean``'s baseline; a single run
   starts its kernel cold, whatever this switch says); target 2.3x, aim 2.0x.

Wall-clock seconds, medians of the repeats; results also go to benchmarks/results/warm.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import EMPTY_REGISTER, PY, ROOT, lean_baseline  # noqa: E402
from synthetic import make_quarters  # noqa: E402

OFLOG = ROOT.parent / "shared" / "benchmarks" / "oflog"
COLD = {"COUNCIL_COLD_KERNELS": "1"}


def measured(args: list[str], extra_env: dict | None = None) -> tuple[float, float, str]:
    """Run ``args``: (wall-clock seconds, processor seconds of every process of its tree, its standard output)."""
    import psutil

    env = os.environ | (extra_env or {})
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    root, seen = psutil.Process(child.pid), {}
    while child.poll() is None:
        try:
            for process in [root, *root.children(recursive=True)]:
                try:
                    cpu = process.cpu_times()
                    seen[(process.pid, process.create_time())] = cpu.user + cpu.system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - start
    out = child.stdout.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed ({child.returncode})")
    return wall, sum(seen.values()), out


def interleaved(args: list[str], repeat: int) -> dict:
    """``args`` warm and cold, interleaved ``repeat`` times: the medians of each."""
    runs = {"warm": [], "cold": []}
    for _ in range(repeat):
        for how, env in (("warm", {}), ("cold", COLD)):
            runs[how].append(measured(args, env)[:2])
    return {
        how: [statistics.median(r[0] for r in got), statistics.median(r[1] for r in got)] for how, got in runs.items()
    }


def profiles(repeat: int) -> list[str]:
    layout = ROOT / "data" / "benchmarks" / "oflog_asc.toml"
    with tempfile.TemporaryDirectory() as tmp:
        args = [PY, "-m", "pipeline", "profiles", str(OFLOG / "ASC_data.csv"), "--layout", str(layout), "--force"]
        args += ["--peers", str(OFLOG / "NN.json"), "--year", "2022/23", "--out", tmp, "--jobs", "2"]
        got = interleaved(args, repeat)
        count = len(list(Path(tmp).glob("*/2022-23/Q4/manifest.json")))
    lines = [f"profiles of {count} Oflog councils, --jobs 2 (target 90 s)"]
    for how, (wall, cpu) in got.items():
        lines.append(
            f"  {how}: {wall:.1f} s; processor time of all processes {cpu:.1f} s, {cpu / count:.2f} s a profile"
        )
    lines.append(f"  warm / cold wall-clock: {got['warm'][0] / got['cold'][0]:.2f}x")
    return lines


def batches(repeat: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_quarters(tmp / "four", quarters=(1, 2, 3, 4))
        make_quarters(tmp / "one", quarters=(1,))

        def batch(folder: str) -> list[str]:
            return [PY, "-m", "pipeline", "batch", "--raw", str(tmp / folder), "--out", str(tmp / f"out-{folder}")] + [
                "--jobs",
                "2",
                "--register",
                str(EMPTY_REGISTER),
                "--force",
            ]

        four, one = interleaved(batch("four"), repeat), interleaved(batch("one"), repeat)
    lines = ["a batch of four quarters against one quarter, --jobs 2 (target 1.6x)"]
    for how in ("warm", "cold"):
        lines.append(
            f"  {how}: four {four[how][0]:.2f} s, one {one[how][0]:.2f} s: {four[how][0] / one[how][0]:.2f}x; "
            f"processor time {four[how][1]:.1f} s and {one[how][1]:.1f} s"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-profiles", action="store_true")
    parser.add_argument("--skip-lean", action="store_true")
    options = parser.parse_args()
    lines = batches(options.repeat)
    if not options.skip_lean:
        period, bare, ratio = lean_baseline(max(options.repeat, 5))
        lines.append(
            f"one period of the seed {period:.2f} s against a lean papermill {bare:.2f} s: {ratio:.2f}x (target 2.3x)"
        )
    if not options.skip_profiles:
        lines += profiles(1 if options.repeat < 3 else 2)
    print("\n".join(lines))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "warm.json").write_text(json.dumps(lines, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
