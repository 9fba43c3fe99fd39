"""Proposing a layout for an export the pipeline has never seen (``python -m pipeline layout FILE``).

Each column is judged twice: by its header (``Target 2024/25``, ``RAG``, ``This Quarter``) and by what it holds
(a ref is short, nearly always different from row to row and without spaces; a measure is text of some length; a
target or an actual is mostly numbers, and not a handful of small whole numbers repeated, which is a code; a status
repeats a few short words). A guess is ``sure`` only when the header and the contents agree, ``likely`` when one of
them says it and the other does not contradict it, ``a guess`` otherwise; a header the contents contradict is never
followed (a column of refs headed "Indicator" is the ref, a column of prose headed "Goal" is not a target). Columns
named by years are proposed as the history of the actual (``[history]``), the latest as the actual. The status
words are mapped where their meaning is plain, the organisation's word for its groups is taken from the header, the
month its year starts in from its periods, and a direction (higher or lower is better) guessed from the statuses
and the figures, each with how sure it is. A file that is not a table is refused.
"""

from __future__ import annotations

import re

from pipeline.errors import InputError
from pipeline.read.propose_columns import (
    LIKELY,
    SURE,
    columns_of,
    guess_polarity,
    guess_status,
    header_row,
    history_columns,
    profile,
    score,
    year_start_of,
)

_HEADERS = {  # field: (a header that names it plainly, a header that may name it); matched lower-cased
    "ref": (
        r"^(kpi|pi|indicator|measure|metric)?\s*(ref(erence)?|code|id|no\.?|number)$|^ref\b|\bref$",
        r"\bref\b|\bcode\b|\bid\b",
    ),
    "measure": (
        r"^(indicator|measure|kpi|metric|description|indicator name|measure name|kpi name|performance indicator"
        r"|title|name)$",
        r"indicator|measure|description|metric|\bkpi\b|title|name",
    ),
    "directorate": (
        r"^(directorate|department|service|portfolio|division|team|owner|lead|agency|trust|organisation|area)$",
        r"directorate|department|service|responsib|owner|\blead\b|portfolio|division|agency|trust",
    ),
    "theme": (
        r"^(theme|priority|programme|project|category|objective|outcome area|goal area)$",
        r"theme|priority|programme|project|category|outcome area|objective",
    ),
    "baseline": (r"^baseline", r"baseline"),
    "target": (
        r"^(target|plan|goal|standard|threshold|ambition)\b|\btarget$",
        r"target|\bplan\b|\bgoal\b|standard|threshold|trajectory",
    ),
    "previous": (r"^(previous|prior|last) (quarter|month|year|period)|^previous\b", r"previous|prior|last"),
    "actual": (
        r"^(actual|result|outturn|this (quarter|month|year|period)|current|performance|value|ytd)\b",
        r"actual|result|outturn|current|value|performance|\bq[1-4]\b|this (quarter|month|year|period)|ytd",
    ),
    "unit": (r"^units?$|^measure type$|^unit of measure", r"\bunits?\b|measure type"),
    "polarity": (r"polarity|good is|better is|direction of good|aim to|good direction", r"polarity|good|better|aim"),
    "status": (r"^(status|rag|rating|rag status|rag rating|success|progress status)$", r"status|\brag\b|rating"),
    "trend": (r"^(trend|direction of travel|dot)$", r"trend|direction of travel|\bdot\b"),
    "progress": (
        r"^(comments?|commentary|notes?|narrative|progress|explanation)$",
        r"comment|commentary|notes?$|narrative|progress|explanation",
    ),
    "remedial": (r"remedial|mitigation|recovery|corrective", r"action"),
    "period": (r"^(period|month|reporting period|date|quarter)$", r"period|month"),
}


def propose(raw, name: str) -> str:
    """A proposed layout for the export ``raw`` (ingest's rows) as commented TOML: the header row found, each
    column's field with how sure the guess is and why, the history columns, the status and polarity words seen
    with guessed mappings, the organisation's words and calendar where the export shows them, ``reviewed = false``
    and the council name left for the user. Raises InputError when the file holds no table."""
    cells = raw.drop(columns=["source_line", "n_cells"]).astype(str).values.tolist()
    lines = raw["source_line"].astype(int).tolist()
    pos = header_row(cells)
    if pos is None:
        raise InputError(
            "holds no table: no row of three or more column names with rows of values below it in its first 60 "
            "rows (is it a performance export?)",
            name,
        )
    header = [c.strip() for c in cells[pos]]
    body = [row for row in cells[pos + 1 : pos + 501] if any(c.strip() for c in row)]
    shapes = {i: profile(columns_of(body, i)) for i, heading in enumerate(header) if heading}
    history = history_columns(header, shapes)
    chosen = _choose(header, shapes, history)
    out = _head(name, lines[pos], header, chosen, shapes, body, cells[:pos])
    out += _columns(header, shapes, chosen, history)
    out += _history(header, history)
    out += _words(body, chosen)
    return "\n".join(out) + "\n"


