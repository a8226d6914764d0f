"""The course's likely mistakes, as candidate runs to hold a failing answer against.

Private to :mod:`gdtutor.checking`, which imports this module (and so torch) only when a
history fails. Each candidate redoes one of the course's runs the wrong way: history taken at
the wrong moment, a point that never moved, another learning rate, gradients never zeroed, a
step uphill or along a gradient written by hand with the one-variable rule, or another
optimizer.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator

import numpy as np
import torch

from gdtutor.answers import (
    _RECORDED_AFTER,
    NOTEBOOK_LR,
    NOTEBOOK_START,
    NOTEBOOK_STEPS,
    notebook_history,
    notebook_run,
    notebook_skewed,
)
from gdtutor.objectives import SKEWED_G, parabola, skewed
from gdtutor.optim import optimize
from gdtutor.record import Trajectory, run_loop

__all__ = ["candidates"]

# Ten times too large or too small (larger steps diverge, which the history shows by
# itself); for AdamW, whose steps are bounded by its rate, also a hundred times too small
# and SGD's rate, copied from the cell before.
_WRONG_LRS: dict[str, tuple[float, ...]] = {"parabola": (0.01, 0.0001), "manual": (0.01, 0.0001)}
_WRONG_LRS |= {"SGD": _WRONG_LRS["manual"], "AdamW": (10.0, 0.1, 0.01, NOTEBOOK_LR["SGD"])}

#: Why the point of each run can stay at the start for all its steps.
_NEVER_MOVED = {
    "manual": "the point never moved: the step did not change x (change it in place under "
    "torch.no_grad(), x -= ..., after backward() and before x.grad.zero_())",
    "SGD": "the point never moved: step() did not change x (build the optimizer over x itself, "
    "[x], not over a new tensor; call optimizer.zero_grad() before backward(), and step() "
    "after it)",
}
_NEVER_MOVED |= {"parabola": _NEVER_MOVED["manual"], "AdamW": _NEVER_MOVED["SGD"]}
#: Values that stay at the start's value: the point never moved, or it moved between points
#: of that value (on lesson 3's bowl, lr=0.1 sends (8, 8) to (-8, -8) and back).
_SAME_VALUE = (
    "the value never changed: either {never_moved}, or every step took it to a point of the "
    "same value (a learning rate at the limit of stability bounces it across the minimum)"
)

#: The hand-written runs, whose step can have the wrong sign (a run that overflows stops
#: early, so there the history's divergence says it instead).
_UPHILL = {
    run: "the run climbs: the step moves x along the gradient (x += lr * x.grad) instead of "
    "against it (x -= lr * x.grad)"
    for run in NOTEBOOK_LR
    if run not in _RECORDED_AFTER
}

#: The hand-written run in the skewed valley (lesson 4), whose gradient a learner can write
#: by hand with the one-variable rule, 20 G v (or 20 Gᵀ v): the gradient of f only for a
#: symmetric G, which the course's is not.
_ONE_VARIABLE_RULE = {
    transposed: f"the step uses {form} as the gradient, the one-variable rule (g x²)' = 2 g x, "
    "which holds only for a symmetric matrix: f's gradient is 10 (G + Gᵀ) v (lesson 4 "
    "derives it), which value.backward() computes"
    for transposed, form in ((False, "20 G v"), (True, "20 Gᵀ v"))
}
_SKEWED_BY_HAND = ("manual",)

#: The runs whose objective the learner writes (lesson 3), which can miss its factor 10.
_OWN_FUNCTION = ("parabola",)
_NO_FACTOR_10 = " (or f is missing its factor 10, which shortens every step the same way)"

#: Another optimizer, or another option, in place of the course's: for SGD, the momenta
#: that examples use, with and without Nesterov's form.
_OTHER_OPTIMIZERS: dict[str, list[tuple[str, dict[str, float], str]]] = {
    "SGD": [
        (
            "SGD",
            {"momentum": momentum, "nesterov": nesterov},
            f"matches SGD with momentum={momentum:g}"
            + (
                ", nesterov=True; the course's has neither"
                if nesterov
                else "; the course's has none"
            ),
        )
        for nesterov in (False, True)
        for momentum in (0.9, 0.5, 0.8, 0.95, 0.99)
    ],
    "AdamW": [("Adam", {}, "matches Adam, not AdamW: the weight decay is missing")],
}


@functools.cache
def _run(run: str, lr: float | None = None) -> Trajectory:
    return notebook_run(run, lr=lr)


@functools.cache
def _other(
    run: str, name: str, options: tuple[tuple[str, float], ...], steps: int = NOTEBOOK_STEPS
) -> Trajectory:
    """The run of lesson 5 with ``torch.optim.<name>`` and ``options`` at the course's rate."""
    start = np.array(NOTEBOOK_START, dtype=np.float32)
    lr = NOTEBOOK_LR[run]
    return optimize(notebook_skewed, start, name, lr=lr, steps=steps, **dict(options))


