"""Fixtures for tests of the built site: a local HTTP server and one headless Chromium.

The site is served on 127.0.0.1 under the same path as where it is published (the path of
``html_baseurl``, which the 404 page's links depend on), and a missing page answers with the
site's 404 page, as the host does. All browser tests share one Chromium; the visits of
the pages in one colour mode share one tab (see ``visit``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import io
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import filelock
import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "docs" / "_build" / "html"
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = os.environ.get("GDTUTOR_CHROMIUM", "/usr/bin/chromium")
FIREFOX = os.environ.get("GDTUTOR_FIREFOX", "/usr/bin/firefox-esr")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    # A reader with no network: every host but the site's fails to resolve. (Requests are
    # watched, not intercepted: intercepting them would turn off the browser's cache.)
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def site_pages(html: Path = HTML) -> list[str]:
    """Every page of the built site; _static/ holds theme assets (template fragments)."""
    if not html.is_dir():
        return []
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if p.relative_to(html).parts[0] != "_static"
    )


def published_path(html: Path = HTML) -> str:
    """The path the site is published under ("/en/latest/"), from its canonical links."""
    index = (html / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link rel="canonical" href="([^"]+)"', index)
    return urlparse(match[1]).path.rsplit("/", 1)[0] + "/" if match else "/"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.site)


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built site at {HTML}: run `nox -s docs` first")
    return HTML


#: Where the test server answers with the test tools (axe-core), outside the site's path.
TOOLS = "/_test-tools/"


def _handler(directory: Path, prefix: str) -> type[http.server.SimpleHTTPRequestHandler]:
    class SiteHandler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(directory), **kwargs)  # type: ignore[misc]

        def log_message(self, format: str, *args: object) -> None:
            pass

        def send_head(self):  # type: ignore[no-untyped-def]
            if self.path == TOOLS + "axe.min.js":
                # Cached by the browser, which then keeps its compiled code too.
                body = (NODE_MODULES / "axe-core" / "axe.min.js").read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "text/javascript")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                return io.BytesIO(body)
            if not self.path.startswith(prefix):
                self.send_error(404)
                return None
            self.path = "/" + self.path[len(prefix) :]
            if not Path(self.translate_path(self.path)).exists():
                # Like the host: a missing page answers 404 with the site's own 404 page.
                body = (directory / "404.html").read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return None
            return super().send_head()

    return SiteHandler


class _QuietServer(http.server.ThreadingHTTPServer):
    """A server that says nothing when a browser stops reading a response it no longer wants
    (a page left while its figures load); any other error is printed as usual."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site_url(html_dir: Path) -> Iterator[str]:
    """The site's address on 127.0.0.1 (only), on a free port, without a trailing slash."""
    prefix = published_path(html_dir)
    server = _QuietServer(("127.0.0.1", 0), _handler(html_dir, prefix))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix.rstrip('/')}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """One headless Chromium for the whole session."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def node_modules() -> Path:
    if not (NODE_MODULES / "axe-core" / "axe.min.js").is_file():
        pytest.fail(f"{NODE_MODULES} lacks the test tools: run `npm ci` in {ROOT}")
    return NODE_MODULES


PROBE = (Path(__file__).parent / "probe.js").read_text(encoding="utf-8")
# Everything an image on the page is: where it came from, how large it is and is shown.
#: Once the page's fonts have loaded and its colour transitions have ended.
SETTLED = """
() => Promise.all([
  document.fonts.ready,
  ...document.getAnimations()
    .filter((animation) => animation instanceof CSSTransition)
    .map((animation) => animation.finished.catch(() => null)),
]).then(() => true)
"""
IMAGES = """
() => [...document.images].map(img => ({
  src: img.currentSrc || img.src, alt: img.getAttribute("alt"),
  loaded: img.complete && img.naturalWidth > 0,
  natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
  in_article: !!img.closest("article"), id: img.id,
  decorative: !!img.closest(".sphx-glr-thumbcontainer"),
  figure: img.matches(".sphx-glr-single-img, .sphx-glr-multi-img img, .cell_output img"),
}))
"""
# The page's navigation aids: its table of contents, toctrees, source link, copy buttons.
LAYOUT = """
() => {
  const article = document.querySelector("article");
  const shown = (el) =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const links = (sel) => [...document.querySelectorAll(sel)];
  const tree = links("article .toctree-wrapper a").map(a => a.href);
  const elsewhere = links("article a").filter(a => !a.closest(".toctree-wrapper")).map(a => a.href);
  // Code blocks, and parsed literal blocks (commands with links in them) wherever they are.
  const code = links("div.highlight pre, pre.literal-block")
    .filter(p => !p.closest(".sphx-glr-script-out, .output"));
  const output = links(".sphx-glr-script-out pre, .output pre");
  // sphinx-copybutton puts its button right after the block (not in another block nearby).
  const button = (pre) =>
    [...pre.parentElement.children].some((el) => el.matches("button.copybtn"));
  return {
    height: document.documentElement.scrollHeight,
    sections: article ? article.querySelectorAll("h2").length : 0,
    toc_links: links(".bd-sidebar-secondary nav.page-toc a").filter(shown).length,
    toctree_duplicates: tree.filter(h => elsewhere.includes(h)),
    source_links: links("a").filter(a => /show source/i.test(a.textContent)).map(a => a.href),
    code_blocks: code.length,
    code_without_button: code.filter(p => !button(p)).length,
    output_with_button: output.filter(button).length,
    // The space between each gallery figure and what follows it on the page.
    figure_gaps: links("article img.sphx-glr-single-img").map(img => {
      const next = (img.closest("a") || img).nextElementSibling;
      return next ? next.getBoundingClientRect().top - img.getBoundingClientRect().bottom : null;
    }).filter(gap => gap !== null),
    // How far below the text a link to a name in code draws its underline, in em of the code.
    code_link_offsets: links("article a > code").map(code =>
      parseFloat(getComputedStyle(code.parentElement).textUnderlineOffset) /
      parseFloat(getComputedStyle(code).fontSize)),
    scrollbar_color: getComputedStyle(document.documentElement).scrollbarColor,
  };
}
"""
# axe-core's rules for WCAG 2.1 A and AA and its best practices; violations of critical or
# serious impact only.
AXE = """
async () => (await axe.run(document, {
  runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
  resultTypes: ["violations"],
})).violations
  .filter(v => v.impact === "critical" || v.impact === "serious")
  .flatMap(v => v.nodes.map(n => ({rule: v.id, target: n.target.join(" "), html: n.html,
                                   why: n.failureSummary})))
