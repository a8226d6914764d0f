"""The benchmarks (run by hand, see benchmarks/README.md) still run; nothing is timed here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_core_benchmark_runs_against_the_current_api() -> None:
    """benchmarks/ are run by hand; this runs one repeat of bench_core.py, so that a change of
    the API cannot leave it broken (it called gradient_descent positionally for a while).
    Nothing is timed here."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "benchmarks" / "bench_core.py"),
         "--repeat", "1"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "descent:" in done.stdout and "the bare loop" in done.stdout
