"""Developer tasks. ``nox`` runs lint, tests, doctests, the site build and the site tests.

Every session pins the CPU build of torch (``TORCH``): an unpinned torch pulls a multi-GB
CUDA build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "virtualenv"
nox.options.sessions = ["lint", "tests", "doctests", "docs", "site"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
TORCH = "torch==2.13.0"
SPHINX_FLAGS = ["-W", "--keep-going", "-n", "-j", "1"]


def _install(session: nox.Session, *extras: str) -> None:
    spec = f".[{','.join(extras)}]" if extras else "."
    session.install(TORCH, spec)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install("ruff==0.17.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the unit tests (not the tests of the built site).

    The docs extras come too: some tests run the site's extensions and the theory page's code.
    """
    _install(session, "test", "docs")
    session.run("pytest", "-m", "not site", *session.posargs, env={"MPLBACKEND": "Agg"})


@nox.session
def doctests(session: nox.Session) -> None:
    """Run the package's docstring examples and the doctests in the narrative pages."""
    _install(session, "test", "docs")
    session.run(
        "pytest",
        "--doctest-modules",
        "gdtutor",
        "-p",
        "no:cacheprovider",
        env={"MPLBACKEND": "Agg"},
    )
    # The doctest builder runs on a copy of the sources with gallery and notebook execution
    # off, so that its unexecuted lesson pages never replace the executed ones in docs/.
    copy = Path(session.create_tmp()) / "doctest-sources"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(
        DOCS, copy / "docs", ignore=shutil.ignore_patterns("_build", "auto_examples", "gen_modules")
    )
    shutil.copytree(ROOT / "gallery", copy / "gallery")
    session.run(
        "sphinx-build", "-b", "doctest", *SPHINX_FLAGS,
        "-D", "plot_gallery=0", "-D", "nb_execution_mode=off",
        # Unexecuted pages have nothing to glue; only their doctest blocks matter here.
        "-D", "suppress_warnings=mystnb.glue",
        str(copy / "docs"), str(copy / "docs" / "_build" / "doctest"),
    )  # fmt: skip


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html from a clean output, warnings as errors.

    Executed examples and notebooks are cached (and invalidated when gdtutor changes); pass
    ``-- --fresh`` to execute everything again, or ``-- --incremental`` to keep the previous
    output and rebuild only what changed.
    """
    _install(session, "docs")
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)  # KaTeX renders the math
    if "--fresh" in session.posargs:
        for path in (BUILD, DOCS / "auto_examples", DOCS / "gen_modules"):
            shutil.rmtree(path, ignore_errors=True)
    if "--incremental" not in session.posargs:
        shutil.rmtree(HTML, ignore_errors=True)
        shutil.rmtree(BUILD / "doctrees", ignore_errors=True)
    session.run(
        "sphinx-build",
        "-b",
        "html",
        *SPHINX_FLAGS,
        "-d",
        str(BUILD / "doctrees"),
        str(DOCS),
        str(HTML),
    )


@nox.session
def site(session: nox.Session) -> None:
    """Test the built site in headless Chromium, and run its downloads (needs ``docs``)."""
    if not (HTML / "index.html").is_file():
        session.error("docs/_build/html is missing: run `nox -s docs` first")
    chromium = os.environ.get("GDTUTOR_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        if shutil.which("apt-get") and os.geteuid() == 0:
            session.run("apt-get", "update", "-qq", external=True)
            session.run("apt-get", "install", "-y", "-qq", "chromium", "firefox-esr", external=True)
        else:
            session.error(
                f"{chromium} not found: install Debian's chromium package "
                "or set GDTUTOR_CHROMIUM to a Chromium binary"
            )
    _install(session, "test", "docs", "site")
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)  # axe-core, puppeteer-core
    session.run(
        "pytest",
        "-m",
        "site",
        *session.posargs,
        env={"MPLBACKEND": "Agg", "GDTUTOR_CHROMIUM": chromium},
    )


@nox.session
def serve(session: nox.Session) -> None:
    """Live preview on http://127.0.0.1:8000, rebuilt when the docs, lessons or package change."""
    _install(session, "docs")
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    session.install("sphinx-autobuild==2025.8.25")
    session.run(
        "sphinx-autobuild",
        str(DOCS),
        str(HTML),
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        "--watch",
        str(ROOT / "gdtutor"),
        "--watch",
        str(ROOT / "gallery"),
        "--re-ignore",
        r"(auto_examples|gen_modules|_build)/.*",
    )
