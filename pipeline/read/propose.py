"""Proposing a layout for an export the pipeline has never seen (``python -m pipeline layout FILE``).

Each column is judged twice: by its header (``Target 2024/25``, ``RAG``, ``This Quarter``) and by what it holds
(a ref is nearly always different from row to row; a measure is text of some length; a target or an actual is
mostly numbers; a status or a unit column repeats a few short words). The two together give each field a score;
fields are given to columns best first, one column each, and the proposal says how sure it is of each one
(``sure``, ``likely``, ``a guess``). The status and polarity words found are mapped where their meaning is
plain (``G``/``A``/``R``, ``Green``, ``Met``; ``Higher``, ``Over``), and marked for the analyst where it is not.
"""

from __future__ import annotations

import re

from pipeline.errors import InputError

# field, a header that names it plainly, a header that may name it. Checked on the header lower-cased, with
# underscores as spaces.
_HEADERS = [
    (
        "ref",
        r"^(kpi|pi|indicator|measure|metric)?\s*(ref(erence)?|code|id|no\.?|number)$|^ref\b|\bref$",
        r"\bref\b|\bcode\b|\bid\b",
    ),
    (
        "measure",
        r"^(indicator|measure|kpi|metric|description|indicator name|measure name|kpi name|performance indicator|title|name)$",
        r"indicator|measure|description|metric|\bkpi\b|title",
    ),
    (
        "directorate",
        r"^(directorate|department|service|portfolio|division|team|owner|lead)$",
        r"directorate|department|service|responsib|owner|\blead\b|portfolio|division",
    ),
    (
        "theme",
        r"^(theme|priority|programme|project|category|objective|outcome area)$",
        r"theme|priority|programme|project|category|outcome area|objective",
    ),
    ("baseline", r"^baseline", r"baseline"),
    (
        "target",
        r"^(target|plan|goal|standard|threshold|ambition)\b|\btarget$",
        r"target|\bplan\b|\bgoal\b|standard|threshold|trajectory",
    ),
    (
        "previous",
        r"^(previous|prior|last) (quarter|month|year|period)|^previous\b",
        r"previous|prior|last (quarter|month|year|period)",
    ),
    (
        "actual",
        r"^(actual|result|outturn|this (quarter|month|year|period)|current|performance|value|ytd)\b",
        r"actual|result|outturn|current|value|performance|\bq[1-4]\b|this (quarter|month|year|period)|ytd",
    ),
    ("unit", r"^units?$|^measure type$|^unit of measure", r"\bunits?\b|measure type"),
    ("polarity", r"polarity|good is|better is|direction of good|aim to|good direction", r"polarity|good|better|aim"),
    ("status", r"^(status|rag|rating|rag status|rag rating)$", r"status|\brag\b|rating"),
    ("trend", r"^(trend|direction of travel|dot)$", r"trend|direction of travel|\bdot\b"),
    (
        "progress",
        r"^(comments?|commentary|notes?|narrative|progress|explanation)$",
        r"comment|commentary|notes?$|narrative|progress|explanation",
    ),
    ("remedial", r"remedial|mitigation|recovery|corrective", r"action"),
    ("period", r"^(period|month|reporting period|date|quarter)$", r"period|month"),
]
_STATUS_GUESS = [
    (r"^g$|^green$|^blue$|^met$|achieved|complete|exceed|on target|^yes$", 1),
    (r"on track", 2),
    (r"^a$|amber|at risk|slipp|warning|near|^y$", 3),
    (r"^r$|^red$|not met|did.?not|miss|off track|below|^no$", 4),
    (r"data only|^n/?a$|unknown|not due|no target|monitor|^-$|tbc", ""),
]
_POLARITY_GUESS = [
    (r"up|high|max|increase|bigger|more|over|above", "higher"),
    (r"down|low|min|decrease|reduce|smaller|less|under|below", "lower"),
]
_STATUS_WORDS = re.compile(
    r"^(g|a|r|green|amber|red|blue|met|not met|on track|off track|achieved|not achieved|at risk)$"
)
_POLARITY_WORDS = re.compile(r"^(higher|lower|high|low|up|down|over|under|max(imise)?|min(imise)?|increase|decrease)$")
_UNIT_WORDS = re.compile(
    r"^(%|percent(age)?|per ?cent|number|no\.?|count|£|\$|€|£k|£m|ratio|rate|index|days?|weeks?|hours?|minutes?"
    r"|score|hectares|tonnes|kg|per [\d,]+( \w+)?|us dollars|pounds)$"
)
_NUMBERISH = re.compile(r"^[(\-+\u2212£$€]*\s*\d[\d,]*(\.\d+)?\s*(%|k|m|bn)?\)?$", re.I)
SURE, LIKELY = 0.9, 0.5


