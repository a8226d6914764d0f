"""On a CUDA device, the loops keep the device and agree with the CPU; skipped without one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdtutor import gradient_descent, optimize, rosenbrock, skewed
from gdtutor.compare import CONTENDERS

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

#: Largest CPU-vs-CUDA gap in the points of a 500-step run, by dtype.
GAP = {torch.float32: 1e-4, torch.float64: 1e-10}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(
    ("objective", "start"),
    [(skewed, (8.0, 8.0)), (rosenbrock, (-1.2, 1.0))],
    ids=["skewed", "rosenbrock"],
)
@pytest.mark.parametrize("method", ["gradient descent", "Adam"])
def test_cuda_run_matches_the_cpu(objective, start, dtype, method) -> None:
    runs = {}
    for device in ("cpu", "cuda"):
        x0 = torch.tensor(start, dtype=dtype, device=device)
        if method == "gradient descent":
            runs[device] = gradient_descent(objective, x0, lr=1e-3, steps=500)
        else:
            runs[device] = optimize(objective, x0, "Adam", lr=0.01, steps=500)
    cpu, gpu = runs["cpu"], runs["cuda"]
    assert gpu.points.dtype == cpu.points.dtype
    assert float(np.abs(cpu.points - gpu.points).max()) <= GAP[dtype]


@pytest.mark.parametrize("label", list(CONTENDERS))
def test_every_contender_runs_on_cuda(label) -> None:
    name, options = CONTENDERS[label]
    run = optimize(
        skewed, torch.tensor([8.0, 8.0], device="cuda"), name, lr=0.01, steps=200, **options
    )
    assert np.isfinite(run.values).all() and len(run) == 200
