r"""The answers the lessons' exercises save, and the reference they are checked against.

Each exercise adds entries to a dict ``answer`` and saves it to ``.answer.json`` with
json_tricks, as the course notebook's last cell does. The notebook's seven keys keep its names
and conventions; lessons 1 and 3 add keys of their own, so that every blank is checked.
:data:`ANSWER_KEYS` says which lesson writes each key.

The reference answers ship with the package as data (``reference_answers.json``), so that
checking needs no torch; :func:`compute_answers` makes them again from the notebook's runs,
and a test holds the two equal, bit for bit.

The notebook records its hand-written descents before each step, like
:func:`gdtutor.gradient_descent`, but its optimizer cells append the point *after*
``opt.step()`` next to the value computed *before* it. :func:`notebook_history` builds that
view from a plain :class:`~gdtutor.Trajectory`.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import orjson

from gdtutor._arrays import frozen

if TYPE_CHECKING:
    import torch

    from gdtutor.record import Trajectory

__all__ = [
    "ANSWER_KEYS",
    "NOTEBOOK_KEYS",
    "NOTEBOOK_LR",
    "NOTEBOOK_START",
    "NOTEBOOK_STEPS",
    "NOTEBOOK_X",
    "SCRIPT_TIMES",
    "UNFINISHED",
    "AnswerKey",
    "compute_answers",
    "notebook_history",
    "notebook_run",
    "notebook_skewed",
    "reference_answers",
    "save_answers",
    "script_times",
    "start_exercise",
    "unfinished_keys",
    "write_answers",
]


@dataclass(frozen=True)
class AnswerKey:
    """Where an answer key comes from.

    Attributes
    ----------
    lesson : int
        The lesson whose exercise writes the key.
    exercise : str
        That exercise's file name.
    what : str
        What the key holds, in a few words.
    run : str or None
        The descent it records (a key of :data:`NOTEBOOK_LR`), if any.
    required : bool
        True for the course notebook's keys: a file without one of them fails. The keys that
        only this site's exercises write are "not attempted" when absent.
    """

    lesson: int
    exercise: str
    what: str
    run: str | None = None
    required: bool = True


def _key(
    lesson: int, stem: str, what: str, run: str | None = None, *, required: bool = True
) -> AnswerKey:
    return AnswerKey(lesson, f"plot_{lesson:02d}_{stem}_exercise.py", what, run, required)


#: Every answer key, in lesson order, with the lesson and exercise that write it: an
#: :class:`~gdtutor.answers.AnswerKey` per key, listed in a table on the :doc:`/exercises`
#: page.
#:
#: :meta hide-value:
ANSWER_KEYS: MappingProxyType[str, AnswerKey] = MappingProxyType(
    {
        "xy_grad": _key(1, "autograd_basics", "(x.grad, y.grad) of x + y", required=False),
        "X_grad": _key(2, "matrix_gradient", "the gradient of 10 sum x_ij^2"),
        "var_history_parabola": _key(
            3, "descent_by_hand", "points of descent on the bowl", "parabola", required=False
        ),
        "fn_history_parabola": _key(
            3, "descent_by_hand", "values of descent on the bowl", "parabola", required=False
        ),
        "var_history_2": _key(4, "skewed_valley", "points of descent in the valley", "manual"),
        "fn_history_2": _key(4, "skewed_valley", "values of descent in the valley", "manual"),
        "var_history_3": _key(5, "torch_optim", "points of the SGD run", "SGD"),
        "fn_history_3": _key(5, "torch_optim", "values of the SGD run", "SGD"),
        "var_history_4": _key(5, "torch_optim", "points of the AdamW run", "AdamW"),
        "fn_history_4": _key(5, "torch_optim", "values of the AdamW run", "AdamW"),
    }
)
#: The seven keys the course notebook itself writes.
NOTEBOOK_KEYS: tuple[str, ...] = tuple(k for k, v in ANSWER_KEYS.items() if v.required)

#: The 3 × 4 matrix at which the notebook differentiates :math:`10 \sum x_{ij}^2`.
NOTEBOOK_X: tuple[tuple[float, ...], ...] = (
    (1.0, 2.0, 3.0, 4.0),
    (5.0, 6.0, 7.0, 8.0),
    (9.0, 10.0, 11.0, 12.0),
)
#: Every descent in the notebook starts here.
NOTEBOOK_START: tuple[float, float] = (8.0, 8.0)
#: Steps in each of the notebook's descents.
NOTEBOOK_STEPS = 500
#: Learning rates of the runs: hand-written descent on the bowl and in the valley, SGD, AdamW.
NOTEBOOK_LR: MappingProxyType[str, float] = MappingProxyType(
    {"parabola": 0.001, "manual": 0.001, "SGD": 0.001, "AdamW": 1.0}
)
#: Runs whose history the notebook takes after ``opt.step()``, its ``torch.optim`` runs (the
#: others, hand-written, before the step).
_RECORDED_AFTER = frozenset({"SGD", "AdamW"})
_DATA = Path(__file__).with_name("reference_answers.json")


def notebook_skewed(variable: torch.Tensor) -> torch.Tensor:
    """The skewed quadratic exactly as the notebook writes it, with matrix products.

    Mathematically equal to :func:`gdtutor.skewed`; kept so that the reference answers
    reproduce the notebook's float32 rounding.

    Parameters
    ----------
    variable : torch.Tensor
        One point, shape ``(2,)``: float32 as in the notebook, or float64.

    Returns
    -------
    torch.Tensor
        The 0-d value.

    Examples
    --------
    >>> import torch
    >>> print(f"{notebook_skewed(torch.tensor([8.0, 8.0])).item():.1f}")
    1280.0
    """
    import torch

    # In the variable's dtype, so that a float64 run works too (float32, as the notebook's).
    dtype = variable.dtype
    gramma = torch.tensor([[1.0, -1.0], [1.0, 1.0]], dtype=dtype) @ torch.tensor(
        [[1.0, 0.0], [0.0, 4.0]], dtype=dtype
    )
    return 10 * (variable.unsqueeze(0) @ (gramma @ variable.unsqueeze(1))).sum()


def notebook_run(run: str, *, lr: float | None = None, float64: bool = False) -> Trajectory:
    """One of the course's descents, recorded before each step.

    Parameters
    ----------
    run : {"parabola", "manual", "SGD", "AdamW"}
        Hand-written descent on the bowl (lesson 3) or in the skewed valley (lesson 4), or
        the ``torch.optim`` run of lesson 5.
    lr : float, optional
        Another learning rate than the course's (:data:`NOTEBOOK_LR`).
    float64 : bool, optional
        Run in float64 instead of the course's float32.

    Returns
    -------
    Trajectory
        500 steps from :data:`NOTEBOOK_START`.

    Raises
    ------
    ValueError
        If ``run`` is not one of the course's runs.

    Examples
    --------
    >>> print(notebook_run("SGD").points[1])
    [8.08 7.6 ]
    """
    from gdtutor.descent import gradient_descent
    from gdtutor.objectives import parabola, skewed
    from gdtutor.optim import optimize

    if run not in NOTEBOOK_LR:
        raise ValueError(f"run must be one of {list(NOTEBOOK_LR)}, got {run!r}")
    lr = NOTEBOOK_LR[run] if lr is None else lr
    start = np.array(NOTEBOOK_START, dtype=np.float64 if float64 else np.float32)
    # The notebook's matrix products are float32; gdtutor.skewed computes the same in float64.
    objective = parabola if run == "parabola" else skewed if float64 else notebook_skewed
    if run not in _RECORDED_AFTER:
        return gradient_descent(objective, start, lr=lr, steps=NOTEBOOK_STEPS)
    return optimize(objective, start, run, lr=lr, steps=NOTEBOOK_STEPS)


def notebook_history(run: str, trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray]:
    """``(var_history, fn_history)`` of a run, paired as the course records that run.

    The hand-written descents take the point and its value before each step: the trajectory
    as it is. The optimizer cells take the point after ``opt.step()`` next to the value
    computed before it: ``[*points[1:], end_point]`` next to ``values``.

    Examples
    --------
    >>> var, fn = notebook_history("SGD", notebook_run("SGD"))
    >>> print(var[0], f"{fn[0]:.1f}")
    [8.08 7.6 ] 1280.0
    """
    if run in _RECORDED_AFTER:
        points = np.concatenate([trajectory.points[1:], trajectory.end_point[None]])
        return points, trajectory.values
    return trajectory.points, trajectory.values


def compute_answers() -> dict[str, np.ndarray]:
    """Compute every answer key from the course's runs (needs torch; takes about a second).

    ``X_grad`` is the gradient of :math:`10 \\sum x_{ij}^2` at :data:`NOTEBOOK_X`;
    ``xy_grad`` holds the gradients of :math:`x + y` with respect to :math:`x` and :math:`y`;
    the histories come from :func:`notebook_run` through :func:`notebook_history`. All are
    float32.

    Returns
    -------
    dict
        Each key of :data:`ANSWER_KEYS` mapped to a float32 array.
    """
    import torch

    x = torch.tensor(10.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    (x + y).backward()
    X = torch.tensor(NOTEBOOK_X, requires_grad=True)
    (10 * (X**2).sum()).backward()
    answers: dict[str, Any] = {"xy_grad": [x.grad, y.grad], "X_grad": X.grad}
    for key in ANSWER_KEYS:
        run = ANSWER_KEYS[key].run
        if run is not None and key.startswith("var_history"):
            points, values = notebook_history(run, notebook_run(run))
            answers[key] = points
            answers[key.replace("var_history", "fn_history")] = values
    return {key: np.asarray(answers[key], dtype=np.float32) for key in ANSWER_KEYS}


@functools.cache
def _shipped() -> MappingProxyType[str, np.ndarray]:
    data = orjson.loads(_DATA.read_bytes())
    return MappingProxyType(
        {key: frozen(np.array(data[key], dtype=np.float32)) for key in ANSWER_KEYS}
    )


def reference_answers() -> MappingProxyType[str, np.ndarray]:
    """The reference answers, read from the data that ships with the package (no torch).

    Returns
    -------
    Mapping
        Each key of :data:`ANSWER_KEYS` mapped to a read-only float32 array, equal to what
        :func:`compute_answers` computes.

    Examples
    --------
    >>> answers = reference_answers()
    >>> print(answers["X_grad"][0])
    [20. 40. 60. 80.]
    >>> answers["var_history_3"].shape
    (500, 2)
    """
    return _shipped()


def _dump_reference(path: str | os.PathLike[str] = _DATA) -> Path:
    """Write :func:`compute_answers` as the package's reference data (for maintainers).

    Python's float repr round-trips, so each float32 comes back bit for bit.
    """
    data = {key: value.astype(np.float64).tolist() for key, value in compute_answers().items()}
    path = Path(path)
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def write_answers(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write the reference answers to ``path`` with json_tricks, as the notebook saves its own.

    Histories are lists of float32 arrays, one per step, as the notebook appends them.

    Parameters
    ----------
    path : str or path-like
        Where to write.
    overwrite : bool, optional
        Replace an existing file. Off by default, so that a learner's own answer file is
        never lost by accident.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    OSError
        If the file cannot be written; the message names ``path`` and the reason (its
        folder does not exist, it is a folder, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write_answers(pathlib.Path(tmp) / "reference.json")
    ...     print(written.name, written.stat().st_size > 0)
    reference.json True
    """
    import json_tricks

    path = Path(path)
    if _exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    answer = {
        key: [np.array(row) for row in value] if ANSWER_KEYS[key].run else value.copy()
        for key, value in reference_answers().items()
    }
    _replace_file(path, json_tricks.dumps(answer))
    return path


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; an OSError (a folder on the way that cannot be read) names
    ``path`` and says why, as a failed write does."""
    try:
        return path.exists() or path.is_symlink()  # a link to nothing is there too
    except OSError as error:
        raise type(error)(f"cannot write {path}: {_write_failure(path, error)}") from None


def _replace_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: to a file beside it, then renamed over
    it, so that an error on the way (or a kill) leaves the old file as it was.

    Only a regular file (or a new one) is replaced: a device, a pipe or a socket at ``path``
    (``/dev/null``, say) is left as it is. A symbolic link stays: the file it leads to is
    written (and made, for a link to nothing), as a shell's ``>`` does. An OSError says why
    ``path`` cannot be written, naming it and not the file beside it.
    """
    named = path
    if path.is_symlink():
        try:
            path = Path(os.path.realpath(path, strict=True))
        except FileNotFoundError:  # a link to nothing: its target is made
            path = Path(os.path.realpath(path))
        except OSError as error:  # ELOOP
            raise OSError(
                f"cannot write {named}: its symbolic links form a loop ({error.strerror})"
            ) from None
    if _exists(path) and not (path.is_file() or path.is_dir()):
        raise OSError(
            f"cannot write {path}: it is not a regular file (a device, a pipe or a socket); "
            "name a file"
        )
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException as error:
        tmp.unlink(missing_ok=True)  # never leave a half-written file behind
        if isinstance(error, OSError):
            via = f" (through the link {named})" if named != path else ""
            failure = _write_failure(path, error)
            raise type(error)(f"cannot write {path}{via}: {failure}") from None
        raise


