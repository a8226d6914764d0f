"""The record of a run, with scripted steps whose every number is known in advance."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from gdtutor import Trajectory, gradient_descent, parabola
from gdtutor.record import run_loop

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


@pytest.mark.parametrize(
    ("recording", "points"),
    [
        ("before", [[8.0, 4.0], [4.0, 2.0], [2.0, 1.0]]),
        ("notebook", [[4.0, 2.0], [2.0, 1.0], [1.0, 0.5]]),
    ],
)
def test_run_loop_by_hand(recording, points, dtype) -> None:
    x = torch.tensor([8.0, 4.0], dtype=dtype)
    got_points, values, end, diverged, message = run_loop(_halve, x, 3, recording)
    np.testing.assert_array_equal(got_points, points)
    np.testing.assert_array_equal(values, [80.0, 20.0, 5.0])
    np.testing.assert_array_equal(end, [1.0, 0.5])
    assert (diverged, message) == (False, "ran all 3 steps")
    for array in (got_points, values, end):
        assert array.dtype == NUMPY_DTYPE[dtype]
        assert not array.flags.writeable


@pytest.mark.parametrize("recording", ["before", "notebook"])
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_run_loop_stops_before_recording_a_non_finite_value(bad, recording) -> None:
    x = torch.zeros(2, dtype=torch.float64)
    points, values, end, diverged, message = run_loop(
        _scripted([3.0, 2.0, bad, 1.0]), x, 4, recording
    )
    expected_points = (
        [[0.0, 0.0], [1.0, 1.0]] if recording == "before" else [[1.0, 1.0], [2.0, 2.0]]
    )
    np.testing.assert_array_equal(points, expected_points)
    np.testing.assert_array_equal(values, [3.0, 2.0])
    # Either way the run ends where the non-finite value was computed: the third point.
    np.testing.assert_array_equal(end, [2.0, 2.0])
    assert diverged
    assert message == f"diverged: the value at step 2 was {bad}; stopped there"


@pytest.mark.parametrize("recording", ["before", "notebook"])
def test_run_loop_diverging_at_the_first_step_ends_at_the_start(recording) -> None:
    x = torch.tensor([5.0, 6.0])
    points, values, end, diverged, _ = run_loop(_scripted([math.inf]), x, 3, recording)
    assert points.shape == (0, 2)
    assert values.shape == (0,)
    np.testing.assert_array_equal(end, [5.0, 6.0])
    assert diverged


@pytest.mark.parametrize("recording", ["after", "BEFORE", "", None, 1])
def test_run_loop_refuses_unknown_recording(recording) -> None:
    with pytest.raises(
        ValueError, match=rf"recording must be 'before' or 'notebook', got {recording!r}"
    ):
        run_loop(_halve, torch.ones(2), 1, recording)


@pytest.fixture
def run() -> Trajectory:
    return gradient_descent(parabola, [8.0, 8.0], 0.001, 3)


def test_trajectory_is_immutable(run) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.lr = 0.1  # type: ignore[misc]
    for array in (run.points, run.values, run.end_point):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0.0


def test_trajectories_compare_by_identity(run) -> None:
    # Field-by-field equality would compare numpy arrays and raise; identity is well defined.
    twin = gradient_descent(parabola, [8.0, 8.0], 0.001, 3)
    np.testing.assert_array_equal(twin.points, run.points)
    assert run == run
    assert run != twin
    assert len({run, twin}) == 2


def test_trajectory_length_and_final_value(run) -> None:
    assert len(run) == 3
    assert run.final_value == float(run.values[-1])
    assert isinstance(run.final_value, float)
    empty = Trajectory(
        points=np.empty((0, 2)),
        values=np.empty(0),
        end_point=np.zeros(2),
        method="gradient descent",
        objective="parabola",
        lr=0.1,
        steps=0,
    )
    assert len(empty) == 0
    assert math.isnan(empty.final_value)
    assert (empty.recording, dict(empty.options), empty.diverged) == ("before", {}, False)
