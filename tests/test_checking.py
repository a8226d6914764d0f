"""The answer checker: verdicts, tolerances and hints, on answers computed the way a learner
would compute them in the course notebook, right and wrong; and the safe loader's parsing."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import json_tricks
import numpy as np
import pytest
import torch

from gdtutor.answers import ANSWER_KEYS, UNFINISHED, reference_answers
from gdtutor.checking import (
    ATOL,
    RTOL,
    CheckResult,
    KeyCheck,
    abs_errors,
    check_answers,
    format_report,
    is_close,
    summary_row,
)
from gdtutor.safeload import NUMERIC_DTYPES, LoadError, loads_answers
from tests.conftest import CELLS, learner_answers, skewed_by_hand


def reference() -> dict[str, Any]:
    """A copy of the reference answers that a test may change."""
    return dict(reference_answers())


def test_the_reference_passes_every_key_exactly() -> None:
    result = check_answers(reference_answers())
    assert [row.key for row in result.rows] == list(ANSWER_KEYS)
    assert {row.verdict for row in result.rows} == {"pass"}
    assert all(row.max_abs_error == 0 and row.hint == "" for row in result.rows)
    assert result.passed and result.summary() == "10 of 10 keys pass"
    assert [row.lesson for row in result.rows] == [1, 2, 3, 3, 4, 4, 5, 5, 5, 5]


def test_the_notebooks_own_seven_keys_pass_and_the_others_are_not_attempted() -> None:
    answers = {k: v for k, v in learner_answers().items() if ANSWER_KEYS[k].required}
    assert len(answers) == 7
    stopped = "(a run that stopped on an error saved nothing)"
    result = check_answers(answers)
    assert result.passed
    absent = {row.key: row.hint for row in result.rows if row.verdict == "not attempted"}
    assert absent == {
        "xy_grad": "optional: run plot_01_autograd_basics_exercise.py (lesson 1; or its .ipynb) "
        "to the end "
        f"to save it {stopped}",
        "var_history_parabola": "optional: run plot_03_descent_by_hand_exercise.py (lesson 3; "
        "or its .ipynb) "
        f"to the end to save it {stopped}",
        "fn_history_parabola": "optional: run plot_03_descent_by_hand_exercise.py (lesson 3; "
        "or its .ipynb) "
        f"to the end to save it {stopped}",
    }
    assert result.summary() == "7 of 10 keys pass; 3 not attempted"


def test_keys_an_exercise_started_and_did_not_save_fail() -> None:
    answers = {k: v for k, v in reference_answers().items() if k != "var_history_parabola"}
    del answers["fn_history_parabola"]
    answers[UNFINISHED] = ["var_history_parabola", "fn_history_parabola"]
    result = check_answers(answers)
    assert not result.passed
    assert result.summary() == "8 of 10 keys pass; 2 missing (lesson 3)"
    row = result["var_history_parabola"]
    assert row.verdict == "missing"
    assert row.hint == (
        "plot_03_descent_by_hand_exercise.py (lesson 3; or its .ipynb) started it and did not "
        "save it: run it again, from its first cell to its last"
    )
    # Without the list, the same file passes: lesson 3's keys are optional.
    del answers[UNFINISHED]
    assert check_answers(answers).passed
    # A list that is not key names is not taken as one.
    answers[UNFINISHED] = 3
    result = check_answers(answers)
    assert result["var_history_parabola"].verdict == "not attempted"
    assert result[UNFINISHED].verdict == "extra"


def test_the_notebook_cells_written_as_a_learner_would_pass() -> None:
    assert check_answers(learner_answers()).passed


# Choices that change only float rounding: the checker must accept them.
ROUNDING_ONLY = {
    "plain arithmetic": {"objective": skewed_by_hand},
    "x -= lr * x.grad under no_grad": {"update": "no_grad"},
    "x.data = x.data - lr * x.grad": {"update": "reassign"},
    "float64 with plain arithmetic": {"objective": skewed_by_hand, "dtype": torch.float64},
}


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("choice", ROUNDING_ONLY, ids=list(ROUNDING_ONLY))
def test_rounding_differences_pass(cell: str, choice: str) -> None:
    choices = dict(ROUNDING_ONLY[choice])
    if cell == "parabola" and "objective" in choices:
        choices["objective"] = lambda v: 10 * (v[0] * v[0] + v[1] * v[1])
    answers = learner_answers(**{f"cell_{cell}": choices})
    result = check_answers(answers)
    assert result.passed, format_report(result)


def test_values_saved_as_python_floats_or_nested_lists_pass() -> None:
    answers = learner_answers(cell_3={"objective": skewed_by_hand})
    answers["fn_history_3"] = [float(v) for v in answers["fn_history_3"]]
    answers["var_history_3"] = [p.tolist() for p in answers["var_history_3"]]
    answers["X_grad"] = answers["X_grad"].tolist()
    assert check_answers(answers).passed


def test_float64_histories_pass_with_a_note() -> None:
    answers = learner_answers(cell_4={"objective": skewed_by_hand, "dtype": torch.float64})
    result = check_answers(answers)
    assert result.passed
    assert "float64" in result["var_history_4"].hint
    assert result["var_history_3"].hint == ""


# (cell choices, key, expected hint fragment): each a mistake a learner makes.
MISTAKES = [
    ({"cell_2": {"lr": 0.01}}, "var_history_2", "lr=0.01 instead of lr=0.001"),
    ({"cell_2": {"lr": 0.0001}}, "fn_history_2", "lr=0.0001 instead of lr=0.001"),
    ({"cell_parabola": {"zero": False}}, "var_history_parabola", "call x.grad.zero_() every"),
    ({"cell_parabola": {"lr": 0.01}}, "fn_history_parabola", "lr=0.01 instead of lr=0.001"),
    (
        {"cell_parabola": {"point_when": "after"}},
        "var_history_parabola",
        "recorded after the step instead of before",
    ),
    ({"cell_2": {"zero": False}}, "var_history_2", "not zeroed, so it accumulated"),
    (
        {"cell_2": {"point_when": "after"}},
        "var_history_2",
        "recorded after the step instead of before",
    ),
    (
        {"cell_3": {"point_when": "before"}},
        "var_history_3",
        "recorded before the step instead of after",
    ),
    (
        {"cell_3": {"value_when": "after"}},
        "fn_history_3",
        "the value is the one after the step, not before it: compute it (and call backward())",
    ),
    ({"cell_4": {"value_when": "after"}}, "fn_history_4", "before optimizer.step(), and record"),
    ({"cell_3": {"zero": False}}, "var_history_3", "call optimizer.zero_grad() every step"),
    ({"cell_3": {"lr": 0.01}}, "fn_history_3", "lr=0.01 instead of lr=0.001"),
    (
        {"cell_3": {"lr": 0.01, "point_when": "before"}},
        "var_history_3",
        "lr=0.01 instead of lr=0.001, and recorded before the step instead of after it",
    ),
    ({"cell_4": {"lr": 0.1}}, "var_history_4", "lr=0.1 instead of lr=1"),
    ({"cell_4": {"zero": False}}, "fn_history_4", "not zeroed"),
    ({"cell_4": {"point_when": "before"}}, "var_history_4", "recorded before the step instead"),
    ({"cell_4": {"lr": 0.001}}, "var_history_4", "lr=0.001 instead of lr=1"),
    ({"cell_4": {"lr": 10.0}}, "fn_history_4", "lr=10 instead of lr=1"),
    ({"cell_4": {"optimizer_name": "Adam"}}, "var_history_4", "matches Adam, not AdamW"),
    ({"cell_4": {"optimizer_name": "Adam"}}, "fn_history_4", "matches Adam, not AdamW"),
    ({"cell_3": {"momentum": 0.9}}, "var_history_3", "matches SGD with momentum=0.9; the"),
    ({"cell_3": {"momentum": 0.5}}, "fn_history_3", "matches SGD with momentum=0.5; the"),
    (
        {"cell_3": {"momentum": 0.9, "nesterov": True}},
        "var_history_3",
        "matches SGD with momentum=0.9, nesterov=True; the course's has neither",
    ),
    ({"cell_3": {"order": "zero_grad_after_backward"}}, "var_history_3", "point never moved"),
    (
        {"cell_3": {"order": "step_first"}},
        "fn_history_3",
        "point never moved: step() did not change x",
    ),
    (
        {"cell_4": {"order": "step_first"}},
        "var_history_4",
        "point never moved: step() did not change x",
    ),
    ({"cell_3": {"order": "new_tensor"}}, "var_history_3", "build the optimizer over x itself"),
    ({"cell_4": {"order": "new_tensor"}}, "fn_history_4", "build the optimizer over x itself"),
    ({"cell_2": {"update": "rebind"}}, "var_history_2", "never moved: the step did not change x"),
    ({"cell_parabola": {"update": "rebind"}}, "fn_history_parabola", "point never moved"),
    # A step with the wrong sign: named in lesson 3, whose run stays finite; lesson 4's
    # overflows float32, and its divergence says it.
    ({"cell_parabola": {"update": "uphill"}}, "var_history_parabola", "the run climbs"),
    ({"cell_parabola": {"update": "uphill"}}, "fn_history_parabola", "(x += lr * x.grad)"),
    ({"cell_2": {"update": "uphill"}}, "var_history_2", "diverged (a learning rate too large, a"),
    ({"cell_2": {"update": "uphill"}}, "fn_history_2", "a step uphill, or a function"),
    # Lesson 4's gradient written by hand with the one-variable rule.
    ({"cell_2": {"update": "20 G v"}}, "var_history_2", "the step uses 20 G v as the gradient"),
    ({"cell_2": {"update": "20 G v"}}, "fn_history_2", "f's gradient is 10 (G + Gᵀ) v"),
    ({"cell_2": {"update": "20 Gᵀ v"}}, "var_history_2", "the step uses 20 Gᵀ v as the"),
]


@pytest.mark.parametrize(("cells", "key", "hint"), MISTAKES)
def test_each_typical_mistake_fails_with_its_hint(cells: dict, key: str, hint: str) -> None:
    result = check_answers(learner_answers(**cells))
    assert result[key].verdict == "fail"
    assert hint in result[key].hint
    assert not result.passed
    changed = {name.removeprefix("cell_") for name in cells}
    untouched = [k for k in ANSWER_KEYS if k.rsplit("_", 1)[-1] not in changed]
    assert all(result[k].verdict == "pass" for k in untouched)


@pytest.mark.parametrize(
    ("factor", "hint"),
    [(2, "2 times the reference: backward() ran 2 times"), (0.1, "the factor 10 of f is missing")],
)
def test_a_wrong_gradient_gets_a_hint(factor: float, hint: str) -> None:
    answers = reference()
    answers["X_grad"] = answers["X_grad"] * factor
    row = check_answers(answers)["X_grad"]
    assert row.verdict == "fail" and hint in row.hint


@pytest.mark.parametrize(
    ("write", "hint"),
    [
        (
            lambda X: (10 * (X**2).mean()).backward(),
            "1/12 of the reference: f takes the mean of the squares (.mean()), not their sum",
        ),
        (
            lambda X: ((10 * (X**2).sum()).backward(), X.grad.zero_()),
            "every entry is 0: the gradient was zeroed (.grad.zero_()) after backward()",
        ),
    ],
    ids=["mean", "zeroed"],
)
def test_lesson_2_written_another_way_gets_its_hint(write: Any, hint: str) -> None:
    X = torch.arange(1.0, 13.0).reshape(3, 4).requires_grad_(True)
    write(X)
    answers = reference()
    answers["X_grad"] = X.grad.numpy()
    row = check_answers(answers)["X_grad"]
    assert row.verdict == "fail" and row.hint.startswith(hint), row.hint


def test_a_gradient_zeroed_before_it_was_saved_gets_its_hint() -> None:
    answers = reference()
    answers["xy_grad"] = [0.0, 0.0]
    row = check_answers(answers)["xy_grad"]
    assert row.verdict == "fail"
    assert row.hint == (
        "every entry is 0: the gradient was zeroed (.grad.zero_()) after backward() and "
        "before it was saved"
    )


def test_backward_twice_in_lesson_1_gets_its_hint() -> None:
    answers = reference()
    answers["xy_grad"] = [2.0, 2.0]
    result = check_answers(answers)
    assert result["xy_grad"].verdict == "fail"
    assert result["xy_grad"].hint == "2 times the reference: backward() ran 2 times and accumulated"
    assert result.failed_lessons() == [1]
    assert result.summary() == "9 of 10 keys pass; 1 fail (lesson 1)"


def test_the_summary_names_the_lessons_of_each_kind_of_problem() -> None:
    # Lesson 3's run done wrong, lessons 2 and 4 not run yet: the failing lesson is not
    # mixed up with the missing ones.
    answers = reference()
    answers["var_history_parabola"] = np.asarray(answers["var_history_parabola"]) * 2
    answers["fn_history_parabola"] = np.asarray(answers["fn_history_parabola"]) * 2
    for key in ("X_grad", "var_history_2", "fn_history_2"):
        del answers[key]
    result = check_answers(answers)
    assert [row.lesson for row in result.rows if row.verdict == "fail"] == [3, 3]
    assert result.summary() == "5 of 10 keys pass; 2 fail (lesson 3), 3 missing (lessons 2, 4)"
    assert result.failed_lessons() == [2, 3, 4]


def test_the_summary_counts_the_verdicts_in_one_order_for_every_file() -> None:
    # Lesson 1's key first in the rows: missing in one file (its exercise stopped before
    # saving), not attempted in the other; the summary's order is the same for both.
    answers = {k: v for k, v in reference().items() if k not in ("xy_grad", "X_grad")}
    stopped = check_answers({**answers, UNFINISHED: ["xy_grad"]}).summary()
    del answers["var_history_parabola"], answers["fn_history_parabola"]
    absent = check_answers({**answers, "extra": 1}).summary()
    assert stopped == "8 of 10 keys pass; 2 missing (lessons 1, 2)"
    assert absent == "6 of 10 keys pass; 1 missing (lesson 2), 3 not attempted, 1 extra"
    answers["fn_history_2"] = np.zeros(3)
    assert check_answers({**answers, UNFINISHED: ["xy_grad"]}).summary() == (
        "5 of 10 keys pass; 1 wrong shape (lesson 4), 2 missing (lessons 1, 2), 2 not attempted"
    )


@pytest.mark.parametrize(("steps", "hint"), [(499, "1 step missing"), (501, "1 step extra")])
def test_a_history_of_the_wrong_length_says_how_many_steps(steps: int, hint: str) -> None:
    answers = learner_answers(cell_3={"steps": steps})
    result = check_answers(answers)
    for key in ("var_history_3", "fn_history_3"):
        assert result[key].verdict == "wrong shape"
        assert result[key].hint == f"{steps} entries instead of 500: {hint}"
    assert result["var_history_2"].verdict == "pass"


def test_an_unknown_error_fails_saying_where_it_starts() -> None:
    answers = reference()
    answers["var_history_2"] = [p + 0.5 for p in answers["var_history_2"]]
    row = check_answers(answers)["var_history_2"]
    assert (row.verdict, row.hint) == (
        "fail",
        "first off at var_history_2[0]: yours (8.5, 8.5), the reference's (8, 8) "
        "(500 of 500 entries outside the tolerance)",
    )
    assert row.max_abs_error == pytest.approx(0.5)
    # One value edited by hand: its place.
    answers = reference()
    answers["fn_history_3"] = np.array(answers["fn_history_3"])
    answers["fn_history_3"][100] *= 1.01
    row = check_answers(answers)["fn_history_3"]
    want = float(reference()["fn_history_3"][100])
    assert row.hint == (
        f"first off at fn_history_3[100]: yours {want * np.float32(1.01):.6g}, the reference's "
        f"{want:.6g} (1 of 500 entries outside the tolerance)"
    )
    answers = reference()
    answers["X_grad"] = np.array(answers["X_grad"])
    answers["X_grad"][1, 2] = 141
    assert check_answers(answers)["X_grad"].hint == (
        "first off at X_grad[1, 2]: yours 141, the reference's 140 "
        "(1 of 12 entries outside the tolerance)"
    )


def test_inf_or_nan_in_a_gradient_is_named_with_its_place() -> None:
    """A non-finite entry where the reference is finite (a number too large for JSON's float,
    or a nan) is named as such, with its place; a finite error still gets its place."""
    answers = reference()
    answers["xy_grad"] = np.array([np.inf, 1.0])
    row = check_answers(answers)["xy_grad"]
    assert (row.verdict, row.hint) == (
        "fail",
        "inf or nan at xy_grad[0], where the reference is a finite number",
    )
    answers["X_grad"] = np.array(answers["X_grad"])
    answers["X_grad"][2, 3] = np.nan
    assert check_answers(answers)["X_grad"].hint == (
        "inf or nan at X_grad[2, 3], where the reference is a finite number"
    )


def test_lesson_3_without_the_factor_10_is_named() -> None:
    """f = sum of squares without its factor 10: each step is a tenth as long, as with a
    tenth of the rate, and each value a tenth of that run's."""
    import torch

    x = torch.tensor([8.0, 8.0], requires_grad=True)
    points, values = [], []
    for _ in range(500):
        value = (x**2).sum()
        points.append(x.detach().numpy().copy())
        values.append(value.item())
        value.backward()
        with torch.no_grad():
            x -= 0.001 * x.grad
        x.grad.zero_()
    answers = reference()
    answers["var_history_parabola"], answers["fn_history_parabola"] = points, values
    result = check_answers(answers)
    assert result["var_history_parabola"].hint == (
        "matches a run with lr=0.0001 instead of lr=0.001 (or f is missing its factor 10, "
        "which shortens every step the same way)"
    )
    assert result["fn_history_parabola"].hint == (
        "a tenth of the values of a run with lr=0.0001: f is missing its factor 10"
    )


