"""Write environment.yml from requirements.lock, so that the two cannot drift apart.

requirements.lock is generated from pyproject.toml by pip-compile with a hash for every file of every
package (``make lock``); conda users get the same packages at the same versions through environment.yml's
pip section. Run by ``make lock``; ``tests/test_environment.py`` checks that the file equals what this writes.

    python tools/environment_yml.py            # rewrite environment.yml
    python tools/environment_yml.py --check    # exit 1 when environment.yml is not what the lock gives
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.M)


def lock_pins(text: str) -> dict[str, str]:
    """{normalised name: version} of every package pinned in a pip-compile lock."""
    return {name.lower().replace("_", "-").replace(".", "-"): version for name, version in PIN.findall(text)}


def environment_yml(pins: dict[str, str]) -> str:
    """environment.yml for conda: Python 3.11 and pip, then every locked package at its locked version."""
    lines = [
        "# GENERATED from requirements.lock by `make lock` (tools/environment_yml.py): do not edit by hand.",
        "# For conda users: every package of requirements.lock at the same version (without the hashes, which",
        "# conda's pip section cannot check: the Makefile's .venv, installed with --require-hashes, is the",
        "# supported route).",
        "name: council-plan-reports",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={version}" for name, version in sorted(pins.items()) if name not in ("pip",)]
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    wanted = environment_yml(lock_pins((ROOT / "requirements.lock").read_text(encoding="utf-8")))
    target = ROOT / "environment.yml"
    if "--check" in argv:
        if target.read_text(encoding="utf-8") != wanted:
            print("environment.yml is not what requirements.lock gives: run make lock", file=sys.stderr)
            return 1
        return 0
    target.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
