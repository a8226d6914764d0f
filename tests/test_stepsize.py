"""Step-size theory on a quadratic: closed forms, measured rates, and the theory page's numbers."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from gdtutor import gradient_descent, hessian, parabola, rosenbrock, skewed
from gdtutor.stepsize import (
    contraction_factors,
    decay_rates,
    eigen_components,
    step_size_bounds,
)

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "theory" / "step_size.md"
HTML = ROOT / "docs" / "_build" / "html" / "theory" / "step_size.html"

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
    at = (1.0, 1.0) if name == "rosenbrock" else (0.0, 0.0)  # the minimizer
    bounds = step_size_bounds(hessian(OBJECTIVES[name], at=at))
    np.testing.assert_allclose(bounds.eigenvalues, [low, high], rtol=1e-12)
    assert bounds.condition_number == pytest.approx(high / low, rel=1e-12)
    assert bounds.max_stable_lr == pytest.approx(2 / high, rel=1e-12)
    assert bounds.best_lr == pytest.approx(2 / (low + high), rel=1e-12)
    assert bounds.best_rate == pytest.approx((high - low) / (high + low), abs=1e-12)


def test_skewed_numbers_by_hand() -> None:
    bounds = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    assert bounds.best_lr == pytest.approx(0.02, rel=1e-12)  # 2 / (λ₁ + λ₂) = 2 / trace
    assert bounds.best_rate == pytest.approx(ROOT_1800 / 50, rel=1e-12)
    # The eigenvectors lie at 22.5° and 112.5°: tan 22.5° = √2 − 1.
    angle = math.radians(22.5)
    np.testing.assert_allclose(
        bounds.eigenvectors,
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]],
        atol=1e-12,
    )
    h = hessian(skewed, at=(0.0, 0.0))
    for value, vector in zip(bounds.eigenvalues, bounds.eigenvectors.T, strict=True):
        np.testing.assert_allclose(h @ vector, value * vector, atol=1e-12)


def test_bounds_are_read_only() -> None:
    bounds = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    with pytest.raises(ValueError, match="read-only"):
        bounds.eigenvalues[0] = 1.0
    with pytest.raises(AttributeError):
        bounds.best_lr = 1.0  # type: ignore[misc]


def test_contraction_factors_closed_form() -> None:
    low, high = CLOSED_FORMS["skewed"]
    lrs = np.array([0.001, 0.02, 0.03])
    factors = contraction_factors(hessian(skewed, at=(0.0, 0.0)), lrs)
    assert factors.shape == (3, 2)
    np.testing.assert_allclose(
        factors, np.abs(1 - lrs[:, None] * np.array([low, high])), rtol=1e-12
    )
    bounds = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    # At the best step both extreme components shrink equally fast, at the edge the fast
    # one neither shrinks nor grows.
    np.testing.assert_allclose(
        contraction_factors(hessian(skewed, at=(0.0, 0.0)), bounds.best_lr),
        bounds.best_rate,
        rtol=1e-12,
    )
    assert contraction_factors(hessian(skewed, at=(0.0, 0.0)), bounds.max_stable_lr)[
        1
    ] == pytest.approx(1.0)


def test_eigen_components_round_trip() -> None:
    run = gradient_descent(skewed, np.array([8.0, 8.0]), lr=0.01, steps=20)
    components = eigen_components(run, hessian(skewed, at=(0.0, 0.0)))
    bounds = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    np.testing.assert_allclose(components @ bounds.eigenvectors.T, run.points, atol=1e-12)
    shifted = eigen_components(run.points + 1.0, hessian(skewed, at=(0.0, 0.0)), centre=[1.0, 1.0])
    np.testing.assert_allclose(shifted, components, atol=1e-12)


# Learning rates as fractions of 2 / λ_max: too small, middling, near and beyond the edge.
FRACTIONS = [0.05, 0.3, 0.8, 0.95, 1.0, 1.05]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("fraction", FRACTIONS)
@pytest.mark.parametrize("name", ["skewed", "parabola"])
def test_measured_rates_match_theory(name: str, fraction: float, dtype: torch.dtype) -> None:
    h = hessian(OBJECTIVES[name], at=(0.0, 0.0))
    lr = fraction * step_size_bounds(h).max_stable_lr
    run = gradient_descent(
        OBJECTIVES[name], torch.tensor([8.0, 8.0], dtype=dtype), lr=lr, steps=200
    )
    assert not run.diverged
    np.testing.assert_allclose(decay_rates(run, h), contraction_factors(h, lr), rtol=0.01)


def test_measured_rates_with_a_minimiser_off_the_origin() -> None:
    # Rosenbrock is not a quadratic, but near its minimiser it is one with this Hessian.
    h = hessian(rosenbrock, at=(1.0, 1.0))
    lr = 0.8 * step_size_bounds(h).max_stable_lr
    run = gradient_descent(rosenbrock, np.array([1.0001, 1.0001]), lr=lr, steps=15)
    measured = decay_rates(run, h, centre=[1.0, 1.0])
    np.testing.assert_allclose(measured, contraction_factors(h, lr), rtol=0.01)


def test_a_component_that_is_not_there_is_not_measured() -> None:
    bounds = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    start = 8.0 * bounds.eigenvectors[:, 0]  # on the slow eigenvector: no fast component
    run = gradient_descent(skewed, start, lr=0.01, steps=50)
    slow, fast = decay_rates(run, hessian(skewed, at=(0.0, 0.0)))
    assert slow == pytest.approx(1 - 0.01 * bounds.eigenvalues[0], rel=1e-6)
    assert math.isnan(fast)


def test_stability_edge() -> None:
    h = hessian(skewed, at=(0.0, 0.0))
    edge = step_size_bounds(h).max_stable_lr
    start = np.array([8.0, 8.0])
    below = gradient_descent(skewed, start, lr=0.99 * edge, steps=2000)
    assert not below.diverged and below.final_value < 1e-12 * below.values[0]
    above = gradient_descent(skewed, start, lr=1.01 * edge, steps=2000)
    assert not above.diverged and above.final_value > 1e12 * above.values[0]
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
        contraction_factors(hessian(skewed, at=(0.0, 0.0)), lr)


def test_bad_points() -> None:
    h = hessian(skewed, at=(0.0, 0.0))
    with pytest.raises(ValueError, match=r"points of shape \(steps, n\), got shape \(2,\)"):
        eigen_components([1.0, 2.0], h)
    with pytest.raises(ValueError, match="3 coordinates to match the 3 × 3 hessian"):
        eigen_components([[1.0, 2.0]], np.eye(3))
    with pytest.raises(ValueError, match=r"centre must have shape \(2,\), got shape \(3,\)"):
        eigen_components([[1.0, 2.0]], h, centre=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="noise must be a positive number, got -1"):
        decay_rates([[1.0, 2.0], [0.5, 1.0]], h, noise=-1)


# -- the theory page ------------------------------------------------------------------------

GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::([^`]*))?`")


def _code_cells(text: str) -> list[str]:
    """The source of each code cell, without its options (``:tags: ...``) and magics."""
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S)
    return [
        "\n".join(line for line in cell.splitlines() if not re.match(r"^(:[\w-]+:|\s*%)", line))
        for cell in cells
    ]


@pytest.fixture(scope="module")
def page_glue() -> dict[str, object]:
    """Run the theory page's code cells, capturing what they glue into the prose."""
    pytest.importorskip("myst_nb")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import myst_nb

    glued: dict[str, object] = {}
    original = myst_nb.glue
    myst_nb.glue = lambda name, variable, display=True: glued.__setitem__(name, variable)
    try:
        namespace: dict[str, object] = {}
        for cell in _code_cells(PAGE.read_text()):
            exec(compile(cell, str(PAGE), "exec"), namespace)
    finally:
        myst_nb.glue = original
        plt.close("all")
    return glued