def _write_failure(path: Path, error: OSError) -> str:
    """Why ``path`` could not be written, in the user's terms."""
    try:
        if path.is_dir():
            return "it is a folder"
        folder = path.parent
        if not folder.exists():
            return f"its folder {folder} does not exist"
        if not folder.is_dir():
            return f"{folder} is not a folder"
    except OSError:  # a folder on the way that cannot be looked into: the error says so
        pass
    return (error.strerror or str(error)).lower()


#: The key of an answer file that lists the keys an exercise has started on and not saved
#: yet (see :func:`~gdtutor.answers.start_exercise`); the checker fails those keys instead
#: of reporting them "not attempted".
UNFINISHED = "unfinished"
#: The key of an answer file that records, for each answer, the modification time that its
#: exercise script beside the file had when the run that saved it started (see
#: :func:`~gdtutor.answers.start_exercise`; when the answer was saved, for a run that did
#: not call it), so that the checker can tell a script edited since, whichever exercise
#: saved last. Both times are the file system's: no clock is compared with another.
SCRIPT_TIMES = "script_times"
#: The largest integer a time stamp may be (a float holds every integer up to it exactly).
_LARGEST_TIME = 2**53


def _saved_answers(path: Path) -> dict[str, Any]:
    """The answers already in ``path`` (none if it does not exist), or a LoadError that says
    what to do with a file that cannot be read."""
    from gdtutor.safeload import BadValue, LoadError, _blank, _read, _unmarked, loads_answers

    if not path.exists():
        return {}
    if path.is_file() and path.stat().st_size <= 64 and _blank(path.read_bytes()):
        # An empty file (or white space, or a byte-order mark alone), as an editor may leave
        # it: no answers yet, not a file to refuse.
        return {}
    try:
        data = _read(path)  # once: what is parsed below is what was checked
        answers = loads_answers(data, per_key=True)
    except LoadError as error:
        raise LoadError(
            f"{path} is not an answer file this exercise can add to ({error}); it was left as "
            f"it is: move it aside or delete it, then run the exercises again"
        ) from None
    bad = [key for key, value in answers.items() if isinstance(value, BadValue)]
    if bad:
        # A key that cannot be read (a tensor saved by other means, say) stays as the file
        # has it, for the checker to fail, until its exercise saves it again. The data were
        # read whole above, so their JSON is plain data here.
        raw = json.loads(_unmarked(data))
        answers.update({key: raw[key] for key in bad})
    return answers


