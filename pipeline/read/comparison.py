"""Reading a comparison dataset, its layout and its peers file: bytes in, values out, InputError naming the file.

A comparison dataset is long: one row per organisation × measure × period (Oflog's adult social care measures,
the Scottish benchmarking framework, Fingertips, a council's own comparator extract), read through a layout file of
``kind = "benchmark"`` (``ComparisonLayout``) that names its columns, its polarity words and, optionally, the bands
of distance from the median and their words. A peers file gives each organisation's comparator group: a JSON
object mapping each code to its list (Oflog's nearest-neighbour file), or a CSV of codes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import Field, StrictStr

from pipeline.errors import InputError
from pipeline.period import period_key, period_label
from pipeline.read.toml_schema import Strict, line_holding, load_toml, validated

if TYPE_CHECKING:  # pandas is imported where a dataset is read: a run taken from the cache reads none
    import pandas as pd

FIELDS = (
    "organisation",
    "organisation_name",
    "measure",
    "measure_name",
    "period",
    "value",
    "polarity",
    "lower",  # the value's confidence interval, where the dataset gives one: its lower bound ...
    "upper",  # ... and its upper bound
)
REQUIRED = ("organisation", "measure", "period", "value")
ROW_LIMIT = 2_000_000  # rows of a dataset: planning is linear in them, and a run holds them in memory once
# Oflog's automated text: the distance from the median in median absolute deviations, in five bands; past the last,
# a person writes the words. "{better}" is the measure's comparative ("better"/"worse", "higher"/"lower" without a
# polarity, or the measure's own words).
OFLOG_BANDS = (
    (0.5, "broadly similar to"),
    (1.5, "slightly {better} than"),
    (3.0, "{better} than"),
    (7.5, "much {better} than"),
)


class _Head(Strict):
    kind: Literal["benchmark"] = Field(description='"benchmark"')
    name: StrictStr = Field("", description="text in quotes")
    default_polarity: Literal["", "higher", "lower"] = Field("", description='"higher" or "lower"')
    organisation: StrictStr = Field("", description="text in quotes")
    everyone: StrictStr = Field("", description="text in quotes")
    members: StrictStr = Field("", description="text in quotes")


class _Band(Strict):
    upto: float = Field(description="a distance in MADs (a number)", gt=0)
    words: StrictStr = Field(description="text in quotes")


class _Comparative(Strict):
    better: StrictStr = Field(description="text in quotes")
    worse: StrictStr = Field(description="text in quotes")


class ComparisonLayoutFile(Strict):
    """A comparison dataset's layout file."""

    layout: _Head
    columns: dict[Literal[FIELDS], StrictStr]  # type: ignore[valid-type]
    polarity: dict[str, Literal["higher", "lower"]] = {}
    bands: list[_Band] = []
    measures: dict[str, _Comparative] = {}


WORDS = {
    "extra": "has unknown section(s) [{section}]; a comparison layout has [layout], [columns], [polarity], "
    "[[bands]] and [measures]",
    "layout": 'is not a comparison layout: its [layout] must say kind = "benchmark"',
    "layout.kind": 'is not a comparison layout: its [layout] must say kind = "benchmark"',
    "layout:extra": "[layout] has unknown key(s) {key}; known: default_polarity, everyone, kind, members, name, "
    "organisation",
    "layout.default_polarity": 'default_polarity must be "higher" or "lower"',
    "columns:literal_error": "[columns] maps {key!r}, not a comparison field; fields: " + ", ".join(FIELDS),
    "columns": "[columns] maps each field to the dataset's header, as text",
    "polarity": '[polarity] {key!r} = {value!r}: use "higher" or "lower"',
    "bands": "[[bands]] each band gives upto (a distance in MADs, above 0) and words (text)",
    "measures": "[measures.{key}] gives better and worse: the measure's own words for each direction",
}


@dataclass(frozen=True)
class ComparisonLayout:
    """How a comparison dataset maps onto the pipeline: ``columns`` (field -> the dataset's header), ``polarity``
    (the dataset's words, lower-cased -> "higher"/"lower"), ``default_polarity`` (for a dataset without a polarity
    column), ``organisation`` (the reporting organisation's code, when the layout gives it), ``name`` (what the
    dataset is called in the report), ``source``, ``bands`` ((upper edge in MADs, words), in order),
    ``comparatives`` (a measure's own words for better and worse), ``everyone`` (what its whole set of
    organisations is called: "England"; "" for "all organisations") and ``members`` (their word: "councils")."""

    columns: dict
    polarity: dict = field(default_factory=dict)
    default_polarity: str = ""
    organisation: str = ""
    name: str = ""
    source: str = ""
    bands: tuple = OFLOG_BANDS
    comparatives: dict = field(default_factory=dict)
    everyone: str = ""
    members: str = ""


