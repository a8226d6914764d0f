r"""Objective functions of two variables, for numpy arrays and torch tensors alike.

Every objective takes an array whose last axis holds the two coordinates, so the same
function evaluates one point (shape ``(2,)``) or a whole grid of points (shape ``(..., 2)``)
in one call, and returns an array of shape ``(...)``. Only plain arithmetic and indexing are
used, so the result is a numpy array for numpy input and a differentiable torch tensor for
torch input.
"""

from __future__ import annotations

import functools
import math
import sys
from typing import Any, Protocol, TypeVar

import numpy as np

__all__ = [
    "SKEWED_G",
    "Objective",
    "hessian",
    "parabola",
    "rosenbrock",
    "skewed",
]

ArrayT = TypeVar("ArrayT")

#: The matrix :math:`G = \begin{pmatrix}1 & -1\\ 1 & 1\end{pmatrix}
#: \begin{pmatrix}1 & 0\\ 0 & 4\end{pmatrix}` of the course's skewed quadratic. It is not
#: symmetric, which is why the gradient of :math:`v^\top G v` is :math:`(G + G^\top) v`.
SKEWED_G: np.ndarray = np.array([[1.0, -1.0], [1.0, 1.0]]) @ np.array([[1.0, 0.0], [0.0, 4.0]])
SKEWED_G.setflags(write=False)
# Python floats (not numpy scalars), so that multiplying a torch tensor keeps it a tensor.
_XX, _XY, _YY = (
    float(SKEWED_G[0, 0]),
    float(SKEWED_G[0, 1] + SKEWED_G[1, 0]),
    float(SKEWED_G[1, 1]),
)


class Objective(Protocol):
    """A function of points whose last axis has length two (a record names it by its
    ``__name__`` where it has one: a ``functools.partial`` has none, and is an objective too)."""

    def __call__(self, v: Any, /) -> Any: ...


def _points(v: ArrayT) -> ArrayT:
    """``v``, checked: an array or tensor of real numbers with two coordinates on its last
    axis; integers become floats (float64 for numpy, torch's default dtype for torch), so that
    a value cannot wrap around as a small integer type does."""
    shape = getattr(v, "shape", None)
    if shape is None:
        raise TypeError(
            f"v must be a numpy array or torch tensor of shape (..., 2), got {type(v).__name__}"
        )
    if len(shape) == 0 or shape[-1] != 2:
        raise ValueError(
            f"v must have shape (2,) or (..., 2) with the coordinates on the last axis, "
            f"got shape {tuple(shape)}"
        )
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "iu":
            return v.astype(np.float64)  # type: ignore[return-value]
        if v.dtype.kind != "f":
            raise TypeError(f"v must hold real numbers, got numpy {v.dtype}")
        return v
    dtype = getattr(v, "dtype", None)
    torch = sys.modules.get("torch")  # a tensor can only come from a program that has torch
    if torch is not None and isinstance(v, torch.Tensor) and not v.is_floating_point():
        if v.is_complex() or v.dtype == torch.bool:
            raise TypeError(f"v must hold real numbers, got {dtype}")
        return v.to(torch.get_default_dtype())
    return v


def parabola(v: ArrayT) -> ArrayT:
    r"""The course's round bowl :math:`f(x, y) = 10\,(x^2 + y^2)`.

    Its minimizer is the origin, its Hessian is :math:`20 I`, and its gradient is
    :math:`20\,(x, y)`.

    Parameters
    ----------
    v : numpy.ndarray or torch.Tensor
        One point of shape ``(2,)`` or many points of shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The values, of shape ``v.shape[:-1]``, of the same kind as ``v`` (a numpy float for
        one numpy point), in floating point: integer points are taken as floats.

    Raises
    ------
    TypeError
        If ``v`` is not a numpy array or torch tensor of real numbers.
    ValueError
        If the last axis of ``v`` does not have length two.

    Examples
    --------
    >>> import numpy as np
    >>> print(f"{parabola(np.array([8.0, 8.0])):.1f}")
    1280.0
    >>> parabola(np.zeros((3, 5, 2))).shape
    (3, 5)
    """
    v = _points(v)
    x, y = v[..., 0], v[..., 1]  # type: ignore[index]
    return 10 * (x**2 + y**2)


