"""The comparison estates of a plan's effect estimate: the plan's own controls, never another
plan's treated estates.

In order: the plan file's ``comparison_estates``; else the estates the register's estate map
(``data.estate_map``, columns ``estate_id, plan_id, municipality``) lists without a plan (in
every municipality: a municipality has too few plan-free estates for the CR2 inference); else every estate in the cells that no plan file treats. The
plan's own estates must have cells: a plan without them gets no estimate (and is told so),
never an estimate built on other plans' data.

>>> import pandas as pd
>>> from types import SimpleNamespace as NS
>>> plan = NS(id="a", estate_ids=["A1"], comparison_estates=None, data={}, path=None,
...           municipality_code="0851", data_path=lambda k: None)
>>> cells = pd.DataFrame({"level": "estate", "area": ["A1", "B1", "C1"]})
>>> comparison_estates(plan, cells, treated_elsewhere={"B1"})[0]
['C1']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["comparison_estates", "treated_by_other_plans", "own_estates_in_cells"]


def treated_by_other_plans(plan) -> set[str]:
    """Estate ids treated by the other plan files next to ``plan``'s file (and in the
    project's ``data/raw/plans``)."""
    from .plan import default_plans_dir, list_plans, load_plan

    dirs = {default_plans_dir().resolve()}
    if getattr(plan, "path", None) is not None:
        dirs.add(Path(plan.path).resolve().parent)
    out: set[str] = set()
    for d in dirs:
        if not d.is_dir():
            continue
        for f in list_plans(d):
            try:
                other = load_plan(f)
            except Exception:   # a broken plan file is reported where it is used
                continue
            if other.id != plan.id:
                out.update(other.estate_ids)
    return out


def _from_estate_map(plan) -> list[str] | None:
    """The estates the register's estate map lists without a plan (read by the one estate-map
    reader, :func:`evaluering.cells.estates.read_estates`), or None without a map."""
    path = plan.data_path("estate_map") if hasattr(plan, "data_path") else None
    if path is None or not Path(path).is_file():
        return None
    from .cells.estates import read_estates

    m = read_estates(path)
    free = m["plan_id"].isna() | (m["plan_id"].astype(str).str.strip() == "")
    return sorted(m.loc[free, "estate_id"].astype(str).tolist())


def own_estates_in_cells(plan, cells: pd.DataFrame) -> list[str]:
    """The plan's estates that have estate-level cells."""
    have = set(cells.loc[cells["level"] == "estate", "area"].astype(str))
    return [e for e in plan.estate_ids if e in have]


def comparison_estates(plan, cells: pd.DataFrame, treated_elsewhere: set[str] | None = None
                       ) -> tuple[list[str], str]:
    """(comparison estate ids present in ``cells``, Danish note on how they were chosen)."""
    have = set(cells.loc[cells["level"] == "estate", "area"].astype(str))
    own = set(plan.estate_ids)
    if plan.comparison_estates:
        ids = [e for e in plan.comparison_estates if e in have and e not in own]
        return ids, "sammenligningsafdelingerne i planfilen (comparison_estates)"
    mapped = _from_estate_map(plan)
    other = treated_by_other_plans(plan) if treated_elsewhere is None else treated_elsewhere
    if mapped is not None:
        ids = [e for e in mapped if e in have and e not in own and e not in other]
        return ids, "afdelinger uden helhedsplan i registerets afdelingsliste"
    ids = sorted(e for e in have if e not in own and e not in other)
    return ids, "afdelinger uden helhedsplan i tællecellerne (andre planers afdelinger er udeladt)"
