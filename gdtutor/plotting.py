"""Plotting helpers: contours of an objective, trajectories, value curves, autograd graphs.

Each helper takes the matplotlib axes first and returns what it drew.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text

from gdtutor.graph import GraphNode
from gdtutor.objectives import Objective
from gdtutor.record import Trajectory, as_points

__all__ = [
    "evaluate_grid",
    "fit_limits",
    "plot_contours",
    "plot_graph",
    "plot_trajectory",
    "plot_values",
    "trajectory_legend",
]

Limits = tuple[float, float]


def _limits(lims: Any, name: str) -> Limits:
    message = f"{name} must be two finite numbers (low, high) with low < high, got {lims!r}"
    if isinstance(lims, (str, bytes)):
        raise ValueError(message)
    try:
        low, high = (float(v) for v in lims)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(message)
    return low, high


def evaluate_grid(
    objective: Objective, xlim: Sequence[float], ylim: Sequence[float], n: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate ``objective`` on an ``n`` × ``n`` grid in one vectorised call.

    Parameters
    ----------
    objective : callable
        Accepts a numpy array of shape ``(..., 2)``, as gdtutor's objectives do.
    xlim, ylim : pair of float
        The grid's range along each axis (both ends included).
    n : int, optional
        Points per axis.

    Returns
    -------
    X, Y, Z : numpy.ndarray
        Coordinates and values, each of shape ``(n, n)``, ready for ``ax.contour``.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If a range is not increasing and finite, ``n < 2``, or the objective returns values of
        the wrong shape.

    Examples
    --------
    >>> from gdtutor import parabola
    >>> X, Y, Z = evaluate_grid(parabola, (-1, 1), (-1, 1), n=3)
    >>> print(Z)
    [[20. 10. 20.]
     [10.  0. 10.]
     [20. 10. 20.]]
    """
    xlim, ylim = _limits(xlim, "xlim"), _limits(ylim, "ylim")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer of at least 2, got {type(n).__name__}")
    if n < 2:
        raise ValueError(f"n must be an integer of at least 2, got {n}")
    X, Y = np.meshgrid(np.linspace(*xlim, int(n)), np.linspace(*ylim, int(n)))
    Z = np.asarray(objective(np.stack([X, Y], axis=-1)))
    if Z.shape != X.shape:
        raise ValueError(
            f"objective must map points of shape (..., 2) to values of shape (...); "
            f"for a grid of shape {(*X.shape, 2)} it returned shape {Z.shape}"
        )
    return X, Y, Z


def fit_limits(*points: Any, margin: float = 0.15, square: bool = True) -> tuple[Limits, Limits]:
    """Choose plot ranges that contain the given trajectories or points, with a margin.

    Parameters
    ----------
    *points : Trajectory or array_like of shape (..., 2)
        What must be visible.
    margin : float, optional
        Extra room on each side, as a fraction of the larger span.
    square : bool, optional
        Give both axes the same span, so that circles look round with an equal aspect.

    Returns
    -------
    xlim, ylim : pair of float

    Raises
    ------
    ValueError
        If a point does not have two coordinates, or nothing finite is given.

    Examples
    --------
    >>> fit_limits([[0.0, 0.0], [8.0, 4.0]], margin=0.0)
    ((0.0, 8.0), (-2.0, 6.0))
    """
    arrays = [as_points(p, name="points") for p in points]
    xy = np.concatenate([a.reshape(-1, 2) for a in arrays]) if arrays else np.empty((0, 2))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        raise ValueError("fit_limits needs at least one finite point")
    low, high = xy.min(axis=0), xy.max(axis=0)
    center, span = (low + high) / 2, high - low
    if square:
        span = np.full(2, span.max())
    span = np.maximum(span, 1e-9) * (1 + 2 * margin)
    return (
        (float(center[0] - span[0] / 2), float(center[0] + span[0] / 2)),
        (float(center[1] - span[1] / 2), float(center[1] + span[1] / 2)),
    )


