"""SYNTHETIC quarterly exports for tests and benchmarks, made from the real 2011/12 year-end export.

Every file made here is labelled synthetic three ways: its name (``council_plan_2012-13_Q1.synthetic.tsv``),
a line above the header that the report shows on its title page, and its folder. The statuses are
shifted by a fixed rule, so the figures are not the council's and must never be published as such.
"""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "data" / "raw" / "council_plan_2011-12_Q4.tsv"
# The header of the SYNTHETIC Anytown KPI export (data/layouts/anytown_synthetic.toml)
ANYTOWN_HEADER = [
    "KPI Ref",
    "Indicator",
    "Department",
    "Target 2024/25",
    "Q1 Result",
    "Q2 Result",
    "Unit",
    "Good is",
    "RAG",
    "Commentary",
]
LABEL = "SYNTHETIC TEST DATA: made by the test suite from the 2011/12 year-end export; not council figures"


def quarter_text(year_start: int, quarter: int, seed_text: str | None = None, shift_every: int = 5) -> str:
    """One synthetic quarterly export: the seed with a label, the quarter's headers and shifted statuses."""
    lines = (seed_text if seed_text is not None else SEED.read_text(encoding="utf-8")).split("\n")
    out = [LABEL]
    row = 0
    for line in lines:
        cells = line.split("\t")
        if cells[0].startswith("Ref."):
            cells = [
                c.replace("Year end Progress Indicator", f"Quarter {quarter} Progress Indicator").replace(
                    "2011/12", f"{year_start}/{(year_start + 1) % 100:02d}"
                )
                for c in cells
            ]
        elif len(cells) == 7 and cells[4] in {"1", "2", "3", "4"} and cells[0][:1].isdigit():
            row += 1
            if (row + quarter) % shift_every == 0:
                cells[4] = str(int(cells[4]) % 4 + 1)
        out.append("\t".join(cells))
    return "\n".join(out)


def make_quarters(folder: Path, year_start: int = 2012, quarters=(1, 2, 3, 4)) -> list[Path]:
    """Write synthetic exports for the given quarters of one year into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    seed_text = SEED.read_text(encoding="utf-8")
    paths = []
    for q in quarters:
        path = folder / f"council_plan_{year_start}-{(year_start + 1) % 100:02d}_Q{q}.synthetic.tsv"
        path.write_text(quarter_text(year_start, q, seed_text), encoding="utf-8")
        paths.append(path)
    return paths


def typed_table(rows: int, departments: int = 40) -> bytes:
    """A SYNTHETIC typed KPI table of ``rows`` indicators over ``departments`` departments, in the shape of the
    Anytown example layout (``data/layouts/anytown_synthetic.toml``), labelled synthetic in its first line."""
    import csv
    import io

    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow([f"SYNTHETIC TEST DATA - a {rows:,}-row KPI table made by tests/synthetic.py; not council figures"])
    out.writerow(ANYTOWN_HEADER)
    words = ["Green", "Amber", "Red", "Data only"]
    for i in range(rows):
        target = 1000 + i % 97
        spread = (i * 37) % 701 - 350  # -350 .. +350 around the target, so variances range from -35% to +35%
        out.writerow(
            [
                f"KPI{i:05d}",
                f"Synthetic indicator {i}",
                f"Department {i % departments}",
                f"{target:,}",
                f"{target - 20 + i % 41:,}",
                "Pending" if i % 50 == 0 else f"{target + spread:,}",
                "%" if i % 3 == 0 else "",
                "High" if i % 2 else "Low",
                words[(i + i // departments) % 4],
                f"Commentary for indicator {i}, with a sentence or two about progress this quarter.",
            ]
        )
    return buffer.getvalue().encode("utf-8")


# --- the shapes of other bodies' exports (issue 30), each SYNTHETIC -------------------------------------------


def _csv(rows: list[list[str]]) -> str:
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _notes_no_direction(folder: Path) -> Path:
    """A district council's KPIs: no direction, a notes column (4 of 11 off track give a reason), no remedial."""
    rows = [["SYNTHETIC TEST DATA: a district council's KPIs, not its figures"]]
    rows.append(["KPI", "Description", "Service", "Target", "Actual", "RAG", "Notes"])
    for i in range(20):
        off = i < 11
        note = "Missed collection figures for Q1 have yet to be agreed with the contractor" if off and i < 4 else ""
        rows.append([f"KPI{i:02d}", f"Synthetic measure {i}", ["Waste", "Leisure", "Planning"][i % 3], "100",
                     str(80 if off else 120), "Red" if off else "Green", note])  # fmt: skip
    export = folder / "district_kpis_2025-26_Q2.synthetic.csv"
    export.write_text(_csv(rows), encoding="utf-8")
    (folder / "layout.toml").write_text(
        '[layout]\nkind = "table"\ncouncil = "District Council (SYNTHETIC)"\n[columns]\nref = "KPI"\n'
        'measure = "Description"\ndirectorate = "Service"\ntarget = "Target"\nactual = "Actual"\nstatus = "RAG"\n'
        'progress = "Notes"\n[status]\n"Green" = 1\n"Red" = 4\n',
        encoding="utf-8",
    )
    return export


