"""The Chinese chapter: same code as the English one, correct terms, CJK glyphs, search."""
import ast
import io
import json
import re
import shutil
import subprocess
import sys
import tokenize
import warnings

import jupytext
import matplotlib
import matplotlib.figure
import pytest

from conftest import ROOT
from d2lmini import plotting

sys.path.insert(0, str(ROOT / '_ext'))  # the book's local Sphinx extensions
from cjk_search import JS_SPLITTER, SearchEnglishCJK, cjk_terms  # noqa: E402

EN = ROOT / 'chapters' / 'minibatch_sgd.md'
ZH = ROOT / 'chapters' / 'zh' / 'minibatch_sgd.md'
TERMS = ['小批量随机梯度下降', '小批量', '批量大小', '梯度下降', '随机梯度下降', '梯度',
         '迭代周期', '学习率', '向量化', '缓存', '矩阵乘法']
MISTRANSLATIONS = ['迷你', '渐变', '纪元', '时代', '一次一次', '从头开始实施', '图书馆',
                   '矢量化', 'minibatch', 'epoch']
CJK = re.compile('[\u3400-\u9fff]')


def code_cells(path):
    """The code cells of a MyST notebook, as (source, metadata) pairs."""
    nb = jupytext.read(path)
    return [(c.source, c.metadata) for c in nb.cells if c.cell_type == 'code']


def tokens(source):
    """The cell's Python tokens, with every string literal as one placeholder, no comments."""
    source = re.sub(r'^([%!])', r'#\1', source, flags=re.M)  # magics are not Python
    out, depth = [], 0
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        name = tokenize.tok_name[tok.type]
        if name == 'FSTRING_START':  # Python 3.12+: f-strings come in pieces
            depth += 1
        if depth:
            depth -= name == 'FSTRING_END'
            if not depth:
                out.append('<str>')
            continue
        if name in ('COMMENT', 'NL'):
            continue
        out.append('<str>' if name == 'STRING' else tok.string)
    return out


def string_pairs(en_source, zh_source):
    """Pairs (English literal, Chinese literal) at the same place in two matching cells."""
    def strings(source):
        return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type == tokenize.STRING and not t.string.lower().startswith('f')]
    return [(ast.literal_eval(e), ast.literal_eval(z))
            for e, z in zip(strings(en_source), strings(zh_source))]


def shared_cells():
    """English and Chinese code cells side by side, without the Chinese-only cells."""
    en = code_cells(EN)
    zh = [c for c in code_cells(ZH) if 'zh-only' not in c[1].get('tags', [])]
    return en, zh


def zh_labels():
    """The label table that the Chinese chapter hands to d2l.use_cjk_font."""
    only = [s for s, m in code_cells(ZH) if 'zh-only' in m.get('tags', [])]
    assert len(only) == 1, 'expected one zh-only cell (the font and label set-up)'
    tree = ast.parse(only[0])
    assign = next(n for n in tree.body if isinstance(n, ast.Assign))
    assert 'd2l.use_cjk_font(zh_labels)' in only[0]
    return ast.literal_eval(assign.value)


def test_code_cells_are_the_english_ones():
    en, zh = shared_cells()
    assert len(en) == len(zh), f'{len(en)} English code cells, {len(zh)} Chinese ones'
    for i, ((e, em), (z, zm)) in enumerate(zip(en, zh)):
        assert tokens(e) == tokens(z), f'code cell {i} differs from the English one:\n{z}'
        assert em.get('tags', []) == zm.get('tags', []), f'code cell {i} has other tags'
        assert ('mystnb' in em) == ('mystnb' in zm), f'code cell {i}: figure metadata'


def test_drift_is_detected():
    a = "d2l.plot(x, y, 'loss')  # English"
    assert tokens(a) == tokens("d2l.plot(x, y, '损失')  # 中文")
    assert tokens(a) != tokens("d2l.plot(x, y, '损失', xscale='log')")
    assert tokens("f'gflops_{name}'") == tokens("f'gflops_{other}'")


