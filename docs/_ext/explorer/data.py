"""The explorer's numbers and contour pictures, computed with gdtutor when the site is built.

Everything the explorer shows as a number — the presets, the curvatures behind its factor
plot, torch's optimizer defaults and the mapping between the pictures' pixels and the
plane — comes from here, so a change in the package or in torch reaches the page on the
next build.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

from gdtutor import hessian, parabola, rosenbrock, skewed
from gdtutor.answers import NOTEBOOK_LR, NOTEBOOK_START, NOTEBOOK_STEPS
from gdtutor.objectives import SKEWED_G
from gdtutor.plotting import plot_contours
from gdtutor.stepsize import step_size_bounds

#: The site's figure style (docs/_ext/site.mplstyle), which the lessons are drawn in.
STYLE = Path(__file__).resolve().parents[1] / "site.mplstyle"

__all__ = ["VIEWS", "View", "draw_contours", "explorer_data", "polyak_heavy_ball", "save_picture"]

# Size of each contour picture: 4.2 × 4.0 inches at 120 dpi, 504 × 480 pixels.
FIGSIZE = (4.2, 4.0)
DPI = 120
# The theory page's runs: 300 steps, and a learning rate 10 % beyond the largest stable one.
THEORY_STEPS = 300
BEYOND = 1.1
LR_RANGE = (1e-4, 1.0)
MAX_STEPS = 1000
MAX_MOMENTUM = 0.99
DEFAULT_MOMENTUM = 0.9


@dataclass(frozen=True)
class View:
    """What the explorer shows of one objective."""

    objective: Any
    label: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    minimum: tuple[float, float]
    spacing: str
    #: Where the Hessian behind the factor plot is taken, for a function that is not quadratic.
    curvature_at: str | None = None


def _skewed_formula() -> str:
    a, b, c = _skewed_coefficients()

    def times(value: float) -> str:
        return "" if abs(value) == 1 else f"{abs(value):g}"

    def sign(value: float) -> str:
        return "−" if value < 0 else "+"

    return f"10 ({times(a)}x₁² {sign(b)} {times(b)}x₁x₂ {sign(c)} {times(c)}x₂²)"


def _skewed_coefficients() -> tuple[float, float, float]:
    """``(a, b, c)`` of :math:`v^\\top G v = a x_1^2 + b x_1 x_2 + c x_2^2`."""
    g = np.asarray(SKEWED_G, dtype=float)
    return float(g[0, 0]), float(g[0, 1] + g[1, 0]), float(g[1, 1])


VIEWS = {
    "parabola": View(
        parabola, "round bowl", (-10, 10), (-10, 10), NOTEBOOK_START, (0.0, 0.0), "sqrt"
    ),
    "skewed": View(
        skewed, "skewed valley", (-10, 10), (-10, 10), NOTEBOOK_START, (0.0, 0.0), "sqrt"
    ),
    # The comparison lessons' view and first start on Rosenbrock's banana.
    "rosenbrock": View(
        rosenbrock,
        "Rosenbrock's banana",
        (-2, 2.5),
        (-1, 3.5),
        (-1.2, 1.0),
        (1.0, 1.0),
        "log",
        curvature_at="the minimum (1, 1)",
    ),
}
FORMULAS = {
    "parabola": "10 (x₁² + x₂²)",
    "skewed": _skewed_formula(),
    "rosenbrock": "(1 − x₁)² + 100 (x₂ − x₁²)²",
}


def polyak_heavy_ball(eigenvalues: Any) -> tuple[float, float]:
    r"""Polyak's heavy-ball learning rate and momentum for a quadratic.

    :math:`\alpha = 4 / (\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2` and
    :math:`\beta = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2`: every eigen-direction
    then shrinks by :math:`\sqrt\beta` per step.
    """
    low, high = float(np.min(eigenvalues)), float(np.max(eigenvalues))
    root_kappa = math.sqrt(high / low)
    lr = 4.0 / (math.sqrt(high) + math.sqrt(low)) ** 2
    momentum = ((root_kappa - 1.0) / (root_kappa + 1.0)) ** 2
    return lr, momentum


def draw_contours(view: View) -> tuple[Figure, Axes]:
    """The contour picture of one objective, in the lessons' style."""
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    plot_contours(ax, view.objective, view.xlim, view.ylim, levels=20, spacing=view.spacing)
    ax.set(xlim=view.xlim, ylim=view.ylim)
    return fig, ax


def save_picture(fig: Figure, ax: Axes, path: Path) -> dict[str, Any]:
    """Save ``fig`` as a PNG and return where ``ax`` sits in it: its size in pixels, the box
    ``[left, top, right, bottom]`` of the axes in pixels from the top left corner, and the
    axes' limits, which the box's edges show."""
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=DPI)
    # A palette of 256 colors looks the same and is about a quarter of the size.
    with Image.open(png) as picture:
        palette = picture.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
        palette.save(path, optimize=True)
    # After savefig the layout is the one in the file; the display origin is bottom left.
    width, height = fig.canvas.get_width_height()
    box = ax.get_window_extent()
    return {
        "image": path.name,
        "size": [width, height],
        "box": [box.x0, height - box.y1, box.x1, height - box.y0],
        "xlim": [float(v) for v in ax.get_xlim()],
        "ylim": [float(v) for v in ax.get_ylim()],
    }


