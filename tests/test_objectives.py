"""Objectives: values and gradients a reader can check by hand, and one code path for numpy
arrays, torch tensors, single points and whole grids."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gdtutor import hessian, parabola, rosenbrock, skewed
from gdtutor.objectives import SKEWED_G

OBJECTIVES = [parabola, skewed, rosenbrock]
POINTS = [(8.0, 8.0), (1.0, 0.0), (0.0, 1.0), (-3.0, 2.5), (0.5, -7.0), (1.0, 1.0)]

# The 3 × 4 matrix of the notebook's first gradient exercise.
NOTEBOOK_X = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]


def _gradient_parabola(v: np.ndarray) -> np.ndarray:
    return 20 * v


def _gradient_skewed(v: np.ndarray) -> np.ndarray:
    return 10 * (SKEWED_G + SKEWED_G.T) @ v


def _gradient_rosenbrock(v: np.ndarray) -> np.ndarray:
    x, y = v
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


GRADIENTS = {
    parabola: _gradient_parabola,
    skewed: _gradient_skewed,
    rosenbrock: _gradient_rosenbrock,
}


def _autograd(objective, point, dtype: torch.dtype) -> np.ndarray:
    v = torch.tensor(point, dtype=dtype, requires_grad=True)
    (grad,) = torch.autograd.grad(objective(v), v)
    return grad.numpy()


# The notebook's own definitions, copied as written.
def function_skewed(variable):
    gramma = torch.tensor([[1.0, -1.0], [1.0, 1.0]]) @ torch.tensor([[1.0, 0.0], [0.0, 4.0]])
    res = 10 * (variable.unsqueeze(0) @ (gramma @ variable.unsqueeze(1))).sum()
    return res


def function_skewed_np(variable):
    gramma = np.array([[1, -1], [1, 1]]) @ np.array([[1.0, 0.0], [0.0, 4.0]])
    res = 10 * (variable.transpose(1, 0) @ (gramma @ variable)).sum()
    return res


def test_gradient_of_sum_of_squares_is_20x(dtype: torch.dtype) -> None:
    # The notebook's first exercise: d/dX of 10 * sum(X**2) is 20 X (exact for small integers).
    X = torch.tensor(NOTEBOOK_X, dtype=dtype, requires_grad=True)
    (10 * (X**2).sum()).backward()
    assert X.grad is not None
    torch.testing.assert_close(X.grad, 20 * X.detach(), rtol=0, atol=0)
    assert X.grad[2, 3].item() == 240.0


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_gradient_matches_closed_form(objective, point, dtype, rtol) -> None:
    expected = GRADIENTS[objective](np.array(point))
    np.testing.assert_allclose(_autograd(objective, point, dtype), expected, rtol=rtol, atol=rtol)


def test_skewed_gradient_uses_the_symmetric_part() -> None:
    # G is not symmetric: G v alone would be wrong, (G + Gᵀ) v is right.
    assert not np.array_equal(SKEWED_G, SKEWED_G.T)
    grad = _autograd(skewed, (1.0, 1.0), torch.float64)
    np.testing.assert_array_equal(grad, [20.0 - 30.0, -30.0 + 80.0])
    assert not np.allclose(grad, 20 * SKEWED_G @ np.ones(2))


@pytest.mark.parametrize(
    ("objective", "point", "value"),
    [
        (parabola, (8.0, 8.0), 1280.0),
        (parabola, (0.0, 0.0), 0.0),
        (skewed, (8.0, 8.0), 1280.0),  # 10 (64 - 192 + 256)
        (skewed, (1.0, 0.0), 10.0),
        (skewed, (0.0, 1.0), 40.0),
        (skewed, (1.0, 1.0), 20.0),
        (rosenbrock, (1.0, 1.0), 0.0),
        (rosenbrock, (-1.0, 1.0), 4.0),
        (rosenbrock, (0.0, 0.0), 1.0),
    ],
)
def test_values_by_hand(objective, point, value, dtype) -> None:
    assert objective(np.array(point)) == value
    assert objective(torch.tensor(point, dtype=dtype)).item() == value


@pytest.mark.parametrize("point", POINTS)
def test_skewed_equals_notebook_matmul_versions(point) -> None:
    column = np.array([point]).T
    np.testing.assert_allclose(skewed(np.array(point)), function_skewed_np(column), rtol=1e-14)
    v = torch.tensor(point)  # the notebook's G is float32, so the point must be too
    torch.testing.assert_close(skewed(v), function_skewed(v), rtol=1e-6, atol=1e-6)


MINIMIZERS = {"parabola": (0.0, 0.0), "skewed": (0.0, 0.0), "rosenbrock": (1.0, 1.0)}


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_the_minimum_value_is_zero_with_zero_gradient(objective) -> None:
    point = np.array(MINIMIZERS[objective.__name__])
    assert objective(point) == 0.0
    np.testing.assert_array_equal(_autograd(objective, point, torch.float64), [0.0, 0.0])


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_hessian_matches_second_differences(objective, point) -> None:
    # Central differences of the autograd gradient: an independent route to the Hessian.
    h = 1e-5
    columns = []
    for e in np.eye(2):
        up = _autograd(objective, np.array(point) + h * e, torch.float64)
        down = _autograd(objective, np.array(point) - h * e, torch.float64)
        columns.append((up - down) / (2 * h))
    H = hessian(objective, at=point)
    assert H.shape == (2, 2)
    assert H.dtype == np.float64
    np.testing.assert_allclose(H, np.array(columns).T, rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(H, H.T)


def test_hessian_of_any_objective() -> None:
    def cubic(v):
        return v[0] ** 3 + v[0] * v[1]

    np.testing.assert_array_equal(hessian(cubic, at=(2.0, 5.0)), [[12.0, 1.0], [1.0, 0.0]])


def test_hessians_by_hand() -> None:
    for at in [(0.0, 0.0), (3.0, -7.0)]:  # constant for the quadratics
        np.testing.assert_array_equal(hessian(parabola, at=at), [[20.0, 0.0], [0.0, 20.0]])
        np.testing.assert_array_equal(hessian(skewed, at=at), [[20.0, -30.0], [-30.0, 80.0]])
    H = hessian(rosenbrock, at=(1.0, 1.0))
    np.testing.assert_array_equal(H, [[802.0, -400.0], [-400.0, 200.0]])


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_numpy_and_torch_agree(objective) -> None:
    points = np.array(POINTS)
    np.testing.assert_allclose(
        objective(points), objective(torch.from_numpy(points)).numpy(), rtol=1e-15, atol=0
    )


@pytest.mark.parametrize("kind", ["numpy", "torch"])
@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_grid_in_one_call_equals_point_by_point(objective, kind) -> None:
    X, Y = np.meshgrid(np.linspace(-2.0, 3.0, 4), np.linspace(-1.0, 1.5, 4))
    grid = np.stack([X, Y], axis=-1)
    assert grid.shape == (4, 4, 2)
    convert = torch.from_numpy if kind == "torch" else np.asarray
    Z = np.asarray(objective(convert(grid)))
    assert Z.shape == (4, 4)
    expected = [[float(objective(convert(grid[i, j]))) for j in range(4)] for i in range(4)]
    np.testing.assert_array_equal(Z, expected)


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_kind_dtype_and_gradient_are_kept(objective, dtype) -> None:
    v = torch.zeros(3, 5, 2, dtype=dtype, requires_grad=True)
    values = objective(v)
    assert isinstance(values, torch.Tensor)
    assert values.shape == (3, 5)
    assert values.dtype == dtype
    assert values.requires_grad
    single = objective(np.zeros(2, dtype=np.float32))
    assert single.shape == ()
    assert single.dtype == np.float32


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("v", "error", "match"),
    [
        ([8.0, 8.0], TypeError, r"v must be a numpy array or torch tensor .* got list"),
        (8.0, TypeError, r"v must be a numpy array or torch tensor .* got float"),
        (np.zeros(3), ValueError, r"v must have shape \(2,\) or \(\.\.\., 2\).* got shape \(3,\)"),
        (np.zeros((2, 3)), ValueError, r"coordinates on the last axis, got shape \(2, 3\)"),
        (np.float64(1.0), ValueError, r"got shape \(\)"),
        (torch.zeros(3), ValueError, r"got shape \(3,\)"),
        (np.array([True, False]), TypeError, r"v must hold real numbers, got numpy bool"),
        (np.array([1j, 1.0]), TypeError, r"v must hold real numbers, got numpy complex128"),
        (np.array(["a", "b"]), TypeError, r"v must hold real numbers, got numpy <U1"),
        (torch.tensor([True, True]), TypeError, r"v must hold real numbers, got torch\.bool"),
        (torch.tensor([1j, 1.0]), TypeError, r"v must hold real numbers, got torch\.complex64"),
    ],
    ids=[
        "list",
        "float",
        "shape-3",
        "shape-2x3",
        "0-d",
        "tensor-shape-3",
        "bool",
        "complex",
        "text",
        "tensor-bool",
        "tensor-complex",
    ],
)
def test_bad_points(objective, v, error, match) -> None:
    with pytest.raises(error, match=match):
        objective(v)


@pytest.mark.parametrize(
    ("at", "error", "match"),
    [
        ((1.0, 2.0, 3.0), ValueError, r"at must be one point of shape \(2,\), got shape \(3,\)"),
        (np.zeros((2, 2)), ValueError, r"at must be one point of shape \(2,\), got shape \(2, 2\)"),
        (
            1.0,
            TypeError,
            r"at must be a torch tensor, numpy array or sequence of two numbers, got float",
        ),
        ((np.nan, 0.0), ValueError, r"at must be finite, got \[nan, 0\.0\]"),
        ((0.0, np.inf), ValueError, r"at must be finite, got \[0\.0, inf\]"),
        (
            "ab",
            TypeError,
            r"at must be a torch tensor, numpy array or sequence of two numbers, got str",
        ),
        (["1", "2"], TypeError, r"at must hold real numbers, got \['1', '2'\]"),
        ([True, False], TypeError, r"at must hold real numbers, got \[True, False\]"),
        ([[0.0, 0.0]], ValueError, r"at must be one point of shape \(2,\), got shape \(1, 2\)"),
    ],
)
def test_hessian_at_must_be_a_finite_point(at, error, match) -> None:
    """The checks, and messages, of a run's start point."""
    with pytest.raises(error, match=match):
        hessian(rosenbrock, at=at)


