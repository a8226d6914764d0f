"""gdtutor: learn gradient descent with PyTorch, from autograd to ``torch.optim``.

The names below are imported on first use, so that ``python -m gdtutor check`` starts
without loading torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gdtutor.descent import gradient_descent, gradient_step
    from gdtutor.objectives import hessian, parabola, rosenbrock, skewed
    from gdtutor.optim import optimize
    from gdtutor.record import Trajectory

__all__ = [
    "Trajectory",
    "gradient_descent",
    "gradient_step",
    "hessian",
    "optimize",
    "parabola",
    "rosenbrock",
    "skewed",
]

__version__ = "0.1.0"

_HOME = {
    "Trajectory": "record",
    "gradient_descent": "descent",
    "gradient_step": "descent",
    "hessian": "objectives",
    "optimize": "optim",
    "parabola": "objectives",
    "rosenbrock": "objectives",
    "skewed": "objectives",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"gdtutor.{_HOME[name]}"), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'gdtutor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
