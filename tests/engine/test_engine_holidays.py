"""Danish school holidays: the rules of domain.md, Easter, and overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.easter import easter as dateutil_easter

from evaluering.errors import PlanError
from evaluering.holidays import easter, school_holidays

from engine_helpers import PLAN_FILE


@pytest.mark.parametrize("year", range(1990, 2101))
def test_easter_matches_dateutil(year):
    assert easter(year) == dateutil_easter(year)


def test_known_easter_sundays():
    assert [easter(y).isoformat() for y in (2017, 2018, 2019, 2020)] == \
        ["2017-04-16", "2018-04-01", "2019-04-21", "2020-04-12"]


def test_rules_of_2018():
    h = {x.name: x for x in school_holidays(2018)}
    # vinterferie: ISO week 7 of 2018 is Mon 12 Feb - Sun 18 Feb, from the Saturday before
    assert (h["vinterferie"].start, h["vinterferie"].end) == (dt.date(2018, 2, 10), dt.date(2018, 2, 18))
    # påskeferie: Saturday before palmesøndag (25 Mar) to 2. påskedag (2 Apr)
    assert (h["påskeferie"].start, h["påskeferie"].end) == (dt.date(2018, 3, 24), dt.date(2018, 4, 2))
    # sommerferie from the last Saturday of June: 30 June 2018 is a Saturday
    assert h["sommerferie"].start == dt.date(2018, 6, 30)
    # efterårsferie: ISO week 42 is Mon 15 Oct - Sun 21 Oct 2018
    assert (h["efterårsferie"].start, h["efterårsferie"].end) == (dt.date(2018, 10, 13), dt.date(2018, 10, 21))
    assert (h["juleferie"].start, h["juleferie"].end) == (dt.date(2018, 12, 20), dt.date(2019, 1, 2))


@pytest.mark.parametrize("year", range(2015, 2031))
def test_summer_starts_on_the_last_saturday_of_june(year):
    s = {x.name: x for x in school_holidays(year)}["sommerferie"].start
    assert s.weekday() == 5 and s.month == 6 and (s + dt.timedelta(days=7)).month == 7


def _plan_with(tmp_path, section: str):
    from evaluering.plan import load_plan

    text = PLAN_FILE.read_text(encoding="utf-8").replace("holidays:\n  winter_week: 7\n", section)
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    return load_plan(f)


def test_municipality_overrides(tmp_path):
    p = _plan_with(tmp_path, "holidays:\n  winter_week: 8\n  dates:\n    2019:\n"
                             "      efterårsferie: [2019-10-12, 2019-10-20]\n")
    h19 = {x.name: x for x in school_holidays(2019, p)}
    assert h19["vinterferie"].start == dt.date.fromisocalendar(2019, 8, 1) - dt.timedelta(days=2)
    assert (h19["efterårsferie"].start, h19["efterårsferie"].end) == (dt.date(2019, 10, 12), dt.date(2019, 10, 20))
    h20 = {x.name: x for x in school_holidays(2020, p)}
    assert h20["efterårsferie"].start == dt.date(2020, 10, 10)   # week 42 of 2020, default


def test_bad_override_is_a_plan_error(tmp_path):
    p = _plan_with(tmp_path, "holidays:\n  winter_week: 60\n")
    with pytest.raises(PlanError) as err:
        school_holidays(2019, p)
    assert "holidays.winter_week" in str(err.value)
