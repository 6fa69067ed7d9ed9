"""d2lmini.mxnet against independent references: NumPy, the update equations,
Gluon's own loader. These tests run inside the MXNet environment (MXNet needs
the older Python and numpy that d2lmini/core/registry.py names), not in the
main test run:
tests/package/test_mxnet.py runs them there with

    <mxnet python> -m pytest tests/package/mxnet_cases.py --noconftest

(--noconftest: tests/conftest.py imports the main environment's packages)."""

import math
import re
import subprocess
import sys
import types

import numpy as onp  # the real NumPy; np is MXNet's, as in d2l
import pytest

# d2lmini.mxnet first: it imports MXNet without the DeprecationWarnings of
# MXNet's own modules, which filterwarnings = error would make errors here.
from d2lmini import mxnet as d2l

# isort: split
from mxnet import autograd, gluon, np, npx

from d2lmini.core.registry import FRAMEWORKS
from tests.package.plot_timing import (
    assert_figure_not_timed,
    assert_plot_not_timed,
)

npx.set_np()


def toy_loader(n=1000, batch_size=300, is_train=True, seed=0):
    """A noisy linear regression problem with n examples."""
    rng = onp.random.default_rng(seed)
    X = rng.normal(size=(n, 5)).astype(onp.float32)  # (n, features)
    y = X @ onp.arange(1.0, 6.0, dtype=onp.float32)  # (n,)
    y += 0.1 * rng.normal(size=n).astype(onp.float32)
    return d2l.load_array((np.array(X), np.array(y)), batch_size, is_train)


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
    """Run `code` in a fresh interpreter of this environment."""
    return subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True
    )


