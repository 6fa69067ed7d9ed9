"""d2lmini.tensorflow against independent references: NumPy, the update
equations, tf.data's own pipeline.

TensorFlow shares this process with PyTorch (tests/helpers.py imports it):
both import and train side by side, and TensorFlow emits no Python warning,
so filterwarnings = error holds. Its C++ start-up lines go to stderr, which
pytest captures; the subprocess tests set the variables that silence them
(TF_QUIET)."""

import math
import os
import random
import re
import subprocess
import sys
import types

import numpy as np
import pytest

tf = pytest.importorskip(
    'tensorflow', reason='needs TensorFlow: pip install "d2lmini[tensorflow]"'
)
from d2lmini import tensorflow as d2l  # noqa: E402
from d2lmini.tensorflow import device as tf_device  # noqa: E402
from d2lmini.tensorflow import train as tf_train  # noqa: E402
from tests.package.plot_timing import (  # noqa: E402
    assert_figure_not_timed,
    assert_plot_not_timed,
)

# TF_CPP_MIN_LOG_LEVEL=2: no INFO or WARNING lines from TensorFlow's C++
# logging (the CPU feature guard, for one). TF_ENABLE_ONEDNN_OPTS=0: no
# "oneDNN custom operations are on" line, which ignores the log level.
TF_QUIET = {'TF_CPP_MIN_LOG_LEVEL': '2', 'TF_ENABLE_ONEDNN_OPTS': '0'}


def toy_loader(n=1000, batch_size=300, is_train=True, seed=0):
    """A noisy linear regression problem with n examples."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)  # (n, features)
    y = X @ np.arange(1.0, 6.0, dtype=np.float32)  # (n,)
    y += 0.1 * rng.normal(size=n).astype(np.float32)
    return d2l.load_array((X, y), batch_size, is_train)


def train_sgd(lr, batch_size, num_epochs=2):
    """The book's train_sgd."""
    data_iter, feature_dim = d2l.get_data_ch11(batch_size)
    return d2l.train_ch11(
        d2l.sgd,
        None,
        {'lr': lr},
        data_iter,
        feature_dim,
        num_epochs,
        verbose=False,
    )


def run_python(code):
    """Run `code` in a fresh interpreter, TensorFlow's C++ logs silenced."""
    return subprocess.run(
        [sys.executable, '-c', code],
        capture_output=True,
        text=True,
        env={**os.environ, **TF_QUIET},
        timeout=120,
    )


# Importing.
def test_importing_imports_neither_torch_nor_mxnet():
    # None in sys.modules makes any import of them fail at once.
    result = run_python(
        "import sys\n"
        "sys.modules['torch'] = sys.modules['mxnet'] = None\n"
        "from d2lmini import tensorflow as d2l\n"
        "d2l.get_data_ch11(10)\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('torch', 'mxnet')))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['mxnet', 'torch']"  # ours: None
    assert result.stderr == ''  # with TF_QUIET, TensorFlow prints nothing


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
def test_linreg_and_squared_loss_match_numpy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3)).astype(np.float32)
    w = rng.normal(size=(3, 1)).astype(np.float32)
    b = rng.normal(size=1).astype(np.float32)
    y = rng.normal(size=8).astype(np.float32)  # (batch,)
    y_hat = d2l.linreg(tf.constant(X), tf.constant(w), tf.constant(b))
    assert y_hat.shape == (8, 1)
    np.testing.assert_allclose(y_hat.numpy(), X @ w + b, rtol=1e-5)
    l = d2l.squared_loss(y_hat, tf.constant(y))
    assert l.shape == (8, 1)  # one loss per example
    expected = (X @ w + b - y.reshape(8, 1)) ** 2 / 2
    np.testing.assert_allclose(l.numpy(), expected, rtol=1e-4)


def test_one_sgd_step_follows_the_equations():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 3)).astype(np.float32)
    y = rng.normal(size=4).astype(np.float32)
    w0 = rng.normal(size=(3, 1)).astype(np.float32)
    b0 = rng.normal(size=1).astype(np.float32)
    w, b = tf.Variable(w0), tf.Variable(b0)
    with tf.GradientTape() as g:
        l = tf.reduce_mean(d2l.squared_loss(d2l.linreg(X, w, b), y))
    d2l.sgd([w, b], g.gradient(l, [w, b]), None, {'lr': 0.1})
    # The gradient of mean((Xw + b - y)^2 / 2): X^T r / n and mean(r).
    r = X @ w0 + b0 - y.reshape(4, 1)  # (batch, 1)
    np.testing.assert_allclose(w.numpy(), w0 - 0.1 * X.T @ r / 4, rtol=1e-5)
    np.testing.assert_allclose(b.numpy(), b0 - 0.1 * r.mean(), rtol=1e-5)


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


