"""One suite for every framework's adapter: the same tests, parametrized by
framework, against independent references (NumPy, the update equations,
the airfoil table). Each framework runs them in its own environment: here
for the frameworks this environment has, and in the MXNet environment for
MXNet (tests/package/test_mxnet.py runs this file there and reports each
case). A `Kit` holds the few lines in which the frameworks differ."""

import importlib
import importlib.util
import math
import os
import random
import re
import subprocess
import sys
import types

import numpy as np
import pytest

from d2lmini.core.registry import FRAMEWORKS
from tests.package.plot_timing import (
    assert_figure_not_timed,
    assert_plot_not_timed,
)


def numpy(t):
    """A framework's tensor as a NumPy array."""
    if hasattr(t, 'asnumpy'):  # MXNet
        return t.asnumpy()
    if hasattr(t, 'detach'):  # PyTorch
        t = t.detach().cpu()
    return np.asarray(t.numpy())


class Kit:
    """What the tests need of one framework, beyond its adapter `d2l`."""

    lr_key = 'learning_rate'  # train_concise_ch11's name for it

    def __init__(self, name):
        self.name = name
        self.d2l = importlib.import_module(
            f'd2lmini.{FRAMEWORKS[name].adapter}'
        )
        # The framework itself: torch, tensorflow or mxnet.
        self.fw = importlib.import_module(FRAMEWORKS[name].module)

    def device(self, t):
        return t.device

    def mean(self, l):
        return l.mean()


class TorchKit(Kit):
    lr_key = 'lr'

    def array(self, a):
        return self.fw.tensor(np.asarray(a, dtype=np.float32))

    def optimizer(self):
        return self.fw.optim.SGD

    def learning_rate(self, optimizer):
        return optimizer.param_groups[0]['lr']

    def set_learning_rate(self, optimizer, value):
        for group in optimizer.param_groups:
            group['lr'] = value

    def halved_mse(self):
        mse = self.fw.nn.MSELoss()
        return lambda out, y: mse(out, y) / 2

    def draw(self):
        return self.fw.rand(1).item()

    def d2l_loader(self, tensors, batch_size):
        """d2l's own PyTorch load_array: a DataLoader over a TensorDataset."""
        data = self.fw.utils.data
        return data.DataLoader(data.TensorDataset(*tensors), batch_size, True)

    def sgd_step(self, X, y, w0, b0, lr):
        w, b = (self.array(a).requires_grad_(True) for a in (w0, b0))
        l = self.d2l.squared_loss(
            self.d2l.linreg(self.array(X), w, b), self.array(y)
        )
        l.mean().backward()
        self.d2l.sgd([w, b], None, {'lr': lr})
        return numpy(w), numpy(b)


class TensorFlowKit(Kit):
    def array(self, a):
        return self.fw.constant(np.asarray(a, dtype=np.float32))

    def optimizer(self):
        return self.fw.keras.optimizers.SGD

    def learning_rate(self, optimizer):
        return float(optimizer.learning_rate)

    def set_learning_rate(self, optimizer, value):
        optimizer.learning_rate = value

    def mean(self, l):
        return self.fw.reduce_mean(l)

    def halved_mse(self):
        mse = self.fw.keras.losses.MeanSquaredError()
        return lambda out, y: mse(y, out) / 2

    def draw(self):
        return float(self.fw.random.normal(()))

    def d2l_loader(self, tensors, batch_size):
        """d2l's own TensorFlow load_array: shuffle with a buffer, batch."""
        slices = self.fw.data.Dataset.from_tensor_slices(tuple(tensors))
        return slices.shuffle(1000).batch(batch_size)

    def sgd_step(self, X, y, w0, b0, lr):
        w, b = self.fw.Variable(w0), self.fw.Variable(b0)
        with self.fw.GradientTape() as g:
            l = self.d2l.squared_loss(self.d2l.linreg(X, w, b), y)
            l = self.fw.reduce_mean(l)
        self.d2l.sgd([w, b], g.gradient(l, [w, b]), None, {'lr': lr})
        return numpy(w), numpy(b)


