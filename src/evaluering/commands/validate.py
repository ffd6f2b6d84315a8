"""``evaluering validate PATH [--kind KIND] [--plan PLAN]``: check an input file.

Prints ``OK: <summary>`` (exit 0) or the first problems as ``file:row:column: what is
wrong`` on stderr (exit 2). Writes nothing. ``PATH`` may be a folder: every CSV, Excel,
Parquet and YAML file in it is checked (kinds guessed), one summary or problem list each.
"""

from __future__ import annotations

import sys

HELP = "Kontrollér én inputfil mod sit skema"



def add_arguments(parser) -> None:
    from ..sources.validate import KINDS
    parser.add_argument("path", help="the input file (CSV, Excel, Parquet, SAS7BDAT or plan YAML), or a folder of them")
    parser.add_argument("--kind", choices=KINDS, default=None,
                        help="what kind of file it is (default: guessed from the headers)")
    parser.add_argument("--plan", default=None,
                        help="check area ids and years against this plan (id or plan file)")
    parser.add_argument("--max-problems", type=int, default=10,
                        help="how many problems to print per file (default 10)")


def run(args) -> int:
    from pathlib import Path

    from ..sources.validate import SUFFIXES, validate_file

    path = Path(args.path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$")))
        if not files:
            from ..errors import InputError
            raise InputError(path, "no CSV, Excel, Parquet or YAML files in the folder")

    else:
        files = [path]
    bad = 0
    for f in files:
        result = validate_file(f, kind=args.kind, plan=args.plan)
        lines = result.lines(limit=max(1, args.max_problems))
        if result.ok:
            print(lines[0] if len(files) == 1 else f"{f}: {lines[0]}")
            continue
        bad += 1
        for line in lines:
            print(line, file=sys.stderr)
    return 2 if bad else 0
