"""``evaluering synth``: a synthetic register (seeded, known effect), national scale or a profile."""

from __future__ import annotations

from evaluering.fmt import number as _n  # Danish thousands point

HELP = "Generér syntetiske registerdata (seedet, med kendt effekt)"


def _years(text: str) -> tuple[int, int]:
    import argparse

    try:
        a, _, b = text.partition("-")
        first, last = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError("use A-B, e.g. 2005-2024") from None
    if last < first:
        raise argparse.ArgumentTypeError("the last year is before the first")
    return first, last


def add_arguments(parser) -> None:
    parser.add_argument("--persons", type=int, default=None, help="antal personer (national skala)")
    parser.add_argument("--years", type=_years, default=(2005, 2024), help="år A-B (standard 2005-2024)")
    parser.add_argument("--seed", type=int, default=None, help="seed (standard 1; profil: profilens)")
    parser.add_argument("--out", default=None, help="outputmappe (standard: data/raw/synthetic/national)")
    parser.add_argument("--chunk-rows", type=int, default=5_000_000, help="personår pr. blok (hukommelse)")
    parser.add_argument("--effect-pp", type=float, default=-1.0, help="kendt effekt i procentpoint (10-17-årige)")
    parser.add_argument("--profile", default=None, help="lille profil i stedet (fx aalborg-oest)")


def run(args) -> int:
    from pathlib import Path

    from evaluering.errors import EvalueringError
    from evaluering.plan import project_root

    if args.profile:
        from evaluering.synth import PROFILES, generate_register, write_register

        if args.profile not in PROFILES:
            raise EvalueringError(f"unknown profile '{args.profile}' (known: {', '.join(PROFILES)})")
        out = Path(args.out) if args.out else project_root() / "data" / "raw" / "synthetic"
        reg = generate_register(args.profile, seed=args.seed)
        write_register(reg, out)
        print(f"{_n(len(reg['persons']))} personår, {_n(len(reg['events']))} hændelser (Syntetiske data) -> {out}")
        return 0
    if not args.persons or args.persons <= 0:
        raise EvalueringError("give --persons N (a positive number) or --profile NAME")
    if args.chunk_rows <= 0:
        raise EvalueringError("--chunk-rows must be positive")
    from evaluering.synth.national import generate_national

    out = Path(args.out) if args.out else project_root() / "data" / "raw" / "synthetic" / "national"
    paths = generate_national(args.persons, args.years, out, seed=1 if args.seed is None else args.seed,
                              chunk_rows=args.chunk_rows, effect_pp=args.effect_pp, progress=not args.quiet)
    import json

    truth = json.loads(paths["truth"].read_text(encoding="utf-8"))
    print(f"{_n(truth['person_years'])} personår, {_n(truth['events'])} hændelser, {truth['plans']} planer "
          f"(Syntetiske data) -> {out}")
    return 0
