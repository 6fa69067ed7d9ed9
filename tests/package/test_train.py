"""The training loops: loss and update against references, airfoil results, records and timing."""

import math
import re

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import d2lmini as d2l
import d2lmini.core.plotting
import d2lmini.core.timer
import d2lmini.torch.train


def train_sgd(lr=1, batch_size=1500, num_epochs=2, verbose=True):
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


def toy_loader(n=1000, batch_size=300, seed=0):
    """A noisy linear regression problem with n examples."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 5, generator=g)  # (n, features)
    y = X @ torch.arange(1.0, 6.0) + 0.1 * torch.randn(n, generator=g)  # (n,)
    return d2l.load_array((X, y), batch_size)


def test_squared_loss_is_half_the_mse():
    torch.manual_seed(0)
    y_hat, y = torch.randn(8, 1), torch.randn(8)  # (batch, 1) and (batch,)
    l = d2l.squared_loss(y_hat, y)
    assert l.shape == (8, 1)  # one loss per example
    expected = nn.MSELoss()(y_hat, y.reshape(8, 1)) / 2
    assert torch.allclose(l.mean(), expected)


def test_sgd_step_by_hand_and_zeroed_gradients():
    torch.manual_seed(0)
    w, b = (
        torch.randn(3, 1, requires_grad=True),
        torch.randn(1, requires_grad=True),
    )
    X, y = torch.randn(4, 3), torch.randn(4)
    d2l.squared_loss(d2l.linreg(X, w, b), y).mean().backward()
    expected = [(p - 0.1 * p.grad).detach() for p in (w, b)]
    d2l.sgd([w, b], None, {'lr': 0.1})
    assert torch.allclose(w, expected[0]) and torch.allclose(b, expected[1])
    assert not w.grad.any() and not b.grad.any()


def test_evaluate_loss_mean_and_per_example_losses_agree():
    loader = toy_loader(n=103, batch_size=10)
    net = nn.Linear(5, 1)
    per_example = d2l.evaluate_loss(net, loader, d2l.squared_loss)
    mse = nn.MSELoss()
    mean_loss = d2l.evaluate_loss(net, loader, lambda out, y: mse(out, y) / 2)
    # a plain list of batches takes the batch-by-batch path
    batches = d2l.evaluate_loss(net, list(loader), d2l.squared_loss)
    X, y = loader.tensors
    with torch.no_grad():
        expected = d2l.squared_loss(net(X), y).mean().item()
    for value in (per_example, mean_loss, batches):
        assert value == pytest.approx(expected, rel=1e-5)


def test_scratch_and_concise_loops_agree():
    data_iter, feature_dim = d2l.get_data_ch11(10)
    X, y = data_iter.tensors

    def loader():
        return d2l.load_array(
            (X, y), 10, generator=torch.Generator().manual_seed(1)
        )

    d2l.set_seed(0)
    times, scratch = d2l.train_ch11(
        d2l.sgd, None, {'lr': 0.05}, loader(), feature_dim, 2
    )
    d2l.set_seed(0)
    _, concise = d2l.train_concise_ch11(
        torch.optim.SGD, {'lr': 0.05}, loader(), 2
    )
    assert len(scratch) == len(concise) == len(times) == 15
    assert scratch == pytest.approx(concise, abs=1e-4)


def test_concise_airfoil_final_loss():
    d2l.set_seed(0)
    data_iter, _ = d2l.get_data_ch11(10)
    times, losses = d2l.train_concise_ch11(
        torch.optim.SGD, {'lr': 0.05}, data_iter, 2
    )
    assert 0.235 <= losses[-1] <= 0.26
    assert len(times) == len(losses)


def test_one_full_batch_epoch_records_a_point(animators):
    times, losses = train_sgd(1, 1500, num_epochs=1)
    assert len(losses) == len(times) == 1
    assert animators[-1].X[0] == [1.0]


def test_record_points_with_a_partial_last_batch(animators):
    # 1000 examples in batches of 300, 300, 300, 100: a point every 200 examples and at the end
    times, losses = d2l.train_ch11(
        d2l.sgd, None, {'lr': 0.01}, toy_loader(1000, 300), 5, 2
    )
    assert animators[-1].X[0] == pytest.approx(
        [0.3, 0.6, 0.9, 1.0, 1.3, 1.6, 1.9, 2.0]
    )
    assert len(times) == len(losses) == 8


def test_sec_per_epoch_excludes_evaluation(monkeypatch, capsys):
    # A clock that only moves while the loss is evaluated: whatever the
    # machine's speed, none of it may count as training time.
    now = [0.0]
    monkeypatch.setattr(
        d2lmini.core.timer.time, 'perf_counter', lambda: now[0]
    )
    evaluate = d2lmini.torch.train.evaluate_loss

    def slow_evaluate(*args):
        now[0] += 100.0
        return evaluate(*args)

    monkeypatch.setattr(d2lmini.torch.train, 'evaluate_loss', slow_evaluate)
    times, losses = train_sgd(1, 1500, num_epochs=3)  # a point per step
    assert len(losses) == 3 and now[0] == 300.0
    assert times == [0.0, 0.0, 0.0]
    printed = re.search(r'([\d.e+-]+) sec/epoch', capsys.readouterr().out)[1]
    assert float(printed) == 0.0


BAD_LR = [
    ({'lr': 0}, ValueError, '0'),
    ({'lr': -1}, ValueError, '-1'),
    ({'lr': math.nan}, ValueError, 'nan'),
    ({'lr': math.inf}, ValueError, 'inf'),
    ({'lr': '0.1'}, TypeError, "'0.1'"),
]


@pytest.mark.parametrize('hyperparams, error, value', BAD_LR)
def test_bad_learning_rate_scratch(hyperparams, error, value):
    with pytest.raises(error, match=r"hyperparams.*'lr'.*" + re.escape(value)):
        d2l.train_ch11(d2l.sgd, None, hyperparams, toy_loader(), 5)


@pytest.mark.parametrize('hyperparams, error, value', BAD_LR)
def test_bad_learning_rate_concise(hyperparams, error, value):
    with pytest.raises(error, match=r"hyperparams.*'lr'.*" + re.escape(value)):
        d2l.train_concise_ch11(torch.optim.SGD, hyperparams, toy_loader())


def test_verbose_false_trains_silently(capsys):
    data_iter, feature_dim = d2l.get_data_ch11(100)
    times, losses = d2l.train_ch11(
        d2l.sgd, None, {'lr': 0.4}, data_iter, feature_dim, 1, verbose=False
    )
    assert capsys.readouterr().out == ''
    assert len(times) == len(losses) > 0
    d2l.train_concise_ch11(
        torch.optim.SGD, {'lr': 0.4}, data_iter, 1, verbose=False
    )
    assert capsys.readouterr().out == ''


def test_concise_takes_the_feature_dimension_from_the_data():
    X = torch.randn(200, 3)  # (examples, features): not the airfoil's 5
    y = X @ torch.tensor([1.0, -2.0, 0.5])
    _, losses = d2l.train_concise_ch11(
        torch.optim.SGD,
        {'lr': 0.1},
        d2l.load_array((X, y), 20),
        3,
        verbose=False,
    )
    assert losses[-1] < 0.01


def test_evaluation_is_one_pass_over_the_full_data():
    data_iter = toy_loader(n=1000, batch_size=10)
    w, b = torch.zeros(5, 1), torch.zeros(1)
    calls = []

    def net(X):
        calls.append(len(X))
        return d2l.linreg(X, w, b)

    d2l.evaluate_loss(net, data_iter, d2l.squared_loss)
    assert calls == [1000]


def test_a_one_shot_iterable_is_refused():
    X, y = torch.randn(20, 5), torch.randn(20)
    batches = ((X[i : i + 5], y[i : i + 5]) for i in range(0, 20, 5))
    with pytest.raises(TypeError, match='re-iterable'):
        d2l.train_ch11(
            d2l.sgd, None, {'lr': 0.1}, batches, 5, 1, verbose=False
        )


def test_hyperparams_must_be_a_dict():
    with pytest.raises(TypeError, match="hyperparams must be a dict.*got 0.1"):
        d2l.train_ch11(d2l.sgd, None, 0.1, toy_loader(), 5)


def test_an_optimizer_without_a_learning_rate_trains():
    # Adadelta needs no 'lr': d2l's Adadelta section passes {'rho': 0.9}.
    d2l.set_seed(0)
    _, losses = d2l.train_concise_ch11(
        torch.optim.Adadelta,
        {'rho': 0.9},
        toy_loader(batch_size=10),
        2,
        verbose=False,
    )
    assert losses[-1] < losses[0]

    def sign_step(params, states, hyperparams):  # a from-scratch rule, no lr
        with torch.no_grad():
            for p in params:
                p -= hyperparams['step'] * p.grad.sign()
                p.grad.zero_()

    _, losses = d2l.train_ch11(
        sign_step,
        None,
        {'step': 0.01},
        toy_loader(batch_size=10),
        5,
        2,
        verbose=False,
    )
    assert losses[-1] < losses[0]


def test_divergence_without_a_learning_rate_is_still_named():
    def explode(params, states, hyperparams):
        with torch.no_grad():
            for p in params:
                p *= hyperparams['factor']
                p.grad.zero_()

    with pytest.raises(
        FloatingPointError, match='diverged.*learning rate None'
    ):
        d2l.train_ch11(
            explode, None, {'factor': 1e30}, toy_loader(), 5, 1, verbose=False
        )


def test_linreg_takes_a_1d_weight_vector_as_d2l_does():
    X, w, b = torch.randn(7, 5), torch.randn(5), torch.randn(1)
    assert d2l.linreg(X, w, b).shape == (7,)
    assert torch.allclose(d2l.linreg(X, w, b), X @ w + b)
    assert torch.allclose(d2l.linreg(X, w[:, None], b)[:, 0], X @ w + b)
    y = torch.randn(7)
    assert d2l.squared_loss(d2l.linreg(X, w, b), y).shape == (7,)


def data_loader(batch_size=10):
    """The same toy data behind torch's DataLoader instead of load_array."""
    X, y = toy_loader().tensors
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)


