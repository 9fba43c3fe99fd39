"""Ingest: the bytes of an export become raw rows of cells, each with its source line.

The same Council Plan export arrives as tab-separated text (the web export), as
CSV (cp1252 or UTF-8, with or without BOM, CRLF or LF line ends, or UTF-16 as
Excel's "Unicode text"), and as an Excel ``.xlsx`` workbook. All three come
out of ``parse_export`` as the same table: a ``source_line`` column (the line
of the text file, or the row of the worksheet), ``n_cells`` (how many cells
the row really had, so a row cut short can be told from one with empty
cells) and string cells ``c0``, ``c1``, ... padded with "" to the widest row.

``read_bytes`` is the only function here that touches the file system.

Every input is bounded by ``LIMITS`` (file size, unpacked size of a workbook, rows, cell length), far
above any real export and checked before the expensive work, so a hostile or broken file stops with a
one-line error naming the limit instead of running for minutes or exhausting memory.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree.ElementTree import ParseError

import pandas as pd

from pipeline.errors import InputError, PipelineError
from pipeline.period import Period
from pipeline.read.limits import LIMITS, Limits, read_bytes  # noqa: F401  (part of ingest's API)

# The encodings council exports really come in. Restricting the detector to
# these stops it from choosing a near neighbour (cp1250 for a cp1252 file).
TEXT_ENCODINGS = ["utf_8", "cp1252", "utf_16"]

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and other OLE files
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def parse_export(data: bytes, name: str, limits: Limits = LIMITS) -> pd.DataFrame:
    """Turn the bytes of a TSV, CSV or XLSX export into raw rows.

    ``name`` is the file name used in messages and to tell CSV from TSV.
    Returns a DataFrame with ``source_line``, ``n_cells`` (int) and cells ``c0..cN`` (str).
    Raises InputError for binary, undecodable or corrupt input, and for input over ``limits``.
    """
    if len(data) > limits.file_bytes:
        raise InputError(
            f"is {len(data) / 2**20:,.0f} MB, over the limit of {limits.file_bytes // 2**20} MB for an input file", name
        )
    if data.startswith(_XLSX_MAGIC):
        rows = _xlsx_rows(data, name, limits)
    elif data.startswith(_OLE_MAGIC):
        raise InputError("is a legacy .xls (or other OLE) file; save it as .xlsx or CSV and try again", name)
    else:
        rows = _text_rows(_decode(data, name), name, limits)
    return _frame(rows)


def _check_row(cells: list[str], line: int, count: int, name: str, limits: Limits) -> None:
    """Stop at the first row past the row limit or with a cell past the cell limit."""
    if count > limits.rows:
        raise InputError(
            f"has more than {limits.rows:,} rows, the limit for an input; is it the right file?", name, line
        )
    for cell in cells:
        if len(cell) > limits.cell_chars:
            raise InputError(
                f"a cell holds {len(cell):,} characters, over the limit of {limits.cell_chars:,} "
                "(Excel's own); is the export damaged?",
                name,
                line,
            )


def decode_text(data: bytes, name: str) -> str:
    """The text of a text file in UTF-8, cp1252 or UTF-16. Raises InputError for binary or undecodable bytes."""
    return _decode(data, name)


def _decode(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    if b"\x00" in data and not (data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff")):
        raise InputError(
            "holds binary data (NUL bytes), not a text export; is it the right file?",
            name,
            _line_of(data, data.index(b"\x00")),
        )
    best = from_bytes(data, cp_isolation=TEXT_ENCODINGS).best()
    if best is None:
        raise InputError("is not text in UTF-8, cp1252 or UTF-16; is it the right file?", name)
    text = str(best)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.rstrip("\x1a")  # DOS end-of-file marker left by old exporters
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"holds a control character ({bad.group()!r}): binary data, not a text export", name, line)
    return text


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _text_rows(text: str, name: str, limits: Limits = LIMITS) -> list[tuple[int, list[str]]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = _delimiter(text, name)
    # QUOTE_NONE for tab-separated text: the web export does not quote cells,
    # and a cell that happens to start with '"' must not swallow the lines below it.
    quoting = csv.QUOTE_NONE if delimiter == "\t" and not _looks_quoted(text) else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=False)
    kind = "tab-separated" if delimiter == "\t" else "comma-separated"
    return _read_rows(reader, name, limits, lambda exc: f"cannot be read as {kind} text: {exc}")


def _read_rows(reader, name: str, limits: Limits, explain) -> list[tuple[int, list[str]]]:
    """(first line, cells) for every row of a csv ``reader``, stopping at the first row past a limit; a
    csv.Error becomes an InputError naming the line where the faulty row starts (``explain(exc)`` says why)."""
    rows = []
    start = 1
    try:
        for cells in reader:
            _check_row(cells, start, len(rows) + 1, name, limits)
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(explain(exc), name, start) from None
    return rows


def _delimiter(text: str, name: str) -> str:
    """Tab or comma: the header row decides; the file name only breaks a tie."""
    head = "\n".join(text.split("\n", 40)[:40])
    tabs, commas = head.count("\t"), head.count(",")
    if tabs and tabs >= commas / 4:
        return "\t"
    if commas:
        return ","
    return "," if str(name).lower().endswith(".csv") else "\t"


def _looks_quoted(text: str) -> bool:
    """True when cells are CSV-quoted (Excel's tab-separated output quotes cells with line breaks)."""
    return bool(re.search(r'(^|\t)"[^"\t\n]*\n', text, flags=re.MULTILINE)) and bool(
        re.search(r'"(\t|$)', text, flags=re.MULTILINE)
    )


def _xlsx_rows(data: bytes, name: str, limits: Limits = LIMITS) -> list[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_unpacked(data, name, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        OSError,
        TypeError,
        EOFError,
        ParseError,
    ) as exc:
        raise InputError(
            f"is not a readable Excel workbook ({type(exc).__name__}); open it in Excel and save it again", name
        ) from None
    try:
        sheets = book.worksheets
        if not sheets:
            raise InputError("is an Excel workbook with no worksheets", name)
        for sheet in sheets:
            # read-only mode trusts the sheet's <dimension> record, which a stale save leaves too small:
            # forget it and read to the real last row
            sheet.reset_dimensions()
        # The export is the first sheet that has a header row; default to the first.
        sheet = next((s for s in sheets if _sheet_has_header(s)), sheets[0])
        rows = []
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [_xlsx_text(v) for v in values]
            _check_row(cells, number, number, name, limits)
            rows.append((number, cells))
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError, ParseError) as exc:
        raise InputError(
            f"is a damaged Excel workbook ({type(exc).__name__}); open it in Excel and save it again", name
        ) from None
    finally:
        book.close()


def _check_unpacked(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack past ``limits.unpacked_bytes`` (a zip bomb), before unpacking any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            unpacked = sum(info.file_size for info in book.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(
            f"is not a readable Excel workbook ({type(exc).__name__}); open it in Excel and save it again", name
        ) from None
    if unpacked > limits.unpacked_bytes:
        raise InputError(
            f"unpacks to {unpacked / 2**20:,.0f} MB, over the limit of {limits.unpacked_bytes // 2**20} MB "
            "for a workbook; a real export is far smaller (is it a zip bomb?)",
            name,
        )


def workbook_findings(data: bytes, name: str) -> list[tuple[int, str, str, str, str]]:
    """Cells of an .xlsx export whose value is a formula's cached result, and links to other workbooks.

    Returns findings as (source_line, ref, check, finding, action_taken); none for text exports. The
    value read is the one Excel saved with the file: it may be stale, and a link to another workbook
    means the figure depends on a file the pipeline never sees.
    """
    if not data.startswith(_XLSX_MAGIC):
        return []
    import openpyxl
    from defusedxml.ElementTree import iterparse

    findings = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        links = sorted(n for n in archive.namelist() if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
        for link in links:
            findings.append(
                (
                    0,
                    "",
                    "external_link",
                    f"the workbook links to another workbook ({link.rsplit('/', 1)[-1]})",
                    "used the values saved in this file; the linked workbook was not read",
                )
            )
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = book.worksheets
            for sheet in sheets:
                sheet.reset_dimensions()
            sheet = next((s for s in sheets if _sheet_has_header(s)), sheets[0] if sheets else None)
            path = getattr(sheet, "_worksheet_path", None)
        finally:
            book.close()
        if not path:
            return findings
        namespace = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        with archive.open(path) as source:
            for _, element in iterparse(source):
                if element.tag == namespace + "c":
                    formula = element.find(namespace + "f")
                    if formula is not None:
                        ref = element.get("r", "")
                        row = int(re.sub(r"\D", "", ref) or 0)
                        text = (formula.text or "").strip()
                        external = bool(re.search(r"\[\d+\]", text))
                        findings.append(
                            (
                                row,
                                "",
                                "external_formula" if external else "formula",
                                f"cell {ref} holds a formula ={text[:80]}"
                                + (" that reads another workbook" if external else ""),
                                "used the value Excel saved with the file; it is not recalculated here",
                            )
                        )
                    element.clear()
    return findings


def _sheet_has_header(sheet) -> bool:
    for i, row in enumerate(sheet.iter_rows(values_only=True)):
        if i > 40:
            return False
        if row and str(row[0] or "").strip().lower().rstrip(".") == "ref":
            return True
    return False


def _xlsx_text(value) -> str:
    """A worksheet cell as the text the export would hold (status 1.0 stored as a number reads '1')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _frame(rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    width = max((len(c) for _, c in rows), default=0)
    records = {"source_line": [line for line, _ in rows], "n_cells": [len(c) for _, c in rows]}
    for i in range(width):
        records[f"c{i}"] = [cells[i] if i < len(cells) else "" for _, cells in rows]
    frame = pd.DataFrame(records)
    frame = frame.astype({"source_line": "int64", "n_cells": "int64"})
    return frame


REGISTER_COLUMNS = [
    "ref",
    "target",
    "baseline",
    "actual",
    "unit",
    "polarity",
    "tolerance",
    "note",
    "period",
    "benchmark",  # the code of the benchmark dataset's measure this indicator is compared on
    # how the indicator's SPC chart is drawn (figures.spc), where it differs from the layout's [spc]
    "spc_minimum",  # the points a chart needs before it has limits (Making Data Count: 13)
    "spc_shift",  # the points of a shift (6)
    "spc_trend",  # the points of a trend (6)
    "spc_baseline",  # the first N points are the baseline: its limits hold for every later point
    "spc_recalculate",  # the periods a new phase starts at, separated by ";" (2012/13 Q1; 2013/14 Q3)
]
SPC_BOUNDS = {"spc_minimum": (2, 100), "spc_shift": (4, 12), "spc_trend": (4, 12), "spc_baseline": (2, 1000)}
# The units the pipeline computes with: a share, a count, a rate per N.
_REGISTER_UNIT = re.compile(r"^(?:%|count|per \d{1,3}(?:,\d{3})*)$")
_MAX_FIGURE = 1e15  # larger than any council figure; 1e308 and 309-digit numbers are typing errors


def parse_register(data: bytes, name: str, limits: Limits = LIMITS) -> pd.DataFrame:
    """Read the analyst-maintained indicator register (CSV: ref, target, baseline, actual, unit, polarity, tolerance,
    note, period, benchmark).

    Empty cells mean "no override"; a row with a ``period`` (``2011/12 Q4``) applies to that period only. Numbers
    may carry thousands separators and a % sign. ``unit`` is ``%``, ``count`` or ``per N`` (``per 100,000``).
    Returns the rows with ``source_line``; numbers as floats (NaN when empty).
    Raises InputError naming the line for: an unclosed quote, a missing, unknown or repeated column, a row with
    more cells than the header, a ref given twice for the same period, a number that is not a finite number
    of a plausible size, an unknown unit, a polarity other than higher/lower, or a negative tolerance.
    """
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline=""), strict=True)
    rows = _read_rows(
        reader, name, limits, lambda exc: f"cannot be read as CSV ({exc}): a quote opened on this line is never closed"
    )
    if not rows:
        raise InputError("is empty; a register needs a header row: " + ",".join(REGISTER_COLUMNS), name)
    header = [h.strip().lower() for h in rows[0][1]]
    missing = [c for c in ("ref",) if c not in header]
    if missing or not set(header) <= set(REGISTER_COLUMNS):
        unknown = sorted(set(header) - set(REGISTER_COLUMNS))
        raise InputError(
            f"register header must use the columns {', '.join(REGISTER_COLUMNS)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else " (ref is required)"),
            name,
            1,
        )
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(f"the column {', '.join(repeated)} appears more than once in the header; keep one", name, 1)
    records = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise InputError(
                f"row has {len(cells)} cells but the header has {len(header)} columns; "
                "a comma inside a value needs quotes",
                name,
                line,
            )
        out = _register_row(dict(zip(header, (c.strip() for c in cells))), name, line)
        key = (out["ref"], out["period"])
        if key in seen:
            raise InputError(
                f"ref {out['ref']!r}"
                + (f" for {out['period']}" if out["period"] else "")
                + f" is already given at line {seen[key]}; keep one row per ref and period",
                name,
                line,
            )
        seen[key] = line
        records.append(out)
    frame = pd.DataFrame(records, columns=["source_line"] + REGISTER_COLUMNS)
    for col in ("target", "baseline", "actual", "tolerance"):
        frame[col] = frame[col].astype("float64")
    return frame.astype({"source_line": "int64"})


def _register_row(record: dict, name: str, line: int) -> dict:
    """One register row's values, each checked (``parse_register`` says what is refused). Raises InputError."""
    out: dict = {"source_line": line}
    for col in REGISTER_COLUMNS:
        value = record.get(col, "")
        if col in ("target", "baseline", "actual", "tolerance"):
            out[col] = _register_number(value, col, name, line)
        else:
            out[col] = value
    if out["polarity"] not in ("", "higher", "lower"):
        raise InputError(f"polarity {out['polarity']!r} must be 'higher' or 'lower' (or empty)", name, line)
    if out["unit"] and not _REGISTER_UNIT.match(out["unit"]):
        raise InputError(
            f"unit {out['unit'][:60]!r} is not one the pipeline knows: use %, count or per N "
            "(such as per 100,000), or leave it empty",
            name,
            line,
        )
    if not out["ref"]:
        raise InputError("register row has no ref", name, line)
    if out["period"]:
        year, _, quarter = out["period"].partition(" ")
        try:
            out["period"] = str(Period.parse(year, quarter))
        except PipelineError as exc:
            raise InputError(f"period {out['period']!r}: {exc.message}", name, line) from None
    if out["tolerance"] == out["tolerance"] and out["tolerance"] < 0:
        raise InputError("tolerance must be a percentage of the target, 0 or more", name, line)
    for column, (low, high) in SPC_BOUNDS.items():
        given = out[column]
        if given and (not given.isdigit() or not low <= int(given) <= high):
            raise InputError(f"{column} {given[:20]!r} must be a whole number from {low} to {high}", name, line)
    _spc_periods(out["spc_recalculate"], name, line)
    return out


def _spc_periods(text: str, name: str, line: int) -> None:
    """Each period of ``spc_recalculate`` in a notation the pipeline reads. Raises InputError naming the line."""
    from pipeline.period import period_key

    for period in (p.strip() for p in text.split(";")):
        if period and period_key(period) is None:
            raise InputError(
                f"spc_recalculate {period[:30]!r} is not a period (2012/13 Q1, 2012/13); separate several with ;",
                name,
                line,
            )


def _register_number(value: str, column: str, name: str, line: int) -> float:
    if value == "":
        return float("nan")
    cleaned = value.replace(",", "").rstrip("%").strip()
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", cleaned):
        raise InputError(f"{column} {value[:40]!r} is not a number", name, line)
    number = float(cleaned)
    if not abs(number) < _MAX_FIGURE:
        raise InputError(f"{column} {value[:40]!r} is not a plausible figure (at most {_MAX_FIGURE:,.0f})", name, line)
    return number


def parse_directorates(data: bytes, name: str) -> dict[str, str]:
    """The analyst's list of directorate names (CSV: ``code,name``, optionally ``source``), as {code: name}.

    Raises InputError naming the line for a missing column, an empty code or name, or a code given twice.
    """
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline=""), strict=True)
    rows = _read_rows(reader, name, LIMITS, lambda exc: f"cannot be read as CSV ({exc})")
    header = [h.strip().lower() for h in rows[0][1]] if rows else []
    if not {"code", "name"} <= set(header):
        raise InputError("a directorates file needs the columns code and name (and may have source)", name, 1)
    names: dict[str, tuple[str, int]] = {}
    for line, cells in rows[1:]:
        record = dict(zip(header, (c.strip() for c in cells)))
        if not any(record.values()):
            continue
        if not record.get("code") or not record.get("name"):
            raise InputError("each row needs a code and a name", name, line)
        if record["code"] in names:
            raise InputError(f"code {record['code']!r} is already named at line {names[record['code']][1]}", name, line)
        names[record["code"]] = (record["name"], line)
    return {code: value for code, (value, _) in names.items()}
