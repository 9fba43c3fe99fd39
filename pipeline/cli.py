"""The command line: parse arguments, make the request, call one public function, turn PipelineError into exit 2.

    python -m pipeline clean INPUT --out DIR [--register FILE] [--layout FILE]
    python -m pipeline layout INPUT [--out FILE]
    python -m pipeline run [the period report's parameters] [-f PARAMETERS.yaml] [--force]
    python -m pipeline batch [--raw DIR] [the parameters a batch takes] [--jobs N] [--force] [-f PARAMETERS.yaml]
    python -m pipeline compare DATASET --year YYYY/YY [--quarter Qn] [--peers FILE] [--layout FILE]
                               (--organisation CODE | --all --out FILE.csv)
    python -m pipeline profiles DATASET --year YYYY/YY [the profile's parameters] [--jobs N] [--scheduler ADDRESS]
    python -m pipeline plan PLAN --year 2008/09 --quarter Q1 [--council NAME] [--out DIR] [--force]
    python -m pipeline spc FILE --series COL --value COL [--period COL]
                               [--improvement higher|lower|neither | --improvement-column COL] [--target-column COL]
                               [--minimum N] [--shift N] [--trend N] [--out FILE]
    python -m pipeline verify DIR [--allowed-signers FILE]
    python -m pipeline sign DIR --key KEY
    python -m pipeline reproduce DIR [--inputs DIR]

The flags of ``run``, ``batch``, ``plan``, ``profiles`` and ``compare`` are the parameters of their kind of report,
defined once in ``pipeline.request``. Errors print one line, ``error: FILE[:LINE]: message``, and exit 2;
``--debug`` shows the traceback as well. ``batch`` and ``profiles`` exit 1 when some reports failed (the others
are made).
"""

from __future__ import annotations

import argparse
import sys
import traceback

from pipeline.errors import PipelineError, printable
from pipeline.request import MILESTONES, PERIOD, PROFILE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline", description="Performance reports for a committee, reproducibly."
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, flags) in _COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        flags(command)
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback")
    return parser


def add_parameters(parser, kind, every_period: bool = False, required=(), group=None) -> None:
    """The flags of ``kind``'s parameters (``request``): those a batch takes for every period with
    ``every_period``; only those of ``group`` when given."""
    for p in kind.parameters:
        if (every_period and not p.every_period) or (group is not None and p.group != group):
            continue
        if p.positional:
            parser.add_argument(p.flag, metavar=p.metavar, help=p.help)
        else:
            parser.add_argument(p.flag, metavar=p.metavar, help=p.help, required=p.name in required)


def _parameters_file(parser, kind, every_period: bool = False) -> None:
    names = ", ".join(p.name for p in kind.parameters if p.every_period or not every_period)
    parser.add_argument(
        "-f",
        "--parameters",
        metavar="FILE",
        help=f"a YAML file of the report's parameters, as papermill's -f ({names}); what the command line gives wins",
    )


def _force(parser, what: str = "render even when the outputs are up to date") -> None:
    parser.add_argument("--force", action="store_true", help=what)


def _clean_flags(p) -> None:
    p.add_argument("input", metavar="INPUT", help="the export: .tsv, .txt, .csv or .xlsx")
    p.add_argument("--out", metavar="DIR", required=True, help="folder to write the cleaned tables to")
    add_parameters(p, PERIOD, group="reading")


def _layout_flags(p) -> None:
    p.add_argument("input", metavar="INPUT", help="the export: .tsv, .txt, .csv or .xlsx")
    p.add_argument(
        "--out", metavar="FILE", help="write the proposal here (never over an existing file); default: print"
    )


def _run_flags(p) -> None:
    add_parameters(p, PERIOD)
    _parameters_file(p, PERIOD)
    _force(p)


def _batch_flags(p) -> None:
    p.add_argument("--raw", metavar="DIR", help="folder of exports (default: data/raw/)")
    add_parameters(p, PERIOD, every_period=True)
    p.add_argument("--jobs", metavar="N", type=int, help="worker processes (default: the number of cores)")
    _parameters_file(p, PERIOD, every_period=True)
    _force(p, "render every period even when up to date")