def unfinished_keys(answers: Mapping[str, Any]) -> list[str] | None:
    """The keys listed under :data:`~gdtutor.answers.UNFINISHED` (none if the key is
    absent), or None if what is listed there is not a list of key names."""
    keys = answers.get(UNFINISHED, [])
    if not (isinstance(keys, list) and all(isinstance(key, str) for key in keys)):
        return None
    return keys


def script_times(answers: Mapping[str, Any]) -> dict[str, float] | None:
    """The modification time each answer's exercise script had when the run that saved it
    started, as the :data:`~gdtutor.answers.SCRIPT_TIMES` record of ``answers`` has it (none
    if the record is absent), or None if the record is not a mapping of key names to finite
    times."""
    times = answers.get(SCRIPT_TIMES, {})
    if not isinstance(times, dict):
        return None
    for key, when in times.items():
        if not isinstance(key, str):
            return None
        if not (
            (type(when) is float and math.isfinite(when))
            or (type(when) is int and abs(when) <= _LARGEST_TIME)
        ):
            return None
    return {key: float(when) for key, when in times.items()}


def _script_times_now(keys: Iterable[str], folder: Path) -> dict[str, float]:
    """The modification time of each key's exercise script in ``folder``, for the keys of the
    lessons whose script is there (a notebook's run, or a script run elsewhere, has none)."""
    times = {}
    for key in keys:
        if key in ANSWER_KEYS:
            try:
                times[key] = (folder / ANSWER_KEYS[key].exercise).stat().st_mtime
            except OSError:  # no such script there, or one that cannot be looked at
                continue
    return times