def test_hessian_at_an_integer_point() -> None:
    np.testing.assert_array_equal(hessian(skewed, at=np.array([0, 0])), [[20, -30], [-30, 80]])


def test_hessian_at_a_learners_point_that_requires_grad() -> None:
    """The point a lesson's loop moves (a leaf that requires grad) is read, not changed, and
    taken in float64."""
    x = torch.tensor([1.0, 1.0], requires_grad=True)
    np.testing.assert_array_equal(hessian(rosenbrock, at=x), [[802.0, -400.0], [-400.0, 200.0]])
    assert x.grad is None and x.tolist() == [1.0, 1.0]
    point = (0.1, 0.3)  # not a float32: the Hessian is the float64 point's
    want = [[1200 * 0.1**2 - 400 * 0.3 + 2, -400 * 0.1], [-400 * 0.1, 200]]
    np.testing.assert_allclose(hessian(rosenbrock, at=point), want, rtol=1e-14)


@pytest.mark.parametrize(
    ("objective", "error", "match"),
    [
        (3, TypeError, r"objective must be a function of one point, .* got 3 of type int"),
        (lambda v: v * 2, ValueError, r"0-d torch tensor .* got a tensor of shape \(2,\)"),
        (lambda v: 1.0, ValueError, r"0-d torch tensor .* got a float"),
        (
            lambda v: torch.tensor(1.0),
            ValueError,
            r"value does not depend on the point it is given",
        ),
    ],
    ids=["int", "vector", "float", "constant"],
)
def test_hessian_of_a_bad_objective(objective, error, match) -> None:
    with pytest.raises(error, match=match):
        hessian(objective, at=(0.0, 0.0))


