"""The bundled synthetic register of a profile: person-years, events, estate map, truth.

The generator simulates the residents of the plan's estates and of comparison estates year
by year (ageing, moving out, moving between estates, moving in), then draws who is
suspected or charged (mistanke / sigtelse) and the decisions (afgørelser), calibrated to the
profile (:mod:`evaluering.synth.profiles`). Years with published figures are *pinned*: the
count of persons is the one nearest ``published rate x population`` that rounds to the
published rate, so the synthetic 2015 plan area has exactly 24 suspected/charged
10-17-year-olds among 565-578 of them. Where no count of the simulated population rounds to
the published rate (2,5 % of 573 is 14 = 2,4 % or 15 = 2,6 %), the ages of that year's
newcomers to the plan estates are redrawn until the nearest population that allows it is
reached (newcomers have no earlier records, so every history stays consistent). Other years
are random draws around the profile's levels.

Known effect: from the plan's start year on, the yearly probability that a 10-17-year-old in
a plan estate is suspected or charged is lower by ``profile.effect_pp`` percentage points.
Both potential outcomes are drawn with common random numbers, so ``truth.json`` also holds
the realised effect on the treated person-years (``att_realised_pp``).

Everything is drawn from one seeded :class:`numpy.random.Generator`: the same seed gives the
same files.

>>> reg = generate_register("aalborg-oest")                           # doctest: +SKIP
>>> sorted(reg)                                                       # doctest: +SKIP
['estates', 'events', 'persons', 'truth']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .profiles import COMPARISON_MUNICIPALITIES, PROFILES, Profile

__all__ = ["generate_register", "estate_table", "GENERATOR_VERSION", "YOUTH_LAWS", "LAW_CODES", "KIND_CODES"]

GENERATOR_VERSION = "register-3"
LAW_CODES = ("straffeloven", "vaabenloven", "euforiserende_stoffer", "anden")
YOUTH_LAWS = ("straffeloven", "vaabenloven", "euforiserende_stoffer")
KIND_CODES = ("mistanke", "sigtelse", "afgoerelse")

# age distribution (age range, weight) of the residents in the first year and of newcomers
_AGES_START = ((0, 9, 15), (10, 17, 12), (18, 29, 20), (30, 49, 25), (50, 66, 17), (67, 90, 11))
_AGES_NEW = ((0, 9, 22), (10, 17, 10), (18, 29, 34), (30, 49, 24), (50, 66, 7), (67, 90, 3))
_P_LEAVE = 0.10      # moves out of the register's estates per year
_P_MOVE = 0.03       # moves to another estate per year
_LAW_P_YOUTH = (0.75, 0.05, 0.20)   # straffeloven, vaabenloven, euforiserende_stoffer
_LAW_P_ADULT = (0.65, 0.07, 0.28)


def _draw_ages(rng: np.random.Generator, n: int, table) -> np.ndarray:
    w = np.array([t[2] for t in table], dtype=float)
    k = rng.choice(len(table), size=n, p=w / w.sum())
    lo = np.array([t[0] for t in table])[k]
    hi = np.array([t[1] for t in table])[k]
    return lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int)


def estate_table(profile: Profile, plan, others: list[dict] | None = None) -> pd.DataFrame:
    """The estate map of a profile: ``estate_id, plan_id, plan_part, municipality, start_year``.

    ``plan`` is the profile's plan (``synthetic_plans`` entry); ``others`` the other synthetic
    plans, whose estates follow the comparison estates.

    >>> plans = synthetic_plans()                                   # doctest: +SKIP
    >>> estate_table(PROFILES["aalborg-oest"], plans[0], plans[1:]).shape   # doctest: +SKIP
    (51, 5)
    """
    rows = []
    for e in plan["estates"]:
        rows.append({"estate_id": e["id"], "plan_id": plan["id"], "plan_part": e["part"],
                     "municipality": plan["municipality"], "start_year": e["start_year"] or plan["start_year"]})
    i = 0
    for code, n in COMPARISON_MUNICIPALITIES:
        for _ in range(n):
            i += 1
            rows.append({"estate_id": f"CMP-{i:02d}", "plan_id": None, "plan_part": None,
                         "municipality": code, "start_year": None})
    for other in others or []:
        for e in other["estates"]:
            rows.append({"estate_id": e["id"], "plan_id": other["id"], "plan_part": e["part"],
                         "municipality": other["municipality"],
                         "start_year": e["start_year"] or other["start_year"]})
    out = pd.DataFrame(rows)
    out["start_year"] = out["start_year"].astype("Int64")
    for c in ("estate_id", "plan_id", "plan_part", "municipality"):
        out[c] = out[c].astype("string")
    return out


def synthetic_plans(plans_dir: str | Path | None = None, first: str = "aalborg-oest") -> list[dict]:
    """The plan files with ``data.synthetic: true``: id, municipality (4 digits), start year,
    estates (id, part, start_year); the profile's plan ``first`` comes first.

    Read directly from the YAML (only these keys), so any plan-file version works.
    """
    import yaml

    from ..plan import default_plans_dir

    out = []
    for path in sorted(Path(plans_dir or default_plans_dir()).glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict) or not (doc.get("data") or {}).get("synthetic"):
            continue
        start = doc.get("period", {}).get("start")
        start_year = int(str(start)[:4]) if start else None
        estates = [{"id": str(e["id"]), "part": None if e.get("part") is None else str(e["part"]),
                    "start_year": e.get("start_year")} for e in doc.get("estates") or [] if isinstance(e, dict)]
        if not estates or start_year is None:
            continue
        out.append({"id": str(doc["id"]), "municipality": str(doc["municipality"]["code"]).zfill(4),
                    "start_year": start_year, "estates": estates, "path": path})
    out.sort(key=lambda p: (p["id"] != first, p["id"]))
    return out


def _share_rounds_to(k: int, n: int, share: float) -> bool:
    """Whether ``k`` of ``n`` is ``share`` per cent at the published precision (one decimal)."""
    return n > 0 and round(100 * k / n, 1) == share


def pinned_count(n: int, share: float, count: int | None = None) -> int | None:
    """The count of ``n`` persons that is ``share`` per cent at one decimal, nearest to
    ``share x n`` (the published ``count`` if given); ``None`` when no integer is.

    >>> pinned_count(571, 4.2, 24), pinned_count(573, 2.5), pinned_count(560, 2.5)
    (24, None, 14)
    """
    if count is not None:
        return count if _share_rounds_to(count, n, share) else None
    k0 = int(round(share * n / 100))
    for k in sorted(range(max(k0 - 2, 0), k0 + 3), key=lambda k: (abs(k - share * n / 100), k)):
        if _share_rounds_to(k, n, share):
            return k
    return None


def _feasible_population(n: int, share: float, count: int | None) -> int:
    """The population nearest to ``n`` for which :func:`pinned_count` exists."""
    for d in range(n):
        for m in dict.fromkeys((n - d, n + d)):
            if m > 0 and pinned_count(m, share, count) is not None:
                return m
    raise ValueError(f"no population gives {share} % with count {count}")


def _calibrate_youth(rng, year: int, est: np.ndarray, birth: np.ndarray, new: np.ndarray,
                     in_plan: np.ndarray, share: float, count: int | None) -> np.ndarray:
    """Redraw newcomers' ages so that the plan area has a population of 10-17-year-olds on
    1 January of ``year`` at which the published ``share`` (and ``count``) is attainable
    (:func:`_feasible_population`).

    Only persons moving in that year change (they have no earlier records), so every
    person's history stays consistent; youth newcomers become 18-49 or the reverse.
    """
    age = year - birth
    youth = (age >= 10) & (age <= 17)
    here = in_plan[est]
    n = int((youth & here).sum())
    want = _feasible_population(n, share, count)
    if want == n:
        return birth
    birth = birth.copy()
    if want < n:
        cand = np.flatnonzero(youth & here & new)
        pick = cand[rng.permutation(len(cand))[: n - want]]
        birth[pick] = year - rng.integers(18, 50, len(pick))
    else:
        cand = np.flatnonzero(~youth & here & new & (age >= 18) & (age <= 49))
        pick = cand[rng.permutation(len(cand))[: want - n]]
        birth[pick] = year - rng.integers(10, 18, len(pick))
    return birth


def _simulate_population(rng, sizes: np.ndarray, years, leave_effect: np.ndarray | None = None,
                         start: np.ndarray | None = None, stats: dict | None = None,
                         calibrate=None) -> pd.DataFrame:
    """Person-year records (residence on 1 January) of a closed set of estates.

    ``leave_effect`` (per estate, a probability) lowers the yearly probability of leaving the
    estate (moving out or to another estate) from the estate's ``start`` year on; ``stats``
    gets the realised effect (``fraflyttere``: treated transitions, changed by the effect).
    ``calibrate(year, est, birth, new)`` may redraw the newcomers' birth years of a year.
    """
    n_est = len(sizes)
    next_id = 1_000_001
    n0 = int(sizes.sum())
    est = np.repeat(np.arange(n_est), sizes)
    age = _draw_ages(rng, n0, _AGES_START)
    birth = years[0] - age
    sex = rng.integers(0, 2, n0)
    pid = np.arange(next_id, next_id + n0)
    next_id += n0
    frames = []
    for y in years:
        frames.append(pd.DataFrame({"person_id": pid, "year": y, "estate": est, "birth_year": birth, "sex": sex}))
        # transition to 1 January of the next year
        r = rng.random(len(pid))
        too_old = (y + 1 - birth) > 95
        p_leave = np.full(len(pid), _P_LEAVE)
        if leave_effect is not None:
            on = (y + 1) >= start[est]
            p_leave = p_leave + np.where(on, leave_effect[est], 0.0)
            if stats is not None and on.any():
                band = on & (leave_effect[est] != 0) & ~too_old
                changed = band & (r >= p_leave + _P_MOVE) & (r < _P_LEAVE + _P_MOVE)
                stats["n"] = stats.get("n", 0) + np.bincount(est[band], minlength=n_est)
                stats["changed"] = stats.get("changed", 0) + np.bincount(est[changed], minlength=n_est)
        stay = (r >= p_leave) & ~too_old
        move = stay & (r < p_leave + _P_MOVE)
        new_est = est.copy()
        if move.any():
            choice = rng.choice(n_est, size=int(move.sum()), p=sizes / sizes.sum())
            same = choice == est[move]
            choice[same] = (choice[same] + 1) % n_est
            new_est[move] = choice
        pid, est, birth, sex = pid[stay], new_est[stay], birth[stay], sex[stay]
        counts = np.bincount(est, minlength=n_est)
        need = np.maximum(sizes - counts, 0)
        n_new = int(need.sum())
        if n_new:
            new_age = _draw_ages(rng, n_new, _AGES_NEW)
            pid = np.concatenate([pid, np.arange(next_id, next_id + n_new)])
            next_id += n_new
            est = np.concatenate([est, np.repeat(np.arange(n_est), need)])
            birth = np.concatenate([birth, (y + 1) - new_age])
            sex = np.concatenate([sex, rng.integers(0, 2, n_new)])
        if calibrate is not None:
            new = np.zeros(len(pid), dtype=bool)
            new[len(pid) - n_new:] = True
            birth = calibrate(y + 1, est, birth, new)
    return pd.concat(frames, ignore_index=True)


def _dates(rng, years: np.ndarray) -> np.ndarray:
    """A uniformly random day within each given year."""
    years = np.asarray(years, dtype=int)
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = np.where((years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0)), 366, 365)
    return start + np.floor(rng.random(len(years)) * length).astype("timedelta64[D]")


def _laws(rng, n: int, p) -> np.ndarray:
    return np.asarray(YOUTH_LAWS, dtype=object)[rng.choice(3, size=n, p=p)]


def generate_register(profile: str | Profile = "aalborg-oest", seed: int | None = None,
                      plans_dir: str | Path | None = None) -> dict:
    """Generate the synthetic register of a profile.

    Returns ``{"persons", "events", "estates": DataFrame, "truth": dict}``. Person-years are
    the residence on 1 January (one row per person and year); events carry a date, a law and
    a kind. The same ``seed`` gives identical frames.

    >>> reg = generate_register("aalborg-oest", seed=1)                # doctest: +SKIP
    >>> reg["truth"]["effect_pp"]                                      # doctest: +SKIP
    -1.2
    """
    from .columns import draw_register_columns
    from .profiles import DEFAULT_EFFECTS, PLAN_EFFECTS, REGION_INCOME

    prof = PROFILES[profile] if isinstance(profile, str) else profile
    seed = prof.seed if seed is None else int(seed)
    plans = synthetic_plans(plans_dir, first=prof.plan_file.removesuffix(".yaml"))
    main_id = prof.plan_file.removesuffix(".yaml")
    if not plans or plans[0]["id"] != main_id:
        raise ValueError(f"the plan file {prof.plan_file} is missing or not marked data.synthetic")
    plan, others = plans[0], plans[1:]
    estates = estate_table(prof, plan, others)
    rng = np.random.default_rng(seed)
    years = np.array(prof.years)

    n_plan = len(plan["estates"])
    if len(prof.plan_estate_sizes) != n_plan:
        sizes_plan = np.full(n_plan, int(np.mean(prof.plan_estate_sizes)))
    else:
        sizes_plan = np.array(prof.plan_estate_sizes)
    lo, hi = prof.comparison_size_range
    n_cmp = sum(n for _, n in COMPARISON_MUNICIPALITIES)
    sizes_cmp = rng.integers(lo // 10, hi // 10 + 1, n_cmp) * 10
    n_other = len(estates) - n_plan - n_cmp
    sizes_other = rng.integers(45, 71, n_other) * 10      # other plans: 450-700 residents per estate
    sizes = np.concatenate([sizes_plan, sizes_cmp, sizes_other])
    in_plan = (estates["plan_id"] == plan["id"]).fillna(False).to_numpy(dtype=bool)
    any_plan = estates["plan_id"].notna().to_numpy()
    other_plan = any_plan & ~in_plan
    part = estates["plan_part"].fillna("").to_numpy(dtype=object)
    start = estates["start_year"].fillna(9999).to_numpy(dtype=int)
    plan_of = estates["plan_id"].fillna("").to_numpy(dtype=object)
    effects_of = {p["id"]: PLAN_EFFECTS.get(p["id"], DEFAULT_EFFECTS) for p in plans}
    leave = np.array([effects_of.get(pid, {}).get("fraflyttere", 0.0) / 100 if pid else 0.0 for pid in plan_of])
    leave_stats: dict = {}

    pinned = {yy: (prof.youth_share_plan[yy], prof.youth_count_plan.get(yy)) for yy in prof.youth_share_plan_pinned}

    def calibrate(year, est, birth, new):
        return _calibrate_youth(rng, year, est, birth, new, in_plan, *pinned[year]) if year in pinned else birth

    pop = _simulate_population(rng, sizes, years, leave_effect=leave, start=start, stats=leave_stats,
                               calibrate=calibrate)
    pop["age"] = pop["year"] - pop["birth_year"]
    e = pop["estate"].to_numpy()
    y = pop["year"].to_numpy()
    age = pop["age"].to_numpy()
    plan_row = in_plan[e]
    treated = plan_row & (y >= start[e])

    # --- 10-17: suspected or charged (straffeloven, våbenloven, euforiserende stoffer) -----
    re = rng.normal(0.0, 0.4, len(estates))
    re[in_plan] -= re[in_plan].mean()
    cmp_only = ~any_plan
    re[cmp_only] -= re[cmp_only].mean()
    re[other_plan] = 0.8 + re[other_plan] - (re[other_plan].mean() if other_plan.any() else 0.0)
    cmp_years = prof.youth_share_comparison
    pre = [yy for yy in prof.years if yy < plan["start_year"]]
    cmp_ref = float(np.mean([cmp_years[yy] for yy in pre]))
    p_cmp = np.array([cmp_years[yy] for yy in prof.years])
    p_plan = prof.youth_share_plan_base + (p_cmp - cmp_ref)
    year_ix = y - years[0]
    p0 = np.where(plan_row, p_plan[year_ix], p_cmp[year_ix]) + re[e]
    p0 = np.clip(p0, 0.2, None) / 100.0
    p1 = np.clip(p0 + prof.effect_pp / 100.0, 0.0, None)
    youth = (age >= 10) & (age <= 17)
    u = rng.random(len(pop))
    y0 = youth & (u < p0)
    y1 = youth & (u < p1)
    flag = np.where(treated, y1, y0)
    pinned_youth = {}
    for yy in prof.youth_share_plan_pinned:
        sel = np.flatnonzero(youth & plan_row & (y == yy))
        k = pinned_count(len(sel), *pinned[yy])
        if k is None:       # too few newcomers to calibrate with (or the register's first year)
            k = prof.youth_count_plan.get(yy, int(round(prof.youth_share_plan[yy] / 100.0 * len(sel))))
        flag[sel] = False
        flag[sel[np.argsort(u[sel], kind="stable")[:k]]] = True
        y0[sel] = flag[sel]
        y1[sel] = flag[sel]
        pinned_youth[yy] = {"persons_10_17": int(len(sel)), "suspected_or_charged": k}
    att = float((y1[treated & youth].astype(int) - y0[treated & youth].astype(int)).mean() * 100)

    ev_pid, ev_year, ev_law, ev_kind = [], [], [], []

    def add(idx, law, kind):
        idx = np.asarray(idx)
        ev_pid.append(pop["person_id"].to_numpy()[idx])
        ev_year.append(y[idx])
        ev_law.append(np.broadcast_to(np.asarray(law, dtype=object), idx.shape).copy() if np.ndim(law) == 0 else law)
        ev_kind.append(np.full(len(idx), kind, dtype=object))

    sel = np.flatnonzero(flag)
    young = sel[age[sel] <= 14]
    older = sel[age[sel] >= 15]
    # 10-14: mistanke only (children under 15 cannot be charged); some several times
    rep = 1 + rng.poisson(0.3, len(young))
    idx = np.repeat(young, rep)
    add(idx, _laws(rng, len(idx), _LAW_P_YOUTH), "mistanke")
    # 15-17: sigtelse; a third were first suspected in the same year (they count once)
    add(older, _laws(rng, len(older), _LAW_P_YOUTH), "sigtelse")
    both = older[rng.random(len(older)) < 0.33]
    add(both, _laws(rng, len(both), _LAW_P_YOUTH), "mistanke")
    # a few 10-14-year-olds suspected under another law (not counted in the 10-17 measure)
    other = np.flatnonzero(youth & ~flag & (age <= 14) & (rng.random(len(pop)) < 0.005))
    add(other, "anden", "mistanke")

    # --- 15+: sigtede, sigtelser, afgørelser ------------------------------------------------
    adult15 = age >= 15
    charged15 = flag & adult15          # 15-17-year-olds charged above
    pinned_adult = {}
    group = np.where(plan_row, part[e], "comparison")
    for g in sorted(set(group.tolist())):
        for yy in prof.years:
            base = np.flatnonzero((group == g) & (y == yy) & adult15)
            n15 = len(base)
            if n15 == 0:
                continue
            rates = (prof.adult_rates_part[g] if g in prof.adult_rates_part else
                     {m: {yy: r} for m, r in prof.adult_rates_comparison.items()})
            pinned = g in prof.adult_rates_part and yy in prof.adult_rates_pinned
            if pinned:
                n_sigtede = int(round(rates["sigtede"][yy] / 1000 * n15))
                n_sigtelser = int(round(rates["sigtelser"][yy] / 1000 * n15))
                n_afg = int(round(rates["afgoerelser"][yy] / 1000 * n15))
                pinned_adult[f"{g}:{yy}"] = {"persons_15plus": n15, "sigtede": n_sigtede,
                                             "sigtelser": n_sigtelser, "afgoerelser": n_afg}
            else:
                n_sigtede = int(rng.binomial(n15, rates["sigtede"][yy] / 1000))
                n_sigtelser = int(rng.poisson(rates["sigtelser"][yy] / 1000 * n15))
                n_afg = int(rng.poisson(rates["afgoerelser"][yy] / 1000 * n15))
            already = base[charged15[base]]
            candidates = base[~charged15[base] & (age[base] >= 18)]
            k = min(max(n_sigtede - len(already), 0), len(candidates))
            new = rng.choice(candidates, size=k, replace=False) if k else np.array([], dtype=int)
            add(new, _laws(rng, len(new), _LAW_P_ADULT), "sigtelse")
            sigtede = np.concatenate([already, new])
            extra = max(n_sigtelser - len(sigtede), 0)
            if len(sigtede) and extra:
                idx = rng.choice(sigtede, size=extra, replace=True)
                add(idx, _laws(rng, extra, _LAW_P_ADULT), "sigtelse")
            if n_afg:
                to_charged = rng.random(n_afg) < 0.85 if len(sigtede) else np.zeros(n_afg, bool)
                # decisions go to distinct charged persons first (a person rarely gets two a year)
                if len(sigtede):
                    distinct = rng.permutation(sigtede)
                    charged_pick = np.where(np.arange(n_afg) < len(distinct), distinct[np.arange(n_afg) % len(distinct)],
                                            rng.choice(sigtede, size=n_afg))
                else:
                    charged_pick = np.zeros(n_afg, dtype=int)
                idx = np.where(to_charged, charged_pick, rng.choice(base, size=n_afg))
                add(idx, _laws(rng, n_afg, _LAW_P_ADULT), "afgoerelse")

    ev_year_arr = np.concatenate(ev_year)
    events = pd.DataFrame({
        "person_id": np.concatenate(ev_pid).astype("int64"),
        "date": _dates(rng, ev_year_arr),
        "law": pd.array(np.concatenate(ev_law), dtype="string"),
        "kind": pd.array(np.concatenate(ev_kind), dtype="string"),
    })
    # the decision of each afgørelse (dom and bøde are convictions; see domain/measures.yaml)
    dec = np.asarray(("dom", "boede", "tiltalefrafald", "frifindelse"), dtype=object)[
        rng.choice(4, size=len(events), p=(0.50, 0.35, 0.10, 0.05))]
    events["decision"] = pd.array(np.where(events["kind"].to_numpy(dtype=object) == "afgoerelse", dec, None),
                                  dtype="string")
    events["date"] = events["date"].dt.date if hasattr(events["date"], "dt") else events["date"]
    events = events.sort_values(["date", "person_id", "kind", "law"], kind="stable").reset_index(drop=True)

    est_ids = estates["estate_id"].to_numpy(dtype=object)
    munis = estates["municipality"].to_numpy(dtype=object)
    # --- register columns (status, education, income, origin, dagtilbud, grades) ----------
    from ..cells.measures import municipality_regions

    regions = municipality_regions()
    scale = np.array([REGION_INCOME.get(regions.get(int(m), ""), 370_000) / 370_000 for m in munis])
    treated_any = any_plan[e] & (y >= start[e])
    row_plan = plan_of[e]
    effect_rows = {m: np.array([effects_of.get(pid, {}).get(m, 0.0) if pid else 0.0 for pid in plan_of])[e]
                   for m in ("uden_for_arbejde_uddannelse", "beskaeftigede", "neet", "dagtilbud_1_5")}
    crng = np.random.default_rng([seed, 11])
    cols, potential = draw_register_columns(crng, pop["person_id"].to_numpy(), age,
                                            np.where(any_plan[e], "plan", "comparison"), treated_any,
                                            effect_rows, region_income_scale=scale[e])
    realised: dict[str, dict[str, float]] = {}
    for p in plans:
        mine = treated_any & (row_plan == p["id"])
        out = {}
        for m in effects_of[p["id"]]:
            if m in potential:
                pop_m, y0, y1 = potential[m]
                sel = mine & pop_m
                if sel.any():
                    out[m] = round(float((y1[sel].astype(int) - y0[sel].astype(int)).mean() * 100), 4)
        realised[p["id"]] = out
    if "n" in leave_stats:
        for p in plans:
            mine_est = plan_of == p["id"]
            n_tr = int(leave_stats["n"][mine_est].sum())
            if "fraflyttere" in effects_of[p["id"]] and n_tr:
                # on leaving the estate (estate level; at plan level moves within the plan differ)
                realised[p["id"]]["fraflyttere"] = round(-100 * int(leave_stats["changed"][mine_est].sum()) / n_tr, 4)
    realised[plan["id"]]["sigtet_mistaenkt"] = round(att, 4)
    income = cols["income"]
    persons = pd.DataFrame({
        "person_id": pop["person_id"].astype("int64"),
        "year": pop["year"].astype("int16"),
        "estate_id": pd.array(est_ids[e], dtype="string"),
        "municipality": pd.array(munis[e], dtype="string"),
        "birth_year": pop["birth_year"].astype("int16"),
        "sex": pd.array(np.where(pop["sex"].to_numpy() == 0, "M", "K"), dtype="string"),
        "status": pd.array(cols["status"], dtype="string"),
        "education": pd.array(cols["education"], dtype="string"),
        "in_education": cols["in_education"].astype(bool),
        "income": pd.array(np.where(income >= 0, income, 0), dtype="Int64"),
        "origin": pd.array(cols["origin"], dtype="string"),
        "dagtilbud": cols["dagtilbud"].astype(bool),
        "grade9_dansk": cols["grade9_dansk"],
        "grade9_matematik": cols["grade9_matematik"],
    })
    persons.loc[income < 0, "income"] = pd.NA
    persons = persons.sort_values(["year", "estate_id", "person_id"], kind="stable").reset_index(drop=True)

    truth = {
        "generator": GENERATOR_VERSION,
        "profile": prof.name,
        "seed": seed,
        "synthetic": True,
        "source": "Syntetiske data",
        "years": [int(years[0]), int(years[-1])],
        "plan": plan["id"],
        "treated_estates": [str(x) for x in estates.loc[in_plan, "estate_id"]],
        "treatment_start_year": {str(r.estate_id): int(r.start_year) for r in estates[in_plan].itertuples()},
        "effect": {
            "measure": "sigtet_mistaenkt",
            "age_band": "10-17",
            "description": ("From the start year on, the yearly probability that a 10-17-year-old "
                            "resident of a plan estate is suspected or charged (straffeloven, "
                            "våbenloven, lov om euforiserende stoffer) is lower by effect_pp "
                            "percentage points. No effect on the 15+ measures."),
        },
        "effect_pp": prof.effect_pp,
        "att_realised_pp": round(att, 4),
        "counterfactual": "parallel trends: plan areas follow the comparison estates' year pattern",
        "plans": [p["id"] for p in plans],
        "plan_start_year": {p["id"]: p["start_year"] for p in plans},
        "plan_estates": {p["id"]: [x["id"] for x in p["estates"]] for p in plans},
        # known effects per plan and focus-area outcome, in percentage points: the realised
        # effect on the treated person-years (both potential outcomes drawn with common random
        # numbers; it includes the other effects of the plan, e.g. employment on NEET);
        # effects_design = the shifts of the yearly probabilities (fraflyttere: of leaving the
        # estate) from the plan's start year on
        "effects": realised,
        "effects_design": {p["id"]: effects_of[p["id"]] for p in plans},
        "pinned": {"sigtet_mistaenkt_10_17_plan": {str(k): v for k, v in pinned_youth.items()},
                   "persons_15plus_plan_part": pinned_adult},
    }
    return {"persons": persons, "events": events, "estates": estates, "truth": truth}