def _compare_flags(p) -> None:
    add_parameters(p, PROFILE, group="dataset", required=("year",))
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--organisation", metavar="CODE", help="the organisation's code in the dataset: print its table")
    who.add_argument(
        "--all",
        action="store_true",
        help="every organisation × measure × period up to the year, written to --out as CSV",
    )
    p.add_argument("--out", metavar="FILE", help="with --all: the CSV to write (never over an existing file)")


def _spc_flags(p) -> None:
    p.add_argument("input", metavar="FILE", help="a long table: CSV, TSV or .xlsx, one row per point")
    p.add_argument("--series", metavar="COL", required=True, help="the column naming each point's series")
    p.add_argument("--value", metavar="COL", required=True, help="the column holding each point's value")
    p.add_argument("--period", metavar="COL", help="the column naming each point's period (default: its row)")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--improvement", choices=("higher", "lower", "neither"), help="every series' better direction")
    way.add_argument("--improvement-column", metavar="COL", help="a column saying higher, lower or neither per row")
    p.add_argument("--target-column", metavar="COL", help="a column holding each point's target")
    p.add_argument("--minimum", metavar="N", type=int, default=13, help="points before a chart has limits (13)")
    p.add_argument("--shift", metavar="N", type=int, default=6, help="points in a shift (6)")
    p.add_argument("--trend", metavar="N", type=int, default=6, help="points in a trend (6)")
    p.add_argument("--out", metavar="FILE", help="write the charts as CSV here (never over a file); default: print")


def _profiles_flags(p) -> None:
    add_parameters(p, PROFILE, required=("year",))
    p.add_argument("--jobs", metavar="N", type=int, help="local worker processes (default: the number of cores)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler (tcp://host:8786 or tls://host:8786) to build on, else DASK_SCHEDULER_ADDRESS, "
        "else local processes",
    )
    _force(p, "render every profile even when up to date")


def _plan_flags(p) -> None:
    add_parameters(p, MILESTONES, required=("year", "quarter"))
    _force(p)


def _folder_flags(p) -> None:
    p.add_argument("folder", metavar="DIR", help="a report folder, e.g. outputs/2011-12/Q4")


def _verify_flags(p) -> None:
    _folder_flags(p)
    p.add_argument(
        "--allowed-signers",
        metavar="FILE",
        help="also check that the manifest is signed (manifest.json.sig) by a key of this OpenSSH allowed-signers file",
    )


def _sign_flags(p) -> None:
    _folder_flags(p)
    p.add_argument("--key", metavar="KEY", required=True, help="the private key file (its .pub beside it)")


def _reproduce_flags(p) -> None:
    _folder_flags(p)
    p.add_argument(
        "--inputs", metavar="DIR", help="folder holding inputs that were outside the project (the manifest names them)"
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _HANDLERS[args.command](args)
    except PipelineError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was left half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output went away (| head): stop quietly, as other tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _handler(name: str):
    def call(args):
        import importlib

        return getattr(importlib.import_module("pipeline.commands"), name)(args)

    return call


_COMMANDS = {
    "clean": ("clean one export into indicators.csv and data_quality.csv", _clean_flags),
    "layout": ("look at an export and write a proposed layout file to edit", _layout_flags),
    "run": ("render one period's report (HTML, PDF, Word, executed notebook, figures)", _run_flags),
    "batch": ("render every period found in a folder of exports, in parallel", _batch_flags),
    "compare": ("an organisation's (or every organisation's) position on every measure of a dataset", _compare_flags),
    "profiles": ("render a profile report for every organisation of a comparison dataset", _profiles_flags),
    "plan": ("render a Service Improvement Plan's milestone report for one period", _plan_flags),
    "spc": ("statistical process control (Making Data Count XmR charts) of every series of a long table", _spc_flags),
    "verify": ("check a report folder's files against its manifest.json", _verify_flags),
    "sign": ("sign a report folder's manifest.json with an OpenSSH key (ssh-keygen -Y sign)", _sign_flags),
    "reproduce": ("render a report again from its manifest and compare the files", _reproduce_flags),
}
_HANDLERS = {name: _handler(name) for name in _COMMANDS}
