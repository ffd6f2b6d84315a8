"""Report views of the success criteria: the summary table and the target paths."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from .. import fmt
from ..theme import LEVEL_COLOURS, STATUS_COLOURS, figure_html, new_figure, set_title, status_slug
from .html import Cell, table

__all__ = ["status_badge", "value_text", "criteria_table", "criteria_payload", "target_path_figure",
           "criteria_origins"]

def status_badge(status: str) -> Cell:
    """The status as a coloured label (text, never colour alone)."""
    cls = status_slug(status) if status in STATUS_COLOURS else "mangler-data"
    return Cell(f'<span class="status status-{cls}">{html.escape(status)}</span>')


def _trim(text: str) -> str:
    """Drop trailing zero decimals: ``'4,20'`` -> ``'4,2'``, ``'3,15'`` stays."""
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def value_text(value, unit: str, decimals: int = 2) -> str:
    """A criterion value in its unit: ``'4,2 %'``, ``'35,1 pr. 1.000'``, ``'12'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return fmt.MISSING
    if unit == "pct.":
        return _trim(fmt.number(value, decimals)) + " %"
    if unit == "antal":
        return fmt.number(value, 0 if float(value).is_integer() else 1)
    return f"{_trim(fmt.number(value, decimals))} {unit}"


def _count_of(r, prefix: str):
    c = r.get(f"{prefix}_count")
    return None if c is None or pd.isna(c) else float(c)


def _mark(r, prefix: str) -> str:
    """The origin mark of a criterion's baseline or observed value (``origin_<prefix>``,
    set by :func:`criteria_origins`)."""
    from .origin import mark

    kind = r.get(f"{prefix}_origin")
    return mark(kind) if isinstance(kind, str) else ""


def criteria_origins(crit: pd.DataFrame, series: dict, example_logs: bool = False) -> pd.DataFrame:
    """``crit`` with ``baseline_origin`` and ``observed_origin``: the origin of the series
    row each value was taken from (published, computed or synthetic); a milestone judged
    from the bundled example log is synthetic.

    A criterion's ``synthetic`` flag says only that *some* value is synthetic; a published
    baseline (4,2 % in 2015) beside a synthetic observation must be marked apart."""
    from .origin import origin

    out = crit.copy()
    base, obs = [], []
    lookups: dict[str, dict] = {}   # indicator -> (level, area, year) -> origin

    def lookup(ind):
        if ind not in lookups:
            s = series.get(ind)
            lookups[ind] = {} if s is None else {
                (lv, str(a), int(y)): origin(bool(p) if p == p else False, bool(sy) if sy == sy else False)
                for lv, a, y, p, sy in zip(s["level"].tolist(), s["area"].tolist(), s["year"].tolist(),
                                           s["published"].tolist(), s["synthetic"].tolist())}
        return lookups[ind]

    for r in crit.to_dict(orient="records"):
        if r["kind"] == "milestone":
            base.append(None)
            obs.append(origin(False, example_logs))
            continue
        table = lookup(r.get("indicator"))
        found = []
        for prefix in ("baseline", "observed"):
            y = r.get("baseline_year") if prefix == "baseline" else (
                r.get("observed_year") if pd.notna(r.get("observed_year")) else r.get("year"))
            found.append(table.get((r["level"], str(r["area"]), int(y))) if y is not None and pd.notna(y) else None)
        base.append(found[0])
        obs.append(found[1])
    out["baseline_origin"] = base
    out["observed_origin"] = obs
    return out


def _observed_cell(r) -> Cell | str:
    if isinstance(r.get("observed_reason"), str):
        return Cell(f'<span class="ev-suppressed" data-suppressed="primary">{html.escape(r["observed_reason"])}</span>')
    text = value_text(r["observed_value"], r["unit"])
    if pd.notna(r.get("observed_lower")) and pd.notna(r.get("observed_upper")):
        text += f" ({value_text(r['observed_lower'], r['unit'])}–{value_text(r['observed_upper'], r['unit'])})"
    if pd.notna(r.get("observed_year")) and int(r["observed_year"]) != int(r["year"]):
        text += f" [{int(r['observed_year'])}]"
    return Cell(html.escape(text) + _mark(r, "observed"))


def _baseline_cell(r) -> Cell | str:
    if pd.isna(r.get("baseline_year")):
        return fmt.MISSING
    if isinstance(r.get("baseline_reason"), str):
        return Cell(f'{int(r["baseline_year"])}: <span class="ev-suppressed" data-suppressed="primary">'
                    f'{html.escape(r["baseline_reason"])}</span>')
    text = f"{int(r['baseline_year'])}: {value_text(r['baseline_value'], r['unit'])}"
    c = _count_of(r, "baseline")
    if c is not None and r["unit"] != "antal":
        text += f" ({fmt.number(c)} personer)"
    return Cell(html.escape(text) + _mark(r, "baseline"))


def _significance_cell(r) -> str:
    sig = r.get("significant")
    if sig is None or (isinstance(sig, float) and math.isnan(sig)):
        return fmt.MISSING
    diff = r.get("difference")
    lo, hi = r.get("difference_lower"), r.get("difference_upper")
    unit = r["unit"]
    if pd.notna(diff) and pd.notna(lo) and pd.notna(hi):
        dec = 2 if unit == "pct." else 1
        d = f"{_trim(fmt.signed(diff, dec))} ({_trim(fmt.signed(lo, dec))} til {_trim(fmt.signed(hi, dec))})"
        d += " pct.-point" if unit == "pct." else ""
    else:
        d = ""
    return ("ja" if bool(sig) else "nej") + (f": ændring {d}" if d else "")


