"""Report inputs that are missing: said, not hidden.

:func:`missing_inputs` lists what a plan's report for a year would lack: count cells for
the plan's estates (nor published values of its own areas), a log file the plan names (or an
activity needs), a report year outside the plan period, a comparison level without data. ``evaluering report`` and ``status``
refuse (exit 2) unless ``--allow-missing``; the report then shows each as a notice.

>>> from types import SimpleNamespace as NS
>>> import datetime as dt
>>> plan = NS(start=dt.date(2017, 2, 1), end=dt.date(2020, 12, 31))
>>> [m.message for m in _year(plan, 2024)]
['the year 2024 is outside the plan period 2017-2020']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Missing", "missing_inputs", "refuse_missing"]

#: log kind -> plan data key (as :data:`evaluering.evaluation.LOG_KEYS`)
_LOG_KEYS = {"ssp": "ssp_log", "meetings": "meetings_log", "courses": "courses_log", "events": "events_log",
             "milestones": "milestones_log"}


@dataclass(frozen=True)
class Missing:
    """One missing input: the plan-file key it belongs to and an English message (shown
    through the message catalogue)."""

    key: str
    message: str

    def text(self) -> str:
        from ..errors import localize
        return localize(self.message)


def _year(plan, year: int) -> list[Missing]:
    if not plan.start.year <= int(year) <= plan.end.year:
        return [Missing("period", f"the year {year} is outside the plan period {plan.start.year}-{plan.end.year}")]
    return []


def _logs(plan) -> list[Missing]:
    """The log files of every delaftale (its focus area's log kinds, :func:`evaluering.evaluation.log_kinds`)."""
    from ..evaluation import log_kinds

    out, seen = [], set()
    for i in range(len(plan.focus_areas)):
        view = plan.for_focus_area(i)
        needed = {str(a.get("log")) for a in (view.section("activities") or []) if isinstance(a, dict) and a.get("log")}
        if any(isinstance(c, dict) and c.get("kind") == "milestone" for c in view.section("criteria") or []):
            needed.add("milestones")
        kinds = {k: key for k, (key, _) in log_kinds(view).items()}
        for kind in needed - set(kinds):   # an activity's log kind no focus area declares
            kinds[kind] = _LOG_KEYS.get(kind, f"{kind}_log")
        for kind, key in kinds.items():
            path = view.data_path(key)
            where = f"{view.delaftale.key_prefix}logs.{kind}" if view.delaftale is not None and \
                view.delaftale.index is not None and key not in plan.data else f"data.{key}"
            if (kind, str(path)) in seen:
                continue
            seen.add((kind, str(path)))
            if path is None:
                if kind in needed:
                    out.append(Missing(where, f"the log file '{kind}' is missing ({where} not given)"))
            elif not path.exists():
                out.append(Missing(where, f"the log file '{kind}' is missing ({path})"))
    return out


def _cells(plan, cells, published=None) -> list[Missing]:
    path = plan.data_path("cells")
    if cells is None:
        if path is None or not path.exists():
            return [Missing("data.cells", "count cells not found; run `evaluering build` (or `make report`)")], None
        from .tables import read_cells
        cells = read_cells(path)
    areas = cells["area"].astype(str)
    own = ((cells["level"] == "estate") & areas.isin([str(e) for e in plan.estate_ids])) | \
          ((cells["level"] == "plan") & (areas == str(plan.id)))
    # a plan's own figures may come as published values instead (an LBF export via convert)
    published_own = published is not None and len(published.values) > 0
    if not own.any() and not published_own:
        return [Missing("estates", f"no count cells for the plan's estates ({', '.join(plan.estate_ids)}) "
                        f"in {path}")], cells
    return [], cells


def _levels(plan, cells, published) -> list[Missing]:
    from ..criteria import criterion_area

    out = []
    for level in plan.comparison_levels:
        area = criterion_area(plan, level)
        has = False
        if cells is not None and len(cells):
            has = bool(((cells["level"] == level) & (cells["area"].astype(str) == area)).any())
        if not has and published is not None and len(published.values):
            v = published.values
            has = bool(((v["level"] == level) & (v["area"].astype(str) == area)).any())
        if not has:
            out.append(Missing("comparison_levels", f"no data for the comparison level '{level}' ({area})"))
    return out


def missing_inputs(plan, year: int, cells: Any = None, published: Any = None) -> list[Missing]:
    """Everything a report of ``plan`` for ``year`` would lack, in a fixed order: the year,
    the count cells, the logs, the comparison levels."""
    out = _year(plan, year)
    if published is None:
        pdir = plan.data_path("published")
        if pdir is not None:
            from ..published import load_published
            published = load_published(pdir, plan=plan)    # only files with the plan's own areas
    missing_cells, cells = _cells(plan, cells, published)
    out += missing_cells
    out += _logs(plan)
    out += _levels(plan, cells, published)
    return out


def refuse_missing(plan, year: int, allow_missing: bool) -> list[Missing]:
    """Raise :class:`~evaluering.errors.PlanError` at the first missing input unless
    ``allow_missing``; return the list (for the notices)."""
    missing = missing_inputs(plan, year)
    if missing and not allow_missing:
        from ..errors import PlanError
        first = missing[0]
        column = "--year" if first.key == "period" else first.key
        row = None if first.key == "period" else plan.line_of(first.key)
        raise PlanError(plan.path, f"{first.message}; use --allow-missing to report without it",
                        row=row, column=column)
    return missing
