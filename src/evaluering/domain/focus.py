"""Focus areas (indsatsområder) as data: one YAML file per area in ``domain/focus_areas/``.

A focus-area file declares what a delaftale of that area is evaluated by: the indicators a
report shows, the effect outcome, the Danish texts, the StatBank recipes and LBF indicator
numbers that feed its indicators, its own indicators (same keys as the catalogue) and the
log kinds its activities are measured in (with their Danish headers). Nothing about an area
is written in Python: adding a fifth area is one more file (in ``domain/focus_areas/`` or in
a ``focus_areas/`` folder next to the plan files).

>>> areas = load_focus_areas()
>>> areas["kriminalpraeventiv_indsats"].effect_outcome["indicator"]
'andel_sigtede_10_17'
>>> find_focus_area("Uddannelse og livschancer").period
'2019-26'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import DOMAIN_DIR

__all__ = ["FocusArea", "LogKind", "load_focus_areas", "find_focus_area", "FOCUS_AREAS_DIR",
           "BUILTIN_LOG_KINDS", "log_schema", "PERIODS"]

FOCUS_AREAS_DIR = DOMAIN_DIR / "focus_areas"
PERIODS = ("2015-18", "2019-26")
#: log kinds whose readers (with their own checks) are in evaluering.sources.logs
BUILTIN_LOG_KINDS = ("ssp", "meetings", "courses", "events", "milestones")
_COLUMN_KINDS = ("int", "float", "date", "bool", "text")
_KEYS = {"id", "name_da", "period", "aliases", "description_da", "indicators", "shown_indicators",
         "effect_outcome", "texts", "statbank", "lbf", "log_kinds", "example"}


@dataclass(frozen=True)
class LogKind:
    """One kind of local log: where the plan names its file (``data_key``), its Danish
    name and headers; ``columns`` declares a log read without Python (``builtin`` False)."""

    id: str
    label_da: str
    data_key: str
    headers_da: tuple[str, ...] = ()
    builtin: bool = True
    columns: tuple[dict, ...] = ()
    date_column: str = "date"


@dataclass(frozen=True)
class FocusArea:
    """One indsatsområde (read-only; see the module docstring)."""

    id: str
    name_da: str
    period: str
    path: Path
    aliases: tuple[str, ...] = ()
    description_da: str = ""
    shown_indicators: tuple[str, ...] = ()
    indicators_spec: dict = field(default_factory=dict, hash=False, compare=False)
    effect_outcome: dict = field(default_factory=dict, hash=False, compare=False)
    texts: dict = field(default_factory=dict, hash=False, compare=False)
    statbank: tuple[dict, ...] = ()
    lbf: dict = field(default_factory=dict, hash=False, compare=False)
    log_kinds: tuple[LogKind, ...] = ()

    def text(self, key: str, default: str = "") -> str:
        """A Danish text of the area (``intro``, ``sources``, ``moving_caveat``, ...)."""
        return str(self.texts.get(key, default) or default)

    def matches(self, name: str) -> bool:
        """True when ``name`` is the area's id, Danish name or an alias (case and å/aa alike)."""
        want = _fold(name)
        return want in {_fold(self.id), _fold(self.name_da), *(_fold(a) for a in self.aliases)}


def _fold(text: Any) -> str:
    return " ".join(str(text).lower().replace("aa", "å").replace("_", " ").replace("-", " ").split())


def _fail(path: Path, message: str, key: str = "", line: int | None = None):
    from ..errors import InputError

    raise InputError(path, message, row=line, column=key or None)


def _log_kind(path: Path, kind_id: str, spec: Any) -> LogKind:
    if not isinstance(spec, dict):
        _fail(path, "a log kind must be a mapping", f"log_kinds.{kind_id}")
    builtin = kind_id in BUILTIN_LOG_KINDS
    columns = tuple(spec.get("columns") or ())
    if not builtin:
        if not columns:
            _fail(path, f"log kind '{kind_id}' is not built in: give its 'columns'", f"log_kinds.{kind_id}.columns")
        for i, c in enumerate(columns):
            where = f"log_kinds.{kind_id}.columns.{i}"
            if not isinstance(c, dict) or not c.get("name") or not c.get("header_da"):
                _fail(path, "each column needs 'name' and 'header_da'", where)
            if c.get("type", "text") not in _COLUMN_KINDS:
                _fail(path, f"column type must be one of {', '.join(_COLUMN_KINDS)}", f"{where}.type")
    headers = tuple(str(h) for h in (spec.get("headers_da") or [c["header_da"] for c in columns]))
    date_column = str(spec.get("date_column", "date"))
    if not builtin and date_column not in {c["name"] for c in columns}:
        _fail(path, f"date_column '{date_column}' is not one of the columns", f"log_kinds.{kind_id}.date_column")
    return LogKind(id=kind_id, label_da=str(spec.get("label_da", kind_id)),
                   data_key=str(spec.get("data_key", f"{kind_id}_log")), headers_da=headers,
                   builtin=builtin, columns=columns, date_column=date_column)