def test_a_history_that_grows_huge_but_finite_says_the_run_diverged_too() -> None:
    answers = reference()
    points = np.array(answers["var_history_2"], dtype=np.float64)
    points[3:] *= 1e12  # a step uphill: the point runs away, far but finite in float32
    answers["var_history_2"] = points.astype(np.float32)
    row = check_answers(answers)["var_history_2"]
    assert row.hint.startswith(
        "inf, nan or values over a million times the reference's largest, first at "
        "var_history_2[3]: the run"
    )


def test_a_history_that_turns_infinite_says_the_run_diverged() -> None:
    answers = reference()
    history = np.array(answers["fn_history_2"])
    history[40:] = np.inf
    history[60:] = np.nan
    answers["fn_history_2"] = history
    row = check_answers(answers)["fn_history_2"]
    assert row.verdict == "fail"
    assert row.hint == (
        "inf, nan or values over a million times the reference's largest, first at "
        "fn_history_2[40]: the run diverged (a learning rate too large, a step uphill, or a "
        "function whose value or gradient is not finite on the way)"
    )


@pytest.mark.parametrize("key", ["fn_history_parabola", "fn_history_2", "fn_history_3"])
def test_a_value_history_not_finite_from_its_start_blames_the_function(key: str) -> None:
    """Entry 0 of a value history is the value at the start, before any step: nan there
    (a function not defined at the start) is not a run that diverged."""
    answers = reference()
    history = np.array(answers[key])
    history[:] = np.nan
    answers[key] = history
    row = check_answers(answers)[key]
    assert row.verdict == "fail"
    assert row.hint == (
        "inf, nan or a value over a million times the reference's largest at "
        f"{key}[0], the value at the start, before any step: the "
        "function, or the point it starts from, is wrong there (no learning rate has acted yet)"
    )


