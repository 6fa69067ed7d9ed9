"""PyTorch's devices and timing: $D2LMINI_DEVICE, else an accelerator, else
the CPU; a Timer that waits for the device it times."""

import torch

from ..core import checks, timer
from ..core.contract import names
from ..core.loop import features_of
from ..core.matmul import gflops
from ..core.seed import seed_all

__all__ = names('device')


def _accelerator():
    """This machine's accelerator type, e.g. 'cuda' or 'mps', or None."""
    if hasattr(torch, 'accelerator'):  # PyTorch 2.6 and later
        device = torch.accelerator.current_accelerator(check_available=True)
        return None if device is None else device.type
    if torch.cuda.is_available():
        return 'cuda'
    mps = getattr(torch.backends, 'mps', None)
    return 'mps' if mps is not None and mps.is_available() else None


def _accelerator_count():
    """How many devices of this machine's accelerator type it has."""
    kind = _accelerator()
    if kind is None:
        return 0
    if hasattr(torch, 'accelerator'):
        return torch.accelerator.device_count()
    return torch.cuda.device_count() if kind == 'cuda' else 1


def devices():
    """Every device of this machine: the CPU, then its accelerators."""
    kind = _accelerator()
    return [torch.device('cpu')] + [
        torch.device(kind, i) for i in range(_accelerator_count())
    ]


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu()."""
    if i < _accelerator_count():
        return torch.device(_accelerator(), i)
    return torch.device('cpu')


def _this_machine():
    return "this machine has " + ", ".join(repr(str(d)) for d in devices())


def parse_device(name):
    """Turn a string such as 'cpu', 'cuda:0' or 'mps' into a usable
    torch.device; None is the default device."""
    if name is None:
        return default_device()
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as e:
        raise ValueError(
            f'unknown device {name!r} ({e}); {_this_machine()}'
        ) from None
    if device.type == 'cpu':
        return device
    if (
        device.type != _accelerator()
        or (device.index or 0) >= _accelerator_count()
    ):
        raise ValueError(
            f'device {name!r} is not available: {_this_machine()}'
        )
    return device


def default_device():
    """$D2LMINI_DEVICE if set, else the first accelerator (CUDA, MPS, ...),
    else the CPU."""
    return checks.device_from_env(parse_device, try_gpu)


def device_name(device=None):
    """A readable name, e.g. 'NVIDIA H100 (cuda:0)' or 'CPU (2 threads)'."""
    device = parse_device(device)
    if device.type == 'cuda':
        return f'{torch.cuda.get_device_name(device)} ({device})'
    if device.type == 'mps':
        return f'Apple GPU ({device})'
    if device.type == 'cpu':
        return f'CPU ({torch.get_num_threads()} threads)'
    return str(device)


def zeros(*size, device=None, **kwargs):
    """torch.zeros on the default device, where get_data_ch11 puts the data."""
    return torch.zeros(*size, device=device or default_device(), **kwargs)


normal = torch.normal  # d2l's alias


def set_seed(seed=0):
    """Seed Python, NumPy and PyTorch (all devices) so that runs repeat."""
    seed_all(seed, torch.manual_seed)


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


Timer, time_each, time_it = timer.timing(__name__, parse_device, synchronize)


def large_matmul_gflops(device=None, size=None, repeats=10):
    """Median GFLOP/s of a large float32 matrix product: the practical peak."""
    device = default_device() if device is None else torch.device(device)
    size = size or (8192 if device.type == 'cuda' else 2048)
    B = torch.randn(size, size, device=device)
    C = torch.randn(size, size, device=device)
    t = time_it(lambda: torch.mm(B, C), repeats, warmup=2, device=device)
    return gflops(size, size, size, t.median())


def device_of(data_iter):
    """The device that holds a loader's data."""
    return features_of(data_iter).device
