"""Property-based: every generated sentence of an export of any shape is true, checked against counts made here from
the rows as written, and holds when recomputed from indicators.csv as verify does.

The exports are SYNTHETIC, drawn here: with or without a ref column, groups (some empty or written NA, N/A, -, ..),
statuses (all one, or none), targets and actuals, a direction (a column, table-wide higher or lower, or none),
commentary and remedial columns; one to 25 rows, some repeated exactly.
"""

import csv
import io

import pytest
from conftest import prepared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.figures.statements import INDICATORS, check, indicators_from_csv, rows
from pipeline.run.publish import csv_bytes

MISSING = ["", "NA", "N/A", "-", ".."]
WORDS = {"Green": 1, "On track": 2, "Amber": 3, "Red": 4, "Data only": ""}


@st.composite
def exports(draw):
    """(layout TOML, CSV bytes, the rows as written, the columns present)."""
    columns = draw(st.sets(st.sampled_from(["Ref", "Group", "Status", "Target", "Actual", "Notes", "Action"])))
    direction = draw(st.sampled_from(["column", "none", "higher", "lower"]))
    one_status = draw(st.sampled_from([None, "Green", "Red"]))
    rows = []
    for i in range(draw(st.integers(1, 25))):
        row = {"Name": f"Measure {i}"}
        row["Ref"] = f"K{i}"
        row["Group"] = draw(st.sampled_from(["Parks", "Roads", "Homes"] + MISSING))
        row["Status"] = one_status or draw(st.sampled_from(list(WORDS) + [""]))
        row["Target"] = draw(st.sampled_from(["", "10", "50%", "TBC", "By 2030, a 50% reduction"]))
        row["Actual"] = draw(st.sampled_from(["", "8", "12", "55%", "n/a"]))
        row["Better"] = draw(st.sampled_from(["High", "Low", ""]))
        row["Notes"] = draw(st.sampled_from(["", "Missed collection figures yet to be agreed"]))
        row["Action"] = draw(st.sampled_from(["", "Recovery plan agreed"]))
        rows.append(row)
        if draw(st.integers(0, 6)) == 0:
            rows.append(dict(row))  # an exact duplicate
    header = ["Name"] + sorted(columns) + (["Better"] if direction == "column" else [])
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["SYNTHETIC TEST DATA made by tests/test_statements.py"])
    out.writerow(header)
    for row in rows:
        out.writerow([row[h] for h in header])
    toml = ["[layout]", 'kind = "table"', 'council = "Shapetown (SYNTHETIC)"', 'group_word = "service"']
    toml += [f'default_polarity = "{direction}"'] if direction in ("higher", "lower") else []
    toml += ["[columns]", f'ref = "{"Ref" if "Ref" in columns else "(row)"}"', 'measure = "Name"']
    fields = {"Group": "directorate", "Status": "status", "Target": "target", "Actual": "actual"}
    fields |= {"Notes": "progress", "Action": "remedial"}
    toml += [f'{fields[c]} = "{c}"' for c in sorted(columns) if c in fields]
    toml += ['polarity = "Better"'] if direction == "column" else []
    toml += ["[status]"] + [f'"{w}" = {m if m != "" else chr(34) * 2}' for w, m in WORDS.items()]
    toml += ['"" = ""'] if False else []
    toml += ["[polarity]", '"High" = "higher"', '"Low" = "lower"']
    written = [dict(r, **{"Better": r["Better"] if direction == "column" else ""}) for r in rows]
    return "\n".join(toml) + "\n", buffer.getvalue().encode("utf-8"), written, columns, direction


def _kept(rows: list[dict], columns: set) -> list[dict]:
    """The rows an indicator is read from: each distinct row once (an exact repeat is counted once)."""
    seen, kept = set(), []
    for row in rows:
        key = tuple(row[c] for c in ["Name", *sorted(columns)])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(exports())
