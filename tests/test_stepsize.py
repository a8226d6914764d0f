"""Step-size theory on a quadratic: closed forms, measured rates, and the theory page's numbers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from gdtutor import gradient_descent, optimize, parabola, rosenbrock, skewed
from gdtutor import hessian as _hessian
from gdtutor.objectives import Objective
from gdtutor.stepsize import (
    contraction_factors,
    decay_rates,
    eigen_components,
    heavy_ball,
    heavy_ball_factors,
    step_size_bounds,
)
from tests.pages import assert_built_page_shows, glue_keys, run_page

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "theory" / "step_size.md"
HTML = ROOT / "docs" / "_build" / "html" / "theory" / "step_size.html"
MOMENTUM_PAGE = ROOT / "docs" / "theory" / "momentum.md"
MOMENTUM_HTML = ROOT / "docs" / "_build" / "html" / "theory" / "momentum.html"
MINIMA = {"skewed": (0.0, 0.0), "parabola": (0.0, 0.0), "rosenbrock": (1.0, 1.0)}


def hessian(objective: Objective) -> np.ndarray:
    """The Hessian at the objective's minimum."""
    return _hessian(objective, at=MINIMA[objective.__name__])


ROOT_1800 = math.sqrt(1800.0)
# Closed forms: the eigenvalues of [[20, -30], [-30, 80]] are 50 ± √1800, and of the
# parabola's 20 I both 20. Rosenbrock's Hessian at (1, 1) is [[802, -400], [-400, 200]].
CLOSED_FORMS = {
    "skewed": (50.0 - ROOT_1800, 50.0 + ROOT_1800),
    "parabola": (20.0, 20.0),
    "rosenbrock": (
        (1002.0 - math.sqrt(1002.0**2 - 4 * (802.0 * 200.0 - 400.0**2))) / 2,
        (1002.0 + math.sqrt(1002.0**2 - 4 * (802.0 * 200.0 - 400.0**2))) / 2,
    ),
}
OBJECTIVES = {"skewed": skewed, "parabola": parabola, "rosenbrock": rosenbrock}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_bounds_match_closed_forms(name: str) -> None:
    low, high = CLOSED_FORMS[name]
    bounds = step_size_bounds(hessian(OBJECTIVES[name]))
    np.testing.assert_allclose(bounds.eigenvalues, [low, high], rtol=1e-12)
    assert bounds.condition_number == pytest.approx(high / low, rel=1e-12)
    assert bounds.max_stable_lr == pytest.approx(2 / high, rel=1e-12)
    assert bounds.best_lr == pytest.approx(2 / (low + high), rel=1e-12)
    assert bounds.best_rate == pytest.approx((high - low) / (high + low), abs=1e-12)


def test_skewed_numbers_by_hand() -> None:
    bounds = step_size_bounds(hessian(skewed))
    assert bounds.best_lr == pytest.approx(0.02, rel=1e-12)  # 2 / (λ₁ + λ₂) = 2 / trace
    assert bounds.best_rate == pytest.approx(ROOT_1800 / 50, rel=1e-12)
    # The eigenvectors lie at 22.5° and 112.5°: tan 22.5° = √2 − 1.
    angle = math.radians(22.5)
    np.testing.assert_allclose(
        bounds.eigenvectors,
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]],
        atol=1e-12,
    )
    h = hessian(skewed)
    for value, vector in zip(bounds.eigenvalues, bounds.eigenvectors.T, strict=True):
        np.testing.assert_allclose(h @ vector, value * vector, atol=1e-12)


def test_bounds_are_read_only() -> None:
    bounds = step_size_bounds(hessian(skewed))
    with pytest.raises(ValueError, match="read-only"):
        bounds.eigenvalues[0] = 1.0
    with pytest.raises(AttributeError):
        bounds.best_lr = 1.0  # type: ignore[misc]


