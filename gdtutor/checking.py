r"""Compare a learner's answer file with the reference answers, key by key.

Each key of :data:`gdtutor.answers.ANSWER_KEYS` gets a verdict: ``"pass"``, ``"fail"``,
``"missing"``, ``"not attempted"``, ``"wrong shape"`` or ``"not numeric"``; keys that the
reference does not have are listed as ``"extra"``. A key that only this site's exercises
write (not the course notebook) is "not attempted" when absent, which does not count
against the learner; every other verdict but ``"pass"`` and ``"extra"`` does. Each row
names the lesson, and the exercise file, that writes its key. A value that
:func:`~gdtutor.safeload.load_answers` did not read (with ``per_key=True``: a malformed numpy
array, a refused json_tricks object) gets the loader's verdict and reason, in an extra key
too, which then counts against the file.

**Tolerances.** An entry :math:`\ell_i` of the learner's array passes against the reference
:math:`r_i` when

.. math:: |\ell_i - r_i| \le \mathrm{ATOL} \cdot \max_j |r_j| + \mathrm{RTOL} \cdot |r_i|

with :data:`~gdtutor.checking.ATOL` :math:`= 10^{-5}` and :data:`~gdtutor.checking.RTOL`
:math:`= 10^{-4}`. The absolute part is scaled by the key's largest reference value because
the histories shrink towards the minimizer at 0, where a relative test would demand more
digits than float32 has (the scale leaves out infinite reference values; where the
reference is infinite or nan, only the same value passes). Arithmetic that differs from the
notebook's only in rounding stays below :math:`3 \cdot 10^{-7}` of that scale over 500
steps: plain arithmetic instead of matrix products, ``x -= lr * x.grad`` under
``torch.no_grad()`` instead of ``x.data``, or a whole run in float64. Real mistakes are far
above it: a learning rate off by only 1 % is already :math:`3 \cdot 10^{-3}` of the scale
away.

The table reports the largest absolute error and the largest relative error
:math:`|\ell_i - r_i| / |r_i|` over the entries with :math:`r_i \ne 0`; near 0 the relative
error can be large while the absolute test passes.

**Hints.** When a history fails, it is compared with the same run done wrong in a known way:
recorded before instead of after the step (or the reverse), a point that never moved from
the start, a learning rate ten times too large or too small (for AdamW also a hundred times
too small, or SGD's), gradients that were never zeroed, a hand-written step with the wrong
sign, Adam in place of AdamW, or SGD with momentum; a gradient that is a multiple of the
reference was accumulated over several ``backward()`` calls; lesson 2's and lesson 3's
functions without their factor 10, lesson 2's with ``.mean()`` for ``.sum()``, and a
gradient zeroed before it was saved, are named; so is a hand-written step in lesson 4 along
``20 G v`` (or ``20 Gᵀ v``), the gradient only of a symmetric matrix's quadratic. A history
of the wrong length says how many steps are missing or extra, one that turns to ``inf``,
``nan`` or values a million times the reference's largest is a run that diverged, a gradient
with ``inf`` or ``nan`` where the reference is finite says where, any other failing key says
where it is first off, and a passing history computed in float64 says so. A key that an
exercise started and did not save (listed under :data:`~gdtutor.answers.UNFINISHED`) is
missing, even an optional one; the record of the answers' exercise scripts' times
(:data:`~gdtutor.answers.SCRIPT_TIMES`) is not a key. Only the search for causes imports
torch: checking a file that passes does not.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import numbers
import os
import re
import sys
import textwrap
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from gdtutor.answers import (
    _RECORDED_AFTER,
    ANSWER_KEYS,
    NOTEBOOK_START,
    SCRIPT_TIMES,
    UNFINISHED,
    reference_answers,
    script_times,
    unfinished_keys,
)
from gdtutor.safeload import BadValue, _huge

__all__ = [
    "ATOL",
    "RTOL",
    "CheckResult",
    "KeyCheck",
    "Verdict",
    "abs_errors",
    "check_answers",
    "format_report",
    "format_summary",
    "is_close",
    "summary_row",
]

#: Absolute tolerance, as a fraction of the key's largest reference magnitude.
ATOL: float = 1e-5
#: Relative tolerance.
RTOL: float = 1e-4

#: A key's verdict: "pass", "fail", "missing" (a key of the course notebook that the file
#: lacks, or a key of this site's exercises whose exercise started and did not save it),
#: "not attempted" (a key of this site's exercises whose exercise never ran), "wrong shape",
#: "not numeric", or "extra" (a key of no lesson).
Verdict = Literal["pass", "fail", "missing", "not attempted", "wrong shape", "not numeric", "extra"]
_FAILING = frozenset({"fail", "missing", "wrong shape", "not numeric"})
#: The order of the verdicts in a summary line.
_ORDER: tuple[Verdict, ...] = (
    "fail",
    "wrong shape",
    "not numeric",
    "missing",
    "not attempted",
    "extra",
)
_HISTORY = re.compile(r"(var|fn)_history_\w+")


def abs_errors(got: ArrayLike, want: ArrayLike) -> tuple[np.ndarray, float]:
    """Elementwise ``|got - want|`` (equal non-finite entries count as 0), and the scale
    ``max |want|`` over the finite entries of ``want``.

    Examples
    --------
    >>> error, scale = abs_errors(np.array([1.0, np.nan]), np.array([1.5, np.nan]))
    >>> print(error, scale)
    [0.5 0. ] 1.5
    """
    got, want = _arrays(got, want)
    if got.shape != want.shape:
        raise ValueError(f"got and want must have one shape, got {got.shape} and {want.shape}")
    ref = _Reference(want)
    with np.errstate(invalid="ignore", over="ignore"):
        return ref.errors(got), float(ref.scale)


def _tensor_read(value: Any, where: str) -> Any:
    """A torch tensor's numbers, read as save_answers reads them (a TypeError for a tensor
    with none to read); any other value as it is."""
    torch = sys.modules.get("torch")  # a tensor can only come from a program that has torch
    if torch is not None and isinstance(value, torch.Tensor):
        from gdtutor.answers import _tensor_numbers

        return _tensor_numbers(value, where)
    return value


def _arrays(got: Any, want: Any) -> tuple[np.ndarray, np.ndarray]:
    """``got`` and ``want`` as arrays of real numbers (a TypeError naming the one that is
    not)."""
    arrays = []
    for name, value in (("got", got), ("want", want)):
        array = np.asarray(_tensor_read(value, name))
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be real numbers, got an array of {array.dtype}")
        arrays.append(array)
    return arrays[0], arrays[1]


class _Reference:
    """What comparing with one reference array needs, computed once for it.

    ``scale`` is ``max |want|`` over its finite entries unless given (an array of one
    scale per entry, for several keys' references end to end).

    Its methods leave numpy's floating-point warnings to the caller (the comparisons
    subtract infinities and nans on purpose).
    """

    def __init__(self, want: np.ndarray, scale: float | np.ndarray | None = None) -> None:
        self.original = want
        self.want = want.astype(np.float64)
        self.magnitude = np.abs(self.want)
        finite = np.isfinite(self.magnitude)
        if scale is None:
            scale = float(self.magnitude[finite].max()) if finite.any() else 0.0
        self.scale = scale
        self.finite = finite
        self.nan = np.isnan(self.want)
        self.any_nan = bool(self.nan.any())
        self.tolerance = self._tolerance(ATOL, RTOL)
        self.nonzero = self.want != 0
        self.divisor = self.magnitude[self.nonzero]

    def _tolerance(self, atol: float, rtol: float) -> np.ndarray:
        # Where the reference is not finite only the same value passes (an error of 0).
        return np.where(self.finite, atol * self.scale + rtol * self.magnitude, 0.0)

    def errors(self, got: np.ndarray) -> np.ndarray:
        """Elementwise ``|got - want|``, 0 where both are equal (infinities) or both nan."""
        got = got.astype(np.float64)
        same = got == self.want
        if self.any_nan:
            same |= np.isnan(got) & self.nan
        return np.where(same, 0.0, np.abs(got - self.want))

    def close(self, error: np.ndarray, atol: float = ATOL, rtol: float = RTOL) -> bool:
        """Whether errors from :meth:`errors` are within the tolerance everywhere."""
        tolerance = self.tolerance
        if (atol, rtol) != (ATOL, RTOL):
            tolerance = self._tolerance(atol, rtol)
        return bool((error <= tolerance).all())  # an error of nan fails


def is_close(got: ArrayLike, want: ArrayLike, *, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """``|got - want| <= atol * scale + rtol * |want|`` everywhere, for equal shapes, where
    ``scale`` is the largest ``|want|`` among its finite entries (0 if there is none).

    Examples
    --------
    >>> is_close(np.array([100.0, 1e-6]), np.array([100.0, 0.0]))
    True
    >>> is_close(np.array([101.0, 0.0]), np.array([100.0, 0.0]))
    False
    """
    for name, value in (("atol", atol), ("rtol", rtol)):
        number = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (number and abs(value) <= _FLOAT64_MAX and value >= 0):  # not nan, not inf
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    got, want = _arrays(got, want)
    if got.shape != want.shape:
        return False
    ref = _Reference(want)
    with np.errstate(invalid="ignore", over="ignore"):
        return ref.close(ref.errors(got), atol, rtol)


@dataclass(frozen=True)
class KeyCheck:
    """The verdict on one key.

    Attributes
    ----------
    key : str
        The answer key.
    verdict : {"pass", "fail", "missing", "not attempted", "wrong shape", "not numeric", \
"extra"}
        What the comparison found.
    max_abs_error, max_rel_error : float or None
        The largest absolute and relative errors, where the shapes allowed a comparison.
    hint : str
        The known cause of the error, what to do about a missing key, or a note on a passing
        key; empty if none.
    shape, expected_shape : tuple of int or None
        The learner's and the reference's array shapes, where they exist.
    stopped : bool
        True for a missing key whose exercise started it and did not save it (the run
        stopped before its end, say).
    """

    key: str
    verdict: Verdict
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    hint: str = ""
    shape: tuple[int, ...] | None = None
    expected_shape: tuple[int, ...] | None = None
    stopped: bool = False

    @property
    def lesson(self) -> int | None:
        """The lesson whose exercise writes this key (``None`` for an extra key)."""
        info = ANSWER_KEYS.get(self.key)
        return info.lesson if info else None

    @property
    def failed(self) -> bool:
        """True if this key counts against the learner."""
        return self.verdict in _FAILING


@dataclass(frozen=True)
class CheckResult:
    """All verdicts on one answer file: a row per reference key, then the extra keys."""

    rows: tuple[KeyCheck, ...]

    @property
    def passed(self) -> bool:
        """True if no key failed, is missing or has the wrong shape or type."""
        return not any(row.failed for row in self.rows)

    def __getitem__(self, key: str) -> KeyCheck:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def failed_lessons(self) -> list[int]:
        """The lessons with at least one key that counts against the learner, in order."""
        return _lessons(row for row in self.rows if row.failed)

    def summary(self) -> str:
        """One line counting the verdicts, each count that counts against the learner with
        its lessons, e.g. ``'7 of 10 keys pass; 2 fail (lesson 3), 1 missing (lesson 2)'``."""
        checked = _checked(self.rows)
        # In one order for every file, that of a class summary's columns: the wrong keys,
        # then the missing ones, the ones not attempted, and the extra ones.
        rows_by_verdict: dict[str, list[KeyCheck]] = {verdict: [] for verdict in _ORDER}
        for row in self.rows:
            if row.verdict != "pass":
                rows_by_verdict[row.verdict].append(row)
        counts = []
        for verdict, rows in rows_by_verdict.items():
            if not rows:
                continue
            places = []
            if verdict in _FAILING:
                # Where: the lessons, and keys of no lesson (an extra key that was not read).
                if lessons := _lessons(rows):
                    places.append(
                        f"lesson{'s' * (len(lessons) > 1)} {', '.join(map(str, lessons))}"
                    )
                if extra := sum(not row.lesson for row in rows):
                    places.append("an extra key" if extra == 1 else f"{extra} extra keys")
            where = f" ({'; '.join(places)})" if places else ""
            counts.append(f"{len(rows)} {verdict}{where}")
        passed = sum(row.verdict == "pass" for row in checked)
        others = "; " + ", ".join(counts) if counts else ""
        return f"{passed} of {len(checked)} keys pass{others}"


def _lessons(rows: Iterable[KeyCheck]) -> list[int]:
    return sorted({row.lesson for row in rows if row.lesson})


def _checked(rows: Iterable[KeyCheck]) -> list[KeyCheck]:
    """The rows of the reference's keys: not those of the extra keys, even one that fails
    because its value could not be read."""
    return [row for row in rows if row.verdict != "extra" and row.key in ANSWER_KEYS]


def _as_array(value: Any, key: str = "") -> np.ndarray | tuple[Verdict, str]:
    """The value as a numeric array, or ``(verdict, reason)`` when it is not one (``key``
    names it in the reason)."""
    if isinstance(value, BadValue):  # the loader's verdict on a value it could not read
        return value.verdict, value.reason
    try:
        value = _tensor_read(value, "")
    except TypeError as error:  # save_answers' refusal: complex, or on the meta device
        return "not numeric", f"holds {error.what}" if hasattr(error, "what") else str(error)
    try:
        array = np.asarray(value)
    except ValueError:
        return "wrong shape", "ragged: its entries have different shapes"
    except (TypeError, RuntimeError):  # tensors in a list: one that requires grad, say
        return "not numeric", "holds tensors: save their numbers, tensor.detach().numpy()"
    if isinstance(value, list) and (odd := _first_non_number(value)):
        # numpy would read true as 1.0 among numbers: each entry is looked at, and the first
        # that is not a number is named with its place
        at, item = odd
        place = f"{key}{_index(at)}" if key else f"entry {_index(at)}"
        return "not numeric", f"holds {_kind_of(item)} at {place}, expected numbers"
    if array.dtype.kind == "O":
        numbers = _python_numbers(array, key)
        if isinstance(numbers, tuple):
            return numbers
        array = numbers
    if array.dtype.kind not in "iuf":
        if array.dtype.kind == "c":
            return "not numeric", "holds complex numbers, expected real numbers"
        kinds = {"U": "text", "S": "text", "b": "true/false values"}
        return (
            "not numeric",
            f"holds {kinds.get(array.dtype.kind, 'non-numbers')}, expected numbers",
        )
    return array


#: The types of the entries of a list that are numbers (a bool is not one, here).
_NUMBER_TYPES = frozenset(
    {int, float, *(np.dtype(c).type for c in np.typecodes["AllInteger"] + np.typecodes["Float"])}
)
_is_number = np.frompyfunc(
    lambda entry: (
        type(entry) in _NUMBER_TYPES
        or (isinstance(entry, np.ndarray) and entry.dtype.kind in "iuf")
    ),  # a 0-d array, say
    1,
    1,
)


def _first_non_number(value: list[Any]) -> tuple[tuple[int, ...], Any] | None:
    """The place and the entry of the first entry of nested lists (of the same lengths) that
    is not a number, in order; None if all are numbers, or if the lists are ragged (which is
    reported as such)."""
    try:
        entries = np.asarray(value, dtype=object)
    except ValueError:
        return None
    if entries.size == 0:
        return None
    numbers = _is_number(entries).astype(bool)
    if numbers.all():
        return None
    at = tuple(int(i) for i in np.unravel_index(int(np.argmin(numbers)), numbers.shape))
    return at, entries[at]


def _kind_of(item: Any) -> str:
    """What an entry that is not a number is, in JSON's words."""
    if isinstance(item, np.ndarray):
        item = item.flat[0] if item.size else None
        if item is None:
            return "an empty array of non-numbers"
    if isinstance(item, bool | np.bool_):
        return f"a true/false value ({str(bool(item)).lower()})"
    if item is None:
        return "null"
    if isinstance(item, str | np.str_ | bytes):
        return f"text ({_shown(repr(str(item))[:40])})"
    if isinstance(item, dict):
        return "an object"
    if isinstance(item, BadValue):
        return f"a value not read ({item.reason})"
    name = type(item).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


