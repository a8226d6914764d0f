"""The answer file: the shipped reference answers must be the very numbers the course's
solved cells produce, computing them again must give the same bits, and writing them must
never destroy a learner's own file."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import json_tricks
import numpy as np
import pytest
import torch

from gdtutor import skewed
from gdtutor.answers import (
    ANSWER_KEYS,
    NOTEBOOK_KEYS,
    NOTEBOOK_LR,
    NOTEBOOK_START,
    NOTEBOOK_STEPS,
    NOTEBOOK_X,
    compute_answers,
    notebook_history,
    notebook_run,
    notebook_skewed,
    reference_answers,
    save_answers,
    start_exercise,
    write_answers,
)
from gdtutor.checking import check_answers
from gdtutor.safeload import MAX_BYTES
from tests.conftest import learner_answers, learner_run

GALLERY = Path(__file__).parents[1] / "gallery"


@pytest.fixture(scope="module")
def reference() -> dict:
    return dict(reference_answers())


@pytest.fixture(scope="module")
def solved() -> dict:
    return learner_answers()


def _assert_same_bits(got, expected) -> None:
    got = np.asarray(got, dtype=np.float32) if isinstance(got, list) else got
    assert isinstance(got, np.ndarray)
    assert got.dtype == expected.dtype == np.float32
    assert got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("cell", ["parabola", "2"])
def test_the_notebooks_update_of_x_data_gives_the_lessons_points(reference, cell) -> None:
    """The course asks for an update of ``x.data``; lesson 3 teaches the step in place under
    ``torch.no_grad()``: the exercises page says the two give the same points."""
    data, no_grad = learner_run(cell), learner_run(cell, update="no_grad")
    for key in data:  # the same bits (assert_array_equal would take -0.0 for 0.0)
        assert np.asarray(data[key]).tobytes() == np.asarray(no_grad[key]).tobytes()
        assert np.asarray(data[key]).tobytes() == np.asarray(reference[key]).tobytes()


def test_every_key_in_lesson_order(reference, solved) -> None:
    assert list(reference) == list(ANSWER_KEYS) == list(solved)
    lessons = [info.lesson for info in ANSWER_KEYS.values()]
    assert lessons == sorted(lessons)
    assert NOTEBOOK_KEYS == (
        "X_grad", "var_history_2", "fn_history_2", "var_history_3", "fn_history_3",
        "var_history_4", "fn_history_4",
    )  # fmt: skip
    for info in ANSWER_KEYS.values():
        assert (GALLERY / info.exercise.replace("_exercise", "")).is_file()
        assert info.exercise.startswith(f"plot_{info.lesson:02d}_")


@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_reference_is_bitwise_the_solved_exercises(reference, solved, key) -> None:
    _assert_same_bits(solved[key], reference[key])


@pytest.fixture(scope="module")
def computed() -> dict:
    return compute_answers()


@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_the_shipped_data_is_what_the_code_computes(reference, computed, key) -> None:
    # If this fails after a deliberate change to the runs, regenerate the data with
    # python -c "from gdtutor.answers import _dump_reference; _dump_reference()"
    _assert_same_bits(reference[key], computed[key])


def test_the_reference_is_read_only(reference) -> None:
    with pytest.raises(ValueError, match="read-only"):
        reference["X_grad"][0, 0] = 1.0
    with pytest.raises(TypeError, match="does not support item assignment"):
        reference_answers()["X_grad"] = None  # type: ignore[index]


def test_checking_a_passing_file_never_imports_torch(tmp_path) -> None:
    path = tmp_path / ".answer.json"
    write_answers(path)
    code = (
        "import sys; from gdtutor.cli import main; status = main(['check', sys.argv[1]]); "
        "assert 'torch' not in sys.modules, 'torch was imported'; sys.exit(status)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "10 of 10 keys pass" in done.stdout


@pytest.mark.parametrize("run", ["parabola", "manual", "SGD", "AdamW"])
def test_notebook_history_is_a_view_of_the_plain_run(run) -> None:
    trajectory = notebook_run(run)
    points, values = notebook_history(run, trajectory)
    np.testing.assert_array_equal(values, trajectory.values)
    if run in ("SGD", "AdamW"):  # the point after each step, next to the value before it
        np.testing.assert_array_equal(points, [*trajectory.points[1:], trajectory.end_point])
    else:
        np.testing.assert_array_equal(points, trajectory.points)


def test_notebook_run_refuses_an_unknown_run() -> None:
    with pytest.raises(ValueError, match=r"run must be one of \['parabola', 'manual', 'SGD', "):
        notebook_run("Adam")


def test_shapes_and_facts_of_the_reference(reference) -> None:
    np.testing.assert_array_equal(reference["X_grad"], 20 * np.array(NOTEBOOK_X))
    np.testing.assert_array_equal(reference["xy_grad"], [1.0, 1.0])
    for suffix in ("parabola", "2", "3", "4"):
        points, values = reference[f"var_history_{suffix}"], reference[f"fn_history_{suffix}"]
        assert points.shape == (NOTEBOOK_STEPS, 2)
        assert values.shape == (NOTEBOOK_STEPS,)
        assert values[0] == 1280.0  # every run's first value is f(8, 8)
    # The hand-written run records the start first; the optimizer runs record after a step.
    np.testing.assert_array_equal(reference["var_history_2"][0], NOTEBOOK_START)
    np.testing.assert_array_equal(reference["var_history_3"][0], reference["var_history_2"][1])


def test_notebook_constants() -> None:
    assert NOTEBOOK_START == (8.0, 8.0)
    assert NOTEBOOK_STEPS == 500
    assert NOTEBOOK_LR == {"parabola": 0.001, "manual": 0.001, "SGD": 0.001, "AdamW": 1.0}


def test_notebook_skewed_is_skewed() -> None:
    for point in [(8.0, 8.0), (1.0, 0.0), (-3.0, 2.5)]:
        v = torch.tensor(point)
        assert notebook_skewed(v).ndim == 0
        torch.testing.assert_close(notebook_skewed(v), skewed(v))


def test_write_answers_writes_the_reference_as_the_exercises_save_theirs(tmp_path, reference):
    path = tmp_path / "reference.json"
    written = write_answers(str(path))
    assert written == path
    loaded = json_tricks.loads(path.read_text(encoding="utf-8"))
    assert list(loaded) == list(ANSWER_KEYS)
    for key in ANSWER_KEYS:
        if ANSWER_KEYS[key].run:  # a list with an array per step, as the exercises append
            assert isinstance(loaded[key], list) and len(loaded[key]) == NOTEBOOK_STEPS
        _assert_same_bits(np.array(loaded[key], dtype=np.float32), reference[key])
    assert list(tmp_path.iterdir()) == [path]
    # As MAX_BYTES's note says: about 330 KB, far below the limit.
    assert round(path.stat().st_size / 1000, -1) == 330
    assert path.stat().st_size < MAX_BYTES / 10


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


def test_failed_write_leaves_no_temporary_file_and_names_the_users_path(tmp_path) -> None:
    target = tmp_path / "a-directory"
    target.mkdir()
    with pytest.raises(OSError) as caught:
        write_answers(target, overwrite=True)
    assert str(caught.value) == f"cannot write {target}: it is a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory"]
    missing = tmp_path / "missing" / "a.json"
    with pytest.raises(FileNotFoundError) as caught:
        write_answers(missing)
    assert str(caught.value) == (
        f"cannot write {missing}: its folder {tmp_path / 'missing'} does not exist"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory"]


def test_save_answers_says_where_the_file_is(tmp_path, monkeypatch) -> None:
    from gdtutor.answers import save_answers

    monkeypatch.chdir(tmp_path)
    written = save_answers({"X_grad": [1.0]})
    assert written.is_absolute() and written.samefile(tmp_path / ".answer.json")


def test_save_answers_warns_of_a_started_key_of_its_lesson_that_answer_lacks(
    tmp_path, reference
) -> None:
    import warnings

    from gdtutor.answers import UNFINISHED, save_answers, start_exercise
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    start_exercise(["var_history_parabola", "fn_history_parabola"], path)  # lesson 3 stopped
    lesson_5 = ["var_history_3", "fn_history_3", "var_history_4", "fn_history_4"]
    start_exercise(lesson_5, path)
    # A notebook whose SGD cell (answer = {}) ran again after the AdamW cell.
    answer = {key: reference[key] for key in lesson_5[:2]}
    with pytest.warns(UserWarning) as caught:
        save_answers(answer, path)
    assert len(caught) == 1 and str(caught[0].message) == (
        "answer lacks keys of lesson 5's exercise, var_history_4, fn_history_4: not saved, "
        "the checker reports them as missing. Run the exercise again from its first cell to "
        "its last (in a notebook, a cell run again can start answer = {} afresh)"
    )
    assert caught[0].filename == __file__  # the caller's line, not gdtutor's
    saved = load_answers(path)
    assert saved[UNFINISHED] == ["var_history_parabola", "fn_history_parabola", *lesson_5[2:]]
    # Another lesson's unfinished keys are not this run's to warn about.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save_answers({key: reference[key] for key in lesson_5}, path)
    assert load_answers(path)[UNFINISHED] == ["var_history_parabola", "fn_history_parabola"]
    # One answer of two lessons, each with keys left: both are named.
    start_exercise(["var_history_parabola", "fn_history_parabola", *lesson_5], path)
    keys = ["var_history_parabola", *lesson_5[:2]]
    lacks = "fn_history_parabola, var_history_4, fn_history_4"
    with pytest.warns(UserWarning, match=f"^answer lacks keys of the exercises of lessons 3 "
                      f"and 5, {lacks}: not saved"):  # fmt: skip
        save_answers({key: reference[key] for key in keys}, path)


def test_save_answers_warns_that_a_key_answer_lacks_keeps_an_earlier_runs_value(
    tmp_path, reference
) -> None:
    """A notebook saved whole once; then its AdamW cell ran again (fixed), then its SGD cell
    (answer = {}) and the save cell: the file keeps the first run's AdamW answers."""
    from gdtutor.answers import save_answers, start_exercise
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    lesson_5 = ["var_history_3", "fn_history_3", "var_history_4", "fn_history_4"]
    start_exercise(lesson_5, path)
    first_run = {key: reference[key] for key in lesson_5}
    first_run["fn_history_4"] = 2 * np.asarray(first_run["fn_history_4"])
    save_answers(first_run, path)
    with pytest.warns(UserWarning) as caught:
        save_answers({key: reference[key] for key in lesson_5[:2]}, path)
    assert len(caught) == 1 and str(caught[0].message) == (
        "answer lacks keys of lesson 5's exercise, var_history_4, fn_history_4: the answer "
        "file keeps what an earlier run saved for them, which the checker checks. Run the "
        "exercise again from its first cell to its last (in a notebook, a cell run again can "
        "start answer = {} afresh)"
    )
    np.testing.assert_array_equal(load_answers(path)["fn_history_4"], first_run["fn_history_4"])