def test_contraction_factors_closed_form() -> None:
    low, high = CLOSED_FORMS["skewed"]
    lrs = np.array([0.001, 0.02, 0.03])
    factors = contraction_factors(hessian(skewed), lrs)
    assert factors.shape == (3, 2)
    np.testing.assert_allclose(
        factors, np.abs(1 - lrs[:, None] * np.array([low, high])), rtol=1e-12
    )
    bounds = step_size_bounds(hessian(skewed))
    # At the best step both extreme components shrink equally fast, at the edge the fast
    # one neither shrinks nor grows.
    np.testing.assert_allclose(
        contraction_factors(hessian(skewed), bounds.best_lr), bounds.best_rate, rtol=1e-12
    )
    assert contraction_factors(hessian(skewed), bounds.max_stable_lr)[1] == pytest.approx(1.0)


def test_eigen_components_round_trip() -> None:
    run = gradient_descent(skewed, np.array([8.0, 8.0]), lr=0.01, steps=20)
    components = eigen_components(run, hessian(skewed))
    bounds = step_size_bounds(hessian(skewed))
    np.testing.assert_allclose(components @ bounds.eigenvectors.T, run.points, atol=1e-12)
    shifted = eigen_components(run.points + 1.0, hessian(skewed), center=[1.0, 1.0])
    np.testing.assert_allclose(shifted, components, atol=1e-12)


# Learning rates as fractions of 2 / λ_max: too small, middling, near and beyond the edge.
FRACTIONS = [0.05, 0.3, 0.8, 0.95, 1.0, 1.05]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("fraction", FRACTIONS)
@pytest.mark.parametrize("name", ["skewed", "parabola"])
def test_measured_rates_match_theory(name: str, fraction: float, dtype: torch.dtype) -> None:
    h = hessian(OBJECTIVES[name])
    lr = fraction * step_size_bounds(h).max_stable_lr
    run = gradient_descent(
        OBJECTIVES[name], torch.tensor([8.0, 8.0], dtype=dtype), lr=lr, steps=200
    )
    assert not run.diverged
    np.testing.assert_allclose(decay_rates(run, h), contraction_factors(h, lr), rtol=0.01)


def test_measured_rates_with_a_minimizer_off_the_origin() -> None:
    # Rosenbrock is not a quadratic, but near its minimizer it is one with this Hessian.
    h = hessian(rosenbrock)
    lr = 0.8 * step_size_bounds(h).max_stable_lr
    run = gradient_descent(rosenbrock, np.array([1.0001, 1.0001]), lr=lr, steps=15)
    measured = decay_rates(run, h, center=[1.0, 1.0])
    np.testing.assert_allclose(measured, contraction_factors(h, lr), rtol=0.01)


def test_a_component_that_is_not_there_is_not_measured() -> None:
    bounds = step_size_bounds(hessian(skewed))
    start = 8.0 * bounds.eigenvectors[:, 0]  # on the slow eigenvector: no fast component
    run = gradient_descent(skewed, start, lr=0.01, steps=50)
    slow, fast = decay_rates(run, hessian(skewed))
    assert slow == pytest.approx(1 - 0.01 * bounds.eigenvalues[0], rel=1e-6)
    assert math.isnan(fast)


def test_stability_edge() -> None:
    h = hessian(skewed)
    edge = step_size_bounds(h).max_stable_lr
    start = np.array([8.0, 8.0])
    below = gradient_descent(skewed, start, lr=0.99 * edge, steps=2000)
    assert not below.diverged and below.last_value < 1e-12 * below.values[0]
    above = gradient_descent(skewed, start, lr=1.01 * edge, steps=2000)
    assert not above.diverged and above.last_value > 1e12 * above.values[0]
    beyond = gradient_descent(skewed, [8.0, 8.0], lr=1.1 * edge, steps=1000)
    assert beyond.diverged and len(beyond) < 1000


