"""The answer checker: verdicts, tolerances and hints, on answers computed the way a learner
would compute them in the course notebook, right and wrong; and the safe loader's parsing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import json_tricks
import numpy as np
import pytest
import torch

from gdtutor.answers import ANSWER_KEYS, notebook_skewed, reference_answers
from gdtutor.checking import ATOL, CheckResult, KeyCheck, check_answers, format_report
from gdtutor.safeload import NUMERIC_DTYPES, LoadError, loads_answers

NOTEBOOK = {"2": ("manual", 0.001), "3": ("SGD", 0.001), "4": ("AdamW", 1.0)}


def skewed_by_hand(v: torch.Tensor) -> torch.Tensor:
    """The notebook's skewed function written out with plain arithmetic."""
    x, y = v[0], v[1]
    return 10 * (x * x - 3 * x * y + 4 * y * y)


def notebook_run(
    cell: str,
    *,
    lr: float | None = None,
    objective: Callable[[torch.Tensor], torch.Tensor] = notebook_skewed,
    dtype: torch.dtype = torch.float32,
    update: str = "data",
    zero: bool = True,
    point_when: str | None = None,
    value_when: str = "before",
    steps: int = 500,
) -> dict[str, list[Any]]:
    """One of the notebook's descent cells as a learner writes it, with the given choices.

    Cell ``"2"`` is the hand-written step (``update`` says how ``x`` is changed), ``"3"``
    SGD and ``"4"`` AdamW. The notebook takes values before the step, and points before it
    in cell 2 and after it in cells 3 and 4.
    """
    method, notebook_lr = NOTEBOOK[cell]
    lr = notebook_lr if lr is None else lr
    point_when = point_when or ("before" if cell == "2" else "after")
    x = torch.tensor([8.0, 8.0], dtype=dtype, requires_grad=True)
    optimizer = None if method == "manual" else getattr(torch.optim, method)([x], lr=lr)
    var_history, fn_history = [], []
    for _ in range(steps):
        if point_when == "before":
            var_history.append(x.data.cpu().numpy().copy())
        if optimizer is not None and zero:
            optimizer.zero_grad()
        function_result = objective(x)
        function_result.backward()
        if optimizer is not None:
            optimizer.step()
        elif update == "data":
            x.data -= lr * x.grad
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
    return {f"var_history_{cell}": var_history, f"fn_history_{cell}": fn_history}


def learner_answers(**cells: dict[str, Any]) -> dict[str, Any]:
    """The notebook's answer dict with the given cells ("2", "3", "4") run differently."""
    X = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])
    X.requires_grad_(True)
    function = 10 * (X**2).sum()
    function.backward()
    answer: dict[str, Any] = {"X_grad": X.grad.clone().numpy()}
    for cell in NOTEBOOK:
        answer.update(notebook_run(cell, **cells.get(f"cell_{cell}", {})))
    return {key: answer[key] for key in ANSWER_KEYS}


def test_the_reference_passes_every_key_exactly() -> None:
    result = check_answers(reference_answers())
    assert [row.key for row in result.rows] == list(ANSWER_KEYS)
    assert {row.verdict for row in result.rows} == {"pass"}
    assert all(row.max_abs_error == 0 and row.hint == "" for row in result.rows)
    assert result.passed and result.summary() == "7 of 7 keys pass"


def test_the_notebook_cells_written_as_a_learner_would_pass() -> None:
    assert check_answers(learner_answers()).passed


# Choices that change only float rounding: the checker must accept them.
ROUNDING_ONLY = {
    "plain arithmetic": {"objective": skewed_by_hand},
    "x -= lr * x.grad under no_grad": {"update": "no_grad"},
    "x.data = x.data - lr * x.grad": {"update": "reassign"},
    "float64 with plain arithmetic": {"objective": skewed_by_hand, "dtype": torch.float64},
}


@pytest.mark.parametrize("cell", NOTEBOOK)
@pytest.mark.parametrize("choice", ROUNDING_ONLY, ids=list(ROUNDING_ONLY))
def test_rounding_differences_pass(cell: str, choice: str) -> None:
    answers = learner_answers(**{f"cell_{cell}": ROUNDING_ONLY[choice]})
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
    ({"cell_2": {"lr": 0.1}}, "var_history_2", "lr=0.1 instead"),  # diverges to inf and nan
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
        "recorded after the step instead of before",
    ),
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
]


@pytest.mark.parametrize(("cells", "key", "hint"), MISTAKES)
def test_each_typical_mistake_fails_with_its_hint(cells: dict, key: str, hint: str) -> None:
    result = check_answers(learner_answers(**cells))
    assert result[key].verdict == "fail"
    assert hint in result[key].hint
    assert not result.passed
    untouched = [k for k in ANSWER_KEYS if k[-1] not in {c[-1] for c in cells}]
    assert all(result[k].verdict == "pass" for k in untouched)


@pytest.mark.parametrize(
    ("factor", "hint"),
    [(2, "2 times the reference: backward() ran 2 times"), (0.1, "the factor 10 of f is missing")],
)
def test_a_wrong_gradient_gets_a_hint(factor: float, hint: str) -> None:
    answers = reference_answers()
    answers["X_grad"] = answers["X_grad"] * factor
    row = check_answers(answers)["X_grad"]
    assert row.verdict == "fail" and hint in row.hint


