"""The estate map (boligafdeling -> helhedsplan -> plan part -> kommune): read and check.

Read with the same checked table reader as every other input
(:func:`evaluering.sources.schema.parse_table`; CSV in UTF-8 or cp1252, ``;`` or ``,``,
Excel, Parquet or SAS7BDAT), so that ``evaluering validate`` and ``evaluering cells`` accept
and refuse the same files with the same ``file:row:column: message``.

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
from ..sources.schema import Column, Schema

__all__ = ["read_estates", "ESTATES"]


def _check_estates(frame, ctx) -> None:
    """plan_part needs a plan_id; a plan part belongs to one plan."""
    owner: dict[str, str] = {}
    for i, (plan, part) in enumerate(zip(frame["plan_id"], frame["plan_part"])):
        if pd.isna(part):
            continue
        if pd.isna(plan):
            ctx.add(i, "plan_part", "plan_part given without plan_id")
            continue
        if owner.setdefault(str(part), str(plan)) != str(plan):
            ctx.add(i, "plan_part", "a plan part belongs to two plans (plan_part ids must be unique)")


#: the estate map's columns (headers case-insensitive; extra columns are ignored)
ESTATES = Schema(
    "estates",
    [
        Column("estate_id", "estate_id", "text"),
        Column("plan_id", "plan_id", "text", required=False),
        Column("plan_part", "plan_part", "text", required=False, optional=True),
        Column("municipality", "municipality", "text", required=False, optional=True),
        Column("start_year", "start_year", "int", required=False, optional=True, min=1980, max=2100,
               min_message="start_year must be a year", max_message="start_year must be a year"),
    ],
    key=("estate_id",),
    allow_extra=True,
    checks=[_check_estates],
    description="estate map",
)


def _raw(path: Path):
    from ..sources.tables import _raw_any, raw_from_frame
    from .schema import input_format

    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _raw_any(path)
    fmt = input_format(path)
    if fmt == "sas7bdat":
        import pyreadstat
        try:
            df, _ = pyreadstat.read_sas7bdat(str(path))
        except Exception as err:
            raise InputError(path, f"cannot read the SAS file ({type(err).__name__})") from None
        return raw_from_frame(path, df)
    return _raw_any(path)


def read_estates(path: str | Path, collect: bool = False) -> pd.DataFrame:
    """Read the estate map; columns ``estate_id, plan_id, plan_part, municipality, start_year``."""
    from ..sources.schema import parse_table

    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    frame = parse_table(_raw(path), ESTATES, collect=collect)
    out = pd.DataFrame(index=range(len(frame)))
    for c in ("estate_id", "plan_id", "plan_part", "municipality"):
        s = frame[c].astype("string").str.strip() if c in frame.columns else pd.Series(pd.NA, index=out.index,
                                                                                          dtype="string")
        out[c] = s.mask(s == "").to_numpy()
        out[c] = out[c].astype("string")
    out["start_year"] = (frame["start_year"].astype("Int64") if "start_year" in frame.columns
                         else pd.array([pd.NA] * len(frame), dtype="Int64"))
    out.attrs["lines"] = frame.attrs.get("lines", [])
    return out.reset_index(drop=True)
