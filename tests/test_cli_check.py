"""``python -m gdtutor check``: exit 0 for a passing file, 1 for wrong answers (a value in a key
that is not read among them), 2 for a file that cannot be read or is refused; and nothing in a
file is imported, run or read besides it."""

from __future__ import annotations

import csv
import datetime
import decimal
import enum
import fractions
import gzip
import json
import os
import pathlib
import pickle
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import json_tricks
import numpy as np
import pytest

from gdtutor.answers import ANSWER_KEYS, reference_answers, write_answers
from gdtutor.cli import main
from gdtutor.safeload import MAX_BYTES
from tests.conftest import learner_answers

PROBE = "evil_gdtutor_probe"


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _rows(out: str) -> list[str]:
    """The rows of a one-file report: between the header and the summary, without the hint
    lines (indented) below them."""
    return [line for line in out.splitlines()[1:-1] if not line.startswith(" ")]


def _cells(out: str, row: str) -> list[str]:
    """A row's cells, cut where the report's header starts its columns: lesson, key (with the
    run it records, for lesson 5: "var_history_4 (AdamW)"), verdict and the two errors."""
    header = out.splitlines()[0]
    starts = [header.index(name) for name in ("lesson", "key", "verdict", "max abs", "max rel")]
    ends = [*starts[1:], None]
    return [row[start:end].strip() for start, end in zip(starts, ends, strict=True)]


def _row(out: str, key: str) -> tuple[str, str]:
    """A key's row in a one-file report, and its hint (the indented lines below it, joined)."""
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split()[1:2] == [key])
    below = []
    for line in lines[at + 1 : -1]:
        if not line.startswith(" "):
            break
        assert len(line) <= 100, line
        below.append(line.strip())
    return lines[at], " ".join(below)


def dump(path: Path, answers: dict[str, Any]) -> Path:
    with path.open("w") as file:  # as the notebook's last cell does
        json_tricks.dump(answers, file)
    return path


def test_the_reference_file_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_answers(tmp_path / "reference.json")
    status, out, err = run_check(capsys, str(path))
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["lesson", "key", "verdict"]
    assert [_cells(out, line)[2] for line in lines[1:-1]] == ["pass"] * 10
    assert lines[-1] == "10 of 10 keys pass"


def test_the_default_path_is_the_notebooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    dump(tmp_path / ".answer.json", learner_answers())
    assert run_check(capsys)[0] == 0


@pytest.mark.parametrize(
    ("cells", "key", "hint"),
    [
        (
            {"cell_2": {"lr": 0.01}},
            "var_history_2",
            "matches a run with lr=0.01 instead of lr=0.001",
        ),
        ({"cell_3": {"zero": False}}, "fn_history_3", "gradient not zeroed, so it accumulated"),
        ({"cell_4": {"point_when": "before"}}, "var_history_4", "recorded before the step instead"),
        ({"cell_3": {"steps": 499}}, "var_history_3", "499 entries instead of 500: 1 step missing"),
    ],
)
def test_a_typical_mistake_exits_1_with_its_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cells: dict, key: str, hint: str
) -> None:
    path = dump(tmp_path / ".answer.json", learner_answers(**cells))
    status, out, err = run_check(capsys, str(path))
    assert (status, err) == (1, "")
    row, row_hint = _row(out, key)
    lesson = row.split()[0]
    assert _cells(out, row)[2] in {"fail", "wrong shape"} and hint in row_hint
    assert out.splitlines()[-1].endswith(f"(lesson {lesson})")


def test_a_partly_done_file_exits_1_and_checks_what_is_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = reference_answers()
    answers = {"X_grad": answers["X_grad"], "var_history_2": answers["var_history_2"][:10]}
    status, out, _ = run_check(capsys, str(dump(tmp_path / "partial.json", answers)))
    verdicts = {line.split()[1]: _cells(out, line)[2] for line in _rows(out)}
    assert status == 1
    assert verdicts["X_grad"] == "pass" and verdicts["var_history_2"] == "wrong shape"
    assert [verdicts[k] for k in ("fn_history_2", "var_history_4")] == ["missing", "missing"]
    assert verdicts["xy_grad"] == "not attempted"
    _, row_hint = _row(out, "var_history_4")
    assert row_hint == (
        "run plot_05_torch_optim_exercise.py (lesson 5; or its .ipynb) to the end to save it"
    )
    summary = (
        "1 of 10 keys pass; 1 wrong shape (lesson 4), 5 missing (lessons 4, 5), 3 not attempted"
    )
    assert out.splitlines()[-1] == summary


# -- hostile and unreadable files ------------------------------------------------------------


class Colour(enum.Enum):
    RED = 1


def _array_payload(data: Any, dtype: str, shape: list[int]) -> bytes:
    return json.dumps({"X_grad": {"__ndarray__": data, "dtype": dtype, "shape": shape}}).encode()


def _ok() -> bytes:
    return json_tricks.dumps({"X_grad": np.zeros(2)}).encode()


