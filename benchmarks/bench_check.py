"""Time the answer checker as a learner and a teacher run it, as whole processes.

1. A learner: ``python -m gdtutor check .answer.json`` on a passing file, against
   ``python -c "import torch"`` on the same machine. Target: at most half its wall time.
2. A teacher: ``python -m gdtutor check FOLDER`` on 300 answer files, against checking one.
   Target: at most three times the wall time of checking one. The 300 files are the
   reference answers written the way the exercises save them, with every value nudged by a
   different rounding-sized amount, so that no two files are the same.
3. A class with mistakes, for information: 300 files of which every tenth has one of the
   course's typical mistakes; diagnosing those imports torch once and redoes the mistaken
   runs once each.

Run with ``python benchmarks/bench_check.py``. Each figure is the median of several runs of
a fresh process; the machine's noise shows in the spread.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import json_tricks
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LEARNER_TARGET = 0.5
TEACHER_TARGET = 3.0


def wall(args: list[str], *, repeat: int, cwd: Path) -> list[float]:
    """Wall seconds of ``repeat`` runs of the command (after one warm-up run)."""
    subprocess.run(args, cwd=cwd, capture_output=True, check=False)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def _nudged(answers: dict, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for key, value in answers.items():
        array = np.asarray(value, dtype=np.float32)
        array = array * (1 + 1e-7 * rng.standard_normal(array.shape)).astype(np.float32)
        out[key] = list(array) if array.ndim and len(array) == 500 else array
    return out


def _write(path: Path, answers: dict) -> None:
    with path.open("w") as file:
        json_tricks.dump(answers, file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (default 7)")
    args = parser.parse_args()

    from gdtutor.answers import reference_answers

    sys.path.insert(0, str(ROOT))
    from tests.conftest import learner_answers  # the course's typical mistakes

    reference = dict(reference_answers())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder / "one.json", _nudged(reference, 0))
        (folder / "class").mkdir()
        (folder / "mixed").mkdir()
        mistakes = [
            {"cell_3": {"zero": False}},
            {"cell_2": {"lr": 0.01}},
            {"cell_4": {"point_when": "before"}},
        ]
        for i in range(300):
            _write(folder / "class" / f"student{i:03d}.json", _nudged(reference, i + 1))
            if i % 10:
                answers = _nudged(reference, i + 1)
            else:
                answers = learner_answers(**mistakes[(i // 10) % len(mistakes)])
            _write(folder / "mixed" / f"student{i:03d}.json", answers)

        check = [sys.executable, "-m", "gdtutor", "check"]
        rows = {
            "import torch": wall(
                [sys.executable, "-c", "import torch"], repeat=args.repeat, cwd=folder
            ),
            "check one passing file": wall([*check, "one.json"], repeat=args.repeat, cwd=folder),
            "check 300 passing files": wall([*check, "class"], repeat=args.repeat, cwd=folder),
            "check 300, every 10th wrong": wall(
                [*check, "mixed"], repeat=max(3, args.repeat // 2), cwd=folder
            ),
        }
    print(f"{'command':30} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, times in rows.items():
        print(f"{name:30} {statistics.median(times):9.3f} {min(times):7.3f} {max(times):7.3f}")
    med = {name: statistics.median(times) for name, times in rows.items()}
    learner = med["check one passing file"] / med["import torch"]
    teacher = med["check 300 passing files"] / med["check one passing file"]
    mixed = med["check 300, every 10th wrong"] / med["check one passing file"]
    print(f"check one / import torch   = {learner:.2f}  (target <= {LEARNER_TARGET})")
    print(f"check 300 / check one      = {teacher:.2f}  (target <= {TEACHER_TARGET})")
    print(f"check 300 with mistakes / check one = {mixed:.2f}  (for information)")


if __name__ == "__main__":
    main()
