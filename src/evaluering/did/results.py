"""Result objects of the effect estimators: one tidy table is the single source of truth.

``tidy()`` returns a DataFrame with one row per estimated quantity (``term``, ``kind``,
``event_time``, ``group``, ``time``, ``estimate``, ``std_error``, ``statistic``, ``df``,
``p_value``, ``conf_low``, ``conf_high``); ``coef()``, ``se()``, ``pvalue()``, ``att``,
``summary()``, ``_repr_html_()``, ``plot()`` and ``to_dict()`` all derive from it.
``df`` is missing for normal (z) inference.

>>> import pandas as pd
>>> tab = pd.DataFrame({"term": ["ATT"], "kind": ["att"], "estimate": [0.5], "std_error": [0.25],
...                     "df": [10.0]})
>>> r = DidResult("twfe", finish_table(tab), n_obs=20, n_units=5, n_treated_units=2)
>>> round(r.att, 3), round(float(r.pvalue()["ATT"]), 4)
(0.5, 0.0734)
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["DidResult", "finish_table", "TIDY_COLUMNS"]

TIDY_COLUMNS = ("term", "kind", "event_time", "group", "time", "estimate", "std_error", "statistic",
                "df", "p_value", "conf_low", "conf_high")

ESTIMATOR_LABELS = {
    "twfe": "To-vejs faste effekter (TWFE)",
    "event": "Event study (TWFE med leads og lags)",
    "cs": "Callaway & Sant'Anna (2021)",
}


def finish_table(tab: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Fill statistic, p-value and interval columns from estimate, std_error and df
    (t with ``df`` degrees of freedom, normal where ``df`` is missing); keep given values."""
    tab = tab.copy()
    for c in TIDY_COLUMNS:
        if c not in tab:
            tab[c] = np.nan
    est = tab["estimate"].astype(float)
    se = tab["std_error"].astype(float)
    dfree = tab["df"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    crit = np.where(np.isfinite(dfree), stats.t.ppf(0.5 + level / 2, np.where(np.isfinite(dfree), dfree, 1)),
                    stats.norm.ppf(0.5 + level / 2))
    p = np.where(np.isfinite(dfree), 2 * stats.t.sf(np.abs(stat), np.where(np.isfinite(dfree), dfree, 1)),
                 2 * stats.norm.sf(np.abs(stat)))
    fill = {"statistic": stat, "p_value": p, "conf_low": est - crit * se, "conf_high": est + crit * se}
    for c, v in fill.items():
        tab[c] = tab[c].astype(float).where(tab[c].notna(), v)
    return tab.loc[:, list(TIDY_COLUMNS)].reset_index(drop=True)


def _clean(obj):
    """NaN/inf -> None and numpy scalars -> Python numbers, recursively (JSON-ready)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    return obj


def _num(x, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{digits}f}"


@dataclass(repr=False)
class DidResult:
    """An effect estimate. The headline row is ``term == "ATT"``."""

    estimator: str
    table: pd.DataFrame
    n_obs: int
    n_units: int
    n_treated_units: int
    n_clusters: int | None = None
    vcov: str | None = None
    inference: str = "analytic"
    control: str | None = None
    outcome: str | None = None
    level: float = 0.95
    n_persons: float | None = None
    tests: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    bands: dict = field(default_factory=dict)  # family -> critical value of a simultaneous band

    # -- one source of truth -------------------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """The estimates as a tidy DataFrame (a copy)."""
        return self.table.copy()

    def _series(self, col: str) -> pd.Series:
        t = self.table
        return pd.Series(t[col].to_numpy(), index=t["term"].to_numpy(), name=col)

    def coef(self) -> pd.Series:
        return self._series("estimate")

    def se(self) -> pd.Series:
        return self._series("std_error")

    def pvalue(self) -> pd.Series:
        return self._series("p_value")

    def confint(self) -> pd.DataFrame:
        t = self.table
        return pd.DataFrame({"conf_low": t["conf_low"].to_numpy(), "conf_high": t["conf_high"].to_numpy()},
                            index=t["term"].to_numpy())

    def _att_row(self) -> pd.Series:
        rows = self.table[self.table["term"] == "ATT"]
        if rows.empty:
            raise KeyError("the result has no ATT row")
        return rows.iloc[0]

    @property
    def att(self) -> float:
        return float(self._att_row()["estimate"])

    # -- output -----------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-ready dict with the headline figures and the tidy table."""
        row = self._att_row()

        def f(x):
            return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)

        out = {
            "estimator": self.estimator, "outcome": self.outcome, "att": f(row["estimate"]),
            "se": f(row["std_error"]), "ci_low": f(row["conf_low"]), "ci_high": f(row["conf_high"]),
            "df": f(row["df"]), "p_value": f(row["p_value"]), "level": self.level,
            "vcov": self.vcov, "inference": self.inference, "control": self.control,
            "n_units": int(self.n_units), "n_treated_units": int(self.n_treated_units),
            "n_obs": int(self.n_obs), "n_clusters": None if self.n_clusters is None else int(self.n_clusters),
            "tests": _clean(self.tests), "notes": list(self.notes),
        }
        if self.bands:
            out["bands"] = _clean(dict(self.bands))
        tab = self.table.astype(object).where(self.table.notna(), None)
        out["table"] = _clean(tab.to_dict(orient="records"))
        return out

    def _header_lines(self) -> list[str]:
        lines = [f"{ESTIMATOR_LABELS.get(self.estimator, self.estimator)}",
                 f"enheder: {self.n_units} (behandlede {self.n_treated_units}), observationer: {self.n_obs}"]
        inf = f"varians: {self.vcov}" if self.vcov else "varians: analytisk (influensfunktioner)"
        if self.inference != "analytic":
            inf += f"; inferens: {self.inference}"
        if self.control:
            inf += f"; kontrolgruppe: {self.control}"
        lines.append(inf)
        return lines

    def summary(self) -> str:
        """A plain-text summary (headline ATT, the table, the tests)."""
        lines = self._header_lines()
        show = self.table[["term", "estimate", "std_error", "df", "p_value", "conf_low", "conf_high"]]
        lines.append(show.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
        for name, t in self.tests.items():
            lines.append(f"{name}: statistik {_num(t.get('statistic'), 3)}, p = {_num(t.get('p_value'), 4)}")
        if self.bands:
            lines.append(self._bands_line())
        lines.extend(self.notes)
        return "\n".join(lines)

    def _bands_line(self) -> str:
        from ..fmt import number

        return "simultane bånd, kritisk værdi: " + ", ".join(f"{k} {number(v, 2)}" for k, v in self.bands.items())

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = "".join(f"<div>{html.escape(x)}</div>" for x in self._header_lines())
        show = self.table[["term", "estimate", "std_error", "df", "p_value", "conf_low", "conf_high"]]
        tab = show.to_html(index=False, float_format=lambda x: f"{x:.4f}", na_rep="–", border=0)
        tests = "".join(f"<div>{html.escape(n)}: p = {_num(t.get('p_value'), 4)}</div>"
                        for n, t in self.tests.items())
        if self.bands:
            tests += f"<div>{html.escape(self._bands_line())}</div>"
        notes = "".join(f"<div><em>{html.escape(n)}</em></div>" for n in self.notes)
        return f"<div class='evaluering-did'><strong>{head}</strong>{tab}{tests}{notes}</div>"

    def plot(self, ax=None, title: str | None = None):
        """Event-study plot: estimates by event time with their intervals (reference period
        -1 at zero); for TWFE one point. Returns the matplotlib Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table
        ev = t[t["kind"].isin(["event", "dynamic"])].copy()
        if ev.empty:
            ev = t[t["term"] == "ATT"].assign(event_time=0)
        x = ev["event_time"].astype(float).to_numpy()
        y = ev["estimate"].to_numpy(dtype=float)
        lo, hi = ev["conf_low"].to_numpy(dtype=float), ev["conf_high"].to_numpy(dtype=float)
        post = x >= 0
        for mask, color, label in ((~post, "0.45", "før start"), (post, "C0", "efter start")):
            if mask.any():
                ax.errorbar(x[mask], y[mask], yerr=[y[mask] - lo[mask], hi[mask] - y[mask]], fmt="o",
                            color=color, capsize=3, label=label)
        if self.estimator == "event":
            ax.plot([-1], [0], marker="o", mfc="white", color="0.45", label="referenceår (-1)")
            ticks = sorted(set(x.astype(int)) | {-1})
            names = dict(zip(ev["event_time"].astype(int), ev["term"]))
            labels = [names.get(t, "e=-1").replace("e<=", "≤").replace("e>=", "≥").replace("e=", "") for t in ticks]
            ax.set_xticks(ticks, labels)
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(-0.5, color="0.6", lw=0.8, ls="--")
        ax.set_xlabel("år i forhold til planens start")
        ax.set_ylabel("effekt")
        ax.set_title(title or ESTIMATOR_LABELS.get(self.estimator, self.estimator))
        ax.legend(frameon=False, fontsize=8)
        return ax
