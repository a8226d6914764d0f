"""A reader with nothing but the site: install the wheel the install page links to, into a
fresh virtual environment that cannot see this source tree; download every lesson and
exercise through the pages' links; run the lessons (each in an empty folder, which it must
leave empty: lessons write nothing to the reader's disk); fill in the exercises with the course's
solutions, run them in order and check the answers; then plant one mistake per lesson."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from exercises import fill_blanks, find_blanks  # noqa: E402 - the course's solutions

TORCH = "torch==2.13.0"
HREF = re.compile(r'href="([^"#]+)"')

#: One mistake per lesson with blanks: (blank, wrong code). Each must fail that lesson's keys.
MISTAKES = {
    1: ("x + y and its backward", "loss = x * y\nloss.backward()\n"),
    2: (
        "function = 10 * the sum of squares of X, then its backward",
        "for _ in range(2):\n    function = 10 * (X**2).sum()\n    function.backward()\n",
    ),
    3: (
        "one gradient step with α = 0.001",
        "value = function(x)\nvalue.backward()\nwith torch.no_grad():\n    x -= 0.001 * x.grad\n",
    ),
    4: (
        "one gradient step with α = 0.001",
        "value = function(x)\nvalue.backward()\nwith torch.no_grad():\n    x -= 0.01 * x.grad\n"
        "x.grad.zero_()\n",
    ),
    5: (
        "one SGD step, the value as function_result",
        "function_result = function_skewed(x)\nfunction_result.backward()\noptimizer.step()\n",
    ),
}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def _links(url: str, suffixes: tuple[str, ...]) -> list[str]:
    """The absolute URLs of the links on the page at ``url`` that end with ``suffixes``."""
    page = _get(url).decode("utf-8")
    found = [urllib.parse.urljoin(url, href) for href in HREF.findall(page)]
    return sorted({link for link in found if link.endswith(suffixes)})


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def reader(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A fresh venv with the wheel from the install page, and every download of the site."""
    home = tmp_path_factory.mktemp("reader")
    wheels = _links(f"{site_url}/install.html", (".whl",))
    assert len(wheels) == 1, f"the install page should link one wheel, found {wheels}"
    wheel = home / Path(urllib.parse.urlparse(wheels[0]).path).name
    wheel.write_bytes(_get(wheels[0]))

    venv = home / "venv"
    done = _run([sys.executable, "-m", "venv", str(venv)], cwd=home)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    # --no-compile: Python compiles what the lessons import as they first import it (a third
    # of the time pip takes otherwise goes to compiling every module of torch up front).
    install = [str(python), "-m", "pip", "install", "-q", "--no-compile", TORCH, str(wheel)]
    done = _run(install, cwd=home)
    assert done.returncode == 0, done.stderr[-3000:]

    downloads = home / "downloads"
    downloads.mkdir()
    lessons = [
        link
        for link in _links(f"{site_url}/auto_examples/index.html", (".html",))
        if re.search(r"/auto_examples/plot_\d+\w*\.html$", link)
    ]
    files: dict[str, Path] = {}
    for page in lessons:
        for link in _links(page, (".py", ".ipynb")):
            target = downloads / Path(urllib.parse.urlparse(link).path).name
            target.write_bytes(_get(link))
            files[target.name] = target
    yield {"python": python, "venv": venv, "home": home, "files": files, "lessons": lessons}


