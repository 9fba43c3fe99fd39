"""What each command does with its parsed arguments: make its request, call one public function, print the result.

The parser is ``cli``; these are its handlers, one a command, each a thin caller of the public API
(``pipeline.__init__``). Names and notes that come from inputs or manifests are printed escaped (``printable``),
so no escape sequence in them can draw a line of its own on the terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import OutputError, UsageError, printable
from pipeline.request import MILESTONES, PERIOD, PROFILE, read_parameters


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def _period_request(args: argparse.Namespace, every_period: bool = False):
    """The period request of ``run`` or ``batch``: the flags given, then the parameters file (``-f``) for the rest."""
    given = PERIOD.from_flags(args).values()
    if getattr(args, "parameters", None):
        allowed = tuple(p.name for p in PERIOD.parameters if p.every_period or not every_period)
        from_file = read_parameters(args.parameters, allowed)
        flagged = {p.name for p in PERIOD.parameters if getattr(args, p.dest, None)}
        given |= {name: value for name, value in from_file.items() if name not in flagged}
    return PERIOD.make(**given)


def clean(args) -> int:
    from pipeline import clean_file
    from pipeline.paths import display_path

    data = clean_file(PERIOD.from_flags(args).replace(input_path=args.input), args.out)
    if hasattr(data, "milestones"):
        dated = int((data.milestones["due_date"] != "").sum())
        print(
            f"cleaned the Service Improvement Plan '{data.plan}': {len(data.milestones)} milestones "
            f"({dated} dated), {len(data.budget)} budget amounts, {len(data.findings)} data-quality findings "
            f"-> {display_path(args.out)}"
        )
        return 0
    if (data.findings["check"] == "layout_not_reviewed").any():
        _log(
            "warning: the layout was proposed by `python -m pipeline layout` and has not been reviewed; "
            "check it and set reviewed = true"
        )
    coded = int(data.indicators["status_code"].notna().sum())
    print(
        f"cleaned {data.source}: {len(data.indicators)} indicators ({coded} with a status), "
        f"{len(data.findings)} data-quality findings -> {display_path(args.out)}"
    )
    return 0


def layout(args) -> int:
    """Propose a layout for an export: print it, or write it to a new file."""
    from pipeline import propose_layout

    text = propose_layout(args.input)
    if not args.out:
        sys.stdout.write(text)
        return 0
    target = Path(args.out)
    if target.exists():
        raise UsageError(f"{args.out} exists; the proposal is never written over a layout (choose another --out)")
    if not target.parent.is_dir():
        raise OutputError("its folder does not exist; create it or choose another --out", args.out)
    try:
        with target.open("x", encoding="utf-8") as out:  # never over a file made meanwhile
            out.write(text)
    except OSError as exc:
        raise OutputError(f"cannot be written ({exc.strerror or exc})", args.out) from None
    _log(
        f"wrote a proposed layout to {args.out}: edit it, set reviewed = true, then "
        f"python -m pipeline clean {args.input} --layout {args.out} --out DIR"
    )
    return 0


def run(args) -> int:
    from pipeline import run_period

    return _made(run_period(_period_request(args), force=args.force, log=_log))


def plan(args) -> int:
    from pipeline import run_plan

    return _made(run_plan(MILESTONES.from_flags(args), force=args.force, log=_log))


def _made(result) -> int:
    from pipeline.paths import display_path

    verb = "wrote" if result.rendered else "up to date, left as it was:"
    print(f"{result.period}: {verb} {display_path(result.out_dir)}/ ({', '.join(result.files)})")
    print(f"manifest.json SHA-256 {result.manifest_sha256}")
    return 0


def batch(args) -> int:
    """Render all periods, showing each one's state; a summary; exit 1 if any failed."""
    from pipeline import run_batch

    with Progress("batch") as progress:
        outcome = run_batch(
            _period_request(args, every_period=True), args.raw, args.jobs, args.force, progress.event, progress.start
        )
    print(f"rendered {len(outcome.rendered)}: {', '.join(map(str, outcome.rendered)) or '-'}")
    print(f"taken from the cache {len(outcome.cached)}: {', '.join(map(str, outcome.cached)) or '-'}")
    print(f"failed {len(outcome.failed)}" + "".join(f"\n  {label}: {reason}" for label, reason in outcome.failed))
    return 0 if outcome.ok else 1


