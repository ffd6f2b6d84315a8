"""One focus area's section of the plan-level report: the delaftale's criteria, indicators,
target paths, activity goals, budget and effect estimate, built by the per-area section
builders of :class:`~evaluering.yearly.report.YearlyReport` on the delaftale's view of the
plan.

>>> from evaluering.yearly.plan_view import PlanReport           # doctest: +SKIP
>>> report = PlanReport.load("aalborg-oest", 2020)                # doctest: +SKIP
>>> focus_area_section(report.area_reports[0])                    # doctest: +SKIP
"""

from __future__ import annotations

from . import html as h

__all__ = ["focus_area_section", "focus_area_heading", "EXAMPLE_NOTICE"]

EXAMPLE_NOTICE = ("<b>Eksempel:</b> denne delaftale er opdigtet til at vise, hvordan hele planen "
                  "rapporteres (kriterier, aktiviteter og økonomi findes ikke i kildedokumentet).")


def focus_area_heading(area_report, number: str | int | None = None) -> str:
    """The heading and the intro of a delaftale: name, period, example notice, area text."""
    plan = area_report.plan
    d = plan.delaftale or plan.focus_areas[0]
    try:
        spec = plan.focus_area_spec
    except Exception:   # an unknown focus area name
        spec = None
    title = d.focus_area or d.name
    prefix = f"{number} " if number is not None else ""
    out = [f'<h2 id="indsats-{h.esc(d.id)}">{prefix}Indsatsområde: {h.esc(title)}</h2>']
    facts = []
    if spec is not None:
        facts.append(f"Programperiode {h.esc(spec.period)}")
    if d.name and d.name != title:
        facts.append(h.esc(d.name))
    if facts:
        out.append(f"<p>{'. '.join(facts)}.</p>")
    if d.example:
        out.append(h.notice(EXAMPLE_NOTICE, "synthetic"))
    if spec is not None and spec.text("intro"):
        out.append(f"<p>{h.esc(spec.text('intro'))}</p>")
    return "".join(out)


def focus_area_section(area_report, number: str | int | None = None) -> str:
    """The HTML of one delaftale's section; its figures go to ``area_report.payload``."""
    parts = [focus_area_heading(area_report, number),
             "<h3>Succeskriterier</h3>", area_report.summary().html,
             "<h3>Indikatorerne over tid</h3>", area_report.indicators().html,
             "<h3>Målstier: fra baseline til mål</h3>", area_report.target_paths().html,
             "<h3>Aktivitetsmål</h3>", area_report.activities().html,
             "<h3>Delaftalens økonomi</h3>", area_report.budget().html,
             "<h3>Effektestimat</h3>", area_report.effect().html]
    try:
        spec = area_report.plan.focus_area_spec
    except Exception:
        spec = None
    if spec is not None and spec.text("moving_caveat"):
        parts.append(f"<p><i>{h.esc(spec.text('moving_caveat'))}</i></p>")
    return "".join(parts)
