// Search ranking of the gdtutor site (html_search_scorer): Sphinx's default weights, with the
// API reference listed after the pages that teach. A word a lesson explains, or the name of
// a function a lesson uses, lists the lessons and theory pages first; the API pages follow
// them, in Sphinx's own order among themselves.
const REFERENCE_PENALTY = 200; // more than any score Sphinx gives (its largest is 100)

// A page whose own title has a word searched for ("What momentum does on a quadratic" for
// "momentum") is listed before pages that only have it in a section's title or their text.
const TITLE_BOOST = 10;
const searchedInTitle = (title) => {
  // The words Sphinx searches for, as typed: no stop word ("the"), short word or number, and
  // no punctuation around them ("momentum?").
  const skipped = (word) =>
    word.length < 3 || /^[\d.,]+$/.test(word) || (typeof stopwords !== "undefined" && stopwords.has(word));
  const words = (new URLSearchParams(window.location.search).get("q") || "")
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, ""))
    .filter((word) => !skipped(word));
  const pageTitle = title.split(" > ")[0].toLowerCase();
  const escaped = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return escaped.some((word) => new RegExp(`(^|[^\\p{L}\\p{N}])${word}`, "u").test(pageTitle));
};

var Scorer = {
  score: (result) => {
    const [docname, title, , , score] = result;
    const reference = docname === "api" || docname.startsWith("gen_modules/");
    const boost = searchedInTitle(title || "") ? TITLE_BOOST : 0;
    return (reference ? score - REFERENCE_PENALTY : score) + boost;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
