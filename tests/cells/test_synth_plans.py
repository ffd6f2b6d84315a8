"""The synthetic register of every bundled synthetic plan: estates read from the plan files,
plausible Danish levels of the register measures, a known effect per focus-area outcome."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evaluering.synth.build import build

ROOT = Path(__file__).resolve().parents[2]

# minimal stand-ins for the plan files of helper `focusareas`, used only when the real ones
# are not in data/raw/plans/ (ids, municipality and period as in the contract)
PLACEHOLDERS = {
    "hvidovre-syd": ("167", "Hvidovre Kommune", "2017-01-01", "2020-12-31", [f"HS-{i:02d}" for i in range(1, 6)]),
    "kolding-nord": ("621", "Kolding Kommune", "2020-01-01", "2023-12-31", [f"KN-{i:02d}" for i in range(1, 7)]),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("plans-root")
    plans = root / "data" / "raw" / "plans"
    shutil.copytree(ROOT / "data" / "raw" / "plans", plans)
    for pid, (code, name, start, end, estates) in PLACEHOLDERS.items():
        if not (plans / f"{pid}.yaml").exists():
            lines = [f"id: {pid}", f"name: {pid} (test)", "municipality:", f'  code: "{code}"', f"  name: {name}",
                     "period:", f"  start: {start}", f"  end: {end}", "estates:",
                     *(f"  - {{id: {e}, name: {e}}}" for e in estates), "data:", "  synthetic: true"]
            (plans / f"{pid}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build(root=root, progress=False)
    cells = pd.read_parquet(root / "data" / "processed" / "cells.parquet")
    truth = json.loads((root / "data" / "raw" / "synthetic" / "truth.json").read_text(encoding="utf-8"))
    estates = pd.read_csv(root / "data" / "raw" / "synthetic" / "estates.csv", dtype=str)
    return cells, truth, estates


def share(cells, measure, areas=None, level="estate", years=None):
    c = cells[(cells.level == level) & (cells.measure == measure)]
    if areas is not None:
        c = c[c.area.isin(areas)]
    if years is not None:
        c = c[c.year.isin(years)]
    return c.numerator.sum() / c.denominator.sum()


def test_estates_of_every_synthetic_plan(built):
    cells, truth, estates = built
    assert set(truth["effects"]) == {"aalborg-oest", "hvidovre-syd", "kolding-nord"}
    by_plan = estates.dropna(subset=["plan_id"]).groupby("plan_id")["estate_id"].apply(sorted).to_dict()
    assert by_plan["hvidovre-syd"] == PLACEHOLDERS["hvidovre-syd"][4]
    assert by_plan["kolding-nord"] == PLACEHOLDERS["kolding-nord"][4]
    assert set(estates.loc[estates.plan_id == "kolding-nord", "municipality"]) == {"0621"}
    # comparison estates in each plan's municipality
    cmp = estates[estates.plan_id.isna()]
    assert {"0851", "0167", "0621"} <= set(cmp.municipality)
    assert cells.year.min() == 2010 and cells.year.max() == 2023
    for pid in ("aalborg-oest", "hvidovre-syd", "kolding-nord"):
        assert not cells[(cells.level == "plan") & (cells.area == pid) & (cells.year == 2020)].empty


def test_plausible_danish_levels(built):
    cells, _, estates = built
    plan_est = estates.loc[estates.plan_id.notna(), "estate_id"].tolist()
    cmp_est = estates.loc[estates.plan_id.isna(), "estate_id"].tolist()
    pre = [2012, 2013, 2014, 2015]
    assert 0.38 <= share(cells, "uden_for_arbejde_uddannelse", plan_est, years=pre) <= 0.50
    assert 0.20 <= share(cells, "uden_for_arbejde_uddannelse", cmp_est, years=pre) <= 0.32
    assert 0.18 <= share(cells, "uden_for_arbejde_uddannelse", level="country", years=pre) <= 0.24
    assert 0.50 <= share(cells, "ikke_vestlige", plan_est, years=pre) <= 0.70
    assert 0.40 <= share(cells, "kun_grundskole", plan_est, years=pre) <= 0.60
    assert 0.60 <= share(cells, "dansk_matematik_2", plan_est, years=pre) <= 0.80
    # income of the plan areas relative to their region: about 50-60 %
    for pid, region in (("aalborg-oest", "1081"), ("hvidovre-syd", "1084"), ("kolding-nord", "1083")):
        mine = estates.loc[estates.plan_id == pid, "estate_id"].tolist()
        ratio = share(cells, "bruttoindkomst", mine, years=pre) / share(cells, "bruttoindkomst", [region],
                                                                            level="region", years=pre)
        assert 0.48 <= ratio <= 0.62, (pid, ratio)
    # national convictions ~ 1 %, the plan areas about 2-4 times that (the § 61 a criterion: 3x)
    national = share(cells, "domfaeldte", level="country", years=pre)
    assert 0.008 <= national <= 0.012
    assert 1.5 <= share(cells, "domfaeldte", plan_est, years=pre) / national <= 5


def _did(cells, measure, treated, control, start):
    c = cells[(cells.level == "estate") & (cells.measure == measure)]
    c = c[c.area.isin(treated + control)].assign(t=lambda d: d.area.isin(treated), post=lambda d: d.year >= start)
    g = c.groupby(["t", "post"])[["numerator", "denominator"]].sum()
    r = 100 * g.numerator / g.denominator
    return (r[True, True] - r[True, False]) - (r[False, True] - r[False, False])


@pytest.mark.parametrize("plan, measure", [("hvidovre-syd", "uden_for_arbejde_uddannelse"),
                                           ("kolding-nord", "neet"), ("kolding-nord", "beskaeftigede"),
                                           ("aalborg-oest", "uden_for_arbejde_uddannelse")])
def test_known_effect_per_outcome_visible_in_cells(built, plan, measure):
    cells, truth, estates = built
    effect = truth["effects"][plan][measure]                # realised on the treated person-years
    design = truth["effects_design"][plan].get(measure)
    if design is not None and not (plan == "kolding-nord" and measure == "neet"):
        assert abs(design - effect) < 1.0                  # common random numbers: close to the design
    treated = estates.loc[estates.plan_id == plan, "estate_id"].tolist()
    control = estates.loc[estates.plan_id.isna(), "estate_id"].tolist()
    did = _did(cells, measure, treated, control, truth["plan_start_year"][plan])
    assert abs(did - effect) < 2.5, (plan, measure, did, effect)   # sampling noise of ~3,000 persons


def test_fraflyttere_effect(built):
    cells, truth, estates = built
    treated = estates.loc[estates.plan_id == "aalborg-oest", "estate_id"].tolist()
    control = estates.loc[estates.plan_id.isna(), "estate_id"].tolist()
    did = _did(cells, "fraflyttere", treated, control, 2017)
    assert truth["effects_design"]["aalborg-oest"]["fraflyttere"] == -2.0
    assert abs(truth["effects"]["aalborg-oest"]["fraflyttere"] + 2.0) < 0.5
    assert -3.5 < did < -0.5