_FLOAT64_MAX = float(np.finfo(np.float64).max)


def _index(at: Iterable[Any]) -> str:
    """An entry's place, as a key's name is followed by it: ``"[300, 1]"``."""
    return f"[{', '.join(str(int(i)) for i in at)}]"


def _python_numbers(array: np.ndarray, key: str) -> np.ndarray | tuple[Verdict, str]:
    """An array of Python objects as float64 where they are all numbers (integers beyond
    int64 make numpy keep them as objects), or ``("fail", reason)`` for an integer too large
    for a float64; anything else unchanged."""
    items = array.ravel().tolist() if array.ndim else [array.item()]
    if not all(type(item) in (int, float, bool) for item in items):
        return array
    try:
        return array.astype(np.float64)
    except OverflowError:
        huge = [type(item) is int and abs(item) > _FLOAT64_MAX for item in items]
        if True not in huge:
            return array
        at = huge.index(True)
        first = np.unravel_index(at, array.shape)
        place = f"{key}{_index(first)}" if array.ndim else key
        return "fail", f"{place or 'a value'} is {_huge(items[at])}"


def _shape_hint(key: str, got: np.ndarray, want: np.ndarray) -> str:
    if got.size == want.size and is_close(got.reshape(want.shape), want):
        return f"shape {got.shape} instead of {want.shape}, with the right numbers"
    if _HISTORY.fullmatch(key) and got.ndim == want.ndim and got.shape[1:] == want.shape[1:]:
        n, m = len(got), len(want)
        steps = "step" if abs(n - m) == 1 else "steps"
        return f"{n} entries instead of {m}: {abs(n - m)} {steps} {'missing' if n < m else 'extra'}"
    return f"shape {got.shape} instead of {want.shape}"