def test_skewed_matrix_is_read_only() -> None:
    np.testing.assert_array_equal(SKEWED_G, [[1.0, -4.0], [1.0, 4.0]])
    with pytest.raises(ValueError, match="read-only"):
        SKEWED_G[0, 0] = 2.0


def test_hessian_takes_a_list_in_float64_and_refuses_what_is_not_finite() -> None:
    # 1e39 is beyond float32 but a point in float64, where the Hessian is computed.
    assert hessian(rosenbrock, [1e39, 0.0])[1, 1] == 200.0
    with pytest.raises(ValueError, match=r"^rosenbrock is not finite at \[1e\+200, 0\.0\]: its"):
        hessian(rosenbrock, np.array([1e200, 0.0]))
    with pytest.raises(ValueError, match=r"^objective is not finite at \[0\.0, 0\.0\]: its value"):
        hessian(lambda v: (v * math.nan).sum(), [0.0, 0.0])
    with pytest.raises(ValueError, match=r"^the Hessian of objective at .* is not finite"):
        hessian(lambda v: (v**2).sum().sqrt(), [0.0, 0.0])  # the cone's tip: 0/0


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_integer_points_are_taken_as_floats(objective, kind) -> None:
    """In int8, 100 squared would wrap around to 16; as floats, the value is right."""
    floats = np.array([[100.0, 100.0], [3.0, -2.0]])
    ints = floats.astype(np.int8)
    want = objective(floats)
    if kind == "numpy":
        got = objective(ints)
        assert got.dtype == np.float64
    else:
        got = objective(torch.from_numpy(ints))
        assert got.dtype == torch.get_default_dtype()
        got = got.double().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