def _profile(values: list[str]) -> dict:
    """What a column holds: how many values, how many distinct, how many numbers, their mean length."""
    filled = [v for v in values if v]
    n = len(filled)
    distinct = {v.lower() for v in filled}
    return {
        "n": n,
        "distinct": len(distinct),
        "unique": len(distinct) / n if n else 0.0,
        "numeric": sum(bool(_NUMBERISH.match(v)) for v in filled) / n if n else 0.0,
        "length": sum(len(v) for v in filled) / n if n else 0.0,
        "statusish": bool(distinct) and all(_STATUS_WORDS.match(v) for v in distinct),
        "polarityish": bool(distinct) and all(_POLARITY_WORDS.match(v) for v in distinct),
        "unitish": bool(distinct) and all(_UNIT_WORDS.match(v) for v in distinct),
    }


def _score(field: str, key: str, plain: str, maybe: str, shape: dict) -> tuple[float, str]:
    """How well a column (header ``key``, contents ``shape``) fits ``field``: (score 0-1, why)."""
    score, why = (
        (1.0, "its header")
        if re.search(plain, key)
        else (0.6, "its header, loosely")
        if re.search(maybe, key)
        else (0.0, "")
    )
    few = shape["distinct"] <= 12
    if field == "status" and shape["statusish"]:
        score, why = max(score, 0.8) + 0.1, (why + " and " if why else "") + "its values are status words"
    if field == "polarity" and shape["polarityish"]:
        score, why = max(score, 0.8) + 0.1, (why + " and " if why else "") + "its values are polarity words"
    if field == "unit" and shape["unitish"]:
        score, why = max(score, 0.8) + 0.1, (why + " and " if why else "") + "its values are units"
    if not score or not shape["n"]:
        return score, why
    if field == "ref" and shape["unique"] < 0.8:  # a grouping code repeats; a ref does not
        return score * 0.3, why + ", but its values repeat (a grouping code?)"
    if field == "measure" and (shape["numeric"] > 0.3 or shape["length"] < 6 or (few and shape["n"] > 12)):
        return score * 0.3, why + ", but its values are short, repeated or numbers (a unit or a code?)"
    if field in ("target", "actual", "baseline", "previous") and shape["numeric"] < 0.5:
        return score * 0.4, why + ", but most of its values are not numbers"
    if field in ("status", "polarity") and not few or field == "unit" and shape["distinct"] > 40:
        return score * 0.4, why + ", but it holds many different values"
    return score, why


