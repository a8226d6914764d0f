r"""Load an answer file written by anyone, trusting nothing in it.

The course notebook saves its answers with ``json_tricks.dump``. ``json_tricks.load`` with
its default hooks imports modules and builds objects named in the file, and its numpy hook
calls ``getattr(numpy, dtype)(data)`` for a 0-d array, so a file that names the dtype
``"load"`` or ``"fromfile"`` makes it read a local file. This module uses none of those
hooks: it parses JSON into plain data and converts only one json_tricks form itself, the
numpy array::

    {"__ndarray__": [[1.0, 2.0], [3.0, 4.0]], "dtype": "float32", "shape": [2, 2]}

Accepted are plain JSON (with ``NaN`` and ``Infinity``, which Python writes for non-finite
floats) and arrays whose dtype is in :data:`~gdtutor.safeload.NUMERIC_DTYPES`, their values
given as nested lists of numbers or as json_tricks' uncompressed ``"b64:"`` buffer (read
with :func:`numpy.frombuffer`, never pickle); a number beyond the range of a float16 or
float32 array becomes ``inf`` there, as numpy casts it. Nothing is imported, nothing but the
one file is read, and the file is never written.

A problem with the file as a whole raises :class:`~gdtutor.safeload.LoadError` with a
one-line reason: a file over :data:`~gdtutor.safeload.MAX_BYTES` or not a regular file, an
empty file, compressed or binary bytes, text that is not UTF-8 (UTF-16 and UTF-32 are named)
or not JSON (a file cut short is named), JSON nested more than 64 levels deep, a top level
that is not an object (or is a json_tricks object), and duplicate keys. A problem inside one
key's value is that key's: an array that is malformed (data that are not numbers, that do
not fill its declared shape or do not fit its dtype, data or a shape with more dimensions
than numpy's 64 or sizes no file could hold, a dtype that is not a number's, a compressed or
invalid buffer) and any object with a ``__name__``-style key other than the array form
(class instances, enums, sets, dates, paths, ...), which is refused and never built. By
default it raises :class:`~gdtutor.safeload.LoadError` too, naming the key and where in it;
with ``per_key=True``, as the checker reads a file, the key's value is a ``BadValue``
instead, holding the verdict for the key (``"not numeric"``, ``"wrong shape"``, or
``"fail"`` for an integer that does not fit its dtype) and the reason, and the other keys
are read as usual.

A file laid out as json_tricks writes the course's answers is parsed by orjson, in C, and
each history of hundreds of small arrays is checked and converted as one: a class of files
is checked quickly. Every other file, and every file that this path could judge differently
(escapes, non-finite numbers, duplicate keys, anything refused), is parsed by the standard
library's ``json``, which checks each object as it is made; both give the same result.
"""

from __future__ import annotations

import array
import base64
import binascii
import contextlib
import functools
import gc
import itertools
import json
import math
import operator
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import orjson

__all__ = [
    "MAX_BYTES",
    "NUMERIC_DTYPES",
    "BadValue",
    "LoadError",
    "load_answers",
    "loads_answers",
]

#: The largest answer file accepted, in bytes: 5 MiB. The reference answers of all the
#: lessons take about 330 KB as json_tricks writes them, so a genuine file is far below this.
MAX_BYTES: int = 5 * 2**20

#: The array dtypes accepted, by the name json_tricks writes (``str(array.dtype)``).
NUMERIC_DTYPES: frozenset[str] = frozenset(
    ["bool", "float16", "float32", "float64"]
    + [f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)]
)

