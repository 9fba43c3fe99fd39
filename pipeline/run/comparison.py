"""A comparison dataset from the snapshot, set to work: an organisation's positions for its period report, and the
``compare`` command's table of one organisation (or of every organisation) on every measure."""

from __future__ import annotations

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


def checked_organisation(comparison: Comparison, dataset) -> str:
    """The organisation's code, known to the dataset. Raises UsageError when none is given, InputError naming the
    dataset when it does not hold it."""
    code = comparison.organisation
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


def organisation_positions(comparison: Comparison, linked: dict, period: Period, own: dict):
    """The organisation's positions on the ``linked`` measures (ref -> measure code) in every period of the dataset
    up to ``period``, with its own export's actual (``own``: ref -> actual) beside each measure's latest value; and
    what the report says of the comparison (``compare.context``). Raises UsageError or InputError."""
    from pipeline.figures import compare

    dataset = dataset_of(comparison)
    code = checked_organisation(comparison, dataset)
    peers = peers_file(comparison)
    group = peers.of(code) if peers is not None else None
    if peers is not None and group is None:
        raise InputError(f"has no comparator group for {code!r}", comparison.peers.name)
    upto = (period.start_year, period.quarter)
    frame = compare.positions(dataset, code, group, linked, upto)
    latest = compare.latest(frame)
    if len(latest):  # the export's own actual, beside the dataset's latest value
        frame.loc[latest.index, "own_value"] = [own.get(r) for r in latest["ref"]]
        latest = compare.latest(frame)
    sources = (comparison.dataset.name, Path(comparison.peers.name).name if comparison.peers else "")
    name = comparison.layout.name or Path(comparison.dataset.name).name
    return frame, compare.context(name, sources, dataset, code, group, linked, upto, latest)


def compare_dataset(request, organisation: str):
    """The ``compare`` command: the organisation's position on every measure of a comparison dataset, in each
    measure's latest period at or before the request's year and quarter (``compare.COLUMNS``, ``ref`` the measure's
    code), without a local export. ``request``: a profile request naming the dataset, its layout and peers. Raises
    InputError naming the file that cannot be used, UsageError for a bad period."""
    from pipeline.figures import compare
    from pipeline.run.snapshot import read_comparison

    period = Period.parse(request.year, request.quarter or "Q4")
    comparison = read_comparison(request.dataset_path, request.layout_path, request.peers_path, organisation)
    dataset = dataset_of(comparison)
    if organisation not in set(dataset["organisation"]):
        raise InputError(f"has no organisation {organisation!r}; check --organisation", comparison.dataset.name)
    peers = peers_file(comparison)
    group = peers.of(organisation) if peers is not None else None
    if peers is not None and group is None:
        raise InputError(f"has no comparator group for {organisation!r}", comparison.peers.name)
    measures = {code: code for code in dict.fromkeys(dataset["measure"])}
    frame = compare.positions(dataset, organisation, group, measures, (period.start_year, period.quarter))
    return compare.latest(frame).reset_index(drop=True)