def profiles(args) -> int:
    """Render every profile, showing each one's state; a summary; exit 1 if any failed."""
    from pipeline import run_profiles
    from pipeline.paths import display_path
    from pipeline.run.jobs import output_root

    template = PROFILE.from_flags(args)
    only = [c.strip() for c in template.organisation.split(",") if c.strip()] or None
    if template.organisation and not only:
        raise UsageError(f"--only {template.organisation!r} names no organisation: give codes separated by commas")
    with Progress("profiles") as progress:
        outcome = run_profiles(
            template.replace(organisation=""),
            only,
            args.jobs,
            args.scheduler,
            args.force,
            progress.event,
            progress.start,
        )
    print(f"rendered {len(outcome.rendered)}, taken from the cache {len(outcome.cached)}, failed {len(outcome.failed)}")
    for code, reason in outcome.failed:
        print(f"  {printable(code)}: {printable(reason)}")
    print(f"index: {display_path(output_root(template.out) / 'index.html')}")
    return 1 if outcome.failed else 0


def compare(args) -> int:
    """``compare``: one organisation's positions printed, one line a measure; or with ``--all`` every
    organisation's written to ``--out``. The data's findings are printed as notes on standard error."""
    from pipeline import compare_dataset
    from pipeline.paths import display_path
    from pipeline.report.compare import standing

    if args.all and not args.out:
        raise UsageError("compare --all writes a CSV: give --out FILE.csv")
    if args.out and not args.all:
        raise UsageError("--out is for compare --all; without it the table is printed")
    table, findings = compare_dataset(PROFILE.from_flags(args), None if args.all else args.organisation)
    for _, _, _, finding, action in findings:
        print(printable(f"note: {finding} ({action})"), file=sys.stderr)
    if args.all:
        written = write_new_file(args.out, table)
        print(f"{len(table):,} rows ({table['organisation'].nunique():,} organisations): {display_path(written)}")
        return 0
    shown = [
        (
            r.measure_code,
            r.period,
            "" if r.value != r.value else f"{r.value:g}",
            standing(r.peers_rank, r.peers_n, r.peers_quartile) or "-",
            r.peers_words or "-",
            standing(r.all_rank, r.all_n, r.all_quartile) or "-",
            "" if r.all_median != r.all_median else f"{r.all_median:g}",
            r.all_words or "-",
            r.note,
        )
        for r in table.itertuples(index=False)
    ]
    header = ("measure", "period", "value", "among its peers", "against their median", "among all", "median of all",
              "against it", "note")  # fmt: skip
    print_table(header, shown)
    return 0


def spc(args) -> int:
    """``spc``: the charts of every series of a long table, printed, or written to ``--out``."""
    from pipeline.figures.spc import Settings
    from pipeline.paths import display_path
    from pipeline.run.series import spc_file

    for name, value, low, high in (("--minimum", args.minimum, 2, 100), ("--shift", args.shift, 4, 12),
                                   ("--trend", args.trend, 4, 12)):  # fmt: skip
        if not low <= value <= high:
            raise UsageError(f"{name} must be from {low} to {high}")
    table = spc_file(args.input, args.series, args.value, args.period or "", args.improvement or "",
                     args.improvement_column or "", args.target_column or "",
                     Settings(args.minimum, args.shift, args.trend))  # fmt: skip
    if args.out:
        written = write_new_file(args.out, table, "spc")
        print(f"{len(table):,} points of {table['series'].nunique():,} series: {display_path(written)}")
        return 0
    shown = [
        tuple("" if v != v else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row)
        for row in table.itertuples(index=False)
    ]
    print_table(tuple(table.columns), shown)
    return 0


