"""Monte Carlo: coverage of nominal 95 % intervals with 8 treated of 23 estates (clusters).

Data-generating process (estate-year count cells, like the application): 23 estates, 10
years, 8 estates start in year 6. Each estate-year has a population ``n`` and a count
``Binomial(n, p)`` with ``p = a_i + b_t + tau * D + u_it``, estate levels ``a_i``, common year
effects ``b_t``, AR(1) estate shocks ``u_it`` (rho 0.5) and a constant effect ``tau``. The
estimator is the population-weighted TWFE on the cells. Designs:

``equal``      populations around 300 in every estate;
``unequal``    log-normal populations (a few large estates dominate the weights), with the
               treated estates among the large ones: the hard case for CR1.

Coverage is the share of replications whose interval contains ``tau``; for the wild
cluster bootstrap (WCR, Rademacher, 999 draws) and randomization inference (999
re-assignments) it is the share whose test of ``tau`` does not reject at 5 % (test inversion).

Callaway-Sant'Anna and event-study methods (``--methods``; the same data):

``cs``          CS simple ATT, analytic influence-function SE, normal interval;
``cs_dr``       doubly robust CS with one estate-level covariate (a composition share,
                unrelated to the outcome: adjusting must not cost coverage), analytic SE;
``cs_mboot``    CS, multiplier bootstrap SE (999 Rademacher draws, clusters = estates);
``cs_band``     simultaneous coverage of the uniform band (sup-t, 999 draws) for all
                dynamic effects e = -5..4 (true: 0 before, ``tau`` after the start);
``cs_wild``     CS, wild cluster bootstrap-t of the influence function (999 draws);
``cs_ri``       CS, randomization inference (studentized; ``--n-perm`` re-assignments);
``ev_wild``     event study post average, WCR bootstrap of the contrast (999 draws);
``ev_ri``       event study post average, randomization inference (``--n-perm``).

Usage: ``python benchmarks/montecarlo_did.py [--reps 1000] [--seed 1] [--methods ...]``
prints a Markdown table (for docs/did.md). Not part of the test suite. On 2 shared cores
``--reps 300 --n-perm 199`` of all methods took 21 minutes (docs/did.md has the table).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from scipy import stats

from evaluering.did.cs import att_gt
from evaluering.did.cs_inference import ri_simple
from evaluering.did.event import event_design
from evaluering.did.event_inference import event_ri
from evaluering.did.mboot import MbootResult, band_crit, multiplier_bootstrap, sup_t
from evaluering.did.ri import randomization_inference
from evaluering.did.twfe import fit_twfe
from evaluering.did.vcov import cluster_vcov
from evaluering.did.wild import wild_cluster_bootstrap, wild_score_bootstrap

G, T, N_TREATED, START, TAU = 23, 10, 8, 6, -0.012


def simulate(rng: np.random.Generator, design: str):
    if design == "equal":
        pop = rng.integers(250, 350, size=G)
    else:
        pop = np.round(np.exp(rng.normal(5.3, 0.9, size=G))).astype(int) + 20
        order = np.argsort(-pop)  # treated among the largest half, by lottery
        top = order[: G // 2 + 1]
        treated = rng.choice(top, N_TREATED, replace=False)
    start = np.zeros(G, dtype=int)
    if design == "equal":
        treated = rng.choice(G, N_TREATED, replace=False)
    start[treated] = START
    a = rng.normal(0.05, 0.012, G)
    b = np.cumsum(rng.normal(0, 0.003, T))
    u = np.zeros((G, T))
    eps = rng.normal(0, 0.006, (G, T))
    u[:, 0] = eps[:, 0]
    for t in range(1, T):
        u[:, t] = 0.5 * u[:, t - 1] + eps[:, t]
    unit = np.repeat(np.arange(G), T)
    time_ = np.tile(np.arange(T), G)
    d = ((start[unit] > 0) & (time_ >= start[unit])).astype(float)
    p = np.clip(a[unit] + b[time_] + TAU * d + u.ravel(), 0.001, 0.999)
    n = np.repeat(pop, T) * rng.uniform(0.9, 1.1, G * T)
    n = np.round(n).astype(int)
    y = rng.binomial(n, p) / n
    x = rng.uniform(0.1, 0.4, G)  # an estate composition share, drawn last (same stream as before)
    return y, d, unit, time_, start, n, x


TWFE_METHODS = ("CR1", "CR2", "wild", "RI")
CS_METHODS = ("cs", "cs_dr", "cs_mboot", "cs_band", "cs_wild", "cs_ri", "ev_wild", "ev_ri")


def one_rep(rng, design, n_boot, n_perm, seed, methods):
    y, d, unit, time_, start, n, x = simulate(rng, design)
    out = {}
    if set(methods) & set(TWFE_METHODS):
        fit = fit_twfe(y, d, unit, time_, weights=n)
        for kind in ("CR1", "CR2"):
            v = cluster_vcov(fit, kind)
            se, df = v.se()[0], v.df(np.array([1.0]))
            crit = stats.t.ppf(0.975, df)
            out[kind] = abs(fit.coef[0] - TAU) <= crit * se
        if "wild" in methods:
            out["wild"] = wild_cluster_bootstrap(fit, h0=TAU, n_boot=n_boot, seed=seed, ci=False).p_value > 0.05
        if "RI" in methods:
            out["RI"] = randomization_inference(y, unit, time_, start, weights=n, h0=TAU, n_perm=n_perm,
                                                seed=seed, ci=False).p_value > 0.05
    z = stats.norm.ppf(0.975)
    if set(methods) & {"cs", "cs_mboot", "cs_band", "cs_wild", "cs_ri"}:
        res = att_gt(y, unit, time_, start[unit], weights=n)
        att, inf = res.simple()
        se = res._se(inf)
        out["cs"] = abs(att - TAU) <= z * se
        if "cs_mboot" in methods or "cs_band" in methods:
            dyn = res.aggregate("dynamic")
            mb = multiplier_bootstrap(np.column_stack([inf, dyn.level_inf]), biters=n_boot, seed=seed)
            out["cs_mboot"] = abs(att - TAU) <= z * mb.se[0]
            sub = np.arange(1, mb.se.shape[0])
            crit = band_crit(MbootResult(se=mb.se[sub], crit=sup_t(mb.bres[:, sub], mb.sigma[sub]), bres=None,
                                         n_clusters=G, biters=n_boot, weights="rademacher", seed=seed))
            truth = np.where(dyn.table["level"].to_numpy() >= 0, TAU, 0.0)
            out["cs_band"] = bool(np.all(np.abs(dyn.table["att"].to_numpy() - truth) <= crit * mb.se[sub]))
        if "cs_wild" in methods:
            out["cs_wild"] = wild_score_bootstrap(inf[:, None] / res.n_units, [att], h0=TAU, n_boot=n_boot,
                                                  seed=seed).p_value[0] > 0.05
        if "cs_ri" in methods:
            out["cs_ri"] = ri_simple(res, n_perm=n_perm, seed=seed, h0=TAU, ci=False)["p_value"] > 0.05
    if "cs_dr" in methods:
        r = att_gt(y, unit, time_, start[unit], weights=n, covariates=x[unit][:, None], est_method="dr")
        a2, i2 = r.simple()
        out["cs_dr"] = abs(a2 - TAU) <= z * r._se(i2)
    if "ev_wild" in methods or "ev_ri" in methods:
        leads, lags = 5, 4
        X, names, events = event_design(time_, start[unit], leads, lags)
        efit = fit_twfe(y, X, unit, time_, weights=n)
        post = (events >= 0) / (events >= 0).sum()
        if "ev_wild" in methods:
            out["ev_wild"] = wild_cluster_bootstrap(efit, h0=TAU, n_boot=n_boot, seed=seed, ci=False,
                                                    contrast=post).p_value > 0.05
        if "ev_ri" in methods:
            out["ev_ri"] = event_ri(y, unit, time_, start[unit], n, leads, lags, n_perm=n_perm, seed=seed, h0=TAU,
                                    ci=False)["p_value"] > 0.05
    return {m: out[m] for m in methods}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=999)
    ap.add_argument("--n-perm", type=int, default=999)
    ap.add_argument("--designs", default="equal,unequal")
    ap.add_argument("--methods", default=",".join(TWFE_METHODS + CS_METHODS),
                    help="comma-separated: " + ", ".join(TWFE_METHODS + CS_METHODS))
    args = ap.parse_args(argv)
    from tqdm import tqdm

    methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    rows = []
    t0 = time.perf_counter()
    for design in args.designs.split(","):
        rng = np.random.default_rng([args.seed, len(design)])
        hits = {m: 0 for m in methods}
        for r in tqdm(range(args.reps), desc=design, disable=not sys.stderr.isatty()):
            res = one_rep(rng, design, args.n_boot, args.n_perm, seed=args.seed * 100_000 + r, methods=methods)
            for m in methods:
                hits[m] += bool(res[m])
        rows.append((design, {m: hits[m] / args.reps for m in methods}))
    mc_se = np.sqrt(0.95 * 0.05 / args.reps)
    print(f"| design | {' | '.join(methods)} |")
    print(f"|---|{'---|' * len(methods)}")
    for design, cov in rows:
        print(f"| {design} | " + " | ".join(f"{100 * cov[m]:.1f} %" for m in methods) + " |")
    print(f"\n{args.reps} replications per design, seed {args.seed}; Monte Carlo SE of a coverage near 95 %: "
          f"{100 * mc_se:.1f} pp; {time.perf_counter() - t0:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
