"""The check, shared by every framework's tests, that the live plot is not
counted as training time. Framework-free and conftest-free: the MXNet cases
import it in MXNet's own environment."""

import statistics

import IPython.display

from d2lmini.core import plotting, timer


def fake_notebook(monkeypatch, seen=lambda figure: figure._repr_svg_()):
    """Make the Animator show as in a notebook; return the list that gets
    `seen(figure)` for every figure shown (by default its SVG, rendered as
    Jupyter would)."""
    shown = []

    class Handle:  # what display(..., display_id=True) returns
        def update(self, figure):
            shown.append(seen(figure))

    def display(figure, display_id=False):
        Handle().update(figure)
        return Handle()

    monkeypatch.setattr(plotting, 'in_notebook', lambda: True)
    monkeypatch.setattr(IPython.display, 'display', display)
    return shown


def assert_plot_not_timed(monkeypatch, train, runs=9, tries=3, slack=1.25):
    """`train(verbose)` runs train_ch11 at batch size 1500 for 10 epochs and
    returns its (times, losses). With the plot on (shown as in a notebook,
    rendered to SVG) the reported training time must be within `slack` of
    the silent run's: medians of `runs` runs of each, taking turns. A busy
    moment can slow one side alone, so the comparison may be tried `tries`
    times; counting the figure's set-up fails every try (it tripled the
    time)."""
    shown = fake_notebook(monkeypatch)
    train(False)  # warm-up
    for _ in range(tries):
        plotted, silent = [], []
        for _ in range(runs):
            plotted.append(train(True)[0][-1])
            silent.append(train(False)[0][-1])
        ratio = statistics.median(plotted) / statistics.median(silent)
        if ratio <= slack:
            break
    assert shown, 'the plot was never drawn'
    assert ratio <= slack, (
        f'with the live plot the reported time is {ratio:.2f} times the '
        f'silent run\'s: the plot is counted as training time'
    )


def assert_figure_not_timed(monkeypatch, train):
    """With a clock that moves only while the live plot's figure is made,
    `train(verbose)` must report no training time at all."""
    now = [0.0]
    monkeypatch.setattr(timer.time, 'perf_counter', lambda: now[0])
    make_figure = plotting.Animator.__init__

    def slow_figure(self, *args, **kwargs):
        now[0] += 100.0
        make_figure(self, *args, **kwargs)

    monkeypatch.setattr(plotting.Animator, '__init__', slow_figure)
    times, _ = train(True)
    assert now[0] == 100.0, 'no figure was made'
    assert times == [0.0] * len(times)