def _na_groups_totals_duplicates(folder: Path) -> Path:
    """An NHS region's scorecard: groups written NA, a national total with no code, rows repeated exactly."""
    rows = [["SYNTHETIC TEST DATA: an NHS region's scorecard, not its figures"]]
    rows.append(["Area code", "Area", "Trust", "Target", "Actual", "Better", "Status"])
    for i in range(12):
        trust = "NA" if i < 7 else ["North Trust", "South Trust"][i % 2]
        row = [f"E{i:03d}", f"Synthetic area {i}", trust, "120", str(100 + 5 * i), "Low", "Red" if i % 2 else "Green"]
        rows.append(row)
        if i in (2, 5):
            rows.append(list(row))  # an exact duplicate
    rows.append(["", "England", "", "120", "13742", "Low", ""])  # the table's own total
    export = folder / "region_scorecard_2025-26_Q2.synthetic.csv"
    export.write_text(_csv(rows), encoding="utf-8")
    (folder / "layout.toml").write_text(
        '[layout]\nkind = "table"\ncouncil = "Region (SYNTHETIC)"\ngroup_word = "trust"\n[columns]\n'
        'ref = "Area code"\nmeasure = "Area"\ndirectorate = "Trust"\ntarget = "Target"\nactual = "Actual"\n'
        'polarity = "Better"\nstatus = "Status"\n[status]\n"Green" = 1\n"Red" = 4\n[polarity]\n"Low" = "lower"\n',
        encoding="utf-8",
    )
    return export


def _july_year_codes(folder: Path) -> Path:
    """A city whose year starts in July, with status codes written with underscores and a target in words."""
    rows = [["SYNTHETIC TEST DATA: a city's performance report, not its figures"]]
    rows.append(["Id", "Measure", "Agency", "Goal", "Value", "Days better", "Progress"])
    words = ["on_target", "moderate_progress", "limited_progress", "moderate_progress", "limited_progress"]
    for i in range(15):
        goal = "By 2030, a 50% reduction" if i == 0 else "120"
        rows.append([f"C-{i}", f"Synthetic city measure {i}", "Department of Consumer and Worker Protection"
                     if i % 2 else "Transport", goal, str(100 + 30 * i), "lower", words[i % 5]])  # fmt: skip
    export = folder / "city_measures_2023-24_Q4.synthetic.csv"
    export.write_text(_csv(rows), encoding="utf-8")
    (folder / "layout.toml").write_text(
        '[layout]\nkind = "table"\ncouncil = "City (SYNTHETIC)"\nyear_start = "July"\ngroup_word = "agency"\n'
        'group_plural = "agencies"\n[columns]\nref = "Id"\nmeasure = "Measure"\ndirectorate = "Agency"\n'
        'target = "Goal"\nactual = "Value"\npolarity = "Days better"\nstatus = "Progress"\n[status]\n'
        '"on_target" = 1\n"moderate_progress" = 3\n"limited_progress" = 3\n[polarity]\n"lower" = "lower"\n',
        encoding="utf-8",
    )
    return export


def _no_commentary_two_bodies(folder: Path) -> Path:
    """Two bodies' exports in one folder, the report's with no commentary column at all."""
    rows = [["SYNTHETIC TEST DATA: Bracknell-like KPIs, not its figures"], ["Ref", "Name", "Dept", "RAG"]]
    rows += [[f"B{i}", f"Synthetic KPI {i}", f"Dept {i % 4}", "Red" if i < 6 else "Green"] for i in range(31)]
    export = folder / "bracknell_kpis_2025-26_Q2.synthetic.csv"
    export.write_text(_csv(rows), encoding="utf-8")
    (folder / "hart_kpis_2014-15_Q2.synthetic.csv").write_text("not Bracknell's\n", encoding="utf-8")
    (folder / "layout.toml").write_text(
        '[layout]\nkind = "table"\ncouncil = "Bracknell-like (SYNTHETIC)"\n[columns]\nref = "Ref"\n'
        'measure = "Name"\ndirectorate = "Dept"\nstatus = "RAG"\n[status]\n"Green" = 1\n"Red" = 4\n',
        encoding="utf-8",
    )
    return export


SHAPES = {
    "notes, no direction": _notes_no_direction,
    "NA groups, a total, duplicates": _na_groups_totals_duplicates,
    "July year, coded words, target in words": _july_year_codes,
    "no commentary, another body's file": _no_commentary_two_bodies,
}