# name -> (file content, or a function of the test's directory giving it; reason fragment)
HOSTILE: dict[str, tuple[bytes | Callable[[Path], bytes], str]] = {
    "not JSON": (b"X_grad = [20, 40]", "not JSON: Expecting value"),
    "empty": (b"", "the file is empty"),
    "white space only": (b" \n\t\n", "the file holds only white space"),
    "cut short": (_ok()[:-5], "not JSON: the text ends at line 1 column 69, before the JSON does"),
    "cut in a number": (b'{"X_grad": [1.0, 0.', "not JSON: the text ends at line 1 column 19,"),
    "cut after a sign": (b'{"X_grad": [-', "not JSON: the text ends at line 1 column 13,"),
    "cut in a string": (b'{"X_gr', "not JSON: the text ends at line 1 column 2,"),
    "cut in a literal": (b'{"X_grad": [nu', "before the JSON does (cut short?)"),
    "a byte-order mark alone": (b"\xef\xbb\xbf", "the file is empty"),
    "a byte-order mark and a line": (b"\xef\xbb\xbf\r\n", "the file holds only white space"),
    "UTF-16 with a byte-order mark": ('{"X_grad": [1.0]}'.encode("utf-16"), "UTF-16 text"),
    "UTF-16 without one": ('{"X_grad": [1.0]}'.encode("utf-16-be"), "(save it as UTF-8)"),
    "UTF-16, little-endian": ('{"X_grad": [1.0]}'.encode("utf-16-le"), "UTF-16 text: an"),
    # UTF-32's little-endian byte-order mark starts as UTF-16's does.
    "UTF-32 with a byte-order mark": ('{"X_grad": [1.0]}'.encode("utf-32"), "UTF-32 text: an"),
    "UTF-32 without one": ('{"X_grad": [1.0]}'.encode("utf-32-be"), "UTF-32 text: an"),
    "UTF-32, little-endian": ('{"X_grad": [1.0]}'.encode("utf-32-le"), "UTF-32 text: an"),
    "JSON with comments": (b'{"a": 1 // note\n}', "not JSON"),
    "top-level list": (b"[1, 2, 3]", "the top level is a list, expected a JSON object"),
    "top-level number": (b"3.5", "the top level is a number"),
    "top-level null": (b"null", "the top level is null"),
    "top-level string": (b'"X_grad"', "the top level is a string"),
    "top-level array": (
        b'{"__ndarray__": [1.0], "dtype": "float32", "shape": [1]}',
        "the top level is a numpy array",
    ),
    "module function": (
        b'{"__instance_type__": ["subprocess", "Popen"], "attributes": {"args": ["true"]}}',
        "'__instance_type__'",
    ),
    "a date": (b'{"__date__": null, "year": 2026, "month": 11, "day": 28}', "(a date)"),
    "a note beside a class instance": (
        b'{"__notes__": 1, "__instance_type__": ["os", "system"], "attributes": {}}',
        "'__instance_type__' payload (a class instance)",
    ),
    "a key twice": (b'{"X_grad": [1.0], "X_grad": {"__set__": []}}', "duplicate key 'X_grad'"),
    "gzip file": (gzip.compress(_ok()), "the file is gzip-compressed, not JSON text"),
    "json_tricks compression": (json_tricks.dumps({"a": 1}, compression=True), "gzip"),
    "pickle": (pickle.dumps({"X_grad": [1.0]}), "the file is a pickle"),
    "npy file": (b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'", "a NumPy .npy file"),
    "NUL bytes": (b'{"a": 1}\x00\x00', "binary data (a NUL byte at offset 8)"),
    "invalid UTF-8": (b'{"X_grad": "\xff\xfe"}', "not UTF-8 text (invalid byte at offset 12)"),
    "deep nesting": (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    # Deep enough for a converter that recurses twice a level, not for json's parser.
    "lists 500 deep": (
        b'{"xy_grad": ' + b"[" * 500 + b"1.0" + b"]" * 500 + b"}",
        "not accepted: JSON nested too deeply (more than 64 levels, in key 'xy_grad')",
    ),
    "objects 600 deep": (
        b'{"xy_grad": ' + b'{"a": ' * 600 + b"1" + b"}" * 600 + b"}",
        "not accepted: JSON nested too deeply (more than 64 levels, in key 'xy_grad')",
    ),
    "lists 990 deep": (b'{"a": ' + b"[" * 990 + b"]" * 990 + b"}", "nested too deeply"),
    "huge integer": (b'{"a": ' + b"9" * 5000 + b"}", "a number with more than"),
    "oversize": (b'{"a": "' + b"x" * MAX_BYTES + b'"}', f"the {MAX_BYTES}-byte limit"),
    "oversize by far": (b" " * (3 * MAX_BYTES), "the file is 15 MiB, more than the 5 MiB limit"),
}


_FORM = {"__ndarray__": [1.0, 2.0], "dtype": "float32", "shape": [2]}

# name -> (file content; its key, the key's verdict and a fragment of the key's hint)
IN_A_KEY: dict[str, tuple[bytes, str, str, str]] = {
    "object dtype": (_array_payload([1, "os"], "object", [2]), "X_grad", "not", "dtype 'object'"),
    "string dtype": (_array_payload(["abc", "def"], "<U3", [2]), "X_grad", "not", "dtype '<U3'"),
    "strings in a float array": (
        _array_payload([1.0, "20"], "float32", [2]),
        "X_grad",
        "not",
        "array data must be numbers, found '20'",
    ),
    "complex dtype": (_array_payload([1.0], "complex128", [1]), "X_grad", "not", "'complex128'"),
    "datetime dtype": (_array_payload([1], "datetime64[s]", [1]), "X_grad", "not", "datetime64"),
    "data shorter than the shape": (
        _array_payload([1.0] * 250, "float32", [500]),
        "X_grad",
        "wrong",
        "numpy array declares shape [500] but holds shape [250]",
    ),
    "ragged data": (
        _array_payload([[1.0, 2.0], [3.0]], "float32", [2, 2]),
        "X_grad",
        "wrong",
        "not an array: lists of different lengths",
    ),
    "a buffer too short": (
        _array_payload("b64:AAAAAA==", "float32", [2]),
        "X_grad",
        "wrong",
        "needs 2 values, its buffer holds 1",
    ),
    "out of the dtype's range": (
        _array_payload([1, 300], "int8", [2]),
        "X_grad",
        "fail",
        "do not fit dtype int8: 300 is outside its range, -128 to 127",
    ),
    "one bad array in a history": (
        json.dumps({"var_history_2": [_FORM] * 3 + [{**_FORM, "__ndarray__": [1.0]}]}).encode(),
        "var_history_2",
        "wrong",
        "at var_history_2[3]: numpy array declares shape [2] but holds shape [1]",
    ),
    "compressed array": (
        json_tricks.dumps({"a": np.zeros(300)}, properties={"ndarray_compact": True}).encode(),
        "a",
        "not",
        "compressed (b64.gz) data",
    ),
    "class instance": (
        b'{"X_grad": {"__instance_type__": ["os", "system"], "attributes": {"a": "id"}}}',
        "X_grad",
        "not",
        "refused '__instance_type__' payload (a class instance)",
    ),
    "enum": (json_tricks.dumps({"c": Colour.RED}).encode(), "c", "not", "payload (an enum)"),
    "set": (json_tricks.dumps({"s": {1, 2}}).encode(), "s", "not", "'__set__' payload (a set)"),
    "complex": (json_tricks.dumps({"z": 1 + 2j}).encode(), "z", "not", "'__complex__'"),
    "datetime": (
        json_tricks.dumps({"t": datetime.datetime(2024, 1, 1)}).encode(),
        "t",
        "not",
        "__datetime__",
    ),
    "decimal": (json_tricks.dumps({"d": decimal.Decimal("1.5")}).encode(), "d", "not", "decimal"),
    "fraction": (json_tricks.dumps({"f": fractions.Fraction(1, 3)}).encode(), "f", "not", "frac"),
    "path": (json_tricks.dumps({"p": pathlib.Path("/etc")}).encode(), "p", "not", "'__pathlib__'"),
    "slice": (json_tricks.dumps({"s": slice(1, 2)}).encode(), "s", "not", "'__slice__'"),
    "bytes": (b'{"b": {"__bytes_b64__": "AAAA"}}', "b", "not", "'__bytes_b64__'"),
    "any other dunder": (
        b'{"a": [{"__reduce__": ["os.system", ["id"]]}]}',
        "a",
        "not",
        "at a[0]: refused an object with the key '__reduce__', named as json_tricks names",
    ),
}


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """The paths opened (by Python or numpy) while the test runs, from an audit hook."""
    record: list[str] = []
    _ACTIVE.append(record)
    yield record
    _ACTIVE.remove(record)


_ACTIVE: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _ACTIVE and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _ACTIVE[-1].append(os.fsdecode(args[0]))
    if _ACTIVE and event == "import":
        _ACTIVE[-1].append(f"import {args[0]}")


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one does nothing when idle


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_or_unreadable_file_exits_2_with_a_one_line_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[str], case: str
) -> None:
    content, reason = HOSTILE[case]
    path = tmp_path / "answers.json"
    path.write_bytes(content(tmp_path) if callable(content) else content)
    before = _snapshot(tmp_path)
    status, out, err = run_check(capsys, str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"error: cannot check {path}: ") and err.endswith("\n")
    assert err.count("\n") == 1 and reason in err
    assert _snapshot(tmp_path) == before  # nothing changed, added or lost
    assert str(path) in opened
    assert not [p for p in opened if p.startswith(str(tmp_path)) and p != str(path)]


@pytest.mark.parametrize("case", IN_A_KEY, ids=list(IN_A_KEY))
def test_a_value_not_read_fails_its_key_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[str], case: str
) -> None:
    content, key, verdict, hint = IN_A_KEY[case]
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    before = _snapshot(tmp_path)
    status, out, err = run_check(capsys, str(path))
    assert (status, err) == (1, "")
    row, row_hint = _row(out, key)
    assert row.split()[2] == verdict and hint in row_hint, (row, row_hint)
    assert _snapshot(tmp_path) == before
    assert not [p for p in opened if p.startswith(str(tmp_path)) and p != str(path)]