class MXNetKit(Kit):
    def array(self, a):
        return self.fw.np.array(np.asarray(a, dtype=np.float32))

    def device(self, t):
        return t.ctx

    def optimizer(self):
        return 'sgd'

    def learning_rate(self, trainer):
        return trainer.learning_rate

    def set_learning_rate(self, trainer, value):
        trainer.set_learning_rate(value)

    def halved_mse(self):
        return self.fw.gluon.loss.L2Loss()  # per example, squared / 2

    def draw(self):
        return float(self.fw.np.random.normal())

    def d2l_loader(self, tensors, batch_size):
        """d2l's own MXNet load_array: a Gluon DataLoader."""
        data = self.fw.gluon.data
        return data.DataLoader(data.ArrayDataset(*tensors), batch_size, True)

    def sgd_step(self, X, y, w0, b0, lr):
        w, b = self.array(w0), self.array(b0)
        w.attach_grad()
        b.attach_grad()
        with self.fw.autograd.record():
            l = self.d2l.squared_loss(
                self.d2l.linreg(self.array(X), w, b), self.array(y)
            )
            l = l.mean()
        l.backward()
        self.d2l.sgd([w, b], None, {'lr': lr})
        return numpy(w), numpy(b)


KITS = {'pytorch': TorchKit, 'tensorflow': TensorFlowKit, 'mxnet': MXNetKit}
HERE = [
    name
    for name, f in FRAMEWORKS.items()
    if importlib.util.find_spec(f.module) is not None
]


@pytest.fixture(scope='module', params=HERE)
def kit(request):
    return KITS[request.param](request.param)


@pytest.fixture
def d2l(kit):
    return kit.d2l


def toy_loader(kit, n=1000, batch_size=300, is_train=True, seed=0):
    """A noisy linear regression problem with n examples."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)  # (n, features)
    y = X @ np.arange(1.0, 6.0, dtype=np.float32)  # (n,)
    y += 0.1 * rng.normal(size=n).astype(np.float32)
    return kit.d2l.load_array(
        (kit.array(X), kit.array(y)), batch_size, is_train
    )


def train_sgd(d2l, lr, batch_size, num_epochs=2, verbose=False):
    """The book's train_sgd."""
    data_iter, feature_dim = d2l.get_data_ch11(batch_size)
    return d2l.train_ch11(
        d2l.sgd,
        None,
        {'lr': lr},
        data_iter,
        feature_dim,
        num_epochs,
        verbose=verbose,
    )


def train_concise(kit, lr=0.05, num_epochs=2, verbose=False, **kwargs):
    """The book's concise run, with the framework's own SGD."""
    data_iter, _ = kit.d2l.get_data_ch11(10)
    return kit.d2l.train_concise_ch11(
        kit.optimizer(),
        {kit.lr_key: lr},
        data_iter,
        num_epochs,
        verbose=verbose,
        **kwargs,
    )


def run_python(code, env=None):
    """Run `code` in a fresh interpreter of this environment, with `env`
    added to this one's variables."""
    return subprocess.run(
        [sys.executable, '-c', code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def epoch_labels(loader):
    return np.concatenate([numpy(y) for _, y in loader])


# Importing.
def test_importing_it_imports_no_other_framework(kit):
    """None in sys.modules makes any import of the others fail at once."""
    f = FRAMEWORKS[kit.name]
    others = sorted(o.module for o in FRAMEWORKS.values() if o is not f)
    code = (
        'import sys\n'
        + ''.join(f'sys.modules[{m!r}] = None\n' for m in others)
        + f'from d2lmini import {f.adapter} as d2l\n'
        + 'd2l.get_data_ch11(10)\n'
        + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {others}))"
    )
    result = run_python(code, dict(f.kernel_env))  # as the book's kernel
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(others)  # ours: None
    assert result.stderr == ''  # the framework prints nothing at import


# The model, the loss and the update, against NumPy.
def test_linreg_and_squared_loss_match_numpy(kit, d2l):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3)).astype(np.float32)
    w = rng.normal(size=(3, 1)).astype(np.float32)
    b = rng.normal(size=1).astype(np.float32)
    y = rng.normal(size=8).astype(np.float32)  # (batch,)
    y_hat = d2l.linreg(kit.array(X), kit.array(w), kit.array(b))
    assert tuple(y_hat.shape) == (8, 1)
    np.testing.assert_allclose(numpy(y_hat), X @ w + b, rtol=1e-5)
    l = d2l.squared_loss(y_hat, kit.array(y))
    assert tuple(l.shape) == (8, 1)  # one loss per example
    expected = (X @ w + b - y.reshape(8, 1)) ** 2 / 2
    np.testing.assert_allclose(numpy(l), expected, rtol=1e-4)