def start_exercise(keys: Iterable[str], path: str | os.PathLike[str] = ".answer.json") -> list[str]:
    """Take an exercise's keys out of the answer file, and list them as unfinished.

    An exercise's first cell calls this, and its last cell
    :func:`~gdtutor.answers.save_answers`: if a run stops on an error in between, the file
    holds neither the keys' old values (which would pass for the new run's) nor the new ones,
    and the checker reports the keys as started but not saved. The other keys in the file are
    kept. The time of the exercise's script beside the file is recorded for its keys
    (:data:`~gdtutor.answers.SCRIPT_TIMES`): an edit while the run goes on (its figure
    windows open) makes the answers it saves older than the script.

    Parameters
    ----------
    keys : iterable of str
        The keys the exercise saves.
    path : str or path-like, optional
        The answer file; created if missing.

    Returns
    -------
    list of str
        The keys whose saved answers were taken out (an earlier run's), so that the
        exercise can say so; empty on a first run.

    Raises
    ------
    gdtutor.safeload.LoadError
        If ``path`` exists but cannot be read as an answer file; it is left unchanged.
    TypeError, ValueError
        If ``keys`` is not a list of key names (one string is not), or names a key the file
        keeps for itself.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from gdtutor.safeload import load_answers
    >>> def answers_in(path):  # without the record of the scripts' times
    ...     return {k: v for k, v in load_answers(path).items() if k != SCRIPT_TIMES}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / ".answer.json"
    ...     _ = save_answers({"xy_grad": [1.0, 1.0], "X_grad": [[2.0]]}, path)
    ...     print(start_exercise(["X_grad"], path))
    ...     print(answers_in(path))
    ...     _ = save_answers({"X_grad": [[20.0]]}, path)
    ...     print(answers_in(path))
    ['X_grad']
    {'xy_grad': [1.0, 1.0], 'unfinished': ['X_grad']}
    {'xy_grad': [1.0, 1.0], 'X_grad': [[20.0]]}
    """
    path = Path(path)
    if isinstance(keys, str) or not isinstance(keys, Iterable):
        kind = f"one str, {keys!r}" if isinstance(keys, str) else type(keys).__name__
        raise TypeError(f"keys must be a list of answer keys, such as ['X_grad'], got {kind}")
    keys = list(keys)
    if not all(isinstance(key, str) for key in keys):
        raise TypeError(f"keys must be answer keys (strings), got {keys!r}")
    reserved = sorted({UNFINISHED, SCRIPT_TIMES} & set(keys))
    if reserved:
        raise ValueError(f"keys holds {reserved}, which the answer file keeps for itself")
    answers = _saved_answers(path)
    unfinished = list(dict.fromkeys([*(unfinished_keys(answers) or []), *keys]))
    kept = {key: value for key, value in answers.items() if key not in keys}
    times = {key: when for key, when in (script_times(answers) or {}).items() if key not in keys}
    times.update(_script_times_now(keys, path.parent))
    if times or SCRIPT_TIMES in answers:
        kept[SCRIPT_TIMES] = times
    _replace_file(path, _dumps({**kept, UNFINISHED: unfinished}))
    return [key for key in keys if key in answers]


