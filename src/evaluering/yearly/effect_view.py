"""Report view of the effect estimate: difference-in-differences against comparison estates.

The outcome is the focus area's effect outcome (``effect_outcome`` of its file in
``domain/focus_areas/``; the share of 10-17-year-olds suspected or charged for the crime
areas); the estimate is two-way fixed effects on estate-year cells, weighted by the
population of the outcome, with CR2 standard errors and Satterthwaite degrees of freedom
(few treated estates); an event study shows the years around the start and tests for
pre-trends. The controls are the plan's own comparison estates
(:mod:`evaluering.effect_controls`), never another plan's treated estates. Beside it: the sensitivity of
the event study to parallel-trends violations (Rambachan & Roth 2023: the breakdown values under
smoothness, M, and relative magnitudes, Mbar, for the same target, the mean of the years after the
start) and, for the plan, synthetic DiD (Arkhangelsky et al. 2021) with its placebo interval
and a trajectory plot whose points pass the disclosure guard (a year whose treated or weighted
comparison count is below the threshold is left out).
"""

from __future__ import annotations

import json

import pandas as pd

from .. import fmt
from ..theme import figure_html, new_figure, set_title
from . import text
from .html import esc, notice, table

__all__ = ["effect_section", "effect_outcome", "EFFECT_MEASURE", "EFFECT_AGE_BAND"]

#: the outcome of a plan whose focus area is unknown (the bundled crime delaftale's)
EFFECT_MEASURE = "sigtet_mistaenkt"
EFFECT_AGE_BAND = "10-17"


def effect_outcome(report) -> dict:
    """The effect outcome of the report's delaftale: indicator, measure, age band and the
    Danish labels, from its focus-area file (the crime outcome when the area is unknown)."""
    try:
        spec = getattr(report.plan, "focus_area_spec", None)
    except Exception:   # an unknown focus area name: the default outcome
        spec = None
    out = {"indicator": "andel_sigtede_10_17", "measure": EFFECT_MEASURE, "age_band": EFFECT_AGE_BAND,
           "label_da": "andel af 10-17-årige sigtet eller mistænkt mindst én gang",
           "title_da": "Event study: andel 10-17-årige sigtet eller mistænkt",
           "weight_da": "antallet af 10-17-årige"}
    if spec is not None and spec.effect_outcome:
        eo = dict(spec.effect_outcome)
        ind = report.catalogue.get(eo["indicator"])
        out.update(eo)
        if ind is not None:
            out.setdefault("measure", ind.measure)
            out.setdefault("age_band", ind.age_band)
            out["measure"], out["age_band"] = eo.get("measure", ind.measure), eo.get("age_band", ind.age_band)
            out["distribution"] = ind.distribution
    return out


def _pp(x, decimals: int = 2) -> str:
    """A share difference (0-1 scale) in percentage points."""
    return fmt.signed(100 * x, decimals) if x == x else fmt.MISSING


