r"""Exercise versions of the lessons, made from the lessons themselves.

A gallery script marks each block of lines that a learner should write::

    # sphinx_gallery_solution_begin = "the gradient step"
    value = function(x)
    ...
    # sphinx_gallery_solution_end

sphinx-gallery reads both lines as in-file configuration comments, so with
``remove_config_comments=True`` the rendered page, the solution, does not show them. The
exercise version replaces each block, at the block's indentation, with
``## YOUR CODE HERE ##`` and a ``raise NotImplementedError`` that names the blank, so the
file stays valid Python (inside a function or a loop too) and, run unfilled, stops at the
first blank it reaches. A lesson that stores results in a dict ``answer`` gets a last cell
that adds them to ``.answer.json``, ready for ``python -m gdtutor check``, and a first cell
that takes the keys it stores out of that file and lists them as unfinished, so that a run
that stops early leaves them failing rather than stale.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from _markers import Blank, find_blanks

__all__ = [
    "PLACEHOLDER",
    "Blank",
    "exercise_notebook",
    "exercise_source",
    "fill_blanks",
    "find_blanks",
    "solution_source",
    "write_exercises",
]

#: The comment that marks where a learner writes, as in the course notebook.
PLACEHOLDER = "## YOUR CODE HERE ##"

_RAISE = re.compile(r"^(?P<indent>[ \t]*)raise NotImplementedError\((?P<message>.*)\)\s*$")
_NAMED = re.compile(r"^Fill in the blank (?P<name>.+) of lesson ")
_SAVE_CELL = """
# %%
# Save your answers
# -----------------
#
# As the course notebook's last cell does, this writes ``answer`` to ``.answer.json``, here
# next to the answers that the other lessons saved there. Check them with
# ``python -m gdtutor check``.
from gdtutor.answers import save_answers

saved = save_answers(answer)
print(f"saved {', '.join(answer)} to {saved}")
"""


_FORGET_CELL = """
# %%
# Start afresh
# ------------
#
# An earlier run of this exercise may have saved its answers to ``.answer.json``. They are
# taken out first and listed as unfinished until the last cell saves the new ones: if this
# run stops before its end, the checker says so instead of checking the old answers. A
# script with a syntax error (an ``IndentationError``, say) does not run at all, not even
# this cell: fix what Python reports first, or the checker checks the last run's answers.
# (In a notebook, a syntax error stops only its own cell.) The file is written in the
# folder the exercise runs in: a notebook's own folder.
from gdtutor.answers import start_exercise

taken = start_exercise({keys})
if taken:
    print(f"took the last run's {{', '.join(taken)}} out of .answer.json; this run saves new ones")
"""


def _answer_stores(tree: ast.Module) -> list[ast.Subscript]:
    """The ``answer[...] = ...`` targets of a script, in order of appearance."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
        and node.value.id == "answer" and isinstance(node.ctx, ast.Store)
    ]  # fmt: skip


def _with_forget_cell(exercise: str, tree: ast.Module, keys: list[str]) -> str:
    """The exercise with :data:`_FORGET_CELL` after the docstring of the script parsed as
    ``tree`` (its blanks all come after it), before its first cell."""
    first = tree.body[0] if tree.body else None
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    lines = exercise.splitlines(keepends=True)
    at = first.end_lineno if docstring and first.end_lineno else 0
    cell = _FORGET_CELL.format(keys=json.dumps(keys))
    return "".join(lines[:at]) + cell + "".join(lines[at:])


def _indented(code: str, indent: str) -> str:
    return "".join(indent + c if c.strip() else c for c in code.splitlines(keepends=True))


def _replace(source: str, blanks: tuple[Blank, ...], make: Callable[[Blank], str]) -> str:
    lines = source.splitlines(keepends=True)
    for blank in reversed(blanks):
        lines[blank.begin - 1 : blank.end] = [make(blank)]
    return "".join(lines)


def solution_source(source: str, *, lesson: str = "<lesson>") -> str:
    """The script without its solution markers: the code of the rendered page.

    ``lesson`` names the script in the errors of ``find_blanks``.

    Examples
    --------
    >>> script = '''# sphinx_gallery_solution_begin = "x"
    ... x = 1
    ... # sphinx_gallery_solution_end
    ... print(x)
    ... '''
    >>> print(solution_source(script), end="")
    x = 1
    print(x)
    """
    blanks = find_blanks(source, filename=lesson)
    return _replace(source, blanks, lambda blank: _indented(blank.solution, blank.indent))