@pytest.mark.parametrize("key", ["var_history_parabola", "var_history_2", "var_history_3"])
def test_a_point_history_not_finite_from_its_start_names_the_start_where_it_is_one(
    key: str,
) -> None:
    """The hand-written runs record each point before its step, so entry 0 is the start
    point; lesson 5 records the point after the step, so its entry 0 is a step's."""
    answers = reference()
    history = np.array(answers[key])
    history[:] = np.nan
    answers[key] = history
    hint = check_answers(answers)[key].hint
    if key == "var_history_3":
        assert hint.startswith(
            "inf, nan or values over a million times the reference's largest, first at "
            f"{key}[0]: the run diverged"
        )
    else:
        assert hint == (
            "inf, nan or a value over a million times the reference's largest at "
            f"{key}[0], the start point, before any step: the run "
            "starts from a point that is not (8, 8)"
        )


@pytest.mark.parametrize("key", ["var_history_parabola", "var_history_2", "var_history_4"])
def test_a_point_history_of_one_point_repeated_names_a_history_of_x_itself(key: str) -> None:
    """Appending x itself (or a view of it) each step saves the last point every time."""
    answers = reference()
    history = np.array(answers[key])
    history[:] = history[-1]
    answers[key] = history
    row = check_answers(answers)[key]
    assert row.verdict == "fail"
    assert row.hint.startswith(
        "every entry is the same point, the run's last: the history holds x itself"
    )


@pytest.mark.parametrize(("fraction", "verdict"), [(0.5 * ATOL, "pass"), (2 * ATOL, "fail")])
def test_the_absolute_tolerance_scales_with_the_largest_reference_value(
    fraction: float, verdict: str
) -> None:
    answers = reference()
    history = np.array(answers["fn_history_4"], dtype=np.float64)
    history[-1] += fraction * np.abs(history).max()  # the last values are ~0: rtol cannot help
    answers["fn_history_4"] = history
    assert check_answers(answers)["fn_history_4"].verdict == verdict


