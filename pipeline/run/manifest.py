"""The manifest: what a period folder was made from and what it holds, with content hashes.

``manifest.json`` in each period folder lists the inputs and outputs with
their SHA-256, the parameters, the pipeline's version (git commit, and whether
the tree had uncommitted changes), Python and package versions, and a
``cache_key`` over everything that
decides the outputs (inputs, parameters, notebook, pipeline code, locked
dependencies). A period whose cache key and output hashes are unchanged need
not be rendered again.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from pipeline.errors import ManifestError, printable
from pipeline.paths import PROJECT_ROOT
from pipeline.run.notebooks import code_of

MANIFEST = "manifest.json"
SIGNATURE = MANIFEST + ".sig"  # the manifest's OpenSSH signature, when signed (pipeline.signing)
# Everything in the project, besides inputs and parameters, that can change a report.
LOCK = "requirements.lock"
CODE_GLOBS = ("pipeline/**/*.py", "pipeline/templates/**/*", "notebooks/*.ipynb", LOCK)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk: int = 2**20) -> str:
    """The SHA-256 of a file, read a megabyte at a time (a listed file of any size costs no more memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


# The software description the run that started this process (a report's kernel) made and handed over
# (``adopt``): the kernel is the same Python running the same code, so it is not described a second time, and
# the report's provenance says exactly what the run's manifest records.
_adopted: dict = {}


def software(code: str | None = None) -> dict:
    """The software a run uses, described once per run: ``{"pipeline": pipeline_version(), "environment":
    environment()}`` (``code``: the code digest when the caller has made it). The run records it in the manifest
    (``build``) and hands it to its kernel (``adopt``), whose report shows it."""
    if _adopted:
        return {"pipeline": dict(_adopted["pipeline"]), "environment": _adopted["environment"]}
    return {"pipeline": pipeline_version(code=code), "environment": environment()}


def adopt(described: dict | None) -> None:
    """Take ``described`` (``software``, made by the run that started this kernel) as this process's software
    for the project's own root: ``environment``, ``code_digest``, ``package_version`` and ``git_state`` answer
    from it instead of describing the same Python and code again."""
    _adopted.clear()
    if described:
        _adopted.update(described)


def code_digest(root: Path = PROJECT_ROOT) -> str:
    """One hash over the pipeline's code, templates, notebooks and locked dependencies (paths and contents).

    A notebook counts by its code (``notebooks.code_of``): saving it from JupyterLab with outputs or new
    metadata does not change the digest, so it does not make every period render again."""
    if _adopted and root == PROJECT_ROOT:
        return _adopted["pipeline"]["code_digest"]
    digest = hashlib.sha256()
    for path in sorted(_code_files(root)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        data = path.read_bytes()
        if path.suffix == ".ipynb":
            data = _notebook_code(data)
        digest.update(sha256(data).encode() + b"\0")
    return digest.hexdigest()


def _code_files(root: Path) -> set[Path]:
    """The files the code digest covers."""
    return {p for pattern in CODE_GLOBS for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}


def _notebook_code(data: bytes) -> bytes:
    """A notebook's code (``notebooks.code_of``); a file that is not a notebook counts by its bytes."""
    try:
        nb = json.loads(data)
    except ValueError:
        return data
    return code_of(nb) if isinstance(nb, dict) else data


def cache_key(inputs: list[dict], parameters: dict, code: str) -> str:
    """The hash that decides whether a period must be rendered again."""
    payload = json.dumps({"inputs": inputs, "parameters": parameters, "code": code}, sort_keys=True)
    return sha256(payload.encode("utf-8"))


def environment() -> dict:
    """Python, the versions of every installed distribution, and the PDF's font files: what reproduce
    compares."""
    if _adopted:
        return _adopted["environment"]
    from importlib import metadata

    packages = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name:
            packages[name] = dist.version
    return {"python": platform.python_version(), "packages": dict(sorted(packages.items())), "system": system()}


def system() -> dict:
    """What the PDF depends on beside the Python packages: the font files in the repository that Typst sets
    the report in, each with its SHA-256 (Typst's own embedded fonts come with the ``typst`` package's
    version, recorded with the packages). Nothing of the machine's is used."""
    from pipeline.paths import FONTS_DIR

    fonts = {p.name: sha256(p.read_bytes()) for p in sorted(FONTS_DIR.glob("*.ttf"))}
    return {"fonts": fonts}


def package_version() -> str:
    """The installed version of this pipeline's package."""
    if _adopted:
        return _adopted["pipeline"]["version"]
    from importlib import metadata

    try:
        return metadata.version("council-plan-reports")
    except metadata.PackageNotFoundError:
        return "unknown"


def pipeline_version(root: Path = PROJECT_ROOT, code: str | None = None) -> dict:
    """The package version and code digest (``code`` when the caller has made it), and the git commit with
    whether the tree had uncommitted changes."""
    return {"version": package_version(), "code_digest": code or code_digest(root)} | git_state(root)


def git_state(root: Path = PROJECT_ROOT) -> dict:
    """``git_commit`` (None outside a git clone) and ``uncommitted_changes``: whether the pipeline's *code* — what
    ``code_digest`` covers — differs from that commit. A new export or register row in ``data/raw/``, an output,
    or a notebook saved from JupyterLab with outputs but the same code is not a change of the pipeline."""
    import subprocess

    if _adopted and root == PROJECT_ROOT:
        return {k: _adopted["pipeline"][k] for k in ("git_commit", "uncommitted_changes")}
    info = {"git_commit": None, "uncommitted_changes": None}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return info
        status = subprocess.run(
            ["git", "status", "--porcelain", "-z", "--untracked-files=all", "--", "pipeline", "notebooks", LOCK],
            cwd=root,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return info
    info["git_commit"] = commit.stdout.strip()
    changed = [entry[3:].decode("utf-8", "replace") for entry in status.stdout.split(b"\0") if len(entry) > 3]
    info["uncommitted_changes"] = any(_code_changed(root, name) for name in changed)
    return info


def _code_changed(root: Path, name: str) -> bool:
    """Whether a file git reports as changed changes the code digest: a notebook only when its code differs
    from the committed one's."""
    import subprocess

    path = root / name
    if path not in _code_files(root) and path.exists():  # not covered by the digest (a __pycache__, a README)
        return False
    if path.suffix != ".ipynb" or not path.is_file():
        return True
    try:
        committed = subprocess.run(["git", "show", f"HEAD:{name}"], cwd=root, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return True
    return committed.returncode != 0 or _notebook_code(committed.stdout) != _notebook_code(path.read_bytes())


def build(
    inputs: list[dict],
    parameters: dict,
    key: str,
    files: dict[str, bytes],
    described: dict | None = None,
) -> bytes:
    """The manifest for a period folder holding ``files`` (name -> bytes), as JSON bytes.

    ``inputs`` are dicts with ``path`` (project-relative), ``size`` and ``sha256``; ``described``: the run's
    ``software()``, the one its kernel was handed (described here when not given).
    """
    described = described if described is not None else software()
    manifest = {
        "manifest_version": 1,
        "parameters": parameters,
        "inputs": inputs,
        "cache_key": key,
        "pipeline": described["pipeline"],
        "environment": described["environment"],
        "outputs": [{"path": name, "size": len(data), "sha256": sha256(data)} for name, data in sorted(files.items())],
    }
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read(folder: Path) -> dict:
    """The manifest of a period folder. Raises ManifestError when there is none or it cannot be used."""
    path = Path(folder) / MANIFEST
    if not Path(folder).is_dir():
        raise ManifestError("is not a folder; name a period folder such as outputs/2011-12/Q4", folder)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"has no {MANIFEST}; it was not written by this pipeline", folder) from None
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{MANIFEST} cannot be read ({exc})", folder) from None
    if listed_outputs(manifest) is None:
        raise ManifestError(f"{MANIFEST} lists no outputs with their SHA-256", folder)
    paths = [o["path"] for o in manifest["outputs"]]
    twice = next((p for p in paths if paths.count(p) > 1), None)
    if twice is not None:
        raise ManifestError(f"{MANIFEST} lists {printable(twice)!r} twice: each output once, with its SHA-256", folder)
    return manifest


def listed_outputs(manifest) -> list | None:
    """The manifest's outputs as (path, SHA-256) pairs of text, or None when it is not a manifest that lists them
    (not an object, no list of outputs, an entry without both)."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), list) or not manifest["outputs"]:
        return None
    entries = manifest["outputs"]
    if not all(isinstance(o, dict) and isinstance(o.get("path"), str) and isinstance(o.get("sha256"), str)
               for o in entries):  # fmt: skip
        return None
    return [(o["path"], o["sha256"]) for o in entries]


def inside(folder: Path, name: str) -> bool:
    """True when the listed output ``name`` is a relative path that stays inside ``folder`` (no ``..``, not
    absolute, no link leading out): a manifest can vouch only for files of its own folder."""
    relative = Path(str(name))
    if not str(name) or relative.is_absolute() or ".." in relative.parts or "\\" in str(name):
        return False
    try:
        (Path(folder) / relative).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError, RuntimeError):  # outside, unreadable, or a symbolic link in a loop
        return False
    return True


def check_outputs(folder: Path, manifest: dict) -> list[tuple[str, str]]:
    """Every output file's state against the manifest:
    (path, "ok" | "differs" | "missing" | "not in manifest" | "outside the folder")."""
    folder = Path(folder)
    listed = {str(o["path"]): o["sha256"] for o in manifest["outputs"]}
    states = []
    for name, digest in sorted(listed.items()):
        path = folder / name
        if not inside(folder, name):
            states.append((name, "outside the folder"))
        elif not path.is_file():
            states.append((name, "missing"))
        else:
            states.append((name, "ok" if sha256_file(path) == digest else "differs"))
    present = set(files_in(folder)) - {MANIFEST, SIGNATURE}
    states += [(name, "not in manifest") for name in sorted(present - set(listed))]
    return states


def files_in(folder: Path) -> list[str]:
    """Every file under ``folder`` (links not followed), as relative POSIX paths, sorted. Walked with a list,
    not recursion, so a folder nested a thousand deep is listed like any other."""
    import os

    found, stack = [], [Path(folder)]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file() or entry.is_symlink():  # a link is listed, never followed
                found.append(Path(entry.path).relative_to(folder).as_posix())
    return sorted(found)


def up_to_date(folder: Path, key: str) -> bool:
    """True when ``folder`` has a manifest with this cache key and every output it lists is unchanged."""
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    listed = listed_outputs(manifest)
    if listed is None or manifest.get("cache_key") != key or len({p for p, _ in listed}) != len(listed):
        return False
    for name, digest in listed:
        path = Path(folder) / name
        if not inside(folder, name) or not path.is_file() or sha256_file(path) != digest:
            return False
    return True
