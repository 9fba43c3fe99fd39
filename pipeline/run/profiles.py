"""Profiles: one report for every organisation in a comparison dataset, built by any executor.

The dataset, its layout and the peers file are read once (one snapshot) and every organisation is ranked on every
measure once, here; each organisation's job carries what its build needs (its positions, the inputs' bytes, its
request and cache key), so nothing is read where it runs. The coordinator makes the jobs on local processes or a
Dask cluster and publishes each folder; then ``index.html`` (written by the HTML renderer from blocks) and
``profiles.csv`` list every organisation of the tree.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.errors import InputError, UsageError
from pipeline.period import Period
from pipeline.run import manifest, publish
from pipeline.run.build import Built, archive
from pipeline.run.coordinator import Outcome, run_jobs
from pipeline.run.jobs import Job, output_root, shown_root


@dataclass(frozen=True)
class ProfileData:
    """What a profile notebook shows: the organisation's positions (``compare.COLUMNS``, ref = measure code), the
    context (dataset, peers, chart's spread), the period, the inputs as the manifest lists them, its statements
    (``statements.Statements``, computed from the positions as ``benchmark.csv`` holds them) and the comparison's
    findings."""

    period: Period
    positions: object
    context: dict
    inputs: tuple
    statements: object = None
    findings: tuple = ()
    headline: object = None  # the front page's quartile statement, made when the job is planned (for the index)


def profile_jobs(template, only: list[str] | None = None, root=None, shown=None, code=None):
    """Every organisation's job (those in ``only`` when given), and the position table of all of them (the latest
    period of each measure). ``template``: a ``request.ProfileRequest`` naming the dataset, its layout, the peers,
    the period and the output root. Raises InputError naming the file that cannot be used, UsageError for a code
    in ``only`` the dataset does not hold."""
    import pandas as pd

    from pipeline.run.comparison import dataset_of, ready
    from pipeline.run.snapshot import read_comparison

    period = Period.parse(template.year, template.quarter or "Q4")
    comparison = read_comparison(template.dataset_path, template.layout_path, template.peers_path)
    dataset = dataset_of(comparison)
    made = ready(comparison, None, period, dataset)
    del dataset  # the index holds what the profiles need
    codes = list(made.field.index.organisations)
    if only:
        unknown = [c for c in only if c not in set(codes)]
        if unknown:
            raise UsageError(f"{comparison.dataset.name} has no organisation {', '.join(map(repr, unknown))} (--only)")
        codes = [c for c in codes if c in set(only)]
    root = Path(root) if root is not None else output_root(template.out)
    shown = shown_root(root) if shown is None else shown
    common = _Common(
        comparison, made, period, root, shown, code or manifest.code_digest(), archive(comparison.files),
        tuple(f.entry for f in comparison.files), tuple(made.findings([])),
    )  # fmt: skip
    jobs, tables, folders = [], [], {}
    for start in range(0, len(codes), BATCH):
        chunk = codes[start : start + BATCH]
        frames = _positions_by_organisation(made, chunk)
        for organisation in chunk:
            job, latest = _profile_job(template, organisation, frames[organisation], common)
            same = folders.setdefault(job.folder.as_posix().casefold(), organisation)
            if same != organisation:  # a file system that ignores case would give the two one folder
                raise InputError(
                    f"has the organisations {same!r} and {organisation!r}, whose profiles would share the folder "
                    f"{job.folder.parent.parent.name!r}; codes must differ by more than case",
                    comparison.dataset.name,
                )
            jobs.append(job)
            tables.append(latest)
    return jobs, (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame())


BATCH = 200  # organisations whose positions are computed together (bounds the memory of a 2,000-member dataset)


def _positions_by_organisation(made, codes: list[str]) -> dict:
    """Each organisation's positions and its latest position on each measure, computed for all of them at once."""
    from pipeline.figures.compare import latest
    from pipeline.run.comparison import positions_of

    frame = positions_of(made, codes)
    last = latest(frame)
    ends = {code: part for code, part in last.groupby("organisation", sort=False)}
    return {
        code: (part.drop(columns="organisation").reset_index(drop=True), ends[code].drop(columns="organisation"))
        for code, part in frame.groupby("organisation", sort=False)
    }


@dataclass(frozen=True)
class _Common:
    comparison: object
    made: object
    period: Period
    root: Path
    shown: str
    code: str
    inputs_zip: bytes  # the inputs as every profile's folder publishes them (made once)
    inputs: tuple  # the inputs as every manifest lists them (hashed once)
    findings: tuple  # what the dataset says about itself, the same for every profile


def _profile_job(template, organisation: str, positions, common: _Common) -> tuple[Job, object]:
    """One organisation's job, and its latest position on each measure (for ``profiles.csv``). ``positions``: its
    positions and their latest rows. Its statements are made where it is built; its headline (the quartile
    statement, for the index) here."""
    from pipeline.figures import compare
    from pipeline.figures.facts.period import SUMMARY, comparison_params
    from pipeline.figures.statements import state

    positions, latest = positions
    made, period = common.made, common.period
    group = made.group(organisation)
    upto = (period.start_year, period.quarter)
    context = compare.context(made.name, made.sources, made.field, organisation, group, upto, latest, made.labels)
    headline = state("quartiles", latest.reset_index(drop=True), SUMMARY, comparison_params(context))
    who = context["organisation_name"]
    request = resolve_profile(template, organisation, common)
    key = manifest.cache_key(list(common.inputs), request.values(), common.code)
    found = common.findings + tuple(made.findings([organisation], of_dataset=False))
    data = ProfileData(period, positions, context, common.inputs, None, found, headline)
    title = f"{who}: how it compares, {period.title}"
    folder = common.root / request.folder()
    build = functools.partial(build_profile, data, request, key, common.inputs_zip, title, common.code)
    listed = latest.assign(organisation=organisation, organisation_name=who)
    job = Job(organisation, folder, common.root, key, build, request, common.code, None, data)
    return job, listed[["organisation", "organisation_name", *compare.COLUMNS]]


