"""Every page with math renders it in Firefox ESR as in Chromium, on a phone and a desktop.

Firefox is driven by puppeteer-core (from node_modules) and runs the same probe as the
Chromium tests (probe.js); each formula must come out the same width in both browsers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.site.conftest import DESKTOP, FIREFOX, HTML, PHONE, site_pages
from tests.site.test_browser import MATH_FACTS

MATH_PAGES = [p for p in site_pages() if 'class="katex"' in (HTML / p).read_text(encoding="utf-8")]
WIDTHS = {PHONE["width"]: "phone-dark", DESKTOP["width"]: "desktop-light"}


@pytest.fixture(scope="module")
def firefox_reports(site_url: str, node_modules: Path) -> dict:
    if not Path(FIREFOX).is_file():
        pytest.fail(f"Firefox not found at {FIREFOX}: install Debian's firefox-esr package")
    if not (node_modules / "puppeteer-core").is_dir() or shutil.which("node") is None:
        pytest.fail("Node.js and puppeteer-core are needed: run `npm ci`")
    script = Path(__file__).with_name("firefox.mjs")
    widths = ",".join(str(w) for w in WIDTHS)
    done = subprocess.run(
        ["node", str(script), FIREFOX, site_url, widths, *MATH_PAGES],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_site_has_math_pages() -> None:
    assert len(MATH_PAGES) >= 3


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", MATH_PAGES)
def test_math_renders_in_firefox_as_in_chromium(
    firefox_reports: dict, visit, page_path: str, width: int
) -> None:  # type: ignore[no-untyped-def]
    firefox = firefox_reports[page_path][str(width)]
    wrong = {fact: firefox[fact] for fact in MATH_FACTS if firefox[fact]}
    assert wrong == {}, f"{page_path} at {width} px in Firefox: {wrong}"
    assert firefox["fonts_loaded"] > 0 and firefox["page_overflow"] <= 0, firefox
    chromium = visit(page_path, WIDTHS[width]).probe
    assert firefox["formulas"] == chromium["formulas"]
    differ = [
        (i, c, f)
        for i, (c, f) in enumerate(zip(chromium["widths"], firefox["widths"], strict=True))
        if abs(c - f) > max(2, 0.02 * c)
    ]
    assert differ == [], f"{page_path}: formula widths (index, Chromium, Firefox) {differ}"
