"""Optimization with ``torch.optim``: the ``zero_grad / value / backward / step`` cycle."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch

from gdtutor._checks import as_start_point, check_lr, check_objective, check_steps
from gdtutor.descent import _backward, _value
from gdtutor.objectives import Objective
from gdtutor.record import Trajectory, run_loop

__all__ = ["optimize", "optimizer_class"]

# Optimizers whose step does not fit the zero_grad / value / backward / step cycle on one
# dense 2-vector.
_UNSUPPORTED = {
    getattr(torch.optim, name): reason
    for name, reason in {
        "LBFGS": "needs a closure that re-evaluates the objective inside step()",
        "SparseAdam": "needs sparse gradients",
        "Muon": "needs 2-D (matrix) parameters",
    }.items()
    if hasattr(torch.optim, name)  # Muon is new in torch 2.9
}


def _available() -> list[str]:
    return sorted(
        name
        for name, obj in vars(torch.optim).items()
        if inspect.isclass(obj)
        and issubclass(obj, torch.optim.Optimizer)
        and obj is not torch.optim.Optimizer
    )


def optimizer_class(
    optimizer: str | type[torch.optim.Optimizer],
) -> type[torch.optim.Optimizer]:
    """Resolve an optimizer name such as ``"AdamW"`` (any case) or class to its class.

    Parameters
    ----------
    optimizer : str or type
        The name of a class in :mod:`torch.optim`, or a subclass of
        :class:`torch.optim.Optimizer`.

    Returns
    -------
    type
        The optimizer class.

    Raises
    ------
    ValueError
        If no optimizer in :mod:`torch.optim` has that name.
    TypeError
        If ``optimizer`` is neither a string nor an optimizer class.

    Examples
    --------
    >>> optimizer_class("adamw").__name__
    'AdamW'
    """
    if isinstance(optimizer, str):
        names = {name.lower(): name for name in _available()}
        if optimizer.lower() not in names:
            raise ValueError(
                f"optimizer must name a torch.optim optimizer, one of {', '.join(_available())}; "
                f"got {optimizer!r}"
            )
        return getattr(torch.optim, names[optimizer.lower()])
    if (
        inspect.isclass(optimizer)
        and issubclass(optimizer, torch.optim.Optimizer)
        and optimizer is not torch.optim.Optimizer  # the abstract base cannot step
    ):
        return optimizer
    if isinstance(optimizer, torch.optim.Optimizer):
        # A common slip; the instance's repr spans a dozen lines, so name only its class.
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer subclass or its name, got an instance "
            f"of {type(optimizer).__name__}; pass the class and give its options to optimize"
        )
    raise TypeError(
        f"optimizer must be a torch.optim.Optimizer subclass or its name, "
        f"got {optimizer!r} of type {type(optimizer).__name__}"
    )


def optimize(
    objective: Objective,
    start: Any,
    optimizer: str | type[torch.optim.Optimizer],
    *,
    lr: float,
    steps: int,
    **options: Any,
) -> Trajectory:
    """Minimize ``objective`` from ``start`` with a ``torch.optim`` optimizer.

    Each of the ``steps`` iterations runs the standard cycle::

        opt.zero_grad()
        value = objective(x)
        value.backward()
        opt.step()

    and records the point and its value before the step, as
    :func:`gdtutor.gradient_descent` does.

    Parameters
    ----------
    objective : callable
        Maps a point of shape ``(2,)`` to a 0-d tensor.
    start : torch.Tensor, numpy.ndarray or sequence of two floats
        The start point; it is copied, never modified.
    optimizer : str or type
        ``"SGD"``, ``"AdamW"``, ... or an optimizer class (see
        :func:`~gdtutor.optim.optimizer_class`).
    lr : float
        The learning rate, positive and finite.
    steps : int
        How many steps to take.
    **options
        Further keyword arguments for the optimizer, e.g. ``momentum=0.9``.

    Returns
    -------
    Trajectory
        The record; ``method`` is the optimizer's class name and ``options`` the keyword
        arguments other than ``lr``.

    Raises
    ------
    TypeError, ValueError
        For an objective that is not callable or does not return one real floating value
        computed from its point, a bad start point, learning rate, step count or optimizer;
        the optimizer's own checks of its keyword arguments raise as usual.

    Examples
    --------
    >>> from gdtutor import skewed
    >>> run = optimize(skewed, [8.0, 8.0], "SGD", lr=0.001, steps=500)
    >>> print(f"{run.last_value:.4f}, after the last step {skewed(run.end_point):.4f}")
    0.2097, after the last step 0.2065
    """
    check_objective(objective)
    cls = optimizer_class(optimizer)
    for unsupported, reason in _UNSUPPORTED.items():
        if issubclass(cls, unsupported):  # a subclass's step() needs the same
            raise ValueError(f"optimizer {cls.__name__} cannot run in this loop: it {reason}")
    x = as_start_point(start)
    lr = check_lr(lr)
    steps = check_steps(steps)
    make: Callable[..., torch.optim.Optimizer] = cls  # every optimizer takes lr
    opt = make([x], lr=lr, **options)

    def step(w: torch.Tensor) -> torch.Tensor:
        opt.zero_grad()
        value = _value(objective, w)
        _backward(value, w)
        opt.step()
        return value.detach()

    return run_loop(
        step,
        x,
        steps=steps,
        method=cls.__name__,
        objective_name=getattr(objective, "__name__", repr(objective)),
        lr=lr,
        options=options,
    )