def _cause(key: str, got: np.ndarray, want: np.ndarray) -> str:
    """The known cause of a failing key, or ``""``."""
    if not _HISTORY.fullmatch(key):
        for k in (2, 3, 4):
            if is_close(got, k * want):
                return f"{k} times the reference: backward() ran {k} times and accumulated"
        if key == "X_grad" and is_close(got, want / 10):
            return "a tenth of the reference: the factor 10 of f is missing"
        if key == "X_grad" and is_close(got, want / want.size):
            return (
                f"1/{want.size} of the reference: f takes the mean of the squares (.mean()), "
                "not their sum (.sum())"
            )
        if np.all(got == 0) and np.any(want != 0):
            return (
                "every entry is 0: the gradient was zeroed (.grad.zero_()) after backward() "
                "and before it was saved"
            )
        return ""
    if key.startswith("var_history") and len(got) > 1 and np.all(got == got[-1]):
        if not np.allclose(got[-1], NOTEBOOK_START):  # a point that never moved: below
            return (
                "every entry is the same point, the run's last: the history holds x itself "
                "(or x.detach(), or its .numpy()), which the steps go on changing, not a copy "
                "taken at each step: append x.detach().numpy().copy()"
            )
    from gdtutor._diagnose import candidates  # imports torch: only for a failing history

    run = ANSWER_KEYS[key].run
    assert run is not None  # every history records a run
    for text, candidate in candidates(run, key.split("_", 1)[0], got):
        if is_close(got, candidate):
            return text
    return ""