def test_one_sgd_step_follows_the_equations(kit):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 3)).astype(np.float32)
    y = rng.normal(size=4).astype(np.float32)
    w0 = rng.normal(size=(3, 1)).astype(np.float32)
    b0 = rng.normal(size=1).astype(np.float32)
    w, b = kit.sgd_step(X, y, w0, b0, 0.1)
    # The gradient of mean((Xw + b - y)^2 / 2): X^T r / n and mean(r).
    r = X @ w0 + b0 - y.reshape(4, 1)  # (batch, 1)
    np.testing.assert_allclose(w, w0 - 0.1 * X.T @ r / 4, rtol=1e-5)
    np.testing.assert_allclose(b, b0 - 0.1 * r.mean(), rtol=1e-5)


def test_evaluate_loss_is_the_full_data_loss(kit, d2l):
    loader = toy_loader(kit, n=103, batch_size=10)
    X, y = (numpy(t) for t in loader.tensors)
    w = np.full((5, 1), 0.5, dtype=np.float32)

    def net(X):
        return d2l.linreg(X, kit.array(w), kit.array([0.25]))

    expected = float(((X @ w + 0.25 - y.reshape(-1, 1)) ** 2 / 2).mean())
    values = {
        'per example': d2l.evaluate_loss(net, loader, d2l.squared_loss),
        'mean': d2l.evaluate_loss(
            net, loader, lambda out, y: kit.mean(d2l.squared_loss(out, y))
        ),
        "the framework's own, halved": d2l.evaluate_loss(
            net, loader, kit.halved_mse()
        ),
        # a plain list of batches takes the batch-by-batch path
        'batches': d2l.evaluate_loss(net, list(loader), d2l.squared_loss),
    }
    for value in values.values():
        assert type(value) is float
    assert values == pytest.approx(dict.fromkeys(values, expected), rel=1e-5)


def test_evaluate_loss_makes_one_pass_over_the_full_data(kit, d2l):
    loader = toy_loader(kit, n=103, batch_size=10)
    calls = []

    def net(X):
        calls.append(tuple(X.shape))
        return X[:, :1]

    d2l.evaluate_loss(net, loader, d2l.squared_loss)
    assert calls == [(103, 5)]


# Minibatches.
def test_each_epoch_covers_every_example_once_and_keeps_pairs(kit):
    loader = toy_loader(kit, n=103, batch_size=10)
    X, y = (numpy(t) for t in loader.tensors)
    for _ in range(2):
        batches = [(numpy(Xb), numpy(yb)) for Xb, yb in loader]
        Xs = np.concatenate([Xb for Xb, _ in batches])
        ys = np.concatenate([yb for _, yb in batches])
        order = np.argsort(ys)
        np.testing.assert_array_equal(ys[order], np.sort(y))
        np.testing.assert_array_equal(Xs[order], X[np.argsort(y)])


def test_reshuffled_every_epoch_and_seeded(kit, d2l):
    loader = toy_loader(kit, n=100, batch_size=10)
    d2l.set_seed(3)
    first, second = epoch_labels(loader), epoch_labels(loader)
    assert not np.array_equal(first, second)
    d2l.set_seed(3)
    np.testing.assert_array_equal(epoch_labels(loader), first)


def test_order_kept_when_not_training(kit):
    loader = toy_loader(kit, n=25, batch_size=10, is_train=False)
    np.testing.assert_array_equal(
        epoch_labels(loader), numpy(loader.tensors[1])
    )


def test_device_of_a_loader_is_where_its_batches_live(kit, d2l):
    loader = toy_loader(kit)
    X, _ = next(iter(loader))
    assert d2l.device_of(loader) == kit.device(X)


@pytest.mark.parametrize(
    'n, batch_size', [(1, 1), (10, 1), (100, 10), (103, 10), (1500, 1500)]
)
def test_len_counts_batches_and_the_last_is_partial(kit, n, batch_size):
    loader = toy_loader(kit, n=n, batch_size=batch_size)
    sizes = [len(X) for X, _ in loader]
    assert len(loader) == len(sizes) == math.ceil(n / batch_size)
    assert loader.batch_size == batch_size
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
    assert sizes[-1] == n - batch_size * (len(sizes) - 1)


