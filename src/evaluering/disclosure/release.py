"""The release step: the one boundary every published number passes.

:func:`release_for_plans` takes the count cells of everything a set of plans can publish in a
report year (every plan's estates, plan parts and plan, the comparison levels, every year the
trends show, the multi-year period totals behind averages, and the activity-log counts of
young people) and decides, once and over the whole graph of linear relations an attacker has,
which of them are published:

* the area hierarchy ``estate -> plan_part -> plan`` of every plan; estates are never shown but
  are the same unknowns in every plan that contains them, so two plans that share estates (or
  one plan's estates a subset of another's) are linked through them;
* period totals (the pooled rate of a multi-year average, the plan period's participants) are
  sums over years; differences between years follow from the yearly cells themselves;
* a numerator is at most its published denominator.

Cells of 1 to ``threshold - 1`` are primary (reason ``"< 3"``); complementary cells are
chosen by :func:`evaluering.disclosure.secondary.protect` (linear programming) until every
small cell, shown or hidden (a small estate), has an attacker interval at least
``protection`` wide (default: the threshold). A rate, its interval, a difference or a ratio is
published only when every count it is computed from (numerator *and* denominator) is; then it
is a function of published counts and reveals nothing more. Rates are rounded to the
indicator's decimals everywhere, the JSON outputs included.

The decisions go into the persistent record (:mod:`evaluering.disclosure.ledger`); a later
release keeps every earlier decision (a published cell is known to the attacker, a suppressed
one stays suppressed) so that next year's report, another plan or another command never
reveals a cell an earlier output protected.

Outputs read released values only: :meth:`Release.series`, :meth:`Release.criteria`,
:meth:`Release.activities`, :meth:`Release.averages`, :meth:`Release.budget`.

>>> from evaluering.disclosure.release import Release
>>> r = Release({("x", "plan", "p", "2020", "numerator"): (None, "< 3")}, threshold=3)
>>> r.cell("x", "plan", "p", 2020, "numerator")
(None, '< 3')
"""

from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .markers import SECONDARY, primary_reason
from .primary import check_threshold
from .table import _descendants   # nearest present descendants in a hierarchy (shared helper)

__all__ = ["Release", "release_evaluations", "release_for_plans", "collect", "Universe",
           "RATE_COLUMNS", "SHOWN_LEVELS", "activity_key", "RELEASE_VERSION"]

#: bump when the rules change: every cached release is then recomputed
RELEASE_VERSION = "2"   # 2: composition counts
#: levels a report, status or JSON output shows (estates never)
SHOWN_LEVELS = ("plan", "plan_part", "municipality", "public_housing", "country")
#: columns computed from a row's numerator and denominator
RATE_COLUMNS = ("value", "lower", "upper", "wilson_lower", "wilson_upper", "computed_value")
#: activity metrics that count young people, and the cells they publish
PERSON_ACTIVITY_METRICS = ("courses_started", "attachment_rate")
METHODS = ("suppress", "round")


def activity_key(metric: str, plan_id: str, period, role: str = "count") -> tuple:
    """The release key of an activity-log count of a plan.

    >>> activity_key("courses_started", "p", 2020)
    ('activity.courses_started', 'plan', 'p', '2020', 'count')
    """
    return (f"activity.{metric}", "plan", str(plan_id), str(period), role)


def area_key(plan, level: str, area) -> str:
    """The area as the release names it: a plan part is ``<plan>/<part>`` (part ids repeat
    between plans), every other area its own id."""
    return f"{plan.id}/{area}" if level == "plan_part" else str(area)


def _isnan(v) -> bool:
    try:
        return v is None or v is pd.NA or bool(np.isnan(float(v)))
    except (TypeError, ValueError):
        return True


# ---------------------------------------------------------------------------------- the graph
@dataclass
class _Cell:
    value: float
    forced: bool = False
    hidden: bool = False
    keep: bool = False


@dataclass
class Universe:
    """Every cell a release covers and the additive relations between them."""

    cells: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)

    def add(self, key: tuple, value, *, forced: bool = False, hidden: bool = False) -> None:
        v = math.nan if _isnan(value) else float(value)
        if key in self.cells:  # the same cell seen from another plan (a shared area)
            c = self.cells[key]
            c.forced |= forced
            c.hidden &= hidden
            if math.isnan(c.value):
                c.value = v
            return
        self.cells[key] = _Cell(v, forced=forced, hidden=hidden or math.isnan(v))

    def relate(self, parent: tuple, children: Iterable[tuple], incomplete: bool = False) -> None:
        children = tuple(children)
        rel = (parent, children, bool(incomplete))
        if rel not in self._seen:
            self._seen.add(rel)
            self.relations.append(rel)

    @property
    def _seen(self) -> set:
        if not hasattr(self, "_seen_set"):
            self._seen_set = set()
        return self._seen_set


