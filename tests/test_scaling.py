"""The throughput measurements of the hardware-scaling chapter."""
import math

import pytest
import torch

from d2lmini import scaling


def test_powers_of_two():
    assert scaling.powers_of_two(256) == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert scaling.powers_of_two(100)[-1] == 64
    assert scaling.powers_of_two(1) == [1]
    with pytest.raises(ValueError, match='largest'):
        scaling.powers_of_two(0)
    with pytest.raises(TypeError, match='largest'):
        scaling.powers_of_two(2.5)


def test_block_matmul_gflops_positive_and_one_per_width():
    widths = [1, 4, 32, 64]
    rates = scaling.block_matmul_gflops(widths, size=64, repeats=3)
    assert len(rates) == len(widths)
    assert all(math.isfinite(r) and r > 0 for r in rates)


def test_block_matmul_gflops_counts_the_whole_product(monkeypatch):
    # Every width must compute all of A = BC: count the columns the products make.
    columns = []
    real_mm = torch.mm
    monkeypatch.setattr(scaling.torch, 'mm',
                        lambda a, b: columns.append(b.shape[1]) or real_mm(a, b))
    scaling.block_matmul_gflops([3], size=10, repeats=1)
    per_call = sum(columns) / 3  # 2 warm-up runs + 1 timed
    assert per_call == 10 and columns[:4] == [3, 3, 3, 1]


@pytest.mark.parametrize('widths, error', [([0], ValueError), ([300], ValueError),
                                           ([], ValueError), ([1.5], TypeError)])
def test_block_matmul_gflops_rejects_bad_widths(widths, error):
    with pytest.raises(error, match='width'):
        scaling.block_matmul_gflops(widths, size=256, repeats=1)


def test_train_step_throughput_positive_one_per_size():
    X, y = torch.randn(64, 5), torch.randn(64)
    sizes = [1, 8, 64]
    rates = scaling.train_step_throughput(X, y, sizes, steps=2, repeats=2)
    assert len(rates) == len(sizes)
    assert all(math.isfinite(r) and r > 0 for r in rates)


def test_train_step_throughput_rejects_bad_args():
    X, y = torch.randn(16, 5), torch.randn(16)
    with pytest.raises(ValueError, match='batch_sizes'):
        scaling.train_step_throughput(X, y, [32])
    with pytest.raises(ValueError, match='batch size'):
        scaling.train_step_throughput(X, y, [0])
    with pytest.raises(ValueError, match='shapes'):
        scaling.train_step_throughput(X, y[:8], [4])
    with pytest.raises(ValueError, match='lr'):
        scaling.train_step_throughput(X, y, [4], lr=-1)
    with pytest.raises(TypeError, match='steps'):
        scaling.train_step_throughput(X, y, [4], steps='10')


def test_knee():
    xs, ys = [1, 2, 4, 8], [1.0, 4.0, 6.0, 10.0]
    assert scaling.knee(xs, ys) == 4          # first to reach 5.0
    assert scaling.knee(xs, ys, fraction=0.3) == 2
    assert scaling.knee(xs, ys, reference=100.0) is None
    with pytest.raises(ValueError, match='fraction'):
        scaling.knee(xs, ys, fraction=0)
    with pytest.raises(ValueError, match='equal length'):
        scaling.knee(xs, ys[:2])


def test_interleaved_medians_takes_turns():
    calls = []
    fns = [lambda: calls.append('a'), lambda: calls.append('b')]
    seconds = scaling.interleaved_medians(fns, repeats=3, warmup=1)
    assert calls == ['a', 'b'] * 4
    assert len(seconds) == 2 and all(math.isfinite(t) and t >= 0 for t in seconds)
    with pytest.raises(ValueError, match='repeats'):
        scaling.interleaved_medians(fns, repeats=0)


def fake_cache(root, index, level, kind, size):
    folder = root / f'index{index}'
    folder.mkdir()
    for name, text in [('level', level), ('type', kind), ('size', size)]:
        (folder / name).write_text(f'{text}\n')


def test_cache_sizes_reads_sysfs_data_caches(tmp_path):
    fake_cache(tmp_path, 0, 1, 'Data', '48K')
    fake_cache(tmp_path, 1, 1, 'Instruction', '32K')
    fake_cache(tmp_path, 2, 2, 'Unified', '2048K')
    fake_cache(tmp_path, 3, 3, 'Unified', '36M')
    assert scaling.cache_sizes(tmp_path) == {'L1d': 48 * 2 ** 10, 'L2': 2 * 2 ** 20,
                                             'L3': 36 * 2 ** 20}


def test_cache_sizes_falls_back_to_sysconf_then_to_unknown(tmp_path, monkeypatch):
    fake_cache(tmp_path, 0, 1, 'Data', 'garbage')  # unreadable: ignored, not an error
    values = {'SC_LEVEL1_DCACHE_SIZE': 32768, 'SC_LEVEL2_CACHE_SIZE': 0,
              'SC_LEVEL3_CACHE_SIZE': 8 * 2 ** 20}
    monkeypatch.setattr(scaling.os, 'sysconf', lambda key: values[key])
    assert scaling.cache_sizes(tmp_path) == {'L1d': 32768, 'L3': 8 * 2 ** 20}

    def no_sysconf(key):  # e.g. an OS whose sysconf does not know cache sizes
        raise ValueError(f'unrecognized configuration name {key}')
    monkeypatch.setattr(scaling.os, 'sysconf', no_sysconf)
    assert scaling.cache_sizes(tmp_path / 'missing') == {}


def test_cache_sizes_of_this_machine_are_plausible():
    sizes = scaling.cache_sizes()
    assert all(2 ** 10 <= size <= 2 ** 32 for size in sizes.values()), sizes
    if 'L1d' in sizes and 'L2' in sizes:
        assert sizes['L1d'] < sizes['L2']


def test_smallest_cache():
    sizes = {'L1d': 32 * 2 ** 10, 'L2': 512 * 2 ** 10, 'L3': 32 * 2 ** 20}
    assert scaling.smallest_cache(0, sizes) == 'L1d'
    assert scaling.smallest_cache(32 * 2 ** 10, sizes) == 'L1d'
    assert scaling.smallest_cache(300 * 2 ** 10, sizes) == 'L2'
    assert scaling.smallest_cache(33 * 2 ** 20, sizes) is None
    assert scaling.smallest_cache(1, {}) is None
    with pytest.raises(ValueError, match='nbytes'):
        scaling.smallest_cache(-1, sizes)


def test_tiny_mm_seconds_is_a_small_positive_time():
    seconds = scaling.tiny_mm_seconds(calls=20, repeats=3)
    assert math.isfinite(seconds) and 0 < seconds < 0.01
    with pytest.raises(ValueError, match='calls'):
        scaling.tiny_mm_seconds(calls=0)
