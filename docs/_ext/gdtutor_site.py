"""Site-specific build steps for gdtutor's documentation.

* Re-run the lessons and executed pages when the gdtutor package changed since the last
  build: sphinx-gallery re-runs an example only when the example file changes, and
  myst-nb's cache keys on the notebook alone, so both would keep outputs of old code.
* Write the exercise version of every lesson that has marked blanks, offer it next to
  sphinx-gallery's own downloads on the lesson page, and zip them all.
* Strip the solution markers from the lessons' plain downloads; make every zip the same,
  byte for byte, for the same files.
* Build the package's wheel and sdist, published at ``dist/`` on the site.
* Tidy what other tools write into a page: drop the CDN link of matplotlib's animation
  player and give the player's frame image alt text and its slider a label; let myst-nb's
  "Show code cell source" toggles be named by what they show; keep one viewport meta tag
  (the theme writes its own).
* Give each documented object the anchor that its highlighted source's "[docs]" link
  names (see ``_anchor_viewcode_backlinks``).
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def source_hash(package: Path, inputs: Iterable[Path] = ()) -> str:
    """A digest of every Python file of ``package`` (names and contents), and of the other
    files the lessons' outputs depend on (``inputs``: the figure style, the scraper)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for path in inputs:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def invalidate_stale_outputs(
    package: Path,
    stamp: Path,
    gallery_dirs: list[Path],
    notebook_cache: Path,
    inputs: Iterable[Path] = (),
) -> bool:
    """Forget executed outputs if ``package`` or one of ``inputs`` (see :func:`source_hash`)
    changed since ``stamp`` was written.

    Deletes sphinx-gallery's per-example checksums (so every example runs again) and
    myst-nb's execution cache, then records the package's new digest in ``stamp``.
    Returns whether anything was invalidated.
    """
    current = source_hash(package, inputs)
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
        # The figures' style, and the scraper that saves the lessons' figures and animation.
        inputs=[Path(__file__).with_name(name) for name in ("site.mplstyle", "site_assets.py")],
    )


#: Where the exercise files and their zip are written, next to (not inside) the gallery, so
#: that sphinx-gallery's own zips never pick them up.
EXERCISES = "auto_exercises"
EXERCISES_ZIP = "gdtutor_exercises.zip"
#: Where the wheel and sdist are built; published at the site's root as dist/.
DIST = "auto_dist"
#: Zip entries carry this date, so that the same files always give the same zip.
_ZIP_DATE = (2026, 1, 1, 0, 0, 0)
_FOOTER_ANCHOR = "    .. container:: sphx-glr-download sphx-glr-download-zip\n"
_EXERCISE_LINKS = """\
    .. container:: sphx-glr-download sphx-glr-download-jupyter gdtutor-exercise

      :download:`Download exercise notebook: {stem}_exercise.ipynb <{folder}/{stem}_exercise.ipynb>`

    .. container:: sphx-glr-download sphx-glr-download-python gdtutor-exercise

      :download:`Download exercise script: {stem}_exercise.py <{folder}/{stem}_exercise.py>`

"""


