"""Report view of the effect estimate: difference-in-differences against comparison estates.

The outcome is the share of 10-17-year-olds suspected or charged (the plan's first
criterion); the estimate is two-way fixed effects on estate-year cells, weighted by the
number of young residents, with CR2 standard errors and Satterthwaite degrees of freedom
(few treated estates); an event study shows the years around the start and tests for
pre-trends.
"""

from __future__ import annotations

import json

from .. import fmt
from ..theme import figure_html, new_figure, set_title
from . import text
from .html import esc, notice, table

__all__ = ["effect_section", "EFFECT_MEASURE", "EFFECT_AGE_BAND"]

EFFECT_MEASURE = "sigtet_mistaenkt"
EFFECT_AGE_BAND = "10-17"


def _pp(x, decimals: int = 2) -> str:
    """A share difference (0-1 scale) in percentage points."""
    return fmt.signed(100 * x, decimals) if x == x else fmt.MISSING


def effect_section(report) -> tuple[str, dict]:
    """HTML of the effect section and its figures payload."""
    from .. import did

    plan = report.plan
    cells = report.cells
    try:
        panel = did.panel_from_cells(cells, EFFECT_MEASURE, EFFECT_AGE_BAND, plan)
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
    set_title(ax, "Event study: andel 10-17-årige sigtet eller mistænkt")
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
    out = [f"<p>Udfald: andel af 10-17-årige sigtet eller mistænkt mindst én gang. Helhedsplanens "
           f"{n_treated} afdelinger (start {plan.start_year}) mod {n_control} afdelinger uden plan, "
           f"{int(panel['time'].min())}–{int(panel['time'].max())}; to-vejs faste effekter for afdeling og år, "
           f"vægtet med antallet af 10-17-årige.</p>",
           table(["", "Værdi"], rows, caption="Effektestimat (difference-in-differences)", numeric_cols=(1,)),
           f"<p><b>Konklusion:</b> {esc(verdict)}{esc(pre_text)}</p>",
           fig_html,
           notice(f"<b>Forbehold:</b> {esc(text.MOVING_CAVEAT)}", "warning")]
    payload = {"available": True, "estimator": "twfe", "vcov": res.vcov, "att": res.to_dict(),
               "event_study": ev.to_dict(), "n_treated_units": int(n_treated), "n_control_units": int(n_control)}
    truth_file = report.project_root / "data" / "raw" / "synthetic" / "truth.json"
    if report.synthetic and truth_file.is_file():
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        if truth.get("effect", {}).get("measure") == EFFECT_MEASURE and "effect_pp" in truth:
            out.insert(3, notice(
                f"<b>Syntetiske data:</b> effekten er lagt ind i data: {fmt.signed(truth['effect_pp'], 1)} "
                f"procentpoint fra {plan.start_year}. Estimatet bør ligge tæt på den.", "synthetic"))
            payload["true_effect_pp"] = truth["effect_pp"]
    return "".join(out), payload
