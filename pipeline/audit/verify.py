"""Verify a report folder against its manifest: the SHA-256 of every output the manifest lists, recomputed (only
files inside the folder count)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.run import manifest


@dataclass
class Check:
    """Per-file states; notes (environment differences) that do not decide the outcome; and, when files
    differ, the reasons found (what differs between the manifest and this reproduction)."""

    files: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(state in ("ok", "matches") for _, state in self.files)


def verify(folder: str | Path) -> Check:
    """Recompute the hashes of a report folder's outputs against its ``manifest.json``.

    A listed output that is absolute or leads out of the folder (``../``) fails as "outside the folder".
    Raises ManifestError when the folder has no usable manifest.
    """
    folder = Path(folder)
    return Check(manifest.check_outputs(folder, manifest.read(folder)))
