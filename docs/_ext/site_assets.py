"""Assets the site builds with and ships: KaTeX for the math, the figures' style and size.

* Math is rendered by KaTeX in Node while Sphinx builds (sphinxcontrib-katex's prerender
  mode), from the ``katex`` npm package in the repository's node_modules; its stylesheet
  and fonts are copied into ``_static/katex`` so that pages need nothing from elsewhere.
  A formula KaTeX cannot parse fails the build instead of showing red TeX on the page; a
  displayed formula, which scrolls sideways when it is wider than the screen, is a tab stop.
  Equations that a math directive separates by blank lines are set one below the other,
  as Sphinx's other math renderers set them (KaTeX alone would run them into one line); a
  short inline formula keeps the punctuation after it on its line.
* Every figure uses the site's style (``site.mplstyle``, sized to stay legible when a
  phone shrinks a figure to its width): sphinx-gallery applies it before each lesson, and
  the kernels that execute the MyST pages read it through ``MATPLOTLIBRC``.
* Figures are quantized to 256 colors with libimagequant (the ``imagequant`` package) and
  recompressed losslessly with oxipng (``pyoxipng``), once, where they are made, so that
  the twice-resolution figures cost no more than full-color single-resolution ones did.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STYLE = HERE / "site.mplstyle"
KATEX_STATIC = "katex"


def katex_dist(config: Any) -> Path:
    """The ``dist`` folder of the katex npm package that ``katex_js_path`` points into."""
    return Path(config.katex_js_path).parent


def check_katex(config: Any) -> None:
    """Fail with a message naming the fix when Node or the katex npm package is missing."""
    dist = katex_dist(config)
    missing = [p for p in (Path(config.katex_js_path), dist / "katex.min.css") if not p.is_file()]
    if missing:
        root = dist.parents[2]
        raise ConfigError(
            f"KaTeX is not installed: {missing[0]} does not exist. The site renders its math "
            f"with the katex npm package; run `npm ci` in {root} (Node.js 20 and npm needed)."
        )
    if shutil.which("node") is None:
        raise ConfigError(
            "Node.js is not on PATH: the site renders its math with KaTeX in Node while it "
            "builds. Install Node.js 20 (Debian: apt-get install nodejs npm), then `npm ci`."
        )


def _start_katex_server(cls: Any, rundir: Path, timeout: float) -> tuple[Any, socket.socket]:
    """Start sphinxcontrib-katex's Node server and connect to its socket.

    The same steps as sphinxcontrib-katex's own ``start_server_process``, without its race:
    Node creates the socket file a moment before it listens on it, and on a busy machine a
    connection in that moment is refused, which failed the whole build. Keep trying instead.
    """
    socket_path = rundir / "katex.sock"
    process = subprocess.Popen(
        cls.build_command(socket=socket_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=rundir,
    )
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(socket_path))
            return process, sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise cls.timeout_error(timeout) from None
            time.sleep(0.01)


def _set_figure_style(app: Sphinx, config: Any) -> None:
    # Kernels executing MyST pages inherit the environment, and so the figure style.
    os.environ["MATPLOTLIBRC"] = str(STYLE)


def _check_katex(app: Sphinx) -> None:
    # Only builders that write HTML render math (the doctest builder, say, does not).
    if app.builder.format == "html" and app.config.html_math_renderer == "katex":
        check_katex(app.config)


def _copy_katex(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    dist = katex_dist(app.config)
    target = Path(app.outdir) / "_static" / KATEX_STATIC
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(dist / "katex.min.css", target / "katex.min.css")
    copy_asset(dist / "fonts", target / "fonts")


def keyboard_scrollable(body: str) -> str:
    """Give each displayed formula a tab stop, so that a keyboard can scroll a wide one."""
    return body.replace('<span class="katex-display">', '<span class="katex-display" tabindex="0">')


def _finish_katex(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" not in context:
        return
    context["body"] = body = keyboard_scrollable(context["body"])
    # sphinxcontrib-katex renders with throwOnError off: a bad formula becomes a red span
    # whose title holds KaTeX's message.
    start = body.find('class="katex-error"')
    if start != -1:
        snippet = body[start : start + 300].split(">", 1)[0]
        logger.warning(
            "KaTeX could not render a formula: %s", snippet, location=pagename, type="katex"
        )


_ANNOTATION = re.compile(r"<annotation[^>]*>.*?</annotation>", re.S)
_TAG = re.compile(r"<[^>]+>")


def math_text(tex: str) -> str:
    """A formula as plain text (``\\alpha = 0.001`` becomes ``α=0.001``), from KaTeX's MathML."""
    from sphinxcontrib.katex import render_latex

    mathml = render_latex(tex, {"output": "mathml"})
    return html.unescape(_TAG.sub("", _ANNOTATION.sub("", mathml))).strip()


