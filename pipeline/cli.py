"""The command line: parse arguments, call one public function, turn PipelineError into exit status 2.

    python -m pipeline clean INPUT --out DIR [--register FILE] [--layout FILE]
    python -m pipeline layout INPUT [--out FILE]
    python -m pipeline run [--year 2011/12] [--quarter Q4] [--input FILE] [--out DIR] [--force] [--register FILE]
                           [--layout FILE] [--council NAME] [-f PARAMETERS.yaml]
    python -m pipeline batch [--raw DIR] [--out DIR] [--jobs N] [--force] [--register FILE] [--layout FILE]
                             [--council NAME] [-f PARAMETERS.yaml]
    python -m pipeline compare DATASET --organisation CODE --year YYYY/YY [--quarter Qn] [--peers FILE] [--layout FILE]
    python -m pipeline profiles DATASET --year YYYY/YY [--quarter Qn] [--layout FILE] [--peers FILE] [--only CODE,...]
                                [--out DIR] [--jobs N] [--scheduler ADDRESS] [--force]
    python -m pipeline plan PLAN --year 2008/09 --quarter Q1 [--out DIR] [--force] [--council NAME]
    python -m pipeline verify DIR [--allowed-signers FILE]
    python -m pipeline sign DIR --key KEY
    python -m pipeline reproduce DIR [--inputs DIR]

Errors print one line, ``error: FILE[:LINE]: message``, and exit 2; ``--debug``
shows the traceback as well. ``batch`` exits 1 when some periods failed (the others are rendered).
"""

from __future__ import annotations

import argparse
import sys
import traceback

