"""Writes the LBF test fixtures of tests/data/lbf/ (run once; the files are kept in git).

The layout imitates a Landsbyggefonden Boligsociale Data export (title lines, then a header
row). The numbers are those PRINTED in the delaftale's table on indicator 6 (share of
10-17-year-olds charged, %, 2012-2015, and 24 persons in 2015): see
data/raw/published/andel_sigtede_10_17.csv. The estate rows hold suppression markers only.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
TITLE = "Boligsociale Data – Indikator 6: Andel 10-17-årige sigtet mindst én gang (%)"
PRINTED = {
    ("Helhedsplansområde", "aalborg-oest", "Helhedsplansområder Aalborg Øst"): [2.7, 2.5, 4.0, 4.2],
    ("Kommune", 851, "Aalborg Kommune"): [1.1, 1.0, 0.8, 0.8],
    ("Almene boligsektor", None, "Almene boligsektor"): [2.3, 2.4, 2.1, 2.0],
    ("Hele landet", None, "Hele landet"): [1.0, 1.0, 0.9, 0.9],
}


def save(name: str, rows: list[list]) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Indikator 6"
    for r in rows:
        ws.append(r)
    wb.save(HERE / name)


def main() -> None:
    wide = [[TITLE], ["Kilde: Landsbyggefonden (testfil, layout som eksport)"], [],
            ["Niveau", "Område", "Områdenavn", "Indikator", 2012, 2013, 2014, 2015]]
    for (lv, area, name), vals in PRINTED.items():
        wide.append([lv, area, name, "Indikator 6", *vals])
    wide.append(["Afdeling", "AO-01", "Afdeling AO-01", "Indikator 6", "..", "<5", "x", "-"])
    save("indikator6_wide.xlsx", wide)

    long = [[TITLE], [], ["Niveau", "Område", "Områdenavn", "Indikator", "År", "Andel (%)", "Antal"]]
    for (lv, area, name), vals in PRINTED.items():
        for year, v in zip(range(2012, 2016), vals):
            count = 24 if (area == "aalborg-oest" and year == 2015) else ""
            # decimal comma text as in a CSV-derived sheet for the plan rows, numbers elsewhere
            shown = f"{v:.1f}".replace(".", ",") if area == "aalborg-oest" else v
            long.append([lv, area, name, "Andel 10-17-årige sigtet mindst én gang", year, shown, count])
    long.append(["Afdeling", "AO-01", "Afdeling AO-01", "Andel 10-17-årige sigtet mindst én gang", 2015, "..", "<5"])
    save("indikator6_long.xlsx", long)

    # CSV export variant (cp1252, ';', decimal comma)
    lines = ["Niveau;Område;Områdenavn;Indikator;År;Værdi"]
    for (lv, area, name), vals in PRINTED.items():
        for year, v in zip(range(2012, 2016), vals):
            lines.append(f"{lv};{'' if area is None else area};{name};6;{year};{v:.1f}".replace(".", ","))
    (HERE / "indikator6_long_cp1252.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


if __name__ == "__main__":
    main()
