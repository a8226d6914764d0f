// pydata-sphinx-theme makes a scrollable block (code, output, a wide table) a tab stop when
// the page is ready, and again after a resize; a block's width can change once the web fonts
// have loaded, after that first look. Look again then, with the theme's own rule, so that
// every block that scrolls can be reached with the keyboard. A displayed formula, which the
// build makes a tab stop (it scrolls sideways when wider than the column), stays one only
// while it is wider: after the fonts have loaded, and whenever the column changes width.
const scrollableBlocks =
  "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
  ".pst-scrollable-table-container";
const wideFormulas = () => {
  for (const formula of document.querySelectorAll(".katex-display")) {
    formula.tabIndex = formula.scrollWidth > formula.clientWidth ? 0 : -1;
  }
};
document.fonts.ready.then(() => {
  for (const block of document.querySelectorAll(scrollableBlocks)) {
    const scrolls = block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight;
    block.tabIndex = scrolls ? 0 : -1;
  }
  wideFormulas();
  // The column changes width with the window, and when the theme's sidebar is hidden.
  new ResizeObserver(wideFormulas).observe(document.querySelector(".bd-article") ?? document.body);
});

// A link in a code block that scrolls sideways (a name a lesson's code links to its API
// page) takes the focus where the block has it scrolled out of view: Chromium shows then
// only a sliver of it at the block's edge, or none. Bring the link into the block's view.
document.addEventListener("focusin", (event) => {
  const link = event.target;
  if (link instanceof HTMLAnchorElement && link.closest("pre")) {
    link.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
});

// matplotlib's animation player (lesson 7): its frame slider says which frame it shows,
// with the title the frame was drawn with where the site's scraper listed them ("Rosenbrock
// from (-1.2, 1): step 13 of 1000, frame 7 of 20") rather than a bare number, whether a
// reader moves it or the player does (the player sets the frame's image, then the slider).
for (const slider of document.querySelectorAll(".animation input.anim-slider")) {
  const image = slider.closest(".animation")?.querySelector("img");
  const titles = JSON.parse(image?.dataset.frameTitles ?? "[]");
  // The player sets the slider's range after the page has loaded: read it each time.
  const say = () => {
    const [frame, frames] = [Number(slider.value), Number(slider.max) + 1];
    const title = titles.length === frames ? `${titles[frame]}, ` : "";
    slider.setAttribute("aria-valuetext", `${title}frame ${frame + 1} of ${frames}`);
  };
  say();
  slider.addEventListener("input", say);
  if (image) new MutationObserver(say).observe(image, { attributeFilter: ["src"] });
}

// Sphinx's search shows a passage of each page found, around the first word searched for.
// Its text is taken from the page's HTML, where a formula is there three times: KaTeX's
// hidden MathML, its TeX source, and the formula as drawn (whose symbols do not read as
// text). Keep the TeX source alone, where a word such as "alpha" is found. For a passage
// (below), each formula's TeX stands between the two marks of FORMULA, and ``drawn`` (a Map)
// keeps the formula as its page draws it, which the passage shows.
const FORMULA = ["\uE000", "\uE001"];
// A TeX command; a Greek letter's name (the first group) is a word the formula shows.
const GREEK_OR_COMMAND = new RegExp(
  "\\\\(?:(alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|kappa|lambda|mu|nu|xi|pi|" +
    "rho|sigma|tau|phi|varphi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Pi|Sigma|Phi|Psi|Omega)" +
    "(?![A-Za-z])|[A-Za-z]+)",
  "g",
);
// TeX with its commands' names blanked out, each by as many spaces (its length stays), but
// not the Greek letters' names: "left" is not found in \leftarrow, "alpha" is.
const blankCommands = (tex) =>
  tex.replace(GREEK_OR_COMMAND, (command, letter) => (letter ? command : " ".repeat(command.length)));
const sphinxPageText = typeof Search !== "undefined" ? Search.htmlToText : undefined;
const searchText = (htmlString, anchor, drawn = null) => {
  const page = new DOMParser().parseFromString(htmlString, "text/html");
  // The page's title is the result's link, and its breadcrumbs, heading marks ("#"),
  // "[source]" links, download buttons, links to the previous and next page, sidebars and
  // the second title of a lesson's card are not its text.
  page
    .querySelectorAll(
      "h1, nav, footer, .bd-breadcrumbs, .headerlink, .viewcode-link, .prev-next-area, " +
        ".sphx-glr-download-link-note, .sphx-glr-footer, .bd-sidebar-secondary, " +
        ".sphx-glr-thumbnail-title", // a lesson's card names it twice
    )
    .forEach((furniture) => furniture.remove());
  page.querySelectorAll(".katex").forEach((formula) => {
    const tex = formula.querySelector('annotation[encoding="application/x-tex"]');
    let source = tex ? tex.textContent.trim() : "";
    const displayed = formula.closest(".katex-display") !== null;
    if (drawn && source) {
      // A TeX both displayed and in a sentence is shown as in the sentence.
      if (!drawn.has(source) || !displayed) drawn.set(source, formula);
      source = FORMULA[0] + source + FORMULA[1];
    }
    // A displayed formula stands apart from the sentences around it.
    formula.replaceWith(displayed ? ` ${source} ` : source);
  });
  // The text of neighbouring boxes (a parameter's name, type and description; the cells of
  // a table; list items) ran together ("lrfloatThe learning rate"): keep them apart, and a
  // parameter's type after " : ", as the page shows it.
  page.querySelectorAll("dl.field-list .classifier").forEach((type) => type.before(" : "));
  // A heading ends with a dash, so that it does not run into the sentence after it.
  page.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach((heading) => heading.append(" —"));
  page
    .querySelectorAll("p, li, dt, dd, td, th, h1, h2, h3, h4, h5, h6, pre, div, figcaption")
    .forEach((box) => box.append(" "));
  return sphinxPageText(page.documentElement.outerHTML, anchor);
};
if (typeof sphinxPageText === "function") {
  Search.htmlToText = (htmlString, anchor) => searchText(htmlString, anchor);
}

// The words of a page that start with one of ``terms`` (lower case), to the word's end: not
// "rate" in "separate". Longer terms first, so that "learning" wins over "learn".
const escapeForPattern = (word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const wordsStartingWith = (terms) =>
  new RegExp(
    `(^|[^\\p{L}\\p{N}_])((?:${[...terms]
      .sort((a, b) => b.length - a.length)
      .map(escapeForPattern)
      .join("|")})[\\p{L}\\p{N}]*)`,
    "giu",
  );

// ``text`` with each word that ``pattern`` (above) finds in a mark, as Sphinx marks the words
// searched for: the pieces, to put in the page, and how many marks they hold.
const marked = (text, pattern) => {
  const pieces = document.createDocumentFragment();
  let last = 0;
  let marks = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index + match[1].length;
    const mark = document.createElement("span");
    mark.className = "highlighted";
    mark.textContent = match[2];
    pieces.append(text.slice(last, at), mark);
    last = at + match[2].length;
    marks += 1;
  }
  pieces.append(text.slice(last));
  return { pieces, marks };
};

// The words of a query that Sphinx searches for, as typed (lower case): no stop word ("a",
// "is"), number or excluded "-word".
const searchedWords = (query) => {
  const skipped = (word) =>
    /^(-|[\d.,]+$)/.test(word) || (typeof stopwords !== "undefined" && stopwords.has(word));
  return query
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}_-]+|[^\p{L}\p{N}_]+$/gu, ""))
    .filter((word) => word && !skipped(word));
};