def test_save_answers_warns_that_an_optional_key_answer_lacks_is_not_attempted(
    tmp_path, reference
) -> None:
    """Lesson 3's keys are optional: one left out, never saved nor started, is reported as
    not attempted by the checker, and the warning says so."""
    from gdtutor.answers import save_answers
    from gdtutor.checking import check_answers
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    with pytest.warns(UserWarning) as caught:
        save_answers({"var_history_parabola": reference["var_history_parabola"]}, path)
    assert len(caught) == 1 and str(caught[0].message).startswith(
        "answer lacks keys of lesson 3's exercise, fn_history_parabola: not saved, the checker "
        "reports them as not attempted. "
    )
    verdict = check_answers(load_answers(path, per_key=True))["fn_history_parabola"].verdict
    assert verdict == "not attempted"


@pytest.mark.parametrize("answer", [{"__set__": [1]}, {"xy_grad": [{"__notes__": 1.0}]}])
def test_save_answers_refuses_a_key_named_as_json_tricks_names_its_objects(
    tmp_path, answer
) -> None:
    """Saved, the checker would refuse the file or the key: nothing is written."""
    from gdtutor.answers import save_answers

    with pytest.raises(TypeError, match="named as json_tricks names its objects"):
        save_answers(answer, tmp_path / ".answer.json")
    assert not (tmp_path / ".answer.json").exists()


