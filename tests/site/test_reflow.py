"""WCAG's reflow: every page read on a screen 320 CSS pixels wide (a phone's narrowest, and
a desktop window at 400 % zoom), in its own module so that pytest-xdist can give it to
another worker than the visits of tests/site/test_browser.py."""

from __future__ import annotations

import pytest

from tests.site.conftest import OTHER_MODES, PROBE, SETTLED, site_pages

PAGES = site_pages()


@pytest.fixture(scope="module")
def small_phone(browser):  # type: ignore[no-untyped-def]
    """One tab 320 CSS pixels wide: a phone's narrowest screen, and a desktop window at 400 %
    zoom (WCAG's reflow)."""
    context = browser.new_context(**OTHER_MODES["small-phone"])
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_a_320_pixel_screen_reads_each_page_without_scrolling_sideways(  # type: ignore[no-untyped-def]
    small_phone, site_url: str, page_path: str
) -> None:
    """Nothing on the page (a long name, a download's file name, a formula, an API field's
    type, an index entry) is wider than the column: only code, formulas and tables scroll in
    their own boxes. (The search page's passages: test_reader.)"""
    small_phone.goto(f"{site_url}/{page_path}", wait_until="load")
    small_phone.evaluate(SETTLED)
    probe = small_phone.evaluate(f"({PROBE})")
    overflow = {k: probe[k] for k in ("page_overflow", "content_overflow", "column_overflow")}
    assert max(overflow.values()) <= 0, f"{page_path}: {overflow}"
