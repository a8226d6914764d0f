"""The command line: ``gdtutor answers -o PATH`` and ``gdtutor check [PATH ...]``.

Both also run as ``python -m gdtutor``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import errno
import gc
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType as MappingProxy
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from gdtutor.checking import CheckResult

__all__ = ["main"]

_CHECK = """\
Compare answer files, as the lessons' exercises and the course notebook save them, with the
reference answers, key by key. Files are only read: nothing in them is imported or run.

One file: a table with a row per key, naming the lesson that writes it, and a hint for each
known mistake. Several files or a folder (every *.json file in it and below it): one summary
row per file, and files that cannot be read are reported and skipped; symbolic links, in a
folder or named among several files, are reported and not followed. A value in one key that
is not read (a malformed array, an object named in the file) fails that key; the other keys
are checked.

A file named twice (a folder and a file in it, say) is checked once. A file whose name
starts with "-" (as "*.json" can expand to) is checked, not taken for an option.

Exit status: 0 when every file passes, 1 when any answer fails or is missing or a value is
not read (an extra key's too), 2 when a file cannot be read or is refused, or is skipped (a
symbolic link)."""


def _parser() -> argparse.ArgumentParser:
    from gdtutor import __version__

    parser = argparse.ArgumentParser(
        prog="gdtutor",
        description="Companion commands for the gdtutor lessons on gradient descent.",
    )
    parser.add_argument("--version", action="version", version=f"gdtutor {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    answers = commands.add_parser(
        "answers",
        help="write the reference answer file",
        description="Write the reference answers, as the exercises save theirs, with json_tricks.",
    )
    answers.add_argument("-o", "--output", required=True, help="path of the file to write")
    answers.add_argument("--force", action="store_true", help="replace an existing file")
    check = commands.add_parser(
        "check",
        help="check answer files against the reference answers",
        description=_CHECK,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="answer files or folders of them (default: .answer.json)",
    )
    check.add_argument(
        "--csv", action="store_true", help="print the per-file summary as CSV, for a spreadsheet"
    )
    return parser


class _Found(NamedTuple):
    """What :func:`_files` found to check."""

    #: The files to check, with the symbolic links and the unreadable folders found in
    #: folders in name order.
    files: list[Path]
    #: The symbolic links among them (not followed: a link may lead out of the folder, to
    #: another student's file or to any file at all), those in folders and those named among
    #: several paths (``gdtutor check class/*.json``), but not one file named alone.
    links: set[Path]
    #: The folders among them that could not be read, with why.
    unreadable: dict[Path, str]
    #: The other files the folders hold (not ``*.json``, so not checked).
    others: list[Path]
    #: Each file named again (``gdtutor check class class/a.json``) with the name it is
    #: checked under, once.
    repeats: list[tuple[Path, Path]]
    #: The folders named that hold no ``*.json`` file (nor link, nor unreadable folder).
    empty: list[Path]


def _is(test: Callable[[], bool]) -> bool:
    """``test()``, or False where the file system does not let it look (a folder on the way
    that cannot be read): the file is then checked, and its row says why it cannot be read."""
    try:
        return test()
    except OSError:
        return False


def _files(paths: Sequence[str]) -> _Found:
    """The files to check in ``paths`` (see :class:`_Found`)."""
    files: list[Path] = []
    links: set[Path] = set()
    unreadable: dict[Path, str] = {}
    others: list[Path] = []
    empty: list[Path] = []

    def cannot_read(error: OSError) -> None:
        folder = Path(error.filename)
        unreadable[folder] = f"a folder that cannot be read: {(error.strerror or '').lower()}"

    for name in paths:
        path = Path(name)
        if _is(path.is_symlink) and len(paths) > 1:  # a linked folder too: not entered
            files.append(path)
            links.add(path)
            continue
        if not _is(path.is_dir):
            files.append(path)
            continue
        found: list[Path] = []
        # Does not enter linked folders; a folder it cannot list is reported, not passed over.
        for folder, dirs, names in os.walk(path, onerror=cannot_read):
            here = Path(folder)
            found_links = [here / d for d in dirs if _is((here / d).is_symlink)]
            for file in names:
                target = here / file
                if _is(target.is_symlink):
                    found_links.append(target)
                elif file.lower().endswith(".json"):
                    found.append(target)
                else:
                    others.append(target)
            links.update(found_links)
            found += found_links
        found += [folder for folder in unreadable if folder not in found and folder not in files]
        if not found:
            empty.append(path)
        files += sorted(found)
    files, repeats = _named_once(files, links)
    return _Found(files, links, unreadable, sorted(others), repeats, empty)


def _named_once(
    paths: list[Path], links: Collection[Path]
) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """``paths`` with each file once, in order, and each name dropped with the name kept.

    Two names are one file if they lead to the same place; a link, not followed, is one
    file with its own path only."""
    kept: dict[str, Path] = {}
    repeats: list[tuple[Path, Path]] = []
    for path in paths:
        where = os.path.abspath(path) if path in links else os.path.realpath(path)
        if where in kept:
            repeats.append((path, kept[where]))
        else:
            kept[where] = path
    return list(kept.values()), repeats


#: What to do before there is an answer file to check.
_RUN_FIRST = (
    "run the lessons' exercise files first (they save .answer.json in the folder they run in, "
    "a notebook in its own folder)"
)


def _named(path: Path | str) -> str:
    """A path (or a message naming one) as a message shows it: one with a control character
    (a terminal escape) is shown as a Python string literal, so that a file's name cannot act
    on the terminal."""
    from gdtutor.checking import _shown

    return _shown(str(path))


def _missing_file_hint(path: Path) -> str:
    """Why a file named alone is not there, where that is not plain: a link that leads
    nowhere, or the answer file the exercises have not written yet."""
    if _is(path.is_symlink):
        return (
            f" ({_named(path)} is a symbolic link to {_named(os.readlink(path))}, "
            "which does not exist)"
        )
    if path.name == ".answer.json":
        return f"; {_RUN_FIRST}, then check from that folder"
    return ""


def _link_note(path: Path) -> str:
    """Where a file named alone led, if it is a symbolic link (followed: named alone)."""
    if not _is(path.is_symlink):
        return ""
    return f" ({_named(path)} is a symbolic link to {_named(path.resolve())})"


def _unexpected(error: Exception) -> str:
    """An error the checker did not foresee, in one line: its type and the start of its
    message (a teacher's class goes on; the learner sees no traceback)."""
    from gdtutor.checking import _shown

    lines = str(error).strip().splitlines()
    message = _shown(lines[0]) if lines else ""
    if len(message) > 80:
        message = message[:77] + "..."
    return type(error).__name__ + (f": {message}" if message else "")


def _check_one(path: Path) -> int:
    from gdtutor.answers import script_times
    from gdtutor.checking import check_answers, format_report
    from gdtutor.safeload import LoadError, load_answers

    try:
        # A value that cannot be read in one key fails that key; the others are checked.
        answers = load_answers(path, per_key=True)
        result = check_answers(answers)
    except LoadError as error:
        hint = _link_note(path) if _is(path.exists) else _missing_file_hint(path)
        print(f"error: cannot check {_named(path)}: {error}{hint}", file=sys.stderr)
        return 2
    except Exception as error:  # a file the checker did not foresee
        print(
            f"error: cannot check {_named(path)}: {_unexpected(error)}{_link_note(path)}",
            file=sys.stderr,
        )
        return 2
    print(format_report(result), flush=True)
    if _is(path.is_symlink):  # named alone, a link is followed: say where it led
        print(
            f"note: {_named(path)} is a symbolic link; the file checked is {_named(path.resolve())}"
        )
    edited = _edited_since(path, result, script_times(answers) or {})
    if edited:
        one = len(edited) == 1
        print(
            f"note: {', '.join(edited)} changed after {'its' if one else 'their'} answers "
            f"were saved to {path.name}, so {'its' if one else 'their'} answers above may be "
            "from an earlier run: if "
            f"{'it was' if one else 'they were'} edited since, run {'it' if one else 'them'} "
            "again (a script with a syntax error runs nothing and saves nothing)",
            flush=True,
        )
    return 0 if result.passed else 1


def _edited_since(path: Path, result: CheckResult, times: Mapping[str, float]) -> list[str]:
    """The exercise scripts beside the answer file, of the lessons whose keys it holds, that
    changed after their answers were saved: the answers checked are not their last edit's.

    A script changed if its time is not the one the file recorded for its answers
    (``times``, see :data:`gdtutor.answers.SCRIPT_TIMES`), else, for answers without a
    record (a notebook's, the course notebook's, an earlier gdtutor's), if it is later than
    the time the file was last written."""
    from gdtutor.answers import ANSWER_KEYS

    held = [
        row.key
        for row in result.rows
        if row.key in ANSWER_KEYS and row.verdict not in ("missing", "not attempted")
    ]
    edited = []
    try:
        written = path.stat().st_mtime
        for name in dict.fromkeys(ANSWER_KEYS[key].exercise for key in held):
            script = path.parent / name
            if not script.is_file():
                continue
            now = script.stat().st_mtime
            recorded = [times[k] for k in held if ANSWER_KEYS[k].exercise == name and k in times]
            if any(when != now for when in recorded) or (not recorded and now > written):
                edited.append(name)
    except OSError:  # a file or folder that cannot be looked at: nothing to say
        return []
    return edited


def _summary_row(path: Path) -> tuple[str, ...]:
    """One file's row of a class summary. Whatever happens in checking the file, it is
    that file's row (an error the checker did not foresee included): the class goes on."""
    from gdtutor.checking import check_answers, summary_row
    from gdtutor.safeload import LoadError, load_answers

    try:
        return summary_row(str(path), check_answers(load_answers(path, per_key=True)))
    except LoadError as error:
        return summary_row(str(path), str(error))
    except Exception as error:  # a file the checker did not foresee
        return (*_blank_row(path), f"could not be checked: {_unexpected(error)}")


#: From this many files on, a class is checked by one process per core.
_PARALLEL_FROM = 32


def _check_many(
    paths: list[Path],
    as_csv: bool,
    links: Collection[Path] = (),
    others: Sequence[Path] = (),
    repeats: Sequence[tuple[Path, Path]] = (),
    unreadable: Mapping[Path, str] = MappingProxy({}),
    empty: Sequence[Path] = (),
) -> int:
    from gdtutor.checking import _count_line, _shown, format_summary

    files = [path for path in paths if path not in links and path not in unreadable]
    workers = min(os.cpu_count() or 1, 8)
    if len(files) >= _PARALLEL_FROM and workers > 1:
        # Import the checker and prepare the reference once, here: where processes fork, the
        # workers start with both. Frozen, those objects stay out of the workers' cycle
        # collections (and their memory pages stay shared).
        import gdtutor.safeload  # noqa: F401
        from gdtutor.checking import _joined

        _joined()
        gc.freeze()
        checked = iter(_rows_in_processes(files, workers))
    else:
        checked = map(_summary_row, files)
    skipped = ("skipped", "-", "-", "-", "-", "a symbolic link: not followed")
    rows = [
        (str(path), *skipped) if path in links
        else (*_blank_row(path, folder=True), unreadable[path]) if path in unreadable
        else next(checked)
        for path in paths
    ]  # fmt: skip
    print(format_summary(rows, as_csv=as_csv), flush=True)
    # Beside CSV, the count and the note go to stderr: the CSV stays a table.
    notes = sys.stderr if as_csv else sys.stdout
    if as_csv:
        print(_count_line(rows), file=notes)
    if others:
        print(_others_note(others), file=notes, flush=True)
    if repeats:
        print(_repeats_note(repeats, links), file=notes, flush=True)
    for folder in empty:
        print(f"note: the folder {_shown(str(folder))} holds no *.json file", file=notes)
    statuses = {row[1] for row in rows}
    # A file skipped (a link) was not checked: not every file passed.
    return 2 if statuses & {"error", "skipped"} else 1 if "fail" in statuses else 0


def _rows_in_processes(files: list[Path], workers: int) -> list[tuple[str, ...]]:
    """The files' summary rows, checked by a pool of processes, in the files' order.

    A process that dies while it checks (killed for its memory, say) breaks the pool: the
    files whose rows had not come back are checked again one at a time, each by a process
    of its own, so that the file that kills its process is named in its own row and the
    others are checked.
    """
    rows: list[tuple[str, ...]] = []
    try:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            rows.extend(pool.map(_summary_row, files, chunksize=4))
        return rows
    except concurrent.futures.process.BrokenProcessPool:
        pass
    for path in files[len(rows) :]:
        try:
            with concurrent.futures.ProcessPoolExecutor(1) as alone:
                rows.append(alone.submit(_summary_row, path).result())
        except concurrent.futures.process.BrokenProcessPool:
            died = "the process checking it stopped abruptly (out of memory?)"
            rows.append((*_blank_row(path), f"could not be checked: {died}"))
    return rows


def _blank_row(path: Path, folder: bool = False) -> tuple[str, ...]:
    """A summary row's cells before its problems, for a file (or a folder, named with a
    trailing separator) that could not be checked."""
    from gdtutor.checking import summary_row

    return summary_row(f"{path}{os.sep}" if folder else str(path), "")[:-1]


#: How many of the files not checked a class summary names.
_NAMED_OTHERS = 3


def _repeats_note(repeats: Sequence[tuple[Path, Path]], links: Collection[Path]) -> str:
    """One line per file named more than once, with its other names (a link is listed, as
    skipped, not checked)."""
    from gdtutor.checking import _shown

    named: dict[Path, list[Path]] = {}
    for repeat, kept in repeats:
        named.setdefault(kept, []).append(repeat)
    lines = []
    for kept, others in named.items():
        aliases = dict.fromkeys(_shown(str(path)) for path in others if str(path) != str(kept))
        also = f" (also as {', '.join(aliases)})" if aliases else ""
        once = "listed once" if kept in links else "checked once"
        lines.append(f"note: {_shown(str(kept))} was named {len(others) + 1} times{also}: {once}")
    return "\n".join(lines)


def _others_note(others: Sequence[Path]) -> str:
    """The note on the files in the folders that were not checked, naming the first few."""
    from gdtutor.checking import _shown

    names = ", ".join(_shown(str(path)) for path in others[:_NAMED_OTHERS])
    more = len(others) - _NAMED_OTHERS
    if more > 0:
        names += f" and {more} more"
    one = len(others) == 1
    return (
        f"({len(others)} other file{'' if one else 's'} in the folders, not *.json, "
        f"{'was' if one else 'were'} not checked: {names})"
    )


def _stdout_closed() -> int:
    """After a write to a closed stdout (``gdtutor check | head -1``): no traceback, and
    nothing more written there; the exit status is a shell's for a process ended by SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's flush at exit would fail again
    os.close(devnull)
    return 128 + 13


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success; for ``check``, 1 when any answer fails; 2 on a usage or file error;
        141 when stdout was closed before all was written (``gdtutor check | head -1``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     status = main(["answers", "-o", str(pathlib.Path(tmp) / "a.json")])
    wrote the reference answers to ...a.json
    >>> status
    0
    """
    args = _parser().parse_args(_paths_apart(sys.argv[1:] if argv is None else list(argv)))
    try:
        return _run(args)
    except BrokenPipeError:
        return _stdout_closed()
    except OSError as error:
        if error.filename is not None or error.errno not in _OUTPUT_ERRORS:
            raise  # not a failed write to standard output: an error the command did not foresee
        # Writing to standard output failed (a full disk, say): said in one line, if standard
        # error can take it.
        with contextlib.suppress(OSError):
            print(
                f"error: cannot write to standard output: {(error.strerror or '').lower()}",
                file=sys.stderr,
            )
        return 2


#: The errors of a write to standard output that fails: a full disk or quota, a file too
#: large, a device's input/output error.
_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _paths_apart(argv: list[str]) -> list[str]:
    """``argv`` with the paths given to ``check`` after a ``--``, in their order, so that a
    file whose name starts with ``-`` (``-h.json``, in ``gdtutor check *.json``) is checked,
    not taken for an option. A path is an argument that is not one of the command's options
    and does not start with ``-``, or names a file or folder that exists."""
    if not argv or argv[0] != "check":
        return argv
    options = {"-h", "--help", "--csv"}

    def is_path(arg: str) -> bool:
        return arg not in options and (
            not arg.startswith("-") or arg == "-" or os.path.lexists(arg)
        )

    # Before a "--" the caller gave (after it, every argument is a path already).
    end = argv.index("--") if "--" in argv else len(argv)
    rest, after = argv[1:end], argv[end + 1 :]
    paths = [arg for arg in rest if is_path(arg)]
    return ["check", *(arg for arg in rest if not is_path(arg)), "--", *paths, *after]


def _run(args: argparse.Namespace) -> int:
    if args.command == "answers":
        from gdtutor.answers import write_answers

        output = args.output
        # "", "dir/", ".", "dir/..": paths of folders, not of a file to write
        last = os.path.basename(output.rstrip("/" + os.sep)) if output else ""
        if output.endswith(("/", os.sep)) or last in ("", ".", ".."):
            print(
                f"error: -o {output!r} does not name a file; give the path of the file to "
                "write, such as reference.json",
                file=sys.stderr,
            )
            return 2
        if _is(Path(output).is_dir):
            print(f"error: cannot write {_named(output)}: it is a folder", file=sys.stderr)
            return 2
        try:
            path = write_answers(output, overwrite=args.force)
        except FileExistsError:
            print(f"error: {_named(output)} exists; pass --force to replace it", file=sys.stderr)
            return 2
        except OSError as error:
            print(f"error: {_named(str(error))}", file=sys.stderr)
            return 2
        print(f"wrote the reference answers to {_named(path)}", flush=True)
        return 0
    if args.command == "check":
        given = args.paths or [".answer.json"]
        if "" in given:  # Path("") is the current folder: an unset variable, most likely
            print("error: cannot check '': an empty path (an unset variable?)", file=sys.stderr)
            return 2
        paths, links, unreadable, others, repeats, empty = _files(given)
        if not paths:
            where = ", ".join(
                f"the folder {_named(name)}" if _is(Path(name).is_dir) else _named(name)
                for name in given
            )
            print(f"error: no *.json answer files in {where}; {_RUN_FIRST}", file=sys.stderr)
            return 2
        single = len(given) == 1 and not _is(Path(given[0]).is_dir) and not args.csv
        if single:
            return _check_one(paths[0])
        return _check_many(paths, args.csv, links, others, repeats, unreadable, empty)
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse rejects others