def write_zip(path: Path, files: list[Path]) -> Path:
    """Zip ``files`` (by name, in the given order) with fixed dates: same files, same bytes."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            info = zipfile.ZipInfo(file.name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.read_bytes())
    tmp.replace(path)
    return path


def clean_downloads(gallery: Path, site: str = "") -> None:
    """Drop the solution markers from the lessons' plain downloads, and zip them again.

    sphinx-gallery copies each lesson script next to its page as the ``.py`` download, with
    every comment; the markers only mean something to the exercise generator, and Sphinx's
    roles in the comments become plain text (see ``exercises.plain_script``). Its notebooks
    keep Sphinx's cross-references, which a notebook cannot follow: they become plain text
    and links to ``site`` (see ``exercises.plain_markdown``). The zips, the gallery's and
    each lesson's ("Download zipped"), are rebuilt from the cleaned files with fixed dates,
    so two builds give the same bytes.
    """
    from exercises import plain_notebook, plain_script, solution_source
    from sphinx_gallery.notebook import save_notebook

    scripts = sorted(gallery.glob("plot_*.py"))
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        clean = plain_script(solution_source(text, lesson=script.stem))
        if clean != text:
            script.write_text(clean, encoding="utf-8")
        notebook = script.with_suffix(".ipynb")
        if notebook.is_file():
            content = json.loads(notebook.read_text(encoding="utf-8"))
            plain = plain_notebook(copy.deepcopy(content), site)
            if plain != content:
                save_notebook(plain, notebook)
        if script.with_suffix(".zip").is_file():
            files = [script, script.with_suffix(".ipynb")]
            write_zip(script.with_suffix(".zip"), [f for f in files if f.is_file()])
    write_zip(gallery / f"{gallery.name}_python.zip", scripts)
    write_zip(gallery / f"{gallery.name}_jupyter.zip", sorted(gallery.glob("plot_*.ipynb")))


def _add_exercises(app: Sphinx) -> None:
    """Generate exercise files from the gallery and link them from each lesson's footer.

    Runs after sphinx-gallery has written the lesson pages (same event, later priority).
    The exercise files are made anew on every build from the lesson sources, so they can
    never drift from the pages.
    """
    from exercises import write_exercises

    conf = app.config.sphinx_gallery_conf
    srcdir = Path(app.srcdir)
    out = srcdir / EXERCISES
    shutil.rmtree(out, ignore_errors=True)
    written: list[Path] = []
    for examples, gallery in zip(conf["examples_dirs"], conf["gallery_dirs"], strict=True):
        clean_downloads(srcdir / gallery, app.config.html_baseurl)
        for path in write_exercises(srcdir / examples, out, conf, app.config.html_baseurl):
            written.append(path)
            if path.suffix != ".py":
                continue
            stem = path.name.removesuffix("_exercise.py")
            page = srcdir / gallery / f"{stem}.rst"
            text = page.read_text(encoding="utf-8")
            if "gdtutor-exercise" in text:
                continue
            if _FOOTER_ANCHOR not in text:
                raise RuntimeError(f"{page}: sphinx-gallery's download footer not found")
            folder = os.path.relpath(out, page.parent)
            links = _EXERCISE_LINKS.format(stem=stem, folder=Path(folder).as_posix())
            page.write_text(text.replace(_FOOTER_ANCHOR, links + _FOOTER_ANCHOR), encoding="utf-8")
    write_zip(out / EXERCISES_ZIP, written)


def build_distributions(root: Path, out: Path) -> list[Path]:
    """Build the package's sdist and wheel from ``root`` into ``out`` (emptied first).

    Dates inside the archives come from the last commit (``SOURCE_DATE_EPOCH``) when the
    tree is a git checkout, so rebuilding one commit gives the same files.
    """
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ)
    try:
        stamp = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        env.setdefault("SOURCE_DATE_EPOCH", stamp)
    except (OSError, subprocess.CalledProcessError):
        pass
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(root)],
            env=env, cwd=tmp, capture_output=True, text=True,
        )  # fmt: skip
    if result.returncode:
        raise RuntimeError(f"building gdtutor's wheel and sdist failed:\n{result.stderr}")
    # The wheel honours SOURCE_DATE_EPOCH; the sdist's tar and gzip headers do not.
    epoch = int(env.get("SOURCE_DATE_EPOCH", "0"))
    for sdist in out.glob("*.tar.gz"):
        _normalize_tar(sdist, epoch)
    return sorted(out.iterdir())


def _normalize_tar(path: Path, epoch: int) -> None:
    """Rewrite a .tar.gz with every date set to ``epoch`` and owners cleared."""
    buffer = io.BytesIO()
    with tarfile.open(path) as source, tarfile.open(fileobj=buffer, mode="w") as target:
        for member in source.getmembers():
            member.mtime, member.uid, member.gid, member.uname, member.gname = epoch, 0, 0, "", ""
            member.pax_headers = {}  # setuptools writes exact mtimes there too
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(buffer.getvalue())


def _make_dist_folder(app: Sphinx, config: Any) -> None:
    # html_extra_path entries must exist when Sphinx checks the configuration.
    (Path(app.srcdir) / DIST / "dist").mkdir(parents=True, exist_ok=True)


def _build_distributions(app: Sphinx) -> None:
    root = Path(app.srcdir).parent
    build_distributions(root, Path(app.srcdir) / DIST / "dist")


# matplotlib's JavaScript animation player links Font Awesome from a CDN for its button
# icons; the theme already bundles Font Awesome, so the link is dropped.
_CDN_FONT_AWESOME = re.compile(
    r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]*">\s*'
)
# The player's frame image and its frame slider, as matplotlib writes them (no alt, no label;
# the site's scraper gives the image its size).
_ANIMATION_FRAME = re.compile(r'<img id="(_anim_img\w+)"([^>]*)>')
_ANIMATION_SLIDER = re.compile(r'(<input id="_anim_slider\w+" type="range")')
# myst-nb names every hidden-cell toggle "Toggle hidden content", which is not what it shows
# ("Show code cell source"): without the label, the toggle is named by its visible text.
_MYSTNB_TOGGLE = '<summary aria-label="Toggle hidden content">'
# docutils writes a viewport meta tag into the page's metatags; the theme writes its own.
_DOCUTILS_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')


#: The TeX that the lessons' first paragraphs use, as plain text for a thumbnail's tooltip.
_TOOLTIP_TEX = {
    r"\sum_{i,j} ": "Σ",
    r"\alpha": "α",
    r"\,": "",
    "_{ij}": "ᵢⱼ",
    "_1": "₁",
    "_2": "₂",
    "^2": "²",
}
_TOOLTIP = re.compile(r'tooltip="([^"]*)"')


def _plain_tooltip(match: re.Match[str]) -> str:
    from exercises import plain_markdown  # "lesson N" for a lesson's reference

    text = plain_markdown(match[1])
    for tex, plain in _TOOLTIP_TEX.items():
        text = text.replace(tex, plain)
    return f'tooltip="{text}"'


_DOTTED_TITLE = re.compile(
    r"(<h1>(?:Source code for )?|<h2>Lessons that use )([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
    r"(<a class=\"headerlink\"|</h1>)"
)
_GALLERY_FIGURE = re.compile(
    r'<img src="(?P<src>[^"]+)" srcset="(?:[^"]*?, )?(?P<big>[^", ]+) 2\.00x"[^>]*'
    r'class = "sphx-glr-single-img"/>'
)
_SUMMARY_SIGNATURE = re.compile(r'(<tr class="row-(?:odd|even)"><td><p>)(.*?)(</p></td>)')
#: A signature's module path, which may break after a dot.
_SIGNATURE_PATH = re.compile(
    r'(<span class="sig-prename descclassname"><span class="pre">)([\w.]+)(</span>)'
)
#: A signature's name and the bracket that opens its parameters: the line may break between
#: them, and inside a name as long as LONG_CODE after an underscore.
_SIGNATURE_NAME = re.compile(
    r'(<span class="sig-name descname"><span class="pre">)(\w+)(</span></span>)'
    r'(<span class="sig-paren">)?'
)
#: A number in a signature written with an exponent (a default, 1e-05; a constant's value):
#: Chromium would break it after its minus sign.
_SIGNATURE = re.compile(r'<dt class="sig[ "].*?</dt>', re.S)
_EXPONENT_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?e[-+]\d+)(?![\w.])")
_TEXT = re.compile(r">([^<]+)<")
#: Inline code as Sphinx writes it, and each word of it (a name, a file name).
_INLINE_CODE = re.compile(r'<code class="[^"]*\bliteral\b[^"]*">.*?</code>', re.S)
_CODE_WORD = re.compile(r'(<span class="pre">)([^<]*)(</span>)')
#: Inline code at least this long may break after its dots and underscores: on a 320-pixel
#: phone a shorter one fits a line by itself, even indented in an API page's fields (and so
#: breaks at a space before it instead).
LONG_CODE = 24
#: A dotted name set as code, as Sphinx writes it.
_CODE_NAME = re.compile(r'(<span class="pre">)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(\))?)(</span>)')
_DOTTED = re.compile(r"\b([A-Za-z_]\w*)\.(?=[A-Za-z_])")
#: A dotted type named in an API page's fields (a return type, a parameter's classifier).
_FIELD_TYPE = re.compile(
    r'(<dt>|<span class="classifier">)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(</dt>|</span>)'
)


def _break_if_long(match: re.Match[str]) -> str:
    """A match whose second group is a name, with the name breakable after its dots and
    underscores if it is as long as LONG_CODE; its first and third groups as they are."""
    if len(html.unescape(match[2])) >= LONG_CODE:
        return _break_after("._")(match)
    return match[1] + match[2] + match[3]


def _break_after(marks: str) -> Callable[[re.Match[str]], str]:
    """A substitution for a match whose second group is a name: the name may break after each
    of ``marks`` (a ``<wbr>``), the match's first and third groups stay as they are."""

    def breakable(match: re.Match[str]) -> str:
        name = match[2]
        for mark in marks:
            name = name.replace(mark, mark + "<wbr>")
        return match[1] + name + match[3]

    return breakable


