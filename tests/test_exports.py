"""read.exports: a period's files read in one call, an earlier export that cannot be read kept as a reason."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.period import Period
from pipeline.read.exports import read_export, read_period
from pipeline.read.layout import read_layout

LAYOUT = read_layout(
    b"""[layout]
kind = "table"
[columns]
ref = "Ref"
measure = "Measure"
directorate = "Group"
target = "Target"
actual = "Actual"
status = "Status"
[status]
"Green" = 1
"Red" = 4
""",
    "layout.toml",
)
Q2 = Period.parse("2024/25", "Q2")


@dataclass(frozen=True)
class File:
    """A file as the snapshot gives it: its bytes, the name outputs give it, where it was."""

    path: Path
    data: bytes

    @property
    def name(self) -> str:
        return self.path.name


def export(*rows: str, name: str = "kpis_2024-25_Q2.csv") -> File:
    return File(Path("/somewhere") / name, ("Ref,Measure,Group,Target,Actual,Status\n" + "\n".join(rows)).encode())


def test_the_reports_export_is_read_with_its_findings_and_the_years_its_text_names():
    own = File(
        Path("kpis_2024-25_Q2.csv"),
        b"Performance 2011/12\nRef,Measure,Group,Target,Actual,Status\nK1,Calls,A,10,12,Green\n",
    )
    read = read_export(own.data, own.name, LAYOUT, Q2, header_years=True, file=own.path.name)
    assert list(read.indicators["ref"]) == ["K1"]
    assert read.figures.loc[0, "actual"] == 12.0
    assert list(read.years_named["check"]) == ["period_mismatch"]
    assert list(read.years_named["source_line"]) == [1]
    assert "names 2011/12, not the report's year 2024/25" in read.years_named.iloc[0]["finding"]
    quiet = read_export(own.data, own.name, LAYOUT, Q2, header_years=False)
    assert quiet.years_named.empty and quiet.file == own.name


def test_an_earlier_export_that_cannot_be_read_is_a_reason_not_an_error():
    own = export("K1,Calls,A,10,12,Green")
    good = export("K1,Calls,A,10,8,Red", name="kpis_2024-25_Q1.csv")
    broken = File(Path("/somewhere/kpis_2023-24_Q4.csv"), b"")
    read = read_period(
        own, {Q2.previous(): good, Q2.previous().previous(): broken}, None, None, LAYOUT, Q2, header_years=False
    )
    assert list(read.earlier) == [Q2.previous()]
    assert read.earlier[Q2.previous()].figures.loc[0, "actual"] == 8.0
    assert read.earlier[Q2.previous()].findings.empty  # an earlier export's findings are its own report's
    (reason,) = read.unreadable.values()
    assert reason.startswith("the export for 2023/24 Q4 (kpis_2023-24_Q4.csv) could not be read (")
    assert not read.has_register and read.register[1] == "" and read.register[0].empty
    assert read.names == {}


def test_the_reports_own_export_the_register_and_the_names_file_raise():
    own = export("K1,Calls,A,10,12,Green")
    with pytest.raises(InputError):
        read_period(File(Path("/x/kpis_2024-25_Q2.csv"), b""), {}, None, None, LAYOUT, Q2, False)
    with pytest.raises(InputError):
        read_period(own, {}, File(Path("/x/register.csv"), b"no ref column\n1\n"), None, LAYOUT, Q2, False)


def test_the_register_and_the_groups_names_are_read_once_with_the_export():
    own = export("K1,Calls,A,10,12,Green")
    register = File(Path("/x/register.csv"), b"ref,target\nK1,11\n")
    names = File(Path("/x/directorates.csv"), b"code,name\nA,Adult services\n")
    read = read_period(own, {}, register, names, LAYOUT, Q2, False)
    assert read.has_register and read.register[1] == "register.csv"
    assert list(read.register[0]["ref"]) == ["K1"]
    assert read.names == {"A": "Adult services"}