def test_a_partly_done_file_still_checks_the_keys_it_has() -> None:
    answers = reference()
    del answers["var_history_4"], answers["fn_history_4"]
    answers["var_history_3"] = answers["var_history_3"][0]  # one point, not the history
    answers["my_notes"] = "try lr=0.002 next"
    result = check_answers(answers)
    verdicts = {row.key: row.verdict for row in result.rows}
    assert verdicts == {
        "xy_grad": "pass",
        "X_grad": "pass",
        "var_history_parabola": "pass",
        "fn_history_parabola": "pass",
        "var_history_2": "pass",
        "fn_history_2": "pass",
        "var_history_3": "wrong shape",
        "fn_history_3": "pass",
        "var_history_4": "missing",
        "fn_history_4": "missing",
        "my_notes": "extra",
    }
    assert result["var_history_3"].hint == "shape (2,) instead of (500, 2)"
    assert result["fn_history_4"].hint == (
        "run plot_05_torch_optim_exercise.py (lesson 5; or its .ipynb) to the end to save it"
    )
    assert result.summary() == (
        "7 of 10 keys pass; 1 wrong shape (lesson 5), 2 missing (lesson 5), 1 extra"
    )
    assert not result.passed


@pytest.mark.parametrize(
    ("value", "verdict", "hint"),
    [
        (
            ["8.0", "7.84"],
            "not numeric",
            "holds text ('8.0') at var_history_2[0], expected numbers",
        ),
        ([{"x": 1}], "not numeric", "holds an object at var_history_2[0], expected numbers"),
        (
            [[True, True]] * 500,
            "not numeric",
            "holds a true/false value (true) at var_history_2[0, 0], expected numbers",
        ),
        # Among numbers, the one entry that is not a number is named with its place (numpy
        # would read true as 1.0, and null as nan).
        (
            [[8.0, 8.0]] * 300 + [[8.0, True]] + [[8.0, 8.0]] * 199,
            "not numeric",
            "holds a true/false value (true) at var_history_2[300, 1], expected numbers",
        ),
        (
            [[8.0, 8.0]] * 499 + [[None, 8.0]],
            "not numeric",
            "holds null at var_history_2[499, 0], expected numbers",
        ),
        (
            [np.full(2, 8.0)] * 2 + [np.array([True, False])] + [np.full(2, 8.0)] * 497,
            "not numeric",
            "holds a true/false value (true) at var_history_2[2, 0], expected numbers",
        ),
        (
            np.full((500, 2), 8.0 + 0j),
            "not numeric",
            "holds complex numbers, expected real numbers",
        ),
        (
            [[object()] * 2] * 500,
            "not numeric",
            "holds an object at var_history_2[0, 0], expected numbers",
        ),
        ([[8.0, 8.0], [7.8]], "wrong shape", "ragged: its entries have different shapes"),
        (np.zeros((500, 1, 2)), "wrong shape", "shape (500, 1, 2) instead of (500, 2)"),
    ],
)
def test_values_that_are_not_a_numeric_array(value: Any, verdict: str, hint: str) -> None:
    answers = reference()
    answers["var_history_2"] = value
    row = check_answers(answers)["var_history_2"]
    assert (row.verdict, row.hint) == (verdict, hint)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ([10**400, 1.0], "xy_grad[0] is an integer of 401 digits, too large for a float64"),
        ([1.0, -(10**400)], "xy_grad[1] is an integer of 401 digits, too large for a float64"),
        (10**400, "xy_grad is an integer of 401 digits, too large for a float64"),
    ],
)
def test_an_integer_too_large_for_a_float64_fails_saying_so(value: Any, hint: str) -> None:
    row = check_answers({**reference(), "xy_grad": value})["xy_grad"]
    assert (row.verdict, row.hint) == ("fail", f"{hint} (the largest is about 1.8e308)")


def test_integers_beyond_int64_are_numbers() -> None:
    # numpy keeps them as Python objects; they are compared as the floats they are.
    answers = {**reference(), "xy_grad": [10**30, 1]}
    row = check_answers(answers)["xy_grad"]
    assert row.verdict == "fail" and row.hint.startswith("first off at xy_grad[0]")
    assert row.max_abs_error == pytest.approx(1e30)


def test_a_value_the_loader_did_not_read_fails_its_key_even_an_extra_one() -> None:
    from gdtutor.checking import summary_row
    from gdtutor.safeload import BadValue

    bad = BadValue("not numeric", "refused '__set__' payload (a set)")
    result = check_answers({**reference(), "X_grad": bad})
    assert (result["X_grad"].verdict, result["X_grad"].hint) == ("not numeric", bad.reason)
    assert result.summary() == "9 of 10 keys pass; 1 not numeric (lesson 2)"
    # In a key the reference does not have, it fails the file too, and is not counted
    # among the reference's keys.
    result = check_answers({**reference(), "notes": bad, "seed": 3})
    assert [(row.key, row.verdict) for row in result.rows[-2:]] == [
        ("notes", "not numeric"),
        ("seed", "extra"),
    ]
    assert not result.passed
    assert result.summary() == "10 of 10 keys pass; 1 not numeric (an extra key), 1 extra"
    row = summary_row("ann.json", result)
    assert row == (
        "ann.json", "fail", "10 of 10", "an extra key", "-", "-",
        "notes: not numeric (refused '__set__' payload (a set)); 'seed': extra",
    )  # fmt: skip
    result = check_answers({**reference(), "X_grad": bad, "notes": bad, "more": bad})
    assert summary_row("ann.json", result)[3] == "2, 2 extra keys"


def test_the_right_numbers_in_the_wrong_shape_are_named() -> None:
    answers = reference()
    answers["fn_history_2"] = np.array(answers["fn_history_2"])[:, None]
    assert "with the right numbers" in check_answers(answers)["fn_history_2"].hint


