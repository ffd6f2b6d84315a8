"""The release record (ledger): what every earlier output published or suppressed.

One CSV per project and plans folder, ``data/processed/released/<folder>/ledger.csv`` (the
bundled plans: ``data/processed/released/data_raw_plans/``), one row per released cell:

``indicator, level, area, period, role, value, reason, release_year``

* ``indicator``: the indicator id, or ``activity.<metric>`` for an activity-log count;
* ``level, area``: the area (a plan part is ``<plan>/<part>``); ``period``: a year (``2020``)
  or a span (``2017-2020`` for a period total);
* ``role``: ``numerator``, ``denominator`` or ``count``;
* ``value``: the published value (empty when suppressed); ``reason``: ``< 3`` or
  ``diskretioneret`` when suppressed (never a suppressed value);
* ``release_year``: the report year of the release that first decided the cell.

A later release (next year's report, another plan, another command) reads it first: a cell it
published stays published (the attacker knows it), a cell it suppressed stays suppressed. Next
to it ``releases.json`` records, per report year, the digest of the inputs the release was
computed from, so that the reports of a batch reuse one release. Reset: delete the folder
(``rm -r data/processed/released``, or one plans folder's subfolder); the next output starts a
new record.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> led = Ledger(d)
>>> led.update([{"indicator": "x", "level": "plan", "area": "p", "period": "2020", "role": "numerator",
...              "value": None, "reason": "< 3", "release_year": 2020}])
>>> led.save(); Ledger(d).lookup()[("x", "plan", "p", "2020", "numerator")]["reason"]
'< 3'
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

__all__ = ["Ledger", "LEDGER_COLUMNS", "KEY_COLUMNS", "default_release_dir", "RELEASE_DIR"]

#: where the record lives, relative to the project root
RELEASE_DIR = "data/processed/released"
KEY_COLUMNS = ("indicator", "level", "area", "period", "role")
LEDGER_COLUMNS = (*KEY_COLUMNS, "value", "reason", "release_year")


def default_release_dir(root=None, plans_dir=None) -> Path:
    """The record's folder: ``data/processed/released/<plans folder>`` of the project (``root``,
    else the project root). Plans folders publish from their own data, so each keeps its own
    record; a folder inside the project is named by its path (``data_raw_plans``), one outside
    by a hash of it.

    >>> default_release_dir("/p", "/p/data/raw/plans").as_posix()
    '/p/data/processed/released/data_raw_plans'
    """
    import hashlib

    from ..plan import project_root

    root = Path(root if root is not None else project_root())
    base = root / RELEASE_DIR
    if plans_dir is None:
        return base
    plans = Path(plans_dir)
    plans = plans if plans.is_absolute() else root / plans
    try:
        slug = plans.resolve().relative_to(root.resolve()).as_posix().replace("/", "_") or "root"
    except ValueError:
        slug = "ext-" + hashlib.sha256(plans.resolve().as_posix().encode()).hexdigest()[:12]
    return base / slug


class Ledger:
    """The persistent release record in one folder (see the module docstring)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder / "ledger.csv"
        self.meta_path = self.folder / "releases.json"
        if self.path.is_file():
            df = pd.read_csv(self.path, dtype={c: str for c in KEY_COLUMNS} | {"reason": str},
                             keep_default_na=False, na_values={"value": [""]})
            df["reason"] = df["reason"].where(df["reason"] != "", None)
        else:
            df = pd.DataFrame(columns=list(LEDGER_COLUMNS))
        self.frame = df
        self.meta = json.loads(self.meta_path.read_text(encoding="utf-8")) if self.meta_path.is_file() else {}

    def lookup(self) -> dict[tuple, dict]:
        """``{key: {"value", "reason", "release_year"}}``."""
        out = {}
        for r in self.frame.to_dict("records"):
            out[tuple(str(r[c]) for c in KEY_COLUMNS)] = r
        return out

    def update(self, rows) -> None:
        """Add rows of cells not yet recorded (a recorded cell keeps its first decision)."""
        new = pd.DataFrame(list(rows), columns=list(LEDGER_COLUMNS))
        if new.empty:
            return
        have = set(self.lookup())
        keys = [tuple(str(x) for x in k) for k in new[list(KEY_COLUMNS)].itertuples(index=False)]
        new = new[[k not in have for k in keys]]
        frame = pd.concat([self.frame, new], ignore_index=True) if len(self.frame) else new
        self.frame = frame.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)

    def digest_of(self, year: int) -> str | None:
        """The input digest the release of ``year`` was computed from (None: never released)."""
        return (self.meta.get(str(int(year))) or {}).get("digest")

    def set_digest(self, year: int, digest: str, **info) -> None:
        self.meta[str(int(year))] = {"digest": digest, **info}

    def save(self) -> None:
        """Write the ledger and the release digests atomically."""
        from ..atomic import write_text

        self.folder.mkdir(parents=True, exist_ok=True)
        out = self.frame.copy()
        out["value"] = [("" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v))))
                        for v in out["value"]]
        out["reason"] = out["reason"].fillna("")
        write_text(self.path, out[list(LEDGER_COLUMNS)].to_csv(index=False))
        write_text(self.meta_path, json.dumps(self.meta, indent=1, sort_keys=True) + "\n")
