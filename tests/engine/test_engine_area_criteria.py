"""Almenboligloven § 61 a/b area criteria: hand calculations and the law's boundaries."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from evaluering.area_criteria import classify_area, load_rules


def c(level, area, year, measure, age, num, den):
    return {"level": level, "area": area, "year": year, "age_band": age, "sex": "all", "measure": measure,
            "numerator": num, "denominator": den, "source": "test", "synthetic": True}


def area_cells(year=2020, outside=(410, 1000, 430, 1000), convicted=(30, 900, 33, 900),
               national=(1000, 100000, 1000, 100000), grundskole=(550, 1000), income=(200_000_000, 1000),
               region_income=(400_000_000_000, 1_000_000), nonwestern=(640, 1200), residents=1200,
               estates=False):
    """Cells of one area 'p' in ``year`` and the year before (2-year criteria)."""
    lv = "plan"
    rows = [c(lv, "p", year, "beboere", "alle", residents, residents),
            c(lv, "p", year, "kun_grundskole", "30-59", *grundskole),
            c(lv, "p", year, "bruttoindkomst", "15-64", *income),
            c("region", "1081", year, "bruttoindkomst", "15-64", *region_income),
            c(lv, "p", year, "ikke_vestlige", "alle", *nonwestern)]
    for k, y in enumerate((year - 1, year)):
        rows += [c(lv, "p", y, "uden_for_arbejde_uddannelse", "18-64", *outside[2 * k:2 * k + 2]),
                 c(lv, "p", y, "domfaeldte", "18+", *convicted[2 * k:2 * k + 2]),
                 c("country", "DK", y, "domfaeldte", "18+", *national[2 * k:2 * k + 2])]
    return pd.DataFrame(rows)


def by_id(res):
    return {x["id"]: x for x in res["criteria"]}


def test_hand_calculation_of_the_four_criteria_and_the_status():
    res = classify_area(area_cells(), "p", 2020, region="1081")
    crit = by_id(res)
    # 1: (410 + 430) / (1000 + 1000) = 42 % > 40 %  (2-year pooled)
    assert crit["uden_for_arbejde_uddannelse"]["value"] == pytest.approx(42.0)
    assert crit["uden_for_arbejde_uddannelse"]["met"] is True
    assert crit["uden_for_arbejde_uddannelse"]["distance"] == pytest.approx(2.0)
    # 2: (63 / 1800) / (2000 / 200000) = 0.035 / 0.01 = 3.5 x >= 3
    assert crit["domfaeldte"]["value"] == pytest.approx(3.5)
    assert crit["domfaeldte"]["met"] is True
    # 3: 550 / 1000 = 55 % (not > 60 %)
    assert crit["kun_grundskole"]["value"] == pytest.approx(55.0)
    assert crit["kun_grundskole"]["met"] is False
    # 4: 200.000 kr. / 400.000 kr. = 50 % < 55 %
    assert crit["bruttoindkomst"]["value"] == pytest.approx(50.0)
    assert crit["bruttoindkomst"]["met"] is True
    assert res["criteria_met"] == 3
    # non-Western 640 / 1200 = 53,3 % > 50 %: udsat + > 50 % = parallelsamfund
    assert res["non_western"]["value"] == pytest.approx(100 * 640 / 1200)
    assert res["statuses"]["udsat_boligomraade"] is True
    assert res["statuses"]["parallelsamfund"] is True
    assert res["statuses"]["forebyggelsesomraade"] is True
    # only one year of non-Western data: the 5-year rule cannot be decided, so not omdannelsesområde
    assert res["statuses"]["omdannelsesomraade"] is None
    assert res["status"] == "parallelsamfund"
    assert res["residents"] == 1200 and res["year"] == 2020
    json.dumps(res)   # JSON-safe


@pytest.mark.parametrize("num, met", [(400, False), (401, True)])
def test_outside_work_is_strictly_above_40_pct(num, met):
    # exactly 40,0 % over both years is not "overstiger 40 pct."
    res = classify_area(area_cells(outside=(num, 1000, num, 1000)), "p", 2020, region="1081")
    assert by_id(res)["uden_for_arbejde_uddannelse"]["value"] == pytest.approx(num / 10)
    assert by_id(res)["uden_for_arbejde_uddannelse"]["met"] is met
    # § 61 b: 30 % is passed either way
    assert by_id(res)["uden_for_arbejde_uddannelse"]["met_forebyggelse"] is True


@pytest.mark.parametrize("conv, met3, met2", [(27, True, True), (26, False, True), (18, False, True),
                                             (17, False, False)])
def test_convicted_is_at_least_3x_and_2x(conv, met3, met2):
    # national 1 %, area 900 persons a year: 27 + 27 of 1800 = 3,0 x exactly -> met ("mindst")
    res = classify_area(area_cells(convicted=(conv, 900, conv, 900)), "p", 2020, region="1081")
    d = by_id(res)["domfaeldte"]
    assert d["value"] == pytest.approx(conv / 900 / 0.01)
    assert d["met"] is met3
    assert d["met_forebyggelse"] is met2


@pytest.mark.parametrize("num, met", [(600, False), (601, True)])
def test_only_grundskole_strictly_above_60_pct(num, met):
    res = classify_area(area_cells(grundskole=(num, 1000)), "p", 2020, region="1081")
    assert by_id(res)["kun_grundskole"]["met"] is met


@pytest.mark.parametrize("income, met55, met65", [(220_000_000, False, True), (219_999_000, True, True),
                                                  (260_000_000, False, False), (259_999_000, False, True)])
def test_income_strictly_below_55_and_65_pct(income, met55, met65):
    # region mean 400.000 kr.: exactly 55 % (220.000 kr.) is not "mindre end 55 pct."
    res = classify_area(area_cells(income=(income, 1000)), "p", 2020, region="1081")
    d = by_id(res)["bruttoindkomst"]
    assert d["value"] == pytest.approx(income / 1000 / 400_000 * 100)
    assert d["met"] is met55
    assert d["met_forebyggelse"] is met65


@pytest.mark.parametrize("nw, parallel, fore", [(600, False, True), (601, True, True), (360, False, False),
                                                (361, False, True)])
def test_non_western_strictly_above_50_and_30_pct(nw, parallel, fore):
    res = classify_area(area_cells(nonwestern=(nw, 1200 if nw > 500 else 1200)), "p", 2020, region="1081")
    v = 100 * nw / 1200
    assert res["non_western"]["value"] == pytest.approx(v)
    assert res["statuses"]["parallelsamfund"] is parallel
    assert res["statuses"]["forebyggelsesomraade"] is fore


def test_fewer_than_1000_residents_is_not_listed():
    res = classify_area(area_cells(residents=999), "p", 2020, region="1081")
    assert res["eligible"] is False
    assert res["statuses"]["udsat_boligomraade"] is False
    assert res["status"].startswith("ikke omfattet")
    res = classify_area(area_cells(residents=1000), "p", 2020, region="1081")
    assert res["eligible"] is True and res["status"] == "parallelsamfund"


def test_area_from_its_estates_is_the_ratio_of_sums():
    # two estates: 300/500 and 120/500 outside both years -> 42 %, not the mean of rates
    base = area_cells()
    base = base[~((base["level"] == "plan") & (base["measure"] == "uden_for_arbejde_uddannelse"))]
    extra = []
    for y in (2019, 2020):
        extra += [c("estate", "E1", y, "uden_for_arbejde_uddannelse", "18-64", 300, 400),
                  c("estate", "E2", y, "uden_for_arbejde_uddannelse", "18-64", 120, 600)]
    res = classify_area(pd.concat([base, pd.DataFrame(extra)]), "p", 2020, estates=["E1", "E2"], region="1081")
    assert by_id(res)["uden_for_arbejde_uddannelse"]["value"] == pytest.approx(100 * 840 / 2000)
    # the mean of the two estates' rates would be 47,5 %
    assert by_id(res)["uden_for_arbejde_uddannelse"]["value"] != pytest.approx(47.5)


def test_omdannelsesomraade_after_five_years_and_trend_leave_year():
    frames = []
    for y in range(2016, 2021):
        # non-Western falls 2 points a year from 60 %; outside work falls 1 point a year from 46 %
        d = area_cells(year=y, nonwestern=(round(12 * (60 - 2 * (y - 2016))), 1200),
                       outside=(460 - 10 * (y - 2016) + 10, 1000, 460 - 10 * (y - 2016), 1000))
        frames.append(d)
    cells = pd.concat(frames).drop_duplicates(["level", "area", "year", "age_band", "sex", "measure"], keep="last")
    res = classify_area(cells, "p", 2020, region="1081")
    assert res["statuses"]["omdannelsesomraade"] is True
    assert res["status"] == "omdannelsesområde"
    # non-Western in 2020: 52 %, falling 2 points a year -> 50 % in 2021 is not > 50 %: leaves 2021
    assert res["non_western"]["trend_per_year"] == pytest.approx(-2.0, abs=1e-6)
    assert res["leaves_list_year"] == 2021
    assert by_id(res)["uden_for_arbejde_uddannelse"]["trend_per_year"] == pytest.approx(-1.0, abs=1e-6)


def test_small_counts_are_withheld():
    res = classify_area(area_cells(convicted=(1, 900, 1, 900)), "p", 2020, region="1081")
    d = by_id(res)["domfaeldte"]
    assert d["value"] is None and d["reason"] == "< 3" and d["met"] is None


def test_rules_are_data_with_the_law_wording():
    rules = load_rules(2021)
    assert [x["threshold"]["udsat"] for x in rules["criteria"]] == [40, 3, 60, 55]
    assert [x["threshold"]["forebyggelse"] for x in rules["criteria"]] == [30, 2, 60, 65]
    assert [x["comparison"] for x in rules["criteria"]] == [">", ">=", ">", "<"]
    assert rules["statuses"]["omdannelse"]["years"] == 5
    assert "overstiger 40 pct." in rules["criteria"][0]["wording_da"]
    assert load_rules(2015)["applied_note"]


def test_cli_area_criteria_json(tmp_path, capsys):
    from evaluering.cli import main

    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "p.yaml").write_text(
        "id: p\nname: P\nmunicipality: {code: '851', name: Aalborg, region: '1081'}\n"
        "period: {start: 2017-01-01, end: 2020-12-31}\nestates: [{id: E1}]\nfocus_area: Beskæftigelse\n",
        encoding="utf-8")
    cells_file = tmp_path / "cells.csv"
    area_cells().to_csv(cells_file, index=False)
    assert main(["area-criteria", "--year", "2020", "--plans", str(plans), "--cells", str(cells_file),
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list) and out[0]["area"] == "p" and out[0]["year"] == 2020
    assert out[0]["residents"] == 1200 and out[0]["status"] == "parallelsamfund"
    assert [set(x) >= {"id", "value", "threshold", "met"} for x in out[0]["criteria"]] == [True] * 4
    assert out[0]["criteria"][0]["value"] == pytest.approx(42.0)
