r"""Gradient descent written by hand: one step, and a loop of steps.

One step of gradient descent with learning rate :math:`\alpha` is

.. math:: w^{t+1} = w^{t} - \alpha\, \nabla_w L(w^{t}).

In torch that is four lines: evaluate the objective, ``backward()`` to fill ``w.grad``,
update ``w`` in place inside ``torch.no_grad()`` so the update is not recorded in the
autograd graph, and zero ``w.grad`` because torch adds new gradients to old ones.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import torch

from gdtutor._checks import as_start_point, check_lr, check_objective, check_steps, check_variable
from gdtutor.objectives import Objective
from gdtutor.record import Trajectory, run_loop

__all__ = ["gradient_descent", "gradient_step"]


def _value(objective: Objective, x: torch.Tensor) -> torch.Tensor:
    value = check_objective(objective)(x)
    if not isinstance(value, torch.Tensor) or value.ndim != 0:
        shape = tuple(value.shape) if hasattr(value, "shape") else type(value).__name__
        raise ValueError(f"objective must return a 0-d torch tensor for one point, got {shape}")
    return value


def _step(
    objective: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, lr: float
) -> torch.Tensor:
    value = objective(x)
    value.backward()
    grad = x.grad
    assert grad is not None  # backward() has just filled it
    with torch.no_grad():
        x -= lr * grad
    grad.zero_()
    return value.detach()


def gradient_step(objective: Objective, x: torch.Tensor, lr: float) -> torch.Tensor:
    """Take one gradient-descent step on ``x`` in place.

    Parameters
    ----------
    objective : callable
        Maps ``x`` to a 0-d tensor, e.g. :func:`gdtutor.skewed`.
    x : torch.Tensor
        A leaf tensor of shape ``(2,)``, float32 or float64, with ``requires_grad=True``.
        It is updated in place and its gradient is zeroed afterwards.
    lr : float
        The learning rate :math:`\\alpha > 0`.

    Returns
    -------
    torch.Tensor
        The objective's value at ``x`` *before* the step (detached, 0-d).

    Raises
    ------
    TypeError
        If ``x`` is not a floating tensor or ``lr`` is not a number.
    ValueError
        If ``x`` has the wrong shape, does not require grad or is not a leaf; if ``lr`` is not
        positive and finite; or if the objective does not return a 0-d tensor.

    Examples
    --------
    >>> import torch
    >>> from gdtutor import parabola
    >>> x = torch.tensor([8.0, 8.0], requires_grad=True)
    >>> value = gradient_step(parabola, x, lr=0.001)
    >>> print(f"{value.item():.1f}", [round(c, 2) for c in x.tolist()])
    1280.0 [7.84, 7.84]
    """
    check_variable(x)
    lr = check_lr(lr)
    return _step(functools.partial(_value, objective), x, lr)


def gradient_descent(objective: Objective, start: Any, *, lr: float, steps: int) -> Trajectory:
    """Run ``steps`` steps of hand-written gradient descent from ``start``.

    Each point and its value are recorded *before* the step, so ``points[0]`` is the start.

    Parameters
    ----------
    objective : callable
        Maps a point of shape ``(2,)`` to a 0-d tensor.
    start : torch.Tensor, numpy.ndarray or sequence of two floats
        The start point; it is copied, never modified. A tensor keeps its dtype and device.
    lr : float
        The learning rate :math:`\\alpha > 0`.
    steps : int
        How many steps to take.

    Returns
    -------
    Trajectory
        The recorded points and values. A run that diverges stops at the first non-finite
        value, with ``diverged=True``.

    Raises
    ------
    TypeError, ValueError
        For an objective that is not callable or does not return one value, a start point of
        the wrong type, dtype, shape or with non-finite entries, a learning rate that is not
        positive and finite, or a negative number of steps.

    Examples
    --------
    >>> from gdtutor import parabola
    >>> run = gradient_descent(parabola, [8.0, 8.0], lr=0.001, steps=3)
    >>> print(run.points.round(4))
    [[8.     8.    ]
     [7.84   7.84  ]
     [7.6832 7.6832]]
    >>> diverging = gradient_descent(parabola, [8.0, 8.0], lr=1.0, steps=1000)
    >>> diverging.diverged, len(diverging) < 1000
    (True, True)
    """
    check_objective(objective)
    x = as_start_point(start)
    lr = check_lr(lr)
    steps = check_steps(steps)
    if steps:
        _value(objective, x)
    return run_loop(
        lambda w: _step(objective, w, lr),
        x,
        steps=steps,
        method="gradient descent",
        objective_name=getattr(objective, "__name__", repr(objective)),
        lr=lr,
    )
