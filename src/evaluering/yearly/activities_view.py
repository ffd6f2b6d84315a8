"""Report view of the activity goals (aktivitetsmål)."""

from __future__ import annotations

import math

import pandas as pd

from .. import fmt
from .criteria_view import status_badge
from .html import Cell, esc, table

__all__ = ["activities_table", "PERSON_METRICS"]

#: metrics that count persons (not meetings or events): small counts are suppressed; the
#: generic metrics of declared log kinds (count_rows, share_true) are treated as person counts
PERSON_METRICS = ("courses_started", "attachment_rate", "count_rows", "share_true")
_COUNT_METRICS = ("courses_started", "count_rows")


def _num(x, decimals: int = 0) -> str:
    return fmt.MISSING if x is None or pd.isna(x) else fmt.number(x, decimals)


def _suppress(r, threshold: int) -> str | None:
    """The reason a person-count goal's numbers are withheld, or None."""
    if r["metric"] not in PERSON_METRICS:
        return None
    if r["metric"] in _COUNT_METRICS:
        n = r["observed"]
        return f"< {threshold}" if pd.notna(n) and 0 < n < threshold else None
    n = r["n"]
    if pd.isna(n) or pd.isna(r["observed"]):
        return None
    attached = round(float(r["observed"]) * float(n) / 100)
    if 0 < n < threshold or 0 < attached < threshold or 0 < n - attached < threshold:
        return f"< {threshold}"
    return None


def activities_table(act: pd.DataFrame, threshold: int = 3) -> tuple[str, list[dict]]:
    """HTML table of the activity goals and their JSON records (after suppression)."""
    rows, records = [], []
    for _, r in act.iterrows():
        reason = _suppress(r, threshold)
        unit = r.get("unit") or ""
        if r["kind"] == "share":
            target = fmt.pct(r["target"], 0)
            observed = fmt.pct(r["observed"], 1)
            if pd.notna(r["lower"]) and pd.notna(r["upper"]):
                observed += f" ({fmt.pct(r['lower'], 1)}–{fmt.pct(r['upper'], 1)})"
            if pd.notna(r["n"]):
                observed += f"; {_num(r['n'])} med kontakt"
        else:
            target = _num(r["target"])
            observed = _num(r["observed"], 0 if pd.isna(r["observed"]) or float(r["observed"]).is_integer() else 1)
            if unit:
                observed += f" {unit}"
        note = r.get("note") or ""
        if not reason and r["metric"] in _COUNT_METRICS and pd.notna(r["observed"]):
            # a count of young people: marked so that `evaluering audit` checks it
            observed = Cell(f'<span class="ev-count" data-count="{int(r["observed"])}">{esc(observed)}</span>')
        if reason:
            observed = Cell(f'<span class="ev-suppressed" data-suppressed="primary">{esc(reason)}</span>')
            note = "antal udeladt af hensyn til diskretionering"   # the log note repeats the counts
        rows.append([esc(r["activity_name"]), esc(r["title"]), target, observed, status_badge(r["status"]),
                     esc(note)])
        rec = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        if r["metric"] in _COUNT_METRICS:
            rec["persons"] = rec["observed"]
        elif r["metric"] in ("attachment_rate", "share_true") and rec["n"] is not None and rec["observed"] is not None:
            rec["persons"] = int(rec["n"])
            rec["attached_persons"] = round(float(rec["observed"]) * float(rec["n"]) / 100)
        if reason:
            for k in ("observed", "lower", "upper", "n", "persons", "attached_persons"):
                rec[k] = None
            rec["observed_reason"] = reason
            rec["note"] = "antal udeladt af hensyn til diskretionering"
        records.append(rec)
    html_out = table(["Aktivitet", "Mål", "Målværdi", "Observeret", "Status", "Bemærkning"], rows,
                     caption="Aktivitetsmål i året (kilde: helhedsplanernes logs)", numeric_cols=(2,))
    return html_out, records
