// pydata-sphinx-theme makes a scrollable block (code, output, a wide table) a tab stop when
// the page is ready, and again after a resize; a block's width can change once the web fonts
// have loaded, after that first look. Look again then, with the theme's own rule, so that
// every block that scrolls can be reached with the keyboard.
document.fonts.ready.then(() => {
  const blocks = document.querySelectorAll(
    "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
      ".pst-scrollable-table-container",
  );
  for (const block of blocks) {
    const scrolls = block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight;
    block.tabIndex = scrolls ? 0 : -1;
  }
});

// Sphinx's search shows a passage of each page found, around the first word searched for.
// Its text is taken from the page's HTML, where a formula is there three times: KaTeX's
// hidden MathML, its TeX source, and the formula as drawn (whose symbols do not read as
// text). Keep the TeX source alone: it reads, and a word such as "alpha" is found in it.
if (typeof Search !== "undefined" && typeof Search.htmlToText === "function") {
  const pageText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(".katex").forEach((formula) => {
      const tex = formula.querySelector('annotation[encoding="application/x-tex"]');
      const source = tex ? tex.textContent.trim() : "";
      // A displayed formula stands apart from the sentences around it.
      formula.replaceWith(formula.closest(".katex-display") ? ` ${source} ` : source);
    });
    return pageText(page.documentElement.outerHTML, anchor);
  };
}