@pytest.mark.parametrize(
    ("matrix", "error", "message"),
    [
        ("abc", TypeError, "hessian must be a square matrix of numbers, got str"),
        ([[1.0, 2.0, 3.0]], ValueError, r"shape \(n, n\), got shape \(1, 3\)"),
        ([1.0, 2.0], ValueError, r"shape \(n, n\), got shape \(2,\)"),
        ([[1.0, math.nan], [math.nan, 1.0]], ValueError, "hessian must be finite"),
        ([[1.0, -4.0], [1.0, 4.0]], ValueError, "symmetric.*the Hessian is G \\+ Gᵀ"),
        ([[1.0, 0.0], [0.0, -3.0]], ValueError, r"positive definite.*\[-3\.0, 1\.0\]"),
        ([[1.0, 0.0], [0.0, 0.0]], ValueError, "positive definite"),
    ],
)
def test_bad_hessian(matrix: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        step_size_bounds(matrix)
    with pytest.raises(error, match=message):
        contraction_factors(matrix, 0.1)


@pytest.mark.parametrize(
    ("lr", "error", "message"),
    [
        ("0.1", TypeError, "lr must be a positive number or an array of them, got '0.1'"),
        (True, TypeError, "lr must be a positive number"),
        (0.0, ValueError, r"lr must be positive and finite, got 0\.0"),
        ([0.1, -0.1], ValueError, r"lr must be positive and finite, got \[0\.1, -0\.1\]"),
        (math.inf, ValueError, "lr must be positive and finite, got inf"),
    ],
)
def test_bad_lr(lr: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        contraction_factors(hessian(skewed), lr)


def test_bad_points() -> None:
    h = hessian(skewed)
    with pytest.raises(ValueError, match=r"points of shape \(steps, n\), got shape \(2,\)"):
        eigen_components([1.0, 2.0], h)
    with pytest.raises(ValueError, match="3 coordinates to match the 3 × 3 hessian"):
        eigen_components([[1.0, 2.0]], np.eye(3))
    with pytest.raises(ValueError, match=r"center must have shape \(2,\), got shape \(3,\)"):
        eigen_components([[1.0, 2.0]], h, center=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="noise must be a positive number, got -1"):
        decay_rates([[1.0, 2.0], [0.5, 1.0]], h, noise=-1)


# -- heavy-ball momentum -----------------------------------------------------------------------


def test_heavy_ball_closed_form() -> None:
    low, high = CLOSED_FORMS["skewed"]
    polyak = heavy_ball(hessian(skewed))
    root = (math.sqrt(high) - math.sqrt(low)) / (math.sqrt(high) + math.sqrt(low))
    assert polyak.rate == pytest.approx(root, rel=1e-12)
    assert polyak.momentum == pytest.approx(root**2, rel=1e-12)
    assert polyak.lr == pytest.approx(4 / (math.sqrt(high) + math.sqrt(low)) ** 2, rel=1e-12)
    kappa = high / low
    assert polyak.rate == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))
    # Both extreme directions sit on the edge between real and complex roots: a double root.
    for lam in (low, high):
        trace = 1 + polyak.momentum - polyak.lr * lam
        assert trace**2 == pytest.approx(4 * polyak.momentum, rel=1e-9)
    np.testing.assert_allclose(
        heavy_ball_factors(hessian(skewed), polyak.lr, polyak.momentum), polyak.rate, rtol=1e-6
    )


def test_heavy_ball_factors_are_the_spectral_radius_of_the_2x2_map() -> None:
    h = hessian(skewed)
    eigenvalues = step_size_bounds(h).eigenvalues
    lrs, momenta = np.array([0.001, 0.01, 0.03, 0.05]), np.array([0.0, 0.3, 0.6, 0.9])
    factors = heavy_ball_factors(h, lrs, momenta)
    for k, (lr, beta) in enumerate(zip(lrs, momenta, strict=True)):
        for i, lam in enumerate(eigenvalues):
            matrix = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
            radius = np.abs(np.linalg.eigvals(matrix)).max()
            assert factors[k, i] == pytest.approx(radius, rel=1e-9)
    # Without momentum it is plain descent's factor.
    np.testing.assert_allclose(heavy_ball_factors(h, lrs, 0.0), contraction_factors(h, lrs))