def test_unequal_lengths_and_empty_arrays_raise(d2l):
    with pytest.raises(ValueError, match=r'equal lengths.*\[10, 9\]'):
        d2l.load_array((np.zeros((10, 2)), np.zeros(9)), 2)
    with pytest.raises(ValueError, match='empty'):
        d2l.load_array((np.zeros((0, 2)), np.zeros(0)), 2)


def test_a_generator_is_not_a_data_iter(kit, d2l):
    batches = (b for b in toy_loader(kit))
    with pytest.raises(TypeError, match='re-iterable'):
        d2l.examples_per_epoch(batches)


@pytest.mark.parametrize(
    'batch_size, error',
    [
        (0, ValueError),
        (-1, ValueError),
        (2.5, TypeError),
        (True, TypeError),
        ('10', TypeError),
    ],
)
def test_bad_batch_size_names_argument_and_value(d2l, batch_size, error):
    arrays = (np.zeros((10, 2)), np.zeros(10))
    match = 'batch_size.*' + re.escape(repr(batch_size))
    with pytest.raises(error, match=match):
        d2l.load_array(arrays, batch_size)
    with pytest.raises(error, match=match):
        d2l.get_data_ch11(batch_size)


# The airfoil data.
def test_get_data_ch11_is_the_standardised_airfoil_data(kit, d2l):
    data_iter, feature_dim = d2l.get_data_ch11(10)
    X, y = data_iter.tensors
    features, labels = d2l.airfoil()
    assert feature_dim == 5 and len(data_iter) == 150
    assert tuple(X.shape) == (1500, 5) and tuple(y.shape) == (1500,)
    assert numpy(X).dtype == np.float32
    assert d2l.parse_device(kit.device(X)) == d2l.default_device()
    np.testing.assert_array_equal(numpy(X), features)
    np.testing.assert_array_equal(numpy(y), labels)
    X2, _ = d2l.airfoil_tensors(100)
    np.testing.assert_array_equal(numpy(X2), features[:100])


@pytest.mark.parametrize(
    'n, error',
    [(0, ValueError), (1504, ValueError), (1.5, TypeError), ('x', TypeError)],
)
def test_get_data_ch11_bad_n(d2l, n, error):
    with pytest.raises(error, match='n must be.*' + re.escape(repr(n))):
        d2l.get_data_ch11(10, n=n)


# Training.
@pytest.mark.parametrize(
    'lr, batch_size, num_epochs',
    [(1, 1500, 10), (0.005, 1, 2), (0.4, 100, 2), (0.05, 10, 2)],
)
def test_airfoil_final_loss(d2l, lr, batch_size, num_epochs):
    d2l.set_seed(0)
    times, losses = train_sgd(d2l, lr, batch_size, num_epochs)
    assert 0.235 <= losses[-1] <= 0.26
    assert len(times) == len(losses)
    assert all(a <= b for a, b in zip(times, times[1:]))


def test_same_seed_same_losses(d2l):
    runs = []
    for _ in range(2):
        d2l.set_seed(7)
        runs.append(train_sgd(d2l, 0.05, 10, 1)[1])
    assert runs[0] == runs[1]
    d2l.set_seed(8)
    assert train_sgd(d2l, 0.05, 10, 1)[1] != runs[0]


def test_d2ls_own_loader_still_trains(kit, d2l):
    ours, feature_dim = d2l.get_data_ch11(10)
    loader = kit.d2l_loader(ours.tensors, 10)
    d2l.set_seed(0)
    _, losses = d2l.train_ch11(
        d2l.sgd, None, {'lr': 0.05}, loader, feature_dim, verbose=False
    )
    assert 0.235 <= losses[-1] <= 0.26


@pytest.mark.parametrize('name', [n for n in HERE if n != 'pytorch'])
def test_concise_with_lr_names_learning_rate(name):
    # Keras and Gluon would not read PyTorch's 'lr'.
    kit = KITS[name](name)
    with pytest.raises(
        ValueError,
        match=r"'learning_rate', not 'lr'.*\{'learning_rate': 0.1\}",
    ):
        kit.d2l.train_concise_ch11(
            kit.optimizer(), {'lr': 0.1}, toy_loader(kit)
        )


def test_concise_lands_near_train_ch11(kit, d2l):
    d2l.set_seed(0)
    _, scratch = train_sgd(d2l, 0.05, 10, 2)
    d2l.set_seed(0)
    times, concise = train_concise(kit, 0.05, 2)
    assert len(concise) == len(scratch) == len(times) == 15
    assert 0.235 <= concise[-1] <= 0.26
    assert concise[-1] == pytest.approx(scratch[-1], abs=0.01)