def _torch_defaults() -> dict[str, Any]:
    """Adam's defaults, and a check that the options the explorer leaves out are off."""
    point = [torch.zeros(2, requires_grad=True)]
    adam = torch.optim.Adam(point).defaults
    sgd = torch.optim.SGD(point, lr=0.1, momentum=0.9).defaults
    off = {
        "SGD dampening": sgd["dampening"],
        "SGD weight_decay": sgd["weight_decay"],
        "Adam weight_decay": adam["weight_decay"],
        "Adam amsgrad": adam["amsgrad"],
    }
    on = [name for name, value in off.items() if value]
    if on:
        raise RuntimeError(f"the explorer's update rules assume torch's default {on} is off")
    return {"betas": [float(b) for b in adam["betas"]], "eps": float(adam["eps"])}


def _presets() -> list[dict[str, Any]]:
    course_lr = float(NOTEBOOK_LR["manual"])
    start = [float(c) for c in NOTEBOOK_START]
    valley = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    bowl = step_size_bounds(hessian(parabola, at=(0.0, 0.0)))
    low, high = (float(v) for v in valley.eigenvalues)
    beyond = BEYOND * valley.max_stable_lr
    polyak_lr, polyak_momentum = polyak_heavy_ball(valley.eigenvalues)

    def settings(objective: str, method: str, lr: float, steps: int, **more: Any) -> dict:
        return {
            "objective": objective,
            "method": method,
            "lr": lr,
            "momentum": more.get("momentum", DEFAULT_MOMENTUM),
            "steps": steps,
            "start": start,
        }

    return [
        {
            "label": f"Course α = {course_lr:g}",
            "note": (
                f"The course's run in the skewed valley: {NOTEBOOK_STEPS} steps of α = "
                f"{course_lr:g} from ({start[0]:g}, {start[1]:g}). Its factors are "
                f"{1 - course_lr * low:.4f} along the valley floor and "
                f"{1 - course_lr * high:.4f} across it: down the steep wall first, then a "
                "slow crawl along the floor."
            ),
            "settings": settings("skewed", "gd", course_lr, NOTEBOOK_STEPS),
        },
        {
            "label": f"Best step α* = {valley.best_lr:.4g}",
            "note": (
                f"α* = 2/(λmin + λmax) = {valley.best_lr:.4g}: both eigen-directions shrink "
                f"by (κ − 1)/(κ + 1) = {valley.best_rate:.4f} per step, the steep one "
                "changing sign every step, so the path zig-zags in."
            ),
            "settings": settings("skewed", "gd", valley.best_lr, THEORY_STEPS),
        },
        {
            "label": "Just past 2/λmax",
            "note": (
                f"α = {beyond:.4g}, {BEYOND:g} times the largest stable step 2/λmax = "
                f"{valley.max_stable_lr:.4g}: the steep direction's factor "
                f"|1 − αλmax| = {abs(1 - beyond * high):.4g} is above 1, so it grows every "
                "step until the value overflows float32."
            ),
            "settings": settings("skewed", "gd", beyond, THEORY_STEPS),
        },
        {
            "label": "Polyak's heavy ball",
            "note": (
                f"α = 4/(√λmax + √λmin)² = {polyak_lr:.4g} and β = ((√κ − 1)/(√κ + 1))² = "
                f"{polyak_momentum:.4g}: every direction shrinks by a factor per step that "
                f"tends to √β = {math.sqrt(polyak_momentum):.4f}, against {valley.best_rate:.4f} "
                f"at the best fixed step of plain gradient descent, though α is past "
                f"2/λmax = {valley.max_stable_lr:.4g}."
            ),
            "settings": settings(
                "skewed", "momentum", polyak_lr, THEORY_STEPS, momentum=polyak_momentum
            ),
        },
        {
            "label": f"Round bowl, α* = {bowl.best_lr:.4g}",
            "note": (
                f"On the round bowl κ = {bowl.condition_number:g}, and α* = "
                f"{bowl.best_lr:.4g} makes every factor 0: the first step lands on the minimum."
            ),
            "settings": settings("parabola", "gd", bowl.best_lr, 10),
        },
    ]


def _picture(name: str, view: View, folder: Path) -> dict[str, Any]:
    # The lessons' style on matplotlib's defaults, as sphinx-gallery sets it before each
    # lesson: not whatever this process's last figure left (none when no lesson ran).
    with plt.style.context(["default", STYLE]):
        fig, ax = draw_contours(view)
        try:
            return save_picture(fig, ax, folder / f"contours-{name}.png")
        finally:
            plt.close(fig)


def explorer_data(folder: Path) -> dict[str, Any]:
    """Draw the contour pictures into ``folder`` and return the explorer's numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    objectives = {}
    for name, view in VIEWS.items():
        at = view.minimum
        bounds = step_size_bounds(hessian(view.objective, at=at))
        objectives[name] = {
            "label": view.label,
            "formula": FORMULAS[name],
            **_picture(name, view, folder),
            "start": [float(c) for c in view.start],
            "minimum": [float(c) for c in view.minimum],
            "eigenvalues": [float(v) for v in bounds.eigenvalues],
            "bestLr": bounds.best_lr,
            "maxStableLr": bounds.max_stable_lr,
            "curvatureAt": view.curvature_at,
        }
    return {
        "objectives": objectives,
        "presets": _presets(),
        "constants": {"skewed": list(_skewed_coefficients()), "adam": _torch_defaults()},
        "float32Max": float(torch.finfo(torch.float32).max),
        # float32's smallest positive (subnormal) number: below it, there is only 0.
        "float32Min": float(torch.nextafter(torch.tensor(0.0), torch.tensor(1.0))),
        "lr": {"min": LR_RANGE[0], "max": LR_RANGE[1], "step": 0.01},
        "steps": {"max": MAX_STEPS},
        "momentum": {"max": MAX_MOMENTUM},
    }
