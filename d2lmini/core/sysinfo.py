"""What the operating system says about the CPU's data caches."""

import shutil
import subprocess
from pathlib import Path

UNITS = {'K': 2**10, 'M': 2**20, 'G': 2**30}
KINDS = {'Data': 'd', 'Unified': ''}  # instruction caches are left out
SYSCTL = {
    'L1d': 'hw.l1dcachesize',
    'L2': 'hw.l2cachesize',
    'L3': 'hw.l3cachesize',
}


def _sysfs_sizes(root):
    """Data cache sizes from Linux's /sys (`root`: one CPU's cache folder)."""
    sizes = {}
    for index in sorted(Path(root).glob('index*')):
        try:
            level, kind, size = (
                (index / name).read_text().strip()
                for name in ('level', 'type', 'size')
            )
            nbytes = int(size.rstrip('KMG')) * UNITS.get(size[-1], 1)
        except (OSError, ValueError):  # unreadable: leave it out
            continue
        if kind in KINDS:
            sizes[f'L{level}{KINDS[kind]}'] = nbytes
    return sizes


def _sysctl_sizes():
    """Data cache sizes from macOS's sysctl."""
    sizes = {}
    for name, key in SYSCTL.items():
        out = subprocess.run(
            ['sysctl', '-n', key], capture_output=True, text=True
        ).stdout.strip()
        if out.isdigit() and int(out) > 0:
            sizes[name] = int(out)
    return sizes


def cache_sizes(root='/sys/devices/system/cpu/cpu0/cache'):
    """The first CPU's data cache sizes in bytes, e.g. {'L1d': 49152, ...};
    {} where the system does not report them."""
    sizes = _sysfs_sizes(root)
    if not sizes and shutil.which('sysctl'):  # macOS
        sizes = _sysctl_sizes()
    return sizes


def smallest_cache(nbytes, sizes):
    """The smallest cache in `sizes` that holds `nbytes` bytes, or None."""
    fits = [(size, name) for name, size in sizes.items() if size >= nbytes]
    return min(fits)[1] if fits else None
