"""Timer against a fake clock: exact start/stop/avg/sum/cumsum/median values."""

import pytest
import torch

import d2lmini as d2l
import d2lmini.core.timer
import d2lmini.torch.device
from tests.helpers import fake_accelerator


@pytest.fixture
def clock(monkeypatch):
    """A fake time.perf_counter that returns the readings in `clock` in turn."""
    readings = []
    monkeypatch.setattr(
        d2lmini.core.timer.time, 'perf_counter', lambda: readings.pop(0)
    )
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
    clock.extend(
        [0.0, 5.0, 5.5, 6.0, 7.0]
    )  # Timer() reading, then two timed runs
    timer = d2l.time_it(lambda: calls.append(1), repeats=2, warmup=3)
    assert len(calls) == 5
    assert timer.times == [0.5, 1.0]


def test_real_clock_measures_a_sleep():
    import time

    timer = d2l.Timer()
    time.sleep(0.05)
    assert 0.04 < timer.stop() < 60  # a busy machine may sleep long


@pytest.fixture
def two_gpus(monkeypatch):
    """Pretend that this machine has two CUDA GPUs; record every synchronize."""
    return fake_accelerator(monkeypatch, 'cuda', 2)


def test_timer_waits_only_for_the_gpu_in_use(two_gpus):
    timer = d2l.Timer(device='cuda:1')  # the timed work runs on the second GPU
    timer.stop()
    assert two_gpus == [torch.device('cuda:1')] * 2  # at start and at stop


def test_timer_waits_for_the_default_device_only(two_gpus, monkeypatch):
    d2l.time_it(lambda: None, repeats=2, warmup=0)
    assert set(two_gpus) == {torch.device('cuda:0')}
    two_gpus.clear()
    monkeypatch.setenv('D2LMINI_DEVICE', 'cuda:1')
    d2l.Timer().stop()
    assert two_gpus == [torch.device('cuda:1')] * 2


def test_cpu_timer_synchronizes_no_gpu(two_gpus):
    d2l.Timer(device='cpu').stop()
    d2l.time_it(lambda: None, repeats=2, warmup=1, device='cpu')
    assert two_gpus == []


def test_mps_timer_waits_for_the_mps_device(monkeypatch):
    synced = fake_accelerator(monkeypatch, 'mps', 1)
    d2l.Timer().stop()
    assert synced == [torch.device('mps', 0)] * 2


def test_without_torch_accelerator_cuda_syncs_one_initialized_gpu(monkeypatch):
    # PyTorch before 2.6 has no torch.accelerator: torch.cuda, one device only,
    # and never a device whose CUDA context does not exist yet.
    monkeypatch.delattr(torch, 'accelerator')
    synced = []
    monkeypatch.setattr(torch.cuda, 'is_initialized', lambda: True)
    monkeypatch.setattr(
        torch.cuda, 'synchronize', lambda device=None: synced.append(device)
    )
    d2lmini.torch.device.synchronize('cuda:1')
    assert synced == [torch.device('cuda:1')]
    monkeypatch.setattr(torch.cuda, 'is_initialized', lambda: False)
    d2lmini.torch.device.synchronize('cuda:0')
    assert synced == [torch.device('cuda:1')]