def skewed(v: ArrayT) -> ArrayT:
    r"""The course's skewed quadratic :math:`f(v) = 10\, v^\top G v`.

    With :math:`G` = :data:`~gdtutor.objectives.SKEWED_G` = ``[[1, -4], [1, 4]]`` this expands to
    :math:`f(x, y) = 10\,(x^2 - 3xy + 4y^2)`. Because :math:`G` is not symmetric, the gradient
    is :math:`10\,(G + G^\top)\, v` and the (constant) Hessian is
    :math:`H = 10\,(G + G^\top)` = ``[[20, -30], [-30, 80]]``. The minimizer is the origin.

    Parameters
    ----------
    v : numpy.ndarray or torch.Tensor
        One point of shape ``(2,)`` or many points of shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The values, of shape ``v.shape[:-1]``, of the same kind as ``v`` (a numpy float for
        one numpy point), in floating point: integer points are taken as floats.

    Raises
    ------
    TypeError
        If ``v`` is not a numpy array or torch tensor of real numbers.
    ValueError
        If the last axis of ``v`` does not have length two.

    Examples
    --------
    >>> import numpy as np
    >>> print(f"{skewed(np.array([8.0, 8.0])):.1f}")
    1280.0
    >>> print(f"{skewed(np.array([1.0, 0.0])):.1f}")
    10.0
    """
    v = _points(v)
    x, y = v[..., 0], v[..., 1]  # type: ignore[index]
    return 10 * (_XX * x * x + _XY * x * y + _YY * y * y)


def rosenbrock(v: ArrayT) -> ArrayT:
    r"""Rosenbrock's banana :math:`f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2`.

    A curved, narrow valley whose minimizer is :math:`(1, 1)`, where the value is 0 and the
    Hessian is ``[[802, -400], [-400, 200]]``. Unlike the quadratics its Hessian changes from
    point to point.

    Parameters
    ----------
    v : numpy.ndarray or torch.Tensor
        One point of shape ``(2,)`` or many points of shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The values, of shape ``v.shape[:-1]``, of the same kind as ``v`` (a numpy float for
        one numpy point), in floating point: integer points are taken as floats.

    Raises
    ------
    TypeError
        If ``v`` is not a numpy array or torch tensor of real numbers.
    ValueError
        If the last axis of ``v`` does not have length two.

    Examples
    --------
    >>> import numpy as np
    >>> print(f"{rosenbrock(np.array([1.0, 1.0])):.1f}")
    0.0
    >>> print(f"{rosenbrock(np.array([-1.0, 1.0])):.1f}")
    4.0
    """
    v = _points(v)
    x, y = v[..., 0], v[..., 1]  # type: ignore[index]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def hessian(objective: Objective, at: Any) -> np.ndarray:
    r"""The Hessian matrix of ``objective`` at the point ``at``, computed by autograd.

    :func:`torch.autograd.functional.hessian` differentiates the objective twice, so this
    works for any objective written with torch operations, gdtutor's or your own. For the
    quadratics the Hessian is the same at every point.

    Parameters
    ----------
    objective : callable
        Maps a torch tensor of shape ``(2,)`` to a 0-d tensor.
    at : array_like of shape (2,)
        The point at which to evaluate it.

    Returns
    -------
    numpy.ndarray
        The symmetric ``(2, 2)`` Hessian, float64.

    Raises
    ------
    TypeError
        If ``objective`` is not callable, or ``at`` is not a point of real numbers.
    ValueError
        If ``at`` is not one finite point of shape ``(2,)``, the objective does not return a
        single value computed from its point, or its value or Hessian there is not finite.

    Examples
    --------
    >>> print(hessian(skewed, at=(0.0, 0.0)))
    [[ 20. -30.]
     [-30.  80.]]
    >>> print(hessian(rosenbrock, at=(1.0, 1.0)))
    [[ 802. -400.]
     [-400.  200.]]
    """
    import torch

    from gdtutor._checks import as_start_point, check_objective
    from gdtutor.descent import _value

    check_objective(objective)
    # The checks, and messages, of a run's start; the point itself is taken in float64 (a
    # list too: 1e39 is finite there, though not in float32).
    if isinstance(at, np.ndarray) and at.dtype.kind in "iu":
        at = at.astype(np.float64)  # an integer point is a point (a start must be floating)
    point = as_start_point(at, name="at", numbers_dtype=torch.float64).detach().cpu().double()
    name = getattr(objective, "__name__", "")
    name = name if name.isidentifier() else "objective"  # not "<lambda>"
    value = _value(objective, point.clone().requires_grad_(True)).item()
    if not math.isfinite(value):
        raise ValueError(f"{name} is not finite at {point.tolist()}: its value is {value}")
    matrix = torch.autograd.functional.hessian(functools.partial(_value, objective), point)
    if not bool(torch.isfinite(matrix).all()):
        raise ValueError(
            f"the Hessian of {name} at {point.tolist()} is not finite: {matrix.tolist()} (the "
            "point is too far out for float64)"
        )
    return matrix.numpy()