@pytest.mark.parametrize(
    'make_loader',
    [lambda: toy_loader(batch_size=10), data_loader],
    ids=['load_array', 'DataLoader'],
)
def test_on_epoch_end_runs_once_per_epoch_with_either_loader(make_loader):
    # With a DataLoader the loop iterates the data more often than once per
    # epoch (to count the examples and to evaluate): the callback must not.
    lrs = []

    def decay(optimizer):
        lrs.append(optimizer.param_groups[0]['lr'])  # the rate this epoch used
        for group in optimizer.param_groups:
            group['lr'] /= 10

    d2l.train_concise_ch11(
        torch.optim.SGD,
        {'lr': 0.2},
        make_loader(),
        3,
        verbose=False,
        on_epoch_end=decay,
    )
    assert lrs == pytest.approx([0.2, 0.02, 0.002])


def test_a_scheduler_steps_once_per_epoch_with_a_data_loader():
    made, lrs = {}, []

    def sgd_with_schedule(params, **hyperparams):
        made['optimizer'] = torch.optim.SGD(params, **hyperparams)
        made['scheduler'] = torch.optim.lr_scheduler.StepLR(
            made['optimizer'], 1, 0.1
        )
        return made['optimizer']

    def on_epoch_end(optimizer):
        lrs.append(optimizer.param_groups[0]['lr'])
        made['scheduler'].step()

    d2l.train_concise_ch11(
        sgd_with_schedule,
        {'lr': 0.2},
        data_loader(),
        3,
        verbose=False,
        on_epoch_end=on_epoch_end,
    )
    assert lrs == pytest.approx([0.2, 0.02, 0.002])
    assert made['scheduler'].get_last_lr() == pytest.approx([0.0002])


