"""The official area criteria (almenboligloven § 61 a and § 61 b) from count cells.

For an area (a plan's estates pooled: the boligområde) and a year: the four criteria
(outside work and education, convicted residents against the national rate, only
grundskole, income against the region), the non-Western share, each value's distance to
its threshold, the resulting status (udsat boligområde, parallelsamfund, omdannelsesområde,
forebyggelsesområde) and the year the area would leave its list at its current linear trend.
Thresholds, comparisons and the law's wording are data (``domain/area_criteria.yaml``).

Every value is a ratio of sums over the area's cells: a 2-year criterion pools the year and
the year before (sum of numerators over both years / sum of denominators over both years,
the law's "gennemsnittet over de seneste 2 år" weighted by the yearly population).

>>> import pandas as pd
>>> def c(level, area, m, age, num, den, year=2020):
...     return {"level": level, "area": area, "year": year, "age_band": age, "sex": "all",
...             "measure": m, "numerator": num, "denominator": den, "source": "t", "synthetic": True}
>>> rows = [c("plan", "p", "beboere", "alle", 1200, 1200)]
>>> for y in (2019, 2020):
...     rows += [c("plan", "p", "uden_for_arbejde_uddannelse", "18-64", 410, 1000, y)]
>>> r = classify_area(pd.DataFrame(rows), "p", 2020)
>>> r["criteria"][0]["value"], r["criteria"][0]["met"]
(41.0, True)
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["load_rules", "classify_area", "classify_plans", "plan_area_status", "region_of",
           "AREA_CRITERIA_PATH", "STATUS_NONE"]

AREA_CRITERIA_PATH = Path(__file__).with_name("domain") / "area_criteria.yaml"
STATUS_NONE = "ikke omfattet"
_COMPARE = {">": lambda v, t: v > t, ">=": lambda v, t: v >= t, "<": lambda v, t: v < t}


@lru_cache(maxsize=4)
def _versions(path: str) -> tuple[dict, ...]:
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple(sorted(raw["versions"], key=lambda v: v["valid_from"]))


def load_rules(year: int, path: str | Path = AREA_CRITERIA_PATH) -> dict:
    """The criteria in force for ``year`` (the latest version with ``valid_from <= year``;
    the earliest version, with a note in ``applied_note``, for years before any).

    >>> load_rules(2022)["criteria"][1]["threshold"]["udsat"]
    3
    """
    versions = _versions(str(path))
    chosen = [v for v in versions if v["valid_from"] <= year]
    rules = dict(chosen[-1] if chosen else versions[0])
    rules["applied_note"] = "" if chosen else (
        f"Kriterierne gældende fra {versions[0]['valid_from']} er anvendt på {year}; de lister, der blev "
        "offentliggjort før, brugte andre betegnelser (og før 2018 andre kriterier).")
    return rules


# ---------------------------------------------------------------------- regions
@lru_cache(maxsize=1)
def _municipality_regions() -> dict[str, str]:
    """kommunekode (4 digits) -> region code, from ``domain/municipalities.yaml`` (a list of
    mappings or a mapping by code); empty when the file is absent."""
    import yaml

    path = Path(__file__).with_name("domain") / "municipalities.yaml"
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(raw, dict) and not any(isinstance(v, (dict, list)) for v in raw.values()):
        return {str(k).zfill(4): str(v) for k, v in raw.items()}
    if isinstance(raw, dict):
        items = raw.get("municipalities", raw.get("kommuner", raw))
        items = [{"code": k, **v} if isinstance(v, dict) else v for k, v in items.items()] \
            if isinstance(items, dict) else items
    else:
        items = raw
    out = {}
    for item in items or []:
        if not isinstance(item, dict):
            continue
        code = item.get("code", item.get("kommunekode", item.get("municipality")))
        region = item.get("region_code", item.get("region"))
        if isinstance(region, dict):
            region = region.get("code")
        if code is not None and region is not None:
            out[str(code).zfill(4)] = str(region)
    return out


def region_of(plan) -> str | None:
    """The DST region code (1081-1085) of the plan's municipality: ``municipality.region``
    in the plan file, else the kommune -> region map of ``domain/municipalities.yaml``."""
    muni = plan.raw.get("municipality") if isinstance(getattr(plan, "raw", None), dict) else None
    if isinstance(muni, dict) and muni.get("region"):
        return str(muni["region"])
    return _municipality_regions().get(str(plan.municipality_code).zfill(4))


# ---------------------------------------------------------------------- sums over cells
def _sums(cells: pd.DataFrame, level: str, areas: list[str], measure: str, age_band: str,
          years: list[int]) -> tuple[float, float, int]:
    """(sum of numerators, sum of denominators, years present) over ``areas`` at ``level``."""
    sel = cells[(cells["level"] == level) & cells["area"].isin(areas) & (cells["measure"] == measure)
                & (cells["age_band"] == age_band) & cells["year"].isin(years)]
    if sel.empty:
        return math.nan, math.nan, 0
    present = sel.groupby("year")["area"].nunique()
    complete = [y for y in years if present.get(y, 0) == len(areas)]
    sel = sel[sel["year"].isin(complete)]
    num = float(pd.to_numeric(sel["numerator"]).sum())
    den = float(pd.to_numeric(sel["denominator"]).fillna(0).sum())
    return num, den, len(complete)


def _area_sums(cells, area: str, estates: list[str], measure, age_band, years):
    """Sums for the area: its own ``plan`` cells when complete, else its estates' cells."""
    num, den, n = _sums(cells, "plan", [area], measure, age_band, years)
    if n < len(years) and estates:
        num, den, n = _sums(cells, "estate", estates, measure, age_band, years)
    return (num, den) if n == len(years) else (math.nan, math.nan)