def test_save_answers_saves_a_tensors_numbers(tmp_path, reference) -> None:
    """json_tricks writes a tensor as an empty object; save_answers saves its numbers."""
    from gdtutor.answers import save_answers
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    X = torch.tensor(NOTEBOOK_X, requires_grad=True)
    (10 * (X**2).sum()).backward()
    x = torch.tensor([3.0], requires_grad=True)
    values = [(x * step).sum() for step in range(3)]  # tensors that require grad
    with pytest.warns(
        UserWarning, match="^answer lacks keys of lesson 4's exercise, var_history_2"
    ):
        save_answers({"X_grad": X.grad, "fn_history_2": values}, path)
    saved = load_answers(path)
    assert np.array_equal(saved["X_grad"], reference["X_grad"])
    assert np.asarray(saved["fn_history_2"]).tolist() == [0.0, 3.0, 6.0]
    assert check_answers(saved)["X_grad"].verdict == "pass"


def _holding_itself() -> list:
    cycle: list = [1.0]
    cycle.append(cycle)
    return cycle


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ([1.0, print], "answer['X_grad'][1] holds a 'builtin_function_or_method' value"),
        ({"re": 1j}, "answer['X_grad']['re'] holds a 'complex' value"),
        (np.array(["a"]), "answer['X_grad'] holds an array of <U1"),
        (np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "answer['X_grad'] holds a masked array"),
        ([10**400], "answer['X_grad'][0] holds an integer over 2**1024"),
        (torch.tensor([1j]), "answer['X_grad'] holds a tensor of complex64"),
        (
            torch.empty(2, device="meta"),
            "answer['X_grad'] holds a tensor whose numbers cannot be read (Cannot copy out of "
            "meta tensor; no data!)",
        ),
        ({"a": {1: 2.0}}, "answer['X_grad']['a'] has the key 1: the keys of an answer file"),
        # Deeper than the checker reads: 64 lists inside the file's object; and a list that
        # holds itself (Python's recursion limit before).
        (
            functools.reduce(lambda inner, _: [inner], range(64), 1.0),
            "answer['X_grad'] holds lists or dicts nested too deeply, which an answer file "
            "cannot hold: the checker reads 64 levels",
        ),
        (_holding_itself(), "answer['X_grad'] holds lists or dicts nested too deeply"),
    ],
)
def test_save_answers_refuses_what_no_answer_file_holds_and_keeps_the_file(
    tmp_path, value, says
) -> None:
    from gdtutor.answers import save_answers

    path = tmp_path / ".answer.json"
    save_answers({"xy_grad": [1.0, 2.0]}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError) as caught:
        save_answers({"X_grad": value}, path)
    assert str(caught.value).startswith(says)
    assert path.read_bytes() == before
    # A key of answer that is not a string (1 and "1" would both be written as "1").
    with pytest.raises(TypeError, match=r"^answer has the key 1: the keys of an answer file"):
        save_answers({1: 2.0}, path)
    assert path.read_bytes() == before


