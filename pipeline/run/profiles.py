"""Profiles: one report for every organisation in a benchmark dataset, built by any executor.

The coordinator reads the dataset, its layout and the peers file once (one snapshot), ranks every organisation on
every measure once, and makes one picklable ``ProfileRequest`` for each organisation: its positions, the bytes of
the inputs, its parameters and cache key. ``build_profile`` is pure with respect to the output tree: it renders the
profile's notebook in a kernel of its own and returns the folder's files (manifest included); only the
coordinator writes, each folder under its lock, whole (``publish``), and an unchanged profile is taken as it is.
Where builds run is an executor's business (``executors``: local processes, or a Dask cluster).
"""

from __future__ import annotations

import html
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.errors import InputError, PipelineError, UsageError
from pipeline.paths import OUTPUTS_DIR, PROFILE_NOTEBOOK, display_path, published_path
from pipeline.period import Period
from pipeline.request import PROFILE
from pipeline.run import manifest, publish
from pipeline.run.snapshot import benchmark_files, bytes_of, input_entry, read_snapshot


@dataclass(frozen=True)
class ProfileData:
    """What a profile notebook shows: the organisation's positions (``benchmark.COLUMNS``, ref = measure code),
    the context (dataset, peers, chart's spread), the period and the inputs as the manifest lists them."""

    period: Period
    positions: object
    context: dict
    inputs: tuple


@dataclass(frozen=True)
class ProfileRequest:
    """One profile's build: picklable, and all a worker needs (no file is read where it runs)."""

    organisation: str
    folder: str  # the folder under the output root: <code>/<yyyy-yy>/<Qn>
    parameters: dict
    data: ProfileData
    key: str
    archive: bytes  # inputs.zip
    title: str


def plan_profiles(
    dataset_path: str | Path,
    year: str,
    quarter: str = "Q4",
    layout_path: str | Path | None = None,
    peers_path: str | Path | None = None,
    only: list[str] | None = None,
    out: str = "outputs",
) -> tuple[list[ProfileRequest], object]:
    """Every organisation's request (those in ``only`` when given), and the position table of all of them (the
    latest period of each measure). The dataset is read, checked and ranked once, here. Raises InputError naming
    the file that cannot be used, UsageError for a code in ``only`` the dataset does not hold."""
    import pandas as pd

    from pipeline.figures import compare as benchmark
    from pipeline.run.prepare import read_benchmark

    period = Period.parse(year, quarter)
    bench = {"benchmark_path": str(dataset_path), "benchmark_layout_path": str(layout_path or "")}
    bench |= {"organisation": "", "peers_path": str(peers_path or "")}
    files = benchmark_files(bench)
    paths = list(files.values())
    snapshot = read_snapshot(paths)
    inputs = tuple(input_entry(p, snapshot[p.resolve()]) for p in paths)
    rules, dataset, name = read_benchmark(files, snapshot)
    codes = list(dict.fromkeys(dataset["organisation"]))
    if only:
        unknown = [c for c in only if c not in set(codes)]
        if unknown:
            raise UsageError(f"{name} has no organisation {', '.join(map(repr, unknown))} (--only)")
        codes = [c for c in codes if c in set(only)]
    measures = {code: code for code in dict.fromkeys(dataset["measure"])}
    upto = (period.start_year, period.quarter)
    archive = publish.inputs_archive([(e["path"], snapshot[p.resolve()]) for p, e in zip(paths, inputs)])
    digest = manifest.code_digest()
    requests, tables = [], []
    for code in codes:
        peers = None
        if "peers" in files:
            try:
                peers = benchmark.read_peers(bytes_of(snapshot, files["peers"]), display_path(files["peers"]), code)
            except InputError:
                peers = None  # no comparator group for this organisation: it is set against all only
        positions = benchmark.positions(dataset, code, peers, measures, upto)
        latest = benchmark.latest(positions)
        context = benchmark.context(
            rules.name or files["dataset"].name, files, dataset, code, peers, measures, upto, latest
        )
        who = context["organisation_name"]
        parameters = PROFILE.complete(
            {
                "dataset_path": published_path(files["dataset"]),
                "layout_path": published_path(files["layout"]),
                "organisation": code,
                "peers_path": published_path(files["peers"]) if "peers" in files else "",
                "year": period.year_label,
                "quarter": period.quarter_label,
                "out": out,
            }
        )
        key = manifest.cache_key(list(inputs), parameters, digest)
        title = f"{who}: how it compares, {period.title}"
        data = ProfileData(period, positions, context, inputs)
        folder = f"{_safe(code)}/{period.year_slug}/{period.quarter_label}"
        requests.append(ProfileRequest(code, folder, parameters, data, key, archive, title))
        tables.append(latest.assign(organisation=code, organisation_name=who))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return requests, table


