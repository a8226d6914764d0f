"""Visit every page of the built site in headless Chromium, as a reader with no network.

For each page: no request leaves the site, nothing fails to load, the console shows no
error, every image has loaded, and every formula has been laid out as MathML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.site.conftest import HTML

# Every page of the site; _static/ holds theme assets (a template fragment), not pages.
PAGES = (
    sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if p.relative_to(HTML).parts[0] != "_static"
    )
    if HTML.is_dir()
    else []
)

# Math is MathML made at build time: every formula must be a laid-out <math> element with
# some size, and no TeX may be left as text on the page.
MATH_REPORT = r"""
() => {
  const math = [...document.querySelectorAll('.math')];
  // TeX inside code listings (the package's own source, say) is code, not math.
  const prose = document.body.cloneNode(true);
  prose.querySelectorAll('pre, code, .highlight, math, script, style').forEach(e => e.remove());
  const body = prose.textContent;
  return {
    formulas: math.length,
    untypeset: math
      .filter(m => {
        const el = m.querySelector('math');
        return !el || el.getBoundingClientRect().width === 0;
      })
      .map(m => m.textContent.slice(0, 60)),
    raw_tex: (body.match(/\\\(|\\\[|\$\$|\\begin\{|\\frac|\\alpha/g) || []).slice(0, 5),
    errors: [...document.querySelectorAll('merror')].map(e => e.textContent),
  };
}
"""

IMAGE_REPORT = """
() => [...document.images]
  .filter(img => !(img.complete && img.naturalWidth > 0))
  .map(img => img.currentSrc || img.src)
"""


@dataclass
class PageReport:
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def _visit(browser, site_url: str, page_path: str) -> tuple[PageReport, dict, list[str]]:  # type: ignore[no-untyped-def]
    report = PageReport()
    context = browser.new_context()

    def route(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(site_url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            report.outside.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and report.console.append(msg.text))
    page.on("pageerror", lambda exc: report.console.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda req: report.failed.append(f"{req.url} ({req.failure})"))
    page.on(
        "response",
        lambda resp: (
            resp.status >= 400 and report.failed.append(f"{resp.url} (HTTP {resp.status})")
        ),
    )
    page.goto(f"{site_url}/{page_path}", wait_until="load")
    math = page.evaluate(MATH_REPORT)
    page.wait_for_load_state("networkidle")
    broken_images = page.evaluate(IMAGE_REPORT)
    context.close()
    return report, math, broken_images


@pytest.mark.parametrize("page_path", PAGES)
def test_page_works_offline(browser, site_url: str, page_path: str) -> None:  # type: ignore[no-untyped-def]
    report, math, broken_images = _visit(browser, site_url, page_path)
    assert report.outside == [], f"{page_path} requests outside the site: {report.outside}"
    failed = [f for f in report.failed if not f.startswith(tuple(report.outside))]
    assert failed == [], f"{page_path} has failed requests: {failed}"
    assert report.console == [], f"{page_path} logs console errors: {report.console}"
    assert broken_images == [], f"{page_path} has images that did not load: {broken_images}"
    assert math["untypeset"] == [], f"{page_path} has formulas that were not laid out: {math}"
    assert math["raw_tex"] == [], f"{page_path} shows raw TeX: {math['raw_tex']}"
    assert math["errors"] == [], f"{page_path} has math errors: {math['errors']}"


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
