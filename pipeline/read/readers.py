"""The readers, by kind of export: each turns an export's raw rows into tidy indicators and their figures.

A layout names its kind (``Layout.kind``); ``READERS`` maps each kind to its ``Reader``: the function that reads
it, where its figures come from (the ``columns`` of a typed table, or the ``text`` of a narrative export), whether
its exports end with a summary of their own, and, for a kind that is one organisation's own, that organisation's
profile (its built-in layout). A typed table is read through its layout's columns (``table``); Stockton's Council
Plan narrative export by its own rules (``stockton``). A new kind of export is a package with a ``READER``, named
in ``PACKAGES``.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Callable

PACKAGES = ("pipeline.read.table", "pipeline.read.stockton")
# An export with no layout of its own is read as the kind whose profile is built in: the first organisation's.
DEFAULT_KIND = "council_plan"


@dataclass(frozen=True)
class Reader:
    """A kind of export's reader: ``read(raw, name, layout, report_year_end)`` -> (``text.Cleaned``, figures);
    ``figures_from`` ("columns" or "text") and ``has_summary`` for the stages after it; ``profile``: the built-in
    layout when the kind is one organisation's own."""

    kind: str
    read: Callable
    figures_from: str
    has_summary: bool
    profile: object = None


@functools.cache
def readers() -> dict[str, Reader]:
    """Every kind's reader, from ``PACKAGES`` (imported on first use: the readers import the layout, which names
    their kinds)."""
    found = {}
    for package in PACKAGES:
        reader = importlib.import_module(package).READER
        found[reader.kind] = reader
    return found


def reader_of(kind: str) -> Reader:
    return readers()[kind]


def default_layout():
    """The layout of an export that has none of its own: the built-in profile of ``DEFAULT_KIND``."""
    return reader_of(DEFAULT_KIND).profile
