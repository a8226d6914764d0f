r"""Hand-written gradient descent.

On a quadratic :math:`f(x) = \tfrac12 x^\top H x` one step is :math:`x \mapsto (I - \alpha H) x`,
so the iterates are :math:`(I - \alpha H)^t x_0` and can be checked against numpy exactly.
Facts about the record and the argument checks are run for both loops (``run_with``), which
share them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch

from gdtutor import gradient_descent, gradient_step, hessian, parabola, rosenbrock, skewed
from tests.conftest import Runner

OBJECTIVES = [parabola, skewed, rosenbrock]
NUMPY_DTYPE = {torch.float32: np.float32, torch.float64: np.float64}


def _value(objective, point, dtype=torch.float64) -> float:
    return objective(torch.tensor(np.asarray(point), dtype=dtype)).item()


@pytest.mark.parametrize("start", [(8.0, 8.0), (-3.0, 5.0)])
@pytest.mark.parametrize("lr", [0.001, 0.01])
@pytest.mark.parametrize("objective", [parabola, skewed], ids=lambda f: f.__name__)
def test_iterates_on_a_quadratic_are_closed_form(objective, lr, start) -> None:
    steps = 40
    run = gradient_descent(objective, np.array(start), lr=lr, steps=steps)
    H = hessian(objective, at=(0.0, 0.0))
    M = np.eye(2) - lr * H
    expected = np.stack([np.linalg.matrix_power(M, t) @ start for t in range(steps + 1)])
    np.testing.assert_allclose(run.points, expected[:-1], rtol=1e-12, atol=0)
    np.testing.assert_allclose(run.end_point, expected[-1], rtol=1e-12, atol=0)
    # For these quadratics f(x) = ½ xᵀ H x exactly.
    half_xHx = 0.5 * np.einsum("ti,ij,tj->t", expected[:-1], H, expected[:-1])
    np.testing.assert_allclose(run.values, half_xHx, rtol=1e-12, atol=0)


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_record_pairs_each_point_with_its_value(run_with, objective, dtype) -> None:
    start = torch.tensor([-1.5, 2.0], dtype=dtype)
    run = run_with(objective, start, 1e-4, 6)
    assert run.points.shape == (6, 2)
    assert run.values.shape == (6,)
    np.testing.assert_array_equal(run.points[0], start.numpy())
    for point, value in zip(run.points, run.values, strict=True):
        assert value == _value(objective, point, dtype)


def test_trajectory_says_what_produced_it() -> None:
    run = gradient_descent(skewed, [8.0, 8.0], lr=0.001, steps=3)
    assert (run.method, run.objective_name, run.lr, run.steps) == (
        "gradient descent",
        "skewed",
        0.001,
        3,
    )
    assert (dict(run.options), run.diverged) == ({}, False)
    assert run.message == "ran all 3 steps"
    assert len(run) == 3
    assert run.last_value == float(run.values[-1])
    run = gradient_descent(lambda v: skewed(v), [8.0, 8.0], lr=0.001, steps=1)
    assert run.objective_name == "<lambda>"


def test_gradient_step_by_hand(dtype, rtol) -> None:
    # At (8, 8) the parabola's gradient is (160, 160): one step of 0.001 moves by 0.16.
    x = torch.tensor([8.0, 8.0], dtype=dtype, requires_grad=True)
    value = gradient_step(parabola, x, lr=0.001)
    assert value.item() == 1280.0
    assert value.ndim == 0
    assert not value.requires_grad
    torch.testing.assert_close(
        x.detach(), torch.tensor([7.84, 7.84], dtype=dtype), rtol=rtol, atol=0
    )
    assert x.grad is not None
    assert x.grad.tolist() == [0.0, 0.0]
    assert x.is_leaf
    assert x.requires_grad


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_gradient_step_is_the_notebooks_step(objective) -> None:
    # The notebook's make_gradient_step, written out: bit-for-bit the same float32 numbers.
    x = torch.tensor([0.5, -0.8], requires_grad=True)
    y = torch.tensor([0.5, -0.8], requires_grad=True)
    for _ in range(5):
        res = objective(x)
        res.backward()
        x.data -= 0.001 * x.grad
        x.grad.zero_()
        assert gradient_step(objective, y, 0.001).item() == res.item()
        assert torch.equal(x, y)


def test_gradient_descent_continues_gradient_step() -> None:
    run = gradient_descent(skewed, [8.0, 8.0], lr=0.001, steps=4)
    x = torch.tensor([8.0, 8.0], requires_grad=True)
    for point, value in zip(run.points, run.values, strict=True):
        np.testing.assert_array_equal(x.detach().numpy(), point)
        assert gradient_step(skewed, x, 0.001).item() == value
    np.testing.assert_array_equal(x.detach().numpy(), run.end_point)


def test_start_is_copied_never_modified(run_with) -> None:
    start = torch.tensor([8.0, 8.0])
    array = np.array([8.0, 8.0])
    run_with(parabola, start, 0.01, 3)
    run_with(parabola, array, 0.01, 3)
    assert start.tolist() == [8.0, 8.0]
    assert start.grad is None
    assert not start.requires_grad
    assert array.tolist() == [8.0, 8.0]


def test_record_keeps_the_start_dtype_and_device(run_with, dtype, device) -> None:
    start = torch.tensor([8.0, 8.0], dtype=dtype, device=device)
    run = run_with(skewed, start, 0.001, 3)
    for array in (run.points, run.values, run.end_point):
        assert isinstance(array, np.ndarray)
        assert array.dtype == NUMPY_DTYPE[dtype]
    assert start.device.type == device


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ([8.0, 8.0], np.float32),
        ((8, 8), np.float32),
        (np.array([8.0, 8.0]), np.float64),
        (np.array([8.0, 8.0], dtype=np.float32), np.float32),
        (torch.tensor([8.0, 8.0], dtype=torch.float64, requires_grad=True), np.float64),
    ],
    ids=["list", "int-tuple", "numpy-float64", "numpy-float32", "tensor-requires-grad"],
)
def test_dtype_of_each_kind_of_start(run_with, start, expected) -> None:
    run = run_with(parabola, start, 0.001, 2)
    assert run.points.dtype == run.values.dtype == run.end_point.dtype == expected
    np.testing.assert_array_equal(run.points[0], [8.0, 8.0])


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_divergence_stops_at_the_first_non_finite_value(run_with, objective, dtype) -> None:
    steps = 1000
    run = run_with(objective, torch.tensor([8.0, 8.0], dtype=dtype), 1.0, steps)
    assert run.diverged
    assert 0 < len(run) < steps
    assert len(run.points) == len(run.values) == len(run)
    assert np.isfinite(run.values).all()
    assert np.isfinite(run.points).all()
    assert "diverged" in run.message
    assert f"at step {len(run)}" in run.message
    # end_point is where the value became non-finite: one step after the last recorded point
    # (with lr = 1 both loops compute x - grad exactly).
    x = torch.tensor(run.points[-1], requires_grad=True)
    gradient_step(objective, x, 1.0)
    np.testing.assert_array_equal(run.end_point, x.detach().numpy())
    assert not math.isfinite(_value(objective, run.end_point, dtype))


def test_a_converging_run_is_not_diverged(run_with) -> None:
    # Each step multiplies the point by 1 - 20 α = 0.2, so the value by 0.04.
    run = run_with(parabola, np.array([8.0, 8.0]), 0.04, 10)
    assert not run.diverged
    assert run.message == "ran all 10 steps"
    np.testing.assert_allclose(run.values[1:] / run.values[:-1], 0.04, rtol=1e-12)


def test_zero_steps(run_with) -> None:
    run = run_with(parabola, [8.0, -8.0], 0.001, 0)
    assert run.points.shape == (0, 2)
    assert run.values.shape == (0,)
    np.testing.assert_array_equal(run.end_point, [8.0, -8.0])
    assert math.isnan(run.last_value)
    assert not run.diverged


BAD_STARTS = [
    (np.zeros(3), ValueError, r"start must be one point of shape \(2,\), got shape \(3,\)"),
    ([1.0, 2.0, 3.0], ValueError, r"start must be one point of shape \(2,\), got shape \(3,\)"),
    (torch.zeros(2, 2), ValueError, r"start must be one point .* got shape \(2, 2\)"),
    ([[8.0, 8.0]], ValueError, r"start must be one point of shape \(2,\), got shape \(1, 2\)"),
    ([np.zeros(2), 1.0], ValueError, r"start must be one point .* got nested sequences"),
    (
        [torch.ones(2, requires_grad=True)],
        ValueError,
        r"start must be one point of shape \(2,\), got nested sequences",
    ),
    (np.zeros((2, 2)), ValueError, r"start must be one point .* got shape \(2, 2\)"),
    (torch.tensor([8, 8]), TypeError, r"start must have dtype float32 or float64 .* torch\.int64"),
    (np.array([8, 8]), TypeError, r"start must have a floating dtype .* got numpy int64"),
    (torch.tensor([True, False]), TypeError, r"start must have dtype .* got torch\.bool"),
    (np.array([True, False]), TypeError, r"start must have a floating dtype .* got numpy bool"),
    ([True, False], TypeError, r"start must hold real numbers, got \[True, False\]"),
    (torch.zeros(2, dtype=torch.float16), TypeError, r"float32 or float64 .* torch\.float16"),
    ("88", TypeError, r"start must be a torch tensor, numpy array or sequence .* got str"),
    (["8", "8"], TypeError, r"start must hold real numbers, got \['8', '8'\]"),
    (None, TypeError, r"start must be .* got NoneType"),
    ([math.nan, 8.0], ValueError, r"start must be finite, got \[nan, 8\.0\]"),
    ((8.0, math.inf), ValueError, r"start must be finite, got \[8\.0, inf\]"),
    (np.array([-np.inf, 0.0]), ValueError, r"start must be finite, got \[-inf, 0\.0\]"),
    (torch.tensor([0.0, math.nan]), ValueError, r"start must be finite, got \[0\.0, nan\]"),
    ([10**400, 1], ValueError, r"start must be finite, got an integer beyond float's range"),
    (np.array([8.0, 8.0], dtype=np.longdouble), TypeError, r"floating dtype .* numpy float128"),
    (torch.zeros(2, device="meta"), ValueError, r"start is on the 'meta' device, which holds"),
    (torch.ones(2).to_sparse(), ValueError, r"start must be a dense tensor, got layout torch\.sp"),
]
BAD_LRS = [
    (0, ValueError, r"lr must be a positive finite number, got 0\.0"),
    (-0.1, ValueError, r"lr must be a positive finite number, got -0\.1"),
    (math.nan, ValueError, r"lr must be a positive finite number, got nan"),
    (math.inf, ValueError, r"lr must be a positive finite number, got inf"),
    ("0.1", TypeError, r"lr must be a positive finite number, got str"),
    (True, TypeError, r"lr must be a positive finite number, got bool"),
    (None, TypeError, r"lr must be a positive finite number, got NoneType"),
    (10**400, ValueError, r"lr must be a positive finite number, got an integer beyond float"),
]
BAD_STEPS = [
    (-1, ValueError, r"steps must be a non-negative integer, got -1"),
    (2.0, TypeError, r"steps must be a non-negative integer, got float"),
    (2.5, TypeError, r"steps must be a non-negative integer, got float"),
    ("3", TypeError, r"steps must be a non-negative integer, got str"),
    (True, TypeError, r"steps must be a non-negative integer, got bool"),
]


def _ids(table):
    return [f"{type(row[0]).__name__}-{i}" for i, row in enumerate(table)]


@pytest.mark.parametrize(("start", "error", "match"), BAD_STARTS, ids=_ids(BAD_STARTS))
def test_bad_start(run_with, start, error, match) -> None:
    with pytest.raises(error, match=match):
        run_with(parabola, start, 0.001, 1)


@pytest.mark.parametrize(("lr", "error", "match"), BAD_LRS, ids=_ids(BAD_LRS))
def test_bad_lr(run_with, lr, error, match) -> None:
    with pytest.raises(error, match=match):
        run_with(parabola, [8.0, 8.0], lr, 1)


@pytest.mark.parametrize(("steps", "error", "match"), BAD_STEPS, ids=_ids(BAD_STEPS))
def test_bad_steps(run_with, steps, error, match) -> None:
    with pytest.raises(error, match=match):
        run_with(parabola, [8.0, 8.0], 0.001, steps)


@pytest.mark.parametrize(
    ("objective", "shown"),
    [(3, "3 of type int"), (None, "None of type NoneType"), ("skewed", "'skewed' of type str")],
    ids=["int", "None", "name"],
)
@pytest.mark.parametrize("steps", [0, 1])
def test_objective_that_is_not_callable(run_with, objective, shown, steps) -> None:
    match = rf"objective must be a function of one point, such as gdtutor\.skewed, got {shown}"
    with pytest.raises(TypeError, match=match):
        run_with(objective, [8.0, 8.0], 0.001, steps)


@pytest.mark.parametrize(
    ("objective", "shown"),
    [
        (lambda v: 2 * v, r"a tensor of shape \(2,\) \(sum it, or pick the value to minimize\)"),
        (lambda v: v.sum(dim=0, keepdim=True), r"a tensor of shape \(1,\)"),
        (lambda v: 1.0, "a float: compute it with torch operations"),
        (lambda v: v.detach().numpy().sum(), r"a numpy\.float32: compute it with torch operations"),
        (lambda v: None, "None: compute it with torch operations"),
    ],
    ids=["vector", "shape-1", "float", "numpy", "none"],
)
def test_objective_must_return_a_0d_tensor(run_with, objective, shown) -> None:
    match = rf"objective must return a 0-d torch tensor for one point, got {shown}"
    assert_loop_and_step_refuse(run_with, objective, match, steps=1)


def assert_loop_and_step_refuse(run_with: Runner, objective: Any, match: str, steps: int) -> None:
    """The loop ``run_with`` and one ``gradient_step`` refuse ``objective`` with a ValueError
    that says ``match``; the step leaves its point where it was."""
    with pytest.raises(ValueError, match=match):
        run_with(objective, [8.0, 8.0], 0.001, steps)
    x = torch.tensor([8.0, 8.0], requires_grad=True)
    with pytest.raises(ValueError, match=match):
        gradient_step(objective, x, 0.001)
    assert x.tolist() == [8.0, 8.0]


def _non_leaf() -> torch.Tensor:
    return torch.tensor([8.0, 8.0], requires_grad=True) * 2


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.tensor([8.0, 8.0]), ValueError, r"x must require grad .* requires_grad=False"),
        (_non_leaf(), ValueError, r"x must be a leaf tensor .* produced by MulBackward0"),
        (torch.zeros(3, requires_grad=True), ValueError, r"x must be one point .* \(3,\)"),
        (torch.zeros(1, 2, requires_grad=True), ValueError, r"x must be one point .* \(1, 2\)"),
        (
            torch.tensor([8, 8]),
            TypeError,
            r"x must have dtype float32 or float64, got torch\.int64",
        ),
        ([8.0, 8.0], TypeError, r"x must be a torch tensor, got list"),
        (np.array([8.0, 8.0]), TypeError, r"x must be a torch tensor, got ndarray"),
    ],
    ids=["no-grad", "non-leaf", "shape-3", "shape-1x2", "int", "list", "numpy"],
)
def test_gradient_step_bad_variable(x, error, match) -> None:
    with pytest.raises(error, match=match):
        gradient_step(parabola, x, 0.001)


@pytest.mark.parametrize(("lr", "error", "match"), BAD_LRS, ids=_ids(BAD_LRS))
def test_gradient_step_bad_lr_leaves_x_alone(lr, error, match) -> None:
    x = torch.tensor([8.0, 8.0], requires_grad=True)
    with pytest.raises(error, match=match):
        gradient_step(parabola, x, lr)
    assert x.tolist() == [8.0, 8.0]
    assert x.grad is None


_GLOBAL_X = torch.tensor([8.0, 8.0], requires_grad=True)


@pytest.mark.parametrize(
    "objective",
    [
        lambda v: 10 * (_GLOBAL_X**2).sum(),  # a notebook's slip: the global x, not v
        lambda v: torch.tensor(float(10 * (v**2).sum().item())),
        lambda v: 10 * (v.detach() ** 2).sum(),
        lambda v: torch.tensor(1.0),
    ],
    ids=["global-tensor", "item", "detach", "constant"],
)
def test_an_objective_whose_value_does_not_come_from_its_point(run_with, objective) -> None:
    """It has no gradient: each loop says why (an empty AssertionError, a run that never
    moved, or torch's "element 0 of tensors does not require grad")."""
    match = r"objective's value does not depend on the point it is given, so it has no gradient"
    assert_loop_and_step_refuse(run_with, objective, match, steps=3)


def test_a_step_refuses_a_gradient_left_from_before() -> None:
    """torch would add the step's gradient to it: the step the course warns about."""
    x = torch.tensor([8.0, 8.0], requires_grad=True)
    parabola(x).backward()
    with pytest.raises(ValueError, match=r"x\.grad already holds a gradient .* x\.grad\.zero_\(\)"):
        gradient_step(parabola, x, 0.001)
    assert x.tolist() == [8.0, 8.0]
    x.grad.zero_()  # as the message says: then the step is the step
    gradient_step(parabola, x, 0.001)
    assert x.tolist() == pytest.approx([7.84, 7.84])
    gradient_step(parabola, x, 0.001)  # its own gradient, zeroed, is no gradient left
    assert x.tolist() == pytest.approx([7.6832, 7.6832])


def test_the_objective_is_called_once_per_step(run_with) -> None:
    calls = []

    def counted(v: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        return parabola(v)

    run_with(counted, [8.0, 8.0], 0.001, 3)
    assert len(calls) == 3
    run_with(counted, [8.0, 8.0], 0.001, 0)
    assert len(calls) == 3


def test_a_huge_number_of_steps_is_not_allocated_up_front(run_with) -> None:
    """Room for the points is made as the run goes: a run asked for 10¹² steps that
    diverges stops there (it failed to allocate 16 TB), and one longer than the first room
    made keeps every point."""
    run = run_with(parabola, [8.0, 8.0], 1.0, 10**12)
    assert run.diverged and len(run) < 200 and run.steps == 10**12
    long = run_with(parabola, [8.0, 8.0], 0.001, 9000)
    assert long.points.shape == (9000, 2)
    want = 8.0 * 0.98 ** np.arange(9000)
    np.testing.assert_allclose(long.points[:, 0], want, rtol=1e-3, atol=1e-37)


def test_a_loop_run_inside_no_grad_says_gradients_are_off(run_with) -> None:
    with torch.no_grad(), pytest.raises(ValueError, match=r"gradients are turned off here"):
        run_with(parabola, [8.0, 8.0], 0.001, 3)


def test_a_step_with_a_zeroed_gradient_from_an_objective_of_another_tensor() -> None:
    """x.grad zeroed by an earlier step, and an objective of a global tensor: backward() does
    not touch x.grad, which stayed zero, so the step did not move x and said nothing."""
    x = torch.tensor([8.0, 8.0], requires_grad=True)
    gradient_step(parabola, x, 0.001)
    assert x.grad is not None and not x.grad.any()
    before = x.tolist()
    with pytest.raises(ValueError, match=r"does not depend on the point it is given"):
        gradient_step(lambda v: 10 * (_GLOBAL_X**2).sum(), x, 0.001)
    assert x.tolist() == before


def test_a_start_in_the_other_byte_order_is_read(run_with) -> None:
    run = run_with(parabola, np.array([8.0, 8.0], dtype=">f8"), 0.001, 2)
    assert run.points.dtype == np.float64 and run.points.tolist() == [[8.0, 8.0], [7.84, 7.84]]


@pytest.mark.parametrize(
    ("objective", "dtype"),
    [
        (lambda v: (v**2).sum().long(), "int64"),
        (lambda v: (v.to(torch.complex64) ** 2).sum(), "complex64"),
    ],
    ids=["int", "complex"],
)
def test_objective_must_return_a_real_floating_value(run_with, objective, dtype) -> None:
    match = rf"objective must return a real floating-point tensor .*, got dtype {dtype}"
    assert_loop_and_step_refuse(run_with, objective, match, steps=1)


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (torch.tensor([math.nan, 1.0], requires_grad=True), r"x must be finite, got \[nan, 1\.0\]"),
        (torch.zeros(2, device="meta", requires_grad=True), r"x is on the 'meta' device"),
    ],
    ids=["nan", "meta"],
)
def test_gradient_step_refuses_a_point_with_no_finite_numbers(x, match) -> None:
    with pytest.raises(ValueError, match=match):
        gradient_step(parabola, x, 0.001)