def test_the_result_is_immutable_and_reports_a_table() -> None:
    result = check_answers({"X_grad": reference_answers()["X_grad"]})
    assert isinstance(result, CheckResult) and isinstance(result.rows, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.rows[0].verdict = "fail"  # type: ignore[misc]
    lines = [line for line in format_report(result).splitlines() if not line.startswith(" ")]
    header = ["lesson", "key", "verdict", "max", "abs", "err", "max", "rel", "err"]
    assert lines[0].split() == header
    assert lines[1].split()[:3] == ["1", "xy_grad", "not"]
    assert lines[2].split() == ["2", "X_grad", "pass", "0.0e+00", "0.0e+00"]
    assert lines[5].split()[:3] == ["4", "var_history_2", "missing"]
    assert lines[-1] == "1 of 10 keys pass; 6 missing (lessons 4, 5), 3 not attempted"
    with pytest.raises(KeyError):
        result["nope"]
    assert KeyCheck("k", "missing").max_abs_error is None


def test_the_report_names_the_run_of_a_key_where_a_lesson_records_two() -> None:
    """Lesson 5 records an SGD run and an AdamW run: a failing var_history_4 said nothing of
    AdamW, and a learner had to look up which run the key holds."""
    answers = reference()
    answers["var_history_4"] = np.asarray(answers["var_history_4"]) * 1.1
    rows = {line.split()[1]: line for line in format_report(check_answers(answers)).splitlines()}
    assert rows["var_history_4"].split()[1:4] == ["var_history_4", "(AdamW)", "fail"]
    assert rows["fn_history_3"].split()[1:4] == ["fn_history_3", "(SGD)", "pass"]
    # The other lessons record one run at most: their keys stand alone.
    assert rows["var_history_2"].split()[1:3] == ["var_history_2", "pass"]
    assert rows["X_grad"].split()[1:3] == ["X_grad", "pass"]


# -- the loader, on content ----------------------------------------------------------------


def test_json_tricks_arrays_come_back_with_their_dtype_and_shape() -> None:
    answers = {
        "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
        "scalar": np.array(2.5, dtype=np.float64),
        "ints": np.arange(3, dtype=np.uint8),
        "flags": np.array([True, False]),
        "empty": np.zeros((0, 2), dtype=np.float32),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "plain": [1, 2.5, None, "text", {"nested": [True]}],
    }
    loaded = loads_answers(json_tricks.dumps(answers).encode())
    for key, value in answers.items():
        if isinstance(value, np.ndarray):
            assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape
            np.testing.assert_array_equal(loaded[key], value)
    assert loaded["plain"] == answers["plain"]


@pytest.mark.parametrize("endian", ["little", "big"])
def test_the_compact_base64_form_is_decoded_without_pickle(endian: str) -> None:
    array = np.linspace(0, 1, 7, dtype=np.float32)
    text = json_tricks.dumps(
        {"a": array},
        properties={"ndarray_compact": True, "ndarray_store_byteorder": endian},
    )
    assert '"b64:' in text
    np.testing.assert_array_equal(loads_answers(text.encode())["a"], array)


def test_non_finite_floats_are_data() -> None:
    loaded = loads_answers(b'{"fn_history_2": [NaN, Infinity, -Infinity]}')
    assert np.isnan(loaded["fn_history_2"][0]) and loaded["fn_history_2"][1:] == [
        float("inf"),
        float("-inf"),
    ]


def test_the_numeric_dtypes() -> None:
    assert {"float32", "float64", "int64", "uint8", "bool"} <= NUMERIC_DTYPES
    assert not {"object", "<U3", "complex128", "datetime64", "load"} & NUMERIC_DTYPES


#: Files with a malformed array or a refused object, and a fragment of the reason.


def _array_text(data: str, shape: list[int]) -> str:
    """A file whose key ``a`` is a float32 array of these data (JSON text) and shape."""
    sizes = ", ".join(map(str, shape))
    return f'{{"a": {{"__ndarray__": {data}, "dtype": "float32", "shape": [{sizes}]}}}}'


_MALFORMED = [
    ('{"a": {"__ndarray__": [1, 2, 3], "dtype": "int64", "shape": [2]}}', "declares shape"),
    ('{"a": {"__ndarray__": [1.5], "dtype": "int64", "shape": [1]}}', "must be integers"),
    ('{"a": {"__ndarray__": [300], "dtype": "uint8", "shape": [1]}}', "do not fit dtype"),
    ('{"a": {"__ndarray__": ["1.5"], "dtype": "float32", "shape": [1]}}', "must be numbers"),
    ('{"a": {"__ndarray__": [null], "dtype": "float32", "shape": [1]}}', "must be numbers"),
    ('{"a": {"__ndarray__": ["a", "b"], "dtype": "float32", "shape": [2]}}', "found 'a'"),
    # numpy would read true as 1.0: a float array's data are numbers only
    (
        '{"a": {"__ndarray__": [true, true], "dtype": "float32", "shape": [2]}}',
        "array data must be numbers, found true (true/false)",
    ),
    (
        '{"a": {"__ndarray__": [1, false], "dtype": "int64", "shape": [2]}}',
        "array data must be numbers, found false (true/false)",
    ),
    ('{"a": {"__ndarray__": [1.0, 2.0], "shape": [2]}}', "numpy array without a dtype field"),
    # a bool array's data are true, false or numbers: not text, null or objects
    ('{"a": {"__ndarray__": ["x", true], "dtype": "bool", "shape": [2]}}', "found 'x'"),
    ('{"a": {"__ndarray__": [null], "dtype": "bool", "shape": [1]}}', "found None"),
    ('{"a": {"__ndarray__": [1.0, 2.0], "dtype": "float32"}}', "numpy array without a shape field"),
    ('{"a": {"__ndarray__": [[1, "a"], "b"], "dtype": "int8", "shape": [2]}}', "found 'a'"),
    (
        '{"a": {"__ndarray__": [{"__ndarray__": [1.0], "dtype": "float32", "shape": [1]}], '
        '"dtype": "float32", "shape": [1, 1]}}',
        'found an array object ({"__ndarray__": ...}) inside an array\'s data',
    ),
    (
        '{"a": {"__ndarray__": [1], "dtype": "str", "shape": [1]}}',
        "dtype 'str'; only number and bool dtypes are accepted (bool, float16, ",
    ),
    ('{"a": ' + "9" * 5000 + "}", "not JSON this checker reads: a number with more than "),
    ('{"a": {"__ndarray__": [1.0], "dtype": "float32", "shape": "1"}}', "list of sizes"),
    ('{"a": {"__ndarray__": [1.0], "dtype": "float32", "shape": [1], "x": 1}}', "'x'"),
    (
        '{"a": {"__ndarray__": "b64:AAAAAA==", "dtype": "float32", "shape": [2]}}',
        "buffer holds 1",
    ),
    ('{"a": {"__ndarray__": "b64:%%%", "dtype": "float32", "shape": [1]}}', "base64"),
    (
        '{"a": {"__ndarray__": "b64:AAA=", "dtype": "float32", "shape": [1]}}',
        "buffer of 2 bytes",
    ),
    ('{"a": {"__ndarray__": "/etc/passwd", "dtype": "float32", "shape": []}}', "neither"),
    # Shapes no file holds, that numpy cannot make (sizes of thousands of digits whose
    # product could not be printed): refused at once, without multiplying their sizes.
    (_array_text("[]", [0, 2**80]), "shape [0, 1208925819614629174706176]: more dimensions"),
    (_array_text("[]", [0] * 100), "shape [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...: more"),
    # Sizes each within a file's bound whose product numpy cannot hold, though it is 0.
    (
        _array_text("[]", [0, 5_000_000, 5_000_000, 5_000_000, 5_000_000]),
        "5000000]: sizes larger together than numpy can hold in one array",
    ),
    (
        _array_text('"b64:"', [10**4000] * 20),
        "shape [100000000000000000000000000000000000...: more",
    ),
    # Data nested deeper than its shape: the shape it holds is shortened, as the declared one.
    (
        _array_text("[" * 40 + "1.0" + "]" * 40, [2]),
        "holds shape [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,",
    ),
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    (
        '{"a": {"__ndarray__": [1.0], "dtype": "float32", "shape": [1]}, "b": {"__x__": 0}}',
        "'__x__'",
    ),
]


def test_a_summary_says_when_a_failing_key_is_an_extra_one() -> None:
    """A key of no lesson that was not read fails the file; the summary line says it is an
    extra key (it had read '10 of 10 keys pass; 1 not numeric')."""
    text = '{"mine": {"__instance_type__": ["os", "system"], "attributes": {}}}'
    answers = {**dict(reference_answers()), **loads_answers(text.encode(), per_key=True)}
    result = check_answers(answers)
    assert not result.passed
    assert result.summary() == "10 of 10 keys pass; 1 not numeric (an extra key)"
    del answers["xy_grad"]
    answers["X_grad"] = answers["mine"]
    assert check_answers(answers).summary() == (
        "8 of 10 keys pass; 2 not numeric (lesson 2; an extra key), 1 not attempted"
    )


def test_a_missing_key_spelt_nearly_as_an_extra_key_names_it() -> None:
    """Running the exercise again would not bring back a key whose name the file misspells:
    the hint names the extra key. A key with no such neighbour keeps its usual hint."""
    answers = dict(reference_answers())
    answers["x_grad"] = answers.pop("X_grad")  # the case of a letter
    answers["var_histroy_3"] = answers.pop("var_history_3")  # two letters swapped
    answers["xy_grad"] = answers.pop("xy_grad")
    del answers["fn_history_3"]
    result = check_answers(answers)
    assert result["X_grad"].hint.startswith(
        "the file has 'x_grad', an extra key: if it is X_grad, its name is misspelt"
    )
    assert "'var_histroy_3'" in result["var_history_3"].hint
    assert "case-sensitive" not in result["var_history_3"].hint  # not a matter of case
    suffixed = {**dict(reference_answers())}
    suffixed["var_history_3_sgd"] = suffixed.pop("var_history_3")  # three letters more
    assert "'var_history_3_sgd'" in check_answers(suffixed)["var_history_3"].hint
    assert [row.key for row in result.rows if row.verdict == "extra"] == [
        "x_grad", "var_histroy_3"
    ]  # fmt: skip
    assert result["fn_history_3"].hint.startswith("run plot_05_torch_optim_exercise.py")
    # An optional key's hint stays one; a key that is not text is an extra key as any other.
    answers["XY_GRAD"], answers[1] = answers.pop("xy_grad"), [1.0]
    result = check_answers(answers)
    assert result["xy_grad"].hint.startswith("optional: the file has 'XY_GRAD', an extra key")
    assert ("1", "extra") in [(row.key, row.verdict) for row in result.rows]
    # A hostile file's thousands of extra keys are compared by case only, at once.
    crowd = {**dict(reference_answers()), **{f"fn_history_{i}x": [1.0] for i in range(5000)}}
    del crowd["fn_history_3"]
    assert "run plot_05" in check_answers(crowd)["fn_history_3"].hint


def test_a_class_summary_names_the_extra_keys_of_a_file_that_passes() -> None:
    answers = {**dict(reference_answers()), "notes": [1.0], "X_grad_v2": [[1.0]]}
    row = summary_row("eve.json", check_answers(answers))
    assert row[1:3] == ("pass", "10 of 10")
    assert row[-1] == "'notes': extra; 'X_grad_v2': extra"
    many = {**dict(reference_answers()), **{f"k{i}": [1.0] for i in range(7)}}
    assert summary_row("eve.json", check_answers(many))[-1] == (
        "'k0': extra; 'k1': extra; 'k2': extra; 'k3': extra; 'k4': extra; 2 more extra keys"
    )


@pytest.mark.parametrize(("text", "reason"), _MALFORMED)
def test_malformed_arrays_and_objects_are_refused(text: str, reason: str) -> None:
    with pytest.raises(LoadError) as caught:
        loads_answers(text.encode())
    assert reason in str(caught.value) and "\n" not in str(caught.value)


#: The reasons that are the file's, not one key's, with ``per_key=True`` too.
_FILE_LEVEL = ("duplicate key", "a number with more than", "'__set__' payload")


@pytest.mark.parametrize(("text", "reason"), _MALFORMED)
def test_with_per_key_a_malformed_value_is_its_keys_alone(text: str, reason: str) -> None:
    from gdtutor.safeload import BadValue

    if any(part in reason for part in _FILE_LEVEL):
        with pytest.raises(LoadError, match=re.escape(reason)):
            loads_answers(text.encode(), per_key=True)
        return
    loaded = loads_answers(text.encode(), per_key=True)
    bad = {key: value for key, value in loaded.items() if isinstance(value, BadValue)}
    assert len(bad) == 1, loaded
    ((key, value),) = bad.items()
    assert reason in value.reason and "\n" not in value.reason
    verdict = "not numeric"
    if "shape" in reason or "sizes" in reason or "buffer holds" in reason:
        verdict = "wrong shape"
    elif "do not fit" in reason:
        verdict = "fail"
    assert value.verdict == verdict
    # Without per_key, the same reason refuses the file, naming the key.
    with pytest.raises(LoadError) as caught:
        loads_answers(text.encode())
    assert str(caught.value) == f"{value.reason} (in key {key!r})"
    # The other keys are read as usual, and the checker fails the key with the reason.
    answers = {**dict(reference_answers()), **loaded}
    row = check_answers(answers)[key]
    assert (row.verdict, row.hint) == (value.verdict, value.reason)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        (
            '{"var_history_2": [%s, %s, {"__ndarray__": [1.0, "20"], "dtype": "float32", '
            '"shape": [2]}]}' % ((json_tricks.dumps(np.ones(2, np.float32)),) * 2),
            "var_history_2[2]",
        ),
        ('{"a": {"b": [1, 2, {"__set__": [1]}]}}', "a['b'][2]"),
        ('{"a": [[0, [{"__instance_type__": ["os", "system"]}]]]}', "a[0][1][0]"),
    ],
)
def test_a_value_deep_in_a_key_is_placed(text: str, place: str) -> None:
    key = place.split("[")[0]
    loaded = loads_answers(text.encode(), per_key=True)
    assert loaded[key].reason.startswith(f"at {place}: ")
    with pytest.raises(LoadError) as caught:
        loads_answers(text.encode())
    assert str(caught.value).endswith(f" (at {place})")


