"""The record of a run, with scripted steps whose every number is known in advance."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from gdtutor import Trajectory, gradient_descent, parabola
from gdtutor.record import as_points, divergence_message, run_loop

NUMPY_DTYPE = {torch.float32: np.float32, torch.float64: np.float64}


def _halve(x: torch.Tensor) -> torch.Tensor:
    """Value x·x, then halve x: from (8, 4) the values are 80, 20, 5, ..."""
    value = (x * x).sum()
    with torch.no_grad():
        x.mul_(0.5)
    return value.detach()


def _scripted(values: list[float]):
    """Return the given values one by one, moving x by (1, 1) each step."""
    remaining = iter(values)

    def step(x: torch.Tensor) -> torch.Tensor:
        value = torch.tensor(next(remaining), dtype=x.dtype)
        with torch.no_grad():
            x.add_(1.0)
        return value

    return step


def _loop(step, x, steps):
    return run_loop(step, x, steps=steps, method="scripted", objective_name="f", lr=0.5)


def test_run_loop_by_hand(dtype) -> None:
    x = torch.tensor([8.0, 4.0], dtype=dtype)
    run = _loop(_halve, x, 3)
    np.testing.assert_array_equal(run.points, [[8.0, 4.0], [4.0, 2.0], [2.0, 1.0]])
    np.testing.assert_array_equal(run.values, [80.0, 20.0, 5.0])
    np.testing.assert_array_equal(run.end_point, [1.0, 0.5])
    assert (run.diverged, run.message) == (False, "ran all 3 steps")
    assert (run.method, run.objective_name, run.lr, run.steps) == ("scripted", "f", 0.5, 3)
    for array in (run.points, run.values, run.end_point):
        assert array.dtype == NUMPY_DTYPE[dtype]
        assert not array.flags.writeable


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_run_loop_stops_before_recording_a_non_finite_value(bad) -> None:
    x = torch.zeros(2, dtype=torch.float64)
    run = _loop(_scripted([3.0, 2.0, bad, 1.0]), x, 4)
    np.testing.assert_array_equal(run.points, [[0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_array_equal(run.values, [3.0, 2.0])
    # The run ends where the non-finite value was computed: the third point.
    np.testing.assert_array_equal(run.end_point, [2.0, 2.0])
    assert run.diverged
    assert run.message == f"diverged: the value at step 2 was {bad}; stopped there"
    assert run.message == divergence_message(2, bad)


def test_run_loop_diverging_at_the_first_step_ends_at_the_start() -> None:
    run = _loop(_scripted([math.inf]), torch.tensor([5.0, 6.0]), 3)
    assert run.points.shape == (0, 2)
    assert run.values.shape == (0,)
    np.testing.assert_array_equal(run.end_point, [5.0, 6.0])
    assert run.diverged


def test_run_loop_copies_its_options() -> None:
    options = {"momentum": 0.9}
    run = run_loop(_halve, torch.ones(2), steps=1, method="m", objective_name="f", lr=1.0,
                   options=options)  # fmt: skip
    options["momentum"] = 0.5
    assert dict(run.options) == {"momentum": 0.9}


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        (
            [1.0, 2.0, 3.0],
            ValueError,
            r"points must be a Trajectory or points of shape \(\.\.\., 2\), got shape \(3,\)",
        ),
        (5.0, ValueError, r"points must be .* got shape \(\)"),
        (
            [["a", "b"]],
            TypeError,
            r"points must be a Trajectory or an array of points \(real numbers\), got list",
        ),
        (None, TypeError, r"points \(real numbers\), got NoneType"),
        (np.array([[True, False]]), TypeError, r"points \(real numbers\), got ndarray"),
        (np.array([[1j, 2.0]]), TypeError, r"points \(real numbers\), got ndarray"),
    ],
)
def test_as_points_names_what_is_wrong(data, error, match) -> None:
    with pytest.raises(error, match=match):
        as_points(data, name="points")


def test_as_points_of_a_trajectory_is_its_points() -> None:
    run = gradient_descent(parabola, [8.0, 8.0], lr=0.001, steps=3)
    np.testing.assert_array_equal(as_points(run), run.points)


@pytest.fixture
def run() -> Trajectory:
    return gradient_descent(parabola, [8.0, 8.0], lr=0.001, steps=3)


def test_trajectory_is_immutable(run) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.lr = 0.1  # type: ignore[misc]
    for array in (run.points, run.values, run.end_point):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0.0


def test_trajectories_compare_by_identity(run) -> None:
    # Field-by-field equality would compare numpy arrays and raise; identity is well defined.
    twin = gradient_descent(parabola, [8.0, 8.0], lr=0.001, steps=3)
    np.testing.assert_array_equal(twin.points, run.points)
    assert run == run
    assert run != twin
    assert len({run, twin}) == 2


def test_trajectory_length_and_last_value(run) -> None:
    assert len(run) == 3
    assert run.last_value == float(run.values[-1])
    assert isinstance(run.last_value, float)
    empty = Trajectory(
        points=np.empty((0, 2)),
        values=np.empty(0),
        end_point=np.zeros(2),
        method="gradient descent",
        objective_name="parabola",
        lr=0.1,
        steps=0,
    )
    assert len(empty) == 0
    assert math.isnan(empty.last_value)
    assert (dict(empty.options), empty.diverged) == ({}, False)


def test_as_points_reads_a_tensor_that_requires_grad_and_keeps_a_float_dtype() -> None:
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    assert as_points(x).tolist() == [[1.0, 2.0]] and as_points(x).dtype == np.float64
    assert as_points(x, dtype=None).dtype == np.float32
    assert as_points([[1, 2, 3]], coordinates=None, dtype=None).dtype == np.float64


def test_a_last_step_to_a_point_that_is_not_finite_is_a_divergence() -> None:
    """Every value was finite, the last step overflowed the point: the run did not end well."""
    from gdtutor import gradient_descent, parabola

    run = gradient_descent(parabola, [8.0, 8.0], lr=1e37, steps=1)
    assert run.values.tolist() == [1280.0] and np.isinf(run.end_point).all()
    assert run.diverged
    assert run.message == "diverged: the last step took the point to [-inf, -inf]"
    assert _loop(_halve, torch.ones(2), 1).message == "ran its 1 step"


def test_a_record_survives_pickling_and_deep_copying_as_it_was() -> None:
    import copy
    import pickle

    from gdtutor import optimize, parabola

    run = optimize(parabola, [8.0, 8.0], "SGD", lr=0.01, steps=3, momentum=0.5)
    for twin in (pickle.loads(pickle.dumps(run)), copy.deepcopy(run)):
        assert dict(twin.options) == {"momentum": 0.5}
        with pytest.raises(TypeError):
            twin.options["momentum"] = 0.9  # type: ignore[index]
        for name in ("points", "values", "end_point"):
            assert np.array_equal(getattr(twin, name), getattr(run, name))
            assert not getattr(twin, name).flags.writeable
        assert (twin.method, twin.lr, twin.steps, twin.message) == (
            run.method, run.lr, run.steps, run.message
        )  # fmt: skip


def test_a_record_made_directly_is_read_only_and_pairs_points_with_values() -> None:
    points, values = np.zeros((2, 2)), np.ones(2)
    run = Trajectory(points, values, np.zeros(2), "m", "f", 0.1, 2, options={"a": 1})
    assert not run.points.flags.writeable and points.flags.writeable  # the caller's kept
    with pytest.raises(TypeError):
        run.options["a"] = 2  # type: ignore[index]
    with pytest.raises(ValueError, match=r"points of shape \(n, d\) and values of shape \(n,\)"):
        Trajectory(np.zeros((3, 2)), values, np.zeros(2), "m", "f", 0.1, 3)


def test_a_record_made_directly_is_checked_and_copies_what_could_change() -> None:
    base = np.zeros((2, 2))
    view = base.view()
    view.setflags(write=False)
    run = Trajectory(view, np.ones(2), np.zeros(2), "m", "f", 0.1, 2, options=None)  # type: ignore[arg-type]
    base[0, 0] = 99.0  # the caller's array changes; the record does not
    assert run.points[0, 0] == 0.0 and dict(run.options) == {}
    for points in (np.zeros(2), np.zeros((2, 2, 5))):
        with pytest.raises(ValueError, match=r"points of shape \(n, d\)"):
            Trajectory(points, np.ones(2), np.zeros(2), "m", "f", 0.1, 2)
