"""The record of one optimisation run: an immutable trajectory and how it was produced."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import torch

__all__ = ["Recording", "Trajectory", "run_loop"]

#: ``"before"``: each point with its own value, both taken before the step.
#: ``"notebook"``: the point *after* the step next to the value computed *before* it, as the
#: course notebook's optimizer cells record them.
Recording = Literal["before", "notebook"]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


# eq=False: the generated __eq__ would compare numpy arrays field by field and raise
# "truth value of an array ... is ambiguous"; a record compares by identity instead.
@dataclass(frozen=True, eq=False)
class Trajectory:
    """Points and values of one run, and what produced them.

    Attributes
    ----------
    points : numpy.ndarray
        Shape ``(n, 2)``, the dtype of the start point; read-only.
    values : numpy.ndarray
        Shape ``(n,)``; read-only. With ``recording="before"``, ``values[i]`` is the
        objective at ``points[i]``.
    end_point : numpy.ndarray
        Where the run ended: the point after its last step or, for a run that diverged,
        the point at which the value became non-finite.
    method : str
        ``"gradient descent"`` for the hand-written loop, else the optimizer's class name.
    objective : str
        The objective's ``__name__``.
    lr : float
        The learning rate.
    steps : int
        The number of steps asked for; ``len(values)`` is smaller if the run diverged.
    recording : {"before", "notebook"}
        How points and values were paired (see :data:`~gdtutor.record.Recording`).
    options : Mapping
        Further optimizer keyword arguments.
    diverged : bool
        True if the run stopped early because the objective became non-finite.
    message : str
        A sentence saying how the run ended.
    """

    points: np.ndarray
    values: np.ndarray
    end_point: np.ndarray
    method: str
    objective: str
    lr: float
    steps: int
    recording: Recording = "before"
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    diverged: bool = False
    message: str = ""

    def __len__(self) -> int:
        return len(self.values)

    @property
    def final_value(self) -> float:
        """The last recorded value (``nan`` for an empty run)."""
        return float(self.values[-1]) if len(self.values) else math.nan


def run_loop(
    step: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    steps: int,
    recording: Recording,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, str]:
    """Call ``step(x)`` up to ``steps`` times, recording points and values.

    ``step`` evaluates the objective at ``x``, updates ``x`` in place and returns the value it
    computed *before* the update. The loop stops at the first non-finite value, whose step is
    not recorded, so that every recorded value is finite.

    Returns
    -------
    points, values, end_point : numpy.ndarray
        Read-only copies, as for :class:`~gdtutor.Trajectory`.
    diverged : bool
    message : str

    Examples
    --------
    >>> import torch
    >>> def halve(x):
    ...     value = (x**2).sum()
    ...     with torch.no_grad():
    ...         x /= 2
    ...     return value
    >>> points, values, end, diverged, message = run_loop(halve, torch.ones(2), 3, "before")
    >>> print(points[:, 0], values, end, diverged)
    [1.   0.5  0.25] [2.    0.5   0.125] [0.125 0.125] False
    """
    if recording not in ("before", "notebook"):
        raise ValueError(f"recording must be 'before' or 'notebook', got {recording!r}")
    after = recording == "notebook"
    points = torch.empty((steps, 2), dtype=x.dtype, device=x.device)
    start = x.detach().clone()
    end = x
    values: list[float] = []
    diverged = False
    message = f"ran all {steps} steps"
    for i in range(steps):
        if not after:
            points[i] = x.detach()
        value = step(x)
        # One float per step: the cheapest finiteness check, and it also moves the value to
        # the host, where the record lives.
        v = value.item()
        if not math.isfinite(v):
            diverged = True
            message = f"diverged: the value at step {i} was {v}; stopped there"
            end = points[i] if not after else (points[i - 1] if i else start)
            break
        values.append(v)
        if after:
            points[i] = x.detach()
    n = len(values)
    dtype = np.float64 if x.dtype == torch.float64 else np.float32
    return (
        _frozen(points[:n].cpu().numpy().copy()),
        _frozen(np.array(values, dtype=dtype)),
        _frozen(end.detach().cpu().numpy().copy()),
        diverged,
        message,
    )
