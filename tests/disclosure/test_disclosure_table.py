"""suppress_table: primary and secondary suppression, rates, differences, rounding, output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evaluering.disclosure import suppress_table, to_html
from evaluering.errors import EvalueringError


def estates_table():
    # hand-made: three estates and their plan total; estate B has 2 persons charged
    return pd.DataFrame({
        "area": ["A", "B", "C", "Plan"],
        "sigtede": [10, 2, 12, 24],
        "unge": [200, 150, 221, 571],
        "andel": [5.0, 2 / 150 * 100, 12 / 221 * 100, 24 / 571 * 100],
    })


def test_primary_and_secondary_against_plan_total():
    res = suppress_table(estates_table(), count_cols=["sigtede", "unge"],
                         rate_cols={"andel": ("sigtede", "unge")}, totals={"area": "Plan"})
    r = res.reasons
    assert r.loc[1, "sigtede"] == "< 3"                      # primary
    assert r.loc[1, "andel"] == "< 3"                        # the rate from it is primary too
    # the plan total 24 minus the other estates would give B: one more estate is suppressed
    assert (r["sigtede"] == "diskretioneret").sum() == 1
    sec = r.index[r["sigtede"] == "diskretioneret"][0]
    assert sec in (0, 2)
    assert pd.isna(res.data.loc[sec, "andel"]) and r.loc[sec, "andel"] == "diskretioneret"
    # suppressed values are missing, never 0
    assert res.data["sigtede"].isna().sum() == 2
    assert res.data.loc[3, "sigtede"] == 24                  # the total is published
    assert res.n_primary == 2 and res.n_secondary == 2


def test_zero_is_not_suppressed_and_missing_is_not_zero():
    df = pd.DataFrame({"area": ["A", "B"], "count": [0, 1]})
    res = suppress_table(df, "count")
    assert res.data["count"].tolist()[0] == 0
    assert res.data["count"].isna().tolist() == [False, True]
    assert res.reasons["count"].tolist() == [None, "< 3"]


def test_threshold_five():
    df = pd.DataFrame({"area": list("ABCD"), "count": [3, 4, 5, 40]})
    res = suppress_table(df, "count", threshold=5)
    assert res.reasons["count"].tolist() == ["< 5", "< 5", None, None]


def test_two_way_table_with_totals_is_protected_by_a_rectangle():
    # rows: estates A..C + total; columns M, K, I alt (wide format)
    df = pd.DataFrame({"area": ["A", "B", "C", "I alt"], "M": [2, 7, 9, 18], "K": [6, 9, 11, 26]})
    df["i_alt"] = df["M"] + df["K"]
    res = suppress_table(df, ["M", "K", "i_alt"], totals={"i_alt": ["M", "K"], "area": "I alt"})
    s = res.suppressed
    # every row and column with a suppression holds at least two of them
    for col in ["M", "K", "i_alt"]:
        assert s[col].sum() != 1
    assert (s[["M", "K", "i_alt"]].sum(axis=1) != 1).all()
    assert s.loc[0, "M"]


def test_differences_are_suppressed_with_their_operands():
    df = pd.DataFrame({"area": ["A"] * 4, "year": [2014, 2015, 2016, 2017], "count": [6, 2, 7, 9]})
    df["change"] = df["count"].diff()
    res = suppress_table(df, "count", differences={"change": ("count", "year")})
    assert res.reasons["change"].tolist() == [None, "diskretioneret", "diskretioneret", None]
    assert res.data["change"].tolist()[3] == 2.0
    # what remains published cannot recover 2015: 2014 and 2016 counts do not pin it
    assert pd.isna(res.data.loc[1, "count"])


def test_differences_follow_secondary_suppression_in_a_long_table():
    years = [2015, 2016]
    rows = []
    for y, vals in zip(years, [(2, 9, 14), (5, 8, 15)]):
        for a, v in zip("ABC", vals):
            rows.append((a, y, v))
        rows.append(("I alt", y, sum(vals)))
    df = pd.DataFrame(rows, columns=["area", "year", "count"])
    df["change"] = df.groupby("area")["count"].diff()
    res = suppress_table(df, "count", totals={"area": "I alt"}, differences={"change": ("count", "year")})
    sup = res.suppressed
    # 2015 A is primary; B or C 2015 is secondary; their 2016 changes must go too
    for i in df.index[(df.year == 2015) & sup["count"]]:
        j = df.index[(df.year == 2016) & (df.area == df.area[i])][0]
        assert sup.loc[j, "change"]


def test_hierarchy_estate_part_plan_with_a_missing_estate_protects_the_remainder():
    # the plan has estates E1..E3 in part P1 and E4 in P2, but the table leaves out E3 (count 1)
    hier = {"E1": "P1", "E2": "P1", "E3": "P1", "E4": "P2", "P1": "plan", "P2": "plan"}
    df = pd.DataFrame({"area": ["E1", "E2", "E4", "P1", "P2", "plan"], "count": [10, 12, 30, 23, 30, 53]})
    res = suppress_table(df, "count", hierarchy={"area": hier})
    # P1 - E1 - E2 = 1 would reveal E3: a cell of P1's relation must be suppressed (the
    # hidden E3 is the second unknown of that relation)
    assert res.suppressed["count"][[0, 1, 3]].sum() >= 1
    full = suppress_table(pd.DataFrame({"area": ["E1", "E2", "P1"], "count": [10, 12, 22]}),
                          "count", hierarchy={"area": {"E1": "P1", "E2": "P1"}})
    assert not full.suppressed["count"].any()          # parts add up: nothing to protect
    odd = suppress_table(pd.DataFrame({"area": ["E1", "E2", "P1"], "count": [10, 12, 23]}),
                         "count", hierarchy={"area": {"E1": "P1", "E2": "P1"}})
    assert odd.suppressed["count"].sum() == 1          # 23 - 10 - 12 = 1 unexplained: protected


def test_round_method():
    df = pd.DataFrame({"area": ["A", "B", "C"], "count": [1, 2, 25], "pop": [40, 50, 60]})
    df["rate"] = df["count"] / df["pop"] * 100
    res = suppress_table(df, ["count", "pop"], {"rate": ("count", "pop")}, method="round", base=5)
    assert res.data["count"].tolist() == [0, 0, 25]
    assert res.data["pop"].tolist() == [40, 50, 60]
    assert res.reasons["rate"].tolist() == ["< 3", "< 3", None]
    assert res.reasons["count"].isna().all()
    assert "afrundet til nærmeste 5" in res.to_html()


@pytest.mark.parametrize("kwargs, message", [
    (dict(method="supp"), "unknown disclosure method"),
    (dict(threshold=0), "threshold"),
    (dict(totals={"nope": "I alt"}), "no column 'nope'"),
    (dict(rate_cols={"count": "area"}), "not a count column"),
    (dict(totals={"count": ["area"]}), "not a count column"),
])
def test_bad_arguments(kwargs, message):
    df = pd.DataFrame({"area": ["A"], "count": [4]})
    with pytest.raises(EvalueringError, match=message):
        suppress_table(df, "count", **kwargs)


def test_html_shows_reasons_danish_numbers_and_markers():
    df = pd.DataFrame({"area": ["A", "B", "I alt"], "count": [2, 1210, 1212], "andel": [4.25, 12.5, 12.0]})
    res = suppress_table(df, "count", {"andel": "count"}, totals={"area": "I alt"})
    html = to_html(res, caption="Sigtede")
    assert '<td class="ev-suppressed" data-suppressed="primary" title="udeladt (diskretionering)">&lt; 3</td>' in html
    assert 'data-suppressed="secondary"' in html and ">diskretioneret<" in html
    assert '<td class="ev-count" data-count="1212">1.212</td>' in html
    assert ">2<" not in html and 'data-count="2"' not in html and "1.210" not in html
    assert res._repr_html_() == to_html(res)
    shown = res.display()
    assert shown["count"].tolist() == ["< 3", "diskretioneret", "1.212"]
    assert shown["andel"].tolist() == ["< 3", "diskretioneret", "12,0"]


def test_json_records_and_csv(tmp_path):
    df = pd.DataFrame({"area": ["A", "B", "I alt"], "count": [2, 30, 32]})
    res = suppress_table(df, "count", totals={"area": "I alt"})
    res.write_json(tmp_path / "t.json")
    rec = json.loads((tmp_path / "t.json").read_text())
    assert rec[0] == {"area": "A", "count": None, "count_reason": "< 3"}
    assert rec[1] == {"area": "B", "count": None, "count_reason": "diskretioneret"}
    assert rec[2] == {"area": "I alt", "count": 32}
    res.write_csv(tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["count"].isna().tolist() == [True, True, False]
    assert back["count_reason"].tolist()[:2] == ["< 3", "diskretioneret"]


def test_original_index_is_kept():
    df = pd.DataFrame({"area": ["A", "B"], "count": [1, 5]}, index=[10, 20])
    res = suppress_table(df, "count")
    assert res.data.index.tolist() == [10, 20] and res.reasons.index.tolist() == [10, 20]
    assert np.isnan(float(res.data["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)[0]))


def test_indicator_series_with_level_and_names_links_estates_to_the_plan():
    # an indicator series as the report shows it: level and area_name follow the area
    hier = {"E1": "P", "E2": "P", "E3": "P"}
    rows = []
    for y, nums in ((2019, (2, 6, 7)), (2020, (4, 5, 8))):
        dens = (50, 60, 70)
        for a, n_, d in zip(("E1", "E2", "E3"), nums, dens):
            rows.append(("estate", a, f"Afdeling {a}", y, n_, d))
        rows.append(("plan", "P", "Helhedsplansområde", y, sum(nums), sum(dens)))
    df = pd.DataFrame(rows, columns=["level", "area", "area_name", "year", "numerator", "denominator"])
    df["value"] = df["numerator"] / df["denominator"] * 100
    df["lower"] = df["value"] * 0.5
    df["upper"] = df["value"] * 1.5
    res = suppress_table(df, ["numerator", "denominator"],
                         {c: ("numerator", "denominator") for c in ("value", "lower", "upper")},
                         hierarchy={"area": hier})
    r = res.reasons
    assert r.loc[0, "numerator"] == "< 3"
    # 2019: the plan total (15) minus E2 and E3 would give E1: a second estate is suppressed
    assert (r.loc[0:2, "numerator"] == "diskretioneret").sum() == 1
    assert r.loc[0, ["value", "lower", "upper"]].tolist() == ["< 3"] * 3
    assert r.loc[4:7, "numerator"].isna().all()          # 2020 has nothing small


def test_same_row_difference_of_two_count_columns():
    df = pd.DataFrame({"area": ["A", "B", "C", "I alt"], "n_2019": [5, 9, 14, 28], "n_2020": [2, 9, 15, 26]})
    df["change"] = df["n_2020"] - df["n_2019"]
    res = suppress_table(df, ["n_2019", "n_2020"], totals={"area": "I alt"},
                         differences={"change": ("n_2020", "n_2019")})
    assert res.reasons.loc[0, "n_2020"] == "< 3"
    sup = res.suppressed
    assert (sup["change"] == (sup["n_2020"] | sup["n_2019"])).all()
    assert res.data.loc[3, "change"] == -2


def test_negative_count_is_an_error():
    with pytest.raises(EvalueringError, match="negative count in column 'count'"):
        suppress_table(pd.DataFrame({"area": ["A"], "count": [-1]}), "count")


def test_upper_bound_from_the_denominator_is_attacker_knowledge():
    # A has 2 of 3 youths charged: with the population 3 published, the attacker knows the
    # count lies in [0, 3]. With the default protection (the threshold) that is wide enough;
    # a wider protection cannot be met and is reported, not hidden.
    df = pd.DataFrame({"area": ["A", "B", "I alt"], "n": [2, 10, 12], "pop": [3, 80, 83]})
    df["rate"] = df["n"] / df["pop"]
    res = suppress_table(df, ["n", "pop"], {"rate": ("n", "pop")}, totals={"area": "I alt"})
    assert res.reasons.loc[0, "n"] == "< 3" and res.reasons.loc[0, "rate"] == "< 3"
    assert res.unprotected == ()
    with pytest.warns(UserWarning, match="narrower than 4"):
        wide = suppress_table(df, ["n", "pop"], {"rate": ("n", "pop")}, totals={"area": "I alt"}, protection=4)
    assert wide.unprotected == ((0, "n"),)
