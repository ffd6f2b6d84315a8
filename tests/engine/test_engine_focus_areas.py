"""Focus areas as data, the whole-plan evaluation, the plan-level report and the controls."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from evaluering.domain.focus import PERIODS, load_focus_areas
from evaluering.evaluation import evaluate
from evaluering.plan import load_plan

from engine_helpers import cell, cells

FIFTH = """id: groen_omstilling
name_da: Grøn omstilling
period: "2019-26"
example: true
shown_indicators: [affaldssortering]
effect_outcome: {indicator: affaldssortering, label_da: andel husstande der sorterer affald,
                 title_da: "Event study: affaldssortering", weight_da: antallet af husstande}
texts: {intro: Indsatsområdet måles på affaldssorteringen., sources: Boligorganisationens affaldsdata.}
indicators:
  affaldssortering:
    label_da: Andel husstande der sorterer affald
    measure: sorterer_affald
    age_band: alle
    distribution: binomial
    scale: 100
    lower_is_better: false
log_kinds:
  affaldsvaerksted:
    label_da: Affaldsværksteder
    date_column: date
    columns:
      - {name: date, header_da: Dato, type: date}
      - {name: participants, header_da: Deltagere, type: int}
"""

PLAN = """id: groen
name: Grøn plan
municipality: {code: "851", name: Aalborg Kommune}
period: {start: 2019-01-01, end: 2022-12-31}
estates: [{id: G1}, {id: G2}]
data: {cells: CELLS, synthetic: true}
focus_areas:
  - focus_area: Grøn omstilling
    example: true
    criteria:
      - {id: G1, kind: relative_change, title: Sorteringen stiger 20 %, indicator: affaldssortering,
         level: plan, baseline: {year: 2019}, target: {year: 2022, change_pct: 20}}
    activities:
      - id: A1
        name: Affaldsværksteder
        log: affaldsvaerksted
        goals:
          - {id: A1.1, title: 4 værksteder om året, metric: count_rows, kind: absolute, target: 4}
          - {id: A1.2, title: 60 deltagere, metric: sum_column, column: participants, kind: absolute, target: 60}
    logs: {affaldsvaerksted: LOG}
    budget:
      financing: [{source: Landsbyggefonden, amount_kr: 300000}, {source: Lokal medfinansiering, amount_kr: 100000}]
