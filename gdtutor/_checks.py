"""Argument checks shared by the descent loops: fail at the door with a message that names
the argument, what was expected and what was given."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import torch

__all__ = ["as_start_point", "check_lr", "check_objective", "check_steps", "check_variable"]

_FLOAT_DTYPES = (torch.float32, torch.float64)


def check_objective(objective: Any, *, name: str = "objective") -> Any:
    """Check that ``objective`` can be called, and return it."""
    if not callable(objective):
        raise TypeError(
            f"{name} must be a function of one point, such as gdtutor.skewed, "
            f"got {objective!r} of type {type(objective).__name__}"
        )
    return objective


def as_start_point(
    start: Any, *, name: str = "start", numbers_dtype: torch.dtype | None = None
) -> torch.Tensor:
    """Return a fresh leaf tensor that requires grad, copied from ``start``.

    A tensor keeps its dtype and device, a numpy array its floating dtype (float64 stays
    float64; an array of integers is refused, as a tensor of them is), and Python numbers
    become ``numbers_dtype``, by default float32, the torch default.
    """
    if isinstance(start, torch.Tensor):
        _check_holds_numbers(start, name)
        tensor = start.detach()
    elif isinstance(start, np.ndarray):
        if start.dtype.name not in ("float32", "float64"):  # an array keeps its dtype
            raise TypeError(
                f"{name} must have a floating dtype (float32 or float64), got numpy "
                f"{start.dtype.name}"
            )
        # A copy in the machine's byte order, which torch needs.
        tensor = torch.from_numpy(start.astype(start.dtype.newbyteorder("=")))
    elif isinstance(start, (list, tuple)):
        if any(_is_sequence(c) for c in start):  # [[8.0, 8.0]]: a point, but not of shape (2,)
            try:
                shape = f"shape {np.shape(np.asarray(start, dtype=float))}"
            except (TypeError, ValueError, RuntimeError):  # a tensor that requires grad, too
                shape = "nested sequences"
            raise ValueError(f"{name} must be one point of shape (2,), got {shape}")
        if not all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in start):
            raise TypeError(f"{name} must hold real numbers, got {start!r}")
        try:
            coordinates = [float(c) for c in start]
        except OverflowError:  # an integer beyond any float: 10**400
            raise ValueError(
                f"{name} must be finite, got an integer beyond float's range"
            ) from None
        tensor = torch.tensor(coordinates, dtype=numbers_dtype or torch.get_default_dtype())
    else:
        raise TypeError(
            f"{name} must be a torch tensor, numpy array or sequence of two numbers, "
            f"got {type(start).__name__}"
        )
    if tensor.dtype not in _FLOAT_DTYPES:
        raise TypeError(
            f"{name} must have dtype float32 or float64 so it can take a gradient, "
            f"got {tensor.dtype}"
        )
    if tuple(tensor.shape) != (2,):
        raise ValueError(f"{name} must be one point of shape (2,), got shape {tuple(tensor.shape)}")
    if not bool(torch.isfinite(tensor).all()):
        raise ValueError(f"{name} must be finite, got {tensor.tolist()}")
    return tensor.clone().requires_grad_(True)


def _check_holds_numbers(tensor: torch.Tensor, name: str) -> None:
    """Refuse a tensor with no numbers to read (on the meta device) or not dense."""
    if tensor.device.type == "meta":
        raise ValueError(
            f"{name} is on the 'meta' device, which holds shapes but no numbers: make it on "
            "the CPU (or a GPU)"
        )
    if tensor.layout != torch.strided:
        raise ValueError(f"{name} must be a dense tensor, got layout {tensor.layout}")


def _is_sequence(value: Any) -> bool:
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return value.ndim > 0
    return isinstance(value, (list, tuple))


def check_variable(x: Any, *, name: str = "x") -> torch.Tensor:
    """Check that ``x`` is a finite floating leaf tensor of shape (2,) that requires grad."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(x).__name__}")
    _check_holds_numbers(x, name)
    if x.dtype not in _FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {x.dtype}")
    if not x.requires_grad:
        raise ValueError(
            f"{name} must require grad (create it with requires_grad=True), "
            f"got a tensor with requires_grad=False"
        )
    if not x.is_leaf:
        raise ValueError(
            f"{name} must be a leaf tensor (one you created, not the result of an operation), "
            f"got a tensor produced by {type(x.grad_fn).__name__}"
        )
    if tuple(x.shape) != (2,):
        raise ValueError(f"{name} must be one point of shape (2,), got shape {tuple(x.shape)}")
    coordinates = x.detach().tolist()  # two numbers: cheaper than torch.isfinite(x).all()
    if not all(map(math.isfinite, coordinates)):
        raise ValueError(
            f"{name} must be finite, got {coordinates} (a run that diverged leaves its point so)"
        )
    return x


def check_lr(lr: Any, *, name: str = "lr") -> float:
    """Return ``lr`` as a float after checking that it is a positive, finite number."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{name} must be a positive finite number, got {type(lr).__name__}")
    try:
        value = float(lr)
    except OverflowError:  # an integer beyond any float: 10**400
        raise ValueError(
            f"{name} must be a positive finite number, got an integer beyond float's range"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def check_steps(steps: Any, *, name: str = "steps") -> int:
    """Return ``steps`` after checking that it is a non-negative integer."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, got {type(steps).__name__}")
    if steps < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {steps}")
    return int(steps)
