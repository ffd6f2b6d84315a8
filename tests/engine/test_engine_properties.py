"""Properties that must hold for any counts (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluering import intervals as iv
from evaluering.catalogue import get_indicator
from evaluering.indicators import indicator_series

from engine_helpers import cell, cells, plan

pairs = st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_share_intervals_contain_the_estimate(kn):
    k, n = kn
    for lo, hi in (iv.wilson(k, n), iv.clopper_pearson(k, n)):
        assert 0 <= lo <= k / n <= hi <= 1


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2000), st.floats(1, 1e5))
def test_rate_interval_contains_the_estimate(k, e):
    lo, hi = iv.poisson_rate(k, e)
    assert 0 <= lo <= k / e <= hi


@settings(max_examples=30, deadline=None)
@given(st.lists(pairs, min_size=9, max_size=9), st.integers(0, 8))
def test_plan_value_is_the_ratio_of_sums_however_the_estates_split(kns, split):
    """The pooled plan value equals sum(k)/sum(n), and splitting an estate into M/K rows
    changes nothing."""
    p = plan()
    ind = get_indicator("andel_sigtede_10_17")
    rows = [cell("estate", e.id, 2019, "sigtet_mistaenkt", k, n) for e, (k, n) in zip(p.estates, kns)]
    s1 = indicator_series(cells(rows), ind, p)
    e, (k, n) = p.estates[split], kns[split]
    k_m, n_m = k // 2, n // 2
    rows2 = [r for r in rows if r["area"] != e.id] + [
        cell("estate", e.id, 2019, "sigtet_mistaenkt", k_m, n_m, sex="M"),
        cell("estate", e.id, 2019, "sigtet_mistaenkt", k - k_m, n - n_m, sex="K")]
    s2 = indicator_series(cells(rows2), ind, p)
    v1 = s1.loc[s1["level"] == "plan", "value"].iloc[0]
    v2 = s2.loc[s2["level"] == "plan", "value"].iloc[0]
    expected = 100 * sum(k for k, _ in kns) / sum(n for _, n in kns)
    assert abs(v1 - expected) < 1e-9 and abs(v2 - expected) < 1e-9
    assert isinstance(s1, pd.DataFrame)