def test_a_top_level_key_named_like_json_tricks_objects_is_an_extra_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """json_tricks reads a key it does not know ("__notes__") as a key, and so does the
    checker: the answers are checked, and the key is listed as extra."""
    answers = json.loads(json_tricks.dumps(dict(reference_answers())))
    path = tmp_path / "answers.json"
    path.write_text(
        json.dumps(
            {"__notes__": "late, sorry", **answers, "__proto__": 1, "__enum_instance_type__": 2}
        )
    )  # the last one means something to json_tricks only inside an "__enum__" object
    status, out, err = run_check(capsys, str(path))
    assert (status, err) == (0, "")
    for key in ("__notes__", "__proto__", "__enum_instance_type__"):
        assert _row(out, key)[0].split()[2] == "extra"
    assert "10 of 10 keys pass; 3 extra" in out


def _with(key: str, text: str) -> bytes:
    """The reference answers as json_tricks writes them, with the JSON ``text`` for ``key``."""
    answers = json.loads(json_tricks.dumps(dict(reference_answers())))
    answers[key] = json.loads(text)
    return json.dumps(answers).encode()


@pytest.mark.parametrize(
    ("text", "verdict", "hint"),
    [
        (
            '{"__ndarray__": [[20, 40, 60, 80], [20, 40, 60, 80], [20, 40, 60, "20"]], '
            '"dtype": "float32", "shape": [3, 4]}',
            "not numeric",
            "array data must be numbers, found '20'",
        ),
        (
            '{"__ndarray__": [20, 40, 60, 80], "dtype": "float32", "shape": [3, 4]}',
            "wrong shape",
            "numpy array declares shape [3, 4] but holds shape [4]",
        ),
        (
            '{"__ndarray__": [1.0], "dtype": "float32", "shape": [1], "__reduce__": 1}',
            "not numeric",
            "unexpected field '__reduce__'",
        ),
        ('{"__instance_type__": ["os", "system"]}', "not numeric", "a class instance"),
    ],
    ids=["a string in its data", "data short of its shape", "an odd field", "a class instance"],
)
def test_the_other_keys_of_a_file_with_a_malformed_key_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, verdict: str, hint: str
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(_with("X_grad", text))
    status, out, err = run_check(capsys, str(path))
    assert (status, err) == (1, "")
    rows = {line.split()[1]: line for line in _rows(out)}
    assert [key for key, line in rows.items() if " pass " not in line] == ["X_grad"]
    assert rows["X_grad"].split()[2:4] == verdict.split()
    assert hint in _row(out, "X_grad")[1]
    assert out.splitlines()[-1] == f"9 of 10 keys pass; 1 {verdict} (lesson 2)"
    # In a class summary, the file fails (it is not unreadable), naming the key and why.
    status, out, err = run_check(capsys, "--csv", str(path), str(path))
    row = list(csv.reader(out.splitlines()))[1]
    assert (status, row[1:4]) == (1, ["fail", "9 of 10", "2"]) and err.startswith("1 file:")
    assert row[-1].startswith(f"X_grad: {verdict} (") and hint in row[-1]


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("missing", "No such file or directory"),
        ("directory", "is a directory"),
        ("fifo", "not a regular file"),
    ],
)
def test_what_is_not_a_readable_regular_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, reason: str
) -> None:
    path = tmp_path / ".answer.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this platform")
        os.mkfifo(path)  # opening it to read would wait for a writer if it were not refused
    status, _, err = run_check(capsys, str(path))
    if kind == "directory":  # a folder is a class of answer files: this one holds none
        assert status == 2 and err == (
            f"error: no *.json answer files in the folder {path}; run the lessons' exercise "
            "files first "
            "(they save .answer.json in the folder they run in, a notebook in its own folder)\n"
        )
        return
    hint = (
        ""
        if kind != "missing"
        else (
            "; run the lessons' exercise files first (they save .answer.json in the folder they "
            "run in, a notebook in its own folder), then check from that folder"
        )
    )
    assert status == 2 and err == f"error: cannot check {path}: {reason}{hint}\n"


def _write_probe(directory: Path) -> Path:
    marker = directory / "probe-was-imported"
    (directory / f"{PROBE}.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('imported')\n"
        "class Thing:\n    pass\n"
        "import enum\nclass E(enum.Enum):\n    A = 1\n"
    )
    return marker


PROBE_PAYLOADS = {
    "class instance": {"X_grad": {"__instance_type__": [PROBE, "Thing"], "attributes": {}}},
    "enum": {"c": {"__enum__": {"__enum_instance_type__": [PROBE, "E"], "name": "A"}}},
    "nested in a list": {"var_history_2": [{"__instance_type__": [PROBE, "Thing"]}]},
    "the top level": {"__instance_type__": [PROBE, "Thing"], "attributes": {}},
}