def test_evaluate_loss_is_the_full_data_loss():
    loader = toy_loader(n=103, batch_size=10)
    X, y = (t.numpy() for t in loader.tensors)
    w = np.full((5, 1), 0.5, dtype=np.float32)

    def net(X):
        return d2l.linreg(X, w, tf.constant([0.25]))

    expected = float(((X @ w + 0.25 - y.reshape(-1, 1)) ** 2 / 2).mean())
    mse = tf.keras.losses.MeanSquaredError()
    values = {
        'per example': d2l.evaluate_loss(net, loader, d2l.squared_loss),
        'mean': d2l.evaluate_loss(
            net,
            loader,
            lambda out, y: tf.reduce_mean(d2l.squared_loss(out, y)),
        ),
        'Keras MSE halved': d2l.evaluate_loss(
            net, loader, lambda out, y: mse(y, out) / 2
        ),
        # a plain list of batches takes the batch-by-batch path
        'batches': d2l.evaluate_loss(net, list(loader), d2l.squared_loss),
    }
    for value in values.values():
        assert type(value) is float
    assert values == pytest.approx(dict.fromkeys(values, expected), rel=1e-5)


def test_evaluate_loss_makes_one_pass_over_the_full_data():
    loader = toy_loader(n=103, batch_size=10)
    calls = []

    def net(X):
        calls.append(tuple(X.shape))
        return X[:, :1]

    d2l.evaluate_loss(net, loader, d2l.squared_loss)
    assert calls == [(103, 5)]


# Minibatches.
def epoch_labels(loader):
    return np.concatenate([y.numpy() for _, y in loader])


def test_each_epoch_covers_every_example_once_and_keeps_pairs():
    loader = toy_loader(n=103, batch_size=10)
    X, y = (t.numpy() for t in loader.tensors)
    for _ in range(2):
        batches = [(Xb.numpy(), yb.numpy()) for Xb, yb in loader]
        Xs = np.concatenate([Xb for Xb, _ in batches])
        ys = np.concatenate([yb for _, yb in batches])
        order = np.argsort(ys)
        np.testing.assert_array_equal(ys[order], np.sort(y))
        np.testing.assert_array_equal(Xs[order], X[np.argsort(y)])


def test_reshuffled_every_epoch_and_seeded():
    loader = toy_loader(n=100, batch_size=10)
    d2l.set_seed(3)
    first, second = epoch_labels(loader), epoch_labels(loader)
    assert not np.array_equal(first, second)
    d2l.set_seed(3)
    np.testing.assert_array_equal(epoch_labels(loader), first)


def test_order_kept_when_not_training():
    loader = toy_loader(n=25, batch_size=10, is_train=False)
    np.testing.assert_array_equal(
        epoch_labels(loader), loader.tensors[1].numpy()
    )


@pytest.mark.parametrize(
    'n, batch_size', [(1, 1), (10, 1), (100, 10), (103, 10), (1500, 1500)]
)
def test_cardinality_counts_batches_and_the_last_is_partial(n, batch_size):
    loader = toy_loader(n=n, batch_size=batch_size)
    sizes = [len(X) for X, _ in loader]
    batches = math.ceil(n / batch_size)
    # d2l's train_ch11 divides by this
    assert tf.data.experimental.cardinality(loader).numpy() == batches
    assert len(loader) == len(sizes) == batches
    assert loader.batch_size == batch_size
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
    assert sizes[-1] == n - batch_size * (len(sizes) - 1)


def test_it_is_a_dataset_whose_graph_pipeline_has_the_same_batches():
    loader = toy_loader(n=103, batch_size=10)
    X, y = (t.numpy() for t in loader.tensors)
    assert isinstance(loader, tf.data.Dataset)
    # Transformations and tf.function take tf.data's own pipeline.
    assert [len(Xb) for Xb, _ in loader.prefetch(2)] == [10] * 10 + [3]

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


@pytest.mark.parametrize(
    'batch_size, error',
    [(0, ValueError), (-1, ValueError), (2.5, TypeError), ('10', TypeError)],
)
def test_bad_batch_size_names_argument_and_value(batch_size, error):
    arrays = (np.zeros((10, 2)), np.zeros(10))
    match = 'batch_size.*' + re.escape(repr(batch_size))
    with pytest.raises(error, match=match):
        d2l.load_array(arrays, batch_size)
    with pytest.raises(error, match=match):
        d2l.get_data_ch11(batch_size)