def _readable_for_description(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Let sphinxext-opengraph describe the page from readable text.

    The page's body is written by now; only what reads the doctree after this point (the
    description and social card) sees the changes: formulas become plain text instead of
    TeX, and an API page's object description (which opengraph skips, as Sphinx makes it an
    admonition) becomes its docstring's paragraphs.
    """
    if doctree is None:
        return
    if app.config.katex_prerender:
        for node in list(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
            node.replace_self(nodes.Text(math_text(node.astext())))
    for desc in list(doctree.findall(addnodes.desc)):
        content = desc.next_node(addnodes.desc_content)
        desc.replace_self(content.children if content is not None else [])


def figure_style(gallery_conf: Any, fname: Any) -> None:
    """sphinx-gallery reset: the site's figure style on top of matplotlib's defaults."""
    import matplotlib.pyplot as plt

    plt.style.use(STYLE)


def crowded_text(fig: Any) -> list[str]:
    """The texts of ``fig`` that run off its edges, and the axes titles that overlap.

    Constrained layout makes room for titles and labels, but it cannot shorten a title that
    is wider than its axes: such a title is cut at the figure's edge or runs into its
    neighbour's. Measured after drawing, in display pixels (1 px of tolerance). Tick labels
    are left out: matplotlib keeps those outside the axis limits without drawing them.
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    ticks = {
        id(label)
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        for label in axis.get_ticklabels(which="both")
    }
    found = []
    for text in fig.findobj(Text):
        if id(text) in ticks or not (text.get_visible() and text.get_text().strip()):
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            found.append(f"{text.get_text()!r} runs off the figure")
    titles = [
        (title.get_text(), title.get_window_extent(renderer))
        for ax in fig.axes
        for title in (ax.title, ax._left_title, ax._right_title)
        if title.get_visible() and title.get_text().strip()
    ]
    for i, (first, a) in enumerate(titles):
        for second, b in titles[i + 1 :]:
            if a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1:
                found.append(f"titles {first!r} and {second!r} overlap")
    return found


#: The width, in CSS pixels, at which a 390 px wide phone shows a figure: the article's
#: width there. A figure narrower than that is shown at its own size.
PHONE_FIGURE_PX = 358
#: The smallest text a figure may show on that phone, in CSS pixels.
PHONE_TEXT_PX = 9.0


def _tick_labels(fig: Any) -> tuple[set[int], set[int]]:
    """The ids of every tick label of ``fig``'s axes, and of those that are drawn: the labels
    of ticks inside the axis limits (matplotlib keeps the others without drawing them)."""
    every: set[int] = set()
    drawn: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * (high - low)
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                every.update((id(tick.label1), id(tick.label2)))
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if low - slack <= tick.get_loc() <= high + slack:
                    drawn.update((id(tick.label1), id(tick.label2)))
    return every, drawn