def test_every_statement_of_any_shape_is_true_and_holds_from_indicators_csv(tmp_path_factory, shape):
    layout_text, data, written, columns, direction = shape
    folder = tmp_path_factory.mktemp("statements")
    export = folder / "shapetown_2024-25_Q2.synthetic.csv"
    export.write_bytes(data)
    (folder / "layout.toml").write_text(layout_text)
    got = prepared(export, alone=True)
    kept = _kept(written, columns)
    assert len(got.indicators) == len(kept)
    # the counts, made here from the rows as written
    meaning = [WORDS.get(r["Status"]) if "Status" in columns else None for r in kept]
    coded = [m for m in meaning if m not in (None, "")]
    on, off = sum(m in (1, 2) for m in coded), sum(m in (3, 4) for m in coded)
    groups = [r["Group"] if "Group" in columns and r["Group"] not in MISSING else "" for r in kept]
    off_groups = [g for g, m in zip(groups, meaning) if m in (3, 4)]
    by_statement = {(s.fact, s.section): s for s in got.statements.made}
    summary = got.statements.of("front page: summary")[0]
    assert (summary.figures["assessed"], summary.figures["on"], summary.figures["off"]) == (len(coded), on, off)
    for statement in got.statements.made:
        sentence = statement.sentence
        for marker in ("NA", "N/A", "(not given)", "(none given)", "()"):
            assert f" {marker} " not in f" {sentence} " and f"({marker})" not in sentence, sentence
        if statement.fact == "where_off_track":
            named = [g for g in off_groups if g]
            top = max((named.count(g) for g in set(named)), default=0)
            assert ("Most indicators" in sentence) == (2 * top > len(off_groups)), sentence
            assert not any(g in sentence for g in set(groups) - set(named) - {""} if g not in named)
            if sentence.startswith(f"The {len(off_groups)} indicators off track are in "):
                assert len(set(off_groups)) == 1 and off_groups[0]  # all of them, in that one group
            if "have no service given" in sentence or "has no service given" in sentence:
                assert "" in off_groups
        if statement.fact == "no_action":
            if not {"Notes", "Action"} & columns:
                assert sentence.startswith("The export carries no commentary")
            else:
                assert ("remedial action" in sentence) == ("Action" in columns), sentence
                said = ["Action"] if "Action" in columns else ["Notes"]
                silent = sum(m in (3, 4) and not any(r[c] for c in said) for r, m in zip(kept, meaning))
                whole = "The one indicator off track has" if off == 1 else f"The {off} indicators off track have"
                assert sentence.startswith(whole if silent == off else f"{silent} of the {off} indicators"), sentence
        if statement.fact == "complete_groups":
            for group in ("Parks", "Roads", "Homes"):
                if f" in {group} " in sentence or f" in {group}." in sentence:
                    mine = [m for g, m in zip(groups, meaning) if g == group and m not in (None, "")]
                    assert len(mine) >= 3 and all(m in (1, 2) for m in mine)
        if statement.fact == "charted":
            both = [
                "Target" in columns
                and r["Target"] in ("10", "50%")
                and "Actual" in columns
                and r["Actual"] in ("8", "12", "55%")
                for r in kept
            ]
            assert (sentence == "No indicator has both a target and an actual.") == (not any(both))
        if statement.fact == "standing":
            row = kept[
                [r["Ref"] if "Ref" in columns else str(i + 1) for i, r in enumerate(kept)].index(statement.refs[0])
            ]
            target = "Target" in columns and row["Target"] in ("10", "50%")
            actual = "Actual" in columns and row["Actual"] in ("8", "12", "55%")
            if "no target" in sentence:
                assert not target
            if "no actual" in sentence:
                assert not actual
            if "the export gives no direction" in sentence:
                assert target and actual
            if "short of target" in sentence or "over target" in sentence:
                assert target and actual and (direction != "none" or row["Better"])
    assert ("share", "front page: summary") in by_statement
    # what verify does: every statement recomputed from indicators.csv as published
    back = indicators_from_csv(csv_bytes(got.indicators))
    assert [check(row, {INDICATORS: back}) for row in rows(got.statements.made)] == [""] * len(got.statements.made)


@pytest.mark.parametrize("marker", ["NA", "N/A", "-", ".."])
def test_a_missing_group_is_never_a_group_nor_a_count_of_groups(tmp_path, marker):
    """Before: "Most indicators off track are in NA (37 of its 65 with a status)", "of 37 directorates" counting NA
    as one."""
    export = tmp_path / "shapetown_2024-25_Q2.synthetic.csv"
    lines = ["Ref,Name,Group,Status"] + [f"K{i},Measure {i},{marker if i < 5 else 'Parks'},Red" for i in range(7)]
    export.write_text("\n".join(lines) + "\n")
    (tmp_path / "layout.toml").write_text(
        '[layout]\nkind = "table"\n[columns]\nref = "Ref"\nmeasure = "Name"\ndirectorate = "Group"\nstatus = "Status"\n'
        '[status]\n"Red" = 4\n'
    )
    got = prepared(export, alone=True)
    where = [s for s in got.statements.made if s.fact == "where_off_track"][0].sentence
    assert where == "2 of the 7 indicators off track are in Parks (2 of its 2 with a status); 5 have no group given."
