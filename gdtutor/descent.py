r"""Gradient descent written by hand: one step, and a loop of steps.

One step of gradient descent with learning rate :math:`\alpha` is

.. math:: w^{t+1} = w^{t} - \alpha\, \nabla_w L(w^{t}).

In torch that is four lines: evaluate the objective, ``backward()`` to fill ``w.grad``,
update ``w`` in place inside ``torch.no_grad()`` so the update is not recorded in the
autograd graph, and zero ``w.grad`` because torch adds new gradients to old ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from gdtutor._checks import as_start_point, check_lr, check_objective, check_steps, check_variable
from gdtutor.objectives import Objective
from gdtutor.record import Trajectory, run_loop

__all__ = ["gradient_descent", "gradient_step"]


#: Why an objective's value has no gradient with respect to the point it was given.
_NOT_FROM_X = (
    "objective's value does not depend on the point it is given, so it has no gradient: "
    "compute it from its argument with torch operations (not from a tensor defined outside "
    "it, and not through .item(), .detach() or numpy)"
)


def _value(objective: Objective, x: torch.Tensor) -> torch.Tensor:
    """``objective(x)``, checked: one value, a tensor that autograd can differentiate."""
    value = objective(x)
    if not isinstance(value, torch.Tensor):
        kind = type(value)
        name = (
            kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        )
        got = "None" if value is None else f"a {name}"
        raise ValueError(
            f"objective must return a 0-d torch tensor for one point, got {got}: compute it "
            "with torch operations, so that autograd can differentiate it"
        )
    if not value.is_floating_point():
        raise ValueError(
            f"objective must return a real floating-point tensor (float32 or float64, as its "
            f"point), got dtype {str(value.dtype).removeprefix('torch.')}"
        )
    if value.ndim != 0:
        raise ValueError(
            f"objective must return a 0-d torch tensor for one point, got a tensor of shape "
            f"{tuple(value.shape)} (sum it, or pick the value to minimize)"
        )
    if not value.requires_grad:
        if not torch.is_grad_enabled():
            raise ValueError(
                "gradients are turned off here (is the call inside torch.no_grad()?): take "
                "the step outside it, so that autograd can compute the gradient"
            )
        raise ValueError(_NOT_FROM_X)
    return value


def _backward(value: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Fill ``x.grad`` from ``value`` and return it."""
    value.backward()
    if x.grad is None:  # the value came from other tensors than x
        raise ValueError(_NOT_FROM_X)
    return x.grad


def _step(
    objective: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, lr: float
) -> torch.Tensor:
    value = _value(objective, x)
    grad = _backward(value, x)
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
        A leaf tensor of shape ``(2,)``, float32 or float64, with ``requires_grad=True``
        and no gradient yet (``x.grad`` None or zero). It is updated in place and its
        gradient is zeroed afterwards.
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
        If ``x`` has the wrong shape, is not finite, does not require grad, is not a leaf or
        already holds a gradient (torch would add this step's to it); if ``lr`` is not
        positive and finite; or if the objective does not return a real floating 0-d tensor
        computed from ``x``.

    Examples
    --------
    >>> import torch
    >>> from gdtutor import parabola
    >>> x = torch.tensor([8.0, 8.0], requires_grad=True)
    >>> value = gradient_step(parabola, x, lr=0.001)
    >>> print(f"{value.item():.1f}", [round(c, 2) for c in x.tolist()])
    1280.0 [7.84, 7.84]
    """
    check_objective(objective)
    check_variable(x)
    lr = check_lr(lr)
    if x.grad is not None:
        if bool(x.grad.any()):
            raise ValueError(
                "x.grad already holds a gradient (from an earlier backward()), and torch would "
                "add this step's gradient to it: zero it first, with x.grad.zero_()"
            )
        # A zeroed gradient is no gradient: backward() must fill it anew, or the objective's
        # value does not come from x (and the step would not move it, saying nothing).
        x.grad = None
    return _step(objective, x, lr)


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
        For an objective that is not callable or does not return one real floating value
        computed from its point, a start point of the wrong type, dtype, shape or with
        non-finite entries, a learning rate that is not positive and finite, or a negative
        number of steps.

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
    return run_loop(
        lambda w: _step(objective, w, lr),
        x,
        steps=steps,
        method="gradient descent",
        objective_name=getattr(objective, "__name__", repr(objective)),
        lr=lr,
    )
