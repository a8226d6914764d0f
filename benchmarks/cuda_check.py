"""Check on a CUDA machine that gdtutor's loops keep the device and agree with the CPU.

Run ``python benchmarks/cuda_check.py`` where ``torch.cuda.is_available()``; it prints one
line per check and exits non-zero on a mismatch. (The lessons themselves run on the CPU;
run them there too with ``MPLBACKEND=Agg python gallery/plot_0N_*.py``.)
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch

from gdtutor import gradient_descent, optimize, rosenbrock, skewed
from gdtutor.compare import CONTENDERS


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 1
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    failures = 0
    for dtype in (torch.float32, torch.float64):
        for objective, start, lr in ((skewed, (8.0, 8.0), 0.001), (rosenbrock, (-1.2, 1.0), 1e-3)):
            runs = {}
            for device in ("cpu", "cuda"):
                x0 = torch.tensor(start, dtype=dtype, device=device)
                t = time.perf_counter()
                runs[device] = (
                    gradient_descent(objective, x0, lr, 500),
                    optimize(objective, x0, "Adam", 500, lr=0.01),
                    time.perf_counter() - t,
                )
            for i, method in enumerate(("gradient descent", "Adam")):
                cpu, gpu = runs["cpu"][i], runs["cuda"][i]
                gap = float(np.abs(cpu.points - gpu.points).max())
                ok = gpu.points.dtype == cpu.points.dtype and gap <= (
                    1e-4 if dtype == torch.float32 else 1e-10
                )
                failures += not ok
                print(
                    f"{'ok ' if ok else 'BAD'} {objective.__name__:10} {method:16} {dtype!s:13}"
                    f" cpu-vs-cuda max gap {gap:.1e}"
                )
    for label, (name, options) in CONTENDERS.items():
        run = optimize(
            skewed, torch.tensor([8.0, 8.0], device="cuda"), name, 200, lr=0.01, **options
        )
        ok = np.isfinite(run.values).all() and len(run) == 200
        failures += not ok
        print(f"{'ok ' if ok else 'BAD'} {label:16} on cuda: final value {run.final_value:.3e}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
