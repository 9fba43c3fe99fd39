"""Which files a period's report reads, and the one read of each: the snapshot.

A run decides once, at its start, which files it reads (the export, the register, the layout,
``directorates.csv``, the earlier exports compared with) and reads each of them once into a snapshot
(resolved path -> bytes). From then on the snapshot alone says whether a file is there: a register written
into the raw folder while a batch runs, or an export removed, changes nothing in a run already planned,
and nothing is read that the manifest and ``inputs.zip`` do not record. Light: no pandas.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.errors import InputError
from pipeline.paths import PROJECT_ROOT, published_path
from pipeline.period import Period
from pipeline.read import limits
from pipeline.run.discover import related_inputs

Snapshot = dict  # resolved Path -> the bytes read from it at the start of the run
LAYOUT_FILE = "layout.toml"  # a layout beside the exports of a raw folder applies to them
REGISTER_FILE = "indicator_register.csv"  # so does a register
DIRECTORATES_FILE = "directorates.csv"  # and the full names of the directorates' codes


def read_snapshot(paths, already: Snapshot | None = None) -> Snapshot:
    """Read each file once: {resolved path: bytes}. ``already``: the files a batch has read so far, shared by all
    its periods (a file is then read, and held in memory, once for the whole batch; it gains what is read here).
    Raises InputError for a missing, empty or oversized file."""
    shared = already if already is not None else {}
    snapshot = {}
    for p in paths:
        key = Path(p).resolve()
        if key not in shared:
            shared[key] = limits.read_bytes(p)
        snapshot[key] = shared[key]
    return snapshot


def present(path: Path, snapshot: Snapshot | None) -> bool:
    """Whether ``path`` is one of the run's inputs: in the snapshot when there is one (never the file system
    again), else on disk (a notebook run by hand, before its snapshot is read)."""
    if snapshot is not None:
        return Path(path).resolve() in snapshot
    return Path(path).is_file()


def bytes_of(snapshot: Snapshot | None, path: Path) -> bytes:
    """The bytes of an input: from the snapshot when there is one, else read now (once).

    Raises InputError when a snapshot is given and does not hold the file: the run did not read it at its
    start, so it is not one of its inputs."""
    if snapshot is None:
        return limits.read_bytes(path)
    key = Path(path).resolve()
    if key not in snapshot:
        raise InputError("was not among the files read at the start of the run; run again to include it", path)
    return snapshot[key]


def resolve(path: str | Path) -> Path:
    """Paths in parameters are relative to the project root, so the executed notebook holds no machine paths."""
    p = Path(path)
    return p if p.is_absolute() or p.exists() else PROJECT_ROOT / p


def layout_file(source: Path, layout_path: str | Path | None = None, snapshot: Snapshot | None = None) -> Path | None:
    """The layout file that applies to the export ``source``: ``layout_path`` when given, else ``layout.toml``
    beside the export (when it is one of the run's inputs), else None (the built-in Stockton layout)."""
    if layout_path not in (None, ""):
        return resolve(layout_path)
    beside = Path(source).parent / LAYOUT_FILE
    return beside if present(beside, snapshot) else None


def register_file(register_path: str | Path | None, source: Path, snapshot: Snapshot | None = None) -> Path | None:
    """The register that applies to the export ``source``: ``register_path`` when given, else
    ``indicator_register.csv`` in the export's own folder (a register belongs to its folder's exports)."""
    if register_path not in (None, ""):
        return resolve(register_path)
    beside = Path(source).parent / REGISTER_FILE
    return beside if present(beside, snapshot) else None


def directorates_file(source: Path, snapshot: Snapshot | None = None) -> Path | None:
    """``directorates.csv`` beside the export, when it is one of the run's inputs."""
    beside = Path(source).parent / DIRECTORATES_FILE
    return beside if present(beside, snapshot) else None


BENCHMARK_LAYOUT_FILE = "benchmark.toml"


def benchmark_files(bench: dict | None, snapshot: Snapshot | None = None) -> dict[str, Path]:
    """The files of a report's benchmark (``bench``: ``request.BENCHMARK``'s parameters): ``dataset``, its
    ``layout`` (given, else ``benchmark.toml`` beside the dataset) and ``peers``, those that apply. Raises
    InputError when a dataset is named without a layout for it."""
    bench = bench or {}
    if not bench.get("benchmark_path"):
        return {}
    dataset = resolve(bench["benchmark_path"])
    files = {"dataset": dataset}
    if bench.get("benchmark_layout_path"):
        files["layout"] = resolve(bench["benchmark_layout_path"])
    else:
        beside = dataset.parent / BENCHMARK_LAYOUT_FILE
        if not present(beside, snapshot):
            raise InputError(
                f"has no layout: name one with --benchmark-layout FILE, or put {BENCHMARK_LAYOUT_FILE} beside it",
                dataset,
            )
        files["layout"] = beside
    if bench.get("peers_path"):
        files["peers"] = resolve(bench["peers_path"])
    return files


def inputs_read(
    period: Period,
    source: Path,
    register_path: str | Path | None = None,
    related: dict | None = None,
    layout_path: str | Path | None = None,
    snapshot: Snapshot | None = None,
    bench: dict | None = None,
) -> list[Path]:
    """Every file a period's report reads: the export, the register, the layout, ``directorates.csv``, the
    previous period's export (direction of travel), the earlier quarters of the year (the trend chart) and the
    same quarter of the year before (the front page's comparison), and the benchmark's dataset, layout and peers
    (``bench``: ``request.BENCHMARK``'s parameters).
    The cache key, the manifest and ``inputs.zip`` cover exactly these. ``related`` is ``related_inputs``'
    answer when the caller has it; with a ``snapshot``, files beside the export count only when it holds them."""
    related = related if related is not None else related_inputs(period, source)
    register = register_file(register_path, source, snapshot)
    layout = layout_file(source, layout_path, snapshot)
    names = directorates_file(source, snapshot)
    paths = [Path(source)] + ([register] if register else []) + ([layout] if layout else [])
    paths += [names] if names else []
    paths += [related["previous"][1]] if related["previous"] else []
    paths += [p for _, p in related["year"] if p not in paths]
    ago = related.get("year_ago")
    paths += [ago[1]] if ago and ago[1] not in paths else []
    paths += [p for p in benchmark_files(bench, snapshot).values() if p not in paths]
    return paths


def input_entry(path: Path, data: bytes) -> dict:
    """An input as the manifest records it: published path (project-relative, else the file name), size, SHA-256."""
    return {"path": published_path(path), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
