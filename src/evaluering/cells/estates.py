"""The estate map (boligafdeling -> helhedsplan -> plan part -> kommune): read and check.

>>> import io, tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "estates.csv"
>>> _ = f.write_text("estate_id,plan_id,plan_part,municipality\\nA,P,p1,0851\\nB,,,0101\\n")
>>> read_estates(f)["plan_id"].tolist()
['P', <NA>]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .inputs import csv_delimiter
from .schema import ESTATE_COLUMNS, ESTATE_REQUIRED, input_format, resolve_columns

__all__ = ["read_estates"]


def read_estates(path: str | Path) -> pd.DataFrame:
    """Read the estate map; columns ``estate_id, plan_id, plan_part, municipality, start_year``."""
    path = Path(path)
    fmt = input_format(path)
    if not path.exists():
        raise InputError(path, "file not found")
    first_row = 2 if fmt == "csv" else 1
    if fmt == "csv":
        df = pd.read_csv(path, sep=csv_delimiter(path), dtype=str, keep_default_na=False,
                         na_values=[""], encoding="utf-8-sig")
    elif fmt == "parquet":
        df = pd.read_parquet(path)
    else:
        import pyreadstat

        df, _ = pyreadstat.read_sas7bdat(str(path))
    cols = resolve_columns(path, list(df.columns), ESTATE_COLUMNS, ESTATE_REQUIRED)
    out = pd.DataFrame({k: df[v] for k, v in cols.items()})
    for c in ("estate_id", "plan_id", "plan_part", "municipality"):
        if c not in out:
            out[c] = pd.NA
        s = out[c].astype("string").str.strip()
        out[c] = s.mask(s == "")
    if "start_year" in out:
        num = pd.to_numeric(out["start_year"], errors="coerce")
        bad = out["start_year"].notna() & (num.isna() | (num != num.round()))
        bad &= out["start_year"].astype("string").str.strip() != ""
        if bad.any():
            raise InputError(path, "start_year must be a year", row=first_row + int(bad.to_numpy().argmax()),
                             column=cols["start_year"])
        out["start_year"] = num.astype("Int64")
    else:
        out["start_year"] = pd.array([pd.NA] * len(out), dtype="Int64")
    miss = out["estate_id"].isna()
    if miss.any():
        raise InputError(path, "estate id missing", row=first_row + int(miss.to_numpy().argmax()), column=cols["estate_id"])
    dup = out["estate_id"].duplicated()
    if dup.any():
        raise InputError(path, "estate id listed twice", row=first_row + int(dup.to_numpy().argmax()), column=cols["estate_id"])
    part_no_plan = out["plan_part"].notna() & out["plan_id"].isna()
    if part_no_plan.any():
        raise InputError(path, "plan_part given without plan_id", row=first_row + int(part_no_plan.to_numpy().argmax()),
                         column=cols.get("plan_part", "plan_part"))
    parts = out.dropna(subset=["plan_part"])
    clash = parts.groupby("plan_part")["plan_id"].transform("nunique") > 1
    if clash.any():
        i = clash[clash].index[0]
        raise InputError(path, "a plan part belongs to two plans (plan_part ids must be unique)",
                         row=first_row + int(i), column=cols.get("plan_part", "plan_part"))
    return out[list(ESTATE_COLUMNS)].reset_index(drop=True)
