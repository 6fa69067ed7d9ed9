"""d2lmini for TensorFlow, as the book imports it::

    from d2lmini import tensorflow as d2l

The shared, framework-free names come from the core modules; the rest is
TensorFlow's: devices and timing, minibatches of in-memory tensors, and
linear regression trained from scratch and with a Keras optimizer."""

import functools
import os
import platform
import random
import types

import numpy as np

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


def _install_hint():
    """The pip command that installs TensorFlow on this machine."""
    if platform.system() != 'Linux':
        return 'pip install tensorflow'
    if os.path.exists('/dev/nvidiactl'):  # an NVIDIA driver is loaded
        return "pip install 'tensorflow[and-cuda]'"
    return 'pip install tensorflow-cpu  (no GPU: the smaller CPU-only build)'


try:
    import tensorflow as tf
except ModuleNotFoundError as e:
    if e.name != 'tensorflow':
        raise  # TensorFlow is there, but something it imports is missing
    raise ImportError(
        f'd2lmini.tensorflow needs TensorFlow, which is not installed; '
        f'install it with: {_install_hint()}',
        name='tensorflow',
    ) from None

# d2l's TensorFlow aliases that the section's code uses.
zeros = tf.zeros
normal = tf.random.normal


# Devices --------------------------------------------------------------------

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
    usable TensorFlow device string, e.g. '/GPU:0'."""
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
    device = default_device() if device is None else parse_device(device)
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
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)


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


class Timer(timer.Timer):
    """Record multiple running times, waiting for `device` (default: the
    default device) at every start and stop."""

    def __init__(self, device=None):
        self.device = default_device() if device is None else device
        self._gpu = _is_gpu(self.device)
        super().__init__()

    def wait(self):
        if self._gpu and _sync_devices is not None:
            _sync_devices()


def time_each(fns, repeats=5, warmup=1, device=None):
    """timer.time_each with Timers that wait for `device`."""
    return timer.time_each(
        fns, repeats, warmup, functools.partial(Timer, device)
    )


def time_it(fn, repeats=5, warmup=1, device=None):
    """Run fn() `warmup` times untimed, then `repeats` times; return the
    Timer, which waits for `device`."""
    return time_each([fn], repeats, warmup, device)[0]


def large_matmul_gflops(device=None, size=None, repeats=10):
    """Median GFLOP/s of one large square float32 product on `device`: the
    machine's practical peak, to compare the other ways against."""
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


# Minibatches ----------------------------------------------------------------


class ArrayDataset(tf.data.Dataset):
    """Minibatches of in-memory tensors, as a tf.data.Dataset of known
    cardinality. Iterated eagerly, it permutes the examples once per epoch
    and splits them into batches in one call, on the device where the
    tensors are; `tensors` holds the whole data, for one-pass evaluation."""

    def __init__(self, tensors, batch_size, shuffle=True):
        self.tensors = tuple(tensors)
        self.batch_size = batch_size
        self.shuffle = shuffle
        # The same batches as a tf.data pipeline, for graph code (Keras'
        # fit, tf.function) and for the transformations (take, prefetch).
        pipeline = tf.data.Dataset.from_tensor_slices(self.tensors)
        if shuffle:
            pipeline = pipeline.shuffle(self.num_examples)
        self._pipeline = pipeline.batch(batch_size)
        super().__init__(self._pipeline._variant_tensor)

    def _inputs(self):
        return [self._pipeline]

    @property
    def element_spec(self):
        return self._pipeline.element_spec

    @property
    def num_examples(self):
        return int(self.tensors[0].shape[0])

    def order(self):
        """This epoch's example indices: a fresh permutation, or None to keep
        the order."""
        if not self.shuffle:
            return None
        with tf.device(self.tensors[0].device):
            return tf.random.shuffle(tf.range(self.num_examples))

    def __iter__(self):
        if not tf.executing_eagerly():  # inside a tf.function
            return super().__iter__()
        return self._batches()

    def _batches(self):
        n, b = self.num_examples, self.batch_size
        sizes = [b] * (n // b) + ([n % b] if n % b else [])
        idx = self.order()
        # One gather per epoch, then tf.split makes every batch in one call:
        # (batch, ...) each
        tensors = [
            t if idx is None else tf.gather(t, idx) for t in self.tensors
        ]
        yield from zip(*(tf.split(t, sizes) for t in tensors))


def load_array(data_arrays, batch_size, is_train=True):
    """Construct a TensorFlow data iterator."""
    batch_size = checks.positive_int('batch_size', batch_size)
    tensors = [tf.convert_to_tensor(a) for a in data_arrays]
    if not tensors or any(t.shape.rank == 0 for t in tensors):
        raise ValueError(
            'data_arrays must be arrays of examples (features and labels), '
            'each with the examples along its first axis'
        )
    lengths = [int(t.shape[0]) for t in tensors]
    if len(set(lengths)) != 1:
        raise ValueError(
            f'data_arrays must have equal lengths (features and '
            f'labels), got lengths {lengths}'
        )
    if lengths[0] == 0:
        raise ValueError('data_arrays are empty: there is nothing to batch')
    return ArrayDataset(tensors, batch_size, shuffle=is_train)


def get_data_ch11(batch_size=10, n=1500, device=None):
    """The airfoil data, standardised per column: (data_iter, feature_dim)."""
    device = default_device() if device is None else parse_device(device)
    features, labels = airfoil(n)  # (n, 5), (n,)
    with tf.device(device):
        tensors = (tf.identity(features), tf.identity(labels))
    data_iter = load_array(tensors, batch_size, is_train=True)
    return data_iter, features.shape[1]


def airfoil_tensors(n=1500, device=None):
    """The standardised airfoil features and labels: (n, 5), (n,)."""
    return get_data_ch11(batch_size=n, n=n, device=device)[0].tensors


# Training -------------------------------------------------------------------


def linreg(X, w, b):
    """The linear regression model."""
    return tf.matmul(X, w) + b  # (batch, 1)


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - tf.reshape(y, y_hat.shape)) ** 2 / 2


