"""The optional register columns of the synthetic register, with known effects.

Per person (constant): ``origin`` and the highest education the person will reach; per
person-year: ``status`` (socioøkonomisk status), ``in_education``, ``income``,
``dagtilbud`` (ages 1-5), ``grade9_dansk``/``grade9_matematik`` (age 15, the year of the
9th-grade exam), ``education`` (by age). The levels are those of
:data:`evaluering.synth.profiles.REGISTER_LEVELS` (each with its source or assumption).

Status is drawn from one uniform number per person-year against age-specific thresholds in
the order *employed | outside work and education | in education | other (sygedagpenge,
barsel, efterløn)*. A known effect moves a threshold for treated person-years, with common
random numbers, so both potential outcomes are known and ``realised`` gives the realised
effect on the treated (percentage points):

* ``uden_for_arbejde_uddannelse`` (18-64) and ``beskaeftigede`` (16-64): mass moves between
  outside and employed;
* ``neet`` (15-24): mass moves from outside into education;
* ``dagtilbud_1_5``: the probability of a place changes.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> cols, real = draw_register_columns(rng, person=np.array([1, 1]), age=np.array([30, 31]),
...     group=np.array(["plan", "plan"]), treated=np.array([False, True]),
...     effects={"uden_for_arbejde_uddannelse": -3.0})
>>> sorted(cols)[:3]
['dagtilbud', 'education', 'grade9_dansk']
"""

from __future__ import annotations

import numpy as np

from .profiles import REGISTER_LEVELS

__all__ = ["draw_register_columns", "STATUS_OUTSIDE", "STATUS_EMPLOYED"]

STATUS_OUTSIDE = ("ledig", "kontanthjaelp", "uddannelseshjaelp", "selvforsoergelsesydelse", "foertidspension")
STATUS_EMPLOYED = ("beskaeftiget", "selvstaendig", "fleksjob")


def _pick(u: np.ndarray, options: tuple[str, ...], weights) -> np.ndarray:
    w = np.cumsum(np.asarray(weights, dtype=float))
    w /= w[-1]
    return np.asarray(options, dtype=object)[np.minimum(np.searchsorted(w, u, side="right"), len(options) - 1)]


