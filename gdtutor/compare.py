r"""Comparing optimizers fairly: one learning-rate sweep, one step budget, several starts.

An optimizer's result depends on its learning rate at least as much as on the optimizer, so a
comparison at one hand-picked learning rate compares the picks, not the optimizers.
:func:`sweep_lr` gives every optimizer the same treatment: the same grid of learning rates,
the same step budget and the same start points. For each learning rate it records the final
gap :math:`f(v_{\text{final}}) - f^\star` and the number of steps after which the gap stayed
within a tolerance, from every start, and it picks the learning rate by a fixed rule
(:attr:`Sweep.best_index`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import torch

from gdtutor._checks import as_start_point, check_lr, check_steps
from gdtutor.objectives import Objective
from gdtutor.optim import optimize, optimizer_class
from gdtutor.record import Trajectory, _frozen, divergence_message

__all__ = ["CONTENDERS", "LINEAR_IN_LR", "SWEEP_LRS", "Sweep", "steps_to_tolerance", "sweep_lr"]

#: The optimizers that the comparison lessons race: a label mapped to the name of a
#: ``torch.optim`` class and its keyword options (other than ``lr``).
CONTENDERS: Mapping[str, tuple[str, Mapping[str, Any]]] = MappingProxyType(
    {
        "SGD": ("SGD", MappingProxyType({})),
        "SGD + momentum": ("SGD", MappingProxyType({"momentum": 0.9})),
        "Nesterov": ("SGD", MappingProxyType({"momentum": 0.9, "nesterov": True})),
        "RMSprop": ("RMSprop", MappingProxyType({})),
        "Adagrad": ("Adagrad", MappingProxyType({})),
        "Adam": ("Adam", MappingProxyType({})),
        "AdamW": ("AdamW", MappingProxyType({})),
    }
)

#: The learning rates those lessons sweep: 13 values from 1e-4 to 1e2, evenly spaced on a
#: log axis (two per decade).
SWEEP_LRS: np.ndarray = np.geomspace(1e-4, 1e2, 13)
SWEEP_LRS.setflags(write=False)

#: Optimizers whose step moves each parameter by the learning rate times a direction that
#: does not depend on the learning rate (their states only see gradients), elementwise. For
#: these, :func:`sweep_lr` runs all learning rates and starts at once (see ``batched``).
LINEAR_IN_LR: frozenset[str] = frozenset(
    {"Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop", "SGD"}
)


@dataclass(frozen=True)
class Sweep:
    r"""The outcome of a learning-rate sweep of one optimizer on one objective.

    Attributes
    ----------
    objective : str
        The objective's ``__name__``.
    optimizer : str
        The optimizer's class name.
    lrs : numpy.ndarray
        The learning rates tried, ascending, shape ``(L,)``.
    starts : numpy.ndarray
        The start points, shape ``(S, 2)``.
    steps : int
        The step budget of every run.
    tol : float
        The tolerance on the gap :math:`f - f^\star`.
    target : float
        :math:`f^\star`, the minimum value.
    final_gaps : numpy.ndarray
        Shape ``(L, S)``: the last recorded value minus ``target``, as
        :attr:`gdtutor.Trajectory.final_value` reports it; ``inf`` for a run that diverged.
    steps_to_tol : numpy.ndarray
        Shape ``(L, S)``: after how many steps the gap stayed at most ``tol`` up to the end of
        the budget (see :func:`steps_to_tolerance`); ``inf`` for a run that ends outside it.
    best_runs : tuple of Trajectory
        The runs at the chosen learning rate :attr:`best_lr`, one per start, as
        :func:`gdtutor.optimize` records them.
    options : Mapping
        The optimizer's keyword arguments other than ``lr``.
    """

    objective: str
    optimizer: str
    lrs: np.ndarray
    starts: np.ndarray
    steps: int
    tol: float
    target: float
    final_gaps: np.ndarray
    steps_to_tol: np.ndarray
    best_runs: tuple[Trajectory, ...] = ()
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def worst_gaps(self) -> np.ndarray:
        """The largest final gap over the starts, for each learning rate, shape ``(L,)``."""
        return self.final_gaps.max(axis=1)

    @property
    def worst_steps(self) -> np.ndarray:
        """The largest steps-to-tolerance over the starts, for each learning rate."""
        return self.steps_to_tol.max(axis=1)

    @property
    def best_index(self) -> int:
        """Index of the chosen learning rate.

        The rule: the learning rate after which the gap stays within ``tol`` from *every*
        start soonest (the smallest worst ``steps_to_tol``); if none gets there, the one
        with the smallest worst final gap. Ties go to the smaller learning rate. Judging by
        the worst start keeps a learning rate that wins from one start and fails from
        another from being chosen.
        """
        return _best_index(self.final_gaps, self.steps_to_tol)

    @property
    def best_lr(self) -> float:
        """The chosen learning rate, ``lrs[best_index]``."""
        return float(self.lrs[self.best_index])


def _best_index(final_gaps: np.ndarray, steps_to_tol: np.ndarray) -> int:
    # lexsort is stable and sorts by its last key first: ties go to the smaller index.
    return int(np.lexsort((final_gaps.max(axis=1), steps_to_tol.max(axis=1)))[0])


def steps_to_tolerance(trajectory: Any, tol: float, *, target: float = 0.0) -> int | None:
    r"""The number of steps after which a run's value stays within ``tol`` of ``target``.

    A run that dips below the tolerance and climbs out again (as adaptive methods with a large
    learning rate do) has not reached it: the count is the first step from which every later
    recorded value is within the tolerance.

    Parameters
    ----------
    trajectory : Trajectory or array_like of float
        A run recorded with values before each step (``values[i]`` is the value after ``i``
        steps), or those values themselves.
    tol : float
        The tolerance on ``value - target``, positive.
    target : float, optional
        The minimum value :math:`f^\star`.

    Returns
    -------
    int or None
        The smallest ``i`` with ``values[j] - target <= tol`` for every ``j >= i``, or
        ``None`` if the last value is not within the tolerance.

    Raises
    ------
    TypeError, ValueError
        If ``tol`` is not a positive finite number or the values are not one-dimensional.

    Examples
    --------
    >>> steps_to_tolerance([100.0, 10.0, 1.0, 0.1], tol=1.0)
    2
    >>> steps_to_tolerance([100.0, 0.5, 3.0, 0.5], tol=1.0)
    3
    >>> steps_to_tolerance([100.0, 10.0], tol=1.0) is None
    True
    """
    tol = check_lr(tol, name="tol")
    values = np.asarray(trajectory.values if isinstance(trajectory, Trajectory) else trajectory)
    if values.ndim != 1:
        raise ValueError(f"trajectory must hold one value per step, got shape {values.shape}")
    outside = np.flatnonzero(~(values - float(target) <= tol))
    if not len(values) or (outside.size and outside[-1] == len(values) - 1):
        return None
    return int(outside[-1]) + 1 if outside.size else 0


def _check_lrs(lrs: Any) -> np.ndarray:
    try:
        grid = np.array(lrs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"lrs must be a sequence of positive numbers, got {lrs!r}") from exc
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError(f"lrs must be a non-empty 1-d sequence, got shape {grid.shape}")
    if not (np.isfinite(grid).all() and (grid > 0).all()):
        raise ValueError(f"lrs must be positive and finite, got {grid.tolist()}")
    if len(np.unique(grid)) != grid.size:
        raise ValueError(f"lrs must not repeat a value, got {grid.tolist()}")
    return np.sort(grid)


def _check_starts(starts: Any) -> torch.Tensor:
    if isinstance(starts, (str, bytes)) or not isinstance(
        starts, (Sequence, np.ndarray, torch.Tensor)
    ):
        raise TypeError(f"starts must be a sequence of points, got {type(starts).__name__}")
    if len(starts) == 0:
        raise ValueError("starts must hold at least one point, got none")
    points = [as_start_point(s, name=f"starts[{i}]").detach() for i, s in enumerate(starts)]
    if len({p.dtype for p in points}) != 1:
        raise TypeError(
            f"starts must all have one dtype, got {sorted({str(p.dtype) for p in points})}"
        )
    return torch.stack(points)


def _target(objective: Objective, target: float | None) -> float:
    if target is not None:
        value = float(target)
        if not math.isfinite(value):
            raise ValueError(f"target must be finite, got {target!r}")
        return value
    return 0.0  # the minimum value of every gdtutor objective


def _run_batched(
    objective: Objective,
    cls: type[torch.optim.Optimizer],
    lrs: np.ndarray,
    starts: torch.Tensor,
    steps: int,
    options: Mapping[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """Every (learning rate, start) run at once, as the rows of one tensor.

    The optimizer steps all rows with the largest learning rate; each row's move is then
    scaled by its own ``lr / max(lrs)``. For the optimizers in :data:`LINEAR_IN_LR` this is
    the same run as one optimizer per row, up to rounding. Returns the values before each
    step, shape ``(steps, L, S)``, and the points, shape ``(steps + 1, L, S, 2)``.
    """
    x = starts.expand(len(lrs), *starts.shape).clone().requires_grad_(True)
    make: Callable[..., torch.optim.Optimizer] = cls  # every optimizer takes lr
    opt = make([x], **options, lr=float(lrs[-1]))
    scale = torch.as_tensor(lrs / lrs[-1], dtype=x.dtype).reshape(-1, 1, 1)
    values = torch.empty((steps, *x.shape[:-1]), dtype=x.dtype)
    points = torch.empty((steps + 1, *x.shape), dtype=x.dtype)
    for i in range(steps):
        points[i] = x.detach()
        opt.zero_grad()
        value = objective(x)
        if not isinstance(value, torch.Tensor) or value.shape != x.shape[:-1]:
            shape = tuple(getattr(value, "shape", ()))
            raise ValueError(
                f"objective must map points of shape (..., 2) to values of shape (...) for a "
                f"batched sweep, got shape {shape} for points of shape {tuple(x.shape)}; "
                f"pass batched=False for an objective of one point"
            )
        value.sum().backward()
        opt.step()
        with torch.no_grad():
            x.copy_(points[i] - scale * (points[i] - x))
        values[i] = value.detach()
    points[steps] = x.detach()
    return values.numpy(), points.numpy()


def _row_trajectory(
    values: np.ndarray,
    points: np.ndarray,
    *,
    objective: str,
    optimizer: str,
    lr: float,
    options: Mapping[str, Any],
) -> Trajectory:
    """The record :func:`gdtutor.optimize` makes, from one row of a batched run."""
    steps = len(values)
    bad = np.flatnonzero(~np.isfinite(values))
    n = int(bad[0]) if bad.size else steps
    message = divergence_message(n, values[n]) if bad.size else f"ran all {steps} steps"
    return Trajectory(
        points=_frozen(points[:n].copy()),
        values=_frozen(values[:n].copy()),
        end_point=_frozen(points[n].copy()),
        method=optimizer,
        objective_name=objective,
        lr=lr,
        steps=steps,
        options=options,
        diverged=bool(bad.size),
        message=message,
    )


def sweep_lr(
    objective: Objective,
    optimizer: str | type[torch.optim.Optimizer],
    lrs: Sequence[float] | np.ndarray,
    starts: Sequence[Any] | np.ndarray,
    steps: int,
    *,
    tol: float = 1e-6,
    target: float | None = None,
    batched: bool | None = None,
    **options: Any,
) -> Sweep:
    r"""Run an optimizer at every learning rate of a grid, from every start, for ``steps`` steps.

    Each run is the ``zero_grad / value / backward / step`` cycle of
    :func:`gdtutor.optimize`, recorded the same way: a run stops at its first non-finite
    value and counts as diverged.

    Parameters
    ----------
    objective : callable
        Maps points of shape ``(..., 2)`` to values of shape ``(...)``, as gdtutor's
        objectives do (with ``batched=False``, one point at a time is enough).
    optimizer : str or type
        ``"SGD"``, ``"Adam"``, ... or an optimizer class (see
        :func:`gdtutor.optim.optimizer_class`).
    lrs : sequence of float
        The learning rates to try, e.g. ``np.geomspace(1e-4, 1, 9)``.
    starts : sequence of points
        The start points, each as :func:`gdtutor.optimize` accepts it; all of one dtype.
    steps : int
        The step budget of every run, at least one.
    tol : float, optional
        The tolerance on :math:`f - f^\star` for ``Sweep.steps_to_tol``.
    target : float, optional
        :math:`f^\star`; 0 by default, the minimum of each of gdtutor's objectives.
    batched : bool, optional
        Run all learning rates and starts together as rows of one tensor: many times faster
        and, for the optimizers in :data:`LINEAR_IN_LR`, the same runs up to rounding.
        ``False`` calls :func:`gdtutor.optimize` once per run. By default batched exactly for
        the optimizers in :data:`LINEAR_IN_LR`.
    **options
        Further keyword arguments for the optimizer, e.g. ``momentum=0.9``.

    Returns
    -------
    Sweep

    Raises
    ------
    TypeError, ValueError
        For a bad optimizer, grid, start point, step count, tolerance or target, ``lr`` among
        the options, or ``batched=True`` for an optimizer outside :data:`LINEAR_IN_LR`.

    Examples
    --------
    >>> from gdtutor import skewed
    >>> sweep = sweep_lr(skewed, "SGD", [0.001, 0.01, 0.03], [[8.0, 8.0], [-8.0, 4.0]], 200)
    >>> print(sweep.best_lr, sweep.worst_steps.tolist())
    0.01 [inf, 126.0, inf]
    >>> bool(sweep.final_gaps[2, 0] == float("inf"))  # 0.03 > 2 / 92.4: diverged
    True
    >>> [run.message for run in sweep.best_runs]
    ['ran all 200 steps', 'ran all 200 steps']
    """
    cls = optimizer_class(optimizer)
    grid = _check_lrs(lrs)
    points = _check_starts(starts)
    steps = check_steps(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    tol = check_lr(tol, name="tol")
    f_star = _target(objective, target)
    if "lr" in options:
        raise TypeError("sweep_lr got lr among the optimizer options; give the grid as lrs")
    if batched is None:
        batched = cls.__name__ in LINEAR_IN_LR
    elif batched and cls.__name__ not in LINEAR_IN_LR:
        raise ValueError(
            f"batched must be False for {cls.__name__}: only {sorted(LINEAR_IN_LR)} move by "
            f"the learning rate times a direction that does not depend on it"
        )
    name = getattr(objective, "__name__", repr(objective))
    frozen_options = MappingProxyType(dict(options))
    runs: dict[tuple[int, int], Trajectory] = {}
    if batched:
        values, path = _run_batched(objective, cls, grid, points, steps, options)
    else:
        values = np.full((steps, len(grid), len(points)), np.nan)
        for (i, lr), (j, start) in itertools.product(enumerate(grid), enumerate(points)):
            run = optimize(objective, start, cls, lr=float(lr), steps=steps, **options)
            values[: len(run), i, j] = run.values
            values[len(run) :, i, j] = np.inf
            runs[i, j] = run
    gaps = values - f_star
    finite = np.isfinite(gaps)
    diverged = ~finite.all(axis=0)
    # Only the steps before a run's first non-finite value count, as in gdtutor's loops.
    within = np.cumprod(finite, axis=0).astype(bool) & (gaps <= tol)
    # The step after the last one outside the tolerance, for runs that end inside it.
    trailing = np.where(within.all(axis=0), steps, np.argmin(within[::-1], axis=0))
    settled = np.where(within[-1], steps - trailing, np.inf)
    final = np.where(diverged, np.inf, gaps[-1]).astype(float)
    settled = settled.astype(float)
    best = _best_index(final, settled)
    if batched:
        best_runs = tuple(
            _row_trajectory(
                values[:, best, j],
                path[:, best, j],
                objective=name,
                optimizer=cls.__name__,
                lr=float(grid[best]),
                options=frozen_options,
            )
            for j in range(len(points))
        )
    else:
        best_runs = tuple(runs[best, j] for j in range(len(points)))
    return Sweep(
        objective=name,
        optimizer=cls.__name__,
        lrs=_frozen(grid),
        starts=_frozen(points.numpy().copy()),
        steps=steps,
        tol=tol,
        target=f_star,
        final_gaps=_frozen(final),
        steps_to_tol=_frozen(settled),
        best_runs=best_runs,
        options=frozen_options,
    )