def _collect_series(u: Universe, ev, year: int) -> None:
    from .cells import hierarchy_from_plan

    plan = ev.plan
    parts = {p.id for p in plan.parts}
    estates = set(plan.estate_ids)
    levels = set(plan.comparison_levels) | {"plan", "plan_part"}
    hier = hierarchy_from_plan(plan)
    children: dict = {}
    for c, p in hier.items():
        children.setdefault(p, []).append(c)
    muni = str(plan.municipality_code)
    for ind_id, s in ev.series.items():
        ind = ev.catalogue[ind_id]
        lv = s["level"].to_numpy(dtype=object).astype(str)
        ar = s["area"].to_numpy(dtype=object).astype(str)
        yr = s["year"].to_numpy(dtype=float)
        keep = (yr <= year) & (((lv == "estate") & np.isin(ar, list(estates))) | ((lv == "plan") & (ar == plan.id))
                               | ((lv == "plan_part") & np.isin(ar, list(parts)))
                               | ((lv == "municipality") & (ar == muni) & ("municipality" in levels))
                               | ((lv == "public_housing") & ("public_housing" in levels))
                               | ((lv == "country") & ("country" in levels)))
        idx = np.flatnonzero(keep)
        roles = ("numerator", "denominator") if ind.has_denominator else ("numerator",)
        vals = {role: pd.to_numeric(s[role], errors="coerce").to_numpy(dtype=float) for role in roles}
        pub = s["published"].to_numpy(dtype=bool)
        tree: dict = {}
        for i in idx:
            level, area, y = lv[i], ar[i], int(yr[i])
            akey = area_key(plan, level, area)
            linked = level in ("estate", "plan_part", "plan")
            for role in roles:
                key = (ind_id, level, akey, str(y), role)
                u.add(key, vals[role][i], forced=bool(pub[i]) and level != "estate", hidden=level == "estate")
                if linked:
                    tree.setdefault((y, role), {})[area] = key
        for (_, _), present in tree.items():
            for par, pkey in present.items():
                if par in children:
                    kids, incomplete = _descendants(par, children, present)
                    if kids or incomplete:
                        u.relate(pkey, kids, incomplete)
    avg = getattr(ev, "averages", None)
    if avg is not None and len(avg):
        for r in avg.itertuples(index=False):
            if r.level not in SHOWN_LEVELS or r.indicator not in ev.catalogue:
                continue
            ind = ev.catalogue[r.indicator]
            roles = ("numerator", "denominator") if ind.has_denominator else ("numerator",)
            akey = area_key(plan, r.level, r.area)
            for role in roles:
                kids = [(r.indicator, r.level, akey, str(y), role) for y in range(int(r.first_year), int(r.last_year) + 1)]
                present = [k for k in kids if k in u.cells]
                vals = [u.cells[k].value for k in present]
                total = sum(vals) if present and len(present) == len(kids) and not any(map(math.isnan, vals)) else math.nan
                pkey = (r.indicator, r.level, akey, f"{int(r.first_year)}-{int(r.last_year)}", role)
                u.add(pkey, total)
                u.relate(pkey, present, len(present) < len(kids))


def _collect_composition(u: Universe, ev, year: int, frames: dict) -> None:
    """The stayers/movers counts of the plan's composition section
    (:func:`evaluering.did.composition.composition_indicators`): per estate (hidden, the same
    unknowns in every plan) and for the plan, tied to the estates' and the plan's own cells by
    ``cells = stayers + movers`` in the baseline and the report year."""
    from ..did.composition import GROUPS, composition_indicators, estate_counts, release_key
    from ..evaluation import load_cells

    plan = ev.plan
    baseline = int(plan.start_year) - 1
    if year <= baseline:
        return
    path = str(plan.data_path("cells"))
    if path not in frames:
        try:
            frames[path] = load_cells(plan)[0]
        except Exception:  # unreadable cells fail the plan's own report
            frames[path] = None
    cells = frames[path]
    if cells is None or not len(cells):
        return
    try:
        indicators = composition_indicators(plan, ev.catalogue, cells)
    except Exception:      # an unknown focus area fails the plan's own report
        return
    for ind in indicators:
        counts = estate_counts(cells, plan.estate_ids, ind.measure, ind.age_band, baseline, year)
        for r, role in enumerate(("numerator", "denominator")):
            for g in GROUPS:
                kids = []
                for e, cnt in counts.items():
                    k = release_key(g, ind.id, baseline, "estate", e, year, role)
                    u.add(k, cnt[g][r], hidden=True)
                    kids.append(k)
                total = sum(cnt[g][r] for cnt in counts.values())
                pk = release_key(g, ind.id, baseline, "plan", plan.id, year, role)
                u.add(pk, total)
                u.relate(pk, kids)
            for y, g, parts in ((year, "area1", ("stay1", "in")), (baseline, "area0", ("stay0", "out"))):
                # each estate's own cell = its stayers + its movers (the same unknown as in the series)
                estate_keys = []
                for e in counts:
                    whole = (ind.id, "estate", e, str(y), role)
                    if whole in u.cells:
                        estate_keys.append(whole)
                        u.relate(whole, [release_key(x, ind.id, baseline, "estate", e, year, role) for x in parts])
                # the plan's total of the section: the sum of its estates = stayers + movers
                pk = release_key(g, ind.id, baseline, "plan", plan.id, year, role)
                u.add(pk, sum(cnt[g][r] for cnt in counts.values()))
                u.relate(pk, estate_keys, len(estate_keys) < len(counts))
                same = (ind.id, "plan", plan.id, str(y), role)     # the series' plan cell, when it is this sum
                if same in u.cells and u.cells[same].value == u.cells[pk].value:
                    u.relate(same, [pk])
                u.relate(pk, [release_key(x, ind.id, baseline, "plan", plan.id, year, role) for x in parts])


