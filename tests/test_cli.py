"""The command line, as a learner runs it (a subprocess) and in-process through main()."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import json_tricks
import numpy as np
import pytest

import gdtutor.answers
from gdtutor.answers import ANSWER_KEYS, NOTEBOOK_X
from gdtutor.cli import main


def _start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gdtutor", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _check_answer_file(path: Path) -> None:
    answers = json_tricks.loads(path.read_text(encoding="utf-8"))
    assert list(answers) == list(ANSWER_KEYS)
    np.testing.assert_array_equal(answers["X_grad"], 20 * np.array(NOTEBOOK_X))
    assert all(len(answers[key]) == 500 for key, info in ANSWER_KEYS.items() if info.run)


def test_python_m_gdtutor_answers(tmp_path) -> None:
    new, kept, replaced = (tmp_path / name for name in ("new.json", "kept.json", "replaced.json"))
    for path in (kept, replaced):
        path.write_text("my own answers", encoding="utf-8")
    # Three independent commands, run side by side: each pays for importing torch.
    runs = {
        "new": _start("answers", "-o", str(new), cwd=tmp_path),
        "kept": _start("answers", "--output", str(kept), cwd=tmp_path),
        "replaced": _start("answers", "-o", str(replaced), "--force", cwd=tmp_path),
    }
    done = {}
    for name, run in runs.items():
        out, err = run.communicate(timeout=180)
        done[name] = (run.returncode, out, err)

    assert done["new"] == (0, f"wrote the reference answers to {new}\n", "")
    _check_answer_file(new)

    message = f"error: {kept} exists; pass --force to replace it\n"
    assert done["kept"] == (2, "", message)
    assert kept.read_text(encoding="utf-8") == "my own answers"

    assert done["replaced"] == (0, f"wrote the reference answers to {replaced}\n", "")
    _check_answer_file(replaced)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json", "new.json", "replaced.json"]


@pytest.fixture
def quick(monkeypatch) -> None:
    """A stand-in for the answers where only the command's handling of files is under test."""
    monkeypatch.setattr(gdtutor.answers, "reference_answers", lambda: {"X_grad": np.zeros(2)})


def test_main_in_process(tmp_path, capsys) -> None:
    path = tmp_path / "a.json"
    assert main(["answers", "-o", str(path)]) == 0
    assert capsys.readouterr().out == f"wrote the reference answers to {path}\n"
    _check_answer_file(path)


@pytest.mark.usefixtures("quick")
def test_main_refuses_then_forces(tmp_path, capsys) -> None:
    path = tmp_path / "a.json"
    path.write_text("mine", encoding="utf-8")
    assert main(["answers", "-o", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "exists" in captured.err
    assert "--force" in captured.err
    assert path.read_text(encoding="utf-8") == "mine"

    assert main(["answers", "-o", str(path), "--force"]) == 0
    assert list(json_tricks.loads(path.read_text(encoding="utf-8"))) == ["X_grad"]


@pytest.mark.usefixtures("quick")
def test_main_reports_a_missing_directory(tmp_path, capsys) -> None:
    path = tmp_path / "missing" / "a.json"
    assert main(["answers", "-o", str(path)]) == 2
    # The user's path, not the temporary file beside it.
    folder = tmp_path / "missing"
    assert (
        capsys.readouterr().err
        == f"error: cannot write {path}: its folder {folder} does not exist\n"
    )
    assert not (tmp_path / "missing").exists()


@pytest.mark.usefixtures("quick")
def test_main_reports_a_folder_in_place_of_the_file(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.json").mkdir()
    # Not "exists; pass --force", which --force cannot help.
    for force in ([], ["--force"]):
        assert main(["answers", "-o", "d.json", *force]) == 2
        assert capsys.readouterr().err == "error: cannot write d.json: it is a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["answers"], "the following arguments are required: -o/--output"),
        (["answer", "-o", "x"], "invalid choice: 'answer'"),
        (["answers", "-o", "x", "--overwrite"], "unrecognized arguments: --overwrite"),
    ],
    ids=["no-command", "no-output", "unknown-command", "unknown-option"],
)
def test_usage_errors_exit_2(argv, message, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: gdtutor")
    assert message in err


def test_help_exits_0(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["answers", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--force" in out
    assert "replace an existing file" in out


@pytest.mark.usefixtures("quick")
def test_answers_replaces_only_a_regular_file(tmp_path, capsys) -> None:
    """``--force`` replaces a file, never a device or a pipe (``-o /dev/null --force`` as root
    would swap the system's /dev/null for a plain file)."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert main(["answers", "-o", str(fifo), "--force"]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot write {fifo}: it is not a regular file (a device, a pipe or a socket); "
        "name a file\n"
    )
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.json"]


@pytest.mark.parametrize("output", ["", "new/", ".", "new/.", "..", "new/.."])
def test_answers_needs_the_path_of_a_file(tmp_path, capsys, monkeypatch, output: str) -> None:
    """An empty -o (an unset variable) or a folder's path names no file to write: nothing is
    written (``-o new/`` and ``-o new/.`` wrote a file named ``new``, ``-o . --force`` ended in
    a traceback)."""
    monkeypatch.chdir(tmp_path)
    for force in ([], ["--force"]):
        assert main(["answers", "-o", output, *force]) == 2
        assert capsys.readouterr().err == (
            f"error: -o {output!r} does not name a file; give the path of the file to write, "
            "such as reference.json\n"
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("quick")
def test_answers_into_a_folder_that_cannot_be_looked_into(tmp_path, capsys, monkeypatch) -> None:
    """A folder on the way that the user may not read: the usual "cannot write" message, with
    the reason (not a bare ``[Errno 13]``)."""
    path = tmp_path / "locked" / "n.json"
    path.parent.mkdir()
    real_exists = Path.exists

    def exists(self: Path, *args: object, **kwargs: object) -> bool:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_exists(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "exists", exists)
    assert main(["answers", "-o", str(path)]) == 2
    assert capsys.readouterr().err == f"error: cannot write {path}: permission denied\n"


def test_escapes_in_the_output_path_do_not_reach_the_terminal(tmp_path, capsys) -> None:
    odd = tmp_path / "e\x1b[2Jvil.json"
    odd.write_text("mine")
    assert main(["answers", "-o", str(odd)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and r"e\x1b[2Jvil.json" in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.usefixtures("quick")
def test_a_full_standard_output_is_one_line_of_error(tmp_path) -> None:
    """The file is written; the line that says so cannot be: exit status 2, no traceback."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "gdtutor", "answers", "-o", str(tmp_path / "r.json")],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2, "error: cannot write to standard output: no space left on device\n"
    )  # fmt: skip
    assert (tmp_path / "r.json").is_file()