def exercise_source(source: str, *, lesson: str = "<lesson>") -> str:
    """The exercise version of a script: every marked block replaced by a blank.

    Each block becomes ``PLACEHOLDER`` and a ``raise
    NotImplementedError`` naming the blank and the lesson, at the block's indentation. A
    script that stores into a dict ``answer`` gets a last cell that adds it to
    ``.answer.json`` with json_tricks, keeping the keys that other lessons saved there.

    Parameters
    ----------
    source : str
        The gallery script.
    lesson : str, optional
        The lesson's name for the messages, e.g. ``"plot_03_descent_by_hand"``.

    Returns
    -------
    str
        Valid Python.

    Raises
    ------
    ValueError
        For bad markers (see ``find_blanks``), or a block placed so
        that blanking it breaks the syntax.

    Examples
    --------
    >>> script = '''def f(x):
    ...     # sphinx_gallery_solution_begin = "the body"
    ...     return 2 * x
    ...     # sphinx_gallery_solution_end
    ... '''
    >>> print(exercise_source(script, lesson="demo"), end="")
    def f(x):
        ## YOUR CODE HERE ##
        raise NotImplementedError("Fill in the blank 'the body' of lesson demo, then delete...")
    """

    def blank_out(blank: Blank) -> str:
        message = f"Fill in the blank {blank.name!r} of lesson {lesson}, then delete this line"
        code = (
            f"{PLACEHOLDER}\nraise NotImplementedError({json.dumps(message, ensure_ascii=False)})\n"
        )
        return _indented(code, blank.indent)

    exercise = _replace(source, find_blanks(source, filename=lesson), blank_out)
    try:
        ast.parse(exercise, lesson)
    except SyntaxError as error:
        raise ValueError(
            f"{lesson}:{error.lineno}: blanking the solution blocks breaks the syntax "
            f"({error.msg}); a block must hold whole statements"
        ) from None
    tree = ast.parse(source)
    stores = _answer_stores(tree)
    if not stores:
        return exercise
    named = [s.slice.value for s in stores if isinstance(s.slice, ast.Constant)]
    keys = list(dict.fromkeys(key for key in named if isinstance(key, str)))
    if keys:
        exercise = _with_forget_cell(exercise, tree, keys)
    return exercise.rstrip("\n") + "\n\n" + _SAVE_CELL


def fill_blanks(exercise: str, solutions: Mapping[str, str]) -> str:
    """Fill the blanks of an exercise, as a learner does, with code given by blank name.

    Parameters
    ----------
    exercise : str
        An exercise from ``exercise_source``.
    solutions : Mapping
        Blank name to code, unindented; blanks not named stay blank.

    Returns
    -------
    str
        The exercise with each named placeholder and its ``raise`` replaced by the code.

    Raises
    ------
    ValueError
        If ``solutions`` names a blank that the exercise does not have.

    Examples
    --------
    >>> exercise = exercise_source('''# sphinx_gallery_solution_begin = "x"
    ... x = 1
    ... # sphinx_gallery_solution_end
    ... print(x)
    ... ''')
    >>> print(fill_blanks(exercise, {"x": "x = 2\\n"}), end="")
    x = 2
    print(x)
    """
    lines = exercise.splitlines(keepends=True)
    out: list[str] = []
    filled: set[str] = set()
    for i, line in enumerate(lines):
        if i and lines[i - 1].strip() == PLACEHOLDER and (match := _RAISE.match(line)):
            named = _NAMED.match(ast.literal_eval(match["message"]))
            name = ast.literal_eval(named["name"]) if named else None
            if name in solutions:
                out[-1:] = [_indented(solutions[name], match["indent"])]
                filled.add(name)
                continue
        out.append(line)
    unknown = sorted(set(solutions) - filled)
    if unknown:
        raise ValueError(f"solutions name blanks that the exercise does not have: {unknown}")
    return "".join(out)