# Importing.
def test_importing_imports_neither_torch_nor_tensorflow():
    # None in sys.modules makes any import of them fail at once.
    result = run_python(
        "import sys\n"
        "sys.modules['torch'] = sys.modules['tensorflow'] = None\n"
        "from d2lmini import mxnet as d2l\n"
        "d2l.get_data_ch11(10)\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('torch', 'tensorflow')))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['tensorflow', 'torch']"  # ours: None
    assert result.stderr == ''  # MXNet prints nothing at import


def test_without_mxnet_the_import_error_says_why_and_the_fix():
    result = run_python(
        "import sys\nsys.modules['mxnet'] = None\nimport d2lmini.mxnet\n"
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    mxnet = FRAMEWORKS['mxnet']
    assert message.startswith(
        f'ImportError: d2lmini.mxnet needs {mxnet.release}'
    )
    assert mxnet.python in message and mxnet.pip in message


# The model, the loss and the update, against NumPy.
def test_linreg_and_squared_loss_match_numpy():
    rng = onp.random.default_rng(0)
    X = rng.normal(size=(8, 3)).astype(onp.float32)
    w = rng.normal(size=(3, 1)).astype(onp.float32)
    b = rng.normal(size=1).astype(onp.float32)
    y = rng.normal(size=8).astype(onp.float32)  # (batch,)
    y_hat = d2l.linreg(np.array(X), np.array(w), np.array(b))
    assert y_hat.shape == (8, 1)
    onp.testing.assert_allclose(y_hat.asnumpy(), X @ w + b, rtol=1e-5)
    l = d2l.squared_loss(y_hat, np.array(y))
    assert l.shape == (8, 1)  # one loss per example
    expected = (X @ w + b - y.reshape(8, 1)) ** 2 / 2
    onp.testing.assert_allclose(l.asnumpy(), expected, rtol=1e-4)


def test_one_sgd_step_follows_the_equations():
    rng = onp.random.default_rng(1)
    X = rng.normal(size=(4, 3)).astype(onp.float32)
    y = rng.normal(size=4).astype(onp.float32)
    w0 = rng.normal(size=(3, 1)).astype(onp.float32)
    b0 = rng.normal(size=1).astype(onp.float32)
    w, b = np.array(w0), np.array(b0)
    w.attach_grad()
    b.attach_grad()
    with autograd.record():
        l = d2l.squared_loss(d2l.linreg(np.array(X), w, b), np.array(y))
        l = l.mean()
    l.backward()
    d2l.sgd([w, b], None, {'lr': 0.1})
    # The gradient of mean((Xw + b - y)^2 / 2): X^T r / n and mean(r).
    r = X @ w0 + b0 - y.reshape(4, 1)  # (batch, 1)
    onp.testing.assert_allclose(w.asnumpy(), w0 - 0.1 * X.T @ r / 4, rtol=1e-5)
    onp.testing.assert_allclose(b.asnumpy(), b0 - 0.1 * r.mean(), rtol=1e-5)


def test_evaluate_loss_is_the_full_data_loss():
    loader = toy_loader(n=103, batch_size=10)
    X, y = (a.asnumpy() for a in loader.arrays)
    w = onp.full((5, 1), 0.5, dtype=onp.float32)

    def net(X):
        return d2l.linreg(X, np.array(w), np.array([0.25]))

    expected = float(((X @ w + 0.25 - y.reshape(-1, 1)) ** 2 / 2).mean())
    l2 = gluon.loss.L2Loss()
    values = {
        'per example': d2l.evaluate_loss(net, loader, d2l.squared_loss),
        'mean': d2l.evaluate_loss(
            net, loader, lambda out, y: d2l.squared_loss(out, y).mean()
        ),
        'Gluon L2Loss': d2l.evaluate_loss(net, loader, l2),
        # a plain list of batches takes the batch-by-batch path
        'batches': d2l.evaluate_loss(net, list(loader), d2l.squared_loss),
    }
    for value in values.values():
        assert isinstance(value, float)
    assert values == pytest.approx(dict.fromkeys(values, expected), rel=1e-5)


def test_evaluate_loss_makes_one_pass_over_the_full_data():
    loader = toy_loader(n=103, batch_size=10)
    calls = []

    def net(X):
        calls.append(X.shape)
        return X[:, :1]

    d2l.evaluate_loss(net, loader, d2l.squared_loss)
    assert calls == [(103, 5)]


# Minibatches.
def epoch_labels(loader):
    return onp.concatenate([y.asnumpy() for _, y in loader])


def test_each_epoch_covers_every_example_once_and_keeps_pairs():
    loader = toy_loader(n=103, batch_size=10)
    X, y = (a.asnumpy() for a in loader.arrays)
    for _ in range(2):
        batches = [(Xb.asnumpy(), yb.asnumpy()) for Xb, yb in loader]
        Xs = onp.concatenate([Xb for Xb, _ in batches])
        ys = onp.concatenate([yb for _, yb in batches])
        order = onp.argsort(ys)
        onp.testing.assert_array_equal(ys[order], onp.sort(y))
        onp.testing.assert_array_equal(Xs[order], X[onp.argsort(y)])


def test_reshuffled_every_epoch_and_seeded():
    loader = toy_loader(n=100, batch_size=10)
    d2l.set_seed(3)
    first, second = epoch_labels(loader), epoch_labels(loader)
    assert not onp.array_equal(first, second)
    d2l.set_seed(3)
    onp.testing.assert_array_equal(epoch_labels(loader), first)


def test_order_kept_when_not_training():
    loader = toy_loader(n=25, batch_size=10, is_train=False)
    onp.testing.assert_array_equal(
        epoch_labels(loader), loader.arrays[1].asnumpy()
    )


@pytest.mark.parametrize(
    'n, batch_size', [(1, 1), (10, 1), (100, 10), (103, 10), (1500, 1500)]
)
def test_len_counts_batches_and_the_last_is_partial(n, batch_size):
    loader = toy_loader(n=n, batch_size=batch_size)
    sizes = [len(X) for X, _ in loader]
    assert len(loader) == len(sizes) == math.ceil(n / batch_size)
    assert loader.batch_size == batch_size
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
    assert sizes[-1] == n - batch_size * (len(sizes) - 1)


@pytest.mark.parametrize('is_train', [True, False])
def test_changing_a_batch_in_place_leaves_the_data_alone(is_train):
    loader = toy_loader(n=20, batch_size=5, is_train=is_train)
    before = loader.arrays[0].asnumpy()
    for X, _ in loader:
        X[:] = 0
    onp.testing.assert_array_equal(loader.arrays[0].asnumpy(), before)


def test_numpy_and_legacy_ndarray_inputs_become_mxnet_numpy_arrays():
    import mxnet

    X = onp.arange(12, dtype=onp.float32).reshape(6, 2)
    loader = d2l.load_array((X, mxnet.nd.arange(6)), 4, is_train=False)
    Xb, yb = next(iter(loader))
    assert isinstance(Xb, np.ndarray) and isinstance(yb, np.ndarray)
    onp.testing.assert_array_equal(Xb.asnumpy(), X[:4])


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


def test_unequal_lengths_and_empty_arrays_raise():
    with pytest.raises(ValueError, match=r'equal lengths.*\[10, 9\]'):
        d2l.load_array((np.zeros((10, 2)), np.zeros(9)), 2)
    with pytest.raises(ValueError, match='empty'):
        d2l.load_array((np.zeros((0, 2)), np.zeros(0)), 2)


@pytest.mark.parametrize(
    'n, error', [(1504, ValueError), (0, ValueError), (1.5, TypeError)]
)
def test_get_data_ch11_bad_n(n, error):
    with pytest.raises(error, match='n must be'):
        d2l.get_data_ch11(10, n=n)


def test_get_data_ch11_is_the_standardised_airfoil_data():
    data_iter, feature_dim = d2l.get_data_ch11(10)
    X, y = data_iter.arrays
    features, labels = d2l.airfoil()
    assert feature_dim == 5 and len(data_iter) == 150
    assert X.shape == (1500, 5) and y.shape == (1500,)
    assert X.dtype == onp.float32 and str(X.ctx) == str(d2l.default_device())
    onp.testing.assert_array_equal(X.asnumpy(), features)
    onp.testing.assert_array_equal(y.asnumpy(), labels)


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


def test_concise_lands_near_train_ch11():
    d2l.set_seed(0)
    _, scratch = train_sgd(0.05, 10, 2)
    d2l.set_seed(0)
    data_iter, _ = d2l.get_data_ch11(10)
    times, concise = d2l.train_concise_ch11(
        'sgd', {'learning_rate': 0.05}, data_iter, verbose=False
    )
    assert len(concise) == len(scratch) == len(times) == 15
    assert 0.235 <= concise[-1] <= 0.26
    assert concise[-1] == pytest.approx(scratch[-1], abs=0.01)


def test_exercise_2_decays_the_learning_rate_each_epoch():
    data_iter, _ = d2l.get_data_ch11(10)
    rates = []

    def decay(trainer):
        rates.append(trainer.learning_rate)
        trainer.set_learning_rate(trainer.learning_rate / 10)

    d2l.train_concise_ch11(
        'sgd',
        {'learning_rate': 0.05},
        data_iter,
        3,
        verbose=False,
        on_epoch_end=decay,
    )
    assert rates == pytest.approx([0.05, 0.005, 0.0005])


def test_original_gluon_data_loader_still_works():
    # d2l's own MXNet load_array: a Gluon DataLoader over an ArrayDataset
    ours, feature_dim = d2l.get_data_ch11(10)
    loader = gluon.data.DataLoader(
        gluon.data.ArrayDataset(*ours.arrays), 10, shuffle=True
    )
    d2l.set_seed(0)
    _, losses = d2l.train_ch11(
        d2l.sgd, None, {'lr': 0.05}, loader, feature_dim, verbose=False
    )
    assert 0.235 <= losses[-1] <= 0.26


def test_divergence_names_lr_and_batch_size():
    with pytest.raises(FloatingPointError) as info:
        train_sgd(1e6, 10, 1)
    message = str(info.value)
    assert 'learning rate 1000000.0' in message
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
        d2l.train_concise_ch11('sgd', {'learning_rate': value}, toy_loader())


def test_concise_with_lr_says_gluon_calls_it_learning_rate():
    with pytest.raises(ValueError, match="'learning_rate', not 'lr'"):
        d2l.train_concise_ch11('sgd', {'lr': 0.1}, toy_loader())


def test_zero_epochs():
    with pytest.raises(ValueError, match='num_epochs.*0'):
        d2l.train_ch11(
            d2l.sgd, None, {'lr': 0.1}, toy_loader(), 5, num_epochs=0
        )


def test_a_generator_is_not_a_data_iter():
    batches = (b for b in toy_loader())
    with pytest.raises(TypeError, match='re-iterable'):
        d2l.examples_per_epoch(batches)


# Timing and devices.
def test_timer_waits_for_mxnet_at_start_and_stop(monkeypatch):
    waits = []
    monkeypatch.setattr(npx, 'waitall', lambda: waits.append(1))
    timer = d2l.Timer()
    assert len(waits) == 1
    timer.stop()
    assert len(waits) == 2
    t = d2l.time_it(lambda: None, repeats=3, warmup=1)
    # one wait as the timer is made, then one at each start and stop
    assert len(t.times) == 3 and len(waits) == 2 + 1 + 2 * 3


def test_large_matmul_gflops_is_a_rate():
    assert d2l.large_matmul_gflops(size=128, repeats=2) > 0


def test_default_device_is_the_first_gpu_else_the_cpu(monkeypatch):
    monkeypatch.delenv('D2LMINI_DEVICE', raising=False)
    monkeypatch.setattr(npx, 'num_gpus', lambda: 0)
    assert d2l.default_device() == npx.cpu() == d2l.try_gpu()
    monkeypatch.setattr(npx, 'num_gpus', lambda: 2)
    assert d2l.default_device() == npx.gpu(0)
    assert [d2l.try_gpu(i) for i in range(3)] == [
        npx.gpu(0),
        npx.gpu(1),
        npx.cpu(),
    ]


@pytest.mark.parametrize(
    'name, index',
    [('gpu', 0), ('gpu:1', 1), ('gpu(1)', 1), ('cuda:1', 1), ('GPU:0', 0)],
)
def test_gpu_names(monkeypatch, name, index):
    monkeypatch.setattr(npx, 'num_gpus', lambda: 2)
    assert d2l.parse_device(name) == npx.gpu(index)


def test_d2lmini_device_overrides_and_bad_names_say_what_there_is(
    monkeypatch,
):
    monkeypatch.setattr(npx, 'num_gpus', lambda: 0)
    monkeypatch.setenv('D2LMINI_DEVICE', 'cpu')
    assert d2l.default_device() == npx.cpu()
    monkeypatch.setenv('D2LMINI_DEVICE', 'gpu:0')
    with pytest.raises(
        ValueError,
        match=r"D2LMINI_DEVICE='gpu:0'.*not available: "
        r"this machine has 'cpu\(0\)'",
    ):
        d2l.default_device()
    for name in ('mps', 'gpu(1', 'gpu:1)', 'gpu:x', ''):
        with pytest.raises(
            ValueError, match=re.escape(f'unknown device {name!r}')
        ):
            d2l.parse_device(name)
    assert d2l.parse_device(npx.cpu()) == d2l.parse_device('cpu(0)')


def test_device_name_on_the_cpu():
    assert re.fullmatch(r'CPU \(\d+ threads\)', d2l.device_name('cpu'))


# Gluing into the book.
def test_glue_of_an_mxnet_scalar_is_a_python_float(monkeypatch):
    glued = {}
    fake = types.ModuleType('myst_nb')
    fake.glue = lambda name, value, display: glued.update({name: value})
    monkeypatch.setitem(sys.modules, 'myst_nb', fake)
    d2l.glue('loss', np.array([0.25, 0.75]).mean())
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
