"""Sub-commands of the ``evaluering`` CLI, one module each (see :mod:`evaluering.cli`).

Each module defines ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int`` and does
nothing at import time beyond cheap imports: the heavy library imports go inside ``run``.
"""