def propose(raw, name: str) -> str:
    """A proposed layout for the export ``raw`` (ingest's rows) as commented TOML: the header row found, each
    column's field with how sure the guess is and why, the status and polarity words seen with guessed mappings,
    ``reviewed = false`` and the council name left for the user. Raises InputError when no header is found."""
    from pipeline.read.layout import FIELDS

    cells = raw.drop(columns=["source_line", "n_cells"]).astype(str).values.tolist()
    lines = raw["source_line"].astype(int).tolist()
    pos = next(
        (
            i
            for i, row in enumerate(cells[:60])
            if sum(1 for c in row if c.strip() and re.search(r"[A-Za-z]", c) and len(c) < 80) >= 3
        ),
        None,
    )
    if pos is None:
        raise InputError("has no row that looks like a header (three or more names) in its first 60 rows", name)
    header = [c.strip() for c in cells[pos]]
    body = [row for row in cells[pos + 1 : pos + 501] if any(c.strip() for c in row)]
    shapes = {
        i: _profile([" ".join(row[i].split()) if i < len(row) else "" for row in body])
        for i, heading in enumerate(header)
        if heading
    }
    candidates = []
    for i, shape in shapes.items():
        key = " ".join(header[i].lower().replace("_", " ").split())
        for field, plain, maybe in _HEADERS:
            score, why = _score(field, key, plain, maybe, shape)
            if score:
                candidates.append((score, -i, field, i, why))
    # several quarters' results side by side: the latest is this period's actual, the one before it the previous
    quarters = sorted(
        (
            (int(m.group(1)), i)
            for i in shapes
            if (m := re.search(r"\bq([1-4])\b", header[i].lower())) and "target" not in header[i].lower()
        ),
        reverse=True,
    )
    if len(quarters) >= 2:
        candidates += [
            (1.5, 0, "actual", quarters[0][1], "the latest quarter"),
            (1.5, 0, "previous", quarters[1][1], "the quarter before it"),
        ]
    chosen: dict[str, tuple[int, float, str]] = {}
    taken: set[int] = set()
    for score, _, field, i, why in sorted(candidates, reverse=True):
        if field not in chosen and i not in taken and field in FIELDS:
            chosen[field] = (i, score, why)
            taken.add(i)
    by_column = {i: (field, score, why) for field, (i, score, why) in chosen.items()}
    out = [
        f"# A PROPOSED layout for {name}, written by `python -m pipeline layout`.",
        "# Read every line, correct what is wrong, then set reviewed = true: until then every clean says",
        '# that the layout is unreviewed. The format is described in the README ("Your council\'s export").',
        "# Each column says how sure the guess is (sure, likely, a guess) and why.",
        "",
        "[layout]",
        'kind = "table"',
        'council = ""                      # unknown: write your organisation\'s name as the report should show it',
        "reviewed = false",
        f"# the header row is line {lines[pos]}: " + " | ".join(h for h in header if h),
    ]
    if "status" not in chosen:
        out.append("derive_status = true              # no status column found: the status comes from the figures")
    if "polarity" not in chosen:
        out.append('# default_polarity = "higher"    # no polarity column found: say whether higher is better for all')
    out += ["", "[columns]                         # pipeline field = the export's header, as written"]
    for i in shapes:
        if i in by_column:
            field, score, why = by_column[i]
            sure = "sure" if score >= SURE else "likely" if score >= LIKELY else "a guess"
            out.append(f"{field} = {_toml(header[i])}".ljust(34) + f"# {sure}: {why}")
        else:
            out.append(f"# ? = {_toml(header[i])}".ljust(34) + "# not used: name a field to use this column")
    for required in ("ref", "measure"):
        if required not in chosen:
            out.append(f'# {required} = "..."                  # REQUIRED: no column looked like the {required}')
    out += [
        "",
        '[status]                          # the export\'s words -> 1 met, 2 on track, 3 slipped, 4 not achieved, "" not assessed',
    ]
    for word in _distinct(body, chosen.get("status")):
        guess = next((code for pattern, code in _STATUS_GUESS if re.search(pattern, word.lower())), None)
        out.append(
            f"{_toml(word)} = {_toml(guess) if guess is not None else '0'}".ljust(34)
            + ("# guessed" if guess is not None else '# NOT GUESSED: replace 0 with 1-4 or ""')
        )
    out += ["", '[polarity]                        # the export\'s words -> "higher" or "lower" is better']
    for word in _distinct(body, chosen.get("polarity")):
        guess = next((p for pattern, p in _POLARITY_GUESS if re.search(pattern, word.lower())), None)
        out.append(
            f"{_toml(word)} = {_toml(guess or 'higher')}".ljust(34)
            + ("# guessed" if guess else "# NOT GUESSED: higher or lower?")
        )
    return "\n".join(out) + "\n"


def _distinct(body: list[list[str]], column: tuple | None) -> list[str]:
    if not column:
        return []
    index = column[0]
    seen = dict.fromkeys(" ".join(row[index].split()) for row in body if index < len(row) and row[index].strip())
    return list(seen)[:30]


def _toml(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