def test_save_answers_saves_the_numbers_of_tensors_numpy_has_no_dtype_for(tmp_path) -> None:
    from gdtutor.answers import save_answers
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    dense = torch.tensor([[0.0, 2.5], [1.0, 0.0]])
    save_answers(
        {
            "a": dense.to(torch.bfloat16),
            "b": dense.to_sparse(),
            "c": torch.tensor(3.0).neg(),
            "d": np.longdouble(1.5),
            # Arrays in the other byte order, and a masked array with nothing masked.
            "e": dense.numpy().astype(">f4"),
            "f": np.array([1, 2], dtype=">i8"),
            "g": np.ma.masked_array([1.0, 2.0]),
        },
        path,
    )
    saved = load_answers(path)
    assert saved["e"].dtype == np.float32 and saved["e"].tolist() == dense.tolist()
    assert saved["f"].dtype == np.int64 and saved["f"].tolist() == [1, 2]
    assert saved["g"].tolist() == [1.0, 2.0]
    assert saved["a"].dtype == np.float32 and saved["a"].tolist() == dense.tolist()
    assert saved["b"].tolist() == dense.tolist() and saved["c"] == -3.0 and saved["d"] == 1.5


def test_an_exercise_adds_to_a_file_with_an_unreadable_key_and_keeps_that_key(
    tmp_path, reference
) -> None:
    """A tensor saved by other means (json_tricks itself): the exercises of the other
    lessons still run, the key stays for the checker to fail, and its own exercise replaces
    it."""
    from gdtutor.answers import save_answers, start_exercise
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    path.write_text(json_tricks.dumps({"X_grad": torch.ones(3, 4), "xy_grad": [4.0, 3.0]}))
    lesson_4 = ["var_history_2", "fn_history_2"]
    assert start_exercise(lesson_4, path) == []
    save_answers({key: reference[key] for key in lesson_4}, path)
    rows = check_answers(load_answers(path, per_key=True))
    assert [rows[key].verdict for key in ("X_grad", "var_history_2", "fn_history_2")] == [
        "not numeric",
        "pass",
        "pass",
    ]
    assert "a torch tensor, which json_tricks saves without its numbers" in rows["X_grad"].hint
    assert start_exercise(["X_grad"], path) == ["X_grad"]
    save_answers({"X_grad": reference["X_grad"]}, path)
    assert check_answers(load_answers(path))["X_grad"].verdict == "pass"


