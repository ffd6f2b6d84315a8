"""Plan files: one YAML file per evaluated plan (see README, "Planfilen").

A plan file describes what is evaluated: the estates (boligafdelinger), the helhedsplaner
that share the plan (``parts``), the municipality, the comparison levels, the success
criteria, activities with their goals, and the budget. :func:`load_plan` checks the top
level and keeps the sections ``indicators``, ``criteria``, ``activities`` and ``budget``
as plain data for the modules that own them (:mod:`evaluering.indicators`,
:mod:`evaluering.criteria`, :mod:`evaluering.activities`, :mod:`evaluering.budget`), which
report problems through :meth:`Plan.error` with the YAML line number.

>>> plan = load_plan(default_plans_dir() / "aalborg-oest.yaml")   # doctest: +SKIP
>>> plan.id, len(plan.estates)                                      # doctest: +SKIP
('aalborg-oest', 9)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PlanError

__all__ = ["Plan", "Estate", "PlanPart", "Delaftale", "load_plan", "find_plan", "list_plans",
           "default_plans_dir", "project_root", "AREA_KEYS"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
COMPARISON_LEVELS = ("municipality", "public_housing", "country")


def project_root() -> Path:
    """The project folder: the nearest parent of the working directory with ``data/raw``,
    else the checkout this package was installed from."""
    for base in (Path.cwd(), *Path.cwd().parents):
        if (base / "data" / "raw").is_dir():
            return base
    here = Path(__file__).resolve()
    for base in here.parents:
        if (base / "data" / "raw").is_dir():
            return base
    return Path.cwd()


def default_plans_dir() -> Path:
    """``data/raw/plans/`` of the project."""
    return project_root() / "data" / "raw" / "plans"


@dataclass(frozen=True)
class Estate:
    """One boligafdeling."""

    id: str
    name: str
    part: str | None = None
    start_year: int | None = None


@dataclass(frozen=True)
class PlanPart:
    """One helhedsplan of a plan file that several helhedsplaner share."""

    id: str
    name: str


#: keys of one delaftale (an entry of ``focus_areas:``, or the top level of a single-area file)
AREA_KEYS = ("focus_area", "id", "name", "example", "criteria", "activities", "budget", "resources",
             "indicators", "logs", "holidays", "source", "note")


@dataclass(frozen=True)
class Delaftale:
    """One delaftale of a plan: a focus area with its criteria, activities, budget and logs.

    ``index`` is its position in ``focus_areas:``, or None for a single-area plan file (the
    top level is then the one delaftale). ``example`` marks an invented delaftale.
    """

    index: int | None
    id: str
    focus_area: str
    name: str
    example: bool = False

    @property
    def key_prefix(self) -> str:
        """The dotted prefix of its keys in the plan file (``focus_areas.1.``)."""
        return "" if self.index is None else f"focus_areas.{self.index}."


@dataclass
class Plan:
    """A parsed plan file. ``raw`` is the whole YAML mapping; ``lines`` maps dotted key
    paths (``criteria.0.target``) to 1-based line numbers for error messages."""

    id: str
    name: str
    path: Path
    municipality_code: str
    municipality_name: str
    start: dt.date
    end: dt.date
    estates: list[Estate]
    parts: list[PlanPart] = field(default_factory=list)
    comparison_levels: tuple[str, ...] = COMPARISON_LEVELS
    comparison_estates: list[str] | None = None
    focus_area: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict, repr=False)
    #: set on the view of one delaftale (:meth:`for_focus_area`): the delaftale and its key prefix
    delaftale: Delaftale | None = None
    #: on a view: the whole plan it was taken from
    whole: "Plan | None" = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------------ focus areas (delaftaler)
    @property
    def multi_area(self) -> bool:
        """True when the file lists its delaftaler under ``focus_areas:``."""
        return self.delaftale is None and isinstance(self.raw.get("focus_areas"), list)

    @property
    def focus_areas(self) -> list[Delaftale]:
        """The plan's delaftaler; a single-area plan file is a plan with one."""
        if self.delaftale is not None:
            return [self.delaftale]
        section = self.raw.get("focus_areas")
        if section is None:
            return [Delaftale(None, str(self.raw.get("delaftale_id") or _slug(self.focus_area) or self.id),
                              self.focus_area, self.name, bool(self.raw.get("example", False)))]
        if not isinstance(section, list) or not section:
            raise self.error("focus_areas", "'focus_areas' must be a list of delaftaler")
        out, seen = [], set()
        for i, entry in enumerate(section):
            if not isinstance(entry, dict) or not entry.get("focus_area"):
                raise self.error(f"focus_areas.{i}", "each delaftale needs 'focus_area' (the indsatsområde)")
            unknown = sorted(set(map(str, entry)) - set(AREA_KEYS))
            if unknown:
                raise self.error(f"focus_areas.{i}.{unknown[0]}",
                                 f"unknown key '{unknown[0]}' in a delaftale (known: {', '.join(AREA_KEYS)})")
            area_id = str(entry.get("id") or _slug(str(entry["focus_area"])))
            if area_id in seen:
                raise self.error(f"focus_areas.{i}.id", f"duplicate delaftale id '{area_id}'")
            seen.add(area_id)
            out.append(Delaftale(i, area_id, str(entry["focus_area"]),
                                 str(entry.get("name") or f"{self.name}: {entry['focus_area']}"),
                                 bool(entry.get("example", False))))
        return out

    def for_focus_area(self, which: int | str = 0) -> "Plan":
        """The plan as seen by one delaftale (by position or id): its ``criteria``,
        ``activities``, ``budget``, ``indicators`` and ``logs`` sections, the shared estates,
        parts and period; errors point at ``focus_areas.N.`` keys. A single-area plan returns
        itself."""
        import dataclasses

        if self.delaftale is not None:   # already the view of one delaftale
            return self
        areas = self.focus_areas
        area = areas[which] if isinstance(which, int) else next((a for a in areas if a.id == which), None)
        if area is None:
            raise KeyError(f"unknown delaftale '{which}' (known: {', '.join(a.id for a in areas)})")
        if area.index is None:
            return self
        entry = self.raw["focus_areas"][area.index]
        own = ("criteria", "activities", "budget", "resources", "logs")
        raw = {k: v for k, v in self.raw.items() if k not in ("focus_areas", *own)}
        raw.update({k: v for k, v in entry.items() if k in (*own, "example", "holidays")})
        if entry.get("indicators"):
            raw["indicators"] = {**(self.raw.get("indicators") or {}), **entry["indicators"]}
        data = dict(self.data)
        for kind, path in (entry.get("logs") or {}).items():
            data[str(kind) if str(kind).endswith("_log") else f"{kind}_log"] = path
        return dataclasses.replace(self, raw=raw, data=data, focus_area=area.focus_area, delaftale=area, whole=self)

    def focus_area_specs(self) -> list:
        """The :class:`~evaluering.domain.focus.FocusArea` of each delaftale (built-in files
        and a ``focus_areas/`` folder next to the plan file); unknown names raise PlanError."""
        from .domain.focus import find_focus_area

        extra = [self.path.parent / "focus_areas"] if self.path is not None else []
        out = []
        for area in self.focus_areas:
            if not area.focus_area:
                continue
            try:
                out.append(find_focus_area(area.focus_area, *extra))
            except KeyError as err:
                raise self.error(f"{area.key_prefix}focus_area", str(err.args[0])) from None
        return out

    @property
    def focus_area_spec(self):
        """The FocusArea of a single delaftale (a single-area plan or a view), else None."""
        specs = self.focus_area_specs() if len(self.focus_areas) == 1 else []
        return specs[0] if specs else None

    @property
    def start_year(self) -> int:
        """The first calendar year of the plan period."""
        return self.start.year

    @property
    def estate_ids(self) -> list[str]:
        return [e.id for e in self.estates]

    def section(self, name: str, default: Any = None) -> Any:
        """A raw section (``criteria``, ``activities``, ``budget``, ``indicators``, ...).

        On a plan with ``focus_areas:``, ``criteria`` and ``activities`` (when not also at
        the top) are those of all its delaftaler in order (read-only; evaluate one delaftale
        through :meth:`for_focus_area`, whose errors point at the right lines)."""
        if name in ("criteria", "activities") and self.multi_area and name not in self.raw:
            merged = [x for entry in self.raw["focus_areas"] if isinstance(entry, dict)
                      for x in (entry.get(name) or [])]
            return merged if merged else default
        return self.raw.get(name, default)

    def line_of(self, key_path: str) -> int | None:
        """The line of a dotted key path, or of its nearest parent that has one."""
        if self.delaftale is not None and self.delaftale.index is not None \
                and key_path.split(".")[0] in AREA_KEYS:
            key_path = self.delaftale.key_prefix + key_path
        from .plan_schema import nearest_line

        return nearest_line(self.lines, key_path)

    def error(self, key_path: str, message: str) -> PlanError:
        """A :class:`PlanError` located at ``key_path`` (return it, then raise it)."""
        if self.delaftale is not None and self.delaftale.index is not None \
                and key_path.split(".")[0] in AREA_KEYS:
            key_path = self.delaftale.key_prefix + key_path
        return PlanError(self.path, message, row=self.line_of(key_path), column=key_path)

    def data_path(self, key: str, default: str | None = None) -> Path | None:
        """A path from the ``data`` section, resolved against the project root."""
        value = self.data.get(key, default)
        if value is None:
            return None
        p = Path(value)
        return p if p.is_absolute() else project_root() / p

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        rows = "".join(f"<tr><td>{e.id}</td><td>{e.name}</td><td>{e.part or ''}</td></tr>" for e in self.estates)
        return (f"<h4>{self.name} (<code>{self.id}</code>)</h4><p>{self.municipality_name}, "
                f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}</p><table><tr><th>Afdeling</th>"
                f"<th>Navn</th><th>Helhedsplan</th></tr>{rows}</table>")


