"""Downloads depend on the commit only: a second build on top of the first publishes the same
download files (lessons, exercises, zips, wheel and sdist) with the same bytes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.site.conftest import HTML

DOCS = HTML.parents[1]


def _published(html: Path) -> dict[str, str]:
    files = [p for folder in ("_downloads", "dist") for p in (html / folder).rglob("*")]
    return {
        p.relative_to(html).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


def test_a_second_build_publishes_the_same_downloads(tmp_path: Path) -> None:
    first = _published(HTML)
    assert any(name.endswith(".whl") for name in first)
    assert any(name.endswith("gdtutor_exercises.zip") for name in first)
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=900, env=dict(os.environ, MPLBACKEND="Agg"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert _published(tmp_path / "html") == first
