"""Published figures of the source document (``data/raw/published/*.csv``).

Published values take precedence over values computed from count cells for the same
indicator, level, area and year in every series shown to users; each row keeps its
``source``. A published share printed with its count (2015: 24 persons, 4,2 %) implies a
range of denominators: :func:`implied_denominator`. Printed averages are recomputed from
the printed yearly values and compared: :func:`check_printed_averages`.

>>> lo, central, hi = implied_denominator(24, 4.2, scale=100)
>>> lo, central, hi
(565, 571, 578)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd


__all__ = ["Published", "load_published", "implied_denominator", "round_half_up",
           "decimals_of", "check_printed_averages", "VALUE_COLUMNS"]

VALUE_COLUMNS = ("table", "indicator", "level", "area", "area_name", "year", "value", "count",
                 "unit", "source")
_AVG_COLUMNS = ("table", "indicator", "level", "area", "area_name", "first_year", "last_year",
                "printed_value", "unit", "source")


@dataclass
class Published:
    """The published tables: yearly ``values``, ``printed_averages`` and other tables by
    file stem in ``other`` (e.g. ``naerpoliti_2015``)."""

    values: pd.DataFrame
    printed_averages: pd.DataFrame
    other: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> "Published":
        return cls(pd.DataFrame(columns=list(VALUE_COLUMNS)), pd.DataFrame(columns=list(_AVG_COLUMNS)))


def round_half_up(x: float, decimals: int) -> float:
    """Round half away from zero as printed tables do (``round(3.35, 1)`` in Python is 3.4
    only by luck of binary floats).

    >>> round_half_up(3.35, 1), round_half_up(0.925, 1), round_half_up(0.95, 1)
    (3.4, 0.9, 1.0)
    """
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def decimals_of(text: str | float) -> int:
    """Decimals as printed: ``decimals_of("4.2") == 1``."""
    s = str(text).strip()
    return len(s.split(".")[1]) if "." in s else 0


def implied_denominator(count: int, value: float, scale: int = 100,
                        decimals: int = 1) -> tuple[int, int, int]:
    """Whole denominators consistent with a printed share and its count.

    ``value`` is printed with ``decimals`` decimals on ``scale`` (100 = percent), so the true
    share lies in ``[value - h, value + h)`` with ``h`` half a unit of the last decimal.
    Returns ``(lowest, central, highest)`` whole denominators whose share rounds to
    ``value``; ``central`` is ``round(count / value * scale)``.

    >>> implied_denominator(24, 4.2)
    (565, 571, 578)
    """
    if count <= 0 or value <= 0:
        raise ValueError("need a positive count and value")
    h = 0.5 * 10 ** (-decimals)
    lo = math.ceil(count * scale / (value + h))
    hi = math.floor(count * scale / (value - h))
    ok = [n for n in range(max(lo - 1, count), hi + 2)
          if round_half_up(count / n * scale, decimals) == round_half_up(value, decimals)]
    central = int(round(count * scale / value))
    return min(ok), central, max(ok)


def _plan_areas(plan) -> set[tuple[str, str]]:
    """(level, area) pairs that belong to ``plan`` itself."""
    out = {("plan", str(plan.id))}
    out |= {("plan_part", str(p.id)) for p in getattr(plan, "parts", [])}
    out |= {("estate", str(e)) for e in getattr(plan, "estate_ids", [])}
    return out


def _text(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for c in columns:
        if c not in frame.columns:
            frame[c] = ""
        else:
            frame[c] = frame[c].astype(object).where(frame[c].notna(), "").astype(str)
    return frame


def load_published(directory: str | Path, plan=None) -> Published:
    """Read every CSV of ``directory`` with the checked readers of ``evaluering validate``
    (:func:`evaluering.sources.tables.read_published_dir`): files with a ``value`` column are
    yearly values, ``printed_averages.csv`` holds printed averages, other files are kept as
    they are. With ``plan``, a file is used only when it has rows of the plan's own areas
    (plan, plan parts, estates): a plan never shows another plan's printed figures.

    >>> from evaluering.plan import project_root
    >>> pub = load_published(project_root() / "data/raw/published")
    >>> int(pub.values.loc[pub.values["year"].eq(2015) & pub.values["level"].eq("plan"), "count"].iloc[0])
    24
    """
    from .sources.tables import read_published_dir

    directory = Path(directory)
    if not directory.is_dir():
        return Published.empty()
    values, avgs, other = read_published_dir(directory)
    if plan is not None:
        own = _plan_areas(plan)

        def mine(frame: pd.DataFrame) -> bool:
            return any((str(lv), str(a)) in own for lv, a in zip(frame["level"], frame["area"]))
        values = [f for f in values if mine(f)]
        avgs = [f for f in avgs if mine(f)]
    frames = []
    for f in values:
        f = _text(f, ("table", "indicator", "level", "area", "area_name", "unit", "source"))
        f["year"] = f["year"].astype(int)
        f["value"] = f["value"].astype(float)
        f["count"] = (f["count"].astype("Float64").astype(float) if "count" in f.columns
                      else pd.Series(math.nan, index=f.index))
        frames.append(f[[*VALUE_COLUMNS, "decimals"]])
    printed = []
    for f in avgs:
        f = _text(f, ("table", "indicator", "level", "area", "area_name", "unit", "source"))
        f["first_year"] = f["first_year"].astype(int)
        f["last_year"] = f["last_year"].astype(int)
        f["printed_value"] = f["printed_value"].astype(float)
        printed.append(f[[*_AVG_COLUMNS, "printed_decimals"]])
    values_df = pd.concat(frames, ignore_index=True) if frames else Published.empty().values
    printed_df = pd.concat(printed, ignore_index=True) if printed else Published.empty().printed_averages
    return Published(values=values_df, printed_averages=printed_df, other=other)


def _yearly_values(values: pd.DataFrame) -> dict[tuple, list[tuple]]:
    """(indicator, level, area) -> [(year, value), ...] in table order (rows with a missing
    indicator, level or area are left out: they match no printed average)."""
    out: dict[tuple, list[tuple]] = {}
    keys = ["indicator", "level", "area"]
    known = values[keys].notna().all(axis=1).tolist()
    for ok, *key, year, value in zip(known, *(values[c].tolist() for c in [*keys, "year", "value"])):
        if ok:
            out.setdefault(tuple(key), []).append((year, value))
    return out


def check_printed_averages(published: Published) -> pd.DataFrame:
    """Recompute each printed average as the mean of the printed yearly values.

    Columns: indicator, level, area, area_name, first_year, last_year, printed_value,
    computed_mean, computed_rounded, n_years, difference, flag (True when the printed value
    differs from the computed mean rounded to the printed decimals: a difference beyond
    rounding), note (Danish), source.
    """
    rows = []
    yearly = _yearly_values(published.values)
    for a in published.printed_averages.to_dict("records"):
        sel = [v for y, v in yearly.get((a["indicator"], a["level"], a["area"]), ())
               if a["first_year"] <= y <= a["last_year"]]
        n_expected = a["last_year"] - a["first_year"] + 1
        dec = int(a["printed_decimals"])
        if len(sel) == n_expected:
            # exact decimal arithmetic on the printed values: 13.4 / 4 is 3.35, not 3.3499...
            exact = sum(Decimal(repr(float(v))) for v in sel) / len(sel)
            mean = float(exact)
            rounded = float(exact.quantize(Decimal(1).scaleb(-dec), rounding=ROUND_HALF_UP))
        else:
            mean = rounded = math.nan
        flag = (not math.isnan(mean)) and rounded != round_half_up(a["printed_value"], dec)
        from .fmt import number
        if math.isnan(mean):
            note = "kan ikke efterregnes: årstal mangler"
        elif flag:
            note = (f"Trykt gennemsnit {number(a['printed_value'], dec)} afviger fra det beregnede "
                    f"gennemsnit af årstallene {number(rounded, dec)} (mere end afrunding)")
        else:
            note = "stemmer med det beregnede gennemsnit"
        rows.append({
            "indicator": a["indicator"], "level": a["level"], "area": a["area"],
            "area_name": a["area_name"], "first_year": int(a["first_year"]),
            "last_year": int(a["last_year"]), "printed_value": float(a["printed_value"]),
            "computed_mean": mean, "computed_rounded": rounded, "n_years": int(len(sel)),
            "difference": float(a["printed_value"]) - rounded if not math.isnan(mean) else math.nan,
            "flag": bool(flag), "note": note, "source": a["source"],
        })
    cols = ["indicator", "level", "area", "area_name", "first_year", "last_year", "printed_value",
            "computed_mean", "computed_rounded", "n_years", "difference", "flag", "note", "source"]
    return pd.DataFrame(rows, columns=cols)
