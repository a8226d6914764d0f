"""Tests of the explorer's build step (docs/_ext/explorer): the numbers it computes with
gdtutor, the mapping between its contour pictures and the plane, and its bundling."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sphinx")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

import matplotlib.pyplot as plt
from explorer import esbuild_path
from explorer.data import VIEWS, draw_contours, explorer_data, polyak_heavy_ball, save_picture
from sphinx.errors import ExtensionError

from gdtutor import hessian, parabola, skewed
from gdtutor.answers import NOTEBOOK_LR, NOTEBOOK_START, NOTEBOOK_STEPS
from gdtutor.stepsize import step_size_bounds


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("explorer")
    return explorer_data(folder), folder


@pytest.mark.parametrize("eigenvalues", [(7.5736, 92.4264), (1.0, 100.0), (3.0, 3.0)])
def test_polyak_settings_shrink_every_direction_by_root_beta(eigenvalues):
    lr, beta = polyak_heavy_ball(eigenvalues)
    kappa = max(eigenvalues) / min(eigenvalues)
    assert math.sqrt(beta) == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))
    for lam in np.linspace(min(eigenvalues), max(eigenvalues), 7):
        # Heavy ball on one eigen-direction, state (component, previous component).
        step = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
        assert np.abs(np.linalg.eigvals(step)).max() == pytest.approx(math.sqrt(beta), abs=1e-6)


def test_presets_are_the_lessons_numbers(data):
    numbers, _ = data
    valley = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    by_label = {p["label"]: p["settings"] for p in numbers["presets"]}
    course = by_label[f"Course α = {NOTEBOOK_LR['manual']:g}"]
    assert (course["lr"], course["steps"]) == (NOTEBOOK_LR["manual"], NOTEBOOK_STEPS)
    assert course["start"] == list(NOTEBOOK_START)
    assert by_label["Best step α* = 0.02"]["lr"] == pytest.approx(valley.best_lr)
    assert by_label["Just past 2/λmax"]["lr"] == pytest.approx(1.1 * valley.max_stable_lr)
    polyak = by_label["Polyak's heavy ball"]
    assert (polyak["method"], polyak["lr"], polyak["momentum"]) == (
        "momentum",
        *polyak_heavy_ball(valley.eigenvalues),
    )
    # At Polyak's settings the steepest and the flattest directions have a double root, so
    # they decay as (A + Bt)·√β^t: their factor per step tends to √β, it is not √β.
    notes = {p["label"]: p["note"] for p in numbers["presets"]}
    assert (
        "every direction shrinks by a factor per step that tends to √β = 0.5549"
        in (notes["Polyak's heavy ball"])
    )
    _, beta = polyak_heavy_ball(valley.eigenvalues)
    for lam in valley.eigenvalues:
        roots = np.roots([1, -(1 + beta - polyak["lr"] * lam), beta])
        assert roots[0] == pytest.approx(roots[1], abs=1e-6)
    bowl = by_label["Round bowl, α* = 0.05"]
    assert bowl["lr"] == step_size_bounds(hessian(parabola, at=(0.0, 0.0))).best_lr
    for preset in numbers["presets"]:
        assert preset["note"], preset["label"]


def test_skewed_coefficients_and_formula_are_the_package_function(data):
    numbers, _ = data
    a, b, c = numbers["constants"]["skewed"]
    points = np.random.default_rng(0).normal(size=(50, 2)) * 5
    x, y = points[:, 0], points[:, 1]
    assert np.allclose(10 * (a * x * x + b * x * y + c * y * y), skewed(points))
    assert numbers["objectives"]["skewed"]["formula"] == "10 (x₁² − 3x₁x₂ + 4x₂²)"


def test_adam_defaults_come_from_torch(data):
    import torch

    numbers, _ = data
    defaults = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    assert numbers["constants"]["adam"] == {
        "betas": list(defaults["betas"]),
        "eps": defaults["eps"],
    }


@pytest.mark.parametrize("name", list(VIEWS))
def test_pixel_box_maps_the_plane_as_matplotlib_does(name, tmp_path):
    """The box and limits written for the browser give the pixel of any point exactly as
    matplotlib's own transform placed it in the saved picture."""
    fig, ax = draw_contours(VIEWS[name])
    info = save_picture(fig, ax, tmp_path / "picture.png")
    left, top, right, bottom = info["box"]
    (x0, x1), (y0, y1) = info["xlim"], info["ylim"]
    assert (info["xlim"], info["ylim"]) == (list(VIEWS[name].xlim), list(VIEWS[name].ylim))
    height = info["size"][1]
    for x, y in [(x0, y0), (x1, y1), (0.3 * x0 + 0.7 * x1, 0.6 * y0 + 0.4 * y1)]:
        px = left + (x - x0) / (x1 - x0) * (right - left)
        py = bottom - (y - y0) / (y1 - y0) * (bottom - top)
        mx, my = ax.transData.transform((x, y))
        assert (px, py) == pytest.approx((mx, height - my), abs=1e-9)
    plt.close(fig)


def test_pictures_do_not_depend_on_the_last_figure_style(tmp_path):
    """A build that runs no lesson (all cached) draws the pictures as one that runs them."""
    styled, plain = tmp_path / "styled", tmp_path / "plain"
    with plt.style.context(["default", {"font.size": 30, "figure.facecolor": "black"}]):
        after_other_figures = explorer_data(styled)
    with plt.style.context("default"):
        after_no_figure = explorer_data(plain)
    assert after_other_figures == after_no_figure
    for picture in plain.glob("*.png"):
        assert (styled / picture.name).read_bytes() == picture.read_bytes(), picture.name


def test_pictures_are_written_with_the_sizes_given(data):
    from PIL import Image

    numbers, folder = data
    for view in numbers["objectives"].values():
        with Image.open(folder / view["image"]) as picture:
            assert list(picture.size) == view["size"]
        left, top, right, bottom = view["box"]
        assert 0 < left < right < view["size"][0] and 0 < top < bottom < view["size"][1]


def test_missing_esbuild_says_how_to_install_it(tmp_path):
    with pytest.raises(ExtensionError, match=r"esbuild, which is not installed.*run `npm ci`"):
        esbuild_path(tmp_path)
