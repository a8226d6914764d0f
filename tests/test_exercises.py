"""Exercise versions of the lessons, made by the site build (docs/_ext/exercises.py): blanks
from solution markers, valid Python and notebooks that stop at the first blank they reach,
and, for the real lessons, answers that pass the checker once the blanks are filled."""

from __future__ import annotations

import ast
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import json_tricks
import nbformat
import pytest

from gdtutor.answers import ANSWER_KEYS, SCRIPT_TIMES, UNFINISHED, save_answers
from gdtutor.checking import check_answers
from gdtutor.cli import main
from gdtutor.safeload import LoadError, load_answers

pytest.importorskip("sphinx_gallery")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

from exercises import (  # the site build's exercise generator, in docs/_ext
    PLACEHOLDER,
    exercise_notebook,
    exercise_source,
    fill_blanks,
    find_blanks,
    page_labels,
    plain_markdown,
    plain_notebook,
    plain_script,
    solution_source,
    write_exercises,
)

GALLERY = Path(__file__).parents[1] / "gallery"
LESSONS = sorted(GALLERY.glob("plot_0*.py"))

SCRIPT = '''r"""
A demo lesson
=============

It teaches loops, with :math:`\\sum_i i` and ``range``.
"""

# %%
# Setup
# -----
#
# See :func:`~gdtutor.skewed` and `the docs <https://example.org>`_.
total = 0

# sphinx_gallery_solution_begin = "the loop"
for i in range(3):
    total += i
# sphinx_gallery_solution_end
print("total", total)


def double(x):
    # sphinx_gallery_solution_begin = "the function body"
    y = 2 * x

    return y
    # sphinx_gallery_solution_end


# %%
# Using it
# --------
#
# .. math:: 2 k
for k in range(2):
    # sphinx_gallery_solution_begin = "inside a loop"
    print("double", double(k))
    # sphinx_gallery_solution_end
text = "# sphinx_gallery_solution_begin = 'not a marker: inside a string'"
# sphinx_gallery_thumbnail_number = 1
'''

SOLUTIONS = {
    "the loop": "for i in range(3):\n    total += i\n",
    "the function body": "y = 2 * x\n\nreturn y\n",
    "inside a loop": 'print("double", double(k))\n',
}


def run_script(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=600,
    )


def test_blanks_are_found_with_their_lines_indentation_and_code() -> None:
    blanks = find_blanks(SCRIPT)
    assert [(b.name, b.begin, b.end, b.indent) for b in blanks] == [
        ("the loop", 15, 18, ""),
        ("the function body", 23, 27, "    "),
        ("inside a loop", 36, 38, "    "),
    ]
    assert {b.name: b.solution for b in blanks} == SOLUTIONS


def test_the_exercise_is_valid_python_with_a_named_blank_per_block() -> None:
    exercise = exercise_source(SCRIPT, lesson="plot_09_demo")
    ast.parse(exercise)
    lines = exercise.splitlines()
    placeholders = [line for line in lines if line.strip() == PLACEHOLDER]
    assert placeholders == [PLACEHOLDER, "    " + PLACEHOLDER, "    " + PLACEHOLDER]
    raises = [line.strip() for line in lines if "NotImplementedError" in line]
    assert raises[0] == (
        "raise NotImplementedError(\"Fill in the blank 'the loop' of lesson plot_09_demo, "
        'then delete this line")'
    )
    assert "total += i" not in exercise and "y = 2 * x" not in exercise
    assert "sphinx_gallery_solution_end" not in exercise
    assert "'not a marker: inside a string'" in exercise  # a string is not a marker
    assert "Save your answers" not in exercise  # this script has no ``answer``


def test_the_solution_is_the_script_without_its_markers() -> None:
    solution = solution_source(SCRIPT)
    expected = [
        line
        for line in SCRIPT.splitlines(keepends=True)
        if not line.lstrip().startswith("# sphinx_gallery_solution")
    ]
    assert solution == "".join(expected)


