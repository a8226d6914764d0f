"""What a reader expects of a documentation site, on every page of the build: one viewport
tag, a description and a social card, a favicon, a link to the page's source, a table of
contents on long pages, copy buttons that copy only code; and a sitemap, a 404 page, and a
search that lists the lessons before the API pages.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tests.site.conftest import HTML, PHONE, PROBE, contrast, published_path, site_pages

PAGES = site_pages()
# Pages that Sphinx generates around the content, with nothing of their own to describe.
GENERATED = {"404.html", "search.html", "genindex.html", "py-modindex.html"}
CONTENT = [p for p in PAGES if p not in GENERATED and not p.startswith("_modules/")]


def _text(page_path: str) -> str:
    return (HTML / page_path).read_text(encoding="utf-8")


def _article(page_path: str) -> str:
    """The page's own content, without the navigation that every page shares."""
    page = _text(page_path)
    return page[page.find("<article") : page.rfind("</article>")]


def _meta(page: str, attribute: str, name: str) -> list[str]:
    return re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page)


def _in_build(url: str) -> bool:
    """Whether an absolute URL of the published site names a file of this build."""
    path = urlparse(url).path
    prefix = published_path()
    return path.startswith(prefix) and (HTML / unquote(path[len(prefix) :])).is_file()


@pytest.mark.parametrize("page_path", PAGES)
def test_one_viewport_tag_and_a_favicon(page_path: str) -> None:
    page = _text(page_path)
    assert page.count('name="viewport"') == 1, f"{page_path}: viewport tags"
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert len(icons) == 1, f"{page_path}: favicon links {icons}"
    icon = icons[0]
    if icon.startswith("/"):  # the 404 page links from the site's root
        assert _in_build("https://host" + icon), icon
    else:
        assert ((HTML / page_path).parent / icon).resolve().is_file(), icon


@pytest.mark.parametrize("page_path", CONTENT)
def test_description_and_social_card(page_path: str) -> None:
    page = _text(page_path)
    [description] = _meta(page, "name", "description")
    [title] = _meta(page, "property", "og:title")
    assert description.strip() and description != title, f"{page_path}: {description!r}"
    assert not re.search(r"\\[a-zA-Z]+|\$", description), f"{page_path}: TeX in {description!r}"
    assert _meta(page, "property", "og:url")
    assert _meta(page, "property", "og:description") == [description]
    [image] = _meta(page, "property", "og:image")
    assert _in_build(image), f"{page_path}: social card image {image} is not in the build"
    assert _meta(page, "property", "og:image:alt"), f"{page_path}: social card without alt"


def test_sitemap_lists_every_content_page() -> None:
    sitemap = (HTML / "sitemap.xml").read_text(encoding="utf-8")
    listed = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    assert all(_in_build(url) for url in listed), "the sitemap lists files not in the build"
    paths = {urlparse(url).path[len(published_path()) :] for url in listed}
    missing = [p for p in CONTENT if p not in paths]
    assert missing == [], f"pages missing from the sitemap: {missing}"


@pytest.mark.parametrize("page_path", CONTENT)
def test_page_links_to_its_source(visit, site_url: str, page_path: str) -> None:  # type: ignore[no-untyped-def]
    links = visit(page_path, "desktop-light").layout["source_links"]
    assert len(links) == 1, f"{page_path}: source links {links}"
    assert _in_build(links[0].replace(site_url, "https://host" + published_path().rstrip("/")))


@pytest.mark.parametrize("page_path", CONTENT)
def test_long_pages_have_an_on_this_page_contents(visit, page_path: str) -> None:  # type: ignore[no-untyped-def]
    layout = visit(page_path, "desktop-light").layout
    if layout["height"] > 2 * 900 and layout["sections"] >= 2:
        assert layout["toc_links"] >= layout["sections"], f"{page_path}: {layout}"


@pytest.mark.parametrize("page_path", PAGES)
def test_no_toctree_repeats_a_link_of_its_page(visit, page_path: str) -> None:  # type: ignore[no-untyped-def]
    duplicates = visit(page_path, "desktop-light").layout["toctree_duplicates"]
    assert duplicates == [], f"{page_path}: the visible toctree repeats {duplicates}"


