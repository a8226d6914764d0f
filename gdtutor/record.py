"""The record of one optimization run: an immutable trajectory and how it was produced."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

import numpy as np
import torch

from gdtutor._arrays import frozen

__all__ = ["Trajectory", "as_points", "divergence_message", "run_loop"]


def divergence_message(step: int, value: float) -> str:
    """The sentence that ends a record whose value became non-finite at ``step``."""
    return f"diverged: the value at step {step} was {value}; stopped there"


def as_points(
    data: Any, *, name: str = "trajectory", coordinates: int | None = 2, dtype: Any = float
) -> np.ndarray:
    """The points of a :class:`Trajectory`, or ``data`` itself as an array of points.

    Parameters
    ----------
    data : Trajectory or array_like
        Points along the last axis, of shape ``(..., coordinates)``; a tensor is detached.
    name : str, optional
        The argument's name, for the error messages.
    coordinates : int or None, optional
        How many coordinates a point has; ``None`` for any number.
    dtype : numpy dtype or None, optional
        The array's dtype; ``None`` keeps a floating dtype as it is (float64 for others).

    Raises
    ------
    TypeError
        If ``data`` cannot be read as real numbers (booleans and complex numbers are not).
    ValueError
        If its last axis does not hold ``coordinates`` numbers.
    """
    points = data.points if isinstance(data, Trajectory) else data
    if isinstance(points, torch.Tensor):
        points = points.detach().cpu()
    try:
        xy = np.asarray(points)
        if xy.dtype.kind not in "iuf":  # not bool, complex, text or objects (None)
            raise TypeError
        if dtype is None:
            dtype = xy.dtype if xy.dtype.kind == "f" else float
        xy = xy.astype(dtype, copy=False)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a Trajectory or an array of points (real numbers), "
            f"got {type(data).__name__}"
        ) from None
    if xy.ndim == 0 or (coordinates is not None and xy.shape[-1] != coordinates):
        n = "n" if coordinates is None else coordinates
        raise ValueError(
            f"{name} must be a Trajectory or points of shape (..., {n}), got shape {xy.shape}"
        )
    return xy


# eq=False: the generated __eq__ would compare numpy arrays field by field and raise
# "truth value of an array ... is ambiguous"; a record compares by identity instead.
@dataclass(frozen=True, eq=False)
class Trajectory:
    """Points and values of one run, and what produced them.

    Each point is paired with its own value, both taken before the step: ``values[i]`` is the
    objective at ``points[i]``, and ``points[0]`` is the start.

    Attributes
    ----------
    points : numpy.ndarray
        Shape ``(n, 2)``, the dtype of the start point; read-only.
    values : numpy.ndarray
        Shape ``(n,)``; read-only.
    end_point : numpy.ndarray
        Where the run ended: the point after its last step or, for a run stopped by a value
        that is not finite, the point at which the value became so.
    method : str
        ``"gradient descent"`` for the hand-written loop, else the optimizer's class name.
    objective_name : str
        The objective's ``__name__``.
    lr : float
        The learning rate.
    steps : int
        The number of steps asked for; ``len(values)`` is smaller if a value that is not
        finite stopped the run.
    options : Mapping
        Further optimizer keyword arguments.
    diverged : bool
        True if the run stopped early because the objective became non-finite, or its last
        step took the point to one that is not finite.
    message : str
        A sentence saying how the run ended.
    """

    points: np.ndarray
    values: np.ndarray
    end_point: np.ndarray
    method: str
    objective_name: str
    lr: float
    steps: int
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    diverged: bool = False
    message: str = ""

    def __post_init__(self) -> None:
        # Read-only whichever way the record was made: a writeable array is copied, so that
        # the caller's own array stays as it was; the options are a read-only view.
        for name in ("points", "values", "end_point"):
            array = np.asarray(getattr(self, name))
            if array.flags.writeable or not array.flags.owndata:  # a view: its base can change
                array = frozen(array.copy())
            object.__setattr__(self, name, array)
        if not isinstance(self.options, MappingProxyType):
            object.__setattr__(self, "options", MappingProxyType(dict(self.options or {})))
        n = len(self.values) if self.values.ndim else -1
        if self.values.shape != (n,) or self.points.ndim != 2 or len(self.points) != n:
            raise ValueError(
                "a Trajectory pairs each point with its value: points of shape (n, d) and "
                f"values of shape (n,), got {self.points.shape} and {self.values.shape}"
            )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The options' read-only view cannot be pickled (nor deep-copied): a dict goes in its
        # place, and __post_init__ makes the view again.
        return (
            type(self),
            tuple(
                dict(self.options) if f.name == "options" else getattr(self, f.name)
                for f in fields(self)
            ),
        )

    def __len__(self) -> int:
        return len(self.values)

    @property
    def last_value(self) -> float:
        """The last recorded value, ``values[-1]``: the objective at the last point, before the
        last step (``nan`` for an empty run). The run's own result is one step further, at
        ``end_point``."""
        return float(self.values[-1]) if len(self.values) else math.nan


#: The points a record makes room for at first (see :func:`run_loop`).
_FIRST_ROOM = 4096


def run_loop(
    step: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    steps: int,
    method: str,
    objective_name: str,
    lr: float,
    options: Mapping[str, Any] | None = None,
) -> Trajectory:
    """Call ``step(x)`` up to ``steps`` times and return the record of the run.

    ``step`` evaluates the objective at ``x``, updates ``x`` in place and returns the value it
    computed *before* the update; the loop records ``x`` before each call next to that value.
    It stops at the first non-finite value, whose step is not recorded, so that every
    recorded value is finite. The other arguments describe the run in the record.

    Returns
    -------
    Trajectory
        Read-only copies of the points and values, moved to the CPU.

    Examples
    --------
    >>> import torch
    >>> def halve(x):
    ...     value = (x**2).sum()
    ...     with torch.no_grad():
    ...         x /= 2
    ...     return value
    >>> run = run_loop(halve, torch.ones(2), steps=3, method="halving", objective_name="sum",
    ...                lr=0.5)
    >>> print(run.points[:, 0], run.values, run.end_point, run.diverged)
    [1.   0.5  0.25] [2.    0.5   0.125] [0.125 0.125] False
    """
    # Room for the points is made as the run goes (doubling), not for every step up front:
    # a huge ``steps`` runs until it is stopped instead of failing to allocate.
    points = torch.empty((min(steps, _FIRST_ROOM), 2), dtype=x.dtype, device=x.device)
    end = x
    values: list[float] = []
    diverged = False
    message = "ran its 1 step" if steps == 1 else f"ran all {steps} steps"
    for i in range(steps):
        if i == len(points):
            points = torch.cat([points, torch.empty_like(points[: steps - i])])
        points[i] = x.detach()
        value = step(x)
        # One float per step: the cheapest finiteness check, and it also moves the value to
        # the host, where the record lives.
        v = value.item()
        if not math.isfinite(v):
            diverged = True
            message = divergence_message(i, v)
            end = points[i]
            break
        values.append(v)
    if not diverged and not bool(torch.isfinite(end).all()):
        # Every value was finite, and the last step took the point out of range.
        diverged = True
        message = f"diverged: the last step took the point to {end.tolist()}"
    n = len(values)
    dtype = np.float64 if x.dtype == torch.float64 else np.float32
    return Trajectory(
        points=frozen(points[:n].cpu().numpy().copy()),
        values=frozen(np.array(values, dtype=dtype)),
        end_point=frozen(end.detach().cpu().numpy().copy()),
        method=method,
        objective_name=objective_name,
        lr=lr,
        steps=steps,
        options=MappingProxyType(dict(options or {})),
        diverged=diverged,
        message=message,
    )
