"""Stage 6, manifest: what a period folder was made from and what it holds, with content hashes.

``manifest.json`` in each period folder lists the inputs and outputs with
their SHA-256, the parameters, and a ``cache_key`` over everything that
decides the outputs (inputs, parameters, notebook, pipeline code, locked
dependencies). A period whose cache key and output hashes are unchanged need
not be rendered again.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from .paths import PROJECT_ROOT

MANIFEST = "manifest.json"
# Everything in the project, besides inputs and parameters, that can change a report.
CODE_GLOBS = ("pipeline/**/*.py", "pipeline/templates/**/*", "notebooks/*.ipynb", "requirements.lock")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code_digest(root: Path = PROJECT_ROOT) -> str:
    """One hash over the pipeline's code, templates, notebooks and locked dependencies (paths and contents)."""
    digest = hashlib.sha256()
    files = sorted({p for pattern in CODE_GLOBS for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts})
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(sha256(path.read_bytes()).encode() + b"\0")
    return digest.hexdigest()


def cache_key(inputs: list[dict], parameters: dict, code: str) -> str:
    """The hash that decides whether a period must be rendered again."""
    payload = json.dumps({"inputs": inputs, "parameters": parameters, "code": code}, sort_keys=True)
    return sha256(payload.encode("utf-8"))


def build(inputs: list[dict], parameters: dict, key: str, files: dict[str, bytes]) -> bytes:
    """The manifest for a period folder holding ``files`` (name -> bytes), as JSON bytes.

    ``inputs`` are dicts with ``path`` (project-relative), ``size`` and ``sha256``.
    """
    manifest = {
        "manifest_version": 1,
        "parameters": parameters,
        "inputs": inputs,
        "cache_key": key,
        "python": platform.python_version(),
        "outputs": [{"path": name, "size": len(data), "sha256": sha256(data)} for name, data in sorted(files.items())],
    }
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


def up_to_date(folder: Path, key: str) -> bool:
    """True when ``folder`` has a manifest with this cache key and every output it lists is unchanged."""
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("cache_key") != key or not manifest.get("outputs"):
        return False
    for entry in manifest["outputs"]:
        path = Path(folder) / entry["path"]
        if not path.is_file() or sha256(path.read_bytes()) != entry["sha256"]:
            return False
    return True
