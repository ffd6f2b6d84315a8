"""``evaluering cells``: register extracts (Parquet/CSV/SAS7BDAT) -> count cells (Parquet)."""

from __future__ import annotations

from evaluering.fmt import number as _n  # Danish thousands point

HELP = "Registerudtræk -> tælleceller (Parquet) i data/processed/"


def _levels(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _years(text: str) -> tuple[int, ...]:
    import argparse

    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("use years separated by commas, e.g. 2016,2019") from None


def add_arguments(parser) -> None:
    parser.add_argument("--persons", required=True, help="personår: Parquet (fil eller mappe), CSV eller SAS7BDAT")
    parser.add_argument("--events", required=True, help="hændelser (mistanke/sigtelse/afgørelse)")
    parser.add_argument("--estates", required=True, help="afdelingskort: estate_id, plan_id, plan_part, municipality")
    parser.add_argument("--out", default=None, help="output (standard: data/processed/cells.parquet)")
    parser.add_argument("--engine", choices=("duckdb", "dask"), default="duckdb")
    parser.add_argument("--scheduler", default=None, help="Dask-scheduler ADDRESS (standard: lokal klynge)")
    parser.add_argument("--memory-limit", default=None, help="hukommelsesgrænse, fx 4GB")
    parser.add_argument("--threads", type=int, default=None, help="antal tråde")
    parser.add_argument("--levels", type=_levels, default=None,
                        help="kommaseparerede niveauer (standard: alle som data understøtter)")
    parser.add_argument("--source", default=None, help="kildetekst i cellerne (standard: DST register / Syntetiske data)")
    parser.add_argument("--synthetic", action="store_true",
                        help="markér cellerne som syntetiske (Parquet fra 'evaluering synth' markeres automatisk)")
    parser.add_argument("--cohort-years", type=_years, default=None,
                        help="basisår for beboerkohorter (niveauerne cohort, cohort_stayers, cohort_stayers_base; "
                             "standard: året før hver startår i afdelingskortet)")
    parser.add_argument("--no-duplicate-check", action="store_true",
                        help="spring kontrollen af dobbelte personår over (hurtigere på meget store udtræk)")


def run(args) -> int:
    from pathlib import Path

    from evaluering.cells import count_cells
    from evaluering.plan import project_root

    out = Path(args.out) if args.out else project_root() / "data" / "processed" / "cells.parquet"
    if args.scheduler and args.engine != "dask":
        from evaluering.errors import EvalueringError

        raise EvalueringError("--scheduler needs --engine dask")
    res = count_cells(args.persons, args.events, args.estates, out=out, engine=args.engine,
                      scheduler=args.scheduler, memory_limit=args.memory_limit, threads=args.threads,
                      levels=args.levels, source=args.source, synthetic=True if args.synthetic else None,
                      progress=not args.quiet,
                      check_duplicates=not args.no_duplicate_check, cohort_years=args.cohort_years)
    s = res.stats
    mark = " (Syntetiske data)" if bool(res.cells["synthetic"].any()) else ""
    print(f"{_n(s['person_years'])} personår, {_n(s['events'])} hændelser -> {_n(s['cells'])} celler{mark} -> {out}")
    if s.get("event_person_years_without_residence"):
        print(f"bemærk: {_n(s['event_person_years_without_residence'])} personår med hændelser uden bopæl "
              f"1. januar i udtrækket indgår ikke")
    return 0
