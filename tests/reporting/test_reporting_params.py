"""The notebook parameters contract."""

from __future__ import annotations

import nbformat
import pytest

from evaluering.errors import ReportError
from evaluering.reporting.params import (REPORT_PARAMETERS, build_parameters, check_parameters_cell,
                                         parameters_hash, relative_to_root)

from reporting_helpers import FAILING, HEAVY, LIGHT


def test_contract_names_types_and_defaults():
    spec = {p.name: (p.type, p.default) for p in REPORT_PARAMETERS}
    assert spec == {
        "plan_id": (str, None), "year": (int, None), "plans_dir": (str, "data/raw/plans"),
        "cells_path": (str, "data/processed/cells.parquet"), "published_dir": (str, "data/raw/published"),
        "project_root": (str, "."), "show_run_date": (bool, False), "disclosure_threshold": (int, 3),
        "mode": (str, ""),
    }


def test_build_parameters_relativises_paths_inside_the_root(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    p = build_parameters("x", 2020, project_root=root, plans_dir=root / "data" / "raw" / "plans",
                         cells_path=tmp_path / "elsewhere.parquet")
    assert list(p) == [s.name for s in REPORT_PARAMETERS]
    assert p["plans_dir"] == "data/raw/plans"
    assert p["cells_path"] == (tmp_path / "elsewhere.parquet").resolve().as_posix()
    assert p["project_root"] == root.resolve().as_posix()
    assert p["show_run_date"] is False and p["disclosure_threshold"] == 3


@pytest.mark.parametrize("year", ["abc", 20.5, 1200])
def test_bad_year_is_one_line_error(year):
    with pytest.raises(ReportError) as err:
        build_parameters("x", year, project_root="/p")
    assert "\n" not in str(err.value) and "year" in str(err.value)


def test_relative_to_root():
    assert relative_to_root("/p/a/b", "/p") == "a/b"
    assert relative_to_root("a/b", "/p") == "a/b"
    assert relative_to_root("/q/a", "/p") == "/q/a"


def test_parameters_hash_ignores_project_root_and_order():
    a = {"plan_id": "x", "year": 2020, "project_root": "/a"}
    b = {"year": 2020, "project_root": "/b", "plan_id": "x"}
    assert parameters_hash(a) == parameters_hash(b)
    assert parameters_hash(a) != parameters_hash({**a, "year": 2021})


def test_fixture_notebooks_satisfy_the_contract():
    for path in (LIGHT, HEAVY, FAILING):
        assert check_parameters_cell(nbformat.read(path, as_version=4), path) == []


def test_missing_parameters_cell_is_reported():
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("plan_id = 'x'"))
    with pytest.raises(ReportError, match="no code cell is tagged 'parameters'"):
        check_parameters_cell(nb, "nb.ipynb")
    nb.cells[0].metadata["tags"] = ["parameters"]
    with pytest.raises(ReportError, match="does not define year"):
        check_parameters_cell(nb, "nb.ipynb")