@pytest.mark.parametrize("per_key", [False, True])
@pytest.mark.parametrize(
    ("levels", "kind"),
    [
        (63, "["),
        (63, "{"),
        (64, "["),
        (64, "{"),
        (500, "["),
        (600, "{"),
        (990, "["),
        (2000, "{"),
    ],
)
def test_json_nested_deeper_than_64_levels_is_refused_without_a_recursion_error(
    levels: int, kind: str, per_key: bool
) -> None:
    """A key's value nested ``levels`` deep: 64 levels in all, with the file's object, are
    read; more are refused, however deep (a converter that recursed twice a level ran out
    of stack from about 500 on, where json's parser does not)."""
    if kind == "[":
        inner = "[" * levels + "1.0" + "]" * levels
    else:
        inner = '{"a": ' * levels + "1" + "}" * levels
    text = ('{"xy_grad": ' + inner + "}").encode()
    if levels < 64:
        loaded = loads_answers(text, per_key=per_key)
        check_answers(loaded)  # numpy holds 63 dimensions, and the checker says what it has
        return
    with pytest.raises(LoadError) as caught:
        loads_answers(text, per_key=per_key)
    message = str(caught.value)
    assert message.startswith("not accepted: JSON nested too deeply (more than 64 levels")
    if levels < 900:  # the parser itself gives up deeper, before the key is known
        assert message.endswith(", in key 'xy_grad')")