def _starts_alike(run: str, kind: str, made: Trajectory, got: np.ndarray) -> bool:
    """Whether ``got``'s first two entries are near those of ``made`` (a run of a few steps),
    recorded either way: far looser than the checker's tolerance, so that a full run that
    could match is never skipped."""
    with np.errstate(invalid="ignore", over="ignore"):
        return any(
            np.allclose(got[:2], history[:2], rtol=1e-2, atol=1e-2 * np.abs(history[:2]).max())
            for history in _histories(run, kind, made)
        )


@functools.cache
def _never_zeroed(run: str) -> Trajectory:
    """The run with the zeroing line left out, so each gradient adds to all earlier ones."""
    x = torch.tensor(NOTEBOOK_START, requires_grad=True)
    objective = parabola if run == "parabola" else notebook_skewed
    lr = NOTEBOOK_LR[run]
    opt = getattr(torch.optim, run)([x], lr=lr) if run in _RECORDED_AFTER else None

    def step(w: torch.Tensor) -> torch.Tensor:
        value = objective(w)
        value.backward()
        if opt is not None:
            opt.step()
        else:
            grad = w.grad
            assert grad is not None  # backward() has just filled it
            with torch.no_grad():
                w -= lr * grad
        return value.detach()

    return run_loop(step, x, steps=NOTEBOOK_STEPS, method=run, objective_name=run, lr=lr)


@functools.cache
def _uphill(run: str) -> Trajectory:
    """The hand-written run with the step's sign flipped: ``x += lr * x.grad``, uphill."""
    x = torch.tensor(NOTEBOOK_START, requires_grad=True)
    objective = parabola if run == "parabola" else notebook_skewed
    lr = NOTEBOOK_LR[run]

    def step(w: torch.Tensor) -> torch.Tensor:
        value = objective(w)
        value.backward()
        grad = w.grad
        assert grad is not None  # backward() has just filled it
        with torch.no_grad():
            w += lr * grad
        grad.zero_()
        return value.detach()

    return run_loop(step, x, steps=NOTEBOOK_STEPS, method=run, objective_name=run, lr=lr)


@functools.cache
def _one_variable_rule(run: str, transposed: bool) -> Trajectory:
    """The hand-written run in the skewed valley with the step ``x -= lr * 20 * G @ x`` (or
    ``G.T``) in place of the gradient."""
    x = torch.tensor(NOTEBOOK_START)
    matrix = torch.tensor(SKEWED_G, dtype=torch.float32)
    matrix = matrix.T if transposed else matrix
    lr = NOTEBOOK_LR[run]

    def step(w: torch.Tensor) -> torch.Tensor:
        value = notebook_skewed(w)
        w -= lr * 20 * (matrix @ w)
        return value

    return run_loop(step, x, steps=NOTEBOOK_STEPS, method=run, objective_name=run, lr=lr)