def _check_key(key: str, value: Any, ref: _Reference) -> KeyCheck:
    want = ref.original
    got = _as_array(value, key)
    if isinstance(got, tuple):
        return KeyCheck(key, got[0], hint=got[1], expected_shape=want.shape)
    shapes: dict[str, Any] = {"shape": got.shape, "expected_shape": want.shape}
    if got.shape != want.shape:
        return KeyCheck(key, "wrong shape", hint=_shape_hint(key, got, want), **shapes)
    with np.errstate(invalid="ignore", over="ignore"):
        error = ref.errors(got)
        close = ref.close(error)
        rel = error[ref.nonzero] / ref.divisor
    abs_max = float(error.max()) if error.size else 0.0
    rel_max = float(rel.max()) if rel.size else None
    if not close:
        hint = _cause(key, got, want) or _where(key, got, error, ref)
        return KeyCheck(key, "fail", abs_max, rel_max, hint, **shapes)
    return KeyCheck(key, "pass", abs_max, rel_max, _passing_hint(got), **shapes)


#: A history value this many times the reference's largest is taken as a run that diverged.
_HUGE = 1e6


def _where(key: str, got: np.ndarray, error: np.ndarray, ref: _Reference) -> str:
    """Where a failing key with no known cause first leaves the tolerance, in Python's
    indexing (``var_history_2[1]``, ``X_grad[1, 2]``); for a history that turns to ``inf``,
    ``nan`` or values a million times the reference's largest, that the run diverged; for
    another key with ``inf`` or ``nan`` where the reference is finite, where that is."""
    history = _HISTORY.fullmatch(key) is not None
    # inf or nan where the reference is finite; in a history, huge values too.
    bound = _HUGE * ref.scale if history else np.inf
    with np.errstate(invalid="ignore"):
        values = np.abs(got.astype(np.float64))
        blown = ~(np.isfinite(values) & (values <= bound)) & ref.finite
    if blown.any():
        first = np.argwhere(blown)[0]
        # Entry 0 of a value history is the value at the start, and of a hand-written run's
        # point history the start itself (they record each point before its step).
        if history and first[0] == 0 and key.startswith("fn_history"):
            return (
                "inf, nan or a value over a million times the reference's largest at "
                f"{key}[0], the value at the start, before any step: the function, or the "
                "point it starts from, is wrong there (no learning rate has acted yet)"
            )
        if history and first[0] == 0 and ANSWER_KEYS[key].run not in _RECORDED_AFTER:
            return (
                "inf, nan or a value over a million times the reference's largest at "
                f"{key}[0], the start point, before any step: the run starts from a point "
                f"that is not {_entry(np.array(NOTEBOOK_START))}"
            )
        if history:
            return (
                "inf, nan or values over a million times the reference's largest, first at "
                f"{key}[{int(first[0])}]: the run diverged (a learning rate too large, a step "
                "uphill, or a function whose value or gradient is not finite on the way)"
            )
        place = f" at {key}{_index(first)}" if got.ndim else ""
        return f"inf or nan{place}, where the reference is a finite number"
    off = ~(error <= ref.tolerance)  # an error of nan is off too
    if not off.any() or got.ndim == 0:
        return ""
    # A history counts its entries (one per step), an array its elements.
    entries = off.reshape(len(got), -1).any(axis=1) if history else off.ravel()
    at = tuple(int(i) for i in np.argwhere(off)[0][: 1 if history else None])
    where = ", ".join(map(str, at))
    shown = f"yours {_entry(got[at])}, the reference's {_entry(ref.original[at])}"
    count = f"{int(entries.sum())} of {entries.size} entries outside the tolerance"
    return f"first off at {key}[{where}]: {shown} ({count})"