#: A name in a page's title as long as this (an upper-case letter counts 1.3) may also break
#: after its underscores: a shorter one fits a 320-pixel phone's line by itself, with the
#: title's "#" link after it, and broken anyway ("is_" / "close") reads as two words.
TITLE_NAME_UNITS = 14


def _breakable_title(match: re.Match[str]) -> str:
    """A title's dotted name that may break after each dot, and after the underscores of a
    name as long as TITLE_NAME_UNITS."""

    def part(name: str) -> str:
        units = sum(1.3 if c.isupper() else 1.0 for c in name)
        return name.replace("_", "_<wbr>") if units >= TITLE_NAME_UNITS else name

    return match[1] + ".<wbr>".join(part(name) for name in match[2].split(".")) + match[3]


def tidy_body(body: str, title: str) -> str:
    """Make an animation player and hidden-cell toggles in ``body`` offline and accessible,
    and the lesson thumbnails' tooltips plain text; a dotted name as a page title may break
    after its dots, an API summary's signature between its arguments, and a lesson's figure
    links to its full-size file.

    The frame image gets alt text naming the animation after the page's ``title``; the frame
    slider gets a label; a toggle is named by its visible text. A tooltip (a lesson's first
    paragraph, which sphinx-gallery copies as written) shows "lesson N" for a reference to a
    lesson and symbols for its TeX.
    """
    body = _TOOLTIP.sub(_plain_tooltip, body)
    # A lesson's figure links to its twice-resolution file, as the Markdown pages' figures
    # link to theirs: on a phone, where the figure is shrunk to the screen, a tap shows it
    # whole.
    body = _GALLERY_FIGURE.sub(
        lambda m: f'<a class="reference internal image-reference" href="{m["big"]}">{m[0]}</a>',
        body,
    )
    # An API summary table's signatures: autosummary joins their arguments with non-breaking
    # spaces, which on a phone (where the table stacks) forced breaks inside names instead;
    # and the arguments may go to the next line whole, after the name's link.
    body = _SUMMARY_SIGNATURE.sub(
        lambda m: m[1] + m[2].replace("\xa0", " ").replace("</a>(", "</a><wbr>(") + m[3], body
    )
    # A name as a title (the API pages', their source code's, their lessons') may break after
    # a dot or an underscore on a narrow screen, rather than inside a word.
    body = _DOTTED_TITLE.sub(_breakable_title, body)
    body = _FIELD_TYPE.sub(_break_after("."), body)  # matplotlib.contour.QuadContourSet
    # So may a signature's module path (gdtutor.stepsize.), and its parameters go to the next
    # line whole after its name (contraction_factors / (objective, ...), which with the bracket
    # and the first parameter does not fit a phone's line; a name is not broken after an
    # underscore unless it is long: "is_ / close(got, ..." read as two words.
    body = _SIGNATURE_PATH.sub(_break_after("."), body)
    body = _SIGNATURE_NAME.sub(lambda m: _break_if_long(m) + ("<wbr>" + m[4] if m[4] else ""), body)
    body = _SIGNATURE.sub(
        lambda sig: _TEXT.sub(
            lambda text: _EXPONENT_NUMBER.sub(r'<span class="gd-number">\1</span>', text[0]),
            sig[0],
        ),
        body,
    )
    # So may a long name or file name in the text (gdtutor.answers.start_exercise(), a lesson's
    # exercise notebook on its download button), which would widen the article on a phone.
    body = _INLINE_CODE.sub(lambda code: _CODE_WORD.sub(_break_if_long, code[0]), body)
    body = _CDN_FONT_AWESOME.sub("", body).replace(_MYSTNB_TOGGLE, "<summary>")
    alt = html.escape(f"Animation: {title}. The controls below play it or step through it.")
    body = _ANIMATION_FRAME.sub(lambda m: f'<img id="{m[1]}"{m[2]} alt="{alt}">', body)
    return _ANIMATION_SLIDER.sub(r'\1 aria-label="Animation frame"', body)