def test_the_notebooks_skewed_function_takes_a_float64_point_too() -> None:
    import torch

    from gdtutor.answers import notebook_skewed

    x = torch.tensor([8.0, 8.0], dtype=torch.float64, requires_grad=True)
    value = notebook_skewed(x)
    value.backward()
    assert value.dtype == torch.float64 and value.item() == 1280.0
    assert x.grad is not None and x.grad.tolist() == [-80.0, 400.0]


def test_values_that_never_change_may_come_from_a_point_that_bounces() -> None:
    """Lesson 3 at lr=0.1 bounces between (8, 8) and (-8, -8): its values never change,
    though its point does. The hint says both ways the values can stay put, and sends the
    points' row elsewhere."""
    result = check_answers(learner_answers(cell_parabola={"lr": 0.1}))
    hint = result["fn_history_parabola"].hint
    assert hint.startswith("the value never changed: either the point never moved")
    assert "same value" in hint and "bounces it across the minimum" in hint
    assert "never moved" not in result["var_history_parabola"].hint
    # A point that never moved still gets the same words for its values, and its own.
    stuck = check_answers(learner_answers(cell_parabola={"update": "rebind"}))
    assert "point never moved" in stuck["var_history_parabola"].hint
    assert stuck["fn_history_parabola"].hint.startswith("the value never changed: either")
    # In the skewed valley no fixed step keeps the value: there the values' hint is the points'.
    valley = check_answers(learner_answers(cell_2={"update": "rebind"}))
    assert valley["fn_history_2"].hint.startswith("the point never moved")


