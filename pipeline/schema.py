"""The shared vocabulary of the pipeline: status codes, the tidy indicator table, the findings table.

Every stage speaks these words. A status code is the pipeline's own scale, whatever the organisation
calls it: 1 achieved or met, 2 on track, 3 slipped or at risk, 4 not achieved; no code means not
assessed. An organisation's own words for the codes travel as a ``Scale`` (its layout's); no stage names one
organisation's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


STATUS_MEANINGS = {1: "achieved or met", 2: "on track", 3: "slipped or at risk", 4: "not achieved"}


class Scale(dict):
    """An organisation's status scale: each status code (its meaning) -> the organisation's own words for it,
    in the scale's order; codes it does not use are left out. ``numbered``: the organisation names its
    statuses by number too (status 1 to 4), so a report may say "status 1 or 2". ``words``: each code's words one
    by one, where one meaning has several (the label joins them)."""

    def __init__(self, labels=(), numbered: bool = False, words: dict | None = None):
        super().__init__(labels)
        self.numbered = numbered
        self.words = words if words is not None else {code: [label] for code, label in self.items()}

    def __reduce__(self):
        return (type(self), (dict(self), self.numbered, self.words))

    def __repr__(self) -> str:
        return f"Scale({dict(self)!r}, numbered={self.numbered})"


# The scale a stage uses when it is given none: the meanings themselves, in plain words.
PLAIN_SCALE = Scale(STATUS_MEANINGS)

INDICATOR_COLUMNS = [
    "ref",
    "part",
    "section",
    "theme",
    "objective_no",
    "objective",
    "action",
    "measure",
    "directorate",
    "status_code",
    "status",
    "status_kind",
    "progress",
    "remedial",
    "source_line",
    "action_line",
]
INTEGER_COLUMNS = ("part", "objective_no", "status_code", "source_line", "action_line")
FINDING_COLUMNS = ["source_line", "ref", "check", "finding", "action_taken"]
SUMMARY_COLUMNS = ["label", "value", "source_line"]
# The figures behind each indicator, read from the text (Council Plan) or from columns (typed tables).
FIGURE_COLUMNS = [
    "target",
    "baseline",
    "actual",
    "unit",
    "polarity",
    "comparator",
    "target_from",
    "baseline_from",
    "actual_from",
    "polarity_from",
    "due_later",
    "figures_note",
]


def ref_label(ref: str, part: int) -> str:
    """How an indicator is named in a table: ``12.1``, or ``12.1 (2)`` for the second part of a merged Ref."""
    return ref if int(part) == 1 else f"{ref} ({int(part)})"


def ref_labels(rows: pd.DataFrame) -> list[str]:
    """Each row's indicator as a table names it (``ref_label`` of its ``ref`` and ``part``)."""
    return [ref_label(r, p) for r, p in zip(rows["ref"], rows["part"])]


def findings_frame(rows) -> pd.DataFrame:
    """Data-quality findings as the one table every stage builds: (source_line, ref, check, finding, action_taken)
    tuples -> a frame with ``FINDING_COLUMNS`` and an integer ``source_line``."""
    import pandas as pd

    return pd.DataFrame(list(rows), columns=FINDING_COLUMNS).astype({"source_line": "int64"})


def indicator_frame(records: list[dict]) -> pd.DataFrame:
    """Tidy indicator rows (dicts with ``INDICATOR_COLUMNS``) as a frame: nullable integers, text as str."""
    import pandas as pd

    frame = pd.DataFrame(records, columns=INDICATOR_COLUMNS)
    for col in INDICATOR_COLUMNS:
        if col in INTEGER_COLUMNS:
            frame[col] = frame[col].astype("Int64")
        else:
            frame[col] = frame[col].astype(object).fillna("").astype(str)
    return frame