def save_answers(answer: Mapping[str, Any], path: str | os.PathLike[str] = ".answer.json") -> Path:
    """Add ``answer`` to the answer file, keeping the other keys saved there.

    Non-finite values (a run that diverged) are saved as ``NaN`` and ``Infinity``, so that
    the checker can say so; the keys saved leave the file's list of unfinished keys (see
    :func:`~gdtutor.answers.start_exercise`), and the file records the time their exercise
    script beside it had when their run started (:data:`~gdtutor.answers.SCRIPT_TIMES`).
    The file is replaced whole or not at all.
    A key of ``answer``'s lessons that ``answer`` lacks is warned about.

    Parameters
    ----------
    answer : Mapping
        Answer keys and their values (arrays, lists of arrays, numbers); a torch tensor is
        saved as its numbers.
    path : str or path-like, optional
        The answer file; created if missing.

    Returns
    -------
    pathlib.Path
        The answer file's absolute path, for a message that says where the answers went
        (a script may run in another folder than the learner's).

    Raises
    ------
    gdtutor.safeload.LoadError
        If ``path`` exists but cannot be read as an answer file; it is left unchanged.
    TypeError
        If a value holds something else than numbers, strings and None (a function, a
        complex number, ...), in arrays, lists or dicts, or lists or dicts nested deeper
        than the checker reads; the message says where, and the file is left unchanged.
    ValueError
        If ``answer`` has the key :data:`~gdtutor.answers.SCRIPT_TIMES` or
        :data:`~gdtutor.answers.UNFINISHED`, which the file keeps for itself, or the file
        would be larger than the checker reads (:data:`~gdtutor.safeload.MAX_BYTES`) or one
        it would refuse as a whole; the file is left unchanged.
    OSError
        If the file cannot be written; the message names ``path`` and the reason.

    Warns
    -----
    UserWarning
        If ``answer`` lacks a key of a lesson whose other keys it holds (in a notebook, a
        cell run again that starts ``answer = {}`` afresh): the checker then reports that
        key as missing if the exercise started it or it is required and was never saved,
        as not attempted if it is optional and was never saved, or checks the value an
        earlier run saved.
    """
    path = Path(path)
    if not isinstance(answer, Mapping):
        raise TypeError(
            "answer must be a dict of answer keys and their values, such as "
            f"{{'X_grad': X.grad.numpy()}}, got {type(answer).__name__}"
        )
    answer = _plain(answer, "answer")
    for key, what in ((SCRIPT_TIMES, "the times of the exercise scripts"),
                      (UNFINISHED, "the keys an exercise started and did not save")):  # fmt: skip
        if key in answer:
            raise ValueError(
                f"answer has the key {key!r}, which the answer file keeps for itself ({what}); "
                "name that answer otherwise"
            )
    saved = _saved_answers(path)
    answers = {**saved, **answer}
    unfinished = [key for key in unfinished_keys(answers) or [] if key not in answer]
    started = set(unfinished_keys(saved) or [])
    answers.pop(UNFINISHED, None)
    answers.pop(SCRIPT_TIMES, None)
    # A key saved now keeps the time its run started with (start_exercise), else takes its
    # script's time now; the other answers, and the keys still unfinished, keep theirs.
    times = {
        key: when
        for key, when in (script_times(saved) or {}).items()
        if (key in answers or key in unfinished) and (key not in answer or key in started)
    }
    times.update(_script_times_now([key for key in answer if key not in times], path.parent))
    if unfinished:
        answers[UNFINISHED] = unfinished
    answers[SCRIPT_TIMES] = times
    text = _dumps(answers)
    _check_size(text, answers, path)
    _check_readable(text, path)
    _replace_file(path, text)
    _warn_if_left(answer, [key for key in saved if key not in unfinished], unfinished)
    return path.absolute()


