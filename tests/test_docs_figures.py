"""The figures of the site's executed Markdown pages keep their text inside the figure, with
no two axes titles on top of each other, and large enough to read on a phone: the check
that the lessons' figures get from the site build's scraper (``text_problems`` in
docs/_ext/site_assets.py), here by running the pages' code cells as myst-nb reads them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from site_assets import STYLE, text_problems  # noqa: E402  (the site build's own check)

#: The pages whose code draws a figure.
PAGES = sorted(
    path
    for path in DOCS.rglob("*.md")
    if "_build" not in path.parts and "plt.show()" in path.read_text(encoding="utf-8")
)


def test_the_pages_with_figures_are_found() -> None:
    names = {path.relative_to(DOCS).as_posix() for path in PAGES}
    assert {"theory/momentum.md", "theory/step_size.md"} <= names


def _figure_problems(page: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list[str]]]:
    """Run a page's code cells; each figure it shows, numbered from 1, with its text
    problems."""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(page.read_text(encoding="utf-8"))
    found: list[tuple[int, list[str]]] = []

    def show(*args: Any, **kwargs: Any) -> None:
        for number in plt.get_fignums():
            found.append((len(found) + 1, text_problems(plt.figure(number))))
        plt.close("all")

    monkeypatch.chdir(page.parent)  # where myst-nb runs a page
    monkeypatch.setattr(plt, "show", show)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    # The site's figure style, which the kernels that run the pages read (MATPLOTLIBRC).
    with plt.style.context(STYLE):
        for cell in notebook.cells:
            if cell.cell_type == "code":
                # IPython's line magics (%config) set up the kernel's display only.
                lines = [line for line in cell.source.splitlines() if not line.startswith("%")]
                exec(compile("\n".join(lines), str(page), "exec"), namespace)
        show()
    return found


@pytest.mark.parametrize("page", PAGES, ids=[path.stem for path in PAGES])
def test_a_pages_figures_keep_their_text_inside_and_large_enough(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _figure_problems(page, monkeypatch)
    assert found, f"{page.name} showed no figure"
    problems = [(number, problems) for number, problems in found if problems]
    assert not problems, f"{page.name}: figure number and its text problems: {problems}"


def test_a_title_wider_than_the_figure_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n---\n\n# A page\n\n"
        "```{code-cell} ipython3\n%config InlineBackend.figure_formats = ['retina']\n"
        "import matplotlib.pyplot as plt\n\nfig, ax = plt.subplots(figsize=(2, 2))\n"
        "ax.set_title('a title far too long for a figure two inches wide')\nplt.show()\n```\n"
    )
    [(number, problems)] = _figure_problems(page, monkeypatch)
    assert number == 1 and "runs off the figure" in problems[0]
