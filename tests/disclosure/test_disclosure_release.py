"""The release step on its own: the record keeps decisions, rates go with their counts,
controlled rounding stays additive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from disclosure_attacker import LinearAttacker
from evaluering.disclosure.controlled import controlled_round, round_group
from evaluering.disclosure.ledger import Ledger
from evaluering.disclosure.release import Release, release_evaluations
from evaluering.disclosure.secondary import LinkedCells, protect

IND = "andel_sigtede_10_17"


@pytest.fixture(scope="module")
def ev():
    from evaluering.evaluation import evaluate
    from evaluering.plan import project_root

    if not (project_root() / "data" / "processed" / "cells.parquet").is_file():
        pytest.skip("run `evaluering build` first")
    return evaluate("aalborg-oest", 2020)


def test_a_kept_cell_stays_suppressed_even_when_the_rest_determines_it():
    s = LinkedCells()
    a, b, t = s.add(5), s.add(9), s.add(14)
    s.relate(t, [a, b])
    keep = np.array([True, False, False])
    res = protect(s, np.zeros(3, bool), protection=3, keep=keep)
    assert res.suppressed[a]                     # kept although a = t - b would be shown
    assert res.suppressed[b] or res.suppressed[t]  # and given a complement so it is not pinned


def test_rates_counts_and_denominators_go_together(ev):
    rel = release_evaluations([ev], 2020)
    s = rel.series(ev, IND)
    for _, r in s.iterrows():
        if r["published"]:
            continue
        if pd.isna(r["numerator"]) or pd.isna(r["denominator"]):
            assert pd.isna(r["value"]) and pd.isna(r["lower"]) and pd.isna(r["upper"])
        else:  # a published rate is its published counts, rounded to the shown decimals
            assert r["value"] == round(100 * r["numerator"] / r["denominator"], 1)


def test_the_record_keeps_an_earlier_suppression_and_protects_it(ev, tmp_path):
    """An earlier output withheld the plan's 2016 count: this year's release keeps it withheld
    and withholds enough beside it that the plan = parts relation does not give it back."""
    led = Ledger(tmp_path)
    led.update([{"indicator": IND, "level": "plan", "area": "aalborg-oest", "period": "2016",
                 "role": "numerator", "value": None, "reason": "diskretioneret", "release_year": 2019}])
    rel = release_evaluations([ev], 2020, ledger=led)
    assert rel.cell(IND, "plan", "aalborg-oest", 2016, "numerator") == (None, "diskretioneret")
    parts = [rel.cell(IND, "plan_part", f"aalborg-oest/{p}", 2016, "numerator") for p in ("himmerland", "alabu-lejerbo")]
    assert any(v is None for v, _ in parts)
    led.save()
    again = Ledger(tmp_path).lookup()
    assert again[(IND, "plan", "aalborg-oest", "2016", "numerator")]["release_year"] == 2019


def test_a_published_cell_of_the_record_is_known_to_the_attacker(ev, tmp_path):
    """The record says the part's 2020 count was published earlier: the release cannot hide it
    again, so it is forced known and shown."""
    v = ev.series[IND]
    true = v[(v["level"] == "plan_part") & (v["area"] == "himmerland") & (v["year"] == 2020)]["numerator"].iloc[0]
    led = Ledger(tmp_path)
    led.update([{"indicator": IND, "level": "plan_part", "area": "aalborg-oest/himmerland", "period": "2020",
                 "role": "numerator", "value": true, "reason": None, "release_year": 2020}])
    rel = release_evaluations([ev], 2020, ledger=led)
    assert rel.cell(IND, "plan_part", "aalborg-oest/himmerland", 2020, "numerator") == (true, None)


def test_status_json_reads_released_values_only(ev):
    d = ev.to_dict(3)
    for ind in d["indicators"]:
        assert all(r["year"] <= 2020 for r in ind["series"])
        for r in ind["series"]:
            if r["value"] is not None and not r["published"]:
                assert r["value"] == round(r["value"], ev.catalogue[ind["id"]].decimals)
    for a in d["averages"]:
        for k in ("mean_of_rates", "pooled_rate"):
            assert a[k] is None or a[k] == round(a[k], 3)


@pytest.mark.parametrize("seed", range(20))
def test_controlled_rounding_is_additive_and_adjacent(seed):
    rng = np.random.default_rng(seed)
    base = int(rng.choice([3, 5]))
    s = LinkedCells()
    parts = [s.add(int(v)) for v in rng.integers(0, 20, size=int(rng.integers(2, 6)))]
    sub = [s.add(int(v)) for v in rng.integers(0, 20, size=2)]
    sub_total = s.add(sum(s.values[i] for i in sub))
    s.relate(sub_total, sub)
    total = s.add(sum(s.values[i] for i in parts) + s.values[sub_total])
    s.relate(total, parts + [sub_total])
    r = controlled_round(s, base)
    v = np.array(s.values)
    assert np.all(r % base == 0)
    leaves = parts + sub
    assert np.all(np.abs(r[leaves] - v[leaves]) < base)          # each count to a multiple next to it
    assert r[sub_total] == r[sub].sum() and r[total] == r[parts].sum() + r[sub_total]   # additive
    assert abs(r[sub_total] - v[sub_total]) < base                # a total of leaves moves < one base


def test_round_group_keeps_the_sum_nearest():
    vals = [1, 2, 2, 4, 7]
    out = round_group(vals, 3)
    assert sum(out) == 15 and all(x % 3 == 0 for x in out)
    assert all(abs(a - b) < 3 for a, b in zip(out, vals))


def test_round_method_publishes_rounded_additive_counts(ev):
    rel = release_evaluations([ev], 2020, method="round")
    s = rel.series(ev, IND)
    s = s[(s["year"].between(2016, 2020)) & ~s["published"]]
    for y, g in s.groupby("year"):
        parts = g[g["level"] == "plan_part"]["numerator"]
        plan = g[g["level"] == "plan"]["numerator"]
        assert (parts.dropna() % 3 == 0).all()
        if len(plan) and plan.notna().all() and parts.notna().all():
            assert plan.iloc[0] == parts.sum()
    # the rate is the rounded counts' rate, never the true one
    r = s[s["numerator"].notna() & s["value"].notna()].iloc[0]
    assert r["value"] == pytest.approx(100 * r["numerator"] / r["denominator"], abs=0.06)


def test_an_undecided_cell_is_not_published():
    rel = Release({}, threshold=3)
    assert rel.cell("x", "plan", "p", 2020, "numerator") == (None, "diskretioneret")


def test_the_attacker_helper_solves_a_small_system():
    lp = LinearAttacker()
    lp.eq({"a": 1, "b": 1}, 5)
    lp.between({"a": 1}, 1, 2)
    assert lp.interval({"b": 1}) == (3.0, 4.0)
