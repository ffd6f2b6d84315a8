"""The plan period at a glance: every success criterion and activity goal of every focus
area, judged for every year of the plan period up to the report year; and the report mode.

A plan's focus area (indsatsområde, one delaftale) is an :class:`AreaPeriod`: its name and
one :class:`~evaluering.evaluation.Evaluation` per year (the same engine, the same series,
only the year differs). Everything here takes a **list** of them, so a plan with several
focus areas gets one table and one board summary covering all.

Report modes (:data:`MODES`): ``aarlig`` (årsrapport), ``midtvejs``
(midtvejsevaluering) and ``slut`` (slutevaluering). The default (:func:`default_mode`):
``slut`` from the plan period's last year on; ``midtvejs`` in the year whose 31 December
lies closest to the middle of the plan period (for 1.2.2017-31.12.2020: 2018); otherwise
``aarlig``.

>>> import datetime as dt
>>> class P: start, end = dt.date(2017, 2, 1), dt.date(2020, 12, 31)
>>> [default_mode(P, y) for y in (2017, 2018, 2019, 2020)]
['aarlig', 'midtvejs', 'aarlig', 'slut']
>>> period_years(P, 2019)
[2017, 2018, 2019]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import fmt
from .html import Cell, esc, notice, table

__all__ = ["MODES", "MODE_TITLES", "AreaPeriod", "default_mode", "check_mode", "mode_rule",
           "period_years", "midpoint_year", "area_period", "period_rows", "period_table",
           "goal_tally", "period_section"]

#: mode -> the report's Danish name
MODE_TITLES = {"aarlig": "Årsrapport", "midtvejs": "Midtvejsevaluering", "slut": "Slutevaluering"}
MODES = tuple(MODE_TITLES)


def midpoint_year(plan) -> int:
    """The year whose 31 December lies closest to the middle of the plan period."""
    middle = plan.start + (plan.end - plan.start) / 2
    years = range(plan.start.year, plan.end.year + 1)
    return min(years, key=lambda y: (abs((dt.date(y, 12, 31) - middle).days), y))


def default_mode(plan, year: int) -> str:
    """``slut`` from the last year of the period, ``midtvejs`` in :func:`midpoint_year`,
    else ``aarlig``."""
    if int(year) >= plan.end.year:
        return "slut"
    if int(year) == midpoint_year(plan) and plan.end.year - plan.start.year >= 2:
        return "midtvejs"
    return "aarlig"


def check_mode(mode: str | None, plan, year: int) -> str:
    """The mode to use: ``mode`` if given (one of :data:`MODES`), else the default."""
    from ..errors import ReportError

    if mode in (None, "", "auto"):
        return default_mode(plan, year)
    if mode not in MODES:
        raise ReportError(f"unknown report mode '{mode}' (use {', '.join(MODES)})", plan=getattr(plan, "id", None))
    return mode


def mode_rule(plan) -> str:
    """The default-mode rule in Danish, with this plan's years."""
    return (f"Rapporttypen vælges ud fra rapportåret, når den ikke er angivet: slutevaluering fra "
            f"planperiodens sidste år ({plan.end.year}), midtvejsevaluering i det år, hvis 31. december "
            f"ligger nærmest planperiodens midte ({midpoint_year(plan)}), ellers årsrapport.")


def period_years(plan, year: int) -> list[int]:
    """The calendar years of the plan period up to and including ``year``."""
    last = min(plan.end.year, int(year))
    return list(range(plan.start.year, last + 1))


@dataclass(frozen=True)
class AreaPeriod:
    """One focus area over the plan period: ``evaluations[year]`` for each year of
    ``years`` (criteria after disclosure control in ``criteria[year]``)."""

    name: str
    year: int
    years: tuple[int, ...]
    evaluations: dict[int, Any]
    criteria: dict[int, pd.DataFrame]
    threshold: int = 3
    key: str = ""
    extra: dict = field(default_factory=dict)
    #: plain records per year, made once: ``(criteria rows, activity goal rows)``
    records: dict = field(default_factory=dict)

    def criteria_rows(self, year: int | None) -> list[dict]:
        """The criteria of ``year`` as plain dicts (empty for ``None`` or a year outside)."""
        return self._records(year)[0]

    def goal_rows(self, year: int | None) -> list[dict]:
        """The activity goals of ``year`` as plain dicts."""
        return self._records(year)[1]

    def _records(self, year):
        if year is None or year not in self.evaluations:
            return [], []
        if year not in self.records:
            self.records[year] = (self.criteria[year].to_dict(orient="records"),
                                  self.evaluations[year].activities.to_dict(orient="records"))
        return self.records[year]

    @property
    def current(self):
        """The evaluation of the report year."""
        return self.evaluations[self.year]

    def previous_year(self) -> int | None:
        earlier = [y for y in self.years if y < self.year]
        return earlier[-1] if earlier else None


