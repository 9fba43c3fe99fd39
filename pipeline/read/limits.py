"""Reading (its first step): what the pipeline accepts, and reading an input file whole, once.

Kept apart from the parsers so that a run can read its inputs, hash them and find its period up to date
without importing pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError


@dataclass(frozen=True)
class Limits:
    """What the pipeline accepts, far above any real export (the seed is 70 KB, 137 rows, cells under 2,000
    characters; Excel itself holds at most 32,767 characters in a cell)."""

    file_bytes: int = 50 * 2**20  # an input file on disk
    unpacked_bytes: int = 200 * 2**20  # an .xlsx's parts once unzipped (a zip bomb inflates far beyond)
    rows: int = 100_000  # rows of an export or register
    cell_chars: int = 32_767  # characters in one cell: Excel's own limit
    markup_depth: int = 40  # nested HTML elements in one cell

    def describe(self) -> list[tuple[str, str]]:
        """The limits as a reader would see them, for the README and messages."""
        return [
            ("file size", f"{self.file_bytes // 2**20} MB"),
            ("an .xlsx unpacked", f"{self.unpacked_bytes // 2**20} MB"),
            ("rows", f"{self.rows:,}"),
            ("characters in one cell", f"{self.cell_chars:,}"),
            ("nested HTML elements in one cell", f"{self.markup_depth}"),
        ]


LIMITS = Limits()
# A comparison dataset is long (one row per organisation x measure x period) and read by no person: up to
# read.comparison.ROW_LIMIT rows (2,000,000), at about 100 bytes a row.
DATASET_LIMITS = Limits(file_bytes=200 * 2**20)


def read_bytes(path: str | Path, limits: Limits = LIMITS) -> bytes:
    """Read an input file whole, once; its size is checked against ``limits.file_bytes`` before reading.

    Raises InputError when the path is missing, is a directory, cannot be read, is empty or too large.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file; check the path (the default input lives in data/raw/)", p)
    if p.is_dir():
        raise InputError("is a directory, not an export file; name the file inside it", p)
    try:
        size = p.stat().st_size
        if size > limits.file_bytes:
            raise InputError(
                f"is {size / 2**20:,.0f} MB, over the limit of {limits.file_bytes // 2**20} MB for an "
                "input file; is it the right file?",
                p,
            )
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror}); check its permissions", p) from None
    if not data.strip():
        raise InputError("is empty: there is nothing in it to read; save or export the file again", p)
    return data
