"""A straightforward pandas computation of the cells, person row by person row.

Slow and memory-hungry on purpose simple: it exists to check the engines (tests) and as the
baseline of the benchmark. It reads whole files into memory. The measures are those of
``domain/measures.yaml`` (their expressions evaluated with pandas); the movers are found by
sorting each person's years and comparing the residence with the year before and after,
independently of the engines' bit masks.

>>> from evaluering.cells.reference import reference_cells          # doctest: +SKIP
>>> reference_cells(persons_df, events_df, estates_df)               # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..cellschema import CELL_COLUMNS, LEVELS, check_cells, empty_cells
from .measures import REGISTER_COLUMNS, code_aliases, conviction_decisions, measure_plan, municipality_regions
from .schema import KIND_ALIASES, LAW_ALIASES, SEX_ALIASES, YOUTH_LAWS

__all__ = ["reference_cells", "normalize_register_column", "register_value_bad", "decision_bad"]

_TRUE = {"true", "1", "ja", "j", "yes", "y", "t", "sand"}
_FALSE = {"false", "0", "nej", "n", "no", "f", "falsk"}


def _frame(x) -> pd.DataFrame:
    if isinstance(x, pd.DataFrame):
        return x.copy()
    p = Path(x)
    if p.suffix.lower() == ".csv":
        return pd.read_csv(p, dtype={"estate_id": "string", "municipality": "string", "plan_id": "string",
                                     "plan_part": "string", "sex": "string", "status": "string",
                                     "education": "string", "origin": "string"}, keep_default_na=True)
    return pd.read_parquet(p)


def _text(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip().str.lower()
    return t.mask(t == "")


def normalize_register_column(col: str, s: pd.Series) -> pd.Series:
    """The normalised values of an optional register column (missing where unreadable)."""
    kind = REGISTER_COLUMNS[col]
    if kind == "code":
        return _text(s).map(code_aliases(col)).astype("string")
    if kind == "bool":
        if pd.api.types.is_bool_dtype(s):
            return s.astype("boolean")
        t = _text(s)
        out = pd.Series(pd.NA, index=s.index, dtype="boolean")
        out[t.isin(list(_TRUE)).fillna(False).to_numpy(bool)] = True
        out[t.isin(list(_FALSE)).fillna(False).to_numpy(bool)] = False
        return out
    num = pd.to_numeric(s, errors="coerce")
    if kind == "int":
        return num.round().astype("Int64")
    return num.astype("Float64")


def register_value_bad(col: str, s: pd.Series) -> pd.Series:
    """True where a register value is given but cannot be read (used to locate errors)."""
    given = s.notna() & (s.astype("string").str.strip() != "")
    return given & normalize_register_column(col, s).isna()


def decision_bad(s: pd.Series) -> pd.Series:
    given = s.notna() & (s.astype("string").str.strip() != "")
    return given & _text(s).map(code_aliases("decision")).isna()


def _area_of(py: pd.DataFrame, level: str, est_map: pd.DataFrame) -> pd.Series | None:
    if level == "estate":
        return py["estate_id"]
    if level == "plan_part":
        return py["estate_id"].map(est_map["plan_part"])
    if level == "plan":
        return py["estate_id"].map(est_map["plan_id"])
    if level == "municipality":
        return py["municipality"] if "municipality" in py else None
    if level == "region":
        if "municipality" not in py:
            return None
        code = pd.to_numeric(py["municipality"], errors="coerce")
        return code.map(municipality_regions()).astype("string")
    if level == "public_housing":
        return py["estate_id"].where(py["estate_id"].isna(), "almen")
    if level == "country":
        return pd.Series("DK", index=py.index, dtype="string")
    return None


def reference_cells(persons, events, estates, levels=None, source: str = "DST register",
                    synthetic: bool = False, cohort_years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Cells computed directly from person rows (frames or file paths)."""
    from .rollup import BASE_LEVELS

    levels = BASE_LEVELS if levels is None else levels
    p = _frame(persons)
    e = _frame(events)
    est = _frame(estates)
    p.columns = [c.lower() for c in p.columns]
    e.columns = [c.lower() for c in e.columns]
    p = p.reset_index(drop=True)
    p["age"] = p["age"] if "age" in p else p["year"] - p["birth_year"]
    p["sex"] = p["sex"].astype(str).str.strip().str.lower().map(SEX_ALIASES)
    for c in ("estate_id", "municipality"):
        if c in p:
            t = p[c].astype("string").str.strip()
            p[c] = t.mask(t == "")
    present = {c for c in REGISTER_COLUMNS if c in p}
    for c in present:
        p[c] = normalize_register_column(c, p[c])
    plan = measure_plan(present)

    e["year"] = pd.to_datetime(e["date"]).dt.year
    e["law"] = e["law"].astype(str).str.strip().str.lower().map(LAW_ALIASES)
    e["kind"] = e["kind"].astype(str).str.strip().str.lower().map(KIND_ALIASES)
    three = e["law"].isin(YOUTH_LAWS)
    if "decision" in e:
        dec = _text(e["decision"]).map(code_aliases("decision"))
        conviction = dec.isna() | dec.isin(conviction_decisions())
    else:
        conviction = pd.Series(True, index=e.index)
    e["is_charge"] = e["kind"] == "sigtelse"
    e["is_decision"] = e["kind"] == "afgoerelse"
    e["is_youth_event"] = e["kind"].isin(["mistanke", "sigtelse"]) & three
    e["is_dom"] = e["is_decision"] & three & conviction
    per = e.groupby(["person_id", "year"]).agg(n_sigtelse=("is_charge", "sum"), n_afgoerelse=("is_decision", "sum"),
                                               youth_event=("is_youth_event", "any"),
                                               n_dom=("is_dom", "sum")).reset_index()
    per["youth_event"] = per["youth_event"].astype(int)
    py = p.merge(per, on=["person_id", "year"], how="left")
    for c in ("n_sigtelse", "n_afgoerelse", "youth_event", "n_dom"):
        py[c] = py[c].fillna(0).astype("int64")
    est_map = est.assign(estate_id=est["estate_id"].astype("string")).set_index("estate_id")
    py["estate_id"] = py["estate_id"].astype("string") if "estate_id" in py else pd.Series(pd.NA, index=py.index, dtype="string")

    values = plan.pandas_row_values(py)     # population and numerator values per person-year
    rows = []
    first, last = int(py["year"].min()), int(py["year"].max())
    order = py.sort_values(["person_id", "year"], kind="stable").index
    for level in levels:
        area = _area_of(py, level, est_map)
        if area is None:
            continue
        d = pd.DataFrame({"area": area.astype("string"), "year": py["year"].astype("int64"), "sex": py["sex"]})
        for k, v in values.items():
            d[k] = v
        d["persons"] = 1
        g = d.dropna(subset=["area"]).groupby(["area", "year", "sex"]).sum()
        for m in plan.counted:
            pop = plan.population_of(m.id)
            x = g[g[pop] > 0]
            rows.append(pd.DataFrame({"level": level, "area": x.index.get_level_values(0),
                                      "year": x.index.get_level_values(1), "age_band": m.age_band,
                                      "sex": x.index.get_level_values(2), "measure": m.id,
                                      "numerator": x[f"n_{m.id}"].to_numpy(), "denominator": x[pop].to_numpy()}))
        if plan.movers:
            rows.extend(_movers(py, area, order, g, level, plan, first, last))
    cohort_levels = [lv for lv in levels if lv.startswith("cohort")]
    if cohort_levels:
        from .cohort import cohort_base_pandas, default_cohort_years

        years = default_cohort_years(est) if cohort_years is None else tuple(cohort_years)
        base = cohort_base_pandas(py.assign(sex_raw=py["sex"]), values, years)
        for level in cohort_levels:
            if base.empty:
                continue
            g = base[base["kind"] == level].set_index(["area", "year", "sex_raw"])
            for m in plan.counted:
                pop = plan.population_of(m.id)
                x = g[g[pop] > 0]
                rows.append(pd.DataFrame({"level": level, "area": x.index.get_level_values(0),
                                          "year": x.index.get_level_values(1), "age_band": m.age_band,
                                          "sex": x.index.get_level_values(2), "measure": m.id,
                                          "numerator": x[f"n_{m.id}"].to_numpy(), "denominator": x[pop].to_numpy()}))
    cells = pd.concat(rows, ignore_index=True) if rows else empty_cells()
    cells["source"] = source
    cells["synthetic"] = synthetic
    return check_cells(cells[list(CELL_COLUMNS)])


