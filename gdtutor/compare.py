r"""Comparing optimizers fairly: every optimizer tuned with the same number of trials.

An optimizer's result depends on its settings at least as much as on the optimizer, so a
comparison at one hand-picked setting compares the picks, not the optimizers. :func:`sweep`
runs one optimizer at every setting of a grid, from several starts, for one step budget, and
records for each run the final gap :math:`f(v_{\text{final}}) - f^\star` and the number of
steps after which the gap stayed within a tolerance; it picks a setting by a fixed rule
(:attr:`Sweep.best_index`). :func:`tune` does this for the comparison lessons' contenders on
their problems, each with a grid of :data:`TRIALS` settings from :func:`search_grid`.

The runs take the steps of :mod:`gdtutor.rules`, all settings and starts at once as the rows
of one tensor; those rules take ``torch.optim``'s steps up to float rounding.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import torch

from gdtutor._arrays import frozen
from gdtutor._checks import as_start_point, check_lr, check_steps
from gdtutor.objectives import Objective, hessian, rosenbrock, skewed
from gdtutor.optim import optimizer_class
from gdtutor.record import Trajectory
from gdtutor.rules import RULES
from gdtutor.stepsize import heavy_ball, step_size_bounds

__all__ = [
    "CONTENDERS",
    "PROBLEMS",
    "TRIALS",
    "Problem",
    "Sweep",
    "search_grid",
    "steps_to_tolerance",
    "sweep",
    "tune",
]

#: The optimizers that the comparison lessons race: a label mapped to the name of a
#: ``torch.optim`` class and its keyword options other than ``lr``.
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


@dataclass(frozen=True, eq=False)
class Problem:
    """One problem of the comparison: where the runs start, how long they run, what counts.

    Attributes
    ----------
    objective : callable
        The function to minimize; its minimum value is 0.
    minimizer : tuple of float
        Where the minimum is; the Hessian there gives the theory's settings.
    starts : numpy.ndarray
        The start points, shape ``(S, 2)``, float64; read-only.
    steps : int
        The step budget of every run.
    tol : float
        A run has arrived once its gap stays within ``tol``.
    """

    objective: Objective
    minimizer: tuple[float, float]
    starts: np.ndarray
    steps: int
    tol: float


#: The two problems of the comparison lessons: the course's skewed quadratic for the
#: course's 500 steps, and Rosenbrock's banana, from its classic start (-1.2, 1) and two more.
PROBLEMS: Mapping[str, Problem] = MappingProxyType(
    {
        "skewed": Problem(
            skewed, (0.0, 0.0), frozen(np.array([[8.0, 8.0], [-8.0, 4.0], [2.0, -8.0]])), 500, 1e-6
        ),
        "rosenbrock": Problem(
            rosenbrock,
            (1.0, 1.0),
            frozen(np.array([[-1.2, 1.0], [-0.5, 2.5], [1.8, 1.5]])),
            1000,
            1e-4,
        ),
    }
)

#: How many settings every contender tries on every problem.
TRIALS = 256
_LR_RANGE = (1e-4, 10.0)
_MOMENTA = (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)


@dataclass(frozen=True, eq=False)
class Sweep:
    r"""The outcome of a sweep of one optimizer over a grid of settings on one objective.

    Attributes
    ----------
    objective : str
        The objective's ``__name__``.
    optimizer : str
        The optimizer's class name.
    settings : tuple of Mapping
        The keyword arguments of each trial, ``lr`` included, shape ``(N,)``.
    starts : numpy.ndarray
        The start points, shape ``(S, 2)``.
    steps : int
        The step budget of every run.
    tol : float
        The tolerance on the gap, :math:`|f - f^\star|`.
    target : float
        :math:`f^\star`, the minimum value.
    final_gaps : numpy.ndarray
        Shape ``(N, S)``: the gap at the point where the run ended; ``inf`` for a run whose
        value stopped being finite.
    steps_to_tol : numpy.ndarray
        Shape ``(N, S)``: after how many steps the gap stayed within ``tol`` up to the end of
        the budget (see :func:`steps_to_tolerance`); ``inf`` for a run that ends outside it.
    best_points : numpy.ndarray
        Shape ``(S, steps + 1, 2)``: the path of each run at the chosen setting, from the
        start to the end point.
    best_values : numpy.ndarray
        Shape ``(S, steps + 1)``: the objective along those paths.
    """

    objective: str
    optimizer: str
    settings: tuple[Mapping[str, Any], ...]
    starts: np.ndarray
    steps: int
    tol: float
    target: float
    final_gaps: np.ndarray
    steps_to_tol: np.ndarray
    best_points: np.ndarray
    best_values: np.ndarray

    @property
    def lrs(self) -> np.ndarray:
        """The learning rate of each trial, shape ``(N,)``."""
        return np.array([s["lr"] for s in self.settings], dtype=float)

    @property
    def worst_gaps(self) -> np.ndarray:
        """The largest final gap over the starts, for each trial, shape ``(N,)``."""
        return self.final_gaps.max(axis=1)

    @property
    def worst_steps(self) -> np.ndarray:
        """The largest steps-to-tolerance over the starts, for each trial, shape ``(N,)``."""
        return self.steps_to_tol.max(axis=1)

    @property
    def best_index(self) -> int:
        """Index of the chosen trial.

        The rule: the setting after which the gap stays within ``tol`` from *every* start
        soonest (the smallest worst ``steps_to_tol``); among those that never get there, or
        that get there equally soon, the smallest worst final gap; then the earlier trial.
        Judging by the worst start keeps a setting that wins from one start and fails from
        another from being chosen.
        """
        return _best_index(self.final_gaps, self.steps_to_tol)

    @property
    def best_settings(self) -> Mapping[str, Any]:
        """The chosen trial's keyword arguments."""
        return self.settings[self.best_index]

    @property
    def best_lr(self) -> float:
        """The chosen trial's learning rate."""
        return float(self.best_settings["lr"])


