"""Indicator trends: the plan's areas against kommune, almene boligsektor and hele landet.

One figure per indicator: a line per comparison level, a shaded exact 95 % interval where
the counts allow one, markers by origin (:mod:`.origin`: filled circles published, open
circles computed from count cells, open squares synthetic) and a vertical line at the plan
start. Values that disclosure control suppressed are absent from the figure, as from the
table, and the line breaks there (NaN) instead of running across the gap.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd

from .. import fmt
from ..cellschema import LEVEL_LABELS_DA
from ..theme import LEVEL_COLOURS, figure_html, new_figure, set_title
from .html import Cell, table
from .origin import MARKERS, figure_legend, legend, mark, row_origin

__all__ = ["trend_levels", "trend_figure", "trend_table", "level_label", "line_values"]

#: the order levels are drawn and listed in
TREND_LEVELS = ("plan", "plan_part", "municipality", "public_housing", "country")
#: line styles of a plan's parts (one colour for all parts; the style tells them apart)
PART_STYLES = ("--", "-.", ":")


def level_label(level: str, area_name: str | None) -> str:
    """Danish label of one line: the area's name, or the level's name."""
    if level in ("municipality", "plan", "plan_part") and area_name:
        return str(area_name)
    return LEVEL_LABELS_DA.get(level, level)


def trend_levels(series: pd.DataFrame, plan) -> pd.DataFrame:
    """The rows of ``series`` that a trend shows: the plan and its parts, the plan's
    municipality, almene boligsektor and hele landet (no single estates)."""
    keep = series["level"].isin(TREND_LEVELS)
    muni = (series["level"] != "municipality") | (series["area"] == plan.municipality_code)
    plan_rows = (series["level"] != "plan") | (series["area"] == plan.id)
    parts = {p.id for p in plan.parts}
    part_rows = (series["level"] != "plan_part") | series["area"].isin(parts)
    levels = set(plan.comparison_levels) | {"plan", "plan_part"}
    return series[keep & muni & plan_rows & part_rows & series["level"].isin(levels)]


def _value_text(v, indicator) -> str:
    if pd.isna(v):
        return fmt.MISSING
    return fmt.pct(v, indicator.decimals) if indicator.scale == 100 else fmt.number(v, indicator.decimals)


def trend_figure(series: pd.DataFrame, indicator, plan, first_year: int, last_year: int,
                 synthetic: bool) -> str:
    """The trend figure of one indicator as accessible HTML (``<figure>`` with alt text)."""
    import matplotlib.pyplot as plt

    data = trend_levels(series, plan)
    data = data[data["year"].between(first_year, last_year)]
    fig, ax = new_figure((9.6, 4.2), left=0.07, right=0.60, bottom=0.21, top=0.91)
    described = []
    names = _label_map(data, plan)
    part_styles = {p.id: PART_STYLES[i % len(PART_STYLES)] for i, p in enumerate(plan.parts)}
    kinds_shown: set[str] = set()
    years_all = np.arange(first_year, last_year + 1, dtype=float)
    for (level, area), grp in data.groupby(["level", "area"], sort=False):
        grp = grp.sort_values("year")
        shown = grp[grp["value"].notna()]
        if shown.empty:
            continue
        # one point per year of the axis; a year without a value (suppressed, not
        # published, not computed) is NaN, so the line breaks there instead of running
        # straight across it
        line = line_values(grp, first_year, last_year)
        name = names[(level, area)]
        colour = LEVEL_COLOURS.get(level, "#000000")
        style = part_styles.get(area, "--") if level == "plan_part" else "-"
        ax.plot(years_all, line["value"], style, color=colour, label=textwrap.fill(name, 40), linewidth=1.8)
        band = ~np.isnan(line["lower"]) & ~np.isnan(line["upper"])
        if band.any():
            ax.fill_between(years_all, line["lower"], line["upper"], where=band, color=colour, alpha=0.15,
                            linewidth=0, interpolate=False)
        year = shown["year"].to_numpy(dtype=float)
        value = shown["value"].to_numpy(dtype=float, na_value=np.nan)
        kinds = np.array([row_origin(r) for r in shown[["published", "synthetic"]].to_dict(orient="records")])
        for kind, (marker, filled) in MARKERS.items():
            sel = kinds == kind
            if sel.any():
                kinds_shown.add(kind)
                ax.plot(year[sel], value[sel], marker, linestyle="none", color=colour, markersize=5,
                        markerfacecolor=colour if filled else "white")
        described.append(f"{name}: {_value_text(value[-1], indicator)} i {int(year[-1])}")
    ax.axvline(plan.start_year - 0.5, color="#555555", linestyle=":", linewidth=1)
    ymax = ax.get_ylim()[1]
    ax.text(plan.start_year - 0.4, ymax * 0.97, "planstart", fontsize=8, color="#555555", va="top")
    ax.set_xlim(first_year - 0.5, last_year + 0.5)
    ax.set_ylim(bottom=0)
    ax.set_xticks(range(first_year, last_year + 1))
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel("År")
    ax.set_ylabel(indicator.unit_da)
    set_title(ax, indicator.label_da, loc="left")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.number(v, 1 if v % 1 else 0)))
    sources = sorted(set(data["source"].dropna().astype(str)))
    note = (figure_legend(kinds_shown or ("computed",)) + " Skygge: eksakt 95 %-konfidensinterval. "
            "Linjen er brudt i år uden en vist værdi (fx udeladt af hensyn til diskretionering).")
    alt = (f"Linjediagram over {indicator.label_da.lower()} {first_year}-{last_year} for "
           f"{', '.join(described) if described else 'ingen områder med data'}.")
    return figure_html(fig, title=indicator.label_da, alt=alt, source="; ".join(sources) or "–",
                       unit=indicator.unit_da, note=note)


def line_values(rows: pd.DataFrame, first_year: int, last_year: int) -> dict[str, np.ndarray]:
    """``value``, ``lower``, ``upper`` of one area's rows on every year from ``first_year``
    to ``last_year`` (NaN where a year has no shown value: a line drawn through them
    breaks there).

    >>> r = pd.DataFrame({"year": [2015, 2017], "value": [4.2, 1.6], "lower": [2.7, 0.7],
    ...                   "upper": [6.2, 2.9]})
    >>> line_values(r, 2015, 2017)["value"].tolist()
    [4.2, nan, 1.6]
    """
    years = np.arange(first_year, last_year + 1)
    out = {c: np.full(len(years), np.nan) for c in ("value", "lower", "upper")}
    pos = {int(y): i for i, y in enumerate(years)}
    for rec in rows.to_dict(orient="records"):
        i = pos.get(int(rec["year"]))
        if i is None or rec["value"] is None or pd.isna(rec["value"]):
            continue
        for c in out:
            v = rec.get(c)
            out[c][i] = np.nan if v is None or pd.isna(v) else float(v)
    return out


def _label_map(data: pd.DataFrame, plan) -> dict[tuple[str, str], str]:
    """One name per (level, area), whichever source a row came from."""
    parts = {p.id: p.name for p in plan.parts}
    out = {}
    for level, area, name in data[["level", "area", "area_name"]].itertuples(index=False):
        if level == "plan":
            out[(level, area)] = plan.name
        elif level == "plan_part":
            out[(level, area)] = parts.get(area, name or area)
        elif level == "municipality":
            out[(level, area)] = plan.municipality_name if area == plan.municipality_code else (name or area)
        else:
            out[(level, area)] = LEVEL_LABELS_DA.get(level, level)
    return out


def _reason_cell(reason: str) -> Cell:
    from ..disclosure.markers import SUPPRESSED_ATTR, SUPPRESSED_CLASS

    kind = "primary" if reason.startswith("<") else "secondary"
    return Cell(f'<span class="{SUPPRESSED_CLASS}" {SUPPRESSED_ATTR}="{kind}">{html.escape(reason)}</span>')


def trend_table(series: pd.DataFrame, indicator, plan, first_year: int, last_year: int,
                threshold: int = 3) -> str:
    """The figure's numbers: one row per area, one column per year, the value with its
    exact 95 % interval below it; then the counts behind the plan's own areas.

    Counts carry the audit's marker (``class="ev-count" data-count``); a suppressed count,
    and every value computed from it, shows its reason instead.
    """
    from ..disclosure.markers import COUNT_ATTR, COUNT_CLASS

    data = trend_levels(series, plan)
    data = data[data["year"].between(first_year, last_year)]
    names = _label_map(data, plan)
    years = list(range(first_year, last_year + 1))
    order = {lv: i for i, lv in enumerate(TREND_LEVELS)}
    keys = sorted({(lv, a) for lv, a in data[["level", "area"]].itertuples(index=False)},
                  key=lambda k: (order.get(k[0], 99), k[1]))
    by_key = {(r["level"], r["area"], int(r["year"])): r for r in data.to_dict(orient="records")}
    any_suppressed = False
    kinds_used: set[str] = set()

    def reason_of(r):
        reason = r.get("suppressed_reason") if r is not None else None
        return reason if isinstance(reason, str) and reason else None

    value_rows = []
    for key in keys:
        row = [names[key]]
        for y in years:
            r = by_key.get((*key, y))
            if r is None:
                row.append(fmt.MISSING)
            elif reason_of(r):
                any_suppressed = True
                row.append(_reason_cell(reason_of(r)))
            else:
                kind = row_origin(r)
                kinds_used.add(kind)
                # the mark right after the value (the interval line below is the wider one)
                text = html.escape(_value_text(r["value"], indicator)) + mark(kind)
                if pd.notna(r["lower"]) and pd.notna(r["upper"]):
                    # the bounds without the unit (it is in the value and the caption)
                    text += (f'<br><small>{fmt.number(r["lower"], indicator.decimals)}–'
                             f'{fmt.number(r["upper"], indicator.decimals)}</small>')
                row.append(Cell(text))
        value_rows.append(row)
    out = [table(["Område", *map(str, years)], value_rows, numeric_cols=range(1, len(years) + 1),
                 caption=f"{indicator.label_da} ({indicator.unit_da}); under værdien: eksakt 95 %-interval; "
                         f"{legend(kinds_used or ('computed',))}")]

    count_rows = []
    for key in [k for k in keys if k[0] in ("plan", "plan_part")]:
        for label, col in (("antal", "numerator"), ("nævner", "denominator")):
            if col == "denominator" and not indicator.has_denominator:
                continue
            row = [f"{names[key]}: {label}"]
            for y in years:
                r = by_key.get((*key, y))
                if r is None:
                    row.append(fmt.MISSING)
                elif col == "numerator" and reason_of(r):
                    row.append(_reason_cell(reason_of(r)))
                elif pd.isna(r[col]):
                    row.append(fmt.MISSING)
                elif col == "numerator":
                    row.append(Cell(f'<span class="{COUNT_CLASS}" {COUNT_ATTR}="{int(r[col])}">'
                                    f"{fmt.number(r[col])}</span>{mark(row_origin(r))}"))
                else:
                    derived = bool(r.get("denominator_derived", False))
                    row.append(fmt.number(r[col]) + ("*" if derived else ""))
            count_rows.append(row)
    if count_rows:
        out.append(table(["Antal bag tallene", *map(str, years)], count_rows,
                         numeric_cols=range(1, len(years) + 1),
                         cls="ev-table" + (" ev-landscape" if len(years) > 8 else ""),   # as the period table
                         caption="Tællere og nævnere for helhedsplanens områder (* nævner udledt af trykt andel og antal; "
                                 f"{legend(kinds_used or ('computed',))})"))
    if any_suppressed:
        out.append(f'<p class="ev-disclosure-note">„&lt; {threshold}“: færre end {threshold}, udeladt af hensyn '
                   f"til diskretionering; „diskretioneret“: udeladt, så udeladte tal ikke kan regnes tilbage.</p>")
    return "".join(out)