def _value(cells, area, estates, spec: dict, year: int, region: str | None, threshold: int):
    """(value, numerator count, reason) of one criterion in ``year``."""
    years = list(range(year - int(spec.get("years", 1)) + 1, year + 1))
    num, den = _area_sums(cells, area, estates, spec["measure"], spec["age_band"], years)
    if math.isnan(num) or not den:
        return math.nan, num, "mangler data"
    if threshold and 0 < num < threshold:
        return math.nan, num, f"< {threshold}"
    kind = spec.get("kind", "share")
    if kind == "share":
        return 100 * num / den, num, ""
    if kind == "rate_vs_country":
        cn, cd, n = _sums(cells, "country", ["DK"], spec["measure"], spec["age_band"], years)
        if n < len(years) or not cd or not cn:
            return math.nan, num, "landsgennemsnittet mangler"
        return (num / den) / (cn / cd), num, ""
    if kind == "mean_vs_region":
        if region is None:
            return math.nan, num, "områdets region er ukendt"
        rn, rd, n = _sums(cells, "region", [region], spec["measure"], spec["age_band"], years)
        if n < len(years) or not rd or not rn:
            return math.nan, num, "regionens gennemsnit mangler"
        return 100 * (num / den) / (rn / rd), num, ""
    raise ValueError(f"unknown criterion kind {kind!r}")


def _met(value: float, comparison: str, threshold: float) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(_COMPARE[comparison](value, threshold))


def _status_of(criteria_met: list[bool | None], udsat_nw: bool | None, fore_met: list[bool | None],
               fore_nw: bool | None, rules: dict) -> dict:
    """The statuses of one year from the criteria met (None = unknown)."""
    need_u = rules["statuses"]["udsat"].get("min_criteria", 2)
    need_f = rules["statuses"]["forebyggelse"].get("min_criteria", 2)

    def at_least(flags, k):
        yes = sum(1 for f in flags if f is True)
        unknown = sum(1 for f in flags if f is None)
        if yes >= k:
            return True
        return None if yes + unknown >= k else False

    udsat = at_least(criteria_met, need_u)
    parallel = None if udsat is None or udsat_nw is None else bool(udsat and udsat_nw)
    if udsat is False or udsat_nw is False:
        parallel = False
    fore_n = at_least(fore_met, need_f)
    fore = None if fore_n is None or fore_nw is None else bool(fore_n and fore_nw)
    if fore_n is False or fore_nw is False:
        fore = False
    return {"udsat": udsat, "parallelsamfund": parallel, "forebyggelse": fore}


def _year_values(cells, area, estates, year, rules, region, threshold):
    """Per criterion (and the non-Western share): value, reason; for one year."""
    out = []
    for spec in rules["criteria"]:
        v, num, reason = _value(cells, area, estates, spec, year, region, threshold)
        out.append((v, reason))
    nw = rules["non_western"]
    v, num, reason = _value(cells, area, estates, nw, year, region, threshold)
    return out, (v, reason)


def _flags(values, nw_value, rules):
    crit = rules["criteria"]
    nw = rules["non_western"]
    udsat = [_met(v, s["comparison"], s["threshold"]["udsat"]) for (v, _), s in zip(values, crit)]
    fore = [_met(v, s["comparison"], s["threshold"]["forebyggelse"]) for (v, _), s in zip(values, crit)]
    return (udsat, _met(nw_value, nw["comparison"], nw["threshold"]["parallelsamfund"]), fore,
            _met(nw_value, nw["comparison"], nw["threshold"]["forebyggelse"]))


