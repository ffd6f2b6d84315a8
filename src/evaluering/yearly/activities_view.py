"""Report view of the activity goals (aktivitetsmål)."""

from __future__ import annotations

import math

import pandas as pd

from .. import fmt
from .criteria_view import status_badge
from .html import Cell, esc, table

__all__ = ["activities_table", "goal_value_text", "PERSON_METRICS"]

#: metrics that count persons (not meetings or events): small counts are suppressed; the
#: generic metrics of declared log kinds (count_rows, share_true) are treated as person counts
PERSON_METRICS = ("courses_started", "attachment_rate", "count_rows", "share_true")
_COUNT_METRICS = ("courses_started", "count_rows")


def _num(x, decimals: int = 0) -> str:
    return fmt.MISSING if x is None or pd.isna(x) else fmt.number(x, decimals)


def _suppress(r, threshold: int) -> str | None:
    """The reason a person-count goal's numbers are withheld, or None: the release's reason
    (``observed_reason``), else the primary rule checked again here."""
    released = r.get("observed_reason")
    if isinstance(released, str) and released:
        return released
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


def goal_value_text(r, threshold: int = 3) -> str:
    """A goal's observed value in a few words (``'5 møder'``, ``'45,5 %'``), or the reason
    it is withheld (``'< 3'``); empty when there is none."""
    reason = _suppress(r, threshold)
    if reason:
        return reason
    if r["observed"] is None or pd.isna(r["observed"]):
        return ""
    if r["kind"] == "share":
        return fmt.pct(r["observed"], 1)
    obs = float(r["observed"])
    text = _num(obs, 0 if obs.is_integer() else 1)
    unit = r.get("unit") or ""
    return f"{text} {unit}".strip()


def activities_table(act: pd.DataFrame, threshold: int = 3, example: bool = False) -> tuple[str, list[dict]]:
    """HTML table of the activity goals and their JSON records (after suppression);
    ``example``: the logs are the bundled example data (values marked synthetic)."""
    from .origin import legend, mark

    sup = mark("synthetic") if example else ""
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
            observed = Cell(f'<span class="ev-count" data-count="{int(r["observed"])}">{esc(observed)}</span>{sup}')
        elif not reason and pd.notna(r["observed"]):
            observed = Cell(esc(observed) + sup)
        if reason:
            kind = "primary" if reason.startswith("<") else "secondary"
            observed = Cell(f'<span class="ev-suppressed" data-suppressed="{kind}">{esc(reason)}</span>')
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
                     caption="Aktivitetsmål i året (kilde: helhedsplanernes logs"
                             + (f"; {legend(('synthetic',))}" if example else "") + ")", numeric_cols=(2,))
    return html_out, records


def counting_rules(plan, logs: dict | None, compact: bool = False) -> str:
    """The rules the engine (:mod:`evaluering.activities`) counts activity goals by, in
    Danish, with this plan's dates and the meeting types its log holds.

    ``compact``: one short paragraph (under the period table); else the full list."""
    from ..activities import ATTACHED, HOLIDAY_PLAN_WINDOW_DAYS

    meetings = (logs or {}).get("meetings")
    kinds = sorted({str(k) for k in meetings["kind"].dropna()}) if meetings is not None and len(meetings) else []
    kinds_text = f" (i loggen: {', '.join(kinds)})" if kinds else ""
    start = plan.start
    first = (f"Planperioden begynder {start:%d.%m.%Y}. Det første år ({start.year}) bedømmes med det fulde "
             f"årsmål ud fra hele kalenderåret: målet omregnes ikke forholdsmæssigt for de måneder før "
             f"planstart. Kun et år, der ikke er slut endnu, bedømmes forholdsmæssigt (mål × den forløbne andel "
             f"af året) som på rette vej eller ikke på rette vej.")
    if start.month == 1 and start.day == 1:
        first = ("Hvert år bedømmes ud fra hele kalenderåret; kun et år, der ikke er slut endnu, bedømmes "
                 "forholdsmæssigt (mål × den forløbne andel af året).")
    meetings_rule = (f"Møder: alle møder i mødeloggen med en dato i året tæller med i årets antal møder, uanset "
                     f"mødetype{kinds_text}; åbne møder er dem, der er markeret „Åbent møde: ja“.")
    if compact:
        return f'<p class="ev-rules"><small><b>Tælleregler.</b> {esc(meetings_rule)} {esc(first)}</small></p>'
    items = [
        meetings_rule,
        (f"Ferieplaner: en skoleferie tæller som dækket, når et møde højst {HOLIDAY_PLAN_WINDOW_DAYS} dage før "
         f"ferien har lavet en ferieplan for den; kun ferier, der begynder i planperioden (fra "
         f"{start:%d.%m.%Y}), kræves."),
        "Målgrupper: møder, hvor en konkret målgruppe og problemstilling er identificeret.",
        ("Forløb: individuelle forløb med en startdato i året. Tilknytning: andelen af årets forløb med kontakt "
         f"opnået, der endte i {' eller '.join(ATTACHED)}, med Wilson-interval."),
        "Opkvalificering: arrangementer i året; „mindst 10 deltagere“ kræver, at hvert af årets arrangementer "
        "når antallet.",
        first,
        "Kvalitative mål (fx „deltagerne oplever sig inkluderet“) vurderes ud fra loggen over kvalitative "
        "resultater (fokusgrupper), ikke ud fra tællingerne.",
    ]
    return ('<div class="ev-rules"><p><b>Sådan tælles aktivitetsmålene</b></p><ul>'
            + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul></div>")
