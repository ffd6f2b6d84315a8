"""The package's public surface: every exported name resolves; importing stays cheap;
the command line lists every command and each one's help works."""

from __future__ import annotations

import subprocess
import sys

import pytest

import evaluering
from evaluering.cli import COMMANDS


@pytest.mark.parametrize("name", evaluering.__all__)
def test_exported_names_resolve(name):
    assert getattr(evaluering, name) is not None


def test_import_does_not_load_heavy_libraries():
    code = "import sys, evaluering; print(sorted(m for m in ('pandas', 'scipy', 'matplotlib', 'duckdb') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command):
    proc = subprocess.run([sys.executable, "-m", "evaluering", command, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "usage: evaluering" in proc.stdout


def test_unknown_option_prefix_is_not_accepted():
    """Options are matched exactly, never by prefix (allow_abbrev=False)."""
    proc = subprocess.run([sys.executable, "-m", "evaluering", "status", "--pla", "x", "--year", "2020"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--plan" in proc.stderr and "error" in proc.stderr