def _label(st: dict, omdannelse: bool | None, rules: dict, eligible: bool, known: bool = True) -> str:
    s = rules["statuses"]
    if not known:
        return "mangler data"
    if not eligible:
        return f"{STATUS_NONE} (under {rules['min_residents']:,} beboere)".replace(",", ".")
    if omdannelse:
        return s["omdannelse"]["label_da"]
    if st["parallelsamfund"]:
        return s["parallelsamfund"]["label_da"]
    if st["udsat"]:
        return s["udsat"]["label_da"]
    if st["forebyggelse"]:
        return s["forebyggelse"]["label_da"]
    if None in (st["udsat"], st["forebyggelse"]):
        return "mangler data"
    return "ikke på listerne"


def _trend(history: dict[int, float], year: int, spec_years: int, horizon: int):
    """(slope per year, {future year: projected value}) of a least-squares line through the
    values of ``history`` (year -> value) up to ``year``; None when fewer than 3 points."""
    pts = [(y, v) for y, v in sorted(history.items()) if y <= year and v == v]
    pts = pts[-spec_years:]
    if len(pts) < 3:
        return None, {}
    x = np.array([p[0] for p in pts], dtype=float)
    v = np.array([p[1] for p in pts], dtype=float)
    slope, intercept = np.polyfit(x, v, 1)
    return float(slope), {y: float(intercept + slope * y) for y in range(year + 1, year + horizon + 1)}


def classify_area(cells: pd.DataFrame, area: str, year: int, estates: list[str] | None = None,
                  region: str | None = None, name: str = "", threshold: int = 3,
                  rules: dict | None = None) -> dict:
    """The area criteria of one area (``plan`` cells of ``area``, else the sum of its
    ``estates``) in ``year``: residents, the four criteria (``id``, ``value``, ``threshold``,
    ``met``, ``distance`` and the § 61 b threshold), the non-Western share, the status and
    the year the area would leave its list at its current trend. Values from counts below
    ``threshold`` are withheld (``reason``)."""
    rules = rules or load_rules(year)
    estates = list(estates or [])
    measures = {s["measure"] for s in rules["criteria"]} | {rules["non_western"]["measure"],
                                                          rules["residents"]["measure"]}
    keep = cells["measure"].isin(measures) & cells["area"].isin([area, *estates, "DK", *([region] if region else [])])
    cells = cells[keep.to_numpy(bool, na_value=False)]
    res, _ = _area_sums(cells, area, estates, rules["residents"]["measure"], rules["residents"]["age_band"], [year])
    known = res == res
    eligible = bool(known and res >= rules["min_residents"])
    trend_cfg = rules.get("trend", {})
    n_hist = int(trend_cfg.get("years", 5))
    horizon = int(trend_cfg.get("horizon", 30))
    omd_years = int(rules["statuses"]["omdannelse"].get("years", 5))
    history: dict[int, tuple] = {}
    for y in range(year - max(n_hist, omd_years) + 1, year + 1):
        history[y] = _year_values(cells, area, estates, y, rules, region, threshold)
    values, (nw_value, nw_reason) = history[year]
    udsat_f, nw_u, fore_f, nw_f = _flags(values, nw_value, rules)
    st = _status_of(udsat_f, nw_u, fore_f, nw_f, rules)
    # omdannelsesområde: a parallelsamfund in each of the last 5 years
    past = []
    for y in range(year - omd_years + 1, year + 1):
        vals, (nwv, _) = history[y]
        u, nu, f, nf = _flags(vals, nwv, rules)
        past.append(_status_of(u, nu, f, nf, rules)["parallelsamfund"])
    omdannelse = False if False in past else (True if all(p is True for p in past) else None)
    if not eligible:
        st = {"udsat": False, "parallelsamfund": False, "forebyggelse": False}
        omdannelse = False
    criteria = []
    for i, (spec, (v, reason)) in enumerate(zip(rules["criteria"], values)):
        t_u, t_f = spec["threshold"]["udsat"], spec["threshold"]["forebyggelse"]
        slope, proj = _trend({y: history[y][0][i][0] for y in history}, year, n_hist, horizon)
        criteria.append({
            "id": spec["id"], "number": spec.get("number"), "label": spec["label_da"],
            "value": None if v != v else v, "threshold": t_u, "comparison": spec["comparison"],
            "met": udsat_f[i], "distance": None if v != v else v - t_u,
            "threshold_forebyggelse": t_f, "met_forebyggelse": fore_f[i],
            "distance_forebyggelse": None if v != v else v - t_f, "unit": spec.get("unit", ""),
            "years_pooled": int(spec.get("years", 1)), "reason": reason or None,
            "trend_per_year": slope, "wording": " ".join(spec.get("wording_da", "").split()),
            "_proj": proj})
    nw = rules["non_western"]
    nw_slope, nw_proj = _trend({y: history[y][1][0] for y in history}, year, n_hist, horizon)
    non_western = {"id": nw["id"], "label": nw["label_da"], "value": None if nw_value != nw_value else nw_value,
                   "threshold": nw["threshold"]["parallelsamfund"], "comparison": nw["comparison"], "met": nw_u,
                   "distance": None if nw_value != nw_value else nw_value - nw["threshold"]["parallelsamfund"],
                   "threshold_forebyggelse": nw["threshold"]["forebyggelse"], "met_forebyggelse": nw_f,
                   "reason": nw_reason or None, "trend_per_year": nw_slope}
    leaves = _leave_year(criteria, nw_proj, st, rules, year, horizon) if eligible else {}
    for c in criteria:
        proj = c.pop("_proj")
        c["crosses_threshold_year"] = _crossing(c, proj, c["met"]) if c["met"] is not None else None
    label = _label(st, omdannelse, rules, eligible, known)
    return {"area": area, "name": name or area, "year": year,
            "residents": None if res != res else int(res), "eligible": eligible,
            "criteria": criteria, "criteria_met": sum(1 for c in criteria if c["met"] is True),
            "non_western": non_western, "status": label,
            "statuses": {"udsat_boligomraade": st["udsat"], "parallelsamfund": st["parallelsamfund"],
                         "omdannelsesomraade": omdannelse, "forebyggelsesomraade": st["forebyggelse"]},
            "leaves_list_year": leaves.get("year"), "leaves_list_note": leaves.get("note", ""),
            "trend_method": " ".join(rules.get("trend", {}).get("method_da", "").split()),
            "law": rules.get("law_da", ""), "rules_note": rules.get("applied_note", ""),
            "two_year_average": "sum af tællere / sum af nævnere over året og året før"}


