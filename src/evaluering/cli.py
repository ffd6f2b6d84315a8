"""The one command-line entry point, ``evaluering``: a thin shell over the library.

Sub-commands live in :mod:`evaluering.commands`, one module each, registered in
:data:`COMMANDS`. A command module defines ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int``. Only the module of the command being run is imported, so
``evaluering --help`` and every command start fast.

Errors a user can cause (:class:`~evaluering.errors.EvalueringError`) print one line on
stderr and exit with code 2; no traceback, nothing half-written. A full disk or a folder
that cannot be written is such an error too (the path and the cause). Messages are Danish;
``--lang en`` (or ``EVALUERING_LANG=en``) shows them in English.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .errors import LANGUAGES, EvalueringError, OutputError, localize

__all__ = ["COMMANDS", "main", "build_parser"]

#: command name -> (module under evaluering.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("report", "Skriv årsrapporten for én plan (HTML, ipynb, JSON) under reports/<år>/"),
    "batch": ("batch", "Skriv årsrapporterne for alle planer i data/raw/plans/ med index.html"),
    "status": ("status", "Vis succeskriteriernes status for en plan og et år"),
    "area-criteria": ("area_criteria", "Områdekriterierne (almenboligloven § 61 a/b) for hver plans område"),
    "synth": ("synth", "Generér syntetiske registerdata (seedet, med kendt effekt)"),
    "cells": ("cells", "Registerudtræk -> tælleceller (Parquet) i data/processed/"),
    "build": ("build", "Byg data/processed/ fra data/raw/ (syntetiske data og tælleceller)"),
    "did": ("did", "Difference-in-differences på et cellepanel (TWFE, event study, Callaway-Sant'Anna)"),
    "audit": ("audit", "Gennemsøg genererede filer for udiskretionerede små tal og personoplysninger"),
    "validate": ("validate", "Kontrollér én inputfil mod sit skema"),
    "fetch-dst": ("fetch_dst", "Hent tabeller fra Danmarks Statistiks Statistikbank (med lokal cache)"),
    "convert": ("convert", "Byg rapportens input fra Statistikbanken-cache, LBF-eksport og lokale logs"),
}


def _load(name: str):
    module, _ = COMMANDS[name]
    return importlib.import_module(f"evaluering.commands.{module}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser; with ``command`` only that sub-command is fully built."""
    parser = argparse.ArgumentParser(
        prog="evaluering",
        description="Evaluering af boligsociale helhedsplaner: indikatorer, succeskriterier, "
        "effektestimater og årsrapporter.",
        allow_abbrev=False,
    )
    parser.add_argument("--debug", action="store_true", help="vis fuld traceback ved fejl")
    parser.add_argument("-q", "--quiet", action="store_true", help="ingen fremdriftsvisning")
    parser.add_argument("--lang", dest="ui_lang", choices=LANGUAGES, default=None,
                        help="sprog for fejlbeskeder: da (standard) eller en; også EVALUERING_LANG")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, allow_abbrev=False)
        if name == command:
            _load(name).add_arguments(p)
    return parser


def _command_from_argv(argv: list[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in COMMANDS:
            return arg
        if arg == "--lang":     # the global option's value
            skip = True
            continue
        if not arg.startswith("-"):
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_from_argv(argv)
    parser = build_parser(command)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.ui_lang:
        import os
        os.environ["EVALUERING_LANG"] = args.ui_lang   # inherited by report kernels too
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(_load(args.command).run(args) or 0)
    except EvalueringError as err:
        if args.debug:
            raise
        print(f"evaluering {args.command}: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("evaluering: afbrudt", file=sys.stderr)
        return 130
    except OSError as err:
        if args.debug or not OutputError.is_write_error(err):
            if args.debug:
                raise
            return _internal(args, err)
        out = OutputError.from_os(err.filename, err)
        print(f"evaluering {args.command}: {out}", file=sys.stderr)
        return out.exit_code
    except Exception as err:  # an internal error: one line, traceback only with --debug
        if args.debug:
            raise
        return _internal(args, err)


def _internal(args, err: BaseException) -> int:
    print(f"evaluering {args.command}: " + localize(f"internal error ({type(err).__name__}); run with --debug "
                                                    "for details"), file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