def write_shape(folder: Path, shape: str) -> Path:
    """Write the SYNTHETIC export of ``shape`` (a key of ``SHAPES``) and its layout into ``folder``; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    return SHAPES[shape](folder)


# --- a body's history: quarterly exports over years (issue 33) ----------------------------------------------

NOISE = (0.8, -0.6, 0.3, -0.9, 0.5, -0.2, 0.7, -0.4, 0.1, -0.8, 0.6, -0.3, 0.9, -0.5)  # no run of 6, no trend


def history_quarters(folder: Path, quarters: int = 14, shifted: str = "K03", first_year: int = 2021) -> list[Path]:
    """``quarters`` SYNTHETIC quarterly exports of one body (``metro_kpis_<yyyy-yy>_Q<n>.synthetic.csv``, from
    ``first_year``'s Q1), eight indicators whose actuals move around a level by a fixed small pattern, except
    ``shifted``, a lower-is-better waiting time that steps up by 12 days for the last six quarters; with the
    layout beside them. Returns the exports' paths, oldest first."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "layout.toml").write_text(
        '[layout]\nkind = "table"\ncouncil = "Metro Borough (SYNTHETIC)"\ngroup_word = "service"\n[columns]\n'
        'ref = "Ref"\nmeasure = "Measure"\ndirectorate = "Service"\ntarget = "Target"\nactual = "Actual"\n'
        'polarity = "Better"\nstatus = "RAG"\nprogress = "Commentary"\n[status]\n"Green" = 1\n"Amber" = 3\n'
        '"Red" = 4\n[polarity]\n"High" = "higher"\n"Low" = "lower"\n',
        encoding="utf-8",
    )
    measures = [("K01", "Homes built", "Housing", 50, "High"), ("K02", "Library visits", "Culture", 80, "High"),
                ("K03", "Days to process a claim", "Benefits", 20, "Low"), ("K04", "Streets swept", "Environment", 90, "High"),
                ("K05", "Calls answered", "Customer", 70, "High"), ("K06", "Repairs on time", "Housing", 85, "High"),
                ("K07", "Complaints closed", "Customer", 60, "High"), ("K08", "Days lost to sickness", "People", 9, "Low")]  # fmt: skip
    paths = []
    for t in range(quarters):
        year, quarter = first_year + t // 4, t % 4 + 1
        rows = [["SYNTHETIC TEST DATA: a borough's quarterly KPIs made by tests/synthetic.py; not its figures"],
                ["Ref", "Measure", "Service", "Target", "Actual", "Better", "RAG", "Commentary"]]  # fmt: skip
        for i, (ref, name, service, level, better) in enumerate(measures):
            step = 12 if ref == shifted and t >= quarters - 6 else 0
            actual = level + step + NOISE[(t + i) % len(NOISE)] * (2 if level > 20 else 1)
            met = actual >= level if better == "High" else actual <= level + 1
            rows.append([ref, name, service, str(level), f"{actual:.1f}", better, "Green" if met else "Red",
                         "" if met else "Synthetic commentary: the service explains the figure."])  # fmt: skip
        path = folder / f"metro_kpis_{year}-{(year + 1) % 100:02d}_Q{quarter}.synthetic.csv"
        path.write_text(_csv(rows), encoding="utf-8")
        paths.append(path)
    return paths


def year_columns(folder: Path) -> Path:
    """A statistics office's SYNTHETIC table of six indicators with a column per year, 2010 to 2024 (the year
    starts in January), and its layout naming 2010 to 2023 as the history of the 2024 actual. ``S04`` rises every
    year from 2018: a trend."""
    folder.mkdir(parents=True, exist_ok=True)
    years = list(range(2010, 2025))
    rows = [["SYNTHETIC TEST DATA: a statistics office's annual table made by tests/synthetic.py; not its figures"],
            ["Code", "Indicator", "Better", "Target"] + [str(y) for y in years]]  # fmt: skip
    for i in range(6):
        code = f"S{i + 1:02d}"
        values = []
        for t, year in enumerate(years):
            level = 100 + 10 * i + NOISE[(t + i) % len(NOISE)] * 3
            if code == "S04" and year >= 2018:
                level = 140 + 6 * (year - 2017)
            values.append(f"{level:.1f}")
        rows.append([code, f"Synthetic indicator {i + 1}", "High", str(100 + 10 * i)] + values)
    export = folder / "stats_annual_2024-25_Q4.synthetic.csv"
    export.write_text(_csv(rows), encoding="utf-8")
    history = "".join(f'"{y}" = "{y}"\n' for y in years[:-1])
    (folder / "layout.toml").write_text(
        '[layout]\nkind = "table"\ncouncil = "Statistics Office (SYNTHETIC)"\nyear_start = 1\n[columns]\n'
        'ref = "Code"\nmeasure = "Indicator"\ntarget = "Target"\nactual = "2024"\npolarity = "Better"\n'
        '[polarity]\n"High" = "higher"\n[history]\n' + history,
        encoding="utf-8",
    )
    return export