def criteria_table(crit: pd.DataFrame, labels: dict[str, str] | None = None) -> str:
    """The summary table of every criterion (Danish); ``labels`` names the indicators."""
    labels = labels or {}
    rows = []
    for _, r in crit.iterrows():
        if r["kind"] == "milestone":
            rows.append([r["id"], r["title"], "milepæl", fmt.MISSING,
                         f"senest {r['target_year']}" if pd.notna(r.get("target_year")) else fmt.MISSING,
                         Cell(html.escape(r.get("note") or fmt.MISSING) + _mark(r, "observed")), fmt.MISSING, status_badge(r["status"]), fmt.MISSING])
            continue
        rows.append([
            r["id"], r["title"], f"{labels.get(r['indicator'], r['indicator'])} ({r['unit']})", _baseline_cell(r),
            f"{int(r['target_year'])}: {value_text(r['target_value'], r['unit'])}" if pd.notna(r.get("target_year")) else fmt.MISSING,
            _observed_cell(r),
            value_text(r["path_value"], r["unit"]) if pd.notna(r.get("path_value")) else fmt.MISSING,
            status_badge(r["status"]), _significance_cell(r),
        ])
    from .origin import legend

    return table(["ID", "Succeskriterium", "Indikator", "Baseline", "Mål", "Observeret (95 %-interval)",
                  "Målsti i året", "Status", "Statistisk sikker ændring"], rows,
                 cls="ev-table ev-criteria", caption=f"Succeskriterierne; {legend()}")


def criteria_payload(crit: pd.DataFrame) -> list[dict]:
    """The criteria as plain records for ``<plan>.json`` (and the batch index)."""
    keep = ["id", "kind", "title", "indicator", "unit", "year", "baseline_year", "baseline_value",
            "baseline_origin", "observed_origin",
            "target_year", "target_value", "observed_year", "observed_value", "observed_lower",
            "observed_upper", "path_value", "status", "significant", "difference", "difference_lower",
            "difference_upper", "ratio", "ratio_lower", "ratio_upper", "baseline_reason", "observed_reason",
            "synthetic"]
    cols = [c for c in keep if c in crit.columns]
    return crit[cols].to_dict(orient="records")


def target_path_figure(r, series: pd.DataFrame, indicator, plan, last_year: int, synthetic: bool,
                       example: bool = False) -> str:
    """One criterion: observed values with intervals, the straight path from baseline to
    target, and the target."""
    import matplotlib.pyplot as plt

    by, ty = int(r["baseline_year"]), int(r["target_year"])
    first = min(by, ty) - 2
    last = max(ty, last_year)
    s = series[(series["level"] == r["level"]) & (series["area"] == r["area"])
               & series["year"].between(first, last)].sort_values("year")
    fig, ax = new_figure((8.4, 3.8), left=0.08, right=0.68, bottom=0.14, top=0.90)
    colour = LEVEL_COLOURS["plan"]
    shown = s[s["value"].notna()]
    kinds_shown: set[str] = set()
    if len(shown):
        from .origin import MARKERS, row_origin
        from .trends import line_values

        # the line breaks at years without a shown value (suppressed or missing): NaN
        line = line_values(s, first, last)
        ax.plot(np.arange(first, last + 1), line["value"], "-", color=colour, label="Observeret (95 %-interval)")
        yerr_lo = (shown["value"] - shown["lower"]).clip(lower=0).fillna(0)
        yerr_hi = (shown["upper"] - shown["value"]).clip(lower=0).fillna(0)
        ax.errorbar(shown["year"], shown["value"], yerr=[yerr_lo, yerr_hi], fmt="none", ecolor=colour, capsize=3)
        kinds = np.array([row_origin(x, example) for x in shown[["published", "synthetic"]].to_dict(orient="records")])
        for kind, (marker, filled) in MARKERS.items():
            sel = kinds == kind
            if sel.any():
                kinds_shown.add(kind)
                ax.plot(shown["year"].to_numpy()[sel], shown["value"].to_numpy()[sel], marker, linestyle="none",
                        color=colour, markerfacecolor=colour if filled else "white", markersize=6)
    ax.plot([by, ty], [r["baseline_value"], r["target_value"]], "--", color=LEVEL_COLOURS["target"],
            label="Målsti (lineær)")
    ax.plot([ty], [r["target_value"]], "D", color=LEVEL_COLOURS["target"], markersize=8,
            label=f"Mål {ty}: {value_text(r['target_value'], r['unit'])}")
    ax.set_xticks(range(first, last + 1))
    ax.set_xlim(first - 0.5, last + 0.5)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("År")
    ax.set_ylabel(indicator.unit_da)
    set_title(ax, f"{r['id']}: {indicator.label_da}")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.number(v, 1 if v % 1 else 0)))
    obs = value_text(r["observed_value"], r["unit"]) if not isinstance(r.get("observed_reason"), str) else "undertrykt"
    alt = (f"Målsti for {r['id']}: baseline {by} {value_text(r['baseline_value'], r['unit'])}, mål {ty} "
           f"{value_text(r['target_value'], r['unit'])}, observeret {obs} i {int(r['year'])}; status {r['status']}.")
    sources = "; ".join(sorted(set(s["source"].dropna().astype(str)))) or "–"
    from .origin import figure_legend

    note = figure_legend(kinds_shown or ("computed",)) + " Linjen er brudt i år uden en vist værdi."
    return figure_html(fig, title=f"Målsti for {r['id']}", alt=alt, source=sources, unit=indicator.unit_da,
                       note=note)