@pytest.mark.parametrize("momentum", [0.3, 0.6, 0.9])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_measured_momentum_rates_match_theory(momentum: float, fraction: float) -> None:
    h = hessian(skewed)
    lr = fraction * 2 * (1 + momentum) / step_size_bounds(h).eigenvalues[-1]
    run = optimize(skewed, np.array([8.0, 8.0]), "SGD", lr=lr, steps=300, momentum=momentum)
    points = np.vstack([run.points, run.end_point])
    measured = decay_rates(points, h, momentum=True)
    np.testing.assert_allclose(measured, heavy_ball_factors(h, lr, momentum), rtol=0.01)


def test_momentum_stability_edge() -> None:
    h = hessian(skewed)
    edge = 2 * (1 + 0.5) / step_size_bounds(h).eigenvalues[-1]
    assert (
        heavy_ball_factors(h, 0.99 * edge, 0.5).max()
        < 1
        < heavy_ball_factors(h, 1.01 * edge, 0.5).max()
    )
    start = np.array([8.0, 8.0])
    below = optimize(skewed, start, "SGD", lr=0.99 * edge, steps=3000, momentum=0.5)
    above = optimize(skewed, start, "SGD", lr=1.01 * edge, steps=3000, momentum=0.5)
    assert below.last_value < 1e-6 and (above.diverged or above.last_value > 1e6)


