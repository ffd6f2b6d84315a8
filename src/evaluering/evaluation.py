"""One call that evaluates a plan for a report year: indicators, success criteria, activity
goals, budget and the checks of printed figures.

>>> from evaluering.evaluation import evaluate          # doctest: +SKIP
>>> ev = evaluate("aalborg-oest", 2020)                  # doctest: +SKIP
>>> ev.criteria[["id", "status"]]                        # doctest: +SKIP
>>> ev.to_dict()["criteria"][0]["target_value"]          # doctest: +SKIP
3.15
"""

from __future__ import annotations

import datetime as dt
import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .releasable import Releasable

__all__ = ["Evaluation", "PlanEvaluation", "evaluate", "load_cells", "load_logs", "log_kinds", "render_html",
           "SYNTHETIC_LABEL", "LOG_KEYS"]

SYNTHETIC_LABEL = "Syntetiske data (eksempeldata)"
#: log kind -> (plan data key, reader function in evaluering.sources.logs)
LOG_KEYS = {
    "ssp": ("ssp_log", "read_ssp"),
    "meetings": ("meetings_log", "read_meetings"),
    "courses": ("courses_log", "read_courses"),
    "events": ("events_log", "read_events"),
    "milestones": ("milestones_log", "read_milestones"),
}


def load_cells(plan) -> tuple[pd.DataFrame, list[str]]:
    """The count cells of ``plan.data.cells`` (Parquet or CSV), checked; empty cells and a
    note when the file does not exist yet (run ``evaluering build``)."""
    from .cellschema import check_cells, empty_cells

    path = plan.data_path("cells")
    if path is None or not path.exists():
        return empty_cells(), [f"ingen tælleceller ({path}); kør 'evaluering build'"]
    from .sources.tables import read_cells   # the reader `evaluering validate` uses

    return read_cells(path), []


def log_kinds(plan) -> dict[str, tuple[str, Any]]:
    """The log kinds of ``plan``'s focus areas: kind -> (plan data key, reader). Built-in kinds
    (:data:`LOG_KEYS`) read with :mod:`evaluering.sources.logs`; kinds a focus-area file
    declares with ``columns`` read with a schema built from that declaration. A plan without
    a known focus area gets the built-in kinds."""
    out: dict[str, tuple[str, Any]] = {}
    try:
        specs = plan.focus_area_specs()
    except Exception:   # an unknown focus area is reported by the caller (status, report)
        specs = []
    kinds = [k for spec in specs for k in spec.log_kinds]
    if not kinds:
        return {kind: (key, fn) for kind, (key, fn) in LOG_KEYS.items()}
    for kind in kinds:
        if kind.builtin:
            out.setdefault(kind.id, LOG_KEYS[kind.id])
        else:
            out.setdefault(kind.id, (kind.data_key, kind))
    # the milestone log is read where a criterion needs it (it names the plan's criterion ids)
    milestone = any(isinstance(c, dict) and c.get("kind") == "milestone" for c in plan.section("criteria") or [])
    if milestone:
        out.setdefault("milestones", LOG_KEYS["milestones"])
    else:
        out.pop("milestones", None)
    return out


def _read_declared(path: Path, kind) -> pd.DataFrame:
    from .domain.focus import log_schema
    from .sources.schema import read_table

    return read_table(path, log_schema(kind))


def load_logs(plan) -> tuple[dict[str, pd.DataFrame | None], list[str]]:
    """Read the plan's logs (the log kinds of its focus areas, :func:`log_kinds`). A log
    whose file is missing is None, with a note; a bad log raises InputError."""
    notes: list[str] = []
    try:
        from .sources import logs as readers
    except ImportError:  # pragma: no cover - the readers ship with the package
        return {k: None for k in LOG_KEYS}, ["loglæserne (evaluering.sources.logs) findes ikke"]
    out: dict[str, pd.DataFrame | None] = {}
    for kind, (key, fn) in log_kinds(plan).items():
        path = plan.data_path(key)
        if path is None or not path.exists():
            out[kind] = None
            notes.append(f"loggen '{kind}' mangler ({path})")
            continue
        out[kind] = getattr(readers, fn)(path, plan=plan) if isinstance(fn, str) else _read_declared(path, fn)
    return out, notes