@pytest.mark.parametrize("payload", PROBE_PAYLOADS, ids=list(PROBE_PAYLOADS))
def test_no_module_named_in_a_file_is_imported(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    opened: list[str],
    payload: str,
) -> None:
    marker = _write_probe(tmp_path)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(PROBE_PAYLOADS[payload]))
    # The payload is live: json_tricks' default hooks do import the probe (in a child).
    child = subprocess.run(
        [sys.executable, "-c", f"import json_tricks; json_tricks.load({str(path)!r})"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
    )
    assert marker.exists(), child.stderr
    marker.unlink()

    monkeypatch.syspath_prepend(str(tmp_path))
    opened.clear()
    status, out, err = run_check(capsys, str(path))
    # Refused in a key, the key fails; refused as the whole file, the file cannot be read.
    assert (status, "payload" in out, "payload" in err) == (
        (2, False, True) if payload == "the top level" else (1, True, False)
    )
    assert PROBE not in sys.modules and not marker.exists()
    assert not [event for event in opened if PROBE in event]


@pytest.mark.parametrize("reader", ["load", "loadtxt", "fromfile", "genfromtxt"])
def test_a_numpy_payload_cannot_make_the_checker_read_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[str], reader: str
) -> None:
    secret = tmp_path / "secret.npy"
    np.save(secret, np.arange(3.0))
    payload = {"X_grad": {"__ndarray__": str(secret), "dtype": reader, "shape": []}}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(payload))
    if reader == "load":  # the payload is live: json_tricks' default numpy hook reads the file
        opened.clear()
        np.testing.assert_array_equal(json_tricks.loads(path.read_text())["X_grad"], [0, 1, 2])
        assert str(secret) in opened
    opened.clear()
    status, out, err = run_check(capsys, str(path))
    row, hint = _row(out, "X_grad")
    assert (status, err, row.split()[2]) == (1, "", "not") and f"dtype '{reader}'" in hint
    assert str(secret) not in opened and str(path) in opened


def test_checking_never_changes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for answers in (dict(reference_answers()), learner_answers(cell_2={"lr": 0.01}), {}):
        path = dump(tmp_path / ".answer.json", answers)
        before = _snapshot(tmp_path)
        run_check(capsys, str(path))
        assert _snapshot(tmp_path) == before
        path.unlink()