def small_text(fig: Any) -> list[str]:
    """The texts of ``fig`` smaller than :data:`PHONE_TEXT_PX` on a phone, one per size.

    A phone shrinks a figure to :data:`PHONE_FIGURE_PX` CSS pixels wide (one narrower than
    that keeps its size), so a text of ``s`` points shows ``s / 72 * shown / width`` pixels
    high, for a figure ``width`` inches wide; tick labels count where they are drawn.
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    width = fig.get_figwidth()
    px_per_point = min(PHONE_FIGURE_PX, width * fig.dpi) / width / 72
    every, drawn = _tick_labels(fig)
    found: dict[float, str] = {}
    for text in fig.findobj(Text):
        if not (text.get_visible() and text.get_text().strip()):
            continue
        if id(text) in every and id(text) not in drawn:
            continue
        size = text.get_fontsize()
        pixels = size * px_per_point
        if pixels < PHONE_TEXT_PX and size not in found:
            found[size] = (
                f"{text.get_text()!r} ({size:.1f} pt) shows {pixels:.1f} px high on a phone, "
                f"under {PHONE_TEXT_PX:g} px"
            )
    return list(found.values())


def text_problems(fig: Any) -> list[str]:
    """What keeps a reader from reading ``fig``'s text: :func:`crowded_text` and
    :func:`small_text`."""
    return crowded_text(fig) + small_text(fig)


def checked_matplotlib_scraper(
    block: Any, block_vars: Any, gallery_conf: Any, **kwargs: Any
) -> str:
    """sphinx-gallery's matplotlib scraper, once every figure's text is seen to fit and to
    stay legible on a phone; an animation's frames as :func:`sharp_animation` makes them,
    and its thumbnail still (its last frame)."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation
    from sphinx_gallery.scrapers import matplotlib_scraper

    for number in plt.get_fignums():
        problems = text_problems(plt.figure(number))
        if problems:
            raise ValueError(
                f"{block_vars['src_file']}: a figure's text is hard to read: {problems}"
            )
    # The scraper saves the open figures in this order, each to the next path of the iterator;
    # those of animations (an animation of an earlier block, its figure closed, is not one).
    figures = [plt.figure(number) for number in plt.get_fignums()]
    animated = [
        value._fig
        for value in block_vars["example_globals"].values()
        if isinstance(value, Animation) and value._fig in figures
    ]
    if not (animated and gallery_conf["matplotlib_animations"][0]):
        return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)  # type: ignore[no-any-return]
    paths = block_vars["image_path_iterator"]
    first = len(paths)
    rst = sharp_animation(
        animated, lambda: matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    )
    # sphinx-gallery makes an animation's thumbnail from a GIF of it, which the lessons'
    # index and the API pages would then play in a loop, with no way to stop it, beside the
    # text a reader is reading. A PNG of the last frame, beside the GIF, is taken instead.
    for fig, path in zip(figures, paths.paths[first:], strict=True):
        gif = Path(path).with_suffix(".gif")
        if fig in animated and gif.is_file():
            fig.savefig(gif.with_suffix(".png"))
            gif.unlink()
    return rst


#: An animation's frames on the site have this many times the pixels of its figure, each way.
ANIMATION_DENSITY = 2
_ANIMATION_FRAME_DATA = re.compile(r'"data:image/png;base64,([^"]*)"')
_ANIMATION_IMAGE = re.compile(r'<img id="(_anim_img\w+)">')


