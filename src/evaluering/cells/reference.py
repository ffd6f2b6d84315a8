"""A straightforward pandas computation of the cells, person row by person row.

Slow and memory-hungry on purpose simple: it exists to check the engines (tests) and as the
baseline of the benchmark. It reads whole files into memory.

>>> from evaluering.cells.reference import reference_cells          # doctest: +SKIP
>>> reference_cells(persons_df, events_df, estates_df)               # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..cellschema import CELL_COLUMNS, LEVELS, check_cells
from .schema import KIND_ALIASES, LAW_ALIASES, SEX_ALIASES, YOUTH_LAWS

__all__ = ["reference_cells"]


def _frame(x) -> pd.DataFrame:
    if isinstance(x, pd.DataFrame):
        return x.copy()
    p = Path(x)
    if p.suffix.lower() == ".csv":
        return pd.read_csv(p, dtype={"estate_id": "string", "municipality": "string", "plan_id": "string",
                                     "plan_part": "string", "sex": "string"}, keep_default_na=True)
    return pd.read_parquet(p)


def reference_cells(persons, events, estates, levels=LEVELS, source: str = "DST register",
                    synthetic: bool = False) -> pd.DataFrame:
    """Cells computed directly from person rows (frames or file paths)."""
    p = _frame(persons)
    e = _frame(events)
    est = _frame(estates)
    p.columns = [c.lower() for c in p.columns]
    e.columns = [c.lower() for c in e.columns]
    p["age"] = p["age"] if "age" in p else p["year"] - p["birth_year"]
    p["sex"] = p["sex"].astype(str).str.strip().str.lower().map(SEX_ALIASES)
    e["year"] = pd.to_datetime(e["date"]).dt.year
    e["law"] = e["law"].astype(str).str.strip().str.lower().map(LAW_ALIASES)
    e["kind"] = e["kind"].astype(str).str.strip().str.lower().map(KIND_ALIASES)

    # per person-year: how many charges and decisions, and suspected-or-charged under the 3 laws
    e["is_charge"] = e["kind"] == "sigtelse"
    e["is_decision"] = e["kind"] == "afgoerelse"
    e["is_youth_event"] = e["kind"].isin(["mistanke", "sigtelse"]) & e["law"].isin(YOUTH_LAWS)
    per = e.groupby(["person_id", "year"]).agg(n_charges=("is_charge", "sum"), n_decisions=("is_decision", "sum"),
                                               youth_event=("is_youth_event", "any")).reset_index()
    py = p.merge(per, on=["person_id", "year"], how="left")
    py[["n_charges", "n_decisions"]] = py[["n_charges", "n_decisions"]].fillna(0).astype(int)
    py["youth_event"] = py["youth_event"].astype("boolean").fillna(False).astype(bool)
    py["estate_id"] = py["estate_id"].astype("string") if "estate_id" in py else pd.NA
    est_map = est.set_index("estate_id")
    py["plan_part"] = py["estate_id"].map(est_map["plan_part"])
    py["plan_id"] = py["estate_id"].map(est_map["plan_id"])

    rows = []
    for level in levels:
        if level == "estate":
            area = py["estate_id"]
        elif level == "plan_part":
            area = py["plan_part"]
        elif level == "plan":
            area = py["plan_id"]
        elif level == "municipality":
            if "municipality" not in py:
                continue
            area = py["municipality"].astype("string")
        elif level == "public_housing":
            area = py["estate_id"].where(py["estate_id"].isna(), "almen")
        else:
            area = pd.Series("DK", index=py.index)
        d = py.assign(area=area).dropna(subset=["area"])
        youth = d[(d["age"] >= 10) & (d["age"] <= 17)]
        g = youth.groupby(["area", "year", "sex"]).agg(sigtet_mistaenkt=("youth_event", "sum"),
                                                       denominator=("youth_event", "size"))
        rows.append(g.reset_index().melt(["area", "year", "sex", "denominator"], var_name="measure",
                                         value_name="numerator").assign(level=level, age_band="10-17"))
        adult = d[d["age"] >= 15].assign(charged=lambda x: x["n_charges"] > 0)
        g = adult.groupby(["area", "year", "sex"]).agg(sigtelser=("n_charges", "sum"), sigtede=("charged", "sum"),
                                                     afgoerelser=("n_decisions", "sum"), denominator=("charged", "size"))
        rows.append(g.reset_index().melt(["area", "year", "sex", "denominator"], var_name="measure",
                                         value_name="numerator").assign(level=level, age_band="15+"))
    cells = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=list(CELL_COLUMNS))
    cells["source"] = source
    cells["synthetic"] = synthetic
    return check_cells(cells[list(CELL_COLUMNS)])
