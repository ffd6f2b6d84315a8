"""Report view of the qualitative results log: the yearly relevance assessment of each
activity, focus-group findings and the decisions taken (:mod:`evaluering.sources.qualitative`)."""

from __future__ import annotations

import pandas as pd

from .. import fmt
from .html import esc, table

__all__ = ["ASSESSING_KINDS", "KIND_LABELS", "relevance_table", "qualitative_table"]

#: entries that assess a goal (a qualitative goal is then not "unassessed")
ASSESSING_KINDS = ("fokusgruppe", "relevansvurdering")
KIND_LABELS = {"fokusgruppe": "Fokusgruppe", "relevansvurdering": "Relevansvurdering", "beslutning": "Beslutning"}


def _date(d) -> str:
    return fmt.MISSING if d is None or pd.isna(d) else f"{d:%d.%m.%Y}"


def relevance_table(q: pd.DataFrame | None, activities: list[tuple[str, str]], years: list[int]) -> str:
    """Each activity's relevance assessment in each year of the period (``ikke vurderet``
    where the log has none)."""
    rows = []
    for act_id, name in activities:
        row = [f"{act_id}: {name}"]
        for y in years:
            sel = q[(q["kind"] == "relevansvurdering") & (q["activity"] == act_id) & (q["date"].dt.year == y)] \
                if q is not None and len(q) else []
            if len(sel):
                row.append("; ".join(str(a) if isinstance(a, str) else "vurderet" for a in sel["assessment"]))
            else:
                row.append("ikke vurderet")
        rows.append(row)
    return table(["Aktivitet", *map(str, years)], rows,
                 caption="Årlig relevansvurdering af hver aktivitet (kilde: loggen over kvalitative resultater)")


def qualitative_table(q: pd.DataFrame | None, last_year: int, first_year: int | None = None) -> str:
    """The log's entries from ``first_year`` (default: all) to ``last_year``, newest last."""
    if q is None or not len(q):
        return "<p>Loggen over kvalitative resultater er tom.</p>"
    y = q["date"].dt.year
    sel = q[(y <= last_year) & ((y >= first_year) if first_year else True)].sort_values(["date", "kind"], kind="stable")
    if not len(sel):
        return f"<p>Ingen kvalitative resultater registreret i {last_year}.</p>"
    rows = [[_date(r["date"]), KIND_LABELS.get(r["kind"], r["kind"]),
             r["activity"] if isinstance(r["activity"], str) else fmt.MISSING,
             r["assessment"] if isinstance(r["assessment"], str) else fmt.MISSING, esc(r["result"])]
            for _, r in sel.iterrows()]
    rows = [[esc(a), esc(b), esc(c), esc(d), e] for a, b, c, d, e in rows]
    from .html import Cell

    rows = [[Cell(x) for x in r] for r in rows]
    span = f"{first_year}–{last_year}" if first_year and first_year != last_year else str(last_year)
    return table(["Dato", "Type", "Aktivitet", "Vurdering", "Resultat"], rows,
                 caption=f"Kvalitative resultater {span}: fokusgrupper, relevansvurderinger og beslutninger")
