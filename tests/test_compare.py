"""The learning-rate sweep: same runs as gdtutor.optimize, closed-form counts, sensible picks."""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np
import pytest
import torch

from gdtutor import gradient_descent, hessian, optimize, parabola, rosenbrock, skewed
from gdtutor.compare import LINEAR_IN_LR, Sweep, steps_to_tolerance, sweep_lr
from gdtutor.stepsize import step_size_bounds

STARTS = np.array([[-1.2, 1.0], [1.8, 1.5]])
# The lesson's contestants, and the rest of the optimizers that the sweep batches.
CONFIGS = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("RMSprop", {}),
    ("Adagrad", {}),
    ("Adam", {}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.5, "amsgrad": True}),
    ("Adamax", {}),
    ("NAdam", {}),
    ("RAdam", {}),
    ("Adadelta", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr_decay": 0.01}),
]


def _ids(config: tuple[str, dict]) -> str:
    name, options = config
    return name + "".join(f"-{k}={v}" for k, v in options.items())


def test_every_batched_optimizer_is_tested() -> None:
    assert {name for name, _ in CONFIGS} == LINEAR_IN_LR


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_batched_sweep_is_separate_optimize_runs(config: tuple[str, dict]) -> None:
    name, options = config
    lrs = np.geomspace(1e-4, 10, 6)  # from too small to diverging, for most of them
    # Rounding differs between one tensor of rows and one tensor per run; large steps on
    # Rosenbrock amplify it, to about 1e-8 after 60 steps.
    batched = sweep_lr(rosenbrock, name, lrs, STARTS, 60, tol=1e-2, **options)
    separate = sweep_lr(rosenbrock, name, lrs, STARTS, 60, tol=1e-2, batched=False, **options)
    np.testing.assert_array_equal(np.isinf(batched.final_gaps), np.isinf(separate.final_gaps))
    np.testing.assert_allclose(batched.final_gaps, separate.final_gaps, rtol=1e-6)
    np.testing.assert_array_equal(batched.steps_to_tol, separate.steps_to_tol)
    assert batched.best_lr == separate.best_lr
    for ours, theirs in zip(batched.best_runs, separate.best_runs, strict=True):
        np.testing.assert_allclose(ours.points, theirs.points, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(ours.values, theirs.values, rtol=1e-6)
        assert (ours.method, ours.lr, ours.steps, ours.diverged, ours.message) == (
            theirs.method,
            theirs.lr,
            theirs.steps,
            theirs.diverged,
            theirs.message,
        )
        assert dict(ours.options) == dict(theirs.options) == options


def test_sgd_steps_to_tolerance_closed_form() -> None:
    # On the parabola SGD multiplies the value by (1 - 20 lr)² per step.
    lrs = np.array([0.001, 0.005, 0.02])
    tol, start = 1e-3, [[3.0, 4.0]]
    sweep = sweep_lr(parabola, "SGD", lrs, np.array(start), 800, tol=tol)
    f0 = 10 * (3.0**2 + 4.0**2)
    expected = np.ceil(np.log(tol / f0) / (2 * np.log(1 - 20 * lrs)))
    np.testing.assert_array_equal(sweep.steps_to_tol[:, 0], expected)
    np.testing.assert_allclose(sweep.final_gaps[:, 0], f0 * (1 - 20 * lrs) ** (2 * 799))
    run = optimize(parabola, np.array(start[0]), "SGD", steps=800, lr=0.005)
    assert steps_to_tolerance(run, tol) == expected[1]


def test_sgd_sweep_respects_the_stability_edge() -> None:
    edge = step_size_bounds(hessian(skewed, at=(0.0, 0.0))).max_stable_lr
    lrs = np.array([0.5, 0.9, 0.99, 1.01, 1.1, 2.0]) * edge
    sweep = sweep_lr(skewed, "SGD", lrs, np.array([[8.0, 8.0], [-8.0, 4.0]]), 3000)
    stable = lrs < edge
    assert np.isfinite(sweep.final_gaps[stable]).all()
    assert (sweep.final_gaps[stable] < 1e-6).all()
    # Just beyond the edge the run grows but has not overflowed yet; further out it has.
    assert (sweep.final_gaps[~stable] > 1e3).all()
    assert np.isinf(sweep.final_gaps[-1]).all()
    assert np.isinf(sweep.steps_to_tol[~stable]).all()


def test_sgd_sweep_picks_the_best_fixed_step() -> None:
    bounds = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    lrs = np.linspace(0.004, 0.024, 11)  # 0.02 = α* is on the grid
    sweep = sweep_lr(skewed, "SGD", lrs, np.array([[8.0, 8.0], [-8.0, 4.0]]), 300)
    assert sweep.best_lr == pytest.approx(bounds.best_lr)


def test_sweep_agrees_with_the_hand_written_loop() -> None:
    sweep = sweep_lr(skewed, "SGD", [0.001, 0.01], np.array([[8.0, 8.0]]), 200)
    by_hand = gradient_descent(skewed, np.array([8.0, 8.0]), lr=sweep.best_lr, steps=200)
    np.testing.assert_allclose(sweep.best_runs[0].points, by_hand.points, rtol=1e-12)
    assert sweep.final_gaps[1, 0] == pytest.approx(by_hand.final_value, rel=1e-12)


def test_float32_starts_stay_float32() -> None:
    sweep = sweep_lr(skewed, "Adam", [0.1, 1.0], [[8.0, 8.0]], 50)
    assert sweep.starts.dtype == np.float32
    assert sweep.best_runs[0].points.dtype == np.float32
    run = optimize(skewed, [8.0, 8.0], "Adam", steps=50, lr=sweep.best_lr)
    np.testing.assert_allclose(sweep.best_runs[0].points, run.points, rtol=1e-5, atol=1e-6)


def test_non_linear_optimizer_runs_one_at_a_time() -> None:
    assert "Rprop" not in LINEAR_IN_LR
    sweep = sweep_lr(skewed, "Rprop", [0.001, 0.1], STARTS, 40)
    run = optimize(skewed, STARTS[1], "Rprop", steps=40, lr=sweep.best_lr)
    np.testing.assert_array_equal(sweep.best_runs[1].points, run.points)


def test_diverged_best_run_is_recorded_as_optimize_does() -> None:
    sweep = sweep_lr(skewed, "SGD", [0.05, 0.1], np.array([[8.0, 8.0]]), 2000)
    assert np.isinf(sweep.final_gaps).all() and sweep.best_index == 0  # ties: smaller lr
    run = optimize(skewed, np.array([8.0, 8.0]), "SGD", steps=2000, lr=0.05)
    ours = sweep.best_runs[0]
    assert ours.diverged and run.diverged and ours.message == run.message
    assert len(ours) == len(run)
    np.testing.assert_allclose(ours.end_point, run.end_point, rtol=1e-12)


def test_selection_rule() -> None:
    inf = math.inf

    def sweep(gaps: list[list[float]], steps: list[list[float]]) -> Sweep:
        return Sweep(
            objective="f",
            optimizer="SGD",
            lrs=np.array([0.1, 0.2, 0.3]),
            starts=np.zeros((2, 2)),
            steps=100,
            tol=1e-3,
            target=0.0,
            final_gaps=np.array(gaps),
            steps_to_tol=np.array(steps),
        )

    # Arriving from every start beats a lower gap from a start that never arrives.
    chosen = sweep([[1e-9, 1e-9], [1e-20, 1.0], [1e-4, 1e-4]], [[50, 60], [10, inf], [5, 90]])
    assert chosen.best_index == 0 and chosen.best_lr == 0.1
    np.testing.assert_array_equal(chosen.worst_steps, [60, inf, 90])
    # Nobody arrives: the smallest worst gap; ties go to the smaller learning rate.
    nobody = sweep([[1.0, 2.0], [3.0, 0.5], [2.0, 1.0]], [[inf, inf]] * 3)
    assert nobody.best_index == 0
    np.testing.assert_array_equal(nobody.worst_gaps, [2.0, 3.0, 2.0])


def test_record_is_immutable() -> None:
    sweep = sweep_lr(skewed, "SGD", [0.001, 0.01], [[8.0, 8.0]], 10, momentum=0.5)
    for array in (sweep.lrs, sweep.starts, sweep.final_gaps, sweep.steps_to_tol):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    with pytest.raises(AttributeError):
        sweep.steps = 3  # type: ignore[misc]
    assert isinstance(sweep.options, MappingProxyType) and sweep.options["momentum"] == 0.5
    assert (sweep.objective, sweep.optimizer, sweep.target) == ("skewed", "SGD", 0.0)


def test_lrs_are_sorted() -> None:
    sweep = sweep_lr(skewed, "SGD", [0.01, 0.001], [[8.0, 8.0]], 10)
    np.testing.assert_array_equal(sweep.lrs, [0.001, 0.01])


@pytest.mark.parametrize(
    ("values", "tol", "expected"),
    [
        ([5.0, 2.0, 0.5, 0.1], 1.0, 2),
        ([0.5, 0.1], 1.0, 0),
        ([5.0, 0.5, 3.0, 0.5, 0.2], 1.0, 3),  # dipped in, climbed out, came back
        ([5.0, 0.5, 3.0], 1.0, None),
        ([], 1.0, None),
    ],
)
def test_steps_to_tolerance(values: list[float], tol: float, expected: int | None) -> None:
    assert steps_to_tolerance(values, tol) == expected
    shifted = [v + 7.0 for v in values]
    assert steps_to_tolerance(shifted, tol, target=7.0) == expected


def _one_point_objective(v: torch.Tensor) -> torch.Tensor:
    return (v**2).sum()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lrs": []}, ValueError, r"lrs must be a non-empty 1-d sequence, got shape \(0,\)"),
        ({"lrs": [[0.1]]}, ValueError, r"1-d sequence, got shape \(1, 1\)"),
        ({"lrs": [0.1, -1.0]}, ValueError, r"lrs must be positive and finite, got \[0.1, -1.0\]"),
        ({"lrs": [0.1, math.nan]}, ValueError, "lrs must be positive and finite"),
        ({"lrs": [0.1, 0.1]}, ValueError, r"lrs must not repeat a value, got \[0.1, 0.1\]"),
        ({"lrs": ["a"]}, TypeError, "lrs must be a sequence of positive numbers"),
        ({"starts": []}, ValueError, "starts must hold at least one point, got none"),
        ({"starts": "ab"}, TypeError, "starts must be a sequence of points, got str"),
        ({"starts": [[1.0, 2.0, 3.0]]}, ValueError, r"starts\[0\] must be one point of shape"),
        ({"starts": [[1.0, math.inf]]}, ValueError, r"starts\[0\] must be finite"),
        (
            {"starts": [np.zeros(2, np.float32), np.zeros(2)]},
            TypeError,
            "starts must all have one dtype",
        ),
        ({"steps": 0}, ValueError, "steps must be at least 1, got 0"),
        ({"steps": 2.5}, TypeError, "steps must be a non-negative integer, got float"),
        ({"tol": 0.0}, ValueError, "tol must be a positive finite number, got 0.0"),
        ({"target": math.nan}, ValueError, "target must be finite, got nan"),
        ({"optimizer": "Adamm"}, ValueError, "optimizer must name a torch.optim optimizer"),
        ({"lr": 0.1}, TypeError, "got lr among the optimizer options; give the grid as lrs"),
        ({"optimizer": "Rprop", "batched": True}, ValueError, "batched must be False for Rprop"),
        (
            {"objective": _one_point_objective, "target": 0.0},
            ValueError,
            r"values of shape \(...\) for a batched sweep, got shape \(\) .* batched=False",
        ),
        ({"momentum": -1.0}, ValueError, "Invalid momentum value"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception], message: str) -> None:
    arguments = {
        "objective": skewed,
        "optimizer": "SGD",
        "lrs": [0.001, 0.01],
        "starts": [[8.0, 8.0]],
        "steps": 10,
        **kwargs,
    }
    with pytest.raises(error, match=message):
        sweep_lr(**arguments)


