"""The log of qualitative results (kvalitative resultater): focus-group findings, the yearly
relevance assessment of each activity and the decisions taken, one row each.

CSV or Excel with Danish headers (template ``data/raw/templates/kvalitative_resultater``):

==============  ===========  ===============================================================
header          column       value
==============  ===========  ===============================================================
Dato            date         the date of the interview, assessment or meeting
Type            kind         ``fokusgruppe``, ``relevansvurdering`` or ``beslutning``
Aktivitet       activity     an activity or goal id of the plan (``A2``, ``A2.3``); optional
Vurdering       assessment   ``relevant``, ``delvist relevant`` or ``ikke relevant``; optional
Resultat        result       the finding, the assessment's reasons or the decision (text)
==============  ===========  ===============================================================

Never write names or other person data in the log: a finding is about a group. The plan
file names the log as ``data: qualitative_log: ...``.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "k.csv"
>>> _ = p.write_text("Dato;Type;Aktivitet;Vurdering;Resultat\\n14.03.2019;Relevansvurdering;A1;relevant;"
...                  "Møderne bruges\\n", encoding="utf-8")
>>> read_qualitative(p)[["kind", "activity", "assessment"]].to_dict("records")
[{'kind': 'relevansvurdering', 'activity': 'A1', 'assessment': 'relevant'}]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .schema import Column, Schema, read_table

__all__ = ["QUALITATIVE", "KINDS", "ASSESSMENTS", "read_qualitative", "PLAN_KEY"]

#: the plan file's ``data:`` key of the log
PLAN_KEY = "qualitative_log"
#: values of ``Type``
KINDS = ("fokusgruppe", "relevansvurdering", "beslutning")
#: values of ``Vurdering``
ASSESSMENTS = ("relevant", "delvist relevant", "ikke relevant")


def _check(frame, ctx) -> None:
    plan = ctx.extra.get("plan")
    if plan is None:   # read through sources.logs.read_log (validate, convert): the format only
        return
    from ..activities import activity_goals

    whole = getattr(plan, "whole", None) or plan   # a delaftale's view: every activity of its plan file
    views = [whole.for_focus_area(i) for i in range(len(whole.focus_areas))] if hasattr(whole, "focus_areas") else [whole]
    goals = [g for v in views for g in activity_goals(v)]
    known = {g["activity"] for g in goals} | {str(g["id"]) for g in goals}
    for i, a in enumerate(frame["activity"]):
        if isinstance(a, str) and a and a not in known:
            ctx.add(i, "activity", "unknown activity or goal id (not in the plan's activities)")
    lo, hi = plan.start.year, plan.end.year
    for i, d in enumerate(frame["date"]):
        if d is not None and d == d and not lo <= d.year <= hi:
            ctx.add(i, "date", f"date outside the plan period of '{plan.id}' ({lo}-{hi})")


QUALITATIVE = Schema(
    "qualitative",
    [
        Column("date", "Dato", "date"),
        Column("kind", "Type", "choice", choices={"fokusgruppe": "fokusgruppe", "fokusgruppeinterview": "fokusgruppe",
                                                  "relevansvurdering": "relevansvurdering",
                                                  "relevans": "relevansvurdering", "beslutning": "beslutning"}),
        Column("activity", "Aktivitet", "text", aliases=("Aktivitetsmål",), required=False),
        Column("assessment", "Vurdering", "choice", required=False,
               choices={"relevant": "relevant", "delvist relevant": "delvist relevant", "delvis relevant": "delvist relevant",
                        "ikke relevant": "ikke relevant"}),
        Column("result", "Resultat", "text", aliases=("Beskrivelse", "Fund", "Beslutning")),
    ],
    key=("date", "kind", "activity"),
    checks=[_check],
    description="kvalitative resultater: fokusgrupper, relevansvurderinger og beslutninger",
)


def read_qualitative(path: str | Path, plan: Any = None, collect: bool = False):
    """The qualitative log: columns ``date, kind, activity, assessment, result``.

    With ``plan`` (a :class:`~evaluering.plan.Plan`), activity ids and dates are checked
    against the plan's activities and period."""
    return read_table(path, QUALITATIVE, collect=collect, context={"plan": plan})