def _histories(run: str, kind: str, trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray]:
    """The ``kind`` ("var" or "fn") history recorded as the course does, and the other way."""
    points, values = notebook_history(run, trajectory)
    full = np.concatenate([trajectory.points, trajectory.end_point[None]])
    if kind == "fn":
        # Values: the course takes them before the step; the slip is the value after it.
        objective = parabola if run == "parabola" else skewed
        with np.errstate(over="ignore", invalid="ignore"):  # a run that climbed overflows
            after = np.append(trajectory.values[1:], objective(trajectory.end_point))
        return values, after
    # Points: each run takes them at one moment; the slip is the other moment.
    other = full[1:] if np.array_equal(points, trajectory.points) else full[:-1]
    return points, other


def candidates(
    run: str, kind: str, got: np.ndarray | None = None
) -> Iterator[tuple[str, np.ndarray]]:
    """``(cause, history)`` pairs: the history as a run with that mistake would record it.

    Parameters
    ----------
    run : str
        A key of :data:`gdtutor.answers.NOTEBOOK_LR`.
    kind : {"var", "fn"}
        Points or values.
    got : numpy.ndarray, optional
        The learner's history: another optimizer's run is made only if its first steps are
        near this one's (each is a full run of ``torch.optim``).
    """
    optimizer = run in _RECORDED_AFTER
    method = "optimizer.zero_grad()" if optimizer else "x.grad.zero_()"
    when = "after" if optimizer and kind == "var" else "before"
    other = "before" if when == "after" else "after"
    swapped = f"recorded {other} the step instead of {when} it"
    if optimizer and kind == "fn":  # the recording line follows step() anyway
        swapped = (
            "the value is the one after the step, not before it: compute it (and call "
            "backward()) before optimizer.step(), and record that"
        )
    course = _run(run)
    first = course.points[0] if kind == "var" else course.values[0]
    # On the round bowl a step can also swap the point for its mirror image, of equal value.
    bounces = kind == "fn" and run in _OWN_FUNCTION
    still = _SAME_VALUE.format(never_moved=_NEVER_MOVED[run]) if bounces else _NEVER_MOVED[run]
    yield still, np.repeat(first[None], NOTEBOOK_STEPS, axis=0)
    right, wrong = _histories(run, kind, course)
    yield swapped, wrong
    # Each variant's run is made only when the candidates before it did not match.
    tenth = NOTEBOOK_LR[run] / 10
    variants: list[tuple[str, Callable[[], Trajectory]]] = [
        (
            f"matches a run with lr={lr:g} instead of lr={NOTEBOOK_LR[run]:g}"
            + (_NO_FACTOR_10 if run in _OWN_FUNCTION and math.isclose(lr, tenth) else ""),
            functools.partial(_run, run, lr),
        )
        for lr in _WRONG_LRS[run]
    ]
    if run in _OWN_FUNCTION and kind == "fn":
        # f without its factor 10: a tenth of the gradient moves x as a tenth of the rate
        # would, and each value is a tenth of that run's.
        values, _ = _histories(run, kind, _run(run, tenth))
        yield (
            f"a tenth of the values of a run with lr={tenth:g}: f is missing its factor 10",
            (values / 10),
        )
    variants.append(
        (f"gradient not zeroed, so it accumulated: call {method} every step",
         functools.partial(_never_zeroed, run))
    )  # fmt: skip
    if run in _UPHILL:
        variants.append((_UPHILL[run], functools.partial(_uphill, run)))
    if run in _SKEWED_BY_HAND:
        variants += [
            (text, functools.partial(_one_variable_rule, run, transposed))
            for transposed, text in _ONE_VARIABLE_RULE.items()
        ]
    for name, options, text in _OTHER_OPTIMIZERS.get(run, []):
        # Each is a full run of torch.optim: made only if its first steps are the learner's.
        settings = tuple(options.items())
        if got is None or _starts_alike(run, kind, _other(run, name, settings, 3), got):
            variants.append((text, functools.partial(_other, run, name, settings)))
    for text, make in variants:
        right, wrong = _histories(run, kind, make())
        yield text, right
        yield f"{text}, and {swapped}", wrong
