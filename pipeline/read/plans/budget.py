"""The Medium Term Financial Plan's budget table of a Service Improvement Plan, exported from PDF one cell a line:
each line's amounts by year, every total checked against its parts.
"""

from __future__ import annotations

import re

import pandas as pd

BUDGET_COLUMNS = ["table", "line", "year", "amount", "source_line"]
_AMOUNT = re.compile(r"^\(?-?£?\d{1,3}(,\d{3})*(\.\d+)?\)?$|^0$")
_BUDGET_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def read_budget(lines: list[str], start: int) -> tuple[pd.DataFrame, list[tuple]]:
    """The Medium Term Financial Plan table: one cell per line, a label followed by one amount per year.

    Bracketed amounts are negative; the export's non-breaking-space cells are empty amounts. Every total
    is checked against its parts: "Net ...", "Total ..." and "... Carried Forward" lines equal the running
    total of the lines above them in their block (a block starts at the table, at a heading ending in
    ':' or at a balance brought forward), and Total Funding equals Total Budget Requirement.
    """
    findings: list[tuple] = []
    rows = _budget_rows(_budget_cells(lines, start), findings)
    records = _reconciled(rows, findings)
    frame = pd.DataFrame(records, columns=BUDGET_COLUMNS).astype({"amount": "int64", "source_line": "int64"})
    return frame, findings


def _budget_cells(lines: list[str], start: int) -> list[tuple[int, str]]:
    """The table's cells from line ``start`` to the next section, one a line, each with its line number."""
    cells = []
    for number, line in enumerate(lines[start:], start=start + 1):
        for cell in line.split("\t"):
            if cell.strip():
                cells.append((number, cell.strip()))
            elif "\u00a0" in cell:
                cells.append((number, "\u00a0"))  # the export's placeholder for an empty amount: keeps columns aligned
        if re.match(r"^\s*section \d+", line, re.I):
            break
    return cells


def _budget_rows(cells: list[tuple[int, str]], findings: list) -> list[tuple[str, str, int, list, list]]:
    """Each labelled line of the tables with its amounts, one per year of its table's header: (table, label, line,
    values, years). Amounts below a label that belong to no line are a finding."""
    years: list[str] = []
    rows: list[tuple[str, str, int, list, list]] = []  # table, label, line, values, years
    table, last_text = "Medium Term Financial Plan", ""
    i = 0
    while i < len(cells):
        number, cell = cells[i]
        if _BUDGET_YEAR.match(cell):
            # a run of year cells is a table's header row: a new table starts
            run = []
            while i < len(cells) and (_BUDGET_YEAR.match(cells[i][1]) or cells[i][1] == "\u00a0"):
                if cells[i][1] != "\u00a0":
                    run.append(cells[i][1])
                i += 1
            years = run
            if rows and last_text:
                table = last_text
            continue
        if years and cell and cell != "\u00a0" and not _AMOUNT.match(cell):
            values = []
            j = i + 1
            while j < len(cells) and len(values) < len(years):
                value = cells[j][1]
                if value == "\u00a0" or _AMOUNT.match(value):
                    values.append(value)
                    j += 1
                else:
                    break
            rows.append((table, cell, number, values + [""] * (len(years) - len(values)), list(years)))
            last_text = cell
            # amounts left over before the next label belong to no line
            k = j
            while k < len(cells) and (cells[k][1] == "\u00a0" or _AMOUNT.match(cells[k][1])):
                k += 1
            orphans = [c for _, c in cells[j:k] if c != "\u00a0"]
            if orphans:
                findings.append(
                    (
                        cells[j][0],
                        "",
                        "budget_unlabelled",
                        f"amounts {', '.join(orphans)} below '{cell}' have no line label",
                        "left out",
                    )
                )
            i = k
            continue
        if cell and cell != "\u00a0":
            last_text = cell
        i += 1
    return rows


def _reconciled(rows: list, findings: list) -> list[tuple]:
    """Each amount as a record (table, label, year, amount, line), every total checked against its parts and Total
    Funding against Total Budget Requirement (a finding where one differs)."""
    records = []
    block: list[tuple[str, list[int | None]]] = []
    previous_total: list[int | None] | None = None
    totals: dict[str, list[int | None]] = {}
    current_table = None
    for table_name, label, number, values, row_years in rows:
        amounts = [_amount(v) for v in values]
        if table_name != current_table:
            current_table, block, previous_total = table_name, [], None
        if label.endswith(":"):
            block, previous_total = [], None
            continue
        if re.search(r"brought forward", label, re.I):
            block, previous_total = [], None  # a balance brought forward opens a new reconciliation
        if re.match(r"^(net|total)\b", label, re.I) or re.search(r"carried forward", label, re.I):
            parts = [a for _, a in block]
            for k, year in enumerate(row_years):
                expected = sum(p[k] or 0 for p in parts) + ((previous_total[k] or 0) if previous_total else 0)
                if amounts[k] is not None and expected != amounts[k]:
                    findings.append(
                        (
                            number,
                            "",
                            "budget_total_mismatch",
                            f"{label} {year} is {amounts[k]:,}; its parts add up to {expected:,}",
                            "kept the document's figure; check the plan",
                        )
                    )
            previous_total, block = amounts, []
            totals[label.lower()] = amounts
        elif not label.lower().startswith("e.g."):
            block.append((label, amounts))
        for year, amount in zip(row_years, amounts):
            if amount is not None:
                records.append((table_name, label, year, amount, number))
    requirement, funding = totals.get("total budget requirement"), totals.get("total funding")
    if requirement and funding and requirement != funding:
        findings.append(
            (
                rows[-1][2],
                "",
                "budget_unbalanced",
                "Total Funding differs from Total Budget Requirement",
                "recorded; amounts kept as in the document",
            )
        )
    return records


def _amount(text: str) -> int | None:
    if text in ("", "\u00a0"):
        return None
    negative = text.startswith("(") or text.startswith("-")
    value = int(text.strip("()-£").replace(",", "").split(".")[0])
    return -value if negative else value
