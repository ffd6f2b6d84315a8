"""Composition: effect or change of who lives there? Cohort estimate and decomposition.

Both come from count cells of the resident-panel levels (:mod:`evaluering.cells.cohort`):

* :func:`decompose`: an area's change in a share (or mean) between ``year0`` and ``year1``
  split exactly into stayers, movers in and movers out. With S the persons living in the
  area in both years, I those only in ``year1`` and O those only in ``year0``::

      y1 - y0 = (yS1 - yS0)                    stayers' own change
              + (nI / n1) * (yI - yS1)          movers in, against the stayers
              - (nO / n0) * (yO - yS0)          movers out, against the stayers

  ``yS1`` from ``cohort_stayers`` (year1), ``yS0`` from ``cohort_stayers_base`` (their
  values of year0), I = the area's cells of year1 minus the stayers, O = those of year0 minus
  the stayers' year0 values. The three terms add up to the change.
* :func:`cohort_estimate`: the difference-in-differences on the resident panel: the
  plan estates' residents of the baseline year, followed wherever they move, against the
  comparison estates' residents of the same year (``cohort`` cells, TWFE with the project's
  CR2 inference), beside the area-level estimate on the estates' own cells of the same
  years. The area estimate mixes the effect with who moves in and out; the cohort estimate
  measures what happened to the persons the plan reached (diluted when they move away).

>>> import pandas as pd
>>> c = pd.DataFrame({"level": ["estate", "estate", "cohort_stayers", "cohort_stayers_base"],
...     "area": ["A", "A", "A@2015", "A@2015"], "year": [2015, 2016, 2016, 2016], "age_band": "18-64",
...     "sex": "M", "measure": "m", "numerator": [5, 6, 3, 4], "denominator": [10, 12, 8, 8]})
>>> d = decompose(c, ["A"], "m", "18-64", 2015, 2016)
>>> round(d.change, 6) == round(d.stayers + d.movers_in + d.movers_out, 6)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import InputError

__all__ = ["Decomposition", "decompose", "cohort_estimate", "CohortComparison", "estate_counts", "GROUPS",
           "release_key", "composition_indicators", "ALL_GROUPS"]

#: the groups of a decomposition with a count of their own (area0/area1: the estates' cells summed)
GROUPS = ("stay0", "stay1", "in", "out")
#: every group a report shows
ALL_GROUPS = ("area0", "area1", *GROUPS)


def release_key(group: str, indicator_id: str, baseline: int, level: str, area: str, year: int, role: str) -> tuple:
    """The disclosure-release key of a decomposition count (:mod:`evaluering.disclosure.release`).

    >>> release_key("in", "x", 2016, "plan", "p", 2020, "numerator")
    ('composition.in.x.2016', 'plan', 'p', '2020', 'numerator')
    """
    return (f"composition.{group}.{indicator_id}.{int(baseline)}", str(level), str(area), str(int(year)), str(role))


def composition_indicators(plan, catalogue: dict, cells: pd.DataFrame) -> list:
    """The indicators a plan's report decomposes: each delaftale's effect outcome that is a
    yearly share of count cells with resident-panel cells (the same list for the report and
    for the disclosure release)."""
    out = []
    for spec in plan.focus_area_specs():
        outcome = getattr(spec, "effect_outcome", None) or {}
        ind = catalogue.get(outcome.get("indicator")) if outcome.get("indicator") else None
        if (ind is None or ind.distribution != "binomial" or ind.source_kind != "cells"
                or int(getattr(ind, "pool_years", 1) or 1) != 1 or ind in out):
            continue
        if ((cells["level"] == "cohort_stayers") & (cells["measure"] == ind.measure)).any():
            out.append(ind)
    return out


def _sum(cells: pd.DataFrame, level: str, areas, measure: str, age_band: str, year: int) -> tuple[int, int]:
    s = cells[(cells["level"] == level) & cells["area"].isin(list(areas)) & (cells["measure"] == measure)
              & (cells["age_band"] == age_band) & (cells["year"] == year)]
    return int(s["numerator"].sum()), int(s["denominator"].sum())


def _ratio(n: int, d: int) -> float:
    return n / d if d else float("nan")


@dataclass(frozen=True)
class Decomposition:
    """The change of an area's share between two years, split into stayers and movers."""

    measure: str
    age_band: str
    year0: int
    year1: int
    counts: dict            # group -> (numerator, denominator): area0, area1, stay0, stay1, in, out

    def mean(self, group: str) -> float:
        return _ratio(*self.counts[group])

    @property
    def change(self) -> float:
        return self.mean("area1") - self.mean("area0")

    @property
    def stayers(self) -> float:
        return self.mean("stay1") - self.mean("stay0")

    @property
    def movers_in(self) -> float:
        n1, n_in = self.counts["area1"][1], self.counts["in"][1]
        return 0.0 if not n_in else n_in / n1 * (self.mean("in") - self.mean("stay1"))

    @property
    def movers_out(self) -> float:
        n0, n_out = self.counts["area0"][1], self.counts["out"][1]
        return 0.0 if not n_out else -n_out / n0 * (self.mean("out") - self.mean("stay0"))

    def tidy(self) -> pd.DataFrame:
        """One row per group: counts, mean and contribution to the change (0-1 scale)."""
        rows = [("area0", f"Alle beboere {self.year0}", None), ("area1", f"Alle beboere {self.year1}", None),
                ("stay0", f"Blivende, {self.year0}", None), ("stay1", f"Blivende, {self.year1}", self.stayers),
                ("in", f"Tilflyttede, {self.year1}", self.movers_in),
                ("out", f"Fraflyttede, {self.year0}", self.movers_out)]
        return pd.DataFrame([{"group": g, "label": label, "numerator": self.counts[g][0],
                              "denominator": self.counts[g][1], "mean": self.mean(g), "contribution": c}
                             for g, label, c in rows])