def _entry(value: np.ndarray) -> str:
    """An entry of an answer as a hint shows it: a number, or a point's numbers, to 6 digits."""
    numbers = [f"{float(x):.6g}" for x in np.ravel(value)]
    return numbers[0] if np.ndim(value) == 0 else f"({', '.join(numbers)})"


def _passing_hint(got: np.ndarray, in_float32: bool | None = None) -> str:
    """The note on a passing key: float64 values that float32 does not hold exactly.

    ``in_float32`` is whether it does, where the caller has computed it already.
    """
    if got.dtype != np.float64:
        return ""
    if in_float32 is None:
        with np.errstate(over="ignore"):  # beyond float32's range: inf, and not equal
            in_float32 = np.array_equal(got.astype(np.float32), got)
    return (
        "" if in_float32 else "float64 values: the course's x is float32 (passes within tolerance)"
    )


@functools.cache
def _references() -> dict[str, _Reference]:
    return {key: _Reference(want) for key, want in reference_answers().items()}


class _Joined:
    """Every reference key end to end in one vector, each entry with its key's tolerance.

    A file that has every key, each a numeric array of the reference's shape, is compared
    with one set of numpy calls over all its keys instead of one set per key, with the same
    arithmetic: a teacher's class of files is mostly such files. Its failing keys are then
    checked one by one, for their hints.
    """

    def __init__(self, references: dict[str, _Reference]) -> None:
        self.references = references
        sizes = [ref.original.size for ref in references.values()]
        assert min(sizes) > 0  # reduceat needs no empty key
        self.starts = np.cumsum([0, *sizes[:-1]])
        scales = np.repeat([ref.scale for ref in references.values()], sizes)
        wants = [ref.want.ravel() for ref in references.values()]
        self.vector = _Reference(np.concatenate(wants), scale=scales)
        self.any_nonzero = [bool(ref.nonzero.any()) for ref in references.values()]

    def rows(self, learner: Mapping[str, Any]) -> list[KeyCheck] | None:
        """The rows of :func:`check_answers` for the reference keys, or None for a file
        this path does not take."""
        gots = []
        for key, ref in self.references.items():
            if key not in learner:
                return None
            got = _as_array(learner[key], key)
            if isinstance(got, tuple) or got.shape != ref.original.shape:
                return None
            gots.append(got)
        flat = np.concatenate([got.ravel() for got in gots], dtype=np.float64)
        vector, starts = self.vector, self.starts
        with np.errstate(invalid="ignore", over="ignore"):
            error = vector.errors(flat)
            close = np.logical_and.reduceat(error <= vector.tolerance, starts)
            abs_max = np.maximum.reduceat(error, starts)
            rel = np.divide(error, vector.magnitude, out=np.zeros_like(error), where=vector.nonzero)
            rel_max = np.maximum.reduceat(rel, starts)
            in_float32 = np.logical_and.reduceat(flat.astype(np.float32) == flat, starts)
        rows = []
        for i, (key, ref) in enumerate(self.references.items()):
            got = gots[i]
            if not close[i]:
                rows.append(_check_key(key, got, ref))
                continue
            relative = float(rel_max[i]) if self.any_nonzero[i] else None
            hint = _passing_hint(got, bool(in_float32[i]))
            shape, expected = got.shape, ref.original.shape
            rows.append(KeyCheck(key, "pass", float(abs_max[i]), relative, hint, shape, expected))
        return rows


@functools.cache
def _joined() -> _Joined:
    return _Joined(_references())


def _absent(key: str, unfinished: frozenset[str] = frozenset()) -> KeyCheck:
    info = ANSWER_KEYS[key]
    run = f"run {info.exercise} (lesson {info.lesson}; or its .ipynb) to the end to save it"
    if key in unfinished:
        started = (
            f"{info.exercise} (lesson {info.lesson}; or its .ipynb) started it and did not save it"
        )
        again = "run it again, from its first cell to its last"
        return KeyCheck(key, "missing", hint=f"{started}: {again}", stopped=True)
    if info.required:
        return KeyCheck(key, "missing", hint=run)
    stopped = "a run that stopped on an error saved nothing"
    return KeyCheck(key, "not attempted", hint=f"optional: {run} ({stopped})")


