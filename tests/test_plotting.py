"""Plotting: one SVG output per Animator in a notebook, silence in scripts, sizes and limits."""
import inspect
import subprocess
import sys

import matplotlib
import nbformat
import pytest
from matplotlib import pyplot as plt
from nbclient import NotebookClient

import d2lmini as d2l

ANIMATE = """\
%matplotlib inline
import d2lmini as d2l
animator = d2l.Animator(xlabel='epoch', ylabel='loss', xlim=[0, 1])
for i in range(1, 6):
    animator.add(i / 5, (1 / i,))
"""


def test_animator_shows_one_svg_in_a_notebook(tmp_path, monkeypatch, airfoil_dir):
    monkeypatch.setenv('D2LMINI_DATA_DIR', str(airfoil_dir))
    cells = [ANIMATE, 'import sys; print(sys.prefix)']
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, kernel_name='python3', timeout=120,
                   resources={'metadata': {'path': str(tmp_path)}}).execute()
    kernel_prefix = nb.cells[1].outputs[0].text.strip()
    assert kernel_prefix == sys.prefix, 'the python3 kernel is not this environment\'s'
    outputs = nb.cells[0].outputs
    assert len(outputs) == 1, outputs  # five add() calls, one figure
    assert outputs[0].output_type == 'display_data'
    assert outputs[0].data['image/svg+xml'].lstrip().startswith(('<?xml', '<svg'))
    assert '<Figure' not in str(outputs)


def test_animator_prints_nothing_outside_a_notebook():
    code = ('import d2lmini as d2l\n'
            'a = d2l.Animator(xlabel="x")\n'
            'for i in range(5): a.add(i, (i * i,))\n'
            'assert a.Y == [[0, 1, 4, 9, 16]]\n')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ''


def test_animator_without_ylim_autoscales():
    animator = d2l.Animator(ylim=None)
    for x, y in [(0, 10.0), (1, 12.0), (2, 20.0)]:
        animator.add(x, (y,))
    animator.draw()
    low, high = animator.axes[0].get_ylim()
    assert low <= 10.0 and high >= 20.0


def test_animator_with_ylim_keeps_it():
    animator = d2l.Animator(ylim=[0.22, 0.35])
    animator.add(0, (0.3,))
    animator.draw()
    assert animator.axes[0].get_ylim() == pytest.approx((0.22, 0.35))


def test_set_figsize_then_plot():
    plt.close('all')  # as the inline backend does after every cell
    d2l.set_figsize((6, 3))
    try:
        assert d2l.plot([1, 2, 3], [[1, 4, 9], [1, 2, 3]], 'x', 'y',
                        legend=['a', 'b']) is None
        assert tuple(plt.gcf().get_size_inches()) == (6, 3)
        assert len(plt.gca().lines) == 2
    finally:
        plt.close('all')
        d2l.set_figsize()  # the default, for the tests that follow


def test_figures_are_white():
    d2l.use_svg_display()
    assert matplotlib.rcParams['figure.facecolor'] == 'white'
    assert matplotlib.rcParams['savefig.transparent'] is False


@pytest.mark.parametrize('fn', [d2l.plot, d2l.Animator.__init__, d2l.set_figsize])
def test_no_mutable_defaults(fn):
    for p in inspect.signature(fn).parameters.values():
        assert not isinstance(p.default, (list, dict, set)), p.name
