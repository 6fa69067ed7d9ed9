"""A timer that waits for the GPU before it reads the clock."""
import statistics
import time

import numpy as np
import torch


def synchronize():
    """Wait for queued CUDA work on every GPU, so that the clock measures it."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i in range(torch.cuda.device_count()):
            torch.cuda.synchronize(i)


class Timer:
    """Record multiple running times."""
    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start the timer."""
        synchronize()
        self.tik = time.perf_counter()

    def stop(self):
        """Stop the timer and record the time in a list."""
        synchronize()
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


def time_each(fns, repeats=5, warmup=1):
    """Run every fn() `warmup` times untimed, then `repeats` times each, taking turns
    (fn 1, fn 2, ..., fn 1, ...) so that a busy moment slows all alike; return
    their Timers."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    timers = [Timer() for _ in fns]
    for timer in timers:
        timer.times.clear()
    for _ in range(repeats):
        for fn, timer in zip(fns, timers):
            timer.start()
            fn()
            timer.stop()
    return timers


def time_it(fn, repeats=5, warmup=1):
    """Run fn() `warmup` times untimed, then `repeats` times; return the Timer."""
    return time_each([fn], repeats, warmup)[0]
