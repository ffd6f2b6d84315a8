"""Activity goals (aktivitetsmål) from the tidy activity logs.

The logs are tidy frames with the English columns of ``docs/logs.md`` (read by
:mod:`evaluering.sources.logs`): meetings (date, kind, open, holiday_plan_for,
target_group_identified), courses (course_no, start_date, contact, attachment) and events
(date, theme, participants). Each goal of the plan's ``activities:`` section names a
``metric`` from :data:`METRICS`; :func:`evaluate_activities` judges every goal for one year.

Status rules (Danish, as in the criteria): ``opfyldt`` when the year's figure reaches the
target; ``ikke opfyldt`` when a completed year falls short; for a year still running
(``as_of`` inside the year) ``på rette vej`` when the figure reaches the target pro rata
(target x elapsed share of the year), else ``ikke på rette vej``; ``mangler data`` when the
log is missing, or does not cover the year (no row in or after the year).

>>> import pandas as pd
>>> m = pd.DataFrame({"date": pd.to_datetime(["2018-01-10", "2018-03-01"]), "kind": "netværksmøde",
...     "open": [True, False], "holiday_plan_for": ["vinterferie", None],
...     "target_group_identified": [False, True]})
>>> metric_meetings_held(m, 2018)["observed"], metric_open_meetings(m, 2018)["observed"]
(2, 1)
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import intervals
from .holidays import holiday_rules, school_holidays

__all__ = ["METRICS", "evaluate_activities", "activity_goals", "ACTIVITY_COLUMNS",
           "metric_meetings_held", "metric_open_meetings", "metric_target_groups",
           "metric_holiday_plans", "metric_courses_started", "metric_attachment_rate",
           "metric_events_held", "metric_events_min_participants", "participants_total",
           "HOLIDAY_PLAN_WINDOW_DAYS"]

#: a holiday plan counts for a holiday when made at most this many days before it starts
HOLIDAY_PLAN_WINDOW_DAYS = 183
ATTACHED = ("forening", "fritidsjob")
ACTIVITY_COLUMNS = ["activity", "activity_name", "goal", "title", "metric", "kind", "year",
                    "target", "observed", "unit", "status", "lower", "upper", "n", "note"]


def _dates(s: pd.Series) -> pd.Series:
    return s if s.dtype.kind == "M" else pd.to_datetime(s, errors="coerce")


def _years(s: pd.Series) -> np.ndarray:
    """The calendar year of each date in ``s`` (float; NaN for a missing or bad date)."""
    d = _dates(s)
    if isinstance(d.dtype, np.dtype) and d.dtype.kind == "M":   # NumPy datetimes: no field accessor needed
        values = d.to_numpy()
        return np.where(np.isnat(values), np.nan, values.astype("datetime64[Y]").astype(np.int64) + 1970)
    return d.dt.year.to_numpy(dtype="float64", na_value=np.nan)


def _in_year(df: pd.DataFrame, col: str, year: int) -> np.ndarray:
    """Which rows of ``df`` have a ``col`` date in ``year`` (boolean array)."""
    return _years(df[col]) == year


def _truthy(s: pd.Series) -> np.ndarray:
    return s.fillna(False).astype(bool).to_numpy()


def metric_meetings_held(meetings: pd.DataFrame, year: int, **_: Any) -> dict:
    """Network meetings held in ``year``."""
    return {"observed": int(_in_year(meetings, "date", year).sum()), "unit": "møder"}


def metric_open_meetings(meetings: pd.DataFrame, year: int, **_: Any) -> dict:
    """Open meetings (with beboerrådgivere and ejendomsfunktionærer) in ``year``."""
    held = _in_year(meetings, "date", year)
    return {"observed": int(_truthy(meetings["open"])[held].sum()), "unit": "åbne møder"}


def metric_target_groups(meetings: pd.DataFrame, year: int, **_: Any) -> dict:
    """Meetings in ``year`` where a concrete target group and problem was identified."""
    held = _in_year(meetings, "date", year)
    return {"observed": int(_truthy(meetings["target_group_identified"])[held].sum()), "unit": "målgrupper"}


def metric_holiday_plans(meetings: pd.DataFrame, year: int, plan=None, as_of: dt.date | None = None,
                         **_: Any) -> dict:
    """Holidays starting in ``year`` (and in the plan period, up to ``as_of``) with a holiday
    plan made at a meeting in the :data:`HOLIDAY_PLAN_WINDOW_DAYS` before the holiday starts.

    ``observed`` is the number covered, ``target`` the number of holidays due.
    """
    rules = holiday_rules(plan)
    hol = school_holidays(year, rules=rules)
    start = plan.start if plan is not None else dt.date(year, 1, 1)
    end = plan.end if plan is not None else dt.date(year, 12, 31)
    as_of = as_of or dt.date(year, 12, 31)
    due = [h for h in hol if start <= h.start <= end and h.start <= as_of]
    d = _dates(meetings["date"]).dt.date.tolist()
    names = meetings["holiday_plan_for"].fillna("").astype(str).str.strip().str.lower().tolist()
    covered, missing = [], []
    for h in due:
        lo = h.start - dt.timedelta(days=HOLIDAY_PLAN_WINDOW_DAYS)
        ok = any(name == h.name and not pd.isna(day) and lo <= day < h.start for name, day in zip(names, d))
        (covered if ok else missing).append(h.name)
    note = ("mangler ferieplan før: " + ", ".join(missing)) if missing else ""
    return {"observed": len(covered), "target": len(due), "unit": "ferier med ferieplan", "note": note}


def metric_courses_started(courses: pd.DataFrame, year: int, **_: Any) -> dict:
    """Individual youth courses (forløb) started in ``year``."""
    return {"observed": int(_in_year(courses, "start_date", year).sum()), "unit": "forløb"}


def metric_attachment_rate(courses: pd.DataFrame, year: int, conf: float = 0.95, **_: Any) -> dict:
    """Share (percent) of the courses started in ``year`` with contact made that end in an
    attachment to a club (forening) or a leisure job (fritidsjob); Wilson interval."""
    with_contact = _in_year(courses, "start_date", year) & _truthy(courses["contact"])
    attached = courses["attachment"].fillna("").astype(str).str.strip().str.lower().isin(ATTACHED).to_numpy()
    n = int(with_contact.sum())
    k = int((attached & with_contact).sum())
    if n == 0:
        return {"observed": math.nan, "n": 0, "unit": "pct.", "note": "ingen unge med kontakt"}
    lo, hi = intervals.wilson(k, n, conf)
    return {"observed": 100 * k / n, "n": n, "k": k, "lower": 100 * lo, "upper": 100 * hi,
            "unit": "pct.", "note": f"{k} af {n} med kontakt; Wilson-interval"}


def metric_events_held(events: pd.DataFrame, year: int, **_: Any) -> dict:
    """Up-skilling events held in ``year``."""
    return {"observed": int(_in_year(events, "date", year).sum()), "unit": "arrangementer"}


def metric_events_min_participants(events: pd.DataFrame, year: int, min_participants: int = 10,
                                   **_: Any) -> dict:
    """Events in ``year`` with at least ``min_participants``; the goal needs every event
    (and at least one) to reach it."""
    held = _in_year(events, "date", year)
    big = (events["participants"] >= min_participants).to_numpy(dtype=bool, na_value=False)
    ok = int((big & held).sum())
    n = int(held.sum())
    return {"observed": ok, "target": max(n, 1), "unit": "arrangementer",
            "note": f"{ok} af {n} arrangementer med mindst {min_participants} deltagere"}


#: metric name -> (log kind, function)
METRICS: dict[str, tuple[str, Callable[..., dict]]] = {
    "meetings_held": ("meetings", metric_meetings_held),
    "open_meetings": ("meetings", metric_open_meetings),
    "target_groups_identified": ("meetings", metric_target_groups),
    "holiday_plans": ("meetings", metric_holiday_plans),
    "courses_started": ("courses", metric_courses_started),
    "attachment_rate": ("courses", metric_attachment_rate),
    "events_held": ("events", metric_events_held),
    "events_min_participants": ("events", metric_events_min_participants),
}
_DATE_COL = {"meetings": "date", "courses": "start_date", "events": "date"}


def metric_count_rows(log: pd.DataFrame, year: int, date_column: str = "date", **_: Any) -> dict:
    """Rows of any log dated in ``year`` (a log kind declared in a focus-area file)."""
    return {"observed": int(_in_year(log, date_column, year).sum()), "unit": "antal"}


def metric_sum_column(log: pd.DataFrame, year: int, date_column: str = "date", column: str = "",
                      **_: Any) -> dict:
    """The sum of a number ``column`` over the rows dated in ``year`` (e.g. participants)."""
    held = _in_year(log, date_column, year)
    values = pd.to_numeric(log[column], errors="coerce").to_numpy("float64", na_value=np.nan)
    return {"observed": float(np.nansum(values[held])), "unit": "antal"}


def metric_share_true(log: pd.DataFrame, year: int, date_column: str = "date", column: str = "",
                      conf: float = 0.95, **_: Any) -> dict:
    """Share (percent) of the rows dated in ``year`` whose yes/no ``column`` is yes; Wilson
    interval (e.g. job courses ending in a job or an education)."""
    held = _in_year(log, date_column, year)
    n = int(held.sum())
    k = int((_truthy(log[column]) & held).sum())
    if n == 0:
        return {"observed": math.nan, "n": 0, "unit": "pct.", "note": "ingen rækker i året"}
    lo, hi = intervals.wilson(k, n, conf)
    return {"observed": 100 * k / n, "n": n, "k": k, "lower": 100 * lo, "upper": 100 * hi,
            "unit": "pct.", "note": f"{k} af {n}; Wilson-interval"}


#: metrics on any log kind: the activity's ``log:`` names the kind, the goal its ``column``
GENERIC_METRICS: dict[str, Callable[..., dict]] = {
    "count_rows": metric_count_rows, "sum_column": metric_sum_column, "share_true": metric_share_true,
}


def _date_columns(plan) -> dict[str, str]:
    """log kind -> its date column, for the kinds the plan's focus areas declare."""
    out = dict(_DATE_COL)
    try:
        for spec in plan.focus_area_specs():
            for kind in spec.log_kinds:
                if not kind.builtin:
                    out[kind.id] = kind.date_column
    except Exception:
        pass
    return out