def test_labels_and_names_are_prefixed():
    text = ZH.read_text(encoding='utf-8')
    labels = re.findall(r'^\(([\w-]+)\)=$', text, re.M)
    assert labels and all(label.startswith('zh-') for label in labels)
    equations = re.findall(r'^\$\$ \(([\w-]+)\)$', text, re.M)
    assert equations and all(eq.startswith('zh-') for eq in equations)
    figures = [m['mystnb']['figure'] for _, m in code_cells(ZH) if 'mystnb' in m]
    en_figures = [m['mystnb']['figure'] for _, m in code_cells(EN) if 'mystnb' in m]
    assert [f['name'] for f in figures] == ['zh-' + f['name'] for f in en_figures]
    assert all(CJK.search(f['caption']) for f in figures)


def test_chinese_plot_labels_have_english_fallbacks():
    table = zh_labels()
    assert table['epoch'] == '迭代周期' and table['loss'] == '损失'  # drawn by d2lmini
    en, zh = shared_cells()
    pairs = [p for (e, _), (z, _) in zip(en, zh) if 'd2l.plot(' in z
             for p in string_pairs(e, z) if CJK.search(p[1])]
    assert pairs, 'no Chinese plot labels found'
    for english, chinese in pairs:
        assert table.get(english) == chinese, f'{chinese!r} needs zh_labels[{english!r}]'


def test_terms_and_no_mistranslations():
    text = ZH.read_text(encoding='utf-8')
    prose = re.sub(r'```.*?```', '', text.split('---\n', 2)[2], flags=re.S)  # no code,
    prose = re.sub(r'`[^`]*`|^\(.*\)=$|^\$\$ \(.*\)$', '', prose, flags=re.M)  # nor labels
    for term in TERMS:
        assert term in prose, f'missing the term {term}'
    cjk_break = re.search('[\u3000-\u9fff\uff00-\uffef]\n[\u3000-\u9fff\uff00-\uffef]', prose)
    assert not cjk_break, f'a line break inside Chinese text shows as a space: {cjk_break}'
    for wrong in MISTRANSLATIONS:
        assert wrong not in prose, f'mistranslation {wrong!r}'
    assert '{doc}`../minibatch_sgd`' in text
    assert '{cite}`Ioffe.2017`' in text
    assert '```{bibliography}' not in text


