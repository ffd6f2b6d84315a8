"""Budget: the parts against the stated total (the source document's 99.000 kr. gap)."""

from __future__ import annotations

import math

import pytest

from evaluering.budget import check_budget, cost_per_participant

from engine_helpers import plan


def test_source_document_budget_gap_flagged():
    b = check_budget(plan())
    assert [f["amount_kr"] for f in b["financing"]] == [894000, 114000]
    assert b["computed_total_kr"] == 894000 + 114000 == 1008000
    assert b["stated_total_kr"] == 1107000
    assert b["gap_kr"] == 1107000 - 1008000 == 99000
    assert b["flag"] is True
    assert "99.000 kr." in b["notes"][0] and "1.008.000 kr." in b["notes"][0]
    assert b["local_share_pct"] == pytest.approx(100 * 114000 / 1008000)
    assert "helhedsplanen som helhed" in b["local_share_note"]


def test_no_flag_when_parts_add_up():
    class P:
        def section(self, name, default=None):
            return {"financing": [{"source": "LBF", "amount_kr": 700}, {"source": "Kommune", "amount_kr": 300}],
                    "stated_total_kr": 1000}

    b = check_budget(P())
    assert b["gap_kr"] == 0 and not b["flag"] and b["notes"] == []


def test_cost_per_participant():
    c = cost_per_participant(1008000, 1107000, {"courses_started": 75, "event_participants": 56})
    assert c["participants"] == 131
    assert c["per_participant_computed_kr"] == pytest.approx(1008000 / 131)
    assert c["per_participant_stated_kr"] == pytest.approx(1107000 / 131)
    assert math.isnan(cost_per_participant(1, 1, {})["per_participant_computed_kr"])


def test_bad_budget_amount_is_a_plan_error(tmp_path):
    from evaluering.errors import PlanError
    from evaluering.plan import load_plan

    from engine_helpers import PLAN_FILE

    f = tmp_path / "p.yaml"
    f.write_text(PLAN_FILE.read_text(encoding="utf-8").replace("amount_kr: 114000", "amount_kr: mange"),
                 encoding="utf-8")
    with pytest.raises(PlanError) as err:
        check_budget(load_plan(f).for_focus_area(0))
    assert "focus_areas.0.budget.financing.1.amount_kr" in str(err.value)