def test_the_file_records_the_time_of_each_answers_script(tmp_path: Path) -> None:
    import os

    from gdtutor.answers import SCRIPT_TIMES, save_answers, script_times, start_exercise
    from gdtutor.checking import check_answers
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    lesson_2 = tmp_path / "plot_02_matrix_gradient_exercise.py"  # X_grad's; xy_grad's is absent
    lesson_2.write_text("# lesson 2\n")
    os.utime(lesson_2, (1000.5, 1000.5))
    save_answers({"xy_grad": [1.0, 1.0], "X_grad": [[2.0]]}, path)
    assert script_times(load_answers(path, per_key=True)) == {"X_grad": 1000.5}
    os.utime(lesson_2, (2000.0, 2000.0))
    save_answers({"X_grad": [[20.0]]}, path)
    assert load_answers(path)[SCRIPT_TIMES] == {"X_grad": 2000.0}
    # A run records its script's time as it starts, and saves its answers with that time:
    # an edit while it runs (its figure windows open) leaves them older than the script.
    os.utime(lesson_2, (3000.0, 3000.0))
    start_exercise(["X_grad"], path)
    assert load_answers(path)[SCRIPT_TIMES] == {"X_grad": 3000.0}
    os.utime(lesson_2, (4000.0, 4000.0))
    save_answers({"X_grad": [[20.0]]}, path)
    assert load_answers(path)[SCRIPT_TIMES] == {"X_grad": 3000.0}
    # Entries of no answer (a hand-made record) are not kept.
    raw = json.loads(path.read_text())
    raw[SCRIPT_TIMES].update({"unfinished": 1.0, "script_times": 1.0, "nothing": 1.0})
    path.write_text(json.dumps(raw))
    save_answers({"xy_grad": [1.0, 1.0]}, path)
    assert load_answers(path)[SCRIPT_TIMES] == {"X_grad": 3000.0}
    # The key is the file's own: an answer of that name is refused, the file left as it was.
    before = path.read_bytes()
    with pytest.raises(ValueError, match="'script_times', which the answer file keeps"):
        save_answers({SCRIPT_TIMES: {"X_grad": 1.0}}, path)
    assert path.read_bytes() == before
    # A record that is not key names and times is not one: the checker lists it as an extra
    # key, and a well-formed one is no key at all.
    for bad in (
        [1.0], {"X_grad": "noon"}, {"X_grad": float("nan")}, {"X_grad": True},
        {"X_grad": 10**400}, {1: 1.0},
    ):  # fmt: skip
        assert script_times({SCRIPT_TIMES: bad}) is None
    assert script_times({SCRIPT_TIMES: {"X_grad": 2**53}}) == {"X_grad": float(2**53)}
    reference = dict(reference_answers())
    rows = check_answers({**reference, SCRIPT_TIMES: {"X_grad": 10**400}}).rows
    extra = [(row.key, row.verdict) for row in rows if row.verdict == "extra"]
    assert extra == [(SCRIPT_TIMES, "extra")]
    assert check_answers({**reference, SCRIPT_TIMES: {"X_grad": 1}}).summary() == (
        "10 of 10 keys pass"
    )