def read_comparison_layout(data: bytes, name: str) -> ComparisonLayout:
    """A comparison layout file (TOML, ``ComparisonLayoutFile``). Raises InputError naming ``name`` (and the line)
    for anything it cannot use."""
    doc, text = load_toml(data, name)
    if not isinstance(doc.get("layout"), dict) or doc["layout"].get("kind") != "benchmark":
        raise InputError(WORDS["layout"], name, line_holding(text, "kind"))
    checked = validated(ComparisonLayoutFile, doc, text, name, WORDS)
    missing = [f for f in REQUIRED if f not in checked.columns]
    if missing or not all(v.strip() for v in checked.columns.values()):
        raise InputError(f"[columns] must map {', '.join(missing) or 'each field to a header'}", name)
    edges = [band.upto for band in checked.bands]
    if edges != sorted(set(edges)):
        raise InputError("[[bands]] must be in order of their upto, each further than the one before", name)
    return ComparisonLayout(
        dict(checked.columns),
        {" ".join(str(w).split()).lower(): m for w, m in checked.polarity.items()},
        checked.layout.default_polarity,
        checked.layout.organisation,
        checked.layout.name,
        name,
        tuple((b.upto, b.words) for b in checked.bands) or OFLOG_BANDS,
        {code: (c.better, c.worse) for code, c in checked.measures.items()},
        " ".join(checked.layout.everyone.split()),
        " ".join(checked.layout.members.split()),
    )


def read_dataset(text: str, layout: ComparisonLayout, name: str) -> pd.DataFrame:
    """The dataset's rows as ``organisation, organisation_name, measure, measure_name, period_key, period, value,
    lower, upper, polarity, polarity_word, line, infinite``: values as numbers (blank or words: no value; a number
    that is not finite, such as ``inf`` or ``1e309``, is no value and flagged ``infinite``), names without
    invisible or bidirectional-control characters (flagged ``invisible``), polarity "higher"/"lower"/"". Raises InputError naming ``name`` when it is not a CSV table, has more than ``ROW_LIMIT``
    rows, lacks a mapped column, or gives a period in no notation the pipeline reads (with its line)."""
    import pandas as pd

    raw = _csv_table(text, name)
    absent = [header for header in layout.columns.values() if header not in raw.columns]
    if absent:
        raise InputError(
            f"has no column {', '.join(map(repr, absent))} that its layout names; its columns are "
            f"{', '.join(map(repr, raw.columns[:12]))}",
            name,
        )

    def col(field_name: str) -> pd.Series:
        header = layout.columns.get(field_name)
        if not header:
            return pd.Series([""] * len(raw), index=raw.index)
        return pd.Series([str(v).strip() for v in raw[header].to_numpy()], index=raw.index, dtype=object)

    keys, labels = _period_keys(col("period"), name)
    names = {field_name: _visible(col(field_name)) for field_name in ("organisation_name", "measure_name")}
    words = col("polarity")
    meaning = {w: layout.polarity.get(" ".join(w.split()).lower(), "") if w else "" for w in words.unique()}
    polarity = (
        words.map(meaning) if "polarity" in layout.columns else pd.Series(layout.default_polarity, index=raw.index)
    )
    given = col("value")
    values = _numbers(given)
    bounds = {
        side: _numbers(col(side)) if side in layout.columns else pd.Series(math.nan, index=raw.index)
        for side in ("lower", "upper")
    }
    return pd.DataFrame(
        {
            "organisation": col("organisation"),
            "organisation_name": names["organisation_name"][0],
            "measure": col("measure"),
            "measure_name": names["measure_name"][0],
            "period_key": keys,
            "period": labels,
            "value": values,
            "lower": bounds["lower"],
            "upper": bounds["upper"],
            "polarity": polarity,
            "polarity_word": words,
            "line": range(2, len(raw) + 2),
            "infinite": infinite_values(given, values),
            "invisible": names["organisation_name"][1] | names["measure_name"][1],
        }
    )