def _choose(header: list[str], shapes: dict, history: dict) -> dict[str, tuple[int, float, str]]:
    """Each field's column, best first, one column each: {field: (column, score, why)}."""
    candidates = []
    for i, shape in shapes.items():
        key = " ".join(header[i].lower().replace("_", " ").split())
        for field, (plain, maybe) in _HEADERS.items():
            got, why = score(field, key, plain, maybe, shape)
            if got:
                candidates.append((got, -i, field, i, why))
        if shape["refish"] and i not in history.values():
            candidates.append((0.7 if shape["numeric"] < 0.5 else 0.55, -i, "ref", i, "its values look like refs"))
    quarters = sorted(
        ((int(m.group(1)), i) for i in shapes if (m := re.search(r"\bq([1-4])\b", header[i].lower()))
         and "target" not in header[i].lower()),
        reverse=True,
    )  # fmt: skip
    if len(quarters) >= 2:  # several quarters side by side: the latest is this period's actual, the one before previous
        candidates += [
            (1.5, 0, "actual", quarters[0][1], "the latest quarter"),
            (1.5, 0, "previous", quarters[1][1], "the quarter before it"),
        ]
    if history and not any(c[2] == "actual" and c[0] >= LIKELY for c in candidates):
        latest = history[max(history)]
        candidates.append((0.6, 0, "actual", latest, "its header is the latest year of the year-named columns"))
    chosen, taken = {}, set()
    for got, _, field, i, why in sorted(candidates, reverse=True):
        if field not in chosen and i not in taken and field in _HEADERS:
            chosen[field] = (i, got, why)
            taken.add(i)
    return chosen


def _head(name: str, line: int, header, chosen: dict, shapes: dict, body, above) -> list[str]:
    from pipeline.read.propose_columns import sure_word

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
        f"# the header row is line {line}: " + " | ".join(h for h in header if h),
    ]
    if "ref" not in chosen:
        out.append('# no column looks like a ref: each indicator is named by its measure (ref = "(measure)" below)')
    if "status" not in chosen:
        out.append("derive_status = true              # no status column found: the status comes from the figures")
    if "directorate" in chosen:
        word = " ".join(header[chosen["directorate"][0]].split()).lower()
        if len(word.split()) <= 2:
            out.append(
                f"group_word = {_toml(word)}".ljust(34) + "# the header of its groups' column: correct it if not"
            )
    month = year_start_of([" ".join(r) for r in above] + header + columns_of(body, chosen.get("period", (None,))[0]))
    if month:
        out.append(f"year_start = {_toml(month[0])}".ljust(34) + f"# {month[1]}")
    if "polarity" not in chosen:
        guess = guess_polarity(body, chosen)
        if guess:
            out.append(f"default_polarity = {_toml(guess[0])}".ljust(34) + f"# {sure_word(guess[1])}: {guess[2]}")
        else:
            out.append(
                '# default_polarity = "higher"    # no polarity column found: say whether higher is better for all'
            )
    return out


def _columns(header: list[str], shapes: dict, chosen: dict, history: dict) -> list[str]:
    from pipeline.read.propose_columns import sure_word

    by_column = {i: (field, got, why) for field, (i, got, why) in chosen.items()}
    out = ["", "[columns]                         # pipeline field = the export's header, as written"]
    for i in shapes:
        if i in by_column:
            field, got, why = by_column[i]
            out.append(f"{field} = {_toml(header[i])}".ljust(34) + f"# {sure_word(got)}: {why}")
        elif i in history.values():
            out.append(f"# history: {_toml(header[i])}".ljust(34) + "# a year's actual: see [history]")
        else:
            out.append(f"# ? = {_toml(header[i])}".ljust(34) + "# not used: name a field to use this column")
    if "ref" not in chosen:
        out.append(
            'ref = "(measure)"'.ljust(34) + '# no ref column: "(measure)" names each by its measure, "(row)" by its row'
        )
    if "measure" not in chosen:
        out.append('# measure = "..."'.ljust(34) + "# REQUIRED: no column looked like the measure")
    return out


def _history(header: list[str], history: dict) -> list[str]:
    if not history:
        return []
    out = ["", "[history]                         # period = the column holding that period's actual"]
    for start, i in sorted(history.items()):
        out.append(f'"{start}/{(start + 1) % 100:02d}" = {_toml(header[i])}'.ljust(34) + "# a guess: the year it names")
    return out


def _words(body, chosen: dict) -> list[str]:
    out = [
        "",
        '[status]                          # the export\'s words -> 1 met, 2 on track, 3 slipped, 4 not achieved, "" not assessed',
    ]
    for word in _distinct(body, chosen.get("status")):
        guess = guess_status(word)
        out.append(
            f"{_toml(word)} = {_toml(guess) if guess is not None else '0'}".ljust(34)
            + ("# guessed" if guess is not None else '# NOT GUESSED: replace 0 with 1-4 or ""')
        )
    out += ["", '[polarity]                        # the export\'s words -> "higher" or "lower" is better']
    for word in _distinct(body, chosen.get("polarity")):
        from pipeline.read.propose_columns import guess_polarity_word

        guess = guess_polarity_word(word)
        out.append(
            f"{_toml(word)} = {_toml(guess or 'higher')}".ljust(34)
            + ("# guessed" if guess else "# NOT GUESSED: higher or lower?")
        )
    return out


def _distinct(body: list[list[str]], column: tuple | None) -> list[str]:
    if not column:
        return []
    seen = dict.fromkeys(
        " ".join(row[column[0]].split()) for row in body if column[0] < len(row) and row[column[0]].strip()
    )
    return list(seen)[:30]


def _toml(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["propose", "SURE", "LIKELY"]
