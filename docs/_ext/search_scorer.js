// Search ranking of the gdtutor site (html_search_scorer): Sphinx's default weights, plus a
// lift for the pages that teach, so that a word a lesson explains lists the lesson before
// the API pages whose docstrings merely mention it. A match on an object's name (searching
// for a function, say) still comes first.
var Scorer = {
  score: (result) => {
    const [docname, , , , score, , kind] = result;
    const reference = docname === "api" || docname.startsWith("gen_modules/");
    return !reference && (kind === "text" || kind === "title") ? score + 10 : score;
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