@pytest.mark.parametrize("page_path", PAGES)
def test_copy_buttons_on_code_not_on_output(visit, page_path: str) -> None:  # type: ignore[no-untyped-def]
    layout = visit(page_path, "desktop-light").layout
    assert layout["code_without_button"] == 0, f"{page_path}: {layout}"
    assert layout["output_with_button"] == 0, f"{page_path}: {layout}"


@pytest.mark.parametrize("page_path", PAGES)
def test_figures_keep_apart_from_what_follows_and_underlines_from_underscores(  # type: ignore[no-untyped-def]
    visit, page_path: str
) -> None:
    layout = visit(page_path, "desktop-light").layout
    assert all(gap >= 12 for gap in layout["figure_gaps"]), f"{page_path}: {layout['figure_gaps']}"
    # A monospace underscore reaches about 0.2em below the baseline (the offset is in em of
    # the link's text, 16 px, against the code's 14 px).
    low = [offset for offset in layout["code_link_offsets"] if offset < 0.28]
    assert low == [], f"{page_path}: underlines {low} em below names in code"


def test_no_template_fragment_is_published() -> None:
    assert sorted((HTML / "_static").glob("*.html")) == []


def test_the_scroll_bars_follow_the_dark_mode(visit) -> None:  # type: ignore[no-untyped-def]
    assert visit("index.html", "desktop-light").layout["scrollbar_color"] == "auto"
    dark = visit("index.html", "phone-dark").layout["scrollbar_color"]
    assert dark != "auto" and "255, 255, 255" not in dark, dark


