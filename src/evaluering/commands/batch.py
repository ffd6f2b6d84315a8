"""``evaluering batch``: every plan's yearly report, ``index.html`` and ``summary.csv``."""

from __future__ import annotations

import argparse

from .report import add_output_options

HELP = "Skriv årsrapporterne for alle planer i data/raw/plans/ med index.html og summary.csv"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", required=True, type=int, metavar="YYYY", help="rapportåret")
    parser.add_argument("--plans", metavar="DIR", help="mappe med planfiler (standard: data/raw/plans)")
    parser.add_argument("--workers", type=_positive, default=None, metavar="N",
                        help="antal parallelle processer, hver med en varm kerne (standard: antal kerner, højst 4)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="send arbejdet til en Dask-scheduler (tcp://host:8786) eller 'local' for en lokal klynge")
    parser.add_argument("--force", action="store_true", help="skriv alle rapporter, også de uændrede")
    parser.add_argument("--cold", action="store_true", help="start en ny kerne for hver plan (langsommere)")
    add_output_options(parser)


def run(args) -> int:
    import os
    import sys

    from ..reporting.batch import run_batch

    workers = args.workers or max(1, min(os.cpu_count() or 1, 4))
    progress = False if args.quiet else None
    batch = run_batch(args.year, plans_dir=args.plans, out=args.out, notebook=args.notebook,
                      workers=workers, scheduler=args.scheduler, pdf=args.pdf, force=args.force,
                      progress=progress, warm=not args.cold, kernel_name=args.kernel,
                      show_run_date=args.show_run_date, disclosure_threshold=args.disclosure_threshold,
                      mode=args.mode)
    c = batch.counts()
    n = len(batch.results)
    print(f"{n} {'plan' if n == 1 else 'planer'}: {c['ok']} skrevet, {c['skipped']} uændrede, {c['failed']} fejlede")
    print(f"oversigt: {batch.index['index']}")
    print(f"resumé:   {batch.index['summary']}")
    from pathlib import Path

    out_dir = Path(batch.index["index"]).parent
    for r in batch.results:
        if r.ok and "html" in r.files:
            print(f"rapport:  {out_dir / r.files['html']}")
    for r in batch.results:
        for warning in r.warnings:
            print(f"advarsel: plan {r.plan_id}: {warning}", file=sys.stderr)
    for r in batch.failed:
        print(f"fejl: plan {r.plan_id}: {r.error}", file=sys.stderr)
    return batch.exit_code