def _slug(text: str) -> str:
    """An id from a Danish name: ``Tryghed og trivsel`` -> ``tryghed_og_trivsel``."""
    t = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


#: a plan file larger than this is refused before it is parsed
MAX_PLAN_BYTES = 1_000_000
#: nodes of a plan file after alias expansion ("billion laughs" stops here)
MAX_PLAN_NODES = 50_000


class _BadScalar(Exception):
    """A YAML scalar the constructor cannot build (``2017-02-31``); carries the line."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


def _loader_class():
    """A safe YAML loader (libyaml when available) whose dates fail with their line."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class PlanLoader(base):  # type: ignore[misc, valid-type]
        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                raise _BadScalar(node.start_mark.line + 1, "not a valid calendar date") from None

    PlanLoader.add_constructor("tag:yaml.org,2002:timestamp", PlanLoader.construct_yaml_timestamp)
    return PlanLoader


def _check_nodes(path: Path, root) -> dict[str, int]:
    """Walk the YAML node graph once: refuse more than :data:`MAX_PLAN_NODES` nodes after
    alias expansion, recursive aliases and duplicate keys; return the line map (dotted key
    path -> 1-based line)."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise PlanError(path, "a YAML alias refers to itself (recursive alias)", row=node.start_mark.line + 1)
        active.add(key)
        n = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                n += size(k) + size(v)
                if n > MAX_PLAN_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                n += size(v)
                if n > MAX_PLAN_NODES:
                    break
        active.discard(key)
        sizes[key] = n
        if n > MAX_PLAN_NODES:
            raise PlanError(path, f"the plan expands to more than {MAX_PLAN_NODES} values (YAML aliases "
                            f"'*' repeated inside each other?)", row=node.start_mark.line + 1)
        return n

    size(root)
    out: dict[str, int] = {}

    def walk(node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    walk(value_node, prefix)
                    continue
                name = str(key_node.value)
                line = key_node.start_mark.line + 1
                path_ = f"{prefix}.{name}" if prefix else name
                if name in first:
                    raise PlanError(path, f"duplicate key '{name}' (first given on line {first[name]})",
                                    row=line, column=path_)
                first[name] = line
                out[path_] = line
                walk(value_node, path_)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                path_ = f"{prefix}.{i}" if prefix else str(i)
                out[path_] = item.start_mark.line + 1
                walk(item, path_)

    walk(root, "")
    return out


def _read_yaml(path: Path) -> tuple[dict, dict[str, int]]:
    import yaml

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PlanError(path, "plan file not found") from None
    if path.is_dir():
        raise PlanError(path, "a folder, not a file")
    if size > MAX_PLAN_BYTES:
        raise PlanError(path, f"the plan file is larger than {MAX_PLAN_BYTES // 1_000_000} MB")
    data_bytes = path.read_bytes()
    if data_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanError(path, "UTF-16 text is not supported; save the plan file as UTF-8", row=1)
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data_bytes[: err.start].count(b"\n") + 1
        raise PlanError(path, "not UTF-8 text; save the plan file as UTF-8", row=line) from None
    if not text.strip():
        raise PlanError(path, "the plan file is empty")
    loader = _loader_class()(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            row = mark.line + 1 if mark is not None else None
            problem = getattr(err, "problem", None) or "invalid YAML"
            raise PlanError(path, f"invalid YAML: {problem}", row=row) from None
        if node is None:
            raise PlanError(path, "the plan file is empty")
        lines = _check_nodes(path, node)
        try:
            data = loader.construct_document(node)
        except _BadScalar as bad:
            key = next((k for k, v in lines.items() if v == bad.line), None)
            raise PlanError(path, bad.message, row=bad.line, column=key) from None
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            row = mark.line + 1 if mark is not None else None
            raise PlanError(path, f"invalid YAML: {getattr(err, 'problem', None) or err}", row=row) from None
        except (ValueError, TypeError, OverflowError) as err:
            raise PlanError(path, f"invalid YAML value ({type(err).__name__})", row=node.start_mark.line + 1) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise PlanError(path, "a plan file must be a YAML mapping (key: value) at the top", row=1)
    from .plan_schema import check_plan_keys
    check_plan_keys(data, path, lines)
    return data, lines


def _require(data: dict, key: str, plan_path: Path, lines: dict[str, int], kind: type | tuple = str):
    if key not in data or data[key] in (None, ""):
        raise PlanError(plan_path, f"missing required key '{key}'", row=1, column=key)
    value = data[key]
    if not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise PlanError(plan_path, f"'{key}' must be {name}", row=lines.get(key), column=key)
    return value


def _date(value: Any, key: str, path: Path, lines: dict[str, int]) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                pass
    raise PlanError(path, "not a date (use YYYY-MM-DD or DD.MM.YYYY)", row=lines.get(key), column=key)


def load_plan(path: str | Path) -> Plan:
    """Read and check a plan file. Raises :class:`PlanError` with file, line and key."""
    path = Path(path)
    data, lines = _read_yaml(path)
    plan_id = str(_require(data, "id", path, lines))
    if not _ID.match(plan_id):
        raise PlanError(path, "id may contain letters, digits, '-', '_' and '.' only", row=lines.get("id"), column="id")
    name = str(_require(data, "name", path, lines))
    muni = _require(data, "municipality", path, lines, dict)
    if "code" not in muni:
        raise PlanError(path, "missing key 'code'", row=lines.get("municipality"), column="municipality.code")
    code = str(muni["code"]).zfill(4)
    period = _require(data, "period", path, lines, dict)
    for key in ("start", "end"):
        if key not in period:
            raise PlanError(path, f"missing key '{key}'", row=lines.get("period"), column=f"period.{key}")
    start = _date(period["start"], "period.start", path, lines)
    end = _date(period["end"], "period.end", path, lines)
    if end < start:
        raise PlanError(path, "period.end is before period.start", row=lines.get("period.end"), column="period.end")

    parts = []
    for i, p in enumerate(data.get("parts") or []):
        if not isinstance(p, dict) or "id" not in p:
            raise PlanError(path, "each part needs an 'id'", row=lines.get(f"parts.{i}"), column=f"parts.{i}.id")
        parts.append(PlanPart(id=str(p["id"]), name=str(p.get("name", p["id"]))))
    part_ids = {p.id for p in parts}

    estates_raw = _require(data, "estates", path, lines, list)
    estates, seen = [], set()
    for i, e in enumerate(estates_raw):
        key = f"estates.{i}"
        if not isinstance(e, dict) or "id" not in e:
            raise PlanError(path, "each estate needs an 'id'", row=lines.get(key), column=f"{key}.id")
        eid = str(e["id"])
        if eid in seen:
            raise PlanError(path, f"duplicate estate id '{eid}'", row=lines.get(f"{key}.id"), column=f"{key}.id")
        seen.add(eid)
        part = e.get("part")
        if part is not None and str(part) not in part_ids:
            raise PlanError(path, f"unknown part '{part}' (not in 'parts')", row=lines.get(f"{key}.part"), column=f"{key}.part")
        start_year = e.get("start_year")
        if start_year is not None and not isinstance(start_year, int):
            raise PlanError(path, "start_year must be a year", row=lines.get(f"{key}.start_year"), column=f"{key}.start_year")
        estates.append(Estate(id=eid, name=str(e.get("name", eid)), part=None if part is None else str(part),
                              start_year=start_year))

    comparison = tuple(data.get("comparison_levels") or COMPARISON_LEVELS)
    for i, level in enumerate(comparison):
        if level not in COMPARISON_LEVELS:
            raise PlanError(path, f"unknown comparison level '{level}' (use {', '.join(COMPARISON_LEVELS)})",
                            row=lines.get(f"comparison_levels.{i}"), column=f"comparison_levels.{i}")
    comparison_estates = data.get("comparison_estates")
    if comparison_estates is not None:
        comparison_estates = [str(x) for x in comparison_estates]

    return Plan(
        id=plan_id, name=name, path=path, municipality_code=code,
        municipality_name=str(muni.get("name", f"Kommune {code}")), start=start, end=end,
        estates=estates, parts=parts, comparison_levels=comparison,
        comparison_estates=comparison_estates, focus_area=str(data.get("focus_area", "")),
        data=dict(data.get("data") or {}), raw=data, lines=lines,
    )


def list_plans(plans_dir: str | Path | None = None) -> list[Path]:
    """Plan files (``*.yaml``/``*.yml``) in ``plans_dir``, sorted by name."""
    d = Path(plans_dir) if plans_dir is not None else default_plans_dir()
    return sorted([*d.glob("*.yaml"), *d.glob("*.yml")])


def find_plan(plan_id: str, plans_dir: str | Path | None = None) -> Plan:
    """Load the plan whose ``id`` is ``plan_id`` (or whose file stem is ``plan_id``)."""
    files = list_plans(plans_dir)
    for f in files:
        if f.stem == plan_id:
            return load_plan(f)
    for f in files:
        plan = load_plan(f)
        if plan.id == plan_id:
            return plan
    d = Path(plans_dir) if plans_dir is not None else default_plans_dir()
    known = ", ".join(f.stem for f in files) or "none"
    raise PlanError(d, f"unknown plan '{plan_id}' (known: {known})", column="--plan")
