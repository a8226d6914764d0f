"""The notebook's answer file: reference_answers() must be the very numbers the notebook's
solved cells produce, and writing it must never destroy a learner's own file."""

from __future__ import annotations

import json_tricks
import numpy as np
import pytest
import torch

import gdtutor.answers
from gdtutor import skewed
from gdtutor.answers import (
    ANSWER_KEYS,
    NOTEBOOK_LR,
    NOTEBOOK_START,
    NOTEBOOK_STEPS,
    NOTEBOOK_X,
    notebook_skewed,
    reference_answers,
    write_answers,
)


def _solved_notebook() -> dict:
    """The notebook's cells with their ``## YOUR CODE HERE ##`` parts solved, run as written."""
    answer = {}

    X = torch.tensor(
        [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]], requires_grad=True
    )
    function = 10 * (X**2).sum()
    function.backward()
    answer["X_grad"] = X.grad.clone().numpy()

    def function_skewed(variable):
        gramma = torch.tensor([[1.0, -1.0], [1.0, 1.0]]) @ torch.tensor([[1.0, 0.0], [0.0, 4.0]])
        res = 10 * (variable.unsqueeze(0) @ (gramma @ variable.unsqueeze(1))).sum()
        return res

    def make_gradient_step(function, X):
        res = function(X)
        res.backward()
        X.data -= 0.001 * X.grad
        X.grad.zero_()

    x = torch.tensor([8.0, 8.0], requires_grad=True)
    var_history = []
    fn_history = []
    for i in range(500):  # noqa: B007 - the notebook's loop, as written
        var_history.append(x.data.cpu().numpy().copy())
        fn_history.append(function_skewed(x).data.cpu().numpy().copy())
        make_gradient_step(function_skewed, x)
    answer["var_history_2"] = var_history
    answer["fn_history_2"] = fn_history

    for suffix, make_optimizer in [
        ("3", lambda x: torch.optim.SGD([x], lr=0.001)),
        ("4", lambda x: torch.optim.AdamW([x], lr=1)),
    ]:
        x = torch.tensor([8.0, 8.0], requires_grad=True)
        var_history = []
        fn_history = []
        optimizer = make_optimizer(x)
        for i in range(500):  # noqa: B007 - the notebook's loop, as written
            optimizer.zero_grad()
            function_result = function_skewed(x)
            function_result.backward()
            optimizer.step()
            var_history.append(x.data.cpu().numpy().copy())
            fn_history.append(function_result.data.cpu().numpy().copy())
        answer[f"var_history_{suffix}"] = var_history
        answer[f"fn_history_{suffix}"] = fn_history
    return answer


@pytest.fixture(scope="module")
def reference() -> dict:
    return reference_answers()


@pytest.fixture(scope="module")
def notebook() -> dict:
    return _solved_notebook()


def _entries(value) -> list:
    return value if isinstance(value, list) else [value]


def _assert_same_bits(got, expected) -> None:
    assert isinstance(got, np.ndarray)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()


def test_the_seven_keys_in_notebook_order(reference, notebook) -> None:
    assert len(ANSWER_KEYS) == 7
    assert tuple(reference) == ANSWER_KEYS
    assert tuple(notebook) == ANSWER_KEYS


@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_reference_is_bitwise_the_notebook(reference, notebook, key) -> None:
    assert type(reference[key]) is type(notebook[key])
    assert len(_entries(reference[key])) == len(_entries(notebook[key]))
    for got, expected in zip(_entries(reference[key]), _entries(notebook[key]), strict=True):
        _assert_same_bits(got, expected)


def test_shapes_and_facts_of_the_reference(reference) -> None:
    np.testing.assert_array_equal(reference["X_grad"], 20 * np.array(NOTEBOOK_X))
    assert reference["X_grad"].dtype == np.float32
    for suffix in "234":
        points, values = reference[f"var_history_{suffix}"], reference[f"fn_history_{suffix}"]
        assert len(points) == len(values) == NOTEBOOK_STEPS
        assert all(p.shape == (2,) and p.dtype == np.float32 for p in points)
        assert all(v.shape == () and v.dtype == np.float32 for v in values)
        assert values[0] == 1280.0  # every run's first value is f(8, 8)
    # The hand-written run records the start first; the optimizer runs record after a step.
    np.testing.assert_array_equal(reference["var_history_2"][0], NOTEBOOK_START)
    np.testing.assert_array_equal(reference["var_history_3"][0], reference["var_history_2"][1])


def test_notebook_constants() -> None:
    assert NOTEBOOK_START == (8.0, 8.0)
    assert NOTEBOOK_STEPS == 500
    assert NOTEBOOK_LR == {"manual": 0.001, "SGD": 0.001, "AdamW": 1.0}


def test_notebook_skewed_is_skewed() -> None:
    for point in [(8.0, 8.0), (1.0, 0.0), (-3.0, 2.5)]:
        v = torch.tensor(point)
        assert notebook_skewed(v).ndim == 0
        torch.testing.assert_close(notebook_skewed(v), skewed(v))


def test_json_tricks_round_trip(reference) -> None:
    loaded = json_tricks.loads(json_tricks.dumps(reference))
    assert tuple(loaded) == ANSWER_KEYS
    for key in ANSWER_KEYS:
        for got, expected in zip(_entries(loaded[key]), _entries(reference[key]), strict=True):
            # json_tricks gives 0-d arrays back as numpy scalars; the numbers are the same bits.
            _assert_same_bits(np.asarray(got), expected)


def test_write_answers_writes_the_reference(tmp_path, reference) -> None:
    path = tmp_path / "reference.json"
    written = write_answers(str(path))
    assert written == path
    loaded = json_tricks.loads(path.read_text(encoding="utf-8"))
    for key in ANSWER_KEYS:
        for got, expected in zip(_entries(loaded[key]), _entries(reference[key]), strict=True):
            _assert_same_bits(np.asarray(got), expected)
    assert list(tmp_path.iterdir()) == [path]


@pytest.fixture
def quick(monkeypatch, reference) -> None:
    """Skip the second of computing the answers when only the file handling is under test."""
    monkeypatch.setattr(gdtutor.answers, "reference_answers", lambda: reference)


@pytest.mark.usefixtures("quick")
def test_write_answers_refuses_to_overwrite(tmp_path, reference) -> None:
    path = tmp_path / ".answer.json"
    path.write_text("my own answers", encoding="utf-8")
    before = path.stat()
    with pytest.raises(FileExistsError, match=r"\.answer\.json exists; pass overwrite=True"):
        write_answers(path)
    assert path.read_text(encoding="utf-8") == "my own answers"
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert list(tmp_path.iterdir()) == [path]

    assert write_answers(path, overwrite=True) == path
    loaded = json_tricks.loads(path.read_text(encoding="utf-8"))
    np.testing.assert_array_equal(loaded["X_grad"], reference["X_grad"])
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.usefixtures("quick")
def test_failed_write_leaves_no_temporary_file(tmp_path) -> None:
    target = tmp_path / "a-directory"
    target.mkdir()
    with pytest.raises(OSError):
        write_answers(target, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory"]
    with pytest.raises(FileNotFoundError):
        write_answers(tmp_path / "missing" / "a.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory"]