def activity_goals(plan) -> list[dict]:
    """The goals of the plan's ``activities:`` section, checked, one dict per goal."""
    out = []
    for i, act in enumerate(plan.section("activities") or []):
        if not isinstance(act, dict) or "id" not in act:
            raise plan.error(f"activities.{i}", "each activity needs an 'id'")
        for j, goal in enumerate(act.get("goals") or []):
            where = f"activities.{i}.goals.{j}"
            if not isinstance(goal, dict) or "id" not in goal:
                raise plan.error(where, "each goal needs an 'id'")
            kind = goal.get("kind", "absolute")
            metric = goal.get("metric")
            if kind != "qualitative" and metric not in METRICS and metric not in GENERIC_METRICS:
                raise plan.error(f"{where}.metric", f"unknown metric '{metric}' (known: "
                                 f"{', '.join([*METRICS, *GENERIC_METRICS])})")
            if metric in GENERIC_METRICS and not act.get("log"):
                raise plan.error(f"activities.{i}.log", f"metric '{metric}' needs the activity's 'log' (a log kind)")
            if metric in ("sum_column", "share_true") and not goal.get("column"):
                raise plan.error(f"{where}.column", f"metric '{metric}' needs 'column' (a column of the log)")
            if kind == "absolute" and not isinstance(goal.get("target"), (int, float)):
                raise plan.error(f"{where}.target", "an absolute goal needs a numeric 'target'")
            if kind == "share" and not isinstance(goal.get("target_pct"), (int, float)):
                raise plan.error(f"{where}.target_pct", "a share goal needs 'target_pct'")
            out.append({**goal, "kind": kind, "activity": str(act["id"]),
                        "activity_name": str(act.get("name", act["id"])), "log": act.get("log")})
    return out