def write_new_file(path: str, table, command: str = "compare --all") -> Path:
    """``table`` as CSV at ``path`` (formula-like cells neutralised), never over an existing file and never left
    half-written. Raises UsageError when the file exists or its folder does not."""
    import os

    from pipeline.run import publish

    target = Path(path)
    if not target.parent.is_dir():
        raise UsageError(f"{path}: its folder {target.parent} does not exist")
    data = publish.csv_bytes(table)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists; compare --all writes a new file (remove it or name another)"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def print_table(header: tuple, rows: list) -> None:
    """Rows as aligned columns on standard output, every cell printed escaped."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(printable("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()))


def sign(args) -> int:
    from pipeline import sign as sign_folder
    from pipeline.paths import display_path

    written = sign_folder(args.folder, args.key)
    print(f"signed {printable(display_path(written.parent / 'manifest.json'))}: {printable(display_path(written))}")
    return 0


def verify(args) -> int:
    from pipeline import check_signature
    from pipeline import verify as verify_folder

    check = verify_folder(args.folder)
    signed = check_signature(args.folder, args.allowed_signers) if args.allowed_signers else None
    return _checked(args, check, "verified", signed)


def reproduce(args) -> int:
    from pipeline import reproduce as reproduce_folder

    return _checked(args, reproduce_folder(args.folder, inputs_dir=args.inputs), "reproduced", None)


def _checked(args, check, word: str, signed) -> int:
    """One line per file, exit 0 when all match, 1 when any differs or is missing (or the signature fails)."""
    for note in check.notes:
        print(f"warning: {printable(note)}", file=sys.stderr)
    for name, state in check.files:
        print(f"{state:>18}  {printable(name)}")
    for line, sentence, why in check.statements:
        print(f"  does not hold  statements.csv:{line}: {printable(why)}: {printable(sentence[:120])}")
    bad = [printable(name) for name, state in check.files if state not in ("ok", "matches")]
    folder = printable(args.folder)
    if check.statements:
        print(f"{folder}: {len(check.statements)} of {check.checked} statements do not hold for the folder's tables")
        return 1
    if check.charts:
        print(f"{folder}: spc.csv does not follow from history.csv ({printable(check.charts)})")
        return 1
    if bad:
        print(f"{folder}: {len(bad)} of {len(check.files)} files not {word}: {', '.join(bad)}")
        if word == "reproduced":
            for reason in check.reasons or [
                "none of code digest, git commit, uncommitted changes, Python, packages, inputs or parameters "
                "differs from the manifest: the difference comes from the machine (fonts, system libraries)"
            ]:
                print(f"  differs: {printable(reason)}")
        return 1
    if signed is not None and not signed[0]:
        print(f"{folder}: all {len(check.files)} files {word}, but {printable(signed[1])}")
        return 1
    by = f"; the manifest is signed by {printable(signed[1])}" if signed else ""
    tables = " and ".join(check.tables) or "the folder's tables"
    held = f"; all {check.checked} statements hold for {tables}" if check.checked else ""
    held += "; spc.csv follows from history.csv" if check.charts == "" else ""
    print(f"{folder}: all {len(check.files)} files {word}{by}{held}")
    return 0


class Progress:
    """What ``batch`` and ``profiles`` show while they work. On a terminal: a tqdm progress bar (how many of how many
    reports are done, the time taken and left) followed by those running with the seconds each has run, redrawn at
    least every half second, and a line above the bar for each report that failed and each note about the run (such
    as kernels starting cold). Piped, or on a terminal too narrow to draw in: one plain line per event, written at
    once."""

    def __init__(self, what: str, stream=None, columns: int | None = None, clock=None):
        import shutil
        import threading
        import time

        self.what, self.stream = what, stream or sys.stderr
        width = shutil.get_terminal_size(fallback=(0, 0)).columns if columns is None else columns
        self.live = self.stream.isatty() and width >= 20
        self.columns, self.clock = width, clock or time.monotonic
        self.bar = None
        self.running: dict = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True) if self.live else None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._ticker is not None and self._ticker.is_alive():
            self._ticker.join()
        if self.bar is not None:
            self.bar.close()

    def start(self, total: int) -> None:
        if not self.live:
            return
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=self.what, unit="report", file=self.stream, ncols=self.columns, leave=True)
        self._ticker.start()

    def event(self, label, state: str, reason: str) -> None:
        if state == "note":  # about the run, not one report (kernels that start cold): a line of its own
            text = printable(f"note: {reason}")
        else:
            text = printable(f"{label}: {state}" + (f": {reason}" if reason else ""))
        if not self.live or self.bar is None:
            print(text, file=self.stream, flush=True)
            return
        with self._lock:
            if state == "running":
                self.running[str(label)] = self.clock()
            elif state in ("rendered", "cached", "failed"):
                self.running.pop(str(label), None)
                self.bar.update(1)
                if state == "failed":
                    self.bar.write(text, file=self.stream)
            elif state == "note":
                self.bar.write(text, file=self.stream)
            self._draw()

    def running_now(self) -> str:
        """Those running, with the seconds each has run: ``running 2012/13 Q1 30 s, 2012/13 Q3 18 s``."""
        now = self.clock()
        shown = [f"{label} {now - since:.0f} s" for label, since in list(self.running.items())[:4]]
        more = len(self.running) - len(shown)
        return ("running " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")) if shown else ""

    def _draw(self) -> None:
        self.bar.set_postfix_str(printable(self.running_now()), refresh=True)

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            with self._lock:
                self._draw()