def _safe(code: str) -> str:
    """An organisation's code as a folder name: letters, digits, '-', '_' and '.' kept, anything else '_'."""
    import re

    safe = re.sub(r"[^A-Za-z0-9._-]", "_", code).strip(".") or "_"
    return safe[:80]


def build_profile(request: ProfileRequest) -> dict[str, bytes]:
    """A profile's folder as files (report.html, report.pdf, report.docx, report.ipynb, benchmark.csv, charts/,
    inputs.zip, manifest.json), rendered in a kernel of its own from the request alone. Writes nothing outside
    its private temporary folders. Raises RenderError when the notebook fails."""
    from pipeline.run.coordinator import render_handed
    from pipeline.run.handover import kernel_while_preparing

    files = {
        "benchmark.csv": publish.csv_bytes(request.data.positions),
        publish.INPUTS_ARCHIVE: request.archive,
    }
    with kernel_while_preparing() as started:
        render_handed(
            started,
            "profile",
            PROFILE_NOTEBOOK,
            request.parameters,
            request.data,
            request.title,
            list(request.data.inputs),
            request.key,
            files,
        )
    return files


def load_profile(
    dataset_path: str, layout_path: str, organisation: str, peers_path: str, year: str, quarter: str
) -> ProfileData:
    """What the profile notebook calls: the data its build was handed; run by hand, planned here for the one
    organisation."""
    from pipeline.run.handover import handed_over

    period = Period.parse(year, quarter)
    given = handed_over("profile", {"year": period.year_label, "quarter": period.quarter_label})
    if given is not None:
        return given
    requests, _ = plan_profiles(dataset_path, year, quarter, layout_path, peers_path, [organisation])
    return requests[0].data


@dataclass
class ProfilesResult:
    rendered: list
    cached: list
    failed: list  # (code, reason)
    root: Path


def run_profiles(
    dataset_path: str | Path,
    year: str,
    quarter: str = "Q4",
    layout_path: str | Path | None = None,
    peers_path: str | Path | None = None,
    only: list[str] | None = None,
    out_root: str | Path | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    on_event: Callable[[str, str, str], None] = lambda code, state, reason: None,
    on_start: Callable[[int], None] = lambda total: None,
    shown_out: str | None = None,
) -> ProfilesResult:
    """Render a profile for every organisation of the dataset (``only``: these codes) into
    ``<out_root>/<code>/<yyyy-yy>/<Qn>/``, then ``index.html`` and ``profiles.csv`` at ``out_root``. Builds run on
    local processes (``jobs``), or on the Dask cluster at ``scheduler`` (else ``DASK_SCHEDULER_ADDRESS``); one
    organisation's failure is reported and the others go on. A profile whose inputs, parameters and code are
    unchanged is taken as it is unless ``force``. ``shown_out``: the output root as the reports' commands name it,
    when not ``out_root`` itself (``reproduce`` renders elsewhere)."""
    import os

    from pipeline.run.coordinator import shown_root
    from pipeline.run.executors import executor_for

    root = Path(out_root) if out_root else OUTPUTS_DIR
    shown = shown_out if shown_out is not None else (shown_root(root) if out_root else "outputs")
    requests, table = plan_profiles(dataset_path, year, quarter, layout_path, peers_path, only, shown)
    result = ProfilesResult([], [], [], root)
    on_start(len(requests))
    work = []
    for request in requests:
        on_event(request.organisation, "queued", "")
        if not force and manifest.up_to_date(root / request.folder, request.key):
            result.cached.append(request.organisation)
            on_event(request.organisation, "cached", "")
        else:
            work.append(request)
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if work:
        with executor_for(address, jobs) as pool:
            pending = {pool.submit(build_profile, request): request for request in work}
            running: set = set()
            while pending:
                done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future, request in pending.items():
                    if request.organisation not in running and (future.running() or future in done):
                        running.add(request.organisation)
                        on_event(request.organisation, "running", "")
                for future in done:
                    request = pending.pop(future)
                    _publish_profile(request, future, root, result, on_event)
    published = {r.organisation for r in requests} - {code for code, _ in result.failed}
    _write_root_files(root, table, requests, published)
    return result