def effect_section(report) -> tuple[str, dict]:
    """HTML of the effect section and its figures payload."""
    from .. import did

    from ..effect_controls import comparison_estates, own_estates_in_cells

    plan = report.plan
    cells = report.cells
    outcome = effect_outcome(report)
    measure, age_band = outcome["measure"], outcome["age_band"]
    if outcome.get("distribution") == "mean":
        return (notice("Intet effektestimat: udfaldet er et gennemsnit, og effektestimatet er lavet til andele.",
                       "warning"), {"available": False, "outcome": outcome["indicator"]})
    own = own_estates_in_cells(plan, cells[(cells["measure"] == measure) & (cells["age_band"] == age_band)])
    if not own:
        return (notice(f"Intet effektestimat: der er ingen tælleceller for planens egne afdelinger "
                       f"({esc(', '.join(plan.estate_ids[:3]))}{' …' if len(plan.estate_ids) > 3 else ''}) "
                       f"for udfaldet {esc(outcome['label_da'])}. Rapporten viser ikke andre planers data i stedet.",
                       "warning"), {"available": False, "reason": "no_estate_cells", "outcome": outcome["indicator"]})
    controls, control_note = comparison_estates(plan, cells)
    if not controls:
        return (notice("Intet effektestimat: der er ingen sammenligningsafdelinger uden helhedsplan i data "
                       f"({esc(control_note)}).", "warning"),
                {"available": False, "reason": "no_controls", "outcome": outcome["indicator"]})
    try:
        panel = did.panel_from_cells(cells, measure, age_band, plan, comparison_estates=controls)
    except Exception as err:  # no estate cells: say so instead of failing the report
        return (notice(f"Intet effektestimat: {esc(getattr(err, 'message', str(err)))}", "warning"),
                {"available": False})
    panel = panel[panel["time"] <= report.year]
    n_treated = panel.loc[panel["start"] > 0, "unit"].nunique()
    n_control = panel.loc[panel["start"] == 0, "unit"].nunique()
    if n_treated == 0 or n_control == 0 or (panel["time"] >= plan.start_year).sum() == 0:
        return (notice("Intet effektestimat: der mangler behandlede afdelinger, sammenligningsafdelinger "
                       "eller år efter planstart i data.", "warning"), {"available": False})
    res = did.twfe(panel, count="count", population="population")
    ev = did.event_study(panel, count="count", population="population")
    att = res.tidy().iloc[0]
    pre = ev.tests.get("pretrend", {})

    import matplotlib.pyplot as plt

    fig, ax = new_figure((7.5, 4), left=0.10, right=0.97, bottom=0.13, top=0.90)
    ev.plot(ax=ax)
    set_title(ax, outcome["title_da"])
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.number(100 * v, 1)))
    ax.set_ylabel("forskel i procentpoint")
    t = ev.tidy()
    evrows = t[t["kind"] == "event"]
    alt = ("Event study med estimater pr. år i forhold til planstart: "
           + "; ".join(f"{int(e)}: {_pp(v)} procentpoint" for e, v in zip(evrows["event_time"], evrows["estimate"])) + ".")
    fig_html = figure_html(fig, title="Event study", alt=alt,
                           source="Syntetiske data" if report.synthetic else "Registerdata (tælleceller)",
                           unit="procentpoint",
                           note="Referenceår -1 er sat til 0; lodrette streger: 95 %-interval (CR2).")
    rows = [
        ["Estimat (ATT)", f"{_pp(att['estimate'])} procentpoint"],
        ["95 %-konfidensinterval", f"{_pp(att['conf_low'])} til {_pp(att['conf_high'])} procentpoint"],
        ["Standardfejl", f"{fmt.number(100 * att['std_error'], 2)} procentpoint ({esc(res.vcov)}, klynge = afdeling)"],
        ["Frihedsgrader (Satterthwaite)", fmt.number(att["df"], 1)],
        ["p-værdi (ingen effekt)", fmt.number(att["p_value"], 3)],
        ["Behandlede / sammenligningsafdelinger", f"{n_treated} / {n_control}"],
        ["Afdelingsår", fmt.number(res.n_obs)],
        ["Test for parallelle førperioder (F, p)",
         f"F = {fmt.number(pre.get('statistic'), 2)}, p = {fmt.number(pre.get('p_value'), 3)}"
         if pre else fmt.MISSING],
    ]
    lo, hi = att["conf_low"], att["conf_high"]
    if hi < 0:
        verdict = "Andelen faldt mere i helhedsplanens afdelinger end i sammenligningsafdelingerne, og forskellen er statistisk sikker."
    elif lo > 0:
        verdict = "Andelen steg mere i helhedsplanens afdelinger end i sammenligningsafdelingerne, og forskellen er statistisk sikker."
    else:
        verdict = "Forskellen mellem helhedsplanens afdelinger og sammenligningsafdelingerne kan ikke skelnes fra tilfældig variation."
    pre_p = pre.get("p_value") if pre else None
    pre_text = ""
    if pre_p is not None and pre_p == pre_p:
        pre_text = (" Førperioderne giver ikke tegn på forskellige tendenser før planstart (p = "
                    f"{fmt.number(pre_p, 2)})." if pre_p >= 0.05 else
                    " Advarsel: førperioderne tyder på forskellige tendenser allerede før planstart (p = "
                    f"{fmt.number(pre_p, 2)}); estimatet skal læses med forsigtighed.")
    out = [f"<p>Udfald: {esc(outcome['label_da'])}. Helhedsplanens "
           f"{n_treated} afdelinger (start {plan.start_year}) mod {n_control} afdelinger uden plan "
           f"({esc(control_note)}), "
           f"{int(panel['time'].min())}–{int(panel['time'].max())}; to-vejs faste effekter for afdeling og år, "
           f"vægtet med {esc(outcome['weight_da'])}.</p>",
           table(["", "Værdi"], rows, caption="Effektestimat (difference-in-differences)", numeric_cols=(1,)),
           f"<p><b>Konklusion:</b> {esc(verdict)}{esc(pre_text)}</p>",
           fig_html,
           notice(f"<b>Forbehold:</b> {esc(text.MOVING_CAVEAT)}", "warning")]
    honest_html, honest_payload = _honest_part(ev)
    sdid_html, sdid_payload = _synthdid_part(report, panel)
    out[4:4] = [honest_html, sdid_html]
    payload = {"available": True, "outcome": outcome["indicator"], "measure": measure,
               "comparison_estates": controls, "estimator": "twfe",
               "honest": honest_payload.get("smoothness", honest_payload),
               "honest_relative_magnitude": honest_payload.get("relative_magnitude", {"available": False}),
               "synthdid": sdid_payload, "vcov": res.vcov, "att": res.to_dict(),
               "event_study": ev.to_dict(), "n_treated_units": int(n_treated), "n_control_units": int(n_control)}
    truth_file = report.project_root / "data" / "raw" / "synthetic" / "truth.json"
    if report.synthetic and truth_file.is_file():
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        true_pp = None
        per_plan = (truth.get("effects") or {}).get(plan.id) or {}
        if measure in per_plan:   # {plan: {measure: effect}}; a share difference (0-1) or pp
            v = float(per_plan[measure])
            true_pp = 100 * v if abs(v) < 1 else v
        elif truth.get("effect", {}).get("measure") == measure and "effect_pp" in truth \
                and truth.get("plan", plan.id) == plan.id:
            true_pp = truth["effect_pp"]
        if true_pp is not None:
            out.insert(3, notice(
                f"<b>Syntetiske data:</b> effekten er lagt ind i data: {fmt.signed(true_pp, 1)} "
                f"procentpoint fra {plan.start_year}. Estimatet bør ligge tæt på den.", "synthetic"))
            payload["true_effect_pp"] = true_pp
    return "".join(out), payload


