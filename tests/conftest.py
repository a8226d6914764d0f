"""Shared fixtures: a non-interactive matplotlib, dtype and device tables, the two loops, and
the course's exercises solved as a learner writes them (right, or with a chosen mistake)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere: no windows during tests

import matplotlib.pyplot as plt
import pytest
import torch

import gdtutor

#: The site test modules whose tests of one page share that page's visits (tests/site).
_PER_PAGE = re.compile(r"tests/site/test_(browser|reader|weight)\.py::\w+\[(?P<page>[^\]]+?\.html)")


#: The site's test modules that take longest, longest first (a reader's virtual environment
#: and every lesson run from its download; every lesson's notebook executed; a second build;
#: the explorer; Firefox over every page with math): pytest-xdist hands them out first.
_LONGEST_UNITS = tuple(
    f"tests/site/test_{name}.py"
    for name in ("install_and_exercises", "downloads", "explorer", "reproducible", "firefox")
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``pytest -n N --dist loadscope``: the site's tests of one page on one worker.

    A page's tests in the browser, reader and weight modules form one unit, so its visits
    (cached per worker) are made once, and the pages spread over the workers; every other
    test keeps its module's unit, so module-scoped fixtures (a virtual environment, a
    Firefox run over every page) are made once. The longest units go first. (pytest-xdist's
    own ``loadgroup`` cannot group by marker under pytest 9.)
    """
    if config.getoption("dist", default="no") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class PageScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            page = _PER_PAGE.match(nodeid)
            return f"page:{page['page']}" if page else nodeid.split("::", 1)[0]

        def _assign_work_unit(self, node: Any) -> None:
            # The longest units first, so that neither worker is left with one at the end.
            for scope in reversed(_LONGEST_UNITS):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return PageScheduling(config, log)


