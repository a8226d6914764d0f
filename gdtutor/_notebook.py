"""Turn a sphinx-gallery script into a Jupyter notebook, without Sphinx.

The script is split as sphinx-gallery splits it: the module docstring, then at every
``# %%`` line a text block (the ``#`` comment lines right after it) and a code block. Text is
reST; the few constructs the lessons use are rewritten as Markdown: section titles, inline
and display math, cross-reference roles, inline literals and external links.
"""

from __future__ import annotations

import ast
import re
import textwrap
from typing import Any

__all__ = ["rst_to_markdown", "script_to_notebook"]

_CELL = re.compile(r"^# ?%%")
_TEXT = re.compile(r"^#( |$)")  # "## YOUR CODE HERE ##" is code, not text
_CONFIG = re.compile(r"^[ \t]*#\s*sphinx_gallery_[A-Za-z0-9_]+(\s*=.*)?\n?", re.MULTILINE)
_ADORN = r"[=\-`:'\"~^_*+#<>.]"
_HEADING = re.compile(
    rf"^(?:(?P<over>{_ADORN})(?P=over){{2,}}\n)?[ \t]*(?P<title>\S[^\n]*?)[ \t]*\n"
    rf"(?P<under>{_ADORN})(?P=under){{2,}}[ \t]*$",
    re.MULTILINE,
)
_MATH_BLOCK = re.compile(
    r"^\.\. math::[ \t]*(?P<first>.*)\n(?P<body>(?:[ \t]*\n|[ \t]+\S.*\n?)*)", re.M
)
_ROLE = re.compile(
    r":(?:py:)?(?:func|class|meth|data|attr|mod|obj|exc):`(?P<tilde>~?)(?P<target>[^`]+)`"
)
_REF = re.compile(r":(?:ref|doc):`(?:(?P<text>[^`<]+?)\s*<[^`>]+>|(?P<target>[^`]+))`")
_LESSON = re.compile(r"^sphx_glr_\w*?(plot_\w+)\.py$")  # a gallery page: name the lesson
_LINK = re.compile(r"`(?P<text>[^`<]+?)\s*<(?P<url>[^`>]+)>`__?")


def rst_to_markdown(text: str, levels: dict[tuple[str | None, str], int]) -> str:
    """Rewrite the reST that lessons use as Markdown.

    ``levels`` maps a heading style ``(over, under)`` to its level, in the order styles are
    first met, as reST does; it is updated in place so that levels agree across cells.
    """

    def heading(match: re.Match[str]) -> str:
        style = (match["over"], match["under"])
        level = levels.setdefault(style, len(levels) + 1)
        return f"{'#' * level} {match['title']}"

    def math_block(match: re.Match[str]) -> str:
        body = "\n".join(filter(None, [match["first"], textwrap.dedent(match["body"]).strip()]))
        return f"$$\n{body}\n$$\n\n"

    def role(match: re.Match[str]) -> str:
        target = match["target"]
        return f"`{target.rsplit('.', 1)[-1] if match['tilde'] else target}`"

    text = _HEADING.sub(heading, text)
    text = _MATH_BLOCK.sub(math_block, text)
    text = re.sub(r":math:`([^`]+)`", r"$\1$", text)
    text = _ROLE.sub(role, text)
    text = _REF.sub(lambda m: m["text"] or _LESSON.sub(r"lesson `\1`", m["target"]), text)
    text = _LINK.sub(lambda m: f"[{m['text']}]({m['url']})", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text).strip()


def _blocks(source: str) -> list[tuple[str, str]]:
    tree = ast.parse(source)
    first = tree.body[0] if tree.body else None
    blocks: list[tuple[str, str]] = []
    lines = source.splitlines(keepends=True)
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        if isinstance(first.value.value, str):
            blocks.append(("text", first.value.value))
            lines = lines[first.end_lineno :]  # type: ignore[misc]
    code: list[str] = []
    i = 0
    while i < len(lines):
        if _CELL.match(lines[i]):
            blocks.append(("code", "".join(code)))
            code, i = [], i + 1
            text = []
            while i < len(lines) and _TEXT.match(lines[i]):
                text.append(lines[i][2:] if len(lines[i].rstrip("\n")) > 1 else "\n")
                i += 1
            blocks.append(("text", "".join(text)))
        else:
            code.append(lines[i])
            i += 1
    blocks.append(("code", "".join(code)))
    return [(kind, body) for kind, body in blocks if body.strip()]


def script_to_notebook(source: str) -> Any:
    """A version 4 notebook of the script's docstring, text cells and code cells.

    Cell ids are numbered, so the same script always gives the same file.
    """
    import nbformat.v4

    levels: dict[tuple[str | None, str], int] = {}
    cells = []
    for kind, body in _blocks(source):
        if kind == "text":
            cells.append(nbformat.v4.new_markdown_cell(rst_to_markdown(body, levels)))
        else:
            code = _CONFIG.sub("", body).strip("\n")
            if code.strip():
                cells.append(nbformat.v4.new_code_cell(code))
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata.update(
        kernelspec={"display_name": "Python 3", "language": "python", "name": "python3"},
        language_info={"name": "python"},
    )
    return notebook
