"""MXNet's devices and timing: $D2LMINI_DEVICE, else a GPU, else the CPU; a
Timer that waits for MXNet's queued work."""

import os
import re

import mxnet
from mxnet import np, npx

from ..core import checks, timer
from ..core.contract import names
from ..core.loop import features_of
from ..core.matmul import gflops
from ..core.seed import seed_all

__all__ = names('device')

# d2l's MXNet aliases that the section's code uses.
zeros = np.zeros
normal = np.random.normal


def devices():
    """Every device of this machine: the CPU, then its GPUs."""
    return [npx.cpu()] + [npx.gpu(i) for i in range(npx.num_gpus())]


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu()."""
    return npx.gpu(i) if npx.num_gpus() >= i + 1 else npx.cpu()


_DEVICE = re.compile(r'(cpu|gpu|cuda)(?::(\d+)|\((\d+)\))?')


def parse_device(name):
    """Turn a device such as 'cpu', 'gpu:0', 'gpu(1)' or 'cuda:0' (PyTorch's
    spelling) into a usable MXNet context; None is the default device."""
    if name is None:
        return default_device()
    if isinstance(name, mxnet.Context):
        name = str(name)  # checked like a name: gpu(3) may not exist
    match = _DEVICE.fullmatch(str(name).strip().lower())
    this_machine = 'this machine has ' + ', '.join(
        repr(str(d)) for d in devices()
    )
    if match is None:
        raise ValueError(
            f"unknown device {name!r}: MXNet knows 'cpu' and 'gpu:<i>' "
            f'(or cuda:<i>); {this_machine}'
        )
    kind, index = match[1], int(match[2] or match[3] or 0)
    if kind == 'cpu':
        return npx.cpu()
    if index >= npx.num_gpus():
        raise ValueError(f'device {name!r} is not available: {this_machine}')
    return npx.gpu(index)


def default_device():
    """$D2LMINI_DEVICE if set, else the first GPU, else the CPU."""
    return checks.device_from_env(parse_device, try_gpu)


def _cpu_threads():
    """The CPUs this process may use: MXNet's BLAS, which does the matrix
    products, starts that many threads unless OMP_NUM_THREADS says fewer."""
    cpus = (
        len(os.sched_getaffinity(0))
        if hasattr(os, 'sched_getaffinity')
        else os.cpu_count()
    )
    limit = os.environ.get('OMP_NUM_THREADS', '')
    return min(cpus, int(limit)) if limit.isdigit() and int(limit) else cpus


def device_name(device=None):
    """A readable name, e.g. 'GPU (gpu(0))' or 'CPU (2 threads)'."""
    device = parse_device(device)
    if device.device_type == 'cpu':
        return f'CPU ({_cpu_threads()} threads)'
    return f'GPU ({device})'  # MXNet does not report the GPU's model


def set_seed(seed=0):
    """Seed Python, NumPy and MXNet (all devices) so that runs repeat."""
    seed_all(seed, mxnet.random.seed)


def synchronize(device=None):
    """Wait for all of MXNet's queued work, so that the clock measures it:
    MXNet cannot wait for one device alone."""
    npx.waitall()


Timer, time_each, time_it = timer.timing(__name__, parse_device, synchronize)


def large_matmul_gflops(device=None, size=None, repeats=10):
    """Median GFLOP/s of a large float32 matrix product: the practical peak."""
    device = parse_device(device)
    size = size or (8192 if device.device_type == 'gpu' else 2048)
    B = np.random.normal(0, 1, (size, size), ctx=device)
    C = np.random.normal(0, 1, (size, size), ctx=device)
    t = time_it(lambda: np.dot(B, C), repeats, warmup=2)
    return gflops(size, size, size, t.median())


def device_of(data_iter):
    """The device that holds a loader's data."""
    return features_of(data_iter).ctx
