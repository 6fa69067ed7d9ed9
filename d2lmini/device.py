"""Choosing the device, and seeding for reproducible runs."""
import os
import random

import numpy as np
import torch


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu()."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')


def parse_device(name):
    """Turn a string such as 'cpu' or 'cuda:0' into a usable torch.device."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as e:
        raise ValueError(f"unknown device {name!r}: use 'cpu', 'cuda' or "
                         f"'cuda:N' ({e})") from None
    if device.type == 'cuda':
        index = device.index or 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f'device {name!r} is not available: this machine has '
                f'{torch.cuda.device_count()} CUDA device(s); use "cpu"')
    elif device.type != 'cpu':
        raise ValueError(f"unsupported device {name!r}: use 'cpu' or 'cuda:N'")
    return device


def default_device():
    """$D2LMINI_DEVICE if set, else the first GPU if there is one, else the CPU."""
    name = os.environ.get('D2LMINI_DEVICE', '').strip()
    if not name:
        return try_gpu()
    try:
        return parse_device(name)
    except ValueError as e:
        raise ValueError(f'environment variable D2LMINI_DEVICE={name!r}: {e}; '
                         f'or unset it to pick the device automatically') from None


def device_name(device=None):
    """A readable name for a device, e.g. 'NVIDIA H100 (cuda:0)' or 'CPU (2 threads)'."""
    device = torch.device(device) if device is not None else default_device()
    if device.type == 'cuda':
        return f'{torch.cuda.get_device_name(device)} ({device})'
    return f'CPU ({torch.get_num_threads()} threads)'


def set_seed(seed=0):
    """Seed Python, NumPy and PyTorch (all devices) so that runs repeat."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
