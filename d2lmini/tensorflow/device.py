"""TensorFlow's devices and timing: $D2LMINI_DEVICE, else a GPU, else the
CPU; a Timer that waits for the GPUs' queued work."""

import os

import tensorflow as tf

from ..core import checks, timer
from ..core.contract import names
from ..core.loop import features_of
from ..core.matmul import gflops
from ..core.seed import seed_all

__all__ = names('device')

# d2l's TensorFlow aliases that the section's code uses.
zeros = tf.zeros
normal = tf.random.normal

_ALIASES = {'cuda': 'GPU', 'mps': 'GPU'}  # PyTorch's names for a GPU


def devices():
    """Every device of this machine: the CPU, then its GPUs."""
    gpus = tf.config.list_logical_devices('GPU')
    return ['/CPU:0'] + [f'/GPU:{i}' for i in range(len(gpus))]


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu()."""
    if i < len(tf.config.list_logical_devices('GPU')):
        return f'/GPU:{i}'
    return '/CPU:0'


def _this_machine():
    return 'this machine has ' + ', '.join(repr(d) for d in devices())


def _spec(device):
    """tf.DeviceSpec of a name such as 'cpu', 'GPU:0', 'cuda:0' or
    '/job:localhost/replica:0/task:0/device:CPU:0'."""
    name = str(device).strip()
    kind, sep, rest = name.lstrip('/').partition(':')
    if kind.lower() in _ALIASES:
        name = _ALIASES[kind.lower()] + sep + rest
    try:
        spec = tf.DeviceSpec.from_string(name)
    except ValueError as e:
        raise ValueError(
            f'unknown device {device!r} ({e}); {_this_machine()}'
        ) from None
    if spec.device_type not in ('CPU', 'GPU'):
        raise ValueError(f'unknown device {device!r}; {_this_machine()}')
    return spec


def parse_device(name):
    """Turn a string such as 'cpu', 'gpu:0', 'cuda:0' or '/GPU:0' into a
    usable TensorFlow device string, e.g. '/GPU:0'; None is the default
    device."""
    if name is None:
        return default_device()
    spec = _spec(name)
    device = f'/{spec.device_type}:{spec.device_index or 0}'
    if device not in devices():
        raise ValueError(
            f'device {name!r} is not available: {_this_machine()}'
        )
    return device


def default_device():
    """$D2LMINI_DEVICE if set, else the first GPU, else the CPU."""
    return checks.device_from_env(parse_device, try_gpu)


def _is_gpu(device):
    return _spec(device).device_type == 'GPU'


def device_name(device=None):
    """A readable name, e.g. 'NVIDIA H100 (/GPU:0)' or 'CPU (2 threads)'."""
    device = parse_device(device)
    spec = _spec(device)
    if spec.device_type == 'GPU':
        index = spec.device_index or 0
        gpu = tf.config.list_physical_devices('GPU')[index]
        details = tf.config.experimental.get_device_details(gpu)
        return f"{details.get('device_name', 'GPU')} (/GPU:{index})"
    threads = tf.config.threading.get_intra_op_parallelism_threads()
    if not threads:  # 0: TensorFlow uses every core it may run on
        threads = (
            len(os.sched_getaffinity(0))
            if hasattr(os, 'sched_getaffinity')
            else os.cpu_count()
        )
    return f'CPU ({threads} threads)'


def set_seed(seed=0):
    """Seed Python, NumPy and TensorFlow so that runs repeat."""
    seed_all(seed, tf.random.set_seed)


# tf.test.experimental.sync_devices: TensorFlow 2.14 and later.
_sync_devices = getattr(
    getattr(tf.test, 'experimental', None), 'sync_devices', None
)


def synchronize(device=None):
    """Wait for the work queued on the GPUs, if `device` (default: the
    default device) is one, so that the clock measures it. The CPU runs
    TensorFlow's eager operations as they are called."""
    device = default_device() if device is None else device
    if _is_gpu(device) and _sync_devices is not None:
        _sync_devices()


Timer, time_each, time_it = timer.timing(__name__, parse_device, synchronize)


def large_matmul_gflops(device=None, size=None, repeats=10):
    """Median GFLOP/s of a large float32 matrix product: the practical peak."""
    device = default_device() if device is None else device
    size = size or (8192 if _is_gpu(device) else 2048)
    with tf.device(device):
        B = tf.random.normal((size, size))
        C = tf.random.normal((size, size))

    def product():
        with tf.device(device):
            tf.matmul(B, C)

    t = time_it(product, repeats, warmup=2, device=device)
    return gflops(size, size, size, t.median())


def device_of(data_iter):
    """The device that holds a loader's data."""
    return features_of(data_iter).device