def test_one_point_objective_runs_unbatched() -> None:
    sweep = sweep_lr(_one_point_objective, "SGD", [0.1, 0.4], [[1.0, 2.0]], 20, target=0.0,
                     batched=False)  # fmt: skip
    assert sweep.best_lr == 0.4  # 1 - 2·0.4 = 0.2 per step beats 1 - 2·0.1 = 0.8


@pytest.mark.parametrize(
    ("values", "tol", "error", "message"),
    [
        ([1.0], -1.0, ValueError, "tol must be a positive finite number, got -1.0"),
        ([[1.0]], 1.0, ValueError, r"one value per step, got shape \(1, 1\)"),
    ],
)
def test_steps_to_tolerance_bad_input(
    values: object, tol: float, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        steps_to_tolerance(values, tol)


def test_contenders_are_runnable_torch_optimizers():
    from gdtutor.compare import CONTENDERS, SWEEP_LRS
    from gdtutor.optim import optimizer_class

    assert len(CONTENDERS) == 7
    for name, options in CONTENDERS.values():
        optimizer_class(name)([torch.zeros(2, requires_grad=True)], **options)
    assert SWEEP_LRS[0] == pytest.approx(1e-4) and SWEEP_LRS[-1] == pytest.approx(100.0)
    np.testing.assert_allclose(np.diff(np.log10(SWEEP_LRS)), 0.5)
