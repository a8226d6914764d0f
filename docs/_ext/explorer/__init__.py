"""An interactive step-size and momentum explorer, placed on a page with ``{explorer}``.

When the HTML builder starts, the numbers and contour pictures of :mod:`explorer.data` are
made with gdtutor, and esbuild (from the repository's ``node_modules``, installed with
``npm ci``) bundles the widget's JavaScript, its d3-scale dependency and those numbers into
``_static/explorer/explorer.js``, next to the pictures and the stylesheet. Only pages that
use the directive load them; nothing is fetched from outside the site.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

HERE = Path(__file__).resolve().parent
STATIC = "explorer"
FALLBACK = (
    '<div class="gdt-explorer">'
    '<p class="gdt-explorer-fallback">The step-size explorer runs in the browser: it needs '
    "JavaScript, which is turned off or has not loaded.</p></div>\n"
)


class explorer_node(nodes.General, nodes.Element):
    """Where the explorer goes."""


class ExplorerDirective(SphinxDirective):
    """``{explorer}``: place the step-size and momentum explorer here. No arguments."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [explorer_node()]


def _visit_html(translator: Any, node: explorer_node) -> None:
    translator.body.append(FALLBACK)
    raise nodes.SkipNode


def _skip(translator: Any, node: explorer_node) -> None:
    raise nodes.SkipNode


def esbuild_path(root: Path) -> Path:
    """The esbuild that ``npm ci`` installs under ``root``, or a clear error."""
    path = root / "node_modules" / ".bin" / "esbuild"
    if not path.is_file():
        raise ExtensionError(
            f"the explorer's JavaScript is bundled with esbuild, which is not installed at "
            f"{path}: run `npm ci` in {root}"
        )
    return path


def bundle(data: dict[str, Any], out: Path, root: Path) -> None:
    """Bundle the widget, d3-scale and ``data`` into ``out/explorer.js`` (and its CSS)."""
    command = [
        str(esbuild_path(root)),
        str(HERE / "explorer.js"),
        str(HERE / "explorer.css"),
        "--bundle",
        "--minify",
        "--format=iife",
        "--target=es2020",
        "--log-level=warning",
        f"--define:EXPLORER_DATA={json.dumps(data, allow_nan=False)}",
        f"--outdir={out}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise ExtensionError(f"esbuild could not bundle the explorer:\n{done.stderr}")


def _build_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    from .data import explorer_data

    out = Path(app.outdir) / "_static" / STATIC
    bundle(explorer_data(out), out, root=Path(app.srcdir).parent)


def _add_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is not None and next(doctree.findall(explorer_node), None) is not None:
        app.add_css_file(f"{STATIC}/explorer.css")
        app.add_js_file(f"{STATIC}/explorer.js", loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        explorer_node,
        html=(_visit_html, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_directive("explorer", ExplorerDirective)
    app.connect("builder-inited", _build_assets)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