def _visible(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Names without invisible and bidirectional-control characters (which could reverse a title or make two
    names look alike), each distinct name cleaned once; and which rows had any."""
    from pipeline.read.text import strip_invisible

    cleaned = {v: strip_invisible(v) for v in names.unique()}
    return names.map(lambda v: cleaned[v][0]), names.map(lambda v: cleaned[v][1] > 0).astype(bool)


def _csv_table(text: str, name: str) -> pd.DataFrame:
    """The dataset's cells as text. Raises InputError when it is not a CSV table or is over ``ROW_LIMIT`` rows."""
    import io

    import pandas as pd

    rows = text.count("\n")
    if rows > ROW_LIMIT + 1:
        raise InputError(
            f"has {rows:,} lines; a comparison dataset holds at most {ROW_LIMIT:,} rows (split it by period or measure)",
            name,
        )
    try:
        return pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"is not a CSV table ({str(exc).splitlines()[0]})", name) from None


def _period_keys(periods: pd.Series, name: str) -> tuple[pd.Series, pd.Series]:
    """Each row's period key and label (each notation parsed once). Raises InputError for one not read."""

    key_of = {text: period_key(text) for text in periods.unique()}
    unread = [text for text, key in key_of.items() if key is None]
    if unread:
        first = int(periods.eq(unread[0]).to_numpy().argmax())
        raise InputError(
            f"period {unread[0]!r} is in no notation the pipeline reads (2016-17, 2016/17, 2016, 2016/17 Q2)",
            name,
            first + 2,
        )
    keys = periods.map(key_of)
    return keys, keys.map({k: period_label(k) for k in key_of.values()})


def _numbers(given: pd.Series) -> pd.Series:
    """Numbers from text (thousands separators allowed); blank, words and anything not finite are no value."""
    import numpy as np
    import pandas as pd

    if any("," in v for v in given.unique()):
        given = given.str.replace(",", "", regex=False)
    values = pd.to_numeric(given, errors="coerce").astype(float)
    return values.where(np.isfinite(values))


def infinite_values(text_values: pd.Series, values: pd.Series) -> pd.Series:
    """Which rows gave a value that is a number but not a finite one (``inf``, ``1e309``): refused as values."""
    import pandas as pd

    given = pd.to_numeric(text_values.str.replace(",", "", regex=False), errors="coerce")
    return given.notna() & values.isna()


# --- peers ---------------------------------------------------------------------------------------


class PeersFile:
    """A peers file, parsed once: ``groups`` (code -> its comparator group's codes, from a JSON object) or
    ``codes`` (one list, from a CSV: every organisation's group)."""

    def __init__(self, groups: dict | None = None, codes: list | None = None, name: str = ""):
        self.groups, self.codes, self.name = groups, codes, name

    def of(self, organisation: str) -> list[str] | None:
        """The organisation's group (itself first, each code once), or None when a JSON file has no entry for it."""
        if self.groups is not None:
            if organisation not in self.groups:
                return None
            codes = self.groups[organisation]
        else:
            codes = self.codes or []
        return list(dict.fromkeys([organisation, *codes]))


def read_peers_file(data: bytes, name: str) -> PeersFile:
    """A peers file: a JSON object mapping each code to its list of codes, or a CSV whose first (or ``code``) column
    lists the codes. Raises InputError naming the file for an empty file, JSON that is not such an object (an
    array, a key given twice, nesting too deep), or a CSV with no code in it."""
    text = data.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise InputError("is empty: a peers file lists the comparator group's codes (a CSV) or each code's group "
                         "(a JSON object)", name)  # fmt: skip
    if text.lstrip()[:1] in "{[":
        return PeersFile(groups=_json_groups(text, name), name=name)
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower() for h in rows[0]]
    at = header.index("code") if "code" in header else 0
    codes = [r[at].strip() for r in rows[1:] if len(r) > at and r[at].strip()]
    if not codes:
        raise InputError("lists no code below its header: a peers CSV has a code column (or codes in its first)", name)
    return PeersFile(codes=codes, name=name)


def _json_groups(text: str, name: str) -> dict:
    def refuse_twice(pairs):
        keys = [k for k, _ in pairs]
        twice = next((k for k in keys if keys.count(k) > 1), None)
        if twice is not None:
            raise InputError(f"gives {twice!r} twice: each code's group once", name)
        return dict(pairs)

    try:
        groups = json.loads(text, object_pairs_hook=refuse_twice)
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON ({exc.msg})", name, exc.lineno) from None
    except RecursionError:
        raise InputError("is nested too deeply to be a peers file (each code maps to a list of codes)", name) from None
    if not isinstance(groups, dict):
        raise InputError("is JSON but not an object: a peers file maps each code to its list of codes", name)
    for code, members in groups.items():
        if not isinstance(members, list) or not all(isinstance(c, str) for c in members):
            raise InputError(f"{code!r} must map to a list of codes", name)
    return groups
