"""Read the solution markers of a gallery script: the blocks a learner should write.

The public names are re-exported by ``exercises``; see its docstring for the
marker syntax.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

__all__ = ["Blank", "find_blanks"]

_MARKER = re.compile(r"#\s*sphinx_gallery_solution(?:_(?P<kind>\w+))?\s*(?:=\s*(?P<value>.*?))?\s*")
_CELL = re.compile(r"^# ?%%")
_TEXT = re.compile(r"^#( |$)")  # a cell's text, as sphinx-gallery reads it


@dataclass(frozen=True)
class Blank:
    """One marked block of a lesson.

    Attributes
    ----------
    name : str
        The name given in its begin marker.
    begin, end : int
        The 1-based line numbers of its begin and end markers.
    indent : str
        The indentation of its begin marker, which the placeholder keeps.
    solution : str
        The lines between the markers, without that indentation.
    """

    name: str
    begin: int
    end: int
    indent: str
    solution: str


def _markers(source: str, where: str) -> list[tuple[int, str, str, str | None]]:
    """``(line, indent, kind, value)`` of every solution marker, checked one by one."""
    lines = source.splitlines()
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as error:
        raise ValueError(f"{where}: cannot read the script: {error}") from None
    for token in tokens:
        match = _MARKER.fullmatch(token.string) if token.type == tokenize.COMMENT else None
        if match is None:
            continue
        (line, column), kind = token.start, match["kind"]
        here, indent = f"{where}:{line}", token.line[:column]
        if kind not in ("begin", "end"):
            raise ValueError(f"{here}: unknown marker {token.string!r}; use _begin or _end")
        if indent.strip():
            raise ValueError(f"{here}: a solution marker must be on a line of its own")
        above = line - 2
        while (
            kind == "begin"
            and above >= 0
            and _TEXT.match(lines[above])
            and not _CELL.match(lines[above])
        ):
            above -= 1
        if kind == "begin" and above >= 0 and _CELL.match(lines[above]):
            raise ValueError(f"{here}: separate the marker from the cell's text by a blank line")
        found.append((line, indent, kind, match["value"]))
    return found


def _name(value: str | None, here: str) -> str:
    try:
        name = ast.literal_eval(value) if value else None
    except (ValueError, SyntaxError):
        name = None
    if not isinstance(name, str) or not name.strip():
        usage = '# sphinx_gallery_solution_begin = "what the learner writes"'
        raise ValueError(f"{here}: solution block without a name; write {usage}")
    return name


def find_blanks(source: str, *, filename: str = "<lesson>") -> tuple[Blank, ...]:
    """Find the marked solution blocks of a gallery script.

    Parameters
    ----------
    source : str
        The script's text.
    filename : str, optional
        Used in error messages.

    Returns
    -------
    tuple of Blank
        In the order of the script.

    Raises
    ------
    ValueError
        Naming the file and line: a marker without a name or not on its own line, an
        unknown marker, a duplicate name, a begin inside an open block, an end without a
        begin, a block never closed, an empty block, a block line indented less than its
        begin marker, a block that spans two cells.

    Examples
    --------
    >>> script = '''for i in range(3):
    ...     # sphinx_gallery_solution_begin = "the loop body"
    ...     print(i)
    ...     # sphinx_gallery_solution_end
    ... '''
    >>> blank, = find_blanks(script)
    >>> blank.name, blank.begin, blank.end, blank.indent, blank.solution
    ('the loop body', 2, 4, '    ', 'print(i)\\n')
    """
    lines = source.splitlines(keepends=True)
    blanks: list[Blank] = []
    opened: tuple[int, str, str] | None = None
    for line, indent, kind, value in _markers(source, filename):
        here = f"{filename}:{line}"
        if kind == "begin":
            name = _name(value, here)
            if opened is not None:
                raise ValueError(
                    f"{here}: solution block {name!r} begins inside block {opened[2]!r} "
                    f"begun at line {opened[0]}; blocks cannot nest"
                )
            if name in {blank.name for blank in blanks}:
                raise ValueError(f"{here}: a second solution block named {name!r}")
            opened = (line, indent, name)
            continue
        if value is not None:
            raise ValueError(f"{here}: sphinx_gallery_solution_end takes no value")
        if opened is None:
            raise ValueError(f"{here}: sphinx_gallery_solution_end without a begin marker")
        begin, prefix, name = opened
        body = lines[begin : line - 1]
        if not any(text.strip() for text in body):
            raise ValueError(f"{filename}:{begin}: solution block {name!r} is empty")
        for number, text in enumerate(body, start=begin + 1):
            if text.strip() and not text.startswith(prefix):
                raise ValueError(
                    f"{filename}:{number}: a line of solution block {name!r} is indented less "
                    f"than its begin marker at line {begin}"
                )
            if _CELL.match(text):
                raise ValueError(f"{filename}:{number}: solution block {name!r} spans two cells")
        solution = "".join(text[len(prefix) :] if text.strip() else "\n" for text in body)
        blanks.append(Blank(name, begin, line, prefix, solution))
        opened = None
    if opened is not None:
        raise ValueError(f"{filename}:{opened[0]}: solution block {opened[2]!r} is never closed")
    return tuple(blanks)
