"""``evaluering area-criteria --year YYYY [--plans DIR] [--cells PATH] [--format json|table]``.

Classifies every plan's area (its estates pooled) by the official area criteria of
almenboligloven § 61 a and § 61 b (:mod:`evaluering.area_criteria`): the four criteria
with their values, thresholds and distances, the non-Western share, the status and the year
the area would leave the list at its current trend. ``json`` is a list of areas, each with
``area``, ``year``, ``residents``, ``criteria`` (each ``id``, ``value``, ``threshold``,
``met``) and ``status``.
"""

from __future__ import annotations

HELP = "Områdekriterierne (almenboligloven § 61 a/b) for hver plans område"


def add_arguments(parser) -> None:
    parser.add_argument("--year", required=True, type=int, help="dataåret, fx 2020")
    parser.add_argument("--plans", default=None, help="mappe med planfiler (standard: data/raw/plans)")
    parser.add_argument("--cells", default=None, help="tælleceller (standard: hver plans data.cells)")
    parser.add_argument("--format", choices=("json", "table"), default="table",
                        help="json (maskinlæsbar) eller table (standard)")
    parser.add_argument("--threshold", type=int, default=3,
                        help="diskretionering: værdier af antal under denne grænse vises ikke (standard 3)")


def _table(areas: list[dict]) -> str:
    from ..fmt import number, signed

    lines = []
    for a in areas:
        res = number(a["residents"]) if a["residents"] is not None else "–"
        lines.append(f"{a['name']} ({a['area']}), {a['year']}: {a['status']}; {res} beboere")
        for c in a["criteria"]:
            v = c["reason"] if c["value"] is None else number(c["value"], 1)
            d = "" if c["distance"] is None else f" (afstand {signed(c['distance'], 1)})"
            met = {True: "opfyldt", False: "ikke opfyldt"}.get(c["met"], "ukendt")
            lines.append(f"  {c['number']}. {c['label']}: {v} {c['comparison']} {number(c['threshold'], 0)}: {met}{d}")
        nw = a["non_western"]
        v = nw["reason"] if nw["value"] is None else number(nw["value"], 1)
        lines.append(f"  {nw['label']}: {v} (> {number(nw['threshold'], 0)} / > {number(nw['threshold_forebyggelse'], 0)})")
        if a.get("leaves_list_year"):
            lines.append(f"  Forlader listen ved den nuværende tendens: {a['leaves_list_year']}")
        elif a.get("leaves_list_note"):
            lines.append(f"  {a['leaves_list_note']}")
        lines.append("")
    return "\n".join(lines).rstrip()


def run(args) -> int:
    import json

    from ..area_criteria import classify_plans
    from ..evaluation import _jsonable

    cells = None
    if args.cells:
        from pathlib import Path

        import pandas as pd

        from ..cellschema import check_cells

        p = Path(args.cells)
        df = pd.read_csv(p, dtype={"area": str}) if p.suffix == ".csv" else pd.read_parquet(p)
        cells = check_cells(df, str(p))
    areas = classify_plans(args.year, args.plans, cells=cells, threshold=args.threshold)
    if args.format == "json":
        print(json.dumps(_jsonable(areas), ensure_ascii=False, indent=1))
    else:
        print(_table(areas))
    return 0
