"""Danish school holidays (skoleferier), with per-municipality overrides.

Default rules (each kommune sets its own calendar, so every rule can be overridden in the
plan file's ``holidays:`` section):

* vinterferie: ISO week 7 (Saturday before to Sunday of the week); ``winter_week: 8``
  moves it (some kommuner use 6, 8 or 9);
* påskeferie: the Saturday before palmesøndag to 2. påskedag (Easter by the Gregorian
  computus);
* sommerferie: from the last Saturday of June, about six and a half weeks (to the Sunday
  44 days later); ``summer_weeks`` changes the length;
* efterårsferie: ISO week 42 (Saturday before to Sunday); ``autumn_week`` moves it;
* juleferie: 20 December to 2 January of the next year (``christmas_start``/``christmas_end``
  as ``MM-DD``).

Explicit dates override everything: ``holidays: {dates: {2019: {vinterferie: [2019-02-16,
2019-02-24]}}}``.

>>> easter(2019)
datetime.date(2019, 4, 21)
>>> [(h.name, h.start.isoformat()) for h in school_holidays(2018)][:2]
[('vinterferie', '2018-02-10'), ('påskeferie', '2018-03-24')]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

__all__ = ["Holiday", "HOLIDAY_NAMES", "easter", "school_holidays", "holiday_rules"]

HOLIDAY_NAMES = ("vinterferie", "påskeferie", "sommerferie", "efterårsferie", "juleferie")
_DEFAULTS = {"winter_week": 7, "autumn_week": 42, "summer_weeks": 44 / 7,
             "christmas_start": "12-20", "christmas_end": "01-02"}


@dataclass(frozen=True)
class Holiday:
    """One school holiday: ``name`` (Danish), first and last day."""

    name: str
    start: dt.date
    end: dt.date


def easter(year: int) -> dt.date:
    """Easter Sunday (påskedag) of ``year``, Gregorian calendar (anonymous computus).

    >>> easter(2017), easter(2020)
    (datetime.date(2017, 4, 16), datetime.date(2020, 4, 12))
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _iso_week(year: int, week: int) -> Holiday:
    monday = dt.date.fromisocalendar(year, week, 1)
    return monday - dt.timedelta(days=2), monday + dt.timedelta(days=6)


def holiday_rules(plan=None) -> dict[str, Any]:
    """The rules in force: the defaults updated by the plan's ``holidays:`` section."""
    rules = dict(_DEFAULTS)
    rules["dates"] = {}
    section = plan.section("holidays") if plan is not None else None
    if section:
        if not isinstance(section, dict):
            raise plan.error("holidays", "'holidays' must be a mapping")
        for key, value in section.items():
            if key == "dates":
                if not isinstance(value, dict):
                    raise plan.error("holidays.dates", "dates must map year -> holiday -> [start, end]")
                for year, spec in value.items():
                    for name, pair in (spec or {}).items():
                        where = f"holidays.dates.{year}.{name}"
                        if name not in HOLIDAY_NAMES:
                            raise plan.error(where, f"unknown holiday '{name}' (use {', '.join(HOLIDAY_NAMES)})")
                        if not (isinstance(pair, list) and len(pair) == 2
                                and all(isinstance(d, dt.date) for d in pair) and pair[0] <= pair[1]):
                            raise plan.error(where, "give [first day, last day] as YYYY-MM-DD dates")
                        rules["dates"][(int(year), name)] = (pair[0], pair[1])
            elif key in ("winter_week", "autumn_week"):
                if not isinstance(value, int) or not 1 <= value <= 52:
                    raise plan.error(f"holidays.{key}", "must be an ISO week number 1-52")
                rules[key] = value
            elif key == "summer_weeks":
                if not isinstance(value, (int, float)) or not 1 <= value <= 10:
                    raise plan.error(f"holidays.{key}", "must be a number of weeks 1-10")
                rules[key] = float(value)
            elif key in ("christmas_start", "christmas_end"):
                try:
                    dt.datetime.strptime(f"2000-{value}", "%Y-%m-%d")
                except (TypeError, ValueError):
                    raise plan.error(f"holidays.{key}", "must be MM-DD, e.g. 12-20") from None
                rules[key] = str(value)
            else:
                raise plan.error(f"holidays.{key}", f"unknown key '{key}' (known: dates, "
                                 "winter_week, autumn_week, summer_weeks, christmas_start, christmas_end)")
    return rules


def school_holidays(year: int, plan=None, rules: dict[str, Any] | None = None) -> list[Holiday]:
    """The school holidays that start in ``year``, in calendar order.

    >>> [h.start.isoformat() for h in school_holidays(2017)]
    ['2017-02-11', '2017-04-08', '2017-06-24', '2017-10-14', '2017-12-20']
    """
    rules = rules if rules is not None else holiday_rules(plan)
    out = []
    w = _iso_week(year, rules["winter_week"])
    out.append(Holiday("vinterferie", *w))
    e = easter(year)
    out.append(Holiday("påskeferie", e - dt.timedelta(days=8), e + dt.timedelta(days=1)))
    june30 = dt.date(year, 6, 30)
    last_sat = june30 - dt.timedelta(days=(june30.weekday() - 5) % 7)
    out.append(Holiday("sommerferie", last_sat, last_sat + dt.timedelta(days=round(rules["summer_weeks"] * 7))))
    out.append(Holiday("efterårsferie", *_iso_week(year, rules["autumn_week"])))
    cs = dt.datetime.strptime(f"{year}-{rules['christmas_start']}", "%Y-%m-%d").date()
    ce = dt.datetime.strptime(f"{year + 1}-{rules['christmas_end']}", "%Y-%m-%d").date()
    out.append(Holiday("juleferie", cs, ce))
    dates = rules.get("dates", {})
    out = [Holiday(h.name, *dates[(year, h.name)]) if (year, h.name) in dates else h for h in out]
    return sorted(out, key=lambda h: h.start)
