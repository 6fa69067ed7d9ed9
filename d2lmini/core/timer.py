"""A timer that waits for queued device work before it reads the clock.

Framework-free: `timing` gives each framework its Timer, time_each and
time_it, from its own `parse_device` and `synchronize`."""

import statistics
import time

import numpy as np


def _no_device(device=None):
    return device


class Timer:
    """Record multiple running times."""

    # A framework's Timer sets these to its own functions.
    parse_device = staticmethod(_no_device)
    synchronize = staticmethod(_no_device)

    def __init__(self, device=None):
        self.device = self.parse_device(device)  # None: the default device
        self.times = []
        self.start()

    def wait(self):
        """Wait for the work queued on the device, so that the clock
        measures it."""
        self.synchronize(self.device)

    def start(self):
        """Start the timer."""
        self.wait()
        self.tik = time.perf_counter()

    def stop(self):
        """Stop the timer and record the time in a list."""
        self.wait()
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


def time_each(fns, repeats=5, warmup=1, timer=Timer):
    """Run every fn() `warmup` times untimed, then `repeats` times each, taking
    turns (fn 1, fn 2, ..., fn 1, ...) so that a busy moment slows all alike;
    return their timers, each made by calling `timer()`."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    timers = [timer() for _ in fns]
    for t in timers:
        t.times.clear()
    for _ in range(repeats):
        for fn, t in zip(fns, timers):
            t.start()
            fn()
            t.stop()
    return timers


def time_it(fn, repeats=5, warmup=1, timer=Timer):
    """Run fn() `warmup` times untimed, then `repeats` times; return the
    timer."""
    return time_each([fn], repeats, warmup, timer)[0]


def timing(module, parse_device, synchronize):
    """A framework's Timer, time_each and time_it, defined in `module`: timers
    that wait for `parse_device(device)` (None: the default device) through
    `synchronize(device)`."""
    kit = {
        'parse_device': staticmethod(parse_device),
        'synchronize': staticmethod(synchronize),
        '__module__': module,
        '__doc__': 'Record multiple running times, waiting for `device` '
        '(default: the default device) at every start and stop.',
    }
    Timer_ = type('Timer', (Timer,), kit)

    def time_each_(fns, repeats=5, warmup=1, device=None):
        """Run every fn() `warmup` times untimed, then `repeats` times each,
        taking turns; return their Timers, which wait for `device`."""
        return time_each(fns, repeats, warmup, lambda: Timer_(device))

    def time_it_(fn, repeats=5, warmup=1, device=None):
        """Run fn() `warmup` times untimed, then `repeats` times; return the
        Timer, which waits for `device`."""
        return time_each_([fn], repeats, warmup, device)[0]

    for fn, name in ((time_each_, 'time_each'), (time_it_, 'time_it')):
        fn.__name__ = fn.__qualname__ = name
        fn.__module__ = module
    return Timer_, time_each_, time_it_