def _plain(value: Any, where: str, depth: int = 0, key: str = "") -> Any:
    """``value`` as an answer file holds it: a torch tensor becomes a numpy array of its
    numbers (json_tricks would write a tensor as an empty object), in float32 if numpy has
    no dtype of its own (bfloat16); an array in the other byte order, in the machine's; a
    float wider than float64 becomes float64. Anything but numbers, arrays of numbers (of
    the dtypes the checker reads), strings, None and lists or dicts (with string keys) of
    them is refused with a TypeError naming where it is, before the file is touched."""
    from gdtutor.safeload import _DUNDER, _MAX_DEPTH, NUMERIC_DTYPES

    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        value = _tensor_numbers(value, where)
    if isinstance(value, int) and value.bit_length() > 1024:
        _refuse(where, "an integer over 2**1024")
    if value is None or isinstance(value, (bool, int, float, str, np.bool_)):
        return value
    if isinstance(value, np.ma.MaskedArray):
        if np.ma.is_masked(value):
            _refuse(where, "a masked array with masked entries (saved, they would be null)")
        value = value.data
    if isinstance(value, (np.number, np.ndarray)) and value.dtype.kind in "biuf":
        # In the machine's byte order, as the checker reads arrays; float64 holds every value
        # the answers take (json_tricks cannot write longdouble).
        native = value.dtype.newbyteorder("=")
        wide = native.kind == "f" and native.itemsize > 8
        value = value.astype(np.float64 if wide else native, copy=False)
        if value.dtype.name in NUMERIC_DTYPES:
            return value
    if isinstance(value, (list, tuple, Mapping)) and depth >= _MAX_DEPTH:
        # Deeper than the checker reads (a list that holds itself, say): refused here, before
        # Python's recursion limit. The answer itself is depth 0 here and the file's first
        # level: a container at this depth would be the file's level _MAX_DEPTH + 1.
        raise TypeError(
            f"{key or where} holds lists or dicts nested too deeply, which an answer file "
            f"cannot hold: the checker reads {_MAX_DEPTH} levels (a list that holds itself "
            "has no end)"
        )
    if isinstance(value, (list, tuple)):
        return [
            _plain(item, f"{where}[{i}]", depth + 1, key if depth else f"{where}[{i}]")
            for i, item in enumerate(value)
        ]
    if isinstance(value, Mapping):
        for name in value:
            if not isinstance(name, str) or _DUNDER.match(name):
                _refuse_key(where, name)
        return {
            name: _plain(
                item, f"{where}[{name!r}]", depth + 1, key if depth else f"{where}[{name!r}]"
            )
            for name, item in value.items()
        }
    what = f"an array of {value.dtype}" if isinstance(value, np.ndarray) else None
    _refuse(where, what or f"a {type(value).__name__!r} value")