def test_unequal_lengths_empty_and_scalar_arrays_raise():
    with pytest.raises(ValueError, match=r'equal lengths.*\[10, 9\]'):
        d2l.load_array((np.zeros((10, 2)), np.zeros(9)), 2)
    with pytest.raises(ValueError, match='empty'):
        d2l.load_array((np.zeros((0, 2)), np.zeros(0)), 2)
    with pytest.raises(ValueError, match='data_arrays must be arrays'):
        d2l.load_array((np.zeros((10, 2)), 3.0), 2)


@pytest.mark.parametrize(
    'n, error', [(1504, ValueError), (0, ValueError), (1.5, TypeError)]
)
def test_get_data_ch11_bad_n(n, error):
    with pytest.raises(error, match='n must be'):
        d2l.get_data_ch11(10, n=n)


def test_get_data_ch11_is_the_standardised_airfoil_data():
    data_iter, feature_dim = d2l.get_data_ch11(10)
    X, y = data_iter.tensors
    features, labels = d2l.airfoil()
    assert feature_dim == 5 and len(data_iter) == 150
    assert X.shape == (1500, 5) and y.shape == (1500,)
    assert X.dtype == tf.float32 and X.device.endswith('CPU:0')
    np.testing.assert_array_equal(X.numpy(), features)
    np.testing.assert_array_equal(y.numpy(), labels)
    X2, y2 = d2l.airfoil_tensors(100)
    np.testing.assert_array_equal(X2.numpy(), features[:100])


# Training.
@pytest.mark.parametrize(
    'lr, batch_size, num_epochs',
    [(1, 1500, 10), (0.005, 1, 2), (0.4, 100, 2), (0.05, 10, 2)],
)
def test_airfoil_final_loss(lr, batch_size, num_epochs):
    d2l.set_seed(0)
    times, losses = train_sgd(lr, batch_size, num_epochs)
    assert 0.235 <= losses[-1] <= 0.26
    assert len(times) == len(losses)
    assert all(a <= b for a, b in zip(times, times[1:]))  # cumulative


def test_same_seed_same_losses():
    runs = []
    for _ in range(2):
        d2l.set_seed(7)
        runs.append(train_sgd(0.05, 10, 1)[1])
    assert runs[0] == runs[1]


def test_the_keras_model_starts_where_train_ch11_starts():
    d2l.set_seed(5)
    w, b = d2l.init_params(5)
    d2l.set_seed(5)
    kernel, bias = d2l.linear_model(5).get_weights()
    np.testing.assert_array_equal(kernel, w.numpy())
    np.testing.assert_array_equal(bias, b.numpy())


def test_concise_lands_near_train_ch11():
    d2l.set_seed(0)
    _, scratch = train_sgd(0.05, 10, 2)
    d2l.set_seed(0)
    data_iter, _ = d2l.get_data_ch11(10)
    times, concise = d2l.train_concise_ch11(
        tf.keras.optimizers.SGD,
        {'learning_rate': 0.05},
        data_iter,
        verbose=False,
    )
    assert len(concise) == len(scratch) == len(times) == 15
    assert 0.235 <= concise[-1] <= 0.26
    assert concise[-1] == pytest.approx(scratch[-1], abs=0.01)


def test_exercise_2_decays_the_learning_rate_each_epoch():
    data_iter, _ = d2l.get_data_ch11(10)
    rates = []

    def decay(optimizer):
        rates.append(float(optimizer.learning_rate))
        optimizer.learning_rate = optimizer.learning_rate / 10

    d2l.train_concise_ch11(
        tf.keras.optimizers.SGD,
        {'learning_rate': 0.05},
        data_iter,
        3,
        verbose=False,
        on_epoch_end=decay,
    )
    assert rates == pytest.approx([0.05, 0.005, 0.0005])


def test_original_tf_data_pipeline_still_works():
    # d2l's own TensorFlow load_array: shuffle with a buffer, then batch.
    ours, feature_dim = d2l.get_data_ch11(10)
    dataset = (
        tf.data.Dataset.from_tensor_slices(ours.tensors)
        .shuffle(1000)
        .batch(10)
    )
    d2l.set_seed(0)
    _, losses = d2l.train_ch11(
        d2l.sgd, None, {'lr': 0.05}, dataset, feature_dim, verbose=False
    )
    assert 0.235 <= losses[-1] <= 0.26