def test_the_module_runs_as_a_program(tmp_path: Path) -> None:
    path = write_answers(tmp_path / ".answer.json")
    done = subprocess.run(
        [sys.executable, "-m", "gdtutor", "check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.endswith("10 of 10 keys pass\n")
    path.write_text("[]")
    done = subprocess.run(
        [sys.executable, "-m", "gdtutor", "check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    reason = "the top level is a list, expected a JSON object of answers"
    assert done.stderr == f"error: cannot check .answer.json: {reason}\n"


# -- a class of answer files -----------------------------------------------------------------


def _class_folder(folder: Path) -> dict[str, str]:
    """Answer files of a small class: right, wrong in one lesson, unfinished, hostile in a key,
    broken, and right as the course notebook writes it (no optional key)."""
    folder.mkdir()
    write_answers(folder / "ann.json")
    notebook = {k: v for k, v in reference_answers().items() if ANSWER_KEYS[k].required}
    dump(folder / "fay.json", notebook)
    dump(folder / "bob.json", learner_answers(cell_parabola={"zero": False}))
    dump(folder / "cy.json", {k: v for k, v in reference_answers().items() if k != "X_grad"})
    (folder / "dee.json").write_text('{"x": {"__instance_type__": ["os", "system"]}}')
    (folder / "eve").mkdir()
    (folder / "eve" / ".answer.json").write_bytes(gzip.compress(b"{}"))
    return {
        "ann.json": "pass",
        "bob.json": "fail",
        "cy.json": "fail",
        "dee.json": "fail",
        "eve/.answer.json": "error",
        "fay.json": "pass",
    }


def test_a_folder_gives_one_row_per_file_and_keeps_going(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _class_folder(tmp_path / "class")
    status, out, err = run_check(capsys, str(tmp_path / "class"))
    assert (status, err) == (2, "")
    assert "Traceback" not in out
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["file", "status"]
    rows = {Path(line.split()[0]).relative_to(tmp_path / "class").as_posix(): line
            for line in lines[1:-1]}  # fmt: skip
    assert {name: row.split()[1] for name, row in rows.items()} == expected
    assert "10 of 10" in rows["ann.json"]
    assert "var_history_parabola: fail (gradient not zeroed" in rows["bob.json"]
    assert rows["bob.json"].split()[2:8] == ["8", "of", "10", "3", "-", "-"]
    # A missing key: its lesson in the missing column, no failing lesson.
    assert rows["cy.json"].split()[2:8] == ["9", "of", "10", "-", "2", "-"]
    assert rows["cy.json"].endswith("X_grad: missing")
    # The notebook's keys only: it passes, and the row says which lessons were not attempted.
    assert rows["fay.json"].split()[1:] == ["pass", "7", "of", "10", "-", "-", "1", "3"]
    # A refused object in a key fails the file, naming the key; the file is not unreadable.
    assert "x: not numeric (refused '__instance_type__' payload" in rows["dee.json"]
    assert "gzip-compressed" in rows["eve/.answer.json"]
    assert lines[-1] == "6 files: 2 pass, 3 fail, 1 unreadable"


def test_several_files_and_csv_for_a_spreadsheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _class_folder(tmp_path / "class")
    ann, bob = tmp_path / "class" / "ann.json", tmp_path / "class" / "bob.json"
    status, out, err = run_check(capsys, "--csv", str(ann), str(bob))
    # The count goes to stderr, so that the CSV holds the table only.
    assert (status, err) == (1, "2 files: 1 pass, 1 fail, 0 unreadable\n")
    rows = list(csv.reader(out.splitlines()))
    header = ["file", "status", "keys passed", "failing lessons", "missing lessons"]
    assert rows[0] == [*header, "not attempted", "problems"]
    assert [row[:6] for row in rows[1:]] == [
        [str(ann), "pass", "10 of 10", "-", "-", "-"],
        [str(bob), "fail", "8 of 10", "3", "-", "-"],
    ]
    status, out, _ = run_check(capsys, str(ann), str(ann))
    assert status == 0 and out.splitlines()[-2:] == [
        "1 file: 1 pass, 0 fail, 0 unreadable",
        f"note: {ann} was named 2 times: checked once",
    ]


def test_checking_a_class_changes_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _class_folder(tmp_path / "class")
    before = _snapshot(tmp_path)
    run_check(capsys, str(tmp_path / "class"))
    assert _snapshot(tmp_path) == before


def test_a_large_class_is_checked_in_parallel_in_file_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gdtutor.cli import _PARALLEL_FROM

    n = _PARALLEL_FROM + 1
    for i in range(n):
        (tmp_path / f"s{i:02d}.json").write_text("{}" if i % 2 else "[]")
    status, out, _ = run_check(capsys, "--csv", str(tmp_path))
    rows = list(csv.reader(out.splitlines()))[1:]
    assert status == 2
    assert [Path(row[0]).name for row in rows] == [f"s{i:02d}.json" for i in range(n)]
    assert [row[1] for row in rows] == ["error" if i % 2 == 0 else "fail" for i in range(n)]


@pytest.fixture(params=[False, True], ids=["one process", "in parallel"])
def parallel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """A class checked in one process, or by a pool for its few files, as for a class of 32
    or more (where processes fork, so that the workers share this process's patches)."""
    import multiprocessing

    import gdtutor.cli

    if request.param:
        if multiprocessing.get_start_method() != "fork":
            pytest.skip("the pool's workers do not start as forks of this process")
        monkeypatch.setattr(gdtutor.cli, "_PARALLEL_FROM", 2)
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return bool(request.param)


def test_a_class_goes_on_past_a_file_nested_too_deeply_or_malformed_in_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], parallel: bool
) -> None:
    write_answers(tmp_path / "ann.json")
    (tmp_path / "bob.json").write_bytes(b'{"xy_grad": ' + b"[" * 500 + b"1.0" + b"]" * 500 + b"}")
    (tmp_path / "cy.json").write_bytes(
        _with("X_grad", '{"__ndarray__": [20.0], "dtype": "float32", "shape": [500]}')
    )
    status, out, err = run_check(capsys, "--csv", str(tmp_path))
    rows = {Path(row[0]).name: row for row in list(csv.reader(out.splitlines()))[1:]}
    assert (status, err) == (2, "3 files: 1 pass, 1 fail, 1 unreadable\n")
    assert rows["ann.json"][1] == "pass"
    assert rows["bob.json"][1:] == ["error", "-", "-", "-", "-", (
        "cannot read: not accepted: JSON nested too deeply (more than 64 levels, in key 'xy_grad')"
    )]  # fmt: skip
    assert rows["cy.json"][1:] == ["fail", "9 of 10", "2", "-", "-", (
        "X_grad: wrong shape (numpy array declares shape [500] but holds shape [1])"
    )]  # fmt: skip


def test_one_file_notes_the_exercise_scripts_edited_after_it_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A learner edits lesson 4's script, breaks it (a syntax error runs nothing) and checks:
    # the file still holds the last run's answers, which pass.
    answers = tmp_path / ".answer.json"
    write_answers(answers)
    written = answers.stat().st_mtime
    for name, age in [  # seconds before the answer file was written
        ("plot_04_skewed_valley_exercise.py", -60),
        ("plot_05_torch_optim_exercise.py", 60),
        ("plot_05_torch_optim_exercise.ipynb", -60),  # a notebook saves itself as it runs
        ("plot_02_matrix_gradient_exercise.py", -60),
    ]:
        (tmp_path / name).write_text("x = (\n")
        os.utime(tmp_path / name, (written - age, written - age))
    monkeypatch.chdir(tmp_path)
    status, out, err = run_check(capsys)
    lines = out.splitlines()
    assert (status, err, lines[-2]) == (0, "", "10 of 10 keys pass")
    assert lines[-1] == (
        "note: plot_02_matrix_gradient_exercise.py, plot_04_skewed_valley_exercise.py changed "
        "after their answers were saved to .answer.json, so their answers above may be from "
        "an earlier run: if they were edited since, run them again (a script with a syntax "
        "error runs nothing and saves nothing)"
    )
    # Only the lessons whose keys the file holds: a missing key already says to run it.
    import json

    data = json.loads(answers.read_text())
    del data["X_grad"]
    answers.write_text(json.dumps(data))
    os.utime(answers, (written, written))
    status, out, _ = run_check(capsys)
    assert status == 1 and out.splitlines()[-1].startswith(
        "note: plot_04_skewed_valley_exercise.py changed after its answers were saved to "
        ".answer.json, so its answers above may be from an earlier run: if it was edited "
        "since, run it again"
    )
    # Nothing to note once the scripts ran after their edits.
    os.utime(answers, (written + 120, written + 120))
    status, out, _ = run_check(capsys)
    assert "note:" not in out


def test_a_script_edited_after_its_own_answers_were_saved_is_noted_whatever_saved_since(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file records each answer's script time: lesson 3's script, broken after its
    answers were saved, is still noted once lesson 1's exercise has saved (which rewrote the
    file, after the edit); lesson 1's script, edited before its save, is not."""
    from gdtutor.answers import save_answers

    reference = reference_answers()
    first, later = "plot_03_descent_by_hand_exercise.py", "plot_01_autograd_basics_exercise.py"
    now = time.time()
    for name in (first, later):
        (tmp_path / name).write_text("# solved\n")
        os.utime(tmp_path / name, (now - 300, now - 300))
    answers = tmp_path / ".answer.json"
    save_answers({k: v for k, v in reference.items() if ANSWER_KEYS[k].exercise != later}, answers)
    for name in (first, later):
        (tmp_path / name).write_text("x = (\n")
        os.utime(tmp_path / name, (now - 200, now - 200))
    save_answers({k: v for k, v in reference.items() if ANSWER_KEYS[k].exercise == later}, answers)
    assert answers.stat().st_mtime > now - 200  # the file was written after both edits
    monkeypatch.chdir(tmp_path)
    status, out, err = run_check(capsys)
    lines = out.splitlines()
    assert (status, err, lines[-2]) == (0, "", "10 of 10 keys pass")
    assert lines[-1].startswith(
        f"note: {first} changed after its answers were saved to .answer.json, so its answers"
    )
    # Run again (its time is recorded anew), nothing is noted.
    save_answers({k: v for k, v in reference.items() if ANSWER_KEYS[k].exercise == first}, answers)
    assert "note:" not in run_check(capsys)[1]


def test_an_unforeseen_error_in_one_file_is_that_files_row(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    parallel: bool,
) -> None:
    import gdtutor.checking

    check_answers = gdtutor.checking.check_answers

    def fragile(learner: dict[str, Any]) -> Any:
        if "boom" in learner:
            raise RecursionError("maximum recursion depth exceeded\nwhile checking")
        return check_answers(learner)

    monkeypatch.setattr(gdtutor.checking, "check_answers", fragile)
    write_answers(tmp_path / "ann.json")
    (tmp_path / "bob.json").write_text('{"boom": 1}')
    write_answers(tmp_path / "cy.json")
    status, out, err = run_check(capsys, str(tmp_path))
    assert (status, err) == (2, "") and "Traceback" not in out
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[1:-1]] == [
        [str(tmp_path / "ann.json"), "pass"],
        [str(tmp_path / "bob.json"), "error"],
        [str(tmp_path / "cy.json"), "pass"],
    ]
    assert lines[2].endswith(
        "could not be checked: RecursionError: maximum recursion depth exceeded"
    )
    assert lines[-1] == "3 files: 2 pass, 0 fail, 1 unreadable"
    # One file: one line on stderr, no traceback.
    status, out, err = run_check(capsys, str(tmp_path / "bob.json"))
    assert (status, out) == (2, "")
    assert err == (
        f"error: cannot check {tmp_path / 'bob.json'}: RecursionError: "
        "maximum recursion depth exceeded\n"
    )


def test_a_file_whose_checking_process_dies_is_that_files_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import multiprocessing
    import signal

    import gdtutor.checking
    import gdtutor.cli

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the pool's workers do not start as forks of this process")
    check_answers = gdtutor.checking.check_answers

    def deadly(learner: dict[str, Any]) -> Any:
        if "boom" in learner:  # as the kernel ends a process that takes too much memory
            os.kill(os.getpid(), signal.SIGKILL)
        return check_answers(learner)

    monkeypatch.setattr(gdtutor.checking, "check_answers", deadly)
    monkeypatch.setattr(gdtutor.cli, "_PARALLEL_FROM", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    names = [f"s{i:02d}.json" for i in range(10)]
    for name in names:
        write_answers(tmp_path / name)
    (tmp_path / "s03.json").write_text('{"boom": 1}')
    status, out, err = run_check(capsys, "--csv", str(tmp_path))
    rows = list(csv.reader(out.splitlines()))[1:]
    assert [Path(row[0]).name for row in rows] == names
    assert [row[1] for row in rows] == ["error" if n == "s03.json" else "pass" for n in names]
    assert rows[3][-1] == (
        "could not be checked: the process checking it stopped abruptly (out of memory?)"
    )
    assert (status, err) == (2, "10 files: 9 pass, 0 fail, 1 unreadable\n")


def _gdtutor_check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gdtutor", "check", *args], cwd=cwd, capture_output=True, text=True
    )


def test_a_number_beyond_float32_becomes_inf_without_a_warning(tmp_path: Path) -> None:
    # The warning would go to stderr, in a learner's run and in a teacher's (each way of
    # reading an array is tested in-process in test_checking).
    form = {"__ndarray__": [1e300, 1.0], "dtype": "float32", "shape": [2]}
    (tmp_path / "ann.json").write_text(json.dumps({"xy_grad": form}))
    (tmp_path / "bob.json").write_text(json.dumps({"var_history_2": [form] * 500, "n": 0.0}))
    done = _gdtutor_check("ann.json", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, "")
    assert "inf or nan at xy_grad[0], where the reference is a finite number" in done.stdout
    done = _gdtutor_check(".", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines()[-1] == "2 files: 0 pass, 2 fail, 0 unreadable"


def test_an_integer_too_large_for_a_float64_is_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(_with("xy_grad", "[1.0, 1%s]" % ("0" * 400)))
    status, out, err = run_check(capsys, str(path))
    row, hint = _row(out, "xy_grad")
    assert (status, err, row.split()[2]) == (1, "", "fail")
    assert hint == (
        "xy_grad[1] is an integer of 401 digits, too large for a float64 (the largest is about "
        "1.8e308)"
    )
    assert out.splitlines()[-1] == "9 of 10 keys pass; 1 fail (lesson 1)"
    # In a numpy array too.
    text = '{"__ndarray__": [1.0, 1%s], "dtype": "float32", "shape": [2]}' % ("0" * 400)
    path.write_bytes(_with("xy_grad", text))
    status, out, err = run_check(capsys, str(path))
    row, hint = _row(out, "xy_grad")
    assert (status, err, row.split()[2]) == (1, "", "fail")
    assert "an integer of 401 digits, too large for a float64" in hint


def test_a_folder_reports_links_and_other_files_without_following_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class_folder = tmp_path / "class"
    _class_folder(class_folder)
    write_answers(tmp_path / "outside.json")
    (class_folder / "zed.json").symlink_to(tmp_path / "outside.json")
    (class_folder / "linked").symlink_to(tmp_path)  # a folder link: not entered
    (class_folder / "notes.txt").write_text("{}")
    status, out, err = run_check(capsys, str(class_folder))
    lines = out.splitlines()
    rows = {Path(line.split()[0]).name: line for line in lines[1:-2]}
    assert "a symbolic link: not followed" in rows["zed.json"]
    assert rows["zed.json"].split()[1] == "skipped"
    assert "a symbolic link: not followed" in rows["linked"]
    assert "outside.json" not in out
    # Every row in the order of the paths, the links among the files.
    names = [Path(line.split()[0]).relative_to(class_folder).as_posix() for line in lines[1:-2]]
    expected = ["ann.json", "bob.json", "cy.json", "dee.json", "eve/.answer.json", "fay.json"]
    assert names == sorted([*expected, "linked", "zed.json"], key=Path)
    # The links are counted as links, not as files.
    assert lines[-2] == "6 files: 2 pass, 3 fail, 1 unreadable; 2 symbolic links skipped"
    notes = class_folder / "notes.txt"
    assert lines[-1] == f"(1 other file in the folders, not *.json, was not checked: {notes})"
    assert status == 2 and err == ""  # the class's unreadable files, not the links
    # With --csv, the count and the note go to stderr: stdout holds the CSV only.
    status, out, err = run_check(capsys, "--csv", str(class_folder))
    table = list(csv.reader(out.splitlines()))
    assert [Path(row[0]).name for row in table[1:]] == [Path(name).name for name in names]
    assert status == 2 and err.splitlines() == lines[-2:]
    # A folder whose only oddity is a link does not pass: the link, a file handed in, was
    # not checked (status 2, as for a file that cannot be read).
    ok = tmp_path / "ok"
    ok.mkdir()
    write_answers(ok / "ann.json")
    (ok / "zed.json").symlink_to(tmp_path / "outside.json")
    status, out, _ = run_check(capsys, str(ok))
    assert status == 2 and out.splitlines()[-1] == (
        "1 file: 1 pass, 0 fail, 0 unreadable; 1 symbolic link skipped"
    )
    status, out, _ = run_check(capsys, "--csv", str(ok))
    assert status == 2 and out.splitlines()[-1].endswith(
        ",skipped,-,-,-,-,a symbolic link: not followed"
    )


def test_links_named_among_several_files_are_reported_one_named_alone_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As a shell expands `gdtutor check class/*.json`: the links are named with the files.
    write_answers(tmp_path / "outside.json")
    (tmp_path / "class").mkdir()
    write_answers(tmp_path / "class" / "ann.json")
    (tmp_path / "class" / "zed.json").symlink_to(tmp_path / "outside.json")
    (tmp_path / "other").mkdir()
    write_answers(tmp_path / "other" / "secret.json")
    (tmp_path / "class" / "linked").symlink_to(tmp_path / "other")  # a folder: not entered
    named = [str(tmp_path / "class" / name) for name in ("ann.json", "linked", "zed.json")]
    status, out, err = run_check(capsys, "--csv", *named)
    rows = list(csv.reader(out.splitlines()))[1:]
    assert [row[:2] for row in rows] == [
        [named[0], "pass"], [named[1], "skipped"], [named[2], "skipped"]
    ]  # fmt: skip
    assert rows[1][-1] == rows[2][-1] == "a symbolic link: not followed"
    assert "secret" not in out
    assert (status, err) == (2, "1 file: 1 pass, 0 fail, 0 unreadable; 2 symbolic links skipped\n")
    # One file named alone is the file its reader chose: read through the link, which the
    # report names, as it names a link that leads nowhere.
    status, out, _ = run_check(capsys, named[2])
    assert status == 0 and out.splitlines()[-2:] == [
        "10 of 10 keys pass",
        f"note: {named[2]} is a symbolic link; the file checked is {tmp_path / 'outside.json'}",
    ]
    (tmp_path / "class" / "gone.json").symlink_to(tmp_path / "nowhere.json")
    status, out, err = run_check(capsys, str(tmp_path / "class" / "gone.json"))
    assert (status, out) == (2, "") and err.endswith(
        f"is a symbolic link to {tmp_path / 'nowhere.json'}, which does not exist)\n"
    )
    # A link to a file that is refused says where it led too.
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "class" / "odd.json").symlink_to(tmp_path / "passwd")
    status, out, err = run_check(capsys, str(tmp_path / "class" / "odd.json"))
    assert (status, out) == (2, "") and err.startswith(
        f"error: cannot check {tmp_path / 'class' / 'odd.json'}: not JSON: "
    ) and err.endswith(
        f" ({tmp_path / 'class' / 'odd.json'} is a symbolic link to {tmp_path / 'passwd'})\n"
    )  # fmt: skip


def test_a_file_named_twice_is_checked_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder and a file in it, a name and the same name again, or another path to the
    file: each file is one row, and a note says which names were the same file."""
    (tmp_path / "class").mkdir()
    write_answers(tmp_path / "class" / "ann.json")
    write_answers(tmp_path / "bob.json")
    monkeypatch.chdir(tmp_path)
    status, out, err = run_check(
        capsys, "class", "class/ann.json", "bob.json", "bob.json", "class/../bob.json"
    )
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[1:3]] == ["class/ann.json", "bob.json"]
    assert lines[3:] == [
        "2 files: 2 pass, 0 fail, 0 unreadable",
        "note: class/ann.json was named 2 times: checked once",
        "note: bob.json was named 3 times (also as class/../bob.json): checked once",
    ]
    assert (status, err) == (0, "")
    # A name with a newline or a terminal escape is shown escaped, in the note as in the table.
    odd = "x\x1b[31mRED\nfake row.json"
    write_answers(tmp_path / odd)
    status, out, _ = run_check(capsys, odd, f"./{odd}")
    assert out.splitlines()[-1] == f"note: {odd!r} was named 2 times: checked once"
    assert "\x1b" not in out
    # A link named twice is listed once, as skipped.
    (tmp_path / "class" / "zed.json").symlink_to(tmp_path / "bob.json")
    status, out, _ = run_check(capsys, "class", "class/zed.json")
    assert status == 2 and out.splitlines()[-1] == (
        "note: class/zed.json was named 2 times: listed once"
    )
    # The same name twice is checked as a class of one file; with --csv the note is on
    # stderr, beside the count.
    status, out, err = run_check(capsys, "--csv", "bob.json", "bob.json")
    assert status == 0 and len(out.splitlines()) == 2
    assert err.splitlines()[-1] == "note: bob.json was named 2 times: checked once"


def test_a_file_whose_name_starts_with_a_dash_is_checked_not_taken_for_an_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a shell expands `gdtutor check *.json` in a folder that holds "-h.json".
    write_answers(tmp_path / "-h.json")
    write_answers(tmp_path / "ann.json")
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_check(capsys, "--csv", "-h.json", "ann.json")
    assert status == 0  # the CSV writes a name that starts like a formula as text
    assert [row[0] for row in csv.reader(out.splitlines())] == ["file", "'-h.json", "ann.json"]
    status, out, _ = run_check(capsys, "-h.json")
    assert status == 0 and out.splitlines()[-1] == "10 of 10 keys pass"
    # A file that is not there, named before an option, is that file's row, in its place.
    status, out, _ = run_check(capsys, "ann.json", "gone.json", "-h.json", "--csv")
    table = list(csv.reader(out.splitlines()))
    assert [row[:2] for row in table[1:]] == [
        ["ann.json", "pass"], ["gone.json", "error"], ["'-h.json", "pass"]
    ]  # fmt: skip
    assert status == 2
    # An option is still an option, and "--" still ends them.
    with pytest.raises(SystemExit) as stop:
        main(["check", "--help"])
    assert stop.value.code == 0 and "Exit status" in capsys.readouterr().out
    status, out, _ = run_check(capsys, "--", "-h.json")
    assert status == 0
    # Before a "--", a file named like an option is still a file; after it, every name is.
    status, out, _ = run_check(capsys, "-h.json", "--csv", "--", "ann.json")
    assert status == 0
    assert [row[0] for row in csv.reader(out.splitlines())] == ["file", "'-h.json", "ann.json"]


def test_the_files_not_checked_are_named_the_first_few_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_answers(tmp_path / "ann.json")
    for name in ("e.txt", "d.py", "c.ipynb", "b.csv", "a.md"):
        (tmp_path / name).write_text("")
    status, out, _ = run_check(capsys, str(tmp_path))
    first = ", ".join(str(tmp_path / name) for name in ("a.md", "b.csv", "c.ipynb"))
    assert status == 0 and out.splitlines()[-1] == (
        f"(5 other files in the folders, not *.json, were not checked: {first} and 2 more)"
    )


def test_a_key_started_and_not_saved_is_named_so_in_a_class_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {k: v for k, v in reference_answers().items() if k != "var_history_3"}
    answers["unfinished"] = ["var_history_3"]
    dump(tmp_path / "ann.json", answers)
    del answers["unfinished"]
    dump(tmp_path / "bob.json", answers)
    status, out, _ = run_check(capsys, "--csv", str(tmp_path))
    problems = {Path(row[0]).name: row[-1] for row in list(csv.reader(out.splitlines()))[1:]}
    assert status == 1
    assert problems == {
        "ann.json": "var_history_3: started, not saved",
        "bob.json": "var_history_3: missing",
    }


def _closed_stdout(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command line with a stdout whose reader has gone, as in ``| head -1`` once
    head has read its line: closed here before the child writes anything."""
    child = subprocess.Popen(
        [sys.executable, "-m", "gdtutor", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    err = child.stderr.read()
    child.wait(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, "", err)


@pytest.mark.parametrize(
    "args",
    [["check", "ann.json"], ["check", "."], ["check", "--csv", "."], ["answers", "-o", "b.json"]],
    ids=["one file", "folder", "csv", "answers"],
)
def test_a_closed_stdout_ends_the_command_without_a_traceback(
    tmp_path: Path, args: list[str]
) -> None:
    write_answers(tmp_path / "ann.json")
    (tmp_path / "notes.txt").write_text("")
    done = _closed_stdout(*args, cwd=tmp_path)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode != 0


def test_a_key_with_control_characters_cannot_fake_a_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = dict(reference_answers())
    answers["evil\x1b[31mRED\x1b[0m\nfake line"] = 1
    status, out, _ = run_check(capsys, str(dump(tmp_path / "a.json", answers)))
    assert "\x1b" not in out and "\nfake line" not in out
    assert "'evil\\x1b[31mRED\\x1b[0m\\nfake line'" in out
    assert status == 0
    # In CSV too, for a file name (as a teacher's terminal shows it).
    named = dump(tmp_path / "x\x1b[31m.json", dict(reference_answers()))
    status, out, _ = run_check(capsys, "--csv", str(named))
    assert "\x1b" not in out and status == 0


def test_the_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    import gdtutor

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"gdtutor {gdtutor.__version__}\n"


def _locked(monkeypatch: pytest.MonkeyPatch, *locked: Path) -> None:
    """Make the folders ``locked`` unreadable, as ``chmod 000`` does for a user who is not
    root (root reads them all the same): they cannot be listed, and nothing in them can be
    looked at; the folders themselves can."""

    def inside(path: Any) -> bool:
        where = Path(os.fspath(path)).absolute()
        return any(folder in where.parents for folder in locked)

    def refusing(real: Callable[..., Any], listing: bool = False) -> Callable[..., Any]:
        def call(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
            if not isinstance(path, int) and (
                inside(path) or (listing and Path(os.fspath(path)).absolute() in locked)
            ):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "scandir", refusing(os.scandir, listing=True))
    for name in ("lstat", "stat", "open"):
        monkeypatch.setattr(os, name, refusing(getattr(os, name)))


def test_a_folder_that_cannot_be_read_is_a_row_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A student's folder the teacher may not read is reported (it was left out without a
    word, and the class passed), and so is a file in it named on the command line (a
    traceback, with exit status 1)."""
    write_answers(tmp_path / "ann.json")
    (tmp_path / "bob").mkdir()
    write_answers(tmp_path / "bob" / "bob.json")
    _locked(monkeypatch, tmp_path / "bob")
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_check(capsys, ".")
    assert status == 2
    assert out.splitlines()[1:] == [
        "ann.json  pass    10 of 10     -                -                -",
        "bob/      error   -            -                -                -              "
        "a folder that cannot be read: permission denied",
        "1 file: 1 pass, 0 fail, 0 unreadable; 1 folder could not be read",
    ]
    status, out, _ = run_check(capsys, "bob")
    assert status == 2 and "bob/  error" in out.splitlines()[1]
    status, out, err = run_check(capsys, "ann.json", "bob/bob.json")
    assert status == 2 and out.splitlines()[2].startswith("bob/bob.json  error")
    assert "Permission denied" in out.splitlines()[2]
    status, out, err = run_check(capsys, "bob/bob.json")
    assert (status, out) == (2, "") and err.startswith("error: cannot check bob/bob.json: ")
    assert "Permission denied" in err


def test_an_empty_path_is_refused_not_taken_for_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_answers(tmp_path / "ann.json")
    monkeypatch.chdir(tmp_path)
    for args in ([""], ["ann.json", ""]):
        assert run_check(capsys, *args) == (
            2, "", "error: cannot check '': an empty path (an unset variable?)\n"
        )  # fmt: skip


def test_a_file_name_cannot_act_on_the_terminal_of_one_file_named_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Escapes in a name are shown as such, in the error and in the note on a link."""
    odd = tmp_path / "e\x1b[2Jvil.json"
    odd.write_text("x")
    status, _, err = run_check(capsys, str(odd))
    assert status == 2 and "\x1b" not in err and r"e\x1b[2Jvil.json" in err
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "\x1b[31mgone")
    status, _, err = run_check(capsys, str(link))
    assert status == 2 and "\x1b" not in err and r"\x1b[31mgone" in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_that_cannot_be_written_is_an_error_without_a_traceback(tmp_path: Path) -> None:
    write_answers(tmp_path / "ann.json")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "gdtutor", "check", str(tmp_path / "ann.json")],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2, "error: cannot write to standard output: no space left on device\n"
    )  # fmt: skip