def _tidy_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        title = re.sub(r"<[^>]+>", "", context.get("title", ""))
        context["body"] = tidy_body(context["body"], html.unescape(title))
    # The page's contents (the "On this page" list): an API page's entries are dotted names in
    # code, which on a phone may break after a dot rather than widen the list.
    if isinstance(context.get("toc"), str):
        context["toc"] = _CODE_NAME.sub(_break_after("."), context["toc"])
    if "metatags" in context:
        context["metatags"] = _DOCUTILS_VIEWPORT.sub("", context["metatags"])
    # The footer's links to the previous and next page: a dotted name may break after a dot.
    for neighbour in ("prev", "next"):
        if context.get(neighbour) and "title" in context[neighbour]:
            title = context[neighbour]["title"]
            # (A name between two dots fits the footer's line by itself: it is kept whole.)
            title = _DOTTED.sub(r"\1.<wbr>", title)
            context[neighbour] = {**context[neighbour], "title": title}


def _anchor_viewcode_backlinks(app: Sphinx, doctree: Any, docname: str) -> None:
    """Add the anchor that sphinx.ext.viewcode's "[docs]" link points to, where it is missing.

    viewcode names the anchor by one module per source file, the module of the first object
    it met from that file: for ``gdtutor.optim``, whose ``optimize`` is documented at the
    top level as ``gdtutor.optimize`` and ``optimizer_class`` in its module, one of the two
    links would name an anchor that no page has.
    """
    from sphinx import addnodes

    modules = getattr(app.env, "_viewcode_modules", {})
    for signature in doctree.findall(addnodes.desc_signature):
        if signature.parent.get("domain") != "py" or not signature["ids"]:
            continue
        fullname = signature.get("fullname")
        for entry in modules.values():
            if not entry or entry[2].get(fullname) != docname:
                continue
            anchor = f"{entry[3]}.{fullname}"
            if anchor not in signature["ids"]:
                signature["ids"].append(anchor)


