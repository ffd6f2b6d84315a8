"""Disclosure control of the count-cell table: :func:`suppress_cells`.

Use it on any cells that leave the library (a JSON of figures, a CSV for a partner). Linked
cells, per ``(year, age_band, measure)``:

* the area hierarchy ``estate -> plan_part -> plan`` (a parent is the sum of its children; a
  child the table leaves out becomes a hidden remainder that is itself protected);
* the sex split: where an area has ``M`` and ``K`` rows, their total (``sex="all"``) is a
  figure a report will show, so it is a cell of the problem; these totals are returned in
  :attr:`SuppressedCells.totals`, suppressed where needed. Use them instead of summing the
  suppressed M/K cells yourself.

Numerators and denominators are protected separately (denominators first); a numerator is
known to be at most its published denominator, and the protection takes that into account.
Levels outside the hierarchy (kommune, almene boligsektor, hele landet) get primary
suppression only.

>>> import pandas as pd
>>> rows = [("estate", "E1", "M", 2, 40), ("estate", "E1", "K", 6, 42),
...         ("estate", "E2", "M", 7, 50), ("estate", "E2", "K", 9, 51),
...         ("plan", "P", "M", 9, 90), ("plan", "P", "K", 15, 93)]
>>> cells = pd.DataFrame(rows, columns=["level", "area", "sex", "numerator", "denominator"]).assign(
...     year=2020, age_band="10-17", measure="sigtede", source="test", synthetic=True)
>>> res = suppress_cells(cells, hierarchy={"E1": "P", "E2": "P"})
>>> res.cells["numerator_reason"].tolist()
['< 3', 'diskretioneret', 'diskretioneret', 'diskretioneret', None, None]
>>> res.totals[["area", "numerator", "numerator_reason"]].values.tolist()  # E1 M lies in [0, 8]
[['E1', 8, None], ['E2', 16, None], ['P', 24, None]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cellschema import CELL_COLUMNS, check_cells
from ..errors import EvalueringError
from .markers import REASON_SUFFIX, SECONDARY, primary_reason
from .primary import check_threshold
from .secondary import LinkedCells, protect
from .table import _descendants

__all__ = ["suppress_cells", "SuppressedCells", "hierarchy_from_plan", "LINKED_LEVELS"]

#: the levels tied by the area hierarchy
LINKED_LEVELS = ("estate", "plan_part", "plan")
_VALUE_COLS = ("denominator", "numerator")


@dataclass(frozen=True)
class SuppressedCells:
    """Cells safe to publish, with ``numerator_reason`` / ``denominator_reason`` columns.

    ``totals`` holds the all-sex totals of M/K splits (``sex="all"``) with their reasons.
    """

    cells: pd.DataFrame
    totals: pd.DataFrame
    threshold: int

    @property
    def n_primary(self) -> int:
        r = primary_reason(self.threshold)
        return int(sum(((f[f"{c}{REASON_SUFFIX}"] == r).sum()) for f in (self.cells, self.totals) for c in _VALUE_COLS))

    @property
    def n_secondary(self) -> int:
        return int(sum(((f[f"{c}{REASON_SUFFIX}"] == SECONDARY).sum()) for f in (self.cells, self.totals) for c in _VALUE_COLS))

    def __repr__(self) -> str:
        return (f"SuppressedCells({len(self.cells)} cells, threshold={self.threshold}, "
                f"primary={self.n_primary}, secondary={self.n_secondary})")

    def _repr_html_(self) -> str:
        return (f"<p>Diskretionerede tælleceller: {len(self.cells)} celler, grænse {self.threshold}; "
                f"{self.n_primary} primært og {self.n_secondary} sekundært udeladte tal.</p>")


def hierarchy_from_plan(plan) -> dict[str, str]:
    """``{child area: parent area}`` of a :class:`~evaluering.plan.Plan`: estate -> part -> plan.

    >>> from types import SimpleNamespace as NS
    >>> plan = NS(id="p", parts=[NS(id="a")], estates=[NS(id="E1", part="a"), NS(id="E2", part="a")])
    >>> hierarchy_from_plan(plan)
    {'E1': 'a', 'E2': 'a', 'a': 'p'}
    """
    out: dict[str, str] = {}
    part_ids = {p.id for p in (plan.parts or [])}
    for e in plan.estates:
        out[str(e.id)] = str(e.part) if e.part and e.part in part_ids else str(plan.id)
    for p in plan.parts or []:
        out[str(p.id)] = str(plan.id)
    return out


def _infer_hierarchy(cells: pd.DataFrame) -> dict[str, str]:
    plans = cells.loc[cells["level"] == "plan", "area"].unique().tolist()
    has_parts = (cells["level"] == "plan_part").any()
    estates = cells.loc[cells["level"] == "estate", "area"].unique().tolist()
    if has_parts or len(plans) > 1:
        raise EvalueringError("suppress_cells: cells at several plans or plan parts need hierarchy= or plan=")
    if not plans:
        return {}
    return {str(e): str(plans[0]) for e in estates}


def suppress_cells(cells: pd.DataFrame, threshold: int = 3, *, plan=None,
                   hierarchy: dict[str, str] | None = None, protection: float | None = None,
                   progress: bool | None = None) -> SuppressedCells:
    """Primary and secondary suppression of count cells; returns :class:`SuppressedCells`.

    ``hierarchy`` maps child area -> parent area (estate -> plan_part -> plan); with
    ``plan`` it comes from :func:`hierarchy_from_plan`; with neither it is inferred when the
    cells hold one plan and no plan parts. ``progress`` shows a tqdm bar (None: only on a
    terminal).
    """
    threshold = check_threshold(threshold)
    protection = float(threshold if protection is None else protection)
    cells = check_cells(cells).reset_index(drop=True)
    if hierarchy is None:
        hierarchy = hierarchy_from_plan(plan) if plan is not None else _infer_hierarchy(cells)
    children: dict[str, list[str]] = {}
    for child, par in hierarchy.items():
        children.setdefault(str(par), []).append(str(child))

    n = len(cells)
    block_cols = ["year", "age_band", "measure"]
    # virtual all-sex totals of M/K splits
    split = cells[cells["sex"].isin(["M", "K"])]
    has_all = set(map(tuple, cells.loc[cells["sex"] == "all", ["level", "area", *block_cols]].astype(str).values))
    virtual_keys = []
    for key, g in split.groupby(["level", "area", *block_cols], sort=True):
        if set(g["sex"]) == {"M", "K"} and tuple(map(str, key)) not in has_all:
            virtual_keys.append((key, g.index.tolist()))

    col_arr = {c: cells[c].to_numpy(dtype=object) for c in ("level", "area", "sex", *block_cols)}
    linked = np.isin(col_arr["level"], LINKED_LEVELS)
    results = {}
    upper = None
    for col in _VALUE_COLS:
        vals = cells[col].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        system = LinkedCells()
        ups = upper if upper is not None else np.full(n, np.inf)
        row_var = [system.add(vals[r], upper=ups[r]) for r in range(n)]
        virt_var = []
        for key, idx in virtual_keys:
            v = system.add(vals[idx].sum() if not np.isnan(vals[idx]).any() else np.nan)
            system.relate(v, [row_var[i] for i in idx])
            virt_var.append(v)
        # nodes per (block, sex): area -> var, linked levels only
        nodes: dict[tuple, dict[str, int]] = {}
        for r in np.flatnonzero(linked):
            k = (*(str(col_arr[c][r]) for c in block_cols), str(col_arr["sex"][r]))
            nodes.setdefault(k, {})[str(col_arr["area"][r])] = row_var[r]
        for (key, _), v in zip(virtual_keys, virt_var):
            if key[0] in LINKED_LEVELS:
                k = (*(str(x) for x in key[2:]), "all")
                nodes.setdefault(k, {})[str(key[1])] = v
        for present in nodes.values():
            for par, pv in present.items():
                if par in children:
                    kids, incomplete = _descendants(par, children, present)
                    if kids or incomplete:
                        system.relate_sum(pv, kids, incomplete=incomplete)
        values = np.array(system.values)
        hidden = np.array(system.hidden)
        sens = (values > 0) & (values < threshold)
        prot = protect(system, sens, protection=protection, progress=progress)
        primary = sens & ~hidden
        results[col] = (row_var, virt_var, prot, primary)
        if col == "denominator":
            published = ~prot.suppressed[row_var] & ~np.isnan(vals)
            upper = np.where(published, vals, np.inf)

    out = cells.copy()
    p_reason = primary_reason(threshold)
    tot_rows = []
    num = cells["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    den = cells["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    source, synthetic = cells["source"].to_numpy(dtype=object), cells["synthetic"].to_numpy()
    for key, idx in virtual_keys:
        tot_rows.append({"level": key[0], "area": key[1], "year": key[2], "age_band": key[3], "sex": "all",
                         "measure": key[4], "numerator": num[idx].sum(), "denominator": den[idx].sum(),
                         "source": source[idx[0]], "synthetic": bool(synthetic[idx[0]])})
    totals = pd.DataFrame(tot_rows, columns=list(CELL_COLUMNS))
    for c in _VALUE_COLS:
        totals[c] = pd.array(totals[c].to_numpy(dtype="float64"), dtype="Float64")
    if len(totals):
        totals = check_cells(totals, where="totals")
    for col in _VALUE_COLS:
        row_var, virt_var, prot, primary = results[col]
        for frame, vars_ in ((out, row_var), (totals, virt_var)):
            if not len(frame):
                frame[f"{col}{REASON_SUFFIX}"] = pd.Series(dtype=object)
                continue
            supp = prot.suppressed[vars_]
            prim = primary[vars_]
            frame[f"{col}{REASON_SUFFIX}"] = pd.Series(
                np.where(prim & supp, p_reason, np.where(supp, SECONDARY, None)), index=frame.index, dtype=object)
            frame[col] = frame[col].astype("Int64").mask(supp, pd.NA)
    return SuppressedCells(cells=out, totals=totals.reset_index(drop=True), threshold=threshold)