def _collect_activities(u: Universe, ev, year: int, logs: dict | None) -> None:
    from ..activities import metric_attachment_rate, metric_courses_started, participants_total, _dates, _in_year

    plan = ev.plan
    metrics = {g.get("metric") for a in (plan.section("activities", []) or []) if isinstance(a, dict)
               for g in (a.get("goals") or []) if isinstance(g, dict)}
    courses = (logs or {}).get("courses")
    events = (logs or {}).get("events")
    if courses is None and events is None:
        return
    first_year = plan.start.year
    years = range(first_year, max(first_year, year) + 1)
    for y in years:
        shown = y == year
        if courses is not None:
            c = metric_courses_started(courses, y)["observed"]
            u.add(activity_key("courses_started", plan.id, y), c, hidden=not (shown and "courses_started" in metrics))
            a = metric_attachment_rate(courses, y)
            n = a.get("n", 0) or 0
            k = a.get("k", 0) or 0
            pub = shown and "attachment_rate" in metrics
            kn, kk, kr = (activity_key("attachment_rate", plan.id, y, role) for role in ("contacted", "attached", "not_attached"))
            u.add(kn, n, hidden=not pub)
            u.add(kk, k, hidden=not pub)
            u.add(kr, n - k, hidden=not pub)
            u.relate(kn, [kk, kr])
        if events is not None:
            held = _in_year(events, "date", y)
            u.add(activity_key("event_participants", plan.id, y),
                  float(events.loc[held, "participants"].sum()), hidden=True)
    # the plan period's totals (the budget's participants) for every year so far: last year's
    # total is in the record, so this year's total minus it is this year's count
    import datetime as dt

    def in_period(frame, col, y, weight=None):
        d = _dates(frame[col]).dt.date
        lo, hi = max(plan.start, dt.date(y, 1, 1)), min(plan.end, dt.date(y, 12, 31))
        m = ((d >= lo) & (d <= hi)).to_numpy(bool)
        return float(frame.loc[m, weight].sum()) if weight else float(m.sum())

    def year_cell(metric, y, frame, col, weight=None):
        """The plan-period part of a calendar year's count (the year itself when whole)."""
        key = activity_key(metric, plan.id, y)
        if dt.date(y, 1, 1) >= plan.start and dt.date(y, 12, 31) <= plan.end:
            return key
        part = activity_key(metric, plan.id, y, "in_period")
        u.add(part, in_period(frame, col, y, weight), hidden=True)
        rest = activity_key(metric, plan.id, y, "outside_period")
        u.add(rest, u.cells[key].value - u.cells[part].value, hidden=True)
        u.relate(key, [part, rest])
        return part

    last_year = min(year, plan.end.year)
    for y in range(first_year, last_year + 1):
        last = min(plan.end, dt.date(y, 12, 31))
        tot = participants_total(logs, plan.start, last)
        period = f"{first_year}-{y}"
        kinds = []
        for kind, frame, col, weight in (("courses_started", courses, "start_date", None),
                                         ("event_participants", events, "date", "participants")):
            v = tot.get(kind)
            if frame is None or v is None or _isnan(v):
                continue
            pk = activity_key(kind, plan.id, period)
            u.add(pk, v, hidden=y != year)
            u.relate(pk, [year_cell(kind, yy, frame, col, weight) for yy in range(first_year, y + 1)])
            kinds.append(pk)
        if kinds:
            total = activity_key("participants", plan.id, period)
            u.add(total, sum(u.cells[k].value for k in kinds), hidden=y != year)
            u.relate(total, kinds)


def collect(evaluations, year: int, logs: dict | None = None) -> Universe:
    """The :class:`Universe` of every cell the outputs of ``evaluations`` for ``year`` can show.

    ``logs``: ``{plan_id: logs}`` (read from each plan's data paths when missing).
    """
    from ..evaluation import load_logs

    u = Universe()
    frames: dict = {}
    for ev in evaluations:
        _collect_series(u, ev, int(year))
        _collect_composition(u, ev, int(year), frames)
        lg = (logs or {}).get(ev.plan.id)
        if lg is None:
            try:
                lg, _ = load_logs(ev.plan)
            except Exception:  # a bad log fails the plan's own report; nothing to release here
                lg = {}
        _collect_activities(u, ev, int(year), lg)
    return u