def test_the_package_comes_from_the_wheel_not_the_source_tree(reader: dict) -> None:
    done = _run([str(reader["python"]), "-c", "import gdtutor; print(gdtutor.__file__)"],
                cwd=reader["home"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(reader["venv"])
    assert not Path(done.stdout.strip()).is_relative_to(ROOT)


def test_the_install_page_names_the_torch_the_wheel_asks_for_and_the_one_tested(
    reader: dict, site_url: str
) -> None:
    """It said that any recent version works; it gives the wheel's lower bound, and the version
    the site was built with, which the page's commands install."""
    page = " ".join(re.sub(r"<[^>]+>", "", _get(f"{site_url}/install.html").decode()).split())
    said = re.search(
        r"gdtutor asks for PyTorch ([\d.]+) or later; the site was built, and its tests run, "
        r"with ([\d.]+), the version these commands install\.",
        page,
    )
    assert said, "the install page no longer says which torch gdtutor asks for"
    code = (
        "import importlib.metadata as m; "
        "print([d for d in m.requires('gdtutor') if d.startswith('torch')])"
    )
    done = _run([str(reader["python"]), "-c", code], cwd=reader["home"])
    assert done.stdout.strip() == f"['torch>={said[1]}']", done.stdout + done.stderr
    assert TORCH == f"torch=={said[2]}"


def test_every_lesson_page_offers_its_script_notebook_and_exercises(reader: dict) -> None:
    stems = [Path(urllib.parse.urlparse(page).path).stem for page in reader["lessons"]]
    assert len(stems) == 7
    for stem in stems:
        assert {f"{stem}.py", f"{stem}.ipynb"} <= set(reader["files"])
    exercises = sorted(name for name in reader["files"] if name.endswith("_exercise.py"))
    assert [name[:7] for name in exercises] == [f"plot_0{i}" for i in range(1, 6)]
    for name, path in reader["files"].items():
        assert "sphinx_gallery_solution" not in path.read_text(encoding="utf-8"), name


@pytest.mark.parametrize("number", range(1, 8))
def test_each_lesson_runs_from_its_download_and_writes_nothing(
    reader: dict, number: int, tmp_path: Path
) -> None:
    [script] = [
        path
        for name, path in reader["files"].items()
        if name.startswith(f"plot_0{number}_") and name.endswith(".py") and "_exercise" not in name
    ]
    done = _run([str(reader["python"]), str(script)], cwd=tmp_path)
    assert done.returncode == 0, f"{script.name}:\n{done.stderr[-3000:]}"
    assert list(tmp_path.iterdir()) == [], f"{script.name} wrote {list(tmp_path.iterdir())}"


def _exercises(reader: dict) -> list[Path]:
    return sorted(p for n, p in reader["files"].items() if n.endswith("_exercise.py"))


def _solved(exercise: Path, mistake: tuple[str, str] | None = None) -> str:
    lesson = ROOT / "gallery" / exercise.name.replace("_exercise", "")
    solutions = {b.name: b.solution for b in find_blanks(lesson.read_text(encoding="utf-8"))}
    if mistake is not None:
        assert mistake[0] in solutions, f"{lesson.name} has no blank {mistake[0]!r}"
        solutions[mistake[0]] = mistake[1]
    return fill_blanks(exercise.read_text(encoding="utf-8"), solutions)


def _run_exercise(reader: dict, exercise: Path, folder: Path, source: str) -> None:
    path = folder / exercise.name
    path.write_text(source, encoding="utf-8")
    done = _run([str(reader["python"]), path.name], cwd=folder)
    assert done.returncode == 0, f"{exercise.name}:\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def solved_folder(reader: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("solved")
    for exercise in _exercises(reader):  # in order, as a learner works through them
        _run_exercise(reader, exercise, folder, _solved(exercise))
    return folder


def test_the_filled_exercises_pass_the_check(reader: dict, solved_folder: Path) -> None:
    done = _run([str(reader["venv"] / "bin" / "gdtutor"), "check"], cwd=solved_folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "10 of 10 keys pass"


def test_an_exercise_broken_after_its_run_is_noted(
    reader: dict, solved_folder: Path, tmp_path: Path
) -> None:
    # A syntax error runs nothing, so the file keeps the last run's answers, which pass: the
    # checker notes that the script changed after them.
    (tmp_path / ".answer.json").write_bytes((solved_folder / ".answer.json").read_bytes())
    [exercise] = [p for p in _exercises(reader) if p.name.startswith("plot_04_")]
    script = tmp_path / exercise.name
    source = _solved(exercise)
    assert "with torch.no_grad():" in source
    script.write_text(source.replace("with torch.no_grad():", "with torch.no_grad()"))
    done = _run([str(reader["python"]), script.name], cwd=tmp_path)
    assert done.returncode == 1 and "SyntaxError" in done.stderr, done.stderr[-2000:]
    done = _run([str(reader["python"]), "-m", "gdtutor", "check"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2] == "10 of 10 keys pass"
    assert lines[-1].startswith(
        f"note: {exercise.name} changed after its answers were saved to .answer.json"
    )


@pytest.mark.parametrize("lesson", sorted(MISTAKES))
def test_a_planted_mistake_fails_naming_its_lesson(
    reader: dict, solved_folder: Path, lesson: int, tmp_path: Path
) -> None:
    (tmp_path / ".answer.json").write_bytes((solved_folder / ".answer.json").read_bytes())
    [exercise] = [p for p in _exercises(reader) if p.name.startswith(f"plot_0{lesson}_")]
    _run_exercise(reader, exercise, tmp_path, _solved(exercise, MISTAKES[lesson]))
    done = _run([str(reader["python"]), "-m", "gdtutor", "check"], cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    summary = done.stdout.splitlines()[-1]
    assert summary.endswith(f"(lesson {lesson})"), done.stdout
    header, *lines = done.stdout.splitlines()
    rows = [line for line in lines[:-1] if not line.startswith(" ")]
    # The verdict's column (a key of lesson 5 names its run beside it: "var_history_4 (AdamW)").
    verdict = header.index("verdict")
    failing = [line for line in rows if not line[verdict:].startswith("pass")]
    assert failing and all(line.split()[0] == str(lesson) for line in failing), done.stdout