def test_a_recursion_error_anywhere_in_loading_is_a_load_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gdtutor.safeload

    def deep(*args: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(gdtutor.safeload, "_convert", deep)
    with pytest.raises(LoadError, match="nested too deeply"):
        loads_answers(b'{"a": [NaN]}')  # the standard path
    monkeypatch.setattr(gdtutor.safeload, "_stack", deep)
    # The fast path gives up, and the standard one says why.
    with pytest.raises(LoadError, match="nested too deeply"):
        loads_answers(json_tricks.dumps({"a": [np.ones(2)] * 3}).encode())


def _form(dtype: str) -> dict[str, Any]:
    return {"__ndarray__": [1e300, 1.0], "dtype": dtype, "shape": [2]}


@pytest.mark.parametrize(
    "answers",
    [
        {"a": _form("float32")},  # one array, on the fast path
        {"a": [_form("float32")] * 500},  # a history, stacked
        {"a": [_form("float32"), {**_form("float32"), "Corder": True}]},  # array by array
        {"a": _form("float32"), "n": float("nan")},  # the standard path
        {"a": _form("float16")},
    ],
    ids=["array", "history", "array by array", "standard path", "float16"],
)
def test_a_number_beyond_the_dtype_becomes_inf_without_a_warning(answers: Any) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = loads_answers(json.dumps(answers).encode())
    value = np.asarray(loaded["a"])
    assert value.dtype.name == ("float16" if "float16" in str(answers) else "float32")
    assert np.isinf(value[..., 0]).all() and (value[..., 1] == 1).all()


def test_a_number_with_too_many_digits_is_named_as_such() -> None:
    import sys

    with pytest.raises(LoadError) as caught:
        loads_answers(b'{"a": [1, ' + b"9" * 5000 + b"]}")
    digits = sys.get_int_max_str_digits()
    assert (
        str(caught.value) == f"not JSON this checker reads: a number with more than {digits} digits"
    )


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        (120_000_018, "the file is 114.4 MiB, more than the 5 MiB limit"),
        (6 * 2**20, "the file is 6 MiB, more than the 5 MiB limit"),
        # Where the rounded sizes look equal, the exact ones.
        (5 * 2**20 + 1, "the file is 5242881 bytes, more than the 5242880-byte limit"),
    ],
)
def test_a_file_too_big_is_refused_in_sizes_a_person_reads(
    tmp_path: Path, size: int, reason: str
) -> None:
    from gdtutor.safeload import load_answers

    path = tmp_path / "big.json"
    with path.open("wb") as file:
        file.truncate(size)  # sparse: takes no room on disk
    with pytest.raises(LoadError) as caught:
        load_answers(path)
    assert str(caught.value) == reason
    if size < 2**23:  # and the same from the bytes themselves
        with pytest.raises(LoadError) as caught:
            loads_answers(b" " * size)
        assert str(caught.value) == reason


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types, all the way down (arrays: dtype, shape and bits)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            type(a) is type(b)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and a.tobytes() == b.tobytes()
        )
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return type(b) is list and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and (a == b or (a != a and b != b))


#: Answer files as the exercises and the notebook write them, right and wrong.
_AS_EXERCISES_WRITE_THEM: list[Callable[[], str]] = [
    lambda: json_tricks.dumps(learner_answers()),
    lambda: json_tricks.dumps(learner_answers(cell_3={"zero": False})),
    lambda: json_tricks.dumps(learner_answers(cell_2={"lr": 0.01})),
    lambda: json_tricks.dumps(
        {k: list(v) if v.ndim else v for k, v in reference_answers().items()}
    ),
    lambda: json_tricks.dumps({"fn_history_2": [1.0, 2, True], "note": "seed: 3", "n": None}),
    lambda: json_tricks.dumps({"xy_grad": np.float64(2.5), "X_grad": np.arange(6).reshape(2, 3)}),
    lambda: json_tricks.dumps({"a": np.ones(3)}, properties={"ndarray_compact": True}),
    lambda: json_tricks.dumps({"a": [np.ones(2, np.float32), np.ones(3, np.float32)]}),
    lambda: json_tricks.dumps({"a": [np.ones(2, np.float32), np.ones(2, np.float64)]}),
    lambda: json_tricks.dumps({"a": [np.float32(1), np.float32(2)], "b": []}),
]


@pytest.mark.parametrize("case", range(len(_AS_EXERCISES_WRITE_THEM)))
def test_the_fast_parser_gives_what_the_standard_one_gives(case: int) -> None:
    from gdtutor.safeload import _fast, _standard

    data = _AS_EXERCISES_WRITE_THEM[case]().encode()
    standard = _standard(data.decode())
    fast = _fast(data)
    if case < 4:  # the course's files take the fast path
        assert fast is not None
    assert fast is None or _same(fast, standard), (fast, standard)
    assert _same(loads_answers(data), standard)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # A key given twice where the fast path would otherwise keep the last one.
        ('{"a": [{"__ndarray__": 1.0, "dtype": "float32", "shape": [], "shape": []}]}', "'shape'"),
        ('{"a": {"__ndarray__": 1.0, "dtype": "int8", "dtype": "int8", "shape": []}}', "'dtype'"),
        ('{"a": 1, "b": ":", "a": 2}', "duplicate key 'a'"),
        ('{"a:": 1, "a:": 2}', "duplicate key 'a:'"),
        # An escaped colon cannot hide a repeated key from the count.
        ('{"a": 1, "a": 2, "\\u003a": 3}', "duplicate key 'a'"),
        # Refusals keep the standard path's message, whichever path the file starts on.
        ('{"a": [{"__ndarray__": 1.0, "dtype": "load", "shape": []}]}', "dtype 'load'"),
        ('{"a": [{"__ndarray__": [1.0], "dtype": ["int8"], "shape": [1]}]}', "dtype ['int8']"),
        ('{"a": {"__ndarray__": [1.0], "dtype": {"x": 1}, "shape": [1]}}', "dtype {'x': 1}"),
        ('{"a": [{"__ndarray__": "1.0", "dtype": "float32", "shape": []}]}', "neither numbers"),
        # A history whose later arrays differ from the first in data, dtype, shape or fields.
        (
            '{"a": [{"__ndarray__": [1.0, 2.0], "dtype": "float32", "shape": [2]}, '
            '{"__ndarray__": "ab", "dtype": "float32", "shape": [2]}]}',
            "neither numbers",
        ),
        (
            '{"a": [{"__ndarray__": [1.0, 2.0], "dtype": "float32", "shape": [2]}, '
            '{"__ndarray__": [1.0, 2.0, 3.0], "dtype": "float32", "shape": [2]}]}',
            "declares shape [2] but holds shape [3]",
        ),
        (
            '{"a": [{"__ndarray__": [1.0], "dtype": "float32", "shape": [1]}, '
            '{"__ndarray__": [{"b": 1}], "dtype": "float32", "shape": [1]}]}',
            "must be numbers",
        ),
        (
            '{"a": [{"__ndarray__": [1.0], "dtype": "float32", "shape": [1]}, '
            '{"__ndarray__": [1.5], "dtype": "int8", "shape": [1]}]}',
            "must be integers",
        ),
        (
            '{"a": [{"__ndarray__": [1.0], "dtype": "float32", "shape": [1]}, '
            '{"__ndarray__": [1.0], "dtype": "float32", "shape": [1], "__x__": 1}]}',
            "'__x__'",
        ),
        (
            '{"a": [{"__ndarray__": [1%s], "dtype": "float32", "shape": [1]}]}' % ("0" * 400),
            "do not fit",
        ),
        ('{"__set__": [1, 2]}', "'__set__' payload"),
        ('{"a": [1, {"__instance_type__": ["os", "system"]}]}', "class instance"),
        (
            '{"a": {"__ndarray__": "b64:AAAAAA==", "dtype": "float32", "shape": [1], '
            '"endian": []}}',
            "endian []",
        ),
    ],
)
def test_files_the_fast_path_must_not_accept_get_the_standard_refusal(
    text: str, reason: str
) -> None:
    with pytest.raises(LoadError) as caught:
        loads_answers(text.encode())
    assert reason in str(caught.value), str(caught.value)
    # With per_key, a duplicate key or a refused top level still refuses the file; anything
    # else is the key's.
    try:
        loaded = loads_answers(text.encode(), per_key=True)
    except LoadError as error:
        assert "duplicate key" in str(error) or reason == "'__set__' payload"
        assert reason in str(error)
    else:
        assert reason in loaded["a"].reason


