"""Time gdtutor's two hot paths against the course notebook's way of doing the same work.

1. Contour grid: :func:`gdtutor.skewed` on the notebook's 100 × 100 grid in one vectorised
   call, against the notebook's ``show_contours`` double loop over ``function_skewed_np``.
2. Descent: :func:`gdtutor.gradient_descent` (500 steps of the notebook's skewed run) against
   a bare hand-written torch loop that records the same points and values.

Targets: the grid ≥ 150× faster than the loop; the descent ≤ 1.2× the bare loop's time.

Run with ``python benchmarks/bench_core.py``. Each timing is the best of several repeats, as
:mod:`timeit` recommends: the minimum is the run least disturbed by the rest of the machine.
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable

import numpy as np
import torch

import gdtutor

GRID_TARGET = 150.0
DESCENT_TARGET = 1.2
LR = 0.001
STEPS = 500


def best_time(func: Callable[[], object], *, repeat: int, number: int) -> float:
    """Seconds per call of ``func``: the best of ``repeat`` rounds of ``number`` calls."""
    return min(timeit.repeat(func, repeat=repeat, number=number)) / number


# The notebook's numpy objective and the inner loop of its ``show_contours``, copied as
# written, so that the baseline is the code a learner actually runs.
def function_skewed_np(variable):
    gramma = np.array([[1, -1], [1, 1]]) @ np.array([[1.0, 0.0], [0.0, 4.0]])
    res = 10 * (variable.transpose(1, 0) @ (gramma @ variable)).sum()
    return res


def notebook_grid(objective, X, Y):
    res = []
    for x_index in range(X.shape[0]):
        res.append([])
        for y_index in range(X.shape[1]):
            x_val = X[x_index, y_index]
            y_val = Y[x_index, y_index]
            res[-1].append(objective(np.array([[x_val, y_val]]).T))
    res = np.array(res)
    return res


def vectorised_grid(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return gdtutor.skewed(np.stack([X, Y], axis=-1))


def bare_loop() -> tuple[np.ndarray, np.ndarray]:
    """The notebook's hand-written descent on ``gdtutor.skewed``, recording before each step."""
    x = torch.tensor([8.0, 8.0], requires_grad=True)
    points, values = [], []
    for _ in range(STEPS):
        points.append(x.detach().clone())
        value = gdtutor.skewed(x)
        value.backward()
        with torch.no_grad():
            x -= LR * x.grad
        x.grad.zero_()
        values.append(value.item())
    return torch.stack(points).numpy(), np.array(values, dtype=np.float32)


def library_loop() -> gdtutor.Trajectory:
    return gdtutor.gradient_descent(gdtutor.skewed, (8.0, 8.0), lr=LR, steps=STEPS)


def main(repeat: int = 7) -> None:
    torch.set_num_threads(1)  # tiny tensors: threads only add noise

    X, Y = np.mgrid[-10:10:0.2, -10:10:0.2]
    fast, slow = vectorised_grid(X, Y), notebook_grid(function_skewed_np, X, Y)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-9)
    t_fast = best_time(lambda: vectorised_grid(X, Y), repeat=repeat, number=200)
    t_slow = best_time(lambda: notebook_grid(function_skewed_np, X, Y), repeat=repeat, number=1)
    grid_ratio = t_slow / t_fast
    print(
        f"grid {X.shape[0]}x{X.shape[1]}: vectorised {t_fast * 1e6:9.1f} µs, "
        f"notebook loop {t_slow * 1e3:8.2f} ms"
    )

    # Warm up torch (dispatcher caches, allocator) before timing the loops.
    for _ in range(3):
        bare_loop()
        library_loop()
    run, (points, values) = library_loop(), bare_loop()
    np.testing.assert_array_equal(run.points, points)
    np.testing.assert_array_equal(run.values, values)
    t_bare = t_lib = np.inf
    # Interleave the two so that both see the same machine state.
    for _ in range(repeat):
        t_bare = min(t_bare, best_time(bare_loop, repeat=1, number=3))
        t_lib = min(t_lib, best_time(library_loop, repeat=1, number=3))
    descent_ratio = t_lib / t_bare
    print(
        f"descent {STEPS} steps: gradient_descent {t_lib * 1e3:7.2f} ms, "
        f"bare loop {t_bare * 1e3:7.2f} ms "
        f"({t_lib / STEPS * 1e6:.1f} vs {t_bare / STEPS * 1e6:.1f} µs per step)"
    )

    print(f"grid: {grid_ratio:.1f}× faster (target ≥ {GRID_TARGET:.0f}×)")
    print(f"descent: {descent_ratio:.2f}× the bare loop (target ≤ {DESCENT_TARGET}×)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds per timing (best is kept)")
    main(parser.parse_args().repeat)
