"""ingest: TSV, CSV (encodings, BOM, CRLF) and XLSX read to the same rows; bad input is an InputError."""

import csv
import io

import openpyxl
import pytest
from conftest import SEED, raw_frame

from pipeline.errors import InputError
from pipeline.read.ingest import parse_export, read_bytes


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


@pytest.mark.parametrize(
    "data, message, line",
    [
        (b"Ref.\tx\nabc\x00def\n", "binary data", 2),
        (b"Ref.\tx\n1.1\t\x01\x02\x03\n", "control character", 2),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "legacy .xls", None),
        (b"PK\x03\x04 not really a zip", "not a readable Excel workbook", None),
    ],
)
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


# --- Hostile and broken files: a clear error, bounded time and memory (issue 10) --------------------


def _replace_member(data: bytes, member: str, change) -> bytes:
    """The workbook ``data`` with one part rewritten by ``change(bytes) -> bytes``."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    from pipeline.read.ingest import Limits

    big = tmp_path / "big.tsv"
    with open(big, "wb") as handle:
        handle.truncate(60 * 2**20)  # sparse: 60 MB on paper, nothing to read
    with pytest.raises(InputError, match="over the limit of 50 MB"):
        read_bytes(big)
    with pytest.raises(InputError, match="over the limit of 1 MB"):
        parse_export(b"x" * (2 * 2**20), "x.tsv", Limits(file_bytes=2**20))


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    """Before: an 811 KB workbook inflating to 256 MB was cleaned for 259 s in 2.4 GB."""
    import time
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (210 * 2**20) + b">")
    data = buffer.getvalue()
    assert len(data) < 1 * 2**20
    started = time.perf_counter()
    with pytest.raises(InputError, match="unpacks to 210 MB, over the limit of 200 MB"):
        parse_export(data, "bomb.xlsx")
    assert time.perf_counter() - started < 2


def test_too_many_rows_and_too_long_cells_are_refused_with_their_line():
    from pipeline.read.ingest import Limits

    rows = "\n".join(f"{i}\tx" for i in range(50)).encode()
    with pytest.raises(InputError, match="more than 40 rows") as caught:
        parse_export(rows, "x.tsv", Limits(rows=40))
    assert caught.value.line == 41
    long_cell = b"Ref.\tx\n1.1\t" + b"y" * 40_000 + b"\n"
    with pytest.raises(InputError, match="40,000 characters, over the limit of 32,767") as caught:
        parse_export(long_cell, "x.tsv")
    assert caught.value.line == 2
    with pytest.raises(InputError, match="over the limit of 1,000") as caught:  # openpyxl itself stops at 32,767
        parse_export(as_xlsx([["Ref.", "x"], ["1.1", "z" * 3_000]]), "x.xlsx", Limits(cell_chars=1_000))
    assert caught.value.line == 2


def test_malformed_sheet_xml_is_an_input_error_not_a_traceback():
    data = _replace_member(
        as_xlsx([["Ref.", "x"], ["1.1", "y"]]), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]
    )
    with pytest.raises(InputError, match="Excel workbook"):
        parse_export(data, "cut.xlsx")


def test_a_stale_dimension_record_does_not_cut_the_sheet():
    """openpyxl's read-only mode trusted <dimension>: a valid export saved with a stale one was cut short."""
    import re

    rows = [line.split("\t") for line in SEED.read_text(encoding="utf-8").split("\n")]
    data = as_xlsx(rows)
    stale = _replace_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C20"', xml),
    )
    assert cells(parse_export(stale, "stale.xlsx")) == cells(parse_export(data, "seed.xlsx"))
    assert len(cells(parse_export(stale, "stale.xlsx"))) > 100


def test_formulas_and_external_links_are_findings():
    from pipeline.read.ingest import workbook_findings

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ref.", "Outcome", "Status"])
    sheet.append(["1.1", "Visits", "=1+1"])
    sheet.append(["1.2", "Visits", "='[1]Other'!A1"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = _replace_member(buffer.getvalue(), "[Content_Types].xml", lambda x: x)
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    found = workbook_findings(out.getvalue(), "f.xlsx")
    checks = [(line, check) for line, _, check, _, _ in found]
    assert checks == [(0, "external_link"), (2, "formula"), (3, "external_formula")]
    assert "cell C2 holds a formula =1+1" in found[1][3]
    assert workbook_findings(SEED.read_bytes(), SEED.name) == []


# --- The register: each fault an error naming its line (issue 10) ----------------------------------


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('ref,target,note\n6.2,3,"unclosed\n7.1,4,x\n8.1,5,y\n', 2, "never closed"),
        ("ref,target\n6.2,3\n7.1,4\n6.2,5\n", 4, "already given at line 2"),
        ("ref,target,target\n6.2,3,4\n", 1, "more than once"),
        ("ref,target\n6.2,3,99\n", 2, "3 cells but the header has 2"),
        ("ref,target\n6.2,inf\n", 2, "not a number"),
        ("ref,target\n6.2,nan\n", 2, "not a number"),
        ("ref,target\n6.2," + "9" * 309 + "\n", 2, "not a plausible figure"),
        ("ref,target\n6.2,1e308\n", 2, "not a plausible figure"),
        ("ref,unit\n6.2,per <img src=x onerror=alert(1)>\n", 2, "not one the pipeline knows"),
        ('ref,unit\n6.2,<a rel="attachment" href="file:///etc/passwd">x</a>\n', 2, "not one the pipeline knows"),
    ],
)
def test_register_faults_are_errors_naming_the_line(text, line, message):
    from pipeline.read.ingest import parse_register

    with pytest.raises(InputError, match=message) as caught:
        parse_register(text.encode("utf-8"), "register.csv")
    assert caught.value.line == line


def test_register_accepts_the_units_it_knows_and_one_ref_per_period():
    from pipeline.read.ingest import parse_register

    frame = parse_register(
        b'ref,unit,target,period\n6.2,%,3,\n6.3,"per 100,000",4,\n6.4,count,5,\n6.2,%,6,2012/13 Q1\n', "register.csv"
    )
    assert list(frame["unit"]) == ["%", "per 100,000", "count", "%"]
    assert list(frame["target"]) == [3.0, 4.0, 5.0, 6.0]


def test_directorate_names_file_is_read_and_faults_name_their_line():
    from pipeline.read.ingest import parse_directorates

    names = parse_directorates(b'code,name,source\nRES,Resources,x\n"L&D","Law and Democracy",\n', "directorates.csv")
    assert names == {"RES": "Resources", "L&D": "Law and Democracy"}
    with pytest.raises(InputError, match="already named at line 2") as caught:
        parse_directorates(b"code,name\nRES,Resources\nRES,Other\n", "directorates.csv")
    assert caught.value.line == 3
    with pytest.raises(InputError, match="needs the columns code and name"):
        parse_directorates(b"code,title\nRES,Resources\n", "directorates.csv")
