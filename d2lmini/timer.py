"""A timer that waits for queued device work before it reads the clock.

Framework-free: each framework's Timer overrides `wait`."""

import statistics
import time

import numpy as np


class Timer:
    """Record multiple running times."""

    def __init__(self):
        self.times = []
        self.start()

    def wait(self):
        """Wait for the work queued on the device; the CPU queues none."""

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
