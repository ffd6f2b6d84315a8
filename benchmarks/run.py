"""Run every benchmark (``benchmarks/bench_*.py``) in its own process.

Each benchmark prints one summary line starting with ``BENCH`` with its figures and its
ratio against a baseline measured in the same run. This runner prints those lines and
exits non-zero when a benchmark fails or misses its target.

Usage: ``python benchmarks/run.py [NAME ...]`` (``make bench``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(a in s.stem for a in argv)]
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        if proc.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