def test_page_glues_every_number_its_prose_uses(page_glue: dict[str, object]) -> None:
    used = {key for key, _ in GLUE_ROLE.findall(PAGE.read_text())}
    assert used, "the theory page glues no numbers"
    assert used <= set(page_glue), f"glued nowhere: {sorted(used - set(page_glue))}"


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
    }
    for key, value in expected.items():
        assert float(page_glue[key]) == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_page_measured_rates_within_one_percent(page_glue: dict[str, object]) -> None:
    measured = np.asarray(page_glue["measured_rates"])
    predicted = np.asarray(page_glue["predicted_rates"])
    finite = np.isfinite(measured)
    assert finite.sum() >= 10
    np.testing.assert_allclose(measured[finite], predicted[finite], rtol=0.01)


@pytest.mark.site
@pytest.mark.skipif(not HTML.exists(), reason="the site is not built (docs/_build/html)")
def test_built_page_shows_the_glued_numbers(page_glue: dict[str, object]) -> None:
    from myst_nb.core.variables import format_plain_text

    html = re.sub(r"<[^>]+>", "", HTML.read_text())
    for key, spec in GLUE_ROLE.findall(PAGE.read_text()):
        # As myst-nb formats it: the value's repr, then the role's format spec.
        text = format_plain_text(repr(page_glue[key]), spec)
        assert text in html, f"{key} should read {text} on the built page"
