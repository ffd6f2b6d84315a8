"""Readers of the local logs (docs/logs.md): SSP cases, network meetings, youth courses,
up-skilling events and milestones. CSV or Excel; Danish headers in, tidy English columns
out; every problem an :class:`~evaluering.errors.InputError` with file, line and column.

Area ids (``Område``) and years are checked against the plan files (``data/raw/plans/``):
an SSP row must name an estate, a helhedsplan part or the plan itself, and its year must
lie inside that plan's period. Pass ``plan`` (a :class:`~evaluering.plan.Plan`, a plan id
or a plan file path) to check against one plan only. Log values are never quoted in
messages (they may describe persons).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ssp.csv"
>>> _ = p.write_text("År;Kvartal;Område;Niveau;Antal sager\\n2018;1;AO-01;1;3\\n", encoding="utf-8")
>>> read_ssp(p).to_dict("records")     # doctest: +SKIP
[{'year': 2018, 'quarter': 1, 'area': 'AO-01', 'level': 1, 'cases': 3}]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from .schema import Column, Schema, read_table

__all__ = [
    "read_ssp", "read_meetings", "read_courses", "read_events", "read_milestones",
    "read_log", "LOG_SCHEMAS", "HOLIDAYS", "ATTACHMENTS", "MILESTONE_STATUSES", "KnownIds", "known_ids",
]

#: holiday names accepted in ``Ferieplan for`` (canonical lower-case Danish names)
HOLIDAYS = ("vinterferie", "påskeferie", "sommerferie", "efterårsferie", "juleferie")
#: values of ``Tilknytning``
ATTACHMENTS = ("forening", "fritidsjob", "nej")
#: values of ``Status`` in the milestone log
MILESTONE_STATUSES = ("opnået", "delvist", "ikke opnået")

_YEAR_MIN, _YEAR_MAX = 1990, 2100


@dataclass
class KnownIds:
    """Area ids, plan periods and criterion ids known from plan files."""

    area_plan: dict[str, str] = field(default_factory=dict)      # area id -> plan id
    periods: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)  # plan id -> (start, end)
    criteria: set[str] = field(default_factory=set)
    plan_ids: tuple[str, ...] = ()
    single: bool = False   # checking against one given plan

    @property
    def empty(self) -> bool:
        return not self.area_plan


def known_ids(plan: Any = None) -> KnownIds:
    """Known ids from ``plan`` (Plan, id or path) or, when None, from all plan files.

    >>> k = known_ids()          # doctest: +SKIP
    >>> k.area_plan["AO-01"]     # doctest: +SKIP
    'aalborg-oest'
    """
    from ..plan import Plan, find_plan, list_plans, load_plan

    if plan is None:
        plans = []
        for f in list_plans():
            plans.append(load_plan(f))
        single = False
    else:
        if isinstance(plan, Plan):
            p = plan
        elif isinstance(plan, Path) or (isinstance(plan, str) and plan.endswith((".yaml", ".yml"))):
            p = load_plan(plan)
        else:
            p = find_plan(str(plan))
        plans, single = [p], True
    k = KnownIds(single=single, plan_ids=tuple(p.id for p in plans))
    for p in plans:
        k.periods[p.id] = (p.start, p.end)
        for area in [p.id, *(x.id for x in p.parts), *(e.id for e in p.estates)]:
            k.area_plan.setdefault(area, p.id)
        whole = getattr(p, "whole", None) or p   # a delaftale's view: the plan file it belongs to
        for i in range(len(whole.focus_areas)):   # every delaftale of a multi-area plan file
            for c in whole.for_focus_area(i).section("criteria", []) or []:
                if isinstance(c, dict) and "id" in c:
                    k.criteria.add(str(c["id"]))
    return k


# --------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------

def _check_ssp(frame, ctx) -> None:
    known: KnownIds = ctx.extra["known"]
    if known.empty:
        return
    for i, (area, year) in enumerate(zip(frame["area"].tolist(), frame["year"].tolist())):
        plan_id = known.area_plan.get(area)
        if plan_id is None:
            which = f"plan '{known.plan_ids[0]}'" if known.single else "the plan files in data/raw/plans/"
            ctx.add(i, "area", f"unknown estate or plan id (not in {which})")
            continue
        start, end = known.periods[plan_id]
        if not start.year <= year <= end.year:
            ctx.add(i, "year", f"year outside the plan period of '{plan_id}' ({start.year}-{end.year})")


def _date_range_check(date_col: str):
    def check(frame, ctx) -> None:
        known: KnownIds | None = ctx.extra.get("known")
        lo, hi = dt.date(_YEAR_MIN, 1, 1), dt.date(_YEAR_MAX, 12, 31)
        where = f"the plausible range {_YEAR_MIN}-{_YEAR_MAX}"
        if known is not None and known.single and known.periods:
            start, end = next(iter(known.periods.values()))
            # logs may run to the end of the plan's last year
            lo, hi = dt.date(start.year, 1, 1), dt.date(end.year, 12, 31)
            where = f"the plan period of '{known.plan_ids[0]}' ({start.year}-{end.year})"
        for i, d in enumerate(frame[date_col]):
            if d is None or d != d:  # NaT
                continue
            if not lo <= d.date() <= hi:
                ctx.add(i, date_col, f"date outside {where}")
    return check


def _check_milestones(frame, ctx) -> None:
    known: KnownIds | None = ctx.extra.get("known")
    import re
    for i, c in enumerate(frame["criterion"]):
        if known is not None and known.criteria:
            if c not in known.criteria:
                ctx.add(i, "criterion", "unknown success criterion id (not in the plan's criteria: "
                        + ", ".join(sorted(known.criteria)) + ")")
        elif not re.match(r"^[A-Za-z][A-Za-z0-9_.-]*$", str(c)):
            ctx.add(i, "criterion", "not a criterion id (e.g. K3)")


def _year_col() -> Column:
    return Column("year", "År", "int", aliases=("Aar", "Year"), min=_YEAR_MIN, max=_YEAR_MAX,
                  min_message=f"not a plausible year (expected {_YEAR_MIN}-{_YEAR_MAX})",
                  max_message=f"not a plausible year (expected {_YEAR_MIN}-{_YEAR_MAX})")


SSP = Schema(
    "ssp",
    [
        _year_col(),
        Column("quarter", "Kvartal", "int", aliases=("Kvt.", "Kvt"), min=1, max=4,
               min_message="quarter must be 1, 2, 3 or 4", max_message="quarter must be 1, 2, 3 or 4"),
        Column("area", "Område", "text", aliases=("Omraade", "Afdeling")),
        Column("level", "Niveau", "int", aliases=("SSP-niveau",), min=1, max=4,
               min_message="SSP level must be 1, 2, 3 or 4", max_message="SSP level must be 1, 2, 3 or 4"),
        Column("cases", "Antal sager", "int", aliases=("Sager", "Antal"), min=0),
    ],
    key=("year", "quarter", "area", "level"),
    checks=[_check_ssp],
    description="SSP-sekretariatets sager pr. niveau og kvartal",
)

_HOLIDAY_CHOICES = {h: h for h in HOLIDAYS}
_HOLIDAY_CHOICES.update({"vinter": "vinterferie", "påske": "påskeferie", "sommer": "sommerferie",
                         "efterår": "efterårsferie", "jul": "juleferie", "nej": None, "ingen": None})

MEETINGS = Schema(
    "meetings",
    [
        Column("date", "Dato", "date", aliases=("Mødedato",)),
        Column("kind", "Mødetype", "text", aliases=("Type",)),
        Column("open", "Åbent møde", "bool", aliases=("Aabent moede", "Åbent")),
        Column("holiday_plan_for", "Ferieplan for", "choice", aliases=("Ferieplan",), required=False,
               choices=_HOLIDAY_CHOICES),
        Column("target_group_identified", "Målgruppe identificeret", "bool",
               aliases=("Maalgruppe identificeret", "Målgruppe")),
    ],
    key=("date", "kind"),
    checks=[_date_range_check("date")],
    description="kriminalpræventive netværksmøder",
)

COURSES = Schema(
    "courses",
    [
        Column("course_no", "Forløb nr.", "int", aliases=("Forløb nr", "Forløbsnr.", "Forløb", "Nr."), min=1,
               min_message="course number must be 1 or more"),
        Column("start_date", "Startdato", "date", aliases=("Start",)),
        Column("contact", "Kontakt opnået", "bool", aliases=("Kontakt",)),
        Column("attachment", "Tilknytning", "choice", required=False,
               choices={"forening": "forening", "fritidsjob": "fritidsjob", "klub": "forening",
                        "fritidsjobs": "fritidsjob", "nej": "nej", "ingen": "nej"}),
    ],
    key=("course_no",),
    checks=[_date_range_check("start_date")],
    description="individuelle forløb for unge (projektmedarbejderens log)",
)

EVENTS = Schema(
    "events",
    [
        Column("date", "Dato", "date"),
        Column("theme", "Tema", "text", aliases=("Emne",)),
        Column("participants", "Deltagere", "int", aliases=("Antal deltagere",), min=0,
               min_message="negative count"),
    ],
    key=("date", "theme"),
    checks=[_date_range_check("date")],
    description="opkvalificeringsarrangementer for nøglepersoner",
)

MILESTONES = Schema(
    "milestones",
    [
        Column("criterion", "Kriterium", "text", aliases=("Succeskriterium",)),
        Column("date", "Dato", "date"),
        Column("status", "Status", "choice",
               choices={"opnået": "opnået", "delvist": "delvist", "delvis": "delvist",
                        "delvist opnået": "delvist", "ikke opnået": "ikke opnået"}),
        Column("evidence", "Dokumentation", "text", aliases=("Evidens",), required=False),
    ],
    key=("criterion", "date"),
    checks=[_date_range_check("date"), _check_milestones],
    description="milepæle (fx samarbejdsmodel etableret)",
)

from .qualitative import QUALITATIVE  # noqa: E402 - the qualitative results log (its own module)

#: kind -> schema of each log
LOG_SCHEMAS: dict[str, Schema] = {s.kind: s for s in (SSP, MEETINGS, COURSES, EVENTS, MILESTONES, QUALITATIVE)}


def _finish(frame, kind: str):
    if kind == "courses":
        frame["attachment"] = frame["attachment"].fillna("nej")
    return frame


def read_log(path: str | Path, kind: str, plan: Any = None, collect: bool = False):
    """Read a log of ``kind`` (``ssp``, ``meetings``, ``courses``, ``events``,
    ``milestones``); see the ``read_*`` functions."""
    if kind not in LOG_SCHEMAS:
        raise InputError(path, f"unknown log kind '{kind}' (use {', '.join(LOG_SCHEMAS)})")
    known = known_ids(plan) if (kind == "ssp" or plan is not None or kind == "milestones") else None
    frame = read_table(path, LOG_SCHEMAS[kind], collect=collect, context={"known": known})
    return _finish(frame, kind)


def read_ssp(path: str | Path, plan: Any = None, collect: bool = False):
    """SSP case counts: columns ``year, quarter, area, level, cases``.

    ``area`` must be an estate, helhedsplan part or plan id of ``plan`` (or of any plan
    file when ``plan`` is None) and ``year`` inside that plan's period.
    ``frame.attrs["lines"]`` gives each row's line in the file.
    """
    return read_log(path, "ssp", plan=plan, collect=collect)


def read_meetings(path: str | Path, plan: Any = None, collect: bool = False):
    """Network meetings: ``date, kind, open, holiday_plan_for, target_group_identified``.

    ``holiday_plan_for`` is one of :data:`HOLIDAYS` or missing; ``date`` is datetime64.
    """
    return read_log(path, "meetings", plan=plan, collect=collect)


def read_courses(path: str | Path, plan: Any = None, collect: bool = False):
    """Youth courses: ``course_no, start_date, contact, attachment`` (``attachment`` is
    ``forening``, ``fritidsjob`` or ``nej``; empty reads as ``nej``)."""
    return read_log(path, "courses", plan=plan, collect=collect)


def read_events(path: str | Path, plan: Any = None, collect: bool = False):
    """Up-skilling events: ``date, theme, participants``."""
    return read_log(path, "events", plan=plan, collect=collect)


def read_milestones(path: str | Path, plan: Any = None, collect: bool = False):
    """Milestones: ``criterion, date, status, evidence`` (``status`` one of
    :data:`MILESTONE_STATUSES`). Criterion ids are checked against the plan files."""
    return read_log(path, "milestones", plan=plan, collect=collect)
