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
