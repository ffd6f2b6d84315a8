"""Every number of the source document's tables, reproduced from the bundled inputs."""

from __future__ import annotations

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from evaluering.catalogue import load_catalogue
from evaluering.indicators import SERIES_COLUMNS, averages_table, with_published
from evaluering.published import check_printed_averages, implied_denominator, load_published, round_half_up

from engine_helpers import PUBLISHED, plan

# The source document's tables, typed in from the delaftale (domain.md) -- the reference.
T1 = {  # indicator -> area -> [2013, 2014, 2015, 2016]
    "sigtelser_15plus": {"himmerland": [89.2, 108.8, 76.6, 65.1], "alabu-lejerbo": [101.7, 128.6, 55.5, 63.8],
                         "0851": [25.8, 29.3, 27.0, 23.0]},
    "sigtede_15plus": {"himmerland": [37.3, 35.2, 40.9, 34.1], "alabu-lejerbo": [43.5, 42.5, 28.4, 28.9],
                       "0851": [11.3, 11.6, 12.1, 10.5]},
    "afgoerelser_15plus": {"himmerland": [36.0, 27.3, 34.4, 37.6], "alabu-lejerbo": [45.3, 46.1, 28.4, 25.4],
                           "0851": [10.6, 11.8, 12.4, 10.9]},
}
T2 = {  # area -> ([2012..2015], printed average)
    "aalborg-oest": ([2.7, 2.5, 4.0, 4.2], 3.4), "0851": ([1.1, 1.0, 0.8, 0.8], 0.9),
    "almen": ([2.3, 2.4, 2.1, 2.0], 2.3), "DK": ([1.0, 1.0, 0.9, 0.9], 1.0),
}


@pytest.fixture(scope="module")
def pub():
    return load_published(PUBLISHED)


@pytest.fixture(scope="module")
def series(pub):
    p = plan()
    cat = load_catalogue(p)
    empty = pd.DataFrame(columns=SERIES_COLUMNS)
    return {i: with_published(empty, pub, cat[i], p) for i in [*T1, "andel_sigtede_10_17"]}


@pytest.mark.parametrize("ind", list(T1))
def test_table_1_reproduced(series, ind):
    s = series[ind]
    for area, values in T1[ind].items():
        got = s[s["area"] == area].sort_values("year")
        assert got["year"].tolist() == [2013, 2014, 2015, 2016]
        assert got["value"].tolist() == values
        assert got["published"].all() and got["source"].str.contains("BL-tal 2016").all()


def test_table_2_reproduced_with_shares_in_percent(series):
    s = series["andel_sigtede_10_17"]
    for area, (values, _) in T2.items():
        got = s[s["area"] == area].sort_values("year")
        assert got["year"].tolist() == [2012, 2013, 2014, 2015]
        assert got["value"].tolist() == values


def test_printed_averages_recomputed_and_almene_flagged(pub):
    chk = check_printed_averages(pub).set_index("area")
    for area, (values, printed) in T2.items():
        mean = sum(values) / 4
        assert chk.loc[area, "printed_value"] == printed
        assert chk.loc[area, "computed_mean"] == pytest.approx(mean)
    # 13.4 / 4 = 3.35 -> 3.4 (half up), 3.7 / 4 = 0.925 -> 0.9, 3.8 / 4 = 0.95 -> 1.0: agree
    assert chk.loc["aalborg-oest", "computed_rounded"] == 3.4 and not chk.loc["aalborg-oest", "flag"]
    assert chk.loc["0851", "computed_rounded"] == 0.9 and not chk.loc["0851", "flag"]
    assert chk.loc["DK", "computed_rounded"] == 1.0 and not chk.loc["DK", "flag"]
    # almene boligsektor: 8.8 / 4 = 2.2 computed against 2.3 printed: flagged, both shown
    assert chk.loc["almen", "computed_rounded"] == 2.2
    assert chk.loc["almen", "flag"]
    assert "2,3" in chk.loc["almen", "note"] and "2,2" in chk.loc["almen", "note"]


def test_averages_table_labels_both_conventions(series):
    cat = load_catalogue()
    avg = averages_table(series["andel_sigtede_10_17"], cat["andel_sigtede_10_17"], 2012, 2015).set_index("area")
    assert avg.loc["aalborg-oest", "mean_of_rates"] == pytest.approx(3.35)
    assert round_half_up(avg.loc["aalborg-oest", "mean_of_rates"], 1) == 3.4
    # published years 2012-2014 carry no counts: no pooled rate, never a made-up one
    assert pd.isna(avg.loc["aalborg-oest", "pooled_rate"])
    assert "gennemsnit" in avg.loc["aalborg-oest", "label_mean_of_rates"]
    assert "sum af tællere" in avg.loc["aalborg-oest", "label_pooled_rate"]


def test_implied_denominator_of_24_persons_at_4_2_percent():
    lo, central, hi = implied_denominator(24, 4.2, scale=100, decimals=1)
    # by hand: 24 / 0.0425 = 564.7 and 24 / 0.0415 = 578.3 -> whole persons 565..578
    assert (lo, hi) == (565, 578)
    assert central == round(24 / 0.042) == 571
    assert round_half_up(100 * 24 / 565, 1) == 4.2 and round_half_up(100 * 24 / 564, 1) == 4.3
    assert round_half_up(100 * 24 / 578, 1) == 4.2 and round_half_up(100 * 24 / 579, 1) == 4.1


def test_baseline_2015_row_has_derived_denominator_and_exact_intervals(series):
    s = series["andel_sigtede_10_17"]
    r = s[(s["area"] == "aalborg-oest") & (s["year"] == 2015)].iloc[0]
    assert r["value"] == 4.2 and r["numerator"] == 24 and r["denominator"] == 571
    assert r["denominator_derived"] and (r["denominator_low"], r["denominator_high"]) == (565, 578)
    cp = proportion_confint(24, 571, method="beta")
    wi = proportion_confint(24, 571, method="wilson")
    assert (r["lower"], r["upper"]) == pytest.approx((100 * cp[0], 100 * cp[1]))
    assert (r["wilson_lower"], r["wilson_upper"]) == pytest.approx((100 * wi[0], 100 * wi[1]))
    assert "udledt" in r["method"]
    # a published value without a count gets no interval (nothing is invented)
    r14 = s[(s["area"] == "aalborg-oest") & (s["year"] == 2014)].iloc[0]
    assert pd.isna(r14["lower"]) and pd.isna(r14["numerator"])


def test_police_table_3_kept(pub):
    t3 = pub.other["naerpoliti_2015"].set_index("offence")
    assert t3.loc["Lov om euforiserende stoffer", "persons"] == "31"
    assert (t3.loc["Hærværk", "persons"], t3.loc["Hærværk", "subgroup_persons"]) == ("7", "5")
    assert (t3.loc["Vold", "persons"], t3.loc["Vold", "subgroup_persons"]) == ("19", "5")


def test_bad_published_file_names_row_and_column(tmp_path):
    from evaluering.errors import InputError

    (tmp_path / "x.csv").write_text("table,indicator,level,area,area_name,year,value,unit,source\n"
                                    "T,i,plan,p,P,2015,4;2,pct,s\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_published(tmp_path)
    assert str(err.value).endswith("x.csv:2:value: not a number (found '4;2')")   # the reader of `validate`
