"""``torch.optim`` loops: parity with the hand-written loop and with a literal optimizer
loop, convergence on the course's quadratics, and resolving optimizer names."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdtutor import gradient_descent, optimize, parabola, rosenbrock, skewed
from gdtutor.optim import optimizer_class

OBJECTIVES = [parabola, skewed, rosenbrock]
# (name, keyword arguments); each reaches the minimizer of both quadratics from (8, 8) in
# 200 float64 steps to within 1e-2.
OPTIMIZERS = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.005, "momentum": 0.9}),
    ("Adam", {"lr": 0.5}),
    ("AdamW", {"lr": 0.5}),
    ("RMSprop", {"lr": 0.1}),
    ("Adagrad", {"lr": 2.0}),
]
OPTIMIZER_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in OPTIMIZERS]


def _literal_loop(objective, cls, options, dtype, steps):
    """The lesson's ``zero_grad / value / backward / step`` cycle, written out."""
    x = torch.tensor([0.5, -0.8], dtype=dtype, requires_grad=True)
    opt = cls([x], **options)
    points, values = [], []
    for _ in range(steps):
        points.append(x.detach().clone())
        opt.zero_grad()
        value = objective(x)
        value.backward()
        opt.step()
        values.append(value.item())
    return torch.stack(points).numpy(), np.array(values), x.detach().numpy()


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda f: f.__name__)
def test_hand_written_loop_equals_sgd(objective, dtype, rtol) -> None:
    start = torch.tensor([0.5, -0.8], dtype=dtype)
    manual = gradient_descent(objective, start, lr=1e-3, steps=30)
    sgd = optimize(objective, start, "SGD", steps=30, lr=1e-3)
    literal_points, literal_values, _ = _literal_loop(
        objective, torch.optim.SGD, {"lr": 1e-3}, dtype, 30
    )
    for run in (manual, sgd):
        np.testing.assert_allclose(run.points, literal_points, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(run.values, literal_values, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(manual.end_point, sgd.end_point, rtol=rtol, atol=rtol)


@pytest.mark.parametrize(("name", "options"), OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_optimize_is_the_literal_loop(name, options, dtype) -> None:
    points, values, end = _literal_loop(skewed, getattr(torch.optim, name), options, dtype, 10)
    run = optimize(skewed, torch.tensor([0.5, -0.8], dtype=dtype), name, steps=10, **options)
    np.testing.assert_array_equal(run.points, points)
    np.testing.assert_array_equal(run.values, values)
    np.testing.assert_array_equal(run.end_point, end)


@pytest.mark.parametrize("objective", [parabola, skewed], ids=lambda f: f.__name__)
@pytest.mark.parametrize(("name", "options"), OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_converges_to_the_minimizer(name, options, objective) -> None:
    run = optimize(objective, np.array([8.0, 8.0]), name, steps=200, **options)
    assert not run.diverged
    np.testing.assert_allclose(run.end_point, [0.0, 0.0], atol=1e-2)
    assert run.last_value < 1e-3 * run.values[0]


def test_record_says_which_optimizer() -> None:
    run = optimize(skewed, [8.0, 8.0], "sgd", steps=2, lr=0.01, momentum=0.9, nesterov=True)
    assert run.method == "SGD"
    assert run.objective_name == "skewed"
    assert run.lr == 0.01
    assert dict(run.options) == {"momentum": 0.9, "nesterov": True}
    with pytest.raises(TypeError, match="does not support item assignment"):
        run.options["momentum"] = 0.5  # type: ignore[index]


def test_lr_and_steps_are_keyword_only_and_required() -> None:
    with pytest.raises(TypeError, match="takes 3 positional arguments but 5 were given"):
        optimize(skewed, [8.0, 8.0], "SGD", 0.001, 10)  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'lr'"):
        optimize(skewed, [8.0, 8.0], "SGD", steps=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'steps'"):
        gradient_descent(skewed, [8.0, 8.0], lr=0.1)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("SGD", torch.optim.SGD),
        ("sgd", torch.optim.SGD),
        ("AdamW", torch.optim.AdamW),
        ("adamw", torch.optim.AdamW),
        ("ADAM", torch.optim.Adam),
        ("RMSprop", torch.optim.RMSprop),
        (torch.optim.AdamW, torch.optim.AdamW),
    ],
)
def test_optimizer_class_resolves_names_in_any_case(given, expected) -> None:
    assert optimizer_class(given) is expected


def test_custom_optimizer_subclass_is_accepted() -> None:
    class HalfSGD(torch.optim.SGD):
        pass

    assert optimizer_class(HalfSGD) is HalfSGD
    run = optimize(parabola, [8.0, 8.0], HalfSGD, steps=1, lr=0.001)
    assert run.method == "HalfSGD"


@pytest.mark.parametrize("name", ["adam_w", "Sgd2", "", "torch.optim.SGD"])
def test_unknown_optimizer_name_lists_the_valid_ones(name) -> None:
    with pytest.raises(ValueError, match=r"optimizer must name a torch\.optim optimizer") as info:
        optimizer_class(name)
    message = str(info.value)
    assert f"got {name!r}" in message
    for valid in ("Adam", "AdamW", "SGD", "RMSprop"):
        assert valid in message
    with pytest.raises(ValueError, match=r"one of .*AdamW.*SGD"):
        optimize(parabola, [8.0, 8.0], name, lr=0.1, steps=1)


@pytest.mark.parametrize(
    ("optimizer", "shown"),
    [
        (int, "<class 'int'> of type type"),
        (torch.nn.Linear, "Linear'> of type type"),
        (torch.optim.Optimizer, "Optimizer'> of type type"),
        (None, "None of type NoneType"),
        (3, "3 of type int"),
    ],
    ids=["int", "Linear", "base-Optimizer", "None", "number"],
)
def test_non_optimizer_is_refused(optimizer, shown) -> None:
    match = rf"optimizer must be a torch\.optim\.Optimizer subclass or its name, got .*{shown}"
    with pytest.raises(TypeError, match=match):
        optimizer_class(optimizer)
    with pytest.raises(TypeError, match=match):
        optimize(parabola, [8.0, 8.0], optimizer, lr=0.1, steps=1)


def test_optimizer_instance_is_refused() -> None:
    opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match=r"subclass or its name, got an instance of SGD; pass"):
        optimizer_class(opt)  # type: ignore[arg-type]


def test_optimizer_checks_its_own_options() -> None:
    with pytest.raises(ValueError, match="Invalid momentum value"):
        optimize(parabola, [8.0, 8.0], "SGD", steps=1, lr=0.1, momentum=-1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'betas'"):
        optimize(parabola, [8.0, 8.0], "SGD", steps=1, lr=0.1, betas=(0.9, 0.99))


@pytest.mark.parametrize(
    ("name", "why"),
    [("LBFGS", "needs a closure"), ("SparseAdam", "needs sparse gradients")],
)
def test_optimizers_that_do_not_fit_the_cycle_are_refused(name, why):
    with pytest.raises(ValueError, match=f"{name} cannot run in this loop: it {why}"):
        optimize(skewed, [8.0, 8.0], name, steps=3, lr=0.1)


def test_what_an_optimizer_is_comes_from_its_class_not_its_name() -> None:
    """A subclass of LBFGS needs the closure too; a class named LBFGS that is SGD runs."""
    closure_needed = type("MyLBFGS", (torch.optim.LBFGS,), {})
    with pytest.raises(ValueError, match="MyLBFGS cannot run in this loop: it needs a closure"):
        optimize(skewed, [8.0, 8.0], closure_needed, steps=3, lr=0.1)
    named_alike = type("LBFGS", (torch.optim.SGD,), {})
    run = optimize(skewed, [8.0, 8.0], named_alike, steps=3, lr=0.001)
    plain = optimize(skewed, [8.0, 8.0], "SGD", steps=3, lr=0.001)
    assert run.method == "LBFGS" and np.array_equal(run.points, plain.points)
