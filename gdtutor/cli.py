"""The command line: ``python -m gdtutor answers -o PATH`` and ``python -m gdtutor check``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gdtutor",
        description="Companion commands for the gdtutor lessons on gradient descent.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    answers = commands.add_parser(
        "answers",
        help="write the course notebook's reference answer file",
        description="Write the reference answers of the course notebook with json_tricks.",
    )
    answers.add_argument("-o", "--output", required=True, help="path of the file to write")
    answers.add_argument("--force", action="store_true", help="replace an existing file")
    check = commands.add_parser(
        "check",
        help="check an answer file against the reference answers",
        description=(
            "Compare an answer file, as the course notebook saves it, with the reference "
            "answers key by key. The file is only read: nothing in it is imported or run. "
            "Exit status: 0 when every key passes, 1 when any key fails, is missing or has "
            "the wrong shape, 2 when the file cannot be read or is refused."
        ),
    )
    check.add_argument(
        "path", nargs="?", default=".answer.json", help="the answer file (default: .answer.json)"
    )
    return parser


def _check(path: str) -> int:
    from gdtutor.checking import check_answers, format_report
    from gdtutor.safeload import LoadError, load_answers

    try:
        answers = load_answers(path)
    except LoadError as error:
        print(f"error: cannot check {path}: {error}", file=sys.stderr)
        return 2
    result = check_answers(answers)
    print(format_report(result))
    return 0 if result.passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success; for ``check``, 1 when any answer fails; 2 on a usage or file error.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     status = main(["answers", "-o", str(pathlib.Path(tmp) / "a.json")])
    wrote the reference answers to ...a.json
    >>> status
    0
    """
    args = _parser().parse_args(argv)
    if args.command == "answers":
        from gdtutor.answers import write_answers

        try:
            path = write_answers(args.output, overwrite=args.force)
        except (FileExistsError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"wrote the reference answers to {path}")
        return 0
    if args.command == "check":
        return _check(args.path)
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse rejects others
