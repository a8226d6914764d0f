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
    at_320, page_path: str
) -> None:
    """Nothing on the page (a long name, a download's file name, a formula, an API field's
    type, an index entry) is wider than the column: only code, formulas and tables scroll in
    their own boxes. (The search page's passages: test_reader.)"""
    probe = at_320(page_path)["probe"]
    overflow = {k: probe[k] for k in ("page_overflow", "content_overflow", "column_overflow")}
    assert max(overflow.values()) <= 0, f"{page_path}: {overflow}"


#: Each word of the text of an API summary table's signatures, of an API page's entries
#: (not their code blocks or formulas), of its title and of the links to the pages before and
#: after it that the browser splits across lines elsewhere than after a hyphen or before a
#: bracket (or a dot or an underscore marked as a place to break).
SPLIT_WORDS = """
() => [...document.querySelectorAll(
  "table.autosummary td:first-child p, article dl.py, article h1, .prev-next-title")]
  .flatMap((root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => node.parentElement.closest("pre, .katex, .headerlink")
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    const words = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A word may break after a hyphen ("hand-|written") and before a bracket ("*|[, lr"),
      // as text does: each piece, up to and with its hyphen, must be on one line; a number
      // with an exponent (1e-05) is one piece.
      const pieces = /\\d+(?:\\.\\d*)?e[-+]\\d+|[[(]*[^\\s[(-]+-?|[[(]+|-/g;
      for (const match of node.data.matchAll(pieces)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (lines.size > 1) words.push(match[0]);
      }
    }
    return words;
  })
"""


#: The fields of an API page (a parameter's, an attribute's) whose type does not begin on
#: the line its name ends on: their line began with the type's colon.
TYPE_OFF_ITS_NAME = """
() => [...document.querySelectorAll("article dl.simple > dt > .classifier")]
  .filter((type) => {
    const name = type.previousElementSibling;
    const end = name && [...name.getClientRects()].pop();
    const start = type.getClientRects()[0];
    return end && start && Math.abs(end.top - start.top) > 2;
  })
  .map((type) => type.parentElement.textContent)
"""


@pytest.fixture(scope="module")
def at_320(small_phone, site_url: str):  # type: ignore[no-untyped-def]
    """What a page shows on the 320-pixel screen, read in one visit per page: the page probe,
    and the words split across lines (see SPLIT_WORDS)."""
    read: dict[str, dict] = {}

    def visit(page_path: str) -> dict:
        if page_path not in read:
            small_phone.goto(f"{site_url}/{page_path}", wait_until="load")
            small_phone.evaluate(SETTLED)
            read[page_path] = {
                "probe": small_phone.evaluate(f"({PROBE})"),
                "split_words": small_phone.evaluate(SPLIT_WORDS),
                "types_off_their_names": small_phone.evaluate(TYPE_OFF_ITS_NAME),
                "tables_that_scroll": small_phone.evaluate(TABLES_THAT_SCROLL),
            }
        return read[page_path]

    return visit


#: The tables in a page's text (not an API summary, which a phone reads as a list) that
#: scroll sideways, by their first row's text and how far.
TABLES_THAT_SCROLL = """
() => [...document.querySelectorAll("article .pst-scrollable-table-container")]
  .filter((box) => !box.querySelector("table.autosummary") && box.scrollWidth > box.clientWidth)
  .map((box) => [box.querySelector("tr").textContent.trim().slice(0, 40),
                 box.scrollWidth - box.clientWidth])
"""


@pytest.mark.parametrize("page_path", PAGES)
def test_a_320_pixel_screen_shows_every_column_of_a_table(at_320, page_path: str) -> None:  # type: ignore[no-untyped-def]
    """A table that scrolled by a few pixels hid part of its last column, with nothing on
    screen to say the rest was there (the step-size page's quantities)."""
    assert at_320(page_path)["tables_that_scroll"] == [], page_path


@pytest.mark.parametrize(
    "page_path", [p for p in PAGES if p == "api.html" or p.startswith("gen_modules/")]
)
def test_api_pages_break_lines_between_words_at_320_pixels(  # type: ignore[no-untyped-def]
    at_320, page_path: str
) -> None:
    """ "(objectiv|e, xlim, ylim)", "matplotlib.contour.QuadCo|ntourSet": a summary's arguments
    go to the next line whole, after the name, and a long name breaks after a dot."""
    assert at_320(page_path)["split_words"] == [], page_path
    # "values" / ": Trajectory or array_like of float": a type follows its name's line.
    assert at_320(page_path)["types_off_their_names"] == [], page_path


@pytest.mark.parametrize("width", [360, 390])
def test_the_step_size_table_fits_the_common_phone_widths(
    browser, site_url: str, width: int
) -> None:  # type: ignore[no-untyped-def]
    """360 px is the most common Android width: the table scrolled there by 4 px."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{site_url}/theory/step_size.html", wait_until="load")
    page.evaluate(SETTLED)
    scrolling = page.evaluate(TABLES_THAT_SCROLL)
    context.close()
    assert scrolling == []