# ---------------------------------------------------------------------------------- deciding
def _decide(u: Universe, year: int, threshold: int, protection: float, ledger: dict | None,
            method: str, base: int | None) -> tuple[dict, list]:
    from .secondary import LinkedCells, protect

    ledger = ledger or {}
    for key, led in ledger.items():
        if key in u.cells:
            c = u.cells[key]
            if led.get("reason") is None or _isnan_reason(led.get("reason")):
                c.forced, c.hidden = True, False
            else:
                c.keep, c.hidden = True, False
        elif "-" in key[3] and (led.get("reason") is None or _isnan_reason(led.get("reason"))):
            # an earlier period total (last year's plan-period participants): a known sum
            try:
                f, l = (int(x) for x in key[3].split("-"))
            except ValueError:
                continue
            kids = [(*key[:3], str(y), key[4]) for y in range(f, l + 1)]
            present = [k for k in kids if k in u.cells]
            if present:
                u.add(key, led.get("value"), forced=True)
                u.relate(key, present, incomplete=True)
    p_reason = primary_reason(threshold)
    records: dict = {}
    unprotected: list = []
    den_pub: dict = {}
    for roles in (("denominator",), None):
        keys = [k for k in u.cells if (k[4] in roles if roles else k[4] != "denominator")]
        system = LinkedCells()
        var = {}
        for k in keys:
            c = u.cells[k]
            up = math.inf
            if k[4] == "numerator":
                up = den_pub.get(k[:4], math.inf)
            var[k] = system.add(c.value, hidden=c.hidden, forced=c.forced, upper=up)
        for parent, kids, incomplete in u.relations:
            if parent in var and all(k in var for k in kids):
                system.relate_sum(var[parent], [var[k] for k in kids], incomplete=incomplete)
        values = np.array(system.values, dtype=float)
        forced = np.array(system.forced, bool)
        sens = (values > 0) & (values < threshold) & ~forced
        keep = np.zeros(len(values), bool)
        for k in keys:
            keep[var[k]] = u.cells[k].keep
        if method == "round":
            from .controlled import controlled_round

            rounded = controlled_round(system, base or threshold)
        prot = protect(system, sens, protection=protection, keep=keep, progress=False) if method == "suppress" else None
        inv = {v: k for k, v in var.items()}
        unprotected += [inv[i] for i in (prot.unprotected if prot is not None else ()) if i in inv]
        for k in keys:
            i = var[k]
            c = u.cells[k]
            if c.hidden or math.isnan(c.value):
                continue
            if method == "round":
                # the rounded count is shown; a rate from a count below the threshold is not
                records[k] = (float(rounded[i]) if not c.forced else c.value, p_reason if sens[i] else None,
                              bool(sens[i]))
                continue
            supp = bool(prot.suppressed[i])
            reason = (p_reason if sens[i] else SECONDARY) if supp else None
            records[k] = (None if supp else c.value, reason, bool(sens[i]))
            if roles and not supp:
                den_pub[k[:4]] = c.value
    if unprotected:
        warnings.warn(f"disclosure release: {len(unprotected)} small cell(s) keep an interval narrower than "
                      f"{protection:g} (published figures limit them)", stacklevel=3)
    return records, unprotected


def _isnan_reason(r) -> bool:
    return r is None or (isinstance(r, float) and math.isnan(r)) or r == ""


