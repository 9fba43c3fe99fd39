"""What an auditor runs months later: verify a period folder against its manifest, and reproduce it.

``verify`` recomputes the SHA-256 of every output the manifest lists. ``reproduce`` renders the period
again from the manifest's inputs and parameters into a temporary folder and compares the files.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import manifest
from .errors import ManifestError
from .paths import PROJECT_ROOT


@dataclass
class Check:
    """Per-file states, and notes (environment differences) that do not decide the outcome."""

    files: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(state in ("ok", "matches") for _, state in self.files)


def verify(folder: str | Path) -> Check:
    """Recompute the hashes of a period folder's outputs against its ``manifest.json``.

    Raises ManifestError when the folder has no usable manifest.
    """
    folder = Path(folder)
    return Check(manifest.check_outputs(folder, manifest.read(folder)))


def reproduce(folder: str | Path, root: Path = PROJECT_ROOT) -> Check:
    """Render the period again from the manifest's inputs and parameters, in a temporary folder, and compare.

    Inputs are looked for at their recorded paths (relative to the project ``root``); one that is
    missing or changed stops the reproduction with a ManifestError. A Python or package version other
    than the manifest's is a note: the outputs may then differ for that reason alone.
    """
    from .run import run_period

    folder = Path(folder)
    recorded = manifest.read(folder)
    params = recorded.get("parameters") or {}
    if not {"year", "quarter", "input_path"} <= set(params):
        raise ManifestError("manifest.json has no parameters to reproduce the period from", folder)
    for entry in recorded.get("inputs", []):
        path = Path(entry["path"]) if Path(entry["path"]).is_absolute() else root / entry["path"]
        if not path.is_file():
            raise ManifestError(f"input {entry['path']} listed in the manifest is missing; restore it to reproduce",
                                folder)
        if manifest.sha256(path.read_bytes()) != entry["sha256"]:
            raise ManifestError(f"input {entry['path']} has changed since the report was made (SHA-256 differs); "
                                "restore the original to reproduce", folder)
    notes = environment_differences(recorded.get("environment") or {}, manifest.environment())
    with tempfile.TemporaryDirectory(prefix="council-reproduce-") as tmp:
        result = run_period(params["year"], params["quarter"], input_path=root / params["input_path"]
                            if not Path(params["input_path"]).is_absolute() else params["input_path"],
                            out_root=Path(tmp) / "outputs", processed_root=Path(tmp) / "processed", force=True,
                            register_path=(root / params["register_path"]) if params.get("register_path") else None)
        again = {p.relative_to(result.out_dir).as_posix(): manifest.sha256(p.read_bytes())
                 for p in result.out_dir.rglob("*") if p.is_file()}
    files = []
    for entry in sorted(recorded["outputs"], key=lambda o: o["path"]):
        name = entry["path"]
        if name not in again:
            files.append((name, "not produced"))
        else:
            files.append((name, "matches" if again[name] == entry["sha256"] else "differs"))
    files += [(name, "new output") for name in sorted(set(again) - {o["path"] for o in recorded["outputs"]}
                                                       - {manifest.MANIFEST})]
    return Check(files, notes)


def environment_differences(recorded: dict, current: dict) -> list[str]:
    """Human-readable differences between the manifest's environment and this one."""
    notes = []
    if recorded.get("python") and recorded["python"] != current["python"]:
        notes.append(f"Python {current['python']} here, {recorded['python']} in the manifest")
    before, now = recorded.get("packages") or {}, current["packages"]
    for name in sorted(set(before) | set(now)):
        if before.get(name) != now.get(name):
            notes.append(f"{name} {now.get(name, 'not installed')} here, {before.get(name, 'not installed')} in the manifest")
    return notes
