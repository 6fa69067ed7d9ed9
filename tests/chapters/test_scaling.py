"""The hardware-scaling chapter's own code, as the page shows it, against a fake
clock whose costs are known: each torch.mm or training step advances it by a
fixed cost plus a cost per column or example."""
import shutil
import subprocess

import pytest
import torch

import d2lmini as d2l
import d2lmini.timer
from tests.helpers import definitions


@pytest.fixture(scope='module')
def chapter():
    return definitions('chapters/hardware_scaling')


@pytest.fixture
def clock(monkeypatch):
    """A fake perf_counter that only moves when the work below moves it."""
    now = [0.0]
    monkeypatch.setattr(d2lmini.timer.time, 'perf_counter', lambda: now[0])
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


def test_tiny_mm_seconds_is_the_fixed_cost_of_a_call(chapter, monkeypatch, clock):
    costly_mm(monkeypatch, clock, 4e-6, 0)
    assert chapter['tiny_mm_seconds']('cpu', calls=50, repeats=3) == pytest.approx(4e-6)


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
    rates = chapter['step_throughput'](X, y, sizes, steps=3, repeats=2)
    assert rates == pytest.approx([b / (t0 + c * b) for b in sizes], rel=1e-9)


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


def fake_cache(root, index, level, kind, size):
    folder = root / f'index{index}'
    folder.mkdir()
    for name, text in [('level', level), ('type', kind), ('size', size)]:
        (folder / name).write_text(f'{text}\n')


def test_cache_sizes_reads_sysfs_data_caches(chapter, tmp_path):
    fake_cache(tmp_path, 0, 1, 'Data', '48K')
    fake_cache(tmp_path, 1, 1, 'Instruction', '32K')
    fake_cache(tmp_path, 2, 2, 'Unified', '2048K')
    fake_cache(tmp_path, 3, 3, 'Unified', '36M')
    fake_cache(tmp_path, 4, 4, 'Unified', 'garbage')  # unreadable: left out
    assert chapter['cache_sizes'](tmp_path) == {'L1d': 48 * 2 ** 10, 'L2': 2 * 2 ** 20,
                                                'L3': 36 * 2 ** 20}


def test_cache_sizes_on_macos_asks_sysctl(chapter, tmp_path, monkeypatch):
    answers = {'hw.l1dcachesize': '65536\n', 'hw.l2cachesize': '4194304\n',
               'hw.l3cachesize': ''}  # Apple silicon reports no L3

    def sysctl(cmd, **kwargs):
        assert cmd[:2] == ['sysctl', '-n']
        return subprocess.CompletedProcess(cmd, 0, stdout=answers[cmd[2]], stderr='')
    monkeypatch.setattr(shutil, 'which', lambda name: '/usr/sbin/' + name)
    monkeypatch.setattr(subprocess, 'run', sysctl)
    assert chapter['cache_sizes'](tmp_path / 'missing') == {'L1d': 65536,
                                                           'L2': 4194304}


def test_cache_sizes_without_a_source_is_empty(chapter, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, 'which', lambda name: None)  # e.g. Windows
    assert chapter['cache_sizes'](tmp_path / 'missing') == {}


def getconf(name):
    """glibc's own answer for a cache size, in bytes (0 if it does not know)."""
    out = subprocess.run(['getconf', name], capture_output=True, text=True)
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def test_this_machines_caches_agree_with_glibc(chapter):
    # CI runs on Linux, where sysfs and glibc's getconf are two independent
    # readings of the same hardware.
    sizes = chapter['cache_sizes']()
    assert sizes, 'this Linux machine reports no cache sizes in /sys'
    assert sizes['L1d'] < sizes['L2']
    for name, key in [('L1d', 'LEVEL1_DCACHE_SIZE'), ('L2', 'LEVEL2_CACHE_SIZE')]:
        if getconf(key) > 0:
            assert sizes[name] == getconf(key)


def test_smallest_cache(chapter):
    sizes = {'L1d': 32 * 2 ** 10, 'L2': 512 * 2 ** 10, 'L3': 32 * 2 ** 20}
    smallest = chapter['smallest_cache']
    assert smallest(0, sizes) == 'L1d'
    assert smallest(32 * 2 ** 10, sizes) == 'L1d'
    assert smallest(300 * 2 ** 10, sizes) == 'L2'
    assert smallest(33 * 2 ** 20, sizes) is None
    assert smallest(1, {}) is None
