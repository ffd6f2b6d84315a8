"""``evaluering did PANEL.csv ...``: difference-in-differences on a cell panel.

Example::

    evaluering did panel.csv --unit afdeling --time aar --start start \\
        --count sigtede --population personer --estimator twfe --format json
"""

from __future__ import annotations

import argparse

HELP = "Difference-in-differences på et cellepanel (TWFE, event study, Callaway-Sant'Anna)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("panel", metavar="PANEL.csv", help="panel: én række pr. enhed og periode (CSV)")
    parser.add_argument("--unit", required=True, metavar="COL", help="enhedskolonne (boligafdeling)")
    parser.add_argument("--time", required=True, metavar="COL", help="periodekolonne (år)")
    parser.add_argument("--start", required=True, metavar="COL",
                        help="første behandlede periode pr. enhed (0 = aldrig behandlet)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--outcome", metavar="COL", help="udfaldskolonne")
    what.add_argument("--count", metavar="COL", help="tællerkolonne (udfald = tæller/population)")
    parser.add_argument("--population", metavar="COL", help="populationskolonne (kræves med --count)")
    parser.add_argument("--weights", metavar="COL",
                        help="vægtkolonne (personer); 'none' = uvægtet. Standard: populationen ved --count")
    parser.add_argument("--estimator", choices=("twfe", "event", "cs"), default="twfe")
    parser.add_argument("--control", choices=("never", "notyet"), default="never",
                        help="kontrolgruppe for cs (aldrig / endnu ikke behandlede)")
    parser.add_argument("--vcov", choices=("CR0", "CR1", "CR2"), default=None,
                        help="klyngerobust varians (standard: CR2 under 50 klynger, ellers CR1)")
    parser.add_argument("--inference", choices=("analytic", "wild", "ri"), default="analytic",
                        help="analytisk, vild cluster-bootstrap eller randomiseringsinferens (twfe, event, cs)")
    parser.add_argument("--wild-weights", choices=("rademacher", "webb"), default="rademacher")
    parser.add_argument("--n-boot", type=int, default=9999, metavar="B", help="bootstrap-træk (standard 9999)")
    parser.add_argument("--n-perm", type=int, default=9999, metavar="P", help="permutationer (standard 9999)")
    parser.add_argument("--seed", type=int, default=20170201, help="seed for bootstrap og permutationer")
    parser.add_argument("--leads", type=int, default=None, help="event: antal leads (samlet endepunkt)")
    parser.add_argument("--lags", type=int, default=None, help="event: antal lags (samlet endepunkt)")
    parser.add_argument("--level", type=float, default=0.95, help="konfidensniveau (standard 0,95)")
    parser.add_argument("--covariates", metavar="A,B,C", default=None,
                        help="cs: kovariater (enhedsniveau, før start; basisperiodens værdi), kommasepareret")
    parser.add_argument("--est-method", choices=("dr", "ipw", "reg"), default="dr",
                        help="cs med kovariater: dobbelt robust (standard), IPW eller udfaldsregression")
    parser.add_argument("--bootstrap", choices=("none", "multiplier"), default="none",
                        help="cs: multiplikator-bootstrap (klynger = enheder) som R did")
    parser.add_argument("--multiplier-weights", choices=("rademacher", "mammen"), default="rademacher",
                        help="cs: vægte i multiplikator-bootstrap (standard rademacher som R did)")
    parser.add_argument("--biters", type=int, default=999, metavar="B", help="cs: bootstrap-træk (standard 999)")
    parser.add_argument("--cband", action=argparse.BooleanOptionalAction, default=True,
                        help="cs med bootstrap: simultane (uniforme) konfidensbånd (standard) / punktvise")
    parser.add_argument("--allow-unbalanced-panel", action="store_true",
                        help="cs: behold ubalancerede enheder (estimatorer for gentagne tværsnit)")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args) -> int:
    import json

    from ..errors import EvalueringError, InputError
    from ..did import estimate, prepare_panel, read_panel_csv

    if args.count is not None and args.population is None:
        raise EvalueringError("--count kræver --population")
    if args.outcome is not None and args.population is not None:
        raise EvalueringError("--population bruges kun sammen med --count")
    if not 0 < args.level < 1:
        raise EvalueringError("--level skal ligge mellem 0 og 1")
    raw = read_panel_csv(args.panel)
    weights = "auto" if args.weights is None else args.weights
    df = prepare_panel(raw, args.unit, args.time, args.start, outcome=args.outcome, count=args.count,
                       population=args.population, weights=weights, where=args.panel)
    kwargs = {"vcov": args.vcov, "level": args.level}
    if args.estimator == "twfe":
        kwargs.update(inference=args.inference, wild_weights=args.wild_weights, n_boot=args.n_boot,
                      n_perm=args.n_perm, seed=args.seed)
    if args.estimator == "event":
        kwargs.update(leads=args.leads, lags=args.lags, inference=args.inference, wild_weights=args.wild_weights,
                      n_boot=args.n_boot, n_perm=args.n_perm, seed=args.seed)
    if args.estimator != "cs" and (args.covariates or args.bootstrap != "none"):
        raise EvalueringError("--covariates og --bootstrap findes kun for --estimator cs")
    if args.biters < 1:
        raise EvalueringError("--biters skal være mindst 1")
    if args.estimator == "cs":
        kwargs = {"control": args.control, "level": args.level, "covariates": args.covariates,
                  "est_method": args.est_method, "bootstrap": args.bootstrap, "biters": args.biters,
                  "multiplier_weights": args.multiplier_weights,
                  "cband": args.cband, "seed": args.seed, "inference": args.inference,
                  "wild_weights": args.wild_weights, "n_boot": args.n_boot, "n_perm": args.n_perm,
                  "allow_unbalanced_panel": args.allow_unbalanced_panel}
        if args.covariates:
            from ..did.covariates import covariate_matrix, parse_covariates

            names = parse_covariates(args.covariates)
            X = covariate_matrix(raw, df, names, args.unit, args.time, where=args.panel)
            df = df.copy()
            for j, c in enumerate(names):
                df[c] = X[:, j]
    try:
        result = estimate(df, args.estimator, **kwargs)
    except ValueError as err:
        raise InputError(args.panel, str(err)) from None
    result.outcome = args.outcome or args.count
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))
    else:
        print(result.summary())
    return 0