// A page whose own title has a word searched for ("What momentum does on a quadratic" for
// "momentum") is listed before pages that have it only in a section's title or their text
// (Sphinx scores both alike, then sorts by title). The site's Scorer (search_scorer.js) is
// defined by the time this deferred script runs, and the search runs after it.
const TITLE_BOOST = 10;
if (typeof Scorer !== "undefined" && typeof Scorer.score === "function") {
  const pageScore = Scorer.score;
  const words = searchedWords(new URLSearchParams(window.location.search).get("q") || "")
    .filter((word) => word.length > 2);
  const inTitle = new RegExp(`(^|[^\\p{L}\\p{N}])(${words.map(escapeForPattern).join("|")})`, "u");
  Scorer.score = (result) => {
    const title = (result[1] || "").split(" > ")[0].toLowerCase();
    return pageScore(result) + (words.length && inTitle.test(title) ? TITLE_BOOST : 0);
  };
}

// The passage is taken around the first place a word searched for appears, even inside
// another word ("rate" in "enumerate"). Take it around the words as searched for, together
// ("learning rate"), where the page has them; else around the first word that starts with
// one of them; else the passage opens the page's text.
if (typeof Search !== "undefined" && typeof Search.makeSearchSummary === "function") {
  const pageSummary = Search.makeSearchSummary;
  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const drawn = new Map();
    const text = searchText(htmlText, anchor, drawn);
    const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
    const words = [...keywords].filter((word) => word.length > 0).map(escapeForPattern);
    // The words are looked for in the text with its formulas' commands blanked out.
    const readable = text.replace(/\uE000[^\uE001]*\uE001/g, blankCommands);
    const found = [
      query && new RegExp(`(^|\\W)(${escapeForPattern(query).replace(/\s+/g, "\\s+")})(?=\\W|$)`, "i"),
      words.length && new RegExp(`(^|\\W)((${words.join("|")})\\w*)`, "i"),
    ]
      .filter(Boolean)
      .map((pattern) => readable.match(pattern))
      .find((match) => match);
    if (!text) return pageSummary(htmlText, keywords, anchor);
    // Where the words found start and end; without them, the passage opens the page's text.
    const at = found ? found.index + found[1].length : 0;
    const after = found ? at + found[2].length : 0;
    // About 120 characters either side of the words found, cut between words.
    let start = Math.max(at - 120, 0);
    if (start > 0) {
      const space = text.slice(start, at).search(/\s/);
      start = space < 0 ? at : start + space + 1;
    }
    let end = Math.min(start + 240, text.length);
    if (end < text.length) {
      const space = text.slice(after, end).search(/\s\S*$/);
      if (space >= 0) end = after + space;
    }
    // A formula is shown whole or not at all: a passage that would start or end inside one
    // leaves it out, unless the words found are in it (a long one would stretch the passage).
    const inFormula = (i) => text.lastIndexOf(FORMULA[0], i - 1) > text.lastIndexOf(FORMULA[1], i - 1);
    if (start > 0 && inFormula(start)) {
      const close = text.indexOf(FORMULA[1], start) + 1;
      start = close <= at ? close : text.lastIndexOf(FORMULA[0], start - 1);
    }
    if (end < text.length && inFormula(end)) {
      const open = text.lastIndexOf(FORMULA[0], end - 1);
      end = open >= after ? open : text.indexOf(FORMULA[1], end) + 1;
    }
    const passage =
      (start ? "... " : "") + text.slice(start, end).trim() + (end < text.length ? " ..." : "");
    // The words searched for, as typed and as Sphinx stems them ("optim" for "optimizers"),
    // are marked where a word starts with them, to the word's end, not inside another word
    // ("rate" in "separate"); "nohighlight" keeps Sphinx's own marking off the passage.
    const summary = document.createElement("p");
    summary.classList.add("context", "nohighlight");
    const terms = new Set([...searchedWords(query), ...keywords].filter((word) => word.length > 0));
    const pattern = terms.size ? wordsStartingWith(terms) : null;
    // Each formula drawn, as on its page (KaTeX's markup, with its MathML for screen
    // readers), and marked whole when its TeX has a word searched for ("alpha" in \alpha).
    for (const part of passage.split(/(\uE000[^\uE001]*\uE001)/)) {
      const tex = part.startsWith(FORMULA[0]) ? part.slice(1, -1) : null;
      if (tex === null) {
        if (part) summary.append(pattern ? marked(part, pattern).pieces : part);
        continue;
      }
      const formula = drawn.has(tex) ? document.importNode(drawn.get(tex), true) : tex;
      if (pattern && blankCommands(tex).match(pattern)) {
        const mark = document.createElement("span");
        mark.className = "highlighted";
        mark.append(formula);
        summary.append(mark);
      } else {
        summary.append(formula);
      }
    }
    return summary;
  };
}

