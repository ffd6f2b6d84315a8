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


def test_cohort_estimate_and_decomposition_on_the_bundled_data(built):
    from evaluering.did.composition import cohort_estimate, decompose

    cells, truth, estates = built
    plan = "aalborg-oest"
    treated = {e: 2017 for e in estates.loc[estates.plan_id == plan, "estate_id"]}
    controls = estates.loc[estates.plan_id.isna(), "estate_id"].tolist()
    effect = truth["effects"][plan]["uden_for_arbejde_uddannelse"] / 100
    comp = cohort_estimate(cells, treated, controls, "uden_for_arbejde_uddannelse", "18-64", 2016, last_year=2020)
    t = comp.tidy().set_index("design")
    assert abs(t.loc["area", "estimate"] - effect) < 0.025
    # the cohort is treated only while it lives in the plan estates: its effect is diluted by the
    # share of the cohort's post years lived there (stayers; moves between plan estates are few)
    coh = cells[(cells.level.isin(["cohort", "cohort_stayers"])) & cells.area.isin([f"{e}@2016" for e in treated])
                & (cells.measure == "uden_for_arbejde_uddannelse") & cells.year.between(2017, 2020)]
    exposure = coh[coh.level == "cohort_stayers"].denominator.sum() / coh[coh.level == "cohort"].denominator.sum()
    assert 0.4 < exposure < 0.95
    assert abs(t.loc["cohort", "estimate"] - effect * exposure) < 0.025
    assert t.loc["cohort", "conf_low"] < t.loc["cohort", "estimate"] < t.loc["cohort", "conf_high"]
    d = decompose(cells, list(treated), "uden_for_arbejde_uddannelse", "18-64", 2016, 2020)
    assert d.stayers + d.movers_in + d.movers_out == pytest.approx(d.change)
    assert d.counts["stay1"][1] > 0 and d.counts["in"][1] > 0 and d.counts["out"][1] > 0


def test_composition_section_in_danish_through_disclosure(built):
    from evaluering.disclosure.audit import audit_text
    from evaluering.yearly.composition_view import composition_section

    cells, truth, estates = built
    treated = {e: 2017 for e in estates.loc[estates.plan_id == "aalborg-oest", "estate_id"]}
    controls = estates.loc[estates.plan_id.isna(), "estate_id"].tolist()
    html, payload = composition_section(cells, treated, controls, "uden_for_arbejde_uddannelse", "18-64",
                                        "andel 18-64-årige uden for arbejde og uddannelse", 2016, 2020)
    assert "Blivende" in html and "Tilflyttede" in html and "Beboerkohorte" in html
    assert payload["available"] and set(payload["estimates"]) == {"area", "cohort"}
    assert payload["change_pp"] == pytest.approx(payload["stayers_pp"] + payload["movers_in_pp"]
                                                 + payload["movers_out_pp"], abs=1e-3)
    assert not audit_text(html, "html")
    # a tiny area: counts below 3 are suppressed, and so is every contribution
    one = {"AO-01": 2017}
    small = cells[~((cells.level == "cohort_stayers") & (cells.area == "AO-01@2016"))
                  | (cells.measure != "kun_grundskole")]
    html, payload = composition_section(small, one, controls, "ungdomsuddannelse_25", "25",
                                        "andel 25-årige med ungdomsuddannelse", 2016, 2017)
    assert "< 3" in html or "diskretioneret" in html