from pipeline.errors import PipelineError, printable
from pipeline.request import MILESTONES, PERIOD, benchmark_of, front_page


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline", description="Council Plan performance reports, reproducibly."
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    clean = sub.add_parser("clean", help="clean one export into indicators.csv and data_quality.csv")
    clean.add_argument("input", metavar="INPUT", help="the export: .tsv, .txt, .csv or .xlsx")
    clean.add_argument("--out", metavar="DIR", required=True, help="folder to write the cleaned tables to")
    clean.add_argument(
        "--register", metavar="FILE", help="indicator register (default: indicator_register.csv beside the export)"
    )
    clean.add_argument(
        "--layout",
        metavar="FILE",
        help="layout of the export (default: layout.toml beside it, else the Stockton Council Plan)",
    )
    layout = sub.add_parser("layout", help="look at an export and write a proposed layout file to edit")
    layout.add_argument("input", metavar="INPUT", help="the export: .tsv, .txt, .csv or .xlsx")
    layout.add_argument(
        "--out", metavar="FILE", help="write the proposal here (never over an existing file); default: print it"
    )

    # run, batch and plan take the parameters of their kind of report as flags (request.REPORT_KINDS)
    run = sub.add_parser("run", help="render one period's report (HTML, PDF, executed notebook, figures)")
    add_parameters(run, PERIOD)
    run.add_argument("--force", action="store_true", help="render even when the outputs are up to date")
    batch = sub.add_parser("batch", help="render every period found in a folder of exports, in parallel")
    batch.add_argument("--raw", metavar="DIR", help="folder of exports (default: data/raw/)")
    add_parameters(batch, PERIOD, every_period=True)
    batch.add_argument("--jobs", metavar="N", type=int, help="worker processes (default: the number of cores)")
    batch.add_argument("--force", action="store_true", help="render every period even when up to date")
    for p, every in ((run, False), (batch, True)):
        names = ", ".join(x.name for x in PERIOD.parameters if x.every_period or not every)
        p.add_argument(
            "-f",
            "--parameters",
            metavar="FILE",
            help=f"a YAML file of the report's parameters, as papermill's -f ({names}); what the command line "
            "gives wins",
        )
    compare = sub.add_parser(
        "compare", help="print an organisation's position on every measure of a benchmark dataset (no export needed)"
    )
    compare.add_argument(
        "dataset", metavar="DATASET", help="the benchmark dataset (one row per organisation, measure, period)"
    )
    compare.add_argument("--organisation", metavar="CODE", required=True, help="the organisation's code in the dataset")
    compare.add_argument("--year", metavar="YYYY/YY", required=True, help="the latest period to take, e.g. 2022/23")
    compare.add_argument("--quarter", metavar="Qn", default="Q4", help="Q1 to Q4 (default Q4: the whole year)")
    compare.add_argument("--peers", metavar="FILE", help="its comparator group: a CSV of codes, or a JSON of lists")
    compare.add_argument(
        "--layout", metavar="FILE", help="the dataset's layout (default: benchmark.toml beside the dataset)"
    )
    profiles = sub.add_parser(
        "profiles", help="render a profile report for every organisation in a benchmark dataset (locally or on Dask)"
    )
    profiles.add_argument("dataset", metavar="DATASET", help="the benchmark dataset")
    profiles.add_argument("--layout", metavar="FILE", help="its layout (default: benchmark.toml beside the dataset)")
    profiles.add_argument("--year", metavar="YYYY/YY", required=True, help="the period of the profiles, e.g. 2022/23")
    profiles.add_argument("--quarter", metavar="Qn", default="Q4", help="Q1 to Q4 (default Q4: the whole year)")
    profiles.add_argument("--peers", metavar="FILE", help="comparator groups: a JSON of each code's list, or a CSV")
    profiles.add_argument("--only", metavar="CODE,CODE", help="only these organisations (their codes, comma-separated)")
    profiles.add_argument("--out", metavar="DIR", help="output root (default: outputs/)")
    profiles.add_argument("--jobs", metavar="N", type=int, help="local worker processes (default: the number of cores)")
    profiles.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler (tcp://host:8786) to build on, else DASK_SCHEDULER_ADDRESS, else local processes",
    )
    profiles.add_argument("--force", action="store_true", help="render every profile even when up to date")
    plan = sub.add_parser("plan", help="render a Service Improvement Plan's milestone report for one period")
    add_parameters(plan, MILESTONES, required=("year", "quarter"))
    plan.add_argument("--out", metavar="DIR", help="output root (default: outputs/)")
    plan.add_argument("--force", action="store_true", help="render even when up to date")
    verify = sub.add_parser("verify", help="check a report folder's files against its manifest.json")
    verify.add_argument("folder", metavar="DIR", help="a report folder, e.g. outputs/2011-12/Q4")
    verify.add_argument(
        "--allowed-signers",
        metavar="FILE",
        help="also check that the manifest is signed (manifest.json.sig) by a key of this OpenSSH allowed-signers file",
    )
    sign = sub.add_parser("sign", help="sign a report folder's manifest.json with an OpenSSH key (ssh-keygen -Y sign)")
    sign.add_argument("folder", metavar="DIR", help="a report folder, e.g. outputs/2011-12/Q4")
    sign.add_argument("--key", metavar="KEY", required=True, help="the private key file (its .pub beside it)")
    reproduce = sub.add_parser("reproduce", help="render a report again from its manifest and compare the files")
    reproduce.add_argument("folder", metavar="DIR", help="a report folder, e.g. outputs/2011-12/Q4")
    reproduce.add_argument(
        "--inputs",
        metavar="DIR",
        help="folder holding inputs that were outside the project (the manifest names them only)",
    )
    for p in (clean, layout, run, batch, compare, profiles, plan, verify, sign, reproduce):
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on error")
    return parser


def add_parameters(parser, kind, every_period: bool = False, required: tuple[str, ...] = ()) -> None:
    """The flags of ``kind``'s parameters (only those a batch takes for every period, with ``every_period``)."""
    for p in kind.parameters:
        if every_period and not p.every_period:
            continue
        if p.positional:
            parser.add_argument(p.flag, metavar=p.metavar, help=p.help)
        else:
            parser.add_argument(p.flag, metavar=p.metavar, help=p.help, required=p.name in required)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except PipelineError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was left half-written", file=sys.stderr)
        return 130


