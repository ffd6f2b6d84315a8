"""Success criteria (succeskriterier): baseline -> target -> observed, with a status in
Danish and a test of "no change".

Kinds (the plan's ``criteria:`` section):

* ``relative_change``: ``indicator``, ``baseline: {year}``, ``target: {year, change_pct}``;
  the target value is ``baseline x (1 + change_pct / 100)`` (4,2 % -25 % = 3,15 %);
* ``absolute``: ``target: {year, value}`` in the indicator's unit (baseline optional);
* ``share``: like ``absolute`` for a share indicator, ``target: {year, pct}``;
* ``milestone``: ``due`` (a date); judged from the milestone log (Kriterium, Dato, Status).

Status for a report year (see docs/engine.md): ``mangler data`` without a baseline or an
observation (or before the baseline year); from the target year on ``opfyldt`` when the
observation reaches the target, else ``ikke opfyldt``; in between ``på rette vej`` when the
observation is at or better than the straight line from baseline to target, else ``ikke på
rette vej``. ``significant`` says whether the change from baseline is distinguishable from
no change at the 95 % level.

>>> linear_path(4.2, 3.15, 2015, 2020, 2018)
3.57
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

import pandas as pd

from . import intervals
from .catalogue import Indicator

__all__ = ["CRITERIA_COLUMNS", "STATUSES", "KINDS", "linear_path", "change_statistics",
           "evaluate_criteria", "criterion_area", "parse_criteria"]

STATUSES = ("opfyldt", "på rette vej", "ikke på rette vej", "ikke opfyldt", "mangler data")
KINDS = ("relative_change", "absolute", "share", "milestone")
CRITERIA_COLUMNS = [
    "id", "kind", "title", "indicator", "level", "area", "unit", "year",
    "baseline_year", "baseline_value", "baseline_count", "baseline_denominator",
    "baseline_lower", "baseline_upper", "baseline_source", "baseline_derived",
    "target_year", "target_value", "target_change_pct",
    "observed_year", "observed_value", "observed_count", "observed_denominator",
    "observed_lower", "observed_upper", "observed_source",
    "path_value", "status", "significant", "difference", "difference_lower", "difference_upper",
    "ratio", "ratio_lower", "ratio_upper", "p_value", "change_method",
    "comparison_baseline_value", "comparison_observed_value", "printed_baseline_value",
    "printed_baseline_flag", "synthetic", "data_source", "note",
]
_TOL = 1e-9


def linear_path(baseline: float, target: float, baseline_year: int, target_year: int,
                year: int) -> float:
    """The straight line from baseline to target, evaluated in ``year`` (clamped to the
    target after the target year; NaN before the baseline year).

    >>> linear_path(40, 32, 2017, 2020, 2019)
    34.67
    """
    if year < baseline_year:
        return math.nan
    if year >= target_year or target_year == baseline_year:
        return round(target, 10)
    frac = (year - baseline_year) / (target_year - baseline_year)
    return round(baseline + (target - baseline) * frac, 2)


def _meets(observed: float, goal: float, lower_is_better: bool) -> bool:
    return observed <= goal + _TOL if lower_is_better else observed >= goal - _TOL


def change_statistics(ind: Indicator, base: pd.Series | None, obs: pd.Series | None,
                      conf: float = 0.95) -> dict[str, Any]:
    """Difference and ratio (observed vs baseline) with intervals, in the indicator's unit.

    Shares: Newcombe's hybrid score interval for the difference, MOVER-R (Wilson) for the
    ratio, score test p-value; significant when the difference interval excludes 0.
    Rates and counts: exact conditional binomial interval and test for the ratio, MOVER-D
    (Garwood) for the difference; significant when the ratio interval excludes 1.
    Needs counts (and denominators) for both years, else every field is missing.
    """
    nan = math.nan
    out = {"difference": nan, "difference_lower": nan, "difference_upper": nan, "ratio": nan,
           "ratio_lower": nan, "ratio_upper": nan, "p_value": nan, "significant": None,
           "change_method": ""}
    if base is None or obs is None:
        return out
    k0, k1 = base["numerator"], obs["numerator"]
    if pd.isna(k0) or pd.isna(k1):
        return out
    k0, k1 = float(k0), float(k1)
    if ind.has_denominator:
        n0, n1 = base["denominator"], obs["denominator"]
        if pd.isna(n0) or pd.isna(n1) or n0 <= 0 or n1 <= 0:
            return out
        n0, n1 = float(n0), float(n1)
    else:
        n0 = n1 = 1.0
    s = ind.scale
    if ind.distribution == "binomial":
        d, dl, du = intervals.newcombe_difference(k1, n1, k0, n0, conf)
        r, rl, ru = intervals.mover_ratio(k1, n1, k0, n0, conf)
        p = intervals.two_share_test(k1, n1, k0, n0)
        sig = not (dl <= 0 <= du)
        method = "Newcombe (differens), MOVER-R/Wilson (forhold), scoretest"
    else:
        r, rl, ru, p = intervals.poisson_rate_ratio(int(round(k1)), n1, int(round(k0)), n0, conf)
        d, dl, du = intervals.poisson_rate_difference(int(round(k1)), n1, int(round(k0)), n0, conf)
        sig = not (rl <= 1 <= ru)
        method = "eksakt betinget binomial (forhold og test), MOVER-D/Garwood (differens)"
    out.update(difference=d * s, difference_lower=dl * s, difference_upper=du * s, ratio=r,
               ratio_lower=rl, ratio_upper=ru, p_value=p, significant=bool(sig), change_method=method)
    return out


def criterion_area(plan, level: str) -> str:
    """The area id of ``level`` for ``plan``: the plan id, the municipality code, ``almen``
    or ``DK``."""
    return {"plan": plan.id, "municipality": plan.municipality_code,
            "public_housing": "almen", "country": "DK"}.get(level, plan.id)


def parse_criteria(plan, catalogue: dict[str, Indicator]) -> list[dict]:
    """The ``criteria:`` section, checked (PlanError with the line on a problem)."""
    out = []
    for i, c in enumerate(plan.section("criteria") or []):
        where = f"criteria.{i}"
        if not isinstance(c, dict) or "id" not in c:
            raise plan.error(where, "each criterion needs an 'id'")
        kind = c.get("kind")
        if kind not in KINDS:
            raise plan.error(f"{where}.kind", f"unknown kind '{kind}' (use {', '.join(KINDS)})")
        if kind == "milestone":
            due = c.get("due")
            if not isinstance(due, dt.date):
                raise plan.error(f"{where}.due", "a milestone needs 'due' as a date (YYYY-MM-DD)")
            out.append(dict(c))
            continue
        if c.get("indicator") not in catalogue:
            raise plan.error(f"{where}.indicator", f"unknown indicator '{c.get('indicator')}' "
                             f"(known: {', '.join(sorted(catalogue))})")
        target = c.get("target")
        if not isinstance(target, dict) or not isinstance(target.get("year"), int):
            raise plan.error(f"{where}.target", "'target' needs a 'year'")
        key = {"relative_change": "change_pct", "absolute": "value", "share": "pct"}[kind]
        if not isinstance(target.get(key), (int, float)):
            raise plan.error(f"{where}.target", f"a {kind} target needs '{key}' (a number)")
        base = c.get("baseline")
        if kind == "relative_change" and not (isinstance(base, dict) and isinstance(base.get("year"), int)):
            raise plan.error(f"{where}.baseline", "a relative_change criterion needs 'baseline: {year: YYYY}'")
        if kind == "share" and catalogue[c["indicator"]].kind != "share":
            raise plan.error(f"{where}.indicator", "a share criterion needs a share indicator")
        out.append(dict(c))
    return out


def _is(value: Any, text: str) -> bool:
    """``value == text`` for a log value that may be missing (missing is never equal)."""
    return isinstance(value, str) and value == text


def _milestones_of(milestones: pd.DataFrame, criterion: str, end: dt.date) -> list[dict]:
    """The milestone log rows of ``criterion`` dated up to ``end``, by date (with the date
    in ``_d``)."""
    rows = [i for i, c in enumerate(milestones["criterion"].astype(str).tolist()) if c == criterion]
    sub = milestones.iloc[rows]
    dates = pd.to_datetime(sub["date"]).dt.date.tolist()
    records = [{"_d": d, "status": s, "evidence": e} for d, s, e in
               zip(dates, sub["status"].tolist(),
                   sub["evidence"].tolist() if "evidence" in sub else [None] * len(sub))]
    return sorted((r for r in records if not pd.isna(r["_d"]) and r["_d"] <= end), key=lambda r: r["_d"])


def _milestone_row(c: dict, year: int, milestones: pd.DataFrame | None) -> dict:
    due: dt.date = c["due"]
    row = {"id": str(c["id"]), "kind": "milestone", "title": c.get("title", ""), "year": year,
           "target_year": due.year, "unit": "milepæl", "data_source": c.get("data_source", ""),
           "status": "mangler data", "significant": None, "note": ""}
    if milestones is None:
        row["note"] = "milepælsloggen mangler"
        return row
    m = _milestones_of(milestones, str(c["id"]), dt.date(year, 12, 31))
    reached = [r for r in m if _is(r["status"], "opnået")]
    if reached:
        first = reached[0]["_d"]
        row["observed_value"] = 1.0
        row["observed_year"] = first.year
        on_time = first <= due
        # reached after the deadline: only possible when year >= due.year
        row["status"] = "opfyldt" if on_time else "ikke opfyldt"
        evidence = reached[0]["evidence"]
        row["note"] = (f"opnået {first:%d.%m.%Y}" + ("" if on_time else f", efter fristen {due:%d.%m.%Y}")
                       + (f"; dokumentation: {evidence}" if isinstance(evidence, str) else ""))
        return row
    if year >= due.year:
        row["status"] = "ikke opfyldt" if m else "mangler data"
        row["observed_value"] = 0.0 if m else math.nan
        row["note"] = (f"senest registreret: {m[-1]['status']} ({m[-1]['_d']:%d.%m.%Y})"
                       if m else f"ingen registrering i milepælsloggen (frist {due:%d.%m.%Y})")
        return row
    if not m:
        row["note"] = f"ingen registrering endnu (frist {due:%d.%m.%Y})"
        return row
    last = m[-1]["status"]
    row["observed_value"] = 0.0
    row["status"] = "på rette vej" if _is(last, "delvist") else "ikke på rette vej"
    row["note"] = f"senest registreret: {last} ({m[-1]['_d']:%d.%m.%Y}); frist {due:%d.%m.%Y}"
    return row


def _row_finder(series: pd.DataFrame) -> Callable[[str, str, Any], pd.Series | None]:
    """:func:`~evaluering.indicators.series_value` for one series: the (level, area, year)
    index is built once."""
    first: dict[tuple, int] = {}
    for i, key in enumerate(zip(series["level"].tolist(), series["area"].tolist(), series["year"].tolist())):
        first.setdefault(key, i)

    def find(level: str, area: str, year: Any) -> pd.Series | None:
        i = first.get((level, str(area), year))
        return None if i is None else series.iloc[i]
    return find


def evaluate_criteria(plan, year: int, series: dict[str, pd.DataFrame],
                      catalogue: dict[str, Indicator], milestones: pd.DataFrame | None = None,
                      conf: float = 0.95) -> pd.DataFrame:
    """Judge every criterion of ``plan`` in report year ``year``.

    ``series`` maps indicator id to its series (published values take precedence, see
    :func:`evaluering.indicators.with_published`). One row per criterion, columns
    :data:`CRITERIA_COLUMNS`.
    """
    rows = []
    finders: dict[str, Callable] = {}   # indicator id -> row lookup of its series
    for c in parse_criteria(plan, catalogue):
        if c["kind"] == "milestone":
            rows.append(_milestone_row(c, year, milestones))
            continue
        ind = catalogue[c["indicator"]]
        level = c.get("level", "plan")
        area = str(c.get("area", criterion_area(plan, level)))
        s = series.get(ind.id)
        s = s if s is not None else pd.DataFrame(columns=["level", "area", "year"])
        if ind.id not in finders:
            finders[ind.id] = _row_finder(s)
        row_of = finders[ind.id]
        target = c["target"]
        base_spec = c.get("baseline") or {}
        by = base_spec.get("year")
        ty = int(target["year"])
        row: dict[str, Any] = {"id": str(c["id"]), "kind": c["kind"], "title": c.get("title", ""),
                               "indicator": ind.id, "level": level, "area": area, "unit": ind.unit_da,
                               "year": year, "baseline_year": by, "target_year": ty,
                               "data_source": c.get("data_source", ind.data_source), "note": ""}
        notes = []
        base = row_of(level, area, by) if by is not None else None
        if base is not None and pd.isna(base["value"]):
            base = None
        not_before = base_spec.get("not_before")
        if base is not None and isinstance(not_before, dt.date) and by < not_before.year:
            base, _ = None, notes.append(f"nulpunktsmåling tidligst {not_before:%d.%m.%Y}")
        if base is not None:
            row.update(baseline_value=float(base["value"]), baseline_count=base["numerator"],
                       baseline_denominator=base["denominator"], baseline_lower=base["lower"],
                       baseline_upper=base["upper"], baseline_source=base["source"],
                       baseline_derived=bool(base["denominator_derived"]))
            if base["denominator_derived"]:
                notes.append(f"nævneren i {by} er udledt af den trykte andel og antallet "
                             f"({int(base['denominator_low'])}-{int(base['denominator_high'])}; "
                             f"midterværdien {int(base['denominator'])} er brugt)")
        if c["kind"] == "relative_change":
            row["target_change_pct"] = float(target["change_pct"])
            if base is not None:
                # rounded to 10 decimals so that 4.2 x 0.75 is 3.15, not 3.1500000000000004
                row["target_value"] = round(float(base["value"]) * (1 + float(target["change_pct"]) / 100), 10)
        else:
            row["target_value"] = float(target["value"] if c["kind"] == "absolute" else target["pct"])
        obs = row_of(level, area, year)
        if obs is not None and pd.isna(obs["value"]):
            obs = None
        if obs is not None:
            row.update(observed_year=year, observed_value=float(obs["value"]),
                       observed_count=obs["numerator"], observed_denominator=obs["denominator"],
                       observed_lower=obs["lower"], observed_upper=obs["upper"],
                       observed_source=obs["source"], synthetic=bool(obs["synthetic"]))
        comp_area = plan.municipality_code
        cb = row_of("municipality", comp_area, by) if by is not None else None
        co = row_of("municipality", comp_area, year)
        row["comparison_baseline_value"] = float(cb["value"]) if cb is not None else math.nan
        row["comparison_observed_value"] = float(co["value"]) if co is not None else math.nan
        printed = c.get("printed") or {}
        if "baseline_value" in printed:
            row["printed_baseline_value"] = float(printed["baseline_value"])
            if base is not None:
                from .published import round_half_up
                dec = ind.decimals
                row["printed_baseline_flag"] = round_half_up(float(base["value"]), dec) != \
                    round_half_up(float(printed["baseline_value"]), dec)
        if by is not None and "target_value" in row:
            row["path_value"] = linear_path(row["baseline_value"], row["target_value"], by, ty, year) \
                if base is not None else math.nan
        row.update(change_statistics(ind, base, obs, conf) if by is not None else {})
        # status
        tv = row.get("target_value", math.nan)
        if by is not None and year < by:
            status = "mangler data"
            notes.append(f"året ligger før nulpunktsmålingen ({by})")
        elif (by is not None and base is None) or obs is None or pd.isna(tv):
            status = "mangler data"
            if obs is None:
                notes.append(f"ingen observation for {year}")
            if by is not None and base is None:
                notes.append(f"ingen nulpunktsmåling for {by}")
        elif year >= ty:
            status = "opfyldt" if _meets(row["observed_value"], tv, ind.lower_is_better) else "ikke opfyldt"
        else:
            goal = row.get("path_value", tv)
            goal = tv if pd.isna(goal) else goal
            status = "på rette vej" if _meets(row["observed_value"], goal, ind.lower_is_better) \
                else "ikke på rette vej"
        row["status"] = status
        row["note"] = "; ".join(notes)
        rows.append(row)
    df = pd.DataFrame(rows, columns=CRITERIA_COLUMNS)
    df["synthetic"] = df["synthetic"].astype("boolean").fillna(False).astype(bool)
    for col in ("baseline_year", "target_year", "observed_year"):
        df[col] = pd.to_numeric(df[col]).round().astype("Int64")
    for col in ("baseline_count", "baseline_denominator", "observed_count", "observed_denominator"):
        df[col] = pd.to_numeric(df[col])
    # yes / no / not decided (None): never a plain bool column, so disclosure can blank it
    df["significant"] = df["significant"].astype(object)
    return df
