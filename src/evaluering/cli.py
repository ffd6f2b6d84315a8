"""The one command-line entry point, ``evaluering``: a thin shell over the library.

Sub-commands live in :mod:`evaluering.commands`, one module each, registered in
:data:`COMMANDS`. A command module defines ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int``. Only the module of the command being run is imported, so
``evaluering --help`` and every command start fast.

Errors a user can cause (:class:`~evaluering.errors.EvalueringError`) print one line on
stderr and exit with code 2; no traceback, nothing half-written.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .errors import EvalueringError

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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, allow_abbrev=False)
        if name == command:
            _load(name).add_arguments(p)
    return parser


def _command_from_argv(argv: list[str]) -> str | None:
    for arg in argv:
        if arg in COMMANDS:
            return arg
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
    except Exception as err:  # an internal error: one line, traceback only with --debug
        if args.debug:
            raise
        print(f"evaluering {args.command}: intern fejl ({type(err).__name__}); "
              f"kør med --debug for detaljer", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
