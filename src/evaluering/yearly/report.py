"""The :class:`YearlyReport`: inputs loaded once, one method per report section."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from .. import fmt
from . import html as h
from . import text

__all__ = ["YearlyReport", "Section", "REPORT_INDICATORS"]

#: indicators a report shows when the plan names no known focus area (else the focus area's
#: ``shown_indicators``), in this order, plus those the plan's criteria use
REPORT_INDICATORS = ("andel_sigtede_10_17", "sigtelser_15plus", "sigtede_15plus", "afgoerelser_15plus")

#: the first year the trends show
FIRST_YEAR = 2010
DEFAULT_CELLS = "data/processed/cells.parquet"
DEFAULT_PUBLISHED = "data/raw/published"


class Section:
    """HTML that renders in JupyterLab and in the exported report."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _resolve(path: str | Path, root: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else root / p


@dataclass
class YearlyReport:
    """Everything the yearly report of one plan and year shows.

    Build it with :meth:`load`; each section method returns a :class:`Section` and records
    its figures in :attr:`payload` (written to ``<plan>.json`` by :meth:`record`).
    """

    plan: Any
    year: int
    cells: pd.DataFrame
    published: Any
    project_root: Path
    threshold: int = 3
    show_run_date: bool = False
    mode: str = "aarlig"
    parameters: dict = field(default_factory=dict)
    payload: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, plan_id: str, year: int, plans_dir: str = "data/raw/plans",
             cells_path: str = DEFAULT_CELLS, published_dir: str = DEFAULT_PUBLISHED, project_root: str = ".",
             show_run_date: bool = False, disclosure_threshold: int = 3, mode: str = "") -> "YearlyReport":
        """Load the plan, the count cells and the published tables.

        ``mode`` is ``aarlig``, ``midtvejs`` or ``slut`` (:mod:`.period`); empty: chosen from
        the year relative to the plan period. ``project_root`` empty: the nearest parent
        of the working directory with ``data/raw`` (the notebook runs from the project
        root or from ``notebooks/``)."""
        from ..cellschema import check_cells
        from ..errors import InputError
        from ..plan import find_plan
        from ..published import load_published

        from ..plan import project_root as _find_root
        from .period import check_mode

        root = Path(project_root).resolve() if project_root else _find_root().resolve()
        plan = find_plan(plan_id, _resolve(plans_dir, root))
        chosen = check_mode(mode, plan, int(year))
        # a plan file's own data locations win over the notebook's defaults
        if cells_path == DEFAULT_CELLS and plan.data.get("cells"):
            cells_path = str(plan.data_path("cells"))
        if published_dir == DEFAULT_PUBLISHED and plan.data.get("published"):
            published_dir = str(plan.data_path("published"))
        cells_file = _resolve(cells_path, root)
        if not cells_file.is_file():
            raise InputError(cells_path, "count cells not found; run `evaluering build` (or `make report`)")
        from ..sources.tables import read_cells   # the reader `evaluering validate` uses
        cells = read_cells(cells_file)
        # a plan without its own `data.published` shows no printed figures (never another plan's)
        if published_dir == DEFAULT_PUBLISHED and not plan.data.get("published"):
            from ..published import Published
            published = Published.empty()
        else:
            published = load_published(_resolve(published_dir, root), plan=plan)
        from ..reporting.params import relative_to_root

        params = {"plan_id": plan_id, "year": int(year), "plans_dir": str(plans_dir),
                  "cells_path": relative_to_root(_resolve(cells_path, root), root),
                  "published_dir": relative_to_root(_resolve(published_dir, root), root),
                  "show_run_date": bool(show_run_date), "disclosure_threshold": int(disclosure_threshold),
                  "mode": mode or ""}
        return cls(plan=plan, year=int(year), cells=cells, published=published, project_root=root,
                   threshold=int(disclosure_threshold), show_run_date=show_run_date, mode=chosen,
                   parameters=params)

    # ------------------------------------------------------------------ derived inputs
    @cached_property
    def synthetic(self) -> bool:
        """True when any shown value comes from synthetic data."""
        plan_cells = self.cells[self.cells["area"].isin([self.plan.id, *self.plan.estate_ids])]
        return bool(plan_cells["synthetic"].any()) or bool(self.plan.data.get("synthetic", False))

    @cached_property
    def catalogue(self) -> dict:
        from ..catalogue import load_catalogue

        return load_catalogue(self.plan)

    @cached_property
    def indicator_ids(self) -> list[str]:
        """The indicators shown: the standard ones with data plus those criteria use."""
        try:
            spec = self.plan.focus_area_spec if len(self.plan.focus_areas) == 1 else None
        except Exception:   # an unknown focus area name: the default indicators
            spec = None
        shown = spec.shown_indicators if spec is not None else REPORT_INDICATORS
        ids = [i for i in shown if i in self.catalogue]
        for c in self.plan.section("criteria", []) or []:
            ind = c.get("indicator") if isinstance(c, dict) else None
            if ind and ind not in ids and ind in self.catalogue:
                ids.append(ind)
        for extra in (self.plan.section("indicators") or {}):
            key = extra if isinstance(extra, str) else extra.get("id") if isinstance(extra, dict) else None
            if key and key not in ids and key in self.catalogue:
                ids.append(key)
        return ids

    @cached_property
    def logs(self) -> dict:
        """The plan's tidy logs (read once; the evaluation of every year uses them)."""
        from ..evaluation import load_logs

        logs, _ = load_logs(self.plan)
        return logs

    @cached_property
    def qualitative_log(self) -> pd.DataFrame | None:
        """The log of qualitative results (``data: qualitative_log``), or None."""
        from ..sources.qualitative import PLAN_KEY, read_qualitative

        path = self.plan.data_path(PLAN_KEY)
        if path is None or not path.exists():
            return None
        return read_qualitative(path, plan=self.plan)

    @cached_property
    def logs_by_area(self) -> dict:
        """``{delaftale id: tidy logs}``: each delaftale's own logs (``focus_areas.N.logs``) and
        the plan's shared ones; a single-area plan's :attr:`logs` under its one id."""
        from ..evaluation import load_logs

        if not self.plan.multi_area:
            return {a.id: self.logs for a in self.plan.focus_areas}
        return {a.id: load_logs(self.plan.for_focus_area(i))[0] for i, a in enumerate(self.plan.focus_areas)}

    @cached_property
    def evaluation(self):
        from ..evaluation import evaluate

        return evaluate(self.plan, self.year, cells=self.cells, published=self.published, logs=self.logs_by_area)

    @cached_property
    def areas(self) -> list:
        """One :class:`~evaluering.yearly.period.AreaPeriod` per focus area of the plan
        (today's plans: one delaftale), each judged for every year of the period."""
        from .period import area_period

        ev = self.evaluation
        parts = getattr(ev, "focus_areas", None)
        if parts is None:           # an Evaluation of one delaftale
            area = area_period(self.plan.focus_area or self.plan.name, ev, self.logs, self.threshold,
                               key=self.plan.id)
            area.extra["qualitative"] = self.qualitative_log
            return [area]
        out = []
        for area_ev in parts:       # a PlanEvaluation: one AreaPeriod per delaftale
            d = area_ev.delaftale
            area = area_period(d.focus_area or d.name or self.plan.name, area_ev, self.logs_by_area[d.id],
                               self.threshold,
                               key=self.plan.id if len(parts) == 1 else f"{self.plan.id}/{d.id}")
            area.extra["qualitative"] = self.qualitative_log
            out.append(area)
        return out

    @cached_property
    def release(self):
        """The release every number of the report is read from: one over all plans beside this
        one (shared estates, years, commands), kept in the project's record
        (:func:`evaluering.disclosure.release.release_for_plans`); None when disclosure
        control is off (threshold 0 or 1)."""
        if not self.threshold or self.threshold <= 1:
            return None
        from ..disclosure.release import release_for_plans

        extra = []
        for key, given in (("cells", self.parameters.get("cells_path")), ("published", self.parameters.get("published_dir"))):
            own = self.plan.data_path(key)
            if given and (own is None or _resolve(given, self.project_root).resolve() != Path(own).resolve()):
                extra.append(_resolve(given, self.project_root))
        plans_dir = Path(self.plan.path).parent if getattr(self.plan, "path", None) else \
            _resolve(self.parameters.get("plans_dir", "data/raw/plans"), self.project_root)
        return release_for_plans(plans_dir, self.year, threshold=self.threshold, root=self.project_root,
                                 evaluations={self.plan.id: self.evaluation}, extra_files=extra)

    def series(self, indicator_id: str) -> pd.DataFrame:
        """The shown series of one indicator: computed from cells, published figures first."""
        return self._series[indicator_id]

    @cached_property
    def _series(self) -> dict[str, pd.DataFrame]:
        return {i: self.evaluation.series[i] for i in self.indicator_ids if i in self.evaluation.series}

    # ------------------------------------------------------------------ sections
    def header(self) -> Section:
        """Title, plan, report year and, for synthetic data, the visible notice."""
        p = self.plan
        parts = ", ".join(pt.name for pt in p.parts)
        from .period import MODE_TITLES, period_years

        years = period_years(p, self.year)
        span = f"{self.year}" if self.mode == "aarlig" else f"{years[0]}–{years[-1]}"
        out = [h.css(),
               f"<h1>{MODE_TITLES[self.mode]} {span}: {h.esc(p.name)}</h1>",
               f"<p><b>Indsatsområde:</b> {h.esc(p.focus_area or '–')}. <b>Kommune:</b> "
               f"{h.esc(p.municipality_name)}. <b>Planperiode:</b> {p.start:%d.%m.%Y}–{p.end:%d.%m.%Y}. "
               f"<b>Boligafdelinger:</b> {len(p.estates)}"
               + (f" ({h.esc(parts)})" if parts else "") + f". <b>Rapportår:</b> {self.year}.</p>"]
        chosen = "angivet" if self.parameters.get("mode") else "valgt ud fra rapportåret"
        out.append(f'<p class="ev-intro"><b>Rapporttype:</b> {MODE_TITLES[self.mode].lower()} ({chosen}; '
                   f"reglen står i afsnit 1).</p>")
        if self.synthetic:
            out.append(h.notice(f"<b>Syntetiske data.</b> {h.esc(text.SYNTHETIC_BANNER)}", "synthetic"))
        from ..sources.missing import missing_inputs   # said, not hidden (report --allow-missing)
        for m in missing_inputs(p, self.year, cells=self.cells, published=self.published):
            out.append(h.notice(f"<b>Manglende data.</b> {h.esc(m.text())}", "warning"))
        self.payload.update(plan={"id": p.id, "name": p.name, "year": self.year,
                                  "synthetic": self.synthetic, "mode": self.mode,
                                  "municipality": p.municipality_name,
                                  "focus_areas": [a.name for a in self.areas],
                                  "estates": p.estate_ids})
        return Section("".join(out))

    def board(self) -> Section:
        """The one-page board summary: every criterion's status, the goals not met, the
        main changes since last year and what needs a decision (rules stated)."""
        from .board import board_summary

        html_out, items = board_summary(self.areas, self.mode)
        self.payload["board"] = items
        return Section(html_out)

    def contents(self) -> Section:
        """The table of contents (filled in from the section headings by the export)."""
        from ..reporting.contents import TOC_PLACEHOLDER

        return Section(TOC_PLACEHOLDER)

    def period(self) -> Section:
        """The plan period at a glance: every criterion and activity goal in every year."""
        from .activities_view import counting_rules
        from .period import period_section

        return Section(period_section(self.areas, self.plan, self.year, self.mode,
                                      [counting_rules(self.plan, self.logs, compact=True)],
                                      self.synthetic, self.payload))

    def _suppressed_series(self, indicator_id: str):
        """The trend rows of one indicator after disclosure control (estates never shown)."""
        if indicator_id not in self._suppressed_cache:
            from .trends import trend_levels

            s = trend_levels(self.evaluation.suppressed_series(indicator_id, self.threshold, self.release), self.plan)
            s = s[s["year"].between(FIRST_YEAR, self.year)].reset_index(drop=True)
            self._suppressed_cache[indicator_id] = s
        return self._suppressed_cache[indicator_id], self.catalogue[indicator_id]

    @cached_property
    def _suppressed_cache(self) -> dict:
        return {}

    def indicators(self) -> Section:
        """Each indicator's trend for the plan's areas against the comparison levels."""
        from .trends import trend_figure, trend_table

        out, figs = [], []
        for ind_id in self._series:
            s, ind = self._suppressed_series(ind_id)
            if s["value"].notna().sum() == 0 and s["suppressed_reason"].isna().all():
                continue
            out.append(f"<h3>{h.esc(ind.label_da)}</h3>")
            if ind.definition_da:
                out.append(f"<p>{h.esc(ind.definition_da)}</p>")
            has_data = s[s["value"].notna() | s["suppressed_reason"].notna()]
            first = int(has_data["year"].min()) if len(has_data) else FIRST_YEAR
            out.append(trend_figure(s, ind, self.plan, first, self.year, self.synthetic))
            out.append(trend_table(s, ind, self.plan, first, self.year, self.threshold))
            figs.append({"indicator": ind_id, "unit": ind.unit_da,
                         "series": s[["level", "area", "year", "value", "lower", "upper", "numerator",
                                      "denominator", "published", "synthetic", "suppressed_reason"]]})
        self.payload["indicators"] = figs
        return Section("".join(out))

    def summary(self) -> Section:
        """All success criteria with baseline, target, observed value and status: the first
        thing an evaluator reads."""
        from .criteria_view import criteria_payload, criteria_table

        from .criteria_view import criteria_origins

        crit = criteria_origins(self.evaluation.suppressed_criteria(self.threshold, self.release),
                                self.evaluation.series, bool(self.evaluation.example_logs))
        self._criteria = crit
        counts = crit["status"].value_counts()
        order = ["opfyldt", "på rette vej", "ikke på rette vej", "ikke opfyldt", "mangler data"]
        overview = ", ".join(f"{int(counts[s])} {s}" for s in order if s in counts)
        out = [f"<p><b>{len(crit)} succeskriterier i {self.year}:</b> {h.esc(overview)}.</p>",
               criteria_table(crit, {k: v.label_da for k, v in self.catalogue.items()}),
               f'<p class="ev-intro">{text.STATUS_EXPLANATION}</p>']
        for cid, note in zip(crit["id"], crit.get("note", pd.Series([""] * len(crit)))):
            if isinstance(note, str) and note and crit.loc[crit["id"] == cid, "kind"].iloc[0] != "milestone":
                out.append(f"<p><b>{h.esc(cid)}:</b> {h.esc(note)}</p>")
        if self.synthetic:
            out.append(h.notice("<b>Syntetiske data:</b> de observerede værdier efter de offentliggjorte år er "
                                "syntetiske.", "synthetic"))
        self.payload["criteria"] = criteria_payload(crit)
        return Section("".join(out))

    def target_paths(self) -> Section:
        """For each quantitative criterion: observed values against the path to the target."""
        from .criteria_view import target_path_figure

        crit = getattr(self, "_criteria", None)
        if crit is None:
            self.summary()
            crit = self._criteria
        out = []
        for _, r in crit.iterrows():
            if r["kind"] == "milestone" or pd.isna(r.get("baseline_value")) or pd.isna(r.get("target_value")):
                if r["kind"] != "milestone":
                    out.append(f"<p><b>{h.esc(r['id'])}:</b> ingen målsti, fordi baseline eller mål mangler "
                               f"({h.esc(r.get('note') or 'mangler data')}).</p>")
                continue
            if r["indicator"] not in self._series:
                continue
            series, ind = self._suppressed_series(r["indicator"])
            out.append(target_path_figure(r, series, ind, self.plan, self.year, self.synthetic,
                                          example=bool(self.evaluation.example_logs)))
        return Section("".join(out) or "<p>Ingen kvantitative succeskriterier.</p>")

    def activities(self) -> Section:
        """Activity goals of the year from the plan's logs, the counting rules, and the
        qualitative results (relevance assessments, focus groups, decisions)."""
        from .activities_view import activities_table, counting_rules
        from .period import period_years
        from .qualitative_view import qualitative_table, relevance_table

        act = self.release.activities(self.evaluation) if self.release is not None else self.evaluation.activities
        html_table, records = activities_table(act, self.threshold, bool(self.evaluation.example_logs))
        self.payload["activities"] = records
        out = [html_table, counting_rules(self.plan, self.logs)]
        if getattr(self.evaluation, "example_logs", False):
            out.append(h.notice("<b>Eksempeldata:</b> aktivitetslogs, SSP-log og loggen over kvalitative resultater "
                                "i den medfølgende plan er opdigtede eksempler, der viser formatet.", "synthetic"))
        q = self.qualitative_log
        years = period_years(self.plan, self.year)
        out.append("<h3>Kvalitative resultater</h3>")
        if q is None:
            out.append("<p>Planen har ingen log over kvalitative resultater (<code>data: qualitative_log</code>; "
                       "skabelon i <code>data/raw/templates/kvalitative_resultater</code>).</p>")
        else:
            acts = list(dict.fromkeys((a, n) for a, n in zip(act["activity"], act["activity_name"])))
            out.append(relevance_table(q, acts, years))
            first = None if self.mode in ("slut", "midtvejs") else self.year
            out.append(qualitative_table(q, self.year, first))
            sel = q[q["date"].dt.year <= self.year]
            self.payload["qualitative"] = [
                {"date": f"{r['date']:%Y-%m-%d}", "kind": r["kind"],
                 "activity": r["activity"] if isinstance(r["activity"], str) else None,
                 "assessment": r["assessment"] if isinstance(r["assessment"], str) else None,
                 "result": r["result"]} for _, r in sel.iterrows()]
        return Section("".join(out))

    def budget(self) -> Section:
        """Financing parts against the stated total; the gap is flagged, not hidden."""
        b = self.release.budget(self.evaluation) if self.release is not None else self.evaluation.budget
        rows = [[h.esc(f["source"]), fmt.kr(f["amount_kr"]), fmt.pct(f["share_pct"])] for f in b["financing"]]
        rows.append(["Sum af delbeløb (beregnet)", fmt.kr(b["computed_total_kr"]), fmt.pct(100.0)])
        if b.get("stated_total_kr") is not None:
            rows.append(["Samlet budget (som angivet i delaftalen)", fmt.kr(b["stated_total_kr"]), fmt.MISSING])
        out = [h.table(["Finansiering", "Beløb", "Andel af delbeløb"], rows, numeric_cols=(1, 2),
                       caption="Indsatsområdets økonomi")]
        for n in b.get("notes", []):
            out.append(h.notice(f"<b>Afvigelse:</b> {h.esc(n)}", "warning"))
        if b.get("local_share_note"):
            out.append(f"<p>{h.esc(b['local_share_note'])}</p>")
        cpp = b.get("cost_per_participant") or {}
        from .origin import mark

        # the participants are counted in the logs: example data in the bundled plan
        m = mark("synthetic") if self.evaluation.example_logs else ""
        if cpp.get("participants_reason"):
            out.append(f"<p><b>Budget pr. deltager i planperioden:</b> antal deltagere udeladt af hensyn til "
                       f"diskretionering ({h.esc(cpp['participants_reason'])}).</p>")
        elif cpp.get("participants"):
            out.append(f"<p><b>Budget pr. deltager i planperioden:</b> {fmt.kr(cpp['per_participant_computed_kr'])}{m} "
                       f"(af sum af delbeløb) / {fmt.kr(cpp['per_participant_stated_kr'])}{m} (af angivet total); "
                       f"{h.esc(cpp.get('note', ''))}.</p>")
        res = self.plan.section("resources") or {}
        if res:
            out.append(f"<p><b>Ressourcer:</b> projektmedarbejder {fmt.number(res.get('project_worker_hours_per_week'))} "
                       f"timer pr. uge; {fmt.pct(res.get('project_leader_share_pct'), 0)} af projektlederens tid.</p>")
        self.payload["budget"] = b
        return Section("".join(out))

    def effect(self) -> Section:
        """Difference-in-differences against comparison estates, with the pre-trend test."""
        from .effect_view import effect_section

        html_out, payload = effect_section(self)
        self.payload["effect"] = payload
        return Section(html_out)

    def composition(self) -> Section:
        """Effect or change of who lives there: cohort estimate and stayers/movers decomposition."""
        from .composition_view import composition_sections

        html_out, self.payload["composition"] = composition_sections(self)
        return Section(html_out)

    def printed_checks(self) -> Section:
        """Printed figures against the figures computed from their parts."""
        chk = self.evaluation.printed_checks
        out = []
        if len(chk):
            rows = []
            for _, r in chk.iterrows():
                rows.append([h.esc(r["area_name"]), f"{r['first_year']}–{r['last_year']}",
                             fmt.number(r["printed_value"], 1), fmt.number(r["computed_rounded"], 1),
                             fmt.number(r["computed_mean"], 3),
                             "AFVIGER" if r["flag"] else "stemmer", r["note"]])
            out.append(h.table(["Område", "Periode", "Trykt gennemsnit", "Beregnet (afrundet)",
                                "Beregnet (præcist)", "Kontrol", "Bemærkning"], rows,
                               caption="Trykte gennemsnit efterregnet af de trykte årstal (gennemsnit af årlige værdier, "
                                       "den offentliggjorte konvention)", numeric_cols=(2, 3, 4)))
            flagged = chk[chk["flag"]]
            for _, r in flagged.iterrows():
                out.append(h.notice(f"<b>Afvigelse i kilden:</b> {h.esc(r['note'])} ({h.esc(r['area_name'])}, "
                                    f"{r['first_year']}–{r['last_year']}).", "warning"))
        # the pooled rate beside the published convention, for each printed average's period
        avg = self.release.averages(self.evaluation) if self.release is not None else self.evaluation.averages
        if avg is not None and len(avg):
            avg = avg[avg["level"].isin(["plan", "municipality", "public_housing", "country"])]
            for (ind_id, first, last), grp in avg.groupby(["indicator", "first_year", "last_year"], sort=True):
                unit = self.catalogue[ind_id].unit_da if ind_id in self.catalogue else ""
                rows = [[h.esc(r["area_name"]), fmt.number(r["mean_of_rates"], 2),
                         fmt.number(r["pooled_rate"], 2) if pd.notna(r["pooled_rate"]) else "kræver antal for alle år"]
                        for _, r in grp.iterrows()]
                out.append(h.table(["Område", f"Gennemsnit af årlige værdier {first}–{last} ({unit})",
                                    f"Samlet rate {first}–{last} (sum af tællere / sum af nævnere)"], rows,
                                   caption="To slags flerårige gennemsnit: rapporten viser gennemsnittet af årlige "
                                           "værdier, som kilden gør", numeric_cols=(1, 2)))
        if avg is not None and len(avg) and len(chk) and "computed_pooled" in chk.columns:
            pooled = avg.set_index(["indicator", "level", "area"])["pooled_rate"]
            chk = chk.copy()
            chk["computed_pooled"] = [pooled.get(k, float("nan")) for k in
                                      chk[["indicator", "level", "area"]].itertuples(index=False, name=None)]
        self.payload["printed_checks"] = chk
        return Section("".join(out))

    def methods(self) -> Section:
        """Data and methods, with the caveat on moving in and out."""
        try:
            specs = self.plan.focus_area_specs()
        except Exception:   # an unknown focus area name: the default sources text
            specs = []
        sources = [spec.text("sources") for spec in specs if spec.text("sources")]
        return Section(text.methods_html(self.threshold, sources or None)
                       + h.notice(f"<b>Forbehold om flytninger.</b> {h.esc(text.MOVING_CAVEAT)}", "warning"))

    def provenance(self) -> Section:
        """Input file hashes, library version, parameters (run date only when asked)."""
        from ..reporting.provenance import provenance, provenance_frame

        params = {**self.parameters, "project_root": str(self.project_root)}
        rec = provenance(params, plan_path=self.plan.path, show_run_date=self.show_run_date)
        self.payload["provenance"] = rec
        frame = provenance_frame(rec)
        rows = [[h.esc(a), h.esc(b)] for a, b in frame.itertuples(index=False)]
        return Section(h.table(["Oplysning", "Værdi"], rows, caption="Proveniens: hvad rapporten er lavet af"))

    def record(self) -> None:
        """Hand the figures payload to the report runner (``<plan>.json``)."""
        from ..reporting.figures import record_figures

        record_figures(self.payload)
