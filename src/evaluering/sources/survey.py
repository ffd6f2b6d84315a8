"""Reader of a beboerundersøgelse (resident survey) in the LBF/VIVE style: one row per year,
area and question with the number of answers and the number of positive answers (or the
positive share in percent). Danish headers in, tidy columns out; the answers become count
cells (``survey_<indicator>``, age band ``18+``), so the survey indicators of the catalogue
(tryghed, sammenhængskraft, tillid, tilfredshed) get exact binomial sampling-error intervals
like every other share.

Headers: ``År``, ``Område`` (estate, helhedsplan part or plan id), ``Spørgsmål`` (indicator
id or its Danish name: Tryghed, Sammenhængskraft, Tillid, Tilfredshed), ``Antal svar``,
``Antal positive`` or ``Andel positive (%)``.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
>>> _ = p.write_text("År;Område;Spørgsmål;Antal svar;Antal positive\\n2019;p;Tryghed;200;150\\n",
...                  encoding="utf-8")
>>> read_survey(p)[["year", "area", "indicator", "respondents", "positive"]].values.tolist()
[[2019, 'p', 'tryghed', 200, 150]]
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .schema import Column, Schema, read_table

__all__ = ["SURVEY", "SURVEY_INDICATORS", "read_survey", "survey_cells"]

#: survey question -> catalogue indicator (the cells' measure is ``survey_<indicator>``)
SURVEY_INDICATORS = {"tryghed": "tryghed", "tryg": "tryghed", "sammenhængskraft": "sammenhaengskraft",
                     "sammenhaengskraft": "sammenhaengskraft", "sammenhold": "sammenhaengskraft",
                     "tillid": "tillid", "tilfredshed": "tilfredshed", "tilfreds": "tilfredshed"}


def _check(frame, ctx) -> None:
    nan = [math.nan] * len(frame)
    positive = frame["positive"] if "positive" in frame.columns else nan
    shares = frame["positive_pct"] if "positive_pct" in frame.columns else nan
    for i, (n, k, share) in enumerate(zip(frame["respondents"], positive, shares)):
        if k == k and k is not None and n == n and k > n:
            ctx.add(i, "positive", "more positive answers than answers")
        if (k is None or k != k or k is pd.NA) and (share is None or share != share or share is pd.NA):
            ctx.add(i, "positive", "give Antal positive or Andel positive (%)")


SURVEY = Schema(
    "survey",
    [
        Column("year", "År", "int", aliases=("Aar", "Year"), min=1990, max=2100),
        Column("area", "Område", "text", aliases=("Omraade", "Afdeling", "Boligområde")),
        Column("question", "Spørgsmål", "choice", aliases=("Indikator", "Spoergsmaal"),
               choices=SURVEY_INDICATORS),
        Column("respondents", "Antal svar", "int", aliases=("Svar", "Besvarelser"), min=1,
               min_message="a question needs at least one answer"),
        Column("positive", "Antal positive", "int", aliases=("Positive",), required=False, optional=True, min=0),
        Column("positive_pct", "Andel positive (%)", "float", aliases=("Andel positive", "Andel (%)"),
               required=False, optional=True, min=0, max=100),
    ],
    key=("year", "area", "question"),
    checks=[_check],
    description="beboerundersøgelse (LBF/VIVE-format)",
)


def read_survey(path: str | Path) -> pd.DataFrame:
    """The survey as ``year, area, indicator, respondents, positive``; a share in percent
    is turned into a count (rounded) with the number of answers."""
    frame = read_table(path, SURVEY)
    for col in ("positive", "positive_pct"):
        if col not in frame.columns:
            frame[col] = math.nan
    pos = []
    for k, share, n in zip(frame["positive"], frame["positive_pct"], frame["respondents"]):
        known = k is not None and k is not pd.NA and k == k
        pos.append(int(k) if known else int(round(float(share) * int(n) / 100)))
    out = pd.DataFrame({"year": frame["year"].astype(int), "area": frame["area"].astype(str),
                        "indicator": frame["question"].astype(str),
                        "respondents": frame["respondents"].astype(int), "positive": pos})
    out.attrs["path"] = str(path)
    return out


def survey_cells(survey: pd.DataFrame, plan, synthetic: bool = False,
                 source: str = "Beboerundersøgelse") -> pd.DataFrame:
    """Count cells of the survey: ``numerator`` positive answers, ``denominator`` answers,
    at the level of each row's area (estate, plan_part or plan of ``plan``)."""
    from ..cellschema import DTYPES, check_cells, empty_cells

    if survey is None or survey.empty:
        return empty_cells()
    level_of = {plan.id: "plan", **{p.id: "plan_part" for p in plan.parts}, **{e.id: "estate" for e in plan.estates}}
    rows = []
    for r in survey.itertuples(index=False):
        level = level_of.get(r.area)
        if level is None:
            raise InputError(survey.attrs.get("path", "survey"), "unknown area (not an estate, part or plan id "
                             f"of plan '{plan.id}')", column="Område")
        rows.append({"level": level, "area": r.area, "year": int(r.year), "age_band": "18+", "sex": "all",
                     "measure": f"survey_{r.indicator}", "numerator": int(r.positive),
                     "denominator": int(r.respondents), "source": source, "synthetic": bool(synthetic)})
    cells = pd.DataFrame({c: pd.array([row[c] for row in rows], dtype=DTYPES[c]) for c in DTYPES})
    return check_cells(cells, "survey")