def _best_index(final_gaps: np.ndarray, steps_to_tol: np.ndarray) -> int:
    # lexsort is stable and sorts by its last key first: ties go to the earlier trial.
    return int(np.lexsort((final_gaps.max(axis=1), steps_to_tol.max(axis=1)))[0])


def steps_to_tolerance(values: Any, tol: float, *, target: float = 0.0) -> Any:
    r"""The number of steps after which a run's value stays within ``tol`` of ``target``.

    A run that dips below the tolerance and climbs out again (as adaptive methods with a large
    learning rate do) has not arrived: the count is the first step from which every later
    value is within the tolerance, on either side of ``target``. A value that is not finite
    (``-inf`` too) is outside it.

    Parameters
    ----------
    values : Trajectory or array_like of float
        ``values[i]`` is the value after ``i`` steps; further axes hold further runs.
    tol : float
        The tolerance on ``|value - target|``, positive.
    target : float, optional
        The minimum value :math:`f^\star`.

    Returns
    -------
    float or numpy.ndarray
        The smallest ``i`` with ``|values[j] - target| <= tol`` for every ``j >= i``, or
        ``inf`` where the last value is not within the tolerance; one number for one run,
        an array of shape ``values.shape[1:]`` for several.

    Raises
    ------
    TypeError, ValueError
        If ``tol`` is not a positive finite number, ``target`` is not finite or ``values``
        is a single number.

    Examples
    --------
    >>> steps_to_tolerance([100.0, 10.0, 1.0, 0.1], tol=1.0)
    2.0
    >>> steps_to_tolerance([100.0, 0.5, 3.0, 0.5], tol=1.0)
    3.0
    >>> steps_to_tolerance([100.0, 10.0], tol=1.0)
    inf
    >>> steps_to_tolerance([[5.0, 5.0], [0.5, 5.0]], tol=1.0).tolist()
    [1.0, inf]
    """
    tol = check_lr(tol, name="tol")
    if not math.isfinite(float(target)):
        raise ValueError(f"target must be finite, got {target!r}")
    gaps = np.asarray(values.values if isinstance(values, Trajectory) else values, dtype=float)
    if gaps.ndim == 0:
        raise ValueError(f"values must hold one value per step, got the single number {gaps}")
    outside = ~(np.abs(gaps - float(target)) <= tol)  # NaN and infinities are outside
    if not len(gaps):
        counts = np.full(gaps.shape[1:], np.inf)
    else:
        last_outside = len(gaps) - 1 - np.argmax(outside[::-1], axis=0)
        counts = np.where(outside.any(axis=0), last_outside + 1.0, 0.0)
        counts = np.where(outside[-1], np.inf, counts)
    return float(counts) if counts.ndim == 0 else counts