def _movers(py, area, order, g, level, plan, first, last):
    """tilflyttere / fraflyttere by comparing each person's consecutive years."""
    s = pd.DataFrame({"pid": py["person_id"], "year": py["year"].astype("int64"), "sex": py["sex"],
                      "area": area.astype("string")}).loc[order]
    same_person = s["pid"].eq(s["pid"].shift()) & s["sex"].eq(s["sex"].shift())
    prev_area = s["area"].shift().where(same_person & s["year"].eq(s["year"].shift() + 1))
    nxt_same = s["pid"].eq(s["pid"].shift(-1)) & s["sex"].eq(s["sex"].shift(-1))
    next_area = s["area"].shift(-1).where(nxt_same & s["year"].eq(s["year"].shift(-1) - 1))
    has = s["area"].notna()
    moved_in = has & (s["year"] > first) & ~(prev_area.eq(s["area"]).fillna(False).astype(bool))
    moved_out = has & (s["year"] < last) & ~(next_area.eq(s["area"]).fillna(False).astype(bool))
    ins = s[moved_in].groupby(["area", "year", "sex"]).size()
    outs = s[moved_out].assign(year=lambda x: x["year"] + 1).groupby(["area", "year", "sex"]).size()
    res = []
    kinds = {m.kind: m for m in plan.movers}
    pers = g["persons"]
    if "moved_in" in kinds:
        m = kinds["moved_in"]
        den = pers[pers.index.get_level_values(1) > first]
        num = ins.reindex(den.index, fill_value=0)
        res.append(pd.DataFrame({"level": level, "area": den.index.get_level_values(0),
                                 "year": den.index.get_level_values(1), "age_band": m.age_band,
                                 "sex": den.index.get_level_values(2), "measure": m.id,
                                 "numerator": num.to_numpy(), "denominator": den.to_numpy()}))
    if "moved_out" in kinds:
        m = kinds["moved_out"]
        den = pers[pers.index.get_level_values(1) < last]
        idx = pd.MultiIndex.from_arrays([den.index.get_level_values(0), den.index.get_level_values(1) + 1,
                                         den.index.get_level_values(2)])
        num = outs.reindex(idx, fill_value=0)
        res.append(pd.DataFrame({"level": level, "area": idx.get_level_values(0), "year": idx.get_level_values(1),
                                 "age_band": m.age_band, "sex": idx.get_level_values(2), "measure": m.id,
                                 "numerator": num.to_numpy(), "denominator": den.to_numpy()}))
    return res