def _thresholds(age: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Cumulative thresholds (employed, +outside, +education) per row, shape (n, 3)."""
    out = np.zeros((len(age), 3))
    for g, lv in REGISTER_LEVELS.items():
        sel = group == g
        for (lo, hi), probs in lv["status"].items():
            rows = sel & (age >= lo) & (age <= hi)
            out[rows] = np.cumsum(probs[:3])
    return out


def draw_register_columns(rng: np.random.Generator, person: np.ndarray, age: np.ndarray, group: np.ndarray,
                          treated: np.ndarray, effects: dict[str, float] | None = None,
                          region_income_scale: np.ndarray | None = None) -> tuple[dict, dict]:
    """Register columns for person-years (arrays aligned with ``person``/``age``).

    ``group`` is ``plan`` or ``comparison`` (the calibration of :data:`REGISTER_LEVELS`);
    ``treated`` marks person-years under a plan (from its start year); ``effects`` are the
    percentage-point effects by measure (a number or one value per row). Returns
    ``(columns, potential)``: ``potential[measure] = (population, untreated, treated)``
    boolean arrays, from which the realised effect on any set of treated rows follows.
    """
    effects = effects or {}
    n = len(age)
    group = np.asarray(group, dtype=object)
    # per person: origin, eventual education, school ability
    uniq, first_ix, inv = np.unique(person, return_index=True, return_inverse=True)
    g_person = group[first_ix]
    u_orig = rng.random(len(uniq))
    u_edu = rng.random(len(uniq))
    origin_p = np.empty(len(uniq), dtype=object)
    edu_p = np.empty(len(uniq), dtype=object)
    for g, lv in REGISTER_LEVELS.items():
        sel = g_person == g
        nw, w = lv["origin"]["ikke_vestlig"], lv["origin"]["vestlig"]
        origin_p[sel] = np.where(u_orig[sel] < nw, "ikke_vestlig", np.where(u_orig[sel] < nw + w, "vestlig", "dansk"))
        for orig in ("ikke_vestlig", "other"):
            s2 = sel & ((origin_p == "ikke_vestlig") if orig == "ikke_vestlig" else (origin_p != "ikke_vestlig"))
            edu_p[s2] = _pick(u_edu[s2], ("ukendt", "grundskole", "ungdomsuddannelse", "videregaaende"),
                              lv["education"][orig])
    origin = origin_p[inv]
    eventual = edu_p[inv]
    education = np.where(age < 16, None, np.where(age < 20, "grundskole", eventual)).astype(object)
    young_high = (age >= 20) & (age < 24) & (eventual == "videregaaende")
    education[young_high] = "ungdomsuddannelse"
    education[(age >= 16) & (age < 20) & (eventual == "ukendt")] = "ukendt"

    # status: employed | outside | education | other, by age
    u = rng.random(n)
    t0 = _thresholds(age, group)
    t1 = t0.copy()
    tr = np.asarray(treated, dtype=bool)

    def eff(name):   # a number or one value per row
        return np.broadcast_to(np.asarray(effects.get(name, 0.0), dtype=float) / 100, (n,))

    e_out, e_emp, e_neet = eff("uden_for_arbejde_uddannelse"), eff("beskaeftigede"), eff("neet")
    a1864 = tr & (age >= 18) & (age <= 64)
    t1[a1864, 0] = np.minimum(t1[a1864, 0] - e_out[a1864], t1[a1864, 1])
    a1664 = tr & (age >= 16) & (age <= 64)
    t1[a1664, 0] = np.minimum(t1[a1664, 0] + e_emp[a1664], t1[a1664, 1])
    a1524 = tr & (age >= 15) & (age <= 24)
    t1[a1524, 1] = np.maximum(t1[a1524, 1] + e_neet[a1524], t1[a1524, 0])

    def category(t):
        return np.where(u < t[:, 0], 0, np.where(u < t[:, 1], 1, np.where(u < t[:, 2], 2, 3)))

    c0, c1 = category(t0), category(t1)
    cat = np.where(tr, c1, c0)
    sub = rng.random(n)
    status = np.full(n, None, dtype=object)
    status[age <= 14] = "barn"
    status[age >= 65] = "folkepension"
    work = (age >= 15) & (age <= 64)
    emp = work & (cat == 0)
    status[emp] = _pick(sub[emp], STATUS_EMPLOYED, (0.92, 0.05, 0.03))
    out = work & (cat == 1)
    young = out & (age < 18)
    status[young] = "oevrige"
    mid = out & (age >= 18) & (age < 30)
    status[mid] = _pick(sub[mid], STATUS_OUTSIDE, (0.25, 0.15, 0.35, 0.10, 0.15))
    old = out & (age >= 30)
    status[old] = _pick(sub[old], STATUS_OUTSIDE, (0.20, 0.30, 0.0, 0.10, 0.40))
    edu = work & (cat == 2)
    status[edu] = "under_uddannelse"
    oth = work & (cat == 3)
    status[oth] = np.where(age[oth] >= 60, "efterloen", _pick(sub[oth], ("sygedagpenge", "barsel"), (0.55, 0.45)))
    in_education = work & (cat == 2)

    # income (kr.), 15+: lognormal around the level of the status
    income = np.full(n, -1, dtype=np.int64)
    z = rng.standard_normal(n)
    means = np.zeros(n)
    for g, lv in REGISTER_LEVELS.items():
        sel = group == g
        inc = lv["income"]
        means[sel & emp] = inc["employed"]
        means[sel & out] = inc["outside"]
        means[sel & edu] = inc["education"]
        means[sel & oth] = inc["other"]
        means[sel & (age >= 65)] = inc["pension"]
    if region_income_scale is not None:
        means = means * region_income_scale
    has_income = age >= 15
    income[has_income] = np.round(means[has_income] * np.exp(0.35 * z[has_income] - 0.35 ** 2 / 2), -2).astype(np.int64)

    # dagtilbud, 1-5
    u_d = rng.random(n)
    p_d = np.zeros(n)
    for g, lv in REGISTER_LEVELS.items():
        p_d[group == g] = lv["dagtilbud_1_5"]
    e_d = eff("dagtilbud_1_5")
    small = (age >= 1) & (age <= 5)
    d0 = small & (u_d < p_d)
    d1 = small & (u_d < np.clip(p_d + e_d, 0, 1))
    dag = np.where(tr, d1, d0)

    # 9th-grade exam at age 15: both >= 2 with the group's probability; 4 % without grades
    u_g = rng.random(n)
    p_g = np.zeros(n)
    for g, lv in REGISTER_LEVELS.items():
        p_g[group == g] = lv["dansk_matematik_2"]
    exam = (age == 15) & (rng.random(n) >= 0.04)
    both = exam & (u_g < p_g)
    passing = np.array([2, 4, 7, 10, 12], dtype=float)
    failing = np.array([-3, 0], dtype=float)
    dansk = np.full(n, np.nan)
    mat = np.full(n, np.nan)
    k = rng.integers(0, 5, (n, 2))
    f = rng.integers(0, 2, (n, 2))
    which = rng.integers(0, 3, n)          # who fails: 0 dansk, 1 matematik, 2 both
    dansk[exam] = np.where(both[exam] | (which[exam] == 1), passing[k[exam, 0]], failing[f[exam, 0]])
    mat[exam] = np.where(both[exam] | (which[exam] == 0), passing[k[exam, 1]], failing[f[exam, 1]])

    # potential outcomes (population, untreated, treated) for the realised effects
    realised = {
        "uden_for_arbejde_uddannelse": ((age >= 18) & (age <= 64), c0 == 1, c1 == 1),
        "beskaeftigede": ((age >= 16) & (age <= 64), c0 == 0, c1 == 0),
        "neet": ((age >= 15) & (age <= 24), (c0 == 1) | (c0 == 3), (c1 == 1) | (c1 == 3)),
        "dagtilbud_1_5": (small, d0, d1),
    }
    cols = {
        "status": status, "education": education, "in_education": in_education, "income": income,
        "origin": origin, "dagtilbud": np.where(small, dag, False), "dagtilbud_known": small,
        "grade9_dansk": dansk, "grade9_matematik": mat,
    }
    return cols, realised
