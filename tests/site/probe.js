// What a reader sees of a page's math and layout, measured in the browser. The same function
// runs in Chromium (Playwright) and in Firefox ESR (puppeteer-core), so both browsers are
// held to the same facts. It returns lists of offenders (empty lists mean all is well) and a
// few counts that say the checks had something to look at.
async () => {
  await document.fonts.ready;
  const rect = (el) => el.getBoundingClientRect();
  const text = (el) => el.textContent.trim().slice(0, 60);
  const formulas = [...document.querySelectorAll(".katex")];
  const html = (k) => k.querySelector(":scope > .katex-html") || k;

  // No TeX left as text where a reader sees it (TeX in code listings is code, not math).
  const prose = document.body.cloneNode(true);
  prose
    .querySelectorAll("pre, code, .highlight, .katex, script, style, textarea")
    .forEach((e) => e.remove());
  const rawTex = (prose.textContent.match(/\\\(|\\\[|\$\$|\\begin\{|\\frac|\\alpha|\\mathbf/g) || []);

  // KaTeX's stylesheet and fonts are in use: formulas are set in KaTeX_* faces that loaded.
  const unstyled = formulas
    .filter((k) => !getComputedStyle(html(k)).fontFamily.includes("KaTeX_Main"))
    .map(text);
  const fontErrors = [...document.fonts]
    .filter((f) => f.family.replace(/"/g, "").startsWith("KaTeX_") && f.status === "error")
    .map((f) => `${f.family} ${f.weight} ${f.style}`);
  const fontsLoaded = [...document.fonts].filter(
    (f) => f.family.replace(/"/g, "").startsWith("KaTeX_") && f.status === "loaded",
  ).length;

  // Bold vectors are bold, operator names upright.
  const bold = [...document.querySelectorAll(".katex .mathbf, .katex .boldsymbol")];
  const notBold = bold.filter((e) => Number(getComputedStyle(e).fontWeight) < 600).map(text);
  const operators = [...document.querySelectorAll(".katex .mop")];
  const slanted = operators
    .filter((e) => e.textContent.trim().length > 1 && getComputedStyle(e).fontStyle !== "normal")
    .map(text);

  // The bars of a norm open and close at the same size and height.
  const bars = [...document.querySelectorAll(".katex .mopen, .katex .mclose")].filter(
    (e) => !e.querySelector(".mopen, .mclose") && /^[‖∥]$/.test(e.textContent.trim()),
  );
  const unevenNorms = [];
  for (let i = 0; i + 1 < bars.length; i += 2) {
    const [a, b] = [rect(bars[i]), rect(bars[i + 1])];
    if (Math.abs(a.height - b.height) > 1 || Math.abs(a.bottom - b.bottom) > 1) {
      unevenNorms.push(text(bars[i].closest(".katex")));
    }
  }

  // The rows of an aligned column line up on their alignment side.
  const columns = [...document.querySelectorAll(".katex .col-align-r, .katex .col-align-l")];
  const misaligned = [];
  for (const col of columns) {
    const side = col.classList.contains("col-align-r") ? "right" : "left";
    const edges = [...col.querySelectorAll(":scope > .vlist-t > .vlist-r > .vlist > span")]
      .map((row) => row.lastElementChild)
      .filter((cell) => cell && rect(cell).width > 0)
      .map((cell) => rect(cell)[side]);
    if (edges.length > 1 && Math.max(...edges) - Math.min(...edges) > 1) {
      misaligned.push(text(col.closest(".katex")));
    }
  }

  // Displayed formulas scroll sideways when wider than the column, and start visible.
  const displays = [...document.querySelectorAll(".katex-display")];
  const wide = displays.filter((d) => d.scrollWidth > d.clientWidth + 1);
  const unscrollable = wide
    .filter((d) => !["auto", "scroll"].includes(getComputedStyle(d).overflowX))
    .map(text);
  // A wide one is a tab stop, so that a keyboard can scroll it; one that fits is not.
  const unreachable = wide.filter((d) => d.tabIndex < 0).map(text);
  const idleStops = displays
    .filter((d) => d.scrollWidth <= d.clientWidth && d.tabIndex >= 0)
    .map(text);
  const leftCut = displays
    .filter((d) => rect(html(d.querySelector(".katex"))).left < rect(d).left - 1)
    .map(text);

  // Inline formulas are not cut off by a box that hides overflow, nor by the screen edge.
  const clipped = [];
  for (const k of document.querySelectorAll("span.math > .katex")) {
    const r = rect(k);
    if (r.width === 0) continue;
    let scrolls = false;
    for (let box = k.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll") {
        scrolls = true;
        break;
      }
      const b = rect(box);
      if ((overflow === "hidden" || overflow === "clip") && (r.right > b.right + 1 || r.left < b.left - 1)) {
        clipped.push(text(k));
        break;
      }
    }
    if (!scrolls && r.right > document.documentElement.clientWidth + 1) clipped.push(text(k));
  }

  // A mark right after an inline formula (".", ",", ";", ":", ")") stays on the formula's
  // last line rather than starting the next one alone.
  const loneMarks = [];
  for (const math of document.querySelectorAll("span.math")) {
    const after = math.nextSibling;
    const k = math.querySelector(".katex");
    if (!k || !after || after.nodeType !== Node.TEXT_NODE || !/^[.,;:)]/.test(after.textContent)) {
      continue;
    }
    const range = document.createRange();
    range.setStart(after, 0);
    range.setEnd(after, 1);
    const [mark] = range.getClientRects();
    const lines = [...k.getClientRects()].filter((r) => r.width > 0);
    const last = lines[lines.length - 1];
    if (mark && last && mark.top > last.top + last.height * 0.6) {
      loneMarks.push(`${text(k).slice(-30)} ${after.textContent[0]}`);
    }
  }

  // A short inline formula, which the build keeps whole (.math-and-mark), is on one line:
  // each of its unbreakable pieces overlaps the one before it vertically.
  const splitShort = [...document.querySelectorAll(".math-and-mark .katex")]
    .filter((k) => {
      const pieces = [...html(k).querySelectorAll(":scope > .base")].map(rect);
      return pieces.some((r, i) => i > 0 && r.width > 0 && r.top >= pieces[i - 1].bottom - 1);
    })
    .map(text);

  // Each formula's width, summed over its unbreakable pieces so that line breaks, which
  // depend on the text around it, do not count.
  const widths = formulas.map((k) =>
    Math.round(
      [...html(k).querySelectorAll(":scope > .base")].reduce((w, b) => w + rect(b).width, 0),
    ),
  );

  return {
    split_short: splitShort,
    formulas: formulas.length,
    widths,
    errors: [...document.querySelectorAll(".katex-error")].map((e) => e.getAttribute("title")),
    without_mathml: formulas.filter((k) => !k.querySelector(".katex-mathml math")).map(text),
    raw_tex: rawTex.slice(0, 5),
    unstyled: unstyled.slice(0, 5),
    font_errors: fontErrors,
    fonts_loaded: fontsLoaded,
    bold: bold.length,
    not_bold: notBold.slice(0, 5),
    operators: operators.length,
    slanted_operators: slanted.slice(0, 5),
    norm_bars: bars.length,
    uneven_norms: unevenNorms.slice(0, 5),
    aligned_columns: columns.length,
    misaligned: misaligned.slice(0, 5),
    wide_displays: wide.length,
    unscrollable: unscrollable.slice(0, 5),
    unreachable: unreachable.slice(0, 5),
    idle_tab_stops: idleStops.slice(0, 5),
    left_cut: leftCut.slice(0, 5),
    clipped_inline: clipped.slice(0, 5),
    lone_marks: loneMarks.slice(0, 5),
    page_overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    // Nothing visible reaches past the article's right edge, except inside a box that
    // scrolls or clips it (code, formulas, tables): a long title or name would make the
    // theme's content box scroll sideways, the whole article under the reader's finger.
    content_overflow: (() => {
      // The search page has no article: its results are in the article's container.
      const article = document.querySelector("article") ?? document.querySelector(".bd-article-container");
      if (!article) return 0;
      // The article's edge, or its scrolling container's where content made it wider.
      const box = article.closest(".bd-article-container");
      const shown = box ? rect(box).left + box.clientWidth : Infinity;
      const edge = Math.min(rect(article).right, shown);
      const boxed = (e) => {
        for (let p = e.parentElement; p && p !== article; p = p.parentElement) {
          if (getComputedStyle(p).overflowX !== "visible") return true;
        }
        return false;
      };
      const beyond = [...article.querySelectorAll("*")]
        // 2 px: KaTeX's zero-width struts at the end of a line reach a little past it.
        .filter((e) => e.getClientRects().length && rect(e).right > edge + 2)
        .filter((e) => !e.closest(".katex-mathml") && !boxed(e))
        .map((e) => rect(e).right - edge);
      return Math.round(Math.max(0, ...beyond));
    })(),
    // How far the article's container scrolls sideways: text too long for its line (a word
    // in a paragraph) reaches past its own box, where the boxes above do not see it.
    column_overflow: (() => {
      const box = document.querySelector(".bd-article-container");
      return box ? box.scrollWidth - box.clientWidth : 0;
    })(),
    wide_texts: wide.map(text).slice(0, 5),
    // The footer's links to the previous and next page hide what overflows them.
    clipped_footer_links: [...document.querySelectorAll(".prev-next-area a")]
      .filter((a) => a.getClientRects().length && a.scrollWidth > a.clientWidth + 1)
      .map((a) => a.textContent.trim().replace(/\s+/g, " ")),
    // The "On this page" list fits its sidebar (or, on a phone, its drawer).
    wide_page_toc: [...document.querySelectorAll(".bd-sidebar-secondary .page-toc li")]
      .filter((li) => li.clientWidth && li.scrollWidth > li.clientWidth + 1)
      .map(text),
    // Titles, the API's signatures (names, parameters, values) and the footer's links wrap
    // between words (or after a name's dots and underscores), never inside a word: a word
    // whose letters lie on two lines.
    broken_words: [
      ...document.querySelectorAll(".bd-article :is(h1, h2, h3, dt.sig), p.prev-next-title"),
    ]
      .flatMap((el) => {
        const words = [];
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement.closest(".katex")) continue;
          for (const m of node.data.matchAll(/[A-Za-z]{2,}/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const lines = new Set([...range.getClientRects()].filter((r) => r.width).map((r) => Math.round(r.top)));
            if (lines.size > 1) words.push(`${m[0]} in "${text(el)}"`);
          }
        }
        return words;
      }),
  };
}
