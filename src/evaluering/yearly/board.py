"""The one-page board summary (sammenfatning til bestyrelsen): the status of every success
criterion, the activity goals not met, the main changes since last year and what needs a
decision, over a list of focus areas (:class:`~evaluering.yearly.period.AreaPeriod`).

Derived rules (stated in the report under the lists):

* *goals not met*: every activity goal whose status in the report year is ``ikke opfyldt``
  or ``ikke på rette vej``;
* *changes since last year*: every criterion and goal whose status differs from the year
  before (criteria with their value then and now); the first year of a plan has none;
* *needs a decision*: the rules of ``board_rules.yaml`` (one line per criterion or goal a
  rule holds for).

>>> [r["id"] for r in load_rules()][:2]
['criterion_behind', 'criterion_missed']
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import fmt
from .html import Cell, esc, table
from .period import MODE_TITLES, AreaPeriod, goal_tally

__all__ = ["load_rules", "board_items", "board_summary", "RULES_FILE", "NOT_MET"]

RULES_FILE = Path(__file__).with_name("board_rules.yaml")
#: goal statuses listed as "not met"
NOT_MET = ("ikke opfyldt", "ikke på rette vej")


@lru_cache(maxsize=1)
def load_rules() -> tuple[dict, ...]:
    """The decision rules of :data:`RULES_FILE`, checked (each ``when`` must be known)."""
    import yaml

    from ..errors import InputError

    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")) or {}
    rules = tuple(data.get("rules") or [])
    for i, r in enumerate(rules):
        if r.get("when") not in _CONDITIONS:
            raise InputError(str(RULES_FILE), f"rules.{i}.when: unknown condition {r.get('when')!r}")
    return rules


# ---------------------------------------------------------------- conditions
def _crit_rows(area: AreaPeriod, year: int | None):
    return area.criteria_rows(year)


def _goal_rows(area: AreaPeriod, year: int | None):
    return area.goal_rows(year)


def _crit_fields(r: dict, year: int) -> dict:
    ty = r.get("target_year")
    return {"id": r["id"], "title": r["title"], "year": year,
            "target_year": int(ty) if ty is not None and not pd.isna(ty) else "målåret"}


def _criterion_behind(area: AreaPeriod, year: int, **_):
    return [_crit_fields(r, year) for r in _crit_rows(area, year) if r["status"] == "ikke på rette vej"]


def _criterion_missed(area: AreaPeriod, year: int, **_):
    return [_crit_fields(r, year) for r in _crit_rows(area, year) if r["status"] == "ikke opfyldt"]


def _criterion_no_data(area: AreaPeriod, year: int, **_):
    return [_crit_fields(r, year) for r in _crit_rows(area, year) if r["status"] == "mangler data"]


def _goal_missed_twice(area: AreaPeriod, year: int, **_):
    prev = area.previous_year()
    if prev is None:
        return []
    before = {g["goal"]: g["status"] for g in _goal_rows(area, prev)}
    return [{"id": g["goal"], "title": g["title"], "year": year} for g in _goal_rows(area, year)
            if g["status"] in NOT_MET and before.get(g["goal"]) in NOT_MET]


def _goal_unassessed(area: AreaPeriod, year: int, **_):
    assessed = set()
    q = area.extra.get("qualitative")
    if q is not None and len(q):
        from .qualitative_view import ASSESSING_KINDS

        sel = q[(q["date"].dt.year == year) & q["kind"].isin(ASSESSING_KINDS)]
        assessed = set(sel["activity"].dropna().astype(str))
    out = []
    for g in _goal_rows(area, year):
        if g["status"] != "mangler data":
            continue
        if g["goal"] in assessed or g["activity"] in assessed:
            continue
        out.append({"id": g["goal"], "title": g["title"], "year": year})
    return out


def _budget_gap(area: AreaPeriod, year: int, **_):
    b = area.current.budget or {}
    if not b.get("flag"):
        return []
    return [{"computed": fmt.kr(b.get("computed_total_kr")), "stated": fmt.kr(b.get("stated_total_kr")),
             "id": "", "title": "", "year": year}]


_CONDITIONS = {
    "criterion_behind": _criterion_behind,
    "criterion_missed": _criterion_missed,
    "criterion_no_data": _criterion_no_data,
    "goal_missed_twice": _goal_missed_twice,
    "goal_unassessed": _goal_unassessed,
    "budget_gap": _budget_gap,
}


# ---------------------------------------------------------------- the items
def board_items(areas: list[AreaPeriod]) -> dict:
    """The summary's content as plain data: ``criteria`` (status now and the year before),
    ``goals_not_met``, ``changes``, ``decisions`` (each with the rule id), per area."""
    from .activities_view import goal_value_text
    from .criteria_view import value_text

    out = {"criteria": [], "goals_not_met": [], "changes": [], "decisions": [], "tallies": []}
    for area in areas:
        year, prev = area.year, area.previous_year()
        crit_prev = {r["id"]: r for r in _crit_rows(area, prev)} if prev else {}
        for r in _crit_rows(area, year):
            before = crit_prev.get(r["id"])
            observed = ("" if r["kind"] == "milestone" else
                        r["observed_reason"] if isinstance(r.get("observed_reason"), str) else
                        value_text(r["observed_value"], r["unit"]))
            target = ("" if r["kind"] == "milestone" or pd.isna(r.get("target_value")) else
                      f"{value_text(r['target_value'], r['unit'])} i {int(r['target_year'])}")
            if r["kind"] == "milestone" and not pd.isna(r.get("target_year")):
                target = f"senest {int(r['target_year'])}"
            out["criteria"].append({"area": area.name, "id": r["id"], "title": r["title"], "status": r["status"],
                                    "previous_status": before["status"] if before else None,
                                    "observed": observed, "target": target,
                                    "origin": r.get("observed_origin") if observed and observed[0] != "<" else None})
            if before is not None and before["status"] != r["status"]:
                then = ("" if r["kind"] == "milestone" else
                        before["observed_reason"] if isinstance(before.get("observed_reason"), str) else
                        value_text(before["observed_value"], before["unit"]))
                out["changes"].append({"area": area.name, "id": r["id"], "title": r["title"],
                                       "from": before["status"], "to": r["status"],
                                       "value_from": then, "value_to": observed})
        goals_prev = {g["goal"]: g for g in _goal_rows(area, prev)} if prev else {}
        for g in _goal_rows(area, year):
            value = goal_value_text(g, area.threshold)
            if g["status"] in NOT_MET:
                target = g["target"]
                out["goals_not_met"].append({"area": area.name, "id": g["goal"], "title": g["title"],
                                             "status": g["status"], "observed": value,
                                             "target": "" if target is None or pd.isna(target) else fmt.number(target)})
            before = goals_prev.get(g["goal"])
            if before is not None and before["status"] != g["status"]:
                out["changes"].append({"area": area.name, "id": g["goal"], "title": g["title"],
                                       "from": before["status"], "to": g["status"],
                                       "value_from": goal_value_text(before, area.threshold), "value_to": value})
            met, judged = goal_tally(area, g["goal"])
            out["tallies"].append({"area": area.name, "id": g["goal"], "met": met, "judged": judged})
        for rule in load_rules():
            for fields in _CONDITIONS[rule["when"]](area, year):
                out["decisions"].append({"area": area.name, "rule": rule["id"],
                                         "text": rule["text"].format(**fields)})
    return out


def _li(items: list[str], empty: str) -> str:
    if not items:
        return f"<p>{esc(empty)}</p>"
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def board_summary(areas: list[AreaPeriod], mode: str = "aarlig") -> tuple[str, dict]:
    """The board summary's HTML (one A4 page) and its data (:func:`board_items`)."""
    from .criteria_view import status_badge

    items = board_items(areas)
    if not areas:
        return "<p>Ingen indsatsområder.</p>", items
    year = areas[0].year
    prev = areas[0].previous_year()
    years = sorted({y for a in areas for y in a.years})
    several = len(areas) > 1
    pre = (lambda d: f"{esc(d['area'])}: ") if several else (lambda d: "")
    n_goals = sum(len(a.current.activities) for a in areas)
    crit_counts = pd.Series([c["status"] for c in items["criteria"]]).value_counts()
    goal_counts = pd.Series([s for a in areas for s in a.current.activities["status"]]).value_counts()

    def counts_text(counts) -> str:
        order = ["opfyldt", "på rette vej", "ikke på rette vej", "ikke opfyldt", "mangler data"]
        return ", ".join(f"{int(counts[s])} {s}" for s in order if s in counts)

    out = [f'<div class="ev-board ev-page-after">',
           f"<p><b>{MODE_TITLES.get(mode, 'Årsrapport')} {year}</b>"
           + (f" for planperioden {years[0]}–{years[-1]}" if mode != "aarlig" else "")
           + (f" ({esc(', '.join(a.name for a in areas))})" if any(a.name for a in areas) else "")
           + f": {len(items['criteria'])} succeskriterier ({esc(counts_text(crit_counts))}); "
           f"{n_goals} aktivitetsmål ({esc(counts_text(goal_counts))}).</p>"]
    if mode in ("slut", "midtvejs"):
        met = sum(t["met"] for t in items["tallies"])
        judged = sum(t["judged"] for t in items["tallies"])
        span = "hele planperioden" if mode == "slut" else f"de første {len(years)} år af planperioden"
        out.append(f"<p><b>Over {span}:</b> aktivitetsmålene blev nået i {met} af {judged} mål-år, "
                   f"der kunne vurderes (et mål-år er ét aktivitetsmål i ét år).</p>")
    rows = []
    from .origin import legend, mark

    for c in items["criteria"]:
        rows.append([pre(c) + esc(c["id"]), esc(c["title"]), esc(c["target"] or fmt.MISSING),
                     esc(c["observed"] or fmt.MISSING) + (mark(c["origin"]) if c.get("origin") else ""),
                     status_badge(c["status"]),
                     status_badge(c["previous_status"]) if c["previous_status"] else fmt.MISSING])
    out.append(table(["ID", "Succeskriterium", "Mål", f"Observeret {year}", f"Status {year}",
                      f"Status {prev}" if prev else "Året før"],
                     [[Cell(x) if not isinstance(x, Cell) else x for x in r] for r in rows],
                     caption=f"Succeskriterierne ({legend()})", cls="ev-table ev-board-criteria"))
    goals = [f"{pre(g)}<b>{esc(g['id'])}</b> {esc(g['title'])}: {esc(g['observed'] or 'ingen måling')}"
             + (f" (mål {esc(g['target'])})" if g["target"] else "") + f"; {esc(g['status'])}"
             for g in items["goals_not_met"]]
    out.append(f"<p><b>Aktivitetsmål, der ikke er nået i {year}</b> <small>(tællereglerne står under "
               "planperioden og under aktivitetsmålene)</small></p>")
    out.append(_li(goals, f"Alle aktivitetsmål, der kan vurderes, er nået i {year}."))
    out.append(f"<p><b>Vigtigste ændringer siden {prev}</b></p>" if prev else
               "<p><b>Vigtigste ændringer siden sidste år</b></p>")
    kinds = {c["id"] for c in items["criteria"]}
    changes = [f"{pre(c)}<b>{esc(c['id'])}</b>" + ("" if c["id"] in kinds else f" {esc(c['title'])}")
               + f": {esc(c['from'])} → {esc(c['to'])}"
               + (f" ({esc(c['value_from'] or '–')} → {esc(c['value_to'] or '–')})"
                  if c["value_from"] or c["value_to"] else "") for c in items["changes"]]
    out.append(_li(changes, "Første år i planperioden: intet år at sammenligne med." if prev is None
                   else f"Ingen succeskriterier eller aktivitetsmål har skiftet status siden {prev}."))
    out.append("<p><b>Kræver beslutning</b></p>")
    out.append(_li([pre(d) + esc(d["text"]) for d in items["decisions"]], "Intet kræver en beslutning efter reglerne nedenfor."))
    rules = "; ".join(r["rule"] for r in load_rules())
    out.append('<p class="ev-board-rules"><small><b>Sådan er listerne dannet.</b> '
               f"Ikke nået: aktivitetsmål med status ikke opfyldt eller ikke på rette vej i {year}. "
               "Ændringer: succeskriterier og aktivitetsmål, hvis status er en anden end året før. "
               f"Kræver beslutning, når {esc(rules)}.</small></p>")
    out.append("</div>")
    return "".join(out), items