def plot_contours(
    ax: Axes,
    objective: Objective,
    xlim: Sequence[float] | None = None,
    ylim: Sequence[float] | None = None,
    *,
    fit_to: Any = None,
    n: int = 100,
    levels: int | Sequence[float] = 20,
    spacing: Literal["sqrt", "log", "linear"] = "sqrt",
    **kwargs: Any,
) -> QuadContourSet:
    """Draw contour lines of ``objective``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    objective : callable
        Accepts a numpy array of shape ``(..., 2)``.
    xlim, ylim : pair of float, optional
        The ranges; if omitted they are fitted to ``fit_to``
        (see :func:`~gdtutor.plotting.fit_limits`).
    fit_to : Trajectory, array_like or sequence of them, optional
        What the fitted ranges must contain.
    n : int, optional
        Grid points per axis.
    levels : int or sequence of float, optional
        How many contour levels, or the levels themselves.
    spacing : {"sqrt", "log", "linear"}, optional
        How ``levels`` levels are spread between the smallest and largest value: evenly in
        the square root (rings of a quadratic evenly spaced), in the logarithm (for steep
        functions such as Rosenbrock's), or evenly.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.contour`.

    Returns
    -------
    matplotlib.contour.QuadContourSet

    Raises
    ------
    ValueError
        If neither ranges nor ``fit_to`` are given, or ``spacing`` is unknown.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gdtutor import skewed
    >>> fig, ax = plt.subplots()
    >>> cs = plot_contours(ax, skewed, (-10, 10), (-10, 10), levels=10)
    >>> len(cs.levels)
    10
    >>> plt.close(fig)
    """
    if xlim is None or ylim is None:
        if fit_to is None:
            raise ValueError("plot_contours needs xlim and ylim, or fit_to to fit them to")
        # A list of trajectories or arrays (possibly of different lengths) is spread; a list
        # of plain numbers per point, such as [[0, 0], [8, 8]], is one array of points.
        spread = (
            isinstance(fit_to, (list, tuple))
            and len(fit_to) > 0
            and all(isinstance(item, (Trajectory, np.ndarray)) for item in fit_to)
        )
        items = fit_to if spread else [fit_to]
        fitted = fit_limits(*items)
        xlim = fitted[0] if xlim is None else xlim
        ylim = fitted[1] if ylim is None else ylim
    X, Y, Z = evaluate_grid(objective, xlim, ylim, n)
    heights: Any = levels
    if isinstance(levels, int):
        low, high = float(np.nanmin(Z)), float(np.nanmax(Z))
        if spacing == "log" and low > 0:
            heights = np.geomspace(low, high, levels + 1)[1:]
        elif spacing == "sqrt" and low >= 0:
            heights = np.linspace(np.sqrt(low), np.sqrt(high), levels + 1)[1:] ** 2
        elif spacing in ("sqrt", "log", "linear"):
            heights = np.linspace(low, high, levels + 2)[1:-1]
        else:
            raise ValueError(f"spacing must be 'sqrt', 'log' or 'linear', got {spacing!r}")
    if "colors" not in kwargs:
        kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("linewidths", 0.8)
    cs = ax.contour(X, Y, Z, levels=heights, **kwargs)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    return cs


def plot_trajectory(
    ax: Axes, trajectory: Trajectory | Any, *, label: str | None = None, **kwargs: Any
) -> list[Line2D]:
    """Draw a path of points with its start and end marked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    trajectory : Trajectory or array_like of shape (n, 2)
        The points to join.
    label : str, optional
        Legend label for the path.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the path.

    Returns
    -------
    list of matplotlib.lines.Line2D
        The path, the start marker and the end marker.

    Raises
    ------
    ValueError
        If ``trajectory`` is not a non-empty array of shape ``(n, 2)``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> lines = plot_trajectory(ax, [[8, 8], [4, 4], [0, 0]], label="halving")
    >>> len(lines)
    3
    >>> plt.close(fig)
    """
    xy = as_points(trajectory)
    if xy.ndim != 2 or len(xy) == 0:
        raise ValueError(
            f"trajectory must have shape (n, 2) with at least one point, got shape {xy.shape}"
        )
    kwargs.setdefault("marker", "o")
    kwargs.setdefault("markersize", 2.5)
    kwargs.setdefault("linewidth", 1)
    (path,) = ax.plot(xy[:, 0], xy[:, 1], label=label, **kwargs)
    color = path.get_color()
    (start,) = ax.plot(*xy[0], marker="s", color=color, markersize=7, linestyle="none")
    (end,) = ax.plot(
        *xy[-1],
        marker="*",
        color=color,
        markersize=11,
        linestyle="none",
        markeredgecolor="black",
        markeredgewidth=0.5,
    )
    return [path, start, end]


def trajectory_legend(ax: Axes, **kwargs: Any) -> Legend:
    """Draw a legend of the labeled paths, with the start and end markers explained.

    Adds two entries after the paths: the square that marks where a run of
    :func:`~gdtutor.plotting.plot_trajectory` starts and the star that marks where it ends.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.legend`.

    Returns
    -------
    matplotlib.legend.Legend

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = plot_trajectory(ax, [[8, 8], [4, 4], [0, 0]], label="halving")
    >>> [text.get_text() for text in trajectory_legend(ax).get_texts()]
    ['halving', 'start', 'end of the run']
    >>> plt.close(fig)
    """
    handles, labels = ax.get_legend_handles_labels()
    for marker, label in (("s", "start"), ("*", "end of the run")):
        size = 11 if marker == "*" else 7
        style: dict[str, Any] = {"markeredgecolor": "black", "markeredgewidth": 0.5}
        handles.append(
            Line2D([], [], marker=marker, color="0.5", markersize=size, linestyle="none", **style)
        )
        labels.append(label)
    return ax.legend(handles, labels, **kwargs)


