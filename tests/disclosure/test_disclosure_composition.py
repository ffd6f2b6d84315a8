"""The composition section's counts (stayers, movers in, movers out) pass the one release.

Two overlapping plans (:mod:`scenario`: plan B has seven of plan A's nine estates). One
person suspected or charged in 2020 lives in AO-08 (in A, not in B) and lived there in 2016:
a stayer. If both plans published their stayers' count, A minus B would be that one person.
The release holds each estate's stayers and movers as the same hidden unknowns in both plans
(tied to the estates' own cells), so it must withhold enough to keep the difference unknown.
"""

from __future__ import annotations

import pandas as pd
import pytest

import scenario

IND = "andel_sigtede_10_17"
BASELINE, YEAR = 2016, 2020
ONLY_A = ("AO-08", "AO-09")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = scenario.build_project(tmp_path_factory.mktemp("composition"))
    path = root / "data" / "processed" / "cells.parquet"
    cells = pd.read_parquet(path)
    hit = (cells["measure"] == scenario.MEASURE) & (cells["age_band"] == scenario.AGE) & (cells["sex"] == "M")
    cells.loc[hit & (cells["level"] == "estate") & (cells["area"] == "AO-08") & (cells["year"] == YEAR),
              "numerator"] = 1
    stayer = hit & (cells["level"] == "cohort_stayers") & (cells["area"] == f"AO-08@{BASELINE}") \
        & (cells["year"] == YEAR)
    assert stayer.sum() == 1
    cells.loc[stayer, "numerator"] = 1
    cells.to_parquet(path, index=False)
    return root


def _truth(root, level: str, estates) -> int:
    c = pd.read_parquet(root / "data" / "processed" / "cells.parquet")
    areas = [f"{e}@{BASELINE}" for e in estates] if level.startswith("cohort") else list(estates)
    s = c[(c["level"] == level) & c["area"].isin(areas) & (c["measure"] == scenario.MEASURE)
          & (c["age_band"] == scenario.AGE) & (c["year"] == YEAR)]
    return int(s["numerator"].sum())


def test_stayers_of_estates_only_one_plan_has_cannot_be_differenced(project, monkeypatch):
    from evaluering.did.composition import ALL_GROUPS, release_key
    from evaluering.disclosure.release import release_for_plans

    monkeypatch.chdir(project)
    rel = release_for_plans(project / "data" / "raw" / "plans", YEAR, threshold=3, root=project, record=False)
    # the planted stayer: A's stayers minus B's stayers is exactly 1
    assert _truth(project, "cohort_stayers", ONLY_A) == 1
    stay_a = _truth(project, "cohort_stayers", scenario.SMALL_PART[:2] + ONLY_A)
    assert stay_a >= 1
    published = {}
    for plan in (scenario.PLAN_A, scenario.PLAN_B):
        for g in ALL_GROUPS:
            for role in ("numerator", "denominator"):
                key = release_key(g, IND, BASELINE, "plan", plan, YEAR, role)
                assert key in rel.records, key       # the release decided on every count the section shows
                published[(plan, g, role)] = rel.cell(*key)
    # the section is not simply blanked: plan A's residents of both years are published
    assert published[(scenario.PLAN_A, "area0", "numerator")][1] is None
    assert published[(scenario.PLAN_A, "area1", "denominator")][1] is None
    # A's and B's stayers in 2020: not both published (their difference is the one person)
    a, b = published[(scenario.PLAN_A, "stay1", "numerator")], published[(scenario.PLAN_B, "stay1", "numerator")]
    assert a[1] is not None or b[1] is not None, (a, b)
    # every published difference between the plans' counts is 0 or at least the threshold
    for g in ALL_GROUPS:
        (va, ra), (vb, rb) = published[(scenario.PLAN_A, g, "numerator")], published[(scenario.PLAN_B, g, "numerator")]
        if ra is None and rb is None:
            assert va - vb == 0 or va - vb >= 3, (g, va, vb)


def test_the_report_shows_only_released_composition_counts(project, monkeypatch):
    from evaluering.did.composition import release_key
    from evaluering.yearly.plan_view import PlanReport

    monkeypatch.chdir(project)
    report = PlanReport.load(scenario.PLAN_A, YEAR, project_root=str(project))
    html = report.composition().html
    assert "Effekt eller ændret beboersammensætning" in html
    value, reason = report.base.release.cell(*release_key("stay1", IND, BASELINE, "plan", scenario.PLAN_A, YEAR,
                                                          "numerator"))
    payload = {p["indicator"]: p for p in report.payload["composition"]}
    assert IND in payload
    if reason is not None:           # withheld: no contribution computed from it either
        assert payload[IND]["stayers_pp"] is None