@pytest.mark.parametrize(
    ("lr", "momentum", "error", "message"),
    [
        (0.01, 1.0, ValueError, r"momentum must be in \[0, 1\), got 1\.0"),
        (0.01, -0.1, ValueError, r"momentum must be in \[0, 1\), got -0\.1"),
        (0.01, "0.5", TypeError, "momentum must be a number in \\[0, 1\\) or an array of them"),
        (-0.01, 0.5, ValueError, "lr must be positive and finite, got -0.01"),
    ],
)
def test_bad_heavy_ball_arguments(
    lr: object, momentum: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        heavy_ball_factors(hessian(skewed), lr, momentum)


# -- the theory pages --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_glue() -> dict[str, object]:
    """Run the step-size page's code cells, capturing what they glue into the prose."""
    pytest.importorskip("myst_nb")
    return run_page(PAGE)


@pytest.fixture(scope="module")
def momentum_glue() -> dict[str, object]:
    pytest.importorskip("myst_nb")
    return run_page(MOMENTUM_PAGE)


@pytest.mark.parametrize("page", [PAGE, MOMENTUM_PAGE], ids=["step_size", "momentum"])
def test_pages_glue_every_number_their_prose_uses(
    page: Path, request: pytest.FixtureRequest
) -> None:
    glued = request.getfixturevalue("page_glue" if page == PAGE else "momentum_glue")
    used = glue_keys(page)
    assert used, f"{page.name} glues no numbers"
    assert used <= set(glued), f"glued nowhere: {sorted(used - set(glued))}"


def test_page_numbers_are_the_theory(page_glue: dict[str, object]) -> None:
    low, high = CLOSED_FORMS["skewed"]
    expected = {
        "skewed_lambda_min": low,
        "skewed_lambda_max": high,
        "skewed_kappa": high / low,
        "skewed_max_lr": 2 / high,
        "skewed_best_lr": 2 / (low + high),
        "skewed_best_rate": (high - low) / (high + low),
        "parabola_lambda_min": 20.0,
        "parabola_lambda_max": 20.0,
        "parabola_kappa": 1.0,
        "parabola_max_lr": 0.1,
        "parabola_best_lr": 0.05,
        "parabola_best_rate": 0.0,
        "course_slow": 1 - 0.001 * low,
        "course_fast": 1 - 0.001 * high,
        "beyond_factor": 1.2,  # |1 - 1.1 · 2| at 1.1 times the edge
        "rosenbrock_kappa": CLOSED_FORMS["rosenbrock"][1] / CLOSED_FORMS["rosenbrock"][0],
        # The eigenvectors are turned by 22.5°; scaling H to a unit diagonal, the best a
        # diagonal can do for a 2 × 2 matrix, leaves [[1, -3/4], [-3/4, 1]]: κ = 1.75 / 0.25.
        "valley_angle": 22.5,
        "diagonal_kappa": 7.0,
        # The shallow line's vertex 1/λ_min against the plot's right edge 1.12 · 2/λ_max.
        "vertex_beyond": (1 / low) / (1.12 * 2 / high),
    }
    for key, value in expected.items():
        assert float(page_glue[key]) == pytest.approx(value, rel=1e-6, abs=1e-12), key


def test_page_edge_run_falls_then_stays_flat(page_glue: dict[str, object]) -> None:
    # At 2/λ_max the fast component keeps its size (factor -1) and the slow one dies out
    # (factor 1 - 2λ_min/λ_max): the value falls to the fast component's share, then stays.
    run = gradient_descent(skewed, [8.0, 8.0], lr=2 / CLOSED_FORMS["skewed"][1], steps=300)
    first, last, flat_from = (page_glue[k] for k in ("edge_first", "edge_last", "edge_flat_from"))
    assert (first, last) == (float(run.values[0]), float(run.values[-1]))
    assert first == 1280.0 and last < 0.7 * first
    assert 5 <= int(flat_from) <= 50
    np.testing.assert_allclose(run.values[int(flat_from) :], last, rtol=0.01)
    assert abs(run.values[int(flat_from) - 1] / last - 1) >= 0.01


def test_page_adam_scaling_is_worse_than_the_best_diagonal(page_glue: dict[str, object]) -> None:
    # Adam's √v̂ after lesson 5's 500 AdamW steps: κ between the best diagonal's and H's own.
    kappa = CLOSED_FORMS["skewed"][1] / CLOSED_FORMS["skewed"][0]
    assert 7.0 < float(page_glue["adam_kappa"]) < kappa
    assert float(page_glue["adam_kappa"]) == pytest.approx(8.05, abs=0.01)


def test_page_measured_rates_within_one_percent(page_glue: dict[str, object]) -> None:
    measured = np.asarray(page_glue["measured_rates"])
    predicted = np.asarray(page_glue["predicted_rates"])
    finite = np.isfinite(measured)
    assert finite.sum() >= 10
    np.testing.assert_allclose(measured[finite], predicted[finite], rtol=0.01)


def test_momentum_page_numbers(momentum_glue: dict[str, object]) -> None:
    low, high = CLOSED_FORMS["skewed"]
    root = (math.sqrt(high) - math.sqrt(low)) / (math.sqrt(high) + math.sqrt(low))
    expected = {
        "hb_rate": root,
        "hb_momentum": root**2,
        "hb_lr": 4 / (math.sqrt(high) + math.sqrt(low)) ** 2,
        "plain_rate": (high - low) / (high + low),
        "hb_tenfold": math.log(0.1) / math.log(root),
        "plain_tenfold": math.log(0.1) / math.log((high - low) / (high + low)),
    }
    for key, value in expected.items():
        assert float(momentum_glue[key]) == pytest.approx(value, rel=1e-9), key
    assert float(momentum_glue["hb_rate"]) < float(momentum_glue["plain_rate"])


def test_momentum_page_rates_within_one_percent(momentum_glue: dict[str, object]) -> None:
    measured = np.asarray(momentum_glue["hb_measured_rates"])
    predicted = np.asarray(momentum_glue["hb_predicted_rates"])
    assert measured.size == 30 and np.isfinite(measured).all()
    np.testing.assert_allclose(measured, predicted, rtol=0.01)
    assert float(momentum_glue["hb_error"]) < 0.01
    # At Polyak's double root the factor t makes a finite run look slower, but only a little.
    at_polyak, rate = float(momentum_glue["hb_at_polyak"]), float(momentum_glue["hb_rate"])
    assert rate < at_polyak < 1.01 * rate


@pytest.mark.site
@pytest.mark.parametrize("name", ["step_size", "momentum"])
def test_built_page_shows_the_glued_numbers(name: str, request: pytest.FixtureRequest) -> None:
    page, html = (PAGE, HTML) if name == "step_size" else (MOMENTUM_PAGE, MOMENTUM_HTML)
    if not html.exists():
        pytest.skip("the site is not built (docs/_build/html)")
    glued = request.getfixturevalue("page_glue" if name == "step_size" else "momentum_glue")
    assert_built_page_shows(page, html, glued)