// A search result's link carries the words searched for (?highlight=), and its page marks
// them in its prose, as the passages do: where a word starts with one of them or with its
// stem ("optimizer" for "optimizers"). Sphinx keeps them in local storage for whatever page
// opens next, and marks them only on pages without its search code, which this theme loads
// on every page: here only a result's page is marked, and only a result's tab. The theme's
// "Hide Search Matches" button (and Sphinx's Escape key) takes the marks off.
const results = document.getElementById("search-results");
localStorage.removeItem("sphinx_highlight_terms");
if (results) {
  const words = searchedWords(new URLSearchParams(window.location.search).get("q") || "");
  const carry = () => {
    for (const link of results.querySelectorAll("a[href]")) {
      const href = link.getAttribute("href");
      if (!words.length || /[?&]highlight=/.test(href)) continue;
      const [path, anchor = ""] = href.split(/(?=#)/, 2);
      const joint = path.includes("?") ? "&" : "?";
      const highlight = `highlight=${encodeURIComponent(words.join(" "))}`;
      link.setAttribute("href", `${path}${joint}${highlight}${anchor}`);
    }
  };
  // A name in a result (its title, gdtutor.stepsize.heavy_ball_factors; the object's
  // description; the passage) may break after a dot or an underscore on a phone, as the API
  // pages' titles do, not inside a word; never inside a number (0.001). The words searched
  // for are marked apart ("heavy" "_" "ball"): a dot or an underscore at a text's start or
  // end is a joint too. A result is split once Sphinx has marked the words in it, which for
  // a page is when its passage has come (the marks are found within one text).
  const letter = (char) => char === undefined || /[A-Za-z_]/.test(char);
  const joints = (text) => {
    const after = [];
    for (let i = 0; i < text.length; i += 1) {
      if ((text[i] === "." || text[i] === "_") && letter(text[i - 1]) && letter(text[i + 1])) {
        after.push(i + 1);
      }
    }
    return after;
  };
  const split = new WeakSet(); // the texts already split (or found whole)
  const breakable = () => {
    const texts = [];
    for (const item of results.querySelectorAll("li")) {
      if (!item.querySelector(":scope > p.context, :scope > span")) continue;
      // Not in a formula, which KaTeX lays out itself.
      const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT, {
        acceptNode: (node) =>
          node.parentElement.closest(".katex") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
      });
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!split.has(node)) texts.push(node);
      }
    }
    for (const text of texts) {
      split.add(text);
      // A number with an exponent (9.3e-21) is kept on one line, not broken after its minus;
      // the texts before and after it are looked at in turn.
      const number = text.data.match(/\d+(?:\.\d+)?e[-+]\d+/);
      if (number && !text.parentElement.closest(".gd-number")) {
        const whole = document.createElement("span");
        whole.className = "gd-number";
        const digits = text.splitText(number.index);
        const rest = digits.splitText(number[0].length);
        digits.replaceWith(whole);
        whole.append(digits);
        split.add(digits);
        texts.push(text, rest);
        continue;
      }
      const cuts = joints(text.data);
      if (!cuts.length) continue;
      const pieces = document.createDocumentFragment();
      let from = 0;
      for (const cut of cuts) {
        const piece = document.createTextNode(text.data.slice(from, cut));
        split.add(piece);
        pieces.append(piece, document.createElement("wbr"));
        from = cut;
      }
      const rest = document.createTextNode(text.data.slice(from));
      split.add(rest);
      pieces.append(rest);
      text.replaceWith(pieces);
    }
  };
  // Sphinx marks the words searched for in a passage once it has come, in every text it
  // holds but those right inside a mark or a "nohighlight" box: inside a formula too, in
  // KaTeX's drawing, its MathML and its TeX. A formula is marked whole (above), or not.
  const unmarkFormulas = () => {
    for (const mark of results.querySelectorAll(".katex .highlighted")) {
      const box = mark.parentNode;
      mark.replaceWith(...mark.childNodes);
      box.normalize();
    }
  };
  new MutationObserver(() => {
    unmarkFormulas();
    carry();
    breakable();
  }).observe(results, { childList: true, subtree: true });
} else if (typeof SphinxHighlight !== "undefined") {
  const url = new URL(window.location);
  const typed = (url.searchParams.get("highlight") || "")
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term);
  if (url.searchParams.has("highlight")) {
    url.searchParams.delete("highlight");
    window.history.replaceState({}, "", url);
  }
  const stem = typeof Stemmer !== "undefined" ? new Stemmer() : null;
  const terms = new Set([...typed, ...(stem ? typed.map((term) => stem.stemWord(term)) : [])]);
  const article = document.querySelector("article.bd-article");
  if (terms.size && article) {
    const pattern = wordsStartingWith(terms);
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
      // In the prose: not in code or output blocks, formulas (KaTeX's spans), buttons,
      // form controls or drawings (the explorer's charts and its controls).
      acceptNode: (node) =>
        node.parentElement.closest(
          "pre, .katex, script, style, button, svg, select, option, textarea, label, " +
            ".gdt-explorer, .nohighlight",
        )
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT,
    });
    const texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    let marks = 0;
    for (const node of texts) {
      const found = marked(node.nodeValue, pattern);
      if (found.marks) node.replaceWith(found.pieces);
      marks += found.marks;
    }
    const box = document.getElementById("searchbox");
    if (marks && box) {
      const link = document.createElement("p");
      link.className = "highlight-link";
      const hide = link.appendChild(document.createElement("a"));
      hide.href = "javascript:SphinxHighlight.hideSearchWords()";
      hide.textContent = "Hide Search Matches";
      box.append(link);
    }
  }
}

// The theme's colour-mode menu: each choice says whether it is the mode in use
// (aria-pressed), the menu's button names that mode, and after a choice the focus goes back
// to the button (it fell to the page's start, with the menu it was in).
const modeNames = { auto: "System Settings", light: "Light", dark: "Dark" };
const sayMode = () => {
  const mode = document.documentElement.dataset.mode || "auto";
  document.querySelectorAll(".theme-change-button").forEach((choice) => {
    choice.setAttribute("aria-pressed", String(choice.dataset.mode === mode));
  });
  document.querySelectorAll(".theme-switch-button").forEach((button) => {
    button.setAttribute("aria-label", `Color mode: ${modeNames[mode] ?? mode}`);
  });
};
new MutationObserver(sayMode).observe(document.documentElement, { attributeFilter: ["data-mode"] });
sayMode();
document.querySelectorAll(".theme-change-button").forEach((choice) => {
  choice.addEventListener("click", () => {
    const menu = choice.closest(".theme-switch-container");
    const button = menu && menu.querySelector(".theme-switch-button");
    if (button) requestAnimationFrame(() => button.focus());
  });
});