_MAGIC = {
    b"\x1f\x8b": "gzip-compressed",
    b"PK\x03\x04": "a zip archive",
    b"BZh": "bzip2-compressed",
    b"\xfd7zXZ\x00": "xz-compressed",
    b"(\xb5/\xfd": "zstd-compressed",
    b"\x93NUMPY": "a NumPy .npy file",
    b"\x80": "a pickle",
}
_PAYLOADS = {
    "__instance_type__": "a class instance",
    "__enum__": "an enum",
    "__enum_instance_type__": "an enum",
    "__set__": "a set",
    "__complex__": "a complex number",
    "__decimal__": "a decimal",
    "__fraction__": "a fraction",
    "__pathlib__": "a path",
    "__slice__": "a slice",
    "__bytes_b64__": "bytes",
    "__bytes_utf8__": "bytes",
    "__pandas_dataframe__": "a pandas DataFrame",
    "__pandas_series__": "a pandas Series",
    "__date__": "a date",
    "__datetime__": "a date and time",
    "__time__": "a time",
    "__timedelta__": "a time span",
}
#: Keys named as json_tricks names its objects. One that json_tricks reads as an object
#: where it stands (``_MARKERS``, and ``__ndarray__``) makes the object json_tricks's; any
#: other (``__notes__``, or ``__enum_instance_type__`` outside an enum) is refused inside a
#: value too, but at the top level it is a key like any other, as json_tricks reads it.
_DUNDER = re.compile(r"^__\w*__$")
_MARKERS = frozenset(_PAYLOADS) - {"__enum_instance_type__"}  # that one only inside __enum__
_ARRAY_KEYS = frozenset({"__ndarray__", "dtype", "shape", "Corder", "endian"})
#: The deepest nesting accepted, counting the top-level object as 1. An answer file nests
#: 5 levels at most (a history of 2-d arrays); numpy holds 64 dimensions at most.
_MAX_DEPTH = 64


class LoadError(ValueError):
    """An answer file that cannot be read, or is refused; the message is one line."""


#: The verdict that a value which is not read gets from the checker.
BadVerdict = Literal["not numeric", "wrong shape", "fail"]


@dataclass(frozen=True, slots=True)
class BadValue:
    """A key's value that was not read, in its place: what
    ``loads_answers(data, per_key=True)`` gives for a malformed array or a refused
    json_tricks object inside the key.

    Attributes
    ----------
    verdict : {"not numeric", "wrong shape", "fail"}
        What the checker reports for the key.
    reason : str
        Why, in one line; first where inside the key (``"at var_history_2[3]: ..."``) if
        deeper than the key's value itself.
    """

    verdict: BadVerdict
    reason: str


class _Bad(LoadError):
    """A malformed or refused value inside one key: the key's problem, not the file's.

    ``path`` is where inside the key, innermost first (filled in as the error leaves each
    list and object).
    """

    def __init__(self, reason: str, verdict: BadVerdict = "not numeric") -> None:
        super().__init__(reason)
        self.reason = reason
        self.verdict: BadVerdict = verdict
        self.path: list[str | int] = []


class _TooDeep(LoadError):
    """JSON nested more than :data:`_MAX_DEPTH` levels."""


def _too_deep(key: str | None = None) -> str:
    """Why a file nested too deeply is refused, naming the key that is where known."""
    where = f", in key {_short(key)}" if key is not None else ""
    return f"not accepted: JSON nested too deeply (more than {_MAX_DEPTH} levels{where})"


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:  # nested too deeply to print
        text = "[[[..." if isinstance(value, list) else "{{{..."
    except ValueError:  # an integer of thousands of digits
        text = "[...]" if isinstance(value, list) else "a huge integer"
    return text if len(text) <= 40 else text[:37] + "..."


def _place(key: str, path: list[str | int]) -> str:
    """Where a value inside a key is, as Python indexes it: ``var_history_2[3]``;
    ``path`` is innermost first, as :class:`_Bad` gathers it."""
    name = key if key.isprintable() and len(key) <= 40 else _short(key)
    steps = (f"[{_short(step)}]" if isinstance(step, str) else f"[{step}]" for step in path)
    return name + "".join(reversed(list(steps)))


def _size(count: int) -> str:
    """A number of bytes as a person reads it: ``'812 bytes'``, ``'5 MiB'``, ``'114.4 MiB'``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} byte{'' if count == 1 else 's'}"


def _too_big(count: int) -> str:
    """Why a file of ``count`` bytes is refused, in sizes a person reads (exact where the
    rounded sizes would look equal)."""
    size, limit = _size(count), _size(MAX_BYTES)
    if size == limit:
        size, limit = f"{count} bytes", f"{MAX_BYTES}-byte"
    return f"the file is {size}, more than the {limit} limit"


def _leaves(data: Any) -> Iterator[Any]:
    """The entries of nested lists that are not lists, in order, without recursion."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            yield item


