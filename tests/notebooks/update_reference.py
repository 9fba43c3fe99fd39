"""Regenerate the nbval regression reference: the report notebook executed on the seed, outputs stored.

    .venv/bin/python tests/notebooks/update_reference.py

Run it when the report is meant to change, and read the diff of council_plan_report.ipynb before
committing: every changed output is a changed report. nbval then re-executes this notebook in the
test suite and compares every output with the stored one (tests/notebooks/sanitize.cfg lists the only
parts allowed to vary).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.paths import COUNCIL_PLAN_NOTEBOOK  # noqa: E402
from pipeline.run import execute  # noqa: E402

PARAMETERS = {
    "year": "2011/12",
    "quarter": "Q4",
    "input_path": "data/raw/council_plan_2011-12_Q4.tsv",
    "register_path": "data/raw/indicator_register.csv",
}


def main() -> int:
    nb = execute.execute_notebook(COUNCIL_PLAN_NOTEBOOK, PARAMETERS)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tags = cell.metadata.setdefault("tags", [])
            if "nbval-check-output" not in tags:
                tags.append("nbval-check-output")
    target = Path(__file__).with_name("council_plan_report.ipynb")
    nbformat.write(nb, str(target))
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
