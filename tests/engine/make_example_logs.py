"""Write the bundled example logs in data/raw/logs/ (invented data, seeded; run once).

    .venv/bin/python tests/engine/make_example_logs.py

The files are example data for the Aalborg Øst plan (2017-2020, the plan period): they are
not real logs. The evaluation marks them as synthetic through the plan's ``data.synthetic``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "raw" / "logs"
ESTATES = [f"AO-0{i}" for i in range(1, 10)]
YEARS = (2017, 2018, 2019, 2020)


def write(name: str, header: list[str], rows: list[list]) -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def ssp(rng: np.random.Generator) -> None:
    # fixed yearly totals at niveau 1+2 for the whole plan (a fall of about 23 % by 2020),
    # spread over estates, quarters and the two levels at random; niveau 3-4 are noise
    level12 = {2017: 48, 2018: 44, 2019: 41, 2020: 37}
    weights = np.array([1.4, 1.0, 0.8, 1.2, 0.9, 1.3, 0.7, 1.0, 0.7])
    cell_p = np.repeat(weights, 8) * np.tile([0.6, 0.4], 36)   # estate x quarter x level(1, 2)
    rows = []
    for y in YEARS:
        counts = rng.multinomial(level12[y], cell_p / cell_p.sum()).reshape(9, 4, 2)
        for q in range(1, 5):
            for i, (e, w) in enumerate(zip(ESTATES, weights)):
                n3 = rng.poisson(0.15 * w)
                n4 = rng.poisson(0.04 * w)
                for level, n in zip((1, 2, 3, 4), (*counts[i, q - 1], n3, n4)):
                    rows.append([y, q, e, level, int(n)])
    write("ssp_sager.csv", ["År", "Kvartal", "Område", "Niveau", "Antal sager"], rows)


def meetings() -> None:
    d = dt.date
    plan = [
        # date, kind, open, holiday plan, target group identified
        (d(2017, 2, 8), "Netværksmøde", "nej", "vinterferie", "nej"),
        (d(2017, 3, 29), "Netværksmøde", "ja", "påskeferie", "ja"),
        (d(2017, 6, 7), "Netværksmøde", "nej", "sommerferie", "nej"),
        (d(2017, 9, 27), "Netværksmøde", "ja", "efterårsferie", "nej"),
        (d(2017, 11, 29), "Netværksmøde", "nej", "juleferie", "nej"),
        (d(2018, 1, 24), "Netværksmøde", "nej", "vinterferie", "nej"),
        (d(2018, 3, 28), "Netværksmøde", "ja", "påskeferie", "nej"),   # after påskeferie began: too late
        (d(2018, 5, 30), "Netværksmøde", "nej", "sommerferie", "ja"),
        (d(2018, 8, 29), "Temamøde", "nej", "", "nej"),
        (d(2018, 9, 26), "Netværksmøde", "ja", "efterårsferie", "nej"),
        (d(2018, 11, 28), "Netværksmøde", "nej", "juleferie", "nej"),
        (d(2019, 1, 30), "Netværksmøde", "nej", "vinterferie", "nej"),
        (d(2019, 3, 27), "Netværksmøde", "ja", "påskeferie", "ja"),
        (d(2019, 5, 29), "Netværksmøde", "nej", "sommerferie", "nej"),
        (d(2019, 8, 28), "Temamøde", "nej", "", "nej"),
        (d(2019, 9, 25), "Netværksmøde", "nej", "efterårsferie", "nej"),
        (d(2019, 11, 27), "Netværksmøde", "nej", "juleferie", "nej"),
        (d(2020, 1, 29), "Netværksmøde", "nej", "vinterferie", "nej"),
        (d(2020, 3, 4), "Netværksmøde", "ja", "påskeferie", "ja"),
        (d(2020, 6, 3), "Netværksmøde", "nej", "sommerferie", "nej"),
        (d(2020, 8, 26), "Temamøde", "nej", "", "nej"),
        (d(2020, 9, 30), "Netværksmøde", "ja", "efterårsferie", "nej"),
        (d(2020, 11, 25), "Netværksmøde", "nej", "juleferie", "nej"),
    ]
    rows = [[f"{m[0]:%d.%m.%Y}", *m[1:]] for m in plan]
    write("netvaerksmoeder.csv", ["Dato", "Mødetype", "Åbent møde", "Ferieplan for",
                                  "Målgruppe identificeret"], rows)


def courses(rng: np.random.Generator) -> None:
    started = {2017: 14, 2018: 21, 2019: 23, 2020: 17}
    attach_p = {2017: 0.40, 2018: 0.50, 2019: 0.60, 2020: 0.55}
    rows, no = [], 0
    for y in YEARS:
        first = dt.date(y, 2, 1) if y == 2017 else dt.date(y, 1, 5)
        days = np.sort(rng.integers(0, (dt.date(y, 12, 15) - first).days, size=started[y]))
        for k in days:
            no += 1
            contact = rng.random() < 0.85
            if contact:
                att = ("forening" if rng.random() < 0.6 else "fritidsjob") if rng.random() < attach_p[y] else "nej"
            else:
                att = ""
            rows.append([no, (first + dt.timedelta(days=int(k))).isoformat(), "ja" if contact else "nej", att])
    write("ungeforloeb.csv", ["Forløb nr.", "Startdato", "Kontakt opnået", "Tilknytning"], rows)


def events() -> None:
    rows = [
        ["2017-10-04", "Tegn på kriminalitet og radikalisering", 12],
        ["2018-10-03", "SSP-samarbejdet og underretninger", 9],
        ["2019-04-10", "Bandekonflikter og unge", 14],
        ["2019-10-09", "Ferieplaner og aktiviteter i ferier", 11],
        ["2020-09-16", "Ungdomskultur og sociale medier", 10],
    ]
    write("opkvalificering.csv", ["Dato", "Tema", "Deltagere"], rows)


def milestones() -> None:
    rows = [
        ["K3", "2018-06-14", "delvist", "Udkast til samarbejdsmodel drøftet i styregruppen (referat)"],
        ["K3", "2018-11-29", "opnået", "Samarbejdsmodel godkendt af styregruppen (referat 29.11.2018)"],
        ["K3b", "2020-10-08", "delvist", "Plan for forankring drøftet i styregruppen (referat)"],
    ]
    write("milepaele.csv", ["Kriterium", "Dato", "Status", "Dokumentation"], rows)


if __name__ == "__main__":
    rng = np.random.default_rng(20170201)
    ssp(rng)
    meetings()
    courses(rng)
    events()
    milestones()