def estate_counts(cells: pd.DataFrame, estates, measure: str, age_band: str, year0: int, year1: int) -> dict:
    """``{estate: {group: (numerator, denominator)}}`` for the groups ``area0, area1, stay0,
    stay1, in, out`` of each estate (the decomposition's counts before summing)."""
    out = {}
    for e in [str(x) for x in estates]:
        c = f"{e}@{int(year0)}"
        a0 = _sum(cells, "estate", [e], measure, age_band, year0)
        a1 = _sum(cells, "estate", [e], measure, age_band, year1)
        s1 = _sum(cells, "cohort_stayers", [c], measure, age_band, year1)
        s0 = _sum(cells, "cohort_stayers_base", [c], measure, age_band, year1)
        out[e] = {"area0": a0, "area1": a1, "stay0": s0, "stay1": s1,
                  "in": (a1[0] - s1[0], a1[1] - s1[1]), "out": (a0[0] - s0[0], a0[1] - s0[1])}
    return out


def decompose(cells: pd.DataFrame, estates, measure: str, age_band: str, year0: int, year1: int) -> Decomposition:
    """Decompose the change of ``measure`` in the estates (summed) from ``year0`` to ``year1``.

    Needs the estates' cells and the resident-panel cells with baseline ``year0``
    (``evaluering build`` makes them for the year before each plan's start).
    """
    estates = [str(e) for e in estates]
    cohorts = [f"{e}@{int(year0)}" for e in estates]
    a0 = _sum(cells, "estate", estates, measure, age_band, year0)
    a1 = _sum(cells, "estate", estates, measure, age_band, year1)
    s1 = _sum(cells, "cohort_stayers", cohorts, measure, age_band, year1)
    s0 = _sum(cells, "cohort_stayers_base", cohorts, measure, age_band, year1)
    counts = {"area0": a0, "area1": a1, "stay0": s0, "stay1": s1,
              "in": (a1[0] - s1[0], a1[1] - s1[1]), "out": (a0[0] - s0[0], a0[1] - s0[1])}
    for group, year in (("in", year1), ("out", year0)):
        n, d = counts[group]
        if n < 0 or d < 0 or n > d:
            raise InputError("cells", "the resident-panel cells do not fit the estate cells "
                             f"(more stayers than residents), measure {measure}, year {int(year)}",
                             column="cohort_stayers")
    return Decomposition(measure=measure, age_band=age_band, year0=int(year0), year1=int(year1), counts=counts)


@dataclass(frozen=True)
class CohortComparison:
    """The area-level and the resident-panel (cohort) DiD estimates of the same outcome."""

    area: object        # DidResult
    cohort: object      # DidResult
    baseline: int

    def tidy(self) -> pd.DataFrame:
        rows = []
        for name, res in (("area", self.area), ("cohort", self.cohort)):
            r = res.tidy().iloc[0]
            rows.append({"design": name, "estimate": float(r["estimate"]), "std_error": float(r["std_error"]),
                         "conf_low": float(r["conf_low"]), "conf_high": float(r["conf_high"]),
                         "n_units": res.n_units})
        return pd.DataFrame(rows)


def _panel(cells, level, areas_of, measure, age_band, years, starts):
    sel = cells[(cells["level"] == level) & cells["area"].isin(list(areas_of)) & (cells["measure"] == measure)
                & (cells["age_band"] == age_band) & cells["year"].isin(list(years))]
    p = (sel.groupby(["area", "year"], as_index=False).agg(count=("numerator", "sum"), population=("denominator", "sum")))
    p = p[p["population"] > 0].rename(columns={"area": "unit", "year": "time"})
    p["unit"] = p["unit"].map(areas_of)
    p["start"] = p["unit"].map(starts).fillna(0).astype("int64")
    p["time"] = p["time"].astype("int64")
    return p


def cohort_estimate(cells: pd.DataFrame, treated: dict[str, int], controls, measure: str, age_band: str,
                    baseline: int, last_year: int | None = None, **twfe_kwargs) -> CohortComparison:
    """Area-level and cohort DiD of ``measure`` from ``baseline`` on.

    ``treated``: plan estate -> start year; ``controls``: comparison estates. Both designs use
    the years ``baseline..last_year`` and the same estates.
    """
    from .api import twfe

    years_all = sorted(int(y) for y in cells["year"].unique())
    last = last_year or years_all[-1]
    years = [y for y in years_all if baseline <= y <= last]
    starts = {str(k): int(v) for k, v in treated.items()}
    est = {str(e): str(e) for e in [*starts, *map(str, controls)]}
    area = twfe(_panel(cells, "estate", est, measure, age_band, years, starts), count="count",
                population="population", **twfe_kwargs)
    coh = {f"{e}@{int(baseline)}": e for e in est}
    cohort = twfe(_panel(cells, "cohort", coh, measure, age_band, years, starts), count="count",
                  population="population", **twfe_kwargs)
    return CohortComparison(area=area, cohort=cohort, baseline=int(baseline))
