"""The CJK font that ships with d2lmini draws Chinese labels on any machine,
and the training loops take their plot's axis labels as an argument."""

import io
import re
import warnings

import matplotlib
import matplotlib.figure
import pytest
import torch

import d2lmini as d2l
from d2lmini.core import plotting


@pytest.fixture
def rc():
    """Leave matplotlib's settings as they were."""
    with matplotlib.rc_context():
        yield


def svg_of(fig):
    buf = io.StringIO()
    fig.savefig(buf, format='svg')
    return buf.getvalue()


def test_the_shipped_font_draws_chinese_glyphs(rc):
    assert d2l.use_cjk_font() == 'Noto Sans CJK SC d2lmini'
    fig = matplotlib.figure.Figure()
    axes = fig.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # a missing glyph warns
        plotting.plot(
            [1, 2],
            [[1, 2]],
            '迭代周期',
            '损失（秒）',
            legend=['批量大小=10'],
            axes=axes,
        )
        svg = svg_of(fig)
    glyphs = set(re.findall(r'<path id="([\w-]+)-[0-9a-f]+"', svg))
    assert 'NotoSansCJKSCd2lmini' in glyphs, glyphs
    assert 'DejaVuSans' in glyphs  # Latin letters and digits stay in DejaVu
    assert axes.get_xlabel() == '迭代周期'  # labels are drawn as given


def test_use_cjk_font_twice_adds_the_font_once(rc):
    d2l.use_cjk_font()
    d2l.use_cjk_font()
    family = matplotlib.rcParams['font.family']
    assert family.count('Noto Sans CJK SC d2lmini') == 1
    assert family[-1] == 'Noto Sans CJK SC d2lmini'  # a fallback, last


def test_the_loops_label_their_plot_as_asked(rc, animators):
    X = torch.randn(20, 2)  # (examples, features)
    y = X.sum(1)  # (examples,)
    data = d2l.load_array((X, y), 10)
    d2l.train_ch11(
        d2l.sgd, None, {'lr': 0.1}, data, 2, labels=('迭代周期', '损失')
    )
    d2l.train_concise_ch11(
        torch.optim.SGD, {'lr': 0.1}, data, 1, labels=('x', 'y')
    )
    d2l.train_ch11(d2l.sgd, None, {'lr': 0.1}, data, 2)  # the default
    axes = [a.draw().axes[0] for a in animators]
    assert [(a.get_xlabel(), a.get_ylabel()) for a in axes] == [
        ('迭代周期', '损失'),
        ('x', 'y'),
        ('epoch', 'loss'),
    ]
