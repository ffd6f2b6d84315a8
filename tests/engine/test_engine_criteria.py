"""Success criteria: the delaftale's K1-K3 from the bundled inputs, statuses, intervals."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from evaluering.catalogue import load_catalogue
from evaluering.criteria import evaluate_criteria, linear_path
from evaluering.errors import PlanError
from evaluering.indicators import indicator_series, ssp_cells, with_published
from evaluering.published import load_published

from engine_helpers import PLAN_FILE, PUBLISHED, cell, cells, example_logs, plan, raw_rows


def _series(p, rows, logs=None):
    cat = load_catalogue(p)
    c = cells(rows) if rows else cells([cell("country", "DK", 2000, "x", 0, 1)])
    if logs is not None:
        sc, _ = ssp_cells(logs["ssp"], p)
        c = pd.concat([c, sc], ignore_index=True)
    pub = load_published(PUBLISHED)
    return {i: with_published(indicator_series(c, ind, p), pub, ind, p) for i, ind in cat.items()}, cat


def _k(p, year, rows, logs=None, cid="K1"):
    series, cat = _series(p, rows, logs)
    crit = evaluate_criteria(p, year, series, cat, logs["milestones"] if logs else None)
    return crit.set_index("id").loc[cid]


def test_k1_baseline_target_from_the_source_document():
    p = plan()
    k1 = _k(p, 2020, [cell("plan", "aalborg-oest", 2020, "sigtet_mistaenkt", 18, 600)])
    assert k1["baseline_year"] == 2015 and k1["baseline_value"] == 4.2 and k1["baseline_count"] == 24
    assert k1["baseline_denominator"] == 571 and k1["baseline_derived"]
    assert k1["target_year"] == 2020 and k1["target_value"] == 3.15        # 4.2 x (1 - 0.25)
    assert k1["comparison_baseline_value"] == 0.8                            # Aalborg Kommune 2015
    assert k1["printed_baseline_value"] == 4.2 and not k1["printed_baseline_flag"]
    assert k1["observed_value"] == pytest.approx(3.0) and k1["status"] == "opfyldt"
    # the change 24/571 -> 18/600 is not distinguishable from no change
    ref = confint_proportions_2indep(18, 600, 24, 571, method="newcomb", compare="diff")
    assert (k1["difference_lower"], k1["difference_upper"]) == pytest.approx((100 * ref[0], 100 * ref[1]))
    assert k1["difference"] == pytest.approx(100 * (18 / 600 - 24 / 571))
    assert k1["significant"] is False or k1["significant"] == False  # noqa: E712
    assert "571" in k1["note"] and "565-578" in k1["note"]


def test_linear_path_values():
    # 4.2 -> 3.15 over 2015-2020: 0.21 a year
    assert [linear_path(4.2, 3.15, 2015, 2020, y) for y in range(2015, 2021)] == \
        [4.2, 3.99, 3.78, 3.57, 3.36, 3.15]
    assert linear_path(4.2, 3.15, 2015, 2020, 2022) == 3.15
    assert pd.isna(linear_path(4.2, 3.15, 2015, 2020, 2014))


@pytest.mark.parametrize("year,k,n,status", [
    (2018, 20, 600, "på rette vej"),        # 3.33 % <= path 3.57 %
    (2018, 24, 571, "ikke på rette vej"),   # 4.20 % > 3.57 %
    (2020, 20, 600, "ikke opfyldt"),        # 3.33 % > 3.15 %
    (2020, 9, 648, "opfyldt"),
    (2014, 5, 100, "mangler data"),         # before the baseline year
])
def test_k1_status_rules(year, k, n, status):
    k1 = _k(plan(), year, [cell("plan", "aalborg-oest", year, "sigtet_mistaenkt", k, n)])
    assert k1["status"] == status


def test_k1_missing_observation():
    k1 = _k(plan(), 2019, [cell("plan", "aalborg-oest", 2018, "sigtet_mistaenkt", 20, 600)])
    assert k1["status"] == "mangler data" and pd.isna(k1["observed_value"]) and "2019" in k1["note"]
    assert k1["significant"] is None


def test_k1_significant_large_fall():
    k1 = _k(plan(), 2020, [cell("plan", "aalborg-oest", 2020, "sigtet_mistaenkt", 9, 648)])
    assert k1["significant"] == True  # noqa: E712
    assert k1["ratio_upper"] < 1


def test_k2_from_the_example_ssp_log():
    p = plan()
    logs = example_logs(p)
    by_year = {}
    for r in raw_rows("ssp_sager.csv"):
        if int(r["Niveau"]) in (1, 2):
            by_year[int(r["År"])] = by_year.get(int(r["År"]), 0) + int(r["Antal sager"])
    k2 = _k(p, 2020, [], logs, "K2")
    assert k2["baseline_year"] == 2017 and k2["baseline_value"] == by_year[2017]
    assert k2["target_value"] == pytest.approx(by_year[2017] * 0.8)
    assert k2["observed_value"] == by_year[2020]
    expected = "opfyldt" if by_year[2020] <= by_year[2017] * 0.8 else "ikke opfyldt"
    assert k2["status"] == expected
    # exact conditional interval of the ratio, computed here with scipy
    ci = stats.binomtest(by_year[2020], by_year[2020] + by_year[2017], 0.5).proportion_ci(method="exact")
    assert k2["ratio_lower"] == pytest.approx(ci.low / (1 - ci.low))
    assert k2["ratio_upper"] == pytest.approx(ci.high / (1 - ci.high))
    assert k2["significant"] == (not (k2["ratio_lower"] <= 1 <= k2["ratio_upper"]))
    k2_2018 = _k(p, 2018, [], logs, "K2")
    path = linear_path(by_year[2017], by_year[2017] * 0.8, 2017, 2020, 2018)
    assert k2_2018["path_value"] == pytest.approx(path)
    assert k2_2018["status"] == ("på rette vej" if by_year[2018] <= path else "ikke på rette vej")


@pytest.mark.parametrize("year,k3,k3b", [
    (2017, "mangler data", "mangler data"),
    (2018, "opfyldt", "mangler data"),
    (2019, "opfyldt", "mangler data"),
    (2020, "opfyldt", "ikke opfyldt"),     # only "delvist" by the deadline
])
def test_k3_milestones_from_the_log(year, k3, k3b):
    p = plan()
    logs = example_logs(p)
    assert _k(p, year, [], logs, "K3")["status"] == k3
    assert _k(p, year, [], logs, "K3b")["status"] == k3b


def test_milestone_partial_before_due_is_on_track_and_late_is_not_met():
    p = plan()
    ms = pd.DataFrame({"criterion": ["K3", "K3b", "K3b"],
                       "date": pd.to_datetime(["2019-02-01", "2019-05-01", "2020-06-01"]),
                       "status": ["opnået", "delvist", "opnået"], "evidence": ["r", "r", "r"]})
    series, cat = _series(p, [])
    crit = evaluate_criteria(p, 2019, series, cat, ms).set_index("id")
    assert crit.loc["K3", "status"] == "ikke opfyldt" and "efter fristen" in crit.loc["K3", "note"]
    assert crit.loc["K3b", "status"] == "på rette vej"
    crit = evaluate_criteria(p, 2020, series, cat, ms).set_index("id")
    assert crit.loc["K3b", "status"] == "opfyldt"


def _plan_with_criteria(tmp_path, criteria_yaml: str):
    from evaluering.plan import load_plan

    text = PLAN_FILE.read_text(encoding="utf-8")
    start = text.index("    criteria:\n")   # the first delaftale's (Kriminalpræventiv indsats)
    end = text.index("    # Aktiviteter")
    indented = "".join("    " + line if line.strip() else line for line in criteria_yaml.splitlines(True))
    f = tmp_path / "p.yaml"
    f.write_text(text[:start] + indented + text[end:], encoding="utf-8")
    return load_plan(f).for_focus_area(0)


def test_absolute_and_share_kinds(tmp_path):
    p = _plan_with_criteria(tmp_path, (
        "criteria:\n"
        "  - {id: A, kind: absolute, indicator: sigtelser_15plus, target: {year: 2020, value: 50}}\n"
        "  - {id: S, kind: share, indicator: andel_sigtede_10_17, level: plan,"
        " baseline: {year: 2015}, target: {year: 2020, pct: 3.0}}\n"))
    rows = [cell("plan", "aalborg-oest", 2019, "sigtelser", 45, 1000, age="15+"),
            cell("plan", "aalborg-oest", 2020, "sigtelser", 55, 1000, age="15+"),
            cell("plan", "aalborg-oest", 2020, "sigtet_mistaenkt", 17, 600)]
    series, cat = _series(p, rows)
    c19 = evaluate_criteria(p, 2019, series, cat).set_index("id")
    c20 = evaluate_criteria(p, 2020, series, cat).set_index("id")
    assert c19.loc["A", "status"] == "på rette vej" and c20.loc["A", "status"] == "ikke opfyldt"
    assert c20.loc["A", "target_value"] == 50
    assert c20.loc["S", "target_value"] == 3.0 and c20.loc["S", "status"] == "opfyldt"   # 2.83 %


def test_unknown_indicator_is_a_plan_error_with_line(tmp_path):
    p = _plan_with_criteria(tmp_path, "criteria:\n  - id: X\n    kind: absolute\n    indicator: nope\n"
                                      "    target: {year: 2020, value: 1}\n")
    series, cat = _series(p, [])
    with pytest.raises(PlanError) as err:
        evaluate_criteria(p, 2020, series, cat)
    text = PLAN_FILE.read_text(encoding="utf-8")
    line = text[:text.index("    criteria:\n")].count("\n") + 4
    assert f"p.yaml:{line}:focus_areas.0.criteria.0.indicator: unknown indicator 'nope'" in str(err.value)
