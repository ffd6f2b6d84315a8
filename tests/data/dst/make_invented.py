"""Write the INVENTED StatBank answers of this folder (numbers made up by formula, not
Danmarks Statistik figures): ``python tests/data/dst/make_invented.py``.

The shapes follow the real answers in ``real/`` (BOM, CRLF, ``;``, code presentation, every
variable of the table in the header); the formulas are in the tests that check them:

- FOLK1A: area 000 men ``3100 + 7a``, women ``2950 + 7a``; 851 men ``610 + 7a``, women
  ``590 + 7a``; ages 0-99 by formula, 100-125 are 0 (as in real answers); 2016 adds 11;
  ``2016K2`` rows (851 only) add 1000 and must never be used (population on 1 January = K1);
  ``IALT`` rows hold the sum of the ages (``ALDER=*`` selects the total too).
- FOLK1A København 2025K1 (``folk1a_bulk_kbh2025.csv``): see :func:`folk1a_kbh_2025`.
- STRAF44: 851 men 10 and women 5 per age group, country men 100 and women 50; ``UA``
  (unknown age) 1, ``TOT`` the sum; one ``..`` (851 K 80- 2016) and one ``0`` (000 K 80-
  2015, read as suppressed: tableinfo's suppressedDataValue is 0).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
BOM = "\ufeff"

STRAF44_AGES = [str(a) for a in range(15, 25)] + ["25-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-"]


def folk1a() -> str:
    base = {("000", "1"): 3100, ("000", "2"): 2950, ("851", "1"): 610, ("851", "2"): 590}
    rows = ["OMRÅDE;KØN;ALDER;CIVILSTAND;TID;INDHOLD"]
    for (area, sex), b in base.items():
        for tid, add in (("2015K1", 0), ("2016K1", 11), ("2016K2", 1011)):
            if tid == "2016K2" and area != "851":
                continue
            values = [b + 7 * a + add if a <= 99 else 0 for a in range(0, 126)]
            rows.append(f"{area};{sex};IALT;TOT;{tid};{sum(values)}")
            rows += [f"{area};{sex};{a};TOT;{tid};{v}" for a, v in enumerate(values)]
    return BOM + "\r\n".join(rows) + "\r\n"


def folk1a_kbh_2025() -> str:
    """København (101) on 1 January 2025: men ``5000 - 30a``, women ``5100 - 30a`` (ages
    0-99), 0 for 100-125; the denominator beside the real STRAF22 values of 2025."""
    rows = ["OMRÅDE;KØN;ALDER;CIVILSTAND;TID;INDHOLD"]
    for sex, b in (("1", 5000), ("2", 5100)):
        values = [b - 30 * a if a <= 99 else 0 for a in range(0, 126)]
        rows.append(f"101;{sex};IALT;TOT;2025K1;{sum(values)}")
        rows += [f"101;{sex};{a};TOT;2025K1;{v}" for a, v in enumerate(values)]
    return BOM + "\r\n".join(rows) + "\r\n"


def straf44() -> str:
    per = {("000", "M"): 100, ("000", "K"): 50, ("851", "M"): 10, ("851", "K"): 5}
    rows = ["OMRÅDE;OVERTRÆD;AFGØRELSE;KØN;ALDER;TID;INDHOLD"]
    for (area, sex), v in per.items():
        for year in ("2015", "2016"):
            rows.append(f"{area};TOT;000;{sex};TOT;{year};{v * len(STRAF44_AGES) + 1}")
            rows.append(f"{area};TOT;000;{sex};UA;{year};1")
            for age in STRAF44_AGES:
                value = str(v)
                if (area, sex, age, year) == ("851", "K", "80-", "2016"):
                    value = ".."
                if (area, sex, age, year) == ("000", "K", "80-", "2015"):
                    value = "0"
                rows.append(f"{area};TOT;000;{sex};{age};{year};{value}")
    return BOM + "\r\n".join(rows) + "\r\n"


if __name__ == "__main__":
    (HERE / "folk1a_bulk.csv").write_bytes(folk1a().encode("utf-8"))
    (HERE / "straf44_bulk.csv").write_bytes(straf44().encode("utf-8"))
    (HERE / "folk1a_bulk_kbh2025.csv").write_bytes(folk1a_kbh_2025().encode("utf-8"))
