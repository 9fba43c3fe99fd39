"""What the proposer reads in a column's values (``propose``): their shape, how well they fit a field, the status and
polarity words' meanings, the columns named by years, the month a year starts in, a direction from the figures."""

from __future__ import annotations

import re

SURE, LIKELY = 0.9, 0.5
_NUMBERISH = re.compile(r"^[(\-+\u2212£$€]*\s*\d[\d,]*(\.\d+)?\s*(%|k|m|bn)?\)?$", re.I)
_REFISH = re.compile(r"^[A-Za-z]{0,8}[-_.]?\d+([-_.][A-Za-z0-9]+)*[A-Za-z]?$|^[A-Z]{1,6}[-_.]?[A-Z0-9]{1,8}$")
_STATUS_WORDS = re.compile(
    r"^(g|a|r|green|amber|red|blue|met|not met|on track|off track|achieved|not achieved|at risk)$"
)
_POLARITY_WORDS = re.compile(r"^(higher|lower|high|low|up|down|over|under|max(imise)?|min(imise)?|increase|decrease)$")
_UNIT_WORDS = re.compile(
    r"^(%|percent(age)?|per ?cent|number|no\.?|count|£|\$|€|£k|£m|ratio|rate|index|days?|weeks?|hours?|minutes?"
    r"|score|hectares|tonnes|kg|per [\d,]+( \w+)?|us dollars|pounds)$"
)
_YEAR_HEADER = re.compile(r"^(?:fy\s*|year\s*)?((?:19|20)\d\d)(?:\s*[-/]\s*(\d\d|(?:19|20)\d\d))?(?:\s*actual)?$", re.I)
_NAME_LIKE = re.compile(r"^[^{};=<>`|\\]{1,80}$")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_STATUS_GUESS = [  # in order: the first pattern that matches a word gives its meaning
    (r"^(n/?a|na|-|tbc|tba)$|data only|unknown|not due|no target|monitor|not assessed|no data", ""),
    (
        r"^r$|^red$|not met|did not|didn'?t|not meet|miss|off track|below|^no$|not achieved|fail|limited progress"
        r"|no progress|worse",
        4,
    ),  # fmt: skip
    (r"^g$|^green$|^blue$|^met\b|achieved|complete|exceed|on target|^yes$|^good$", 1),
    (r"on track|on course", 2),
    (r"^a$|amber|at risk|slipp|warning|near|^y$|moderate|some progress|partly|partial", 3),
]
_POLARITY_GUESS = [
    (r"up|high|max|increase|bigger|more|over|above", "higher"),
    (r"down|low|min|decrease|reduce|smaller|less|under|below", "lower"),
]


def sure_word(score: float) -> str:
    return "sure" if score >= SURE else "likely" if score >= LIKELY else "a guess"


def columns_of(body: list[list[str]], index: int | None) -> list[str]:
    """Column ``index`` of the body, its cells' spaces tidied ([] for None)."""
    if index is None:
        return []
    return [" ".join(row[index].split()) if index < len(row) else "" for row in body]


def profile(values: list[str]) -> dict:
    """What a column holds: how many values, how many distinct, the share of numbers, their mean length, and
    whether they look like refs, status words, polarity words, units, a code (a few small whole numbers), prose."""
    filled = [v for v in values if v]
    n = len(filled)
    distinct = {v.lower() for v in filled}
    numbers = [v for v in filled if _NUMBERISH.match(v)]
    shape = {
        "n": n,
        "distinct": len(distinct),
        "unique": len(distinct) / n if n else 0.0,
        "numeric": len(numbers) / n if n else 0.0,
        "length": sum(len(v) for v in filled) / n if n else 0.0,
        "statusish": bool(distinct) and all(_STATUS_WORDS.match(v) for v in distinct),
        "polarityish": bool(distinct) and all(_POLARITY_WORDS.match(v) for v in distinct),
        "unitish": bool(distinct) and all(_UNIT_WORDS.match(v) for v in distinct),
        "refish": n >= 2 and len(distinct) / n >= 0.9 and sum(bool(_REFISH.match(v)) for v in filled) >= 0.8 * n,
        "prose": n > 0 and sum(len(v.split()) >= 4 for v in filled) >= 0.5 * n,
    }
    shape["coded"] = (
        bool(numbers)
        and len(numbers) >= 0.8 * n
        and n >= 6
        and 3 <= len(distinct) <= min(20, n / 2)
        and all(re.fullmatch(r"\d{1,2}", v) for v in numbers)
    )
    shape["repeated_words"] = (
        2 <= len(distinct) <= 8 and n >= 2 * len(distinct) and shape["numeric"] < 0.2 and shape["length"] <= 24
    )
    return shape


def _agrees(field: str, shape: dict) -> int:
    """Whether a column's contents agree with ``field`` (1), say nothing of it (0) or contradict it (-1)."""
    if field == "ref":
        return 1 if shape["refish"] else -1 if shape["unique"] < 0.8 or shape["prose"] else 0
    if field == "measure":
        if shape["refish"] or shape["numeric"] > 0.3 or shape["length"] < 6:
            return -1
        return 1 if shape["length"] >= 12 and shape["unique"] >= 0.8 else 0
    if field in ("target", "actual", "baseline", "previous"):
        if shape["numeric"] < 0.5 or shape["prose"]:
            return -1
        return 0 if shape["coded"] else 1  # a few small whole numbers repeated: a code, unless the header says so
    if field == "status":
        return 1 if shape["statusish"] or shape["repeated_words"] else -1 if shape["distinct"] > 12 else 0
    if field == "polarity":
        return 1 if shape["polarityish"] else -1 if shape["distinct"] > 12 else 0
    if field == "unit":
        return 1 if shape["unitish"] else -1 if shape["distinct"] > 40 else 0
    if field in ("directorate", "theme"):
        return -1 if shape["numeric"] > 0.5 or shape["refish"] else 1 if shape["unique"] <= 0.5 else 0
    if field in ("progress", "remedial"):
        return -1 if shape["numeric"] > 0.5 else 1 if shape["length"] >= 12 else 0
    return 0