def _without_attrs(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """``df`` (not copied) without ``attrs``: pandas deep-copies the attrs of a log (the line
    number of every row) into every frame or column taken from it."""
    if df is None:
        return None
    out = pd.DataFrame(df, copy=False)
    out.attrs = {}
    return out


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, (dt.date, pd.Timestamp)):
        return x.isoformat()[:10]
    return x


def _records(df: pd.DataFrame) -> list[dict]:
    return [_jsonable(r) for r in df.to_dict("records")]


@dataclass(frozen=True)
class Evaluation(Releasable):
    """The evaluation of one plan in one report year (read-only).

    ``criteria``, ``activities``, ``printed_checks`` are DataFrames, ``budget`` a dict,
    ``series`` maps indicator id to its yearly series (published values first, with a
    ``source`` column), ``averages`` holds both multi-year averages per area.
    """

    plan: Any
    year: int
    criteria: pd.DataFrame
    activities: pd.DataFrame
    budget: dict
    printed_checks: pd.DataFrame
    series: dict[str, pd.DataFrame]
    averages: pd.DataFrame
    catalogue: dict
    synthetic: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: count cells made from the plan's logs (SSP cases); NOT the input cells
    log_cells: pd.DataFrame | None = None
    #: True when the activity/SSP logs are the bundled example data (plan data.synthetic)
    example_logs: bool = False
    #: the delaftale (:class:`~evaluering.plan.Delaftale`) and its focus area
    #: (:class:`~evaluering.domain.focus.FocusArea`, None when the plan names none known)
    delaftale: Any = None
    focus_area: Any = None

    @property
    def cells(self) -> pd.DataFrame | None:
        """Alias of :attr:`log_cells`: the cells derived from the logs only (add them to the
        input cells to compute the SSP indicator yourself)."""
        return self.log_cells

    def indicator(self, indicator_id: str, levels: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The series of one indicator (optionally only some levels)."""
        s = self.series[indicator_id]
        return s if levels is None else s[s["level"].isin(levels)].reset_index(drop=True)

    def suppressed_criteria(self, threshold: int = 3, release=None) -> pd.DataFrame:
        """:attr:`criteria` as released (:meth:`evaluering.disclosure.release.Release.criteria`):
        every value computed from an unreleased count blanked (value, count, interval, the
        target and path derived from it, the change statistics), the reason in
        ``baseline_reason``/``observed_reason``; 0 or 1 turns disclosure control off."""
        if not threshold or threshold <= 1:
            out = self.criteria.copy()
            out["baseline_reason"] = None
            out["observed_reason"] = None
            return out
        return self.released(threshold, release).criteria(self)

    def suppressed_series(self, indicator_id: str, threshold: int = 3, release=None) -> pd.DataFrame:
        """The series of one indicator without estates, as released
        (:meth:`evaluering.disclosure.release.Release.series`; the reason is in
        ``suppressed_reason``)."""
        if not threshold or threshold <= 1:
            s = self.series[indicator_id]
            s = s[s["level"] != "estate"].reset_index(drop=True).copy()
            s["suppressed_reason"] = None
            return s
        return self.released(threshold, release).series(self, indicator_id)

    def to_dict(self, threshold: int = 3, release=None) -> dict:
        """JSON-safe dict: the output of ``evaluering status --format json``.

        Every number comes from the release (``release``, else one for this plan alone):
        criteria, series (years up to the report year, no estates), activities, averages and
        the budget's participants; ``threshold`` 0 turns disclosure control off.
        """
        off = not threshold or threshold <= 1
        rel = None if off else self.released(threshold, release)
        indicators = []
        for ind_id in self.series:
            ind = self.catalogue[ind_id]
            keep = self.suppressed_series(ind_id, threshold, rel)
            keep = keep[keep["year"] <= self.year]
            indicators.append({"id": ind_id, "label": ind.label_da, "unit": ind.unit_da,
                               "kind": ind.kind, "definition": ind.definition_da,
                               "series": _records(keep.drop(columns=["indicator"]))})
        if off:
            activities, averages, budget = self.activities, self.averages, self.budget
            if len(averages):
                averages = averages[averages["level"] != "estate"]
        else:
            activities, averages, budget = rel.activities(self), rel.averages(self), rel.budget(self)
        printed = self.printed_checks
        if not off and len(printed) and "computed_pooled" in printed.columns and averages is not None and len(averages):
            pooled = averages.set_index(["indicator", "level", "area"])["pooled_rate"]
            printed = printed.copy()
            printed["computed_pooled"] = [pooled.get((a, b, c), math.nan) for a, b, c in
                                          printed[["indicator", "level", "area"]].itertuples(index=False)]
        return _jsonable({
            "plan": self.plan.id, "plan_name": self.plan.name, "year": self.year,
            "synthetic": self.synthetic, "data_label": SYNTHETIC_LABEL if self.synthetic else "",
            "example_logs": self.example_logs, "disclosure_threshold": threshold,
            "criteria": _records(self.suppressed_criteria(threshold, rel)),
            "activities": _records(activities),
            "budget": budget, "printed_checks": _records(printed),
            "averages": _records(averages) if averages is not None else [],
            "indicators": indicators, "notes": list(self.notes),
        })

    def __repr__(self) -> str:
        counts = self.criteria["status"].value_counts().to_dict() if len(self.criteria) else {}
        return (f"Evaluation(plan={self.plan.id!r}, year={self.year}, synthetic={self.synthetic}, "
                f"criteria={counts})")

    def _repr_html_(self) -> str:
        return render_html(self)


def _fmt_value(v, unit: str, decimals: int = 1) -> str:
    from .fmt import number

    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "–"
    if unit == "pct.":
        return f"{number(v, decimals)} %"
    if unit == "antal":
        return number(v, 0 if float(v).is_integer() else 1)
    return number(v, decimals)


def render_html(ev: Evaluation, threshold: int = 3) -> str:
    """A compact Danish HTML summary of an evaluation (what ``_repr_html_`` shows); values
    from counts below ``threshold`` are not shown."""
    from .fmt import kr, number

    e = html.escape
    out = [f"<h3>{e(ev.plan.name)}: status {ev.year}</h3>"]
    if ev.synthetic:
        out.append(f"<p><strong>{SYNTHETIC_LABEL}:</strong> tallene efter de offentliggjorte år "
                   "og loggene er opdigtede og kan ikke bruges til at vurdere indsatsen.</p>")
    out.append("<h4>Succeskriterier</h4><table><tr><th>Kriterium</th><th>Nulpunkt</th><th>Mål</th>"
               "<th>Observeret</th><th>Forventet på vejen</th><th>Status</th><th>Ændring skelnelig fra 0</th></tr>")
    for r in ev.suppressed_criteria(threshold).itertuples():
        unit = r.unit if isinstance(r.unit, str) else ""
        dec = ev.catalogue[r.indicator].decimals if isinstance(r.indicator, str) and r.indicator in ev.catalogue else 1
        base = "–" if pd.isna(r.baseline_value) else f"{_fmt_value(r.baseline_value, unit, dec)} ({int(r.baseline_year)})"
        target = "–" if pd.isna(r.target_value) else f"{_fmt_value(r.target_value, unit, 2)} ({int(r.target_year)})"
        if r.kind == "milestone":
            target = f"milepæl ({int(r.target_year)})"
        obs = _fmt_value(r.observed_value, unit, dec) if r.kind != "milestone" else e(str(r.note or "–"))
        if r.observed_reason:
            obs = e(r.observed_reason)
        if r.baseline_reason:
            base = f"{e(r.baseline_reason)} ({int(r.baseline_year)})"
        if r.kind != "milestone" and not pd.isna(r.observed_lower):
            obs += f" [{_fmt_value(r.observed_lower, unit, dec)}; {_fmt_value(r.observed_upper, unit, dec)}]"
        sig = {True: "ja", False: "nej"}.get(r.significant, "–")
        out.append(f"<tr><td>{e(str(r.id))}: {e(str(r.title))}</td><td>{base}</td><td>{target}</td>"
                   f"<td>{obs}</td><td>{_fmt_value(r.path_value, unit, 2)}</td><td>{e(r.status)}</td>"
                   f"<td>{sig}</td></tr>")
    out.append("</table>")
    out.append("<h4>Aktivitetsmål</h4><table><tr><th>Mål</th><th>Mål for året</th><th>Opnået</th>"
               "<th>Status</th><th>Bemærkning</th></tr>")
    for r in (ev.released(threshold).activities(ev) if threshold and threshold > 1 else ev.activities).itertuples():
        unit = "pct." if r.unit == "pct." or r.metric == "attachment_rate" else "antal"
        obs = _fmt_value(r.observed, unit, 0)
        if getattr(r, "observed_reason", None):
            obs = e(r.observed_reason)
        if not pd.isna(r.lower):
            obs += f" [{_fmt_value(r.lower, unit, 0)}; {_fmt_value(r.upper, unit, 0)}]"
        out.append(f"<tr><td>{e(str(r.goal))}: {e(str(r.title))}</td><td>{_fmt_value(r.target, unit, 0)}</td>"
                   f"<td>{obs}</td><td>{e(r.status)}</td><td>{e(str(r.note or ''))}</td></tr>")
    out.append("</table>")
    b = ev.budget
    out.append(f"<h4>Økonomi</h4><p>Delbeløb i alt {kr(b.get('computed_total_kr'))}; angivet total "
               f"{kr(b.get('stated_total_kr'))}")
    if b.get("flag"):
        out.append(f"; <strong>afvigelse {kr(abs(b['gap_kr']))}</strong>")
    out.append("</p>")
    if ev.notes:
        out.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in ev.notes) + "</ul>")
    flagged = ev.printed_checks[ev.printed_checks["flag"]] if len(ev.printed_checks) else ev.printed_checks
    if len(flagged):
        out.append("<h4>Trykte tal der ikke kan efterregnes</h4><ul>")
        for r in flagged.itertuples():
            out.append(f"<li>{e(r.area_name)} ({r.first_year}-{r.last_year}): trykt "
                       f"{number(r.printed_value, 1)}, beregnet {number(r.computed_mean, 2)}</li>")
        out.append("</ul>")
    return "".join(out)


def _text_keys(df: pd.DataFrame, key: list[str]) -> list[tuple]:
    """The ``key`` columns of every row as text (``astype(str)``)."""
    return list(zip(*(df[c].astype(str).tolist() for c in key)))


def _merge_ssp(cells: pd.DataFrame, ssp_cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the SSP cells whose key is not in ``cells``; returns (merged, added).

    Both tables are checked cell tables (:func:`~evaluering.cellschema.check_cells`) and the
    added cells have keys the others lack, so the merged table is a checked one too."""
    if ssp_cells.empty:
        return cells, ssp_cells
    key = ["level", "area", "year", "measure"]
    ssp_keys = [tuple(map(str, k)) for k in zip(*(ssp_cells[c].tolist() for c in key))]
    # only cells of the SSP measures can hold one of the keys
    measure = cells["measure"]
    if not isinstance(measure.dtype, pd.StringDtype):
        measure = measure.astype(str)
    same_measure = measure.isin({k[3] for k in ssp_keys}).to_numpy(bool, na_value=False)
    have = set(_text_keys(cells[same_measure], key)) if same_measure.any() else set()
    new = ssp_cells[np.array([k not in have for k in ssp_keys], dtype=bool)]
    if new.empty:
        return cells, new
    merged = pd.concat([cells, new], ignore_index=True) if len(cells) else new
    return merged, new.reset_index(drop=True)


def _evaluate_area(plan, year: int, cells: pd.DataFrame, published, logs, *, as_of, conf: float,
                   notes: list[str], series_cache: dict) -> Evaluation:
    """The :class:`Evaluation` of one delaftale (``plan`` is its view,
    :meth:`~evaluering.plan.Plan.for_focus_area`); ``series_cache`` shares the indicator
    series between the delaftaler of one plan (same cells, same estates)."""
    from .activities import evaluate_activities, participants_total
    from .budget import check_budget
    from .catalogue import load_catalogue
    from .criteria import evaluate_criteria
    from .indicators import averages_table, shown_series, ssp_cells
    from .published import check_printed_averages

    if logs is None:
        logs, n = load_logs(plan)
        notes += n
    logs = {kind: _without_attrs(log) for kind, log in logs.items()}
    given = cells
    synthetic_data = bool(plan.data.get("synthetic", False))
    sc, n = ssp_cells(logs.get("ssp"), plan, synthetic=synthetic_data)
    notes += n
    cells, log_cells = _merge_ssp(cells, sc)
    cells, survey_cells = _merge_survey(cells, plan, synthetic_data, notes)
    catalogue = load_catalogue(plan)
    series = {}
    for ind_id in _wanted_indicators(plan, catalogue, published):
        key = (ind_id, catalogue[ind_id])
        if cells is not given:   # cells from this delaftale's logs or survey: not shared
            s_ = shown_series(cells, published, catalogue[ind_id], plan, conf)
        elif key in series_cache:
            s_ = series_cache[key]
        else:
            s_ = series_cache[key] = shown_series(cells, published, catalogue[ind_id], plan, conf)
        if len(s_):
            series[ind_id] = s_
    criteria = evaluate_criteria(plan, year, series, catalogue, logs.get("milestones"), conf)
    activities = evaluate_activities(plan, year, logs, as_of=as_of, conf=conf)
    participants = participants_total(logs, plan.start, min(plan.end, dt.date(year, 12, 31)))
    budget = check_budget(plan, participants)
    printed = check_printed_averages(published)
    avg_frames = []
    for r in published.printed_averages[["indicator", "first_year", "last_year"]].drop_duplicates().itertuples():
        if r.indicator in series:
            s = series[r.indicator]
            avg_frames.append(averages_table(s[s["level"] != "estate"], catalogue[r.indicator],
                                             int(r.first_year), int(r.last_year)))
    averages = pd.concat(avg_frames, ignore_index=True) if avg_frames else pd.DataFrame()
    if len(printed) and len(averages):
        pooled = averages.set_index(["indicator", "level", "area"])["pooled_rate"]
        printed["computed_pooled"] = [pooled.get((a, b, c), math.nan) for a, b, c in
                                      printed[["indicator", "level", "area"]].itertuples(index=False)]
    synthetic = synthetic_data or bool(cells["synthetic"].any()) if len(cells) else synthetic_data
    spec = None
    try:
        spec = plan.focus_area_spec
    except Exception as err:   # an unknown focus area name: said, not fatal
        notes.append(str(getattr(err, "message", err)))
    return Evaluation(plan=plan, year=year, criteria=criteria, activities=activities, budget=budget,
                      printed_checks=printed, series=series, averages=averages, catalogue=catalogue,
                      synthetic=bool(synthetic), notes=tuple(notes), log_cells=log_cells,
                      example_logs=synthetic_data and any(v is not None for v in logs.values()),
                      delaftale=plan.focus_areas[0], focus_area=spec)


def _wanted_indicators(plan, catalogue: dict, published) -> list[str]:
    """The indicators a delaftale's evaluation computes: its focus area's shown indicators
    and effect outcome, those its criteria and the plan's ``indicators:`` name, and every
    indicator with published values; all of the catalogue for a plan with no known area."""
    try:
        spec = plan.focus_area_spec
    except Exception:
        spec = None
    if spec is None:
        return list(catalogue)
    ids = list(spec.shown_indicators)
    if spec.effect_outcome.get("indicator"):
        ids.append(spec.effect_outcome["indicator"])
    ids += [c["indicator"] for c in plan.section("criteria") or [] if isinstance(c, dict) and c.get("indicator")]
    ids += [str(k) for k in (plan.section("indicators") or {})]
    pub = published.values if hasattr(published, "values") else published
    if pub is not None and len(pub):
        ids += [str(i) for i in pd.unique(pub["indicator"])]
    ids += [k for k in spec.indicators_spec]
    seen: list[str] = []
    for i in ids:
        if i in catalogue and i not in seen:
            seen.append(i)
    return seen


def _merge_survey(cells: pd.DataFrame, plan, synthetic: bool, notes: list[str]):
    """Add the count cells of the plan's beboerundersøgelse (``data.survey``), if any."""
    path = plan.data_path("survey")
    if path is None:
        return cells, None
    if not path.exists():
        notes.append(f"beboerundersøgelsen mangler ({path})")
        return cells, None
    from .sources.survey import read_survey, survey_cells

    sc = survey_cells(read_survey(path), plan, synthetic=synthetic)
    merged, added = _merge_ssp(cells, sc)
    return merged, added


def own_cells(plan, cells: pd.DataFrame) -> pd.DataFrame:
    """The cells a plan's evaluation reads: its own estates, parts and plan, and the
    comparison levels (municipality, region, public housing, country); never another plan's
    areas (a cells file of several plans holds them all) nor the resident-panel levels.

    >>> c = pd.DataFrame({"level": ["plan", "plan", "estate", "country"], "area": ["p", "q", "E9", "DK"]})
    >>> from types import SimpleNamespace as NS
    >>> own_cells(NS(id="p", estate_ids=["E1"], parts=[]), c)["area"].tolist()
    ['p', 'DK']
    """
    level = cells["level"].astype(str)
    area = cells["area"].astype(str)
    keep = ((level == "plan") & (area == str(plan.id))) \
        | ((level == "estate") & area.isin([str(e) for e in plan.estate_ids])) \
        | ((level == "plan_part") & area.isin([str(p.id) for p in plan.parts])) \
        | level.isin(["municipality", "region", "public_housing", "country"])
    keep = keep.to_numpy(dtype=bool, na_value=False) if hasattr(keep, "to_numpy") else keep
    if keep.all():
        return cells
    return cells[keep].reset_index(drop=True)


def evaluate(plan, year: int, cells: pd.DataFrame | None = None, published=None,
             logs: dict | None = None, *, as_of: dt.date | None = None,
             conf: float = 0.95) -> "PlanEvaluation":
    """Evaluate ``plan`` (a Plan, plan id or plan file path) for report ``year``: every
    delaftale (focus area) of the plan, the plan's budget and its area criteria.

    ``cells`` (count cells), ``published`` (:class:`~evaluering.published.Published`) and
    ``logs`` (``{"ssp"|"meetings"|...: tidy frame or None}``, or ``{delaftale id: {...}}``,
    each delaftale its own) are read from the plan's ``data`` paths when None. ``as_of``
    marks a year still running (activity goals are then judged pro rata). A single-area
    plan gives a :class:`PlanEvaluation` with one focus area whose fields it also shows.
    """
    from .cellschema import check_cells
    from .plan import Plan, find_plan, load_plan
    from .published import Published, load_published

    if not isinstance(plan, Plan):
        p = Path(str(plan))
        plan = load_plan(p) if p.suffix in (".yaml", ".yml") else find_plan(str(plan))
    year = int(year)
    notes: list[str] = []
    if cells is None:
        cells, n = load_cells(plan)
        notes += n
    else:
        cells = check_cells(cells)
    if published is None:
        pdir = plan.data_path("published")
        published = load_published(pdir, plan=plan) if pdir is not None else Published.empty()
    elif isinstance(published, pd.DataFrame):
        published = Published(values=published, printed_averages=Published.empty().printed_averages)
    cells = own_cells(plan, cells)
    areas = plan.focus_areas
    # logs by delaftale: keys are delaftale ids and values kind -> frame dicts (a plan of one
    # delaftale too); otherwise one kind -> frame dict shared by every delaftale
    by_area = bool(logs) and set(logs) <= {a.id for a in areas} and all(isinstance(v, dict) for v in logs.values())
    cache: dict = {}
    evaluations = []
    for i, area in enumerate(areas):
        view = plan.for_focus_area(i)
        area_logs = (logs.get(area.id) if by_area else logs)
        evaluations.append(_evaluate_area(view, year, cells, published, area_logs, as_of=as_of,
                                          conf=conf, notes=list(notes), series_cache=cache))
    from .area_criteria import plan_area_status
    from .budget import plan_budget

    budget = plan_budget(plan, [e.budget for e in evaluations], [a for a in areas])
    status = plan_area_status(plan, cells, year)
    return PlanEvaluation(plan=plan, year=year, focus_areas=tuple(evaluations), plan_budget=budget,
                          area_criteria=status, plan_notes=tuple(notes))


from .plan_evaluation import PlanEvaluation  # noqa: E402  (the result of evaluate())
