"""Build the bundled data: synthetic register (if missing or stale) -> count cells.

>>> lines = build()                  # doctest: +SKIP
"""

from __future__ import annotations

from evaluering.fmt import number as _n  # Danish thousands point

import json
from pathlib import Path

import pandas as pd

__all__ = ["build", "register_dir", "cells_path"]


def register_dir(root: Path) -> Path:
    """``data/raw/synthetic/`` of the project."""
    return root / "data" / "raw" / "synthetic"


def cells_path(root: Path) -> Path:
    """``data/processed/cells.parquet`` of the project."""
    return root / "data" / "processed" / "cells.parquet"


def _mtime(p: Path) -> float:
    return p.stat().st_mtime if p.exists() else float("-inf")


def _code_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    return (sorted(here.glob("*.py")) + sorted((here.parent / "cells").glob("*.py"))
            + [here.parent / "domain" / "measures.yaml", here.parent / "domain" / "municipalities.yaml"])


def build(profile: str = "aalborg-oest", seed: int | None = None, force: bool = False,
          root: Path | None = None, progress: bool = True) -> list[str]:
    """Generate the register when missing or stale, then the cells when stale.

    Returns the summary lines (totals only, no person-level values).
    """
    from ..cellschema import check_cells
    from ..cells import count_cells
    from ..cells.writer import write_cells
    from ..plan import project_root
    from .aggregates import aggregate_cells
    from .profiles import PROFILES
    from .register import GENERATOR_VERSION, generate_register
    from .writer import write_register

    root = Path(root) if root else project_root()
    prof = PROFILES[profile]
    plan_file = root / "data" / "raw" / "plans" / prof.plan_file
    reg = register_dir(root)
    files = {k: reg / n for k, n in (("persons", "persons.parquet"), ("events", "events.parquet"),
                                     ("estates", "estates.csv"), ("truth", "truth.json"))}
    want_seed = prof.seed if seed is None else seed
    lines = []

    stale = force or not all(p.exists() for p in files.values())
    if not stale:
        try:
            truth = json.loads(files["truth"].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            truth = {}
        stale = (truth.get("generator") != GENERATOR_VERSION or truth.get("seed") != want_seed
                 or truth.get("profile") != profile)
        plan_files = sorted(plan_file.parent.glob("*.yaml"))
        newest_input = max(_mtime(plan_file), *(_mtime(p) for p in plan_files), *(_mtime(p) for p in _code_files()))
        stale = stale or min(_mtime(p) for p in files.values()) < newest_input
    if stale:
        register = generate_register(prof, seed=want_seed, plans_dir=plan_file.parent)
        write_register(register, reg)
        lines.append(f"syntetisk register: {_n(len(register['persons']))} personår, "
                     f"{_n(len(register['events']))} hændelser -> {reg}")
    else:
        lines.append(f"syntetisk register: opdateret ({reg})")

    out = cells_path(root)
    newest = max(max(_mtime(p) for p in files.values()), *(_mtime(p) for p in _code_files()))
    if force or stale or _mtime(out) < newest:
        res = count_cells(files["persons"], files["events"], files["estates"],
                          levels=("estate", "plan_part", "plan", "cohort", "cohort_stayers", "cohort_stayers_base"),
                          synthetic=True,
                          source="Syntetiske data", progress=progress)
        cells = pd.concat([res.cells, aggregate_cells(prof, seed=want_seed)], ignore_index=True)
        cells = check_cells(cells)
        write_cells(cells, out)
        lines.append(f"tælleceller: {_n(len(cells))} celler (Syntetiske data) -> {out}")
    else:
        lines.append(f"tælleceller: opdateret ({out})")
    return lines
