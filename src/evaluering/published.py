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

from .errors import InputError

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


def _read_csv(path: Path, needed: tuple[str, ...]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as err:  # pragma: no cover - parser errors are rare for these files
        raise InputError(path, f"cannot read CSV ({type(err).__name__})") from None
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column '{missing[0]}'", row=1, column=missing[0])
    return df


def _num(df: pd.DataFrame, col: str, path: Path, kind=float, required=True) -> pd.Series:
    out = []
    for i, v in enumerate(df[col]):
        v = v.strip()
        if v == "":
            if required:
                raise InputError(path, "missing value", row=i + 2, column=col)
            out.append(math.nan)
            continue
        try:
            out.append(kind(v))
        except ValueError:
            raise InputError(path, "not a number (use . as decimal mark)", row=i + 2, column=col) from None
    return pd.Series(out, index=df.index)


def load_published(directory: str | Path) -> Published:
    """Read every CSV of ``directory``: files with a ``value`` column are yearly values,
    ``printed_averages.csv`` holds printed averages, other files are kept as they are.

    >>> from evaluering.plan import project_root
    >>> pub = load_published(project_root() / "data/raw/published")
    >>> int(pub.values.loc[pub.values["year"].eq(2015) & pub.values["level"].eq("plan"), "count"].iloc[0])
    24
    """
    directory = Path(directory)
    if not directory.is_dir():
        return Published.empty()
    frames, avgs, other = [], [], {}
    for path in sorted(directory.glob("*.csv")):
        head = _read_csv(path, ())
        if "printed_value" in head.columns:
            df = _read_csv(path, _AVG_COLUMNS)
            df["printed_decimals"] = [decimals_of(v) for v in df["printed_value"]]
            df["printed_value"] = _num(df, "printed_value", path)
            df["first_year"] = _num(df, "first_year", path, int).astype(int)
            df["last_year"] = _num(df, "last_year", path, int).astype(int)
            avgs.append(df)
        elif "value" in head.columns and "indicator" in head.columns:
            df = _read_csv(path, tuple(c for c in VALUE_COLUMNS if c != "count"))
            if "count" not in df.columns:
                df["count"] = ""
            df["decimals"] = [decimals_of(v) for v in df["value"]]
            df["value"] = _num(df, "value", path)
            df["count"] = _num(df, "count", path, int, required=False)
            df["year"] = _num(df, "year", path, int).astype(int)
            frames.append(df[[*VALUE_COLUMNS, "decimals"]])
        else:
            other[path.stem] = head
    values = pd.concat(frames, ignore_index=True) if frames else Published.empty().values
    printed = pd.concat(avgs, ignore_index=True) if avgs else Published.empty().printed_averages
    return Published(values=values, printed_averages=printed, other=other)


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
