"""Set-up: a hashed lock from pyproject.toml, environment.yml generated from it; the Makefile and CI do what the
README says."""

import os
import re
from pathlib import Path

import pip
import pytest
import yaml
from conftest import ROOT


def _tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("environment_yml", ROOT / "tools" / "environment_yml.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LOCK = (ROOT / "requirements.lock").read_text()


def env_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return dict((name.lower(), version) for name, version in (p.split("==") for p in pip if "==" in p))


def pyproject_dependencies():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + [n for extra in project["optional-dependencies"].values() for n in extra]
    return {re.split(r"[<>=\[; ]", n)[0].lower().replace("_", "-") for n in names}


def test_environment_yml_is_what_the_lock_gives():
    """Before: environment.yml pinned 19 direct packages by hand while the README said it pinned what the lock
    pins. Now it is generated from the lock, and this fails when the two differ."""
    tool = _tool()
    assert (ROOT / "environment.yml").read_text() == tool.environment_yml(tool.lock_pins(LOCK))
    lock, env = tool.lock_pins(LOCK), env_pins()
    assert len(env) == len(lock) - 1 and all(lock[name] == version for name, version in env.items())  # all but pip


def test_every_locked_package_has_hashes_and_the_lock_comes_from_pyproject():
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK)
    pinned = [b for b in blocks if re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*==", b)]
    assert len(pinned) > 100
    assert [b.split(" ")[0] for b in pinned if "--hash=sha256:" not in b] == []
    assert "pip-compile" in LOCK and "--generate-hashes" in LOCK and "pyproject.toml" in LOCK
    assert "pypi==" not in LOCK  # the stray pin nothing required
    assert "--require-hashes" in (ROOT / "Makefile").read_text()


def test_every_direct_dependency_is_pinned_in_both():
    lock, env = _tool().lock_pins(LOCK), env_pins()
    for name in pyproject_dependencies():
        assert name in lock, f"{name} missing from requirements.lock"
        assert name in env, f"{name} missing from environment.yml"
    assert "jupyter" in lock and "jupyterlab" in lock and "ruff" in lock


def test_the_version_is_in_the_changelog():
    import re
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    newest = re.search(r"^## (\d+\.\d+\.\d+) ", (ROOT / "CHANGELOG.md").read_text(), re.M).group(1)
    assert newest == version  # the newest entry of the changelog is the version being built


def test_python_version_agrees():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert 'requires-python = ">=3.11.2,<3.12"' in (ROOT / "pyproject.toml").read_text()


OLDEST_PYTHON = Path("/usr/bin/python3.11")  # Debian 12's own interpreter: 3.11.2, the oldest supported


@pytest.mark.slow
def test_the_lock_installs_under_the_oldest_supported_python(tmp_path):
    """Before: the lock pinned soupsieve 4.1.2, which needs Python >= 3.11.5, so `make report` failed on Debian 12
    with its own Python 3.11.2. The lock is resolved for the oldest Python the project supports; pip checks that
    every pinned file exists for it and matches its hash (a dry run: nothing is installed)."""
    import subprocess
    import tomllib

    if not OLDEST_PYTHON.is_file():
        pytest.skip(f"{OLDEST_PYTHON} (Debian's own Python 3.11) is not on this machine")
    version = subprocess.run(
        [str(OLDEST_PYTHON), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    oldest = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert oldest.startswith(f">={version},"), f"{OLDEST_PYTHON} is {version}; pyproject.toml says {oldest}"
    venv = tmp_path / "venv"
    made = subprocess.run([str(OLDEST_PYTHON), "-m", "venv", "--without-pip", str(venv)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"{OLDEST_PYTHON} cannot make a virtual environment here (python3-venv missing)")
    # the pip of the project's environment, run as if by the old interpreter: it resolves for that Python
    done = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--require-hashes",
            "--no-deps",
            "--ignore-installed",
            "--disable-pip-version-check",
            "-r",
            str(ROOT / "requirements.lock"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(pip.__file__).parent.parent)},
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_ci_runs_make_test_and_readme_shows_both_commands():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme


def test_every_third_party_package_the_pipeline_imports_is_declared():
    """Before: numpy, traitlets, jupyter_client, jupyter_core, mistune and defusedxml were imported but arrived only
    as other packages' dependencies: a change there could take them away. Each module the pipeline imports outside
    the standard library is a distribution named in pyproject.toml's dependencies."""
    import ast
    import importlib.metadata as metadata
    import re
    import sys
    import tomllib

    declared = {
        re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0].lower().replace("_", "-")
        for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    owners = metadata.packages_distributions()
    imported = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m not in ("pipeline", "__future__")}
    undeclared = {
        module: owners.get(module, ["?"])
        for module in sorted(third_party)
        if not {d.lower().replace("_", "-") for d in owners.get(module, [])} & declared
    }
    assert undeclared == {}
    assert {"numpy", "pydantic", "tqdm", "mistune", "defusedxml", "traitlets", "jupyter_client"} <= third_party
