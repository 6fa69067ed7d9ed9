"""The Chinese page as built: terms, links, captions, real CJK glyphs in
its figures, and a site search that finds Chinese words."""

import json
import re
import shutil
import subprocess

import pytest
from cjk_search import JS_SPLITTER, SearchEnglishCJK, cjk_terms

from d2lmini.core.registry import FRAMEWORKS
from tests.chapters.test_zh import TERMS
from tests.helpers import executed


def test_index_splits_chinese_into_bigrams():
    assert cjk_terms('小批量') == ['小批', '批量']
    assert cjk_terms('SGD的') == ['SGD', '的']
    words = SearchEnglishCJK({}).split('小批量 minibatch')
    assert {'小批', '批量', '小', 'minibatch'} <= set(words)


@pytest.mark.skipif(
    shutil.which('node') is None, reason='node is not installed'
)
def test_query_splitter_matches_the_index():
    script = (
        "eval(require('fs').readFileSync(0, 'utf8'));"
        "for (const q of JSON.parse(process.argv[1])) console.log(JSON.stringify(splitQuery(q)));"
    )
    queries = [
        '小批量',
        '小批量 SGD',
        'minibatch-sgd 的',
        '梯',
        '学习率（lr）',
    ]
    out = subprocess.run(
        ['node', '-e', script, json.dumps(queries)],
        input=JS_SPLITTER,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for query, line in zip(queries, out, strict=True):
        expected = [t for w in re.findall(r'\w+', query) for t in cjk_terms(w)]
        assert json.loads(line) == expected, query


@pytest.fixture(scope='module')
def zh_page(book_html):
    return (book_html / 'chapters' / 'zh' / 'minibatch_sgd.html').read_text(
        encoding='utf-8'
    )


@pytest.mark.slow
def test_built_page_terms_links_and_citation(book_html, zh_page):
    text = re.sub(r'<[^>]+>', '', zh_page)
    for term in TERMS:
        assert term in text
    for wrong in [
        '迷你',
        '渐变',
        '纪元',
        '一次一次',
        '从头开始实施',
        '图书馆',
    ]:
        assert wrong not in text
    assert re.search(r'href="\.\./minibatch_sgd\.html"', zh_page), (
        'no link to the English page'
    )
    assert re.search(r'href="[^"]*references\.html#', zh_page), (
        'citation does not resolve'
    )
    for name in ['zh-fig-variance', 'zh-fig-time-loss', 'zh-fig-gd']:
        assert f'id="{name}"' in zh_page  # PyTorch's tab: the chapter's label
        for framework in ('tensorflow', 'mxnet'):  # each other tab's
            assert f'id="{name}-{framework}"' in zh_page
    english = (book_html / 'chapters' / 'minibatch_sgd.html').read_text(
        encoding='utf-8'
    )
    assert 'href="zh/minibatch_sgd.html"' in english, (
        'the English page should link here'
    )
    numbers = re.findall(r'<span class="caption-number">(\S+) ', zh_page)
    assert numbers and set(numbers) == {'图'}, (
        f'caption numbers read {set(numbers)}'
    )


@pytest.mark.slow
def test_no_missing_glyph_warnings_and_real_glyphs(book_html, zh_page):
    for framework in FRAMEWORKS:
        nb = executed(book_html, f'chapters/zh/minibatch_sgd-{framework}')
        outputs = json.dumps(
            [c.get('outputs', []) for c in nb.cells], ensure_ascii=False
        )
        assert 'image/svg+xml' in outputs
        assert 'Glyph' not in outputs and 'missing from' not in outputs
    svgs = [
        book_html / 'chapters' / 'zh' / src
        for src in re.findall(r'<img[^>]*src="([^"]+\.svg)"', zh_page)
    ]
    assert len(svgs) == 7 * 3  # seven figures, on each framework's tab
    for svg in svgs:  # glyphs drawn with the shipped font, on any machine
        assert 'NotoSansCJKSCd2lmini' in svg.read_text(), svg.name


@pytest.mark.slow
def test_search_finds_the_chinese_page(book_html):
    raw = (book_html / 'searchindex.js').read_text(encoding='utf-8')
    index = json.loads(raw[raw.index('(') + 1 : raw.rindex(')')])
    docs = index['docnames']

    def pages(term):
        found = set()
        for table in (index['terms'], index['titleterms']):
            hits = table.get(term, [])
            found |= {
                docs[i] for i in ([hits] if isinstance(hits, int) else hits)
            }
        return found

    for query in ['小批量', '迭代周期', '向量化']:
        hits = set.intersection(*[pages(t) for t in cjk_terms(query)])
        assert 'chapters/zh/minibatch_sgd' in hits, query
        assert 'chapters/minibatch_sgd' not in hits, query
