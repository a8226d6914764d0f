"""The one helper that makes a record's arrays read-only, in a module that needs only numpy
(the answer checker uses it without importing torch)."""

from __future__ import annotations

import numpy as np

__all__ = ["frozen"]


def frozen(array: np.ndarray) -> np.ndarray:
    """Make ``array`` read-only and return it: a run's record never changes."""
    array.setflags(write=False)
    return array