def score(field: str, key: str, plain: str, maybe: str, shape: dict) -> tuple[float, str]:
    """How well a column (header ``key``, contents ``shape``) fits ``field``: (score 0-1, why). Sure only when the
    header names the field and the contents agree; a header the contents contradict is not followed at all."""
    header = 1.0 if re.search(plain, key) else 0.6 if re.search(maybe, key) else 0.0
    said = "its header" if header == 1.0 else "its header, loosely"
    if not shape["n"]:
        return (0.5 * header, said + ", though the column is empty") if header else (0.0, "")
    contents = _agrees(field, shape)
    if header and contents < 0:  # the values say otherwise: the header is not followed (listed as not used)
        return 0.0, ""
    if header == 1.0:
        return (0.95, said + " and its values") if contents > 0 else (0.75, said)
    if header and field in ("target", "actual", "baseline", "previous") and shape["coded"]:
        return 0.0, ""  # "sdg goal": goal numbers, not a target
    if header:
        return (0.7, said + " and its values") if contents > 0 else (0.45, said)
    signatures = {"status": "statusish", "polarity": "polarityish", "unit": "unitish"}
    if field in signatures and shape[signatures[field]]:
        return 0.6, f"its values are {field} words"
    if field == "status" and shape["repeated_words"]:
        return 0.55, "its values are a few words, repeated"
    return 0.0, ""


def header_row(cells: list[list[str]]) -> int | None:
    """The first row (of 60) with three or more column names over rows of values: a table's header. None for a
    file that holds no table (a script, prose)."""
    for pos, row in enumerate(cells[:60]):
        names = [
            c
            for c in row
            if c.strip()
            and (re.search(r"[A-Za-z]", c) or _YEAR_HEADER.match(c.strip()))
            and _NAME_LIKE.match(c.strip())
        ]
        if len(names) < 3 or len(names) < 0.6 * sum(1 for c in row if c.strip()):
            continue
        below = [r for r in cells[pos + 1 : pos + 12] if any(c.strip() for c in r)]
        rows = sum(1 for r in below if sum(1 for c in r if c.strip()) >= 2)
        if rows >= min(2, len(below)) and below:
            return pos
    return None


def history_columns(header: list[str], shapes: dict) -> dict[int, int]:
    """The columns named by a year (``2016``, ``2016/17``, ``FY2016``) that hold figures: {start year: column}, when
    there are two or more."""
    found = {}
    for i, shape in shapes.items():
        m = _YEAR_HEADER.match(header[i].strip())
        if m and shape["numeric"] >= 0.5:
            found[int(m.group(1))] = i
    return found if len(found) >= 2 else {}


def guess_status(word: str):
    """A status word's meaning (1-4, "" not assessed), or None when it is not plain."""
    said = " ".join(re.sub(r"[_\-]+", " ", word.lower()).split())
    return next((code for pattern, code in _STATUS_GUESS if re.search(pattern, said)), None)


def guess_polarity_word(word: str) -> str | None:
    return next((p for pattern, p in _POLARITY_GUESS if re.search(pattern, word.lower())), None)


def guess_polarity(body: list[list[str]], chosen: dict) -> tuple[str, float, str] | None:
    """A table-wide direction from the statuses and the figures: a met status above its target says higher is
    better, below it lower; a missed one the other way. (direction, score, why), or None when they do not show one."""
    from pipeline.read.table.numbers import parse_number

    if not {"status", "target", "actual"} <= set(chosen):
        return None
    votes = {"higher": 0, "lower": 0}
    at = {field: chosen[field][0] for field in ("status", "target", "actual")}
    for row in body:
        cells = {field: row[i] if i < len(row) else "" for field, i in at.items()}
        meaning = guess_status(cells["status"])
        target, actual = parse_number(cells["target"])[0], parse_number(cells["actual"])[0]
        if meaning in ("", None) or target is None or actual is None or target == actual:
            continue
        votes["higher" if (actual > target) == (meaning in (1, 2)) else "lower"] += 1
    total = sum(votes.values())
    if total < 3:
        return None
    best = max(votes, key=votes.get)
    share = votes[best] / total
    if share < 0.75:
        return None
    why = f"{votes[best]} of the {total} rows with a status and figures read so (met above target: higher is better)"
    return best, (0.95 if share >= 0.95 and total >= 5 else 0.6), why


def year_start_of(texts: list[str]) -> tuple[str, str] | None:
    """The month the organisation's year starts in, where its export says so (``Q1 (Jul-Sep)``, ``fiscal year
    begins in July``): (month's name, why), else None."""
    text = " ".join(t for t in texts if t).lower()
    months = "|".join(m[:3] for m in MONTHS)
    m = re.search(rf"\bq(?:uarter)?\s*1\b\W{{0,6}}({months})[a-z]*", text) or re.search(
        rf"(?:fiscal|financial) year (?:starts|begins|starting|beginning|runs from)(?: in| on| from)?\s+(?:1 )?({months})",
        text,
    )
    if not m:
        return None
    month = next(name for name in MONTHS if name.startswith(m.group(1)))
    return month.title(), f"the export says its first quarter starts in {month.title()}: check it"
