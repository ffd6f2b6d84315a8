"""The plan period at a glance, the report modes and the board summary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest

from evaluering.yearly.board import board_items, board_summary, load_rules
from evaluering.yearly.period import (AreaPeriod, check_mode, default_mode, midpoint_year, period_rows,
                                      period_table, period_years)

from reporting_helpers import ROOT


class _Plan:
    def __init__(self, start, end):
        self.start, self.end, self.id = start, end, "p"


@pytest.mark.parametrize("start,end,expected", [
    # 1.2.2017-31.12.2020: the middle is 16.1.2019; 31.12.2018 is 16 days from it
    (dt.date(2017, 2, 1), dt.date(2020, 12, 31), {2017: "aarlig", 2018: "midtvejs", 2019: "aarlig", 2020: "slut", 2021: "slut"}),
    # 1.1.2019-31.12.2026: the middle is 1.1.2023, one day after 31.12.2022
    (dt.date(2019, 1, 1), dt.date(2026, 12, 31), {2021: "aarlig", 2022: "midtvejs", 2023: "aarlig", 2026: "slut"}),
])
def test_default_mode_follows_the_stated_rule(start, end, expected):
    plan = _Plan(start, end)
    assert {y: default_mode(plan, y) for y in expected} == expected


def test_mode_given_wins_and_unknown_mode_is_an_error():
    from evaluering.errors import ReportError

    plan = _Plan(dt.date(2017, 2, 1), dt.date(2020, 12, 31))
    assert check_mode("slut", plan, 2018) == "slut" and check_mode("", plan, 2018) == "midtvejs"
    with pytest.raises(ReportError):
        check_mode("halvvejs", plan, 2018)
    assert midpoint_year(plan) == 2018 and period_years(plan, 2019) == [2017, 2018, 2019]


@pytest.fixture(scope="module")
def report():
    from evaluering.yearly import YearlyReport

    if not (ROOT / "data" / "processed" / "cells.parquet").is_file():
        pytest.skip("no count cells: run `evaluering build`")
    return YearlyReport.load("aalborg-oest", 2020, project_root=str(ROOT))


def test_every_year_is_judged_by_the_engine(report):
    """The period's statuses are those of evaluate() run for that year on its own."""
    from evaluering.evaluation import evaluate

    area = report.areas[0]
    assert area.years == (2017, 2018, 2019, 2020)
    for y in (2017, 2019):
        # the bundled plan has four delaftaler: the first area is the first delaftale
        own = evaluate(report.plan, y, cells=report.cells, published=report.published, logs=report.logs).focus_areas[0]
        assert list(area.criteria[y]["status"]) == list(own.criteria["status"])
        assert list(area.evaluations[y].activities["status"]) == list(own.activities["status"])
    rows = period_rows(report.areas)
    n_items = sum(len(a.criteria[2020]) + len(a.current.activities) for a in report.areas)
    assert len(report.areas) == len(report.plan.focus_areas)
    assert len(rows) == 4 * n_items
    html = period_table(report.areas, "slut")
    for r in rows:
        assert f"{r['id']}: " in html
    assert "<th>2017</th>" in html and "<th>2020</th>" in html and "Hele perioden" in html


def test_goal_tally_counts_the_years_met(report):
    """A1.1 (6 meetings a year): the log has 5 meetings in 2017 and 6 in each later year."""
    meetings = report.logs["meetings"]
    per_year = meetings["date"].dt.year.value_counts().to_dict()
    met = sum(per_year.get(y, 0) >= 6 for y in (2017, 2018, 2019, 2020))
    html = period_table(report.areas)
    row = re.search(r"A1\.1: .*?</tr>", html, flags=re.S).group(0)
    assert f"opfyldt {met} af 4 år" in row