def exercise_notebook(exercise: Path, gallery_conf: Mapping[str, Any] | None = None) -> Any:
    """The exercise script ``exercise`` as a notebook, made by sphinx-gallery's own writer.

    The docstring and the text of each ``# %%`` cell become Markdown cells and the code
    becomes code cells, exactly as sphinx-gallery makes a lesson's notebook; configuration
    comments are removed as on the lesson page. ``gallery_conf`` is the site's sphinx-gallery
    configuration (sphinx-gallery's defaults if not given).

    """
    from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
    from sphinx_gallery.notebook import jupyter_notebook
    from sphinx_gallery.py_source_parser import (
        Block,
        remove_config_comments,
        split_code_and_text_blocks,
    )

    conf = dict(DEFAULT_GALLERY_CONF if gallery_conf is None else gallery_conf)
    conf.setdefault("first_notebook_cell", None)
    _, blocks = split_code_and_text_blocks(exercise)
    blocks = [Block(label, remove_config_comments(text), line) for label, text, line in blocks]
    return jupyter_notebook(blocks, conf, exercise.parent)


#: A lesson's reference as sphinx-gallery leaves it: in backticks in a notebook's Markdown,
#: bare in a thumbnail's tooltip.
_LESSON_REF = re.compile(r"`?sphx_glr_auto_examples_(plot_(\d+)_\w+?)\.py`?")
#: A reference with a title of its own (which may run over two lines of the source).
_TITLED_REF = re.compile(r"`([^`<>]+?)\s*<([\w.-]+)>`")
_DOCS = Path(__file__).resolve().parents[1]


@functools.cache
def page_labels(docs: Path = _DOCS) -> dict[str, str]:
    """The labels of the site's Markdown pages (``(theory-explorer)=``), each with its
    address relative to the site's root (``theory/step_size.html#theory-explorer``)."""
    labels = {}
    for page in sorted(docs.rglob("*.md")):
        if "_build" in page.parts:
            continue
        name = page.relative_to(docs).with_suffix(".html").as_posix()
        for label in re.findall(r"^\(([\w-]+)\)=$", page.read_text(encoding="utf-8"), re.M):
            labels[label] = f"{name}#{label}"
    return labels


_PY_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|data|meth|attr|obj|exc):`(~?)([\w.]+)`")


def _py_name(role: re.Match[str]) -> str:
    """The name a Python role shows: its last part after a ``~``, else the whole."""
    return role[2].rsplit(".", 1)[-1] if role[1] else role[2]


def plain_markdown(text: str, site: str = "") -> str:
    """Markdown that sphinx-gallery wrote for a notebook, with its Sphinx cross-references
    turned into what a notebook shows: a lesson's reference becomes "lesson N", a titled
    reference its title (each linked to its page on ``site``, if given, where the reference
    is to a lesson or to a label of the site's pages), a Python role its code.

    Examples
    --------
    >>> plain_markdown("see `sphx_glr_auto_examples_plot_03_descent_by_hand.py`", "https://x/")
    'see [lesson 3](https://x/auto_examples/plot_03_descent_by_hand.html)'
    >>> plain_markdown("the `theory page <theory-step-size>` and :func:`~gdtutor.compare.tune`")
    'the theory page and `tune`'
    >>> plain_markdown("the `theory page <theory-step-size>`", "https://x/")
    'the [theory page](https://x/theory/step_size.html#theory-step-size)'
    """
    root = site.rstrip("/")

    def lesson(match: re.Match[str]) -> str:
        name = f"lesson {int(match[2])}"
        return f"[{name}]({root}/auto_examples/{match[1]}.html)" if site else name

    def titled(match: re.Match[str]) -> str:
        title, target = " ".join(match[1].split()), match[2]
        page = _LESSON_REF.fullmatch(target)
        where = f"auto_examples/{page[1]}.html" if page else page_labels().get(target)
        return f"[{title}]({root}/{where})" if site and where else title

    text = _TITLED_REF.sub(titled, text)
    text = _LESSON_REF.sub(lesson, text)
    return _PY_ROLE.sub(lambda m: f"`{_py_name(m)}`", text)


#: Sphinx's roles as a lesson's comments write them: a cross-reference, inline math.
_REF_ROLE = re.compile(r":ref:(`[^`]+`)")
_MATH_ROLE = re.compile(r":math:`([^`]+)`")