def _status(observed: float, target: float, fraction: float, pro_rata: bool = True) -> str:
    """Status of a count (``pro_rata``) or a share/coverage goal in a year ``fraction`` done."""
    if observed is None or (isinstance(observed, float) and math.isnan(observed)):
        return "mangler data"
    if fraction >= 1:
        return "opfyldt" if observed >= target - 1e-9 else "ikke opfyldt"
    if pro_rata and observed >= target - 1e-9:
        return "opfyldt"
    goal = target * fraction if pro_rata else target
    return "på rette vej" if observed >= goal - 1e-9 else "ikke på rette vej"


def _covers(log: pd.DataFrame, kind: str, year: int, date_cols: dict[str, str] | None = None) -> bool:
    if len(log) == 0:
        return False
    years = _years(log[(date_cols or _DATE_COL)[kind]])
    years = years[~np.isnan(years)]
    return bool(len(years) and years.min() <= year <= years.max())


def evaluate_activities(plan, year: int, logs: dict[str, pd.DataFrame | None],
                        as_of: dt.date | None = None, conf: float = 0.95) -> pd.DataFrame:
    """Judge every activity goal of ``plan`` for ``year``.

    ``logs`` maps ``meetings``/``courses``/``events`` to tidy frames (or None when missing).
    ``as_of`` (default 31 December of ``year``) marks a year still running.
    Returns one row per goal with columns :data:`ACTIVITY_COLUMNS`.
    """
    year_end = dt.date(year, 12, 31)
    as_of = min(as_of or year_end, year_end)
    fraction = 1.0 if as_of >= year_end else (as_of - dt.date(year, 1, 1)).days / 365
    rows = []
    date_cols = _date_columns(plan)
    for g in activity_goals(plan):
        base = {"activity": g["activity"], "activity_name": g["activity_name"], "goal": str(g["id"]),
                "title": g.get("title", ""), "metric": g.get("metric"), "kind": g["kind"],
                "year": year, "target": math.nan, "observed": math.nan, "unit": "",
                "status": "mangler data", "lower": math.nan, "upper": math.nan, "n": math.nan,
                "note": ""}
        if g["kind"] == "qualitative":
            base["note"] = "kvalitativt mål: vurderes ud fra fokusgruppeinterview, ikke ud fra loggen"
            rows.append(base)
            continue
        if g["metric"] in GENERIC_METRICS:
            log_kind, fn = str(g["log"]), GENERIC_METRICS[g["metric"]]
        else:
            log_kind, fn = METRICS[g["metric"]]
        log = logs.get(log_kind) if logs else None
        if log is None:
            base["note"] = f"loggen ({log_kind}) mangler"
            rows.append(base)
            continue
        if log_kind not in date_cols:
            base["note"] = f"ukendt logtype '{log_kind}'"
            rows.append(base)
            continue
        if not _covers(log, log_kind, year, date_cols):
            base["note"] = f"loggen ({log_kind}) dækker ikke {year}"
            rows.append(base)
            continue
        res = fn(log, year, plan=plan, as_of=as_of, conf=conf,
                 min_participants=int(g.get("min_participants", 10)),
                 date_column=date_cols[log_kind], column=str(g.get("column", "")))
        target = res.get("target", g.get("target", g.get("target_pct")))
        base.update(observed=res["observed"], target=target, unit=res.get("unit", ""),
                    lower=res.get("lower", math.nan), upper=res.get("upper", math.nan),
                    n=res.get("n", math.nan), note=res.get("note", ""))
        pro_rata = g["metric"] not in ("holiday_plans", "attachment_rate", "events_min_participants", "share_true")
        base["status"] = _status(res["observed"], float(target), fraction, pro_rata)
        if g["metric"] == "holiday_plans" and res["target"] == 0:
            base["status"] = "mangler data"
            base["note"] = "ingen skoleferie i perioden"
        rows.append(base)
    return pd.DataFrame(rows, columns=ACTIVITY_COLUMNS)


def participants_total(logs: dict[str, pd.DataFrame | None], first: dt.date, last: dt.date) -> dict:
    """Participants counted in the logs between ``first`` and ``last``: youth courses
    started and up-skilling attendances (a person attending two events counts twice)."""
    out = {"courses_started": math.nan, "event_participants": math.nan}
    c = (logs or {}).get("courses")
    if c is not None:
        d = _dates(c["start_date"]).dt.date
        out["courses_started"] = int(((d >= first) & (d <= last)).sum())
    e = (logs or {}).get("events")
    if e is not None:
        d = _dates(e["date"]).dt.date
        out["event_participants"] = int(e.loc[(d >= first) & (d <= last), "participants"].sum())
    return out