def test_copy_button_leaves_out_prompts_and_output(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """A doctest example copies as the code alone: no ">>> " prompts, no printed output."""
    page_path = next(
        p for p in CONTENT if p.startswith("gen_modules/") and 'class="gp"' in _text(p)
    )
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{site_url}/{page_path}", wait_until="load")
    block = page.locator("div.highlight:has(.gp)").first
    shown = block.locator("pre").inner_text()
    block.hover()
    block.locator("button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert ">>>" in shown and ">>>" not in copied and "..." not in copied.split("\n")[0]
    outputs = [
        line for line in shown.splitlines() if line.strip() and not line.startswith((">>>", "..."))
    ]
    assert outputs, "the example prints nothing; choose one with output"
    assert not any(line in copied.splitlines() for line in outputs), (shown, copied)
    assert copied.strip(), "nothing was copied"


def test_links_in_a_lessons_code_look_like_links(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """Every link sphinx-gallery puts in a lesson's code is underlined (those on a name that
    holds an object, which sphinx-gallery leaves bare, dotted)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/auto_examples/plot_07_optimizers_race.html", wait_until="load")
    links = page.eval_on_selector_all(
        "div.highlight pre a",
        "links => links.map(a => [a.textContent, getComputedStyle(a).textDecorationLine])",
    )
    context.close()
    assert len(links) >= 10
    assert [text for text, line in links if line != "underline"] == []


#: How much of each link in a code block is inside the block once the link has the focus.
LINK_IN_VIEW = """() => [...document.querySelectorAll("article pre a")].map((link) => {
  link.focus();
  const shown = link.getBoundingClientRect(), block = link.closest("pre").getBoundingClientRect();
  const inside = Math.min(shown.right, block.right) - Math.max(shown.left, block.left);
  return [link.textContent, Math.max(0, inside) / shown.width];
})"""


def test_a_link_in_code_that_scrolls_is_in_view_when_it_has_the_focus(  # type: ignore[no-untyped-def]
    browser, site_url: str
) -> None:
    """On a phone, lesson 6's code scrolls sideways; a keyboard reader who tabs to a link in
    it sees the whole link (Chromium left some almost wholly outside the block)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site_url}/auto_examples/plot_06_optimizers_compared.html", wait_until="load")
    shown = page.evaluate(LINK_IN_VIEW)
    context.close()
    assert len(shown) >= 50
    assert [(text, round(part, 2)) for text, part in shown if part < 0.99] == []


def test_missing_page_shows_the_404_page(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
            and failed.append(r.url))  # fmt: skip
    response = page.goto(f"{site_url}/no/such/lesson.html", wait_until="networkidle")
    assert response is not None and response.status == 404
    assert "Page not found" in page.title()
    assert failed == [], f"the 404 page's assets did not load: {failed}"
    # Its navigation leads back into the site from any depth.
    page.locator("nav a.nav-link", has_text="Lessons").first.click()
    # Each page waits for the network to be idle before the next one opens: Chromium asks for
    # the favicon after the load, and leaving a page cancels what it still loads.
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(site_url) and "auto_examples/index.html" in page.url
    assert "Lessons" in page.title()
    # Its text links to the main pages, and searches, from any depth too.
    page.goto(f"{site_url}/no/such/lesson.html", wait_until="networkidle")
    article = page.locator("article")
    for text, target in [
        ("the lessons", "auto_examples/index.html"),
        ("the exercises", "exercises.html"),
    ]:
        assert article.get_by_role("link", name=text).get_attribute("href").endswith("/" + target)
    article.get_by_role("searchbox", name="Or search the site:").fill("learning rate")
    article.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{site_url}/search.html?q=learning") and failed == []
    context.close()


def _search(browser, site_url: str, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/search.html?q={query}", wait_until="load")
    # Sphinx lists the results one at a time, and writes the summary ("Search finished,
    # found ...") after the last.
    page.wait_for_function(
        "() => /found/i.test(document.querySelector('.search-summary')?.textContent ?? '')",
        timeout=30_000,
    )
    results = page.eval_on_selector_all(
        "#search-results li > a", "links => links.map(a => a.getAttribute('href'))"
    )
    context.close()
    return [r.split("#")[0].split("?")[0] for r in results]


@pytest.mark.parametrize("query", ["AdamW", "momentum", "learning rate"])
def test_search_lists_lessons_and_theory_before_api_pages(  # type: ignore[no-untyped-def]
    browser, site_url: str, query: str
) -> None:
    results = _search(browser, site_url, query)
    teaching = [
        i for i, r in enumerate(results) if r.startswith(("auto_examples/plot_", "theory/"))
    ]
    api = [i for i, r in enumerate(results) if r.startswith("gen_modules/")]
    assert teaching, f"no lesson found for {query!r}: {results}"
    assert not api or max(teaching) < min(api), f"{query!r}: {results}"
    # Every lesson whose text uses the word is found.
    word = query.split()[0].lower()
    using = {
        p for p in PAGES if p.startswith("auto_examples/plot_") and word in _article(p).lower()
    }
    assert using <= set(results), f"{query!r}: lessons not found: {using - set(results)}"


@pytest.mark.parametrize(
    ("query", "first"),
    [("momentum", "theory/momentum.html"), ("AdamW", "auto_examples/plot_05_torch_optim.html")],
)
def test_search_lists_first_the_page_whose_title_has_the_word(  # type: ignore[no-untyped-def]
    browser, site_url: str, query: str, first: str
) -> None:
    """ "What momentum does on a quadratic" came third for "momentum", after pages that have
    the word only in a section's title (Sphinx scores both alike, then sorts by title)."""
    assert _search(browser, site_url, query)[0] == first


def _passages(page, site_url: str, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The passages under the results of a search, once every one has come."""
    page.goto(f"{site_url}/search.html?q={query}", wait_until="load")
    page.wait_for_function(
        "() => /found/i.test(document.querySelector('.search-summary')?.textContent ?? '')",
        timeout=30_000,
    )
    page.wait_for_load_state("networkidle")  # each passage comes with its own page
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#search-results li p.context", "ps => ps.map(p => p.textContent)"
    )


def test_a_search_result_marks_the_words_searched_for_on_its_page(  # type: ignore[no-untyped-def]
    browser, site_url: str, node_modules: Path
) -> None:
    """A result's link carries the words searched for; its page marks them where a word
    starts with them or with their stem, in the article's prose ("separate" on this page is
    not marked, nor the explorer's charts and controls), legible in dark mode, with a button
    that takes the marks off; the address loses its ?highlight=. A page reached otherwise
    after a search is not marked."""
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(f"{site_url}/theory/step_size.html?highlight=learning+rate", wait_until="load")
        assert re.search(r"\w+rate", page.inner_text("article"))  # "separate", "generated"
        marks = page.eval_on_selector_all(
            "span.highlighted",
            """spans => spans.map(s => [s.textContent, !!s.closest('article'),
                (s.previousSibling ? s.previousSibling.textContent : '').slice(-1)])""",
        )
        assert len(marks) >= 8 and all(inside for _, inside, _ in marks), marks
        assert all(re.match(r"(learn|rate)", text, re.I) for text, _, _ in marks), marks
        assert [m for m in marks if re.fullmatch(r"\w", m[2])] == [], marks
        assert "highlight=" not in page.url
        page.add_script_tag(path=str(node_modules / "axe-core" / "axe.min.js"))
        contrast = page.evaluate(
            """async () => (await axe.run(document, {runOnly: ["color-contrast"]}))
                 .violations.flatMap(v => v.nodes.map(n => n.target.join(" ")))"""
        )
        assert contrast == [], contrast
        page.click("#searchbox .highlight-link a")
        # The link's script takes the marks off after the click has returned.
        page.wait_for_selector("span.highlighted", state="detached")
        # The explorer's charts (SVG text) and controls keep their words.
        page.goto(f"{site_url}/theory/step_size.html?highlight=stable+step", wait_until="load")
        assert page.locator("article span.highlighted").count() > 0
        assert page.locator(".gdt-explorer span.highlighted, svg span.highlighted").count() == 0
        # A result's page, reached from the search page, marks the word and its forms.
        page.goto(f"{site_url}/search.html?q=optimizers", wait_until="load")
        page.wait_for_selector("#search-results li a")
        link = page.locator("#search-results li a >> nth=0")
        assert "highlight=optimizers" in (link.get_attribute("href") or "")
        link.click()
        page.wait_for_load_state("load")
        marked = page.eval_on_selector_all(
            "article span.highlighted", "s => s.map(m => m.textContent)"
        )
        assert marked and all(m.lower().startswith("optim") for m in marked), marked
        # After a search, a page reached through the header is not marked.
        page.goto(f"{site_url}/search.html?q=momentum", wait_until="load")
        page.wait_for_selector("#search-results li a")
        page.click("header a:has-text('Theory')")
        page.wait_for_load_state("load")
        assert page.locator("span.highlighted").count() == 0
    finally:
        context.close()


def test_search_passages_are_taken_around_the_words_searched_for(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """Not around "rate" inside "enumerate": around "learning rate" where a page has it, else
    around a word that starts with a word searched for."""
    context = browser.new_context()
    page = context.new_page()
    passages = _passages(page, site_url, "learning+rate")
    assert len(passages) >= 10
    phrase = [p for p in passages if re.search(r"\blearning\s+rate\b", p, re.IGNORECASE)]
    assert len(phrase) >= len(passages) // 2, passages
    words = [p for p in passages if re.search(r"\b(learn|rate)", p, re.IGNORECASE)]
    assert words == passages
    # The words searched for are marked where a word starts with them, every time, and
    # nowhere else ("rate" in "separate", "accurate" or "enumerate").
    marks = page.eval_on_selector_all(
        "#search-results li p.context .highlighted",
        """spans => spans.map(s => [s.textContent,
            (s.previousSibling ? s.previousSibling.textContent : '').slice(-1)])""",
    )
    assert marks and {text.lower() for text, _ in marks} <= {"learning", "rate", "rates"}, marks
    assert [m for m in marks if re.fullmatch(r"\w", m[1])] == [], marks
    shown = page.eval_on_selector_all(
        "#search-results li p.context", "ps => ps.map(p => p.innerHTML)"
    )
    unmarked = [p for p in shown if re.search(r"(?<![\w>])(learning|rates?)\b(?!</span>)", p, re.I)]
    assert unmarked == [], unmarked[:3]
    # The words Sphinx leaves out of a query (stop words, numbers) are not marked; the words
    # it searches for are, as it stems them ("learn" marks "learner" too).
    _passages(page, site_url, "what+is+a+learning+rate+of+0.001")
    marks = page.eval_on_selector_all(
        "#search-results li p.context .highlighted", "spans => spans.map(s => s.textContent)"
    )
    assert marks and [m for m in marks if not re.match(r"(learn|rate)", m, re.I)] == [], marks
    # A word searched for in another form ("optimizers") is marked in the form the page has.
    passages = _passages(page, site_url, "optimizers")
    marks = page.eval_on_selector_all(
        "#search-results li p.context .highlighted", "spans => spans.map(s => s.textContent)"
    )
    assert len(passages) >= 5 and marks, passages
    assert {mark.lower() for mark in marks} <= {"optimizer", "optimizers", "optimize", "optim"}
    assert "optimizer" in {mark.lower() for mark in marks}
    # A passage cut out of a longer text starts and ends between words: each word of a page
    # made of numbered words, cut at several places, is whole.
    cuts = page.evaluate(
        """() => [0, 1, 2, 3, 4, 5, 6].map((shift) => {
          const words = Array.from({length: 90}, (_, i) => `w${i}x${'y'.repeat((i + shift) % 7)}`);
          words.splice(45, 0, 'learning', 'rate');
          const html = `<div role="main"><p>${words.join(' ')}</p></div>`;
          return [words, Search.makeSearchSummary(html, new Set(['learning', 'rate']), '')
            .textContent];
        })"""
    )
    context.close()
    for words, passage in cuts:
        assert passage.startswith("... ") and passage.endswith(" ..."), passage
        shown = passage[4:-4].split()
        assert "learning" in shown and set(shown) <= set(words), passage


def test_search_passages_show_each_formula_once(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """The passage under a result shows a formula once, as its TeX source, not also as
    MathML text and as drawn ("btb_tbt"); a word found only in formulas ("alpha") is found
    there, so its passage shows it rather than the page's opening breadcrumbs."""
    context = browser.new_context()
    page = context.new_page()
    passages = _passages(page, site_url, "alpha")
    assert len(passages) >= 5
    assert [p for p in passages if "alpha" not in p.lower()] == []
    # A page's text, as the search reads it: each formula is there once, as TeX.
    seen = page.evaluate(
        """async () => {
          const html = await (await fetch('theory/momentum.html')).text();
          const text = Search.htmlToText(html);
          const formulas = new DOMParser().parseFromString(html, 'text/html')
            .querySelectorAll('.katex');
          return [...formulas].slice(0, 20).map((f) => {
            const tex = f.querySelector('annotation').textContent.trim();
            const drawn = f.querySelector('.katex-html').textContent;
            const twice = text.includes(tex + drawn) || text.includes(drawn + tex);
            return [tex, text.includes(tex), twice];
          });
        }"""
    )
    # The words of neighbouring boxes stay apart: an API page's parameters read as the page
    # shows them.
    api = page.evaluate(
        """async () => Search.htmlToText(
          await (await fetch('gen_modules/generated/gdtutor.optimize.html')).text())"""
    )
    context.close()
    api = " ".join(api.split())
    assert "lr : float The learning rate" in api and "lrfloat" not in api, api[:600]
    # A heading does not run into the sentence after it.
    assert "Lessons that use optimize — " in api, api[-600:]
    # The page's own words only: not its title (the result's link), breadcrumbs, "[source]"
    # link, nor the links to the pages before and after it.
    assert api.startswith("gdtutor.optimize(objective, start, optimizer,"), api[:300]
    assert not re.search(r"\[source\]|previous|Show Source", api), api[-300:]
    assert len(seen) == 20
    assert [tex for tex, found, _ in seen if not found] == []
    assert [tex for tex, _, twice in seen if twice] == []  # beside the formula as drawn


def test_the_module_index_lists_every_public_module() -> None:
    """The module index lists the package and each of its public modules (it had six of
    them, under a heading that linked nowhere)."""
    index = (HTML / "py-modindex.html").read_text("utf-8")
    listed = set(re.findall(r'<code class="xref">(gdtutor(?:\.\w+)?)</code>', index))
    public = {"gdtutor"} | {
        f"gdtutor.{p.stem}"
        for p in (HTML.parents[2] / "gdtutor").glob("*.py")
        if not p.stem.startswith("_") and p.stem != "cli"
    }
    assert listed == public


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("index", ["py-modindex.html", "genindex.html"])
def test_index_letter_rows_are_readable(browser, site_url: str, index: str, theme: str) -> None:  # type: ignore[no-untyped-def]
    """The indexes' letter rows ("g"): basic.css gives them a light grey that the dark
    theme's light text could not be read on (axe leaves so short a text unjudged)."""
    context = browser.new_context(color_scheme=theme)
    page = context.new_page()
    page.goto(f"{site_url}/{index}", wait_until="load")
    colours = page.evaluate(
        """() => [...document.querySelectorAll('tr.cap, .genindex-jumpbox a, h2')].map((e) => {
          let back = 'rgba(0, 0, 0, 0)';
          for (let p = e; p && /rgba\\(0, 0, 0, 0\\)|transparent/.test(back); p = p.parentElement) {
            back = getComputedStyle(p).backgroundColor;
          }
          return [e.textContent.trim(), getComputedStyle(e).color, back];
        })"""
    )
    context.close()
    assert colours
    poor = [(text, fore, back) for text, fore, back in colours if contrast(fore, back) < 4.5]
    assert poor == []


def _figure_cells() -> list[tuple[str, str]]:
    """(page, alt text) of every figure a MyST page's code cell declares."""
    docs = HTML.parents[1]
    found = []
    for source in sorted(docs.rglob("*.md")):
        if "_build" in source.parts or "file_format: mystnb" not in source.read_text("utf-8"):
            continue
        page = source.relative_to(docs).with_suffix(".html").as_posix()
        for alt in re.findall(r'^    alt: "(.+)"$', source.read_text("utf-8"), re.MULTILINE):
            found.append((page, alt))
    return found


def test_the_executed_pages_show_their_figures() -> None:
    """Each figure a MyST page's cell declares is on the built page, with its alt text: a
    build whose kernels cannot draw inline (MPLBACKEND=Agg, say) shows none."""
    cells = _figure_cells()
    assert len(cells) >= 5 and any(page.startswith("theory/") for page, _ in cells)

    def shown(page: str) -> set[str]:
        alts = re.findall(r'<img [^>]*alt="([^"]*)"', _article(page))
        return {html.unescape(alt) for alt in alts}

    missing = [(page, alt[:60]) for page, alt in cells if alt not in shown(page)]
    assert missing == [], f"figures missing from the built pages: {missing}"


def test_lesson_outputs_keep_their_leading_spaces() -> None:
    """A lesson's printed output is shown as printed: reST strips the indentation that all the
    lines of a literal block share, so a block whose every line starts with a space (a table
    with right-aligned labels) would lose its first columns' spaces."""
    examples = HTML.parent.parent / "auto_examples"
    blocks = 0
    for rst in sorted(examples.glob("plot_*.rst")):
        source = rst.read_text(encoding="utf-8")
        for block in re.findall(r"\.\. code-block:: none\n\n((?:    .*\n|\n)+)", source):
            lines = [line[4:] for line in block.splitlines() if line.strip()]
            blocks += 1
            assert any(not line.startswith(" ") for line in lines), (rst.name, lines[:2])
    assert blocks > 20


#: The runs of letters, and the numbers with an exponent, in the search results that the
#: browser splits across lines.
SPLIT_LETTERS = r"""
() => {
  const split = [];
  const walker = document.createTreeWalker(
    document.getElementById("search-results"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\d+(?:\.\d+)?e[-+]\d+|[A-Za-z]{2,}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width)
        .map((r) => Math.round(r.top)));
      if (lines.size > 1) split.push(match[0]);
    }
  }
  return split;
}
"""


def _results_low_contrast(page, node_modules: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The parts of the search results whose text falls short of WCAG's contrast, by axe."""
    page.add_script_tag(path=str(node_modules / "axe-core" / "axe.min.js"))
    return page.evaluate(  # type: ignore[no-any-return]
        """async () => (await axe.run('#search-results', {runOnly: ['color-contrast']}))
             .violations.flatMap(v => v.nodes.map(n => n.target.join(' ')))"""
    )


def test_search_passages_draw_their_formulas_as_the_pages_do(  # type: ignore[no-untyped-def]
    browser, site_url: str, node_modules: Path
) -> None:
    """A passage showed a formula as its TeX source ("\\alpha / \\sqrt{v}", and for a
    displayed one "\\begin{gathered}..."): it shows it drawn, whole, with KaTeX's MathML for a
    screen reader, and marked when the word searched for is in it. On a 320-pixel phone the
    passages fit, and in dark mode the formulas are legible."""
    context = browser.new_context(color_scheme="dark", viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        for query in ("alpha", "momentum", "learning rate", "nesterov"):
            _passages(page, site_url, query)
            seen = page.evaluate(
                """() => {
                  const passages = [...document.querySelectorAll('#search-results p.context')];
                  const drawn = passages.flatMap((p) => [...p.querySelectorAll('.katex')]);
                  return {
                    // Sphinx's marks inside a formula's drawing, MathML or TeX.
                    inside: document.querySelectorAll('#search-results .katex .highlighted')
                      .length,
                    // What a reader sees: the passages' text, formulas as drawn.
                    shown: passages.map((p) => p.innerText).join(' '),
                    formulas: drawn.length,
                    whole: drawn.every((f) => f.querySelector('.katex-mathml math') &&
                                              f.querySelector('.katex-html')),
                    marked: drawn.filter((f) => f.closest('.highlighted')).length,
                    wider: passages.filter((p) => p.scrollWidth > p.clientWidth).length,
                    page: document.documentElement.scrollWidth - window.innerWidth,
                  };
                }"""
            )
            assert seen["formulas"] >= 3, (query, seen)
            assert seen["whole"], query
            assert not re.search(r"\\[a-zA-Z]+|[\ue000\ue001]", seen["shown"]), seen["shown"]
            assert (seen["wider"], seen["page"], seen["inside"]) == (0, 0, 0), (query, seen)
            if query == "alpha":  # only in formulas: each passage marks one
                assert seen["marked"] >= 5, seen
        assert _results_low_contrast(page, node_modules) == []
    finally:
        context.close()


def test_a_passage_leaves_out_a_formula_it_would_cut_unless_the_words_are_in_it(  # type: ignore[no-untyped-def]
    browser, site_url: str
) -> None:
    """A passage that would start or end inside a long formula took it in whole, and grew to
    over 700 characters: it leaves it out, unless the words found are in it. A formula is
    marked when its text has a word searched for, not a TeX command's name ("left" is not
    in \\leftarrow), and such a name does not decide where the passage is taken. Pages made
    up here, summed up by the site's own code."""
    context = browser.new_context()
    try:
        page = context.new_page()
        _passages(page, site_url, "target")
        cases = page.evaluate(
            r"""() => {
              const formula = (tex) => '<span class="katex"><span class="katex-mathml"><math>' +
                `<semantics><mrow><mi>x</mi></mrow><annotation encoding="application/x-tex">` +
                `${tex}</annotation></semantics></math></span>` +
                '<span class="katex-html" aria-hidden="true">x</span></span>';
              const long = (word) => `x \\leftarrow ${'y + '.repeat(60)}${word} z`;
              const pages = {
                before: `${'w '.repeat(60)}${formula(long('b'))} and then the target here.`,
                after: `the target ${'w '.repeat(20)}${formula(long('b'))} ${'w '.repeat(50)}`,
                inside: `${'w '.repeat(60)}${formula(long('\\text{target}'))} ${'w '.repeat(50)}`,
                commands: `the target ${formula('x \\leftarrow y')} and ${formula('\\text{left}')}`,
                // "left" only in a command's name, then in the text: the passage is taken there.
                found: `${formula('x \\leftarrow y')} ${'w '.repeat(150)} then left here.`,
              };
              return Object.fromEntries(Object.entries(pages).map(([name, body]) => {
                const html = `<html><body><div role="main"><p>${body}</p></div></body></html>`;
                const summary = Search.makeSearchSummary(html, new Set(['left']), '');
                const drawn = [...summary.querySelectorAll('.katex')];
                return [name, {
                  text: summary.textContent,
                  formulas: drawn.length,
                  whole: drawn.every((f) => f.querySelector('annotation')),
                  marked: drawn.map((f) => !!f.closest('.highlighted')),
                }];
              }));
            }"""
        )
    finally:
        context.close()
    for name, case in cases.items():
        assert case["whole"] and not re.search("[\ue000\ue001]", case["text"]), (name, case)
    assert cases["before"]["formulas"] == 0 and "target" in cases["before"]["text"]
    assert cases["after"]["formulas"] == 0 and "target" in cases["after"]["text"]
    assert len(cases["before"]["text"]) < 300 and len(cases["after"]["text"]) < 300
    assert cases["inside"]["formulas"] == 1 and cases["inside"]["marked"] == [True]
    assert cases["commands"]["marked"] == [False, True], cases["commands"]
    assert cases["found"]["formulas"] == 0 and "then left here" in cases["found"]["text"]


def test_search_results_fit_a_phone_and_read_in_dark_mode(  # type: ignore[no-untyped-def]
    browser, site_url: str, node_modules: Path
) -> None:
    """On a 360-pixel phone, passages that hold long API signatures do not widen the page
    (they made it 43 px wider than the screen); in dark mode a word marked in a result's
    title is legible (the link's colour on the mark's ground was 2.7:1)."""
    context = browser.new_context(color_scheme="dark", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for query in ("heavy ball factors", "heavy_ball_factors"):  # an object's description too
            _passages(page, site_url, query)
            probe = page.evaluate(f"({PROBE})")
            overflow = {
                k: probe[k] for k in ("page_overflow", "content_overflow", "column_overflow")
            }
            assert max(overflow.values()) <= 0, (query, overflow)
            # A name breaks after a dot or an underscore ("heavy_ball_f|actors" did not).
            assert page.evaluate(SPLIT_LETTERS) == [], query
        # On a 320-pixel screen, a number such as 9.3e-21 stays whole ("9.3e-" / "21" did not).
        page.set_viewport_size({"width": 320, "height": 640})
        _passages(page, site_url, "AdamW")
        assert page.evaluate(SPLIT_LETTERS) == [], "AdamW"
        _passages(page, site_url, "heavy_ball_factors")
        # Split there, a page's title keeps the mark Sphinx puts on the words searched for.
        unmarked = page.eval_on_selector_all(
            "#search-results li > a",
            """links => links.filter((a) => a.textContent.includes('heavy_ball_factors')
                 && !a.querySelector('.highlighted')).map((a) => a.textContent)""",
        )
        assert unmarked == []
        _passages(page, site_url, "momentum")
        assert page.locator("#search-results li > a span.highlighted").count() > 0
        assert _results_low_contrast(page, node_modules) == []
    finally:
        context.close()


def test_the_colour_mode_menu_says_the_mode_and_keeps_the_focus(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """Chosen by keyboard, a mode left the focus at the page's start (the menu it was in
    closed), and neither the menu's button nor its choices said which mode was in use."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site_url}/index.html", wait_until="load")
        button = page.locator(".theme-switch-button").first
        assert button.get_attribute("aria-label") == "Color mode: System Settings"
        button.focus()
        page.keyboard.press("Enter")
        dark = page.locator(".theme-change-button[data-mode='dark']").first
        dark.wait_for(state="visible")
        dark.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
        page.wait_for_function(
            "() => document.activeElement.classList.contains('theme-switch-button')"
        )
        assert button.get_attribute("aria-label") == "Color mode: Dark"
        pressed = page.eval_on_selector_all(
            ".theme-switch-container .theme-change-button",
            "bs => bs.map(b => [b.dataset.mode, b.getAttribute('aria-pressed')])",
        )
        assert set(map(tuple, pressed)) == {("auto", "false"), ("light", "false"), ("dark", "true")}
    finally:
        context.close()
