"""A timer that waits for the accelerator before it reads the clock."""

import statistics
import time

import numpy as np
import torch

from .device import default_device


def synchronize(device=None):
    """Wait for the work queued on `device` (default: the default device),
    so that the clock measures it. Only that device: never every GPU of the
    machine."""
    device = default_device() if device is None else torch.device(device)
    if device.type == 'cpu':
        return
    if hasattr(torch, 'accelerator'):  # a no-op while the device is unused
        torch.accelerator.synchronize(device)
    elif device.type == 'cuda' and torch.cuda.is_initialized():
        torch.cuda.synchronize(device)
    elif device.type == 'mps':
        torch.mps.synchronize()


class Timer:
    """Record multiple running times."""

    def __init__(self, device=None):
        self.device = (
            default_device() if device is None else torch.device(device)
        )
        self.times = []
        self.start()

    def start(self):
        """Start the timer."""
        synchronize(self.device)
        self.tik = time.perf_counter()

    def stop(self):
        """Stop the timer and record the time in a list."""
        synchronize(self.device)
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        """Return the average time."""
        return sum(self.times) / len(self.times)

    def median(self):
        """Return the median time."""
        return statistics.median(self.times)

    def sum(self):
        """Return the sum of time."""
        return sum(self.times)

    def cumsum(self):
        """Return the accumulated time."""
        return np.array(self.times).cumsum().tolist()


def time_each(fns, repeats=5, warmup=1, device=None):
    """Run every fn() `warmup` times untimed, then `repeats` times each, taking
    turns (fn 1, fn 2, ..., fn 1, ...) so that a busy moment slows all alike;
    return their Timers. The timers wait for `device` (default: the default
    device)."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    timers = [Timer(device) for _ in fns]
    for timer in timers:
        timer.times.clear()
    for _ in range(repeats):
        for fn, timer in zip(fns, timers):
            timer.start()
            fn()
            timer.stop()
    return timers


def time_it(fn, repeats=5, warmup=1, device=None):
    """Run fn() `warmup` times untimed, then `repeats` times; return the
    Timer."""
    return time_each([fn], repeats, warmup, device)[0]
