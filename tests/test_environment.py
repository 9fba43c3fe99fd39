"""Set-up: environment.yml and requirements.lock pin the same versions; the Makefile and CI do what the README says."""

import re

import yaml

from conftest import ROOT


def lock_pins():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def env_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return dict(
        (name.lower(), version) for name, version in (p.split("==") for p in pip if "==" in p))


def pyproject_dependencies():
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)\]", text, re.S | re.M).group(1)
    test = re.search(r"^test = \[(.*?)\]", text, re.M).group(1)
    return {n.lower() for n in re.findall(r'"([A-Za-z0-9_.-]+)"', block + test)}


def test_every_environment_yml_pin_matches_the_lock():
    lock, env = lock_pins(), env_pins()
    assert env, "environment.yml lists no pinned packages"
    assert {name: version for name, version in env.items() if lock.get(name) != version} == {}


def test_every_direct_dependency_is_pinned_in_both():
    lock, env = lock_pins(), env_pins()
    for name in pyproject_dependencies():
        assert name in lock, f"{name} missing from requirements.lock"
        assert name in env, f"{name} missing from environment.yml"


def test_python_version_agrees():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert 'requires-python = ">=3.11,<3.12"' in (ROOT / "pyproject.toml").read_text()


def test_ci_runs_make_test_and_readme_shows_both_commands():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