def _record(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        result = fn()
    return result, [str(w.message) for w in caught]


def _draw(xlabel, legend):
    """Plot with `xlabel` and `legend` and return (axes, svg)."""
    fig = matplotlib.figure.Figure()
    axes = fig.subplots()
    plotting.plot([1, 2], [[1, 2]], xlabel, 'y', legend=legend, axes=axes)
    buf = io.StringIO()
    fig.savefig(buf, format='svg')
    return axes, buf.getvalue()


@pytest.fixture
def rc():
    with matplotlib.rc_context():
        yield
    plotting.LABELS.clear()


def test_cjk_font_draws_chinese_glyphs(rc):
    name = plotting.use_cjk_font({'loss': '损失'})
    if name is None:
        pytest.skip('no CJK font installed (apt-get install fonts-noto-cjk)')
    (axes, svg), caught = _record(lambda: _draw('loss', ['批量大小']))
    assert axes.get_xlabel() == '损失'
    assert not [m for m in caught if 'Glyph' in m], caught
    glyphs = set(re.findall(r'<path id="([\w-]+)-[0-9a-f]+"', svg))
    assert any('CJK' in g for g in glyphs), glyphs  # e.g. NotoSansCJKsc-Regular


def test_without_cjk_font_labels_fall_back_to_english(rc, monkeypatch):
    monkeypatch.setattr(plotting, 'CJK_FONTS', ('No Such Font',))
    assert plotting.use_cjk_font({'loss': '损失', 'gd': '梯度下降'}) is None
    (axes, _), caught = _record(lambda: _draw('损失', ['梯度下降']))
    assert axes.get_xlabel() == 'loss'
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ['gd']
    assert not [m for m in caught if 'Glyph' in m], caught


def test_use_cjk_font_rejects_a_list():
    with pytest.raises(TypeError, match='translations'):
        plotting.use_cjk_font(['loss', '损失'])


def test_index_splits_chinese_into_bigrams():
    assert cjk_terms('小批量') == ['小批', '批量']
    assert cjk_terms('SGD的') == ['SGD', '的']
    words = SearchEnglishCJK({}).split('小批量 minibatch')
    assert {'小批', '批量', '小', 'minibatch'} <= set(words)


@pytest.mark.skipif(shutil.which('node') is None, reason='node is not installed')
def test_query_splitter_matches_the_index():
    script = ("eval(require('fs').readFileSync(0, 'utf8'));"
              "for (const q of JSON.parse(process.argv[1])) console.log(JSON.stringify(splitQuery(q)));")
    queries = ['小批量', '小批量 SGD', 'minibatch-sgd 的', '梯', '学习率（lr）']
    out = subprocess.run(['node', '-e', script, json.dumps(queries)], input=JS_SPLITTER,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    for query, line in zip(queries, out, strict=True):
        expected = [t for w in re.findall(r'\w+', query) for t in cjk_terms(w)]
        assert json.loads(line) == expected, query


# The built book (slow).

@pytest.fixture(scope='module')
def zh_page(book_html):
    return (book_html / 'chapters' / 'zh' / 'minibatch_sgd.html').read_text(encoding='utf-8')


@pytest.mark.slow
def test_built_page_terms_links_and_citation(book_html, zh_page):
    text = re.sub(r'<[^>]+>', '', zh_page)
    for term in TERMS:
        assert term in text
    for wrong in ['迷你', '渐变', '纪元', '一次一次', '从头开始实施', '图书馆']:
        assert wrong not in text
    assert re.search(r'href="\.\./minibatch_sgd\.html"', zh_page), 'no link to the English page'
    assert re.search(r'href="[^"]*references\.html#', zh_page), 'citation does not resolve'
    for name in ['zh-fig-variance', 'zh-fig-time-loss', 'zh-fig-gd']:
        assert f'id="{name}"' in zh_page
    english = (book_html / 'chapters' / 'minibatch_sgd.html').read_text(encoding='utf-8')
    assert 'href="zh/minibatch_sgd.html"' in english, 'the English page should link here'
    numbers = re.findall(r'<span class="caption-number">(\S+) ', zh_page)
    assert numbers and set(numbers) == {'图'}, f'caption numbers read {set(numbers)}'


@pytest.mark.slow
def test_no_missing_glyph_warnings_and_real_glyphs(book_html, zh_page):
    nb = json.loads((book_html.parent / 'jupyter_execute' / 'chapters' / 'zh' /
                     'minibatch_sgd.ipynb').read_text(encoding='utf-8'))
    outputs = json.dumps([c.get('outputs', []) for c in nb['cells']], ensure_ascii=False)
    assert 'Glyph' not in outputs and 'missing from' not in outputs
    svgs = [book_html / 'chapters' / 'zh' / src
            for src in re.findall(r'<img[^>]*src="([^"]+\.svg)"', zh_page)]
    assert len(svgs) == 7
    if plotting._cjk_font_name() is None:
        pytest.skip('no CJK font installed: the figures use English labels')
    for svg in svgs:
        assert re.search(r'id="[\w-]*CJK[\w-]*-[0-9a-f]+"', svg.read_text()), svg.name


@pytest.mark.slow
def test_search_finds_the_chinese_page(book_html):
    raw = (book_html / 'searchindex.js').read_text(encoding='utf-8')
    index = json.loads(raw[raw.index('(') + 1:raw.rindex(')')])
    docs = index['docnames']

    def pages(term):
        found = set()
        for table in (index['terms'], index['titleterms']):
            hits = table.get(term, [])
            found |= {docs[i] for i in ([hits] if isinstance(hits, int) else hits)}
        return found

    for query in ['小批量', '迭代周期', '向量化']:
        hits = set.intersection(*[pages(t) for t in cjk_terms(query)])
        assert 'chapters/zh/minibatch_sgd' in hits, query
        assert 'chapters/minibatch_sgd' not in hits, query
