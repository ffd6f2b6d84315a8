"""The indicator catalogue: what each indicator counts, over whom, on which scale.

The built-in definitions live in ``domain/catalogue.yaml`` (package data; each entry is
documented in docs/indicators.md). A focus area (``domain/focus_areas/*.yaml``) and a plan
file add or override indicators in their ``indicators:`` sections with the same keys, so
users define new indicators without writing Python::

    indicators:
      vold_15plus:
        label_da: Sigtelser for vold pr. 1.000 personer på 15 år og derover
        measure: sigtelser_vold
        age_band: "15+"
        distribution: poisson
        scale: 1000

>>> cat = load_catalogue()
>>> cat["andel_sigtede_10_17"].unit_da
'pct.'
>>> cat["sigtede_15plus"].scale, cat["ssp_sager_niveau_1_2"].has_denominator
(1000, False)
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Indicator", "load_catalogue", "get_indicator", "builtin_catalogue"]

_DISTRIBUTIONS = ("binomial", "poisson", "mean")
_SOURCE_KINDS = ("cells", "published", "survey")
_SCALES = (1, 100, 1000, 10000, 100000)


@dataclass(frozen=True)
class Indicator:
    """One indicator definition."""

    id: str
    label_da: str
    measure: str
    age_band: str
    source_kind: str = "cells"             # "cells", "published" (tables only) or "survey"
    squares_measure: str = ""              # distribution "mean": sum of squared amounts / 1000
    pool_years: int = 1                    # 2: each year pools the year and the year before
    relative_to: str = ""                  # "region": the mean in percent of the region's
    label_en: str = ""
    denominator: str = "population"       # "population" or "none"
    distribution: str = "poisson"          # "binomial" (share) or "poisson" (rate, count)
    scale: int = 1000
    decimals: int = 1
    lower_is_better: bool = True
    data_source: str = ""
    definition_da: str = ""

    @property
    def has_denominator(self) -> bool:
        return self.denominator != "none"

    @property
    def kind(self) -> str:
        """``share``, ``rate`` or ``count``."""
        if not self.has_denominator:
            return "count"
        if self.distribution == "mean":
            return "relative" if self.relative_to else "mean"
        return "share" if self.distribution == "binomial" else "rate"

    @property
    def unit_da(self) -> str:
        """The unit as a report prints it."""
        if self.distribution == "mean":
            return "pct." if self.relative_to else "kr."
        return {1: "antal", 100: "pct."}.get(self.scale, f"pr. {self.scale:,}".replace(",", "."))

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update(kind=self.kind, unit_da=self.unit_da)
        return out


def _make(ind_id: str, spec: Any, where: str, error=None) -> Indicator:
    def fail(msg: str, key: str = ""):
        if error is not None:
            raise error(f"indicators.{ind_id}{'.' + key if key else ''}", msg)
        raise ValueError(f"{where}: indicator {ind_id}: {msg}")

    if not isinstance(spec, dict):
        fail("an indicator must be a mapping of keys")
    known = {f.name for f in fields(Indicator)} - {"id"}
    for key in spec:
        if key not in known:
            fail(f"unknown key '{key}' (known: {', '.join(sorted(known))})", str(key))
    spec = dict(spec)
    if spec.get("source_kind", "cells") not in _SOURCE_KINDS:
        fail("source_kind must be 'cells', 'published' or 'survey'", "source_kind")
    if spec.get("source_kind") == "published":
        spec.setdefault("measure", ind_id)   # never in cells: values come from published tables
    for key in ("label_da", "measure", "age_band"):
        if not spec.get(key):
            fail(f"missing required key '{key}'", key)
    if spec.get("denominator", "population") not in ("population", "none"):
        fail("denominator must be 'population' or 'none'", "denominator")
    if spec.get("distribution", "poisson") not in _DISTRIBUTIONS:
        fail("distribution must be 'binomial', 'poisson' or 'mean'", "distribution")
    if spec.get("distribution") == "mean" and not spec.get("squares_measure"):
        fail("a mean needs 'squares_measure' (the sum of squared amounts / 1000)", "squares_measure")
    if spec.get("relative_to", "") not in ("", "region"):
        fail("relative_to must be 'region'", "relative_to")
    try:
        spec["pool_years"] = int(spec.get("pool_years", 1))
    except (TypeError, ValueError):
        fail("pool_years must be 1 or 2", "pool_years")
    if spec["pool_years"] not in (1, 2):
        fail("pool_years must be 1 or 2", "pool_years")
    if spec.get("denominator") == "none":
        spec["distribution"] = "poisson"
        spec.setdefault("scale", 1)
        spec.setdefault("decimals", 0)
    try:
        scale = int(spec.get("scale", 1000))
    except (TypeError, ValueError):
        fail("scale must be 1, 100 or 1000", "scale")
    if scale not in _SCALES:
        fail("scale must be 1, 100, 1000, 10000 or 100000", "scale")
    spec["scale"] = scale
    spec["decimals"] = int(spec.get("decimals", 1))
    spec["lower_is_better"] = bool(spec.get("lower_is_better", True))
    for key in ("label_da", "label_en", "measure", "age_band", "data_source", "definition_da",
                "source_kind", "squares_measure", "relative_to"):
        if key in spec:
            spec[key] = str(spec[key])
    return Indicator(id=ind_id, **spec)


CATALOGUE_PATH = Path(__file__).with_name("domain") / "catalogue.yaml"


@lru_cache(maxsize=1)
def builtin_catalogue() -> dict[str, Indicator]:
    """The built-in indicators of ``domain/catalogue.yaml``."""
    import yaml

    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return {k: _make(k, v, str(CATALOGUE_PATH)) for k, v in raw.items()}


def _merge(cat: dict[str, Indicator], section: dict, where: str, error=None) -> None:
    """Add or override the indicators of ``section`` in ``cat`` (in place)."""
    for ind_id, spec in section.items():
        ind_id = str(ind_id)
        if ind_id in cat and isinstance(spec, dict):
            base = cat[ind_id].to_dict()
            for k in ("id", "kind", "unit_da"):
                base.pop(k)
            base.update(spec)
            spec = base
        cat[ind_id] = _make(ind_id, spec, where, error=error)


def load_catalogue(plan=None) -> dict[str, Indicator]:
    """The built-in catalogue, the indicators of the plan's focus areas
    (``domain/focus_areas/*.yaml``, ``indicators:``) and the plan's ``indicators:`` section.

    A plan entry with a built-in id replaces single keys of the built-in definition;
    a new id needs at least ``label_da``, ``measure`` and ``age_band``. Problems raise a
    :class:`~evaluering.errors.PlanError` with the line of the plan file.
    """
    cat = dict(builtin_catalogue())
    if plan is not None:
        from .errors import PlanError

        try:
            specs = getattr(plan, "focus_area_specs", lambda: [])()
        except PlanError:   # an unknown focus area: the evaluation's notes say so
            specs = []
        for area in specs:
            if area.indicators_spec:
                _merge(cat, area.indicators_spec, str(area.path))
    section = plan.section("indicators") if plan is not None else None
    if not section:
        return cat
    if not isinstance(section, dict):
        raise plan.error("indicators", "'indicators' must be a mapping: id -> definition")
    _merge(cat, section, str(plan.path), error=plan.error)
    return cat


def get_indicator(indicator_id: str, plan=None) -> Indicator:
    """One indicator by id (``KeyError`` names the known ids).

    >>> get_indicator("sigtelser_15plus").measure
    'sigtelser'
    """
    cat = load_catalogue(plan)
    try:
        return cat[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator '{indicator_id}' (known: {', '.join(sorted(cat))})") from None