def resolve_profile(template, organisation: str, common: _Common):
    """One organisation's profile request as its manifest records it: the files as outputs name them, its code,
    the period's labels and the output root as its commands name it."""
    comparison, period = common.comparison, common.period
    return template.replace(
        dataset_path=comparison.dataset.name,
        layout_path=comparison.layout_file.name,
        organisation=organisation,
        peers_path=comparison.peers.name if comparison.peers else "",
        year=period.year_label,
        quarter=period.quarter_label,
        out=common.shown,
    )


def build_profile(data: ProfileData, request, key: str, inputs_zip: bytes, title: str, code: str) -> Built:
    """A profile's folder as files (report.html, report.pdf, report.docx, report.ipynb, benchmark.csv,
    statements.csv, charts/, inputs.zip, manifest.json), rendered in a kernel of its own from what it was handed
    alone; its statements made here, where it is built. Raises RenderError when the notebook fails."""
    from pipeline.paths import PROFILE_NOTEBOOK
    from pipeline.run.build import render_handed
    from pipeline.run.handover import kernel_while_preparing

    data = with_statements(data)
    files = {
        "benchmark.csv": publish.csv_bytes(data.positions),
        "statements.csv": publish.csv_bytes(data.statements.table()),
        publish.INPUTS_ARCHIVE: inputs_zip,
    }
    with kernel_while_preparing() as started:
        render_handed(started, "profile", PROFILE_NOTEBOOK, request, data, title, list(data.inputs), key, files, code)
    return Built(files, {}, code)


def with_statements(data: ProfileData) -> ProfileData:
    """The profile's data with its statements (``facts.period.comparison_statements``), made where it is built."""
    import dataclasses

    from pipeline.figures.facts.period import comparison_statements
    from pipeline.figures.statements import Statements

    if data.statements is not None:
        return data
    said = Statements()
    for made in comparison_statements(data.positions, data.context).values():
        for statement in made:
            said.add(statement)
    return dataclasses.replace(data, statements=said)


def load_profile(request) -> ProfileData:
    """What the profile notebook calls: the data its build was handed; run by hand, planned here for the one
    organisation."""
    from pipeline.run.handover import handed_over

    period = Period.parse(request.year, request.quarter)
    given = handed_over("profile", {"year": period.year_label, "quarter": period.quarter_label})
    if given is not None:
        return given
    jobs, _ = profile_jobs(request, [request.organisation])
    return with_statements(jobs[0].snapshot)


def run_profiles(
    template,
    only: list[str] | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    on_event: Callable[[object, str, str], None] = lambda label, state, reason: None,
    on_start: Callable[[int], None] = lambda total: None,
) -> Outcome:
    """Render a profile for every organisation of the dataset (``only``: these codes) into
    ``<out>/<code>/<yyyy-yy>/<Qn>/``, then ``index.html`` and ``profiles.csv`` at the output root. Builds run on
    local processes (``jobs``), or on the Dask cluster at ``scheduler`` (else ``DASK_SCHEDULER_ADDRESS``); one
    organisation's failure is reported and the others go on. A profile whose inputs, parameters and code are
    unchanged is taken as it is unless ``force``."""
    import os

    from pipeline.run.executors import executor_for

    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    # the executor first: a cluster that will not do is said before the dataset is read, and local workers' fork
    # server and the kernels' template get ready while the profiles are planned
    with executor_for(address, jobs) as pool:
        every, table = profile_jobs(template)
        known = {j.label for j in every}
        unknown = [c for c in only or [] if c not in known]
        if unknown:
            raise UsageError(f"{template.dataset_path} has no organisation {', '.join(map(repr, unknown))} (--only)")
        chosen = [j for j in every if j.label in set(only)] if only else every
        picked = {j.label for j in chosen}
        on_start(len(chosen))
        with tree_lock(output_root(template.out)):  # a second run on the same tree waits, then finds this one's work
            outcome = run_jobs(chosen, pool, force, on_event)
            made = set(outcome.rendered) | set(outcome.cached)
            published = {j.label for j in every if j.label in made or (j.label not in picked and j.up_to_date())}
            write_index(output_root(template.out), table, every, published)
    return outcome


@contextlib.contextmanager
def tree_lock(root: Path):
    """The output tree held by one ``profiles`` run at a time (``<root>/.locks/profiles.lock``, released when the run
    ends, however it ends): two runs on one tree do not both render every profile."""
    import fcntl

    root.mkdir(parents=True, exist_ok=True)
    (root / ".locks").mkdir(exist_ok=True)
    with open(root / ".locks" / "profiles.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_index(root: Path, table, planned: list[Job], published: set) -> None:
    """``index.html`` and ``profiles.csv`` at the output root, listing every organisation of the tree (``planned``:
    every organisation of the dataset; ``published``: those whose profile is in the tree, up to date), each
    written whole with the tree's file mode."""
    from pipeline.report.profiles_index import index_html

    root.mkdir(parents=True, exist_ok=True)
    entries = [(j.label, j.snapshot, j.folder.relative_to(root).as_posix(), j.label in published) for j in planned]
    for name, data in (("index.html", index_html(entries)), ("profiles.csv", publish.csv_bytes(table))):
        publish.write_file(root / name, data)
