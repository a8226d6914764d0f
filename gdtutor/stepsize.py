r"""Step sizes on a quadratic: which learning rates converge, which diverge, and how fast.

For :math:`f(v) = \tfrac12 (v - v^\star)^\top H\, (v - v^\star)` with a symmetric positive
definite Hessian :math:`H`, one gradient step with learning rate :math:`\alpha` is
:math:`v - v^\star \leftarrow (I - \alpha H)(v - v^\star)`. Written in the eigenvectors
:math:`q_i` of :math:`H` (:math:`H q_i = \lambda_i q_i`), with
:math:`c_i = q_i^\top (v - v^\star)`, the components do not mix:

.. math:: c_i \leftarrow (1 - \alpha \lambda_i)\, c_i .

So every component shrinks by the factor :math:`|1 - \alpha\lambda_i|` per step, the run
converges exactly when :math:`\alpha < 2 / \lambda_{\max}`, and the fixed step that makes the
slowest component fastest is :math:`\alpha^\star = 2 / (\lambda_{\min} + \lambda_{\max})`,
with rate :math:`(\kappa - 1) / (\kappa + 1)` where :math:`\kappa = \lambda_{\max} /
\lambda_{\min}` is the condition number. This module computes those numbers from a Hessian and
measures the factors from a recorded run.

Heavy-ball momentum, :math:`v^{t+1} = v^t - \alpha \nabla f(v^t) + \beta\,(v^t - v^{t-1})`,
also keeps the eigen-components apart, but each one now follows a two-step recurrence,

.. math:: c_i^{t+1} = (1 + \beta - \alpha\lambda_i)\, c_i^t - \beta\, c_i^{t-1},

whose per-step factor is the larger root size of
:math:`z^2 - (1 + \beta - \alpha\lambda_i)\,z + \beta = 0`. Polyak's choice of
:math:`\alpha` and :math:`\beta` makes the slowest of them :math:`(\sqrt\kappa - 1) /
(\sqrt\kappa + 1)`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdtutor._arrays import frozen
from gdtutor.record import as_points

__all__ = [
    "HeavyBall",
    "StepSizeBounds",
    "contraction_factors",
    "decay_rates",
    "eigen_components",
    "heavy_ball",
    "heavy_ball_factors",
    "step_size_bounds",
]


def _check_hessian(hessian: Any) -> np.ndarray:
    try:
        h = np.array(hessian, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"hessian must be a square matrix of numbers, got {type(hessian).__name__}"
        ) from exc
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.shape[0] == 0:
        raise ValueError(f"hessian must be a square matrix of shape (n, n), got shape {h.shape}")
    if not np.isfinite(h).all():
        raise ValueError(f"hessian must be finite, got {h.tolist()}")
    if not np.allclose(h, h.T, rtol=1e-12, atol=1e-12 * np.abs(h).max()):
        raise ValueError(
            f"hessian must be symmetric, got {h.tolist()}; "
            f"for f(v) = vᵀ G v with a non-symmetric G the Hessian is G + Gᵀ"
        )
    return (h + h.T) / 2


def _eigh(hessian: Any) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and unit eigenvectors (columns) of a positive definite matrix.

    Each eigenvector's sign is fixed so that its largest entry is positive: the same matrix
    always gives the same basis.
    """
    h = _check_hessian(hessian)
    eigenvalues, eigenvectors = np.linalg.eigh(h)
    if eigenvalues[0] <= 0:
        raise ValueError(
            f"hessian must be positive definite (a quadratic with a minimum), got eigenvalues "
            f"{[round(float(v), 6) for v in eigenvalues]}"
        )
    rows = np.argmax(np.abs(eigenvectors), axis=0)
    signs = np.sign(eigenvectors[rows, np.arange(len(rows))])
    return eigenvalues, eigenvectors * signs