@pytest.mark.parametrize(("steps", "hint"), [(499, "1 step missing"), (501, "1 step extra")])
def test_a_history_of_the_wrong_length_says_how_many_steps(steps: int, hint: str) -> None:
    answers = learner_answers(cell_3={"steps": steps})
    result = check_answers(answers)
    for key in ("var_history_3", "fn_history_3"):
        assert result[key].verdict == "wrong shape"
        assert result[key].hint == f"{steps} entries instead of 500: {hint}"
    assert result["var_history_2"].verdict == "pass"


def test_an_unknown_error_fails_without_a_hint() -> None:
    answers = reference_answers()
    answers["var_history_2"] = [p + 0.5 for p in answers["var_history_2"]]
    row = check_answers(answers)["var_history_2"]
    assert (row.verdict, row.hint) == ("fail", "")
    assert row.max_abs_error == pytest.approx(0.5)


@pytest.mark.parametrize(("fraction", "verdict"), [(0.5 * ATOL, "pass"), (2 * ATOL, "fail")])
def test_the_absolute_tolerance_scales_with_the_largest_reference_value(
    fraction: float, verdict: str
) -> None:
    answers = reference_answers()
    history = np.array(answers["fn_history_4"], dtype=np.float64)
    history[-1] += fraction * np.abs(history).max()  # the last values are ~0: rtol cannot help
    answers["fn_history_4"] = history
    assert check_answers(answers)["fn_history_4"].verdict == verdict


def test_a_partly_done_file_still_checks_the_keys_it_has() -> None:
    answers = reference_answers()
    del answers["var_history_4"], answers["fn_history_4"]
    answers["var_history_3"] = answers["var_history_3"][0]  # one point, not the history
    answers["my_notes"] = "try lr=0.002 next"
    result = check_answers(answers)
    verdicts = {row.key: row.verdict for row in result.rows}
    assert verdicts == {
        "X_grad": "pass",
        "var_history_2": "pass",
        "fn_history_2": "pass",
        "var_history_3": "wrong shape",
        "fn_history_3": "pass",
        "var_history_4": "missing",
        "fn_history_4": "missing",
        "my_notes": "extra",
    }
    assert result["var_history_3"].hint == "shape (2,) instead of (500, 2)"
    assert result.summary() == "4 of 7 keys pass; 1 wrong shape, 2 missing, 1 extra"
    assert not result.passed


@pytest.mark.parametrize(
    ("value", "verdict", "hint"),
    [
        (["8.0", "7.84"], "not numeric", "holds text, expected numbers"),
        ([{"x": 1}], "not numeric", "holds non-numbers, expected numbers"),
        ([[8.0, 8.0], [7.8]], "wrong shape", "ragged: its entries have different shapes"),
        (np.zeros((500, 1, 2)), "wrong shape", "shape (500, 1, 2) instead of (500, 2)"),
    ],
)
def test_values_that_are_not_a_numeric_array(value: Any, verdict: str, hint: str) -> None:
    answers = reference_answers()
    answers["var_history_2"] = value
    row = check_answers(answers)["var_history_2"]
    assert (row.verdict, row.hint) == (verdict, hint)


def test_the_right_numbers_in_the_wrong_shape_are_named() -> None:
    answers = reference_answers()
    answers["fn_history_2"] = np.array(answers["fn_history_2"])[:, None]
    assert "with the right numbers" in check_answers(answers)["fn_history_2"].hint


def test_a_given_reference_replaces_the_notebook() -> None:
    result = check_answers({"a": [1.0, 2.0], "b": 3}, reference={"a": np.array([1.0, 2.0])})
    assert [(row.key, row.verdict) for row in result.rows] == [("a", "pass"), ("b", "extra")]
    message = r"reference\['a'\] must hold numbers, got a value that holds text"
    with pytest.raises(ValueError, match=message):
        check_answers({}, reference={"a": ["x"]})


def test_the_result_is_immutable_and_reports_a_table() -> None:
    result = check_answers({"X_grad": reference_answers()["X_grad"]})
    assert isinstance(result, CheckResult) and isinstance(result.rows, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.rows[0].verdict = "fail"  # type: ignore[misc]
    lines = format_report(result).splitlines()
    assert lines[0].split() == ["key", "verdict", "max", "abs", "err", "max", "rel", "err", "hint"]
    assert lines[1].split() == ["X_grad", "pass", "0.0e+00", "0.0e+00"]
    assert lines[2].split()[:2] == ["var_history_2", "missing"]
    assert lines[-1] == "1 of 7 keys pass; 6 missing"
    with pytest.raises(KeyError):
        result["nope"]
    assert KeyCheck("k", "missing").max_abs_error is None


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


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": {"__ndarray__": [1, 2, 3], "dtype": "int64", "shape": [2]}}', "declares shape"),
        ('{"a": {"__ndarray__": [1.5], "dtype": "int64", "shape": [1]}}', "must be integers"),
        ('{"a": {"__ndarray__": [300], "dtype": "uint8", "shape": [1]}}', "do not fit dtype"),
        ('{"a": {"__ndarray__": ["1.5"], "dtype": "float32", "shape": [1]}}', "must be numbers"),
        ('{"a": {"__ndarray__": [null], "dtype": "float32", "shape": [1]}}', "must be numbers"),
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
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        (
            '{"a": {"__ndarray__": [1.0], "dtype": "float32", "shape": [1]}, "b": {"__x__": 0}}',
            "'__x__'",
        ),
    ],
)
def test_malformed_arrays_and_objects_are_refused(text: str, reason: str) -> None:
    with pytest.raises(LoadError) as caught:
        loads_answers(text.encode())
    assert reason in str(caught.value) and "\n" not in str(caught.value)
