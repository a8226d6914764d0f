"""Shared fixtures: a non-interactive matplotlib, dtype and device tables, and the two loops."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere: no windows during tests

import matplotlib.pyplot as plt
import pytest
import torch

import gdtutor

#: Relative tolerance for comparing the same computation done two ways, by dtype.
RTOL = {torch.float32: 1e-6, torch.float64: 1e-12}


@pytest.fixture(params=[torch.float32, torch.float64], ids=["float32", "float64"])
def dtype(request: pytest.FixtureRequest) -> torch.dtype:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def rtol(dtype: torch.dtype) -> float:
    return RTOL[dtype]


@pytest.fixture(
    params=[
        "cpu",
        pytest.param(
            "cuda",
            marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
        ),
    ]
)
def device(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


Runner = Callable[..., gdtutor.Trajectory]


@pytest.fixture(params=["gradient_descent", "optimize"])
def run_with(request: pytest.FixtureRequest) -> Runner:
    """Both loops behind one signature ``(objective, start, lr, steps, **kwargs)``.

    With plain SGD and no momentum the two take the same steps, and they share the argument
    checks and the record, so facts about either hold for both.
    """
    def run(objective: Any, start: Any, lr: Any, steps: Any, **kwargs: Any) -> Any:
        if request.param == "gradient_descent":
            return gdtutor.gradient_descent(objective, start, lr=lr, steps=steps, **kwargs)
        return gdtutor.optimize(objective, start, "SGD", lr=lr, steps=steps, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")
