"""The test run's own scheduling (tests/conftest.py) names test modules that exist."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import _LONGEST_SCRIPT_TEST, _LONGEST_UNITS, _SCRIPT_TESTS

ROOT = Path(__file__).resolve().parents[1]


def test_the_longest_units_handed_out_first_are_test_modules() -> None:
    """A module renamed or removed would silently drop out of the order."""
    assert len(_LONGEST_UNITS) == len(set(_LONGEST_UNITS)) >= 3
    assert [name for name in _LONGEST_UNITS if not (ROOT / name).is_file()] == []


def test_the_script_tests_handed_out_first_exist() -> None:
    """A renamed module or test would silently drop out of the order."""
    path, name = _LONGEST_SCRIPT_TEST.split("::")
    assert path == _SCRIPT_TESTS and (ROOT / path).is_file()
    assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8")