def test_a_long_key_and_many_extra_keys_keep_the_report_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key of 50,000 characters and 2,000 extra keys (a 73 KB file) made a report of 100
    MB: a long key is cut, and the keys of no lesson after the first 20 are counted, those
    whose values are not read too (each had a row and a hint)."""
    answers = {**reference_answers(), "k" * 50_000: 1, **{f"k{i}": i for i in range(2000)}}
    path = tmp_path / "wide.json"
    # and 30 keys of no lesson whose values are not read (each a row with a hint)
    refused = ", ".join(f'"bad{i}": {{"__set__": [1]}}' for i in range(30))
    path.write_text(json_tricks.dumps(answers)[:-1] + ", " + refused + "}")
    status, out, _ = run_check(capsys, str(path))
    assert status == 1 and len(out) < 5_000
    lines = out.splitlines()
    assert lines[11].split()[:3] == ["-", "k" * 37 + "...", "extra"]
    assert [line.split()[1] for line in lines[12:31]] == [f"k{i}" for i in range(19)]
    assert lines[-2:] == [
        "        and 2011 more extra keys",
        "10 of 10 keys pass; 30 not numeric (30 extra keys), 2001 extra",
    ]


@pytest.mark.parametrize(
    ("key", "shown", "why"),
    [
        ("X_grad ", "'X_grad '", ""),
        (
            "\u0425_grad",
            r"'\u0425_grad'",
            " (its character U+0425, CYRILLIC CAPITAL LETTER HA, is not ASCII)",
        ),
        (
            "X_grad\u200b",
            r"'X_grad\u200b'",
            " (its character U+200B, ZERO WIDTH SPACE, is not ASCII)",
        ),
    ],
    ids=["trailing-space", "cyrillic", "zero-width-space"],
)
def test_a_key_that_only_looks_like_a_lessons_key_is_told_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, shown: str, why: str
) -> None:
    answers = dict(reference_answers())
    answers[key] = answers.pop("X_grad")
    path = tmp_path / "alike.json"
    path.write_text(json_tricks.dumps(answers))
    status, out, _ = run_check(capsys, str(path))
    assert status == 1
    assert any(line.startswith(f"-       {shown}  ") and line.split()[-3] == "extra"
               for line in out.splitlines())  # fmt: skip
    assert f"the file has {shown}, an extra key: if it is X_grad, its name is misspelt{why};" in (
        " ".join(out.split())
    )


def test_a_folder_with_no_answer_files_among_several_paths_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Alone, it is an error (nothing to check); among others, a note says it held none."""
    write_answers(tmp_path / "alice.json")
    (tmp_path / "late").mkdir()
    (tmp_path / "late" / "notes.txt").write_text("to do")
    status, out, _ = run_check(capsys, str(tmp_path / "alice.json"), str(tmp_path / "late"))
    assert status == 0
    assert out.splitlines()[-2:] == [
        "(1 other file in the folders, not *.json, was not checked: "
        f"{tmp_path / 'late' / 'notes.txt'})",
        f"note: the folder {tmp_path / 'late'} holds no *.json file",
    ]
    status, _, err = run_check(capsys, str(tmp_path / "late"))
    assert status == 2 and err.startswith(
        f"error: no *.json answer files in the folder {tmp_path / 'late'};"
    )
