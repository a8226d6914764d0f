"""Plot helpers on the Agg backend: what they return and the numbers behind the pictures."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from matplotlib.pyplot import subplots
from matplotlib.text import Text

from gdtutor import gradient_descent, optimize, parabola, rosenbrock, skewed
from gdtutor.graph import grad_fn_tree
from gdtutor.plotting import (
    evaluate_grid,
    fit_limits,
    plot_contours,
    plot_graph,
    plot_trajectory,
    plot_values,
)

OBJECTIVES = [parabola, skewed, rosenbrock]


@pytest.fixture
def ax():
    _, ax = subplots()
    return ax


@pytest.fixture(scope="module")
def runs():
    return [
        gradient_descent(skewed, [8.0, 8.0], lr=0.001, steps=20),
        optimize(skewed, [-3.0, 5.0], "AdamW", steps=20, lr=0.5),
    ]


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_evaluate_grid_equals_a_double_loop(objective) -> None:
    X, Y, Z = evaluate_grid(objective, (-2.0, 1.0), (-1.0, 3.0), n=4)
    assert X.shape == Y.shape == Z.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            assert Z[i, j] == objective(np.array([X[i, j], Y[i, j]]))
    # Both ends are included; x varies along columns and y along rows, as contour expects.
    np.testing.assert_array_equal(X[0], [-2.0, -1.0, 0.0, 1.0])
    np.testing.assert_array_equal(Y[:, 0], np.linspace(-1.0, 3.0, 4))


@pytest.mark.parametrize("margin", [0.0, 0.15, 0.5])
@pytest.mark.parametrize("square", [True, False])
def test_fit_limits_contains_every_point(runs, margin, square) -> None:
    (x0, x1), (y0, y1) = fit_limits(*runs, margin=margin, square=square)
    points = np.concatenate([run.points for run in runs]).astype(np.float64)
    assert np.all((x0 <= points[:, 0]) & (points[:, 0] <= x1))
    assert np.all((y0 <= points[:, 1]) & (points[:, 1] <= y1))
    if square:
        assert math.isclose(x1 - x0, y1 - y0)
    span = max(np.ptp(points[:, 0]), np.ptp(points[:, 1]))
    assert math.isclose(max(x1 - x0, y1 - y0), span * (1 + 2 * margin))


def test_fit_limits_by_hand() -> None:
    assert fit_limits([[0.0, 0.0], [8.0, 4.0]], margin=0.0) == ((0.0, 8.0), (-2.0, 6.0))
    assert fit_limits([[0.0, 0.0], [8.0, 4.0]], margin=0.0, square=False) == (
        (0.0, 8.0),
        (0.0, 4.0),
    )
    # Non-finite points are skipped; a single point still gets a (tiny) non-empty range.
    (x0, x1), (y0, y1) = fit_limits(np.array([[1.0, 2.0], [np.nan, 5.0]]))
    assert x0 < 1.0 < x1
    assert y0 < 2.0 < y1


@pytest.mark.parametrize(
    ("points", "match"),
    [
        ((), "fit_limits needs at least one finite point"),
        (([[np.nan, 1.0]],), "fit_limits needs at least one finite point"),
        ((np.zeros((0, 2)),), "fit_limits needs at least one finite point"),
        (
            (np.zeros(3),),
            r"points must be a Trajectory or points of shape \(\.\.\., 2\), got shape \(3,\)",
        ),
        ((np.zeros((4, 3)),), r"got shape \(4, 3\)"),
    ],
    ids=["nothing", "nan", "empty", "shape-3", "shape-4x3"],
)
def test_fit_limits_bad_points(points, match) -> None:
    with pytest.raises(ValueError, match=match):
        fit_limits(*points)


def test_plot_contours_returns_the_contour_set(ax) -> None:
    cs = plot_contours(ax, skewed, (-10, 10), (-5, 5), n=8, levels=6)
    assert isinstance(cs, QuadContourSet)
    assert len(cs.levels) == 6
    assert ax.get_xlim() == (-10.0, 10.0)
    assert ax.get_ylim() == (-5.0, 5.0)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")


@pytest.mark.parametrize("fit", ["one", "list-of-runs", "list-of-arrays", "array"])
def test_plot_contours_fitted_to_trajectories(ax, runs, fit) -> None:
    fit_to = {
        "one": runs[0],
        "list-of-runs": runs,
        "list-of-arrays": [run.points for run in runs],  # of different lengths
        "array": np.concatenate([run.points for run in runs]),
    }[fit]
    plot_contours(ax, skewed, fit_to=fit_to, n=6, levels=4)
    expected = fit_limits(runs[0]) if fit == "one" else fit_limits(*runs)
    np.testing.assert_allclose((ax.get_xlim(), ax.get_ylim()), expected)


def test_plot_contours_keeps_a_given_range(ax, runs) -> None:
    plot_contours(ax, skewed, (-20.0, 20.0), fit_to=runs, n=6, levels=4)
    assert ax.get_xlim() == (-20.0, 20.0)
    np.testing.assert_allclose(ax.get_ylim(), fit_limits(*runs)[1])


@pytest.mark.parametrize(
    ("spacing", "transform"),
    [("sqrt", np.sqrt), ("log", np.log), ("linear", lambda z: z)],
)
def test_levels_are_evenly_spaced_after_the_transform(ax, spacing, transform) -> None:
    levels = 7
    cs = plot_contours(ax, parabola, (0.5, 3.0), (0.5, 3.0), n=6, levels=levels, spacing=spacing)
    _, _, Z = evaluate_grid(parabola, (0.5, 3.0), (0.5, 3.0), n=6)
    assert len(cs.levels) == levels
    steps = np.diff(transform(np.asarray(cs.levels)))
    np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
    assert Z.min() < cs.levels[0]
    assert cs.levels[-1] <= Z.max() * (1 + 1e-12)


def test_explicit_levels_are_used_as_given(ax) -> None:
    cs = plot_contours(ax, parabola, (-1, 1), (-1, 1), n=5, levels=[1.0, 5.0, 10.0])
    np.testing.assert_array_equal(cs.levels, [1.0, 5.0, 10.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ValueError, "plot_contours needs xlim and ylim, or fit_to to fit them to"),
        ({"xlim": (-1, 1)}, ValueError, "needs xlim and ylim, or fit_to"),
        (
            {"xlim": (-1, 1), "ylim": (-1, 1), "spacing": "cubic"},
            ValueError,
            r"spacing must be 'sqrt', 'log' or 'linear', got 'cubic'",
        ),
    ],
    ids=["nothing", "xlim-only", "spacing"],
)
def test_plot_contours_bad_arguments(ax, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        plot_contours(ax, parabola, n=4, **kwargs)


BAD_RANGES = [
    (1.0,),
    (1.0, 2.0, 3.0),
    "ab",
    None,
    5.0,
    (2.0, 1.0),
    (1.0, 1.0),
    (0.0, math.nan),
    (-math.inf, 0.0),
    ("a", "b"),
]


@pytest.mark.parametrize("which", ["xlim", "ylim"])
@pytest.mark.parametrize("bad", BAD_RANGES, ids=[repr(b) for b in BAD_RANGES])
def test_bad_ranges(ax, which, bad) -> None:
    limits = {"xlim": (-1.0, 1.0), "ylim": (-1.0, 1.0), which: bad}
    match = rf"{which} must be two finite numbers \(low, high\) with low < high, got "
    with pytest.raises(ValueError, match=match):
        evaluate_grid(parabola, n=4, **limits)
    if bad is not None:  # to plot_contours, None means "fit the range to fit_to"
        with pytest.raises(ValueError, match=match):
            plot_contours(ax, parabola, n=4, **limits)


@pytest.mark.parametrize(
    ("n", "error", "match"),
    [
        (1, ValueError, r"n must be an integer of at least 2, got 1"),
        (-3, ValueError, r"n must be an integer of at least 2, got -3"),
        (2.5, TypeError, r"n must be an integer of at least 2, got float"),
        ("10", TypeError, r"n must be an integer of at least 2, got str"),
        (True, TypeError, r"n must be an integer of at least 2, got bool"),
    ],
)
def test_bad_grid_size(n, error, match) -> None:
    with pytest.raises(error, match=match):
        evaluate_grid(parabola, (-1, 1), (-1, 1), n=n)


@pytest.mark.parametrize(
    ("objective", "shape"),
    [(lambda v: v.sum(), r"\(\)"), (lambda v: v, r"\(3, 3, 2\)"), (lambda v: v[0, 0, 0], r"\(\)")],
)
def test_objective_must_keep_the_grid_shape(objective, shape) -> None:
    match = rf"for a grid of shape \(3, 3, 2\) it returned shape {shape}"
    with pytest.raises(ValueError, match=match):
        evaluate_grid(objective, (-1, 1), (-1, 1), n=3)


@pytest.mark.parametrize("as_points", [False, True])
def test_plot_trajectory_marks_start_and_end(ax, runs, as_points) -> None:
    run = runs[0]
    lines = plot_trajectory(ax, run.points if as_points else run, label="descent", color="C3")
    assert len(lines) == 3
    assert all(isinstance(line, Line2D) for line in lines)
    path, start, end = lines
    np.testing.assert_array_equal(path.get_xydata(), run.points)
    np.testing.assert_array_equal(start.get_xydata(), run.points[:1])
    np.testing.assert_array_equal(end.get_xydata(), run.points[-1:])
    assert path.get_label() == "descent"
    assert start.get_color() == end.get_color() == path.get_color() == "C3"


@pytest.mark.parametrize(
    "points",
    [np.zeros(2), np.zeros((3, 3)), np.zeros((2, 2, 2)), np.zeros((0, 2))],
    ids=["one-point", "3-columns", "3-d", "empty"],
)
def test_plot_trajectory_bad_shape(ax, points) -> None:
    shape = re.escape(str(points.shape))
    match = rf"trajectory must .*, got shape {shape}"
    with pytest.raises(ValueError, match=match):
        plot_trajectory(ax, points)


def test_plot_trajectory_of_an_empty_run(ax) -> None:
    run = gradient_descent(parabola, [1.0, 1.0], lr=0.1, steps=0)
    with pytest.raises(ValueError, match=r"with at least one point, got shape \(0, 2\)"):
        plot_trajectory(ax, run)


@pytest.mark.parametrize("log", [False, True])
def test_plot_values_one_curve_per_run(ax, runs, log) -> None:
    lines = plot_values(ax, *runs, log=log)
    assert len(lines) == len(runs)
    for line, run in zip(lines, runs, strict=True):
        assert isinstance(line, Line2D)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(len(run)))
        np.testing.assert_array_equal(line.get_ydata(), run.values)
    assert [line.get_label() for line in lines] == ["gradient descent", "AdamW"]
    assert ax.get_yscale() == ("log" if log else "linear")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "objective value")


def test_plot_values_with_labels(ax, runs) -> None:
    lines = plot_values(ax, *runs, labels=["by hand", "AdamW, lr 0.5"])
    assert [line.get_label() for line in lines] == ["by hand", "AdamW, lr 0.5"]


@pytest.mark.parametrize("labels", [[], ["one"], ["a", "b", "c"]])
def test_plot_values_label_count_must_match(ax, runs, labels) -> None:
    match = rf"labels must have one entry per trajectory \(2\), got {len(labels)}"
    with pytest.raises(ValueError, match=match):
        plot_values(ax, *runs, labels=labels)


def test_plot_graph_draws_one_box_per_node(ax) -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    tree = grad_fn_tree((x * x + x.sin()).sum())
    boxes = plot_graph(ax, tree)
    assert all(isinstance(box, Text) for box in boxes)
    assert [box.get_text() for box in boxes] == [
        "SumBackward0",
        "AddBackward0",
        "MulBackward0",
        "SinBackward0",
        "AccumulateGrad\nleaf (2,)",
        "AccumulateGrad\nleaf (2,)",
        "AccumulateGrad\nleaf (2,)",
    ]
    # Rows from the result (top) down to the leaves (bottom).
    heights = [box.get_position()[1] for box in boxes]
    assert heights == sorted(heights, reverse=True)
    assert len(ax.patches) + len(ax.texts) >= len(boxes)
    assert not ax.axison