def _publish_profile(request: ProfileRequest, future, root: Path, result: ProfilesResult, on_event) -> None:
    """Publish one built profile (the coordinator alone writes), or record why it failed; the others go on."""
    try:
        files = future.result()
        folder = root / request.folder
        with publish.lock(folder, root):
            publish.clean_leftovers(folder)
            publish.write_folder(folder, files, replace=True)
    except PipelineError as exc:
        result.failed.append((request.organisation, str(exc)))
        on_event(request.organisation, "failed", str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - one organisation's failure must not stop the others
        reason = f"internal error: {type(exc).__name__}: {exc}"
        result.failed.append((request.organisation, reason))
        on_event(request.organisation, "failed", reason)
        return
    result.rendered.append(request.organisation)
    on_event(request.organisation, "rendered", "")


def _write_root_files(root: Path, table, requests: list[ProfileRequest], published: set) -> None:
    """``index.html`` and ``profiles.csv`` at the output root, each written whole (temporary file, then renamed)."""
    import os
    import tempfile

    root.mkdir(parents=True, exist_ok=True)
    for name, data in (
        ("index.html", index_html(table, requests, published)),
        ("profiles.csv", publish.csv_bytes(table)),
    ):
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, root / name)


def index_html(table, requests: list[ProfileRequest], published: set) -> bytes:
    """The list of every organisation's profile: its name and code, a link to its report, and its headline
    position (how many of its ranked measures are in the top and the bottom quartile of its peers, else of all)."""
    from pipeline.report.compare import quartile_counts

    rows = []
    for request in requests:
        counts = quartile_counts(request.data.positions, request.data.context)
        said = (
            f"{counts['top']} of {counts['ranked']} measures in the top quartile, {counts['bottom']} in the bottom "
            f"(against {counts['group']})"
            if counts
            else "no measure ranked"
        )
        link = (
            f'<a href="{html.escape(request.folder)}/report.html">{html.escape(request.data.context["organisation_name"])}</a>'
            if request.organisation in published
            else f"{html.escape(request.data.context['organisation_name'])} (not rendered)"
        )
        rows.append(
            f'<tr><th scope="row">{link}</th><td>{html.escape(request.organisation)}</td><td>{html.escape(said)}</td></tr>'
        )
    title = "Profiles: how each organisation compares"
    period = requests[0].data.period.title if requests else ""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:'DejaVu Sans',sans-serif;max-width:62rem;margin:0 auto;padding:1rem}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #8c8c8c;padding:.3em .45em;text-align:left}"
        "thead th{background:#e4ebf0}a{color:#00507a}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(period)}. {len(requests)} organisations; the figures of all "
        'of them are in <a href="profiles.csv">profiles.csv</a>.</p>\n'
        '<table><caption>Every organisation, with a link to its profile</caption><thead><tr><th scope="col">'
        'Organisation</th><th scope="col">Code</th><th scope="col">Headline position</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>\n</main>\n</body>\n</html>\n"
    ).encode("utf-8")