def test_save_answers_refuses_a_file_larger_than_the_checker_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of 300,000 steps saved whole: the file it would make is refused (it was written,
    and then the checker and the next exercise refused it, so that only deleting it, with the
    other lessons' answers, let the learner go on)."""
    monkeypatch.chdir(tmp_path)
    save_answers({"xy_grad": [1.0, 1.0]})
    before = (tmp_path / ".answer.json").read_bytes()
    rng = np.random.default_rng(0)
    history = {"var_history_2": rng.random((300_000, 2)), "fn_history_2": rng.random(300_000)}
    match = (
        r"cannot save to \.answer\.json: it would be 1\d(\.\d)? MiB, more than the 5 MiB limit "
        r"of the checker; its largest answers: 'var_history_2' \(\d+(\.\d)? MiB\), "
        r"'fn_history_2' \(\d+(\.\d)? MiB\), 'xy_grad' \(\d+ bytes\)\. The file is left as it was"
    )
    with pytest.raises(ValueError, match=match):
        save_answers(history)
    assert (tmp_path / ".answer.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".answer.json"]


def test_save_answers_never_writes_a_file_the_checker_refuses(tmp_path) -> None:
    """The text to be written goes through the checker's loader first (a last gate: the
    values that could make it refuse a whole file are refused earlier, by name)."""
    from gdtutor.answers import _check_readable, save_answers
    from gdtutor.safeload import load_answers

    path = tmp_path / ".answer.json"
    save_answers({"deep": functools.reduce(lambda inner, _: [inner], range(63), 1.0)}, path)
    assert "deep" in load_answers(path)  # 63 lists inside the file's object: read
    too_deep = '{"k": ' + "[" * 64 + "]" * 64 + "}"
    with pytest.raises(ValueError, match=r"^cannot save to .*: the checker would not read the "
                       r"file \(not accepted: JSON nested too deeply"):  # fmt: skip
        _check_readable(too_deep, path)
    _check_readable('{"k": ' + "[" * 63 + "]" * 63 + "}", path)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_saving_through_a_symbolic_link_writes_the_file_it_leads_to(tmp_path) -> None:
    from gdtutor.answers import save_answers, write_answers
    from gdtutor.safeload import load_answers

    (tmp_path / "sync").mkdir()
    real, link = tmp_path / "sync" / "real.json", tmp_path / ".answer.json"
    save_answers({"xy_grad": [1.0, 1.0]}, real)
    link.symlink_to(real)
    save_answers({"X_grad": np.ones((3, 4))}, link)
    assert link.is_symlink() and set(load_answers(real)) == {"xy_grad", "X_grad", "script_times"}
    # A link to nothing is a file that is there, for write_answers' refusal to replace one.
    (tmp_path / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(FileExistsError, match=r"dangling\.json exists"):
        write_answers(tmp_path / "dangling.json")
    (tmp_path / "loop1.json").symlink_to(tmp_path / "loop2.json")
    (tmp_path / "loop2.json").symlink_to(tmp_path / "loop1.json")
    with pytest.raises(OSError, match=r"loop1\.json: its symbolic links form a loop"):
        save_answers({"xy_grad": [1.0, 1.0]}, tmp_path / "loop1.json")
    (tmp_path / "bad.json").symlink_to(tmp_path / "no-folder" / "x.json")
    with pytest.raises(OSError, match=r"x.json \(through the link .*bad.json\): its folder"):
        save_answers({"xy_grad": [1.0, 1.0]}, tmp_path / "bad.json")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda p: save_answers(None, p),
            TypeError,
            r"^answer must be a dict of answer keys .* NoneType",
        ),
        (lambda p: save_answers([1.0, 2.0], p), TypeError, r"^answer must be a dict .* got list$"),
        (
            lambda p: save_answers({"unfinished": 5}, p),
            ValueError,
            r"^answer has the key 'unfinished', which",
        ),
        (
            lambda p: save_answers({"script_times": {}}, p),
            ValueError,
            r"^answer has the key 'script_times'",
        ),
        (
            lambda p: start_exercise("X_grad", p),
            TypeError,
            r"^keys must be a list .* got one str, 'X_grad'$",
        ),
        (
            lambda p: start_exercise(5, p),
            TypeError,
            r"^keys must be a list of answer keys, .* got int$",
        ),
        (
            lambda p: start_exercise([1, None], p),
            TypeError,
            r"^keys must be answer keys \(strings\), got \[1, None\]$",
        ),
        (
            lambda p: start_exercise(["unfinished"], p),
            ValueError,
            r"^keys holds \['unfinished'\], which the",
        ),
    ],
    ids=["None", "list", "unfinished", "script_times", "one-str", "int", "not-str", "reserved"],
)
def test_the_answer_file_functions_refuse_bad_arguments_and_keep_the_file(
    tmp_path, call, error, match
) -> None:
    path = tmp_path / ".answer.json"
    save_answers({"xy_grad": [1.0, 2.0]}, path)
    before = path.read_bytes()
    with pytest.raises(error, match=match):
        call(path)
    assert path.read_bytes() == before


def test_check_answers_refuses_what_is_not_answers_and_reads_a_tensor_that_requires_grad() -> None:
    with pytest.raises(TypeError, match=r"^learner must be a dict of answer keys .* got NoneType$"):
        check_answers(None)  # type: ignore[arg-type]
    answers = dict(reference_answers())
    answers["X_grad"] = torch.tensor(np.asarray(answers["X_grad"]), requires_grad=True)
    assert check_answers(answers)["X_grad"].verdict == "pass"
