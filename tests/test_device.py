"""Choosing the device: parse_device, default_device with $D2LMINI_DEVICE, and seeding."""
import random

import numpy as np
import pytest
import torch

import d2lmini as d2l

no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason='checks the no-GPU case; this machine has a GPU')


@pytest.mark.parametrize('name, expected', [('cpu', 'cpu'), (' cpu', None), ('cpu:0', 'cpu:0')])
def test_parse_device_accepts_the_cpu(name, expected):
    if expected is None:  # torch rejects the space: a clear ValueError, not a RuntimeError
        with pytest.raises(ValueError, match="' cpu'"):
            d2l.parse_device(name)
    else:
        assert d2l.parse_device(name) == torch.device(expected)


@pytest.mark.parametrize('name', ['gpu', 'cuda:x', 'banana', '', 'mps', 'meta'])
def test_parse_device_rejects_unknown_names(name):
    with pytest.raises(ValueError, match=repr(name) + ".*'cpu'"):
        d2l.parse_device(name)


def test_parse_device_rejects_a_missing_gpu():
    name = f'cuda:{torch.cuda.device_count()}'  # one past the last GPU, on any machine
    with pytest.raises(ValueError, match=f"'{name}'.*not available"):
        d2l.parse_device(name)


@no_gpu
def test_cuda_0_without_a_gpu():
    for name in ('cuda', 'cuda:0'):
        with pytest.raises(ValueError, match=f"'{name}'.*0 CUDA device.*use \"cpu\""):
            d2l.parse_device(name)


def test_default_device_follows_the_environment(monkeypatch):
    monkeypatch.setenv('D2LMINI_DEVICE', 'cpu')
    assert d2l.default_device() == torch.device('cpu')
    monkeypatch.setenv('D2LMINI_DEVICE', 'bogus')
    with pytest.raises(ValueError, match="D2LMINI_DEVICE='bogus'.*unset it"):
        d2l.default_device()
    monkeypatch.delenv('D2LMINI_DEVICE')
    assert d2l.default_device() == d2l.try_gpu()


@no_gpu
def test_without_a_gpu_everything_falls_back_to_the_cpu(monkeypatch):
    monkeypatch.delenv('D2LMINI_DEVICE', raising=False)
    assert d2l.try_gpu() == torch.device('cpu')
    assert d2l.default_device() == torch.device('cpu')
    assert d2l.device_name().startswith('CPU (')
    monkeypatch.setenv('D2LMINI_DEVICE', 'cuda:0')
    with pytest.raises(ValueError, match='D2LMINI_DEVICE'):
        d2l.default_device()


def test_get_data_ch11_rejects_a_bad_device(airfoil_dir):
    with pytest.raises(ValueError, match="'tpu'"):
        d2l.get_data_ch11(10, device='tpu')


def test_set_seed_repeats_every_generator():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()
    d2l.set_seed(42)
    first = draw()
    d2l.set_seed(42)
    assert draw() == first
    d2l.set_seed(43)
    assert draw() != first
