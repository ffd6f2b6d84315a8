"""Budget of a focus area: financing parts against the stated total, cost per participant.

The plan's ``budget:`` section lists ``financing`` (``source``, ``amount_kr``) and
``stated_total_kr``. The total is always computed from the parts; a stated total that
differs is shown next to it and flagged with the gap (the source document: 894.000 +
114.000 = 1.008.000 kr. against a stated 1.107.000 kr., a gap of 99.000 kr.).

>>> class P:
...     def section(self, name, default=None):
...         return {"financing": [{"source": "LBF", "amount_kr": 894000},
...                 {"source": "Lokal", "amount_kr": 114000}], "stated_total_kr": 1107000}
>>> b = check_budget(P())
>>> b["computed_total_kr"], b["gap_kr"], b["flag"]
(1008000, 99000, True)
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["check_budget", "cost_per_participant"]

_LOCAL_WORDS = ("lokal", "kommune", "boligorganisation", "medfinansiering")


def check_budget(plan, participants: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check the plan's budget section; JSON-safe dict.

    Keys: ``financing`` (list of source/amount_kr/share_pct), ``computed_total_kr``,
    ``stated_total_kr``, ``gap_kr`` (stated minus computed), ``flag``, ``local_share_pct``
    (the local co-financing share of the parts), ``min_local_share_pct_plan`` and
    ``local_share_note``, ``cost_per_participant`` and ``notes`` (Danish).
    """
    from .fmt import kr, pct

    section = plan.section("budget") or {}
    if not isinstance(section, dict):
        raise plan.error("budget", "'budget' must be a mapping")
    parts = []
    for i, f in enumerate(section.get("financing") or []):
        if not isinstance(f, dict) or not isinstance(f.get("amount_kr"), (int, float)) or f["amount_kr"] < 0:
            raise plan.error(f"budget.financing.{i}.amount_kr", "each financing part needs amount_kr >= 0")
        parts.append({"source": str(f.get("source", f"del {i + 1}")), "amount_kr": f["amount_kr"]})
    total = sum(p["amount_kr"] for p in parts)
    for p in parts:
        p["share_pct"] = 100 * p["amount_kr"] / total if total else math.nan
    stated = section.get("stated_total_kr")
    if stated is not None and not isinstance(stated, (int, float)):
        raise plan.error("budget.stated_total_kr", "stated_total_kr must be a number")
    gap = None if stated is None else stated - total
    flag = gap is not None and abs(gap) >= 0.5
    notes = []
    if flag:
        notes.append(f"Delbeløbene summerer til {kr(total)}, men den angivne total er {kr(stated)} "
                     f"(en difference på {kr(abs(gap))}). Tallene bør afklares med planens økonomiansvarlige.")
    local = sum(p["amount_kr"] for p in parts if any(w in p["source"].lower() for w in _LOCAL_WORDS))
    local_share = 100 * local / total if total else math.nan
    min_local = section.get("min_local_share_pct_plan")
    local_note = ""
    if min_local is not None and total:
        local_note = (f"Lokal medfinansiering udgør {pct(local_share)} af indsatsområdets delbeløb. "
                      f"Landsbyggefondens krav om mindst {pct(min_local, 0)} gælder helhedsplanen "
                      f"som helhed, ikke det enkelte indsatsområde, og kan ikke afgøres her.")
    out = {"financing": parts, "computed_total_kr": total, "stated_total_kr": stated,
           "gap_kr": gap, "flag": bool(flag), "local_share_pct": local_share,
           "min_local_share_pct_plan": min_local, "local_share_note": local_note, "notes": notes}
    out["cost_per_participant"] = cost_per_participant(total, stated, participants)
    return out


def cost_per_participant(computed_total: float, stated_total: float | None,
                         participants: dict[str, Any] | None) -> dict[str, Any]:
    """Budget per participant over the plan period, from both totals.

    ``participants``: counts such as ``courses_started`` and ``event_participants``; their
    sum is the denominator (NaN and a note when there are none).

    >>> c = cost_per_participant(1008000, 1107000, {"courses_started": 80, "event_participants": 40})
    >>> c["participants"], c["per_participant_computed_kr"]
    (120, 8400.0)
    """
    counts = {k: v for k, v in (participants or {}).items() if v is not None and not
              (isinstance(v, float) and math.isnan(v))}
    n = int(sum(counts.values())) if counts else 0
    return {
        "participants": n, "by_kind": counts,
        "per_participant_computed_kr": computed_total / n if n else math.nan,
        "per_participant_stated_kr": (stated_total / n) if (n and stated_total is not None) else math.nan,
        "note": ("unge i individuelle forløb plus deltagere i opkvalificering i planperioden; "
                 "en person kan tælle flere gange") if n else "ingen deltagertal i loggene",
    }
