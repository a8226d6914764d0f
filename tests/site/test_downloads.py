"""The downloads on each lesson page exist, and each notebook executes top to bottom (lesson
7's shows the race as an animation player).

The scripts run in the reader's own environment, in test_install_and_exercises.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import HTML

LESSONS = sorted(HTML.glob("auto_examples/plot_*.html")) if HTML.is_dir() else []
HREF = re.compile(r'href="([^"]+\.(?:py|ipynb|zip))"')


def _downloads(page: Path) -> dict[str, Path]:
    """Map each download link's file name to the file it points to in the build."""
    links = {}
    for href in HREF.findall(page.read_text(encoding="utf-8")):
        if "://" in href:
            continue
        target = (page.parent / href).resolve()
        links[target.name] = target
    return links


def _env() -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="module", params=[p.name for p in LESSONS])
def lesson(request: pytest.FixtureRequest) -> Path:
    return HTML / "auto_examples" / request.param


def test_lessons_were_built() -> None:
    assert len(LESSONS) >= 5, f"expected the course's lessons in the build, found {LESSONS}"


def test_page_offers_script_and_notebook(lesson: Path) -> None:
    links = _downloads(lesson)
    stem = lesson.stem
    for suffix in (".py", ".ipynb"):
        assert f"{stem}{suffix}" in links, f"{lesson.name} has no {suffix} download: {links}"
        assert links[f"{stem}{suffix}"].is_file(), f"{links[stem + suffix]} is missing"


def _sphinx_markup(notebook: Path) -> list[str]:
    """What is left of Sphinx's roles and references in a notebook's Markdown cells."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return re.findall(r":\w+:`[^`]*`|sphx_glr_\w+|`[^`]*<[\w.-]+>`", text)


def test_notebook_text_has_no_sphinx_markup(lesson: Path) -> None:
    notebook = _downloads(lesson)[f"{lesson.stem}.ipynb"]
    assert _sphinx_markup(notebook) == [], notebook.name


def _script_markup(script: Path) -> list[str]:
    """What is left of Sphinx's roles and references in a script's text."""
    return re.findall(r":\w+:`[^`]*`|sphx_glr_\w+", script.read_text(encoding="utf-8"))


def test_script_text_has_no_sphinx_markup(lesson: Path) -> None:
    """A reader of the .py download reads "lesson 5" and $\\alpha$, not :ref:`sphx_glr_...`."""
    script = _downloads(lesson)[f"{lesson.stem}.py"]
    assert _script_markup(script) == [], script.name


_EXECUTED: dict[str, Any] = {}


def _executed(lesson: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The lesson's notebook download, executed top to bottom (once per test process)."""
    if lesson.name not in _EXECUTED:
        nbformat = pytest.importorskip("nbformat")
        nbclient = pytest.importorskip("nbclient")
        notebook = nbformat.read(_downloads(lesson)[f"{lesson.stem}.ipynb"], as_version=4)
        nbformat.validate(notebook)
        folder = tmp_path_factory.mktemp(lesson.stem)
        client = nbclient.NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        client.execute()
        _EXECUTED[lesson.name] = notebook
    return _EXECUTED[lesson.name]


def test_notebook_executes(lesson: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    notebook = _executed(lesson, tmp_path_factory)
    errors = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert errors == []


def test_the_race_notebook_plays_the_animation(tmp_path_factory: pytest.TempPathFactory) -> None:
    notebook = _executed(HTML / "auto_examples" / "plot_07_optimizers_race.html", tmp_path_factory)
    html = [
        output["data"]["text/html"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    ]
    assert len(html) == 1, "the notebook should show one animation player"
    assert "_anim_img" in html[0] and html[0].count("data:image/jpeg;base64") >= 10


def test_zip_of_all_lessons() -> None:
    index = HTML / "auto_examples" / "index.html"
    zips = [p for name, p in _downloads(index).items() if name.endswith(".zip")]
    assert zips, "the lessons index offers no zip of all lessons"
    names = set()
    for archive in zips:
        with zipfile.ZipFile(archive) as z:
            names |= {Path(n).name for n in z.namelist()}
    for page in LESSONS:
        assert f"{page.stem}.py" in names or f"{page.stem}.ipynb" in names, page.name


EXERCISE_LESSONS = [p for p in LESSONS if p.stem[:7] in {f"plot_0{i}" for i in range(1, 6)}]


@pytest.mark.parametrize("page", EXERCISE_LESSONS, ids=lambda p: p.stem)
def test_lesson_offers_exercise_downloads_that_stop_at_a_named_blank(
    page: Path, tmp_path: Path
) -> None:
    nbformat = pytest.importorskip("nbformat")
    links = _downloads(page)
    script = links.get(f"{page.stem}_exercise.py")
    notebook = links.get(f"{page.stem}_exercise.ipynb")
    assert script and script.is_file(), f"{page.name} offers no exercise script: {links}"
    assert notebook and notebook.is_file(), f"{page.name} offers no exercise notebook"
    nbformat.validate(nbformat.read(notebook, as_version=4))
    assert _sphinx_markup(notebook) == [], notebook.name
    assert _script_markup(script) == [], script.name
    source = script.read_text(encoding="utf-8")
    assert "## YOUR CODE HERE ##" in source
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=_env(),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    assert re.search(r"NotImplementedError: Fill in the blank ['\"]", result.stderr), result.stderr[
        -2000:
    ]


def test_the_source_distribution_is_the_whole_project() -> None:
    """The install page builds the site from the published sdist: it holds every file of the
    project (as git lists them), and nothing a build writes into the tree (git ignores those);
    a file not yet committed may be in it too."""
    import shutil
    import tarfile

    from tests.site.conftest import ROOT

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the project's files are listed by git")

    def listed(*options: str) -> set[str]:
        names = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z", *options],
            capture_output=True, text=True, check=True,
        ).stdout.split("\0")  # fmt: skip
        return {name for name in names if name and (ROOT / name).is_file()}  # not deleted

    tracked, new = listed("--cached"), listed("--others", "--exclude-standard")
    (sdist,) = (HTML / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        top = sdist.name.removesuffix(".tar.gz") + "/"
        names = {m.name.removeprefix(top) for m in archive.getmembers() if m.isfile()}
    made_by_build = {"PKG-INFO", "setup.cfg"} | {n for n in names if ".egg-info/" in n}
    assert tracked - names == set(), "files of the project missing from the sdist"
    assert names - made_by_build - tracked - new == set(), "files the project does not hold"
