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

__all__ = ["check_budget", "cost_per_participant", "plan_budget", "is_local", "MIN_LOCAL_SHARE_PCT"]

_LOCAL_WORDS = ("lokal", "kommune", "boligorganisation", "medfinansiering")
#: Landsbyggefonden's rule: local co-financing of at least 25 % of the plan as a whole
MIN_LOCAL_SHARE_PCT = 25


def is_local(source: str) -> bool:
    """True when a financing part is local co-financing (kommune, boligorganisation, ...).

    >>> is_local("Lokal medfinansiering"), is_local("Landsbyggefonden")
    (True, False)
    """
    return any(w in str(source).lower() for w in _LOCAL_WORDS)


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


def plan_budget(plan, area_budgets: list[dict], areas: list) -> dict[str, Any]:
    """The budget of the plan as a whole: every delaftale's financing parts (and the plan's
    own ``budget:`` beside ``focus_areas:``, e.g. the shared secretariat), totals by source
    and Landsbyggefonden's rule of at least 25 % local co-financing of the plan as a whole.

    A single-area plan file holds one delaftale of a plan whose other delaftaler may be
    elsewhere: the rule is then reported, not judged (``local_share_ok`` None).

    >>> b = plan_budget(type("P", (), {"multi_area": True, "section": lambda s, n, d=None: None})(),
    ...     [{"financing": [{"source": "Landsbyggefonden", "amount_kr": 750}, {"source": "Kommune",
    ...       "amount_kr": 250}], "computed_total_kr": 1000, "stated_total_kr": None, "flag": False}],
    ...     [type("A", (), {"id": "a", "focus_area": "A"})()])
    >>> b["local_share_pct"], b["local_share_ok"]
    (25.0, True)
    """
    from .fmt import kr, pct

    rows = []
    for area, b in zip(areas, area_budgets):
        for f in b.get("financing", []):
            rows.append({"delaftale": area.id, "focus_area": area.focus_area, "source": f["source"],
                         "amount_kr": f["amount_kr"], "local": is_local(f["source"])})
    shared = plan.section("budget") if getattr(plan, "multi_area", False) else None
    if shared:
        for i, f in enumerate(shared.get("financing") or []):
            if not isinstance(f, dict) or not isinstance(f.get("amount_kr"), (int, float)) or f["amount_kr"] < 0:
                raise plan.error(f"budget.financing.{i}.amount_kr", "each financing part needs amount_kr >= 0")
            rows.append({"delaftale": "", "focus_area": "Fælles (samarbejdsaftalen)",
                         "source": str(f.get("source", f"del {i + 1}")), "amount_kr": f["amount_kr"],
                         "local": is_local(str(f.get("source", "")))})
    total = sum(r["amount_kr"] for r in rows)
    local = sum(r["amount_kr"] for r in rows if r["local"])
    share = 100 * local / total if total else math.nan
    min_pct = MIN_LOCAL_SHARE_PCT
    for b in area_budgets:
        if b.get("min_local_share_pct_plan") is not None:
            min_pct = b["min_local_share_pct_plan"]
    whole = bool(getattr(plan, "multi_area", False))
    ok = (share >= min_pct - 1e-9) if (whole and total) else None
    by_area = []
    for area, b in zip(areas, area_budgets):
        by_area.append({"delaftale": area.id, "focus_area": area.focus_area,
                        "computed_total_kr": b.get("computed_total_kr"), "stated_total_kr": b.get("stated_total_kr"),
                        "flag": bool(b.get("flag")),
                        "local_kr": sum(f["amount_kr"] for f in b.get("financing", []) if is_local(f["source"]))})
    if shared:
        amount = sum(r["amount_kr"] for r in rows if r["delaftale"] == "")
        by_area.append({"delaftale": "", "focus_area": "Fælles (samarbejdsaftalen)", "computed_total_kr": amount,
                        "stated_total_kr": None, "flag": False,
                        "local_kr": sum(r["amount_kr"] for r in rows if r["delaftale"] == "" and r["local"])})
    if ok is None:
        note = (f"Lokal medfinansiering udgør {pct(share)} af delaftalens delbeløb. Kravet om mindst "
                f"{pct(min_pct, 0)} gælder helhedsplanen som helhed; planfilen rummer kun én delaftale, "
                "så kravet kan ikke afgøres her.") if total else ""
    else:
        note = (f"Lokal medfinansiering: {kr(local)} af {kr(total)} for hele planen = {pct(share)}; "
                f"Landsbyggefonden kræver mindst {pct(min_pct, 0)}: "
                + ("kravet er opfyldt." if ok else "kravet er IKKE opfyldt."))
    return {"by_area": by_area, "financing": rows, "computed_total_kr": total, "local_kr": local,
            "local_share_pct": share, "min_local_share_pct_plan": min_pct, "local_share_ok": ok,
            "local_share_note": note, "flag": any(r["flag"] for r in by_area),
            "stated_total_kr": None, "gap_kr": None,
            "notes": [n for b in area_budgets for n in b.get("notes", [])]}
