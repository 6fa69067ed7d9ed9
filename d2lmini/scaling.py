"""How throughput grows with the batch: matrix blocks and training steps, timed."""
import numbers

import torch

from . import checks
from .matmul import gflops
from .timer import Timer
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
    """Median seconds of each fn(), timed round-robin (fn 1, fn 2, ..., fn 1, ...) so
    that a slow moment of a busy machine hits all of them alike."""
    repeats = checks.positive_int('repeats', repeats)
    timers = [Timer() for _ in fns]
    for _ in range(warmup):
        for fn in fns:
            fn()
    for timer in timers:
        timer.times.clear()
    for _ in range(repeats):
        for fn, timer in zip(fns, timers):
            timer.start()
            fn()
            timer.stop()
    return [timer.median() for timer in timers]


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
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f'lr must be a positive number, got {lr!r}')
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
    """The smallest x whose y reaches `fraction` of `reference` (default: the largest y)."""
    if len(xs) != len(ys) or not xs:
        raise ValueError(f'xs and ys must be non-empty and of equal length, got '
                         f'{len(xs)} and {len(ys)}')
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) \
            or not 0 < fraction <= 1:
        raise ValueError(f'fraction must be in (0, 1], got {fraction!r}')
    reference = max(ys) if reference is None else reference
    return next((x for x, y in zip(xs, ys) if y >= fraction * reference), None)