def plain_script(source: str) -> str:
    r"""A lesson script with the Sphinx roles of its text turned into what reads in a plain
    file: a lesson's reference "lesson N", a titled reference its title, a Python role the
    name in double backticks (as the comments write code), inline math ``$...$``.

    Only the text changes: a role is never part of the code.

    Examples
    --------
    >>> print(plain_script(
    ...     "# See :ref:`sphx_glr_auto_examples_plot_03_descent_by_hand.py`, the\n"
    ...     "# :ref:`theory page <theory-step-size>`, :func:`~gdtutor.compare.tune` and\n"
    ...     "# :math:`\\alpha = 0.001`; :ref:`the lesson\n# <sphx_glr_auto_examples_plot_05_x.py>`"
    ...     " says so.\nx = 1\n"
    ... ), end="")
    # See lesson 3, the
    # theory page, ``tune`` and
    # $\alpha = 0.001$; the lesson
    # says so.
    x = 1
    """

    def reference(match: re.Match[str]) -> str:
        # A title over two lines (of a comment, "# ", or of the docstring): one line in the
        # text, followed by the line breaks it held, each with the next line's start kept.
        breaks = re.findall(r"\n[ \t]*(?:#(?= |$))?", match[1])
        flat = re.sub(r"\s*\n[ \t]*(?:#(?= |$))?\s*", " ", match[1])
        return plain_markdown(flat) + "".join(breaks)

    text = _REF_ROLE.sub(reference, source)
    text = _PY_ROLE.sub(lambda m: f"``{_py_name(m)}``", text)
    return _MATH_ROLE.sub(r"$\1$", text)


def plain_notebook(notebook: dict[str, Any], site: str = "") -> dict[str, Any]:
    """The notebook with :func:`plain_markdown` applied to each Markdown cell, in place."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = cell["source"]
            if isinstance(source, list):  # sphinx-gallery writes a list of one string
                cell["source"] = [plain_markdown("".join(source), site)]
            else:
                cell["source"] = plain_markdown(source, site)
    return notebook


def write_exercises(
    gallery_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    gallery_conf: Mapping[str, Any] | None = None,
    site: str = "",
) -> list[Path]:
    """Write ``<lesson>_exercise.py`` and ``.ipynb`` for every ``plot_*.py`` with blanks.

    Parameters
    ----------
    gallery_dir : str or path-like
        The folder of lessons.
    out_dir : str or path-like
        Where to write; created if needed.
    gallery_conf : mapping, optional
        The site's sphinx-gallery configuration.
    site : str
        The site's address, for the notebooks' links to lessons (see ``plain_markdown``).

    Returns
    -------
    list of pathlib.Path
        The files written, in lesson order.

    Raises
    ------
    ValueError
        If a lesson's markers are wrong (see ``find_blanks``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     lessons = pathlib.Path(tmp, "gallery")
    ...     lessons.mkdir()
    ...     lines = ["\'\'\'", "Sum", "===", "", "Add two numbers.", "\'\'\'",
    ...              '# sphinx_gallery_solution_begin = "the sum"', "total = 1 + 2",
    ...              "# sphinx_gallery_solution_end", "print(total)"]
    ...     _ = lessons.joinpath("plot_01_sum.py").write_text("\\n".join(lines) + "\\n")
    ...     written = write_exercises(lessons, pathlib.Path(tmp, "out"))
    ...     print([path.name for path in written])
    ['plot_01_sum_exercise.py', 'plot_01_sum_exercise.ipynb']
    """
    from sphinx_gallery.notebook import save_notebook

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for script in sorted(Path(gallery_dir).glob("plot_*.py")):
        source = script.read_text(encoding="utf-8")
        if not find_blanks(source, filename=script.name):
            continue
        py, ipynb = (out / f"{script.stem}_exercise{suffix}" for suffix in (".py", ".ipynb"))
        exercise = exercise_source(source, lesson=script.stem)
        py.write_text(exercise, encoding="utf-8")
        # The notebook is made from the roles (sphinx-gallery writes their Markdown); the
        # script then reads as plain text.
        save_notebook(plain_notebook(exercise_notebook(py, gallery_conf), site), ipynb)
        py.write_text(plain_script(exercise), encoding="utf-8")
        written += [py, ipynb]
    return written
