"""environment.yml delegates to pyproject.toml: one source of truth for dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_installs_the_project_from_pyproject():
    deps = _env()["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert pip_sections == [["-e .[test]"]], "environment.yml must install the project itself via pip"


def test_python_version_agrees_with_requires_python():
    requires = _pyproject()["project"]["requires-python"]
    minimum = tuple(int(x) for x in re.search(r">=\s*([\d.]+)", requires).group(1).split("."))
    pythons = [d for d in _env()["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert len(pythons) == 1
    version = tuple(int(x) for x in pythons[0].split("=")[-1].split("."))
    assert version >= minimum


def test_conda_packages_are_declared_in_pyproject():
    """Any conda package besides python/pip must also be a declared dependency."""
    project = _pyproject()["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        declared |= {_name(r) for r in extra}
    conda = [d for d in _env()["dependencies"] if isinstance(d, str)]
    extra = [_name(d.split("=")[0]) for d in conda if _name(d.split("=")[0]) not in {"python", "pip"}]
    assert set(extra) <= declared, f"environment.yml lists packages pyproject.toml lacks: {set(extra) - declared}"


def test_design_packages_are_declared():
    """The packages fixed by the design are direct dependencies."""
    declared = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    for pkg in ["jupyterlab", "pandas", "statsmodels", "seaborn", "papermill", "nbconvert", "pytest"]:
        assert pkg in declared
