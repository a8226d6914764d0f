"""gdtutor: learn gradient descent with PyTorch, from autograd to ``torch.optim``."""

from gdtutor.descent import gradient_descent, gradient_step
from gdtutor.objectives import (
    SKEWED_G,
    hessian,
    minimiser,
    parabola,
    rosenbrock,
    skewed,
)
from gdtutor.optim import optimize, optimizer_class
from gdtutor.record import Trajectory

__all__ = [
    "SKEWED_G",
    "Trajectory",
    "gradient_descent",
    "gradient_step",
    "hessian",
    "minimiser",
    "optimize",
    "optimizer_class",
    "parabola",
    "rosenbrock",
    "skewed",
]

__version__ = "0.1.0"
