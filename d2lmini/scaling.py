"""How throughput grows with the batch: matrix blocks and training steps, timed."""
import numbers
import os
from pathlib import Path

import torch

from . import checks
from .matmul import gflops
from .timer import time_each
from .train import init_params, linreg, sgd, squared_loss


def powers_of_two(largest):
    """1, 2, 4, ... up to and including `largest` if it is a power of two."""
    largest = checks.positive_int('largest', largest)
    sizes, size = [], 1
    while size <= largest:
        sizes.append(size)
        size *= 2
    return sizes


def interleaved_medians(fns, repeats=5, warmup=1):
    """Median seconds of each fn(), timed in turns (see d2lmini.timer.time_each)."""
    repeats = checks.positive_int('repeats', repeats)
    return [timer.median() for timer in time_each(fns, repeats, warmup)]


def block_matmul_gflops(widths, size=256, device='cpu', repeats=20):
    """GFLOP/s of A = B @ C for (size, size) matrices computed `w` columns at a time,
    one product B @ C[:, j:j+w] per block, for each width w in `widths` (medians)."""
    size = checks.positive_int('size', size)
    repeats = checks.positive_int('repeats', repeats)
    widths = [checks.positive_int('width', w) for w in widths]
    if not widths or max(widths) > size:
        raise ValueError(f'widths must be a non-empty list of block widths from 1 '
                         f'to size={size}, got {widths!r}')
    device = torch.device(device)
    B = torch.randn(size, size, device=device)  # (size, size)
    C = torch.randn(size, size, device=device)  # (size, size)
    def blocks(w):
        def fn():
            for j in range(0, size, w):
                torch.mm(B, C[:, j:j + w])  # (size, w), the last block may be narrower
        return fn
    seconds = interleaved_medians([blocks(w) for w in widths], repeats, warmup=2)
    return [gflops(size, size, size, t) for t in seconds]


def train_step_throughput(X, y, batch_sizes, lr=0.01, steps=10, repeats=5):
    """Examples per second of one linear-regression training step (forward,
    backward, update) on the first `b` rows of (X, y), for each b in `batch_sizes`
    (from the median time of `steps` steps)."""
    steps = checks.positive_int('steps', steps)
    repeats = checks.positive_int('repeats', repeats)
    checks.learning_rate({'lr': lr})
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f'X must be (examples, features) and y (examples,), got '
                         f'shapes {tuple(X.shape)} and {tuple(y.shape)}')
    batch_sizes = [checks.positive_int('batch size', b) for b in batch_sizes]
    if not batch_sizes or max(batch_sizes) > len(X):
        raise ValueError(f'batch_sizes must be a non-empty list of sizes from 1 to '
                         f'len(X)={len(X)}, got {batch_sizes!r}')
    w, b = init_params(X.shape[1], X.device)
    w.requires_grad_(True)
    b.requires_grad_(True)
    def train_steps(size):
        Xb, yb = X[:size], y[:size]  # (size, features), (size,)
        def fn():
            for _ in range(steps):
                l = squared_loss(linreg(Xb, w, b), yb).mean()
                l.backward()
                sgd([w, b], None, {'lr': lr})
        return fn
    seconds = interleaved_medians([train_steps(s) for s in batch_sizes], repeats)
    return [size * steps / t for size, t in zip(batch_sizes, seconds)]


def knee(xs, ys, fraction=0.5, reference=None):
    """The smallest x whose y reaches `fraction` of `reference` (default: largest y)."""
    if len(xs) != len(ys) or not xs:
        raise ValueError(f'xs and ys must be non-empty and of equal length, got '
                         f'{len(xs)} and {len(ys)}')
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) \
            or not 0 < fraction <= 1:
        raise ValueError(f'fraction must be in (0, 1], got {fraction!r}')
    reference = max(ys) if reference is None else reference
    return next((x for x, y in zip(xs, ys) if y >= fraction * reference), None)


def tiny_mm_seconds(device='cpu', calls=200, repeats=5):
    """Median seconds of one torch.mm of two 1 x 1 matrices: a call with almost no
    arithmetic, so its time is the fixed cost that every call pays."""
    calls = checks.positive_int('calls', calls)
    B = torch.ones(1, 1, device=device)  # (1, 1)
    def fn():
        for _ in range(calls):
            torch.mm(B, B)
        if B.device.type == 'cuda':
            torch.cuda.synchronize()
    return interleaved_medians([fn], repeats)[0] / calls


def _bytes(text):
    """Bytes of a size such as '32K', '1M' or '4096' (as sysfs writes them)."""
    text = text.strip().upper().removesuffix('B')
    scale = {'K': 2 ** 10, 'M': 2 ** 20, 'G': 2 ** 30}.get(text[-1:], 1)
    return int(text.rstrip('KMG')) * scale


def cache_sizes(root='/sys/devices/system/cpu/cpu0/cache'):
    """Data cache sizes in bytes of the first CPU, e.g. {'L1d': 32768, 'L2': ...};
    from Linux's sysfs, else from sysconf, else {} (unknown on this system)."""
    sizes, root = {}, Path(root)
    try:
        for index in sorted(root.glob('index*')):
            level = int((index / 'level').read_text())
            kind = (index / 'type').read_text().strip()
            if kind == 'Instruction':
                continue
            sizes[f'L{level}d' if kind == 'Data' else f'L{level}'] = \
                _bytes((index / 'size').read_text())
    except (OSError, ValueError):
        sizes = {}
    if sizes:
        return sizes
    for name, key in [('L1d', 'SC_LEVEL1_DCACHE_SIZE'), ('L2', 'SC_LEVEL2_CACHE_SIZE'),
                      ('L3', 'SC_LEVEL3_CACHE_SIZE')]:
        try:
            value = os.sysconf(key)
        except (AttributeError, ValueError, OSError):
            continue
        if value > 0:
            sizes[name] = value
    return sizes


def smallest_cache(nbytes, sizes):
    """The name of the smallest cache in `sizes` that holds `nbytes`, or None."""
    if isinstance(nbytes, bool) or not isinstance(nbytes, numbers.Real) or nbytes < 0:
        raise ValueError(f'nbytes must be a non-negative number, got {nbytes!r}')
    fits = [(size, name) for name, size in sizes.items() if size >= nbytes]
    return min(fits)[1] if fits else None
