"""What is TensorFlow's alone in d2lmini.tensorflow, against independent
references (NumPy, tf.data's own pipeline); the tests every framework
shares are in test_framework_cases.py.

TensorFlow shares this process with PyTorch (tests/helpers.py imports it):
both import and train side by side, and TensorFlow emits no Python warning,
so filterwarnings = error holds. Its C++ start-up lines go to stderr, which
pytest captures; the subprocess tests set the variables that silence them
(TF_QUIET)."""

import math
import re
import types

import numpy as np
import pytest

tf = pytest.importorskip(
    'tensorflow', reason='needs TensorFlow: pip install "d2lmini[tensorflow]"'
)
from d2lmini import tensorflow as d2l  # noqa: E402
from d2lmini.core.registry import FRAMEWORKS  # noqa: E402
from d2lmini.tensorflow import device as tf_device  # noqa: E402
from d2lmini.tensorflow import train as tf_train  # noqa: E402
from tests.package.test_framework_cases import KITS  # noqa: E402
from tests.package.test_framework_cases import (  # noqa: E402
    run_python as kit_run_python,
)
from tests.package.test_framework_cases import (  # noqa: E402
    toy_loader as kit_loader,
)

# The variables the book's TensorFlow kernel sets: no C++ log lines.
TF_QUIET = dict(FRAMEWORKS['tensorflow'].kernel_env)
KIT = KITS['tensorflow']('tensorflow')


def toy_loader(**kwargs):
    """test_framework_cases.toy_loader, with TensorFlow's tensors."""
    return kit_loader(KIT, **kwargs)


def run_python(code):
    """Run `code` in a fresh interpreter, TensorFlow's C++ logs silenced."""
    return kit_run_python(code, TF_QUIET)