def test_divergence_names_lr_and_batch_size():
    with pytest.raises(FloatingPointError) as info:
        train_sgd(100, 10, 1)
    message = str(info.value)
    assert 'learning rate 100.0' in message
    assert 'batch size 10' in message
    assert 'smaller learning rate' in message


@pytest.mark.parametrize(
    'value, error',
    [
        (0, ValueError),
        (-1, ValueError),
        (math.nan, ValueError),
        ('0.1', TypeError),
    ],
)
def test_bad_learning_rates_name_the_hyperparameter(value, error):
    with pytest.raises(error, match=r"hyperparams\['lr'\]"):
        d2l.train_ch11(d2l.sgd, None, {'lr': value}, toy_loader(), 5)
    with pytest.raises(error, match=r"hyperparams\['learning_rate'\]"):
        d2l.train_concise_ch11(
            tf.keras.optimizers.SGD, {'learning_rate': value}, toy_loader()
        )


def test_concise_with_lr_says_keras_calls_it_learning_rate():
    with pytest.raises(
        ValueError,
        match=r"'learning_rate', not 'lr'.*\{'learning_rate': 0.1\}",
    ):
        d2l.train_concise_ch11(
            tf.keras.optimizers.SGD, {'lr': 0.1}, toy_loader()
        )


def test_zero_epochs():
    with pytest.raises(ValueError, match='num_epochs.*0'):
        d2l.train_ch11(
            d2l.sgd, None, {'lr': 0.1}, toy_loader(), 5, num_epochs=0
        )


def test_a_generator_is_not_a_data_iter():
    batches = (b for b in toy_loader())
    with pytest.raises(TypeError, match='re-iterable'):
        d2l.examples_per_epoch(batches)


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


def test_large_matmul_gflops_is_a_rate():
    assert d2l.large_matmul_gflops(size=128, repeats=2) > 0


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


def test_d2lmini_device_overrides_and_bad_names_say_what_there_is(
    monkeypatch,
):
    fake_gpus(monkeypatch, 0)
    monkeypatch.setenv('D2LMINI_DEVICE', 'cpu')
    assert d2l.default_device() == '/CPU:0'
    monkeypatch.setenv('D2LMINI_DEVICE', 'gpu:0')
    with pytest.raises(
        ValueError,
        match=r"D2LMINI_DEVICE='gpu:0'.*not available: "
        r"this machine has '/CPU:0'",
    ):
        d2l.default_device()
    for bad in ('tpu', 'cpu:x'):
        with pytest.raises(ValueError, match=f"unknown device '{bad}'"):
            d2l.parse_device(bad)


def test_device_name_on_the_cpu():
    assert re.fullmatch(r'CPU \(\d+ threads\)', d2l.device_name('cpu'))


def test_set_seed_repeats_every_generator():
    draws = []
    for _ in range(2):
        d2l.set_seed(11)
        draws.append(
            (
                random.random(),
                np.random.rand(),
                float(tf.random.normal(())),
            )
        )
    assert draws[0] == draws[1]


# Gluing into the book.
def test_glue_of_a_tensorflow_scalar_is_a_python_float(monkeypatch):
    glued = {}
    fake = types.ModuleType('myst_nb')
    fake.glue = lambda name, value, display: glued.update({name: value})
    monkeypatch.setitem(sys.modules, 'myst_nb', fake)
    d2l.glue('loss', tf.reduce_mean(tf.constant([0.25, 0.75])))
    assert type(glued['loss']) is float and glued['loss'] == 0.5


def test_the_live_plot_adds_no_reported_time(monkeypatch):
    def train(verbose):
        data_iter, feature_dim = d2l.get_data_ch11(1500)
        return d2l.train_ch11(
            d2l.sgd, None, {'lr': 1}, data_iter, feature_dim, 10, verbose
        )

    assert_plot_not_timed(monkeypatch, train)


def test_making_the_figure_is_not_training_time(monkeypatch):
    def train(verbose):
        data_iter, feature_dim = d2l.get_data_ch11(1500)
        return d2l.train_ch11(
            d2l.sgd, None, {'lr': 1}, data_iter, feature_dim, 2, verbose
        )

    assert_figure_not_timed(monkeypatch, train)


@pytest.mark.parametrize('name', ['/GPU:3', 'gpu:3'])
def test_device_name_of_a_missing_gpu_names_the_devices_there_are(name):
    with pytest.raises(ValueError, match='is not available: this machine has'):
        d2l.device_name(name)
