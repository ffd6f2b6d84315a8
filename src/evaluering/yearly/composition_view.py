"""Report section (Danish): effekt eller ændret beboersammensætning?

Beside the area-level effect estimate: the resident-panel (cohort) estimate and the
decomposition of the plan area's change since the baseline year into stayers, movers in and
movers out (:mod:`evaluering.did.composition`). Every count is read from the release
(:mod:`evaluering.disclosure.release`, which holds each estate's stayers and movers as the same
unknowns in every plan, tied to the estates' own cells); a contribution computed from a
suppressed count is not shown.

>>> html, payload = composition_section(cells, plan_estates, controls, "uden_for_arbejde_uddannelse",
...     "18-64", "andel 18-64-årige uden for arbejde og uddannelse", 2016, 2020)   # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from .. import fmt
from .html import Cell, count_cell, esc, notice, table

__all__ = ["composition_section", "composition_table", "report_composition", "released_counts",
           "composition_sections"]

_GROUPS = (("area0", 0, "Blivende", "stay0"), ("area0", 0, "Fraflyttede", "out"), ("area0", 0, "I alt", "area0"),
           ("area1", 1, "Blivende", "stay1"), ("area1", 1, "Tilflyttede", "in"), ("area1", 1, "I alt", "area1"))


def composition_table(dec, threshold: int = 3):
    """The decomposition as a released table (:class:`~evaluering.disclosure.SuppressedTable`)."""
    years = (dec.year0, dec.year1)
    rows = [{"år": years[i], "gruppe": label, "antal": dec.counts[g][0], "personer": dec.counts[g][1]}
            for _, i, label, g in _GROUPS]
    return _with_rate(pd.DataFrame(rows), threshold)


def _with_rate(df: pd.DataFrame, threshold: int):
    from ..disclosure import suppress_table

    df = df.assign(andel=df["antal"] / df["personer"].where(df["personer"] > 0))
    return suppress_table(df, count_cols=["antal", "personer"], rate_cols={"andel": ("antal", "personer")},
                          totals={"gruppe": "I alt"}, keys=["år", "gruppe"], threshold=threshold)


def _pp(x) -> str:
    return fmt.signed(100 * x, 1) + " pp" if x == x else fmt.MISSING


def released_counts(dec, release, indicator_id: str, plan_id: str, threshold: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table's counts as the release publishes them (the one disclosure boundary, which
    sees the same counts of every plan: shared estates are the same unknowns); without a
    release (disclosure control off, or a library call) :func:`composition_table`."""
    if release is None:
        t = composition_table(dec, threshold)
        return t.data, t.reasons
    from ..did.composition import release_key

    years = (dec.year0, dec.year1)
    data, reasons = [], []
    for _, i, label, g in _GROUPS:
        vals, why = {}, {}
        for col, role in (("antal", "numerator"), ("personer", "denominator")):
            v, reason = release.cell(*release_key(g, indicator_id, dec.year0, "plan", plan_id, dec.year1, role))
            vals[col], why[col] = (float("nan") if v is None else v), reason
        shown = why["antal"] is None and why["personer"] is None and vals["personer"] > 0
        data.append({"år": years[i], "gruppe": label, **vals,
                     "andel": vals["antal"] / vals["personer"] if shown else float("nan")})
        reasons.append({"år": None, "gruppe": None, **why,
                        "andel": None if shown else (why["antal"] or why["personer"] or "diskretioneret")})
    return pd.DataFrame(data), pd.DataFrame(reasons)