@dataclass(frozen=True)
class StepSizeBounds:
    r"""What the Hessian of a quadratic says about fixed learning rates.

    Attributes
    ----------
    eigenvalues : numpy.ndarray
        :math:`\lambda_1 \le \dots \le \lambda_n`, ascending; read-only.
    eigenvectors : numpy.ndarray
        Unit eigenvectors as columns, ``eigenvectors[:, i]`` for ``eigenvalues[i]``; read-only.
    condition_number : float
        :math:`\kappa = \lambda_{\max} / \lambda_{\min}`.
    max_stable_lr : float
        :math:`2 / \lambda_{\max}`: every smaller learning rate converges, every larger one
        diverges (unless the start has no component along the top eigenvector).
    best_lr : float
        :math:`\alpha^\star = 2 / (\lambda_{\min} + \lambda_{\max})`, the fixed learning rate
        with the fastest worst-case component.
    best_rate : float
        :math:`(\kappa - 1)/(\kappa + 1)`, the per-step factor of every extreme component at
        ``best_lr``.
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    condition_number: float
    max_stable_lr: float
    best_lr: float
    best_rate: float


def step_size_bounds(hessian: Any) -> StepSizeBounds:
    """Eigen-decompose a Hessian and derive the step-size bounds of gradient descent.

    Parameters
    ----------
    hessian : array_like of shape (n, n)
        A symmetric positive definite matrix, e.g.
        ``gdtutor.hessian(gdtutor.skewed, at=(0.0, 0.0))``.

    Returns
    -------
    StepSizeBounds

    Raises
    ------
    TypeError
        If ``hessian`` is not a matrix of numbers.
    ValueError
        If it is not square, not finite, not symmetric or not positive definite.

    Examples
    --------
    >>> bounds = step_size_bounds([[20.0, -30.0], [-30.0, 80.0]])
    >>> print([f"{v:.4f}" for v in bounds.eigenvalues])
    ['7.5736', '92.4264']
    >>> print(f"{bounds.condition_number:.4f} {bounds.max_stable_lr:.6f} {bounds.best_lr:.4f}")
    12.2038 0.021639 0.0200
    >>> print(f"{bounds.best_rate:.4f}")
    0.8485
    """
    eigenvalues, eigenvectors = _eigh(hessian)
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    kappa = high / low
    return StepSizeBounds(
        eigenvalues=frozen(eigenvalues),
        eigenvectors=frozen(eigenvectors),
        condition_number=kappa,
        max_stable_lr=2.0 / high,
        best_lr=2.0 / (low + high),
        best_rate=(kappa - 1.0) / (kappa + 1.0),
    )


def contraction_factors(hessian: Any, lr: Any) -> np.ndarray:
    r"""The per-step factors :math:`|1 - \alpha\lambda_i|` of each eigen-component.

    Parameters
    ----------
    hessian : array_like of shape (n, n)
        A symmetric positive definite matrix.
    lr : float or array_like of float
        One learning rate :math:`\alpha > 0`, or several (any shape).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)`` for one learning rate, ``(*lr.shape, n)`` for several; the last axis
        follows the ascending eigenvalues. Gradient descent converges when every factor is
        below one.

    Raises
    ------
    TypeError, ValueError
        For a bad ``hessian`` (see :func:`step_size_bounds`), or a learning rate that is not
        a positive finite number.

    Examples
    --------
    >>> print(contraction_factors([[20.0, -30.0], [-30.0, 80.0]], 0.001).round(4))
    [0.9924 0.9076]
    >>> contraction_factors([[20.0, 0.0], [0.0, 20.0]], [0.05, 0.1]).tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    """
    eigenvalues, _ = _eigh(hessian)
    alpha = _check_numbers("lr", lr)
    return np.abs(1.0 - alpha[..., None] * eigenvalues)


def _check_numbers(name: str, value: Any, *, momentum: bool = False) -> np.ndarray:
    """Learning rates (positive, finite) or momenta (in [0, 1)) as a float array."""
    expected = "a number in [0, 1)" if momentum else "a positive number"
    if isinstance(value, bool) or not (
        isinstance(value, numbers.Real) or isinstance(value, (list, tuple, np.ndarray))
    ):
        raise TypeError(f"{name} must be {expected} or an array of them, got {value!r}")
    array = np.asarray(value, dtype=float)
    finite = np.isfinite(array).all()
    if momentum and not (finite and (array >= 0).all() and (array < 1).all()):
        raise ValueError(f"{name} must be in [0, 1), got {array.tolist()}")
    if not momentum and not (finite and (array > 0).all()):
        raise ValueError(f"{name} must be positive and finite, got {array.tolist()}")
    return array


@dataclass(frozen=True)
class HeavyBall:
    r"""Polyak's heavy-ball settings for a quadratic, and the rate they reach.

    Attributes
    ----------
    lr : float
        :math:`\alpha = 4 / (\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2`.
    momentum : float
        :math:`\beta = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2`.
    rate : float
        :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1) = \sqrt\beta`, the per-step factor of
        every eigen-component at these settings.
    """

    lr: float
    momentum: float
    rate: float


def heavy_ball(hessian: Any) -> HeavyBall:
    r"""Polyak's optimal learning rate and momentum for a quadratic with this Hessian.

    They put both extreme eigen-directions on the edge between real and complex roots,
    where every root has size :math:`\sqrt\beta`.

    Parameters
    ----------
    hessian : array_like of shape (n, n)
        A symmetric positive definite matrix.

    Returns
    -------
    HeavyBall

    Raises
    ------
    TypeError, ValueError
        For a bad ``hessian`` (see :func:`step_size_bounds`).

    Examples
    --------
    >>> polyak = heavy_ball([[20.0, -30.0], [-30.0, 80.0]])
    >>> print(f"{polyak.lr:.5f} {polyak.momentum:.4f} {polyak.rate:.4f}")
    0.02616 0.3079 0.5549
    """
    eigenvalues, _ = _eigh(hessian)
    low, high = math.sqrt(eigenvalues[0]), math.sqrt(eigenvalues[-1])
    rate = (high - low) / (high + low)
    return HeavyBall(lr=4.0 / (high + low) ** 2, momentum=rate**2, rate=rate)


def heavy_ball_factors(hessian: Any, lr: Any, momentum: Any) -> np.ndarray:
    r"""The per-step factor of each eigen-component under heavy-ball momentum.

    For each eigenvalue :math:`\lambda_i`, the larger size of the two roots of
    :math:`z^2 - (1 + \beta - \alpha\lambda_i)\,z + \beta = 0`, the eigenvalues of
    the 2 × 2 map :math:`(c_i^t, c_i^{t-1}) \mapsto (c_i^{t+1}, c_i^t)`. With
    :math:`\beta = 0` it is :math:`|1 - \alpha\lambda_i|`, as in
    :func:`contraction_factors`.

    Parameters
    ----------
    hessian : array_like of shape (n, n)
        A symmetric positive definite matrix.
    lr : float or array_like of float
        Learning rates :math:`\alpha > 0`.
    momentum : float or array_like of float
        Momentum :math:`0 \le \beta < 1`, broadcast against ``lr``.

    Returns
    -------
    numpy.ndarray
        Shape ``(*broadcast shape, n)``, the last axis following the ascending
        eigenvalues. The run converges when every factor is below one, that is when
        :math:`\alpha\lambda_{\max} < 2\,(1 + \beta)`.

    Raises
    ------
    TypeError, ValueError
        For a bad ``hessian``, a learning rate that is not positive and finite, or a momentum
        outside :math:`[0, 1)`.

    Examples
    --------
    >>> h = [[20.0, -30.0], [-30.0, 80.0]]
    >>> print(heavy_ball_factors(h, 0.001, 0.0).round(4))
    [0.9924 0.9076]
    >>> polyak = heavy_ball(h)
    >>> print(heavy_ball_factors(h, polyak.lr, polyak.momentum).round(4))
    [0.5549 0.5549]
    """
    eigenvalues, _ = _eigh(hessian)
    alpha = _check_numbers("lr", lr)
    beta = _check_numbers("momentum", momentum, momentum=True)
    alpha, beta = np.broadcast_arrays(alpha, beta)
    trace = 1.0 + beta[..., None] - alpha[..., None] * eigenvalues
    root = np.sqrt((trace**2 - 4.0 * beta[..., None]).astype(complex))
    return np.maximum(np.abs(trace + root), np.abs(trace - root)) / 2.0


def _steps_of_points(trajectory: Any) -> np.ndarray:
    """The points of a run, one row per step, in their floating dtype."""
    xy = as_points(trajectory, coordinates=None, dtype=None)
    if xy.ndim != 2:
        raise ValueError(f"trajectory must hold points of shape (steps, n), got shape {xy.shape}")
    return xy


def eigen_components(trajectory: Any, hessian: Any, *, center: Any = None) -> np.ndarray:
    r"""Coordinates :math:`c_i = q_i^\top (v - v^\star)` of points in the Hessian's eigenbasis.

    Parameters
    ----------
    trajectory : Trajectory or array_like of shape (steps, n)
        The points, e.g. a run of :func:`gdtutor.gradient_descent`.
    hessian : array_like of shape (n, n)
        A symmetric positive definite matrix.
    center : array_like of shape (n,), optional
        The minimizer :math:`v^\star`; the origin by default (as for gdtutor's quadratics).

    Returns
    -------
    numpy.ndarray
        Shape ``(steps, n)``, float64; column ``i`` belongs to ``eigenvalues[i]`` of
        :func:`step_size_bounds`.

    Raises
    ------
    TypeError, ValueError
        For a bad ``hessian``, points that are not of shape ``(steps, n)`` or a ``center`` of
        the wrong shape.

    Examples
    --------
    >>> c = eigen_components([[1.0, 0.0], [0.0, 1.0]], [[20.0, -30.0], [-30.0, 80.0]])
    >>> print(c.round(4))
    [[ 0.9239 -0.3827]
     [ 0.3827  0.9239]]
    """
    _, eigenvectors = _eigh(hessian)
    xy = _steps_of_points(trajectory).astype(float)
    n = eigenvectors.shape[0]
    if xy.shape[1] != n:
        raise ValueError(
            f"trajectory must hold points with {n} coordinates to match the {n} × {n} hessian, "
            f"got shape {xy.shape}"
        )
    if center is not None:
        c = np.asarray(center, dtype=float)
        if c.shape != (n,):
            raise ValueError(f"center must have shape ({n},), got shape {c.shape}")
        xy = xy - c
    return xy @ eigenvectors


def decay_rates(
    trajectory: Any,
    hessian: Any,
    *,
    center: Any = None,
    noise: float = 1e3,
    momentum: bool = False,
) -> np.ndarray:
    r"""Measure the per-step factor of each eigen-component of a run by a log-linear fit.

    If :math:`|c_i(t)| = |c_i(0)|\, r_i^t` then :math:`\log |c_i(t)|` is a straight line in
    :math:`t` with slope :math:`\log r_i`. The fit uses the steps from the start up to the
    first one where the component has sunk into rounding noise, i.e. below ``noise`` times
    the machine epsilon of the run's dtype times the distance :math:`\|v(t) - v^\star\|`.

    With momentum a component can swing through zero, so the fit follows the size of the
    pair :math:`(c_i(t), c_i(t-1))`, the state of the two-step recurrence, and leaves out
    the first quarter of the measurable steps, while the slower of its two modes takes over.

    Parameters
    ----------
    trajectory : Trajectory or array_like of shape (steps, n)
        A run of gradient descent, with or without momentum, on a quadratic with this
        Hessian.
    hessian : array_like of shape (n, n)
        A symmetric positive definite matrix.
    center : array_like of shape (n,), optional
        The minimizer; the origin by default.
    noise : float, optional
        How many machine epsilons (relative to the distance from the minimizer) a component
        must exceed to count as measured.
    momentum : bool, optional
        Measure a run with momentum (see above).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, the measured factors :math:`r_i`, in the order of the ascending
        eigenvalues; ``nan`` for a component with fewer than two measurable steps (one that
        starts at zero, or is wiped out in one step when :math:`\alpha\lambda_i = 1`).

    Raises
    ------
    TypeError, ValueError
        As for :func:`eigen_components`, or for a ``noise`` that is not positive.

    Examples
    --------
    >>> from gdtutor import gradient_descent, hessian, skewed
    >>> run = gradient_descent(skewed, [8.0, 8.0], lr=0.001, steps=100)
    >>> print(decay_rates(run, hessian(skewed, at=(0.0, 0.0))).round(4))
    [0.9924 0.9076]
    """
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not noise > 0:
        raise ValueError(f"noise must be a positive number, got {noise!r}")
    raw = _steps_of_points(trajectory)
    eps = float(np.finfo(raw.dtype).eps) if np.issubdtype(raw.dtype, np.floating) else 0.0
    sizes = np.abs(eigen_components(raw, hessian, center=center))
    if momentum:
        sizes = np.hypot(sizes[1:], sizes[:-1])
    distance = np.linalg.norm(sizes, axis=1, keepdims=True)
    measurable = (sizes > float(noise) * eps * distance) & np.isfinite(sizes)
    rates = np.full(sizes.shape[1], math.nan)
    for i in range(sizes.shape[1]):
        lost = np.flatnonzero(~measurable[:, i])
        count = int(lost[0]) if lost.size else len(sizes)
        first = count // 4 if momentum else 0
        if count - first >= 2:
            steps = np.arange(first, count)
            slope = np.polyfit(steps, np.log(sizes[first:count, i]), 1)[0]
            rates[i] = math.exp(slope)
    return rates
