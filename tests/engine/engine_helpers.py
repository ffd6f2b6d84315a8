"""Shared helpers of the engine tests: the bundled plan, cells built in the test, and the
log readers (the real ones from evaluering.sources.logs, or a small private fallback)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
PLAN_FILE = ROOT / "data" / "raw" / "plans" / "aalborg-oest.yaml"
LOGS = ROOT / "data" / "raw" / "logs"
PUBLISHED = ROOT / "data" / "raw" / "published"


def plan():
    """The bundled plan's crime-prevention delaftale (the source document's), as a plan view."""
    from evaluering.plan import load_plan

    return load_plan(PLAN_FILE).for_focus_area("kriminalpraeventiv")


def whole_plan():
    """The bundled Aalborg Øst plan with all four delaftaler."""
    from evaluering.plan import load_plan

    return load_plan(PLAN_FILE)


def cell(level, area, year, measure, num, den, age="10-17", sex="all", synthetic=True):
    return {"level": level, "area": area, "year": year, "age_band": age, "sex": sex, "measure": measure,
            "numerator": num, "denominator": den, "source": "test", "synthetic": synthetic}


def cells(rows) -> pd.DataFrame:
    from evaluering.cellschema import check_cells

    return check_cells(pd.DataFrame(rows))


def raw_rows(name: str) -> list[dict]:
    """A bundled log as plain dicts (csv module): the independent view tests compare with."""
    with open(LOGS / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _fallback(kind: str, path: Path) -> pd.DataFrame:
    """Minimal private reader of the bundled ';'-separated example logs."""
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    yes = lambda s: s.str.strip().str.lower().isin(["ja", "yes", "1", "x"])  # noqa: E731
    date = lambda s: pd.to_datetime(s, dayfirst=True, format="mixed")  # noqa: E731
    if kind == "ssp":
        return pd.DataFrame({"year": df["År"].astype(int), "quarter": df["Kvartal"].astype(int),
                             "area": df["Område"], "level": df["Niveau"].astype(int),
                             "cases": df["Antal sager"].astype(int)})
    if kind == "meetings":
        return pd.DataFrame({"date": date(df["Dato"]), "kind": df["Mødetype"], "open": yes(df["Åbent møde"]),
                             "holiday_plan_for": df["Ferieplan for"].replace("", None),
                             "target_group_identified": yes(df["Målgruppe identificeret"])})
    if kind == "courses":
        return pd.DataFrame({"course_no": df["Forløb nr."].astype(int), "start_date": date(df["Startdato"]),
                             "contact": yes(df["Kontakt opnået"]),
                             "attachment": df["Tilknytning"].replace("", "nej")})
    if kind == "events":
        return pd.DataFrame({"date": date(df["Dato"]), "theme": df["Tema"],
                             "participants": df["Deltagere"].astype(int)})
    return pd.DataFrame({"criterion": df["Kriterium"], "date": date(df["Dato"]), "status": df["Status"],
                         "evidence": df["Dokumentation"]})


FILES = {"ssp": "ssp_sager.csv", "meetings": "netvaerksmoeder.csv", "courses": "ungeforloeb.csv",
         "events": "opkvalificering.csv", "milestones": "milepaele.csv"}


def example_logs(p=None) -> dict[str, pd.DataFrame]:
    """The bundled example logs as tidy frames."""
    try:
        from evaluering.sources import logs as readers
    except ImportError:  # the readers are another engineer's module
        return {k: _fallback(k, LOGS / f) for k, f in FILES.items()}
    fn = {"ssp": readers.read_ssp, "meetings": readers.read_meetings, "courses": readers.read_courses,
          "events": readers.read_events, "milestones": readers.read_milestones}
    return {k: fn[k](LOGS / f, plan=p) for k, f in FILES.items()}
