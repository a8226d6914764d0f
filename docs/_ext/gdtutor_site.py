"""Site-specific build steps for gdtutor's documentation.

* Write the exercise version of every lesson that has marked blanks, and offer it next to
  sphinx-gallery's own downloads on the lesson page.
* Bundle MathJax with the site, so that pages typeset math with no network.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

# The parts of MathJax 3 that the pages use: the combined TeX-to-CommonHTML component, the
# TeX extensions it may autoload, and its web fonts.
_MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2")


def mathjax_source() -> Path:
    """The folder of MathJax's browser components, from the mathjax package on PyPI."""
    import mathjax  # the django-static-mathjax distribution

    root = Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5"
    if not (root / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax's tex-chtml.js not found under {root}")
    return root


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in _MATHJAX_PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


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


def _drop_cdn_links(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        context["body"] = _CDN_FONT_AWESOME.sub("", context["body"])


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _drop_cdn_links)
    # sphinx-gallery generates its pages on builder-inited at the default priority (500).
    app.connect("builder-inited", _add_exercises, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
