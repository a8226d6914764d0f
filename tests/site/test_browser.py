"""Visit every page of the built site in headless Chromium, as a reader with no network, on a
desktop in light mode and on a phone in dark mode.

For each page: nothing is requested from outside the site and nothing fails to load, the
console shows no error, the colour mode follows the reader's system, nothing makes the
article scroll sideways, every formula is KaTeX's (bold vectors bold, norms even, aligned
columns aligned, fitting a desktop's column and scrolling on a phone, nothing clipped, no
raw TeX, no punctuation mark after a formula alone at the start of a line), figures are
sharp on high-density screens and legible on a phone, and axe-core finds no critical or
serious accessibility violation that the site's own content or configuration causes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.site.conftest import HTML, MODES, ROOT, Visit, site_pages, watch

sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from site_assets import PHONE_FIGURE_PX

PAGES = site_pages()
#: The pages whose formulas include every kind that the math checks look at.
MATH_SAMPLE = [p for p in PAGES if p == "idea.html" or p.startswith("theory/")]


@pytest.mark.parametrize("page_path", PAGES)
def test_page_works_offline(visit, page_path: str) -> None:  # type: ignore[no-untyped-def]
    report = visit(page_path, "desktop-light")
    assert report.outside == [], f"{page_path} requests outside the site: {report.outside}"
    failed = [f for f in report.failed if not f.startswith(tuple(report.outside))]
    assert failed == [], f"{page_path} has failed requests: {failed}"
    assert report.console == [], f"{page_path} logs console errors: {report.console}"
    broken = [image["src"] for image in report.images if not image["loaded"]]
    assert broken == [], f"{page_path} has images that did not load: {broken}"


def test_a_request_to_another_host_is_seen_and_never_reaches_it(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """The visits' watch: what the offline checks above rest on. The other host is this
    machine by another name, so that without Chromium's flag that keeps the browser off every
    host but the site's, the image would load, network or none."""
    report = Visit()
    context = browser.new_context()
    try:
        page = context.new_page()
        watch(page, (site_url,), lambda: report)
        # Idle: the page's own requests (Chromium's late one for the favicon included) are
        # over before the image's, and closing the tab cancels none of them.
        page.goto(f"{site_url}/index.html", wait_until="networkidle")
        elsewhere = site_url.replace("127.0.0.1", "localhost", 1) + "/_static/favicon.svg"
        page.evaluate(
            """(src) => new Promise((done) => {
                 const img = new Image();
                 img.onload = img.onerror = done;
                 img.src = src;
               })""",
            elsewhere,
        )
    finally:
        context.close()
    assert report.outside == [elsewhere]
    assert report.failed == [f"{elsewhere} (net::ERR_NAME_NOT_RESOLVED)"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("page_path", PAGES)
def test_colour_mode_follows_the_system(visit, page_path: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    assert visit(page_path, mode).theme == MODES[mode]["color_scheme"]


MATH_FACTS = [
    "errors",
    "without_mathml",
    "raw_tex",
    "unstyled",
    "font_errors",
    "not_bold",
    "slanted_operators",
    "uneven_norms",
    "misaligned",
    "unscrollable",
    "unreachable",
    "idle_tab_stops",
    "left_cut",
    "clipped_inline",
    "lone_marks",
    "split_short",
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("page_path", PAGES)
def test_math_renders(visit, page_path: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    probe = visit(page_path, mode).probe
    wrong = {fact: probe[fact] for fact in MATH_FACTS if probe[fact]}
    assert wrong == {}, f"{page_path} ({mode}): {wrong}"
    if probe["formulas"]:
        assert probe["fonts_loaded"] > 0, f"{page_path}: KaTeX's fonts did not load"
    assert probe["page_overflow"] <= 0, (
        f"{page_path} ({mode}) is {probe['page_overflow']} px wider than the screen"
    )
    assert probe["content_overflow"] <= 0, (
        f"{page_path} ({mode}): content reaches {probe['content_overflow']} px past the article"
    )
    assert probe["column_overflow"] <= 0, (
        f"{page_path} ({mode}): the article's column scrolls {probe['column_overflow']} px"
    )
    assert probe["clipped_footer_links"] == [], f"{page_path} ({mode}): footer links cut off"
    assert probe["broken_words"] == [], f"{page_path} ({mode}): words broken across lines"
    assert probe["wide_page_toc"] == [], f"{page_path} ({mode}): 'On this page' too wide"
    if mode == "desktop-light":  # on a phone a wide formula scrolls; on a desktop it fits
        assert probe["wide_texts"] == [], f"{page_path}: formulas wider than the column"


def test_the_math_checks_had_math_to_check(visit) -> None:  # type: ignore[no-untyped-def]
    """The site's formulas include each kind the checks look at, so none passes vacuously.

    The idea page and the theory pages hold every kind; visiting only them keeps the other
    pages' visits on the workers that test those pages."""
    probes = [visit(p, "phone-dark").probe for p in PAGES if p in MATH_SAMPLE]
    for count in ("formulas", "bold", "operators", "norm_bars", "aligned_columns"):
        assert sum(p[count] for p in probes) > 0, f"no page has any {count}"
    # On a small phone some displayed formulas are wider than the column: they scroll, are
    # tab stops, and are not cut on the left.
    small = {p: visit(p, "small-phone").probe for p in PAGES if p in MATH_SAMPLE}
    assert sum(probe["wide_displays"] for probe in small.values()) > 0, "no formula is wide"
    for page, probe in small.items():
        wrong = {fact: probe[fact] for fact in MATH_FACTS if probe[fact]}
        assert wrong == {}, f"{page} (small phone): {wrong}"


def _file(site_url: str, src: str) -> Path | None:
    prefix = site_url + "/"
    return HTML / src[len(prefix) :] if src.startswith(prefix) else None


@pytest.mark.parametrize("page_path", PAGES)
def test_figures_are_sharp_on_high_density_screens(visit, site_url: str, page_path: str) -> None:  # type: ignore[no-untyped-def]
    report = visit(page_path, "desktop-light")  # a 2x screen
    blurry, embedded = [], 0
    for image in report.images:
        path = _file(site_url, image["src"])
        if not image["in_article"] or image["shown"] == 0:
            continue
        if path is not None:
            # Icons of the theme's shared _static folder are not figures.
            if "_static" in path.relative_to(HTML).parts:
                continue
            # (The browser's naturalWidth divides a srcset's 2x file by two.)
            with Image.open(path) as file:
                name, pixels = path.name, file.width
        elif image["src"].startswith("data:image/"):
            # The race's animation frames, embedded in its page.
            name, pixels = f"the image #{image['id']} (embedded)", image["natural"]
            embedded += 1
        else:
            continue
        if pixels < 2 * image["shown"] - 1:
            blurry.append(f"{name}: {pixels} px shown {image['shown']:.0f} CSS px wide")
    assert blurry == [], f"{page_path} has figures below 2x: {blurry}"
    assert embedded == (page_path == "auto_examples/plot_07_optimizers_race.html")


@pytest.mark.parametrize("page_path", PAGES)
def test_a_phone_shows_each_figure_as_wide_as_its_text_check_assumes(  # type: ignore[no-untyped-def]
    visit, site_url: str, page_path: str
) -> None:
    """The site build fails on figure text smaller than PHONE_TEXT_PX at the width a phone
    shows the figure, PHONE_FIGURE_PX (or its own width, if narrower): here, that a phone
    does show each figure at least that wide."""
    report = visit(page_path, "phone-dark")
    narrow = []
    for image in report.images:
        path = _file(site_url, image["src"])
        if not image["figure"] or path is None:
            continue
        with Image.open(path) as file:
            css_width = file.width / 2  # every figure is a 2x file
        if image["shown"] < min(PHONE_FIGURE_PX, css_width) - 1:
            narrow.append(f"{path.name}: shown {image['shown']:.0f} px wide")
    assert narrow == [], f"{page_path} shows figures narrower than {PHONE_FIGURE_PX} px: {narrow}"


def _real_alt(image: dict) -> bool:
    """Alt text that says what the image shows: not missing, not TeX, not a file name.

    A gallery card's thumbnail may be marked decorative (empty alt): the card's link names it.
    """
    alt = image["alt"]
    if alt is None or (alt == "" and not image["decorative"]):
        return False
    return not any(mark in alt for mark in ("$", "\\", ".png", "_images/"))


@pytest.mark.parametrize("page_path", PAGES)
def test_images_have_real_alt_text(visit, page_path: str) -> None:  # type: ignore[no-untyped-def]
    report = visit(page_path, "desktop-light")
    bad = [
        (image["src"][-50:], image["alt"])
        for image in report.images
        if image["in_article"] and not _real_alt(image)
    ]
    assert bad == [], f"{page_path} has images without real alt text: {bad}"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("page_path", PAGES)
def test_no_serious_accessibility_violations(visit, page_path: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    """No exclusions: what the theme and sphinx-gallery caused (the search field's label,
    the thumbnails' hidden link text, the source pages' link contrast) is fixed by a line of
    configuration or CSS (docs/conf.py, docs/_static/gdtutor.css)."""
    violations = visit(page_path, mode).axe
    summary = [f"{v['rule']}: {v['target']}: {v['html'][:120]}" for v in violations]
    assert summary == [], f"{page_path} ({mode}):\n" + "\n".join(summary)


def test_every_page_was_visited() -> None:
    """The page list comes from the build; make sure it is the whole site, lessons included."""
    assert "index.html" in PAGES
    assert any(p.startswith("auto_examples/plot_") for p in PAGES)
    assert len(PAGES) >= 10


def test_site_has_no_cdn_pages() -> None:
    """The gallery's execution-times page loads jQuery and DataTables from a CDN; it is off."""
    assert not any("sg_execution_times" in p for p in PAGES)
    offenders = [
        p for p in PAGES if "cdn." in (HTML / p).read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == [], f"pages that mention a CDN: {offenders}"
