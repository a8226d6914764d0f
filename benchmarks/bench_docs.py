"""Measure the site build: clean build time, no-change rebuild, stale detection, determinism,
each page's own weight, and the heaviest page's transfer size.

Run from the repository root in an environment with the docs extras installed (for example
``nox -s docs`` once, then ``.nox/docs/bin/python benchmarks/bench_docs.py``); transfer sizes
need Chromium and Playwright (``--no-browser`` skips them). It builds into a scratch folder
and leaves docs/_build alone, except for the execution caches it is told to clear.

Targets: clean build ≤ 60 s; no-change rebuild ≤ 5 s; heaviest page ≤ 1.5 MB transferred;
each page's own download (its HTML, gzipped as hosts serve it, and its images at their 2x
size, without the theme's shared assets) ≤ 400 KB, except the page of the animation, whose
frames are embedded in its HTML.
``--weights-only`` prints the page-weight table of the existing build in docs/_build/html.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CACHES = [
    DOCS / "auto_examples",
    DOCS / "gen_modules",
    DOCS / "_build" / ".jupyter_cache",
]


def build(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-q",
            "-W",
            "--keep-going",
            "-n",
            "-d",
            str(out / "doctrees"),
            str(DOCS),
            str(out / "html"),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def wipe_caches() -> None:
    for path in CACHES:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def printed_numbers(html: Path) -> dict[str, list[str]]:
    """The text of every output block of the lessons and executed pages."""
    pattern = re.compile(r'<div class="(?:sphx-glr-script-out|output[^"]*)".*?</div>', re.S)
    return {
        str(page.relative_to(html)): pattern.findall(page.read_text(encoding="utf-8"))
        for page in sorted(html.rglob("*.html"))
    }


OWN_BYTES_TARGET = 400_000
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'\b(src|srcset)="([^"]*)"')


def own_bytes(html: Path, page: str) -> tuple[int, int, int]:
    """The bytes of a page's own content: (its HTML, its HTML gzip-compressed, its images).

    A reader downloads the HTML compressed (static hosts serve it gzipped) and the images as
    they are. Images count once each, at the largest candidate of their ``srcset`` (what a
    reader with a high-density screen downloads); images of the theme's shared ``_static``
    folder and ``data:`` images (already part of the HTML) do not count.
    """
    path = html / page
    text = path.read_text(encoding="utf-8")
    files = set()
    for tag in _IMG.findall(text):
        attrs = dict(_ATTR.findall(tag))
        candidates = [c.strip().split()[0] for c in attrs.get("srcset", "").split(",") if c.strip()]
        sources = candidates or [attrs.get("src", "")]
        local = [
            (path.parent / s).resolve()
            for s in sources
            if s and not s.startswith(("data:", "http:", "https:"))
        ]
        local = [f for f in local if "_static" not in f.relative_to(html.resolve()).parts]
        if local:
            files.add(max(local, key=lambda f: f.stat().st_size))
    raw = path.read_bytes()
    return len(raw), len(gzip.compress(raw, compresslevel=6)), sum(f.stat().st_size for f in files)


def own_weights(html: Path) -> list[tuple[int, int, int, str]]:
    """(HTML, gzipped HTML, image bytes, page) for every page, heaviest download first."""
    pages = [
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if p.relative_to(html).parts[0] != "_static"
    ]
    return sorted(((*own_bytes(html, p), p) for p in pages), key=lambda r: -(r[1] + r[2]))


def print_own_weights(html: Path) -> None:
    """Print every page's own weight; "download" is the gzipped HTML plus the images."""
    rows = own_weights(html)
    print(f"{'download KB':>11} {'HTML KB':>8} {'gzipped':>8} {'images KB':>10}  page")
    for raw, packed, images, page in rows:
        print(f"{(packed + images) / 1e3:11.1f} {raw / 1e3:8.1f} {packed / 1e3:8.1f} "
              f"{images / 1e3:10.1f}  {page}")  # fmt: skip
    bounded = [r for r in rows if "_anim_img" not in (html / r[3]).read_text(encoding="utf-8")]
    _, packed, images, page = bounded[0]
    print(
        f"heaviest own download (animation page aside): {(packed + images) / 1e3:.1f} KB "
        f"({page}; target <= {OWN_BYTES_TARGET / 1e3:.0f} KB)"
    )


def page_weights(html: Path) -> list[tuple[int, str]]:
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = [
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if p.relative_to(html).parts[0] != "_static"
    ]
    weights = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        for page_path in pages:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/{page_path}", wait_until="networkidle")
            transferred = page.evaluate(
                "() => performance.getEntriesByType('navigation')"
                ".concat(performance.getEntriesByType('resource'))"
                ".reduce((total, e) => total + e.transferSize, 0)"
            )
            weights.append((int(transferred), page_path))
            context.close()
        browser.close()
    server.shutdown()
    return sorted(weights, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip transfer sizes")
    parser.add_argument(
        "--weights-only",
        action="store_true",
        help="only print the own-weight table of the existing build in docs/_build/html",
    )
    args = parser.parse_args()
    if args.weights_only:
        print_own_weights(DOCS / "_build" / "html")
        return
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "first", Path(tmp) / "second"
        wipe_caches()
        t_clean = build(first)
        t_cached = build(second)  # fresh output, execution caches kept
        t_nochange = build(second)  # same output again: the incremental no-change rebuild
        same = printed_numbers(first / "html") == printed_numbers(second / "html")
        wipe_caches()
        t_clean2 = build(Path(tmp) / "third")
        same2 = printed_numbers(first / "html") == printed_numbers(Path(tmp) / "third" / "html")
        # A change to the package must re-execute the lessons that use it.
        stamp = DOCS / "auto_examples" / ".gdtutor-source-hash"
        stamp.write_text("changed")
        t_stale = build(Path(tmp) / "fourth")
        print(f"clean build (nothing cached):        {t_clean:6.1f} s   (target <= 60 s)")
        print(f"clean build, second time:            {t_clean2:6.1f} s")
        print(f"fresh output, execution cached:      {t_cached:6.1f} s")
        print(f"no-change rebuild (incremental):     {t_nochange:6.1f} s   (target <= 5 s)")
        print(f"rebuild after a package change:      {t_stale:6.1f} s   (re-executes lessons)")
        print(f"no-change rebuild / clean build:     {t_nochange / t_clean:6.3f}")
        print(f"printed outputs identical, cached vs clean: {same}; clean vs clean: {same2}")
        print_own_weights(first / "html")
        if not args.no_browser:
            weights = page_weights(first / "html")
            for size, page in weights[:5]:
                print(f"  {size / 1e6:5.2f} MB  {page}")
            print(f"heaviest page: {weights[0][0] / 1e6:.2f} MB (target <= 1.5 MB)")


if __name__ == "__main__":
    main()