def _copyable_parsed_literals(app: Sphinx, doctree: Any, docname: str) -> None:
    """Put each parsed-literal block (commands with the site's own values and links in them,
    as on the install page) in a ``highlight`` box, as Sphinx writes a code block: it then
    looks like one and gets a copy button (sphinx-copybutton looks in those boxes only)."""
    from docutils import nodes

    for block in list(doctree.findall(nodes.literal_block)):
        if block.rawsource != block.astext() and not isinstance(block.parent, nodes.container):
            outer = nodes.container(classes=["highlight-text", "notranslate"])
            block.replace_self(outer)
            outer += nodes.container("", block, classes=["highlight"])


def _drop_theme_templates(app: Sphinx, error: Exception | None) -> None:
    """Remove the template fragments that the theme's static folder holds (its Jinja macros
    for its own bundles): copied with its assets, they would be published as pages."""
    if error is None and app.builder.format == "html":
        for fragment in (Path(app.outdir) / "_static").glob("*.html"):
            fragment.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-gallery (builder-inited) decides which examples are up to date.
    app.connect("config-inited", _invalidate)
    app.connect("config-inited", _make_dist_folder)
    app.connect("html-page-context", _tidy_page)
    app.connect("doctree-resolved", _anchor_viewcode_backlinks)
    app.connect("doctree-resolved", _copyable_parsed_literals)
    # sphinx-gallery generates its pages on builder-inited at the default priority (500).
    app.connect("builder-inited", _add_exercises, priority=900)
    app.connect("builder-inited", _build_distributions)
    app.connect("build-finished", _drop_theme_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
