"""Provenance of a report: which inputs, which code, which parameters (and, only when
asked, which day).

Everything here is deterministic: the same inputs give the same record, so the HTML of a
report stays byte-identical between runs. Paths are shown relative to the project root.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); (d / "a.csv").write_text("x\\n1\\n")
4
>>> file_sha256(d / "a.csv")[:12]
'daff832f8020'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path
from typing import Any, Iterable

from .params import relative_to_root

__all__ = ["file_sha256", "library_fingerprint", "plan_input_files", "provenance",
           "provenance_frame", "run_key"]

_SOURCE_SUFFIXES = (".py", ".yaml", ".j2", ".css", ".tpl")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def library_fingerprint() -> dict[str, str]:
    """The library's version and a SHA-256 over its source files (so an edited checkout
    with an unchanged version number still counts as a change).

    >>> sorted(library_fingerprint())
    ['source_sha256', 'version']
    """
    import evaluering

    root = Path(evaluering.__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.suffix in _SOURCE_SUFFIXES and p.is_file()
                    and "__pycache__" not in p.parts):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return {"version": evaluering.__version__, "source_sha256": h.hexdigest()}


def _resolve(path: str | Path, root: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else root / p


def plan_input_files(params: dict[str, Any], plan_path: str | Path | None = None, plan=None) -> list[Path]:
    """The files a plan's report reads: the plan file, the count cells, the published
    tables and the plan's ``data`` files (logs) that exist. Sorted, without duplicates.
    ``plan`` (a loaded :class:`~evaluering.plan.Plan`) saves reading the plan file again."""
    root = Path(params.get("project_root", ".")).resolve()
    files: set[Path] = set()
    if plan is not None:
        plan_path = plan.path
    elif plan_path is None:
        from ..plan import find_plan

        plan = find_plan(params["plan_id"], _resolve(params.get("plans_dir", "data/raw/plans"), root))
        plan_path = plan.path
    files.add(Path(plan_path).resolve())
    if plan is None:
        from ..plan import load_plan

        plan = load_plan(plan_path)
    cells = _resolve(params.get("cells_path", "data/processed/cells.parquet"), root)
    if cells.is_file():
        files.add(cells.resolve())
    published = _resolve(params.get("published_dir", "data/raw/published"), root)
    if published.is_dir():
        files.update(p.resolve() for p in published.glob("*.csv"))
    for key, value in sorted(plan.data.items()):
        if isinstance(value, str) and key not in ("cells", "published"):
            p = _resolve(value, root)
            if p.is_file():
                files.add(p.resolve())
    return sorted(files)


def provenance(params: dict[str, Any], *, plan_path: str | Path | None = None,
               notebook: str | Path | None = None, inputs: Iterable[str | Path] | None = None,
               show_run_date: bool | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """The provenance record of one report run (a JSON-able dict).

    Keys: ``library`` (version and source hash), ``python``, ``parameters`` (without
    ``project_root``), ``inputs`` (path relative to the project root, SHA-256, size),
    ``notebook`` (when given) and ``run_date`` only when ``show_run_date`` (default: the
    parameter of that name) is true.
    """
    root = Path(params.get("project_root", ".")).resolve()
    files = sorted(Path(p).resolve() for p in inputs) if inputs is not None \
        else plan_input_files(params, plan_path)
    record: dict[str, Any] = {
        "library": library_fingerprint(),
        "python": platform.python_version(),
        "parameters": {k: v for k, v in params.items() if k != "project_root"},
        "inputs": [{"path": relative_to_root(f, root), "sha256": file_sha256(f),
                    "bytes": f.stat().st_size} for f in files],
    }
    if notebook is not None:
        record["notebook"] = {"path": relative_to_root(notebook, root), "sha256": file_sha256(notebook)}
    if show_run_date is None:
        show_run_date = bool(params.get("show_run_date", False))
    if show_run_date:
        record["run_date"] = (today or dt.date.today()).isoformat()
    return record


def run_key(record: dict[str, Any]) -> str:
    """One SHA-256 over a provenance record without its run date: equal keys mean the
    report would be the same, so a batch may skip it.

    >>> run_key({"a": 1, "run_date": "2020-01-01"}) == run_key({"a": 1})
    True
    """
    payload = {k: v for k, v in record.items() if k not in ("run_date", "run_key")}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def provenance_frame(record: dict[str, Any]):
    """The provenance record as a two-column table (Danish labels) for the report."""
    import pandas as pd

    rows = [("Biblioteksversion", f"evaluering {record['library']['version']}"),
            ("Kildekode (SHA-256)", record["library"]["source_sha256"][:16]),
            ("Python", record["python"])]
    if "notebook" in record:
        rows.append((f"Notebook {record['notebook']['path']}", record["notebook"]["sha256"][:16]))
    for item in record["inputs"]:
        rows.append((f"Input {item['path']}", item["sha256"][:16]))
    for key, value in record["parameters"].items():
        rows.append((f"Parameter {key}", str(value)))
    if "run_date" in record:
        rows.append(("Kørselsdato", record["run_date"]))
    return pd.DataFrame(rows, columns=["Oplysning", "Værdi"])
