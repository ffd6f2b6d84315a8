"""Monte Carlo: coverage of the synthetic DiD placebo interval (nominal 95 %).

The data-generating process of ``montecarlo_did.py`` (23 estates, 10 years, 8 treated from
year 6, binomial cells with estate levels, common year effects and AR(1) shocks, effect
``tau``), design ``equal`` or ``unequal`` populations. Each replication fits
:func:`evaluering.did.synthdid` on the estate-year rates with the placebo variance
(Arkhangelsky et al. 2021, Algorithm 4; ``--placebos`` replications) and records whether
``tau +- 1.96 se`` contains ``tau``; also the bias and the ratio of the mean placebo SE to the
Monte Carlo SD of the estimate.

Usage: ``python benchmarks/montecarlo_synth.py [--reps 200] [--placebos 200] [--seed 1]``;
prints a Markdown table (for docs/did.md). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from montecarlo_did import TAU, simulate  # noqa: E402  (same folder)

from evaluering.did import synthdid


def one_rep(rng, design, placebos, seed):
    y, _, unit, time_, start, n = simulate(rng, design)
    panel = pd.DataFrame({"unit": unit, "time": time_, "start": start[unit], "y": y})
    r = synthdid(panel, outcome="y", replications=placebos, seed=seed)
    row = r.tidy().iloc[0]
    return float(row["estimate"]), float(row["std_error"]), bool(row["conf_low"] <= TAU <= row["conf_high"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--placebos", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--designs", default="equal,unequal")
    args = ap.parse_args(argv)
    from tqdm.auto import tqdm

    print("| design | reps | coverage | MC SE | bias | mean SE / SD |")
    print("|---|---|---|---|---|---|")
    for design in args.designs.split(","):
        rng = np.random.default_rng(args.seed)
        t0 = time.perf_counter()
        res = [one_rep(rng, design, args.placebos, args.seed + i)
               for i in tqdm(range(args.reps), desc=design, file=sys.stderr)]
        est, se, cov = map(np.array, zip(*res))
        c = cov.mean()
        print(f"| {design} | {args.reps} | {100 * c:.1f} % | {100 * np.sqrt(c * (1 - c) / args.reps):.1f} pp | "
              f"{est.mean() - TAU:+.5f} | {se.mean() / est.std(ddof=1):.2f} |", flush=True)
        print(f"<!-- {design}: {time.perf_counter() - t0:.0f} s -->", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
