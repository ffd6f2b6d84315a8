"""The plan-level yearly report: the whole helhedsplan with one section per focus area.

:class:`PlanReport` loads the plan once and keeps one
:class:`~evaluering.yearly.report.YearlyReport` per delaftale (on the delaftale's view of
the plan, sharing the cells and the evaluation), so every per-area section is the same
builder a single-area report uses. Order of the report: the board summary (every criterion
of every focus area with its status, the activity goals not met, the area-criteria
status), one section per focus area, the budget across the areas with the >= 25 % local
co-financing check, the area criteria in detail, printed checks, methods, provenance.

>>> report = PlanReport.load("aalborg-oest", 2020)      # doctest: +SKIP
>>> report.board()                                      # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from .. import fmt
from . import html as h
from .focus_area_view import focus_area_section
from .report import Section, YearlyReport

__all__ = ["PlanReport"]

_NOT_MET = ("ikke opfyldt", "ikke på rette vej", "mangler data")


@dataclass
class PlanReport:
    """The yearly report of a whole plan (see the module docstring)."""

    base: YearlyReport
    payload: dict = field(default_factory=dict)

    @classmethod
    def load(cls, plan_id: str, year: int, **kwargs: Any) -> "PlanReport":
        """Load like :meth:`YearlyReport.load` (same parameters). A plan file without
        ``data.published`` gets no published tables (never another plan's figures)."""
        base = YearlyReport.load(plan_id, year, **kwargs)
        if not base.plan.data.get("published"):
            from ..published import Published

            base.published = Published.empty()
        return cls(base=base)

    # ------------------------------------------------------------------ shared state
    @property
    def plan(self):
        return self.base.plan

    @property
    def year(self) -> int:
        return self.base.year

    @property
    def threshold(self) -> int:
        return self.base.threshold

    @cached_property
    def evaluation(self):
        """The :class:`~evaluering.plan_evaluation.PlanEvaluation` of the plan."""
        return self.base.evaluation

    @cached_property
    def area_reports(self) -> list[YearlyReport]:
        """One YearlyReport per delaftale, its evaluation taken from :attr:`evaluation`."""
        out = []
        for i, ev in enumerate(self.evaluation.focus_areas):
            b = self.base
            r = YearlyReport(plan=self.plan.for_focus_area(i), year=b.year, cells=b.cells, published=b.published,
                             project_root=b.project_root, threshold=b.threshold, show_run_date=b.show_run_date,
                             parameters=b.parameters)
            r.__dict__["evaluation"] = ev          # the cached_property, already computed
            r.__dict__["release"] = b.release      # the whole plan's release (every delaftale's cells)
            r.__dict__["logs"] = b.logs_by_area[ev.delaftale.id]   # read once, by the plan's report
            out.append(r)
        return out

    @property
    def synthetic(self) -> bool:
        return self.base.synthetic

    # ------------------------------------------------------------------ sections
    @property
    def mode(self) -> str:
        """``aarlig``, ``midtvejs`` or ``slut`` (:mod:`.period`)."""
        return self.base.mode

    @cached_property
    def areas(self) -> list:
        """One :class:`~evaluering.yearly.period.AreaPeriod` per delaftale, each judged for
        every year of the period (the board summary and the period table read them)."""
        from .period import area_period

        out = []
        for r in self.area_reports:
            d = r.plan.delaftale or r.plan.focus_areas[0]
            area = area_period(d.focus_area or d.name or r.plan.name, r.evaluation, r.logs, self.threshold,
                               key=f"{self.plan.id}/{d.id}")
            area.extra["qualitative"] = r.qualitative_log
            out.append(area)
        return out

    # ------------------------------------------------------------------ sections
    def header(self) -> Section:
        """Title (report type and years), the plan's delaftaler, municipality, period and
        estates; the synthetic and missing-data notices."""
        from . import text
        from .period import MODE_TITLES, period_years

        p = self.plan
        areas = self.evaluation.focus_areas
        names = ", ".join(ev.delaftale.focus_area + (" (eksempel)" if ev.delaftale.example else "")
                          for ev in areas)
        parts = ", ".join(pt.name for pt in p.parts)
        years = period_years(p, self.year)
        span = f"{self.year}" if self.mode == "aarlig" else f"{years[0]}–{years[-1]}"
        chosen = "angivet" if self.base.parameters.get("mode") else "valgt ud fra rapportåret"
        out = [h.css(), f"<h1>{MODE_TITLES[self.mode]} {span}: {h.esc(p.name)}</h1>",
               f"<p><b>Indsatsområder ({len(areas)}):</b> {h.esc(names or '–')}. <b>Kommune:</b> "
               f"{h.esc(p.municipality_name)}. <b>Planperiode:</b> {p.start:%d.%m.%Y}–{p.end:%d.%m.%Y}. "
               f"<b>Boligafdelinger:</b> {len(p.estates)}" + (f" ({h.esc(parts)})" if parts else "")
               + f". <b>Rapportår:</b> {self.year}.</p>",
               f'<p class="ev-intro"><b>Rapporttype:</b> {MODE_TITLES[self.mode].lower()} ({chosen}; '
               f"reglen står i afsnit 1).</p>"]
        if self.synthetic:
            out.append(h.notice(f"<b>Syntetiske data.</b> {h.esc(text.SYNTHETIC_BANNER)}", "synthetic"))
        if p.data.get("synthetic_plan"):
            out.append(h.notice("<b>Opdigtet plan:</b> planen, dens afdelinger, kriterier og logge er "
                                "opdigtede eksempler (syntetiske data).", "synthetic"))
        from ..sources.missing import missing_inputs   # said, not hidden (report --allow-missing)
        for m in missing_inputs(p, self.year, cells=self.base.cells, published=self.base.published):
            out.append(h.notice(f"<b>Manglende data.</b> {h.esc(m.text())}", "warning"))
        self.payload["plan"] = {"id": p.id, "name": p.name, "year": self.year, "synthetic": self.synthetic,
                                "mode": self.mode, "municipality": p.municipality_name, "estates": p.estate_ids,
                                "focus_areas": [ev.delaftale.focus_area for ev in areas]}
        return Section("".join(out))

    def board(self) -> Section:
        """For the board, one page: every criterion of every focus area with its status, the
        activity goals not met, the changes since last year, what needs a decision (rules
        of ``board_rules.yaml``), the area-criteria status and the plan's co-financing."""
        from .board import board_summary
        from .criteria_view import criteria_payload

        html_out, items = board_summary(self.areas, self.mode)
        ev = self.evaluation
        extra = []
        ac = ev.area_criteria or {}
        if ac:
            extra.append(f"<p><b>Områdekriterierne (almenboligloven § 61 a/b):</b> {h.esc(ac.get('status', '–'))}; "
                         f"{ac.get('criteria_met', 0)} af 4 kriterier opfyldt"
                         + (f"; forlader listen ved den nuværende tendens i {ac['leaves_list_year']}"
                            if ac.get("leaves_list_year") else "") + ".</p>")
        b = ev.plan_budget
        if b.get("local_share_note"):
            extra.append(f"<p><b>Økonomi:</b> {h.esc(b['local_share_note'])}</p>")
        if any(a.delaftale.example for a in ev.focus_areas):
            extra.append(h.notice("<b>Eksempler:</b> delaftaler markeret som eksempel er opdigtede.", "synthetic"))
        if extra and html_out.endswith("</div>"):
            html_out = html_out[:-len("</div>")] + "".join(extra) + "</div>"
        crit_payload = []
        for area in ev.focus_areas:
            for rec in criteria_payload(area.suppressed_criteria(self.threshold)):
                crit_payload.append({**rec, "focus_area": area.delaftale.focus_area, "delaftale": area.delaftale.id})
        self.payload["board"] = items
        self.payload["criteria"] = crit_payload
        self.payload["area_criteria_status"] = ac.get("status")
        return Section(html_out)

    def contents(self) -> Section:
        """The table of contents (filled in from the section headings by the export)."""
        return self.base.contents()

    def period(self) -> Section:
        """The plan period at a glance: every criterion and activity goal of every delaftale
        in every year."""
        from .activities_view import counting_rules
        from .period import period_section

        # the counting rules once each (delaftaler with the same kinds of logs share them)
        rules = list(dict.fromkeys(counting_rules(r.plan, r.logs, compact=True) for r in self.area_reports))
        return Section(period_section(self.areas, self.plan, self.year, self.mode, rules, self.synthetic,
                                      self.payload))

    def focus_area_sections(self) -> Section:
        """One section per focus area (criteria, indicators, target paths, activities,
        budget, effect estimate), numbered."""
        out, areas = [], []
        for i, r in enumerate(self.area_reports, start=1):
            out.append(focus_area_section(r, f"2.{i}"))
            areas.append({"id": r.plan.delaftale.id if r.plan.delaftale else r.plan.focus_areas[0].id,
                          "focus_area": r.plan.focus_area, **r.payload})
        self.payload["focus_areas"] = areas
        if areas:
            # the figures of the first delaftale also at the top (the keys a single-area report has)
            first = areas[0]
            for key in ("indicators", "activities", "effect", "budget"):
                if key in first:
                    self.payload.setdefault(key, first[key])
            self.payload["effects"] = [{"focus_area": a["focus_area"], **(a.get("effect") or {})} for a in areas]
        return Section("".join(out))

    def plan_budget(self) -> Section:
        """The budget across the delaftaler, with Landsbyggefonden's >= 25 % rule."""
        b = self.evaluation.plan_budget
        rows = [[a["focus_area"], fmt.kr(a["computed_total_kr"]), fmt.kr(a["local_kr"]),
                 fmt.kr(a["stated_total_kr"]) if a.get("stated_total_kr") is not None else fmt.MISSING,
                 "AFVIGER" if a["flag"] else ""] for a in b["by_area"]]
        rows.append(["Hele planen", fmt.kr(b["computed_total_kr"]), fmt.kr(b["local_kr"]), fmt.MISSING, ""])
        out = [h.table(["Delaftale", "Sum af delbeløb", "Heraf lokal medfinansiering", "Angivet total", "Kontrol"],
                       rows, caption="Planens økonomi på tværs af indsatsområderne", numeric_cols=(1, 2, 3))]
        if b.get("local_share_note"):
            kind = "warning" if b.get("local_share_ok") is False else "info"
            out.append(h.notice(h.esc(b["local_share_note"]), kind))
        self.payload["plan_budget"] = b
        return Section("".join(out))

    def effects(self) -> Section:
        """The effect estimate of every focus area's outcome side by side (after
        :meth:`focus_area_sections`, which computes them)."""
        if "focus_areas" not in self.payload:
            self.focus_area_sections()
        rows = []
        for a in self.payload["focus_areas"]:
            e = a.get("effect") or {}
            att = e.get("att") if isinstance(e.get("att"), dict) else {}
            spec = None
            for r in self.area_reports:
                if r.plan.focus_area == a["focus_area"]:
                    spec = r.plan.focus_area_spec
            label = (spec.effect_outcome.get("label_da") if spec is not None else None) or e.get("outcome") or "–"
            if e.get("available") and att:
                rows.append([a["focus_area"], label, fmt.signed(100 * att["att"], 2),
                             f"{fmt.signed(100 * att['ci_low'], 2)} til {fmt.signed(100 * att['ci_high'], 2)}",
                             fmt.number(att.get("p_value"), 3),
                             f"{e.get('n_treated_units', '–')} / {e.get('n_control_units', '–')}"])
            else:
                why = {"no_estate_cells": "ingen tælleceller for planens afdelinger",
                       "no_controls": "ingen sammenligningsafdelinger"}.get(e.get("reason"), "intet estimat")
                rows.append([a["focus_area"], label, why, fmt.MISSING, fmt.MISSING, fmt.MISSING])
        out = [h.table(["Indsatsområde", "Udfald", "Effekt (procentpoint)", "95 %-interval", "p-værdi",
                        "Behandlede / sammenligningsafdelinger"], rows,
                       caption="Effektestimater (difference-in-differences, CR2) pr. indsatsområdes udfald",
                       numeric_cols=(2, 3, 4)),
               "<p>Hvert estimat sammenligner planens egne afdelinger med planens sammenligningsafdelinger "
               "(aldrig andre planers afdelinger); detaljerne står i indsatsområdets afsnit.</p>"]
        return Section("".join(out))

    def area_criteria(self) -> Section:
        """The area criteria of almenboligloven § 61 a/b: values, thresholds, distances,
        the status and the year the area would leave the list at its current trend."""
        ac = self.evaluation.area_criteria or {}
        if not ac:
            return Section("<p>Områdekriterierne kan ikke beregnes.</p>")
        rows = []
        for c in ac["criteria"]:
            shown = c["reason"] if c["value"] is None and c.get("reason") else fmt.number(c["value"], 1)
            rows.append([f"{c['number']}. {c['label']}", shown,
                         f"{c['comparison']} {fmt.number(c['threshold'], 0)}",
                         {True: "ja", False: "nej"}.get(c["met"], "–"),
                         fmt.signed(c["distance"], 1) if c["distance"] is not None else fmt.MISSING,
                         f"{c['comparison']} {fmt.number(c['threshold_forebyggelse'], 0)}",
                         {True: "ja", False: "nej"}.get(c["met_forebyggelse"], "–"),
                         fmt.signed(c["trend_per_year"], 2) if c["trend_per_year"] is not None else fmt.MISSING])
        nw = ac["non_western"]
        rows.append([nw["label"], fmt.number(nw["value"], 1) if nw["value"] is not None else (nw.get("reason") or "–"),
                     f"> {fmt.number(nw['threshold'], 0)}", {True: "ja", False: "nej"}.get(nw["met"], "–"),
                     fmt.signed(nw["distance"], 1) if nw["distance"] is not None else fmt.MISSING,
                     f"> {fmt.number(nw['threshold_forebyggelse'], 0)}",
                     {True: "ja", False: "nej"}.get(nw["met_forebyggelse"], "–"),
                     fmt.signed(nw["trend_per_year"], 2) if nw["trend_per_year"] is not None else fmt.MISSING])
        res = ac.get("residents")
        out = [f"<p><b>Status {self.year}:</b> {h.esc(ac['status'])}. Beboere: "
               f"{fmt.number(res) if res is not None else '–'}. "
               + (f"Ved den nuværende tendens forlader området listen i {ac['leaves_list_year']}."
                  if ac.get("leaves_list_year") else h.esc(ac.get("leaves_list_note") or "")) + "</p>",
               h.table(["Kriterium", "Værdi", "§ 61 a", "Opfyldt", "Afstand", "§ 61 b", "Opfyldt (§ 61 b)",
                        "Tendens pr. år"], rows, caption=f"Områdekriterierne {self.year} ({ac['law']})",
                       numeric_cols=(1, 4, 7)),
               f"<p>Kriterium 1 og 2 er 2-årige gennemsnit ({h.esc(ac['two_year_average'])}). "
               f"<b>Tendens:</b> {h.esc(ac['trend_method'])}</p>"]
        if ac.get("rules_note"):
            out.append(f"<p>{h.esc(ac['rules_note'])}</p>")
        self.payload["area_criteria"] = ac
        return Section("".join(out))

    def composition(self) -> Section:
        """Effect or change of who lives there, for each delaftale's effect outcome that is a
        yearly share: the stayers/movers decomposition (released counts) and the cohort
        estimate beside the area one."""
        from .composition_view import composition_sections

        html_out, self.payload["composition"] = composition_sections(self.base)
        return Section(html_out)

    def printed_checks(self) -> Section:
        return self.base.printed_checks()

    def methods(self) -> Section:
        return self.base.methods()

    def provenance(self) -> Section:
        return self.base.provenance()

    def record(self) -> None:
        """Hand the figures payload to the report runner (``<plan>.json``): ``plan``,
        ``criteria`` (every delaftale's, with ``focus_area``), ``focus_areas`` (each
        delaftale's figures), ``plan_budget``, ``area_criteria``; ``budget``, ``effect``,
        ``indicators`` and ``activities`` at the top are the first delaftale's."""
        from ..reporting.figures import record_figures

        record_figures({**self.base.payload, **self.payload})


def _value(v, unit: str) -> str:
    from ..evaluation import _fmt_value

    return _fmt_value(v, unit, 2 if unit == "pct." else 1)
