"""The declared keys of a plan file (``domain/plan_schema.yaml``) and the check of a plan
file against them: unknown keys (with the nearest valid key suggested), wrong types,
missing required keys, values outside a key's choices, and numbers that are not finite.

The declaration is data: to allow a new key, add it to ``domain/plan_schema.yaml``.

>>> import pathlib
>>> try:
...     check_plan_keys({"budgett": {}}, pathlib.Path("p.yaml"), {"budgett": 7}, required=False)
... except Exception as err:
...     print(err.message)
unknown key 'budgett'; did you mean 'budget'?
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import PlanError

__all__ = ["plan_schema", "check_plan_keys", "suggest"]

_SCHEMA_FILE = Path(__file__).with_name("domain") / "plan_schema.yaml"
_TYPE_NAMES = {"str": "text", "int": "a whole number", "number": "a number", "date": "a date (YYYY-MM-DD)",
               "bool": "true or false", "map": "a mapping (key: value)", "list": "a list", "any": "a value"}


@lru_cache(maxsize=1)
def plan_schema() -> dict[str, Any]:
    """The declaration: ``{"plan": node, "definitions": {name: node}}``."""
    import yaml

    return yaml.safe_load(_SCHEMA_FILE.read_text(encoding="utf-8"))


def suggest(word: str, candidates) -> str | None:
    """The nearest candidate of a misspelt key (difflib), or None.

    >>> suggest("budgett", ["budget", "criteria"]), suggest("zzz", ["budget"])
    ('budget', None)
    """
    got = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return got[0] if got else None


def _is(value: Any, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "date":
        return isinstance(value, dt.date)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "map":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    raise ValueError(f"unknown type {kind!r} in plan_schema.yaml")  # pragma: no cover


_GROUPED = re.compile(r"^-?\d{1,3}([.,  ]\d{3})+([.,]\d+)?$")


def nearest_line(lines: dict[str, int], key_path: str) -> int | None:
    """The line of a dotted key path in ``lines``, or of its nearest parent that has one.

    >>> nearest_line({"criteria": 4, "criteria.0": 5}, "criteria.0.target")
    5
    """
    parts = key_path.split(".")
    while parts:
        got = lines.get(".".join(parts))
        if got is not None:
            return got
        parts.pop()
    return None


class _Checker:
    def __init__(self, path: Path, lines: dict[str, int], definitions: dict[str, Any]):
        self.path, self.lines, self.definitions = path, lines, definitions

    def line(self, key_path: str) -> int | None:
        return nearest_line(self.lines, key_path) or 1

    def fail(self, key_path: str, message: str) -> None:
        raise PlanError(self.path, message, row=self.line(key_path), column=key_path or None)

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "ref" in node:
            node = {**self.definitions[node["ref"]], **{k: v for k, v in node.items() if k != "ref"}}
        return node

    def check(self, value: Any, node: dict[str, Any], key_path: str) -> None:
        node = self.resolve(node)
        types = node.get("type", "any")
        types = [types] if isinstance(types, str) else list(types)
        parts = key_path.split(".")
        while len(parts) > 1 and parts[-1].isdigit():   # a list item is named by its list
            parts.pop()
        name = parts[-1]
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(key_path, f"'{name}' must be a finite number (not .inf or .nan)")
        if value is None:
            return     # an empty value: the owning module decides whether it is needed
        if not any(_is(value, t) for t in types):
            what = " or ".join(_TYPE_NAMES[t] for t in types)
            if "number" in types or "int" in types:
                if isinstance(value, str) and _GROUPED.match(value.strip()):
                    digits = re.sub(r"[.,  ]", "", value.strip())
                    self.fail(key_path, f"'{name}' must be {what}; write {digits} without thousands "
                              "separators")
                if "int" in types and isinstance(value, float):
                    self.fail(key_path, f"'{name}' must be {what}, not a decimal number")
            self.fail(key_path, f"'{name}' must be {what}")
        if "choices" in node and not isinstance(value, (dict, list)) and value not in node["choices"]:
            self.fail(key_path, f"unknown {name} '{value}' (use {', '.join(map(str, node['choices']))})")
        if isinstance(value, dict):
            keys = node.get("keys")
            values = node.get("values")
            if keys is not None:
                for k, v in value.items():
                    sub = f"{key_path}.{k}" if key_path else str(k)
                    if k not in keys:
                        near = suggest(str(k), keys)
                        hint = f"; did you mean '{near}'?" if near else f" (valid keys here: {', '.join(keys)})"
                        self.fail(sub, f"unknown key '{k}'{hint}")
                    self.check(v, keys[k], sub)
                for k, spec in keys.items():
                    if self.resolve(spec).get("required") and value.get(k) in (None, ""):
                        where = f"{key_path}.{k}" if key_path else k
                        msg = f"missing required key '{k}'"
                        raise PlanError(self.path, msg, row=self.line(key_path) if key_path else 1, column=where)
            elif values is not None:
                for k, v in value.items():
                    self.check(v, values, f"{key_path}.{k}" if key_path else str(k))
            else:
                self._finite(value, key_path)
        elif isinstance(value, list):
            items = node.get("items")
            for i, v in enumerate(value):
                sub = f"{key_path}.{i}"
                if items is not None:
                    self.check(v, items, sub)
                else:
                    self._finite(v, sub)

    def _finite(self, value: Any, key_path: str) -> None:
        """No infinite number anywhere below a free-form value."""
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(key_path, f"'{key_path.rsplit('.', 1)[-1]}' must be a finite number (not .inf or .nan)")
        if isinstance(value, dict):
            for k, v in value.items():
                self._finite(v, f"{key_path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._finite(v, f"{key_path}.{i}")


def check_plan_keys(data: dict[str, Any], path: Path, lines: dict[str, int], required: bool = True) -> None:
    """Check a plan file's mapping against the declaration; raise :class:`PlanError` at the
    first problem (file, line, dotted key path). ``required=False`` skips missing keys of the
    top level (for a partial plan)."""
    schema = plan_schema()
    node = dict(schema["plan"])
    if not required:
        node["keys"] = {k: {**v, "required": False} for k, v in node["keys"].items()}
    _Checker(Path(path), lines, schema.get("definitions", {})).check(data, node, "")
