"""A national-scale synthetic register, streamed to Parquet in chunks (bounded memory).

``generate_national(persons=N, years=(A, B))`` simulates ``N`` persons over the years: birth
years, sex, a residence on 1 January each year (about 17 % in one of the public-housing
estates, the rest in one of 98 municipalities without an estate), moves between estates and
municipalities (about 8 % a year), entries (births, immigration) and exits. About 10 % of the
estates belong to helhedsplaner of 3-10 estates with *staggered* start years; some plans have
two parts. Known effect: from its plan's start year, a 10-17-year-old in a plan estate is
suspected or charged with a probability lower by ``effect_pp`` percentage points.

Persons are generated in blocks of about ``chunk_rows`` person-years; each block is written
as Parquet row groups and then dropped, so memory stays bounded whatever ``N`` is. Output:
``persons.parquet``, ``events.parquet``, ``estates.csv`` and ``truth.json`` in ``out``.

>>> import tempfile
>>> paths = generate_national(persons=2_000, years=(2015, 2017), out=tempfile.mkdtemp(), progress=False)
>>> sorted(paths)
['estates', 'events', 'persons', 'truth']
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_path, write_text
from .writer import SYNTHETIC_METADATA

__all__ = ["generate_national", "national_estates", "NATIONAL_VERSION"]

NATIONAL_VERSION = "national-2"
MUNICIPALITY_CODES = (
    "0101", "0147", "0151", "0153", "0155", "0157", "0159", "0161", "0163", "0165", "0167", "0169",
    "0173", "0175", "0183", "0185", "0187", "0190", "0201", "0210", "0217", "0219", "0223", "0230",
    "0240", "0250", "0253", "0259", "0260", "0265", "0269", "0270", "0306", "0316", "0320", "0326",
    "0329", "0330", "0336", "0340", "0350", "0360", "0370", "0376", "0390", "0400", "0410", "0420",
    "0430", "0440", "0450", "0461", "0479", "0480", "0482", "0492", "0510", "0530", "0540", "0550",
    "0561", "0563", "0573", "0575", "0580", "0607", "0615", "0621", "0630", "0657", "0661", "0665",
    "0671", "0706", "0707", "0710", "0727", "0730", "0740", "0741", "0746", "0751", "0756", "0760",
    "0766", "0773", "0779", "0787", "0791", "0810", "0813", "0820", "0825", "0840", "0846", "0849",
    "0851", "0860",
)
PUBLIC_HOUSING_SHARE = 0.17
ESTATE_MEAN_SIZE = 120
P_MOVE = 0.08
LAWS = np.array(["straffeloven", "vaabenloven", "euforiserende_stoffer", "anden"], dtype=object)


def national_estates(n_persons: int, years: tuple[int, int], rng: np.random.Generator) -> pd.DataFrame:
    """The estate map of a national register: estates, plans with staggered starts, parts."""
    n_est = max(int(n_persons * PUBLIC_HOUSING_SHARE / ESTATE_MEAN_SIZE), 12)
    muni = rng.choice(len(MUNICIPALITY_CODES), size=n_est)
    est = pd.DataFrame({"estate_id": [f"E{i:06d}" for i in range(1, n_est + 1)],
                        "municipality": np.asarray(MUNICIPALITY_CODES)[muni]})
    est["plan_id"] = pd.NA
    est["plan_part"] = pd.NA
    est["start_year"] = pd.array([pd.NA] * n_est, dtype="Int64")
    first, last = years
    lo, hi = first + min(3, max(last - first - 1, 0)), max(last - 1, first)
    order = rng.permutation(n_est)
    n_planned = max(int(n_est * 0.10), 3)
    i, p = 0, 0
    while i < n_planned:
        size = int(rng.integers(3, 11))
        members = order[i:i + size]
        i += size
        p += 1
        plan = f"HP{p:04d}"
        start = int(rng.integers(lo, hi + 1))
        est.loc[members, "plan_id"] = plan
        est.loc[members, "start_year"] = start
        est.loc[members, "municipality"] = est.loc[members[0], "municipality"]
        if len(members) >= 6 and rng.random() < 0.5:
            half = len(members) // 2
            est.loc[members[:half], "plan_part"] = f"{plan}-a"
            est.loc[members[half:], "plan_part"] = f"{plan}-b"
    for c in ("estate_id", "municipality", "plan_id", "plan_part"):
        est[c] = est[c].astype("string")
    return est[["estate_id", "plan_id", "plan_part", "municipality", "start_year"]]


def _block(rng, first_pid: int, n: int, years: tuple[int, int], est_muni: np.ndarray,
           est_start: np.ndarray, effect_pp: float):
    """Person-years and events of ``n`` persons (numpy arrays)."""
    first, last = years
    n_years = last - first + 1
    n_est = len(est_muni)
    n_muni = len(MUNICIPALITY_CODES)
    birth = rng.integers(first - 90, last + 1, n)
    sex = rng.integers(0, 2, n).astype(np.int8)
    entry = np.maximum(birth, first)
    late = rng.random(n) < 0.06                          # immigrants
    entry = np.where(late, np.maximum(entry, rng.integers(first, last + 1, n)), entry)
    leave = np.where(rng.random(n) < 0.06, rng.integers(first, last + 1, n), last)
    leave = np.maximum(leave, entry)
    span = np.clip(leave - entry + 1, 0, n_years)
    keep = span > 0
    pid = np.arange(first_pid, first_pid + n)[keep]
    birth, sex, entry, span = birth[keep], sex[keep], entry[keep], span[keep]
    rows = int(span.sum())
    person_ix = np.repeat(np.arange(len(pid)), span)
    starts = np.cumsum(span) - span
    year = (entry[person_ix] + (np.arange(rows) - np.repeat(starts, span))).astype(np.int16)
    # residence segments: a new one at each person's first row and at each move
    new_seg = rng.random(rows) < P_MOVE
    new_seg[starts] = True
    seg = np.cumsum(new_seg) - 1
    n_seg = int(seg[-1]) + 1 if rows else 0
    in_estate = rng.random(n_seg) < PUBLIC_HOUSING_SHARE
    seg_estate = np.where(in_estate, rng.integers(0, n_est, n_seg), -1)
    seg_muni = np.where(in_estate, est_muni[np.maximum(seg_estate, 0)], rng.integers(0, n_muni, n_seg))
    estate = seg_estate[seg].astype(np.int32)
    muni = seg_muni[seg].astype(np.int16)
    age = year - birth[person_ix]
    # outcomes
    u = rng.random(rows)
    youth = (age >= 10) & (age <= 17)
    in_est = estate >= 0
    start = np.where(in_est, est_start[np.maximum(estate, 0)], 9999)
    planned = start < 9999
    p_youth = np.where(in_est, 0.022, 0.007) + np.where(planned, 0.012, 0.0)
    p_youth = p_youth + np.where(planned & (year >= start), effect_pp / 100, 0.0)
    flag = youth & (u < np.clip(p_youth, 0, 1))
    adult = age >= 18
    p_adult = np.where(in_est, 0.022, 0.009)
    sig_adult = adult & (rng.random(rows) < p_adult)
    ev_rows, ev_kind = [], []
    y_ix = np.flatnonzero(flag & (age <= 14))
    o_ix = np.flatnonzero(flag & (age >= 15))
    ev_rows += [y_ix, o_ix, o_ix[rng.random(len(o_ix)) < 0.33]]
    ev_kind += [np.full(len(y_ix), 1), np.full(len(o_ix), 2), None]
    ev_kind[-1] = np.full(len(ev_rows[-1]), 1)
    a_ix = np.flatnonzero(sig_adult)
    n_extra = rng.poisson(1.3, len(a_ix))
    ev_rows += [a_ix, np.repeat(a_ix, n_extra)]
    ev_kind += [np.full(len(a_ix), 2), np.full(int(n_extra.sum()), 2)]
    charged = np.concatenate([o_ix, a_ix])
    n_afg = rng.poisson(0.9, len(charged))
    others = np.flatnonzero((age >= 15) & (rng.random(rows) < 0.003))
    ev_rows += [np.repeat(charged, n_afg), others]
    ev_kind += [np.full(int(n_afg.sum()), 3), np.full(len(others), 3)]
    other_law = np.flatnonzero(youth & ~flag & (rng.random(rows) < 0.004))
    ev_rows.append(other_law)
    ev_kind.append(np.full(len(other_law), 1))
    er = np.concatenate(ev_rows)
    ek = np.concatenate(ev_kind).astype(np.int8)
    el = rng.choice(3, size=len(er), p=(0.7, 0.06, 0.24))
    el[len(er) - len(other_law):] = 3
    ey = year[er].astype(int)
    day = np.floor(rng.random(len(er)) * 365).astype("timedelta64[D]")
    edate = (ey - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day
    persons = {"person_id": pid[person_ix], "year": year, "estate": estate, "muni": muni,
               "birth_year": birth[person_ix].astype(np.int16), "sex": sex[person_ix]}
    persons.update(_register_columns(rng, pid, person_ix, age, in_est, planned))
    events = {"person_id": pid[person_ix][er], "date": edate, "law": el, "kind": ek}
    att_rows = youth & planned & (year >= start)
    att = (int(att_rows.sum()), int((att_rows & (u < p_youth - effect_pp / 100) & ~flag).sum()))
    return persons, events, att


STATUS = np.array(["barn", "folkepension", "beskaeftiget", "ledig", "kontanthjaelp", "foertidspension",
                   "under_uddannelse", "sygedagpenge", "selvforsoergelsesydelse"], dtype=object)
EDUCATION = np.array(["grundskole", "ungdomsuddannelse", "videregaaende", "ukendt"], dtype=object)
ORIGIN = np.array(["dansk", "vestlig", "ikke_vestlig"], dtype=object)


def _register_columns(rng, pid, person_ix, age, in_est, planned) -> dict:
    """The optional register columns, vectorised (codes as dictionary indices).

    Levels as in :data:`evaluering.synth.profiles.REGISTER_LEVELS`, simplified: estate
    residents are more often outside work and education, non-Western and with only grundskole.
    """
    rows = len(age)
    n_p = len(pid)
    u_o = rng.random(n_p)[person_ix]
    u_e = rng.random(n_p)[person_ix]
    est = in_est.astype(np.float32)
    p_nw = 0.07 + 0.28 * est + 0.15 * planned
    origin = np.where(u_o < p_nw, 2, np.where(u_o < p_nw + 0.06, 1, 0)).astype(np.int8)
    p_g = 0.18 + 0.15 * est + 0.12 * planned
    edu = np.where(u_e < p_g, 0, np.where(u_e < p_g + 0.45, 1, 2)).astype(np.int8)
    edu = np.where((origin == 2) & (u_e > 0.85), 3, edu).astype(np.int8)
    edu = np.where(age < 20, 0, edu).astype(np.int8)
    edu_mask = age < 16
    u = rng.random(rows, dtype=np.float32)
    p_out = 0.18 + 0.14 * est + 0.12 * planned
    status = np.where(u < p_out, np.where(u < p_out * 0.3, 3, np.where(u < p_out * 0.6, 4, 5)),
                      np.where(u < p_out + 0.08, 6, np.where(u < p_out + 0.11, 7, 2))).astype(np.int8)
    young = (age >= 15) & (age <= 24)
    status = np.where(young & (u > 0.45), 6, status).astype(np.int8)
    status = np.where(age <= 14, 0, np.where(age >= 65, 1, status)).astype(np.int8)
    in_education = status == 6
    z = rng.standard_normal(rows, dtype=np.float32)
    mean = np.where(status == 2, 380_000 - 90_000 * est, np.where(status == 6, 90_000, 170_000))
    income = (mean * np.exp(0.35 * z)).astype(np.int32) // 100 * 100
    income_mask = age < 15
    small = (age >= 1) & (age <= 5)
    dag = small & (rng.random(rows, dtype=np.float32) < 0.87 - 0.08 * est)
    exam = age == 15
    ug = rng.random(rows, dtype=np.float32)
    dansk = np.where(ug < 0.88 - 0.1 * est, 7.0, 0.0).astype(np.float32)
    mat = np.where(ug < 0.9 - 0.1 * est, 4.0, -3.0).astype(np.float32)
    return {"status": status, "education": edu, "education_mask": edu_mask, "in_education": in_education,
            "income": income, "income_mask": income_mask, "origin": origin, "dagtilbud": dag,
            "grade_mask": ~exam, "grade9_dansk": dansk, "grade9_matematik": mat}


def generate_national(persons: int, years: tuple[int, int], out: str | Path, seed: int = 1,
                      chunk_rows: int = 5_000_000, effect_pp: float = -1.0,
                      progress: bool = True) -> dict[str, Path]:
    """Generate a national synthetic register into ``out`` (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm.auto import tqdm

    first, last = int(years[0]), int(years[1])
    if last < first:
        raise ValueError("years: the last year is before the first")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    estates = national_estates(persons, (first, last), rng)
    est_muni = pd.Index(MUNICIPALITY_CODES).get_indexer(estates["municipality"]).astype(np.int16)
    est_start = estates["start_year"].fillna(9999).to_numpy(dtype=np.int32)
    est_dict = pa.array(estates["estate_id"].to_numpy(dtype=object), pa.string())
    muni_dict = pa.array(list(MUNICIPALITY_CODES), pa.string())
    sex_dict = pa.array(["M", "K"], pa.string())
    law_dict = pa.array(list(LAWS), pa.string())
    kind_dict = pa.array(["mistanke", "sigtelse", "afgoerelse"], pa.string())
    status_dict = pa.array(list(STATUS), pa.string())
    edu_dict = pa.array(list(EDUCATION), pa.string())
    origin_dict = pa.array(list(ORIGIN), pa.string())
    meta = {**SYNTHETIC_METADATA}
    p_schema = pa.schema([("person_id", pa.int64()), ("year", pa.int16()),
                          ("estate_id", pa.dictionary(pa.int32(), pa.string())),
                          ("municipality", pa.dictionary(pa.int16(), pa.string())),
                          ("birth_year", pa.int16()), ("sex", pa.dictionary(pa.int8(), pa.string())),
                          ("status", pa.dictionary(pa.int8(), pa.string())),
                          ("education", pa.dictionary(pa.int8(), pa.string())),
                          ("in_education", pa.bool_()), ("income", pa.int32()),
                          ("origin", pa.dictionary(pa.int8(), pa.string())), ("dagtilbud", pa.bool_()),
                          ("grade9_dansk", pa.float32()), ("grade9_matematik", pa.float32())], metadata=meta)
    e_schema = pa.schema([("person_id", pa.int64()), ("date", pa.date32()),
                          ("law", pa.dictionary(pa.int8(), pa.string())),
                          ("kind", pa.dictionary(pa.int8(), pa.string()))], metadata=meta)
    per_block = max(int(chunk_rows / max(last - first + 1, 1)), 1)
    paths = {"persons": out / "persons.parquet", "events": out / "events.parquet",
             "estates": out / "estates.csv", "truth": out / "truth.json"}
    n_rows = n_events = att_n = att_k = 0
    with atomic_path(paths["persons"], suffix=".parquet") as p_tmp, atomic_path(paths["events"], suffix=".parquet") as e_tmp:
        pw = pq.ParquetWriter(p_tmp, p_schema, compression="zstd")
        ew = pq.ParquetWriter(e_tmp, e_schema, compression="zstd")
        try:
            bar = tqdm(total=persons, unit=" personer", disable=not progress, desc="synth")
            done = 0
            while done < persons:
                n = min(per_block, persons - done)
                block_rng = np.random.default_rng([seed, done])
                p, e, (an, ak) = _block(block_rng, 1 + done, n, (first, last), est_muni, est_start, effect_pp)
                done += n
                att_n += an
                att_k += ak
                est_idx = pa.array(p["estate"], pa.int32(), mask=p["estate"] < 0)
                pt = pa.table({
                    "person_id": pa.array(p["person_id"], pa.int64()),
                    "year": pa.array(p["year"], pa.int16()),
                    "estate_id": pa.DictionaryArray.from_arrays(est_idx, est_dict),
                    "municipality": pa.DictionaryArray.from_arrays(pa.array(p["muni"], pa.int16()), muni_dict),
                    "birth_year": pa.array(p["birth_year"], pa.int16()),
                    "sex": pa.DictionaryArray.from_arrays(pa.array(p["sex"], pa.int8()), sex_dict),
                    "status": pa.DictionaryArray.from_arrays(pa.array(p["status"], pa.int8()), status_dict),
                    "education": pa.DictionaryArray.from_arrays(
                        pa.array(p["education"], pa.int8(), mask=p["education_mask"]), edu_dict),
                    "in_education": pa.array(p["in_education"], pa.bool_()),
                    "income": pa.array(p["income"], pa.int32(), mask=p["income_mask"]),
                    "origin": pa.DictionaryArray.from_arrays(pa.array(p["origin"], pa.int8()), origin_dict),
                    "dagtilbud": pa.array(p["dagtilbud"], pa.bool_()),
                    "grade9_dansk": pa.array(p["grade9_dansk"], pa.float32(), mask=p["grade_mask"]),
                    "grade9_matematik": pa.array(p["grade9_matematik"], pa.float32(), mask=p["grade_mask"]),
                }, schema=p_schema)
                pw.write_table(pt, row_group_size=1_000_000)
                et = pa.table({
                    "person_id": pa.array(e["person_id"], pa.int64()),
                    "date": pa.array(e["date"], pa.date32()),
                    "law": pa.DictionaryArray.from_arrays(pa.array(e["law"].astype(np.int8), pa.int8()), law_dict),
                    "kind": pa.DictionaryArray.from_arrays(pa.array(e["kind"] - 1, pa.int8()), kind_dict),
                }, schema=e_schema)
                ew.write_table(et, row_group_size=1_000_000)
                n_rows += pt.num_rows
                n_events += et.num_rows
                bar.update(n)
            bar.close()
        finally:
            pw.close()
            ew.close()
    write_text(paths["estates"], estates.to_csv(index=False, lineterminator="\n"))
    truth = {
        "generator": NATIONAL_VERSION, "seed": seed, "synthetic": True, "source": "Syntetiske data",
        "persons": persons, "years": [first, last], "person_years": n_rows, "events": n_events,
        "chunk_rows": chunk_rows,
        "effect": {"measure": "sigtet_mistaenkt", "age_band": "10-17",
                   "description": "From its plan's start year, the yearly probability that a 10-17-year-old "
                                  "resident of a plan estate is suspected or charged is lower by effect_pp "
                                  "percentage points."},
        "effect_pp": effect_pp,
        "att_realised_pp": round(-100 * att_k / att_n, 4) if att_n else None,
        "plans": int(estates["plan_id"].nunique()),
        "plan_start_years": sorted(int(x) for x in estates["start_year"].dropna().unique()),
    }
    write_text(paths["truth"], json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    return paths