# ---------------------------------------------------------------------------------- the result
class Release:
    """The released values of one release: ``{key: (value | None, reason | None)}``.

    A key is ``(indicator, level, area, period, role)`` (:func:`area_key`, :func:`activity_key`).
    A cell the release never decided is not published (reason ``diskretioneret``): nothing
    reaches an output without passing here.
    """

    def __init__(self, records: dict, threshold: int = 3, method: str = "suppress", base: int | None = None,
                 year: int | None = None, unprotected: tuple = (), primary: set | None = None):
        self.records = {tuple(map(str, k)): (v[0], v[1]) for k, v in records.items()}
        self.primary = set(primary or ())
        self.threshold = check_threshold(threshold)
        self.method = method
        self.base = base
        self.year = year
        self.unprotected = tuple(unprotected)

    def __repr__(self) -> str:
        n_sup = sum(1 for v in self.records.values() if v[1])
        return (f"Release({len(self.records)} cells, {n_sup} suppressed, threshold={self.threshold}, "
                f"method={self.method!r})")

    def _repr_html_(self) -> str:
        n_sup = sum(1 for v in self.records.values() if v[1])
        return (f"<p>Frigivne tal: {len(self.records)} celler, {n_sup} udeladt (grænse {self.threshold}, "
                f"metode {self.method}).</p>")

    @property
    def reasons(self) -> dict:
        return {k: v[1] for k, v in self.records.items() if v[1]}

    def cell(self, indicator, level, area, period, role) -> tuple[Any, str | None]:
        """``(value, None)`` when published, ``(None, reason)`` when not."""
        key = (str(indicator), str(level), str(area), str(period), str(role))
        if key not in self.records:
            return None, SECONDARY
        return self.records[key]

    def rounded_note(self) -> str | None:
        """The Danish note of the rounding method (None when suppressing)."""
        if self.method != "round":
            return None
        return f"Antal er afrundet til et multiplum af {self.base or self.threshold} (kontrolleret afrunding: totaler summer)."

    # ------------------------------------------------------------------ series
    def series(self, ev, indicator_id: str) -> pd.DataFrame:
        """The shown rows (no estates) of one indicator's series: counts and everything
        computed from them released, rates rounded, the reason in ``suppressed_reason``."""
        s = ev.series[indicator_id]
        s = s[s["level"] != "estate"].reset_index(drop=True).copy()
        s["suppressed_reason"] = None
        if s.empty:
            return s
        ind = ev.catalogue[indicator_id]
        roles = ("numerator", "denominator") if ind.has_denominator else ("numerator",)
        reasons, nums, dens = [], [], []
        for r in s[["level", "area", "year", "numerator", "denominator", "published"]].itertuples(index=False):
            akey = area_key(ev.plan, r.level, r.area)
            got = {}
            for role in roles:
                raw = getattr(r, role)
                got[role] = (None, None) if _isnan(raw) else self.cell(indicator_id, r.level, akey, int(r.year), role)
            reason = next((got[role][1] for role in roles if got[role][1]), None)
            if bool(r.published) and reason is None:
                pass
            reasons.append(reason)
            nums.append(got["numerator"])
            dens.append(got.get("denominator", (None, None)))
        hit = np.array([x is not None for x in reasons])
        s["suppressed_reason"] = reasons
        # a count is shown when the release gives its value (rounded, with method "round")
        num_hit = np.array([g[0] is None and g[1] is not None for g in nums])
        den_hit = np.array([g[0] is None and g[1] is not None for g in dens])
        if self.method == "round":
            rounded = np.array([g[0] is not None for g in nums]) & ~s["published"].to_numpy(bool)
            s["numerator"] = [g[0] if g[0] is not None else v for g, v in zip(nums, s["numerator"])]
            if ind.has_denominator:
                s["denominator"] = [g[0] if g[0] is not None else v for g, v in zip(dens, s["denominator"])]
            if rounded.any():  # rates and intervals of the rounded counts, never of the true ones
                from ..indicators import add_intervals

                fresh = add_intervals(s.loc[rounded, ["numerator", "denominator"]], ind)
                for col in ("value", "lower", "upper", "wilson_lower", "wilson_upper"):
                    if col in fresh.columns and col in s.columns:
                        s.loc[rounded, col] = fresh[col].to_numpy()
                if "computed_value" in s.columns:
                    s.loc[rounded, "computed_value"] = math.nan
        s.loc[num_hit, "numerator"] = math.nan
        if ind.has_denominator:
            s.loc[den_hit, "denominator"] = math.nan
        for col in RATE_COLUMNS:
            if col in s.columns:
                s.loc[hit, col] = math.nan
                s[col] = pd.to_numeric(s[col], errors="coerce").round(int(ind.decimals))
        for col in ("denominator_low", "denominator_high"):
            if col in s.columns:
                s.loc[hit | den_hit, col] = math.nan
        return s

    # ------------------------------------------------------------------ criteria
    def criteria(self, ev) -> pd.DataFrame:
        """The success criteria with every value from an unreleased count blanked (value,
        count, interval, target and path derived from it, the change statistics), the
        reason in ``baseline_reason`` / ``observed_reason``; values rounded."""
        out = ev.criteria.copy()
        out["baseline_reason"] = None
        out["observed_reason"] = None
        change = ["difference", "difference_lower", "difference_upper", "ratio", "ratio_lower",
                  "ratio_upper", "p_value"]
        for i in out.index:
            r = out.loc[i]
            ind_id = r.get("indicator")
            if r.get("kind") == "milestone" or not isinstance(ind_id, str) or ind_id not in ev.catalogue:
                continue
            ind = ev.catalogue[ind_id]
            level = r.get("level") if isinstance(r.get("level"), str) else "plan"
            area = r.get("area") if isinstance(r.get("area"), str) else ev.plan.id
            akey = area_key(ev.plan, level, area)
            roles = ("numerator", "denominator") if ind.has_denominator else ("numerator",)
            for prefix in ("baseline", "observed"):
                y = r.get(f"{prefix}_year")
                if _isnan(y):
                    continue
                counts = {"numerator": r.get(f"{prefix}_count"), "denominator": r.get(f"{prefix}_denominator")}
                reason = None
                for role in roles:
                    if _isnan(counts.get(role)):
                        continue
                    _, why = self.cell(ind_id, level, akey, int(y), role)
                    reason = reason or why
                if reason is None and _isnan(counts.get("numerator")) and not _isnan(r.get(f"{prefix}_value")):
                    # a value without its count: published only as a printed figure
                    _, why = self.cell(ind_id, level, akey, int(y), "numerator")
                    if why and (ind_id, level, akey, str(int(y)), "numerator") in self.records:
                        reason = why
                if reason:
                    out.at[i, f"{prefix}_reason"] = reason
                    for col in (f"{prefix}_value", f"{prefix}_count", f"{prefix}_denominator",
                                f"{prefix}_lower", f"{prefix}_upper", *change):
                        if col in out.columns:
                            out.at[i, col] = math.nan
                    out.at[i, "significant"] = None
                    if prefix == "baseline":  # the target and its path are multiples of the baseline
                        for col in ("target_value", "path_value"):
                            if col in out.columns and not _isnan(r.get("target_change_pct")):
                                out.at[i, col] = math.nan
                elif self.method == "round":
                    self._round_criterion(out, i, r, ind, level, akey, prefix)
            for cmp_prefix in ("comparison_baseline_value", "comparison_observed_value"):
                if cmp_prefix in out.columns and not _isnan(r.get(cmp_prefix)):
                    y = r.get("baseline_year" if "baseline" in cmp_prefix else "observed_year")
                    if not _isnan(y):
                        _, why = self.cell(ind_id, "municipality", str(ev.plan.municipality_code), int(y), "numerator")
                        if why:
                            out.at[i, cmp_prefix] = math.nan
        dec = {k: v.decimals for k, v in ev.catalogue.items()}
        for col in ("baseline_value", "baseline_lower", "baseline_upper", "observed_value", "observed_lower",
                    "observed_upper", "comparison_baseline_value", "comparison_observed_value"):
            if col in out.columns:
                out[col] = [(_round(v, dec.get(ind, 1))) for v, ind in zip(out[col], out["indicator"])]
        for col in ("difference", "difference_lower", "difference_upper", "target_value", "path_value"):
            if col in out.columns:
                out[col] = [_round(v, dec.get(ind, 1) + 1) for v, ind in zip(out[col], out["indicator"])]
        for col in ("ratio", "ratio_lower", "ratio_upper", "p_value"):
            if col in out.columns:
                out[col] = [_round(v, 3) for v in out[col]]
        return out

    def _round_criterion(self, out, i, r, ind, level, akey, prefix) -> None:
        """Method "round": the criterion's count and value from the rounded counts; the
        intervals and change statistics (computed from the true counts) are left out."""
        y = r.get(f"{prefix}_year")
        num = self.cell(r["indicator"], level, akey, int(y), "numerator")[0]
        if num is None or _isnan(r.get(f"{prefix}_count")):
            return
        den = self.cell(r["indicator"], level, akey, int(y), "denominator")[0] if ind.has_denominator else None
        out.at[i, f"{prefix}_count"] = num
        if ind.has_denominator and den:
            out.at[i, f"{prefix}_denominator"] = den
            out.at[i, f"{prefix}_value"] = num / den * ind.scale
        elif not ind.has_denominator:
            out.at[i, f"{prefix}_value"] = num
        for col in (f"{prefix}_lower", f"{prefix}_upper", "difference", "difference_lower", "difference_upper",
                    "ratio", "ratio_lower", "ratio_upper", "p_value"):
            if col in out.columns:
                out.at[i, col] = math.nan
        out.at[i, "significant"] = None

    # ------------------------------------------------------------------ activities
    def activities(self, ev) -> pd.DataFrame:
        """The activity goals with young people's counts released: a goal whose counts are
        not published shows no observed value, interval or count note (``observed_reason``)."""
        out = ev.activities.copy()
        out["observed_reason"] = None
        for i in out.index:
            metric = out.at[i, "metric"]
            if metric not in PERSON_ACTIVITY_METRICS:
                continue
            if metric == "courses_started":
                if _isnan(out.at[i, "observed"]):
                    continue
                _, why = self.cell(*activity_key(metric, ev.plan.id, ev.year))
            else:
                if _isnan(out.at[i, "n"]) or not out.at[i, "n"]:
                    continue
                why = None
                for role in ("contacted", "attached", "not_attached"):
                    why = why or self.cell(*activity_key(metric, ev.plan.id, ev.year, role))[1]
            if self.method == "round":
                self._round_activity(out, i, metric, ev)
                continue
            if why:
                for col in ("observed", "lower", "upper", "n"):
                    if col in out.columns:
                        out.at[i, col] = math.nan
                out.at[i, "observed_reason"] = why
                out.at[i, "note"] = "antal udeladt af hensyn til diskretionering"
            elif metric == "attachment_rate":
                for col in ("observed", "lower", "upper"):
                    out.at[i, col] = _round(out.at[i, col], 1)
        return out

    def _round_activity(self, out, i, metric, ev) -> None:
        note = f"antal afrundet til multiplum af {self.base or self.threshold}"
        if metric == "courses_started":
            out.at[i, "observed"] = self.cell(*activity_key(metric, ev.plan.id, ev.year))[0]
        else:
            n = self.cell(*activity_key(metric, ev.plan.id, ev.year, "contacted"))[0]
            k = self.cell(*activity_key(metric, ev.plan.id, ev.year, "attached"))[0]
            out.at[i, "n"] = n
            out.at[i, "observed"] = 100 * k / n if n else math.nan
            out.at[i, "lower"] = out.at[i, "upper"] = math.nan
        out.at[i, "note"] = note

    # ------------------------------------------------------------------ averages and budget
    def averages(self, ev) -> pd.DataFrame:
        """Multi-year averages from released values only: the pooled rate when the period's
        summed counts are published, the mean of yearly values when every year's is."""
        avg = ev.averages
        if avg is None or not len(avg):
            return avg
        out = avg[avg["level"] != "estate"].reset_index(drop=True).copy()
        released = {i: self.series(ev, i) for i in out["indicator"].unique() if i in ev.series}
        for i in out.index:
            r = out.loc[i]
            ind = ev.catalogue.get(r["indicator"])
            if ind is None:
                out.at[i, "pooled_rate"] = out.at[i, "mean_of_rates"] = math.nan
                continue
            akey = area_key(ev.plan, r["level"], r["area"])
            period = f"{int(r['first_year'])}-{int(r['last_year'])}"
            roles = ("numerator", "denominator") if ind.has_denominator else ("numerator",)
            got = [self.cell(r["indicator"], r["level"], akey, period, role) for role in roles]
            if any(g[1] for g in got):
                out.at[i, "pooled_rate"] = math.nan
            elif self.method == "round":
                num, den = got[0][0], (got[1][0] if len(got) > 1 else None)
                out.at[i, "pooled_rate"] = (_round(num / den * ind.scale, ind.decimals + 1) if den else
                                            (num if not ind.has_denominator else math.nan))
            else:
                out.at[i, "pooled_rate"] = _round(r["pooled_rate"], ind.decimals + 1)
            s = released.get(r["indicator"])
            if s is not None:
                yrs = s[(s["level"] == r["level"]) & (s["area"].astype(str) == str(r["area"]))
                        & s["year"].between(int(r["first_year"]), int(r["last_year"]))]
                if len(yrs) == int(r["last_year"]) - int(r["first_year"]) + 1 and yrs["value"].notna().all():
                    out.at[i, "mean_of_rates"] = _round(float(yrs["value"].mean()), ind.decimals + 1)
                else:
                    out.at[i, "mean_of_rates"] = math.nan
        return out

    def budget(self, ev) -> dict:
        """The budget check with the plan period's participants released."""
        import copy
        import datetime as dt

        b = copy.deepcopy(ev.budget)
        cpp = b.get("cost_per_participant") or {}
        if not cpp.get("participants"):
            return b
        last = min(ev.plan.end, dt.date(ev.year, 12, 31))
        period = f"{ev.plan.start.year}-{last.year}"
        _, why = self.cell(*activity_key("participants", ev.plan.id, period))
        by_kind = cpp.get("by_kind") or {}
        for kind in list(by_kind):
            if self.cell(*activity_key(kind, ev.plan.id, period))[1]:
                by_kind[kind] = None
        if self.method == "round":
            n = self.cell(*activity_key("participants", ev.plan.id, period))[0]
            cpp["participants"] = n
            cpp["by_kind"] = {k: self.cell(*activity_key(k, ev.plan.id, period))[0] for k in by_kind}
            for k, tot in (("per_participant_computed_kr", b.get("computed_total_kr")),
                           ("per_participant_stated_kr", b.get("stated_total_kr"))):
                cpp[k] = round(tot / n) if n and tot else None
            return b
        if why:
            for k in ("participants", "per_participant_computed_kr", "per_participant_stated_kr"):
                cpp[k] = None
            cpp["by_kind"] = {k: None for k in by_kind}
            cpp["participants_reason"] = why
        else:
            for k in ("per_participant_computed_kr", "per_participant_stated_kr"):
                if cpp.get(k) is not None:
                    cpp[k] = round(float(cpp[k]))
        return b

    # ------------------------------------------------------------------ record
    def ledger_rows(self, year: int) -> list[dict]:
        return [{"indicator": k[0], "level": k[1], "area": k[2], "period": k[3], "role": k[4],
                 "value": v[0], "reason": v[1], "release_year": int(year)} for k, v in sorted(self.records.items())]

    @classmethod
    def from_ledger(cls, ledger, threshold: int = 3, method: str = "suppress", base=None, year=None) -> "Release":
        recs = {}
        for key, r in ledger.lookup().items():
            reason = None if _isnan_reason(r.get("reason")) else r["reason"]
            value = None if reason or _isnan(r.get("value")) else float(r["value"])
            recs[key] = (value, reason)
        return cls(recs, threshold=threshold, method=method, base=base, year=year)