def sgd(params, grads, states, hyperparams):
    """Minibatch stochastic gradient descent."""
    for param, grad in zip(params, grads):
        param.assign_sub(hyperparams['lr'] * grad)


def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""
    full = full_data(data_iter)
    batches = [full] if full is not None else data_iter  # one pass if we can
    total, count = 0.0, 0
    for X, y in batches:
        out = net(X)
        l = loss(out, tf.reshape(y, out.shape))
        # Sum a per-example loss; weight a scalar (mean) loss by batch size.
        weight = 1 if l.shape.num_elements() > 1 else len(X)
        total += float(tf.reduce_sum(l)) * weight
        count += len(X)
    return total / count


def init_params(feature_dim, device=None):
    """Weights drawn from N(0, 0.01^2) and a zero bias, for a linear model."""
    with tf.device(default_device() if device is None else device):
        w = tf.Variable(tf.random.normal((feature_dim, 1), 0, 0.01))
        b = tf.Variable(tf.zeros(1))
    return w, b


def linear_model(feature_dim, device=None):
    """A Keras Dense(1) model, starting where train_ch11's model starts."""
    w, b = init_params(feature_dim, device)
    with tf.device(default_device() if device is None else device):
        # (batch, features) -> (batch, 1)
        net = tf.keras.Sequential(
            [tf.keras.Input((feature_dim,)), tf.keras.layers.Dense(1)]
        )
    net.set_weights([w.numpy(), b.numpy()])
    return net


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
    device = features_of(data_iter).device
    w, b = init_params(feature_dim, device)
    net, loss = lambda X: linreg(X, w, b), squared_loss

    def step(X, y):
        with tf.GradientTape() as g:
            l = tf.reduce_mean(loss(net(X), y))
        trainer_fn([w, b], g.gradient(l, [w, b]), states, hyperparams)

    return train_loop(
        step,
        lambda: evaluate_loss(net, data_iter, loss),
        data_iter,
        examples_per_epoch(data_iter),
        num_epochs,
        lr,
        Timer(device),
        verbose,
        labels=labels,
    )


def train_concise_ch11(
    trainer_fn,
    hyperparams,
    data_iter,
    num_epochs=2,
    verbose=True,
    on_epoch_end=None,
    labels=('epoch', 'loss'),
):
    """Train linear regression with a Keras optimizer class `trainer_fn`.

    `on_epoch_end(optimizer)`, if given, is called after every epoch: to
    decay the learning rate, for example."""
    lr = checks.learning_rate(hyperparams, 'learning_rate')
    if 'lr' in hyperparams:  # d2l's PyTorch name, which Keras 3 rejects
        raise ValueError(
            f"Keras optimizers take 'learning_rate', not 'lr': pass "
            f"{{'learning_rate': {hyperparams['lr']!r}}}"
        )
    X = features_of(data_iter)  # (examples, features)
    net = linear_model(X.shape[1], X.device)
    optimizer = trainer_fn(**hyperparams)
    # MeanSquaredError is twice squared_loss, so halve it to compare with
    # train_ch11.
    mse = tf.keras.losses.MeanSquaredError()

    def loss(out, y):
        return mse(y, out) / 2

    def step(X, y):
        with tf.GradientTape() as g:
            out = net(X)
            l = loss(out, tf.reshape(y, out.shape))
        params = net.trainable_variables
        optimizer.apply_gradients(zip(g.gradient(l, params), params))

    epoch_end = (
        None if on_epoch_end is None else lambda: on_epoch_end(optimizer)
    )
    return train_loop(
        step,
        lambda: evaluate_loss(net, data_iter, loss),
        data_iter,
        examples_per_epoch(data_iter),
        num_epochs,
        lr,
        Timer(X.device),
        verbose,
        on_epoch_end=epoch_end,
        labels=labels,
    )


__all__ = [
    name
    for name, value in globals().items()
    if not name.startswith('_')
    and (value is checks or not isinstance(value, types.ModuleType))
]


def __getattr__(name):
    """`d2l.plt` is matplotlib.pyplot, imported on first use (it is slow to
    import)."""
    if name == 'plt':
        import matplotlib.pyplot

        return matplotlib.pyplot
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