def _check_grid(grid: Any, options: Mapping[str, Any]) -> dict[str, list[Any]]:
    if not isinstance(grid, Mapping) or "lr" not in grid:
        raise TypeError(
            f"grid must map option names to the values to try, lr among them, got {grid!r}"
        )
    axes = {}
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
            raise TypeError(f"grid[{name!r}] must be a sequence of values, got {values!r}")
        if len(values) == 0:
            raise ValueError(f"grid[{name!r}] must hold at least one value, got none")
        axes[name] = list(values)
    lrs = axes["lr"]
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in lrs):
        raise TypeError(f"grid['lr'] must hold positive numbers, got {lrs!r}")
    if not all(math.isfinite(v) and v > 0 for v in lrs):
        raise ValueError(f"grid['lr'] must hold positive finite numbers, got {lrs}")
    if len(set(lrs)) != len(lrs):
        raise ValueError(f"grid['lr'] must not repeat a value, got {lrs}")
    if "lr" in options:
        raise TypeError("sweep got lr among the optimizer options; give the grid's lr instead")
    both = sorted(set(axes) & set(options))
    if both:
        raise TypeError(f"sweep got {both} both in the grid and among the optimizer options")
    return axes


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


def _as_rows(name: str, values: list[Any], like: torch.Tensor) -> Any:
    """One setting for every trial: a plain value if all trials share it, else a column."""
    if all(v == values[0] for v in values):
        return values[0]
    if all(isinstance(v, tuple) for v in values):
        return tuple(_as_rows(name, list(column), like) for column in zip(*values, strict=True))
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        raise ValueError(f"grid[{name!r}] must hold numbers to sweep over, got {values}")
    return torch.tensor(values, dtype=like.dtype).reshape(-1, *[1] * like.ndim)