# Importing.
def test_without_tensorflow_the_import_error_says_why_and_the_fix():
    result = run_python(
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"
        "import d2lmini.tensorflow\n"
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(
        'ImportError: d2lmini.tensorflow needs TensorFlow, which is not '
        'installed; install it with: pip install tensorflow'
    )


@pytest.mark.parametrize(
    'system, nvidia, fix',
    [
        ('Linux', False, 'pip install tensorflow-cpu'),
        ('Linux', True, "pip install 'tensorflow[and-cuda]'"),
        ('Darwin', False, 'pip install tensorflow'),
        ('Windows', False, 'pip install tensorflow'),
    ],
)
def test_the_install_hint_fits_the_machine(monkeypatch, system, nvidia, fix):
    # Only d2lmini.tensorflow's own `platform` and `os` are replaced.
    fake_os = types.SimpleNamespace(
        path=types.SimpleNamespace(exists=lambda p: nvidia)
    )
    monkeypatch.setattr(d2l, 'os', fake_os)
    monkeypatch.setattr(
        d2l, 'platform', types.SimpleNamespace(system=lambda: system)
    )
    assert d2l._install_hint().startswith(fix)


def test_all_names_and_plt():
    for name in ('Timer', 'load_array', 'train_ch11', 'train_loop', 'checks'):
        assert name in d2l.__all__
    assert 'tf' not in d2l.__all__ and 'np' not in d2l.__all__
    assert d2l.plt.__name__ == 'matplotlib.pyplot'
    with pytest.raises(AttributeError, match='no attribute'):
        d2l.no_such_name  # noqa: B018


# The model, the loss and the update, against NumPy.
def test_train_ch11_first_step_is_the_numpy_gradient_step(monkeypatch):
    # Gradient descent for one epoch: one step from known weights.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 5)).astype(np.float32)
    y = rng.normal(size=50).astype(np.float32)
    w0 = rng.normal(size=(5, 1)).astype(np.float32)
    b0 = np.array([0.3], dtype=np.float32)
    monkeypatch.setattr(
        tf_train,
        'init_params',
        lambda dim, device=None: (tf.Variable(w0), tf.Variable(b0)),
    )
    grads = []

    def trainer(params, g, states, hyperparams):
        grads.append([t.numpy() for t in g])
        d2l.sgd(params, g, states, hyperparams)

    loader = d2l.load_array((X, y), 50)
    _, losses = d2l.train_ch11(
        trainer, None, {'lr': 0.2}, loader, 5, 1, verbose=False
    )
    r = X @ w0 + b0 - y.reshape(-1, 1)  # (examples, 1)
    dw, db = X.T @ r / 50, r.mean(keepdims=True)[0]
    np.testing.assert_allclose(grads[0][0], dw, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(grads[0][1], db, rtol=1e-4, atol=1e-6)
    w1, b1 = w0 - 0.2 * dw, b0 - 0.2 * db
    expected = float(((X @ w1 + b1 - y.reshape(-1, 1)) ** 2 / 2).mean())
    assert losses == pytest.approx([expected], rel=1e-5)


# Minibatches.


@pytest.mark.parametrize(
    'n, batch_size', [(1, 1), (10, 1), (100, 10), (103, 10), (1500, 1500)]
)
def test_cardinality_counts_batches(n, batch_size):
    # d2l's TensorFlow train_ch11 divides by it
    loader = toy_loader(n=n, batch_size=batch_size)
    cardinality = tf.data.experimental.cardinality(loader).numpy()
    assert cardinality == len(loader) == math.ceil(n / batch_size)


def test_it_is_a_dataset_whose_graph_pipeline_has_the_same_batches():
    loader = toy_loader(n=103, batch_size=10)
    X, y = (t.numpy() for t in loader.tensors)
    assert isinstance(loader, tf.data.Dataset)
    # Transformations and tf.function take tf.data's own pipeline.
    assert [len(Xb) for Xb, _ in loader.prefetch(2)] == [10] * 10 + [3]
    assert [len(Xb) for Xb, _ in loader.take(2)] == [10, 10]
    assert len(list(loader.shuffle(5).skip(9))) == 2

    @tf.function
    def label_sum(dataset):
        total = tf.constant(0.0)
        for _, yb in dataset:
            total += tf.reduce_sum(yb)
        return total

    assert float(label_sum(loader)) == pytest.approx(float(y.sum()), 1e-5)
    Xs, ys = (np.concatenate(a) for a in zip(*loader.as_numpy_iterator()))
    np.testing.assert_array_equal(Xs[np.argsort(ys)], X[np.argsort(y)])


def test_numpy_arrays_and_tensors_both_load():
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    loader = d2l.load_array((X, tf.range(6)), 4, is_train=False)
    Xb, yb = next(iter(loader))
    assert isinstance(Xb, tf.Tensor) and isinstance(yb, tf.Tensor)
    np.testing.assert_array_equal(Xb.numpy(), X[:4])
    assert yb.numpy().tolist() == [0, 1, 2, 3]


def test_a_scalar_is_not_an_array_of_examples():
    with pytest.raises(ValueError, match='data_arrays must be arrays'):
        d2l.load_array((np.zeros((10, 2)), 3.0), 2)


# Training.


def test_the_keras_model_starts_where_train_ch11_starts():
    d2l.set_seed(5)
    w, b = d2l.init_params(5)
    d2l.set_seed(5)
    kernel, bias = d2l.linear_model(5).get_weights()
    np.testing.assert_array_equal(kernel, w.numpy())
    np.testing.assert_array_equal(bias, b.numpy())


def test_training_prints_the_loss_and_sec_per_epoch(capsys):
    data_iter, feature_dim = d2l.get_data_ch11(100)
    d2l.train_ch11(d2l.sgd, None, {'lr': 0.4}, data_iter, feature_dim)
    out = capsys.readouterr().out
    assert re.fullmatch(r'loss: 0\.2\d\d, [\d.e+-]+ sec/epoch\n', out), out


# Timing and devices.
def test_timer_waits_for_the_gpu_at_start_and_stop(monkeypatch):
    waits = []
    fake_gpus(monkeypatch, 1)
    monkeypatch.setattr(tf_device, '_sync_devices', lambda: waits.append(1))
    timer = d2l.Timer('/GPU:0')
    assert len(waits) == 1
    timer.stop()
    assert len(waits) == 2
    t = d2l.time_it(lambda: None, repeats=3, warmup=1, device='gpu:0')
    # one wait as the timer is made, then one at each start and stop
    assert len(t.times) == 3 and len(waits) == 2 + 1 + 2 * 3


def test_timer_on_the_cpu_waits_for_nothing(monkeypatch):
    waits = []
    monkeypatch.setattr(tf_device, '_sync_devices', lambda: waits.append(1))
    d2l.Timer('/CPU:0').stop()
    d2l.time_it(lambda: None, repeats=2, device='cpu')
    assert waits == []


def fake_gpus(monkeypatch, count):
    """Make TensorFlow list `count` GPUs (and their details)."""
    real = tf.config.list_logical_devices

    def logical(kind=None):
        if kind == 'GPU':
            return [
                tf.config.LogicalDevice(f'/device:GPU:{i}', 'GPU')
                for i in range(count)
            ]
        return real(kind)

    monkeypatch.setattr(tf.config, 'list_logical_devices', logical)
    monkeypatch.setattr(
        tf.config,
        'list_physical_devices',
        lambda kind=None: [f'gpu{i}' for i in range(count)],
    )
    monkeypatch.setattr(
        tf.config.experimental,
        'get_device_details',
        lambda gpu: {'device_name': 'NVIDIA H100'},
    )


def test_default_device_is_the_first_gpu_else_the_cpu(monkeypatch):
    monkeypatch.delenv('D2LMINI_DEVICE', raising=False)
    fake_gpus(monkeypatch, 0)
    assert d2l.default_device() == '/CPU:0' == d2l.try_gpu()
    fake_gpus(monkeypatch, 2)
    assert d2l.default_device() == '/GPU:0'
    assert [d2l.try_gpu(i) for i in range(3)] == ['/GPU:0', '/GPU:1', '/CPU:0']
    assert d2l.devices() == ['/CPU:0', '/GPU:0', '/GPU:1']
    assert d2l.device_name() == 'NVIDIA H100 (/GPU:0)'


@pytest.mark.parametrize(
    'name, device',
    [
        ('cpu', '/CPU:0'),
        ('CPU:0', '/CPU:0'),
        ('gpu', '/GPU:0'),
        ('gpu:1', '/GPU:1'),
        ('/GPU:1', '/GPU:1'),
        ('/device:GPU:1', '/GPU:1'),
        ('cuda:1', '/GPU:1'),  # PyTorch's name, in a shared $D2LMINI_DEVICE
        ('/job:localhost/replica:0/task:0/device:GPU:1', '/GPU:1'),
    ],
)
def test_device_names(monkeypatch, name, device):
    fake_gpus(monkeypatch, 2)
    assert d2l.parse_device(name) == device


def test_bad_names_say_what_there_is(monkeypatch):
    fake_gpus(monkeypatch, 0)
    for bad in ('tpu', 'cpu:x'):
        with pytest.raises(ValueError, match=f"unknown device '{bad}'"):
            d2l.parse_device(bad)


# Gluing into the book.
