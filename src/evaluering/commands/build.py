"""``evaluering build``: data/processed/ from data/raw/ (synthetic register and count cells).

Steps, each skipped when its outputs are newer than its inputs (``--force`` redoes them):

1. the bundled synthetic register of the profile (default ``aalborg-oest``) in
   ``data/raw/synthetic/``: persons.parquet, events.parquet, estates.csv, truth.json;
2. the count cells ``data/processed/cells.parquet``: estate, plan_part and plan levels from
   the register's persons (DuckDB), municipality/almene/country levels from synthetic
   aggregate cells. All cells are marked "Syntetiske data".
"""

from __future__ import annotations

HELP = "Byg data/processed/ fra data/raw/ (syntetiske data og tælleceller)"


def add_arguments(parser) -> None:
    parser.add_argument("--profile", default="aalborg-oest", help="syntetisk profil (standard: aalborg-oest)")
    parser.add_argument("--seed", type=int, default=None, help="seed (standard: profilens)")
    parser.add_argument("--force", action="store_true", help="byg alt igen, også når det er opdateret")
    parser.add_argument("--root", default=None, help="projektmappe (standard: den med data/raw)")


def run(args) -> int:
    from pathlib import Path

    from evaluering.synth.build import build

    root = Path(args.root) if args.root else None
    summary = build(profile=args.profile, seed=args.seed, force=args.force, root=root,
                    progress=not getattr(args, "quiet", False))
    for line in summary:
        print(line)
    return 0
