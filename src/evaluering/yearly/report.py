"""The :class:`YearlyReport`: inputs loaded once, one method per report section."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from .. import fmt
from ..cellschema import LEVEL_LABELS_DA
from . import html as h
from . import text

__all__ = ["YearlyReport", "Section", "REPORT_INDICATORS"]

#: indicators every report shows, in this order (plus those the plan's criteria use)
REPORT_INDICATORS = ("andel_sigtede_10_17", "sigtelser_15plus", "sigtede_15plus", "afgoerelser_15plus")

#: the first year the trends show
FIRST_YEAR = 2010


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
    parameters: dict = field(default_factory=dict)
    payload: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, plan_id: str, year: int, plans_dir: str = "data/raw/plans",
             cells_path: str = "data/processed/cells.parquet",
             published_dir: str = "data/raw/published", project_root: str = ".",
             show_run_date: bool = False, disclosure_threshold: int = 3) -> "YearlyReport":
        """Load the plan, the count cells and the published tables."""
        from ..cellschema import check_cells
        from ..errors import InputError
        from ..plan import find_plan
        from ..published import load_published

        root = Path(project_root).resolve()
        plan = find_plan(plan_id, _resolve(plans_dir, root))
        cells_file = _resolve(cells_path, root)
        if not cells_file.is_file():
            raise InputError(cells_path, "count cells not found; run `evaluering build` (or `make report`)")
        cells = check_cells(pd.read_parquet(cells_file), where=str(cells_path))
        published = load_published(_resolve(published_dir, root))
        params = {"plan_id": plan_id, "year": int(year), "plans_dir": str(plans_dir),
                  "cells_path": str(cells_path), "published_dir": str(published_dir),
                  "show_run_date": bool(show_run_date), "disclosure_threshold": int(disclosure_threshold)}
        return cls(plan=plan, year=int(year), cells=cells, published=published, project_root=root,
                   threshold=int(disclosure_threshold), show_run_date=show_run_date, parameters=params)

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
        ids = [i for i in REPORT_INDICATORS if i in self.catalogue]
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
    def evaluation(self):
        from ..evaluation import evaluate

        return evaluate(self.plan, self.year, cells=self.cells, published=self.published)

    def series(self, indicator_id: str) -> pd.DataFrame:
        """The shown series of one indicator: computed from cells, published figures first."""
        return self._series[indicator_id]

    @cached_property
    def _series(self) -> dict[str, pd.DataFrame]:
        from ..indicators import indicator_series, with_published

        out = {}
        for ind_id in self.indicator_ids:
            ind = self.catalogue[ind_id]
            cells = self.cells
            if not ind.has_denominator:
                cells = self.evaluation_cells
            s = indicator_series(cells, ind, self.plan)
            out[ind_id] = with_published(s, self.published, ind, self.plan)
        return out

    @cached_property
    def evaluation_cells(self) -> pd.DataFrame:
        """Count cells plus the cells made from the plan's logs (SSP cases)."""
        extra = getattr(self.evaluation, "cells", None)
        if isinstance(extra, pd.DataFrame) and len(extra):
            return pd.concat([self.cells, extra], ignore_index=True)
        return self.cells

    # ------------------------------------------------------------------ sections
    def header(self) -> Section:
        """Title, plan, report year and, for synthetic data, the visible notice."""
        p = self.plan
        parts = ", ".join(pt.name for pt in p.parts)
        out = [h.css(),
               f"<h1>Årsrapport {self.year}: {h.esc(p.name)}</h1>",
               f"<p><b>Indsatsområde:</b> {h.esc(p.focus_area or '–')}. <b>Kommune:</b> "
               f"{h.esc(p.municipality_name)}. <b>Planperiode:</b> {p.start:%d.%m.%Y}–{p.end:%d.%m.%Y}. "
               f"<b>Boligafdelinger:</b> {len(p.estates)}"
               + (f" ({h.esc(parts)})" if parts else "") + ".</p>"]
        if self.synthetic:
            out.append(h.notice(f"<b>Syntetiske data.</b> {h.esc(text.SYNTHETIC_BANNER)}", "synthetic"))
        self.payload.update(plan={"id": p.id, "name": p.name, "year": self.year,
                                  "synthetic": self.synthetic,
                                  "estates": p.estate_ids})
        return Section("".join(out))

    def _suppressed_series(self, indicator_id: str):
        """The trend rows of one indicator after disclosure control."""
        from ..disclosure import suppress_table
        from .trends import trend_levels

        ind = self.catalogue[indicator_id]
        s = trend_levels(self.series(indicator_id), self.plan)
        s = s[s["year"].between(FIRST_YEAR, self.year)].reset_index(drop=True)
        hierarchy = {pt.id: self.plan.id for pt in self.plan.parts}
        counts = s[["level", "area", "year", "numerator"]].copy()
        counts["numerator"] = counts["numerator"].astype("Float64")
        res = suppress_table(counts, count_cols=["numerator"], threshold=self.threshold,
                             hierarchy={"area": hierarchy} if hierarchy else None,
                             keys=["level", "area", "year"])
        suppressed = res.reasons["numerator"].notna().to_numpy()
        s = s.copy()
        s["suppressed_reason"] = res.reasons["numerator"].to_numpy()
        for col in ("numerator", "value", "lower", "upper", "wilson_lower", "wilson_upper"):
            s.loc[suppressed, col] = float("nan")
        return s, ind

    def indicators(self) -> Section:
        """Each indicator's trend for the plan's areas against the comparison levels."""
        from .trends import trend_figure, trend_table

        out, figs = [], []
        for ind_id in self.indicator_ids:
            s, ind = self._suppressed_series(ind_id)
            if s["value"].notna().sum() == 0 and s["suppressed_reason"].isna().all():
                continue
            out.append(f"<h3>{h.esc(ind.label_da)}</h3>")
            if ind.definition_da:
                out.append(f"<p>{h.esc(ind.definition_da)}</p>")
            out.append(trend_figure(s, ind, self.plan, FIRST_YEAR, self.year, self.synthetic))
            out.append(trend_table(s, ind, self.plan, FIRST_YEAR, self.year, self.threshold))
            figs.append({"indicator": ind_id, "unit": ind.unit_da,
                         "series": s[["level", "area", "year", "value", "lower", "upper", "numerator",
                                      "denominator", "published", "synthetic", "suppressed_reason"]]})
        self.payload["indicators"] = figs
        return Section("".join(out))

    def printed_checks(self) -> Section:
        """Printed figures against the figures computed from their parts."""
        from ..published import check_printed_averages
        from ..indicators import averages_table

        chk = check_printed_averages(self.published)
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
        # the pooled rate beside the published convention, where counts exist
        ind_id = "andel_sigtede_10_17"
        if ind_id in self._series:
            ind = self.catalogue[ind_id]
            avg = averages_table(self._series[ind_id], ind, 2012, 2015)
            avg = avg[avg["level"].isin(["plan", "municipality", "public_housing", "country"])] if len(avg) else avg
            if len(avg):
                rows = [[h.esc(r["area_name"]), fmt.number(r["mean_of_rates"], 2),
                         fmt.number(r["pooled_rate"], 2) if pd.notna(r["pooled_rate"]) else "kræver antal for alle år"]
                        for _, r in avg.iterrows()]
                out.append(h.table(["Område", "Gennemsnit af årlige andele 2012–2015 (pct.)",
                                    "Samlet andel 2012–2015 (sum af tællere / sum af nævnere)"], rows,
                                   caption="To slags flerårige gennemsnit: rapporten viser gennemsnittet af årlige "
                                           "andele, som kilden gør", numeric_cols=(1, 2)))
        self.payload["printed_checks"] = chk
        return Section("".join(out))

    def methods(self) -> Section:
        """Data and methods, with the caveat on moving in and out."""
        return Section(text.methods_html(self.threshold)
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
