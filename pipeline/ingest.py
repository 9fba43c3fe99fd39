"""Stage 1, ingest: the bytes of an export become raw rows of cells, each with its source line.

The same Council Plan export arrives as tab-separated text (the web export), as
CSV (cp1252 or UTF-8, with or without BOM, CRLF or LF line ends, or UTF-16 as
Excel's "Unicode text"), and as an Excel ``.xlsx`` workbook. All three come
out of ``parse_export`` as the same table: a ``source_line`` column (the line
of the text file, or the row of the worksheet), ``n_cells`` (how many cells
the row really had, so a row cut short can be told from one with empty
cells) and string cells ``c0``, ``c1``, ... padded with "" to the widest row.

``read_bytes`` is the only function here that touches the file system.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from .errors import InputError, PipelineError
from .period import Period

# The encodings council exports really come in. Restricting the detector to
# these stops it from choosing a near neighbour (cp1250 for a cp1252 file).
TEXT_ENCODINGS = ["utf_8", "cp1252", "utf_16"]

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and other OLE files
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_bytes(path: str | Path) -> bytes:
    """Read an input file whole.

    Raises InputError when the path is missing, is a directory, cannot be read, or is empty.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file; check the path (the default input lives in data/raw/)", p)
    if p.is_dir():
        raise InputError("is a directory, not an export file; name the file inside it", p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror}); check its permissions", p) from None
    if not data.strip():
        raise InputError("is empty; export the Council Plan progress report again", p)
    return data


def parse_export(data: bytes, name: str) -> pd.DataFrame:
    """Turn the bytes of a TSV, CSV or XLSX export into raw rows.

    ``name`` is the file name used in messages and to tell CSV from TSV.
    Returns a DataFrame with ``source_line``, ``n_cells`` (int) and cells ``c0..cN`` (str).
    Raises InputError for binary, undecodable or corrupt input.
    """
    if data.startswith(_XLSX_MAGIC):
        rows = _xlsx_rows(data, name)
    elif data.startswith(_OLE_MAGIC):
        raise InputError("is a legacy .xls (or other OLE) file; save it as .xlsx or CSV and try again", name)
    else:
        rows = _text_rows(_decode(data, name), name)
    return _frame(rows)


def decode_text(data: bytes, name: str) -> str:
    """The text of a text file in UTF-8, cp1252 or UTF-16. Raises InputError for binary or undecodable bytes."""
    return _decode(data, name)


def _decode(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    if b"\x00" in data and not (data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff")):
        raise InputError("holds binary data (NUL bytes), not a text export; is it the right file?", name, _line_of(data, data.index(b"\x00")))
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


def _text_rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = _delimiter(text, name)
    # QUOTE_NONE for tab-separated text: the web export does not quote cells,
    # and a cell that happens to start with '"' must not swallow the lines below it.
    quoting = csv.QUOTE_NONE if delimiter == "\t" and not _looks_quoted(text) else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=False)
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"cannot be read as {'tab-separated' if delimiter == chr(9) else 'comma-separated'} text: {exc}", name, start) from None
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
    return bool(re.search(r'(^|\t)"[^"\t\n]*\n', text, flags=re.MULTILINE)) and bool(re.search(r'"(\t|$)', text, flags=re.MULTILINE))


def _xlsx_rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError, EOFError) as exc:
        raise InputError(f"is not a readable Excel workbook ({type(exc).__name__}); open it in Excel and save it again", name) from None
    try:
        sheets = book.worksheets
        if not sheets:
            raise InputError("is an Excel workbook with no worksheets", name)
        # The export is the first sheet that has a header row; default to the first.
        sheet = next((s for s in sheets if _sheet_has_header(s)), sheets[0])
        return [(number, [_xlsx_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError) as exc:
        raise InputError(f"is a damaged Excel workbook ({type(exc).__name__}); open it in Excel and save it again", name) from None
    finally:
        book.close()


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


REGISTER_COLUMNS = ["ref", "target", "baseline", "actual", "unit", "polarity", "tolerance", "note", "period"]


def parse_register(data: bytes, name: str) -> pd.DataFrame:
    """Read the analyst-maintained indicator register (CSV: ref, target, baseline, actual, unit, polarity, tolerance,
    note, period).

    Empty cells mean "no override"; a row with a ``period`` (``2011/12 Q4``) applies to that period only. Numbers may carry thousands separators and a % sign.
    Returns the rows with ``source_line``; numbers as floats (NaN when empty).
    Raises InputError naming the line for a missing column, a number that is not a number,
    a polarity other than higher/lower, or a negative tolerance.
    """
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline=""))
    rows = list(reader)
    if not rows:
        raise InputError("is empty; a register needs a header row: " + ",".join(REGISTER_COLUMNS), name)
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("ref",) if c not in header]
    if missing or not set(header) <= set(REGISTER_COLUMNS):
        unknown = sorted(set(header) - set(REGISTER_COLUMNS))
        raise InputError(f"register header must use the columns {', '.join(REGISTER_COLUMNS)}"
                         + (f" (unknown: {', '.join(unknown)})" if unknown else " (ref is required)"), name, 1)
    records = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        record = dict(zip(header, (c.strip() for c in cells)))
        out = {"source_line": line}
        for col in REGISTER_COLUMNS:
            value = record.get(col, "")
            if col in ("target", "baseline", "actual", "tolerance"):
                out[col] = _register_number(value, col, name, line)
            else:
                out[col] = value
        if out["polarity"] not in ("", "higher", "lower"):
            raise InputError(f"polarity {out['polarity']!r} must be 'higher' or 'lower' (or empty)", name, line)
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
        records.append(out)
    frame = pd.DataFrame(records, columns=["source_line"] + REGISTER_COLUMNS)
    for col in ("target", "baseline", "actual", "tolerance"):
        frame[col] = frame[col].astype("float64")
    return frame.astype({"source_line": "int64"})


def _register_number(value: str, column: str, name: str, line: int) -> float:
    if value == "":
        return float("nan")
    cleaned = value.replace(",", "").rstrip("%").strip()
    try:
        return float(cleaned)
    except ValueError:
        raise InputError(f"{column} {value!r} is not a number", name, line) from None