def composition_section(cells: pd.DataFrame, plan_estates: dict[str, int], controls, measure: str, age_band: str,
                        label_da: str, baseline: int, year: int, threshold: int = 3, release=None,
                        indicator_id: str | None = None, plan_id: str | None = None) -> tuple[str, dict]:
    """HTML of the section and its figures payload (only released values: ``release`` with
    the ``indicator_id`` and ``plan_id`` it knows the counts by)."""
    from ..did.composition import cohort_estimate, decompose

    if not (cells["level"] == "cohort_stayers").any():
        return notice("Ingen beboerkohorte-celler (kør <code>evaluering build</code>).", "warning"), {"available": False}
    dec = decompose(cells, list(plan_estates), measure, age_band, baseline, year)
    data, reasons = released_counts(dec, release if indicator_id and plan_id else None, indicator_id or "",
                                    plan_id or "", threshold)
    any_suppressed = bool(reasons[["antal", "personer", "andel"]].notna().to_numpy().any())
    contrib = {"stay1": dec.stayers, "in": dec.movers_in, "out": dec.movers_out}
    rows = []
    for k, (_, _, label, g) in enumerate(_GROUPS):
        n, p = data.loc[k, "antal"], data.loc[k, "personer"]
        share = data.loc[k, "andel"]
        c = contrib.get(g)
        rows.append([str(data.loc[k, "år"]), label,
                     count_cell(None if pd.isna(n) else int(n), fmt.number(n), reasons.loc[k, "antal"]),
                     count_cell(None if pd.isna(p) else int(p), fmt.number(p), reasons.loc[k, "personer"]),
                     fmt.pct(100 * share, 1) if not pd.isna(share) else Cell(esc(reasons.loc[k, "andel"] or "")),
                     "" if c is None else ("diskretioneret" if any_suppressed else _pp(c))])
    html = [f"<h3>Effekt eller ændret beboersammensætning? ({esc(label_da)})</h3>",
            "<p>Ændringen i boligafdelingerne fra {0} til {1} delt op i de blivende beboeres egen ændring og "
            "bidraget fra til- og fraflytning (de tre bidrag summer til ændringen; procentpoint).</p>"
            .format(baseline, year),
            table(["År", "Gruppe", "Antal", "Personer", "Andel", "Bidrag til ændringen"], rows,
                  caption=f"Ændring i alt: {'diskretioneret' if any_suppressed else _pp(dec.change)}",
                  numeric_cols=(2, 3, 4, 5))]
    payload = {"available": True, "measure": measure, "baseline": baseline, "year": year,
               "change_pp": None if any_suppressed else round(100 * dec.change, 4),
               "stayers_pp": None if any_suppressed else round(100 * dec.stayers, 4),
               "movers_in_pp": None if any_suppressed else round(100 * dec.movers_in, 4),
               "movers_out_pp": None if any_suppressed else round(100 * dec.movers_out, 4)}
    try:
        comp = cohort_estimate(cells, plan_estates, controls, measure, age_band, baseline, last_year=year)
    except Exception as err:   # e.g. no treated cohort years yet
        html.append(notice(f"Intet kohorteestimat: {esc(str(err))}", "info"))
        return "".join(html), payload
    t = comp.tidy()
    labels = {"area": "Områdeniveau (afdelingernes beboere hvert år)",
              "cohort": f"Beboerkohorte (beboerne {baseline}, fulgt hvor de flytter hen)"}
    est_rows = [[labels[r.design], _pp(r.estimate), f"{_pp(r.conf_low)} til {_pp(r.conf_high)}", str(r.n_units)]
                for r in t.itertuples()]
    html.append(table(["Design", "Estimat", "95 %-konfidensinterval", "Enheder"], est_rows,
                      caption="Forskel-i-forskelle, samme afdelinger og år", numeric_cols=(1, 3)))
    html.append("<p>Områdeestimatet blander effekt og ændret beboersammensætning; kohorteestimatet følger "
                "de personer, planen nåede, og fortyndes når de flytter væk.</p>")
    payload["estimates"] = {r.design: {"estimate_pp": round(100 * r.estimate, 4), "conf_low_pp": round(100 * r.conf_low, 4),
                                       "conf_high_pp": round(100 * r.conf_high, 4)} for r in t.itertuples()}
    return "".join(html), payload


def report_composition(report, measure: str | None = None, age_band: str | None = None,
                       label_da: str | None = None, indicator_id: str | None = None) -> tuple[str, dict]:
    """The section for a yearly report (``report.plan``, ``report.cells``, ``report.year``):
    the plan's estates against its comparison estates (:mod:`evaluering.effect_controls`), the
    report's effect outcome, baseline = the year before the plan's start."""
    from .effect_view import EFFECT_AGE_BAND, EFFECT_MEASURE

    plan, cells = report.plan, report.cells
    starts = {e.id: (e.start_year or plan.start_year) for e in plan.estates}
    from ..effect_controls import comparison_estates

    controls, _ = comparison_estates(plan, cells)     # never another plan's treated estates
    baseline = plan.start_year - 1
    if int(report.year) <= baseline:
        return notice("Beboersammensætning: rapportåret ligger før planens start.", "info"), {"available": False}
    return composition_section(cells, starts, controls, measure or EFFECT_MEASURE, age_band or EFFECT_AGE_BAND,
                               label_da or "andel 10-17-årige sigtet eller mistænkt", baseline, int(report.year),
                               threshold=report.threshold, release=report.release, indicator_id=indicator_id,
                               plan_id=report.plan.id)


def composition_sections(report) -> tuple[str, list[dict]]:
    """Every composition section of a report (``report.plan``, ``cells``, ``catalogue``,
    ``release``): one per indicator of :func:`~evaluering.did.composition.composition_indicators`,
    the list the disclosure release protects."""
    from ..did.composition import composition_indicators

    out, payload = [], []
    for ind in composition_indicators(report.plan, report.catalogue, report.cells):
        html_out, data = report_composition(report, measure=ind.measure, age_band=ind.age_band,
                                            label_da=ind.label_da.lower() if ind.label_da else ind.id,
                                            indicator_id=ind.id)
        out.append(html_out)
        payload.append({"indicator": ind.id, **data})
    if not out:
        return "<p>Ingen udfald at dele op i blivende og flyttende beboere.</p>", payload
    return "".join(out), payload
