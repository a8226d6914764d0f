"""Render math to MathML when the site is built, so pages need no math JavaScript.

Browsers draw MathML natively; converting at build time keeps every page light and shows
formulas as soon as the page loads. The TeX source stays in each formula's ``alttext``
(and in the downloadable scripts and notebooks). A formula that cannot be converted
faithfully fails the build rather than showing raw TeX.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.writers.html5 import HTML5Translator

# latex2mathml has no aligned environments; an array with alternating right- and
# left-aligned columns lays them out the same way.
_ALIGNED = re.compile(r"\\begin\{(aligned|align\*?|split)\}(.*?)\\end\{\1\}", re.S)


def _as_array(match: re.Match[str]) -> str:
    body = match.group(2)
    columns = 1 + max(row.count("&") for row in body.split(r"\\"))
    spec = "".join("rl"[i % 2] for i in range(columns))
    # "&=" starts a cell with a relation; the empty group keeps it spaced as an infix.
    return rf"\begin{{array}}{{{spec}}}" + body.replace("&", "&{}") + r"\end{array}"


def to_mathml(latex: str, display: str) -> str:
    """Convert one TeX formula to a MathML ``<math>`` element (``display``: inline/block)."""
    tex = _ALIGNED.sub(_as_array, latex.strip())
    markup = convert(tex, display=display)
    if "<mi>&</mi>" in markup or "<merror" in markup:
        raise ValueError("latex2mathml could not lay out this formula")
    return markup.replace("<math ", f'<math alttext="{html.escape(latex.strip())}" ', 1)


def _render(latex: str, display: str, node: nodes.Node) -> str:
    try:
        return to_mathml(latex, display)
    except Exception as error:  # latex2mathml raises several exception types
        raise ExtensionError(
            f"{node.source}:{node.line}: cannot convert math {latex!r} to MathML: {error}"
        ) from error


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_render(node.astext(), "inline", node))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    latex = node.astext()
    # Sphinx separates several displayed equations in one block by blank lines; each gets
    # its own box, as the theme lays a math box out as one row.
    parts = [latex] if node.get("nowrap") else [p for p in latex.split("\n\n") if p.strip()]
    for i, part in enumerate(parts):
        if i == 0:
            self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
        else:
            self.body.append('<div class="math notranslate">')
        if i == 0 and node.get("number"):
            self.body.append(f'<span class="eqno">({node["number"]})</span>')
        self.body.append(_render(part, "block", node))
        self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(
        "mathml", inline_renderers=(visit_math, None), block_renderers=(visit_math_block, None)
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
