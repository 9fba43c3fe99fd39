"""Benchmarks (not tests): four side-by-side comparisons, printed as a table.

    .venv/bin/python benchmarks/run.py [--repeat N]

1. a full period (clean, execute, HTML, PDF) against a bare papermill run of an empty notebook;
2. a run taken from the cache (nothing changed) against 0.5 s;
3. a 1,000-indicator export (SYNTHETIC typed table, labelled so) end to end against the seed's period, its
   PDF alone (assembling and compiling the Typst document, in process) against 2 s, and the PDF's cost per
   indicator row (from 1,000 and 2,000 indicators);
4. a batch of 4 periods on 2 cores against one period;
5. a second batch with nothing changed against the first;
6. cleaning an export of 10,000 indicators (the seed repeated), and how time grows with rows;
7. cleaning a typed KPI table of 10,000 rows (SYNTHETIC, labelled so) through a layout, against 1 s.

8. the limits the README documents, end to end: a SYNTHETIC typed table of 10,000 indicators and one at the row
   limit (99,990 rows: the limit counts the title and header rows too), each rendered whole (``run --force``),
   with its wall-clock time and the peak memory of the whole process tree (the run and its kernel, sampled
   every 0.1 s), against the figures the README states.

``--quick`` runs only 6 and 7 (no rendering); ``--limits`` only 8.

``--speed``: issue 24's figures, each against its target — one period of the seed against papermill in a lean
environment (papermill and ipykernel only, at the lock's versions; built once in ``benchmarks/.lean-venv``), a run
taken from the cache, the PDF of 1,000 indicators, 1,000 / 2,000 / 10,000 indicators end to end with the peak
memory of the run and its kernel and the cost per indicator — then where one period's time goes
(``profile_period.py``). ``--lean``: only the first of these.

Periods 2 and 3 use SYNTHETIC quarterly exports made from the seed (tests/synthetic.py), in a temporary folder.
Wall-clock seconds. Each comparison runs its two commands interleaved (A, B, A, B, ...) and reports the
median of each and the median of the paired ratios A/B, so a busy moment of a shared machine falls on both
sides of a pair instead of on one command. Results also go to benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from synthetic import make_quarters, typed_table  # noqa: E402

PY = sys.executable
EMPTY_REGISTER = ROOT / "tests" / "fixtures" / "empty_register.csv"


def once(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def paired(a: list[str], b: list[str], repeat: int) -> tuple[float, float, float]:
    """Run ``a`` and ``b`` interleaved ``repeat`` times (A, B, A, B, ...): (median of A, median of B, median of
    the paired ratios A/B)."""
    times_a, times_b = [], []
    for _ in range(repeat):
        times_a.append(once(a))
        times_b.append(once(b))
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def big_export(repeats: int) -> bytes:
    """The seed's indicator rows repeated, objectives renumbered per copy (SYNTHETIC, for timing only).

    Refs stay within three digits, so after 24 copies they repeat (and are recorded as duplicates).
    """
    lines = (ROOT / "data/raw/council_plan_2011-12_Q4.tsv").read_text(encoding="utf-8").split("\n")
    key_at = next(i for i, line in enumerate(lines) if line.startswith("------"))
    head, body, tail = lines[:3], lines[3:key_at], lines[key_at:]
    out = list(head)
    for k in range(repeats):
        for line in body:
            cells = line.split("\t")
            first = cells[0]
            number, dot, rest = first.partition(".")
            if number.isdigit() and dot:
                cells[0] = f"{int(number) + 40 * (k % 24)}.{rest}"
            out.append("\t".join(cells))
    return "\n".join(out + tail).encode("utf-8")


def _times(path: Path, data: bytes, clean_once, prepare_kwargs: dict, repeat: int) -> tuple[int, float, float]:
    """(indicators, median seconds of ``clean_once(path)``, median seconds of preparing the period's data from its
    snapshot: ``load_period`` of a request for ``path`` with ``prepare_kwargs``) over ``repeat`` runs, with ``data``
    written to ``path`` first."""
    from pipeline import load_period
    from pipeline.request import PERIOD

    def prepare(path, **given):
        return load_period(PERIOD.make(input_path=path, **given))

    path.write_bytes(data)
    cleaning, preparing = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        indicators = clean_once(path)
        cleaning.append(time.perf_counter() - start)
        start = time.perf_counter()
        prepare(path, register_path=EMPTY_REGISTER, **prepare_kwargs)
        preparing.append(time.perf_counter() - start)
    return len(indicators), statistics.median(cleaning), statistics.median(preparing)


def clean_time(repeats: int, repeat: int) -> tuple[int, float, float]:
    """(indicators, seconds to ingest and clean, seconds for the whole of ``prepare``: clean, figures, assessment)."""
    from pipeline.read import ingest
    from pipeline.read.stockton import clean

    def once(path):
        return clean.clean_export(ingest.parse_export(ingest.read_bytes(path), path.name), path.name).indicators

    with tempfile.TemporaryDirectory() as tmp:
        return _times(Path(tmp) / "council_plan_2011-12_Q4.synthetic.tsv", big_export(repeats), once, {}, repeat)


def table_time(rows: int, repeat: int) -> tuple[int, float, float]:
    """(indicators, seconds to ingest and clean a typed table through its layout, seconds for ``prepare``)."""
    from pipeline.read import ingest
    from pipeline.read.layout import read_layout
    from pipeline.read.table import rows as table

    layout_path = ROOT / "data" / "layouts" / "anytown_synthetic.toml"
    layout = read_layout(layout_path.read_bytes(), layout_path.name)

    def once(path):
        return table.clean_table(ingest.parse_export(ingest.read_bytes(path), path.name), path.name, layout)[
            0
        ].indicators

    with tempfile.TemporaryDirectory() as tmp:
        return _times(
            Path(tmp) / "anytown_2024-25_Q2.csv", typed_table(rows), once, {"layout_path": layout_path}, repeat
        )


def pdf_time(notebook: Path, repeat: int) -> float:
    """Median seconds to assemble and compile the PDF of an executed report notebook, in a process that has
    already imported what a run's process has by then (the pipeline, its report pieces and pandas). Each time in
    a process of its own, as a run compiles once: Typst remembers what it laid out within a process, and a
    second compile of the same document there can take a tenth of the time."""
    code = (
        "import sys, time, nbformat; from pipeline import report; from pipeline.run import prepare\n"
        "from pipeline.report.export import pdf\n"
        "nb = nbformat.read(sys.argv[1], 4)\n"
        "t = time.perf_counter(); pdf.typst_to_pdf(*pdf.notebook_to_typst(nb)); "
        "print(time.perf_counter() - t)\n"
    )
    times = []
    for _ in range(repeat):
        done = subprocess.run([PY, "-c", code, str(notebook)], cwd=ROOT, check=True, capture_output=True)
        times.append(float(done.stdout.decode().strip()))
    return statistics.median(times)


def peak_run(args: list[str]) -> tuple[float, int]:
    """Run a command: (wall-clock seconds, peak resident memory of it and all its children together, bytes),
    sampled every 0.1 s."""
    import psutil

    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {child.stderr.read().decode()[-500:]}")
    return seconds, peak


# What the README's Limits section states a run at each size needs on the 2-core, 24 GB machine.
LIMIT_RUNS = {10_000: (60.0, 1.5 * 2**30), 99_990: (120.0, 4 * 2**30)}


def limit_runs() -> list[tuple]:
    """Comparison 8: whole runs at the documented sizes (name, measured, against, ratio, aim) for time and memory."""
    rows = []
    layout = ROOT / "data" / "layouts" / "anytown_synthetic.toml"
    with tempfile.TemporaryDirectory() as tmp:
        for n, (seconds_aim, bytes_aim) in LIMIT_RUNS.items():
            export = Path(tmp) / f"t{n}" / "anytown_2024-25_Q2.synthetic.csv"
            export.parent.mkdir()
            export.write_bytes(typed_table(n))
            args = [PY, "-m", "pipeline", "run", "--force", "--input", str(export), "--layout", str(layout)]
            seconds, peak = peak_run([*args, "--out", str(Path(tmp) / f"out{n}")])
            rows.append(
                (f"{n:,} indicators (synthetic) end to end, s", seconds, seconds_aim, seconds / seconds_aim, 1.0)
            )
            gb, aim_gb = peak / 2**30, bytes_aim / 2**30
            rows.append(("  peak memory of the run and its kernel, GB", gb, aim_gb, gb / aim_gb, 1.0))
            rows.append(("  per indicator, ms", seconds / n * 1000, 0, 0, 0))
    return rows


def empty_notebook(path: Path) -> Path:
    """An executable notebook with no cell (the bare papermill run's), written at ``path``."""
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.write_text(
        json.dumps({"cells": [], "metadata": {"kernelspec": kernelspec}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def render_comparisons(repeat: int) -> list[tuple]:
    """Comparisons 1-3: whole renders, wall-clock, interleaved pairs (name, A, B, paired ratio, aim)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty = empty_notebook(tmp / "empty.ipynb")
        bare = [PY, "-m", "papermill", str(empty), str(tmp / "empty_out.ipynb"), "-k", "python3", "--no-progress-bar"]
        full = [PY, "-m", "pipeline", "run", "--force", "--out", str(tmp / "out1")]
        rows.append(("full period vs bare papermill (empty notebook)", *paired(full, bare, repeat), 2.0))
        cached = [PY, "-m", "pipeline", "run", "--out", str(tmp / "out1")]
        times = [once(cached) for _ in range(repeat)]
        rows.append(
            ("a run taken from the cache vs 0.5 s", statistics.median(times), 0.5, statistics.median(times) / 0.5, 1.0)
        )

        layout = ROOT / "data" / "layouts" / "anytown_synthetic.toml"
        pdf_seconds = {}
        for n in (1000, 2000):
            export = tmp / f"anytown_{n}" / "anytown_2024-25_Q2.synthetic.csv"
            export.parent.mkdir()
            export.write_bytes(typed_table(n))
            big = [PY, "-m", "pipeline", "run", "--force", "--input", str(export), "--layout", str(layout)]
            big += ["--year", "2024/25", "--quarter", "Q2", "--out", str(tmp / f"big{n}")]
            if n == 1000:
                rows.append(
                    (f"{n:,}-indicator export (synthetic) end to end vs seed period", *paired(big, full, repeat), 3.0)
                )
            else:
                once(big)
            pdf_seconds[n] = pdf_time(tmp / f"big{n}" / "2024-25" / "Q2" / "report.ipynb", repeat)
        rows.append(
            ("  its PDF alone (assemble and compile Typst) vs 2 s", pdf_seconds[1000], 2.0, pdf_seconds[1000] / 2, 1.0)
        )
        per_row = (pdf_seconds[2000] - pdf_seconds[1000]) / 1000
        rows.append(("  PDF cost per indicator, ms (1,000 to 2,000; about 3 table rows each)", per_row * 1000, 0, 0, 0))

        raw = tmp / "raw"
        make_quarters(raw, quarters=(1, 2, 3, 4))
        one_raw = tmp / "one"
        make_quarters(one_raw, quarters=(1,))

        def batch(folder: Path, out: str, *extra: str) -> list[str]:
            return [
                PY,
                "-m",
                "pipeline",
                "batch",
                "--raw",
                str(folder),
                "--out",
                str(tmp / out),
                "--jobs",
                "2",
                "--register",
                str(EMPTY_REGISTER),
                *extra,
            ]

        four = batch(raw, "out3", "--force")
        one = batch(one_raw, "out2", "--force")
        rows.append(("batch of 4 periods on 2 cores vs one period", *paired(four, one, repeat), 2.3))
        # an unchanged batch against the first: each pair starts from an empty output folder
        import shutil

        first = batch(raw, "out4")
        second = batch(raw, "out4")

        def fresh() -> None:
            shutil.rmtree(tmp / "out4", ignore_errors=True)

        times_first, times_second = [], []
        for _ in range(repeat):
            fresh()
            times_first.append(once(first))
            times_second.append(once(second))
        ratios = [s / f for s, f in zip(times_second, times_first, strict=True)]
        rows.append(
            (
                "second batch, nothing changed vs first batch",
                statistics.median(times_second),
                statistics.median(times_first),
                statistics.median(ratios),
                0.05,
            )
        )
    return rows


def benchmark_dataset_time(orgs: int = 400, measures: int = 100, periods: int = 10, repeat: int = 3) -> tuple:
    """A SYNTHETIC long benchmark dataset of ``orgs`` × ``measures`` × ``periods`` rows: read through its layout and
    every measure ranked for one organisation among 15 peers and all, best of ``repeat`` (seconds), and the peak
    memory of the reading and ranking (bytes, tracemalloc)."""
    import io
    import tracemalloc

    from pipeline.figures import compare as benchmark
    from pipeline.read import comparison

    buffer = io.StringIO()
    buffer.write("SYNTHETIC,org,measure,year,value,better\n".split(",", 1)[1])
    for m in range(measures):
        for p in range(periods):
            year = f"{2010 + p}-{(11 + p) % 100:02d}"
            for o in range(orgs):
                buffer.write(
                    f"O{o:03d},M{m:03d},{year},{(o * 37 + m * 11 + p * 7) % 997 / 10},{'up' if m % 3 else 'down'}\n"
                )
    text = buffer.getvalue()
    layout = comparison.read_comparison_layout(
        b'[layout]\nkind = "benchmark"\n[columns]\norganisation = "org"\nmeasure = "measure"\nperiod = "year"\n'
        b'value = "value"\npolarity = "better"\n[polarity]\n"up" = "higher"\n"down" = "lower"\n',
        "synthetic.toml",
    )
    peers = [f"O{o:03d}" for o in range(16)]
    best = None
    for _ in range(repeat):
        tracemalloc.start()
        start = time.perf_counter()
        data = comparison.read_dataset(text, layout, "synthetic.csv")
        frame = benchmark.positions(data, "O000", peers, {f"r{m}": f"M{m:03d}" for m in range(measures)}, (2019, 4))
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(frame) == measures * periods
        best = seconds if best is None else min(best, seconds)
    return orgs * measures * periods, best, peak


def profiles_runs(jobs: int = 2) -> list[str]:
    """Every Oflog profile (157 councils) on this machine's local processes: the total time, the time per profile,
    the peak memory of the coordinator and of the largest worker; an unchanged second run; and one period report
    of the worked example for comparison (a profile's cost against a single run of a report of about its size)."""
    import tempfile

    import psutil

    oflog = ROOT.parent / "shared" / "benchmarks" / "oflog"
    layout = ROOT / "data" / "benchmarks" / "oflog_asc.toml"
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        args = [PY, "-m", "pipeline", "profiles", str(oflog / "ASC_data.csv"), "--layout", str(layout)]
        args += ["--peers", str(oflog / "NN.json"), "--year", "2022/23", "--out", tmp, "--jobs", str(jobs)]
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        proc, coordinator, worker, together = psutil.Process(child.pid), 0, 0, 0
        while child.poll() is None:
            try:
                coordinator = max(coordinator, proc.memory_info().rss)
                everything = proc.children(recursive=True)
                together = max(together, sum(p.memory_info().rss for p in [proc, *everything]))
                for server in proc.children(recursive=False):  # the fork server; its children are the workers
                    for w in server.children(recursive=False):
                        worker = max(worker, sum(p.memory_info().rss for p in [w, *w.children(recursive=True)]))
            except psutil.Error:
                pass
            time.sleep(0.2)
        first = time.perf_counter() - start
        said = child.stdout.read().decode()
        rendered = int(said.split("rendered ")[1].split(",")[0])
        start = time.perf_counter()
        subprocess.run(args, cwd=ROOT, capture_output=True, check=True)
        second = time.perf_counter() - start
        example = ROOT / "data" / "examples" / "oflog" / "stockton_asc_2022-23_Q4.synthetic.csv"
        single = once(
            [
                PY,
                "-m",
                "pipeline",
                "run",
                "--input",
                str(example),
                "--benchmark",
                str(oflog / "ASC_data.csv"),
                "--benchmark-layout",
                str(layout),
                "--peers",
                str(oflog / "NN.json"),
                "--out",
                tmp + "/single",
                "--force",
            ]
        )
    per = first / max(rendered, 1) * jobs  # each worker renders one profile at a time
    lines.append(
        f"profiles of {rendered} councils, {jobs} local processes: {first:.1f} s in all, {first / max(rendered, 1):.2f} s a profile"
    )
    lines.append(
        f"  a profile's own cost {per:.2f} s (with {jobs} at once) against one period report's {single:.2f} s: {per / single:.2f}x (target 1.2x)"
    )
    lines.append(
        f"  peak memory: coordinator {coordinator / 2**20:.0f} MB, one worker with its kernel {worker / 2**20:.0f} MB, "
        f"all processes together {together / 2**20:.0f} MB"
    )
    lines.append(f"  an unchanged second run: {second:.2f} s, {100 * second / first:.1f}% of the first (target 5%)")
    return lines


LEAN_ENV = ROOT / "benchmarks" / ".lean-venv"  # git-ignored; built once, then reused


def lean_python() -> str:
    """A lean virtual environment with only papermill and ipykernel, at the versions the lock pins (built once,
    cached in ``LEAN_ENV``): the baseline a user's own papermill has, without JupyterLab's imports."""
    import re

    python = LEAN_ENV / "bin" / "python"
    if not python.exists():
        lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
        pins = [
            m.group(0) for name in ("papermill", "ipykernel") for m in [re.search(rf"^{name}==\S+", lock, re.M)] if m
        ]
        subprocess.run([sys.executable, "-m", "venv", str(LEAN_ENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins], check=True
        )
    return str(python)


def lean_baseline(repeat: int = 5) -> tuple[float, float, float]:
    """One period of the seed against a bare papermill run of an empty notebook in the lean environment:
    interleaved (A B A B ...), paired medians (period, papermill, ratio)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty = empty_notebook(tmp / "empty.ipynb")
        lean = lean_python()
        subprocess.run(
            [lean, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], check=True, capture_output=True
        )
        bare = [lean, "-m", "papermill", str(empty), str(tmp / "o.ipynb"), "-k", "python3", "--no-progress-bar"]
        full = [PY, "-m", "pipeline", "run", "--force", "--out", str(tmp / "out")]
        return paired(full, bare, repeat)


def speed_runs(repeat: int = 5) -> list[tuple]:
    """Issue 24's figures, each against its target (name, measured, against, ratio, aim): one period of the seed
    against a lean papermill; a run taken from the cache; the PDF of 1,000 indicators; 1,000, 2,000 and 10,000
    indicators end to end with the peak memory of the run and its kernel, and the cost per indicator."""
    rows = []
    period, bare, ratio = lean_baseline(repeat)
    rows.append(("one period of the seed vs a lean papermill (empty notebook)", period, bare, ratio, 2.0))
    layout = ROOT / "data" / "layouts" / "anytown_synthetic.toml"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        once([PY, "-m", "pipeline", "run", "--force", "--out", str(tmp / "seed")])
        cached = statistics.median(once([PY, "-m", "pipeline", "run", "--out", str(tmp / "seed")]) for _ in range(5))
        rows.append(("a run taken from the cache, s", cached, 0.3, cached / 0.3, 1.0))
        per = {}
        for n in (1000, 2000, 10_000):
            export = tmp / f"t{n}" / "anytown_2024-25_Q2.synthetic.csv"
            export.parent.mkdir()
            export.write_bytes(typed_table(n))
            args = [PY, "-m", "pipeline", "run", "--force", "--input", str(export), "--layout", str(layout)]
            seconds, peak = peak_run([*args, "--out", str(tmp / f"out{n}")])
            per[n] = seconds / n
            if n == 1000:
                pdf = pdf_time(tmp / "out1000" / "2024-25" / "Q2" / "report.ipynb", repeat)
                rows.append(("the PDF of 1,000 indicators (synthetic), in process, s", pdf, 2.0, pdf / 2.0, 1.0))
            if n == 10_000:
                rows.append(("10,000 indicators (synthetic) end to end, s", seconds, 60.0, seconds / 60.0, 1.0))
                gb = peak / 2**30
                rows.append(("  peak memory of the run and its kernel, GB", gb, 1.5, gb / 1.5, 1.0))
            rows.append((f"  {n:,} indicators end to end: per indicator, ms", per[n] * 1000, 0, 0, 0))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="only the cleaning comparisons (no rendering)")
    parser.add_argument("--limits", action="store_true", help="only the whole runs at the documented limits")
    parser.add_argument("--benchmark-dataset", action="store_true", help="only reading and ranking a benchmark dataset")
    parser.add_argument("--profiles", action="store_true", help="only every Oflog profile, then again from the cache")
    parser.add_argument("--lean", action="store_true", help="only one period against papermill in a lean environment")
    parser.add_argument("--speed", action="store_true", help="issue 24's figures against their targets, and a profile")
    args = parser.parse_args()
    if args.lean:
        a, b, ratio = lean_baseline(max(args.repeat, 5))
        print(
            f"one period of the seed {a:.2f} s against a lean papermill (papermill and ipykernel only, at the lock's "
            f"versions) {b:.2f} s: {ratio:.2f}x, paired median of {max(args.repeat, 5)} interleaved pairs "
            "(target 2.0x, aim 1.5x)"
        )
        return 0
    if args.speed:
        code = report(speed_runs(max(args.repeat, 5)), [])
        print("\nwhere one period's time goes (benchmarks/profile_period.py):")
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                [PY, str(ROOT / "benchmarks" / "profile_period.py"), "--out", tmp], cwd=ROOT, capture_output=True
            )
        print(done.stderr.decode().split("data-quality findings\n")[-1])
        return code
    if args.profiles:
        print("\n".join(profiles_runs()))
        return 0
    if args.limits:
        return report(limit_runs(), [])
    if args.benchmark_dataset:
        rows_n, seconds, peak = benchmark_dataset_time(repeat=args.repeat)
        print(
            f"benchmark dataset of {rows_n:,} rows (400 x 100 x 10) read and ranked: {seconds:.2f} s (target 2 s), "
            f"peak {peak / 2**20:.0f} MB"
        )
        return 0 if seconds < 2.0 else 1
    rows = [] if args.quick else render_comparisons(args.repeat) + limit_runs()

    scaling = [clean_time(k, args.repeat) for k in (10, 20, 41, 83)]
    n10k, clean10k, prepare10k = scaling[-1]
    rows.append((f"cleaning {n10k:,} indicators (seed repeated) vs 2 s", clean10k, 2.0, clean10k / 2.0, 1.0))
    rows.append(("  the same with figures and assessment vs 2 s", prepare10k, 2.0, prepare10k / 2.0, 1.0))
    n_table, table_clean, table_prepare = table_time(10_000, args.repeat)
    rows.append((f"typed KPI table of {n_table:,} rows through a layout vs 1 s", table_clean, 1.0, table_clean, 1.0))
    rows.append(("  the same with figures, register and assessment vs 1 s", table_prepare, 1.0, table_prepare, 1.0))

    return report(rows, scaling)


def report(rows: list[tuple], scaling: list[tuple]) -> int:
    """Print the table and write benchmarks/results/latest.json."""
    print(f"{'comparison':<62} {'measured':>10} {'against':>10} {'ratio':>7} {'aim':>6}")
    for name, measured, against, ratio, aim in rows:
        if not aim:  # a figure reported, with nothing to compare it against
            print(f"{name:<62} {measured:>10.2f}")
            continue
        print(f"{name:<62} {measured:>10.2f} {against:>10.2f} {ratio:>7.2f} {'<=' if ratio <= aim else '> '}{aim:>4}")
    print("(renders: medians of interleaved runs; the ratio is the median of the paired ratios)")
    if scaling:
        print("\ntime by size: ingest and clean | with figures and assessment")
    for n, c, t in scaling:
        print(
            f"  {n:>6,} indicators: {c:6.3f} s ({c / n * 1000:.3f} ms each) | {t:6.3f} s ({t / n * 1000:.3f} ms each)"
        )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps(
            {
                "comparisons": [
                    dict(zip(("name", "measured", "against", "paired_ratio", "aim"), r, strict=True)) for r in rows
                ],
                "scaling": [{"indicators": n, "clean_s": c, "prepare_s": t} for n, c, t in scaling],
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
