"""d2lmini for MXNet, as the book imports it::

    from d2lmini import mxnet as d2l

with MXNet's NumPy interface (`from mxnet import np, npx; npx.set_np()`), as
in d2l's MXNet code. The shared, framework-free names come from the core
modules; the device, the minibatches and the training loops are MXNet's."""

import functools
import math
import os
import random
import re
import warnings

import numpy as onp  # the real NumPy; `np` is MXNet's, as in d2l

try:
    with warnings.catch_warnings():
        # MXNet 1.9.1's own modules use names that NumPy and distutils have
        # deprecated since; the warnings are MXNet's, not the reader's.
        warnings.simplefilter('ignore', DeprecationWarning)
        import mxnet
        from mxnet import autograd, gluon, init, np, npx
        from mxnet.gluon import nn
except (ImportError, AttributeError, OSError) as e:  # numpy>=1.24: no np.bool
    raise ImportError(
        f'd2lmini.mxnet needs MXNet 1.9.1, which failed to import ({e}). '
        f'MXNet 1.9.1 runs only on Python 3.11 or older with numpy 1.23.5 '
        f'(later numpy removed names it uses); make an environment for it, '
        f'e.g. `python3.11 -m venv .venv-mxnet && .venv-mxnet/bin/pip install '
        f'mxnet==1.9.1 numpy==1.23.5`, and run this code there'
    ) from e

from . import checks, timer
from .book import Words, glue
from .data import (
    DATA_HUB,
    DATA_URL,
    ChecksumError,
    DownloadError,
    airfoil,
    data_dir,
    download,
    read_airfoil,
    sha1sum,
)
from .loop import (
    examples_per_epoch,
    features_of,
    full_data,
    record_due,
    record_points,
    train_loop,
)
from .matmul import gflops, matmul_flops
from .plotting import (
    Animator,
    plot,
    set_axes,
    set_figsize,
    use_cjk_font,
    use_svg_display,
)
from .stats import (
    gap_words,
    line_fit,
    mean_gap,
    measurable,
    ratio_words,
    slope_words,
)
from .sysinfo import cache_sizes, smallest_cache

npx.set_np()  # MXNet's NumPy interface, which d2l's MXNet code uses


# The device.
def devices():
    """Every device of this machine: the CPU, then its GPUs."""
    return [npx.cpu()] + [npx.gpu(i) for i in range(npx.num_gpus())]


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu()."""
    return npx.gpu(i) if npx.num_gpus() >= i + 1 else npx.cpu()


_DEVICE = re.compile(r'(cpu|gpu|cuda)(?::(\d+)|\((\d+)\))?')


def parse_device(name):
    """Turn a device such as 'cpu', 'gpu:0', 'gpu(1)' or 'cuda:0' (PyTorch's
    spelling) into a usable MXNet context."""
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
    device = default_device() if device is None else parse_device(device)
    if device.device_type == 'cpu':
        return f'CPU ({_cpu_threads()} threads)'
    return f'GPU ({device})'  # MXNet does not report the GPU's model


def set_seed(seed=0):
    """Seed Python, NumPy and MXNet (all devices) so that runs repeat."""
    random.seed(seed)
    onp.random.seed(seed)
    mxnet.random.seed(seed)


# Timing: MXNet queues its work and returns at once.
class Timer(timer.Timer):
    """Record multiple running times, waiting for all of MXNet's queued work
    at every start and stop (MXNet cannot wait for one device alone; `device`
    is accepted for code written for d2lmini.torch)."""

    def __init__(self, device=None):
        self.device = device
        super().__init__()

    def wait(self):
        npx.waitall()


def time_each(fns, repeats=5, warmup=1, device=None):
    """timer.time_each with Timers that wait for MXNet's queued work."""
    return timer.time_each(
        fns, repeats, warmup, functools.partial(Timer, device)
    )


def time_it(fn, repeats=5, warmup=1, device=None):
    """Run fn() `warmup` times untimed, then `repeats` times; return the
    Timer, which waits for MXNet's queued work."""
    return time_each([fn], repeats, warmup, device)[0]


def large_matmul_gflops(device=None, size=None, repeats=10):
    """Median GFLOP/s of one large square float32 product on `device`: the
    machine's practical peak, to compare the other ways against."""
    device = default_device() if device is None else parse_device(device)
    size = size or (8192 if device.device_type == 'gpu' else 2048)
    B = np.random.normal(0, 1, (size, size), ctx=device)
    C = np.random.normal(0, 1, (size, size), ctx=device)
    t = time_it(lambda: np.dot(B, C), repeats, warmup=2)
    return gflops(size, size, size, t.median())


# Minibatches.
class ArrayLoader:
    """Minibatches of in-memory arrays, indexed a whole batch at a time."""

    def __init__(self, arrays, batch_size, shuffle=True):
        self.arrays = arrays
        self.batch_size = batch_size
        self.shuffle = shuffle

    @property
    def tensors(self):
        """The arrays, under the name d2lmini.torch's loader gives them."""
        return self.arrays

    @property
    def num_examples(self):
        return len(self.arrays[0])

    @property
    def device(self):
        return self.arrays[0].ctx

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        if self.shuffle:  # a fresh permutation, from MXNet's seeded generator
            idx = np.arange(self.num_examples, dtype='int64', ctx=self.device)
            np.random.shuffle(idx)
            # One gather per epoch: (examples, ...) each
            arrays = [a.take(idx, axis=0) for a in self.arrays]
        else:  # a copy, so that changing a batch never changes the data
            arrays = [a.copy() for a in self.arrays]
        # Every batch is a slice (a view, no copy): (batch, ...) each
        for i in range(0, self.num_examples, self.batch_size):
            yield tuple(a[i : i + self.batch_size] for a in arrays)


