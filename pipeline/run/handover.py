"""Handing a run's prepared data to its notebook kernel, and starting the kernel while the run prepares it.

The run starts the kernel first (it boots while the parent imports and cleans), prepares the data once, and
writes it where the kernel will look (``hand_over``); the notebook's ``load_period``/``load_plan`` take it
(``handed_over``) instead of reading the inputs again.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UsageError

# The environment variable through which a run hands its prepared data to the notebook kernel.
HANDOVER_VARIABLE = "COUNCIL_REPORT_PREPARED"


@dataclass(frozen=True)
class Started:
    """A notebook kernel started (``km``) and the place it will look for what this process prepares."""

    km: object
    place: Path

    def hand(self, kind: str, parameters: dict, data, software: dict | None = None) -> None:
        """Hand ``data`` to this kernel (``hand_over``)."""
        hand_over(self.place, kind, parameters, data, software)


@contextlib.contextmanager
def kernel_while_preparing():
    """A notebook kernel started now, so that it boots while this process imports and cleans, and the place
    where this process will hand it what it prepared (``hand_over``): the kernel is started knowing it.
    The kernel is stopped on leaving, whatever happened. Raises OutputError when the temporary folder
    cannot be written."""
    from pipeline import scratch
    from pipeline.errors import OutputError
    from pipeline.run import kernel

    with scratch.private_folder("handover") as tmp:
        place = tmp / "prepared.pickle"
        try:
            with kernel.started({HANDOVER_VARIABLE: str(place)}) as km:
                yield Started(km, place)
        except OSError as exc:
            raise OutputError(
                f"the notebook kernel could not be started or handed the data ({exc.strerror or exc}); "
                "free space in the temporary folder or set TMPDIR",
                tempfile.gettempdir(),
            ) from None


def hand_over(place: Path, kind: str, parameters: dict, data, software: dict | None = None) -> None:
    """Write ``data`` where the kernel will find it: ``load_period``/``load_plan`` in the notebook take it
    instead of reading the inputs again (one read, one clean, per run); ``software``: the run's
    ``manifest.software()``, which the kernel adopts rather than describe the same Python again, as it does the
    fonts this process has read (``fonts.read_so_far``) rather than read their files again. Raises
    OutputError when the temporary folder cannot take it (full, or over a file-size limit)."""
    from pipeline.errors import OutputError
    from pipeline.report import fonts

    part = place.with_suffix(".part")
    try:
        part.write_bytes(
            pickle.dumps(
                {
                    "kind": kind,
                    "parameters": parameters,
                    "data": data,
                    "software": software,
                    "fonts": fonts.read_so_far(),
                },
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        )
        part.replace(place)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise OutputError(
            f"the prepared data could not be handed to the notebook kernel ({exc.strerror or exc}); "
            "free space in the temporary folder or set TMPDIR",
            tempfile.gettempdir(),
        ) from None


def handed_over(kind: str, parameters: dict):
    """The data a run handed to this kernel, or None when there is none (a notebook run by hand).

    The file is taken only when it belongs to this user and its folder is private (0700), as the run made
    them: a file put there by anyone else is refused, never unpickled. The variable is unset once read.
    Raises UsageError when it was prepared for another kind of report or period than ``parameters``, or is
    not the run's own.
    """
    path = os.environ.pop(HANDOVER_VARIABLE, None)
    if not path or not Path(path).is_file():
        return None
    place = Path(path)
    file_info, folder_info = place.stat(), place.parent.stat()
    if file_info.st_uid != os.getuid() or folder_info.st_uid != os.getuid() or folder_info.st_mode & 0o077:
        raise UsageError(
            f"the data handed to this kernel ({path}) is not in a private folder of this user; not read. "
            f"Unset {HANDOVER_VARIABLE}"
        )
    given = pickle.loads(place.read_bytes())  # written by this pipeline's own parent process, 0700 folder
    mismatch = {k: v for k, v in parameters.items() if given["parameters"].get(k) != v}
    if given["kind"] != kind or mismatch:
        raise UsageError(
            f"the data prepared for this run is for the {given['kind']} report of "
            f"{given['parameters'].get('year')} {given['parameters'].get('quarter')}, not {kind} "
            f"{parameters.get('year')} {parameters.get('quarter')}; unset {HANDOVER_VARIABLE}"
        )
    from pipeline.report import fonts
    from pipeline.run import manifest

    manifest.adopt(given.get("software"))
    fonts.adopt(given.get("fonts"))
    return given["data"]