def area_period(name: str, evaluation, logs: dict | None, threshold: int = 3, key: str = "",
                years: list[int] | None = None) -> AreaPeriod:
    """The :class:`AreaPeriod` of one focus area from its report-year ``evaluation``: the
    other years are judged by the same engine on the same series and logs.

    ``logs`` are the tidy logs the evaluation used (``None``: activity goals of the other
    years are missing data)."""
    from ..activities import evaluate_activities
    from ..criteria import evaluate_criteria
    from .criteria_view import criteria_origins

    plan = evaluation.plan
    year = int(evaluation.year)
    years = years if years is not None else period_years(plan, year)
    if year not in years:
        years = sorted({*years, year})
    logs = {k: _plain(v) for k, v in (logs or {}).items()}
    evaluations, criteria = {}, {}
    for y in years:
        if y == year:
            ev = evaluation
        else:
            crit = evaluate_criteria(plan, y, evaluation.series, evaluation.catalogue,
                                     logs.get("milestones"))
            act = evaluate_activities(plan, y, logs)
            ev = dataclasses.replace(evaluation, year=y, criteria=crit, activities=act)
        evaluations[y] = ev
        criteria[y] = criteria_origins(ev.suppressed_criteria(threshold), ev.series,
                                       bool(getattr(ev, "example_logs", False)))
    return AreaPeriod(name=name, year=year, years=tuple(years), evaluations=evaluations, criteria=criteria,
                      threshold=threshold, key=key or name)


def _plain(df):
    """A log without ``attrs`` (pandas deep-copies them into every slice)."""
    if df is None:
        return None
    out = pd.DataFrame(df, copy=False)
    out.attrs = {}
    return out


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def goal_tally(area: AreaPeriod, goal: str) -> tuple[int, int]:
    """``(met, judged)``: in how many years of the period an activity goal was met, out
    of the years it could be judged (not ``mangler data``)."""
    met = judged = 0
    for y in area.years:
        for g in area.goal_rows(y):
            if g["goal"] != goal:
                continue
            if g["status"] != "mangler data":
                judged += 1
                met += g["status"] == "opfyldt"
            break
    return met, judged


def period_rows(areas: list[AreaPeriod]) -> list[dict]:
    """One record per focus area, criterion or goal and year: ``area, kind (criterion|goal),
    id, title, year, status, value`` (value: short Danish text, after disclosure control)."""
    from .activities_view import goal_value_text
    from .criteria_view import value_text

    out = []
    for area in areas:
        for y in area.years:
            for r in area.criteria_rows(y):
                if r["kind"] == "milestone":
                    value = ""
                elif isinstance(r.get("observed_reason"), str):
                    value = r["observed_reason"]
                else:
                    value = value_text(r["observed_value"], r["unit"]) if not _missing(r["observed_value"]) else ""
                out.append({"area": area.name, "kind": "criterion", "id": str(r["id"]), "title": str(r["title"]),
                            "year": int(y), "status": str(r["status"]), "value": value,
                            "origin": r.get("observed_origin") if value and not isinstance(r.get("observed_reason"), str)
                            else None})
            assessed = _assessed(area, y)
            for r in area.goal_rows(y):
                value = goal_value_text(r, area.threshold)
                if r["kind"] == "qualitative" and str(r["goal"]) in assessed:
                    value = "vurderet i fokusgruppe"
                example = bool(getattr(area.evaluations[y], "example_logs", False))
                out.append({"area": area.name, "kind": "goal", "id": str(r["goal"]), "title": str(r["title"]),
                            "activity": str(r["activity_name"]), "year": int(y), "status": str(r["status"]),
                            "value": value, "origin": ("synthetic" if example else "computed") if value else None})
    return out


def _assessed(area: AreaPeriod, year: int) -> set[str]:
    """Goal and activity ids with a focus-group entry in the qualitative log in ``year``."""
    q = area.extra.get("qualitative")
    if q is None or not len(q):
        return set()
    sel = q[(q["date"].dt.year == year) & (q["kind"] == "fokusgruppe")]
    return set(sel["activity"].dropna().astype(str))


