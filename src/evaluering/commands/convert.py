"""``evaluering convert``: build the report's inputs (count cells, published values, a plan
file pointing at them) from a StatBank cache, LBF exports and the local logs."""

from __future__ import annotations

import argparse

HELP = "Byg rapportens input fra Statistikbanken-cache, LBF-eksport og lokale logs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", required=True, metavar="ID", help="planens id eller planfil")
    parser.add_argument("--out", required=True, metavar="DIR", help="outputmappe (skrives atomisk)")
    parser.add_argument("--dst-cache", metavar="DIR", help="Statistikbanken-cache (data/raw/dst)")
    parser.add_argument("--lbf", action="append", default=[], metavar="FILE", help="en LBF-eksport (kan gentages)")
    parser.add_argument("--lbf-sheet", metavar="NAME", help="arkets navn i LBF-eksporterne (standard: første)")
    parser.add_argument("--logs", metavar="DIR", help="mappe med de lokale logs (CSV/Excel)")
    parser.add_argument("--printed", metavar="DIR",
                        help="mappe med kildedokumentets trykte tabeller, der skal med (fx data/raw/published)")


def run(args) -> int:
    from ..sources.convert import convert

    res = convert(args.plan, args.out, dst_cache=args.dst_cache, lbf=args.lbf, logs=args.logs,
                  lbf_sheet=args.lbf_sheet, printed=args.printed)
    print("\n".join(res.lines()))
    return 0
