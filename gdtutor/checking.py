r"""Compare a learner's answer file with the reference answers, key by key.

Each key of :data:`gdtutor.answers.ANSWER_KEYS` gets a verdict: ``"pass"``, ``"fail"``,
``"missing"``, ``"wrong shape"`` or ``"not numeric"``; keys that the reference does not have
are listed as ``"extra"`` and do not count against the learner.

**Tolerances.** An entry :math:`\ell_i` of the learner's array passes against the reference
:math:`r_i` when

.. math:: |\ell_i - r_i| \le \mathrm{ATOL} \cdot \max_j |r_j| + \mathrm{RTOL} \cdot |r_i|

with :data:`~gdtutor.checking.ATOL` :math:`= 10^{-5}` and :data:`~gdtutor.checking.RTOL`
:math:`= 10^{-4}`. The absolute part is scaled by the key's largest reference value because
the histories shrink towards the minimiser at 0, where a relative test would demand more
digits than float32 has. Arithmetic that differs from the notebook's only in rounding stays
below :math:`3 \cdot 10^{-7}` of that scale over 500 steps: plain arithmetic instead of
matrix products, ``x -= lr * x.grad`` under ``torch.no_grad()`` instead of ``x.data``, or a
whole run in float64. Real mistakes are far above it: a learning rate off by only 1 % is
already :math:`3 \cdot 10^{-3}` of the scale away.

The table reports the largest absolute error and the largest relative error
:math:`|\ell_i - r_i| / |r_i|` over the entries with :math:`r_i \ne 0`; near 0 the relative
error can be large while the absolute test passes.

**Hints.** When a history fails, it is compared with the same run done wrong in a known way:
recorded before instead of after the step (or the reverse), with another learning rate, or
with gradients that were never zeroed; a gradient that is a multiple of the reference was
accumulated over several ``backward()`` calls. A history of the wrong length says how many
steps are missing or extra, and a passing history computed in float64 says so.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from gdtutor._diagnose import abs_errors, diagnose, is_close, shape_hint

__all__ = ["ATOL", "RTOL", "CheckResult", "KeyCheck", "Verdict", "check_answers", "format_report"]

#: Absolute tolerance, as a fraction of the key's largest reference magnitude.
ATOL: float = 1e-5
#: Relative tolerance.
RTOL: float = 1e-4

Verdict = Literal["pass", "fail", "missing", "wrong shape", "not numeric", "extra"]
_FAILING = frozenset({"fail", "missing", "wrong shape", "not numeric"})


@dataclass(frozen=True)
class KeyCheck:
    """The verdict on one key.

    Attributes
    ----------
    key : str
        The answer key.
    verdict : {"pass", "fail", "missing", "wrong shape", "not numeric", "extra"}
        What the comparison found.
    max_abs_error, max_rel_error : float or None
        The largest absolute and relative errors, where the shapes allowed a comparison.
    hint : str
        The known cause of the error, or a note on a passing key; empty if none.
    shape, expected_shape : tuple of int or None
        The learner's and the reference's array shapes, where they exist.
    """

    key: str
    verdict: Verdict
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    hint: str = ""
    shape: tuple[int, ...] | None = None
    expected_shape: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CheckResult:
    """All verdicts on one answer file: a row per reference key, then the extra keys."""

    rows: tuple[KeyCheck, ...]

    @property
    def passed(self) -> bool:
        """True if no key failed, is missing or has the wrong shape or type."""
        return not any(row.verdict in _FAILING for row in self.rows)

    def __getitem__(self, key: str) -> KeyCheck:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def summary(self) -> str:
        """One line counting the verdicts, e.g. ``'6 of 7 keys pass; 1 fail'``."""
        checked = [row for row in self.rows if row.verdict != "extra"]
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.verdict != "pass":
                counts[row.verdict] = counts.get(row.verdict, 0) + 1
        passed = len(checked) - sum(n for v, n in counts.items() if v != "extra")
        others = "; " + ", ".join(f"{n} {v}" for v, n in counts.items()) if counts else ""
        return f"{passed} of {len(checked)} keys pass{others}"


def _as_array(value: Any) -> np.ndarray | tuple[str, str]:
    """The value as a numeric array, or ``(verdict, reason)`` when it is not one."""
    try:
        array = np.array(value)
    except ValueError:
        return "wrong shape", "ragged: its entries have different shapes"
    if array.dtype.kind not in "biuf":
        found = "text" if array.dtype.kind in "US" else "non-numbers"
        return "not numeric", f"holds {found}, expected numbers"
    return array


def _reference_array(key: str, value: Any) -> np.ndarray:
    want = _as_array(value)
    if isinstance(want, tuple):
        raise ValueError(f"reference[{key!r}] must hold numbers, got a value that {want[1]}")
    return want


def _check_key(key: str, value: Any, want: np.ndarray) -> KeyCheck:
    got = _as_array(value)
    if isinstance(got, tuple):
        return KeyCheck(key, got[0], hint=got[1], expected_shape=want.shape)  # type: ignore[arg-type]
    shapes = {"shape": got.shape, "expected_shape": want.shape}
    if got.shape != want.shape:
        hint = shape_hint(key, got, want, atol=ATOL, rtol=RTOL)
        return KeyCheck(key, "wrong shape", hint=hint, **shapes)
    error, _ = abs_errors(got, want)
    nonzero = want != 0
    with np.errstate(invalid="ignore"):
        rel = error[nonzero] / np.abs(want[nonzero].astype(np.float64))
    abs_max = float(error.max()) if error.size else 0.0
    rel_max = float(rel.max()) if rel.size else None
    passed = is_close(got, want, atol=ATOL, rtol=RTOL)
    hint = diagnose(key, got, want, passed=passed, atol=ATOL, rtol=RTOL)
    return KeyCheck(key, "pass" if passed else "fail", abs_max, rel_max, hint, **shapes)


@functools.lru_cache(maxsize=1)
def _reference() -> Mapping[str, Any]:
    from gdtutor.answers import reference_answers

    return reference_answers()


def check_answers(
    learner: Mapping[str, Any], reference: Mapping[str, Any] | None = None
) -> CheckResult:
    """Check a learner's answers against the reference, key by key.

    Parameters
    ----------
    learner : Mapping
        The learner's answers, e.g. from :func:`gdtutor.safeload.load_answers`. Values may
        be arrays, lists of arrays or nested lists of numbers.
    reference : Mapping, optional
        The answers to compare with; :func:`gdtutor.answers.reference_answers` by default.

    Returns
    -------
    CheckResult
        A :class:`~gdtutor.checking.KeyCheck` per reference key, in the reference's order,
        then one per extra key of ``learner``.

    Raises
    ------
    ValueError
        If a reference value is not numeric.

    Examples
    --------
    >>> from gdtutor.answers import reference_answers
    >>> answers = reference_answers()
    >>> answers["var_history_3"] = answers["var_history_3"][:499]
    >>> del answers["fn_history_4"]
    >>> result = check_answers(answers)
    >>> result.passed, result.summary()
    (False, '5 of 7 keys pass; 1 wrong shape, 1 missing')
    >>> print(result["var_history_3"].hint)
    499 entries instead of 500: 1 step missing
    """
    reference = _reference() if reference is None else reference
    wants = {key: _reference_array(key, value) for key, value in reference.items()}
    rows = [
        _check_key(key, learner[key], want) if key in learner else KeyCheck(key, "missing")
        for key, want in wants.items()
    ]
    rows += [KeyCheck(str(key), "extra") for key in learner if key not in reference]
    return CheckResult(tuple(rows))


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"


def format_report(result: CheckResult) -> str:
    """Lay out a :class:`~gdtutor.checking.CheckResult` as a text table and a summary line.

    Parameters
    ----------
    result : CheckResult
        The verdicts to show.

    Returns
    -------
    str
        Columns key, verdict, largest absolute and relative error, hint; no final newline.

    Examples
    --------
    >>> result = CheckResult((KeyCheck("X_grad", "pass", 0.0, 0.0), KeyCheck("fn", "extra")))
    >>> print(format_report(result))
    key     verdict  max abs err  max rel err  hint
    X_grad  pass     0.0e+00      0.0e+00
    fn      extra    -            -
    1 of 1 keys pass; 1 extra
    """
    header = ("key", "verdict", "max abs err", "max rel err", "hint")
    cells = [header] + [
        (r.key, r.verdict, _number(r.max_abs_error), _number(r.max_rel_error), r.hint)
        for r in result.rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(4)] + [0]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join([*lines, result.summary()])
