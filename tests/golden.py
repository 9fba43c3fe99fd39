"""The seed's published files, fingerprinted with the software's identity held fixed: what tells a change that
leaves every output byte-identical from one that changes the report.

    .venv/bin/python tests/golden.py      # rewrite tests/fixtures/golden_seed.json

The report shows the commit, the code digest and the versions it was made with, so its bytes change with every
commit; here they are held to ``IDENTITY`` (the kernel adopts the run's description, so the report shows it
too), and what is left is what the code makes of the seed. ``test_end_to_end`` renders the seed this way and
compares it with the file. Rewrite the file only when a change is meant to change the report, and read its diff
before committing: each changed line is a published file that changed.

A file's fingerprint is its SHA-256, except for a zip (``report.docx``, ``inputs.zip``): the SHA-256 of its
members' names and contents, so that the zlib a machine's Python has cannot make two equal documents differ;
``manifest.json`` counts with those fingerprints in place of the zips' own hashes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "golden_seed.json"
GOLDEN_PROFILE = ROOT / "tests" / "fixtures" / "golden_profile.json"
YEAR, QUARTER = "2011/12", "Q4"
OFLOG = ROOT.parent / "shared" / "benchmarks" / "oflog"
PROFILED = "E06000004"  # Stockton-on-Tees, among the Oflog councils


def identity() -> dict:
    """A fixed software description: the lock's pins for the packages, not the machine's (pip and the Python's
    own patch release differ between machines that install the same lock)."""
    sys.path.insert(0, str(ROOT))
    from pipeline.run import manifest

    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.M))
    packages = {name.lower().replace("_", "-"): version for name, version in sorted(pins.items())}
    return {
        "pipeline": {
            "version": "golden",
            "code_digest": "0" * 64,
            "git_commit": "golden",
            "uncommitted_changes": False,
        },
        "environment": {"python": "3.11", "packages": packages, "system": manifest.system()},
    }


def fingerprint(data: bytes) -> str:
    """A file's SHA-256, or a zip's members' (see the module's docstring)."""
    if not data.startswith(b"PK\x03\x04"):
        return hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = sorted((info.filename, hashlib.sha256(archive.read(info)).hexdigest()) for info in archive.infolist())
    return "zip:" + hashlib.sha256(json.dumps(members).encode()).hexdigest()


def fingerprints(folder: Path) -> dict[str, str]:
    """Every published file of ``folder`` by its path, fingerprinted; the manifest's listing of the zips by theirs."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    prints = {name: fingerprint(data) for name, data in files.items() if name != "manifest.json"}
    listed = json.loads(files["manifest.json"])
    for entry in listed["outputs"]:
        entry["sha256"] = prints[entry["path"]]
    prints["manifest.json"] = hashlib.sha256(json.dumps(listed, sort_keys=True).encode()).hexdigest()
    return prints


@contextlib.contextmanager
def held_fixed(warm: bool = False):
    """The software's identity held to ``identity()`` in this process (a build hands it to its kernel); with
    ``warm``, the kernels of builds in this process forked from a template (``pipeline.run.warm``)."""
    sys.path.insert(0, str(ROOT))
    import os

    from pipeline.run import manifest
    from pipeline.run import warm as warm_kernels

    fixed = identity()
    software, digest = manifest.software, manifest.code_digest
    manifest.software = lambda code=None: json.loads(json.dumps(fixed))
    manifest.code_digest = lambda root=manifest.PROJECT_ROOT: fixed["pipeline"]["code_digest"]
    try:  # restored whatever happens, the template's start included: later tests see the real identity
        if warm:
            os.environ[warm_kernels.TEMPLATE_VARIABLE] = warm_kernels.running().place
        yield
    finally:
        manifest.software, manifest.code_digest = software, digest
        os.environ.pop(warm_kernels.TEMPLATE_VARIABLE, None)


def render_seed(out: Path, warm: bool = False) -> dict[str, str]:
    """Render the seed's period into ``out`` with the software's identity held fixed; its fingerprints."""
    from pipeline.request import PERIOD
    from pipeline.run import coordinator

    with held_fixed(warm):
        result = coordinator.run_period(PERIOD.make(year=YEAR, quarter=QUARTER, out=str(out)), force=True)
    return fingerprints(result.out_dir)


def render_profile(out: Path, warm: bool = False) -> dict[str, str]:
    """Render the Oflog profile of ``PROFILED`` (2022/23) into ``out`` with the identity held fixed; its
    fingerprints."""
    from pipeline.request import PROFILE
    from pipeline.run import coordinator

    request = PROFILE.make(
        dataset_path=str(OFLOG / "ASC_data.csv"),
        layout_path=str(ROOT / "data" / "benchmarks" / "oflog_asc.toml"),
        peers_path=str(OFLOG / "NN.json"),
        organisation=PROFILED,
        year="2022/23",
        out=str(out),
    )
    with held_fixed(warm):
        result = coordinator.run_report(request, force=True)
    return fingerprints(result.out_dir)


def main() -> int:
    for render, path in ((render_seed, GOLDEN), (render_profile, GOLDEN_PROFILE)):
        with tempfile.TemporaryDirectory() as tmp:
            prints = render(Path(tmp))
        path.write_text(json.dumps(prints, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}: {len(prints)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
