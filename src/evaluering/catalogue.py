"""The indicator catalogue: what each indicator counts, over whom, on which scale.

The built-in definitions live in ``catalogue.yaml`` (package data). A plan file adds or
overrides indicators in its ``indicators:`` section with the same keys, so users define
new indicators without writing Python::

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

_DISTRIBUTIONS = ("binomial", "poisson")
_SCALES = (1, 100, 1000, 10000, 100000)


@dataclass(frozen=True)
class Indicator:
    """One indicator definition."""

    id: str
    label_da: str
    measure: str
    age_band: str
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
        return "share" if self.distribution == "binomial" else "rate"

    @property
    def unit_da(self) -> str:
        """The unit as a report prints it."""
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
    for key in ("label_da", "measure", "age_band"):
        if not spec.get(key):
            fail(f"missing required key '{key}'", key)
    spec = dict(spec)
    if spec.get("denominator", "population") not in ("population", "none"):
        fail("denominator must be 'population' or 'none'", "denominator")
    if spec.get("distribution", "poisson") not in _DISTRIBUTIONS:
        fail("distribution must be 'binomial' or 'poisson'", "distribution")
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
    for key in ("label_da", "label_en", "measure", "age_band", "data_source", "definition_da"):
        if key in spec:
            spec[key] = str(spec[key])
    return Indicator(id=ind_id, **spec)


@lru_cache(maxsize=1)
def builtin_catalogue() -> dict[str, Indicator]:
    """The built-in indicators of ``catalogue.yaml``."""
    import yaml

    path = Path(__file__).with_name("catalogue.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: _make(k, v, str(path)) for k, v in raw.items()}


def load_catalogue(plan=None) -> dict[str, Indicator]:
    """The built-in catalogue merged with the plan's ``indicators:`` section.

    A plan entry with a built-in id replaces single keys of the built-in definition;
    a new id needs at least ``label_da``, ``measure`` and ``age_band``. Problems raise a
    :class:`~evaluering.errors.PlanError` with the line of the plan file.
    """
    cat = dict(builtin_catalogue())
    section = plan.section("indicators") if plan is not None else None
    if not section:
        return cat
    if not isinstance(section, dict):
        raise plan.error("indicators", "'indicators' must be a mapping: id -> definition")
    for ind_id, spec in section.items():
        ind_id = str(ind_id)
        if ind_id in cat and isinstance(spec, dict):
            base = cat[ind_id].to_dict()
            for k in ("id", "kind", "unit_da"):
                base.pop(k)
            base.update(spec)
            spec = base
        cat[ind_id] = _make(ind_id, spec, str(plan.path), error=plan.error)
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
