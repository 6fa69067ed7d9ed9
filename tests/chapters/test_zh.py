"""The Chinese chapter: the English chapter's code, correct terms, and
glyphs for every character its code draws."""

import ast
import io
import re
import tokenize

import jupytext
import pytest
from fontTools.ttLib import TTFont

from d2lmini.core import plotting
from tests.helpers import FRAMEWORKS, ROOT, code_cells

EN, ZH = 'chapters/minibatch_sgd', 'chapters/zh/minibatch_sgd'
TERMS = [
    '小批量随机梯度下降',
    '小批量',
    '批量大小',
    '梯度下降',
    '随机梯度下降',
    '梯度',
    '迭代周期',
    '学习率',
    '向量化',
    '缓存',
    '矩阵乘法',
]
MISTRANSLATIONS = [
    '迷你',
    '渐变',
    '纪元',
    '时代',
    '一次一次',
    '从头开始实施',
    '图书馆',
    '矢量化',
    'minibatch',
    'epoch',
]
CJK = re.compile('[\u3400-\u9fff]')


def tokens(source):
    """The cell's Python tokens, with every string literal as one placeholder, no comments."""
    source = re.sub(
        r'^([%!])', r'#\1', source, flags=re.M
    )  # magics are not Python
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
        return [
            t.string
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type == tokenize.STRING
            and not t.string.lower().startswith('f')
        ]

    return [
        (ast.literal_eval(e), ast.literal_eval(z))
        for e, z in zip(strings(en_source), strings(zh_source))
    ]


def shared_cells(framework='pytorch'):
    """English and Chinese code cells of one framework side by side, without the Chinese-only cells."""
    en = code_cells(EN, framework)
    zh = [
        c
        for c in code_cells(ZH, framework)
        if 'zh-only' not in c[1].get('tags', [])
    ]
    return en, zh


@pytest.mark.parametrize('framework', FRAMEWORKS)
def test_code_cells_are_the_english_ones(framework):
    """Each framework's notebook runs the same code in both languages."""
    en, zh = shared_cells(framework)
    assert len(en) == len(zh), (
        f'{len(en)} English code cells, {len(zh)} Chinese ones'
    )
    for i, ((e, em), (z, zm)) in enumerate(zip(en, zh)):
        assert tokens(e) == tokens(z), (
            f'code cell {i} differs from the English one:\n{z}'
        )
        assert em.get('tags', []) == zm.get('tags', []), (
            f'code cell {i} has other tags'
        )
        assert ('mystnb' in em) == ('mystnb' in zm), (
            f'code cell {i}: figure metadata'
        )


def test_drift_is_detected():
    a = "d2l.plot(x, y, 'loss')  # English"
    assert tokens(a) == tokens("d2l.plot(x, y, '损失')  # 中文")
    assert tokens(a) != tokens("d2l.plot(x, y, '损失', xscale='log')")
    assert tokens("f'gflops_{name}'") == tokens("f'gflops_{other}'")


def test_labels_and_names_are_prefixed():
    text = (ROOT / f'{ZH}.md').read_text(encoding='utf-8')
    labels = re.findall(r'^\(([\w-]+)\)=$', text, re.M)
    assert labels and all(label.startswith('zh-') for label in labels)
    equations = re.findall(r'^\$\$ \(([\w-]+)\)$', text, re.M)
    assert equations and all(eq.startswith('zh-') for eq in equations)
    figures = [
        m['mystnb']['figure'] for _, m in code_cells(ZH) if 'mystnb' in m
    ]
    en_figures = [
        m['mystnb']['figure'] for _, m in code_cells(EN) if 'mystnb' in m
    ]
    assert [f['name'] for f in figures] == [
        'zh-' + f['name'] for f in en_figures
    ]
    assert all(CJK.search(f['caption']) for f in figures)


def test_the_chinese_only_cell_turns_on_the_font():
    only = [s for s, m in code_cells(ZH) if 'zh-only' in m.get('tags', [])]
    assert len(only) == 1, 'expected one zh-only cell (the font)'
    assert 'd2l.use_cjk_font()' in only[0]


def test_the_shipped_font_has_every_character_the_code_draws():
    """Each CJK character in the Chinese chapter's code has a glyph in the
    font that ships with d2lmini (else: python scripts/subset_cjk_font.py)."""
    code = ''.join(s for s, _ in code_cells(ZH))
    drawn = set(re.findall('[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]', code))
    assert len(drawn) > 20  # the labels, legends and printouts
    covered = set(map(chr, TTFont(plotting.CJK_FONT).getBestCmap()))
    missing = ''.join(sorted(drawn - covered))
    assert not missing, (
        f'the shipped font lacks {missing!r}: run '
        f'python scripts/subset_cjk_font.py'
    )


def test_terms_and_no_mistranslations():
    text = (ROOT / f'{ZH}.md').read_text(encoding='utf-8')
    prose = re.sub(
        r'```.*?```', '', text.split('---\n', 2)[2], flags=re.S
    )  # no code,
    prose = re.sub(
        r'`[^`]*`|^\(.*\)=$|^\$\$ \(.*\)$', '', prose, flags=re.M
    )  # nor labels
    for term in TERMS:
        assert term in prose, f'missing the term {term}'
    cjk_break = re.search(
        '[\u3000-\u9fff\uff00-\uffef]\n[\u3000-\u9fff\uff00-\uffef]', prose
    )
    assert not cjk_break, (
        f'a line break inside Chinese text shows as a space: {cjk_break}'
    )
    for wrong in MISTRANSLATIONS:
        assert wrong not in prose, f'mistranslation {wrong!r}'
    assert '{doc}`../minibatch_sgd`' in text
    assert '{cite}`Ioffe.2017`' in text
    assert '```{bibliography}' not in text