def _rm_part(ev, l_vec) -> tuple[str, str, dict]:
    """Relative magnitudes (Delta^RM(Mbar)) for the same target: table, breakdown line, payload."""
    from .. import did

    try:
        hr = did.honest(ev, method="relative_magnitude", l_vec=l_vec)
    except Exception as err:  # e.g. too many post periods for the exact computation
        return "", f"Mbar: ikke beregnet ({str(err)})", {"available": False}
    rows = []
    for _, r in hr.tidy().iterrows():
        if r["kind"] == "original":
            continue
        label = ("Mbar = 0 (ingen brud efter planstart)" if r["M"] == 0
                 else f"Mbar = {fmt.number(r['M'], 1)}")
        rows.append([label, f"{_pp(r['conf_low'])} til {_pp(r['conf_high'])} procentpoint",
                     "ja" if r["excludes_zero"] else "nej"])
    bd = hr.breakdown
    if bd is None:
        line = "Mbar: intervallet udelukker ikke 0, heller ikke uden brud efter planstart"
    elif bd == float("inf"):
        line = "Mbar: intervallet udelukker 0 for alle undersøgte Mbar"
    elif bd == 0:
        line = "Mbar = 0 (relative størrelser: intervallet omfatter 0 allerede uden brud efter planstart)"
    else:
        line = f"Mbar = {fmt.number(bd, 2)} (relative størrelser)"
    tab = table(["Antagelse", "95 %-interval (gennemsnit af årene efter start)", "Udelukker 0"], rows,
                caption="Robuste intervaller (Rambachan & Roth 2023, relative størrelser, betinget/LF-hybrid)",
                numeric_cols=(1,))
    return tab, line, hr.to_dict()