def test_filling_the_blanks_with_the_solutions_gives_the_solution_back() -> None:
    exercise = exercise_source(SCRIPT)
    assert fill_blanks(exercise, SOLUTIONS) == solution_source(SCRIPT)
    assert fill_blanks(exercise, {}) == exercise
    with pytest.raises(ValueError, match=r"blanks that the exercise does not have: \['nope'\]"):
        fill_blanks(exercise, {"nope": "pass\n"})


@pytest.mark.parametrize(
    ("filled", "stops_at"),
    [
        ([], "the loop"),
        (["the loop"], "inside a loop"),  # reached before double() is ever called
        (["the loop", "inside a loop"], "the function body"),
        (list(SOLUTIONS), None),
    ],
)
def test_an_exercise_runs_until_the_first_blank_it_reaches(
    tmp_path: Path, filled: list[str], stops_at: str | None
) -> None:
    exercise = exercise_source(SCRIPT, lesson="plot_09_demo")
    path = tmp_path / "plot_09_demo_exercise.py"
    path.write_text(fill_blanks(exercise, {name: SOLUTIONS[name] for name in filled}))
    done = run_script(path, tmp_path)
    if stops_at is None:
        assert done.returncode == 0, done.stderr
        assert done.stdout == "total 3\ndouble 0\ndouble 2\n"
        return
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"NotImplementedError: Fill in the blank {stops_at!r} of lesson plot_09_demo, "
        "then delete this line"
    )


def test_the_notebook_is_sphinx_gallerys_notebook_of_the_exercise(tmp_path: Path) -> None:
    path = tmp_path / "plot_09_demo_exercise.py"
    path.write_text(exercise_source(SCRIPT, lesson="plot_09_demo"))
    notebook = exercise_notebook(path)
    nbformat.validate(nbformat.from_dict(notebook))
    kinds = [cell["cell_type"] for cell in notebook["cells"]]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code"]
    title, setup, code, using, last = ("".join(cell["source"]) for cell in notebook["cells"])
    assert title.strip().startswith("# A demo lesson")
    assert "$\\sum_i i$" in title
    assert setup.startswith("## Setup") and "[the docs](https://example.org)" in setup
    assert using.startswith("## Using it") and "2 k" in using
    assert code.startswith("total = 0\n\n" + PLACEHOLDER + "\nraise NotImplementedError(")
    assert "    " + PLACEHOLDER in last
    assert "sphinx_gallery_thumbnail_number" not in last  # config comments are left out
    assert exercise_notebook(path) == notebook  # reproducible


ANSWER_SCRIPT = """
answer = {{}}
# sphinx_gallery_solution_begin = "the numbers"
answer["{key}"] = [1.0, 2.0]
# sphinx_gallery_solution_end
"""


def _answers_in(path: Path) -> dict[str, Any]:
    """The answer file's answers, without their scripts' times (of its answers, and of the
    keys a run started, only)."""
    answers = load_answers(path)
    times = answers.pop(SCRIPT_TIMES, {})
    assert set(times) <= set(answers) - {UNFINISHED} | set(answers.get(UNFINISHED, []))
    return answers


def test_an_exercise_with_answers_adds_them_to_the_answer_file(tmp_path: Path) -> None:
    for key in ("fn_history_2", "X_grad"):
        source = ANSWER_SCRIPT.format(key=key)
        exercise = exercise_source(source)
        assert "# Save your answers" in exercise
        path = tmp_path / f"{key}.py"
        path.write_text(fill_blanks(exercise, {"the numbers": f'answer["{key}"] = [1.0, 2.0]\n'}))
        done = run_script(path, tmp_path)
        assert done.returncode == 0, done.stderr
        # The whole path: a learner who ran the script from another folder sees where it went.
        assert done.stdout == f"saved {key} to {(tmp_path / '.answer.json').resolve()}\n"
    assert _answers_in(tmp_path / ".answer.json") == {
        "fn_history_2": [1.0, 2.0],
        "X_grad": [1.0, 2.0],
    }


