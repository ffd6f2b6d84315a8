"""``evaluering audit DIR``: scan generated outputs for disclosure problems.

Prints one line per finding (``file:location: what``, sensitive values masked) and a summary
on stderr. Exit code 0 when clean, 1 when something is found, 2 on bad usage.
"""

from __future__ import annotations

HELP = "Gennemsøg genererede filer for udiskretionerede små tal og personoplysninger"


def add_arguments(parser) -> None:
    parser.add_argument("dir", metavar="DIR", help="mappe (eller fil) med genererede rapporter, JSON, CSV og notebooks")
    parser.add_argument("--threshold", type=int, default=3, metavar="N",
                        help="mindste tal der må vises (standard 3); tal fra 1 til N-1 er fund")


def run(args) -> int:
    import sys
    from pathlib import Path

    from ..disclosure.audit import AUDITED_SUFFIXES, audit_path
    from ..disclosure.primary import check_threshold
    from ..errors import EvalueringError

    threshold = check_threshold(args.threshold)
    root = Path(args.dir)
    if not root.exists():
        raise EvalueringError(f"{root}: no such file or folder")
    if root.is_file() and root.suffix.lower() not in AUDITED_SUFFIXES:
        raise EvalueringError(f"{root}: not an audited file type ({', '.join(AUDITED_SUFFIXES)})")
    findings = audit_path(root, threshold, progress=False if getattr(args, "quiet", False) else None)
    for f in findings:
        print(f)
    n_files = 1 if root.is_file() else sum(1 for p in root.rglob("*")
                                            if p.is_file() and p.suffix.lower() in AUDITED_SUFFIXES)
    if findings:
        print(f"audit: {len(findings)} fund i {len({f.path for f in findings})} af {n_files} filer "
              f"(grænse {threshold})", file=sys.stderr)
        return 1
    print(f"audit: ingen fund i {n_files} filer (grænse {threshold})", file=sys.stderr)
    return 0
