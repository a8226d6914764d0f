"""The update rules from scratch take torch.optim's steps, one run or many settings at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from gdtutor import optimize, rosenbrock, skewed
from gdtutor.objectives import Objective
from gdtutor.rules import RULES, adam, adamw, sgd
from tests.pages import assert_built_page_shows, glue_keys, run_page

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "theory" / "update_rules.md"
HTML = ROOT / "docs" / "_build" / "html" / "theory" / "update_rules.html"

# Every option that a rule writes out, away from its default somewhere in this table.
CONFIGS = [
    ("SGD", {"lr": 1e-3}),
    ("SGD", {"lr": 2e-3, "momentum": 0.9}),
    ("SGD", {"lr": 2e-3, "momentum": 0.5, "nesterov": True}),
    ("RMSprop", {"lr": 1e-2}),
    ("RMSprop", {"lr": 3e-3, "alpha": 0.9, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.5}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-6}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.02, "betas": (0.8, 0.99), "weight_decay": 0.5}),
]
PROBLEMS = [(skewed, [8.0, 8.0]), (rosenbrock, [-1.2, 1.0])]


def _ids(config: tuple[str, dict[str, Any]]) -> str:
    name, options = config
    return name + "".join(f"-{k}={v}" for k, v in options.items())


def from_scratch(
    name: str, objective: Objective, start: Any, steps: int, **settings: Any
) -> np.ndarray:
    x = torch.as_tensor(start).clone()
    state: dict[str, Any] = {}
    points = [x.clone()]
    for _ in range(steps):
        x.requires_grad_(True)
        (grad,) = torch.autograd.grad(objective(x).sum(), x)
        with torch.no_grad():
            x = RULES[name](x, grad, state, **settings)
        points.append(x.clone())
    return torch.stack(points).numpy()


def with_torch_optim(
    name: str, objective: Objective, start: Any, steps: int, **settings: Any
) -> np.ndarray:
    run = optimize(objective, start, name, steps=steps, **settings)
    return np.vstack([run.points, run.end_point])


def test_every_contender_of_the_comparison_has_a_rule() -> None:
    from gdtutor.compare import CONTENDERS

    assert {name for name, _ in CONTENDERS.values()} == set(RULES)
    assert {name for name, _ in CONFIGS} == set(RULES)


@pytest.mark.parametrize("problem", PROBLEMS, ids=["skewed", "rosenbrock"])
@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_rule_takes_torch_optims_steps(
    config: tuple[str, dict[str, Any]], problem: tuple[Objective, list[float]]
) -> None:
    name, settings = config
    objective, start = problem
    x0 = torch.tensor(start, dtype=torch.float64)
    ours = from_scratch(name, objective, x0, 200, **settings)
    theirs = with_torch_optim(name, objective, x0, 200, **settings)
    # float rounding only: the same arithmetic in a slightly different order
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_every_step_is_torch_optims_step(
    config: tuple[str, dict[str, Any]], dtype: torch.dtype, rtol: float
) -> None:
    # Step by step from torch.optim's own point and state, so that no difference can grow
    # over many steps (on Rosenbrock, float32 rounding grows quickly in some runs).
    name, settings = config
    x = torch.tensor([-1.2, 1.0], dtype=dtype, requires_grad=True)
    optimizer = getattr(torch.optim, name)([x], **settings)
    for _ in range(100):
        optimizer.zero_grad()
        rosenbrock(x).backward()
        assert x.grad is not None
        state = {
            k: (int(v) if k == "step" else v.clone())
            for k, v in optimizer.state[x].items()
            if v is not None
        }
        before, grad = x.detach().clone(), x.grad.clone()
        ours = RULES[name](before, grad, state, **settings)
        optimizer.step()
        np.testing.assert_allclose(ours.numpy(), x.detach().numpy(), rtol=4 * rtol, atol=1e-30)
        for key, value in optimizer.state[x].items():
            if value is not None and key != "step":
                np.testing.assert_allclose(state[key].numpy(), value.numpy(), rtol=4 * rtol)


def test_first_adam_step_is_lr_times_the_sign() -> None:
    x = torch.tensor([8.0, 8.0], dtype=torch.float64)
    grad = torch.tensor([-80.0, 400.0], dtype=torch.float64)
    step = adam(x, grad, {}, lr=0.1) - x
    np.testing.assert_allclose(step.numpy(), [0.1, -0.1], rtol=1e-6)


def test_decoupled_and_l2_weight_decay_differ() -> None:
    x = torch.tensor([8.0, 8.0], dtype=torch.float64)
    grad = torch.tensor([-80.0, 400.0], dtype=torch.float64)
    l2 = adam(x, grad, {}, lr=0.1, weight_decay=0.5)
    decoupled = adamw(x, grad, {}, lr=0.1, weight_decay=0.5)
    # L2 joins the gradient and is normalised away at the first step; AdamW shrinks x first.
    np.testing.assert_allclose(l2.numpy(), [8.1, 7.9], rtol=1e-9)
    np.testing.assert_allclose(decoupled.numpy(), [8.0 * 0.95 + 0.1, 8.0 * 0.95 - 0.1])


def test_plain_sgd_is_the_hand_written_step() -> None:
    x = torch.tensor([8.0, 8.0])
    grad = torch.tensor([1.0, -2.0])
    np.testing.assert_array_equal(sgd(x, grad, {}, lr=0.1).numpy(), (x - 0.1 * grad).numpy())


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_settings_as_tensors_step_many_runs_at_once(config: tuple[str, dict[str, Any]]) -> None:
    name, settings = config
    lrs = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64).reshape(3, 1) * settings["lr"]
    start = torch.tensor([[-1.2, 1.0]] * 3, dtype=torch.float64)
    together = from_scratch(name, rosenbrock, start, 50, **{**settings, "lr": lrs})
    for i in range(3):
        alone = from_scratch(
            name, rosenbrock, start[i], 50, **{**settings, "lr": settings["lr"] * [0.5, 1, 2][i]}
        )
        np.testing.assert_allclose(together[:, i], alone, rtol=1e-12, atol=1e-14)


# -- the update rules page ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_glue() -> dict[str, object]:
    pytest.importorskip("myst_nb")
    return run_page(PAGE)


def test_page_glues_every_number_its_prose_uses(page_glue: dict[str, object]) -> None:
    used = glue_keys(PAGE)
    assert used and used <= set(page_glue), f"glued nowhere: {sorted(used - set(page_glue))}"


def test_page_shows_rules_equal_to_torch_optim(page_glue: dict[str, object]) -> None:
    assert 0.0 <= float(page_glue["rules_largest_difference"]) < 1e-12


def test_page_shows_every_rule() -> None:
    text = PAGE.read_text()
    for rule in RULES.values():
        assert f"show_code({rule.__name__})" in text, rule.__name__


@pytest.mark.site
@pytest.mark.skipif(not HTML.exists(), reason="the site is not built (docs/_build/html)")
def test_built_page_shows_the_glued_numbers_and_the_code(page_glue: dict[str, object]) -> None:
    assert_built_page_shows(PAGE, HTML, page_glue)
    text = re.sub(r"<[^>]+>", "", HTML.read_text())
    for line in ("m_hat = m / (1 - beta1**t)", "return adam(x * (1 - lr * weight_decay)"):
        assert line in text, f"the page should show the line {line!r} of gdtutor.rules"
