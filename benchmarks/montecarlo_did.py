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

Usage: ``python benchmarks/montecarlo_did.py [--reps 1000] [--seed 1]`` prints a Markdown
table (for docs/did.md). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from scipy import stats

from evaluering.did.ri import randomization_inference
from evaluering.did.twfe import fit_twfe
from evaluering.did.vcov import cluster_vcov
from evaluering.did.wild import wild_cluster_bootstrap

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
    return y, d, unit, time_, start, n


def one_rep(rng, design, n_boot, n_perm, seed):
    y, d, unit, time_, start, n = simulate(rng, design)
    fit = fit_twfe(y, d, unit, time_, weights=n)
    out = {}
    for kind in ("CR1", "CR2"):
        v = cluster_vcov(fit, kind)
        se, df = v.se()[0], v.df(np.array([1.0]))
        crit = stats.t.ppf(0.975, df)
        out[kind] = abs(fit.coef[0] - TAU) <= crit * se
    out["wild"] = wild_cluster_bootstrap(fit, h0=TAU, n_boot=n_boot, seed=seed, ci=False).p_value > 0.05
    out["RI"] = randomization_inference(y, unit, time_, start, weights=n, h0=TAU, n_perm=n_perm,
                                        seed=seed, ci=False).p_value > 0.05
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=999)
    ap.add_argument("--n-perm", type=int, default=999)
    ap.add_argument("--designs", default="equal,unequal")
    args = ap.parse_args(argv)
    from tqdm import tqdm

    methods = ("CR1", "CR2", "wild", "RI")
    rows = []
    t0 = time.perf_counter()
    for design in args.designs.split(","):
        rng = np.random.default_rng([args.seed, len(design)])
        hits = {m: 0 for m in methods}
        for r in tqdm(range(args.reps), desc=design, disable=not sys.stderr.isatty()):
            res = one_rep(rng, design, args.n_boot, args.n_perm, seed=args.seed * 100_000 + r)
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