def plot_values(
    ax: Axes,
    *trajectories: Trajectory | Any,
    log: bool = False,
    labels: Sequence[str | None] | None = None,
    **kwargs: Any,
) -> list[Line2D]:
    """Draw the objective value against the step number, one curve per trajectory.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    *trajectories : Trajectory or array_like of float
        Runs, or the values of runs, one per step.
    log : bool, optional
        Use a logarithmic value axis, on which a geometric decrease is a straight line.
    labels : sequence of str, optional
        Legend labels; by default each trajectory's ``method`` (none for plain values).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    list of matplotlib.lines.Line2D

    Raises
    ------
    ValueError
        If the number of labels does not match the number of trajectories.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gdtutor import gradient_descent, parabola
    >>> fig, ax = plt.subplots()
    >>> run = gradient_descent(parabola, [8.0, 8.0], lr=0.001, steps=50)
    >>> [line] = plot_values(ax, run, log=True)
    >>> ax.get_yscale()
    'log'
    >>> plt.close(fig)
    """
    if labels is None:
        labels = [getattr(t, "method", None) for t in trajectories]
    if len(labels) != len(trajectories):
        raise ValueError(
            f"labels must have one entry per trajectory ({len(trajectories)}), got {len(labels)}"
        )
    lines = []
    for trajectory, label in zip(trajectories, labels, strict=True):
        values = np.asarray(getattr(trajectory, "values", trajectory), dtype=float)
        if values.ndim != 1:
            raise ValueError(
                f"each trajectory must be a Trajectory or one value per step, "
                f"got shape {values.shape}"
            )
        (line,) = ax.plot(np.arange(len(values)), values, label=label, **kwargs)
        lines.append(line)
    ax.set(xlabel="step", ylabel="objective value", yscale="log" if log else "linear")
    return lines


def plot_graph(ax: Axes, root: GraphNode) -> list[Text]:
    """Draw an autograd graph as boxes joined by arrows, the result at the top.

    Arrows point the way gradients flow in ``backward()``: from the result down to the leaves.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    root : GraphNode
        From :func:`gdtutor.graph.grad_fn_tree`.

    Returns
    -------
    list of matplotlib.text.Text
        The node boxes, top to bottom, left to right.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, torch
    >>> from gdtutor.graph import grad_fn_tree
    >>> X = torch.ones(3, 4, requires_grad=True)
    >>> fig, ax = plt.subplots()
    >>> [box.get_text() for box in plot_graph(ax, grad_fn_tree(10 * (X**2).sum()))]
    ['MulBackward0', 'SumBackward0', 'PowBackward0', 'AccumulateGrad\\nleaf (3, 4)']
    >>> plt.close(fig)
    """
    placed: list[tuple[GraphNode, float, int]] = []
    next_x = [0.0]

    def place(node: GraphNode, depth: int) -> float:
        if node.children:
            xs = [place(child, depth + 1) for child in node.children]
            x = (min(xs) + max(xs)) / 2
        else:
            x = next_x[0]
            next_x[0] += 1
        placed.append((node, x, depth))
        return x

    place(root, 0)
    placed.sort(key=lambda item: (item[2], item[1]))
    depth_max = max(d for _, _, d in placed)
    where = {id(node): (x, depth_max - d) for node, x, d in placed}
    boxes: list[Text] = []
    for node, x, d in placed:
        if node.leaf_shape is None:
            text = node.name
        elif node.leaf_shape == ():
            text = f"{node.name}\nscalar leaf"
        else:
            text = f"{node.name}\nleaf {node.leaf_shape}"
        boxes.append(
            ax.text(
                x,
                depth_max - d,
                text,
                ha="center",
                va="center",
                fontsize=11,
                bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "C0"},
            )
        )
        for child in node.children:
            ax.annotate(
                "",
                xy=where[id(child)],
                xytext=(x, depth_max - d),
                arrowprops={
                    "arrowstyle": "->",
                    "shrinkA": 15,
                    "shrinkB": 22,
                    "color": "0.4",
                },
            )
    ax.set(xlim=(-0.8, next_x[0] - 0.2), ylim=(-0.6, depth_max + 0.6))
    ax.set_axis_off()
    return boxes