def read_focus_area(path: str | Path) -> FocusArea:
    """Read and check one focus-area file."""
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        _fail(path, f"invalid YAML: {getattr(err, 'problem', None) or err}", line=mark.line + 1 if mark else None)
    if not isinstance(raw, dict):
        _fail(path, "a focus-area file must be a YAML mapping", line=1)
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        _fail(path, f"unknown key '{unknown[0]}' (known: {', '.join(sorted(_KEYS))})", unknown[0])
    for key in ("id", "name_da", "period"):
        if not raw.get(key):
            _fail(path, f"missing required key '{key}'", key)
    if str(raw["period"]) not in PERIODS and not raw.get("example"):
        _fail(path, f"period must be one of {', '.join(PERIODS)}", "period")
    shown = raw.get("shown_indicators") or []
    own = raw.get("indicators") or {}
    if not isinstance(own, dict):
        _fail(path, "'indicators' must be a mapping: id -> definition (like the catalogue)", "indicators")
    effect = dict(raw.get("effect_outcome") or {})
    if effect and not effect.get("indicator"):
        _fail(path, "effect_outcome needs 'indicator'", "effect_outcome.indicator")
    kinds = tuple(_log_kind(path, str(k), v) for k, v in (raw.get("log_kinds") or {}).items())
    return FocusArea(
        id=str(raw["id"]), name_da=str(raw["name_da"]), period=str(raw["period"]), path=path,
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        description_da=str(raw.get("description_da", "") or "").strip(),
        shown_indicators=tuple(str(i) for i in shown), indicators_spec=dict(own),
        effect_outcome=effect, texts={str(k): str(v).strip() for k, v in (raw.get("texts") or {}).items()},
        statbank=tuple(dict(r) for r in raw.get("statbank") or ()),
        lbf={str(k).lower(): str(v) for k, v in (raw.get("lbf") or {}).items()}, log_kinds=kinds)


@lru_cache(maxsize=16)
def _load_dir(directory: str) -> tuple[FocusArea, ...]:
    d = Path(directory)
    return tuple(read_focus_area(f) for f in sorted(d.glob("*.yaml"))) if d.is_dir() else ()


def load_focus_areas(*extra_dirs: str | Path) -> dict[str, FocusArea]:
    """The built-in focus areas plus those of ``extra_dirs`` (later files win by id)."""
    out: dict[str, FocusArea] = {}
    for d in (FOCUS_AREAS_DIR, *extra_dirs):
        for area in _load_dir(str(Path(d).resolve())):
            out[area.id] = area
    return out


def find_focus_area(name: str, *extra_dirs: str | Path) -> FocusArea:
    """The focus area whose id, Danish name or alias is ``name``; ``KeyError`` names the known."""
    areas = load_focus_areas(*extra_dirs)
    for area in areas.values():
        if area.matches(name):
            return area
    raise KeyError(f"unknown focus area '{name}' (known: {', '.join(a.name_da for a in areas.values())})")


def log_schema(kind: LogKind):
    """The :class:`~evaluering.sources.schema.Schema` of a declared (not built-in) log kind.

    >>> k = LogKind("lektiecafe", "Lektiecafé", "lektiecafe_log", builtin=False,
    ...             columns=({"name": "date", "header_da": "Dato", "type": "date"},
    ...                      {"name": "participants", "header_da": "Deltagere", "type": "int"}))
    >>> [c.header for c in log_schema(k).columns]
    ['Dato', 'Deltagere']
    """
    from ..sources.schema import Column, Schema

    cols = []
    for c in kind.columns:
        ctype = c.get("type", "text")
        extra: dict[str, Any] = {}
        if ctype in ("int", "float") and c.get("min", 0) is not None:
            extra = {"min": c.get("min", 0), "min_message": "negative number"}
        cols.append(Column(str(c["name"]), str(c["header_da"]), ctype,
                           aliases=tuple(str(a) for a in c.get("aliases") or ()),
                           required=bool(c.get("required", True)), **extra))
    return Schema(kind.id, cols, description=kind.label_da)