def sharp_animation(figures: list[Any], scrape: Callable[[], str]) -> str:
    """What ``scrape()`` writes for the animations drawn on ``figures``, with frames that stay
    sharp on a high-density screen and cost no more than blurred ones.

    While it runs, the figures draw at :data:`ANIMATION_DENSITY` times their resolution and
    the frames are PNG (whatever format the lesson chose for its own player); each frame is
    then quantized as the site's figures are (:func:`quantised_png`), and the player's image
    is shown at the frames' size divided by the density, the figure's own size (to a pixel:
    matplotlib makes a frame's sides even). The image of a player also lists the title each
    frame was drawn with (``data-frame-titles``, JSON), which the site's script reads out
    with the frame's number.
    """
    import base64
    import io
    import json

    import matplotlib
    from matplotlib.animation import HTMLWriter
    from PIL import Image

    titles: list[str] = []
    grab_frame = HTMLWriter.grab_frame

    def grab_titled_frame(writer: HTMLWriter, **savefig_kwargs: Any) -> None:
        names = [writer.fig.get_suptitle(), *(ax.get_title() for ax in writer.fig.axes)]
        titles.append(" ".join(name for name in names if name))
        grab_frame(writer, **savefig_kwargs)

    dpis = [fig.dpi for fig in figures]
    try:
        for fig, dpi in zip(figures, dpis, strict=True):
            fig.set_dpi(dpi * ANIMATION_DENSITY)
        # matplotlib drops the frames past its embedding limit (20 MB), with a warning only.
        limits = {"animation.frame_format": "png", "animation.embed_limit": 1000}
        HTMLWriter.grab_frame = grab_titled_frame  # type: ignore[method-assign]
        with matplotlib.rc_context(limits):
            rst = scrape()
    finally:
        HTMLWriter.grab_frame = grab_frame  # type: ignore[method-assign]
        for fig, dpi in zip(figures, dpis, strict=True):
            fig.set_dpi(dpi)

    sizes = []  # each embedded frame's

    def frame(match: re.Match[str]) -> str:
        png = quantised_png(base64.b64decode(re.sub(r"[\\\s]", "", match[1]), validate=True))
        with Image.open(io.BytesIO(png)) as image:
            sizes.append(image.size)
        return f'"data:image/png;base64,{base64.b64encode(png).decode()}"'

    rst = _ANIMATION_FRAME_DATA.sub(frame, rst)
    if not sizes:  # a player without embedded frames (a video): nothing to sharpen
        return rst
    if len(set(sizes)) != 1:
        raise ValueError(f"an animation's frames should have one size, not {sorted(set(sizes))}")
    ((width, height),) = set(sizes)
    shown = f'width="{width // ANIMATION_DENSITY}" height="{height // ANIMATION_DENSITY}"'
    # Titles for one player only, and only when each frame has one.
    if len(_ANIMATION_IMAGE.findall(rst)) == 1 and len(titles) == len(sizes) and all(titles):
        shown += f' data-frame-titles="{html.escape(json.dumps(titles, ensure_ascii=False))}"'
    return _ANIMATION_IMAGE.sub(lambda match: f'<img id="{match[1]}" {shown}>', rst)


def quantised_png(data: bytes) -> bytes:
    """The PNG image ``data`` reduced to at most 256 colors and compressed losslessly."""
    import io

    import imagequant
    import oxipng
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        quantised = imagequant.quantize_pil_image(
            image.convert("RGBA"), dithering_level=1.0, max_colors=256
        )
    png = io.BytesIO()
    quantised.save(png, "PNG")
    return oxipng.optimize_from_memory(png.getvalue())  # type: ignore[no-any-return]


def quantise_pngs(paths: Iterable[Path]) -> list[Path]:
    """Reduce each full-color PNG in ``paths`` to at most 256 colors, in place, and compress it.

    Palette images are left alone, so calling this again on the same files does nothing.
    Returns the files it changed.
    """
    from PIL import Image

    changed = []
    for path in paths:
        with Image.open(path) as image:
            if image.mode == "P":
                continue
        path.write_bytes(quantised_png(path.read_bytes()))
        changed.append(path)
    return changed


def _figure_files(app: Sphinx) -> list[Path]:
    srcdir = Path(app.srcdir)
    folders = [srcdir / d / "images" for d in app.config.sphinx_gallery_conf["gallery_dirs"]]
    # myst-nb writes the MyST pages' figures here (next to the output folder).
    folders.append(Path(app.outdir).parent / "jupyter_execute")
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.png"))


def _quantise_figures(app: Sphinx, env: Any) -> list[str]:
    # After every page has been read (lessons run, notebooks rendered), before any is
    # written: the pages then copy the quantised files.
    changed = quantise_pngs(_figure_files(app))
    if changed:
        logger.info("quantized %d figures to 256 colors", len(changed))
    return []


def stack_equations(latex: str) -> str:
    r"""The equations of a displayed formula, given separated by blank lines, as KaTeX input
    that sets them one below the other, centred (a part that is itself several aligned lines
    keeps them). One equation comes back as it is.

    >>> stack_equations("a = 1,\n\nb = 2")
    '\\begin{gathered}a = 1, \\\\ b = 2\\end{gathered}'
    """
    parts = [part.strip() for part in re.split(r"\n\s*\n", latex) if part.strip()]
    if len(parts) < 2:
        return latex
    parts = [
        rf"\begin{{aligned}}{part}\end{{aligned}}"
        if ("&" in part or r"\\" in part) and r"\begin{" not in part
        else part
        for part in parts
    ]
    return r"\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}"


