"""A comparison dataset from the snapshot, set to work: an organisation's positions for its period report, and the
``compare`` command's table of one organisation, or of every organisation at once.

The dataset is read once and indexed once (``figures.compare.prepare``); what the data says about itself (a row
given twice, a value that is not finite, peers the dataset does not hold) is returned as findings beside the
positions, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError, UsageError
from pipeline.period import Period
from pipeline.run.snapshot import Comparison


def dataset_of(comparison: Comparison):
    """The dataset's rows (``read.comparison.read_dataset``) from the snapshot's bytes."""
    from pipeline.read import ingest
    from pipeline.read.comparison import read_dataset
    from pipeline.run.snapshot import named_as_given

    name = comparison.dataset.name
    with named_as_given([comparison.dataset]):
        return read_dataset(ingest.decode_text(comparison.dataset.data, name), comparison.layout, name)


def peers_file(comparison: Comparison):
    """The peers file parsed once (``read.comparison.PeersFile``), or None when none is named."""
    from pipeline.read.comparison import read_peers_file
    from pipeline.run.snapshot import named_as_given

    if comparison.peers is None:
        return None
    with named_as_given([comparison.peers]):
        return read_peers_file(comparison.peers.data, comparison.peers.name)


def wording_of(comparison: Comparison):
    """The bands and the measures' own words the layout gives (``compare.Wording``)."""
    from pipeline.figures.compare import Wording

    return Wording(comparison.layout.bands, dict(comparison.layout.comparatives))


def labels_of(comparison: Comparison) -> tuple[str, str]:
    """What the dataset's whole set of organisations is called, and their word (the layout's; "" when not given)."""
    return comparison.layout.everyone, comparison.layout.members


def checked_organisation(comparison: Comparison, dataset, code: str | None = None) -> str:
    """The organisation's code, known to the dataset. Raises UsageError when none is given, InputError naming the
    dataset when it does not hold it."""
    code = comparison.organisation if code is None else code
    if not code:
        raise UsageError(
            "a comparison needs the organisation's code in the dataset: --organisation CODE, or organisation in the "
            "layout"
        )
    known = list(dict.fromkeys(dataset["organisation"]))
    if code not in set(known):
        raise InputError(
            f"has no organisation {code!r} (it holds {len(known)} organisations, such as {', '.join(known[:3])}); "
            "check --organisation",
            comparison.dataset.name,
        )
    return code


@dataclass(frozen=True)
class Ready:
    """A comparison made ready once: the ``field`` (``compare.Field``), the peers file (None: none), the names
    outputs give the dataset and the peers file, what the report calls the dataset, and its labels."""

    comparison: Comparison
    field: object
    peers: object
    sources: tuple
    name: str
    labels: tuple

    def group(self, organisation: str) -> list | None:
        """The organisation's comparator group (itself first), or None when there is no peers file."""
        return self.peers.of(organisation) if self.peers is not None else None

    def findings(self, organisations: list[str], of_dataset: bool = True) -> list[tuple]:
        """What the data says about itself, for these organisations' reports (``compare.findings``);
        ``of_dataset`` False: only their peers'."""
        from pipeline.figures.compare import findings, groups_for

        groups = {o: self.group(o) for o in organisations} if self.peers is not None else None
        _, unknown = groups_for(self.field, organisations, groups)
        return findings(self.field, unknown, self.sources, of_dataset)


def ready(comparison: Comparison, measures: dict | None, period: Period, dataset=None) -> Ready:
    """The comparison's ``Ready`` for the ``measures`` (ref -> code; None: all) up to ``period``. Raises InputError
    naming the dataset when it cannot be indexed, or the peers file when it cannot be read."""
    from pipeline.figures import compare

    dataset = dataset_of(comparison) if dataset is None else dataset
    upto = (period.start_year, period.quarter)
    try:
        prepared = compare.prepare(dataset, measures, upto, wording_of(comparison))
    except ValueError as exc:
        raise InputError(str(exc), comparison.dataset.name) from None
    sources = (comparison.dataset.name, Path(comparison.peers.name).name if comparison.peers else "")
    name = comparison.layout.name or Path(comparison.dataset.name).name
    return Ready(comparison, prepared, peers_file(comparison), sources, name, labels_of(comparison))


def positions_of(made: Ready, organisations: list[str]):
    """The positions of ``organisations`` (``compare.table``), with their peer groups."""
    from pipeline.figures import compare

    groups = {o: made.group(o) for o in organisations} if made.peers is not None else None
    return compare.table(made.field, organisations, groups)


def organisation_positions(comparison: Comparison, linked: dict, period: Period, own: dict):
    """The organisation's positions on the ``linked`` measures (ref -> measure code) in every period of the dataset
    up to ``period``, with its own export's actual (``own``: ref -> actual) beside each measure's latest value;
    what the report says of the comparison (``compare.context``); and the comparison's findings. Raises
    UsageError or InputError."""
    from pipeline.figures import compare

    dataset = dataset_of(comparison)
    code = checked_organisation(comparison, dataset)
    made = ready(comparison, linked, period, dataset)
    group = made.group(code)
    if made.peers is not None and group is None:
        raise InputError(f"has no comparator group for {code!r}", comparison.peers.name)
    frame = positions_of(made, [code]).drop(columns="organisation")
    latest = compare.latest(frame)
    if len(latest):  # the export's own actual, beside the dataset's latest value
        frame.loc[latest.index, "own_value"] = [own.get(r) for r in latest["ref"]]
        latest = compare.latest(frame)
    upto = (period.start_year, period.quarter)
    context = compare.context(made.name, made.sources, made.field, code, group, upto, latest, made.labels)
    return frame, context, made.findings([code])


def compare_dataset(request, organisation: str | None):
    """The ``compare`` command: an organisation's position on every measure of a comparison dataset (or every
    organisation's, ``organisation`` None), in every period at or before the request's year and quarter for every
    organisation, or in each measure's latest period for one (``compare.COLUMNS``, ``ref`` the measure's code;
    ``organisation`` and ``organisation_name`` first for all). Returns (the table, the findings). Raises InputError
    naming the file that cannot be used, UsageError for a bad period or an unknown code."""
    from pipeline.figures import compare
    from pipeline.run.snapshot import read_comparison

    period = Period.parse(request.year, request.quarter or "Q4")
    comparison = read_comparison(request.dataset_path, request.layout_path, request.peers_path, organisation or "")
    dataset = dataset_of(comparison)
    made = ready(comparison, None, period, dataset)
    if organisation is None:
        codes = list(made.field.index.organisations)
        table = positions_of(made, codes)
        names = dict(zip(made.field.index.organisations, made.field.index.names))
        table.insert(1, "organisation_name", [names[c] for c in table["organisation"]])
        return table, made.findings(codes)
    checked_organisation(comparison, dataset, organisation)
    if made.peers is not None and made.group(organisation) is None:
        raise InputError(f"has no comparator group for {organisation!r}", comparison.peers.name)
    table = positions_of(made, [organisation]).drop(columns="organisation")
    return compare.latest(table).reset_index(drop=True), made.findings([organisation])
