"""The one error tree of the pipeline.

Every error the pipeline raises on purpose is a ``PipelineError``. Its text
names the file (and line, where there is one) and says what to do, so the
command line can print it as ``error: FILE:LINE: message`` and exit 2.

Findings about the data (odd rows, mismatched totals) are *not* errors: they
are rows of the data-quality table and appear in the report.
"""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return where + self.message


class InputError(PipelineError):
    """An input file cannot be read: missing, a directory, empty, binary, corrupt."""


class NotAnExportError(InputError):
    """A readable table that is not a Council Plan progress export."""


class UsageError(PipelineError):
    """Arguments or parameters that make no sense (a malformed year, an unknown quarter)."""


class RenderError(PipelineError):
    """The report notebook or its conversion to HTML/PDF failed."""


class ManifestError(PipelineError):
    """A period folder has no usable manifest.json, so it cannot be verified or reproduced."""


class OutputError(PipelineError):
    """An output folder cannot be written: read-only, not a folder, or the disk is full."""


def printable(text: object) -> str:
    """``text`` safe to print on a terminal: every control, format or other unprintable character (an escape
    sequence that could move the cursor and draw a fake line, a bidirectional override) is shown as its escape
    (``\\x1b``, ``\\u202e``) instead of acting on the screen."""
    out = []
    for ch in str(text):
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)