# command-line flag -> the notebook parameter it sets
FLAGS = {p.dest: p.name for p in PERIOD.parameters}


def _with_parameters_file(args: argparse.Namespace) -> None:
    """Fill the flags not given on the command line from the parameters file (``-f``), in place."""
    from pipeline.run.coordinator import read_parameters

    if not getattr(args, "parameters", None):
        return
    # a batch takes each period's year, quarter and export from the export's file name
    allowed = tuple(p.name for p in PERIOD.parameters if p.every_period or args.command != "batch")
    given = read_parameters(args.parameters, allowed)
    for flag, name in FLAGS.items():
        if name in given and getattr(args, flag, None) in (None, ""):
            setattr(args, flag, given[name])


def _dispatch(args: argparse.Namespace) -> int:
    from pipeline.paths import display_path
    from pipeline.run import coordinator as api

    _with_parameters_file(args)

    if args.command == "layout":
        return _layout(args)
    if args.command == "clean":
        data = api.clean_file(args.input, args.out, register_path=args.register, layout_path=args.layout)
        if hasattr(data, "milestones"):
            dated = int((data.milestones["due_date"] != "").sum())
            print(
                f"cleaned the Service Improvement Plan '{data.plan}': {len(data.milestones)} milestones "
                f"({dated} dated), {len(data.budget)} budget amounts, {len(data.findings)} data-quality findings "
                f"-> {display_path(args.out)}"
            )
            return 0
        if (data.findings["check"] == "layout_not_reviewed").any():
            print(
                "warning: the layout was proposed by `python -m pipeline layout` and has not been reviewed; "
                "check it and set reviewed = true",
                file=sys.stderr,
            )
        coded = int(data.indicators["status_code"].notna().sum())
        print(
            f"cleaned {data.source}: {len(data.indicators)} indicators ({coded} with status 1-4), "
            f"{len(data.findings)} data-quality findings -> {display_path(args.out)}"
        )
        return 0
    if args.command == "batch":
        return _batch(args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "profiles":
        return _profiles(args)
    if args.command in ("verify", "reproduce"):
        return _audit(args)
    if args.command == "sign":
        from pipeline.audit.signing import sign

        written = sign(args.folder, args.key)
        print(f"signed {printable(display_path(written.parent / 'manifest.json'))}: {printable(display_path(written))}")
        return 0

    def log(message):
        print(message, file=sys.stderr)

    if args.command == "plan":
        result = api.run_plan(
            args.input,
            args.year,
            args.quarter,
            out_root=args.out,
            force=args.force,
            log=log,
            council=args.council or "",
        )
    else:
        result = api.run_period(
            year=args.year,
            quarter=args.quarter,
            input_path=args.input,
            out_root=args.out,
            force=args.force,
            register_path=args.register,
            log=log,
            layout_path=args.layout,
            council=args.council or "",
            front=front_page(args),
            bench=benchmark_of(args),
        )
    verb = "wrote" if result.rendered else "up to date, left as it was:"
    print(f"{result.period}: {verb} {display_path(result.out_dir)}/ ({', '.join(result.files)})")
    print(f"manifest.json SHA-256 {result.manifest_sha256}")
    return 0


def _profiles(args: argparse.Namespace) -> int:
    """Render every profile, showing each one's state; a summary; exit 1 if any failed."""
    from pipeline.paths import display_path
    from pipeline.run.profiles import run_profiles

    only = [c.strip() for c in args.only.split(",") if c.strip()] if args.only else None
    progress = BatchProgress(sys.stderr)  # the same display as batch: a line an organisation
    try:
        result = run_profiles(
            args.dataset,
            args.year,
            args.quarter,
            args.layout,
            args.peers,
            only,
            args.out,
            args.jobs,
            args.scheduler,
            args.force,
            on_event=progress.event,
            on_start=progress.start,
        )
    finally:
        progress.close()
    print(f"rendered {len(result.rendered)}, taken from the cache {len(result.cached)}, failed {len(result.failed)}")
    for code, reason in result.failed:
        print(f"  {code}: {printable(reason)}")
    print(f"index: {display_path(result.root / 'index.html')}")
    return 1 if result.failed else 0


def _compare(args: argparse.Namespace) -> int:
    """Print the position table of ``compare``: one line a measure."""
    from pipeline.report.compare import standing
    from pipeline.run.prepare import compare_dataset

    table = compare_dataset(args.dataset, args.organisation, args.year, args.quarter, args.peers, args.layout)
    shown = [
        (
            r.measure_code,
            r.period,
            "" if r.value != r.value else f"{r.value:g}",
            standing(r.peers_rank, r.peers_n, r.peers_quartile) or "-",
            standing(r.all_rank, r.all_n, r.all_quartile) or "-",
            "" if r.all_median != r.all_median else f"{r.all_median:g}",
            r.note,
        )
        for r in table.itertuples(index=False)
    ]
    header = ("measure", "period", "value", "among its peers", "among all", "median of all", "note")
    widths = [max(len(str(row[i])) for row in [header, *shown]) for i in range(len(header))]
    for row in [header, *shown]:
        print(printable("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()))
    return 0


def _layout(args: argparse.Namespace) -> int:
    """Propose a layout for an export: print it, or write it to a new file."""
    from pathlib import Path

    from pipeline.errors import UsageError
    from pipeline.run.prepare import propose_layout

    text = propose_layout(args.input)
    if not args.out:
        sys.stdout.write(text)
        return 0
    from pipeline.errors import OutputError

    target = Path(args.out)
    if target.exists():
        raise UsageError(f"{args.out} exists; the proposal is never written over a layout (choose another --out)")
    if not target.parent.is_dir():
        raise OutputError("its folder does not exist; create it or choose another --out", args.out)
    try:
        with target.open("x", encoding="utf-8") as out:  # never over a file made meanwhile
            out.write(text)
    except OSError as exc:
        target.unlink(missing_ok=True) if target.exists() and target.stat().st_size == 0 else None
        raise OutputError(f"cannot be written ({exc.strerror or exc})", args.out) from None
    print(
        f"wrote a proposed layout to {args.out}: edit it, set reviewed = true, then "
        f"python -m pipeline clean {args.input} --layout {args.out} --out DIR",
        file=sys.stderr,
    )
    return 0


class BatchProgress:
    """What ``batch`` shows while it works. On a terminal: one line per period with its state (queued,
    running with the seconds it has run, rendered, cached, failed with the reason), redrawn at least every
    second. Piped, or on a terminal too narrow to draw in: one plain line per event, written at once."""

    def __init__(self, stream, columns: int | None = None, rows: int | None = None, clock=None):
        import shutil
        import threading
        import time

        size = shutil.get_terminal_size(fallback=(0, 0))
        self.stream = stream
        self.columns = size.columns if columns is None else columns
        self.rows = size.lines if rows is None else rows
        self.live = stream.isatty() and self.columns >= 20 and self.rows >= 4
        self.clock = clock or time.monotonic
        self.periods: dict = {}
        self.drawn = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True) if self.live else None

    def start(self, total: int) -> None:
        if self._thread is not None:
            self._thread.start()

    def event(self, period, state: str, reason: str) -> None:
        with self._lock:
            self.periods[period] = (state, self.clock(), reason)
            if self.live:
                self.draw()
            else:
                print(f"{period}: {state}" + (f": {reason}" if reason else ""), file=self.stream, flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join()
        if self.live:
            with self._lock:
                self.draw()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            with self._lock:
                self.draw()

    def lines(self) -> list[str]:
        now = self.clock()
        counts = {}
        shown = []
        for period in sorted(self.periods, key=str):
            state, since, reason = self.periods[period]
            counts[state] = counts.get(state, 0) + 1
            text = f"{period}  {state}"
            if state == "running":
                text += f" {now - since:.0f} s"
            elif reason:
                text += f": {reason}"
            shown.append((state, text))
        summary = "batch: " + ", ".join(f"{n} {state}" for state, n in counts.items())
        room = self.rows - 2
        if len(shown) > room:  # too many to show: the summary, then what is running or failed
            shown = [row for row in shown if row[0] in ("running", "failed")][:room]
        return [line[: self.columns - 1] for line in [summary] + [text for _, text in shown]]

    def draw(self) -> None:
        lines = self.lines()
        up = f"\x1b[{self.drawn}F" if self.drawn else ""
        body = "".join(f"\x1b[2K{line}\n" for line in lines)
        clear = "\x1b[J"  # anything left below from a longer drawing
        self.stream.write(up + body + clear)
        self.stream.flush()
        self.drawn = len(lines)


def _batch(args: argparse.Namespace) -> int:
    """Render all periods, showing each one's state (``BatchProgress``); a summary; exit 1 if any failed."""
    from pipeline.run.batch import run_batch

    progress = BatchProgress(sys.stderr)
    try:
        result = run_batch(
            args.raw,
            args.out,
            args.jobs,
            args.force,
            args.register,
            on_event=progress.event,
            on_start=progress.start,
            layout_path=args.layout,
            council=args.council or "",
            front=front_page(args),
            bench=benchmark_of(args),
        )
    finally:
        progress.close()
    print(f"rendered {len(result.rendered)}: {', '.join(map(str, result.rendered)) or '-'}")
    print(f"taken from the cache {len(result.cached)}: {', '.join(map(str, result.cached)) or '-'}")
    print(f"failed {len(result.failed)}" + "".join(f"\n  {period}: {reason}" for period, reason in result.failed))
    return 0 if result.ok else 1


def _audit(args: argparse.Namespace) -> int:
    """verify / reproduce: one line per file, exit 0 when all match, 1 when any differs or is missing."""
    from pipeline.audit import reproduce as audit

    check = (
        audit.verify(args.folder) if args.command == "verify" else audit.reproduce(args.folder, inputs_dir=args.inputs)
    )
    # names and notes come from a manifest, which anyone may have edited: printed escaped (``printable``), so
    # that no escape sequence in them can draw a line of its own on the auditor's terminal
    signed = None
    if args.command == "verify" and args.allowed_signers:
        from pipeline.audit.signing import check_signature

        signed = check_signature(args.folder, args.allowed_signers)
    for note in check.notes:
        print(f"warning: {printable(note)}", file=sys.stderr)
    for name, state in check.files:
        print(f"{state:>18}  {printable(name)}")
    bad = [printable(name) for name, state in check.files if state not in ("ok", "matches")]
    word = "verified" if args.command == "verify" else "reproduced"
    folder = printable(args.folder)
    if bad:
        print(f"{folder}: {len(bad)} of {len(check.files)} files not {word}: {', '.join(bad)}")
        if args.command == "reproduce":
            for reason in check.reasons or [
                "none of code digest, git commit, uncommitted changes, Python, packages, inputs or parameters "
                "differs from the manifest: the difference comes from the machine "
                "(fonts, system libraries)"
            ]:
                print(f"  differs: {printable(reason)}")
        return 1
    if signed is not None and not signed[0]:
        print(f"{folder}: all {len(check.files)} files {word}, but {printable(signed[1])}")
        return 1
    by = f"; the manifest is signed by {printable(signed[1])}" if signed else ""
    print(f"{folder}: all {len(check.files)} files {word}{by}")
    return 0
