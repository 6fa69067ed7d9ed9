"""The CPU cache sizes the operating system reports: /sys on Linux, sysctl
on macOS, nothing elsewhere."""

import shutil
import subprocess

import d2lmini as d2l


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
    fake_cache(tmp_path, 4, 4, 'Unified', 'garbage')  # unreadable: left out
    assert d2l.cache_sizes(tmp_path) == {
        'L1d': 48 * 2**10,
        'L2': 2 * 2**20,
        'L3': 36 * 2**20,
    }


def test_cache_sizes_on_macos_asks_sysctl(tmp_path, monkeypatch):
    answers = {
        'hw.l1dcachesize': '65536\n',
        'hw.l2cachesize': '4194304\n',
        'hw.l3cachesize': '',
    }  # Apple silicon reports no L3

    def sysctl(cmd, **kwargs):
        assert cmd[:2] == ['sysctl', '-n']
        return subprocess.CompletedProcess(
            cmd, 0, stdout=answers[cmd[2]], stderr=''
        )

    monkeypatch.setattr(shutil, 'which', lambda name: '/usr/sbin/' + name)
    monkeypatch.setattr(subprocess, 'run', sysctl)
    assert d2l.cache_sizes(tmp_path / 'missing') == {
        'L1d': 65536,
        'L2': 4194304,
    }


def test_cache_sizes_without_a_source_is_empty(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, 'which', lambda name: None)  # e.g. Windows
    assert d2l.cache_sizes(tmp_path / 'missing') == {}


def getconf(name):
    """glibc's own answer for a cache size, in bytes (0 if it does not know)."""
    out = subprocess.run(['getconf', name], capture_output=True, text=True)
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def test_this_machines_caches_agree_with_glibc():
    # CI runs on Linux, where sysfs and glibc's getconf are two independent
    # readings of the same hardware.
    sizes = d2l.cache_sizes()
    assert sizes, 'this Linux machine reports no cache sizes in /sys'
    assert sizes['L1d'] < sizes['L2']
    for name, key in [
        ('L1d', 'LEVEL1_DCACHE_SIZE'),
        ('L2', 'LEVEL2_CACHE_SIZE'),
    ]:
        if getconf(key) > 0:
            assert sizes[name] == getconf(key)


def test_smallest_cache():
    sizes = {'L1d': 32 * 2**10, 'L2': 512 * 2**10, 'L3': 32 * 2**20}
    smallest = d2l.smallest_cache
    assert smallest(0, sizes) == 'L1d'
    assert smallest(32 * 2**10, sizes) == 'L1d'
    assert smallest(300 * 2**10, sizes) == 'L2'
    assert smallest(33 * 2**20, sizes) is None
    assert smallest(1, {}) is None
