"""The attacker test: solve the published margins with linear programming (scipy linprog) and
try to pin every suppressed cell to one value. It must fail for every suppressed cell, and
every primary cell must keep an interval at least as wide as the threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from disclosure_attacker import intervals
from evaluering.disclosure import suppress_table
from evaluering.disclosure.cells import hierarchy_from_plan
from evaluering.plan import default_plans_dir, load_plan

YEARS = (2015, 2016)
SEXES = ("M", "K")


@pytest.fixture(scope="module")
def hier():
    return hierarchy_from_plan(load_plan(default_plans_dir() / "aalborg-oest.yaml"))


def make_table(hier: dict, seed: int) -> pd.DataFrame:
    """Estates x sex x year with sex totals, plan-part and plan totals, and a year change."""
    rng = np.random.default_rng(seed)
    estates = [a for a in hier if a not in hier.values()]
    rows = {}
    for y in YEARS:
        for e in estates:
            for s in SEXES:
                rows[(e, s, y)] = int(rng.choice([0, 1, 2, 3, 4, 6, 9, 15], p=[.1, .15, .15, .15, .1, .15, .1, .1]))
    # sums up the hierarchy (children before parents) and over sex
    def total(area, s, y):
        if (area, s, y) in rows:
            return rows[(area, s, y)]
        kids = [c for c, p in hier.items() if p == area]
        return sum(total(k, s, y) for k in kids)

    areas = estates + sorted(set(hier.values()))
    out = []
    for y in YEARS:
        for a in areas:
            m, k = total(a, "M", y), total(a, "K", y)
            out += [(a, "M", y, m), (a, "K", y, k), (a, "I alt", y, m + k)]
    df = pd.DataFrame(out, columns=["area", "sex", "year", "count"])
    df["change"] = df.groupby(["area", "sex"])["count"].diff()
    return df


def attack(df: pd.DataFrame, published: pd.Series, change_published: pd.Series, hier: dict) -> dict:
    """Intervals of the suppressed counts from what the table publishes."""
    key = list(zip(df["area"], df["sex"], df["year"]))
    pub = {k: (None if pd.isna(v) else float(v)) for k, v in zip(key, published)}
    eqs = []
    areas = df["area"].unique()
    for y in YEARS:
        for a in areas:
            eqs.append(({(a, "I alt", y): 1, (a, "M", y): -1, (a, "K", y): -1}, 0.0))
        for s in ("M", "K", "I alt"):
            for parent in set(hier.values()):
                coefs = {(parent, s, y): 1}
                for c, p in hier.items():
                    if p == parent:
                        coefs[(c, s, y)] = -1
                eqs.append((coefs, 0.0))
    # published year-on-year changes: change(y) = count(y) - count(y-1)
    for (a, s, y), d in zip(key, change_published):
        if y != YEARS[0] and not pd.isna(d):
            eqs.append(({(a, s, y): 1, (a, s, y - 1): -1}, float(d)))
    return intervals(pub, eqs)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [3, 5])
def test_attacker_cannot_pin_any_suppressed_cell(hier, seed, threshold):
    df = make_table(hier, seed)
    res = suppress_table(df, "count", totals={"sex": "I alt"}, hierarchy={"area": hier},
                         differences={"change": ("count", "year")}, threshold=threshold)
    primary = (df["count"] > 0) & (df["count"] < threshold)
    assert primary.any()
    assert res.reasons["count"][primary].eq(f"< {threshold}").all()
    assert res.data["count"][primary].isna().all()
    found = attack(df, res.data["count"], res.data["change"], hier)
    assert len(found) == int(res.suppressed["count"].sum())
    key = list(zip(df["area"], df["sex"], df["year"]))
    for k, p, v in zip(key, primary, df["count"]):
        if k in found:
            lo, hi = found[k]
            assert lo - 1e-6 <= v <= hi + 1e-6                  # sanity: the truth is feasible
            assert hi - lo > 0.5, f"{k} pinned to {lo}"          # not one value
            if p:
                assert hi - lo >= threshold - 1e-6, f"{k} only in [{lo}, {hi}]"


def test_the_attacker_pins_cells_when_only_primary_suppression_is_applied(hier):
    """The attack is real: with primary suppression alone, it recovers small counts exactly."""
    df = make_table(hier, 0)
    primary = (df["count"] > 0) & (df["count"] < 3)
    naive = df["count"].astype("Float64").mask(primary)
    naive_change = df["change"].mask(primary | primary.groupby([df["area"], df["sex"]]).shift(1, fill_value=False))
    found = attack(df, naive, naive_change, hier)
    pinned = [k for k, (lo, hi) in found.items() if hi - lo < 1e-6]
    assert len(pinned) >= 1


def test_a_published_change_would_reveal_a_suppressed_year(hier):
    """Publishing the change next to a suppressed year gives the year away: the change goes too."""
    df = pd.DataFrame({"area": ["A"] * 3, "year": [2014, 2015, 2016], "count": [6, 2, 7]})
    df["change"] = df["count"].diff()
    leaky = attack_series(df, df["count"].mask(df["count"] < 3), df["change"])
    assert leaky[("A", 2015)] == (2.0, 2.0)
    res = suppress_table(df, "count", differences={"change": ("count", "year")})
    safe = attack_series(df, res.data["count"], res.data["change"])
    lo, hi = safe[("A", 2015)]
    assert hi - lo >= 3


def attack_series(df, counts, changes):
    pub = {(a, y): (None if pd.isna(v) else float(v)) for a, y, v in zip(df["area"], df["year"], counts)}
    eqs = [({(a, y): 1, (a, y - 1): -1}, float(d)) for a, y, d in zip(df["area"], df["year"], changes)
           if not pd.isna(d) and (a, y - 1) in pub]
    return intervals(pub, eqs)
