"""The ``spc`` command: SPC charts of any long table, for the analyst.

A long table (CSV, TSV or .xlsx, in any encoding the pipeline reads) holds one row per point: a series column,
a value column, and optionally a period, an improvement direction and a target. Each distinct series, in the
order it first appears in the file, is charted by ``figures.spc`` with the points in the file's order; the result
has ``spc.csv``'s columns with ``series`` in place of ``ref``.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError, UsageError

WORDS = ("higher", "lower", "neither")


def spc_file(
    path: str,
    series: str,
    value: str,
    period: str = "",
    improvement: str = "",
    improvement_column: str = "",
    target_column: str = "",
    settings=None,
):
    """The charts of every series of the long table at ``path`` (``figures.spc.COLUMNS``). Columns are named by
    their headers. ``improvement``: one direction for every series (``neither`` when neither it nor
    ``improvement_column`` is given). Raises InputError naming the file (and the line) for a column it does not
    have, a direction word it does not know; UsageError for a bad direction on the command line."""
    import pandas as pd

    from pipeline.figures import spc
    from pipeline.read import ingest, limits
    from pipeline.read.table.numbers import parse_number

    if improvement and improvement not in WORDS:
        raise UsageError(f"--improvement must be higher, lower or neither, not {improvement!r}")
    name = str(path)
    raw = ingest.parse_export(limits.read_bytes(Path(path)), name)
    cells = raw.drop(columns=["source_line", "n_cells"]).astype(str).values.tolist()
    lines = raw["source_line"].astype(int).tolist()
    if not cells:
        raise InputError("holds no rows: a long table has a header row and one row per point", name)
    header = [" ".join(h.split()) for h in cells[0]]
    wanted = {"series": series, "value": value, "period": period, "improvement": improvement_column,
              "target": target_column}  # fmt: skip
    at = {}
    for field, column in wanted.items():
        if not column:
            continue
        if column not in header:
            shown = ", ".join(repr(h) for h in header if h)[:300]
            raise InputError(f"has no column {column!r} (its header: {shown})", name, lines[0])
        at[field] = header.index(column)
    rows = []
    for line, row in zip(lines[1:], cells[1:]):
        if not any(c.strip() for c in row):
            continue
        get = lambda field, row=row: row[at[field]].strip() if field in at and at[field] < len(row) else ""  # noqa: E731
        direction = get("improvement").lower() if "improvement" in at else (improvement or "neither")
        if direction not in WORDS:
            raise InputError(
                f"{improvement_column} {get('improvement')!r} must be higher, lower or neither", name, line
            )
        target = parse_number(get("target"))[0] if "target" in at else None
        rows.append({"series": get("series"), "period": get("period") if "period" in at else str(len(rows) + 1),
                     "value": parse_number(get("value"))[0], "improvement": direction,
                     "target": float("nan") if target is None else float(target)})  # fmt: skip
    points = pd.DataFrame(rows, columns=["series", "period", "value", "improvement", "target"])
    points["value"] = pd.to_numeric(points["value"], errors="coerce")
    order = {s: i for i, s in enumerate(dict.fromkeys(points["series"]))}
    points = points.assign(_order=points["series"].map(order)).sort_values("_order", kind="stable")
    return spc.chart(points.drop(columns="_order"), settings or spc.Settings())
