"""Site-specific build steps for gdtutor's documentation.

* Re-run the lessons and executed pages when the gdtutor package changed since the last
  build: sphinx-gallery re-runs an example only when the example file changes, and
  myst-nb's cache keys on the notebook alone, so both would keep outputs of old code.
* Write the exercise version of every lesson that has marked blanks, and offer it next to
  sphinx-gallery's own downloads on the lesson page.
* Tidy what other tools write into a page: drop the CDN link of matplotlib's animation
  player and give the player's frame image alt text and its slider a label; let myst-nb's
  "Show code cell source" toggles be named by what they show; keep one viewport meta tag
  (the theme writes its own).
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def source_hash(package: Path) -> str:
    """A digest of every Python file of ``package`` (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def invalidate_stale_outputs(
    package: Path, stamp: Path, gallery_dirs: list[Path], notebook_cache: Path
) -> bool:
    """Forget executed outputs if ``package`` changed since ``stamp`` was written.

    Deletes sphinx-gallery's per-example checksums (so every example runs again) and
    myst-nb's execution cache, then records the package's new digest in ``stamp``.
    Returns whether anything was invalidated.
    """
    current = source_hash(package)
    if stamp.is_file() and stamp.read_text() == current:
        return False
    for gallery in gallery_dirs:
        for checksum in gallery.glob("**/*.md5"):
            checksum.unlink()
    shutil.rmtree(notebook_cache, ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)
    return True


def _invalidate(app: Sphinx, config: Any) -> None:
    import gdtutor

    galleries = [Path(app.srcdir) / d for d in config.sphinx_gallery_conf["gallery_dirs"]]
    invalidate_stale_outputs(
        package=Path(gdtutor.__file__).parent,
        # Next to the checksums it governs, whatever the output folder.
        stamp=galleries[0] / ".gdtutor-source-hash",
        gallery_dirs=galleries,
        notebook_cache=Path(config.nb_execution_cache_path),
    )


EXERCISES = "exercises"
_FOOTER_ANCHOR = "    .. container:: sphx-glr-download sphx-glr-download-zip\n"
_EXERCISE_LINKS = """\
    .. container:: sphx-glr-download sphx-glr-download-jupyter gdtutor-exercise

      :download:`Download exercise notebook: {stem}_exercise.ipynb <{folder}/{stem}_exercise.ipynb>`

    .. container:: sphx-glr-download sphx-glr-download-python gdtutor-exercise

      :download:`Download exercise script: {stem}_exercise.py <{folder}/{stem}_exercise.py>`

"""


def _add_exercises(app: Sphinx) -> None:
    """Generate exercise files from the gallery and link them from each lesson's footer.

    Runs after sphinx-gallery has written the lesson pages (same event, later priority).
    The exercise files are made anew on every build from the lesson sources, so they can
    never drift from the pages.
    """
    from gdtutor.exercises import write_exercises

    conf = app.config.sphinx_gallery_conf
    srcdir = Path(app.srcdir)
    for examples, gallery in zip(conf["examples_dirs"], conf["gallery_dirs"], strict=True):
        out = srcdir / gallery / EXERCISES
        for path in write_exercises(srcdir / examples, out):
            if path.suffix != ".py":
                continue
            stem = path.name.removesuffix("_exercise.py")
            page = srcdir / gallery / f"{stem}.rst"
            text = page.read_text(encoding="utf-8")
            if "gdtutor-exercise" in text:
                continue
            if _FOOTER_ANCHOR not in text:
                raise RuntimeError(f"{page}: sphinx-gallery's download footer not found")
            links = _EXERCISE_LINKS.format(stem=stem, folder=EXERCISES)
            page.write_text(text.replace(_FOOTER_ANCHOR, links + _FOOTER_ANCHOR), encoding="utf-8")


# matplotlib's JavaScript animation player links Font Awesome from a CDN for its button
# icons; the theme already bundles Font Awesome, so the link is dropped.
_CDN_FONT_AWESOME = re.compile(
    r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]*">\s*'
)
# The player's frame image and its frame slider, as matplotlib writes them (no alt, no label).
_ANIMATION_FRAME = re.compile(r'<img id="(_anim_img\w+)">')
_ANIMATION_SLIDER = re.compile(r'(<input id="_anim_slider\w+" type="range")')
# myst-nb names every hidden-cell toggle "Toggle hidden content", which is not what it shows
# ("Show code cell source"): without the label, the toggle is named by its visible text.
_MYSTNB_TOGGLE = '<summary aria-label="Toggle hidden content">'
# docutils writes a viewport meta tag into the page's metatags; the theme writes its own.
_DOCUTILS_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')


def tidy_body(body: str, title: str) -> str:
    """Make an animation player and hidden-cell toggles in ``body`` offline and accessible.

    The frame image gets alt text naming the animation after the page's ``title``; the frame
    slider gets a label; a toggle is named by its visible text.
    """
    body = _CDN_FONT_AWESOME.sub("", body).replace(_MYSTNB_TOGGLE, "<summary>")
    alt = html.escape(f"Animation: {title}. The controls below play it or step through it.")
    body = _ANIMATION_FRAME.sub(lambda m: f'<img id="{m[1]}" alt="{alt}">', body)
    return _ANIMATION_SLIDER.sub(r'\1 aria-label="Animation frame"', body)


def _tidy_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        title = re.sub(r"<[^>]+>", "", context.get("title", ""))
        context["body"] = tidy_body(context["body"], html.unescape(title))
    if "metatags" in context:
        context["metatags"] = _DOCUTILS_VIEWPORT.sub("", context["metatags"])


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-gallery (builder-inited) decides which examples are up to date.
    app.connect("config-inited", _invalidate)
    app.connect("html-page-context", _tidy_page)
    # sphinx-gallery generates its pages on builder-inited at the default priority (500).
    app.connect("builder-inited", _add_exercises, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
