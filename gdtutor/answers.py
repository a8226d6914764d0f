"""The course notebook's answer file: the reference answers and writing them.

The notebook saves a dict to ``.answer.json`` with json_tricks.
:func:`~gdtutor.answers.reference_answers` computes the same dict the notebook's solved cells
produce, with the notebook's own definitions, so that a learner's file can be compared with it
number by number.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import json_tricks
import numpy as np
import torch

from gdtutor.descent import gradient_descent
from gdtutor.optim import optimize
from gdtutor.record import Trajectory

__all__ = [
    "ANSWER_KEYS",
    "NOTEBOOK_LR",
    "NOTEBOOK_START",
    "NOTEBOOK_STEPS",
    "NOTEBOOK_X",
    "notebook_skewed",
    "reference_answers",
    "write_answers",
]

#: The keys of the notebook's answer file, in the order its cells fill them.
ANSWER_KEYS: tuple[str, ...] = (
    "X_grad",
    "var_history_2",
    "fn_history_2",
    "var_history_3",
    "fn_history_3",
    "var_history_4",
    "fn_history_4",
)

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
#: Learning rates of the notebook's runs, for hand-written descent, SGD and AdamW.
NOTEBOOK_LR: dict[str, float] = {"manual": 0.001, "SGD": 0.001, "AdamW": 1.0}


def notebook_skewed(variable: torch.Tensor) -> torch.Tensor:
    """The skewed quadratic exactly as the notebook writes it, with matrix products.

    Mathematically equal to :func:`gdtutor.skewed`; kept so that the reference answers
    reproduce the notebook's float32 rounding.

    Parameters
    ----------
    variable : torch.Tensor
        One point, shape ``(2,)``, float32.

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
    gramma = torch.tensor([[1.0, -1.0], [1.0, 1.0]]) @ torch.tensor([[1.0, 0.0], [0.0, 4.0]])
    return 10 * (variable.unsqueeze(0) @ (gramma @ variable.unsqueeze(1))).sum()


def _history(run: Trajectory) -> tuple[list[np.ndarray], list[np.ndarray]]:
    # The notebook appends float32 arrays: a (2,) array per point and a 0-d array per value.
    return [p.copy() for p in run.points], [np.array(v) for v in run.values]


def _run(suffix: str) -> Trajectory:
    if suffix == "2":
        return gradient_descent(
            notebook_skewed, NOTEBOOK_START, NOTEBOOK_LR["manual"], NOTEBOOK_STEPS
        )
    name = {"3": "SGD", "4": "AdamW"}[suffix]
    return optimize(
        notebook_skewed,
        NOTEBOOK_START,
        name,
        NOTEBOOK_STEPS,
        recording="notebook",
        lr=NOTEBOOK_LR[name],
    )


def reference_answers(keys: Iterable[str] | None = None) -> dict[str, Any]:
    """Compute the notebook's answer dict as its solved cells would.

    ``X_grad`` is the gradient of :math:`10 \\sum x_{ij}^2` at :data:`~gdtutor.answers.NOTEBOOK_X`;
    ``*_2`` come from 500 hand-written gradient steps with :math:`\\alpha = 0.001`, recorded
    before each step; ``*_3`` and ``*_4`` from ``SGD(lr=0.001)`` and ``AdamW(lr=1)`` (torch's
    defaults otherwise), recorded as the notebook does: the point after each step next to the
    value before it. All runs are float32 on the CPU from (8, 8).

    Parameters
    ----------
    keys : iterable of str, optional
        Compute only these keys (and only the runs they need); all of
        :data:`~gdtutor.answers.ANSWER_KEYS` by default.

    Returns
    -------
    dict
        The keys mapped to a float32 array (``X_grad``) or lists of float32 arrays.

    Raises
    ------
    ValueError
        If a key is not one of the notebook's.

    Examples
    --------
    >>> answers = reference_answers()
    >>> print(answers["X_grad"][0])
    [20. 40. 60. 80.]
    >>> len(answers["var_history_3"]), answers["var_history_3"][0].shape
    (500, (2,))
    >>> sorted(reference_answers(["fn_history_4"]))
    ['fn_history_4']
    """
    wanted = list(ANSWER_KEYS) if keys is None else list(keys)
    unknown = [k for k in wanted if k not in ANSWER_KEYS]
    if unknown:
        raise ValueError(f"keys must be among {list(ANSWER_KEYS)}, got unknown {unknown}")
    answers: dict[str, Any] = {}
    if "X_grad" in wanted:
        X = torch.tensor(NOTEBOOK_X, requires_grad=True)
        (10 * (X**2).sum()).backward()
        answers["X_grad"] = X.grad.clone().numpy()  # type: ignore[union-attr]
    for suffix in ("2", "3", "4"):
        names = (f"var_history_{suffix}", f"fn_history_{suffix}")
        if any(name in wanted for name in names):
            points, values = _history(_run(suffix))
            answers.update(
                {k: v for k, v in zip(names, (points, values), strict=True) if k in wanted}
            )
    return {key: answers[key] for key in ANSWER_KEYS if key in answers}


def write_answers(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write :func:`~gdtutor.answers.reference_answers` to ``path`` with json_tricks.

    The notebook writes its answer file the same way.

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

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write_answers(pathlib.Path(tmp) / "reference.json")
    ...     print(written.name, written.stat().st_size > 0)
    reference.json True
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (or --force) to replace it")
    text = json_tricks.dumps(reference_answers())
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave a half-written file behind
        raise
    return path
