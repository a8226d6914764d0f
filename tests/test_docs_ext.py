"""Tests of the site's own Sphinx extensions (docs/_ext): the re-execution of lessons when
the package changes, the tidying of pages, the KaTeX check and the figure quantisation."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path
from types import SimpleNamespace

import joblib
import pytest

pytest.importorskip("sphinx")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

from gdtutor_site import (
    LONG_CODE,
    clean_downloads,
    invalidate_stale_outputs,
    source_hash,
    tidy_body,
)
from site_assets import (
    PHONE_TEXT_PX,
    _finish_katex,
    _punctuation_after_math,
    check_katex,
    crowded_text,
    keyboard_scrollable,
    quantise_pngs,
    sharp_animation,
    small_text,
    stack_equations,
    visible_length,
)
from sphinx.errors import ConfigError

# The player as matplotlib's to_jshtml() writes it (abridged).
PLAYER = """
<link rel="stylesheet"
href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css">
<div class="animation">
  <img id="_anim_imgabc123">
  <div class="anim-controls">
    <input id="_anim_sliderabc123" type="range" class="anim-slider"
           name="points" min="0" max="1" step="1" value="0">
"""


def test_animation_player_gets_alt_text_and_a_slider_label_and_no_cdn_link():
    body = tidy_body(PLAYER, 'Race "fast" & slow')
    assert "bootstrapcdn" not in body and "<link" not in body
    assert '<img id="_anim_imgabc123" alt="Animation: Race &quot;fast&quot; &amp; slow.' in body
    assert '<input id="_anim_sliderabc123" type="range" aria-label="Animation frame"' in body
    # The size the site's scraper gives the image stays.
    sized = PLAYER.replace('<img id="_anim_imgabc123">', '<img id="_anim_imgabc123" width="9">')
    assert '<img id="_anim_imgabc123" width="9" alt="Animation: ' in tidy_body(sized, "Race")


def test_an_animation_on_the_site_has_sharp_palette_frames_shown_at_its_figures_size():
    import base64
    import io

    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation
    from PIL import Image

    fig, ax = plt.subplots(figsize=(3.01, 2), dpi=50)  # 301 px at twice 50 dpi: 300, even
    (line,) = ax.plot([], [])

    def draw(i: int) -> None:
        line.set_data([0, i], [0, i])
        ax.set_title(f"step {i} of 2 & more")

    animation = FuncAnimation(fig, draw, frames=3)
    with matplotlib.rc_context({"animation.frame_format": "jpeg"}):  # as lesson 7 sets it
        player = sharp_animation([fig], animation.to_jshtml)
    plt.close(fig)
    frames = re.findall(r'"data:image/(\w+);base64,([^"]*)"', player)
    assert [kind for kind, _ in frames] == ["png"] * 3
    for _, data in frames:
        with Image.open(io.BytesIO(base64.b64decode(data, validate=True))) as frame:
            assert frame.mode == "P" and frame.size == (300, 200)
    # The title each frame was drawn with, for the site's script to read out.
    titles = json.dumps([f"step {i} of 2 & more" for i in range(3)])
    assert re.search(
        rf'<img id="_anim_img\w+" width="150" height="100" '
        rf'data-frame-titles="{re.escape(html.escape(titles))}">',
        player,
    )
    assert fig.dpi == 50


def test_hidden_cell_toggles_are_named_by_what_they_show():
    toggle = (
        '<summary aria-label="Toggle hidden content">\n'
        '<p class="collapsed admonition-title">Show code cell source</p>'
    )
    assert tidy_body(toggle, "Title").startswith("<summary>\n<p")


def test_pages_without_a_player_are_left_alone():
    body = '<p>An <img id="figure" src="a.png" alt="a"> image.</p>'
    assert tidy_body(body, "Title") == body


def test_missing_katex_names_npm_ci(tmp_path):
    config = SimpleNamespace(
        katex_js_path=str(tmp_path / "node_modules" / "katex" / "dist" / "katex.min.js")
    )
    with pytest.raises(ConfigError, match=r"KaTeX is not installed: .*katex\.min\.js.*`npm ci`"):
        check_katex(config)


def test_katex_error_in_a_page_is_reported(caplog):
    body = '<span class="katex-error" title="ParseError: KaTeX parse error: Undefined control'
    with caplog.at_level(logging.WARNING):
        _finish_katex(None, "theory/page", "page.html", {"body": body + '">'}, None)
        _finish_katex(None, "other", "page.html", {"body": "<p>fine</p>"}, None)
    [record] = [r for r in caplog.records if "KaTeX could not render" in r.getMessage()]
    assert "Undefined control" in record.getMessage()


def test_displayed_formulas_get_a_tab_stop():
    body = '<div class="math"><span class="katex-display"><span class="katex">x</span></span>'
    assert keyboard_scrollable(body).count('<span class="katex-display" tabindex="0">') == 1
    assert keyboard_scrollable('<span class="katex">x</span>') == '<span class="katex">x</span>'


def test_quantise_pngs_makes_palette_images_once(tmp_path):
    from PIL import Image, ImageDraw

    path = tmp_path / "figure.png"
    image = Image.new("RGBA", (120, 80), "white")
    draw = ImageDraw.Draw(image)
    for i in range(40):
        draw.line((0, i * 2, 120, 80 - i), fill=(6 * i, 100, 255 - 6 * i, 255), width=2)
    image.save(path)
    assert quantise_pngs([path]) == [path]
    with Image.open(path) as result:
        assert result.mode == "P" and result.size == (120, 80)
        # Colours survive: the background stays white, the first line stays blue.
        rgb = result.convert("RGB")
        assert rgb.getpixel((60, 75)) == (255, 255, 255)
        blue = rgb.getpixel((0, 1))
        assert all(abs(a - b) <= 16 for a, b in zip(blue, (0, 100, 255), strict=True))
    assert quantise_pngs([path]) == []


def _tree(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("x = 1\n")
    gallery = tmp_path / "auto_examples"
    gallery.mkdir()
    (gallery / "plot_a.py.md5").write_text("abc")
    cache = tmp_path / "jupyter_cache"
    cache.mkdir()
    (cache / "entry").write_text("cached")
    return package, gallery, cache, gallery / ".gdtutor-source-hash"


def test_first_build_and_changed_package_invalidate_outputs(tmp_path):
    package, gallery, cache, stamp = _tree(tmp_path)
    assert invalidate_stale_outputs(package, stamp, [gallery], cache)
    assert not (gallery / "plot_a.py.md5").exists() and not cache.exists()
    assert stamp.read_text() == source_hash(package)

    (gallery / "plot_a.py.md5").write_text("abc")
    cache.mkdir()
    assert not invalidate_stale_outputs(package, stamp, [gallery], cache)
    assert (gallery / "plot_a.py.md5").exists() and cache.exists()

    (package / "mod.py").write_text("x = 2\n")
    assert invalidate_stale_outputs(package, stamp, [gallery], cache)
    assert not (gallery / "plot_a.py.md5").exists()

    # So does a change of the figure style the lessons are drawn in, or of the scraper that
    # saves their figures.
    style, scraper = tmp_path / "site.mplstyle", tmp_path / "site_assets.py"
    style.write_text("font.size: 13\n")
    scraper.write_text("DENSITY = 2\n")
    assert invalidate_stale_outputs(package, stamp, [gallery], cache, [style, scraper])
    (gallery / "plot_a.py.md5").write_text("abc")
    assert not invalidate_stale_outputs(package, stamp, [gallery], cache, [style, scraper])
    for changed, text in [(style, "font.size: 14\n"), (scraper, "DENSITY = 3\n")]:
        changed.write_text(text)
        assert invalidate_stale_outputs(package, stamp, [gallery], cache, [style, scraper])
        assert not (gallery / "plot_a.py.md5").exists()
        (gallery / "plot_a.py.md5").write_text("abc")


def test_the_install_page_names_what_pip_brings_with_gdtutor():
    """The install page's list of the packages pip installs with gdtutor is the package's."""
    root = Path(__file__).resolve().parents[1]
    dependencies = [dep for dep in requires("gdtutor") or [] if "extra ==" not in dep]
    names = {re.split(r"[<>=!~ ;\[]", dep)[0] for dep in dependencies}
    page = " ".join((root / "docs" / "install.md").read_text().split())
    # torch is named apart: the page installs it first, from the index that suits the system.
    assert "torch" in names and "gdtutor needs torch, which step 1 installed" in page
    sentence = re.search(r"pip brings ([^.]+) with it\.", page)
    assert sentence, "the install page no longer says what pip brings"
    assert set(re.split(r", | and ", sentence[1])) == names - {"torch"}


def test_the_install_page_gives_the_oldest_torch_the_package_accepts():
    """The page says which torch gdtutor asks for, from the site's settings, and which one the
    site was tested with (it claimed that any recent version works). The built page's
    numbers are checked in tests/site/test_install_and_exercises.py."""
    root = Path(__file__).resolve().parents[1]
    page = " ".join((root / "docs" / "install.md").read_text().split())
    assert "asks for PyTorch {{ torch_needed }} or later" in page
    assert "the site was built, and its tests run, with {{ torch }}," in page


def test_downloads_and_every_zip_of_them_lose_the_markers_and_keep_fixed_dates(tmp_path):
    import zipfile

    lesson = 'x = 1\n# sphinx_gallery_solution_begin = "y"\ny = 2\n# sphinx_gallery_solution_end\n'
    (tmp_path / "plot_01_a.py").write_text(lesson, encoding="utf-8")
    notebook = '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": [":func:`f`"]}]}'
    (tmp_path / "plot_01_a.ipynb").write_text(notebook, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "plot_01_a.zip", "w") as stale:  # as sphinx-gallery left it
        stale.writestr("plot_01_a.py", lesson)
    clean_downloads(tmp_path)
    assert (tmp_path / "plot_01_a.py").read_text(encoding="utf-8") == "x = 1\ny = 2\n"
    for name in ("plot_01_a.zip", f"{tmp_path.name}_python.zip"):
        with zipfile.ZipFile(tmp_path / name) as archive:
            script = archive.read("plot_01_a.py").decode()
            assert "sphinx_gallery" not in script and "y = 2" in script, name
            if name == "plot_01_a.zip":
                assert ":func:" not in archive.read("plot_01_a.ipynb").decode()
            assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_lesson_tooltips_are_plain_text():
    body = (
        '<div class="sphx-glr-thumbcontainer" tooltip="The step of '
        "sphx_glr_auto_examples_plot_03_descent_by_hand.py on f(X) = 10 \\sum_{i,j} x_{ij}^2 "
        'and 10\\,(x_1^2 + x_2^2) with \\alpha = 0.001">'
    )
    assert tidy_body(body, "Lessons") == (
        '<div class="sphx-glr-thumbcontainer" tooltip="The step of lesson 3 on '
        'f(X) = 10 Σxᵢⱼ² and 10(x₁² + x₂²) with α = 0.001">'
    )


def test_crowded_text_finds_titles_cut_off_or_overlapping():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(4, 2), layout="constrained")
    left.set_title("short")
    right.set_title("fits", fontsize="small")
    assert crowded_text(fig) == []
    right.set_title("a title far too long for half of a figure only four inches wide")
    found = crowded_text(fig)
    assert any("runs off the figure" in line for line in found), found
    left.set_title("another title that is long enough to reach its neighbour")
    right.set_title("and a second one that is long enough to reach back")
    assert any("overlap" in line for line in crowded_text(fig))
    plt.close(fig)


def test_small_text_is_measured_at_the_width_a_phone_shows_the_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # 10 pt on a figure 5 inches wide, shrunk to 358 px: 10 / 72 * 358 / 5 = 9.9 px, above
    # the smallest text allowed (PHONE_TEXT_PX).
    assert PHONE_TEXT_PX < 9.9
    fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
    ax.set_title("a title", fontsize=10)
    ax.tick_params(labelsize=10)
    assert small_text(fig) == []
    # The same text on a figure 9 inches wide: 5.5 px.
    fig.set_size_inches(9, 3)
    found = small_text(fig)
    assert len(found) == 1 and "(10.0 pt) shows 5.5 px high" in found[0], found
    # A figure narrower than the phone's article keeps its size: 7 pt at 2 inches, 100 dpi,
    # is 9.7 px (and 7 pt at 9 inches, shrunk to 358 px, would be 3.9 px).
    fig.set_size_inches(2, 2)
    ax.tick_params(labelsize=7)
    ax.set_title("a title", fontsize=7)
    assert small_text(fig) == []
    ax.annotate("tiny", (0.5, 0.5), fontsize=6)
    [line] = small_text(fig)
    assert line.startswith("'tiny' (6.0 pt) shows 8.3 px")
    # Tick labels count only where they are drawn: inside the axis limits.
    ax.texts[0].remove()
    ax.set(xticks=[5, 10], yticks=[0.5])  # setting ticks widens the limits to show them
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.tick_params(axis="x", labelsize=3)
    assert small_text(fig) == []
    ax.set_xticks([0.5, 10])
    ax.set_xlim(0, 1)
    assert [line.split(" (")[0] for line in small_text(fig)] == ["'0.5'"]
    plt.close(fig)


def test_equations_separated_by_blank_lines_are_stacked() -> None:
    # KaTeX ignores blank lines: without this, a math directive's equations run into one line.
    assert stack_equations("a = 1") == "a = 1"
    assert (
        stack_equations("a = 1,\n\n  b = 2\n") == r"\begin{gathered}a = 1, \\ b = 2\end{gathered}"
    )
    aligned = stack_equations("x &= 1 \\\\ &= 2\n\ny = 3")
    assert aligned == (
        r"\begin{gathered}\begin{aligned}x &= 1 \\ &= 2\end{aligned} \\ y = 3\end{gathered}"
    )
    # A part with an environment of its own is left to it.
    matrix = r"G = \begin{pmatrix}1 & 0\\ 0 & 4\end{pmatrix}"
    assert (
        stack_equations(f"{matrix}\n\nf = 1")
        == rf"\begin{{gathered}}{matrix} \\ f = 1\end{{gathered}}"
    )


def test_an_api_summary_signature_may_break_between_its_arguments() -> None:
    row = (
        '<tr class="row-odd"><td><p><a href="x"><code><span class="pre">run</span></code></a>'
        "(step,\xa0x,\xa0*,\xa0steps)</p></td>\n<td><p>A\xa0=\xa01</p></td>"
    )
    assert tidy_body(row, "T") == row.replace(",\xa0", ", ").replace("</a>(", "</a><wbr>(")
    assert "A\xa0=\xa01" in tidy_body(row, "T")  # the description's glue is kept


def test_a_lesson_figure_links_to_its_twice_resolution_file() -> None:
    image = (
        '<img src="../_images/a_001.png" srcset="../_images/a_001.png, '
        '../_images/a_001_2_00x.png 2.00x" alt="A figure" class = "sphx-glr-single-img"/>'
    )
    assert tidy_body(f"<p>{image}</p>", "T") == (
        f'<p><a class="reference internal image-reference" href="../_images/a_001_2_00x.png">'
        f"{image}</a></p>"
    )


def test_the_footer_links_titles_may_break_after_their_dots() -> None:
    from gdtutor_site import _tidy_page

    context = {
        "prev": {"title": "gdtutor.compare.sweep", "link": "a"},
        "next": {"title": "gdtutor.answers.NOTEBOOK_X", "link": "b"},
    }
    _tidy_page(None, "p", "page.html", context, None)  # type: ignore[arg-type]
    assert context["prev"]["title"] == "gdtutor.<wbr>compare.<wbr>sweep"
    assert context["next"]["title"] == "gdtutor.<wbr>answers.<wbr>NOTEBOOK_X"  # fits a line
    context = {"prev": {"title": "Step size and the condition_number", "link": "a"}}
    _tidy_page(None, "p", "page.html", context, None)  # type: ignore[arg-type]
    assert context["prev"]["title"] == "Step size and the condition_number"  # prose as is


def test_a_dotted_title_may_break_after_its_dots_and_a_long_names_underscores() -> None:
    """On a 320-pixel phone "gdtutor.checking.is_" / "close" read as two words: a name that
    fits a line by itself is kept whole."""
    heading = '<h1>gdtutor.stepsize.heavy_ball_factors<a class="headerlink" href="#x">#</a></h1>'
    assert tidy_body(heading, "T") == (
        "<h1>gdtutor.<wbr>stepsize.<wbr>heavy_<wbr>ball_<wbr>factors"
        '<a class="headerlink" href="#x">#</a></h1>'
    )
    short = '<h1>gdtutor.checking.is_close<a class="headerlink" href="#x">#</a></h1>'
    assert tidy_body(short, "T") == short.replace(".", ".<wbr>", 2)
    capitals = "<h1>gdtutor.answers.NOTEBOOK_START</h1>"  # wider than its letters' count says
    assert "NOTEBOOK_<wbr>START" in tidy_body(capitals, "T")
    source = "<h1>Source code for gdtutor.answers</h1>"  # viewcode's pages
    assert tidy_body(source, "T") == "<h1>Source code for gdtutor.<wbr>answers</h1>"
    lessons = '<h2>Lessons that use heavy_ball_factors<a class="headerlink" href="#y">#</a></h2>'
    assert tidy_body(lessons, "T") == lessons.replace("_", "_<wbr>")
    for prose in (
        '<h1>The house. In order<a class="headerlink" href="#x">#</a></h1>',
        '<h1>Step size and the condition_number<a class="headerlink" href="#x">#</a></h1>',
    ):
        assert tidy_body(prose, "T") == prose


def test_a_signature_may_break_after_its_dots_and_before_its_parameters() -> None:
    """A phone's line breaks after a dot of the module path or before the bracket; inside the
    name, only a long one may break after an underscore ("is_ / close" read as two words)."""
    signature = (
        '<span class="sig-prename descclassname"><span class="pre">gdtutor.stepsize.</span></span>'
        '<span class="sig-name descname"><span class="pre">heavy_ball</span></span>'
        '<span class="sig-paren">(</span><em class="sig-param"><span class="n">'
        '<span class="pre">lr_max</span></span></em>'
    )
    assert tidy_body(signature, "T") == (
        signature.replace("gdtutor.stepsize.", "gdtutor.<wbr>stepsize.<wbr>").replace(
            '</span></span><span class="sig-paren">', '</span></span><wbr><span class="sig-paren">'
        )
    )  # the parameters' names are left alone
    long_name = "a_name_of_twenty_four_ch"
    assert len(long_name) == LONG_CODE
    constant = f'<span class="sig-name descname"><span class="pre">{long_name}</span></span>'
    assert tidy_body(constant, "T") == constant.replace("_", "_<wbr>")


def test_a_number_in_a_signature_is_kept_on_one_line() -> None:
    """Chromium broke "atol=1e-" / "05" on a 320-pixel screen."""
    signature = (
        '<dt class="sig sig-object py" id="x"><span class="n"><span class="pre">atol</span>'
        '</span><span class="o"><span class="pre">=</span></span><span class="default_value">'
        '<span class="pre">1e-05</span></span>, <span class="pre">tol=2.5e+06),</span>'
        ' <span class="pre">lr=0.001</span> <span class="pre">x1e-05</span></dt>'
    )
    assert tidy_body(signature, "T") == (
        signature.replace(">1e-05<", '><span class="gd-number">1e-05</span><').replace(
            "tol=2.5e+06),", 'tol=<span class="gd-number">2.5e+06</span>),'
        )
    )
    prose = "<p>atol=1e-05</p>"  # outside a signature, text is left as it is
    assert tidy_body(prose, "T") == prose


def test_the_pages_contents_list_may_break_dotted_names_after_their_dots() -> None:
    from gdtutor_site import _tidy_page

    entry = '<a href="#x"><code><span class="pre">{}</span></code></a>'
    context = {"toc": entry.format("CheckResult.failed_lessons()") + entry.format("A title")}
    _tidy_page(None, "p", "page.html", context, None)  # type: ignore[arg-type]
    assert context["toc"] == (
        entry.format("CheckResult.<wbr>failed_lessons()") + entry.format("A title")
    )


def test_a_short_formula_keeps_its_punctuation() -> None:
    from docutils import nodes
    from docutils.utils import new_document
    from sphinx.util.docutils import docutils_namespace

    with docutils_namespace():
        doc = new_document("test")
    long_tex = r"\frac{a}{b} + " * 8  # 32 symbols: too wide to keep whole on a phone
    polyak = r"\alpha(\lambda_{\max} + \lambda_{\min}) = 2(1 + \beta)"  # long TeX, 19 symbols
    assert (visible_length(long_tex), visible_length(polyak)) == (32, 19)
    paragraph = nodes.paragraph(
        "",
        "",
        nodes.Text("by "),
        nodes.math("", "(1 - 20\\alpha)^2"),
        nodes.Text(". Then "),
        nodes.math("", long_tex),
        nodes.Text(", and "),
        nodes.math("", "x"),
        nodes.Text(" ends; "),
        nodes.math("", polyak),
        nodes.Text(", whose"),
    )
    doc += paragraph
    _punctuation_after_math(None, doc, "test")  # type: ignore[arg-type]
    kept = list(doc.findall(nodes.inline))
    assert [k["classes"] for k in kept] == [["math-and-mark"]] * 3
    # The long formula keeps KaTeX's breaks; a short one is kept whole, with its mark if any.
    assert [k.astext() for k in kept] == ["(1 - 20\\alpha)^2.", "x", f"{polyak},"]
    expected = f"by (1 - 20\\alpha)^2. Then {long_tex}, and x ends; {polyak}, whose"
    assert paragraph.astext() == expected


def test_a_formula_keeps_the_number_glued_to_it_by_non_breaking_spaces() -> None:
    from docutils import nodes

    number = nodes.inline("", "0.02616", classes=["pasted-text"])
    paragraph = nodes.paragraph(
        "", "", nodes.Text("step "), nodes.math("", "\\alpha"), nodes.Text("\xa0=\xa0"),
        number, nodes.Text(" with "), nodes.math("", "\\beta"), nodes.Text("\xa0= 0.3 and"),
    )  # fmt: skip
    _punctuation_after_math(None, paragraph, "test")  # type: ignore[arg-type]
    kept = [k.astext() for k in paragraph.findall(nodes.inline) if "math-and-mark" in k["classes"]]
    assert kept == ["\\alpha\xa0=\xa00.02616", "\\beta\xa0="]
    assert paragraph.astext() == "step \\alpha\xa0=\xa00.02616 with \\beta\xa0= 0.3 and"


def test_the_code_readers_see_carries_no_tool_comments() -> None:
    """Lessons and executed pages show their code: no formatter, linter or type-checker
    comment in it."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    sources = [
        *(docs.parent / "gallery").glob("*.py"),
        *docs.glob("*.md"),
        *docs.glob("theory/*.md"),
    ]
    assert len(sources) > 10
    pragma = re.compile(r"#\s*(fmt:|noqa|type:\s*ignore|pragma|isort:)")
    found = [
        f"{path.name}:{n}"
        for path in sources
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if pragma.search(line)
    ]
    assert found == []


