// Search ranking of the gdtutor site (html_search_scorer): Sphinx's default weights, with the
// API reference listed after the pages that teach. A word a lesson explains, or the name of
// a function a lesson uses, lists the lessons and theory pages first; the API pages follow
// them, in Sphinx's own order among themselves. (docs/_static/gdtutor.js adds to this score
// for a page whose title has a word searched for.)
const REFERENCE_PENALTY = 200; // more than any score Sphinx gives (its largest is 100)

var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    const reference = docname === "api" || docname.startsWith("gen_modules/");
    return reference ? score - REFERENCE_PENALTY : score;
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
