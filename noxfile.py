"""Developer tasks. ``nox`` runs lint, typecheck, tests, the site build and the site tests.

The sessions that need gdtutor share one environment (``.nox/shared``): installing torch
and the site's tools once, not once per session, is most of the time a fresh run takes. It
pins the CPU build of torch (``TORCH``): an unpinned torch pulls a multi-GB CUDA build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests", "docs", "site"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
TORCH = "torch==2.13.0"
EXTRAS = "test,docs,site,typecheck"
SHARED = ROOT / ".nox" / "shared"
SPHINX_FLAGS = ["-W", "--keep-going", "-n", "-j", "1"]
#: Cores for pytest-xdist: the unit tests and the site tests split across them.
WORKERS = str(min(4, os.cpu_count() or 1))


def _shared(session: nox.Session) -> Path:
    """The shared environment's bin folder, made or brought up to date first.

    It is remade when pyproject.toml or the torch pin changes; gdtutor itself is installed
    in editable mode, so edits to the package need no reinstall.
    """
    stamp = SHARED / "installed-for.txt"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + TORCH.encode()).hexdigest()
    bin_dir = SHARED / ("Scripts" if os.name == "nt" else "bin")
    if not stamp.is_file() or stamp.read_text() != want:
        shutil.rmtree(SHARED, ignore_errors=True)
        session.run(sys.executable, "-m", "virtualenv", "-q", str(SHARED), external=True)
        python = str(bin_dir / "python")
        # --no-compile: compiling every module of torch and the site's tools up front takes a
        # third of the install; Python compiles the modules the sessions use as they import
        # them (bytecode is written, below).
        session.run(
            python, "-m", "pip", "install", "-q", "--no-compile", TORCH, "-e", f".[{EXTRAS}]",
            external=True,
        )  # fmt: skip
        stamp.write_text(want)
    session.env["VIRTUAL_ENV"] = str(SHARED)
    session.env["PATH"] = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    session.env["MPLBACKEND"] = "Agg"
    # Write bytecode even where the caller's environment says not to: the shared environment
    # is installed without it, and each of the many processes would compile torch again.
    session.env["PYTHONDONTWRITEBYTECODE"] = ""
    return bin_dir


def _npm(session: nox.Session) -> None:
    """Install the site's npm packages (bundled into the pages at build time), if needed."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".installed-from-lock"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not stamp.is_file() or stamp.read_text() != digest:
        session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", external=True)
        stamp.write_text(digest)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install("ruff==0.17.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(venv_backend="none")
def typecheck(session: nox.Session) -> None:
    """Type-check the package with mypy (it ships py.typed, so its users' checkers read it)."""
    bin_dir = _shared(session)
    session.run(str(bin_dir / "mypy"), *session.posargs, external=True)


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """Unit tests, the package's docstring examples and the doctests of the Markdown pages.

    The tests of the built site run in ``site``.
    """
    bin_dir = _shared(session)
    _npm(session)  # some tests of the site's extensions run its Node tools
    session.run(
        str(bin_dir / "pytest"), "-n", WORKERS, "--dist", "worksteal", "-m", "not site",
        "--doctest-modules", "--doctest-glob=*.md",
        "tests", "gdtutor", "docs/install.md",
        *session.posargs, external=True,
    )  # fmt: skip


@nox.session(venv_backend="none")
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html from a clean output, warnings as errors.

    Executed examples and notebooks are cached (and invalidated when gdtutor changes); pass
    ``-- --fresh`` to execute everything again, or ``-- --incremental`` to keep the previous
    output and rebuild only what changed.
    """
    bin_dir = _shared(session)
    _npm(session)
    if "--fresh" in session.posargs:
        for path in (BUILD, DOCS / "auto_examples", DOCS / "gen_modules"):
            shutil.rmtree(path, ignore_errors=True)
    if "--incremental" not in session.posargs:
        shutil.rmtree(HTML, ignore_errors=True)
        shutil.rmtree(BUILD / "doctrees", ignore_errors=True)
        # autosummary writes a page for each object anew: one for a renamed or removed object
        # would be left over, outside any table of contents, which fails the build.
        shutil.rmtree(DOCS / "gen_modules" / "generated", ignore_errors=True)
    session.run(
        str(bin_dir / "sphinx-build"), "-b", "html", *SPHINX_FLAGS,
        "-d", str(BUILD / "doctrees"), str(DOCS), str(HTML), external=True,
    )  # fmt: skip


@nox.session(venv_backend="none")
def site(session: nox.Session) -> None:
    """Test the built site in headless Chromium, and run its downloads (needs ``docs``).

    Chromium comes from the system (Debian's ``chromium`` package) or ``$GDTUTOR_CHROMIUM``.
    """
    if not (HTML / "index.html").is_file():
        session.error("docs/_build/html is missing: run `nox -s docs` first")
    chromium = os.environ.get("GDTUTOR_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        session.error(
            f"{chromium} not found: install Chromium (on Debian: apt-get install chromium) "
            "or set GDTUTOR_CHROMIUM to a Chromium binary"
        )
    bin_dir = _shared(session)
    _npm(session)
    session.env["GDTUTOR_CHROMIUM"] = chromium
    session.run(
        str(bin_dir / "pytest"), "-n", WORKERS, "--dist", "loadscope", "-m", "site", "tests",
        *session.posargs, external=True,
    )  # fmt: skip


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and wheel into dist/ and check them with twine, as for a release."""
    session.install("build==1.6.1", "twine==7.0.0")
    shutil.rmtree(ROOT / "dist", ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(ROOT / "dist"), str(ROOT))
    session.run("twine", "check", "--strict", *map(str, sorted((ROOT / "dist").iterdir())))


@nox.session(venv_backend="none")
def serve(session: nox.Session) -> None:
    """Live preview on http://127.0.0.1:8000, rebuilt when the docs, lessons or package change."""
    bin_dir = _shared(session)
    _npm(session)
    session.run(str(bin_dir / "python"), "-m", "pip", "install", "-q",
                "sphinx-autobuild==2025.8.25", external=True)  # fmt: skip
    session.run(
        str(bin_dir / "sphinx-autobuild"), str(DOCS), str(HTML),
        "--host", "127.0.0.1", "--port", "8000",
        "--watch", str(ROOT / "gdtutor"), "--watch", str(ROOT / "gallery"),
        "--re-ignore", r"(auto_examples|auto_exercises|auto_dist|gen_modules|_build)/.*",
        external=True,
    )  # fmt: skip