"""


@dataclass
class Visit:
    """What one visit of one page recorded."""

    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    theme: str = ""
    probe: dict = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)
    layout: dict = field(default_factory=dict)
    axe: list[dict] = field(default_factory=list)


def watch(page: Any, site: tuple[str, ...], report: Callable[[], Visit]) -> None:
    """Record in ``report()`` what a tab requests outside the addresses in ``site``, what
    fails to load, and the console's errors (the browser's flags keep it off the network)."""
    page.on(
        "request",
        lambda req: (
            req.url.startswith((*site, "data:", "blob:", "about:"))
            or report().outside.append(req.url)
        ),
    )
    page.on("console", lambda msg: msg.type == "error" and report().console.append(msg.text))
    page.on("pageerror", lambda exc: report().console.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda req: report().failed.append(f"{req.url} ({req.failure})"))
    page.on(
        "response",
        lambda resp: (
            resp.status >= 400 and report().failed.append(f"{resp.url} (HTTP {resp.status})")
        ),
    )


MODES = {
    # A desktop reader whose system is in light mode, and a phone reader in dark mode, both
    # with high-density screens (which pick the figures' 2x files).
    "desktop-light": {"viewport": DESKTOP, "color_scheme": "light", "device_scale_factor": 2},
    "phone-dark": {"viewport": PHONE, "color_scheme": "dark", "device_scale_factor": 2},
}
#: Modes that only some tests visit: a small phone (320 px wide), where some formulas are
#: wider than the column, so that the checks of a formula that scrolls have one to check.
OTHER_MODES = {
    "small-phone": {"viewport": {"width": 320, "height": 640}, "color_scheme": "light"},
}


@pytest.fixture(scope="session")
def visits_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder that all of the run's test processes share (pytest-xdist's workers too)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "visits"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def visit(
    browser, site_url: str, node_modules: Path, visits_dir: Path
) -> Iterator[Callable[[str, str], Visit]]:  # type: ignore[no-untyped-def]
    """Visit a page in a mode of MODES, once per run, as a reader with no network.

    Each mode has one browser tab (its own context: colour scheme, viewport, screen
    density) that goes from page to page as a reader's does, keeping its cache; what a page
    stored (local and session storage) is cleared after its visit. Reports are kept in
    ``visits_dir``, and a visit under way there is locked: a page that another test process
    has visited or is visiting (the Firefox tests compare with Chromium's visits of the
    pages with math, the reader tests read the layout) is not visited again.
    """
    cache: dict[tuple[str, str], Visit] = {}
    address = urlparse(site_url)
    origin = f"{address.scheme}://{address.netloc}"
    axe_url = origin + TOOLS + "axe.min.js"  # by address: cached with its compiled code
    tabs: dict[str, Any] = {}
    loading: dict[str, set] = {}  # each tab's requests under way
    report = Visit()  # the visit under way; the tabs' listeners write to it

    def tab(mode: str) -> Any:
        if mode in tabs:
            return tabs[mode]
        context = browser.new_context(**{**MODES, **OTHER_MODES}[mode])
        page = context.new_page()
        watch(page, (site_url, axe_url), lambda: report)
        pending: set = set()
        loading[mode] = pending
        page.on("request", lambda request: pending.add(request))
        page.on("requestfinished", lambda request: pending.discard(request))
        page.on("requestfailed", lambda request: pending.discard(request))
        tabs[mode] = page
        return page

    def run(page_path: str, mode: str) -> Visit:
        if (page_path, mode) in cache:
            return cache[page_path, mode]
        saved = visits_dir / (hashlib.sha256(f"{page_path} {mode}".encode()).hexdigest() + ".json")
        with filelock.FileLock(saved.with_suffix(".lock")):
            if not saved.is_file():
                _visit(page_path, mode, saved)
            cache[page_path, mode] = Visit(**json.loads(saved.read_text(encoding="utf-8")))
        return cache[page_path, mode]

    def _visit(page_path: str, mode: str, saved: Path) -> None:
        nonlocal report
        report = Visit()
        page = tab(mode)
        page.goto(f"{site_url}/{page_path}", wait_until="load")
        # Every script, stylesheet and image has loaded; the fonts that the page's text
        # uses load as it is laid out, and the colours that the theme eases in (its buttons')
        # settle: axe and the probe read them.
        page.evaluate(SETTLED)
        report.theme = page.evaluate("document.documentElement.dataset.theme")
        report.probe = page.evaluate(f"({PROBE})")
        report.images = page.evaluate(IMAGES)
        report.layout = page.evaluate(LAYOUT)
        page.add_script_tag(url=axe_url)
        report.axe = page.evaluate(AXE)
        page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        # The page's last requests (Chromium asks for the favicon after the load) end before
        # the next page opens, which would cancel them; the browser's events come with each
        # call to it, so that the wait also delivers this page's late events to its report.
        deadline = time.monotonic() + 30
        page.wait_for_timeout(20)
        while loading[mode] and time.monotonic() < deadline:
            page.wait_for_timeout(20)
        report.failed += [f"{request.url} (still loading after 30 s)" for request in loading[mode]]
        loading[mode].clear()  # reported once, and not waited for again
        done, report = report, Visit()
        partial = saved.with_suffix(f".{os.getpid()}.part")
        partial.write_text(json.dumps(dataclasses.asdict(done)), encoding="utf-8")
        partial.replace(saved)  # whole or not at all for a process that reads it

    yield run
    for page in tabs.values():
        page.context.close()


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