def _area(name: str, statuses: dict[int, dict[str, str]], goals: dict[int, dict[str, str]], budget=None) -> AreaPeriod:
    """A hand-made focus area: criterion and goal statuses per year."""
    evaluations, criteria = {}, {}
    years = sorted(statuses)

    class Ev:
        pass

    for y in years:
        crit = pd.DataFrame([{"id": cid, "kind": "absolute", "title": f"kriterium {cid}", "unit": "antal",
                              "observed_value": 10.0, "target_value": 8.0, "target_year": years[-1],
                              "observed_reason": None, "status": st} for cid, st in statuses[y].items()])
        act = pd.DataFrame([{"goal": gid, "activity": gid.split(".")[0], "activity_name": "aktivitet",
                             "title": f"mål {gid}", "metric": "meetings_held", "kind": "absolute", "target": 6.0,
                             "observed": 4.0, "unit": "møder", "n": float("nan"), "status": st}
                            for gid, st in goals[y].items()])
        ev = Ev()
        ev.activities, ev.budget, ev.example_logs = act, budget or {}, False
        evaluations[y], criteria[y] = ev, crit
    return AreaPeriod(name=name, year=years[-1], years=tuple(years), evaluations=evaluations, criteria=criteria)


def test_board_rules_changes_and_goals_not_met_over_several_areas():
    a = _area("Kriminalitetsforebyggelse", {2019: {"K1": "på rette vej"}, 2020: {"K1": "ikke på rette vej"}},
              {2019: {"A1.1": "ikke opfyldt"}, 2020: {"A1.1": "ikke opfyldt"}})
    b = _area("Beskæftigelse", {2019: {"B1": "mangler data"}, 2020: {"B1": "mangler data"}},
              {2019: {"B2.1": "opfyldt"}, 2020: {"B2.1": "opfyldt"}},
              budget={"flag": True, "computed_total_kr": 1008000, "stated_total_kr": 1107000})
    items = board_items([a, b])
    rules = {(d["area"], d["rule"]) for d in items["decisions"]}
    assert rules == {("Kriminalitetsforebyggelse", "criterion_behind"), ("Kriminalitetsforebyggelse", "goal_missed_twice"),
                     ("Beskæftigelse", "criterion_no_data"), ("Beskæftigelse", "budget_gap")}
    assert [(c["id"], c["from"], c["to"]) for c in items["changes"]] == [("K1", "på rette vej", "ikke på rette vej")]
    assert [g["id"] for g in items["goals_not_met"]] == ["A1.1"]
    html, _ = board_summary([a, b], "aarlig")
    # both areas are named; the rules are stated under the lists
    assert "Kriminalitetsforebyggelse: K1" in html and "Beskæftigelse: B1" in html
    for rule in load_rules():
        assert rule["rule"] in html
    assert "1.008.000 kr." in html and "Status 2019" in html


def test_first_year_has_no_changes_and_a_single_area_is_not_prefixed():
    a = _area("Kriminalitetsforebyggelse", {2017: {"K1": "på rette vej"}}, {2017: {"A1.1": "opfyldt"}})
    html, items = board_summary([a], "aarlig")
    assert items["changes"] == [] and "Første år i planperioden" in html
    assert "Kriminalitetsforebyggelse: K1" not in html


def test_midway_mode_report_of_2018(report):
    from evaluering.yearly import YearlyReport

    mid = YearlyReport.load("aalborg-oest", 2018, project_root=str(ROOT))
    assert mid.mode == "midtvejs"
    header = str(mid.header())
    assert "<h1>Midtvejsevaluering 2017–2018:" in header
    board = str(mid.board())
    assert "de første 2 år af planperioden" in board
    assert mid.payload["period"]["years"] == [2017, 2018] if "period" in mid.payload else True
    period = str(mid.period())
    assert "<th>2018</th>" in period and "<th>2019</th>" not in period and "Perioden indtil nu" in period
    annual = YearlyReport.load("aalborg-oest", 2018, project_root=str(ROOT), mode="aarlig")
    assert "<h1>Årsrapport 2018:" in str(annual.header())
