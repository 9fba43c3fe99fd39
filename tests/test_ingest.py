"""ingest: TSV, CSV (encodings, BOM, CRLF) and XLSX read to the same rows; bad input is an InputError."""

import csv
import io

import openpyxl
import pytest

from conftest import SEED, raw_frame
from pipeline.errors import InputError
from pipeline.ingest import parse_export, read_bytes


def seed_rows():
    return [line.split("\t") for line in SEED.read_text(encoding="utf-8").split("\n")]


def as_csv(rows, encoding, bom=False, newline="\r\n"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def as_xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for r in rows:
        sheet.append([int(c) if c.isdigit() and len(c) == 1 else (c or None) for c in r])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cells(frame):
    """The non-empty cells of each row (trailing empties differ between formats, content must not)."""
    out = []
    for row in frame.drop(columns=["source_line", "n_cells"]).itertuples(index=False):
        values = list(row)
        while values and values[-1] == "":
            values.pop()
        out.append(values)
    return [r for r in out if r]


def test_tsv_keeps_line_numbers_and_cells():
    frame = parse_export(SEED.read_bytes(), SEED.name)
    assert frame["source_line"].tolist()[:3] == [1, 2, 3]
    row = frame[frame["c0"] == "4.6"].iloc[0]
    assert row["source_line"] == 29
    assert row["c4"] == "1"
    assert row["c3"] == "DNS"


@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("cp1252", False), ("utf-16", False)])
def test_csv_in_every_encoding_reads_like_the_tsv(encoding, bom):
    expected = cells(parse_export(SEED.read_bytes(), "seed.tsv"))
    frame = parse_export(as_csv(seed_rows(), encoding, bom), "seed.csv")
    assert cells(frame) == expected
    # the pound sign survives each encoding
    assert any("£" in c for r in cells(frame) for c in r)


def test_csv_with_lf_line_ends_and_quoted_multiline_cells():
    rows = [["Ref.", "Change/Improvement Priority Actions"], ["1.1", "first line\nsecond line"], ["1.2", "x"]]
    frame = parse_export(as_csv(rows, "utf-8", newline="\n"), "x.csv")
    assert frame["c1"].tolist() == ["Change/Improvement Priority Actions", "first line\nsecond line", "x"]
    assert frame["source_line"].tolist() == [1, 2, 4]  # the quoted cell spans lines 2-3


def test_xlsx_reads_like_the_tsv():
    expected = cells(parse_export(SEED.read_bytes(), "seed.tsv"))
    frame = parse_export(as_xlsx(seed_rows()), "seed.xlsx")
    assert cells(frame) == expected


def test_tab_separated_cell_starting_with_a_quote_does_not_swallow_lines():
    data = b'Ref.\tAction\n1.1\t"Quoted" start\tx\n1.2\tplain\ty\n'
    frame = parse_export(data, "x.tsv")
    assert frame["c1"].tolist() == ["Action", '"Quoted" start', "plain"]


def test_read_bytes_rejects_missing_directory_and_empty(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_bytes(tmp_path / "nope.tsv")
    with pytest.raises(InputError, match="is a directory"):
        read_bytes(tmp_path)
    empty = tmp_path / "empty.tsv"
    empty.write_bytes(b"  \n\r\n")
    with pytest.raises(InputError, match="is empty"):
        read_bytes(empty)


@pytest.mark.parametrize("data, message, line", [
    (b"Ref.\tx\nabc\x00def\n", "binary data", 2),
    (b"Ref.\tx\n1.1\t\x01\x02\x03\n", "control character", 2),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "legacy .xls", None),
    (b"PK\x03\x04 not really a zip", "not a readable Excel workbook", None),
])
def test_parse_rejects_binary_and_corrupt_files(data, message, line):
    with pytest.raises(InputError, match=message) as info:
        parse_export(data, "bad.tsv")
    assert info.value.line == line
    assert str(info.value).startswith("bad.tsv")


def test_truncated_xlsx_is_an_input_error():
    data = as_xlsx([["Ref.", "x"], ["1.1", "y"]])
    with pytest.raises(InputError, match="Excel workbook"):
        parse_export(data[: len(data) // 2], "cut.xlsx")


def test_frame_pads_short_rows():
    frame = parse_export(b"a\tb\tc\nd\n", "x.tsv")
    expected = raw_frame([["a", "b", "c"], ["d"]])
    assert frame.equals(expected)