def _check_numbers(data: Any, integral: bool, boolean: bool = False) -> None:
    # numpy would turn "1.5" into 1.5, None into nan and true into 1.0, so only real JSON
    # numbers pass (true and false only in a bool array); the first bad entry is reported.
    for item in _leaves(data):
        if isinstance(item, bool):
            if boolean:
                continue
            raise _Bad(f"array data must be numbers, found {str(item).lower()} (true/false)")
        elif isinstance(item, int | float) and (boolean or not integral):
            continue
        elif isinstance(item, int) and integral:
            continue
        elif isinstance(item, _ArrayForm):
            raise _Bad(
                'found an array object ({"__ndarray__": ...}) inside an array\'s data; '
                "array data must be numbers or lists of them"
            )
        elif isinstance(item, _Refused):
            raise _Bad(item.reason)
        else:
            kind = "integers" if integral else "numbers"
            raise _Bad(f"array data must be {kind}, found {_short(item)}")


def _out_of_range(data: Any, dtype: np.dtype) -> str:
    """Which of an array's numbers (checked by :func:`_check_numbers`) does not fit
    ``dtype``, in words: numpy's OverflowError names it in C's terms, if at all."""
    low: float
    high: float
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low, high = int(info.min), int(info.max)
    else:
        low, high = -sys.float_info.max, sys.float_info.max
    for item in _leaves(data):
        if type(item) is int and not low <= item <= high:
            if dtype.kind in "iu":
                return f"{_short(item)} is outside its range, {low} to {high}"
            return _huge(item)
    return "a number outside its range"


def _huge(number: int) -> str:
    """An integer beyond a float64, in words."""
    return (
        f"an integer of {len(str(abs(number)))} digits, too large for a float64 "
        f"(the largest is about 1.8e308)"
    )