def test_saving_never_replaces_an_answer_file_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / ".answer.json").write_text('{"xy_grad": [4.0, 3.0], "X_grad": [[20.0, 40')
    before = (tmp_path / ".answer.json").read_bytes()
    source = ANSWER_SCRIPT.format(key="X_grad")
    path = tmp_path / "lesson.py"
    # The solution, then the exercise's save cell alone.
    path.write_text(solution_source(source) + exercise_source(source).rsplit("# %%", 1)[1])
    done = run_script(path, tmp_path)
    assert done.returncode == 1 and LoadError.__name__ in done.stderr
    assert (tmp_path / ".answer.json").read_bytes() == before
    # The whole exercise stops in its first cell, which reads the file too.
    path.write_text(exercise_source(source))
    done = run_script(path, tmp_path)
    assert done.returncode == 1 and LoadError.__name__ in done.stderr
    assert "NotImplementedError" not in done.stderr
    assert (tmp_path / ".answer.json").read_bytes() == before
    # An empty file, as an editor leaves it (a byte-order mark and a line), holds no answers
    # yet: the exercise runs and saves.
    (tmp_path / ".answer.json").write_bytes(b"\xef\xbb\xbf\n")
    path.write_text(
        fill_blanks(exercise_source(source), {"the numbers": 'answer["X_grad"] = [1.0]\n'})
    )
    assert run_script(path, tmp_path).returncode == 0
    assert _answers_in(tmp_path / ".answer.json") == {"X_grad": [1.0]}
    # A file whose keys are all read but one (an object named in it, a tensor saved by
    # json_tricks): the exercise runs, keeps that key as it is for the checker to fail, and
    # replaces it when the key is its own.
    refused = '{"__instance_type__": ["os", "system"]}'
    (tmp_path / ".answer.json").write_text(f'{{"xy_grad": {refused}, "X_grad": {refused}}}')
    assert run_script(path, tmp_path).returncode == 0
    saved = json.loads((tmp_path / ".answer.json").read_text())
    assert saved.pop(SCRIPT_TIMES) == {}  # no exercise script beside the file
    assert saved == {"xy_grad": json.loads(refused), "X_grad": [1.0]}


def test_a_run_that_stops_early_leaves_its_own_answers_unfinished_not_stale(
    tmp_path: Path,
) -> None:
    source = '"""\nA lesson\n========\n"""\n\n# %%\n' + ANSWER_SCRIPT.format(key="X_grad")
    exercise = exercise_source(source)
    assert exercise.index("# Start afresh") > exercise.index('"""\n\n')  # after the docstring
    assert 'start_exercise(["X_grad"])' in exercise
    path = tmp_path / "lesson.py"
    path.write_text(fill_blanks(exercise, {"the numbers": 'answer["X_grad"] = [1.0, 2.0]\n'}))
    assert run_script(path, tmp_path).returncode == 0
    saved = {**load_answers(tmp_path / ".answer.json"), "xy_grad": [3]}
    assert UNFINISHED not in saved  # the run saved what it started
    (tmp_path / ".answer.json").write_text(json_tricks.dumps(saved))
    path.write_text(exercise)  # run again, stopping at the blank
    done = run_script(path, tmp_path)
    assert done.returncode == 1 and "Fill in the blank 'the numbers'" in done.stderr
    assert done.stdout == (  # said at once, not found out at the check
        "took the last run's X_grad out of .answer.json; this run saves new ones\n"
    )
    # The other lesson's answer is kept; this one's is gone, and listed as unfinished.
    assert _answers_in(tmp_path / ".answer.json") == {"xy_grad": [3], UNFINISHED: ["X_grad"]}