def check_answers(learner: Mapping[str, Any]) -> CheckResult:
    """Check a learner's answers against the reference, key by key.

    Parameters
    ----------
    learner : Mapping
        The learner's answers, e.g. from :func:`gdtutor.safeload.load_answers`. Values may
        be arrays, lists of arrays or nested lists of numbers.

    Returns
    -------
    CheckResult
        A :class:`~gdtutor.checking.KeyCheck` per key of
        :data:`~gdtutor.answers.ANSWER_KEYS`, in lesson order, then one per extra key.

    Examples
    --------
    >>> from gdtutor.answers import reference_answers
    >>> answers = dict(reference_answers())
    >>> answers["var_history_3"] = answers["var_history_3"][:499]
    >>> del answers["fn_history_4"], answers["xy_grad"]
    >>> result = check_answers(answers)
    >>> result.passed, result.summary()
    (False, '7 of 10 keys pass; 1 wrong shape (lesson 5), 1 missing (lesson 5), 1 not attempted')
    >>> print(result["var_history_3"].hint)
    499 entries instead of 500: 1 step missing
    >>> print(result["fn_history_4"].hint)
    run plot_05_torch_optim_exercise.py (lesson 5; or its .ipynb) to the end to save it
    """
    if not isinstance(learner, Mapping):
        raise TypeError(
            f"learner must be a dict of answer keys and their values, got {type(learner).__name__}"
        )
    reference = _references()
    unfinished = unfinished_keys(learner)
    known = set(reference) if unfinished is None else {*reference, UNFINISHED}
    if script_times(learner) is not None:
        known.add(SCRIPT_TIMES)
    rows = _joined().rows(learner) or _rows_key_by_key(learner, frozenset(unfinished or ()))
    extras = [key for key in learner if key not in known]
    names = [str(key) for key in extras]
    by_case = _by_case(names)
    rows = [_named_alike(row, names, by_case) for row in rows]
    rows += [_extra(str(key), learner[key]) for key in extras]
    return CheckResult(tuple(rows))


def _by_case(names: Sequence[str]) -> dict[str, str]:
    """Each case-folded name of ``names``, to the first name that folds to it."""
    return {name.casefold(): name for name in reversed(names)}


#: Beyond this many extra keys, a file is not searched for a misspelt name but by case.
_MOST_EXTRAS_COMPARED = 100


def _named_alike(
    row: KeyCheck, extras: Sequence[str], by_case: Mapping[str, str] | None = None
) -> KeyCheck:
    """An absent key's row, whose hint names an extra key spelt nearly as it is (``x_grad``
    for ``X_grad``): running the exercise again would not help that.

    ``by_case`` maps the extra keys' case-folded names to them (made here if not given).

    >>> print(_named_alike(_absent("X_grad"), ["x_grad"]).hint)
    the file has 'x_grad', an extra key: if it is X_grad, its name is misspelt (names are \
case-sensitive); else run plot_02_matrix_gradient_exercise.py (lesson 2; or its .ipynb) to \
the end to save it

    A file with many extra keys (a hostile one) is only searched for a name that differs
    in case: comparing each with each would take seconds.
    """
    if row.verdict not in ("missing", "not attempted") or row.stopped:
        return row
    if by_case is None:
        by_case = _by_case(extras)
    same = [by_case[row.key.casefold()]] if row.key.casefold() in by_case else []
    near = extras if not same and len(extras) <= _MOST_EXTRAS_COMPARED else []
    alike = same or difflib.get_close_matches(row.key, near, n=1, cutoff=0.8)
    if not alike:
        return row
    named = (
        f"the file has {_key_named(alike[0])}, an extra key: if it is {row.key}, its name is "
        "misspelt"
    )
    if same:
        named += " (names are case-sensitive)"
    elif odd := [c for c in alike[0] if not c.isascii()]:
        what = unicodedata.name(odd[0], "")
        named += f" (its character U+{ord(odd[0]):04X}{f', {what},' if what else ''} is not ASCII)"
    if row.hint.startswith("optional: "):
        return replace(row, hint=f"optional: {named}; else {row.hint.removeprefix('optional: ')}")
    return replace(row, hint=f"{named}; else {row.hint}")


def _key_named(key: str) -> str:
    """A key quoted, as a hint names it: with escapes where it is not plain ASCII, so that a
    key that only looks like another (a trailing space, a letter of another alphabet) can be
    told from it."""
    return repr(key) if key.isascii() else ascii(key)


def _extra(key: str, value: Any) -> KeyCheck:
    """The row of a key that the reference does not have: "extra", unless the loader could
    not read its value (a refused object, a malformed array), which fails it."""
    if isinstance(value, BadValue):
        return KeyCheck(key, value.verdict, hint=value.reason)
    return KeyCheck(key, "extra")


def _rows_key_by_key(
    learner: Mapping[str, Any], unfinished: frozenset[str] = frozenset()
) -> list[KeyCheck]:
    return [
        _check_key(key, learner[key], ref) if key in learner else _absent(key, unfinished)
        for key, ref in _references().items()
    ]


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"


def _shown(text: str) -> str:
    """``text`` as a table cell: one with a control character (a newline, a terminal escape)
    is shown as a Python string literal, so that a file cannot fake a row or color the
    terminal."""
    return text if text.isprintable() else repr(text)


