"""Site search that finds Chinese words (loaded by _ext/d2lmini_site.py).

Sphinx builds one search index in one language. The English splitter keeps
a run of Chinese characters as one "word" (a whole clause), so a search for
小批量 finds nothing. This extension keeps the English splitter and
stemmer, and splits every run of CJK characters into its characters and
overlapping bigrams, both in the index (Python) and in the query
(JavaScript): 小批量 -> 小批, 批量, and a page matches when it holds every
bigram of the query.
"""

import re

from sphinx.search.en import SearchEnglish

CJK = '\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af'
CJK_RUN = re.compile(f'([{CJK}]+)')


def cjk_terms(word):
    """Split `word` into its non-CJK parts and the bigrams of its CJK runs."""
    terms = []
    for i, part in enumerate(CJK_RUN.split(word)):
        if not part:
            continue
        if i % 2 == 0:  # not CJK: an English word, kept whole
            terms.append(part)
        elif len(part) == 1:
            terms.append(part)
        else:
            terms.extend(part[k : k + 2] for k in range(len(part) - 1))
    return terms


def cjk_index_terms(word):
    """The query terms of `word` plus every single CJK character (for
    1-character queries)."""
    singles = [c for run in CJK_RUN.findall(word) if len(run) > 1 for c in run]
    return cjk_terms(word) + singles


# Overrides searchtools.js's default splitQuery (loaded before it, in
# language_data.js). No angle brackets or ampersands: the template may escape
# them.
JS_SPLITTER = r"""
var splitQuery = function (query) {
  var cjkRun = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+)/u;
  var terms = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).forEach(function (word) {
    word.split(cjkRun).forEach(function (part, i) {
      if (part === "") return;
      if (i % 2 === 0 || part.length === 1) { terms.push(part); return; }
      for (var k = 0; k + 1 !== part.length; k++) terms.push(part.substr(k, 2));
    });
  });
  return terms;
};
"""


class SearchEnglishCJK(SearchEnglish):
    """English search (stemming, stop words) that also indexes Chinese text."""

    js_splitter_code = JS_SPLITTER

    def split(self, input):
        return [
            term
            for word in super().split(input)
            for term in cjk_index_terms(word)
        ]


def setup(app):
    app.add_search_language(SearchEnglishCJK)  # replaces 'en' for this build
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