#: The unit tests that run lessons and exercises as scripts, each in a new Python process
#: (most of the unit tests' time), longest first: they are collected first, so that with
#: ``pytest -n N --dist worksteal`` none of them starts last while the other workers idle.
_SCRIPT_TESTS = "tests/test_exercises.py"
_LONGEST_SCRIPT_TEST = (
    _SCRIPT_TESTS + "::test_the_filled_exercises_write_answers_that_the_checker_accepts"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the tests that run scripts first (a stable sort: each keeps its place otherwise)."""
    if config.getoption("dist", default="no") == "loadscope":  # the site's: PageScheduling
        return
    items.sort(
        key=lambda item: (
            not item.nodeid.startswith(_LONGEST_SCRIPT_TEST),
            not item.nodeid.startswith(_SCRIPT_TESTS + "::"),
        )
    )


#: Relative tolerance for comparing the same computation done two ways, by dtype.
RTOL = {torch.float32: 1e-6, torch.float64: 1e-12}


@pytest.fixture(params=[torch.float32, torch.float64], ids=["float32", "float64"])
def dtype(request: pytest.FixtureRequest) -> torch.dtype:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def rtol(dtype: torch.dtype) -> float:
    return RTOL[dtype]


@pytest.fixture(
    params=[
        "cpu",
        pytest.param(
            "cuda",
            marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
        ),
    ]
)
def device(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


Runner = Callable[..., gdtutor.Trajectory]


@pytest.fixture(params=["gradient_descent", "optimize"])
def run_with(request: pytest.FixtureRequest) -> Runner:
    """Both loops behind one signature ``(objective, start, lr, steps, **kwargs)``.

    With plain SGD and no momentum the two take the same steps, and they share the argument
    checks and the record, so facts about either hold for both.
    """

    def run(objective: Any, start: Any, lr: Any, steps: Any, **kwargs: Any) -> Any:
        if request.param == "gradient_descent":
            return gdtutor.gradient_descent(objective, start, lr=lr, steps=steps, **kwargs)
        return gdtutor.optimize(objective, start, "SGD", lr=lr, steps=steps, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


# -- the course's exercises, written out as a learner writes them -------------------------
# This is the test suite's independent oracle for the answer file: gdtutor.answers computes
# the same runs through the package's loops, and tests hold the two equal bit for bit.

#: Course runs by cell: hand-written descent on the bowl (lesson 3) and in the valley
#: (lesson 4, the notebook's cell 2), SGD (cell 3) and AdamW (cell 4); their learning rates.
CELLS = {
    "parabola": ("manual", 0.001),
    "2": ("manual", 0.001),
    "3": ("SGD", 0.001),
    "4": ("AdamW", 1.0),
}


#: The notebook's matrix of the skewed function, written out.
_SKEWED_G = torch.tensor([[1.0, -4.0], [1.0, 4.0]])


def function_parabola(x: torch.Tensor) -> torch.Tensor:
    return 10 * (x[0] ** 2 + x[1] ** 2)


def function_skewed(variable: torch.Tensor) -> torch.Tensor:
    """The notebook's skewed function, with its matrix products."""
    gramma = torch.tensor([[1.0, -1.0], [1.0, 1.0]]) @ torch.tensor([[1.0, 0.0], [0.0, 4.0]])
    return 10 * (variable.unsqueeze(0) @ (gramma @ variable.unsqueeze(1))).sum()


def skewed_by_hand(v: torch.Tensor) -> torch.Tensor:
    """The notebook's skewed function written out with plain arithmetic."""
    x, y = v[0], v[1]
    return 10 * (x * x - 3 * x * y + 4 * y * y)


def learner_run(cell: str, **choices: Any) -> dict[str, list[Any]]:
    """One descent cell as a learner writes it, with the given choices (see ``_run_cell``).

    Each distinct run is computed once per test process; every call gets its own copies.
    """
    var_history, fn_history = _run_cell(cell, **choices)
    return {
        f"var_history_{cell}": [a.copy() for a in var_history],
        f"fn_history_{cell}": [a.copy() for a in fn_history],
    }


@functools.cache
def _run_cell(
    cell: str,
    *,
    lr: float | None = None,
    objective: Callable[[torch.Tensor], torch.Tensor] | None = None,
    dtype: torch.dtype = torch.float32,
    update: str = "data",
    zero: bool = True,
    point_when: str | None = None,
    value_when: str = "before",
    steps: int = 500,
    optimizer_name: str | None = None,
    momentum: float | None = None,
    nesterov: bool = False,
    order: str = "course",
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """One descent cell as a learner writes it, with the given choices.

    By default, exactly the course's cell: the hand-written step updates ``x.data``; values
    are taken before the step, and points before it in the hand-written cells and after it in
    the optimizer cells. ``update="rebind"`` writes ``x = x - lr * x.grad`` inside the step
    function, which leaves the caller's ``x`` as it was; ``update="uphill"`` writes
    ``x.data += lr * x.grad``; ``update="20 G v"`` (or ``"20 Gᵀ v"``) steps along that product
    written by hand instead of the gradient. In an optimizer cell,
    ``optimizer_name``, ``momentum`` and ``nesterov`` build another optimizer, and ``order`` is
    ``"zero_grad_after_backward"`` or ``"step_first"`` (right after ``zero_grad()``) for those
    slips, or ``"new_tensor"`` for an optimizer built over a new tensor made from the start
    instead of over ``x``.
    """
    method, cell_lr = CELLS[cell]
    lr = cell_lr if lr is None else lr
    if objective is None:
        objective = function_parabola if cell == "parabola" else function_skewed
    point_when = point_when or ("before" if method == "manual" else "after")
    x = torch.tensor([8.0, 8.0], dtype=dtype, requires_grad=True)
    optimizer = None
    if method != "manual":
        options = {} if momentum is None else {"momentum": momentum, "nesterov": nesterov}
        params = [torch.tensor([8.0, 8.0], requires_grad=True)] if order == "new_tensor" else [x]
        optimizer = getattr(torch.optim, optimizer_name or method)(params, lr=lr, **options)
    var_history, fn_history = [], []
    for _ in range(steps):
        if point_when == "before":
            var_history.append(x.data.cpu().numpy().copy())
        if optimizer is not None and zero and order != "zero_grad_after_backward":
            optimizer.zero_grad()
        if optimizer is not None and order == "step_first":
            optimizer.step()
        function_result = objective(x)
        function_result.backward()
        if optimizer is not None and order == "zero_grad_after_backward":
            optimizer.zero_grad()
        if optimizer is not None:
            if order != "step_first":
                optimizer.step()
        elif update == "rebind":

            def make_gradient_step(x: torch.Tensor) -> None:
                x = x - lr * x.grad  # rebinds the local name only

            make_gradient_step(x)
        elif update == "data":
            x.data -= lr * x.grad
        elif update == "uphill":  # the sign of the step flipped
            x.data += lr * x.grad
        elif update in ("20 G v", "20 Gᵀ v"):  # a gradient written by hand, wrongly
            matrix = _SKEWED_G.T if update == "20 Gᵀ v" else _SKEWED_G
            x.data -= lr * 20 * (matrix @ x.data)
        elif update == "no_grad":
            with torch.no_grad():
                x -= lr * x.grad
        else:
            x.data = x.data - lr * x.grad
        if optimizer is None and zero:
            x.grad.zero_()
        if point_when == "after":
            var_history.append(x.data.cpu().numpy().copy())
        value = function_result if value_when == "before" else objective(x)
        fn_history.append(value.data.cpu().numpy().copy())
    return tuple(var_history), tuple(fn_history)


def learner_answers(**cells: dict[str, Any]) -> dict[str, Any]:
    """Every exercise's answers, with the given cells (``cell_2=...``) run differently."""
    x = torch.tensor(10.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    loss = x + y
    loss.backward()
    X = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])
    X.requires_grad_(True)
    function = 10 * (X**2).sum()
    function.backward()
    answer: dict[str, Any] = {
        "xy_grad": [x.grad.item(), y.grad.item()],
        "X_grad": X.grad.clone().numpy(),
    }
    for cell in CELLS:
        answer.update(learner_run(cell, **cells.get(f"cell_{cell}", {})))
    return answer