def _table(cells: Sequence[tuple[str, ...]]) -> list[str]:
    cells = [tuple(_shown(cell) for cell in row) for row in cells]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]) - 1)] + [0]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


#: The one-file report shows this many rows of keys of no lesson, and counts the others.
_MOST_EXTRA_ROWS = 20
#: The longest key the one-file report shows whole: a longer one is cut, ending in "...".
_LONGEST_KEY_SHOWN = 40


def _key_cell(key: str) -> str:
    """A key as the one-file report's key column shows it: as it is where it is plain; else
    quoted, with escapes (see :func:`_key_named`); cut to :data:`_LONGEST_KEY_SHOWN`
    characters. A key of a lesson with two runs names its run: ``var_history_4 (AdamW)``."""
    if key in _TWO_RUN_KEYS:
        return f"{key} ({ANSWER_KEYS[key].run})"
    if not (key.isascii() and key.isprintable() and key == key.strip()):
        key = _key_named(key)
    return key if len(key) <= _LONGEST_KEY_SHOWN else key[: _LONGEST_KEY_SHOWN - 3] + "..."


#: The keys of the lessons whose exercise records more than one run (lesson 5: SGD, AdamW).
_TWO_RUN_KEYS = frozenset(
    key
    for key, info in ANSWER_KEYS.items()
    if len({other.run for other in ANSWER_KEYS.values() if other.lesson == info.lesson}) > 1
)


#: Where a row's hint starts: under the key, on the lines below the row.
_HINT_INDENT = " " * 8
#: The width the hints are wrapped to (a terminal's 100 columns).
_HINT_WIDTH = 100


def format_report(result: CheckResult) -> str:
    """Lay out a :class:`~gdtutor.checking.CheckResult` as a text table and a summary line.

    Parameters
    ----------
    result : CheckResult
        The verdicts to show.

    Returns
    -------
    str
        Columns lesson, key, verdict, largest absolute and relative error; a row's hint
        on the lines below it, indented under the key and wrapped to 100 columns; then the
        summary. No final newline.

    Examples
    --------
    >>> result = CheckResult((
    ...     KeyCheck("X_grad", "fail", 180.0, 0.9, "a tenth of the reference: the factor 10 "
    ...              "of f is missing"),
    ...     KeyCheck("fn", "extra"),
    ... ))
    >>> print(format_report(result))
    lesson  key     verdict  max abs err  max rel err
    2       X_grad  fail     1.8e+02      9.0e-01
            a tenth of the reference: the factor 10 of f is missing
    -       fn      extra    -            -
    0 of 1 keys pass; 1 fail (lesson 2), 1 extra
    """
    header = ("lesson", "key", "verdict", "max abs err", "max rel err")
    # The keys of no lesson: extra, or failing as values not read.
    extras = [r for r in result.rows if r.key not in ANSWER_KEYS]
    kept = {id(r) for r in extras[:_MOST_EXTRA_ROWS]}
    shown = [r for r in result.rows if r.key in ANSWER_KEYS or id(r) in kept]
    cells = [header] + [
        (
            str(r.lesson or "-"),
            _key_cell(r.key),
            r.verdict,
            _number(r.max_abs_error),
            _number(r.max_rel_error),
        )
        for r in shown
    ]
    table = _table(cells)
    lines = [table[0]]
    for row, line in zip(shown, table[1:], strict=True):
        lines.append(line)
        if row.hint:
            lines += textwrap.wrap(
                _shown(row.hint), _HINT_WIDTH, initial_indent=_HINT_INDENT,
                subsequent_indent=_HINT_INDENT, break_long_words=False, break_on_hyphens=False,
            )  # fmt: skip
    if len(extras) > _MOST_EXTRA_ROWS:
        more = len(extras) - _MOST_EXTRA_ROWS
        lines.append(f"{_HINT_INDENT}and {more} more extra key{'' if more == 1 else 's'}")
    return "\n".join([*lines, result.summary()])


#: The columns of :func:`~gdtutor.checking.summary_row`.
SUMMARY_HEADER = (
    "file", "status", "keys passed", "failing lessons", "missing lessons", "not attempted",
    "problems",
)  # fmt: skip


def summary_row(name: str, result: CheckResult | str) -> tuple[str, ...]:
    """One file's row for a class summary: a :class:`~gdtutor.checking.CheckResult`, or why it
    was unreadable.

    The failing lessons have a key that is wrong (a failing, misshapen or non-numeric value;
    an extra key whose value was not read is named there too);
    the missing lessons have a required key that is absent, so their exercise was not run to
    the end; the lessons not attempted have an optional key that is absent (the course
    notebook writes none of those), which does not fail the file. The problems name each
    wrong or missing key, with the hint for a wrong one, then each extra key (which does not
    fail the file either).

    Examples
    --------
    The course notebook's seven keys, all right, pass; lessons 1 and 3 were not attempted:

    >>> from gdtutor.answers import ANSWER_KEYS, reference_answers
    >>> notebook = {k: v for k, v in reference_answers().items() if ANSWER_KEYS[k].required}
    >>> summary_row("ann.json", check_answers(notebook))
    ('ann.json', 'pass', '7 of 10', '-', '-', '1 3', '')
    >>> row = summary_row("bob.json", "the file is gzip-compressed, not JSON text")
    >>> row[1], row[-1]
    ('error', 'cannot read: the file is gzip-compressed, not JSON text')
    """
    if isinstance(result, str):
        return (name, "error", "-", "-", "-", "-", f"cannot read: {result}")
    checked = _checked(result.rows)
    passed = sum(row.verdict == "pass" for row in checked)
    problems = "; ".join(
        [_problem(row) for row in result.rows if row.failed]
        + _extras_named([row.key for row in result.rows if row.verdict == "extra"])
    )
    wrong = [row for row in result.rows if row.failed and row.verdict != "missing"]
    missing = [row for row in result.rows if row.verdict == "missing"]
    skipped = [row for row in result.rows if row.verdict == "not attempted"]
    failing, absent, optional = (
        " ".join(map(str, _lessons(rows))) or "-" for rows in (wrong, missing, skipped)
    )
    if extra := sum(not row.lesson for row in wrong):  # a value not read, of no lesson
        keys = "an extra key" if extra == 1 else f"{extra} extra keys"
        failing = keys if failing == "-" else f"{failing}, {keys}"
    status = "pass" if result.passed else "fail"
    return (name, status, f"{passed} of {len(checked)}", failing, absent, optional, problems)