def _round(v, decimals: int):
    if _isnan(v):
        return math.nan
    return round(float(v), int(decimals))


# ---------------------------------------------------------------------------------- entry points
def release_evaluations(evaluations, year: int, *, threshold: int = 3, method: str = "suppress",
                        base: int | None = None, protection: float | None = None, ledger=None,
                        logs: dict | None = None) -> Release:
    """Release everything the outputs of ``evaluations`` (one per plan) show for ``year``.

    ``ledger``: a :class:`~evaluering.disclosure.ledger.Ledger` whose earlier decisions hold
    (None: a release on its own, nothing recorded).
    """
    from ..errors import EvalueringError

    threshold = check_threshold(threshold)
    if method not in METHODS:
        raise EvalueringError(f"unknown disclosure method {method!r}; use one of {', '.join(METHODS)}")
    protection = float(threshold if protection is None else protection)
    evaluations = list(evaluations)
    u = collect(evaluations, year, logs)
    records, unprotected = _decide(u, int(year), threshold, protection,
                                   ledger.lookup() if ledger is not None else None, method, base)
    rel = Release({k: v[:2] for k, v in records.items()}, threshold=threshold, method=method,
                  base=base, year=int(year), unprotected=tuple(unprotected),
                  primary={k for k, v in records.items() if v[2]})
    if ledger is not None:
        ledger.update(rel.ledger_rows(year))
    return rel