def test_a_long_name_in_the_text_may_break_after_its_dots_and_underscores():
    long = (
        '<code class="xref py py-func docutils literal notranslate"><span class="pre">'
        "gdtutor.answers.start_exercise()</span></code>"
    )
    button = (
        '<code class="xref download docutils literal notranslate"><span class="pre">Download'
        '</span> <span class="pre">plot_01_autograd_basics_exercise.ipynb</span></code>'
    )
    short = (
        '<code class="docutils literal notranslate"><span class="pre">x.grad.zero_()</span></code>'
    )
    block = '<pre><span class="n">gdtutor.answers.start_exercise</span></pre>'
    body = tidy_body(long + button + short + block, "Page")
    assert "gdtutor.<wbr>answers.<wbr>start_<wbr>exercise()" in body
    assert '<span class="pre">Download</span>' in body
    assert "plot_<wbr>01_<wbr>autograd_<wbr>basics_<wbr>exercise.<wbr>ipynb" in body
    assert short in body and block in body  # fits a line; a code block scrolls


@pytest.mark.parametrize("callers", [None, "error"])
def test_the_lessons_filter_reaches_the_gallerys_processes_and_is_given_back(
    callers: str | None,
) -> None:
    """While sphinx-gallery runs the lessons (builder-inited, priority 500), the processes it
    starts ignore the non-leaf .grad warning, even under a caller's "error"; before and after,
    the environment is the caller's."""
    # conf.py runs as Sphinx runs it, in a process of its own (its hooks change the
    # environment), with a stand-in for Sphinx that calls the hooks in priority order.
    code = """
import json, os, runpy, sys
conf = runpy.run_path(sys.argv[1])
seen = {"loaded": os.environ.get("PYTHONWARNINGS")}
class App:
    hooks = []
    def connect(self, event, hook, priority=500):
        self.hooks.append((priority, event, hook))
app = App()
conf["setup"](app)
for priority, event, hook in sorted(app.hooks, key=lambda h: h[0]):
    hook(app)
    seen[priority] = os.environ.get("PYTHONWARNINGS")
jobs = conf["sphinx_gallery_conf"]["parallel"]
print(json.dumps([seen, sorted(p for p, _, _ in app.hooks), jobs]))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    if callers is not None:
        env["PYTHONWARNINGS"] = callers
    conf = Path(__file__).resolve().parents[1] / "docs" / "conf.py"
    done = subprocess.run(
        [sys.executable, "-c", code, str(conf)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen, priorities, jobs = json.loads(done.stdout.splitlines()[-1])
    assert priorities == [499, 501]  # around sphinx-gallery's 500
    assert seen["loaded"] == callers and seen["501"] == callers
    # A process started while the lessons run reads a non-leaf tensor's .grad unwarned; one
    # with the caller's filters alone is warned (or stopped, under "error").
    # (torch's warning, raised through Python's warnings as a UserWarning with this text)
    lesson = (
        "import warnings; warnings.warn('The .grad attribute of a Tensor that is not a leaf "
        "Tensor is being accessed.', UserWarning)"
    )
    for filters, quiet in ((seen["499"], True), (callers, False)):
        child = subprocess.run(
            [sys.executable, "-c", lesson],
            env={**env, "PYTHONWARNINGS": filters or ""},
            capture_output=True,
            text=True,
            timeout=120,
        )
        warned = "is not a leaf Tensor" in child.stderr
        assert (child.returncode == 0 and not warned) if quiet else warned, child.stderr[-2000:]
    assert jobs == min(4, joblib.cpu_count())
