"""``evaluering report``: one plan's yearly report (HTML, ipynb, JSON, PDF) under
``reports/<year>/``; prints where the files are."""

from __future__ import annotations

import argparse

HELP = "Skriv årsrapporten for én plan (HTML, ipynb, JSON, PDF) under reports/<år>/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", required=True, metavar="ID", help="planens id (eller planfilens navn)")
    parser.add_argument("--year", required=True, type=int, metavar="YYYY", help="rapportåret")
    parser.add_argument("--plans", metavar="DIR", help="mappe med planfiler (standard: data/raw/plans)")
    add_output_options(parser)
    parser.add_argument("--force", action="store_true", help="skriv rapporten, selv om intet er ændret")
    parser.add_argument("--allow-missing", action="store_true",
                        help="skriv rapporten, selv om input mangler; det manglende vises i rapporten")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """The options ``report`` and ``batch`` share: where, which notebook, PDF, privacy, kernel."""
    parser.add_argument("--out", metavar="DIR", help="rapportmappe (standard: reports); filerne skrives i DIR/<år>/")
    parser.add_argument("--notebook", metavar="PATH", help="rapportnotebook (standard: notebooks/yearly_report.ipynb)")
    parser.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                        help="skriv også PDF med headless Chromium (standard: når Chromium findes)")
    parser.add_argument("--show-run-date", action="store_true", help="vis kørselsdatoen i rapporten")
    parser.add_argument("--disclosure-threshold", type=int, default=3, metavar="N",
                        help="mindste viste antal (diskretionering; standard 3)")
    parser.add_argument("--kernel", metavar="NAME", help="Jupyter-kerne (standard: evaluering, ellers python3)")
    parser.add_argument("--mode", choices=("aarlig", "midtvejs", "slut"), default=None,
                        help="rapporttype: årsrapport, midtvejsevaluering eller slutevaluering (standard: ud fra "
                             "rapportåret: slut fra planperiodens sidste år, midtvejs i året nærmest periodens midte)")


def run(args) -> int:
    from pathlib import Path

    from ..errors import ReportError
    from ..plan import find_plan
    from ..reporting.batch import plan_jobs, release_batch
    from ..reporting.pdf import ChromiumMissing, find_chromium
    from ..reporting.render import render_report

    from ..sources.missing import refuse_missing
    from ..sources.validate import check_plan_sections

    plan = find_plan(args.plan, args.plans)
    check_plan_sections(plan)      # the checks of `evaluering validate`
    refuse_missing(plan, args.year, getattr(args, "allow_missing", False))
    pdf = args.pdf
    if pdf is None:
        pdf = find_chromium() is not None
    elif pdf and find_chromium() is None:
        raise ChromiumMissing()
    jobs, _ = plan_jobs(args.year, plans_dir=args.plans, out=args.out, notebook=args.notebook, pdf=pdf,
                        force=args.force, warm=False, kernel_name=args.kernel, only=[plan.id],
                        show_run_date=args.show_run_date, disclosure_threshold=args.disclosure_threshold,
                        mode=args.mode)
    if not jobs:
        raise ReportError(f"plan '{args.plan}' was not found", plan=args.plan)
    # the release covers every plan beside this one, as in a batch
    jobs = release_batch(jobs, args.year, plans_dir=Path(plan.path).parent,
                         root=jobs[0].params.get("project_root"), threshold=args.disclosure_threshold)
    result = render_report(jobs[0])
    if not result.ok:
        raise ReportError(result.error or "the report failed", plan=result.plan_id)
    out_dir = Path(jobs[0].out_dir)
    if result.status == "skipped":
        print(f"uændret siden sidste kørsel (brug --force for at skrive igen): {result.plan_id} {result.year}")
    for kind in ("html", "pdf", "xlsx", "docx", "ipynb", "json"):
        if kind in result.files:
            print(f"{kind:5} {out_dir / result.files[kind]}")
    for warning in result.warnings:
        print(f"advarsel: {warning}")
    return 0