def _stack_equations(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in doctree.findall(nodes.math_block):
        if node.get("nowrap"):
            continue
        latex = node.astext()
        stacked = stack_equations(latex)
        if stacked != latex:
            node[:] = [nodes.Text(stacked)]


#: An inline formula of up to this many visible symbols (see :func:`visible_length`) is kept
#: on one line with the punctuation after it: on a 320-pixel phone that line still fits. A
#: longer one keeps KaTeX's line breaks.
SHORT_MATH = 22

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
#: Commands that draw nothing themselves, and those drawn as their name.
_UNSEEN = {"left", "right", "mathrm", "mathbf", "boldsymbol", "text", "operatorname", ",", ";"}
_UNSEEN |= {"!", " ", "quad", "displaystyle", "big", "Big", "bigl", "bigr"}
_NAMED = {"max", "min", "log", "ln", "exp", "sin", "cos", "det", "arg", "sup", "inf", "lim"}


def visible_length(latex: str) -> int:
    r"""About how many symbols a TeX formula shows: a command such as ``\lambda`` counts as
    one, ``\max`` as three, braces, spaces, ``_``, ``^`` and layout commands as none.

    Examples
    --------
    >>> visible_length(r"\alpha(\lambda_{\max} + \lambda_{\min}) = 2(1 + \beta)")
    19
    """

    def shown(match: re.Match[str]) -> str:
        name = match[1]
        return "" if name in _UNSEEN else name if name in _NAMED else "x"

    return len(re.sub(r"[{}_^\s]", "", _COMMAND.sub(shown, latex)))


def _punctuation_after_math(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Keep a short inline formula on one line (KaTeX lets a line break after its operators,
    leaving "(κ −" on one line and "1)/(κ + 1)" on the next), with the ``.``, ``,``, ``;``,
    ``:`` or ``)`` right after it: a browser may otherwise break the line between them,
    leaving the mark alone at the start of the next line."""
    for math in list(doctree.findall(nodes.math)):
        if visible_length(math.astext()) > SHORT_MATH:
            continue
        after = math.next_node(descend=False, siblings=True)
        text = after.astext() if isinstance(after, nodes.Text) else ""
        if not text or text[0] not in ".,;:)\xa0":
            alone = nodes.inline(classes=["math-and-mark"])
            math.parent.replace(math, alone)
            alone += math
            continue
        # A mark is kept alone; text joined by non-breaking spaces ("α = 0.02616" written
        # with them) is kept up to its first breaking space, and with the node after it
        # (the number) when that text is all there is.
        head = text[0] if text[0] != "\xa0" else re.match(r"[^ \n]*", text)[0]
        parent = math.parent
        follower = after.next_node(descend=False, siblings=True) if head == text else None
        together = nodes.inline(classes=["math-and-mark"])
        parent.replace(math, together)
        together += [math, nodes.Text(head)]
        if text[len(head) :]:
            parent.replace(after, nodes.Text(text[len(head) :]))
        else:
            parent.remove(after)
        if isinstance(follower, nodes.inline):
            parent.remove(follower)
            together += follower


def setup(app: Sphinx) -> dict[str, Any]:
    from sphinxcontrib import katex

    katex.KaTeXServer.start_server_process = classmethod(_start_katex_server)
    # Node loads KaTeX in well under a second, unless four builds share two cores.
    katex.STARTUP_TIMEOUT = 60.0
    katex.RENDER_TIMEOUT = 60.0
    app.connect("config-inited", _set_figure_style)
    # Before sphinx-gallery (builder-inited, priority 500) spends minutes running lessons.
    app.connect("builder-inited", _check_katex, priority=100)
    app.connect("doctree-resolved", _stack_equations)
    app.connect("doctree-resolved", _punctuation_after_math)
    app.connect("env-updated", _quantise_figures)
    app.connect("html-page-context", _finish_katex)
    # Before sphinxext-opengraph (default priority) describes the page.
    app.connect("html-page-context", _readable_for_description, priority=400)
    app.connect("build-finished", _copy_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