"""


def _fifth(tmp_path):
    plans = tmp_path / "plans"
    (plans / "focus_areas").mkdir(parents=True)
    (plans / "focus_areas" / "groen_omstilling.yaml").write_text(FIFTH, encoding="utf-8")
    log = tmp_path / "vaerksted.csv"
    log.write_text("Dato;Deltagere\n10.03.2020;20\n12.05.2020;15\n01.09.2020;18\n03.11.2020;11\n"
                   "05.02.2019;9\n", encoding="utf-8")
    rows = []
    for y, (k1, k2) in {2019: (40, 50), 2020: (50, 55), 2021: (55, 60)}.items():
        rows += [cell("estate", "G1", y, "sorterer_affald", k1, 100, age="alle"),
                 cell("estate", "G2", y, "sorterer_affald", k2, 100, age="alle"),
                 cell("estate", "C1", y, "sorterer_affald", 40 + (y - 2019), 100, age="alle")]
    c = cells(rows)
    cells_file = tmp_path / "cells.parquet"
    c.to_parquet(cells_file)
    (plans / "groen.yaml").write_text(PLAN.replace("CELLS", str(cells_file)).replace("LOG", str(log)),
                                      encoding="utf-8")
    return plans, c


def test_eight_focus_areas_of_both_periods_are_data():
    areas = load_focus_areas()
    names = {a.period: set() for a in areas.values()}
    for a in areas.values():
        names[a.period].add(a.name_da)
    assert names[PERIODS[0]] == {"Tryghed og trivsel", "Kriminalpræventiv indsats", "Uddannelse og beskæftigelse",
                                 "Forebyggelse og forældreansvar"}
    assert names[PERIODS[1]] == {"Uddannelse og livschancer", "Beskæftigelse", "Kriminalitetsforebyggelse",
                                 "Sammenhængskraft og medborgerskab"}
    from evaluering.catalogue import builtin_catalogue

    cat = builtin_catalogue()
    for a in areas.values():   # every shown indicator and effect outcome is in the catalogue
        assert set(a.shown_indicators) <= set(cat), a.id
        assert a.effect_outcome["indicator"] in cat, a.id


def test_builtin_log_kinds_list_the_readers_headers():
    from evaluering.sources.logs import LOG_SCHEMAS

    for a in load_focus_areas().values():
        for k in a.log_kinds:
            if k.builtin:
                assert list(k.headers_da) == [c.header for c in LOG_SCHEMAS[k.id].columns], (a.id, k.id)


def test_a_fifth_focus_area_from_data_files_only(tmp_path):
    plans, c = _fifth(tmp_path)
    plan = load_plan(plans / "groen.yaml")
    ev = evaluate(plan, 2020, cells=c)
    area = ev.focus_areas[0]
    assert area.focus_area.id == "groen_omstilling"
    crit = area.criteria.set_index("id")
    # baseline 2019: (40 + 50) / 200 = 45 %; target +20 % = 54 %; observed 2020: 105 / 200 = 52,5 %
    assert crit.loc["G1", "baseline_value"] == pytest.approx(45.0)
    assert crit.loc["G1", "target_value"] == pytest.approx(54.0)
    assert crit.loc["G1", "observed_value"] == pytest.approx(52.5)
    act = area.activities.set_index("goal")
    assert act.loc["A1.1", "observed"] == 4 and act.loc["A1.1", "status"] == "opfyldt"
    assert act.loc["A1.2", "observed"] == 20 + 15 + 18 + 11 and act.loc["A1.2", "status"] == "opfyldt"
    # the report: board summary and the focus area's section, with its own texts and effect
    from evaluering.published import Published
    from evaluering.yearly.plan_view import PlanReport
    from evaluering.yearly.report import YearlyReport

    base = YearlyReport(plan=plan, year=2020, cells=c, published=Published.empty(), project_root=tmp_path)
    report = PlanReport(base=base)
    summary = report.board().html
    assert "Grøn omstilling" in summary and "G1" in summary
    section = report.focus_area_sections().html
    assert "Indsatsområdet måles på affaldssorteringen." in section
    assert "Andel husstande der sorterer affald" in section
    assert report.payload["focus_areas"][0]["effect"]["available"] is True
    assert report.payload["focus_areas"][0]["effect"]["comparison_estates"] == ["C1"]
    att = report.payload["focus_areas"][0]["effect"]["att"]["att"]
    from evaluering import fmt

    assert fmt.signed(100 * att, 2) in report.effects().html     # the overview shows each area's estimate
    for html in (summary, report.plan_budget().html, report.area_criteria().html):
        assert "&amp;" not in html and "&lt;b&gt;" not in html    # table cells escaped once
    assert "&gt; 40" in report.area_criteria().html


def test_single_area_file_keeps_working_and_its_fields(tmp_path):
    from engine_helpers import PLAN_FILE

    text = PLAN_FILE.read_text(encoding="utf-8")
    f = tmp_path / "single.yaml"
    f.write_text("id: single\nname: Én delaftale\nfocus_area: Beskæftigelse\n"
                 "municipality: {code: '851', name: Aalborg Kommune}\nperiod: {start: 2019-01-01, end: 2022-12-31}\n"
                 "estates: [{id: S1}]\ncriteria:\n  - {id: B1, kind: absolute, indicator: beskaeftigelse_16_64,"
                 " level: plan, target: {year: 2020, value: 60}}\nbudget:\n  financing: [{source: Landsbyggefonden,"
                 " amount_kr: 750}, {source: Kommune, amount_kr: 250}]\n", encoding="utf-8")
    del text
    plan = load_plan(f)
    c = cells([cell("estate", "S1", 2020, "beskaeftigede", 610, 1000, age="16-64")])
    ev = evaluate(plan, 2020, cells=c, logs={})
    assert ev.single and len(ev.focus_areas) == 1
    d = ev.to_dict()
    assert d["criteria"][0]["id"] == "B1" and d["criteria"][0]["observed_value"] == pytest.approx(61.0)
    assert d["budget"]["computed_total_kr"] == 1000          # the delaftale's budget, as before
    assert d["focus_areas"][0]["criteria"][0]["status"] == "opfyldt"
    assert d["plan_budget"]["local_share_ok"] is None       # one delaftale: the plan-wide rule is not decided
    json.dumps(d)


def test_plan_budget_checks_25_pct_of_the_plan_as_a_whole(tmp_path):
    plans, c = _fifth(tmp_path)
    text = (plans / "groen.yaml").read_text(encoding="utf-8").replace("amount_kr: 100000", "amount_kr: 99000")
    (plans / "groen.yaml").write_text(text, encoding="utf-8")
    ev = evaluate(load_plan(plans / "groen.yaml"), 2020, cells=c)
    assert ev.plan_budget["local_share_pct"] == pytest.approx(100 * 99000 / 399000)   # 24,8 %
    assert ev.plan_budget["local_share_ok"] is False
    assert "IKKE opfyldt" in ev.plan_budget["local_share_note"]


def test_effect_uses_own_controls_not_another_plans_treated_estates(tmp_path):
    plans, c = _fifth(tmp_path)
    # a second plan treats estate X1: it must not be a control of 'groen'
    (plans / "other.yaml").write_text("id: other\nname: Anden\nmunicipality: {code: '851'}\n"
                                      "period: {start: 2019-01-01, end: 2022-12-31}\nestates: [{id: X1}]\n",
                                      encoding="utf-8")
    extra = cells([cell("estate", "X1", y, "sorterer_affald", 90, 100, age="alle") for y in (2019, 2020, 2021)])
    both = pd.concat([c, extra], ignore_index=True)
    from evaluering.effect_controls import comparison_estates

    plan = load_plan(plans / "groen.yaml").for_focus_area(0)
    ids, note = comparison_estates(plan, both)
    assert ids == ["C1"] and "andre planers" in note


def test_plan_without_estate_cells_says_so(tmp_path):
    plans, c = _fifth(tmp_path)
    from evaluering.published import Published
    from evaluering.yearly.plan_view import PlanReport
    from evaluering.yearly.report import YearlyReport

    other = c[~c["area"].isin(["G1", "G2"])].reset_index(drop=True)   # only the control estate left
    plan = load_plan(plans / "groen.yaml")
    report = PlanReport(base=YearlyReport(plan=plan, year=2020, cells=other, published=Published.empty(),
                                          project_root=tmp_path))
    html = report.focus_area_sections().html
    assert "ingen tælleceller for planens egne afdelinger" in html
    assert report.payload["focus_areas"][0]["effect"] == {"available": False, "reason": "no_estate_cells",
                                                         "outcome": "affaldssortering"}


def test_two_year_pooled_and_mean_indicators_by_hand():
    from evaluering.catalogue import get_indicator
    from evaluering.indicators import indicator_series

    rows = [cell("plan", "p", 2019, "uden_for_arbejde_uddannelse", 300, 1000, age="18-64"),
            cell("plan", "p", 2020, "uden_for_arbejde_uddannelse", 500, 1000, age="18-64")]
    s = indicator_series(cells(rows), get_indicator("uden_for_arbejde_uddannelse_18_64"))
    assert s["year"].tolist() == [2020]
    assert s["value"].iloc[0] == pytest.approx(100 * 800 / 2000)
    # mean income: 3 persons 100, 200, 300 tkr.: mean 200.000, sd 100.000, t(2) interval
    inc = [cell("plan", "p", 2020, "bruttoindkomst", 600_000, 3, age="15-64"),
           cell("plan", "p", 2020, "bruttoindkomst_kvadratsum", (100_000**2 + 200_000**2 + 300_000**2) // 1000, 3,
                age="15-64")]
    m = indicator_series(cells(inc), get_indicator("bruttoindkomst_15_64"))
    from scipy import stats

    half = stats.t.ppf(0.975, 2) * 100_000 / 3 ** 0.5
    assert m["value"].iloc[0] == pytest.approx(200_000)
    assert m["lower"].iloc[0] == pytest.approx(200_000 - half)
    assert m["upper"].iloc[0] == pytest.approx(200_000 + half)


def test_survey_gives_exact_sampling_intervals(tmp_path):
    from evaluering.intervals import clopper_pearson
    from evaluering.sources.survey import read_survey, survey_cells

    f = tmp_path / "s.csv"
    f.write_text("År;Område;Spørgsmål;Antal svar;Andel positive (%)\n2020;groen;Tryghed;200;70\n", encoding="utf-8")
    plans, _ = _fifth(tmp_path)
    plan = load_plan(plans / "groen.yaml")
    sc = survey_cells(read_survey(f), plan)
    assert sc[["measure", "numerator", "denominator"]].values.tolist() == [["survey_tryghed", 140, 200]]
    from evaluering.catalogue import get_indicator
    from evaluering.indicators import indicator_series

    s = indicator_series(sc, get_indicator("tryghed"))
    lo, hi = clopper_pearson(140, 200)
    assert s["lower"].iloc[0] == pytest.approx(100 * lo) and s["upper"].iloc[0] == pytest.approx(100 * hi)


def test_bundled_plans_have_their_delaftaler():
    from engine_helpers import ROOT

    got = {}
    for pid in ("aalborg-oest", "hvidovre-syd", "kolding-nord"):
        p = load_plan(ROOT / "data" / "raw" / "plans" / f"{pid}.yaml")
        got[pid] = [(s.name_da, s.period) for s in p.focus_area_specs()]
        assert p.data.get("synthetic") is True
    assert [n for n, _ in got["aalborg-oest"]] == ["Kriminalpræventiv indsats", "Tryghed og trivsel",
                                                   "Uddannelse og beskæftigelse", "Forebyggelse og forældreansvar"]
    assert {per for _, per in got["kolding-nord"]} == {"2019-26"}
    assert {per for _, per in got["hvidovre-syd"]} == {"2015-18"}


def test_unknown_focus_area_is_a_located_plan_error_in_validate(tmp_path, capsys):
    from evaluering.cli import main

    plans, _ = _fifth(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text((plans / "groen.yaml").read_text(encoding="utf-8").replace(
        "focus_area: Grøn omstilling", "focus_area: Blå omstilling"), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr()
    line = [ln for ln in (err.out + err.err).splitlines() if "bad.yaml" in ln][0]
    row = bad.read_text(encoding="utf-8").splitlines().index("  - focus_area: Blå omstilling") + 1
    assert f"bad.yaml:{row}:focus_areas.0.focus_area: " in line
    assert ("ukendt indsatsområde 'Blå omstilling'" in line or "unknown focus area 'Blå omstilling'" in line)


def test_unknown_key_in_a_delaftale_names_it(tmp_path):
    from evaluering.errors import PlanError

    plans, _ = _fifth(tmp_path)
    f = plans / "groen.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("    example: true\n", "    exampel: true\n"),
                 encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(f).focus_areas
    assert "focus_areas.0.exampel" in str(err.value) and "unknown key 'exampel'" in str(err.value)