def _run(
    objective: Objective,
    rule: Any,
    settings: list[dict[str, Any]],
    starts: torch.Tensor,
    steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (setting, start) run at once, as the rows of one tensor.

    Returns the values, shape ``(steps + 1, N, S)``, and the points, shape
    ``(steps + 1, N, S, 2)``, after ``0, 1, ..., steps`` steps.
    """
    x = starts.expand(len(settings), *starts.shape).clone()
    columns = {k: _as_rows(k, [s[k] for s in settings], starts) for k in settings[0]}
    state: dict[str, Any] = {}
    values = torch.empty((steps + 1, *x.shape[:-1]), dtype=x.dtype)
    points = torch.empty((steps + 1, *x.shape), dtype=x.dtype)
    for i in range(steps + 1):
        x.requires_grad_(True)
        value = objective(x)
        if not isinstance(value, torch.Tensor) or value.shape != x.shape[:-1]:
            raise ValueError(
                f"objective must map points of shape (..., 2) to values of shape (...), as "
                f"gdtutor's objectives do; got shape {tuple(getattr(value, 'shape', ()))} for "
                f"points of shape {tuple(x.shape)}"
            )
        points[i], values[i] = x.detach(), value.detach()
        if i == steps:
            break
        (grad,) = torch.autograd.grad(value.sum(), x)
        with torch.no_grad():
            x = rule(x, grad, state, **columns)
    return values.numpy(), points.numpy()


def sweep(
    objective: Objective,
    optimizer: str | type[torch.optim.Optimizer],
    grid: Mapping[str, Sequence[Any]],
    starts: Sequence[Any] | np.ndarray,
    steps: int,
    *,
    tol: float = 1e-6,
    target: float = 0.0,
    **options: Any,
) -> Sweep:
    r"""Run an optimizer at every setting of a grid, from every start, for ``steps`` steps.

    The settings are all combinations of the grid's values. Every run takes the steps of
    the optimizer's rule in :mod:`gdtutor.rules` (``torch.optim``'s steps, up to rounding).

    Parameters
    ----------
    objective : callable
        Maps points of shape ``(..., 2)`` to values of shape ``(...)``, as gdtutor's
        objectives do.
    optimizer : str or type
        ``"SGD"``, ``"RMSprop"``, ``"Adagrad"``, ``"Adam"`` or ``"AdamW"``, or that class.
    grid : Mapping
        Option names mapped to the values to try, ``lr`` among them, e.g.
        ``{"lr": [0.01, 0.02], "momentum": [0.5, 0.9]}`` (four settings).
    starts : sequence of points
        The start points, each as :func:`gdtutor.optimize` accepts it; all of one dtype.
    steps : int
        The step budget of every run, at least one.
    tol : float, optional
        The tolerance on :math:`|f - f^\star|` for ``Sweep.steps_to_tol``.
    target : float, optional
        :math:`f^\star`, the minimum value.
    **options
        Options that every setting shares, e.g. ``nesterov=True``.

    Returns
    -------
    Sweep

    Raises
    ------
    TypeError, ValueError
        For an optimizer without a rule, an option its rule does not write out, a bad grid,
        start point, step count, tolerance or target, ``lr`` among the options, or an
        objective that does not evaluate many points at once; ``torch.optim`` checks the
        settings themselves, with its own messages.

    Examples
    --------
    >>> from gdtutor import skewed
    >>> result = sweep(skewed, "SGD", {"lr": [0.001, 0.01, 0.03]}, [[8.0, 8.0], [-8.0, 4.0]], 200)
    >>> print(result.best_lr, result.worst_steps.tolist())
    0.01 [inf, 126.0, inf]
    >>> bool(result.final_gaps[2, 0] == float("inf"))  # 0.03 > 2 / 92.4: diverged
    True
    """
    cls = optimizer_class(optimizer)
    if cls.__name__ not in RULES or getattr(torch.optim, cls.__name__) is not cls:
        # A class of another name, or another class of the same name (a subclass, whose
        # step() may differ), has no rule written out.
        raise ValueError(
            f"optimizer must be one of torch.optim's whose rule gdtutor.rules writes out, one "
            f"of {', '.join(RULES)}; got {cls.__module__}.{cls.__qualname__}"
        )
    rule = RULES[cls.__name__]
    axes = _check_grid(grid, options)
    known = [p for p in inspect.signature(rule).parameters if p not in ("x", "grad", "state")]
    unknown = sorted((set(axes) | set(options)) - set(known))
    if unknown:
        raise TypeError(
            f"sweep cannot run {cls.__name__} with {unknown}: gdtutor.rules.{rule.__name__} "
            f"writes out only {known}"
        )
    settings = [
        {**dict(zip(axes, combination, strict=True)), **options}
        for combination in itertools.product(*axes.values())
    ]
    probe = torch.zeros(2, requires_grad=True)
    for setting in settings:
        cls([probe], **setting)  # torch.optim's own checks of every setting
    points = _check_starts(starts)
    steps = check_steps(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    tol = check_lr(tol, name="tol")
    if not math.isfinite(float(target)):
        raise ValueError(f"target must be finite, got {target!r}")
    values, path = _run(objective, rule, settings, points, steps)
    counts = np.asarray(steps_to_tolerance(values, tol, target=target), dtype=float)
    final = np.where(np.isfinite(values).all(axis=0), values[-1] - float(target), np.inf)
    best = _best_index(final, counts)
    return Sweep(
        objective=getattr(objective, "__name__", repr(objective)),
        optimizer=cls.__name__,
        settings=tuple(MappingProxyType(s) for s in settings),
        starts=frozen(points.numpy().copy()),
        steps=steps,
        tol=tol,
        target=float(target),
        final_gaps=frozen(final),
        steps_to_tol=frozen(counts),
        best_points=frozen(np.moveaxis(path[:, best], 0, 1).copy()),
        best_values=frozen(values[:, best].T.copy()),
    )


def search_grid(contender: str, problem: Problem) -> dict[str, list[Any]]:
    r"""The settings a contender tries on a problem, as many for every contender.

    Every contender gets :data:`~gdtutor.compare.TRIALS` settings. The learning rates are
    spread evenly on a log axis from 1e-4 to 10, with the theory's two optimal learning
    rates for the Hessian at the minimum added: the best fixed step
    :math:`\alpha^\star` and Polyak's heavy-ball step (:func:`gdtutor.stepsize.heavy_ball`).
    A contender with momentum (``momentum``, or Adam's :math:`\beta_1`) also tries seven
    momenta from 0.5 to 0.99 and Polyak's heavy-ball momentum, with an eighth as many
    learning rates; the others spend all their trials on learning rates.

    Parameters
    ----------
    contender : str
        A key of :data:`CONTENDERS`.
    problem : Problem
        One of :data:`PROBLEMS`, or a problem like them.

    Returns
    -------
    dict
        Option names mapped to values, for :func:`sweep`.

    Raises
    ------
    ValueError
        If ``contender`` is not one of :data:`CONTENDERS`.

    Examples
    --------
    >>> grid = search_grid("Adam", PROBLEMS["skewed"])
    >>> len(grid["lr"]) * len(grid["betas"]) == len(search_grid("SGD", PROBLEMS["skewed"])["lr"])
    True
    >>> [round(b, 3) for b, _ in grid["betas"]]
    [0.308, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99]
    """
    if contender not in CONTENDERS:
        raise ValueError(f"contender must be one of {list(CONTENDERS)}, got {contender!r}")
    optimizer, options = CONTENDERS[contender]
    h = hessian(problem.objective, at=problem.minimizer)
    polyak = heavy_ball(h)
    theory_lrs = [step_size_bounds(h).best_lr, polyak.lr]
    momenta = sorted([*_MOMENTA, polyak.momentum])
    knob = "momentum" if "momentum" in options else "betas" if "Adam" in optimizer else None
    per_lr = len(momenta) if knob else 1
    geometric = np.geomspace(*_LR_RANGE, TRIALS // per_lr - len(theory_lrs))
    grid: dict[str, list[Any]] = {"lr": sorted([*geometric.tolist(), *theory_lrs])}
    if knob == "momentum":
        grid["momentum"] = momenta
    elif knob == "betas":
        beta2 = torch.optim.Adam([torch.zeros(1)]).defaults["betas"][1]
        grid["betas"] = [(beta, beta2) for beta in momenta]
    return grid


@functools.cache
def tune(contender: str, problem: str) -> Sweep:
    """Sweep a contender over its grid of settings on one of the comparison's problems.

    The grid is :func:`~gdtutor.compare.search_grid`'s, the problem one of
    :data:`~gdtutor.compare.PROBLEMS`. The result is kept: a second call with the same names
    returns the same record.

    Parameters
    ----------
    contender : str
        A key of :data:`CONTENDERS`.
    problem : str
        A key of :data:`PROBLEMS`.

    Returns
    -------
    Sweep

    Raises
    ------
    ValueError
        If either name is unknown.

    Examples
    --------
    >>> result = tune("SGD", "skewed")
    >>> print(f"{result.best_lr:.4f}", result.worst_steps[result.best_index])
    0.0196 62.0
    """
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {list(PROBLEMS)}, got {problem!r}")
    setting = PROBLEMS[problem]
    grid = search_grid(contender, setting)
    optimizer, options = CONTENDERS[contender]
    fixed = {k: v for k, v in options.items() if k not in grid}
    return sweep(
        setting.objective,
        optimizer,
        grid,
        setting.starts,
        setting.steps,
        tol=setting.tol,
        **fixed,
    )