def _honest_part(ev) -> tuple[str, dict]:
    """The breakdown values of the event study under smoothness (Delta^SD(M)) and relative
    magnitudes (Delta^RM(Mbar)); payload ``{"smoothness": ..., "relative_magnitude": ...}``."""
    from .. import did

    try:
        hr = did.honest(ev, method="smoothness")
    except Exception as err:  # too few pre or post periods: say so
        return notice(f"Ingen følsomhedsanalyse: {esc(str(err))}", "info"), {"available": False}
    t = hr.tidy()
    rows = []
    for _, r in t.iterrows():
        if r["kind"] == "original":
            label = "Præcis parallelle tendenser"
        elif r["M"] == 0:
            label = "M = 0 (en lineær forskel i tendens fortsætter)"
        else:
            label = f"M = {fmt.number(100 * r['M'], 3)} procentpoint"
        rows.append([label, f"{_pp(r['conf_low'])} til {_pp(r['conf_high'])} procentpoint",
                     "ja" if r["excludes_zero"] else "nej"])
    bd = hr.breakdown
    if bd is None:
        bd_text = "Intervallet udelukker ikke 0, heller ikke under parallelle tendenser."
        m_line = "M: intervallet udelukker ikke 0, heller ikke under parallelle tendenser"
    elif bd == float("inf"):
        bd_text = "Intervallet udelukker 0 for alle undersøgte M."
        m_line = "M: intervallet udelukker 0 for alle undersøgte M"
    else:
        bd_text = (f"Nedbrudsværdi: M = {fmt.number(100 * bd, 3)} procentpoint pr. år. Et brud på de parallelle "
                   "tendenser mindre end det ændrer ikke konklusionen; et større kan.")
        if bd == 0:
            bd_text = ("Nedbrudsværdi: 0. Allerede en lineær forskel i tendenserne, som fortsætter efter "
                       "planstart, kan forklare forskellen.")
        m_line = f"M = {fmt.number(100 * bd, 3)} procentpoint pr. år (glathed)"
    rm_table, rm_line, rm_payload = _rm_part(ev, hr.l_vec)
    html_out = ("<h3>Hvor robust er estimatet? (følsomhedsanalyse)</h3>"
                f"<p>{esc(text.HONEST_EXPLANATION)}</p>"
                + table(["Antagelse", "95 %-interval (gennemsnit af årene efter start)", "Udelukker 0"], rows,
                        caption="Robuste intervaller (Rambachan & Roth 2023, glathed, FLCI)", numeric_cols=(1,))
                + f"<p><b>{esc(bd_text)}</b></p>"
                + rm_table
                + f"<p class='honest-breakdown'><b>Nedbrudsværdier: {esc(m_line)}; {esc(rm_line)}.</b> "
                  f"{esc(text.HONEST_RM_EXPLANATION)}</p>")
    return html_out, {"smoothness": hr.to_dict(), "relative_magnitude": rm_payload}