def _array(obj: dict[str, Any]) -> np.ndarray:
    unknown = sorted(set(obj) - _ARRAY_KEYS)
    if unknown:
        raise _Bad(f"numpy array with unexpected field {_short(unknown[0])}")
    if "dtype" not in obj:
        raise _Bad("numpy array without a dtype field")
    if "shape" not in obj:
        raise _Bad("numpy array without a shape field", "wrong shape")
    dtype_name = obj.get("dtype")
    if not (isinstance(dtype_name, str) and dtype_name in NUMERIC_DTYPES):
        raise _Bad(
            f"numpy array with dtype {_short(dtype_name)}; only number and bool dtypes are "
            f"accepted ({', '.join(sorted(NUMERIC_DTYPES))})"
        )
    dtype = np.dtype(dtype_name)
    shape = obj.get("shape")
    if not (
        isinstance(shape, list)
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise _Bad(
            f"numpy array with shape {_short(shape)}, expected a list of sizes", "wrong shape"
        )
    if len(shape) > _MAX_DEPTH or any(n > MAX_BYTES for n in shape):
        # No file of at most MAX_BYTES holds such an array; and numpy cannot make one.
        raise _Bad(
            f"numpy array with shape {_short(shape)}: more dimensions or values than an "
            "answer file can hold",
            "wrong shape",
        )
    if not isinstance(obj.get("Corder", True), bool):
        raise _Bad(f"numpy array with Corder {_short(obj['Corder'])}, expected true/false")
    data = obj["__ndarray__"]
    if isinstance(data, str):
        array = _from_b64(data, dtype, obj.get("endian", "native"))
        if array.size != math.prod(shape):
            raise _Bad(
                f"numpy array of shape {_short(shape)} needs {math.prod(shape)} values, "
                f"its buffer holds {array.size}",
                "wrong shape",
            )
        return _reshaped(array, shape)
    if "endian" in obj:
        raise _Bad("numpy array with an endian field but no binary data")
    _check_numbers(data, integral=dtype.kind in "iu", boolean=dtype.kind == "b")
    try:
        array = np.array(data, dtype=dtype)
    except OverflowError:
        reason = _out_of_range(data, dtype)
        raise _Bad(f"numpy array data do not fit dtype {dtype_name}: {reason}", "fail") from None
    except ValueError as error:  # lists of different lengths, or more than 64 levels
        ragged = "inhomogeneous" in str(error)
        why = "lists of different lengths" if ragged else f"more than {_MAX_DEPTH} dimensions"
        raise _Bad(f"numpy array data are not an array: {why}", "wrong shape") from None
    if array.size == 0 == math.prod(shape):
        array = _reshaped(array, shape)  # json_tricks writes every empty array as []
    if array.shape != tuple(shape):
        raise _Bad(
            f"numpy array declares shape {_short(shape)} but holds shape "
            f"{_short(list(array.shape))}",
            "wrong shape",
        )
    return array


def _reshaped(array: np.ndarray, shape: list[int]) -> np.ndarray:
    try:
        return array.reshape(shape)
    except (ValueError, OverflowError):  # a size too large for numpy, even of no values
        raise _Bad(
            f"numpy array with shape {_short(shape)}: sizes larger together than numpy can "
            "hold in one array",
            "wrong shape",
        ) from None


def _from_b64(data: str, dtype: np.dtype, endian: Any) -> np.ndarray:
    if data.startswith("b64.gz:"):
        raise _Bad("numpy array with compressed (b64.gz) data; save it uncompressed")
    if not data.startswith("b64:"):
        raise _Bad(f"numpy array data {_short(data)} is neither numbers nor 'b64:' data")
    orders = {"little": "<", "big": ">", "native": "="}
    byteorder = orders.get(endian) if isinstance(endian, str) else None
    if byteorder is None:
        raise _Bad(f"numpy array with endian {_short(endian)}")
    try:
        raw = base64.b64decode(data[4:], validate=True)
    except binascii.Error as error:
        raise _Bad(f"numpy array with invalid base64 data: {error}") from None
    if len(raw) % dtype.itemsize:
        raise _Bad(f"numpy array buffer of {len(raw)} bytes does not hold {dtype} values")
    return np.frombuffer(raw, dtype=dtype.newbyteorder(byteorder)).astype(dtype)  # type: ignore[arg-type]


class _ArrayForm:
    """A json_tricks array not converted yet: a history's 500 small arrays become one."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs


class _Refused:
    """A json_tricks object other than an array (a class instance, an enum, ...), in its
    place: nothing it names is imported or built. Where it is decides whether the file or
    one key is refused."""

    __slots__ = ("fields", "key")

    def __init__(self, key: str, fields: dict[str, Any]) -> None:
        self.key = key  # the key that names it, of ``fields``
        self.fields = fields  # the object's keys and values, none of them built

    @property
    def reason(self) -> str:
        if self.key == "__instance_type__" and self.fields[self.key] in (
            ["torch", "Tensor"],
            ["torch.nn.parameter", "Parameter"],
        ):
            return (
                "refused '__instance_type__' payload: a torch tensor, which json_tricks saves "
                "without its numbers; save tensor.detach().numpy() (or tensor.item() for one "
                "number) instead"
            )
        if self.key not in _PAYLOADS:
            return (
                f"refused an object with the key {_short(self.key)}, named as json_tricks "
                "names its objects; only plain JSON and numpy arrays of numbers or bools are "
                "accepted"
            )
        return (
            f"refused {_short(self.key)} payload ({_PAYLOADS[self.key]}); only plain JSON and "
            "numpy arrays of numbers or bools are accepted"
        )

    def __repr__(self) -> str:
        return f"{{{self.key!r}: ...}}"


def _fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        keys = [key for key, _ in pairs]
        duplicate = next(key for i, key in enumerate(keys) if key in keys[:i])
        raise LoadError(f"duplicate key {_short(duplicate)} in one JSON object")
    return obj


def _object(pairs: list[tuple[str, Any]]) -> Any:
    if pairs and pairs[0][0] == "__ndarray__":  # json_tricks writes the data first
        return _ArrayForm(pairs)
    obj = _fields(pairs)
    if "__ndarray__" in obj:
        return _ArrayForm(pairs)
    dunders = [key for key in obj if _DUNDER.match(key)]
    if dunders:
        key = next((key for key in dunders if key in _MARKERS), dunders[0])
        return _Refused(key, obj)
    return obj


def _stack(items: list[Any]) -> np.ndarray | None:
    """Arrays given as dicts, all of one float dtype and one shape of at most one axis,
    without other fields, as one array of their numbers; else None.

    The dicts are the parser's own, made for this call: each loses its ``"__ndarray__"``
    entry on the way. Each step is one pass over the whole list in C: taking the data out,
    comparing what is left of every dict with the first (one dtype, one shape, no other
    field; the first's sizes must be integers, the others' equal them in value), and reading
    the numbers into a buffer of doubles, which takes numbers only (float, integer or bool)
    before the cast to the file's dtype.
    """
    count = len(items)
    try:
        data = list(map(dict.pop, items, itertools.repeat("__ndarray__")))
    except (KeyError, TypeError):  # an item that is not a dict, or has no data
        return None
    first = items[0]
    if len(first) != 2 or items.count(first) != count:
        return None
    dtype_name, shape = first.get("dtype"), first.get("shape")
    if not (type(dtype_name) is str and dtype_name.startswith("float")):
        return None
    if dtype_name not in NUMERIC_DTYPES or type(shape) is not list or len(shape) > 1:
        return None
    try:
        if shape:
            size = shape[0]
            if type(size) is not int or list(map(len, data)).count(size) != count:
                return None
            # A str or dict of the right length adds characters or keys: array() refuses them.
            data = functools.reduce(operator.iadd, data, [])
        numbers = array.array("d", data)
    except (TypeError, OverflowError):
        return None
    return np.frombuffer(numbers).astype(dtype_name).reshape(count, *shape)


def _stacked(forms: list[_ArrayForm]) -> np.ndarray | None:
    """Many arrays of one float dtype and shape, given as plain numbers, as one array; else None.

    The course's histories are lists of hundreds of arrays of shape ``(2,)`` or ``()``, each
    written by json_tricks as ``{"__ndarray__": ..., "dtype": ..., "shape": ...}``: checking
    their fields and numbers together, and converting them in one call, is what makes a
    class of files quick to check. Anything else returns None and is converted array by
    array, with that path's checks and messages (a key given twice among them).
    """
    objects = [dict(form.pairs) for form in forms]
    if any(len(obj) != len(form.pairs) for obj, form in zip(objects, forms, strict=True)):
        return None
    try:
        return _stack(objects)
    except RecursionError:  # fields nested too deeply to compare: each array says why
        return None


#: The types of a list's items that :func:`_convert` leaves as they are.
_PLAIN = frozenset({int, float, bool, str, type(None)})


def _convert(value: Any, depth: int) -> Any:
    """Turn the array forms left by :func:`_object` into arrays, checking each.

    ``depth`` is the nesting level of ``value`` (the top-level object's is 1): a list or
    object deeper than :data:`_MAX_DEPTH` raises :class:`_TooDeep`, before this function's
    own recursion could run out of stack. A malformed array or a refused object raises
    :class:`_Bad`, which gathers on its way out where it was.
    """
    if isinstance(value, _ArrayForm):
        return _array(_fields(value.pairs))
    if isinstance(value, dict):
        if depth > _MAX_DEPTH:
            raise _TooDeep
        converted: dict[str, Any] = {}
        for key, item in value.items():
            try:
                converted[key] = _convert(item, depth + 1)
            except _Bad as error:
                error.path.append(key)
                raise
        return converted
    if isinstance(value, list):
        if depth > _MAX_DEPTH:
            raise _TooDeep
        if set(map(type, value)) <= _PLAIN:
            return value
        if all(isinstance(item, _ArrayForm) for item in value):
            stacked = _stacked(value)
            if stacked is not None:
                return stacked
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_convert(item, depth + 1))
            except _Bad as error:
                error.path.append(index)
                raise
        return items
    if isinstance(value, _Refused):
        raise _Bad(value.reason)
    return value


def _fast(data: bytes) -> dict[str, Any] | None:
    """The answers of a file laid out as json_tricks writes them, parsed by orjson; else None.

    The top level's values may be numbers, strings, lists of numbers, arrays and lists of
    arrays of one dtype and shape (the course's histories); they are parsed in C and each
    history is converted in one call. Anything else, and anything that this path could judge
    differently from the standard one (escapes, non-finite numbers, duplicate keys, every
    refusal and its message), returns None and takes the standard path.

    orjson keeps the last of two equal keys without a word, so duplicates are found by
    counting: in JSON text without a backslash, every ``:`` ends a key or lies inside a
    string, so the text holds as many colons as the parsed objects have keys plus the colons
    inside their strings only if no object names a key twice.
    """
    if b"\\" in data:
        return None
    try:
        answers = orjson.loads(data)
    except (orjson.JSONDecodeError, RecursionError):
        return None
    if type(answers) is not dict:
        return None
    colons = len(answers)
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if _DUNDER.match(key):
            return None
        colons += key.count(":")
        kind = type(value)
        if kind in (int, float, bool, type(None)):
            out[key] = value
        elif kind is str:
            colons += value.count(":")
            out[key] = value
        elif kind is list and set(map(type, value)) <= {int, float, bool}:
            out[key] = value
        elif kind is list:
            stacked = _stack(value)  # leaves each dict its dtype and shape
            if stacked is None:
                return None
            colons += len(value) * (1 + len(value[0]))  # their keys; the dtypes hold no colon
            out[key] = stacked
        elif kind is dict and "__ndarray__" in value:
            # _array accepts no string but these fields, so they hold every colon.
            strings = [text for text in (*value, *value.values()) if type(text) is str]
            colons += len(value) + sum(text.count(":") for text in strings)
            try:
                out[key] = _array(value)
            except LoadError:
                return None
        else:
            return None
    # bytes.count reads one byte at a time; numpy compares them in vector instructions.
    return out if np.count_nonzero(np.frombuffer(data, np.uint8) == ord(":")) == colons else None


def loads_answers(data: bytes, *, per_key: bool = False) -> dict[str, Any]:
    """Parse the bytes of an answer file, refusing anything but data.

    Parameters
    ----------
    data : bytes
        The file's content.
    per_key : bool, optional
        If true, a malformed array or a refused object inside a key's value makes that
        value a ``BadValue`` (its verdict and reason) instead of refusing the file.

    Returns
    -------
    dict
        The top-level object, with json_tricks' numpy arrays as :class:`numpy.ndarray`.

    Raises
    ------
    LoadError
        With a one-line reason, for any content described in the module docstring (with
        ``per_key``, for the file-level problems only).

    Examples
    --------
    >>> answers = loads_answers(
    ...     b'{"X_grad": {"__ndarray__": [20.0, 40.0], "dtype": "float32", "shape": [2]}}'
    ... )
    >>> answers["X_grad"].dtype.name, answers["X_grad"].tolist()
    ('float32', [20.0, 40.0])
    >>> loads_answers(b'{"x": {"__instance_type__": ["os", "system"]}}')
    Traceback (most recent call last):
    ...
    gdtutor.safeload.LoadError: refused '__instance_type__' payload (a class instance); ...

    With ``per_key``, the other keys are read, and the checker fails the one that is not:

    >>> answers = loads_answers(
    ...     b'{"x": [1.0, {"__instance_type__": ["os", "system"]}], "y": 1}', per_key=True
    ... )
    >>> answers["y"], answers["x"].verdict
    (1, 'not numeric')
    >>> print(answers["x"].reason)
    at x[1]: refused '__instance_type__' payload (a class instance); ...
    """
    if len(data) > MAX_BYTES:
        raise LoadError(_too_big(len(data)))
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise LoadError(f"the file is {what}, not JSON text")
    # A number beyond a float32 array's range becomes inf there, without a warning on stderr.
    with _collector_paused(), np.errstate(over="ignore"):
        try:
            # orjson refuses a NUL byte and bytes that are not UTF-8: the fast path takes
            # neither.
            fast = _fast(_unmarked(data))
        except RecursionError:  # the standard path says what is too deep
            fast = None
        if fast is not None:
            return fast
        if _blank(data):
            raise LoadError(
                "the file is empty" if not _unmarked(data) else "the file holds only white space"
            )
        wide = _wide_text(data)
        if wide:
            raise LoadError(f"{wide} text: an answer file is UTF-8 text (save it as UTF-8)")
        nul = data.find(b"\0")
        if nul >= 0:
            raise LoadError(f"binary data (a NUL byte at offset {nul}), not JSON text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LoadError(f"not UTF-8 text (invalid byte at offset {error.start})") from None
        try:
            return _standard(text.removeprefix("\ufeff"), per_key)
        except RecursionError:  # anywhere: the file's nesting, whatever the Python stack
            raise LoadError(_too_deep()) from None


#: What is left of a number or a literal cut off at the end of the text.
_CUT_NUMBER = re.compile(r"-?\d*\.?\d*(?:[eE][-+]?\d*)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


def _unmarked(data: bytes) -> bytes:
    """``data`` without a UTF-8 byte-order mark, as some editors begin a file."""
    return data.removeprefix(b"\xef\xbb\xbf")


def _blank(data: bytes) -> bool:
    """Whether ``data`` holds no text at all: nothing, white space, a byte-order mark."""
    return not _unmarked(data).strip()


def _cut_short(text: str, error: json.JSONDecodeError) -> bool:
    """Whether the JSON error is the text ending before the JSON does: at its very end, in a
    string left open, or in a number or literal cut off there."""
    rest = text[error.pos :].strip()
    if not rest or error.msg.startswith("Unterminated string"):
        return True
    return bool(_CUT_NUMBER.fullmatch(rest)) or any(word.startswith(rest) for word in _LITERALS)


def _wide_text(data: bytes) -> str | None:
    """``"UTF-32"`` or ``"UTF-16"`` if ``data`` starts as text in that encoding does (a
    byte-order mark, or ASCII characters each with three or one NUL bytes beside it)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        head = data[: min(len(data), 64) // width * width]
        if len(head) < 2 * width:
            continue
        for at in (0, width - 1):  # the character's byte last (big-endian) or first
            chars = head[at::width]
            nuls = bytes(b for i, b in enumerate(head) if i % width != at)
            if not any(nuls) and all(0 < b < 128 for b in chars):
                return name
    return None


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: a parsed file is a tree, which holds no cycles.

    An answer file makes some 12,000 dicts and lists; the collector, which runs every few
    hundred new containers, would look through them again and again for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _standard(text: str, per_key: bool = False) -> dict[str, Any]:
    """Parse with the standard library's json, checking every object as it is made; then
    convert the arrays, key by key (see :func:`loads_answers` for ``per_key``)."""
    try:
        answers = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        if _cut_short(text, error):
            where = f"line {error.lineno} column {error.colno}"
            raise LoadError(
                f"not JSON: the text ends at {where}, before the JSON does (cut short?)"
            ) from None
        raise LoadError(f"not JSON: {error}") from None
    except LoadError:
        raise
    except ValueError as error:
        if "integer string conversion" in str(error):  # more digits than Python converts
            raise LoadError(
                f"not JSON this checker reads: a number with more than "
                f"{sys.get_int_max_str_digits()} digits"
            ) from None
        raise LoadError(f"not JSON: {str(error).splitlines()[0]}") from None
    if isinstance(answers, _Refused):
        if answers.key in _MARKERS:
            raise LoadError(answers.reason)
        answers = answers.fields  # "__notes__": json_tricks too reads it as a key
    if not isinstance(answers, dict):
        kinds = {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
        number = "a number" if isinstance(answers, int | float) else "a numpy array"
        kind = kinds.get(type(answers), number)
        raise LoadError(f"the top level is {kind}, expected a JSON object of answers")
    result: dict[str, Any] = {}
    for key, value in answers.items():
        try:
            result[key] = _convert(value, 2)
        except _TooDeep:
            raise LoadError(_too_deep(key)) from None
        except _Bad as error:
            place = _place(key, error.path) if error.path else ""
            if per_key:
                reason = f"at {place}: {error.reason}" if place else error.reason
                result[key] = BadValue(error.verdict, reason)
            else:
                where = f"at {place}" if place else f"in key {_short(key)}"
                raise LoadError(f"{error.reason} ({where})") from None
    return result


def load_answers(path: str | os.PathLike[str], *, per_key: bool = False) -> dict[str, Any]:
    """Read and parse one answer file without executing, importing or writing anything.

    The file is opened read-only and must be a regular file of at most
    :data:`~gdtutor.safeload.MAX_BYTES`.

    Parameters
    ----------
    path : str or path-like
        The answer file, e.g. ``.answer.json``.
    per_key : bool, optional
        As for :func:`~gdtutor.safeload.loads_answers`.

    Returns
    -------
    dict
        As :func:`~gdtutor.safeload.loads_answers`.

    Raises
    ------
    LoadError
        If the file cannot be opened or read, or its content is refused.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / ".answer.json"
    ...     _ = path.write_text('{"fn_history_2": [1280.0, 1215.5]}')
    ...     print(load_answers(path))
    {'fn_history_2': [1280.0, 1215.5]}
    """
    return loads_answers(_read(path), per_key=per_key)


def _read(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the answer file at ``path``, read once (a LoadError for a file that is
    not a regular file, larger than :data:`MAX_BYTES` or cannot be read)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise LoadError(error.strerror or str(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(
                "is a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            )
        if info.st_size > MAX_BYTES:
            raise LoadError(_too_big(info.st_size))
        # A first read of the size fstat gave, then more until the end: the file may have
        # grown since (past MAX_BYTES, loads_answers refuses it).
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, min(max(info.st_size - size, 2**16), MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise LoadError(error.strerror or str(error)) from None
    finally:
        os.close(fd)
    return b"".join(chunks)