def _plan_files(plans_dir: Path) -> list[Path]:
    return sorted(p for p in Path(plans_dir).iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _digest(plans, plan_files, year, threshold, method, base, extra_files=()) -> str:
    from ..evaluation import LOG_KEYS

    h = hashlib.sha256()
    h.update(f"{RELEASE_VERSION}|{year}|{threshold}|{method}|{base}".encode())
    files = list(plan_files) + [Path(f) for f in extra_files if f]
    for plan in plans:
        for key in ("cells", "published", *(k for k, _ in LOG_KEYS.values())):
            p = plan.data_path(key)
            if p is not None and p.exists():
                files += sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
    for f in sorted(set(map(Path, files))):
        h.update(str(f.name).encode())
        try:
            h.update(hashlib.sha256(f.read_bytes()).digest())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()


def _evaluate_plans(paths, year: int) -> dict:
    """``{plan_id: (Evaluation, logs)}`` of the plan files; cells and published tables read
    once per file; a plan that cannot be evaluated is left out."""
    from ..evaluation import evaluate, load_cells, load_logs
    from ..plan import load_plan
    from ..published import Published, load_published

    frames: dict = {}

    def cached(key, make):
        if key not in frames:
            frames[key] = make()
        return frames[key]

    out = {}
    for path in paths:
        try:
            plan = load_plan(path)
            lg, _ = load_logs(plan)
            cells = cached(("cells", str(plan.data_path("cells"))), lambda: load_cells(plan)[0])
            pdir = plan.data_path("published")
            published = load_published(pdir, plan=plan) if pdir is not None else Published.empty()
            out[plan.id] = (evaluate(plan, int(year), cells=cells, published=published, logs=lg), lg)
        except Exception:
            continue
    return out


def release_for_plans(plans_dir, year: int, *, threshold: int = 3, method: str = "suppress",
                      base: int | None = None, root=None, evaluations: dict | None = None,
                      extra_files=(), record: bool = True, progress: bool | None = None,
                      workers: int = 1) -> Release:
    """The release of every plan in ``plans_dir`` for ``year``, with the project's record.

    Reuses the recorded release when the inputs (plan files, each plan's cells, published
    tables and logs, the threshold and method) are unchanged; else evaluates every plan
    (``evaluations``: ``{plan_id: Evaluation}`` already made; ``workers`` processes), decides
    and records. A plan that
    cannot be evaluated is left out (its report fails on its own and publishes nothing).
    """
    from tqdm import tqdm

    from ..plan import load_plan
    from .ledger import Ledger, default_release_dir

    threshold = check_threshold(threshold)
    plans_dir = Path(plans_dir)
    files = _plan_files(plans_dir)
    plans = []
    for f in files:
        try:
            plans.append(load_plan(f))
        except Exception:
            continue
    evaluations = dict(evaluations or {})
    digest = _digest(plans, files, int(year), threshold, method, base, extra_files)
    ledger = Ledger(default_release_dir(root, plans_dir))
    if record and ledger.digest_of(year) == digest:
        return Release.from_ledger(ledger, threshold=threshold, method=method, base=base, year=int(year))
    todo = [plan for plan in plans if plan.id not in evaluations]
    done: dict = {}
    if workers and workers > 1 and len(todo) > 2 * workers:
        from concurrent.futures import ProcessPoolExecutor

        chunks = [todo[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for part in pool.map(_evaluate_plans, [[p.path for p in c] for c in chunks], [int(year)] * workers):
                done.update(part)
    else:
        done = _evaluate_plans([p.path for p in todo], int(year))
    evs, logs = [], {}
    for plan in tqdm(plans, desc="frigivelse", unit="plan", leave=False,
                     disable=(not progress) if progress is not None else None):
        if plan.id in evaluations:
            ev = evaluations[plan.id]
            try:
                from ..evaluation import load_logs

                logs[plan.id] = load_logs(plan)[0]
            except Exception:
                pass
        elif plan.id in done:
            ev, logs[plan.id] = done[plan.id]
        else:
            continue
        evs.append(ev)
    for pid, ev in evaluations.items():
        if pid not in {e.plan.id for e in evs}:
            evs.append(ev)
    rel = release_evaluations(evs, int(year), threshold=threshold, method=method, base=base,
                              ledger=ledger if record else None, logs=logs)
    if record:
        ledger.set_digest(int(year), digest, threshold=threshold, method=method)
        ledger.save()
        rel = Release.from_ledger(ledger, threshold=threshold, method=method, base=base, year=int(year))
    return rel
