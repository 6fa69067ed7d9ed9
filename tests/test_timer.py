"""Timer against a fake clock: exact start/stop/avg/sum/cumsum/median values."""
import pytest
import torch

import d2lmini as d2l
import d2lmini.timer


@pytest.fixture
def clock(monkeypatch):
    """A fake time.perf_counter that returns the readings in `clock` in turn."""
    readings = []
    monkeypatch.setattr(d2lmini.timer.time, 'perf_counter', lambda: readings.pop(0))
    return readings


def test_timer_records_exact_intervals(clock):
    clock.extend([10.0, 11.0, 20.0, 23.0, 30.0, 32.0])
    timer = d2l.Timer()  # starts at 10
    assert timer.stop() == 1.0
    timer.start()
    assert timer.stop() == 3.0
    timer.start()
    timer.stop()
    assert timer.times == [1.0, 3.0, 2.0]
    assert timer.sum() == 6.0
    assert timer.avg() == 2.0
    assert timer.median() == 2.0
    assert timer.cumsum() == [1.0, 4.0, 6.0]
    assert clock == []  # every reading came from perf_counter


def test_time_it_runs_warmup_untimed(clock):
    calls = []
    clock.extend([0.0, 5.0, 5.5, 6.0, 7.0])  # Timer() reading, then two timed runs
    timer = d2l.time_it(lambda: calls.append(1), repeats=2, warmup=3)
    assert len(calls) == 5
    assert timer.times == [0.5, 1.0]


def test_real_clock_measures_a_sleep():
    import time
    timer = d2l.Timer()
    time.sleep(0.05)
    assert 0.04 < timer.stop() < 1.0


def test_timer_waits_for_every_gpu(monkeypatch):
    synced = []
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_initialized', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2)
    monkeypatch.setattr(torch.cuda, 'synchronize', lambda i=None: synced.append(i))
    timer = d2l.Timer()
    timer.stop()
    assert synced == [0, 1, 0, 1]  # at start and at stop, on both GPUs