def test_a_diverged_run_is_saved_and_keeps_the_other_answers(tmp_path: Path) -> None:
    """A learning rate that is too large gives inf and nan: they are saved (the checker
    reads them), and a failing save never truncates the file."""
    (tmp_path / ".answer.json").write_text(json_tricks.dumps({"xy_grad": [1.0, 1.0]}))
    source = ANSWER_SCRIPT.format(key="fn_history_2")
    path = tmp_path / "lesson.py"
    blowup = 'answer["fn_history_2"] = [1.0, float("inf"), float("nan")]\n'
    path.write_text(fill_blanks(exercise_source(source), {"the numbers": blowup}))
    done = run_script(path, tmp_path)
    assert done.returncode == 0, done.stderr
    saved = load_answers(tmp_path / ".answer.json")
    assert saved["xy_grad"] == [1.0, 1.0]
    assert saved["fn_history_2"][:2] == [1.0, float("inf")] and math.isnan(saved["fn_history_2"][2])
    # A value json_tricks cannot write stops the save with the old file intact.
    before = (tmp_path / ".answer.json").read_bytes()
    with pytest.raises(TypeError):
        save_answers({"X_grad": object()}, tmp_path / ".answer.json")
    assert (tmp_path / ".answer.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".answer.json", "lesson.py"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            '# sphinx_gallery_solution_begin = "a"\n# sphinx_gallery_solution_begin = "b"\n',
            r"<lesson>:2: solution block 'b' begins inside block 'a' begun at line 1",
        ),
        ('x = 1\n# sphinx_gallery_solution_begin = "a"\ny = 2\n', r":2: .*'a' is never closed"),
        ("x = 1\n# sphinx_gallery_solution_end\n", r":2: sphinx_gallery_solution_end without"),
        ("# sphinx_gallery_solution_begin\nx = 1\n", r":1: solution block without a name"),
        ('# sphinx_gallery_solution_begin = ""\nx\n', r":1: solution block without a name"),
        ("# sphinx_gallery_solution_begin = 3\nx\n", r":1: solution block without a name"),
        ("# sphinx_gallery_solution_begin = the step\nx\n", r":1: .*without a name"),
        (
            '# sphinx_gallery_solution_begin = "a"\nx\n# sphinx_gallery_solution_end\n' * 2,
            r":4: a second solution block named 'a'",
        ),
        ('# sphinx_gallery_solution_begin = "a"\nx\n# sphinx_gallery_solution_end = 1\n', ":3: "),
        ('x = 1  # sphinx_gallery_solution_begin = "a"\n', r":1: .*on a line of its own"),
        ('# sphinx_gallery_solution_start = "a"\n', r":1: unknown marker"),
        (
            'if True:\n    # sphinx_gallery_solution_begin = "a"\n    x = 1\ny = 2\n'
            "    # sphinx_gallery_solution_end\n",
            r"<lesson>:4: .*indented less than its begin marker at line 2",
        ),
        ('# sphinx_gallery_solution_begin = "a"\n\n# sphinx_gallery_solution_end\n', ":1: .*empty"),
        (
            '# sphinx_gallery_solution_begin = "a"\nx\n# %%\ny\n# sphinx_gallery_solution_end\n',
            r":3: solution block 'a' spans two cells",
        ),
        (
            '# %%\n# Text.\n# sphinx_gallery_solution_begin = "a"\nx\n'
            "# sphinx_gallery_solution_end\n",
            r":3: separate the marker from the cell's text by a blank line",
        ),
        ('x = (\n# sphinx_gallery_solution_begin = "a"\n1)\n', r"cannot read|never closed"),
        ("def f(:\n", r"<lesson>: cannot read the script"),
    ],
)
def test_bad_markers_are_refused_with_the_line(source: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        exercise_source(source)


def test_a_block_that_is_not_whole_statements_is_refused() -> None:
    source = (
        'x = [\n    1,\n    # sphinx_gallery_solution_begin = "a"\n    2,\n'
        "    # sphinx_gallery_solution_end\n]\n"
    )
    with pytest.raises(ValueError, match=r"<lesson>:\d+: blanking .* breaks the syntax"):
        exercise_source(source)


def test_write_exercises_writes_a_py_and_an_ipynb_per_lesson_with_blanks(tmp_path: Path) -> None:
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    (gallery / "plot_01_demo.py").write_text(SCRIPT)
    (gallery / "plot_02_no_blanks.py").write_text('"""\nNo blanks\n=========\n"""\nx = 1\n')
    (gallery / "helper.py").write_text(SCRIPT)  # not a lesson
    written = write_exercises(gallery, tmp_path / "out" / "exercises")
    assert [p.name for p in written] == ["plot_01_demo_exercise.py", "plot_01_demo_exercise.ipynb"]
    assert written[0].read_text() == plain_script(exercise_source(SCRIPT, lesson="plot_01_demo"))
    nbformat.validate(nbformat.read(written[1], as_version=4))
    assert json.loads(written[1].read_text())["nbformat"] == 4


# -- the real lessons ----------------------------------------------------------------------

needs_lessons = pytest.mark.skipif(not LESSONS, reason="gallery/ has no plot_0*.py lessons")

#: Every ``## YOUR CODE HERE ##`` of the course notebook, by its cell, and the lesson blank
#: that teaches it.
NOTEBOOK_BLANKS = {
    "In [2]: x + y and backward": "x + y and its backward",
    "In [3]: f(X) and backward": "function = 10 * the sum of squares of X, then its backward",
    "In [6]: function_parabola": "the parabola's value",
    "In [6]: make_gradient_step": "one gradient step with α = 0.001",
    "In [13]: the SGD optimizer": "optimizer = SGD over x with lr 0.001",
    "In [13]: the SGD loop body": "one SGD step, the value as function_result",
    "In [15]: the AdamW optimizer": "optimizer = AdamW over x with lr 1",
    "In [15]: the AdamW loop body": "one AdamW step, the value as function_result",
}


@needs_lessons
def test_blanks_keep_the_notebooks_stubs_and_the_lines_it_provides() -> None:
    # The notebook gives the function headers and the recording lines; only the rest is blank.
    lessons = {lesson.stem[:7]: lesson for lesson in LESSONS}
    by_hand = exercise_source(lessons["plot_03"].read_text(), lesson="plot_03")
    for stub in ("def function_parabola(x):", "def make_gradient_step(function, x):"):
        assert stub in by_hand
    torch_optim = exercise_source(lessons["plot_05"].read_text(), lesson="plot_05")
    for given in (
        "for _ in range(500):",
        "    var_history.append(x.detach().cpu().numpy().copy())",
        "    fn_history.append(function_result.detach().cpu().numpy().copy())",
        'answer["var_history_3"] = var_history',
        'answer["fn_history_4"] = fn_history',
    ):
        assert given in torch_optim.splitlines() or given in torch_optim
    assert "optimizer = torch.optim.SGD([x], lr=0.001)" not in torch_optim
    loop = "for _ in range(500):\n    " + PLACEHOLDER + "\n    raise NotImplementedError("
    assert torch_optim.count(loop) == 2  # each loop body is a blank, its recording lines given


@needs_lessons
def test_the_lessons_cover_every_blank_of_the_notebook() -> None:
    names = {b.name for lesson in LESSONS for b in find_blanks(lesson.read_text())}
    missing = {cell: name for cell, name in NOTEBOOK_BLANKS.items() if name not in names}
    assert not missing


@needs_lessons
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_exercise_is_valid_and_stops_at_its_first_blank(
    tmp_path: Path, lesson: Path
) -> None:
    source = lesson.read_text(encoding="utf-8")
    blanks = find_blanks(source, filename=lesson.name)
    exercise = exercise_source(source, lesson=lesson.stem)
    compile(exercise, lesson.name, "exec")
    path = tmp_path / f"{lesson.stem}_exercise.py"
    path.write_text(exercise)
    nbformat.validate(nbformat.from_dict(exercise_notebook(path)))
    if not blanks:
        return
    done = run_script(path, tmp_path)
    assert done.returncode == 1
    assert f"NotImplementedError: Fill in the blank {blanks[0].name!r}" in done.stderr


@needs_lessons
def test_the_filled_exercises_write_answers_that_the_checker_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for lesson in LESSONS:  # in order, as a learner works through them
        source = lesson.read_text(encoding="utf-8")
        blanks = find_blanks(source, filename=lesson.name)
        if not blanks:
            continue  # no exercise version
        filled = fill_blanks(exercise_source(source, lesson=lesson.stem), {
            blank.name: blank.solution for blank in blanks
        })  # fmt: skip
        path = tmp_path / f"{lesson.stem}_exercise.py"
        path.write_text(filled)
        done = run_script(path, tmp_path)
        assert done.returncode == 0, f"{lesson.name}:\n{done.stderr}"
    answers = load_answers(tmp_path / ".answer.json")
    times = answers.pop(SCRIPT_TIMES)
    assert list(answers) == list(ANSWER_KEYS)  # every key, saved in lesson order
    assert list(times) == list(ANSWER_KEYS) and list(times.values()) == sorted(times.values())
    assert main(["check", str(tmp_path / ".answer.json")]) == 0, capsys.readouterr().out


@needs_lessons
@pytest.mark.parametrize(
    ("code", "verdict", "hint"),
    [
        ("function = 10 * (X * X).sum()", "pass", ""),
        ("function = (10 * X**2).sum()", "pass", ""),
        ("function = (X**2).sum()", "fail", "a tenth of the reference: the factor 10"),
    ],
)
def test_lesson_2_runs_to_the_end_however_f_is_written(
    tmp_path: Path, code: str, verdict: str, hint: str
) -> None:
    """The graph figure annotates the graph of ``10 * (X**2).sum()`` only; another way of
    writing f (right or wrong) still reaches the save cell, so the checker judges it."""
    lesson = next(p for p in LESSONS if p.stem.startswith("plot_02"))
    source = lesson.read_text(encoding="utf-8")
    (blank,) = find_blanks(source, filename=lesson.name)
    exercise = exercise_source(source, lesson=lesson.stem)
    path = tmp_path / "exercise.py"
    path.write_text(fill_blanks(exercise, {blank.name: f"{code}\nfunction.backward()\n"}))
    done = run_script(path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "a different graph from 10 * (X**2).sum(): drawn without the notes" in done.stdout
    # The lesson says whether that other f is the same function: a wrong one is not called
    # right.
    same = "its gradient is 20 X, as it should be"
    assert (same in done.stdout) == (verdict == "pass"), done.stdout
    assert ("its gradient is not 20 X" in done.stdout) == (verdict == "fail"), done.stdout
    row = check_answers(load_answers(tmp_path / ".answer.json"))["X_grad"]
    assert (row.verdict, row.hint[: len(hint)]) == (verdict, hint)


@needs_lessons
def test_lesson_5_with_another_optimizer_for_adamw_still_saves_its_answers(
    tmp_path: Path,
) -> None:
    """The lesson's code after the AdamW blank reads AdamW's settings from AdamW itself, so a
    learner who wrote another optimizer there reaches the save cell, and the checker judges
    the run (the SGD answers before it are kept)."""
    lesson = next(p for p in LESSONS if p.stem.startswith("plot_05"))
    source = lesson.read_text(encoding="utf-8")
    solutions = {blank.name: blank.solution for blank in find_blanks(source, filename=lesson.name)}
    solutions["optimizer = AdamW over x with lr 1"] = "optimizer = torch.optim.RMSprop([x], lr=1)\n"
    path = tmp_path / "exercise.py"
    path.write_text(fill_blanks(exercise_source(source, lesson=lesson.stem), solutions))
    done = run_script(path, tmp_path)
    assert done.returncode == 0, done.stderr
    result = check_answers(load_answers(tmp_path / ".answer.json"))
    assert result["var_history_3"].verdict == result["fn_history_3"].verdict == "pass"
    assert result["var_history_4"].verdict == "fail"


@needs_lessons
def test_lesson_3_at_another_rate_fits_its_line_without_a_warning(tmp_path: Path) -> None:
    """At α = 0.01 the value rounds to 0 within the run; the fit leaves those steps out."""
    done = run_lesson_with(tmp_path, "one gradient step with α = 0.001", "0.001", "0.01")
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    values = load_answers(tmp_path / ".answer.json")["fn_history_parabola"]
    assert any(value == 0 for value in values)  # the case the fit must handle


@pytest.mark.parametrize(
    ("markdown", "site", "plain"),
    [
        (
            "see `sphx_glr_auto_examples_plot_05_torch_optim.py`.",
            "https://example.org/en/latest/",
            "see [lesson 5](https://example.org/en/latest/auto_examples/plot_05_torch_optim.html).",
        ),
        ("see `sphx_glr_auto_examples_plot_05_torch_optim.py`.", "", "see lesson 5."),
        (
            "the `update rules page <theory-update-rules>`\nwrites",
            "",
            "the update rules page\nwrites",
        ),
        (
            "the `update rules page <theory-update-rules>`\nwrites",
            "https://example.org/en/latest/",
            "the [update rules page](https://example.org/en/latest/theory/update_rules.html"
            "#theory-update-rules)\nwrites",
        ),
        # A title over two lines of the source, to a lesson and to a label of no page.
        (
            "(`lesson 5\n<sphx_glr_auto_examples_plot_05_torch_optim.py>` shows it)",
            "https://x/",
            "([lesson 5](https://x/auto_examples/plot_05_torch_optim.html) shows it)",
        ),
        ("`somewhere <no-such-label>`", "https://x/", "somewhere"),
        (
            ":func:`gdtutor.optimize` and :mod:`gdtutor.rules`",
            "",
            "`gdtutor.optimize` and `gdtutor.rules`",
        ),
        (":data:`~gdtutor.compare.PROBLEMS`", "", "`PROBLEMS`"),
        ("$\\alpha$ and `x <= y` and `code`", "", "$\\alpha$ and `x <= y` and `code`"),
    ],
)
def test_notebook_markdown_loses_sphinx_markup(markdown: str, site: str, plain: str) -> None:
    assert plain_markdown(markdown, site) == plain


def test_every_reference_of_the_lessons_links_in_their_notebooks() -> None:
    """Each titled reference in a lesson is to a lesson or to a label of the site's pages,
    so that its notebooks link it (no reference is left as its title alone)."""
    labels = page_labels()
    assert {"theory", "theory-explorer", "theory-step-size"} <= set(labels)
    targets = {
        target
        for lesson in LESSONS
        for target in re.findall(r":ref:`[^`<]*<([\w.-]+)>`", lesson.read_text(encoding="utf-8"))
    }
    assert targets, "the lessons refer to other pages"
    unlinked = [
        t for t in targets if not t.startswith("sphx_glr_auto_examples_") and t not in labels
    ]
    assert unlinked == []


def test_plain_notebook_keeps_the_cells_form() -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": [":func:`gdtutor.skewed`"]},
            {"cell_type": "code", "source": "x = ':func:`kept`'"},
            {"cell_type": "markdown", "source": ":mod:`gdtutor`"},
        ]
    }
    cells = plain_notebook(notebook)["cells"]
    assert [cell["source"] for cell in cells] == [
        ["`gdtutor.skewed`"],
        "x = ':func:`kept`'",
        "`gdtutor`",
    ]


