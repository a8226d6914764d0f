"""Name the known cause of a wrong answer by redoing the notebook's runs the wrong way.

Private helpers of :mod:`gdtutor.checking`: the elementwise comparison and, for a failing
key, the search through runs with a known mistake (history taken at the wrong moment, another
learning rate, gradients never zeroed) for one that the learner's numbers match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from gdtutor.answers import NOTEBOOK_LR, NOTEBOOK_START, NOTEBOOK_STEPS, notebook_skewed
from gdtutor.objectives import skewed

__all__ = ["abs_errors", "diagnose", "is_close", "shape_hint"]

_HISTORY = re.compile(r"(var|fn)_history_([234])")
#: Per notebook run: the optimizer ("manual": the hand-written step) and when points are taken.
_RUNS = {"2": ("manual", "before"), "3": ("SGD", "after"), "4": ("AdamW", "after")}
_WRONG_LRS = {"manual": (0.01, 0.0001, 0.1), "SGD": (0.01, 0.0001, 0.1), "AdamW": (0.1, 0.01)}
#: How close a float64 history must be to a float64 run to say it is one.
_FLOAT64_TOL = 1e-9


def abs_errors(got: np.ndarray, want: np.ndarray) -> tuple[np.ndarray, float]:
    """Elementwise ``|got - want|`` (equal non-finite entries count as 0), and the scale
    ``max |want|`` over the finite entries."""
    got, want = got.astype(np.float64), want.astype(np.float64)
    finite = np.abs(want[np.isfinite(want)])
    scale = float(finite.max()) if finite.size else 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        return np.where(same, 0.0, np.abs(got - want)), scale


def is_close(got: np.ndarray, want: np.ndarray, *, atol: float, rtol: float) -> bool:
    """``|got - want| <= atol * scale + rtol * |want|`` everywhere, for equal shapes."""
    if got.shape != want.shape:
        return False
    error, scale = abs_errors(got, want)
    with np.errstate(invalid="ignore"):
        tolerance = atol * scale + rtol * np.abs(want.astype(np.float64))
        return bool(np.all((error == 0) | (error <= tolerance)))  # 0 also where want is nan


@functools.cache
def _run(method: str, lr: float, zero: bool = True, float64: bool = False) -> np.ndarray:
    """501 steps of a notebook run as rows ``(x, y, value)``: row ``i`` is the point before
    step ``i`` and its value; a last row holds the end point and ``nan``."""
    dtype = torch.float64 if float64 else torch.float32
    objective = skewed if float64 else notebook_skewed  # the notebook's matmuls are float32
    x = torch.tensor(NOTEBOOK_START, dtype=dtype, requires_grad=True)
    opt = None if method == "manual" else getattr(torch.optim, method)([x], lr=lr)
    rows = []
    for _ in range(NOTEBOOK_STEPS + 1):
        point = x.detach().tolist()
        if opt is not None and zero:
            opt.zero_grad()
        value = objective(x)
        value.backward()
        if opt is not None:
            opt.step()
        else:
            with torch.no_grad():
                x -= lr * x.grad
            if zero:
                x.grad.zero_()  # type: ignore[union-attr]
        rows.append([*point, value.item()])
    rows.append([*x.detach().tolist(), np.nan])
    table = np.array(rows, dtype=np.float64 if float64 else np.float32)
    table.setflags(write=False)
    return table


def _when(kind: str, suffix: str) -> str:
    # The notebook takes values before the step, and points as _RUNS says.
    return _RUNS[suffix][1] if kind == "var" else "before"


def _history(kind: str, suffix: str, when: str, **run: Any) -> np.ndarray:
    method = _RUNS[suffix][0]
    table = _run(method, run.pop("lr", NOTEBOOK_LR[method]), **run)
    rows = table[(when == "after") :][:NOTEBOOK_STEPS]
    return rows[:, :2] if kind == "var" else rows[:, 2]


def _candidates(kind: str, suffix: str) -> Iterator[tuple[str, np.ndarray]]:
    method = _RUNS[suffix][0]
    want = _when(kind, suffix)
    other = "after" if want == "before" else "before"
    swapped = f"recorded {other} the step instead of {want} it"
    yield swapped, _history(kind, suffix, other)
    variants: list[tuple[str, dict[str, Any]]] = [
        (f"matches a run with lr={lr:g} instead of lr={NOTEBOOK_LR[method]:g}", {"lr": lr})
        for lr in _WRONG_LRS[method]
    ]
    zeroing = "x.grad.zero_()" if method == "manual" else "optimizer.zero_grad()"
    variants.append(
        (f"gradient not zeroed, so it accumulated: call {zeroing} every step", {"zero": False})
    )
    for text, run in variants:
        yield text, _history(kind, suffix, want, **run)
        yield f"{text}, and {swapped}", _history(kind, suffix, other, **run)


def diagnose(
    key: str, got: np.ndarray, want: np.ndarray, *, passed: bool, atol: float, rtol: float
) -> str:
    """The known cause of a failing key, or a note on a passing one; ``""`` if none."""
    match = _HISTORY.fullmatch(key)
    if passed:
        as_float32 = got.astype(np.float32).astype(np.float64)
        if match and got.dtype == np.float64 and not np.array_equal(as_float32, got):
            run64 = _history(*match.groups(), _when(*match.groups()), float64=True)
            if is_close(got, run64, atol=_FLOAT64_TOL, rtol=_FLOAT64_TOL):
                return "float64 values: the notebook's x is float32 (passes within tolerance)"
        return ""
    if key == "X_grad":
        for k in (2, 3, 4):
            if is_close(got, k * want, atol=atol, rtol=rtol):
                return f"{k} times the reference: backward() ran {k} times and accumulated"
        if is_close(got, want / 10, atol=atol, rtol=rtol):
            return "a tenth of the reference: the factor 10 of f is missing"
    if match:
        for text, candidate in _candidates(*match.groups()):
            if is_close(got, candidate, atol=atol, rtol=rtol):
                return text
    return ""


def shape_hint(key: str, got: np.ndarray, want: np.ndarray, *, atol: float, rtol: float) -> str:
    """Say how the learner's shape differs from the reference's."""
    if got.size == want.size and is_close(got.reshape(want.shape), want, atol=atol, rtol=rtol):
        return f"shape {got.shape} instead of {want.shape}, with the right numbers"
    if _HISTORY.fullmatch(key) and got.ndim == want.ndim and got.shape[1:] == want.shape[1:]:
        n, m = len(got), len(want)
        steps = "step" if abs(n - m) == 1 else "steps"
        return f"{n} entries instead of {m}: {abs(n - m)} {steps} {'missing' if n < m else 'extra'}"
    return f"shape {got.shape} instead of {want.shape}"