def _as_array(a):
    """An MXNet NumPy array: as it is, from a legacy NDArray, or from data."""
    if isinstance(a, np.ndarray):
        return a
    if isinstance(a, mxnet.nd.NDArray):
        return a.as_np_ndarray()
    return np.array(a, dtype=getattr(a, 'dtype', None))


def load_array(data_arrays, batch_size, is_train=True):
    """Construct an MXNet data iterator."""
    batch_size = checks.positive_int('batch_size', batch_size)
    arrays = [_as_array(a) for a in data_arrays]
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(
            f'data_arrays must have equal lengths (features and labels), '
            f'got lengths {lengths}'
        )
    if lengths[0] == 0:
        raise ValueError('data_arrays are empty: there is nothing to batch')
    if len({str(a.ctx) for a in arrays}) != 1:
        raise ValueError(
            f'data_arrays must be on one device, got '
            f'{[str(a.ctx) for a in arrays]}'
        )
    return ArrayLoader(arrays, batch_size, shuffle=is_train)


def get_data_ch11(batch_size=10, n=1500, device=None):
    """The airfoil data, standardised per column: (data_iter, feature_dim)."""
    device = default_device() if device is None else parse_device(device)
    features, labels = airfoil(n)  # (n, 5), (n,)
    data_iter = load_array(
        (np.array(features, ctx=device), np.array(labels, ctx=device)),
        batch_size,
        is_train=True,
    )
    return data_iter, features.shape[1]


def airfoil_tensors(n=1500, device=None):
    """The standardised airfoil features and labels: (n, 5), (n,)."""
    return get_data_ch11(batch_size=n, n=n, device=device)[0].arrays


# Linear regression, trained from scratch and with Gluon.
def linreg(X, w, b):
    """The linear regression model."""
    return np.dot(X, w) + b  # (batch, 1), or (batch,) for a 1-D w


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, states, hyperparams):
    """Minibatch stochastic gradient descent."""
    for p in params:  # backward overwrites p.grad: nothing to zero
        p[:] -= hyperparams['lr'] * p.grad


def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""
    full = full_data(data_iter)
    batches = [full] if full is not None else data_iter  # one pass if we can
    total, count = 0.0, 0
    with autograd.pause():  # no gradients, even inside autograd.record()
        for X, y in batches:
            out = net(X)
            l = loss(out, y.reshape(out.shape))
            # Sum a per-example loss; weight a mean loss by the batch size.
            total += l.sum().item() if l.size > 1 else l.item() * len(X)
            count += len(X)
    return total / count


def init_params(feature_dim, device=None):
    """Weights drawn from N(0, 0.01^2) and a zero bias, for a linear model."""
    w = np.random.normal(0, 0.01, (feature_dim, 1), ctx=device)
    b = np.zeros(1, ctx=device)
    return w, b


def train_ch11(
    trainer_fn,
    states,
    hyperparams,
    data_iter,
    feature_dim,
    num_epochs=2,
    verbose=True,
    labels=('epoch', 'loss'),
):
    """Train linear regression with a from-scratch optimizer `trainer_fn`."""
    lr = checks.learning_rate(hyperparams)
    w, b = init_params(feature_dim, features_of(data_iter).ctx)
    w.attach_grad()
    b.attach_grad()
    net, loss = lambda X: linreg(X, w, b), squared_loss

    def step(X, y):
        with autograd.record():
            l = loss(net(X), y).mean()
        l.backward()
        trainer_fn([w, b], states, hyperparams)

    return train_loop(
        step,
        lambda: evaluate_loss(net, data_iter, loss),
        data_iter,
        examples_per_epoch(data_iter),
        num_epochs,
        lr,
        Timer(),
        verbose,
        labels=labels,
    )


def train_concise_ch11(
    tr_name,
    hyperparams,
    data_iter,
    num_epochs=2,
    verbose=True,
    on_epoch_end=None,
    labels=('epoch', 'loss'),
):
    """Train linear regression with the Gluon optimizer named `tr_name`.

    `on_epoch_end(trainer)`, if given, is called after every epoch: to decay
    the learning rate with trainer.set_learning_rate, for example."""
    lr = checks.learning_rate(hyperparams, 'learning_rate')
    if lr is None and 'lr' in hyperparams:
        raise ValueError(
            f"Gluon calls the learning rate 'learning_rate', not 'lr': got "
            f'hyperparams {hyperparams!r}'
        )
    net = nn.Sequential()
    net.add(nn.Dense(1))  # (batch, features) -> (batch, 1)
    net.initialize(init.Normal(sigma=0.01), ctx=features_of(data_iter).ctx)
    trainer = gluon.Trainer(net.collect_params(), tr_name, hyperparams)
    loss = gluon.loss.L2Loss()  # squared_loss, one value per example

    def step(X, y):
        with autograd.record():
            l = loss(net(X), y)
        l.backward()
        trainer.step(X.shape[0])  # the mean gradient over the batch

    epoch_end = None if on_epoch_end is None else lambda: on_epoch_end(trainer)
    return train_loop(
        step,
        lambda: evaluate_loss(net, data_iter, loss),
        data_iter,
        examples_per_epoch(data_iter),
        num_epochs,
        lr,
        Timer(),
        verbose,
        on_epoch_end=epoch_end,
        labels=labels,
    )


# The d2l names, with `checks`; not the modules imported here (np, nn, ...).
__all__ = [
    name
    for name, value in globals().items()
    if not name.startswith('_')
    and (name == 'checks' or type(value) is not type(os))
]


def __getattr__(name):
    """`d2l.plt` is matplotlib.pyplot, imported on first use (it is slow to
    import)."""
    if name == 'plt':
        import matplotlib.pyplot

        return matplotlib.pyplot
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
