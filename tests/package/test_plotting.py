"""Plotting: one SVG output per Animator in a notebook, silence in scripts, sizes and limits."""

import inspect
import io
import os
import re
import subprocess
import sys

import matplotlib
import nbformat
import pytest
from matplotlib import pyplot as plt
from nbclient import NotebookClient

import d2lmini as d2l
import d2lmini.core.plotting
from d2lmini.core.plotting import SVGFigure
from tests.package.plot_timing import fake_notebook

ANIMATE = """\
%matplotlib inline
import d2lmini as d2l
import d2lmini.core.plotting
animator = d2l.Animator(xlabel='epoch', ylabel='loss', xlim=[0, 1])
for i in range(1, 6):
    animator.add(i / 5, (1 / i,))
"""


def run_cells(cells, folder):
    """Execute code cells in a fresh python3 kernel; return the notebook."""
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c) for c in cells]
    )
    NotebookClient(
        nb,
        kernel_name='python3',
        timeout=600,
        resources={'metadata': {'path': str(folder)}},
    ).execute()
    return nb


def one_svg(outputs):
    assert len(outputs) == 1, outputs  # five add() calls, one figure
    assert outputs[0].output_type == 'display_data'
    assert (
        outputs[0].data['image/svg+xml'].lstrip().startswith(('<?xml', '<svg'))
    )
    assert '<Figure' not in str(outputs)


def test_animator_shows_one_svg_in_a_notebook(tmp_path):
    nb = run_cells([ANIMATE, 'import sys; print(sys.prefix)'], tmp_path)
    kernel_prefix = nb.cells[1].outputs[0].text.strip()
    assert kernel_prefix == sys.prefix, (
        'the python3 kernel is not this environment\'s'
    )
    one_svg(nb.cells[0].outputs)


COLAB = """\
# Colab's kernel shell is a subclass of ipykernel's ZMQInteractiveShell.
shell = get_ipython()
shell.__class__ = type('Shell', (type(shell),), {})
print(type(shell).__name__)
"""


def test_animator_shows_in_a_colab_like_kernel(tmp_path):
    nb = run_cells([COLAB, ANIMATE], tmp_path)
    assert nb.cells[0].outputs[0].text.strip() == 'Shell'
    one_svg(nb.cells[1].outputs)


SCRIPT = """\
import d2lmini as d2l
import d2lmini.core.plotting
d2l.set_figsize((4, 3))
d2l.plot([1, 2, 3], [[1, 4, 9]], 'x', 'y')
a = d2l.Animator(xlabel='x')
for i in range(5):
    a.add(i, (i * i,))
assert a.Y == [[0, 1, 4, 9, 16]]
d2l.plt.gcf()
"""


def test_a_plain_script_prints_nothing_and_starts_no_ipython(tmp_path):
    (tmp_path / 'script.py').write_text(SCRIPT)
    home = tmp_path / 'home'
    home.mkdir()
    env = {
        **os.environ,
        'HOME': str(home),
        'IPYTHONDIR': str(home / '.ipython'),
        'MPLBACKEND': 'Agg',
        'MPLCONFIGDIR': str(tmp_path / 'mpl'),
    }
    result = subprocess.run(
        [sys.executable, 'script.py'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == '' and result.stderr == ''
    assert list(home.rglob('*')) == [], 'an IPython shell left files behind'


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
        assert (
            d2l.plot(
                [1, 2, 3], [[1, 4, 9], [1, 2, 3]], 'x', 'y', legend=['a', 'b']
            )
            is None
        )
        assert tuple(plt.gcf().get_size_inches()) == (6, 3)
        assert len(plt.gca().lines) == 2
    finally:
        plt.close('all')
        d2l.set_figsize()  # the default, for the tests that follow


def background(svg):
    """The fill of an SVG figure's background patch."""
    patch = re.search(r'<g id="patch_1">\s*<path [^>]*style="([^"]*)"', svg)
    return patch.group(1)


def test_figures_have_an_opaque_white_background(monkeypatch):
    # Dark mode must not hide a figure: an opaque white background, even where
    # a reader's matplotlib style says otherwise.
    monkeypatch.setitem(matplotlib.rcParams, 'figure.facecolor', 'black')
    monkeypatch.setitem(matplotlib.rcParams, 'savefig.transparent', True)
    d2l.use_svg_display()
    buf = io.StringIO()
    plt.figure().savefig(buf, format='svg')
    plt.close('all')
    assert 'fill: #ffffff' in background(buf.getvalue())
    animator = d2l.Animator()
    animator.add(1, (1,))
    svg = SVGFigure(animator.draw())._repr_svg_()
    assert 'fill: #ffffff' in background(svg) and 'opacity' not in background(
        svg
    )


def test_animator_draws_every_series_cycling_the_formats():
    animator = d2l.Animator(fmts=('-', 'm--'))
    for x in range(3):
        animator.add(x, tuple(range(5)))  # five series, two formats
    lines = animator.draw().axes[0].get_lines()
    assert len(lines) == 5
    assert [l.get_linestyle() for l in lines] == ['-', '--', '-', '--', '-']


@pytest.mark.parametrize(
    'fn', [d2l.plot, d2l.Animator.__init__, d2l.set_figsize]
)
def test_no_mutable_defaults(fn):
    for p in inspect.signature(fn).parameters.values():
        assert not isinstance(p.default, (list, dict, set)), p.name


def test_a_throttled_animator_redraws_at_most_every_interval(monkeypatch):
    # train_loop's Animator redraws at most twice a second; flush() shows
    # what was added since, and only when something was.
    now = [0.0]
    monkeypatch.setattr(
        d2lmini.core.plotting.time, 'perf_counter', lambda: now[0]
    )
    shows = fake_notebook(  # the points drawn at each show
        monkeypatch,
        lambda figure: len(figure.fig.axes[0].lines[0].get_xdata()),
    )
    animator = d2l.Animator('epoch', 'loss', redraw_every=0.5)
    for t in [0.1, 0.2, 0.6, 0.7, 0.8]:
        now[0] = t
        animator.add(t, 1.0)
    assert shows == [3]  # the first redraw, 0.5 s after the figure was made
    animator.flush()
    assert shows == [3, 5]
    animator.flush()  # nothing new
    assert shows == [3, 5]
    every = d2l.Animator('epoch', 'loss')  # d2l's default: every add
    for t in [0.9, 1.0]:
        now[0] = t
        every.add(t, 1.0)
    assert shows == [3, 5, 1, 2]
