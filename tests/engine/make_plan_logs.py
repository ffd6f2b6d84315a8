"""Write the invented example logs and surveys of the bundled plans' example delaftaler
(seeded; run from the project root: python tests/engine/make_plan_logs.py). Every file is
invented data that shows the format, marked so in data/raw/logs/README.md."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dates(rng, year_from, year_to, per_year, start=None):
    out = []
    for y in range(year_from, year_to + 1):
        for _ in range(per_year + rng.randint(-2, 2)):
            d = dt.date(y, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            if start is None or d >= start:
                out.append(d)
    return sorted(set(out))


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [";".join(header)] + [";".join(str(x) for x in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def events_log(path, rng, years, start, per_year=11):
    rows = []
    for d in _dates(rng, *years, per_year, start):
        rows.append([d.strftime("%d.%m.%Y"), rng.choice(["Fællesspisning", "Gårdfest", "Loppemarked", "Ren by-dag",
                                                           "Beboercafé", "Udflugt"]) + f" {d:%m-%d}",
                     rng.randint(12, 60), rng.randint(1, 8)])
    _write(path, ["Dato", "Arrangement", "Deltagere", "Frivillige"], rows)


def courses_log(path, rng, years, start, per_year, p_done, header_done):
    rows = []
    for i, d in enumerate(_dates(rng, *years, per_year, start), start=1):
        rows.append([i, d.strftime("%d.%m.%Y"), "ja" if rng.random() < p_done else "nej"])
    _write(path, ["Forløb nr.", "Startdato", header_done], rows)


def sessions_log(path, rng, years, start, per_year=40):
    rows = [[d.strftime("%d.%m.%Y"), rng.randint(4, 25)] for d in _dates(rng, *years, per_year, start)]
    _write(path, ["Dato", "Deltagere"], rows)


def survey(path, rng, area, years, base):
    rows = []
    for k, y in enumerate(years):
        for q, p in base.items():
            n = rng.randint(180, 260)
            rows.append([y, area, q, n, round(n * (p + 0.02 * k + rng.uniform(-0.02, 0.02)))])
    _write(path, ["År", "Område", "Spørgsmål", "Antal svar", "Antal positive"], rows)


def main() -> None:
    logs = ROOT / "data" / "raw" / "logs"
    rng = random.Random(20170201)
    ao = dt.date(2017, 2, 1)
    events_log(logs / "aalborg-oest" / "beboerarrangementer.csv", rng, (2017, 2020), ao)
    courses_log(logs / "aalborg-oest" / "jobforloeb.csv", rng, (2017, 2020), ao, 31, 0.42,
                "Afsluttet med job eller uddannelse")
    courses_log(logs / "aalborg-oest" / "foraeldreforloeb.csv", rng, (2017, 2020), ao, 15, 0.68, "Gennemført")
    hs = dt.date(2017, 1, 1)
    events_log(logs / "hvidovre-syd" / "beboerarrangementer.csv", rng, (2017, 2020), hs, per_year=9)
    courses_log(logs / "hvidovre-syd" / "jobforloeb.csv", rng, (2017, 2020), hs, 24, 0.45,
                "Afsluttet med job eller uddannelse")
    kn = dt.date(2020, 1, 1)
    sessions_log(logs / "kolding-nord" / "lektiecafe.csv", rng, (2020, 2023), kn)
    courses_log(logs / "kolding-nord" / "jobforloeb.csv", rng, (2020, 2023), kn, 26, 0.38,
                "Afsluttet med job eller uddannelse")
    surveys = ROOT / "data" / "raw" / "surveys"
    survey(surveys / "aalborg-oest.csv", rng, "aalborg-oest", (2016, 2018, 2020),
           {"Tryghed": 0.66, "Tilfredshed": 0.72})
    survey(surveys / "hvidovre-syd.csv", rng, "hvidovre-syd", (2016, 2018, 2020),
           {"Tryghed": 0.70, "Tilfredshed": 0.75})


if __name__ == "__main__":
    main()
