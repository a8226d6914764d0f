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
