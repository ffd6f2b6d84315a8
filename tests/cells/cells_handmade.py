"""A small hand-made register: every expected cell in the tests is counted by hand from it."""

from __future__ import annotations

import pandas as pd

ESTATES = pd.DataFrame({
    "estate_id": ["A", "B", "C"],
    "plan_id": ["P", "P", None],
    "plan_part": ["p1", "p2", None],
    "municipality": ["0851", "0851", "0101"],
})

# one row per person and year: the residence on 1 January
PERSONS = pd.DataFrame([
    # person_id, year, estate_id, municipality, birth_year, sex
    (1, 2015, "A", "0851", 2002, "M"),   # 13: suspected twice in 2015 -> counts once
    (1, 2016, "B", "0851", 2002, "M"),
    (2, 2015, "A", "0851", 1999, "K"),   # 16: suspected and charged in 2015 -> counts once
    (2, 2016, "A", "0851", 1999, "K"),
    (3, 2015, "A", "0851", 1980, "M"),   # adult: 2 charges + 1 decision in 2015, 1 decision in 2016
    (3, 2016, "A", "0851", 1980, "M"),
    (4, 2015, "A", "0851", 2004, "M"),   # 11: suspected under another law (not counted); moves to C
    (4, 2016, "C", "0101", 2004, "M"),   #     suspected under våbenloven in 2016 (counted in C)
    (5, 2015, "C", "0101", 2000, "K"),   # 15: charged in June 2015; lives in A from 2016
    (5, 2016, "A", "0851", 2000, "K"),
    (6, 2015, None, "0851", 1990, "K"),  # not in an estate; charged in 2016
    (6, 2016, None, "0851", 1990, "K"),
    (7, 2015, "B", "0851", 2010, "M"),   # under 10: in no band
    (7, 2016, "B", "0851", 2010, "M"),
    (8, 2016, "B", "0851", 1970, "M"),   # event in 2015 but no residence on 1 Jan 2015
], columns=["person_id", "year", "estate_id", "municipality", "birth_year", "sex"])

EVENTS = pd.DataFrame([
    (1, "2015-09-01", "straffeloven", "mistanke"),
    (1, "2015-10-01", "straffeloven", "mistanke"),
    (2, "2015-03-01", "lov om euforiserende stoffer", "mistanke"),
    (2, "2015-04-01", "euforiserende_stoffer", "sigtelse"),
    (3, "2015-02-01", "straffeloven", "sigtelse"),
    (3, "2015-02-02", "Straffeloven", "Sigtelse"),
    (3, "2015-05-01", "straffeloven", "afgørelse"),
    (3, "2016-01-10", "straffeloven", "afgoerelse"),
    (4, "2015-11-15", "anden", "mistanke"),
    (4, "2016-03-03", "våbenloven", "mistanke"),
    (5, "2015-06-01", "straffeloven", "sigtelse"),
    (6, "2016-08-08", "straffeloven", "sigtelse"),
    (8, "2015-07-07", "straffeloven", "sigtelse"),
], columns=["person_id", "date", "law", "kind"])
