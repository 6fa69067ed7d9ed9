"""Linear regression trained from scratch and with Gluon, as in d2l chapter
11."""

from mxnet import autograd, gluon, np
from mxnet.gluon import nn

from ..core import checks
from ..core.contract import names
from ..core.loop import features_of, full_data, train_loop
from .data import device_of
from .device import Timer

__all__ = names('train')


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


def linear_model(feature_dim, device=None):
    """A Gluon Dense(1) model, starting where train_ch11's model starts."""
    w, b = init_params(feature_dim, device)
    net = nn.Dense(1, in_units=feature_dim)  # (batch, features) -> (batch, 1)
    net.initialize(ctx=device)
    net.weight.set_data(w.T)
    net.bias.set_data(b)
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
    device = device_of(data_iter)
    w, b = init_params(feature_dim, device)
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
        num_epochs,
        hyperparams,
        Timer(device),
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
    X = features_of(data_iter)  # (examples, features)
    net = nn.Sequential()
    net.add(linear_model(X.shape[1], X.ctx))
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
        num_epochs,
        hyperparams,
        Timer(X.ctx),
        verbose,
        on_epoch_end=epoch_end,
        labels=labels,
    )
