"""Validate one input file: guess its kind from the headers (or take it), read it with the
right checked reader, and summarise it in one line, or list its problems.

Nothing is written. Problems are :class:`~evaluering.errors.InputError` objects
(``file:row:column: what is wrong``).

>>> KINDS[:3]
('ssp', 'meetings', 'courses')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import EvalueringError, InputError
from .schema import MAX_PROBLEMS, Problems, normalize_header

__all__ = ["KINDS", "Validation", "validate_file", "guess_kind", "check_plan_sections"]

KINDS: tuple[str, ...] = ("ssp", "meetings", "courses", "events", "milestones", "published",
                          "printed-averages", "cells", "plan", "lbf", "dst",
                          "register-persons", "register-events", "estates", "did-panel", "survey")
#: file name endings `validate` reads (a folder: every such file in it)
SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".xlsx", ".xlsm", ".parquet", ".yaml", ".yml", ".sas7bdat")


@dataclass
class Validation:
    """The outcome of :func:`validate_file`: ``ok``, the kind, a one-line summary, problems."""

    path: str
    kind: str | None
    summary: str = ""
    problems: list[InputError] = field(default_factory=list)
    total_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, limit: int = 10) -> list[str]:
        """``OK: ...`` or the first ``limit`` problems (and how many more)."""
        from ..errors import localize

        if self.ok:
            return [localize(f"OK: {self.summary}")]
        out = [str(p) for p in self.problems[:limit]]
        more = max(self.total_problems, len(self.problems)) - len(out)
        if more > 0:
            out.append(localize(f"... and {more} more problem(s)" if self.total_problems < MAX_PROBLEMS
                                else f"... and more problems (showing the first {len(out)})"))
        return out

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        import html
        return "<pre>" + html.escape("\n".join(self.lines())) + "</pre>"


def _years(series) -> str:
    s = series.dropna()
    if s.empty:
        return "no years"
    lo, hi = int(s.min()), int(s.max())
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _date_span(series) -> str:
    s = series.dropna()
    if s.empty:
        return "no dates"
    return f"{s.min():%d.%m.%Y}-{s.max():%d.%m.%Y}"


def _fmt_source(frame) -> str:
    return ""


# kind -> (reader(path, plan, collect) -> frame, summary(frame) -> str)
def _log_reader(kind: str) -> Callable:
    def read(path, plan, collect):
        from .logs import read_log
        return read_log(path, kind, plan=plan, collect=collect)
    return read


def _summary_ssp(f) -> str:
    return (f"SSP log, {len(f)} rows, years {_years(f['year'])}, {f['area'].nunique()} area(s), "
            f"levels {', '.join(str(x) for x in sorted(f['level'].unique()))}, {int(f['cases'].sum())} cases")


def _summary_meetings(f) -> str:
    return (f"meetings log, {len(f)} meetings {_date_span(f['date'])}, {int(f['open'].sum())} open, "
            f"{int(f['holiday_plan_for'].notna().sum())} holiday plans")


def _summary_courses(f) -> str:
    return (f"courses log, {len(f)} courses started {_date_span(f['start_date'])}, "
            f"{int(f['contact'].sum())} with contact")


def _summary_events(f) -> str:
    return f"events log, {len(f)} events {_date_span(f['date'])}"


def _summary_milestones(f) -> str:
    return f"milestones log, {len(f)} rows, criteria {', '.join(sorted(f['criterion'].unique()))}"


def _read_published(path, plan, collect):
    from .tables import read_published_values
    return read_published_values(path, collect=collect)


def _summary_published(f) -> str:
    missing = int(f["value"].isna().sum())
    return (f"published values, {len(f)} rows, {f['indicator'].nunique()} indicator(s), years "
            f"{_years(f['year'])}" + (f", {missing} suppressed/missing" if missing else ""))


def _read_averages(path, plan, collect):
    from .schema import read_table
    from .tables import PRINTED_AVERAGES
    return read_table(path, PRINTED_AVERAGES, collect=collect)


def _read_cells(path, plan, collect):
    from .tables import read_cells
    return read_cells(path, collect=collect)


def _summary_cells(f) -> str:
    return (f"count cells, {len(f)} cells, {f['measure'].nunique()} measure(s), levels "
            f"{', '.join(sorted(f['level'].unique()))}, years {_years(f['year'])}")


def check_plan_sections(plan) -> None:
    """Run the checks the consumers run on a plan's sections (the same functions, in the
    order :func:`evaluering.evaluation.evaluate` calls them): indicators, criteria,
    activities, school holidays, budget. Raises the first :class:`PlanError`."""
    from ..activities import activity_goals
    from ..budget import check_budget
    from ..catalogue import load_catalogue
    from ..criteria import parse_criteria
    from ..holidays import holiday_rules

    for i in range(len(plan.focus_areas)):   # every delaftale of a plan with focus_areas:
        view = plan.for_focus_area(i)
        catalogue = load_catalogue(view)
        parse_criteria(view, catalogue)
        activity_goals(view)
        holiday_rules(view)
        check_budget(view, {})


def _read_plan(path, plan, collect):
    from ..plan import load_plan
    p = load_plan(path)
    p.focus_area_specs()   # every delaftale names a known focus area (PlanError otherwise)
    check_plan_sections(p)
    return p


def _summary_plan(p) -> str:
    n = sum(len(p.for_focus_area(i).section("criteria", []) or []) for i in range(len(p.focus_areas)))
    return (f"plan '{p.id}', {len(p.estates)} estates, {len(p.parts)} part(s), "
            f"{p.start:%d.%m.%Y}-{p.end:%d.%m.%Y}, {len(p.focus_areas)} delaftale(r), {n} criteria")


def _declared_log_schemas() -> dict:
    """kind -> Schema of the log kinds the built-in focus-area files declare (``columns``)."""
    from ..domain.focus import load_focus_areas, log_schema
    out = {}
    for area in load_focus_areas().values():
        for k in area.log_kinds:
            if not k.builtin:
                out.setdefault(k.id, log_schema(k))
    return out


def _declared_reader(kind: str) -> Callable:
    def read(path, plan, collect):
        from .schema import read_table
        return read_table(path, _declared_log_schemas()[kind], collect=collect)
    return read


def _read_survey(path, plan, collect):
    from .survey import read_survey
    return read_survey(path)


def _read_lbf(path, plan, collect):
    from .lbf import read_lbf
    return read_lbf(path, collect=collect)


def _summary_lbf(f) -> str:
    missing = int(f["value"].isna().sum())
    return (f"LBF table, {len(f)} values, {f['indicator'].nunique()} indicator(s), levels "
            f"{', '.join(sorted(f['level'].unique()))}, years {_years(f['year'])}, {missing} suppressed")


def _read_dst(path, plan, collect):
    from .dst import read_bulk
    return read_bulk(path)


def _summary_dst(f) -> str:
    missing = int(f["value"].isna().sum())
    dims = [c for c in f.columns if c not in ("value", "note")]
    return f"StatBank table, {len(f)} values, dimensions {', '.join(dims)}, {missing} suppressed"


def _read_register(kind: str) -> Callable:
    def read(path, plan, collect):
        from ..cells.inputs import check_input_file
        from .register import read_register
        check_input_file(path)           # the first checks of the cell engines
        return read_register(path, kind, collect=collect)
    return read


def _read_estates(path, plan, collect):
    from ..cells.estates import read_estates
    return read_estates(path, collect=collect)


def _summary_estates(f) -> str:
    return (f"estate map, {len(f)} estates, {f['plan_id'].nunique()} plan(s), "
            f"{int(f['plan_part'].notna().sum())} with a plan part")


def read_did_panel(path, plan=None, collect=False):
    """A DiD panel as ``evaluering did`` reads it: :func:`evaluering.did.read_panel_csv`, then
    :func:`evaluering.did.prepare_panel` with the standard columns (``unit, time, start`` and
    ``count, population`` or ``outcome``)."""
    from ..did.panel import prepare_panel, read_panel_csv

    raw = read_panel_csv(path)
    cols = set(raw.columns)
    if "outcome" in cols and "count" not in cols:
        return prepare_panel(raw, "unit", "time", "start", outcome="outcome", where=str(path))
    return prepare_panel(raw, "unit", "time", "start", count="count", population="population",
                         where=str(path))


def _summary_panel(f) -> str:
    return (f"DiD panel, {len(f)} rows, {f['unit'].nunique()} units, periods {_years(f['time'])}, "
            f"{int((f.groupby('unit')['start'].first() > 0).sum())} treated unit(s)")


def _summary_register(f) -> str:
    return (f"register extract ({f.attrs.get('kind')}), {f.attrs.get('rows')} records, columns "
            f"{', '.join(f['column'])}")


_READERS: dict[str, tuple[Callable, Callable]] = {
    "ssp": (_log_reader("ssp"), _summary_ssp),
    "meetings": (_log_reader("meetings"), _summary_meetings),
    "courses": (_log_reader("courses"), _summary_courses),
    "events": (_log_reader("events"), _summary_events),
    "milestones": (_log_reader("milestones"), _summary_milestones),
    "qualitative": (_log_reader("qualitative"), lambda f: f"qualitative results log, {len(f)} rows"),
    "published": (_read_published, _summary_published),
    "printed-averages": (_read_averages, lambda f: f"printed averages, {len(f)} rows"),
    "cells": (_read_cells, _summary_cells),
    "plan": (_read_plan, _summary_plan),
    "lbf": (_read_lbf, _summary_lbf),
    "dst": (_read_dst, _summary_dst),
    "register-persons": (_read_register("register-persons"), _summary_register),
    "register-events": (_read_register("register-events"), _summary_register),
    "estates": (_read_estates, _summary_estates),
    "did-panel": (read_did_panel, _summary_panel),
    "survey": (_read_survey, lambda f: f"beboerundersøgelse, {len(f)} rows, years {_years(f['year'])}"),
}

#: header-only schema of a DiD panel (to recognise one)
def _panel_schemas() -> list:
    from .schema import Column, Schema
    return [Schema("did-panel", [Column("unit", "unit"), Column("time", "time"), Column("start", "start"),
                                 Column("count", "count", optional=True),
                                 Column("population", "population", optional=True),
                                 Column("outcome", "outcome", optional=True)])]


def _header_schemas() -> list:
    from .logs import LOG_SCHEMAS
    from .tables import CELLS, PRINTED_AVERAGES, PUBLISHED
    from ..cells.estates import ESTATES
    from .survey import SURVEY
    schemas = [*LOG_SCHEMAS.values(), *_declared_log_schemas().values(), SURVEY, PUBLISHED, PRINTED_AVERAGES,
               CELLS, ESTATES, *_panel_schemas()]
    try:
        from .register import REGISTER_SCHEMAS
        schemas.extend(REGISTER_SCHEMAS.values())
    except ImportError:  # pragma: no cover
        pass
    return schemas


def guess_kind(path: str | Path) -> str:
    """The kind of an input file from its name and headers.

    Raises :class:`InputError` when the headers match no known kind.
    """
    from .schema import guess_kind as guess_schema, headers_summary, read_raw
    from .tables import raw_from_frame

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "plan"
    if suffix == ".sas7bdat":
        return _guess_sas(path)
    if suffix == ".parquet":
        from ..cells.inputs import check_input_file
        check_input_file(path)
        import pandas as pd
        try:
            raw = raw_from_frame(path, pd.read_parquet(path).head(0))
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except Exception as err:
            raise InputError(path, f"not a readable Parquet file ({type(err).__name__})") from None
    else:
        raw = read_raw(path)
    heads = {normalize_header(h) for h in raw.headers}
    if "indhold" in heads:
        return "dst"
    schemas = _header_schemas()
    schema = guess_schema(raw, schemas, complete_only=True)
    if schema is not None:
        return schema.kind
    if raw.fmt != "parquet":
        from .lbf import looks_like_lbf
        if looks_like_lbf(path):
            return "lbf"
    schema = guess_schema(raw, schemas)
    if schema is not None:
        return schema.kind
    from .schema import looks_like_data

    if looks_like_data(raw.headers):
        raise InputError(path, "the first line looks like data, not column headers (is the header line "
                         "missing?)", row=raw.header_line)
    raise InputError(path, f"cannot tell what kind of file this is from its headers "
                     f"({headers_summary(raw.headers)}); give --kind ({', '.join(KINDS)})",
                     row=raw.header_line)


def _guess_sas(path: Path) -> str:
    """The kind of a SAS7BDAT file from its column names (read without the data)."""
    from .schema import Column, RawTable, Schema, guess_kind as guess_schema

    if not path.exists():
        raise InputError(path, "file not found")
    try:
        import pyreadstat
        _, meta = pyreadstat.read_sas7bdat(str(path), metadataonly=True)
    except Exception as err:
        raise InputError(path, f"cannot read the SAS file ({type(err).__name__})") from None
    raw = RawTable(path, [str(c).lower() for c in meta.column_names], [], [], fmt="sas7bdat")
    from ..cells.estates import ESTATES
    from .register import REGISTER_SCHEMAS
    schema = guess_schema(raw, [*REGISTER_SCHEMAS.values(), ESTATES], complete_only=True)
    if schema is None:
        raise InputError(path, "cannot tell what kind of file this is from its headers "
                         f"({len(raw.headers)} columns); give --kind (register-persons, register-events, estates)")
    return schema.kind


def validate_file(path: str | Path, kind: str | None = None, plan: Any = None,
                  limit: int = MAX_PROBLEMS) -> Validation:
    """Check one input file; never raises for a problem in the file itself.

    >>> v = validate_file("no/such/file.csv", "ssp")
    >>> v.ok, v.lines()
    (False, ['no/such/file.csv: file not found'])
    """
    path_s = str(path)
    for declared in _declared_log_schemas():   # log kinds of the focus-area files
        _READERS.setdefault(declared, (_declared_reader(declared), lambda f: f"log, {len(f)} rows"))
    if kind is not None and kind not in _READERS:
        raise EvalueringError(f"unknown kind '{kind}' (use {', '.join(KINDS)})")
    try:
        if kind is None:
            kind = guess_kind(path)
        reader, summarise = _READERS[kind]
        result = reader(path, plan, True)
    except Problems as many:
        return Validation(path_s, kind, problems=list(many.errors),
                          total_problems=len(many.errors))
    except InputError as err:
        return Validation(path_s, kind, problems=[err], total_problems=1)
    return Validation(path_s, kind, summary=summarise(result))