def _badge(status: str, value: str, kind: str | None = None) -> Cell:
    from .criteria_view import status_badge
    from .origin import mark

    if value and (value.startswith("<") or value == "diskretioneret"):   # withheld: marked for the audit
        return Cell(str(status_badge(status)) + f'<br><small><span class="ev-suppressed" data-suppressed="primary">'
                    f"{esc(value)}</span></small>")
    extra = f"<br><small>{esc(value)}{mark(kind) if kind else ''}</small>" if value else ""
    return Cell(str(status_badge(status)) + extra)


def period_table(areas: list[AreaPeriod], mode: str = "aarlig") -> str:
    """The plan period in one table: a row per criterion and activity goal of every focus
    area, a column per year (status and value), and a last column that sums the period up
    (criteria: the status of the report year; goals: met in how many of the judged years)."""
    if not areas:
        return "<p>Ingen indsatsområder.</p>"
    years = sorted({y for a in areas for y in a.years})
    rows_by_key: dict[tuple, dict] = {}
    order: list[tuple] = []
    for rec in period_rows(areas):
        key = (rec["area"], rec["kind"], rec["id"])
        if key not in rows_by_key:
            rows_by_key[key] = {"rec": rec, "years": {}}
            order.append(key)
        rows_by_key[key]["years"][rec["year"]] = rec
    last_label = {"slut": "Hele perioden", "midtvejs": "Perioden indtil nu"}.get(mode, "Perioden indtil nu")
    rows = []
    area_of = {a.name: a for a in areas}
    several = len(areas) > 1
    for key in order:
        item = rows_by_key[key]
        rec = item["rec"]
        area = area_of[rec["area"]]
        label = f"{rec['id']}: {rec['title']}"
        cells = ([rec["area"]] if several else []) + [label]
        for y in years:
            r = item["years"].get(y)
            cells.append(_badge(r["status"], r["value"], r.get("origin")) if r else fmt.MISSING)
        if rec["kind"] == "goal":
            met, judged = goal_tally(area, rec["id"])
            cells.append(f"opfyldt {met} af {judged} år" if judged else "kan ikke vurderes")
        else:
            last = item["years"].get(max(item["years"]))
            cells.append(f"{last['status']} ({max(item['years'])})")
        rows.append(cells)
    from .origin import legend

    caption = ("Planperioden på én side: status for hvert succeskriterium og aktivitetsmål i hvert år "
               f"{years[0]}–{years[-1]} (værdien under status; {legend()})")
    cls = "ev-table ev-period" + (" ev-landscape" if len(years) > 8 else "")
    head = (["Indsatsområde"] if several else []) + ["Succeskriterium (K) eller aktivitetsmål (A)"]
    return table([*head, *map(str, years), last_label], rows, caption=caption, cls=cls)


_INTROS = {"slut": "Slutevalueringen samler hele planperioden: ",
           "midtvejs": "Midtvejsevalueringen samler planperioden indtil nu: "}


def period_section(areas: list[AreaPeriod], plan, year: int, mode: str, rules: list[str],
                   synthetic: bool, payload: dict) -> str:
    """The HTML of the plan-period section over ``areas`` (one delaftale or all of a plan's):
    intro, :func:`period_table`, the report-mode rule, the counting ``rules`` (HTML) and the
    synthetic-data notice; sets ``payload["period"]``."""
    payload["period"] = {"mode": mode, "years": sorted({y for a in areas for y in a.years}),
                         "rows": period_rows(areas)}
    scope = " i hvert indsatsområde" if len(areas) > 1 else ""
    out = [f"<p>{_INTROS.get(mode, '')}status for hvert succeskriterium og aktivitetsmål{scope} i hvert år af "
           f"planperioden op til {year}. Sidste kolonne: succeskriteriernes status i det seneste år og, for "
           "aktivitetsmålene, i hvor mange af de år, der kunne vurderes, målet blev nået.</p>",
           period_table(areas, mode),
           f'<p class="ev-rules"><small><b>Rapporttype.</b> {esc(mode_rule(plan))}</small></p>',
           *rules]
    if synthetic:
        out.append(notice("<b>Syntetiske data og eksempellogs:</b> årene efter de offentliggjorte tal er "
                          "syntetiske, og aktivitetslogs er opdigtede eksempler.", "synthetic"))
    return "".join(out)
