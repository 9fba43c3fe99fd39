"""What several report pieces share: badges, short text, references and their anchors, directorate names."""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from pipeline.report.blocks import Badge, Num

STATUS_MARKS = {1: "\u25a0", 2: "\u25cf", 3: "\u25b2", 4: "\u25c6"}  # square, circle, triangle, diamond
NO_STATUS_MARK = "\u25cb"  # open circle
RAG_MARKS = {"green": "\u25cf", "amber": "\u25b2", "red": "\u25a0"}  # circle, triangle, square


def status_badge(code, label: str) -> Badge:
    """A status as a word with a shape before it; the shape comes from the status's meaning (its code: 1 met,
    2 on track, 3 slipped, 4 not met), never from an organisation's word for it."""
    if code is None or pd.isna(code):
        mark, kind = NO_STATUS_MARK, "none"
    else:
        mark, kind = STATUS_MARKS[int(code)], str(int(code))
    label = label if str(label).strip() else "Not assessed"  # an export with no status column gives no word
    return Badge("status", kind, mark, str(label))


def rag_badge(rag: str) -> Badge:
    """RAG as a word with a shape; empty RAG reads 'no figures'."""
    if not rag or rag not in RAG_MARKS:
        return Badge("rag", "none", "", "no figures")
    return Badge("rag", rag, RAG_MARKS[rag], rag.capitalize())


def figure(value, unit: str = "", signed: bool = False) -> Num:
    return Num(None if value is None or pd.isna(value) else float(value), unit or "", signed)


def figures(values, units, signed: bool = False) -> list[Num]:
    return [figure(v, u if isinstance(u, str) else "", signed) for v, u in zip(values, units)]


def percent_change(value) -> Num:
    return Num(None if value is None or pd.isna(value) else float(value), style="percent_change")


def column(frame: pd.DataFrame, name: str, default=""):
    """``frame[name]``, or ``default`` for each row when a frame built by hand lacks it."""
    return frame[name] if name in frame else pd.Series([default] * len(frame), index=frame.index)


def short(text: str, width: int = 42) -> str:
    """``text`` on one line, cut at the last space before ``width`` with an ellipsis: never inside a word
    (a first word longer than ``width`` is cut, as nothing shorter could stand for it)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    head = text[: width + 1]  # a space just after the width still ends a whole word
    cut = head.rsplit(" ", 1)[0] if " " in head else text[: width - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def first_sentence(text: str, width: int = 160) -> str:
    first = re.split(r"(?<=[.!?])\s+", " ".join(str(text).split()), maxsplit=1)[0]
    return short(first, width)


def plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"


def anchors(refs: list[str]) -> list[str]:
    """The id of each indicator's block of full text, unique within the report: ``exception-12-1-2`` for
    ``12.1 (2)``. Refs that differ only in punctuation or case (``A.1`` and ``A-1``, ``A1`` and ``a1``) or have no
    letter or digit in ASCII get a short hash of the ref, so that each link goes to its own block."""
    used: set[str] = set()
    out = []
    for ref in refs:
        base = "exception-" + (re.sub(r"[^A-Za-z0-9]+", "-", ref).strip("-").lower() or "ref")
        name, n = base, 1
        while name in used:
            name = f"{base}-{hashlib.sha256(ref.encode('utf-8')).hexdigest()[:8]}" + (f"-{n}" if n > 1 else "")
            n += 1
        used.add(name)
        out.append(name)
    return out


def periods_off(row) -> str:
    count = getattr(row, "off_track_periods", None)
    if count is None or pd.isna(count):
        return ""
    return f"at least {int(count)}" if bool(getattr(row, "off_track_at_least", False)) else str(int(count))


def directorate_name(code: str, names: dict | None) -> str:
    """A directorate as a committee reads it: ``Resources (RES)`` when its name is known, else the code."""
    if not code:
        return "(not given)"
    name = (names or {}).get(code)
    return f"{name} ({code})" if name and name != code else code
