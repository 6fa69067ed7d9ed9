"""The hardware-scaling chapter's own code, as the page shows it, against a fake
clock whose costs are known: each torch.mm or training step advances it by a
fixed cost plus a cost per column or example."""
import shutil
import subprocess

import pytest
import torch

import d2lmini as d2l
import d2lmini.core.timer
from tests.helpers import definitions


@pytest.fixture(scope='module')
def chapter():
    return definitions('chapters/hardware_scaling')


@pytest.fixture
def clock(monkeypatch):
    """A fake perf_counter that only moves when the work below moves it."""
    now = [0.0]
    monkeypatch.setattr(d2lmini.core.timer.time, 'perf_counter', lambda: now[0])
    return now


def costly_mm(monkeypatch, clock, fixed, per_column, calls=None):
    """Make torch.mm advance the clock by fixed + per_column * columns."""
    real_mm = torch.mm

    def mm(a, b):
        clock[0] += fixed + per_column * b.shape[1]
        if calls is not None:
            calls.append(b.shape[1])
        return real_mm(a, b)
    monkeypatch.setattr(torch, 'mm', mm)


def test_block_rates_follow_a_known_cost_model(chapter, monkeypatch, clock):
    # size / w calls of cost t0 + t1 * w each: GFLOP/s = 2 size^3 / time / 1e9
    size, t0, t1 = 32, 1e-5, 1e-7
    costly_mm(monkeypatch, clock, t0, t1)
    widths = [1, 2, 8, 32]
    rates = chapter['block_matmul_gflops'](widths, size=size, repeats=3)
    expected = [2 * size ** 3 / ((size // w) * t0 + size * t1) / 1e9 for w in widths]
    assert rates == pytest.approx(expected, rel=1e-9)


def test_every_width_computes_the_whole_product(chapter, monkeypatch, clock):
    columns = []
    costly_mm(monkeypatch, clock, 1e-6, 0, columns)
    chapter['block_matmul_gflops']([3], size=10, repeats=1)
    assert columns == [3, 3, 3, 1] * 3  # 2 warm-up runs and 1 timed, 10 columns each


def test_row_call_seconds_is_a_width_1_call_with_one_row(
    chapter, monkeypatch, clock
):
    columns = []
    costly_mm(monkeypatch, clock, 4e-6, 1e-7, columns)
    seconds = chapter['row_call_seconds']('cpu', size=16, repeats=3)
    assert seconds == pytest.approx(4e-6 + 1e-7)
    assert columns == [1] * 16 * 4  # a warm-up and 3 timed runs of 16 calls


def test_step_throughput_follows_a_known_cost_model(chapter, monkeypatch, clock):
    # a step on b examples costs t0 + c * b: b / (t0 + c * b) examples per second
    t0, c = 1e-4, 1e-8
    real_linreg = d2l.linreg

    def linreg(X, w, b):
        clock[0] += t0 + c * len(X)
        return real_linreg(X, w, b)
    monkeypatch.setattr(d2l, 'linreg', linreg)
    X, y = torch.randn(64, 5), torch.randn(64)
    sizes = [1, 8, 64]
    rates, runs = chapter['step_throughput'](X, y, sizes, steps=3, repeats=2)
    assert rates == pytest.approx([b / (t0 + c * b) for b in sizes], rel=1e-9)
    # each timed run's seconds per step, two runs per size
    assert [len(r) for r in runs] == [2, 2, 2]
    flat = [t for r in runs for t in r]
    assert flat == pytest.approx([t0 + c * b for b in sizes for _ in (0, 1)])


def test_step_throughput_takes_real_sgd_steps(chapter, monkeypatch):
    steps = []
    real_sgd = d2l.sgd

    def sgd(params, states, hyperparams):
        w, b = params
        expected = (w - hyperparams['lr'] * w.grad).detach()
        real_sgd(params, states, hyperparams)
        steps.append(torch.allclose(w, expected))
    monkeypatch.setattr(d2l, 'sgd', sgd)
    chapter['step_throughput'](torch.randn(16, 5), torch.randn(16), [4, 16],
                               steps=2, repeats=1)
    assert len(steps) == 2 * 2 * 2 and all(steps)  # (warm-up + 1) x steps x sizes


def test_step_knee_is_where_the_step_time_doubles(chapter):
    sizes = [2 ** k for k in range(12)]
    t0, c = 100.0, 1.0  # a step on b examples takes t0 + c * b
    rates = [b / (t0 + c * b) for b in sizes]
    assert chapter['step_knee'](sizes, rates) == 128  # t(128) >= 2 t(1) = 202
    # one slow outlier below the knee does not count, and a sweep that stops
    # short of the knee has none
    slow = list(rates)
    slow[3] = sizes[3] / (3 * t0)
    assert chapter['step_knee'](sizes, slow) == 128
    assert chapter['step_knee'](sizes[:6], rates[:6]) is None