def test_exercise_2_decays_the_learning_rate_each_epoch(kit):
    rates = []

    def decay(optimizer):
        rates.append(kit.learning_rate(optimizer))
        kit.set_learning_rate(optimizer, kit.learning_rate(optimizer) / 10)

    train_concise(kit, 0.05, 3, on_epoch_end=decay)
    assert rates == pytest.approx([0.05, 0.005, 0.0005])


def test_zero_epochs(kit, d2l):
    with pytest.raises(ValueError, match='num_epochs.*0'):
        d2l.train_ch11(
            d2l.sgd, None, {'lr': 0.1}, toy_loader(kit), 5, num_epochs=0
        )
    with pytest.raises(ValueError, match='num_epochs.*0'):
        train_concise(kit, num_epochs=0)


@pytest.mark.parametrize(
    'value, error',
    [
        (0, ValueError),
        (-1, ValueError),
        (math.nan, ValueError),
        ('0.1', TypeError),
    ],
)
def test_bad_learning_rates_name_the_hyperparameter(kit, d2l, value, error):
    with pytest.raises(error, match=r"hyperparams\['lr'\]"):
        d2l.train_ch11(d2l.sgd, None, {'lr': value}, toy_loader(kit), 5)
    key = re.escape(repr(kit.lr_key))
    with pytest.raises(error, match=rf'hyperparams\[{key}\]'):
        train_concise(kit, value)


def test_divergence_names_lr_and_batch_size(d2l):
    with pytest.raises(FloatingPointError) as info:
        train_sgd(d2l, 1e6, 10, 1)
    message = str(info.value)
    assert 'learning rate 1000000.0' in message
    assert 'batch size 10' in message
    assert 'smaller learning rate' in message


# Timing and devices.
def test_the_live_plot_adds_no_reported_time(d2l, monkeypatch):
    def train(verbose):
        return train_sgd(d2l, 1, 1500, 10, verbose)

    assert_plot_not_timed(monkeypatch, train)


@pytest.mark.parametrize('concise', [False, True])
def test_making_the_figure_is_not_training_time(kit, monkeypatch, concise):
    def train(verbose):
        if concise:
            return train_concise(kit, verbose=verbose)
        return train_sgd(kit.d2l, 1, 1500, 2, verbose)

    assert_figure_not_timed(monkeypatch, train)


def test_large_matmul_gflops_is_a_rate(d2l):
    assert d2l.large_matmul_gflops(size=128, repeats=2) > 0


def test_device_name_on_the_cpu(d2l):
    assert re.fullmatch(r'CPU \(\d+ threads\)', d2l.device_name('cpu'))


# Devices and seeds.
def test_the_environment_variable_wins_and_is_checked(d2l, monkeypatch):
    monkeypatch.setenv('D2LMINI_DEVICE', 'cpu')
    assert d2l.default_device() == d2l.parse_device('cpu')
    # PyTorch's spelling, which every adapter reads; no machine has 100 GPUs
    monkeypatch.setenv('D2LMINI_DEVICE', 'cuda:99')
    with pytest.raises(
        ValueError,
        match=r"D2LMINI_DEVICE='cuda:99'.*not available: this machine has",
    ):
        d2l.default_device()


def test_device_name_of_a_missing_gpu_names_the_devices_there_are(d2l):
    with pytest.raises(ValueError, match='is not available: this machine has'):
        d2l.device_name('cuda:99')


def test_set_seed_repeats_every_generator(kit, d2l):
    def draw():
        return random.random(), np.random.rand(), kit.draw()

    d2l.set_seed(42)
    first = draw()
    d2l.set_seed(42)
    assert draw() == first
    d2l.set_seed(43)
    assert draw() != first


def test_glue_of_a_framework_scalar_is_a_python_float(kit, d2l, monkeypatch):
    glued = {}
    fake = types.ModuleType('myst_nb')
    fake.glue = lambda name, value, display: glued.update({name: value})
    monkeypatch.setitem(sys.modules, 'myst_nb', fake)
    d2l.glue('loss', kit.mean(kit.array([0.25, 0.75])))
    assert type(glued['loss']) is float and glued['loss'] == 0.5