def test_on_epoch_end_time_is_not_training_time(monkeypatch):
    # A clock that only moves when on_epoch_end runs: whatever the machine's
    # speed, the training time must not include it.
    now = [0.0]
    monkeypatch.setattr(
        d2lmini.core.timer.time, 'perf_counter', lambda: now[0]
    )

    def pause(optimizer):
        now[0] += 100.0

    times, _ = d2l.train_concise_ch11(
        torch.optim.SGD,
        {'lr': 0.1},
        toy_loader(),
        2,
        verbose=False,
        on_epoch_end=pause,
    )
    assert now[0] == 200.0  # called after each of the 2 epochs
    assert times[-1] == 0.0


@pytest.mark.parametrize(
    'n, batch_size, epochs',
    [
        (1000, 7, 1),
        (1000, 300, 2),
        (1500, 1500, 3),
        (1500, 10, 2),
        (100, 30, 1),
        (3000, 3000, 1),
    ],
)
def test_record_points_are_where_the_loop_records(
    animators, n, batch_size, epochs
):
    X = torch.randn(n, 3)  # (n, features)
    y = X.sum(1)  # (n,)
    times, losses = d2l.train_ch11(
        d2l.sgd,
        None,
        {'lr': 0.01},
        d2l.load_array((X, y), batch_size),
        3,
        epochs,
    )
    points = d2l.record_points(n, batch_size, epochs)
    # the Animator's x positions are the epochs at which the loop recorded
    assert (points / n).tolist() == pytest.approx(animators[-1].X[0])
    assert len(points) == len(losses) == len(times)
