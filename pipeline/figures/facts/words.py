"""What the facts count and the words they are said in: shared by every fact."""

from __future__ import annotations

import pandas as pd

ON, OFF = (1, 2), (3, 4)
SHOWN = 4  # refs named in a sentence before "and N more"


# --- words -------------------------------------------------------------------------------------------


def n_of(n: int, one: str, many: str | None = None) -> str:
    """``3 indicators``, ``1 indicator``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def listed(items: list[str], each: str = "") -> str:
    """``a``, ``a and b``, ``a, b and c``; ``each``: a word before every item after the first (``in``), so that a
    name holding "and" is never read as two."""
    items = [items[0]] + [each + i for i in items[1:]]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def refs_said(refs: list[str]) -> str:
    """The first ``SHOWN`` refs, and how many more."""
    return ", ".join(refs[:SHOWN]) + (f" and {len(refs) - SHOWN:,} more" if len(refs) > SHOWN else "")


def group_said(code: str, params: dict) -> str:
    """A group as a committee reads it: ``Resources (RES)`` where its full name is known, else its code."""
    name = (params.get("names") or {}).get(code)
    return f"{name} ({code})" if name and name != code else code


def groups_word(params: dict, n: int = 2) -> str:
    word = params.get("group_word") or "group"
    return word if n == 1 else params.get("group_plural") or _plural(word)


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


# --- what the facts count ------------------------------------------------------------------------------


def coded(indicators: pd.DataFrame) -> pd.Series:
    return indicators["status_code"].astype("Int64")


def is_on(indicators: pd.DataFrame) -> pd.Series:
    return coded(indicators).isin(ON).fillna(False).astype(bool)


def is_off(indicators: pd.DataFrame) -> pd.Series:
    return coded(indicators).isin(OFF).fillna(False).astype(bool)


def totals(indicators: pd.DataFrame) -> pd.Series:
    """The rows that are an export's own totals (kept and listed, never ranked against a target)."""
    if "row_kind" not in indicators:
        return pd.Series(False, index=indicators.index)
    return indicators["row_kind"].fillna("").astype(str) == "total"


def groups_of(indicators: pd.DataFrame) -> pd.Series:
    """Each indicator's group ("" where the export gives none)."""
    column = indicators["directorate"] if "directorate" in indicators else pd.Series("", index=indicators.index)
    return column.fillna("").astype(str).str.strip()
