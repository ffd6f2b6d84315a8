"""The evaluation of a whole plan: one :class:`~evaluering.evaluation.Evaluation` per
delaftale (focus area), the plan's budget across the delaftaler with Landsbyggefonden's
>= 25 % local co-financing rule, and the area-criteria status (almenboligloven § 61 a/b).

A single-area plan file is a plan with one delaftale; its PlanEvaluation shows the fields
of that delaftale's Evaluation at the top (``criteria``, ``activities``, ``budget``, ...),
so code and JSON written for one delaftale keep working.

>>> from evaluering.evaluation import evaluate                     # doctest: +SKIP
>>> ev = evaluate("aalborg-oest", 2020)                             # doctest: +SKIP
>>> [a.delaftale.focus_area for a in ev.focus_areas]                # doctest: +SKIP
['Kriminalpræventiv indsats', 'Tryghed og trivsel', ...]
>>> ev.plan_budget["local_share_ok"]                                # doctest: +SKIP
True
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .releasable import Releasable

__all__ = ["PlanEvaluation"]


@dataclass(frozen=True)
class PlanEvaluation(Releasable):
    """The evaluation of one plan in one report year (read-only)."""

    plan: Any
    year: int
    focus_areas: tuple
    plan_budget: dict
    area_criteria: dict | None = None
    plan_notes: tuple[str, ...] = field(default_factory=tuple)

    # ------------------------------------------------------------------ shape
    @property
    def single(self) -> bool:
        """True for a single-area plan file (its top-level fields are the delaftale's)."""
        return len(self.focus_areas) == 1 and not self.plan.multi_area

    def focus_area(self, which: int | str):
        """One delaftale's Evaluation, by position or delaftale id."""
        if isinstance(which, int):
            return self.focus_areas[which]
        for ev in self.focus_areas:
            if ev.delaftale.id == which:
                return ev
        raise KeyError(f"unknown delaftale '{which}' (known: {', '.join(e.delaftale.id for e in self.focus_areas)})")

    def _rel(self, threshold, release):
        return self.released(threshold, release) if threshold and threshold > 1 else None

    def _concat(self, name: str, threshold: int | None = None, release=None) -> pd.DataFrame:
        frames = []
        rel = self._rel(threshold, release) if name == "suppressed_criteria" else None
        for ev in self.focus_areas:
            df = ev.suppressed_criteria(threshold, rel) if name == "suppressed_criteria" else getattr(ev, name)
            if self.single:
                return df
            df = df.copy()
            df["focus_area"] = ev.delaftale.focus_area
            df["delaftale"] = ev.delaftale.id
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # ------------------------------------------------------------------ the delaftale fields
    @property
    def criteria(self) -> pd.DataFrame:
        """Every success criterion (with ``focus_area``/``delaftale`` columns for several)."""
        return self._concat("criteria")

    @property
    def activities(self) -> pd.DataFrame:
        return self._concat("activities")

    def suppressed_criteria(self, threshold: int = 3, release=None) -> pd.DataFrame:
        return self._concat("suppressed_criteria", threshold, release)

    @property
    def budget(self) -> dict:
        """The delaftale's budget for a single-area plan, else the plan's budget."""
        return self.focus_areas[0].budget if self.single else self.plan_budget

    @property
    def series(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        for ev in self.focus_areas:
            for k, v in ev.series.items():
                out.setdefault(k, v)
        return out

    @property
    def catalogue(self) -> dict:
        out: dict = {}
        for ev in self.focus_areas:
            out.update(ev.catalogue)
        return out

    @property
    def printed_checks(self) -> pd.DataFrame:
        return self.focus_areas[0].printed_checks

    @property
    def averages(self) -> pd.DataFrame:
        return self.focus_areas[0].averages

    @property
    def synthetic(self) -> bool:
        return any(ev.synthetic for ev in self.focus_areas)

    @property
    def example_logs(self) -> bool:
        return any(ev.example_logs for ev in self.focus_areas)

    @property
    def notes(self) -> tuple[str, ...]:
        out: list[str] = list(self.plan_notes)
        for ev in self.focus_areas:
            out += [n for n in ev.notes if n not in out]
        return tuple(out)

    @property
    def log_cells(self) -> pd.DataFrame | None:
        frames = [ev.log_cells for ev in self.focus_areas if ev.log_cells is not None and len(ev.log_cells)]
        if not frames:
            return self.focus_areas[0].log_cells
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    @property
    def cells(self) -> pd.DataFrame | None:
        return self.log_cells

    def _with(self, indicator_id: str):
        for ev in self.focus_areas:
            if indicator_id in ev.series:
                return ev
        raise KeyError(indicator_id)

    def indicator(self, indicator_id: str, levels: tuple[str, ...] | None = None) -> pd.DataFrame:
        return self._with(indicator_id).indicator(indicator_id, levels)

    def suppressed_series(self, indicator_id: str, threshold: int = 3, release=None) -> pd.DataFrame:
        return self._with(indicator_id).suppressed_series(indicator_id, threshold, self._rel(threshold, release))

    # ------------------------------------------------------------------ output
    def to_dict(self, threshold: int = 3, release=None) -> dict:
        """JSON-safe dict: the output of ``evaluering status --format json``.

        A single-area plan keeps the delaftale's fields at the top; every plan has
        ``focus_areas`` (one entry per delaftale with its ``criteria``, ``activities`` and
        ``budget``), ``plan_budget`` and ``area_criteria``.
        """
        from .evaluation import SYNTHETIC_LABEL, _jsonable

        rel = self._rel(threshold, release)
        dicts = [ev.to_dict(threshold, rel) for ev in self.focus_areas]
        areas = []
        for ev, d in zip(self.focus_areas, dicts):
            spec = ev.focus_area
            areas.append({
                "id": ev.delaftale.id, "focus_area": ev.delaftale.focus_area, "name": ev.delaftale.name,
                "focus_area_id": spec.id if spec is not None else None,
                "period": spec.period if spec is not None else None,
                "example": ev.delaftale.example, "criteria": d["criteria"], "activities": d["activities"],
                "budget": d["budget"], "indicators": [i["id"] for i in d["indicators"]],
                "effect_outcome": (spec.effect_outcome.get("indicator") if spec is not None else None),
                "notes": d["notes"]})
        if self.single:
            out = dict(dicts[0])
        else:
            indicators, seen = [], set()
            for d in dicts:
                for item in d["indicators"]:
                    if item["id"] not in seen:
                        seen.add(item["id"])
                        indicators.append(item)
            first = dicts[0]
            out = {"plan": self.plan.id, "plan_name": self.plan.name, "year": self.year,
                   "synthetic": self.synthetic, "data_label": SYNTHETIC_LABEL if self.synthetic else "",
                   "example_logs": self.example_logs, "disclosure_threshold": threshold,
                   "criteria": [{**c, "focus_area": a["focus_area"], "delaftale": a["id"]}
                                for a in areas for c in a["criteria"]],
                   "activities": [{**r, "focus_area": a["focus_area"], "delaftale": a["id"]}
                                  for a in areas for r in a["activities"]],
                   "budget": self.plan_budget, "printed_checks": first["printed_checks"],
                   "averages": first["averages"], "indicators": indicators, "notes": list(self.notes)}
        out["focus_areas"] = areas
        out["plan_budget"] = self.plan_budget
        out["area_criteria"] = self.area_criteria
        return _jsonable(out)

    def __repr__(self) -> str:
        areas = ", ".join(ev.delaftale.focus_area or ev.delaftale.id for ev in self.focus_areas)
        return f"PlanEvaluation(plan={self.plan.id!r}, year={self.year}, focus_areas=[{areas}])"

    def _repr_html_(self) -> str:
        from .evaluation import render_html

        if self.single:
            return render_html(self.focus_areas[0])
        e = html.escape
        out = [f"<h3>{e(self.plan.name)}: status {self.year}</h3>"]
        for ev in self.focus_areas:
            out.append(f"<h4>{e(ev.delaftale.focus_area)}</h4>")
            out.append(render_html(ev).split("</h3>", 1)[-1])
        b = self.plan_budget
        if b.get("local_share_note"):
            out.append(f"<p>{e(b['local_share_note'])}</p>")
        return "".join(out)