#: A class row names at most this many of a file's extra keys.
_MOST_EXTRAS_NAMED = 5


def _extras_named(keys: Sequence[str]) -> list[str]:
    """A class row's words for a file's extra keys: each key quoted (a key is any text), the
    first few only."""
    named = [f"{key!r}: extra" for key in keys[:_MOST_EXTRAS_NAMED]]
    if len(keys) > _MOST_EXTRAS_NAMED:
        named.append(f"{len(keys) - _MOST_EXTRAS_NAMED} more extra keys")
    return named


def _problem(row: KeyCheck) -> str:
    """A wrong or missing key as a class summary names it: a missing key whose exercise
    started and did not save it says so; a wrong one gives its hint."""
    if row.verdict == "missing":
        return f"{row.key}: {'started, not saved' if row.stopped else 'missing'}"
    return f"{row.key}: {row.verdict}" + (f" ({row.hint})" if row.hint else "")


def format_summary(rows: Sequence[tuple[str, ...]], *, as_csv: bool = False) -> str:
    """Lay out :func:`~gdtutor.checking.summary_row` rows as a table with a count line, or as CSV.

    Examples
    --------
    >>> rows = [
    ...     ("ann.json", "pass", "7 of 10", "-", "-", "1 3", ""),
    ...     ("bob.json", "error", "-", "-", "-", "-", "?"),
    ... ]
    >>> print(format_summary(rows))
    file      status  keys passed  failing lessons  missing lessons  not attempted  problems
    ann.json  pass    7 of 10      -                -                1 3
    bob.json  error   -            -                -                -              ?
    2 files: 1 pass, 0 fail, 1 unreadable

    In CSV, a cell that a spreadsheet would read as a formula (a file named ``=1+1.json``)
    is written as text, after a ``'``:

    >>> print(format_summary([("=1+1.json", "error", "-", "-", "-", "-", "?")], as_csv=True))
    file,status,keys passed,failing lessons,missing lessons,not attempted,problems
    '=1+1.json,error,-,-,-,-,?
    """
    if as_csv:
        out = io.StringIO()
        cells = [[_as_text(_shown(cell)) for cell in row] for row in rows]
        csv.writer(out, lineterminator="\n").writerows([SUMMARY_HEADER, *cells])
        return out.getvalue().rstrip("\n")
    return "\n".join([*_table([SUMMARY_HEADER, *rows]), _count_line(rows)])


def _count_line(rows: Sequence[tuple[str, ...]]) -> str:
    """The count line of :func:`~gdtutor.checking.format_summary`: the files by status, then
    the symbolic links skipped (rows with the status ``"skipped"``), if any.

    Examples
    --------
    >>> _count_line([("a.json", "pass"), ("b.json", "fail"), ("c", "skipped")])
    '2 files: 1 pass, 1 fail, 0 unreadable; 1 symbolic link skipped'
    """
    counts = {status: sum(row[1] == status for row in rows) for status in _STATUSES}
    # A folder that could not be read is a row named with a trailing separator (no file's
    # name ends so): counted apart from the files.
    folders = sum(row[1] == "error" and row[0].endswith(("/", os.sep)) for row in rows)
    counts["error"] -= folders
    files = len(rows) - counts["skipped"] - folders
    total = f"{files} file{'' if files == 1 else 's'}: " + ", ".join(
        f"{counts[status]} {word}" for status, word in _STATUSES.items() if status != "skipped"
    )
    links = counts["skipped"]
    if folders:
        total += f"; {folders} folder{'' if folders == 1 else 's'} could not be read"
    return total + (f"; {links} symbolic link{'' if links == 1 else 's'} skipped" if links else "")


#: A class summary's statuses, and the word that counts each: "skipped" is a symbolic link,
#: which is not followed and is not counted among the files; like an unreadable file, it
#: makes the exit status 2 (not every file was checked).
_STATUSES = {"pass": "pass", "fail": "fail", "error": "unreadable", "skipped": "skipped"}


def _as_text(cell: str) -> str:
    """A CSV cell that no spreadsheet takes for a formula: one that starts with ``=``, ``+``,
    ``@``, a tab, a carriage return, or ``-`` and more, gets a leading ``'``."""
    formula = cell[:1] in ("=", "+", "@", "\t", "\r") or (cell.startswith("-") and cell != "-")
    return f"'{cell}" if formula else cell
