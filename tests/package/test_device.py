"""PyTorch's devices: CUDA, MPS or the CPU, and errors that say what this
machine has. $D2LMINI_DEVICE and seeding, the same in every framework, are
tested in test_framework_cases.py."""

import re

import pytest
import torch

import d2lmini as d2l
from tests.helpers import fake_accelerator


@pytest.mark.parametrize(
    'kind, count, expected',
    [
        (None, 0, 'cpu'),  # a laptop without a GPU, or CI
        ('cuda', 2, 'cuda:0'),  # a GPU server
        ('mps', 1, 'mps:0'),  # Apple silicon
    ],
)
def test_default_device_prefers_an_accelerator(
    monkeypatch, kind, count, expected
):
    fake_accelerator(monkeypatch, kind, count)
    assert d2l.default_device() == torch.device(expected)
    assert d2l.try_gpu() == torch.device(expected)


def test_apple_silicon_without_torch_accelerator(monkeypatch):
    # PyTorch before 2.6: torch.backends.mps tells whether there is an Apple GPU.
    monkeypatch.delattr(torch, 'accelerator')
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: True)
    monkeypatch.delenv('D2LMINI_DEVICE', raising=False)
    assert d2l.default_device() == torch.device('mps:0')
    assert d2l.parse_device('mps') == torch.device('mps')
    assert d2l.device_name('mps') == 'Apple GPU (mps)'


def test_try_gpu_is_the_ith_accelerator_else_the_cpu(monkeypatch):
    fake_accelerator(monkeypatch, 'cuda', 2)
    assert [d2l.try_gpu(i) for i in range(3)] == [
        torch.device('cuda:0'),
        torch.device('cuda:1'),
        torch.device('cpu'),
    ]
    fake_accelerator(monkeypatch, 'mps', 1)
    assert d2l.try_gpu(1) == torch.device('cpu')


def test_parse_device_accepts_mps_on_apple_silicon(monkeypatch):
    fake_accelerator(monkeypatch, 'mps', 1)
    assert d2l.parse_device('mps') == torch.device('mps')
    monkeypatch.setenv('D2LMINI_DEVICE', 'mps')
    assert d2l.default_device() == torch.device('mps')


@pytest.mark.parametrize(
    'kind, count, name, there',
    [
        ('mps', 1, 'cuda:0', "'cpu', 'mps:0'"),
        ('cuda', 2, 'cuda:2', "'cpu', 'cuda:0', 'cuda:1'"),
        ('cuda', 2, 'mps', "'cpu', 'cuda:0', 'cuda:1'"),
        (None, 0, 'cuda', "'cpu'"),
    ],
)
def test_a_missing_device_is_named_with_what_the_machine_has(
    monkeypatch, kind, count, name, there
):
    fake_accelerator(monkeypatch, kind, count)
    message = f'{name!r} is not available: this machine has {there}'
    with pytest.raises(ValueError, match=re.escape(message) + '$'):
        d2l.parse_device(name)


@pytest.mark.parametrize('name', ['gpu', 'cuda:x', 'banana', '', ' cpu'])
def test_parse_device_rejects_unknown_names(name):
    with pytest.raises(
        ValueError, match=f"unknown device {name!r}.*this machine has 'cpu'"
    ):
        d2l.parse_device(name)


@pytest.mark.parametrize('name', ['cpu', 'cpu:0'])
def test_parse_device_accepts_the_cpu(name):
    assert d2l.parse_device(name) == torch.device(name)


def test_zeros_are_made_where_the_data_are(monkeypatch):
    # d2l's optimizer sections build their states with d2l.zeros; on a GPU
    # machine they must live on the device of get_data_ch11's data.
    monkeypatch.setenv('D2LMINI_DEVICE', 'cpu')
    z = d2l.zeros((5, 1))
    X = d2l.get_data_ch11(10)[0].tensors[0]
    assert z.shape == (5, 1) and z.device == X.device and not z.any()
    assert d2l.zeros(3, dtype=torch.int64).dtype == torch.int64


def test_get_data_ch11_rejects_a_bad_device():
    with pytest.raises(ValueError, match="'tpu'"):
        d2l.get_data_ch11(10, device='tpu')
