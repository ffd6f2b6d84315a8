"""Indicators from cells: ratio of sums, pooling up the hierarchy, published precedence,
the catalogue and user-defined indicators."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from evaluering.catalogue import builtin_catalogue, get_indicator, load_catalogue
from evaluering.errors import PlanError
from evaluering.indicators import indicator_series, multi_year_average, ssp_cells, with_published
from evaluering.published import load_published

from engine_helpers import PLAN_FILE, PUBLISHED, cell, cells, plan


def test_builtin_catalogue_has_the_required_indicators():
    cat = builtin_catalogue()
    expected = {  # id: (measure, age band, scale, kind)
        "sigtelser_15plus": ("sigtelser", "15+", 1000, "rate"),
        "sigtede_15plus": ("sigtede", "15+", 1000, "share"),
        "afgoerelser_15plus": ("afgoerelser", "15+", 1000, "rate"),
        "andel_sigtede_10_17": ("sigtet_mistaenkt", "10-17", 100, "share"),
        "ssp_sager_niveau_1_2": ("ssp_sager_niveau_1_2", "alle", 1, "count"),
    }
    for ind_id, (measure, band, scale, kind) in expected.items():
        ind = cat[ind_id]
        assert (ind.measure, ind.age_band, ind.scale, ind.kind) == (measure, band, scale, kind)
        assert ind.lower_is_better and ind.label_da and ind.definition_da and ind.data_source
    d = cat["andel_sigtede_10_17"].definition_da
    assert "10-14" in d and "mistænkt" in d
    for law in ("straffeloven", "våbenloven", "euforiserende stoffer"):
        assert law in d


def test_rate_is_ratio_of_sums_over_sex_rows_not_mean_of_rates():
    rows = [cell("plan", "p", 2018, "sigtet_mistaenkt", 20, 200, sex="M"),
            cell("plan", "p", 2018, "sigtet_mistaenkt", 1, 100, sex="K")]
    s = indicator_series(cells(rows), get_indicator("andel_sigtede_10_17"))
    r = s.iloc[0]
    assert r["numerator"] == 21 and r["denominator"] == 300
    assert r["value"] == pytest.approx(7.0)            # 21 / 300, not (10 % + 1 %) / 2 = 5.5 %
    cp = proportion_confint(21, 300, method="beta")
    assert (r["lower"], r["upper"]) == pytest.approx((100 * cp[0], 100 * cp[1]))


def test_rate_per_1000_gets_garwood_interval():
    rows = [cell("estate", "AO-01", 2018, "sigtelser", 65, 1000, age="15+")]
    s = indicator_series(cells(rows), get_indicator("sigtelser_15plus"))
    lo, hi = confint_poisson(65, 1000, method="exact-c")
    assert s["value"].iloc[0] == pytest.approx(65.0)
    assert (s["lower"].iloc[0], s["upper"].iloc[0]) == pytest.approx((1000 * lo, 1000 * hi))
    assert s["method"].iloc[0].startswith("Garwood")


def _estate_cells(year=2018, skip=()):
    rows = []
    for i, e in enumerate(plan().estates):
        if e.id not in skip:
            rows.append(cell("estate", e.id, year, "sigtet_mistaenkt", i + 1, 50 + 10 * i))
    return rows


def test_pooling_estate_to_part_to_plan():
    p = plan()
    s = indicator_series(cells(_estate_cells()), get_indicator("andel_sigtede_10_17"), p)
    by = s.set_index(["level", "area"])
    # by hand: estates AO-01..05 (himmerland) numerators 1..5, denominators 50..90
    assert by.loc[("plan_part", "himmerland"), "numerator"] == 1 + 2 + 3 + 4 + 5
    assert by.loc[("plan_part", "himmerland"), "denominator"] == 50 + 60 + 70 + 80 + 90
    assert by.loc[("plan_part", "alabu-lejerbo"), "numerator"] == 6 + 7 + 8 + 9
    assert by.loc[("plan", "aalborg-oest"), "numerator"] == 45
    assert by.loc[("plan", "aalborg-oest"), "denominator"] == sum(50 + 10 * i for i in range(9))
    assert by.loc[("plan", "aalborg-oest"), "value"] == pytest.approx(100 * 45 / 810)
    assert by.loc[("plan", "aalborg-oest"), "pooled_from"] == "estate"


def test_no_pooling_when_an_estate_is_missing():
    p = plan()
    s = indicator_series(cells(_estate_cells(skip=("AO-02",))), get_indicator("andel_sigtede_10_17"), p)
    assert not ((s["level"] == "plan") | ((s["level"] == "plan_part") & (s["area"] == "himmerland"))).any()
    assert ((s["level"] == "plan_part") & (s["area"] == "alabu-lejerbo")).any()


def test_plan_pooled_from_parts_when_estates_absent():
    p = plan()
    rows = [cell("plan_part", "himmerland", 2018, "sigtelser", 60, 1000, age="15+"),
            cell("plan_part", "alabu-lejerbo", 2018, "sigtelser", 40, 1000, age="15+")]
    s = indicator_series(cells(rows), get_indicator("sigtelser_15plus"), p)
    r = s[s["level"] == "plan"].iloc[0]
    assert (r["numerator"], r["denominator"], r["value"], r["pooled_from"]) == (100, 2000, 50.0, "plan_part")


def test_direct_plan_cells_are_not_overwritten_by_pooling():
    p = plan()
    rows = _estate_cells() + [cell("plan", "aalborg-oest", 2018, "sigtet_mistaenkt", 7, 700)]
    s = indicator_series(cells(rows), get_indicator("andel_sigtede_10_17"), p)
    r = s[s["level"] == "plan"].iloc[0]
    assert (r["numerator"], r["denominator"], r["pooled_from"]) == (7, 700, "")


def test_published_takes_precedence_and_keeps_computed_value():
    p = plan()
    rows = [cell("plan", "aalborg-oest", 2015, "sigtet_mistaenkt", 25, 600),
            cell("plan", "aalborg-oest", 2016, "sigtet_mistaenkt", 20, 600)]
    ind = get_indicator("andel_sigtede_10_17")
    s = with_published(indicator_series(cells(rows), ind, p), load_published(PUBLISHED), ind, p)
    r15 = s[(s["level"] == "plan") & (s["year"] == 2015)].iloc[0]
    assert r15["value"] == 4.2 and r15["published"] and "Boligsociale Data" in r15["source"]
    assert r15["computed_value"] == pytest.approx(100 * 25 / 600)
    r16 = s[(s["level"] == "plan") & (s["year"] == 2016)].iloc[0]
    assert not r16["published"] and r16["source"] == "test" and r16["value"] == pytest.approx(100 * 20 / 600)
    assert s.duplicated(["level", "area", "year"]).sum() == 0


def test_multi_year_average_both_conventions():
    rows = [cell("plan", "p", 2012 + i, "sigtet_mistaenkt", k, n)
            for i, (k, n) in enumerate([(1, 100), (9, 100), (4, 400)])]
    s = indicator_series(cells(rows), get_indicator("andel_sigtede_10_17"))
    a = multi_year_average(s, "plan", "p", 2012, 2014, scale=100)
    assert a["mean_of_rates"] == pytest.approx((1 + 9 + 1) / 3)       # mean of 1 %, 9 %, 1 %
    assert a["pooled_rate"] == pytest.approx(100 * 14 / 600)           # 14 / 600
    incomplete = multi_year_average(s, "plan", "p", 2011, 2014, scale=100)
    assert not incomplete["complete"] and math.isnan(incomplete["mean_of_rates"])


def test_ssp_cells_sum_levels_1_and_2_and_skip_incomplete_years():
    p = plan()
    log = pd.DataFrame({"year": [2017] * 8 + [2018], "quarter": [1, 1, 2, 2, 3, 3, 4, 4, 1],
                        "area": ["AO-01"] * 9, "level": [1, 3, 2, 4, 1, 2, 1, 1, 1],
                        "cases": [2, 5, 1, 7, 3, 1, 2, 1, 4]})
    c, notes = ssp_cells(log, p)
    by = c.set_index(["level", "area"])["numerator"]
    assert by[("estate", "AO-01")] == 2 + 1 + 3 + 1 + 2 + 1     # levels 3-4 left out
    assert by[("plan_part", "himmerland")] == by[("plan", "aalborg-oest")] == 10
    assert c["denominator"].isna().all() and set(c["year"]) == {2017}
    assert any("2018" in n for n in notes)


def test_ssp_cases_logged_for_the_whole_plan_count_at_plan_level():
    p = plan()
    log = pd.DataFrame({"year": 2019, "quarter": [1, 2, 3, 4, 4, 2], "level": [1, 1, 2, 1, 2, 1],
                        "area": ["AO-01", "AO-06", "aalborg-oest", "alabu-lejerbo", "AO-09", "AO-02"],
                        "cases": [1, 2, 4, 8, 16, 32]})
    c, _ = ssp_cells(log, p)
    by = c.set_index(["level", "area"])["numerator"]
    assert by[("plan", "aalborg-oest")] == 63
    assert by[("plan_part", "himmerland")] == 1 + 32
    assert by[("plan_part", "alabu-lejerbo")] == 2 + 8 + 16
    assert by[("estate", "AO-09")] == 16


def test_user_indicator_from_plan_file(tmp_path):
    text = PLAN_FILE.read_text(encoding="utf-8") + (
        "indicators:\n"
        "  sigtede_10_17_pr_1000:\n"
        "    label_da: Sigtede 10-17-årige pr. 1.000\n"
        "    measure: sigtet_mistaenkt\n"
        "    age_band: \"10-17\"\n"
        "    distribution: binomial\n"
        "    scale: 1000\n"
        "  sigtelser_15plus:\n"
        "    decimals: 0\n")
    f = tmp_path / "plan.yaml"
    f.write_text(text, encoding="utf-8")
    from evaluering.plan import load_plan

    p = load_plan(f)
    cat = load_catalogue(p)
    assert cat["sigtede_10_17_pr_1000"].scale == 1000 and cat["sigtede_10_17_pr_1000"].kind == "share"
    assert cat["sigtelser_15plus"].decimals == 0 and cat["sigtelser_15plus"].measure == "sigtelser"
    s = indicator_series(cells([cell("plan", "aalborg-oest", 2018, "sigtet_mistaenkt", 12, 600)]),
                         cat["sigtede_10_17_pr_1000"], p)
    assert s["value"].iloc[0] == pytest.approx(20.0)


def test_bad_user_indicator_names_the_line(tmp_path):
    text = PLAN_FILE.read_text(encoding="utf-8")
    n = text.count("\n")
    f = tmp_path / "plan.yaml"
    f.write_text(text + "indicators:\n  x:\n    label_da: X\n    measure: m\n    age_band: all\n    scale: 7\n",
                 encoding="utf-8")
    from evaluering.plan import load_plan

    with pytest.raises(PlanError) as err:
        load_catalogue(load_plan(f))
    assert f"plan.yaml:{n + 6}:indicators.x.scale:" in str(err.value)


def test_vectorised_intervals_equal_the_scalar_functions():
    from evaluering import intervals as iv
    from evaluering.indicators import add_intervals

    grid = [(0, 1), (0, 7), (1, 1), (3, 3), (2, 9), (24, 571), (500, 1000), (1, 100000)]
    df = pd.DataFrame({"numerator": [k for k, _ in grid], "denominator": [n for _, n in grid]})
    share = add_intervals(df, get_indicator("andel_sigtede_10_17"))
    rate = add_intervals(df, get_indicator("sigtelser_15plus"))
    count = add_intervals(df.assign(denominator=float("nan")), get_indicator("ssp_sager_niveau_1_2"))
    for i, (k, n) in enumerate(grid):
        assert (share["lower"][i], share["upper"][i]) == pytest.approx(
            tuple(100 * x for x in iv.clopper_pearson(k, n)), abs=1e-9)
        assert (share["wilson_lower"][i], share["wilson_upper"][i]) == pytest.approx(
            tuple(100 * x for x in iv.wilson(k, n)), abs=1e-9)
        assert (rate["lower"][i], rate["upper"][i]) == pytest.approx(
            tuple(1000 * x for x in iv.poisson_rate(k, n)), rel=1e-9, abs=1e-12)
        assert (count["value"][i], count["lower"][i], count["upper"][i]) == pytest.approx(
            (k, *iv.garwood(k)), rel=1e-9, abs=1e-12)
    missing = add_intervals(pd.DataFrame({"numerator": [3.0], "denominator": [float("nan")]}),
                            get_indicator("andel_sigtede_10_17"))
    assert math.isnan(missing["value"][0]) and missing["method"][0] == ""


def test_shown_series_is_the_published_precedence_of_the_computed_series():
    """evaluate() builds each shown series in one pass: it must equal the two public steps,
    with or without cells, published values or replaced rows."""
    from evaluering.indicators import shown_series

    p = plan()
    rows = (_estate_cells(2015) + _estate_cells(2016, skip=("AO-03",))
            + [cell("plan", "aalborg-oest", 2015, "sigtet_mistaenkt", 25, 600),
               cell("municipality", "0851", 2013, "sigtet_mistaenkt", 70, 9000),
               cell("plan", "aalborg-oest", 2015, "sigtelser", 60, 1000, age="15+")])
    pub = load_published(PUBLISHED)
    for ind_id in ("andel_sigtede_10_17", "sigtelser_15plus", "sigtede_15plus", "ssp_sager_niveau_1_2"):
        ind = get_indicator(ind_id)
        expected = with_published(indicator_series(cells(rows), ind, p), pub, ind, p)
        pd.testing.assert_frame_equal(shown_series(cells(rows), pub, ind, p), expected, check_exact=True)