LESSON_3 = GALLERY / "plot_03_descent_by_hand.py"


def run_lesson_with(
    tmp_path: Path, blank: str, code: str, instead: str, lesson: Path = LESSON_3
) -> subprocess.CompletedProcess[str]:
    """A lesson's exercise (lesson 3's unless ``lesson`` says) filled with the solutions, but
    ``instead`` for ``code`` in ``blank``, run in ``tmp_path``."""
    source = lesson.read_text("utf-8")
    solutions = {b.name: b.solution for b in find_blanks(source)}
    assert code in solutions[blank]
    solutions[blank] = solutions[blank].replace(code, instead)
    path = tmp_path / f"{lesson.stem}_exercise.py"
    path.write_text(fill_blanks(exercise_source(source, lesson=lesson.stem), solutions))
    return run_script(path, tmp_path)


@pytest.mark.parametrize(
    ("blank", "wrong"),
    [
        ("one gradient step with α = 0.001", ("0.001 * x.grad", "0.05 * x.grad")),  # to 0 at once
        ("one gradient step with α = 0.001", ("0.001 * x.grad", "0.2 * x.grad")),  # overflows
        ("one gradient step with α = 0.001", ("x -= 0.001", "x += 0.001")),  # uphill
        ("the parabola's value", ("return 10 *", "return -10 *")),  # values below 0
    ],
)
def test_lesson_3_saves_a_wrong_run_for_the_checker(
    tmp_path: Path, blank: str, wrong: tuple[str, str]
) -> None:
    """Lesson 3's page code measures the learner's own run: a run that drops to 0 at once,
    overflows or goes below 0 leaves no line to fit, and the exercise still reaches its
    save cell, so that the checker can say what is wrong."""
    done = run_lesson_with(tmp_path, blank, *wrong)
    assert done.returncode == 0, done.stderr[-2000:]
    saved = load_answers(tmp_path / ".answer.json")
    assert {"var_history_parabola", "fn_history_parabola"} <= set(saved)
    assert check_answers(saved)["fn_history_parabola"].verdict == "fail"


