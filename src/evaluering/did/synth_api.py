"""Public entry points :func:`synthdid` and :func:`synthetic_control` on a panel, and their result.

Both take the panel of :func:`~evaluering.did.panel.prepare_panel` (``unit, time, start`` and an
outcome, or ``count`` and ``population``: the outcome is then the rate per estate-year) and
return a :class:`SynthResult`: a :class:`~evaluering.did.results.DidResult` (``tidy()``,
``to_dict()``, ``_repr_html_``) with the weights, the treated and synthetic trajectories and a
:meth:`SynthResult.plot` (trajectories, time weights, unit weights).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(3)
>>> rows = [(u, t, 2017 if u >= 10 else 0) for u in range(12) for t in range(2010, 2020)]
>>> p = pd.DataFrame(rows, columns=["unit", "time", "start"])
>>> p["y"] = rng.normal(size=len(p)) * 0.1 + p["unit"] * 0.05 + 0.5 * ((p["start"] > 0) & (p["time"] >= 2017))
>>> r = synthdid(p, outcome="y", replications=50)
>>> abs(r.att - 0.5) < 0.2, r.tidy()["term"].tolist()[:2]
(True, ['ATT', 'DiD'])
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .api import _prepared
from .results import ESTIMATOR_LABELS, DidResult, finish_table
from .synthdid import did_matrix, fit_matrix, insample_placebo, panel_matrix, placebo_se

__all__ = ["synthdid", "synthetic_control", "SynthResult"]

ESTIMATOR_LABELS.setdefault("synthdid", "Syntetisk difference-in-differences (Arkhangelsky m.fl. 2021)")
ESTIMATOR_LABELS.setdefault("sc", "Syntetisk kontrolgruppe (Abadie m.fl. 2010)")


@dataclass(repr=False)
class SynthResult(DidResult):
    """A synthetic DiD / synthetic control estimate with its weights and trajectories.

    ``unit_weights`` (omega, per comparison unit), ``time_weights`` (lambda, per pre period;
    zeros for synthetic control), ``trajectory`` (DataFrame ``time, treated, synthetic``: the mean
    of the treated units and the omega-weighted comparison units, shifted by the lambda-weighted
    pre-period gap for synthetic DiD), ``placebo`` (the placebo estimates).
    """

    unit_weights: pd.Series | None = None
    time_weights: pd.Series | None = None
    trajectory: pd.DataFrame | None = None
    placebo: np.ndarray | None = None
    start: int | None = None

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["unit_weights"] = {str(k): float(v) for k, v in self.unit_weights.items() if v > 0}
        out["time_weights"] = {str(k): float(v) for k, v in self.time_weights.items() if v > 0}
        out["replications"] = None if self.placebo is None else int(len(self.placebo))
        return out

    def _header_lines(self) -> list[str]:
        n = 0 if self.placebo is None else len(self.placebo)
        return [ESTIMATOR_LABELS.get(self.estimator, self.estimator),
                f"enheder: {self.n_units} (behandlede {self.n_treated_units}), observationer: {self.n_obs}",
                f"varians: placebo ({n} placeboer)"]

    def _repr_html_(self) -> str:
        base = super()._repr_html_()
        w = self.unit_weights[self.unit_weights > 0].sort_values(ascending=False)
        rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{v:.3f}</td></tr>" for k, v in w.items())
        return base + f"<table><tr><th>sammenligningsenhed</th><th>vægt</th></tr>{rows}</table>"

    def plot(self, ax=None, title: str | None = None, scale: float = 1.0):
        """Treated vs synthetic trajectory (top; the time weights as a shaded area at the
        bottom of the pre period) and the unit weights (bottom). ``scale`` multiplies the
        outcome (100 for percent). Returns the figure; with ``ax`` (one Axes) only the trajectory."""
        from matplotlib.figure import Figure

        tr = self.trajectory
        if ax is None:
            fig = Figure(figsize=(7.5, 5.5))
            fig.subplots_adjust(left=0.11, right=0.97, bottom=0.09, top=0.93, hspace=0.45)
            ax, axw = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
        else:
            fig, axw = ax.figure, None
        x = tr["time"].to_numpy(dtype=float)
        ax.plot(x, scale * tr["treated"], color="C0", marker="o", ms=3, label="helhedsplanens afdelinger")
        ax.plot(x, scale * tr["synthetic"], color="C1", ls="--", marker="s", ms=3, label="syntetisk sammenligning")
        ax.axvline(self.start - 0.5, color="0.6", lw=0.8, ls=":")
        lam = self.time_weights.to_numpy(dtype=float)
        if lam.any():
            lo, hi = ax.get_ylim()
            pre = x[: lam.size]
            ax.fill_between(pre, lo, lo + lam / lam.max() * 0.15 * (hi - lo), color="0.8", step="mid",
                            label="tidsvægte (før start)")
            ax.set_ylim(lo, hi)
        ax.set_xlabel("år")
        ax.set_title(title or ESTIMATOR_LABELS.get(self.estimator, self.estimator), fontsize=10)
        ax.legend(frameon=False, fontsize=8)
        if axw is not None:
            w = self.unit_weights[self.unit_weights > 0].sort_values(ascending=False)
            axw.bar(range(len(w)), w.to_numpy(), color="C1")
            axw.set_xticks(range(len(w)), [str(k) for k in w.index], rotation=45, ha="right", fontsize=7)
            axw.set_ylabel("enhedsvægt")
            axw.set_title("Vægte på sammenligningsafdelinger", fontsize=9)
        return fig


def _run(method: str, panel, unit, time, start, outcome, count, population, replications, seed, level,
         progress) -> SynthResult:
    df = _prepared(panel, unit, time, start, outcome, count, population, "none")
    Y, units, periods, n0, t0, st = panel_matrix(df)
    fit = fit_matrix(Y, n0, t0, method)
    se, draws = placebo_se(fit, Y, replications, seed, progress)
    rows = [{"term": "ATT", "kind": "att", "estimate": fit.tau, "std_error": se}]
    tests, notes = {}, [f"Placebo-varians (Arkhangelsky m.fl. 2021, algoritme 4): {replications} placeboer, seed {seed}; "
                        "normalfordelt interval."]
    if method == "sc":
        p, ratios, ratio = insample_placebo(fit, Y)
        tests["placebo_in_space"] = {"statistic": ratio, "p_value": p, "n_placebos": int(n0),
                                     "test": "RMSPE-forhold efter/før (Abadie m.fl. 2010)"}
        rows[0]["p_value"] = p
        notes.append(f"p-værdi fra placebo i rummet: rang af RMSPE-forholdet blandt {n0} sammenligningsenheder.")
    rows.append({"term": "DiD", "kind": "did", "estimate": did_matrix(Y, n0, t0), "std_error": np.nan})
    table = finish_table(pd.DataFrame(rows), level)
    treated_mean = Y[n0:].mean(axis=0)
    synth = fit.omega @ Y[:n0] + fit.intercept
    traj = pd.DataFrame({"time": periods, "treated": treated_mean, "synthetic": synth})
    n_treated = len(units) - n0
    return SynthResult(method, table, n_obs=int(Y.size), n_units=len(units), n_treated_units=n_treated,
                       inference="placebo", outcome=outcome or count, level=level, tests=tests, notes=notes,
                       unit_weights=pd.Series(fit.omega, index=units[:n0], name="omega"),
                       time_weights=pd.Series(fit.lam, index=periods[:t0], name="lambda"),
                       trajectory=traj, placebo=draws, start=st)


def synthdid(panel: pd.DataFrame, unit: str = "unit", time: str = "time", start: str = "start",
             outcome: str | None = None, count: str | None = None, population: str | None = None,
             replications: int = 200, seed: int | None = 20170201, level: float = 0.95,
             progress: bool = False) -> SynthResult:
    """Synthetic difference-in-differences with the placebo standard error.

    One start year for the treated units; a balanced panel; more comparison than treated units.
    The ``DiD`` row is the unweighted DiD of the same matrix (synthdid's ``did_estimate``).
    """
    return _run("synthdid", panel, unit, time, start, outcome, count, population, replications, seed, level,
                progress)


def synthetic_control(panel: pd.DataFrame, unit: str = "unit", time: str = "time", start: str = "start",
                      outcome: str | None = None, count: str | None = None, population: str | None = None,
                      replications: int = 200, seed: int | None = 20170201, level: float = 0.95,
                      progress: bool = False) -> SynthResult:
    """Synthetic control (weights on the pre-period outcomes, no intercept) with the placebo
    standard error and the in-space placebo p-value (``tests["placebo_in_space"]``; the ATT
    row's p-value)."""
    return _run("sc", panel, unit, time, start, outcome, count, population, replications, seed, level, progress)
