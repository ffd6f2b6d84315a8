"""The parameters contract between the report runner and the yearly report notebook.

The notebook (``notebooks/yearly_report.ipynb``) has one code cell tagged ``parameters``
that defines every name of :data:`REPORT_PARAMETERS` with its default. The runner
(:mod:`evaluering.reporting.runner`) injects the values of one run through papermill
(a cell tagged ``injected-parameters`` right after it).

=========================  =======  ===============================  ==========================
name                       type     default                          meaning
=========================  =======  ===============================  ==========================
``plan_id``                str      (required)                       the plan's ``id``
``year``                   int      (required)                       the report year
``plans_dir``              str      ``"data/raw/plans"``             folder of plan files
``cells_path``             str      ``"data/processed/cells.parquet"`` the count cells
``published_dir``          str      ``"data/raw/published"``         published tables
``project_root``           str      ``"."``                          the project folder
``show_run_date``          bool     ``False``                        print the run date
``disclosure_threshold``   int      ``3``                            smallest shown count
``mode``                   str      ``""``                           ``aarlig``, ``midtvejs``,
                                                                     ``slut``; empty: from the
                                                                     year (see yearly.period)
=========================  =======  ===============================  ==========================

Paths inside ``project_root`` are injected relative to it (POSIX form) so that nothing
absolute reaches the report; the kernel's working directory is ``project_root``.

>>> p = build_parameters("aalborg-oest", 2020, project_root="/proj")
>>> p["plan_id"], p["year"], p["plans_dir"], p["disclosure_threshold"]
('aalborg-oest', 2020, 'data/raw/plans', 3)
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReportError

__all__ = ["ReportParameter", "REPORT_PARAMETERS", "REQUIRED", "build_parameters",
           "relative_to_root", "check_parameters_cell", "parameters_hash"]


@dataclass(frozen=True)
class ReportParameter:
    """One notebook parameter: its name, Python type, default and meaning."""

    name: str
    type: type
    default: Any
    help: str


#: the contract, in the order of the notebook's ``parameters`` cell
REPORT_PARAMETERS: tuple[ReportParameter, ...] = (
    ReportParameter("plan_id", str, None, "the plan's id (plan file 'id')"),
    ReportParameter("year", int, None, "the report year"),
    ReportParameter("plans_dir", str, "data/raw/plans", "folder of plan files (YAML)"),
    ReportParameter("cells_path", str, "data/processed/cells.parquet", "count cells (Parquet)"),
    ReportParameter("published_dir", str, "data/raw/published", "published tables (CSV)"),
    ReportParameter("project_root", str, ".", "the project folder; relative paths are resolved against it"),
    ReportParameter("show_run_date", bool, False, "print the run date in the provenance section"),
    ReportParameter("disclosure_threshold", int, 3, "counts below this are suppressed"),
    ReportParameter("mode", str, "", "report mode: aarlig | midtvejs | slut; empty: chosen from the year"),
)

#: parameters without a default: the notebook cannot run without them
REQUIRED = ("plan_id", "year")

_PATH_PARAMETERS = ("plans_dir", "cells_path", "published_dir")


def relative_to_root(path: str | Path, root: str | Path) -> str:
    """``path`` relative to ``root`` in POSIX form when it lies inside ``root``, else absolute.

    >>> relative_to_root("/proj/data/raw/plans", "/proj")
    'data/raw/plans'
    >>> relative_to_root("/elsewhere/plans", "/proj")
    '/elsewhere/plans'
    """
    root = Path(root).resolve()
    p = Path(path)
    p = (root / p) if not p.is_absolute() else p
    p = p.resolve()
    try:
        rel = p.relative_to(root)
    except ValueError:
        return p.as_posix()
    return rel.as_posix() or "."


def build_parameters(plan_id: str, year: int, *, plans_dir: str | Path | None = None,
                     cells_path: str | Path | None = None, published_dir: str | Path | None = None,
                     project_root: str | Path | None = None, show_run_date: bool = False,
                     disclosure_threshold: int = 3, mode: str | None = None) -> dict[str, Any]:
    """The parameters of one report run, checked and in contract order.

    Path parameters are made relative to ``project_root`` where possible.

    >>> build_parameters("x", "2020", project_root="/p", cells_path="/p/c.parquet")["cells_path"]
    'c.parquet'
    >>> build_parameters("x", 20.5)
    Traceback (most recent call last):
    ...
    evaluering.errors.ReportError: plan x: year must be a whole number (got 20.5)
    """
    if not plan_id or not isinstance(plan_id, str):
        raise ReportError("plan_id must be a non-empty string")
    try:
        if isinstance(year, float) and not year.is_integer():
            raise ValueError
        year_int = int(year)
    except (TypeError, ValueError):
        raise ReportError(f"year must be a whole number (got {year!r})", plan=plan_id) from None
    if not 1900 <= year_int <= 2200:
        raise ReportError(f"year {year_int} is out of range", plan=plan_id)
    threshold = int(disclosure_threshold)
    if threshold < 1:
        raise ReportError("disclosure_threshold must be at least 1", plan=plan_id)
    if project_root is None:
        from ..plan import project_root as _root

        project_root = _root()
    root = Path(project_root).resolve()
    given = {"plans_dir": plans_dir, "cells_path": cells_path, "published_dir": published_dir}
    values: dict[str, Any] = {"plan_id": plan_id, "year": year_int}
    for spec in REPORT_PARAMETERS:
        if spec.name in _PATH_PARAMETERS:
            value = given[spec.name] if given[spec.name] is not None else spec.default
            values[spec.name] = relative_to_root(value, root)
    values["project_root"] = root.as_posix()
    values["show_run_date"] = bool(show_run_date)
    values["disclosure_threshold"] = threshold
    if mode not in (None, "", "aarlig", "midtvejs", "slut"):
        raise ReportError(f"unknown report mode '{mode}' (use aarlig, midtvejs or slut)", plan=plan_id)
    values["mode"] = mode or ""
    return {spec.name: values[spec.name] for spec in REPORT_PARAMETERS}


def parameters_hash(params: dict[str, Any]) -> str:
    """A stable SHA-256 of the parameters (``project_root`` excluded: moving the checkout
    does not change a report).

    >>> parameters_hash({"plan_id": "a", "year": 2020}) == parameters_hash({"year": 2020, "plan_id": "a"})
    True
    """
    import hashlib

    payload = {k: v for k, v in params.items() if k != "project_root"}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _parameters_source(nb) -> str | None:
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source if isinstance(cell.source, str) else "".join(cell.source)
    return None


def check_parameters_cell(nb, path: str | Path = "<notebook>") -> list[str]:
    """Check a notebook against the contract; return the contract names it does not define.

    Raises :class:`ReportError` when there is no cell tagged ``parameters`` or when it does
    not define the required names (``plan_id``, ``year``). The missing optional names are
    returned (the runner injects them anyway).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells.append(nbformat.v4.new_code_cell("plan_id = ''\\nyear = 2020", metadata={"tags": ["parameters"]}))
    >>> check_parameters_cell(nb)[:2]
    ['plans_dir', 'cells_path']
    """
    source = _parameters_source(nb)
    if source is None:
        raise ReportError(f"{path}: no code cell is tagged 'parameters' (see docs/reporting.md)")
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ReportError(f"{path}: the parameters cell is not valid Python (line {err.lineno})") from None
    defined: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    defined.add(target.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
    missing_required = [n for n in REQUIRED if n not in defined]
    if missing_required:
        raise ReportError(f"{path}: the parameters cell does not define {', '.join(missing_required)}")
    return [spec.name for spec in REPORT_PARAMETERS if spec.name not in defined]
