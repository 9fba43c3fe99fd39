"""Benchmarks of the comparison at scale (not tests), each a whole command in a process of its own:

    .venv/bin/python benchmarks/compare_all.py [--repeat N] [--skip-planning]

1. ``compare --all`` on Oflog's real file (157 councils × 7 measures × 8 years, with the nearest-neighbour file),
   interleaved with ``compare --organisation`` on the same file (A, B, A, B, ...): the median of each, the median
   of the paired ratios, and the peak memory of ``--all`` (target: under 3 s);
2. ``compare --all`` on a SYNTHETIC dataset of 400 organisations × 100 measures × 10 years (400,000 rows, every
   organisation with 15 peers), interleaved with one organisation's ``compare`` (target: under 10 s);
3. planning the profiles of a SYNTHETIC dataset of 2,000 organisations × 100 measures × 10 years (2,000,000 rows,
   the row limit; 15 peers each): reading, indexing and ranking once, then every organisation's job with its
   positions, statements and chart data, without rendering (``profiles.profile_jobs``), with its peak memory
   (target: under 60 s).

Wall-clock seconds; peak memory is the resident memory of the command's process tree, sampled every 0.1 s.
The SYNTHETIC datasets are written to a temporary folder and say so in their organisation names.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import PY, peak_run  # noqa: E402

OFLOG = ROOT.parent / "shared" / "benchmarks" / "oflog"
LAYOUT = (
    '[layout]\nkind = "benchmark"\nname = "SYNTHETIC benchmark dataset"\n[columns]\norganisation = "org"\n'
    'organisation_name = "name"\nmeasure = "measure"\nperiod = "year"\nvalue = "value"\npolarity = "better"\n'
    '[polarity]\n"up" = "higher"\n"down" = "lower"\n'
)


def synthetic(folder: Path, orgs: int, measures: int, years: int) -> tuple[Path, Path, Path]:
    """A SYNTHETIC long dataset (values made from the indices, not any organisation's figures), its layout and a
    peers file giving each organisation the 15 after it (wrapping round)."""
    dataset = folder / f"synthetic_{orgs}x{measures}x{years}.csv"
    with dataset.open("w", encoding="utf-8") as out:
        out.write("org,name,measure,year,value,better\n")
        for m in range(measures):
            better = "up" if m % 3 else "down"
            for y in range(years):
                year = f"{2010 + y}-{(11 + y) % 100:02d}"
                out.writelines(
                    f"O{o:04d},SYNTHETIC {o},M{m:03d},{year},{(o * 37 + m * 11 + y * 7) % 997 / 10},{better}\n"
                    for o in range(orgs)
                )
    layout = folder / "synthetic.toml"
    layout.write_text(LAYOUT, encoding="utf-8")
    peers = folder / "synthetic_peers.json"
    codes = [f"O{o:04d}" for o in range(orgs)]
    peers.write_text(json.dumps({c: [codes[(i + k) % orgs] for k in range(1, 16)] for i, c in enumerate(codes)}))
    return dataset, layout, peers


def compare_pair(dataset: Path, layout: Path, peers: Path, year: str, one: str, out: Path, repeat: int):
    """``compare --all`` and one organisation's ``compare``, interleaved: (median A, median B, paired ratio,
    peak memory of A)."""
    common = [PY, "-m", "pipeline", "compare", str(dataset), "--layout", str(layout), "--peers", str(peers)]
    common += ["--year", year]
    every, single, peak = [], [], 0
    for i in range(repeat):
        target = out / f"{dataset.stem}_all_{i}.csv"
        seconds, memory = peak_run([*common, "--all", "--out", str(target)])
        every.append(seconds)
        peak = max(peak, memory)
        single.append(peak_run([*common, "--organisation", one])[0])
    ratios = [a / b for a, b in zip(every, single, strict=True)]
    return statistics.median(every), statistics.median(single), statistics.median(ratios), peak


PLAN = """
import sys, time
from pipeline import request
from pipeline.run.profiles import profile_jobs
start = time.perf_counter()
jobs, table = profile_jobs(request.PROFILE.make(dataset_path=sys.argv[1], layout_path=sys.argv[2],
                           peers_path=sys.argv[3], year="2019/20", out=sys.argv[4]))
print(len(jobs), len(table), time.perf_counter() - start)
"""


def planning(folder: Path) -> tuple[float, int]:
    dataset, layout, peers = synthetic(folder, 2000, 100, 10)
    return peak_run([PY, "-c", PLAN, str(dataset), str(layout), str(peers), str(folder / "profiles")])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-planning", action="store_true", help="only the two compare --all comparisons")
    args = parser.parse_args()
    lines, ok = [], True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if (OFLOG / "ASC_data.csv").is_file():
            layout = ROOT / "data" / "benchmarks" / "oflog_asc.toml"
            a, b, ratio, peak = compare_pair(OFLOG / "ASC_data.csv", layout, OFLOG / "NN.json", "2022/23", "E06000004",
                                             tmp, args.repeat)  # fmt: skip
            ok &= a < 3.0
            lines.append(f"compare --all, Oflog (157 x 7 x 8): {a:.2f} s (target 3 s); one organisation {b:.2f} s; "
                         f"paired ratio {ratio:.2f}; peak {peak / 2**20:.0f} MB")  # fmt: skip
        dataset, layout, peers = synthetic(tmp, 400, 100, 10)
        a, b, ratio, peak = compare_pair(dataset, layout, peers, "2019/20", "O0000", tmp, args.repeat)
        ok &= a < 10.0
        lines.append(f"compare --all, SYNTHETIC 400 x 100 x 10: {a:.2f} s (target 10 s); one organisation {b:.2f} s; "
                     f"paired ratio {ratio:.2f}; peak {peak / 2**20:.0f} MB")  # fmt: skip
        if not args.skip_planning:
            start = time.perf_counter()
            seconds, peak = planning(tmp)
            ok &= seconds < 60.0
            lines.append(f"profiles planned, SYNTHETIC 2,000 x 100 x 10 (2,000,000 rows): {seconds:.1f} s (target "
                         f"60 s; writing the dataset took {time.perf_counter() - start - seconds:.1f} s more); peak "
                         f"{peak / 2**20:.0f} MB")  # fmt: skip
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