def test_the_fast_path_converts_a_history_to_one_array() -> None:
    from gdtutor.safeload import _fast

    loaded = _fast(json_tricks.dumps(learner_answers()).encode())
    assert loaded is not None
    assert loaded["var_history_3"].shape == (500, 2) and loaded["var_history_3"].dtype == np.float32


@pytest.mark.parametrize(
    ("got", "want", "close"),
    [
        ([np.inf, 1.0], [np.inf, 1.0], True),
        ([np.nan, 1.0], [np.nan, 1.0], True),
        ([5.0, 1.0], [np.inf, 1.0], False),
        ([-np.inf, 1.0], [np.inf, 1.0], False),
        ([np.inf, 1.0], [5.0, 1.0], False),
        ([np.nan, 1.0], [5.0, 1.0], False),
        ([5.0, 1.0], [np.nan, 1.0], False),
    ],
)
def test_a_non_finite_entry_is_close_only_to_the_same_value(
    got: list[float], want: list[float], close: bool
) -> None:
    assert is_close(np.array(got), np.array(want)) is close


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("data", [b'{"a": [1.0]}', b'{"a": "\\u0041"}', b"[1]"])
def test_loading_leaves_the_cycle_collector_as_it_found_it(enabled: bool, data: bytes) -> None:
    import gc

    (gc.enable if enabled else gc.disable)()
    try:
        try:
            loads_answers(data)
        except LoadError:
            pass
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def _same_rows(a: list[KeyCheck], b: list[KeyCheck]) -> bool:
    """Equal rows, where a nan error equals a nan error."""

    def fields(row: KeyCheck) -> tuple:
        return tuple("nan" if v != v else v for v in dataclasses.astuple(row))

    return list(map(fields, a)) == list(map(fields, b))


def _non_finite() -> dict[str, Any]:
    answers = reference()
    answers["var_history_2"] = answers["var_history_2"].copy()
    answers["var_history_2"][7] = [np.nan, np.inf]
    return answers


#: Complete files, each key of the reference's shape: right, wrong and odd.
_WHOLE_FILES: dict[str, Callable[[], dict[str, Any]]] = {
    "reference": reference,
    "as a learner saves it": learner_answers,
    "every history float64": lambda: {
        k: np.asarray(v, np.float64) if k.startswith("var") else v
        for k, v in learner_answers().items()
    },
    "integers": lambda: {**reference(), "xy_grad": [1, 1]},
    "gradients not zeroed": lambda: learner_answers(cell_2={"zero": False}),
    "recorded before the step": lambda: learner_answers(cell_4={"point_when": "before"}),
    "twice the gradient": lambda: {**reference(), "X_grad": 2 * reference()["X_grad"]},
    "a nan and an infinity": _non_finite,
    "off by a little": lambda: {
        k: np.asarray(v) * (1 + 0.5 * RTOL) for k, v in reference().items()
    },
}


@pytest.mark.parametrize("name", list(_WHOLE_FILES))
def test_a_whole_file_compared_at_once_gets_the_rows_of_a_key_by_key_check(name: str) -> None:
    from gdtutor.checking import _joined, _rows_key_by_key

    answers = _WHOLE_FILES[name]()
    at_once = _joined().rows(answers)
    assert at_once is not None
    assert _same_rows(at_once, _rows_key_by_key(answers)), name


def test_a_diverged_float64_history_fails_without_a_numpy_warning() -> None:
    import warnings

    answers = reference()
    answers["var_history_2"] = np.full((500, 2), 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_answers(answers)
    assert result["var_history_2"].verdict == "fail" and result.failed_lessons() == [4]


def test_a_file_missing_a_key_or_with_a_wrong_shape_is_checked_key_by_key() -> None:
    from gdtutor.checking import _joined

    partial = reference()
    del partial["xy_grad"]
    short = {**reference(), "fn_history_3": reference()["fn_history_3"][:-1]}
    text = {**reference(), "X_grad": "[[20.0]]"}
    assert _joined().rows(partial) is _joined().rows(short) is _joined().rows(text) is None
    assert check_answers(short)["fn_history_3"].verdict == "wrong shape"


def test_is_close_and_abs_errors_take_lists_and_name_bad_arguments() -> None:
    assert is_close([1.0, 2.0], [1.0, 2.0]) and not is_close([1.0], [1.0, 2.0])
    assert abs_errors([1.0, 3.0], [1.5, 3.0])[0].tolist() == [0.5, 0.0]
    with pytest.raises(
        ValueError, match=r"^got and want must have one shape, got \(2,\) and \(3,\)$"
    ):
        abs_errors(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"^atol must be a finite number >= 0, got nan$"):
        is_close([1.0], [1.0], atol=math.nan)
    with pytest.raises(ValueError, match=r"^rtol must be a finite number >= 0, got -1$"):
        is_close([1.0], [1.0], rtol=-1)
    for odd in (True, 10**400):
        with pytest.raises(ValueError, match=r"^atol must be a finite number >= 0, got"):
            is_close([1.0], [1.0], atol=odd)
    assert is_close(torch.ones(2, requires_grad=True), [1.0, 1.0])
    with pytest.raises(TypeError, match=r"^want must be real numbers, got an array of <U1$"):
        is_close([1.0], ["a"])


def test_check_answers_reads_tensors_as_save_answers_does() -> None:
    """A tensor in a learner's dict (not from a file) is read for its numbers, as
    save_answers reads it; one with no numbers to read, or tensors inside a list, are named."""
    X = torch.tensor(np.asarray(reference()["X_grad"]))
    cases = {
        "bfloat16": (X.to(torch.bfloat16), "pass", ""),
        "sparse": (X.to_sparse(), "pass", ""),
        "meta": (torch.empty(3, 4, device="meta"), "not numeric", "holds a tensor whose numbers"),
        "complex": (X.to(torch.complex64), "not numeric", "holds a tensor of complex64"),
        "list": (list(X.clone().requires_grad_()), "not numeric", "holds tensors: save their"),
    }
    for name, (value, verdict, hint) in cases.items():
        row = check_answers({**reference(), "X_grad": value})["X_grad"]
        assert (row.verdict, row.hint[: len(hint)]) == (verdict, hint), name