def _synthdid_part(report, panel) -> tuple[str, dict]:
    """Synthetic DiD for the plan: estimate, placebo interval and the trajectory plot."""
    from .. import did
    from ..disclosure import suppress_table
    from ..disclosure.plots import assert_plot_safe, mask_for_plot

    try:
        sd = did.synthdid(panel, count="count", population="population", replications=text.SYNTHDID_REPLICATIONS)
    except Exception as err:  # staggered starts, unbalanced panel, too few comparison estates
        return notice(f"Ingen syntetisk DiD: {esc(getattr(err, 'message', str(err)))}", "info"), {"available": False}
    row = sd.tidy().iloc[0]
    # disclosure: a plotted year needs the treated estates' count and the count of the
    # comparison estates with weight at or above the threshold
    wide_count = panel.pivot_table(index="unit", columns="time", values="count", aggfunc="sum")
    treated_units = panel.loc[panel["start"] > 0, "unit"].unique()
    weighted = sd.unit_weights[sd.unit_weights > 0].index
    tr = sd.trajectory
    counts = pd.DataFrame({"year": tr["time"].astype(int),
                           "treated_count": wide_count.loc[treated_units, tr["time"]].sum().to_numpy(),
                           "synthetic_count": wide_count.loc[weighted, tr["time"]].sum().to_numpy(),
                           "treated": 100 * tr["treated"].to_numpy(), "synthetic": 100 * tr["synthetic"].to_numpy()})
    safe = suppress_table(counts, ["treated_count", "synthetic_count"],
                          rate_cols={"treated": "treated_count", "synthetic": "synthetic_count"},
                          threshold=report.threshold, keys=["year"])
    shown = mask_for_plot(safe, ["treated", "synthetic"])
    fig, ax = new_figure((7.5, 3.6), left=0.10, right=0.97, bottom=0.14, top=0.88)
    ax.plot(shown["year"], shown["treated"], color="C0", marker="o", ms=3, label="helhedsplanens afdelinger")
    ax.plot(shown["year"], shown["synthetic"], color="C1", ls="--", marker="s", ms=3,
            label="syntetisk sammenligning (vægtede afdelinger)")
    ax.axvline(report.plan.start_year - 0.5, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel("år")
    ax.set_ylabel("procent")
    ax.legend(frameon=False, fontsize=8)
    set_title(ax, "Syntetisk DiD: helhedsplanens afdelinger mod deres syntetiske sammenligning")
    assert_plot_safe(fig, safe, cols=["treated", "synthetic"], allow=[1.0])
    pts = [f"{int(y)}: {fmt.number(a, 1)} mod {fmt.number(b, 1)}" for y, a, b in
           zip(shown["year"], shown["treated"], shown["synthetic"]) if a == a and b == b]
    fig_html = figure_html(fig, title="Syntetisk DiD", alt="Andel i procent, helhedsplanens afdelinger mod syntetisk "
                           "sammenligning: " + "; ".join(pts) + ".",
                           source="Syntetiske data" if report.synthetic else "Registerdata (tælleceller)", unit="procent",
                           note="Den syntetiske kurve er forskudt med den tidsvægtede forskel før start; "
                                "år med for få personer er udeladt.")
    w = sd.unit_weights[sd.unit_weights > 0].sort_values(ascending=False)
    weights_text = ", ".join(f"{esc(str(k))} ({fmt.number(100 * v, 0)} %)" for k, v in w.head(5).items())
    rows = [["Estimat (syntetisk DiD)", f"{_pp(row['estimate'])} procentpoint"],
            ["95 %-interval (placebo)", f"{_pp(row['conf_low'])} til {_pp(row['conf_high'])} procentpoint"],
            ["Standardfejl (placebo)", f"{fmt.number(100 * row['std_error'], 2)} procentpoint "
                                       f"({text.SYNTHDID_REPLICATIONS} placeboer)"],
            ["Almindelig DiD (samme afdelinger, uvægtet)", f"{_pp(float(sd.coef()['DiD']))} procentpoint"],
            ["Største vægte", weights_text or fmt.MISSING]]
    html_out = ("<h3>Syntetisk difference-in-differences</h3>"
                f"<p>{esc(text.SYNTHDID_EXPLANATION)}</p>"
                + table(["", "Værdi"], rows, caption="Syntetisk DiD (Arkhangelsky m.fl. 2021)", numeric_cols=(1,))
                + fig_html)
    payload = sd.to_dict()
    payload["available"] = True
    return html_out, payload