def _tensor_numbers(tensor: torch.Tensor, where: str) -> np.ndarray:
    """A tensor's numbers as a numpy array; a TypeError naming ``where`` if it has none."""
    import torch

    if tensor.is_complex():
        _refuse(where, f"a tensor of {str(tensor.dtype).removeprefix('torch.')}")
    try:
        numbers = tensor.detach().cpu().resolve_conj().resolve_neg()
        if numbers.layout != torch.strided:
            numbers = numbers.to_dense()
        if numbers.is_floating_point() and numbers.dtype not in (
            torch.float16, torch.float32, torch.float64
        ):  # fmt: skip
            numbers = numbers.to(torch.float32)  # bfloat16, float8: numpy has no such dtype
        return numbers.numpy().copy()
    except (TypeError, RuntimeError, NotImplementedError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        _refuse(where, f"a tensor whose numbers cannot be read ({first})")


class _Refused(TypeError):
    """A value that an answer file cannot hold; ``what`` says what it holds."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(
            f"{where} holds {what}, which an answer file cannot hold: save numbers, arrays of "
            "numbers or lists of them (a tensor's numbers are tensor.detach().numpy(); one "
            "number is tensor.item())"
        )
        self.what = what


def _refuse(where: str, what: str) -> NoReturn:
    raise _Refused(where, what)


def _refuse_key(where: str, key: Any) -> NoReturn:
    if isinstance(key, str):  # "__set__": the checker would read it as json_tricks's object
        raise TypeError(
            f"{where} has the key {key!r}, named as json_tricks names its objects, which an "
            "answer file cannot hold: rename it"
        )
    raise TypeError(f"{where} has the key {key!r}: the keys of an answer file are strings")


def _warn_if_left(answer: Mapping[str, Any], kept: list[str], unfinished: list[str]) -> None:
    """Warn of the keys of ``answer``'s lessons that it lacks: checked as an earlier run left
    them (those in ``kept``, saved before and not started again), else missing for the
    checker (started, or required), or not attempted (optional)."""
    lessons = {ANSWER_KEYS[key].lesson for key in answer if key in ANSWER_KEYS}
    left = [key for key, of in ANSWER_KEYS.items() if of.lesson in lessons and key not in answer]
    if not left:
        return
    numbers = sorted({ANSWER_KEYS[key].lesson for key in left})
    whose = (
        f"lesson {numbers[0]}'s exercise"
        if len(numbers) == 1
        else f"the exercises of lessons {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"
    )
    old = [key for key in left if key in kept]
    missing = [k for k in left if k not in kept and (k in unfinished or ANSWER_KEYS[k].required)]
    optional = [key for key in left if key not in kept and key not in missing]
    said = []
    if missing:
        said.append(f"{', '.join(missing)}: not saved, the checker reports them as missing")
    if optional:
        said.append(f"{', '.join(optional)}: not saved, the checker reports them as not attempted")
    if old:
        said.append(
            f"{', '.join(old)}: the answer file keeps what an earlier run saved for them, "
            "which the checker checks"
        )
    warnings.warn(
        f"answer lacks keys of {whose}, {'; '.join(said)}. Run the exercise again from its "
        "first cell to its last (in a notebook, a cell run again can start answer = {} "
        "afresh)",
        stacklevel=3,  # the line that called save_answers
    )


def _check_size(text: str, answers: Mapping[str, Any], path: Path) -> None:
    """Refuse to write an answer file larger than the checker reads, naming its largest
    answers: the file, left as it was, keeps the other lessons' answers."""
    from gdtutor.safeload import MAX_BYTES, _size, _too_big

    size = len(text.encode("utf-8"))
    if size <= MAX_BYTES:
        return
    sizes = sorted(
        ((len(_dumps({key: value})), key) for key, value in answers.items() if key != SCRIPT_TIMES),
        reverse=True,
    )
    largest = ", ".join(f"{key!r} ({_size(n)})" for n, key in sizes[:3])
    raise ValueError(
        f"cannot save to {path}: {_too_big(size).replace('the file is', 'it would be')} of "
        f"the checker; its largest answers: {largest}. The file is left as it was: "
        "save the lesson's runs, of the lesson's length (the history of a much longer run "
        "does not fit)"
    )


def _check_readable(text: str, path: Path) -> None:
    """Refuse to write a file that the checker would refuse as a whole (nested too deeply,
    say): the file, left as it was, keeps the other lessons' answers."""
    from gdtutor.safeload import LoadError, loads_answers

    try:
        loads_answers(text.encode("utf-8"), per_key=True)  # a key's problem is not the file's
    except LoadError as error:
        raise ValueError(
            f"cannot save to {path}: the checker would not read the file ({error}). The file "
            "is left as it was"
        ) from None


def _dumps(answers: Mapping[str, Any]) -> str:
    import json_tricks

    return str(json_tricks.dumps(dict(answers), allow_nan=True))