def _crossing(c: dict, proj: dict[int, float], met_now: bool) -> int | None:
    """The first future year the projected value changes side of the threshold."""
    for y, v in sorted(proj.items()):
        if _met(v, c["comparison"], c["threshold"]) != met_now:
            return y
    return None


def _leave_year(criteria: list[dict], nw_proj: dict, st: dict, rules: dict, year: int, horizon: int) -> dict:
    """The first future year the projected values no longer give the current list status."""
    listed = "parallelsamfund" if st["parallelsamfund"] else "udsat" if st["udsat"] else \
        "forebyggelse" if st["forebyggelse"] else None
    if listed is None:
        return {}
    if any(not c["_proj"] for c in criteria if c["met"] is not None) or (listed != "udsat" and not nw_proj):
        return {"note": "for få år med data til en tendens (mindst 3)"}
    nw = rules["non_western"]
    for y in range(year + 1, year + horizon + 1):
        vals = [(c["_proj"].get(y, math.nan) if c["_proj"] else math.nan, "") for c in criteria]
        nwv = nw_proj.get(y, math.nan) if nw_proj else math.nan
        u, nu, f, nf = _flags(vals, nwv, rules)
        s = _status_of(u, nu, f, nf, rules)
        if s[listed] is False:
            return {"year": y, "note": ""}
    del nw
    return {"note": f"forlader ikke listen inden for {horizon} år ved den nuværende tendens"}


def plan_area_status(plan, cells: pd.DataFrame, year: int, threshold: int = 3) -> dict:
    """:func:`classify_area` for one plan's area (its estates pooled); the status
    ``mangler data`` when the cells lack the measures."""
    return classify_area(cells, plan.id, int(year), estates=plan.estate_ids, region=region_of(plan),
                         name=plan.name, threshold=threshold)


def classify_plans(year: int, plans_dir=None, cells: pd.DataFrame | None = None, threshold: int = 3) -> list[dict]:
    """:func:`plan_area_status` for every plan file in ``plans_dir``; each plan's cells are
    read from its ``data.cells`` (once per file) unless ``cells`` is given."""
    from .evaluation import load_cells
    from .plan import list_plans, load_plan

    out, loaded = [], {}
    for f in list_plans(plans_dir):
        plan = load_plan(f)
        c = cells
        if c is None:
            key = str(plan.data_path("cells"))
            if key not in loaded:
                loaded[key] = load_cells(plan)[0]
            c = loaded[key]
        out.append(plan_area_status(plan, c, year, threshold))
    return out
