r"""Objective functions of two variables, for numpy arrays and torch tensors alike.

Every objective takes an array whose last axis holds the two coordinates, so the same
function evaluates one point (shape ``(2,)``) or a whole grid of points (shape ``(..., 2)``)
in one call, and returns an array of shape ``(...)``. Only plain arithmetic and indexing are
used, so the result is a numpy array for numpy input and a differentiable torch tensor for
torch input.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import numpy as np

__all__ = [
    "SKEWED_G",
    "Objective",
    "hessian",
    "minimiser",
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
    """A function of points whose last axis has length two."""

    __name__: str

    def __call__(self, v: Any, /) -> Any: ...


def _check_last_axis(v: Any) -> None:
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


def parabola(v: ArrayT) -> ArrayT:
    r"""The course's round bowl :math:`f(x, y) = 10\,(x^2 + y^2)`.

    Its minimiser is the origin, its Hessian is :math:`20 I`, and its gradient is
    :math:`20\,(x, y)`.

    Parameters
    ----------
    v : numpy.ndarray or torch.Tensor
        One point of shape ``(2,)`` or many points of shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The values, of shape ``v.shape[:-1]``, of the same kind as ``v``.

    Raises
    ------
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
    _check_last_axis(v)
    x, y = v[..., 0], v[..., 1]  # type: ignore[index]
    return 10 * (x**2 + y**2)  # type: ignore[no-any-return]


def skewed(v: ArrayT) -> ArrayT:
    r"""The course's skewed quadratic :math:`f(v) = 10\, v^\top G v`.

    With :math:`G` = :data:`~gdtutor.objectives.SKEWED_G` = ``[[1, -4], [1, 4]]`` this expands to
    :math:`f(x, y) = 10\,(x^2 - 3xy + 4y^2)`. Because :math:`G` is not symmetric, the gradient
    is :math:`10\,(G + G^\top)\, v` and the (constant) Hessian is
    :math:`H = 10\,(G + G^\top)` = ``[[20, -30], [-30, 80]]``. The minimiser is the origin.

    Parameters
    ----------
    v : numpy.ndarray or torch.Tensor
        One point of shape ``(2,)`` or many points of shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The values, of shape ``v.shape[:-1]``, of the same kind as ``v``.

    Raises
    ------
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
    _check_last_axis(v)
    x, y = v[..., 0], v[..., 1]  # type: ignore[index]
    return 10 * (_XX * x * x + _XY * x * y + _YY * y * y)  # type: ignore[no-any-return]


def rosenbrock(v: ArrayT) -> ArrayT:
    r"""Rosenbrock's banana :math:`f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2`.

    A curved, narrow valley whose minimiser is :math:`(1, 1)`, where the value is 0 and the
    Hessian is ``[[802, -400], [-400, 200]]``. Unlike the quadratics its Hessian changes from
    point to point.

    Parameters
    ----------
    v : numpy.ndarray or torch.Tensor
        One point of shape ``(2,)`` or many points of shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The values, of shape ``v.shape[:-1]``, of the same kind as ``v``.

    Raises
    ------
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
    _check_last_axis(v)
    x, y = v[..., 0], v[..., 1]  # type: ignore[index]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2  # type: ignore[no-any-return]


_MINIMISERS = {
    "parabola": (0.0, 0.0),
    "skewed": (0.0, 0.0),
    "rosenbrock": (1.0, 1.0),
}


def minimiser(objective: Objective) -> np.ndarray:
    """Return the known minimiser of one of gdtutor's objectives.

    Parameters
    ----------
    objective : callable
        :func:`~gdtutor.parabola`, :func:`~gdtutor.skewed` or :func:`~gdtutor.rosenbrock`.

    Returns
    -------
    numpy.ndarray
        The minimiser, shape ``(2,)``, float64.

    Raises
    ------
    ValueError
        If ``objective`` is not one of gdtutor's objectives.

    Examples
    --------
    >>> print(minimiser(rosenbrock))
    [1. 1.]
    """
    name = getattr(objective, "__name__", repr(objective))
    if name not in _MINIMISERS or getattr(objective, "__module__", None) != __name__:
        raise ValueError(
            f"objective must be one of gdtutor's objectives {sorted(_MINIMISERS)}, got {name!r}"
        )
    return np.array(_MINIMISERS[name])


def hessian(objective: Objective, at: Any = None) -> np.ndarray:
    r"""Return the Hessian matrix of one of gdtutor's objectives.

    For the quadratics the Hessian is constant and ``at`` is ignored; for
    :func:`~gdtutor.rosenbrock` it is evaluated at ``at`` (default: the minimiser).

    Parameters
    ----------
    objective : callable
        :func:`~gdtutor.parabola`, :func:`~gdtutor.skewed` or :func:`~gdtutor.rosenbrock`.
    at : array_like of shape (2,), optional
        The point at which to evaluate a non-constant Hessian.

    Returns
    -------
    numpy.ndarray
        The symmetric ``(2, 2)`` Hessian, float64.

    Raises
    ------
    ValueError
        If ``objective`` is not one of gdtutor's objectives, or ``at`` is not a point.

    Examples
    --------
    >>> print(hessian(skewed))
    [[ 20. -30.]
     [-30.  80.]]
    >>> print(hessian(parabola))
    [[20.  0.]
     [ 0. 20.]]
    """
    point = minimiser(objective)
    name = objective.__name__
    if name == "parabola":
        return 20.0 * np.eye(2)
    if name == "skewed":
        return 10.0 * (SKEWED_G + SKEWED_G.T)
    if at is not None:
        point = np.asarray(at, dtype=float)
        if point.shape != (2,):
            raise ValueError(f"at must be a point of shape (2,), got shape {point.shape}")
    x, y = point
    return np.array([[2 - 400 * (y - 3 * x**2), -400 * x], [-400 * x, 200.0]])