@pytest.mark.parametrize(
    ("lesson", "blank", "code", "instead", "error"),
    [
        (
            "plot_02_matrix_gradient",
            "function = 10 * the sum of squares of X, then its backward",
            "function.backward()",
            "",
            "AttributeError: 'NoneType' object has no attribute 'clone'",
        ),
        (
            "plot_03_descent_by_hand",
            "one gradient step with α = 0.001",
            "x -= 0.001 * x.grad",
            "x = x - 0.001 * x.grad",
            "AttributeError: 'NoneType' object has no attribute 'zero_'",
        ),
        (
            "plot_04_skewed_valley",
            "one gradient step with α = 0.001",
            "x -= 0.001 * x.grad",
            "x = x - 0.001 * x.grad",
            "AttributeError: 'NoneType' object has no attribute 'zero_'",
        ),
    ],
    ids=["2-no-backward", "3-new-tensor", "4-new-tensor"],
)
def test_a_lesson_names_the_error_of_a_common_slip(
    tmp_path: Path, lesson: str, blank: str, code: str, instead: str, error: str
) -> None:
    """A forgotten ``backward()`` (lesson 2), ``x = x - ...`` in the step (lessons 3 and 4):
    the lesson's text names the error the learner then sees, word for word."""
    path = GALLERY / f"{lesson}.py"
    done = run_lesson_with(tmp_path, blank, code, instead, lesson=path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == error, done.stderr
    assert error.replace("AttributeError: ", "") in " ".join(
        line.lstrip("# ") for line in path.read_text("utf-8").splitlines()
    )


@pytest.mark.parametrize("run", ["SGD", "AdamW"])
def test_lesson_5_saves_a_run_that_records_twice(tmp_path: Path, run: str) -> None:
    """The recording lines copied into lesson 5's step blank record every step twice: the
    page's code that compares the run with gradient_descent's goes on, the exercise saves,
    and the checker names the history's length."""
    lesson = GALLERY / "plot_05_torch_optim.py"
    source = lesson.read_text("utf-8")
    solutions = {b.name: b.solution for b in find_blanks(source)}
    blank = f"one {run} step, the value as function_result"
    solutions[blank] += (
        "var_history.append(x.detach().cpu().numpy().copy())\n"
        "fn_history.append(function_result.detach().cpu().numpy().copy())\n"
    )
    path = tmp_path / "plot_05_torch_optim_exercise.py"
    path.write_text(fill_blanks(exercise_source(source, lesson=lesson.stem), solutions))
    done = run_script(path, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    key = "var_history_3" if run == "SGD" else "var_history_4"
    row = check_answers(load_answers(tmp_path / ".answer.json"))[key]
    assert row.verdict == "wrong shape" and "1000 entries instead of 500" in row.hint


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_a_plain_script_changes_only_the_roles_of_its_text(lesson: Path) -> None:
    """The .py downloads (lesson and exercise) read "lesson 5", ``name`` and $\\alpha$ in
    their comments; every line of code, and every line's place, stays as it was."""
    source = lesson.read_text(encoding="utf-8")
    for script in (solution_source(source), exercise_source(source, lesson=lesson.stem)):
        plain = plain_script(script)
        assert re.findall(r":\w+:`|sphx_glr_", plain) == []
        lines, plain_lines = script.splitlines(), plain.splitlines()
        assert len(plain_lines) == len(lines)
        # The module's docstring aside, the code is every line that is not a comment.
        body = ast.parse(script).body
        first = body[1].lineno - 1 if isinstance(body[0], ast.Expr) else 0
        changed = [
            line for line, new in zip(lines[first:], plain_lines[first:], strict=True)
            if line != new and not line.lstrip().startswith("#")
        ]  # fmt: skip
        assert changed == [], changed
