"""Run a MyST notebook page's code cells outside Sphinx, capturing what they glue."""

from __future__ import annotations

import re
from pathlib import Path

GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::([^`]*))?`")


def code_cells(text: str) -> list[str]:
    """The source of each code cell, without its options (``:tags: ...`` or a ``---`` block)
    and magics."""
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S)
    cells = [re.sub(r"\A---\n.*?\n---\n", "", cell, flags=re.S) for cell in cells]
    return [
        "\n".join(line for line in cell.splitlines() if not re.match(r"^(:[\w-]+:|\s*%)", line))
        for cell in cells
    ]


def run_page(page: Path) -> dict[str, object]:
    """Execute every code cell of ``page`` in one namespace; return the glued values."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import myst_nb

    glued: dict[str, object] = {}
    original = myst_nb.glue
    myst_nb.glue = lambda name, variable, display=True: glued.__setitem__(name, variable)
    try:
        namespace: dict[str, object] = {}
        for cell in code_cells(page.read_text()):
            exec(compile(cell, str(page), "exec"), namespace)
    finally:
        myst_nb.glue = original
        plt.close("all")
    return glued


def glue_keys(page: Path) -> set[str]:
    """The names that the page's prose reads with ``{glue:text}``."""
    return {key for key, _ in GLUE_ROLE.findall(page.read_text())}


def assert_built_page_shows(page: Path, html: Path, glued: dict[str, object]) -> None:
    """Each ``{glue:text}`` role of ``page`` reads, in the built ``html``, as myst-nb formats it."""
    from myst_nb.core.variables import format_plain_text

    text = re.sub(r"<[^>]+>", "", html.read_text())
    for key, spec in GLUE_ROLE.findall(page.read_text()):
        shown = format_plain_text(repr(glued[key]), spec)
        assert shown in text, f"{key} should read {shown} on the built page"
